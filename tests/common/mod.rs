//! A deterministic environment for running the `hyoka` binary (as jj's `TestEnvironment`): a fresh
//! directory, a clock that ticks one minute per command, and a pinned locale, time zone and terminal
//! width, so that a transcript (stdout, stderr, exit code) is the same on every machine. Nothing here is
//! global: each test builds its own environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The bundled seed table.
pub fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kodaira-followup-h26-h27.tsv")
}

/// The synthetic second version of the seed table (see fixtures/README.md).
pub fn seed_v2() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kodaira-followup-h26-h27-v2.tsv")
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The whole transcript, for a snapshot: the exit code, stdout and stderr, with the environment's
    /// directory written as `$DIR`.
    pub fn transcript(&self, env: &Env) -> String {
        let dir = env.dir.path().display().to_string();
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.stdout.replace(&dir, "$DIR"),
            self.stderr.replace(&dir, "$DIR")
        )
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "command failed: {}{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts failure with `code` and a one-line error, and returns the error line.
    #[track_caller]
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(
            self.code, code,
            "unexpected exit: {}{}",
            self.stdout, self.stderr
        );
        let last = self.stderr.lines().next_back().unwrap_or("");
        assert!(
            last.starts_with("error: "),
            "no error line: {}",
            self.stderr
        );
        last
    }
}

/// A temporary directory holding one ledger, and a clock that ticks one minute per command.
pub struct Env {
    pub dir: tempfile::TempDir,
    minute: std::cell::Cell<u32>,
    columns: std::cell::Cell<Option<u16>>,
    /// Environment variables set ([`Env::var`]) for the commands run from now on.
    vars: std::cell::RefCell<Vec<(String, String)>>,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            minute: std::cell::Cell::new(0),
            columns: std::cell::Cell::new(None),
            vars: Default::default(),
        }
    }

    /// Sets the environment variable `name` to `value` for the commands run from now on.
    pub fn var(&self, name: &str, value: &str) -> &Env {
        let mut vars = self.vars.borrow_mut();
        vars.retain(|(n, _)| n != name);
        vars.push((name.to_string(), value.to_string()));
        self
    }

    /// The directory the commands take as the platform's config directory (`XDG_CONFIG_HOME`): a
    /// config file is `config_dir()/hyoka/config.toml`. None is there unless a test writes it.
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("xdg-config")
    }

    pub fn ledger(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }

    /// Sets the terminal width (`COLUMNS`) of the commands run from now on. Unset, commands run as
    /// into a pipe: no width (the table is laid out for 80 columns, the audit views are not fitted).
    pub fn columns(&self, n: u16) -> &Env {
        self.columns.set(Some(n));
        self
    }

    /// The time the next command will record.
    pub fn now(&self) -> String {
        let m = self.minute.get();
        format!(
            "2015-10-{:02}T{:02}:{:02}:00+09:00",
            1 + m / 1440,
            (m / 60) % 24,
            m % 60
        )
    }

    /// Runs `hyoka ARGS` against this ledger at the next minute.
    pub fn run(&self, args: &[&str]) -> Run {
        let now = self.now();
        self.minute.set(self.minute.get() + 1);
        self.run_at(&now, args)
    }

    /// Runs `hyoka ARGS` with HYOKA_NOW set to `now`.
    pub fn run_at(&self, now: &str, args: &[&str]) -> Run {
        self.run_with_at(now, &[], args)
    }

    /// Runs `hyoka ARGS` at the next minute with the variables `vars` set (`Some`) or removed (`None`)
    /// over the pinned ones, e.g. `[("LC_ALL", None), ("LANG", Some("ja_JP.UTF-8"))]` for a Japanese
    /// locale.
    pub fn run_with(&self, vars: &[(&str, Option<&str>)], args: &[&str]) -> Run {
        let now = self.now();
        self.minute.set(self.minute.get() + 1);
        self.run_with_at(&now, vars, args)
    }

    /// Runs `hyoka ARGS` with HYOKA_NOW set to `now` and `vars` as in [`Env::run_with`]. The locale is
    /// pinned to C (English messages; `LC_ALL` wins over `LANG`, `HYOKA_LANG` is removed) unless `vars`
    /// say otherwise.
    pub fn run_with_at(&self, now: &str, vars: &[(&str, Option<&str>)], args: &[&str]) -> Run {
        let mut cmd = self.command(now, vars, args);
        let out = cmd.output().expect("run hyoka");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The command `hyoka ARGS` as [`Env::run_with_at`] runs it, for a test that starts it itself (a
    /// server).
    pub fn command(
        &self,
        now: &str,
        vars: &[(&str, Option<&str>)],
        args: &[&str],
    ) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("hyoka"));
        cmd.env("HYOKA_LEDGER", self.ledger())
            .env("HYOKA_NOW", now)
            // Test threads fork children while other tests hold ledgers open in-process; a forked child
            // shares those lock descriptors until it execs. Wait out that window instead of failing.
            .env("HYOKA_WAIT", "5")
            .env_remove("HYOKA_AUTHOR")
            .env_remove("HYOKA_MIN_FREE_BYTES")
            .env_remove("HYOKA_LOG_KEY")
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("LC_MESSAGES")
            .env_remove("HYOKA_LANG")
            .env("TZ", "UTC")
            .env_remove("COLUMNS")
            .envs(self.columns.get().map(|n| ("COLUMNS", n.to_string())))
            // No config file but the one a test writes, and no zone but the one it asks for.
            .env("XDG_CONFIG_HOME", self.config_dir())
            .env_remove("HYOKA_CONFIG")
            .env_remove("HYOKA_TZ")
            .envs(
                self.vars
                    .borrow()
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            )
            .current_dir(self.dir.path())
            .args(args);
        for (name, value) in vars {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        cmd
    }

    /// A ledger with the plan, one heading and items 1 and 2.
    pub fn with_items(&self) -> &Env {
        self.run(&[
            "init",
            "--plan",
            "第2次行財政改革",
            "--era",
            "heisei",
            "--origin",
            "city.example/plan-2",
        ])
        .ok();
        self.run(&[
            "item",
            "add",
            "1",
            "市民活動支援",
            "--department",
            "市民協働課",
            "--category",
            "地域協働の推進",
            "-a",
            "山田",
            "-m",
            "計画登録",
        ])
        .ok();
        self.run(&[
            "item",
            "add",
            "2",
            "協働推進体制",
            "--department",
            "市民協働課",
            "--category",
            "地域協働の推進",
            "-a",
            "山田",
            "-m",
            "計画登録",
        ])
        .ok();
        self
    }

    /// Everything that identifies the stored history: the JSONL log and the head record.
    pub fn snapshot(&self) -> (String, Vec<u8>) {
        let log = self
            .run_at("2100-01-01T00:00:00Z", &["log", "--format", "jsonl"])
            .stdout;
        let head = std::fs::read(self.ledger().join("HEAD")).unwrap_or_default();
        (log, head)
    }
}

impl Env {
    /// Appends `changes` by `author` as events recorded before the rules of today: the identifier rule
    /// (hyoka::domain::ident) is checked only when a change is written, so such events are made here, encoded
    /// after the ledger's own export, and the whole is restored in the ledger's place (restore checks
    /// the bytes, the chain and the domain rules, as verify does). Each event is one second after the
    /// last, so the next command's minute is still later.
    pub fn append_recorded_before_the_rules(
        &self,
        author: &str,
        reason: &str,
        changes: &[hyoka::domain::event::Change],
    ) {
        use hyoka::domain::event::{self, Event};
        let export = self.dir.path().join("before-the-rules.jsonl");
        self.run(&["export", "--output", export.to_str().expect("path")])
            .ok();
        let mut text = std::fs::read_to_string(&export).expect("export");
        let last = text.lines().last().expect("an event");
        let last = hyoka::evidence::export::parse_line(last.as_bytes(), 0).expect("export line");
        let (mut seq, mut prev, mut at) = (
            last.event.event.seq + 1,
            last.event.hash,
            last.event.event.recorded_at,
        );
        for change in changes {
            at += 1_000_000_000;
            let e = Event {
                version: event::SCHEMA_VERSION,
                seq,
                prev_hash: prev,
                recorded_at: at,
                author: author.into(),
                reason: reason.into(),
                source: None,
                change: change.clone(),
                signature: None,
            };
            let bytes = event::encode(&e).expect("encode");
            prev = event::event_hash(&prev, &bytes);
            let stored = hyoka::domain::event::StoredEvent {
                event: e,
                hash: prev,
            };
            text.push_str(&hyoka::evidence::export::line(&stored, &bytes));
            text.push('\n');
            seq += 1;
        }
        std::fs::write(&export, text).expect("write export");
        std::fs::remove_dir_all(self.ledger()).expect("remove ledger");
        self.run(&["restore", export.to_str().expect("path")]).ok();
    }
}
