//! At most one refresh per refresh token at a time, and a short memory of the result.
//!
//! Concurrent requests that carry the same refresh token share one upstream exchange and all get
//! its result. A success is then reused for `graceSeconds`: requests that left the browser before
//! the rotated cookie arrived still present the old refresh token, and with rotation and a
//! blacklist the auth server would reject it and log the user out. A failure is kept only while
//! it is in flight, so the next request tries again.
//!
//! Invariants: the key holds the whole refresh token (not a hash), so one token's result can
//! never be handed to another; the map never holds more than `capacity` entries: when it is full
//! of live entries a new exchange still runs, it just is not shared.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// Where a token is used: the refresh endpoint, protocol and client, then the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FlightKey {
  pub scope: Arc<str>,
  pub token: String,
}

struct Flight<T> {
  result: OnceCell<T>,
  /// Set when the exchange succeeded; the result is shared until then.
  reusable_until: Mutex<Option<Instant>>,
}

impl<T> Flight<T> {
  fn new() -> Arc<Self> {
    Arc::new(Flight {
      result: OnceCell::new(),
      reusable_until: Mutex::new(None),
    })
  }

  /// In flight, or finished and still inside its grace period.
  fn is_live(&self, now: Instant) -> bool {
    match *lock(&self.reusable_until) {
      Some(until) => now < until,
      None => true,
    }
  }
}

pub struct FlightCache<K, T> {
  flights: Mutex<HashMap<K, Arc<Flight<T>>>>,
  capacity: usize,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
  // A panic while holding these locks leaves plain data behind, still consistent.
  mutex
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<K, V, E> FlightCache<K, Result<V, E>>
where
  K: Clone + Eq + Hash,
  V: Clone,
  E: Clone,
{
  pub fn new(capacity: usize) -> Self {
    FlightCache {
      flights: Mutex::new(HashMap::new()),
      capacity,
    }
  }

  /// Runs `exchange` for `key` unless an exchange for the same key is in flight or succeeded
  /// less than `grace` ago, in which case its result is returned instead.
  pub async fn run<F, Fut>(&self, key: K, grace: Duration, exchange: F) -> Result<V, E>
  where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<V, E>>,
  {
    let flight = self.join(&key);
    flight
      .result
      .get_or_init(|| async {
        let result = exchange().await;
        if result.is_ok() && !grace.is_zero() {
          *lock(&flight.reusable_until) = Some(Instant::now() + grace);
        } else {
          self.forget(&key, &flight);
        }
        result
      })
      .await
      .clone()
  }

  /// How many entries the cache holds now.
  pub fn len(&self) -> usize {
    lock(&self.flights).len()
  }

  pub fn is_empty(&self) -> bool {
    self.len() == 0
  }

  fn join(&self, key: &K) -> Arc<Flight<Result<V, E>>> {
    let now = Instant::now();
    let mut flights = lock(&self.flights);
    if let Some(flight) = flights.get(key) {
      if flight.is_live(now) {
        return flight.clone();
      }
      flights.remove(key);
    }

    if flights.len() >= self.capacity {
      flights.retain(|_, flight| flight.is_live(now));
    }
    let flight = Flight::new();
    if flights.len() < self.capacity {
      flights.insert(key.clone(), flight.clone());
    }
    flight
  }

  fn forget(&self, key: &K, flight: &Arc<Flight<Result<V, E>>>) {
    let mut flights = lock(&self.flights);
    if flights
      .get(key)
      .is_some_and(|current| Arc::ptr_eq(current, flight))
    {
      flights.remove(key);
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::{AtomicUsize, Ordering};

  async fn counted(
    calls: &AtomicUsize,
    value: Result<u32, String>,
    delay_ms: u64,
  ) -> Result<u32, String> {
    calls.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    value
  }

  #[tokio::test]
  async fn concurrent_callers_share_one_exchange() {
    let cache = Arc::new(FlightCache::<String, Result<u32, String>>::new(16));
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..20 {
      let (cache, calls) = (cache.clone(), calls.clone());
      tasks.push(tokio::spawn(async move {
        cache
          .run("rt".into(), Duration::from_secs(10), || {
            counted(&calls, Ok(7), 30)
          })
          .await
      }));
    }
    for task in tasks {
      assert_eq!(task.await.unwrap(), Ok(7));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
  }

  #[tokio::test]
  async fn success_is_reused_for_the_grace_period_only() {
    let cache = FlightCache::<String, Result<u32, String>>::new(16);
    let calls = AtomicUsize::new(0);
    let grace = Duration::from_millis(80);
    assert_eq!(
      cache
        .run("rt".into(), grace, || counted(&calls, Ok(1), 0))
        .await,
      Ok(1)
    );
    assert_eq!(
      cache
        .run("rt".into(), grace, || counted(&calls, Ok(2), 0))
        .await,
      Ok(1)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
      cache
        .run("rt".into(), grace, || counted(&calls, Ok(3), 0))
        .await,
      Ok(3)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
  }

  #[tokio::test]
  async fn failures_are_not_kept_after_they_land() {
    let cache = FlightCache::<String, Result<u32, String>>::new(16);
    let calls = AtomicUsize::new(0);
    let grace = Duration::from_secs(10);
    assert!(cache
      .run("rt".into(), grace, || counted(
        &calls,
        Err("down".into()),
        0
      ))
      .await
      .is_err());
    assert_eq!(cache.len(), 0);
    assert_eq!(
      cache
        .run("rt".into(), grace, || counted(&calls, Ok(5), 0))
        .await,
      Ok(5)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
  }

  #[tokio::test]
  async fn different_tokens_never_share_a_result() {
    let cache = FlightCache::<String, Result<u32, String>>::new(16);
    let calls = AtomicUsize::new(0);
    let grace = Duration::from_secs(10);
    assert_eq!(
      cache
        .run("rt-a".into(), grace, || counted(&calls, Ok(1), 0))
        .await,
      Ok(1)
    );
    assert_eq!(
      cache
        .run("rt-b".into(), grace, || counted(&calls, Ok(2), 0))
        .await,
      Ok(2)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
  }

  #[tokio::test]
  async fn the_map_stays_within_capacity() {
    let cache = FlightCache::<String, Result<u32, String>>::new(8);
    let calls = AtomicUsize::new(0);
    for index in 0..100u32 {
      let key = format!("rt-{index}");
      assert_eq!(
        cache
          .run(key, Duration::from_secs(60), || counted(
            &calls,
            Ok(index),
            0
          ))
          .await,
        Ok(index)
      );
      assert!(cache.len() <= 8);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 100);
  }
}
