//! Kill loop: a child process appends to a ledger and is killed with SIGKILL at random moments; after
//! every kill the ledger must open, `verify` must pass, every append whose acknowledgement the child
//! printed must be there, and nothing unacknowledged may be half there (a batch is all or nothing).
//!
//! The test binary re-executes itself as the child (`--exact <test> --nocapture` with
//! `HYOKA_KILL_LOOP_ROLE` set). The child appends through the library and prints, each line flushed:
//!
//! - `opening` before it opens the ledger, `open <len>` after;
//! - `try <first> <n>` before a batch of `n` events starting at seq `first`, `ack <first> <n>` once
//!   `append` returned (the events are durable);
//! - `pushed <i>` from inside the change iterator given to `Ledger::append_iter` (batch role), and
//!   `end` when the iterator is exhausted (the store commits and fsyncs right after).
//!
//! The parent reads a random number of lines (seeded; the seed is printed on failure and can be set
//! with `HYOKA_KILL_SEED`), kills, reads what the child had printed before dying, and checks. No sleeps
//! order anything: kills happen at line boundaries, plus a random busy-wait jitter while the child
//! opens the ledger. `HYOKA_SOAK_KILLS=N` runs about N kills in total instead of the short default.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hyoka::domain::event::Change;
use hyoka::domain::period::{Part, Period};
use hyoka::{Access, Error, Ledger, Meta};

const ROLE: &str = "HYOKA_KILL_LOOP_ROLE";
const DIR: &str = "HYOKA_KILL_LOOP_DIR";
const CHILD_SEED: &str = "HYOKA_KILL_LOOP_SEED";
/// The recorded time of seq N is BASE_NS + N (never earlier than the previous event).
const BASE_NS: i64 = 1_446_000_000_000_000_000;
/// Events of the batch that creates a ledger: plan, heading, three items.
const CREATE_EVENTS: u64 = 5;

/// The kill loop's log key (fixed: every child of a run holds the same one).
fn log_key() -> hyoka::tlog::note::SignerKey {
    hyoka::tlog::note::SignerKey::from_seed("example/kill-loop", &[7; 32])
        .expect("a valid key name")
}

/// splitmix64: small, seedable, good enough to pick kill points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn seed() -> u64 {
    std::env::var("HYOKA_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Kills for one test: `default` normally, its share of `HYOKA_SOAK_KILLS` in a soak (`share` percent).
fn kills(default: usize, share: usize) -> usize {
    match std::env::var("HYOKA_SOAK_KILLS")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
    {
        Some(total) => (total * share / 100).max(1),
        None => default,
    }
}

fn period() -> Period {
    Period {
        fiscal_year: 2015,
        part: Part::FirstHalf,
    }
}

/// The change the child writes as event `seq`: a remark that names its seq, padded with dots.
fn change_for(seq: u64, pad: usize) -> Change {
    Change::RemarkSet {
        item: (1 + (seq % 3) as u32).into(),
        period: period(),
        text: format!("kill-loop {seq} {}", ".".repeat(pad)),
    }
}

fn meta(first: u64, reason: String) -> Meta {
    Meta {
        author: "kill-loop".into(),
        reason,
        source: None,
        recorded_at: BASE_NS + first as i64,
        new_point: false,
        signer: None,
    }
}

// ---------------------------------------------------------------------------------------------------
// The child.

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe means the parent is gone: nothing left to do.
    if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
        std::process::exit(0);
    }
}

fn die(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("child: {what}: {e}");
    std::process::exit(2);
}

/// Runs the child role if this process is a child; returns otherwise.
fn child_if_asked() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os(DIR).unwrap_or_default());
    let mut rng = Rng(std::env::var(CHILD_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1));
    // A small journal: its move into the engine happens every few appends, so kills land in it too.
    let access = Access {
        wait: Duration::from_secs(20),
        journal_tail: Some(8 * 1024),
        ..Access::default()
    };
    say("opening");
    let mut ledger = match Ledger::open(&dir, access) {
        Ok(l) => l,
        Err(Error::NotInitialised(_)) => {
            say(&format!("try 0 {CREATE_EVENTS}"));
            let plan = Change::PlanDefined {
                name: "kill loop".into(),
                grades: vec!["S".into(), "A".into(), "B".into()],
                default_era: None,
                origin: "example/kill-loop".into(),
                cadence: Default::default(),
                years: None,
            };
            let mut more = vec![Change::CategoryAdded { name: "c".into() }];
            for number in 1..=3 {
                more.push(Change::ItemRegistered {
                    id: number.into(),
                    title: format!("item {number}"),
                    department: "d".into(),
                    category: "c".into(),
                    relisting_of: None,
                    from: None,
                    after: None,
                });
            }
            let l = Ledger::create(&dir, &meta(0, "create".into()), plan, &more, access)
                .unwrap_or_else(|e| die("create", e));
            say(&format!("ack 0 {CREATE_EVENTS}"));
            l
        }
        Err(e) => die("open", e),
    };
    // Anchoring, chosen per child: none, an anchor record after every commit, or one signed with the
    // log key after every commit (kills then land in those writes too).
    match rng.below(3) {
        1 => ledger
            .set_anchoring(true)
            .unwrap_or_else(|e| die("anchor on", e)),
        2 => {
            let key = log_key();
            ledger
                .set_log_key(&key)
                .unwrap_or_else(|e| die("set the log key", e));
            ledger
                .use_log_key(key)
                .unwrap_or_else(|e| die("use the log key", e));
            ledger.anchor().unwrap_or_else(|e| die("anchor", e));
        }
        _ => {}
    }
    say(&format!("open {}", ledger.len()));
    loop {
        let first = ledger.len();
        match role.as_str() {
            "append" => {
                say(&format!("try {first} 1"));
                ledger
                    .append(
                        &meta(first, format!("batch {first}")),
                        &[change_for(first, 0)],
                    )
                    .unwrap_or_else(|e| die("append", e));
                say(&format!("ack {first} 1"));
            }
            _ => {
                // Mostly small batches; now and then one over 4 MiB, which the store hands to sled in
                // several writes before the commit record.
                let (n, pad) = if rng.chance(8) {
                    (560, 8000)
                } else {
                    (1 + rng.below(150), rng.below(64) as usize)
                };
                say(&format!("try {first} {n}"));
                let mut i = 0u64;
                let mut changes = std::iter::from_fn(|| {
                    if i == n {
                        say("end");
                        return None;
                    }
                    say(&format!("pushed {i}"));
                    let c = change_for(first + i, pad);
                    i += 1;
                    Some(Ok(c))
                });
                ledger
                    .append_iter(&meta(first, format!("batch {first}")), &mut changes)
                    .unwrap_or_else(|e| die("append_iter", e));
                say(&format!("ack {first} {n}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The parent.

/// What the parent knows about one ledger across kills.
struct Tracked {
    dir: PathBuf,
    /// Events present and checked after the last kill.
    len: u64,
    /// Unfinished journal records cut off (and kept aside) after kills.
    cuts: u64,
}

/// What a killed child printed.
#[derive(Default, Debug)]
struct Printed {
    opened: Option<u64>,
    tried: Vec<(u64, u64)>,
    acked: Vec<(u64, u64)>,
}

impl Printed {
    fn take(&mut self, line: &str) {
        let mut w = line.split_whitespace();
        let num = |s: Option<&str>| s.and_then(|s| s.parse::<u64>().ok());
        match w.next() {
            Some("open") => self.opened = num(w.next()),
            Some("try") => {
                if let (Some(a), Some(b)) = (num(w.next()), num(w.next())) {
                    self.tried.push((a, b));
                }
            }
            Some("ack") => {
                if let (Some(a), Some(b)) = (num(w.next()), num(w.next())) {
                    self.acked.push((a, b));
                }
            }
            _ => {}
        }
    }
}

/// How long a child may stay silent before the test gives up on it.
const SILENCE: Duration = Duration::from_secs(60);

struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    printed: Printed,
}

impl Running {
    fn spawn(test: &str, role: &str, dir: &Path, child_seed: u64) -> Running {
        let exe = std::env::current_exe().expect("test binary");
        let mut child = Command::new(exe)
            .args(["--exact", test, "--nocapture", "--test-threads", "1"])
            .env(ROLE, role)
            .env(DIR, dir)
            .env(CHILD_SEED, child_seed.to_string())
            .env_remove("HYOKA_SOAK_KILLS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the child");
        let out = BufReader::new(child.stdout.take().expect("stdout"));
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                // libtest prints `test NAME ... ` without a newline before the child's first line.
                let line = match line.split_once(" ... ") {
                    Some((_, rest)) => rest.to_string(),
                    None => line,
                };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            printed: Printed::default(),
        }
    }

    fn ended(&mut self, why: &str) -> String {
        let _ = self.child.kill();
        let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut err);
        }
        format!("{why} ({status}): {err}")
    }

    /// Reads one line; `Err` with the child's stderr if it ended on its own or fell silent.
    fn line(&mut self) -> Result<String, String> {
        match self.lines.recv_timeout(SILENCE) {
            Ok(line) => {
                self.printed.take(&line);
                Ok(line)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(self.ended(&format!("the child printed nothing for {SILENCE:?}")))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(self.ended("the child ended by itself"))
            }
        }
    }

    /// Reads lines until one satisfies `stop`.
    fn until(&mut self, stop: &mut dyn FnMut(&str) -> bool) -> Result<(), String> {
        loop {
            if stop(&self.line()?) {
                return Ok(());
            }
        }
    }

    /// SIGKILL, then everything the child printed before it died.
    fn kill(mut self) -> Printed {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(line) = self.lines.recv_timeout(SILENCE) {
            self.printed.take(&line);
        }
        self.printed
    }
}

/// Checks a ledger after a kill against what the child printed; updates `t.len`.
fn check_after_kill(t: &mut Tracked, p: &Printed) -> Result<(), String> {
    let acked_to = p.acked.iter().map(|&(f, n)| f + n).max().unwrap_or(0);
    let access = Access {
        wait: Duration::from_secs(20),
        ..Access::default()
    };
    // A reader first: it verifies what the kill left and changes none of hyoka's files.
    let files = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        (name, std::fs::read(e.path()).unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    };
    let before = files(&t.dir);
    match Ledger::open_read(&t.dir, access) {
        Ok(r) => {
            r.verify(&mut |_, _| {})
                .map_err(|e| format!("verify (reading) fails after a kill: {e}"))?;
        }
        Err(Error::NotInitialised(_)) if t.len == 0 && acked_to == 0 => {}
        Err(e) => {
            return Err(format!(
                "the ledger does not open to read after a kill: {e}"
            ));
        }
    }
    if files(&t.dir) != before {
        return Err("a reader changed a file of the ledger directory".into());
    }
    let ledger = match Ledger::open(&t.dir, access) {
        Ok(l) => l,
        Err(Error::NotInitialised(_)) if t.len == 0 && acked_to == 0 => return Ok(()),
        Err(e) => return Err(format!("the ledger does not open after a kill: {e}")),
    };
    if let Some(hyoka::store::journal::Recovery::Cut {
        file,
        bytes,
        first_seq,
    }) = ledger.recovery()
    {
        let kept = std::fs::read(t.dir.join(file))
            .map_err(|e| format!("the cut bytes' file {file} is not there: {e}"))?;
        if kept.len() as u64 != *bytes || *first_seq != ledger.len() {
            return Err(format!(
                "the cut bytes' file {file} holds {} bytes from #{first_seq}; {bytes} bytes were cut at #{}",
                kept.len(),
                ledger.len()
            ));
        }
        t.cuts += 1;
    }
    let report = ledger
        .verify(&mut |_, _| {})
        .map_err(|e| format!("verify fails after a kill: {e}"))?;
    let len = ledger.len();
    if report.vouched.events > len {
        return Err(format!(
            "{} events vouched for of {len}",
            report.vouched.events
        ));
    }
    if report.events != len {
        return Err(format!("verify checked {} of {len} events", report.events));
    }
    if len < acked_to.max(t.len) {
        return Err(format!(
            "acknowledged events are lost: the ledger holds {len} events, {} were acknowledged",
            acked_to.max(t.len)
        ));
    }
    let created = t.len == 0 && p.acked.contains(&(0, CREATE_EVENTS));
    if let Some(o) = p.opened
        && o != t.len
        && !(created && o == CREATE_EVENTS)
    {
        return Err(format!("the child opened {o} events, {} were there", t.len));
    }
    // The ledger must end exactly where it ended before, or at the end of a batch the child tried.
    let batch_of = |seq: u64| p.tried.iter().find(|&&(f, n)| f <= seq && seq < f + n);
    if len != t.len && !p.tried.iter().any(|&(f, n)| f + n == len) {
        return Err(format!(
            "half a batch is there: the ledger holds {len} events; the batches tried were {:?}",
            p.tried
        ));
    }
    ledger
        .scan(t.len, len, &mut |e| {
            let seq = e.event.seq;
            let Some(&(first, _)) = batch_of(seq) else {
                return Err(Error::Internal(format!("event {seq} was never tried")));
            };
            let want_reason = if first == 0 { "create" } else { "batch" };
            let ok = e.event.author == "kill-loop"
                && e.event.reason.starts_with(want_reason)
                && e.event.recorded_at == BASE_NS + first as i64
                && match (&e.event.change, first) {
                    (_, 0) => true,
                    (Change::RemarkSet { item, text, .. }, _) => {
                        let prefix = format!("kill-loop {seq} ");
                        *item == 1 + (seq % 3) as u32
                            && e.event.reason == format!("batch {first}")
                            && text
                                .strip_prefix(&prefix)
                                .is_some_and(|rest| rest.bytes().all(|b| b == b'.'))
                    }
                    _ => false,
                };
            match ok {
                true => Ok(true),
                false => Err(Error::Internal(format!(
                    "event {seq} is not what was written"
                ))),
            }
        })
        .map_err(|e| e.to_string())?;
    t.len = len;
    Ok(())
}

/// Runs `body` with a seeded generator; on failure the panic names the seed.
fn with_seed(name: &str, body: impl FnOnce(&mut Rng) -> Result<String, String>) {
    let seed = seed();
    eprintln!("{name}: seed {seed} (set HYOKA_KILL_SEED={seed} to repeat)");
    let started = Instant::now();
    match body(&mut Rng(seed)) {
        Ok(summary) => eprintln!("{name}: {summary} in {:.1?}", started.elapsed()),
        Err(e) => panic!("{name}: {e} (seed {seed}; rerun with HYOKA_KILL_SEED={seed})"),
    }
}

/// Busy-waits `d` (jitter only: it orders nothing).
fn spin(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// Single appends, killed during start-up, while opening, or between and inside appends.
#[test]
fn kill_loop_appends() {
    child_if_asked();
    const NAME: &str = "test_kill_loop::kill_loop_appends";
    with_seed(NAME, |rng| {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let total = kills(140, 50);
        let mut t = Tracked {
            dir: tmp.path().join("g0"),
            len: 0,
            cuts: 0,
        };
        let mut open_time = Duration::from_millis(5);
        let (mut at_spawn, mut in_open, mut in_appends) = (0, 0, 0);
        for k in 0..total {
            if k > 0 && k % 45 == 0 {
                t = Tracked {
                    dir: tmp.path().join(format!("g{k}")),
                    len: 0,
                    cuts: t.cuts,
                };
            }
            let mut run = Running::spawn(NAME, "append", &t.dir, rng.next());
            let mode = rng.below(100);
            if mode < 10 {
                at_spawn += 1;
            } else if mode < 35 {
                in_open += 1;
                run.until(&mut |l| l == "opening")?;
                spin(open_time.mul_f64(rng.below(1200) as f64 / 1000.0));
            } else {
                in_appends += 1;
                run.until(&mut |l| l == "opening")?;
                let t0 = Instant::now();
                run.until(&mut |l| l.starts_with("open "))?;
                open_time = open_time.mul_f64(0.8) + t0.elapsed().mul_f64(0.2);
                let acks = rng.below(8);
                let mut seen = 0;
                run.until(&mut |l| {
                    seen += u64::from(l.starts_with("ack "));
                    seen >= acks
                })?;
                if rng.chance(50) {
                    // Inside the next append rather than right after an acknowledgement.
                    run.until(&mut |l| l.starts_with("try "))?;
                }
            }
            let printed = run.kill();
            check_after_kill(&mut t, &printed).map_err(|e| format!("kill {k}: {e}"))?;
        }
        Ok(format!(
            "{total} kills survived ({at_spawn} at start-up, {in_open} while opening, {in_appends} among appends; {} unfinished records kept aside and cut)",
            t.cuts
        ))
    });
}

/// Batches through `append_iter`, killed in the middle, right after the last push (during the commit
/// and its fsyncs), and between batches; now and then a batch over 4 MiB.
#[test]
fn kill_loop_batches() {
    child_if_asked();
    const NAME: &str = "test_kill_loop::kill_loop_batches";
    with_seed(NAME, |rng| {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let total = kills(100, 40);
        let mut t = Tracked {
            dir: tmp.path().join("g0"),
            len: 0,
            cuts: 0,
        };
        let (mut mid, mut at_end, mut after) = (0, 0, 0);
        for k in 0..total {
            if k > 0 && k % 30 == 0 {
                t = Tracked {
                    dir: tmp.path().join(format!("g{k}")),
                    len: 0,
                    cuts: t.cuts,
                };
            }
            let mut run = Running::spawn(NAME, "batch", &t.dir, rng.next());
            run.until(&mut |l| l.starts_with("open "))?;
            // Let 0..2 batches complete first.
            let skip = rng.below(3);
            let mut acks = 0;
            if skip > 0 {
                run.until(&mut |l| {
                    acks += u64::from(l.starts_with("ack "));
                    acks >= skip
                })?;
            }
            let mut n = 0;
            run.until(&mut |l| match l.strip_prefix("try ") {
                Some(rest) => {
                    n = rest
                        .split(' ')
                        .nth(1)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(1);
                    true
                }
                None => false,
            })?;
            match rng.below(100) {
                0..60 => {
                    mid += 1;
                    let target = format!("pushed {}", rng.below(n));
                    run.until(&mut |l| l == target)?;
                }
                60..85 => {
                    at_end += 1;
                    run.until(&mut |l| l == "end")?;
                }
                _ => {
                    after += 1;
                    run.until(&mut |l| l.starts_with("ack "))?;
                }
            }
            let printed = run.kill();
            check_after_kill(&mut t, &printed).map_err(|e| format!("kill {k}: {e}"))?;
        }
        Ok(format!(
            "{total} kills survived ({mid} mid-batch, {at_end} after the last push, {after} after an acknowledgement; {} unfinished records kept aside and cut)",
            t.cuts
        ))
    });
}

fn hyoka_cmd(dir: &Path, now: &str, file: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hyoka"));
    c.env("HYOKA_LEDGER", dir)
        .env("HYOKA_NOW", now)
        .env("HYOKA_WAIT", "20")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .args(["import", file, "-a", "山田"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

const SEED_FILE: &str = "kodaira-followup-h26-h27.tsv";
const V2_FILE: &str = "kodaira-followup-h26-h27-v2.tsv";
const SEED_NOW: &str = "2015-11-02T10:00:00+09:00";
const V2_NOW: &str = "2016-05-02T10:00:00+09:00";

/// Runs an import to the end; returns its duration.
fn import_fully(dir: &Path, now: &str, file: &str) -> Result<Duration, String> {
    let t0 = Instant::now();
    let out = hyoka_cmd(dir, now, file)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "import of {file} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(t0.elapsed())
}

fn ledger_len(dir: &Path) -> Result<Option<u64>, String> {
    match Ledger::open(
        dir,
        Access {
            wait: Duration::from_secs(20),
            ..Access::default()
        },
    ) {
        Ok(l) => {
            l.verify(&mut |_, _| {})
                .map_err(|e| format!("verify fails after a killed import: {e}"))?;
            Ok(Some(l.len()))
        }
        Err(Error::NotInitialised(_)) => Ok(None),
        Err(e) => Err(format!(
            "the ledger does not open after a killed import: {e}"
        )),
    }
}

/// `hyoka import` (one atomic batch) killed at a random moment: the ledger holds all of the file or
/// none of it, and running the import again finishes the job.
#[test]
fn kill_loop_imports() {
    const NAME: &str = "test_kill_loop::kill_loop_imports";
    with_seed(NAME, |rng| {
        let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
        let cal = tmp.path().join("calibration");
        let t_seed = import_fully(&cal, SEED_NOW, SEED_FILE)?;
        let seed_len = ledger_len(&cal)?.unwrap_or(0);
        let t_v2 = import_fully(&cal, V2_NOW, V2_FILE)?;
        let v2_len = ledger_len(&cal)?.unwrap_or(0);
        if v2_len <= seed_len {
            return Err(format!(
                "the v2 import added nothing ({seed_len} → {v2_len})"
            ));
        }
        let rounds = kills(30, 10).div_ceil(2);
        let (mut none, mut all, mut total) = (0, 0, 0);
        for r in 0..rounds {
            let dir = tmp.path().join(format!("r{r}"));
            for (file, now, took, before, after) in [
                (SEED_FILE, SEED_NOW, t_seed, None, seed_len),
                (V2_FILE, V2_NOW, t_v2, Some(seed_len), v2_len),
            ] {
                let mut child = hyoka_cmd(&dir, now, file)
                    .spawn()
                    .map_err(|e| e.to_string())?;
                spin(took.mul_f64(rng.below(1100) as f64 / 1000.0));
                let _ = child.kill();
                let out = child.wait_with_output().map_err(|e| e.to_string())?;
                total += 1;
                let acknowledged = String::from_utf8_lossy(&out.stdout).contains("recorded ");
                let len = ledger_len(&dir)?;
                if len == before {
                    if acknowledged {
                        return Err(format!(
                            "round {r}: an acknowledged import of {file} is lost"
                        ));
                    }
                    none += 1;
                    import_fully(&dir, now, file)
                        .map_err(|e| format!("round {r}: after a killed import: {e}"))?;
                    if ledger_len(&dir)? != Some(after) {
                        return Err(format!(
                            "round {r}: the repeated import of {file} is incomplete"
                        ));
                    }
                } else if len == Some(after) {
                    all += 1;
                } else {
                    return Err(format!(
                        "round {r}: part of the import of {file} is there: {len:?} events, expected {before:?} or {after}"
                    ));
                }
            }
        }
        Ok(format!(
            "{total} kills survived ({none} left nothing and the import was repeated, {all} left the whole file)"
        ))
    });
}
