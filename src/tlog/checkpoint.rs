//! C2SP transparency log checkpoints (c2sp.org/tlog-checkpoint).
//!
//! A checkpoint is the note text
//!
//! ```text
//! <origin>
//! <tree size, decimal without leading zeros>
//! <base64 of the 32-byte RFC 6962 root hash>
//! [extension lines, each non-empty]
//! ```
//!
//! and a signed checkpoint is a signed note (see [`crate::tlog::note`]) whose
//! text is such a body.

use crate::tlog::merkle::Hash;
use crate::tlog::note::{
    Note, NoteError, SignerKey, VerifierKey, parse_note, sign_note, verify_note,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Errors from parsing or checking checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The input is not valid UTF-8.
    #[error("checkpoint is not valid UTF-8")]
    NotUtf8,
    /// The checkpoint text is empty or does not end with a newline.
    #[error("checkpoint text must end with a newline")]
    MissingFinalNewline,
    /// The checkpoint contains an ASCII control character other than newline.
    #[error("checkpoint contains control character 0x{byte:02x} at byte offset {offset}")]
    ControlCharacter {
        /// The byte offset of the character.
        offset: usize,
        /// The character.
        byte: u8,
    },
    /// The checkpoint has fewer than three lines.
    #[error("checkpoint has {found} lines, expected at least 3 (origin, size, root)")]
    TooFewLines {
        /// The number of lines found.
        found: usize,
    },
    /// The origin line is empty (or, in [`Checkpoint::validate`], has a newline).
    #[error("checkpoint origin line is empty or contains a newline")]
    BadOrigin,
    /// The size line is not a canonical decimal `u64`.
    #[error("invalid checkpoint tree size {0:?}: expected a decimal without leading zeros")]
    MalformedSize(String),
    /// The root line is not the base64 encoding of 32 bytes.
    #[error("invalid checkpoint root hash: expected standard base64 of exactly 32 bytes")]
    MalformedRoot,
    /// An extension line is empty (or, in [`Checkpoint::validate`], has a newline).
    #[error("checkpoint extension line {line} is empty or contains a newline")]
    BadExtension {
        /// The 1-based line number within the checkpoint.
        line: usize,
    },
    /// A signed checkpoint has a bad note envelope or signature.
    #[error("checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// A signature was required but the checkpoint is unsigned.
    #[error("checkpoint is not signed")]
    Unsigned,
}

/// Parses a tree size or index: ASCII decimal digits, no sign, no leading
/// zeros unless the value is `0`, fitting in a `u64`.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let canonical = !s.is_empty()
        && s.len() <= 20
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if canonical { s.parse().ok() } else { None }
}

/// Parses a hash written as standard, padded base64 of exactly 32 bytes.
pub fn parse_hash(s: &str) -> Option<Hash> {
    if s.len() != 44 {
        return None;
    }
    STANDARD
        .decode(s)
        .ok()
        .and_then(|b| Hash::try_from(b.as_slice()).ok())
}

/// A transparency log checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line (its unique identity, e.g. `example.com/log`).
    pub origin: String,
    /// The number of leaves in the tree.
    pub size: u64,
    /// The RFC 6962 root hash of the tree.
    pub root: Hash,
    /// Extension lines (without newlines), usually none.
    pub extensions: Vec<String>,
}

fn check_control(s: &str) -> Result<(), CheckpointError> {
    match s.bytes().enumerate().find(|&(_, b)| b < 0x20 && b != b'\n') {
        Some((offset, byte)) => Err(CheckpointError::ControlCharacter { offset, byte }),
        None => Ok(()),
    }
}

impl Checkpoint {
    /// Returns the checkpoint text: origin, size, base64 root and extension
    /// lines, each followed by a newline. Call [`Checkpoint::validate`]
    /// first if the fields did not come from [`Checkpoint::parse`].
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Checks that [`Checkpoint::to_text`] would produce a valid checkpoint
    /// that parses back to `self`.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        if self.origin.is_empty() || self.origin.contains('\n') {
            return Err(CheckpointError::BadOrigin);
        }
        for (i, e) in self.extensions.iter().enumerate() {
            if e.is_empty() || e.contains('\n') {
                return Err(CheckpointError::BadExtension { line: i + 4 });
            }
        }
        check_control(&self.origin)?;
        for e in &self.extensions {
            check_control(e)?;
        }
        Ok(())
    }

    /// Parses a checkpoint body strictly (no signature block allowed).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        check_control(text)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::TooFewLines {
                found: body.split('\n').count(),
            });
        };
        if origin.is_empty() {
            return Err(CheckpointError::BadOrigin);
        }
        let size =
            parse_decimal(size).ok_or_else(|| CheckpointError::MalformedSize(size.into()))?;
        let root = parse_hash(root).ok_or(CheckpointError::MalformedRoot)?;
        let mut extensions = Vec::new();
        for (i, e) in lines.enumerate() {
            if e.is_empty() {
                return Err(CheckpointError::BadExtension { line: i + 4 });
            }
            extensions.push(e.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Signs the checkpoint and returns the signed note text.
    pub fn sign(&self, key: &SignerKey) -> Result<String, CheckpointError> {
        self.validate()?;
        Ok(sign_note(&self.to_text(), key)?)
    }
}

/// Parses either a signed checkpoint (a signed note whose text is a
/// checkpoint) or a bare checkpoint body without a signature block.
///
/// Tells which through the returned note: `note.sigs` is empty (and
/// `note.is_signed()` false) exactly when the input was a bare body, since a
/// signed note must have at least one signature. Signatures are not verified.
pub fn parse_signed(bytes: &[u8]) -> Result<(Checkpoint, Note), CheckpointError> {
    let s = std::str::from_utf8(bytes).map_err(|_| CheckpointError::NotUtf8)?;
    // A checkpoint body has no empty line, so a blank line means a signed note.
    if s.contains("\n\n") {
        let note = parse_note(bytes)?;
        let cp = Checkpoint::parse(&note.text)?;
        Ok((cp, note))
    } else {
        let cp = Checkpoint::parse(s)?;
        let note = Note {
            text: s.to_owned(),
            sigs: Vec::new(),
        };
        Ok((cp, note))
    }
}

/// Parses a signed checkpoint and verifies its signature by `key` (other
/// signatures, such as witness cosignatures, are ignored).
pub fn open_signed(bytes: &[u8], key: &VerifierKey) -> Result<(Checkpoint, Note), CheckpointError> {
    let (cp, note) = parse_signed(bytes)?;
    if !note.is_signed() {
        return Err(CheckpointError::Unsigned);
    }
    verify_note(&note, key)?;
    Ok((cp, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_BODY: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    const SPEC_SIG: &str = "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";

    #[test]
    fn spec_example_roundtrip() {
        let cp = Checkpoint::parse(SPEC_BODY).unwrap();
        assert_eq!(cp.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.size, 20852163);
        assert!(cp.extensions.is_empty());
        assert_eq!(cp.to_text(), SPEC_BODY);
        let (cp2, note) = parse_signed(format!("{SPEC_BODY}\n{SPEC_SIG}").as_bytes()).unwrap();
        assert_eq!(cp2, cp);
        assert!(note.is_signed());
        assert_eq!(note.sigs[0].name, "example.com/behind-the-sofa");
        let (cp3, note) = parse_signed(SPEC_BODY.as_bytes()).unwrap();
        assert_eq!(cp3, cp);
        assert!(!note.is_signed());
        assert_eq!(note.text, SPEC_BODY);
    }

    #[test]
    fn extensions_and_limits() {
        let text = format!("o\n0\n{}\next one\nx\n", STANDARD.encode([0u8; 32]));
        let cp = Checkpoint::parse(&text).unwrap();
        assert_eq!(cp.size, 0);
        assert_eq!(cp.extensions, vec!["ext one", "x"]);
        assert_eq!(cp.to_text(), text);
        cp.validate().unwrap();
        let max = format!("o\n{}\n{}\n", u64::MAX, STANDARD.encode([7u8; 32]));
        assert_eq!(Checkpoint::parse(&max).unwrap().size, u64::MAX);
    }

    #[test]
    fn malformed_checkpoints_rejected() {
        use CheckpointError::*;
        let r = STANDARD.encode([1u8; 32]);
        let cases = [
            (String::new(), MissingFinalNewline),
            (format!("o\n1\n{r}"), MissingFinalNewline),
            ("o\n1\n".to_string(), TooFewLines { found: 2 }),
            (format!("\n1\n{r}\n"), BadOrigin),
            (format!("o\n01\n{r}\n"), MalformedSize("01".into())),
            (format!("o\n+1\n{r}\n"), MalformedSize("+1".into())),
            (format!("o\n-1\n{r}\n"), MalformedSize("-1".into())),
            (format!("o\n\n{r}\n"), MalformedSize(String::new())),
            (format!("o\n 1\n{r}\n"), MalformedSize(" 1".into())),
            (
                format!("o\n18446744073709551616\n{r}\n"),
                MalformedSize("18446744073709551616".into()),
            ),
            (
                format!("o\n1\n{}\n", STANDARD.encode([1u8; 31])),
                MalformedRoot,
            ),
            (
                format!("o\n1\n{}\n", STANDARD.encode([1u8; 33])),
                MalformedRoot,
            ),
            (
                format!("o\n1\n{}\n", r.trim_end_matches('=')),
                MalformedRoot,
            ),
            (format!("o\n1\n{r}\n\next\n"), BadExtension { line: 4 }),
            (
                format!("o\r\n1\n{r}\n"),
                ControlCharacter {
                    offset: 1,
                    byte: b'\r',
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Checkpoint::parse(&text), Err(want), "{text:?}");
        }
        assert_eq!(parse_signed(b"\xff"), Err(NotUtf8));
        // A blank line inside a signed checkpoint's text is an empty extension.
        let bad = format!("{SPEC_BODY}\next\n\n{SPEC_SIG}");
        assert_eq!(parse_signed(bad.as_bytes()), Err(BadExtension { line: 4 }));
        // Signature block without a valid signature line.
        assert!(matches!(
            parse_signed(format!("{SPEC_BODY}\nnot a signature\n").as_bytes()),
            Err(Note(_))
        ));
    }

    #[test]
    fn sign_and_open() {
        let key = SignerKey::generate("example.com/log").unwrap();
        let cp = Checkpoint {
            origin: "example.com/log".into(),
            size: 3,
            root: [9u8; 32],
            extensions: vec![],
        };
        let signed = cp.sign(&key).unwrap();
        let (got, note) = open_signed(signed.as_bytes(), &key.verifier()).unwrap();
        assert_eq!(got, cp);
        assert_eq!(note.sigs.len(), 1);
        let other = SignerKey::generate("example.com/log").unwrap().verifier();
        assert!(matches!(
            open_signed(signed.as_bytes(), &other),
            Err(CheckpointError::Note(NoteError::NoSignatureByKey { .. }))
        ));
        assert_eq!(
            open_signed(cp.to_text().as_bytes(), &key.verifier()),
            Err(CheckpointError::Unsigned)
        );
        let bad = Checkpoint {
            extensions: vec![String::new()],
            ..cp
        };
        assert_eq!(
            bad.sign(&key),
            Err(CheckpointError::BadExtension { line: 4 })
        );
    }
}
