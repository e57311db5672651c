//! From a JavaScript options object to a shared `Engine`.
//!
//! Options are read and validated the first time an options object is used. The engine made for
//! it is remembered by the object's identity (a weak reference, so the object can still be
//! collected), which keeps a `checkSession(request, options)` call with a module-level options
//! object as cheap as `session.checkSession(request)`. Equal options share one engine through
//! the registry, and with it what the engine learns about the auth server's clock.
//!
//! Known limit: changes made to an options object after its first use are not seen; pass a new
//! object (or call `createSession` again) to change options.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CStr;
use std::ptr;
use std::sync::{Arc, LazyLock, Mutex};

use napi::bindgen_prelude::{Env, JsValue, Unknown, ValueType};
use napi::sys;

use super::js::{property, string, type_of};
use crate::core::{Config, Engine, RawOptions, SessionError};

/// Options objects remembered per thread (each Node worker has its own).
const IDENTITY_CACHE_SIZE: usize = 8;
/// Distinct configurations kept in the process-wide registry.
const REGISTRY_SIZE: usize = 64;

const KNOWN_OPTIONS: [&str; 15] = [
  "refreshUrl",
  "accessCookie",
  "refreshCookie",
  "loginPath",
  "returnToParam",
  "publicPaths",
  "apiPaths",
  "requireSession",
  "refreshWindowSeconds",
  "graceSeconds",
  "timeoutMs",
  "protocol",
  "clientId",
  "clientSecret",
  "cookie",
];
const KNOWN_COOKIE_OPTIONS: [&str; 4] = ["secure", "sameSite", "domain", "path"];

struct Remembered {
  env: sys::napi_env,
  object: sys::napi_ref,
  engine: Arc<Engine>,
}

thread_local! {
  static BY_IDENTITY: RefCell<Vec<Remembered>> = const { RefCell::new(Vec::new()) };
  static DEFAULT_ENGINE: RefCell<Option<(Option<String>, Arc<Engine>)>> = const { RefCell::new(None) };
}

static REGISTRY: LazyLock<Mutex<HashMap<Config, Arc<Engine>>>> =
  LazyLock::new(|| Mutex::new(HashMap::new()));

/// The engine for `options` (`undefined` means every default).
pub fn engine_for(env: &Env, options: Option<Unknown>) -> Result<Arc<Engine>, SessionError> {
  let raw_env = env.raw();
  let object = match options.map(|value| (value.raw(), type_of(raw_env, value.raw()))) {
    None | Some((_, ValueType::Undefined)) => return default_engine(),
    Some((object, ValueType::Object)) => object,
    Some(_) => return Err(SessionError::invalid_options("options must be an object")),
  };

  if let Some(engine) = remembered(raw_env, object) {
    return Ok(engine);
  }
  let engine = shared_engine(Config::from_raw(read_options(raw_env, object)?)?);
  remember(raw_env, object, engine.clone());
  Ok(engine)
}

fn api_base_url() -> Option<String> {
  std::env::var("API_BASE_URL").ok()
}

fn default_engine() -> Result<Arc<Engine>, SessionError> {
  let base = api_base_url();
  DEFAULT_ENGINE.with(|slot| {
    let mut slot = slot.borrow_mut();
    if let Some((cached_base, engine)) = slot.as_ref() {
      if *cached_base == base {
        return Ok(engine.clone());
      }
    }
    let engine = shared_engine(Config::from_raw(RawOptions {
      api_base_url: base.clone(),
      ..RawOptions::default()
    })?);
    *slot = Some((base, engine.clone()));
    Ok(engine)
  })
}

fn shared_engine(config: Config) -> Arc<Engine> {
  let mut registry = REGISTRY
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner());
  if let Some(engine) = registry.get(&config) {
    return engine.clone();
  }
  let engine = Arc::new(Engine::new(config.clone()));
  if registry.len() < REGISTRY_SIZE {
    registry.insert(config, engine.clone());
  }
  engine
}

fn remembered(env: sys::napi_env, object: sys::napi_value) -> Option<Arc<Engine>> {
  BY_IDENTITY.with(|entries| {
    entries.borrow().iter().find_map(|entry| {
      if entry.env != env {
        return None;
      }
      let mut held = ptr::null_mut();
      let mut same = false;
      unsafe {
        sys::napi_get_reference_value(env, entry.object, &mut held);
        if held.is_null() {
          return None;
        }
        sys::napi_strict_equals(env, held, object, &mut same);
      }
      same.then(|| entry.engine.clone())
    })
  })
}

fn remember(env: sys::napi_env, object: sys::napi_value, engine: Arc<Engine>) {
  let mut reference = ptr::null_mut();
  // A weak reference (count 0): remembering an options object never keeps it alive.
  if unsafe { sys::napi_create_reference(env, object, 0, &mut reference) } != sys::Status::napi_ok {
    return;
  }
  BY_IDENTITY.with(|entries| {
    let mut entries = entries.borrow_mut();
    if entries.len() >= IDENTITY_CACHE_SIZE {
      let oldest = entries.remove(0);
      if oldest.env == env {
        unsafe { sys::napi_delete_reference(env, oldest.object) };
      }
    }
    entries.push(Remembered {
      env,
      object: reference,
      engine,
    });
  });
}

fn read_options(env: sys::napi_env, object: sys::napi_value) -> Result<RawOptions, SessionError> {
  reject_unknown(env, object, &KNOWN_OPTIONS, "")?;
  let field = Fields {
    env,
    object,
    prefix: "",
  };
  let mut raw = RawOptions {
    refresh_url: field.string(c"refreshUrl")?,
    access_cookie: field.string(c"accessCookie")?,
    refresh_cookie: field.string(c"refreshCookie")?,
    login_path: field.string(c"loginPath")?,
    return_to_param: field.nullable_string(c"returnToParam")?,
    public_paths: field.strings(c"publicPaths")?,
    api_paths: field.strings(c"apiPaths")?,
    require_session: field.boolean(c"requireSession")?,
    refresh_window_seconds: field.number(c"refreshWindowSeconds")?,
    grace_seconds: field.number(c"graceSeconds")?,
    timeout_ms: field.number(c"timeoutMs")?,
    protocol: field.string(c"protocol")?,
    client_id: field.string(c"clientId")?,
    client_secret: field.string(c"clientSecret")?,
    api_base_url: api_base_url(),
    ..RawOptions::default()
  };

  if let Some(cookie) = field.value(c"cookie") {
    if type_of(env, cookie) != ValueType::Object {
      return Err(SessionError::invalid_options(
        "cookie must be an object like { secure: true, sameSite: 'lax' }",
      ));
    }
    reject_unknown(env, cookie, &KNOWN_COOKIE_OPTIONS, "cookie.")?;
    let cookie_field = Fields {
      env,
      object: cookie,
      prefix: "cookie.",
    };
    raw.cookie_secure = cookie_field.boolean(c"secure")?;
    raw.cookie_same_site = cookie_field.string(c"sameSite")?;
    raw.cookie_domain = cookie_field.string(c"domain")?;
    raw.cookie_path = cookie_field.string(c"path")?;
  }
  Ok(raw)
}

/// A misspelt option would otherwise be silently ignored and its default used.
fn reject_unknown(
  env: sys::napi_env,
  object: sys::napi_value,
  known: &[&str],
  prefix: &str,
) -> Result<(), SessionError> {
  let mut names = ptr::null_mut();
  let status = unsafe {
    sys::napi_get_all_property_names(
      env,
      object,
      sys::KeyCollectionMode::own_only,
      sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
      sys::KeyConversion::numbers_to_strings,
      &mut names,
    )
  };
  if status != sys::Status::napi_ok {
    return Ok(());
  }
  let mut length = 0;
  unsafe { sys::napi_get_array_length(env, names, &mut length) };
  for index in 0..length {
    let mut name = ptr::null_mut();
    unsafe { sys::napi_get_element(env, names, index, &mut name) };
    if let Some(name) = string(env, name) {
      if !known.contains(&name.as_str()) {
        return Err(SessionError::invalid_options(format!(
          "unknown option '{prefix}{name}'; known options are {}",
          known.join(", ")
        )));
      }
    }
  }
  Ok(())
}

struct Fields<'a> {
  env: sys::napi_env,
  object: sys::napi_value,
  prefix: &'a str,
}

impl Fields<'_> {
  /// The field's value, `None` when it is `undefined`.
  fn value(&self, name: &CStr) -> Option<sys::napi_value> {
    property(self.env, self.object, name)
      .filter(|value| type_of(self.env, *value) != ValueType::Undefined)
  }

  fn wrong_type(&self, name: &CStr, expected: &str) -> SessionError {
    SessionError::invalid_options(format!(
      "{}{} must be {expected}",
      self.prefix,
      name.to_string_lossy()
    ))
  }

  fn string(&self, name: &CStr) -> Result<Option<String>, SessionError> {
    match self.value(name) {
      None => Ok(None),
      Some(value) if type_of(self.env, value) == ValueType::String => Ok(string(self.env, value)),
      Some(_) => Err(self.wrong_type(name, "a string")),
    }
  }

  fn nullable_string(&self, name: &CStr) -> Result<Option<Option<String>>, SessionError> {
    match self.value(name) {
      None => Ok(None),
      Some(value) if type_of(self.env, value) == ValueType::Null => Ok(Some(None)),
      Some(value) if type_of(self.env, value) == ValueType::String => {
        Ok(Some(string(self.env, value)))
      }
      Some(_) => Err(self.wrong_type(name, "a string or null")),
    }
  }

  fn strings(&self, name: &CStr) -> Result<Option<Vec<String>>, SessionError> {
    let Some(value) = self.value(name) else {
      return Ok(None);
    };
    let mut is_array = false;
    unsafe { sys::napi_is_array(self.env, value, &mut is_array) };
    if !is_array {
      return Err(self.wrong_type(name, "an array of path strings"));
    }
    let mut length = 0;
    unsafe { sys::napi_get_array_length(self.env, value, &mut length) };
    let mut items = Vec::with_capacity(length as usize);
    for index in 0..length {
      let mut element = ptr::null_mut();
      unsafe { sys::napi_get_element(self.env, value, index, &mut element) };
      match (type_of(self.env, element), string(self.env, element)) {
        (ValueType::String, Some(item)) => items.push(item),
        _ => return Err(self.wrong_type(name, "an array of path strings")),
      }
    }
    Ok(Some(items))
  }

  fn boolean(&self, name: &CStr) -> Result<Option<bool>, SessionError> {
    match self.value(name) {
      None => Ok(None),
      Some(value) => {
        let mut result = false;
        if unsafe { sys::napi_get_value_bool(self.env, value, &mut result) } == sys::Status::napi_ok
        {
          Ok(Some(result))
        } else {
          Err(self.wrong_type(name, "true or false"))
        }
      }
    }
  }

  fn number(&self, name: &CStr) -> Result<Option<f64>, SessionError> {
    match self.value(name) {
      None => Ok(None),
      Some(value) => {
        let mut result = 0.0;
        if unsafe { sys::napi_get_value_double(self.env, value, &mut result) }
          == sys::Status::napi_ok
        {
          Ok(Some(result))
        } else {
          Err(self.wrong_type(name, "a number"))
        }
      }
    }
  }
}
