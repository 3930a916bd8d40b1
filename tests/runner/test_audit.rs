//! The audit views on the imported fixture plus corrections by different authors: golden text and JSON,
//! every JSON output against its schema, and the time-axis options through the CLI.

use serde_json::Value;

use crate::common::{Env, seed};

/// The seed (at 2015-10-01T00:00) and three corrections by two other people on later days.
fn audited() -> Env {
    let env = Env::new();
    env.run_at(
        "2015-10-01T09:00:00+09:00",
        &[
            "import",
            seed().to_str().unwrap(),
            "-a",
            "山田",
            "--plan",
            "小平市行財政改革推進プラン",
            "--origin",
            "city.kodaira.example/reform-plan",
        ],
    )
    .ok();
    env.run_at(
        "2015-10-05T10:00:00+09:00",
        &[
            "rate",
            "12",
            "H27上半期",
            "A",
            "-a",
            "鈴木",
            "-m",
            "所管課からの報告により訂正",
        ],
    )
    .ok();
    env.run_at(
        "2015-10-06T11:00:00+09:00",
        &[
            "remark",
            "12",
            "地域連絡会を2地区で実施した。",
            "-a",
            "鈴木",
            "-m",
            "実績の追記",
        ],
    )
    .ok();
    env.run_at(
        "2015-10-07T12:00:00+09:00",
        &["flag", "5", "off", "-a", "佐藤", "-m", "フォローアップ完了"],
    )
    .ok();
    env.run_at(
        "2015-10-08T13:00:00+09:00",
        &["rate", "2", "H26年度末", "A", "-a", "佐藤", "-m", "再評価"],
    )
    .ok();
    env
}

fn run(env: &Env, args: &[&str]) -> String {
    env.run_at("2016-01-01T00:00:00Z", args).ok().to_string()
}

fn json(env: &Env, args: &[&str]) -> Value {
    serde_json::from_str(&run(env, args)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn validator(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::draft202012::new(&schema).unwrap()
}

#[track_caller]
fn assert_valid(schema: &str, v: &Value) {
    let validator = validator(schema);
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}");
}

#[test]
fn golden_history_blame_and_diff() {
    let env = audited();
    insta::assert_snapshot!("history_12", run(&env, &["history", "12"]));
    insta::assert_snapshot!(
        "history_all_md",
        run(&env, &["history", "--all", "--format", "md"])
    );
    insta::assert_snapshot!("blame_h27", run(&env, &["blame", "--period", "H27上半期"]));
    insta::assert_snapshot!(
        "diff_days",
        run(&env, &["diff", "at:2015-10-04", "at:2015-10-31"])
    );
    insta::assert_snapshot!(
        "history_12_json",
        run(&env, &["history", "12", "--format", "json"])
    );
}

#[test]
fn history_says_who_changed_what_when_and_why() {
    let env = audited();
    let h = json(
        &env,
        &["history", "12", "--period", "FY2015-H1", "--format", "json"],
    );
    let ratings: Vec<&Value> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "rating")
        .collect();
    assert_eq!(ratings.len(), 2);
    assert_eq!(ratings[1]["old"], "B");
    assert_eq!(ratings[1]["new"], "A");
    assert_eq!(ratings[1]["author"], "鈴木");
    assert_eq!(ratings[1]["reason"], "所管課からの報告により訂正");
    assert_eq!(ratings[1]["recorded_at"], "2015-10-05T10:00:00+09:00");
    assert_eq!(ratings[1]["seq"], 358);
    // --all lists corrections only: the four changes above, not the 358 first recordings.
    let all = json(&env, &["history", "--all", "--format", "json"]);
    let seqs: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [361, 360, 358, 359], "grouped by item (2, 5, 12, 12)");
    let by = json(
        &env,
        &["history", "--all", "--author", "佐藤", "--format", "json"],
    );
    let seqs: Vec<u64> = by
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [361, 360]);
    let err = env.run(&["history", "99"]).fails(1).to_string();
    assert!(err.contains("there is no item 99"), "{err}");
    assert_eq!(
        env.run(&["history"]).code,
        2,
        "an item or --all is required"
    );
}

#[test]
fn blame_names_the_setter_of_each_current_value() {
    let env = audited();
    let b = json(&env, &["blame", "--format", "json"]);
    let find = |item: u64, field: &str, period: &str| -> Value {
        b.as_array()
            .unwrap()
            .iter()
            .find(|e| e["item"] == item && e["field"] == field && e["period"] == period)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(find(12, "rating", "FY2015-H1")["author"], "鈴木");
    assert_eq!(find(12, "rating", "FY2014-H1")["author"], "山田");
    assert_eq!(
        find(12, "remark", "FY2015-H1")["value"],
        "地域連絡会を2地区で実施した。"
    );
    assert_eq!(find(5, "follow_up", "FY2015-H1")["value"], false);
    assert_eq!(find(5, "follow_up", "FY2015-H1")["author"], "佐藤");
    // As it stood before the corrections: everything was set by the import.
    let before = json(&env, &["blame", "--format", "json", "--at", "2015-10-04"]);
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["author"] == "山田")
    );
}

#[test]
fn diff_between_points_on_both_axes() {
    let env = audited();
    let d = json(&env, &["diff", "seq:357", "seq:361", "--format", "json"]);
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 4, "{d}");
    let by_seq: Vec<(u64, &str)> = changes
        .iter()
        .map(|c| (c["seq"].as_u64().unwrap(), c["field"].as_str().unwrap()))
        .collect();
    assert!(
        by_seq.contains(&(358, "rating")) && by_seq.contains(&(360, "follow_up")),
        "{by_seq:?}"
    );
    // Valid time: the year-end of FY2014 against the first half of FY2015.
    let d = json(
        &env,
        &["diff", "H26年度末", "H27上半期", "--format", "json"],
    );
    assert!(
        d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["period"] == "FY2015-H1")
    );
    // A point of the wrong form is a usage error (exit 2), as a bad --seq or --at is.
    assert!(
        env.run(&["diff", "#3", "seq:4"])
            .fails(2)
            .contains("no # or @")
    );
    assert!(
        env.run(&["diff", "seq:x", "seq:4"])
            .fails(2)
            .contains("seq:42")
    );
}

#[test]
fn both_time_axes_on_the_table_and_summary() {
    let env = audited();
    let now = json(&env, &["summary", "--format", "json"]);
    let before = json(&env, &["summary", "--format", "json", "--at", "2015-10-04"]);
    let by_seq = json(&env, &["summary", "--format", "json", "--seq", "357"]);
    assert_eq!(
        before, by_seq,
        "--at the end of 2015-10-04 JST is the state after the import (#357)"
    );
    assert_ne!(before, now);
    assert_eq!(before["follow_up"], 41);
    assert_eq!(now["follow_up"], 40);
    let as_of = json(&env, &["table", "--format", "json", "--as-of", "H26年度末"]);
    assert_eq!(as_of["periods"].as_array().unwrap().len(), 2);
    let combined = json(
        &env,
        &[
            "table",
            "--format",
            "json",
            "--as-of",
            "FY2014-YE",
            "--at",
            "2015-10-04",
        ],
    );
    let item2 = combined["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 2)
        .unwrap();
    assert_eq!(
        item2["ratings"]["FY2014-YE"], "B",
        "before 佐藤's re-evaluation"
    );
    let err = env.run(&["table", "--seq", "9999"]).fails(1).to_string();
    assert!(err.contains("there is no event seq:9999"), "{err}");
    let err = env
        .run(&["table", "--at", "2014-01-01"])
        .fails(1)
        .to_string();
    assert!(err.contains("had no events yet"), "{err}");
    let err = env
        .run(&["table", "--as-of", "H26下半期"])
        .fails(1)
        .to_string();
    assert!(err.contains("cannot read period"), "{err}");
}

#[test]
fn every_json_output_matches_its_schema() {
    let env = audited();
    assert_valid(
        "history.schema.json",
        &json(&env, &["history", "12", "--format", "json"]),
    );
    assert_valid(
        "history.schema.json",
        &json(&env, &["history", "--all", "--format", "json"]),
    );
    assert_valid(
        "blame.schema.json",
        &json(&env, &["blame", "--format", "json"]),
    );
    assert_valid(
        "diff.schema.json",
        &json(&env, &["diff", "seq:100", "seq:361", "--format", "json"]),
    );
    assert_valid(
        "diff.schema.json",
        &json(
            &env,
            &["diff", "H26上半期", "H27上半期", "--format", "json"],
        ),
    );
    assert_valid(
        "verify.schema.json",
        &json(&env, &["verify", "--format", "json"]),
    );
    assert_valid(
        "table.schema.json",
        &json(&env, &["table", "--format", "json"]),
    );
    assert_valid(
        "summary.schema.json",
        &json(&env, &["summary", "--format", "json"]),
    );
    for line in run(&env, &["log", "--format", "jsonl"]).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_valid("event.schema.json", &v);
    }
    // A ledger with people and a published, corrected round.
    let rounds = crate::test_rounds::published_with_a_correction();
    let point = crate::test_rounds::POINT;
    for (schema, args) in [
        (
            "round-status.schema.json",
            vec!["round", "status", point, "--format", "json"],
        ),
        (
            "round-notice.schema.json",
            vec!["round", "notice", point, "--format", "json"],
        ),
        (
            "history.schema.json",
            vec!["history", "--all", "--format", "json"],
        ),
        (
            "history.schema.json",
            vec!["history", "2", "--format", "json"],
        ),
        ("verify.schema.json", vec!["verify", "--format", "json"]),
    ] {
        assert_valid(schema, &json(&rounds.env, &args));
    }
}

/// History through the per-item index equals the full fold of the log for every item of the fixture
/// plus corrections (the ledger is written by the CLI, so snapshots are at the default interval: they are
/// tested in tests/runner/test_time_axes.rs).
#[test]
fn history_through_the_index_is_the_full_fold() {
    let env = audited();
    let l = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    assert!(matches!(
        l.derived(),
        hyoka::ledger::derived::Derived::Every(_)
    ));
    let state = l.state().unwrap();
    assert!(state.items.len() > 10);
    for n in state.items.keys() {
        let h = l.history(n, None).unwrap();
        assert!(!h.is_empty());
        assert_eq!(h, l.history_by_full_fold(n, None).unwrap(), "item {n}");
    }
    let corrected: Vec<_> = l.corrections().unwrap();
    assert!(!corrected.is_empty());
    for c in &corrected {
        assert!(l.history(&c.item.0, c.period).unwrap().contains(c));
    }
    l.verify(&mut |_, _| {}).unwrap();
}

#[test]
fn the_import_report_in_json_matches_its_schema() {
    let env = Env::new();
    let created = serde_json::from_str::<Value>(
        env.run(&[
            "import",
            seed().to_str().unwrap(),
            "-a",
            "山田",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_valid("import.schema.json", &created);
    assert_eq!(created["created"], true);
    assert_eq!(
        created["era"],
        serde_json::json!({"era": "heisei", "from": "default"})
    );
    assert_eq!(
        created["recorded"],
        serde_json::json!({"first_seq": 0, "events": 358})
    );
    assert_eq!(created["changes"].as_array().unwrap().len(), 357);
    env.run(&["rate", "2", "H26年度末", "S", "-a", "鈴木", "-m", "訂正"])
        .ok();
    let run = env.run(&[
        "import",
        crate::common::seed_v2().to_str().unwrap(),
        "-a",
        "佐藤",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    let conflicted: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid("import.schema.json", &conflicted);
    assert_eq!(conflicted["recorded"], Value::Null);
    assert_eq!(conflicted["conflicts"][0]["set_by"]["author"], "鈴木");
    let dry: Value = serde_json::from_str(
        env.run(&[
            "import",
            crate::common::seed_v2().to_str().unwrap(),
            "-a",
            "佐藤",
            "--prefer-file",
            "--dry-run",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    assert_valid("import.schema.json", &dry);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["changes"].as_array().unwrap().len(), 8);
}

/// One 120 KB remark on the bundled table made `blame` print 23 MB and `diff` 38 MB (every row padded
/// to its width), and abort on a 200,000-event ledger (a 5 GB string). Cells are now cut at
/// `audit_text::CELL_MAX` columns, and `--full` prints every value whole, row by row, unpadded.
#[test]
fn blame_and_diff_never_pad_rows_to_the_longest_text() {
    let env = audited();
    let long = format!("長文の理由等{}終わり", "長".repeat(39_995));
    assert!(long.len() >= 120_000);
    env.run_at(
        "2015-10-09T09:00:00+09:00",
        &["remark", "3", &long, "-a", "鈴木", "-m", "長文"],
    )
    .ok();
    let last = "seq:362";
    let views: [&[&str]; 3] = [&["blame"], &["diff", "seq:0", last], &["history", "3"]];
    for args in views {
        let text = run(&env, args);
        assert!(text.len() < 200_000, "{args:?}: {} bytes", text.len());
        assert!(!text.contains(&long), "{args:?}");
        assert!(
            text.contains("長文の理由等長長"),
            "{args:?}: the remark's start is shown"
        );
        for l in text.lines() {
            assert!(
                hyoka::views::width::display_width(l)
                    <= 8 * hyoka::views::audit_text::CELL_MAX + 7 * 2,
                "{args:?}: {l}"
            );
        }
        // --full: the whole remark exactly once, and no row padded to it.
        let full_args: Vec<&str> = args.iter().copied().chain(["--full"]).collect();
        let full = run(&env, &full_args);
        assert_eq!(full.matches(&long).count(), 1, "{args:?}");
        assert!(full.len() < text.len() + 2 * long.len(), "{args:?}");
        let wide: Vec<&str> = full.lines().filter(|l| l.len() > 1000).collect();
        assert_eq!(
            wide.len(),
            1,
            "{args:?}: only the remark's own line is long"
        );
    }
    let blame = run(&env, &["blame", "--full", "--period", "H27上半期"]);
    assert!(
        blame.contains(&format!(
            "item    3\nperiod  平成27年度上半期\nfield   remark\nvalue   {long}\nseq     #362\n"
        )),
        "one field per line"
    );
    let diff = run(&env, &["diff", "seq:361", last, "--full"]);
    assert!(
        diff.starts_with(&format!(
            "1 difference from seq:361 to {last}\nitem    3\nperiod  平成27年度上半期\nfield   remark\nfrom    市民活動支援公募事業について、順調に応募件数が伸びている。\nto      {long}\nseq     #362\n"
        )),
        "{}",
        &diff[..300]
    );
}

/// `audited()` plus item 12 re-rated B and back to A: the step a comparison of two points does not show.
fn changed_back() -> Env {
    let env = audited();
    for (at, grade, why) in [
        ("2015-11-05T23:30:00Z", "B", "入力誤り"),
        ("2015-11-06T09:00:00+09:00", "A", "入力誤りの取り消し"),
    ] {
        env.run_at(
            at,
            &["rate", "12", "H27上半期", grade, "-a", "鈴木", "-m", why],
        )
        .ok();
    }
    env
}

fn seqs(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn history_filters_by_event_time_department_and_item() {
    let env = changed_back();
    let all = json(&env, &["history", "--all", "--format", "json"]);
    let every: Vec<u64> = seqs(&all);
    assert!(
        every.contains(&358) && every.contains(&362) && every.contains(&363),
        "{every:?}"
    );
    // seq bounds are inclusive; the entries stay grouped by item.
    let since = seqs(&json(
        &env,
        &["history", "--all", "--since", "seq:362", "--format", "json"],
    ));
    assert_eq!(since, [362, 363]);
    let upto = seqs(&json(
        &env,
        &[
            "history", "--all", "--since", "seq:359", "--until", "seq:362", "--format", "json",
        ],
    ));
    let want: Vec<u64> = every
        .iter()
        .copied()
        .filter(|s| (359..=362).contains(s))
        .collect();
    assert_eq!(upto, want);
    // A date is a whole day in Japan time: 23:30 UTC on the 5th is 08:30 on the 6th in Japan.
    let day = seqs(&json(
        &env,
        &[
            "history",
            "12",
            "--since",
            "2015-11-06",
            "--until",
            "2015年11月6日",
            "--format",
            "json",
        ],
    ));
    assert_eq!(day, [362, 363]);
    let before = seqs(&json(
        &env,
        &["history", "12", "--until", "2015/11/05", "--format", "json"],
    ));
    assert!(
        before.iter().all(|s| *s < 362) && !before.is_empty(),
        "{before:?}"
    );
    // One item's corrections, with --all and --item.
    let twelve = json(
        &env,
        &["history", "--all", "--item", "１２", "--format", "json"],
    );
    assert!(
        twelve
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["item_id"] == "12")
    );
    assert_eq!(seqs(&twelve), [358, 359, 362, 363]);
    // By department: the items' department now, compared under NFKC.
    let t = json(&env, &["table", "--format", "json"]);
    let dept = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "12")
        .map(|i| i["department"].as_str().unwrap().to_string())
        .unwrap();
    let by_dept = json(
        &env,
        &[
            "history",
            "--all",
            "--department",
            &dept,
            "--format",
            "json",
        ],
    );
    assert!(!by_dept.as_array().unwrap().is_empty());
    for e in by_dept.as_array().unwrap() {
        let item = t["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == e["item_id"])
            .unwrap();
        assert_eq!(item["department"].as_str(), Some(dept.as_str()), "{e}");
    }
    assert!(
        env.run(&["history", "--all", "--department", "存在しない課"])
            .fails(1)
            .contains("the departments are:")
    );
    // Filters that leave nothing say so; bad bounds are usage errors.
    assert_eq!(
        run(&env, &["history", "--all", "--since", "seq:900"]).trim(),
        "no changes match these filters"
    );
    assert_eq!(
        run(&env, &["history", "--all", "--author", "誰でもない"]).trim(),
        "no corrections match these filters"
    );
    for bad in ["yesterday", "seq:x", "#359", "2015-13-01"] {
        let r = env.run(&["history", "--all", "--since", bad]);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("seq:N"), "{bad}: {}", r.stderr);
    }
}

/// After a department's sheet for a new point is imported, `history --all --since seq:N` (N the first
/// event of the import) lists every change it recorded, the new point's first values included, not only
/// the corrections; without a stretch, `--all` lists the corrections, and the report (`--format md`)
/// keeps to them within a stretch too.
#[test]
fn a_stretch_of_the_log_lists_every_change_in_it() {
    let env = Env::new();
    env.run(&["import", seed().to_str().unwrap(), "-a", "山田"])
        .ok();
    env.run(&[
        "rate",
        "12",
        "H27上半期",
        "A",
        "-a",
        "鈴木",
        "-m",
        "所管課からの報告により訂正",
    ])
    .ok();
    let sheet = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sheet-FY2015-YE_政策課-filled.csv");
    let imported = env.run(&[
        "import",
        sheet.to_str().unwrap(),
        "-a",
        "政策課",
        "-m",
        "評価シート",
    ]);
    assert!(
        imported.ok().contains("recorded 4 events (#359..#362)"),
        "{imported:?}"
    );
    let since = json(
        &env,
        &["history", "--all", "--since", "seq:359", "--format", "json"],
    );
    let got: Vec<(String, String, String, String)> = since
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["item_id"].as_str().unwrap().to_string(),
                e["field"].as_str().unwrap().to_string(),
                e["period"].as_str().unwrap().to_string(),
                e["old"].to_string(),
            )
        })
        .collect();
    let first = |item: &str, field: &str| {
        (
            item.to_string(),
            field.to_string(),
            "FY2015-YE".to_string(),
            "null".to_string(),
        )
    };
    assert_eq!(
        got,
        [
            first("12", "rating"),
            first("21", "rating"),
            first("21", "follow_up"),
            first("21", "remark"),
        ],
        "{since}"
    );
    assert_eq!(seqs(&since), [359, 360, 361, 362]);
    // From the correction on: the correction too, grouped by item; the text lists the same.
    let from = seqs(&json(
        &env,
        &["history", "--all", "--since", "seq:358", "--format", "json"],
    ));
    assert_eq!(from, [358, 359, 360, 361, 362]);
    let text = run(&env, &["history", "--all", "--since", "seq:358"]);
    for seq in 358..=362 {
        assert!(text.contains(&format!("#{seq} ")), "#{seq} in {text}");
    }
    // Without a stretch, every correction (not the first values); the report keeps to corrections.
    let all = seqs(&json(&env, &["history", "--all", "--format", "json"]));
    assert!(
        all.contains(&358) && !all.iter().any(|s| (359..=362).contains(s)),
        "{all:?}"
    );
    let md = run(
        &env,
        &["history", "--all", "--since", "seq:358", "--format", "md"],
    );
    assert!(md.contains("所管課からの報告により訂正"), "{md}");
    assert!(!md.contains("評価シート"), "{md}");
}

#[test]
fn diff_every_lists_the_steps_between_two_moments() {
    let env = changed_back();
    // The comparison alone shows no difference for item 12: it went A → B → A.
    let plain = json(&env, &["diff", "seq:361", "seq:363", "--format", "json"]);
    assert_eq!(plain["changes"], serde_json::json!([]));
    assert!(plain.get("every").is_none());
    let every = json(
        &env,
        &["diff", "seq:361", "seq:363", "--every", "--format", "json"],
    );
    assert_valid("diff.schema.json", &every);
    let steps: Vec<(u64, &str, &str)> = every["every"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["old"].as_str().unwrap(),
                e["new"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(steps, [(362, "A", "B"), (363, "B", "A")]);
    // The points may be given in either order, and as times.
    let back = json(
        &env,
        &[
            "diff",
            "at:2015-11-06T09:00:00+09:00",
            "at:2015-10-31",
            "--every",
            "--format",
            "json",
        ],
    );
    assert_eq!(back["every"], every["every"]);
    let text = run(&env, &["diff", "seq:361", "seq:363", "--every"]);
    assert!(
        text.starts_with("no differences between seq:361 and seq:363"),
        "{text}"
    );
    assert!(
        text.contains("every change recorded between seq:361 and seq:363 (2), in order:"),
        "{text}"
    );
    assert!(
        text.contains("A → B") && text.contains("入力誤りの取り消し"),
        "{text}"
    );
    // A period is a point of valid time, not a moment of the log.
    let e = env
        .run(&["diff", "H26年度末", "H27上半期", "--every"])
        .fails(2)
        .to_string();
    assert!(e.contains("seq:N or at:TIME"), "{e}");
}

/// The entries of `diff --every` are those of `history`: the two schemas say the same.
#[test]
fn the_diff_schema_describes_every_entry_as_the_history_schema_does() {
    let read = |name: &str| -> Value {
        let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let (diff, history) = (read("diff.schema.json"), read("history.schema.json"));
    assert_eq!(diff["$defs"]["historyEntry"], history["items"]);
    for def in ["itemId", "itemNumber", "periodId", "value"] {
        assert_eq!(diff["$defs"][def], history["$defs"][def], "{def}");
    }
}
