//! The hot path: a fresh access token, decided without building the request in Rust.
//!
//! Most requests carry a fresh token, and for them only the URL and the Cookie header matter. A
//! small JavaScript front, compiled once when the module loads, reads those two from the request
//! (property reads cost next to nothing in JavaScript and a round trip each through N-API), asks
//! the engine with one native call, and on a `valid` answer builds the decision object itself,
//! taking the access token as a slice of the Cookie string at offsets the engine wrote into a
//! shared `Float64Array`. Everything else (a refresh, a redirect, a malformed request) goes to
//! the full native `checkSession`, so the two paths cannot disagree about anything but speed: the
//! engine's `valid_access` is the same test `assess` makes first.
//!
//! If the front cannot be compiled (`--disallow-code-generation-from-strings`), the exports stay
//! the plain native functions.

// napi registers the module_exports hook only outside `cargo test`, so in the test build this
// whole module is unreachable.
#![cfg_attr(test, allow(dead_code))]

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;

use napi::bindgen_prelude::{Env, JsValue, Object, Result, Unknown};
use napi::sys;
use napi_derive::napi;

use super::shapes::{persistent, run_script};
use crate::core::{self, Engine};

/// The JavaScript front. `install(exports, scratch, freshAccess)` replaces `exports.checkSession` and
/// `Session.prototype.checkSession` with functions that try the fast path first.
const FRONT_SOURCE: &str = r#"(function install(exports, scratch, freshAccess) {
  'use strict';
  const Session = exports.Session;
  const createSession = exports.createSession;
  const checkSlowly = exports.checkSession;
  const sessionCheckSlowly = Session.prototype.checkSession;
  const engineHandle = Session.prototype.__engineHandle;
  delete Session.prototype.__engineHandle;

  const handles = new WeakMap();
  function handleOf(session) {
    let handle = handles.get(session);
    if (handle === undefined) {
      handle = engineHandle.call(session);
      handles.set(session, handle);
    }
    return handle;
  }

  function fresh(session, request) {
    if (typeof request !== 'object' || request === null) return undefined;
    const headers = request.headers;
    if (typeof headers !== 'object' || headers === null) return undefined;
    const method = request.method;
    if (method !== undefined && method !== null && typeof method !== 'string') return undefined;
    const cookie = typeof headers.get === 'function' ? headers.get('cookie') : headers.cookie;
    const url = request.url;
    if (typeof cookie !== 'string' || typeof url !== 'string') return undefined;
    if (freshAccess(handleOf(session), url, cookie) !== 1) return undefined;
    const expiresAt = scratch[2];
    return Promise.resolve({
      action: 'continue', reason: 'valid', status: undefined, location: undefined,
      setCookie: [], headers: {}, requestCookie: undefined,
      accessToken: cookie.slice(scratch[0], scratch[1]),
      expiresAt: expiresAt === expiresAt ? expiresAt : undefined,
    });
  }

  const sessions = new WeakMap();
  function sessionFor(options) {
    let session = sessions.get(options);
    if (session === undefined) {
      try {
        session = createSession(options);
      } catch {
        return undefined; // the slow path rejects with the same INVALID_OPTIONS
      }
      sessions.set(options, session);
    }
    return session;
  }

  Object.defineProperty(Session.prototype, 'checkSession', {
    value: function checkSession(request) {
      return fresh(this, request) || sessionCheckSlowly.call(this, request);
    },
    writable: true, configurable: true, enumerable: false,
  });
  // No options: every default, with refreshUrl from API_BASE_URL as it is now.
  let defaultBase;
  let defaultSession;
  function sessionForDefaults() {
    const base = process.env.API_BASE_URL;
    if (defaultSession === undefined || base !== defaultBase) {
      try {
        defaultSession = createSession();
      } catch {
        return (defaultSession = undefined);
      }
      defaultBase = base;
    }
    return defaultSession;
  }

  exports.checkSession = function checkSession(request, options) {
    const session = options === undefined ? sessionForDefaults()
      : typeof options === 'object' && options !== null ? sessionFor(options) : undefined;
    if (session !== undefined) return fresh(session, request) || sessionCheckSlowly.call(session, request);
    return checkSlowly(request, options);
  };
})"#;

thread_local! {
  /// The shared `Float64Array`'s memory: [token start, token end, expiresAt or NaN].
  static SCRATCH: Cell<*mut f64> = const { Cell::new(ptr::null_mut()) };
}

#[napi(module_exports)]
pub fn install_fast_path(exports: Object, env: Env) -> Result<()> {
  let raw_env = env.raw();
  let Some(install) = run_script(raw_env, FRONT_SOURCE) else {
    return Ok(());
  };

  let mut data = ptr::null_mut();
  let mut buffer = ptr::null_mut();
  let mut scratch = ptr::null_mut();
  unsafe {
    sys::napi_create_arraybuffer(
      raw_env,
      3 * std::mem::size_of::<f64>(),
      &mut data,
      &mut buffer,
    );
    sys::napi_create_typedarray(
      raw_env,
      sys::TypedarrayType::float64_array,
      3,
      buffer,
      0,
      &mut scratch,
    );
  }
  // The array lives as long as the front that holds it; the reference makes that certain.
  if data.is_null() || persistent(raw_env, scratch).is_none() {
    return Ok(());
  }
  SCRATCH.with(|cell| cell.set(data.cast()));

  let mut fresh = ptr::null_mut();
  let name = "freshAccess";
  let status = unsafe {
    sys::napi_create_function(
      raw_env,
      name.as_ptr().cast(),
      name.len() as isize,
      Some(fresh_access_callback),
      ptr::null_mut(),
      &mut fresh,
    )
  };
  if status != sys::Status::napi_ok {
    return Ok(());
  }

  let mut undefined = ptr::null_mut();
  let mut result = ptr::null_mut();
  let args = [exports.raw(), scratch, fresh];
  unsafe {
    sys::napi_get_undefined(raw_env, &mut undefined);
    sys::napi_call_function(
      raw_env,
      undefined,
      install,
      args.len(),
      args.as_ptr(),
      &mut result,
    );
  }
  Ok(())
}

/// A JavaScript handle on an engine, for the front to pass back to `freshAccess`: an external
/// value owning one `Arc<Engine>`, released when the handle is collected.
pub fn engine_handle(env: &Env, engine: &Arc<Engine>) -> Result<Unknown<'static>> {
  unsafe extern "C" fn release(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    drop(unsafe { Box::from_raw(data.cast::<Arc<Engine>>()) });
  }
  let data = Box::into_raw(Box::new(engine.clone()));
  let mut handle = ptr::null_mut();
  let status = unsafe {
    sys::napi_create_external(
      env.raw(),
      data.cast(),
      Some(release),
      ptr::null_mut(),
      &mut handle,
    )
  };
  if status != sys::Status::napi_ok {
    drop(unsafe { Box::from_raw(data) });
    return Err(napi::Error::from_reason(
      "could not create the engine handle",
    ));
  }
  Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), handle) })
}

thread_local! {
  /// Reused for the URL and the Cookie header, so the hot path allocates nothing.
  static URL_BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; 2048]);
  static COOKIE_BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; 8192]);
}

/// Reads an ASCII JavaScript string into `buffer` (grown when needed) and hands it to `use_text`;
/// `None` for anything that is not a string or not ASCII.
fn with_ascii<R>(
  env: sys::napi_env,
  value: sys::napi_value,
  buffer: &RefCell<Vec<u8>>,
  use_text: impl FnOnce(&str) -> R,
) -> Option<R> {
  let mut buffer = buffer.borrow_mut();
  let mut written = 0;
  let read = |buffer: &mut Vec<u8>, written: &mut usize| unsafe {
    sys::napi_get_value_string_latin1(
      env,
      value,
      buffer.as_mut_ptr().cast(),
      buffer.len(),
      written,
    )
  };
  if read(&mut buffer, &mut written) != sys::Status::napi_ok {
    return None;
  }
  if written + 1 >= buffer.len() {
    // Possibly cut short: ask for the length and read again.
    let mut length = 0;
    unsafe { sys::napi_get_value_string_latin1(env, value, ptr::null_mut(), 0, &mut length) };
    buffer.resize(length + 1, 0);
    read(&mut buffer, &mut written);
  }
  let text = std::str::from_utf8(&buffer[..written])
    .ok()
    .filter(|text| text.is_ascii())?;
  Some(use_text(text))
}

/// `freshAccess(handle, url, cookie)`: `1` when the request may continue with its access token
/// as it is, with the token's offsets and expiry written to the scratch array; `0` when the full
/// decision is needed. A raw N-API callback: this is the one call every request makes.
unsafe extern "C" fn fresh_access_callback(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let answer = |value: i32| {
    let mut result = ptr::null_mut();
    unsafe { sys::napi_create_int32(env, value, &mut result) };
    result
  };

  let mut argc = 3;
  let mut argv = [ptr::null_mut(); 3];
  let mut data = ptr::null_mut();
  let scratch = SCRATCH.with(Cell::get);
  unsafe {
    if sys::napi_get_cb_info(
      env,
      info,
      &mut argc,
      argv.as_mut_ptr(),
      ptr::null_mut(),
      ptr::null_mut(),
    ) != sys::Status::napi_ok
      || argc < 3
      || scratch.is_null()
      || sys::napi_get_value_external(env, argv[0], &mut data) != sys::Status::napi_ok
      || data.is_null()
    {
      return answer(0);
    }
  }
  // Safety: the front only passes handles made by `engine_handle`, which own an Arc<Engine>.
  let engine = unsafe { &*(data as *const Arc<Engine>) };

  let found = URL_BUFFER.with(|url_buffer| {
    with_ascii(env, argv[1], url_buffer, |url| {
      COOKIE_BUFFER.with(|cookie_buffer| {
        with_ascii(env, argv[2], cookie_buffer, |cookie| {
          match engine.valid_access(url, cookie, core::unix_now()) {
            Ok(Some((token, expires_at))) => {
              let start = token.as_ptr() as usize - cookie.as_ptr() as usize;
              // Safety: SCRATCH points at the three f64s of an ArrayBuffer kept alive by a
              // reference, written only on the thread that owns it.
              unsafe {
                *scratch = start as f64;
                *scratch.add(1) = (start + token.len()) as f64;
                *scratch.add(2) = expires_at.unwrap_or(f64::NAN);
              }
              core::debug::valid(url);
              true
            }
            _ => false,
          }
        })
      })
    })
  });
  answer(i32::from(found == Some(Some(true))))
}
