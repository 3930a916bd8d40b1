//! Several writers and readers at once: one process holds a ledger at a time, the others wait
//! (`--wait`) or say it is busy; nothing acknowledged is lost and the chain stays dense.

use std::io::{BufRead, Read};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::Env;

fn hyoka(env: &Env, args: &[String]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("hyoka"));
    c.env("HYOKA_LEDGER", env.ledger())
        .env("HYOKA_NOW", "2016-01-05T10:00:00+09:00")
        .env_remove("HYOKA_WAIT")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .env("HYOKA_CONFIG", "")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn remark_args(wait: &str, item: u32, text: &str) -> Vec<String> {
    [
        "--wait",
        wait,
        "remark",
        &item.to_string(),
        text,
        "--period",
        "H26上半期",
        "-a",
        "並行",
        "-m",
        "同時書き込み",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The remarks in the log, the number of events, and whether seqs are dense and the chain links.
fn logged(env: &Env) -> (Vec<String>, usize) {
    let jsonl = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let events: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as u64, "seqs are dense");
    }
    for w in events.windows(2) {
        assert_eq!(w[1]["prev_hash"], w[0]["hash"], "the chain links");
    }
    let remarks = events
        .iter()
        .filter(|e| e["change"]["kind"] == "remark.set")
        .map(|e| e["change"]["text"].as_str().unwrap().to_string())
        .collect();
    (remarks, events.len())
}

/// Spawned together with `--wait 30`, every CLI writer gets its turn: all acknowledged, all present
/// exactly once, each at the seq it printed.
#[test]
fn concurrent_cli_writers_that_wait_all_get_their_turn() {
    let env = Env::new();
    env.with_items();
    let before = logged(&env).1;
    let writers = 12;
    let children: Vec<_> = (0..writers)
        .map(|i| {
            let text = format!("writer {i}");
            hyoka(&env, &remark_args("30", 1 + i % 2, &text))
                .spawn()
                .unwrap()
        })
        .collect();
    let mut seqs = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a waiting writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seq: u64 = stdout
            .strip_prefix("recorded #")
            .and_then(|s| s.split(':').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no acknowledgement: {stdout}"));
        seqs.push(seq);
    }
    seqs.sort();
    let expected: Vec<u64> = (before as u64..(before + writers as usize) as u64).collect();
    assert_eq!(seqs, expected, "each writer got its own seq");
    let (remarks, events) = logged(&env);
    assert_eq!(events, before + writers as usize);
    for i in 0..writers {
        let text = format!("writer {i}");
        assert_eq!(remarks.iter().filter(|r| **r == text).count(), 1, "{text}");
    }
    env.run(&["verify"]).ok();
}

/// Without `--wait`, a writer that finds the ledger busy fails at once with one clear line; the ones
/// that got through are exactly those present.
#[test]
fn concurrent_cli_writers_that_do_not_wait_proceed_or_fail_clearly() {
    let env = Env::new();
    env.with_items();
    let before = logged(&env).1;
    let children: Vec<_> = (0..8u32)
        .map(|i| {
            hyoka(&env, &remark_args("0", 1 + i % 2, &format!("hasty {i}")))
                .spawn()
                .unwrap()
        })
        .collect();
    let mut acked = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => acked.push(format!("hasty {i}")),
            Some(1) => {
                assert_eq!(stderr.lines().count(), 1, "{stderr}");
                assert!(
                    stderr.starts_with("error: the ledger at ")
                        && stderr.contains("is busy")
                        && stderr.contains("--wait"),
                    "{stderr}"
                );
            }
            other => panic!("exit {other:?}: {stderr}"),
        }
    }
    assert!(!acked.is_empty(), "at least one writer proceeds");
    let (remarks, events) = logged(&env);
    assert_eq!(events, before + acked.len());
    let mut present: Vec<String> = remarks
        .into_iter()
        .filter(|r| r.starts_with("hasty"))
        .collect();
    present.sort();
    acked.sort();
    assert_eq!(present, acked);
}

/// A reader during a write: with a short `--wait` it says the ledger is busy within about that time;
/// with a longer one it gets its answer once the writer is done.
#[test]
fn a_reader_during_a_write_waits_or_says_busy_in_bounded_time() {
    let env = Env::new();
    env.with_items();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let started = Instant::now();
    let out = hyoka(&env, &["--wait".into(), "0.3".into(), "table".into()])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is busy"), "{stderr}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(10),
        "{took:?}"
    );
    let reader = hyoka(&env, &["--wait".into(), "30".into(), "table".into()])
        .spawn()
        .unwrap();
    drop(held);
    let out = reader.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("市民活動支援"));
}

/// Inside one process, appenders share a ledger behind a mutex: N threads × M appends are all there,
/// in a dense chain that verifies.
#[test]
fn threads_sharing_a_ledger_lose_nothing() {
    let env = Env::new();
    env.with_items();
    let ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let before = ledger.len();
    let ledger = Arc::new(Mutex::new(ledger));
    let period = hyoka::domain::period::Period::parse("H26上半期", None).unwrap();
    let (threads, each) = (4u32, 25u32);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let ledger = Arc::clone(&ledger);
            std::thread::spawn(move || {
                for m in 0..each {
                    let meta = hyoka::Meta {
                        author: format!("thread {t}"),
                        reason: "並行".into(),
                        source: None,
                        recorded_at: hyoka::domain::when::now(),
                        new_point: false,
                        signer: None,
                    };
                    let change = hyoka::domain::event::Change::RemarkSet {
                        item: (1 + t % 2).into(),
                        period,
                        text: format!("thread {t} append {m}"),
                    };
                    let mut l = ledger.lock().unwrap();
                    // The clock is read outside the lock: another thread may have recorded later.
                    let meta = hyoka::Meta {
                        recorded_at: meta.recorded_at.max(last_time(&l)),
                        ..meta
                    };
                    l.append(&meta, &[change]).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let ledger = Arc::into_inner(ledger).unwrap().into_inner().unwrap();
    let total = u64::from(threads * each);
    assert_eq!(ledger.len(), before + total);
    assert_eq!(
        ledger.verify(&mut |_, _| {}).unwrap().events,
        before + total
    );
    drop(ledger);
    let (remarks, _) = logged(&env);
    for t in 0..threads {
        for m in 0..each {
            let text = format!("thread {t} append {m}");
            assert_eq!(remarks.iter().filter(|r| **r == text).count(), 1, "{text}");
        }
    }
}

fn last_time(l: &hyoka::Ledger) -> i64 {
    l.event(l.len() - 1).unwrap().event.recorded_at
}

/// `hyoka log` into a pipe nobody reads (`hyoka log | sleep 60`) reads the log, releases the ledger,
/// then blocks writing: a writer gets through while it is blocked, and its output is whole.
#[test]
fn a_stalled_reader_never_blocks_writers() {
    let env = Env::new();
    env.with_items();
    // Far more than a pipe's buffer (64 KiB): the reader blocks once it is full.
    for i in 0..6 {
        let text = format!("{i} {}", "長い所見".repeat(5_000));
        env.run(&[
            "remark",
            "1",
            &text,
            "--period",
            "H26上半期",
            "-a",
            "山田",
            "-m",
            "長文",
        ])
        .ok();
    }
    let expected = env.run(&["log"]).ok().to_string();
    assert!(expected.len() > 256 << 10, "{}", expected.len());

    let mut reader = hyoka(&env, &["--wait".into(), "10".into(), "log".into()])
        .spawn()
        .unwrap();
    // Its first byte says it is printing (before, it might not have opened the ledger yet); then the
    // test stops reading, and the reader blocks once the pipe is full.
    let mut stdout = reader.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    // A writer waiting up to 10 s gets the ledger (a reader holding it while printing would keep it
    // busy for as long as its output is not read).
    let out = hyoka(&env, &remark_args("10", 2, "while a reader is stalled"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the writer was blocked by the stalled reader: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        reader.try_wait().unwrap().is_none(),
        "the reader should still be blocked on its full pipe"
    );
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let status = reader.wait().unwrap();
    assert!(status.success());
    let mut got = first.to_vec();
    got.extend(rest);
    assert_eq!(
        String::from_utf8(got).unwrap(),
        expected,
        "the reader printed the log as it read it, whole"
    );
    let (remarks, _) = logged(&env);
    assert!(remarks.iter().any(|r| r == "while a reader is stalled"));
}

/// A writer that finds the ledger busy names the process holding it: its pid and command line.
#[test]
fn a_busy_ledger_names_its_holder() {
    let env = Env::new();
    env.with_items();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let out = hyoka(&env, &remark_args("0", 1, "blocked"))
        .output()
        .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let me = std::env::args().next().unwrap();
    let name = std::path::Path::new(&me)
        .file_name()
        .unwrap()
        .to_string_lossy();
    assert!(
        stderr.contains(&format!("is busy: process {} (", std::process::id()))
            && stderr.contains(name.as_ref())
            && stderr.contains("is using it; try again, or pass --wait SECONDS"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// A writer that may wait says, once the lock has been held past a moment, who holds it, then waits
/// (here in vain: the holder keeps it for the whole of `--wait`).
#[test]
fn a_waiting_writer_names_the_holder_it_waits_for() {
    let env = Env::new();
    env.with_items();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let out = hyoka(&env, &remark_args("2", 1, "blocked"))
        .output()
        .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "note: the ledger is busy: process {} (",
            std::process::id()
        )) && lines[0].ends_with("is using it; waiting up to 1 s more for it"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("error: the ledger at "), "{stderr}");
}

/// Colleagues writing at the same moment take turns: with the default wait, every one of five
/// simultaneous writers is recorded (with no wait, most would fail "busy").
#[test]
fn simultaneous_writers_take_turns_by_default() {
    let env = Env::new();
    env.with_items();
    let before = logged(&env).1;
    let children: Vec<_> = (0..5u32)
        .map(|i| {
            let args: Vec<String> = [
                "remark",
                &(1 + i % 2).to_string(),
                &format!("together {i}"),
                "--period",
                "H27上半期",
                "-a",
                "山田",
                "-m",
                "同時入力",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            hyoka(&env, &args).spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(logged(&env).1, before + 5);
}

/// The case (finding 7): five colleagues rate at the same moment with hyoka's defaults (no
/// --wait, no HYOKA_WAIT, no config file): all five are recorded, each at its own seq.
#[test]
fn five_simultaneous_ratings_are_all_recorded_by_default() {
    let env = Env::new();
    env.with_items();
    let before = logged(&env).1;
    // Adjacent points only (a point two after the rated ones is refused as a likely typo, and the
    // order is the scheduler's); item 1's first half-year twice, with two grades, so that either
    // order records both.
    let cells = [
        ("1", "H26上半期", "A"),
        ("2", "H26上半期", "A"),
        ("1", "H26年度末", "A"),
        ("2", "H26年度末", "A"),
        ("1", "H26上", "B"),
    ];
    let children: Vec<_> = cells
        .iter()
        .map(|(item, period, grade)| {
            let args: Vec<String> = ["rate", item, period, grade, "-a", "山田", "-m", "同時入力"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            hyoka(&env, &args).spawn().unwrap()
        })
        .collect();
    let mut seqs = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seq: u64 = stdout
            .strip_prefix("recorded #")
            .and_then(|s| s.split(':').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no acknowledgement: {stdout}"));
        seqs.push(seq);
    }
    seqs.sort();
    assert_eq!(seqs, (before as u64..before as u64 + 5).collect::<Vec<_>>());
    assert_eq!(logged(&env).1, before + 5);
}

/// Reads `child`'s stderr up to its first line, which must say it is waiting for this process; then
/// `release` lets the ledger go, and the rest of stderr is returned with that line.
fn note_then_release(child: &mut std::process::Child, release: impl FnOnce()) -> Vec<String> {
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert!(
        first.starts_with(&format!(
            "note: the ledger is busy: process {} (",
            std::process::id()
        )) && first.contains("is using it; waiting up to "),
        "{first}"
    );
    release();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    std::iter::once(first.trim_end().to_string())
        .chain(rest.lines().map(str::to_string))
        .collect()
}

/// A writer that finds the ledger held waits by default, says once on stderr whom it waits for, and
/// records its change when the ledger is released (the test releases it on reading that line: no
/// sleep orders the two). An import waits and says so the same way.
#[test]
fn a_writer_waits_by_default_says_whom_for_once_and_records() {
    let env = Env::new();
    env.with_items();
    let before = logged(&env).1;
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let args: Vec<String> = ["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "報告"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut child = hyoka(&env, &args).spawn().unwrap();
    let lines = note_then_release(&mut child, || drop(held));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{lines:?}");
    assert_eq!(lines.len(), 1, "one note, nothing else: {lines:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("recorded #{before}:")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // An import (of the ledger's own table, so nothing new): the same.
    let table = env.dir.path().join("table.tsv");
    let exported = env.run(&["table", "--format", "tsv"]).ok().to_string();
    std::fs::write(&table, exported).unwrap();
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let args: Vec<String> = ["import", table.to_str().unwrap(), "-a", "山田"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut child = hyoka(&env, &args).spawn().unwrap();
    let lines = note_then_release(&mut child, || drop(held));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{lines:?}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("note: the ledger is busy"))
            .count(),
        1,
        "{lines:?}"
    );
}
