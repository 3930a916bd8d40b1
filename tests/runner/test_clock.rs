//! Clocks: a batch whose clock is behind the last event is recorded at that event's time after a
//! `clock.behind` event (schema/FORMAT.md section 3.1), so no recorded time locks the ledger; the
//! views show it; `--at` still selects by recorded time; the test binary reads `HYOKA_NOW`.

use serde_json::Value;

use crate::common::Env;

/// The latest time an event can hold (i64::MAX nanoseconds).
const LAST_TIME: &str = "2262-04-11T23:47:16.854775807Z";

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn assert_valid(schema: &str, instance: &Value) {
    let path = format!("{}/schema/{schema}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance}");
}

/// The issue "One future timestamp locks the ledger for good": after one event recorded at the latest
/// time there is, every append with the real clock failed.
#[test]
fn one_future_timestamp_never_locks_the_ledger() {
    let env = Env::new();
    env.with_items();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "山田", "-m", "評価"])
        .ok();
    env.run_at(LAST_TIME, &["remark", "1", "x", "-a", "t", "-m", "r"])
        .ok();

    // A clock far behind: recorded at the last event's time, after a clock.behind event, and said so.
    let clock = env.now();
    let run = env.run(&["rate", "2", "H26上半期", "B", "-a", "鈴木", "-m", "再評価"]);
    assert!(
        run.ok().starts_with("recorded #7: item 2"),
        "{}",
        run.stdout
    );
    let warning: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warning.len(), 1, "{}", run.stderr);
    // Shown in Japan time, to the second, as every time the command line prints.
    let shown =
        |t: &str| hyoka::domain::when::format_text(hyoka::domain::when::parse_rfc3339(t).unwrap());
    let (clock_shown, last_shown) = (shown(&clock), shown(LAST_TIME));
    // The export and the events' machine form keep UTC (schema/FORMAT.md section 10); the views' JSON
    // gives Japan time.
    let at = |t: &str| hyoka::domain::when::parse_rfc3339(t).unwrap();
    let clock_utc = hyoka::domain::when::format(at(&clock));
    let (clock_jst, last_jst) = (
        hyoka::domain::when::format_jst(at(&clock)),
        hyoka::domain::when::format_jst(at(LAST_TIME)),
    );
    assert_eq!(last_shown, "2262-04-12 08:47:16 +09:00");
    assert_eq!(
        warning[0],
        format!(
            "warning: 時計遅れ (clock behind): this machine's clock read {clock_shown}, earlier than the last event's time {last_shown}, so the change was recorded at {last_shown} after a clock.behind event (#6); if this machine's clock is wrong, fix it; if it is right, an earlier change was recorded by a clock that ran ahead, and changes are recorded at that time until it has passed"
        )
    );
    // And again: every later append with that clock works the same way.
    env.run(&["flag", "2", "on", "-a", "鈴木", "-m", "要確認"])
        .ok();
    let out = env.run(&["verify"]);
    assert!(
        out.ok().starts_with("ok: verified #0..#0 (1 event")
            && out.stdout.contains("journal only: #1..#9 (9 events)"),
        "{}",
        out.stdout
    );

    // log: the clock.behind events themselves, in text and JSON Lines (valid against the schema).
    let events = jsonl(env.run(&["log", "--format", "jsonl"]).ok());
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["change"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds[5..],
        [
            "remark.set",
            "clock.behind",
            "rating.recorded",
            "clock.behind",
            "follow_up.set"
        ]
    );
    for e in &events {
        assert_valid("event.schema.json", e);
    }
    assert_eq!(events[6]["change"]["clock"], clock_utc);
    assert_eq!(events[6]["author"], "鈴木");
    for e in &events[5..] {
        assert_eq!(e["recorded_at"], LAST_TIME);
    }
    let log = env.run(&["log"]).ok().to_string();
    let line = log.lines().nth(6).unwrap();
    assert!(
        line.contains(&format!(
            "時計遅れ clock behind: the clock read {clock_shown}, earlier than the previous event; recorded at its time"
        )),
        "{line}"
    );

    // history: the rows of a batch that began with a clock.behind event carry a note, the others none.
    let history: Value =
        serde_json::from_str(env.run(&["history", "2", "--format", "json"]).ok()).unwrap();
    assert_valid("history.schema.json", &history);
    let rows = history.as_array().unwrap();
    let rating = rows.iter().find(|r| r["field"] == "rating").unwrap();
    assert_eq!(rating["clock_behind"], clock_jst);
    assert_eq!(rating["recorded_at"], last_jst);
    let flag = rows.iter().find(|r| r["field"] == "follow_up").unwrap();
    assert!(flag["clock_behind"].is_string(), "{flag}");
    assert!(
        rows.iter()
            .filter(|r| r["field"] == "title")
            .all(|r| r.get("clock_behind").is_none())
    );
    let note = format!("(時計遅れ: 端末の時計は {clock_shown}、直前の記録時刻で記録)");
    let text = env.run(&["history", "2"]).ok().to_string();
    let rated = text.lines().find(|l| l.contains("rating")).unwrap();
    assert!(rated.ends_with(&format!("再評価 {note}")), "{text}");
    assert!(
        !text
            .lines()
            .find(|l| l.contains("title"))
            .unwrap()
            .contains("時計遅れ")
    );
    let one = env.run(&["history", "1"]).ok().to_string();
    assert!(!one.contains("時計遅れ"), "{one}");
    let md = env
        .run(&["history", "2", "--format", "md"])
        .ok()
        .to_string();
    assert!(
        md.contains(&format!("| {last_shown} {note} | 鈴木 |")),
        "{md}"
    );

    // The clock caught up with the last time: recorded without a note.
    let run = env.run_at(LAST_TIME, &["remark", "2", "y", "-a", "t", "-m", "r"]);
    run.ok();
    assert_eq!(run.stderr, "");
    let events = jsonl(env.run(&["log", "--format", "jsonl"]).ok());
    assert_eq!(events.len(), 11);
    assert_eq!(events[10]["change"]["kind"], "remark.set");

    // An export carries them, and verifies on its own.
    let export = env.dir.path().join("ledger.jsonl");
    env.run(&["export", "--output", export.to_str().unwrap()])
        .ok();
    env.run(&["verify", "--export", export.to_str().unwrap()])
        .ok();
}

/// `--at TIME` is still "what had been recorded by then": by recorded time, which never decreases, so
/// a batch recorded with a clock behind counts from the time it was recorded at, not its clock's.
#[test]
fn at_time_selects_by_recorded_time_after_a_clock_behind() {
    let env = Env::new();
    env.with_items();
    env.run_at(
        "2016-04-01T00:00:00Z",
        &["rate", "1", "H26上半期", "A", "-a", "山田", "-m", "評価"],
    )
    .ok();
    // The clock reads 2015-10-01: recorded at 2016-04-01.
    env.run(&["rate", "2", "H26上半期", "B", "-a", "鈴木", "-m", "評価"])
        .ok();
    let ratings = |at: &str| -> Vec<(u64, Value)> {
        let v: Value =
            serde_json::from_str(env.run(&["table", "--format", "json", "--at", at]).ok()).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["number"].as_u64().unwrap(),
                    i["ratings"]["FY2014-H1"].clone(),
                )
            })
            .collect()
    };
    // Before the rating of item 1, neither; by its time, both: item 2's was recorded then too.
    assert_eq!(
        ratings("2016-03-31T23:59:59Z"),
        [(1, Value::Null), (2, Value::Null)]
    );
    assert_eq!(
        ratings("2016-04-01T00:00:00Z"),
        [(1, "A".into()), (2, "B".into())]
    );
    // The clock's own reading selects what had been recorded by then: neither rating.
    assert_eq!(
        ratings("2015-10-01T23:00:00Z"),
        [(1, Value::Null), (2, Value::Null)]
    );
    let by_seq: Value =
        serde_json::from_str(env.run(&["table", "--format", "json", "--seq", "5"]).ok()).unwrap();
    assert_eq!(
        by_seq["items"][1]["ratings"]["FY2014-H1"],
        Value::Null,
        "seq 5 is the clock.behind event"
    );
}

/// The integration tests' binary is built with the `test-clock` feature (the crate's dev-dependency on
/// itself): it records the time `HYOKA_NOW` gives and warns of nothing.
#[test]
fn the_test_binary_reads_hyoka_now() {
    let env = Env::new();
    let run = env.run_at(
        "2001-02-03T04:05:06.7Z",
        &["init", "--plan", "p", "--origin", "example/p"],
    );
    run.ok();
    assert_eq!(run.stderr, "");
    let events = jsonl(env.run(&["log", "--format", "jsonl"]).ok());
    assert_eq!(events[0]["recorded_at"], "2001-02-03T04:05:06.7Z");
}

/// A `HYOKA_NOW` that is not a time is a usage error in a build that reads it.
#[test]
fn a_bad_hyoka_now_is_a_usage_error() {
    let env = Env::new();
    env.with_items();
    let before = env.snapshot();
    let err = env
        .run_at(
            "yesterday",
            &["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"],
        )
        .fails(2)
        .to_string();
    assert!(err.contains("HYOKA_NOW"), "{err}");
    assert_eq!(env.snapshot(), before);
}
