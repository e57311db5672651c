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
  let path = path_of(url);
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
    let path = path_of(url);
    eprintln!("glyde-session: {path} -> continue (valid)");
  }
}

/// Only the path: no query (it can carry secrets), and no scheme or authority (it can carry a
/// user name and password).
fn path_of(url: &str) -> &str {
  let without_query = url.split(['?', '#']).next().unwrap_or("");
  match without_query.find("://") {
    Some(scheme_end) => {
      let rest = &without_query[scheme_end + 3..];
      rest.find('/').map_or("/", |start| &rest[start..])
    }
    None => without_query,
  }
}

#[cfg(test)]
mod tests {
  use super::path_of;

  #[test]
  fn lines_show_only_the_path() {
    assert_eq!(path_of("/dashboard?token=x"), "/dashboard");
    assert_eq!(path_of("https://user:pw@app.example/dash?q=1"), "/dash");
    assert_eq!(path_of("https://app.example"), "/");
  }
}
