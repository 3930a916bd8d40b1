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

use super::i18n::t;

/// The hint for `e`, with its leading separator; empty when the message says it all.
pub fn hint(e: &Error) -> String {
    match e {
        Error::NotInitialised(_) => t!("hint-not-initialised"),
        Error::AlreadyInitialised(_) => t!("hint-already-initialised"),
        Error::Refused(r) => refused(r),
        Error::RefusedAt {
            refused: Refused::ItemWithdrawn(n),
            ..
        } => t!("hint-item-withdrawn-at", id = n.as_str()),
        Error::RefusedAt { refused: r, .. } => refused(r),
        Error::NoSuchSeq { .. } => t!("hint-no-such-seq"),
        Error::NotInCheckpoint { .. } => t!("hint-not-in-checkpoint"),
        Error::EraNeeded { .. } => t!("hint-era-needed"),
        Error::PointNeeded { .. } => t!("hint-point-needed"),
        Error::NoLayout { .. } => t!("hint-no-layout"),
        Error::KeyNotOfOrigin { .. } => t!("hint-key-not-of-origin"),
        Error::Unsigned(_) => t!("hint-unsigned"),
        Error::Unsettled(_) => t!("hint-unsettled"),
        Error::Internal(_) => t!("hint-internal"),
        Error::Integrity(
            hyoka::error::IntegrityError::IndexMismatch { .. }
            | hyoka::error::IntegrityError::SnapshotMismatch { .. },
        ) => t!("hint-derived-data"),
        Error::Integrity(_) => t!("hint-integrity"),
        Error::Io { .. } => t!("hint-io"),
        Error::DiskFull { .. } => t!("hint-disk-full"),
        Error::NoRoom { .. } => t!("hint-no-room"),
        _ => String::new(),
    }
}

/// The hint for a refusal of the domain rules.
pub fn refused(r: &Refused) -> String {
    match r {
        Refused::NoPlan => t!("hint-no-plan"),
        Refused::NoSuchItem(_) => t!("hint-no-such-item"),
        Refused::ItemWithdrawn(n) => t!("hint-item-withdrawn", id = n.as_str()),
        Refused::ItemExists(n) => t!("hint-item-exists", id = n.as_str()),
        Refused::Version1(hyoka::domain::event::Version1::NeedsVersion2(
            hyoka::domain::event::V2Only::HeadingRename,
        )) => t!("hint-version-1-rename"),
        Refused::Version1(_) => t!("hint-version-1"),
        Refused::EarlyPoint { .. } => t!("hint-new-point"),
        Refused::NewPoint { next, .. } if next.is_empty() => t!("hint-new-point"),
        Refused::NewPoint { next, .. } => t!("hint-new-point-next", next = next.as_str()),
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
                        t!(
                            "holder-process-command",
                            pid = h.pid,
                            command = text::escape(&shown)
                        )
                    }
                    None => t!("holder-process", pid = h.pid),
                })
                .collect();
            t!(
                "holders-using",
                processes = named.join(&t!("list-separator")),
                count = h.len()
            )
        }
        // Released between the attempt and the look (try again), or held where this system does
        // not show it.
        Holders::Known(_) => t!("holders-was-using"),
        Holders::Unknown => t!("holders-unknown"),
    }
}

/// The message for a busy ledger: who holds it, and what to do.
pub fn busy(dir: &std::path::Path, holders: &hyoka::os::lock::Holders) -> String {
    use hyoka::os::lock::Holders;
    // A server that holds the ledger says where it listens (a file left by a server that was killed
    // names a process that no longer holds the lock, and is not believed).
    if let Some(server) = hyoka::server::server_file::ServerFile::read(dir) {
        let holds = match holders {
            Holders::Known(h) => h.iter().any(|h| h.pid == server.pid),
            Holders::Unknown => true,
        };
        if holds {
            return t!(
                "busy-server",
                dir = dir.display(),
                url = text::escape(&server.url),
                pid = server.pid
            );
        }
    }
    t!("busy", dir = dir.display(), who = holders_text(holders))
}

/// Where an import's era came from, e.g. `heisei (from --era)`.
pub fn era_choice(c: EraChoice) -> String {
    match c {
        EraChoice::Flag(e) => t!("era-from-flag", era = e.romaji()),
        EraChoice::Plan(e) => t!("era-from-plan", era = e.romaji()),
        EraChoice::Default(e) => t!("era-default", era = e.romaji()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// In Japanese, the line of the contract (`rate 999` on a ledger without that item) and a hint.
    #[test]
    fn the_hints_are_in_japanese_when_japanese_is_chosen() {
        use super::super::i18n::{Lang, in_lang};
        in_lang(Lang::Ja, || {
            let e = Error::Refused(Refused::NoSuchItem(999.into()));
            assert_eq!(
                format!("{}{}", super::super::errors::error(&e), hint(&e)),
                "項目 999 はありません。`hyoka table` で項目を確かめるか、`hyoka item add` で登録してください"
            );
            let busy = busy(
                std::path::Path::new("l"),
                &hyoka::os::lock::Holders::Known(vec![]),
            );
            assert!(busy.contains("使用中"), "{busy}");
        });
    }

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
                Error::Unsigned(hyoka::error::Unsigned::NotCurrent {
                    author: "P1a2b3c4d".into(),
                }),
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
            assert_eq!(
                format!("{}{}", super::super::errors::error(&e), hint(&e)),
                line
            );
            assert_eq!(super::super::failure::exit_code(&e), code, "{line}");
        }
    }
}
