//! Keys, checkpoints and `verify --checkpoint` (issue: checkpoints and consistency).

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::common::{Env, Run};

const ORIGIN: &str = "city.example/plan-2";

/// A ledger of `origin`: the plan, item 1 (3 events), then one rating of item 1 per grade, one period
/// after another. Two environments given the same arguments hold byte-identical events (fixed clock).
fn history(origin: &str, grades: &[&str]) -> Env {
    let env = Env::new();
    env.run(&["init", "--plan", "第2次行財政改革", "--origin", origin])
        .ok();
    env.run(&[
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
    for (i, g) in grades.iter().enumerate() {
        let period = format!("FY{}-{}", 2014 + i / 2, ["H1", "YE"][i % 2]);
        env.run(&["rate", "1", &period, g, "-a", "山田", "-m", "評価"])
            .ok();
    }
    env
}

/// Path of a file in the environment's directory, as an argument.
fn path(env: &Env, name: &str) -> String {
    env.dir.path().join(name).to_string_lossy().into_owned()
}

/// Generates `plan.key` in `env` and returns the verifier key text.
fn keygen(env: &Env) -> String {
    env.run(&["key", "generate", "--output", "plan.key"])
        .ok()
        .trim()
        .to_string()
}

/// Signs a checkpoint of `env` with `key` (a path) and returns it.
fn sign(env: &Env, key: &str) -> String {
    env.run(&["checkpoint", "--key", key]).ok().to_string()
}

/// Writes `text` as `name` in `env`'s directory and returns its path.
fn put(env: &Env, name: &str, text: &str) -> String {
    std::fs::write(env.dir.path().join(name), text).unwrap();
    path(env, name)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

fn checkpoint_file(env: &Env) -> PathBuf {
    env.ledger().join("CHECKPOINT")
}

#[test]
fn key_generate_writes_the_private_key_once_and_prints_the_verifier_key() {
    let env = history(ORIGIN, &[]);
    let run = env.run(&["key", "generate", "--output", "plan.key"]);
    let vkey = run.ok().trim().to_string();
    assert!(vkey.starts_with(&format!("{ORIGIN}+")), "{vkey}");
    let verifier = hyoka::tlog::note::VerifierKey::parse(&vkey).unwrap();
    assert_eq!(verifier.name(), ORIGIN);
    assert!(run.stderr.contains("keep it secret"), "{}", run.stderr);
    let file = env.dir.path().join("plan.key");
    let skey = std::fs::read_to_string(&file).unwrap();
    assert!(
        skey.starts_with(&format!(
            "PRIVATE+KEY+{ORIGIN}+{}+",
            &vkey[ORIGIN.len() + 1..][..8]
        )),
        "{skey}"
    );
    assert!(
        !run.stdout.contains("PRIVATE"),
        "the private key is never printed"
    );
    let signer = hyoka::tlog::note::SignerKey::parse(skey.trim_end()).unwrap();
    assert_eq!(signer.verifier(), verifier);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwritten.
    let err = env
        .run(&["key", "generate", "--output", "plan.key"])
        .fails(1)
        .to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), skey);
    // A name other than the origin is allowed with a warning; a bad name is refused.
    let run = env.run(&["key", "generate", "--name", "other.example", "-o", "o.key"]);
    assert!(run.ok().starts_with("other.example+"), "{run:?}");
    assert!(run.stderr.contains("not the ledger's origin"), "{run:?}");
    env.run(&["key", "generate", "--name", "a b", "-o", "bad.key"])
        .fails(1);
    assert!(!env.dir.path().join("bad.key").exists());
    // Without a ledger, the name must be given.
    let bare = Env::new();
    let err = bare
        .run(&["key", "generate", "-o", "k"])
        .fails(1)
        .to_string();
    assert!(err.contains("--name"), "{err}");
    assert!(
        bare.run(&["key", "generate", "--name", "x.example/log", "-o", "k"])
            .ok()
            .starts_with("x.example/log+")
    );
}

#[test]
fn an_unsigned_checkpoint_is_the_plain_checkpoint_text() {
    let env = history(ORIGIN, &["A", "B"]);
    let run = env.run(&["checkpoint"]);
    let lines: Vec<&str> = run.ok().lines().collect();
    assert_eq!(lines.len(), 3, "{run:?}");
    assert_eq!((lines[0], lines[1]), (ORIGIN, "5"));
    let verify = json(&env.run(&["verify", "--format", "json"]));
    let root = STANDARD.decode(lines[2]).unwrap();
    assert_eq!(hex::encode(root), verify["root"].as_str().unwrap());
    assert!(run.stderr.contains("unsigned"), "{}", run.stderr);
    assert!(run.stderr.contains("authenticity"), "{}", run.stderr);
    assert!(
        !checkpoint_file(&env).exists(),
        "only signed checkpoints are recorded"
    );
    // It checks consistency, but no signature.
    let cp = put(&env, "cp.txt", &run.stdout);
    let out = env.run(&["verify", "--checkpoint", &cp]).ok().to_string();
    assert!(out.contains("checkpoint: consistent"), "{out}");
    assert!(out.contains("signature: not checked"), "{out}");
    assert!(out.contains("0 events appended since"), "{out}");
}

#[test]
fn a_signed_checkpoint_verifies_and_later_appends_stay_consistent() {
    let env = history(ORIGIN, &["A", "B"]);
    let vkey = keygen(&env);
    let signed = sign(&env, "plan.key");
    assert!(signed.starts_with(&format!("{ORIGIN}\n5\n")), "{signed}");
    assert!(
        signed.contains(&format!("\n\n— {ORIGIN} ")),
        "a C2SP signed note: {signed}"
    );
    assert_eq!(
        std::fs::read_to_string(checkpoint_file(&env)).unwrap(),
        signed
    );
    let cp = put(&env, "cp.txt", &signed);
    let vkey_file = put(&env, "plan.vkey", &format!("{vkey}\n"));
    env.run(&["item", "withdraw", "1", "-a", "山田", "-m", "計画から削除"])
        .ok();
    for key in [&vkey, &vkey_file] {
        let out = env
            .run(&["verify", "--checkpoint", &cp, "--vkey", key])
            .ok()
            .to_string();
        assert!(out.starts_with("ok: verified #0..#"), "{out}");
        assert!(out.contains("extends the checkpoint of 5 events"), "{out}");
        assert!(out.contains("1 events appended since"), "{out}");
        assert!(out.contains("signature: verified"), "{out}");
    }
    let j = json(&env.run(&[
        "verify",
        "--checkpoint",
        &cp,
        "--format",
        "json",
        "--vkey",
        &vkey,
    ]));
    assert_eq!(j["ok"], true);
    assert_eq!(j["events"], 6);
    assert_eq!(j["checkpoint"]["size"], 5);
    assert_eq!(j["checkpoint"]["signature_checked"], true);
    assert_eq!(j["checkpoint"]["root"].as_str().unwrap().len(), 64);
    let j = json(&env.run(&["verify", "--checkpoint", &cp, "--format", "json"]));
    assert_eq!(j["checkpoint"]["signature_checked"], false);
    // The next signature extends the first; --output writes a file instead of stdout.
    let run = env.run(&["checkpoint", "--key", "plan.key", "--output", "cp2.txt"]);
    assert_eq!(run.ok(), "");
    assert!(
        run.stderr.contains("extends the previous one, of 5 events"),
        "{run:?}"
    );
    let second = std::fs::read_to_string(env.dir.path().join("cp2.txt")).unwrap();
    assert!(second.starts_with(&format!("{ORIGIN}\n6\n")), "{second}");
    assert_eq!(
        std::fs::read_to_string(checkpoint_file(&env)).unwrap(),
        second
    );
}

#[test]
fn a_rewritten_history_is_caught_by_an_older_checkpoint() {
    let a = history(ORIGIN, &["A", "B", "A"]);
    let vkey = keygen(&a);
    let cp_a = sign(&a, "plan.key");
    // The same first events, then event 4 says S instead of B: a history rewritten with every later
    // hash, the head record and the stored tree recomputed. It verifies on its own.
    for grades in [&["A", "S", "A"][..], &["A", "S", "A", "B"]] {
        let b = history(ORIGIN, grades);
        b.run(&["verify"]).ok();
        let cp = put(&b, "cp-a.txt", &cp_a);
        let run = b.run(&["verify", "--checkpoint", &cp, "--vkey", &vkey]);
        let err = run.fails(3).to_string();
        assert!(err.contains("checkpoint mismatch"), "{err}");
        assert!(err.contains("tree of 6 events has root"), "{err}");
        let j = json(&b.run(&["verify", "--checkpoint", &cp, "--format", "json"]));
        assert_eq!(j["ok"], false);
        assert_eq!(j["error"]["kind"], "checkpoint_root_mismatch");
    }
}

#[test]
fn a_checkpoint_of_another_ledger_is_refused() {
    let a = history("city.example/other-plan", &["A", "B", "A"]);
    let vkey = keygen(&a);
    let cp_a = sign(&a, "plan.key");
    let b = history(ORIGIN, &["A", "B", "A"]);
    let cp = put(&b, "cp.txt", &cp_a);
    for args in [
        vec!["verify", "--checkpoint", &cp],
        vec!["verify", "--checkpoint", &cp, "--vkey", &vkey],
    ] {
        let err = b.run(&args).fails(3).to_string();
        assert!(
            err.contains("the checkpoint is of another ledger: its origin is city.example/other-plan, this ledger's is city.example/plan-2"),
            "{err}"
        );
    }
    let j = json(&b.run(&["verify", "--checkpoint", &cp, "--format", "json"]));
    assert_eq!(j["error"]["kind"], "checkpoint_other_origin");
}

#[test]
fn a_wrong_key_or_a_forged_checkpoint_is_refused() {
    let env = history(ORIGIN, &["A", "B"]);
    let vkey = keygen(&env);
    let signed = sign(&env, "plan.key");
    let cp = put(&env, "cp.txt", &signed);
    // Another key of the same name: no signature by it.
    let other = env
        .run(&["key", "generate", "-o", "other.key"])
        .ok()
        .trim()
        .to_string();
    let err = env
        .run(&["verify", "--checkpoint", &cp, "--vkey", &other])
        .fails(3)
        .to_string();
    assert!(err.contains("no signature by the key"), "{err}");
    assert!(err.contains("does not vouch for this ledger"), "{err}");
    // The right key, but the body changed under the signature.
    let forged = put(&env, "forged.txt", &signed.replacen("\n5\n", "\n4\n", 1));
    let run = env.run(&["verify", "--checkpoint", &forged, "--vkey", &vkey]);
    assert!(run.fails(3).contains("bad checkpoint signature"), "{run:?}");
    let j = json(&env.run(&[
        "verify",
        "--checkpoint",
        &forged,
        "--vkey",
        &vkey,
        "--format",
        "json",
    ]));
    assert_eq!(j["error"]["kind"], "checkpoint_bad_signature");
    // An unsigned checkpoint has no signature by the key.
    let (body, _) = signed.split_once("\n\n").unwrap();
    let bare = put(&env, "bare.txt", &format!("{body}\n"));
    let err = env
        .run(&["verify", "--checkpoint", &bare, "--vkey", &vkey])
        .fails(3)
        .to_string();
    assert!(err.contains("no signature by the key"), "{err}");
    // A malformed verifier key is an input error.
    for bad in ["nonsense", "city.example/plan-2+00000000+AAAA"] {
        let err = env
            .run(&["verify", "--checkpoint", &cp, "--vkey", bad])
            .fails(1)
            .to_string();
        assert!(err.contains("--vkey"), "{err}");
    }
}

#[test]
fn a_truncated_ledger_is_shorter_than_the_checkpoint() {
    let a = history(ORIGIN, &["A", "B", "A"]);
    keygen(&a);
    let cp_a = sign(&a, "plan.key");
    let b = history(ORIGIN, &["A", "B"]);
    let cp = put(&b, "cp.txt", &cp_a);
    let err = b.run(&["verify", "--checkpoint", &cp]).fails(3).to_string();
    assert!(
        err.contains("the ledger is shorter than the checkpoint: it holds 5 events but the checkpoint covers 6"),
        "{err}"
    );
    let j = json(&b.run(&["verify", "--checkpoint", &cp, "--format", "json"]));
    assert_eq!(j["error"]["kind"], "ledger_shorter_than_checkpoint");
    assert_eq!(j["error"]["seq"], 5);
}

#[test]
fn signed_notes_with_extra_or_malformed_lines() {
    let env = history(ORIGIN, &["A", "B"]);
    let vkey = keygen(&env);
    let signed = sign(&env, "plan.key");
    let (body, sigs) = signed.split_once("\n\n").unwrap();
    let body = format!("{body}\n");
    // A cosignature by an unknown key is ignored, before or after the log's.
    let witness = format!("— witness.example/w1 {}\n", STANDARD.encode([7u8; 68]));
    for text in [
        format!("{body}\n{sigs}{witness}"),
        format!("{body}\n{witness}{sigs}"),
    ] {
        let cp = put(&env, "cp.txt", &text);
        env.run(&["verify", "--checkpoint", &cp, "--vkey", &vkey])
            .ok();
    }
    // An extension line is ignored in an unsigned checkpoint; under a signature it breaks it.
    let cp = put(&env, "ext.txt", &format!("{body}extension line\n"));
    env.run(&["verify", "--checkpoint", &cp]).ok();
    let cp = put(&env, "ext.txt", &format!("{body}extension line\n\n{sigs}"));
    env.run(&["verify", "--checkpoint", &cp, "--vkey", &vkey])
        .fails(3);
    // Malformed notes are input errors (exit 1), named as such.
    let root = body.lines().nth(2).unwrap().to_string();
    for bad in [
        format!("{body}\n{}", sigs.replace("— ", "-- ")),
        format!("{body}\n{sigs}not a signature line\n"),
        format!("{body}\n{}", sigs.trim_end()),
        format!("{body}\n\n{sigs}"),
        format!("{body}\n"),
        format!("{ORIGIN}\n\n5\n{root}\n\n{sigs}"),
        format!("{ORIGIN}\n05\n{root}\n"),
        format!("{ORIGIN}\n5\n{}\n", &root[..40]),
        format!("{ORIGIN}\n5\n{root}\n\n— {ORIGIN} !!!\n"),
        format!("{ORIGIN}\n5\n{root}\u{7}\n"),
        String::new(),
    ] {
        let cp = put(&env, "bad.txt", &bad);
        let err = env
            .run(&["verify", "--checkpoint", &cp, "--vkey", &vkey])
            .fails(1)
            .to_string();
        assert!(err.contains("not a valid checkpoint"), "{bad:?}: {err}");
    }
    std::fs::write(env.dir.path().join("bin.txt"), [0xff, 0xfe, b'\n']).unwrap();
    env.run(&["verify", "--checkpoint", &path(&env, "bin.txt")])
        .fails(1);
    let huge = put(&env, "huge.txt", &"x".repeat(100_000));
    let err = env
        .run(&["verify", "--checkpoint", &huge])
        .fails(1)
        .to_string();
    assert!(err.contains("larger than"), "{err}");
    let err = env
        .run(&["verify", "--checkpoint", "missing.txt"])
        .fails(1)
        .to_string();
    assert!(err.contains("cannot read a checkpoint"), "{err}");
}

#[test]
fn signing_refuses_a_checkpoint_inconsistent_with_the_last_signed() {
    // Two ledgers of the same origin: B is a rewritten copy of A (or another export restored in its
    // place). A's last signed checkpoint is copied into B's directory.
    let a = history(ORIGIN, &["A", "B", "A"]);
    keygen(&a);
    let key = path(&a, "plan.key");
    sign(&a, &key);
    for grades in [&["A", "S", "A", "B"][..], &["A", "B"]] {
        let b = history(ORIGIN, grades);
        std::fs::copy(checkpoint_file(&a), checkpoint_file(&b)).unwrap();
        let before = std::fs::read(checkpoint_file(&b)).unwrap();
        let run = b.run(&["checkpoint", "--key", &key]);
        let err = run.fails(3).to_string();
        assert!(err.contains("refusing to sign"), "{err}");
        assert!(err.contains("not an append-only extension"), "{err}");
        assert!(
            err.contains("checkpoint mismatch") || err.contains("shorter than the checkpoint"),
            "{err}"
        );
        assert_eq!(run.stdout, "", "nothing signed is printed");
        assert_eq!(std::fs::read(checkpoint_file(&b)).unwrap(), before);
        // An unsigned checkpoint is still available: it vouches for nothing.
        b.run(&["checkpoint"]).ok();
    }
    // A damaged record of the last signed checkpoint proves nothing: it is moved aside (kept, never
    // deleted), and the next checkpoint is signed.
    std::fs::write(checkpoint_file(&a), "damaged\n").unwrap();
    let run = a.run(&["checkpoint", "--key", &key]);
    run.ok();
    assert!(run.stderr.contains("moved aside to"), "{}", run.stderr);
    let aside: Vec<_> = std::fs::read_dir(a.ledger())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("CHECKPOINT.bad-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read(a.ledger().join(&aside[0])).unwrap(),
        b"damaged\n"
    );
}

#[test]
fn checkpoint_refuses_a_key_of_another_name_and_a_damaged_ledger() {
    let env = history(ORIGIN, &["A", "B"]);
    env.run(&["key", "generate", "--name", "other.example", "-o", "o.key"])
        .ok();
    let err = env
        .run(&["checkpoint", "--key", "o.key"])
        .fails(1)
        .to_string();
    assert!(
        err.contains(
            "the key is named other.example but the ledger's origin is city.example/plan-2"
        ),
        "{err}"
    );
    assert!(!checkpoint_file(&env).exists());
    let vkey = keygen(&env);
    let err = env
        .run(&["checkpoint", "--key", &put(&env, "v.key", &vkey)])
        .fails(1)
        .to_string();
    assert!(
        err.contains("PRIVATE+KEY"),
        "a verifier key is not a signing key: {err}"
    );
    let err = env
        .run(&["checkpoint", "--key", "missing.key"])
        .fails(1)
        .to_string();
    assert!(err.contains("cannot read a private key"), "{err}");
    // The ledger is verified before anything is signed.
    {
        let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
        let mut forged = ledger.event_bytes(4).unwrap();
        let at = forged.len() - 2;
        forged[at] ^= b'A' ^ b'B';
        ledger
            .store_mut()
            .unwrap()
            .tamper_event(4, &forged)
            .unwrap();
    }
    let run = env.run(&["checkpoint", "--key", "plan.key"]);
    assert!(run.fails(3).contains("event 4: hash mismatch"), "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(!checkpoint_file(&env).exists());
}

#[test]
fn key_and_checkpoint_help_have_examples() {
    let env = Env::new();
    for args in [
        vec!["key", "generate", "--help"],
        vec!["checkpoint", "--help"],
        vec!["verify", "--help"],
    ] {
        let out = env.run(&args).ok().to_string();
        assert!(out.contains("Example"), "{args:?}: {out}");
    }
    let out = env.run(&["verify", "--help"]).ok().to_string();
    assert!(out.contains("--checkpoint"), "{out}");
    // Without --checkpoint, --vkey checks the last checkpoint the ledger signed; a bad key is named.
    let err = env.run(&["verify", "--vkey", "x"]).fails(1).to_string();
    assert!(err.contains("--vkey"), "{err}");
}

/// Plain `verify` also proves the ledger extends the last checkpoint it signed, kept beside it.
#[test]
fn plain_verify_checks_the_last_signed_checkpoint() {
    let env = Env::new();
    env.with_items();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    env.run(&["checkpoint", "--key", "plan.key"]).ok();
    env.run(&["rate", "1", "H26上半期", "A", "-a", "a", "-m", "m"])
        .ok();
    let out = env.run(&["verify"]).ok().to_string();
    assert!(
        out.contains("it extends the last checkpoint this ledger signed (4 events); signature verified with city"),
        "{out}"
    );
    assert!(out.contains("the ledger's log key"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(env.run(&["verify", "--format", "json"]).ok()).unwrap();
    assert_eq!(json["last_signed_checkpoint"], 4);
    // A CHECKPOINT file from a different history at the same origin is caught.
    let other = Env::new();
    other.with_items();
    other
        .run(&[
            "item",
            "add",
            "3",
            "別の項目",
            "--department",
            "d",
            "--category",
            "c",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
    other
        .run(&[
            "item",
            "add",
            "4",
            "別の項目",
            "--department",
            "d",
            "--category",
            "c",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
    other.run(&["key", "generate", "--output", "plan.key"]).ok();
    other.run(&["checkpoint", "--key", "plan.key"]).ok();
    std::fs::copy(
        other.ledger().join("CHECKPOINT"),
        env.ledger().join("CHECKPOINT"),
    )
    .unwrap();
    // Signed by another key than the ledger's log key, it proves nothing: reported and ignored (it
    // used to fail verify, a false integrity failure that also blocked signing).
    let out = env.run(&["verify"]).ok().to_string();
    assert!(
        out.contains("warning: the last signed checkpoint (CHECKPOINT) is ignored"),
        "{out}"
    );
    // The same file checked with its own key (--vkey) is another history: exit 3.
    let other_vkey = hyoka::tlog::note::SignerKey::parse(
        std::fs::read_to_string(other.dir.path().join("plan.key"))
            .unwrap()
            .trim(),
    )
    .unwrap()
    .verifier()
    .to_text();
    let err = env
        .run(&["verify", "--vkey", &other_vkey])
        .fails(3)
        .to_string();
    assert!(err.contains("checkpoint"), "{err}");
    // The next signing moves it aside and signs.
    let run = env.run(&["checkpoint", "--key", "plan.key"]);
    run.ok();
    assert!(run.stderr.contains("moved aside"), "{}", run.stderr);
    assert!(env.run(&["verify"]).ok().contains("signature verified"));
}

/// A private key given where the verifier key belongs is named as such, and nothing is checked with it.
#[test]
fn a_private_key_given_as_the_verifier_key_is_named() {
    let env = Env::new();
    env.with_items();
    env.run(&["key", "generate", "--output", "plan.key"]).ok();
    env.run(&["checkpoint", "--key", "plan.key", "--output", "cp.txt"])
        .ok();
    let err = env
        .run(&["verify", "--checkpoint", "cp.txt", "--vkey", "plan.key"])
        .fails(1)
        .to_string();
    assert!(err.contains("holds a private (signing) key"), "{err}");
}
