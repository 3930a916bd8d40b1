//! The citizens' pages in a real browser (headless chromium, `browser.rs`): `hyoka serve`'s home page,
//! a published round's table, its corrections' notice, an item's page and a page not found, each
//! screenshotted at 1280 and 320 pixels and checked by axe-core (no serious or critical violation),
//! and at 320 pixels laid out without a page-level horizontal scroll (WCAG 1.4.10: a wide table scrolls
//! inside its own region); then the publication pack's `index.html` and `corrections.html` opened from
//! disk (`file://`), checked the same way and printed to PDF, which must be A4 landscape (the print
//! stylesheet's `@page`). Screenshots and PDFs are kept in `target/browser-artifacts/public/`.

use crate::browser::{Browser, NARROW, Page, WIDE};
use crate::serving::Server;
use crate::test_public_pages::published;

/// Whether the page, laid out `NARROW` pixels wide, fits: nothing wider than the viewport at page level,
/// and each table's scrolling region inside it. Panics saying what sticks out.
fn fits_narrow(p: &Page, name: &str) {
    p.set_width(NARROW, 900);
    let page_width = p
        .eval("document.documentElement.scrollWidth")
        .as_u64()
        .expect("width");
    assert!(
        page_width <= u64::from(NARROW),
        "{name}: the page scrolls sideways at {NARROW}px ({page_width}px wide)"
    );
    let outside = p.eval(
        "Array.from(document.querySelectorAll('.table-wrap')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).length",
    );
    assert_eq!(
        outside.as_u64(),
        Some(0),
        "{name}: a table's region sticks out"
    );
    p.set_width(WIDE, 900);
}

/// WCAG 1.4.12 (text spacing): with line height 1.5, paragraph spacing 2, letter spacing 0.12 and word
/// spacing 0.16 times the font size, nothing is lost: at both widths the page still fits (no text forced
/// out sideways) and no element clips its text (no `overflow: hidden` box whose content is taller or
/// wider than it). WCAG 2.4.7: a link focused from the keyboard shows an outline at least 2px wide.
fn spacing_and_focus(p: &Page, name: &str) {
    p.eval(
        "(() => { const s = document.createElement('style'); s.id = 'wcag-spacing'; s.textContent = '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }'; document.head.appendChild(s); return true; })()",
    );
    for w in [WIDE, NARROW] {
        p.set_width(w, 900);
        let wide = p
            .eval("document.documentElement.scrollWidth")
            .as_u64()
            .expect("width");
        assert!(
            wide <= u64::from(w),
            "{name}: with WCAG's text spacing the page is {wide}px wide at {w}px"
        );
        let clipped = p.eval(
            "Array.from(document.querySelectorAll('body *')).filter(e => { const c = getComputedStyle(e); return (c.overflowX === 'hidden' || c.overflowY === 'hidden') && !e.classList.contains('vh') && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1); }).length",
        );
        assert_eq!(
            clipped.as_u64(),
            Some(0),
            "{name}: text clipped with WCAG's text spacing at {w}px"
        );
    }
    p.eval("document.getElementById('wcag-spacing').remove()");
    p.set_width(WIDE, 900);
    let outline = p.eval(
        "(() => { const a = document.querySelector('main a'); if (!a) return 'none'; a.focus(); const c = getComputedStyle(a); return c.outlineStyle + ' ' + c.outlineWidth; })()",
    );
    let outline = outline.as_str().unwrap_or("none").to_string();
    let px: f64 = outline
        .split_whitespace()
        .nth(1)
        .and_then(|w| w.trim_end_matches("px").parse().ok())
        .unwrap_or(0.0);
    assert!(
        outline.starts_with("solid") && px >= 2.0,
        "{name}: a focused link shows no outline ({outline})"
    );
}

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
        fits_narrow(&p, name);
        spacing_and_focus(&p, name);
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
        fits_narrow(&p, name);
        let pdf = std::fs::read(p.pdf(name)).expect("the PDF");
        let (w, h) = media_box(&pdf);
        assert!(
            (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
            "{name}: printed on {w}x{h} points, not A4 landscape (842x595)"
        );
    }
}
