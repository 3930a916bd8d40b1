//! Evaluation rounds through the CLI: a ledger with people is set up through the library (the people
//! commands are not part of this branch), each person's key written to a file of mode 0600; then a whole
//! round for three departments runs through `hyoka` (open, rate, submit, return, re-rate, resubmit,
//! approve at 1次 and 2次, close, publish, a correction and its notice), every refusal appending nothing,
//! and `round status` is checked at several moments against its counts and its schema.

use std::cell::Cell;
use std::path::PathBuf;

use hyoka::domain::event::Change;
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Person, Role};
use hyoka::ledger::signing::Signer;
use hyoka::ledger::{Access, Ledger, Meta};
use hyoka::tlog::note::SignerKey;
use serde_json::Value;

use crate::common::{Env, Run};

/// The ledger's origin, which names its log key.
const ORIGIN: &str = "city.example/rounds";
/// The departments, each with staff `s<i>` and a head `h<i>`.
pub(crate) const DEPTS: [&str; 3] = ["総務課", "財政課", "市民課"];
/// The round's point.
pub(crate) const POINT: &str = "令和2年度末";

fn key(name: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(name, &[seed; 32]).expect("key")
}

fn person(id: &str, dept: &str, roles: &[Role], k: &SignerKey) -> Person {
    Person {
        id: id.into(),
        name_commitment: [0; 32],
        department: dept.into(),
        roles: roles.to_vec(),
        vkey: k.verifier().to_text(),
    }
}

fn ns(rfc3339: &str) -> i64 {
    hyoka::domain::when::parse_rfc3339(rfc3339).expect("time")
}

/// The people of the ledger: id, department, roles and key seed.
fn cast() -> Vec<(&'static str, &'static str, Role, u8)> {
    vec![
        ("admin", "行政経営課", Role::Admin, 1),
        ("s0", DEPTS[0], Role::Staff, 10),
        ("s1", DEPTS[1], Role::Staff, 11),
        ("s2", DEPTS[2], Role::Staff, 12),
        ("h0", DEPTS[0], Role::Head, 20),
        ("h1", DEPTS[1], Role::Head, 21),
        ("h2", DEPTS[2], Role::Head, 22),
        ("hq", "行革本部", Role::Hq, 30),
        ("c", "外部委員会", Role::Committee, 40),
    ]
}

/// A ledger with people, and the clock of the commands run on it (one minute per command, from
/// 2021-04-01 10:00 Japan time unless moved on).
pub(crate) struct Rounds {
    pub(crate) env: Env,
    minute: Cell<i64>,
}

impl Rounds {
    /// Items 1-2 of 総務課, 3-4 of 財政課, 5-7 of 市民課; the people of [`cast`] with their key files
    /// (`keys/<id>.key`, mode 0600), and the log key beside the ledger (`ledger.log-key`), where writers
    /// find it.
    pub(crate) fn new() -> Rounds {
        let env = Env::new();
        let keys = env.dir.path().join("keys");
        std::fs::create_dir(&keys).expect("keys dir");
        let people = cast();
        for (id, _, _, seed) in &people {
            write_secret(&keys.join(format!("{id}.key")), &key(id, *seed).to_text());
        }
        let admin = key("admin", 1);
        let log = key(ORIGIN, 2);
        let meta = |at: &str| Meta {
            author: "admin".into(),
            reason: "台帳の作成".into(),
            source: None,
            recorded_at: ns(at),
            new_point: false,
            signer: Some(Signer::new(admin.clone())),
        };
        let mut more = vec![Change::CategoryAdded {
            name: "行政改革の推進".into(),
        }];
        for (id, d) in (1..).zip([0, 0, 1, 1, 2, 2, 2]) {
            let dept = DEPTS[d];
            more.push(Change::ItemRegistered {
                id: ItemId::parse(&id.to_string()).expect("id"),
                title: format!("取組{id}"),
                department: dept.into(),
                category: "行政改革の推進".into(),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
        more.push(Change::PeopleEnabled {
            log_vkey: log.verifier().to_text(),
            admin: person("admin", "行政経営課", &[Role::Admin], &admin),
        });
        let plan = Change::PlanDefined {
            name: "第3次行財政改革".into(),
            grades: vec!["S".into(), "A".into(), "B".into()],
            default_era: Some(hyoka::domain::period::Era::Reiwa),
            origin: ORIGIN.into(),
            cadence: Default::default(),
            years: None,
        };
        let mut l = Ledger::create(
            &env.ledger(),
            &meta("2021-04-01T09:00:00+09:00"),
            plan,
            &more,
            Access::default(),
        )
        .expect("create");
        let registered: Vec<Change> = people
            .iter()
            .skip(1)
            .map(|(id, dept, role, seed)| Change::PersonRegistered {
                person: person(id, dept, &[*role], &key(id, *seed)),
            })
            .collect();
        l.append(&meta("2021-04-01T09:01:00+09:00"), &registered)
            .expect("people");
        l.set_log_key(&log).expect("log key");
        drop(l);
        write_secret(&Rounds::log_key_path(&env), &log.to_text());
        Rounds {
            env,
            minute: Cell::new(ns("2021-04-01T10:00:00+09:00") / 60_000_000_000),
        }
    }

    /// Registers one more person (by the administrator, through the library, before any command
    /// runs), with their key file `keys/<id>.key`.
    pub(crate) fn register(&self, id: &str, dept: &str, roles: &[Role], seed: u8) {
        let k = key(id, seed);
        let keys = self.env.dir.path().join("keys");
        write_secret(&keys.join(format!("{id}.key")), &k.to_text());
        let mut l = Ledger::open(&self.env.ledger(), Access::default()).expect("open");
        l.set_log_key(&key(ORIGIN, 2)).expect("log key");
        let meta = Meta {
            author: "admin".into(),
            reason: "職員の登録".into(),
            source: None,
            recorded_at: ns("2021-04-01T09:02:00+09:00"),
            new_point: false,
            signer: Some(Signer::new(key("admin", 1))),
        };
        l.append(
            &meta,
            &[Change::PersonRegistered {
                person: person(id, dept, roles, &k),
            }],
        )
        .expect("register");
    }

    /// The log key's file, beside the ledger.
    pub(crate) fn log_key(&self) -> String {
        Rounds::log_key_path(&self.env)
            .to_str()
            .expect("path")
            .to_string()
    }

    fn log_key_path(env: &Env) -> PathBuf {
        env.dir.path().join("ledger.log-key")
    }

    /// The key file of person `id`.
    pub(crate) fn key(&self, id: &str) -> String {
        let p = self.env.dir.path().join("keys").join(format!("{id}.key"));
        p.to_str().expect("path").to_string()
    }

    /// Moves the clock of the next commands to `rfc3339`.
    pub(crate) fn set_clock(&self, rfc3339: &str) {
        self.minute.set(ns(rfc3339) / 60_000_000_000);
    }

    /// The time of the next command.
    fn now(&self) -> String {
        let m = self.minute.get();
        self.minute.set(m + 1);
        let t = time::OffsetDateTime::from_unix_timestamp(m * 60)
            .expect("time")
            .to_offset(hyoka::domain::when::JST);
        t.format(&time::format_description::well_known::Rfc3339)
            .expect("format")
    }

    /// Runs `hyoka ARGS` at the next minute.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.env.run_at(&self.now(), args)
    }

    /// Runs `hyoka ARGS --key <id's key>` at the next minute.
    pub(crate) fn by(&self, id: &str, args: &[&str]) -> Run {
        let key = self.key(id);
        let mut all = args.to_vec();
        all.extend(["--key", key.as_str()]);
        self.run(&all)
    }

    /// `hyoka ARGS --key <id's key>`, which must succeed; its stdout.
    #[track_caller]
    pub(crate) fn ok(&self, id: &str, args: &[&str]) -> String {
        self.by(id, args).ok().to_string()
    }

    /// `hyoka ARGS --key <id's key>`, which must be refused: exit 1, one line on stderr, nothing
    /// appended. The error line.
    #[track_caller]
    pub(crate) fn refused(&self, id: &str, args: &[&str]) -> String {
        let before = self.env.snapshot();
        let run = self.by(id, args);
        let line = run.fails(1).to_string();
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(self.env.snapshot(), before, "a refused command appended");
        line
    }

    /// The round's status, as JSON, at `now` (checked against its schema).
    #[track_caller]
    pub(crate) fn status_at(&self, now: &str) -> Value {
        let out = self
            .env
            .run_at(now, &["round", "status", POINT, "--format", "json"])
            .ok()
            .to_string();
        let v: Value = serde_json::from_str(&out).expect("JSON");
        assert_valid("round-status.schema.json", &v);
        v
    }

    /// The round's status now (the next minute).
    #[track_caller]
    pub(crate) fn status(&self) -> Value {
        let now = self.now();
        self.status_at(&now)
    }
}

fn write_secret(path: &std::path::Path, text: &str) {
    std::fs::write(path, format!("{text}\n")).expect("write key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

pub(crate) fn validator(name: &str) -> jsonschema::Validator {
    let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::draft202012::new(&schema).expect("validator")
}

#[track_caller]
pub(crate) fn assert_valid(schema: &str, v: &Value) {
    let errors: Vec<String> = validator(schema)
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{schema}: {errors:#?}\n{v}");
}

/// A department's counts in a status: items, rated, excluded, submitted, approved at 1次 and 2次,
/// returned, and whether it is overdue.
fn counts(v: &Value, dept: &str) -> (u64, u64, u64, u64, u64, u64, u64, bool) {
    let d = v["departments"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["department"] == dept))
        .unwrap_or_else(|| panic!("no {dept} in {v}"));
    let n = |k: &str| d[k].as_u64().unwrap_or_else(|| panic!("{k} in {d}"));
    (
        n("items"),
        n("rated"),
        n("excluded"),
        n("submitted"),
        n("approved_first"),
        n("approved_second"),
        n("returned"),
        d["overdue"] == true,
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_whole_round_for_three_departments() {
    let r = Rounds::new();
    // Before any round: a rating is refused, saying no round is open; staff may not open one.
    let e = r.refused("s0", &["rate", "1", POINT, "A", "-m", "評価"]);
    assert!(
        e.contains("no round is open for 令和2年度末; no other round is open either"),
        "{e}"
    );
    let e = r.refused("s0", &["round", "open", POINT, "--due", "2021-04-30"]);
    assert!(e.contains("may not open, close or publish a round"), "{e}");
    assert!(e.contains("admin (管理者)"), "{e}");
    let out = r.ok(
        "admin",
        &[
            "round",
            "open",
            POINT,
            "--due",
            "令和3年4月30日",
            "-m",
            "評価の開始",
        ],
    );
    assert!(
        out.contains("round 令和2年度末 opened (due 2021-04-30)"),
        "{out}"
    );
    // A rating into a point with no open round lists the open rounds.
    let e = r.refused("s0", &["rate", "1", "令和3年度末", "A", "-m", "評価"]);
    assert!(
        e.contains("no round is open for 令和3年度末; open rounds: 令和2年度末"),
        "{e}"
    );
    let v = r.status();
    assert_eq!(v["status"], "open");
    assert_eq!(v["due"], "2021-04-30");
    assert_eq!(v["published_sha256"], Value::Null);
    assert_eq!(counts(&v, DEPTS[0]), (2, 0, 0, 0, 0, 0, 0, false));
    assert_eq!(counts(&v, DEPTS[2]), (3, 0, 0, 0, 0, 0, 0, false));

    // 行革本部 marks item 7 対象外; each department rates its own items, and only them.
    r.ok(
        "hq",
        &["item", "exclude", "7", POINT, "-m", "事業終了のため対象外"],
    );
    let e = r.refused("s0", &["rate", "3", POINT, "A", "-m", "評価"]);
    assert!(e.contains("may not rate or remark item 3"), "{e}");
    for (d, (a, b)) in [("1", "2"), ("3", "4"), ("5", "6")].iter().enumerate() {
        let s = format!("s{d}");
        r.ok(&s, &["rate", a, POINT, "A", "-m", "所管課の評価"]);
        r.ok(&s, &["rate", b, POINT, "B", "-m", "所管課の評価"]);
    }
    // Each department submits: the point is the only open round, the department the staff's own.
    let out = r.ok("s0", &["submit", "-m", "総務課の評価を提出"]);
    assert!(
        out.contains("submitted the 2 items of 総務課 for 令和2年度末"),
        "{out}"
    );
    r.ok(
        "s1",
        &["submit", "--department", "財政課", "--point", POINT],
    );
    r.ok("s2", &["submit"]);
    let v = r.status();
    assert_eq!(counts(&v, DEPTS[0]), (2, 2, 0, 2, 0, 0, 0, false));
    assert_eq!(counts(&v, DEPTS[2]), (3, 2, 1, 3, 0, 0, 0, false));
    // Submitted items change only once returned.
    let e = r.refused("s0", &["rate", "1", POINT, "S", "-m", "再評価"]);
    assert!(e.contains("submitted for review"), "{e}");

    // Another department's head may not review; 総務課's head returns item 1 (差し戻し).
    let e = r.refused("h1", &["review", "approve", "1", "-m", "確認"]);
    assert!(e.contains("may not review item 1"), "{e}");
    let out = r.ok(
        "h0",
        &[
            "review",
            "return",
            "1",
            "-m",
            "実績の記載が不足しているため差し戻し",
        ],
    );
    assert!(out.contains("1次評価 差し戻し returned"), "{out}");
    let v = r.status();
    assert_eq!(counts(&v, DEPTS[0]), (2, 2, 0, 1, 0, 0, 1, false));
    // Resubmitting before rating again is refused; rated again, it is submitted again.
    let e = r.refused("s0", &["submit"]);
    assert!(e.contains("rate it again first"), "{e}");
    r.ok(
        "s0",
        &["rate", "1", POINT, "S", "-m", "実績を追記して再評価"],
    );
    r.ok("s0", &["submit", "-m", "再提出"]);

    // Publication waits for every item's 2次評価.
    let e = r.refused("admin", &["round", "publish", POINT]);
    assert!(e.contains("cannot be published"), "{e}");

    // Each head approves the department's items at 1次評価 (the stage from the role).
    for (d, dept) in DEPTS.iter().enumerate() {
        let out = r.ok(
            &format!("h{d}"),
            &[
                "review",
                "approve",
                "--department",
                dept,
                "-m",
                "内容を確認",
            ],
        );
        assert!(out.contains("approved 2 items of"), "{out}");
        assert!(out.contains("1次評価"), "{out}");
    }
    // Nothing of 総務課 awaits 1次評価 any more.
    let e = r.refused(
        "h0",
        &["review", "approve", "--department", DEPTS[0], "-m", "確認"],
    );
    assert!(e.contains("no item of 総務課 awaits 1次評価"), "{e}");
    // 行革本部 approves 総務課's at 2次評価; after the due date the two others are overdue.
    r.ok(
        "hq",
        &[
            "review",
            "approve",
            "--department",
            "総務課",
            "-m",
            "2次評価",
        ],
    );
    let v = r.status_at("2021-05-01T09:00:00+09:00");
    assert_eq!(v["today"], "2021-05-01");
    assert_eq!(counts(&v, DEPTS[0]), (2, 2, 0, 2, 2, 2, 0, false));
    assert_eq!(counts(&v, DEPTS[1]), (2, 2, 0, 2, 2, 0, 0, true));
    assert_eq!(counts(&v, DEPTS[2]), (3, 2, 1, 3, 2, 0, 0, true));
    assert_eq!(v["overdue"], 2);
    assert_eq!(v["total"]["pending"], 4);
    // On the due date itself, nobody is overdue yet.
    let v = r.status_at("2021-04-30T23:59:00+09:00");
    assert_eq!(v["overdue"], 0);
    // The text: Japanese headers, the overdue mark, the totals.
    let text = r
        .env
        .run_at("2021-05-01T09:00:00+09:00", &["round", "status", POINT])
        .ok()
        .to_string();
    assert!(text.contains("担当課"), "{text}");
    assert!(text.contains("期限超過 2課"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("財政課") && l.ends_with('○')),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("合計")), "{text}");
    for l in text.lines() {
        assert!(hyoka::views::width::display_width(l) <= 80, "{l}");
    }

    for d in &DEPTS[1..] {
        r.ok(
            "hq",
            &["review", "approve", "--department", d, "-m", "2次評価"],
        );
    }
    r.ok("c", &["opinion", "おおむね妥当である。"]);
    r.ok(
        "c",
        &["opinion", "目標値の見直しを検討されたい。", "--item", "3"],
    );
    let v = r.status_at("2021-05-01T09:00:00+09:00");
    assert_eq!(v["overdue"], 0);
    assert_eq!(v["total"]["approved_second"], 6);

    // Closed: no more ratings.
    r.ok("admin", &["round", "close", POINT]);
    let e = r.refused("s1", &["rate", "3", POINT, "S", "-m", "評価"]);
    assert!(e.contains("closed"), "{e}");

    // Publication needs the log key: without it, it is refused, saying where it is expected.
    let log_key = Rounds::log_key_path(&r.env);
    let aside = r.env.dir.path().join("log-key.aside");
    std::fs::rename(&log_key, &aside).expect("move the log key");
    let e = r.refused("admin", &["round", "publish", POINT]);
    assert!(e.contains("log key"), "{e}");
    assert!(e.contains("ledger.log-key"), "{e}");
    std::fs::rename(&aside, &log_key).expect("move it back");

    let table = r.env.dir.path().join("published.tsv");
    let run = r.by(
        "admin",
        &[
            "round",
            "publish",
            POINT,
            "--output",
            table.to_str().expect("path"),
            "-m",
            "評価結果の公表",
        ],
    );
    let out = run.ok().to_string();
    let bytes = std::fs::read(&table).expect("the published table");
    let digest = sha256_hex(&bytes);
    assert!(
        out.contains(&format!("SHA-256 of its table {digest}")),
        "{out}"
    );
    assert!(out.contains(&format!("{ORIGIN}\n")), "a checkpoint: {out}");
    assert!(
        out.contains("— city.example/rounds "),
        "a signed note: {out}"
    );
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        text.starts_with("hyoka published table v1\nplan\t第3次行財政改革\npoint\tFY2020-YE\n")
    );
    assert!(
        text.contains("1\t行政改革の推進\t取組1\t総務課\tS\t0\t\n"),
        "{text}"
    );
    assert!(
        text.contains("7\t行政改革の推進\t取組7\t市民課\t対象外\t0\t\n"),
        "{text}"
    );
    // The log records the same digest, and the status shows it.
    let log = r.env.snapshot().0;
    let published: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["change"]["kind"] == "round.published")
        .collect();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["change"]["table_sha256"], digest.as_str());
    let v = r.status();
    assert_eq!(v["status"], "published");
    assert_eq!(v["published_sha256"], digest.as_str());
    let e = r.refused("admin", &["round", "publish", POINT]);
    assert!(e.contains("already published"), "{e}");

    // After publication, staff may not change the point; 行革本部 corrects it (訂正), and a draft notice
    // is printed.
    let e = r.refused("s0", &["rate", "1", POINT, "A", "-m", "再評価"]);
    assert!(e.contains("correct a published round"), "{e}");
    r.set_clock("2021-05-10T10:00:00+09:00");
    let out = r.ok(
        "hq",
        &["rate", "1", POINT, "A", "-m", "所管課からの報告により訂正"],
    );
    assert!(
        out.contains("this corrects the published results of 令和2年度末 (訂正)"),
        "{out}"
    );
    assert!(out.contains("# 訂正のお知らせ"), "{out}");
    assert!(out.contains("令和3年5月10日"), "{out}");
    assert!(
        out.contains(
            "| 1 | 取組1 | 総務課 | 評価 | S | A | 所管課からの報告により訂正 | 令和3年5月10日 |"
        ),
        "{out}"
    );
    r.ok(
        "hq",
        &[
            "remark",
            "1",
            "地域連絡会を2地区で実施。",
            "--period",
            POINT,
            "-m",
            "実績の追記",
        ],
    );

    // The notice of every correction since publication, from the log.
    let md = r.run(&["round", "notice", POINT]).ok().to_string();
    assert!(md.contains("（令和3年4月"), "the publication's date: {md}");
    assert!(md.contains("| 1 | 取組1 | 総務課 | 評価 | S | A |"), "{md}");
    assert!(
        md.contains("| 1 | 取組1 | 総務課 | 理由等 | — | 地域連絡会を2地区で実施。 |"),
        "{md}"
    );
    assert!(md.contains(&format!("`{digest}`")), "{md}");
    let json: Value =
        serde_json::from_str(r.run(&["round", "notice", POINT, "--format", "json"]).ok())
            .expect("JSON");
    assert_valid("round-notice.schema.json", &json);
    assert_eq!(json["corrections"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["corrections"][0]["old"], "S");
    assert_eq!(json["corrections"][0]["new"], "A");
    assert_eq!(json["published"]["table_sha256"], digest.as_str());

    // history --all and the correction report mark them 訂正; history shows the review trail.
    let all: Value =
        serde_json::from_str(r.run(&["history", "--all", "--format", "json"]).ok()).expect("JSON");
    assert_valid("history.schema.json", &all);
    let marked: Vec<&Value> = all
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["correction"] == true)
        .collect();
    assert_eq!(marked.len(), 2, "{all}");
    let md = r
        .run(&["history", "--all", "--format", "md"])
        .ok()
        .to_string();
    assert!(md.contains("評価 [訂正]"), "{md}");
    assert!(md.contains("理由等 [訂正]"), "{md}");
    let h: Value =
        serde_json::from_str(r.run(&["history", "1", "--format", "json"]).ok()).expect("JSON");
    assert_valid("history.schema.json", &h);
    let trail: Vec<String> = h
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| ["submitted", "review", "rating"].contains(&e["field"].as_str().unwrap_or("")))
        .map(|e| format!("{} {}", e["field"].as_str().unwrap_or(""), e["new"]))
        .collect();
    assert_eq!(
        trail,
        [
            "rating \"A\"",
            "submitted true",
            "review \"1次評価 差し戻し\"",
            "rating \"S\"",
            "submitted true",
            "review \"1次評価 承認\"",
            "review \"2次評価 承認\"",
            "rating \"A\"",
        ]
    );
    let h3 = r.run(&["history", "3"]).ok().to_string();
    assert!(h3.contains("目標値の見直しを検討されたい。"), "{h3}");

    // History through the per-item index equals the fold of the whole log, review trail included.
    {
        let l = Ledger::open_read(&r.env.ledger(), Access::default()).expect("open");
        for n in 1..=7 {
            let id = ItemId::parse(&n.to_string()).expect("id");
            let h = l.history(&id, None).expect("history");
            assert_eq!(
                h,
                l.history_by_full_fold(&id, None).expect("fold"),
                "item {n}"
            );
        }
    }
    r.run(&["verify"]).ok();
}

#[test]
fn reviews_need_a_stage_a_round_and_the_right_department() {
    let r = Rounds::new();
    // No round: submit says how one is opened.
    let e = r.refused("s0", &["submit"]);
    assert!(e.contains("no round is open"), "{e}");
    assert!(e.contains("hyoka round open"), "{e}");
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    r.ok(
        "admin",
        &["round", "open", "令和3年度上半期", "--due", "2021-10-31"],
    );
    // Two open rounds: the point must be given (a usage error, listing them).
    let run = r.by("s0", &["submit"]);
    let e = run.fails(2);
    assert!(
        e.contains("2 rounds are open (令和2年度末, 令和3年度上半期)"),
        "{e}"
    );
    assert!(e.contains("--point"), "{e}");
    // An unknown department is named with the known ones.
    let e = r.refused(
        "s0",
        &["submit", "--department", "教育課", "--point", POINT],
    );
    assert!(
        e.contains("the departments are 総務課, 財政課, 市民課"),
        "{e}"
    );
    // Not rated yet: refused.
    let e = r.refused("s0", &["submit", "--point", POINT]);
    assert!(e.contains("not rated"), "{e}");
    // Items of no submitted department await no review.
    let e = r.refused(
        "h0",
        &[
            "review",
            "approve",
            "--department",
            "総務課",
            "--point",
            POINT,
            "-m",
            "確認",
        ],
    );
    assert!(e.contains("not submitted"), "{e}");
    // A bad due date is a usage error naming the forms.
    let run = r.by(
        "admin",
        &["round", "open", "令和3年度末", "--due", "2021-02-30"],
    );
    assert!(run.fails(2).contains("--due"), "{}", run.stderr);
    // Staff cannot review at all.
    r.ok("s0", &["rate", "1", POINT, "A", "-m", "評価"]);
    r.ok("s0", &["rate", "2", POINT, "A", "-m", "評価"]);
    r.ok("s0", &["submit", "--point", POINT]);
    let e = r.refused(
        "s0",
        &["review", "approve", "1", "--point", POINT, "-m", "確認"],
    );
    assert!(e.contains("needs the role head (課長)"), "{e}");
    // Nor may a head review at 2次評価.
    let e = r.refused(
        "h0",
        &[
            "review", "approve", "1", "--stage", "2", "--point", POINT, "-m", "確認",
        ],
    );
    assert!(e.contains("needs the role hq (行革本部)"), "{e}");
    // Only the committee gives opinions.
    let e = r.refused("hq", &["opinion", "意見", "--point", POINT]);
    assert!(e.contains("needs the role committee"), "{e}");
    r.run(&["verify"]).ok();
}

/// A published round with one correction, through the CLI (for the schema checks of other modules).
pub(crate) fn published_with_a_correction() -> Rounds {
    let r = Rounds::new();
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    r.ok("hq", &["item", "exclude", "7", POINT, "-m", "対象外"]);
    for (d, items) in [["1", "2"], ["3", "4"], ["5", "6"]].iter().enumerate() {
        for i in items {
            r.ok(&format!("s{d}"), &["rate", i, POINT, "A", "-m", "評価"]);
        }
        r.ok(&format!("s{d}"), &["submit"]);
        r.ok(
            &format!("h{d}"),
            &["review", "approve", "--department", DEPTS[d], "-m", "確認"],
        );
        r.ok(
            "hq",
            &["review", "approve", "--department", DEPTS[d], "-m", "確認"],
        );
    }
    r.ok("admin", &["round", "publish", POINT]);
    r.ok("hq", &["rate", "2", POINT, "S", "-m", "訂正"]);
    r
}
