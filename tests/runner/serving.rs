//! What the page tests share: a `hyoka serve` on 127.0.0.1 port 0 over a ledger with people and
//! their web sign-ins (enrolled with their key files and a password), HTTP calls with a session's
//! cookie and CSRF token, and the ledger's event count.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use serde_json::{Value, json};

use crate::test_rounds::Rounds;

/// The time the server records at (its clock is pinned; a link is valid 72 hours from the day it is
/// issued, so the links are issued at this time too).
pub const NOW: &str = "2021-10-01T10:00:00+09:00";

/// Everyone's password in these tests.
pub const PASSWORD: &str = "とても長いパスワード12";

/// A server started by a test, stopped (SIGTERM) by [`Server::stop`] or killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// `hyoka serve --listen 127.0.0.1:0` on `r`'s ledger: ready once it has printed its URL.
    pub fn start(r: &Rounds) -> Server {
        let mut child = r
            .env
            .command(NOW, &[], &["serve", "--listen", "127.0.0.1:0"])
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

    /// Stops the server with SIGTERM and waits for it: its exit code.
    pub fn stop(mut self) -> i32 {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signals our own child, which has not been waited for.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let code = self.child.wait().expect("wait").code().unwrap_or(-1);
        std::mem::forget(self);
        code
    }

    /// The number of events, through the API.
    pub fn events(&self) -> u64 {
        let (code, body) = answer(agent().get(format!("{}/api/head", self.url)).call());
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("JSON");
        v["events"].as_u64().expect("events")
    }

    /// Enrols `people` (their links issued before the server started, `tokens`) with their key files
    /// and [`PASSWORD`].
    pub fn enrol(&self, r: &Rounds, tokens: &[(&str, String)]) {
        for (id, token) in tokens {
            let key = std::fs::read_to_string(r.key(id)).expect("key");
            let (code, page) = answer(agent().post(format!("{}/enrol", self.url)).send_form([
                ("token", token.as_str()),
                ("key", key.as_str()),
                ("password", PASSWORD),
                ("again", PASSWORD),
            ]));
            assert_eq!(code, 200, "{id}: {page}");
        }
    }

    /// Signs `person` in through the API: the session's cookie (`name=value`) and CSRF token.
    pub fn sign_in(&self, person: &str) -> Session {
        let mut resp = agent()
            .post(format!("{}/api/signin", self.url))
            .send_json(json!({"person": person, "password": PASSWORD}))
            .expect("HTTP");
        assert_eq!(resp.status().as_u16(), 200, "{person} signs in");
        let cookie = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("cookie")
            .to_string();
        let body: Value =
            serde_json::from_str(&resp.body_mut().read_to_string().expect("body")).expect("JSON");
        Session {
            cookie,
            csrf: body["csrf_token"].as_str().expect("token").to_string(),
        }
    }

    /// `POST path` with a JSON body, the session's cookie (if any) and the CSRF header (if any).
    pub fn post_json(
        &self,
        path: &str,
        cookie: Option<&str>,
        csrf: Option<&str>,
        body: &Value,
    ) -> (u16, String) {
        let mut req = agent().post(format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        if let Some(t) = csrf {
            req = req.header("X-CSRF-Token", t);
        }
        answer(req.send_json(body))
    }

    /// `POST path` with a form, the session's cookie (if any): status, `Location` and body.
    pub fn post_form(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut req = agent().post(format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        let mut resp = req.send_form(form.iter().copied()).expect("HTTP");
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let status = resp.status().as_u16();
        (
            status,
            location,
            resp.body_mut().read_to_string().expect("body"),
        )
    }

    /// `GET path` with the session's cookie (if any): status, `Location` and body.
    pub fn get(&self, path: &str, cookie: Option<&str>) -> (u16, String, String) {
        let mut req = agent().get(format!("{}{path}", self.url));
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        let mut resp = req.call().expect("HTTP");
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let status = resp.status().as_u16();
        (
            status,
            location,
            resp.body_mut().read_to_string().expect("body"),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A signed-in session: its cookie (`name=value`) and CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// An HTTP client that returns every status as is and follows no redirect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// A response's status and body.
pub fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, String) {
    let mut r = r.expect("HTTP");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("body"))
}

/// Issues the enrolment links of `people` (at [`NOW`]): each person's token.
pub fn links<'a>(r: &Rounds, people: &[&'a str]) -> Vec<(&'a str, String)> {
    people
        .iter()
        .map(|id| {
            let out = r
                .env
                .run_at(NOW, &["person", "enrol", id, "--url", "http://x/"]);
            let line = out.ok();
            let (_, t) = line.trim().rsplit_once("token=").expect("token");
            (*id, t.to_string())
        })
        .collect()
}
