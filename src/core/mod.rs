//! The session engine, free of any JavaScript types.
//!
//! Reading order: `options` (what the caller configures) → `cookies` and `token` (what a
//! request carries) → `refresh` (one exchange with the auth server) → `single_flight` (at most
//! one exchange per refresh token at a time) → `decision` (what the response must do).

pub mod cookies;
pub mod debug;
pub mod decision;
pub mod error;
pub mod options;
pub mod refresh;
pub mod single_flight;
pub mod token;

pub use decision::{Action, Decision, Engine, HeaderSource, Incoming, Pending, Reason, Step};
pub use error::{ErrorCode, SessionError};
pub use options::{Config, CookieOptions, Protocol, RawOptions, SameSite};
pub use refresh::{RefreshFailure, Tokens};

/// Seconds since the Unix epoch on this machine's clock, with sub-second precision.
pub fn unix_now() -> f64 {
  std::time::SystemTime::now()
    .duration_since(std::time::UNIX_EPOCH)
    .map(|elapsed| elapsed.as_secs_f64())
    .unwrap_or(0.0)
}
