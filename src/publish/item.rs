//! What the public may read of the published rounds as a whole: the list of published rounds covered
//! by a checkpoint ([`published_rounds`], the citizens' home page), and one item's record
//! ([`item_record`], `GET /items/{ID}`): its values in each published round's table, as published, and
//! the corrections made to them after each publication, up to the checkpoint.
//!
//! Invariants: only what a publication pack of the same checkpoint shows (the table as published, the
//! corrections' item, before, after, reason and time); no person, id or name, is given (the
//! personal-data rule of people and rounds); an item no published table holds has no record, so a page
//! never shows an item before its first publication.

use super::{Publication, PublishError, gather};
use crate::domain::event::Change;
use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::state::PublishedRow;
use crate::error::Result;
use crate::ledger::Ledger;
use crate::store::Store;
use crate::tlog::checkpoint::Checkpoint;
use crate::views::round::NoticeEntry;

/// A `round.published` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRound {
    /// The round's point.
    pub point: Period,
    /// The event.
    pub seq: u64,
    /// When it was recorded (ns).
    pub recorded_at: i64,
    /// The digest of the table it records.
    pub table_sha256: [u8; 32],
}

/// The rounds published by the first `size` events (a checkpoint's), in the order of publication.
pub fn published_rounds<S: Store>(ledger: &Ledger<S>, size: u64) -> Result<Vec<PublishedRound>> {
    published_rounds_in(ledger, 0, size)
}

/// The rounds published by a growing log's first events, kept between calls: a derived memo of
/// [`published_rounds`] that reads only the events added since the last call (the log only grows, so
/// what its first `n` events published never changes). Asked for fewer events than it has read, it
/// answers from its list (a publication at seq `s` is among the first `n` events when `s < n`).
#[derive(Debug, Default)]
pub struct PublishedMemo {
    read: std::sync::Mutex<(u64, Vec<PublishedRound>)>,
}

impl PublishedMemo {
    /// [`published_rounds`]`(ledger, size)`, reading only events not read before. The memo is of one
    /// ledger: give it no other.
    pub fn up_to<S: Store>(&self, ledger: &Ledger<S>, size: u64) -> Result<Vec<PublishedRound>> {
        let mut memo = self
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (read, rounds) = &mut *memo;
        // Never past the log's end: a checkpoint claiming more events must not skip any.
        let size = size.min(ledger.len());
        if size > *read {
            let mut more = published_rounds_in(ledger, *read, size)?;
            rounds.append(&mut more);
            *read = size;
        }
        Ok(rounds.iter().filter(|r| r.seq < size).cloned().collect())
    }
}

/// The rounds published by the events `from..to`, in the order of publication.
fn published_rounds_in<S: Store>(
    ledger: &Ledger<S>,
    from: u64,
    to: u64,
) -> Result<Vec<PublishedRound>> {
    let mut out = Vec::new();
    ledger.scan(from, to, &mut |e| {
        if let Change::RoundPublished {
            period,
            table_sha256,
        } = &e.event.change
        {
            out.push(PublishedRound {
                point: *period,
                seq: e.event.seq,
                recorded_at: e.event.recorded_at,
                table_sha256: *table_sha256,
            });
        }
        Ok(true)
    })?;
    Ok(out)
}

/// An item in one published round.
#[derive(Debug, Clone)]
pub struct ItemInRound {
    /// The round's publication (its table, subtotals and corrections are the whole round's).
    pub publication: Publication,
    /// The item's row in the table as published.
    pub row: PublishedRow,
    /// The corrections to the item's cells of that point after the publication, up to the
    /// checkpoint, oldest first.
    pub corrections: Vec<NoticeEntry>,
}

/// An item's published record.
#[derive(Debug, Clone)]
pub struct ItemRecord {
    /// The item's id as the city writes it.
    pub id: String,
    /// Its title, heading and department in the latest published table that holds it.
    pub title: String,
    /// Its heading.
    pub heading: String,
    /// Its department.
    pub department: String,
    /// Each published round whose table holds the item, in the order of publication.
    pub rounds: Vec<ItemInRound>,
    /// The plan's name.
    pub plan: String,
    /// The checkpoint the record is bound to.
    pub checkpoint: Checkpoint,
    /// Its signed note.
    pub checkpoint_note: String,
}

/// The record of item `id` bound to `checkpoint` (signed note `note`): `None` when no published table
/// covered by the checkpoint holds it.
pub fn item_record<S: Store>(
    ledger: &Ledger<S>,
    id: &ItemId,
    checkpoint: &Checkpoint,
    note: &str,
) -> std::result::Result<Option<ItemRecord>, PublishError> {
    let mut rounds = Vec::new();
    for r in published_rounds(ledger, checkpoint.size)? {
        let p = gather(ledger, r.point, checkpoint.clone(), note.to_string())?;
        let Some(row) = p.rows.iter().find(|row| row.id == id.as_str()).cloned() else {
            continue;
        };
        let corrections = p
            .corrections
            .iter()
            .filter(|c| c.item.0 == *id)
            .cloned()
            .collect();
        rounds.push(ItemInRound {
            publication: p,
            row,
            corrections,
        });
    }
    let Some(last) = rounds.last() else {
        return Ok(None);
    };
    Ok(Some(ItemRecord {
        id: last.row.id.clone(),
        title: last.row.title.clone(),
        heading: last.row.heading.clone(),
        department: last.row.department.clone(),
        plan: last.publication.plan.clone(),
        checkpoint: checkpoint.clone(),
        checkpoint_note: note.to_string(),
        rounds,
    }))
}
