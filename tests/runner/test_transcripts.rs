//! Whole transcripts (exit code, stdout, stderr) of the contract users see: the errors a newcomer meets
//! first, each with what to do next, and the exit codes scripts rely on (0 done, 1 refused or failed,
//! 2 usage, 3 the history cannot be trusted). A change to any of these is a change users see, and shows
//! up here as a snapshot diff.

use crate::common::Env;

#[test]
fn no_ledger_yet() {
    let env = Env::new();
    let run = env.run(&["table"]);
    insta::assert_snapshot!(run.transcript(&env), @r"
    exit: 1
    --- stdout
    --- stderr
    error: no ledger at $DIR/ledger: create one with `hyoka init --plan NAME` or `hyoka import FILE`, or point --ledger at an existing one
    ");
}

#[test]
fn a_second_init() {
    let env = Env::new();
    env.with_items();
    let run = env.run(&["init", "--plan", "別の計画"]);
    insta::assert_snapshot!(run.transcript(&env), @r"
    exit: 1
    --- stdout
    --- stderr
    error: a ledger already exists at $DIR/ledger: use it as it is, or choose another directory with --ledger
    ");
}

#[test]
fn refusals_name_what_to_do() {
    let env = Env::new();
    env.with_items();
    let no_item = env.run(&["rate", "9", "H26上半期", "A", "-a", "山田", "-m", "報告"]);
    let exists = env.run(&[
        "item",
        "add",
        "1",
        "重複",
        "--department",
        "課",
        "--category",
        "地域協働の推進",
        "-a",
        "山田",
        "-m",
        "登録",
    ]);
    env.run(&["item", "withdraw", "2", "-a", "山田", "-m", "廃止"])
        .ok();
    let withdrawn = env.run(&["rate", "2", "H26上半期", "A", "-a", "山田", "-m", "報告"]);
    let all = [no_item, exists, withdrawn]
        .iter()
        .map(|r| r.transcript(&env))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(all, @r"
    exit: 1
    --- stdout
    --- stderr
    error: there is no item 9: list the items with `hyoka table`, or add it with `hyoka item add`

    exit: 1
    --- stdout
    --- stderr
    error: item 1 already exists; correct it with `hyoka item amend 1`

    exit: 1
    --- stdout
    --- stderr
    error: item 2 is withdrawn: reinstate it with `hyoka item reinstate 2` first
    ");
}

#[test]
fn a_seq_past_the_end() {
    let env = Env::new();
    env.with_items();
    let run = env.run(&["table", "--seq", "99"]);
    insta::assert_snapshot!(run.transcript(&env), @r"
    exit: 1
    --- stdout
    --- stderr
    error: there is no event seq:99: the ledger holds #0..#3 (4 events); see `hyoka log`
    ");
}

#[test]
fn a_usage_error_exits_2() {
    let env = Env::new();
    let run = env.run(&["rate"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("Usage: hyoka rate"), "{}", run.stderr);
}

#[test]
fn an_edited_export_exits_3() {
    let env = Env::new();
    env.with_items();
    env.run(&["export", "--output", "copy.jsonl"]).ok();
    let path = env.dir.path().join("copy.jsonl");
    let text = std::fs::read_to_string(&path).expect("export");
    // The first author named in the export, changed by one character, as a person would.
    let edited = text.replacen("山田", "山口", 1);
    assert_ne!(edited, text, "the export names the author");
    std::fs::write(&path, edited).expect("write");
    let run = env.run(&["verify", "--export", "copy.jsonl"]);
    insta::assert_snapshot!(run.transcript(&env), @r"
    exit: 3
    --- stdout
    --- stderr
    error: integrity failure: event 1: the export line's `event.author` does not match its stored bytes (the bytes are what is hashed: the line was edited); the export copy.jsonl cannot be trusted
    ");
}

/// Points as cities write them (the contract of the reporting-points issue, for the half-year plan of
/// the seed): the end of March is the year end of the fiscal year before, the end of September the first
/// half of the same one.
#[test]
fn points_written_as_dates() {
    let env = Env::new();
    let seed = crate::common::seed();
    env.run(&["import", seed.to_str().unwrap(), "-a", "山田"])
        .ok();
    let rate = |point: &str| env.run(&["rate", "7", point, "B", "-a", "山田", "-m", "報告"]);
    let (year_end, first_half) = (rate("平成28年3月末現在"), rate("平成27年9月末"));
    assert!(
        year_end.ok().contains("item 7 平成27年度末"),
        "{}",
        year_end.stdout
    );
    let first_half = first_half.ok();
    assert!(
        first_half.contains("item 7 平成27年度上半期"),
        "{first_half}"
    );
    let quarter = rate("平成18年12月末");
    insta::assert_snapshot!(quarter.transcript(&env), @r"
    exit: 1
    --- stdout
    --- stderr
    error: 平成18年度第3四半期 is not a reporting point of this plan, which reports at 上半期 and 年度末; write one of those points
    ");
}

/// Shell completion and the manual page come from the same definitions as `--help`: every command is
/// in them, and neither needs a ledger.
#[test]
fn completions_and_the_manual_page() {
    let env = Env::new();
    let bash = env.run(&["completions", "bash"]);
    let bash = bash.ok();
    assert!(bash.contains("_hyoka()"), "{bash}");
    let zsh = env.run(&["completions", "zsh"]);
    assert!(zsh.ok().starts_with("#compdef hyoka"), "{}", zsh.stdout);
    let fish = env.run(&["completions", "fish"]);
    assert!(fish.ok().contains("complete -c hyoka"), "{}", fish.stdout);
    let man = env.run(&["man"]);
    let man = man.ok();
    assert!(man.contains(".TH hyoka 1"), "{man}");
    for command in [
        "init",
        "rate",
        "verify",
        "import",
        "table",
        "history",
        "completions",
    ] {
        assert!(bash.contains(command), "bash completion lacks {command}");
        assert!(man.contains(command), "the manual page lacks {command}");
    }
    assert!(!env.ledger().exists(), "no ledger was touched");
    let bad = env.run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

/// Full-width input is read as NFKC everywhere, and the abbreviations the table prints are read back:
/// `rate １ Ｈ２７上 Ａ` is `rate 1 H27上半期 A`.
#[test]
fn full_width_input_and_printed_abbreviations() {
    let env = Env::new();
    env.with_items();
    let run = env.run(&["rate", "１", "Ｈ２７上", "Ａ", "-a", "山田", "-m", "報告"]);
    assert!(
        run.ok().contains("item 1 平成27年度上半期: rating A"),
        "{}",
        run.stdout
    );
    // The same rating written the ASCII way is nothing new.
    let again = env.run(&["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "報告"]);
    assert_eq!(
        again.fails(1),
        "error: item 1 is already rated A for 平成27年度上半期; nothing to change"
    );
}

/// `--at` reads a day as clerks write it, in Japan time; a time it cannot read is a usage error.
#[test]
fn at_takes_dates_as_written() {
    let env = Env::new();
    env.with_items();
    let iso = env.run(&["table", "--format", "json", "--at", "2015-10-01"]);
    let iso = iso.ok().to_string();
    for written in [
        "2015/10/01",
        "平成27年10月1日",
        "２０１５年１０月１日",
        "2015-10-01 23:59",
    ] {
        let run = env.run(&["table", "--format", "json", "--at", written]);
        assert_eq!(run.ok(), iso, "{written}");
    }
    let bad = env.run(&["table", "--at", "yesterday"]);
    insta::assert_snapshot!(bad.transcript(&env), @r"
    exit: 2
    --- stdout
    --- stderr
    error: --at: cannot read the time `yesterday`; write it as 2015-06-30, 2015/06/30, 2015-06-30 14:00, 2015/06/30 14:00:30, 平成27年6月30日, 2015年6月30日, or RFC 3339 such as 2015-06-30T14:00:00+09:00
    ");
}

/// `COLUMNS` sets the width text is laid out for, as for git and ls: the seed's table fits 80 columns
/// by default and uses up to 120 when told so.
#[test]
fn columns_sets_the_width_of_the_table() {
    let env = Env::new();
    let seed = crate::common::seed();
    env.run(&["import", seed.to_str().unwrap(), "-a", "山田"])
        .ok();
    let widest = |text: &str| {
        text.lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    let narrow = env.run(&["table"]);
    let narrow = widest(narrow.ok());
    let wide = env.columns(120).run(&["table"]);
    let wide = widest(wide.ok());
    assert!(narrow <= 80, "{narrow}");
    assert!(wide > 80 && wide <= 120, "{wide}");
}
