//! The citizens' pages of `hyoka serve` over HTTP (issue 21): `GET /` lists the published rounds;
//! `GET /rounds/{POINT}` shows the table as published (`<table>`, `<caption>`, `<th scope>`), the
//! checkpoint and the digest, the subtotals by heading and their chart; `GET /items/{ID}` the item's
//! published values and the corrections after publication; the downloads are the publication pack's
//! files byte for byte; what is not there is a 404 page in Japanese; every value reaches a page escaped.

use serde_json::Value;

use crate::serving::{Server, agent};
use crate::test_rounds::{DEPTS, POINT, Rounds};

/// The title item 1 is given: markup that must reach every page as text.
const HOSTILE: &str = "<script>alert(\"x\")</script>取組1";

/// A published round (item 1 titled [`HOSTILE`], item 7 対象外, every other item A), then item 2
/// corrected to S after the publication, and its pack in `site` (signing a checkpoint that covers the
/// correction).
pub(crate) fn published() -> Rounds {
    let r = Rounds::new();
    r.ok(
        "admin",
        &["item", "amend", "1", "--title", HOSTILE, "-m", "名称の変更"],
    );
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    r.ok("hq", &["item", "exclude", "7", POINT, "-m", "対象外"]);
    for (d, items) in [["1", "2"], ["3", "4"], ["5", "6"]].iter().enumerate() {
        for i in items {
            r.ok(&format!("s{d}"), &["rate", i, POINT, "A", "-m", "評価"]);
        }
        r.ok(&format!("s{d}"), &["submit"]);
        for who in [format!("h{d}"), "hq".to_string()] {
            r.ok(
                &who,
                &["review", "approve", "--department", DEPTS[d], "-m", "確認"],
            );
        }
    }
    r.ok("admin", &["round", "publish", POINT]);
    r.ok(
        "hq",
        &["rate", "2", POINT, "S", "-m", "所管課の報告による訂正"],
    );
    // The pack, whose new checkpoint covers the correction: the pages show what it covers.
    r.run(&["publish", "FY2020-YE", "--out", "site"]).ok();
    r
}

/// `GET path`: status, content type, content disposition and body bytes.
fn fetch(s: &Server, path: &str) -> (u16, String, String, Vec<u8>) {
    let mut resp = agent()
        .get(format!("{}{path}", s.url))
        .call()
        .expect("HTTP");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("body");
    (status, ct, cd, body)
}

/// `GET path` as text: status and body, with the escapes of `/` undone (minijinja writes `&#x2f;`).
fn page(s: &Server, path: &str) -> (u16, String) {
    let (code, ct, _, body) = fetch(s, path);
    if code == 200 || code == 404 {
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
    }
    let text = String::from_utf8(body).expect("UTF-8");
    (code, text.replace("&#x2f;", "/"))
}

/// The page without its signed checkpoint (base64 may hold any letters).
fn without_checkpoint(page: &str) -> String {
    match (page.find("<pre class=\"checkpoint\">"), page.find("</pre>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &page[..a], &page[b..]),
        _ => page.to_string(),
    }
}

#[test]
fn home_lists_the_published_rounds_for_a_visitor() {
    let r = Rounds::new();
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    let s = Server::start(&r);
    let (code, home) = page(&s, "/");
    assert_eq!(code, 200);
    assert!(
        home.contains("公表した評価結果はまだありません。"),
        "{home}"
    );
    assert!(!home.contains("/rounds/FY2020-YE"), "{home}");
    // A visitor sees no round under way.
    assert!(!home.contains("評価ラウンドの一覧"), "{home}");
    drop(s);
    let r = published();
    let s = Server::start(&r);
    let (code, home) = page(&s, "/");
    assert_eq!(code, 200);
    assert!(
        home.contains("<th scope=\"row\"><a href=\"/rounds/FY2020-YE\">令和2年度末の評価結果</a></th><td>FY2020-YE</td><td>2021-04-01 "),
        "{home}"
    );
    assert!(home.contains("<caption>公表した評価結果の一覧"), "{home}");
}

#[test]
fn the_round_page_keeps_the_contract_and_charts_the_subtotals_by_heading() {
    let r = published();
    let notice: Value =
        serde_json::from_str(r.run(&["round", "notice", POINT, "--format", "json"]).ok())
            .expect("JSON");
    let digest = notice["published"]["table_sha256"]
        .as_str()
        .expect("digest")
        .to_string();
    let s = Server::start(&r);
    let (code, p) = page(&s, "/rounds/FY2020-YE");
    assert_eq!(code, 200, "{p}");
    for part in [
        "<table class=\"results\">",
        "<caption id=\"table-caption\">",
        "<th scope=\"col\">項目番号</th>",
        "<th scope=\"rowgroup\" colspan=\"6\">行政改革の推進</th>",
        "<th scope=\"row\"><a href=\"/items/3\">3</a></th>",
        "<th scope=\"row\">全体</th>",
        // The chart of subtotals by heading: an image with a title and a description in words, each bar
        // labelled with its grade and count.
        "role=\"img\" aria-labelledby=\"hchart-title hchart-desc\"",
        "<title id=\"hchart-title\">令和2年度末の見出しごとの評価の件数</title>",
        "<desc id=\"hchart-desc\">行政改革の推進: S 0件、A 6件、B 0件、対象外 1件</desc>",
        ">対象外</text>",
        ">6件</text>",
        // The downloads at stable addresses.
        "<a href=\"/rounds/FY2020-YE/table.csv\">",
        "<a href=\"/rounds/FY2020-YE/publication.tlog-proof\">",
        "<a href=\"/\">公表した評価結果の一覧</a>",
    ] {
        assert!(p.contains(part), "{part} missing in {p}");
    }
    // The table as published: item 2 is A (its correction came after).
    assert!(
        p.contains("<th scope=\"row\"><a href=\"/items/2\">2</a></th>\n<td>取組2</td>\n<td>総務課</td>\n<td class=\"grade\">A</td>"),
        "{p}"
    );
    assert!(p.contains(&digest), "the digest");
    let (_, _, _, cp) = fetch(&s, "/rounds/FY2020-YE/checkpoint");
    let cp = String::from_utf8(cp).expect("UTF-8");
    assert!(
        p.contains(&format!("<pre class=\"checkpoint\">{}", cp.trim_end())),
        "the checkpoint"
    );
}

#[test]
fn values_reach_every_page_escaped() {
    let r = published();
    let s = Server::start(&r);
    for path in [
        "/rounds/FY2020-YE",
        "/items/1",
        "/rounds/FY2020-YE/corrections",
    ] {
        let (code, _, _, body) = fetch(&s, path);
        assert_eq!(code, 200, "{path}");
        let p = String::from_utf8(body).expect("UTF-8");
        assert!(!p.contains("<script"), "{path}: {p}");
        if path != "/rounds/FY2020-YE/corrections" {
            assert!(
                p.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt;取組1"),
                "{path}: {p}"
            );
        }
    }
    // A path typed with markup is not echoed as markup.
    let (code, p) = page(&s, "/items/%3Cb%3Ex%3C%2Fb%3E");
    assert_eq!(code, 404);
    assert!(!p.contains("<b>"), "{p}");
    assert!(p.contains("&lt;b&gt;x&lt;/b&gt;"), "{p}");
}

#[test]
fn the_item_page_shows_the_published_values_and_the_corrections_after() {
    let r = published();
    let s = Server::start(&r);
    let (code, p) = page(&s, "/items/2");
    assert_eq!(code, 200, "{p}");
    assert!(p.contains("<h1>項目 2 取組2</h1>"), "{p}");
    // The value as published.
    assert!(
        p.contains(
            "<th scope=\"row\"><a href=\"/rounds/FY2020-YE\">令和2年度末</a></th>\n<td>2021-04-01 "
        ),
        "{p}"
    );
    assert!(p.contains("<td class=\"grade\">A</td>"), "{p}");
    assert!(p.contains("<td class=\"num\">1件</td>"), "{p}");
    // The correction: when, before and after, reason, and the checkpoint covering it.
    assert!(
        p.contains("<td>評価</td>\n<td>A</td>\n<td>S</td>\n<td>所管課の報告による訂正</td>"),
        "{p}"
    );
    let (_, _, _, cp) = fetch(&s, "/rounds/FY2020-YE/checkpoint");
    let cp = String::from_utf8(cp).expect("UTF-8");
    assert!(p.contains(cp.trim_end()), "{p}");
    let size: u64 = cp
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("size");
    assert!(
        p.contains(&format!(
            "署名付きチェックポイント（{size} イベント）で検証できます"
        )),
        "{p}"
    );
    // No person: neither the recorder of the correction nor anyone else.
    let shown = without_checkpoint(&p);
    for who in ["hq", "admin", "s0", "h0"] {
        assert!(!shown.contains(who), "{who} shown: {shown}");
    }
    // The id read as the command line reads it (NFKC): the full-width ２ is item 2.
    let (code, full) = page(&s, "/items/%EF%BC%92");
    assert_eq!(code, 200);
    assert_eq!(full, p);
    // An item without corrections says so.
    let (code, p) = page(&s, "/items/3");
    assert_eq!(code, 200);
    assert!(
        p.contains("この項目の公表した評価に、公表の後の訂正はありません。"),
        "{p}"
    );
}

#[test]
fn what_is_not_there_is_a_page_in_japanese_with_404() {
    let r = Rounds::new();
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    let s = Server::start(&r);
    // A round under way is not public, nor its files, nor its items.
    for path in [
        "/rounds/FY2020-YE",
        "/rounds/FY2020-YE/corrections",
        "/rounds/FY2020-YE/table.csv",
        "/rounds/FY2020-YE/publication.tlog-proof",
    ] {
        let (code, p) = page(&s, path);
        assert_eq!(code, 404, "{path}");
        assert!(
            p.contains("令和2年度末の評価結果は公表されていません。"),
            "{p}"
        );
        assert!(p.contains("<html lang=\"ja\">"), "{p}");
        assert!(
            p.contains("<a href=\"/\">公表した評価結果の一覧</a>"),
            "{p}"
        );
    }
    let (code, p) = page(&s, "/items/1");
    assert_eq!(code, 404);
    assert!(
        p.contains("項目「1」は、公表した評価結果にありません。"),
        "{p}"
    );
    drop(s);
    let r = published();
    let s = Server::start(&r);
    for (path, says) in [
        ("/items/99", "項目「99」は、公表した評価結果にありません。"),
        (
            "/rounds/FY2021-YE",
            "令和3年度末の評価結果は公表されていません。",
        ),
        ("/rounds/いつか", "「いつか」は評価の時点として読めません。"),
    ] {
        let (code, p) = page(&s, path);
        assert_eq!(code, 404, "{path}");
        assert!(p.contains(says), "{path}: {p}");
    }
}

#[test]
fn the_downloads_are_the_packs_files_byte_for_byte() {
    let r = published();
    let site = r.env.dir.path().join("site");
    let notice: Value =
        serde_json::from_str(r.run(&["round", "notice", POINT, "--format", "json"]).ok())
            .expect("JSON");
    let s = Server::start(&r);
    for (name, ct) in [
        ("table.csv", "text/csv; charset=utf-8; header=present"),
        (
            "table.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("table.json", "application/json"),
        ("checkpoint", "text/plain; charset=utf-8"),
    ] {
        let (code, got_ct, cd, body) = fetch(&s, &format!("/rounds/FY2020-YE/{name}"));
        assert_eq!(code, 200, "{name}");
        assert_eq!(got_ct, ct, "{name}");
        assert_eq!(
            cd,
            format!("attachment; filename=\"FY2020-YE-{name}\""),
            "{name}"
        );
        let want = std::fs::read(site.join(name)).expect("the pack's file");
        assert!(body == want, "{name} differs from the pack's");
    }
    let (_, _, _, csv) = fetch(&s, "/rounds/FY2020-YE/table.csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM");
    // The proof of the publication in the checkpoint: `hyoka verify-proof` checks it with the log key.
    let (code, ct, cd, proof) = fetch(&s, "/rounds/FY2020-YE/publication.tlog-proof");
    assert_eq!(code, 200);
    assert_eq!(ct, "text/plain; charset=utf-8");
    assert_eq!(
        cd,
        "attachment; filename=\"FY2020-YE-publication.tlog-proof\""
    );
    std::fs::write(r.env.dir.path().join("p.tlog-proof"), &proof).expect("write");
    let vkey = hyoka::tlog::note::SignerKey::from_seed("city.example/rounds", &[2; 32])
        .expect("key")
        .verifier()
        .to_text();
    std::fs::write(r.env.dir.path().join("log.vkey"), vkey).expect("write");
    let v: Value = serde_json::from_str(
        r.env
            .run(&[
                "verify-proof",
                "p.tlog-proof",
                "--vkey",
                "log.vkey",
                "--format",
                "json",
            ])
            .ok(),
    )
    .expect("JSON");
    assert_eq!(v["index"], notice["published"]["seq"], "{v}");
    assert_eq!(v["event"]["change"]["kind"], "round.published", "{v}");
    assert_eq!(v["checkpoint"]["signature_checked"], true, "{v}");
    let cp = String::from_utf8(std::fs::read(site.join("checkpoint")).expect("cp")).expect("UTF-8");
    assert!(
        String::from_utf8_lossy(&proof).ends_with(&cp),
        "the proof carries the checkpoint"
    );
    // A file that is not one of the round's.
    let (code, _, _, _) = fetch(&s, "/rounds/FY2020-YE/table.exe");
    assert_eq!(code, 404);
}
