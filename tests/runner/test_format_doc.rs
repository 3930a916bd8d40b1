//! The worked examples in schema/FORMAT.md match the code, byte for byte.

use hyoka::domain::event::{self, Change, Event};
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Person, Role, Stage, Verdict, name_commitment};
use hyoka::domain::period::{Cadence, Era, Part, Period};
use hyoka::domain::state::State;
use hyoka::ledger::signing;
use hyoka::tlog::merkle;
use hyoka::tlog::note::SignerKey;

const DOC: &str = include_str!("../../schema/FORMAT.md");

/// The lines after `<!-- example: NAME -->` up to the next blank line following content.
fn section(name: &str) -> Vec<&'static str> {
    let marker = format!("<!-- example: {name} -->");
    let start = DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("FORMAT.md lacks {marker}"));
    DOC[start + marker.len()..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect()
}

/// FORMAT.md says `text`, white space (line breaks) aside.
fn assert_says(text: &str) {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squash(DOC).contains(&squash(text)),
        "FORMAT.md does not say {text:?}"
    );
}

/// The leading hex tokens of each line of a ```hex block, concatenated.
fn hex_block(name: &str) -> Vec<u8> {
    let mut hex = String::new();
    for line in section(name) {
        if line.starts_with("```") {
            continue;
        }
        for tok in line.split_whitespace() {
            if !tok.chars().all(|c| c.is_ascii_hexdigit()) {
                break;
            }
            hex.push_str(tok);
        }
    }
    hex::decode(hex).expect("hex")
}

/// The value after `= ` on the line of `label` in a section.
fn value(name: &str, label: &str) -> String {
    section(name)
        .iter()
        .find(|l| l.contains(label))
        .and_then(|l| l.split("= ").nth(1))
        .map(|v| v.trim().trim_end_matches('`').to_string())
        .unwrap_or_else(|| panic!("no `{label}` in section {name}"))
}

fn event_a() -> Event {
    Event {
        version: 1,
        seq: 0,
        prev_hash: [0; 32],
        recorded_at: 1_420_070_400_000_000_000,
        author: "山田".into(),
        reason: "上半期評価".into(),
        source: None,
        change: Change::RatingRecorded {
            item: ItemId::from_number(5),
            period: Period {
                fiscal_year: 2014,
                part: Part::FirstHalf,
            },
            grade: "A".into(),
        },
        signature: None,
    }
}

#[test]
fn the_documented_example_matches_the_code() {
    let a = event_a();
    let bytes_a = event::encode(&a).unwrap();
    assert_eq!(
        hex_block("event A"),
        bytes_a,
        "the event bytes in FORMAT.md"
    );
    let hash_a = event::event_hash(&a.prev_hash, &bytes_a);
    assert_eq!(value("hash A", "event_hash(A)"), event::hex(&hash_a));

    let b = Event {
        seq: 1,
        prev_hash: hash_a,
        ..a
    };
    let bytes_b = event::encode(&b).unwrap();
    assert_eq!(&bytes_b[..2], &bytes_a[..2]);
    assert_eq!(
        &bytes_b[42..],
        &bytes_a[42..],
        "B differs from A only in seq and prev_hash"
    );
    let hash_b = event::event_hash(&hash_a, &bytes_b);
    assert_eq!(value("hash B", "event_hash(B)"), event::hex(&hash_b));

    let (la, lb) = (merkle::leaf_hash(&hash_a), merkle::leaf_hash(&hash_b));
    assert_eq!(value("leaves and root", "leaf_hash(0)"), hex::encode(la));
    assert_eq!(value("leaves and root", "leaf_hash(1)"), hex::encode(lb));
    assert_eq!(
        value("leaves and root", "root(2)"),
        hex::encode(merkle::node_hash(&la, &lb))
    );
}

#[test]
fn the_documented_context_string_is_the_code_s() {
    assert_says("`hyoka/event/v1` followed by one NUL byte (15 bytes in all)");
    assert_eq!(event::HASH_CONTEXT, b"hyoka/event/v1\0");
    assert_eq!(event::HASH_CONTEXT.len(), 15);
}

/// The fenced block after `<!-- example: NAME -->`, blank lines included.
fn fenced(name: &str) -> String {
    let marker = format!("<!-- example: {name} -->");
    let start = DOC
        .find(&marker)
        .unwrap_or_else(|| panic!("FORMAT.md lacks {marker}"));
    let rest = &DOC[start + marker.len()..];
    let body = rest
        .split_once("```\n")
        .and_then(|(_, b)| b.split_once("```"))
        .map(|(b, _)| b)
        .unwrap_or_else(|| panic!("no fenced block after {marker}"));
    body.to_string()
}

#[test]
fn the_documented_checkpoint_matches_the_code() {
    let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
    let key = hyoka::tlog::note::SignerKey::from_seed("example.org/plan", &seed).unwrap();
    let root = merkle::node_hash(
        &merkle::leaf_hash(&hex::decode(value("hash A", "event_hash(A)")).unwrap()),
        &merkle::leaf_hash(&hex::decode(value("hash B", "event_hash(B)")).unwrap()),
    );
    let cp = hyoka::tlog::checkpoint::Checkpoint {
        origin: "example.org/plan".into(),
        size: 2,
        root,
        extensions: Vec::new(),
    };
    let want = format!("{}\n\n{}", key.verifier().to_text(), cp.sign(&key).unwrap());
    assert_eq!(fenced("checkpoint"), want, "FORMAT.md section 8 example");
}

/// The two-event log of section 7 signed as in section 8: (event bytes, event hashes, signed checkpoint).
fn signed_example() -> ([Vec<u8>; 2], [[u8; 32]; 2], String) {
    let a = event_a();
    let bytes_a = event::encode(&a).unwrap();
    let hash_a = event::event_hash(&a.prev_hash, &bytes_a);
    let bytes_b = event::encode(&Event {
        seq: 1,
        prev_hash: hash_a,
        ..a
    })
    .unwrap();
    let hash_b = event::event_hash(&hash_a, &bytes_b);
    let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
    let key = hyoka::tlog::note::SignerKey::from_seed("example.org/plan", &seed).unwrap();
    let root = merkle::node_hash(&merkle::leaf_hash(&hash_a), &merkle::leaf_hash(&hash_b));
    let cp = hyoka::tlog::checkpoint::Checkpoint {
        origin: "example.org/plan".into(),
        size: 2,
        root,
        extensions: Vec::new(),
    };
    ([bytes_a, bytes_b], [hash_a, hash_b], cp.sign(&key).unwrap())
}

#[test]
fn the_documented_proofs_match_the_code() {
    use hyoka::tlog::proof_text::{ConsistencyBody, TlogProof};
    let ([_, bytes_b], [hash_a, hash_b], signed) = signed_example();
    let inclusion = TlogProof {
        extra: Some(hyoka::evidence::proof::extra(&hash_a, &bytes_b)),
        index: 1,
        proof: vec![merkle::leaf_hash(&hash_a)],
        checkpoint_text: signed.clone(),
    }
    .to_text();
    assert_eq!(
        fenced("tlog-proof"),
        inclusion,
        "FORMAT.md section 9.1 example"
    );
    let vkey = hyoka::tlog::note::VerifierKey::parse(fenced("checkpoint").lines().next().unwrap())
        .unwrap();
    let inc = hyoka::evidence::proof::check_inclusion(inclusion.as_bytes(), Some(&vkey)).unwrap();
    assert_eq!(inc.event.hash, hash_b);

    let old = fenced("old checkpoint");
    let body = ConsistencyBody {
        old_size: 1,
        proof: vec![merkle::leaf_hash(&hash_b)],
        checkpoint_text: signed,
    }
    .to_text();
    assert_eq!(fenced("consistency"), body, "FORMAT.md section 9.2 example");
    let c = hyoka::evidence::proof::check_consistency(body.as_bytes(), old.as_bytes(), Some(&vkey))
        .unwrap();
    assert_eq!((c.old.size, c.new.size), (1, 2));
}

#[test]
fn the_documented_export_line_matches_the_code() {
    let ([bytes_a, _], [hash_a, _], _) = signed_example();
    let stored = hyoka::domain::event::StoredEvent {
        event: event::decode(&bytes_a).unwrap(),
        hash: hash_a,
    };
    let line = hyoka::evidence::export::line(&stored, &bytes_a);
    let documented = fenced("export line");
    let want: serde_json::Value = serde_json::from_str(&line).unwrap();
    let got: serde_json::Value = serde_json::from_str(&documented).unwrap();
    assert_eq!(got, want, "FORMAT.md section 10 example:\n{line}");
    assert!(documented.starts_with(&line[..line.find(",\"event\"").unwrap()]));
    hyoka::evidence::export::parse_line(documented.trim_end().as_bytes(), 1).unwrap();
}

#[test]
fn the_documented_clock_behind_event_matches_the_code() {
    let a = event_a();
    let hash_a = event::event_hash(&a.prev_hash, &event::encode(&a).unwrap());
    let b = Event {
        seq: 1,
        prev_hash: hash_a,
        ..a.clone()
    };
    let hash_b = event::event_hash(&hash_a, &event::encode(&b).unwrap());
    let c = Event {
        seq: 2,
        prev_hash: hash_b,
        change: Change::ClockBehind {
            clock: 1_420_066_800_000_000_000,
        },
        ..a
    };
    let bytes_c = event::encode(&c).unwrap();
    assert_eq!(hex_block("event C"), bytes_c, "event C in FORMAT.md");
    assert_eq!(
        value("hash C", "event_hash(C)"),
        event::hex(&event::event_hash(&hash_b, &bytes_c))
    );
    assert_eq!(event::decode(&bytes_c).unwrap(), c);
}

/// The variant name of a change: a new variant does not compile until it is named here, and the test
/// below then wants it in section 3's table of version 2.
fn variant_name(c: &Change) -> &'static str {
    match c {
        Change::PlanDefined { .. } => "PlanDefined",
        Change::CategoryAdded { .. } => "CategoryAdded",
        Change::ItemRegistered { .. } => "ItemRegistered",
        Change::ItemAmended { .. } => "ItemAmended",
        Change::ItemWithdrawn { .. } => "ItemWithdrawn",
        Change::ItemReinstated { .. } => "ItemReinstated",
        Change::RatingRecorded { .. } => "RatingRecorded",
        Change::RatingWithdrawn { .. } => "RatingWithdrawn",
        Change::FollowUpSet { .. } => "FollowUpSet",
        Change::RemarkSet { .. } => "RemarkSet",
        Change::ClockBehind { .. } => "ClockBehind",
        Change::ItemExcluded { .. } => "ItemExcluded",
        Change::ExclusionWithdrawn { .. } => "ExclusionWithdrawn",
        Change::ItemMerged { .. } => "ItemMerged",
        Change::MergeWithdrawn { .. } => "MergeWithdrawn",
        Change::HeadingRenamed { .. } => "HeadingRenamed",
        Change::PeopleEnabled { .. } => "PeopleEnabled",
        Change::PersonRegistered { .. } => "PersonRegistered",
        Change::RoleGranted { .. } => "RoleGranted",
        Change::RoleRevoked { .. } => "RoleRevoked",
        Change::KeyRotated { .. } => "KeyRotated",
        Change::KeyRevoked { .. } => "KeyRevoked",
        Change::RoundOpened { .. } => "RoundOpened",
        Change::Submitted { .. } => "Submitted",
        Change::Reviewed { .. } => "Reviewed",
        Change::OpinionRecorded { .. } => "OpinionRecorded",
        Change::RoundClosed { .. } => "RoundClosed",
        Change::RoundPublished { .. } => "RoundPublished",
    }
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

/// One change of every kind, in tag order; the first eleven are what version 1 can hold too.
fn every_kind() -> Vec<Change> {
    let period = Period {
        fiscal_year: 2014,
        part: Part::FirstHalf,
    };
    let mut v = kinds_of_version_1_and_2();
    v.extend([
        Change::PeopleEnabled {
            log_vkey: log_key().verifier().to_text(),
            admin: admin(),
        },
        Change::PersonRegistered { person: admin() },
        Change::RoleGranted {
            person: "admin".into(),
            role: Role::Hq,
        },
        Change::RoleRevoked {
            person: "admin".into(),
            role: Role::Committee,
        },
        Change::KeyRotated {
            person: "admin".into(),
            vkey: log_key().verifier().to_text(),
        },
        Change::KeyRevoked {
            person: "admin".into(),
        },
        Change::RoundOpened {
            period,
            due: "2014-10-31".into(),
        },
        Change::Submitted {
            period,
            department: "d".into(),
        },
        Change::Reviewed {
            period,
            item: id("R1-1"),
            stage: Stage::Second,
            verdict: Verdict::Return,
        },
        Change::OpinionRecorded {
            period,
            item: None,
            text: "意見".into(),
        },
        Change::RoundClosed { period },
        Change::RoundPublished {
            period,
            table_sha256: [0xab; 32],
        },
    ]);
    v
}

/// The changes of tags 0 to 15.
fn kinds_of_version_1_and_2() -> Vec<Change> {
    let period = Period {
        fiscal_year: 2014,
        part: Part::FirstHalf,
    };
    vec![
        Change::PlanDefined {
            name: "p".into(),
            grades: vec!["A".into()],
            default_era: None,
            origin: "o".into(),
            cadence: Cadence::HalfYear,
            years: None,
        },
        Change::CategoryAdded { name: "c".into() },
        Change::ItemRegistered {
            id: id("1"),
            title: "t".into(),
            department: "d".into(),
            category: "c".into(),
            relisting_of: None,
            from: None,
            after: None,
        },
        Change::ItemAmended {
            id: id("1"),
            title: None,
            department: None,
            category: None,
            relisting_of: None,
            from: None,
            after: None,
        },
        Change::ItemWithdrawn { id: id("1") },
        Change::ItemReinstated { id: id("1") },
        Change::RatingRecorded {
            item: id("1"),
            period,
            grade: "A".into(),
        },
        Change::RatingWithdrawn {
            item: id("1"),
            period,
        },
        Change::FollowUpSet {
            item: id("1"),
            period,
            flagged: true,
        },
        Change::RemarkSet {
            item: id("1"),
            period,
            text: "r".into(),
        },
        Change::ClockBehind { clock: 0 },
        Change::ItemExcluded {
            item: id("1"),
            period,
        },
        Change::ExclusionWithdrawn {
            item: id("1"),
            period,
        },
        Change::ItemMerged {
            item: id("1"),
            into: id("2"),
            from: period,
        },
        Change::MergeWithdrawn { item: id("1") },
        Change::HeadingRenamed {
            from: "a".into(),
            to: "b".into(),
        },
    ]
}

/// Rows `| tag | `Name` | fields |` of the table after `<!-- example: NAME -->`.
fn tag_rows(name: &str) -> Vec<(u32, String)> {
    section(name)
        .iter()
        .filter_map(|l| {
            let mut cells = l.split('|').map(str::trim).skip(1);
            let tag = cells.next()?.parse().ok()?;
            Some((tag, cells.next()?.trim_matches('`').to_string()))
        })
        .collect()
}

#[test]
fn the_documented_change_tags_are_the_code_s() {
    // Both tables are in section 3, before its subsections.
    let section_3 = &DOC[DOC.find("## 3. Changes").unwrap()..DOC.find("### 3.1").unwrap()];
    for name in ["changes v2", "changes v1"] {
        assert!(section_3.contains(&format!("<!-- example: {name} -->")));
    }
    for (version, table, kinds) in [(2u16, "changes v2", 28), (1, "changes v1", 11)] {
        let mut want = Vec::new();
        for change in every_kind().into_iter().take(kinds) {
            let e = Event {
                version,
                change,
                ..event_a()
            };
            let bytes = event::encode(&e).unwrap();
            // The tag follows the fixed fields, the two strings and the source's none byte.
            let at = 50 + 8 + e.author.len() + 8 + e.reason.len() + 1;
            let tag = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
            want.push((tag, variant_name(&e.change).to_string()));
        }
        assert_eq!(
            tag_rows(table),
            want,
            "section 3's table of version {version}"
        );
    }
    // What version 1 cannot hold is refused in a version 1 event.
    for change in every_kind().into_iter().skip(11) {
        assert!(event::check_version(1, &change).is_err(), "{change:?}");
    }
}

/// Events V and R of section 7.1: version 2, with the envelope of the unit tests' golden events.
fn event_v2(change: Change) -> Event {
    Event {
        version: 2,
        seq: 1,
        prev_hash: [0x11; 32],
        change,
        ..event_a()
    }
}

fn fy2019_ye() -> Period {
    Period::new(2019, Part::YearEnd).unwrap()
}

fn event_v() -> Event {
    event_v2(Change::ItemRegistered {
        id: id("R1-1"),
        title: "高槻市との連携".into(),
        department: "学研企画課".into(),
        category: "1. 協働の市政の推進".into(),
        relisting_of: None,
        from: Some(fy2019_ye()),
        after: Some(id("9")),
    })
}

fn event_r() -> Event {
    event_v2(Change::RatingRecorded {
        item: id("R1-1"),
        period: fy2019_ye(),
        grade: "A".into(),
    })
}

#[test]
fn the_documented_version_2_examples_match_the_code() {
    for (e, name, label, len) in [
        (event_v(), "V", "event_hash(V)", 210),
        (event_r(), "R", "event_hash(R)", 120),
    ] {
        let bytes = event::encode(&e).unwrap();
        assert_eq!(
            hex_block(&format!("event {name}")),
            bytes,
            "event {name} in FORMAT.md section 7.1"
        );
        assert_eq!(bytes.len(), len);
        assert_eq!(
            value(&format!("hash {name}"), label),
            event::hex(&event::event_hash(&e.prev_hash, &bytes))
        );
        assert_eq!(event::decode(&bytes).unwrap(), e);
    }
    assert_says("V is 210 bytes and R 120");
    // The changes in JSON, as `log --format jsonl` and the export write them.
    let documented: Vec<serde_json::Value> = fenced("changes V and R")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<serde_json::Value> = [event_v(), event_r()]
        .iter()
        .map(|e| hyoka::domain::describe::change_json(&e.change))
        .collect();
    assert_eq!(documented, want, "FORMAT.md section 7.1's JSON");
    // Event A's change in version 2 holds the id "5" where version 1 holds the u32 5.
    let a2 = event::encode(&Event {
        version: 2,
        ..event_a()
    })
    .unwrap();
    assert!(hex::encode(a2).contains("06000000010000000000000035de0700000000"));
    assert_says(
        "would hold the id `\"5\"` (`0100000000000000 35`) where version 1 holds `05000000`",
    );
}

/// The hex of an event of `version` whose change is `change`, from its change's tag on.
fn change_hex(version: u16, change: Change) -> String {
    let e = Event {
        version,
        change,
        ..event_a()
    };
    let hex = hex::encode(event::encode(&e).unwrap());
    let at = 2 * (50 + 8 + e.author.len() + 8 + e.reason.len() + 1);
    hex[at..].to_string()
}

#[test]
fn the_documented_encodings_of_section_3_are_the_code_s() {
    // ItemAmended's nested options, in both versions.
    let amend = |relisting_of: Option<Option<ItemId>>| Change::ItemAmended {
        id: id("39"),
        title: None,
        department: None,
        category: None,
        relisting_of,
        from: None,
        after: None,
    };
    assert_says("`01 01 0200000000000000 3237` in version 2 and `01 01 1b000000` in version 1");
    assert!(
        change_hex(2, amend(Some(Some(id("27"))))).contains("00000001010200000000000000323700")
    );
    assert!(change_hex(1, amend(Some(Some(id("27"))))).contains("00000001011b00000000"));
    assert!(change_hex(2, amend(Some(None))).ends_with("0000000100000000"));
    // A whole plan's period and FY2019-YE; a plan's years.
    assert_says("so FY2006-2010 is `da07 04000000 d607`, FY2019-YE `e307 01000000`");
    let whole = Period::new(2010, Part::WholePlan { first_year: 2006 }).unwrap();
    assert_eq!(whole.id(), "FY2006-2010");
    let excluded = |period| Change::ItemExcluded {
        item: id("1"),
        period,
    };
    assert!(change_hex(2, excluded(whole)).contains("da0704000000d607"));
    assert!(change_hex(2, excluded(fy2019_ye())).contains("e30701000000"));
    assert_says("`01 e207 e607`: 2018 to 2022");
    let plan = Change::PlanDefined {
        name: "p".into(),
        grades: vec!["A".into()],
        default_era: Some(Era::Reiwa),
        origin: "o".into(),
        cadence: Cadence::YearEnd,
        years: Some((2018, 2022)),
    };
    assert!(change_hex(2, plan).ends_with("010100000001000000000000006f0100000001e207e60700"));
    // The part, cadence and period ids and labels of section 3's tables.
    for (part, tag, id) in [
        (Part::FirstHalf, 0, "FY2019-H1"),
        (Part::YearEnd, 1, "FY2019-YE"),
        (Part::FirstQuarter, 2, "FY2019-Q1"),
        (Part::ThirdQuarter, 3, "FY2019-Q3"),
    ] {
        let p = Period::new(2019, part).unwrap();
        assert_eq!(p.id(), id);
        let row = format!("| {tag} | `{part:?}`");
        let line = DOC.lines().find(|l| l.starts_with(&row)).unwrap();
        assert!(
            line.contains(&format!("`{id}` | {} |", p.label())),
            "{line}"
        );
    }
    let line = DOC
        .lines()
        .find(|l| l.starts_with("| 4 | `WholePlan {"))
        .unwrap();
    assert!(line.contains(&format!("| {} |", whole.label())), "{line}");
    for (tag, cadence) in Cadence::ALL.iter().enumerate() {
        let row = format!("| {tag} | `{cadence:?}` | `{}` |", cadence.id());
        assert!(DOC.contains(&row), "{row}");
    }
}

#[test]
fn the_documented_item_ids_are_the_code_s() {
    // Natural order.
    let start = DOC.find("So `1` < ").unwrap() + 3;
    let end = start + DOC[start..].find(", and only equal ids").unwrap();
    let documented: Vec<&str> = DOC[start..end]
        .split('<')
        .map(|s| s.trim().trim_matches('`'))
        .collect();
    assert!(documented.len() > 10, "{documented:?}");
    let mut ids: Vec<ItemId> = documented.iter().rev().map(|s| id(s)).collect();
    ids.sort();
    let sorted: Vec<&str> = ids.iter().map(ItemId::as_str).collect();
    assert_eq!(sorted, documented);
    // Index keys.
    assert_says("So `27` is key 27 and `R1-1` is key `0xc126cca4`.");
    assert_eq!(id("27").index_key(), 27);
    assert_eq!(id("R1-1").index_key(), 0xc126_cca4);
    let h = blake3::hash(b"R1-1");
    let b = h.as_bytes();
    assert_eq!(
        id("R1-1").index_key(),
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]) | 0x8000_0000
    );
    // Stored forms.
    for (typed, stored) in [("１２", "12"), ("Ｒ１－１", "R1-1"), ("007", "7")] {
        assert_eq!(id(typed).as_str(), stored);
    }
    assert_eq!(id("4294967295").number(), Some(u32::MAX));
    assert_eq!(id("4294967296").number(), None);
}

/// The administrator's key of section 13.1: `SignerKey::from_seed("admin", &[1; 32])`.
fn admin_key() -> SignerKey {
    SignerKey::from_seed("admin", &[1; 32]).unwrap()
}

/// The log key of section 13.1, named after the ledger's origin.
fn log_key() -> SignerKey {
    SignerKey::from_seed("city.example/plan", &[2; 32]).unwrap()
}

/// The first administrator of section 13.1.
fn admin() -> Person {
    Person {
        id: "admin".into(),
        name_commitment: name_commitment(&[7; 16], "山田太郎"),
        department: "行政経営課".into(),
        roles: vec![Role::Admin],
        vkey: admin_key().verifier().to_text(),
    }
}

/// Event P of section 13.1, unsigned.
fn event_p() -> Event {
    Event {
        author: "admin".into(),
        reason: "職員の登録".into(),
        ..event_v2(Change::PeopleEnabled {
            log_vkey: log_key().verifier().to_text(),
            admin: admin(),
        })
    }
}

#[test]
fn the_documented_signed_event_matches_the_code() {
    // The keys.
    assert_eq!(
        fenced("people keys"),
        format!(
            "{}\n{}\n",
            log_key().verifier().to_text(),
            admin_key().verifier().to_text()
        )
    );
    // The bytes, signed as hyoka signs, and the hash over them (signature included).
    let mut e = event_p();
    let unsigned = event::encode(&e).unwrap();
    let signed = signing::sign(&mut e, &admin_key()).unwrap();
    assert_eq!(
        hex_block("event P"),
        signed,
        "event P in FORMAT.md section 13.1"
    );
    assert_eq!(
        value("hash P", "event_hash(P)"),
        event::hex(&event::event_hash(&e.prev_hash, &signed))
    );
    assert_eq!(event::decode(&signed).unwrap(), e);
    // The slot: `01`, the length 68, the key id (big-endian) and the signature, at the end.
    let slot = &signed[signed.len() - 77..];
    assert_eq!(&slot[..9], &[1, 68, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&slot[9..13], &admin_key().key_id().to_be_bytes());
    // The unsigned bytes are the stored ones with the slot replaced by `00`.
    let mut cut = signed[..signed.len() - 77].to_vec();
    cut.push(0);
    assert_eq!(cut, unsigned);
    assert_says(&format!("which is `00` ({} bytes in all)", unsigned.len()));
    assert_eq!(signed.len(), unsigned.len() + 76);
    // The message, as documented: the context string and the unsigned bytes.
    assert_says("`hyoka/event-signature/v1` followed by one NUL byte (25 bytes in all)");
    assert_eq!(signing::SIGNATURE_CONTEXT, b"hyoka/event-signature/v1\0");
    assert_says(&format!("`{}`", hex::encode(signing::SIGNATURE_CONTEXT)));
    let mut msg = signing::SIGNATURE_CONTEXT.to_vec();
    msg.extend_from_slice(&unsigned);
    assert!(admin_key().verifier().verify(&msg, &slot[13..]));
    // The chain's check accepts it before people, and refuses it recorded by another or re-signed.
    let before = State::default();
    assert_eq!(signing::check(&before, &signed, &e), Ok(()));
    let mut other = event_p();
    let forged = signing::sign(
        &mut other,
        &SignerKey::from_seed("admin", &[9; 32]).unwrap(),
    )
    .unwrap();
    assert!(signing::check(&before, &forged, &other).is_err());
    // Its change in JSON.
    let documented: serde_json::Value = serde_json::from_str(&fenced("change P")).unwrap();
    assert_eq!(documented, hyoka::domain::describe::change_json(&e.change));
    // The name commitment of the example, and its context string.
    assert_eq!(
        hyoka::domain::people::NAME_CONTEXT,
        b"hyoka/person-name/v1\0"
    );
    assert_says("`hyoka/person-name/v1` followed by one NUL byte (21 bytes)");
    let c = hex::encode(name_commitment(&[7; 16], "山田太郎"));
    assert_says(&format!("`山田太郎` give `{c}`"));
    assert_says(&format!("`name_commitment` = `{c}`"));
}

#[test]
fn the_documented_roles_are_the_code_s() {
    for (tag, role) in Role::ALL.iter().enumerate() {
        let row = format!(
            "| {tag} | `{role:?}` | `{}` | {} |",
            role.id(),
            role.label()
        );
        assert!(DOC.contains(&row), "{row}");
    }
    // Each role's tag, as encoded: the u32 after the person's id in `role.granted` (`auditor`, added last, is 5, so
    // that every ledger written before it decodes as it did).
    for (tag, role) in Role::ALL.iter().enumerate() {
        let hex = change_hex(
            2,
            Change::RoleGranted {
                person: "p".into(),
                role: *role,
            },
        );
        // Tag 18 (u32), the id `p` (u64 length 1, then its byte), then the role's u32 tag.
        assert!(
            hex.starts_with(&format!("12000000010000000000000070{tag:02x}000000")),
            "{role:?}: {hex}"
        );
    }
    assert_eq!(Role::Auditor as u32, 5);
    assert_eq!(Role::parse("監査"), Ok(Role::Auditor));
    assert_eq!(Role::parse("auditor"), Ok(Role::Auditor));
    // Stage and Verdict tags, as encoded.
    let tail = |stage, verdict| {
        change_hex(
            2,
            Change::Reviewed {
                period: fy2019_ye(),
                item: id("1"),
                stage,
                verdict,
            },
        )
    };
    assert!(tail(Stage::First, Verdict::Approve).ends_with("000000000000000000"));
    assert!(tail(Stage::Second, Verdict::Return).ends_with("010000000100000000"));
    assert_says("`Stage`: tag 0 `First` (1次評価");
    assert_says(
        "`Verdict`: tag 0 `Approve` (承認; JSON `approve`), tag 1 `Return` (差し戻し; JSON `return`)",
    );
}

/// The state of section 15's example: items 1 (rated A, flagged, a remark of two lines), 2 (withdrawn)
/// and R1-1 (excluded) at FY2020-YE.
fn published_example() -> State {
    let ye = Period::new(2020, Part::YearEnd).unwrap();
    let mut s = State::default();
    let item = |n: &str, title: &str| Change::ItemRegistered {
        id: id(n),
        title: title.into(),
        department: "市民協働課".into(),
        category: "地域協働の推進".into(),
        relisting_of: None,
        from: None,
        after: None,
    };
    for c in [
        Change::PlanDefined {
            name: "第2次行財政改革".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: Some(Era::Reiwa),
            origin: "city.example/plan".into(),
            cadence: Cadence::HalfYear,
            years: None,
        },
        Change::CategoryAdded {
            name: "地域協働の推進".into(),
        },
        item("1", "市民活動支援"),
        item("2", "窓口の見直し"),
        item("R1-1", "高槻市との連携"),
        Change::ItemWithdrawn { id: id("2") },
        Change::RatingRecorded {
            item: id("1"),
            period: ye,
            grade: "A".into(),
        },
        Change::FollowUpSet {
            item: id("1"),
            period: ye,
            flagged: true,
        },
        Change::RemarkSet {
            item: id("1"),
            period: ye,
            text: "計画どおり\n一部\\遅れ".into(),
        },
        Change::ItemExcluded {
            item: id("R1-1"),
            period: ye,
        },
    ] {
        s.apply(&c).unwrap();
    }
    s
}

#[test]
fn the_documented_published_table_is_the_code_s() {
    let s = published_example();
    let ye = Period::new(2020, Part::YearEnd).unwrap();
    let table = s.published_table(ye);
    assert_eq!(fenced("published table").replace('→', "\t"), table);
    assert_eq!(
        value("published table sha256", "table_sha256"),
        hex::encode(s.published_table_sha256(ye))
    );
    // Its first line names the version of the form (`PUBLISHED_TABLE_V1`, private to the state).
    assert!(table.starts_with("hyoka published table v1\n"));
    assert_says("`hyoka published table v1`: the version of the form");
}

/// The JSON of one event of every kind (version 2) against `schema/event.schema.json`.
#[test]
fn every_kind_s_json_matches_the_event_schema() {
    let path = format!("{}/schema/event.schema.json", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(jsonschema::meta::is_valid(&schema));
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let mut changes = every_kind();
    changes.push(Change::OpinionRecorded {
        period: fy2019_ye(),
        item: Some(id("27")),
        text: "改行\nあり".into(),
    });
    for change in changes {
        let mut e = event_v2(change);
        let bytes = signing::sign(&mut e, &admin_key()).unwrap();
        let stored = event::StoredEvent {
            hash: event::event_hash(&e.prev_hash, &bytes),
            event: e,
        };
        let json = hyoka::domain::describe::event_json(&stored);
        let errors: Vec<String> = v.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}\n{json}");
        assert!(json.get("signature").is_none());
    }
    // What hyoka never writes is refused.
    let e = event_v2(Change::Reviewed {
        period: fy2019_ye(),
        item: id("1"),
        stage: Stage::First,
        verdict: Verdict::Approve,
    });
    let bytes = event::encode(&e).unwrap();
    let mut json = hyoka::domain::describe::event_json(&event::StoredEvent {
        hash: event::event_hash(&e.prev_hash, &bytes),
        event: e,
    });
    json["change"]["stage"] = serde_json::json!(3);
    assert!(!v.is_valid(&json));
    json["change"]["stage"] = serde_json::json!(1);
    assert!(v.is_valid(&json));
    json["change"]["role"] = serde_json::json!("mayor");
    assert!(!v.is_valid(&json));
}
