//! Exit codes, and the failure of a command: its exit code and its one-line message with the
//! hint of what to do next ([`super::hints`]).

/// Exit code of a domain, input or I/O error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own).
pub const EXIT_USAGE: u8 = 2;
/// Exit code reserved for integrity failures: the history cannot be trusted.
pub const EXIT_INTEGRITY: u8 = 3;
/// Exit code of a bug in hyoka (EX_SOFTWARE of sysexits.h): something its own invariants rule out.
pub const EXIT_INTERNAL: u8 = 70;

/// The exit code of an error: 3 when the history cannot be trusted, 70 for a bug (EX_SOFTWARE), 1 for
/// everything else.
pub fn exit_code(e: &hyoka::error::Error) -> u8 {
    match e {
        hyoka::error::Error::Integrity(_) => EXIT_INTEGRITY,
        hyoka::error::Error::Internal(_) => EXIT_INTERNAL,
        _ => EXIT_ERROR,
    }
}

/// A failure with its exit code (decided by the library error's kind, [`exit_code`]); the
/// message and its hint make one line.
#[derive(Debug)]
pub struct Failure {
    pub(super) code: u8,
    /// What is wrong.
    pub(super) message: String,
    /// What to do next, with its leading separator (`: `, `; `); may be empty.
    pub(super) hint: String,
}

impl Failure {
    pub(super) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
            hint: String::new(),
        }
    }

    /// A failure that means the history (or the file given) cannot be trusted: exit 3. `message` is
    /// the whole line, hint included.
    pub(super) fn integrity(message: String) -> Failure {
        Failure {
            code: EXIT_INTEGRITY,
            message,
            hint: String::new(),
        }
    }

    /// The line printed after `error: `.
    pub(super) fn line(&self) -> String {
        format!("{}{}", self.message, self.hint)
    }
}

impl From<hyoka::error::Error> for Failure {
    fn from(e: hyoka::error::Error) -> Self {
        let (message, hint) = match &e {
            hyoka::error::Error::Busy(dir, holders) => {
                (super::hints::busy(dir, holders), String::new())
            }
            _ => (super::errors::error(&e), super::hints::hint(&e)),
        };
        Failure {
            code: exit_code(&e),
            message,
            hint,
        }
    }
}

impl From<hyoka::domain::text::TextProblem> for Failure {
    fn from(p: hyoka::domain::text::TextProblem) -> Self {
        Failure {
            code: EXIT_ERROR,
            message: super::errors::text(&p),
            hint: String::new(),
        }
    }
}

impl From<hyoka::domain::item_id::IdProblem> for Failure {
    fn from(p: hyoka::domain::item_id::IdProblem) -> Self {
        Failure {
            code: EXIT_ERROR,
            message: super::errors::item_id(&p),
            hint: String::new(),
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure {
            code: EXIT_ERROR,
            message,
            hint: String::new(),
        }
    }
}
