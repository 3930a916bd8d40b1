//! Hostile content through the CLI: text that could forge terminal output, control characters, huge
//! and malformed input, and spreadsheet formulas. Stored faithfully or refused in one line; never raw
//! on a terminal.

use crate::common::{Env, Run};

/// A remark that tries to reorder and forge terminal output: a right-to-left override, a tab and a
/// second line (remarks may hold tabs and line breaks).
const REMARK: &str = "注意\u{202E}txt.exe\tタブ\n二行目";
const TITLE: &str = "題名\u{202E}evil\u{2066}x";
const AUTHOR: &str = "山田\u{202E}";
const REASON: &str = "理由\u{200F}\n二行目";

/// Would `c` change what a terminal shows, if printed raw? (Line ends are the output's own.)
fn forges(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[track_caller]
fn assert_terminal_safe(what: &str, run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if let Some(c) = text.chars().find(|&c| forges(c)) {
            panic!(
                "{what}: {stream} holds the raw character {}: {text}",
                c.escape_unicode()
            );
        }
    }
}

const DEPARTMENT: &str = "課\u{200F}";
const HEADING: &str = "見出し\u{2067}";

/// A ledger holding the hostile texts: item 1 with the remark (and a hostile reason), item 3 with the
/// title, a hostile department and heading, registered by a hostile author; returns the seq of the
/// last event. Identifiers (authors, departments, headings) that hold bidi controls are refused now
/// (hyoka::domain::ident), so item 3 is registered as a ledger written before that rule holds it.
fn hostile_ledger(env: &Env) -> u64 {
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "山田", "-m", "評価"])
        .ok();
    let out = env.run(&[
        "remark",
        "1",
        REMARK,
        "--period",
        "H26上半期",
        "-a",
        "山田",
        "-m",
        REASON,
    ]);
    assert_terminal_safe("remark", &out);
    assert!(out.ok().contains("\\u{202e}"), "{}", out.stdout);
    let out = env.run(&[
        "item",
        "add",
        "3",
        TITLE,
        "--department",
        DEPARTMENT,
        "--category",
        HEADING,
        "-a",
        AUTHOR,
        "-m",
        "登録",
    ]);
    assert_terminal_safe("item add", &out);
    assert!(out.fails(1).contains("U+"), "{}", out.stderr);
    env.append_recorded_before_the_rules(
        AUTHOR,
        REASON,
        &[
            hyoka::domain::event::Change::CategoryAdded {
                name: HEADING.into(),
            },
            hyoka::domain::event::Change::ItemRegistered {
                id: hyoka::domain::item_id::ItemId::from_number(3),
                title: TITLE.into(),
                department: DEPARTMENT.into(),
                category: HEADING.into(),
                relisting_of: None,
                from: None,
                after: None,
            },
        ],
    );
    env.run(&["rate", "3", "H26上半期", "B", "-a", "山田", "-m", "評価"])
        .ok();
    8
}

/// Whether a JSON value holds the string `s` somewhere.
fn holds(v: &serde_json::Value, s: &str) -> bool {
    match v {
        serde_json::Value::String(t) => t == s,
        serde_json::Value::Array(a) => a.iter().any(|v| holds(v, s)),
        serde_json::Value::Object(o) => o.values().any(|v| holds(v, s)),
        _ => false,
    }
}

#[test]
fn bidi_and_control_characters_never_reach_the_terminal_raw() {
    let env = Env::new();
    let last = hostile_ledger(&env).to_string();
    let diff_to = format!("seq:{last}");
    let views: Vec<Vec<&str>> = vec![
        vec!["table"],
        vec!["table", "--full"],
        vec!["table", "--format", "md"],
        vec!["summary"],
        vec!["history", "1"],
        vec!["history", "3"],
        vec!["history", "--all"],
        vec!["history", "1", "--format", "md"],
        vec!["history", "--all", "--format", "md"],
        vec!["blame"],
        vec!["blame", "--period", "H26上半期"],
        vec!["log"],
        vec!["diff", "seq:3", &diff_to],
        vec!["verify"],
    ];
    for args in &views {
        let run = env.run(args);
        assert_terminal_safe(&format!("{args:?}"), &run);
        run.ok();
    }
    // The escapes are visible, so a reader sees that something is there.
    let log = env.run(&["log"]).ok().to_string();
    assert!(
        log.contains("注意\\u{202e}txt.exe\\tタブ\\n二行目"),
        "{log}"
    );
    assert!(log.contains("山田\\u{202e}"), "{log}");

    // Error messages that echo the input are escaped too.
    for args in [
        vec!["rate", "1", "H26上半期", "Z\u{202E}", "-a", "a", "-m", "m"],
        vec!["rate", "1", "H26\u{202E}上半期", "A", "-a", "a", "-m", "m"],
        vec!["history", "1", "--period", "x\u{1b}[2J"],
        vec!["diff", "seq:1", "at:\u{202E}2015"],
    ] {
        let run = env.run(&args);
        assert_terminal_safe(&format!("{args:?}"), &run);
        assert!(run.code == 1 || run.code == 2, "{args:?}: {}", run.stderr);
        run.fails(run.code);
    }

    // JSON carries the exact text.
    let table: serde_json::Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).unwrap();
    let items = table["items"].as_array().unwrap();
    let item = |n: u64| items.iter().find(|i| i["number"] == n).unwrap();
    assert_eq!(item(1)["remark"], REMARK);
    assert_eq!(item(3)["title"], TITLE);
    let jsonl = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let events: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let remark = events
        .iter()
        .find(|e| e["change"]["kind"] == "remark.set")
        .unwrap();
    assert_eq!(remark["change"]["text"], REMARK);
    assert_eq!(remark["reason"], REASON);
    let registered = events
        .iter()
        .find(|e| e["change"]["kind"] == "item.registered" && e["change"]["item"] == 3)
        .unwrap();
    assert_eq!(registered["author"], AUTHOR);
    assert_eq!(registered["reason"], REASON);
    assert_eq!(registered["change"]["department"], DEPARTMENT);
    assert_eq!(registered["change"]["category"], HEADING);
    let history = env
        .run(&["history", "1", "--format", "json"])
        .ok()
        .to_string();
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert!(holds(&history, REMARK), "{history}");
    let history = env
        .run(&["history", "3", "--format", "json"])
        .ok()
        .to_string();
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert!(holds(&history, AUTHOR), "{history}");
}

#[test]
fn control_characters_in_authors_reasons_and_titles_are_refused_in_one_line() {
    let env = Env::new();
    env.with_items();
    let before = env.snapshot();
    for (args, needle) in [
        (
            vec![
                "rate",
                "1",
                "H26上半期",
                "A",
                "-a",
                "a\u{1b}[31m",
                "-m",
                "m",
            ],
            "the author contains the control character \\u{1b}",
        ),
        (
            vec![
                "rate",
                "1",
                "H26上半期",
                "A",
                "-a",
                "a",
                "-m",
                "r\u{1b}]0;title\u{7}",
            ],
            "the reason contains the control character \\u{1b}",
        ),
        (
            vec!["rate", "1", "H26上半期", "A", "-a", "a\tb", "-m", "m"],
            "the author contains the control character \\u{9}",
        ),
        (
            vec!["rate", "1", "H26上半期", "A", "-a", "a\nb", "-m", "m"],
            "the author contains the control character \\u{a}",
        ),
        (
            vec![
                "rate",
                "1",
                "H26上半期",
                "A",
                "-a",
                "a",
                "-m",
                "carriage\rreturn",
            ],
            "the reason contains the control character \\u{d}",
        ),
        (
            vec![
                "remark",
                "1",
                "bell\u{7}",
                "--period",
                "H26上半期",
                "-a",
                "a",
                "-m",
                "m",
            ],
            "the remark contains the control character \\u{7}",
        ),
        (
            vec![
                "item", "amend", "1", "--title", "t\u{85}", "-a", "a", "-m", "m",
            ],
            "control character \\u{85}",
        ),
    ] {
        let run = env.run(&args);
        assert_terminal_safe(&format!("{args:?}"), &run);
        let err = run.fails(1).to_string();
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(env.snapshot(), before, "{args:?} changed the ledger");
    }

    // NUL cannot travel in a command-line argument; through the library and an imported file it is
    // refused like any control character.
    let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let period = hyoka::domain::period::Period::parse("H26上半期", None).unwrap();
    let meta = |author: &str, reason: &str| hyoka::Meta {
        author: author.into(),
        reason: reason.into(),
        source: None,
        recorded_at: hyoka::domain::when::parse_rfc3339("2016-01-01T00:00:00Z").unwrap(),
        new_point: false,
        signer: None,
    };
    let change = hyoka::domain::event::Change::RemarkSet {
        item: hyoka::domain::item_id::ItemId::from_number(1),
        period,
        text: "ok".into(),
    };
    for m in [meta("a\0b", "m"), meta("a", "m\0")] {
        let e = ledger
            .append(&m, std::slice::from_ref(&change))
            .unwrap_err()
            .to_string();
        assert!(e.contains("control character \\u{0}"), "{e}");
    }
    drop(ledger);
    env.run(&["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
    env.run(&[
        "remark",
        "1",
        "marker",
        "--period",
        "H26上半期",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let before = env.snapshot();
    let tsv = env.run(&["table", "--format", "tsv"]).ok().to_string();
    let file = env.dir.path().join("nul.tsv");
    std::fs::write(&file, tsv.replace("marker", "mark\0er")).unwrap();
    let run = env.run(&[
        "import",
        &file.to_string_lossy(),
        "-a",
        "a",
        "--prefer-file",
    ]);
    assert_terminal_safe("import with NUL", &run);
    let err = run.fails(1).to_string();
    assert!(err.contains("control character \\u{0}"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn big_texts_are_stored_up_to_the_event_limit_and_refused_clearly_past_it() {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
    // 100 KB: stored, and read back exactly.
    let big = format!("始まり{}終わり", "x".repeat(100_000));
    let out = env.run(&[
        "remark",
        "1",
        &big,
        "--period",
        "H26上半期",
        "-a",
        "a",
        "-m",
        "m",
    ]);
    assert!(out.ok().starts_with("recorded #"), "{}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 1);
    let table: serde_json::Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).unwrap();
    assert_eq!(table["items"][0]["remark"], big.as_str());
    let jsonl = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let last: serde_json::Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
    assert_eq!(last["change"]["text"], big.as_str());
    env.run(&["verify"]).ok();

    // Over 1 MiB, through an imported file (a command-line argument that long cannot even be passed):
    // refused in one line, nothing recorded.
    let before = env.snapshot();
    let tsv = env.run(&["table", "--format", "tsv"]).ok().to_string();
    let file = env.dir.path().join("huge.tsv");
    let huge = "y".repeat(1_100_000);
    std::fs::write(&file, tsv.replace(&big, &huge)).unwrap();
    let run = env.run(&[
        "import",
        &file.to_string_lossy(),
        "-a",
        "a",
        "--prefer-file",
    ]);
    let err = run.fails(1).to_string();
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(
        err.contains("over the limit of 1048576; shorten the longest text"),
        "{err}"
    );
    assert_eq!(env.snapshot(), before);

    // The same through the library, for a 1 MiB remark.
    let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let meta = hyoka::Meta {
        author: "a".into(),
        reason: "m".into(),
        source: None,
        recorded_at: hyoka::domain::when::parse_rfc3339("2016-01-01T00:00:00Z").unwrap(),
        new_point: false,
        signer: None,
    };
    let change = hyoka::domain::event::Change::RemarkSet {
        item: hyoka::domain::item_id::ItemId::from_number(2),
        period: hyoka::domain::period::Period::parse("H26上半期", None).unwrap(),
        text: "z".repeat(1 << 20),
    };
    let e = ledger.append(&meta, &[change]).unwrap_err().to_string();
    assert!(e.contains("over the limit of 1048576"), "{e}");
    drop(ledger);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn malformed_files_are_refused_in_one_line() {
    let env = Env::new();
    env.with_items();
    let before = env.snapshot();
    let mut bytes = std::fs::read(crate::common::seed()).unwrap();
    let at = bytes.len() / 2;
    bytes.insert(at, 0xff);
    let file = env.dir.path().join("broken.tsv");
    std::fs::write(&file, &bytes).unwrap();
    let run = env.run(&["import", &file.to_string_lossy(), "-a", "a"]);
    let err = run.fails(1).to_string();
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(err.contains("is neither UTF-8 text"), "{err}");
    assert_eq!(env.snapshot(), before);

    // A checkpoint file that is not UTF-8, or not a checkpoint.
    for (name, content) in [
        ("bad-utf8.txt", b"example/plan\n\xff\xfe\n".to_vec()),
        ("garbage.txt", b"\x1b[2Jnot a checkpoint\n".to_vec()),
    ] {
        let file = env.dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let run = env.run(&["verify", "--checkpoint", &file.to_string_lossy()]);
        assert_terminal_safe(name, &run);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        assert!(run.code == 1 || run.code == 3, "{name}: {}", run.stderr);
    }
}

#[test]
fn csv_formulas_are_neutralised_and_undone_on_import() {
    let env = Env::new();
    env.with_items();
    let title = "=HYPERLINK(\"http://evil.example\",\"click\")";
    let remark = "@SUM(A1:A9)\n-2+3";
    env.run(&[
        "item",
        "amend",
        "1",
        "--title",
        title,
        "--department",
        "+課",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
    env.run(&[
        "remark",
        "1",
        remark,
        "--period",
        "H26上半期",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let file = env.dir.path().join("export.csv");
    env.run(&[
        "table",
        "--format",
        "csv",
        "--output",
        &file.to_string_lossy(),
    ])
    .ok();
    let bytes = std::fs::read(&file).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(&bytes));
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    assert!(String::from_utf8_lossy(&bytes).contains("'=HYPERLINK("));

    // Importing the export into a new ledger gives back the exact texts.
    let other = Env::new();
    other
        .run(&["import", &file.to_string_lossy(), "-a", "山田"])
        .ok();
    let table: serde_json::Value =
        serde_json::from_str(other.run(&["table", "--format", "json"]).ok()).unwrap();
    let item = &table["items"][0];
    assert_eq!(item["title"], title);
    assert_eq!(item["department"], "+課");
    assert_eq!(item["remark"], remark);
}

#[test]
fn tsv_refuses_what_it_cannot_hold_and_markdown_escapes() {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
    env.run(&[
        "remark",
        "1",
        "a\tb",
        "--period",
        "H26上半期",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let run = env.run(&["table", "--format", "tsv"]);
    let err = run.fails(1).to_string();
    assert!(
        err.contains("item 1") && err.contains("which a TSV cell cannot hold"),
        "{err}"
    );
    env.run(&[
        "item",
        "amend",
        "2",
        "--title",
        "a|b <script>",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let md = env.run(&["table", "--format", "md"]).ok().to_string();
    assert!(md.contains("a\\|b &lt;script&gt;"), "{md}");
}
