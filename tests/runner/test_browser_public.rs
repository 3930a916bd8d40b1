//! The citizens' pages in a real browser (headless chromium, `browser.rs`): `hyoka serve`'s home page,
//! a published round's table, its corrections' notice, an item's page and a page not found, each
//! screenshotted at 1280 and 320 pixels and checked by axe-core (no serious or critical violation),
//! and at 320 pixels laid out without a page-level horizontal scroll (WCAG 1.4.10: a wide table scrolls
//! inside its own region); then the publication pack's `index.html` and `corrections.html` opened from
//! disk (`file://`), checked the same way and printed to PDF, which must be A4 landscape (the print
//! stylesheet's `@page`). Screenshots and PDFs are kept in `target/browser-artifacts/public/`.

use crate::browser::{Browser, WIDE};
use crate::serving::Server;
use crate::test_public_pages::published;

/// The page size of a PDF's first page in points (its `/MediaBox`), as Chromium writes it.
fn media_box(pdf: &[u8]) -> (f64, f64) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox").expect("a /MediaBox");
    let rest = &text[at + "/MediaBox".len()..];
    let open = rest.find('[').expect("[");
    let close = rest.find(']').expect("]");
    let n: Vec<f64> = rest[open + 1..close]
        .split_whitespace()
        .map(|x| x.parse().expect("a number"))
        .collect();
    (n[2] - n[0], n[3] - n[1])
}

#[test]
fn the_public_pages_and_the_pack_in_the_browser() {
    let Some(browser) = Browser::launch("public") else {
        return;
    };
    let r = published();
    let s = Server::start(&r);
    let mut p = browser.page(WIDE);
    for (path, name) in [
        ("/", "home"),
        ("/rounds/FY2020-YE", "round"),
        ("/rounds/FY2020-YE/corrections", "corrections"),
        ("/items/2", "item-2"),
        ("/items/99", "item-not-found"),
    ] {
        p.open(&format!("{}{path}", s.url));
        p.look(name);
    }
    // From the home page to the table, and from an item's id to its page, by their links.
    p.open(&format!("{}/", s.url));
    p.click_and_wait("main a[href='/rounds/FY2020-YE']");
    assert!(
        p.text("h1").contains("令和2年度末の評価結果"),
        "{}",
        p.body_text()
    );
    assert!(p.text("#hchart-h").contains("見出しごとの評価の件数"));
    p.click_and_wait("table.results a[href='/items/2']");
    assert!(p.text("h1").contains("項目 2"), "{}", p.body_text());
    assert!(
        p.text("table.corrections")
            .contains("所管課の報告による訂正"),
        "{}",
        p.body_text()
    );
    drop(s);
    // The pack from disk: the same pages, their print in A4 landscape.
    let site = r.env.dir.path().join("site");
    for (file, name) in [
        ("index.html", "pack-index"),
        ("corrections.html", "pack-corrections"),
    ] {
        p.open(&format!("file://{}", site.join(file).display()));
        assert!(
            p.eval("getComputedStyle(document.body).fontFamily")
                .as_str()
                .is_some_and(|f| f.contains("Gothic")),
            "{name}: the stylesheet beside the page is loaded"
        );
        p.look(name);
        let pdf = std::fs::read(p.pdf(name)).expect("the PDF");
        let (w, h) = media_box(&pdf);
        assert!(
            (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
            "{name}: printed on {w}x{h} points, not A4 landscape (842x595)"
        );
    }
}
