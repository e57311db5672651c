//! Options as the caller gives them (`RawOptions`) and as the engine uses them (`Config`).
//!
//! Validation happens once, when an options object is first used; every message names the
//! JavaScript field and what it accepts. A `Config` is immutable and hashable so that calls with
//! equal options share one engine.

use reqwest::Url;

use crate::core::cookies;
use crate::core::error::SessionError;

pub const DEFAULT_ACCESS_COOKIE: &str = "access_token";
pub const DEFAULT_REFRESH_COOKIE: &str = "refresh_token";
pub const DEFAULT_LOGIN_PATH: &str = "/login";
pub const DEFAULT_RETURN_TO_PARAM: &str = "next";
pub const DEFAULT_REFRESH_WINDOW_SECONDS: f64 = 60.0;
pub const DEFAULT_GRACE_SECONDS: f64 = 10.0;
pub const DEFAULT_TIMEOUT_MS: u32 = 5000;

/// Options exactly as JavaScript passed them; `None` means "not given".
#[derive(Clone, Debug, Default)]
pub struct RawOptions {
  pub refresh_url: Option<String>,
  pub access_cookie: Option<String>,
  pub refresh_cookie: Option<String>,
  pub login_path: Option<String>,
  /// `Some(None)` is an explicit `null`: no return-to parameter.
  pub return_to_param: Option<Option<String>>,
  pub public_paths: Option<Vec<String>>,
  pub api_paths: Option<Vec<String>>,
  pub require_session: Option<bool>,
  pub refresh_window_seconds: Option<f64>,
  pub grace_seconds: Option<f64>,
  pub timeout_ms: Option<f64>,
  pub protocol: Option<String>,
  pub client_id: Option<String>,
  pub client_secret: Option<String>,
  pub cookie_secure: Option<bool>,
  pub cookie_same_site: Option<String>,
  pub cookie_domain: Option<String>,
  pub cookie_path: Option<String>,
  /// `process.env.API_BASE_URL` at the time the options were read.
  pub api_base_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
  /// `POST {"refresh": "..."}`, as Django REST framework SimpleJWT's TokenRefreshView expects.
  Json,
  /// RFC 6749 section 6: a form-encoded `refresh_token` grant.
  OAuth2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SameSite {
  Lax,
  Strict,
  None,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CookieOptions {
  pub secure: bool,
  pub same_site: SameSite,
  pub domain: Option<String>,
  pub path: String,
}

impl Default for CookieOptions {
  fn default() -> Self {
    CookieOptions {
      secure: true,
      same_site: SameSite::Lax,
      domain: None,
      path: "/".into(),
    }
  }
}

/// Validated options. Floating-point fields are stored in milliseconds as integers so that the
/// whole value can be hashed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
  pub refresh_url: String,
  pub access_cookie: String,
  pub refresh_cookie: String,
  pub login_path: String,
  pub return_to_param: Option<String>,
  pub public_paths: Vec<String>,
  pub api_paths: Vec<String>,
  pub require_session: bool,
  pub refresh_window_ms: u64,
  pub grace_ms: u64,
  pub timeout_ms: u64,
  pub protocol: Protocol,
  pub client_id: Option<String>,
  pub client_secret: Option<String>,
  pub cookie: CookieOptions,
}

impl Config {
  pub fn refresh_window_seconds(&self) -> f64 {
    self.refresh_window_ms as f64 / 1000.0
  }

  /// Builds a `Config` from what JavaScript passed, or says which field is wrong.
  pub fn from_raw(raw: RawOptions) -> Result<Config, SessionError> {
    let cookie = cookie_options(&raw)?;
    let refresh_url = resolve_refresh_url(raw.refresh_url, raw.api_base_url)?;

    let access_cookie = cookie_name("accessCookie", raw.access_cookie, DEFAULT_ACCESS_COOKIE)?;
    let refresh_cookie = cookie_name("refreshCookie", raw.refresh_cookie, DEFAULT_REFRESH_COOKIE)?;
    if access_cookie == refresh_cookie {
      return Err(SessionError::invalid_options(format!(
        "accessCookie and refreshCookie must differ, both are '{access_cookie}'"
      )));
    }

    let login_path = raw.login_path.unwrap_or_else(|| DEFAULT_LOGIN_PATH.into());
    check_path("loginPath", &login_path)?;
    if login_path.contains(['?', '#']) {
      return Err(SessionError::invalid_options(
        "loginPath must be a path without '?' or '#' (the return-to parameter is added for you)",
      ));
    }

    let return_to_param = match raw.return_to_param {
      None => Some(DEFAULT_RETURN_TO_PARAM.to_string()),
      Some(None) => None,
      Some(Some(name)) => {
        let legal = !name.is_empty()
          && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
        if !legal {
          return Err(SessionError::invalid_options(
            "returnToParam must be a non-empty query parameter name (letters, digits, '-', '_', '.', '~') or null",
          ));
        }
        Some(name)
      }
    };

    let mut public_paths = path_list("publicPaths", raw.public_paths, &[])?;
    if !public_paths.iter().any(|path| path == &login_path) {
      public_paths.push(login_path.clone());
    }
    let api_paths = path_list("apiPaths", raw.api_paths, &["/api"])?;

    let refresh_window_ms = seconds_to_ms(
      "refreshWindowSeconds",
      raw.refresh_window_seconds,
      DEFAULT_REFRESH_WINDOW_SECONDS,
      86_400.0,
    )?;
    let grace_ms = seconds_to_ms(
      "graceSeconds",
      raw.grace_seconds,
      DEFAULT_GRACE_SECONDS,
      300.0,
    )?;
    let timeout_ms = match raw.timeout_ms {
      None => u64::from(DEFAULT_TIMEOUT_MS),
      Some(ms) if ms.is_finite() && ms.fract() == 0.0 && (1.0..=120_000.0).contains(&ms) => {
        ms as u64
      }
      Some(_) => {
        return Err(SessionError::invalid_options(
          "timeoutMs must be a whole number of milliseconds from 1 to 120000",
        ))
      }
    };

    let protocol = match raw.protocol.as_deref() {
      None | Some("json") => Protocol::Json,
      Some("oauth2") => Protocol::OAuth2,
      Some(_) => {
        return Err(SessionError::invalid_options(
          "protocol must be 'json' or 'oauth2'",
        ));
      }
    };
    let client_id = raw.client_id.filter(|id| !id.is_empty());
    let client_secret = raw.client_secret.filter(|secret| !secret.is_empty());
    if client_secret.is_some() && (protocol != Protocol::OAuth2 || client_id.is_none()) {
      return Err(SessionError::invalid_options(
        "clientSecret is sent only with protocol 'oauth2' and needs clientId",
      ));
    }

    Ok(Config {
      refresh_url,
      access_cookie,
      refresh_cookie,
      login_path,
      return_to_param,
      public_paths,
      api_paths,
      require_session: raw.require_session.unwrap_or(false),
      refresh_window_ms,
      grace_ms,
      timeout_ms,
      protocol,
      client_id,
      client_secret,
      cookie,
    })
  }
}

fn resolve_refresh_url(
  given: Option<String>,
  api_base_url: Option<String>,
) -> Result<String, SessionError> {
  let (url, field) = match (given, api_base_url.filter(|base| !base.is_empty())) {
    (Some(url), _) => (url, "refreshUrl"),
    (None, Some(base)) => (format!("{}/auth/refresh", base.trim_end_matches('/')), "API_BASE_URL"),
    (None, None) => {
      return Err(SessionError::invalid_options(
        "refreshUrl is required: pass options.refreshUrl or set the API_BASE_URL environment variable",
      ))
    }
  };

  let parsed = Url::parse(&url).map_err(|_| {
    SessionError::invalid_options(format!("{field} must be an absolute http(s) URL"))
  })?;
  if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
    return Err(SessionError::invalid_options(format!(
      "{field} must be an absolute http(s) URL"
    )));
  }
  if !parsed.username().is_empty() || parsed.password().is_some() {
    return Err(SessionError::invalid_options(format!(
      "{field} must not carry credentials; use clientId and clientSecret"
    )));
  }
  Ok(url)
}

fn cookie_name(field: &str, given: Option<String>, default: &str) -> Result<String, SessionError> {
  let name = given.unwrap_or_else(|| default.into());
  if !cookies::is_valid_name(&name) {
    return Err(SessionError::invalid_options(format!(
      "{field} must be a legal cookie name (letters, digits and !#$%&'*+-.^_`|~)"
    )));
  }
  Ok(name)
}

/// A path option must be same-origin: one leading '/', not '//' (another host) and no '\'.
fn check_path(field: &str, path: &str) -> Result<(), SessionError> {
  let legal = path.starts_with('/')
    && !path.starts_with("//")
    && !path.contains('\\')
    && !path
      .bytes()
      .any(|byte| byte.is_ascii_control() || byte == b' ');
  if legal {
    Ok(())
  } else {
    Err(SessionError::invalid_options(format!(
      "{field} must be a path starting with a single '/', like '/login'"
    )))
  }
}

fn path_list(
  field: &str,
  given: Option<Vec<String>>,
  default: &[&str],
) -> Result<Vec<String>, SessionError> {
  let paths = given.unwrap_or_else(|| default.iter().map(|path| path.to_string()).collect());
  for path in &paths {
    check_path(field, path)?;
  }

  // A trailing slash would make '/app/' miss '/app'; segment matching handles the rest.
  Ok(
    paths
      .into_iter()
      .map(|path| match path.trim_end_matches('/') {
        "" => "/".to_string(),
        trimmed => trimmed.to_string(),
      })
      .collect(),
  )
}

fn seconds_to_ms(
  field: &str,
  given: Option<f64>,
  default: f64,
  max: f64,
) -> Result<u64, SessionError> {
  let seconds = given.unwrap_or(default);
  if !seconds.is_finite() || !(0.0..=max).contains(&seconds) {
    return Err(SessionError::invalid_options(format!(
      "{field} must be a number of seconds from 0 to {max}"
    )));
  }
  Ok((seconds * 1000.0).round() as u64)
}

fn cookie_options(raw: &RawOptions) -> Result<CookieOptions, SessionError> {
  let same_site = match raw
    .cookie_same_site
    .as_deref()
    .map(str::to_ascii_lowercase)
    .as_deref()
  {
    None | Some("lax") => SameSite::Lax,
    Some("strict") => SameSite::Strict,
    Some("none") => SameSite::None,
    Some(_) => {
      return Err(SessionError::invalid_options(
        "cookie.sameSite must be 'lax', 'strict' or 'none'",
      ))
    }
  };
  let secure = raw.cookie_secure.unwrap_or(true);
  if same_site == SameSite::None && !secure {
    return Err(SessionError::invalid_options(
      "cookie.sameSite 'none' needs cookie.secure: browsers drop SameSite=None cookies that are not Secure",
    ));
  }

  let path = raw.cookie_path.clone().unwrap_or_else(|| "/".into());
  check_path("cookie.path", &path)?;
  if path.contains([';', '?', '#']) {
    return Err(SessionError::invalid_options(
      "cookie.path must not contain ';', '?' or '#'",
    ));
  }

  let domain = raw
    .cookie_domain
    .clone()
    .filter(|domain| !domain.is_empty());
  if let Some(domain) = &domain {
    let legal = domain
      .bytes()
      .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !legal {
      return Err(SessionError::invalid_options(
        "cookie.domain must be a host name like 'example.com'",
      ));
    }
  }

  Ok(CookieOptions {
    secure,
    same_site,
    domain,
    path,
  })
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::core::error::ErrorCode;

  fn raw() -> RawOptions {
    RawOptions {
      refresh_url: Some("http://127.0.0.1:8000/auth/refresh".into()),
      ..RawOptions::default()
    }
  }

  fn error_of(options: RawOptions) -> String {
    let error = Config::from_raw(options).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOptions);
    error.message
  }

  #[test]
  fn defaults_match_the_documentation() {
    let config = Config::from_raw(raw()).unwrap();
    assert_eq!(config.access_cookie, "access_token");
    assert_eq!(config.refresh_cookie, "refresh_token");
    assert_eq!(config.login_path, "/login");
    assert_eq!(config.return_to_param.as_deref(), Some("next"));
    assert_eq!(config.public_paths, vec!["/login"]);
    assert_eq!(config.api_paths, vec!["/api"]);
    assert!(!config.require_session);
    assert_eq!(config.refresh_window_ms, 60_000);
    assert_eq!(config.grace_ms, 10_000);
    assert_eq!(config.timeout_ms, 5000);
    assert_eq!(config.protocol, Protocol::Json);
    assert_eq!(config.cookie, CookieOptions::default());
  }

  #[test]
  fn refresh_url_falls_back_to_api_base_url() {
    let options = RawOptions {
      api_base_url: Some("http://api.internal:8000/".into()),
      ..RawOptions::default()
    };
    assert_eq!(
      Config::from_raw(options).unwrap().refresh_url,
      "http://api.internal:8000/auth/refresh"
    );
    assert!(error_of(RawOptions::default()).contains("refreshUrl is required"));
    let relative = RawOptions {
      refresh_url: Some("/auth/refresh".into()),
      ..RawOptions::default()
    };
    assert!(error_of(relative).contains("refreshUrl must be an absolute http(s) URL"));
    let ftp = RawOptions {
      refresh_url: Some("ftp://host/x".into()),
      ..RawOptions::default()
    };
    assert!(error_of(ftp).contains("refreshUrl"));
  }

  #[test]
  fn messages_name_the_field() {
    assert!(error_of(RawOptions {
      login_path: Some("//evil.example".into()),
      ..raw()
    })
    .starts_with("loginPath"));
    assert!(error_of(RawOptions {
      login_path: Some("login".into()),
      ..raw()
    })
    .starts_with("loginPath"));
    assert!(error_of(RawOptions {
      access_cookie: Some("a b".into()),
      ..raw()
    })
    .starts_with("accessCookie"));
    assert!(error_of(RawOptions {
      refresh_cookie: Some("access_token".into()),
      ..raw()
    })
    .contains("must differ"));
    assert!(error_of(RawOptions {
      timeout_ms: Some(0.0),
      ..raw()
    })
    .starts_with("timeoutMs"));
    assert!(error_of(RawOptions {
      timeout_ms: Some(f64::NAN),
      ..raw()
    })
    .starts_with("timeoutMs"));
    assert!(error_of(RawOptions {
      refresh_window_seconds: Some(-1.0),
      ..raw()
    })
    .starts_with("refreshWindowSeconds"));
    assert!(error_of(RawOptions {
      grace_seconds: Some(1e9),
      ..raw()
    })
    .starts_with("graceSeconds"));
    assert!(error_of(RawOptions {
      protocol: Some("xml".into()),
      ..raw()
    })
    .starts_with("protocol"));
    assert!(error_of(RawOptions {
      client_secret: Some("s".into()),
      ..raw()
    })
    .starts_with("clientSecret"));
    assert!(error_of(RawOptions {
      cookie_same_site: Some("loose".into()),
      ..raw()
    })
    .starts_with("cookie.sameSite"));
    assert!(error_of(RawOptions {
      cookie_same_site: Some("none".into()),
      cookie_secure: Some(false),
      ..raw()
    })
    .contains("Secure"));
    assert!(error_of(RawOptions {
      cookie_domain: Some("ex ample".into()),
      ..raw()
    })
    .starts_with("cookie.domain"));
    assert!(error_of(RawOptions {
      public_paths: Some(vec!["dashboard".into()]),
      ..raw()
    })
    .starts_with("publicPaths"));
    assert!(error_of(RawOptions {
      return_to_param: Some(Some("a&b".into())),
      ..raw()
    })
    .starts_with("returnToParam"));
  }

  #[test]
  fn login_path_is_always_public_and_trailing_slashes_fold() {
    let config = Config::from_raw(RawOptions {
      public_paths: Some(vec!["/about/".into()]),
      login_path: Some("/signin".into()),
      ..raw()
    })
    .unwrap();
    assert_eq!(config.public_paths, vec!["/about", "/signin"]);
    let no_return = Config::from_raw(RawOptions {
      return_to_param: Some(None),
      ..raw()
    })
    .unwrap();
    assert_eq!(no_return.return_to_param, None);
  }
}
