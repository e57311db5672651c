//! The decision: what a response must do about the session a request carries.
//!
//! `Engine::assess` answers synchronously whenever no refresh is due, which is almost every
//! request; only when one is due does it hand back a `Pending` that owns everything the rest of
//! the decision needs, so the caller can await `Engine::refresh` off the JavaScript thread and
//! finish with `Engine::conclude`.
//!
//! Invariants: a transient fault (no answer, 5xx, 429, a broken answer) never deletes a cookie;
//! inside `publicPaths` the action is always `continue`; every response that sets or deletes a
//! cookie carries `cache-control: private, no-store`; a redirect goes to `loginPath` on the
//! request's own origin, with the request's own path as the return-to value.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use crate::core::cookies;
use crate::core::error::SessionError;
use crate::core::options::{Config, Protocol};
use crate::core::refresh::{self, RefreshFailure, Tokens, DEFAULT_RETRY_AFTER_SECONDS};
use crate::core::single_flight::{FlightCache, FlightKey};
use crate::core::token::{self, Claims, Freshness};

/// The most refresh results kept for reuse at once, across every engine in the process.
pub const FLIGHT_CAPACITY: usize = 4096;

/// Offsets smaller than this are the rounding of `iat` plus network time, not a clock difference.
const MIN_CLOCK_OFFSET_MS: i64 = 2000;

/// The issuer's clock is trusted to differ from ours by at most this much.
const MAX_CLOCK_OFFSET_MS: i64 = 86_400_000;

static FLIGHTS: LazyLock<FlightCache<FlightKey, Result<Tokens, RefreshFailure>>> =
  LazyLock::new(|| FlightCache::new(FLIGHT_CAPACITY));

/// The request headers a decision may read besides Cookie. A binding that reads headers lazily
/// copies exactly these before a refresh takes the work off the JavaScript thread.
pub const CONTEXT_HEADERS: [&str; 8] = [
  "host",
  "x-forwarded-proto",
  "accept",
  "next-action",
  "next-router-prefetch",
  "sec-purpose",
  "purpose",
  "rsc",
];

/// Lowercase header lookup; the value of a repeated header is its values joined by ", ".
pub trait HeaderSource {
  fn header(&self, name: &str) -> Option<String>;
}

/// Owned copies of `CONTEXT_HEADERS`, for the part of a decision that runs after a refresh.
#[derive(Clone, Debug, Default)]
pub struct HeaderSnapshot(Vec<(&'static str, String)>);

impl HeaderSnapshot {
  pub fn capture(source: &impl HeaderSource) -> Self {
    HeaderSnapshot(
      CONTEXT_HEADERS
        .iter()
        .filter_map(|name| source.header(name).map(|value| (*name, value)))
        .collect(),
    )
  }

  #[cfg(test)]
  pub fn from_pairs(pairs: &[(&'static str, &str)]) -> Self {
    HeaderSnapshot(
      pairs
        .iter()
        .map(|(name, value)| (*name, value.to_string()))
        .collect(),
    )
  }
}

impl HeaderSource for HeaderSnapshot {
  fn header(&self, name: &str) -> Option<String> {
    self
      .0
      .iter()
      .find(|(candidate, _)| *candidate == name)
      .map(|(_, value)| value.clone())
  }
}

/// What the decision reads from the request itself.
#[derive(Clone, Copy, Debug)]
pub struct Incoming<'a> {
  /// Absolute `http(s)` URL, or a path with an optional query.
  pub url: &'a str,
  pub method: &'a str,
  pub cookie: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
  Continue,
  Redirect,
  Unauthorized,
  Unavailable,
}

impl Action {
  pub fn as_str(self) -> &'static str {
    match self {
      Action::Continue => "continue",
      Action::Redirect => "redirect",
      Action::Unauthorized => "unauthorized",
      Action::Unavailable => "unavailable",
    }
  }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
  Valid,
  Refreshed,
  Anonymous,
  RefreshRejected,
  RefreshUnavailable,
}

impl Reason {
  pub fn as_str(self) -> &'static str {
    match self {
      Reason::Valid => "valid",
      Reason::Refreshed => "refreshed",
      Reason::Anonymous => "anonymous",
      Reason::RefreshRejected => "refresh_rejected",
      Reason::RefreshUnavailable => "refresh_unavailable",
    }
  }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
  pub action: Action,
  pub reason: Reason,
  pub status: Option<u16>,
  pub location: Option<String>,
  pub set_cookie: Vec<String>,
  pub headers: Vec<(&'static str, String)>,
  pub request_cookie: Option<String>,
  pub access_token: Option<String>,
  /// Seconds since the epoch on this machine's clock.
  pub expires_at: Option<f64>,
}

impl Decision {
  fn new(action: Action, reason: Reason) -> Self {
    Decision {
      action,
      reason,
      status: None,
      location: None,
      set_cookie: Vec::new(),
      headers: Vec::new(),
      request_cookie: None,
      access_token: None,
      expires_at: None,
    }
  }

  fn no_store(mut self) -> Self {
    self
      .headers
      .push(("cache-control", "private, no-store".into()));
    self
  }
}

/// A decision waiting for a refresh. Owns all it needs, so it can cross threads.
#[derive(Clone, Debug)]
pub struct Pending {
  url: String,
  method: String,
  cookie: String,
  refresh_token: String,
  /// The current access token when it is still valid (inside the refresh window).
  still_valid: Option<(String, Option<f64>)>,
}

impl Pending {
  pub fn refresh_token(&self) -> &str {
    &self.refresh_token
  }
}

/// The session a Cookie header carries, judged at one moment.
struct Carried<'c> {
  access: Option<&'c str>,
  refresh: Option<&'c str>,
  freshness: Option<Freshness>,
  /// The access token's expiry on this machine's clock.
  expires_at: Option<f64>,
}

impl<'c> Carried<'c> {
  /// The access token when the request may continue with it as it is: fresh, or expiring with no
  /// refresh token to renew it.
  fn valid(&self) -> Option<(&'c str, Option<f64>)> {
    match (self.access, self.freshness, self.refresh) {
      (Some(access), Some(Freshness::Fresh), _)
      | (Some(access), Some(Freshness::Expiring), None) => Some((access, self.expires_at)),
      _ => None,
    }
  }
}

pub enum Step {
  Done(Decision),
  Refresh(Pending),
}

/// The fields `refreshSession` resolves with.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshOutcome {
  pub access_token: String,
  pub refresh_token: Option<String>,
  pub expires_at: Option<f64>,
  pub set_cookie: Vec<String>,
}

/// One validated configuration and what it learns while it runs.
pub struct Engine {
  pub config: Config,
  /// Endpoint, protocol and client: with the token, the single-flight key.
  scope: Arc<str>,
  /// The issuer's clock minus ours, in milliseconds, learned from the `iat` of tokens this
  /// engine has just received. Without it, a token from an issuer whose clock is behind ours
  /// would look expired the moment it was issued, and every request would refresh.
  issuer_offset_ms: AtomicI64,
}

impl Engine {
  pub fn new(config: Config) -> Self {
    let protocol = match config.protocol {
      Protocol::Json => "json",
      Protocol::OAuth2 => "oauth2",
    };
    let scope = format!(
      "{protocol} {} {} {}",
      config.refresh_url,
      config.client_id.as_deref().unwrap_or(""),
      config.client_secret.as_deref().unwrap_or("")
    );
    Engine {
      config,
      scope: scope.into(),
      issuer_offset_ms: AtomicI64::new(0),
    }
  }

  fn issuer_now(&self, now: f64) -> f64 {
    now + self.issuer_offset_ms.load(Ordering::Relaxed) as f64 / 1000.0
  }

  fn to_local_time(&self, issuer_time: f64) -> f64 {
    issuer_time - self.issuer_offset_ms.load(Ordering::Relaxed) as f64 / 1000.0
  }

  /// Decides at once, or says a refresh is due. `now` is this machine's Unix time in seconds.
  pub fn assess(
    &self,
    incoming: &Incoming,
    headers: &impl HeaderSource,
    now: f64,
  ) -> Result<Step, SessionError> {
    let target = Target::parse(incoming.url)?;
    let config = &self.config;
    let cookie_header = incoming.cookie.unwrap_or("");
    let carried = self.read(cookie_header, now);

    if let Some((access, expires_at)) = carried.valid() {
      let mut decision = Decision::new(Action::Continue, Reason::Valid);
      decision.access_token = Some(access.to_string());
      decision.expires_at = expires_at;
      return Ok(Step::Done(decision));
    }

    let Carried {
      access,
      refresh,
      freshness,
      expires_at,
    } = carried;
    match (access, freshness, refresh) {
      (_, _, Some(refresh_token)) => {
        let still_valid = match (access, freshness) {
          (Some(access), Some(Freshness::Expiring)) => Some((access.to_string(), expires_at)),
          _ => None,
        };
        Ok(Step::Refresh(Pending {
          url: incoming.url.to_string(),
          method: incoming.method.to_string(),
          cookie: cookie_header.to_string(),
          refresh_token: refresh_token.to_string(),
          still_valid,
        }))
      }
      (stale, _, None) => {
        let mut decision = Decision::new(Action::Continue, Reason::Anonymous);
        if stale.is_some() {
          // An expired access token with nothing to renew it is only noise for the API.
          decision.set_cookie.push(cookies::delete_cookie(
            &config.access_cookie,
            &config.cookie,
          ));
          decision.request_cookie = Some(cookies::rewrite(
            cookie_header,
            &[(&config.access_cookie, None)],
          ));
          decision = decision.no_store();
        }
        if config.require_session && !self.is_public(target.path()) {
          self.deny(&mut decision, &target, incoming.method, headers);
        }
        Ok(Step::Done(decision))
      }
    }
  }

  /// The fast path: when this request's session is valid and no refresh is due (the only case
  /// that needs nothing but the URL and the Cookie header), the access token as a slice of
  /// `cookie_header` and its expiry. `None` when anything else must be decided.
  pub fn valid_access<'c>(
    &self,
    url: &str,
    cookie_header: &'c str,
    now: f64,
  ) -> Result<Option<(&'c str, Option<f64>)>, SessionError> {
    Target::parse(url)?;
    Ok(self.read(cookie_header, now).valid())
  }

  fn read<'c>(&self, cookie_header: &'c str, now: f64) -> Carried<'c> {
    let config = &self.config;
    let (access, refresh) =
      cookies::find_both(cookie_header, &config.access_cookie, &config.refresh_cookie);
    let claims = access.and_then(token::read_claims);
    let freshness = access.map(|_| {
      token::freshness(
        claims.as_ref(),
        self.issuer_now(now),
        config.refresh_window_seconds(),
      )
    });
    Carried {
      access,
      refresh,
      freshness,
      expires_at: claims
        .and_then(|claims| claims.exp)
        .map(|exp| self.to_local_time(exp)),
    }
  }

  /// Exchanges `refresh_token` for new tokens, sharing the exchange with every concurrent
  /// caller that holds the same token and reusing a success for `graceSeconds`.
  pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, RefreshFailure> {
    let key = FlightKey {
      scope: self.scope.clone(),
      token: refresh_token.to_string(),
    };
    let grace = Duration::from_millis(self.config.grace_ms);
    FLIGHTS
      .run(key, grace, || async {
        let result = refresh::exchange(&self.config, refresh_token).await;
        if let Ok(tokens) = &result {
          self.learn_issuer_clock(&tokens.access, crate::core::unix_now());
        }
        result
      })
      .await
  }

  fn learn_issuer_clock(&self, access: &str, now: f64) {
    if let Some(iat) = token::read_claims(access).and_then(|claims| claims.iat) {
      let offset_ms = ((iat - now) * 1000.0).round() as i64;
      // `iat` is whole seconds, so clocks that agree still show up to a second of offset;
      // believing it would make a token look valid for up to a second after it died.
      let offset_ms = if offset_ms.abs() < MIN_CLOCK_OFFSET_MS {
        0
      } else {
        offset_ms
      };
      if offset_ms.abs() <= MAX_CLOCK_OFFSET_MS {
        self.issuer_offset_ms.store(offset_ms, Ordering::Relaxed);
      }
    }
  }

  /// Finishes a decision once the refresh has an outcome.
  pub fn conclude(
    &self,
    pending: Pending,
    outcome: Result<Tokens, RefreshFailure>,
    headers: &impl HeaderSource,
    now: f64,
  ) -> Result<Decision, SessionError> {
    let config = &self.config;
    let target = Target::parse(&pending.url)?;
    let public = self.is_public(target.path());

    match outcome {
      Ok(tokens) => {
        let outcome = self.refresh_outcome(&tokens, now);
        let mut decision = Decision::new(Action::Continue, Reason::Refreshed);
        let mut changes = vec![(config.access_cookie.as_str(), Some(tokens.access.as_str()))];
        if let Some(rotated) = &tokens.refresh {
          changes.push((config.refresh_cookie.as_str(), Some(rotated.as_str())));
        }
        decision.request_cookie = Some(cookies::rewrite(&pending.cookie, &changes));
        decision.set_cookie = outcome.set_cookie;
        decision.access_token = Some(outcome.access_token);
        decision.expires_at = outcome.expires_at;
        Ok(decision.no_store())
      }
      Err(RefreshFailure::Rejected { .. }) => {
        let mut decision = Decision::new(Action::Continue, Reason::RefreshRejected);
        decision.set_cookie = vec![
          cookies::delete_cookie(&config.access_cookie, &config.cookie),
          cookies::delete_cookie(&config.refresh_cookie, &config.cookie),
        ];
        decision.request_cookie = Some(cookies::rewrite(
          &pending.cookie,
          &[
            (config.access_cookie.as_str(), None),
            (config.refresh_cookie.as_str(), None),
          ],
        ));
        let mut decision = decision.no_store();
        if !public {
          self.deny(&mut decision, &target, &pending.method, headers);
        }
        Ok(decision)
      }
      Err(RefreshFailure::Unavailable { retry_after, .. }) => {
        Ok(self.unavailable(pending, public, retry_after))
      }
      Err(RefreshFailure::BadResponse { .. }) => Ok(self.unavailable(pending, public, None)),
    }
  }

  /// A refresh that could not complete: keep every cookie; carry on with the old token while it
  /// is valid, else answer 503 (or carry on without a session on a public page).
  fn unavailable(&self, pending: Pending, public: bool, retry_after: Option<u64>) -> Decision {
    let mut decision = Decision::new(Action::Continue, Reason::RefreshUnavailable);
    if let Some((access, expires_at)) = pending.still_valid {
      decision.access_token = Some(access);
      decision.expires_at = expires_at;
    } else if !public {
      decision.action = Action::Unavailable;
      decision.status = Some(503);
      let seconds = retry_after
        .unwrap_or(DEFAULT_RETRY_AFTER_SECONDS)
        .clamp(1, 300);
      decision.headers.push(("retry-after", seconds.to_string()));
      decision = decision.no_store();
    }
    decision
  }

  /// Cookies and expiry for freshly received tokens.
  pub fn refresh_outcome(&self, tokens: &Tokens, now: f64) -> RefreshOutcome {
    let config = &self.config;
    let issuer_now = self.issuer_now(now);
    let access_claims = token::read_claims(&tokens.access);
    let (max_age, expires_at) = match access_claims.and_then(|claims| claims.exp) {
      Some(exp) => (Some(exp - issuer_now), Some(self.to_local_time(exp))),
      None => (
        tokens.expires_in,
        tokens.expires_in.map(|seconds| now + seconds),
      ),
    };

    let mut set_cookie = vec![cookies::set_cookie(
      &config.access_cookie,
      &tokens.access,
      max_age.map(whole_seconds),
      &config.cookie,
    )];
    if let Some(rotated) = &tokens.refresh {
      let max_age = token::read_claims(rotated)
        .and_then(|claims: Claims| claims.exp)
        .map(|exp| whole_seconds(exp - issuer_now));
      set_cookie.push(cookies::set_cookie(
        &config.refresh_cookie,
        rotated,
        max_age,
        &config.cookie,
      ));
    }

    RefreshOutcome {
      access_token: tokens.access.clone(),
      refresh_token: tokens.refresh.clone(),
      expires_at,
      set_cookie,
    }
  }

  fn is_public(&self, path: &str) -> bool {
    self
      .config
      .public_paths
      .iter()
      .any(|prefix| under(path, prefix))
  }

  /// Turns `decision` into a redirect to the login page, or a 401 where a redirect would not
  /// help: API paths, writes, server actions, prefetches and non-HTML requests.
  fn deny(
    &self,
    decision: &mut Decision,
    target: &Target,
    method: &str,
    headers: &impl HeaderSource,
  ) {
    let config = &self.config;
    if self.wants_unauthorized(target.path(), method, headers) {
      decision.action = Action::Unauthorized;
      decision.status = Some(401);
      return;
    }

    let mut location = String::new();
    if let Some(origin) = target.origin(headers) {
      location.push_str(&origin);
    }
    location.push_str(&config.login_path);
    if let Some(param) = &config.return_to_param {
      location.push('?');
      location.push_str(param);
      location.push('=');
      location.push_str(&encode_query_value(&same_origin_path(
        target.path_and_query,
      )));
    }
    decision.action = Action::Redirect;
    decision.status = Some(307);
    decision.location = Some(location);
  }

  fn wants_unauthorized(&self, path: &str, method: &str, headers: &impl HeaderSource) -> bool {
    if self
      .config
      .api_paths
      .iter()
      .any(|prefix| under(path, prefix))
    {
      return true;
    }
    if !method.eq_ignore_ascii_case("GET") && !method.eq_ignore_ascii_case("HEAD") {
      return true;
    }
    if headers.header("next-action").is_some() || headers.header("next-router-prefetch").is_some() {
      return true;
    }
    let prefetch = |name| {
      headers
        .header(name)
        .is_some_and(|value| value.to_ascii_lowercase().contains("prefetch"))
    };
    if prefetch("sec-purpose") || prefetch("purpose") {
      return true;
    }
    // A client-side navigation in the App Router fetches the page's RSC payload; Next's router
    // follows a redirect on it (as for a page load), while a 401 would cost a second,
    // full-page round trip.
    if headers.header("rsc").is_some() {
      return false;
    }
    match headers.header("accept") {
      // A client navigation (RSC) asks for */*; it follows a redirect like a page load does.
      Some(accept) => !(accept.contains("text/html") || accept.contains("*/*")),
      None => false,
    }
  }
}

/// `path` is `prefix` or lies below it on a segment boundary ('/app' covers '/app/x', not '/apple').
fn under(path: &str, prefix: &str) -> bool {
  prefix == "/"
    || path
      .strip_prefix(prefix)
      .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn whole_seconds(seconds: f64) -> i64 {
  seconds.floor().max(0.0) as i64
}

/// A return-to value that can only name a path on this origin: leading slashes and backslashes
/// fold into one '/', so '//evil.example' cannot become a host.
fn same_origin_path(path_and_query: &str) -> String {
  let rest = path_and_query.trim_start_matches(['/', '\\']);
  format!("/{rest}")
}

/// Percent-encodes a query value, keeping '/' and ':' readable.
fn encode_query_value(value: &str) -> String {
  let mut out = String::with_capacity(value.len() + 8);
  for byte in value.bytes() {
    match byte {
      b'A'..=b'Z'
      | b'a'..=b'z'
      | b'0'..=b'9'
      | b'-'
      | b'.'
      | b'_'
      | b'~'
      | b'/'
      | b':'
      | b'@'
      | b'!'
      | b'$'
      | b'\''
      | b'('
      | b')'
      | b'*'
      | b','
      | b';' => out.push(byte as char),
      _ => out.push_str(&format!("%{byte:02X}")),
    }
  }
  out
}

/// The request URL split into what the decision needs.
struct Target<'a> {
  /// `scheme://host[:port]` when the URL was absolute.
  origin: Option<&'a str>,
  /// From the first '/', fragment removed; always starts with '/'.
  path_and_query: &'a str,
}

impl<'a> Target<'a> {
  fn parse(url: &'a str) -> Result<Self, SessionError> {
    let url = url.split('#').next().unwrap_or("");
    if url.starts_with('/') {
      return Ok(Target {
        origin: None,
        path_and_query: url,
      });
    }

    let scheme_end = ["http://", "https://"]
      .iter()
      .find(|scheme| url.len() >= scheme.len() && url[..scheme.len()].eq_ignore_ascii_case(scheme))
      .map(|scheme| scheme.len())
      .ok_or_else(|| {
        SessionError::invalid_request(
          "request.url must be a path like '/dashboard' or an absolute http(s) URL",
        )
      })?;
    let path_start = url[scheme_end..]
      .find(['/', '?'])
      .map(|index| scheme_end + index)
      .unwrap_or(url.len());
    if path_start == scheme_end {
      return Err(SessionError::invalid_request("request.url has no host"));
    }
    let path_and_query = &url[path_start..];
    Ok(Target {
      origin: Some(&url[..path_start]),
      path_and_query: if path_and_query.starts_with('/') {
        path_and_query
      } else {
        "/"
      },
    })
  }

  fn path(&self) -> &str {
    self.path_and_query.split('?').next().unwrap_or("/")
  }

  /// The request's origin: from an absolute URL, else from Host and X-Forwarded-Proto when they
  /// are well-formed. `None` leaves the redirect as a path, which browsers resolve on the same
  /// origin.
  fn origin(&self, headers: &impl HeaderSource) -> Option<String> {
    if let Some(origin) = self.origin {
      return Some(origin.to_string());
    }
    let host = headers.header("host")?;
    let legal_host = !host.is_empty()
      && host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    if !legal_host {
      return None;
    }
    let proto = headers
      .header("x-forwarded-proto")
      .and_then(|value| {
        value
          .split(',')
          .next()
          .map(|first| first.trim().to_ascii_lowercase())
      })
      .filter(|proto| proto == "http" || proto == "https")
      .unwrap_or_else(|| "http".into());
    Some(format!("{proto}://{host}"))
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::core::options::RawOptions;
  use crate::core::token::tests::jwt;

  const NOW: f64 = 1_700_000_000.0;

  fn engine(tweak: impl FnOnce(&mut RawOptions)) -> Engine {
    let mut raw = RawOptions {
      refresh_url: Some("http://127.0.0.1:9/auth/refresh".into()),
      access_cookie: Some("at".into()),
      refresh_cookie: Some("rt".into()),
      ..RawOptions::default()
    };
    tweak(&mut raw);
    Engine::new(Config::from_raw(raw).unwrap())
  }

  fn token_expiring_in(seconds: f64) -> String {
    jwt(&format!(
      r#"{{"exp":{},"iat":{}}}"#,
      NOW + seconds,
      NOW - 300.0
    ))
  }

  fn no_headers() -> HeaderSnapshot {
    HeaderSnapshot::default()
  }

  fn assess(engine: &Engine, url: &str, cookie: &str, headers: &HeaderSnapshot) -> Step {
    let incoming = Incoming {
      url,
      method: "GET",
      cookie: Some(cookie),
    };
    engine.assess(&incoming, headers, NOW).unwrap()
  }

  fn done(step: Step) -> Decision {
    match step {
      Step::Done(decision) => decision,
      Step::Refresh(_) => panic!("expected a decision, got a refresh"),
    }
  }

  fn pending(step: Step) -> Pending {
    match step {
      Step::Refresh(pending) => pending,
      Step::Done(decision) => panic!("expected a refresh, got {decision:?}"),
    }
  }

  #[test]
  fn a_fresh_token_continues_without_touching_cookies() {
    let engine = engine(|_| {});
    let access = token_expiring_in(600.0);
    let decision = done(assess(
      &engine,
      "/dashboard",
      &format!("at={access}; rt=RT1"),
      &no_headers(),
    ));
    assert_eq!(
      (decision.action, decision.reason),
      (Action::Continue, Reason::Valid)
    );
    assert_eq!(decision.access_token.as_deref(), Some(access.as_str()));
    assert_eq!(decision.expires_at, Some(NOW + 600.0));
    assert!(
      decision.set_cookie.is_empty()
        && decision.headers.is_empty()
        && decision.request_cookie.is_none()
    );
  }

  #[test]
  fn an_opaque_token_is_fresh() {
    let decision = done(assess(
      &engine(|_| {}),
      "/",
      "at=opaque-token; rt=RT1",
      &no_headers(),
    ));
    assert_eq!(decision.reason, Reason::Valid);
    assert_eq!(decision.expires_at, None);
  }

  #[test]
  fn expiring_expired_or_missing_with_a_refresh_token_asks_for_a_refresh() {
    let engine = engine(|_| {});
    let expiring = pending(assess(
      &engine,
      "/",
      &format!("at={}; rt=RT1", token_expiring_in(30.0)),
      &no_headers(),
    ));
    assert!(expiring.still_valid.is_some());
    assert_eq!(expiring.refresh_token(), "RT1");
    let expired = pending(assess(
      &engine,
      "/",
      &format!("at={}; rt=RT1", token_expiring_in(-1.0)),
      &no_headers(),
    ));
    assert!(expired.still_valid.is_none());
    let missing = pending(assess(&engine, "/", "rt=RT1", &no_headers()));
    assert!(missing.still_valid.is_none());
  }

  #[test]
  fn expiring_without_a_refresh_token_continues() {
    let decision = done(assess(
      &engine(|_| {}),
      "/",
      &format!("at={}", token_expiring_in(30.0)),
      &no_headers(),
    ));
    assert_eq!(
      (decision.action, decision.reason),
      (Action::Continue, Reason::Valid)
    );
  }

  #[test]
  fn expired_without_a_refresh_token_deletes_the_stale_cookie() {
    let engine = engine(|_| {});
    let cookie = format!("theme=dark; at={}", token_expiring_in(-5.0));
    let decision = done(assess(&engine, "/", &cookie, &no_headers()));
    assert_eq!(
      (decision.action, decision.reason),
      (Action::Continue, Reason::Anonymous)
    );
    assert_eq!(
      decision.set_cookie,
      vec!["at=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0"]
    );
    assert_eq!(decision.request_cookie.as_deref(), Some("theme=dark"));
    assert!(decision
      .headers
      .contains(&("cache-control", "private, no-store".into())));
  }

  #[test]
  fn anonymous_with_require_session_redirects_pages_and_401s_apis() {
    let engine = engine(|raw| raw.require_session = Some(true));
    let page = done(assess(&engine, "/orders?id=7&x=1", "", &no_headers()));
    assert_eq!((page.action, page.status), (Action::Redirect, Some(307)));
    assert_eq!(
      page.location.as_deref(),
      Some("/login?next=/orders%3Fid%3D7%26x%3D1")
    );

    let api = done(assess(&engine, "/api/orders", "", &no_headers()));
    assert_eq!(
      (api.action, api.status, api.location),
      (Action::Unauthorized, Some(401), None)
    );

    let login = done(assess(&engine, "/login", "", &no_headers()));
    assert_eq!(login.action, Action::Continue);
    let apple = done(assess(&engine, "/apiary", "", &no_headers()));
    assert_eq!(apple.action, Action::Redirect);
  }

  #[test]
  fn redirects_use_the_request_origin_and_never_another_host() {
    let engine = engine(|raw| raw.require_session = Some(true));
    let absolute = done(assess(
      &engine,
      "https://app.example/deep/page",
      "",
      &no_headers(),
    ));
    assert_eq!(
      absolute.location.as_deref(),
      Some("https://app.example/login?next=/deep/page")
    );

    let headers = HeaderSnapshot::from_pairs(&[
      ("host", "app.example:3000"),
      ("x-forwarded-proto", "https, http"),
    ]);
    let proxied = done(assess(&engine, "/x", "", &headers));
    assert_eq!(
      proxied.location.as_deref(),
      Some("https://app.example:3000/login?next=/x")
    );

    let evil_host = HeaderSnapshot::from_pairs(&[("host", "evil.example/@x")]);
    let path_only = done(assess(&engine, "/x", "", &evil_host));
    assert_eq!(path_only.location.as_deref(), Some("/login?next=/x"));

    let sneaky = done(assess(&engine, "//evil.example/x", "", &no_headers()));
    assert_eq!(
      sneaky.location.as_deref(),
      Some("/login?next=/evil.example/x")
    );

    let no_return = engine_with_no_return_to();
    let bare = done(assess(&no_return, "/x", "", &no_headers()));
    assert_eq!(bare.location.as_deref(), Some("/login"));
  }

  fn engine_with_no_return_to() -> Engine {
    engine(|raw| {
      raw.require_session = Some(true);
      raw.return_to_param = Some(None);
    })
  }

  #[test]
  fn writes_actions_prefetches_and_non_html_get_401_not_a_redirect() {
    let engine = engine(|raw| raw.require_session = Some(true));
    let post = engine
      .assess(
        &Incoming {
          url: "/page",
          method: "POST",
          cookie: None,
        },
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(done(post).action, Action::Unauthorized);
    for pairs in [
      vec![("next-action", "abc123")],
      vec![("next-router-prefetch", "1")],
      vec![("sec-purpose", "prefetch;prerender")],
      vec![("purpose", "prefetch")],
      vec![("accept", "application/json")],
    ] {
      let decision = done(assess(
        &engine,
        "/page",
        "",
        &HeaderSnapshot::from_pairs(&pairs),
      ));
      assert_eq!(decision.action, Action::Unauthorized, "{pairs:?}");
    }
    let rsc = HeaderSnapshot::from_pairs(&[("rsc", "1"), ("accept", "text/x-component")]);
    assert_eq!(
      done(assess(&engine, "/page", "", &rsc)).action,
      Action::Redirect
    );
    let rsc_prefetch = HeaderSnapshot::from_pairs(&[("rsc", "1"), ("next-router-prefetch", "1")]);
    assert_eq!(
      done(assess(&engine, "/page", "", &rsc_prefetch)).action,
      Action::Unauthorized
    );
    for accept in ["text/html,application/xhtml+xml", "*/*"] {
      let decision = done(assess(
        &engine,
        "/page",
        "",
        &HeaderSnapshot::from_pairs(&[("accept", accept)]),
      ));
      assert_eq!(decision.action, Action::Redirect, "{accept}");
    }
  }

  #[test]
  fn a_refresh_rewrites_the_request_cookie_in_place() {
    let engine = engine(|_| {});
    let expired = token_expiring_in(-10.0);
    let step = pending(assess(
      &engine,
      "/",
      &format!("at={expired}; rt=RT1; theme=dark"),
      &no_headers(),
    ));
    let new_access = jwt(&format!(r#"{{"exp":{},"iat":{}}}"#, NOW + 300.0, NOW));
    let tokens = Tokens {
      access: new_access.clone(),
      refresh: None,
      expires_in: None,
    };
    let decision = engine
      .conclude(step, Ok(tokens), &no_headers(), NOW)
      .unwrap();
    assert_eq!(
      (decision.action, decision.reason),
      (Action::Continue, Reason::Refreshed)
    );
    assert_eq!(
      decision.request_cookie,
      Some(format!("at={new_access}; rt=RT1; theme=dark"))
    );
    assert_eq!(
      decision.set_cookie,
      vec![format!(
        "at={new_access}; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=300"
      )]
    );
    assert_eq!(decision.expires_at, Some(NOW + 300.0));
    assert!(decision
      .headers
      .contains(&("cache-control", "private, no-store".into())));
  }

  #[test]
  fn a_rotated_refresh_token_gets_its_own_max_age() {
    let engine = engine(|_| {});
    let step = pending(assess(&engine, "/", "rt=RT1", &no_headers()));
    let rotated = jwt(&format!(r#"{{"exp":{}}}"#, NOW + 86_400.0));
    let tokens = Tokens {
      access: "opaque".into(),
      refresh: Some(rotated.clone()),
      expires_in: Some(120.0),
    };
    let decision = engine
      .conclude(step, Ok(tokens), &no_headers(), NOW)
      .unwrap();
    assert_eq!(
      decision.request_cookie,
      Some(format!("rt={rotated}; at=opaque"))
    );
    assert_eq!(
      decision.set_cookie[0],
      "at=opaque; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=120"
    );
    assert_eq!(
      decision.set_cookie[1],
      format!("rt={rotated}; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=86400")
    );
    assert_eq!(decision.expires_at, Some(NOW + 120.0));
  }

  #[test]
  fn a_rejected_refresh_deletes_both_and_redirects_except_on_public_paths() {
    let engine = engine(|_| {});
    let cookie = format!("at={}; rt=RT1; theme=dark", token_expiring_in(-10.0));
    let page = engine
      .conclude(
        pending(assess(&engine, "/dashboard", &cookie, &no_headers())),
        Err(RefreshFailure::Rejected { status: 401 }),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(
      (page.action, page.reason, page.status),
      (Action::Redirect, Reason::RefreshRejected, Some(307))
    );
    assert_eq!(page.location.as_deref(), Some("/login?next=/dashboard"));
    assert_eq!(page.set_cookie.len(), 2);
    assert!(page
      .set_cookie
      .iter()
      .all(|value| value.contains("Max-Age=0")));
    assert_eq!(page.request_cookie.as_deref(), Some("theme=dark"));

    let login = engine
      .conclude(
        pending(assess(&engine, "/login", &cookie, &no_headers())),
        Err(RefreshFailure::Rejected { status: 401 }),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(
      (login.action, login.reason, login.location.clone()),
      (Action::Continue, Reason::RefreshRejected, None)
    );
    assert_eq!(login.set_cookie.len(), 2);
  }

  #[test]
  fn an_unavailable_auth_server_never_logs_anyone_out() {
    let engine = engine(|_| {});
    let down = || RefreshFailure::Unavailable {
      detail: "x".into(),
      retry_after: Some(9),
    };

    let expired = format!("at={}; rt=RT1", token_expiring_in(-10.0));
    let decision = engine
      .conclude(
        pending(assess(&engine, "/dashboard", &expired, &no_headers())),
        Err(down()),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(
      (decision.action, decision.status),
      (Action::Unavailable, Some(503))
    );
    assert!(decision.set_cookie.is_empty());
    assert!(decision.headers.contains(&("retry-after", "9".into())));

    let access = token_expiring_in(20.0);
    let expiring = format!("at={access}; rt=RT1");
    let decision = engine
      .conclude(
        pending(assess(&engine, "/dashboard", &expiring, &no_headers())),
        Err(down()),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(
      (decision.action, decision.reason),
      (Action::Continue, Reason::RefreshUnavailable)
    );
    assert_eq!(decision.access_token, Some(access));
    assert!(decision.set_cookie.is_empty());

    let bad = RefreshFailure::BadResponse { detail: "x".into() };
    let decision = engine
      .conclude(
        pending(assess(&engine, "/dashboard", &expired, &no_headers())),
        Err(bad),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!(decision.action, Action::Unavailable);
    assert!(decision.headers.contains(&("retry-after", "5".into())));

    let public = engine
      .conclude(
        pending(assess(&engine, "/login", &expired, &no_headers())),
        Err(down()),
        &no_headers(),
        NOW,
      )
      .unwrap();
    assert_eq!((public.action, public.status), (Action::Continue, None));
  }

  #[test]
  fn a_learned_clock_offset_keeps_new_tokens_fresh() {
    let engine = engine(|_| {});
    // The issuer's clock is 120 s behind ours; its tokens live 60 s.
    let issued = jwt(&format!(
      r#"{{"exp":{},"iat":{}}}"#,
      NOW - 120.0 + 60.0,
      NOW - 120.0
    ));
    assert!(matches!(
      assess(&engine, "/", &format!("at={issued}; rt=R"), &no_headers()),
      Step::Refresh(_)
    ));
    engine.learn_issuer_clock(&issued, NOW);
    let decision = done(assess(
      &engine,
      "/",
      &format!("at={issued}; rt=R"),
      &no_headers(),
    ));
    assert_eq!(decision.reason, Reason::Valid);
    assert_eq!(decision.expires_at, Some(NOW + 60.0));
  }

  #[test]
  fn sub_second_offsets_from_whole_second_iat_are_ignored() {
    let engine = engine(|_| {});
    let issued = jwt(&format!(r#"{{"exp":{},"iat":{}}}"#, NOW + 60.0, NOW));
    engine.learn_issuer_clock(&issued, NOW + 0.9);
    let expired = jwt(&format!(r#"{{"exp":{},"iat":{}}}"#, NOW + 0.5, NOW - 59.5));
    let step = engine
      .assess(
        &Incoming {
          url: "/",
          method: "GET",
          cookie: Some(&format!("at={expired}; rt=R")),
        },
        &no_headers(),
        NOW + 0.9,
      )
      .unwrap();
    let pending = pending(step);
    assert!(
      pending.still_valid.is_none(),
      "a token 0.4 s past its exp must count as expired"
    );
  }

  #[test]
  fn unusable_urls_are_invalid_requests() {
    let engine = engine(|_| {});
    for url in [
      "",
      "dashboard",
      "ftp://x/y",
      "http://",
      "javascript:alert(1)",
    ] {
      let incoming = Incoming {
        url,
        method: "GET",
        cookie: None,
      };
      let error = engine
        .assess(&incoming, &no_headers(), NOW)
        .err()
        .expect(url);
      assert_eq!(error.code, crate::core::ErrorCode::InvalidRequest);
    }
  }
}
