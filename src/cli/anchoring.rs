//! Opening a ledger to write or to read, the log key and anchoring: `key use`, `anchor`, `init --log-key`.

use std::path::{Path, PathBuf};

use hyoka::ledger::Ledger;
use hyoka::store::journal::Recovery;
use hyoka::tlog::note::SignerKey;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::output::out;

/// Where a writer looks for the ledger's private log key when none is named: `DIR.log-key` beside the
/// ledger directory `DIR` (never inside it: a copy of the directory must not carry the secret).
pub fn default_log_key(ledger: &Path) -> PathBuf {
    let mut name = ledger
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "hyoka-ledger".into());
    name.push(".log-key");
    ledger.with_file_name(name)
}

/// Prints what opening found beyond the journal's last whole record.
pub fn tell_recovery(ledger: &Ledger) {
    match ledger.recovery() {
        Some(Recovery::Cut {
            file,
            bytes,
            first_seq,
        }) => {
            let line = t!(
                "journal-cut",
                bytes = *bytes,
                seq = *first_seq,
                file = ledger.dir().join(file).display()
            );
            eprintln!("{}", t!("note-line", line = line));
        }
        Some(Recovery::Unfinished { bytes, first_seq }) => {
            let line = t!("journal-unfinished", bytes = *bytes, seq = *first_seq);
            eprintln!("{}", t!("note-line", line = line));
        }
        None => {}
    }
}

/// A ledger opened by a command, with the private copy it was opened from when its directory cannot
/// be written ([`open_reading`]): the copy is removed once the ledger is dropped (fields drop in order).
pub struct Reading {
    ledger: Ledger,
    _copy: Option<tempfile::TempDir>,
}

impl From<Ledger> for Reading {
    fn from(ledger: Ledger) -> Self {
        Reading {
            ledger,
            _copy: None,
        }
    }
}

impl std::ops::Deref for Reading {
    type Target = Ledger;
    fn deref(&self) -> &Ledger {
        &self.ledger
    }
}

impl std::ops::DerefMut for Reading {
    fn deref_mut(&mut self) -> &mut Ledger {
        &mut self.ledger
    }
}

/// Waits for the ledger as [`open_waiting`] does, saying so, for a command that then opens it through
/// the library (an import): a ledger still busy after the wait is the error.
pub(super) fn wait_turn(ctx: &Ctx) -> hyoka::error::Result<()> {
    open_waiting(ctx, |a| {
        Ledger::wait_until_free(&ctx.ledger, a.wait)?;
        Ok(())
    })
}

/// Opens the ledger with `open`; when it is busy and the command may wait (`--wait`), says on stderr
/// (once) who holds it before waiting for it.
pub(super) fn open_waiting<T>(
    ctx: &Ctx,
    open: impl Fn(hyoka::ledger::Access) -> hyoka::error::Result<T>,
) -> hyoka::error::Result<T> {
    let access = ctx.access();
    if access.wait.is_zero() {
        return open(access);
    }
    // A server that says it holds the ledger keeps it until it is stopped: it is named at once, without
    // waiting (a `SERVER` file left by a server that was killed does not hold the lock, and the ledger
    // opens).
    if hyoka::server::server_file::ServerFile::read(&ctx.ledger).is_some() {
        match open(hyoka::ledger::Access {
            wait: std::time::Duration::ZERO,
            ..access
        }) {
            Err(e @ hyoka::error::Error::Busy(..))
                if hyoka::server::server_file::ServerFile::read(&ctx.ledger).is_some() =>
            {
                return Err(e);
            }
            Err(hyoka::error::Error::Busy(..)) => {}
            other => return other,
        }
    }
    // A lock held for an instant (a process ending, a descriptor inherited across a fork) is waited
    // out quietly; one held longer is named.
    let quiet = access.wait.min(std::time::Duration::from_secs(1));
    match open(hyoka::ledger::Access {
        wait: quiet,
        ..access
    }) {
        // A server holds the ledger until it is stopped: waiting for it is no use.
        Err(e @ hyoka::error::Error::Busy(..))
            if hyoka::server::server_file::ServerFile::read(&ctx.ledger).is_some() =>
        {
            Err(e)
        }
        Err(hyoka::error::Error::Busy(_, holders)) => {
            let rest = access.wait - quiet;
            let line = t!(
                "busy-waiting",
                who = super::hints::holders_text(&holders),
                seconds = rest.as_secs()
            );
            eprintln!("{}", t!("note-line", line = line));
            open(hyoka::ledger::Access {
                wait: rest,
                ..access
            })
        }
        other => other,
    }
}

/// Opens the ledger to read only: nothing in its directory is changed. When the directory cannot be
/// written (a read-only medium: neither its lock nor the storage engine can open its files there),
/// its files are copied into a private temporary directory, said so on stderr, and the copy is read
/// (`verifying`: the note says that verifying the copy verifies the ledger's files).
pub fn open_reading(ctx: &Ctx, verifying: bool) -> Result<Reading, hyoka::error::Error> {
    use hyoka::ledger::reader_copy::{self, ReaderCopy};
    let e = match open_waiting(ctx, |a| Ledger::open_read(&ctx.ledger, a)) {
        Ok(ledger) => return Ok(ledger.into()),
        Err(e) if reader_copy::is_unwritable(&e, &ctx.ledger) => e,
        Err(e) => return Err(e),
    };
    let copy = ReaderCopy::plan(&ctx.ledger)?;
    let tmp = tempfile::Builder::new()
        .prefix("hyoka-read-")
        .tempdir()
        .map_err(|source| hyoka::error::Error::Io {
            context: hyoka::error::IoDoing::Said(t!(
                "read-copy-no-temp",
                error = super::errors::error(&e)
            )),
            source,
        })?;
    let why = match reader_copy::on_read_only_fs(&ctx.ledger) {
        true => t!("read-copy-read-only"),
        false => t!("read-copy-not-writable"),
    };
    let line = t!(
        "read-copy",
        why = why,
        size = mib(copy.bytes()),
        dir = tmp.path().display(),
        verifying = if verifying { "yes" } else { "no" }
    );
    eprintln!("{}", t!("note-line", line = line));
    let dir = tmp.path().join("ledger");
    copy.make(&ctx.ledger, &dir)?;
    let ledger = Ledger::open_read(&dir, ctx.access())?;
    Ok(Reading {
        ledger,
        _copy: Some(tmp),
    })
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// [`open_reading`], telling what opening found beyond the journal's last whole record.
pub fn open_read(ctx: &Ctx) -> Result<Reading, Failure> {
    let ledger = open_reading(ctx, false)?;
    tell_recovery(&ledger);
    Ok(ledger)
}

/// Opens the ledger to write, and hands it the log key when this writer holds it (`--log-key`, else
/// the default file beside the ledger when the ledger has a log key): every commit is then anchored
/// by a signed checkpoint.
pub fn open_write(ctx: &Ctx) -> Result<Ledger, Failure> {
    let mut ledger = open_waiting(ctx, |a| Ledger::open(&ctx.ledger, a))?;
    tell_recovery(&ledger);
    attach_log_key(ctx, &mut ledger)?;
    Ok(ledger)
}

fn attach_log_key(ctx: &Ctx, ledger: &mut Ledger) -> Result<(), Failure> {
    if let Some(key) = held_log_key(ctx)? {
        ledger.use_log_key(key)?;
    }
    Ok(())
}

/// The private log key this writer holds, if any: `--log-key FILE` (an error if the ledger has no log
/// key), else `DIR.log-key` beside the ledger when the ledger has a log key and that file exists.
pub fn held_log_key(ctx: &Ctx) -> Result<Option<SignerKey>, Failure> {
    let has_log_key = match hyoka::ledger::anchor::log_key(&ctx.ledger) {
        Ok(k) => k.is_some(),
        // No ledger yet (an import creating one), or a damaged LOGKEY, which opening reports.
        Err(_) => false,
    };
    let path = match &ctx.log_key {
        Some(p) => p.clone(),
        None if has_log_key => default_log_key(&ctx.ledger),
        None => return Ok(None),
    };
    if ctx.log_key.is_none() && std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    if !has_log_key {
        return Err(t!("log-key-none-yet", file = path.display()).into());
    }
    Ok(Some(super::keys::read_signer(&path)?))
}

/// Refuses a private key file inside the ledger directory: copies of the ledger must not carry it.
pub(super) fn refuse_inside(ledger: &Path, key: &Path) -> Result<(), Failure> {
    if super::output::is_inside_ledger(ledger, key) {
        return Err(t!(
            "key-inside-ledger",
            file = key.display(),
            suggested = default_log_key(ledger).display()
        )
        .into());
    }
    Ok(())
}

/// `hyoka key use FILE`: makes the key in FILE the ledger's log key.
pub fn key_use(ctx: &Ctx, file: &Path) -> Result<(), Failure> {
    refuse_inside(&ctx.ledger, file)?;
    let key = super::keys::read_signer(file)?;
    let mut ledger = open_waiting(ctx, |a| Ledger::open(&ctx.ledger, a))?;
    tell_recovery(&ledger);
    let new = ledger.set_log_key(&key)?;
    say_log_key(&ledger, &key, file, new);
    ledger.use_log_key(key)?;
    ledger.anchor()?;
    Ok(())
}

fn say_log_key(ledger: &Ledger, key: &SignerKey, file: &Path, new: bool) {
    let label = format!(
        "{}+{:08x}",
        hyoka::domain::text::escape(key.name()),
        key.key_id()
    );
    match new {
        true => out(t!(
            "log-key-now",
            key = label,
            file = ledger
                .dir()
                .join(hyoka::ledger::anchor::LOG_KEY_FILE)
                .display()
        )),
        false => out(t!("log-key-already", key = label)),
    }
    let default = default_log_key(ledger.dir());
    let found = match file.canonicalize().ok() == default.canonicalize().ok() {
        true => t!("log-key-found-there"),
        false => t!(
            "log-key-found-with-flag",
            file = file.display(),
            default = default.display()
        ),
    };
    out(t!("log-key-anchors", found = found, file = file.display()));
}

/// `init --log-key FILE`: the new ledger's log key, from FILE, or a new key written to FILE (0600).
pub fn init_log_key(ctx: &Ctx, ledger: &mut Ledger, file: &Path) -> Result<(), Failure> {
    refuse_inside(&ctx.ledger, file)?;
    let key = match std::fs::symlink_metadata(file) {
        Ok(_) => super::keys::read_signer(file)?,
        Err(_) => {
            let key = SignerKey::generate(&ledger.origin()?)
                .map_err(|e| super::damage::note_error(&e))?;
            super::keys::create_secret_file(file, &format!("{}\n", key.to_text()))?;
            eprintln!("{}", t!("log-key-wrote", file = file.display()));
            key
        }
    };
    let new = ledger.set_log_key(&key)?;
    say_log_key(ledger, &key, file, new);
    ledger.use_log_key(key)?;
    ledger.anchor()?;
    Ok(())
}

/// The log key of a ledger being given people (`init --admin`, `people enable`): read from its file,
/// or made new and not yet written ([`LogKey::write`]), so that nothing is left behind if the ledger
/// refuses the change.
pub struct LogKey {
    /// The private key.
    pub key: SignerKey,
    /// Its file.
    pub path: PathBuf,
    /// Made now: its file is written by [`LogKey::write`].
    pub new: bool,
}

impl LogKey {
    /// The log key in `--log-key FILE`, else in `DIR.log-key` beside the ledger: the key in that file
    /// if it exists (read under the mode rule of every private key), else a new key named `origin`.
    pub fn for_origin(ctx: &Ctx, origin: &str) -> Result<LogKey, Failure> {
        let path = ctx
            .log_key
            .clone()
            .unwrap_or_else(|| default_log_key(&ctx.ledger));
        refuse_inside(&ctx.ledger, &path)?;
        if std::fs::symlink_metadata(&path).is_err() {
            let key = SignerKey::generate(origin).map_err(|e| super::damage::note_error(&e))?;
            return Ok(LogKey {
                key,
                path,
                new: true,
            });
        }
        let key = super::keys::read_signer(&path)?;
        if key.name() != origin {
            return Err(t!(
                "log-key-other-origin",
                file = path.display(),
                name = hyoka::domain::text::escape(key.name()),
                origin = hyoka::domain::text::escape(origin)
            )
            .into());
        }
        Ok(LogKey {
            key,
            path,
            new: false,
        })
    }

    /// Writes a new key's file (mode 0600, never overwriting); [`LogKey::adopt`] says where.
    pub fn write(&self) -> Result<(), Failure> {
        if self.new {
            super::keys::create_secret_file(&self.path, &format!("{}\n", self.key.to_text()))?;
        }
        Ok(())
    }

    /// Removes the file [`LogKey::write`] made, after the ledger refused the change that named it.
    pub fn unwrite(&self) {
        if self.new {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Makes it the ledger's log key, as `init --log-key` does: recorded, held, and the events so far
    /// anchored by a checkpoint signed with it.
    pub fn adopt(self, ledger: &mut Ledger) -> Result<(), Failure> {
        if self.new {
            out(t!("log-key-wrote-new", file = self.path.display()));
        }
        let new = ledger.set_log_key(&self.key)?;
        say_log_key(ledger, &self.key, &self.path, new);
        ledger.use_log_key(self.key)?;
        ledger.anchor()?;
        Ok(())
    }
}

/// `hyoka anchor on|off`: anchors every commit (the anchor record), or stops.
pub fn anchor(ctx: &Ctx, on: Option<bool>) -> Result<(), Failure> {
    let mut ledger = match on {
        Some(_) => Reading::from(open_write(ctx)?),
        None => open_read(ctx)?,
    };
    if let Some(on) = on {
        ledger.set_anchoring(on)?;
    }
    let has_log_key = hyoka::ledger::anchor::log_key(ledger.dir())?.is_some();
    out(t!(
        "anchor-setting",
        state = if ledger.anchoring_setting() {
            "on"
        } else {
            "off"
        }
    ));
    out(match has_log_key {
        true => t!("anchor-log-key-set"),
        false => t!("anchor-log-key-none"),
    });
    let v = ledger.vouched();
    out(t!(
        "anchor-vouched",
        vouched = v.events,
        count = ledger.len(),
        rest = if v.events < ledger.len() { "yes" } else { "no" }
    ));
    Ok(())
}
