//! `hyoka sheets` (issue 19, finding 8): each department's sheet for the next point, as CSV and xlsx,
//! filled in and imported back. Only the cells filled in are recorded, at the sheet's point; nothing
//! of the previous point's reference columns (its ○ and remark) is ever copied into the new one; a
//! rounds ledger takes the open round's point and a department's staff signs the import; every
//! refusal writes nothing; the same ledger gives the same bytes.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Env, seed};
use crate::test_rounds::{DEPTS, POINT, Rounds};

/// The seed ledger (points 平成26年度上半期 … 平成27年度上半期).
fn seeded() -> Env {
    let env = Env::new();
    env.run(&["import", seed().to_str().expect("path"), "-a", "山田"])
        .ok();
    env
}

/// The table as JSON, with the marks of `marks`.
fn table(env: &Env, marks: &str) -> Value {
    let out = env
        .run(&["table", "--format", "json", "--marks", marks])
        .ok()
        .to_string();
    serde_json::from_str(&out).expect("JSON")
}

/// Item `id`'s row of a table.
fn row<'a>(t: &'a Value, id: &str) -> &'a Value {
    t["items"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no item {id} in {t}"))
}

/// A CSV sheet's rows (the BOM checked and dropped).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).expect("sheet");
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "no BOM");
    assert!(String::from_utf8_lossy(&bytes).contains("\r\n"), "no CRLF");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut out = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for r in rows {
            w.write_record(r).expect("write");
        }
        w.flush().expect("flush");
    }
    std::fs::write(path, out).expect("write sheet");
}

/// The column of a header text.
fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

/// The row of an item id.
fn line(rows: &[Vec<String>], id: &str) -> usize {
    rows.iter()
        .position(|r| r.get(1).map(String::as_str) == Some(id))
        .unwrap_or_else(|| panic!("no item {id}"))
}

/// Every file of a directory, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The rows of a workbook's first sheet, and its name.
fn read_xlsx(path: &Path) -> (String, Vec<Vec<String>>) {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).expect("workbook");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    let width = range.width();
    let rows = range
        .rows()
        .map(|r| {
            let mut cells: Vec<String> = r.iter().map(|c| c.to_string()).collect();
            cells.resize(width, String::new());
            cells
        })
        .collect();
    (name, rows)
}

/// A part of a workbook (its zip entry) as text.
fn xlsx_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut text = String::new();
    zip.by_name(part)
        .expect("part")
        .read_to_string(&mut text)
        .expect("read part");
    text
}

const REF_GRADE: &str = "（参考）評価（平成27年度上半期）";
const REF_MARK: &str = "（参考）フォローアップ対象（平成27年度上半期）";
const REF_REMARK: &str = "（参考）理由等（平成27年度上半期）";
const GRADE: &str = "評価（平成27年度末）";
const MARK: &str = "フォローアップ対象（平成27年度末）";
const REMARK: &str = "理由等（平成27年度末）";

#[test]
fn a_sheet_filled_in_and_imported_records_only_its_cells_at_the_new_point() {
    let env = seeded();
    let before = table(&env, "H27上");
    let out = env.dir.path().join("sheets");
    let run = env.run(&["sheets", "--out", "sheets", "--point", "Ｈ２７末"]);
    let text = run.ok();
    assert!(
        text.starts_with(
            "sheets of 平成27年度末 (FY2015-YE) for 26 departments; for reference, the previous rated point: 平成27年度上半期\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("wrote sheets/FY2015-YE_財政課.csv (財政課, 9 items)\n"),
        "{text}"
    );
    assert!(text.contains("wrote sheets/FY2015-YE_財政課.xlsx (財政課, 9 items)\n"));
    assert_eq!(files(&out).len(), 2 * 26);

    let path = out.join("FY2015-YE_財政課.csv");
    let mut rows = read_csv(&path);
    assert_eq!(
        rows[0],
        [
            "区分",
            "No.",
            "項目",
            "所管課",
            REF_GRADE,
            REF_MARK,
            REF_REMARK,
            GRADE,
            MARK,
            REMARK
        ]
    );
    assert_eq!(rows.len(), 1 + 9);
    // The items of 財政課 in the plan's order; the previous point's cells for reference; the new ones empty.
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_by_key(|i| i.parse::<u32>().unwrap_or(0));
    assert_eq!(ids, sorted);
    let r27 = &rows[line(&rows, "27")];
    let b27 = row(&before, "27");
    assert_eq!(r27[3], "財政課");
    assert_eq!(r27[4], b27["ratings"]["FY2015-H1"].as_str().expect("grade"));
    assert_eq!(r27[5], "○");
    assert!(b27["follow_up"].as_bool().expect("flag"));
    assert_eq!(r27[6], b27["remark"].as_str().expect("remark"));
    assert!(!r27[6].is_empty());
    for r in &rows[1..] {
        assert_eq!(&r[7..], ["", "", ""], "{r:?}");
    }

    // Fill two grades, one follow-up mark and remark; change a reference cell (never read).
    let (g, m, rm) = (col(&rows, GRADE), col(&rows, MARK), col(&rows, REMARK));
    let (i27, i28) = (line(&rows, "27"), line(&rows, "28"));
    rows[i27][g] = "Ｂ".into();
    rows[i28][g] = "S".into();
    rows[i28][m] = "○".into();
    rows[i28][rm] = "引き続き取り組む。".into();
    let refs = [REF_GRADE, REF_MARK, REF_REMARK].map(|h| col(&rows, h));
    rows[i27][refs[0]] = "S".into();
    rows[i27][refs[1]] = String::new();
    rows[i27][refs[2]] = "書き換えた参考".into();
    let filled = env.dir.path().join("filled.csv");
    write_csv(&filled, &rows);
    let run = env.run(&["import", filled.to_str().expect("path"), "-a", "財政課"]);
    let text = run.ok();
    assert!(text.contains("layout: sheet"), "{text}");
    assert!(text.contains("recorded 4 events"), "{text}");

    let after_new = table(&env, "H27末");
    let after_old = table(&env, "H27上");
    // The previous point is as it was: the reference columns were not read.
    let old = |t: &Value| -> Vec<Value> {
        t["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                serde_json::json!([
                    i["id"],
                    i["ratings"]["FY2015-H1"],
                    i["follow_up"],
                    i["remark"]
                ])
            })
            .collect()
    };
    assert_eq!(old(&after_old), old(&before));
    assert_eq!(old(&before).len(), 62);
    // At the new point: exactly the cells filled in.
    let rated: Vec<(&str, &str)> = after_new["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| Some((i["id"].as_str()?, i["ratings"].get("FY2015-YE")?.as_str()?)))
        .collect();
    assert_eq!(rated, [("27", "B"), ("28", "S")]);
    let marked: Vec<(&str, bool, &str)> = after_new["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["follow_up"] == true || i["remark"] != "")
        .filter_map(|i| {
            Some((
                i["id"].as_str()?,
                i["follow_up"].as_bool()?,
                i["remark"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(marked, [("28", true, "引き続き取り組む。")]);

    // The same sheet again changes nothing (read by itself, or with --layout sheet); the sheet as
    // written (all empty) neither.
    let run = env.run(&["import", filled.to_str().expect("path"), "-a", "財政課"]);
    assert!(run.ok().contains("nothing to record"), "{}", run.stdout);
    let run = env.run(&[
        "import",
        filled.to_str().expect("path"),
        "--layout",
        "sheet",
        "-a",
        "財政課",
    ]);
    assert!(run.ok().contains("nothing to record"), "{}", run.stdout);
    let run = env.run(&["import", path.to_str().expect("path"), "-a", "財政課"]);
    assert!(run.ok().contains("nothing to record"), "{}", run.stdout);
}

/// The original problem: the clerk's new column carried the previous point's ○ and remark into the new
/// point. A sheet shows them, but importing it records none of them there.
#[test]
fn the_previous_points_marks_are_never_copied_into_the_new_point() {
    let env = seeded();
    let before = table(&env, "H27上");
    let flagged: Vec<String> = before["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["follow_up"] == true)
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    assert!(flagged.len() > 10, "{flagged:?}");
    env.run(&[
        "sheets", "--out", "s", "--point", "H27末", "--format", "csv",
    ])
    .ok();
    // Every department rates every item, and writes nothing else; the sheets show the previous
    // point's marks and remarks.
    let (mut count, mut shown) = (0, 0);
    for (name, _) in files(&env.dir.path().join("s")) {
        assert!(name.ends_with(".csv"), "{name}");
        let path = env.dir.path().join("s").join(&name);
        let mut rows = read_csv(&path);
        let (g, m, rm) = (
            col(&rows, GRADE),
            col(&rows, REF_MARK),
            col(&rows, REF_REMARK),
        );
        for r in rows.iter_mut().skip(1) {
            if r[m] == "○" {
                assert!(!r[rm].is_empty(), "{r:?}");
                shown += 1;
            }
            r[g] = "A".into();
            count += 1;
        }
        write_csv(&path, &rows);
        let run = env.run(&["import", path.to_str().expect("path"), "-a", "山田"]);
        run.ok();
    }
    assert_eq!(shown, flagged.len());
    let after = table(&env, "H27末");
    let items = after["items"].as_array().expect("items");
    assert_eq!(
        items
            .iter()
            .filter(|i| i["ratings"].get("FY2015-YE").is_some())
            .count(),
        count
    );
    for i in items {
        assert_eq!(i["follow_up"], false, "{i}");
        assert_eq!(i["remark"], "", "{i}");
    }
    // The previous point keeps its own.
    assert_eq!(
        table(&env, "H27上")["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["follow_up"] == true)
            .count(),
        flagged.len()
    );
}

#[test]
fn the_workbook_reads_back_as_the_csv_and_imports_filled_in() {
    let env = seeded();
    env.run(&[
        "sheets",
        "--out",
        "s",
        "--point",
        "平成27年度末",
        "--department",
        "行政経営課",
    ])
    .ok();
    let dir = env.dir.path().join("s");
    assert_eq!(files(&dir).len(), 2);
    let csv_rows = read_csv(&dir.join("FY2015-YE_行政経営課.csv"));
    let book = dir.join("FY2015-YE_行政経営課.xlsx");
    let (name, rows) = read_xlsx(&book);
    assert_eq!(name, "行政経営課");
    assert_eq!(rows, csv_rows);
    // The sheet is protected, its grade cells offer the plan's grades, its follow-up cells ○.
    let sheet = xlsx_part(&book, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<sheetProtection"), "{sheet}");
    assert!(sheet.contains("<pane ySplit=\"1\""), "{sheet}");
    assert!(
        sheet.contains("<formula1>\"S,A,B,対象外\"</formula1>"),
        "{sheet}"
    );
    assert!(sheet.contains("<formula1>\"○\"</formula1>"), "{sheet}");
    // Its time is the ledger's last event's, not the clock's.
    let core = xlsx_part(&book, "docProps/core.xml");
    assert!(
        core.contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2015-09-30T15:00:00Z"),
        "{core}"
    );

    // The workbook as written changes nothing; filled in (written here cell by cell), it records.
    let run = env.run(&["import", book.to_str().expect("path"), "-a", "行政経営課"]);
    assert!(run.ok().contains("nothing to record"), "{}", run.stdout);
    let g = col(&rows, GRADE);
    let first = rows[1][1].clone();
    let mut filled = rust_xlsxwriter::Workbook::new();
    let ws = filled.add_worksheet();
    ws.set_name("行政経営課").expect("name");
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            let v = if r == 1 && c == g { "S" } else { v.as_str() };
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).expect("cell");
            }
        }
    }
    let path = env.dir.path().join("filled.xlsx");
    filled.save(&path).expect("save");
    let run = env.run(&["import", path.to_str().expect("path"), "-a", "行政経営課"]);
    let text = run.ok();
    assert!(text.contains("sheet: 行政経営課"), "{text}");
    assert!(text.contains("recorded 1 event"), "{text}");
    let t = table(&env, "H27末");
    assert_eq!(row(&t, &first)["ratings"]["FY2015-YE"], "S");
    assert_eq!(row(&t, &first)["follow_up"], false);
}

#[test]
fn the_same_ledger_gives_the_same_bytes() {
    let env = seeded();
    env.run(&["sheets", "--out", "a", "--point", "H27末"]).ok();
    env.run_at(
        "2030-01-01T00:00:00+09:00",
        &["sheets", "--out", "b", "--point", "H27末"],
    )
    .ok();
    let (a, b) = (
        files(&env.dir.path().join("a")),
        files(&env.dir.path().join("b")),
    );
    assert_eq!(a.len(), 52);
    assert!(a == b, "the sheets differ between two runs");
    // A change to the ledger changes the sheets that show it.
    env.run(&["rate", "27", "H27上", "B", "-a", "山田", "-m", "訂正"])
        .ok();
    env.run(&["sheets", "--out", "c", "--point", "H27末"]).ok();
    let c = files(&env.dir.path().join("c"));
    let differ: Vec<&str> = a
        .iter()
        .zip(&c)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| x.0.as_str())
        .collect();
    // The CSV of 財政課 (its reference grade), and every workbook (the ledger's time).
    assert!(differ.contains(&"FY2015-YE_財政課.csv"), "{differ:?}");
    assert_eq!(
        differ.iter().filter(|n| n.ends_with(".csv")).count(),
        1,
        "{differ:?}"
    );
}

#[test]
fn refusals_write_nothing() {
    let env = seeded();
    // No rounds and no --point: a usage error.
    let run = env.run(&["sheets", "--out", "s"]);
    let e = run.fails(2);
    assert!(
        e.contains("the ledger has no rounds: give it with --point"),
        "{e}"
    );
    assert!(!env.dir.path().join("s").exists());
    // An unknown department, named with the known ones.
    let run = env.run(&[
        "sheets",
        "--out",
        "s",
        "--point",
        "H27末",
        "--department",
        "総務課",
    ]);
    let e = run.fails(1);
    assert!(
        e.contains("department `総務課` has no item at 平成27年度末"),
        "{e}"
    );
    assert!(e.contains("財政課"), "{e}");
    assert!(!env.dir.path().join("s").exists());
    // Inside the ledger.
    let inside = env.ledger().join("sheets");
    let run = env.run(&[
        "sheets",
        "--out",
        inside.to_str().expect("path"),
        "--point",
        "H27末",
    ]);
    run.fails(2);
    // DIR a link: refused, nothing written where it points.
    let target = env.dir.path().join("elsewhere");
    std::fs::create_dir(&target).expect("dir");
    std::os::unix::fs::symlink(&target, env.dir.path().join("link")).expect("symlink");
    let run = env.run(&["sheets", "--out", "link", "--point", "H27末"]);
    let e = run.fails(1);
    assert!(e.contains("link is a symbolic link"), "{e}");
    assert!(files(&target).is_empty());
    // An existing sheet: named, nothing written (not even the other departments'); --force replaces.
    let s = env.dir.path().join("s");
    std::fs::create_dir(&s).expect("dir");
    std::fs::write(s.join("FY2015-YE_財政課.xlsx"), b"mine").expect("write");
    let run = env.run(&["sheets", "--out", "s", "--point", "H27末"]);
    let e = run.fails(1);
    assert!(
        e.contains("s/FY2015-YE_財政課.xlsx already exists; nothing was written"),
        "{e}"
    );
    assert_eq!(files(&s).len(), 1);
    assert_eq!(
        std::fs::read(s.join("FY2015-YE_財政課.xlsx")).expect("read"),
        b"mine"
    );
    env.run(&["sheets", "--out", "s", "--point", "H27末", "--force"])
        .ok();
    assert_eq!(files(&s).len(), 52);
    assert_ne!(
        std::fs::read(s.join("FY2015-YE_財政課.xlsx")).expect("read"),
        b"mine"
    );
    // A link in a sheet's place: refused even with --force, and never followed.
    let victim = env.dir.path().join("victim.txt");
    std::fs::write(&victim, b"keep").expect("write");
    std::fs::remove_file(s.join("FY2015-YE_財政課.csv")).expect("rm");
    std::os::unix::fs::symlink(&victim, s.join("FY2015-YE_財政課.csv")).expect("symlink");
    let run = env.run(&["sheets", "--out", "s", "--point", "H27末", "--force"]);
    let e = run.fails(1);
    assert!(e.contains("FY2015-YE_財政課.csv is a symbolic link"), "{e}");
    assert_eq!(std::fs::read(&victim).expect("read"), b"keep");
    // A file where DIR should be.
    std::fs::write(env.dir.path().join("plain"), b"x").expect("write");
    let run = env.run(&["sheets", "--out", "plain", "--point", "H27末"]);
    assert!(run.fails(1).contains("is not a directory"));
}

#[test]
fn departments_whose_file_names_collide_get_a_sheet_each() {
    let env = Env::new();
    env.run(&["init", "--plan", "計画", "--era", "reiwa"]).ok();
    for (id, dept) in [("1", "総務/課"), ("2", "総務:課"), ("3", "財政課")] {
        env.run(&[
            "item",
            "add",
            id,
            "取組",
            "--department",
            dept,
            "--category",
            "見出し",
            "-a",
            "山田",
            "-m",
            "登録",
        ])
        .ok();
    }
    let text = env
        .run(&[
            "sheets",
            "--out",
            "s",
            "--point",
            "令和2年度末",
            "--format",
            "csv",
        ])
        .ok()
        .to_string();
    assert!(
        text.contains("for 3 departments; for reference, the previous rated point: none"),
        "{text}"
    );
    let names: Vec<String> = files(&env.dir.path().join("s"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "FY2020-YE_総務_課-2.csv",
            "FY2020-YE_総務_課.csv",
            "FY2020-YE_財政課.csv"
        ]
    );
    // No reference point: no reference columns.
    let rows = read_csv(&env.dir.path().join("s").join("FY2020-YE_総務_課-2.csv"));
    assert_eq!(
        rows,
        [
            vec![
                "区分",
                "No.",
                "項目",
                "所管課",
                "評価（令和2年度末）",
                "フォローアップ対象（令和2年度末）",
                "理由等（令和2年度末）"
            ],
            vec!["見出し", "2", "取組", "総務:課", "", "", ""],
        ]
    );
}

#[test]
fn a_progress_scale_validates_whole_numbers() {
    let env = Env::new();
    env.run(&[
        "init", "--plan", "計画", "--grades", "0-100", "--era", "reiwa",
    ])
    .ok();
    env.run(&[
        "item",
        "add",
        "1",
        "取組",
        "--department",
        "総務課",
        "--category",
        "見出し",
        "-a",
        "山田",
        "-m",
        "登録",
    ])
    .ok();
    env.run(&[
        "sheets",
        "--out",
        "s",
        "--point",
        "令和2年度末",
        "--format",
        "xlsx",
    ])
    .ok();
    let book = env.dir.path().join("s").join("FY2020-YE_総務課.xlsx");
    let sheet = xlsx_part(&book, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<dataValidation type=\"whole\" errorStyle=\"warning\""),
        "{sheet}"
    );
    assert!(sheet.contains("<formula2>100</formula2>"), "{sheet}");
    // 80 typed as a number in the workbook is the grade 80.
    let (_, rows) = read_xlsx(&book);
    let mut filled = rust_xlsxwriter::Workbook::new();
    let ws = filled.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).expect("cell");
            }
        }
    }
    ws.write_number(1, 4, 80).expect("cell");
    let path = env.dir.path().join("filled.xlsx");
    filled.save(&path).expect("save");
    env.run(&["import", path.to_str().expect("path"), "-a", "山田"])
        .ok();
    let t: Value =
        serde_json::from_str(env.run(&["table", "--format", "json"]).ok()).expect("JSON");
    assert_eq!(row(&t, "1")["ratings"]["FY2020-YE"], "80");
}

#[test]
fn the_open_rounds_point_and_the_departments_staff() {
    let r = Rounds::new();
    let dir: PathBuf = r.env.dir.path().join("sheets");
    let out = |args: &[&str]| {
        let mut all = vec!["sheets", "--out", "sheets"];
        all.extend_from_slice(args);
        r.run(&all)
    };
    // No round yet: the ledger has no rounds, so the point is asked for.
    out(&[]).fails(2);
    r.ok("admin", &["round", "open", POINT, "--due", "2021-04-30"]);
    // A point whose round is not open is refused, naming the open one.
    let e = out(&["--point", "令和3年度末"]).fails(1).to_string();
    assert!(
        e.contains("the round of 令和3年度末 is not open (open rounds: 令和2年度末)"),
        "{e}"
    );
    assert!(!dir.exists());
    let text = out(&[]).ok().to_string();
    assert!(
        text.starts_with("sheets of 令和2年度末 (FY2020-YE) for 3 departments; for reference, the previous rated point: none"),
        "{text}"
    );
    assert_eq!(files(&dir).len(), 6);
    // 総務課's staff fills in its sheet and imports it, signed with its key.
    let path = dir.join(format!("FY2020-YE_{}.csv", DEPTS[0]));
    let mut rows = read_csv(&path);
    let g = col(&rows, "評価（令和2年度末）");
    assert_eq!(rows.len(), 3);
    rows[1][g] = "A".into();
    rows[2][g] = "S".into();
    write_csv(&path, &rows);
    let text = r.ok("s0", &["import", path.to_str().expect("path")]);
    assert!(text.contains("recorded 2 events"), "{text}");
    let log = r.run(&["log", "--format", "jsonl"]).ok().to_string();
    let last: Value = serde_json::from_str(log.lines().last().expect("line")).expect("JSON");
    assert_eq!(last["author"], "s0");
    // Another department's sheet is refused to 総務課's staff, and records nothing.
    let other = dir.join(format!("FY2020-YE_{}.csv", DEPTS[1]));
    let mut rows = read_csv(&other);
    rows[1][g] = "B".into();
    write_csv(&other, &rows);
    let before = r.env.snapshot();
    let run = r.by("s0", &["import", other.to_str().expect("path")]);
    let e = run.fails(1);
    assert!(e.contains("may not rate or remark item 3"), "{e}");
    assert_eq!(r.env.snapshot(), before);
    // Its own staff may.
    r.ok("s1", &["import", other.to_str().expect("path")]);
    // Once closed, no round is open: refused, naming the rounds.
    r.ok("admin", &["round", "close", POINT]);
    let e = out(&["--force"]).fails(1).to_string();
    assert!(
        e.contains("no round is open (rounds: 令和2年度末 (closed))"),
        "{e}"
    );
}

#[test]
fn the_sheets_command_speaks_japanese() {
    let env = seeded();
    let ja = [("LC_ALL", None), ("LANG", Some("ja_JP.UTF-8"))];
    let run = env.run_with(
        &ja,
        &[
            "sheets",
            "--out",
            "s",
            "--point",
            "H27末",
            "--department",
            "財政課",
        ],
    );
    let text = run.ok();
    assert!(
        text.starts_with("平成27年度末 (FY2015-YE) の評価シート: 1 課。参考として直前の評価時点: 平成27年度上半期\n"),
        "{text}"
    );
    assert!(
        text.contains("s/FY2015-YE_財政課.csv を書きました (財政課、9 項目)"),
        "{text}"
    );
    let e = env.run_with(&ja, &["sheets", "--out", "t"]);
    assert_eq!(e.code, 2);
    assert!(
        e.stderr
            .starts_with("エラー: どの時点のシートですか? この台帳にはラウンドがありません"),
        "{}",
        e.stderr
    );
    let help = env.run_with(&ja, &["sheets", "--help"]);
    assert!(
        help.ok().contains("時点の各課の評価シート"),
        "{}",
        help.stdout
    );
    assert!(
        help.ok()
            .contains("  hyoka sheets --out sheets --point H27末")
    );
    let help = env.run(&["sheets", "--help"]);
    assert!(
        help.ok()
            .contains("Write each department's sheet for a point")
    );
}

/// The README's part of the tour, "The next half-year", imports `fixtures/sheet-FY2015-YE_政策課-filled.csv`
/// as a department sends it back (the README's transcripts themselves are run by `test_readme`). That
/// file is what `hyoka sheets` writes for 政策課 at H27末, with 12: A and 21: B, ○ and a remark filled
/// in, and nothing else changed but the reference columns (they follow the ledger's corrections and
/// are never read).
#[test]
fn the_readme_s_filled_sheet_is_a_sheet_hyoka_writes_filled_in() {
    let env = Env::new();
    env.run(&["import", seed().to_str().expect("path"), "--author", "山田"])
        .ok();
    env.run(&[
        "sheets",
        "--out",
        "sheets",
        "--point",
        "H27末",
        "--department",
        "政策課",
        "--format",
        "csv",
    ])
    .ok();
    let written = env.dir.path().join("sheets/FY2015-YE_政策課.csv");
    fill(&written);
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sheet-FY2015-YE_政策課-filled.csv");
    let (ours, theirs) = (read_csv(&written), read_csv(&fixture));
    let keep = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        let reference: Vec<bool> = rows[0].iter().map(|h| h.starts_with("（参考）")).collect();
        rows.iter()
            .map(|r| {
                r.iter()
                    .zip(&reference)
                    .filter(|(_, is_ref)| !**is_ref)
                    .map(|(c, _)| c.clone())
                    .collect()
            })
            .collect()
    };
    assert_eq!(keep(&theirs), keep(&ours));
    let raw = std::fs::read(&fixture).expect("fixture");
    assert!(raw.starts_with(b"\xef\xbb\xbf"), "a sheet has a BOM");
    // Imported, it records exactly what was filled in.
    let run = env.run(&["import", fixture.to_str().expect("path"), "-a", "政策課"]);
    assert!(run.ok().contains("recorded 4 events"), "{run:?}");

    /// 12: A; 21: B, ○ and a remark.
    fn fill(path: &Path) {
        let mut rows = read_csv(path);
        let (g, m, r) = (col(&rows, GRADE), col(&rows, MARK), col(&rows, REMARK));
        let (i12, i21) = (line(&rows, "12"), line(&rows, "21"));
        rows[i12][g] = "A".into();
        rows[i21][g] = "B".into();
        rows[i21][m] = "○".into();
        rows[i21][r] = "進捗管理の方法を見直す。".into();
        write_csv(path, &rows);
    }
}
