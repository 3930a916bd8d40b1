//! Recording changes from the command line: one batch by one author, checked against the people rules
//! before anything is written ([`super::people::authorized`]), each recorded event said in a line, and,
//! after a correction (訂正) to a published round, the draft of its notice (訂正のお知らせ).

use hyoka::domain::event::Change;
use hyoka::domain::period::Period;
use hyoka::domain::state::State;
use hyoka::domain::text;
use hyoka::ledger::Ledger;
use hyoka::views::round as view;

use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::options::Who;
use super::output::{self, out};
use super::who::meta;

/// Records `changes` as one batch by `who` and says what was recorded.
pub(super) fn record(ledger: &mut Ledger, who: &Who, changes: &[Change]) -> Result<(), Failure> {
    let dir = ledger.dir().to_path_buf();
    let state = ledger.current()?;
    let meta = meta(who, state)?;
    super::people::authorized(&dir, state, &meta.author, changes)?;
    let by = super::people::by(&dir, state, &meta.author);
    let drafts = drafts(state, changes);
    let receipt = ledger.append(&meta, changes)?;
    for (i, c) in changes.iter().enumerate() {
        out(t!(
            "recorded",
            seq = receipt.first_seq + i as u64,
            what = text::escape(&super::words::change(c)),
            by = text::escape(&by)
        ));
    }
    output::clock_behind(receipt.clock_behind.as_ref());
    print_drafts(ledger, &drafts, receipt.first_seq)
}

pub(super) fn record_one(
    ctx: &Ctx,
    who: &Who,
    build: impl FnOnce(&hyoka::domain::state::State) -> Result<(Change, String), Failure>,
) -> Result<(), Failure> {
    let mut ledger = super::anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    let (change, note) = build(state)?;
    // As the ledger will record it (a full-width grade in NFKC), so that is what is printed.
    let change = state.admit(change).map_err(hyoka::error::Error::Refused)?;
    let meta = meta(who, state)?;
    super::people::authorized(
        &ctx.ledger,
        state,
        &meta.author,
        std::slice::from_ref(&change),
    )?;
    let by = super::people::by(&ctx.ledger, state, &meta.author);
    let drafts = drafts(state, std::slice::from_ref(&change));
    let receipt = ledger.append(&meta, std::slice::from_ref(&change))?;
    out(t!(
        "recorded-one",
        seq = receipt.first_seq,
        what = hyoka::views::width::truncate(&text::escape(&super::words::change(&change)), 120),
        note = note,
        by = text::escape(&by),
        head = output::short(&receipt.head_hash)
    ));
    output::clock_behind(receipt.clock_behind.as_ref());
    print_drafts(&mut ledger, &drafts, receipt.first_seq)
}

// ------------------------------------------------------------------------------ corrections

/// A change of a batch that sets a cell of a published round's point (a correction, 訂正), with the
/// cell's value before it.
pub(super) struct Draft {
    /// Its place in the batch.
    index: usize,
    /// The change.
    change: Change,
    /// The field and its value before.
    field: &'static str,
    old: serde_json::Value,
}

/// The corrections among `changes`, about to be recorded on `state`.
pub(super) fn drafts(state: &State, changes: &[Change]) -> Vec<Draft> {
    changes
        .iter()
        .enumerate()
        .filter(|(_, c)| view::is_correction(state, c))
        .filter_map(|(index, c)| {
            let (field, old) = view::cell_value(state, c)?;
            Some(Draft {
                index,
                change: c.clone(),
                field,
                old,
            })
        })
        .collect()
}

/// After a batch whose first change is event `first_seq`: the draft notice (訂正のお知らせ) of the
/// corrections it made, per point, on stdout.
pub(super) fn print_drafts(
    ledger: &mut Ledger,
    drafts: &[Draft],
    first_seq: u64,
) -> Result<(), Failure> {
    if drafts.is_empty() {
        return Ok(());
    }
    let mut events = Vec::with_capacity(drafts.len());
    for d in drafts {
        events.push(ledger.event(first_seq + d.index as u64)?.event);
    }
    let state = ledger.current()?;
    let mut points: Vec<Period> = drafts.iter().filter_map(|d| d.change.period()).collect();
    points.dedup();
    for point in points {
        let corrections: Vec<view::NoticeEntry> = drafts
            .iter()
            .zip(&events)
            .filter(|(d, _)| d.change.period() == Some(point))
            .filter_map(|(d, e)| {
                let item = d.change.item()?.clone();
                let (title, department) = state
                    .items
                    .get(&item)
                    .map_or((String::new(), String::new()), |i| {
                        (i.title.clone(), i.department.clone())
                    });
                Some(view::NoticeEntry {
                    seq: e.seq,
                    recorded_at: e.recorded_at,
                    author: e.author.clone(),
                    reason: e.reason.clone(),
                    item: hyoka::views::ItemRef(item),
                    title,
                    department,
                    field: d.field,
                    old: d.old.clone(),
                    new: view::cell_value(state, &d.change)
                        .map_or(serde_json::Value::Null, |v| v.1),
                })
            })
            .collect();
        let notice = view::Notice {
            plan: state
                .plan
                .as_ref()
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            point: point.into(),
            published: None,
            corrections,
        };
        out(t!("correction-draft", point = point.label()));
        out(view::notice_markdown(&notice).trim_end());
    }
    Ok(())
}
