//! Importing the published table, rebuilding it, and re-importing what hyoka exports.

use crate::common::{Env, seed, seed_v2};

fn import_seed(env: &Env) -> String {
    env.run(&[
        "import",
        seed().to_str().unwrap(),
        "--author",
        "山田",
        "--plan",
        "小平市行財政改革推進プラン",
        "--origin",
        "city.kodaira.example/reform-plan",
    ])
    .ok()
    .to_string()
}

fn write(env: &Env, name: &str, bytes: &[u8]) -> String {
    let p = env.dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn the_seed_imports_as_one_batch_and_says_what_it_did() {
    let env = Env::new();
    let out = import_seed(&env);
    assert_eq!(
        out,
        "file: 62 items; periods 平成26年度上半期 (FY2014-H1), 平成26年度末 (FY2014-YE), 平成27年度上半期 (FY2015-H1)\n\
         era: heisei (no era given; set one with --era)\n\
         created ledger ".to_string()
            + env.ledger().to_str().unwrap()
            + " for plan 小平市行財政改革推進プラン\n\
         origin: city.kodaira.example/reform-plan\n\
         changes: 5 category.added, 42 follow_up.set, 62 item.registered, 186 rating.recorded, 62 remark.set\n\
         recorded 358 events (#0..#357) as one batch\n"
    );
    // Every event names the file and its BLAKE3; they all share one time, author and reason.
    let log = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let digest = blake3::hash(&std::fs::read(seed()).unwrap())
        .to_hex()
        .to_string();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 358);
    for e in &events {
        assert_eq!(e["source"]["file_name"], "kodaira-followup-h26-h27.tsv");
        assert_eq!(e["source"]["blake3"], digest.as_str());
        assert_eq!(e["reason"], "import of kodaira-followup-h26-h27.tsv");
        assert_eq!(e["author"], "山田");
    }
    // Item 39 re-lists item 27.
    let item39 = events
        .iter()
        .find(|e| e["change"]["kind"] == "item.registered" && e["change"]["item"] == 39)
        .unwrap();
    assert_eq!(item39["change"]["relisting_of"], 27);
    assert_eq!(item39["change"]["title"], "スクラップアンドビルドの徹底");
    env.run(&["verify"]).ok();
}

#[test]
fn the_summary_equals_the_document_s_own_totals() {
    let env = Env::new();
    import_seed(&env);
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["summary", "--format", "json"]).ok()).unwrap();
    let expected = serde_json::json!({
        "periods": [
            {"id": "FY2014-H1", "label": "平成26年度上半期", "counts": {"S": 1, "A": 59, "B": 2}, "total": 62, "not_evaluated": 0, "items": 62},
            {"id": "FY2014-YE", "label": "平成26年度末", "counts": {"S": 3, "A": 49, "B": 10}, "total": 62, "not_evaluated": 0, "items": 62},
            {"id": "FY2015-H1", "label": "平成27年度上半期", "counts": {"S": 0, "A": 59, "B": 3}, "total": 62, "not_evaluated": 0, "items": 62},
        ],
        "follow_up": 41,
        "follow_up_period": "FY2015-H1",
    });
    assert_eq!(json, expected);
}

#[test]
fn golden_views_of_the_imported_seed() {
    let env = Env::new();
    import_seed(&env);
    insta::assert_snapshot!("seed_table_text", env.run(&["table"]).ok());
    insta::assert_snapshot!("seed_table_full", env.run(&["table", "--full"]).ok());
    insta::assert_snapshot!("seed_summary", env.run(&["summary"]).ok());
    insta::assert_snapshot!(
        "seed_table_json",
        env.run(&["table", "--format", "json"]).ok()
    );
    insta::assert_snapshot!("seed_table_md", env.run(&["table", "--format", "md"]).ok());
}

#[test]
fn tsv_and_csv_exports_re_import_into_an_identical_table() {
    let env = Env::new();
    import_seed(&env);
    let json = env.run(&["table", "--format", "json"]).ok().to_string();
    for (format, file) in [("tsv", "out.tsv"), ("csv", "out.csv")] {
        let path = env.dir.path().join(file);
        env.run(&[
            "table",
            "--format",
            format,
            "--output",
            path.to_str().unwrap(),
        ])
        .ok();
        // Into the same ledger: nothing differs.
        let out = env
            .run(&["import", path.to_str().unwrap(), "-a", "山田"])
            .ok()
            .to_string();
        assert!(
            out.contains("the file matches the ledger: nothing to record"),
            "{format}: {out}"
        );
        // Into a new ledger: the same table.
        let other = env.dir.path().join(format!("ledger-{format}"));
        env.run(&[
            "--ledger",
            other.to_str().unwrap(),
            "import",
            path.to_str().unwrap(),
            "-a",
            "山田",
            "--plan",
            "小平市行財政改革推進プラン",
        ])
        .ok();
        let again = env
            .run(&[
                "--ledger",
                other.to_str().unwrap(),
                "table",
                "--format",
                "json",
            ])
            .ok()
            .to_string();
        assert_eq!(again, json, "{format} round trip");
    }
    let csv = std::fs::read(env.dir.path().join("out.csv")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "CSV has a BOM for Excel");
}

#[test]
fn a_second_version_records_exactly_its_changes() {
    let env = Env::new();
    import_seed(&env);
    let before = env.run(&["log", "--format", "jsonl"]).ok().lines().count();
    let out = env
        .run(&["import", seed_v2().to_str().unwrap(), "-a", "佐藤"])
        .ok()
        .to_string();
    let changes: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        changes,
        [
            "  item 63 registered: 窓口サービスの向上 (市民課; 執行体制の再構築)",
            "  item 1 平成27年度上半期: remark 成果指標にあるセンター来館者数等が増加し、着実に取組を進めている。",
            "  item 2 平成26年度末: rating A",
            "  item 5 平成27年度上半期: follow-up off",
            "  item 35 平成27年度上半期: follow-up on",
            "  item 63 平成27年度上半期: rating A",
            "  item 63 平成27年度上半期: follow-up on",
            "  item 63 平成27年度上半期: remark 窓口の待ち時間を短縮するため、受付方法を見直した。",
        ]
    );
    assert!(
        out.ends_with("recorded 8 events (#358..#365) as one batch\n"),
        "{out}"
    );
    let after = env.run(&["log", "--format", "jsonl"]).ok().lines().count();
    assert_eq!(after - before, 8);
    // The same file again: nothing.
    let out = env
        .run(&["import", seed_v2().to_str().unwrap(), "-a", "佐藤"])
        .ok()
        .to_string();
    assert!(out.contains("nothing to record"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["summary", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["follow_up"], 42);
    assert_eq!(json["periods"][2]["total"], 63);
}

#[test]
fn a_new_period_column_records_only_the_new_ratings() {
    let env = Env::new();
    import_seed(&env);
    // Another ledger holding the same seed gets three year-end ratings; its TSV is the "next version".
    let other = env.dir.path().join("other");
    let o = other.to_str().unwrap();
    env.run(&[
        "--ledger",
        o,
        "import",
        seed().to_str().unwrap(),
        "-a",
        "山田",
        "--plan",
        "小平市行財政改革推進プラン",
    ])
    .ok();
    for (item, grade) in [("1", "A"), ("2", "S"), ("3", "B")] {
        env.run(&[
            "--ledger",
            o,
            "rate",
            item,
            "H27年度末",
            grade,
            "-a",
            "山田",
            "-m",
            "年度末評価",
        ])
        .ok();
    }
    let tsv = env.dir.path().join("next.tsv");
    env.run(&[
        "--ledger",
        o,
        "table",
        "--format",
        "tsv",
        "-o",
        tsv.to_str().unwrap(),
    ])
    .ok();
    let out = env
        .run(&["import", tsv.to_str().unwrap(), "-a", "山田"])
        .ok()
        .to_string();
    let changes: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        changes,
        [
            "  item 1 平成27年度末: rating A",
            "  item 2 平成27年度末: rating S",
            "  item 3 平成27年度末: rating B"
        ],
        "{out}"
    );
}

#[test]
fn changes_made_since_the_last_import_conflict_unless_the_file_is_preferred() {
    let env = Env::new();
    import_seed(&env);
    env.run(&[
        "rate",
        "2",
        "H26年度末",
        "S",
        "-a",
        "鈴木",
        "-m",
        "所管課の訂正",
    ])
    .ok();
    let before = env.snapshot();
    let run = env.run(&["import", seed_v2().to_str().unwrap(), "-a", "佐藤"]);
    let err = run.fails(1).to_string();
    assert!(
        err.contains("1 conflict(s) with changes made since the last import; nothing was imported"),
        "{err}"
    );
    assert!(err.contains("--prefer-file"), "{err}");
    assert!(
        run.stderr.contains("conflict: line 6: item 2 平成26年度末 rating: the ledger has S (set by 鈴木 in #358 at "),
        "{}",
        run.stderr
    );
    assert_eq!(env.snapshot(), before, "nothing was imported");
    // A dry run shows the same and records nothing.
    env.run(&[
        "import",
        seed_v2().to_str().unwrap(),
        "-a",
        "佐藤",
        "--dry-run",
    ])
    .fails(1);
    assert_eq!(env.snapshot(), before);
    let out = env
        .run(&[
            "import",
            seed_v2().to_str().unwrap(),
            "-a",
            "佐藤",
            "--prefer-file",
        ])
        .ok()
        .to_string();
    assert!(out.contains("  item 2 平成26年度末: rating A"), "{out}");
}

#[test]
fn a_dry_run_records_nothing() {
    let env = Env::new();
    let out = env
        .run(&[
            "import",
            seed().to_str().unwrap(),
            "-a",
            "山田",
            "--dry-run",
        ])
        .ok()
        .to_string();
    assert!(out.contains("would create ledger"), "{out}");
    assert!(
        out.contains("dry run: 357 changes would be recorded; nothing was"),
        "{out}"
    );
    assert!(!env.ledger().exists(), "a dry run creates nothing");
    import_seed(&env);
    let before = env.snapshot();
    let out = env
        .run(&[
            "import",
            seed_v2().to_str().unwrap(),
            "-a",
            "山田",
            "--dry-run",
        ])
        .ok()
        .to_string();
    assert!(
        out.contains("dry run: 8 changes would be recorded; nothing was"),
        "{out}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn the_era_comes_from_the_flag_the_plan_or_heisei() {
    let env = Env::new();
    let out = env
        .run(&[
            "import",
            seed().to_str().unwrap(),
            "-a",
            "山田",
            "--era",
            "reiwa",
            "--dry-run",
        ])
        .ok()
        .to_string();
    assert!(out.contains("令和26年度上半期 (FY2044-H1)"), "{out}");
    assert!(out.contains("era: reiwa (from --era)"), "{out}");
}

/// 元年 without an era is the first year of both 平成 and 令和: with no era from the command or the plan,
/// the import refuses it rather than file it 30 years off; with `--era` it is read.
#[test]
fn an_era_less_gannen_needs_an_era() {
    let env = Env::new();
    let seed = std::fs::read_to_string(seed()).unwrap();
    let bytes = seed.replace("\t27年度\t", "\t元年度\t");
    assert_ne!(bytes, seed, "the header names 27年度");
    let path = write(&env, "gannen.tsv", bytes.as_bytes());
    let refused = env.run(&["import", &path, "-a", "山田"]);
    assert_eq!(
        refused.fails(1),
        "error: line 3: period column `元年度上半期`: 元年 without an era is the first year of both 平成 and 令和, and nothing says which; give it with --era heisei or --era reiwa, or write the era in the file's header"
    );
    assert!(!env.ledger().exists(), "nothing was created");
    let read = env.run(&["import", &path, "-a", "山田", "--era", "reiwa", "--dry-run"]);
    assert!(
        read.ok().contains("令和元年度上半期 (FY2019-H1)"),
        "{}",
        read.stdout
    );
}

#[test]
fn excel_bom_and_crlf_are_accepted() {
    let env = Env::new();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(
        std::fs::read(seed())
            .unwrap()
            .split(|b| *b == b'\n')
            .collect::<Vec<_>>()
            .join(&b"\r\n"[..]),
    );
    let path = write(&env, "excel.txt", &bytes);
    env.run(&[
        "import",
        &path,
        "-a",
        "山田",
        "--plan",
        "小平市行財政改革推進プラン",
    ])
    .ok();
    let other = Env::new();
    import_seed(&other);
    assert_eq!(
        env.run(&["table", "--format", "json"]).ok(),
        other.run(&["table", "--format", "json"]).ok()
    );
}

/// Each bad file: one error line naming the line, exit 1, and the ledger unchanged.
#[test]
fn bad_files_import_nothing() {
    let env = Env::new();
    import_seed(&env);
    let before = env.snapshot();
    let seed_text = std::fs::read_to_string(seed()).unwrap();
    let replace_line = |n: usize, f: &dyn Fn(&str) -> String| -> Vec<u8> {
        seed_text
            .split('\n')
            .enumerate()
            .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "line 1"),
        (
            "invalid-utf8",
            {
                let mut b = seed_text.clone().into_bytes();
                let at = seed_text.find("市民活動").unwrap();
                b[at] = 0xff;
                b
            },
            "line 5: the file is neither UTF-8 text",
        ),
        (
            "missing-columns",
            replace_line(12, &|l| {
                l.split('\t').take(3).collect::<Vec<_>>().join("\t")
            }),
            "line 12:",
        ),
        (
            "unknown-grade",
            replace_line(12, &|l| l.replacen("\tA\t", "\tC\t", 1)),
            "line 12, column 4 (26年度上半期): item 8, 平成26年度上半期: grade `C` is not in the plan's scale",
        ),
        (
            "duplicate-number",
            replace_line(12, &|l| l.replacen("8 協働", "7 協働", 1)),
            "line 12",
        ),
        (
            "totals-disagree",
            replace_line(71, &|l| l.replacen("59", "58", 1)),
            "line 71 (row A), 平成26年度上半期: the file says 58, its rows give 59",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = write(&env, &format!("{name}.tsv"), &bytes);
        let run = env.run(&["import", &path, "-a", "山田"]);
        let err = run.fails(1).to_string();
        assert!(err.contains(needle), "{name}: expected `{needle}` in {err}");
        assert_eq!(
            run.stderr.lines().count(),
            1,
            "{name}: one line: {}",
            run.stderr
        );
        assert_eq!(env.snapshot(), before, "{name} changed the ledger");
    }
    let err = env
        .run(&["import", "no-such-file.tsv", "-a", "山田"])
        .fails(1)
        .to_string();
    assert!(err.contains("cannot read no-such-file.tsv"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_bad_file_creates_no_ledger() {
    let env = Env::new();
    let path = write(&env, "bad.tsv", b"\xff\xfe\x00garbage");
    env.run(&["import", &path, "-a", "山田"]).fails(1);
    assert!(!env.ledger().exists());
}

#[test]
fn an_attribute_changed_by_hand_conflicts_and_a_new_heading_is_added() {
    let env = Env::new();
    import_seed(&env);
    env.run(&[
        "item",
        "amend",
        "3",
        "--department",
        "協働推進課",
        "-a",
        "鈴木",
        "-m",
        "組織改正",
    ])
    .ok();
    let run = env.run(&["import", seed().to_str().unwrap(), "-a", "佐藤"]);
    run.fails(1);
    assert!(
        run.stderr
            .contains("conflict: line 7: item 3 department: the ledger has 協働推進課"),
        "{}",
        run.stderr
    );
    // A file that moves item 4 under a new heading records the heading, then the amendment.
    let text = std::fs::read_to_string(seed()).unwrap().replacen(
        "\t4 地区まちづくり",
        "新しい見出し\t4 地区まちづくり",
        1,
    );
    let path = env.dir.path().join("moved.tsv");
    std::fs::write(&path, text).unwrap();
    let out = env
        .run(&[
            "import",
            path.to_str().unwrap(),
            "-a",
            "佐藤",
            "--prefer-file",
        ])
        .ok()
        .to_string();
    let changes: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(changes.contains(&"  heading added: 新しい見出し"), "{out}");
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("  item 4 amended: heading → 新しい見出し")),
        "{out}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c.starts_with("  item 3 amended: department → 市民協働・男女参画推進課")),
        "{out}"
    );
}

/// The failure: a BOM at the start of item 7's row (two files joined, or a stray mark) made an
/// invisible heading `\u{feff}` and moved items 7-15 under it; the totals still matched, so the import
/// went through. Now the row is refused with its line number, in one line, and nothing is created.
#[test]
fn a_bom_starting_a_row_mid_file_no_longer_makes_an_invisible_heading() {
    let env = Env::new();
    let seed_text = std::fs::read_to_string(seed()).unwrap();
    let row7 = seed_text.find("\t7 協働事業").unwrap();
    let line = 1 + seed_text[..row7].matches('\n').count();
    assert_eq!(line, 11);
    let mut text = seed_text.clone();
    text.insert(row7, '\u{FEFF}');
    // A BOM at the very start of the file stays accepted.
    let mut bytes = "\u{FEFF}".as_bytes().to_vec();
    bytes.extend_from_slice(text.as_bytes());
    let path = write(&env, "joined.tsv", &bytes);
    let run = env.run(&["import", &path, "-a", "山田"]);
    let err = run.fails(1).to_string();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(err.contains("line 11: a byte-order mark (U+FEFF)"), "{err}");
    assert!(
        err.contains("accepted only at the very start of the file"),
        "{err}"
    );
    assert!(!env.ledger().exists());
}
