//! The administrator's pages, the round's tracker and a department's sheet over HTTP (issue 20): the
//! binary serves a ledger on 127.0.0.1, port 0; people enrol and sign in as in test_serve. Checked:
//! who may open each page (401 without a session, 403 for another role or department), that every
//! form is refused without its session's CSRF token and appends nothing, that each action is an
//! event of the signed-in administrator (revocations, closes and publications only from their
//! confirmation), that the tracker says who is overdue in words, that a downloaded sheet is byte for
//! byte what `hyoka sheets` writes, that the bundled filled sheet uploaded records its cells as the
//! department's staff, and that a bad sheet is answered cell by cell in Japanese and records nothing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::{Value, json};

use crate::common::{Env, seed};
use crate::test_rounds::{DEPTS, POINT, Rounds};

/// A server started by a test, stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// `hyoka serve --listen 127.0.0.1:0` on `env`'s ledger at `now`: ready once it prints its URL.
    fn start(env: &Env, now: &str) -> Server {
        let mut child = env
            .command(now, &[], &["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start hyoka serve");
        let mut line = String::new();
        let out = child.stdout.take().expect("stdout");
        BufReader::new(out).read_line(&mut line).expect("read");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Server { child, url }
    }

    fn stop(mut self) -> i32 {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signals our own child, which has not been waited for.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let code = self.child.wait().expect("wait").code().unwrap_or(-1);
        std::mem::forget(self);
        code
    }

    /// The number of events, through the API.
    fn events(&self) -> u64 {
        let (code, body) = self.get("/api/head", None);
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("JSON");
        v["events"].as_u64().expect("events")
    }

    /// `GET path` with the cookie given: status and body.
    fn get(&self, path: &str, cookie: Option<&str>) -> (u16, String) {
        let (code, _, body) = self.get_bytes(path, cookie);
        (code, String::from_utf8_lossy(&body).into_owned())
    }

    /// `GET path`: status, headers and bytes.
    fn get_bytes(&self, path: &str, cookie: Option<&str>) -> (u16, ureq::http::HeaderMap, Vec<u8>) {
        let mut req = agent().get(format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        let mut r = req.call().expect("HTTP");
        let code = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.body_mut().read_to_vec().expect("body");
        (code, headers, body)
    }

    /// `POST path` with a form and the cookie given: status and body.
    fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> (u16, String) {
        let mut req = agent().post(format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        answer(req.send_form(form.iter().copied()))
    }

    /// `POST path` with a multipart form: `csrf` (when given) first, then the file.
    fn upload(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: Option<&str>,
        file_name: &str,
        bytes: &[u8],
    ) -> (u16, String) {
        let boundary = "----hyoka-test-boundary-7d1c";
        let mut body = Vec::new();
        if let Some(t) = csrf {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{t}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = agent().post(format!("{}{path}", self.url)).header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        answer(req.send(&body[..]))
    }

    /// Enrols `person` with the key in `key_file` (from the link's `token`) and signs them in: the
    /// session's cookie pair and CSRF token.
    fn sign_in(&self, token: &str, person: &str, key_file: &str) -> (String, String) {
        let key = std::fs::read_to_string(key_file).expect("key");
        let password = format!("{person}のとても長いパスワード");
        let (code, page) = self.post(
            "/enrol",
            None,
            &[
                ("token", token),
                ("key", &key),
                ("password", &password),
                ("again", &password),
            ],
        );
        assert_eq!(code, 200, "{page}");
        let mut resp = agent()
            .post(format!("{}/api/signin", self.url))
            .send_json(json!({"person": person, "password": password}))
            .expect("HTTP");
        assert_eq!(resp.status().as_u16(), 200);
        let cookie = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("cookie")
            .to_string();
        let body: Value =
            serde_json::from_str(&resp.body_mut().read_to_string().expect("body")).expect("JSON");
        let csrf = body["csrf_token"].as_str().expect("token").to_string();
        (cookie, csrf)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut r = r.expect("HTTP");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

/// The enrolment token of `person`, issued on the command line at `now`.
fn token(env: &Env, now: &str, person: &str) -> String {
    let run = env.run_at(now, &["person", "enrol", person, "--url", "http://x/"]);
    let line = run.ok().trim().to_string();
    line.rsplit_once("token=")
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| panic!("no token in {line}"))
}

/// The last `n` events of the log, oldest first.
fn last_events(env: &Env, n: usize) -> Vec<Value> {
    let log = env
        .run_at("2100-01-01T00:00:00Z", &["log", "--format", "jsonl"])
        .ok()
        .to_string();
    let mut v: Vec<Value> = log
        .lines()
        .rev()
        .take(n)
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    v.reverse();
    v
}

/// A page in Japanese, naming no English sentence of the library's (refusals are worded here).
#[track_caller]
fn japanese_page(body: &str) {
    assert!(body.contains("<html lang=\"ja\">"), "{body}");
    for english in [
        "line ",
        "refused",
        "not in the plan",
        "may not",
        "sign in",
        "error",
    ] {
        let text = body.replace("class=\"error\"", "");
        assert!(!text.contains(english), "`{english}` in {body}");
    }
}

const SERVER_NOW: &str = "2021-10-01T10:00:00+09:00";

#[test]
fn the_administrator_manages_people_and_rounds_and_reviewers_track_the_round() {
    let r = Rounds::new();
    // The round of 令和2年度末, done but for its publication (item 7 対象外).
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    r.ok("hq", &["item", "exclude", "7", POINT, "-m", "対象外"]);
    for (d, items) in [["1", "2"], ["3", "4"], ["5", "6"]].iter().enumerate() {
        for i in items {
            r.ok(&format!("s{d}"), &["rate", i, POINT, "A", "-m", "評価"]);
        }
        r.ok(&format!("s{d}"), &["submit"]);
        r.ok(
            &format!("h{d}"),
            &["review", "approve", "--department", DEPTS[d], "-m", "確認"],
        );
        r.ok(
            "hq",
            &["review", "approve", "--department", DEPTS[d], "-m", "確認"],
        );
    }
    let tokens: Vec<String> = ["admin", "s0", "s1", "h0"]
        .iter()
        .map(|p| token(&r.env, "2021-10-01T09:00:00+09:00", p))
        .collect();
    let s = Server::start(&r.env, SERVER_NOW);
    let (admin, admin_csrf) = s.sign_in(&tokens[0], "admin", &r.key("admin"));
    let (s0, s0_csrf) = s.sign_in(&tokens[1], "s0", &r.key("s0"));
    let (s1, _) = s.sign_in(&tokens[2], "s1", &r.key("s1"));
    let (h0, _) = s.sign_in(&tokens[3], "h0", &r.key("h0"));
    let a = Some(admin.as_str());

    // Who may open what: no session 401, staff 403; the administrator gets the pages.
    for path in ["/admin/people", "/admin/rounds", "/admin/plan"] {
        let (code, body) = s.get(path, None);
        assert_eq!(code, 401, "{path}: {body}");
        japanese_page(&body);
        assert!(body.contains("サインインしてください"), "{body}");
        let (code, body) = s.get(path, Some(&s0));
        assert_eq!(code, 403, "{path}: {body}");
        japanese_page(&body);
        assert!(body.contains("管理者の役割を持つ人だけ"), "{body}");
        let (code, body) = s.get(path, a);
        assert_eq!(code, 200, "{path}: {body}");
        japanese_page(&body);
        assert!(
            body.contains("<caption>") || path == "/admin/plan",
            "{body}"
        );
    }
    let (_, people) = s.get("/admin/people", a);
    for id in ["admin", "s0", "h0", "hq", "c"] {
        assert!(
            people.contains(&format!("<th scope=\"row\">{id}</th>")),
            "{id}: {people}"
        );
    }
    assert!(people.contains("担当（staff）"), "{people}");
    let (_, plan) = s.get("/admin/plan", a);
    for text in [
        "第3次行財政改革",
        "S・A・B",
        "取組7",
        "総務課、財政課、市民課",
        "hyoka import",
    ] {
        assert!(plan.contains(text), "{text}: {plan}");
    }
    let (code, body) = s.get("/rounds/FY2020-YE/tracker", Some(&s0));
    assert_eq!(code, 403, "staff do not track: {body}");

    // Every form without the session's token: 403, nothing appended.
    let n = s.events();
    let open = [
        ("point", "令和3年度上半期"),
        ("due", "2021-09-30"),
        ("reason", "上半期の評価"),
    ];
    for csrf in [None, Some("0".repeat(64))] {
        let mut form = open.to_vec();
        if let Some(t) = &csrf {
            form.push(("csrf", t));
        }
        for path in [
            "/admin/rounds/open",
            "/admin/rounds/FY2020-YE/close",
            "/admin/rounds/FY2020-YE/publish",
            "/admin/people/roles",
            "/admin/people/keys/revoke",
            "/admin/people/enrol",
        ] {
            let (code, body) = s.post(path, a, &form);
            assert_eq!(code, 403, "{path}: {body}");
            japanese_page(&body);
        }
    }
    // A body that is no form (its token unreadable): refused in Japanese, not as the framework words it.
    let (code, body) = answer(
        agent()
            .post(format!("{}/admin/rounds/open", s.url))
            .header("Cookie", &admin)
            .send_json(json!({"point": "令和3年度上半期", "csrf": admin_csrf})),
    );
    assert_eq!(code, 403, "{body}");
    japanese_page(&body);
    // Staff with their own token: 403.
    let mut form = open.to_vec();
    form.push(("csrf", &s0_csrf));
    let (code, body) = s.post("/admin/rounds/open", Some(&s0), &form);
    assert_eq!(code, 403, "{body}");
    assert_eq!(s.events(), n);

    // Opening a round: a due date that is none re-renders the form with the input kept.
    let (code, body) = s.post(
        "/admin/rounds/open",
        a,
        &[
            ("csrf", &admin_csrf),
            ("point", "令和3年度上半期"),
            ("due", "あした"),
        ],
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("提出期限を日付で入れてください"), "{body}");
    assert!(body.contains("value=\"令和3年度上半期\""), "{body}");
    assert_eq!(s.events(), n);
    let mut form = open.to_vec();
    form.push(("csrf", &admin_csrf));
    let (code, body) = s.post("/admin/rounds/open", a, &form);
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("令和3年度上半期の評価ラウンドを開始しました"),
        "{body}"
    );
    assert_eq!(s.events(), n + 1);
    let (code, body) = s.post("/admin/rounds/open", a, &form);
    assert_eq!(code, 409, "opened twice: {body}");
    assert!(body.contains("すでにあります"), "{body}");
    assert_eq!(s.events(), n + 1);

    // The tracker: its due date passed (2021-09-30, the server's day is 2021-10-01), nothing done:
    // every department overdue, said in words.
    let (code, body) = s.get("/rounds/FY2021-H1/tracker", Some(&h0));
    assert_eq!(code, 200, "{body}");
    japanese_page(&body);
    assert!(body.contains("期限を過ぎて未了の課: 3"), "{body}");
    assert_eq!(body.matches("⚠ 期限超過").count(), 3, "{body}");
    assert!(body.contains("<th scope=\"col\">提出</th>"), "{body}");
    assert!(body.contains("未（2件中0件）"), "{body}");
    // The department's page, its name percent-encoded (minijinja also escapes `/` as `&#x2f;`).
    assert!(
        body.contains("departments&#x2f;%E7%B7%8F%E5%8B%99%E8%AA%B2\">総務課</a>"),
        "{body}"
    );
    let (code, body) = s.get("/rounds/FY2020-YE/tracker", a);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("期限を過ぎて未了の課: 0"), "{body}");
    assert_eq!(body.matches("完了").count(), 3, "{body}");
    assert!(body.contains("済み（2件）"), "{body}");
    let (code, _) = s.get("/rounds/FY2019-YE/tracker", a);
    assert_eq!(code, 404);

    // Publication: the confirmation shows the counts and the digest and records nothing; a digest
    // that is not the table's now is refused; the confirmed one closes and publishes.
    let n = s.events();
    let (code, body) = s.post(
        "/admin/rounds/FY2020-YE/publish",
        a,
        &[("csrf", &admin_csrf)],
    );
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains("<th scope=\"row\">A</th><td>6</td>"),
        "{body}"
    );
    assert!(
        body.contains("<th scope=\"row\">対象外</th><td>1</td>"),
        "{body}"
    );
    let digest = body
        .split("name=\"sha256\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("digest")
        .to_string();
    assert_eq!(digest.len(), 64);
    assert_eq!(s.events(), n);
    let confirmed = |sha: &str| {
        s.post(
            "/admin/rounds/FY2020-YE/publish",
            a,
            &[
                ("csrf", &admin_csrf),
                ("confirm", "yes"),
                ("sha256", sha),
                ("reason", "令和2年度末の公表"),
            ],
        )
    };
    let (code, body) = confirmed(&"0".repeat(64));
    assert_eq!(code, 409, "{body}");
    assert_eq!(s.events(), n);
    let (code, body) = confirmed(&digest);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("評価結果を公表しました"), "{body}");
    assert!(body.contains("チェックポイント"), "{body}");
    assert!(body.contains("href=\"/rounds/FY2020-YE\""), "{body}");
    assert_eq!(s.events(), n + 2);
    // As `round publish` does, the publication signed the ledger's checkpoint with the log key: the
    // citizens' page shows the table as published with it (covering every event).
    let (code, page) = s.get("/rounds/FY2020-YE", None);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("class=\"results\""), "{page}");
    assert!(page.contains(&digest), "{page}");
    assert!(
        page.contains(&format!(
            "<pre class=\"checkpoint\">city.example&#x2f;rounds\n{}\n",
            n + 2
        )),
        "{page}"
    );
    assert!(
        page.contains("\u{2014} city.example&#x2f;rounds "),
        "{page}"
    );
    // The round of 令和3年度上半期 cannot be published yet: the confirmation says why.
    let (code, body) = s.post(
        "/admin/rounds/FY2021-H1/publish",
        a,
        &[("csrf", &admin_csrf)],
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("まだ公表できません"), "{body}");
    assert!(!body.contains("この内容で公表する"), "{body}");

    // Closing: the confirmation first, then the event.
    let n = s.events();
    let (code, body) = s.post("/admin/rounds/FY2021-H1/close", a, &[("csrf", &admin_csrf)]);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("締め切る"), "{body}");
    assert_eq!(s.events(), n);
    let (code, body) = s.post(
        "/admin/rounds/FY2021-H1/close",
        a,
        &[("csrf", &admin_csrf), ("confirm", "yes")],
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(s.events(), n + 1);

    // Roles: a grant at once; a revocation from its confirmation only.
    let n = s.events();
    let grant = [
        ("csrf", admin_csrf.as_str()),
        ("person", "s0"),
        ("role", "head"),
        ("action", "grant"),
        ("reason", "課長代理"),
    ];
    let (code, body) = s.post("/admin/people/roles", a, &grant);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("s0 さんの課長の役割を付与しました"), "{body}");
    assert_eq!(s.events(), n + 1);
    let (code, body) = s.post("/admin/people/roles", a, &grant);
    assert_eq!(code, 409, "granted twice: {body}");
    assert!(body.contains("すでに課長の役割を持っています"), "{body}");
    let mut revoke = grant.to_vec();
    revoke[3] = ("action", "revoke");
    let (code, body) = s.post("/admin/people/roles", a, &revoke);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("よろしいですか"), "{body}");
    assert_eq!(s.events(), n + 1);
    revoke.push(("confirm", "yes"));
    let (code, body) = s.post("/admin/people/roles", a, &revoke);
    assert_eq!(code, 200, "{body}");
    assert_eq!(s.events(), n + 2);

    // Keys: the last administrator's is refused; s1's revoked from its confirmation, which ends
    // their session.
    let (code, body) = s.post(
        "/admin/people/keys/revoke",
        a,
        &[
            ("csrf", &admin_csrf),
            ("person", "admin"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("最後の管理者"), "{body}");
    assert_eq!(s.events(), n + 2);
    let key = [("csrf", admin_csrf.as_str()), ("person", "s1")];
    let (code, body) = s.post("/admin/people/keys/revoke", a, &key);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("元に戻すことはできません"), "{body}");
    assert_eq!(s.events(), n + 2);
    let (code, _) = s.get("/api/session", Some(&s1));
    assert_eq!(code, 200, "s1 still signed in");
    let mut key = key.to_vec();
    key.push(("confirm", "yes"));
    let (code, body) = s.post("/admin/people/keys/revoke", a, &key);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("s1 さんの鍵を失効させました"), "{body}");
    assert_eq!(s.events(), n + 3);
    let (code, _) = s.get("/api/session", Some(&s1));
    assert_eq!(code, 401, "s1's session ended");

    // An enrolment link, shown once, that opens the enrolment page; none for a revoked key.
    let (code, body) = s.post(
        "/admin/people/enrol",
        a,
        &[("csrf", &admin_csrf), ("person", "h0")],
    );
    assert_eq!(code, 200, "{body}");
    let link = body
        .split("readonly value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("link")
        .replace("&#x2f;", "/");
    assert!(
        link.starts_with(&format!("{}/enrol?token=", s.url)),
        "{link}"
    );
    let path = link.trim_start_matches(&s.url).to_string();
    let (code, page) = s.get(&path, None);
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("h0 さんの登録です"), "{page}");
    let (code, body) = s.post(
        "/admin/people/enrol",
        a,
        &[("csrf", &admin_csrf), ("person", "s1")],
    );
    assert_eq!(code, 409, "{body}");
    assert_eq!(s.events(), n + 3);

    assert_eq!(s.stop(), 0);
    r.run(&["verify"]).ok();
    let events = last_events(&r.env, 7);
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["change"]["kind"].as_str().unwrap_or(""),
                e["author"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("round.opened", "admin"),
            ("round.closed", "admin"),
            ("round.published", "admin"),
            ("round.closed", "admin"),
            ("role.granted", "admin"),
            ("role.revoked", "admin"),
            ("key.revoked", "admin"),
        ],
        "{events:?}"
    );
    let status: Value =
        serde_json::from_str(r.run(&["round", "status", POINT, "--format", "json"]).ok())
            .expect("JSON");
    assert_eq!(status["status"], "published");
    assert_eq!(status["published_sha256"], digest.as_str());
    assert_eq!(events[2]["reason"], "令和2年度末の公表", "{}", events[2]);
}

#[test]
fn a_server_without_the_log_key_says_so_and_publishes_nothing() {
    let r = Rounds::new();
    // A round every item of which is 対象外: ready to be published.
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    for i in 1..=7 {
        r.ok(
            "hq",
            &["item", "exclude", &i.to_string(), POINT, "-m", "対象外"],
        );
    }
    let token = token(&r.env, "2021-10-01T09:00:00+09:00", "admin");
    // The log key moved away from beside the ledger: the server starts without it.
    let key = r.env.dir.path().join("ledger.log-key");
    let away = r.env.dir.path().join("elsewhere.log-key");
    std::fs::rename(&key, &away).expect("move the log key");
    let s = Server::start(&r.env, SERVER_NOW);
    let (admin, csrf) = s.sign_in(&token, "admin", &r.key("admin"));
    let a = Some(admin.as_str());
    let n = s.events();
    let (code, body) = s.post("/admin/rounds/FY2020-YE/publish", a, &[("csrf", &csrf)]);
    assert_eq!(code, 200, "{body}");
    let digest = body
        .split("name=\"sha256\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("digest")
        .to_string();
    let (code, body) = s.post(
        "/admin/rounds/FY2020-YE/publish",
        a,
        &[("csrf", &csrf), ("confirm", "yes"), ("sha256", &digest)],
    );
    assert_eq!(code, 409, "{body}");
    assert!(
        body.contains("ログ鍵を持っていないため公表できません"),
        "{body}"
    );
    assert!(body.contains("log-key"), "how to give it one: {body}");
    assert_eq!(s.events(), n);
    // The API says the same, with its kind.
    let (code, body) = answer(
        agent()
            .post(format!("{}/api/rounds/FY2020-YE/publish", s.url))
            .header("Cookie", &admin)
            .header("X-CSRF-Token", &csrf)
            .send_json(json!({"reason": "公表"})),
    );
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("\"no_log_key\""), "{body}");
    assert_eq!(s.events(), n);
    let (code, _) = s.get("/rounds/FY2020-YE", None);
    assert_eq!(code, 404, "not published");
    assert_eq!(s.stop(), 0);
    std::fs::rename(&away, &key).expect("the log key back");
    r.run(&["verify"]).ok();
}

/// The seed ledger with people (its first administrator 山田太郎, key `yamada.key`), 政策課's staff
/// (`seisaku.key`) and 財政課's (`zaisei.key`), and the round of 平成27年度末 open (due 2016-04-30):
/// the ids of the two staff.
fn seed_with_people(env: &Env) -> (String, String) {
    env.run(&["import", seed().to_str().expect("path"), "-a", "山田"])
        .ok();
    let key = |name: &str| {
        let run = env.run(&[
            "key",
            "generate",
            "--name",
            name,
            "--output",
            &format!("{name}.key"),
        ]);
        std::fs::write(env.dir.path().join(format!("{name}.vkey")), run.ok().trim()).expect("vkey");
    };
    key("yamada");
    env.run(&[
        "people",
        "enable",
        "--admin",
        "山田太郎",
        "--vkey",
        "yamada.vkey",
        "--key",
        "yamada.key",
        "-m",
        "人の導入",
    ])
    .ok();
    for (name, person, dept) in [
        ("seisaku", "政策花子", "政策課"),
        ("zaisei", "財政次郎", "財政課"),
    ] {
        key(name);
        env.run(&[
            "person",
            "add",
            person,
            "--department",
            dept,
            "--role",
            "staff",
            "--vkey",
            &format!("{name}.vkey"),
            "--key",
            "yamada.key",
            "-m",
            "担当者の登録",
        ])
        .ok();
    }
    env.run(&[
        "round",
        "open",
        "H27末",
        "--due",
        "2016-04-30",
        "--key",
        "yamada.key",
    ])
    .ok();
    let list: Value =
        serde_json::from_str(env.run(&["person", "list", "--format", "json"]).ok()).expect("JSON");
    let id = |dept: &str| {
        list["people"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["department"] == dept))
            .and_then(|p| p["id"].as_str())
            .expect("person")
            .to_string()
    };
    (id("政策課"), id("財政課"))
}

#[test]
fn a_department_s_sheet_downloads_as_hyoka_sheets_writes_it_and_uploads_filled_in() {
    let env = Env::new();
    let (seisaku, zaisei) = seed_with_people(&env);
    env.run(&["sheets", "--out", "sheets", "--department", "政策課"])
        .ok();
    let written = |ext: &str| {
        std::fs::read(
            env.dir
                .path()
                .join(format!("sheets/FY2015-YE_政策課.{ext}")),
        )
        .expect("sheet")
    };
    let now = "2016-05-10T09:00:00+09:00";
    let t1 = token(&env, now, &seisaku);
    let t2 = token(&env, now, &zaisei);
    let s = Server::start(&env, "2016-05-10T10:00:00+09:00");
    let dir = env.dir.path();
    let (mine, csrf) = s.sign_in(
        &t1,
        &seisaku,
        dir.join("seisaku.key").to_str().expect("path"),
    );
    let (theirs, their_csrf) =
        s.sign_in(&t2, &zaisei, dir.join("zaisei.key").to_str().expect("path"));
    let base = "/rounds/FY2015-YE/departments/%E6%94%BF%E7%AD%96%E8%AA%B2";

    // The download is what `hyoka sheets` wrote, with the name in RFC 5987 form.
    for ext in ["csv", "xlsx"] {
        let (code, headers, bytes) = s.get_bytes(&format!("{base}/sheet.{ext}"), Some(&mine));
        assert_eq!(code, 200, "{ext}");
        assert!(
            bytes == written(ext),
            "{ext}: not the bytes `hyoka sheets` writes"
        );
        let cd = headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .expect("Content-Disposition");
        assert_eq!(
            cd,
            format!(
                "attachment; filename=\"FY2015-YE____.{ext}\"; filename*=UTF-8''FY2015-YE_%E6%94%BF%E7%AD%96%E8%AA%B2.{ext}"
            )
        );
        // Another department's staff may not; no session, no sheet.
        let (code, body) = s.get(&format!("{base}/sheet.{ext}"), Some(&theirs));
        assert_eq!(code, 403, "{body}");
        japanese_page(&body);
        assert_eq!(s.get(&format!("{base}/sheet.{ext}"), None).0, 401);
    }
    // The sheet's page: both links and the upload form, with its token first.
    let (code, page) = s.get(&format!("{base}/sheet"), Some(&mine));
    assert_eq!(code, 200, "{page}");
    japanese_page(&page);
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    let form = page.split("<form").nth(2).expect("the upload form");
    assert!(
        form.find("name=\"csrf\"") < form.find("name=\"file\""),
        "{form}"
    );
    assert_eq!(
        s.get(
            "/rounds/FY2015-YE/departments/%E4%BA%BA%E4%BA%8B%E8%AA%B2/sheet",
            Some(&mine)
        )
        .0,
        404
    );

    // Uploads without the session's token, or by another department: 403, nothing appended.
    let fixture = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sheet-FY2015-YE_政策課-filled.csv"),
    )
    .expect("fixture");
    let n = s.events();
    let path = format!("{base}/sheet");
    let up = |cookie: &str, csrf: Option<&str>, name: &str, bytes: &[u8]| {
        s.upload(&path, Some(cookie), csrf, name, bytes)
    };
    assert_eq!(up(&mine, None, "f.csv", &fixture).0, 403);
    assert_eq!(up(&mine, Some(&"0".repeat(64)), "f.csv", &fixture).0, 403);
    assert_eq!(s.upload(&path, None, Some(&csrf), "f.csv", &fixture).0, 401);
    let (code, body) = up(&theirs, Some(&their_csrf), "f.csv", &fixture);
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("政策課の担当と課長だけ"), "{body}");
    assert_eq!(s.events(), n);

    // A bad sheet: each cell's problem in Japanese, with its place; nothing appended.
    let text = String::from_utf8(fixture.clone()).expect("UTF-8");
    let bad = text
        .replacen(",A,,\r\n", ",Z,,\r\n", 1)
        .replacen(",B,○,進捗", ",B,x,進捗", 1);
    assert_ne!(bad, text, "the fixture's cells were found");
    let (code, body) = up(&mine, Some(&csrf), "政策課.csv", bad.as_bytes());
    assert_eq!(code, 400, "{body}");
    japanese_page(&body);
    assert!(body.contains("直すところが2件あります"), "{body}");
    assert!(
        body.contains("2行目、8列目（評価（平成27年度末））: 項目 12 の平成27年度末の評価「Z」は計画の評価段階にありません"),
        "{body}"
    );
    assert!(
        body.contains("3行目、9列目（フォローアップ対象（平成27年度末））"),
        "{body}"
    );
    assert_eq!(s.events(), n);
    // Not a sheet at all.
    let (code, body) = up(&mine, Some(&csrf), "x.csv", "a,b\r\n1,2\r\n".as_bytes());
    assert_eq!(code, 400, "{body}");
    japanese_page(&body);
    assert_eq!(s.events(), n);

    // The bundled filled sheet: its four cells, recorded as 政策課's staff.
    let (code, body) = up(
        &mine,
        Some(&csrf),
        "sheet-FY2015-YE_政策課-filled.csv",
        &fixture,
    );
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("4件の変更を記録しました"), "{body}");
    assert!(body.contains("<th scope=\"row\">21</th>"), "{body}");
    assert_eq!(s.events(), n + 4);
    // Again: nothing differs, nothing recorded.
    let (code, body) = up(&mine, Some(&csrf), "again.csv", &fixture);
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("何も記録していません"), "{body}");
    assert_eq!(s.events(), n + 4);

    assert_eq!(s.stop(), 0);
    env.run(&["verify"]).ok();
    let events = last_events(&env, 4);
    for e in &events {
        assert_eq!(e["author"], seisaku.as_str(), "{e}");
        assert_eq!(
            e["source"]["file_name"], "sheet-FY2015-YE_政策課-filled.csv",
            "{e}"
        );
    }
    let t: Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).expect("JSON");
    let row = |id: &str| {
        t["items"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["id"] == id))
            .cloned()
            .expect("row")
    };
    assert_eq!(row("12")["ratings"]["FY2015-YE"], "A");
    assert_eq!(row("21")["ratings"]["FY2015-YE"], "B");
}
