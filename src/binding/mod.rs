//! The JavaScript face of the engine: three functions and a `Session` class.
//!
//! This layer only converts. It reads the request and options from JavaScript values, asks
//! `core` for the decision, and turns the answer (or a `SessionError`, whose `code` becomes
//! `err.code`) back into JavaScript. A decision that needs no refresh is made on the calling
//! thread and returned as an already-resolved promise; only a refresh goes to the tokio runtime.
//! The most common request of all, one with a fresh token, is answered before it gets here, by
//! the front that `fast.rs` installs over `checkSession`.

mod convert;
mod fast;
mod js;
mod options;
mod shapes;

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::core::decision::HeaderSnapshot;
use crate::core::{self, Engine, Incoming, SessionError, Step};
use convert::{RefreshResult, SessionDecision};

/// Decides what this request's response must do about the session it carries: continue (with
/// refreshed cookies when a refresh was due), redirect to the login page, answer 401, or answer
/// 503 while the auth server is down. Never rejects because a refresh failed: that is a decision.
/// Rejects with `code` `INVALID_OPTIONS` or `INVALID_REQUEST` for a caller mistake.
#[napi(
  ts_args_type = "request: SessionRequest, options?: SessionOptions",
  ts_return_type = "Promise<SessionDecision>"
)]
pub fn check_session<'env>(
  env: &'env Env,
  request: Unknown<'env>,
  options: Option<Unknown<'env>>,
) -> Result<PromiseRaw<'env, SessionDecision>> {
  match options::engine_for(env, options) {
    Ok(engine) => decide(env, engine, request),
    Err(error) => reject(env, error),
  }
}

/// Exchanges a refresh token for new tokens at the auth server and returns them with the
/// `Set-Cookie` values that store them. Concurrent calls with the same token share one request.
/// Rejects with `code` `REFRESH_REJECTED` (the token is no good), `REFRESH_UNAVAILABLE` (no
/// answer, timeout, 5xx or 429), `REFRESH_BAD_RESPONSE`, `INVALID_OPTIONS` or `INVALID_REQUEST`.
#[napi(
  ts_args_type = "refreshToken: string, options?: SessionOptions",
  ts_return_type = "Promise<RefreshResult>"
)]
pub fn refresh_session<'env>(
  env: &'env Env,
  refresh_token: Unknown<'env>,
  options: Option<Unknown<'env>>,
) -> Result<PromiseRaw<'env, RefreshResult>> {
  match options::engine_for(env, options) {
    Ok(engine) => refresh(env, engine, refresh_token),
    Err(error) => reject(env, error),
  }
}

/// Validates `options` once and returns a `Session` bound to them: the fastest way to call
/// `checkSession` on every request. Throws `INVALID_OPTIONS` naming the field at fault.
#[napi(ts_args_type = "options?: SessionOptions")]
pub fn create_session(env: &Env, options: Option<Unknown>) -> Result<Session, core::ErrorCode> {
  let engine = options::engine_for(env, options).map_err(to_js_error)?;
  Ok(Session { engine })
}

/// `checkSession` and `refreshSession` with options bound once. Made by `createSession`.
#[napi]
pub struct Session {
  engine: Arc<Engine>,
}

#[napi]
impl Session {
  /// Same as the top-level `checkSession`, with this session's options.
  #[napi(
    ts_args_type = "request: SessionRequest",
    ts_return_type = "Promise<SessionDecision>"
  )]
  pub fn check_session<'env>(
    &self,
    env: &'env Env,
    request: Unknown<'env>,
  ) -> Result<PromiseRaw<'env, SessionDecision>> {
    decide(env, self.engine.clone(), request)
  }

  /// The fast path's handle on this session's engine; see `fast.rs`. Removed from the
  /// prototype when the module loads, so JavaScript never sees it.
  #[napi(js_name = "__engineHandle", skip_typescript)]
  pub fn engine_handle(&self, env: &Env) -> Result<Unknown<'static>> {
    fast::engine_handle(env, &self.engine)
  }

  /// Same as the top-level `refreshSession`, with this session's options.
  #[napi(
    ts_args_type = "refreshToken: string",
    ts_return_type = "Promise<RefreshResult>"
  )]
  pub fn refresh_session<'env>(
    &self,
    env: &'env Env,
    refresh_token: Unknown<'env>,
  ) -> Result<PromiseRaw<'env, RefreshResult>> {
    refresh(env, self.engine.clone(), refresh_token)
  }
}

fn decide<'env>(
  env: &'env Env,
  engine: Arc<Engine>,
  request: Unknown<'env>,
) -> Result<PromiseRaw<'env, SessionDecision>> {
  let request = match js::read_request(env, request) {
    Ok(request) => request,
    Err(error) => return reject(env, error),
  };
  let incoming = Incoming {
    url: &request.url,
    method: request.method.as_deref().unwrap_or("GET"),
    cookie: request.cookie.as_deref(),
  };

  match engine.assess(&incoming, &request.headers, core::unix_now()) {
    Ok(Step::Done(decision)) => {
      core::debug::decided(incoming.url, &decision);
      let promise = convert::decision_to_js(env.raw(), decision, true)?;
      Ok(PromiseRaw::new(env.raw(), promise))
    }
    Ok(Step::Refresh(pending)) => {
      // The headers are JavaScript values: copy the few a decision may read before leaving
      // this thread.
      let snapshot = HeaderSnapshot::capture(&request.headers);
      let url = request.url.clone();
      let future = async move {
        let outcome = engine.refresh(pending.refresh_token()).await;
        let decision = engine.conclude(pending, outcome, &snapshot, core::unix_now());
        if let Ok(decision) = &decision {
          core::debug::decided(&url, decision);
        }
        Ok::<_, napi::Error>(decision)
      };
      spawn(env, future, |raw_env, decision| {
        convert::decision_to_js(raw_env, decision, false)
      })
    }
    Err(error) => reject(env, error),
  }
}

fn refresh<'env>(
  env: &'env Env,
  engine: Arc<Engine>,
  refresh_token: Unknown<'env>,
) -> Result<PromiseRaw<'env, RefreshResult>> {
  let token = match js::read_refresh_token(env, refresh_token) {
    Ok(token) => token,
    Err(error) => return reject(env, error),
  };
  let future = async move {
    let result = match engine.refresh(&token).await {
      Ok(tokens) => Ok(RefreshResult::from(
        engine.refresh_outcome(&tokens, core::unix_now()),
      )),
      Err(failure) => Err(failure.to_error()),
    };
    Ok::<_, napi::Error>(result)
  };
  spawn(env, future, |raw_env, result| unsafe {
    RefreshResult::to_napi_value(raw_env, result)
  })
}

/// Runs `future` on the tokio runtime and turns its value into JavaScript with `to_js`; its
/// `SessionError` becomes a rejection with a `code`.
fn spawn<'env, T, V, F, C>(env: &'env Env, future: F, to_js: C) -> Result<PromiseRaw<'env, V>>
where
  T: Send + 'static,
  F: std::future::Future<Output = Result<std::result::Result<T, SessionError>>> + Send + 'static,
  C: FnOnce(napi::sys::napi_env, T) -> Result<napi::sys::napi_value> + Send + 'static,
{
  let promise = execute_tokio_future(env.raw(), future, move |raw_env, result| match result {
    Ok(value) => to_js(raw_env, value),
    // Resolving with a rejected promise rejects: the only way to give an error a custom
    // `code` from here.
    Err(error) => {
      let env = Env::from_raw(raw_env);
      let rejected = PromiseRaw::<()>::reject(&env, to_js_error(error))?;
      Ok(rejected.raw())
    }
  })?;
  Ok(PromiseRaw::new(env.raw(), promise))
}

fn reject<'env, T>(env: &'env Env, error: SessionError) -> Result<PromiseRaw<'env, T>> {
  let rejected = PromiseRaw::<()>::reject(env, to_js_error(error))?;
  Ok(PromiseRaw::new(env.raw(), rejected.raw()))
}

fn to_js_error(error: SessionError) -> napi::Error<core::ErrorCode> {
  napi::Error::new(error.code, error.message)
}
