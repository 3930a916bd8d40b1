//! The round's pages and API actions over HTTP (no browser): `POST /api/rounds/{point}/open` and
//! `…/publish` refused without a session (401), without the CSRF token (403) and for a person
//! without the administrator's role (403), appending nothing; the department's sheet page for its
//! staff (editable), for another department (read-only) and without a session (to sign-in); a draft
//! recording only the cells changed; a submission with an item ungraded refused with the item named
//! and the input kept; a return without a reason refused, one with a reason shown beside the item
//! on the department's page; a publication refused while items wait, appending nothing.

use serde_json::json;

use crate::serving::{Server, links};
use crate::test_rounds::Rounds;

const P: &str = "FY2020-YE";

#[test]
fn the_round_pages_and_actions_check_who_and_what() {
    let r = Rounds::new();
    let tokens = links(&r, &["admin", "s0", "s1", "h0"]);
    let s = Server::start(&r);
    s.enrol(&r, &tokens);
    let admin = s.sign_in("admin");
    let s0 = s.sign_in("s0");
    let s1 = s.sign_in("s1");
    let h0 = s.sign_in("h0");

    // Opening the round: refused without a session, without the token, and for staff.
    let n = s.events();
    let open = json!({"due": "2021/10/31", "reason": "評価ラウンドの開始"});
    let path = format!("/api/rounds/{P}/open");
    assert_eq!(s.post_json(&path, None, None, &open).0, 401);
    let (code, body) = s.post_json(&path, Some(&admin.cookie), None, &open);
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("\"csrf\""), "{body}");
    let (code, body) = s.post_json(&path, Some(&s0.cookie), Some(&s0.csrf), &open);
    assert_eq!(code, 403, "staff do not open rounds: {body}");
    let bad = json!({"due": "いつか", "reason": "評価ラウンドの開始"});
    let (code, body) = s.post_json(&path, Some(&admin.cookie), Some(&admin.csrf), &bad);
    assert_eq!(code, 400, "{body}");
    assert_eq!(s.events(), n);
    let (code, body) = s.post_json(&path, Some(&admin.cookie), Some(&admin.csrf), &open);
    assert_eq!(code, 201, "{body}");
    assert_eq!(s.events(), n + 1);
    let (_, _, status) = s.get(&format!("/api/rounds/{P}/status"), None);
    assert!(status.contains("2021-10-31"), "{status}");

    // The department's page: to sign-in without a session; editable for its staff, read-only for
    // another department's; a point without a round or an unknown department is not found.
    let sheet = format!("/rounds/{P}/departments/%E7%B7%8F%E5%8B%99%E8%AA%B2"); // 総務課
    let (code, to, _) = s.get(&sheet, None);
    assert_eq!((code, to.as_str()), (303, "/signin"));
    let (code, _, page) = s.get(&sheet, Some(&s0.cookie));
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("<html lang=\"ja\">"), "{page}");
    assert!(page.contains("<caption"), "{page}");
    assert!(page.contains("name=\"g.1\""), "a grade to choose: {page}");
    assert!(page.contains("下書き保存"), "{page}");
    let (code, _, page) = s.get(&sheet, Some(&s1.cookie));
    assert_eq!(code, 200);
    assert!(
        !page.contains("name=\"g.1\""),
        "read-only for 財政課: {page}"
    );
    assert!(page.contains("閲覧のみ"), "{page}");
    let (code, _, page) = s.get("/rounds/FY2021-H1/departments/x", Some(&s0.cookie));
    assert_eq!(code, 404, "{page}");
    assert!(page.contains("ありません"), "{page}");
    // Home links a staff member to their department's page.
    let (_, _, home) = s.get("/", Some(&s0.cookie));
    assert!(home.contains("総務課の評価シート（令和2年度末）"), "{home}");
    assert!(home.contains("%E7%B7%8F%E5%8B%99%E8%AA%B2"), "{home}");

    // A form without its token, or from another session: refused in Japanese, nothing recorded.
    let n = s.events();
    let draft = |csrf: &str, g1: &str, g2: &str, remark: &str, action: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("shown.1", "1".to_string()),
            ("g.1", g1.to_string()),
            ("r.1", remark.to_string()),
            ("shown.2", "1".to_string()),
            ("g.2", g2.to_string()),
            ("f.2", "1".to_string()),
            ("r.2", String::new()),
            ("action", action.to_string()),
        ]
    };
    let form = |v: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { v.clone() };
    let post = |cookie: &str, f: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        s.post_form(&sheet, Some(cookie), &pairs)
    };
    let (code, _, page) = post(&s0.cookie, form(&draft(&s1.csrf, "A", "", "", "draft")));
    assert_eq!(code, 403, "{page}");
    assert!(page.contains("ページを開き直してください"), "{page}");
    // Another department's staff cannot save here.
    let (code, _, page) = post(&s1.cookie, form(&draft(&s1.csrf, "A", "", "", "draft")));
    assert_eq!(code, 403, "{page}");
    assert_eq!(s.events(), n);

    // A draft records only what changed: item 1's grade and remark, item 2's follow-up mark.
    let (code, to, page) = post(&s0.cookie, form(&draft(&s0.csrf, "A", "", "順調", "draft")));
    assert_eq!(code, 303, "{page}");
    assert!(to.ends_with("?saved=draft"), "{to}");
    assert_eq!(s.events(), n + 3);
    let (code, to, _) = post(&s0.cookie, form(&draft(&s0.csrf, "A", "", "順調", "draft")));
    assert_eq!((code, to.ends_with("saved=none")), (303, true));
    assert_eq!(s.events(), n + 3);

    // Submitting with item 2 ungraded: refused, the item named, the typed remark kept.
    let (code, _, page) = post(
        &s0.cookie,
        form(&draft(&s0.csrf, "A", "", "入力した所見", "submit")),
    );
    assert_eq!(code, 422, "{page}");
    assert!(page.contains("（2）"), "{page}");
    assert!(page.contains("入力した所見"), "the input is kept: {page}");
    assert_eq!(s.events(), n + 3);
    // A grade outside the scale: refused by the ledger, in Japanese, nothing recorded.
    let (code, _, page) = post(
        &s0.cookie,
        form(&draft(&s0.csrf, "A", "Z", "順調", "draft")),
    );
    assert_eq!(code, 409, "{page}");
    assert!(page.contains("評価段階にありません"), "{page}");
    assert_eq!(s.events(), n + 3);
    let (code, to, _) = post(
        &s0.cookie,
        form(&draft(&s0.csrf, "A", "B", "順調", "submit")),
    );
    assert_eq!((code, to.ends_with("saved=submitted")), (303, true));
    assert_eq!(s.events(), n + 5, "item 2's grade, and the submission");

    // The head returns item 1: a reason is required; then the department's page shows it.
    let review = format!("/rounds/{P}/review");
    let (code, _, page) = s.get(&review, Some(&h0.cookie));
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("1次評価"), "{page}");
    let n = s.events();
    let ret = |reason: &str| {
        s.post_form(
            &review,
            Some(&h0.cookie),
            &[
                ("csrf", &h0.csrf),
                ("stage", "1"),
                ("item", "1"),
                ("verdict", "return"),
                ("reason", reason),
            ],
        )
    };
    let (code, _, page) = ret("");
    assert_eq!(code, 422, "{page}");
    assert!(page.contains("理由を書いてください"), "{page}");
    assert_eq!(s.events(), n);
    // Staff do not review.
    let (code, _, page) = s.post_form(
        &review,
        Some(&s0.cookie),
        &[
            ("csrf", &s0.csrf),
            ("stage", "1"),
            ("item", "1"),
            ("verdict", "approve"),
        ],
    );
    assert_eq!(code, 409, "{page}");
    assert!(page.contains("課長"), "{page}");
    assert_eq!(s.events(), n);
    let (code, to, _) = ret("根拠の数値を追記してください");
    assert_eq!((code, to.ends_with("done=returned")), (303, true));
    assert_eq!(s.events(), n + 1);
    let (_, _, page) = s.get(&sheet, Some(&s0.cookie));
    assert!(page.contains("差し戻し"), "{page}");
    assert!(page.contains("根拠の数値を追記してください"), "{page}");

    // Publishing: staff refused; the administrator refused while items wait; nothing appended.
    let n = s.events();
    let publish = format!("/api/rounds/{P}/publish");
    let body = json!({"reason": "評価結果の公表"});
    assert_eq!(s.post_json(&publish, None, None, &body).0, 401);
    assert_eq!(
        s.post_json(&publish, Some(&admin.cookie), None, &body).0,
        403
    );
    let (code, text) = s.post_json(&publish, Some(&s0.cookie), Some(&s0.csrf), &body);
    assert_eq!(code, 403, "{text}");
    let (code, text) = s.post_json(&publish, Some(&admin.cookie), Some(&admin.csrf), &body);
    assert_eq!(code, 409, "{text}");
    assert!(text.contains("cannot be published"), "{text}");
    assert_eq!(s.events(), n);
    assert_eq!(s.stop(), 0);
    r.run(&["verify"]).ok();
}
