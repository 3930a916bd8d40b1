//! The ledger core through the CLI: every command, every bad input, integrity failures.

use crate::common::Env;

#[test]
fn init_creates_a_ledger_once() {
    let env = Env::new();
    let out = env
        .run(&["init", "--plan", "第2次 行財政改革", "--grades", "S,A,B,C"])
        .ok()
        .to_string();
    assert!(
        out.contains("for plan 第2次 行財政改革 (grades S,A,B,C, era none)"),
        "{out}"
    );
    assert!(
        out.contains("origin: local/第2次-行財政改革 (derived"),
        "{out}"
    );
    let err = env.run(&["init", "--plan", "x"]).fails(1).to_string();
    assert!(err.contains("a ledger already exists"), "{err}");
    assert!(err.contains("--ledger"), "the error says what to do: {err}");
}

#[test]
fn init_refuses_bad_plans_and_creates_nothing() {
    let env = Env::new();
    for args in [
        vec!["init", "--plan", "p", "--origin", "has space"],
        vec!["init", "--plan", "p", "--origin", "a+b"],
        vec!["init", "--plan", "p", "--grades", "S,,B"],
        vec!["init", "--plan", "p", "--grades", "S,A,S"],
        vec!["init", "--plan", " "],
    ] {
        env.run(&args).fails(1);
        assert!(!env.ledger().exists(), "{args:?} created the ledger");
    }
}

#[test]
fn commands_on_a_missing_ledger_say_how_to_create_one() {
    let env = Env::new();
    for args in [
        vec!["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"],
        vec!["log"],
        vec!["verify"],
    ] {
        let err = env.run(&args).fails(1).to_string();
        assert!(
            err.contains("no ledger at") && err.contains("hyoka init"),
            "{err}"
        );
    }
}

#[test]
fn rate_unrate_flag_remark_and_log() {
    let env = Env::new();
    env.with_items();
    let out = env
        .run(&[
            "rate",
            "1",
            "H26上半期",
            "A",
            "-a",
            "山田",
            "-m",
            "上半期評価",
        ])
        .ok()
        .to_string();
    assert!(
        out.starts_with("recorded #4: item 1 平成26年度上半期: rating A (head "),
        "{out}"
    );
    let out = env
        .run(&[
            "rate",
            "1",
            "FY2014-H1",
            "S",
            "--author",
            "鈴木",
            "--reason",
            "訂正",
        ])
        .ok()
        .to_string();
    assert!(out.contains("rating S (was A)"), "{out}");
    let out = env
        .run(&["flag", "1", "on", "-a", "山田", "-m", "要確認"])
        .ok()
        .to_string();
    assert!(
        out.contains("follow-up on [period FY2014-H1: the latest with ratings]"),
        "{out}"
    );
    let out = env
        .run(&[
            "remark",
            "1",
            "継続して取り組む。",
            "--period",
            "平成26年度上半期",
            "-a",
            "山田",
            "-m",
            "所管課報告",
        ])
        .ok()
        .to_string();
    assert!(out.contains("remark 継続して取り組む。"), "{out}");
    let out = env
        .run(&["unrate", "1", "H26上半期", "-a", "鈴木", "-m", "誤入力"])
        .ok()
        .to_string();
    assert!(out.contains("rating withdrawn (was S)"), "{out}");

    let log = env.run(&["log"]).ok().to_string();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 9, "{log}");
    assert!(lines[5].starts_with("#5      2015-10-01 00:04:00 +09:00  鈴木  item 1 平成26年度上半期: rating S  reason: 訂正  hash "), "{}", lines[5]);

    let jsonl = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let events: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 9);
    assert_eq!(
        events[4]["change"],
        serde_json::json!({"kind": "rating.recorded", "item": 1, "item_id": "1", "period": "FY2014-H1", "grade": "A"})
    );
    assert_eq!(events[4]["author"], "山田");
    assert_eq!(events[4]["recorded_at"], "2015-09-30T15:03:00Z");
    for w in events.windows(2) {
        assert_eq!(w[1]["prev_hash"], w[0]["hash"], "the chain links");
    }
    assert_eq!(events[0]["prev_hash"], "0".repeat(64));
}

#[test]
fn item_amend_withdraw_reinstate() {
    let env = Env::new();
    env.with_items();
    let out = env
        .run(&[
            "item",
            "amend",
            "2",
            "--department",
            "協働推進課",
            "--category",
            "新しい見出し",
            "-a",
            "山田",
            "-m",
            "組織改正",
        ])
        .ok()
        .to_string();
    assert!(out.contains("heading added: 新しい見出し"), "{out}");
    assert!(
        out.contains("item 2 amended: department → 協働推進課; heading → 新しい見出し"),
        "{out}"
    );
    env.run(&["item", "amend", "2", "-a", "a", "-m", "m"])
        .fails(2);
    let err = env
        .run(&[
            "item",
            "amend",
            "2",
            "--department",
            "協働推進課",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("changes nothing"), "{err}");
    env.run(&[
        "item",
        "add",
        "3",
        "再掲",
        "--department",
        "d",
        "--category",
        "地域協働の推進",
        "--relisting-of",
        "1",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let err = env
        .run(&[
            "item",
            "add",
            "4",
            "x",
            "--department",
            "d",
            "--category",
            "c",
            "--relisting-of",
            "9",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("re-lists item 9, which does not exist"),
        "{err}"
    );
    env.run(&["item", "withdraw", "2", "-a", "山田", "-m", "計画から削除"])
        .ok();
    let err = env
        .run(&["rate", "2", "H26上半期", "A", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(
        err.contains("item 2 is withdrawn") && err.contains("hyoka item reinstate 2"),
        "{err}"
    );
    env.run(&["item", "reinstate", "2", "-a", "山田", "-m", "削除の取消"])
        .ok();
    env.run(&["rate", "2", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
}

/// Every bad input: one error line, the right exit code, and the stored history unchanged.
#[test]
fn bad_input_changes_nothing() {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "山田", "-m", "評価"])
        .ok();
    let before = env.snapshot();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["rate", "9", "H26上半期", "A", "-a", "a", "-m", "m"],
            1,
            "there is no item 9",
        ),
        (
            vec!["rate", "1", "H26上半期", "Z", "-a", "a", "-m", "m"],
            1,
            "grade `Z` is not in the plan's scale; use one of S, A, B",
        ),
        (
            vec!["rate", "1", "H26下半期", "A", "-a", "a", "-m", "m"],
            1,
            "cannot read period `H26下半期`",
        ),
        (
            vec!["rate", "1", "FY2014-H1", "A", "-a", "", "-m", "m"],
            1,
            "the author is empty",
        ),
        (
            vec!["rate", "1", "FY2014-H1", "B", "-a", "a", "-m", " "],
            1,
            "the reason is empty",
        ),
        (
            vec!["rate", "1", "FY2014-H1", "A", "-a", "a", "-m", "m"],
            1,
            "already rated A",
        ),
        (
            vec!["rate", "1", "FY2014-H1", "A", "-a", "a"],
            2,
            "--reason",
        ),
        (
            vec!["rate", "x", "FY2014-H1", "A", "-a", "a", "-m", "m"],
            1,
            "there is no item x",
        ),
        (
            vec!["rate", "1 2", "FY2014-H1", "A", "-a", "a", "-m", "m"],
            1,
            "the item id `1 2` holds ` `; an id is letters, digits and - _ . / ( ) ・; write a number such as 12, or an id such as R1-1 or 1-1-1",
        ),
        (
            vec!["unrate", "2", "FY2014-H1", "-a", "a", "-m", "m"],
            1,
            "no rating for 平成26年度上半期",
        ),
        (
            vec!["flag", "1", "maybe", "-a", "a", "-m", "m"],
            2,
            "invalid value 'maybe'",
        ),
        (
            vec!["flag", "1", "off", "-a", "a", "-m", "m"],
            1,
            "already off",
        ),
        (
            vec!["remark", "1", "a\u{1b}[2Jb", "-a", "a", "-m", "m"],
            1,
            "control character \\u{1b}",
        ),
        (
            vec![
                "item",
                "add",
                "1",
                "t",
                "--department",
                "d",
                "--category",
                "c",
                "-a",
                "a",
                "-m",
                "m",
            ],
            1,
            "item 1 already exists",
        ),
        (
            vec!["item", "withdraw", "7", "-a", "a", "-m", "m"],
            1,
            "there is no item 7",
        ),
    ];
    for (args, code, needle) in cases {
        let run = env.run(&args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        let err_line = run
            .stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("");
        assert!(
            run.stderr.contains(needle),
            "{args:?}: expected `{needle}` in {}",
            run.stderr
        );
        if code == 1 {
            assert_eq!(
                run.stderr.lines().count(),
                1,
                "{args:?}: one line: {}",
                run.stderr
            );
            assert!(err_line.starts_with("error: "), "{err_line}");
        }
        assert_eq!(env.snapshot(), before, "{args:?} changed the ledger");
    }
}

#[test]
fn a_busy_ledger_is_refused_or_waited_for() {
    let env = Env::new();
    env.with_items();
    let before = env.snapshot();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let err = env
        .run(&[
            "--wait",
            "0",
            "rate",
            "1",
            "H26上半期",
            "A",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("is busy") && err.contains("--wait"), "{err}");
    let err = env.run(&["--wait", "0.2", "log"]).fails(1).to_string();
    assert!(err.contains("is busy"), "{err}");
    drop(held);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn a_waiting_writer_proceeds_when_the_ledger_is_released() {
    let env = Env::new();
    env.with_items();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hyoka"))
        .env("HYOKA_LEDGER", env.ledger())
        .env("HYOKA_NOW", "2016-01-01T00:00:00Z")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .args([
            "--wait",
            "30",
            "rate",
            "1",
            "H26上半期",
            "A",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(held);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("recorded #4"));
}

#[test]
fn verify_reports_an_intact_history() {
    let env = Env::new();
    env.with_items();
    // The first event is in the store; the items were appended to the journal only: verify vouches
    // for what the directory records outside the journal, and says so.
    let out = env.run(&["verify"]).ok().to_string();
    assert!(
        out.starts_with(
            "ok: verified #0..#0 (1 event, vouched for by the store and its head record): the history is intact through #0\njournal only: #1..#3 (3 events) held only by the journal"
        ),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["verify", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["events"], 4);
    assert_eq!(json["vouched_through"], 0);
    assert_eq!(json["journal_only"], 3);
    assert_eq!(json["head_hash"].as_str().unwrap().len(), 64);
    // Anchored, every event is vouched for.
    env.run(&["anchor", "on"]).ok();
    let out = env.run(&["verify"]).ok().to_string();
    assert!(
        out.starts_with(
            "ok: verified #0..#3 (4 events, vouched for by the anchor record): the history is intact through #3\nhead: "
        ),
        "{out}"
    );
}

/// Rewrites one stored event's bytes directly in sled: verify names that seq and exits 3.
#[test]
fn a_tampered_event_is_named_by_verify() {
    let env = Env::new();
    env.with_items();
    for i in 0..5 {
        let grade = ["A", "B"][i % 2];
        env.run(&["rate", "1", "H26上半期", grade, "-a", "山田", "-m", "評価"])
            .ok();
    }
    {
        let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
        let bytes = ledger.event_bytes(5).unwrap();
        let mut forged = bytes.clone();
        // The grade is the last string of a rating event: flip its one byte (A <-> B).
        let at = forged.len() - 2;
        forged[at] ^= b'A' ^ b'B';
        ledger
            .store_mut()
            .unwrap()
            .tamper_event(5, &forged)
            .unwrap();
    }
    let run = env.run(&["verify"]);
    let err = run.fails(3).to_string();
    assert!(err.contains("event 5: hash mismatch"), "{err}");
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["verify", "--format", "json"]).stdout.trim()).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"]["seq"], 5);
    assert_eq!(json["error"]["kind"], "hash_mismatch");
}

/// A store that lost its tail (as sled does on some damage) is caught on open, with the integrity code.
#[test]
fn a_store_that_lost_its_tail_is_detected() {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "山田", "-m", "評価"])
        .ok();
    {
        let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
        let lost_to = 3;
        let head = ledger.event(lost_to - 1).unwrap().hash;
        ledger
            .store_mut()
            .unwrap()
            .tamper_commit(hyoka::store::Committed {
                events: lost_to,
                tree_hashes: hyoka::tlog::merkle::stored_hash_count(lost_to),
                head_hash: head,
            })
            .unwrap();
    }
    for args in [
        vec!["verify"],
        vec!["log"],
        vec!["rate", "1", "H26上半期", "B", "-a", "a", "-m", "m"],
    ] {
        let err = env.run(&args).fails(3).to_string();
        assert!(
            err.contains(
                "the store is behind its head record: it holds 3 events but 5 were acknowledged"
            ),
            "{err}"
        );
    }
}

#[test]
fn a_damaged_or_missing_head_record_is_an_integrity_failure() {
    let env = Env::new();
    env.with_items();
    let head = env.ledger().join("HEAD");
    let text = std::fs::read_to_string(&head).unwrap();
    let edited: String = text
        .lines()
        .map(|l| match l.strip_prefix("events ") {
            Some(n) => format!("events {}\n", n.parse::<u64>().unwrap() + 1),
            None => format!("{l}\n"),
        })
        .collect();
    assert_ne!(edited, text);
    std::fs::write(&head, edited).unwrap();
    let err = env.run(&["verify"]).fails(3).to_string();
    assert!(
        err.contains("the head record is damaged: its checksum does not match"),
        "{err}"
    );
    std::fs::remove_file(&head).unwrap();
    let err = env.run(&["verify"]).fails(3).to_string();
    assert!(err.contains("the HEAD file is missing"), "{err}");
}

#[test]
fn every_command_has_help_with_an_example() {
    let env = Env::new();
    for cmd in [
        "init",
        "item add",
        "item amend",
        "item withdraw",
        "item reinstate",
        "rate",
        "unrate",
        "flag",
        "remark",
        "log",
        "verify",
        "demo",
        "import",
    ] {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        let out = env.run(&args).ok().to_string();
        assert!(out.contains("Example"), "{cmd} --help: {out}");
    }
    let out = env.run(&["verify", "--help"]).ok().to_string();
    assert!(out.contains("3 an integrity failure"), "{out}");
}

#[test]
fn the_demo_damages_one_byte_of_an_exported_copy_and_verify_catches_it() {
    let env = Env::new();
    // The demo fails (exit 1) if the damaged copy verifies.
    let out = env.run(&["demo"]).ok().to_string();
    let section = out
        .split("\n== 6. ")
        .nth(1)
        .and_then(|s| s.split("\n== 7. ").next())
        .unwrap_or_else(|| panic!("no section 6: {out}"));
    let lines: Vec<&str> = section.lines().collect();
    assert_eq!(
        lines[0], "Tamper evidence: change one byte of event 100 in an exported copy",
        "{section}"
    );
    let file = lines[1]
        .strip_prefix("$ hyoka export --output ")
        .unwrap_or_else(|| panic!("{section}"));
    assert!(file.ends_with("/ledger.jsonl"), "{section}");
    assert!(
        lines[2].starts_with(&format!("exported 359 events to {file} ")),
        "{section}"
    );
    assert!(
        lines[3].starts_with("(edited by hand: ledger.jsonl line 101, event 100: character "),
        "{section}"
    );
    assert_eq!(
        lines[4],
        format!("$ hyoka verify --export {file}"),
        "{section}"
    );
    assert!(
        lines[5].starts_with("error: integrity failure: event 100: ")
            && lines[5].ends_with(&format!(
                "; the export {file} cannot be trusted (exit code 3)"
            )),
        "{section}"
    );
    assert!(
        !std::path::Path::new(file).exists(),
        "the demo's directory was left behind"
    );
}
