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

use argon2::{Algorithm, Argon2, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

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
}

/// The derivations running now, against [`at_once`]; a derivation waits for its turn.
struct Gate {
    running: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

static GATE: Gate = Gate {
    running: std::sync::Mutex::new(0),
    freed: std::sync::Condvar::new(),
};

/// How many derivations may run at once: one per core (2 to 8). Each holds `m_cost` KiB while it
/// runs, so however many sign-ins arrive together the server's memory stays bounded (8 x 19 MiB at
/// most with the default parameters), and no more run than the cores can serve anyway.
fn at_once() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// A derivation's turn, given back when dropped.
struct Turn;

impl Turn {
    fn take() -> Turn {
        let mut running = GATE
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *running >= at_once() {
            running = GATE
                .freed
                .wait(running)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *running += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut running = GATE
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *running = running.saturating_sub(1);
        GATE.freed.notify_one();
    }
}

/// Argon2id of `password` with `salt` and `params`: the 32-byte wrapping key. At most [`at_once`]
/// derivations run at the same time; the others wait (on their blocking threads) for a turn.
pub fn derive(
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
    let _turn = Turn::take();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(password, salt, out.as_mut())
        .map_err(|e| UnwrapError::Unreadable(e.to_string()))?;
    Ok(out)
}

fn aad(person: &str, vkey: &str) -> Vec<u8> {
    let mut a = b"hyoka/wrapped-key/v1\0".to_vec();
    a.extend_from_slice(person.as_bytes());
    a.push(0);
    a.extend_from_slice(vkey.as_bytes());
    a
}

/// Wraps `key` of `person` with `password`.
pub fn wrap(
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
    let k = derive(password.as_bytes(), &salt, params)?;
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

/// The signing key `w` wraps, opened with `password`; it must be the key `w` names.
pub fn unwrap(w: &WrappedKey, password: &str) -> Result<SignerKey, UnwrapError> {
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
    let k = derive(password.as_bytes(), &salt, w.params)?;
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
    fn derivations_at_once_are_bounded() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        // Three times as many derivations as may run, started together; an observer samples how many
        // run (other tests' derivations count too: the bound is the process's). All finish: each turn
        // is given back.
        let mid = Params {
            m_cost: 4096,
            t_cost: 2,
            p_cost: 1,
        };
        let (peak, done) = (AtomicUsize::new(0), AtomicBool::new(false));
        std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::SeqCst) {
                    let now = *GATE.running.lock().unwrap();
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::yield_now();
                }
            });
            let workers: Vec<_> = (0..at_once() * 3)
                .map(|_| s.spawn(|| derive(b"password", b"somesalt", mid).unwrap()))
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        let peak = peak.load(Ordering::SeqCst);
        assert!(peak >= 1 && peak <= at_once(), "{peak}");
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
