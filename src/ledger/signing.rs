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
use crate::domain::state::{KeyOf, Rule, State};
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
pub fn check_keys(change: &Change) -> Result<(), Rule> {
    let keys: Vec<(KeyOf, &str)> = match change {
        Change::PeopleEnabled { log_vkey, admin } => {
            vec![(KeyOf::Log, log_vkey), (KeyOf::Admin, &admin.vkey)]
        }
        Change::PersonRegistered { person } => vec![(KeyOf::Person, &person.vkey)],
        Change::KeyRotated { vkey, .. } => vec![(KeyOf::New, vkey)],
        _ => return Ok(()),
    };
    for (of, k) in keys {
        VerifierKey::parse(k).map_err(|e| Rule::NotAKey {
            of,
            key: crate::domain::text::escape(k),
            why: e.to_string(),
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
) -> Result<&'a str, Rule> {
    if let Change::PeopleEnabled { admin, .. } = change {
        if admin.id != author {
            return Err(Rule::EnabledByOther {
                admin: admin.id.clone(),
                author: author.to_string(),
            });
        }
        return Ok(&admin.vkey);
    }
    let person = before
        .people
        .as_ref()
        .and_then(|p| p.get(author))
        .ok_or_else(|| Rule::AuthorNotPerson {
            author: author.to_string(),
        })?;
    person.vkey.as_deref().ok_or_else(|| Rule::AuthorNoKey {
        author: author.to_string(),
    })
}

/// Checks the signature of a stored event against the state before it: none before `people.enabled`;
/// from it on, one by the key [`signer_vkey`] names, over the event's unsigned bytes. `Err` says what
/// is wrong.
pub fn check(before: &State, stored: &[u8], e: &Event) -> Result<(), String> {
    check_prechecked(before, stored, e, None)
}

/// The cryptographic half of [`check`], done ahead of the event's turn (on another thread, without
/// the state before it): the signature of an event verified with a key its key id names, as recorded
/// by a people event. Only the state says whether that key was the author's at that seq:
/// [`check_prechecked`] uses the verdict when it was, and checks from scratch otherwise.
#[derive(Clone, Debug)]
pub struct Prechecked {
    /// The verifier key text the signature was verified with, exactly as a people event recorded it.
    vkey: std::sync::Arc<str>,
    /// That key's id.
    key_id: u32,
    /// Whether the signature verifies with it over the event's unsigned bytes.
    valid: bool,
}

/// The verifier keys recorded by people events (`people.enabled`, `person.registered`,
/// `key.rotated`), by key id, parsed once: what [`precheck`] verifies signatures with. Any recorded
/// key will do, even one of an event that breaks a rule: [`check_prechecked`] uses a verdict only for
/// the author's current key, compared as recorded text. A key id shared by two keys names neither.
#[derive(Debug, Default)]
pub struct KeyRing {
    by_id: std::collections::HashMap<u32, Option<(std::sync::Arc<str>, VerifierKey)>>,
}

impl KeyRing {
    /// Learns the keys `change` records.
    pub fn learn(&mut self, change: &Change) {
        let text = match change {
            Change::PeopleEnabled { admin, .. } => &admin.vkey,
            Change::PersonRegistered { person } => &person.vkey,
            Change::KeyRotated { vkey, .. } => vkey,
            _ => return,
        };
        let Ok(key) = VerifierKey::parse(text) else {
            return;
        };
        match self.by_id.entry(key.key_id()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Some((text.as_str().into(), key)));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                if o.get().as_ref().is_some_and(|(t, _)| **t != **text) {
                    o.insert(None);
                }
            }
        }
    }

    /// Whether `change` records a key.
    pub fn records_a_key(change: &Change) -> bool {
        matches!(
            change,
            Change::PeopleEnabled { .. }
                | Change::PersonRegistered { .. }
                | Change::KeyRotated { .. }
        )
    }
}

/// The signature of a stored event verified with the key its key id names in `keys`, if the event is
/// signed, its slot well formed and the key known (`None` otherwise: [`check_prechecked`] then checks
/// it from scratch).
pub fn precheck(keys: &KeyRing, stored: &[u8], e: &Event) -> Option<Prechecked> {
    let sig = e.signature.as_ref()?;
    if sig.len() != SIGNATURE_LEN || stored.len() < SLOT_LEN {
        return None;
    }
    let key_id = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
    let (text, vkey) = keys.by_id.get(&key_id)?.as_ref()?;
    Some(Prechecked {
        vkey: text.clone(),
        key_id: vkey.key_id(),
        valid: vkey.verify(&signed_message(stored), &sig[4..]),
    })
}

/// What the signature of an event with these stored bytes signs: [`SIGNATURE_CONTEXT`], then its
/// unsigned bytes (the stored ones with the slot empty: the slot is the last field).
fn signed_message(stored: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(SIGNATURE_CONTEXT.len() + stored.len() + 1 - SLOT_LEN);
    msg.extend_from_slice(SIGNATURE_CONTEXT);
    msg.extend_from_slice(&stored[..stored.len() - SLOT_LEN]);
    msg.push(0);
    msg
}

/// [`check`], with the verdict of [`precheck`] for this event if there is one: the same checks in the
/// same order, with the same messages, except that when the key [`signer_vkey`] names is the one the
/// verdict was reached with, its parsed key id and the verdict are taken from it instead of being
/// computed again (they are what computing them would give: the same key text, parsed the same way,
/// the same bytes and signature).
pub fn check_prechecked(
    before: &State,
    stored: &[u8],
    e: &Event,
    pre: Option<&Prechecked>,
) -> Result<(), String> {
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
    let vkey_text = signer_vkey(before, &e.author, &e.change).map_err(|r| r.to_string())?;
    // The signer's key: as the verdict ahead found it, or parsed here.
    let vkey = match pre.filter(|p| *p.vkey == *vkey_text) {
        Some(p) => Err(p),
        None => Ok(VerifierKey::parse(vkey_text)
            .map_err(|err| format!("the signer's recorded key is not a verifier key: {err}"))?),
    };
    let vkey_id = match &vkey {
        Ok(k) => k.key_id(),
        Err(p) => p.key_id,
    };
    let key_id = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
    if key_id != vkey_id {
        return Err(format!(
            "it is signed by key {key_id:08x}, not by {}'s key {vkey_id:08x}",
            e.author,
        ));
    }
    let valid = match &vkey {
        Ok(k) => k.verify(&signed_message(stored), &sig[4..]),
        Err(p) => p.valid,
    };
    if !valid {
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

    fn person(id: &str, key: &SignerKey) -> Person {
        Person {
            id: id.into(),
            name_commitment: [0; 32],
            department: "財政課".into(),
            roles: vec![Role::Staff],
            vkey: key.verifier().to_text(),
        }
    }

    /// An event by `author` (a heading added: the signature check does not look at what the change
    /// is), signed with `key` if given: its stored bytes and the event decoded from them.
    fn by(author: &str, seq: u64, key: Option<&SignerKey>) -> (Vec<u8>, Event) {
        let mut e = Event {
            version: SCHEMA_VERSION,
            seq,
            prev_hash: ZERO_HASH,
            recorded_at: 0,
            author: author.into(),
            reason: "評価".into(),
            source: None,
            change: Change::CategoryAdded {
                name: format!("分類{seq}"),
            },
            signature: None,
        };
        let bytes = match key {
            Some(k) => sign(&mut e, k).unwrap(),
            None => event::encode(&e).unwrap(),
        };
        let decoded = decode(&bytes).unwrap();
        (bytes, decoded)
    }

    /// `check_prechecked` with the verdict `precheck` gives with `ring` (asserted to be given when
    /// `expect_pre`) says what `check` says.
    fn agree(ring: &KeyRing, before: &State, bytes: &[u8], e: &Event, expect_pre: bool) -> String {
        let pre = precheck(ring, bytes, e);
        assert_eq!(pre.is_some(), expect_pre, "{pre:?}");
        let fast = check_prechecked(before, bytes, e, pre.as_ref());
        let slow = check(before, bytes, e);
        assert_eq!(fast, slow);
        match slow {
            Ok(()) => "ok".into(),
            Err(e) => e,
        }
    }

    #[test]
    fn the_verdict_ahead_and_check_agree_on_valid_forged_and_wrongly_keyed_events() {
        let admin = admin_key();
        let (k0, k1) = (
            SignerKey::from_seed("s0", &[10; 32]).unwrap(),
            SignerKey::from_seed("s1", &[11; 32]).unwrap(),
        );
        let unknown = SignerKey::from_seed("s0", &[12; 32]).unwrap();
        let mut ring = KeyRing::default();
        let mut state = State::default();
        state
            .apply(&Change::PlanDefined {
                name: "plan".into(),
                grades: vec!["S".into(), "A".into(), "B".into()],
                default_era: None,
                origin: "test.example/plan".into(),
                cadence: Default::default(),
                years: None,
            })
            .unwrap();

        // people.enabled, signed by the administrator it names (learnt from the event itself), and
        // by another key.
        let mut e = enable(&admin);
        let bytes = sign(&mut e, &admin).unwrap();
        let e = decode(&bytes).unwrap();
        ring.learn(&e.change);
        assert_eq!(agree(&ring, &state, &bytes, &e, true), "ok");
        let mut forged = enable(&admin);
        let forged_bytes = sign(&mut forged, &k0).unwrap();
        let forged = decode(&forged_bytes).unwrap();
        let err = agree(&ring, &state, &forged_bytes, &forged, false);
        assert!(err.contains("not by admin's key"), "{err}");
        state.apply(&e.change).unwrap();

        // Two staff members; the ring learns their keys from their registrations.
        for (id, k) in [("s0", &k0), ("s1", &k1)] {
            let change = Change::PersonRegistered {
                person: person(id, k),
            };
            ring.learn(&change);
            state.apply(&change).unwrap();
        }

        // Valid.
        let (bytes, e) = by("s0", 2, Some(&k0));
        assert_eq!(agree(&ring, &state, &bytes, &e, true), "ok");
        // Forged: the change altered after signing (the heading `分類2` made `分類3`), or a byte of
        // the signature.
        let name = "分類2".as_bytes();
        let in_change = bytes.windows(name.len()).position(|w| w == name).unwrap() + name.len() - 1;
        for at in [in_change, bytes.len() - 10] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            let d = decode(&bad).unwrap();
            let err = agree(&ring, &state, &bad, &d, true);
            assert!(err.contains("does not verify"), "{err}");
        }
        // Wrongly keyed: signed by another person's key (one the ring knows, so it verifies there),
        // or by a key no one has.
        let (bytes, e) = by("s0", 3, Some(&k1));
        assert!(precheck(&ring, &bytes, &e).unwrap().valid);
        let err = agree(&ring, &state, &bytes, &e, true);
        assert!(err.contains("not by s0's key"), "{err}");
        let (bytes, e) = by("s0", 3, Some(&unknown));
        let err = agree(&ring, &state, &bytes, &e, false);
        assert!(err.contains("not by s0's key"), "{err}");
        // By an unregistered author, or unsigned.
        let (bytes, e) = by("s9", 3, Some(&k0));
        let err = agree(&ring, &state, &bytes, &e, true);
        assert!(err.contains("not a registered person"), "{err}");
        let (bytes, e) = by("s0", 3, None);
        let err = agree(&ring, &state, &bytes, &e, false);
        assert!(err.contains("not signed"), "{err}");

        // After s0's key is rotated, the old key still verifies its signature (the ring keeps
        // it), but it is no longer s0's: refused, as check refuses it.
        let (old_bytes, old) = by("s0", 4, Some(&k0));
        let rotated = SignerKey::from_seed("s0", &[13; 32]).unwrap();
        let change = Change::KeyRotated {
            person: "s0".into(),
            vkey: rotated.verifier().to_text(),
        };
        ring.learn(&change);
        state.apply(&change).unwrap();
        assert!(precheck(&ring, &old_bytes, &old).unwrap().valid);
        let err = agree(&ring, &state, &old_bytes, &old, true);
        assert!(err.contains("not by s0's key"), "{err}");
        let (bytes, e) = by("s0", 5, Some(&rotated));
        assert_eq!(agree(&ring, &state, &bytes, &e, true), "ok");
        // Revoked: no key.
        let change = Change::KeyRevoked {
            person: "s0".into(),
        };
        state.apply(&change).unwrap();
        let err = agree(&ring, &state, &bytes, &e, true);
        assert!(err.contains("has no key"), "{err}");

        // A key id two recorded keys share names neither: checked from scratch.
        let mut ring2 = KeyRing::default();
        ring2.learn(&Change::PersonRegistered {
            person: person("s1", &k1),
        });
        ring2.by_id.insert(k1.key_id(), None);
        let (bytes, e) = by("s1", 6, Some(&k1));
        assert_eq!(agree(&ring2, &state, &bytes, &e, false), "ok");

        // Before people.enabled: a signed event is refused, an unsigned one passes.
        let none = State::default();
        let (bytes, e) = by("s1", 0, Some(&k1));
        let err = agree(&ring, &none, &bytes, &e, true);
        assert!(err.contains("no people before it"), "{err}");
        let (bytes, e) = by("s1", 0, None);
        assert_eq!(agree(&ring, &none, &bytes, &e, false), "ok");
    }
}
