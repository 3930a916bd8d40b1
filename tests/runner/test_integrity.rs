//! Nothing acknowledged is lost silently or called intact when lost; readers never write; nothing
//! outside the ledger directory is touched through a link (the integrity issue's failures, one test each).

use std::path::Path;

use crate::common::{Env, Run};

/// The fixture imported, then one correction (`recorded #358`) that lives in the journal only.
fn seed_and_one_correction() -> Env {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    let out = env
        .run(&["rate", "12", "H27上半期", "A", "-a", "鈴木", "-m", "訂正"])
        .ok()
        .to_string();
    assert!(out.contains("recorded #358"), "{out}");
    env
}

fn journal(env: &Env) -> std::path::PathBuf {
    env.ledger().join("JOURNAL")
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

/// Where the journal's second record starts (after its 44-byte header and the first record).
fn second_record(bytes: &[u8]) -> usize {
    let magic = b"hyj1";
    (45..bytes.len())
        .find(|&i| bytes[i..].starts_with(magic))
        .expect("a second record")
}

#[test]
fn a_lost_journal_is_an_integrity_failure_never_intact() {
    let env = seed_and_one_correction();
    let path = journal(&env);
    let good = std::fs::read(&path).unwrap();
    // verify vouches for what the directory records outside the journal, and says what is beyond.
    let run = env.run(&["verify", "--format", "json"]);
    let v = json(&run);
    assert_eq!(
        (&v["events"], &v["vouched_through"], &v["journal_only"]),
        (&359.into(), &357.into(), &1.into()),
        "{v}"
    );
    // Removed, then emptied: exit 3, one line naming what is missing; nothing is recreated.
    std::fs::remove_file(&path).unwrap();
    for args in [
        &["verify"][..],
        &["table"],
        &["rate", "13", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"],
    ] {
        let err = env.run(args).fails(3).to_string();
        assert!(
            err.contains("acknowledged events are lost") && err.contains("JOURNAL is missing"),
            "{args:?}: {err}"
        );
        assert!(err.contains("after #357"), "{err}");
        assert!(!path.exists(), "{args:?} created the journal again");
    }
    std::fs::write(&path, b"").unwrap();
    let run = env.run(&["verify", "--format", "json"]);
    assert!(run.fails(3).contains("JOURNAL is empty"));
    assert_eq!(json(&run)["error"]["kind"], "journal_lost");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"",
        "verify changed the evidence"
    );
    std::fs::write(&path, &good).unwrap();
    env.run(&["verify"]).ok();
}

#[test]
fn a_journal_cut_at_a_record_boundary_is_caught_by_an_anchor() {
    let env = seed_and_one_correction();
    env.run(&["anchor", "on"]).ok();
    env.run(&["rate", "13", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"])
        .ok();
    let out = env.run(&["verify"]).ok().to_string();
    assert!(
        out.starts_with("ok: verified #0..#359 (360 events, vouched for by the anchor record)"),
        "{out}"
    );
    let path = journal(&env);
    let bytes = std::fs::read(&path).unwrap();
    // The journal holds #358 and #359. Cut it where #359's record starts: a consistent, shorter
    // history, which only the anchor tells from one that never had #359.
    let cut = second_record(&bytes);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut as u64)
        .unwrap();
    let run = env.run(&["verify", "--format", "json"]);
    let err = run.fails(3).to_string();
    assert!(
        err.contains("events #359 are missing: the anchor record records 360 events"),
        "{err}"
    );
    assert_eq!(json(&run)["error"]["kind"], "anchored_events_missing");
    // Writers refuse too: nothing is appended after a lost anchored event.
    env.run(&["rate", "14", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"])
        .fails(3);
}

#[test]
fn a_log_key_anchors_every_change_with_a_signed_record() {
    let env = seed_and_one_correction();
    // The default place of the private key: beside the ledger directory.
    env.run(&["key", "generate", "--output", "ledger.log-key"])
        .ok();
    // Never inside the ledger directory.
    std::fs::copy(
        env.dir.path().join("ledger.log-key"),
        env.ledger().join("copied.key"),
    )
    .unwrap();
    let err = env
        .run(&["key", "use", "ledger/copied.key"])
        .fails(1)
        .to_string();
    assert!(err.contains("inside the ledger directory"), "{err}");
    std::fs::remove_file(env.ledger().join("copied.key")).unwrap();
    let out = env.run(&["key", "use", "ledger.log-key"]).ok().to_string();
    assert!(out.contains("is now this ledger's log key"), "{out}");
    let vkey = std::fs::read_to_string(env.ledger().join("LOGKEY")).unwrap();
    assert!(
        vkey.starts_with("local/kodaira-followup-h26-h27+"),
        "{vkey}"
    );
    assert!(
        !std::fs::read_to_string(env.ledger().join("LOGKEY"))
            .unwrap()
            .contains("PRIVATE"),
        "the private key is never kept in the ledger directory"
    );
    env.run(&["rate", "13", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"])
        .ok();
    // Every change is anchored: a signed anchor record, one write and one sync per change.
    let anchor = std::fs::read(env.ledger().join("ANCHOR")).unwrap();
    assert_eq!(anchor.len(), 4096 + 160);
    let v = json(&env.run(&["verify", "--format", "json"]));
    assert_eq!(v["vouched_by"], "signed_anchor", "{v}");
    assert_eq!(v["vouched_through"], 359);
    // The anchor record is required from the first one on: its loss is exit 3.
    let anchor_path = env.ledger().join("ANCHOR");
    std::fs::rename(&anchor_path, env.dir.path().join("ANCHOR.away")).unwrap();
    let run = env.run(&["verify", "--format", "json"]);
    assert!(
        run.fails(3)
            .contains("ANCHOR file) is damaged: it is missing"),
        "{run:?}"
    );
    assert_eq!(json(&run)["error"]["kind"], "anchor_record_damaged");
    std::fs::rename(env.dir.path().join("ANCHOR.away"), &anchor_path).unwrap();
    // The journal cut at a record boundary: the signed anchor names the loss.
    let path = journal(&env);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(second_record(&bytes) as u64)
        .unwrap();
    let err = env.run(&["verify"]).fails(3).to_string();
    assert!(
        err.contains(
            "the anchor record signed with the log key records 360 events, but the ledger holds 359"
        ),
        "{err}"
    );
}

#[test]
fn commands_that_only_read_never_write_in_the_ledger_directory() {
    let env = seed_and_one_correction();
    let path = journal(&env);
    let good = std::fs::read(&path).unwrap();
    // What a power cut during the next append leaves: half a record after the last whole one.
    let end = good.iter().rposition(|&b| b != 0).unwrap() + 1;
    let mut torn = good.clone();
    let half = &good[44..end][..40];
    torn[end..end + half.len()].copy_from_slice(half);
    std::fs::write(&path, &torn).unwrap();
    let listing = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names = listing(&env.ledger());
    let head = std::fs::read(env.ledger().join("HEAD")).unwrap();
    let seed = crate::common::seed_v2();
    let dry_run = [
        "import",
        seed.to_str().unwrap(),
        "-a",
        "山田",
        "--dry-run",
        "--prefer-file",
    ];
    for args in [
        &dry_run[..],
        &["verify"][..],
        &["verify", "--format", "json"],
        &["table"],
        &["log"],
        &["summary"],
        &["history", "12"],
        &["blame"],
        &["export", "--output", "x.jsonl"],
        &["checkpoint"],
    ] {
        let run = env.run(args);
        run.ok();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            torn,
            "{args:?} changed JOURNAL"
        );
        assert_eq!(std::fs::read(env.ledger().join("HEAD")).unwrap(), head);
        assert_eq!(listing(&env.ledger()), names, "{args:?}");
        if !["export", "checkpoint", "import"].contains(&args[0]) {
            assert!(
                run.stderr.contains("unfinished record") || run.stdout.contains("unfinished"),
                "{args:?}: {run:?}"
            );
        }
    }
    // The next writer keeps the bytes it cuts, durably, beside the journal, and says so.
    let run = env.run(&["rate", "13", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"]);
    run.ok();
    assert!(run.stderr.contains("were kept in"), "{}", run.stderr);
    let kept: Vec<String> = listing(&env.ledger())
        .into_iter()
        .filter(|n| n.starts_with("JOURNAL.cut-359-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        std::fs::read(env.ledger().join(&kept[0])).unwrap(),
        &torn[end..],
        "the cut bytes are kept exactly"
    );
    assert!(kept[0].ends_with('Z'), "{kept:?}");
    env.run(&["verify"]).ok();
}

#[test]
fn symlinks_in_the_ledger_directory_are_never_followed() {
    let env = seed_and_one_correction();
    let outside = env.dir.path().join("precious");
    std::fs::write(&outside, b"precious").unwrap();
    let ledger = env.ledger();
    let link = |name: &str, to: &Path| {
        let p = ledger.join(name);
        let _ = std::fs::remove_file(&p);
        std::os::unix::fs::symlink(to, p).unwrap();
    };
    // Links named like the temporary files of earlier versions: never opened now.
    link("HEAD.tmp", &outside);
    link("CHECKPOINT.tmp", &outside);
    env.run(&["anchor", "on"]).ok();
    env.run(&["rate", "13", "H27上半期", "B", "-a", "鈴木", "-m", "訂正"])
        .ok();
    env.run(&["key", "generate", "--output", "k.key"]).ok();
    env.run(&["checkpoint", "--key", "k.key"]).ok();
    assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
    // A dangling LOCK link: refused, and nothing is created where it points.
    let nowhere = env.dir.path().join("nowhere");
    std::fs::rename(ledger.join("LOCK"), env.dir.path().join("LOCK.real")).unwrap();
    link("LOCK", &nowhere);
    let err = env.run(&["verify"]).fails(1).to_string();
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!nowhere.exists(), "a file was created through the link");
    std::fs::remove_file(ledger.join("LOCK")).unwrap();
    std::fs::rename(env.dir.path().join("LOCK.real"), ledger.join("LOCK")).unwrap();
    // JOURNAL a link to a copy of a binary: never cut, never read as the journal.
    let binary = env.dir.path().join("binary");
    std::fs::copy(std::env::current_exe().unwrap(), &binary).unwrap();
    let size = std::fs::metadata(&binary).unwrap().len();
    std::fs::rename(ledger.join("JOURNAL"), env.dir.path().join("JOURNAL.real")).unwrap();
    link("JOURNAL", &binary);
    for args in [
        &["verify"][..],
        &["rate", "14", "H27上半期", "B", "-a", "a", "-m", "m"],
    ] {
        let err = env.run(args).fails(1).to_string();
        assert!(err.contains("symbolic link"), "{args:?}: {err}");
        assert_eq!(std::fs::metadata(&binary).unwrap().len(), size);
    }
    // HEAD, CHECKPOINT and the store's files as links: refused.
    std::fs::remove_file(ledger.join("JOURNAL")).unwrap();
    std::fs::rename(env.dir.path().join("JOURNAL.real"), ledger.join("JOURNAL")).unwrap();
    env.run(&["verify"]).ok();
    let head = std::fs::read(ledger.join("HEAD")).unwrap();
    std::fs::write(env.dir.path().join("HEAD.copy"), &head).unwrap();
    link("HEAD", &env.dir.path().join("HEAD.copy"));
    assert!(env.run(&["verify"]).fails(1).contains("symbolic link"));
    std::fs::remove_file(ledger.join("HEAD")).unwrap();
    std::fs::write(ledger.join("HEAD"), &head).unwrap();
    let conf = ledger.join("store/conf");
    std::fs::rename(&conf, env.dir.path().join("conf")).unwrap();
    std::os::unix::fs::symlink(env.dir.path().join("conf"), &conf).unwrap();
    assert!(env.run(&["table"]).fails(1).contains("symbolic link"));
    assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
}

#[test]
fn a_forged_checkpoint_is_reported_ignored_and_moved_aside() {
    let env = seed_and_one_correction();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    env.run(&["checkpoint", "--key", "plan.key"]).ok();
    // A forged CHECKPOINT: another size and root, the signature line kept.
    let cp_path = env.ledger().join("CHECKPOINT");
    let cp = std::fs::read_to_string(&cp_path).unwrap();
    let forged = cp.replacen("\n359\n", "\n400\n", 1);
    assert_ne!(forged, cp);
    std::fs::write(&cp_path, &forged).unwrap();
    let run = env.run(&["verify", "--format", "json"]);
    let v = json(&run);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(v["kept_checkpoint"]["signature"], "failed", "{v}");
    assert_eq!(v["last_signed_checkpoint"], serde_json::Value::Null);
    let out = env.run(&["verify"]).ok().to_string();
    assert!(out.contains("is ignored"), "{out}");
    // The next signing moves it aside (kept as evidence) and signs.
    let run = env.run(&["checkpoint", "--key", "plan.key"]);
    run.ok();
    assert!(run.stderr.contains("moved aside"), "{}", run.stderr);
    let aside: Vec<_> = std::fs::read_dir(env.ledger())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("CHECKPOINT.bad-"))
        .collect();
    assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), forged);
    let v = json(&env.run(&["verify", "--format", "json"]));
    assert_eq!(v["kept_checkpoint"]["signature"], "verified", "{v}");
}

#[test]
fn a_restore_checked_against_a_signed_checkpoint_takes_its_key_as_the_log_key() {
    let env = seed_and_one_correction();
    let vkey = env
        .run(&["key", "generate", "--output", "plan.key"])
        .ok()
        .trim()
        .to_string();
    env.run(&["checkpoint", "--key", "plan.key", "--output", "cp.txt"])
        .ok();
    env.run(&["export", "--output", "ledger.jsonl"]).ok();
    let restored = env.dir.path().join("restored");
    env.run(&[
        "--ledger",
        restored.to_str().unwrap(),
        "restore",
        "ledger.jsonl",
        "--checkpoint",
        "cp.txt",
        "--vkey",
        &vkey,
    ])
    .ok();
    assert_eq!(
        std::fs::read_to_string(restored.join("LOGKEY"))
            .unwrap()
            .trim(),
        vkey
    );
    let v = json(&env.run(&[
        "--ledger",
        restored.to_str().unwrap(),
        "verify",
        "--format",
        "json",
    ]));
    // The restored store holds every event itself; the checkpoint is its anchor too.
    assert_eq!(v["vouched_through"], 358, "{v}");
    assert_eq!(v["kept_checkpoint"]["signature"], "verified");
}

#[test]
fn a_damaged_log_key_is_reported_by_verify_and_can_be_set_again() {
    let env = seed_and_one_correction();
    env.run(&["key", "generate", "--output", "ledger.log-key"])
        .ok();
    env.run(&["key", "use", "ledger.log-key"]).ok();
    let logkey = env.ledger().join("LOGKEY");
    let good = std::fs::read(&logkey).unwrap();
    std::fs::write(&logkey, b"garbage\n").unwrap();
    // verify reports it (exit 3); the events are intact, so the other commands still work.
    let run = env.run(&["verify", "--format", "json"]);
    run.fails(3);
    assert_eq!(json(&run)["error"]["kind"], "log_key_damaged");
    env.run(&["table"]).ok();
    // Setting the log key again moves the damaged file aside (kept) and writes the key.
    let out = env.run(&["key", "use", "ledger.log-key"]).ok().to_string();
    assert!(out.contains("is now this ledger's log key"), "{out}");
    assert_eq!(std::fs::read(&logkey).unwrap(), good);
    assert_eq!(
        std::fs::read(env.ledger().join("LOGKEY.damaged")).unwrap(),
        b"garbage\n"
    );
    env.run(&["verify"]).ok();
}
