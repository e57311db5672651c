//! Reading the request's Cookie header and writing Set-Cookie values.
//!
//! Invariants: reading never fails (a malformed pair is skipped, as browsers do); the first
//! occurrence of a name wins, which is the most specific path a browser sends first; a rewritten
//! header keeps every other cookie in its order and never holds one name twice; a value is
//! written only if RFC 6265 allows it as a cookie value and it fits the 4096-byte limit browsers
//! keep for one cookie's name and value together.

use cookie::time::Duration;
use cookie::{Cookie, SameSite as CookieSameSite};

use crate::core::options::{CookieOptions, SameSite};

/// What browsers keep at most for one cookie's name plus value.
pub const MAX_COOKIE_BYTES: usize = 4096;

/// Splits a Cookie header into `(name, value)` pairs, trimming the spaces and tabs around each
/// (RFC 6265's optional whitespace) and the double quotes RFC 6265 allows around a value. Pairs
/// without `=` or with an empty name are skipped. Reading (`find_both`) and rewriting split pairs
/// with the same `name_and_rest`, so they always agree on which pair carries a name.
pub fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
  header
    .split(';')
    .filter_map(name_and_rest)
    .map(|(name, rest)| (name, clean_value(rest)))
}

const SPACE: [char; 2] = [' ', '\t'];

/// A pair's trimmed name and everything after its `=`, untouched (the hot path cleans only the
/// values it wants).
fn name_and_rest(pair: &str) -> Option<(&str, &str)> {
  let (name, rest) = pair.split_once('=')?;
  let name = name.trim_matches(SPACE);
  (!name.is_empty()).then_some((name, rest))
}

fn clean_value(rest: &str) -> &str {
  unquote(rest.trim_matches(SPACE))
}

fn unquote(value: &str) -> &str {
  if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
    &value[1..value.len() - 1]
  } else {
    value
  }
}

/// The values of the first cookies called `first` and `second`, in one pass that stops as soon as
/// both are found; `None` for a name that is absent or whose first occurrence is empty.
pub fn find_both<'h>(
  header: &'h str,
  first: &str,
  second: &str,
) -> (Option<&'h str>, Option<&'h str>) {
  let mut found: (Option<&'h str>, Option<&'h str>) = (None, None);
  for (name, rest) in header.split(';').filter_map(name_and_rest) {
    if found.0.is_none() && name == first {
      found.0 = Some(clean_value(rest));
    } else if found.1.is_none() && name == second {
      found.1 = Some(clean_value(rest));
    }
    if found.0.is_some() && found.1.is_some() {
      break;
    }
  }
  (
    found.0.filter(|value| !value.is_empty()),
    found.1.filter(|value| !value.is_empty()),
  )
}

/// Rewrites a Cookie header: each `(name, Some(value))` replaces that cookie where it stood (or is
/// appended when it was absent), each `(name, None)` removes it. Later duplicates of a changed
/// name are dropped so the rest of the request sees exactly one value.
pub fn rewrite(header: &str, changes: &[(&str, Option<&str>)]) -> String {
  let mut out = String::with_capacity(header.len() + 64);
  let mut placed = vec![false; changes.len()];

  for (name, value) in pairs(header) {
    match changes.iter().position(|(changed, _)| *changed == name) {
      Some(index) => {
        if placed[index] {
          continue;
        }
        placed[index] = true;
        if let Some(new_value) = changes[index].1 {
          push_pair(&mut out, name, new_value);
        }
      }
      None => push_pair(&mut out, name, value),
    }
  }

  for (index, (name, value)) in changes.iter().enumerate() {
    if let (false, Some(new_value)) = (placed[index], value) {
      push_pair(&mut out, name, new_value);
    }
  }
  out
}

fn push_pair(out: &mut String, name: &str, value: &str) {
  if !out.is_empty() {
    out.push_str("; ");
  }
  out.push_str(name);
  out.push('=');
  out.push_str(value);
}

/// True when `name` is an RFC 7230 token, the only legal cookie name.
pub fn is_valid_name(name: &str) -> bool {
  !name.is_empty()
    && name
      .bytes()
      .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// True when `value` is made only of RFC 6265 cookie-octets (no spaces, quotes, commas,
/// semicolons, backslashes or control characters).
pub fn is_valid_value(value: &str) -> bool {
  value
    .bytes()
    .all(|byte| matches!(byte, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

/// Why a token cannot be stored in a cookie, or `None` when it can.
pub fn unstorable_reason(name: &str, value: &str) -> Option<&'static str> {
  if value.is_empty() {
    Some("is empty")
  } else if !is_valid_value(value) {
    Some("contains characters a cookie value cannot hold")
  } else if name.len() + value.len() > MAX_COOKIE_BYTES {
    Some("is longer than one cookie can hold (4096 bytes with its name)")
  } else {
    None
  }
}

/// A Set-Cookie value that stores `value` under `name`. `max_age` in seconds; `None` makes a
/// cookie that lasts as long as the browser session.
pub fn set_cookie(
  name: &str,
  value: &str,
  max_age: Option<i64>,
  options: &CookieOptions,
) -> String {
  let mut cookie = base(name, value, options);
  if let Some(seconds) = max_age {
    cookie.set_max_age(Duration::seconds(seconds.max(0)));
  }
  cookie.to_string()
}

/// A Set-Cookie value that deletes `name`: the same Path, Domain, Secure and SameSite it was
/// written with, an empty value and `Max-Age=0`.
pub fn delete_cookie(name: &str, options: &CookieOptions) -> String {
  let mut cookie = base(name, "", options);
  cookie.set_max_age(Duration::ZERO);
  cookie.to_string()
}

fn base<'c>(name: &'c str, value: &'c str, options: &'c CookieOptions) -> Cookie<'c> {
  let mut cookie = Cookie::new(name, value);
  cookie.set_http_only(true);
  cookie.set_secure(options.secure);
  cookie.set_same_site(match options.same_site {
    SameSite::Lax => CookieSameSite::Lax,
    SameSite::Strict => CookieSameSite::Strict,
    SameSite::None => CookieSameSite::None,
  });
  cookie.set_path(options.path.as_str());
  if let Some(domain) = &options.domain {
    cookie.set_domain(domain.as_str());
  }
  cookie
}

#[cfg(test)]
mod tests {
  use super::*;

  fn defaults() -> CookieOptions {
    CookieOptions::default()
  }

  #[test]
  fn finds_the_first_value_and_skips_malformed_pairs() {
    let header = "junk; =nameless; at=one; theme=dark; at=two; rt=\"quoted\"";
    assert_eq!(find_both(header, "at", "rt"), (Some("one"), Some("quoted")));
    assert_eq!(find_both(header, "missing", "rt"), (None, Some("quoted")));
    assert_eq!(
      find_both("at=; rt=x; at=later", "at", "rt"),
      (None, Some("x"))
    );
    assert_eq!(
      find_both("atx=1; at =spaced ;\trt=r", "at", "rt"),
      (Some("spaced"), Some("r"))
    );
    assert_eq!(
      find_both("rt=first; at=a", "at", "rt"),
      (Some("a"), Some("first"))
    );
    assert_eq!(find_both("", "at", "rt"), (None, None));
    assert_eq!(find_both(";;;   ;", "at", "rt"), (None, None));
    assert_eq!(find_both("at", "at", "rt"), (None, None));
  }

  #[test]
  fn reading_and_rewriting_agree_on_which_pair_is_which() {
    // A non-breaking space is not optional whitespace: that pair's name is "\u{a0}at", so
    // neither reading nor rewriting touches it.
    let header = "\u{a0}at=X; theme=dark";
    assert_eq!(find_both(header, "at", "rt"), (None, None));
    assert_eq!(
      rewrite(header, &[("at", Some("N"))]),
      "\u{a0}at=X; theme=dark; at=N"
    );
  }

  #[test]
  fn rewrite_replaces_in_place_and_keeps_order() {
    let header = "at=OLD; rt=RT1; theme=dark";
    assert_eq!(
      rewrite(header, &[("at", Some("NEW"))]),
      "at=NEW; rt=RT1; theme=dark"
    );
    assert_eq!(rewrite(header, &[("at", None), ("rt", None)]), "theme=dark");
    assert_eq!(
      rewrite("theme=dark", &[("at", Some("NEW"))]),
      "theme=dark; at=NEW"
    );
    assert_eq!(rewrite("", &[("at", Some("NEW"))]), "at=NEW");
  }

  #[test]
  fn rewrite_never_leaves_a_name_twice() {
    let header = "at=A; x=1; at=B; rt=R";
    assert_eq!(rewrite(header, &[("at", Some("N"))]), "at=N; x=1; rt=R");
    assert_eq!(rewrite(header, &[("at", None)]), "x=1; rt=R");
  }

  #[test]
  fn cookie_values_follow_rfc_6265() {
    assert!(is_valid_value("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.sig-_"));
    assert!(!is_valid_value("has space"));
    assert!(!is_valid_value("semi;colon"));
    assert!(!is_valid_value("quote\""));
    assert!(!is_valid_value("comma,"));
    assert!(!is_valid_value("back\\slash"));
    assert!(!is_valid_value("tab\t"));
    assert!(unstorable_reason("at", &"a".repeat(4095)).is_some());
    assert!(unstorable_reason("at", &"a".repeat(4094)).is_none());
    assert!(is_valid_name("access_token"));
    assert!(!is_valid_name("bad name"));
    assert!(!is_valid_name("a=b"));
    assert!(!is_valid_name(""));
  }

  #[test]
  fn set_cookie_defaults_are_httponly_secure_lax_root() {
    let value = set_cookie("at", "TOKEN", Some(30), &defaults());
    assert_eq!(
      value,
      "at=TOKEN; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=30"
    );
    let deletion = delete_cookie("at", &defaults());
    assert_eq!(
      deletion,
      "at=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0"
    );
    let session = set_cookie("at", "TOKEN", None, &defaults());
    assert!(!session.contains("Max-Age"));
  }

  #[test]
  fn deletion_repeats_path_domain_and_same_site() {
    let options = CookieOptions {
      secure: false,
      same_site: SameSite::Strict,
      domain: Some("example.com".into()),
      path: "/app".into(),
    };
    assert_eq!(
      delete_cookie("rt", &options),
      "rt=; HttpOnly; SameSite=Strict; Path=/app; Domain=example.com; Max-Age=0"
    );
  }
}
