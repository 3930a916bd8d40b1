//! The server's own directory, `LEDGER.web` beside the ledger directory (never inside it: a copy of the
//! ledger must not carry these): one-time enrolment tokens and each person's wrapped signing key. None
//! of this is history; the events stay the only truth (who a person is, their roles and current key).
//!
//! ```text
//! LEDGER.web/            mode 0700
//!   enrol.json           0600: the enrolment tokens not yet used, each as its SHA-256, the person and
//!                        the expiry (ns since the epoch): the token itself is shown once, never stored
//!   enrol.lock           held while enrol.json is read and replaced (the CLI issues, the server redeems)
//!   keys/<hex id>.json   0600: a person's signing key wrapped by their password (`keywrap`)
//! ```
//!
//! Invariants: file names are made from hex only (a person's id hex-encoded), so no input reaches a
//! path; no link is followed (`safe_fs`); every file is replaced atomically; reads are bounded.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keywrap::WrappedKey;
use crate::os::safe_fs;

/// The most bytes of `enrol.json` or a key file read.
const MAX_FILE: u64 = 1 << 20;
/// The most tokens kept (expired ones are dropped first).
const MAX_TOKENS: usize = 10_000;

/// One enrolment token, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Token {
    person: String,
    sha256: String,
    expires: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Tokens {
    tokens: Vec<Token>,
}

/// The server's directory of a ledger.
#[derive(Debug, Clone)]
pub struct WebDir {
    path: PathBuf,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

impl WebDir {
    /// `LEDGER.web` beside the ledger directory `ledger`.
    pub fn beside(ledger: &Path) -> WebDir {
        let mut name = ledger
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "hyoka-ledger".into());
        name.push(".web");
        WebDir {
            path: ledger.with_file_name(name),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn ensure_dir(path: &Path) -> io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(invalid(format!("{} is not a directory", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new().mode(0o700).create(path)
            }
            Err(e) => Err(e),
        }
    }

    /// Creates the directory and `keys/` (mode 0700) if missing.
    pub fn ensure(&self) -> io::Result<()> {
        Self::ensure_dir(&self.path)?;
        Self::ensure_dir(&self.path.join("keys"))
    }

    fn with_tokens<T>(&self, f: impl FnOnce(&mut Tokens) -> (bool, T)) -> io::Result<T> {
        use fs2::FileExt;
        self.ensure()?;
        let lock = safe_fs::open_rw(&self.path.join("enrol.lock"), true)?;
        lock.lock_exclusive()?;
        let path = self.path.join("enrol.json");
        let mut tokens: Tokens = match safe_fs::read_bounded(&path, MAX_FILE)? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| invalid(format!("{}: {e}", path.display())))?,
            None => Tokens::default(),
        };
        let (changed, out) = f(&mut tokens);
        if changed {
            let bytes = serde_json::to_vec_pretty(&tokens).map_err(|e| invalid(e.to_string()))?;
            safe_fs::replace_path(&path, 0o600, &mut |f| std::io::Write::write_all(f, &bytes))?;
        }
        drop(lock);
        Ok(out)
    }

    /// A new one-time enrolment token for `person`, valid until `expires` (ns): returned once, stored
    /// as its hash. Earlier tokens of the person are withdrawn.
    pub fn issue(&self, person: &str, now: i64, expires: i64) -> io::Result<String> {
        let token = super::sessions::random_token().map_err(|e| invalid(e.to_string()))?;
        let stored = Token {
            person: person.to_string(),
            sha256: digest(&token),
            expires,
        };
        self.with_tokens(|t| {
            t.tokens.retain(|k| k.expires > now && k.person != person);
            if t.tokens.len() >= MAX_TOKENS {
                t.tokens.remove(0);
            }
            t.tokens.push(stored);
            (true, ())
        })?;
        Ok(token)
    }

    /// The person a live token enrols, without using it.
    pub fn peek(&self, token: &str, now: i64) -> io::Result<Option<String>> {
        let d = digest(token);
        self.with_tokens(|t| {
            let found = t
                .tokens
                .iter()
                .find(|k| k.sha256 == d && k.expires > now)
                .map(|k| k.person.clone());
            (false, found)
        })
    }

    /// Uses a live token: the person it enrols; it is removed (with every expired one).
    pub fn redeem(&self, token: &str, now: i64) -> io::Result<Option<String>> {
        let d = digest(token);
        self.with_tokens(|t| {
            let found = t
                .tokens
                .iter()
                .find(|k| k.sha256 == d && k.expires > now)
                .map(|k| k.person.clone());
            let before = t.tokens.len();
            t.tokens.retain(|k| k.sha256 != d && k.expires > now);
            (t.tokens.len() != before, found)
        })
    }

    fn key_path(&self, person: &str) -> PathBuf {
        self.path
            .join("keys")
            .join(format!("{}.json", hex::encode(person.as_bytes())))
    }

    /// The wrapped key of `person`, if any.
    pub fn read_key(&self, person: &str) -> io::Result<Option<WrappedKey>> {
        let path = self.key_path(person);
        match safe_fs::read_bounded(&path, MAX_FILE)? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| invalid(format!("{}: {e}", path.display()))),
            None => Ok(None),
        }
    }

    /// Stores `key` as its person's wrapped key (replacing the one before).
    pub fn write_key(&self, key: &WrappedKey) -> io::Result<()> {
        self.ensure()?;
        let bytes = serde_json::to_vec_pretty(key).map_err(|e| invalid(e.to_string()))?;
        safe_fs::replace_path(&self.key_path(&key.person), 0o600, &mut |f| {
            std::io::Write::write_all(f, &bytes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn tokens_are_stored_hashed_used_once_and_expire() {
        let d = tempfile::tempdir().unwrap();
        let w = WebDir::beside(&d.path().join("ledger"));
        assert_eq!(w.path(), d.path().join("ledger.web"));
        let t = w.issue("s0", 100, 200).unwrap();
        let stored = std::fs::read_to_string(w.path().join("enrol.json")).unwrap();
        assert!(!stored.contains(&t), "{stored}");
        let mode = std::fs::metadata(w.path().join("enrol.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(w.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(w.peek(&t, 150).unwrap().as_deref(), Some("s0"));
        assert_eq!(w.peek(&t, 200).unwrap(), None, "expired");
        assert_eq!(w.redeem("other", 150).unwrap(), None);
        assert_eq!(w.redeem(&t, 150).unwrap().as_deref(), Some("s0"));
        assert_eq!(w.redeem(&t, 150).unwrap(), None, "used once");
        // A new token withdraws the person's earlier one.
        let a = w.issue("s1", 100, 500).unwrap();
        let b = w.issue("s1", 100, 500).unwrap();
        assert_eq!(w.peek(&a, 150).unwrap(), None);
        assert_eq!(w.peek(&b, 150).unwrap().as_deref(), Some("s1"));
    }

    #[test]
    fn key_files_are_named_by_hex_and_private() {
        let d = tempfile::tempdir().unwrap();
        let w = WebDir::beside(&d.path().join("ledger"));
        let key = crate::tlog::note::SignerKey::from_seed("s0", &[3; 32]).unwrap();
        let low = super::super::keywrap::Params {
            m_cost: 64,
            t_cost: 1,
            p_cost: 1,
        };
        let wrapped = super::super::keywrap::wrap("../s0", &key, "pw", low).unwrap();
        w.write_key(&wrapped).unwrap();
        let path = w
            .path()
            .join("keys")
            .join(format!("{}.json", hex::encode("../s0")));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(w.read_key("../s0").unwrap(), Some(wrapped));
        assert_eq!(w.read_key("s0").unwrap(), None);
    }
}
