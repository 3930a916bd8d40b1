//! The static verifiable mirror (`hyoka mirror`, `verify --mirror`): C2SP tlog-tiles written from the
//! ledger, whose root an independent RFC 6962 implementation (here, over `sha2` directly) recomputes
//! from the entry bundles alone; written incrementally; and every damage caught from the files alone.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::common::{Env, Run, seed};

const ORIGIN: &str = "city.kodaira.example/reform-plan";

/// The seed imported (358 events: one full level-0 tile and a partial one), a log key made and a
/// checkpoint signed with it. Returns the verifier key text.
fn signed_seed(env: &Env) -> String {
    env.run(&[
        "import",
        seed().to_str().unwrap(),
        "--author",
        "山田",
        "--plan",
        "小平市行財政改革推進プラン",
        "--origin",
        ORIGIN,
    ])
    .ok();
    let vkey = env
        .run(&["key", "generate", "--output", "plan.key"])
        .ok()
        .trim()
        .to_string();
    env.run(&["checkpoint", "--key", &key(env)]).ok();
    vkey
}

fn key(env: &Env) -> String {
    env.dir
        .path()
        .join("plan.key")
        .to_string_lossy()
        .into_owned()
}

fn mirror_dir(env: &Env) -> PathBuf {
    env.dir.path().join("site").join("tiles")
}

/// `verify --mirror DIR --vkey VKEY --format json`.
fn verify_json(env: &Env, dir: &Path, vkey: &str) -> Run {
    env.run(&[
        "verify",
        "--mirror",
        dir.to_str().unwrap(),
        "--vkey",
        vkey,
        "--format",
        "json",
    ])
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

/// A tile index as a path (`x001/x234/067`), written here from the spec's words, not from hyoka's.
fn index(n: u64) -> String {
    let s = format!("{n:03}");
    let digits = s.len().div_ceil(3) * 3;
    let s = format!("{n:0digits$}");
    let parts: Vec<&str> = (0..digits / 3).map(|i| &s[i * 3..i * 3 + 3]).collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i < last {
                format!("x{p}")
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The leaves of a tree of `size` from the entry bundles under `dir` (each entry a big-endian `u16`
/// length and its bytes; 256 a full bundle).
fn leaves_from_bundles(dir: &Path, size: u64) -> Vec<Vec<u8>> {
    let mut leaves = Vec::new();
    let mut n = 0;
    while n * 256 < size {
        let width = (size - n * 256).min(256);
        let rel = match width {
            256 => format!("tile/entries/{}", index(n)),
            w => format!("tile/entries/{}.p/{w}", index(n)),
        };
        let bytes = std::fs::read(dir.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut rest = bytes.as_slice();
        for _ in 0..width {
            let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
            leaves.push(rest[2..2 + len].to_vec());
            rest = &rest[2 + len..];
        }
        assert!(rest.is_empty(), "{rel} holds more than {width} entries");
        n += 1;
    }
    leaves
}

/// RFC 6962 section 2.1 MTH, recursively: the largest power of two smaller than n splits.
fn mth(leaves: &[Vec<u8>]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => Sha256::new()
            .chain_update([0u8])
            .chain_update(&leaves[0])
            .finalize()
            .into(),
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            Sha256::new()
                .chain_update([1u8])
                .chain_update(mth(&leaves[..k]))
                .chain_update(mth(&leaves[k..]))
                .finalize()
                .into()
        }
    }
}

/// The checkpoint's size and root (hex), from its text.
fn checkpoint_of(dir: &Path) -> (u64, String) {
    let text = std::fs::read_to_string(dir.join("checkpoint")).unwrap();
    let mut lines = text.lines();
    let origin = lines.next().unwrap();
    assert_eq!(origin, ORIGIN);
    let size = lines.next().unwrap().parse().unwrap();
    let root = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        lines.next().unwrap(),
    )
    .unwrap();
    (size, hex(&root))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn the_mirror_is_the_spec_s_tiles_and_an_independent_root_matches_verify() {
    let env = Env::new();
    let vkey = signed_seed(&env);
    let dir = mirror_dir(&env);
    std::fs::create_dir(dir.parent().unwrap()).unwrap();
    let run = env.run(&["mirror", dir.to_str().unwrap()]);
    let out = run.ok();
    assert!(out.contains("358"), "{out}");

    for rel in [
        "checkpoint",
        "tile/0/000",
        "tile/0/001.p/102",
        "tile/1/000.p/1",
        "tile/entries/000",
        "tile/entries/001.p/102",
        "events/000",
        "events/001.p/102",
    ] {
        assert!(dir.join(rel).is_file(), "{rel} missing");
    }
    assert_eq!(
        std::fs::read(dir.join("tile/0/000")).unwrap().len(),
        256 * 32
    );
    assert_eq!(
        std::fs::read(dir.join("tile/0/001.p/102")).unwrap().len(),
        102 * 32
    );

    // An independent RFC 6962 root over the entry bundles is the checkpoint's, and verify's.
    let (size, root) = checkpoint_of(&dir);
    assert_eq!(size, 358);
    let leaves = leaves_from_bundles(&dir, size);
    assert!(leaves.iter().all(|l| l.len() == 32));
    assert_eq!(hex(&mth(&leaves)), root);
    let verify = json(&env.run(&["verify", "--format", "json"]));
    assert_eq!(verify["root"], root.as_str(), "{verify}");
    assert_eq!(verify["events"], 358);

    // The level-0 tile holds the leaf hashes, the level-1 tile the root of the full level-0 tile.
    let tile0 = std::fs::read(dir.join("tile/0/000")).unwrap();
    let leaf = |l: &[u8]| -> [u8; 32] {
        Sha256::new()
            .chain_update([0u8])
            .chain_update(l)
            .finalize()
            .into()
    };
    assert_eq!(&tile0[..32], leaf(&leaves[0]).as_slice());
    let tile1 = std::fs::read(dir.join("tile/1/000.p/1")).unwrap();
    assert_eq!(tile1, mth(&leaves[..256]).to_vec());

    // verify --mirror, from the files alone, with the log key.
    let run = verify_json(&env, &dir, &vkey);
    let v = json(&run);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["events"], 358);
    assert_eq!(v["root"], root.as_str());
    assert_eq!(v["checkpoint"]["signature_checked"], true);
    assert_eq!(v["table"]["items"], 62);
    assert_eq!(v["table"]["latest_point"], "FY2015-H1");
    let schema = crate::test_schema::validator("verify-mirror.schema.json");
    crate::test_schema::assert_valid(&schema, &v);
    let text = env.run(&["--lang", "ja", "verify", "--mirror", dir.to_str().unwrap()]);
    let out = text.ok();
    assert!(out.contains("ミラーの 358 イベントを検証しました"), "{out}");
    assert!(out.contains("署名") || out.contains("発行"), "{out}");
}

#[test]
fn the_mirror_grows_with_the_log_and_full_tiles_never_change() {
    let env = Env::new();
    signed_seed(&env);
    let dir = mirror_dir(&env);
    env.run(&["mirror", dir.to_str().unwrap()]).ok();
    let full = std::fs::read(dir.join("tile/0/000")).unwrap();
    let old_partial = std::fs::read(dir.join("tile/0/001.p/102")).unwrap();
    for i in 1..=5 {
        env.run(&[
            "rate",
            &i.to_string(),
            "H27年度末",
            "A",
            "-a",
            "山田",
            "-m",
            "報告",
        ])
        .ok();
    }
    // Without a new checkpoint the mirror stays the same: it mirrors what was signed.
    let again = env.run(&["mirror", dir.to_str().unwrap()]);
    assert!(again.ok().contains(": 0 files new"), "{again:?}");
    env.run(&["checkpoint", "--key", &key(&env)]).ok();
    env.run(&["mirror", dir.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read(dir.join("tile/0/000")).unwrap(), full);
    // The old partial tile stays beside the new one (a reader of the old checkpoint still needs it).
    assert_eq!(
        std::fs::read(dir.join("tile/0/001.p/102")).unwrap(),
        old_partial
    );
    assert!(dir.join("tile/0/001.p/107").is_file());
    let (size, root) = checkpoint_of(&dir);
    assert_eq!(size, 363);
    assert_eq!(hex(&mth(&leaves_from_bundles(&dir, size))), root);
    env.run(&["verify", "--mirror", dir.to_str().unwrap()]).ok();
}

/// Each damage is caught from the mirror alone (exit 3), with the file it is in.
#[test]
fn damage_to_a_mirror_is_caught() {
    let env = Env::new();
    let vkey = signed_seed(&env);
    let dir = mirror_dir(&env);
    env.run(&["mirror", dir.to_str().unwrap()]).ok();
    let pristine = env.dir.path().join("pristine");
    copy_dir(&dir, &pristine);
    let check = |what: &str, kinds: &[&str], damage: &dyn Fn(&Path)| {
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&pristine, &dir);
        damage(&dir);
        let run = verify_json(&env, &dir, &vkey);
        run.fails(3);
        let v = json(&run);
        let kind = v["error"]["kind"].as_str().unwrap_or_default();
        assert!(kinds.contains(&kind), "{what}: {v}");
        let text = env.run(&["verify", "--mirror", dir.to_str().unwrap(), "--vkey", &vkey]);
        assert!(
            text.fails(3).contains("cannot be trusted"),
            "{what}: {text:?}"
        );
    };
    check("an edited entry bundle", &["mirror_entry_mismatch"], &|d| {
        flip(&d.join("tile/entries/000"), 2 + 5)
    });
    check(
        "an edited event bundle",
        &["mirror_entry_mismatch", "undecodable"],
        &|d| flip(&d.join("events/000"), 4 + 60),
    );
    check("a missing tile", &["mirror_file_missing"], &|d| {
        std::fs::remove_file(d.join("tile/0/000")).unwrap()
    });
    check("an edited hash tile", &["mirror_file_mismatch"], &|d| {
        flip(&d.join("tile/1/000.p/1"), 0)
    });
    check("a cut entry bundle", &["mirror_bundle_damaged"], &|d| {
        let p = d.join("tile/entries/001.p/102");
        let b = std::fs::read(&p).unwrap();
        std::fs::write(&p, &b[..b.len() - 1]).unwrap();
    });
    // A checkpoint whose root does not match: the signed one of another ledger of the same origin and
    // key (so the signature holds and the root is what is wrong).
    let other = Env::new();
    other
        .run(&[
            "import",
            seed().to_str().unwrap(),
            "--author",
            "別人",
            "--plan",
            "小平市行財政改革推進プラン",
            "--origin",
            ORIGIN,
        ])
        .ok();
    std::fs::copy(
        env.dir.path().join("plan.key"),
        other.dir.path().join("plan.key"),
    )
    .unwrap();
    let cp = other
        .run(&["checkpoint", "--key", &key(&other)])
        .ok()
        .to_string();
    check(
        "a checkpoint of another tree",
        &["checkpoint_root_mismatch"],
        &|d| std::fs::write(d.join("checkpoint"), &cp).unwrap(),
    );
    // A forged signature.
    check(
        "a checkpoint not signed by the key",
        &["checkpoint_bad_signature"],
        &|d| {
            let text = std::fs::read_to_string(d.join("checkpoint")).unwrap();
            let forged = text.replace("\n358\n", "\n357\n");
            std::fs::write(d.join("checkpoint"), forged).unwrap()
        },
    );
}

/// Another ledger's mirror is never overwritten, and no link is followed.
#[test]
fn a_mirror_of_another_log_or_a_link_stops_the_writer() {
    let env = Env::new();
    signed_seed(&env);
    let dir = mirror_dir(&env);
    env.run(&["mirror", dir.to_str().unwrap()]).ok();
    let before = std::fs::read(dir.join("checkpoint")).unwrap();

    let other = Env::new();
    other
        .run(&[
            "import",
            seed().to_str().unwrap(),
            "--author",
            "別人",
            "--plan",
            "別の計画",
            "--origin",
            "other.example/plan",
        ])
        .ok();
    other.run(&["key", "generate", "--output", "plan.key"]).ok();
    other.run(&["checkpoint", "--key", &key(&other)]).ok();
    let run = other.run(&["mirror", dir.to_str().unwrap()]);
    let err = run.fails(1);
    assert!(err.contains("is not this ledger's mirror"), "{err}");
    assert_eq!(std::fs::read(dir.join("checkpoint")).unwrap(), before);

    // A link where a directory of the mirror goes.
    let linked = env.dir.path().join("linked");
    let target = env.dir.path().join("elsewhere");
    std::fs::create_dir_all(&linked).unwrap();
    std::fs::create_dir_all(&target).unwrap();
    std::os::unix::fs::symlink(&target, linked.join("tile")).unwrap();
    env.run(&["mirror", linked.to_str().unwrap()]).fails(1);
    assert_eq!(
        std::fs::read_dir(&target).unwrap().count(),
        0,
        "nothing written through the link"
    );

    // No signed checkpoint yet: what to do.
    let bare = Env::new();
    bare.with_items();
    let run = bare.run(&["mirror", bare.dir.path().join("m").to_str().unwrap()]);
    assert!(run.fails(1).contains("hyoka checkpoint --key"), "{run:?}");
}

fn flip(path: &Path, at: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[at] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}
