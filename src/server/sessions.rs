//! Server-side sessions: a random 256-bit id in a cookie, everything else (the person, their unwrapped
//! signing key, the CSRF token) in this process's memory only.
//!
//! Invariants: an id is 32 bytes from the OS's generator, shown as 64 hex digits, and compared as a
//! map key (the map holds hashes of nothing secret but the id itself, and a lookup by a wrong id finds
//! nothing); a session ends at its idle or absolute expiry, at sign-out, or when the server stops, and
//! its signing key is dropped then (the key type wipes its bytes when dropped, `ed25519-dalek`'s
//! `ZeroizeOnDrop`); the table holds at most [`Sessions::max`] sessions, so memory is bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ledger::signing::Signer;

/// A signed-in person's session.
#[derive(Clone)]
pub struct Session {
    /// The person's id.
    pub person: String,
    /// Their signing key, unwrapped at sign-in.
    pub signer: Signer,
    /// The token every state-changing request of this session must carry.
    pub csrf: String,
    created: Instant,
    last_seen: Instant,
}

/// Why a session could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The table is full of live sessions.
    #[error("too many people are signed in")]
    Full,
    /// The OS's random generator failed.
    #[error("no randomness: {0}")]
    Random(String),
}

/// The sessions of a server.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    /// Ends a session unused this long.
    pub idle: Duration,
    /// Ends any session this long after sign-in.
    pub absolute: Duration,
    /// The most live sessions.
    pub max: usize,
}

/// 32 random bytes as 64 hex digits.
pub fn random_token() -> Result<String, SessionError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| SessionError::Random(e.to_string()))?;
    Ok(hex::encode(b))
}

impl Sessions {
    /// Sessions ending after `idle` unused or `absolute` after sign-in, at most `max` at once.
    pub fn new(idle: Duration, absolute: Duration, max: usize) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            idle,
            absolute,
            max,
        }
    }

    fn live(&self, s: &Session, now: Instant) -> bool {
        now.saturating_duration_since(s.last_seen) < self.idle
            && now.saturating_duration_since(s.created) < self.absolute
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic while holding the lock leaves a map that is still consistent (every change is one
        // insert or remove): go on with it.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session of `person` signing with `signer`: its id and the session.
    pub fn create(
        &self,
        person: &str,
        signer: Signer,
        now: Instant,
    ) -> Result<(String, Session), SessionError> {
        let id = random_token()?;
        let session = Session {
            person: person.to_string(),
            signer,
            csrf: random_token()?,
            created: now,
            last_seen: now,
        };
        let mut map = self.table();
        if map.len() >= self.max {
            map.retain(|_, s| self.live(s, now));
            if map.len() >= self.max {
                return Err(SessionError::Full);
            }
        }
        map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The live session of `id`, its use recorded at `now`; an expired one is removed.
    pub fn get(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.table();
        let live = map.get(id).map(|s| self.live(s, now))?;
        if !live {
            map.remove(id);
            return None;
        }
        let s = map.get_mut(id)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends the session of `id` (sign-out).
    pub fn remove(&self, id: &str) {
        self.table().remove(id);
    }

    /// Ends every session of `person` (their key rotated, their access withdrawn).
    pub fn remove_person(&self, person: &str) {
        self.table().retain(|_, s| s.person != person);
    }

    /// How many sessions are held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::note::SignerKey;

    fn signer() -> Signer {
        Signer::new(SignerKey::from_seed("s0", &[1; 32]).unwrap())
    }

    #[test]
    fn ids_are_random_and_sessions_expire_idle_and_absolute() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(300), 10);
        let t0 = Instant::now();
        let (a, sa) = s.create("s0", signer(), t0).unwrap();
        let (b, sb) = s.create("s0", signer(), t0).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(sa.csrf, sb.csrf);
        assert_ne!(sa.csrf, a);
        // Used every 50 s, it stays alive past the idle limit, until the absolute one.
        for k in 1..=5 {
            assert!(s.get(&a, t0 + Duration::from_secs(50 * k)).is_some(), "{k}");
        }
        assert!(s.get(&a, t0 + Duration::from_secs(300)).is_none());
        // Unused for the idle limit, it is gone (and removed).
        assert!(s.get(&b, t0 + Duration::from_secs(61)).is_none());
        assert_eq!(s.len(), 0);
        assert!(s.get("00", t0).is_none());
    }

    #[test]
    fn the_table_is_bounded_and_sign_out_ends_a_session() {
        let s = Sessions::new(Duration::from_secs(60), Duration::from_secs(300), 2);
        let t0 = Instant::now();
        let (a, _) = s.create("s0", signer(), t0).unwrap();
        s.create("s1", signer(), t0).unwrap();
        assert!(matches!(
            s.create("s2", signer(), t0),
            Err(SessionError::Full)
        ));
        // Expired sessions make room.
        let later = t0 + Duration::from_secs(120);
        assert!(s.create("s2", signer(), later).is_ok());
        let (c, _) = s.create("s3", signer(), later).unwrap();
        s.remove(&c);
        assert!(s.get(&c, later).is_none());
        assert!(s.get(&a, later).is_none());
        s.remove_person("s2");
        assert!(s.is_empty());
    }
}
