//! Deciding an import's changes: what makes the ledger's state say what the file says, with the
//! conflicts against values changed by hand since the last import. The changes are handed one by one
//! to a sink ([`each_change`]) and never all held; [`plan_changes`] collects them for tests and small
//! files.

use std::collections::BTreeMap;

use crate::domain::event::Change;
use crate::domain::ident;
use crate::domain::provenance::{Field, Provenance, Setter};
use crate::domain::state::{Refused, State};
use crate::import::error::ImportError;
use crate::import::prepare::{Prepared, check_grades};
use crate::table::read::ParsedRow;

/// A value changed by hand since the last import that the file contradicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The file's line.
    pub line: usize,
    /// What: `item 12 平成27年度上半期 rating`.
    pub what: String,
    /// The ledger's value.
    pub ledger: String,
    /// The file's value.
    pub file: String,
    /// Who set the ledger's value.
    pub setter: Setter,
}

/// The changes an import would record.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// The changes, in the order they will be recorded.
    pub changes: Vec<Change>,
    /// File line of each change (0 for none).
    pub lines: Vec<usize>,
    /// Conflicts (empty when the file is preferred).
    pub conflicts: Vec<Conflict>,
}

/// The changes that make `state` say what the file says. `provenance` tells values changed by hand
/// since the last import; those the file contradicts are conflicts unless `prefer_file`.
pub fn each_change<E: From<ImportError>>(
    state: &State,
    provenance: &Provenance,
    p: &Prepared,
    prefer_file: bool,
    sink: &mut dyn FnMut(usize, Change) -> Result<(), E>,
) -> Result<Vec<Conflict>, E> {
    let plan = state
        .plan
        .as_ref()
        .ok_or_else(|| ImportError::File("the ledger has no plan".into()))?;
    let mut out = Conflicts::default();
    // Headings this import adds (the state is not changed here: the sink records or checks).
    let mut added: Vec<String> = Vec::new();
    let has_heading = |added: &[String], name: &str| {
        state.heading(name).is_some()
            || added.iter().any(|a| a == name)
            || added.iter().any(|a| ident::same(a, name))
    };
    let mut push =
        |added: &mut Vec<String>, _: &mut Conflicts, line: usize, c: Change| -> Result<(), E> {
            if let Change::CategoryAdded { name } = &c {
                added.push(name.clone());
            }
            sink(line, c)
        };
    // Grades first, so that a bad cell is reported before anything else.
    check_grades(p, &plan.grades)?;
    let latest = p.latest_period();
    let conflict = |out: &mut Conflicts,
                    row: &ParsedRow,
                    field: Field,
                    what: String,
                    ledger: String,
                    file: String|
     -> bool {
        match provenance.changed_since_import(&field) {
            Some(setter) if !prefer_file => {
                out.0.push(Conflict {
                    line: row.line,
                    what,
                    ledger,
                    file,
                    setter: setter.clone(),
                });
                true
            }
            _ => false,
        }
    };
    // Rows re-listing an item that comes later in the file are registered after it.
    let mut rows: Vec<&ParsedRow> = p.table.rows.iter().collect();
    rows.sort_by_key(|r| (r.relisting_of.is_some(), r.number));
    for row in rows {
        let n = row.number;
        match state.items.get(&n) {
            None => {
                if !has_heading(&added, &row.category) {
                    push(
                        &mut added,
                        &mut out,
                        row.line,
                        Change::CategoryAdded {
                            name: row.category.clone(),
                        },
                    )?;
                }
                push(
                    &mut added,
                    &mut out,
                    row.line,
                    Change::ItemRegistered {
                        number: n,
                        title: row.title.clone(),
                        department: row.department.clone(),
                        category: row.category.clone(),
                        relisting_of: row.relisting_of,
                    },
                )?;
            }
            Some(item) => {
                if item.withdrawn {
                    return Err(E::from(ImportError::Refused {
                        line: row.line,
                        refused: Refused::ItemWithdrawn(n),
                    }));
                }
                let mut relisting = None;
                // A text attribute the file gives and that differs: a change, unless it conflicts.
                let differs =
                    |out: &mut Conflicts, file: &str, ledger: &str, field: Field, what: &str| {
                        (!file.is_empty()
                            && !ident::same(file, ledger)
                            && !conflict(
                                out,
                                row,
                                field,
                                format!("item {n} {what}"),
                                ledger.to_string(),
                                file.to_string(),
                            ))
                        .then(|| file.to_string())
                    };
                let title = differs(&mut out, &row.title, &item.title, Field::Title(n), "title");
                let department = differs(
                    &mut out,
                    &row.department,
                    &item.department,
                    Field::Department(n),
                    "department",
                );
                let category = differs(
                    &mut out,
                    &row.category,
                    &item.category,
                    Field::Category(n),
                    "heading",
                );
                if let Some(c) = &category
                    && !has_heading(&added, c)
                {
                    push(
                        &mut added,
                        &mut out,
                        row.line,
                        Change::CategoryAdded { name: c.clone() },
                    )?;
                }
                if row.relisting_of != item.relisting_of
                    && !conflict(
                        &mut out,
                        row,
                        Field::Relisting(n),
                        format!("item {n} re-listing"),
                        item.relisting_of
                            .map_or("none".into(), |x| format!("item {x}")),
                        row.relisting_of
                            .map_or("none".into(), |x| format!("item {x}")),
                    )
                {
                    relisting = Some(row.relisting_of);
                }
                if title.is_some()
                    || department.is_some()
                    || category.is_some()
                    || relisting.is_some()
                {
                    push(
                        &mut added,
                        &mut out,
                        row.line,
                        Change::ItemAmended {
                            number: n,
                            title,
                            department,
                            category,
                            relisting_of: relisting,
                        },
                    )?;
                }
            }
        }
    }
    // Cells, item by item in file order.
    let mut by_number: BTreeMap<u32, &ParsedRow> = BTreeMap::new();
    for row in &p.table.rows {
        by_number.insert(row.number, row);
    }
    for row in p.table.rows.iter() {
        let n = row.number;
        for (col, g) in row.ratings.iter().enumerate() {
            let (Some(g), Some(period)) = (g, p.periods.get(col)) else {
                continue;
            };
            let current = state.cell(n, *period).rating;
            if current.as_deref().is_some_and(|c| ident::same(c, g)) {
                continue;
            }
            if let Some(cur) = &current
                && conflict(
                    &mut out,
                    row,
                    Field::Rating(n, *period),
                    format!("item {n} {} rating", period.label()),
                    cur.clone(),
                    g.to_string(),
                )
            {
                continue;
            }
            push(
                &mut added,
                &mut out,
                row.line,
                Change::RatingRecorded {
                    item: n,
                    period: *period,
                    grade: g.to_string(),
                },
            )?;
        }
        let Some(period) = latest else { continue };
        // A row with neither mark nor remark says nothing about them; otherwise the mark's absence
        // means "not flagged".
        let says_something = row.follow_up || !row.remark.is_empty();
        let cell = state.cell(n, period);
        if says_something && cell.follow_up != row.follow_up {
            let onoff = |b: bool| if b { "on" } else { "off" }.to_string();
            if !conflict(
                &mut out,
                row,
                Field::FollowUp(n, period),
                format!("item {n} {} follow-up", period.label()),
                onoff(cell.follow_up),
                onoff(row.follow_up),
            ) {
                push(
                    &mut added,
                    &mut out,
                    row.line,
                    Change::FollowUpSet {
                        item: n,
                        period,
                        flagged: row.follow_up,
                    },
                )?;
            }
        }
        if !row.remark.is_empty()
            && row.remark != cell.remark
            && !conflict(
                &mut out,
                row,
                Field::Remark(n, period),
                format!("item {n} {} remark", period.label()),
                cell.remark.clone(),
                row.remark.clone(),
            )
        {
            push(
                &mut added,
                &mut out,
                row.line,
                Change::RemarkSet {
                    item: n,
                    period,
                    text: row.remark.clone(),
                },
            )?;
        }
    }
    Ok(out.0)
}

/// The changes an import would record, each checked against the state as the ledger would check it
/// (see [`each_change`]): for tests and small files; an import streams them instead.
pub fn plan_changes(
    state: &State,
    provenance: &Provenance,
    p: &Prepared,
    prefer_file: bool,
) -> Result<ImportPlan, ImportError> {
    let mut work = state.clone();
    let mut out = ImportPlan::default();
    out.conflicts = each_change(state, provenance, p, prefer_file, &mut |line, c| {
        let c = admit(&mut work, line, c)?;
        out.changes.push(c);
        out.lines.push(line);
        Ok(())
    })?;
    Ok(out)
}

/// Checks `c` against `work` as the ledger will, applies it, and returns it as it is to be recorded.
pub(super) fn admit(work: &mut State, line: usize, c: Change) -> Result<Change, ImportError> {
    work.admit(c)
        .and_then(|c| work.apply(&c).map(|()| c))
        .map_err(|refused| ImportError::Refused { line, refused })
}

#[derive(Default)]
struct Conflicts(Vec<Conflict>);
