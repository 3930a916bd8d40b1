//! The chain's rules over a stream of stored events, as an export or a restore hands them on: each
//! decodes, has the next seq, links to its predecessor, is not recorded earlier, and obeys the domain
//! and meta rules (`schema/FORMAT.md` section 12); the Merkle root is recomputed as they come.

use super::signing;
use crate::domain::event::{self, Change, Event, Hash, StoredEvent, ZERO_HASH};
use crate::domain::state::{Refused, Rule, State};
use crate::error::IntegrityError;
use crate::tlog::merkle::{self, StreamingRoot};

/// Checks a stream of events' stored bytes, in order, as [`crate::ledger::Ledger::verify`] checks a ledger: each
/// decodes, has the next seq, links to its predecessor (event 0 to zeros), is not recorded earlier, and
/// obeys the domain rules ([`State::apply`]); and recomputes the Merkle root as it goes.
#[derive(Debug, Default)]
pub struct Chain {
    state: State,
    root: StreamingRoot,
    prev: Hash,
    last_time: Option<i64>,
    /// An event whose successor did not record its hash: decided by the next event (which side changed).
    suspect: Option<u64>,
    /// The event schema version of event 0, which every event has.
    version: Option<u16>,
    /// Keys the ledger's people must begin with (see [`Chain::pin`]).
    pinned: Vec<String>,
    /// The first broken rule, reported by [`Chain::finish`] if the chain is intact (an edited event
    /// usually breaks both, and the hash mismatch is the precise diagnosis).
    rule_broken: Option<IntegrityError>,
}

impl Chain {
    /// The state after the events pushed so far (while no rule is broken).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Checks the next event and returns it decoded, with its hash.
    pub fn push(&mut self, bytes: &[u8]) -> Result<StoredEvent, IntegrityError> {
        let seq = self.root.len();
        let event =
            event::decode(bytes).map_err(|e| IntegrityError::Undecodable { seq, why: e })?;
        let hash = event::event_hash(&event.prev_hash, bytes);
        let stored = StoredEvent { event, hash };
        self.push_decoded(&stored, bytes, &merkle::leaf_hash(&hash))?;
        Ok(stored)
    }

    /// Checks the next event, already decoded from its stored bytes and hashed, with its Merkle leaf
    /// hash (so that a caller can decode and hash on another thread, as `verify` does): the same
    /// checks as [`Chain::push`], in the same order.
    pub fn push_decoded(
        &mut self,
        e: &StoredEvent,
        bytes: &[u8],
        leaf: &Hash,
    ) -> Result<(), IntegrityError> {
        self.push_prechecked(e, bytes, leaf, None)
    }

    /// [`Chain::push_decoded`], with the event's signature verified ahead if `pre` (see
    /// [`signing::check_prechecked`]: the same checks, the same failures).
    pub fn push_prechecked(
        &mut self,
        e: &StoredEvent,
        bytes: &[u8],
        leaf: &Hash,
        pre: Option<&signing::Prechecked>,
    ) -> Result<(), IntegrityError> {
        let seq = self.root.len();
        let event = &e.event;
        if event.seq != seq {
            return Err(IntegrityError::MissingSeq {
                expected: seq,
                detail: crate::error::SeqFound::Elsewhere {
                    found: event.seq,
                    belongs: seq,
                },
            });
        }
        if seq == 0 && event.prev_hash != ZERO_HASH {
            return Err(IntegrityError::BadGenesis);
        }
        if let Some(s) = self.suspect.take() {
            // Event s+1 did not record event s's hash. If s+1 hashes to what s+2 recorded, s+1 is intact
            // and s changed; otherwise s+1 itself changed.
            return Err(if event.prev_hash == self.prev {
                IntegrityError::HashMismatch {
                    seq: s,
                    recorded_by: format!("event {}", s + 1),
                }
            } else {
                IntegrityError::BrokenLink { seq: s + 1 }
            });
        }
        if event.prev_hash != self.prev {
            self.suspect = Some(seq.saturating_sub(1));
        }
        if self.last_time.is_some_and(|t| event.recorded_at < t) {
            return Err(IntegrityError::TimeWentBackwards { seq });
        }
        let first_version = *self.version.get_or_insert(event.version);
        if self.rule_broken.is_none() && event.version != first_version {
            self.rule_broken = Some(IntegrityError::RuleBroken {
                seq,
                why: Refused::Rule(Rule::VersionMixed {
                    version: event.version,
                    first: first_version,
                }),
            });
        }
        if self.rule_broken.is_none() {
            self.rule_broken = self.check_people(seq, bytes, event, pre).err();
        }
        if self.rule_broken.is_none()
            && let Err(why) = signing::check_keys(&event.change)
        {
            self.rule_broken = Some(IntegrityError::RuleBroken {
                seq,
                why: Refused::Rule(why),
            });
        }
        if self.rule_broken.is_none()
            && let Err(r) = crate::domain::state::check_recorded_meta(event)
                .and_then(|()| self.state.authorize(&event.author, &event.change))
                .and_then(|()| self.state.apply(&event.change))
        {
            self.rule_broken = Some(IntegrityError::RuleBroken { seq, why: r });
        }
        self.root.push(*leaf);
        self.prev = e.hash;
        self.last_time = Some(event.recorded_at);
        Ok(())
    }

    /// Checks events against these keys too (verifier keys, C2SP encoding): the ledger's people must
    /// begin with one of them as its log key or its first administrator's key.
    pub fn pin(&mut self, keys: Vec<String>) {
        self.pinned = keys;
    }

    /// The signature of an event (in a ledger with people), and its first administrator and log key
    /// against the pinned keys.
    fn check_people(
        &self,
        seq: u64,
        bytes: &[u8],
        e: &Event,
        pre: Option<&signing::Prechecked>,
    ) -> Result<(), IntegrityError> {
        signing::check_prechecked(&self.state, bytes, e, pre)
            .map_err(|why| IntegrityError::SignatureInvalid { seq, why })?;
        if let Change::PeopleEnabled { log_vkey, admin } = &e.change
            && !self.pinned.is_empty()
            && !self
                .pinned
                .iter()
                .any(|k| k == log_vkey || *k == admin.vkey)
        {
            return Err(IntegrityError::PinnedKeyMismatch {
                seq,
                detail: format!(
                    "the ledger's people begin with log key {} and administrator key {}, neither of which is the key given to check against: the history was replaced from its start",
                    key_name(log_vkey),
                    key_name(&admin.vkey)
                ),
            });
        }
        Ok(())
    }

    /// The first broken rule so far, if any ([`Chain::finish`] reports it once the chain is known to
    /// be intact).
    pub fn rule_broken(&self) -> Option<&IntegrityError> {
        self.rule_broken.as_ref()
    }

    /// Fails if the last event did not link to its predecessor. `head`, the hash recorded for the last
    /// event elsewhere (a ledger's commit and head records), tells which side changed: the last event
    /// is intact if it still hashes to it, and its predecessor changed. Without one, the last link is
    /// called broken.
    pub fn check_last_link(&self, head: Option<&Hash>) -> Result<(), IntegrityError> {
        match self.suspect {
            None => Ok(()),
            Some(s) if head == Some(&self.prev) => Err(IntegrityError::HashMismatch {
                seq: s,
                recorded_by: format!("event {}", s + 1),
            }),
            Some(s) => Err(IntegrityError::BrokenLink { seq: s + 1 }),
        }
    }

    /// Ends the stream: fails if the last event did not link to its predecessor, or if an event broke
    /// a domain rule.
    pub fn finish(&self) -> Result<(), IntegrityError> {
        self.check_last_link(None)?;
        match &self.rule_broken {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Number of events checked.
    pub fn len(&self) -> u64 {
        self.root.len()
    }

    /// Whether no event was checked.
    pub fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    /// Hash of the last event (zeros before the first).
    pub fn head(&self) -> Hash {
        self.prev
    }

    /// The Merkle root of the events checked so far.
    pub fn root(&self) -> Hash {
        self.root.root()
    }

    /// The origin defined by event 0, once it was checked.
    pub fn origin(&self) -> Option<&str> {
        self.state.plan().ok().map(|p| p.origin.as_str())
    }
}

/// `name+hexid` of a verifier key's text (its public key left out), for messages.
fn key_name(vkey: &str) -> String {
    let mut parts = vkey.splitn(3, '+');
    match (parts.next(), parts.next()) {
        (Some(n), Some(id)) => crate::domain::text::escape(&format!("{n}+{id}")),
        _ => crate::domain::text::escape(vkey),
    }
}
