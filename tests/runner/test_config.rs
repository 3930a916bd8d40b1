//! The config file (issue 19, finding 11): its place (`$XDG_CONFIG_HOME/hyoka/config.toml`, or the file
//! `HYOKA_CONFIG` names), its keys (ledger, key, language, time_zone, wait), the precedence flag >
//! environment variable > file > default, and a bad file said in one line naming the file and the key.

use std::path::PathBuf;

use crate::common::Env;

/// Writes `text` as the config file at the platform's place, and returns its path.
fn write_config(env: &Env, text: &str) -> PathBuf {
    let dir = env.config_dir().join("hyoka");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A ledger with item 1 rated at 08:30 on 6 November 2015, Japan time (23:30 UTC on the 5th).
fn rated(env: &Env) {
    env.with_items();
    env.run_at(
        "2015-11-05T23:30:00Z",
        &["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "報告"],
    )
    .ok();
}

fn history_times(env: &Env) -> Vec<String> {
    let run = env.run(&["history", "1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["recorded_at"].as_str().unwrap().to_string())
        .collect()
}

/// Runs `hyoka ARGS` in the environment's directory with no HYOKA_* variable but `vars`, the config
/// directory of the environment, and a system zone that is neither Japan's nor UTC.
fn bare(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("hyoka").unwrap();
    for v in [
        "HYOKA_LEDGER",
        "HYOKA_TZ",
        "HYOKA_WAIT",
        "HYOKA_CONFIG",
        "HYOKA_KEY",
        "HYOKA_LOG_KEY",
        "HYOKA_LANG",
        "LC_MESSAGES",
    ] {
        cmd.env_remove(v);
    }
    let out = cmd
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env("XDG_CONFIG_HOME", env.config_dir())
        .env("TZ", "Asia/Kolkata")
        .envs(vars.iter().copied())
        .current_dir(env.dir.path())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_file_sets_the_ledger_the_zone_and_the_wait() {
    let env = Env::new();
    rated(&env);
    // Without a file, no ledger here (./hyoka-ledger), times in Japan time.
    let (code, _, stderr) = bare(&env, &[], &["history", "1"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no ledger at hyoka-ledger"), "{stderr}");
    let (code, stdout, stderr) = bare(&env, &[("HYOKA_LEDGER", "ledger")], &["history", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2015-11-06 08:30:00 +09:00"), "{stdout}");

    // The file: the ledger (relative to the file's directory), the zone, the wait.
    let cfg_dir = env.config_dir().join("hyoka");
    std::fs::create_dir_all(&cfg_dir).unwrap();
    let relative = pathdiff(&env.ledger(), &cfg_dir);
    write_config(
        &env,
        &format!(
            "# hyoka\nledger = \"{}\"\ntime_zone = \"UTC\"\nwait = 0\nlanguage = \"ja\"\n",
            relative.display()
        ),
    );
    let (code, stdout, stderr) = bare(&env, &[], &["history", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2015-11-05 23:30:00 +00:00"),
        "the file's ledger and zone: {stdout}"
    );
    // The environment variable wins over the file, the flag over both.
    let (_, stdout, _) = bare(&env, &[("HYOKA_TZ", "+05:30")], &["history", "1"]);
    assert!(stdout.contains("2015-11-06 05:00:00 +05:30"), "{stdout}");
    let (_, stdout, _) = bare(
        &env,
        &[("HYOKA_TZ", "+05:30")],
        &["--tz", "Asia/Tokyo", "history", "1"],
    );
    assert!(stdout.contains("2015-11-06 08:30:00 +09:00"), "{stdout}");
    // The file's `language = "ja"`: messages in Japanese from here on.
    let (code, _, stderr) = bare(&env, &[("HYOKA_LEDGER", "elsewhere")], &["history", "1"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("elsewhere に台帳がありません"), "{stderr}");

    // `wait = 0`: a busy ledger fails at once, without the note of a writer that waits; HYOKA_WAIT
    // wins over it (here a short wait, said once).
    let held = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
    let (code, _, stderr) = bare(&env, &[], &["history", "1"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("エラー: ") && stderr.contains("の台帳は使用中です"),
        "{stderr}"
    );
    let (code, _, stderr) = bare(&env, &[("HYOKA_WAIT", "1.5")], &["history", "1"]);
    drop(held);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("注: 台帳は使用中です: プロセス "),
        "{stderr}"
    );
}

/// The path of `target` relative to `base` (both absolute, `base` a directory), as `../../ledger`.
fn pathdiff(target: &std::path::Path, base: &std::path::Path) -> PathBuf {
    let t: Vec<_> = target.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[test]
fn hyoka_config_names_another_file_or_none() {
    let env = Env::new();
    rated(&env);
    // The platform's file says UTC; HYOKA_CONFIG names another, which says +05:30.
    write_config(&env, "time_zone = \"UTC\"\n");
    let other = env.dir.path().join("other.toml");
    std::fs::write(&other, "time_zone = \"+05:30\"\n").unwrap();
    env.var("HYOKA_CONFIG", other.to_str().unwrap());
    assert_eq!(
        history_times(&env).last().unwrap(),
        "2015-11-06T05:00:00+05:30"
    );
    // Empty: no config file at all.
    env.var("HYOKA_CONFIG", "");
    assert_eq!(
        history_times(&env).last().unwrap(),
        "2015-11-06T08:30:00+09:00"
    );
    // A file HYOKA_CONFIG names must exist.
    let missing = env.dir.path().join("missing.toml");
    env.var("HYOKA_CONFIG", missing.to_str().unwrap());
    let run = env.run(&["history", "1"]);
    assert_eq!(
        run.fails(2),
        format!(
            "error: config file {}: no such file (named by HYOKA_CONFIG; set it empty to read no config file)",
            missing.display()
        )
    );
}

/// A bad config file is one line naming the file and the key, exit 2, and nothing recorded; help,
/// completion and the manual page still work.
#[test]
fn a_bad_config_file_is_one_line_naming_the_file_and_the_key() {
    let env = Env::new();
    env.with_items();
    for (text, says) in [
        (
            "timezone = \"UTC\"\n",
            "unknown key `timezone`; the keys are ledger, key, language, time_zone, wait",
        ),
        (
            "wait = \"ten\"\n",
            "`wait` must be a number of seconds, 0 or more, without quotes (found \"ten\")",
        ),
        (
            "time_zone = \"Tokyo\"\n",
            "`time_zone`: unknown time zone `Tokyo`: write Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name",
        ),
        (
            "language = \"fr\"\n",
            "`language` must be ja or en (found \"fr\")",
        ),
        ("ledger = \"a\"\nwait = = 3\n", "line 2: "),
    ] {
        let before = env.snapshot();
        let path = write_config(&env, text);
        let run = env.run(&["rate", "1", "H27上半期", "A", "-a", "山田", "-m", "報告"]);
        let line = run.fails(2);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            line.starts_with(&format!("error: config file {}: {says}", path.display())),
            "{line}"
        );
        std::fs::remove_file(&path).unwrap();
        assert_eq!(env.snapshot(), before, "nothing was recorded");
        write_config(&env, text);
        for args in [&["--help"][..], &["completions", "bash"], &["man"]] {
            let run = env.run(args);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        }
        std::fs::remove_file(&path).unwrap();
    }
}

/// The file's `key` is the person's key when neither --key nor HYOKA_KEY gives one.
#[test]
fn the_file_gives_the_persons_key() {
    let env = Env::new();
    let key = env.dir.path().join("admin.key");
    let vkey = env
        .run(&[
            "key",
            "generate",
            "--name",
            "admin",
            "--output",
            key.to_str().unwrap(),
        ])
        .ok()
        .trim()
        .to_string();
    env.run(&[
        "init",
        "--plan",
        "第2次行財政改革",
        "--origin",
        "city.example/plan-2",
        "--admin",
        "山田太郎",
        "--vkey",
        &vkey,
        "--key",
        key.to_str().unwrap(),
    ])
    .ok();
    let add = [
        "item",
        "add",
        "1",
        "市民活動支援",
        "--department",
        "市民協働課",
        "--category",
        "地域協働の推進",
        "-m",
        "計画登録",
    ];
    let without = env.run(&add);
    assert!(
        without.fails(1).contains("give your key with --key FILE"),
        "{}",
        without.stderr
    );
    write_config(&env, &format!("key = \"{}\"\n", key.display()));
    let with = env.run(&add);
    assert!(with.ok().starts_with("recorded #"), "{}", with.stdout);
    // HYOKA_KEY wins over the file: another key, of nobody here, is refused.
    let other = env.dir.path().join("other.key");
    env.run(&[
        "key",
        "generate",
        "--name",
        "other",
        "--output",
        other.to_str().unwrap(),
    ])
    .ok();
    env.var("HYOKA_KEY", other.to_str().unwrap());
    let mut again = add;
    again[2] = "2";
    let refused = env.run(&again);
    assert!(
        refused
            .fails(1)
            .contains("is not the current key of a person of this ledger"),
        "{}",
        refused.stderr
    );
}
