//! `hyoka serve` from outside: the binary started on 127.0.0.1, port 0, on a ledger with a published
//! round and an open one; spoken to over HTTP. The contract: `GET /` is a Japanese page; the published
//! table's JSON is byte for byte the CLI's; every change is refused without a session (401) and
//! without the CSRF token (403), appending nothing; a person enrolled with their key and a password
//! signs in and records a rating signed with their key, which `verify` then checks; another
//! department's item is refused; a command meeting the lock names the server; SIGTERM stops it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use serde_json::{Value, json};

use crate::common::Env;
use crate::test_rounds::{POINT, published_with_a_correction};

/// A server started by a test, stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// `hyoka serve --listen 127.0.0.1:0` on `env`'s ledger: ready once it has printed its URL.
    fn start(env: &Env) -> Server {
        Server::start_with(env, &[])
    }

    /// As [`Server::start`], with more arguments.
    fn start_with(env: &Env, more: &[&str]) -> Server {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(more);
        let mut child = env
            .command("2021-10-01T10:00:00+09:00", &[], &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start hyoka serve");
        let mut line = String::new();
        let out = child.stdout.take().expect("stdout");
        BufReader::new(out).read_line(&mut line).expect("read");
        let url = url_in(&line).unwrap_or_else(|| panic!("no URL in {line:?}"));
        Server { child, url }
    }

    /// Stops the server with SIGTERM and waits for it: its exit code.
    fn stop(mut self) -> i32 {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signals our own child, which has not been waited for.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let code = self.child.wait().expect("wait").code().unwrap_or(-1);
        std::mem::forget(self);
        code
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's URL in a line (`http://127.0.0.1:PORT` or `https://…`), if there is one.
fn url_in(line: &str) -> Option<String> {
    line.split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:") || w.starts_with("https://127.0.0.1:"))
        .map(str::to_string)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// A response's status and body.
fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut r = r.expect("HTTP");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

/// The number of events, through the API.
fn events(s: &Server) -> u64 {
    let (code, body) = answer(agent().get(format!("{}/api/head", s.url)).call());
    assert_eq!(code, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("JSON");
    v["events"].as_u64().expect("events")
}

/// `POST /api/ratings` with the cookie and CSRF header given: status and body.
fn rate(s: &Server, cookie: Option<&str>, csrf: Option<&str>, body: &Value) -> (u16, String) {
    let mut req = agent().post(format!("{}/api/ratings", s.url));
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    answer(req.send_json(body))
}

/// The enrolment token a `person enrol` line shows.
fn token_of(line: &str) -> String {
    let (_, t) = line
        .trim()
        .rsplit_once("token=")
        .expect("token in the link");
    t.to_string()
}

#[test]
fn the_server_keeps_the_contract() {
    let r = published_with_a_correction();
    r.ok(
        "admin",
        &["round", "open", "令和3年度上半期", "--due", "2021-10-31"],
    );
    let notice: Value =
        serde_json::from_str(r.run(&["round", "notice", POINT, "--format", "json"]).ok())
            .expect("JSON");
    let seq = notice["published"]["seq"]
        .as_u64()
        .expect("seq")
        .to_string();
    let table = r
        .run(&[
            "table",
            "--as-of",
            "FY2020-YE",
            "--seq",
            &seq,
            "--format",
            "json",
        ])
        .ok()
        .to_string();
    // Issued the day the server runs (a link is valid 72 hours).
    let t0 = token_of(
        r.env
            .run_at(
                "2021-10-01T09:00:00+09:00",
                &["person", "enrol", "s0", "--url", "http://x/"],
            )
            .ok(),
    );
    let refused = r.run(&["person", "enrol", "nobody", "--url", "http://x"]);
    assert!(refused.fails(1).contains("nobody"), "{}", refused.stderr);
    let web = r.env.dir.path().join("ledger.web");
    assert!(
        !std::fs::read_to_string(web.join("enrol.json"))
            .expect("tokens")
            .contains(&t0),
        "the token is stored hashed"
    );

    let s = Server::start(&r.env);
    let a = agent();

    // A page in Japanese.
    let (code, home) = answer(a.get(format!("{}/", s.url)).call());
    assert_eq!(code, 200);
    assert!(home.contains("<html lang=\"ja\">"), "{home}");
    assert!(home.contains("令和2年度末"), "{home}");

    // The published table, byte for byte the CLI's (the correction made after it is not in it).
    let (code, body) = answer(
        a.get(format!("{}/api/rounds/FY2020-YE/table", s.url))
            .call(),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(body, table);
    let (code, body) = answer(
        a.get(format!("{}/api/rounds/FY2021-H1/table", s.url))
            .call(),
    );
    assert_eq!(code, 404, "not published: {body}");
    assert!(body.contains("\"not_published\""), "{body}");

    // No session: 401, nothing appended.
    let n = events(&s);
    let rating = json!({"item": "1", "period": "令和3年度上半期", "grade": "A", "reason": "評価"});
    let (code, body) = rate(&s, None, None, &rating);
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("\"unauthenticated\""), "{body}");
    // A forged cookie is no session.
    let forged = format!("hyoka_session={}", "ab".repeat(32));
    assert_eq!(rate(&s, Some(&forged), Some("x"), &rating).0, 401);
    assert_eq!(events(&s), n);

    // Enrolment: the key pasted and a password chosen; the key is stored wrapped.
    let key = std::fs::read_to_string(r.key("s0")).expect("key");
    let (code, page) = answer(a.get(format!("{}/enrol?token={t0}", s.url)).call());
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("s0 さん"), "{page}");
    let enrol = |t: &str, k: &str, p: &str| {
        answer(a.post(format!("{}/enrol", s.url)).send_form([
            ("token", t),
            ("key", k),
            ("password", p),
            ("again", p),
        ]))
    };
    let (code, page) = enrol(&t0, "PRIVATE+KEY+nonsense", "とても長いパスワード12");
    assert_eq!(code, 400, "{page}");
    let other = std::fs::read_to_string(r.key("s1")).expect("key");
    assert_eq!(
        enrol(&t0, &other, "とても長いパスワード12").0,
        400,
        "s1's key"
    );
    assert_eq!(enrol(&t0, &key, "short").0, 400, "short password");
    let (code, page) = enrol(&t0, &key, "とても長いパスワード12");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("登録しました"), "{page}");
    assert_eq!(
        enrol(&t0, &key, "とても長いパスワード12").0,
        400,
        "used once"
    );
    let keys: Vec<_> = std::fs::read_dir(web.join("keys"))
        .expect("keys")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
        .collect();
    assert_eq!(keys.len(), 1);
    assert!(!keys[0].contains(key.trim()), "the key is stored wrapped");

    // Sign-in: a wrong password fails; the right one gives a session and its CSRF token.
    let signin = |p: &str| {
        let mut resp = a
            .post(format!("{}/api/signin", s.url))
            .send_json(json!({"person": "s0", "password": p}))
            .expect("HTTP");
        let cookie = resp
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().expect("ASCII").to_string());
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().expect("body");
        (status, cookie, body)
    };
    let (code, cookie, _) = signin("wrong password");
    assert_eq!((code, cookie), (401, None));
    let (code, cookie, body) = signin("とても長いパスワード12");
    assert_eq!(code, 200, "{body}");
    let cookie = cookie.expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().expect("pair").to_string();
    let csrf = serde_json::from_str::<Value>(&body).expect("JSON")["csrf_token"]
        .as_str()
        .expect("token")
        .to_string();

    // A session without its CSRF token, or with another: 403, nothing appended.
    let (code, body) = rate(&s, Some(&cookie), None, &rating);
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("\"csrf\""), "{body}");
    assert_eq!(
        rate(&s, Some(&cookie), Some(&"0".repeat(64)), &rating).0,
        403
    );
    assert_eq!(events(&s), n);
    // Another department's item: refused by the ledger's rules, nothing appended.
    let theirs = json!({"item": "3", "period": "令和3年度上半期", "grade": "A", "reason": "評価"});
    let (code, body) = rate(&s, Some(&cookie), Some(&csrf), &theirs);
    assert_eq!(code, 403, "{body}");
    assert_eq!(events(&s), n);
    // Bad input: one clear error, nothing appended.
    let bad = json!({"item": "1", "period": "令和3年度上半期", "grade": "Z", "reason": "評価"});
    let (code, body) = rate(&s, Some(&cookie), Some(&csrf), &bad);
    assert!(code == 409 || code == 400, "{code} {body}");
    assert_eq!(events(&s), n);

    // With both: recorded, signed by s0, acknowledged once durable.
    let (code, body) = rate(&s, Some(&cookie), Some(&csrf), &rating);
    assert_eq!(code, 201, "{body}");
    assert_eq!(events(&s), n + 1);

    // Concurrent requests: each checked on its own (the refused ones fail no other), each acknowledged
    // once durable, all there.
    let before = events(&s);
    let results: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|k| {
                let (cookie, csrf, s) = (&cookie, &csrf, &s);
                scope.spawn(move || {
                    let grade = if k % 4 == 3 { "Z" } else { ["S", "A", "B"][k % 3] };
                    let item = "1";
                    let body = json!({"item": item, "period": "FY2021-H1", "grade": grade, "reason": format!("並行{k}")});
                    rate(s, Some(cookie), Some(csrf), &body)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    // The two with grade Z are refused on their own; of the others, one that finds the grade it gives
    // already recorded (another request came first) is refused as a no-op; every other is recorded.
    for (k, (code, body)) in results.iter().enumerate() {
        match k % 4 == 3 {
            true => assert!(*code == 409 && body.contains("`Z`"), "{k}: {code} {body}"),
            false => assert!(
                *code == 201 || (*code == 409 && body.contains("nothing to change")),
                "{k}: {code} {body}"
            ),
        }
    }
    let recorded = results.iter().filter(|(c, _)| *c == 201).count() as u64;
    assert!(recorded >= 2, "{results:?}");
    assert_eq!(events(&s), before + recorded);

    // The round's other actions: the same refusals, and what the person's role allows.
    let post = |path: &str, csrf: Option<&str>, body: Value| {
        let mut req = agent()
            .post(format!("{}{path}", s.url))
            .header("Cookie", &cookie);
        if let Some(t) = csrf {
            req = req.header("X-CSRF-Token", t);
        }
        answer(req.send_json(body))
    };
    let n = events(&s);
    let submit = json!({"reason": "評価の提出"});
    assert_eq!(
        post("/api/rounds/FY2021-H1/submit", None, submit.clone()).0,
        403
    );
    let review = json!({"period": "FY2021-H1", "item": "1", "stage": 1, "verdict": "approve", "reason": "確認"});
    let (code, body) = post("/api/reviews", Some(&csrf), review);
    assert_eq!(code, 403, "staff do not review: {body}");
    let (code, body) = post(
        "/api/rounds/FY2021-H1/close",
        Some(&csrf),
        json!({"reason": "締切"}),
    );
    assert_eq!(code, 403, "staff do not close rounds: {body}");
    assert_eq!(events(&s), n);
    // Submitting with an item unrated is refused by the round's rules (409), nothing appended.
    let (code, body) = post("/api/rounds/FY2021-H1/submit", Some(&csrf), submit.clone());
    assert_eq!(code, 409, "{body}");
    assert_eq!(events(&s), n);
    let second = json!({"item": "2", "period": "FY2021-H1", "grade": "B", "reason": "評価"});
    assert_eq!(rate(&s, Some(&cookie), Some(&csrf), &second).0, 201);
    let (code, body) = post("/api/rounds/FY2021-H1/submit", Some(&csrf), submit);
    assert_eq!(code, 201, "{body}");
    assert_eq!(events(&s), n + 2);
    let (code, body) = answer(
        a.get(format!("{}/api/rounds/FY2021-H1/status", s.url))
            .call(),
    );
    assert_eq!(code, 200, "{body}");
    let status: Value = serde_json::from_str(&body).expect("JSON");
    crate::test_rounds::assert_valid("round-status.schema.json", &status);

    // A command meeting the lock names the server.
    let busy = r.env.run_with(&[("HYOKA_WAIT", Some("0"))], &["table"]);
    let line = busy.fails(1);
    assert!(line.contains(&s.url), "{line}");

    assert_eq!(s.stop(), 0);
    assert!(!r.env.ledger().join("SERVER").exists());
    r.run(&["verify"]).ok();
    let log = r.run(&["log", "--format", "jsonl"]).ok().to_string();
    let lines: Vec<Value> = log
        .lines()
        .rev()
        .take(2)
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert!(lines.iter().all(|l| l["author"] == "s0"), "{lines:?}");
    assert_eq!(lines[1]["reason"], "評価", "{}", lines[1]);
    assert_eq!(lines[0]["reason"], "評価の提出", "{}", lines[0]);
}

#[test]
fn the_access_log_holds_each_request_and_no_secret() {
    let env = Env::new();
    env.with_items();
    let logs = env.dir.path().join("logs");
    let logs_arg = logs.to_str().expect("path").to_string();
    let s = Server::start_with(&env, &["--log-dir", &logs_arg]);
    let secret = "f".repeat(64);
    let (code, _) = answer(
        agent()
            .get(format!("{}/enrol?token={secret}", s.url))
            .call(),
    );
    assert_eq!(code, 404);
    let (code, _) = answer(agent().get(format!("{}/", s.url)).call());
    assert_eq!(code, 200);
    assert_eq!(s.stop(), 0);
    let access = std::fs::read_to_string(logs.join("access.log")).expect("access.log");
    assert!(access.contains("GET /enrol 404"), "{access}");
    assert!(access.contains("GET / 200"), "{access}");
    assert!(!access.contains(&secret), "{access}");
    assert!(logs.join("error.log").exists());
}

/// A self-signed certificate for 127.0.0.1 and localhost, and its key, in PEM.
fn self_signed() -> (rcgen::Certificate, String) {
    let c = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    (c.cert, c.signing_key.serialize_pem())
}

/// A client that trusts `cert` (and no other root).
fn tls_agent(cert: &rcgen::Certificate) -> ureq::Agent {
    let root = ureq::tls::Certificate::from_der(cert.der()).to_owned();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&[root]))
                .build(),
        )
        .build()
        .into()
}

/// Stores `person`'s key (from their key file) wrapped by `password`, as enrolment would.
fn wrap_key(r: &crate::test_rounds::Rounds, person: &str, password: &str) {
    use hyoka::server::keywrap::{self, Params};
    let text = std::fs::read_to_string(r.key(person)).expect("key");
    let key = hyoka::tlog::note::SignerKey::parse(text.trim()).expect("key");
    let w = keywrap::wrap(person, &key, password, Params::DEFAULT).expect("wrap");
    hyoka::server::webdir::WebDir::beside(&r.env.ledger())
        .write_key(&w)
        .expect("write");
}

#[test]
fn https_serves_pages_with_a_secure_cookie_and_hsts_and_refuses_plain_http() {
    let r = crate::test_rounds::Rounds::new();
    wrap_key(&r, "s0", "とても長いパスワード12");
    let (cert, key) = self_signed();
    let dir = r.env.dir.path();
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("key.pem"), &key).expect("write");
    let path = |n: &str| dir.join(n).to_str().expect("path").to_string();
    let s = Server::start_with(
        &r.env,
        &[
            "--tls-cert",
            &path("cert.pem"),
            "--tls-key",
            &path("key.pem"),
        ],
    );
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);
    let a = tls_agent(&cert);

    let mut res = a.get(format!("{}/", s.url)).call().expect("HTTPS");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()
            .get("strict-transport-security")
            .map(|v| v.to_str().expect("ASCII")),
        Some(hyoka::server::HSTS)
    );
    let page = res.body_mut().read_to_string().expect("body");
    assert!(page.contains("<html lang=\"ja\">"), "{page}");

    // Sign-in over HTTPS: the cookie is Secure, __Host- prefixed, HttpOnly, SameSite=Strict.
    let mut res = a
        .post(format!("{}/api/signin", s.url))
        .send_json(json!({"person": "s0", "password": "とても長いパスワード12"}))
        .expect("HTTPS");
    assert_eq!(res.status().as_u16(), 200);
    let cookie = res
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().expect("ASCII").to_string())
        .expect("cookie");
    assert!(cookie.starts_with("__Host-hyoka_session="), "{cookie}");
    for part in ["; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"] {
        assert!(cookie.contains(part), "{part}: {cookie}");
    }
    let body = res.body_mut().read_to_string().expect("body");
    assert!(body.contains("csrf_token"), "{body}");

    // Plain HTTP to the TLS port fails (the connection is closed), and the server goes on serving.
    let plain = s.url.replacen("https://", "http://", 1);
    assert!(agent().get(format!("{plain}/")).call().is_err());
    // A client that does not trust the certificate refuses it.
    assert!(agent().get(format!("{}/", s.url)).call().is_err());
    let (code, _) = answer(a.get(format!("{}/api/head", s.url)).call());
    assert_eq!(code, 200);
    assert_eq!(s.stop(), 0);
}

#[test]
fn a_certificate_or_key_that_cannot_be_served_is_refused_in_one_line_and_changes_nothing() {
    let env = Env::new();
    env.with_items();
    let dir = env.dir.path();
    let (cert, key) = self_signed();
    let (_, other_key) = self_signed();
    std::fs::write(dir.join("cert.pem"), cert.pem()).expect("write");
    std::fs::write(dir.join("key.pem"), &key).expect("write");
    std::fs::write(dir.join("other.pem"), &other_key).expect("write");
    std::fs::write(dir.join("junk.pem"), "not a certificate").expect("write");
    let p = |n: &str| dir.join(n).to_str().expect("path").to_string();
    let before = env.snapshot();
    let cases: [(&str, &str, &str, &str); 4] = [
        ("missing.pem", "key.pem", "cannot read", "を読めません"),
        (
            "cert.pem",
            "other.pem",
            "does not belong to",
            "のものではありません",
        ),
        ("junk.pem", "key.pem", "no PEM certificate", "PEM の証明書"),
        ("cert.pem", "junk.pem", "no PEM private key", "PEM の秘密鍵"),
    ];
    for (c, k, en, ja) in cases {
        let args = [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            &p(c),
            "--tls-key",
            &p(k),
        ];
        let run = env.run(&args);
        let line = run.fails(1);
        assert!(line.contains(en) && line.contains("--tls-"), "{line}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        let run = env.run_with(&[("HYOKA_LANG", Some("ja"))], &args);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains(ja), "{}", run.stderr);
        assert!(!env.ledger().join("SERVER").exists());
    }
    // One without the other is a usage error.
    let run = env.run(&["serve", "--tls-cert", &p("cert.pem")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--tls-key"), "{}", run.stderr);
    assert_eq!(env.snapshot(), before);
}

/// Runs `args` while a server holds the ledger: it must fail at once (well within the test's wait of
/// 5 s) with one line naming the server's URL, in English and in Japanese.
fn names_the_server(env: &Env, s: &Server, args: &[&str]) {
    for (lang, words) in [("en", "held by the hyoka server"), ("ja", "サーバー")] {
        let start = std::time::Instant::now();
        let run = env.run_with(&[("HYOKA_LANG", Some(lang))], args);
        let took = start.elapsed();
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        let line = run.stderr.lines().next_back().unwrap_or("");
        assert!(line.contains(&s.url), "{args:?}: {line}");
        assert!(line.contains(words), "{args:?}: {line}");
        assert!(line.contains("/api/openapi.json"), "{args:?}: {line}");
        assert!(
            took < std::time::Duration::from_secs(4),
            "{args:?} waited {took:?} for a ledger the server keeps"
        );
    }
}

#[test]
fn reads_and_backup_name_the_server_that_holds_the_ledger() {
    let env = Env::new();
    env.with_items();
    let backup = env.dir.path().join("backup");
    let backup = backup.to_str().expect("path");
    let s = Server::start(&env);
    for args in [
        &["table"][..],
        &["history", "1"],
        &["verify"],
        &["verify", "--format", "json"],
        &["backup", backup],
    ] {
        names_the_server(&env, &s, args);
    }
    assert!(
        !std::path::Path::new(backup).exists(),
        "no backup was written"
    );
    // The same views are in its API while it runs.
    let (code, body) = answer(agent().get(format!("{}/api/head", s.url)).call());
    assert_eq!(code, 200, "{body}");
    assert_eq!(s.stop(), 0);
    // Once it has stopped, each works again.
    env.run(&["table"]).ok();
    env.run(&["verify"]).ok();
    env.run(&["backup", backup]).ok();
}

#[test]
fn the_demo_serves_its_ledger_with_demo_people_and_an_open_round() {
    let env = Env::new();
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("mkdir");
    let mut child = env
        .command(
            "2021-10-01T10:00:00+09:00",
            &[("TMPDIR", tmp.to_str())],
            &["demo", "--serve", "--listen", "127.0.0.1:0"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start hyoka demo --serve");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let mut printed = Vec::new();
    let url = loop {
        let line = lines.next().expect("a line before the URL").expect("read");
        if let Some(url) = url_in(&line) {
            printed.push(line);
            break url;
        }
        printed.push(line);
    };
    let s = Server { child, url };
    let text = printed.join("\n");
    assert!(text.contains("DEMO DATA"), "{text}");
    // The accounts: `ID  PASSWORD  (role, department)`.
    let accounts: Vec<(String, String)> = printed
        .iter()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (id, pw) = (w.next()?, w.next()?);
            let ok = pw.len() == 12 && w.next()?.starts_with('(');
            ok.then(|| (id.to_string(), pw.to_string()))
        })
        .collect();
    let ids: Vec<&str> = accounts.iter().map(|(i, _)| i.as_str()).collect();
    for id in ["admin", "staff1", "staff2", "staff3", "head1", "hq"] {
        assert!(ids.contains(&id), "{id} not in {ids:?}\n{text}");
    }
    let password = |id: &str| {
        accounts
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, p)| p.clone())
            .expect("account")
    };
    // A printed account signs in over HTTP; a wrong password does not.
    let signin = |id: &str, pw: &str| {
        answer(
            agent()
                .post(format!("{}/api/signin", s.url))
                .send_json(json!({"person": id, "password": pw})),
        )
    };
    assert_eq!(signin("staff1", "wrong-password-1").0, 401);
    let (code, body) = signin("staff1", &password("staff1"));
    assert_eq!(code, 200, "{body}");
    // The round is open: its status is there, with the three departments.
    let point = printed
        .iter()
        .filter(|l| l.contains(" is open "))
        .find_map(|l| l.split_whitespace().skip_while(|w| *w != "round").nth(1))
        .expect("the round's point")
        .to_string();
    let (code, body) = answer(
        agent()
            .get(format!("{}/api/rounds/{point}/status", s.url))
            .call(),
    );
    assert_eq!(code, 200, "{point}: {body}");
    let status: Value = serde_json::from_str(&body).expect("JSON");
    crate::test_rounds::assert_valid("round-status.schema.json", &status);
    assert_eq!(s.stop(), 0);
    // The throwaway ledger is gone.
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("tmp").collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn simultaneous_sign_ins_beyond_the_bound_end_in_a_session_or_a_clear_refusal() {
    use hyoka::server::keywrap::{self, Derivations, Params};
    use std::sync::{Arc, Barrier};
    // Nine people sign in at once on a server whose key derivations are bounded to 2 at once and 3
    // waiting (the library's server, in this process, so that the bound can be read back).
    let r = crate::test_rounds::Rounds::new();
    let people = ["admin", "s0", "s1", "s2", "h0", "h1", "h2", "hq", "c"];
    let password = "とても長いパスワード12";
    let web = hyoka::server::webdir::WebDir::beside(&r.env.ledger());
    web.ensure().expect("server directory");
    let cost = Params {
        m_cost: 4096,
        t_cost: 1,
        p_cost: 1,
    };
    for p in people {
        let text = std::fs::read_to_string(r.key(p)).expect("key");
        let key = hyoka::tlog::note::SignerKey::parse(text.trim()).expect("key");
        web.write_key(&keywrap::wrap(p, &key, password, cost).expect("wrap"))
            .expect("write");
    }
    let ledger = hyoka::Ledger::open(&r.env.ledger(), hyoka::Access::default()).expect("open");
    let shared = Arc::new(hyoka::SharedLedger::new(ledger, || 1).expect("shared"));
    let mut app = hyoka::server::app(shared, web, false, Arc::new(|| 1));
    Arc::get_mut(&mut app).expect("one owner").derivations = Arc::new(Derivations::new(2, 3));
    let client: std::net::IpAddr = [127, 0, 0, 1].into();
    let barrier = Barrier::new(people.len());
    let results: Vec<_> = std::thread::scope(|scope| {
        let tries: Vec<_> = people
            .iter()
            .map(|p| {
                let (app, barrier) = (&app, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    hyoka::server::auth::sign_in(app, p, password, client)
                })
            })
            .collect();
        tries
            .into_iter()
            .map(|t| t.join().expect("a sign-in ends"))
            .collect()
    });
    let mut refused = Vec::new();
    for (p, result) in people.iter().zip(results) {
        match result {
            Ok((_, s)) => assert_eq!(s.person, *p),
            Err(e) => {
                // The only refusal: busy (503), said so; nothing is counted against the person.
                assert_eq!((e.status.as_u16(), e.kind), (503, "busy"), "{p}: {e:?}");
                refused.push(*p);
            }
        }
    }
    let peak = app.derivations.peak();
    assert!((1..=2).contains(&peak), "at most 2 at once: {peak}");
    assert!(refused.len() < people.len(), "some got in: {refused:?}");
    // Those refused sign in when they try again.
    for p in &refused {
        let (_, s) = hyoka::server::auth::sign_in(&app, p, password, client).expect("again");
        assert_eq!(s.person, *p);
    }
    assert_eq!(app.sessions.len(), people.len());
    assert!((1..=2).contains(&app.derivations.pooled()));
}
