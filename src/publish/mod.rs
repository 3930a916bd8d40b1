//! The publication pack of a published round: what a city puts on its website, bound to its log
//! (`schema/FORMAT.md` section 17). [`gather`] reads, from a ledger and a signed checkpoint, the table
//! as published (the state right after the `round.published` event, whose canonical form must hash to
//! the digest that event records), its subtotals by heading, and the corrections made since, up to the
//! checkpoint; `forms.rs` makes the table's files (CSV, xlsx, JSON), `html.rs` the pages (also served by
//! `hyoka serve` as `GET /rounds/{POINT}`), `manifest.rs` the signed manifest, `pack.rs` writes a pack
//! into a directory and checks one; `round.rs` publishes a round (the batch, then the checkpoint signed).
//!
//! Invariants: the same ledger, point and checkpoint give the same bytes in every file (no clock is
//! read: the workbook's times are the publication's); nothing here prints; the pages are rendered by
//! minijinja with HTML auto-escaping, so every value from the ledger reaches them escaped, and they load
//! nothing from elsewhere.

use std::fmt;

use crate::domain::period::Period;
use crate::domain::state::{NOT_EVALUATED, PublishedRow, canonical_table};
use crate::error::{Error, IntegrityError};
use crate::ledger::Ledger;
use crate::store::Store;
use crate::tlog::checkpoint::Checkpoint;
use crate::views::round::NoticeEntry;

pub mod forms;
pub mod html;
pub mod item;
pub mod manifest;
pub mod pack;
pub mod round;

/// Shown for an item neither rated nor 対象外 at the point (in subtotals and the chart).
pub const UNRATED: &str = "未評価";

/// A published round, as its pack shows it.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The plan's name.
    pub plan: String,
    /// The log's origin.
    pub origin: String,
    /// The round's point.
    pub point: Period,
    /// The `round.published` event.
    pub published_seq: u64,
    /// When it was recorded (ns).
    pub published_at: i64,
    /// The digest it records: SHA-256 of the canonical table.
    pub table_sha256: [u8; 32],
    /// The table as published, in the plan's order.
    pub rows: Vec<PublishedRow>,
    /// The plan's grades, best first.
    pub grades: Vec<String>,
    /// The corrections made after the publication, up to the checkpoint, oldest first.
    pub corrections: Vec<NoticeEntry>,
    /// The checkpoint the pack is bound to.
    pub checkpoint: Checkpoint,
    /// Its signed note, as the log key signed it.
    pub checkpoint_note: String,
}

/// Why a pack could not be made or written.
#[derive(Debug)]
pub enum PublishError {
    /// The ledger (or the mirror's writer) failed.
    Ledger(Error),
    /// The point has no round, or its round is not published.
    NotPublished {
        /// The point.
        point: Period,
        /// Whether a round of the point exists at all.
        has_round: bool,
    },
    /// The checkpoint does not cover the publication.
    CheckpointBefore {
        /// The checkpoint's size.
        size: u64,
        /// The `round.published` event.
        published: u64,
    },
    /// A cell holds a character CP932 cannot hold.
    NotInCp932 {
        /// The item's id (`None` for the header row).
        item: Option<String>,
        /// The column's header text.
        column: String,
        /// The character.
        ch: char,
    },
    /// A file of the pack exists with other bytes (and no `force`).
    Exists {
        /// The file's path.
        path: String,
    },
    /// A symbolic link (or something else than a file) where a file or directory of the pack goes.
    NotAFile {
        /// The path.
        path: String,
    },
    /// The file system refused.
    Io {
        /// What was being done, and on which file.
        what: crate::error::IoDoing,
        /// The path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
    /// rust_xlsxwriter refused the workbook.
    Workbook(String),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Ledger(e) => write!(f, "{e}"),
            PublishError::NotPublished { point, .. } => {
                write!(f, "the round of {} is not published", point.id())
            }
            PublishError::CheckpointBefore { size, published } => write!(
                f,
                "the checkpoint covers {size} events, not the publication (event {published})"
            ),
            PublishError::NotInCp932 { item, column, ch } => write!(
                f,
                "item {} column {column}: {ch:?} (U+{:04X}) has no CP932 code",
                item.as_deref().unwrap_or("(header)"),
                u32::from(*ch)
            ),
            PublishError::Exists { path } => write!(f, "{path} exists with other bytes"),
            PublishError::NotAFile { path } => write!(f, "{path} is not a regular file"),
            PublishError::Io { what, error, .. } => write!(f, "{what}: {error}"),
            PublishError::Workbook(e) => write!(f, "the workbook could not be made: {e}"),
        }
    }
}

impl std::error::Error for PublishError {}

impl From<Error> for PublishError {
    fn from(e: Error) -> Self {
        PublishError::Ledger(e)
    }
}

/// The publication of `point` in `ledger`, bound to `checkpoint` (signed note `note`), which must
/// cover the `round.published` event; corrections after it count up to the checkpoint's size.
pub fn gather<S: Store>(
    ledger: &Ledger<S>,
    point: Period,
    checkpoint: Checkpoint,
    note: String,
) -> Result<Publication, PublishError> {
    let notice = ledger.round_notice(point)?;
    let Some(published) = notice.published else {
        let has_round = ledger.state()?.rounds.contains_key(&point);
        return Err(PublishError::NotPublished { point, has_round });
    };
    if published.seq >= checkpoint.size {
        return Err(PublishError::CheckpointBefore {
            size: checkpoint.size,
            published: published.seq,
        });
    }
    let state = ledger.state_through(Some(published.seq))?;
    let rows = state.published_rows(point);
    let plan = state.plan.as_ref();
    let plan_name = plan.map_or(String::new(), |p| p.name.clone());
    let digest = sha256(canonical_table(&plan_name, &point.id(), &rows).as_bytes());
    if hex::encode(digest) != published.table_sha256 {
        // The fold of the log gives another table than the one its publication recorded.
        return Err(Error::Integrity(IntegrityError::RuleBroken {
            seq: published.seq,
            why: crate::domain::state::Refused::Rule(crate::domain::state::Rule::DigestMismatch {
                period: point.label(),
                digest: hex::encode(digest),
            }),
        })
        .into());
    }
    Ok(Publication {
        origin: ledger.origin()?,
        plan: plan_name,
        point,
        published_seq: published.seq,
        published_at: published.recorded_at,
        table_sha256: digest,
        grades: plan.map_or_else(Vec::new, |p| p.grades.clone()),
        rows,
        corrections: notice
            .corrections
            .into_iter()
            .filter(|c| c.seq < checkpoint.size)
            .collect(),
        checkpoint,
        checkpoint_note: note,
    })
}

/// A time in RFC 3339 in Japan time, whatever zone the front end shows (a publication is the city's
/// document).
pub fn rfc3339_japan(ns: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .ok()
        .map(|t| t.to_offset(crate::domain::when::JST))
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("@{ns}ns"))
}

/// A time as people read it, in Japan time: `2021-04-30 10:00:00 +09:00`.
pub fn text_japan(ns: i64) -> String {
    crate::domain::when::format_text_in(ns, &crate::domain::when::Zone::japan())
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// The count of each grade (the plan's, then 対象外 and 未評価 when any) among `rows`.
pub fn tally<'a>(grades: &[String], rows: impl Iterator<Item = &'a PublishedRow>) -> Tally {
    let mut counts: Vec<(String, u64)> = grades.iter().map(|g| (g.clone(), 0)).collect();
    let (mut outside, mut unrated, mut total, mut follow_up) = (0, 0, 0, 0);
    for r in rows {
        total += 1;
        follow_up += u64::from(r.follow_up);
        match r.grade.as_str() {
            "" => unrated += 1,
            NOT_EVALUATED => outside += 1,
            g => match counts.iter_mut().find(|(k, _)| k == g) {
                Some((_, n)) => *n += 1,
                None => counts.push((g.to_string(), 1)),
            },
        }
    }
    Tally {
        counts,
        outside,
        unrated,
        total,
        follow_up,
    }
}

/// Counts of a group of rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Each grade and its count, in the plan's order.
    pub counts: Vec<(String, u64)>,
    /// 対象外.
    pub outside: u64,
    /// Neither rated nor 対象外.
    pub unrated: u64,
    /// Items.
    pub total: u64,
    /// Items flagged for follow-up.
    pub follow_up: u64,
}

impl Publication {
    /// The subtotals by heading, in the order the headings first appear, and the whole plan's.
    pub fn subtotals(&self) -> (Vec<(String, Tally)>, Tally) {
        let mut headings: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !headings.contains(&r.heading.as_str()) {
                headings.push(&r.heading);
            }
        }
        let by = headings
            .iter()
            .map(|h| {
                (
                    h.to_string(),
                    tally(&self.grades, self.rows.iter().filter(|r| r.heading == *h)),
                )
            })
            .collect();
        (by, tally(&self.grades, self.rows.iter()))
    }
}
