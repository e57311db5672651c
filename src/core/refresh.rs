//! One exchange with the auth server: build the request, send it, classify the answer.
//!
//! Invariants: redirects are never followed (the refresh token must not travel to another host);
//! `timeoutMs` bounds the whole exchange, body included; at most 64 KiB of body is read; a token
//! is accepted only if it can be stored in its cookie. Every failure is classified as rejected
//! (the session is over), unavailable (try again later) or a bad response (the server is
//! misbehaving), and no message ever contains a token.

use std::sync::OnceLock;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::{header, redirect, Client, StatusCode};
use serde_json::Value;

use crate::core::cookies;
use crate::core::error::{ErrorCode, SessionError};
use crate::core::options::{Config, Protocol};

/// The most body this package reads from the auth server.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Used for `retry-after` when the auth server did not say.
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 5;

/// Tokens from a successful refresh.
#[derive(Clone, Debug, PartialEq)]
pub struct Tokens {
  pub access: String,
  /// Present when the server rotated the refresh token.
  pub refresh: Option<String>,
  /// `expires_in` from the response, in seconds, when given.
  pub expires_in: Option<f64>,
}

/// Why a refresh did not produce tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshFailure {
  /// 400, 401 or 403: the refresh token is no good.
  Rejected { status: u16 },
  /// No answer, a timeout, 5xx or 429; `retry_after` in seconds when the server gave one.
  Unavailable {
    detail: String,
    retry_after: Option<u64>,
  },
  /// An answer this package cannot use.
  BadResponse { detail: String },
}

impl RefreshFailure {
  pub fn to_error(&self) -> SessionError {
    match self {
      RefreshFailure::Rejected { status } => SessionError::new(
        ErrorCode::RefreshRejected,
        format!("the auth server rejected the refresh token (HTTP {status})"),
      ),
      RefreshFailure::Unavailable { detail, .. } => SessionError::new(
        ErrorCode::RefreshUnavailable,
        format!("the auth server is unavailable: {detail}"),
      ),
      RefreshFailure::BadResponse { detail } => SessionError::new(
        ErrorCode::RefreshBadResponse,
        format!("the auth server's answer cannot be used: {detail}"),
      ),
    }
  }
}

/// The one HTTP client every refresh uses, so connections to the auth server are kept alive.
/// Proxies from the environment are ignored, as Node's own `fetch` ignores them.
fn shared_client() -> Result<&'static Client, RefreshFailure> {
  static CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();
  CLIENT
    .get_or_init(|| {
      Client::builder()
        .redirect(redirect::Policy::none())
        .no_proxy()
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("glyde-session/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| format!("the HTTP client could not start ({error})"))
    })
    .as_ref()
    .map_err(|detail| RefreshFailure::Unavailable {
      detail: detail.clone(),
      retry_after: None,
    })
}

/// Sends the refresh request described by `config` and classifies the answer.
pub async fn exchange(config: &Config, refresh_token: &str) -> Result<Tokens, RefreshFailure> {
  let client = shared_client()?;
  let timeout = Duration::from_millis(config.timeout_ms);
  let request = build_request(client, config, refresh_token).timeout(timeout);

  let attempt = async {
    let response = request
      .send()
      .await
      .map_err(|error| transport_failure(&error, config))?;
    let status = response.status();
    let retry_after = response
      .headers()
      .get(header::RETRY_AFTER)
      .and_then(|value| value.to_str().ok())
      .and_then(|value| value.trim().parse::<u64>().ok());
    let body = read_limited(response, config).await?;
    Ok::<_, RefreshFailure>((status, retry_after, body))
  };

  // reqwest's timeout covers the body too; this outer bound is a second guard for the
  // whole exchange, so no await here can outlive `timeoutMs`.
  let (status, retry_after, body) = match tokio::time::timeout(timeout, attempt).await {
    Ok(result) => result?,
    Err(_) => return Err(timed_out(config)),
  };
  classify(config, status, retry_after, &body)
}

fn build_request(client: &Client, config: &Config, refresh_token: &str) -> reqwest::RequestBuilder {
  let request = client
    .post(&config.refresh_url)
    .header(header::ACCEPT, "application/json");

  match config.protocol {
    Protocol::Json => {
      let body = serde_json::json!({ "refresh": refresh_token }).to_string();
      request
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
    }
    Protocol::OAuth2 => {
      let mut body = format!(
        "grant_type=refresh_token&refresh_token={}",
        form_encode(refresh_token)
      );
      let request = match (&config.client_id, &config.client_secret) {
        (Some(id), Some(secret)) => {
          // RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
          let credentials = format!("{}:{}", form_encode(id), form_encode(secret));
          request.header(
            header::AUTHORIZATION,
            format!("Basic {}", STANDARD.encode(credentials)),
          )
        }
        (Some(id), None) => {
          body.push_str("&client_id=");
          body.push_str(&form_encode(id));
          request
        }
        _ => request,
      };
      request
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
    }
  }
}

/// application/x-www-form-urlencoded, as RFC 6749 asks for both the body and the credentials.
fn form_encode(value: &str) -> String {
  let mut out = String::with_capacity(value.len());
  for byte in value.bytes() {
    match byte {
      b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(byte as char),
      b' ' => out.push('+'),
      _ => out.push_str(&format!("%{byte:02X}")),
    }
  }
  out
}

fn transport_failure(error: &reqwest::Error, config: &Config) -> RefreshFailure {
  if error.is_timeout() {
    return timed_out(config);
  }
  let detail = if error.is_connect() {
    "could not connect".to_string()
  } else {
    // Only the kind of failure: reqwest's text can carry the URL, never a token, but keep it short.
    "the connection failed before an answer arrived".to_string()
  };
  RefreshFailure::Unavailable {
    detail,
    retry_after: None,
  }
}

fn timed_out(config: &Config) -> RefreshFailure {
  RefreshFailure::Unavailable {
    detail: format!("no answer within timeoutMs ({} ms)", config.timeout_ms),
    retry_after: None,
  }
}

async fn read_limited(
  mut response: reqwest::Response,
  config: &Config,
) -> Result<Vec<u8>, RefreshFailure> {
  let too_large = || RefreshFailure::BadResponse {
    detail: format!("the body is larger than {} KiB", MAX_BODY_BYTES / 1024),
  };
  if response
    .content_length()
    .is_some_and(|length| length > MAX_BODY_BYTES as u64)
  {
    return Err(too_large());
  }

  let mut body = Vec::new();
  loop {
    match response.chunk().await {
      Ok(Some(chunk)) => {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
          return Err(too_large());
        }
        body.extend_from_slice(&chunk);
      }
      Ok(None) => return Ok(body),
      Err(error) => return Err(transport_failure(&error, config)),
    }
  }
}

/// Turns a status and body into tokens or a classified failure.
pub fn classify(
  config: &Config,
  status: StatusCode,
  retry_after: Option<u64>,
  body: &[u8],
) -> Result<Tokens, RefreshFailure> {
  let code = status.as_u16();
  if status.is_success() {
    return parse_tokens(config, body);
  }
  if matches!(code, 400 | 401 | 403) {
    return match oauth2_misconfiguration(config, body) {
      Some(error) => Err(RefreshFailure::BadResponse {
        detail: format!("HTTP {code} with OAuth2 error '{error}', which points at the client configuration, not the session"),
      }),
      None => Err(RefreshFailure::Rejected { status: code }),
    };
  }
  if code == 429 || status.is_server_error() {
    return Err(RefreshFailure::Unavailable {
      detail: format!("it answered HTTP {code}"),
      retry_after,
    });
  }
  let detail = if status.is_redirection() {
    format!("it answered HTTP {code}; redirects are not followed, so refreshUrl must be the final address")
  } else {
    format!("it answered HTTP {code}")
  };
  Err(RefreshFailure::BadResponse { detail })
}

/// An OAuth2 error that says the client, not the user's grant, is wrong. Logging every user
/// out because a client secret was rotated would be the wrong answer, so these are bad
/// responses rather than rejections.
fn oauth2_misconfiguration(config: &Config, body: &[u8]) -> Option<String> {
  if config.protocol != Protocol::OAuth2 {
    return None;
  }
  let value: Value = serde_json::from_slice(body).ok()?;
  let error = value.get("error")?.as_str()?;
  matches!(
    error,
    "invalid_client" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope"
  )
  .then(|| error.to_string())
}

fn parse_tokens(config: &Config, body: &[u8]) -> Result<Tokens, RefreshFailure> {
  let bad = |detail: &str| RefreshFailure::BadResponse {
    detail: detail.to_string(),
  };
  let value: Value = serde_json::from_slice(body).map_err(|_| bad("the body is not JSON"))?;
  let object = value
    .as_object()
    .ok_or_else(|| bad("the body is not a JSON object"))?;

  let access = match object.get("access").or_else(|| object.get("access_token")) {
    Some(Value::String(token)) => token.clone(),
    Some(_) => return Err(bad("the access token is not a string")),
    None => return Err(bad("the body has no 'access' or 'access_token'")),
  };
  if let Some(reason) = cookies::unstorable_reason(&config.access_cookie, &access) {
    return Err(RefreshFailure::BadResponse {
      detail: format!("the new access token {reason}"),
    });
  }

  let refresh = match object
    .get("refresh")
    .or_else(|| object.get("refresh_token"))
  {
    None | Some(Value::Null) => None,
    Some(Value::String(token)) => {
      if let Some(reason) = cookies::unstorable_reason(&config.refresh_cookie, token) {
        return Err(RefreshFailure::BadResponse {
          detail: format!("the new refresh token {reason}"),
        });
      }
      Some(token.clone())
    }
    Some(_) => return Err(bad("the refresh token is not a string")),
  };

  let expires_in = match object.get("expires_in") {
    None | Some(Value::Null) => None,
    Some(value) => match value.as_f64() {
      Some(seconds) if seconds.is_finite() && seconds > 0.0 => Some(seconds),
      _ => return Err(bad("expires_in is not a positive number")),
    },
  };

  Ok(Tokens {
    access,
    refresh,
    expires_in,
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::core::options::RawOptions;

  fn config(protocol: &str) -> Config {
    Config::from_raw(RawOptions {
      refresh_url: Some("http://127.0.0.1:9/auth/refresh".into()),
      protocol: Some(protocol.into()),
      ..RawOptions::default()
    })
    .unwrap()
  }

  fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
  }

  #[test]
  fn simplejwt_and_oauth2_field_names_both_parse() {
    let json = config("json");
    let tokens = classify(
      &json,
      status(200),
      None,
      br#"{"access":"A1","refresh":"R2"}"#,
    )
    .unwrap();
    assert_eq!(
      tokens,
      Tokens {
        access: "A1".into(),
        refresh: Some("R2".into()),
        expires_in: None
      }
    );
    let oauth = classify(
      &json,
      status(200),
      None,
      br#"{"access_token":"A1","refresh_token":"R2","expires_in":300,"token_type":"Bearer"}"#,
    )
    .unwrap();
    assert_eq!(oauth.expires_in, Some(300.0));
    let no_rotation = classify(&json, status(200), None, br#"{"access":"A1"}"#).unwrap();
    assert_eq!(no_rotation.refresh, None);
  }

  #[test]
  fn statuses_are_classified() {
    let json = config("json");
    for code in [400, 401, 403] {
      assert_eq!(
        classify(&json, status(code), None, b"{}"),
        Err(RefreshFailure::Rejected { status: code })
      );
    }
    for code in [429, 500, 502, 503, 504] {
      assert!(matches!(
        classify(&json, status(code), Some(7), b""),
        Err(RefreshFailure::Unavailable {
          retry_after: Some(7),
          ..
        })
      ));
    }
    for code in [301, 302, 307, 404, 405, 418] {
      assert!(matches!(
        classify(&json, status(code), None, b""),
        Err(RefreshFailure::BadResponse { .. })
      ));
    }
  }

  #[test]
  fn unusable_bodies_are_bad_responses_and_never_echo_tokens() {
    let json = config("json");
    let cases: [&[u8]; 7] = [
      b"<html>oops</html>",
      b"[]",
      br#"{"refresh":"R"}"#,
      br#"{"access":42}"#,
      br#"{"access":"has space SECRETVALUE"}"#,
      br#"{"access":"A","refresh":"semi;colon SECRETVALUE"}"#,
      br#"{"access":"A","expires_in":-5}"#,
    ];
    for body in cases {
      match classify(&json, status(200), None, body) {
        Err(failure @ RefreshFailure::BadResponse { .. }) => {
          let error = failure.to_error();
          assert_eq!(error.code, ErrorCode::RefreshBadResponse);
          assert!(!error.message.contains("SECRETVALUE"));
        }
        other => panic!("expected a bad response, got {other:?}"),
      }
    }
    let huge = format!(r#"{{"access":"{}"}}"#, "a".repeat(5000));
    assert!(matches!(
      classify(&json, status(200), None, huge.as_bytes()),
      Err(RefreshFailure::BadResponse { .. })
    ));
  }

  #[test]
  fn oauth2_client_errors_do_not_log_users_out() {
    let oauth = config("oauth2");
    assert_eq!(
      classify(&oauth, status(400), None, br#"{"error":"invalid_grant"}"#),
      Err(RefreshFailure::Rejected { status: 400 })
    );
    assert!(matches!(
      classify(&oauth, status(401), None, br#"{"error":"invalid_client"}"#),
      Err(RefreshFailure::BadResponse { .. })
    ));
  }

  #[test]
  fn form_encoding_escapes_reserved_characters() {
    assert_eq!(form_encode("a b+c/d=e&f"), "a+b%2Bc%2Fd%3De%26f");
    assert_eq!(form_encode("Ab0-._*"), "Ab0-._*");
  }
}
