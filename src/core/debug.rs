//! Opt-in diagnostics on stderr. Silent unless `GLYDE_SESSION_DEBUG=1` is set when the process
//! starts. Lines say what was decided and why; they never contain a token, a cookie value or a
//! query string.

use std::sync::OnceLock;

use crate::core::decision::{Action, Decision};

fn enabled() -> bool {
  static ENABLED: OnceLock<bool> = OnceLock::new();
  *ENABLED.get_or_init(|| std::env::var("GLYDE_SESSION_DEBUG").is_ok_and(|value| value == "1"))
}

/// One line per decision: `glyde-session: GET-less path → action (reason)`.
pub fn decided(url: &str, decision: &Decision) {
  if !enabled() {
    return;
  }
  let path = url.split(['?', '#']).next().unwrap_or("");
  let mut line = format!(
    "glyde-session: {path} -> {} ({})",
    decision.action.as_str(),
    decision.reason.as_str()
  );
  if decision.action == Action::Continue && decision.request_cookie.is_some() {
    line.push_str(", request cookie rewritten");
  }
  if !decision.set_cookie.is_empty() {
    line.push_str(&format!(", {} cookie(s) set", decision.set_cookie.len()));
  }
  eprintln!("{line}");
}

/// The fast path's line: the request continues with its token as it is.
pub fn valid(url: &str) {
  if enabled() {
    let path = url.split(['?', '#']).next().unwrap_or("");
    eprintln!("glyde-session: {path} -> continue (valid)");
  }
}
