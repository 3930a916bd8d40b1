//! C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.
//!
//! Compatible with Go's `golang.org/x/mod/sumdb/note`: the same key text
//! formats, key ids, signature lines and parsing limits (at most 100
//! signatures). A signed note is its text (ending in a newline), a blank
//! line, and one or more lines `— <key name> <base64(key id || signature)>`.
//!
//! * key id: the first 4 bytes, big-endian, of
//!   `SHA-256(name || 0x0A || 0x01 || 32-byte public key)`;
//! * verifier key text: `<name>+<8 hex digits key id>+<base64(0x01 || public key)>`;
//! * private key text: `PRIVATE+KEY+<name>+<8 hex digits key id>+<base64(0x01 || seed)>`.
//!
//! Verifying ignores signatures by other keys, as the spec requires, but
//! rejects the note if any signature by the given key does not verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;

/// The most signatures a note may carry (the limit of Go's note package).
pub const MAX_SIGNATURES: usize = 100;

/// The signature type identifier byte of Ed25519 keys.
pub const ALG_ED25519: u8 = 0x01;

const SIG_PREFIX: &str = "\u{2014} ";
const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";

/// What is wrong with a key text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyProblem {
    /// A private key without its prefix.
    #[error("missing PRIVATE+KEY+ prefix")]
    NoPrivatePrefix,
    /// A private key with fewer than its parts.
    #[error("expected PRIVATE+KEY+<name>+<id>+<key>")]
    PrivateParts,
    /// A verifier key with fewer than its parts.
    #[error("expected <name>+<id>+<key>")]
    VerifierParts,
    /// The key id is not 8 lowercase hex digits.
    #[error("key id is not 8 lowercase hex digits")]
    KeyId,
    /// The private key material is not base64 of 0x01 and a seed.
    #[error("key is not base64 of 0x01 and a 32-byte seed")]
    Seed,
    /// The public key material is not base64 of 0x01 and a public key.
    #[error("key is not base64 of 0x01 and a 32-byte public key")]
    Public,
    /// The public key is not a point of the curve.
    #[error("public key is not a valid Ed25519 point")]
    NotAPoint,
}

/// What is wrong with a signature line of a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineProblem {
    /// It does not start with `— `.
    #[error("does not start with an em dash (U+2014) and a space")]
    NoDash,
    /// No space after the key name.
    #[error("no space between key name and signature")]
    NoSpace,
    /// The key name is not a key name.
    #[error("invalid key name")]
    KeyName,
    /// The signature is not base64.
    #[error("signature is not valid base64")]
    NotBase64,
    /// The signature is too short to hold a key id and a signature.
    #[error("signature is shorter than 5 bytes")]
    TooShort,
}

/// Errors from parsing keys and notes, signing and verifying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// A key name is empty or contains whitespace, `+` or control characters.
    #[error(
        "invalid key name {0:?}: it must be non-empty and contain no whitespace, '+' or control characters"
    )]
    InvalidKeyName(String),
    /// A verifier key text is not `<name>+<hex id>+<base64 key>`.
    #[error("malformed verifier key: {0}")]
    MalformedVerifierKey(KeyProblem),
    /// A private key text is not `PRIVATE+KEY+<name>+<hex id>+<base64 key>`.
    #[error("malformed private key: {0}")]
    MalformedSignerKey(KeyProblem),
    /// The key's signature type is not Ed25519.
    #[error("unsupported signature type 0x{0:02x} (only Ed25519, 0x01, is supported)")]
    UnsupportedAlgorithm(u8),
    /// The key id in a key text does not match the key.
    #[error("key id {declared:08x} does not match the key (expected {computed:08x})")]
    KeyIdMismatch {
        /// The key id written in the key text.
        declared: u32,
        /// The key id computed from the name and public key.
        computed: u32,
    },
    /// The operating system's random number generator failed.
    #[error("random number generation failed: {0}")]
    Random(String),
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8")]
    NotUtf8,
    /// The note contains an ASCII control character other than newline.
    #[error("note contains control character 0x{byte:02x} at byte offset {offset}")]
    ControlCharacter {
        /// The byte offset of the character.
        offset: usize,
        /// The character.
        byte: u8,
    },
    /// Text to be signed is empty or does not end with a newline.
    #[error("note text must be non-empty and end with a newline")]
    TextMissingNewline,
    /// The note has no blank line separating its text from its signatures.
    #[error("note has no blank line separating the text from the signatures")]
    MissingSignatureBlock,
    /// The signature block after the blank line is empty.
    #[error("note has no signature lines after the blank line")]
    NoSignatures,
    /// The last signature line does not end with a newline.
    #[error("the last signature line does not end with a newline")]
    MissingFinalNewline,
    /// A signature line is malformed.
    #[error("malformed signature line {line}: {reason}")]
    MalformedSignatureLine {
        /// The 1-based number of the line within the signature block.
        line: usize,
        /// What is wrong with it.
        reason: LineProblem,
    },
    /// The note has more than [`MAX_SIGNATURES`] signatures.
    #[error("note has more than {max} signatures")]
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// The note has no signature line with the key's name and key id.
    #[error("note has no signature by key {name}+{key_id:08x}")]
    NoSignatureByKey {
        /// The key name.
        name: String,
        /// The key id.
        key_id: u32,
    },
    /// A signature line with the key's name and key id does not verify.
    #[error("invalid signature by key {name}+{key_id:08x}")]
    BadSignature {
        /// The key name.
        name: String,
        /// The key id.
        key_id: u32,
    },
}

/// Checks the key name rules: non-empty, no Unicode whitespace, no `+`,
/// no control characters.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(NoteError::InvalidKeyName(name.to_owned()))
    }
}

/// Returns the key id of an Ed25519 public key under a key name:
/// `SHA-256(name || 0x0A || 0x01 || public_key)[..4]` as big-endian `u32`.
pub fn ed25519_key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public_key);
    let d: [u8; 32] = h.finalize().into();
    let [a, b, c, e, ..] = d;
    u32::from_be_bytes([a, b, c, e])
}

/// Parses exactly 8 lowercase hex digits.
fn parse_key_id(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Decodes `base64(0x01 || 32 bytes)`.
fn decode_key_material(s: &str) -> Result<[u8; 32], Option<u8>> {
    // 33 bytes encode to 44 base64 characters; check first to bound work.
    if s.len() != 44 {
        return Err(None);
    }
    let bytes = STANDARD.decode(s).map_err(|_| None)?;
    match bytes.split_first() {
        Some((&ALG_ED25519, rest)) => <[u8; 32]>::try_from(rest).map_err(|_| None),
        Some((&alg, _)) => Err(Some(alg)),
        None => Err(None),
    }
}

fn encode_key_material(key: &[u8; 32]) -> String {
    let mut b = Vec::with_capacity(33);
    b.push(ALG_ED25519);
    b.extend_from_slice(key);
    STANDARD.encode(b)
}

/// An Ed25519 note signing key with its key name.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .finish_non_exhaustive()
    }
}

impl SignerKey {
    /// Builds a signer from a key name and a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let key_id = ed25519_key_id(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// Generates a new random key with the given name (seed from the OS).
    pub fn generate(name: &str) -> Result<Self, NoteError> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| NoteError::Random(e.to_string()))?;
        let key = Self::from_seed(name, &seed);
        seed.fill(0);
        key
    }

    /// Parses `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let rest = text
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or(NoteError::MalformedSignerKey(KeyProblem::NoPrivatePrefix))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedSignerKey(KeyProblem::PrivateParts));
        };
        check_name(name)?;
        let declared = parse_key_id(id).ok_or(NoteError::MalformedSignerKey(KeyProblem::KeyId))?;
        let seed = decode_key_material(key).map_err(|alg| match alg {
            Some(a) => NoteError::UnsupportedAlgorithm(a),
            None => NoteError::MalformedSignerKey(KeyProblem::Seed),
        })?;
        let signer = Self::from_seed(name, &seed)?;
        if signer.key_id != declared {
            return Err(NoteError::KeyIdMismatch {
                declared,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    /// Returns the private key text `PRIVATE+KEY+<name>+<hex id>+<base64>`.
    /// Keep it secret.
    pub fn to_text(&self) -> String {
        format!(
            "{PRIVATE_PREFIX}{}+{:08x}+{}",
            self.name,
            self.key_id,
            encode_key_material(self.key.as_bytes())
        )
    }

    /// Returns the matching verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Returns the key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Signs a message, returning the 64-byte Ed25519 signature.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }
}

/// An Ed25519 note verifier key with its key name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Parses `<name>+<hex id>+<base64(0x01 || public key)>`.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::MalformedVerifierKey(KeyProblem::VerifierParts));
        };
        check_name(name)?;
        let declared =
            parse_key_id(id).ok_or(NoteError::MalformedVerifierKey(KeyProblem::KeyId))?;
        let public = decode_key_material(key).map_err(|alg| match alg {
            Some(a) => NoteError::UnsupportedAlgorithm(a),
            None => NoteError::MalformedVerifierKey(KeyProblem::Public),
        })?;
        let computed = ed25519_key_id(name, &public);
        if computed != declared {
            return Err(NoteError::KeyIdMismatch { declared, computed });
        }
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| NoteError::MalformedVerifierKey(KeyProblem::NotAPoint))?;
        Ok(Self {
            name: name.to_owned(),
            key_id: declared,
            key,
        })
    }

    /// Returns the verifier key text `<name>+<hex id>+<base64>`.
    pub fn to_text(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            encode_key_material(self.key.as_bytes())
        )
    }

    /// Returns the key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Returns the 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Reports whether `sig` is a valid Ed25519 signature of `msg` by this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match Signature::from_slice(sig) {
            Ok(sig) => self.key.verify(msg, &sig).is_ok(),
            Err(_) => false,
        }
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key id (first 4 bytes of the decoded signature, big-endian).
    pub key_id: u32,
    /// The signature bytes after the key id.
    pub sig: Vec<u8>,
}

impl NoteSignature {
    /// Returns the signature line, `— <name> <base64(key id || sig)>\n`.
    pub fn to_line(&self) -> String {
        let mut b = Vec::with_capacity(4 + self.sig.len());
        b.extend_from_slice(&self.key_id.to_be_bytes());
        b.extend_from_slice(&self.sig);
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(b))
    }
}

/// A parsed note: its text and its signature lines (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, including its final newline.
    pub text: String,
    /// The signature lines, in order; empty for an unsigned text.
    pub sigs: Vec<NoteSignature>,
}

impl Note {
    /// Reports whether the note has at least one signature line.
    pub fn is_signed(&self) -> bool {
        !self.sigs.is_empty()
    }

    /// Returns the note in its text form: the text, a blank line and the
    /// signature lines (just the text if there are no signatures).
    pub fn to_text(&self) -> String {
        if self.sigs.is_empty() {
            return self.text.clone();
        }
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.sigs {
            s.push_str(&sig.to_line());
        }
        s
    }

    /// Signs the text with `key`, replacing any signature with the same key
    /// name and id; the new signature comes first, as in Go's `note.Sign`.
    pub fn add_signature(&mut self, key: &SignerKey) -> Result<(), NoteError> {
        check_text(&self.text)?;
        let sig = NoteSignature {
            name: key.name.clone(),
            key_id: key.key_id,
            sig: key.sign(self.text.as_bytes()).to_vec(),
        };
        self.sigs
            .retain(|s| !(s.name == sig.name && s.key_id == sig.key_id));
        if self.sigs.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                max: MAX_SIGNATURES,
            });
        }
        self.sigs.insert(0, sig);
        Ok(())
    }
}

fn check_control(s: &str) -> Result<(), NoteError> {
    match s.bytes().enumerate().find(|&(_, b)| b < 0x20 && b != b'\n') {
        Some((offset, byte)) => Err(NoteError::ControlCharacter { offset, byte }),
        None => Ok(()),
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::TextMissingNewline);
    }
    check_control(text)
}

/// Parses a signed note strictly: valid UTF-8, no control characters but
/// newline, text ending in newline, a blank line, then 1 to
/// [`MAX_SIGNATURES`] well-formed signature lines each ending in newline.
/// The text is separated from the signatures by the last blank line.
pub fn parse_note(bytes: &[u8]) -> Result<Note, NoteError> {
    let s = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
    check_control(s)?;
    let split = s.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let (text, block) = s
        .get(..split + 1)
        .zip(s.get(split + 2..))
        .ok_or(NoteError::MissingSignatureBlock)?;
    if block.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    let block = block
        .strip_suffix('\n')
        .ok_or(NoteError::MissingFinalNewline)?;
    let mut sigs = Vec::new();
    for (i, line) in block.split('\n').enumerate() {
        if i >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                max: MAX_SIGNATURES,
            });
        }
        let bad = |reason| NoteError::MalformedSignatureLine {
            line: i + 1,
            reason,
        };
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(bad(LineProblem::NoDash))?;
        let (name, b64) = rest.split_once(' ').ok_or(bad(LineProblem::NoSpace))?;
        if !is_valid_key_name(name) {
            return Err(bad(LineProblem::KeyName));
        }
        let raw = STANDARD
            .decode(b64)
            .map_err(|_| bad(LineProblem::NotBase64))?;
        let (id, sig) = raw
            .split_first_chunk::<4>()
            .filter(|(_, sig)| !sig.is_empty())
            .ok_or(bad(LineProblem::TooShort))?;
        sigs.push(NoteSignature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes(*id),
            sig: sig.to_vec(),
        });
    }
    Ok(Note {
        text: text.to_owned(),
        sigs,
    })
}

/// Signs `text` (which must end with a newline) and returns the whole
/// signed note: the text, a blank line and one signature line.
pub fn sign_note(text: &str, key: &SignerKey) -> Result<String, NoteError> {
    let mut note = Note {
        text: text.to_owned(),
        sigs: Vec::new(),
    };
    note.add_signature(key)?;
    Ok(note.to_text())
}

/// Verifies the note's signatures by `key`. Signatures by other keys (a
/// different name or key id) are ignored; every signature line with the
/// key's name and id must verify, and there must be at least one.
pub fn verify_note(note: &Note, key: &VerifierKey) -> Result<(), NoteError> {
    let mut found = false;
    for s in note
        .sigs
        .iter()
        .filter(|s| s.name == key.name && s.key_id == key.key_id)
    {
        found = true;
        if !key.verify(note.text.as_bytes(), &s.sig) {
            return Err(NoteError::BadSignature {
                name: key.name.clone(),
                key_id: key.key_id,
            });
        }
    }
    if found {
        Ok(())
    } else {
        Err(NoteError::NoSignatureByKey {
            name: key.name.clone(),
            key_id: key.key_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test data from Go's golang.org/x/mod/sumdb/note/note_test.go
    // (Copyright 2019 The Go Authors, BSD-style license).
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter() -> VerifierKey {
        VerifierKey::parse(PETER_VKEY).unwrap()
    }

    #[test]
    fn go_golden_sign() {
        let signer = SignerKey::parse(PETER_SKEY).unwrap();
        assert_eq!(signer.name(), "PeterNeumann");
        assert_eq!(signer.key_id(), 0xc74f20a3);
        assert_eq!(signer.to_text(), PETER_SKEY);
        assert_eq!(signer.verifier().to_text(), PETER_VKEY);
        assert_eq!(signer.verifier(), peter());
        let signed = sign_note(TEXT, &signer).unwrap();
        assert_eq!(signed, format!("{TEXT}\n{PETER_SIG}"));
        let note = parse_note(signed.as_bytes()).unwrap();
        assert_eq!(note.text, TEXT);
        assert_eq!(note.to_text(), signed);
        verify_note(&note, &peter()).unwrap();
    }

    #[test]
    fn go_golden_open_two_signers() {
        let enoch = VerifierKey::parse(ENOCH_VKEY).unwrap();
        let note = parse_note(format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}").as_bytes()).unwrap();
        assert_eq!(note.sigs.len(), 2);
        assert_eq!(note.sigs[1].key_id, 0xaf0cfe78);
        verify_note(&note, &peter()).unwrap();
        verify_note(&note, &enoch).unwrap();
        // Go's "invalid signature" case: bytes inserted into Peter's signature.
        let bad = format!("{TEXT}\n{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        let note = parse_note(bad.as_bytes()).unwrap();
        assert!(matches!(
            verify_note(&note, &peter()),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn c2sp_spec_example() {
        let key = VerifierKey::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        let msg = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
        verify_note(&parse_note(msg.as_bytes()).unwrap(), &key).unwrap();
    }

    #[test]
    fn key_manglings_rejected() {
        for key in [PETER_VKEY, PETER_SKEY] {
            let parse = |s: &str| {
                if key == PETER_VKEY {
                    VerifierKey::parse(s).is_ok()
                } else {
                    SignerKey::parse(s).is_ok()
                }
            };
            assert!(parse(key));
            let b = key.as_bytes();
            for i in 0..=b.len() {
                for j in i + 1..=b.len() {
                    if i != 0 || j != b.len() {
                        let s = std::str::from_utf8(&b[i..j]).unwrap();
                        assert!(!parse(s), "accepted {s:?}");
                    }
                }
            }
            for i in 0..b.len() {
                let mut m = b.to_vec();
                m[i] += 1;
                let s = String::from_utf8(m).unwrap();
                assert!(!parse(&s), "accepted {s:?}");
            }
        }
        // Go's wrong-length and unknown-algorithm keys (with adjusted key ids).
        assert!(
            VerifierKey::parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
            .is_err()
        );
        assert_eq!(
            VerifierKey::parse(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(NoteError::UnsupportedAlgorithm(0x65))
        );
        assert_eq!(
            VerifierKey::parse(
                "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
            ),
            Err(NoteError::InvalidKeyName("Peter Neumann".into()))
        );
    }

    #[test]
    fn generate_roundtrip() {
        let k = SignerKey::generate("example.com/log").unwrap();
        let k2 = SignerKey::parse(&k.to_text()).unwrap();
        assert_eq!(k2.verifier(), k.verifier());
        let v = VerifierKey::parse(&k.verifier().to_text()).unwrap();
        assert_eq!(
            v.key_id(),
            ed25519_key_id("example.com/log", &v.public_key())
        );
        let signed = sign_note("hello\n\nworld\n", &k).unwrap();
        let note = parse_note(signed.as_bytes()).unwrap();
        assert_eq!(note.text, "hello\n\nworld\n");
        verify_note(&note, &v).unwrap();
        assert!(!format!("{k:?}").contains(&k.to_text()[20..]));
        assert!(SignerKey::generate("bad+name").is_err());
        assert!(SignerKey::generate("").is_err());
    }

    #[test]
    fn wrong_key_or_name_has_no_signature() {
        let note = parse_note(format!("{TEXT}\n{PETER_SIG}").as_bytes()).unwrap();
        // Same name, different key (so different key id).
        let other = SignerKey::generate("PeterNeumann").unwrap().verifier();
        assert!(matches!(
            verify_note(&note, &other),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Only the Enoch signature: Peter's key finds nothing.
        let enoch_only = parse_note(format!("{TEXT}\n{ENOCH_SIG}").as_bytes()).unwrap();
        assert_eq!(
            verify_note(&enoch_only, &peter()),
            Err(NoteError::NoSignatureByKey {
                name: "PeterNeumann".into(),
                key_id: 0xc74f20a3
            })
        );
        // Renamed signature line: ignored, as it is an unknown key.
        let renamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego");
        let note = parse_note(format!("{TEXT}\n{renamed}").as_bytes()).unwrap();
        assert!(matches!(
            verify_note(&note, &peter()),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Tampered text with the right key: bad signature.
        let tampered = format!("{}\n{PETER_SIG}", TEXT.replace("answer", "Answer"));
        let note = parse_note(tampered.as_bytes()).unwrap();
        assert!(matches!(
            verify_note(&note, &peter()),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn unknown_signatures_ignored() {
        let unknown = "— example.com/other AAAAAAE=\n";
        let note = parse_note(format!("{TEXT}\n{unknown}{PETER_SIG}").as_bytes()).unwrap();
        assert_eq!(note.sigs.len(), 2);
        verify_note(&note, &peter()).unwrap();
    }

    #[test]
    fn malformed_notes_rejected() {
        use NoteError::*;
        let line = |reason| MalformedSignatureLine { line: 1, reason };
        let cases: Vec<(Vec<u8>, NoteError)> = vec![
            (TEXT.into(), MissingSignatureBlock),
            (format!("{TEXT}\n").into(), NoSignatures),
            (
                format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]).into(),
                MissingFinalNewline,
            ),
            (
                format!("\x01{TEXT}\n{PETER_SIG}").into(),
                ControlCharacter { offset: 0, byte: 1 },
            ),
            (
                format!("{TEXT}\r\n{PETER_SIG}").into(),
                ControlCharacter {
                    offset: TEXT.len(),
                    byte: b'\r',
                },
            ),
            ([b"\xff", format!("{TEXT}\n{PETER_SIG}").as_bytes()].concat(), NotUtf8),
            (
                format!("{TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n").into(),
                line(LineProblem::NotBase64),
            ),
            (
                format!("{TEXT}\n{PETER_SIG}Unexpected line.\n").into(),
                MalformedSignatureLine {
                    line: 2,
                    reason: LineProblem::NoDash,
                },
            ),
            (
                format!("{TEXT}\n- PeterNeumann AAAAAQ==\n").into(),
                line(LineProblem::NoDash),
            ),
            (
                format!("{TEXT}\n— PeterNeumann\n").into(),
                line(LineProblem::NoSpace),
            ),
            (
                format!("{TEXT}\n— a+b AAAAAQ==\n").into(),
                line(LineProblem::KeyName),
            ),
            (
                format!("{TEXT}\n— PeterNeumann AAAAAA==\n").into(),
                line(LineProblem::TooShort),
            ),
            (
                format!("{TEXT}\n— PeterNeumann \n").into(),
                line(LineProblem::TooShort),
            ),
            (
                format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1)).into(),
                TooManySignatures {
                    max: MAX_SIGNATURES,
                },
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(
                parse_note(&msg),
                Err(want),
                "{:?}",
                String::from_utf8_lossy(&msg)
            );
        }
        let ok = format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES));
        verify_note(&parse_note(ok.as_bytes()).unwrap(), &peter()).unwrap();
    }

    #[test]
    fn sign_rejects_bad_text() {
        let k = SignerKey::parse(PETER_SKEY).unwrap();
        assert_eq!(sign_note("abc", &k), Err(NoteError::TextMissingNewline));
        assert_eq!(sign_note("", &k), Err(NoteError::TextMissingNewline));
        assert_eq!(
            sign_note("a\tb\n", &k),
            Err(NoteError::ControlCharacter { offset: 1, byte: 9 })
        );
    }

    #[test]
    fn add_signature_replaces_same_key() {
        let k = SignerKey::parse(PETER_SKEY).unwrap();
        let mut note =
            parse_note(format!("{TEXT}\n{ENOCH_SIG}— PeterNeumann x08go/ZZ\n").as_bytes()).unwrap();
        note.add_signature(&k).unwrap();
        assert_eq!(note.to_text(), format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}"));
    }
}
