//! A whole round walked in a real browser (headless chromium, `browser.rs`) on a server on 127.0.0.1
//! port 0: a staff member enrols in the browser; the administrator opens the round (through the JSON
//! API, with the browser's session cookie and CSRF token); three departments' staff sign in, fill in
//! their sheets and submit (one first refused for an ungraded item); one head returns an item with a
//! reason, which its staff see beside the item, fix and submit again; the heads approve at 1次評価 and
//! 行革本部 at 2次評価; the committee records an opinion; the administrator closes and publishes the
//! round on the rounds page (`/admin/rounds`: each button, then its confirmation page), and the
//! round's public page (`/rounds/{POINT}`) shows the table as published with the checkpoint signed
//! then. Each page visited is kept as screenshots at 1280 and 320 pixels and checked by axe-core (no
//! serious or critical violation). After the server stops, the ledger verifies (the checkpoint's
//! signature too) and every change is by the person who made it (verify checks each signature
//! against its author's key).

use serde_json::{Value, json};

use crate::browser::{Browser, Page, WIDE};
use crate::serving::{PASSWORD, Server, links};
use crate::test_rounds::{DEPTS, Rounds};

const P: &str = "FY2020-YE";

/// Signs `person` in through the sign-in page; the home page follows.
fn sign_in(p: &mut Page, url: &str, person: &str) {
    p.open(&format!("{url}/signin"));
    p.fill("#person", person);
    p.fill("#password", PASSWORD);
    p.click_and_wait("form[action='/signin'] button");
    assert!(
        p.text("header").contains(&format!("{person} さん")),
        "{person} signed in: {}",
        p.body_text()
    );
}

/// Signs out through the header's button.
fn sign_out(p: &mut Page) {
    p.click_and_wait("form.signout button");
    assert!(p.body_text().contains("サインイン"), "{}", p.body_text());
}

/// Opens the signed-in person's sheet from the home page's link.
fn open_sheet(p: &mut Page) {
    p.click_and_wait("main a[href*='/departments/']");
    assert!(p.text("h1").contains("評価シート"), "{}", p.body_text());
}

/// Opens the review page from the home page's link.
fn open_review(p: &mut Page) {
    p.click_and_wait("main a[href$='/review']");
    assert!(p.text("h1").contains("審査"), "{}", p.body_text());
}

#[test]
fn a_whole_round_in_the_browser() {
    let Some(browser) = Browser::launch("round") else {
        return;
    };
    let started = std::time::Instant::now();
    let r = Rounds::new();
    let people = ["admin", "s0", "s1", "s2", "h0", "h1", "h2", "hq", "c"];
    let tokens = links(&r, &people);
    let s = Server::start(&r);
    let set_up = started.elapsed();
    let url = s.url.clone();
    let mut p = browser.page(WIDE);

    // s0 enrols in the browser: the key pasted, a password chosen; the others through HTTP.
    p.open(&format!("{url}/enrol?token={}", tokens[1].1));
    p.look("enrol");
    let key = std::fs::read_to_string(r.key("s0")).expect("key");
    p.fill("#key", &key);
    p.fill("#password", PASSWORD);
    p.fill("#again", PASSWORD);
    p.click_and_wait("form[action='/enrol'] button");
    assert!(p.body_text().contains("登録しました"), "{}", p.body_text());
    p.look("signin");
    let others: Vec<(&str, String)> = tokens
        .iter()
        .filter(|(id, _)| *id != "s0")
        .cloned()
        .collect();
    s.enrol(&r, &others);

    // The administrator opens the round through the API, with the browser's session.
    sign_in(&mut p, &url, "admin");
    p.look("home-admin");
    let cookie = format!(
        "hyoka_session={}",
        p.cookie("hyoka_session").expect("session cookie")
    );
    let csrf = p.value("form.signout input[name=csrf]");
    let (code, body) = s.post_json(
        &format!("/api/rounds/{P}/open"),
        Some(&cookie),
        Some(&csrf),
        &json!({"due": "2021-10-31", "reason": "評価ラウンドの開始"}),
    );
    assert_eq!(code, 201, "{body}");
    sign_out(&mut p);

    // Three departments fill in their sheets and submit; 総務課 first forgets item 2.
    let grades: [(&str, &[&str]); 3] = [
        ("s0", &["A", "B"]),
        ("s1", &["S", "A"]),
        ("s2", &["B", "B", "A"]),
    ];
    for (staff, gs) in grades {
        sign_in(&mut p, &url, staff);
        p.look(&format!("home-{staff}"));
        open_sheet(&mut p);
        p.look(&format!("sheet-{staff}"));
        for (k, g) in gs.iter().enumerate() {
            if staff == "s0" && k == 1 {
                continue;
            }
            p.select(&format!("#g{}", k + 1), g);
        }
        p.fill("#r1", &format!("{staff}の所見"));
        p.check(&format!("#f{}", gs.len()), true);
        if staff == "s0" {
            p.click_and_wait("button[value=submit]");
            let text = p.body_text();
            assert!(
                text.contains("評価が選ばれていない取組があります（2）"),
                "{text}"
            );
            assert_eq!(p.value("#r1"), "s0の所見", "the input is kept");
            p.look("sheet-s0-refused");
            p.select("#g2", "B");
            p.click_and_wait("button[value=draft]");
            assert!(p.body_text().contains("下書きを保存しました"));
        }
        p.click_and_wait("button[value=submit]");
        assert!(p.body_text().contains("提出しました"), "{}", p.body_text());
        p.look(&format!("sheet-{staff}-submitted"));
        sign_out(&mut p);
    }

    // 1次評価: 総務課's head returns item 1 with a reason; the other heads approve.
    sign_in(&mut p, &url, "h0");
    open_review(&mut p);
    p.look("review-h0");
    p.fill("#why1-1", "根拠の数値を追記してください");
    p.click_and_wait("form:has(#why1-1) button[value=return]");
    assert!(
        p.body_text().contains("差し戻しました"),
        "{}",
        p.body_text()
    );
    sign_out(&mut p);
    for head in ["h1", "h2"] {
        sign_in(&mut p, &url, head);
        open_review(&mut p);
        p.look(&format!("review-{head}"));
        p.click_and_wait(".approve-all button");
        assert!(p.body_text().contains("承認しました"), "{}", p.body_text());
        sign_out(&mut p);
    }

    // 総務課 sees the return and its reason beside the item, fixes it and submits again.
    sign_in(&mut p, &url, "s0");
    open_sheet(&mut p);
    let row = p.text("tr.returned");
    assert!(row.contains("差し戻し"), "{row}");
    assert!(row.contains("根拠の数値を追記してください"), "{row}");
    p.look("sheet-s0-returned");
    p.select("#g1", "S");
    p.fill("#r1", "数値を追記した所見");
    p.click_and_wait("button[value=submit]");
    assert!(p.body_text().contains("提出しました"), "{}", p.body_text());
    p.pdf("sheet-s0-resubmitted");
    sign_out(&mut p);
    sign_in(&mut p, &url, "h0");
    open_review(&mut p);
    p.click_and_wait(".approve-all button");
    assert!(p.body_text().contains("承認しました"));
    sign_out(&mut p);

    // 2次評価: 行革本部 approves the three departments.
    sign_in(&mut p, &url, "hq");
    open_review(&mut p);
    p.look("review-hq");
    for _ in 0..3 {
        p.click_and_wait(".approve-all button");
        assert!(p.body_text().contains("承認しました"), "{}", p.body_text());
    }
    assert!(p.body_text().contains("審査を待っている取組はありません"));
    sign_out(&mut p);

    // The committee's opinion on item 1.
    sign_in(&mut p, &url, "c");
    open_review(&mut p);
    p.look("review-committee");
    p.select("#op-item", "1");
    p.fill("#op-text", "数値目標の根拠を公表資料にも載せること");
    p.click_and_wait("form[action$='/opinions'] button");
    assert!(
        p.body_text().contains("意見を記録しました"),
        "{}",
        p.body_text()
    );
    sign_out(&mut p);

    // The administrator closes the round and publishes it on the rounds page: each button leads to
    // its confirmation page, whose button records it.
    sign_in(&mut p, &url, "admin");
    let events = s.events();
    p.open(&format!("{url}/admin/rounds"));
    p.look("admin-rounds");
    let close = format!("form[action='/admin/rounds/{P}/close'] button");
    p.click_and_wait(&close);
    assert!(
        p.text("p.confirm").contains("締め切ります"),
        "{}",
        p.body_text()
    );
    assert_eq!(s.events(), events, "a confirmation page records nothing");
    p.look("admin-close-confirm");
    p.click_and_wait(&close);
    assert!(
        p.body_text().contains("評価ラウンドを締め切りました"),
        "{}",
        p.body_text()
    );
    let publish = format!("form[action='/admin/rounds/{P}/publish'] button");
    p.click_and_wait(&publish);
    assert!(
        p.body_text().contains("公表する内容は次のとおりです"),
        "{}",
        p.body_text()
    );
    assert_eq!(s.events(), events + 1);
    p.look("admin-publish-confirm");
    p.fill("#reason", "令和2年度末の評価結果の公表");
    p.click_and_wait(&publish);
    let notice = p.body_text();
    assert!(notice.contains("評価結果を公表しました"), "{notice}");
    assert!(notice.contains("チェックポイント"), "{notice}");
    assert_eq!(s.events(), events + 2);
    p.look("admin-published");

    // The round's public page, from the rounds page's link: the table as published, with the
    // checkpoint signed after the publication (covering every event).
    p.click_and_wait(&format!("a[href='/rounds/{P}']"));
    let table = p.text("table.results");
    assert!(table.contains("数値を追記した所見"), "{table}");
    assert!(table.contains("総務課"), "{table}");
    let checkpoint = p.text("pre.checkpoint");
    assert!(
        checkpoint.starts_with(&format!("city.example/rounds\n{}\n", events + 2)),
        "{checkpoint}"
    );
    assert!(
        checkpoint.contains("\u{2014} city.example/rounds "),
        "{checkpoint}"
    );
    p.look("public-round");
    p.open(&format!("{url}/"));
    assert!(p.body_text().contains("公表済"), "{}", p.body_text());
    p.look("home-published");
    let (code, _, table) = s.get(&format!("/api/rounds/{P}/table"), None);
    assert_eq!(code, 200, "{table}");
    assert!(table.contains("数値を追記した所見"), "{table}");
    assert_eq!(s.stop(), 0);
    let elapsed = started.elapsed();

    // The ledger verifies, and each change is by the person who made it.
    r.run(&["verify"]).ok();
    let log = r.run(&["log", "--format", "jsonl"]).ok().to_string();
    let dept_of = |item: &str| match item {
        "1" | "2" => 0,
        "3" | "4" => 1,
        _ => 2,
    };
    let mut kinds = std::collections::BTreeSet::new();
    for line in log.lines() {
        let e: Value = serde_json::from_str(line).expect("JSON");
        let c = &e["change"];
        let kind = c["kind"].as_str().unwrap_or("");
        let item = c["item_id"].as_str().unwrap_or("");
        let author = e["author"].as_str().expect("author");
        let expected = match kind {
            "rating.recorded" | "follow_up.set" | "remark.set" => {
                format!("s{}", dept_of(item))
            }
            "round.submitted" => {
                let d = DEPTS.iter().position(|d| c["department"] == *d);
                format!("s{}", d.expect("a department"))
            }
            "review.recorded" if c["stage"] == 1 => format!("h{}", dept_of(item)),
            "review.recorded" => "hq".into(),
            "opinion.recorded" => "c".into(),
            "round.opened" | "round.closed" | "round.published" => "admin".into(),
            _ => continue,
        };
        kinds.insert(kind.to_string());
        assert_eq!(author, expected, "{line}");
    }
    for k in [
        "rating.recorded",
        "review.recorded",
        "opinion.recorded",
        "round.submitted",
        "round.published",
    ] {
        assert!(kinds.contains(k), "{k} in the log: {kinds:?}");
    }
    // Not asserted, since a loaded machine (CI beside other builds) is slower; where the time went
    // is printed.
    eprintln!(
        "the round walked in the browser in {elapsed:?} (the ledger, the links and the server in {set_up:?}); by step:\n{}",
        crate::browser::profile()
    );
}
