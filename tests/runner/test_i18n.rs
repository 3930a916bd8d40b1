//! The language of the command line: Japanese when the locale (LC_ALL, LC_MESSAGES, LANG, the first set)
//! is Japanese or `--lang ja` is given, English otherwise; errors, notices, reports and help in it; the
//! machine formats the same in both. Every other test runs in the C locale (`tests/common`).

use crate::common::{Env, Run, seed};

/// A Japanese locale as a clerk's terminal has it (LANG only).
const JA: &[(&str, Option<&str>)] = &[("LC_ALL", None), ("LANG", Some("ja_JP.UTF-8"))];

/// Whether `s` has Japanese kana (a sentence in Japanese, not only Japanese data).
fn has_kana(s: &str) -> bool {
    s.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c))
}

/// Asserts failure with `code` and a one-line error in Japanese, and returns the error line.
#[track_caller]
fn fails_in_japanese(run: &Run, code: i32) -> String {
    assert_eq!(
        run.code, code,
        "unexpected exit: {}{}",
        run.stdout, run.stderr
    );
    let last = run.stderr.lines().next_back().unwrap_or("");
    assert!(
        last.starts_with("エラー: "),
        "no Japanese error line: {}",
        run.stderr
    );
    last.to_string()
}

/// The contract: `LANG=ja_JP.UTF-8 hyoka rate 999 H27上半期 A -a x -m y` fails with a message in
/// Japanese, with the exit code it has in English, and nothing is appended.
#[test]
fn a_japanese_locale_gets_japanese_errors_and_the_same_exit_code() {
    let env = Env::new();
    // No ledger yet.
    let none = env.run_with(JA, &["rate", "999", "H27上半期", "A", "-a", "x", "-m", "y"]);
    let line = fails_in_japanese(&none, 1);
    assert!(line.contains("台帳がありません"), "{line}");
    env.with_items();
    let before = env.snapshot();
    let run = env.run_with(JA, &["rate", "999", "H27上半期", "A", "-a", "x", "-m", "y"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "エラー: 項目 999 はありません。`hyoka table` で項目を確かめるか、`hyoka item add` で登録してください\n"
    );
    assert_eq!(env.snapshot(), before, "nothing is appended");
    // The same in English, with the same exit code.
    let en = env.run(&["rate", "999", "H27上半期", "A", "-a", "x", "-m", "y"]);
    assert_eq!(en.code, 1);
    assert_eq!(
        en.stderr,
        "error: there is no item 999: list the items with `hyoka table`, or add it with `hyoka item add`\n"
    );
    // A usage error keeps its exit code (2) in Japanese too.
    let usage = env.run_with(JA, &["rate", "1", "H27上半期", "A", "-m", "y"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert!(usage.stderr.contains("-a NAME"), "{}", usage.stderr);
    assert!(has_kana(&usage.stderr), "{}", usage.stderr);
}

#[test]
fn lang_chooses_the_language_over_the_locale() {
    let env = Env::new();
    env.with_items();
    let args = ["rate", "999", "H27上半期", "A", "-a", "x", "-m", "y"];
    let en = env.run_with(JA, &[&["--lang", "en"][..], &args].concat());
    assert!(
        en.fails(1).starts_with("error: there is no item 999"),
        "{}",
        en.stderr
    );
    // --lang after the command, and with `=`.
    let en = env.run_with(JA, &[&args[..], &["--lang=en"]].concat());
    assert!(en.fails(1).starts_with("error: "), "{}", en.stderr);
    let c = [("LC_ALL", None), ("LANG", Some("C"))];
    let ja = env.run_with(&c, &[&["--lang", "ja"][..], &args].concat());
    assert!(
        fails_in_japanese(&ja, 1).starts_with("エラー: 項目 999 はありません"),
        "{}",
        ja.stderr
    );
    // HYOKA_LANG, below --lang and above the locale.
    let ja = env.run_with(&[("HYOKA_LANG", Some("ja"))], &args);
    fails_in_japanese(&ja, 1);
    let en = env.run_with(
        &[("HYOKA_LANG", Some("ja"))],
        &[&["--lang", "en"][..], &args].concat(),
    );
    assert!(en.fails(1).starts_with("error: "), "{}", en.stderr);
    // An unknown language is a usage error.
    let bad = env.run_with(JA, &["--lang", "fr", "table"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// POSIX: the first of LC_ALL, LC_MESSAGES and LANG that is set and not empty.
#[test]
fn lc_all_overrides_lc_messages_which_overrides_lang() {
    let env = Env::new();
    let args = ["table"];
    let lang = |vars: &[(&str, Option<&str>)]| -> &'static str {
        let run = env.run_with(vars, &args);
        assert_eq!(run.code, 1);
        match run.stderr.starts_with("エラー: ") {
            true => "ja",
            false => "en",
        }
    };
    assert_eq!(
        lang(&[("LC_ALL", Some("C")), ("LANG", Some("ja_JP.UTF-8"))]),
        "en"
    );
    assert_eq!(
        lang(&[("LC_ALL", Some("ja_JP.UTF-8")), ("LANG", Some("C"))]),
        "ja"
    );
    assert_eq!(
        lang(&[
            ("LC_ALL", Some("")),
            ("LC_MESSAGES", Some("ja_JP.eucJP")),
            ("LANG", Some("C"))
        ]),
        "ja"
    );
    assert_eq!(
        lang(&[
            ("LC_ALL", None),
            ("LC_MESSAGES", Some("C")),
            ("LANG", Some("ja_JP.UTF-8"))
        ]),
        "en"
    );
    assert_eq!(lang(&[("LC_ALL", None), ("LANG", Some("ja"))]), "ja");
    assert_eq!(lang(&[("LC_ALL", None), ("LANG", None)]), "en");
}

#[test]
fn the_help_is_in_japanese() {
    let env = Env::new();
    env.columns(80);
    let main = env.run_with(JA, &["--help"]);
    let help = main.ok();
    for expected in [
        "行財政改革計画の評価を記録する",
        "使い方: hyoka [OPTIONS] <COMMAND>",
        "コマンド:",
        "項目のある時点の評価を記録する",
        "例:",
        "  hyoka rate 12 H27上半期 A -a 山田 -m '再評価の結果'",
        "終了コード",
    ] {
        assert!(help.contains(expected), "no {expected:?} in:\n{help}");
    }
    let rate = env.run_with(JA, &["rate", "--help"]);
    let help = rate.ok();
    for expected in [
        "使い方: hyoka rate",
        "引数:",
        "オプション:",
        "項目番号 (12、R1-1、1-1-1)",
        "変更の理由",
        "  hyoka rate R1-1 令和2年3月31日現在 A -a 山田 -m '年度末評価'",
        "打ち間違い",
    ] {
        assert!(help.contains(expected), "no {expected:?} in:\n{help}");
    }
    // The Japanese is wrapped to the width (COLUMNS=80), between characters, never past it but for the
    // example command lines and clap's own notes.
    for line in help.lines() {
        let examples = line.starts_with("  hyoka ") || line.contains("[env: ");
        assert!(
            examples || hyoka::views::width::display_width(line) <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
    // English where the locale is not Japanese.
    let en = env.run(&["rate", "--help"]);
    assert!(en.ok().contains("Record a rating for an item in a period"));
    assert!(en.ok().contains("Usage: hyoka rate"));
}

/// The seed, then a correction by 鈴木 (as the audit tests build it).
fn corrected() -> Env {
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
    env
}

#[test]
fn the_correction_report_and_the_views_speak_japanese() {
    let env = corrected();
    let md = env.run_with(JA, &["history", "--all", "--format", "md"]);
    let md = md.ok();
    assert!(
        md.contains("台帳に記録されたすべての訂正 (既存の値を置き換えた、または取り消した変更) を項目ごとにまとめたもの"),
        "{md}"
    );
    assert!(!md.contains("Every correction"), "{md}");
    let en = env.run(&["history", "--all", "--format", "md"]);
    assert!(en.ok().contains("Every correction recorded in the ledger"));
    insta::assert_snapshot!("ja_history_all_md", md);
    insta::assert_snapshot!(
        "ja_history_12",
        env.run_with(JA, &["history", "12", "--period", "H27上半期"])
            .ok()
    );
    insta::assert_snapshot!("ja_verify", env.run_with(JA, &["verify"]).transcript(&env));
    insta::assert_snapshot!(
        "ja_diff",
        env.run_with(JA, &["diff", "at:2015-10-02", "at:2015-10-31"])
            .ok()
    );
    insta::assert_snapshot!(
        "ja_rate",
        env.run_with_at(
            "2015-10-06T09:00:00+09:00",
            JA,
            &["rate", "12", "H27上半期", "B", "-a", "鈴木", "-m", "再確認"]
        )
        .transcript(&env)
    );
}

#[test]
fn the_import_summary_speaks_japanese() {
    let env = Env::new();
    let run = env.run_with(
        JA,
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
    );
    insta::assert_snapshot!("ja_import", run.transcript(&env));
}

/// Machine formats never change with the language.
#[test]
fn machine_formats_are_the_same_in_both_languages() {
    let env = corrected();
    for args in [
        &["table", "--format", "json"][..],
        &["table", "--format", "csv"],
        &["table", "--format", "tsv"],
        &["summary", "--format", "json"],
        &["history", "12", "--format", "json"],
        &["blame", "--format", "json"],
        &["diff", "seq:0", "seq:358", "--format", "json"],
        &["log", "--format", "jsonl"],
        &["verify", "--format", "json"],
        &["export"],
    ] {
        let at = "2016-01-01T00:00:00Z";
        let en = env.run_at(at, args);
        let ja = env.run_with_at(at, JA, args);
        assert_eq!(en.code, 0, "{args:?}: {}", en.stderr);
        assert_eq!(ja.stdout, en.stdout, "{args:?}");
    }
}

/// The config file's `language` is below --lang and HYOKA_LANG and above the locale; a bad config
/// file is said in the language chosen without it.
#[test]
fn the_config_file_sets_the_language() {
    let env = Env::new();
    let dir = env.config_dir().join("hyoka");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "language = \"ja\"\n").unwrap();
    // LANG=C (the pinned locale): the file wins over it.
    let ja = env.run(&["table"]);
    assert!(
        fails_in_japanese(&ja, 1).contains("台帳がありません"),
        "{}",
        ja.stderr
    );
    let en = env.run(&["--lang", "en", "table"]);
    assert!(
        en.fails(1).starts_with("error: no ledger at"),
        "{}",
        en.stderr
    );
    let en = env.run_with(&[("HYOKA_LANG", Some("en"))], &["table"]);
    assert!(
        en.fails(1).starts_with("error: no ledger at"),
        "{}",
        en.stderr
    );
    std::fs::write(dir.join("config.toml"), "language = \"en\"\n").unwrap();
    let en = env.run_with(JA, &["table"]);
    assert!(
        en.fails(1).starts_with("error: no ledger at"),
        "{}",
        en.stderr
    );
    // A bad file: one line, in the locale's language.
    std::fs::write(dir.join("config.toml"), "language = \"fr\"\n").unwrap();
    let bad = env.run_with(JA, &["table"]);
    let line = fails_in_japanese(&bad, 2);
    assert!(
        line.contains("設定ファイル") && line.contains("`language` は ja か en です"),
        "{line}"
    );
}

/// The first run of three or more English words (ASCII letters only, two or more each) in `s`; any
/// other word (Japanese, digits, an id, a file name) ends a run. Spaces and the punctuation around
/// words part them; `.`, `/`, `-` and `_` join the parts of a value; what is quoted in backticks (a
/// command, a value) is passed over.
fn english_run(s: &str) -> Option<String> {
    // What is quoted in backticks is a command, a flag or a value.
    let unquoted: String = s
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(" ");
    let mut run: Vec<&str> = Vec::new();
    let separator = |c: char| c.is_whitespace() || ",;:()\"".contains(c);
    for w in unquoted.split(separator).filter(|w| !w.is_empty()) {
        if w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
            run.push(w);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

/// Words of the Japanese frame and its sentences: none of them may reach an English run.
/// (Terms the English keeps in Japanese, 2次評価, 対象外, 差し戻し, are not among them.)
const JAPANESE_FRAME: &[&str] = &["エラー", "ください", "ません", "です", "ます", "台帳", "。"];

/// `english_run` finds English sentences and passes over Japanese ones holding values.
#[test]
fn the_english_finder_finds_english_only() {
    assert_eq!(
        english_run("error: there is no item 999"),
        Some("error there is".to_string())
    );
    assert_eq!(
        english_run("エラー: 項目 999 はありません。`hyoka table` で確かめてください"),
        None
    );
    assert_eq!(
        english_run("origin `a b` は使えません (例: city.kodaira.example/reform-plan-2)"),
        None
    );
    assert_eq!(
        english_run("職員 `s0` には役割 staff (担当) または head (課長) が必要です"),
        None
    );
}

/// A failing command of the table: a name, its arguments (before `--lang`), and its exit code.
struct Case {
    name: &'static str,
    args: Vec<String>,
    code: i32,
}

fn case(name: &'static str, args: &[&str], code: i32) -> Case {
    Case {
        name,
        args: args.iter().map(ToString::to_string).collect(),
        code,
    }
}

/// Runs every case under `--lang ja` and `--lang en`: each fails with its exit code, changes
/// nothing, and says it in the one language: in Japanese no run of three English words (but the
/// values, commands and flags), in English none of the Japanese frame's words. Returns the Japanese
/// lines, by name.
fn run_table(
    env: &Env,
    run: &dyn Fn(&[&str]) -> Run,
    cases: &[Case],
) -> Vec<(&'static str, String)> {
    let mut english_in_japanese = Vec::new();
    let mut japanese_in_english = Vec::new();
    let mut lines = Vec::new();
    for c in cases {
        let before = env.snapshot();
        for lang in ["ja", "en"] {
            let mut args: Vec<&str> = vec!["--lang", lang];
            args.extend(c.args.iter().map(String::as_str));
            let out = run(&args);
            assert_eq!(
                out.code, c.code,
                "{} ({lang}): {}{}",
                c.name, out.stdout, out.stderr
            );
            let last = out.stderr.lines().next_back().unwrap_or("").to_string();
            match lang {
                "ja" => {
                    assert!(last.starts_with("エラー: "), "{}: {}", c.name, out.stderr);
                    if let Some(run) = english_run(&last) {
                        english_in_japanese.push(format!("{}: `{run}` in {last}", c.name));
                    }
                    lines.push((c.name, last));
                }
                _ => {
                    assert!(last.starts_with("error: "), "{}: {}", c.name, out.stderr);
                    if let Some(w) = JAPANESE_FRAME
                        .iter()
                        .find(|w| last.contains(*w) && !c.args.iter().any(|a| a.contains(*w)))
                    {
                        japanese_in_english.push(format!("{}: `{w}` in {last}", c.name));
                    }
                }
            }
        }
        assert_eq!(
            env.snapshot(),
            before,
            "{}: a failing command changed the ledger",
            c.name
        );
    }
    assert!(
        english_in_japanese.is_empty(),
        "English in Japanese:\n{}",
        english_in_japanese.join("\n")
    );
    assert!(
        japanese_in_english.is_empty(),
        "Japanese in English:\n{}",
        japanese_in_english.join("\n")
    );
    lines
}

/// The everyday refusals of a ledger without people, in Japanese and in English.
#[test]
fn refusals_speak_one_language() {
    let env = Env::new();
    env.with_items();
    for args in [
        &["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "評価"][..],
        &["item", "withdraw", "2", "-a", "山田", "-m", "廃止"],
        &[
            "remark",
            "1",
            "実施済み",
            "--period",
            "H27上半期",
            "-a",
            "山田",
            "-m",
            "記入",
        ],
    ] {
        env.run(args).ok();
    }
    let other = env.dir.path().join("other");
    let other = other.to_str().expect("path");
    let cases = [
        case(
            "grade not in the scale",
            &["rate", "1", "H27上半期", "Z", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "full-width input",
            &["rate", "１", "Ｈ２７上", "Ｚ", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "unknown item",
            &["rate", "999", "H27上半期", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "withdrawn item",
            &["rate", "2", "H27上半期", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "already rated",
            &["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "empty author",
            &["rate", "1", "H27上半期", "B", "-a", " ", "-m", "x"],
            1,
        ),
        case(
            "empty reason",
            &["rate", "1", "H27上半期", "B", "-a", "山田", "-m", " "],
            1,
        ),
        case(
            "invisible character in the author",
            &[
                "rate",
                "1",
                "H27上半期",
                "B",
                "-a",
                "山\u{200B}田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "early point",
            &["rate", "1", "H9上半期", "B", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "second init",
            &["init", "--plan", "別の計画", "--era", "heisei"],
            1,
        ),
        case(
            "no ledger",
            &[
                "--ledger",
                other,
                "rate",
                "1",
                "H27上半期",
                "A",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "item exists",
            &[
                "item",
                "add",
                "1",
                "x",
                "--department",
                "y",
                "--category",
                "地域協働の推進",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "reinstate an item not withdrawn",
            &["item", "reinstate", "1", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "exclude a rated item",
            &["item", "exclude", "1", "H27上半期", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "include an item not excluded",
            &["item", "include", "1", "H27上半期", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "unrate what is not rated",
            &["unrate", "1", "H26上半期", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "remark unchanged",
            &[
                "remark",
                "1",
                "実施済み",
                "--period",
                "H27上半期",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "amend that changes nothing",
            &[
                "item",
                "amend",
                "1",
                "--title",
                "市民活動支援",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "rename to the same name",
            &[
                "heading",
                "rename",
                "地域協働の推進",
                "地域協働の推進",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "round without people",
            &[
                "round",
                "open",
                "H27上半期",
                "--due",
                "2015-10-31",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case("people list without people", &["person", "list"], 1),
        case("no such event", &["diff", "seq:99", "seq:100"], 1),
        case("a bad --at", &["table", "--at", "nonsense"], 2),
        case(
            "a bad period",
            &["rate", "1", "H27下半期", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "a bad full-width period",
            &[
                "rate",
                "1",
                "Ｈ２７第５四半期",
                "A",
                "-a",
                "山田",
                "-m",
                "x",
            ],
            1,
        ),
        case(
            "a year alone",
            &["rate", "1", "平成27年度", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "a month the era never had",
            &["rate", "1", "平成32年3月末", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "a period without an era",
            &["rate", "1", "27年度上半期", "A", "-a", "山田", "-m", "x"],
            1,
        ),
        case(
            "a bad full-width --at",
            &["table", "--at", "２０１５年１３月１日"],
            2,
        ),
        case(
            "a bad time as a bound",
            &["history", "--all", "--since", "明日"],
            2,
        ),
    ];
    let lines = run_table(&env, &|args| env.run(args), &cases);
    assert_eq!(lines.len(), cases.len());
    let shown: String = lines
        .iter()
        .filter(|(name, _)| {
            [
                "a bad period",
                "grade not in the scale",
                "withdrawn item",
                "invisible character in the author",
                "exclude a rated item",
            ]
            .contains(name)
        })
        .map(|(name, line)| format!("{name}\n{line}\n"))
        .collect();
    insta::assert_snapshot!("ja_refusals", shown);
}

/// An import's problems, every line of them, in Japanese (no run of three English words) and in
/// English (none of the Japanese frame's words): bad cells of a CSV, of a CP932 CSV and of a
/// workbook, an unknown period header, totals that do not add up, a missing column; then a bad item
/// id and a bad `--tz`. Each fails with its exit code and changes nothing.
#[test]
fn an_imports_problems_speak_one_language() {
    use crate::test_layouts::{cp932, csv_cells, csv_text, seed_ledger, write, xlsx};
    let env = Env::new();
    seed_ledger(&env);
    let rows = csv_cells(&env);
    let with = |edits: &[(usize, usize, &str)]| {
        let mut rows = rows.clone();
        for (r, c, v) in edits {
            rows[*r][*c] = v.to_string();
        }
        rows
    };
    let seed_text = std::fs::read_to_string(seed()).expect("seed");
    let seed_line = |n: usize, f: &dyn Fn(&str) -> String| -> Vec<u8> {
        seed_text
            .split('\n')
            .enumerate()
            .map(|(i, l)| if i + 1 == n { f(l) } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    };
    let bad_grade = with(&[(3, 4, "X")]);
    let files = [
        (
            "a bad grade",
            write(&env, "grade.csv", csv_text(&bad_grade).as_bytes()),
        ),
        (
            "three bad cells",
            write(
                &env,
                "three.csv",
                csv_text(&with(&[(3, 4, "X"), (8, 5, "Ｚ"), (20, 6, "三")])).as_bytes(),
            ),
        ),
        (
            "an unknown period header",
            write(
                &env,
                "period.csv",
                csv_text(&with(&[(0, 4, "平成27年度第5四半期")])).as_bytes(),
            ),
        ),
        (
            "a CP932 file with a bad cell",
            write(&env, "sjis.csv", &cp932(&csv_text(&bad_grade))),
        ),
        (
            "a workbook with a bad cell",
            write(&env, "book.xlsx", &xlsx(&bad_grade, &[])),
        ),
        (
            "totals that do not add up",
            write(
                &env,
                "totals.tsv",
                &seed_line(71, &|l| l.replacen("59", "58", 1)),
            ),
        ),
        (
            "a missing column",
            write(
                &env,
                "short.tsv",
                &seed_line(12, &|l| {
                    l.split('\t').take(3).collect::<Vec<_>>().join("\t")
                }),
            ),
        ),
        (
            "a bad item id in the file",
            write(&env, "id.csv", csv_text(&with(&[(3, 1, "1,2")])).as_bytes()),
        ),
    ];
    let mut cases: Vec<(&str, Vec<String>, i32)> = files
        .iter()
        .map(|(name, file)| {
            (
                *name,
                vec!["import".into(), file.clone(), "-a".into(), "山田".into()],
                1,
            )
        })
        .collect();
    let args = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
    cases.push((
        "a bad item id",
        args(&["rate", "1,2", "H27上半期", "A", "-a", "山田", "-m", "x"]),
        1,
    ));
    cases.push((
        "an item id too long",
        args(&[
            "rate",
            &"1".repeat(40),
            "H27上半期",
            "A",
            "-a",
            "山田",
            "-m",
            "x",
        ]),
        1,
    ));
    cases.push(("a bad --tz", args(&["--tz", "Mars/Base", "table"]), 2));
    cases.push(("a bad offset", args(&["--tz", "+25:00", "table"]), 2));
    let before = env.snapshot();
    let mut english_in_japanese = Vec::new();
    let mut japanese_in_english = Vec::new();
    let mut problems_in_japanese = 0;
    for (name, args, code) in &cases {
        for lang in ["ja", "en"] {
            let mut all = vec!["--lang", lang];
            all.extend(args.iter().map(String::as_str));
            let out = env.run(&all);
            assert_eq!(out.code, *code, "{name} ({lang}): {}", out.stderr);
            let last = out.stderr.lines().next_back().unwrap_or("");
            for line in out.stderr.lines() {
                match lang {
                    "ja" => {
                        if let Some(run) = english_run(line) {
                            english_in_japanese.push(format!("{name}: `{run}` in {line}"));
                        }
                        problems_in_japanese += usize::from(line.starts_with("問題: "));
                    }
                    _ => {
                        if let Some(w) = JAPANESE_FRAME.iter().find(|w| line.contains(*w)) {
                            japanese_in_english.push(format!("{name}: `{w}` in {line}"));
                        }
                    }
                }
            }
            let frame = if lang == "ja" {
                "エラー: "
            } else {
                "error: "
            };
            assert!(last.starts_with(frame), "{name}: {}", out.stderr);
        }
        assert_eq!(env.snapshot(), before, "{name}: the ledger changed");
    }
    assert!(
        english_in_japanese.is_empty(),
        "English in Japanese:\n{}",
        english_in_japanese.join("\n")
    );
    assert!(
        japanese_in_english.is_empty(),
        "Japanese in English:\n{}",
        japanese_in_english.join("\n")
    );
    // The three bad cells are listed one by one.
    assert!(problems_in_japanese >= 3, "{problems_in_japanese}");
}

/// The rules of rounds and people, refused in Japanese and in English.
#[test]
fn the_rules_of_rounds_and_people_speak_one_language() {
    use crate::test_rounds::{POINT, Rounds};
    let r = Rounds::new();
    let key = |id: &str| r.key(id);
    let (s0, h0, hq, admin) = (key("s0"), key("h0"), key("hq"), key("admin"));
    let before_round = [
        case(
            "rating before any round",
            &["rate", "1", POINT, "A", "-m", "x", "--key", &s0],
            1,
        ),
        case(
            "staff opening a round",
            &[
                "round",
                "open",
                POINT,
                "--due",
                "2021-04-30",
                "-m",
                "x",
                "--key",
                &s0,
            ],
            1,
        ),
        case(
            "staff registering people",
            &[
                "person", "role", "grant", "s1", "head", "-m", "x", "--key", &s0,
            ],
            1,
        ),
        case(
            "revoking a role not held",
            &[
                "person", "role", "revoke", "s1", "head", "-m", "x", "--key", &admin,
            ],
            1,
        ),
        case(
            "granting a role held",
            &[
                "person", "role", "grant", "s1", "staff", "-m", "x", "--key", &admin,
            ],
            1,
        ),
        case(
            "a change without a key",
            &["item", "withdraw", "1", "-a", "admin", "-m", "x"],
            1,
        ),
    ];
    let mut lines = run_table(&r.env, &|args| r.run(args), &before_round);
    r.ok(
        "admin",
        &[
            "round",
            "open",
            POINT,
            "--due",
            "2021-04-30",
            "-m",
            "評価の開始",
        ],
    );
    r.ok("s0", &["rate", "1", POINT, "A", "-m", "評価"]);
    let open = [
        case(
            "rating another department's item",
            &["rate", "3", POINT, "A", "-m", "x", "--key", &s0],
            1,
        ),
        case(
            "submitting with items not rated",
            &["submit", "-m", "x", "--key", &s0],
            1,
        ),
        case(
            "reviewing what is not submitted",
            &["review", "approve", "1", "-m", "x", "--key", &h0],
            1,
        ),
        case(
            "2次評価 before 1次評価",
            &["review", "approve", "1", "-m", "x", "--key", &hq],
            1,
        ),
        case(
            "a due date that is not a date",
            &[
                "round",
                "open",
                "令和3年度末",
                "--due",
                "来月",
                "-m",
                "x",
                "--key",
                &admin,
            ],
            2,
        ),
        case(
            "opening a round twice",
            &[
                "round",
                "open",
                POINT,
                "--due",
                "2021-04-30",
                "-m",
                "x",
                "--key",
                &admin,
            ],
            1,
        ),
        case(
            "publishing an unfinished round",
            &["round", "publish", POINT, "-m", "x", "--key", &admin],
            1,
        ),
        case(
            "approving one's own rating as staff",
            &["review", "approve", "1", "-m", "x", "--key", &s0],
            1,
        ),
    ];
    lines.extend(run_table(&r.env, &|args| r.run(args), &open));
    assert_eq!(lines.len(), before_round.len() + open.len());
    let shown: String = lines
        .iter()
        .filter(|(name, _)| {
            [
                "rating before any round",
                "staff opening a round",
                "rating another department's item",
                "submitting with items not rated",
            ]
            .contains(name)
        })
        .map(|(name, line)| format!("{name}\n{line}\n"))
        .collect();
    insta::assert_snapshot!("ja_rules_of_rounds", shown);
}

/// clap's usage errors (a mistyped command, an unknown flag, a missing argument, a value not among
/// the possible ones) in Japanese: the same facts and exit code 2, with no English sentence; in
/// English clap's own words.
#[test]
fn usage_errors_speak_japanese() {
    let env = Env::new();
    env.with_items();
    for (args, words) in [
        (&["rtae"][..], "というコマンドはありません"),
        (&["rate", "1"][..], "必要な引数が指定されていません"),
        (&["table", "--format", "xml"][..], "は指定できません"),
        (
            &["history", "--sicne", "seq:1"][..],
            "という引数はありません",
        ),
    ] {
        let mut ja = vec!["--lang", "ja"];
        ja.extend(args);
        let run = env.run(&ja);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("エラー: "),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        for line in run.stderr.lines() {
            assert_eq!(english_run(line), None, "{args:?}: {line}");
        }
        let en = env.run(args);
        assert_eq!(en.code, 2, "{args:?}: {en:?}");
        assert!(en.stderr.starts_with("error: "), "{args:?}: {}", en.stderr);
    }
}

/// The first file under `root` (depth first, by name) whose path relative to `root` starts with
/// `prefix`.
fn first_file(root: &std::path::Path, prefix: &str) -> Option<std::path::PathBuf> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for p in names.into_iter().rev() {
            let rel = p.strip_prefix(root).ok()?.to_string_lossy().into_owned();
            match p.is_dir() {
                true => stack.push(p),
                false if rel.starts_with(prefix) => return Some(p),
                false => {}
            }
        }
    }
    None
}

/// Files named on the command line that are damaged or wrong (a proof, a checkpoint, a key, a
/// verifier key, an export, a mirror, a CSV, a layout, a file that is not there, a directory given
/// as a file): each refused with the same exit code in both languages, changing nothing, in Japanese
/// without a run of three English words (the OS's errors worded by their kind), in English without the
/// Japanese frame.
#[test]
fn damaged_files_speak_one_language() {
    let env = Env::new();
    env.with_items();
    let dir = env.dir.path();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).expect("write");
        path(name)
    };
    let vkey = env
        .run(&["key", "generate", "--output", "plan.key"])
        .ok()
        .trim()
        .to_string();
    let cp = env
        .run(&["checkpoint", "--key", "plan.key"])
        .ok()
        .to_string();
    write("cp.txt", &cp);
    env.run(&[
        "prove",
        "seq:1",
        "--checkpoint",
        "cp.txt",
        "-o",
        "p1.tlog-proof",
    ])
    .ok();
    env.run(&["export", "--output", "export.jsonl"]).ok();
    env.run(&["mirror", "site"]).ok();
    let proof = std::fs::read_to_string(dir.join("p1.tlog-proof")).expect("proof");
    let lines: Vec<&str> = proof.split('\n').collect();
    // The first hash of the inclusion proof, replaced by another hash.
    assert_eq!(lines[2], "index 1", "{proof}");
    let mut bad_hash = lines.clone();
    let zero = format!("{}=", "A".repeat(43));
    bad_hash[3] = &zero;
    let bad_hash = write("bad-hash.tlog-proof", &bad_hash.join("\n"));
    let truncated = write("cut.tlog-proof", &lines[..2].join("\n"));
    // A signature altered (in its last bytes, not its key id), and a body whose root is not a hash.
    let sig_at = cp.trim_end().len() - 10;
    let flipped = match &cp[sig_at..=sig_at] {
        "A" => "B",
        _ => "A",
    };
    let bad_sig = write(
        "bad-sig.txt",
        &format!("{}{flipped}{}", &cp[..sig_at], &cp[sig_at + 1..]),
    );
    let cp_lines: Vec<&str> = cp.split('\n').collect();
    let mut body = cp_lines.clone();
    body[2] = "not-a-root";
    let bad_body = write("bad-body.txt", &body.join("\n"));
    let not_a_vkey = write("not-a-key.vkey", "hello\n");
    let private = std::fs::read_to_string(dir.join("plan.key")).expect("key");
    let open_key = write("open.key", &private);
    let bad_key = write("bad.key", "PRIVATE+KEY+city.example/plan-2\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
        };
        mode(&open_key, 0o644);
        mode(&bad_key, 0o600);
    }
    let export = std::fs::read_to_string(dir.join("export.jsonl")).expect("export");
    let second = export.find('\n').expect("a line") + 1;
    let half = second + (export[second..].find('\n').expect("two lines") / 2);
    let cut_export = write("cut.jsonl", &export[..half]);
    let site = dir.join("site");
    let tile = first_file(&site, "tile/0/").expect("a tile of level 0");
    std::fs::remove_file(&tile).expect("remove the tile");
    let site = path("site");
    let quote = write(
        "quote.csv",
        "区分,No.,項目,所管課\n地域協働の推進,1,\"市民活動支援,市民協働課\n",
    );
    let layout = write("bad-layout.toml", "name = \"x\"\ncolour = 1\n");
    let missing = path("nowhere.tlog-proof");
    let cases = [
        case("a proof with a bad hash", &["verify-proof", &bad_hash], 3),
        case("a truncated proof", &["verify-proof", &truncated], 1),
        case(
            "a checkpoint with a bad signature",
            &["verify", "--checkpoint", &bad_sig, "--vkey", &vkey],
            3,
        ),
        case(
            "a checkpoint with a malformed body",
            &["verify", "--checkpoint", &bad_body],
            1,
        ),
        case(
            "a vkey file that is not a key",
            &[
                "verify-proof",
                &path("p1.tlog-proof"),
                "--vkey",
                &not_a_vkey,
            ],
            1,
        ),
        case(
            "a key file others can read",
            &["checkpoint", "--key", &open_key],
            1,
        ),
        case(
            "a malformed key file",
            &["checkpoint", "--key", &bad_key],
            1,
        ),
        case(
            "an export line cut in half",
            &["verify", "--export", &cut_export],
            3,
        ),
        case(
            "a mirror with a missing tile",
            &["verify", "--mirror", &site],
            3,
        ),
        case(
            "a CSV with an unterminated quote",
            &["import", &quote, "-a", "山田"],
            1,
        ),
        case(
            "a layout with an unknown key",
            &["import", &quote, "--layout", &layout, "-a", "山田"],
            1,
        ),
        case("a file that does not exist", &["verify-proof", &missing], 1),
        case("a directory given as a proof", &["verify-proof", &site], 1),
        case(
            "a directory given as a table",
            &["import", &site, "-a", "山田"],
            1,
        ),
        case(
            "an export that does not exist",
            &["verify", "--export", &missing],
            1,
        ),
    ];
    let lines = run_table(&env, &|args| env.run(args), &cases);
    let line = |name: &str| {
        lines
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    for (name, words) in [
        ("a proof with a bad hash", "包含証明がイベント 1 の葉から"),
        ("a truncated proof", "の証明として読めません"),
        (
            "a checkpoint with a malformed body",
            "ルートハッシュが読めません",
        ),
        (
            "a vkey file that is not a key",
            "検証鍵の形式が正しくありません",
        ),
        ("a malformed key file", "秘密鍵の形式が正しくありません"),
        (
            "an export line cut in half",
            "エクスポートが途中で切れています",
        ),
        (
            "a layout with an unknown key",
            "知らないキー `colour` があります",
        ),
        (
            "a file that does not exist",
            "ファイルやディレクトリがありません",
        ),
        (
            "a directory given as a proof",
            "ファイルではなくディレクトリです",
        ),
        (
            "a directory given as a table",
            "ファイルではなくディレクトリです",
        ),
        (
            "an export that does not exist",
            "ファイルやディレクトリがありません",
        ),
    ] {
        assert!(line(name).contains(words), "{name}: {}", line(name));
    }
}

/// Every file under `dir` (links not followed: a link's target instead of bytes), by path.
fn ledger_files(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                out.insert(path, target.to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                out.insert(path.clone(), Vec::new());
                todo.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// Fails, naming the files that differ (made, removed or changed), unless `after` is `before`.
fn same_files(
    before: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    after: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    name: &str,
) {
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(
        changed.is_empty(),
        "{name}: the ledger's files changed: {changed:?}"
    );
}

/// Damage to the ledger's own files (its head record, its store, its journal, a link planted in its
/// directory) and a file given where `--out` needs a directory: each command fails with the same code
/// in Japanese and in English, says it in the one language (no run of English words in the Japanese
/// line but the data), and leaves every byte of the ledger's directory as it was (a check never
/// destroys evidence).
#[test]
fn damaged_ledgers_speak_one_language() {
    type Damage = fn(&std::path::Path);
    let cases: [(&str, &[&str], i32, Damage, &str); 8] = [
        (
            "a truncated head record",
            &["verify"],
            3,
            |l| {
                let head = std::fs::read(l.join("HEAD")).expect("HEAD");
                std::fs::write(l.join("HEAD"), &head[..head.len() / 2]).expect("cut");
            },
            "ヘッド記録が傷んでいます: 検査行",
        ),
        (
            "a garbled head record",
            &["table"],
            3,
            |l| {
                let text = std::fs::read_to_string(l.join("HEAD")).expect("HEAD");
                let at = text.find("hash ").expect("a hash line") + 8;
                let other = if &text[at..=at] == "0" { "1" } else { "0" };
                let garbled = format!("{}{other}{}", &text[..at], &text[at + 1..]);
                std::fs::write(l.join("HEAD"), garbled).expect("garble");
            },
            "チェックサムが合いません",
        ),
        (
            "a missing head record",
            &["verify"],
            3,
            |l| std::fs::remove_file(l.join("HEAD")).expect("remove HEAD"),
            "HEAD ファイルがありません",
        ),
        (
            "a missing store file",
            &["verify"],
            3,
            |l| std::fs::remove_file(l.join("store/db")).expect("remove store/db"),
            "主ファイル (db) が、消されたか失われています",
        ),
        (
            "an emptied journal",
            &["verify"],
            3,
            |l| std::fs::write(l.join("JOURNAL"), b"").expect("empty the journal"),
            "が空ですが、ストアには第 1 世代",
        ),
        (
            "a journal record altered",
            &["verify"],
            3,
            |l| {
                let path = l.join("JOURNAL");
                let mut bytes = std::fs::read(&path).expect("JOURNAL");
                bytes[100] ^= 0xff;
                std::fs::write(&path, bytes).expect("alter");
            },
            "バイト目が傷んでいます",
        ),
        (
            "a missing journal",
            &["table"],
            3,
            |l| std::fs::remove_file(l.join("JOURNAL")).expect("remove JOURNAL"),
            "がありませんが、ストアには第 1 世代",
        ),
        (
            "a symbolic link planted in the ledger directory",
            &["verify"],
            1,
            |l| {
                let conf = l.join("store/conf");
                let moved = l.parent().expect("parent").join("conf-elsewhere");
                std::fs::rename(&conf, &moved).expect("move conf");
                std::os::unix::fs::symlink(&moved, &conf).expect("link");
            },
            "はシンボリックリンクです",
        ),
    ];
    for (name, args, code, damage, words) in cases {
        let env = Env::new();
        env.with_items();
        damage(&env.ledger());
        let before = ledger_files(&env.ledger());
        let lines = run_table(&env, &|a| env.run(a), &[case(name, args, code)]);
        same_files(&before, &ledger_files(&env.ledger()), name);
        let (_, line) = &lines[0];
        assert!(line.contains(words), "{name}: {line}");
    }
    // A file given where `--out` needs a directory, and a path through a file.
    let env = Env::new();
    env.with_items();
    let file = env.dir.path().join("a-file");
    std::fs::write(&file, "x\n").expect("write");
    let through = file.join("sheets");
    let (file, through) = (
        file.to_string_lossy().into_owned(),
        through.to_string_lossy().into_owned(),
    );
    let before = ledger_files(&env.ledger());
    let lines = run_table(
        &env,
        &|a| env.run(a),
        &[
            case(
                "a file given for --out",
                &["sheets", "--out", &file, "--point", "H27末"],
                1,
            ),
            case(
                "a path through a file given for --out",
                &["sheets", "--out", &through, "--point", "H27末"],
                1,
            ),
        ],
    );
    same_files(&before, &ledger_files(&env.ledger()), "--out");
    assert!(
        lines[0].1.contains("ディレクトリではありません"),
        "{:?}",
        lines
    );
    assert!(lines[1].1.contains("を作れません"), "{:?}", lines);
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "x\n");
}
