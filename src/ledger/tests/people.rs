//! A ledger with people, through the library: each change signed by its author's key and authorized by
//! their role, a whole round (open, rate, submit, return, re-rate, approve at both stages, close,
//! publish, correct), and `verify` catching what a person without the keys could do to the history.

use super::*;
use crate::domain::people::{Person, Role, RoundStatus, Stage, Verdict};
use crate::ledger::chain::Chain;
use crate::ledger::signing::Signer;
use crate::tlog::note::SignerKey;

fn key(name: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(name, &[seed; 32]).unwrap()
}

fn person(id: &str, dept: &str, roles: &[Role], k: &SignerKey) -> Person {
    Person {
        id: id.into(),
        name_commitment: [0; 32],
        department: dept.into(),
        roles: roles.to_vec(),
        vkey: k.verifier().to_text(),
    }
}

fn item(id: &str, dept: &str) -> Change {
    Change::ItemRegistered {
        id: ItemId::parse(id).unwrap(),
        title: format!("取組{id}"),
        department: dept.into(),
        category: "c".into(),
        relisting_of: None,
        from: None,
        after: None,
    }
}

fn ye() -> Period {
    Period::new(2020, Part::YearEnd).unwrap()
}

/// The people: an administrator, staff and a head in each of three departments, 行革本部, a committee.
struct Cast {
    admin: SignerKey,
    staff: [SignerKey; 3],
    head: [SignerKey; 3],
    hq: SignerKey,
    committee: SignerKey,
}

const DEPTS: [&str; 3] = ["総務課", "財政課", "市民課"];

fn cast() -> Cast {
    Cast {
        admin: key("admin", 1),
        staff: [key("s0", 10), key("s1", 11), key("s2", 12)],
        head: [key("h0", 20), key("h1", 21), key("h2", 22)],
        hq: key("hq", 30),
        committee: key("c", 40),
    }
}

/// A write by `author` signed with `k`, at minute `at`.
fn by(author: &str, k: &SignerKey, at: i64) -> Meta {
    Meta {
        author: author.into(),
        reason: "評価".into(),
        source: None,
        recorded_at: at * 60_000_000_000,
        new_point: false,
        signer: Some(Signer::new(k.clone())),
    }
}

/// A ledger with two items per department, people enabled and registered.
fn with_people() -> (tempfile::TempDir, Ledger, Cast) {
    let c = cast();
    let dir = tempfile::tempdir().unwrap();
    let mut more = vec![Change::CategoryAdded { name: "c".into() }];
    for (d, dept) in DEPTS.iter().enumerate() {
        more.push(item(&format!("{}", 2 * d + 1), dept));
        more.push(item(&format!("{}", 2 * d + 2), dept));
    }
    more.push(Change::PeopleEnabled {
        log_vkey: key("log", 2).verifier().to_text(),
        admin: person("admin", "行政経営課", &[Role::Admin], &c.admin),
    });
    let mut l = Ledger::create(
        &dir.path().join("l"),
        &by("admin", &c.admin, 1),
        plan(),
        &more,
        Access::default(),
    )
    .unwrap();
    let mut people = Vec::new();
    for (d, dept) in DEPTS.iter().enumerate() {
        people.push(person(&format!("s{d}"), dept, &[Role::Staff], &c.staff[d]));
        people.push(person(&format!("h{d}"), dept, &[Role::Head], &c.head[d]));
    }
    people.push(person("hq", "行革本部", &[Role::Hq], &c.hq));
    people.push(person("c", "外部委員会", &[Role::Committee], &c.committee));
    let changes: Vec<Change> = people
        .into_iter()
        .map(|person| Change::PersonRegistered { person })
        .collect();
    l.append(&by("admin", &c.admin, 2), &changes).unwrap();
    (dir, l, c)
}

fn rate(id: &str, grade: &str) -> Change {
    Change::RatingRecorded {
        item: ItemId::parse(id).unwrap(),
        period: ye(),
        grade: grade.into(),
    }
}

fn review(id: &str, stage: Stage, verdict: Verdict) -> Change {
    Change::Reviewed {
        period: ye(),
        item: ItemId::parse(id).unwrap(),
        stage,
        verdict,
    }
}

fn refused(l: &mut Ledger, meta: &Meta, change: Change) -> String {
    let len = l.len();
    let e = l.append(meta, &[change]).unwrap_err().to_string();
    assert_eq!(l.len(), len, "a refused change appended something");
    e
}

#[test]
fn a_whole_round_for_three_departments() {
    let (_dir, mut l, c) = with_people();
    let open = Change::RoundOpened {
        period: ye(),
        due: "2021-04-30".into(),
    };
    // Staff may not open a round; a rating before the round is refused, naming the open rounds.
    let e = refused(&mut l, &by("s0", &c.staff[0], 3), open.clone());
    assert!(e.contains("needs the role admin"), "{e}");
    let e = refused(&mut l, &by("s0", &c.staff[0], 3), rate("1", "A"));
    assert!(
        e.contains("no round is open for 令和2年度末; no other round is open either"),
        "{e}"
    );
    l.append(&by("admin", &c.admin, 3), &[open]).unwrap();

    // Each department rates its own items; another department's item is refused.
    let e = refused(&mut l, &by("s0", &c.staff[0], 4), rate("3", "A"));
    assert!(
        e.contains("may not rate or remark item 3, which is `財政課`'s"),
        "{e}"
    );
    for (d, dept) in DEPTS.iter().enumerate() {
        let (a, b) = (format!("{}", 2 * d + 1), format!("{}", 2 * d + 2));
        let s = format!("s{d}");
        l.append(&by(&s, &c.staff[d], 4), &[rate(&a, "A"), rate(&b, "B")])
            .unwrap();
        l.append(
            &by(&s, &c.staff[d], 5),
            &[Change::Submitted {
                period: ye(),
                department: (*dept).into(),
            }],
        )
        .unwrap();
    }
    // Submitted items change only once returned.
    let e = refused(&mut l, &by("s0", &c.staff[0], 6), rate("1", "S"));
    assert!(e.contains("submitted for review"), "{e}");
    // The head of 総務課 returns item 1 (差し戻し); staff rate it again and resubmit.
    let e = refused(
        &mut l,
        &by("h1", &c.head[1], 6),
        review("1", Stage::First, Verdict::Return),
    );
    assert!(e.contains("may not review item 1"), "{e}");
    l.append(
        &by("h0", &c.head[0], 6),
        &[review("1", Stage::First, Verdict::Return)],
    )
    .unwrap();
    l.append(&by("s0", &c.staff[0], 7), &[rate("1", "S")])
        .unwrap();
    l.append(
        &by("s0", &c.staff[0], 8),
        &[Change::Submitted {
            period: ye(),
            department: DEPTS[0].into(),
        }],
    )
    .unwrap();
    // 2次評価 waits for 1次評価.
    let e = refused(
        &mut l,
        &by("hq", &c.hq, 9),
        review("1", Stage::Second, Verdict::Approve),
    );
    assert!(e.contains("not approved at 1次評価"), "{e}");
    for d in 0..3 {
        for i in [2 * d + 1, 2 * d + 2] {
            l.append(
                &by(&format!("h{d}"), &c.head[d], 9),
                &[review(&i.to_string(), Stage::First, Verdict::Approve)],
            )
            .unwrap();
        }
    }
    // Publication waits for 2次評価.
    let publish = |s: &State| Change::RoundPublished {
        period: ye(),
        table_sha256: s.published_table_sha256(ye()),
    };
    let p = publish(l.current().unwrap());
    let e = refused(&mut l, &by("admin", &c.admin, 10), p);
    assert!(e.contains("cannot be published"), "{e}");
    let all: Vec<Change> = (1..=6)
        .map(|i| review(&i.to_string(), Stage::Second, Verdict::Approve))
        .collect();
    l.append(&by("hq", &c.hq, 10), &all).unwrap();
    l.append(
        &by("c", &c.committee, 10),
        &[Change::OpinionRecorded {
            period: ye(),
            item: None,
            text: "おおむね妥当".into(),
        }],
    )
    .unwrap();
    l.append(
        &by("admin", &c.admin, 11),
        &[Change::RoundClosed { period: ye() }],
    )
    .unwrap();
    let e = refused(&mut l, &by("s1", &c.staff[1], 11), rate("3", "S"));
    assert!(e.contains("closed"), "{e}");
    // A digest that is not the table's is refused; the table's is recorded.
    let bad = Change::RoundPublished {
        period: ye(),
        table_sha256: [0; 32],
    };
    assert!(refused(&mut l, &by("admin", &c.admin, 12), bad).contains("canonical form"));
    let p = publish(l.current().unwrap());
    l.append(&by("admin", &c.admin, 12), &[p]).unwrap();
    assert_eq!(
        l.current().unwrap().rounds[&ye()].status,
        RoundStatus::Published
    );
    // After publication a change is a correction, by 行革本部 only.
    let e = refused(&mut l, &by("s0", &c.staff[0], 13), rate("1", "A"));
    assert!(e.contains("correct a published round"), "{e}");
    l.append(&by("hq", &c.hq, 13), &[rate("1", "A")]).unwrap();
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn a_change_needs_its_authors_current_key() {
    let (_dir, mut l, c) = with_people();
    l.append(
        &by("admin", &c.admin, 3),
        &[Change::RoundOpened {
            period: ye(),
            due: "2021-04-30".into(),
        }],
    )
    .unwrap();
    // Another person's key, or none, is refused before anything is written.
    let e = refused(&mut l, &by("s0", &c.staff[1], 4), rate("1", "A"));
    assert!(e.contains("not s0's current key"), "{e}");
    let mut unsigned = by("s0", &c.staff[0], 4);
    unsigned.signer = None;
    assert!(refused(&mut l, &unsigned, rate("1", "A")).contains("signed with their key"));
    // An unregistered author is refused.
    let e = refused(&mut l, &by("mayor", &c.staff[0], 4), rate("1", "A"));
    assert!(e.contains("not a registered person"), "{e}");
    // A revoked key signs nothing; a rotated one replaces it.
    l.append(
        &by("admin", &c.admin, 5),
        &[Change::KeyRevoked {
            person: "s0".into(),
        }],
    )
    .unwrap();
    let e = refused(&mut l, &by("s0", &c.staff[0], 6), rate("1", "A"));
    assert!(e.contains("has no key"), "{e}");
    let new = key("s0", 99);
    l.append(
        &by("admin", &c.admin, 6),
        &[Change::KeyRotated {
            person: "s0".into(),
            vkey: new.verifier().to_text(),
        }],
    )
    .unwrap();
    l.append(&by("s0", &new, 7), &[rate("1", "A")]).unwrap();
    let e = refused(
        &mut l,
        &by("admin", &c.admin, 8),
        Change::KeyRotated {
            person: "s1".into(),
            vkey: c.staff[0].verifier().to_text(),
        },
    );
    assert!(e.contains("is (or was) person `s0`'s"), "{e}");
    l.verify(&mut |_, _| {}).unwrap();
}

/// The ledger's events with event `seq` re-signed by `k` as `author`, and every later event's link
/// recomputed: what someone with the files but not the author's key could make (as a re-chained export).
fn forged(l: &Ledger, seq: u64, author: &str, k: &SignerKey) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..seq).map(|s| l.event_bytes(s).unwrap()).collect();
    let mut e = decode_at_seq(l, seq);
    e.author = author.into();
    let bytes = signing::sign(&mut e, k).unwrap();
    let mut prev = event::event_hash(&e.prev_hash, &bytes);
    out.push(bytes);
    for s in seq + 1..l.len() {
        let mut next = decode_at_seq(l, s);
        next.prev_hash = prev;
        // Later events keep their own signatures: only their link is recomputed.
        let bytes = event::encode(&next).unwrap();
        prev = event::event_hash(&next.prev_hash, &bytes);
        out.push(bytes);
    }
    out
}

fn decode_at_seq(l: &Ledger, seq: u64) -> Event {
    event::decode(&l.event_bytes(seq).unwrap()).unwrap()
}

/// The first broken rule of a chain of stored events (the chain itself intact).
fn first_broken(events: &[Vec<u8>]) -> Option<IntegrityError> {
    let mut chain = Chain::default();
    for bytes in events {
        chain.push(bytes).unwrap();
    }
    chain.rule_broken().cloned()
}

#[test]
fn a_forged_signature_or_author_fails_verify_naming_the_event() {
    let (_dir, mut l, c) = with_people();
    l.append(
        &by("admin", &c.admin, 3),
        &[Change::RoundOpened {
            period: ye(),
            due: "2021-04-30".into(),
        }],
    )
    .unwrap();
    l.append(&by("s0", &c.staff[0], 4), &[rate("1", "A")])
        .unwrap();
    l.append(&by("s0", &c.staff[0], 5), &[rate("2", "B")])
        .unwrap();
    let seq = l.len() - 2;
    let intact: Vec<Vec<u8>> = (0..l.len()).map(|s| l.event_bytes(s).unwrap()).collect();
    assert_eq!(first_broken(&intact), None);
    // Re-signed by a key that is not the author's.
    match first_broken(&forged(&l, seq, "s0", &c.staff[1])) {
        Some(IntegrityError::SignatureInvalid { seq: s, why }) => {
            assert_eq!(s, seq);
            assert!(why.contains("not by s0's key"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    // The author changed to someone else, signed with the forger's own key.
    assert!(matches!(
        first_broken(&forged(&l, seq, "s1", &c.staff[0])),
        Some(IntegrityError::SignatureInvalid { seq: s, .. }) if s == seq
    ));
    // Re-signed by the author's own key, it is the same event, byte for byte (Ed25519 is deterministic).
    let e = first_broken(&forged(&l, seq, "s0", &c.staff[0]));
    assert_eq!(
        e, None,
        "the same bytes re-signed by the author's key are the same event"
    );
}

#[test]
fn events_before_people_stay_unsigned_and_a_pinned_key_names_a_replaced_start() {
    let (_dir, l, c) = with_people();
    let mut chain = Chain::default();
    chain.pin(vec![key("someone", 77).verifier().to_text()]);
    let mut found = None;
    for s in 0..l.len() {
        if let Err(e) = chain.push(&l.event_bytes(s).unwrap()) {
            found = Some(e);
            break;
        }
    }
    assert!(found.is_none());
    match chain.rule_broken() {
        Some(&IntegrityError::PinnedKeyMismatch { seq, .. }) => {
            assert!(matches!(
                decode_at_seq(&l, seq).change,
                Change::PeopleEnabled { .. }
            ));
        }
        other => panic!("{other:?}"),
    }
    let mut ok = Chain::default();
    ok.pin(vec![c.admin.verifier().to_text()]);
    for s in 0..l.len() {
        ok.push(&l.event_bytes(s).unwrap()).unwrap();
    }
    assert!(ok.rule_broken().is_none());
    assert!(decode_at_seq(&l, 0).signature.is_none());
}

/// `verify` of a ledger directory pins the log key kept there (LOGKEY): a ledger whose people begin with
/// another log key and administrator (its start replaced) fails, naming the `people.enabled` event.
#[test]
fn verify_pins_the_log_key_kept_in_the_directory() {
    let (dir, l, _c) = with_people();
    let path = dir.path().join("l");
    let origin = "example/plan";
    // The ledger's people begin with a log key named `log`; the directory keeps another one.
    let other = SignerKey::from_seed(origin, &[3; 32]).unwrap();
    crate::ledger::anchor::set_log_key(&path, origin, &other.verifier()).unwrap();
    match verify_err(&l) {
        IntegrityError::PinnedKeyMismatch { seq, .. } => {
            assert!(matches!(
                decode_at_seq(&l, seq).change,
                Change::PeopleEnabled { .. }
            ));
        }
        e => panic!("{e:?}"),
    }
}
