//! Printing: stdout for results, stderr for progress. All user data is escaped before it is printed.

use std::io::{IsTerminal, Write};

use hyoka::domain::event::StoredEvent;
use hyoka::domain::event::{self, Hash};
use hyoka::domain::{text, when};
use hyoka::evidence::transparency::{KeptCheck, KeySource};
use hyoka::ledger::VouchedBy;
use hyoka::ledger::anchor::Signature;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::i18n::t;

/// Prints one line to stdout, ignoring a closed pipe (`hyoka log | head`).
pub fn out(line: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", line.as_ref());
}

/// Writes `bytes` to stdout whole (a closed pipe, as in `hyoka man | head`, is not an error).
pub fn write_stdout(bytes: &[u8]) -> Result<(), super::failure::Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(cannot_write_stdout(&e)),
        _ => Ok(()),
    }
}

/// The failure to write to stdout.
pub fn cannot_write_stdout(e: &std::io::Error) -> super::failure::Failure {
    t!("cannot-write-stdout", error = super::damage::os(e)).into()
}

/// The first 12 hex digits of a hash.
pub fn short(h: &Hash) -> String {
    event::hex(h)[..12].to_string()
}

/// One line of `hyoka log`: seq, time, author, what changed, reason, hash (people as
/// [`super::names::shown`] shows them).
///
/// With a `width` (a terminal's, or `COLUMNS`) the line fits it: what changed and why are cut with `…`
/// so that the seq, time and author at its start and the hash at its end stay whole.
pub fn log_line(e: &StoredEvent, names: &super::names::Names, width: Option<usize>) -> String {
    let ev = &e.event;
    let source = ev.source.as_ref().map_or(String::new(), |s| {
        t!("log-source", file = text::escape(&s.file_name))
    });
    let head = format!(
        "{}  ",
        t!(
            "log-head",
            seq = format!("{:<6}", ev.seq),
            time = when::format_text(ev.recorded_at),
            author = text::escape(&super::names::shown(names, &ev.author))
        )
    );
    let middle = t!(
        "log-middle",
        what = text::escape(&super::names::described(&ev.change, names)),
        reason = text::escape(&ev.reason),
        source = source
    );
    let tail = format!("  {}", t!("log-tail", hash = short(&e.hash)));
    let Some(width) = width else {
        return format!("{head}{middle}{tail}");
    };
    use hyoka::views::width::{display_width, truncate};
    let room = width.saturating_sub(display_width(&head) + display_width(&tail));
    match room {
        // Too narrow for the ends: the line cut whole.
        0..=2 => truncate(&format!("{head}{middle}{tail}"), width),
        _ => format!("{head}{}{tail}", truncate(&middle, room)),
    }
}

/// After an append whose clock was behind the last event: one line on stderr saying so (the results on
/// stdout, JSON included, are unchanged).
pub fn clock_behind(c: Option<&hyoka::ledger::ClockBehind>) {
    if let Some(c) = c {
        let line = t!(
            "clock-behind",
            clock = when::format_text(c.clock),
            recorded = when::format_text(c.recorded_at),
            seq = c.seq
        );
        eprintln!("{}", t!("warning-line", line = line));
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total < 10_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!(
        "{{msg}} {{bar:30}} {{pos}}/{{len}} {} ({{per_sec}})",
        t!("progress-events")
    );
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// The lines of a successful verification: what was verified and how far the directory vouches for
/// it, head hash and root.
pub fn verified(report: &hyoka::ledger::VerifyReport) {
    let v = report.vouched;
    let by = match v.by {
        VouchedBy::Store => t!("vouched-by-store"),
        VouchedBy::Anchor => t!("by-anchor-record"),
        VouchedBy::SignedAnchor => t!("by-signed-anchor"),
        VouchedBy::SignedCheckpoint => t!("by-signed-checkpoint"),
        VouchedBy::GivenCheckpoint => t!("vouched-by-given-checkpoint"),
    };
    match v.events {
        0 => out(t!("verified-none")),
        n => out(t!("verified", last = n - 1, count = n, by = by)),
    }
    if report.events > v.events {
        let (from, to) = (v.events, report.events - 1);
        out(t!(
            "verified-journal-only",
            first = from,
            last = to,
            count = report.events - v.events
        ));
    }
    out(head_line(&report.head_hash));
    out(root_line(&report.root));
}

/// `head: HASH`.
pub fn head_line(h: &Hash) -> String {
    t!("head-line", hash = event::hex(h))
}

/// `root: HASH (RFC 6962, SHA-256)`.
pub fn root_line(h: &Hash) -> String {
    t!("root-line", hash = event::hex(h))
}

/// The JSON object of a successful verification (schema/verify.schema.json); callers add fields.
pub fn verified_json(report: &hyoka::ledger::VerifyReport) -> serde_json::Value {
    serde_json::json!({
        "ok": true,
        "events": report.events,
        "vouched_through": report.vouched.events.checked_sub(1),
        "vouched_by": report.vouched.by.name(),
        "journal_only": report.events - report.vouched.events.min(report.events),
        "head_hash": event::hex(&report.head_hash),
        "root": event::hex(&report.root),
    })
}

fn key_source(k: &KeptCheck) -> String {
    match k.key {
        KeySource::Given => t!("key-source-given"),
        KeySource::LogKey => t!("key-source-log-key"),
        KeySource::None => t!("key-source-none"),
    }
}

/// What `verify` found of the last checkpoint the ledger signed.
pub fn kept_lines(k: &KeptCheck) {
    match (&k.ignored, &k.signature, k.size) {
        (Some(why), _, _) => out(t!(
            "warning-line",
            line = t!("kept-ignored", why = text::escape(why))
        )),
        (None, Signature::Verified { key }, Some(size)) => out(t!(
            "kept-verified",
            size = size,
            key = text::escape(key),
            source = key_source(k)
        )),
        (None, _, Some(size)) => out(t!("kept-unchecked", size = size)),
        (None, _, None) => {}
    }
}

/// The JSON of [`kept_lines`] (schema/verify.schema.json, `kept_checkpoint`).
pub fn kept_json(k: &KeptCheck) -> serde_json::Value {
    let (signature, key) = match &k.signature {
        Signature::Verified { key } => ("verified", Some(key.as_str())),
        Signature::Failed { key, .. } => ("failed", Some(key.as_str())),
        Signature::Unchecked => ("unchecked", None),
    };
    serde_json::json!({
        "size": k.size,
        "signature": signature,
        "key": key,
        "key_source": match k.key {
            KeySource::Given => "vkey",
            KeySource::LogKey => "log_key",
            KeySource::None => "none",
        },
        "extended": k.extended,
        "ignored": k.ignored,
    })
}

/// Refuses to write `target` (`-o FILE`, `backup DIR`) inside the ledger directory: an output there
/// could replace or be mistaken for one of the ledger's own files, and a backup there is lost with the
/// ledger. Paths are compared canonically: the ledger directory and the target's parent are resolved
/// (symlinks, `..`, as far as they exist) and the target's name joined; a target that is a symlink into
/// the ledger directory counts as inside too. `flag` names the argument in the message.
pub fn refuse_inside_ledger(
    ledger: &std::path::Path,
    target: &std::path::Path,
    flag: &str,
) -> Result<(), super::failure::Failure> {
    if !is_inside_ledger(ledger, target) {
        return Ok(());
    }
    Err(super::failure::Failure::usage(t!(
        "output-inside-ledger",
        flag = flag,
        target = target.display(),
        ledger = ledger.display()
    )))
}

/// Whether `target` is, or would be written, inside the ledger directory `ledger` (see
/// [`refuse_inside_ledger`] for how paths are compared).
pub fn is_inside_ledger(ledger: &std::path::Path, target: &std::path::Path) -> bool {
    let dir = resolved(ledger, 0);
    let written = match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => resolved(&absolute(parent), 0).join(name),
        _ => resolved(target, 0),
    };
    let pointed = resolved(target, 0);
    written.starts_with(&dir) || pointed.starts_with(&dir)
}

/// `path` made absolute against the working directory (as it is, if that is unknown).
fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    match (path.is_absolute(), std::env::current_dir()) {
        (false, Ok(cwd)) => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// `path` resolved as far as it exists: its longest existing prefix canonicalised (symlinks followed,
/// `..` applied), then the rest joined; a dangling symlink is followed by hand (up to 40 links).
fn resolved(path: &std::path::Path, links: u32) -> std::path::PathBuf {
    let path = absolute(path);
    if let Ok(c) = std::fs::canonicalize(&path) {
        return c;
    }
    if links < 40
        && let Ok(to) = std::fs::read_link(&path)
    {
        let base = path.parent().unwrap_or(std::path::Path::new("/"));
        return resolved(&base.join(to), links + 1);
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => resolved(parent, links).join(name),
        // Ends in `..` (a `.` is dropped by `Path`): the parent of what precedes it.
        (Some(parent), None) => {
            let up = resolved(parent, links);
            up.parent().map_or(up.clone(), std::path::Path::to_path_buf)
        }
        (None, _) => path,
    }
}

/// What a command prints, kept while it reads the ledger so that the ledger is released before
/// anything is written to stdout (a reader whose output is not being read, `hyoka log | sleep 60`,
/// must not hold the ledger): in memory up to [`Spool::MEMORY`] bytes, then in a private temporary
/// file outside the ledger directory (created exclusively, mode 0600, already unlinked: it goes away
/// with the process).
pub struct Spool {
    memory: Vec<u8>,
    limit: usize,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl Spool {
    /// The most bytes kept in memory.
    pub const MEMORY: usize = 8 << 20;

    pub fn new() -> Spool {
        Spool::with_limit(Self::MEMORY)
    }

    fn with_limit(limit: usize) -> Spool {
        Spool {
            memory: Vec::new(),
            limit,
            file: None,
        }
    }

    /// Writes everything kept to stdout; a closed pipe ends it quietly.
    pub fn print(self) -> Result<(), super::failure::Failure> {
        let mut stdout = std::io::stdout().lock();
        match self.copy_to(&mut stdout).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(cannot_write_stdout(&e)),
            _ => Ok(()),
        }
    }

    fn copy_to(self, w: &mut dyn Write) -> std::io::Result<()> {
        use std::io::Seek;
        match self.file {
            None => w.write_all(&self.memory),
            Some(f) => {
                let mut f = f.into_inner().map_err(|e| e.into_error())?;
                f.rewind()?;
                std::io::copy(&mut f, w).map(drop)
            }
        }
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.file.is_none() && self.memory.len() + buf.len() > self.limit {
            // In the system's temporary directory: an anonymous file where the system has them.
            let mut f = std::io::BufWriter::with_capacity(1 << 20, tempfile::tempfile()?);
            f.write_all(&std::mem::take(&mut self.memory))?;
            self.file = Some(f);
        }
        match &mut self.file {
            Some(f) => f.write_all(buf)?,
            None => self.memory.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

/// The width to lay text out for: `COLUMNS` when it is set to a width (it wins, as for git and ls),
/// else the terminal's, else none (a pipe or a file).
pub(super) fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (20..=10_000).contains(n))
    {
        return Some(n);
    }
    // Stdout is the pager's pipe once it runs: the terminal's width was read before.
    if let Some(w) = super::pager::width() {
        return Some(w);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spool_keeps_everything_in_memory_then_in_a_file() {
        for limit in [usize::MAX, 10, 0] {
            let mut s = Spool::with_limit(limit);
            let mut expected = Vec::new();
            for i in 0..1000 {
                let line = format!("line {i}\n");
                s.write_all(line.as_bytes()).unwrap();
                expected.extend_from_slice(line.as_bytes());
            }
            s.flush().unwrap();
            assert_eq!(s.file.is_some(), limit < usize::MAX);
            let mut got = Vec::new();
            s.copy_to(&mut got).unwrap();
            assert_eq!(got, expected);
        }
    }
}
