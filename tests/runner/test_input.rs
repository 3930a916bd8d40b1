//! Input as a clerk types it and events as an auditor names them (issue 19, findings 5 and 6): the same
//! NFKC reading everywhere, every abbreviation the views print read back, events named `seq:N` with
//! exact ranges, and exit codes as the README's table says.

use serde_json::Value;

use crate::common::{Env, seed};

/// The seed table imported: 358 events, #0..#357; item 12 is rated B at 平成27年度上半期.
fn seeded() -> Env {
    let env = Env::new();
    env.run(&["import", seed().to_str().unwrap(), "-a", "山田"])
        .ok();
    env
}

/// `hyoka rate １２ Ｈ２７上 Ａ …` records the very event `hyoka rate 12 H27上半期 A …` does: the two
/// ledgers, built at the same times, end with the same hash.
#[test]
fn full_width_input_records_the_same_event() {
    let typed = seeded();
    let ascii = seeded();
    let a = typed.run(&["rate", "１２", "Ｈ２７上", "Ａ", "-a", "鈴木", "-m", "訂正"]);
    let b = ascii.run(&["rate", "12", "H27上半期", "A", "-a", "鈴木", "-m", "訂正"]);
    assert_eq!(a.ok(), b.ok());
    assert!(
        a.stdout
            .starts_with("recorded #358: item 12 平成27年度上半期: rating A (was B)"),
        "{}",
        a.stdout
    );
    assert_eq!(
        typed.snapshot(),
        ascii.snapshot(),
        "the same history, byte for byte"
    );
    // Flags and remarks take full-width ids and points too, and the flag as the views print it.
    for (flag, printed) in [
        ("ｏｆｆ", "follow-up off"),
        ("○", "follow-up on"),
        ("—", "follow-up off"),
    ] {
        let run = typed.run(&[
            "flag",
            "１２",
            flag,
            "--period",
            "Ｈ２７上",
            "-a",
            "鈴木",
            "-m",
            "確認",
        ]);
        assert!(
            run.ok()
                .contains(&format!("item 12 平成27年度上半期: {printed}")),
            "{flag}: {}",
            run.stdout
        );
    }
}

/// Every abbreviation a view prints names the same period when typed back: the table's legend
/// (`H26上=平成26年度上半期`) and the summary's labels, in --as-of, --period and diff.
#[test]
fn every_label_the_views_print_is_read_back() {
    let env = seeded();
    let table = env.run(&["table"]);
    let legend = table
        .ok()
        .lines()
        .find(|l| l.contains('='))
        .unwrap_or_else(|| panic!("no legend: {}", table.stdout))
        .to_string();
    let pairs: Vec<(String, String)> = legend
        .split_whitespace()
        .filter_map(|p| p.split_once('='))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(pairs.len(), 3, "{legend}");
    let summary = env.run(&["summary"]);
    for (short, full) in &pairs {
        assert!(
            summary.ok().contains(full.as_str()),
            "{full}: {}",
            summary.stdout
        );
        let width: String = short
            .chars()
            .map(|c| match c {
                'A'..='Z' => char::from_u32(c as u32 - 'A' as u32 + 'Ａ' as u32).unwrap(),
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                c => c,
            })
            .collect();
        for args in [
            ["table", "--format", "json", "--as-of"],
            ["blame", "--format", "json", "--period"],
        ] {
            let want = env.run(&[args[0], args[1], args[2], args[3], full]);
            for written in [short.as_str(), width.as_str()] {
                let got = env.run(&[args[0], args[1], args[2], args[3], written]);
                assert!(
                    got.ok() == want.ok(),
                    "{args:?} {written} = {full}: {}",
                    got.stderr
                );
            }
        }
        let history = env.run(&["history", "12", "--period", short, "--format", "json"]);
        let entries: Value = serde_json::from_str(history.ok()).unwrap();
        let periods: Vec<&Value> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["period"])
            .collect();
        assert!(!periods.is_empty(), "{short}");
        let first = pairs.iter().position(|(s, _)| s == short).unwrap();
        let ids = ["FY2014-H1", "FY2014-YE", "FY2015-H1"];
        assert!(
            periods.iter().all(|p| *p == ids[first]),
            "{short}: {periods:?}"
        );
    }
    // diff's points, and --seq, in full width and as seq:N.
    let want = env.run(&["diff", "H26上", "H26末"]);
    let got = env.run(&["diff", "Ｈ２６上", "Ｈ２６末"]);
    assert!(
        got.ok() == want.ok(),
        "diff Ｈ２６上 Ｈ２６末: {}",
        got.stderr
    );
    let want = env.run(&["diff", "seq:100", "seq:200", "--format", "json"]);
    let got = env.run(&["diff", "ｓｅｑ：１００", "seq:２００", "--format", "json"]);
    assert!(
        got.ok() == want.ok(),
        "diff ｓｅｑ：１００ seq:２００: {}",
        got.stderr
    );
    let want = env.run(&["table", "--seq", "100", "--format", "json"]);
    for written in ["seq:100", "１００", "ｓｅｑ：１００"] {
        let got = env.run(&["table", "--seq", written, "--format", "json"]);
        assert!(got.ok() == want.ok(), "--seq {written}: {}", got.stderr);
    }
}

/// Names compare under NFKC in filters: `history --author` finds a person typed in full width.
#[test]
fn filters_read_names_in_nfkc() {
    let env = seeded();
    env.run(&["rate", "12", "H27上", "A", "-a", "Suzuki", "-m", "訂正"])
        .ok();
    let want = env.run(&["history", "--all", "--author", "Suzuki", "--format", "json"]);
    let got = env.run(&[
        "history",
        "--all",
        "--author",
        "Ｓｕｚｕｋｉ",
        "--format",
        "json",
    ]);
    assert_eq!(got.ok(), want.ok());
    let entries: Value = serde_json::from_str(want.ok()).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
}

/// Events are named seq:N, and the ranges messages give are exact: a checkpoint of 360 events covers
/// #0..#359; proving #360 against it is the user's mistake (exit 1), said so.
#[test]
fn events_are_named_seq_n_and_ranges_are_exact() {
    let env = seeded();
    for (item, period) in [("12", "H27上"), ("13", "H27上")] {
        env.run(&["rate", item, period, "S", "-a", "鈴木", "-m", "訂正"])
            .ok();
    }
    let verify = env.run(&["verify"]);
    assert!(
        verify.ok().contains("verified #0..#357 (358 events")
            && verify
                .stdout
                .contains("journal only: #358..#359 (2 events)"),
        "{}",
        verify.stdout
    );
    let cp = env.dir.path().join("cp.txt");
    env.run(&["checkpoint", "--output", cp.to_str().unwrap()])
        .ok();
    env.run(&["rate", "14", "H27上", "S", "-a", "鈴木", "-m", "訂正"])
        .ok();
    let newer = env.run(&["prove", "seq:360", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(
        newer.fails(1),
        "error: event seq:360 is newer than the checkpoint: it covers #0..#359 (360 events) only; prove it against a newer checkpoint (`hyoka checkpoint` prints the ledger's)"
    );
    let past = env.run(&["prove", "seq:999"]);
    assert_eq!(
        past.fails(1),
        "error: there is no event seq:999: the ledger holds #0..#360 (361 events)"
    );
    let past = env.run(&["blame", "--seq", "seq:999"]);
    assert_eq!(
        past.fails(1),
        "error: there is no event seq:999: the ledger holds #0..#360 (361 events); see `hyoka log`"
    );
    // A bare number is still read, with a note; the proof is the same.
    let bare = env.run(&["prove", "359", "--checkpoint", cp.to_str().unwrap()]);
    let named = env.run(&["prove", "seq:359", "--checkpoint", cp.to_str().unwrap()]);
    assert_eq!(bare.ok(), named.ok());
    assert!(
        bare.stderr
            .starts_with("note: read 359 as the event seq:359 (events are named seq:N"),
        "{}",
        bare.stderr
    );
    assert!(
        named
            .stderr
            .starts_with("inclusion proof of event seq:359;"),
        "{}",
        named.stderr
    );
}

/// The exit codes of the README's table: 1 what was asked cannot be done, 2 the command line is
/// wrong, 3 the history cannot be trusted.
#[test]
fn exit_codes_follow_the_readme_table() {
    let env = seeded();
    let cp = env.dir.path().join("cp.txt");
    env.run(&["checkpoint", "--output", cp.to_str().unwrap()])
        .ok();
    for (args, code) in [
        (&["rate", "999", "H27上", "A", "-a", "x", "-m", "y"][..], 1),
        (&["rate", "12", "H27上", "Z", "-a", "x", "-m", "y"], 1),
        (&["table", "--seq", "9999"], 1),
        (&["prove", "seq:9999"], 1),
        (&["history", "999"], 1),
        (&["table", "--as-of", "どこか"], 1),
        (&["table", "--at", "yesterday"], 2),
        (&["table", "--seq", "#3"], 2),
        (&["diff", "at:yesterday", "seq:3"], 2),
        (&["diff", "seq:x", "seq:3"], 2),
        (&["prove", "seq:x"], 2),
        (&["--tz", "Mars", "log"], 2),
        (&["--wait", "x", "log"], 2),
        (&["rate", "12", "H27上", "A", "-m", "who?"], 2),
        (&["no-such-command"], 2),
        (&["review", "approve", "12", "--stage", "3", "-m", "x"], 2),
    ] {
        let run = env.run(args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
    }
    // 3: a checkpoint of another history.
    let other = seeded();
    other
        .run(&["rate", "12", "H27上", "S", "-a", "x", "-m", "y"])
        .ok();
    let forged = other.dir.path().join("cp.txt");
    other
        .run(&["checkpoint", "--output", forged.to_str().unwrap()])
        .ok();
    env.run(&["rate", "12", "H27上", "A", "-a", "x", "-m", "y"])
        .ok();
    let run = env.run(&["verify", "--checkpoint", forged.to_str().unwrap()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
}
