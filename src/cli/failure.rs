//! Exit codes, and the failure of a command: its exit code and its one-line message.

/// Exit code of a domain, input or I/O error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own).
pub const EXIT_USAGE: u8 = 2;
/// Exit code reserved for integrity failures: the history cannot be trusted.
pub const EXIT_INTEGRITY: u8 = 3;

/// A failure with its exit code; the message is one line.
#[derive(Debug)]
pub struct Failure {
    pub(super) code: u8,
    pub(super) message: String,
}

impl Failure {
    pub(super) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }
}

impl From<hyoka::Error> for Failure {
    fn from(e: hyoka::Error) -> Self {
        let code = match e {
            hyoka::Error::Integrity(_) => EXIT_INTEGRITY,
            _ => EXIT_ERROR,
        };
        let message = match &e {
            hyoka::Error::Busy(dir, holders) => super::output::busy(dir, holders),
            _ => e.to_string(),
        };
        Failure { code, message }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            code: EXIT_ERROR,
            message,
        }
    }
}
