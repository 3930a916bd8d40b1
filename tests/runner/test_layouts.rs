//! Cities' own sheets: each known layout read from its own files (tab-separated text, CSV saved as
//! CP932 by a Japanese Excel, and an `.xlsx` workbook, made here with rust_xlsxwriter), every bad cell
//! of a file reported at once, and bad files of every kind leaving the ledger as it was.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Env, seed};

fn layouts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/layouts")
}

fn layout(name: &str) -> String {
    layouts()
        .join(format!("{name}.toml"))
        .to_str()
        .unwrap()
        .to_string()
}

fn cities() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cities")
}

pub(crate) fn write(env: &Env, name: &str, bytes: &[u8]) -> String {
    let p = env.dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_str().unwrap().to_string()
}

fn json(run: &crate::common::Run) -> Value {
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// Rows of cells as tab-separated text.
fn tsv(rows: &[Vec<String>]) -> String {
    rows.iter().map(|r| r.join("\t") + "\n").collect::<String>()
}

/// Rows of cells as CSV (RFC 4180, CRLF), as Excel saves it.
pub(crate) fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Text in CP932 (Shift_JIS as Windows writes it), every character of it encodable.
pub(crate) fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "a character CP932 cannot hold");
    assert!(std::str::from_utf8(&bytes).is_err(), "not ASCII only");
    bytes.into_owned()
}

/// Rows of cells as the first sheet of a workbook: text as text, `numbers` columns' digits as
/// numbers (as Excel stores what is typed as a number).
pub(crate) fn xlsx(rows: &[Vec<String>], numbers: &[usize]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("評価").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if numbers.contains(&(c as usize)) => sheet.write_number(r, c, n),
                _ => sheet.write_string(r, c, cell),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// The same rows as the three files people have: TSV, CSV saved as CP932, and a workbook.
fn three_files(env: &Env, stem: &str, rows: &[Vec<String>], numbers: &[usize]) -> [String; 3] {
    [
        write(env, &format!("{stem}.tsv"), tsv(rows).as_bytes()),
        write(env, &format!("{stem}.csv"), &cp932(&csv_text(rows))),
        write(env, &format!("{stem}.xlsx"), &xlsx(rows, numbers)),
    ]
}

fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The seed imported into a ledger of its own, and its table (JSON).
pub(crate) fn seed_ledger(env: &Env) -> String {
    env.run(&[
        "import",
        seed().to_str().unwrap(),
        "-a",
        "山田",
        "--plan",
        "小平市行財政改革推進プラン",
    ])
    .ok();
    env.run(&["table", "--format", "json"]).ok().to_string()
}

/// Imports `file` into a new ledger `name` beside the environment's, returns the run and the ledger.
fn import_new(env: &Env, name: &str, file: &str, extra: &[&str]) -> (crate::common::Run, String) {
    let ledger = env.dir.path().join(name);
    let ledger = ledger.to_str().unwrap().to_string();
    let mut args = vec!["--ledger", &ledger, "import", file, "-a", "A"];
    args.extend(extra);
    (env.run(&args), ledger)
}

fn table_of(env: &Env, ledger: &str) -> String {
    env.run(&["--ledger", ledger, "table", "--format", "json"])
        .ok()
        .to_string()
}

/// The cells of `hyoka table --format csv` (without the BOM, which is no cell).
pub(crate) fn csv_cells(env: &Env) -> Vec<Vec<String>> {
    let path = env.dir.path().join("table.csv");
    env.run(&[
        "table",
        "--format",
        "csv",
        "--output",
        path.to_str().unwrap(),
    ])
    .ok();
    let bytes = std::fs::read(&path).unwrap();
    let text = std::str::from_utf8(&bytes)
        .unwrap()
        .trim_start_matches('\u{FEFF}');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

// --------------------------------------------------------------------------- the contract

/// An `.xlsx` whose first sheet holds exactly the cells of `hyoka table --format csv` imports into a
/// new ledger with the same table, whether the ids are stored as text or as numbers.
#[test]
fn a_workbook_of_the_csv_cells_imports_into_the_same_table() {
    let env = Env::new();
    let table = seed_ledger(&env);
    let rows = csv_cells(&env);
    assert_eq!(rows.len(), 63);
    for (stem, numbers) in [("as-text", &[][..]), ("as-numbers", &[1][..])] {
        let file = write(&env, &format!("{stem}.xlsx"), &xlsx(&rows, numbers));
        let (run, ledger) =
            import_new(&env, stem, &file, &["--plan", "小平市行財政改革推進プラン"]);
        let out = run.ok();
        assert!(out.contains("file: 62 items;"), "{out}");
        assert!(out.contains("sheet: 評価"), "{out}");
        assert_eq!(table_of(&env, &ledger), table, "{stem}");
    }
    // As the contract runs it: no plan name given (the plan is named after the file).
    let file = write(&env, "FILE.xlsx", &xlsx(&rows, &[]));
    let (run, ledger) = import_new(&env, "plain", &file, &[]);
    run.ok();
    let mut got: Value = serde_json::from_str(&table_of(&env, &ledger)).unwrap();
    let mut want: Value = serde_json::from_str(&table).unwrap();
    assert_eq!(got["plan"], "FILE");
    got["plan"] = Value::Null;
    want["plan"] = Value::Null;
    assert_eq!(got, want);
}

/// The same CSV saved as CP932 (no BOM) imports with the same result, and says it was read as CP932.
#[test]
fn the_csv_saved_as_cp932_imports_the_same_with_a_notice() {
    let env = Env::new();
    let table = seed_ledger(&env);
    let file = write(&env, "sjis.csv", &cp932(&csv_text(&csv_cells(&env))));
    let (run, ledger) = import_new(
        &env,
        "sjis",
        &file,
        &["--plan", "小平市行財政改革推進プラン"],
    );
    run.ok();
    assert!(
        run.stderr.contains("sjis.csv read as CP932 (Shift_JIS"),
        "{}",
        run.stderr
    );
    assert_eq!(table_of(&env, &ledger), table);
    // Into the ledger it came from: nothing differs. The JSON says how it was read.
    let run = env.run(&["import", &file, "-a", "A", "--format", "json"]);
    let report = json(&run);
    assert_eq!(report["read_as"]["encoding"], "cp932");
    assert_eq!(report["read_as"]["format"], "csv");
    assert_eq!(report["layout"], "hyoka");
    assert_eq!(report["changes"], serde_json::json!([]));
    // UTF-8 says nothing.
    let run = env.run(&["import", seed().to_str().unwrap(), "-a", "A"]);
    run.ok();
    assert!(!run.stderr.contains("CP932"), "{}", run.stderr);
}

/// Three bad grades in three rows: all three named with their line and column, nothing appended; in
/// a new ledger, none is created.
#[test]
fn three_bad_grades_in_three_rows_are_all_named_and_nothing_is_appended() {
    let env = Env::new();
    seed_ledger(&env);
    let before = env.snapshot();
    let mut rows = csv_cells(&env);
    // Items 3, 8 and 20 (lines 4, 9 and 21), in the columns of the first, second and third point.
    let bad = [(3, 4, "X"), (8, 5, "Ｚ"), (20, 6, "AA")];
    for (line, column, grade) in bad {
        rows[line][column] = grade.to_string();
    }
    let file = write(&env, "bad.csv", csv_text(&rows).as_bytes());
    for run in [
        env.run(&["import", &file, "-a", "A"]),
        import_new(&env, "new", &file, &[]).0,
    ] {
        let err = run.fails(1).to_string();
        assert!(err.contains("3 problems in"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        let problems: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("problem: "))
            .collect();
        assert_eq!(problems.len(), 3, "{}", run.stderr);
        for ((line, column, grade), p) in bad.iter().zip(&problems) {
            let header = &rows[0][*column];
            let want = format!(
                "problem: line {}, column {} ({header}): item {line}, ",
                line + 1,
                column + 1
            );
            assert!(p.starts_with(&want), "{p}");
            let shown = if *grade == "Ｚ" { "Z" } else { grade };
            assert!(
                p.contains(&format!(
                    "grade `{shown}` is not in the plan's scale; use one of S, A, B"
                )),
                "{p}"
            );
        }
    }
    assert_eq!(env.snapshot(), before);
    assert!(!env.dir.path().join("new").exists());
}

// --------------------------------------------------------------------------- each layout

/// Kodaira's published table as TSV, as CP932 text and as a workbook: the same table.
#[test]
fn kodaira_layout_reads_its_tsv_cp932_text_and_workbook() {
    let env = Env::new();
    let table = seed_ledger(&env);
    let text = std::fs::read_to_string(seed()).unwrap();
    let rows: Vec<Vec<String>> = text
        .split('\n')
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    let files = [
        write(&env, "k.txt", &cp932(&text)),
        write(&env, "k.xlsx", &xlsx(&rows, &[2, 3, 4, 5])),
    ];
    for (i, file) in files.iter().enumerate() {
        for with_layout in [false, true] {
            let name = format!("k{i}{with_layout}");
            let mut extra = vec!["--plan", "小平市行財政改革推進プラン"];
            let l = layout("kodaira");
            if with_layout {
                extra.extend(["--layout", &l]);
            }
            let (run, ledger) = import_new(&env, &name, file, &extra);
            assert!(run.ok().starts_with("file: 62 items"), "{}", run.stdout);
            assert_eq!(table_of(&env, &ledger), table, "{file}");
        }
    }
}

/// hyoka's CSV layout from tab-separated text too (the cells of the CSV, tab-joined), and by name.
#[test]
fn hyoka_layout_reads_its_cells_from_any_file() {
    let env = Env::new();
    let table = seed_ledger(&env);
    let rows = csv_cells(&env);
    for (i, file) in three_files(&env, "h", &rows, &[1]).iter().enumerate() {
        let (run, ledger) = import_new(
            &env,
            &format!("h{i}"),
            file,
            &["--layout", "hyoka", "--plan", "小平市行財政改革推進プラン"],
        );
        run.ok();
        assert_eq!(table_of(&env, &ledger), table, "{file}");
    }
}

/// Kizugawa's items (`../shared/cities/`) in its columns: 重点改革項目 | No. | 項目 | 所管部署 | 評価 |
/// 備考, the point of 評価 given with --point; the headings as its page names them.
#[test]
fn kizugawa_layout_reads_its_tsv_cp932_text_and_workbook() {
    let read = |f: &str| -> Vec<Vec<String>> {
        std::fs::read_to_string(cities().join(f))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    };
    let headings: Vec<String> = read("kizugawa-3rd-r1-yearend.tsv")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let grades = ["A", "B", "C", "対 象 外", "S"];
    let mut rows = cells(&[&["重点改革項目", "No.", "項目", "所管部署", "評価", "備考"]]);
    let mut expected = Vec::new();
    for (k, r) in read("kizugawa-3rd-r1-new-items.tsv")
        .into_iter()
        .enumerate()
    {
        let heading = headings
            .iter()
            .find(|h| h.starts_with(&format!("{}.", r[0])))
            .unwrap()
            .clone();
        let grade = grades[k % grades.len()];
        rows.push(vec![
            heading.clone(),
            r[1].clone(),
            r[2].clone(),
            r[3].clone(),
            grade.to_string(),
            format!("備考{k}"),
        ]);
        expected.push((r[1].clone(), r[2].clone(), r[3].clone(), heading, grade));
    }
    assert_eq!(expected.len(), 5);
    let env = Env::new();
    let files = three_files(&env, "kizugawa", &rows, &[]);
    let mut tables = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let ledger = env.dir.path().join(format!("z{i}"));
        let ledger = ledger.to_str().unwrap();
        env.run(&[
            "--ledger",
            ledger,
            "init",
            "--plan",
            "第3次木津川市行財政改革行動計画",
            "--grades",
            "S,A,B,C",
            "--cadence",
            "year-end",
            "--era",
            "reiwa",
        ])
        .ok();
        let l = layout("kizugawa");
        // Without the point: refused, saying how to give it, and nothing recorded.
        let run = env.run(&[
            "--ledger", ledger, "import", file, "-a", "A", "--layout", &l,
        ]);
        let err = run.fails(1);
        assert!(err.contains("column 5 (評価)"), "{err}");
        assert!(err.contains("--point"), "{err}");
        let out = env
            .run(&[
                "--ledger",
                ledger,
                "import",
                file,
                "-a",
                "A",
                "--layout",
                &l,
                "--point",
                "令和元年度末",
            ])
            .ok()
            .to_string();
        assert!(out.contains("layout: kizugawa"), "{out}");
        let table: Value = serde_json::from_str(&table_of(&env, ledger)).unwrap();
        let items = table["items"].as_array().unwrap();
        assert_eq!(items.len(), expected.len());
        for (id, title, department, heading, grade) in &expected {
            let item = items.iter().find(|i| i["id"] == id.as_str()).unwrap();
            assert_eq!(item["title"], title.as_str());
            assert_eq!(item["department"], department.as_str());
            assert_eq!(item["category"], heading.as_str());
            match *grade {
                "対 象 外" => {
                    assert_eq!(item["not_evaluated"], serde_json::json!(["FY2019-YE"]))
                }
                g => assert_eq!(item["ratings"]["FY2019-YE"], g, "{item}"),
            }
        }
        tables.push(table);
    }
    assert_eq!(tables[0], tables[1]);
    assert_eq!(tables[0], tables[2]);
    // Without --layout it is found among the known layouts.
    let run = env.run(&[
        "--ledger",
        env.dir.path().join("z0").to_str().unwrap(),
        "import",
        &files[2],
        "-a",
        "A",
        "--point",
        "令和元年度末",
    ]);
    assert!(
        run.ok().contains("the file matches the ledger"),
        "{}",
        run.stdout
    );
}

/// A plan reporting at dates, grades in words published with spaces (`完 了`), ids 1-1-1, 合計 rows.
#[test]
fn dated_layout_reads_its_tsv_cp932_text_and_workbook() {
    let head = [
        "基本方針",
        "番号",
        "取組項目",
        "担当課",
        "進捗状況（平成28年3月末現在）",
        "進捗状況（平成29年3月末現在）",
        "備考",
    ];
    let items = [
        [
            "1 行政運営の効率化",
            "1-1-1",
            "窓口業務の見直し",
            "市民課",
            "完 了",
            "完 了",
            "",
        ],
        [
            "",
            "1-1-2",
            "事務の電子化",
            "情報政策課",
            "一部実施",
            "完 了",
            "継続",
        ],
        [
            "2 財政の健全化",
            "2-1-1",
            "使用料の見直し",
            "財政課",
            "そ の 他",
            "一部実施",
            "",
        ],
    ];
    let scale = ["完了", "一部実施", "その他"];
    let mut rows = cells(&[&head]);
    rows.extend(cells(&items.iter().map(|r| &r[..]).collect::<Vec<_>>()));
    let joined = |s: &str| s.replace(' ', "");
    let count = |col: usize, g: &str| items.iter().filter(|r| joined(r[col]) == g).count();
    for g in scale {
        rows.push(vec![
            String::new(),
            g.into(),
            String::new(),
            String::new(),
            count(4, g).to_string(),
            count(5, g).to_string(),
            String::new(),
        ]);
    }
    rows.push(cells(&[&["", "計", "", "", "3", "3", ""]]).remove(0));
    let env = Env::new();
    let init = |ledger: &str| {
        env.run(&[
            "--ledger",
            ledger,
            "init",
            "--plan",
            "行政改革大綱",
            "--grades",
            "完了,一部実施,その他",
            "--cadence",
            "year-end",
            "--era",
            "heisei",
        ])
        .ok();
    };
    let mut tables = Vec::new();
    for (i, file) in three_files(&env, "dated", &rows, &[4, 5])
        .iter()
        .enumerate()
    {
        let ledger = env.dir.path().join(format!("d{i}"));
        let ledger = ledger.to_str().unwrap();
        init(ledger);
        let out = env
            .run(&["--ledger", ledger, "import", file, "-a", "A"])
            .ok()
            .to_string();
        assert!(out.contains("layout: dated"), "{out}");
        assert!(
            out.contains("periods 平成27年度末 (FY2015-YE), 平成28年度末 (FY2016-YE)"),
            "{out}"
        );
        let table: Value = serde_json::from_str(&table_of(&env, ledger)).unwrap();
        for row in &items {
            let item = table["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == row[1])
                .unwrap();
            assert_eq!(item["ratings"]["FY2015-YE"], joined(row[4]));
            assert_eq!(item["ratings"]["FY2016-YE"], joined(row[5]));
        }
        tables.push(table);
    }
    assert_eq!(tables[0], tables[1]);
    assert_eq!(tables[0], tables[2]);
    // A total that disagrees with the rows is refused, naming it.
    let mut wrong = rows.clone();
    wrong[4][4] = "5".into();
    let file = write(&env, "wrong.tsv", tsv(&wrong).as_bytes());
    let ledger = env.dir.path().join("wrong");
    let ledger = ledger.to_str().unwrap();
    init(ledger);
    let err = env
        .run(&[
            "--ledger",
            ledger,
            "import",
            &file,
            "-a",
            "A",
            "--layout",
            &layout("dated"),
        ])
        .fails(1)
        .to_string();
    assert!(
        err.contains("line 5 (row 完了), 平成27年度末: the file says 5, its rows give 1"),
        "{err}"
    );
}

// --------------------------------------------------------------------------- the messages

/// An added column is reported as what it is: a column the layout does not name, with its place and
/// text, not as another column's misplaced header.
#[test]
fn an_added_column_is_named_as_what_it_is() {
    let env = Env::new();
    seed_ledger(&env);
    let mut rows = csv_cells(&env);
    for (i, row) in rows.iter_mut().enumerate() {
        row.push(if i == 0 {
            "理由等（補足）".into()
        } else {
            String::new()
        });
    }
    let file = write(&env, "added.csv", csv_text(&rows).as_bytes());
    let err = env.run(&["import", &file, "-a", "A"]).fails(1).to_string();
    assert!(
        err.contains(
            "line 1: column 10 of the header (\"理由等（補足）\") is not a column of layout hyoka"
        ),
        "{err}"
    );
    assert!(!err.contains("should be"), "{err}");
    // Listed under ignore in a layout of its own, it is read as nothing.
    let own = std::fs::read_to_string(layout("hyoka")).unwrap().replace(
        "remark = \"理由等\"",
        "remark = \"理由等\"\nignore = [\"理由等（補足）\"]",
    );
    let own = write(&env, "own.toml", own.as_bytes());
    let out = env
        .run(&["import", &file, "-a", "A", "--layout", &own])
        .ok()
        .to_string();
    assert!(out.contains("nothing to record"), "{out}");
}

/// A file no known layout reads: the error names each layout and what it looks for, and says how to
/// give one.
#[test]
fn a_file_of_no_known_layout_names_them_all() {
    let env = Env::new();
    let file = write(
        &env,
        "other.tsv",
        "取組\t課\t評点\n広報の充実\t広報課\tA\n".as_bytes(),
    );
    let run = env.run(&["import", &file, "-a", "A"]);
    let err = run.fails(1);
    for name in [
        "hyoka: ",
        "kodaira: a row starting with 項目",
        "kizugawa: ",
        "dated: ",
    ] {
        assert!(err.contains(name), "{name}: {err}");
    }
    assert!(err.contains("--layout FILE"), "{err}");
    assert!(!env.ledger().exists());
}

/// Up to 100 problems are listed, then how many more; the error counts them all.
#[test]
fn a_hundred_problems_are_listed_then_counted() {
    let env = Env::new();
    let mut rows = cells(&[&[
        "分類",
        "番号",
        "項目",
        "主な推進担当課",
        "令和元年度末",
        "フォローアップ対象",
        "理由等",
    ]]);
    for n in 1..=130 {
        rows.push(vec![
            "見出し".into(),
            n.to_string(),
            format!("題{n}"),
            "課".into(),
            "D".into(),
            if n % 2 == 0 {
                "x".into()
            } else {
                String::new()
            },
            String::new(),
        ]);
    }
    let file = write(&env, "many.csv", csv_text(&rows).as_bytes());
    let run = env.run(&["import", &file, "-a", "A"]);
    let err = run.fails(1).to_string();
    assert!(err.starts_with("error: 195 problems in"), "{err}");
    let listed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("problem: line "))
        .collect();
    assert_eq!(listed.len(), 100);
    assert!(
        run.stderr.contains("problem: … and 95 more, not shown"),
        "{}",
        run.stderr
    );
    // In the file's order: line 2's grade, line 3's grade and mark, …
    assert!(
        listed[0].starts_with("problem: line 2, column 5 (令和元年度末): "),
        "{}",
        listed[0]
    );
    assert!(
        listed[2].starts_with(
            "problem: line 3, column 6 (フォローアップ対象): follow-up mark \"x\" is not ○"
        ),
        "{}",
        listed[2]
    );
    assert!(!env.ledger().exists());
}

/// Bad files of every kind: each refused (in one line, or its cells' lines and one), and the ledger
/// unchanged.
#[test]
fn bad_files_of_every_kind_leave_the_ledger_unchanged() {
    let env = Env::new();
    seed_ledger(&env);
    let before = env.snapshot();
    let mut rows = csv_cells(&env);
    rows[5][4] = "X".into();
    rows[9][7] = "x".into();
    let zip_bomb = {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("xl/sharedStrings.xml", options).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..300 {
            w.write_all(&zeros).unwrap();
        }
        w.finish().unwrap().into_inner()
    };
    assert!(zip_bomb.len() < 4 << 20, "{}", zip_bomb.len());
    let empty_book = {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet();
        book.save_to_buffer().unwrap()
    };
    let cases: Vec<(&str, Vec<u8>, Vec<&str>, &str)> = vec![
        (
            "neither.csv",
            b"\x82\xa0,\xff\xfe\xfd\n".to_vec(),
            vec![],
            "is neither UTF-8 text",
        ),
        (
            "broken.xlsx",
            b"PK\x03\x04 not really a zip".to_vec(),
            vec![],
            "cannot be read as an Excel workbook",
        ),
        (
            "old.xls",
            vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            vec![],
            "Excel 97-2003 workbook (.xls)",
        ),
        (
            "named.xlsx",
            b"plain text".to_vec(),
            vec![],
            "not an Excel workbook",
        ),
        (
            "bomb.xlsx",
            zip_bomb,
            vec![],
            "unpacks to more than 256 MiB",
        ),
        (
            "empty.xlsx",
            empty_book,
            vec![],
            "none of the known layouts",
        ),
        ("cells.xlsx", xlsx(&rows, &[]), vec![], "2 problems in"),
        (
            "cells.csv",
            cp932(&csv_text(&rows)),
            vec![],
            "2 problems in",
        ),
        (
            "sheet.xlsx",
            xlsx(&csv_cells(&env), &[]),
            vec!["--sheet", "集計"],
            "the workbook has no sheet \"集計\"; its sheets are \"評価\"",
        ),
        (
            "text.csv",
            csv_text(&csv_cells(&env)).into_bytes(),
            vec!["--sheet", "評価"],
            "the file is text, not a workbook",
        ),
        (
            "point.csv",
            csv_text(&csv_cells(&env)).into_bytes(),
            vec!["--point", "令和元年度末"],
            "a point (令和元年度末) was given, but the header names the point of every grade column",
        ),
        (
            "layout.csv",
            csv_text(&csv_cells(&env)).into_bytes(),
            vec!["--layout", "nowhere"],
            "no known layout of that name; give a layout file",
        ),
        (
            "kizugawa.csv",
            csv_text(&csv_cells(&env)).into_bytes(),
            vec!["--layout", "kizugawa"],
            "no header row found (layout kizugawa expects a row holding 重点改革項目, No., 項目, 所管部署, 評価)",
        ),
    ];
    let bad_layout = write(&env, "bad.toml", b"name = \"x\"\n[columns]\nheading = 1\n");
    let seed_path = seed();
    for (name, bytes, extra, needle) in cases {
        let file = write(&env, name, &bytes);
        let mut args = vec!["import", file.as_str(), "-a", "A"];
        args.extend(extra);
        let run = env.run(&args);
        let err = run.fails(1).to_string();
        assert!(err.contains(needle), "{name}: expected `{needle}` in {err}");
        let problems = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("problem: "))
            .count();
        assert_eq!(
            run.stderr.lines().count(),
            1 + problems + usize::from(run.stderr.contains("notice: ")),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(env.snapshot(), before, "{name} changed the ledger");
    }
    let err = env
        .run(&[
            "import",
            seed_path.to_str().unwrap(),
            "-a",
            "A",
            "--layout",
            &bad_layout,
        ])
        .fails(1)
        .to_string();
    assert!(err.contains("bad.toml: the layout is not valid"), "{err}");
    assert_eq!(env.snapshot(), before);
}

/// The README's example layout, for a sheet of its own, reads the sheet the README shows.
#[test]
fn the_readme_s_layout_reads_its_sheet() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("### Your own sheet").unwrap()..];
    let block = |fence: &str| -> String {
        let start = section.find(fence).unwrap() + fence.len();
        let end = start + section[start..].find("```").unwrap();
        section[start..end].to_string()
    };
    let env = Env::new();
    let layout = write(&env, "my-city.toml", block("```toml\n").as_bytes());
    let sheet: Vec<Vec<String>> = block("```text\n")
        .lines()
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    let file = write(&env, "my-city.xlsx", &xlsx(&sheet, &[]));
    env.run(&[
        "init",
        "--plan",
        "行財政改革実施計画",
        "--grades",
        "S,A,B,C",
        "--cadence",
        "year-end",
        "--era",
        "reiwa",
    ])
    .ok();
    let out = env
        .run(&["import", &file, "-a", "A", "--layout", &layout])
        .ok()
        .to_string();
    assert!(out.contains("layout: my-city"), "{out}");
    let table: Value = json(&env.run(&["table", "--format", "json"]));
    assert_eq!(table["items"].as_array().unwrap().len(), sheet.len() - 2);
}
