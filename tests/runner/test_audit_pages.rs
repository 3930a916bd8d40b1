//! The auditors' pages and their JSON over HTTP (no browser), on a ledger with known changes made
//! through the CLI before the server starts (a round opened; 総務課's staff rate items 1 and 2 on
//! 2021-05-10, one reason holding `<script>`; 財政課's staff rate item 3 and 総務課's correct item 1 on
//! 2021-05-20; a checkpoint signed with the log key): without a session the pages go to sign-in and
//! the JSON is 401, staff get 403, an auditor (監査), 行革本部 and an administrator read them; every
//! search filter (item, person, department, a range of Japan days, corrections only) finds exactly
//! the expected changes, the same as the CLI's `history`; pages are bounded; a reason is escaped;
//! blame, diff and verify are the CLI's JSON; the export verifies and restores, the checkpoint is
//! the one the ledger signed and a proof checks with `hyoka verify-proof`; an auditor records
//! nothing.

use serde_json::{Value, json};

use hyoka::domain::people::Role;

use crate::serving::{Server, agent, links};
use crate::test_rounds::{DEPTS, POINT, Rounds, assert_valid};

/// `GET path` with a cookie: status, content type, content disposition and body.
fn fetch(s: &Server, path: &str, cookie: Option<&str>) -> (u16, String, String, String) {
    let mut req = agent().get(format!("{}{path}", s.url));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut resp = req.call().expect("HTTP");
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (ct, cd) = (h("content-type"), h("content-disposition"));
    let status = resp.status().as_u16();
    (
        status,
        ct,
        cd,
        resp.body_mut().read_to_string().expect("body"),
    )
}

/// The JSON of `GET path` as `cookie`'s person, which must answer 200.
#[track_caller]
fn json_of(s: &Server, path: &str, cookie: &str) -> Value {
    let (code, ct, _, body) = fetch(s, path, Some(cookie));
    assert_eq!(code, 200, "{path}: {body}");
    assert!(ct.starts_with("application/json"), "{path}: {ct}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

/// A change a search found: seq, item, field, author and new value.
type Found = (u64, String, String, String, Value);

/// The history search `query` as JSON (checked against its schemas): its entries' (seq, item, field,
/// author, new) and the whole answer.
#[track_caller]
fn search(s: &Server, query: &str, cookie: &str) -> (Vec<Found>, Value) {
    let v = json_of(s, &format!("/api/audit/history?{query}"), cookie);
    assert_valid("audit-history.schema.json", &v);
    assert_valid("history.schema.json", &v["entries"]);
    let rows = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().expect("seq"),
                e["item_id"].as_str().expect("item").to_string(),
                e["field"].as_str().expect("field").to_string(),
                e["author"].as_str().expect("author").to_string(),
                e["new"].clone(),
            )
        })
        .collect();
    (rows, v)
}

/// The (seq, field) of each entry of a history JSON array.
fn seqs(v: &Value) -> Vec<(u64, String)> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().expect("seq"),
                e["field"].as_str().expect("field").to_string(),
            )
        })
        .collect()
}

/// A ledger with people, the auditor `au` (監査) among them, and known changes: a round opened;
/// 総務課's staff rate items 1 and 2 on 2021-05-10 (one reason holding `<script>`); 財政課's staff
/// rate item 3 and 総務課's correct item 1 on 2021-05-20; a checkpoint signed with the log key.
pub(crate) fn known_changes() -> Rounds {
    let r = Rounds::new();
    r.register("au", "監査事務局", &[Role::Auditor], 50);
    r.ok(
        "admin",
        &[
            "round",
            "open",
            POINT,
            "--due",
            "2021-10-31",
            "-m",
            "評価の開始",
        ],
    );
    r.set_clock("2021-05-10T10:00:00+09:00");
    r.ok("s0", &["rate", "1", POINT, "A", "-m", "所管課の評価"]);
    r.ok(
        "s0",
        &["rate", "2", POINT, "B", "-m", "<script>alert(1)</script>"],
    );
    r.set_clock("2021-05-20T10:00:00+09:00");
    r.ok("s1", &["rate", "3", POINT, "S", "-m", "財政課の評価"]);
    r.ok(
        "s0",
        &["rate", "1", POINT, "B", "-m", "実績の確認により訂正"],
    );
    let key = r.log_key();
    r.run(&["checkpoint", "--key", &key]).ok();
    r
}

#[test]
fn the_auditors_pages_search_escape_and_download_what_the_cli_shows() {
    let r = known_changes();

    // What the CLI shows, before the server holds the ledger.
    let cli = |args: &[&str]| -> Value {
        let out = r.env.run(args).ok().to_string();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    };
    let item1 = cli(&["history", "1", "--format", "json"]);
    let corrections = cli(&["history", "--all", "--format", "json"]);
    let blame = cli(&["blame", "--format", "json"]);
    let diff = cli(&[
        "diff",
        "at:2021-05-15",
        "at:2021-05-31",
        "--every",
        "--format",
        "json",
    ]);
    let verified = cli(&["verify", "--format", "json"]);
    let checkpoint =
        std::fs::read_to_string(r.env.ledger().join("CHECKPOINT")).expect("CHECKPOINT");

    let tokens = links(&r, &["au", "s0", "hq", "admin"]);
    let s = Server::start(&r);
    s.enrol(&r, &tokens);
    let au = s.sign_in("au");
    let s0 = s.sign_in("s0");
    let hq = s.sign_in("hq");
    let admin = s.sign_in("admin");
    let events = s.events();

    // Who may read: no session goes to sign-in (pages) or is 401 (JSON); staff are refused.
    let pages = [
        "/audit",
        "/audit/history",
        "/audit/corrections",
        "/audit/items/1/blame",
        "/audit/diff?from=seq:1&to=seq:2",
        "/audit/verify",
    ];
    let apis = [
        "/api/audit/history",
        "/api/audit/items/1/blame",
        "/api/audit/diff?from=seq:1&to=seq:2",
        "/api/audit/verify",
        "/api/audit/export",
        "/api/audit/checkpoint",
        "/api/audit/proof?seq=1",
    ];
    for p in pages {
        let (code, to, _) = s.get(p, None);
        assert_eq!((code, to.as_str()), (303, "/signin"), "{p}");
        let (code, _, _, body) = fetch(&s, p, Some(&s0.cookie));
        assert_eq!(code, 403, "{p}: {body}");
        assert!(body.contains("監査・行革本部・管理者の役割"), "{p}: {body}");
        for who in [&au, &hq, &admin] {
            let (code, ct, _, body) = fetch(&s, p, Some(&who.cookie));
            assert_eq!(code, 200, "{p}: {body}");
            assert!(ct.starts_with("text/html"), "{p}: {ct}");
            assert!(body.contains("<html lang=\"ja\">"), "{p}");
        }
    }
    for p in apis {
        let (code, _, _, body) = fetch(&s, p, None);
        assert_eq!(code, 401, "{p}: {body}");
        assert!(body.contains("\"unauthenticated\""), "{p}: {body}");
        let (code, _, _, body) = fetch(&s, p, Some(&s0.cookie));
        assert_eq!(code, 403, "{p}: {body}");
        assert!(body.contains("\"forbidden\""), "{p}: {body}");
    }

    // Each filter finds exactly the expected changes.
    let c = au.cookie.as_str();
    let (_, v) = search(&s, "item=1&per_page=200", c);
    assert_eq!(
        seqs(&v["entries"]),
        seqs(&item1),
        "item 1 as `hyoka history 1`"
    );
    let (rows, _) = search(&s, "person=s0", c);
    let got: Vec<(String, Value)> = rows.iter().map(|r| (r.1.clone(), r.4.clone())).collect();
    assert_eq!(
        got,
        vec![
            ("1".to_string(), json!("A")),
            ("2".to_string(), json!("B")),
            ("1".to_string(), json!("B"))
        ]
    );
    assert!(
        rows.iter().all(|r| r.3 == "s0" && r.2 == "rating"),
        "{rows:?}"
    );
    let (rows, _) = search(&s, &format!("department={}&from=2021-05-01", DEPTS[1]), c);
    let got: Vec<(&str, &str, &Value)> = rows
        .iter()
        .map(|r| (r.1.as_str(), r.3.as_str(), &r.4))
        .collect();
    assert_eq!(got, vec![("3", "s1", &json!("S"))], "財政課 since May");
    let (rows, v) = search(&s, &format!("department={}", DEPTS[1]), c);
    assert!(
        rows.iter().all(|r| r.1 == "3" || r.1 == "4"),
        "財政課's items only: {v}"
    );
    assert!(
        rows.iter().any(|r| r.2 == "title"),
        "their registration too: {v}"
    );
    let (rows, _) = search(&s, "from=2021-05-10&to=2021-05-10", c);
    let got: Vec<(&str, &Value)> = rows.iter().map(|r| (r.1.as_str(), &r.4)).collect();
    assert_eq!(
        got,
        vec![("1", &json!("A")), ("2", &json!("B"))],
        "one Japan day"
    );
    let (rows, _) = search(&s, "from=2021-05-11&to=2021-05-19", c);
    assert!(rows.is_empty(), "{rows:?}");
    let (_, v) = search(&s, "corrections=1", c);
    assert_eq!(
        seqs(&v["entries"]),
        seqs(&corrections),
        "as `hyoka history --all`"
    );
    assert_eq!(v["total"], 1);
    assert_eq!(v["entries"][0]["old"], "A");
    assert_eq!(v["entries"][0]["new"], "B");
    let (rows, _) = search(&s, "person=s0&item=2&corrections=1", c);
    assert!(rows.is_empty(), "filters combine: {rows:?}");
    let (code, _, _, body) = fetch(&s, "/api/audit/history?item=99", Some(c));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("no item `99`"), "{body}");
    let (code, _, _, body) = fetch(&s, "/audit/history?from=いつか", Some(c));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("日付「いつか」を読めません"), "{body}");

    // Pages are bounded: 2 rows a page, the last page holds the rest, a page past it none, and
    // no more than 200 rows whatever is asked.
    let n = item1.as_array().expect("array").len() as u64;
    assert!(n > 4, "{item1}");
    let (rows, v) = search(&s, "item=1&per_page=2", c);
    assert_eq!(
        (rows.len(), v["total"].as_u64(), v["pages"].as_u64()),
        (2, Some(n), Some(n.div_ceil(2)))
    );
    let last = n.div_ceil(2);
    let (rows, _) = search(&s, &format!("item=1&per_page=2&page={last}"), c);
    assert_eq!(rows.len() as u64, n - 2 * (last - 1));
    let (rows, v) = search(&s, &format!("item=1&per_page=2&page={}", last + 1), c);
    assert!(rows.is_empty() && v["total"] == n, "{v}");
    let (_, v) = search(&s, "per_page=100000", c);
    assert_eq!(v["per_page"], 200);
    assert!(v["entries"].as_array().expect("entries").len() <= 200);
    let (code, _, _, body) = fetch(&s, "/api/audit/history?per_page=0", Some(c));
    assert_eq!(code, 400, "{body}");
    let (code, _, _, page) = fetch(&s, "/audit/history?item=1&per_page=2", Some(c));
    assert_eq!(code, 200);
    assert!(page.contains("rel=\"next\""), "{page}");
    assert!(page.contains("page=2"), "{page}");
    assert!(page.contains("<caption>"), "{page}");
    assert!(page.contains("<th scope=\"col\">"), "{page}");
    assert!(page.contains("<th scope=\"row\">"), "{page}");
    assert!(page.contains("<label for=\"department\">"), "{page}");

    // A reason holding markup is shown as text.
    let (_, _, _, page) = fetch(&s, "/audit/history?item=2", Some(c));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert(1)"), "{page}");
    // The correction report, in Japan time.
    let (_, _, _, page) = fetch(&s, "/audit/corrections", Some(c));
    assert!(page.contains("訂正・削除履歴"), "{page}");
    assert!(page.contains("実績の確認により訂正"), "{page}");
    assert!(page.contains("2021-05-20 10:01:00 +09:00"), "{page}");
    assert!(!page.contains("所管課の評価"), "corrections only: {page}");
    let (code, ct, _, css) = fetch(&s, "/assets/audit.css", None);
    assert_eq!(code, 200);
    assert!(ct.starts_with("text/css"), "{ct}");
    assert!(css.contains("size: A4 landscape"), "{css}");

    // Blame, diff and verify: the CLI's JSON.
    let v = json_of(&s, "/api/audit/items/1/blame", c);
    assert_valid("blame.schema.json", &v);
    let want: Vec<&Value> = blame
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["item_id"] == "1")
        .collect();
    assert_eq!(
        v.as_array().expect("array").iter().collect::<Vec<_>>(),
        want
    );
    assert_eq!(v[0]["reason"], "実績の確認により訂正", "{v}");
    let (_, _, _, page) = fetch(&s, "/audit/items/1/blame", Some(c));
    assert!(page.contains("実績の確認により訂正"), "{page}");
    let (code, _, _, _) = fetch(&s, "/audit/items/99/blame", Some(c));
    assert_eq!(code, 404);
    let v = json_of(&s, "/api/audit/diff?from=at:2021-05-15&to=at:2021-05-31", c);
    assert_valid("diff.schema.json", &v);
    assert_eq!(v, diff, "as `hyoka diff --every`");
    assert_eq!(v["every"].as_array().map(Vec::len), Some(2), "{v}");
    let (_, _, _, page) = fetch(
        &s,
        "/audit/diff?from=at:2021-05-15&to=at:2021-05-31",
        Some(c),
    );
    assert!(page.contains("間に記録されたすべての変更"), "{page}");
    assert!(page.contains("財政課の評価"), "{page}");
    let (code, _, _, body) = fetch(&s, "/api/audit/diff?from=seq:999999&to=seq:1", Some(c));
    assert_eq!(code, 400, "{body}");
    let v = json_of(&s, "/api/audit/verify", c);
    assert_valid("audit-verify.schema.json", &v);
    assert_valid("verify.schema.json", &v["result"]);
    for k in [
        "ok",
        "events",
        "head_hash",
        "root",
        "vouched_through",
        "last_signed_checkpoint",
    ] {
        assert_eq!(v["result"][k], verified[k], "{k}: {v}");
    }
    assert_eq!(v["result"]["events"], events);
    assert!(
        v["run_at"]
            .as_str()
            .expect("run_at")
            .starts_with("2021-10-01T10:00:00+09:00"),
        "{v}"
    );
    let (_, _, _, page) = fetch(&s, "/audit/verify", Some(c));
    assert!(page.contains("検証に成功しました"), "{page}");
    assert!(
        page.contains(verified["root"].as_str().expect("root")),
        "{page}"
    );
    assert!(page.contains("2021-10-01 10:00:00 +09:00"), "{page}");

    // The downloads: the export verifies and restores, the checkpoint is the ledger's, a proof checks.
    let (code, ct, cd, export) = fetch(&s, "/api/audit/export", Some(c));
    assert_eq!(code, 200);
    assert_eq!(ct, "application/jsonl");
    assert_eq!(cd, "attachment; filename=\"hyoka-export.jsonl\"");
    assert_eq!(export.lines().count() as u64, events);
    let dir = r.env.dir.path();
    std::fs::write(dir.join("downloaded.jsonl"), &export).expect("write");
    let out = r
        .env
        .run(&["verify", "--export", "downloaded.jsonl", "--format", "json"])
        .ok()
        .to_string();
    let j: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        (j["ok"].clone(), j["root"].clone()),
        (json!(true), verified["root"].clone())
    );
    let restored = dir.join("restored");
    r.env
        .run(&[
            "restore",
            "downloaded.jsonl",
            "--ledger",
            restored.to_str().expect("path"),
        ])
        .ok();
    let (code, ct, cd, cp) = fetch(&s, "/api/audit/checkpoint", Some(c));
    assert_eq!(code, 200);
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(cd, "attachment; filename=\"checkpoint.txt\"");
    assert_eq!(cp, checkpoint);
    let (code, ct, cd, proof) = fetch(&s, "/api/audit/proof?seq=5", Some(c));
    assert_eq!(code, 200, "{proof}");
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(cd, "attachment; filename=\"proof-5.txt\"");
    std::fs::write(dir.join("p.tlog-proof"), &proof).expect("write");
    let out = r
        .env
        .run(&["verify-proof", "p.tlog-proof"])
        .ok()
        .to_string();
    assert!(out.starts_with("ok: event 5 is in the checkpoint"), "{out}");
    let (code, _, _, body) = fetch(&s, &format!("/api/audit/proof?seq={events}"), Some(c));
    assert_eq!(code, 404, "{body}");
    let (code, _, _, body) = fetch(&s, "/api/audit/proof?seq=x", Some(c));
    assert_eq!(code, 400, "{body}");

    // An auditor records nothing.
    let (code, body) = s.post_json(
        "/api/ratings",
        Some(&au.cookie),
        Some(&au.csrf),
        &json!({"item": "1", "period": POINT, "grade": "S", "reason": "監査"}),
    );
    assert!(code == 403 || code == 409, "{code}: {body}");
    assert_eq!(s.events(), events, "nothing appended");
    assert_eq!(s.stop(), 0);
}
