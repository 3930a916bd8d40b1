//! The server under a round's rush: 26 departments' staff submitting at once through `hyoka serve`'s
//! HTTP API, against a SQLite baseline serving the same writes over the same HTTP stack, in the same
//! run.
//!
//! ```text
//! cargo bench --bench serve                                # 26 departments x 20 items x 4 passes
//! cargo bench --bench serve -- --items 40 --passes 2       # other sizes
//! ```
//!
//! Options: `--departments D` (default 26), `--items N` (items per department, default 20), `--passes P`
//! (each client rates each of its items P times, changing the grade each time, then submits; default
//! 4), `--dir DIR` (work directory; default a temporary directory in cargo's target directory).
//!
//! - **Setup** (library, not timed): a ledger with people (an administrator, one staff member per
//!   department with their own key, the log key), D x N items, and a round open at FY2024-H1; each
//!   staff member's key wrapped by a password as web enrolment stores it (Argon2id, the server's
//!   parameters). The SQLite baseline gets the same events, byte for byte (`../scale/baseline.rs`:
//!   one transaction per append, WAL, `synchronous=FULL`).
//! - **The servers** run in their own child processes (this binary re-executed with `--child`), so
//!   that their peak resident memory (VmHWM, read from `/proc/PID/status`) is their own: `hyoka` is
//!   the library's server (`hyoka::server::serve`, the same code as `hyoka serve`, log key attached:
//!   every commit anchored) over the ledger with group commit; `sqlite` is an axum server of the same
//!   routes and JSON over the baseline behind one mutex (SQLite has no group commit: one writer, one
//!   transaction and one fsync per request), signing each event with the person's key held in memory.
//! - **Clients**: one thread per department on loopback, each signing in (all at once: for hyoka that
//!   is D Argon2id derivations at the same time), then, once all are signed in, rating its items P
//!   times (`POST /api/ratings`) and submitting (`POST /api/rounds/FY2024-H1/submit`), each request
//!   timed from send to answer. Throughput is every write over the wall time of the write phase.
//! - **Nothing lost**: the server is killed (SIGKILL) right after the last answer; the log is then
//!   opened afresh and every acknowledged write (its seq from the answer) must be there with its
//!   author and change, nothing else added, and `verify` must pass (for SQLite: the chain, the Merkle
//!   tree and every signature, as the scale bench checks it).
//!
//! Each measure prints one JSON line to stdout, as the scale bench does:
//! `{"measure", "hyoka", "sqlite", "unit", "ratio"}`, ratio > 1 meaning hyoka is better.

#[allow(dead_code)]
#[path = "../scale/baseline.rs"]
mod baseline;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Instant;

use hyoka::domain::event::Change;
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Person, Role};
use hyoka::domain::period::Period;
use hyoka::ledger::signing::Signer;
use hyoka::tlog::note::SignerKey;
use hyoka::{Access, Ledger, Meta};
use serde_json::{Value, json};

use baseline::R;

const ORIGIN: &str = "city.example/serve-bench";
const POINT: &str = "FY2024-H1";
const GRADES: [&str; 4] = ["S", "A", "B", "C"];
const PASSWORD: &str = "ベンチマーク用のパスワード";

#[derive(Debug, Clone)]
struct Opts {
    departments: usize,
    items: usize,
    passes: usize,
    dir: Option<PathBuf>,
    child: Option<String>,
}

fn parse_opts() -> R<Opts> {
    let mut o = Opts {
        departments: 26,
        items: 20,
        passes: 4,
        dir: None,
        child: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--departments" => o.departments = val("--departments")?.parse()?,
            "--items" => o.items = val("--items")?.parse()?,
            "--passes" => o.passes = val("--passes")?.parse()?,
            "--dir" => o.dir = Some(val("--dir")?.into()),
            "--child" => o.child = Some(val("--child")?),
            // cargo bench passes --bench to harness=false benches.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if o.departments == 0 || o.items == 0 || o.passes == 0 {
        return Err("--departments, --items and --passes must be at least 1".into());
    }
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
// The setup: the same events for both systems.

fn department(d: usize) -> String {
    format!("第{:02}課", d + 1)
}

fn staff(d: usize) -> String {
    format!("s{:02}", d + 1)
}

fn item_id(o: &Opts, d: usize, i: usize) -> String {
    (d * o.items + i + 1).to_string()
}

fn key(name: &str, n: u32) -> R<SignerKey> {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&n.to_be_bytes());
    seed[4] = 0x5e;
    Ok(SignerKey::from_seed(name, &seed)?)
}

fn person(id: &str, dept: &str, role: Role, k: &SignerKey) -> Person {
    Person {
        id: id.into(),
        name_commitment: [0; 32],
        department: dept.into(),
        roles: vec![role],
        vkey: k.verifier().to_text(),
    }
}

/// The setup's batches, each with its meta (signed by the administrator once people are enabled).
fn setup(o: &Opts, at: i64) -> R<Vec<(Meta, Vec<Change>)>> {
    let admin = key("admin", 0)?;
    let log = key(ORIGIN, 1)?;
    let meta = |reason: &str, signed: bool| Meta {
        author: "admin".into(),
        reason: reason.into(),
        source: None,
        recorded_at: at,
        new_point: false,
        signer: signed.then(|| Signer::new(admin.clone())),
    };
    let plan = Change::PlanDefined {
        name: "ベンチマークの行財政改革プラン".into(),
        grades: GRADES.iter().map(|g| g.to_string()).collect(),
        default_era: Some(hyoka::domain::period::Era::Reiwa),
        origin: ORIGIN.into(),
        cadence: Default::default(),
        years: None,
    };
    let mut first = vec![plan];
    for h in 0..5 {
        first.push(Change::CategoryAdded {
            name: format!("改革の柱{}", h + 1),
        });
    }
    for d in 0..o.departments {
        for i in 0..o.items {
            first.push(Change::ItemRegistered {
                id: ItemId::parse(&item_id(o, d, i))?,
                title: format!("{}の取組{}", department(d), i + 1),
                department: department(d),
                category: format!("改革の柱{}", (d * o.items + i) % 5 + 1),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
    }
    first.push(Change::PeopleEnabled {
        log_vkey: log.verifier().to_text(),
        admin: person("admin", "行政経営課", Role::Admin, &admin),
    });
    let mut staff_people = Vec::new();
    for d in 0..o.departments {
        let k = key(&staff(d), 100 + d as u32)?;
        staff_people.push(Change::PersonRegistered {
            person: person(&staff(d), &department(d), Role::Staff, &k),
        });
    }
    let open = Change::RoundOpened {
        period: Period::parse(POINT, None)?,
        due: "2024-10-31".into(),
    };
    Ok(vec![
        (meta("計画の登録", true), first),
        (meta("職員の登録", true), staff_people),
        (meta("評価ラウンドの開始", true), vec![open]),
    ])
}

fn now() -> i64 {
    hyoka::domain::when::now()
}

/// Builds both systems' logs in `dir` (`hyoka/`, `sqlite/`): the same events.
fn build(o: &Opts, dir: &Path) -> R<u64> {
    let at = now() - 3_600_000_000_000;
    let batches = setup(o, at)?;
    let hy = dir.join("hyoka");
    let mut iter = batches.iter();
    let (meta, first) = iter.next().ok_or("no setup")?;
    let mut l = Ledger::create(&hy, meta, first[0].clone(), &first[1..], Access::default())?;
    for (meta, changes) in iter {
        l.append(meta, changes)?;
    }
    let log = key(ORIGIN, 1)?;
    l.set_log_key(&log)?;
    let events = l.len();
    drop(l);
    std::fs::write(dir.join("log.key"), log.to_text())?;
    let web = hyoka::server::webdir::WebDir::beside(&hy);
    for d in 0..o.departments {
        let k = key(&staff(d), 100 + d as u32)?;
        let w = hyoka::server::keywrap::wrap(
            &staff(d),
            &k,
            PASSWORD,
            hyoka::server::keywrap::Params::DEFAULT,
        )
        .map_err(|e| e.to_string())?;
        web.write_key(&w)?;
    }
    let mut s = baseline::open(&dir.join("sqlite"))?;
    for (meta, changes) in &batches {
        s.append(meta, &mut changes.iter().cloned())?;
    }
    if s.events != events || s.head != ledger_head(&hy)? {
        return Err("the two systems' setups differ".into());
    }
    Ok(events)
}

fn ledger_head(dir: &Path) -> R<hyoka::domain::event::Hash> {
    Ok(Ledger::open_read(dir, Access::default())?.head_hash())
}

// ---------------------------------------------------------------------------------------------------
// The servers, each in its own child process.

fn child(o: &Opts, spec: &str) -> R<()> {
    let dir = o.dir.clone().ok_or("--dir is required")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match spec {
        "hyoka" => runtime.block_on(hyoka_server(&dir)),
        "sqlite" => runtime.block_on(sqlite_server(o, &dir)),
        _ => Err("unknown child".into()),
    }
}

async fn listen() -> R<tokio::net::TcpListener> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("LISTENING http://{}", l.local_addr()?);
    Ok(l)
}

/// `hyoka serve` as the CLI runs it: the ledger opened to write with its log key, group commit, the
/// library's router.
async fn hyoka_server(dir: &Path) -> R<()> {
    let hy = dir.join("hyoka");
    let mut ledger = Ledger::open(&hy, Access::default())?;
    let log = SignerKey::parse(std::fs::read_to_string(dir.join("log.key"))?.trim())?;
    ledger.use_log_key(log)?;
    let shared = Arc::new(hyoka::SharedLedger::new(ledger, now)?);
    let web = hyoka::server::webdir::WebDir::beside(&hy);
    let app = hyoka::server::app(shared, web, false, Arc::new(now));
    let listener = listen().await?;
    hyoka::server::serve(listener, app, std::future::pending()).await?;
    Ok(())
}

/// The baseline's server state: the log behind one mutex, each person's key, the sessions.
struct Base {
    log: Mutex<(baseline::SqliteLog, i64)>,
    keys: HashMap<String, SignerKey>,
    sessions: Mutex<HashMap<String, String>>,
}

#[derive(serde::Deserialize)]
struct SignIn {
    person: String,
    #[allow(dead_code)]
    password: String,
}

#[derive(serde::Deserialize)]
struct Rating {
    item: String,
    period: String,
    grade: String,
    reason: String,
}

#[derive(serde::Deserialize)]
struct Submit {
    reason: String,
}

type Answer = (axum::http::StatusCode, axum::Json<Value>);

fn refused(status: u16, message: String) -> Answer {
    (
        axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(json!({"error": {"message": message}})),
    )
}

impl Base {
    /// The signed-in person of a request (cookie, and the CSRF header equal to it, as a stand-in).
    fn person(&self, headers: &axum::http::HeaderMap) -> Option<String> {
        let cookie = headers.get("cookie")?.to_str().ok()?;
        let id = cookie.strip_prefix("s=")?;
        let csrf = headers.get("x-csrf-token")?.to_str().ok()?;
        if csrf != id {
            return None;
        }
        self.sessions.lock().ok()?.get(id).cloned()
    }

    /// Appends `change` as `person`, signed with their key, in one transaction (durable when it
    /// returns: synchronous=FULL).
    fn record(&self, person: &str, reason: &str, change: Change) -> Answer {
        let Some(k) = self.keys.get(person) else {
            return refused(403, "no key".into());
        };
        let Ok(mut g) = self.log.lock() else {
            return refused(500, "poisoned".into());
        };
        let (log, last) = &mut *g;
        let at = now().max(*last);
        let meta = Meta {
            author: person.into(),
            reason: reason.into(),
            source: None,
            recorded_at: at,
            new_point: false,
            signer: Some(Signer::new(k.clone())),
        };
        let seq = log.events;
        match log.append(&meta, &mut std::iter::once(change)) {
            Ok(_) => {
                *last = at;
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(json!({"seq": seq})),
                )
            }
            Err(e) => refused(409, e.to_string()),
        }
    }
}

async fn sqlite_server(o: &Opts, dir: &Path) -> R<()> {
    use axum::extract::State;
    use axum::routing::post;
    let log = baseline::open(&dir.join("sqlite"))?;
    let mut keys = HashMap::new();
    for d in 0..o.departments {
        keys.insert(staff(d), key(&staff(d), 100 + d as u32)?);
    }
    let base = Arc::new(Base {
        log: Mutex::new((log, 0)),
        keys,
        sessions: Mutex::new(HashMap::new()),
    });
    let router = axum::Router::new()
        .route(
            "/api/signin",
            post(
                |State(b): State<Arc<Base>>, axum::Json(s): axum::Json<SignIn>| async move {
                    let mut id = [0u8; 32];
                    if getrandom::fill(&mut id).is_err() || !b.keys.contains_key(&s.person) {
                        return ([("set-cookie", String::new())], refused(401, "no".into()));
                    }
                    let id = hex::encode(id);
                    if let Ok(mut m) = b.sessions.lock() {
                        m.insert(id.clone(), s.person.clone());
                    }
                    let answer = (
                        axum::http::StatusCode::OK,
                        axum::Json(json!({"person": s.person, "csrf_token": id})),
                    );
                    (
                        [("set-cookie", format!("s={id}; Path=/; HttpOnly"))],
                        answer,
                    )
                },
            ),
        )
        .route(
            "/api/ratings",
            post(
                |State(b): State<Arc<Base>>,
                 headers: axum::http::HeaderMap,
                 axum::Json(r): axum::Json<Rating>| async move {
                    let Some(person) = b.person(&headers) else {
                        return refused(401, "sign in".into());
                    };
                    let change = match (ItemId::parse(&r.item), Period::parse(&r.period, None)) {
                        (Ok(item), Ok(period)) => Change::RatingRecorded {
                            item,
                            period,
                            grade: r.grade,
                        },
                        _ => return refused(400, "bad item or period".into()),
                    };
                    tokio::task::spawn_blocking(move || b.record(&person, &r.reason, change))
                        .await
                        .unwrap_or_else(|e| refused(500, e.to_string()))
                },
            ),
        )
        .route(
            "/api/rounds/{point}/submit",
            post(
                |State(b): State<Arc<Base>>,
                 axum::extract::Path(point): axum::extract::Path<String>,
                 headers: axum::http::HeaderMap,
                 axum::Json(s): axum::Json<Submit>| async move {
                    let Some(person) = b.person(&headers) else {
                        return refused(401, "sign in".into());
                    };
                    let Ok(period) = Period::parse(&point, None) else {
                        return refused(400, "bad point".into());
                    };
                    let department = {
                        let Ok(mut g) = b.log.lock() else {
                            return refused(500, "poisoned".into());
                        };
                        let dept = g.0.current().ok().and_then(|st| {
                            st.people
                                .as_ref()
                                .and_then(|p| p.get(&person))
                                .map(|p| p.department.clone())
                        });
                        match dept {
                            Some(d) => d,
                            None => return refused(403, "no department".into()),
                        }
                    };
                    let change = Change::Submitted { period, department };
                    tokio::task::spawn_blocking(move || b.record(&person, &s.reason, change))
                        .await
                        .unwrap_or_else(|e| refused(500, e.to_string()))
                },
            ),
        )
        .with_state(base);
    let listener = listen().await?;
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// The clients.

/// A server child: its process and URL.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(o: &Opts, system: &str, dir: &Path) -> R<Served> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(["--child", system])
            .arg("--dir")
            .arg(dir)
            .args(["--departments", &o.departments.to_string()])
            .args(["--items", &o.items.to_string()])
            .args(["--passes", &o.passes.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line)?;
        let url = line
            .strip_prefix("LISTENING ")
            .ok_or_else(|| format!("the {system} server did not start: {line:?}"))?
            .trim()
            .to_string();
        Ok(Served { child, url })
    }

    /// A line of `/proc/PID/status` (`VmHWM`, `VmRSS`), in KiB.
    fn status_kib(&self, field: &str) -> R<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        s.lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {field}").into())
    }

    /// Kills the server at once (SIGKILL): what it acknowledged must already be durable.
    fn kill(mut self) -> R<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One acknowledged write: its seq, who, and the change it asked for.
struct Acked {
    seq: u64,
    person: String,
    change: Change,
}

/// What a run of the clients measured.
struct Run {
    signin_ms: f64,
    writes: usize,
    secs: f64,
    latencies_ms: Vec<f64>,
    acked: Vec<Acked>,
    rss_after_signin_kib: u64,
    peak_rss_kib: u64,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(
    a: &ureq::Agent,
    url: &str,
    session: Option<(&str, &str)>,
    body: &Value,
) -> R<(u16, Value)> {
    let mut req = a.post(url);
    if let Some((cookie, csrf)) = session {
        req = req.header("Cookie", cookie).header("X-CSRF-Token", csrf);
    }
    let mut res = req.send_json(body)?;
    let status = res.status().as_u16();
    let v: Value = serde_json::from_str(&res.body_mut().read_to_string()?)?;
    Ok((status, v))
}

fn sign_in(a: &ureq::Agent, url: &str, who: &str) -> R<(String, String)> {
    let mut res = a
        .post(format!("{url}/api/signin"))
        .send_json(json!({"person": who, "password": PASSWORD}))?;
    if res.status().as_u16() != 200 {
        return Err(format!("{who} could not sign in: {}", res.status()).into());
    }
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no cookie")?
        .to_string();
    let v: Value = serde_json::from_str(&res.body_mut().read_to_string()?)?;
    let csrf = v["csrf_token"].as_str().ok_or("no csrf token")?.to_string();
    Ok((cookie, csrf))
}

/// One client: a department's staff member signs in, waits for the others, then rates each of its
/// items `passes` times and submits. Returns its latencies (ms) and acknowledged writes.
fn client(
    o: &Opts,
    url: &str,
    d: usize,
    signed_in: &Barrier,
    go: &Barrier,
) -> R<(Vec<f64>, Vec<Acked>)> {
    let a = agent();
    let who = staff(d);
    let session = sign_in(&a, url, &who);
    signed_in.wait();
    go.wait();
    let (cookie, csrf) = session?;
    let period = Period::parse(POINT, None)?;
    let mut lat = Vec::new();
    let mut acked = Vec::new();
    let mut write = |path: &str, body: Value, change: Change| -> R<()> {
        let t = Instant::now();
        let (status, v) = post(&a, &format!("{url}{path}"), Some((&cookie, &csrf)), &body)?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        if status != 201 {
            return Err(format!("{who}: {path} answered {status}: {v}").into());
        }
        let seq = v["seq"].as_u64().ok_or("no seq")?;
        acked.push(Acked {
            seq,
            person: who.clone(),
            change,
        });
        Ok(())
    };
    for pass in 0..o.passes {
        for i in 0..o.items {
            let item = item_id(o, d, i);
            let grade = GRADES[(pass + i) % GRADES.len()];
            let reason = format!(
                "第{}回の見直し: 取組の進捗を確認し、成果指標の達成状況に基づいて評価した",
                pass + 1
            );
            let change = Change::RatingRecorded {
                item: ItemId::parse(&item)?,
                period,
                grade: grade.into(),
            };
            write(
                "/api/ratings",
                json!({"item": item, "period": POINT, "grade": grade, "reason": reason}),
                change,
            )?;
        }
    }
    write(
        &format!("/api/rounds/{POINT}/submit"),
        json!({"reason": "所管課の評価を提出する"}),
        Change::Submitted {
            period,
            department: department(d),
        },
    )?;
    Ok((lat, acked))
}

/// Runs every client against `s`.
fn rush(o: &Opts, s: &Served) -> R<Run> {
    let signed_in = Barrier::new(o.departments + 1);
    let go = Barrier::new(o.departments + 1);
    let results = std::thread::scope(|scope| -> R<_> {
        let handles: Vec<_> = (0..o.departments)
            .map(|d| {
                let (url, signed_in, go) = (&s.url, &signed_in, &go);
                scope.spawn(move || client(o, url, d, signed_in, go).map_err(|e| e.to_string()))
            })
            .collect();
        let t = Instant::now();
        signed_in.wait();
        let signin_ms = t.elapsed().as_secs_f64() * 1e3;
        let rss = s.status_kib("VmRSS:")?;
        let t = Instant::now();
        go.wait();
        let mut all = Vec::new();
        for h in handles {
            all.push(h.join().map_err(|_| "a client panicked")??);
        }
        let secs = t.elapsed().as_secs_f64();
        Ok((signin_ms, rss, secs, all))
    })?;
    let (signin_ms, rss_after_signin_kib, secs, all) = results;
    let peak_rss_kib = s.status_kib("VmHWM:")?;
    let mut latencies_ms = Vec::new();
    let mut acked = Vec::new();
    for (l, a) in all {
        latencies_ms.extend(l);
        acked.extend(a);
    }
    latencies_ms.sort_by(f64::total_cmp);
    Ok(Run {
        signin_ms,
        writes: acked.len(),
        secs,
        latencies_ms,
        acked,
        rss_after_signin_kib,
        peak_rss_kib,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// After the kill: every acknowledged write is in hyoka's ledger, with its author and change, nothing
/// else was added, and `verify` passes.
fn check_hyoka(dir: &Path, setup: u64, run: &Run) -> R<()> {
    let l = Ledger::open_read(&dir.join("hyoka"), Access::default())?;
    let expected = setup + run.writes as u64;
    if l.len() != expected {
        return Err(format!("hyoka holds {} events, {expected} expected", l.len()).into());
    }
    for a in &run.acked {
        let e = l.event(a.seq)?.event;
        if e.author != a.person || e.change != a.change {
            return Err(format!("hyoka's event {} is not the acknowledged write", a.seq).into());
        }
    }
    l.verify(&mut |_, _| {})?;
    Ok(())
}

/// The same for the baseline.
fn check_sqlite(dir: &Path, setup: u64, run: &Run) -> R<()> {
    let s = baseline::open(&dir.join("sqlite"))?;
    let expected = setup + run.writes as u64;
    if s.events != expected {
        return Err(format!("SQLite holds {} events, {expected} expected", s.events).into());
    }
    let mut stmt = s.conn.prepare("SELECT bytes FROM events WHERE seq = ?1")?;
    for a in &run.acked {
        let b: Vec<u8> = stmt.query_row([a.seq as i64], |r| r.get(0))?;
        let e = hyoka::domain::event::decode(&b)?;
        if e.author != a.person || e.change != a.change {
            return Err(format!("SQLite's event {} is not the acknowledged write", a.seq).into());
        }
    }
    drop(stmt);
    s.verify()?;
    Ok(())
}

fn emit(measure: &str, h: f64, s: f64, unit: &str, higher_better: bool) {
    let ratio = if higher_better { h / s } else { s / h };
    let r = |x: f64| (x * 100.0).round() / 100.0;
    println!(
        "{}",
        json!({"measure": measure, "hyoka": r(h), "sqlite": r(s), "unit": unit, "ratio": r(ratio)})
    );
    eprintln!(
        "{measure:<34} hyoka {:>10.2}  sqlite {:>10.2}  {unit:<10} ratio {:.2}",
        h, s, ratio
    );
}

fn orchestrate(o: &Opts) -> R<()> {
    let tmp;
    let dir = match &o.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
            std::fs::create_dir_all(&target)?;
            tmp = tempfile::Builder::new()
                .prefix("serve-bench-")
                .tempdir_in(target)?;
            tmp.path().to_path_buf()
        }
    };
    let o = Opts {
        dir: Some(dir.clone()),
        ..o.clone()
    };
    eprintln!(
        "serve bench: {} departments x {} items x {} passes (+1 submit each) = {} writes per system, in {}",
        o.departments,
        o.items,
        o.passes,
        o.departments * (o.items * o.passes + 1),
        dir.display()
    );
    let t = Instant::now();
    let setup = build(&o, &dir)?;
    eprintln!(
        "setup: {setup} events in each system ({:.1} s)",
        t.elapsed().as_secs_f64()
    );

    let mut runs = Vec::new();
    for system in ["hyoka", "sqlite"] {
        let s = Served::start(&o, system, &dir)?;
        let run = rush(&o, &s)?;
        s.kill()?;
        match system {
            "hyoka" => check_hyoka(&dir, setup, &run)?,
            _ => check_sqlite(&dir, setup, &run)?,
        }
        eprintln!(
            "{system}: {} writes acknowledged in {:.2} s, all there after SIGKILL, verify passed",
            run.writes, run.secs
        );
        runs.push(run);
    }
    let (h, s) = (&runs[0], &runs[1]);
    emit(
        "serve_writes_per_s",
        h.writes as f64 / h.secs,
        s.writes as f64 / s.secs,
        "writes/s",
        true,
    );
    for (name, p) in [("serve_write_p50_ms", 50.0), ("serve_write_p99_ms", 99.0)] {
        emit(
            name,
            percentile(&h.latencies_ms, p),
            percentile(&s.latencies_ms, p),
            "ms",
            false,
        );
    }
    emit(
        "serve_write_max_ms",
        percentile(&h.latencies_ms, 100.0),
        percentile(&s.latencies_ms, 100.0),
        "ms",
        false,
    );
    emit(
        "serve_peak_rss_mib",
        h.peak_rss_kib as f64 / 1024.0,
        s.peak_rss_kib as f64 / 1024.0,
        "MiB",
        false,
    );
    emit(
        "serve_rss_after_signin_mib",
        h.rss_after_signin_kib as f64 / 1024.0,
        s.rss_after_signin_kib as f64 / 1024.0,
        "MiB",
        false,
    );
    emit(
        "serve_signin_all_at_once_ms",
        h.signin_ms,
        s.signin_ms,
        "ms",
        false,
    );
    // Reached only when both checks passed: every acknowledged write was there.
    println!(
        "{}",
        json!({"measure": "serve_writes_lost", "hyoka": 0, "sqlite": 0, "unit": "writes"})
    );
    Ok(())
}
