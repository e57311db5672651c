//! The decision object, built by a tiny JavaScript factory compiled once per thread.
//!
//! V8 makes an object literal with a fixed hidden class far faster than a series of
//! `napi_set_named_property` calls, and every decision then has the same shape, which keeps the
//! caller's own property reads monomorphic. `action` and `reason` travel as small integers and
//! become strings inside the factory. If the factory cannot be compiled (a process run with
//! `--disallow-code-generation-from-strings`), decisions are built field by field with the same
//! fields, a little slower.

use std::cell::RefCell;
use std::ptr;

use napi::sys;

use crate::core::decision::{Action, Reason};

pub const ACTIONS: [Action; 4] = [
  Action::Continue,
  Action::Redirect,
  Action::Unauthorized,
  Action::Unavailable,
];
pub const REASONS: [Reason; 5] = [
  Reason::Valid,
  Reason::Refreshed,
  Reason::Anonymous,
  Reason::RefreshRejected,
  Reason::RefreshUnavailable,
];

pub fn action_code(action: Action) -> u32 {
  ACTIONS
    .iter()
    .position(|candidate| *candidate == action)
    .unwrap_or(0) as u32
}

pub fn reason_code(reason: Reason) -> u32 {
  REASONS
    .iter()
    .position(|candidate| *candidate == reason)
    .unwrap_or(0) as u32
}

fn factory_source() -> String {
  let quoted = |names: Vec<&str>| {
    names
      .iter()
      .map(|name| format!("'{name}'"))
      .collect::<Vec<_>>()
      .join(", ")
  };
  let actions = quoted(ACTIONS.iter().map(|action| action.as_str()).collect());
  let reasons = quoted(REASONS.iter().map(|reason| reason.as_str()).collect());
  format!(
    r#"(function () {{
  'use strict';
  const ACTIONS = [{actions}];
  const REASONS = [{reasons}];
  function decision(action, reason, status, location, setCookie, headers, requestCookie, accessToken, expiresAt) {{
    return {{
      action: ACTIONS[action], reason: REASONS[reason], status, location,
      setCookie: setCookie === undefined ? [] : setCookie,
      headers: headers === undefined ? {{}} : headers,
      requestCookie, accessToken, expiresAt,
    }};
  }}
  function settled(action, reason, status, location, setCookie, headers, requestCookie, accessToken, expiresAt) {{
    return Promise.resolve(decision(action, reason, status, location, setCookie, headers, requestCookie, accessToken, expiresAt));
  }}
  return [decision, settled];
}})()"#
  )
}

struct Factory {
  env: sys::napi_env,
  /// `decision(...)` and `settled(...)`, or `None` when the factory could not be compiled.
  functions: Option<(sys::napi_ref, sys::napi_ref)>,
}

thread_local! {
  static FACTORY: RefCell<Option<Factory>> = const { RefCell::new(None) };
}

/// The factory function for `env`: `settled` returns a resolved promise, else the bare object.
pub fn factory(env: sys::napi_env, settled: bool) -> Option<sys::napi_value> {
  FACTORY.with(|slot| {
    let mut slot = slot.borrow_mut();
    if slot.as_ref().is_none_or(|factory| factory.env != env) {
      *slot = Some(Factory {
        env,
        functions: compile(env),
      });
    }
    let (decision, resolved) = slot.as_ref()?.functions?;
    let mut value = ptr::null_mut();
    let reference = if settled { resolved } else { decision };
    unsafe { sys::napi_get_reference_value(env, reference, &mut value) };
    (!value.is_null()).then_some(value)
  })
}

/// Compiles and runs `source`, returning its value, or `None` (with any exception cleared).
pub fn run_script(env: sys::napi_env, source: &str) -> Option<sys::napi_value> {
  unsafe {
    let mut script = ptr::null_mut();
    let mut result = ptr::null_mut();
    sys::napi_create_string_utf8(
      env,
      source.as_ptr().cast(),
      source.len() as isize,
      &mut script,
    );
    if sys::napi_run_script(env, script, &mut result) == sys::Status::napi_ok {
      return Some(result);
    }
    let mut pending = false;
    sys::napi_is_exception_pending(env, &mut pending);
    if pending {
      let mut exception = ptr::null_mut();
      sys::napi_get_and_clear_last_exception(env, &mut exception);
    }
    None
  }
}

/// A strong reference. Functions and objects only: Node 20 refuses references to primitives.
pub fn persistent(env: sys::napi_env, value: sys::napi_value) -> Option<sys::napi_ref> {
  let mut reference = ptr::null_mut();
  let status = unsafe { sys::napi_create_reference(env, value, 1, &mut reference) };
  (status == sys::Status::napi_ok && !reference.is_null()).then_some(reference)
}

fn compile(env: sys::napi_env) -> Option<(sys::napi_ref, sys::napi_ref)> {
  let pair = run_script(env, &factory_source())?;
  let mut decision = ptr::null_mut();
  let mut settled = ptr::null_mut();
  unsafe {
    sys::napi_get_element(env, pair, 0, &mut decision);
    sys::napi_get_element(env, pair, 1, &mut settled);
  }
  Some((persistent(env, decision)?, persistent(env, settled)?))
}
