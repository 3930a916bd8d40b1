//! Why an import cannot go ahead: the file is wrong, or a change it decides is refused at a line.

use crate::domain::state::Refused;

/// An import that cannot go ahead. One line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is wrong (its layout, a cell, its periods, its totals), in words with its line.
    #[error("{0}")]
    File(String),
    /// A change decided from line `line` that the domain rules refuse.
    #[error("line {line}: {refused}")]
    Refused {
        /// The file's line.
        line: usize,
        /// The refusal.
        refused: Refused,
    },
}

impl From<ImportError> for crate::error::Error {
    fn from(e: ImportError) -> crate::error::Error {
        match e {
            ImportError::File(m) => crate::error::Error::Invalid(m),
            ImportError::Refused { line, refused } => crate::error::Error::RefusedAt {
                line: line as u64,
                refused,
            },
        }
    }
}

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError::File(msg.into()))
}
