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

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Puts a copy of `from` in place of `env`'s ledger.
fn swap_ledger(env: &Env, from: &std::path::Path) {
    std::fs::remove_dir_all(env.ledger()).unwrap();
    copy_dir(from, &env.ledger());
}

fn remarks(env: &Env, words: &[&str]) {
    for (i, w) in words.iter().enumerate() {
        let item = (i + 1).to_string();
        env.run(&[
            "remark",
            &item,
            w,
            "--period",
            "H27上半期",
            "-a",
            "鈴木",
            "-m",
            "追記",
        ])
        .ok();
    }
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[track_caller]
fn refused(env: &Env, args: &[&str], bk: &std::path::Path, said: &[&str]) {
    let before = files(bk);
    let run = env.run(args);
    let err = run.fails(3).to_string();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    for s in said {
        assert!(err.contains(s), "{s:?} not in {err}");
    }
    assert!(
        err.contains("so the old backup is left untouched; "),
        "{err}"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        files(bk),
        before,
        "the old backup is byte for byte as it was"
    );
}

/// `backup DIR` over an existing backup replaced it with a shorter ledger (361 → 358 events, exit 0).
/// A backup is now written over an old one only if the ledger extends it (same origin, at least as many
/// events, the same tree at the old size, checked against the old checkpoint.txt); otherwise exit 3 in
/// one line naming both sizes, and the old backup stays as it was, byte for byte.
#[test]
fn backup_over_an_existing_backup_never_replaces_it_with_a_shorter_ledger() {
    let env = Env::new();
    let seed = seed();
    env.run(&[
        "import",
        seed.to_str().unwrap(),
        "-a",
        "山田",
        "--origin",
        "city.example/plan",
    ])
    .ok();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    let root = env.dir.path();
    let older = root.join("older");
    copy_dir(&env.ledger(), &older);
    remarks(&env, &["一", "二", "三"]);
    let good = root.join("good");
    copy_dir(&env.ledger(), &good);
    let bk = root.join("bk");
    let out = env.run(&["backup", "bk"]).ok().to_string();
    assert!(
        out.starts_with("backup of 361 events written to bk"),
        "{out}"
    );

    // An older copy of the ledger in its place: 358 events.
    swap_ledger(&env, &older);
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &[
            "the backup in bk holds 361 events but this ledger has 358",
            "hyoka restore bk/ledger.jsonl --checkpoint bk/checkpoint.txt",
        ],
    );
    // With --key too, and nothing is signed.
    refused(
        &env,
        &["backup", "bk", "--key", "plan.key"],
        &bk,
        &["holds 361 events but this ledger has 358"],
    );
    assert!(!env.ledger().join("CHECKPOINT").exists());

    // A rewritten history of the same size, or longer: the first 361 events differ.
    remarks(&env, &["壱", "弐", "参"]);
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &[
            "holds 361 events and this ledger has 361, but this ledger's first 361 events are not the backup's",
        ],
    );
    remarks(&env, &["肆"]);
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &["holds 361 events and this ledger has 362"],
    );

    // Another ledger.
    let other = Env::new();
    other.with_items();
    swap_ledger(&env, &other.ledger());
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &[
            "is of another ledger (origin city.example/plan, 361 events; this ledger's origin is city.example/plan-2, 4 events)",
        ],
    );

    // The real ledger, grown: the backup is replaced, and says what it extends.
    swap_ledger(&env, &good);
    remarks(&env, &["四", "五"]);
    let damaged = std::fs::read(bk.join("checkpoint.txt")).unwrap();
    // A damaged checkpoint.txt, or none beside ledger.jsonl: the old backup cannot be checked.
    std::fs::write(bk.join("checkpoint.txt"), "not a checkpoint\n").unwrap();
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &["the backup in bk cannot be checked: its checkpoint.txt is damaged"],
    );
    std::fs::remove_file(bk.join("checkpoint.txt")).unwrap();
    refused(
        &env,
        &["backup", "bk"],
        &bk,
        &["cannot be checked: it has ledger.jsonl but no checkpoint.txt"],
    );
    std::fs::write(bk.join("checkpoint.txt"), &damaged).unwrap();
    let out = env
        .run(&["backup", "bk", "--key", "plan.key"])
        .ok()
        .to_string();
    assert!(
        out.starts_with("backup of 363 events written to bk"),
        "{out}"
    );
    assert!(
        out.contains("it extends the backup it replaced (361 events)"),
        "{out}"
    );

    // A signed old backup is checked with the --key's verifier: another key of the same name, or an
    // altered signature, is refused; without --key it is compared as a checkpoint.
    env.run(&[
        "key",
        "generate",
        "--name",
        "city.example/plan",
        "-o",
        "other.key",
    ])
    .ok();
    refused(
        &env,
        &["backup", "bk", "--key", "other.key"],
        &bk,
        &["has a checkpoint.txt signed, but not by the key of --key"],
    );
    let signed = std::fs::read_to_string(bk.join("checkpoint.txt")).unwrap();
    let sig_at = signed.rfind(' ').unwrap() + 20; // past the key id
    let mut forged = signed.clone().into_bytes();
    forged[sig_at] = if forged[sig_at] == b'A' { b'B' } else { b'A' };
    std::fs::write(bk.join("checkpoint.txt"), &forged).unwrap();
    refused(
        &env,
        &["backup", "bk", "--key", "plan.key"],
        &bk,
        &["has a checkpoint.txt that fails its check: bad checkpoint signature"],
    );
    std::fs::write(bk.join("checkpoint.txt"), &signed).unwrap();
    remarks(&env, &["六"]);
    let out = env.run(&["backup", "bk"]).ok().to_string();
    assert!(
        out.contains("it extends the backup it replaced (363 events)"),
        "{out}"
    );
}
