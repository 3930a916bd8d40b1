//! Plans of any city (event schema version 2): item ids as cities write them, reporting points in
//! every wording cities use, items that join, leave and merge, and the guard against a typo'd point.
//! Kizugawa's plan is built through the command line from its published figures (`../shared/cities/`)
//! and must give back the page's counts.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::Env;

fn cities() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cities")
}

/// The rows of a TSV of `../shared/cities/` (comments and the header left out), as cells.
fn rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(cities().join(file)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn json(run: &crate::common::Run) -> Value {
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// One heading of Kizugawa's page: its name and its counts.
pub(crate) struct Heading {
    pub(crate) name: String,
    pub(crate) grades: [u64; 4],
    pub(crate) rated: u64,
    pub(crate) excluded: u64,
    pub(crate) total: u64,
}

pub(crate) fn kizugawa_headings() -> Vec<Heading> {
    rows("kizugawa-3rd-r1-yearend.tsv")
        .into_iter()
        .map(|r| {
            let n = |i: usize| r[i].parse::<u64>().unwrap();
            Heading {
                name: r[0].clone(),
                grades: [n(1), n(2), n(3), n(4)],
                rated: n(5),
                excluded: n(6),
                total: n(7),
            }
        })
        .collect()
}

/// Builds Kizugawa's plan at 令和元年度末 through the command line: the items of before the point
/// numbered 1.. in heading order, the five items added at that point (`R1-1` ... `R1-5`, joining
/// there), the page's grades per heading and its 対象外 items (the new items first).
pub(crate) fn build_kizugawa(env: &Env) {
    let w = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-a", "行革推進室", "-m", "令和元年度末の進捗状況"]);
        env.run(&all).ok().to_string()
    };
    env.run(&[
        "init",
        "--plan",
        "第3次木津川市行財政改革行動計画",
        "--grades",
        "S,A,B,C",
        "--cadence",
        "year-end",
        "--era",
        "reiwa",
        "--origin",
        "city.kizugawa.example/reform-3",
    ])
    .ok();
    let headings = kizugawa_headings();
    let new_items = rows("kizugawa-3rd-r1-new-items.tsv");
    let mut number = 0;
    let mut plan: Vec<Vec<String>> = Vec::new(); // the ids of each heading, new items first
    for (h, heading) in headings.iter().enumerate() {
        let new: Vec<&Vec<String>> = new_items
            .iter()
            .filter(|r| r[0] == (h + 1).to_string())
            .collect();
        let mut ids = Vec::new();
        for r in &new {
            ids.push(r[1].clone());
        }
        for _ in 0..heading.total - new.len() as u64 {
            number += 1;
            let id = number.to_string();
            w(&[
                "item",
                "add",
                &id,
                &format!("取組{id}"),
                "--department",
                "行革推進室",
                "--category",
                &heading.name,
            ]);
            ids.push(id);
        }
        for r in new {
            // Added at the point, listed after the heading's items; `令和元年度` is the year-end
            // point of a year-end-only plan.
            let after = number.to_string();
            w(&[
                "item",
                "add",
                &r[1],
                &r[2],
                "--department",
                &r[3],
                "--category",
                &heading.name,
                "--from",
                "令和元年度",
                "--after",
                &after,
            ]);
        }
        plan.push(ids);
    }
    assert_eq!(number, 107);
    let mut first = true;
    for (heading, ids) in headings.iter().zip(&plan) {
        let mut ids = ids.iter();
        for id in ids.by_ref().take(heading.excluded as usize) {
            w(&["item", "exclude", id, "令和元年度末"]);
        }
        for (grade, count) in ["S", "A", "B", "C"].iter().zip(heading.grades) {
            for id in ids.by_ref().take(count as usize) {
                // The page's own wording of the point, then the plan's.
                let point = if first {
                    "令和2年3月31日現在"
                } else {
                    "令和元年度"
                };
                first = false;
                let out = w(&["rate", id, point, grade]);
                assert!(out.contains("令和元年度末: rating"), "{out}");
            }
        }
        assert!(
            ids.next().is_none(),
            "every item of {} is decided",
            heading.name
        );
    }
}

#[test]
fn kizugawas_plan_built_through_the_command_line_gives_back_its_published_counts() {
    let env = Env::new();
    build_kizugawa(&env);
    let summary = json(&env.run(&["summary", "--format", "json"]));
    let ye = &summary["periods"][0];
    assert_eq!(ye["id"], "FY2019-YE", "{summary}");
    assert_eq!(
        ye["counts"],
        serde_json::json!({"S": 0, "A": 46, "B": 48, "C": 5})
    );
    assert_eq!(
        (&ye["total"], &ye["not_evaluated"], &ye["items"]),
        (&Value::from(99), &Value::from(13), &Value::from(112))
    );
    // Per heading, from the table: the page's counts, row for row.
    let table = json(&env.run(&["table", "--format", "json"]));
    let items = table["items"].as_array().unwrap();
    assert_eq!(items.len(), 112);
    for heading in kizugawa_headings() {
        let rows: Vec<&Value> = items
            .iter()
            .filter(|i| i["category"] == heading.name.as_str())
            .collect();
        let grade = |g: &str| {
            rows.iter()
                .filter(|i| i["ratings"]["FY2019-YE"] == g)
                .count() as u64
        };
        let excluded = rows
            .iter()
            .filter(|i| i["not_evaluated"] == serde_json::json!(["FY2019-YE"]))
            .count() as u64;
        assert_eq!(
            (
                [grade("S"), grade("A"), grade("B"), grade("C")],
                rows.len() as u64 - excluded,
                excluded,
                rows.len() as u64
            ),
            (
                heading.grades,
                heading.rated,
                heading.excluded,
                heading.total
            ),
            "{}",
            heading.name
        );
    }
    // Every item has its id as a string; a numeric id also its number.
    for i in items {
        let id = i["id"].as_str().unwrap();
        match id.parse::<u64>() {
            Ok(n) => assert_eq!(i["number"], n, "{i}"),
            Err(_) => assert!(i.get("number").is_none(), "{i}"),
        }
    }
    // The items added at 令和元年度末 are listed after their heading's items, and joined there.
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let at = |id: &str| ids.iter().position(|i| *i == id).unwrap();
    assert_eq!(at("R1-1"), at("9") + 1, "{ids:?}");
    assert_eq!(
        (at("R1-2"), at("R1-3")),
        (at("25") + 1, at("25") + 2),
        "{ids:?}"
    );
    let r11 = &items[at("R1-1")];
    assert_eq!(
        (&r11["from"], &r11["department"]),
        (&Value::from("FY2019-YE"), &Value::from("学研企画課"))
    );
    // As of the point before, the plan had 107 items: none of the R1 items.
    let before = json(&env.run(&["table", "--as-of", "平成30年度", "--format", "json"]));
    let before: Vec<&str> = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(before.len(), 107);
    assert!(before.iter().all(|i| !i.starts_with('R')), "{before:?}");
    // A rating of an item before it joined is refused, saying when it joins.
    let e = env
        .run(&["rate", "R1-1", "平成30年度", "A", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(e.contains("joins the plan at 令和元年度末"), "{e}");
    // The whole history verifies.
    env.run(&["verify"]).ok();
}

/// Every wording of a point the issue names, read as the point it means, each in a plan of the
/// cadence that uses it.
#[test]
fn points_in_every_wording_cities_use() {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    let rate = |item: &str, point: &str| {
        env.run(&["rate", item, point, "B", "-a", "山田", "-m", "報告"])
            .ok()
            .to_string()
    };
    assert!(rate("7", "平成28年3月末現在").contains("item 7 平成27年度末"));
    assert!(rate("7", "平成27年9月末").contains("item 7 平成27年度上半期"));
    assert!(rate("8", "２０１５年度末").contains("item 8 平成27年度末"));
    let log = env.run(&["log", "--format", "jsonl"]);
    let last: Vec<Value> = log
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let periods: Vec<&str> = last[last.len() - 3..]
        .iter()
        .map(|e| e["change"]["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["FY2015-YE", "FY2015-H1", "FY2015-YE"]);
    // A quarter's end is not a point of a half-year plan.
    let e = env
        .run(&["rate", "7", "平成27年12月末", "B", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(
        e.contains("平成27年度第3四半期") && e.contains("上半期"),
        "{e}"
    );

    // A quarterly plan (Miyakojima) reports at 平成18年12月末, and its ids are hierarchies.
    let quarterly = Env::new();
    let q = |args: &[&str]| quarterly.run(args);
    q(&[
        "init",
        "--plan",
        "宮古島市行財政改革",
        "--grades",
        "A,B,C",
        "--cadence",
        "quarterly",
    ])
    .ok();
    q(&[
        "item",
        "add",
        "1-1-1",
        "事務事業の見直し",
        "--department",
        "総務課",
        "--category",
        "1",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let out = q(&["rate", "1-1-1", "平成18年12月末", "A", "-a", "a", "-m", "m"]);
    assert!(
        out.ok().contains("item 1-1-1 平成18年度第3四半期"),
        "{}",
        out.stdout
    );
    let out = q(&[
        "rate",
        "１－１－１",
        "平成19年3月末",
        "A",
        "-a",
        "a",
        "-m",
        "m",
    ]);
    assert!(
        out.ok().contains("item 1-1-1 平成18年度末"),
        "{}",
        out.stdout
    );

    // One result for a whole five-year plan (Kyotanabe).
    let whole = Env::new();
    let k = |args: &[&str]| whole.run(args);
    k(&[
        "init",
        "--plan",
        "京田辺市行財政改革",
        "--grades",
        "完了,一部実施,その他",
        "--cadence",
        "whole-plan",
        "--years",
        "平成18-22年度",
    ])
    .ok();
    k(&[
        "item",
        "add",
        "1",
        "t",
        "--department",
        "d",
        "--category",
        "c",
        "-a",
        "a",
        "-m",
        "m",
    ])
    .ok();
    let out = k(&["rate", "1", "平成18-22年度", "完了", "-a", "a", "-m", "m"]);
    assert!(
        out.ok().contains("平成18-22年度: rating 完了"),
        "{}",
        out.stdout
    );
    let e = k(&["rate", "1", "平成22年度末", "完了", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(e.contains("平成22年度末"), "{e}");

    // An era-less 元年度 is refused, not guessed, in a plan without an era.
    let no_era = Env::new();
    no_era
        .run(&["init", "--plan", "p", "--cadence", "year-end"])
        .ok();
    no_era
        .run(&[
            "item",
            "add",
            "1",
            "t",
            "--department",
            "d",
            "--category",
            "c",
            "-a",
            "a",
            "-m",
            "m",
        ])
        .ok();
    let e = no_era
        .run(&["rate", "1", "元年度", "A", "-a", "a", "-m", "m"])
        .fails(1)
        .to_string();
    assert!(e.contains("era"), "{e}");
}

/// On the seed ledger a typo'd point far ahead (`R7年度上半期` for `H27上半期`) is refused and changes
/// nothing: the table keeps its follow-up marks. Opening a point on purpose takes --new-point.
#[test]
fn a_typod_far_point_is_refused_on_the_seed_ledger() {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    let follow_up = || json(&env.run(&["summary", "--format", "json"]))["follow_up"].clone();
    assert_eq!(follow_up(), 41);
    let events = || env.run(&["log"]).ok().lines().count();
    let before = events();
    for typo in ["R7年度上半期", "H99上半期", "FY2199-YE", "平成28年度末"] {
        let run = env.run(&["rate", "20", typo, "A", "-a", "山田", "-m", "評価"]);
        let e = run.fails(1);
        assert!(
            e.contains(
                "more than one reporting point after the latest rated point 平成27年度上半期"
            ) && e.contains("the next point is 平成27年度末")
                && e.contains("--new-point"),
            "{typo}: {e}"
        );
    }
    assert_eq!(events(), before, "nothing was recorded");
    assert_eq!(follow_up(), 41);
    // The next point is accepted; a point on purpose too, with --new-point.
    env.run(&[
        "rate",
        "20",
        "平成27年度末",
        "A",
        "-a",
        "山田",
        "-m",
        "評価",
    ])
    .ok();
    env.run(&[
        "rate",
        "20",
        "平成29年度末",
        "A",
        "--new-point",
        "-a",
        "山田",
        "-m",
        "評価",
    ])
    .ok();
}

/// 対象外, 集約 and a heading renamed, on the seed ledger: each one event, each shown by the views.
#[test]
fn items_excluded_merged_and_a_heading_renamed() {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    let w = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["-a", "行革推進室", "-m", "計画の見直し"]);
        env.run(&all)
    };
    let events = || env.run(&["log"]).ok().lines().count();
    // 対象外 at a point, with the reason in the history.
    w(&["unrate", "12", "平成27年度上半期"]).ok();
    let out = w(&["item", "exclude", "12", "平成27年度上半期"]);
    assert!(
        out.ok().contains("item 12 平成27年度上半期: 対象外"),
        "{}",
        out.stdout
    );
    let table = json(&env.run(&["table", "--format", "json"]));
    let row = |t: &Value, id: &str| {
        t["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        row(&table, "12")["not_evaluated"],
        serde_json::json!(["FY2015-H1"])
    );
    let text = env.run(&["table", "--full"]);
    assert!(text.ok().contains("対象外"), "{}", text.stdout);
    let history = json(&env.run(&["history", "12", "--format", "json"]));
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            &last["field"],
            &last["new"],
            &last["reason"],
            &last["item"],
            &last["item_id"]
        ),
        (
            &Value::from("not_evaluated"),
            &Value::from(true),
            &Value::from("計画の見直し"),
            &Value::from(12),
            &Value::from("12")
        )
    );
    // 集約: item 25 folded into 24 from 平成27年度末.
    w(&[
        "item",
        "merge",
        "25",
        "--into",
        "24",
        "--from",
        "平成27年度末",
    ])
    .ok();
    let e = w(&["rate", "25", "平成27年度末", "A"]).fails(1).to_string();
    assert!(e.contains("merged into item 24"), "{e}");
    let t = json(&env.run(&["table", "--format", "json"]));
    assert_eq!(
        row(&t, "25")["merged_into"],
        serde_json::json!({"id": "24", "number": 24, "from": "FY2015-YE"})
    );
    // A heading renamed is one event, and every item under it follows.
    let old = row(&t, "1")["category"].as_str().unwrap().to_string();
    let under = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["category"] == old.as_str())
        .count();
    assert!(under > 1);
    let before = events();
    w(&["heading", "rename", &old, "改称後の見出し"]).ok();
    assert_eq!(events(), before + 1);
    let t = json(&env.run(&["table", "--format", "json"]));
    let renamed = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["category"] == "改称後の見出し")
        .count();
    assert_eq!(renamed, under);
    env.run(&["verify"]).ok();
}

/// Who changed an item's first point, its merge and its heading is each said apart; a heading renamed
/// by hand is a conflict for the next import; nothing is left at a point outside an item's time.
#[test]
fn placements_and_renames_are_attributed_to_their_own_events() {
    let env = Env::new();
    env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ])
    .ok();
    let w = |args: &[&str], who: &str, why: &str| {
        let mut all = args.to_vec();
        all.extend(["-a", who, "-m", why]);
        env.run(&all)
    };
    w(
        &[
            "item",
            "add",
            "R1-1",
            "新規",
            "--department",
            "政策課",
            "--category",
            "地域協働の推進",
            "--from",
            "H27上半期",
        ],
        "山田",
        "追加",
    )
    .ok();
    w(
        &["item", "amend", "R1-1", "--from", "H26年度末"],
        "鈴木",
        "開始時期の訂正",
    )
    .ok();
    w(
        &[
            "item",
            "merge",
            "R1-1",
            "--into",
            "24",
            "--from",
            "H27上半期",
        ],
        "田中",
        "集約",
    )
    .ok();
    let diff = json(&env.run(&["diff", "seq:358", "seq:360", "--format", "json"]));
    let by_field = |f: &str| {
        diff["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == f)
            .cloned()
            .unwrap_or_else(|| panic!("{f}: {diff}"))
    };
    assert_eq!(
        (&by_field("from")["author"], &by_field("from")["to"]),
        (&Value::from("鈴木"), &Value::from("FY2014-YE"))
    );
    assert_eq!(by_field("merged_into")["author"], "田中");
    assert_eq!(
        by_field("merged_into")["to"],
        serde_json::json!({"id": "24", "number": 24, "from": "FY2015-H1"})
    );
    let text = env.run(&["history", "R1-1"]);
    assert!(
        text.ok().contains("24に集約 (平成27年度上半期から)"),
        "{}",
        text.stdout
    );

    // A heading renamed: each item's history and the diff name the rename, by whom.
    let before = env.run(&["log"]).ok().lines().count();
    w(
        &["heading", "rename", "地域協働の推進", "市民協働の推進"],
        "佐藤",
        "改称",
    )
    .ok();
    let history = json(&env.run(&["history", "1", "--format", "json"]));
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["field"], &last["old"], &last["new"], &last["author"]),
        (
            &Value::from("category"),
            &Value::from("地域協働の推進"),
            &Value::from("市民協働の推進"),
            &Value::from("佐藤")
        )
    );
    let diff = json(&env.run(&[
        "diff",
        &format!("seq:{}", before - 1),
        &format!("seq:{before}"),
        "--format",
        "json",
    ]));
    let renamed: Vec<&Value> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "category")
        .collect();
    assert!(
        renamed.len() > 1 && renamed.iter().all(|e| e["author"] == "佐藤"),
        "{diff}"
    );
    // The next import of the old table meets a heading changed by hand: a conflict, nothing recorded.
    let events = env.run(&["log"]).ok().lines().count();
    let again = env.run(&[
        "import",
        crate::common::seed().to_str().unwrap(),
        "-a",
        "山田",
    ]);
    assert_ne!(again.code, 0, "{}", again.stdout);
    assert_eq!(env.run(&["log"]).ok().lines().count(), events);

    // 対象外 at a point stops a merge from it, as a rating, a flag or a remark does.
    w(&["unrate", "25", "H27上半期"], "山田", "取消").ok();
    w(
        &["flag", "25", "off", "--period", "H27上半期"],
        "山田",
        "取消",
    )
    .ok();
    w(
        &["remark", "25", "", "--period", "H27上半期"],
        "山田",
        "取消",
    )
    .ok();
    w(&["item", "exclude", "25", "H27上半期"], "山田", "対象外").ok();
    let e = w(
        &["item", "merge", "25", "--into", "24", "--from", "H27上半期"],
        "山田",
        "集約",
    )
    .fails(1)
    .to_string();
    assert!(e.contains("has 対象外 at 平成27年度上半期"), "{e}");
    // The seed's era was guessed to read it, so it is not the plan's: 元年度 is refused, not 平成元年度.
    let e = w(&["rate", "20", "元年度末", "A"], "山田", "評価")
        .fails(1)
        .to_string();
    assert!(e.contains("no era"), "{e}");
}
