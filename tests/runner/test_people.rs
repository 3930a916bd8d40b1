//! People and keys on the command line (issue: people, roles and rounds): `init --admin`, `person add`,
//! `person role`, `person key rotate|revoke`, `person list`, `people enable`, `import --key`; each
//! refusal leaves the ledger as it was; names are kept in `PEOPLE`, never in the hashed bytes.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use hyoka::domain::event::Change;
use hyoka::domain::period::{Part, Period};
use hyoka::tlog::note::{SignerKey, VerifierKey};

use crate::common::{Env, Run};

const ORIGIN: &str = "city.example/plan-2";
const DEPTS: [&str; 3] = ["総務課", "財政課", "市民課"];

/// A person's key pair in the environment's directory.
struct Key {
    /// The private key file.
    file: PathBuf,
    /// The verifier key text.
    vkey: String,
}

impl Key {
    fn file(&self) -> &str {
        self.file.to_str().expect("path")
    }

    /// The person's id: P and the key id's 8 hex digits.
    fn id(&self) -> String {
        let k = VerifierKey::parse(&self.vkey).expect("verifier key");
        format!("P{:08x}", k.key_id())
    }

    fn signer(&self) -> SignerKey {
        SignerKey::parse(std::fs::read_to_string(&self.file).expect("key").trim()).expect("key")
    }
}

/// Generates the key `name` (`NAME.key`, mode 0600) with `hyoka key generate`.
fn keygen(env: &Env, name: &str) -> Key {
    let file = env.dir.path().join(format!("{name}.key"));
    let vkey = env
        .run(&[
            "key",
            "generate",
            "--name",
            name,
            "--output",
            file.to_str().expect("path"),
        ])
        .ok()
        .trim()
        .to_string();
    Key { file, vkey }
}

fn log_key_file(env: &Env) -> PathBuf {
    env.dir.path().join("ledger.log-key")
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.ok().trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

/// Asserts that `args` fail with exit `code`, append nothing, and returns the error line.
#[track_caller]
fn refused(env: &Env, args: &[&str], code: i32) -> String {
    let before = env.snapshot();
    let line = env.run(args).fails(code).to_string();
    assert_eq!(
        env.snapshot(),
        before,
        "a refused command changed the ledger"
    );
    line
}

fn init_with_admin(env: &Env, admin: &Key) -> Run {
    env.run(&[
        "init",
        "--plan",
        "第2次行財政改革",
        "--origin",
        ORIGIN,
        "--admin",
        "山田太郎",
        "--vkey",
        &admin.vkey,
        "--key",
        admin.file(),
        "-m",
        "計画の登録",
    ])
}

/// The cast of a ledger with people: the administrator, staff of three departments, the head of the
/// first, and 行革本部.
struct Cast {
    admin: Key,
    staff: [Key; 3],
    head: Key,
    hq: Key,
}

const STAFF_NAMES: [&str; 3] = ["鈴木一郎", "佐藤花子", "高橋次郎"];

/// A ledger with people, two items in each department, and the cast registered.
fn with_people() -> (Env, Cast) {
    let env = Env::new();
    let admin = keygen(&env, "admin");
    init_with_admin(&env, &admin).ok();
    for (d, dept) in DEPTS.iter().enumerate() {
        for n in [2 * d + 1, 2 * d + 2] {
            env.run(&[
                "item",
                "add",
                &n.to_string(),
                &format!("取組{n}"),
                "--department",
                dept,
                "--category",
                "行財政改革",
                "--key",
                admin.file(),
                "-m",
                "計画登録",
            ])
            .ok();
        }
    }
    let staff = [keygen(&env, "s0"), keygen(&env, "s1"), keygen(&env, "s2")];
    for (d, k) in staff.iter().enumerate() {
        add(&env, &admin, STAFF_NAMES[d], DEPTS[d], "staff", k).ok();
    }
    let head = keygen(&env, "h0");
    add(&env, &admin, "伊藤課長", DEPTS[0], "head", &head).ok();
    let hq = keygen(&env, "hq");
    add(&env, &admin, "渡辺本部員", "行革本部", "hq", &hq).ok();
    (
        env,
        Cast {
            admin,
            staff,
            head,
            hq,
        },
    )
}

fn add(env: &Env, by: &Key, name: &str, dept: &str, roles: &str, k: &Key) -> Run {
    env.run(&[
        "person",
        "add",
        name,
        "--department",
        dept,
        "--role",
        roles,
        "--vkey",
        &k.vkey,
        "--key",
        by.file(),
        "-m",
        "担当者の登録",
    ])
}

fn year_end() -> Period {
    Period::new(2020, Part::YearEnd).expect("period")
}

/// Opens the round of 令和2年度末 through the library, signed with the administrator's key (the
/// `round open` command is another part's), at the environment's clock, anchored with the log key.
fn open_round(env: &Env, admin: &Key) {
    use hyoka::ledger::signing::Signer;
    use hyoka::ledger::{Access, Ledger, Meta};
    let mut l = Ledger::open(&env.ledger(), Access::default()).expect("open");
    let log = std::fs::read_to_string(log_key_file(env)).expect("log key");
    l.use_log_key(SignerKey::parse(log.trim()).expect("log key"))
        .expect("use log key");
    let meta = Meta {
        author: admin.id(),
        reason: "評価の開始".into(),
        source: None,
        recorded_at: hyoka::domain::when::parse_rfc3339(&env.now()).expect("time"),
        new_point: false,
        signer: Some(Signer::new(admin.signer())),
    };
    l.append(
        &meta,
        &[Change::RoundOpened {
            period: year_end(),
            due: "2021-04-30".into(),
        }],
    )
    .expect("round opened");
}

fn rate(env: &Env, item: &str, grade: &str, key: &str) -> Run {
    env.run(&[
        "rate",
        item,
        "FY2020-YE",
        grade,
        "--key",
        key,
        "-m",
        "年度末評価",
    ])
}

#[test]
fn init_with_an_admin_creates_people_the_log_key_and_keeps_the_name_out_of_the_events() {
    let env = Env::new();
    let admin = keygen(&env, "admin");
    let id = admin.id();
    let run = init_with_admin(&env, &admin);
    let stdout = run.ok();
    let log_key = log_key_file(&env);
    assert!(
        stdout.contains(&format!("wrote a new log key to {}", log_key.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "people: 山田太郎 ({id}) is the first administrator"
        )),
        "{stdout}"
    );
    // The log key is made beside the ledger, at mode 0600, and is the ledger's log key.
    let mode = std::fs::metadata(&log_key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let log_signer = SignerKey::parse(std::fs::read_to_string(&log_key).unwrap().trim()).unwrap();
    assert_eq!(log_signer.name(), ORIGIN);
    let recorded_log_key = std::fs::read_to_string(env.ledger().join("LOGKEY")).unwrap();
    assert_eq!(recorded_log_key.trim(), log_signer.verifier().to_text());

    // Event 1 enables people: the administrator by id, a commitment to the name, never the name.
    let (log, _) = env.snapshot();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let change = &lines[1]["change"];
    assert_eq!(change["kind"], "people.enabled", "{change}");
    assert_eq!(change["admin"]["id"], id.as_str());
    assert_eq!(change["admin"]["department"], "管理者");
    assert_eq!(change["admin"]["roles"], serde_json::json!(["admin"]));
    assert_eq!(change["admin"]["vkey"], admin.vkey.as_str());
    assert_eq!(change["log_vkey"], log_signer.verifier().to_text());
    assert_eq!(lines[1]["author"], id.as_str());
    assert!(!log.contains("山田"), "the name is in the events: {log}");

    // The name and salt are in PEOPLE, and they are what the event committed to.
    let people = std::fs::read_to_string(env.ledger().join("PEOPLE")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(people.trim()).unwrap();
    assert_eq!(entry["id"], id.as_str());
    assert_eq!(entry["name"], "山田太郎");
    let mut salt = [0u8; 16];
    hex::decode_to_slice(entry["salt"].as_str().unwrap(), &mut salt).unwrap();
    let commitment = hyoka::domain::people::name_commitment(&salt, "山田太郎");
    assert_eq!(change["admin"]["name_commitment"], hex::encode(commitment));

    // The hashed bytes (the export's base64) hold neither the name nor its salt.
    let export = env.dir.path().join("export.jsonl");
    env.run(&["export", "--output", export.to_str().unwrap()])
        .ok();
    let text = std::fs::read_to_string(&export).unwrap();
    assert!(!text.contains("山田"), "{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(b64) = v["bytes"].as_str() else {
            continue;
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let name = "山田太郎".as_bytes();
        assert!(!bytes.windows(name.len()).any(|w| w == name));
        assert!(!bytes.windows(16).any(|w| w == salt));
    }
    assert!(
        text.lines().count() >= 2,
        "the export has the events: {text}"
    );

    // Shown as `name (id)`; verified; the event is signed.
    let log = env.run(&["log"]);
    assert!(
        log.ok().contains(&format!(
            "山田太郎 ({id})  people enabled: administrator 山田太郎 ({id})"
        )),
        "{}",
        log.stdout
    );
    env.run(&["verify"]).ok();
    env.run(&["verify", "--vkey", &admin.vkey]).ok();
}

#[test]
fn init_refuses_a_key_pair_that_does_not_match_or_a_key_others_can_read() {
    let env = Env::new();
    let admin = keygen(&env, "admin");
    let other = keygen(&env, "other");
    let e = env
        .run(&[
            "init",
            "--plan",
            "P",
            "--origin",
            ORIGIN,
            "--admin",
            "山田太郎",
            "--vkey",
            &other.vkey,
            "--key",
            admin.file(),
        ])
        .fails(2)
        .to_string();
    assert!(
        e.contains("is not the verifier key of the private key"),
        "{e}"
    );
    assert!(!env.ledger().exists());
    assert!(!log_key_file(&env).exists());
    // A log key file that others can read is refused, naming chmod; nothing is created.
    let log = env.dir.path().join("shared.log-key");
    std::fs::write(
        &log,
        format!("{}\n", SignerKey::generate(ORIGIN).unwrap().to_text()),
    )
    .unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = env
        .run(&[
            "--log-key",
            log.to_str().unwrap(),
            "init",
            "--plan",
            "P",
            "--origin",
            ORIGIN,
            "--admin",
            "山田太郎",
            "--vkey",
            &admin.vkey,
            "--key",
            admin.file(),
        ])
        .fails(1)
        .to_string();
    assert!(e.contains("chmod 600"), "{e}");
    assert!(!env.ledger().exists());
    // With that file made private, it becomes the log key.
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = env.run(&[
        "--log-key",
        log.to_str().unwrap(),
        "init",
        "--plan",
        "P",
        "--origin",
        ORIGIN,
        "--admin",
        "山田太郎",
        "--vkey",
        &admin.vkey,
        "--key",
        admin.file(),
    ]);
    assert!(!run.ok().contains("wrote a new log key"), "{}", run.stdout);
    assert!(!log_key_file(&env).exists());
}

#[test]
fn people_of_three_departments_rate_their_own_items_in_an_open_round_only() {
    let (env, c) = with_people();
    let s0 = &c.staff[0];
    // A rating without an open round is refused, saying what to do.
    let e = refused(
        &env,
        &[
            "rate",
            "1",
            "FY2020-YE",
            "A",
            "--key",
            s0.file(),
            "-m",
            "評価",
        ],
        1,
    );
    assert!(e.contains("no round is open for 令和2年度末"), "{e}");
    assert!(e.contains("ask an administrator to open the round"), "{e}");
    // Staff may not register people (nor open anything an administrator opens).
    let newcomer = keygen(&env, "newcomer");
    let before = env.snapshot();
    let e = add(&env, s0, "新人", DEPTS[0], "staff", &newcomer)
        .fails(1)
        .to_string();
    assert!(
        e.contains("may not manage people: it needs the role admin"),
        "{e}"
    );
    assert!(e.contains("ask an administrator"), "{e}");
    assert_eq!(env.snapshot(), before);
    let people = std::fs::read_to_string(env.ledger().join("PEOPLE")).unwrap();
    assert!(!people.contains("新人"), "a refused person's name was kept");

    open_round(&env, &c.admin);
    // Each department's staff rate their own items; the line names them.
    for (d, k) in c.staff.iter().enumerate() {
        let out = rate(&env, &(2 * d + 1).to_string(), "A", k.file());
        assert!(
            out.ok()
                .contains(&format!("by {} ({})", STAFF_NAMES[d], k.id())),
            "{}",
            out.stdout
        );
    }
    // Another department's item is refused.
    let e = refused(
        &env,
        &[
            "rate",
            "3",
            "FY2020-YE",
            "B",
            "--key",
            s0.file(),
            "-m",
            "評価",
        ],
        1,
    );
    assert!(
        e.contains("may not rate or remark item 3, which is `財政課`'s"),
        "{e}"
    );
    assert!(e.contains("ask a person of the item's department"), "{e}");
    // -a contradicting the key is refused (a usage error); -a naming the key's person is fine.
    let e = refused(
        &env,
        &[
            "rate",
            "2",
            "FY2020-YE",
            "B",
            "-a",
            &c.admin.id(),
            "--key",
            s0.file(),
            "-m",
            "評価",
        ],
        2,
    );
    assert!(e.contains("is not the person whose key is given"), "{e}");
    env.run(&[
        "rate",
        "2",
        "FY2020-YE",
        "B",
        "-a",
        &s0.id(),
        "--key",
        s0.file(),
        "-m",
        "評価",
    ])
    .ok();
    // Without a key, in a ledger with people.
    let e = refused(
        &env,
        &["rate", "2", "FY2020-YE", "S", "-a", &s0.id(), "-m", "評価"],
        1,
    );
    assert!(e.contains("give your key with --key FILE"), "{e}");
    // A key file others can read is refused, naming chmod.
    std::fs::set_permissions(&s0.file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = refused(
        &env,
        &[
            "rate",
            "2",
            "FY2020-YE",
            "S",
            "--key",
            s0.file(),
            "-m",
            "評価",
        ],
        1,
    );
    assert!(e.contains("chmod 600"), "{e}");
    std::fs::set_permissions(&s0.file, std::fs::Permissions::from_mode(0o600)).unwrap();

    // Names are shown as `name (id)` in log, history and blame; history --author takes a name.
    let id = s0.id();
    let shown = format!("鈴木一郎 ({id})");
    assert!(env.run(&["log"]).ok().contains(&shown));
    let history = env.run(&["history", "1"]);
    assert!(history.ok().contains(&shown), "{}", history.stdout);
    let blame = env.run(&["blame"]);
    assert!(blame.ok().contains(&shown), "{}", blame.stdout);
    let by_id = env.run(&["history", "2", "--author", "鈴木一郎"]);
    assert!(by_id.ok().contains(&shown), "{}", by_id.stdout);
    // The machine forms keep the id.
    let blame = env.run(&["blame", "--format", "json"]);
    assert!(!blame.ok().contains("鈴木"), "{}", blame.stdout);
    env.run(&["verify"]).ok();
}

#[test]
fn keys_are_rotated_and_revoked_and_a_revoked_key_signs_nothing() {
    let (env, c) = with_people();
    open_round(&env, &c.admin);
    let [s0, s1, _] = &c.staff;
    // An administrator revokes 佐藤's key (by name): it signs nothing more.
    env.run(&[
        "person",
        "key",
        "revoke",
        "佐藤花子",
        "--key",
        c.admin.file(),
        "-m",
        "鍵の紛失",
    ])
    .ok();
    let e = refused(
        &env,
        &[
            "rate",
            "3",
            "FY2020-YE",
            "A",
            "--key",
            s1.file(),
            "-m",
            "評価",
        ],
        1,
    );
    assert!(e.contains("is revoked or replaced"), "{e}");
    // A new key, set by an administrator (rotation, never recovery), signs from then on.
    let s1_new = keygen(&env, "s1-new");
    let run = env.run(&[
        "person",
        "key",
        "rotate",
        &s1.id(),
        "--vkey",
        &s1_new.vkey,
        "--key",
        c.admin.file(),
        "-m",
        "鍵の再発行",
    ]);
    assert!(
        run.ok()
            .contains(&format!("person 佐藤花子 ({}): key rotated", s1.id())),
        "{}",
        run.stdout
    );
    rate(&env, "3", "A", s1_new.file()).ok();
    // A person rotates their own key; the old one is refused after.
    let s0_new = keygen(&env, "s0-new");
    env.run(&[
        "person",
        "key",
        "rotate",
        "鈴木一郎",
        "--vkey",
        &s0_new.vkey,
        "--key",
        s0.file(),
        "-m",
        "定期更新",
    ])
    .ok();
    refused(
        &env,
        &[
            "rate",
            "1",
            "FY2020-YE",
            "A",
            "--key",
            s0.file(),
            "-m",
            "評価",
        ],
        1,
    );
    rate(&env, "1", "A", s0_new.file()).ok();
    // Staff may not rotate another person's key.
    let stray = keygen(&env, "stray");
    let e = refused(
        &env,
        &[
            "person",
            "key",
            "rotate",
            "佐藤花子",
            "--vkey",
            &stray.vkey,
            "--key",
            s0_new.file(),
            "-m",
            "x",
        ],
        1,
    );
    assert!(e.contains("may not change another person's key"), "{e}");
    // The last administrator's key is never revoked.
    let e = refused(
        &env,
        &[
            "person",
            "key",
            "revoke",
            "山田太郎",
            "--key",
            c.admin.file(),
            "-m",
            "退職",
        ],
        1,
    );
    assert!(e.contains("last administrator with a key"), "{e}");
    // Roles: granted and revoked by an administrator; a head reviews, staff may then rate elsewhere.
    env.run(&[
        "person",
        "role",
        "grant",
        "高橋次郎",
        "head",
        "--key",
        c.admin.file(),
        "-m",
        "昇任",
    ])
    .ok();
    env.run(&[
        "person",
        "role",
        "revoke",
        &c.staff[2].id(),
        "staff",
        "--key",
        c.admin.file(),
        "-m",
        "異動",
    ])
    .ok();
    let e = refused(
        &env,
        &[
            "person",
            "role",
            "grant",
            "誰か",
            "head",
            "--key",
            c.admin.file(),
            "-m",
            "x",
        ],
        1,
    );
    assert!(e.contains("there is no person `誰か`"), "{e}");

    // person list: ids, names, departments, roles, key ids and their status.
    let list = json(&env.run(&["person", "list", "--format", "json"]));
    let validator = {
        let path = format!("{}/schema/people.schema.json", env!("CARGO_MANIFEST_DIR"));
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::draft202012::new(&schema).unwrap()
    };
    assert!(validator.is_valid(&list), "{list}");
    let people = list["people"].as_array().unwrap();
    assert_eq!(people.len(), 6);
    let find = |id: &str| {
        people
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id}: {list}"))
    };
    let sato = find(&s1.id());
    assert_eq!(sato["name"], "佐藤花子");
    assert_eq!(sato["department"], "財政課");
    assert_eq!(sato["key"], "current");
    assert_eq!(sato["keys"], 2);
    let new_id = VerifierKey::parse(&s1_new.vkey).unwrap().key_id();
    assert_eq!(sato["key_id"], format!("{new_id:08x}"));
    assert_eq!(find(&c.staff[2].id())["roles"], serde_json::json!(["head"]));
    assert_eq!(find(&c.hq.id())["roles"], serde_json::json!(["hq"]));
    assert_eq!(find(&c.head.id())["department"], "総務課");
    let text = env.run(&["person", "list"]);
    assert!(text.ok().contains("佐藤花子"), "{}", text.stdout);
    env.run(&["verify"]).ok();
}

#[test]
fn people_enable_upgrades_an_imported_ledger_and_earlier_checkpoints_stay_consistent() {
    let env = Env::new();
    let seed = crate::common::seed();
    env.run(&[
        "import",
        seed.to_str().unwrap(),
        "-a",
        "山田",
        "--origin",
        ORIGIN,
    ])
    .ok();
    // A signed checkpoint before the upgrade, with the key that becomes the log key.
    let plan = env.dir.path().join("plan.key");
    let plan_vkey = env
        .run(&["key", "generate", "--output", plan.to_str().unwrap()])
        .ok()
        .trim()
        .to_string();
    let old = env.dir.path().join("old.txt");
    env.run(&[
        "checkpoint",
        "--key",
        plan.to_str().unwrap(),
        "--output",
        old.to_str().unwrap(),
    ])
    .ok();
    let (before, _) = env.snapshot();
    let n = before.lines().count();

    let admin = keygen(&env, "admin");
    let enable = |key: &Key| {
        env.run(&[
            "--log-key",
            plan.to_str().unwrap(),
            "people",
            "enable",
            "--admin",
            "山田太郎",
            "--vkey",
            &key.vkey,
            "--key",
            key.file(),
            "-m",
            "署名付き運用へ移行",
        ])
    };
    let run = enable(&admin);
    let out = run.ok();
    assert!(
        out.contains(&format!(
            "recorded #{n}: people enabled: administrator 山田太郎 ({})",
            admin.id()
        )),
        "{out}"
    );
    let label = format!(
        "{ORIGIN}+{:08x}",
        VerifierKey::parse(&plan_vkey).unwrap().key_id()
    );
    assert!(
        out.contains(&format!("log key: {label}, already this ledger's log key")),
        "{out}"
    );
    // The same log: every earlier event as it was, one more after them.
    let (after, _) = env.snapshot();
    assert_eq!(after.lines().count(), n + 1);
    assert!(after.starts_with(&before));
    let last: serde_json::Value = serde_json::from_str(after.lines().last().unwrap()).unwrap();
    let plan_verifier = VerifierKey::parse(&plan_vkey).unwrap();
    assert_eq!(last["change"]["log_vkey"], plan_verifier.to_text());
    env.run(&["verify"]).ok();
    env.run(&[
        "verify",
        "--checkpoint",
        old.to_str().unwrap(),
        "--vkey",
        &plan_vkey,
    ])
    .ok();
    // A consistency proof from the old checkpoint to a new one, checked without the ledger.
    let proof = env.dir.path().join("consistency.txt");
    env.run(&[
        "prove",
        "--consistency",
        old.to_str().unwrap(),
        "--key",
        plan.to_str().unwrap(),
        "--output",
        proof.to_str().unwrap(),
    ])
    .ok();
    let v = env.run(&[
        "verify-consistency",
        proof.to_str().unwrap(),
        "--old",
        old.to_str().unwrap(),
        "--vkey",
        &plan_vkey,
    ]);
    assert!(v.ok().starts_with("ok: consistent"), "{}", v.stdout);

    // Enabled once only.
    let other = keygen(&env, "other");
    let e = refused(
        &env,
        &[
            "people",
            "enable",
            "--admin",
            "X",
            "--vkey",
            &other.vkey,
            "--key",
            other.file(),
            "-m",
            "x",
        ],
        1,
    );
    assert!(e.contains("has people already"), "{e}");
    // import in a ledger with people: signed with --key; without one it is refused.
    let v2 = crate::common::seed_v2();
    let e = refused(&env, &["import", v2.to_str().unwrap(), "-a", "山田"], 1);
    assert!(e.contains("give your key with --key FILE"), "{e}");
    let run = env.run(&[
        "import",
        v2.to_str().unwrap(),
        "--key",
        admin.file(),
        "--dry-run",
    ]);
    assert_ne!(run.code, 2, "-a is not needed with a key: {run:?}");
    assert!(!run.stderr.contains("give -a"), "{run:?}");
    // Its ratings need an open round (and staff of the department): the import is refused whole.
    let e = refused(
        &env,
        &["import", v2.to_str().unwrap(), "--key", admin.file()],
        1,
    );
    assert!(e.contains("no round is open"), "{e}");
    assert!(e.contains("in a ledger with people an import"), "{e}");
    env.run(&["verify"]).ok();
}

#[test]
fn people_enable_makes_the_log_key_beside_the_ledger_when_it_has_none() {
    let env = Env::new();
    env.with_items();
    let admin = keygen(&env, "admin");
    let run = env.run(&[
        "people",
        "enable",
        "--admin",
        "山田太郎",
        "--department",
        "行政経営課",
        "--vkey",
        &admin.vkey,
        "--key",
        admin.file(),
        "-m",
        "移行",
    ]);
    let out = run.ok();
    let file = log_key_file(&env);
    assert!(
        out.contains(&format!("wrote a new log key to {}", file.display())),
        "{out}"
    );
    assert!(out.contains("is now this ledger's log key"), "{out}");
    let key = SignerKey::parse(std::fs::read_to_string(&file).unwrap().trim()).unwrap();
    let (log, _) = env.snapshot();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["change"]["log_vkey"], key.verifier().to_text());
    assert_eq!(last["change"]["admin"]["department"], "行政経営課");
    // From then on, -a alone records nothing; the administrator's key does.
    let e = refused(
        &env,
        &["item", "withdraw", "2", "-a", "山田", "-m", "削除"],
        1,
    );
    assert!(e.contains("give your key with --key FILE"), "{e}");
    let run = env.run(&["item", "withdraw", "2", "--key", admin.file(), "-m", "削除"]);
    assert!(
        run.ok()
            .contains(&format!("item 2 withdrawn by 山田太郎 ({})", admin.id())),
        "{}",
        run.stdout
    );
    env.run(&["verify"]).ok();
}

#[test]
fn people_enable_refuses_a_version_1_ledger() {
    let env = Env::new();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat/806adaa/export.jsonl");
    env.run(&["restore", export.to_str().unwrap()]).ok();
    let admin = keygen(&env, "admin");
    let e = refused(
        &env,
        &[
            "people",
            "enable",
            "--admin",
            "山田太郎",
            "--vkey",
            &admin.vkey,
            "--key",
            admin.file(),
            "-m",
            "移行",
        ],
        1,
    );
    assert!(e.contains("event schema version 1"), "{e}");
    assert!(e.contains("a new ledger is needed"), "{e}");
    assert!(!log_key_file(&env).exists());
    assert!(!env.ledger().join("PEOPLE").exists());
}
