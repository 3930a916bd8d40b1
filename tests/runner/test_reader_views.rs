//! The views cities publish and readers look for: subtotals and shares per heading or department
//! (`summary --by`), a progress scale's bands and average, the changes between two points (`changes`),
//! and follow-up marks that stay visible once a later point is partly rated (`table --marks`).

use serde_json::{Value, json};

use crate::common::Env;
use crate::test_plans::{build_kizugawa, kizugawa_headings};
use crate::test_schema::{assert_valid, validator};

fn json(run: &crate::common::Run) -> Value {
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn seed_env() -> Env {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    env
}

/// Kizugawa's 令和元年度末 page, reproduced from a ledger built through the command line: every
/// heading's S/A/B/C, 評価対象, 対象外 and 合計, and the page's overall shares 0.0 / 46.5 / 48.5 / 5.1.
#[test]
fn kizugawa_by_heading_gives_back_every_figure_of_its_page() {
    let env = Env::new();
    build_kizugawa(&env);
    let summary = json(&env.run(&["summary", "--by", "heading", "--format", "json"]));
    assert_valid(&validator("summary.schema.json"), &summary);
    let ye = &summary["periods"][0];
    assert_eq!(ye["id"], "FY2019-YE");
    let groups = ye["groups"].as_array().unwrap();
    let headings = kizugawa_headings();
    assert_eq!(groups.len(), headings.len());
    for (g, h) in groups.iter().zip(&headings) {
        assert_eq!(g["name"], h.name.as_str());
        assert_eq!(
            g["counts"],
            json!({"S": h.grades[0], "A": h.grades[1], "B": h.grades[2], "C": h.grades[3]}),
            "{}",
            h.name
        );
        assert_eq!(
            (&g["rated"], &g["not_evaluated"], &g["items"]),
            (
                &Value::from(h.rated),
                &Value::from(h.excluded),
                &Value::from(h.total)
            ),
            "{}",
            h.name
        );
    }
    // 協働の市政の推進: 4 A and 2 B of 6 rated.
    assert_eq!(
        groups[0]["percent"],
        json!({"S": 0.0, "A": 66.7, "B": 33.3, "C": 0.0})
    );
    let overall = &ye["overall"];
    assert!(overall.get("name").is_none(), "{overall}");
    assert_eq!(overall["counts"], json!({"S": 0, "A": 46, "B": 48, "C": 5}));
    assert_eq!(
        (
            &overall["rated"],
            &overall["not_evaluated"],
            &overall["items"]
        ),
        (&Value::from(99), &Value::from(13), &Value::from(112))
    );
    // The page's shares, rounded half up to 0.1 (they add up to 100.1).
    assert_eq!(
        overall["percent"],
        json!({"S": 0.0, "A": 46.5, "B": 48.5, "C": 5.1})
    );
    assert_eq!(overall["percent"]["A"].to_string(), "46.5");

    // The text shows the same figures, a line per heading and the whole plan.
    let text = env.run(&["summary", "--by", "heading"]).ok().to_string();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .split_whitespace()
            .skip(name.split_whitespace().count())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("全体"),
        "0 46 48 5 99 13 112 0 0.0 46.5 48.5 5.1",
        "{text}"
    );
    assert_eq!(
        line("1. 協働の市政の推進"),
        "0 4 2 0 6 4 10 0 0.0 66.7 33.3 0.0",
        "{text}"
    );
    assert!(text.contains("令和元年度末 (FY2019-YE)"), "{text}");
    assert!(text.contains("四捨五入"), "{text}");

    // CSV: a row per heading and the overall row, shares with one decimal.
    let csv = env
        .run(&["summary", "--by", "heading", "--format", "csv"])
        .ok()
        .to_string();
    assert!(csv.ends_with("\r\n"), "{csv}");
    let rows: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        rows[0],
        "期間ID,期間,見出し,S,A,B,C,評価対象,対象外,合計,フォロー,S%,A%,B%,C%"
    );
    assert_eq!(rows.len(), 1 + headings.len() + 1);
    assert_eq!(
        rows[rows.len() - 1],
        "FY2019-YE,令和元年度末,全体,0,46,48,5,99,13,112,0,0.0,46.5,48.5,5.1"
    );
    // CSV needs a grouping.
    let e = env
        .run(&["summary", "--format", "csv"])
        .fails(2)
        .to_string();
    assert!(e.contains("--by heading"), "{e}");
}

/// `--by department`: the same shape, a group per department; follow-up items per group and point.
#[test]
fn by_department_counts_follow_up_items_per_group_and_point() {
    let env = seed_env();
    let summary = json(&env.run(&["summary", "--by", "department", "--format", "json"]));
    assert_valid(&validator("summary.schema.json"), &summary);
    let periods = summary["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 3);
    for p in periods {
        let groups = p["groups"].as_array().unwrap();
        let sum = |f: &str| groups.iter().map(|g| g[f].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("items"), p["overall"]["items"].as_u64().unwrap());
        assert_eq!(sum("rated"), p["overall"]["rated"].as_u64().unwrap());
        assert_eq!(p["overall"]["rated"], p["total"]);
        assert_eq!(p["overall"]["counts"], p["counts"]);
    }
    // Only the latest point has follow-up flags: 41 items (item 39 re-lists 27 and counts once).
    assert_eq!(periods[0]["overall"]["follow_up"], 0);
    assert_eq!(periods[2]["overall"]["follow_up"], 41);
    let by_heading = json(&env.run(&["summary", "--by", "heading", "--format", "json"]));
    let follow: Vec<u64> = by_heading["periods"][2]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["follow_up"].as_u64().unwrap())
        .collect();
    // Item 27 and its re-listing 39 stand under two headings: once in each, once overall.
    assert_eq!(follow, [9, 4, 7, 12, 10]);
    // Without --by the JSON is as before: no groups.
    let plain = json(&env.run(&["summary", "--format", "json"]));
    assert!(plain["periods"][0].get("groups").is_none(), "{plain}");
}

/// The seed's changes between 平成26年度末 and 平成27年度上半期: items 6, 10 and 57 went S→A and item
/// 40 A→B (4 worsened), eight items went B→A.
#[test]
fn changes_between_two_points_of_the_seed() {
    let env = seed_env();
    let v = json(&env.run(&["changes", "平成26年度末", "H27上半期", "--format", "json"]));
    assert_valid(&validator("changes.schema.json"), &v);
    assert_eq!(
        v["worsened"],
        json!([
            {"id": "6", "from": "S", "to": "A"},
            {"id": "10", "from": "S", "to": "A"},
            {"id": "40", "from": "A", "to": "B"},
            {"id": "57", "from": "S", "to": "A"},
        ])
    );
    let improved = v["improved"].as_array().unwrap();
    assert_eq!(improved.len(), 8, "{v}");
    assert!(
        improved.iter().all(|m| m["from"] == "B" && m["to"] == "A"),
        "{v}"
    );
    assert_eq!(improved[0], json!({"id": "2", "from": "B", "to": "A"}));
    // 62 rows, one of which (39) re-lists item 27: 61 items, every one in one list.
    let n = |k: &str| v[k].as_array().unwrap().len();
    assert_eq!(n("unchanged"), 49);
    assert_eq!((n("newly_rated"), n("dropped"), n("moved")), (0, 0, 0));
    let per_heading: u64 = v["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["worsened"].as_u64().unwrap())
        .sum();
    assert_eq!(per_heading, 4);
    assert_eq!(v["headings"][0]["name"], "地域協働の推進");
    assert_eq!(
        (&v["headings"][0]["improved"], &v["headings"][0]["worsened"]),
        (&Value::from(3), &Value::from(2))
    );

    let text = env
        .run(&["changes", "平成26年度末", "H27上半期"])
        .ok()
        .to_string();
    assert!(
        text.contains("改善 8  悪化 4  変化なし 49  新たに評価 0  評価なし 0"),
        "{text}"
    );
    assert!(text.contains("40  A → B  補助金の見直し"), "{text}");

    // A later point partly rated: the others dropped out, a new item is newly rated.
    env.run(&["rate", "1", "H27年度末", "S", "-a", "山田", "-m", "年度末"])
        .ok();
    env.run(&[
        "item",
        "add",
        "63",
        "新規",
        "--department",
        "政策課",
        "--category",
        "地域協働の推進",
        "--from",
        "H27年度末",
        "-a",
        "山田",
        "-m",
        "追加",
    ])
    .ok();
    env.run(&["rate", "63", "H27年度末", "B", "-a", "山田", "-m", "年度末"])
        .ok();
    let later = json(&env.run(&["changes", "H27上半期", "H27年度末", "--format", "json"]));
    assert_eq!(
        later["improved"],
        json!([{"id": "1", "from": "A", "to": "S"}])
    );
    assert_eq!(
        later["newly_rated"],
        json!([{"id": "63", "from": null, "to": "B"}])
    );
    assert_eq!(later["dropped"].as_array().unwrap().len(), 60, "{later}");
    assert_eq!(
        later["dropped"][0],
        json!({"id": "2", "from": "A", "to": null})
    );

    // The same point twice, and a point of no plan, are refused.
    let e = env
        .run(&["changes", "H27上半期", "FY2015-H1"])
        .fails(2)
        .to_string();
    assert!(e.contains("the two points are the same"), "{e}");
    env.run(&["changes", "H27上半期", "FY2015-Q3"]).fails(1);
}

/// An outcome scale whose order means nothing: `--moves` lists moves between labels, nothing is
/// called improved or worsened.
#[test]
fn moves_between_labels_on_an_outcome_scale() {
    let env = Env::new();
    env.run(&[
        "init",
        "--plan",
        "集中改革プラン",
        "--grades",
        "完了,一部実施,その他",
        "--cadence",
        "year-end",
        "--era",
        "heisei",
    ])
    .ok();
    for id in ["1", "2", "3"] {
        env.run(&[
            "item",
            "add",
            id,
            "取組",
            "--department",
            "総務課",
            "--category",
            "事務の見直し",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
    }
    for (id, a, b) in [
        ("1", "一部実施", "完了"),
        ("2", "完了", "その他"),
        ("3", "その他", "その他"),
    ] {
        env.run(&["rate", id, "平成18年度", a, "-a", "a", "-m", "m"])
            .ok();
        env.run(&["rate", id, "平成19年度", b, "-a", "a", "-m", "m"])
            .ok();
    }
    let v = json(&env.run(&[
        "changes",
        "平成18年度",
        "平成19年度",
        "--moves",
        "--format",
        "json",
    ]));
    assert_valid(&validator("changes.schema.json"), &v);
    assert_eq!(v["ordered"], false);
    assert_eq!(
        (
            v["improved"].as_array().unwrap().len(),
            v["worsened"].as_array().unwrap().len()
        ),
        (0, 0)
    );
    // Grouped by labels in the scale's order: 完了 → その他 before 一部実施 → 完了.
    assert_eq!(
        v["moved"],
        json!([
            {"id": "2", "from": "完了", "to": "その他"},
            {"id": "1", "from": "一部実施", "to": "完了"},
        ])
    );
    assert_eq!(v["headings"][0]["moved"], 2);
    let text = env
        .run(&["changes", "平成18年度", "平成19年度", "--moves"])
        .ok()
        .to_string();
    assert!(text.contains("変更 2  変化なし 1"), "{text}");
    assert!(!text.contains("改善"), "{text}");
    // Without --moves the scale's order (as given) decides.
    let ordered = json(&env.run(&["changes", "平成18年度", "平成19年度", "--format", "json"]));
    assert_eq!(
        ordered["improved"],
        json!([{"id": "1", "from": "一部実施", "to": "完了"}])
    );
}

/// A plan rated by progress (0–100 %): ratings as typed (`80%`, `８０％`), the summary as its average
/// and five bands instead of 101 columns.
#[test]
fn a_progress_scale_is_summarised_by_average_and_bands() {
    let env = Env::new();
    let out = env
        .run(&[
            "init",
            "--plan",
            "進捗管理",
            "--grades",
            "0-100",
            "--cadence",
            "year-end",
            "--era",
            "reiwa",
        ])
        .ok()
        .to_string();
    assert!(out.contains("grades 0-100 (progress in percent)"), "{out}");
    for (id, rate) in [("1", "100%"), ("2", "８０％"), ("3", "50"), ("4", "10")] {
        env.run(&[
            "item",
            "add",
            id,
            "取組",
            "--department",
            "総務課",
            "--category",
            "行政運営",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
        env.run(&["rate", id, "令和2年度", rate, "-a", "a", "-m", "m"])
            .ok();
    }
    let e = env
        .run(&["rate", "4", "令和2年度", "101%", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(e.contains("not in the plan's scale"), "{e}");
    let table = json(&env.run(&["table", "--format", "json"]));
    assert_eq!(table["items"][1]["ratings"]["FY2020-YE"], "80");
    let s = json(&env.run(&["summary", "--format", "json"]));
    assert_valid(&validator("summary.schema.json"), &s);
    let p = &s["periods"][0];
    assert_eq!(
        p["bands"],
        json!({"100": 1, "75-99": 1, "50-74": 1, "25-49": 0, "0-24": 1})
    );
    assert_eq!(p["average"], 60.0);
    let text = env.run(&["summary"]).ok().to_string();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        [
            "期間", "100", "75-99", "50-74", "25-49", "0-24", "計", "平均%"
        ],
        "{text}"
    );
    assert!(text.lines().nth(1).unwrap().ends_with("4   60.0"), "{text}");
    let grouped = json(&env.run(&["summary", "--by", "heading", "--format", "json"]));
    assert_valid(&validator("summary.schema.json"), &grouped);
    let overall = &grouped["periods"][0]["overall"];
    assert_eq!(overall["average"], 60.0);
    assert_eq!(
        overall["percent"],
        json!({"100": 25.0, "75-99": 25.0, "50-74": 25.0, "25-49": 0.0, "0-24": 25.0})
    );
    // Progress moves up and down by its number.
    env.run(&["rate", "3", "令和3年度", "70", "-a", "a", "-m", "m"])
        .ok();
    env.run(&["rate", "2", "令和3年度", "75", "-a", "a", "-m", "m"])
        .ok();
    let c = json(&env.run(&["changes", "令和2年度", "令和3年度", "--format", "json"]));
    assert_eq!(
        c["improved"],
        json!([{"id": "3", "from": "50", "to": "70"}])
    );
    assert_eq!(
        c["worsened"],
        json!([{"id": "2", "from": "80", "to": "75"}])
    );
}

/// Once a later point has any rating, the follow-up marks and remarks of the earlier one stay shown,
/// and the table says which point they belong to; `--marks` chooses another.
#[test]
fn follow_up_marks_stay_visible_after_a_later_point_is_partly_rated() {
    let env = seed_env();
    env.run(&["rate", "1", "H27年度末", "A", "-a", "山田", "-m", "年度末"])
        .ok();
    let table = json(&env.run(&["table", "--format", "json"]));
    assert_valid(&validator("table.schema.json"), &table);
    assert_eq!(table["marks"], "FY2015-H1");
    let flagged = table["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["follow_up"] == true)
        .count();
    assert_eq!(flagged, 42);
    assert!(
        table["items"][1]["remark"]
            .as_str()
            .unwrap()
            .starts_with("庁内研修")
    );
    let text = env.run(&["table"]).ok().to_string();
    assert!(
        text.contains("フォロー・理由等は平成27年度上半期"),
        "{text}"
    );
    let summary = json(&env.run(&["summary", "--format", "json"]));
    assert_eq!(
        (&summary["follow_up"], &summary["follow_up_period"]),
        (&Value::from(41), &Value::from("FY2015-H1"))
    );
    assert!(
        env.run(&["summary"])
            .ok()
            .contains("フォローアップ対象項目: 41 (平成27年度上半期)")
    );

    // A flag chooses the later point: nothing is marked there yet.
    let later = json(&env.run(&["table", "--marks", "H27年度末", "--format", "json"]));
    assert_eq!(later["marks"], "FY2015-YE");
    assert!(
        later["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["follow_up"] == false)
    );
    let text = env.run(&["table", "--marks", "H27年度末"]).ok().to_string();
    assert!(text.contains("フォロー・理由等は平成27年度末"), "{text}");
    // Once the later point has marks of its own, they are shown.
    env.run(&[
        "flag",
        "1",
        "on",
        "--period",
        "H27年度末",
        "-a",
        "山田",
        "-m",
        "継続",
    ])
    .ok();
    let table = json(&env.run(&["table", "--format", "json"]));
    assert_eq!(table["marks"], "FY2015-YE");
    // As of an earlier point, marks of that time only: none there, so the latest shown point's; a
    // later point's marks are refused.
    let before = json(&env.run(&["table", "--as-of", "H26年度末", "--format", "json"]));
    assert_eq!(before["marks"], "FY2014-YE");
    let e = env
        .run(&["table", "--as-of", "H26年度末", "--marks", "H27上半期"])
        .fails(2)
        .to_string();
    assert!(e.contains("after --as-of 平成26年度末"), "{e}");
    // A table file holds the latest point's marks, as its re-import reads them.
    let e = env
        .run(&["table", "--format", "tsv", "--marks", "H27上半期"])
        .fails(2)
        .to_string();
    assert!(e.contains("TSV or CSV"), "{e}");
}
