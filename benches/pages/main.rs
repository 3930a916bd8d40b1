//! The citizens' pages under load: a published round's table (`GET /rounds/{POINT}`), its
//! corrections (`GET /rounds/{POINT}/corrections`) and the table's JSON (`GET /api/rounds/{POINT}/table`)
//! read by 50 clients at once for a fixed time, from `hyoka serve`'s server, from the same server
//! without its page cache, and, as the reference, the same bytes served from static files by the same
//! HTTP stack (axum on tokio), in the same run.
//!
//! ```text
//! cargo bench --bench pages                              # the Kodaira table and a 2,000-item plan, 10 s a page
//! cargo bench --bench pages -- --secs 5 --clients 20     # other loads (--items N, --plans kodaira,large, --dir DIR)
//! ```
//!
//! - **Plans** (built with the library, not timed): `kodaira`, the bundled table
//!   (`fixtures/kodaira-followup-h26-h27.tsv`, imported as `hyoka import` does) followed by a round of
//!   its next point with people; `large`, a plan of `--items` items (default 2,000) under 10 headings
//!   and 40 departments. In both, each department's staff member rates its items with a remark
//!   (50-200 Japanese characters), submits, its head and 行革本部 approve, the administrator publishes,
//!   行革本部 then corrects 5 items, and the log key signs a checkpoint: every event after the plan
//!   signed by its person, as in a city's round.
//! - **Systems**, each a child process (this binary re-executed) so that its memory is its own (VmHWM
//!   and VmRSS from `/proc/PID/status`): `hyoka` is the library's server (`hyoka::server::serve`, the
//!   code `hyoka serve` runs, log key attached) with its page cache; `uncached` is the same with a
//!   cache of 0 pages (each request renders from the ledger); `static` serves the bytes `hyoka` answered,
//!   written to files, read from the file for each request by an axum handler on the same runtime.
//! - **Clients**: `--clients` threads (default 50), each with its own keep-alive HTTP/1.1 connection
//!   (ureq), request after request for `--secs` seconds (default 10) per page, after one request to
//!   warm up. A request counts as an error unless it is a 200 with the expected number of bytes.
//!   Latency is from send to the last byte read.
//!
//! Each measure prints one JSON line to stdout: `{"measure", "plan", "page", "hyoka", "uncached",
//! "static", "unit"}`; a table goes to stderr.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use hyoka::domain::event::Change;
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Person, Role, Stage, Verdict};
use hyoka::domain::period::Period;
use hyoka::ledger::signing::Signer;
use hyoka::tlog::note::SignerKey;
use hyoka::{Access, Ledger, Meta};
use serde_json::json;

type R<T> = Result<T, Box<dyn std::error::Error>>;

const LARGE_ORIGIN: &str = "city.example/pages-bench";
const KODAIRA_ORIGIN: &str = "city.kodaira.example/reform-plan";
const KODAIRA: &[u8] = include_bytes!("../../fixtures/kodaira-followup-h26-h27.tsv");
const SYSTEMS: [&str; 3] = ["hyoka", "uncached", "static"];
const PAGES: [&str; 3] = ["round", "corrections", "api-table"];

#[derive(Debug, Clone)]
struct Opts {
    secs: f64,
    clients: usize,
    items: usize,
    plans: Vec<String>,
    dir: Option<PathBuf>,
    child: Option<String>,
}

fn parse_opts() -> R<Opts> {
    let mut o = Opts {
        secs: 10.0,
        clients: 50,
        items: 2000,
        plans: vec!["kodaira".into(), "large".into()],
        dir: None,
        child: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--secs" => o.secs = val("--secs")?.parse()?,
            "--clients" => o.clients = val("--clients")?.parse()?,
            "--items" => o.items = val("--items")?.parse()?,
            "--plans" => {
                o.plans = val("--plans")?.split(',').map(str::to_string).collect();
            }
            "--dir" => o.dir = Some(val("--dir")?.into()),
            "--child" => o.child = Some(val("--child")?),
            // cargo bench passes --bench to harness=false benches.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if o.clients == 0 || o.items < 40 || o.secs <= 0.0 {
        return Err("--clients must be at least 1, --items at least 40, --secs above 0".into());
    }
    if let Some(p) = o
        .plans
        .iter()
        .find(|p| !["kodaira", "large"].contains(&p.as_str()))
    {
        return Err(format!("unknown plan {p}: kodaira or large").into());
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
// The plans: a published round with people, built with the library.

fn key(name: &str, n: u32) -> R<SignerKey> {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&n.to_be_bytes());
    seed[4] = 0x9a;
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

fn meta(author: &str, reason: &str, at: i64, k: Option<&SignerKey>) -> Meta {
    Meta {
        author: author.into(),
        reason: reason.into(),
        source: None,
        recorded_at: at,
        new_point: false,
        signer: k.map(|k| Signer::new(k.clone())),
    }
}

/// A remark of 50-200 Japanese characters, fixed by `n`.
fn remark(n: usize) -> String {
    let words = [
        "成果指標の達成状況を確認し、",
        "関係部署と協議のうえ取組を進めた。",
        "利用者の意見を踏まえて手続を見直し、",
        "事務の効率化により経費を削減した。",
        "次年度は対象範囲を広げて実施する予定である。",
        "指定管理者との協定を改め、",
    ];
    let mut s = String::new();
    let mut i = n;
    while s.chars().count() < 50 + (n * 37) % 150 {
        s.push_str(words[i % words.len()]);
        i = i.wrapping_mul(7).wrapping_add(3);
    }
    s.chars().take(200).collect()
}

/// People, a round at `point` over every item of the plan there, rated (with remarks), submitted,
/// approved twice and published; then 5 corrections by 行革本部 and a checkpoint signed by `log`.
fn round(l: &mut Ledger, log: &SignerKey, point: Period, at: i64) -> R<()> {
    let admin = key("admin", 0)?;
    let hq = key("hq", 1)?;
    let state = l.current()?;
    let items: Vec<(ItemId, String)> = state
        .items_in_order()
        .into_iter()
        .filter(|i| i.in_plan_at(point))
        .map(|i| (i.id.clone(), i.department.clone()))
        .collect();
    let mut depts: Vec<String> = items.iter().map(|(_, d)| d.clone()).collect();
    depts.sort();
    depts.dedup();
    let grades: Vec<String> = state
        .plan
        .as_ref()
        .map(|p| p.grades.clone())
        .ok_or("no plan")?;
    let staff = |d: usize| key(&format!("s{d:02}"), 100 + d as u32);
    let head = |d: usize| key(&format!("h{d:02}"), 300 + d as u32);
    let enable = Change::PeopleEnabled {
        log_vkey: log.verifier().to_text(),
        admin: person("admin", "行政経営課", Role::Admin, &admin),
    };
    l.append(&meta("admin", "利用者の登録", at, Some(&admin)), &[enable])?;
    let mut people = vec![Change::PersonRegistered {
        person: person("hq", "行革推進室", Role::Hq, &hq),
    }];
    for (d, dept) in depts.iter().enumerate() {
        people.push(Change::PersonRegistered {
            person: person(&format!("s{d:02}"), dept, Role::Staff, &staff(d)?),
        });
        people.push(Change::PersonRegistered {
            person: person(&format!("h{d:02}"), dept, Role::Head, &head(d)?),
        });
    }
    people.push(Change::RoundOpened {
        period: point,
        due: "2030-03-31".into(),
    });
    l.append(
        &meta("admin", "評価ラウンドの開始", at, Some(&admin)),
        &people,
    )?;
    for (d, dept) in depts.iter().enumerate() {
        let mine: Vec<(usize, &ItemId)> = items
            .iter()
            .enumerate()
            .filter(|(_, (_, x))| x == dept)
            .map(|(n, (id, _))| (n, id))
            .collect();
        let mut rated = Vec::new();
        for (n, id) in &mine {
            rated.push(Change::RatingRecorded {
                item: (*id).clone(),
                period: point,
                grade: grades[n % grades.len()].clone(),
            });
            rated.push(Change::RemarkSet {
                item: (*id).clone(),
                period: point,
                text: remark(*n),
            });
        }
        rated.push(Change::Submitted {
            period: point,
            department: dept.clone(),
        });
        let s = staff(d)?;
        l.append(
            &meta(&format!("s{d:02}"), "所管課の評価", at, Some(&s)),
            &rated,
        )?;
        let review = |stage| {
            mine.iter()
                .map(|(_, id)| Change::Reviewed {
                    period: point,
                    item: (*id).clone(),
                    stage,
                    verdict: Verdict::Approve,
                })
                .collect::<Vec<_>>()
        };
        let h = head(d)?;
        l.append(
            &meta(&format!("h{d:02}"), "一次評価", at, Some(&h)),
            &review(Stage::First),
        )?;
        l.append(
            &meta("hq", "二次評価", at, Some(&hq)),
            &review(Stage::Second),
        )?;
    }
    let digest = l.current()?.published_table_sha256(point);
    l.append(
        &meta("admin", "評価結果の公表", at, Some(&admin)),
        &[
            Change::RoundClosed { period: point },
            Change::RoundPublished {
                period: point,
                table_sha256: digest,
            },
        ],
    )?;
    for (n, (id, _)) in items.iter().enumerate().step_by(items.len() / 5).take(5) {
        l.append(
            &meta("hq", "公表後の誤記の訂正", at, Some(&hq)),
            &[Change::RatingRecorded {
                item: id.clone(),
                period: point,
                grade: grades[(n + 1) % grades.len()].clone(),
            }],
        )?;
    }
    hyoka::evidence::transparency::sign(l, log, at, &mut |_, _| {})?;
    Ok(())
}

/// The Kodaira table imported as `hyoka import` does, then a round of FY2015-YE (平成27年度末).
fn build_kodaira(dir: &Path, at: i64) -> R<Period> {
    let req = hyoka::import::Request {
        bytes: KODAIRA.into(),
        file_name: "kodaira-followup-h26-h27.tsv",
        layout: None,
        sheet: None,
        point: None,
        era: None,
        plan: Some("小平市行財政改革推進プラン".into()),
        origin: Some(KODAIRA_ORIGIN.into()),
        prefer_file: false,
        dry_run: false,
        new_point: false,
        signer: None,
        author: "企画政策部 山田".into(),
        reason: None,
        recorded_at: at,
    };
    hyoka::import::import(dir, req, Access::default())?;
    let mut l = Ledger::open(dir, Access::default())?;
    let log = key(KODAIRA_ORIGIN, 7)?;
    l.set_log_key(&log)?;
    let point = Period::parse("FY2015-YE", None)?;
    round(&mut l, &log, point, at)?;
    std::fs::write(dir.with_file_name("kodaira.key"), log.to_text())?;
    Ok(point)
}

/// A plan of `items` items under 10 headings and 40 departments, then a round of FY2024-H1.
fn build_large(dir: &Path, items: usize, at: i64) -> R<Period> {
    let plan = Change::PlanDefined {
        name: "ベンチマークの行財政改革プラン".into(),
        grades: ["S", "A", "B", "C"].iter().map(|g| g.to_string()).collect(),
        default_era: Some(hyoka::domain::period::Era::Reiwa),
        origin: LARGE_ORIGIN.into(),
        cadence: Default::default(),
        years: None,
    };
    let mut more = Vec::new();
    for h in 0..10 {
        more.push(Change::CategoryAdded {
            name: format!("改革の柱{}", h + 1),
        });
    }
    for i in 0..items {
        more.push(Change::ItemRegistered {
            id: ItemId::parse(&(i + 1).to_string())?,
            title: format!("第{}の取組（事務事業の見直しと成果の把握）", i + 1),
            department: format!("第{:02}課", i % 40 + 1),
            category: format!("改革の柱{}", i * 10 / items + 1),
            relisting_of: None,
            from: None,
            after: None,
        });
    }
    let mut l = Ledger::create(
        dir,
        &meta("admin", "計画の登録", at, None),
        plan,
        &more,
        Access::default(),
    )?;
    let log = key(LARGE_ORIGIN, 8)?;
    l.set_log_key(&log)?;
    let point = Period::parse("FY2024-H1", None)?;
    round(&mut l, &log, point, at)?;
    std::fs::write(dir.with_file_name("large.key"), log.to_text())?;
    Ok(point)
}

// ---------------------------------------------------------------------------------------------------
// The servers, each in its own child process: `--child SYSTEM:PLAN`.

fn child(o: &Opts, spec: &str) -> R<()> {
    let dir = o.dir.clone().ok_or("--dir is required")?;
    let (system, plan) = spec.split_once(':').ok_or("--child SYSTEM:PLAN")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match system {
        "hyoka" | "uncached" => runtime.block_on(hyoka_server(&dir, plan, system == "hyoka")),
        "static" => runtime.block_on(static_server(dir.join(format!("{plan}-static")))),
        _ => Err("unknown child".into()),
    }
}

async fn listen() -> R<tokio::net::TcpListener> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("LISTENING http://{}", l.local_addr()?);
    Ok(l)
}

/// `hyoka serve` as the CLI runs it (the ledger opened to write, its log key attached, group commit,
/// the library's router); `cached: false` gives it a cache of 0 pages.
async fn hyoka_server(dir: &Path, plan: &str, cached: bool) -> R<()> {
    let ledger_dir = dir.join(plan);
    let mut ledger = Ledger::open(&ledger_dir, Access::default())?;
    let log = SignerKey::parse(std::fs::read_to_string(dir.join(format!("{plan}.key")))?.trim())?;
    ledger.use_log_key(log)?;
    let shared = Arc::new(hyoka::SharedLedger::new(ledger, hyoka::domain::when::now)?);
    let web = hyoka::server::webdir::WebDir::beside(&ledger_dir);
    let mut app = hyoka::server::app(shared, web, false, Arc::new(hyoka::domain::when::now));
    if !cached {
        Arc::get_mut(&mut app).ok_or("the app is shared")?.pages =
            hyoka::server::page_cache::PageCache::new(0, 0);
    }
    let listener = listen().await?;
    hyoka::server::serve(listener, app, std::future::pending()).await?;
    Ok(())
}

/// The reference: the same bytes from files (`round.html`, `corrections.html`, `api-table.json`),
/// each read for each request, on the same HTTP stack.
async fn static_server(files: PathBuf) -> R<()> {
    use axum::extract::{Path as UrlPath, State};
    use axum::response::IntoResponse;
    use axum::routing::get;
    async fn file(dir: &Path, name: &str, content_type: &'static str) -> axum::response::Response {
        match tokio::fs::read(dir.join(name)).await {
            Ok(b) => ([(axum::http::header::CONTENT_TYPE, content_type)], b).into_response(),
            Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    let html = "text/html; charset=utf-8";
    let router = axum::Router::new()
        .route(
            "/rounds/{point}",
            get(
                move |State(d): State<Arc<PathBuf>>, UrlPath(_p): UrlPath<String>| async move {
                    file(&d, "round.html", html).await
                },
            ),
        )
        .route(
            "/rounds/{point}/corrections",
            get(
                move |State(d): State<Arc<PathBuf>>, UrlPath(_p): UrlPath<String>| async move {
                    file(&d, "corrections.html", html).await
                },
            ),
        )
        .route(
            "/api/rounds/{point}/table",
            get(
                |State(d): State<Arc<PathBuf>>, UrlPath(_p): UrlPath<String>| async move {
                    file(&d, "api-table.json", "application/json").await
                },
            ),
        )
        .with_state(Arc::new(files));
    let listener = listen().await?;
    axum::serve(listener, router).await?;
    Ok(())
}

/// A server child: its process and URL.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(o: &Opts, spec: &str, dir: &Path) -> R<Served> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .args(["--child", spec])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let _ = o;
        let out = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line)?;
        let url = line
            .strip_prefix("LISTENING ")
            .ok_or_else(|| format!("the {spec} server did not start: {line:?}"))?
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
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------------
// The clients.

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// One GET: its status and body.
fn fetch(a: &ureq::Agent, url: &str) -> R<(u16, Vec<u8>)> {
    let mut res = a.get(url).call()?;
    let status = res.status().as_u16();
    let body = res.body_mut().with_config().limit(64 << 20).read_to_vec()?;
    Ok((status, body))
}

/// What one page's run measured.
struct Load {
    pages: usize,
    errors: usize,
    secs: f64,
    latencies_ms: Vec<f64>,
}

/// `clients` clients GET `url` for `secs` seconds; a page counts when it is a 200 of `bytes` bytes.
fn load(o: &Opts, url: &str, bytes: usize) -> R<Load> {
    let start = Barrier::new(o.clients + 1);
    let until = Duration::from_secs_f64(o.secs);
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..o.clients)
            .map(|_| {
                let start = &start;
                scope.spawn(move || {
                    let a = agent();
                    // Connect (keep-alive) before the clock starts.
                    let warm = fetch(&a, url).ok();
                    start.wait();
                    let t0 = Instant::now();
                    let (mut lat, mut errors) = (Vec::new(), usize::from(warm.is_none()));
                    while t0.elapsed() < until {
                        let t = Instant::now();
                        match fetch(&a, url) {
                            Ok((200, b)) if b.len() == bytes => {
                                lat.push(t.elapsed().as_secs_f64() * 1e3)
                            }
                            _ => errors += 1,
                        }
                    }
                    (lat, errors, t0.elapsed().as_secs_f64())
                })
            })
            .collect();
        start.wait();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a client panicked"))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let mut latencies_ms = Vec::new();
    let (mut errors, mut secs) = (0, 0f64);
    for (l, e, s) in results {
        latencies_ms.extend(l);
        errors += e;
        secs = secs.max(s);
    }
    latencies_ms.sort_by(f64::total_cmp);
    Ok(Load {
        pages: latencies_ms.len(),
        errors,
        secs,
        latencies_ms,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn path(page: &str, point: &str) -> String {
    match page {
        "round" => format!("/rounds/{point}"),
        "corrections" => format!("/rounds/{point}/corrections"),
        _ => format!("/api/rounds/{point}/table"),
    }
}

fn file_name(page: &str) -> &'static str {
    match page {
        "round" => "round.html",
        "corrections" => "corrections.html",
        _ => "api-table.json",
    }
}

/// Per system: each page's load, then the server's peak and final memory (KiB).
struct SystemRun {
    loads: Vec<Load>,
    peak_kib: u64,
    after_kib: u64,
}

fn emit(measure: &str, plan: &str, page: &str, runs: &[(f64, &str)], unit: &str) {
    let r = |x: f64| (x * 100.0).round() / 100.0;
    let mut v = json!({"measure": measure, "plan": plan, "page": page, "unit": unit});
    for (x, system) in runs {
        v[*system] = json!(r(*x));
    }
    println!("{v}");
    let cells: Vec<String> = runs.iter().map(|(x, s)| format!("{s} {x:>10.2}")).collect();
    eprintln!(
        "{plan:<8} {page:<12} {measure:<16} {}  {unit}",
        cells.join("  ")
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
                .prefix("pages-bench-")
                .tempdir_in(target)?;
            tmp.path().to_path_buf()
        }
    };
    let o = Opts {
        dir: Some(dir.clone()),
        ..o.clone()
    };
    eprintln!(
        "pages bench: {} clients, {} s a page, plans {:?} (large: {} items), in {}",
        o.clients,
        o.secs,
        o.plans,
        o.items,
        dir.display()
    );
    let at = hyoka::domain::when::now() - 3_600_000_000_000;
    for plan in &o.plans {
        let t = Instant::now();
        let ledger_dir = dir.join(plan);
        let point = match plan.as_str() {
            "kodaira" => build_kodaira(&ledger_dir, at)?,
            _ => build_large(&ledger_dir, o.items, at)?,
        }
        .id();
        let events = Ledger::open_read(&ledger_dir, Access::default())?.len();
        eprintln!(
            "{plan}: {events} events, round {point} published and corrected ({:.1} s)",
            t.elapsed().as_secs_f64()
        );
        let mut runs: Vec<SystemRun> = Vec::new();
        let mut sizes = Vec::new();
        for system in SYSTEMS {
            let s = Served::start(&o, &format!("{system}:{plan}"), &dir)?;
            if system == "hyoka" {
                // The reference files: the bytes hyoka answers.
                let files = dir.join(format!("{plan}-static"));
                std::fs::create_dir_all(&files)?;
                let a = agent();
                for page in PAGES {
                    let (status, body) = fetch(&a, &format!("{}{}", s.url, path(page, &point)))?;
                    if status != 200 {
                        return Err(format!("{plan} {page}: {status}").into());
                    }
                    std::fs::write(files.join(file_name(page)), &body)?;
                    sizes.push(body.len());
                }
            }
            let mut loads = Vec::new();
            for (page, bytes) in PAGES.iter().zip(&sizes) {
                let url = format!("{}{}", s.url, path(page, &point));
                loads.push(load(&o, &url, *bytes)?);
            }
            runs.push(SystemRun {
                loads,
                peak_kib: s.status_kib("VmHWM:")?,
                after_kib: s.status_kib("VmRSS:")?,
            });
        }
        for (i, page) in PAGES.iter().enumerate() {
            let each = |f: &dyn Fn(&Load) -> f64| -> Vec<(f64, &str)> {
                runs.iter()
                    .zip(SYSTEMS)
                    .map(|(r, s)| (f(&r.loads[i]), s))
                    .collect()
            };
            emit("bytes", plan, page, &[(sizes[i] as f64, "hyoka")], "bytes");
            emit(
                "pages_per_s",
                plan,
                page,
                &each(&|l| l.pages as f64 / l.secs),
                "pages/s",
            );
            emit(
                "p50_ms",
                plan,
                page,
                &each(&|l| percentile(&l.latencies_ms, 50.0)),
                "ms",
            );
            emit(
                "p99_ms",
                plan,
                page,
                &each(&|l| percentile(&l.latencies_ms, 99.0)),
                "ms",
            );
            emit(
                "errors",
                plan,
                page,
                &each(&|l| l.errors as f64),
                "requests",
            );
        }
        let mem = |f: &dyn Fn(&SystemRun) -> u64| -> Vec<(f64, &str)> {
            runs.iter()
                .zip(SYSTEMS)
                .map(|(r, s)| (f(r) as f64 / 1024.0, s))
                .collect()
        };
        emit("peak_rss_mib", plan, "all", &mem(&|r| r.peak_kib), "MiB");
        emit("rss_after_mib", plan, "all", &mem(&|r| r.after_kib), "MiB");
    }
    Ok(())
}
