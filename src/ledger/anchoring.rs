//! The ledger's anchors (see [`crate::ledger::anchor`]): checking them on open, how far the directory vouches
//! for the events, the anchoring setting and the log key, and writing an anchor record after a commit.

use super::head::{HeadRecord, write_head};
use super::{Ledger, Vouched, VouchedBy};
use crate::domain::event::Hash;
use crate::error::{AnchorDamage, Error, IntegrityError, Result};
use crate::ledger::anchor;
use crate::store::Store;
use crate::tlog::note::SignerKey;

impl<S: Store> Ledger<S> {
    /// Checks the anchors kept in the directory (the head record's, and the checkpoint signed with the
    /// log key) against the ledger: every event they cover is there, with the same tree.
    pub(super) fn check_anchors(&mut self) -> Result<()> {
        // A damaged LOGKEY is no key here (the ledger stays usable, and a new log key can be set);
        // `verify` reports it.
        let key = anchor::log_key_if_readable(&self.dir)?;
        match (anchor::read_anchor(&self.dir)?, self.head.anchored) {
            (Some(r), _) => {
                let signed = r.signature.is_some()
                    && match &key {
                        Some(k) => r.signed_by(&self.origin()?, k),
                        None => false,
                    };
                self.check_anchor(r.size, &r.root, anchor_name(signed))?;
                self.anchor = Some((r, signed));
            }
            (None, true) => {
                return Err(IntegrityError::AnchorRecordDamaged(AnchorDamage::Missing).into());
            }
            (None, false) => {}
        }
        if let Some(cp) = anchor::signed_anchor_by(&self.dir, key.as_ref())? {
            self.check_anchor(cp.size, &cp.root, "the checkpoint signed with the log key")?;
            self.signed_size = Some(cp.size);
        }
        Ok(())
    }

    fn check_anchor(&self, size: u64, root: &Hash, by: &str) -> Result<()> {
        if size > self.committed.events {
            return Err(IntegrityError::AnchoredEventsMissing {
                ledger: self.committed.events,
                anchored: size,
                by: by.into(),
            }
            .into());
        }
        if size > 0 && self.tree_root(size)? != *root {
            return Err(IntegrityError::AnchorRootMismatch {
                size,
                by: by.into(),
            }
            .into());
        }
        Ok(())
    }

    /// How far the directory vouches for the events (see [`Vouched`]).
    pub fn vouched(&self) -> Vouched {
        let total = self.committed.events;
        let mut v = Vouched {
            events: self.head.events.max(self.store.settled().events),
            by: VouchedBy::Store,
        };
        if let Some((r, signed)) = &self.anchor
            && r.size > v.events
        {
            v = Vouched {
                events: r.size,
                by: match signed {
                    true => VouchedBy::SignedAnchor,
                    false => VouchedBy::Anchor,
                },
            };
        }
        if let Some(size) = self.signed_size
            && size > v.events
        {
            v = Vouched {
                events: size,
                by: VouchedBy::SignedCheckpoint,
            };
        }
        v.events = v.events.min(total);
        v
    }

    /// Whether every commit is anchored by an anchor record: signed with the log key when this writer
    /// holds it; unsigned when the ledger anchors every commit and the writer holds no log key.
    pub fn anchors_every_commit(&self) -> bool {
        self.log_key.is_some() || self.head.anchoring
    }

    /// Whether the ledger is set to anchor every commit in its head record.
    pub fn anchoring_setting(&self) -> bool {
        self.head.anchoring
    }

    /// Switches anchoring every commit on or off (a setting of the ledger, kept in its head record).
    /// Switching it on anchors the current events at once, before the setting is recorded (so a ledger
    /// that says it anchors always has an anchor record).
    pub fn set_anchoring(&mut self, on: bool) -> Result<()> {
        self.check_writable()?;
        if on {
            self.anchor_through(self.committed.events)?;
        }
        let h = HeadRecord {
            anchoring: on,
            anchored: self.head.anchored || self.anchor.is_some(),
            ..self.head
        };
        write_head(&self.dir, &h)?;
        self.head = h;
        Ok(())
    }

    /// Records `key` as the ledger's log key (kept as its verifier key in the directory; the private
    /// key is never written there). True if it was new, false if it was already the log key; another
    /// log key is refused.
    pub fn set_log_key(&mut self, key: &SignerKey) -> Result<bool> {
        self.check_writable()?;
        let origin = self.origin()?;
        anchor::set_log_key(&self.dir, &origin, &key.verifier())
    }

    /// Hands this writer the ledger's log key: from now on every commit is anchored by a checkpoint
    /// signed with it. The key must be the one recorded with [`Ledger::set_log_key`].
    pub fn use_log_key(&mut self, key: SignerKey) -> Result<()> {
        self.check_writable()?;
        match anchor::log_key(&self.dir)? {
            Some(v) if v.to_text() == key.verifier().to_text() => {
                self.log_key = Some(key);
                Ok(())
            }
            Some(v) => Err(Error::Invalid(crate::error::Invalid::NotLogKey {
                key: anchor::key_label(&key.verifier()),
                log_key: anchor::key_label(&v),
            })),
            None => Err(Error::Invalid(crate::error::Invalid::NoLogKey)),
        }
    }

    /// The log key this writer holds ([`Ledger::use_log_key`]), if any.
    pub fn held_log_key(&self) -> Option<&SignerKey> {
        self.log_key.as_ref()
    }

    /// Anchors the events committed so far, now, if this writer anchors every commit (after
    /// [`Ledger::use_log_key`] or [`Ledger::set_anchoring`], so that what was there before is covered).
    pub fn anchor(&mut self) -> Result<()> {
        self.check_writable()?;
        match self.anchors_every_commit() {
            true => self.anchor_commit(),
            false => Ok(()),
        }
    }

    /// Anchors the events committed so far, after a commit (see [`Ledger::anchors_every_commit`]).
    pub(super) fn anchor_commit(&mut self) -> Result<()> {
        self.anchor_through(self.committed.events)
    }

    /// Anchors the first `size` events (which must be durable), unless an anchor record covers them
    /// already: one write and one `fdatasync` of the anchor record file (see [`anchor::AnchorRecord`]).
    pub(crate) fn anchor_through(&mut self, size: u64) -> Result<()> {
        let size = size.min(self.committed.events);
        let signing = self.log_key.is_some();
        if let Some((r, signed)) = &self.anchor
            && size <= r.size
            && (*signed || !signing)
        {
            return Ok(());
        }
        let root = self.tree_root(size)?;
        let signature = match &self.log_key {
            Some(k) => {
                let cp = crate::tlog::checkpoint::Checkpoint {
                    origin: k.name().to_string(),
                    size,
                    root,
                    extensions: Vec::new(),
                };
                Some((k.key_id(), k.sign(cp.to_text().as_bytes())))
            }
            None => None,
        };
        let record = anchor::AnchorRecord {
            counter: match &self.anchor {
                Some((r, _)) => {
                    r.counter
                        .checked_add(1)
                        .ok_or(IntegrityError::AnchorRecordDamaged(
                            AnchorDamage::CounterAtEnd,
                        ))?
                }
                None => 0,
            },
            size,
            root,
            signature,
        };
        match &mut self.anchor_writer {
            Some(w) => w.write(&record)?,
            None => {
                let existed = std::fs::symlink_metadata(self.dir.join(anchor::ANCHOR_FILE)).is_ok();
                let mut w = anchor::AnchorWriter::open(&self.dir, &record)?;
                if existed {
                    w.write(&record)?;
                }
                self.anchor_writer = Some(w);
            }
        }
        self.anchor = Some((record, signing));
        // From the first record on, the head record says the ledger has one, so that its loss is seen
        // (a crash before this leaves a record that is not yet required: nothing is lost).
        if !self.head.anchored {
            let h = HeadRecord {
                anchored: true,
                ..self.head
            };
            write_head(&self.dir, &h)?;
            self.head = h;
        }
        Ok(())
    }
}

/// How an anchor record is named in messages.
pub(super) fn anchor_name(signed: bool) -> &'static str {
    match signed {
        true => "the anchor record signed with the log key",
        false => "the anchor record",
    }
}
