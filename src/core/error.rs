//! Errors that reach JavaScript as exceptions or rejections, each with a stable `code`.
//!
//! A dead or unrefreshable session is not an error: it is a decision. These are for caller
//! mistakes (bad options, an unusable request) and for `refreshSession`, whose whole job is the
//! exchange. Messages are written for a JavaScript reader and never contain a token.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
  /// An option is missing, of the wrong type or out of range; the message names the field.
  InvalidOptions,
  /// The request cannot be judged (no URL, a URL that is not a path or absolute http(s) URL).
  InvalidRequest,
  /// The auth server refused the refresh token (400, 401, 403): the session is over.
  RefreshRejected,
  /// The auth server could not be reached, timed out, or answered 5xx or 429.
  RefreshUnavailable,
  /// The auth server answered something this package cannot use (a redirect, another status,
  /// a body that is not the expected JSON, a token that cannot be stored in a cookie).
  RefreshBadResponse,
}

impl ErrorCode {
  pub fn as_str(self) -> &'static str {
    match self {
      ErrorCode::InvalidOptions => "INVALID_OPTIONS",
      ErrorCode::InvalidRequest => "INVALID_REQUEST",
      ErrorCode::RefreshRejected => "REFRESH_REJECTED",
      ErrorCode::RefreshUnavailable => "REFRESH_UNAVAILABLE",
      ErrorCode::RefreshBadResponse => "REFRESH_BAD_RESPONSE",
    }
  }
}

impl AsRef<str> for ErrorCode {
  fn as_ref(&self) -> &str {
    self.as_str()
  }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionError {
  pub code: ErrorCode,
  pub message: String,
}

impl SessionError {
  pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
    SessionError {
      code,
      message: message.into(),
    }
  }

  pub fn invalid_options(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::InvalidOptions, message)
  }

  pub fn invalid_request(message: impl Into<String>) -> Self {
    Self::new(ErrorCode::InvalidRequest, message)
  }
}

impl fmt::Display for SessionError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{}: {}", self.code.as_str(), self.message)
  }
}

impl std::error::Error for SessionError {}
