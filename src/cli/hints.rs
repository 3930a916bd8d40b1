//! What to do next: the sentence the command line adds to each kind of library error.
//!
//! The library's errors say what is wrong, with the data to find it, and never name a command, a flag
//! or a variable ([`hyoka::error::Error::kind`]); the front end knows its own commands, so the hint of what to
//! do next is written here, once per kind. The hint is appended to the library's message on the same
//! line (it starts with its own separator, `: ` or `; `). Who holds a busy ledger is said here too.

use hyoka::domain::state::Refused;
use hyoka::domain::text;
use hyoka::error::Error;
use hyoka::import::prepare::EraChoice;

/// The hint for `e`, with its leading separator; empty when the message says it all.
pub fn hint(e: &Error) -> String {
    match e {
        Error::NotInitialised(_) => ": create one with `hyoka init --plan NAME` or `hyoka import FILE`, or point --ledger at an existing one".into(),
        Error::AlreadyInitialised(_) => {
            ": use it as it is, or choose another directory with --ledger".into()
        }
        Error::Refused(r) => refused(r),
        Error::RefusedAt {
            refused: Refused::ItemWithdrawn(n),
            ..
        } => format!(" in the ledger; reinstate it with `hyoka item reinstate {n}` or remove its row"),
        Error::RefusedAt { refused: r, .. } => refused(r),
        Error::NoSuchSeq { .. } => "; see `hyoka log`".into(),
        Error::NotInCheckpoint { .. } => {
            "; prove it against a newer checkpoint (`hyoka checkpoint` prints the ledger's)".into()
        }
        Error::EraNeeded(_) => {
            "; give it with --era heisei or --era reiwa, or write the era in the file's header".into()
        }
        Error::PointNeeded(_) => {
            "; give it with --point (e.g. --point 令和元年度末)".into()
        }
        Error::NoLayout(_) => {
            " (README: \"Your own sheet\"; the known layouts are in fixtures/layouts/) and give it with --layout FILE".into()
        }
        Error::KeyNotOfOrigin { .. } => {
            "; generate one with `hyoka key generate --output FILE`".into()
        }
        Error::Unsigned(_) => {
            "; give your key with --key FILE (or set HYOKA_KEY): your own, current key".into()
        }
        Error::Unsettled(_) => "; run `hyoka verify` before going on".into(),
        Error::Internal(_) => {
            " (a bug in hyoka, not in your data: please report it with the command that caused it)"
                .into()
        }
        Error::Integrity(
            hyoka::error::IntegrityError::IndexMismatch { .. }
            | hyoka::error::IntegrityError::SnapshotMismatch { .. },
        ) => ": rebuild it by restoring the ledger from an export or backup (`hyoka export`, then `hyoka restore`), which rebuilds all derived data; the history cannot be trusted until the ledger is restored from a backup".into(),
        Error::Integrity(_) => {
            "; the history cannot be trusted until the ledger is restored from a backup".into()
        }
        Error::Io { .. } => "; check the path, permissions and free space, then try again".into(),
        Error::DiskFull { .. } => "; free some space on that disk, or move the ledger to a disk with room (copy its whole directory there with `cp -a` and give the copy as --ledger), then try again".into(),
        Error::NoRoom { .. } => "; free some space on that disk, or use a disk with room: give --ledger a directory there (to move an existing ledger, copy its whole directory with `cp -a`, or `hyoka backup DIR` there then `hyoka restore`), then try again".into(),
        _ => String::new(),
    }
}

/// The hint for a refusal of the domain rules.
pub fn refused(r: &Refused) -> String {
    match r {
        Refused::NoPlan => ": run `hyoka init` first".into(),
        Refused::NoSuchItem(_) => {
            ": list the items with `hyoka table`, or add it with `hyoka item add`".into()
        }
        Refused::ItemWithdrawn(n) => {
            format!(": reinstate it with `hyoka item reinstate {n}` first")
        }
        Refused::ItemExists(n) => format!("; correct it with `hyoka item amend {n}`"),
        Refused::Version1(why) if why.contains("heading rename") => {
            "; in this ledger rename it item by item (hyoka item amend ID --category NEW), or start a new ledger for the plan (hyoka export, then hyoka init and hyoka import)".into()
        }
        Refused::Version1(_) => {
            "; this ledger was created by an earlier hyoka and keeps that version: to use this, start a new ledger for the plan (hyoka init, or hyoka import of its table into a new --ledger)".into()
        }
        Refused::EarlyPoint { .. } => {
            "; check the point, and if it is right give --new-point".into()
        }
        Refused::NewPoint { next, .. } if next.is_empty() => {
            "; check the point, and if it is right give --new-point".into()
        }
        Refused::NewPoint { next, .. } => {
            format!(
                " (the next point is {next}); check the point, and if it is right give --new-point"
            )
        }
        _ => String::new(),
    }
}

/// The most characters of a lock holder's command line shown.
const HOLDER_COMMAND_MAX: usize = 120;

/// Who holds a ledger, in words: `process 1234 (hyoka log) is using it` (pid and command line, escaped
/// and cut), or that this cannot be told here.
pub fn holders_text(holders: &hyoka::os::lock::Holders) -> String {
    use hyoka::os::lock::Holders;
    match holders {
        Holders::Known(h) if !h.is_empty() => {
            let named: Vec<String> = h
                .iter()
                .map(|h| match &h.command {
                    Some(c) => {
                        let mut shown: String = c.chars().take(HOLDER_COMMAND_MAX).collect();
                        if shown.len() < c.len() {
                            shown.push('…');
                        }
                        format!("process {} ({})", h.pid, text::escape(&shown))
                    }
                    None => format!("process {}", h.pid),
                })
                .collect();
            format!(
                "{} {} using it",
                named.join(", "),
                if h.len() == 1 { "is" } else { "are" }
            )
        }
        // Released between the attempt and the look (try again), or held where this system does
        // not show it.
        Holders::Known(_) => "another process was using it".to_string(),
        Holders::Unknown => {
            "another process is using it (which one cannot be told here: no /proc/locks)"
                .to_string()
        }
    }
}

/// The message for a busy ledger: who holds it, and what to do.
pub fn busy(dir: &std::path::Path, holders: &hyoka::os::lock::Holders) -> String {
    let who = holders_text(holders);
    format!(
        "the ledger at {} is busy: {who}; try again, or pass --wait SECONDS",
        dir.display()
    )
}

/// Where an import's era came from, e.g. `heisei (from --era)`.
pub fn era_choice(c: EraChoice) -> String {
    match c {
        EraChoice::Flag(e) => format!("{} (from --era)", e.romaji()),
        EraChoice::Plan(e) => format!("{} (the plan's default era)", e.romaji()),
        EraChoice::Default(e) => format!("{} (no era given; set one with --era)", e.romaji()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Every kind the command line hints for, with the full line a user sees.
    #[test]
    fn each_kind_gets_its_hint_and_exit_code() {
        let cases: Vec<(Error, &str, u8)> = vec![
            (
                Error::NotInitialised(PathBuf::from("l")),
                "no ledger at l: create one with `hyoka init --plan NAME` or `hyoka import FILE`, or point --ledger at an existing one",
                1,
            ),
            (
                Error::Refused(Refused::ItemExists(4.into())),
                "item 4 already exists; correct it with `hyoka item amend 4`",
                1,
            ),
            (
                Error::RefusedAt {
                    line: 9,
                    refused: Refused::ItemWithdrawn(4.into()),
                },
                "line 9: item 4 is withdrawn in the ledger; reinstate it with `hyoka item reinstate 4` or remove its row",
                1,
            ),
            (
                Error::RefusedAt {
                    line: 9,
                    refused: Refused::NoSuchItem(4.into()),
                },
                "line 9: there is no item 4: list the items with `hyoka table`, or add it with `hyoka item add`",
                1,
            ),
            (
                Error::NoSuchSeq { seq: 9, len: 3 },
                "there is no event seq:9: the ledger holds #0..#2 (3 events); see `hyoka log`",
                1,
            ),
            (
                Error::Integrity(hyoka::error::IntegrityError::IndexMismatch {
                    detail: "item 3 lists event 9".into(),
                }),
                "integrity failure: index mismatch: the per-item index is damaged (item 3 lists event 9); it is derived data and the events are intact: rebuild it by restoring the ledger from an export or backup (`hyoka export`, then `hyoka restore`), which rebuilds all derived data; the history cannot be trusted until the ledger is restored from a backup",
                3,
            ),
            (
                Error::Unsigned("the key given is not P1a2b3c4d's current key".into()),
                "the key given is not P1a2b3c4d's current key; give your key with --key FILE (or set HYOKA_KEY): your own, current key",
                1,
            ),
            (
                Error::Internal("no state".into()),
                "internal error: no state (a bug in hyoka, not in your data: please report it with the command that caused it)",
                70,
            ),
            (
                Error::Integrity(hyoka::error::IntegrityError::BadGenesis),
                "integrity failure: event 0: broken link: the first event must record a zero previous hash; the history cannot be trusted until the ledger is restored from a backup",
                3,
            ),
        ];
        for (e, line, code) in cases {
            assert_eq!(format!("{e}{}", hint(&e)), line);
            assert_eq!(super::super::failure::exit_code(&e), code, "{line}");
        }
    }
}
