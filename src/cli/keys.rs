//! Key files and small files a command reads or writes beside the ledger: private keys (mode checked
//! as ssh does), verifier keys, and files replaced atomically and durably.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use hyoka::os::safe_fs::{self, NewFileError};
use hyoka::tlog::note::{SignerKey, VerifierKey};

use super::failure::Failure;
use super::i18n::t;

/// The largest key file read (a key text is under 200 bytes).
const MAX_KEY_BYTES: usize = 4096;

/// Reads a small file, refusing one larger than `max` bytes.
pub(super) fn read_small(path: &Path, max: usize, what: &str) -> Result<Vec<u8>, Failure> {
    let file = File::open(path).map_err(|e| cannot_read(what, path, &e))?;
    read_open(file, path, max, what)
}

/// The failure to read `what` (a private key, a checkpoint) from `path`.
fn cannot_read(what: &str, path: &Path, e: &std::io::Error) -> Failure {
    t!(
        "keys-cannot-read",
        what = what,
        file = path.display(),
        error = super::damage::os(e)
    )
    .into()
}

/// Reads the open file `file` (from `path`), refusing one larger than `max` bytes.
fn read_open(file: File, path: &Path, max: usize, what: &str) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| cannot_read(what, path, &e))?;
    if buf.len() > max {
        return Err(t!(
            "keys-too-big",
            file = path.display(),
            max = max,
            what = what
        )
        .into());
    }
    Ok(buf)
}

/// Key file bytes as trimmed UTF-8 text.
fn key_text(bytes: Vec<u8>, path: &Path, what: &str) -> Result<String, Failure> {
    let text =
        String::from_utf8(bytes).map_err(|_| t!("not-utf8", file = path.display(), what = what))?;
    Ok(text.trim().to_string())
}

/// Reads a key file as trimmed UTF-8 text.
fn read_key_text(path: &Path, what: &str) -> Result<String, Failure> {
    key_text(read_small(path, MAX_KEY_BYTES, what)?, path, what)
}

/// Reads a private (signing) key file: the one way every command reads one (`checkpoint --key`,
/// `prove --key`, `backup --key`, and any later key). As ssh does, a key file that its group or others
/// may access in any way (mode & 0o077) is refused: a key others can read may no longer be secret. The
/// user's path is followed (a symlink is fine); the mode checked is that of the file itself, taken from
/// the open file, so it is the file that is read.
pub(super) fn read_signer(path: &Path) -> Result<SignerKey, Failure> {
    let what = t!("what-private-key");
    let file = File::open(path).map_err(|e| cannot_read(&what, path, &e))?;
    let mode = file_mode(&file, path)?;
    let text = key_text(read_open(file, path, MAX_KEY_BYTES, &what)?, path, &what)?;
    let key = SignerKey::parse(&text).map_err(|e| {
        Failure::from(t!(
            "keys-not-a-key",
            file = path.display(),
            error = super::damage::note_error(&e)
        ))
    })?;
    // Checked once the file is known to hold a private key: a file of another kind gets the clearer
    // message above.
    if let Some(mode) = mode.filter(|m| m & 0o077 != 0) {
        return Err(t!(
            "keys-mode",
            file = path.display(),
            mode = format!("{:04o}", mode & 0o7777)
        )
        .into());
    }
    Ok(key)
}

/// The permission bits of an open file (`None` where the platform has none).
fn file_mode(file: &File, path: &Path) -> Result<Option<u32>, Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file
            .metadata()
            .map_err(|e| cannot_read(&t!("what-private-key"), path, &e))?;
        Ok(Some(meta.permissions().mode()))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        Ok(None)
    }
}

/// `--vkey`: the verifier key text itself, or a file holding it.
pub(super) fn read_verifier(arg: &str) -> Result<VerifierKey, Failure> {
    let as_text = match VerifierKey::parse(arg.trim()) {
        Ok(k) => return Ok(k),
        Err(e) => e,
    };
    let path = Path::new(arg);
    if !path.is_file() {
        return Err(t!(
            "keys-vkey-not-a-key",
            error = super::damage::note_error(&as_text)
        )
        .into());
    }
    let text = read_key_text(path, &t!("what-verifier-key"))?;
    if text.trim_start().starts_with("PRIVATE+KEY+") {
        return Err(t!("keys-vkey-private", file = path.display()).into());
    }
    VerifierKey::parse(&text).map_err(|e| {
        t!(
            "keys-vkey-file-not-a-key",
            file = path.display(),
            error = super::damage::note_error(&e)
        )
        .into()
    })
}

/// The permission bits of the files a command writes for the user (outputs, exports, proofs,
/// checkpoints, backups): readable by its owner only, as they have always been written.
pub(super) const OUTPUT_MODE: u32 = 0o600;

/// The permission bits of a new private key file.
const SECRET_MODE: u32 = 0o600;

/// Creates `path` with mode 0600 (never overwriting) and writes `contents`, durably.
pub(super) fn create_secret_file(path: &Path, contents: &str) -> Result<(), Failure> {
    let written =
        safe_fs::write_new_path(path, SECRET_MODE, &mut |f| f.write_all(contents.as_bytes()));
    written.map_err(|e| {
        match e {
            NewFileError::Create(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                t!("keys-exists", file = path.display())
            }
            NewFileError::Create(e) => t!(
                "cannot-create-file",
                file = path.display(),
                error = super::damage::os(&e)
            ),
            NewFileError::Write(e) => t!(
                "cannot-write-file",
                file = path.display(),
                error = super::damage::os(&e)
            ),
            NewFileError::SyncDir(e) => t!(
                "cannot-fsync",
                dir = safe_fs::parent_dir(path).display(),
                error = super::damage::os(&e)
            ),
        }
        .into()
    })
}

/// Replaces `path` with `contents` atomically and durably (a temporary file beside it, synced, then
/// renamed, then the directory synced).
pub(super) fn replace_file(path: &Path, contents: &str) -> Result<(), Failure> {
    safe_fs::replace_path(path, OUTPUT_MODE, &mut |f| f.write_all(contents.as_bytes())).map_err(
        |e| {
            t!(
                "cannot-write-file",
                file = path.display(),
                error = super::damage::os(&e)
            )
            .into()
        },
    )
}
