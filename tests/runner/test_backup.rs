//! The way back from a damaged store: `hyoka backup` writes a verified export with its checkpoint, and
//! `hyoka restore --checkpoint` rebuilds an identical ledger from it.

use crate::common::{Env, seed};

fn head_and_root(env: &Env, ledger: &str) -> (String, String) {
    let out = env
        .run(&["--ledger", ledger, "verify", "--format", "json"])
        .ok()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    (
        v["head_hash"].as_str().unwrap().into(),
        v["root"].as_str().unwrap().into(),
    )
}

#[test]
fn a_damaged_store_is_restored_from_a_backup() {
    let env = Env::new();
    env.run(&[
        "import",
        seed().to_str().unwrap(),
        "-a",
        "山田",
        "--origin",
        "city.example/plan",
    ])
    .ok();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    let vkey = env
        .run(&["key", "generate", "--output", "other.key"])
        .ok()
        .to_string();
    let ledger = env.ledger().to_str().unwrap().to_string();
    let before = head_and_root(&env, &ledger);
    let out = env
        .run(&["backup", "bk", "--key", "plan.key"])
        .ok()
        .to_string();
    assert!(
        out.starts_with("backup of 358 events written to bk and read back"),
        "{out}"
    );

    // Damage: one event rewritten in the store.
    {
        let mut l = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
        let mut bytes = l.event_bytes(200).unwrap();
        bytes[60] ^= 0x01;
        l.store_mut().unwrap().tamper_event(200, &bytes).unwrap();
    }
    let err = env.run(&["verify"]).fails(3).to_string();
    assert!(err.contains("event 200"), "{err}");
    // A damaged ledger never replaces a good backup.
    env.run(&["backup", "bk"]).fails(3);

    // The wrong key is refused and builds nothing.
    let restored = env.dir.path().join("restored");
    let r = restored.to_str().unwrap();
    env.run(&[
        "restore",
        "bk/ledger.jsonl",
        "--checkpoint",
        "bk/checkpoint.txt",
        "--vkey",
        vkey.trim(),
        "--ledger",
        r,
    ])
    .fails(3);
    assert!(!restored.exists());

    let out = env
        .run(&[
            "restore",
            "bk/ledger.jsonl",
            "--checkpoint",
            "bk/checkpoint.txt",
            "--ledger",
            r,
        ])
        .ok()
        .to_string();
    assert!(
        out.contains("recorded as the ledger's last signed checkpoint"),
        "{out}"
    );
    assert_eq!(head_and_root(&env, r), before, "identical hashes and root");
    // The restored ledger still refuses to sign anything inconsistent with the backup's checkpoint.
    assert!(restored.join("CHECKPOINT").exists());
}

#[test]
fn backup_help_has_an_example_and_a_missing_ledger_is_clear() {
    let env = Env::new();
    assert!(env.run(&["backup", "--help"]).ok().contains("Example"));
    let err = env.run(&["backup", "bk"]).fails(1).to_string();
    assert!(err.contains("no ledger at"), "{err}");
    assert!(!env.dir.path().join("bk").exists());
}
