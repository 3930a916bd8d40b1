//! Files of a ledger directory, opened without ever following a symbolic link.
//!
//! Why: the ledger directory is the one place hyoka writes. A link planted there (`HEAD.tmp` pointing at
//! a system file, a dangling `LOCK`, `JOURNAL` pointing at a binary) would otherwise make hyoka
//! overwrite, create or cut a file elsewhere. Invariants:
//!
//! - Every file of the directory is opened with `O_NOFOLLOW`: a link in its place is an error, never
//!   followed (the last path component; the directory itself is the path the user gave).
//! - Temporary files are created exclusively (`O_CREAT | O_EXCL`, which refuses any existing name,
//!   links included) under a random name, and renamed over their target: a rename replaces a link
//!   itself, not its target.
//! - A replaced or new file is durable before the call returns: its data is synced, then the directory.
//!
//! Reads are bounded: a file is size-checked (from the open handle) before it is read, and the read
//! stops past its bound; the journal, read record by record, is the one file not read whole
//! (`store/journal.rs`).
//!
//! The files the command writes outside a ledger directory (outputs, exports, backups, keys) are
//! written by the same steps, through the forms taking a path: [`replace_path`], [`write_new_path`].

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Open flags added to every open in a ledger directory.
const NOFOLLOW: i32 = libc::O_NOFOLLOW | libc::O_CLOEXEC;

/// Whether `e` is what opening a symbolic link with `O_NOFOLLOW` gives.
pub fn is_link_error(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

/// An error naming a link that hyoka refused to follow.
/// A symbolic link where hyoka reads or writes: the inner error of the [`io::Error`] it refuses with
/// (a front end finds it with `get_ref` and `downcast_ref`, and words it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkRefused {
    /// Inside a ledger's directory.
    #[error(
        "{} is a symbolic link: hyoka never follows links inside a ledger directory; remove the link (and put the real file there, if it was moved)",
        .0.display()
    )]
    InLedger(PathBuf),
    /// Inside a mirror.
    #[error(
        "{} is a symbolic link: hyoka never follows links inside a mirror; remove it",
        .0.display()
    )]
    InMirror(PathBuf),
}

fn link_refused(path: &Path) -> io::Error {
    io::Error::other(LinkRefused::InLedger(path.to_path_buf()))
}

fn map_link(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| match is_link_error(&e) {
        true => link_refused(path),
        false => e,
    }
}

/// Opens `path` for reading, refusing a link.
pub fn open_read(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(NOFOLLOW)
        .open(path)
        .map_err(map_link(path))
}

/// Opens `path` for reading and writing, creating it if `create`, refusing a link.
pub fn open_rw(path: &Path, create: bool) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(create)
        .truncate(false)
        .custom_flags(NOFOLLOW)
        .open(path)
        .map_err(map_link(path))
}

/// Creates `path`, which must not exist (a link of that name counts as existing), for writing.
pub fn create_new(path: &Path) -> io::Result<File> {
    create_new_mode(path, 0o644)
}

/// [`create_new`] with the permission bits `mode` (less the umask).
fn create_new_mode(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(NOFOLLOW)
        .mode(mode)
        .open(path)
}

/// Reads the file at `path` if it exists and holds at most `max` bytes: `Ok(None)` if there is none,
/// an error if it is larger (its size is checked before anything is read) or a link.
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let f = match open_read(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let len = f.metadata()?.len();
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "{} is {len} bytes, more than the {max} it can hold",
                path.display()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(len as usize);
    f.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("{} grew past {max} bytes while it was read", path.display()),
        ));
    }
    Ok(Some(buf))
}

/// Syncs the directory `dir`, so that names created, renamed or removed in it survive a power cut.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replaces `dir/name` with `bytes` durably: a new temporary file (exclusive, random name) in `dir`,
/// written and synced, renamed over `name` (replacing a link of that name, never its target), then
/// the directory synced.
pub fn replace(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    replace_with(dir, name, &mut |f| f.write_all(bytes))
}

/// [`replace`] with the content written by `write` into the new, empty file (so that it can be
/// streamed: nothing needs to hold it whole).
pub fn replace_with(
    dir: &Path,
    name: &str,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    replace_at(dir, &dir.join(name), name, 0o644, write)
}

/// The directory holding the file `path` names: its parent, `.` when it has none.
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// [`replace_with`] for the file at `path` (in [`parent_dir`]`(path)`), made with the permission bits
/// `mode` (less the umask): for a file named by the user, such as an output.
pub fn replace_path(
    path: &Path,
    mode: u32,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "hyoka".into(), |n| n.to_string_lossy());
    replace_at(parent_dir(path), path, &name, mode, write)
}

/// Writes a temporary file in `dir` (named after `name`, with `mode`) by `write`, syncs it, renames
/// it to `target` (in `dir`) and syncs `dir`. The temporary file is removed if any step before the
/// rename fails.
fn replace_at(
    dir: &Path,
    target: &Path,
    name: &str,
    mode: u32,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Writes the new file at `path` (which must not exist: a file or a link of that name is refused,
/// never replaced) whole or not at all: a temporary file (exclusive, random name) beside it, written
/// and synced, then moved to `path` only if nothing is there (`persist_noclobber`), then the directory
/// synced. A reader never sees a part of the file, and no name but `path` is left behind.
pub fn create_path_atomic(
    path: &Path,
    mode: u32,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .map_or_else(|| "hyoka".into(), |n| n.to_string_lossy());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tmp-"))
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Writes `bytes` to the new file `dir/name` (which must not exist) durably.
pub fn write_new(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    write_new_with(dir, name, &mut |f| f.write_all(bytes))
}

/// [`write_new`] with the content written by `write` into the new, empty file (so that it can be
/// streamed); the file is removed if `write` fails.
pub fn write_new_with(
    dir: &Path,
    name: &str,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    write_new_at(dir, &dir.join(name), 0o644, write).map_err(io::Error::from)
}

/// The step at which [`write_new_path`] failed, so that a caller can say which.
#[derive(Debug)]
pub enum NewFileError {
    /// The file could not be created: it exists (a link of that name counts), or cannot be made.
    Create(io::Error),
    /// Writing or syncing its content failed; the file was removed.
    Write(io::Error),
    /// The file is written and synced, but its directory could not be synced.
    SyncDir(io::Error),
}

impl From<NewFileError> for io::Error {
    fn from(e: NewFileError) -> io::Error {
        match e {
            NewFileError::Create(e) | NewFileError::Write(e) | NewFileError::SyncDir(e) => e,
        }
    }
}

/// [`write_new_with`] for the file at `path` (in [`parent_dir`]`(path)`), which must not exist, made
/// with the permission bits `mode` (less the umask): for a file named by the user, such as a new key.
pub fn write_new_path(
    path: &Path,
    mode: u32,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> Result<(), NewFileError> {
    write_new_at(parent_dir(path), path, mode, write)
}

/// Creates `path` (in `dir`) exclusively with `mode`, writes it by `write`, syncs it (removing it if
/// either fails), then syncs `dir`.
fn write_new_at(
    dir: &Path,
    path: &Path,
    mode: u32,
    write: &mut dyn FnMut(&mut File) -> io::Result<()>,
) -> Result<(), NewFileError> {
    let mut f = create_new_mode(path, mode).map_err(NewFileError::Create)?;
    if let Err(e) = write(&mut f).and_then(|()| f.sync_all()) {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(NewFileError::Write(e));
    }
    sync_dir(dir).map_err(NewFileError::SyncDir)
}

/// Renames `dir/name` to the first free name among `base`, `base-2`, `base-3`, … (never replacing
/// anything, never following a link in its place) and syncs the directory; returns the new name.
/// Evidence set aside this way is never deleted.
pub fn move_aside(dir: &Path, name: &str, base: &str) -> io::Result<String> {
    let from = dir.join(name);
    refuse_link(&from)?;
    for n in 1..1000 {
        let to = match n {
            1 => base.to_string(),
            n => format!("{base}-{n}"),
        };
        if std::fs::symlink_metadata(dir.join(&to)).is_ok() {
            continue;
        }
        std::fs::rename(&from, dir.join(&to))?;
        sync_dir(dir)?;
        return Ok(to);
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("too many files named {base}* beside {}", from.display()),
    ))
}

/// Fails if `path` exists and is a symbolic link (for directories and for files opened by others,
/// such as the storage engine's).
pub fn refuse_link(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(link_refused(path)),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Fails if `dir` or anything directly in it or in its subdirectories, `depth` levels down, is a
/// symbolic link (the storage engine's directory is checked so before the engine opens its files).
pub fn refuse_links_below(dir: &Path, depth: u32) -> io::Result<()> {
    refuse_link(dir)?;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let t = entry.file_type()?;
        if t.is_symlink() {
            return Err(link_refused(&entry.path()));
        }
        if t.is_dir() && depth > 0 {
            refuse_links_below(&entry.path(), depth - 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_made_whole_and_never_over_anything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheet.csv");
        create_path_atomic(&path, 0o600, &mut |f| f.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        // An existing file is refused and kept.
        let e = create_path_atomic(&path, 0o600, &mut |f| f.write_all(b"two")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        // A link of that name is refused, and what it points at is left alone.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_path_atomic(&link, 0o600, &mut |f| f.write_all(b"x")).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
        // A write that fails leaves nothing behind.
        let other = dir.path().join("other.csv");
        assert!(create_path_atomic(&other, 0o600, &mut |_| Err(io::Error::other("full"))).is_err());
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["link.csv", "sheet.csv", "victim"]);
    }

    #[test]
    fn links_are_refused_and_never_followed() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside");
        std::fs::write(&outside, b"precious").unwrap();
        let dir = d.path().join("ledger");
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("HEAD")).unwrap();
        std::os::unix::fs::symlink(d.path().join("nowhere"), dir.join("LOCK")).unwrap();

        let e = open_read(&dir.join("HEAD")).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(open_rw(&dir.join("HEAD"), true).is_err());
        assert!(open_rw(&dir.join("LOCK"), true).is_err());
        assert!(
            !d.path().join("nowhere").exists(),
            "a dangling link was followed"
        );
        assert!(create_new(&dir.join("LOCK")).is_err());
        assert!(read_bounded(&dir.join("HEAD"), 100).is_err());
        assert!(refuse_links_below(&dir, 1).is_err());

        // Replacing a link replaces the link, not its target.
        replace(&dir, "HEAD", b"new").unwrap();
        assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
        assert_eq!(std::fs::read(dir.join("HEAD")).unwrap(), b"new");
        assert!(
            !std::fs::symlink_metadata(dir.join("HEAD"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn reads_are_size_checked_first() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big");
        let f = File::create(&p).unwrap();
        f.set_len(1 << 40).unwrap();
        let e = read_bounded(&p, 4096).unwrap_err();
        assert!(e.to_string().contains("more than the 4096"), "{e}");
        assert_eq!(read_bounded(&d.path().join("none"), 10).unwrap(), None);
        write_new(d.path(), "small", b"abc").unwrap();
        assert_eq!(
            read_bounded(&d.path().join("small"), 3).unwrap().unwrap(),
            b"abc"
        );
        assert!(
            write_new(d.path(), "small", b"x").is_err(),
            "overwrote a file"
        );
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_path_is_replaced_with_its_mode_and_a_failed_write_changes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.txt");
        replace_path(&p, 0o600, &mut |f| f.write_all(b"first")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        assert_eq!(mode(&p), 0o600);
        replace_path(&p, 0o600, &mut |f| f.write_all(b"second")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");

        let e = replace_path(&p, 0o600, &mut |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("the disk is full"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "the disk is full");
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert_eq!(names(d.path()), ["out.txt"], "a temporary file was left");

        // A link in its place is replaced, its target untouched.
        let outside = d.path().join("outside");
        std::fs::write(&outside, b"precious").unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        replace_path(&link, 0o600, &mut |f| f.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
        assert_eq!(std::fs::read(&link).unwrap(), b"new");
    }

    #[test]
    fn a_new_path_is_created_once_with_its_mode_and_a_failed_write_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("secret");
        write_new_path(&p, 0o600, &mut |f| f.write_all(b"key\n")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"key\n");
        assert_eq!(mode(&p), 0o600);

        let again = write_new_path(&p, 0o600, &mut |f| f.write_all(b"other"));
        assert!(
            matches!(&again, Err(NewFileError::Create(e)) if e.kind() == io::ErrorKind::AlreadyExists),
            "{again:?}"
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"key\n");

        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink(d.path().join("nowhere"), &dangling).unwrap();
        let linked = write_new_path(&dangling, 0o600, &mut |f| f.write_all(b"x"));
        assert!(matches!(linked, Err(NewFileError::Create(_))), "{linked:?}");
        assert!(!d.path().join("nowhere").exists(), "a link was followed");

        let failed = write_new_path(&d.path().join("new"), 0o600, &mut |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("the disk is full"))
        });
        assert!(
            matches!(&failed, Err(NewFileError::Write(e)) if e.to_string() == "the disk is full"),
            "{failed:?}"
        );
        assert_eq!(names(d.path()), ["dangling", "secret"], "a file was left");
    }

    #[test]
    fn a_bare_name_is_in_the_working_directory() {
        assert_eq!(parent_dir(Path::new("out.csv")), Path::new("."));
        assert_eq!(parent_dir(Path::new("a/out.csv")), Path::new("a"));
        assert_eq!(parent_dir(Path::new("/out.csv")), Path::new("/"));
    }
}
