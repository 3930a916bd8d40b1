//! The sheets of a point: for each department, the items it evaluates at a reporting point, with the
//! previous rated point's grade, follow-up mark and remark beside them for reference, for the
//! department to fill in this point's cells (`table::sheet` writes them as CSV and `.xlsx`).
//!
//! Invariants: a sheet holds nothing of the point it is for but 対象外 where the ledger already says
//! so: its grade, mark and remark cells are left for the department, so that importing it back never
//! records a previous point's values at the new one. Its rows are the items part of the plan at the
//! point (never a withdrawn or merged item), in the plan's order; departments are in the order their
//! first item comes, and two names equal under NFKC are one department.

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;
use crate::domain::state::State;
use crate::domain::{ident, scale};

/// What a sheet's cell says of the previous rated point, for reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// The grade, `対象外` ([`crate::views::NOT_EVALUATED`]), or empty.
    pub grade: String,
    /// Flagged for follow-up there.
    pub follow_up: bool,
    /// The remark there.
    pub remark: String,
}

/// One item's row of a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    /// The item's heading.
    pub heading: String,
    /// Its id.
    pub id: ItemId,
    /// Its title, with the re-listing marker of the published table (`…【No.27の再掲】`), which the
    /// importer reads back.
    pub title: String,
    /// Its department, as the item records it.
    pub department: String,
    /// The previous rated point's cell (`None` when the sheet has no reference point).
    pub reference: Option<Reference>,
    /// The item is not evaluated (対象外) at the sheet's point: its grade cell says so.
    pub excluded: bool,
}

/// The sheet of one department for one point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetView {
    /// The plan's name.
    pub plan: String,
    /// The point the sheet is filled in for.
    pub point: Period,
    /// The latest point before it that has a rating: its cells are shown for reference.
    pub reference: Option<Period>,
    /// The department, as the ledger first names it (in the plan's order).
    pub department: String,
    /// The plan's grade scale, best first.
    pub grades: Vec<String>,
    /// The scale is a progress rate (`100` … `0`).
    pub progress: bool,
    /// The rows, in the plan's order.
    pub rows: Vec<SheetRow>,
}

/// The departments that have items part of the plan at `point`, in the order of their first item in
/// the plan (names equal under NFKC are one, named as first met).
pub fn departments(state: &State, point: Period) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in state.items_in_order() {
        if item.in_plan_at(point) && !out.iter().any(|d| ident::same(d, &item.department)) {
            out.push(item.department.clone());
        }
    }
    out
}

/// The sheet of each department (all of them, or those named in `only`, compared under NFKC, in the
/// plan's order) for `point`.
pub fn sheets(state: &State, point: Period, only: &[String]) -> Vec<SheetView> {
    let reference = state.rated_periods().range(..point).next_back().copied();
    let grades = state
        .plan
        .as_ref()
        .map(|p| p.grades.clone())
        .unwrap_or_default();
    let plan = state
        .plan
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let progress = scale::is_progress(&grades);
    let items = state.items_in_order();
    departments(state, point)
        .into_iter()
        .filter(|d| only.is_empty() || only.iter().any(|o| ident::same(o, d)))
        .map(|department| {
            let rows = items
                .iter()
                .filter(|i| i.in_plan_at(point) && ident::same(&i.department, &department))
                .map(|i| SheetRow {
                    heading: i.category.clone(),
                    id: i.id.clone(),
                    title: match &i.relisting_of {
                        Some(n) => format!("{}【No.{n}の再掲】", i.title),
                        None => i.title.clone(),
                    },
                    department: i.department.clone(),
                    reference: reference.map(|r| {
                        if !i.in_plan_at(r) {
                            return Reference::default();
                        }
                        let cell = state.cell(&i.id, r);
                        Reference {
                            grade: match cell.rating {
                                Some(g) => g,
                                None if state.is_excluded(&i.id, r) => {
                                    super::NOT_EVALUATED.to_string()
                                }
                                None => String::new(),
                            },
                            follow_up: cell.follow_up,
                            remark: cell.remark,
                        }
                    }),
                    excluded: state.is_excluded(&i.id, point),
                })
                .collect();
            SheetView {
                plan: plan.clone(),
                point,
                reference,
                department,
                grades: grades.clone(),
                progress,
                rows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Change;
    use crate::domain::period::Part;

    fn id(s: &str) -> ItemId {
        match ItemId::parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{e}"),
        }
    }

    const H1: Period = Period {
        fiscal_year: 2015,
        part: Part::FirstHalf,
    };
    const H2: Period = Period {
        fiscal_year: 2015,
        part: Part::YearEnd,
    };

    fn state(changes: &[Change]) -> State {
        let mut s = State::default();
        for c in changes {
            if let Err(e) = s.apply(c) {
                panic!("{c:?}: {e}");
            }
        }
        s
    }

    fn item(n: &str, dept: &str) -> Change {
        Change::ItemRegistered {
            id: id(n),
            title: format!("取組{n}"),
            department: dept.into(),
            category: "見出し".into(),
            relisting_of: None,
            from: None,
            after: None,
        }
    }

    #[test]
    fn each_department_gets_its_items_with_the_previous_point_for_reference_only() {
        let s = state(&[
            Change::PlanDefined {
                name: "計画".into(),
                grades: vec!["S".into(), "A".into(), "B".into()],
                default_era: None,
                origin: "city.example/p".into(),
                cadence: Default::default(),
                years: None,
            },
            Change::CategoryAdded {
                name: "見出し".into(),
            },
            item("1", "総務課"),
            item("2", "財政課"),
            item("3", "総務課"),
            item("4", "財政課"),
            Change::RatingRecorded {
                item: id("1"),
                period: H1,
                grade: "A".into(),
            },
            Change::FollowUpSet {
                item: id("1"),
                period: H1,
                flagged: true,
            },
            Change::RemarkSet {
                item: id("1"),
                period: H1,
                text: "継続する。".into(),
            },
            Change::ItemExcluded {
                item: id("3"),
                period: H1,
            },
            Change::ItemExcluded {
                item: id("3"),
                period: H2,
            },
            Change::ItemWithdrawn { id: id("4") },
        ]);
        assert_eq!(departments(&s, H2), ["総務課", "財政課"]);
        let all = sheets(&s, H2, &[]);
        assert_eq!(all.len(), 2);
        let first = &all[0];
        assert_eq!((first.point, first.reference), (H2, Some(H1)));
        let ids: Vec<&str> = first.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "3"]);
        assert_eq!(
            first.rows[0].reference,
            Some(Reference {
                grade: "A".into(),
                follow_up: true,
                remark: "継続する。".into()
            })
        );
        assert!(!first.rows[0].excluded);
        assert_eq!(
            first.rows[1].reference.as_ref().map(|r| r.grade.as_str()),
            Some("対象外")
        );
        assert!(first.rows[1].excluded);
        // The withdrawn item is not listed.
        let ids: Vec<&str> = all[1].rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["2"]);
        // One department by a name equal under NFKC; the first point has no reference.
        let only = sheets(&s, H1, &["財政課 ".trim().to_string()]);
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].reference, None);
        assert_eq!(only[0].rows[0].reference, None);
        assert!(sheets(&s, H2, &["人事課".into()]).is_empty());
    }
}
