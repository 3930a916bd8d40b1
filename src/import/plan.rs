//! Deciding an import's changes: what makes the ledger's state say what the file says, with the
//! conflicts against values changed by hand since the last import. Items are matched by id
//! ([`crate::domain::item_id::ItemId`]). A grade cell saying `対象外` makes the item not evaluated at
//! that point (a rating there is withdrawn first); a grade at a point the ledger holds as 対象外
//! withdraws the exclusion first; an empty cell says nothing. A version 1 ledger cannot record an
//! exclusion: the ledger refuses it when the changes are recorded. The changes are handed one by one
//! to a sink ([`each_change`]) and never all held; [`plan_changes`] collects them for tests and small
//! files.

use crate::domain::event::Change;
use crate::domain::ident;
use crate::domain::provenance::{Field, Provenance, Setter};
use crate::domain::state::{Refused, State};
use crate::import::error::ImportError;
use crate::import::prepare::{Prepared, check_grades};
use crate::table::cells::NOT_EVALUATED;
use crate::table::read::ParsedRow;

/// A value changed by hand since the last import that the file contradicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The file's line.
    pub line: usize,
    /// What: `item 12 平成27年度上半期 rating` (`item R1-1 …` for a text id).
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
    let plan = state.plan.as_ref().ok_or(ImportError::NoPlan)?;
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
    rows.sort_by(|a, b| (a.relisting_of.is_some(), &a.id).cmp(&(b.relisting_of.is_some(), &b.id)));
    for row in rows {
        let n = &row.id;
        match state.items.get(n) {
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
                        id: n.clone(),
                        title: row.title.clone(),
                        department: row.department.clone(),
                        category: row.category.clone(),
                        relisting_of: row.relisting_of.clone(),
                        from: None,
                        after: None,
                    },
                )?;
            }
            Some(item) => {
                if item.withdrawn {
                    return Err(E::from(ImportError::Refused {
                        line: row.line,
                        refused: Refused::ItemWithdrawn(n.clone()),
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
                let title = differs(
                    &mut out,
                    &row.title,
                    &item.title,
                    Field::Title(n.clone()),
                    "title",
                );
                let department = differs(
                    &mut out,
                    &row.department,
                    &item.department,
                    Field::Department(n.clone()),
                    "department",
                );
                let category = differs(
                    &mut out,
                    &row.category,
                    &item.category,
                    Field::Category(n.clone()),
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
                        Field::Relisting(n.clone()),
                        format!("item {n} re-listing"),
                        item.relisting_of
                            .as_ref()
                            .map_or("none".into(), |x| format!("item {x}")),
                        row.relisting_of
                            .as_ref()
                            .map_or("none".into(), |x| format!("item {x}")),
                    )
                {
                    relisting = Some(row.relisting_of.clone());
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
                            id: n.clone(),
                            title,
                            department,
                            category,
                            relisting_of: relisting,
                            from: None,
                            after: None,
                        },
                    )?;
                }
            }
        }
    }
    // Cells, item by item in file order.
    for row in p.table.rows.iter() {
        let n = &row.id;
        for (col, g) in row.ratings.iter().enumerate() {
            let Some(period) = p.periods.get(col) else {
                continue;
            };
            if row.not_evaluated.contains(&col) {
                // 対象外 in the file: the ledger's rating there, if any, is withdrawn first.
                if state.is_excluded(n, *period) {
                    continue;
                }
                let current = state.rating(n, *period);
                if let Some(cur) = current
                    && conflict(
                        &mut out,
                        row,
                        Field::Rating(n.clone(), *period),
                        format!("item {n} {} rating", period.label()),
                        cur.to_string(),
                        NOT_EVALUATED.to_string(),
                    )
                {
                    continue;
                }
                if conflict(
                    &mut out,
                    row,
                    Field::Exclusion(n.clone(), *period),
                    format!("item {n} {} 対象外", period.label()),
                    "evaluated".to_string(),
                    NOT_EVALUATED.to_string(),
                ) {
                    continue;
                }
                if current.is_some() {
                    push(
                        &mut added,
                        &mut out,
                        row.line,
                        Change::RatingWithdrawn {
                            item: n.clone(),
                            period: *period,
                        },
                    )?;
                }
                push(
                    &mut added,
                    &mut out,
                    row.line,
                    Change::ItemExcluded {
                        item: n.clone(),
                        period: *period,
                    },
                )?;
                continue;
            }
            let Some(g) = g else { continue };
            let current = state.rating(n, *period);
            if current.is_some_and(|c| ident::same(c, g)) {
                continue;
            }
            if let Some(cur) = current
                && conflict(
                    &mut out,
                    row,
                    Field::Rating(n.clone(), *period),
                    format!("item {n} {} rating", period.label()),
                    cur.to_string(),
                    g.to_string(),
                )
            {
                continue;
            }
            // A grade where the ledger says 対象外: the exclusion is withdrawn first.
            if state.is_excluded(n, *period) {
                if conflict(
                    &mut out,
                    row,
                    Field::Exclusion(n.clone(), *period),
                    format!("item {n} {} 対象外", period.label()),
                    NOT_EVALUATED.to_string(),
                    g.to_string(),
                ) {
                    continue;
                }
                push(
                    &mut added,
                    &mut out,
                    row.line,
                    Change::ExclusionWithdrawn {
                        item: n.clone(),
                        period: *period,
                    },
                )?;
            }
            push(
                &mut added,
                &mut out,
                row.line,
                Change::RatingRecorded {
                    item: n.clone(),
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
                Field::FollowUp(n.clone(), period),
                format!("item {n} {} follow-up", period.label()),
                onoff(cell.follow_up),
                onoff(row.follow_up),
            ) {
                push(
                    &mut added,
                    &mut out,
                    row.line,
                    Change::FollowUpSet {
                        item: n.clone(),
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
                Field::Remark(n.clone(), period),
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
                    item: n.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Event, Source};
    use crate::domain::item_id::ItemId;
    use crate::domain::period::{Part, Period};
    use crate::import::plan_for_new_ledger;
    use crate::import::prepare::prepare;

    fn id(s: &str) -> ItemId {
        match ItemId::parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{e}"),
        }
    }

    const H1: Period = Period {
        fiscal_year: 2019,
        part: Part::FirstHalf,
    };
    const H2: Period = Period {
        fiscal_year: 2019,
        part: Part::YearEnd,
    };

    /// A table of two points whose rows are `id title` and two grade cells.
    fn table(rows: &[(&str, &str, &str)]) -> Prepared {
        let mut text = String::from(
            "項目\t主な推進担当課\t令和元年度\t\tフォローアップ対象項目\t理由等\n\t\t上半期\t年度末\t\t\n",
        );
        for (i, (item, g1, g2)) in rows.iter().enumerate() {
            let heading = if i == 0 { "見出し" } else { "" };
            text.push_str(&format!("{heading}\t{item} 題\t課\t{g1}\t{g2}\t\t\n"));
        }
        match prepare(text.as_bytes(), "t.tsv", None, None) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    fn planned(state: &State, provenance: &Provenance, p: &Prepared) -> ImportPlan {
        match plan_changes(state, provenance, p, false) {
            Ok(plan) => plan,
            Err(e) => panic!("{e}"),
        }
    }

    /// A new ledger holding what `p` says, and the provenance of an import of it.
    fn imported(p: &Prepared) -> (State, Provenance) {
        let mut state = State::default();
        let mut provenance = Provenance::default();
        let mut changes = vec![plan_for_new_ledger(p, "plan", "example/plan")];
        let mut work = State::default();
        if let Err(e) = work.apply(&changes[0]) {
            panic!("{e}");
        }
        changes.extend(planned(&work, &provenance, p).changes);
        for (seq, c) in changes.into_iter().enumerate() {
            record(&mut state, &mut provenance, seq as u64, c, true);
        }
        (state, provenance)
    }

    /// Applies `c` as event `seq`, by an import or by hand.
    fn record(state: &mut State, provenance: &mut Provenance, seq: u64, c: Change, import: bool) {
        if let Err(e) = state.apply(&c) {
            panic!("{c:?}: {e}");
        }
        provenance.apply(
            &Event {
                version: 2,
                seq,
                prev_hash: [0; 32],
                recorded_at: 0,
                author: "a".into(),
                reason: "r".into(),
                source: import.then(|| Source {
                    file_name: "t.tsv".into(),
                    blake3: [0; 32],
                }),
                change: c,
                signature: None,
            },
            state,
        );
    }

    #[test]
    fn text_ids_are_registered_in_their_natural_order_with_their_cells() {
        let p = table(&[
            ("R1-10", "A", "B"),
            ("R1-2", "S", ""),
            ("1-1-1", "", "対象外"),
        ]);
        let (state, _) = imported(&p);
        let ids: Vec<&str> = state.items.keys().map(ItemId::as_str).collect();
        assert_eq!(ids, ["1-1-1", "R1-2", "R1-10"]);
        assert_eq!(state.rating(&id("R1-10"), H2), Some("B"));
        assert_eq!(state.rating(&id("R1-2"), H1), Some("S"));
        assert!(state.is_excluded(&id("1-1-1"), H2));
        assert!(!state.is_excluded(&id("1-1-1"), H1));
        // Importing the same file again changes nothing.
        let (state, provenance) = imported(&p);
        assert!(planned(&state, &provenance, &p).changes.is_empty());
    }

    #[test]
    fn a_point_the_file_says_is_not_evaluated_is_excluded_once() {
        let (state, provenance) = imported(&table(&[("12", "A", "B")]));
        let p = table(&[("12", "A", "対象外")]);
        let plan = planned(&state, &provenance, &p);
        // The rating the file no longer gives is withdrawn first, as the ledger requires.
        assert_eq!(
            plan.changes,
            [
                Change::RatingWithdrawn {
                    item: id("12"),
                    period: H2
                },
                Change::ItemExcluded {
                    item: id("12"),
                    period: H2
                },
            ]
        );
        assert_eq!(plan.lines, [3, 3]);
        let (excluded, provenance) = imported(&p);
        assert!(planned(&excluded, &provenance, &p).changes.is_empty());
        // A grade where the ledger says 対象外: the exclusion is withdrawn first.
        let plan = planned(&excluded, &provenance, &table(&[("12", "A", "S")]));
        assert_eq!(
            plan.changes,
            [
                Change::ExclusionWithdrawn {
                    item: id("12"),
                    period: H2
                },
                Change::RatingRecorded {
                    item: id("12"),
                    period: H2,
                    grade: "S".into()
                },
            ]
        );
        // An empty cell says nothing.
        assert!(
            planned(&excluded, &provenance, &table(&[("12", "A", "")]))
                .changes
                .is_empty()
        );
    }

    #[test]
    fn an_exclusion_contradicting_a_change_by_hand_is_a_conflict() {
        let (mut state, mut provenance) = imported(&table(&[("R1-1", "A", "B")]));
        record(
            &mut state,
            &mut provenance,
            100,
            Change::RatingRecorded {
                item: id("R1-1"),
                period: H2,
                grade: "S".into(),
            },
            false,
        );
        let p = table(&[("R1-1", "A", "対象外")]);
        let plan = planned(&state, &provenance, &p);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        let what: Vec<(&str, &str, &str)> = plan
            .conflicts
            .iter()
            .map(|c| (c.what.as_str(), c.ledger.as_str(), c.file.as_str()))
            .collect();
        assert_eq!(what, [("item R1-1 令和元年度末 rating", "S", "対象外")]);
        // Preferring the file: withdrawn and excluded.
        let plan = match plan_changes(&state, &provenance, &p, true) {
            Ok(plan) => plan,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(plan.changes.len(), 2);
        assert!(plan.conflicts.is_empty());

        // An exclusion withdrawn by hand that the file still states.
        let (mut state, mut provenance) = imported(&p);
        record(
            &mut state,
            &mut provenance,
            100,
            Change::ExclusionWithdrawn {
                item: id("R1-1"),
                period: H2,
            },
            false,
        );
        let plan = planned(&state, &provenance, &p);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(
            plan.conflicts.first().map(|c| c.what.as_str()),
            Some("item R1-1 令和元年度末 対象外")
        );
    }

    #[test]
    fn a_withdrawn_text_id_is_refused_naming_it() {
        let (mut state, mut provenance) = imported(&table(&[("I-3", "A", "B")]));
        record(
            &mut state,
            &mut provenance,
            100,
            Change::ItemWithdrawn { id: id("I-3") },
            false,
        );
        match plan_changes(&state, &provenance, &table(&[("I-3", "A", "B")]), false) {
            Err(ImportError::Refused { line: 3, refused }) => {
                assert_eq!(refused, Refused::ItemWithdrawn(id("I-3")));
            }
            other => panic!("{other:?}"),
        }
    }
}
