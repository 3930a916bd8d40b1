//! Key custody: a person's signing key stored wrapped by a key derived from their password, so that the
//! stored data alone (what an administrator of the machine can read) cannot sign as them.
//!
//! The wrapping key is Argon2id (RFC 9106, version 0x13) of the password with a random 16-byte salt;
//! the signing key's text is sealed with ChaCha20-Poly1305 under it, with a random 12-byte nonce and
//! the person's id and verifier key as associated data (a wrapped key moved to another person's file
//! does not open). The parameters are stored with each wrapped key, so they can be raised later
//! without breaking old files: [`Params::DEFAULT`] is OWASP's first Argon2id setting (19 MiB, 2 passes,
//! 1 lane).
//!
//! Invariants: a password or a key's text is held in [`Zeroizing`] buffers and wiped when dropped;
//! unwrapping with a wrong password, or a file edited in any byte, fails the same way
//! ([`UnwrapError::Refused`]), never with a partial key.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use argon2::{Algorithm, Argon2, Block, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::tlog::note::SignerKey;

/// Argon2id's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Params {
    /// 19 MiB, 2 passes, 1 lane (OWASP's password storage cheat sheet, first Argon2id setting).
    pub const DEFAULT: Params = Params {
        m_cost: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };
    /// The most memory a stored file may ask for (256 MiB): a file is data, bounded like any input.
    pub const MAX_M_COST: u32 = 256 * 1024;
}

/// A signing key wrapped by a password (the JSON file `keys/<person>.json` of the server's directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrappedKey {
    /// Format version (1).
    pub version: u32,
    /// The person's id.
    pub person: String,
    /// The verifier key of the wrapped key (`name+hexid+base64`).
    pub vkey: String,
    /// `argon2id`.
    pub kdf: String,
    /// Argon2id's parameters.
    pub params: Params,
    /// The salt (base64, 16 bytes).
    pub salt: String,
    /// The nonce (base64, 12 bytes).
    pub nonce: String,
    /// The sealed key text (base64).
    pub sealed: String,
}

/// Why a wrapped key did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnwrapError {
    /// The password is wrong, or the file was changed.
    #[error("the password does not open this key")]
    Refused,
    /// The file is not a wrapped key this version reads.
    #[error("the wrapped key is not readable: {0}")]
    Unreadable(String),
    /// Randomness or the key derivation failed.
    #[error("the key could not be wrapped: {0}")]
    Failed(String),
    /// Too many key derivations run and wait already: try again shortly.
    #[error("too many sign-ins at once")]
    Busy,
}

/// The key derivations of a process: at most [`Derivations::at_once`] run together, each in a
/// memory buffer taken from a pool and given back for the next one (so sign-ins do not allocate and
/// free `m_cost` KiB each); at most [`Derivations::queue`] more wait for a turn, and any beyond those
/// is refused at once ([`UnwrapError::Busy`]): however many sign-ins arrive together, the memory and
/// the threads they hold stay bounded.
pub struct Derivations {
    at_once: usize,
    queue: usize,
    gate: Mutex<Gate>,
    freed: Condvar,
    peak: AtomicUsize,
}

/// What [`Derivations`] guards: the derivations running and waiting, and the buffers not in use.
struct Gate {
    running: usize,
    waiting: usize,
    pool: Vec<Vec<Block>>,
}

/// A buffer larger than this (in 1 KiB blocks: 64 MiB) is cut down to it when given back: a wrapped
/// key that asked for more does not keep that memory held.
const KEEP_BLOCKS: usize = 64 * 1024;

impl Derivations {
    /// At most `at_once` derivations together (at least 1), and at most `queue` waiting.
    pub fn new(at_once: usize, queue: usize) -> Derivations {
        Derivations {
            at_once: at_once.max(1),
            queue,
            gate: Mutex::new(Gate {
                running: 0,
                waiting: 0,
                pool: Vec::new(),
            }),
            freed: Condvar::new(),
            peak: AtomicUsize::new(0),
        }
    }

    /// One derivation per core (2 to 8) at once, and up to 64 waiting: with the default parameters
    /// at most 8 x 19 MiB is held by derivations, and no more run than the cores can serve anyway.
    pub fn for_this_machine() -> Derivations {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Derivations::new(cores.clamp(2, 8), 64)
    }

    /// How many may run at once.
    pub fn at_once(&self) -> usize {
        self.at_once
    }

    /// How many may wait for a turn.
    pub fn queue(&self) -> usize {
        self.queue
    }

    /// The most derivations that ran at the same time since this was made.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// The buffers kept for the next derivations (never more than [`Derivations::at_once`]).
    pub fn pooled(&self) -> usize {
        self.lock().pool.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A turn, with a buffer of at least `blocks` blocks: at once when fewer than `at_once` run,
    /// else after waiting (when fewer than `queue` wait), else refused.
    fn take(&self, blocks: usize) -> Result<Turn<'_>, UnwrapError> {
        let mut g = self.lock();
        if g.running >= self.at_once {
            if g.waiting >= self.queue {
                return Err(UnwrapError::Busy);
            }
            g.waiting += 1;
            while g.running >= self.at_once {
                g = self
                    .freed
                    .wait(g)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            g.waiting -= 1;
        }
        g.running += 1;
        self.peak.fetch_max(g.running, Ordering::SeqCst);
        let mut buffer = g.pool.pop().unwrap_or_default();
        drop(g);
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        Ok(Turn {
            of: self,
            buffer: Some(buffer),
        })
    }

    /// Argon2id of `password` with `salt` and `params`: the 32-byte wrapping key, derived in a
    /// pooled buffer once a turn is had (see [`Derivations`]).
    pub fn derive(
        &self,
        password: &[u8],
        salt: &[u8],
        params: Params,
    ) -> Result<Zeroizing<[u8; 32]>, UnwrapError> {
        if params.m_cost > Params::MAX_M_COST {
            return Err(UnwrapError::Unreadable(format!(
                "it asks for {} KiB of memory, more than {}",
                params.m_cost,
                Params::MAX_M_COST
            )));
        }
        let p = argon2::Params::new(params.m_cost, params.t_cost, params.p_cost, Some(32))
            .map_err(|e| UnwrapError::Unreadable(e.to_string()))?;
        let mut out = Zeroizing::new([0u8; 32]);
        let blocks = p.block_count();
        let mut turn = self.take(blocks)?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
            .hash_password_into_with_memory(password, salt, out.as_mut(), turn.buffer())
            .map_err(|e| UnwrapError::Unreadable(e.to_string()))?;
        Ok(out)
    }
}

/// A derivation's turn and its buffer: the buffer is wiped and pooled, and the turn given back,
/// when dropped.
struct Turn<'a> {
    of: &'a Derivations,
    buffer: Option<Vec<Block>>,
}

impl Turn<'_> {
    fn buffer(&mut self) -> &mut [Block] {
        self.buffer.as_deref_mut().unwrap_or_default()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut buffer = self.buffer.take().unwrap_or_default();
        for b in buffer.iter_mut() {
            b.as_mut().zeroize();
        }
        if buffer.len() > KEEP_BLOCKS {
            buffer.truncate(KEEP_BLOCKS);
            buffer.shrink_to_fit();
        }
        let mut g = self.of.lock();
        g.running = g.running.saturating_sub(1);
        if g.pool.len() < self.of.at_once {
            g.pool.push(buffer);
        }
        drop(g);
        self.of.freed.notify_one();
    }
}

/// The derivations of this process, shared by [`wrap`], [`unwrap`] and [`derive`]
/// ([`Derivations::for_this_machine`]).
pub fn shared() -> &'static Derivations {
    static SHARED: std::sync::OnceLock<Derivations> = std::sync::OnceLock::new();
    SHARED.get_or_init(Derivations::for_this_machine)
}

/// Argon2id of `password` with `salt` and `params`, through this process's [`shared`] derivations.
pub fn derive(
    password: &[u8],
    salt: &[u8],
    params: Params,
) -> Result<Zeroizing<[u8; 32]>, UnwrapError> {
    shared().derive(password, salt, params)
}

fn aad(person: &str, vkey: &str) -> Vec<u8> {
    let mut a = b"hyoka/wrapped-key/v1\0".to_vec();
    a.extend_from_slice(person.as_bytes());
    a.push(0);
    a.extend_from_slice(vkey.as_bytes());
    a
}

/// Wraps `key` of `person` with `password` (through this process's [`shared`] derivations).
pub fn wrap(
    person: &str,
    key: &SignerKey,
    password: &str,
    params: Params,
) -> Result<WrappedKey, UnwrapError> {
    wrap_with(shared(), person, key, password, params)
}

/// Wraps `key` of `person` with `password`, its key derived through `d`.
pub fn wrap_with(
    d: &Derivations,
    person: &str,
    key: &SignerKey,
    password: &str,
    params: Params,
) -> Result<WrappedKey, UnwrapError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut salt).map_err(|e| UnwrapError::Failed(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| UnwrapError::Failed(e.to_string()))?;
    let vkey = key.verifier().to_text();
    let k = d.derive(password.as_bytes(), &salt, params)?;
    let text = Zeroizing::new(key.to_text());
    let sealed = ChaCha20Poly1305::new(Key::from_slice(k.as_ref()))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: text.as_bytes(),
                aad: &aad(person, &vkey),
            },
        )
        .map_err(|e| UnwrapError::Failed(e.to_string()))?;
    Ok(WrappedKey {
        version: 1,
        person: person.to_string(),
        vkey,
        kdf: "argon2id".into(),
        params,
        salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        sealed: B64.encode(sealed),
    })
}

/// The signing key `w` wraps, opened with `password`; it must be the key `w` names (through this
/// process's [`shared`] derivations).
pub fn unwrap(w: &WrappedKey, password: &str) -> Result<SignerKey, UnwrapError> {
    unwrap_with(shared(), w, password)
}

/// The signing key `w` wraps, opened with `password`, its key derived through `d`.
pub fn unwrap_with(
    d: &Derivations,
    w: &WrappedKey,
    password: &str,
) -> Result<SignerKey, UnwrapError> {
    if w.version != 1 || w.kdf != "argon2id" {
        return Err(UnwrapError::Unreadable(format!(
            "version {} with {}",
            w.version, w.kdf
        )));
    }
    let bad = |what: &str| UnwrapError::Unreadable(format!("{what} is not base64"));
    let salt = B64.decode(&w.salt).map_err(|_| bad("the salt"))?;
    let nonce = B64.decode(&w.nonce).map_err(|_| bad("the nonce"))?;
    let sealed = B64.decode(&w.sealed).map_err(|_| bad("the sealed key"))?;
    if nonce.len() != 12 || salt.len() < 8 || sealed.len() > 4096 {
        return Err(UnwrapError::Unreadable("wrong sizes".into()));
    }
    let k = d.derive(password.as_bytes(), &salt, w.params)?;
    let text = ChaCha20Poly1305::new(Key::from_slice(k.as_ref()))
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &sealed,
                aad: &aad(&w.person, &w.vkey),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| UnwrapError::Refused)?;
    let text = std::str::from_utf8(&text).map_err(|_| UnwrapError::Refused)?;
    let key = SignerKey::parse(text).map_err(|_| UnwrapError::Refused)?;
    if key.verifier().to_text() != w.vkey {
        return Err(UnwrapError::Refused);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOW: Params = Params {
        m_cost: 256,
        t_cost: 2,
        p_cost: 1,
    };

    #[test]
    fn derivations_at_once_are_bounded_and_reuse_their_buffers() {
        // Four times as many derivations as may run, started together: all finish, never more than
        // the bound ran at once, and the buffers kept are no more than the bound.
        let d = Derivations::new(2, 64);
        let barrier = std::sync::Barrier::new(8);
        let keys: Vec<_> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        d.derive(b"password", b"somesalt", LOW).unwrap()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        assert!(
            keys.iter().all(|k| **k == *keys[0]),
            "the same key each time"
        );
        assert!((1..=2).contains(&d.peak()), "{}", d.peak());
        assert!((1..=2).contains(&d.pooled()), "{}", d.pooled());
        // A buffer used before gives the same key as a fresh one (it is wiped, and filled anew).
        let fresh = Derivations::new(1, 0)
            .derive(b"password", b"somesalt", LOW)
            .unwrap();
        assert_eq!(*fresh, *keys[0]);
    }

    #[test]
    fn a_derivation_beyond_the_queue_is_refused_at_once() {
        // One may run and none wait: while a turn is held, another derivation is refused (Busy)
        // without waiting; once it is given back, the next one runs in the pooled buffer.
        let d = Derivations::new(1, 0);
        let turn = d.take(LOW.m_cost as usize).unwrap();
        assert_eq!(
            d.derive(b"password", b"somesalt", LOW).unwrap_err(),
            UnwrapError::Busy
        );
        drop(turn);
        assert_eq!(d.pooled(), 1);
        d.derive(b"password", b"somesalt", LOW).unwrap();
        assert_eq!(d.peak(), 1);
        assert_eq!(d.pooled(), 1);
    }

    #[test]
    fn argon2id_matches_the_reference_vector() {
        // The reference implementation's test (phc-winner-argon2 src/test.c): Argon2id, version 0x13,
        // t=2, m=2^8 KiB, p=1, password "password", salt "somesalt": the tag, and in the PHC string
        // `$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4`.
        let k = derive(b"password", b"somesalt", LOW).unwrap();
        assert_eq!(
            hex::encode(k.as_ref()),
            "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"
        );
        let phc = base64::engine::general_purpose::STANDARD_NO_PAD.encode(k.as_ref());
        assert_eq!(phc, "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4");
    }

    #[test]
    fn a_wrapped_key_opens_with_its_password_only() {
        let key = SignerKey::from_seed("s0", &[7; 32]).unwrap();
        let w = wrap("s0", &key, "正しいパスワード", LOW).unwrap();
        assert!(!w.sealed.contains(&key.to_text()));
        let back = unwrap(&w, "正しいパスワード").unwrap();
        assert_eq!(back.to_text(), key.to_text());
        assert_eq!(unwrap(&w, "wrong").unwrap_err(), UnwrapError::Refused);
        // Moved to another person's name, it does not open.
        let moved = WrappedKey {
            person: "s1".into(),
            ..w.clone()
        };
        assert_eq!(
            unwrap(&moved, "正しいパスワード").unwrap_err(),
            UnwrapError::Refused
        );
        // A byte changed in the sealed key: refused.
        let mut sealed = B64.decode(&w.sealed).unwrap();
        sealed[3] ^= 1;
        let edited = WrappedKey {
            sealed: B64.encode(sealed),
            ..w.clone()
        };
        assert_eq!(
            unwrap(&edited, "正しいパスワード").unwrap_err(),
            UnwrapError::Refused
        );
        // A file asking for unbounded memory is refused before any work.
        let greedy = WrappedKey {
            params: Params {
                m_cost: u32::MAX,
                ..LOW
            },
            ..w
        };
        assert!(matches!(
            unwrap(&greedy, "x"),
            Err(UnwrapError::Unreadable(_))
        ));
    }
}
