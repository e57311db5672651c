//! What a token says about its own lifetime.
//!
//! The payload of a JWT is decoded but never verified: the API that receives the token verifies
//! it, and this package only needs to know when to refresh. A token that is not a readable JWT,
//! or has no numeric `exp`, is opaque: its lifetime is unknown, so it is judged fresh and left to
//! the API to refuse.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;

/// Payloads larger than this are not decoded (a real access token is well under 4 KB).
const MAX_PAYLOAD_BYTES: usize = 8192;

/// The two claims this package reads, in seconds since the epoch on the issuer's clock.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Claims {
  pub exp: Option<f64>,
  pub iat: Option<f64>,
}

impl Claims {
  /// The lifetime the issuer gave the token (`exp - iat`), when both are known and positive.
  pub fn lifetime(&self) -> Option<f64> {
    match (self.exp, self.iat) {
      (Some(exp), Some(iat)) if exp > iat => Some(exp - iat),
      _ => None,
    }
  }
}

#[derive(Deserialize)]
struct RawClaims {
  #[serde(default)]
  exp: Option<serde_json::Value>,
  #[serde(default)]
  iat: Option<serde_json::Value>,
}

/// Reads `exp` and `iat` from a compact JWS (`header.payload.signature`). Returns `None` for
/// anything else, including a JWT whose payload is not base64url JSON.
pub fn read_claims(token: &str) -> Option<Claims> {
  let mut parts = token.split('.');
  let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
  if parts.next().is_some() || payload.is_empty() || payload.len() > MAX_PAYLOAD_BYTES {
    return None;
  }

  // Some issuers pad base64url; the padding carries nothing.
  let payload = payload.trim_end_matches('=');
  let mut buffer = [0u8; MAX_PAYLOAD_BYTES];
  let length = URL_SAFE_NO_PAD.decode_slice(payload, &mut buffer).ok()?;
  let raw: RawClaims = serde_json::from_slice(&buffer[..length]).ok()?;
  Some(Claims {
    exp: raw.exp.as_ref().and_then(finite_number),
    iat: raw.iat.as_ref().and_then(finite_number),
  })
}

fn finite_number(value: &serde_json::Value) -> Option<f64> {
  value.as_f64().filter(|number| number.is_finite())
}

/// How an access token stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
  /// Valid for longer than the refresh window, or of unknown lifetime.
  Fresh,
  /// Still valid, but inside the refresh window: refresh now, keep using it if that fails.
  Expiring,
  /// Past its `exp`.
  Expired,
}

/// Judges a token at `issuer_now` (this machine's time corrected to the issuer's clock).
///
/// The window shrinks to half the token's own lifetime when that is short, so a token that lives
/// 30 seconds is refreshed after 15, not on every request.
pub fn freshness(claims: Option<&Claims>, issuer_now: f64, window_seconds: f64) -> Freshness {
  let Some(claims) = claims else {
    return Freshness::Fresh;
  };
  let Some(exp) = claims.exp else {
    return Freshness::Fresh;
  };

  let window = match claims.lifetime() {
    Some(lifetime) => window_seconds.min(lifetime / 2.0),
    None => window_seconds,
  };
  let remaining = exp - issuer_now;
  if remaining <= 0.0 {
    Freshness::Expired
  } else if remaining <= window {
    Freshness::Expiring
  } else {
    Freshness::Fresh
  }
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;

  /// An unsigned test JWT with the given payload JSON.
  pub fn jwt(payload: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    format!(
      "{header}.{}.c2lnbmF0dXJl",
      URL_SAFE_NO_PAD.encode(payload.as_bytes())
    )
  }

  #[test]
  fn reads_exp_and_iat() {
    let claims = read_claims(&jwt(r#"{"exp":1700000300,"iat":1700000000,"user_id":1}"#)).unwrap();
    assert_eq!(claims.exp, Some(1_700_000_300.0));
    assert_eq!(claims.iat, Some(1_700_000_000.0));
    assert_eq!(claims.lifetime(), Some(300.0));
  }

  #[test]
  fn odd_tokens_are_opaque_not_errors() {
    assert_eq!(read_claims("opaque-token"), None);
    assert_eq!(read_claims("a.b"), None);
    assert_eq!(read_claims("a.b.c.d.e"), None);
    assert_eq!(read_claims("a.%%%.c"), None);
    assert_eq!(
      read_claims(&format!("a.{}.c", URL_SAFE_NO_PAD.encode("not json"))),
      None
    );
    let stringly = read_claims(&jwt(r#"{"exp":"tomorrow"}"#)).unwrap();
    assert_eq!(stringly.exp, None);
    let padded = format!(
      "{}==",
      jwt(r#"{"exp":5}"#)
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
    );
    assert_eq!(
      read_claims(&format!("{padded}.sig")).unwrap().exp,
      Some(5.0)
    );
  }

  #[test]
  fn freshness_uses_the_window() {
    let claims = Claims {
      exp: Some(1000.0),
      iat: Some(0.0),
    };
    assert_eq!(freshness(Some(&claims), 900.0, 60.0), Freshness::Fresh);
    assert_eq!(freshness(Some(&claims), 950.0, 60.0), Freshness::Expiring);
    assert_eq!(freshness(Some(&claims), 1000.0, 60.0), Freshness::Expired);
    assert_eq!(freshness(None, 1e12, 60.0), Freshness::Fresh);
  }

  #[test]
  fn short_lived_tokens_shrink_the_window_to_half_their_life() {
    let claims = Claims {
      exp: Some(110.0),
      iat: Some(100.0),
    };
    assert_eq!(freshness(Some(&claims), 101.0, 60.0), Freshness::Fresh);
    assert_eq!(freshness(Some(&claims), 105.5, 60.0), Freshness::Expiring);
  }
}
