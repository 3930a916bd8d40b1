//! National-scale benchmark of hyoka against a SQLite baseline, in the same run.
//!
//! ```text
//! cargo bench --bench scale                        # 10k and 100k events (a few minutes)
//! cargo bench --bench scale -- --events 1000000    # 10k, 100k and 1M events: the target run
//! ```
//!
//! Options: `--events N` (largest log; the ladder 10k, 100k, 1M, ... up to N is run), `--full` (=
//! `--events 1000000`), `--appends K` (durable single appends, default 15,000: enough that hyoka's
//! journal is moved into its store once during the run, as it is every ~8 MiB of appends, so the rate
//! includes that move), `--seed S` (default 1),
//! `--batch B` (events per bulk batch, default 100000), `--dir D` (work directory, default a temporary
//! directory inside cargo's target directory, so both systems use the same disk), `--no-cli`.
//!
//! Each measure prints one JSON line to stdout:
//! `{"measure": "...", "events": N, "hyoka": X, "sqlite": Y, "unit": "...", "ratio": R}` where R > 1
//! means hyoka is better (X/Y for rates, Y/X for times, memory and bytes). Text goes to stderr.
//!
//! Every phase of every system runs in its own child process (this binary re-executed with `--child`),
//! so that its peak resident memory (VmHWM) is its own and no system warms the other's caches.

mod baseline;
mod workload;

/// Threads appending at once in the group-commit measure.
const GROUP_THREADS: u64 = 4;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hyoka::domain::event;
use hyoka::tlog::merkle;
use hyoka::views::audit::Selection;
use hyoka::{Access, Ledger, views};
use serde_json::{Value, json};

use baseline::R;
use workload::{Generator, PeopleBatches, Singles};

#[derive(Debug, Clone)]
struct Opts {
    events: u64,
    appends: u64,
    seed: u64,
    batch: u64,
    dir: Option<PathBuf>,
    child: Option<String>,
    cli: bool,
}

fn parse_opts() -> R<Opts> {
    let mut o = Opts {
        events: 100_000,
        appends: 15_000,
        seed: 1,
        batch: 100_000,
        dir: None,
        child: None,
        cli: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--events" => o.events = val("--events")?.replace('_', "").parse()?,
            "--full" => o.events = 1_000_000,
            "--appends" => o.appends = val("--appends")?.parse()?,
            "--seed" => o.seed = val("--seed")?.parse()?,
            "--batch" => o.batch = val("--batch")?.parse()?,
            "--dir" => o.dir = Some(val("--dir")?.into()),
            "--child" => o.child = Some(val("--child")?),
            "--no-cli" => o.cli = false,
            // cargo bench passes --bench to harness=false benches.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    o.events = o.events.max(workload::SETUP_EVENTS + 1);
    Ok(o)
}

fn main() {
    let r = parse_opts().and_then(|o| match o.child.clone() {
        Some(c) => child(&o, &c),
        None => orchestrate(&o),
    });
    if let Err(e) = r {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------------------
// Child processes: one phase of one system.

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn digest(v: &impl serde::Serialize) -> R<String> {
    let bytes = serde_json::to_vec(v)?;
    Ok(blake3::hash(&bytes).to_hex().to_string())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn child(o: &Opts, spec: &str) -> R<()> {
    let (system, phase) = spec.split_once(':').ok_or("bad --child")?;
    let dir = o.dir.clone().ok_or("--dir is required")?;
    let n = o.events;
    let mut out = match system {
        "hyoka" => hyoka_phase(o, phase, &dir, n)?,
        "sqlite" => sqlite_phase(o, phase, &dir, n)?,
        _ => return Err("unknown system".into()),
    };
    out["peak_rss_kib"] = json!(peak_rss_kib());
    println!("RESULT {out}");
    Ok(())
}

const HISTORY_ITEM: u32 = 1_000;

fn hyoka_phase(o: &Opts, phase: &str, dir: &Path, n: u64) -> R<Value> {
    let access = Access::default();
    match phase {
        "import" => {
            let t = Instant::now();
            let mut g = Generator::new(o.seed, n);
            let meta = g.meta();
            let (plan, more) = g.setup();
            let mut l = Ledger::create(dir, &meta, plan, &more, access)?;
            drop(more);
            while g.remaining() > 0 {
                let k = g.remaining().min(o.batch);
                let meta = g.meta();
                l.append_iter(&meta, &mut (0..k).map(|_| Ok(g.change())))?;
            }
            let secs = t.elapsed().as_secs_f64();
            Ok(json!({"secs": secs, "head": event::hex(&l.head_hash()), "events": l.len()}))
        }
        "import_people" => {
            let t = Instant::now();
            let (mut p, meta, plan, more) = PeopleBatches::new(o.seed, n, o.batch);
            let mut l = Ledger::create(dir, &meta, plan, &more, access)?;
            drop(more);
            let mut batches = 1u64;
            while let Some((meta, changes)) = p.next_batch() {
                l.append(&meta, &changes)?;
                batches += 1;
            }
            let secs = t.elapsed().as_secs_f64();
            Ok(
                json!({"secs": secs, "head": event::hex(&l.head_hash()), "events": l.len(),
                      "batches": batches}),
            )
        }
        "breakdown_people" => {
            // One thread, outside verify: what the signature check of each signed event costs
            // (`signing::check`, the one definition of a valid signature), and its parts: parsing the
            // signer's recorded key, and the Ed25519 verification alone.
            use hyoka::ledger::signing;
            use hyoka::store::Store;
            let total = Ledger::open(dir, access)?.len();
            let store = hyoka::store::sled_store::SledStore::open(&dir.join("store"))?;
            let mut state = hyoka::domain::state::State::default();
            let (mut signed, mut check_s, mut parse_s, mut ed_s) = (0u64, 0f64, 0f64, 0f64);
            let mut err: Option<String> = None;
            store.scan_events(0, total, &mut |_, b| {
                let r = (|| -> R<()> {
                    let e = event::decode(b)?;
                    let t = Instant::now();
                    signing::check(&state, b, &e)?;
                    let took = t.elapsed().as_secs_f64();
                    if let Some(sig) = &e.signature {
                        signed += 1;
                        check_s += took;
                        let text = signing::signer_vkey(&state, &e.author, &e.change)?;
                        let t = Instant::now();
                        let key = hyoka::tlog::note::VerifierKey::parse(text)?;
                        parse_s += t.elapsed().as_secs_f64();
                        let mut msg = signing::SIGNATURE_CONTEXT.to_vec();
                        msg.extend_from_slice(&b[..b.len() - 1 - 8 - event::SIGNATURE_LEN]);
                        msg.push(0);
                        let t = Instant::now();
                        if !key.verify(&msg, &sig[4..]) {
                            return Err("a signature does not verify".into());
                        }
                        ed_s += t.elapsed().as_secs_f64();
                    }
                    state.authorize(&e.author, &e.change)?;
                    state.apply(&e.change)?;
                    Ok(())
                })();
                match r {
                    Ok(()) => Ok(true),
                    Err(e) => {
                        err = Some(e.to_string());
                        Ok(false)
                    }
                }
            })?;
            if let Some(e) = err {
                return Err(e.into());
            }
            let per = |s: f64| s * 1e6 / signed.max(1) as f64;
            Ok(
                json!({"signed": signed, "check_us": per(check_s), "parse_us": per(parse_s),
                      "ed25519_us": per(ed_s)}),
            )
        }
        "verify" => {
            let t = Instant::now();
            let l = Ledger::open(dir, access)?;
            let open_ms = ms(t);
            let t = Instant::now();
            let r = l.verify(&mut |_, _| {})?;
            let secs = t.elapsed().as_secs_f64();
            Ok(
                json!({"secs": secs, "open_ms": open_ms, "root": event::hex(&r.root), "events": r.events}),
            )
        }
        "table_head" => {
            let l = Ledger::open(dir, access)?;
            let t = Instant::now();
            let view = views::table(&l.state()?, None);
            let ms = ms(t);
            Ok(json!({"ms": ms, "check": digest(&view)?, "rows": view.items.len()}))
        }
        "table_old" => {
            let l = Ledger::open(dir, access)?;
            let t = Instant::now();
            // The state-only path the `table` command uses (from the nearest snapshot).
            let (state, _) = l.state_for(&Selection {
                through: Some(n / 2),
                ..Selection::default()
            })?;
            let view = views::table(&state, None);
            let ms = ms(t);
            Ok(json!({"ms": ms, "check": digest(&view)?, "rows": view.items.len()}))
        }
        "history" => {
            let l = Ledger::open(dir, access)?;
            let t = Instant::now();
            let h = l.history(&HISTORY_ITEM.into(), None)?;
            let ms = ms(t);
            // Outside the timing: the indexed history must be the full fold's.
            let full = l.history_by_full_fold(&HISTORY_ITEM.into(), None)?;
            if h != full {
                let at = h.iter().zip(&full).position(|(a, b)| a != b);
                return Err(format!(
                    "history through the index differs from the full fold: {} vs {} entries, first difference at {at:?}: {:?} vs {:?}",
                    h.len(),
                    full.len(),
                    at.and_then(|i| h.get(i)),
                    at.and_then(|i| full.get(i)),
                )
                .into());
            }
            Ok(json!({"ms": ms, "check": digest(&h)?, "entries": h.len()}))
        }
        "proof" => {
            let l = Ledger::open(dir, access)?;
            let mut times = Vec::new();
            let mut check = Vec::new();
            for k in 0..21u64 {
                let index = (n / 3 + k * 7_919) % n;
                let t = Instant::now();
                let proof = l.prove_inclusion(index, n)?;
                let root = l.tree_root(n)?;
                let leaf = merkle::leaf_hash(&l.event(index)?.hash);
                merkle::check_record(&proof, n, &root, index, &leaf)?;
                times.push(ms(t));
                check.push(proof.len());
            }
            proof_result(times, &check)
        }
        "appends" => {
            let mut l = Ledger::open(dir, access)?;
            let mut s = Singles::new(o.seed);
            let t = Instant::now();
            let (meta, change) = s.next(l.current()?);
            l.append(&meta, &[change])?;
            let first_ms = ms(t);
            let t = Instant::now();
            for _ in 0..o.appends {
                let (meta, change) = s.next(l.current()?);
                l.append(&meta, &[change])?;
            }
            let secs = t.elapsed().as_secs_f64();
            // The journal's events are moved into the store later, in bulk: that move is timed
            // here and charged to the appends in the parent (see `amortised`).
            let journaled = l.journaled_events();
            let t = Instant::now();
            l.settle()?;
            let settle_ms = ms(t);
            Ok(
                json!({"rate": o.appends as f64 / secs, "first_ms": first_ms,
                      "journaled": journaled, "settle_ms": settle_ms,
                      "head": event::hex(&l.head_hash())}),
            )
        }
        "appends_anchored" | "appends_signed" => {
            // The same durable single appends, each anchored: in the head record (one more durable
            // write per commit), or by a checkpoint signed with the log key (a signature and one more
            // durable write per commit).
            let mut l = Ledger::open(dir, access)?;
            if phase == "appends_anchored" {
                l.set_anchoring(true)?;
            } else {
                let origin = l.origin()?;
                let key = hyoka::tlog::note::SignerKey::from_seed(&origin, &[42; 32])?;
                l.set_log_key(&key)?;
                l.use_log_key(key)?;
            }
            let mut s = Singles::new(o.seed ^ phase.len() as u64);
            let k = (o.appends / 3).max(1);
            // After the plain appends' times (one second apart from T_APPENDS), never behind them.
            let round = if phase == "appends_anchored" { 1 } else { 2 };
            let offset = round * (o.appends as i64 + 10) * 1_000_000_000;
            let t = Instant::now();
            for _ in 0..k {
                let (mut meta, change) = s.next(l.current()?);
                meta.recorded_at += offset;
                l.append(&meta, &[change])?;
            }
            let secs = t.elapsed().as_secs_f64();
            let vouched = l.vouched().events == l.len();
            if phase == "appends_anchored" {
                l.set_anchoring(false)?;
            }
            if !vouched {
                return Err(
                    "an anchored append left events the directory does not vouch for".into(),
                );
            }
            Ok(json!({"rate": k as f64 / secs, "appends": k}))
        }
        "group" => {
            // Group commit: GROUP_THREADS threads append at once through one SharedLedger, each
            // batch acknowledged once durable; one fdatasync covers every record written before it.
            use std::sync::Arc;
            use std::sync::atomic::{AtomicI64, Ordering};
            let l = Ledger::open(dir, access)?;
            let tick = Arc::new(AtomicI64::new(workload::T_APPENDS + (1 << 52)));
            let clock = move || tick.fetch_add(1_000_000, Ordering::Relaxed);
            let shared = hyoka::SharedLedger::new(l, clock)?;
            let per = (o.appends / GROUP_THREADS).max(1);
            let t = Instant::now();
            std::thread::scope(|sc| -> R<()> {
                let workers: Vec<_> = (0..GROUP_THREADS)
                    .map(|w| {
                        let shared = &shared;
                        sc.spawn(move || -> Result<(), String> {
                            let mut rng = workload::Rng::new(o.seed ^ (0x0067_726f_7570 + w));
                            for i in 0..per {
                                let author = workload::author(&mut rng);
                                let reason = workload::text(&mut rng, 50, 200);
                                let period =
                                    workload::period(rng.below(workload::PERIODS as u64) as usize);
                                // A remark no cell holds yet; an item that refuses it (withdrawn) is
                                // skipped for the next one.
                                let text =
                                    format!("{} ({w}-{i})", workload::text(&mut rng, 50, 200));
                                let mut item = 1 + rng.below(u64::from(workload::ITEMS)) as u32;
                                loop {
                                    let c = hyoka::domain::event::Change::RemarkSet {
                                        item: item.into(),
                                        period,
                                        text: text.clone(),
                                    };
                                    match shared.append(&author, &reason, &[c]) {
                                        Ok(_) => break,
                                        Err(hyoka::Error::Refused(_)) => {
                                            item = 1 + item % workload::ITEMS
                                        }
                                        Err(e) => return Err(e.to_string()),
                                    }
                                }
                            }
                            Ok(())
                        })
                    })
                    .collect();
                for w in workers {
                    w.join().map_err(|_| "a group-commit thread panicked")??;
                }
                Ok(())
            })?;
            let secs = t.elapsed().as_secs_f64();
            let l = shared.into_inner()?;
            Ok(json!({"rate": (per * GROUP_THREADS) as f64 / secs, "events": l.len()}))
        }
        "breakdown" => {
            use hyoka::store::Store;
            let store = hyoka::store::sled_store::SledStore::open(&dir.join("store"))?;
            let pass = |f: &mut dyn FnMut(&[u8]) -> R<()>| -> R<f64> {
                let t = Instant::now();
                let mut err = None;
                store.scan_events(0, n, &mut |_, b| match f(b) {
                    Ok(()) => Ok(true),
                    Err(e) => {
                        err = Some(e);
                        Ok(false)
                    }
                })?;
                if let Some(e) = err {
                    return Err(e);
                }
                Ok(t.elapsed().as_secs_f64() * 1e6 / n as f64)
            };
            let scan = pass(&mut |b| {
                std::hint::black_box(b.len());
                Ok(())
            })?;
            let mut bytes = 0usize;
            let hash = pass(&mut |b| {
                bytes += b.len();
                let prev: [u8; 32] = b[10..42].try_into()?;
                std::hint::black_box(event::event_hash(&prev, b));
                Ok(())
            })?;
            let decode = pass(&mut |b| {
                std::hint::black_box(event::decode(b)?);
                Ok(())
            })?;
            let mut state = hyoka::domain::state::State::default();
            let apply = pass(&mut |b| {
                state.apply(&event::decode(b)?.change)?;
                Ok(())
            })?;
            let t = Instant::now();
            let mut h = [7u8; 32];
            for _ in 0..n {
                let leaf = merkle::leaf_hash(&h);
                h = merkle::node_hash(&leaf, &h);
            }
            std::hint::black_box(h);
            let merkle_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
            Ok(
                json!({"scan_us": scan, "blake3_us": hash - scan, "decode_us": decode - scan,
                      "apply_us": apply - decode, "merkle_us": merkle_us,
                      "avg_event_bytes": bytes as f64 / n as f64}),
            )
        }
        _ => Err(format!("unknown phase {phase}").into()),
    }
}

fn proof_result(times: Vec<f64>, lens: &[usize]) -> R<Value> {
    let first = times[0];
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(json!({"ms": first, "median_ms": sorted[sorted.len() / 2], "check": format!("{lens:?}")}))
}

fn sqlite_phase(o: &Opts, phase: &str, dir: &Path, n: u64) -> R<Value> {
    match phase {
        "import" => {
            let t = Instant::now();
            let mut g = Generator::new(o.seed, n);
            let meta = g.meta();
            let (plan, more) = g.setup();
            let mut log = baseline::open(dir)?;
            log.append(&meta, &mut std::iter::once(plan).chain(more))?;
            while g.remaining() > 0 {
                let k = g.remaining().min(o.batch);
                let meta = g.meta();
                log.append(&meta, &mut (0..k).map(|_| g.change()))?;
            }
            let secs = t.elapsed().as_secs_f64();
            Ok(json!({"secs": secs, "head": event::hex(&log.head), "events": log.events}))
        }
        "import_people" => {
            let t = Instant::now();
            let (mut p, meta, plan, more) = PeopleBatches::new(o.seed, n, o.batch);
            let mut log = baseline::open(dir)?;
            log.append(&meta, &mut std::iter::once(plan).chain(more))?;
            let mut batches = 1u64;
            while let Some((meta, changes)) = p.next_batch() {
                log.append(&meta, &mut changes.into_iter())?;
                batches += 1;
            }
            let secs = t.elapsed().as_secs_f64();
            Ok(
                json!({"secs": secs, "head": event::hex(&log.head), "events": log.events,
                      "batches": batches}),
            )
        }
        "verify" => {
            let t = Instant::now();
            let log = baseline::open(dir)?;
            let open_ms = ms(t);
            let t = Instant::now();
            let (events, root) = log.verify()?;
            let secs = t.elapsed().as_secs_f64();
            Ok(
                json!({"secs": secs, "open_ms": open_ms, "root": event::hex(&root), "events": events}),
            )
        }
        "table_head" => {
            let log = baseline::open(dir)?;
            let t = Instant::now();
            let view = views::table(&log.fold(None, &mut |_, _| {})?, None);
            let ms = ms(t);
            Ok(json!({"ms": ms, "check": digest(&view)?, "rows": view.items.len()}))
        }
        "table_old" => {
            let log = baseline::open(dir)?;
            let t = Instant::now();
            let (state, _prov) = log.snapshot(n / 2)?;
            let view = views::table(&state, None);
            let ms = ms(t);
            Ok(json!({"ms": ms, "check": digest(&view)?, "rows": view.items.len()}))
        }
        "history" => {
            let log = baseline::open(dir)?;
            let t = Instant::now();
            let h = log.history(HISTORY_ITEM)?;
            let ms = ms(t);
            Ok(json!({"ms": ms, "check": digest(&h)?, "entries": h.len()}))
        }
        "proof" => {
            let log = baseline::open(dir)?;
            let mut times = Vec::new();
            let mut check = Vec::new();
            for k in 0..21u64 {
                let index = (n / 3 + k * 7_919) % n;
                let t = Instant::now();
                let proof = log.prove(index, n)?;
                let root = log.tree_root(n)?;
                let leaf = merkle::leaf_hash(&log.event_hash(index)?);
                merkle::check_record(&proof, n, &root, index, &leaf)?;
                times.push(ms(t));
                check.push(proof.len());
            }
            proof_result(times, &check)
        }
        "appends" => {
            let mut log = baseline::open(dir)?;
            let mut s = Singles::new(o.seed);
            let t = Instant::now();
            let (meta, change) = s.next(log.current()?);
            log.append(&meta, &mut std::iter::once(change))?;
            let first_ms = ms(t);
            let t = Instant::now();
            for _ in 0..o.appends {
                let (meta, change) = s.next(log.current()?);
                log.append(&meta, &mut std::iter::once(change))?;
            }
            let secs = t.elapsed().as_secs_f64();
            Ok(
                json!({"rate": o.appends as f64 / secs, "first_ms": first_ms,
                      "head": event::hex(&log.head)}),
            )
        }
        "breakdown" => {
            let log = baseline::open(dir)?;
            let t = Instant::now();
            let mut stmt = log
                .conn
                .prepare("SELECT seq, bytes FROM events ORDER BY seq")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                std::hint::black_box(row.get_ref(1)?.as_blob()?.len());
            }
            let scan = t.elapsed().as_secs_f64() * 1e6 / n as f64;
            Ok(json!({"scan_us": scan}))
        }
        _ => Err(format!("unknown phase {phase}").into()),
    }
}

// ---------------------------------------------------------------------------------------------------
// The orchestrator.

fn run_child(o: &Opts, system: &str, phase: &str, dir: &Path, n: u64) -> R<Value> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .args(["--child", &format!("{system}:{phase}")])
        .arg("--dir")
        .arg(dir)
        .args(["--events", &n.to_string()])
        .args(["--appends", &o.appends.to_string()])
        .args(["--seed", &o.seed.to_string()])
        .args(["--batch", &o.batch.to_string()])
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{system} {phase} failed: {}{}",
            String::from_utf8_lossy(&out.stderr),
            stdout
        )
        .into());
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or("child printed no result")?;
    Ok(serde_json::from_str(line)?)
}

/// Whether a bigger value is better.
#[derive(Clone, Copy, PartialEq)]
enum Better {
    Higher,
    Lower,
}

/// (measure, events, hyoka, sqlite, unit, ratio)
type Row = (String, u64, f64, Option<f64>, String, Option<f64>);

struct Emitter {
    rows: Vec<Row>,
}

impl Emitter {
    fn emit(&mut self, measure: &str, n: u64, h: f64, s: Option<f64>, unit: &str, better: Better) {
        let ratio = s.map(|s| match better {
            Better::Higher => h / s,
            Better::Lower => s / h,
        });
        let line = json!({"measure": measure, "events": n, "hyoka": round(h), "sqlite": s.map(round),
                          "unit": unit, "ratio": ratio.map(round)});
        println!("{line}");
        let _ = std::io::stdout().flush();
        self.rows
            .push((measure.into(), n, h, s, unit.into(), ratio));
    }
}

fn round(x: f64) -> f64 {
    if x.abs() >= 100.0 {
        x.round()
    } else {
        (x * 1000.0).round() / 1000.0
    }
}

fn f(v: &Value, k: &str) -> R<f64> {
    v[k].as_f64().ok_or_else(|| format!("no {k} in {v}").into())
}

fn same(a: &Value, b: &Value, k: &str, what: &str) -> R<()> {
    if a[k] != b[k] {
        return Err(format!("{what}: hyoka and sqlite differ ({} vs {})", a[k], b[k]).into());
    }
    Ok(())
}

/// Bytes allocated on disk under `dir`.
fn disk_bytes(dir: &Path) -> R<u64> {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        if m.is_dir() {
            total += disk_bytes(&e.path())?;
        } else {
            total += m.blocks() * 512;
        }
    }
    Ok(total)
}

/// Appends a small record and fdatasyncs it, `k` times: the rate at which this disk makes an append
/// durable (the physical limit of durable single appends).
fn raw_fdatasync_rate(dir: &Path, k: u64) -> R<f64> {
    let path = dir.join("fdatasync-probe");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    let rec = [0x5au8; 600];
    let t = Instant::now();
    for _ in 0..k {
        file.write_all(&rec)?;
        file.sync_data()?;
    }
    let rate = k as f64 / t.elapsed().as_secs_f64();
    std::fs::remove_file(&path)?;
    Ok(rate)
}

fn ladder(max: u64) -> Vec<u64> {
    let mut v: Vec<u64> = [10_000u64, 100_000, 1_000_000, 10_000_000]
        .into_iter()
        .filter(|&s| s < max)
        .collect();
    v.push(max);
    v
}

fn orchestrate(o: &Opts) -> R<()> {
    let exe = std::env::current_exe()?;
    // target/release/deps/scale-HASH -> target/release
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target directory")?
        .to_path_buf();
    let work = match &o.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            tempfile::Builder::new().prefix("scale-").tempdir_in(d)?
        }
        None => tempfile::Builder::new()
            .prefix("bench-scale-")
            .tempdir_in(&profile_dir)?,
    };
    eprintln!(
        "hyoka scale bench: sizes {:?}, {} durable appends, seed {}, bulk batches of {} events, work dir {}",
        ladder(o.events),
        o.appends,
        o.seed,
        o.batch,
        work.path().display()
    );
    eprintln!(
        "machine: {} cores; load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let t = Instant::now();
    let mut g = Generator::new(o.seed, o.events);
    g.meta();
    g.setup();
    while g.remaining() > 0 {
        std::hint::black_box(g.change());
    }
    eprintln!(
        "generator alone: {:.0} events/s (included in both systems' import times)",
        o.events as f64 / t.elapsed().as_secs_f64()
    );

    let mut em = Emitter { rows: Vec::new() };
    let mut hyoka_bin = None;
    if o.cli {
        hyoka_bin = Some(build_cli(&profile_dir)?);
    }
    for n in ladder(o.events) {
        eprintln!("\n== {n} events ==");
        let base = work.path().join(n.to_string());
        let hd = base.join("hyoka");
        let sd = base.join("sqlite");
        std::fs::create_dir_all(&base)?;

        let hi = run_child(o, "hyoka", "import", &hd, n)?;
        let si = run_child(o, "sqlite", "import", &sd, n)?;
        same(&hi, &si, "head", "head hash after import")?;
        let mut rss: Vec<(&str, Value, Value)> = vec![("import", hi.clone(), si.clone())];
        em.emit(
            "bulk_import",
            n,
            n as f64 / f(&hi, "secs")?,
            Some(n as f64 / f(&si, "secs")?),
            "events/s",
            Better::Higher,
        );
        let (hb, sb) = (disk_bytes(&hd)?, disk_bytes(&sd)?);
        em.emit(
            "disk_bytes_per_event",
            n,
            hb as f64 / n as f64,
            Some(sb as f64 / n as f64),
            "bytes/event",
            Better::Lower,
        );

        let hv = run_child(o, "hyoka", "verify", &hd, n)?;
        let sv = run_child(o, "sqlite", "verify", &sd, n)?;
        same(&hv, &sv, "root", "Merkle root")?;
        em.emit(
            "verify",
            n,
            n as f64 / f(&hv, "secs")?,
            Some(n as f64 / f(&sv, "secs")?),
            "events/s",
            Better::Higher,
        );
        em.emit(
            "open",
            n,
            f(&hv, "open_ms")?,
            Some(f(&sv, "open_ms")?),
            "ms",
            Better::Lower,
        );

        // The same workload in a ledger with people: every event from `people.enabled` on is signed
        // by its author's key, and verify checks each signature (hyoka: `signing::check`; SQLite:
        // ed25519-dalek, the key read from the state the same way).
        let hpd = base.join("hyoka-people");
        let spd = base.join("sqlite-people");
        let hpi = run_child(o, "hyoka", "import_people", &hpd, n)?;
        let spi = run_child(o, "sqlite", "import_people", &spd, n)?;
        same(&hpi, &spi, "head", "head hash after the import with people")?;
        same(&hpi, &spi, "events", "events of the ledger with people")?;
        let pe = f(&hpi, "events")?;
        em.emit(
            "bulk_import_signed",
            n,
            pe / f(&hpi, "secs")?,
            Some(pe / f(&spi, "secs")?),
            "events/s (with people: every event signed)",
            Better::Higher,
        );
        let hpv = run_child(o, "hyoka", "verify", &hpd, n)?;
        let spv = run_child(o, "sqlite", "verify", &spd, n)?;
        same(&hpv, &spv, "root", "Merkle root of the ledger with people")?;
        let (hs, ss) = (pe / f(&hpv, "secs")?, pe / f(&spv, "secs")?);
        em.emit(
            "verify_signed",
            n,
            hs,
            Some(ss),
            "events/s (with people: every signature checked)",
            Better::Higher,
        );
        let (hu, su) = (n as f64 / f(&hv, "secs")?, n as f64 / f(&sv, "secs")?);
        eprintln!(
            "  ledger with people: {pe} events in {} batches, {} signed; verify with signatures / without: hyoka {hs:.0} / {hu:.0} events/s ({:.2}x), sqlite {ss:.0} / {su:.0} events/s ({:.2}x)",
            f(&hpi, "batches")?,
            pe - 1.0,
            hs / hu,
            ss / su
        );
        let hb = run_child(o, "hyoka", "breakdown_people", &hpd, n)?;
        eprintln!(
            "  per signed event, one thread: signing::check {:.1} us (parsing the recorded key {:.1} us, Ed25519 verification {:.1} us)",
            f(&hb, "check_us")?,
            f(&hb, "parse_us")?,
            f(&hb, "ed25519_us")?
        );
        for k in ["check_us", "parse_us", "ed25519_us"] {
            println!(
                "{}",
                json!({"measure": format!("cost_per_signed_event.{}", k.trim_end_matches("_us")),
                       "events": n, "hyoka": round(f(&hb, k)?), "sqlite": null,
                       "unit": "us/signed event (one thread)", "ratio": null})
            );
        }
        rss.push(("verify_signed", hpv, spv));
        std::fs::remove_dir_all(&hpd)?;
        std::fs::remove_dir_all(&spd)?;
        rss.push(("verify", hv, sv));

        let hk = run_child(o, "hyoka", "breakdown", &hd, n)?;
        let sk = run_child(o, "sqlite", "breakdown", &sd, n)?;
        em.emit(
            "storage_scan_only",
            n,
            1e6 / f(&hk, "scan_us")?,
            Some(1e6 / f(&sk, "scan_us")?),
            "events/s",
            Better::Higher,
        );
        eprintln!(
            "  per event, average {:.0} bytes: storage scan hyoka {:.3} us / sqlite {:.3} us; blake3 {:.3} us; \
             decode {:.3} us; rules (State::apply) {:.3} us; Merkle leaf+node SHA-256 {:.3} us",
            f(&hk, "avg_event_bytes")?,
            f(&hk, "scan_us")?,
            f(&sk, "scan_us")?,
            f(&hk, "blake3_us")?,
            f(&hk, "decode_us")?,
            f(&hk, "apply_us")?,
            f(&hk, "merkle_us")?
        );
        for k in ["blake3_us", "decode_us", "apply_us", "merkle_us"] {
            println!(
                "{}",
                json!({"measure": format!("cost_per_event.{}", k.trim_end_matches("_us")), "events": n,
                       "hyoka": round(f(&hk, k)?), "sqlite": null, "unit": "us/event (same code in both)",
                       "ratio": null, "avg_event_bytes": round(f(&hk, "avg_event_bytes")?)})
            );
        }

        for (phase, measure) in [
            ("table_head", "table_at_head"),
            ("table_old", "table_at_old_seq"),
            ("history", "history_one_item"),
            ("proof", "inclusion_proof"),
        ] {
            let h = run_child(o, "hyoka", phase, &hd, n)?;
            let s = run_child(o, "sqlite", phase, &sd, n)?;
            same(&h, &s, "check", measure)?;
            em.emit(
                measure,
                n,
                f(&h, "ms")?,
                Some(f(&s, "ms")?),
                "ms",
                Better::Lower,
            );
            if phase == "proof" {
                eprintln!(
                    "  (inclusion proof, median of 21 in one process: hyoka {:.3} ms, sqlite {:.3} ms)",
                    f(&h, "median_ms")?,
                    f(&s, "median_ms")?
                );
            }
            rss.push((phase, h, s));
        }

        let raw = raw_fdatasync_rate(&base, o.appends.max(200))?;
        let ha = run_child(o, "hyoka", "appends", &hd, n)?;
        let sa = run_child(o, "sqlite", "appends", &sd, n)?;
        same(&ha, &sa, "head", "head hash after the appends")?;
        em.emit(
            "durable_append",
            n,
            f(&ha, "rate")?,
            Some(f(&sa, "rate")?),
            "appends/s",
            Better::Higher,
        );
        eprintln!(
            "  hyoka: {} of the {} appends were still in the journal at the end (the rest were moved into the store during the run); moving them took {:.1} ms (not in the rate)",
            f(&ha, "journaled")?,
            o.appends + 1,
            f(&ha, "settle_ms")?
        );
        em.emit(
            "durable_append_vs_raw_fdatasync",
            n,
            f(&ha, "rate")? / raw,
            Some(f(&sa, "rate")? / raw),
            "fraction of raw fdatasync rate",
            Better::Higher,
        );
        println!(
            "{}",
            json!({"measure": "raw_fdatasync", "events": n, "hyoka": null, "sqlite": null,
                   "raw": round(raw), "unit": "syncs/s", "ratio": null})
        );
        eprintln!("  raw fdatasync of this disk: {raw:.0}/s");
        em.emit(
            "first_append_after_open",
            n,
            f(&ha, "first_ms")?,
            Some(f(&sa, "first_ms")?),
            "ms",
            Better::Lower,
        );
        for (phase, what) in [
            ("appends_anchored", "durable_append_anchored"),
            ("appends_signed", "durable_append_signed_anchor"),
        ] {
            let h = run_child(o, "hyoka", phase, &hd, n)?;
            em.emit(
                what,
                n,
                f(&h, "rate")?,
                Some(f(&sa, "rate")?),
                "appends/s (sqlite: its plain durable append)",
                Better::Higher,
            );
            eprintln!(
                "  hyoka: {} appends anchored ({phase}): {:.0}/s, against {:.0}/s unanchored",
                f(&h, "appends")?,
                f(&h, "rate")?,
                f(&ha, "rate")?
            );
        }
        let hg = run_child(o, "hyoka", "group", &hd, n)?;
        em.emit(
            "group_commit_append",
            n,
            f(&hg, "rate")?,
            Some(f(&sa, "rate")?),
            "appends/s (hyoka: 4 threads sharing syncs; sqlite: its single writer, it has no group commit)",
            Better::Higher,
        );
        rss.push(("group", hg, sa.clone()));
        rss.push(("appends", ha, sa));

        let mib = |v: &Value| v["peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0;
        let (mut hmax, mut smax) = (0f64, 0f64);
        for (phase, h, s) in &rss {
            em.emit(
                &format!("peak_rss.{phase}"),
                n,
                mib(h),
                Some(mib(s)),
                "MiB",
                Better::Lower,
            );
            hmax = hmax.max(mib(h));
            smax = smax.max(mib(s));
        }
        em.emit("peak_rss", n, hmax, Some(smax), "MiB", Better::Lower);

        if let Some(bin) = &hyoka_bin {
            let mut times = Vec::new();
            for i in 0..5u32 {
                let t = Instant::now();
                let st = Command::new(bin)
                    .arg("--ledger")
                    .arg(&hd)
                    .args(["rate", &(i + 1).to_string(), "FY2024-H1", "A"])
                    .args(["-a", "山田 太郎", "-m", "ベンチマーク: CLI の一件記録"])
                    .env("HYOKA_NOW", format!("2031-01-01T00:00:0{i}Z"))
                    .output()?;
                times.push(ms(t));
                if !st.status.success() {
                    return Err(
                        format!("hyoka rate: {}", String::from_utf8_lossy(&st.stderr)).into(),
                    );
                }
            }
            times.sort_by(f64::total_cmp);
            emit_cli(
                &mut em,
                "cli_rate",
                n,
                times[2],
                "ms (median of 5 processes)",
            );
        }
        std::fs::remove_dir_all(&base)?;
    }
    if let Some(bin) = &hyoka_bin {
        // The CLI's import of one table file and its `table` view, at each size: a file of as many
        // items as give about that many events (20 ratings, a remark and a third of a follow-up flag
        // per item), each command a process of its own whose peak resident memory is read from the
        // kernel (wait4).
        for n in ladder(o.events) {
            let items = workload::items_for_events(n);
            let csv = work.path().join(format!("national-table-{n}.csv"));
            std::fs::write(&csv, workload::table_csv(o.seed, items))?;
            let ld = work.path().join(format!("cli-import-{n}"));
            let mut import = Command::new(bin);
            import
                .arg("--ledger")
                .arg(&ld)
                .arg("import")
                .arg(&csv)
                .args(["-a", "山田 太郎"])
                .env("HYOKA_NOW", "2031-01-01T00:00:00Z");
            let (took, rss) = run_measured(&mut import, "hyoka import")?;
            let l = Ledger::open(&ld, Access::default())?;
            let events = l.len();
            drop(l);
            emit_cli(&mut em, "cli_import", events, took, "ms (one process)");
            emit_cli(&mut em, "cli_import_peak_rss", events, rss, "MiB");
            let mut table = Command::new(bin);
            table.arg("--ledger").arg(&ld).arg("table");
            let (table_ms, table_rss) = run_measured(&mut table, "hyoka table")?;
            emit_cli(&mut em, "cli_table", events, table_ms, "ms (one process)");
            emit_cli(&mut em, "cli_table_peak_rss", events, table_rss, "MiB");
            eprintln!(
                "  CLI import of a {items}-item, {}-period table ({} KiB): {events} events in {took:.0} ms ({:.0} events/s), peak {rss:.0} MiB; table {table_ms:.0} ms, peak {table_rss:.0} MiB",
                workload::PERIODS,
                std::fs::metadata(&csv)?.len() / 1024,
                events as f64 / took * 1e3
            );
            std::fs::remove_dir_all(&ld)?;
            std::fs::remove_file(&csv)?;
        }
    }
    summary(&em);
    Ok(())
}

fn emit_cli(em: &mut Emitter, measure: &str, n: u64, ms: f64, unit: &str) {
    println!(
        "{}",
        json!({"measure": measure, "events": n, "hyoka": round(ms), "sqlite": null, "unit": unit,
               "ratio": null})
    );
    em.rows
        .push((measure.into(), n, ms, None, unit.into(), None));
}

/// Runs `cmd` (its output discarded) and returns its wall time in ms and its peak resident memory in
/// MiB, as the kernel counted it for that process (`wait4`'s `ru_maxrss`).
fn run_measured(cmd: &mut Command, what: &str) -> R<(f64, f64)> {
    use std::process::Stdio;
    let t = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.ok_or("no stderr")?;
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut err)?;
    let mut status = 0;
    // SAFETY: plain system call on our own child, with valid pointers to locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let took = ms(t);
    if r != pid {
        return Err(format!("{what}: wait4 failed: {}", std::io::Error::last_os_error()).into());
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("{what} failed: {err}").into());
    }
    Ok((took, usage.ru_maxrss as f64 / 1024.0))
}

/// Builds the release CLI (a no-op when it is up to date) and returns its path.
fn build_cli(profile_dir: &Path) -> R<PathBuf> {
    let bin = profile_dir.join("hyoka");
    if let Ok(cargo) = std::env::var("CARGO") {
        let target = profile_dir.parent().ok_or("no target dir")?;
        let st = Command::new(cargo)
            // The CLI measures use HYOKA_NOW (their ledgers' times are in 2030), which only a build
            // with the test-clock feature reads.
            .args(["build", "--release", "--locked", "--bin", "hyoka"])
            .args(["--features", "test-clock"])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()?;
        if !st.success() {
            return Err("cargo build --release --bin hyoka --features test-clock failed".into());
        }
    }
    if !bin.exists() {
        return Err(format!(
            "{} not found: run `cargo build --release --features test-clock` first, or pass --no-cli",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

fn summary(em: &Emitter) {
    eprintln!(
        "\n{:<34} {:>9} {:>14} {:>14} {:>8}  unit",
        "measure", "events", "hyoka", "sqlite", "ratio"
    );
    for (m, n, h, s, unit, r) in &em.rows {
        eprintln!(
            "{:<34} {:>9} {:>14} {:>14} {:>8}  {unit}",
            m,
            n,
            fmt(*h),
            s.map_or("-".into(), fmt),
            r.map_or("-".into(), |r| format!("{r:.2}"))
        );
    }
}

fn fmt(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}
