//! Sign-in attempts limited per account and per client address: at most `max` failures in a sliding
//! `window`; past it, attempts are refused (before any password is tried) until the oldest failure
//! leaves the window. A success clears the account's failures. The table is bounded: past `capacity`
//! keys, keys whose failures have all left the window are swept, then the oldest keys dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per key in a sliding window.
pub struct Limiter {
    map: Mutex<HashMap<String, VecDeque<Instant>>>,
    max: usize,
    window: Duration,
    capacity: usize,
}

impl Limiter {
    /// At most `max` failures per key in `window`, for at most `capacity` keys.
    pub fn new(max: usize, window: Duration, capacity: usize) -> Limiter {
        Limiter {
            map: Mutex::new(HashMap::new()),
            max: max.max(1),
            window,
            capacity: capacity.max(1),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `key` may try now.
    pub fn allowed(&self, key: &str, now: Instant) -> bool {
        let mut map = self.table();
        let Some(q) = map.get_mut(key) else {
            return true;
        };
        while q
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        q.len() < self.max
    }

    /// Records a failure of `key` at `now`.
    pub fn failed(&self, key: &str, now: Instant) {
        let mut map = self.table();
        if !map.contains_key(key) && map.len() >= self.capacity {
            let window = self.window;
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < window)
            });
            while map.len() >= self.capacity {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, q)| q.back().copied())
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => map.remove(&k),
                    None => break,
                };
            }
        }
        let q = map.entry(key.to_string()).or_default();
        q.push_back(now);
        while q.len() > self.max {
            q.pop_front();
        }
    }

    /// Clears `key`'s failures (a success).
    pub fn succeeded(&self, key: &str) {
        self.table().remove(key);
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_are_refused_until_they_leave_the_window() {
        let l = Limiter::new(3, Duration::from_secs(60), 100);
        let t0 = Instant::now();
        for k in 0..3 {
            assert!(l.allowed("s0", t0 + Duration::from_secs(k)));
            l.failed("s0", t0 + Duration::from_secs(k));
        }
        assert!(!l.allowed("s0", t0 + Duration::from_secs(10)));
        assert!(l.allowed("s1", t0 + Duration::from_secs(10)));
        // The first failure leaves the window at 60 s.
        assert!(!l.allowed("s0", t0 + Duration::from_secs(59)));
        assert!(l.allowed("s0", t0 + Duration::from_secs(60)));
        l.succeeded("s0");
        assert!(l.is_empty());
    }

    #[test]
    fn the_table_is_bounded() {
        let l = Limiter::new(2, Duration::from_secs(60), 10);
        let t0 = Instant::now();
        for k in 0..1000u64 {
            l.failed(&format!("10.0.0.{k}"), t0 + Duration::from_millis(k));
        }
        assert!(l.len() <= 10, "{}", l.len());
        // The newest keys are kept.
        l.failed("10.0.0.999", t0 + Duration::from_secs(1));
        assert!(!l.allowed("10.0.0.999", t0 + Duration::from_secs(1)));
    }
}
