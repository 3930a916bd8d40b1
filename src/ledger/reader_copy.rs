//! Reading a ledger that cannot be written where it is (a read-only medium, a directory this user
//! cannot write): its lock cannot be taken and its storage engine (sled 0.34, which has no read-only
//! mode) cannot open its files there. A reader copies the files it reads into a private directory
//! and opens the copy read-only ([`crate::ledger::Ledger::open_read`]); nothing is written on the medium.
//! The copy is byte for byte the ledger's files, so what is verified in it is verified of them.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Invalid, IoDoing, Result, Room};
use crate::ledger::STORE_DIR;
use crate::os::safe_fs;

/// The files of the ledger directory a reader reads, besides the store (copied whole).
const FILES: [&str; 5] = [
    "HEAD",
    crate::store::journal::JOURNAL_FILE,
    crate::ledger::anchor::ANCHOR_FILE,
    crate::ledger::anchor::CHECKPOINT_FILE,
    crate::ledger::anchor::LOG_KEY_FILE,
];

/// How deep the store's directories are walked (sled keeps files one level down).
const MAX_DEPTH: u32 = 4;

/// Free space the copy leaves on its disk beyond its own size: the storage engine refuses to open
/// with less than 16 MiB free and writes up to a log segment and its page table on open.
pub const MARGIN: u64 = 24 << 20;

/// Whether `e`, from opening the ledger in `dir`, means that the directory cannot be written: a
/// read-only file system (`EROFS`), or a directory this user cannot write (`EACCES`, `EPERM`).
pub fn is_unwritable(e: &Error, dir: &Path) -> bool {
    let Error::Io { source, .. } = e else {
        return false;
    };
    match source.raw_os_error() {
        Some(libc::EROFS) => true,
        Some(libc::EACCES | libc::EPERM) => !writable(dir),
        _ => false,
    }
}

/// Whether the file system holding `path` is mounted read-only.
pub fn on_read_only_fs(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statvfs is plain old data; a zeroed one is valid and is filled by the call.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a statvfs buffer owned here.
    let ok = unsafe { libc::statvfs(c.as_ptr(), &mut st) } == 0;
    ok && st.f_flag & libc::ST_RDONLY != 0
}

fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid C string.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

/// What a reader copies of a ledger directory: its files, by path inside it, with their sizes.
#[derive(Debug)]
pub struct ReaderCopy {
    /// Directories (`None`) and regular files (their size), parents first.
    entries: Vec<(PathBuf, Option<u64>)>,
    bytes: u64,
}

impl ReaderCopy {
    /// Lists what is copied of the ledger in `dir`: HEAD, JOURNAL, ANCHOR, CHECKPOINT, LOGKEY when
    /// present, and the store directory whole. A symbolic link, or anything that is neither a regular
    /// file nor a directory, is refused (never followed).
    pub fn plan(dir: &Path) -> Result<ReaderCopy> {
        let mut copy = ReaderCopy {
            entries: Vec::new(),
            bytes: 0,
        };
        for name in FILES {
            copy.add(dir, Path::new(name), 0)?;
        }
        copy.add(dir, Path::new(STORE_DIR), MAX_DEPTH)?;
        Ok(copy)
    }

    /// Adds `dir/rel`: a regular file, or (when `depth` > 0) a directory and what it holds.
    fn add(&mut self, dir: &Path, rel: &Path, depth: u32) -> Result<()> {
        let path = dir.join(rel);
        let cannot = || IoDoing::Read(path.clone());
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(cannot())(e)),
        };
        let t = meta.file_type();
        if t.is_symlink() {
            safe_fs::refuse_link(&path).map_err(Error::io(cannot()))?;
        }
        if t.is_file() {
            self.bytes += meta.len();
            self.entries.push((rel.to_path_buf(), Some(meta.len())));
            return Ok(());
        }
        if !t.is_dir() || depth == 0 {
            return Err(Error::Invalid(Invalid::NotLedgerFile {
                path,
                top: depth == 0,
            }));
        }
        self.entries.push((rel.to_path_buf(), None));
        let mut names: Vec<_> = std::fs::read_dir(&path)
            .map_err(Error::io(cannot()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()
            .map_err(Error::io(cannot()))?;
        names.sort();
        for name in names {
            self.add(dir, &rel.join(name), depth - 1)?;
        }
        Ok(())
    }

    /// The bytes of the files copied.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Copies the files of the ledger in `dir` into `into` (an empty directory, created if needed),
    /// after checking that the disk holding `into` has room for them. Nothing is written in `dir`.
    pub fn make(&self, dir: &Path, into: &Path) -> Result<()> {
        let cannot = IoDoing::CopyLedger(into.to_path_buf());
        std::fs::create_dir_all(into).map_err(Error::io(cannot.clone()))?;
        let free = fs2::available_space(into).map_err(Error::io(cannot.clone()))?;
        if free < self.bytes.saturating_add(MARGIN) {
            return Err(Error::NoRoom {
                context: IoDoing::CopyToRead(dir.to_path_buf()),
                room: Room::Copy {
                    bytes: self.bytes,
                    into: into.to_path_buf(),
                    free,
                    margin: MARGIN,
                },
            });
        }
        for (rel, size) in &self.entries {
            let (from, to) = (dir.join(rel), into.join(rel));
            let Some(size) = *size else {
                std::fs::create_dir(&to).map_err(Error::io(cannot.clone()))?;
                continue;
            };
            let src = safe_fs::open_read(&from).map_err(Error::io(IoDoing::Read(from.clone())))?;
            let mut dst = safe_fs::create_new(&to).map_err(Error::io(cannot.clone()))?;
            let copied =
                io::copy(&mut src.take(size + 1), &mut dst).map_err(Error::io(cannot.clone()))?;
            if copied != size {
                return Err(Error::Invalid(Invalid::ChangedWhileCopied {
                    path: from,
                    size,
                    copied,
                }));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_holds_the_same_bytes_and_refuses_links() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("ledger");
        std::fs::create_dir_all(dir.join("store/blobs")).unwrap();
        std::fs::write(dir.join("HEAD"), b"head").unwrap();
        std::fs::write(dir.join("LOCK"), b"").unwrap();
        std::fs::write(dir.join("store/db"), vec![7u8; 10_000]).unwrap();
        std::fs::write(dir.join("store/blobs/1"), b"blob").unwrap();
        let copy = ReaderCopy::plan(&dir).unwrap();
        assert_eq!(copy.bytes(), 4 + 10_000 + 4);
        let into = d.path().join("copy");
        copy.make(&dir, &into).unwrap();
        assert_eq!(std::fs::read(into.join("HEAD")).unwrap(), b"head");
        assert_eq!(
            std::fs::read(into.join("store/db")).unwrap(),
            vec![7u8; 10_000]
        );
        assert_eq!(std::fs::read(into.join("store/blobs/1")).unwrap(), b"blob");
        assert!(!into.join("LOCK").exists(), "the lock is not copied");

        std::os::unix::fs::symlink(d.path().join("elsewhere"), dir.join("store/conf")).unwrap();
        let e = ReaderCopy::plan(&dir).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }
}
