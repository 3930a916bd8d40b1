//! Offline proofs, export, verify --export and restore (issue: verifiable history, part 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyoka::domain::event::{self, Change, Event, Hash};

use crate::common::{Env, Run};

const ORIGIN: &str = "city.example/plan-2";

/// A ledger of items 1 and 2 (4 events) and `n` ratings of item 1, one period after another.
fn history(n: usize) -> Env {
    let env = Env::new();
    env.with_items();
    for i in 0..n {
        let period = format!("FY{}-{}", 2014 + i / 2, ["H1", "YE"][i % 2]);
        let grade = ["A", "B", "S"][i % 3];
        env.run(&["rate", "1", &period, grade, "-a", "山田", "-m", "評価"])
            .ok();
    }
    env
}

fn path(env: &Env, name: &str) -> String {
    env.dir.path().join(name).to_string_lossy().into_owned()
}

fn read(env: &Env, name: &str) -> String {
    std::fs::read_to_string(env.dir.path().join(name)).unwrap()
}

fn put(env: &Env, name: &str, text: &str) -> String {
    std::fs::write(env.dir.path().join(name), text).unwrap();
    path(env, name)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

/// Generates `plan.key` in `env` and writes the verifier key to `plan.vkey`; returns its path.
fn keygen(env: &Env) -> String {
    let vkey = env
        .run(&["key", "generate", "--output", "plan.key"])
        .ok()
        .to_string();
    put(env, "plan.vkey", &vkey)
}

/// A validator for one of the schemas, with the other schemas of schema/ resolvable by their ids.
fn validator(name: &str) -> jsonschema::Validator {
    let load = |n: &str| -> serde_json::Value {
        let p = format!("{}/schema/{n}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let mut registry = jsonschema::Registry::new();
    for n in ["event.schema.json", "verify-proof.schema.json"] {
        let schema = load(n);
        assert!(jsonschema::meta::is_valid(&schema), "{n}");
        registry = registry
            .add(format!("https://hyoka.example/schema/{n}"), schema)
            .unwrap();
    }
    let registry = registry.prepare().unwrap();
    let schema = load(name);
    assert!(jsonschema::meta::is_valid(&schema), "{name}");
    jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .unwrap()
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, instance: &serde_json::Value) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance}");
}

/// A fresh environment without a ledger: what an auditor has.
fn auditor() -> Env {
    Env::new()
}

#[test]
fn an_inclusion_proof_verifies_without_the_ledger() {
    let env = history(3);
    let vkey = keygen(&env);
    env.run(&["prove", "seq:5", "--key", "plan.key", "-o", "p5.tlog-proof"])
        .ok();
    let proof = read(&env, "p5.tlog-proof");
    assert!(
        proof.starts_with("c2sp.org/tlog-proof@v1\nextra "),
        "{proof}"
    );
    assert!(proof.contains("\nindex 5\n"), "{proof}");
    assert!(
        proof.ends_with(&read_checkpoint(&env)),
        "the signed checkpoint, recorded as the last one"
    );

    let a = auditor();
    let p = put(&a, "p.tlog-proof", &proof);
    let v = put(&a, "v", &std::fs::read_to_string(&vkey).unwrap());
    let out = a.run(&["verify-proof", &p, "--vkey", &v]).ok().to_string();
    assert!(
        out.starts_with(
            "ok: event 5 is in the checkpoint of 7 events (origin city.example/plan-2, root "
        ),
        "{out}"
    );
    assert!(
        out.contains("signature: verified (key city.example/plan-2+"),
        "{out}"
    );
    for want in [
        "\nevent 5\n",
        "  who:  山田\n",
        "  what: item 1 平成26年度末: rating B\n",
        "  when: 2015-10-01 00:04:00 +09:00\n",
        "  why:  評価\n",
        "  hash: ",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert!(!a.ledger().exists(), "no ledger is opened or created");
    let out = a.run(&["verify-proof", &p]).ok().to_string();
    assert!(
        out.contains("signature: not checked (no --vkey): authenticity was not checked"),
        "{out}"
    );

    let run = a.run(&["verify-proof", &p, "--vkey", &v, "--format", "json"]);
    let j = json(&run);
    assert_valid(&validator("verify-proof.schema.json"), &j);
    assert_eq!(
        (j["index"].clone(), j["checkpoint"]["size"].clone()),
        (5.into(), 7.into())
    );
    assert_eq!(j["checkpoint"]["signature_checked"], true);
    let log = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    let line5: serde_json::Value = serde_json::from_str(log.lines().nth(5).unwrap()).unwrap();
    assert_eq!(j["event"], line5, "the event JSON of `hyoka log`");

    // Unsigned by default; against an older checkpoint given as a file.
    let unsigned = env.run(&["prove", "seq:0"]);
    assert!(unsigned.stderr.contains("unsigned"), "{unsigned:?}");
    assert!(
        unsigned.ok().contains("\n\ncity.example/plan-2\n7\n"),
        "{unsigned:?}"
    );
    let old = env.run(&["checkpoint"]).ok().to_string();
    let old = put(&env, "old.cp", &old);
    env.run(&["rate", "2", "FY2014-H1", "A", "-a", "山田", "-m", "評価"])
        .ok();
    let bare = env.run(&["prove", "6", "--checkpoint", &old]);
    assert!(
        bare.stderr.starts_with(
            "note: read 6 as the event seq:6 (events are named seq:N, as in `hyoka diff`)\n"
        ),
        "{}",
        bare.stderr
    );
    let p2 = env
        .run(&["prove", "seq:6", "--checkpoint", &old])
        .ok()
        .to_string();
    assert_eq!(p2, bare.stdout, "seq:6 and a bare 6 are the same event");
    assert!(p2.contains("\n\ncity.example/plan-2\n7\n"), "{p2}");
    a.run(&["verify-proof", &put(&a, "p2", &p2)]).ok();
    // An event newer than the checkpoint is the user's mistake (exit 1), named with exact ranges.
    let err = env
        .run(&["prove", "seq:7", "--checkpoint", &old])
        .fails(1)
        .to_string();
    assert_eq!(
        err,
        "error: event seq:7 is newer than the checkpoint: it covers #0..#6 (7 events) only; prove it against a newer checkpoint (`hyoka checkpoint` prints the ledger's)"
    );
    let err = env.run(&["prove", "seq:99"]).fails(1).to_string();
    assert!(
        err.contains("there is no event seq:99: the ledger holds #0..#7 (8 events)"),
        "{err}"
    );
}

fn read_checkpoint(env: &Env) -> String {
    std::fs::read_to_string(env.ledger().join("CHECKPOINT")).unwrap()
}

/// Replaces line `n` (0-based) of `text`.
fn with_line(text: &str, n: usize, line: &str) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i == n {
                format!("{line}\n")
            } else {
                l.to_string()
            }
        })
        .collect()
}

#[test]
fn a_modified_proof_or_another_checkpoint_is_refused() {
    let env = history(4);
    let vkey = keygen(&env);
    let proof = env
        .run(&["prove", "seq:5", "--key", "plan.key"])
        .ok()
        .to_string();
    let a = auditor();
    let v = put(&a, "v", &std::fs::read_to_string(&vkey).unwrap());
    let check = |text: &str, key: bool| {
        let p = put(&a, "p", text);
        let mut args = vec!["verify-proof", p.as_str()];
        if key {
            args.extend(["--vkey", v.as_str()]);
        }
        a.run(&args)
    };
    check(&proof, true).ok();
    let lines: Vec<&str> = proof.lines().collect();
    // A proof hash altered.
    let mut h = STANDARD.decode(lines[3]).unwrap();
    h[0] ^= 1;
    let err = check(&with_line(&proof, 3, &STANDARD.encode(&h)), true)
        .fails(3)
        .to_string();
    assert!(err.contains("the proof does not verify: its inclusion proof does not lead from event 5's leaf to the root of the checkpoint of 8 events"), "{err}");
    // The event altered in the extra data (the grade), or its previous hash.
    let mut extra = STANDARD
        .decode(lines[1].strip_prefix("extra ").unwrap())
        .unwrap();
    let at = extra.len() - 2;
    extra[at] ^= b'A' ^ b'B';
    let err = check(
        &with_line(&proof, 1, &format!("extra {}", STANDARD.encode(&extra))),
        true,
    )
    .fails(3)
    .to_string();
    assert!(err.contains("does not lead from event 5's leaf"), "{err}");
    extra[at] ^= b'A' ^ b'B';
    extra[0] ^= 1;
    let err = check(
        &with_line(&proof, 1, &format!("extra {}", STANDARD.encode(&extra))),
        true,
    )
    .fails(3)
    .to_string();
    assert!(
        err.contains("the previous hash in its extra data is not the one its event records"),
        "{err}"
    );
    // Another index.
    let err = check(&with_line(&proof, 2, "index 4"), true)
        .fails(3)
        .to_string();
    assert!(
        err.contains("it is a proof for index 4 but its event is seq 5"),
        "{err}"
    );
    // The checkpoint altered: the signature catches it; without a key, the proof does.
    let root_line = lines.iter().position(|l| l.is_empty()).unwrap() + 3;
    let forged = with_line(&proof, root_line, &STANDARD.encode([7u8; 32]));
    let err = check(&forged, true).fails(3).to_string();
    assert!(err.contains("bad checkpoint signature"), "{err}");
    let err = check(&forged, false).fails(3).to_string();
    assert!(err.contains("the proof does not verify"), "{err}");
    // Another key; garbage.
    let other = Env::new();
    let other_v = other
        .run(&["key", "generate", "--name", ORIGIN, "-o", "k"])
        .ok()
        .to_string();
    let ov = put(&a, "ov", &other_v);
    let p = put(&a, "p", &proof);
    let err = a
        .run(&["verify-proof", &p, "--vkey", &ov])
        .fails(3)
        .to_string();
    assert!(
        err.contains("the checkpoint has no signature by the key"),
        "{err}"
    );
    let j = json(&a.run(&["verify-proof", &p, "--vkey", &ov, "--format", "json"]));
    assert_valid(&validator("verify-proof.schema.json"), &j);
    assert_eq!(j["error"]["kind"], "checkpoint_not_signed_by_key");
    let err = check("c2sp.org/tlog-proof@v1\nindex 1\n", false)
        .fails(1)
        .to_string();
    assert!(err.contains("not a c2sp.org/tlog-proof@v1 proof"), "{err}");

    // A proof against another checkpoint: a rewritten history's (same origin, key and size).
    let rewritten = Env::new();
    rewritten.with_items();
    for (i, g) in ["A", "S", "S", "A"].iter().enumerate() {
        let period = format!("FY{}-{}", 2014 + i / 2, ["H1", "YE"][i % 2]);
        rewritten
            .run(&["rate", "1", &period, g, "-a", "山田", "-m", "評価"])
            .ok();
    }
    std::fs::copy(
        env.dir.path().join("plan.key"),
        rewritten.dir.path().join("plan.key"),
    )
    .unwrap();
    let theirs = rewritten
        .run(&["checkpoint", "--key", "plan.key"])
        .ok()
        .to_string();
    let split = proof.find("\n\n").unwrap() + 2;
    let err = check(&format!("{}{theirs}", &proof[..split]), true)
        .fails(3)
        .to_string();
    assert!(err.contains("the proof does not verify"), "{err}");
    // ... and `prove` refuses a checkpoint that is not one of this ledger.
    let theirs = put(&env, "theirs.cp", &theirs);
    let err = env
        .run(&["prove", "seq:2", "--checkpoint", &theirs])
        .fails(3)
        .to_string();
    assert!(
        err.contains(
            "refusing to prove: checkpoint mismatch: the checkpoint's tree of 8 events has root"
        ),
        "{err}"
    );
    let longer = rewritten.run(&["rate", "2", "FY2014-H1", "A", "-a", "a", "-m", "m"]);
    longer.ok();
    let longer = put(&env, "longer.cp", rewritten.run(&["checkpoint"]).ok());
    let err = env
        .run(&["prove", "seq:2", "--checkpoint", &longer])
        .fails(3)
        .to_string();
    assert!(
        err.contains("the ledger is shorter than the checkpoint"),
        "{err}"
    );
    let foreign = put(
        &env,
        "foreign.cp",
        &format!("other.example/x\n1\n{}\n", STANDARD.encode([1u8; 32])),
    );
    let err = env
        .run(&["prove", "seq:0", "--checkpoint", &foreign])
        .fails(3)
        .to_string();
    assert!(err.contains("the checkpoint is of another ledger"), "{err}");
}

#[test]
fn consistency_proofs_verify_without_the_ledger() {
    let env = history(2);
    let vkey = keygen(&env);
    let old = env
        .run(&["checkpoint", "--key", "plan.key"])
        .ok()
        .to_string();
    let old_file = put(&env, "old.cp", &old);
    let unsigned_old = put(
        &env,
        "old-unsigned.cp",
        &old[..old.find("\n\n").unwrap() + 1],
    );
    for i in 0..5 {
        env.run(&[
            "remark",
            "2",
            &format!("r{i}"),
            "--period",
            "FY2014-H1",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
    }
    env.run(&[
        "prove",
        "--consistency",
        &old_file,
        "--key",
        "plan.key",
        "-o",
        "c.txt",
    ])
    .ok();
    let body = read(&env, "c.txt");
    assert!(body.starts_with("old 6\n"), "{body}");
    assert!(body.ends_with(&read_checkpoint(&env)));

    let a = auditor();
    let c = put(&a, "c.txt", &body);
    let v = put(&a, "v", &std::fs::read_to_string(&vkey).unwrap());
    let o = put(&a, "o.cp", &old);
    let out = a
        .run(&["verify-consistency", &c, "--old", &o, "--vkey", &v])
        .ok()
        .to_string();
    assert!(
        out.starts_with(
            "ok: consistent: the checkpoint of 11 events extends the checkpoint of 6 events"
        ),
        "{out}"
    );
    assert!(out.contains("signature: verified"), "{out}");
    let out = a
        .run(&[
            "verify-consistency",
            &c,
            "--old",
            &unsigned_old,
            "--vkey",
            &v,
        ])
        .ok()
        .to_string();
    assert!(
        out.contains("old checkpoint: unsigned, taken as given"),
        "{out}"
    );
    let j = json(&a.run(&["verify-consistency", &c, "--old", &o, "--format", "json"]));
    assert_valid(&validator("verify-consistency.schema.json"), &j);
    assert_eq!(
        (j["old"]["size"].clone(), j["new"]["size"].clone()),
        (6.into(), 11.into())
    );
    assert!(!a.ledger().exists());

    // A proof line altered; an old checkpoint of a rewritten history; another old size; another origin.
    let mut h = STANDARD.decode(body.lines().nth(1).unwrap()).unwrap();
    h[5] ^= 1;
    let bad = put(&a, "bad", &with_line(&body, 1, &STANDARD.encode(&h)));
    let err = a
        .run(&["verify-consistency", &bad, "--old", &o])
        .fails(3)
        .to_string();
    assert!(err.contains("the proof does not verify: it does not show the tree of 6 events (the old checkpoint) to be a prefix of the tree of 11"), "{err}");
    let rewritten = put(
        &a,
        "rw.cp",
        &format!("{ORIGIN}\n6\n{}\n", STANDARD.encode([9u8; 32])),
    );
    let err = a
        .run(&["verify-consistency", &c, "--old", &rewritten])
        .fails(3)
        .to_string();
    assert!(err.contains("to be a prefix of the tree of 11"), "{err}");
    let j = json(&a.run(&[
        "verify-consistency",
        &c,
        "--old",
        &rewritten,
        "--format",
        "json",
    ]));
    assert_eq!(j["error"]["kind"], "proof_invalid");
    let other_size = put(&a, "os", &with_line(&body, 0, "old 5"));
    let err = a
        .run(&["verify-consistency", &other_size, "--old", &o])
        .fails(3)
        .to_string();
    assert!(
        err.contains("it proves consistency from a tree of 5 events, but the old checkpoint has 6"),
        "{err}"
    );
    let foreign = put(
        &a,
        "f.cp",
        &format!("other.example/x\n6\n{}\n", STANDARD.encode([9u8; 32])),
    );
    let err = a
        .run(&["verify-consistency", &c, "--old", &foreign])
        .fails(3)
        .to_string();
    assert!(err.contains("another ledger"), "{err}");
    // The ledger refuses to prove from a checkpoint that is not its own.
    let err = env
        .run(&[
            "prove",
            "--consistency",
            &put(&env, "rw.cp", &read(&a, "rw.cp")),
        ])
        .fails(3)
        .to_string();
    assert!(
        err.contains("refusing to prove: checkpoint mismatch"),
        "{err}"
    );
}

/// `hyoka export` of `env` into `name`, returning its text.
fn export(env: &Env, name: &str) -> String {
    let run = env.run(&["export", "--output", name]);
    run.ok();
    assert!(run.stderr.contains("exported "), "{run:?}");
    read(env, name)
}

#[test]
fn an_export_verifies_without_the_ledger_and_restores_identically() {
    let env = history(5);
    let vkey = keygen(&env);
    let cp = env
        .run(&["checkpoint", "--key", "plan.key"])
        .ok()
        .to_string();
    env.run(&["flag", "1", "on", "-a", "a", "-m", "m"]).ok();
    let text = export(&env, "ledger.jsonl");
    assert_eq!(text, env.run(&["export"]).ok(), "stdout and --output agree");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10);
    let schema = validator("export.schema.json");
    let log = env.run(&["log", "--format", "jsonl"]).ok().to_string();
    for (line, logged) in lines.iter().zip(log.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_valid(&schema, &v);
        assert_eq!(
            v["event"],
            serde_json::from_str::<serde_json::Value>(logged).unwrap()
        );
        assert!(
            line.starts_with(&format!("{{\"seq\":{},\"prev\":\"", v["seq"])),
            "{line}"
        );
    }

    let a = auditor();
    let f = put(&a, "ledger.jsonl", &text);
    let c = put(&a, "cp", &cp);
    let v = put(&a, "v", &std::fs::read_to_string(&vkey).unwrap());
    let out = a
        .run(&["verify", "--export", &f, "--checkpoint", &c, "--vkey", &v])
        .ok()
        .to_string();
    assert!(
        out.starts_with("ok: 10 events in the export verified"),
        "{out}"
    );
    assert!(out.contains("checkpoint: consistent: the export's first 9 events have the checkpoint's root; 1 more events after them"), "{out}");
    assert!(out.contains("signature: verified"), "{out}");
    let out = a.run(&["verify", "--export", &f]).ok().to_string();
    assert!(
        out.contains("an export alone cannot show that it is complete"),
        "{out}"
    );
    let j = json(&a.run(&[
        "verify",
        "--export",
        &f,
        "--checkpoint",
        &c,
        "--format",
        "json",
    ]));
    let reference = json(&env.run(&["verify", "--format", "json"]));
    assert_eq!(
        (j["root"].clone(), j["head_hash"].clone()),
        (reference["root"].clone(), reference["head_hash"].clone())
    );
    assert!(!a.ledger().exists());

    // Restore: same hashes and root, same log; never over an existing directory.
    let restored = a.dir.path().join("restored");
    let dir = restored.to_string_lossy().into_owned();
    let out = a.run(&["restore", &f, "--ledger", &dir]).ok().to_string();
    assert!(
        out.starts_with(&format!("restored 10 events into {dir}\n")),
        "{out}"
    );
    let j = json(&a.run(&["verify", "--ledger", &dir, "--format", "json"]));
    // Same events, head and root; the original also remembers the checkpoint it signed.
    for k in ["ok", "events", "head_hash", "root"] {
        assert_eq!(j[k], reference[k], "{k}");
    }
    assert_eq!(
        a.run(&["log", "--ledger", &dir, "--format", "jsonl"]).ok(),
        log
    );
    assert_eq!(
        a.run(&["export", "--ledger", &dir]).ok(),
        text,
        "a restored ledger exports identically"
    );
    a.run(&["verify", "--ledger", &dir, "--checkpoint", &c, "--vkey", &v])
        .ok();
    let err = a
        .run(&["restore", &f, "--ledger", &dir])
        .fails(1)
        .to_string();
    assert!(
        err.contains("already exists: restore creates a new ledger"),
        "{err}"
    );
    assert_eq!(leftovers(a.dir.path()), Vec::<String>::new());
}

/// Names of restore leftovers in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore-incomplete-"))
        .collect()
}

#[test]
fn every_tampering_of_an_export_is_named_and_restores_nothing() {
    let env = history(5);
    let cp = env.run(&["checkpoint"]).ok().to_string();
    let text = export(&env, "e.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let line_with = |n: usize, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(lines[n]).unwrap();
        edit(&mut v);
        v.to_string()
    };
    let edited_bytes = line_with(6, &|v| {
        let mut b = STANDARD.decode(v["bytes"].as_str().unwrap()).unwrap();
        let at = b.len() - 2;
        b[at] ^= b'A' ^ b'B';
        v["bytes"] = STANDARD.encode(&b).into();
    });
    let edited_field = line_with(6, &|v| v["event"]["change"]["grade"] = "A".into());
    let cases: Vec<(&str, String, bool, &str)> = vec![
        (
            "edited bytes",
            join(&[&lines[..6], &[edited_bytes.as_str()], &lines[7..]].concat()),
            false,
            "event 6: hash mismatch: its stored bytes no longer hash to what the `hash` of its export line recorded",
        ),
        (
            "edited field",
            join(&[&lines[..6], &[edited_field.as_str()], &lines[7..]].concat()),
            false,
            "event 6: the export line's `event.change` does not match its stored bytes",
        ),
        (
            "deleted",
            join(&[&lines[..4], &lines[5..]].concat()),
            false,
            "event 4: missing seq: found event 5 where event 4 belongs",
        ),
        (
            "swapped",
            join(&[&lines[..4], &[lines[5], lines[4]], &lines[6..]].concat()),
            false,
            "event 4: missing seq: found event 5 where event 4 belongs",
        ),
        (
            "inserted",
            join(&[&lines[..5], &[lines[3]], &lines[5..]].concat()),
            false,
            "event 5: missing seq: found event 3 where event 5 belongs",
        ),
        (
            "truncated tail",
            join(&lines[..6]),
            true,
            "the export is shorter than the checkpoint: it holds 6 events but the checkpoint covers 9",
        ),
        (
            "cut line",
            text[..text.len() - 20].to_string(),
            false,
            "export line 9: damaged: the file ends inside it (no final newline): the export is truncated",
        ),
        (
            "not JSON",
            join(&[&lines[..2], &["{\"seq\":2"], &lines[3..]].concat()),
            false,
            "export line 3: damaged: not JSON",
        ),
    ];
    let a = auditor();
    let c = put(&a, "cp", &cp);
    for (what, tampered, with_cp, want) in cases {
        let f = put(&a, "t.jsonl", &tampered);
        let mut args = vec!["verify", "--export", f.as_str()];
        if with_cp {
            args.extend(["--checkpoint", c.as_str()]);
        }
        let err = a.run(&args).fails(3).to_string();
        assert!(err.contains(want), "{what}: {err}");
        assert!(err.contains("cannot be trusted"), "{what}: {err}");
        let dir = path(&a, "restored");
        let err = a.run(&["restore", &f, "--ledger", &dir]);
        if with_cp {
            // Without a checkpoint a shorter export is a valid, shorter history.
            err.ok();
            std::fs::remove_dir_all(&dir).unwrap();
            continue;
        }
        let err = err.fails(3).to_string();
        assert!(
            err.contains(want) && err.contains("nothing was restored"),
            "{what}: {err}"
        );
        assert!(!Path::new(&dir).exists(), "{what}: no half ledger");
        assert_eq!(leftovers(a.dir.path()), Vec::<String>::new(), "{what}");
    }
    let j = json(&a.run(&[
        "verify",
        "--export",
        &put(&a, "t", &join(&lines[..6])),
        "--checkpoint",
        &c,
        "--format",
        "json",
    ]));
    assert_eq!(j["error"]["kind"], "export_shorter_than_checkpoint");
}

/// Rewrites the ledger's HEAD file as an attacker with file access could (FORMAT.md section 6).
fn forge_head(ledger: &Path, events: u64, hash: &Hash) {
    let body = format!(
        "hyoka-head v1\nevents {events}\nhash {}\n",
        event::hex(hash)
    );
    let check = blake3::hash(body.as_bytes()).to_hex();
    std::fs::write(ledger.join("HEAD"), format!("{body}check {check}\n")).unwrap();
}

#[test]
fn deleted_swapped_and_inserted_events_in_a_ledger_are_named() {
    type Edit = fn(&mut hyoka::Ledger, &[Vec<u8>]);
    let delete_4: Edit = |l, b| {
        let n = b.len() as u64;
        for i in 4..n - 1 {
            l.store_mut()
                .unwrap()
                .tamper_event(i, &b[i as usize + 1])
                .unwrap();
        }
        let head = event::event_hash(
            &event::decode(&b[b.len() - 1]).unwrap().prev_hash,
            &b[b.len() - 1],
        );
        l.store_mut()
            .unwrap()
            .tamper_commit(hyoka::store::Committed {
                events: n - 1,
                tree_hashes: hyoka::tlog::merkle::stored_hash_count(n - 1),
                head_hash: head,
            })
            .unwrap();
    };
    let swap_4_5: Edit = |l, b| {
        l.store_mut().unwrap().tamper_event(4, &b[5]).unwrap();
        l.store_mut().unwrap().tamper_event(5, &b[4]).unwrap();
    };
    // The last slot's event is dropped to make room: a forged event 4 inserted, the rest shifted.
    let insert_4: Edit = |l, b| {
        let mut forged: Event = event::decode(&b[4]).unwrap();
        forged.change = Change::ItemWithdrawn {
            id: hyoka::domain::item_id::ItemId::from_number(2),
        };
        let n = b.len();
        l.store_mut()
            .unwrap()
            .tamper_event(4, &event::encode(&forged).unwrap())
            .unwrap();
        for i in 5..n {
            l.store_mut()
                .unwrap()
                .tamper_event(i as u64, &b[i - 1])
                .unwrap();
        }
        let last = &b[n - 2];
        let head = event::event_hash(&event::decode(last).unwrap().prev_hash, last);
        let c = l.store_mut().unwrap();
        c.tamper_commit(hyoka::store::Committed {
            events: n as u64,
            tree_hashes: hyoka::tlog::merkle::stored_hash_count(n as u64),
            head_hash: head,
        })
        .unwrap();
    };
    for (what, edit, want) in [
        (
            "deleted",
            delete_4,
            "event 4: missing seq: found event 5 at position 4",
        ),
        (
            "swapped",
            swap_4_5,
            "event 4: missing seq: found event 5 at position 4",
        ),
        (
            "inserted",
            insert_4,
            "event 5: missing seq: found event 4 at position 5",
        ),
    ] {
        let env = history(4);
        let cp = put(&env, "cp", env.run(&["checkpoint"]).ok());
        {
            let mut l = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
            let bytes: Vec<Vec<u8>> = (0..l.len()).map(|i| l.event_bytes(i).unwrap()).collect();
            edit(&mut l, &bytes);
            let c = l.store_mut().unwrap();
            let committed = hyoka::store::Store::committed(c).unwrap().unwrap();
            drop(l);
            forge_head(&env.ledger(), committed.events, &committed.head_hash);
        }
        let err = env.run(&["verify"]).fails(3).to_string();
        assert!(err.contains(want), "{what}: {err}");
        let err = env
            .run(&["verify", "--checkpoint", &cp])
            .fails(3)
            .to_string();
        assert!(err.contains(want), "{what}: {err}");
        let err = env.run(&["export", "-o", "e.jsonl"]).fails(3).to_string();
        assert!(err.contains(want), "{what}: {err}");
        assert!(
            !env.dir.path().join("e.jsonl").exists(),
            "{what}: no export of a damaged ledger"
        );
    }
}

/// Writes an export of a plan, an item and `n` remarks, built with the library; returns its path.
fn big_export(dir: &Path, n: u64) -> PathBuf {
    use hyoka::domain::period::{Part, Period};
    let path = dir.join("big.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut prev = event::ZERO_HASH;
    let period = Period {
        fiscal_year: 2014,
        part: Part::FirstHalf,
    };
    let item = Change::ItemRegistered {
        id: hyoka::domain::item_id::ItemId::from_number(1),
        title: "t".into(),
        department: "d".into(),
        category: "c".into(),
        relisting_of: None,
        from: None,
        after: None,
    };
    let plan = Change::PlanDefined {
        name: "p".into(),
        grades: vec!["A".into()],
        default_era: None,
        origin: ORIGIN.into(),
        cadence: Default::default(),
        years: None,
    };
    let fixed = [plan, Change::CategoryAdded { name: "c".into() }, item];
    for seq in 0..n + 3 {
        let change = match fixed.get(seq as usize) {
            Some(c) => c.clone(),
            None => Change::RemarkSet {
                item: hyoka::domain::item_id::ItemId::from_number(1),
                period,
                text: format!("remark {seq}"),
            },
        };
        let e = Event {
            version: 1,
            seq,
            prev_hash: prev,
            recorded_at: 1_000,
            author: "a".into(),
            reason: "r".into(),
            source: None,
            change,
            signature: None,
        };
        let bytes = event::encode(&e).unwrap();
        let hash = event::event_hash(&prev, &bytes);
        prev = hash;
        let line = hyoka::evidence::export::line(
            &hyoka::domain::event::StoredEvent { event: e, hash },
            &bytes,
        );
        writeln!(w, "{line}").unwrap();
    }
    w.flush().unwrap();
    path
}

/// The events count in a HEAD file, if it is there.
fn head_events(dir: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dir.join("HEAD")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("events ")?.parse().ok())
}

#[test]
fn a_restore_killed_midway_leaves_no_half_ledger() {
    let a = auditor();
    let file = big_export(a.dir.path(), 80_000);
    let target = a.dir.path().join("restored");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hyoka"))
        .args([
            "restore",
            &file.to_string_lossy(),
            "--ledger",
            &target.to_string_lossy(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the temporary ledger has committed a first batch, then kill the restore.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        let midway = leftovers(a.dir.path())
            .iter()
            .any(|n| head_events(&a.dir.path().join(n)).is_some_and(|e| e > 0));
        if midway {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the restore ended before it could be killed midway"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the restore made no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!target.exists(), "a killed restore leaves no ledger at DIR");
    let left = leftovers(a.dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with("restored.restore-incomplete-"),
        "{left:?}"
    );
    // A new restore succeeds beside the leftover, and the result is the export's history.
    let dir = target.to_string_lossy().into_owned();
    let out = a
        .run(&["restore", &file.to_string_lossy(), "--ledger", &dir])
        .ok()
        .to_string();
    assert!(out.starts_with("restored 80003 events"), "{out}");
    let exported = json(&a.run(&[
        "verify",
        "--export",
        &file.to_string_lossy(),
        "--format",
        "json",
    ]));
    let restored = json(&a.run(&["verify", "--ledger", &dir, "--format", "json"]));
    for k in ["ok", "events", "head_hash", "root"] {
        assert_eq!(exported[k], restored[k], "{k}");
    }
}
