//! `SERVER` in the ledger directory: where the server that holds the ledger listens, so that a command
//! meeting the busy lock can say so. Written once the server listens, removed when it stops; a file
//! left by a server that was killed is recognised as stale because its process no longer holds the
//! lock (the front end compares the pid with the lock's holders). Not part of the history.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::os::safe_fs;

/// The file's name in the ledger directory.
pub const FILE: &str = "SERVER";

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerFile {
    /// Its base URL (`http://127.0.0.1:8080`).
    pub url: String,
    /// Its process id.
    pub pid: u32,
}

impl ServerFile {
    /// Writes the file into the ledger directory `dir` (replacing one left before).
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(io::Error::other)?;
        safe_fs::replace(dir, FILE, &bytes)
    }

    /// The file of the ledger directory `dir`, if there is a readable one.
    pub fn read(dir: &Path) -> Option<ServerFile> {
        let bytes = safe_fs::read_bounded(&dir.join(FILE), 4096).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    /// Removes the file (a missing one is no error).
    pub fn remove(dir: &Path) -> io::Result<()> {
        match std::fs::remove_file(dir.join(FILE)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_read_and_removed() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(ServerFile::read(d.path()), None);
        let f = ServerFile {
            url: "http://127.0.0.1:1".into(),
            pid: 7,
        };
        f.write(d.path()).unwrap();
        assert_eq!(ServerFile::read(d.path()), Some(f));
        ServerFile::remove(d.path()).unwrap();
        ServerFile::remove(d.path()).unwrap();
        assert_eq!(ServerFile::read(d.path()), None);
        std::fs::write(d.path().join(FILE), "not json").unwrap();
        assert_eq!(ServerFile::read(d.path()), None);
    }
}
