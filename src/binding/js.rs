//! Reading plain values out of JavaScript objects with N-API, quickly and without surprises.
//!
//! Every read either yields a value or a `SessionError` that names the field for a JavaScript
//! reader. Headers are read lazily: the hot path needs only `cookie`, so the rest are looked up
//! only when a decision asks for them.

use std::ffi::CStr;
use std::ptr;

use napi::bindgen_prelude::{Env, JsValue, Unknown, ValueType};
use napi::sys;

use crate::core::{HeaderSource, SessionError};

/// What the decision needs from `SessionRequest`, with headers left as a JavaScript value.
pub struct RawRequest {
  pub url: String,
  pub method: Option<String>,
  pub cookie: Option<String>,
  pub headers: JsHeaders,
}

pub fn type_of(env: sys::napi_env, value: sys::napi_value) -> ValueType {
  let mut kind = 0;
  let status = unsafe { sys::napi_typeof(env, value, &mut kind) };
  if status == sys::Status::napi_ok {
    ValueType::from(kind)
  } else {
    ValueType::Unknown
  }
}

/// `object[name]`, or `None` if the read itself failed (a throwing getter).
pub fn property(
  env: sys::napi_env,
  object: sys::napi_value,
  name: &CStr,
) -> Option<sys::napi_value> {
  let mut value = ptr::null_mut();
  let status = unsafe { sys::napi_get_named_property(env, object, name.as_ptr(), &mut value) };
  if status == sys::Status::napi_ok {
    Some(value)
  } else {
    clear_exception(env);
    None
  }
}

/// A pending JavaScript exception left by a failed read would surface later, somewhere
/// unrelated; the caller reports its own error instead.
fn clear_exception(env: sys::napi_env) {
  let mut pending = false;
  unsafe {
    sys::napi_is_exception_pending(env, &mut pending);
    if pending {
      let mut exception = ptr::null_mut();
      sys::napi_get_and_clear_last_exception(env, &mut exception);
    }
  }
}

/// Copies a JavaScript string into Rust; `None` if it is not a string.
///
/// Header values, cookies and URLs are ASCII, and the strings Node makes from HTTP headers are
/// one-byte strings: read as Latin-1 that is a plain copy, where UTF-8 would transcode. A string
/// with any character past ASCII is read again as UTF-8, which is exact for every string.
pub fn string(env: sys::napi_env, value: sys::napi_value) -> Option<String> {
  let latin1 = copy_string(env, value, sys::napi_get_value_string_latin1)?;
  if latin1.is_ascii() {
    // ASCII is UTF-8.
    return String::from_utf8(latin1).ok();
  }
  // N-API writes UTF-8 (lone surrogates become U+FFFD), so this cannot fail.
  String::from_utf8(copy_string(env, value, sys::napi_get_value_string_utf8)?).ok()
}

/// The signature N-API's Latin-1 and UTF-8 string readers share.
type StringReader = unsafe extern "C" fn(
  sys::napi_env,
  sys::napi_value,
  *mut std::ffi::c_char,
  usize,
  *mut usize,
) -> sys::napi_status;

/// Asks `reader` for the length, then for the bytes; `None` if `value` is not a string.
fn copy_string(
  env: sys::napi_env,
  value: sys::napi_value,
  reader: StringReader,
) -> Option<Vec<u8>> {
  let mut length = 0;
  if unsafe { reader(env, value, ptr::null_mut(), 0, &mut length) } != sys::Status::napi_ok {
    return None;
  }
  let mut buffer = vec![0u8; length + 1];
  let mut written = 0;
  unsafe {
    reader(
      env,
      value,
      buffer.as_mut_ptr().cast(),
      buffer.len(),
      &mut written,
    )
  };
  buffer.truncate(written);
  Some(buffer)
}

/// A JavaScript string from Rust: a plain copy for ASCII, UTF-8 otherwise.
pub fn new_string(env: sys::napi_env, text: &str) -> sys::napi_value {
  let mut value = ptr::null_mut();
  unsafe {
    if text.is_ascii() {
      sys::napi_create_string_latin1(env, text.as_ptr().cast(), text.len() as isize, &mut value);
    } else {
      sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value);
    }
  }
  value
}

/// A string, or each string of an array joined by `separator` (Node gives repeated headers as
/// arrays); anything else is `None`.
fn string_or_strings(
  env: sys::napi_env,
  value: sys::napi_value,
  separator: &str,
) -> Option<String> {
  if let Some(single) = string(env, value) {
    return Some(single);
  }
  let mut is_array = false;
  unsafe { sys::napi_is_array(env, value, &mut is_array) };
  if !is_array {
    return None;
  }
  let mut length = 0;
  unsafe { sys::napi_get_array_length(env, value, &mut length) };
  let mut parts = Vec::with_capacity(length as usize);
  for index in 0..length {
    let mut element = ptr::null_mut();
    if unsafe { sys::napi_get_element(env, value, index, &mut element) } == sys::Status::napi_ok {
      if let Some(part) = string(env, element) {
        parts.push(part);
      }
    }
  }
  Some(parts.join(separator))
}

pub fn read_request(env: &Env, request: Unknown) -> Result<RawRequest, SessionError> {
  let env = env.raw();
  let request = request.raw();
  if type_of(env, request) != ValueType::Object {
    return Err(SessionError::invalid_request(
      "request must be an object with url and headers, like a Node IncomingMessage or a NextRequest",
    ));
  }

  let url = property(env, request, c"url")
    .and_then(|value| string(env, value))
    .ok_or_else(|| {
      SessionError::invalid_request(
        "request.url must be a string: a path like '/dashboard' or an absolute URL",
      )
    })?;

  let method = match property(env, request, c"method") {
    Some(value) => match string(env, value) {
      Some(method) => Some(method),
      None if matches!(type_of(env, value), ValueType::Undefined | ValueType::Null) => None,
      None => {
        return Err(SessionError::invalid_request(
          "request.method must be a string such as 'GET'",
        ))
      }
    },
    None => {
      return Err(SessionError::invalid_request(
        "request.method could not be read",
      ))
    }
  };

  let headers = property(env, request, c"headers")
    .filter(|value| matches!(type_of(env, *value), ValueType::Object))
    .ok_or_else(|| {
      SessionError::invalid_request(
        "request.headers must be an object of header values or a Headers instance",
      )
    })?;

  // One read tells a plain object with a cookie (the common case) from a Headers instance.
  let (cookie, get_fn) = match property(env, headers, c"cookie") {
    Some(value) if type_of(env, value) != ValueType::Undefined => {
      (string_or_strings(env, value, "; "), None)
    }
    _ => {
      let get_fn =
        property(env, headers, c"get").filter(|value| type_of(env, *value) == ValueType::Function);
      let cookie = get_fn.and_then(|function| call_get(env, headers, function, "cookie"));
      (cookie, get_fn)
    }
  };
  Ok(RawRequest {
    url,
    method,
    cookie,
    headers: JsHeaders {
      env,
      object: headers,
      get: get_fn,
    },
  })
}

pub fn read_refresh_token(env: &Env, token: Unknown) -> Result<String, SessionError> {
  string(env.raw(), token.raw())
    .filter(|token| !token.is_empty())
    .ok_or_else(|| SessionError::invalid_request("refreshToken must be a non-empty string"))
}

/// Request headers as JavaScript holds them: a plain object with lowercase names (Node's
/// `req.headers`) or a `Headers` instance (`NextRequest.headers`, fetch).
pub struct JsHeaders {
  env: sys::napi_env,
  object: sys::napi_value,
  /// `headers.get` when the object is a `Headers`.
  get: Option<sys::napi_value>,
}

fn call_get(
  env: sys::napi_env,
  object: sys::napi_value,
  get: sys::napi_value,
  name: &str,
) -> Option<String> {
  let key = new_string(env, name);
  let mut result = ptr::null_mut();
  if unsafe { sys::napi_call_function(env, object, get, 1, &key, &mut result) }
    != sys::Status::napi_ok
  {
    clear_exception(env);
    return None;
  }
  string(env, result)
}

impl HeaderSource for JsHeaders {
  fn header(&self, name: &str) -> Option<String> {
    if let Some(get) = self.get {
      return call_get(self.env, self.object, get, name);
    }

    let key = new_string(self.env, name);
    let mut value = ptr::null_mut();
    if unsafe { sys::napi_get_property(self.env, self.object, key, &mut value) }
      != sys::Status::napi_ok
    {
      clear_exception(self.env);
      return None;
    }
    // Cookie headers are joined with "; " (RFC 6265), every other repeated header with ", ".
    let separator = if name == "cookie" { "; " } else { ", " };
    string_or_strings(self.env, value, separator)
  }
}
