//! Signed events: in a ledger with people, each event carries an Ed25519 signature by its author's
//! current key, made and checked here (the domain holds who may record what; this module holds the key
//! formats, from [`crate::tlog::note`]).
//!
//! The signature slot of an event (`schema/FORMAT.md`, "Signed events") holds 68 bytes: the signer key's
//! C2SP key id (4 bytes, big-endian), then the Ed25519 signature of [`SIGNATURE_CONTEXT`] followed by the
//! event's *unsigned bytes*: its encoding with the signature slot empty. The stored bytes, with the
//! signature, are what the chain hashes: a signature is part of the history it signs, and the signed
//! bytes name the previous event's hash, so a signature also vouches for every event before it.
//!
//! Invariants: the unsigned bytes are cut from the stored bytes (the slot is the event's last field),
//! never re-encoded; an event before `people.enabled` carries no signature; from it on (it included,
//! signed by the administrator it names) every event is signed by its author's key current at that seq.

use crate::domain::event::{self, Change, EncodeError, Event};
use crate::domain::state::State;
use crate::tlog::note::{SignerKey, VerifierKey};

/// The key a batch is signed with (in a ledger with people): a person's signing key, shared cheaply.
/// Two signers are equal when their keys are.
#[derive(Clone, Debug)]
pub struct Signer(pub std::sync::Arc<SignerKey>);

impl PartialEq for Signer {
    fn eq(&self, other: &Signer) -> bool {
        self.0.verifier() == other.0.verifier()
    }
}

impl Eq for Signer {}

impl Signer {
    /// A signer of `key`.
    pub fn new(key: SignerKey) -> Signer {
        Signer(std::sync::Arc::new(key))
    }
}

/// Domain-separation prefix of the signed message (ends in a NUL).
pub const SIGNATURE_CONTEXT: &[u8] = b"hyoka/event-signature/v1\0";

use crate::domain::event::SIGNATURE_LEN;

/// The bytes of a filled signature slot at the end of an encoded event: `01`, the length as a u64, and
/// the [`SIGNATURE_LEN`] bytes.
const SLOT_LEN: usize = 1 + 8 + SIGNATURE_LEN;

/// Whether an event must be signed: it is `people.enabled`, or the state before it has people.
pub fn must_be_signed(before: &State, change: &Change) -> bool {
    before.has_people() || matches!(change, Change::PeopleEnabled { .. })
}

/// The stored bytes of `event` signed with `key`: its unsigned encoding signed, the signature put in its
/// slot, and the whole encoded again (the slot is the last field, so the bytes before it are unchanged).
pub fn sign(event: &mut Event, key: &SignerKey) -> Result<Vec<u8>, EncodeError> {
    event.signature = None;
    let unsigned = event::encode(event)?;
    let mut msg = SIGNATURE_CONTEXT.to_vec();
    msg.extend_from_slice(&unsigned);
    let mut slot = key.key_id().to_be_bytes().to_vec();
    slot.extend_from_slice(&key.sign(&msg));
    event.signature = Some(slot);
    event::encode(event)
}

/// Checks that every verifier key a change records (a person's, the log key) is one: a key that could
/// never verify a signature is refused when it is registered, not at its first use.
pub fn check_keys(change: &Change) -> Result<(), String> {
    let keys: Vec<(&str, &str)> = match change {
        Change::PeopleEnabled { log_vkey, admin } => {
            vec![
                ("the log key", log_vkey),
                ("the administrator's key", &admin.vkey),
            ]
        }
        Change::PersonRegistered { person } => vec![("the person's key", &person.vkey)],
        Change::KeyRotated { vkey, .. } => vec![("the new key", vkey)],
        _ => return Ok(()),
    };
    for (what, k) in keys {
        VerifierKey::parse(k).map_err(|e| {
            format!(
                "{what} `{}` is not a verifier key: {e}",
                crate::domain::text::escape(k)
            )
        })?;
    }
    Ok(())
}

/// The key whose signature `change`, recorded by `author`, must carry: the administrator's named by a
/// `people.enabled` change, else the author's current key. `Err` says why there is none.
pub fn signer_vkey<'a>(
    before: &'a State,
    author: &str,
    change: &'a Change,
) -> Result<&'a str, String> {
    if let Change::PeopleEnabled { admin, .. } = change {
        if admin.id != author {
            return Err(format!(
                "the people.enabled event must be recorded by the administrator it names ({}), not by {author}",
                admin.id
            ));
        }
        return Ok(&admin.vkey);
    }
    let person = before
        .people
        .as_ref()
        .and_then(|p| p.get(author))
        .ok_or_else(|| format!("its author {author} is not a registered person"))?;
    person
        .vkey
        .as_deref()
        .ok_or_else(|| format!("its author {author} has no key at this point (it was revoked)"))
}

/// Checks the signature of a stored event against the state before it: none before `people.enabled`;
/// from it on, one by the key [`signer_vkey`] names, over the event's unsigned bytes. `Err` says what
/// is wrong.
pub fn check(before: &State, stored: &[u8], e: &Event) -> Result<(), String> {
    if !must_be_signed(before, &e.change) {
        return match &e.signature {
            None => Ok(()),
            Some(_) => Err("it is signed, but the ledger has no people before it".into()),
        };
    }
    let Some(sig) = &e.signature else {
        return Err("it is not signed, and every event of a ledger with people is".into());
    };
    if sig.len() != SIGNATURE_LEN || stored.len() < SLOT_LEN {
        return Err(format!(
            "its signature slot holds {} bytes, not {SIGNATURE_LEN}",
            sig.len()
        ));
    }
    let vkey_text = signer_vkey(before, &e.author, &e.change)?;
    let vkey = VerifierKey::parse(vkey_text)
        .map_err(|err| format!("the signer's recorded key is not a verifier key: {err}"))?;
    let key_id = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
    if key_id != vkey.key_id() {
        return Err(format!(
            "it is signed by key {key_id:08x}, not by {}'s key {:08x}",
            e.author,
            vkey.key_id()
        ));
    }
    let mut msg = SIGNATURE_CONTEXT.to_vec();
    msg.extend_from_slice(&stored[..stored.len() - SLOT_LEN]);
    msg.push(0);
    if !vkey.verify(&msg, &sig[4..]) {
        return Err(format!(
            "the signature by {}'s key does not verify: the event was altered after it was signed, or signed by another key",
            e.author
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{SCHEMA_VERSION, ZERO_HASH, decode};
    use crate::domain::people::{Person, Role};

    fn admin_key() -> SignerKey {
        SignerKey::from_seed("admin", &[1; 32]).unwrap()
    }

    fn enable(key: &SignerKey) -> Event {
        Event {
            version: SCHEMA_VERSION,
            seq: 1,
            prev_hash: ZERO_HASH,
            recorded_at: 0,
            author: "admin".into(),
            reason: "people".into(),
            source: None,
            change: Change::PeopleEnabled {
                log_vkey: SignerKey::from_seed("log", &[2; 32])
                    .unwrap()
                    .verifier()
                    .to_text(),
                admin: Person {
                    id: "admin".into(),
                    name_commitment: [0; 32],
                    department: "行政経営課".into(),
                    roles: vec![Role::Admin],
                    vkey: key.verifier().to_text(),
                },
            },
            signature: None,
        }
    }

    #[test]
    fn a_signed_event_checks_and_any_change_to_it_does_not() {
        let key = admin_key();
        let mut e = enable(&key);
        let stored = sign(&mut e, &key).unwrap();
        let decoded = decode(&stored).unwrap();
        let before = State::default();
        assert_eq!(check(&before, &stored, &decoded), Ok(()));
        // Every byte before the slot is signed.
        for i in 0..stored.len() - SLOT_LEN {
            let mut bad = stored.clone();
            bad[i] ^= 1;
            if let Ok(d) = decode(&bad) {
                assert!(check(&before, &bad, &d).is_err(), "byte {i}");
            }
        }
        // Another key's signature is named as such.
        let other = SignerKey::from_seed("admin", &[9; 32]).unwrap();
        let mut forged = enable(&key);
        let bytes = sign(&mut forged, &other).unwrap();
        let err = check(&before, &bytes, &decode(&bytes).unwrap()).unwrap_err();
        assert!(err.contains("not by admin's key"), "{err}");
        // Unsigned, it is refused.
        let mut unsigned = enable(&key);
        unsigned.signature = None;
        let bytes = event::encode(&unsigned).unwrap();
        assert!(
            check(&before, &bytes, &unsigned)
                .unwrap_err()
                .contains("not signed")
        );
    }
}
