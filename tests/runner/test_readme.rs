//! The README's transcripts, checked as files (as clap's trycmd and ripgrep check theirs): every
//! ```` ```console ```` block of README.md is a transcript, and this test runs them all, in the order
//! written, in one temporary directory set up as a new user's who cloned the repository (the
//! `fixtures/` directory is there; no ledger, no config file, an English locale `LANG=C.UTF-8`, a
//! terminal 100 columns wide: `COLUMNS=100`), each line through `sh -c` exactly as written, with `hyoka` on `PATH`.
//!
//! The format of a block:
//!
//! - `$ COMMAND` runs COMMAND (stdout and stderr together, as on a terminal); the lines after it, up
//!   to the next `$ ` line or the block's end, are what it prints, compared exactly;
//! - `? N` right after the command: it exits with N (else it must succeed);
//! - a line `...` stands for any number of lines, and `[..]` inside a line for any text in it (the
//!   elision markers of snapbox, which compares); `[ROOT]` stands for the temporary directory;
//! - `$ export NAME=VALUE` sets a variable for the commands after it (`HYOKA_LEDGER` for another
//!   ledger, `LANG=ja_JP.UTF-8` for the clerk's round in Japanese).
//!
//! Times come from a pinned clock (HYOKA_NOW; the binary tests run has the `test-clock` feature):
//! one minute after the command before, except where [`CLOCK`] sets it, which is what the README says.
//!
//! A transcript that does not match fails with a diff. To take what the commands print now into the
//! README (keeping its `...` and `[..]` where they still match), run
//! `SNAPSHOTS=overwrite cargo test --locked --test runner test_readme`, and read the diff.

use std::path::Path;
use std::process::Command;

use snapbox::{Assert, Data, IntoData, Redactions, assert::Action};

/// The clock: the first command that starts with the text is run at that time (Japan time); every
/// other command one minute after the command before it.
const CLOCK: &[(&str, &str)] = &[
    ("hyoka import fixtures/", "2015-11-02T10:00:00+09:00"),
    ("hyoka rate 12 H27上半期", "2015-11-05T15:30:00+09:00"),
    ("hyoka checkpoint", "2015-11-06T09:00:00+09:00"),
];

/// A command of a transcript: where its expected output starts and ends in the README's lines.
struct Step {
    line: usize,
    command: String,
    code: i32,
    /// The README's lines that hold its expected output: `out.0..out.1`.
    out: (usize, usize),
}

/// The commands of every ```console block, in order.
fn steps(lines: &[&str]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut in_block = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if !in_block {
            in_block = line.trim_end() == "```console";
            i += 1;
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
            i += 1;
            continue;
        }
        let command = line.strip_prefix("$ ").unwrap_or_else(|| {
            panic!(
                "README.md:{}: a transcript's first line is a command (`$ hyoka …`), not {line:?}",
                i + 1
            )
        });
        let mut code = 0;
        let mut start = i + 1;
        if let Some(c) = lines.get(start).and_then(|l| l.strip_prefix("? ")) {
            code = c
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("README.md:{}: `? N` takes a number", start + 1));
            start += 1;
        }
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with("$ ") && !lines[end].starts_with("```") {
            end += 1;
        }
        steps.push(Step {
            line: i + 1,
            command: command.to_string(),
            code,
            out: (start, end),
        });
        i = end;
    }
    assert!(!in_block, "README.md: a ```console block is not closed");
    steps
}

/// The text a command prints, the way `sh` runs it as typed.
fn run(root: &Path, exports: &[(String, String)], now: &str, command: &str) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("hyoka");
    let bin_dir = bin.parent().expect("the binary's directory");
    let out = Command::new("sh")
        .arg("-c")
        // stderr with stdout, as on a terminal (a `> FILE` in the command takes stdout only).
        .arg(format!("exec 2>&1\n{command}"))
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", root.join("home"))
        .env("XDG_CONFIG_HOME", root.join("home/.config"))
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .env("COLUMNS", "100")
        .env("HYOKA_NOW", now)
        .envs(exports.iter().map(|(n, v)| (n, v)))
        .current_dir(root)
        .output()
        .expect("run sh");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The next minute after `time` (RFC 3339, written back in Japan time).
fn next_minute(time: &str) -> String {
    let t: jiff::Timestamp = time
        .parse()
        .unwrap_or_else(|e| panic!("the clock's time {time}: {e}"));
    (t + jiff::SignedDuration::from_secs(60))
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[test]
fn the_readme_transcripts_run_as_written() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    let steps = steps(&lines);
    assert!(
        steps.len() > 20,
        "only {} commands in README.md",
        steps.len()
    );

    // A new user's clone: the fixtures where the README names them, nothing else.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    copy_dir(&fixtures, &root.join("fixtures"));
    std::fs::create_dir_all(root.join("home")).expect("home");

    let mut redactions = Redactions::new();
    redactions
        .insert("[ROOT]", root.to_path_buf())
        .expect("redaction");
    let assert = Assert::new()
        .action_env("SNAPSHOTS")
        .redact_with(redactions);
    let overwrite = assert.selected_action() == Action::Overwrite;

    let mut exports: Vec<(String, String)> = Vec::new();
    let mut now = "2015-11-01T09:00:00+09:00".to_string();
    let mut used = vec![false; CLOCK.len()];
    let mut failures = Vec::new();
    // The README's lines with each command's output as it is now (for SNAPSHOTS=overwrite).
    let mut rewritten: Vec<String> = Vec::new();
    let mut copied = 0;
    for step in &steps {
        rewritten.extend(lines[copied..step.out.0].iter().map(|l| l.to_string()));
        copied = step.out.1;
        let expected: String = lines[step.out.0..step.out.1]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        now = match CLOCK
            .iter()
            .position(|(prefix, _)| step.command.starts_with(prefix))
        {
            Some(i) if !used[i] => {
                used[i] = true;
                CLOCK[i].1.to_string()
            }
            _ => next_minute(&now),
        };
        if let Some(assignment) = step.command.strip_prefix("export ") {
            // `export NAME=VALUE   # comment`: a plain value, as the shell reads it.
            let assignment = assignment.split_whitespace().next().unwrap_or("");
            let (name, value) = assignment
                .split_once('=')
                .unwrap_or_else(|| panic!("README.md:{}: export NAME=VALUE", step.line));
            exports.retain(|(n, _)| n != name);
            exports.push((name.to_string(), value.to_string()));
        }
        let (code, actual) = run(root, &exports, &now, &step.command);
        let (normalized, _) =
            assert.normalize(actual.clone().into_data(), expected.clone().into_data());
        if overwrite {
            rewritten.extend(
                normalized
                    .render()
                    .unwrap_or_default()
                    .lines()
                    .map(String::from),
            );
        }
        if code != step.code {
            failures.push(format!(
                "README.md:{}: `{}` exited with {code}, the README says {}:\n{actual}",
                step.line, step.command, step.code
            ));
        } else if let Err(e) = assert.try_eq(
            Some(&format!("README.md:{}: {}", step.line, step.command)),
            Data::text(actual),
            Data::text(expected),
        ) && !overwrite
        {
            failures.push(e.to_string());
        }
    }
    rewritten.extend(lines[copied..].iter().map(|l| l.to_string()));
    if overwrite {
        let mut text = rewritten.join("\n");
        text.push('\n');
        std::fs::write(&readme_path, text).expect("write README.md");
    }
    for (i, (prefix, _)) in CLOCK.iter().enumerate() {
        assert!(
            used[i],
            "CLOCK names `{prefix}`, which no README command starts with"
        );
    }
    assert!(
        failures.is_empty(),
        "{} README transcript(s) do not match (SNAPSHOTS=overwrite takes the output in):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixtures") {
        let entry = entry.expect("entry");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}
