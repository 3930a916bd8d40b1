//! Identifiers (authors, departments, headings, grades, item numbers): characters that do not show
//! when printed are refused, naming them, except a kanji's variation selector; names are compared
//! under NFKC; grades are recorded in NFKC; and a ledger written before these rules keeps verifying,
//! its text shown escaped (hyoka::domain::ident, schema/FORMAT.md "Identifiers and text").

use hyoka::domain::event::Change;
use hyoka::domain::period::Period;

use crate::common::{Env, Run, seed};

/// The characters of the issue, and the other kinds the rule names, with their names.
const INVISIBLE: &[(char, &str)] = &[
    ('\u{200B}', "U+200B ZERO WIDTH SPACE"),
    ('\u{00AD}', "U+00AD SOFT HYPHEN"),
    ('\u{FEFF}', "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ('\u{3164}', "U+3164 HANGUL FILLER"),
    ('\u{FFA0}', "U+FFA0 HALFWIDTH HANGUL FILLER"),
    ('\u{2800}', "U+2800 BRAILLE PATTERN BLANK"),
    ('\u{200D}', "U+200D ZERO WIDTH JOINER"),
    ('\u{2028}', "U+2028 LINE SEPARATOR"),
    ('\u{2029}', "U+2029 PARAGRAPH SEPARATOR"),
    ('\u{E0000}', "U+E0000 (unassigned, default ignorable)"),
    ('\u{E0041}', "U+E0041 TAG LATIN CAPITAL LETTER A"),
    ('\u{E007F}', "U+E007F CANCEL TAG"),
    ('\u{2060}', "U+2060 WORD JOINER"),
    ('\u{FE0F}', "U+FE0F VARIATION SELECTOR-16"),
];

/// One error line, exit 1, naming `named` at `position`, nothing else on stderr.
#[track_caller]
fn refused(run: &Run, named: &str, position: usize) -> String {
    let err = run.fails(1).to_string();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        err.contains(&format!("{named} at position {position},")),
        "expected {named} at position {position}: {err}"
    );
    assert!(err.contains("again without it"), "says what to do: {err}");
    err
}

#[test]
fn invisible_characters_no_longer_pass_as_identity_on_the_command_line() {
    let env = Env::new();
    env.with_items();
    let before = env.snapshot();
    for &(c, named) in INVISIBLE {
        // Kana around it: a variation selector directly after a kanji is the exception.
        let name = format!("やま{c}だ");
        let cases: Vec<(Vec<String>, &str, usize)> = vec![
            (
                vec!["rate", "1", "H26上半期", "A", "-a", &name, "-m", "評価"]
                    .into_iter()
                    .map(String::from)
                    .collect(),
                "author",
                3,
            ),
            (
                [
                    "item",
                    "add",
                    "3",
                    "題名",
                    "--department",
                    &name,
                    "--category",
                    "地域協働の推進",
                    "-a",
                    "山田",
                    "-m",
                    "登録",
                ]
                .map(String::from)
                .to_vec(),
                "department",
                3,
            ),
            (
                [
                    "item",
                    "add",
                    "3",
                    "題名",
                    "--department",
                    "市民課",
                    "--category",
                    &name,
                    "-a",
                    "山田",
                    "-m",
                    "登録",
                ]
                .map(String::from)
                .to_vec(),
                "heading",
                3,
            ),
            (
                [
                    "item",
                    "amend",
                    "1",
                    "--department",
                    &name,
                    "-a",
                    "山田",
                    "-m",
                    "訂正",
                ]
                .map(String::from)
                .to_vec(),
                "department",
                3,
            ),
            (
                [
                    "rate",
                    "1",
                    "H26上半期",
                    &format!("A{c}"),
                    "-a",
                    "山田",
                    "-m",
                    "評価",
                ]
                .map(String::from)
                .to_vec(),
                "grade",
                2,
            ),
            (
                [
                    "rate",
                    &format!("1{c}"),
                    "H26上半期",
                    "A",
                    "-a",
                    "山田",
                    "-m",
                    "評価",
                ]
                .map(String::from)
                .to_vec(),
                "item id",
                2,
            ),
            (
                [
                    "init",
                    "--plan",
                    "計画",
                    "--grades",
                    &format!("S,A{c},B"),
                    "--origin",
                    "example/other",
                ]
                .map(String::from)
                .to_vec(),
                "grade",
                2,
            ),
        ];
        for (args, field, position) in cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = env.run(&args);
            let err = refused(&run, named, position);
            assert!(err.contains(&format!("the {field} `")), "{args:?}: {err}");
            // The character itself is shown escaped.
            assert!(!err.contains(c), "{args:?}: {err:?}");
            assert!(err.contains(&c.escape_unicode().to_string()), "{err}");
        }
    }
    assert_eq!(env.snapshot(), before, "nothing was recorded");

    // Through the library as well: the author, and each change before it is encoded.
    let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let meta = |author: &str| hyoka::Meta {
        author: author.into(),
        reason: "m".into(),
        source: None,
        recorded_at: hyoka::domain::when::parse_rfc3339("2016-01-01T00:00:00Z").unwrap(),
        new_point: false,
        signer: None,
    };
    let period = Period::parse("H26上半期", None).unwrap();
    let rate = |grade: &str| Change::RatingRecorded {
        item: hyoka::domain::item_id::ItemId::from_number(1),
        period,
        grade: grade.into(),
    };
    let e = ledger
        .append(&meta("山\u{200B}田"), &[rate("A")])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("U+200B ZERO WIDTH SPACE at position 2"),
        "{e}"
    );
    for change in [
        rate("A\u{2800}"),
        Change::CategoryAdded {
            name: "見出し\u{3164}".into(),
        },
        Change::ItemAmended {
            id: hyoka::domain::item_id::ItemId::from_number(2),
            title: None,
            department: Some("課\u{00AD}".into()),
            category: None,
            relisting_of: None,
            from: None,
            after: None,
        },
    ] {
        let e = ledger.append(&meta("山田"), &[change]).unwrap_err();
        assert!(
            e.to_string().contains("a character that does not show"),
            "{e}"
        );
    }
    drop(ledger);
    assert_eq!(env.snapshot(), before, "nothing was recorded");
}

/// The seed table with line `n` changed by `f`.
fn seed_with(n: usize, f: impl Fn(&str) -> String) -> Vec<u8> {
    let text = std::fs::read_to_string(seed()).unwrap();
    text.split('\n')
        .enumerate()
        .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

#[test]
fn invisible_characters_no_longer_pass_as_identity_in_an_imported_file() {
    let env = Env::new();
    // Line 5: `地域協働の推進 \t 1 市民活動…\t 市民協働・男女参画推進課 \t A …`. Each character goes
    // after a kana or a sign: a variation selector directly after a kanji is the exception.
    for &(c, named) in INVISIBLE {
        let cases: Vec<(&str, Vec<u8>, &str, usize)> = vec![
            (
                "heading",
                seed_with(5, |l| {
                    l.replacen("地域協働の", &format!("地域協働の{c}"), 1)
                }),
                "line 5, column 1: the heading `",
                6,
            ),
            (
                "item id",
                seed_with(5, |l| l.replacen("\t1 ", &format!("\t1{c} "), 1)),
                "line 5, column 2 (項目): the item id `",
                2,
            ),
            (
                "department",
                seed_with(5, |l| {
                    l.replacen("\t市民協働・", &format!("\t市民協働・{c}"), 1)
                }),
                "line 5, column 3 (主な推進担当課): the department `",
                6,
            ),
            (
                "grade",
                seed_with(5, |l| l.replacen("\tA\t", &format!("\tA{c}\t"), 1)),
                "line 5, column 4 (26年度上半期): the grade `",
                2,
            ),
        ];
        for (field, bytes, needle, position) in cases {
            let file = env.dir.path().join("table.tsv");
            std::fs::write(&file, bytes).unwrap();
            let run = env.run(&["import", file.to_str().unwrap(), "-a", "山田"]);
            assert_eq!(run.code, 1, "{field} {named}: {}", run.stdout);
            let err = refused(&run, named, position);
            assert!(err.contains(needle), "{field}: {err}");
            assert!(!env.ledger().exists(), "{field}: no ledger is created");
        }
        // The author of an import, dry run or not.
        for dry in [true, false] {
            let seed = seed();
            let mut args = vec!["import", seed.to_str().unwrap()];
            let author = format!("やま{c}だ");
            args.extend(["-a", &author]);
            if dry {
                args.push("--dry-run");
            }
            let run = env.run(&args);
            let err = refused(&run, named, 3);
            assert!(err.contains("the author `"), "{err}");
            assert!(!env.ledger().exists());
        }
    }
}

#[test]
fn a_kanji_with_its_variation_selector_is_accepted_as_a_department() {
    // 葛󠄀 (U+845B U+E0100): the registered glyph of 葛 in official names such as 葛󠄀飾区.
    const KATSUSHIKA: &str = "葛\u{E0100}飾区";
    let env = Env::new();
    env.with_items();
    env.run(&[
        "item",
        "add",
        "3",
        "区との連携",
        "--department",
        KATSUSHIKA,
        "--category",
        "地域協働の推進",
        "-a",
        "葛\u{E0101}西",
        "-m",
        "登録",
    ])
    .ok();
    let table: serde_json::Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).unwrap();
    let item = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 3)
        .unwrap();
    assert_eq!(item["department"], KATSUSHIKA);
    // Shown as itself, not escaped: it is part of the name.
    let log = env.run(&["log"]).ok().to_string();
    assert!(log.contains(KATSUSHIKA), "{log}");
    assert!(log.contains("葛\u{E0101}西"), "{log}");
    assert!(!log.contains("\\u{e0100}"), "{log}");
    env.run(&["verify"]).ok();

    // And in an imported file.
    let other = Env::new();
    let file = other.dir.path().join("table.tsv");
    std::fs::write(
        &file,
        seed_with(5, |l| {
            l.replacen("\t市民協働", "\t葛\u{E0100}飾区市民協働", 1)
        }),
    )
    .unwrap();
    other
        .run(&["import", file.to_str().unwrap(), "-a", "山田"])
        .ok();
    let table = other.run(&["table", "--format", "json"]).ok().to_string();
    assert!(table.contains("葛\u{E0100}飾区市民協働"), "{table}");
}

/// The history rows (JSON) of item 1 that `--author NAME` selects.
fn rows_by(env: &Env, name: &str) -> Vec<serde_json::Value> {
    let out = env
        .run(&["history", "1", "--author", name, "--format", "json"])
        .ok()
        .to_string();
    serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap()
}

#[test]
fn history_author_finds_the_nfkc_equal_forms_of_a_name() {
    let env = Env::new();
    env.with_items();
    // Half-width katakana and full-width parentheses and letters, as different offices type them.
    for (grade, author) in [
        ("A", "ヤマダ(企画)"),
        ("B", "ﾔﾏﾀﾞ（企画）"),
        ("S", "ﾔﾏﾀﾞ(企画)"),
        ("A", "鈴木"),
    ] {
        env.run(&["rate", "1", "H26上半期", grade, "-a", author, "-m", "評価"])
            .ok();
    }
    for name in ["ヤマダ(企画)", "ﾔﾏﾀﾞ（企画）", "ヤマダ（企画）"] {
        let rows = rows_by(&env, name);
        assert_eq!(rows.len(), 3, "{name}: {rows:?}");
        // Each as recorded: stored as given.
        let authors: Vec<&str> = rows.iter().filter_map(|r| r["author"].as_str()).collect();
        assert_eq!(
            authors,
            ["ヤマダ(企画)", "ﾔﾏﾀﾞ（企画）", "ﾔﾏﾀﾞ(企画)"],
            "{name}"
        );
    }
    assert_eq!(rows_by(&env, "鈴木").len(), 1);
    assert_eq!(rows_by(&env, "ヤマダ").len(), 0);
    // Full-width Latin letters and the ideographic space too.
    env.run(&[
        "flag",
        "1",
        "on",
        "-a",
        "ＹＡＭＡＤＡ　Ｔａｒｏ",
        "-m",
        "確認",
    ])
    .ok();
    assert_eq!(rows_by(&env, "YAMADA Taro").len(), 1);
}

#[test]
fn grades_and_item_numbers_typed_full_width_are_recorded_in_nfkc() {
    let env = Env::new();
    env.run(&[
        "init",
        "--plan",
        "計画",
        "--grades",
        "Ｓ,Ａ,Ｂ",
        "--era",
        "heisei",
        "--origin",
        "example/plan",
    ])
    .ok();
    env.run(&[
        "item",
        "add",
        "１２",
        "題名",
        "--department",
        "市民課",
        "--category",
        "見出し",
        "-a",
        "山田",
        "-m",
        "登録",
    ])
    .ok();
    let out = env
        .run(&[
            "rate",
            "１２",
            "H26上半期",
            "Ａ",
            "-a",
            "山田",
            "-m",
            "評価",
        ])
        .ok()
        .to_string();
    assert!(out.contains("item 12") && out.contains("rating A"), "{out}");
    let log = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        events[0]["change"]["grades"],
        serde_json::json!(["S", "A", "B"])
    );
    let rating = events.last().unwrap();
    assert_eq!(rating["change"]["grade"], "A");
    assert_eq!(rating["change"]["item"], 12);
    // A heading typed in another width is the same heading, spelled as the ledger has it.
    env.run(&[
        "item",
        "add",
        "13",
        "題名",
        "--department",
        "市民課",
        "--category",
        "見出し",
        "-a",
        "山田",
        "-m",
        "登録",
    ])
    .ok();
    env.run(&[
        "item",
        "add",
        "14",
        "題名",
        "--department",
        "ＡＢ課",
        "--category",
        "ＰＤＣＡ",
        "-a",
        "山田",
        "-m",
        "登録",
    ])
    .ok();
    env.run(&[
        "item",
        "amend",
        "13",
        "--category",
        "PDCA",
        "-a",
        "山田",
        "-m",
        "訂正",
    ])
    .ok();
    let table: serde_json::Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).unwrap();
    let item = |n: u64| {
        table["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(item(13)["category"], "ＰＤＣＡ");
    // Departments are stored as given.
    assert_eq!(item(14)["department"], "ＡＢ課");

    // An imported file with full-width grades and names in another width changes nothing it
    // already says, and records its grades in NFKC.
    let tsv = env.run(&["table", "--format", "tsv"]).ok().to_string();
    let wide = tsv
        .replace("\tA\t", "\tＡ\t")
        .replace("ＡＢ課", "AB課")
        .replace("ＰＤＣＡ", "PDCA");
    assert_ne!(wide, tsv);
    let file = env.dir.path().join("wide.tsv");
    std::fs::write(&file, &wide).unwrap();
    let out = env
        .run(&["import", file.to_str().unwrap(), "-a", "山田"])
        .ok()
        .to_string();
    assert!(out.contains("the file matches the ledger"), "{out}");
    let other = Env::new();
    let file = other.dir.path().join("wide.tsv");
    std::fs::write(&file, &wide).unwrap();
    other
        .run(&["import", file.to_str().unwrap(), "-a", "山田"])
        .ok();
    let log = other.run(&["log", "--format", "jsonl"]).ok().to_string();
    assert!(log.contains("\"grade\":\"A\""), "{log}");
    assert!(!log.contains('Ａ'), "{log}");
}

#[test]
fn a_ledger_written_before_the_rule_still_verifies_and_shows_its_invisible_text_escaped() {
    let env = Env::new();
    env.with_items();
    let period = Period::parse("H26上半期", None).unwrap();
    env.append_recorded_before_the_rules(
        "山\u{200B}田",
        "旧版で入力",
        &[
            Change::CategoryAdded {
                name: "見出し\u{2067}".into(),
            },
            Change::ItemRegistered {
                id: hyoka::domain::item_id::ItemId::from_number(3),
                title: "題名".into(),
                department: "課\u{FEFF}".into(),
                category: "見出し\u{2067}".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
            Change::RatingRecorded {
                item: hyoka::domain::item_id::ItemId::from_number(1),
                period,
                grade: "A".into(),
            },
        ],
    );
    let out = env.run(&["verify"]).ok().to_string();
    assert!(out.contains("the history is intact"), "{out}");

    // Shown escaped wherever text reaches the terminal.
    let log = env.run(&["log"]).ok().to_string();
    assert!(log.contains("山\\u{200b}田"), "{log}");
    assert!(log.contains("課\\u{feff}"), "{log}");
    assert!(log.contains("見出し\\u{2067}"), "{log}");
    assert!(
        !log.contains('\u{200B}') && !log.contains('\u{FEFF}'),
        "{log}"
    );
    let history = env.run(&["history", "3"]).ok().to_string();
    assert!(history.contains("課\\u{feff}"), "{history}");
    assert!(history.contains("山\\u{200b}田"), "{history}");
    let table = env.run(&["table"]).ok().to_string();
    assert!(table.contains("見出し\\u{2067}"), "{table}");

    // `history --author 山田` finds the author it printed as 山田 before, shown escaped.
    let out = env
        .run(&["history", "1", "--author", "山田"])
        .ok()
        .to_string();
    assert!(out.contains("山\\u{200b}田"), "{out}");
    // JSON keeps the exact text.
    let rows = rows_by(&env, "山田");
    let old: Vec<_> = rows.iter().filter(|r| r["author"] != "山田").collect();
    assert_eq!(old.len(), 1, "{rows:?}");
    assert_eq!(old[0]["author"], "山\u{200B}田");
    assert_eq!(old[0]["field"], "rating");

    // The ledger stays writable: its old names are not checked again, new ones are.
    env.run(&["rate", "3", "H26上半期", "B", "-a", "山田", "-m", "評価"])
        .ok();
    env.run(&[
        "item",
        "amend",
        "3",
        "--title",
        "新題名",
        "-a",
        "山田",
        "-m",
        "訂正",
    ])
    .ok();
    let run = env.run(&[
        "rate",
        "3",
        "H26上半期",
        "A",
        "-a",
        "山\u{200B}田",
        "-m",
        "評価",
    ]);
    refused(&run, "U+200B ZERO WIDTH SPACE", 2);
    // A new heading cannot be one that prints like an old one; the old one is found by its visible
    // name, and a new item goes under it.
    env.run(&[
        "item",
        "add",
        "4",
        "題名",
        "--department",
        "課",
        "--category",
        "見出し",
        "-a",
        "山田",
        "-m",
        "登録",
    ])
    .ok();
    let table: serde_json::Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).unwrap();
    let under: Vec<&serde_json::Value> = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["category"] == "見出し\u{2067}")
        .collect();
    assert_eq!(under.len(), 2, "{table}");
    let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let e = ledger
        .append(
            &hyoka::Meta {
                author: "山田".into(),
                reason: "m".into(),
                source: None,
                recorded_at: hyoka::domain::when::parse_rfc3339("2016-01-01T00:00:00Z").unwrap(),
                new_point: false,
                signer: None,
            },
            &[Change::CategoryAdded {
                name: "見出し".into(),
            }],
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("already exists as `見出し\\u{2067}`"), "{e}");
    drop(ledger);
    env.run(&["verify"]).ok();
}
