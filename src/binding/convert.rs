//! The shapes JavaScript sees. Their doc comments become `index.d.ts`.

use std::collections::HashMap;
use std::ptr;

use napi::bindgen_prelude::{Env, JsValue, PromiseRaw, ToNapiValue};
use napi::sys;
use napi_derive::napi;

use super::js::new_string;
use super::shapes;

use crate::core::decision::{Decision, RefreshOutcome};

/// The part of an HTTP request the session decision reads. A Node `IncomingMessage` and a
/// `NextRequest` both fit as they are.
#[napi(object, object_to_js = false)]
#[expect(
  dead_code,
  reason = "declared for index.d.ts; options.rs and js.rs read these fields one by one"
)]
pub struct SessionRequest {
  /// An absolute URL, or a path with its query (then `Host` and `X-Forwarded-Proto` give the
  /// origin of a redirect). Required: a request without one is rejected with `INVALID_REQUEST`
  /// (optional here only because Node types `IncomingMessage.url` that way).
  pub url: Option<String>,
  /// Default `'GET'`. Requests other than GET and HEAD get 401 instead of a redirect.
  pub method: Option<String>,
  /// Node's `req.headers` (lowercase names) or a `Headers` instance such as `NextRequest.headers`.
  #[napi(ts_type = "Record<string, string | string[] | undefined> | Headers")]
  pub headers: HashMap<String, String>,
}

/// Cookie attributes used for both cookies, when writing and when deleting them.
#[napi(object, object_to_js = false)]
#[expect(
  dead_code,
  reason = "declared for index.d.ts; options.rs and js.rs read these fields one by one"
)]
pub struct CookieOptions {
  /// Default `true`. Browsers accept Secure cookies on `http://localhost` too.
  pub secure: Option<bool>,
  /// Default `'lax'`. `'none'` requires `secure`.
  #[napi(ts_type = "'lax' | 'strict' | 'none'")]
  pub same_site: Option<String>,
  /// Default: none (the cookie belongs to the exact host).
  pub domain: Option<String>,
  /// Default `'/'`.
  pub path: Option<String>,
}

/// Options for `checkSession`, `refreshSession` and `createSession`. Every field is optional.
/// Read and validated when an options object is first used; later changes to the same object are
/// not seen.
#[napi(object, object_to_js = false)]
#[expect(
  dead_code,
  reason = "declared for index.d.ts; options.rs and js.rs read these fields one by one"
)]
pub struct SessionOptions {
  /// The refresh endpoint. Default `${process.env.API_BASE_URL}/auth/refresh`.
  pub refresh_url: Option<String>,
  /// Name of the access-token cookie. Default `'access_token'`.
  pub access_cookie: Option<String>,
  /// Name of the refresh-token cookie. Default `'refresh_token'`.
  pub refresh_cookie: Option<String>,
  /// Where a dead session is sent. Default `'/login'`. Always public.
  pub login_path: Option<String>,
  /// Query parameter that carries the page to return to. Default `'next'`; `null` for none.
  #[napi(ts_type = "string | null")]
  pub return_to_param: Option<String>,
  /// Path prefixes (matched on segment boundaries) never redirected, answered 401 or 503.
  /// Default `[loginPath]`; `loginPath` is always added.
  pub public_paths: Option<Vec<String>>,
  /// Path prefixes answered 401 instead of a redirect. Default `['/api']`.
  pub api_paths: Option<Vec<String>>,
  /// Send requests without any session to the login page (401 for API calls). Default `false`.
  pub require_session: Option<bool>,
  /// Refresh when the access token expires within this many seconds. Default `60`; shrinks to
  /// half the token's lifetime for short-lived tokens.
  pub refresh_window_seconds: Option<f64>,
  /// Seconds a successful refresh is reused for requests carrying the same refresh token.
  /// Default `10`.
  pub grace_seconds: Option<f64>,
  /// Milliseconds the whole refresh request may take. Default `5000`.
  pub timeout_ms: Option<f64>,
  /// `'json'` (Django REST framework SimpleJWT) or `'oauth2'` (RFC 6749). Default `'json'`.
  #[napi(ts_type = "'json' | 'oauth2'")]
  pub protocol: Option<String>,
  /// OAuth2 client id: sent with HTTP Basic when `clientSecret` is set, else as `client_id`.
  pub client_id: Option<String>,
  /// OAuth2 client secret, sent with HTTP Basic. Only with `protocol: 'oauth2'`.
  pub client_secret: Option<String>,
  /// Attributes of both cookies.
  pub cookie: Option<CookieOptions>,
}

/// What the response to this request must do about the session.
#[napi(object, object_from_js = false)]
pub struct SessionDecision {
  /// `continue`: handle the request. `redirect`: answer `status` with `location`.
  /// `unauthorized`: answer 401. `unavailable`: answer 503 (the auth server is down).
  #[napi(ts_type = "'continue' | 'redirect' | 'unauthorized' | 'unavailable'")]
  pub action: String,
  /// Why: the token was `valid`, was `refreshed`, there was no session (`anonymous`), the auth
  /// server refused the refresh token (`refresh_rejected`) or could not refresh it
  /// (`refresh_unavailable`).
  #[napi(
    ts_type = "'valid' | 'refreshed' | 'anonymous' | 'refresh_rejected' | 'refresh_unavailable'"
  )]
  pub reason: String,
  /// 307 for `redirect`, 401 for `unauthorized`, 503 for `unavailable`.
  pub status: Option<u32>,
  /// The login page with the return-to parameter; absolute when the request's origin is known.
  pub location: Option<String>,
  /// `Set-Cookie` values to append to the response (new tokens, or deletions).
  pub set_cookie: Vec<String>,
  /// Other response headers: `cache-control` whenever cookies change and on 503, `retry-after` on
  /// 503.
  pub headers: HashMap<String, String>,
  /// The Cookie header the rest of this request must see, when it changed (new access token,
  /// deleted cookies). Give it to the page or handler that runs next.
  pub request_cookie: Option<String>,
  /// The access token that is valid after this decision.
  pub access_token: Option<String>,
  /// When that token expires, in seconds since the epoch on this server's clock, when known.
  pub expires_at: Option<f64>,
}

impl From<Decision> for SessionDecision {
  fn from(decision: Decision) -> Self {
    SessionDecision {
      action: decision.action.as_str().to_string(),
      reason: decision.reason.as_str().to_string(),
      status: decision.status.map(u32::from),
      location: decision.location,
      set_cookie: decision.set_cookie,
      headers: decision
        .headers
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect(),
      request_cookie: decision.request_cookie,
      access_token: decision.access_token,
      expires_at: decision.expires_at,
    }
  }
}

/// New tokens from `refreshSession`.
#[napi(object, object_from_js = false)]
pub struct RefreshResult {
  pub access_token: String,
  /// Present when the auth server rotated the refresh token.
  pub refresh_token: Option<String>,
  /// Access-token expiry, in seconds since the epoch on this server's clock, when known.
  pub expires_at: Option<f64>,
  /// `Set-Cookie` values that store the new token(s).
  pub set_cookie: Vec<String>,
}

impl From<RefreshOutcome> for RefreshResult {
  fn from(outcome: RefreshOutcome) -> Self {
    RefreshResult {
      access_token: outcome.access_token,
      refresh_token: outcome.refresh_token,
      expires_at: outcome.expires_at,
      set_cookie: outcome.set_cookie,
    }
  }
}

/// The decision as a JavaScript object (or, with `settled`, a promise already resolved with it).
pub fn decision_to_js(
  env: sys::napi_env,
  decision: Decision,
  settled: bool,
) -> napi::Result<sys::napi_value> {
  let Some(factory) = shapes::factory(env, settled) else {
    return field_by_field(env, decision, settled);
  };

  let undefined = unsafe {
    let mut value = ptr::null_mut();
    sys::napi_get_undefined(env, &mut value);
    value
  };
  let uint = |number: u32| unsafe {
    let mut value = ptr::null_mut();
    sys::napi_create_uint32(env, number, &mut value);
    value
  };
  let text = |value: Option<&str>| value.map_or(undefined, |text| new_string(env, text));
  let args = [
    uint(shapes::action_code(decision.action)),
    uint(shapes::reason_code(decision.reason)),
    decision
      .status
      .map_or(undefined, |status| uint(u32::from(status))),
    text(decision.location.as_deref()),
    if decision.set_cookie.is_empty() {
      undefined
    } else {
      string_array(env, &decision.set_cookie)
    },
    if decision.headers.is_empty() {
      undefined
    } else {
      header_object(env, &decision.headers)
    },
    text(decision.request_cookie.as_deref()),
    text(decision.access_token.as_deref()),
    decision.expires_at.map_or(undefined, |seconds| unsafe {
      let mut value = ptr::null_mut();
      sys::napi_create_double(env, seconds, &mut value);
      value
    }),
  ];

  let mut result = ptr::null_mut();
  let status = unsafe {
    sys::napi_call_function(
      env,
      undefined,
      factory,
      args.len(),
      args.as_ptr(),
      &mut result,
    )
  };
  if status == sys::Status::napi_ok {
    Ok(result)
  } else {
    Err(napi::Error::from_reason(
      "could not build the decision object",
    ))
  }
}

fn field_by_field(
  env: sys::napi_env,
  decision: Decision,
  settled: bool,
) -> napi::Result<sys::napi_value> {
  let value = SessionDecision::from(decision);
  if settled {
    let env = Env::from_raw(env);
    Ok(PromiseRaw::resolve(&env, value)?.raw())
  } else {
    unsafe { SessionDecision::to_napi_value(env, value) }
  }
}

fn string_array(env: sys::napi_env, values: &[String]) -> sys::napi_value {
  let mut array = ptr::null_mut();
  unsafe {
    sys::napi_create_array_with_length(env, values.len(), &mut array);
    for (index, value) in values.iter().enumerate() {
      sys::napi_set_element(env, array, index as u32, new_string(env, value));
    }
  }
  array
}

fn header_object(env: sys::napi_env, headers: &[(&'static str, String)]) -> sys::napi_value {
  let mut object = ptr::null_mut();
  unsafe {
    sys::napi_create_object(env, &mut object);
    for (name, value) in headers {
      sys::napi_set_property(env, object, new_string(env, name), new_string(env, value));
    }
  }
  object
}
