//! The validity rules of `schema/FORMAT.md` section 12, one by one: for each, an export that breaks
//! only that rule, re-chained as an attacker would (every event's hash recomputed and recorded by the
//! next), fails `hyoka verify --export` with exit 3 and the documented kind, and `hyoka restore` with
//! the same error.

use hyoka::domain::event::StoredEvent;
use hyoka::domain::event::{self, Change, Event, Hash, Source, ZERO_HASH};
use hyoka::domain::period::{Part, Period};

use crate::common::Env;

/// A ledger of 6 events: 0 the plan (S, A, B), 1 the heading `地域協働の推進`, 2 and 3 items 1 and 2,
/// 4 item 1 rated A for FY2014-H1, 5 item 2 withdrawn; and its events, read back from its export.
fn base() -> (Env, Vec<Event>) {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "FY2014-H1", "A", "-a", "山田", "-m", "評価"])
        .ok();
    env.run(&["item", "withdraw", "2", "-a", "山田", "-m", "削除"])
        .ok();
    env.run(&["export", "--output", "base.jsonl"]).ok();
    let text = std::fs::read_to_string(env.dir.path().join("base.jsonl")).unwrap();
    let events: Vec<Event> = text
        .lines()
        .map(|l| {
            hyoka::evidence::export::parse_line(l.as_bytes(), 0)
                .unwrap()
                .event
                .event
        })
        .collect();
    assert_eq!(events.len(), 6);
    (env, events)
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

/// `events` with `change` appended, recorded one second after the last event, by the last's author.
fn with(events: &[Event], change: Change) -> Vec<Event> {
    let mut v = events.to_vec();
    let mut e = v.last().unwrap().clone();
    e.recorded_at += 1_000_000_000;
    e.change = change;
    v.push(e);
    v
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

fn fy(y: u16) -> Period {
    Period {
        fiscal_year: y,
        part: Part::FirstHalf,
    }
}

fn register(number: u32, relisting_of: Option<u32>) -> Change {
    Change::ItemRegistered {
        number,
        title: "新規".into(),
        department: "市民協働課".into(),
        category: "地域協働の推進".into(),
        relisting_of,
    }
}

fn amend(number: u32) -> Change {
    Change::ItemAmended {
        number,
        title: None,
        department: None,
        category: None,
        relisting_of: None,
    }
}

/// An amendment of item `number`'s title, heading or re-listing.
fn am(
    number: u32,
    title: Option<String>,
    category: Option<String>,
    relisting_of: Option<Option<u32>>,
) -> Change {
    Change::ItemAmended {
        number,
        title,
        department: None,
        category,
        relisting_of,
    }
}

fn rate(item: u32, period: Period, grade: &str) -> Change {
    Change::RatingRecorded {
        item,
        period,
        grade: grade.into(),
    }
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

/// Every rule of FORMAT.md section 12: (rule number, what, the export, the kind `verify` reports).
fn cases(ev: &[Event]) -> Vec<(&'static str, &'static str, String, &'static str)> {
    let none: BytesEdit = &|_, _| {};
    let last = ev.len();
    let with_first = |c: Change| {
        let mut v = ev.to_vec();
        v[0].change = c;
        v
    };
    let mut v: Vec<(&str, &str, String, &str)> = vec![
        // Export lines.
        (
            "E1",
            "a carriage return before the newline",
            edit_line(&sealed(ev), 2, &|l| format!("{l}\r")),
            "export_line_damaged",
        ),
        (
            "E1",
            "a carriage return as white space",
            edit_line(&sealed(ev), 2, &|l| l.replacen(",", ",\r", 1)),
            "export_line_damaged",
        ),
        (
            "E1",
            "no final newline",
            sealed(ev).trim_end().to_string(),
            "export_line_damaged",
        ),
        (
            "E2",
            "not JSON",
            edit_line(&sealed(ev), 2, &|l| l[..20].to_string()),
            "export_line_damaged",
        ),
        (
            "E2",
            "a JSON array",
            edit_line(&sealed(ev), 2, &|l| format!("[{l}]")),
            "export_line_damaged",
        ),
        (
            "E3",
            "a member given twice",
            edit_line(&sealed(ev), 2, &|l| l.replacen('{', "{\"seq\":2,", 1)),
            "export_line_damaged",
        ),
        (
            "E3",
            "a member of `event` given twice",
            edit_line(&sealed(ev), 2, &|l| {
                l.replacen("\"event\":{", "\"event\":{\"author\":\"山田\",", 1)
            }),
            "export_line_damaged",
        ),
        (
            "E4",
            "an unknown member",
            edit_line(&sealed(ev), 2, &|l| l.replacen('{', "{\"x\":1,", 1)),
            "export_line_damaged",
        ),
        (
            "E4",
            "a member missing",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("hash");
                v.to_string()
            }),
            "export_line_damaged",
        ),
        (
            "E4",
            "upper-case hex",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["prev"] = v["prev"].as_str().unwrap().to_uppercase().into();
                v.to_string()
            }),
            "export_line_damaged",
        ),
        (
            "E4",
            "bytes not base64",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["bytes"] = "!!".into();
                v.to_string()
            }),
            "export_line_damaged",
        ),
        (
            "E5",
            "`seq` not the event's",
            edit_line(&sealed(ev), 2, &|l| {
                l.replacen("{\"seq\":2", "{\"seq\":3", 1)
            }),
            "export_field_mismatch",
        ),
        (
            "E5",
            "`prev` not the event's",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["prev"] = "11".repeat(32).into();
                v.to_string()
            }),
            "export_field_mismatch",
        ),
        (
            "E6",
            "`hash` not the bytes' hash",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["hash"] = "22".repeat(32).into();
                v.to_string()
            }),
            "hash_mismatch",
        ),
        (
            "E7",
            "`event` not the event's",
            edit_line(&sealed(ev), 2, &|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["event"]["author"] = "佐藤".into();
                v.to_string()
            }),
            "export_field_mismatch",
        ),
        // Bytes.
        (
            "B1",
            "over 1 MiB",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    b.resize(event::MAX_EVENT_BYTES + 1, 0)
                }
            }),
            "undecodable",
        ),
        (
            "B2",
            "a trailing byte",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    b.push(0)
                }
            }),
            "undecodable",
        ),
        (
            "B2",
            "cut short",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    b.pop();
                }
            }),
            "undecodable",
        ),
        (
            "B3",
            "version 2",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    b[0] = 2
                }
            }),
            "undecodable",
        ),
        (
            "B4",
            "invalid UTF-8 in the author",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    b[58] = 0xff
                }
            }),
            "undecodable",
        ),
        (
            "B4",
            "an option tag of 2 (the signature)",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    *b.last_mut().unwrap() = 2
                }
            }),
            "undecodable",
        ),
        (
            "B4",
            "a bool of 2",
            seal(
                &with(
                    ev,
                    Change::FollowUpSet {
                        item: 1,
                        period: fy(2014),
                        flagged: true,
                    },
                ),
                &|_, _| {},
                &|i, b| {
                    if i == last {
                        let at = b.len() - 2;
                        b[at] = 2
                    }
                },
            ),
            "undecodable",
        ),
        (
            "B4",
            "an unknown change tag",
            seal(ev, &|_, _| {}, &|i, b| {
                if i == last - 1 {
                    // Item 2 withdrawn: tag 4, then the u32 number, then the signature's tag.
                    let at = b.len() - 9;
                    assert_eq!(b[at..at + 4], [4, 0, 0, 0]);
                    b[at] = 11
                }
            }),
            "undecodable",
        ),
        (
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
        ),
        // The chain.
        (
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
        ),
        (
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
        ),
        (
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
        ),
        (
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
        ),
        (
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
        ),
        (
            "C3",
            "an event edited, its hash recomputed, the next not re-chained",
            splice(
                &sealed(ev),
                &sealed(&with_meta(&ev[..4], &|e| e.reason = "改竄".into())),
                3,
            ),
            "hash_mismatch",
        ),
        (
            "C4",
            "time going backwards",
            {
                let mut v = ev.to_vec();
                v[last - 1].recorded_at = v[last - 2].recorded_at - 1;
                sealed(&v)
            },
            "time_went_backwards",
        ),
        // Who, why, where from.
        (
            "M1",
            "an empty author",
            sealed(&with_meta(ev, &|e| e.author = "".into())),
            "rule_broken",
        ),
        (
            "M1",
            "a blank author",
            sealed(&with_meta(ev, &|e| e.author = " ".into())),
            "rule_broken",
        ),
        (
            "M1",
            "a control character in the author",
            sealed(&with_meta(ev, &|e| e.author = "山\u{1b}田".into())),
            "rule_broken",
        ),
        (
            "M1",
            "a newline in the author",
            sealed(&with_meta(ev, &|e| e.author = "山\n田".into())),
            "rule_broken",
        ),
        (
            "M2",
            "an empty reason",
            sealed(&with_meta(ev, &|e| e.reason = "".into())),
            "rule_broken",
        ),
        (
            "M2",
            "a blank reason",
            sealed(&with_meta(ev, &|e| e.reason = "\n\t ".into())),
            "rule_broken",
        ),
        (
            "M2",
            "a control character in the reason",
            sealed(&with_meta(ev, &|e| e.reason = "理由\u{7}".into())),
            "rule_broken",
        ),
        (
            "M2",
            "a carriage return in the reason",
            sealed(&with_meta(ev, &|e| e.reason = "理由\r\n".into())),
            "rule_broken",
        ),
        (
            "M3",
            "a source file name with a directory",
            sealed(&with_meta(ev, &|e| e.source = source("dir/table.csv"))),
            "rule_broken",
        ),
        (
            "M3",
            "an empty source file name",
            sealed(&with_meta(ev, &|e| e.source = source(""))),
            "rule_broken",
        ),
        (
            "M3",
            "a source file name `..`",
            sealed(&with_meta(ev, &|e| e.source = source(".."))),
            "rule_broken",
        ),
        (
            "M3",
            "a source file name `.`",
            sealed(&with_meta(ev, &|e| e.source = source("."))),
            "rule_broken",
        ),
        (
            "M3",
            "a NUL in the source file name",
            sealed(&with_meta(ev, &|e| e.source = source("a\0b.csv"))),
            "rule_broken",
        ),
        // The plan.
        (
            "D1",
            "event 0 not a plan",
            sealed(&with_first(Change::CategoryAdded {
                name: "見出し".into(),
            })),
            "rule_broken",
        ),
        (
            "D1",
            "event 0 a clock.behind",
            sealed(&with_first(Change::ClockBehind { clock: 0 })),
            "rule_broken",
        ),
        (
            "D2",
            "a second plan",
            sealed(&with(ev, ev[0].change.clone())),
            "rule_broken",
        ),
        (
            "D3",
            "a blank plan name",
            sealed(&with_plan(ev, &|n, _, _| *n = " ".into())),
            "rule_broken",
        ),
        (
            "D3",
            "a control character in the plan name",
            sealed(&with_plan(ev, &|n, _, _| *n = "計画\u{0}".into())),
            "rule_broken",
        ),
        (
            "D4",
            "an empty origin",
            sealed(&with_plan(ev, &|_, _, o| *o = "".into())),
            "rule_broken",
        ),
        (
            "D4",
            "a space in the origin",
            sealed(&with_plan(ev, &|_, _, o| *o = "city.example/plan 2".into())),
            "rule_broken",
        ),
        (
            "D4",
            "a `+` in the origin",
            sealed(&with_plan(ev, &|_, _, o| *o = "city.example/plan+2".into())),
            "rule_broken",
        ),
        (
            "D4",
            "a control character in the origin",
            sealed(&with_plan(ev, &|_, _, o| *o = "city.example/\u{7f}".into())),
            "rule_broken",
        ),
        (
            "D5",
            "an empty grade scale",
            sealed(&with_plan(ev, &|_, g, _| g.clear())),
            "rule_broken",
        ),
        (
            "D6",
            "a blank grade",
            sealed(&with_plan(ev, &|_, g, _| g.push(" ".into()))),
            "rule_broken",
        ),
        (
            "D6",
            "a grade with white space",
            sealed(&with_plan(ev, &|_, g, _| g.push("C D".into()))),
            "rule_broken",
        ),
        (
            "D6",
            "a control character in a grade",
            sealed(&with_plan(ev, &|_, g, _| g.push("C\u{1}".into()))),
            "rule_broken",
        ),
        (
            "D7",
            "a grade twice",
            sealed(&with_plan(ev, &|_, g, _| g.push("S".into()))),
            "rule_broken",
        ),
        // Headings.
        (
            "D8",
            "a blank heading",
            sealed(&with(ev, Change::CategoryAdded { name: " ".into() })),
            "rule_broken",
        ),
        (
            "D8",
            "a control character in a heading",
            sealed(&with(
                ev,
                Change::CategoryAdded {
                    name: "見出し\u{9}".into(),
                },
            )),
            "rule_broken",
        ),
        (
            "D9",
            "a heading twice",
            sealed(&with(
                ev,
                Change::CategoryAdded {
                    name: "地域協働の推進".into(),
                },
            )),
            "rule_broken",
        ),
        // Items.
        (
            "D10",
            "item 0",
            sealed(&with(ev, register(0, None))),
            "rule_broken",
        ),
        (
            "D11",
            "an item registered twice",
            sealed(&with(ev, register(1, None))),
            "rule_broken",
        ),
        (
            "D11",
            "a withdrawn item registered again",
            sealed(&with(ev, register(2, None))),
            "rule_broken",
        ),
        (
            "D12",
            "a blank title",
            sealed(&with(
                ev,
                Change::ItemRegistered {
                    number: 3,
                    title: " ".into(),
                    department: "課".into(),
                    category: "地域協働の推進".into(),
                    relisting_of: None,
                },
            )),
            "rule_broken",
        ),
        (
            "D12",
            "a control character in a department",
            sealed(&with(
                ev,
                Change::ItemRegistered {
                    number: 3,
                    title: "題".into(),
                    department: "課\n".into(),
                    category: "地域協働の推進".into(),
                    relisting_of: None,
                },
            )),
            "rule_broken",
        ),
        (
            "D13",
            "an unknown heading",
            sealed(&with(
                ev,
                Change::ItemRegistered {
                    number: 3,
                    title: "題".into(),
                    department: "課".into(),
                    category: "ない".into(),
                    relisting_of: None,
                },
            )),
            "rule_broken",
        ),
        (
            "D14",
            "an item re-listing itself",
            sealed(&with(ev, register(3, Some(3)))),
            "rule_broken",
        ),
        (
            "D14",
            "a re-listing of no item",
            sealed(&with(ev, register(3, Some(9)))),
            "rule_broken",
        ),
        (
            "D14",
            "a re-listing of a re-listing",
            sealed(&with(&with(ev, register(3, Some(1))), register(4, Some(3)))),
            "rule_broken",
        ),
        (
            "D15",
            "an amendment of no item",
            sealed(&with(ev, am(9, Some("題".into()), None, None))),
            "rule_broken",
        ),
        (
            "D15",
            "an amendment of a withdrawn item",
            sealed(&with(ev, am(2, Some("題".into()), None, None))),
            "rule_broken",
        ),
        (
            "D16",
            "an amendment that changes nothing",
            sealed(&with(ev, amend(1))),
            "rule_broken",
        ),
        (
            "D16",
            "an amendment to the same title",
            sealed(&with(ev, am(1, Some("市民活動支援".into()), None, None))),
            "rule_broken",
        ),
        (
            "D12",
            "an amendment to a blank title",
            sealed(&with(ev, am(1, Some("".into()), None, None))),
            "rule_broken",
        ),
        (
            "D13",
            "an amendment to an unknown heading",
            sealed(&with(ev, am(1, None, Some("ない".into()), None))),
            "rule_broken",
        ),
        (
            "D14",
            "an amendment re-listing the item itself",
            sealed(&with(ev, am(1, None, None, Some(Some(1))))),
            "rule_broken",
        ),
        (
            "D15",
            "a withdrawal of no item",
            sealed(&with(ev, Change::ItemWithdrawn { number: 9 })),
            "rule_broken",
        ),
        (
            "D15",
            "a withdrawal of a withdrawn item",
            sealed(&with(ev, Change::ItemWithdrawn { number: 2 })),
            "rule_broken",
        ),
        (
            "D17",
            "a reinstatement of an item not withdrawn",
            sealed(&with(ev, Change::ItemReinstated { number: 1 })),
            "rule_broken",
        ),
        (
            "D17",
            "a reinstatement of no item",
            sealed(&with(ev, Change::ItemReinstated { number: 9 })),
            "rule_broken",
        ),
        // Ratings and cells.
        (
            "D15",
            "a rating of no item",
            sealed(&with(ev, rate(9, fy(2014), "A"))),
            "rule_broken",
        ),
        (
            "D15",
            "a rating of a withdrawn item",
            sealed(&with(ev, rate(2, fy(2014), "A"))),
            "rule_broken",
        ),
        (
            "D18",
            "a grade not in the scale",
            sealed(&with(ev, rate(1, fy(2015), "Ａ"))),
            "rule_broken",
        ),
        (
            "D19",
            "a rating that changes nothing",
            sealed(&with(ev, rate(1, fy(2014), "A"))),
            "rule_broken",
        ),
        (
            "D19",
            "a withdrawal of no rating",
            sealed(&with(
                ev,
                Change::RatingWithdrawn {
                    item: 1,
                    period: fy(2015),
                },
            )),
            "rule_broken",
        ),
        (
            "D19",
            "a follow-up flag that changes nothing",
            sealed(&with(
                ev,
                Change::FollowUpSet {
                    item: 1,
                    period: fy(2014),
                    flagged: false,
                },
            )),
            "rule_broken",
        ),
        (
            "D19",
            "a remark that changes nothing",
            sealed(&with(
                ev,
                Change::RemarkSet {
                    item: 1,
                    period: fy(2014),
                    text: "".into(),
                },
            )),
            "rule_broken",
        ),
        (
            "D15",
            "a remark on a withdrawn item",
            sealed(&with(
                ev,
                Change::RemarkSet {
                    item: 2,
                    period: fy(2014),
                    text: "注".into(),
                },
            )),
            "rule_broken",
        ),
        (
            "D20",
            "a control character in a remark",
            sealed(&with(
                ev,
                Change::RemarkSet {
                    item: 1,
                    period: fy(2014),
                    text: "注\u{1b}".into(),
                },
            )),
            "rule_broken",
        ),
        (
            "D21",
            "fiscal year 1988",
            sealed(&with(ev, rate(1, fy(1988), "A"))),
            "rule_broken",
        ),
        (
            "D21",
            "fiscal year 2200",
            sealed(&with(ev, rate(1, fy(2200), "A"))),
            "rule_broken",
        ),
        (
            "D21",
            "fiscal year 0 in a follow-up",
            sealed(&with(
                ev,
                Change::FollowUpSet {
                    item: 1,
                    period: fy(0),
                    flagged: true,
                },
            )),
            "rule_broken",
        ),
    ];
    v.retain(|c| !c.2.is_empty());
    v
}

/// The numbers of the rules of FORMAT.md section 12, in order.
fn documented_rules() -> Vec<String> {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/FORMAT.md"),
    )
    .unwrap();
    let section = doc
        .split("\n## 12. ")
        .nth(1)
        .expect("FORMAT.md section 12")
        .split("\n## ")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| **")?.split("**").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_rule_broken_alone_fails_verify_and_restore_with_its_kind() {
    let (env, ev) = base();
    let cases = cases(&ev);
    // Every documented rule has a case, and every case a documented rule.
    let documented = documented_rules();
    let covered: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.0).collect();
    for r in &documented {
        assert!(
            covered.contains(r.as_str()),
            "rule {r} of FORMAT.md has no case"
        );
    }
    for r in &covered {
        assert!(
            documented.iter().any(|d| d == r),
            "case of rule {r} not in FORMAT.md"
        );
    }
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/FORMAT.md"),
    )
    .unwrap();
    let file = env.dir.path().join("t.jsonl");
    let f = file.to_str().unwrap();
    let mut failures = Vec::new();
    for (i, (rule, what, text, kind)) in cases.iter().enumerate() {
        // The kind is the one FORMAT.md gives the rule.
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| **{rule}** |")))
            .unwrap();
        assert!(
            row.contains(&format!("`{kind}`")),
            "{rule} {what}: FORMAT.md says {row}"
        );
        std::fs::write(&file, text).unwrap();
        let run = env.run(&["verify", "--export", f, "--format", "json"]);
        let j: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap_or_default();
        if run.code != 3 || j["error"]["kind"] != *kind {
            failures.push(format!(
                "{rule} {what}: want {kind}, got {} {}{}",
                run.code, run.stdout, run.stderr
            ));
            continue;
        }
        let dir = env.dir.path().join(format!("restored-{i}"));
        let run = env.run(&["restore", f, "--ledger", dir.to_str().unwrap()]);
        let message = j["error"]["message"].as_str().unwrap();
        if run.code != 3 || !run.stderr.contains(message) || dir.exists() {
            failures.push(format!(
                "{rule} {what}: restore: {} {}",
                run.code, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The tampering above is the only thing wrong in each case: the same exports without it verify.
#[test]
fn the_re_chained_exports_are_valid_without_the_broken_rule() {
    let (env, ev) = base();
    let file = env.dir.path().join("t.jsonl");
    let f = file.to_str().unwrap();
    let valid = [
        ("as exported", sealed(&ev)),
        (
            "a reason of two lines with a tab",
            sealed(&with_meta(&ev, &|e| e.reason = "理由\n\t詳細".into())),
        ),
        (
            "a source file name",
            sealed(&with_meta(&ev, &|e| e.source = source("table 2015.csv"))),
        ),
        (
            "a new heading",
            sealed(&with(
                &ev,
                Change::CategoryAdded {
                    name: "見出し".into(),
                },
            )),
        ),
        ("item 3", sealed(&with(&ev, register(3, Some(1))))),
        (
            "fiscal years 1989 and 2199",
            sealed(&with(
                &with(&ev, rate(1, fy(1989), "S")),
                rate(1, fy(2199), "B"),
            )),
        ),
        (
            "an amendment",
            sealed(&with(&ev, am(1, Some("題".into()), None, None))),
        ),
        (
            "a reinstatement",
            sealed(&with(&ev, Change::ItemReinstated { number: 2 })),
        ),
        (
            "a follow-up and a remark",
            sealed(&with(
                &with(
                    &ev,
                    Change::FollowUpSet {
                        item: 1,
                        period: fy(2014),
                        flagged: true,
                    },
                ),
                Change::RemarkSet {
                    item: 1,
                    period: fy(2014),
                    text: "注\n記".into(),
                },
            )),
        ),
        (
            "a clock.behind",
            sealed(&with(&ev, Change::ClockBehind { clock: 0 })),
        ),
    ];
    for (what, text) in valid {
        std::fs::write(&file, &text).unwrap();
        let run = env.run(&["verify", "--export", f]);
        assert_eq!(run.code, 0, "{what}: {run:?}");
    }
}

/// A ledger holding an event that breaks a meta rule (written into its store as an attacker with file
/// access could, its commit record and head record consistent) fails `hyoka verify` with `rule_broken`;
/// the same ledger untouched verifies.
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
            |e| e.change = rate(1, fy(2200), "S"),
            Some("rule_broken"),
        ),
    ] {
        let (env, ev) = base();
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
            std::fs::write(env.ledger().join("HEAD"), format!("{body}check {check}\n")).unwrap();
        }
        let run = env.run(&["verify", "--format", "json"]);
        match kind {
            None => assert_eq!(run.code, 0, "{what}: {run:?}"),
            Some(kind) => {
                assert_eq!(run.code, 3, "{what}: {run:?}");
                let j: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
                assert_eq!(j["error"]["kind"], kind, "{what}: {run:?}");
            }
        }
    }
}
