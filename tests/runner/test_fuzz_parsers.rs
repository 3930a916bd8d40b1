//! Fuzzing on stable Rust: every parser of outside input, fed arbitrary bytes and mutations of valid
//! input, answers with a value or an error, never a panic, a hang or an allocation a length field asked
//! for. (Coverage-guided targets for the same functions live in `fuzz/`, run with `cargo fuzz`.)

use hyoka::domain::event;
use hyoka::domain::period::{Era, Period};
use hyoka::table::TableFormat;
use hyoka::table::read as table_file;
use hyoka::tlog::checkpoint::{self, Checkpoint};
use hyoka::tlog::note::{self, SignerKey, VerifierKey};
use hyoka::tlog::proof_text::{ConsistencyBody, TlogProof};
use proptest::prelude::*;

/// A small mutation of valid bytes: flip, insert, delete or truncate.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(bytes: &[u8], ms: &[Mutation]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    for m in ms {
        let n = v.len().max(1);
        match *m {
            Mutation::Flip(i, b) => {
                if let Some(x) = v.get_mut(i % n) {
                    *x ^= b;
                }
            }
            Mutation::Insert(i, b) => v.insert(i % (v.len() + 1), b),
            Mutation::Delete(i) => {
                if !v.is_empty() {
                    v.remove(i % n);
                }
            }
            Mutation::Truncate(i) => v.truncate(i % (v.len() + 1)),
        }
    }
    v
}

/// A small workbook holding the cells of a table in hyoka's CSV layout.
fn small_workbook() -> Vec<u8> {
    let rows = [
        [
            "分類",
            "番号",
            "項目",
            "主な推進担当課",
            "令和元年度末",
            "フォローアップ対象",
            "理由等",
        ],
        ["見出し", "1", "題", "課", "A", "○", "理由"],
        ["", "2", "題2", "課", "対象外", "", ""],
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn key() -> SignerKey {
    SignerKey::from_seed("city.example/plan", &[7; 32]).unwrap()
}

fn signed_checkpoint() -> String {
    let cp = Checkpoint {
        origin: "city.example/plan".into(),
        size: 5,
        root: [9; 32],
        extensions: Vec::new(),
    };
    cp.sign(&key()).unwrap()
}

/// Every text parser on one input.
fn parse_all_text(bytes: &[u8]) {
    let _ = note::parse_note(bytes);
    let _ = checkpoint::parse_signed(bytes);
    let _ = checkpoint::open_signed(bytes, &key().verifier());
    let _ = TlogProof::parse(bytes);
    let _ = ConsistencyBody::parse(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = VerifierKey::parse(s);
        let _ = SignerKey::parse(s);
        let _ = Checkpoint::parse(s);
        let _ = Period::parse(s, Some(Era::Heisei));
        let _ = hyoka::views::audit::Point::parse(s, None);
        let _ = hyoka::domain::when::parse_instant(s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn text_parsers_take_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        parse_all_text(&bytes);
    }

    #[test]
    fn signed_notes_and_checkpoints_survive_mutation(ms in proptest::collection::vec(mutation(), 1..4)) {
        let signed = signed_checkpoint();
        let bytes = mutate(signed.as_bytes(), &ms);
        parse_all_text(&bytes);
        // A mutated note never verifies as the original unless the mutation left the signed text and
        // the signature intact.
        if let Ok((cp, _)) = checkpoint::open_signed(&bytes, &key().verifier()) {
            let original = checkpoint::parse_signed(signed.as_bytes()).map(|(c, _)| c.to_text());
            prop_assert_eq!(Ok(cp.to_text()), original);
        }
    }

    #[test]
    fn tlog_proofs_survive_mutation(ms in proptest::collection::vec(mutation(), 1..4)) {
        let proof = TlogProof {
            extra: Some(vec![1, 2, 3]),
            index: 3,
            proof: vec![[1; 32], [2; 32], [3; 32]],
            checkpoint_text: signed_checkpoint(),
        };
        let body = ConsistencyBody { old_size: 2, proof: vec![[4; 32]], checkpoint_text: signed_checkpoint() };
        parse_all_text(&mutate(proof.to_text().as_bytes(), &ms));
        parse_all_text(&mutate(body.to_text().as_bytes(), &ms));
    }

    #[test]
    fn the_table_importer_survives_mutation_of_the_seed(ms in proptest::collection::vec(mutation(), 1..6)) {
        let seed = include_bytes!("../../fixtures/kodaira-followup-h26-h27.tsv");
        let bytes = mutate(seed, &ms);
        for hint in [None, Some(TableFormat::Tsv), Some(TableFormat::Csv)] {
            if let Err(e) = table_file::parse(&bytes, hint) {
                prop_assert_eq!(e.to_string().lines().count(), 1, "one line: {}", e);
            }
        }
        if let Ok(p) = hyoka::import::prepare::prepare(&bytes, "seed.tsv", None, None) {
            let _ = hyoka::import::prepare::check_totals(&p);
            let _ = hyoka::import::prepare::check_grades(&p, &["S".into(), "A".into(), "B".into()]);
        }
    }

    #[test]
    fn the_workbook_reader_survives_mutation_of_a_workbook(ms in proptest::collection::vec(mutation(), 1..4)) {
        let bytes = mutate(&small_workbook(), &ms);
        if let Err(e) = table_file::parse(&bytes, None) {
            prop_assert_eq!(e.to_string().lines().count(), 1, "one line: {}", e);
        }
    }

    #[test]
    fn the_layout_reader_survives_mutation_of_a_layout(ms in proptest::collection::vec(mutation(), 1..6)) {
        let layout = include_bytes!("../../fixtures/layouts/kodaira.toml");
        let bytes = mutate(layout, &ms);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Ok(l) = hyoka::table::layout::Layout::parse(text)
        {
            let seed = include_bytes!("../../fixtures/kodaira-followup-h26-h27.tsv");
            let options = table_file::Options { layout: Some(&l), ..Default::default() };
            let _ = table_file::read(seed, &options);
        }
    }

    #[test]
    fn event_decoding_survives_mutation(ms in proptest::collection::vec(mutation(), 1..6)) {
        let e = event::Event {
            version: 1,
            seq: 9,
            prev_hash: [3; 32],
            recorded_at: 1,
            author: "山田".into(),
            reason: "理由".into(),
            source: Some(event::Source { file_name: "f.tsv".into(), blake3: [5; 32] }),
            change: event::Change::RemarkSet {
                item: hyoka::domain::item_id::ItemId::from_number(1),
                period: Period::parse("FY2014-H1", None).unwrap(),
                text: "継続".into(),
            },
            signature: None,
        };
        let bytes = event::encode(&e).unwrap();
        let mutated = mutate(&bytes, &ms);
        if let Ok(d) = event::decode(&mutated) {
            // Whatever decodes re-encodes to exactly the bytes it came from: one encoding per value.
            prop_assert_eq!(event::encode(&d).unwrap(), mutated);
        }
    }
}

/// A small real export: the seed table imported into a fresh ledger, as JSON Lines.
fn seed_export() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let req = hyoka::import::Request {
        bytes: include_bytes!("../../fixtures/kodaira-followup-h26-h27.tsv")[..].into(),
        file_name: "seed.tsv",
        layout: None,
        sheet: None,
        point: None,
        era: None,
        plan: Some("plan".into()),
        origin: Some("city.example/plan".into()),
        prefer_file: false,
        dry_run: false,
        new_point: false,
        signer: None,
        author: "山田".into(),
        reason: None,
        recorded_at: 1,
    };
    hyoka::import::import(&dir.path().join("l"), req, hyoka::Access::default()).unwrap();
    let l = hyoka::Ledger::open(&dir.path().join("l"), hyoka::Access::default()).unwrap();
    let mut out = Vec::new();
    hyoka::evidence::export::write(&l, &mut out, &mut |_| {}).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// The export reader: a mutated export is refused with an integrity error or, if the mutation
    /// changed nothing that matters (JSON white space), verifies to the same head.
    #[test]
    fn the_export_reader_survives_mutation(ms in proptest::collection::vec(mutation(), 1..4)) {
        static SEED: std::sync::OnceLock<(Vec<u8>, hyoka::domain::event::Hash)> = std::sync::OnceLock::new();
        let (export, head) = SEED.get_or_init(|| {
            let e = seed_export();
            let s = hyoka::evidence::export::verify(&mut &e[..], None, &mut |_| {}).unwrap();
            (e, s.head_hash)
        });
        let mutated = mutate(export, &ms);
        for (n, line) in mutated.split(|b| *b == b'\n').enumerate() {
            let _ = hyoka::evidence::export::parse_line(line, n as u64 + 1);
        }
        if let Ok(s) = hyoka::evidence::export::verify(&mut &mutated[..], None, &mut |_| {}) {
            prop_assert!(s.head_hash == *head || s.events < 358, "a changed export verified to another history");
        }
    }

    #[test]
    fn the_export_reader_takes_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = hyoka::evidence::export::parse_line(&bytes, 1);
        let _ = hyoka::evidence::export::verify(&mut &bytes[..], None, &mut |_| {});
    }
}

#[test]
fn huge_length_fields_are_refused_without_allocating() {
    // A tlog-proof or note claiming absurd sizes, and an event whose strings claim 2^63 bytes.
    let long_line = format!("c2sp.org/tlog-proof@v1\nindex {}\n", u64::MAX);
    parse_all_text(long_line.as_bytes());
    let mut e = vec![1u8, 0];
    e.extend_from_slice(&0u64.to_le_bytes());
    e.extend_from_slice(&[0; 32]);
    e.extend_from_slice(&0i64.to_le_bytes());
    e.extend_from_slice(&(1u64 << 63).to_le_bytes());
    assert!(event::decode(&e).is_err());
    let many_sigs: String = std::iter::once("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n".to_string())
        .chain((0..5000).map(|_| "— a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".to_string()))
        .collect();
    assert!(
        note::parse_note(many_sigs.as_bytes()).is_err(),
        "more than 100 signatures are refused"
    );
}
