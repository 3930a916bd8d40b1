//! Damaged and full storage through the CLI: a byte-flip sweep over the store's files, and appends on a
//! full disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, Run};

/// splitmix64, seeded; the seed is printed so that a failure can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed(var: &str) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Runs `hyoka ARGS` on `ledger`, killing it (and failing the test) if it takes longer than `limit`.
fn run_bounded(ledger: &Path, env: &[(&str, &str)], args: &[&str], limit: Duration) -> Run {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hyoka"));
    cmd.env("HYOKA_LEDGER", ledger)
        .env("HYOKA_NOW", "2016-01-05T10:00:00+09:00")
        .env_remove("HYOKA_WAIT")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .env_remove("HYOKA_MIN_FREE_BYTES")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run hyoka");
    // Both pipes are read as the child writes, so a long report never blocks it.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = Instant::now();
    // Polling only bounds the time; it orders nothing.
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hyoka {args:?} hung for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
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

fn files_under(dir: &Path, out: &mut Vec<(PathBuf, u64)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), out);
        } else {
            let len = entry.metadata().unwrap().len();
            if len > 0 {
                out.push((entry.path(), len));
            }
        }
    }
    out.sort();
}

/// A ledger of 548 events whose store has had many separate commits, several opens (sled
/// snapshots) and two values big enough for sled's blob files, and whose last 10 events are held by
/// the journal.
fn build_sweep_ledger(env: &Env) {
    env.run(&[
        "import",
        &crate::common::seed().to_string_lossy(),
        "-a",
        "山田",
    ])
    .ok();
    let access = hyoka::Access::default();
    let period = hyoka::domain::period::Period::parse("H27上半期", None).unwrap();
    let mut at = hyoka::domain::when::parse_rfc3339("2015-12-01T00:00:00Z").unwrap();
    // From round 3 on, every commit is anchored by a record signed with the log key (kept in LOGKEY),
    // and a checkpoint is signed after round 5, so the sweep flips bytes of those files too.
    let key = hyoka::tlog::note::SignerKey::from_seed("local/kodaira-followup-h26-h27", &[5; 32])
        .unwrap();
    for round in 0..7u32 {
        let mut ledger = hyoka::Ledger::open(&env.ledger(), access).unwrap();
        if round >= 3 {
            ledger.set_log_key(&key).unwrap();
            ledger.use_log_key(key.clone()).unwrap();
            ledger.set_anchoring(true).unwrap();
        }
        for i in 0..(if round == 6 { 10 } else { 30 }) {
            at += 1_000_000_000;
            // The last two remarks are big enough for sled to keep them in blob files.
            let text = match round == 5 && i >= 28 {
                true => format!("大きな備考 {i} {}", "あ".repeat(100_000)),
                false => format!("備考 {round}-{i}"),
            };
            let meta = hyoka::Meta {
                author: "鈴木".into(),
                reason: format!("sweep {round}-{i}"),
                source: None,
                recorded_at: at,
                new_point: false,
                signer: None,
            };
            let change = hyoka::domain::event::Change::RemarkSet {
                item: (1 + (round * 30 + i) % 60).into(),
                period,
                text,
            };
            ledger.append(&meta, &[change]).unwrap();
        }
        // The store takes each round's appends in one commit, but the last round's stay in the journal.
        if round < 6 {
            ledger.settle().unwrap();
        }
        if round == 5 {
            hyoka::evidence::transparency::sign(&ledger, &key, 0, &mut |_, _| {}).unwrap();
        }
    }
}

/// `JOURNAL`, `store/db`, `store/conf`, `store/snap.*` or `store/blobs/*`.
fn kind_of(rel: &Path) -> String {
    let name = rel.to_string_lossy();
    if ["JOURNAL", "HEAD", "ANCHOR", "CHECKPOINT", "LOGKEY"].contains(&name.as_ref()) {
        name.into()
    } else if name.contains("blobs") {
        "store/blobs/*".into()
    } else if name.contains("snap.") {
        "store/snap.*".into()
    } else {
        format!(
            "store/{}",
            rel.file_name().unwrap_or_default().to_string_lossy()
        )
    }
}

/// What `hyoka verify --format json` said about one damaged copy.
fn classify(run: &Run, head: &str, root: &str) -> Result<String, String> {
    // Notes (an unfinished last journal record left in place) may come before the one error line.
    let stderr = run
        .stderr
        .trim_end()
        .lines()
        .filter(|l| !l.starts_with("note: "))
        .collect::<Vec<_>>()
        .join("\n");
    let stderr = stderr.as_str();
    match run.code {
        0 => {
            let json: serde_json::Value = serde_json::from_str(run.stdout.trim())
                .map_err(|e| format!("exit 0 without JSON ({e}): {}", run.stdout))?;
            if json["ok"] == true && json["head_hash"] == head && json["root"] == root {
                Ok("intact (exit 0, same head and root)".into())
            } else {
                Err(format!("a WRONG healthy report: {}", run.stdout))
            }
        }
        3 => {
            let one_line = stderr.lines().count() == 1
                && stderr.starts_with("error: integrity failure: ")
                && stderr.ends_with(
                    "the history cannot be trusted until the ledger is restored from a backup",
                );
            if !one_line || stderr.contains("panicked") || stderr.contains("internal error") {
                return Err(format!("exit 3 without a one-line diagnosis: {stderr}"));
            }
            let json: serde_json::Value = serde_json::from_str(run.stdout.trim())
                .map_err(|e| format!("exit 3 without JSON ({e}): {}", run.stdout))?;
            let kind = json["error"]["kind"].as_str().unwrap_or("?").to_string();
            let how = if stderr.contains("a checksum does not match") {
                ": sled's checksum"
            } else if stderr.contains("does not recognise its files") {
                ": sled refuses its files"
            } else if stderr.contains("crashed") {
                ": sled panicked (caught)"
            } else {
                ""
            };
            Ok(format!("detected (exit 3): {kind}{how}"))
        }
        code => Err(format!("exit {code}: {stderr}")),
    }
}

/// One flipped byte anywhere in the store's files or the journal: `verify` either reports the same head and root
/// (the byte did not matter) or exits 3 with a one-line diagnosis; never a panic, a hang, another
/// exit code or a different healthy report.
#[test]
fn flipped_bytes_in_the_store_are_diagnosed_never_reported_healthy() {
    let flips: usize = std::env::var("HYOKA_SOAK_FLIPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let seed = seed("HYOKA_FLIP_SEED");
    eprintln!("byte-flip sweep: seed {seed} (set HYOKA_FLIP_SEED={seed} to repeat)");
    let env = Env::new();
    build_sweep_ledger(&env);
    let base: serde_json::Value =
        serde_json::from_str(env.run(&["verify", "--format", "json"]).ok()).unwrap();
    let (head, root) = (
        base["head_hash"].as_str().unwrap().to_string(),
        base["root"].as_str().unwrap().to_string(),
    );
    let store = env.ledger().join("store");
    let mut files = Vec::new();
    files_under(&store, &mut files);
    for name in ["HEAD", "ANCHOR", "CHECKPOINT", "LOGKEY", "JOURNAL"] {
        let path = env.ledger().join(name);
        files.push((path.clone(), std::fs::metadata(&path).unwrap().len()));
    }
    assert!(
        files.last().unwrap().1 > 0,
        "the sweep ledger's journal is empty"
    );
    let total: u64 = files.iter().map(|f| f.1).sum();
    let mut kinds: BTreeMap<String, Vec<(PathBuf, u64)>> = BTreeMap::new();
    for (path, len) in &files {
        kinds
            .entry(kind_of(path.strip_prefix(env.ledger()).unwrap()))
            .or_default()
            .push((path.clone(), *len));
    }
    let kinds: Vec<Vec<(PathBuf, u64)>> = kinds.into_values().collect();
    let mut rng = Rng(seed);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_file: BTreeMap<String, usize> = BTreeMap::new();
    let started = Instant::now();
    for n in 0..flips {
        // Each kind of file (db, conf, snapshots, blobs) gets its share of flips, whatever its size.
        let kind = &kinds[n % kinds.len()];
        let (path, len) = kind[rng.below(kind.len() as u64) as usize].clone();
        let offset = rng.below(len);
        let xor = 1 + rng.below(255) as u8;
        let rel = path.strip_prefix(env.ledger()).unwrap().to_path_buf();
        let copy = env.dir.path().join(format!("flip-{n}"));
        copy_dir(&env.ledger(), &copy);
        let target = copy.join(&rel);
        let mut bytes = std::fs::read(&target).unwrap();
        bytes[offset as usize] ^= xor;
        std::fs::write(&target, &bytes).unwrap();
        let run = run_bounded(
            &copy,
            &[],
            &["verify", "--format", "json"],
            Duration::from_secs(60),
        );
        let name = kind_of(&rel);
        match classify(&run, &head, &root) {
            Ok(outcome) => *outcomes.entry(outcome).or_default() += 1,
            Err(e) => panic!(
                "flip {n}: byte {offset} of {name} xor {xor:#04x}: {e} (seed {seed}; rerun with HYOKA_FLIP_SEED={seed})"
            ),
        }
        *per_file.entry(name).or_default() += 1;
        std::fs::remove_dir_all(&copy).unwrap();
    }
    eprintln!(
        "byte-flip sweep: {flips} flips over {} files ({total} bytes) in {:.1?}",
        files.len(),
        started.elapsed()
    );
    for (file, n) in &per_file {
        eprintln!("  flips in {file}: {n}");
    }
    for (outcome, n) in &outcomes {
        eprintln!("  {outcome}: {n}");
    }
}

/// Imports the bundled table into a new ledger at `ledger` (under a time limit).
fn import_seed_bounded(ledger: &Path, limit: Duration) {
    let seed_file = crate::common::seed();
    run_bounded(
        ledger,
        &[("HYOKA_NOW", "2015-11-02T10:00:00+09:00")],
        &["import", &seed_file.to_string_lossy(), "-a", "山田"],
        limit,
    )
    .ok();
}

/// Unmounts on drop, whatever happened.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// Mounts a tmpfs of `size` (e.g. `24m`) at `disk`, unmounted when the guard drops. `None`, with the
/// reason printed, when that is not possible (it needs root).
fn tmpfs(disk: &Path, size: &str, test: &str) -> Option<Mounted> {
    let uid = Command::new("id").arg("-u").output();
    if !uid.is_ok_and(|o| o.stdout.starts_with(b"0\n")) {
        eprintln!("{test} skipped: it mounts a small tmpfs, which needs root");
        return None;
    }
    std::fs::create_dir_all(disk).unwrap();
    let mount = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(disk)
        .output();
    match mount {
        Ok(o) if o.status.success() => Some(Mounted(disk.to_path_buf())),
        other => {
            eprintln!("{test} skipped: cannot mount a tmpfs ({other:?})");
            None
        }
    }
}

/// Writes a filler file until the disk is full; returns its path.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    for block in [1 << 20, 4096, 1] {
        let buf = vec![0u8; block];
        while f.write_all(&buf).is_ok() {}
    }
    let _ = f.sync_all();
    path
}

fn assert_disk_full_error(run: &Run, what: &str) {
    assert_eq!(run.code, 1, "{what}: {}{}", run.stdout, run.stderr);
    let err = run.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
    assert!(
        err.starts_with("error: the disk is full: ")
            && err.contains("free some space")
            && err.contains("or move the ledger to a disk with room (copy its whole directory there with `cp -a` and give the copy as --ledger)"),
        "{what}: {err}"
    );
}

fn events(ledger: &Path) -> u64 {
    let run = run_bounded(
        ledger,
        &[],
        &["verify", "--format", "json"],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, 0, "verify: {}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    json["events"].as_u64().unwrap()
}

/// Appends on a full disk fail with one clear line (never a hang, never "integrity failure"), and the
/// ledger is valid and usable once space is freed. Needs root (a small tmpfs); skipped otherwise.
#[test]
fn a_full_disk_fails_appends_clearly_and_the_ledger_survives() {
    let env = Env::new();
    let disk = env.dir.path().join("disk");
    // 24 MiB: the ledger, plus the 16 MiB hyoka keeps free, plus room to fill.
    let Some(_mounted) = tmpfs(&disk, "24m", "full-disk test") else {
        return;
    };
    let ledger = disk.join("ledger");
    let limit = Duration::from_secs(60);
    import_seed_bounded(&ledger, limit);
    let remark = |n: usize, pad: usize| {
        vec![
            "remark".to_string(),
            (1 + n % 60).to_string(),
            format!("full disk {n} {}", "x".repeat(pad)),
            "--period".into(),
            "H27上半期".into(),
            "-a".into(),
            "鈴木".into(),
            "-m".into(),
            "disk test".into(),
        ]
    };

    // 1. Full: hyoka refuses before its storage engine touches the disk, for writes and reads alike.
    let filler = fill(&disk);
    let args = remark(0, 10);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_bounded(&ledger, &[], &args, limit);
    assert_disk_full_error(&run, "append on a full disk");
    eprintln!("full disk, append: {}", run.stderr.trim_end());
    let run = run_bounded(&ledger, &[], &["verify"], limit);
    assert_disk_full_error(&run, "verify on a full disk");
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(events(&ledger), 358);

    // 2. The disk fills during appends, with the free-space margin turned off: sled itself runs out of
    //    space, or the store refuses to open with less room than sled's own recovery writes (which
    //    the margin cannot lower). The failing append says so in one line and returns (sled 0.34.7
    //    would hang on close).
    let filler = fill(&disk);
    let full = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full.saturating_sub(1 << 20))
        .unwrap();
    let mut acked = 0u64;
    let mut failed = None;
    for n in 1..200 {
        let args = remark(n, 30_000);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_bounded(&ledger, &[("HYOKA_MIN_FREE_BYTES", "0")], &args, limit);
        if run.code == 0 {
            acked += 1;
        } else {
            failed = Some(run);
            break;
        }
    }
    let run = failed.expect("the disk never filled");
    assert_disk_full_error(&run, "append as the disk fills");
    eprintln!(
        "disk filling up: {acked} appends acknowledged, then: {}",
        run.stderr.trim_end()
    );

    // 3. The way out the message gives: the ledger's directory copied with `cp -a` to a disk with room
    //    opens there and verifies with every acknowledged append (the failed one may be there whole,
    //    never in part).
    let moved = env.dir.path().join("moved");
    let cp = Command::new("cp")
        .arg("-a")
        .arg(&ledger)
        .arg(&moved)
        .status();
    assert!(cp.as_ref().is_ok_and(|s| s.success()), "cp -a {cp:?}");
    let n = events(&moved);
    assert!(
        n == 358 + acked || n == 358 + acked + 1,
        "{n} events in the copy after {acked} acknowledged appends"
    );

    // 4. Or space freed: the ledger opens where it is, verifies with every acknowledged append, and
    //    takes new appends.
    std::fs::remove_file(&filler).unwrap();
    let n = events(&ledger);
    assert!(
        n == 358 + acked || n == 358 + acked + 1,
        "{n} events after {acked} acknowledged appends"
    );
    let args = remark(500, 10);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_bounded(&ledger, &[], &args, limit).ok();
    assert_eq!(events(&ledger), n + 1);
}

/// A deleted sled blob file made `verify` (and every reader) exit 1, as if the disk had failed, instead
/// of 3: sled's "No such file or directory" surfaced as an I/O error. A file missing inside the store is
/// damage: exit 3, one line naming what is gone (kind `store_file_missing`).
#[test]
fn a_deleted_sled_blob_file_is_an_integrity_failure_not_an_io_error() {
    let env = Env::new();
    env.run(&[
        "import",
        &crate::common::seed().to_string_lossy(),
        "-a",
        "山田",
    ])
    .ok();
    {
        // A remark of 300 KB: its chunk is over sled's blob threshold (about 128 KiB), so sled keeps it
        // in a file of its own under store/blobs once the journal has moved it into the store.
        let mut ledger = hyoka::Ledger::open(&env.ledger(), hyoka::Access::default()).unwrap();
        let meta = hyoka::Meta {
            author: "鈴木".into(),
            reason: "大きな備考".into(),
            source: None,
            recorded_at: hyoka::domain::when::parse_rfc3339("2015-12-01T00:00:00Z").unwrap(),
            new_point: false,
            signer: None,
        };
        let change = hyoka::domain::event::Change::RemarkSet {
            item: hyoka::domain::item_id::ItemId::from_number(1),
            period: hyoka::domain::period::Period::parse("H27上半期", None).unwrap(),
            text: "あ".repeat(100_000),
        };
        ledger.append(&meta, &[change]).unwrap();
        ledger.settle().unwrap();
    }
    // An open since: sled's snapshot of its page table now points at the blob file (before that, sled
    // finds a missing blob while replaying its log and quietly reads the older page).
    env.run(&["verify"]).ok();
    let blobs = env.ledger().join("store/blobs");
    let listed = |dir: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    let files = listed(&blobs);
    assert!(!files.is_empty(), "no blob file in {}", blobs.display());
    let copy = env.dir.path().join("copy");
    copy_dir(&env.ledger(), &copy);
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let check = |run: &Run, what: &str| {
        let err = run.fails(3).to_string();
        assert_eq!(run.stderr.lines().count(), 1, "{what}: {}", run.stderr);
        assert!(
            err.starts_with(
                "error: integrity failure: the store is missing a file: cannot read the store in "
            ) && err.contains("one of the storage engine's blob files (under blobs/ there")
                && err.ends_with(
                    "the history cannot be trusted until the ledger is restored from a backup"
                ),
            "{what}: {err}"
        );
    };
    check(&env.run(&["verify"]), "verify");
    check(&env.run(&["table"]), "table");
    let run = env.run(&["verify", "--format", "json"]);
    check(&run, "verify --format json");
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(json["error"]["kind"], "store_file_missing", "{json}");
    // The whole blobs directory gone: the same.
    std::fs::remove_dir_all(copy.join("store/blobs")).unwrap();
    check(
        &env.run(&["--ledger", &copy.to_string_lossy(), "verify"]),
        "no blobs directory",
    );
}

/// hyoka's CSV layout: items 1..=`items` under 7 headings, ratings for two periods, and a remark of
/// `remark` characters (3 bytes each) after the item's number.
fn table_csv(items: u32, remark: usize) -> String {
    let mut s = String::from(
        "分類,番号,項目,主な推進担当課,平成26年度上半期,平成26年度末,フォローアップ対象,理由等\n",
    );
    let text = "あ".repeat(remark);
    let grade = |n: u32| ["S", "A", "B"][(n % 3) as usize];
    for n in 1..=items {
        s.push_str(&format!(
            "分類{},{n},項目{n} の取組,担当課{},{},{},,備考{n} {text}\n",
            n % 7,
            n % 13,
            grade(n),
            grade(n + 1)
        ));
    }
    s
}

/// An import too large for the free space left sled's files filling the disk (or the disk too full
/// for hyoka to open the store: below its 16 MiB floor), and the ledger could not be opened. The
/// import now checks the room it may take before writing (`import_room_needed` plus the margin) and
/// refuses in one line (needed against free, and what to do), leaving the ledger as it was.
#[test]
fn an_oversized_import_on_a_nearly_full_disk_is_refused_and_the_ledger_still_opens() {
    let env = Env::new();
    let disk = env.dir.path().join("disk");
    let Some(_mounted) = tmpfs(&disk, "64m", "oversized-import test") else {
        return;
    };
    let ledger = disk.join("ledger");
    let limit = Duration::from_secs(120);
    let small = env.dir.path().join("plan.csv");
    std::fs::write(&small, table_csv(10, 10)).unwrap();
    run_bounded(
        &ledger,
        &[],
        &["import", &small.to_string_lossy(), "-a", "山田"],
        limit,
    )
    .ok();
    let before = events(&ledger);
    // 1,000 items with 6 KB remarks: about 4,000 events and 6 MB of events, which sled stores in
    // about 18 MB (RELIABILITY.md); the estimate is about 29 MiB.
    let big = env.dir.path().join("plan-2.csv");
    std::fs::write(&big, table_csv(1000, 2000)).unwrap();
    let big_arg = big.to_string_lossy().into_owned();
    let import = ["import", big_arg.as_str(), "-a", "山田"];

    // 28 MiB free: the 16 MiB margin and 12 MiB, less than the import takes.
    let filler = fill(&disk);
    let full = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full.saturating_sub(28 << 20))
        .unwrap();
    let run = run_bounded(&ledger, &[], &import, limit);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let err = run.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("error: not enough free space: cannot import plan-2.csv into ")
            && err.contains("events (")
            && err.contains("may take up to ")
            && err.contains("it needs ")
            && err.contains("free, the disk has ")
            && err.contains("nothing was imported")
            && err.contains("free some space on that disk, or use a disk with room")
            && err.contains("copy its whole directory with `cp -a`"),
        "{err}"
    );
    eprintln!("oversized import: {err}");
    // The ledger opens, holds what it held, and takes an append.
    assert_eq!(events(&ledger), before);
    let flag = [
        "flag",
        "1",
        "on",
        "--period",
        "H26年度末",
        "-a",
        "鈴木",
        "-m",
        "disk test",
    ];
    run_bounded(&ledger, &[], &flag, limit).ok();
    assert_eq!(events(&ledger), before + 1);

    // With room, the same import goes through (the file's flags over the one just set).
    std::fs::remove_file(&filler).unwrap();
    let mut import = import.to_vec();
    import.push("--prefer-file");
    run_bounded(
        &ledger,
        &[("HYOKA_NOW", "2016-01-06T10:00:00+09:00")],
        &import,
        limit,
    )
    .ok();
    assert!(events(&ledger) > before + 3000);
}

/// Runs `hyoka ARGS` on `ledger` with its address space limited to `bytes` (RLIMIT_AS).
fn run_in_address_space(ledger: &Path, bytes: u64, args: &[&str]) -> Run {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hyoka"));
    cmd.env("HYOKA_LEDGER", ledger)
        .env("HYOKA_NOW", "2016-01-05T10:00:00+09:00")
        .env_remove("HYOKA_WAIT")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .args(args)
        .stdin(Stdio::null());
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: between fork and exec the closure only calls setrlimit, which is async-signal-safe, and
    // reads the errno it sets.
    unsafe {
        cmd.pre_exec(move || match libc::setrlimit(libc::RLIMIT_AS, &limit) {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
    let out = cmd.output().expect("run hyoka");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A 1000 MB journal (its records, then zeros) was read whole by every open: 1 GB of memory, and
/// `memory allocation of 1000000000 bytes failed` (abort, exit 134) under a 512 MiB address-space
/// limit. It is now read record by record: readers and writers open it within that limit.
#[test]
fn a_ledger_with_a_1000_mb_journal_opens_within_a_512_mib_address_space() {
    let env = Env::new();
    env.run(&[
        "import",
        &crate::common::seed().to_string_lossy(),
        "-a",
        "山田",
    ])
    .ok();
    env.run(&["rate", "12", "H27上半期", "A", "-a", "鈴木", "-m", "訂正"])
        .ok();
    let journal = env.ledger().join("JOURNAL");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&journal)
        .unwrap()
        .set_len(1_000_000_000)
        .unwrap();
    let limit = 512 << 20;
    let verified = run_in_address_space(&env.ledger(), limit, &["verify"]);
    assert!(
        verified.ok().contains("journal only: #358..#358 (1 event)"),
        "{}",
        verified.stdout
    );
    run_in_address_space(
        &env.ledger(),
        limit,
        &["rate", "12", "H27上半期", "B", "-a", "鈴木", "-m", "再訂正"],
    )
    .ok();
    let verified = run_in_address_space(&env.ledger(), limit, &["verify"]);
    assert!(
        verified
            .ok()
            .contains("journal only: #358..#359 (2 events)"),
        "{}",
        verified.stdout
    );
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 1_000_000_000);
}

/// A table file with no size to check first (a device, a pipe, a file that grows) was read to its end:
/// `hyoka import /dev/zero` took memory until none was left (under a 512 MiB limit: `cannot read
/// /dev/zero: out of memory`). The read now stops past 64 MiB.
#[test]
fn an_import_of_an_endless_file_is_refused_in_bounded_memory() {
    let env = Env::new();
    let run = run_in_address_space(
        &env.ledger(),
        512 << 20,
        &["import", "/dev/zero", "-a", "山田"],
    );
    let err = run.fails(1);
    assert!(
        err.contains("/dev/zero holds more than 67108864 bytes, more than a table can be"),
        "{err}"
    );
    assert!(!env.ledger().exists(), "nothing was created");
}

/// Every file under `dir` with its bytes (a ledger's, to show that nothing on a medium changed).
fn contents_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            match std::fs::symlink_metadata(&path).unwrap().is_dir() {
                true => dirs.push(path),
                false => {
                    files.insert(path.clone(), std::fs::read(&path).unwrap());
                }
            }
        }
    }
    files
}

/// An auditor's copy on a read-only medium: `verify`, `table` and `log` read it through a private
/// temporary copy of its files (said on stderr, with its size), print what they printed before it was
/// made read-only, write nothing on the medium, and remove the copy. Needs root (a tmpfs remounted
/// read-only: `chmod -w` does not stop root); skipped otherwise.
#[test]
fn a_ledger_on_read_only_media_verifies_through_a_private_copy() {
    let env = Env::new();
    let disk = env.dir.path().join("medium");
    let Some(_mounted) = tmpfs(&disk, "64m", "read-only media test") else {
        return;
    };
    let ledger = disk.join("ledger");
    let limit = Duration::from_secs(60);
    import_seed_bounded(&ledger, limit);
    let commands: [&[&str]; 3] = [&["verify"], &["table"], &["log"]];
    let before: Vec<String> = commands
        .iter()
        .map(|args| run_bounded(&ledger, &[], args, limit).ok().to_string())
        .collect();
    assert!(before[0].contains("ok: verified #0..#357"), "{}", before[0]);
    let files = contents_under(&disk);

    let remount = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk)
        .output();
    if !remount.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("read-only media test skipped: cannot remount the tmpfs read-only ({remount:?})");
        return;
    }
    assert!(
        std::fs::write(disk.join("probe"), b"x").is_err(),
        "the medium is not read-only"
    );

    for (args, before) in commands.iter().zip(&before) {
        let run = run_bounded(&ledger, &[], args, limit);
        assert_eq!(run.ok(), before, "hyoka {args:?} printed something else");
        let note = run
            .stderr
            .lines()
            .find(|l| l.starts_with("note: the ledger is on a read-only file system; reading a private copy of it ("))
            .unwrap_or_else(|| panic!("no note: {}", run.stderr));
        assert!(note.contains(" MiB) in "), "{note}");
        assert_eq!(
            note.contains("verifying it verifies them"),
            args[0] == "verify",
            "{note}"
        );
        let copy = note
            .split(" in ")
            .nth(1)
            .and_then(|s| s.split(", removed afterwards").next())
            .unwrap();
        assert!(
            !Path::new(copy).starts_with(&disk),
            "the copy is on the medium: {note}"
        );
        assert!(
            !Path::new(copy).exists(),
            "the private copy was left behind: {note}"
        );
    }
    assert!(
        contents_under(&disk) == files,
        "a file on the medium changed"
    );
}
