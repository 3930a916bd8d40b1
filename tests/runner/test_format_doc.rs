//! The worked examples in schema/FORMAT.md match the code, byte for byte.

use hyoka::domain::event::{self, Change, Event};
use hyoka::domain::period::{Part, Period};
use hyoka::tlog::merkle;

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
            item: 5,
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
    assert!(DOC.contains("`hyoka/event/v1` followed by one NUL byte (15 bytes in all)"));
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
/// below then wants it in section 3's table.
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
    }
}

#[test]
fn the_documented_change_tags_are_the_code_s() {
    let period = Period {
        fiscal_year: 2014,
        part: Part::FirstHalf,
    };
    let samples = [
        Change::PlanDefined {
            name: "p".into(),
            grades: vec!["A".into()],
            default_era: None,
            origin: "o".into(),
        },
        Change::CategoryAdded { name: "c".into() },
        Change::ItemRegistered {
            number: 1,
            title: "t".into(),
            department: "d".into(),
            category: "c".into(),
            relisting_of: None,
        },
        Change::ItemAmended {
            number: 1,
            title: None,
            department: None,
            category: None,
            relisting_of: None,
        },
        Change::ItemWithdrawn { number: 1 },
        Change::ItemReinstated { number: 1 },
        Change::RatingRecorded {
            item: 1,
            period,
            grade: "A".into(),
        },
        Change::RatingWithdrawn { item: 1, period },
        Change::FollowUpSet {
            item: 1,
            period,
            flagged: true,
        },
        Change::RemarkSet {
            item: 1,
            period,
            text: "r".into(),
        },
        Change::ClockBehind { clock: 0 },
    ];
    // Rows `| tag | `Name` | fields |` of section 3's table.
    let table = &DOC[DOC.find("## 3. Changes").unwrap()..DOC.find("### 3.1").unwrap()];
    let rows: Vec<(u32, String)> = table
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('|').map(str::trim).skip(1);
            let tag = cells.next()?.parse().ok()?;
            Some((tag, cells.next()?.trim_matches('`').to_string()))
        })
        .collect();
    let mut want = Vec::new();
    for change in samples {
        let e = Event {
            change,
            ..event_a()
        };
        let bytes = event::encode(&e).unwrap();
        // The tag follows the fixed fields, the two strings and the source's none byte.
        let at = 50 + 8 + e.author.len() + 8 + e.reason.len() + 1;
        let tag = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        want.push((tag, variant_name(&e.change).to_string()));
    }
    assert_eq!(rows, want, "section 3's table of tags");
}
