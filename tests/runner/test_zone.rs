//! Times as a Japanese clerk reads and writes them (issue 19, finding 2): every view shows Japan time
//! (`2015-11-06 08:30:00 +09:00`) whatever the system's zone, its JSON RFC 3339 with `+09:00`, while the
//! export and `log --format jsonl` keep UTC; `--at` and `at:` read a day in that zone; `--tz` (or
//! `HYOKA_TZ`, or the config file) shows and reads another.

use serde_json::Value;

use crate::common::Env;

/// 08:30 on 6 November 2015 in Japan: 23:30 on the 5th in UTC.
const CHANGED_AT: &str = "2015-11-05T23:30:00Z";

/// A ledger whose item 1 is rated B at import time, then A at 08:30 JST on 6 November, run with the
/// system's zone set to New York's (neither Japan's nor UTC).
fn corrected() -> Env {
    let env = Env::new();
    env.var("TZ", "America/New_York");
    env.with_items();
    env.run_at(
        "2015-11-02T10:00:00+09:00",
        &["rate", "1", "H27上半期", "B", "-a", "山田", "-m", "報告"],
    )
    .ok();
    env.run_at(
        CHANGED_AT,
        &[
            "rate",
            "1",
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

fn json(env: &Env, args: &[&str]) -> Value {
    let run = env.run(args);
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The rating of item 1 at 平成27年度上半期 in `table --format json` with `args`.
fn rating(env: &Env, args: &[&str]) -> Value {
    let mut all = vec!["table", "--format", "json"];
    all.extend_from_slice(args);
    let table = json(env, &all);
    let item = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "1")
        .cloned()
        .unwrap_or_else(|| panic!("no item 1: {table}"));
    item["ratings"]["FY2015-H1"].clone()
}

fn validator(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

#[track_caller]
fn assert_valid(schema: &str, v: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}");
}

#[test]
fn every_view_shows_japan_time_whatever_the_system_zone() {
    let env = corrected();
    let shown = "2015-11-06 08:30:00 +09:00";
    let history = env.run(&["history", "1"]);
    let history = history.ok();
    assert!(history.contains(shown), "{history}");
    assert!(!history.contains("23:30"), "{history}");
    // Seconds, no fraction, in every text view.
    for args in [
        &["log"][..],
        &["blame", "--period", "H27上半期"],
        &["diff", "at:2015-11-05", "at:2015-11-06"],
        &["history", "--all"],
    ] {
        let run = env.run(args);
        assert!(run.ok().contains(shown), "{args:?}: {}", run.stdout);
    }
    // The views' JSON: RFC 3339 with +09:00.
    let want = "2015-11-06T08:30:00+09:00";
    let h = json(&env, &["history", "1", "--format", "json"]);
    assert_eq!(h.as_array().unwrap().last().unwrap()["recorded_at"], want);
    let b = json(
        &env,
        &["blame", "--period", "H27上半期", "--format", "json"],
    );
    let cell = b
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["item_id"] == "1" && e["field"] == "rating")
        .cloned()
        .unwrap();
    assert_eq!(cell["recorded_at"], want);
    let d = json(
        &env,
        &["diff", "at:2015-11-05", "at:2015-11-06", "--format", "json"],
    );
    assert_eq!(d["changes"][0]["recorded_at"], want, "{d}");
    // The export and `log --format jsonl` keep UTC, as schema/FORMAT.md section 10 specifies.
    let log = env.run(&["log", "--format", "jsonl"]);
    let last: Value = serde_json::from_str(log.ok().lines().last().unwrap()).unwrap();
    assert_eq!(last["recorded_at"], CHANGED_AT);
    let export = env.run(&["export"]);
    let line: Value = serde_json::from_str(export.ok().lines().last().unwrap()).unwrap();
    assert_eq!(line["event"]["recorded_at"], CHANGED_AT, "{line}");
}

/// The issue's case: a change at 08:30 JST on 11-06 was recorded after the end of 11-05 in Japan, so
/// `--at 2015-11-05` does not show it and `--at 2015-11-06` does; in UTC it was still the 5th.
#[test]
fn a_date_is_a_day_in_the_zone_times_are_shown_in() {
    let env = corrected();
    assert_eq!(rating(&env, &["--at", "2015-11-05"]), "B");
    for day in [
        "2015-11-06",
        "2015/11/06",
        "平成27年11月6日",
        "２０１５年１１月６日",
    ] {
        assert_eq!(rating(&env, &["--at", day]), "A", "{day}");
    }
    assert_eq!(rating(&env, &["--at", "2015-11-06 08:29"]), "B");
    assert_eq!(rating(&env, &["--at", "2015-11-06 08:30"]), "A");
    // history's --since and --until read a day in the same zone (they list every change in the
    // stretch: the corrections among them are those that replaced a value).
    let corrections = |env: &Env, args: &[&str]| {
        let mut all = vec!["history", "--all", "--format", "json"];
        all.extend_from_slice(args);
        json(env, &all)
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["old"].is_null())
            .count()
    };
    assert_eq!(corrections(&env, &["--since", "2015-11-06"]), 1);
    assert_eq!(corrections(&env, &["--until", "2015-11-05"]), 0);
    assert_eq!(
        corrections(&env, &["--tz", "UTC", "--since", "2015-11-06"]),
        0
    );
    assert_eq!(
        corrections(&env, &["--tz", "UTC", "--until", "2015-11-05"]),
        1
    );
    // In UTC the change was made on the 5th.
    env.var("HYOKA_TZ", "UTC");
    assert_eq!(rating(&env, &["--at", "2015-11-04"]), "B");
    assert_eq!(rating(&env, &["--at", "2015-11-05"]), "A");
    assert_eq!(rating(&env, &["--tz", "JST", "--at", "2015-11-05"]), "B");
    let diff = env.run(&["diff", "at:2015-11-04", "at:2015-11-05"]);
    assert!(
        diff.ok()
            .starts_with("1 difference from at:2015-11-04 to at:2015-11-05"),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("2015-11-05 23:30:00 +00:00"),
        "{}",
        diff.stdout
    );
}

#[test]
fn tz_shows_times_in_another_zone() {
    let env = corrected();
    for (zone, text, rfc) in [
        ("UTC", "2015-11-05 23:30:00 +00:00", "2015-11-05T23:30:00Z"),
        (
            "+05:30",
            "2015-11-06 05:00:00 +05:30",
            "2015-11-06T05:00:00+05:30",
        ),
        (
            "ＪＳＴ",
            "2015-11-06 08:30:00 +09:00",
            "2015-11-06T08:30:00+09:00",
        ),
        (
            "America/New_York",
            "2015-11-05 18:30:00 -05:00",
            "2015-11-05T18:30:00-05:00",
        ),
    ] {
        let run = env.run(&["--tz", zone, "history", "1"]);
        assert!(run.ok().contains(text), "{zone}: {}", run.stdout);
        let h = json(&env, &["--tz", zone, "history", "1", "--format", "json"]);
        assert_eq!(
            h.as_array().unwrap().last().unwrap()["recorded_at"],
            rfc,
            "{zone}"
        );
    }
    // The views' JSON in any zone matches its schema (RFC 3339 with an offset).
    for zone in ["Asia/Tokyo", "UTC", "-03:30"] {
        for (schema, args) in [
            (
                "history.schema.json",
                &["history", "1", "--format", "json"][..],
            ),
            ("blame.schema.json", &["blame", "--format", "json"]),
            (
                "diff.schema.json",
                &["diff", "at:2015-11-01", "at:2015-11-07", "--format", "json"],
            ),
        ] {
            let mut all = vec!["--tz", zone];
            all.extend_from_slice(args);
            assert_valid(schema, &json(&env, &all));
        }
    }
    // A time that is not RFC 3339 with an offset is refused by the schemas.
    let mut h = json(&env, &["history", "1", "--format", "json"]);
    h[0]["recorded_at"] = "2015-11-06 08:30:00 +09:00".into();
    assert!(!validator("history.schema.json").is_valid(&h));
    // The correction report names the zone of its times.
    let md = env.run(&["--tz", "UTC", "history", "--all", "--format", "md"]);
    assert!(md.ok().contains("| seq | 日時 (UTC) |"), "{}", md.stdout);
    let md = env.run(&["history", "--all", "--format", "md"]);
    assert!(
        md.ok().contains("| seq | 日時 (日本時間) |"),
        "{}",
        md.stdout
    );
}

#[test]
fn a_bad_zone_or_time_is_a_usage_error_in_one_line() {
    let env = corrected();
    let before = env.snapshot();
    let bad = env.run(&["--tz", "Tokyo", "history", "1"]);
    insta::assert_snapshot!(bad.transcript(&env), @r"
    exit: 2
    --- stdout
    --- stderr
    error: --tz: unknown time zone `Tokyo`: write Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name
    ");
    let bad = env.var("HYOKA_TZ", "+25:00").run(&["table"]);
    assert_eq!(
        bad.fails(2),
        "error: --tz: cannot read the offset `+25:00`: write Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name"
    );
    env.var("HYOKA_TZ", "Asia/Tokyo");
    for args in [
        &["summary", "--at", "2015-11-31"][..],
        &["blame", "--at", "令和8年13月1日"],
        &["diff", "at:yesterday", "seq:3"],
        &["diff", "seq:x", "seq:3"],
    ] {
        let run = env.run(args);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        let line = run.fails(2);
        assert!(line.contains("write"), "{args:?}: {line}");
    }
    assert_eq!(env.snapshot(), before, "nothing was recorded");
}
