//! Who holds a ledger's lock: the processes holding a `flock` on its `LOCK` file, found without
//! writing anything (Linux: `/proc/locks` and `/proc/PID/cmdline`). Returns data; the CLI words it.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The most bytes of a process's command line read (the rest is cut).
pub const MAX_COMMAND_BYTES: usize = 4096;

/// A process holding a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Its process id (as this process sees it).
    pub pid: u32,
    /// Its command line, arguments separated by spaces, at most [`MAX_COMMAND_BYTES`] bytes read
    /// (lossy UTF-8, not escaped); `None` when it cannot be read (the process ended, or no `/proc`).
    pub command: Option<String>,
}

/// Who holds the lock, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holders {
    /// The processes holding a lock on the file (none if it was released meanwhile).
    Known(Vec<Holder>),
    /// It cannot be told here (no `/proc/locks`, or the file cannot be examined).
    Unknown,
}

/// The processes holding a `flock` on the file at `path` (the `LOCK` file of a ledger). Reads
/// `/proc/locks` (matching the file's device and inode) and each holder's `/proc/PID/cmdline`.
pub fn holders(path: &Path) -> Holders {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Holders::Unknown;
    };
    let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
        return Holders::Unknown;
    };
    let (major, minor) = (libc::major(meta.dev()), libc::minor(meta.dev()));
    let mut found: Vec<Holder> = Vec::new();
    for (pid, dev, ino) in locks.lines().filter_map(parse_line) {
        if dev == (major, minor) && ino == meta.ino() && !found.iter().any(|h| h.pid == pid) {
            found.push(Holder {
                pid,
                command: command_line(pid),
            });
        }
    }
    Holders::Known(found)
}

/// One line of `/proc/locks` held (not waited for) as a `FLOCK`: its pid, device (major, minor) and
/// inode. The format: `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF` (device numbers in hex);
/// a waiter's line has `->` after the number.
fn parse_line(line: &str) -> Option<(u32, (u32, u32), u64)> {
    let mut words = line.split_whitespace();
    words.next()?;
    if words.next()? != "FLOCK" {
        return None;
    }
    let pid = words.nth(2)?.parse().ok()?;
    let mut id = words.next()?.split(':');
    let major = u32::from_str_radix(id.next()?, 16).ok()?;
    let minor = u32::from_str_radix(id.next()?, 16).ok()?;
    let ino = id.next()?.parse().ok()?;
    Some((pid, (major, minor), ino))
}

/// The command line of process `pid`, its arguments separated by spaces, at most
/// [`MAX_COMMAND_BYTES`] bytes read.
fn command_line(pid: u32) -> Option<String> {
    let f = std::fs::File::open(format!("/proc/{pid}/cmdline")).ok()?;
    let mut bytes = Vec::new();
    f.take(MAX_COMMAND_BYTES as u64)
        .read_to_end(&mut bytes)
        .ok()?;
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    if bytes.is_empty() {
        return None;
    }
    for b in &mut bytes {
        if *b == 0 {
            *b = b' ';
        }
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_locks_lines_are_read_and_waiters_skipped() {
        assert_eq!(
            parse_line("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"),
            Some((1234, (8, 1), 5678))
        );
        assert_eq!(
            parse_line("12: FLOCK  ADVISORY  WRITE 99 00:2f:1048577 0 EOF"),
            Some((99, (0, 0x2f), 1048577))
        );
        assert_eq!(
            parse_line("1: -> FLOCK  ADVISORY  WRITE 1235 08:01:5678 0 EOF"),
            None
        );
        assert_eq!(
            parse_line("2: POSIX  ADVISORY  WRITE 1 08:01:5678 0 EOF"),
            None
        );
        assert_eq!(parse_line("garbage"), None);
    }

    #[test]
    fn a_lock_held_here_is_found_with_this_process() {
        if !Path::new("/proc/locks").exists() {
            eprintln!("skipped: no /proc/locks");
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("LOCK");
        let f = std::fs::File::create(&path).unwrap();
        assert_eq!(holders(&path), Holders::Known(vec![]));
        f.lock().unwrap();
        match holders(&path) {
            Holders::Known(h) => {
                assert_eq!(h.len(), 1, "{h:?}");
                assert_eq!(h[0].pid, std::process::id());
                assert!(h[0].command.is_some());
            }
            Holders::Unknown => panic!("unknown"),
        }
        assert_eq!(holders(&d.path().join("none")), Holders::Unknown);
    }
}
