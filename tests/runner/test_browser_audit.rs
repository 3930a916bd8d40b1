//! The auditors' pages in a real browser (headless chromium, `browser.rs`) on a server on 127.0.0.1
//! port 0 over the ledger of `test_audit_pages::known_changes`: the auditor (監査) signs in through
//! the sign-in page and visits every auditor page (the pages' list, the history searched through its
//! form, a page of a paginated search, the correction report, an item's blame, a diff between two
//! moments, the verification status); each is kept as screenshots at 1280 and 320 pixels and
//! checked by axe-core (no serious or critical violation), laid out at 320 pixels without a page-level
//! horizontal scroll (WCAG 1.4.10), with WCAG's text spacing without loss (1.4.12) and with a visible
//! focus (2.4.7), and the correction report is printed to PDF (A4 landscape) as an artifact.

use crate::browser::{Browser, WIDE};
use crate::serving::{PASSWORD, Server, links};
use crate::test_audit_pages::known_changes;

#[test]
fn every_auditor_page_in_the_browser() {
    let Some(browser) = Browser::launch("audit") else {
        return;
    };
    let r = known_changes();
    let tokens = links(&r, &["au"]);
    let s = Server::start(&r);
    s.enrol(&r, &tokens);
    let url = s.url.clone();
    let mut p = browser.page(WIDE);

    p.open(&format!("{url}/signin"));
    p.fill("#person", "au");
    p.fill("#password", PASSWORD);
    p.click_and_wait("form[action='/signin'] button");
    assert!(p.text("header").contains("au さん"), "{}", p.body_text());

    p.open(&format!("{url}/audit"));
    assert!(p.text("h1").contains("監査"), "{}", p.body_text());
    p.look("audit");

    // The history, searched through its form: 財政課's changes.
    p.open(&format!("{url}/audit/history"));
    p.look("history");
    p.select("#department", "財政課");
    p.click_and_wait("form.search button");
    let text = p.body_text();
    assert!(text.contains("財政課の評価"), "{text}");
    assert!(!text.contains("所管課の評価"), "{text}");
    p.look("history-department");

    p.open(&format!("{url}/audit/history?item=1&per_page=2"));
    assert!(p.body_text().contains("次の 2 件"), "{}", p.body_text());
    p.look("history-paginated");

    p.open(&format!("{url}/audit/history?item=2"));
    assert!(
        p.body_text().contains("<script>alert(1)</script>"),
        "the reason shown as text: {}",
        p.body_text()
    );
    p.look("history-escaped");

    p.open(&format!("{url}/audit/corrections"));
    assert!(
        p.body_text().contains("実績の確認により訂正"),
        "{}",
        p.body_text()
    );
    p.look("corrections");
    let pdf = p.pdf("corrections");
    assert!(std::fs::metadata(&pdf).expect("PDF").len() > 1000);

    p.open(&format!("{url}/audit/items/1/blame"));
    assert!(
        p.body_text().contains("実績の確認により訂正"),
        "{}",
        p.body_text()
    );
    p.look("blame");

    p.open(&format!("{url}/audit/diff"));
    p.look("diff-form");
    p.fill("#from", "at:2021-05-15");
    p.fill("#to", "at:2021-05-31");
    p.click_and_wait("form.search button");
    assert!(
        p.body_text().contains("間に記録されたすべての変更"),
        "{}",
        p.body_text()
    );
    p.look("diff");

    p.open(&format!("{url}/audit/verify"));
    assert!(
        p.body_text().contains("検証に成功しました"),
        "{}",
        p.body_text()
    );
    p.look("verify");

    assert_eq!(s.stop(), 0);
}
