//! Printing: stdout for results, stderr for progress. All user data is escaped before it is printed.

use std::io::{IsTerminal, Write};

use hyoka::event::{self, Hash};
use hyoka::ledger::StoredEvent;
use hyoka::{describe, text, when};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Prints one line to stdout, ignoring a closed pipe (`hyoka log | head`).
pub fn out(line: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", line.as_ref());
}

/// The first 12 hex digits of a hash.
pub fn short(h: &Hash) -> String {
    event::hex(h)[..12].to_string()
}

/// One line of `hyoka log`: seq, time, author, what changed, reason, hash.
pub fn log_line(e: &StoredEvent) -> String {
    let ev = &e.event;
    let source = ev.source.as_ref().map_or(String::new(), |s| {
        format!(" [from {}]", text::escape(&s.file_name))
    });
    format!(
        "#{:<6} {}  {}  {}  reason: {}{}  hash {}",
        ev.seq,
        when::format(ev.recorded_at),
        text::escape(&ev.author),
        text::escape(&describe::change(&ev.change)),
        text::escape(&ev.reason),
        source,
        short(&e.hash)
    )
}

/// After an append whose clock was behind the last event: one line on stderr saying so (the results on
/// stdout, JSON included, are unchanged).
pub fn clock_behind(c: Option<&hyoka::ledger::ClockBehind>) {
    if let Some(c) = c {
        eprintln!(
            "warning: 時計遅れ (clock behind): this machine's clock read {}, earlier than the last event's time {}, so the change was recorded at {} after a clock.behind event (#{}); fix this machine's clock",
            when::format(c.clock),
            when::format(c.recorded_at),
            when::format(c.recorded_at),
            c.seq
        );
    }
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress(total: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total < 10_000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} events ({per_sec})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// The lines of a successful verification: event count, head hash and root.
pub fn verified(report: &hyoka::ledger::VerifyReport) {
    out(format!(
        "ok: {} events verified, the history is intact",
        report.events
    ));
    out(format!("head: {}", event::hex(&report.head_hash)));
    out(format!(
        "root: {} (RFC 6962, SHA-256)",
        event::hex(&report.root)
    ));
}

/// The JSON object of a successful verification (schema/verify.schema.json); callers add fields.
pub fn verified_json(report: &hyoka::ledger::VerifyReport) -> serde_json::Value {
    serde_json::json!({
        "ok": true,
        "events": report.events,
        "head_hash": event::hex(&report.head_hash),
        "root": event::hex(&report.root),
    })
}
