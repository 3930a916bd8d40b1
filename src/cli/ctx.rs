//! The context of a command: the ledger directory, how long to wait for it, the log key, the time zone
//! asked for (the language is chosen before the arguments are parsed, `i18n`), and the options the library is opened with (the clock and the free-space margin are read here, never by
//! the library).

use std::path::PathBuf;
use std::time::Duration;

/// Global context of a command.
pub struct Ctx {
    pub(super) ledger: PathBuf,
    pub(super) wait: Duration,
    pub(super) log_key: Option<PathBuf>,
    /// The zone times are shown in (`--tz`, `HYOKA_TZ`, the config file's `time_zone`, else Japan
    /// time); `main` runs the command inside `when::in_zone` of it.
    pub(super) zone: hyoka::domain::when::Zone,
}

impl Ctx {
    pub(super) fn access(&self) -> hyoka::ledger::Access {
        hyoka::ledger::Access {
            wait: self.wait,
            now: super::clock::file_time(),
            min_free: min_free_override(),
            snapshot_interval: None,
            journal_tail: None,
        }
    }
}

/// The free-space margin `HYOKA_MIN_FREE_BYTES` sets (bytes; for tests of full disks): the library
/// reads no environment, the command line passes it in.
fn min_free_override() -> Option<u64> {
    std::env::var("HYOKA_MIN_FREE_BYTES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
}
