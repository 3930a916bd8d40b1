//! Every example of every `--help`, in English and in Japanese, is run. The helps are read as users
//! read them (`hyoka [COMMAND…] --help`, walked through each help's list of commands), each example
//! line taken from its "Example(s):" or "例:" block (a line clap wrapped joined back, a trailing
//! "(comment)" dropped), and each one must be declared in [`GROUPS`]: a group is what its examples
//! need (a fresh clone's directory, the bundled table imported, a ledger with people and rounds, key
//! files…), made by its `Run` steps, then its examples in order. An example in a help and in no group,
//! or in a group and in no help, fails the test: a new example needs a way to run it.
//!
//! The Japanese help of each command must show the English help's examples, line for line, so the
//! groups run each example line once (in the C locale, as every other test).
//!
//! Each example runs as the shell would run it, in the group's temporary directory (the ledger is the
//! default `./hyoka-ledger`), with the pinned clock (HYOKA_NOW, one minute per command from
//! 2015-06-01 09:00 JST): `> FILE` writes stdout to FILE; `| jq …` checks that stdout is JSON (each
//! line, for JSON Lines) and `| man …` that it is a manual page, since neither program need be
//! installed; an absolute path (`/srv/hyoka/plan-2`) is taken inside the temporary directory, and a
//! redirection to a path of the user's shell (`~/…`, `"${fpath[1]}/…"`) goes to a file there. An
//! example must succeed, unless its group declares the exit code it documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use std::process::Command;

/// A step of a group: a command that prepares what the next examples need, or an example.
enum Step {
    /// A command line run as an example is, which must succeed; not an example of any help.
    Run(&'static str),
    /// An example, as its help writes it; it must succeed.
    Ex(&'static str),
}

use Step::{Ex, Run};

/// What the examples need, and the examples, in the order they run.
const GROUPS: &[(&str, &[Step])] = &[
    (
        "a fresh clone: the bundled table, then a correction",
        &[
            Ex("hyoka demo"),
            Ex("hyoka demo --serve"),
            Ex("hyoka import fixtures/kodaira-followup-h26-h27.tsv --author 山田"),
            Ex("hyoka rate 12 H27上半期 A -a 山田 -m '再評価の結果'"),
            Ex("hyoka unrate 12 H27上半期 -a 山田 -m '誤って入力したため取消'"),
            Ex("hyoka rate 12 H27上半期 A -a 山田 -m '第3四半期の進捗を反映'"),
            Run("hyoka flag 12 off -a 山田 -m 取消"),
            Ex("hyoka flag 12 on -a 山田 -m '次期も継続して確認'"),
            Ex("hyoka remark 12 '地域との協議を継続する。' -a 山田 -m '所管課の報告'"),
            Ex("hyoka table"),
            Ex("hyoka table --full"),
            Ex("hyoka table --format csv --output followup.csv"),
            Ex("hyoka table --format tsv > followup.tsv"),
            Ex("hyoka table --format json | jq '.items[] | select(.follow_up) | .id'"),
            Ex("hyoka summary"),
            Ex("hyoka summary --format json"),
            Ex("hyoka summary --by heading"),
            Ex("hyoka changes H26年度末 H27上半期"),
            Ex("hyoka changes 平成26年度末 平成27年度上半期 --format json"),
            Ex("hyoka verify"),
            Ex("hyoka log"),
            Ex("hyoka log --full"),
            Ex("hyoka log --format jsonl | jq .change"),
            Ex("hyoka blame"),
            Ex("hyoka blame --period H26年度末 --format json"),
            Ex("hyoka blame --at 2015-06-30"),
            Ex("hyoka blame --period H27上半期 --full"),
        ],
    ),
    (
        "the bundled table, its next version, and corrections",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田"),
            Run("cp fixtures/kodaira-followup-h26-h27-v2.tsv 2015-h2.tsv"),
            Ex("hyoka import 2015-h2.tsv --author 山田 --dry-run --format json"),
            Run("hyoka import 2015-h2.tsv -a 鈴木"),
            Ex("hyoka history 12"),
            Ex("hyoka history 12 --period H27上半期 --format json"),
            Ex("hyoka history --all --author 鈴木"),
            Ex("hyoka history --all --since seq:359"),
            Ex("hyoka history --all --department 財政課 --since 2015-11-01 --until 2015-11-30"),
            Ex("hyoka history --all --format md > 訂正削除履歴.md"),
            Ex("hyoka diff H26年度末 H27上半期"),
            Ex("hyoka diff seq:357 seq:365"),
            Ex("hyoka diff at:2015-06-30 at:2015-12-31 --format json"),
            Ex("hyoka diff seq:357 seq:365 --full"),
            Ex("hyoka diff seq:359 seq:365 --every"),
            Ex("hyoka sheets --out sheets --point H27末"),
            Ex("hyoka import sheets/FY2015-YE_財政課.csv -a 山田"),
        ],
    ),
    (
        "items and headings of the bundled table",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田"),
            Ex(
                "hyoka item add 63 '窓口サービスの改善' --department 市民課 --category 地域協働の推進 -a 山田 -m '計画改定'",
            ),
            Ex("hyoka item amend 63 --department 市民課窓口係 -a 山田 -m '組織改正'"),
            Ex("hyoka item withdraw 63 -a 山田 -m '計画から削除'"),
            Ex("hyoka item reinstate 63 -a 山田 -m '削除の取消'"),
            Ex("hyoka item merge 25 --into 24 --from 平成27年度末 -a 山田 -m '項目24に集約'"),
            Ex("hyoka item unmerge 25 -a 山田 -m '集約の取消'"),
            Ex("hyoka heading rename 地域協働の推進 市民協働の推進 -a 山田 -m '計画改定で改称'"),
        ],
    ),
    (
        "a year-end plan of 令和 (R1-1 added in 令和元年度)",
        &[
            Run(
                "hyoka init --plan 第3次行財政改革 --grades S,A,B,C --cadence year-end --era reiwa",
            ),
            Run(
                "hyoka item add 9 '事務事業の見直し' --department 学研企画課 --category '1. 協働の市政の推進' -a 山田 -m 登録",
            ),
            Ex(
                "hyoka item add R1-1 '高槻市との連携' --department 学研企画課 --category '1. 協働の市政の推進' --from 令和元年度末 --after 9 -a 山田 -m '令和元年度の追加項目'",
            ),
            Ex("hyoka item exclude R1-1 令和元年度末 -a 山田 -m '年度途中の追加のため評価対象外'"),
            Ex("hyoka item include R1-1 令和元年度末 -a 山田 -m '対象外の取消'"),
            Ex("hyoka rate R1-1 令和2年3月31日現在 A -a 山田 -m '年度末評価'"),
            Run("hyoka rate 9 令和元年度末 B -a 山田 -m 評価"),
            Run("hyoka rate 9 令和2年度末 A -a 山田 -m 評価"),
            Run("hyoka rate R1-1 令和2年度末 B -a 山田 -m 評価"),
            Ex("hyoka summary --by department --format csv --as-of 令和元年度末"),
            Ex("hyoka changes 令和元年度 令和2年度 --moves"),
        ],
    ),
    (
        "an item that joins the plan later",
        &[
            Run(
                "hyoka init --plan 第3次行財政改革 --grades S,A,B,C --cadence year-end --era reiwa",
            ),
            Run(
                "hyoka item add 9 '事務事業の見直し' --department 学研企画課 --category '1. 協働の市政の推進' -a 山田 -m 登録",
            ),
            Run(
                "hyoka item add R1-1 '高槻市との連携' --department 学研企画課 --category '1. 協働の市政の推進' --from 令和元年度末 -a 山田 -m 登録",
            ),
            Ex("hyoka item amend R1-1 --from 令和2年度末 --after 9 -a 山田 -m '開始時期の訂正'"),
        ],
    ),
    (
        "init, a plain ledger",
        &[Ex(
            "hyoka init --plan 第2次行財政改革 --grades S,A,B --era heisei --origin city.kodaira.example/reform-plan-2 -a 山田 -m '計画の登録'",
        )],
    ),
    (
        "init, with a log key",
        &[Ex(
            "hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --log-key hyoka-ledger.log-key",
        )],
    ),
    (
        "init, a year-end plan over given years",
        &[Ex(
            "hyoka init --plan 第3次行財政改革行動計画 --grades S,A,B,C --cadence year-end --years 令和元年度-令和4年度 --era reiwa",
        )],
    ),
    (
        "init, with people",
        &[
            Ex("hyoka key generate --name admin --output admin.key > admin.vkey"),
            Ex(
                "hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --admin 山田太郎 --vkey admin.vkey --key admin.key",
            ),
        ],
    ),
    (
        "keys, checkpoints, proofs, export and backup of the bundled table",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田"),
            Ex("hyoka key generate --output plan.key > plan.vkey"),
            Run("hyoka checkpoint --key plan.key --output old-checkpoint.txt"),
            Run("hyoka rate 12 H27上半期 A -a 山田 -m 訂正"),
            Ex("hyoka checkpoint --key plan.key --output checkpoint.txt"),
            Ex("hyoka checkpoint"),
            Ex("hyoka verify --checkpoint checkpoint.txt --vkey plan.vkey"),
            Ex("hyoka prove seq:12 --key plan.key --output event-12.tlog-proof"),
            Ex("hyoka prove seq:12 --checkpoint checkpoint.txt > event-12.tlog-proof"),
            Ex(
                "hyoka prove --consistency old-checkpoint.txt --checkpoint checkpoint.txt > consistency.txt",
            ),
            Ex("hyoka verify-proof event-12.tlog-proof --vkey plan.vkey"),
            Ex("hyoka verify-proof event-12.tlog-proof --format json"),
            Ex(
                "hyoka verify-consistency consistency.txt --old old-checkpoint.txt --vkey plan.vkey",
            ),
            Ex("hyoka export --output ledger.jsonl"),
            Ex("hyoka verify --export ledger.jsonl --checkpoint checkpoint.txt --vkey plan.vkey"),
            Ex("hyoka checkpoint --key plan.key"),
            Ex("hyoka mirror site/tiles"),
            Ex("hyoka verify --mirror site/tiles --vkey plan.vkey"),
            Ex("hyoka restore ledger.jsonl --ledger /srv/hyoka/plan-2"),
            Ex("hyoka backup /mnt/backup/plan-2 --key plan.key"),
            Ex(
                "hyoka restore /mnt/backup/plan-2/ledger.jsonl --checkpoint /mnt/backup/plan-2/checkpoint.txt --ledger NEWDIR",
            ),
            Ex("hyoka anchor on"),
            Ex("hyoka anchor"),
        ],
    ),
    (
        "a log key for the bundled table",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田"),
            Ex("hyoka key generate --output hyoka-ledger.log-key"),
            Ex("hyoka key use hyoka-ledger.log-key"),
        ],
    ),
    (
        "the web server",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田 --ledger plan"),
            Ex("hyoka serve --listen 127.0.0.1:8080 --ledger plan --log-dir /var/log/hyoka"),
            Run("write hyoka.crt"),
            Ex(
                "hyoka serve --listen 0.0.0.0:8443 --ledger plan --tls-cert hyoka.crt --tls-key hyoka.key",
            ),
        ],
    ),
    (
        "people for a ledger in use",
        &[
            Run("hyoka import fixtures/kodaira-followup-h26-h27.tsv -a 山田"),
            Run("hyoka key generate --name admin --output admin.key > admin.vkey"),
            Ex(
                "hyoka people enable --admin 山田太郎 --vkey admin.vkey --key admin.key -m '署名付き運用へ移行'",
            ),
            Ex("hyoka key generate --name suzuki --output suzuki.key > suzuki.vkey"),
            Ex(
                "hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m '担当者の登録'",
            ),
            Ex("hyoka person enrol 鈴木一郎 --url http://127.0.0.1:8080"),
            Ex("hyoka person role grant 鈴木一郎 head --key admin.key -m '課長に昇任'"),
            Run("hyoka key generate --name kansa --output kansa.key > kansa.vkey"),
            Run(
                "hyoka person add 監査委員 --department 監査委員事務局 --role staff --vkey kansa.vkey --key admin.key -m 登録",
            ),
            Ex("hyoka person role grant 監査委員 auditor --key admin.key -m '監査の閲覧'"),
            Ex("hyoka person role revoke 鈴木一郎 staff --key admin.key -m '異動'"),
            Ex("hyoka key generate --name suzuki --output suzuki-2.key > suzuki-2.vkey"),
            Ex(
                "hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key suzuki.key -m '定期的な鍵の更新'",
            ),
            Ex("hyoka person list"),
            Ex("hyoka person list --format json | jq '.people[] | select(.key == \"revoked\")'"),
            Ex("hyoka person key revoke 鈴木一郎 --key admin.key -m '退職'"),
        ],
    ),
    (
        "a lost key, rotated in by an administrator",
        &[
            Run("hyoka key generate --name admin --output admin.key > admin.vkey"),
            Run(
                "hyoka init --plan 第2次行財政改革 --admin 山田太郎 --vkey admin.vkey --key admin.key",
            ),
            Run("hyoka key generate --name suzuki --output suzuki.key > suzuki.vkey"),
            Run(
                "hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m 登録",
            ),
            Run("hyoka key generate --name suzuki --output suzuki-2.key > suzuki-2.vkey"),
            Ex(
                "hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key admin.key -m '鍵の紛失'",
            ),
        ],
    ),
    (
        "a round of 令和2年度末 in a ledger with people",
        &[
            Run("hyoka key generate --name admin --output admin.key > admin.vkey"),
            Run(
                "hyoka init --plan 第2次行財政改革 --era reiwa --admin 山田太郎 --vkey admin.vkey --key admin.key",
            ),
            Run("hyoka key generate --name staff --output staff.key > staff.vkey"),
            Run(
                "hyoka person add 総務担当 --department 総務課 --role staff --vkey staff.vkey --key admin.key -m 登録",
            ),
            Run("hyoka key generate --name head --output head.key > head.vkey"),
            Run(
                "hyoka person add 総務課長 --department 総務課 --role head --vkey head.vkey --key admin.key -m 登録",
            ),
            Run("hyoka key generate --name hq --output hq.key > hq.vkey"),
            Run(
                "hyoka person add 行革本部 --department 行革推進室 --role hq --vkey hq.vkey --key admin.key -m 登録",
            ),
            Run("hyoka key generate --name committee --output committee.key > committee.vkey"),
            Run(
                "hyoka person add 外部委員 --department 外部委員会 --role committee --vkey committee.vkey --key admin.key -m 登録",
            ),
            Run(
                "hyoka item add 12 文書管理の電子化 --department 総務課 --category 行政運営 --key admin.key -m 登録",
            ),
            Run(
                "hyoka item add 13 庁舎管理の見直し --department 総務課 --category 行政運営 --key admin.key -m 登録",
            ),
            Ex(
                "hyoka round open 令和2年度末 --due 2021-04-30 --key admin.key -m '令和2年度末の評価を開始'",
            ),
            Ex("hyoka sheets --out sheets --department 総務課 --format csv"),
            Run("hyoka rate 12 令和2年度末 A --key staff.key -m 評価"),
            Run("hyoka rate 13 令和2年度末 B --key staff.key -m 評価"),
            Ex("hyoka submit --key staff.key -m '総務課の評価を提出'"),
            Ex("hyoka review return 12 --key head.key -m '実績の記載が不足しているため差し戻し'"),
            Run("hyoka rate 12 令和2年度末 S --key staff.key -m 再評価"),
            Ex("hyoka submit --department 総務課 --point 令和2年度末 --key head.key"),
            Ex("hyoka review approve --department 総務課 --key head.key -m '内容を確認'"),
            Ex("hyoka review approve 12 --stage 2 --key hq.key -m '2次評価で承認'"),
            Run("hyoka review approve 13 --stage 2 --key hq.key -m 承認"),
            Ex(
                "hyoka opinion '目標の設定が妥当か再検討されたい' --item 12 --key committee.key -m '第3回委員会'",
            ),
            Ex("hyoka round status 令和2年度末"),
            Ex(
                "hyoka round status 令和2年度末 --format json | jq '.departments[] | select(.overdue)'",
            ),
            Ex("hyoka round close 令和2年度末 --key admin.key -m '受付の締切'"),
            Ex(
                "hyoka round publish 令和2年度末 --key admin.key --output 令和2年度末.tsv -m '評価結果の公表'",
            ),
            Run("hyoka rate 13 令和2年度末 A --key hq.key -m 所管課からの報告により訂正"),
            Ex("hyoka round notice 令和2年度末 > 訂正のお知らせ.md"),
            Ex("hyoka round notice 令和2年度末 --format json"),
            Ex("hyoka publish 令和2年度末 --out site"),
            Ex("hyoka verify --publication site"),
            Ex("hyoka publish FY2020-YE --out site --encoding cp932 --force"),
        ],
    ),
    (
        "a workbook in Kizugawa's layout, its point given",
        &[
            Run("write 進捗状況.xlsx"),
            Ex("hyoka import 進捗状況.xlsx --layout kizugawa --point 令和元年度末 -a 行革推進室"),
        ],
    ),
    (
        "a workbook in a layout of the city's own, its sheet named",
        &[
            Run("write my-city.toml"),
            Run("write 評価.xlsx"),
            Ex("hyoka import 評価.xlsx --layout my-city.toml --sheet 集計 -a 山田"),
        ],
    ),
    (
        "shell completion and the manual page (no ledger)",
        &[
            Ex("hyoka completions bash > ~/.local/share/bash-completion/completions/hyoka"),
            Ex("hyoka completions zsh > \"${fpath[1]}/_hyoka\""),
            Ex("hyoka completions fish > ~/.config/fish/completions/hyoka.fish"),
            Ex("hyoka man | man -l -"),
            Ex("hyoka man > hyoka.1"),
            Ex("hyoka man --out /usr/local/share/man/man1"),
        ],
    ),
];

/// Starts a server (`cmd`, the example `line`), waits for the line saying where it listens (20 s at
/// most), stops it, and returns that line; an exit before it is the example's failure.
fn serve(mut cmd: Command, line: &str) -> Result<(i32, String), String> {
    use std::io::BufRead;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("{line}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    // The line that says where it listens (`demo --serve` prints the demo first), or the last line.
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        let mut last = String::new();
        for l in lines.by_ref().map_while(Result::ok) {
            if l.contains("://127.0.0.1:") {
                last = l;
                break;
            }
            last = l;
        }
        let _ = tx.send(last);
    });
    let said = rx.recv_timeout(std::time::Duration::from_secs(20));
    // SIGTERM, as Ctrl-C would: the server stops and `demo --serve` deletes its throwaway ledger.
    // SAFETY: signals our own child, which has not been waited for.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().map_err(|e| format!("{line}: {e}"))?;
    match said {
        Ok(l) if l.contains("://127.0.0.1:") => Ok((0, l)),
        Ok(l) => Ok((status.code().unwrap_or(1).max(1), l)),
        Err(_) => Err(format!("`{line}` did not say where it listens within 20 s")),
    }
}

/// A group's directory: a fresh clone's (the fixtures where the repository has them), and a clock.
struct Sandbox {
    dir: tempfile::TempDir,
    minute: std::cell::Cell<u32>,
    japanese: bool,
    redirected: std::cell::Cell<u32>,
}

impl Sandbox {
    fn new(japanese: bool) -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        std::fs::create_dir_all(dir.path().join("fixtures")).expect("mkdir");
        for name in [
            "kodaira-followup-h26-h27.tsv",
            "kodaira-followup-h26-h27-v2.tsv",
        ] {
            std::fs::copy(fixtures.join(name), dir.path().join("fixtures").join(name))
                .expect("copy the fixture");
        }
        Sandbox {
            dir,
            minute: std::cell::Cell::new(0),
            japanese,
            redirected: std::cell::Cell::new(0),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path of an example, inside the directory: an absolute one below it.
    fn path(&self, p: &str) -> PathBuf {
        self.root().join(p.trim_start_matches('/'))
    }

    /// Runs a line as the shell would (see the module's comment); returns the exit code and what it
    /// printed, or why it could not be run.
    fn run(&self, line: &str) -> Result<(i32, String), String> {
        let words = shlex::split(line).ok_or_else(|| format!("cannot split `{line}`"))?;
        match words.first().map(String::as_str) {
            Some("hyoka") => {}
            Some("cp") if words.len() == 3 => {
                std::fs::copy(self.path(&words[1]), self.path(&words[2]))
                    .map_err(|e| format!("{line}: {e}"))?;
                return Ok((0, String::new()));
            }
            Some("write") if words.len() == 2 => {
                self.write_file(&words[1]);
                return Ok((0, String::new()));
            }
            _ => return Err(format!("`{line}` is not a hyoka command")),
        }
        let end = words
            .iter()
            .position(|w| w == "|" || w == ">")
            .unwrap_or(words.len());
        let args: Vec<String> = words[1..end]
            .iter()
            .map(|a| match a.starts_with('/') {
                true => self.path(a).display().to_string(),
                false => a.clone(),
            })
            .collect();
        let m = self.minute.get();
        self.minute.set(m + 1);
        let now = format!(
            "2015-06-{:02}T{:02}:{:02}:00+09:00",
            1 + m / 1440,
            9 + (m / 60) % 14,
            m % 60
        );
        let serving = (args.first().map(String::as_str) == Some("serve")
            || (args.first().map(String::as_str) == Some("demo")
                && args.iter().any(|a| a == "--serve")))
            && !args.iter().any(|a| a == "--help");
        let args: Vec<String> = match serving {
            // A server runs until stopped: on a free port of loopback, until it says where it listens.
            true => {
                let mut a = args;
                match a.iter().position(|w| w == "--listen") {
                    Some(i) => a[i + 1] = "127.0.0.1:0".into(),
                    None => a.extend(["--listen".into(), "127.0.0.1:0".into()]),
                }
                a
            }
            false => args,
        };
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hyoka"));
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.root().join("home"))
            .env("XDG_CONFIG_HOME", self.root().join("home/.config"))
            .env("TZ", "UTC")
            .env("HYOKA_NOW", now)
            .env("HYOKA_WAIT", "5")
            .env(
                "LANG",
                match self.japanese {
                    true => "ja_JP.UTF-8",
                    false => "C.UTF-8",
                },
            )
            .current_dir(self.root())
            .args(&args);
        if serving {
            return serve(cmd, line);
        }
        let out = cmd.output().map_err(|e| format!("{line}: {e}"))?;
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let printed = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        match (words.get(end).map(String::as_str), words.get(end + 1)) {
            (None, _) => {}
            (Some(">"), Some(target)) => {
                let file = match target.starts_with('~') || target.contains('$') {
                    // A path of the user's shell: a file here.
                    true => {
                        let n = self.redirected.get() + 1;
                        self.redirected.set(n);
                        self.root().join(format!("redirected-{n}"))
                    }
                    false => self.path(target),
                };
                std::fs::write(&file, &stdout).map_err(|e| format!("{line}: {e}"))?;
            }
            (Some("|"), Some(program)) if program == "jq" && code == 0 => {
                for json in stdout.lines().filter(|l| !l.trim().is_empty()) {
                    serde_json::from_str::<serde_json::Value>(json)
                        .map_err(|e| format!("{line}: jq would not read the output: {e}"))?;
                }
                if stdout.trim().is_empty() {
                    return Err(format!("{line}: nothing for jq"));
                }
            }
            (Some("|"), Some(program))
                if program == "man" && code == 0 && !stdout.contains(".TH ") =>
            {
                return Err(format!("{line}: not a manual page"));
            }
            (Some("|"), Some(program)) if program == "man" => {}
            (Some(op), program) if code == 0 => {
                return Err(format!(
                    "`{line}`: no way to run `{op} {}` here: teach this test",
                    program.map(String::as_str).unwrap_or("")
                ));
            }
            _ => {}
        }
        Ok((code, printed))
    }

    /// Writes a file an example reads that the repository does not have.
    fn write_file(&self, name: &str) {
        let path = self.path(name);
        match name {
            // A workbook in Kizugawa's layout, its point given with --point.
            "進捗状況.xlsx" => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let rows: [[&str; 6]; 3] = [
                    ["重点改革項目", "No.", "項目", "所管部署", "評価", "備考"],
                    ["1. 協働の市政の推進", "1", "市民協働の推進", "市民協働課", "A", ""],
                    ["", "2", "高槻市との連携", "学研企画課", "B", "協議中"],
                ];
                for (r, row) in rows.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        sheet
                            .write_string(r as u32, c as u16, *cell)
                            .expect("write a cell");
                    }
                }
                book.save(&path).expect("save the workbook");
            }
            // A self-signed certificate for localhost and its key (hyoka.crt and hyoka.key).
            "hyoka.crt" => {
                let c = rcgen::generate_simple_self_signed(vec!["localhost".into()])
                    .expect("a certificate");
                std::fs::write(&path, c.cert.pem()).expect("write the certificate");
                std::fs::write(self.path("hyoka.key"), c.signing_key.serialize_pem())
                    .expect("write the key");
            }
            // The README's layout of a city's own sheet.
            "my-city.toml" => std::fs::write(
                &path,
                "name = \"my-city\"\n\n[columns]\nheading = \"施策\"\nid = \"取組番号\"\ntitle = \"取組名\"\ndepartment = [\"担当課\", \"所管課\"]\nremark = \"課題・今後の方向性\"\nignore = [\"備考\"]\n\n[points]\nheader = \"評価（{point}）\"\n",
            )
            .expect("write the layout"),
            // A workbook whose second sheet, 集計, is in that layout.
            "評価.xlsx" => {
                let mut book = rust_xlsxwriter::Workbook::new();
                book.add_worksheet()
                    .set_name("表紙")
                    .and_then(|s| s.write_string(0, 0, "令和元年度 行財政改革実施計画"))
                    .expect("the first sheet");
                let sheet = book.add_worksheet().set_name("集計").expect("a sheet");
                let rows: [[&str; 7]; 2] = [
                    ["施策", "取組番号", "取組名", "担当課", "評価（令和元年度末）", "課題・今後の方向性", "備考"],
                    ["1 効率的な行政運営", "1", "事務事業の見直し", "行政改革課", "A", "見直しの対象を広げる", ""],
                ];
                for (r, row) in rows.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        sheet
                            .write_string(r as u32, c as u16, *cell)
                            .expect("write a cell");
                    }
                }
                book.save(&path).expect("save the workbook");
            }
            _ => panic!("no way to write {name}: teach this test"),
        }
    }
}

/// Every command's help in a language, walked from `hyoka --help`: the command's path and its help.
fn helps(japanese: bool) -> Vec<(String, String)> {
    let sandbox = Sandbox::new(japanese);
    let mut out = Vec::new();
    let mut todo = vec![Vec::<String>::new()];
    while let Some(path) = todo.pop() {
        let mut line = vec!["hyoka".to_string()];
        line.extend(path.iter().cloned());
        line.push("--help".into());
        let (code, help) = sandbox
            .run(&shlex::try_join(line.iter().map(String::as_str)).expect("join"))
            .expect("help");
        assert_eq!(code, 0, "{line:?}: {help}");
        let heading = match japanese {
            true => "コマンド:",
            false => "Commands:",
        };
        let mut in_commands = false;
        for l in help.lines() {
            if l == heading {
                in_commands = true;
                continue;
            }
            if in_commands {
                if l.is_empty() {
                    break;
                }
                let Some(name) = l.strip_prefix("  ").filter(|n| !n.starts_with(' ')) else {
                    continue;
                };
                let name = name.split_whitespace().next().unwrap_or("");
                if name != "help" {
                    let mut sub = path.clone();
                    sub.push(name.to_string());
                    todo.push(sub);
                }
            }
        }
        out.push((format!("hyoka {}", path.join(" ")).trim().to_string(), help));
    }
    out
}

/// The example command lines of a help: the lines of its "Example(s):" / "例:" block, each joined
/// back where clap wrapped it, without a trailing "(comment)".
fn examples(help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_block = false;
    for l in help.lines() {
        if matches!(l, "Example:" | "Examples:" | "例:") {
            in_block = true;
            continue;
        }
        if !in_block {
            continue;
        }
        if l.is_empty() {
            in_block = false;
        } else if let Some(example) = l.strip_prefix("  hyoka ") {
            out.push(format!("hyoka {example}"));
        } else if let (Some(last), true) = (out.last_mut(), l.starts_with("  ")) {
            // A line clap wrapped at a space.
            last.push(' ');
            last.push_str(l.trim_start());
        } else {
            panic!("a line of an examples block that is no example: {l:?}\n{help}");
        }
    }
    out.into_iter()
        .map(|e| {
            // A trailing comment, "   (…)", wrapped or not.
            match (e.rfind(" ("), e.ends_with(')')) {
                (Some(i), true) if !e[i..].contains('\'') => e[..i].trim_end().to_string(),
                _ => e,
            }
        })
        .collect()
}

/// The examples of every help, each with the commands whose help shows it.
fn all_examples(helps: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, help) in helps {
        let found = examples(help);
        assert!(!found.is_empty(), "`{path} --help` has no example");
        for e in found {
            out.entry(e).or_default().insert(path.clone());
        }
    }
    out
}

/// Runs every group in a language; returns the examples run, and what failed.
fn run_groups(japanese: bool) -> (BTreeSet<&'static str>, Vec<String>) {
    let mut run = BTreeSet::new();
    let mut failures = Vec::new();
    for (name, steps) in GROUPS {
        let sandbox = Sandbox::new(japanese);
        for step in *steps {
            let (line, example) = match step {
                Run(l) => (*l, false),
                Ex(l) => (*l, true),
            };
            if example {
                assert!(run.insert(line), "`{line}` is declared twice");
            }
            match sandbox.run(line) {
                Ok((0, _)) => {}
                Ok((code, printed)) => {
                    failures.push(format!(
                        "{name}: `{line}`{} exited with {code}:\n{printed}",
                        match example {
                            true => "",
                            false => " (preparing)",
                        }
                    ));
                    break;
                }
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    break;
                }
            }
        }
    }
    (run, failures)
}

/// Every example of every help runs: the Japanese help of each command shows the examples of its
/// English help, the same lines in the same order, and the groups run each line once.
#[test]
fn every_help_example_runs_in_both_languages() {
    // The Japanese help is built at each start, which takes a debug build a while: walked meanwhile.
    let japanese = std::thread::spawn(|| helps(true));
    let english = helps(false);
    let shown = all_examples(&english);
    assert!(shown.len() > 80, "only {} examples", shown.len());
    let (run, failures) = run_groups(false);
    let japanese: BTreeMap<String, String> = japanese
        .join()
        .expect("the Japanese help")
        .into_iter()
        .collect();
    assert_eq!(
        english.iter().map(|(p, _)| p).collect::<BTreeSet<_>>(),
        japanese.keys().collect::<BTreeSet<_>>(),
        "the Japanese help has other commands"
    );
    for (path, help) in &english {
        assert_eq!(
            examples(help),
            examples(&japanese[path]),
            "`{path} --help`: the Japanese examples are not the English ones"
        );
    }
    let unrun: Vec<String> = shown
        .iter()
        .filter(|(e, _)| !run.contains(e.as_str()))
        .map(|(e, paths)| format!("`{e}` (in {paths:?})"))
        .collect();
    assert!(
        unrun.is_empty(),
        "examples of --help that no group runs (declare each in GROUPS, with what it needs):\n{}",
        unrun.join("\n")
    );
    let stale: Vec<&&str> = run.iter().filter(|e| !shown.contains_key(**e)).collect();
    assert!(
        stale.is_empty(),
        "GROUPS declares examples that no --help shows (as Run steps they may stay): {stale:?}"
    );
    assert!(
        failures.is_empty(),
        "{} example(s) of --help fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn examples_are_read_back_whole() {
    let help = "Examples:\n  hyoka init --plan 第2次 --origin x\n  -a 山田 -m '計画'\n  hyoka log --full   (every line whole,\n  however wide)\n  hyoka key generate --output a.key > a.vkey   (by the person)\n\nText.";
    assert_eq!(
        examples(help),
        [
            "hyoka init --plan 第2次 --origin x -a 山田 -m '計画'",
            "hyoka log --full",
            "hyoka key generate --output a.key > a.vkey",
        ]
    );
}
