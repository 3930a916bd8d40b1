//! `hyoka demo`: a guided run in a throwaway ledger, built from the published table bundled with
//! hyoka: the import, the rebuilt table and totals, a correction and its audit trail, verification, and
//! one byte changed in an exported copy, caught as `hyoka verify --export` catches it. With `--serve`,
//! the same ledger is then given demo people (each with a password), an open round, and a server on
//! loopback, so that a person can try the round in a browser.

use std::io::{IsTerminal, Write};

use hyoka::domain::event::Change;
use hyoka::domain::people::Role;
use hyoka::domain::period::Period;
use hyoka::domain::text;
use hyoka::ledger::{Access, Ledger, Meta};
use hyoka::os::safe_fs;

use super::clock::now;
use super::commands::print_import_report;
use super::failure::{EXIT_INTEGRITY, Failure};
use super::i18n::t;
use super::options::TextOrJson;
use super::output::{self, out};

/// The published table bundled with hyoka (the demo's data).
const SEED: &[u8] = include_bytes!("../../fixtures/kodaira-followup-h26-h27.tsv");
const SEED_NAME: &str = "kodaira-followup-h26-h27.tsv";

fn heading(n: u32, s: &str) {
    out("");
    out(format!("== {n}. {s}"));
}

/// The demo's one change: item 12's rating at H27上半期, corrected.
fn correction(period: Period) -> Change {
    Change::RatingRecorded {
        item: 12.into(),
        period,
        grade: "A".into(),
    }
}

/// `hyoka demo`: a throwaway ledger in a temporary directory, built from the bundled table, showing the
/// import, the rebuilt table and totals, a correction and its audit trail, verification, and what a
/// single edited byte does to it.
pub fn demo(serve: Option<std::net::SocketAddr>) -> Result<(), Failure> {
    let tmp = tempfile::tempdir().map_err(|e| t!("demo-no-temp-dir", error = e.to_string()))?;
    let dir = tmp.path().join("ledger");
    let t0 = now()?;
    out(t!("demo-intro"));

    heading(1, &t!("demo-heading-import"));
    let req = hyoka::import::Request {
        bytes: SEED.into(),
        file_name: SEED_NAME,
        layout: None,
        sheet: None,
        point: None,
        era: None,
        plan: Some("小平市行財政改革推進プラン".into()),
        origin: Some("city.kodaira.example/reform-plan".into()),
        prefer_file: false,
        dry_run: false,
        new_point: false,
        signer: None,
        author: "企画政策部 山田".into(),
        reason: None,
        recorded_at: t0,
    };
    let report = hyoka::import::import(&dir, req, Access::default())?;
    out(format!(
        "$ hyoka import {SEED_NAME} --author 企画政策部山田"
    ));
    print_import_report(&dir, &report);

    let mut ledger = Ledger::open(&dir, Access::default())?;
    heading(2, &t!("demo-heading-table"));
    let view = hyoka::views::table(ledger.current()?, None);
    let text = hyoka::views::render::table_text(&view, 80, false);
    for line in text.lines().take(16) {
        out(line);
    }
    out("   …");

    heading(3, &t!("demo-heading-totals"));
    let summary = hyoka::views::summary(&view);
    out(hyoka::views::render::summary_text(&summary, &view.grades).trim_end());
    let parsed = hyoka::table::read::parse(SEED, Some(hyoka::table::TableFormat::Tsv))
        .map_err(|e| Failure::from(e.to_string()))?;
    let stated: Vec<String> = parsed
        .totals
        .iter()
        .map(|t| {
            let counts: Vec<String> = t.counts.iter().map(u64::to_string).collect();
            format!("{} {}", t.label, counts.join("/"))
        })
        .collect();
    out(t!(
        "demo-file-totals",
        first = parsed.totals.first().map_or(0, |t| t.line),
        last = parsed.totals.last().map_or(0, |t| t.line),
        totals = stated.join(&t!("list-separator")),
        follow_up = parsed.follow_up_total.map_or(0, |(_, n)| n)
    ));

    heading(4, &t!("demo-heading-correction"));
    let period = Period::parse("H27上半期", None).map_err(|e| Failure::from(e.to_string()))?;
    let meta = Meta {
        author: "行政経営課 鈴木".into(),
        reason: "所管課からの報告により評価を訂正".into(),
        source: None,
        recorded_at: t0 + 60_000_000_000,
        new_point: false,
        signer: None,
    };
    let was = ledger.current()?.cell(&12.into(), period).rating;
    let receipt = ledger.append(&meta, &[correction(period)])?;
    out("$ hyoka rate 12 H27上半期 A -a 行政経営課鈴木 -m 所管課からの報告により評価を訂正");
    out(t!(
        "recorded",
        seq = receipt.first_seq,
        what = format!(
            "{}{}",
            super::words::change(&correction(period)),
            was.map_or(String::new(), |g| t!("recorded-was", grade = g))
        ),
        by = ""
    ));
    out("$ hyoka history 12 --period H27上半期");
    let entries = ledger.history(&12.into(), Some(period))?;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                format!("#{}", e.seq),
                e.author.clone(),
                t!("field-name", field = e.field),
                hyoka::views::audit_text::change_cell(&e.old, &e.new),
                e.reason.clone(),
            ]
        })
        .collect();
    let header = [
        t!("column-seq"),
        t!("column-author"),
        t!("column-field"),
        t!("column-old-new"),
        t!("column-reason"),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out(hyoka::views::audit_text::columns(&header, &rows).trim_end());

    heading(5, &t!("demo-heading-verify"));
    let report = ledger.verify(&mut |_, _| {})?;
    output::verified(&report);

    heading(6, &t!("demo-heading-tamper"));
    let copy = tmp.path().join(COPY_NAME);
    let summary = super::offline::export_to_file(&ledger, &copy, &mut |_| {})?;
    out(format!("$ hyoka export --output {}", copy.display()));
    out(super::offline::exported(&summary, Some(&copy)));
    let edit = damage_export(&copy, 100)?;
    out(t!(
        "demo-edited",
        file = COPY_NAME,
        line = edit.line,
        column = edit.column,
        old = char::from(edit.old).to_string(),
        new = char::from(edit.new).to_string()
    ));
    out(format!("$ hyoka verify --export {}", copy.display()));
    match super::offline::verify_export(&copy, None, None, TextOrJson::Text) {
        Err(f) if f.code == EXIT_INTEGRITY => out(t!(
            "demo-caught",
            line = t!("error-line", line = text::escape(&f.line())),
            code = f.code
        )),
        Err(f) => return Err(f),
        Ok(()) => return Err(Failure::from(t!("demo-unnoticed"))),
    }

    heading(7, &t!("demo-heading-publish"));
    publication(tmp.path(), t0)?;

    heading(8, &t!("demo-heading-next"));
    out(format!(
        "  hyoka import FILE --author NAME     {}",
        t!("demo-next-import")
    ));
    out("  hyoka table | summary | log | history ITEM | blame | diff FROM TO");
    out(format!(
        "  hyoka checkpoint --key KEY          {}",
        t!("demo-next-checkpoint")
    ));
    out(format!(
        "  hyoka --help                        {}",
        t!("demo-next-help")
    ));
    if let Some(listen) = serve {
        // The server runs on the throwaway ledger, which is deleted (with `tmp`) once it stops.
        return serve_demo(ledger, listen);
    }
    drop(ledger);
    let _ = std::io::stderr().is_terminal();
    Ok(())
}

/// A round of 令和2年度末 in a small ledger with people (an administrator, a department's staff and
/// head, 行革本部), published, and its publication pack written into `tmp/site` and checked.
fn publication(tmp: &std::path::Path, t0: i64) -> Result<(), Failure> {
    use hyoka::domain::people::{Person, Role, Stage, Verdict};
    use hyoka::ledger::signing::Signer;
    use hyoka::tlog::note::SignerKey;

    const ORIGIN: &str = "city.example/demo-round";
    const DEPT: &str = "財政課";
    let key = |name: &str| SignerKey::generate(name).map_err(|e| Failure::from(e.to_string()));
    let (admin, staff, head, hq, log) = (
        key("admin")?,
        key("staff")?,
        key("head")?,
        key("hq")?,
        key(ORIGIN)?,
    );
    let person = |id: &str, dept: &str, role: Role, k: &SignerKey| Person {
        id: id.into(),
        name_commitment: [0; 32],
        department: dept.into(),
        roles: vec![role],
        vkey: k.verifier().to_text(),
    };
    let mut minute = 0;
    let mut meta = |id: &str, k: &SignerKey| {
        minute += 1;
        Meta {
            author: id.into(),
            reason: "デモ".into(),
            source: None,
            recorded_at: t0 + minute * 60_000_000_000,
            new_point: false,
            signer: Some(Signer::new(k.clone())),
        }
    };
    let point = Period::parse("令和2年度末", None).map_err(|e| Failure::from(e.to_string()))?;
    let items: Vec<hyoka::domain::item_id::ItemId> = vec![1.into(), 2.into(), 3.into()];
    let mut more = vec![Change::CategoryAdded {
        name: "財政の健全化".into(),
    }];
    for (id, title) in items
        .iter()
        .zip(["補助金の見直し", "使用料の見直し", "公共施設の再編"])
    {
        more.push(Change::ItemRegistered {
            id: id.clone(),
            title: title.into(),
            department: DEPT.into(),
            category: "財政の健全化".into(),
            relisting_of: None,
            from: None,
            after: None,
        });
    }
    more.push(Change::PeopleEnabled {
        log_vkey: log.verifier().to_text(),
        admin: person("admin", "行政経営課", Role::Admin, &admin),
    });
    let plan = Change::PlanDefined {
        name: "第2次行財政改革".into(),
        grades: vec!["S".into(), "A".into(), "B".into()],
        default_era: Some(hyoka::domain::period::Era::Reiwa),
        origin: ORIGIN.into(),
        cadence: Default::default(),
        years: None,
    };
    let dir = tmp.join("round-ledger");
    let mut l = Ledger::create(&dir, &meta("admin", &admin), plan, &more, Access::default())?;
    l.set_log_key(&log)?;
    l.append(
        &meta("admin", &admin),
        &[
            Change::PersonRegistered {
                person: person("staff", DEPT, Role::Staff, &staff),
            },
            Change::PersonRegistered {
                person: person("head", DEPT, Role::Head, &head),
            },
            Change::PersonRegistered {
                person: person("hq", "行革推進室", Role::Hq, &hq),
            },
            Change::RoundOpened {
                period: point,
                due: "2021-04-30".into(),
            },
        ],
    )?;
    let rate = |id: &hyoka::domain::item_id::ItemId, grade: &str| Change::RatingRecorded {
        item: id.clone(),
        period: point,
        grade: grade.into(),
    };
    let mut rated: Vec<Change> = items
        .iter()
        .zip(["A", "B", "A"])
        .map(|(i, g)| rate(i, g))
        .collect();
    rated.push(Change::Submitted {
        period: point,
        department: DEPT.into(),
    });
    l.append(&meta("staff", &staff), &rated)?;
    for (id, k, stage) in [("head", &head, Stage::First), ("hq", &hq, Stage::Second)] {
        let reviews: Vec<Change> = items
            .iter()
            .map(|i| Change::Reviewed {
                period: point,
                item: i.clone(),
                stage,
                verdict: Verdict::Approve,
            })
            .collect();
        l.append(&meta(id, k), &reviews)?;
    }
    let digest = l.current()?.published_table_sha256(point);
    l.append(
        &meta("admin", &admin),
        &[
            Change::RoundClosed { period: point },
            Change::RoundPublished {
                period: point,
                table_sha256: digest,
            },
        ],
    )?;
    out("$ hyoka round publish 令和2年度末 --key admin.key");
    out(t!(
        "publish-published",
        point = point.label(),
        sha256 = hex::encode(digest)
    ));
    let signed = hyoka::evidence::transparency::sign(&l, &log, t0, &mut |_, _| {})?;
    let p = hyoka::publish::gather(&l, point, signed.checkpoint, signed.note)
        .map_err(|e| Failure::from(e.to_string()))?;
    let site = tmp.join("site");
    let opts = hyoka::publish::pack::Options {
        tiles: None,
        encoding: hyoka::publish::forms::Encoding::Utf8 { bom: true },
        force: false,
    };
    let w = hyoka::publish::pack::write(&l, &p, &site, &opts, &log, &mut |_| {})
        .map_err(|e| Failure::from(e.to_string()))?;
    out(format!(
        "$ hyoka publish 令和2年度末 --out {}",
        site.display()
    ));
    out(t!(
        "pack-wrote",
        point = point.label(),
        id = point.id(),
        dir = site.display(),
        written = w.files.len(),
        kept = 0
    ));
    out(t!(
        "pack-files",
        files = w
            .files
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out(format!("$ hyoka verify --publication {}", site.display()));
    let checked = hyoka::publish::pack::verify(&site, Some(&log.verifier())).map_err(|e| {
        Failure::from(match e {
            hyoka::publish::pack::VerifyError::Problem(p) => p.to_string(),
            hyoka::publish::pack::VerifyError::Io(e) => e.to_string(),
        })
    })?;
    out(t!(
        "pack-verified",
        dir = site.display(),
        files = checked.manifest.files.len()
    ));
    out(t!("demo-pack-where"));
    Ok(())
}

/// The demo's people: id, role, the department (`None`: the n-th of the demo's departments), name.
const CAST: [(&str, Role, Dept, &str); 7] = [
    ("admin", Role::Admin, Dept::Named("行政経営課"), "行政 花子"),
    ("staff1", Role::Staff, Dept::Nth(0), "担当 一郎"),
    ("staff2", Role::Staff, Dept::Nth(1), "担当 二郎"),
    ("staff3", Role::Staff, Dept::Nth(2), "担当 三郎"),
    ("head1", Role::Head, Dept::Nth(0), "課長 一子"),
    ("hq", Role::Hq, Dept::Named("行革本部"), "本部 次郎"),
    (
        "committee",
        Role::Committee,
        Dept::Named("外部委員会"),
        "委員 三子",
    ),
];

/// A demo person's department.
#[derive(Clone, Copy)]
enum Dept {
    Named(&'static str),
    Nth(usize),
}

/// A password for a demo person: 12 characters a person can type back without mistaking one for
/// another (no 0/O, 1/l/I), from the system's randomness.
fn password() -> Result<String, Failure> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::new();
    while out.len() < 12 {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b)
            .map_err(|e| Failure::from(t!("demo-serve-failed", error = e.to_string())))?;
        // Rejection sampling: bytes past the last whole multiple of the alphabet's size are dropped.
        let limit = 256 - 256 % ALPHABET.len();
        out.extend(
            b.iter()
                .filter(|&&x| usize::from(x) < limit)
                .map(|&x| char::from(ALPHABET[usize::from(x) % ALPHABET.len()])),
        );
    }
    out.truncate(12);
    Ok(out)
}

/// `hyoka demo --serve`: the demo's ledger given people (every change from now on signed), a log key,
/// an open round at the point after its last one, a password for each person (their key wrapped by
/// it, as web enrolment would store it), and the server on `listen` until Ctrl-C.
fn serve_demo(mut ledger: Ledger, listen: std::net::SocketAddr) -> Result<(), Failure> {
    use hyoka::domain::people::Person;
    use hyoka::ledger::signing::Signer;
    use hyoka::tlog::note::SignerKey;
    let failed =
        |e: &dyn std::fmt::Display| Failure::from(t!("demo-serve-failed", error = e.to_string()));
    let dir = ledger.dir().to_path_buf();
    let state = ledger.current()?;
    // The three departments with the most items, which the round is tried with.
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for item in state.items.values().filter(|i| !i.withdrawn) {
        *counts.entry(item.department.as_str()).or_default() += 1;
    }
    let mut departments: Vec<(&str, usize)> = counts.into_iter().collect();
    departments.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let departments: Vec<String> = departments
        .iter()
        .take(3)
        .map(|d| d.0.to_string())
        .collect();
    let plan = state.plan().map_err(hyoka::error::Error::from)?;
    let point = state
        .latest_period()
        .and_then(|p| plan.cadence.next_after(p))
        .ok_or_else(|| failed(&"the demo's table has no next point"))?;
    let origin = ledger.origin()?;
    let log = SignerKey::generate(&origin).map_err(|e| failed(&e))?;
    let mut people = Vec::new();
    let mut entries = Vec::new();
    for (id, role, dept, name) in CAST {
        let department = match dept {
            Dept::Named(d) => d.to_string(),
            Dept::Nth(n) => departments
                .get(n)
                .cloned()
                .ok_or_else(|| failed(&"the demo's table has too few departments"))?,
        };
        let key = SignerKey::generate(id).map_err(|e| failed(&e))?;
        let (mut person, mut entry) =
            super::names::new_person(name, &department, vec![role], &key.verifier())?;
        person.id = id.to_string();
        entry.id = id.to_string();
        people.push((person, key, password()?));
        entries.push(entry);
    }
    let admin = people[0].1.clone();
    let t = now()?;
    let due = time::OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(t) + 14 * 86_400 * 1_000_000_000,
    )
    .map_err(|e| failed(&e))?
    .to_offset(hyoka::domain::when::JST);
    let due = format!(
        "{:04}-{:02}-{:02}",
        due.year(),
        u8::from(due.month()),
        due.day()
    );
    let meta = |reason: &str| Meta {
        author: "admin".into(),
        reason: reason.into(),
        source: None,
        recorded_at: t,
        new_point: false,
        signer: Some(Signer::new(admin.clone())),
    };
    let first: &Person = &people[0].0;
    ledger.append(
        &meta("デモ: 署名付き運用へ移行"),
        &[Change::PeopleEnabled {
            log_vkey: log.verifier().to_text(),
            admin: first.clone(),
        }],
    )?;
    let registered: Vec<Change> = people
        .iter()
        .skip(1)
        .map(|(p, _, _)| Change::PersonRegistered { person: p.clone() })
        .collect();
    ledger.append(&meta("デモ: 職員の登録"), &registered)?;
    ledger.append(
        &meta("デモ: 評価ラウンドの開始"),
        &[Change::RoundOpened {
            period: point,
            due: due.clone(),
        }],
    )?;
    let mut directory = super::names::Directory::read(&dir)?;
    for e in entries {
        directory = directory.with(e);
    }
    directory.write(&dir)?;
    ledger.set_log_key(&log)?;
    ledger.use_log_key(log)?;
    let web = hyoka::server::webdir::WebDir::beside(&dir);
    for (p, key, pw) in &people {
        let wrapped =
            hyoka::server::keywrap::wrap(&p.id, key, pw, hyoka::server::keywrap::Params::DEFAULT)
                .map_err(|e| failed(&e))?;
        web.write_key(&wrapped).map_err(|e| failed(&e))?;
    }

    heading(8, &t!("demo-heading-serve"));
    out(t!("demo-serve-marked"));
    out(t!(
        "demo-serve-round",
        point = point.id(),
        label = point.label(),
        due = due,
        departments = departments.join(&t!("list-separator"))
    ));
    for (p, _, pw) in &people {
        out(t!(
            "demo-serve-account",
            id = p.id.as_str(),
            password = pw.as_str(),
            role = p.roles.first().map_or("", |r| r.label()),
            department = p.department.as_str()
        ));
    }
    let how = super::serve::How {
        listen,
        log_dir: None,
        secure: false,
        tls: None,
    };
    super::serve::run(ledger, how, |_, url| out(t!("demo-serve-open", url = url)))
}

/// The file name of the demo's exported copy, in its temporary directory.
const COPY_NAME: &str = "ledger.jsonl";

/// One character of an export file changed by [`damage_export`].
struct Edit {
    /// The line (1-based) and the character of its `bytes` string (1-based).
    line: usize,
    column: usize,
    old: u8,
    new: u8,
}

/// Changes one byte of the export at `path` as a person with a text editor could: in event `seq`'s
/// line, one character of the base64 of its stored bytes becomes another base64 character (the line
/// stays JSON, the field base64), which flips the lowest bit of the stored byte at offset 58 (the first
/// byte of the author's name: `企` becomes `弁`).
fn damage_export(path: &std::path::Path, seq: u64) -> Result<Edit, Failure> {
    use std::io::{Seek, SeekFrom};
    const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const FIELD: &str = "\"bytes\":\"";
    // Byte 58 is the second of its group of three (57..60), coded by characters 76..80: its low four
    // bits are the high four of character 78, so flipping that character's bit 2 flips its bit 0.
    const COLUMN: usize = 58 / 3 * 4 + 2;
    let cannot = |e: &dyn std::fmt::Display| {
        Failure::from(t!(
            "demo-cannot-edit",
            file = path.display(),
            error = e.to_string()
        ))
    };
    let text = std::fs::read(path).map_err(|e| cannot(&e))?;
    let prefix = format!("{{\"seq\":{seq},");
    let mut start = 0;
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        let at = line.starts_with(prefix.as_bytes()).then(|| {
            line.windows(FIELD.len())
                .position(|w| w == FIELD.as_bytes())
                .map(|i| i + FIELD.len() + COLUMN)
        });
        if let Some(at) = at.flatten() {
            let old = *line
                .get(at)
                .ok_or_else(|| cannot(&"its stored bytes are too short"))?;
            let v = BASE64
                .iter()
                .position(|&c| c == old)
                .ok_or_else(|| cannot(&"its stored bytes are not base64"))?;
            let new = BASE64[v ^ 0b100];
            let mut f = safe_fs::open_rw(path, false).map_err(|e| cannot(&e))?;
            f.seek(SeekFrom::Start((start + at) as u64))
                .and_then(|_| f.write_all(&[new]))
                .map_err(|e| cannot(&e))?;
            return Ok(Edit {
                line: n + 1,
                column: COLUMN + 1,
                old,
                new,
            });
        }
        start += line.len() + 1;
    }
    Err(cannot(&format!("no line of event {seq}")))
}
