//! The publication pack (`hyoka publish POINT --out DIR`) and `verify --publication`, and a mirror
//! checked over HTTP (`verify --mirror URL`, against a tiny static server on 127.0.0.1 started here).
//! The contract of issue 22: every file written; the root recomputed from `DIR/tiles/tile/entries/` by
//! an independent RFC 6962 implementation (over `sha2` directly) equals the root and size of
//! `DIR/tiles/checkpoint`, which equal `hyoka verify --format json` at publication; the workbook's
//! first sheet holds the CSV's cells; and every damage is caught.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::Run;
use crate::test_rounds::{DEPTS, POINT, Rounds, assert_valid, published_with_a_correction};

/// The files of a pack beside the tiles.
const FILES: [&str; 8] = [
    "index.html",
    "corrections.html",
    "style.css",
    "table.csv",
    "table.xlsx",
    "table.json",
    "checkpoint",
    "manifest",
];

fn path(r: &Rounds, rel: &str) -> PathBuf {
    r.env.dir.path().join(rel)
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn publish(r: &Rounds, out: &str, more: &[&str]) -> Run {
    let mut args = vec!["publish", "FY2020-YE", "--out", out];
    args.extend_from_slice(more);
    r.run(&args)
}

/// RFC 6962's Merkle tree hash over `leaves` (the leaf data), with SHA-256 directly.
fn mth(leaves: &[Vec<u8>]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(&leaves[0]);
            h.finalize().into()
        }
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(mth(&leaves[..k]));
            h.update(mth(&leaves[k..]));
            h.finalize().into()
        }
    }
}

/// The leaves of the entry bundles of a tree of `size` leaves under `tiles` (C2SP tlog-tiles: full
/// bundles `tile/entries/NNN`, the last partial one `NNN.p/W`; each entry a big-endian u16 length and
/// its bytes).
fn leaves(tiles: &Path, size: u64) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut n = 0u64;
    while n * 256 < size {
        let width = (size - n * 256).min(256);
        let name = if width == 256 {
            format!("{n:03}")
        } else {
            format!("{n:03}.p/{width}")
        };
        let bytes = read(&tiles.join("tile/entries").join(name));
        let mut rest = bytes.as_slice();
        for _ in 0..width {
            let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
            out.push(rest[2..2 + len].to_vec());
            rest = &rest[2 + len..];
        }
        assert!(rest.is_empty(), "bytes after the entries of bundle {n}");
        n += 1;
    }
    out
}

/// The size and root (hex) of a checkpoint's text.
fn size_and_root(checkpoint: &[u8]) -> (u64, String) {
    let text = String::from_utf8_lossy(checkpoint);
    let lines: Vec<&str> = text.lines().collect();
    let root = base64::engine::general_purpose::STANDARD
        .decode(lines[2])
        .expect("base64 root");
    (lines[1].parse().expect("size"), hex::encode(root))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The text an HTML page shows for its escaped values.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_pack_holds_every_file_and_its_tiles_make_the_ledgers_root() {
    let r = published_with_a_correction();
    let run = publish(&r, "site", &[]);
    let said = run.ok().to_string();
    assert!(
        said.contains("wrote the publication pack of 令和2年度末 (FY2020-YE)"),
        "{said}"
    );
    assert!(
        said.contains("corrections since the publication: 1"),
        "{said}"
    );
    let site = path(&r, "site");
    for f in FILES {
        assert!(site.join(f).is_file(), "{f} missing: {said}");
    }
    // At publication: the ledger's verification, the pack's checkpoint and the tiles' agree.
    let v: Value = serde_json::from_str(r.run(&["verify", "--format", "json"]).ok()).expect("JSON");
    let tiles_cp = read(&site.join("tiles/checkpoint"));
    assert_eq!(tiles_cp, read(&site.join("checkpoint")));
    let (size, root) = size_and_root(&tiles_cp);
    assert_eq!(Some(size), v["events"].as_u64(), "{v}");
    assert_eq!(Some(root.as_str()), v["root"].as_str(), "{v}");
    assert!(site.join("tiles/tile/0").is_dir());
    // An independent RFC 6962 root from the entry bundles alone.
    let leaves = leaves(&site.join("tiles"), size);
    assert_eq!(leaves.len() as u64, size);
    assert!(leaves.iter().all(|l| l.len() == 32));
    assert_eq!(hex::encode(mth(&leaves)), root);
    // The manifest lists every file with its SHA-256, the recorded digest and the checkpoint.
    let manifest = String::from_utf8(read(&site.join("manifest"))).expect("UTF-8");
    let notice: Value =
        serde_json::from_str(r.run(&["round", "notice", POINT, "--format", "json"]).ok())
            .expect("JSON");
    let digest = notice["published"]["table_sha256"]
        .as_str()
        .expect("digest");
    let (body, sig) = manifest.split_once("\n\n").expect("a signed note");
    let lines: Vec<&str> = body.lines().collect();
    let published = notice["published"]["seq"].as_u64().expect("seq");
    let b64 = base64::engine::general_purpose::STANDARD;
    let root_b64 = b64.encode(hex::decode(&root).expect("hex"));
    assert_eq!(
        lines[..6],
        [
            "hyoka publication v1".to_string(),
            "origin city.example/rounds".into(),
            "point FY2020-YE".into(),
            format!("published {published}"),
            format!("table-sha256 {digest}"),
            format!("checkpoint {size} {root_b64}"),
        ]
    );
    let mut listed = Vec::new();
    for line in &lines[6..] {
        let mut parts = line.split(' ');
        assert_eq!(parts.next(), Some("file"), "{line}");
        let (hash, name) = (parts.next().expect("hash"), parts.next().expect("name"));
        assert_eq!(parts.next(), None);
        assert_eq!(hash, sha256_hex(&read(&site.join(name))), "{name}");
        listed.push(name.to_string());
    }
    let mut want: Vec<String> = FILES[..7].iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(listed, want, "every file but the manifest, in byte order");
    assert!(sig.starts_with("— city.example/rounds "), "{sig}");
    // table.json: its schema, and its rows hash to the recorded digest in the canonical form.
    let json: Value = serde_json::from_slice(&read(&site.join("table.json"))).expect("JSON");
    assert_valid("publication-table.schema.json", &json);
    assert_eq!(json["table_sha256"], digest);
    assert_eq!(json["items"].as_array().map(Vec::len), Some(7));
    // The pack checks, against the ledger too.
    let v: Value = serde_json::from_str(
        r.run(&["verify", "--publication", "site", "--format", "json"])
            .ok(),
    )
    .expect("JSON");
    assert_valid("verify-publication.schema.json", &v);
    assert_eq!(v["checkpoint"]["signature_checked"], true);
    assert_eq!(v["table_sha256"], digest);
    let text = r.run(&["verify", "--publication", "site"]).ok().to_string();
    assert!(
        text.contains("ok: the publication pack in site holds what its manifest lists: 7 files"),
        "{text}"
    );
    assert!(text.contains("records the same publication"), "{text}");
}

#[test]
fn the_table_as_published_in_csv_and_the_workbook_holds_the_same_cells() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let site = path(&r, "site");
    let csv_bytes = read(&site.join("table.csv"));
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"), "BOM by default");
    let text = std::str::from_utf8(&csv_bytes[3..]).expect("UTF-8");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "見出し",
            "項目番号",
            "項目",
            "担当課",
            "時点",
            "評価",
            "フォローアップ対象",
            "理由等"
        ]
    );
    assert_eq!(rows.len(), 8, "a header row and the 7 items");
    // The table as published: item 2 is A (its correction to S came after), item 7 対象外.
    let row = |id: &str| rows.iter().find(|r| r[1] == id).expect("row").clone();
    assert_eq!(row("2")[5], "A");
    assert_eq!(row("7")[5], "対象外");
    assert_eq!(row("1")[4], "令和2年度末");
    // The workbook's first sheet: the same cells, the ids as numbers, the point as text.
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(read(&site.join("table.xlsx"))))
            .expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("range");
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Empty => String::new(),
                    other => panic!("an unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(cells, rows);
    assert!(
        matches!(sheet.get((1, 1)), Some(Data::Float(_))),
        "ids are numbers"
    );
    assert!(
        matches!(sheet.get((1, 4)), Some(Data::String(_))),
        "points are text"
    );
    // The same round gives the same bytes, in another directory too; without a BOM on request.
    publish(&r, "again", &["--no-bom"]).ok();
    let again = path(&r, "again");
    assert_eq!(
        read(&again.join("table.xlsx")),
        read(&site.join("table.xlsx"))
    );
    assert_eq!(read(&again.join("table.csv")), csv_bytes[3..].to_vec());
    // CP932: the same text in Shift_JIS, no BOM.
    publish(&r, "sjis", &["--encoding", "cp932"]).ok();
    let sjis = read(&path(&r, "sjis").join("table.csv"));
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!bad);
    assert_eq!(decoded, text);
}

/// A published round whose remark of item 1 holds `remark`.
fn published_with_remark(remark: &str) -> Rounds {
    let r = Rounds::new();
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    r.ok("hq", &["item", "exclude", "7", POINT, "-m", "対象外"]);
    for (d, items) in [["1", "2"], ["3", "4"], ["5", "6"]].iter().enumerate() {
        for i in items {
            r.ok(&format!("s{d}"), &["rate", i, POINT, "A", "-m", "評価"]);
        }
        if d == 0 {
            r.ok(
                "s0",
                &["remark", "1", remark, "--period", POINT, "-m", "理由"],
            );
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
    r
}

#[test]
fn cp932_refuses_a_character_it_cannot_hold_naming_item_and_column_and_writes_nothing() {
    let r = published_with_remark("進捗🙂良好");
    let e = publish(&r, "sjis", &["--encoding", "cp932"])
        .fails(1)
        .to_string();
    assert!(e.contains("item 1, column 理由等"), "{e}");
    assert!(e.contains("U+1F642"), "{e}");
    assert!(!path(&r, "sjis").exists(), "nothing written");
    let run = r.run(&[
        "--lang",
        "ja",
        "publish",
        "FY2020-YE",
        "--out",
        "sjis",
        "--encoding",
        "cp932",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("エラー: 項目 1 の列 理由等: 🙂 (U+1F642) は CP932 で書けません"),
        "{}",
        run.stderr
    );
    // In UTF-8 the character is written as it is.
    publish(&r, "utf8", &[]).ok();
    let text = String::from_utf8(read(&path(&r, "utf8").join("table.csv"))).expect("UTF-8");
    assert!(text.contains("進捗🙂良好"));
    assert!(!text.contains("&#"));
}

#[test]
fn an_unpublished_round_is_refused_in_both_languages() {
    let r = Rounds::new();
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    let e = publish(&r, "site", &[]).fails(1).to_string();
    assert!(
        e.contains("the round of 令和2年度末 is not published"),
        "{e}"
    );
    assert!(e.contains("hyoka round publish 令和2年度末"), "{e}");
    let run = r.run(&["--lang", "ja", "publish", "FY2020-YE", "--out", "site"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("公表されていません"), "{}", run.stderr);
    let e = r
        .run(&["publish", "FY2021-YE", "--out", "site"])
        .fails(1)
        .to_string();
    assert!(e.contains("there is no round of 令和3年度末"), "{e}");
    assert!(!path(&r, "site").exists());
}

#[test]
fn publishing_again_changes_nothing_and_another_pack_is_not_overwritten() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let site = path(&r, "site");
    let before: Vec<Vec<u8>> = FILES.iter().map(|f| read(&site.join(f))).collect();
    let said = publish(&r, "site", &[]).ok().to_string();
    assert!(
        said.contains("0 files written, 8 already the same"),
        "{said}"
    );
    let after: Vec<Vec<u8>> = FILES.iter().map(|f| read(&site.join(f))).collect();
    assert_eq!(before, after);
    // Another pack's file (here CP932 over UTF-8) is refused without --force, and nothing changes.
    let e = publish(&r, "site", &["--encoding", "cp932"])
        .fails(1)
        .to_string();
    assert!(e.contains("table.csv exists with other bytes"), "{e}");
    assert_eq!(read(&site.join("table.csv")), before[3]);
    publish(&r, "site", &["--encoding", "cp932", "--force"]).ok();
    assert_ne!(read(&site.join("table.csv")), before[3]);
    r.run(&["verify", "--publication", "site"]).ok();
    // A link where a file goes is never followed.
    std::fs::remove_file(site.join("style.css")).expect("rm");
    std::os::unix::fs::symlink(path(&r, "elsewhere.css"), site.join("style.css")).expect("link");
    let e = publish(&r, "site", &["--force"]).fails(1).to_string();
    assert!(e.contains("is a link or not a regular file"), "{e}");
    assert!(!path(&r, "elsewhere.css").exists());
}

#[test]
fn a_different_pack_is_refused_before_a_new_checkpoint_is_signed() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let site = path(&r, "site");
    let before: Vec<Vec<u8>> = FILES.iter().map(|f| read(&site.join(f))).collect();
    let signed = r.env.ledger().join("CHECKPOINT");
    let cp_before = read(&signed);
    // The ledger grows: its pack now needs a new checkpoint, which would change the pack's files.
    r.ok("hq", &["rate", "3", POINT, "S", "-m", "訂正"]);
    let cp_after_rating = read(&signed);
    assert_eq!(
        cp_after_rating, cp_before,
        "the rating signed no checkpoint"
    );
    let e = publish(&r, "site", &[]).fails(1).to_string();
    assert!(e.contains("exists with other bytes"), "{e}");
    // Nothing changed: neither the pack nor the ledger's last signed checkpoint.
    let after: Vec<Vec<u8>> = FILES.iter().map(|f| read(&site.join(f))).collect();
    assert_eq!(before, after);
    assert_eq!(read(&signed), cp_after_rating, "no checkpoint signed");
    // A pack whose table differs (CP932 over UTF-8) is refused as well, before signing.
    let e = publish(&r, "site", &["--encoding", "cp932"])
        .fails(1)
        .to_string();
    assert!(e.contains("exists with other bytes"), "{e}");
    assert_eq!(read(&signed), cp_after_rating, "no checkpoint signed");
    // Into an empty directory, or with --force, the new checkpoint is signed and the pack written.
    publish(&r, "site", &["--force"]).ok();
    assert_ne!(read(&signed), cp_after_rating);
    assert_ne!(read(&signed), cp_before);
    assert_eq!(read(&site.join("checkpoint")), read(&signed));
    r.run(&["verify", "--publication", "site"]).ok();
}

#[test]
fn an_edited_pack_is_caught() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let site = path(&r, "site");
    let csv = read(&site.join("table.csv"));
    let mut edited = csv.clone();
    let at = edited.len() - 3;
    edited[at] ^= 1;
    std::fs::write(site.join("table.csv"), &edited).expect("edit");
    let run = r.run(&["verify", "--publication", "site", "--format", "json"]);
    let v: Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    assert_valid("verify-publication.schema.json", &v);
    assert_eq!(v["error"]["kind"], "pack_file_changed");
    assert!(
        run.fails(3)
            .contains("table.csv is not the file the manifest lists")
    );
    std::fs::write(site.join("table.csv"), &csv).expect("restore");
    r.run(&["verify", "--publication", "site"]).ok();
    // A table that is not the one recorded, in a manifest re-signed with the log key itself: the
    // digest recomputed from table.json's rows catches it.
    let json = String::from_utf8(read(&site.join("table.json"))).expect("UTF-8");
    let forged = json.replacen("\"grade\": \"A\"", "\"grade\": \"S\"", 1);
    assert_ne!(forged, json);
    std::fs::write(site.join("table.json"), &forged).expect("forge");
    let manifest = String::from_utf8(read(&site.join("manifest"))).expect("UTF-8");
    let (body, _) = manifest.split_once("\n\n").expect("note");
    let body = body.replace(&sha256_hex(json.as_bytes()), &sha256_hex(forged.as_bytes())) + "\n";
    let log_key =
        hyoka::tlog::note::SignerKey::from_seed("city.example/rounds", &[2; 32]).expect("key");
    let signed = hyoka::tlog::note::sign_note(&body, &log_key).expect("sign");
    std::fs::write(site.join("manifest"), signed).expect("re-sign");
    let e = r
        .run(&["verify", "--publication", "site"])
        .fails(3)
        .to_string();
    assert!(e.contains("not to the recorded"), "{e}");
    // A manifest signed by another key is caught by the ledger's log key.
    let other =
        hyoka::tlog::note::SignerKey::from_seed("city.example/rounds", &[3; 32]).expect("key");
    std::fs::write(site.join("table.json"), &json).expect("restore");
    let signed = hyoka::tlog::note::sign_note(
        &(manifest.split_once("\n\n").expect("note").0.to_string() + "\n"),
        &other,
    )
    .expect("sign");
    std::fs::write(site.join("manifest"), signed).expect("other key");
    let e = r
        .run(&["verify", "--publication", "site"])
        .fails(3)
        .to_string();
    assert!(
        e.contains("the signature of manifest does not check"),
        "{e}"
    );
}

#[test]
fn the_pages_are_accessible_by_construction_and_load_nothing_from_elsewhere() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let site = path(&r, "site");
    let index = String::from_utf8(read(&site.join("index.html"))).expect("UTF-8");
    let corrections = String::from_utf8(read(&site.join("corrections.html"))).expect("UTF-8");
    let css = String::from_utf8(read(&site.join("style.css"))).expect("UTF-8");
    for page in [&index, &corrections] {
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"));
        assert!(page.contains("<caption"));
        assert!(page.contains("<th scope=\"col\">"));
        assert!(page.contains("<th scope=\"row\">"));
        assert!(page.contains("<link rel=\"stylesheet\" href=\"style.css\">"));
        assert!(page.contains("<a class=\"skip\" href=\"#main\">"));
        assert!(!page.contains("<script"), "no script");
        assert!(!page.contains(" style="), "no style attribute");
        // Nothing from elsewhere: the only absolute URL is the SVG namespace's name.
        let urls = page.matches("http://").count() + page.matches("https://").count();
        let ns = page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
        assert_eq!(urls, ns, "an absolute URL in a page");
        assert!(!page.contains(" src="));
    }
    // The table as published, its subtotals, the chart with its text, the digest and the checkpoint.
    let shown = unescape(&index);
    let json: Value = serde_json::from_slice(&read(&site.join("table.json"))).expect("JSON");
    assert!(shown.contains(json["table_sha256"].as_str().expect("digest")));
    let cp = String::from_utf8(read(&site.join("checkpoint"))).expect("UTF-8");
    assert!(
        shown.contains(cp.trim_end()),
        "the signed checkpoint shown whole"
    );
    assert!(shown.contains("<th scope=\"rowgroup\" colspan=\"6\">行政改革の推進</th>"));
    assert!(shown.contains("<th scope=\"row\">全体</th>"));
    assert!(shown.contains("role=\"img\" aria-labelledby=\"chart-title chart-desc\""));
    assert!(
        shown.contains("<desc id=\"chart-desc\">S 0件、A 6件、B 0件、対象外 1件</desc>"),
        "{shown}"
    );
    // The subtotals by heading as a chart too, each bar labelled.
    assert!(
        shown.contains(
            "<desc id=\"hchart-desc\">行政改革の推進: S 0件、A 6件、B 0件、対象外 1件</desc>"
        ),
        "{shown}"
    );
    assert!(
        !shown.contains("<a href=\"/items/"),
        "no item pages in a pack"
    );
    assert!(shown.contains("href=\"corrections.html\""));
    // The correction: item, before and after, reason.
    let c = unescape(&corrections);
    assert!(c.contains("<td>A</td>\n<td>S</td>\n<td>訂正</td>"), "{c}");
    assert!(css.contains("@media print"));
    assert!(css.contains("@page { size: A4 landscape"));
    assert!(css.contains(":focus-visible"));
}

/// A static file server on 127.0.0.1, port 0, serving `root` (GET only, one request a connection),
/// until dropped.
struct StaticServer {
    url: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticServer {
    fn start(root: PathBuf) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut conn) = conn else { continue };
                let mut line = String::new();
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                // The rest of the request's head.
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let rel = target.trim_start_matches('/');
                let file = (!rel.split('/').any(|p| p == ".." || p.is_empty()))
                    .then(|| std::fs::read(root.join(rel)).ok())
                    .flatten();
                let _ = match file {
                    Some(body) => conn
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|()| conn.write_all(&body)),
                    None => conn.write_all(
                        b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    ),
                };
                let mut rest = [0u8; 1];
                let _ = conn.shutdown(std::net::Shutdown::Write);
                let _ = conn.read(&mut rest);
            }
        });
        StaticServer {
            url,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread.
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `verify --mirror URL --vkey VKEY --format json`, with no proxy between.
fn verify_url(r: &Rounds, url: &str, vkey: &str) -> Run {
    let none: &[(&str, Option<&str>)] = &[
        ("http_proxy", None),
        ("HTTP_PROXY", None),
        ("https_proxy", None),
        ("HTTPS_PROXY", None),
        ("all_proxy", None),
        ("ALL_PROXY", None),
    ];
    r.env.run_with_at(
        "2021-10-01T10:00:00+09:00",
        none,
        &[
            "verify", "--mirror", url, "--vkey", vkey, "--format", "json",
        ],
    )
}

#[test]
fn a_mirror_over_http_is_checked_as_a_directory_is() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let tiles = path(&r, "site").join("tiles");
    let vkey = hyoka::tlog::note::SignerKey::from_seed("city.example/rounds", &[2; 32])
        .expect("key")
        .verifier()
        .to_text();
    let server = StaticServer::start(path(&r, "site"));
    let url = format!("{}/tiles", server.url);
    let v: Value = serde_json::from_str(verify_url(&r, &url, &vkey).ok()).expect("JSON");
    let (size, root) = size_and_root(&read(&tiles.join("checkpoint")));
    assert_eq!(v["events"].as_u64(), Some(size));
    assert_eq!(v["root"].as_str(), Some(root.as_str()));
    assert_eq!(v["checkpoint"]["signature_checked"], true);
    let dir: Value =
        serde_json::from_str(verify_url(&r, tiles.to_str().expect("path"), &vkey).ok())
            .expect("JSON");
    assert_eq!(v, dir, "the same answer from the directory and the URL");
    let partial = format!("tile/entries/000.p/{size}");
    // An edited entry bundle.
    let bundle = tiles.join(&partial);
    let good = read(&bundle);
    let mut bad = good.clone();
    bad[5] ^= 1;
    std::fs::write(&bundle, &bad).expect("edit");
    let run = verify_url(&r, &url, &vkey);
    assert!(run.fails(3).contains(&partial), "{}", run.stderr);
    std::fs::write(&bundle, &good).expect("restore");
    // A missing tile.
    let tile = tiles.join(format!("tile/0/000.p/{size}"));
    let kept = read(&tile);
    std::fs::remove_file(&tile).expect("rm");
    let run = verify_url(&r, &url, &vkey);
    assert!(run.fails(3).contains("tile/0/000.p/"), "{}", run.stderr);
    std::fs::write(&tile, &kept).expect("restore");
    // A checkpoint whose root does not match (signed with the log key itself).
    let cp_path = tiles.join("checkpoint");
    let cp = read(&cp_path);
    let text = String::from_utf8(cp.clone()).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    let other = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let body = format!("{}\n{}\n{other}\n", lines[0], lines[1]);
    let log_key =
        hyoka::tlog::note::SignerKey::from_seed("city.example/rounds", &[2; 32]).expect("key");
    std::fs::write(
        &cp_path,
        hyoka::tlog::note::sign_note(&body, &log_key).expect("sign"),
    )
    .expect("cp");
    let run = verify_url(&r, &url, &vkey);
    assert!(run.fails(3).contains("root"), "{}", run.stderr);
    std::fs::write(&cp_path, &cp).expect("restore");
    verify_url(&r, &url, &vkey).ok();
    // No server there: one line, exit 1.
    drop(server);
    let run = verify_url(&r, &url, &vkey);
    let e = run.fails(1);
    assert!(e.contains(&format!("cannot fetch {url}/checkpoint")), "{e}");
    let run = r
        .env
        .run(&["--lang", "ja", "verify", "--mirror", &url, "--vkey", &vkey]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("{url}/checkpoint を取得できません")),
        "{}",
        run.stderr
    );
}

/// `hyoka serve` on the ledger: `GET /rounds/{POINT}` is the pack's page with the server's links.
struct Serve(Child, String);

impl Drop for Serve {
    fn drop(&mut self) {
        // SAFETY: signals our own child, which has not been waited for.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

#[test]
fn the_server_shows_the_same_page_at_rounds_point() {
    let r = published_with_a_correction();
    publish(&r, "site", &[]).ok();
    let index = String::from_utf8(read(&path(&r, "site").join("index.html"))).expect("UTF-8");
    let mut child = r
        .env
        .command(
            "2021-10-01T10:00:00+09:00",
            &[],
            &["serve", "--listen", "127.0.0.1:0"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .expect("URL")
        .to_string();
    let s = Serve(child, url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let get = |p: &str| {
        let mut resp = agent.get(format!("{}{p}", s.1)).call().expect("GET");
        (
            resp.status().as_u16(),
            resp.body_mut().read_to_string().expect("body"),
        )
    };
    let (code, page) = get("/rounds/FY2020-YE");
    assert_eq!(code, 200, "{page}");
    // The same page as the pack's index.html, only the links differ.
    let links = |p: &str| {
        p.replace("href=\"/assets/public.css\"", "href=\"style.css\"")
            .replace(
                "href=\"&#x2f;assets&#x2f;public.css\"",
                "href=\"style.css\"",
            )
            .replace(
                "&#x2f;rounds&#x2f;FY2020-YE&#x2f;corrections",
                "corrections.html",
            )
            .replace("&#x2f;rounds&#x2f;FY2020-YE", "index.html")
    };
    // The server's page links to the list of published rounds and to each item's page; the pack's
    // has neither.
    let mut page_only = page.replace(
        "<li><a href=\"&#x2f;\">公表した評価結果の一覧</a></li>\n",
        "",
    );
    for id in 1..=7 {
        page_only = page_only.replace(
            &format!("<a href=\"&#x2f;items&#x2f;{id}\">{id}</a>"),
            &id.to_string(),
        );
    }
    assert_ne!(page_only, page, "the server's links are there");
    let (mine, theirs) = (links(&page_only), links(&index));
    let strip = |p: &str| {
        let start = p.find("<section aria-labelledby=\"dl-h\">");
        let end = p.find("<section aria-labelledby=\"table-h\">");
        match (start, end) {
            (Some(a), Some(b)) => format!("{}{}", &p[..a], &p[b..]),
            _ => p.to_string(),
        }
    };
    assert_eq!(strip(&mine), strip(&theirs));
    assert!(page.contains("<caption"));
    let (code, c) = get("/rounds/%E4%BB%A4%E5%92%8C2%E5%B9%B4%E5%BA%A6%E6%9C%AB/corrections");
    assert_eq!(code, 200, "{c}");
    assert!(c.contains("<td>訂正</td>"), "{c}");
    let (code, css) = get("/assets/public.css");
    assert_eq!(code, 200);
    assert!(css.contains("@media print"));
    let (code, _) = get("/rounds/FY2021-YE");
    assert_eq!(code, 404);
}

#[test]
fn the_demo_publishes_a_round_and_checks_its_pack() {
    let env = crate::common::Env::new();
    let out = env.run(&["demo"]).ok().to_string();
    let section = out
        .split("\n== 7. ")
        .nth(1)
        .and_then(|s| s.split("\n== 8. ").next())
        .unwrap_or_else(|| panic!("no section 7: {out}"));
    assert!(
        section.contains("$ hyoka publish 令和2年度末 --out "),
        "{section}"
    );
    assert!(
        section.contains("files: index.html, corrections.html, style.css, table.csv, table.xlsx, table.json, checkpoint, manifest"),
        "{section}"
    );
    assert!(
        section.contains("holds what its manifest lists: 7 files"),
        "{section}"
    );
}
