//! Property tests of the two time axes over random histories:
//! - the view at `--seq N` is the view of a fresh ledger holding only events 0..=N;
//! - `--at T` is the matching `--seq`;
//! - `--as-of P` is the full table restricted to the periods up to P;
//! - with clocks that go back (batches recorded at the last event's time after a `clock.behind` event),
//!   `--at T` still is the matching `--seq`, and history through the index is the full fold's.

use hyoka::domain::event::Change;
use hyoka::domain::period::{Part, Period};
use hyoka::domain::state::State;
use hyoka::views::audit::Selection;
use hyoka::views::{self, TableView};
use hyoka::{Access, Ledger, Meta};
use proptest::prelude::*;

/// Snapshot interval of every ledger of these tests.
const SNAPSHOT_EVERY: u64 = 3;

const BASE: i64 = 1_443_657_600_000_000_000; // 2015-10-01T00:00:00Z

fn period(i: u8) -> Period {
    Period {
        fiscal_year: 2014 + u16::from(i / 2),
        part: if i.is_multiple_of(2) {
            Part::FirstHalf
        } else {
            Part::YearEnd
        },
    }
}

#[derive(Debug, Clone)]
enum Op {
    Rate(u32, u8, u8),
    Unrate(u32, u8),
    Flag(u32, u8, bool),
    Remark(u32, u8, u8),
    Retitle(u32, u8),
    Withdraw(u32),
    Reinstate(u32),
}

fn op() -> impl Strategy<Value = Op> {
    let item = 1u32..=4;
    let p = 0u8..4;
    prop_oneof![
        4 => (item.clone(), p.clone(), 0u8..3).prop_map(|(i, p, g)| Op::Rate(i, p, g)),
        1 => (item.clone(), p.clone()).prop_map(|(i, p)| Op::Unrate(i, p)),
        2 => (item.clone(), p.clone(), any::<bool>()).prop_map(|(i, p, f)| Op::Flag(i, p, f)),
        2 => (item.clone(), p, 0u8..3).prop_map(|(i, p, r)| Op::Remark(i, p, r)),
        1 => (item.clone(), 0u8..3).prop_map(|(i, t)| Op::Retitle(i, t)),
        1 => item.clone().prop_map(Op::Withdraw),
        1 => item.prop_map(Op::Reinstate),
    ]
}

fn change(op: &Op) -> Change {
    match *op {
        Op::Rate(item, p, g) => Change::RatingRecorded {
            item: item.into(),
            period: period(p),
            grade: ["S", "A", "B"][g as usize].into(),
        },
        Op::Unrate(item, p) => Change::RatingWithdrawn {
            item: item.into(),
            period: period(p),
        },
        Op::Flag(item, p, flagged) => Change::FollowUpSet {
            item: item.into(),
            period: period(p),
            flagged,
        },
        Op::Remark(item, p, r) => Change::RemarkSet {
            item: item.into(),
            period: period(p),
            text: ["", "継続", "要改善"][r as usize].into(),
        },
        Op::Retitle(number, t) => Change::ItemAmended {
            id: number.into(),
            title: Some(["題名甲", "題名乙", "題名丙"][t as usize].into()),
            department: None,
            category: None,
            relisting_of: None,
            from: None,
            after: None,
        },
        Op::Withdraw(number) => Change::ItemWithdrawn { id: number.into() },
        Op::Reinstate(number) => Change::ItemReinstated { id: number.into() },
    }
}

fn genesis() -> (Change, Vec<Change>) {
    let plan = Change::PlanDefined {
        name: "plan".into(),
        grades: vec!["S".into(), "A".into(), "B".into()],
        default_era: None,
        origin: "example/plan".into(),
        cadence: Default::default(),
        years: None,
    };
    let mut more = vec![Change::CategoryAdded {
        name: "見出し".into(),
    }];
    for n in 1..=4 {
        more.push(Change::ItemRegistered {
            id: hyoka::domain::item_id::ItemId::from_number(n),
            title: format!("項目{n}"),
            department: "課".into(),
            category: "見出し".into(),
            relisting_of: None,
            from: None,
            after: None,
        });
    }
    (plan, more)
}

/// The valid changes among `ops`, in batches of up to three, each batch with its own author and time
/// (times never decrease, and sometimes repeat). With `clock_goes_back`, some batches have a clock
/// earlier than the last time, so the ledger records them at that time after a `clock.behind` event.
fn batches(ops: &[(Op, u8)], clock_goes_back: bool) -> Vec<(Meta, Vec<Change>)> {
    let (plan, more) = genesis();
    let mut state = State::default();
    for c in std::iter::once(&plan).chain(&more) {
        state.apply(c).unwrap();
    }
    let mut out: Vec<(Meta, Vec<Change>)> = Vec::new();
    let mut minute = 1i64;
    for (op, gap) in ops {
        let c = change(op);
        if state.apply(&c).is_err() {
            continue;
        }
        let back = clock_goes_back && gap % 4 == 3;
        let new_batch = out
            .last()
            .is_none_or(|(_, b)| b.len() >= 3 || gap % 2 == 0 || back);
        if new_batch {
            // With clocks going back, the minute, author and reason come from separate bits of `gap`, so
            // that batches recorded at the same time by the same author for the same reason (which the
            // history must tell apart from a clock-behind batch only by what lies between) are common.
            let (advance, author, reason) = if clock_goes_back {
                (gap / 4 % 3, gap / 16 % 3, gap / 64 % 2)
            } else {
                (gap % 3, gap % 3, *gap)
            };
            let clock = if back {
                minute - 1 - i64::from(gap % 5)
            } else {
                minute += i64::from(advance);
                minute
            };
            out.push((
                Meta {
                    author: ["山田", "鈴木", "佐藤"][author as usize].into(),
                    reason: format!("理由{reason}"),
                    source: None,
                    recorded_at: BASE + clock * 60_000_000_000,
                    new_point: true,
                    signer: None,
                },
                Vec::new(),
            ));
        }
        if let Some((_, b)) = out.last_mut() {
            b.push(c);
        }
    }
    out
}

/// Builds a ledger from the genesis and the batches, stopping after `limit` events in all.
fn build(dir: &std::path::Path, batches: &[(Meta, Vec<Change>)], limit: Option<u64>) -> Ledger {
    let (plan, more) = genesis();
    let genesis_meta = Meta {
        author: "admin".into(),
        reason: "setup".into(),
        source: None,
        recorded_at: BASE,
        new_point: true,
        signer: None,
    };
    // Small snapshot interval, so that the views at a seq start from stored snapshots.
    let access = Access {
        snapshot_interval: Some(SNAPSHOT_EVERY),
        ..Access::default()
    };
    let mut l = Ledger::create(dir, &genesis_meta, plan, &more, access).unwrap();
    for (meta, changes) in batches {
        let room = limit.map_or(u64::MAX, |n| n.saturating_sub(l.len()));
        let take = (changes.len() as u64).min(room) as usize;
        if take == 0 {
            break;
        }
        l.append(meta, &changes[..take]).unwrap();
    }
    l
}

/// The oracle for `--as-of`: the full table, with the later periods' columns dropped and the flags and
/// remarks taken from the latest remaining period.
fn restrict(full: &TableView, state: &State, p: Period) -> TableView {
    let mut v = full.clone();
    v.period_values.retain(|q| *q <= p);
    v.periods
        .retain(|q| v.period_values.iter().any(|x| x.id() == q.id));
    v.latest = v.period_values.last().copied();
    v.marks = v.latest;
    for row in &mut v.items {
        row.ratings.retain(|q| v.period_values.contains(&q));
        let cell = v.latest.map(|l| state.cell(&row.id, l)).unwrap_or_default();
        row.follow_up = cell.follow_up;
        row.remark = cell.remark;
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_view_at_seq_n_is_a_fresh_ledger_of_events_0_to_n(
        ops in proptest::collection::vec((op(), any::<u8>()), 1..40),
        pick in any::<proptest::sample::Index>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let plan = batches(&ops, false);
        let full = build(&dir.path().join("full"), &plan, None);
        // The genesis is one batch of 6 events: a fresh ledger holds at least those.
        let n = 5 + pick.index(full.len() as usize - 5) as u64;
        let snap = full.snapshot(&Selection { through: Some(n), ..Selection::default() }).unwrap();
        let fresh = build(&dir.path().join("fresh"), &plan, Some(n + 1));
        prop_assert_eq!(fresh.len(), n + 1);
        prop_assert_eq!(fresh.head_hash(), full.event(n).unwrap().hash, "the same events, byte for byte");
        let fresh_state = fresh.state().unwrap();
        prop_assert_eq!(&snap.state, &fresh_state);
        prop_assert_eq!(views::table(&snap.state, None), views::table(&fresh_state, None));
        prop_assert_eq!(full.tree_root(n + 1).unwrap(), fresh.tree_root(n + 1).unwrap());
    }

    #[test]
    fn at_time_t_is_the_matching_seq(
        ops in proptest::collection::vec((op(), any::<u8>()), 1..40),
        minutes in 0i64..60,
        clock_goes_back in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let l = build(&dir.path().join("l"), &batches(&ops, clock_goes_back), None);
        let t = BASE + minutes * 60_000_000_000;
        let mut expected = None;
        l.scan(0, u64::MAX, &mut |e| {
            if e.event.recorded_at <= t { expected = Some(e.event.seq); }
            Ok(true)
        }).unwrap();
        let at = l.snapshot(&Selection { at: Some(t), ..Selection::default() }).unwrap();
        prop_assert_eq!(at.last_seq, expected);
        if let Some(n) = expected {
            let by_seq = l.snapshot(&Selection { through: Some(n), ..Selection::default() }).unwrap();
            prop_assert_eq!(at.state, by_seq.state);
        }
    }

    #[test]
    fn snapshots_and_the_index_agree_with_full_folds(
        ops in proptest::collection::vec((op(), any::<u8>()), 1..60),
        clock_goes_back in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let l = build(&dir.path().join("l"), &batches(&ops, clock_goes_back), None);
        prop_assert_eq!(l.derived(), hyoka::ledger::derived::Derived::Every(SNAPSHOT_EVERY));
        for n in 0..l.len() {
            let (state, last) = l.state_for(&Selection { through: Some(n), ..Selection::default() }).unwrap();
            prop_assert_eq!(last, Some(n));
            prop_assert_eq!(&state, &l.state_through_full_fold(Some(n)).unwrap());
        }
        prop_assert_eq!(l.state().unwrap(), l.state_through_full_fold(None).unwrap());
        for item in 1..=4 {
            prop_assert_eq!(l.history(&item.into(), None).unwrap(), l.history_by_full_fold(&item.into(), None).unwrap());
            let p = Some(period(1));
            prop_assert_eq!(l.history(&item.into(), p).unwrap(), l.history_by_full_fold(&item.into(), p).unwrap());
        }
        l.verify(&mut |_, _| {}).unwrap();
    }

    #[test]
    fn as_of_is_the_full_table_restricted(
        ops in proptest::collection::vec((op(), any::<u8>()), 1..40),
        p in 0u8..4,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let l = build(&dir.path().join("l"), &batches(&ops, true), None);
        let state = l.state().unwrap();
        let full = views::table(&state, None);
        let as_of = views::table(&state, Some(period(p)));
        prop_assert_eq!(as_of, restrict(&full, &state, period(p)));
    }
}

/// A clock-behind batch is marked in history on its own events only: not on a later batch recorded at
/// the same time by the same author for the same reason after another author's batch, whether history
/// reads the item's events through the index or folds the whole log.
#[test]
fn history_marks_exactly_the_batch_that_began_with_clock_behind() {
    let dir = tempfile::tempdir().unwrap();
    let at = |minute: i64, author: &str| Meta {
        author: author.into(),
        reason: "評価".into(),
        source: None,
        recorded_at: BASE + minute * 60_000_000_000,
        new_point: true,
        signer: None,
    };
    let rate = |item: u32, p, grade: &str| Change::RatingRecorded {
        item: item.into(),
        period: period(p),
        grade: grade.into(),
    };
    let mut l = build(&dir.path().join("l"), &[], None);
    l.append(&at(10, "山田"), &[rate(1, 0, "S")]).unwrap();
    let behind = l
        .append(&at(5, "山田"), &[rate(1, 1, "A"), rate(2, 0, "A")])
        .unwrap();
    assert!(behind.clock_behind.is_some());
    // The clock caught up exactly: no clock.behind event, the same time as the batch before.
    for (author, change) in [("鈴木", rate(2, 1, "B")), ("山田", rate(1, 2, "B"))] {
        let r = l.append(&at(10, author), &[change]).unwrap();
        assert_eq!(r.clock_behind, None);
    }
    let clock = BASE + 5 * 60_000_000_000;
    let marks = |item: &hyoka::domain::item_id::ItemId| -> Vec<(u64, Option<i64>)> {
        let h = l.history(item, None).unwrap();
        assert_eq!(
            h,
            l.history_by_full_fold(item, None).unwrap(),
            "item {item}"
        );
        h.into_iter()
            .filter(|e| e.field == "rating")
            .map(|e| (e.seq, e.clock_behind))
            .collect()
    };
    // Events: 0-5 genesis, 6 rating, 7 clock.behind, 8-9 its batch, 10 鈴木, 11 山田 again.
    assert_eq!(marks(&1.into()), [(6, None), (8, Some(clock)), (11, None)]);
    assert_eq!(marks(&2.into()), [(9, Some(clock)), (10, None)]);
    let corrections_marked = l
        .corrections()
        .unwrap()
        .iter()
        .filter(|e| e.clock_behind.is_some())
        .count();
    assert_eq!(
        corrections_marked, 0,
        "no correction was recorded in the batch"
    );
    l.verify(&mut |_, _| {}).unwrap();
}
