//! Backward compatibility: a ledger directory and an export written by hyoka at commit 806adaa
//! (`tests/compat/806adaa`, see its README) are opened, verified, appended to, exported and restored by
//! this version. The tests work on copies and check that the checked-in files are never written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::common::Env;

/// What 806adaa's `verify` printed for the fixture (README.md).
const HEAD: &str = "b37f662df527d9d041e1477bb2c49bfffa625461f6ad717620acf2840edc1a05";
const ROOT: &str = "8f0af0474421859a2e5c481978b6c542482369b1bc161825177dd8874ebfdbba";
const EVENTS: u64 = 375;

/// After the fixture's last event (2015-11-02T10:18+09:00).
const LATER: &str = "2015-11-03T09:00:00+09:00";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat/806adaa")
}

/// BLAKE3 of every file under `dir`, by relative path.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(
                    path.strip_prefix(root).unwrap().to_path_buf(),
                    blake3::hash(&bytes).to_hex().to_string(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs `f` and asserts that it left the checked-in fixture byte for byte as it was.
fn leaving_the_fixture_unchanged(f: impl FnOnce()) {
    let before = hashes(&fixture());
    assert!(
        before.contains_key(Path::new("ledger/JOURNAL")),
        "{before:?}"
    );
    f();
    assert_eq!(
        before,
        hashes(&fixture()),
        "the checked-in fixture was written"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// `verify --format json` of `ledger`: (events, head, root).
fn verified(env: &Env, ledger: &Path) -> (u64, String, String) {
    let out = env
        .run_at(
            LATER,
            &[
                "--ledger",
                ledger.to_str().unwrap(),
                "verify",
                "--format",
                "json",
            ],
        )
        .ok()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], true, "{out}");
    (
        v["events"].as_u64().unwrap(),
        v["head_hash"].as_str().unwrap().into(),
        v["root"].as_str().unwrap().into(),
    )
}

fn vkey() -> String {
    std::fs::read_to_string(fixture().join("plan.vkey"))
        .unwrap()
        .trim()
        .to_string()
}

/// An export's lines as JSON.
fn export_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_806adaa_ledger_opens_verifies_takes_version_1_events_and_exports() {
    leaving_the_fixture_unchanged(|| {
        let env = Env::new();
        let ledger = env.ledger();
        copy_dir(&fixture().join("ledger"), &ledger);
        let l = ledger.to_str().unwrap();

        assert_eq!(verified(&env, &ledger), (EVENTS, HEAD.into(), ROOT.into()));
        let cp = fixture().join("checkpoint.txt");
        let out = env
            .run_at(
                LATER,
                &[
                    "--ledger",
                    l,
                    "verify",
                    "--checkpoint",
                    cp.to_str().unwrap(),
                    "--vkey",
                    &vkey(),
                ],
            )
            .ok()
            .to_string();
        assert!(out.contains(HEAD) && out.contains(ROOT), "{out}");

        // The views, from the store, its snapshots and index, and the journal.
        let table = env
            .run_at(LATER, &["--ledger", l, "table", "--format", "json"])
            .ok()
            .to_string();
        assert!(table.contains("試行事業の検証"), "item 64: {table}");
        env.run_at(LATER, &["--ledger", l, "table", "--seq", "200"])
            .ok();
        env.run_at(LATER, &["--ledger", l, "summary"]).ok();
        let history = env
            .run_at(LATER, &["--ledger", l, "history", "12"])
            .ok()
            .to_string();
        assert!(history.contains("所管課からの報告により訂正"), "{history}");
        let log = env
            .run_at(LATER, &["--ledger", l, "log", "--format", "jsonl"])
            .ok()
            .to_string();
        assert_eq!(log.lines().count() as u64, EVENTS);

        // An append: a version-1 event after the 806adaa ones.
        let out = env
            .run_at(
                LATER,
                &[
                    "--ledger",
                    l,
                    "rate",
                    "1",
                    "H27上半期",
                    "S",
                    "-a",
                    "検証",
                    "-m",
                    "互換性の確認",
                ],
            )
            .ok()
            .to_string();
        assert!(out.starts_with("recorded #375:"), "{out}");
        let (events, head, root) = verified(&env, &ledger);
        assert_eq!(events, EVENTS + 1);
        // It is a version 1 event (its JSON has no `version`, as every version 1 event's), with a
        // version 1 event's bytes: the item a number.
        let log = env
            .run_at(LATER, &["--ledger", l, "log", "--format", "jsonl"])
            .ok()
            .to_string();
        let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
        assert!(last.get("version").is_none(), "{last}");
        assert_eq!(
            (&last["change"]["item"], last["change"].get("item_id")),
            (&serde_json::Value::from(1), None),
            "{last}"
        );
        // What only version 2 can hold is refused on a version 1 ledger, saying why, and changes
        // nothing.
        for (args, why) in [
            (
                vec![
                    "item",
                    "add",
                    "R1-1",
                    "新規",
                    "--department",
                    "d",
                    "--category",
                    "c",
                ],
                "not a number, and a ledger of event schema version 1 numbers its items",
            ),
            (
                vec!["item", "exclude", "1", "H27上半期"],
                "needs event schema version 2, and this ledger is of version 1",
            ),
            (
                vec!["heading", "rename", "地域協働の推進", "協働"],
                "needs event schema version 2",
            ),
        ] {
            let mut all = vec!["--ledger", l];
            all.extend(args);
            all.extend(["-a", "検証", "-m", "互換性の確認"]);
            let run = env.run_at(LATER, &all);
            let e = run.fails(1);
            assert!(e.contains(why), "{e}");
        }
        assert_eq!(verified(&env, &ledger).0, EVENTS + 1);
        assert_ne!((head.as_str(), root.as_str()), (HEAD, ROOT));

        // A signed checkpoint consistent with the one 806adaa recorded in the ledger.
        let key = env.dir.path().join("plan.key");
        std::fs::copy(fixture().join("plan.key"), &key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let new_cp = env.dir.path().join("checkpoint.txt");
        env.run_at(
            LATER,
            &[
                "--ledger",
                l,
                "checkpoint",
                "--key",
                key.to_str().unwrap(),
                "--output",
                new_cp.to_str().unwrap(),
            ],
        )
        .ok();

        // The export holds 806adaa's events byte for byte, then the new one, in schema version 1.
        let export = env.dir.path().join("export.jsonl");
        env.run_at(
            LATER,
            &[
                "--ledger",
                l,
                "export",
                "--output",
                export.to_str().unwrap(),
            ],
        )
        .ok();
        let new = export_lines(&export);
        let old = export_lines(&fixture().join("export.jsonl"));
        assert_eq!((old.len() as u64, new.len() as u64), (EVENTS, EVENTS + 1));
        for (o, n) in old.iter().zip(&new) {
            assert_eq!(
                (&o["bytes"], &o["hash"]),
                (&n["bytes"], &n["hash"]),
                "seq {}",
                o["seq"]
            );
        }
        let last = new.last().unwrap();
        assert_eq!(last["hash"].as_str(), Some(head.as_str()));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(last["bytes"].as_str().unwrap())
            .unwrap();
        // FORMAT.md section 2: the event's first field, `version`, a u16 little-endian.
        assert_eq!(u16::from_le_bytes([bytes[0], bytes[1]]), 1);
        assert_eq!(bytes[2..10], (EVENTS).to_le_bytes(), "seq");

        let out = verify_export(&env, &export, &new_cp);
        assert!(out.contains(&head) && out.contains(&root), "{out}");
        // The old checkpoint still holds for the grown ledger.
        env.run_at(
            LATER,
            &[
                "--ledger",
                l,
                "verify",
                "--checkpoint",
                cp.to_str().unwrap(),
                "--vkey",
                &vkey(),
            ],
        )
        .ok();
    });
}

/// `hyoka verify --export EXPORT --checkpoint CP` with the fixture's key: its standard output.
fn verify_export(env: &Env, export: &std::path::Path, cp: &std::path::Path) -> String {
    env.run_at(
        LATER,
        &[
            "verify",
            "--export",
            export.to_str().unwrap(),
            "--checkpoint",
            cp.to_str().unwrap(),
            "--vkey",
            &vkey(),
        ],
    )
    .ok()
    .to_string()
}

#[test]
fn the_806adaa_export_verifies_and_restores_to_the_recorded_head_and_root() {
    leaving_the_fixture_unchanged(|| {
        let env = Env::new();
        let export = fixture().join("export.jsonl");
        let cp = fixture().join("checkpoint.txt");
        let out = verify_export(&env, &export, &cp);
        assert!(out.contains(HEAD) && out.contains(ROOT), "{out}");

        let restored = env.dir.path().join("restored");
        env.run_at(
            LATER,
            &[
                "restore",
                export.to_str().unwrap(),
                "--checkpoint",
                cp.to_str().unwrap(),
                "--vkey",
                &vkey(),
                "--ledger",
                restored.to_str().unwrap(),
            ],
        )
        .ok();
        assert_eq!(
            verified(&env, &restored),
            (EVENTS, HEAD.into(), ROOT.into())
        );
        // The earlier checkpoint (358 events) is consistent with the restored ledger.
        let cp1 = fixture().join("checkpoint-1.txt");
        env.run_at(
            LATER,
            &[
                "--ledger",
                restored.to_str().unwrap(),
                "verify",
                "--checkpoint",
                cp1.to_str().unwrap(),
                "--vkey",
                &vkey(),
            ],
        )
        .ok();
    });
}
