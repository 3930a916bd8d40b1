//! Offline proof text formats.
//!
//! * [`TlogProof`]: c2sp.org/tlog-proof@v1, an inclusion proof bundled with
//!   the (signed) checkpoint it is relative to:
//!
//!   ```text
//!   c2sp.org/tlog-proof@v1
//!   extra <base64>            (optional)
//!   index <N>
//!   <base64 hash>             (zero or more, at most 63)
//!
//!   <checkpoint, verbatim>
//!   ```
//!
//! * [`ConsistencyBody`]: the body of the c2sp.org/tlog-witness
//!   `add-checkpoint` request, used as an offline consistency proof:
//!
//!   ```text
//!   old <N>
//!   <base64 hash>             (zero or more, at most 63)
//!
//!   <checkpoint, verbatim>
//!   ```
//!
//! Parsing is strict: every line ends in a newline, numbers are decimal
//! without leading zeros, hashes are padded standard base64 of 32 bytes, and
//! the checkpoint must parse (signed or bare, see
//! [`crate::tlog::checkpoint::parse_signed`]). Signatures are not verified here.

use crate::tlog::checkpoint::{
    Checkpoint, CheckpointError, parse_decimal, parse_hash, parse_signed,
};
use crate::tlog::merkle::{Hash, MerkleError, check_record, check_tree};
use crate::tlog::note::Note;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The required first line of a tlog proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The most proof hashes either format may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// Errors from parsing or checking proof texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The input is not valid UTF-8.
    #[error("proof is not valid UTF-8")]
    NotUtf8,
    /// The first line is not `c2sp.org/tlog-proof@v1`.
    #[error("first line must be exactly {TLOG_PROOF_HEADER}")]
    BadHeader,
    /// The `extra` line does not hold valid base64.
    #[error("extra line must be \"extra \" followed by standard base64")]
    MalformedExtra,
    /// The `index` line is missing or malformed.
    #[error("expected \"index N\" with N a decimal without leading zeros")]
    MalformedIndex,
    /// The `old` line is missing or malformed.
    #[error("expected \"old N\" with N a decimal without leading zeros")]
    MalformedOldSize,
    /// A proof line is not the base64 encoding of a 32-byte hash.
    #[error("proof line {line} is not standard base64 of a 32-byte hash")]
    MalformedHash {
        /// The 1-based number of the proof hash.
        line: usize,
    },
    /// There are more than [`MAX_PROOF_LINES`] proof lines.
    #[error("more than {max} proof lines")]
    TooManyProofLines {
        /// The limit.
        max: usize,
    },
    /// The input ends before the empty line that precedes the checkpoint.
    #[error("input ends before the empty line that precedes the checkpoint")]
    Truncated,
    /// Nothing follows the empty line.
    #[error("checkpoint is missing after the empty line")]
    MissingCheckpoint,
    /// The embedded checkpoint is malformed.
    #[error("embedded checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The proof does not verify against the checkpoint.
    #[error("proof check failed: {0}")]
    Merkle(#[from] MerkleError),
}

/// A c2sp.org/tlog-proof@v1 inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Optional opaque, unauthenticated extra data.
    pub extra: Option<Vec<u8>>,
    /// The 0-based index of the entry in the log.
    pub index: u64,
    /// The inclusion proof, from the leaf's sibling up to the root's child.
    pub proof: Vec<Hash>,
    /// The checkpoint, verbatim (usually a signed note with cosignatures).
    pub checkpoint_text: String,
}

/// A c2sp.org/tlog-witness add-checkpoint body: a consistency proof from
/// tree size `old_size` to the checkpoint's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyBody {
    /// The size of the older tree.
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The new checkpoint, verbatim (usually a signed note).
    pub checkpoint_text: String,
}

/// Splits off the next newline-terminated line.
fn next_line<'a>(rest: &mut &'a str) -> Result<&'a str, TlogProofError> {
    let (line, tail) = rest.split_once('\n').ok_or(TlogProofError::Truncated)?;
    *rest = tail;
    Ok(line)
}

/// Parses proof lines up to and including the empty line.
fn parse_proof_lines(rest: &mut &str) -> Result<Vec<Hash>, TlogProofError> {
    let mut proof = Vec::new();
    loop {
        let line = next_line(rest)?;
        if line.is_empty() {
            return Ok(proof);
        }
        if proof.len() >= MAX_PROOF_LINES {
            return Err(TlogProofError::TooManyProofLines {
                max: MAX_PROOF_LINES,
            });
        }
        let h = parse_hash(line).ok_or(TlogProofError::MalformedHash {
            line: proof.len() + 1,
        })?;
        proof.push(h);
    }
}

/// Checks that the remainder is a checkpoint and returns it.
fn parse_checkpoint_part(rest: &str) -> Result<String, TlogProofError> {
    if rest.is_empty() {
        return Err(TlogProofError::MissingCheckpoint);
    }
    parse_signed(rest.as_bytes())?;
    Ok(rest.to_owned())
}

fn push_proof(s: &mut String, proof: &[Hash]) {
    for h in proof {
        s.push_str(&STANDARD.encode(h));
        s.push('\n');
    }
    s.push('\n');
}

impl TlogProof {
    /// Returns the proof text.
    pub fn to_text(&self) -> String {
        let mut s = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            s.push_str("extra ");
            s.push_str(&STANDARD.encode(extra));
            s.push('\n');
        }
        s.push_str(&format!("index {}\n", self.index));
        push_proof(&mut s, &self.proof);
        s.push_str(&self.checkpoint_text);
        s
    }

    /// Parses a proof text strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogProofError> {
        let mut rest = std::str::from_utf8(bytes).map_err(|_| TlogProofError::NotUtf8)?;
        if next_line(&mut rest).map_err(|_| TlogProofError::BadHeader)? != TLOG_PROOF_HEADER {
            return Err(TlogProofError::BadHeader);
        }
        let mut line = next_line(&mut rest)?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                STANDARD
                    .decode(b64)
                    .map_err(|_| TlogProofError::MalformedExtra)?,
            );
            line = next_line(&mut rest)?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(TlogProofError::MalformedIndex)?;
        let proof = parse_proof_lines(&mut rest)?;
        let checkpoint_text = parse_checkpoint_part(rest)?;
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint_text,
        })
    }

    /// Parses the embedded checkpoint (see [`crate::tlog::checkpoint::parse_signed`]).
    pub fn checkpoint(&self) -> Result<(Checkpoint, Note), TlogProofError> {
        Ok(parse_signed(self.checkpoint_text.as_bytes())?)
    }

    /// Checks that the proof shows leaf hash `leaf` at `index` in the
    /// embedded checkpoint's tree, and returns that checkpoint. The
    /// checkpoint's signatures are NOT verified: check them with
    /// [`crate::tlog::note::verify_note`] on the returned note first.
    pub fn check_inclusion(&self, leaf: &Hash) -> Result<(Checkpoint, Note), TlogProofError> {
        let (cp, note) = self.checkpoint()?;
        check_record(&self.proof, cp.size, &cp.root, self.index, leaf)?;
        Ok((cp, note))
    }
}

impl ConsistencyBody {
    /// Returns the body text.
    pub fn to_text(&self) -> String {
        let mut s = format!("old {}\n", self.old_size);
        push_proof(&mut s, &self.proof);
        s.push_str(&self.checkpoint_text);
        s
    }

    /// Parses a body text strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, TlogProofError> {
        let mut rest = std::str::from_utf8(bytes).map_err(|_| TlogProofError::NotUtf8)?;
        let old_size = next_line(&mut rest)
            .map_err(|_| TlogProofError::MalformedOldSize)?
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or(TlogProofError::MalformedOldSize)?;
        let proof = parse_proof_lines(&mut rest)?;
        let checkpoint_text = parse_checkpoint_part(rest)?;
        Ok(Self {
            old_size,
            proof,
            checkpoint_text,
        })
    }

    /// Parses the embedded checkpoint (see [`crate::tlog::checkpoint::parse_signed`]).
    pub fn checkpoint(&self) -> Result<(Checkpoint, Note), TlogProofError> {
        Ok(parse_signed(self.checkpoint_text.as_bytes())?)
    }

    /// Checks that the proof shows the tree of `old_size` leaves with root
    /// `old_root` to be a prefix of the embedded checkpoint's tree, and
    /// returns that checkpoint (signatures NOT verified).
    ///
    /// As in the witness protocol, `old_size == 0` (no earlier checkpoint)
    /// needs an empty proof and accepts any `old_root`.
    pub fn check(&self, old_root: &Hash) -> Result<(Checkpoint, Note), TlogProofError> {
        let (cp, note) = self.checkpoint()?;
        if self.old_size == 0 {
            if !self.proof.is_empty() {
                return Err(MerkleError::ProofLength {
                    expected: 0,
                    actual: self.proof.len(),
                }
                .into());
            }
        } else {
            check_tree(&self.proof, cp.size, &cp.root, self.old_size, old_root)?;
        }
        Ok((cp, note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::merkle::{MemoryHashes, leaf_hash, prove_record, prove_tree, tree_hash};
    use crate::tlog::note::{SignerKey, verify_note};

    const SPEC_CHECKPOINT: &str = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

    fn log(n: u64) -> MemoryHashes {
        let mut t = MemoryHashes::new();
        for i in 0..n {
            t.append_leaf(leaf_hash(&i.to_be_bytes())).unwrap();
        }
        t
    }

    fn signed_checkpoint(key: &SignerKey, t: &MemoryHashes, size: u64) -> String {
        Checkpoint {
            origin: key.name().into(),
            size,
            root: tree_hash(size, t).unwrap(),
            extensions: vec![],
        }
        .sign(key)
        .unwrap()
    }

    #[test]
    fn spec_witness_example_parses() {
        let body = format!(
            "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\n{SPEC_CHECKPOINT}"
        );
        let b = ConsistencyBody::parse(body.as_bytes()).unwrap();
        assert_eq!(b.old_size, 20852014);
        assert_eq!(b.proof.len(), 4);
        assert_eq!(b.checkpoint_text, SPEC_CHECKPOINT);
        assert_eq!(b.to_text(), body);
        let (cp, note) = b.checkpoint().unwrap();
        assert_eq!(cp.size, 20852163);
        assert_eq!(note.sigs.len(), 2);
    }

    #[test]
    fn inclusion_roundtrip_and_check() {
        let key = SignerKey::generate("example.com/log").unwrap();
        let t = log(11);
        let cp = signed_checkpoint(&key, &t, 11);
        for extra in [None, Some(b"age-v1.2.1".to_vec()), Some(Vec::new())] {
            let p = TlogProof {
                extra,
                index: 6,
                proof: prove_record(11, 6, &t).unwrap(),
                checkpoint_text: cp.clone(),
            };
            let text = p.to_text();
            let parsed = TlogProof::parse(text.as_bytes()).unwrap();
            assert_eq!(parsed, p);
            let (got, note) = parsed
                .check_inclusion(&leaf_hash(&6u64.to_be_bytes()))
                .unwrap();
            assert_eq!(got.size, 11);
            verify_note(&note, &key.verifier()).unwrap();
            assert!(matches!(
                parsed.check_inclusion(&leaf_hash(b"x")),
                Err(TlogProofError::Merkle(MerkleError::RootMismatch))
            ));
        }
        // A single-leaf tree has an empty proof; bare checkpoints are allowed.
        let one = log(1);
        let bare = Checkpoint {
            origin: "o".into(),
            size: 1,
            root: tree_hash(1, &one).unwrap(),
            extensions: vec![],
        }
        .to_text();
        let text = format!("{TLOG_PROOF_HEADER}\nindex 0\n\n{bare}");
        let p = TlogProof::parse(text.as_bytes()).unwrap();
        assert!(p.proof.is_empty());
        let (_, note) = p.check_inclusion(&leaf_hash(&0u64.to_be_bytes())).unwrap();
        assert!(!note.is_signed());
    }

    #[test]
    fn consistency_roundtrip_and_check() {
        let key = SignerKey::generate("example.com/log").unwrap();
        let t = log(20);
        let old_root = tree_hash(7, &t).unwrap();
        let b = ConsistencyBody {
            old_size: 7,
            proof: prove_tree(20, 7, &t).unwrap(),
            checkpoint_text: signed_checkpoint(&key, &t, 20),
        };
        let parsed = ConsistencyBody::parse(b.to_text().as_bytes()).unwrap();
        assert_eq!(parsed, b);
        parsed.check(&old_root).unwrap();
        assert!(matches!(
            parsed.check(&[0; 32]),
            Err(TlogProofError::Merkle(MerkleError::OldRootMismatch))
        ));
        let first = ConsistencyBody {
            old_size: 0,
            proof: vec![],
            checkpoint_text: b.checkpoint_text.clone(),
        };
        first.check(&[0; 32]).unwrap();
        let bad = ConsistencyBody {
            proof: vec![[0; 32]],
            ..first
        };
        assert!(bad.check(&[0; 32]).is_err());
    }

    #[test]
    fn malformed_proofs_rejected() {
        use TlogProofError::*;
        let h = STANDARD.encode([3u8; 32]);
        let cp = format!("o\n5\n{h}\n");
        let cases: Vec<(String, TlogProofError)> = vec![
            (String::new(), BadHeader),
            (
                format!("c2sp.org/tlog-proof@v2\nindex 0\n\n{cp}"),
                BadHeader,
            ),
            (TLOG_PROOF_HEADER.to_string(), BadHeader),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 01\n\n{cp}"),
                MalformedIndex,
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex -1\n\n{cp}"),
                MalformedIndex,
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex  1\n\n{cp}"),
                MalformedIndex,
            ),
            (format!("{TLOG_PROOF_HEADER}\n{h}\n\n{cp}"), MalformedIndex),
            (
                format!("{TLOG_PROOF_HEADER}\nextra !!\nindex 1\n\n{cp}"),
                MalformedExtra,
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 1\nextra AA==\n\n{cp}"),
                MalformedHash { line: 1 },
            ),
            (
                format!(
                    "{TLOG_PROOF_HEADER}\nindex 1\n{h}\n{}\n\n{cp}",
                    STANDARD.encode([1u8; 31])
                ),
                MalformedHash { line: 2 },
            ),
            (format!("{TLOG_PROOF_HEADER}\nindex 1\n{h}\n"), Truncated),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 1\n{h}\n\n"),
                MissingCheckpoint,
            ),
            (
                format!("{TLOG_PROOF_HEADER}\nindex 1\n\n{}", &cp[..cp.len() - 1]),
                Checkpoint(CheckpointError::MissingFinalNewline),
            ),
            (
                format!(
                    "{TLOG_PROOF_HEADER}\nindex 1\n{}\n{cp}",
                    format!("{h}\n").repeat(64)
                ),
                TooManyProofLines { max: 63 },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(TlogProof::parse(text.as_bytes()), Err(want), "{text:?}");
        }
        let ok = format!(
            "{TLOG_PROOF_HEADER}\nindex 1\n{}\n{cp}",
            format!("{h}\n").repeat(63)
        );
        assert_eq!(TlogProof::parse(ok.as_bytes()).unwrap().proof.len(), 63);
        assert_eq!(TlogProof::parse(b"\xff\n"), Err(NotUtf8));

        let bodies: Vec<(String, TlogProofError)> = vec![
            (format!("old 01\n\n{cp}"), MalformedOldSize),
            (format!("index 1\n\n{cp}"), MalformedOldSize),
            ("old 1".into(), MalformedOldSize),
            (format!("old 1\n{h}"), Truncated),
            (format!("old 1\nxyz\n\n{cp}"), MalformedHash { line: 1 }),
            ("old 1\n\n".into(), MissingCheckpoint),
            (
                format!("old 1\n{}\n{cp}", format!("{h}\n").repeat(64)),
                TooManyProofLines { max: 63 },
            ),
        ];
        for (text, want) in bodies {
            assert_eq!(
                ConsistencyBody::parse(text.as_bytes()),
                Err(want),
                "{text:?}"
            );
        }
        ConsistencyBody::parse(format!("old 0\n\n{cp}").as_bytes()).unwrap();
    }
}
