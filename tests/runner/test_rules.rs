//! The validity rules of `schema/FORMAT.md` section 12, one by one: for each, an export that breaks
//! only that rule, re-chained as an attacker would (every event's hash recomputed and recorded by the
//! next), fails `hyoka verify --export` with exit 3, the documented kind and the event the rule names,
//! and `hyoka restore` with the same error.
//!
//! Every case is built on a ledger of event schema version 2 (as every ledger created now is) and, where
//! the rule applies to version 1 too, on the same ledger in version 1 (as every ledger created before
//! version 2 is); rule M4 mixes the two. Byte-level cases find the bytes they edit from the encoding of
//! the event they edit, so they hold in both layouts. The rules of people, keys, rounds and signatures
//! (S, A, and D38 onwards: version 2 only) are broken on that ledger with people enabled, its events
//! signed through the library as hyoka signs them (`hyoka::ledger::signing::sign`).

use std::collections::BTreeSet;

use hyoka::domain::event::StoredEvent;
use hyoka::domain::event::{self, Change, Event, Hash, Source, ZERO_HASH};
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Person, Role, Stage, Verdict, name_commitment};
use hyoka::domain::period::{Cadence, Part, Period};
use hyoka::domain::state::State;
use hyoka::ledger::signing;
use hyoka::tlog::note::SignerKey;

use crate::common::Env;

/// The rules only version 2 can break: what version 1 cannot hold (section 3.4), people, keys, rounds
/// and signatures among them.
const VERSION_2_ONLY: &[&str] = &[
    "B6", "D22", "D23", "D24", "D25", "D26", "D27", "D28", "D29", "D30", "D31", "D32", "D33",
    "D34", "D35", "D36", "D37", "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "A1", "A2", "A3",
    "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12", "A13", "A14", "A15", "D38", "D39",
    "D40", "D41", "D42", "D43", "D44", "D45", "D46", "D47", "D48", "D49", "D50", "D51", "D52",
    "D53", "D54", "D55", "D56", "D57",
];

/// A ledger of 6 events, of event schema version 2: 0 the plan (S, A, B; cadence half-year, no
/// years), 1 the heading `地域協働の推進`, 2 and 3 items 1 and 2, 4 item 1 rated A for FY2014-H1, 5 item
/// 2 withdrawn; and its events, read back from its export.
fn base() -> (Env, Vec<Event>) {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "FY2014-H1", "A", "-a", "山田", "-m", "評価"])
        .ok();
    env.run(&["item", "withdraw", "2", "-a", "山田", "-m", "削除"])
        .ok();
    let events = exported(&env);
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(|e| e.version == 2), "{events:?}");
    (env, events)
}

/// The same ledger in event schema version 1, as a ledger created before version 2 holds it: restored
/// in the environment's ledger from a version 1 export of the same changes.
fn base_v1() -> (Env, Vec<Event>) {
    let (env, events) = base();
    let v1: Vec<Event> = events
        .into_iter()
        .map(|mut e| {
            event::check_version(1, &e.change).unwrap();
            e.version = 1;
            e
        })
        .collect();
    let file = env.dir.path().join("v1.jsonl");
    std::fs::write(&file, sealed(&v1)).unwrap();
    std::fs::remove_dir_all(env.ledger()).unwrap();
    env.run(&["restore", file.to_str().unwrap()]).ok();
    let events = exported(&env);
    assert_eq!(events.len(), 6);
    assert!(events.iter().all(|e| e.version == 1), "{events:?}");
    (env, events)
}

/// The events of the environment's ledger, read back from its export.
fn exported(env: &Env) -> Vec<Event> {
    env.run(&["export", "--output", "base.jsonl"]).ok();
    let text = std::fs::read_to_string(env.dir.path().join("base.jsonl")).unwrap();
    text.lines()
        .map(|l| {
            hyoka::evidence::export::parse_line(l.as_bytes(), 0)
                .unwrap()
                .event
                .event
        })
        .collect()
}

/// A bytes-level edit of event `i`'s stored bytes, made before its hash is computed.
type BytesEdit<'a> = &'a dyn Fn(usize, &mut Vec<u8>);
/// An edit of event `i` made after its seq and link were set.
type EventEdit<'a> = &'a dyn Fn(usize, &mut Event);

/// The export of `events` re-chained: each event's seq set to its position and its `prev_hash` to the
/// previous event's hash, then `edit` and `edit_bytes` applied, and its hash computed from the result
/// (which the next event records): every line agrees with its own bytes.
fn seal(events: &[Event], edit: EventEdit, edit_bytes: BytesEdit) -> String {
    let mut prev = ZERO_HASH;
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        let mut e = e.clone();
        e.seq = i as u64;
        e.prev_hash = prev;
        edit(i, &mut e);
        let mut bytes = event::encode(&e).unwrap();
        edit_bytes(i, &mut bytes);
        let hash = event::event_hash(&e.prev_hash, &bytes);
        out.push_str(&hyoka::evidence::export::line(
            &StoredEvent { event: e, hash },
            &bytes,
        ));
        out.push('\n');
        prev = hash;
    }
    out
}

fn sealed(events: &[Event]) -> String {
    seal(events, &|_, _| {}, &|_, _| {})
}

/// `events` re-chained, with the stored bytes of event `at` edited by `f`.
fn seal_bytes(events: &[Event], at: usize, f: &dyn Fn(&mut Vec<u8>)) -> String {
    seal(events, &|_, _| {}, &|i, b| {
        if i == at {
            f(b)
        }
    })
}

/// `events` with `changes` appended, each recorded one second after the one before, by the last
/// event's author, in the last event's version.
fn then(events: &[Event], changes: &[Change]) -> Vec<Event> {
    let mut v = events.to_vec();
    for change in changes {
        let mut e = v.last().unwrap().clone();
        e.recorded_at += 1_000_000_000;
        e.change = change.clone();
        v.push(e);
    }
    v
}

/// `events` with `change` appended.
fn with(events: &[Event], change: Change) -> Vec<Event> {
    then(events, &[change])
}

/// `events` with the last event's meta edited.
fn with_meta(events: &[Event], edit: &dyn Fn(&mut Event)) -> Vec<Event> {
    let mut v = events.to_vec();
    edit(v.last_mut().unwrap());
    v
}

/// `events` with event 0's plan edited.
fn with_plan(
    events: &[Event],
    edit: &dyn Fn(&mut String, &mut Vec<String>, &mut String),
) -> Vec<Event> {
    let mut v = events.to_vec();
    if let Change::PlanDefined {
        name,
        grades,
        origin,
        ..
    } = &mut v[0].change
    {
        edit(name, grades, origin);
    }
    v
}

/// `events` with event 0's plan given `cadence` and `years` (version 2).
fn with_cadence(events: &[Event], cadence: Cadence, years: Option<(u16, u16)>) -> Vec<Event> {
    let mut v = events.to_vec();
    match &mut v[0].change {
        Change::PlanDefined {
            cadence: c,
            years: y,
            ..
        } => (*c, *y) = (cadence, years),
        other => panic!("{other:?}"),
    }
    v
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

/// 上半期 of fiscal year `y`.
fn fy(y: u16) -> Period {
    Period {
        fiscal_year: y,
        part: Part::FirstHalf,
    }
}

/// 年度末 of fiscal year `y`.
fn ye(y: u16) -> Period {
    Period {
        fiscal_year: y,
        part: Part::YearEnd,
    }
}

/// 第1四半期 of fiscal year `y`.
fn q1(y: u16) -> Period {
    Period {
        fiscal_year: y,
        part: Part::FirstQuarter,
    }
}

/// The whole plan of fiscal years `first..=last`.
fn whole(first: u16, last: u16) -> Period {
    Period {
        fiscal_year: last,
        part: Part::WholePlan { first_year: first },
    }
}

fn register(item: &str, relisting_of: Option<&str>) -> Change {
    Change::ItemRegistered {
        id: id(item),
        title: "新規".into(),
        department: "市民協働課".into(),
        category: "地域協働の推進".into(),
        relisting_of: relisting_of.map(id),
        from: None,
        after: None,
    }
}

/// An item registered part of the plan from `from`, placed after `after` (version 2).
fn register_v2(item: &str, from: Option<Period>, after: Option<&str>) -> Change {
    Change::ItemRegistered {
        id: id(item),
        title: "新規".into(),
        department: "市民協働課".into(),
        category: "地域協働の推進".into(),
        relisting_of: None,
        from,
        after: after.map(id),
    }
}

/// An item registered with `title`, `department` and `category`.
fn register_as(item: &str, title: &str, department: &str, category: &str) -> Change {
    Change::ItemRegistered {
        id: id(item),
        title: title.into(),
        department: department.into(),
        category: category.into(),
        relisting_of: None,
        from: None,
        after: None,
    }
}

/// An amendment of item `item`'s title, heading or re-listing.
fn am(
    item: &str,
    title: Option<&str>,
    category: Option<&str>,
    relisting_of: Option<Option<&str>>,
) -> Change {
    Change::ItemAmended {
        id: id(item),
        title: title.map(Into::into),
        department: None,
        category: category.map(Into::into),
        relisting_of: relisting_of.map(|r| r.map(id)),
        from: None,
        after: None,
    }
}

/// An amendment of item `item`'s first point or place (version 2).
fn am_v2(item: &str, from: Option<Option<Period>>, after: Option<Option<&str>>) -> Change {
    Change::ItemAmended {
        id: id(item),
        title: None,
        department: None,
        category: None,
        relisting_of: None,
        from,
        after: after.map(|a| a.map(id)),
    }
}

fn rate(item: &str, period: Period, grade: &str) -> Change {
    Change::RatingRecorded {
        item: id(item),
        period,
        grade: grade.into(),
    }
}

fn flag(item: &str, period: Period, flagged: bool) -> Change {
    Change::FollowUpSet {
        item: id(item),
        period,
        flagged,
    }
}

fn remark(item: &str, period: Period, text: &str) -> Change {
    Change::RemarkSet {
        item: id(item),
        period,
        text: text.into(),
    }
}

fn exclude(item: &str, period: Period) -> Change {
    Change::ItemExcluded {
        item: id(item),
        period,
    }
}

fn unexclude(item: &str, period: Period) -> Change {
    Change::ExclusionWithdrawn {
        item: id(item),
        period,
    }
}

fn merge(item: &str, into: &str, from: Period) -> Change {
    Change::ItemMerged {
        item: id(item),
        into: id(into),
        from,
    }
}

fn unmerge(item: &str) -> Change {
    Change::MergeWithdrawn { item: id(item) }
}

fn rename(from: &str, to: &str) -> Change {
    Change::HeadingRenamed {
        from: from.into(),
        to: to.into(),
    }
}

fn heading(name: &str) -> Change {
    Change::CategoryAdded { name: name.into() }
}

fn source(name: &str) -> Option<Source> {
    Some(Source {
        file_name: name.into(),
        blake3: [3; 32],
    })
}

/// Splices line `n` of `b` into `a`.
fn splice(a: &str, b: &str, n: usize) -> String {
    let mut lines: Vec<&str> = a.lines().collect();
    lines[n] = b.lines().nth(n).unwrap();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Line `n` of `text` replaced by `f` of it.
fn edit_line(text: &str, n: usize, f: &dyn Fn(&str) -> String) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| format!("{}\n", if i == n { f(l) } else { l.to_string() }))
        .collect()
}

/// Line `n` of `text` with its JSON edited by `f`.
fn edit_json(text: &str, n: usize, f: &dyn Fn(&mut serde_json::Value)) -> String {
    edit_line(text, n, &|l| {
        let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
        f(&mut v);
        v.to_string()
    })
}

/// Where the change begins in an event's stored bytes (its `u32` tag): after the envelope's fixed
/// fields (section 2: the author's length at 50), the author, the reason and the source, whose layout
/// is the same in both versions.
fn change_at(e: &Event) -> usize {
    let source = e
        .source
        .as_ref()
        .map_or(1, |s| 1 + 8 + s.file_name.len() + 32);
    50 + 8 + e.author.len() + 8 + e.reason.len() + source
}

/// A `String` as stored: its `u64` length, then its bytes.
fn string_bytes(s: &str) -> Vec<u8> {
    let mut b = (s.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(s.as_bytes());
    b
}

/// Where `pattern` occurs in `b`, which it does exactly once.
fn find_once(b: &[u8], pattern: &[u8]) -> usize {
    let hits: Vec<usize> = b
        .windows(pattern.len())
        .enumerate()
        .filter(|(_, w)| *w == pattern)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{pattern:02x?} in {b:02x?}");
    hits[0]
}

/// The stored string `old` (an item id in version 2) replaced by `new`; the bytes must then fail to
/// decode because of the id alone (rule B6).
fn replace_id(b: &mut Vec<u8>, old: &str, new: &str) {
    let old = string_bytes(old);
    let at = find_once(b, &old);
    b.splice(at..at + old.len(), string_bytes(new));
    match event::decode(b) {
        Err(event::DecodeError::Malformed(m)) if m.contains("stored item id") => {}
        other => panic!("{new:?}: {other:?}"),
    }
}

/// One tampered export: the rule it breaks, how, and what `verify --export` must report: the kind, the
/// event (`error.seq`; none for a damaged line) and, for some, words of the message.
struct Case {
    rule: &'static str,
    what: String,
    text: String,
    kind: &'static str,
    seq: Option<u64>,
    says: Option<&'static str>,
    /// A key pinned with `verify --export --vkey` (`restore` pins none, and is not run).
    vkey: Option<String>,
}

/// `text` fails with `kind` at event `seq`.
fn case(rule: &'static str, what: &str, text: String, kind: &'static str, seq: u64) -> Case {
    Case {
        rule,
        what: what.into(),
        text,
        kind,
        seq: Some(seq),
        says: None,
        vkey: None,
    }
}

/// `text` has a damaged line, which names no event.
fn damaged(rule: &'static str, what: &str, text: String) -> Case {
    Case {
        rule,
        what: what.into(),
        text,
        kind: "export_line_damaged",
        seq: None,
        says: None,
        vkey: None,
    }
}

/// `events`, re-chained, breaking a rule of the envelope or the domain at `seq`.
fn broken(rule: &'static str, what: &str, events: &[Event], seq: u64) -> Case {
    case(rule, what, sealed(events), "rule_broken", seq)
}

impl Case {
    /// The message must hold `words`.
    fn says(mut self, words: &'static str) -> Case {
        self.says = Some(words);
        self
    }

    /// Verified with `key` pinned (`verify --export --vkey`).
    fn pinned(mut self, key: &SignerKey) -> Case {
        self.vkey = Some(key.verifier().to_text());
        self
    }
}

/// Every rule of FORMAT.md section 12 that a ledger of `ev`'s version can break, with the cases of
/// rule M4 that put an event of the other version in it.
fn cases(ev: &[Event]) -> Vec<Case> {
    let version = ev[0].version;
    let mut v = common_cases(ev);
    match version {
        1 => v.extend(version_1_cases(ev)),
        _ => {
            v.extend(version_2_cases(ev));
            v.extend(people_cases(ev));
        }
    }
    v
}

/// The cases of the rules of both versions, built alike on a ledger of either.
fn common_cases(ev: &[Event]) -> Vec<Case> {
    let version = ev[0].version;
    let other = 3 - version;
    // `last` is the seq of an appended event, `last - 1` the base's last event (item 2 withdrawn).
    let last = ev.len();
    let (l, n) = (last as u64 - 1, last as u64);
    let none: BytesEdit = &|_, _| {};
    let with_first = |c: Change| {
        let mut v = ev.to_vec();
        v[0].change = c;
        v
    };
    vec![
        // Export lines.
        damaged(
            "E1",
            "a carriage return before the newline",
            edit_line(&sealed(ev), 2, &|l| format!("{l}\r")),
        ),
        damaged(
            "E1",
            "a carriage return as white space",
            edit_line(&sealed(ev), 2, &|l| l.replacen(",", ",\r", 1)),
        ),
        damaged("E1", "no final newline", sealed(ev).trim_end().to_string()),
        damaged(
            "E2",
            "not JSON",
            edit_line(&sealed(ev), 2, &|l| l[..20].to_string()),
        ),
        damaged(
            "E2",
            "a JSON array",
            edit_line(&sealed(ev), 2, &|l| format!("[{l}]")),
        ),
        damaged(
            "E3",
            "a member given twice",
            edit_line(&sealed(ev), 2, &|l| l.replacen('{', "{\"seq\":2,", 1)),
        ),
        damaged(
            "E3",
            "a member of `event` given twice",
            edit_line(&sealed(ev), 2, &|l| {
                l.replacen("\"event\":{", "\"event\":{\"author\":\"山田\",", 1)
            }),
        ),
        damaged(
            "E4",
            "an unknown member",
            edit_line(&sealed(ev), 2, &|l| l.replacen('{', "{\"x\":1,", 1)),
        ),
        damaged(
            "E4",
            "a member missing",
            edit_json(&sealed(ev), 2, &|v| {
                v.as_object_mut().unwrap().remove("hash");
            }),
        ),
        damaged(
            "E4",
            "upper-case hex",
            edit_json(&sealed(ev), 2, &|v| {
                v["prev"] = v["prev"].as_str().unwrap().to_uppercase().into();
            }),
        ),
        damaged(
            "E4",
            "bytes not base64",
            edit_json(&sealed(ev), 2, &|v| v["bytes"] = "!!".into()),
        ),
        case(
            "E5",
            "`seq` not the event's",
            edit_line(&sealed(ev), 2, &|l| {
                l.replacen("{\"seq\":2", "{\"seq\":3", 1)
            }),
            "export_field_mismatch",
            2,
        ),
        case(
            "E5",
            "`prev` not the event's",
            edit_json(&sealed(ev), 2, &|v| v["prev"] = "11".repeat(32).into()),
            "export_field_mismatch",
            2,
        ),
        case(
            "E6",
            "`hash` not the bytes' hash",
            edit_json(&sealed(ev), 2, &|v| v["hash"] = "22".repeat(32).into()),
            "hash_mismatch",
            2,
        ),
        case(
            "E7",
            "`event` not the event's",
            edit_json(&sealed(ev), 2, &|v| v["event"]["author"] = "佐藤".into()),
            "export_field_mismatch",
            2,
        )
        .says("`event.author`"),
        // A version 1 event's JSON is that of before version 2 (no `version`, no `…_id`, no cadence or
        // years), a version 2 event's has them: the other version's form is not the event's.
        case(
            "E7",
            "`event` with the other version's `version` member",
            edit_json(&sealed(ev), 2, &|v| match version {
                1 => v["event"]["version"] = 1.into(),
                _ => {
                    v["event"].as_object_mut().unwrap().remove("version");
                }
            }),
            "export_field_mismatch",
            2,
        )
        .says("`event.version`"),
        case(
            "E7",
            "an item in the other version's form",
            edit_json(&sealed(ev), 2, &|v| {
                let change = v["event"]["change"].as_object_mut().unwrap();
                match version {
                    1 => change.insert("item_id".into(), "1".into()),
                    _ => change.remove("item_id"),
                };
            }),
            "export_field_mismatch",
            2,
        )
        .says("`event.change`"),
        case(
            "E7",
            "a plan in the other version's form",
            edit_json(&sealed(ev), 0, &|v| {
                let change = v["event"]["change"].as_object_mut().unwrap();
                match version {
                    1 => change.insert("cadence".into(), "half-year".into()),
                    _ => change.remove("cadence"),
                };
            }),
            "export_field_mismatch",
            0,
        )
        .says("`event.change`"),
        // Bytes.
        case(
            "B1",
            "over 1 MiB",
            seal_bytes(ev, last - 1, &|b| b.resize(event::MAX_EVENT_BYTES + 1, 0)),
            "undecodable",
            l,
        ),
        case(
            "B2",
            "a trailing byte",
            seal_bytes(ev, last - 1, &|b| b.push(0)),
            "undecodable",
            l,
        )
        .says("trailing"),
        case(
            "B2",
            "cut short",
            seal_bytes(ev, last - 1, &|b| {
                b.pop();
            }),
            "undecodable",
            l,
        ),
        case(
            "B3",
            "version 3",
            seal_bytes(ev, last - 1, &|b| b[0] = 3),
            "undecodable",
            l,
        )
        .says("unknown event schema version 3"),
        case(
            "B3",
            "version 0",
            seal_bytes(ev, last - 1, &|b| b[0] = 0),
            "undecodable",
            l,
        )
        .says("unknown event schema version 0"),
        case(
            "B3",
            "the other version's number on this version's layout",
            seal_bytes(ev, last - 1, &|b| {
                assert_eq!(b[..2], [version as u8, 0]);
                b[0] = other as u8;
            }),
            "undecodable",
            l,
        ),
        case(
            "B4",
            "invalid UTF-8 in the author",
            seal_bytes(ev, last - 1, &|b| {
                assert_eq!(b[50..58], 6u64.to_le_bytes(), "山田");
                b[58] = 0xff
            }),
            "undecodable",
            l,
        ),
        case(
            "B4",
            "an option tag of 2 (the signature)",
            seal_bytes(ev, last - 1, &|b| *b.last_mut().unwrap() = 2),
            "undecodable",
            l,
        ),
        case(
            "B4",
            "a bool of 2",
            seal_bytes(&with(ev, flag("1", fy(2014), true)), last, &|b| {
                // The flag, then the signature's tag.
                let at = b.len() - 2;
                assert_eq!(b[at], 1);
                b[at] = 2
            }),
            "undecodable",
            n,
        ),
        case(
            "B4",
            "an unknown change tag",
            seal_bytes(ev, last - 1, &|b| {
                // Item 2 withdrawn: tag 4 where the change begins.
                let at = change_at(&ev[last - 1]);
                assert_eq!(b[at..at + 4], [4, 0, 0, 0]);
                // Version 1 has tags 0 to 10, version 2 0 to 15.
                b[at] = if version == 1 { 11 } else { 16 };
            }),
            "undecodable",
            l,
        ),
        case(
            "B4",
            "an unknown part",
            seal_bytes(ev, 4, &|b| {
                // Item 1 rated A at FY2014-H1: the part's tag, then the grade and the signature's tag.
                let at = b.len() - 1 - string_bytes("A").len() - 4;
                assert_eq!(b[at - 2..at + 4], [0xde, 0x07, 0, 0, 0, 0]);
                // Version 1 has FirstHalf and YearEnd (a quarter is version 2's), version 2 tags 0 to 4.
                b[at] = if version == 1 { 2 } else { 5 };
            }),
            "undecodable",
            4,
        ),
        case(
            "B4",
            "an unknown era",
            seal_bytes(ev, 0, &|b| {
                // The plan's default era (Some(Heisei)) comes right before its origin in both versions.
                let at = find_once(b, &string_bytes("city.example/plan-2")) - 4;
                assert_eq!(b[at - 1..at + 4], [1, 0, 0, 0, 0]);
                b[at] = 2
            }),
            "undecodable",
            0,
        ),
        case(
            "B5",
            "the signature set",
            seal(
                ev,
                &|i, e| {
                    if i == last - 1 {
                        e.signature = Some(vec![1])
                    }
                },
                none,
            ),
            "undecodable",
            l,
        )
        .says("signature"),
        // The chain.
        case(
            "C1",
            "a seq out of place",
            seal(
                ev,
                &|i, e| {
                    if i == 3 {
                        e.seq = 4
                    }
                },
                none,
            ),
            "missing_seq",
            3,
        ),
        case(
            "C2",
            "event 0 links to something",
            seal(
                ev,
                &|i, e| {
                    if i == 0 {
                        e.prev_hash = [1; 32]
                    }
                },
                none,
            ),
            "broken_link",
            0,
        ),
        case(
            "C3",
            "the last event's link edited",
            seal(
                ev,
                &|i, e| {
                    if i == last - 1 {
                        e.prev_hash = [7; 32]
                    }
                },
                none,
            ),
            "broken_link",
            l,
        ),
        case(
            "C3",
            "a link edited, the next event not re-chained",
            splice(
                &sealed(ev),
                &seal(
                    ev,
                    &|i, e| {
                        if i == 3 {
                            e.prev_hash = [7; 32]
                        }
                    },
                    none,
                ),
                3,
            ),
            "broken_link",
            3,
        ),
        case(
            "C3",
            "a link edited, the rest re-chained",
            seal(
                ev,
                &|i, e| {
                    if i == 3 {
                        e.prev_hash = [7; 32]
                    }
                },
                none,
            ),
            "hash_mismatch",
            2,
        ),
        case(
            "C3",
            "an event edited, its hash recomputed, the next not re-chained",
            splice(
                &sealed(ev),
                &sealed(&with_meta(&ev[..4], &|e| e.reason = "改竄".into())),
                3,
            ),
            "hash_mismatch",
            3,
        ),
        case(
            "C4",
            "time going backwards",
            {
                let mut v = ev.to_vec();
                v[last - 1].recorded_at = v[last - 2].recorded_at - 1;
                sealed(&v)
            },
            "time_went_backwards",
            l,
        ),
        // Who, why, where from, and the version.
        broken(
            "M1",
            "an empty author",
            &with_meta(ev, &|e| e.author = "".into()),
            l,
        ),
        broken(
            "M1",
            "a blank author",
            &with_meta(ev, &|e| e.author = " ".into()),
            l,
        ),
        broken(
            "M1",
            "a control character in the author",
            &with_meta(ev, &|e| e.author = "山\u{1b}田".into()),
            l,
        ),
        broken(
            "M1",
            "a newline in the author",
            &with_meta(ev, &|e| e.author = "山\n田".into()),
            l,
        ),
        broken(
            "M2",
            "an empty reason",
            &with_meta(ev, &|e| e.reason = "".into()),
            l,
        ),
        broken(
            "M2",
            "a blank reason",
            &with_meta(ev, &|e| e.reason = "\n\t ".into()),
            l,
        ),
        broken(
            "M2",
            "a control character in the reason",
            &with_meta(ev, &|e| e.reason = "理由\u{7}".into()),
            l,
        ),
        broken(
            "M2",
            "a carriage return in the reason",
            &with_meta(ev, &|e| e.reason = "理由\r\n".into()),
            l,
        ),
        broken(
            "M3",
            "a source file name with a directory",
            &with_meta(ev, &|e| e.source = source("dir/table.csv")),
            l,
        ),
        broken(
            "M3",
            "an empty source file name",
            &with_meta(ev, &|e| e.source = source("")),
            l,
        ),
        broken(
            "M3",
            "a source file name `..`",
            &with_meta(ev, &|e| e.source = source("..")),
            l,
        ),
        broken(
            "M3",
            "a source file name `.`",
            &with_meta(ev, &|e| e.source = source(".")),
            l,
        ),
        broken(
            "M3",
            "a NUL in the source file name",
            &with_meta(ev, &|e| e.source = source("a\0b.csv")),
            l,
        ),
        // M4: version 2 after a version 1 event 0 in the ledger of version 1, version 1 after a version
        // 2 event 0 in the ledger of version 2.
        broken(
            "M4",
            "the last event of the other version",
            &with_meta(ev, &|e| e.version = other),
            l,
        )
        .says("but the ledger's event 0 is of version"),
        broken(
            "M4",
            "event 0 of the other version",
            &{
                let mut v = ev.to_vec();
                v[0].version = other;
                v
            },
            1,
        )
        .says("but the ledger's event 0 is of version"),
        broken(
            "M4",
            "an event of the other version with a blank author (M4 is checked first)",
            &with_meta(ev, &|e| {
                e.version = other;
                e.author = " ".into()
            }),
            l,
        )
        .says("but the ledger's event 0 is of version"),
        // The plan.
        broken(
            "D1",
            "event 0 not a plan",
            &with_first(heading("見出し")),
            0,
        ),
        broken(
            "D1",
            "event 0 a clock.behind",
            &with_first(Change::ClockBehind { clock: 0 }),
            0,
        ),
        broken("D2", "a second plan", &with(ev, ev[0].change.clone()), n),
        broken(
            "D3",
            "a blank plan name",
            &with_plan(ev, &|n, _, _| *n = " ".into()),
            0,
        ),
        broken(
            "D3",
            "a control character in the plan name",
            &with_plan(ev, &|n, _, _| *n = "計画\u{0}".into()),
            0,
        ),
        broken(
            "D4",
            "an empty origin",
            &with_plan(ev, &|_, _, o| *o = "".into()),
            0,
        ),
        broken(
            "D4",
            "a space in the origin",
            &with_plan(ev, &|_, _, o| *o = "city.example/plan 2".into()),
            0,
        ),
        broken(
            "D4",
            "a `+` in the origin",
            &with_plan(ev, &|_, _, o| *o = "city.example/plan+2".into()),
            0,
        ),
        broken(
            "D4",
            "a control character in the origin",
            &with_plan(ev, &|_, _, o| *o = "city.example/\u{7f}".into()),
            0,
        ),
        broken(
            "D5",
            "an empty grade scale",
            &with_plan(ev, &|_, g, _| g.clear()),
            0,
        ),
        broken(
            "D6",
            "a blank grade",
            &with_plan(ev, &|_, g, _| g.push(" ".into())),
            0,
        ),
        broken(
            "D6",
            "a grade with white space",
            &with_plan(ev, &|_, g, _| g.push("C D".into())),
            0,
        ),
        broken(
            "D6",
            "a control character in a grade",
            &with_plan(ev, &|_, g, _| g.push("C\u{1}".into())),
            0,
        ),
        broken(
            "D7",
            "a grade twice",
            &with_plan(ev, &|_, g, _| g.push("S".into())),
            0,
        ),
        // Headings.
        broken("D8", "a blank heading", &with(ev, heading(" ")), n),
        broken(
            "D8",
            "a control character in a heading",
            &with(ev, heading("見出し\u{9}")),
            n,
        ),
        broken(
            "D9",
            "a heading twice",
            &with(ev, heading("地域協働の推進")),
            n,
        ),
        // Items.
        broken("D10", "item 0", &with(ev, register("0", None)), n),
        broken(
            "D11",
            "an item registered twice",
            &with(ev, register("1", None)),
            n,
        ),
        broken(
            "D11",
            "a withdrawn item registered again",
            &with(ev, register("2", None)),
            n,
        ),
        broken(
            "D12",
            "a blank title",
            &with(ev, register_as("3", " ", "課", "地域協働の推進")),
            n,
        ),
        broken(
            "D12",
            "a control character in a department",
            &with(ev, register_as("3", "題", "課\n", "地域協働の推進")),
            n,
        ),
        broken(
            "D13",
            "an unknown heading",
            &with(ev, register_as("3", "題", "課", "ない")),
            n,
        ),
        broken(
            "D14",
            "an item re-listing itself",
            &with(ev, register("3", Some("3"))),
            n,
        ),
        broken(
            "D14",
            "a re-listing of no item",
            &with(ev, register("3", Some("9"))),
            n,
        ),
        broken(
            "D14",
            "a re-listing of a re-listing",
            &then(ev, &[register("3", Some("1")), register("4", Some("3"))]),
            n + 1,
        ),
        broken(
            "D15",
            "an amendment of no item",
            &with(ev, am("9", Some("題"), None, None)),
            n,
        ),
        broken(
            "D15",
            "an amendment of a withdrawn item",
            &with(ev, am("2", Some("題"), None, None)),
            n,
        ),
        broken(
            "D16",
            "an amendment that changes nothing",
            &with(ev, am("1", None, None, None)),
            n,
        ),
        broken(
            "D16",
            "an amendment to the same title",
            &with(ev, am("1", Some("市民活動支援"), None, None)),
            n,
        ),
        broken(
            "D12",
            "an amendment to a blank title",
            &with(ev, am("1", Some(""), None, None)),
            n,
        ),
        broken(
            "D13",
            "an amendment to an unknown heading",
            &with(ev, am("1", None, Some("ない"), None)),
            n,
        ),
        broken(
            "D14",
            "an amendment re-listing the item itself",
            &with(ev, am("1", None, None, Some(Some("1")))),
            n,
        ),
        broken(
            "D15",
            "a withdrawal of no item",
            &with(ev, Change::ItemWithdrawn { id: id("9") }),
            n,
        ),
        broken(
            "D15",
            "a withdrawal of a withdrawn item",
            &with(ev, Change::ItemWithdrawn { id: id("2") }),
            n,
        ),
        broken(
            "D17",
            "a reinstatement of an item not withdrawn",
            &with(ev, Change::ItemReinstated { id: id("1") }),
            n,
        ),
        broken(
            "D17",
            "a reinstatement of no item",
            &with(ev, Change::ItemReinstated { id: id("9") }),
            n,
        ),
        // Ratings and cells.
        broken(
            "D15",
            "a rating of no item",
            &with(ev, rate("9", fy(2014), "A")),
            n,
        ),
        broken(
            "D15",
            "a rating of a withdrawn item",
            &with(ev, rate("2", fy(2014), "A")),
            n,
        ),
        broken(
            "D18",
            "a grade not in the scale",
            &with(ev, rate("1", fy(2015), "Ａ")),
            n,
        ),
        broken(
            "D19",
            "a rating that changes nothing",
            &with(ev, rate("1", fy(2014), "A")),
            n,
        ),
        broken(
            "D19",
            "a withdrawal of no rating",
            &with(
                ev,
                Change::RatingWithdrawn {
                    item: id("1"),
                    period: fy(2015),
                },
            ),
            n,
        ),
        broken(
            "D19",
            "a follow-up flag that changes nothing",
            &with(ev, flag("1", fy(2014), false)),
            n,
        ),
        broken(
            "D19",
            "a remark that changes nothing",
            &with(ev, remark("1", fy(2014), "")),
            n,
        ),
        broken(
            "D15",
            "a remark on a withdrawn item",
            &with(ev, remark("2", fy(2014), "注")),
            n,
        ),
        broken(
            "D20",
            "a control character in a remark",
            &with(ev, remark("1", fy(2014), "注\u{1b}")),
            n,
        ),
        broken(
            "D21",
            "fiscal year 1988",
            &with(ev, rate("1", fy(1988), "A")),
            n,
        )
        .says("fiscal year 1988 is out of range"),
        broken(
            "D21",
            "fiscal year 2200",
            &with(ev, rate("1", fy(2200), "A")),
            n,
        )
        .says("fiscal year 2200 is out of range"),
        broken(
            "D21",
            "fiscal year 0 in a follow-up",
            &with(ev, flag("1", fy(0), true)),
            n,
        )
        .says("fiscal year 0 is out of range"),
    ]
}

/// The byte-level cases that only a version 1 event can give.
fn version_1_cases(ev: &[Event]) -> Vec<Case> {
    vec![case(
        "B4",
        "a change tag of version 2 (an exclusion) in version 1",
        seal_bytes(ev, ev.len() - 1, &|b| {
            // Item 2 withdrawn (tag 4, the u32 number 2) made an exclusion (tag 11, version 2's) of
            // item 2 at FY2014-H1, laid out as version 1 would: version 1's table ends at tag 10.
            let at = change_at(&ev[ev.len() - 1]);
            assert_eq!(b[at..], [4, 0, 0, 0, 2, 0, 0, 0, 0]);
            b.truncate(at);
            b.extend_from_slice(&[11, 0, 0, 0, 2, 0, 0, 0, 0xde, 0x07, 0, 0, 0, 0, 0]);
        }),
        "undecodable",
        ev.len() as u64 - 1,
    )]
}

/// The cases of what version 2 added: its byte values, item ids, plan cadences and years, an item's
/// `from` and `after`, exclusions, merges and heading renames (rules B4, B6, D15, D16, D21 and D22 to
/// D37).
fn version_2_cases(ev: &[Event]) -> Vec<Case> {
    let last = ev.len();
    let (l, n) = (last as u64 - 1, last as u64);
    vec![
        // Bytes.
        case(
            "B4",
            "an unknown cadence",
            seal_bytes(ev, 0, &|b| {
                // The plan ends with its cadence (HalfYear, tag 0), its years (none) and the signature.
                let at = b.len() - 1 - 1 - 4;
                assert_eq!(b[at..], [0, 0, 0, 0, 0, 0]);
                b[at] = 4
            }),
            "undecodable",
            0,
        ),
        case(
            "B4",
            "an option tag of 2 (an item's `after`)",
            seal_bytes(&with(ev, register_v2("3", None, None)), last, &|b| {
                // `from`, `after` (both none), then the signature.
                let at = b.len() - 2;
                assert_eq!(b[at - 1..], [0, 0, 0]);
                b[at] = 2
            }),
            "undecodable",
            n,
        ),
        case(
            "B6",
            "a leading zero (the `id` of item.withdrawn)",
            seal_bytes(ev, last - 1, &|b| replace_id(b, "2", "02")),
            "undecodable",
            l,
        )
        .says("stored item id"),
        case(
            "B6",
            "full-width digits, not in NFKC (the `item` of rating.recorded)",
            seal_bytes(ev, 4, &|b| replace_id(b, "1", "１")),
            "undecodable",
            4,
        )
        .says("stored item id"),
        case(
            "B6",
            "an empty id (`relisting_of`)",
            seal_bytes(&with(ev, register("3", Some("1"))), last, &|b| {
                replace_id(b, "1", "")
            }),
            "undecodable",
            n,
        )
        .says("stored item id"),
        case(
            "B6",
            "a space (`after`)",
            seal_bytes(&with(ev, register_v2("3", None, Some("1"))), last, &|b| {
                replace_id(b, "1", "R 1")
            }),
            "undecodable",
            n,
        )
        .says("stored item id"),
        case(
            "B6",
            "beginning with `-` (`into`)",
            seal_bytes(
                &then(ev, &[register("3", None), merge("3", "1", fy(2015))]),
                last + 1,
                &|b| replace_id(b, "1", "-1"),
            ),
            "undecodable",
            n + 1,
        )
        .says("stored item id"),
        case(
            "B6",
            "33 characters (the `id` of item.registered)",
            seal_bytes(&with(ev, register("3", None)), last, &|b| {
                replace_id(b, "3", &"R".repeat(33))
            }),
            "undecodable",
            n,
        )
        .says("stored item id"),
        // What version 2 added to the rules of both versions.
        broken(
            "D10",
            "item 0 (an id)",
            &with(ev, register_v2("0", Some(fy(2015)), None)),
            n,
        ),
        broken(
            "D11",
            "an id registered twice",
            &then(ev, &[register("R1-1", None), register("R1-1", None)]),
            n + 1,
        ),
        broken(
            "D15",
            "a rating of an id never registered",
            &with(ev, rate("R1-1", fy(2015), "A")),
            n,
        )
        .says("there is no item R1-1"),
        broken(
            "D15",
            "an exclusion of no item",
            &with(ev, exclude("9", fy(2015))),
            n,
        )
        .says("there is no item 9"),
        broken(
            "D15",
            "an exclusion of a withdrawn item",
            &with(ev, exclude("2", fy(2015))),
            n,
        )
        .says("item 2 is withdrawn"),
        broken(
            "D15",
            "an exclusion withdrawn of a withdrawn item",
            &with(ev, unexclude("2", fy(2015))),
            n,
        )
        .says("item 2 is withdrawn"),
        broken(
            "D15",
            "a merge of a withdrawn item",
            &with(ev, merge("2", "1", fy(2015))),
            n,
        )
        .says("item 2 is withdrawn"),
        broken(
            "D15",
            "a merge withdrawn of no item",
            &with(ev, unmerge("9")),
            n,
        )
        .says("there is no item 9"),
        broken(
            "D16",
            "an amendment to every point of an item at every point",
            &with(ev, am_v2("1", Some(None), None)),
            n,
        )
        .says("changes nothing"),
        broken(
            "D16",
            "an amendment to its natural place of an item at it",
            &with(ev, am_v2("1", None, Some(None))),
            n,
        )
        .says("changes nothing"),
        broken(
            "D16",
            "an amendment to the same place",
            &then(
                ev,
                &[
                    register_v2("3", Some(fy(2015)), Some("1")),
                    am_v2("3", Some(Some(fy(2015))), Some(Some("1"))),
                ],
            ),
            n + 1,
        )
        .says("changes nothing"),
        broken(
            "D21",
            "a whole plan's first year after its last",
            &with(ev, rate("1", whole(2016, 2015), "A")),
            n,
        )
        .says("comes after its last year"),
        broken(
            "D21",
            "a whole plan's first year 1988",
            &with(ev, exclude("1", whole(1988, 1990))),
            n,
        )
        .says("fiscal year 1988 is out of range"),
        broken(
            "D21",
            "a quarter of fiscal year 2200",
            &with(ev, remark("1", q1(2200), "注")),
            n,
        )
        .says("fiscal year 2200 is out of range"),
        broken(
            "D21",
            "the `from` of item.registered in 2200",
            &with(ev, register_v2("3", Some(fy(2200)), None)),
            n,
        )
        .says("fiscal year 2200 is out of range"),
        broken(
            "D21",
            "the `from` of item.amended in 1988",
            &with(ev, am_v2("1", Some(Some(fy(1988))), None)),
            n,
        )
        .says("fiscal year 1988 is out of range"),
        broken(
            "D21",
            "the `from` of item.merged in 2200",
            &then(ev, &[register("3", None), merge("3", "1", ye(2200))]),
            n + 1,
        )
        .says("fiscal year 2200 is out of range"),
        // The plan's cadence and years.
        broken(
            "D22",
            "years from 1988",
            &with_cadence(ev, Cadence::HalfYear, Some((1988, 2016))),
            0,
        )
        .says("fiscal year 1988 is out of range"),
        broken(
            "D22",
            "years to 2200",
            &with_cadence(ev, Cadence::HalfYear, Some((2014, 2200))),
            0,
        )
        .says("fiscal year 2200 is out of range"),
        broken(
            "D22",
            "years running backwards",
            &with_cadence(ev, Cadence::HalfYear, Some((2016, 2014))),
            0,
        )
        .says("run backwards"),
        broken(
            "D23",
            "a whole plan without years",
            &with_cadence(ev, Cadence::WholePlan, None),
            0,
        )
        .says("must declare its years"),
        broken(
            "D24",
            "a quarter in a half-year plan",
            &with(ev, rate("1", q1(2015), "A")),
            n,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "a whole plan's point in a half-year plan",
            &with(ev, exclude("1", whole(2014, 2018))),
            n,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "a first half in a year-end plan (the rating of event 4)",
            &with_cadence(ev, Cadence::YearEnd, None),
            4,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "a fiscal year after the plan's years",
            &with(
                &with_cadence(ev, Cadence::Quarterly, Some((2014, 2015))),
                flag("1", q1(2016), true),
            ),
            n,
        )
        .says("is outside the plan's years"),
        broken(
            "D24",
            "a fiscal year before the plan's years (the rating of event 4)",
            &with_cadence(ev, Cadence::HalfYear, Some((2015, 2018))),
            4,
        )
        .says("is outside the plan's years"),
        broken(
            "D24",
            "another whole plan than the plan's years",
            &{
                let mut v = with_cadence(ev, Cadence::WholePlan, Some((2014, 2018)));
                v[4].change = rate("1", whole(2014, 2018), "A");
                with(&v, rate("1", whole(2015, 2018), "S"))
            },
            n,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "the `from` of item.registered at a quarter",
            &with(ev, register_v2("3", Some(q1(2015)), None)),
            n,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "the `from` of item.amended at a quarter",
            &with(ev, am_v2("1", Some(Some(q1(2014))), None)),
            n,
        )
        .says("is not a reporting point of this plan"),
        broken(
            "D24",
            "the `from` of item.merged at a quarter",
            &then(ev, &[register("3", None), merge("3", "1", q1(2015))]),
            n + 1,
        )
        .says("is not a reporting point of this plan"),
        // An item's place.
        broken(
            "D25",
            "an item placed after itself",
            &with(ev, register_v2("3", None, Some("3"))),
            n,
        )
        .says("after itself"),
        broken(
            "D25",
            "an item placed after no item",
            &with(ev, register_v2("3", None, Some("9"))),
            n,
        )
        .says("there is no item 9"),
        broken(
            "D25",
            "an amendment placing an item after itself",
            &with(ev, am_v2("1", None, Some(Some("1")))),
            n,
        )
        .says("after itself"),
        broken(
            "D25",
            "a placement leading back to the item",
            &then(
                ev,
                &[
                    register_v2("3", None, Some("1")),
                    am_v2("1", None, Some(Some("3"))),
                ],
            ),
            n + 1,
        )
        .says("which is placed after item 1"),
        broken(
            "D25",
            "a placement leading back through two items",
            &then(
                ev,
                &[
                    register_v2("3", None, Some("1")),
                    register_v2("R1-1", None, Some("3")),
                    am_v2("1", None, Some(Some("R1-1"))),
                ],
            ),
            n + 2,
        )
        .says("which is placed after item 1"),
        // An item's first point.
        broken(
            "D26",
            "a first point after a rating",
            &with(ev, am_v2("1", Some(Some(ye(2014))), None)),
            n,
        )
        .says("has a rating at 平成26年度上半期, before 平成26年度末; withdraw it first"),
        broken(
            "D27",
            "a rating before the item's first point",
            &then(
                ev,
                &[
                    register_v2("3", Some(fy(2015)), None),
                    rate("3", ye(2014), "A"),
                ],
            ),
            n + 1,
        )
        .says("joins the plan at"),
        broken(
            "D27",
            "a follow-up flag before the item's first point",
            &then(
                ev,
                &[
                    register_v2("3", Some(fy(2015)), None),
                    flag("3", fy(2014), true),
                ],
            ),
            n + 1,
        )
        .says("joins the plan at"),
        broken(
            "D27",
            "a rating at the point of the item's merge",
            &then(
                ev,
                &[
                    register("3", None),
                    merge("3", "1", fy(2015)),
                    rate("3", fy(2015), "A"),
                ],
            ),
            n + 2,
        )
        .says("is merged into item 1"),
        broken(
            "D27",
            "a remark after the item's merge",
            &then(
                ev,
                &[
                    register("3", None),
                    merge("3", "1", fy(2015)),
                    remark("3", ye(2015), "注"),
                ],
            ),
            n + 2,
        )
        .says("is merged into item 1"),
        broken(
            "D27",
            "an exclusion after the item's merge",
            &then(
                ev,
                &[
                    register("3", None),
                    merge("3", "1", fy(2015)),
                    exclude("3", ye(2016)),
                ],
            ),
            n + 2,
        )
        .says("is merged into item 1"),
        // Exclusions.
        broken(
            "D28",
            "a rating of an excluded cell",
            &then(ev, &[exclude("1", fy(2015)), rate("1", fy(2015), "S")]),
            n + 1,
        )
        .says("withdraw the exclusion first"),
        broken(
            "D29",
            "an exclusion twice",
            &then(ev, &[exclude("1", fy(2015)), exclude("1", fy(2015))]),
            n + 1,
        )
        .says("is already 対象外"),
        broken(
            "D29",
            "an exclusion of a rated cell",
            &with(ev, exclude("1", fy(2014))),
            n,
        )
        .says("withdraw the rating before"),
        broken(
            "D30",
            "an exclusion withdrawn that was never made",
            &with(ev, unexclude("1", fy(2015))),
            n,
        )
        .says("no exclusion to withdraw"),
        broken(
            "D30",
            "an exclusion withdrawn twice",
            &then(
                ev,
                &[
                    exclude("1", fy(2015)),
                    unexclude("1", fy(2015)),
                    unexclude("1", fy(2015)),
                ],
            ),
            n + 2,
        )
        .says("no exclusion to withdraw"),
        // Merges.
        broken(
            "D31",
            "an item merged into itself",
            &with(ev, merge("1", "1", fy(2015))),
            n,
        )
        .says("cannot be merged into itself"),
        broken(
            "D31",
            "an item merged twice",
            &then(
                ev,
                &[
                    register("3", None),
                    register("4", None),
                    merge("3", "1", fy(2015)),
                    merge("3", "4", ye(2015)),
                ],
            ),
            n + 3,
        )
        .says("is already merged into item 1"),
        broken(
            "D32",
            "a merge into no item",
            &then(ev, &[register("3", None), merge("3", "9", fy(2015))]),
            n + 1,
        )
        .says("there is no item 9"),
        broken(
            "D32",
            "a merge into a withdrawn item",
            &then(ev, &[register("3", None), merge("3", "2", fy(2015))]),
            n + 1,
        )
        .says("item 2 is withdrawn"),
        broken(
            "D32",
            "a merge into a merged item",
            &then(
                ev,
                &[
                    register("3", None),
                    register("4", None),
                    merge("3", "1", fy(2015)),
                    merge("4", "3", fy(2015)),
                ],
            ),
            n + 3,
        )
        .says("is itself merged into item 1"),
        broken(
            "D33",
            "a merge of an item others are merged into",
            &then(
                ev,
                &[
                    register("3", None),
                    register("4", None),
                    merge("3", "1", fy(2015)),
                    merge("1", "4", fy(2015)),
                ],
            ),
            n + 3,
        )
        .says("an item others are merged into cannot be merged itself"),
        broken(
            "D34",
            "a merge from the point of a rating",
            &then(ev, &[register("3", None), merge("1", "3", fy(2014))]),
            n + 1,
        )
        .says("on or after"),
        broken(
            "D34",
            "a merge from before an exclusion (対象外)",
            &then(
                ev,
                &[
                    register("3", None),
                    register("4", None),
                    exclude("4", ye(2014)),
                    merge("4", "3", fy(2014)),
                ],
            ),
            n + 3,
        )
        .says("has 対象外 at 平成26年度末, on or after"),
        broken(
            "D34",
            "a merge from before a rating",
            &then(ev, &[register("3", None), merge("1", "3", ye(2013))]),
            n + 1,
        )
        .says("on or after"),
        broken(
            "D35",
            "a merge withdrawn that was never made",
            &with(ev, unmerge("1")),
            n,
        )
        .says("is not merged into another"),
        broken(
            "D35",
            "a merge withdrawn twice",
            &then(
                ev,
                &[
                    register("3", None),
                    merge("3", "1", fy(2015)),
                    unmerge("3"),
                    unmerge("3"),
                ],
            ),
            n + 3,
        )
        .says("is not merged into another"),
        // Heading renames.
        broken(
            "D36",
            "a rename to a blank heading",
            &with(ev, rename("地域協働の推進", " ")),
            n,
        ),
        broken(
            "D36",
            "a rename to a heading with a control character",
            &with(ev, rename("地域協働の推進", "見出し\u{1b}")),
            n,
        )
        .says("control character"),
        broken(
            "D37",
            "a rename of no heading",
            &with(ev, rename("ない", "見出し")),
            n,
        )
        .says("there is no heading"),
        broken(
            "D37",
            "a rename of a heading spelled otherwise (byte for byte)",
            &then(ev, &[heading("AB課"), rename("ＡＢ課", "見出し")]),
            n + 1,
        )
        .says("there is no heading"),
        broken(
            "D37",
            "a rename to an existing heading",
            &then(ev, &[heading("財政"), rename("地域協働の推進", "財政")]),
            n + 1,
        )
        .says("already exists"),
        broken(
            "D37",
            "a rename to the same name",
            &with(ev, rename("地域協働の推進", "地域協働の推進")),
            n,
        )
        .says("changes nothing"),
        // Tag 15 obeys D1 as every change does.
        broken(
            "D1",
            "event 0 a heading rename",
            &{
                let mut v = ev.to_vec();
                v[0].change = rename("地域協働の推進", "見出し");
                v
            },
            0,
        ),
    ]
}

/// The key of a person (or of the log) in the ledger with people: fixed seeds, so that each case signs
/// as hyoka would. `x` is a stranger's key, never registered.
fn pk(id: &str) -> SignerKey {
    let seed = match id {
        "admin" => 1,
        "log" => 2,
        "s1" => 10,
        "s2" => 11,
        "h1" => 20,
        "hq" => 30,
        "c" => 40,
        "au" => 50,
        "au2" => 51,
        "x" => 66,
        other => panic!("no key for {other}"),
    };
    let name = if id == "log" {
        "city.example/plan-2"
    } else {
        id
    };
    SignerKey::from_seed(name, &[seed; 32]).unwrap()
}

/// The department of items 1 and 2, and of `s1` and `h1`.
const DEPT: &str = "市民協働課";
/// The department of item 3 and of `s2`.
const OTHER: &str = "財政課";

fn person(id: &str, department: &str, roles: &[Role]) -> Person {
    Person {
        id: id.into(),
        name_commitment: name_commitment(&[7; 16], id),
        department: department.into(),
        roles: roles.to_vec(),
        vkey: pk(id).verifier().to_text(),
    }
}

fn enable(admin: Person) -> Change {
    Change::PeopleEnabled {
        log_vkey: pk("log").verifier().to_text(),
        admin,
    }
}

fn register_person(p: Person) -> Change {
    Change::PersonRegistered { person: p }
}

/// Events, each with the key it is signed with (none: unsigned, as every event before people).
type Signed = Vec<(Event, Option<SignerKey>)>;

/// `ev` with `changes` appended, recorded by `author` one second apart and signed with `key`.
fn signed_by(ev: &Signed, author: &str, key: &SignerKey, changes: &[Change]) -> Signed {
    let mut v = ev.clone();
    for change in changes {
        let mut e = v.last().unwrap().0.clone();
        e.recorded_at += 1_000_000_000;
        e.author = author.into();
        e.reason = "評価".into();
        e.source = None;
        e.signature = None;
        e.change = change.clone();
        v.push((e, Some(key.clone())));
    }
    v
}

/// `ev` with `changes` by `author`, signed with their own key.
fn by(ev: &Signed, author: &str, changes: &[Change]) -> Signed {
    signed_by(ev, author, &pk(author), changes)
}

/// The export of `ev` re-chained and each event signed again with its key (a forger's, where a case
/// gives one), then `after` applied to the signed event (which then keeps its signature as it was) and
/// `edit_bytes` to its stored bytes.
fn seal_people(ev: &Signed, after: EventEdit, edit_bytes: BytesEdit) -> String {
    let mut prev = ZERO_HASH;
    let mut out = String::new();
    for (i, (e, key)) in ev.iter().enumerate() {
        let mut e = e.clone();
        e.seq = i as u64;
        e.prev_hash = prev;
        e.signature = None;
        if let Some(k) = key {
            signing::sign(&mut e, k).unwrap();
        }
        after(i, &mut e);
        let mut bytes = event::encode(&e).unwrap();
        edit_bytes(i, &mut bytes);
        let hash = event::event_hash(&e.prev_hash, &bytes);
        out.push_str(&hyoka::evidence::export::line(
            &StoredEvent { event: e, hash },
            &bytes,
        ));
        out.push('\n');
        prev = hash;
    }
    out
}

fn sealed_people(ev: &Signed) -> String {
    seal_people(ev, &|_, _| {}, &|_, _| {})
}

/// The state after `ev`.
fn fold(ev: &Signed) -> State {
    let mut s = State::default();
    for (e, _) in ev {
        s.apply(&e.change).unwrap();
    }
    s
}

/// The base ledger of version 2 with people: after its 6 events, 6 `people.enabled` by `admin` (行政経営課),
/// 7-11 the persons `s1` (staff of 市民協働課), `h1` (its head), `s2` (staff of 財政課), `hq` (行革本部) and
/// `c` (外部委員), 12 item 3 of 財政課, 13 the round of FY2014-YE opened (items 1 and 3 are in it; item 2
/// is withdrawn).
fn with_people(ev: &[Event]) -> Signed {
    let base: Signed = ev.iter().map(|e| (e.clone(), None)).collect();
    by(
        &base,
        "admin",
        &[
            enable(person("admin", "行政経営課", &[Role::Admin])),
            register_person(person("s1", DEPT, &[Role::Staff])),
            register_person(person("h1", DEPT, &[Role::Head])),
            register_person(person("s2", OTHER, &[Role::Staff])),
            register_person(person("hq", "行革本部", &[Role::Hq])),
            register_person(person("c", "外部委員会", &[Role::Committee])),
            register_as("3", "財政健全化", OTHER, "地域協働の推進"),
            open_round(ye(2014), "2015-04-30"),
        ],
    )
}

fn open_round(period: Period, due: &str) -> Change {
    Change::RoundOpened {
        period,
        due: due.into(),
    }
}

fn submit(department: &str) -> Change {
    Change::Submitted {
        period: ye(2014),
        department: department.into(),
    }
}

fn review(item: &str, stage: Stage, verdict: Verdict) -> Change {
    Change::Reviewed {
        period: ye(2014),
        item: id(item),
        stage,
        verdict,
    }
}

fn opinion(item: Option<&str>, text: &str) -> Change {
    Change::OpinionRecorded {
        period: ye(2014),
        item: item.map(id),
        text: text.into(),
    }
}

fn publish(state: &State) -> Change {
    Change::RoundPublished {
        period: ye(2014),
        table_sha256: state.published_table_sha256(ye(2014)),
    }
}

/// The people ledger with item 1 rated, item 3 excluded, 市民協働課 submitted and item 1 approved at
/// both stages: ready to publish.
fn approved(p: &Signed) -> Signed {
    let v = by(p, "s1", &[rate("1", ye(2014), "A"), submit(DEPT)]);
    let v = by(&v, "hq", &[exclude("3", ye(2014))]);
    let v = by(&v, "h1", &[review("1", Stage::First, Verdict::Approve)]);
    by(&v, "hq", &[review("1", Stage::Second, Verdict::Approve)])
}

/// `ev` with its `people.enabled` (event 6) edited by `f`.
fn with_enabled(ev: &Signed, f: &dyn Fn(&mut Event)) -> Signed {
    let mut v = ev.clone();
    f(&mut v[6].0);
    v
}

/// The ledger with people `p` replaced from event 0 by a forger holding none of its keys: the same
/// events, but its administrator's key and log key the forger's own, and every event of the
/// administrator signed again with the forger's key; valid in itself. Also the forger's administrator key.
fn replaced_start(p: &Signed) -> (Signed, SignerKey) {
    let admin = SignerKey::from_seed("admin", &[99; 32]).unwrap();
    let log = SignerKey::from_seed("city.example/plan-2", &[98; 32]).unwrap();
    let mut v = p.clone();
    if let Change::PeopleEnabled { log_vkey, admin: a } = &mut v[6].0.change {
        *log_vkey = log.verifier().to_text();
        a.vkey = admin.verifier().to_text();
    }
    for (e, k) in v.iter_mut() {
        if e.author == "admin" && k.is_some() {
            *k = Some(admin.clone());
        }
    }
    (v, admin)
}

/// The people rules (S, A, D38-D56), each broken alone on the base ledger with people.
fn people_cases(ev: &[Event]) -> Vec<Case> {
    let p = with_people(ev);
    let none: BytesEdit = &|_, _| {};
    let keep: EventEdit = &|_, _| {};
    let rated = by(&p, "s1", &[rate("1", ye(2014), "A")]);
    let submitted = by(&rated, "s1", &[submit(DEPT)]);
    let broken_p = |rule, what: &str, v: &Signed| {
        case(
            rule,
            what,
            sealed_people(v),
            "rule_broken",
            v.len() as u64 - 1,
        )
    };
    let forged = |rule, what: &str, v: &Signed, at: usize| {
        case(rule, what, sealed_people(v), "signature_invalid", at as u64)
    };
    // The signature `people.enabled` has in the ledger with people.
    let enabled_signature = {
        let text = sealed_people(&p);
        let line = text.lines().nth(6).unwrap();
        hyoka::evidence::export::parse_line(line.as_bytes(), 7)
            .unwrap()
            .event
            .event
            .signature
    };
    vec![
        // Bytes of what people brought.
        case(
            "B4",
            "an unknown role",
            seal_people(&p, keep, &|i, b| {
                if i == 7 {
                    // s1's roles: one role, Staff (tag 0), right before the key.
                    let mut roles = 1u64.to_le_bytes().to_vec();
                    roles.extend_from_slice(&[0, 0, 0, 0]);
                    roles.extend(string_bytes(&pk("s1").verifier().to_text()));
                    let at = find_once(b, &roles) + 8;
                    b[at] = 6;
                }
            }),
            "undecodable",
            7,
        ),
        case(
            "B5",
            "a signature slot of 67 bytes",
            seal_people(
                &rated,
                &|i, e| {
                    if i == 14 {
                        e.signature.as_mut().unwrap().pop();
                    }
                },
                none,
            ),
            "undecodable",
            14,
        )
        .says("signature"),
        // Signatures.
        case(
            "S1",
            "an event before people.enabled signed",
            seal_people(
                &p,
                &|i, e| {
                    if i == 5 {
                        e.signature = Some(vec![0; 68]);
                    }
                },
                none,
            ),
            "signature_invalid",
            5,
        )
        .says("no people"),
        case(
            "S2",
            "an event after people.enabled unsigned",
            seal_people(
                &p,
                &|i, e| {
                    if i == 7 {
                        e.signature = None;
                    }
                },
                none,
            ),
            "signature_invalid",
            7,
        )
        .says("not signed"),
        forged(
            "S3",
            "people.enabled recorded by another than its administrator",
            &with_enabled(&p, &|e| e.author = "山田".into()),
            6,
        )
        .says("administrator it names"),
        forged(
            "S4",
            "an event by a stranger, signed with the stranger's key",
            &by(&p, "x", &[heading("見出し")]),
            p.len(),
        )
        .says("not a registered person"),
        forged(
            "S4",
            "a rating signed with a revoked key",
            &by(
                &by(
                    &p,
                    "admin",
                    &[Change::KeyRevoked {
                        person: "s1".into(),
                    }],
                ),
                "s1",
                &[rate("1", ye(2014), "A")],
            ),
            p.len() + 1,
        )
        .says("has no key"),
        // D57 refuses a key that is not one when it is recorded, before its first use would break S5.
        case(
            "S5",
            "a person whose recorded key is not a verifier key",
            sealed_people(&signed_by(
                &by(
                    &p,
                    "admin",
                    &[register_person(Person {
                        id: "s3".into(),
                        vkey: "s3+00000000+not-a-key".into(),
                        ..person("x", DEPT, &[Role::Staff])
                    })],
                ),
                "s3",
                &pk("x"),
                &[rate("1", ye(2014), "A")],
            )),
            "rule_broken",
            p.len() as u64,
        )
        .says("not a verifier key"),
        forged(
            "S6",
            "an event re-signed with another person's key",
            &signed_by(&p, "s1", &pk("s2"), &[rate("1", ye(2014), "A")]),
            p.len(),
        )
        .says("not by s1's key")
        .pinned(&pk("admin")),
        forged(
            "S6",
            "an event's author changed, re-signed by the forger",
            &signed_by(&p, "s2", &pk("s1"), &[rate("3", ye(2014), "A")]),
            p.len(),
        )
        .says("not by s2's key")
        .pinned(&pk("admin")),
        case(
            "S7",
            "an event altered after it was signed",
            seal_people(
                &rated,
                &|i, e| {
                    if i == 14 {
                        e.change = rate("1", ye(2014), "S");
                    }
                },
                none,
            ),
            "signature_invalid",
            14,
        )
        .says("does not verify"),
        case(
            "S7",
            "an event before people.enabled altered, the chain recomputed",
            seal_people(
                &{
                    let mut v = p.clone();
                    v[4].0.change = rate("1", fy(2014), "B");
                    v
                },
                &|i, e| {
                    // people.enabled keeps the signature it had over the old link.
                    if i == 6 {
                        e.signature = enabled_signature.clone();
                    }
                },
                none,
            ),
            "signature_invalid",
            6,
        )
        .says("does not verify"),
        case(
            "S8",
            "the whole log replaced, its people begun with a forger's keys",
            sealed_people(&replaced_start(&p).0),
            "pinned_key_mismatch",
            6,
        )
        .pinned(&pk("admin")),
        // Who may record what.
        broken_p(
            "A1",
            "a second people.enabled by a stranger naming itself",
            &by(
                &p,
                "x",
                &[enable(person("x", "行政経営課", &[Role::Admin]))],
            ),
        )
        .says("not a registered person"),
        broken_p(
            "A2",
            "a second people.enabled",
            &by(
                &p,
                "admin",
                &[enable(person("admin", "行政経営課", &[Role::Admin]))],
            ),
        )
        .says("defined once"),
        broken_p(
            "A3",
            "staff adding a heading",
            &by(&p, "s1", &[heading("見出し")]),
        )
        .says("needs the role admin"),
        broken_p(
            "A4",
            "staff registering a person",
            &by(
                &p,
                "s1",
                &[register_person(person("x", DEPT, &[Role::Staff]))],
            ),
        )
        .says("manage people"),
        broken_p(
            "A5",
            "staff rotating another person's key",
            &by(
                &p,
                "s1",
                &[Change::KeyRotated {
                    person: "s2".into(),
                    vkey: pk("x").verifier().to_text(),
                }],
            ),
        )
        .says("another person's key"),
        broken_p(
            "A6",
            "staff closing the round",
            &by(&p, "s1", &[Change::RoundClosed { period: ye(2014) }]),
        )
        .says("needs the role admin"),
        broken_p(
            "A7",
            "staff marking an item 対象外",
            &by(&p, "s1", &[exclude("1", ye(2014))]),
        )
        .says("needs the role hq"),
        broken_p(
            "A8",
            "staff recording an opinion",
            &by(&p, "s1", &[opinion(None, "意見")]),
        )
        .says("needs the role committee"),
        broken_p(
            "A9",
            "staff submitting another department's items",
            &by(
                &by(&p, "s2", &[rate("3", ye(2014), "B")]),
                "s1",
                &[submit(OTHER)],
            ),
        )
        .says("may not submit the items of"),
        broken_p(
            "A10",
            "a head reviewing another department's item",
            &by(
                &by(&p, "s2", &[rate("3", ye(2014), "B"), submit(OTHER)]),
                "h1",
                &[review("3", Stage::First, Verdict::Approve)],
            ),
        )
        .says("may not review item 3"),
        broken_p(
            "A11",
            "a head reviewing at 2次評価",
            &by(
                &by(
                    &submitted,
                    "h1",
                    &[review("1", Stage::First, Verdict::Approve)],
                ),
                "h1",
                &[review("1", Stage::Second, Verdict::Approve)],
            ),
        )
        .says("needs the role hq"),
        broken_p(
            "A12",
            "a rating into a point with no round",
            &by(&p, "s1", &[rate("1", fy(2015), "A")]),
        )
        .says("no round is open for"),
        broken_p(
            "A12",
            "a rating into a closed round",
            &by(
                &by(&p, "admin", &[Change::RoundClosed { period: ye(2014) }]),
                "s1",
                &[rate("1", ye(2014), "A")],
            ),
        )
        .says("closed"),
        broken_p("A13", "staff changing a published round", &{
            let v = approved(&p);
            let v = by(&v, "admin", &[publish(&fold(&v))]);
            by(&v, "s1", &[remark("1", ye(2014), "訂正")])
        })
        .says("correct a published round"),
        broken_p(
            "A14",
            "staff rating another department's item",
            &by(&p, "s1", &[rate("3", ye(2014), "A")]),
        )
        .says("which is `財政課`'s"),
        broken_p(
            "A14",
            "staff rating a submitted item",
            &by(&submitted, "s1", &[rate("1", ye(2014), "S")]),
        )
        .says("submitted for review"),
        broken_p(
            "A15",
            "an auditor rotating their own key",
            &by(
                &by(
                    &p,
                    "admin",
                    &[register_person(person(
                        "au",
                        "監査事務局",
                        &[Role::Auditor],
                    ))],
                ),
                "au",
                &[Change::KeyRotated {
                    person: "au".into(),
                    vkey: pk("au2").verifier().to_text(),
                }],
            ),
        )
        .says("is an auditor and records nothing"),
        // People and keys.
        broken_p(
            "D38",
            "a person id with a space",
            &by(
                &p,
                "admin",
                &[register_person(Person {
                    id: "s 3".into(),
                    ..person("x", DEPT, &[Role::Staff])
                })],
            ),
        ),
        broken_p(
            "D38",
            "a person without a role",
            &by(&p, "admin", &[register_person(person("x", DEPT, &[]))]),
        )
        .says("without a role"),
        broken_p(
            "D39",
            "a person registered twice",
            &by(
                &p,
                "admin",
                &[register_person(Person {
                    vkey: pk("x").verifier().to_text(),
                    ..person("s1", DEPT, &[Role::Staff])
                })],
            ),
        )
        .says("already exists"),
        broken_p(
            "D39",
            "a person with another person's key",
            &by(
                &p,
                "admin",
                &[register_person(Person {
                    vkey: pk("s1").verifier().to_text(),
                    ..person("x", DEPT, &[Role::Staff])
                })],
            ),
        )
        .says("person `s1`'s"),
        case(
            "D40",
            "a first administrator without the role admin",
            sealed_people(&with_enabled(&p, &|e| {
                if let Change::PeopleEnabled { admin, .. } = &mut e.change {
                    admin.roles = vec![Role::Staff];
                }
            })),
            "rule_broken",
            6,
        )
        .says("must be an administrator"),
        broken(
            "D41",
            "a person registered in a ledger without people",
            &with(ev, register_person(person("s1", DEPT, &[Role::Staff]))),
            ev.len() as u64,
        )
        .says("no people"),
        broken(
            "D41",
            "a round opened in a ledger without people",
            &with(ev, open_round(ye(2014), "2015-04-30")),
            ev.len() as u64,
        )
        .says("no people"),
        broken_p(
            "D42",
            "a role granted to no one",
            &by(
                &p,
                "admin",
                &[Change::RoleGranted {
                    person: "nobody".into(),
                    role: Role::Staff,
                }],
            ),
        )
        .says("no person `nobody`"),
        broken_p(
            "D43",
            "a role granted twice",
            &by(
                &p,
                "admin",
                &[Change::RoleGranted {
                    person: "s1".into(),
                    role: Role::Staff,
                }],
            ),
        )
        .says("already has the role"),
        broken_p(
            "D43",
            "a role revoked that is not held",
            &by(
                &p,
                "admin",
                &[Change::RoleRevoked {
                    person: "s1".into(),
                    role: Role::Head,
                }],
            ),
        )
        .says("does not have the role"),
        broken_p(
            "D44",
            "the last administrator's role revoked",
            &by(
                &p,
                "admin",
                &[Change::RoleRevoked {
                    person: "admin".into(),
                    role: Role::Admin,
                }],
            ),
        )
        .says("last administrator"),
        broken_p(
            "D45",
            "a key rotated to another person's key",
            &by(
                &p,
                "admin",
                &[Change::KeyRotated {
                    person: "s1".into(),
                    vkey: pk("s2").verifier().to_text(),
                }],
            ),
        )
        .says("person `s2`'s"),
        broken_p(
            "D57",
            "a key rotated to text that is no verifier key",
            &by(
                &p,
                "admin",
                &[Change::KeyRotated {
                    person: "s1".into(),
                    vkey: "s1+00000000+AAAA".into(),
                }],
            ),
        )
        .says("is not a verifier key"),
        broken_p(
            "D46",
            "a key revoked twice",
            &by(
                &p,
                "admin",
                &[
                    Change::KeyRevoked {
                        person: "s1".into(),
                    },
                    Change::KeyRevoked {
                        person: "s1".into(),
                    },
                ],
            ),
        )
        .says("no key to revoke"),
        // Rounds.
        broken_p(
            "D47",
            "a round opened twice",
            &by(&p, "admin", &[open_round(ye(2014), "2015-05-31")]),
        )
        .says("already exists"),
        broken_p(
            "D47",
            "a due date that is not a date",
            &by(&p, "admin", &[open_round(fy(2015), "2015-02-30")]),
        )
        .says("YYYY-MM-DD"),
        broken_p(
            "D47",
            "a round of a point the plan does not have",
            &by(&p, "admin", &[open_round(q1(2015), "2015-07-31")]),
        ),
        broken_p(
            "D48",
            "a submission to a point with no round",
            &by(
                &p,
                "s1",
                &[Change::Submitted {
                    period: fy(2015),
                    department: DEPT.into(),
                }],
            ),
        )
        .says("no round is open for"),
        broken_p(
            "D49",
            "a submission to a closed round",
            &by(
                &by(&rated, "admin", &[Change::RoundClosed { period: ye(2014) }]),
                "s1",
                &[submit(DEPT)],
            ),
        )
        .says("nothing can be submitted"),
        broken_p(
            "D50",
            "a submission of an unrated item",
            &by(&p, "s1", &[submit(DEPT)]),
        )
        .says("not rated"),
        broken_p(
            "D50",
            "a returned item submitted again without a new rating",
            &by(
                &by(
                    &submitted,
                    "h1",
                    &[review("1", Stage::First, Verdict::Return)],
                ),
                "s1",
                &[submit(DEPT)],
            ),
        )
        .says("returned for revision"),
        broken_p(
            "D50",
            "a submission twice",
            &by(&submitted, "s1", &[submit(DEPT)]),
        )
        .says("already submitted"),
        broken_p(
            "D51",
            "a review of an item not submitted",
            &by(&rated, "h1", &[review("1", Stage::First, Verdict::Approve)]),
        )
        .says("not submitted"),
        broken_p(
            "D52",
            "an approval at 1次評価 twice",
            &by(
                &submitted,
                "h1",
                &[
                    review("1", Stage::First, Verdict::Approve),
                    review("1", Stage::First, Verdict::Approve),
                ],
            ),
        )
        .says("already approved"),
        broken_p(
            "D52",
            "2次評価 before 1次評価",
            &by(
                &submitted,
                "hq",
                &[review("1", Stage::Second, Verdict::Return)],
            ),
        )
        .says("2次評価 comes after it"),
        broken_p(
            "D53",
            "a blank opinion",
            &by(&p, "c", &[opinion(Some("1"), " ")]),
        )
        .says("opinion is empty"),
        broken_p(
            "D54",
            "a round closed twice",
            &by(
                &p,
                "admin",
                &[
                    Change::RoundClosed { period: ye(2014) },
                    Change::RoundClosed { period: ye(2014) },
                ],
            ),
        )
        .says("not open"),
        broken_p(
            "D55",
            "a round published with an item not approved at 2次評価",
            &{
                let v = by(&submitted, "hq", &[exclude("3", ye(2014))]);
                by(&v, "admin", &[publish(&fold(&v))])
            },
        )
        .says("cannot be published"),
        broken_p("D55", "a round published twice", &{
            let v = approved(&p);
            let v = by(&v, "admin", &[publish(&fold(&v))]);
            by(&v, "admin", &[publish(&fold(&v))])
        })
        .says("already published"),
        broken_p(
            "D56",
            "a published table's digest that is not its table's",
            &by(
                &approved(&p),
                "admin",
                &[Change::RoundPublished {
                    period: ye(2014),
                    table_sha256: [0; 32],
                }],
            ),
        )
        .says("canonical form"),
    ]
}

/// The numbers of the rules of FORMAT.md section 12, in order.
fn documented_rules() -> Vec<String> {
    let doc = format_md();
    let section = doc
        .split("\n## 12. ")
        .nth(1)
        .expect("FORMAT.md section 12")
        .split("\n## ")
        .next()
        .unwrap()
        .to_string();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| **")?.split("**").next())
        .map(str::to_string)
        .collect()
}

fn format_md() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/FORMAT.md"),
    )
    .unwrap()
}

/// Runs every case on `env`; returns what went otherwise than the case says.
fn check(env: &Env, version: u16, cases: &[Case]) -> Vec<String> {
    let doc = format_md();
    let file = env.dir.path().join("t.jsonl");
    let f = file.to_str().unwrap();
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let name = format!("v{version} {} {}", c.rule, c.what);
        // The kind is the one FORMAT.md gives the rule.
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| **{}** |", c.rule)))
            .unwrap();
        assert!(
            row.contains(&format!("`{}`", c.kind)),
            "{name}: FORMAT.md says {row}"
        );
        std::fs::write(&file, &c.text).unwrap();
        let mut args = vec!["verify", "--export", f, "--format", "json"];
        if let Some(k) = &c.vkey {
            args.extend(["--vkey", k.as_str()]);
        }
        let run = env.run(&args);
        let j: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap_or_default();
        let message = j["error"]["message"].as_str().unwrap_or_default();
        if run.code != 3
            || j["error"]["kind"] != c.kind
            || j["error"]["seq"].as_u64() != c.seq
            || !c.says.is_none_or(|s| message.contains(s))
        {
            failures.push(format!(
                "{name}: want {} at {:?} saying {:?}, got {} {}{}",
                c.kind, c.seq, c.says, run.code, run.stdout, run.stderr
            ));
            continue;
        }
        if c.vkey.is_some() {
            // `restore` pins no key (FORMAT.md section 10).
            continue;
        }
        let dir = env.dir.path().join(format!("restored-{version}-{i}"));
        let run = env.run(&["restore", f, "--ledger", dir.to_str().unwrap()]);
        if run.code != 3 || !run.stderr.contains(message) || dir.exists() {
            failures.push(format!("{name}: restore: {} {}", run.code, run.stderr));
        }
    }
    failures
}

#[test]
fn every_rule_broken_alone_fails_verify_and_restore_with_its_kind() {
    let documented = documented_rules();
    let mut failures = Vec::new();
    let mut covered: [BTreeSet<&str>; 2] = Default::default();
    for (version, (env, ev)) in [(1, base_v1()), (2, base())] {
        let cases = cases(&ev);
        covered[version as usize - 1] = cases.iter().map(|c| c.rule).collect();
        failures.extend(check(&env, version, &cases));
    }
    // Every documented rule has a case, in both versions unless only version 2 can break it, and every
    // case a documented rule.
    for r in &documented {
        assert!(
            covered[1].contains(r.as_str()),
            "rule {r} of FORMAT.md has no case in version 2"
        );
        assert_eq!(
            covered[0].contains(r.as_str()),
            !VERSION_2_ONLY.contains(&r.as_str()),
            "rule {r} of FORMAT.md in version 1"
        );
    }
    for r in covered[0].union(&covered[1]) {
        assert!(
            documented.iter().any(|d| d == r),
            "case of rule {r} not in FORMAT.md"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Valid exports in both versions: the cases' setups without what breaks the rule.
fn valid_common(ev: &[Event]) -> Vec<(&'static str, String)> {
    vec![
        ("as exported", sealed(ev)),
        (
            "a reason of two lines with a tab",
            sealed(&with_meta(ev, &|e| e.reason = "理由\n\t詳細".into())),
        ),
        (
            "a source file name",
            sealed(&with_meta(ev, &|e| e.source = source("table 2015.csv"))),
        ),
        ("a new heading", sealed(&with(ev, heading("見出し")))),
        ("item 3", sealed(&with(ev, register("3", Some("1"))))),
        (
            "fiscal years 1989 and 2199",
            sealed(&then(
                ev,
                &[rate("1", fy(1989), "S"), rate("1", fy(2199), "B")],
            )),
        ),
        (
            "an amendment",
            sealed(&with(ev, am("1", Some("題"), None, None))),
        ),
        (
            "a reinstatement",
            sealed(&with(ev, Change::ItemReinstated { id: id("2") })),
        ),
        (
            "a follow-up and a remark",
            sealed(&then(
                ev,
                &[flag("1", fy(2014), true), remark("1", fy(2014), "注\n記")],
            )),
        ),
        (
            "a clock.behind",
            sealed(&with(ev, Change::ClockBehind { clock: 0 })),
        ),
    ]
}

/// Valid exports of what version 2 added.
fn valid_version_2(ev: &[Event]) -> Vec<(&'static str, String)> {
    let placed = [
        register_v2("3", Some(fy(2015)), Some("1")),
        register_v2("R1-1", None, Some("3")),
    ];
    vec![
        (
            "a quarterly plan of fiscal years 2014 to 2018",
            sealed(&with(
                &with_cadence(ev, Cadence::Quarterly, Some((2014, 2018))),
                rate("1", q1(2018), "B"),
            )),
        ),
        (
            "a whole plan",
            sealed(&{
                let mut v = with_cadence(ev, Cadence::WholePlan, Some((2014, 2018)));
                v[4].change = rate("1", whole(2014, 2018), "A");
                with(&v, remark("1", whole(2014, 2018), "注"))
            }),
        ),
        (
            "items with ids, a first point and places",
            sealed(&then(
                ev,
                &[
                    placed[0].clone(),
                    placed[1].clone(),
                    rate("3", fy(2015), "S"),
                    am_v2("3", Some(Some(ye(2014))), Some(None)),
                    rate("R1-1", fy(2014), "A"),
                    am_v2("1", None, Some(Some("R1-1"))),
                    Change::ItemWithdrawn { id: id("R1-1") },
                ],
            )),
        ),
        (
            "exclusions made and withdrawn",
            sealed(&then(
                ev,
                &[
                    exclude("1", fy(2015)),
                    unexclude("1", fy(2015)),
                    rate("1", fy(2015), "S"),
                    exclude("1", ye(2015)),
                ],
            )),
        ),
        (
            "merges made and withdrawn; an exclusion before the merge's point withdrawn after the merge",
            sealed(&then(
                ev,
                &[
                    register("3", None),
                    register("4", None),
                    exclude("3", ye(2014)),
                    merge("3", "1", fy(2015)),
                    unexclude("3", ye(2014)),
                    rate("3", ye(2014), "B"),
                    Change::RatingWithdrawn {
                        item: id("3"),
                        period: ye(2014),
                    },
                    unmerge("3"),
                    merge("3", "4", ye(2014)),
                    merge("1", "4", ye(2014)),
                ],
            )),
        ),
        (
            "a heading renamed, and an item registered under its new name",
            sealed(&then(
                ev,
                &[
                    rename("地域協働の推進", "協働の推進"),
                    register_as("3", "題", "課", "協働の推進"),
                    heading("地域協働の推進"),
                ],
            )),
        ),
    ]
}

/// The tampering above is the only thing wrong in each case: the same exports without it verify, in
/// both versions; and each event's JSON in the export is of its version's form (section 10).
#[test]
fn the_re_chained_exports_are_valid_without_the_broken_rule() {
    for (version, (env, ev)) in [(1, base_v1()), (2, base())] {
        let file = env.dir.path().join("t.jsonl");
        let f = file.to_str().unwrap();
        let mut valid = valid_common(&ev);
        if version == 2 {
            valid.extend(valid_version_2(&ev));
        }
        for (what, text) in valid {
            std::fs::write(&file, &text).unwrap();
            let run = env.run(&["verify", "--export", f]);
            assert_eq!(run.code, 0, "v{version} {what}: {run:?}");
        }
        for line in sealed(&ev).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let e = &v["event"];
            match version {
                1 => assert!(
                    e.get("version").is_none() && !line.contains("_id\""),
                    "{line}"
                ),
                _ => assert_eq!(e["version"], 2, "{line}"),
            }
        }
        let item = |line: &str| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["event"]["change"].clone()
        };
        let registered = item(sealed(&ev).lines().nth(2).unwrap());
        assert_eq!(registered["item"], 1);
        assert_eq!(
            registered.get("item_id").cloned(),
            (version == 2).then(|| "1".into())
        );
    }
}

/// A whole round on the ledger with people (open, rate, submit, return, rate again, approve at both
/// stages, opinions, close, publish, a correction by 行革本部), then keys granted, rotated and revoked:
/// valid, with or without its administrator's key or its log key pinned. The cases' forgeries without
/// their forgery are valid too, and the log replaced from its start is valid unless a key is pinned.
#[test]
fn a_ledger_with_people_verifies_and_a_pinned_key_tells_its_start() {
    let (env, ev) = base();
    let p = with_people(&ev);
    let v = by(&p, "s1", &[rate("1", ye(2014), "A"), submit(DEPT)]);
    let v = by(&v, "h1", &[review("1", Stage::First, Verdict::Return)]);
    let v = by(&v, "s1", &[rate("1", ye(2014), "S"), submit(DEPT)]);
    let v = by(&v, "h1", &[review("1", Stage::First, Verdict::Approve)]);
    let v = by(
        &v,
        "hq",
        &[
            exclude("3", ye(2014)),
            review("1", Stage::Second, Verdict::Approve),
        ],
    );
    let v = by(
        &v,
        "c",
        &[opinion(Some("1"), "妥当"), opinion(None, "おおむね妥当")],
    );
    let v = by(&v, "admin", &[Change::RoundClosed { period: ye(2014) }]);
    let v = by(&v, "admin", &[publish(&fold(&v))]);
    let v = by(&v, "hq", &[rate("1", ye(2014), "A")]);
    let new = SignerKey::from_seed("s1", &[77; 32]).unwrap();
    let v = by(
        &v,
        "admin",
        &[Change::RoleGranted {
            person: "s1".into(),
            role: Role::Head,
        }],
    );
    let v = by(
        &v,
        "s1",
        &[Change::KeyRotated {
            person: "s1".into(),
            vkey: new.verifier().to_text(),
        }],
    );
    let v = signed_by(
        &v,
        "s1",
        &new,
        &[Change::KeyRevoked {
            person: "s1".into(),
        }],
    );
    let (replaced, forger) = replaced_start(&p);
    let text = |k: &SignerKey| k.verifier().to_text();
    let file = env.dir.path().join("t.jsonl");
    let f = file.to_str().unwrap();
    for (what, export, vkey, code) in [
        ("with people", sealed_people(&p), None, 0),
        ("a whole round", sealed_people(&v), None, 0),
        (
            "a whole round, the administrator's key pinned",
            sealed_people(&v),
            Some(text(&pk("admin"))),
            0,
        ),
        (
            "a whole round, the log key pinned",
            sealed_people(&v),
            Some(text(&pk("log"))),
            0,
        ),
        (
            "a rating signed with its author's key",
            sealed_people(&by(&p, "s1", &[rate("1", ye(2014), "A")])),
            Some(text(&pk("admin"))),
            0,
        ),
        (
            "the replaced log, no key pinned",
            sealed_people(&replaced),
            None,
            0,
        ),
        (
            "the replaced log, its own key pinned",
            sealed_people(&replaced),
            Some(text(&forger)),
            0,
        ),
        (
            "the replaced log, the log key pinned",
            sealed_people(&replaced),
            Some(text(&pk("log"))),
            3,
        ),
        (
            "without people, a key pinned",
            sealed(&ev),
            Some(text(&pk("admin"))),
            0,
        ),
    ] {
        std::fs::write(&file, &export).unwrap();
        let mut args = vec!["verify", "--export", f];
        if let Some(k) = &vkey {
            args.extend(["--vkey", k.as_str()]);
        }
        let run = env.run(&args);
        assert_eq!(run.code, code, "{what}: {run:?}");
    }
    // Every event from people.enabled on is signed, none before it, and the JSON carries no signature.
    let export = sealed_people(&v);
    for (i, line) in export.lines().enumerate() {
        let parsed = hyoka::evidence::export::parse_line(line.as_bytes(), i as u64 + 1).unwrap();
        assert_eq!(parsed.event.event.signature.is_some(), i >= 6, "event {i}");
        assert!(!line.contains("\"signature\""), "{line}");
    }
    // The round's state, as folded.
    let s = fold(&v);
    let round = &s.rounds[&ye(2014)];
    assert_eq!(round.status, hyoka::domain::people::RoundStatus::Published);
    assert_eq!(
        round.published,
        Some(fold(&v[..v.len() - 5].to_vec()).published_table_sha256(ye(2014)))
    );
}

/// A ledger holding an event that breaks a rule of the envelope or the domain (written into its store
/// as an attacker with file access could, its commit record and head record consistent) fails `hyoka
/// verify` with `rule_broken`; the same ledger untouched verifies. In both versions.
#[test]
fn verify_checks_the_meta_rules_of_stored_events() {
    for (what, edit, kind) in [
        ("untouched", (|_| {}) as fn(&mut Event), None),
        (
            "a blank author",
            |e| e.author = " ".into(),
            Some("rule_broken"),
        ),
        (
            "a control character in the reason",
            |e| e.reason = "理由\u{7}".into(),
            Some("rule_broken"),
        ),
        (
            "a source file name with a directory",
            |e| e.source = source("a/b.csv"),
            Some("rule_broken"),
        ),
        (
            "fiscal year 2200",
            |e| e.change = rate("1", fy(2200), "S"),
            Some("rule_broken"),
        ),
        (
            "an event of the other version",
            |e| e.version = 3 - e.version,
            Some("rule_broken"),
        ),
    ] {
        for version in [1, 2] {
            let (env, ev) = if version == 1 { base_v1() } else { base() };
            {
                let mut l = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
                let n = l.len();
                let mut e = ev[n as usize - 1].clone();
                edit(&mut e);
                let bytes = event::encode(&e).unwrap();
                let head: Hash = event::event_hash(&e.prev_hash, &bytes);
                let c = l.store_mut().unwrap();
                c.tamper_event(n - 1, &bytes).unwrap();
                c.tamper_commit(hyoka::store::Committed {
                    events: n,
                    tree_hashes: hyoka::tlog::merkle::stored_hash_count(n),
                    head_hash: head,
                })
                .unwrap();
                drop(l);
                let body = format!("hyoka-head v1\nevents {n}\nhash {}\n", event::hex(&head));
                let check = blake3::hash(body.as_bytes()).to_hex();
                std::fs::write(env.ledger().join("HEAD"), format!("{body}check {check}\n"))
                    .unwrap();
            }
            let run = env.run(&["verify", "--format", "json"]);
            match kind {
                None => assert_eq!(run.code, 0, "v{version} {what}: {run:?}"),
                Some(kind) => {
                    assert_eq!(run.code, 3, "v{version} {what}: {run:?}");
                    let j: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
                    assert_eq!(j["error"]["kind"], kind, "v{version} {what}: {run:?}");
                    assert_eq!(j["error"]["seq"], 5, "v{version} {what}: {run:?}");
                }
            }
        }
    }
}
