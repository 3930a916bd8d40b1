//! The JSON of `hyoka table` and `hyoka summary` against `schema/table.schema.json` and
//! `schema/summary.schema.json`.

use hyoka::domain::event::Change;
use hyoka::domain::period::{Part, Period};
use hyoka::domain::provenance::Provenance;
use hyoka::domain::state::State;
use hyoka::import;
use hyoka::views;
use serde_json::{Value, json};

fn load(name: &str) -> Value {
    let path = format!("{}/schema/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub(crate) fn validator(name: &str) -> jsonschema::Validator {
    let schema = load(name);
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{name} is not a valid JSON Schema: {e}");
    }
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).unwrap()
}

pub(crate) fn assert_valid(v: &jsonschema::Validator, instance: &Value) {
    let errors: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn seed_state() -> State {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/kodaira-followup-h26-h27.tsv"
    );
    let bytes = std::fs::read(path).unwrap();
    let prepared =
        import::prepare::prepare(&bytes, "kodaira-followup-h26-h27.tsv", None, None).unwrap();
    let mut state = State::default();
    state
        .apply(&import::plan_for_new_ledger(
            &prepared,
            "plan",
            "example/plan",
        ))
        .unwrap();
    let planned =
        import::plan::plan_changes(&state, &Provenance::default(), &prepared, false).unwrap();
    for c in &planned.changes {
        state.apply(c).unwrap();
    }
    state
}

/// A plan in the Reiwa era with a re-listing, an unrated item and a remark with line breaks.
fn other_state() -> State {
    let p = Period {
        fiscal_year: 2019,
        part: Part::YearEnd,
    };
    let mut state = State::default();
    for c in [
        Change::PlanDefined {
            name: "計画 \"quoted\"".into(),
            grades: vec!["A".into(), "B".into(), "C".into()],
            default_era: None,
            origin: "example/other".into(),
            cadence: Default::default(),
            years: None,
        },
        Change::CategoryAdded { name: "甲".into() },
        Change::ItemRegistered {
            id: hyoka::domain::item_id::ItemId::from_number(1),
            title: "項目".into(),
            department: "課".into(),
            category: "甲".into(),
            relisting_of: None,
            from: None,
            after: None,
        },
        Change::ItemRegistered {
            id: hyoka::domain::item_id::ItemId::from_number(2),
            title: "再掲".into(),
            department: "課".into(),
            category: "甲".into(),
            relisting_of: Some(hyoka::domain::item_id::ItemId::from_number(1)),
            from: None,
            after: None,
        },
        Change::ItemRegistered {
            id: hyoka::domain::item_id::ItemId::from_number(3),
            title: "未評価".into(),
            department: "課".into(),
            category: "甲".into(),
            relisting_of: None,
            from: None,
            after: None,
        },
        Change::RatingRecorded {
            item: hyoka::domain::item_id::ItemId::from_number(1),
            period: p,
            grade: "C".into(),
        },
        Change::RemarkSet {
            item: hyoka::domain::item_id::ItemId::from_number(2),
            period: p,
            text: "一行目\n\t二行目".into(),
        },
        Change::FollowUpSet {
            item: hyoka::domain::item_id::ItemId::from_number(2),
            period: p,
            flagged: true,
        },
    ] {
        state.apply(&c).unwrap();
    }
    state
}

#[test]
fn table_json_matches_its_schema() {
    let v = validator("table.schema.json");
    for state in [seed_state(), other_state(), State::default()] {
        let view = views::table(&state, None);
        assert_valid(&v, &serde_json::to_value(&view).unwrap());
    }
    let seed = serde_json::to_value(views::table(&seed_state(), None)).unwrap();
    assert_eq!(seed["items"].as_array().map(Vec::len), Some(62));
    let other = serde_json::to_value(views::table(&other_state(), None)).unwrap();
    assert_eq!(other["items"][1]["relisting_of"], 1);
    assert_eq!(other["items"][2]["ratings"], json!({}));
}

#[test]
fn summary_json_matches_its_schema() {
    let v = validator("summary.schema.json");
    for state in [seed_state(), other_state(), State::default()] {
        let summary = views::summary(&views::table(&state, None));
        assert_valid(&v, &serde_json::to_value(&summary).unwrap());
    }
    let other = serde_json::to_value(views::summary(&views::table(&other_state(), None))).unwrap();
    assert_eq!(
        other["periods"][0]["counts"],
        json!({"A": 0, "B": 0, "C": 1})
    );
}

#[test]
fn the_schemas_refuse_what_hyoka_never_writes() {
    let table = validator("table.schema.json");
    let good = serde_json::to_value(views::table(&other_state(), None)).unwrap();
    let broken = [
        ("/items/0/ratings/FY2019-YE", json!(3)),
        ("/items/0/number", json!(0)),
        ("/items/0/follow_up", json!("○")),
        ("/periods/0/id", json!("H31年度末")),
    ];
    for (pointer, value) in broken {
        let mut bad = good.clone();
        match bad.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => panic!("no {pointer}"),
        }
        assert!(!table.is_valid(&bad), "{pointer}");
    }
    let mut extra = good.clone();
    extra["items"][0]["extra"] = json!(1);
    assert!(!table.is_valid(&extra));
    let mut missing = good;
    if let Some(item) = missing["items"][0].as_object_mut() {
        item.remove("remark");
    }
    assert!(!table.is_valid(&missing));

    let summary = validator("summary.schema.json");
    assert!(!summary.is_valid(&json!({"periods": [], "follow_up": -1})));
    assert!(summary.is_valid(&json!({"periods": [], "follow_up": 0})));
}

/// Every known layout (fixtures/layouts/) is a layout file of schema/layout.schema.json, and what the
/// schema refuses, hyoka refuses too.
#[test]
fn the_known_layouts_match_the_layout_schema() {
    use hyoka::table::layout::{Layout, known_names};
    let v = validator("layout.schema.json");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/layouts");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = toml::from_str(&text).unwrap();
        assert_valid(&v, &value);
        let layout = Layout::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        names.push(layout.name);
    }
    names.sort();
    let mut known: Vec<String> = known_names().iter().map(|n| n.to_string()).collect();
    known.sort();
    assert_eq!(
        names, known,
        "the files of fixtures/layouts/ are the known layouts"
    );
    let good = "name = \"x\"\n[columns]\nheading = \"見出し\"\nid = \"番号\"\ntitle = \"項目\"\ndepartment = \"課\"\n[points]\nheader = \"{point}\"\n";
    let value: Value = toml::from_str(good).unwrap();
    assert_valid(&v, &value);
    for bad in [
        good.replace("name = \"x\"", "name = \"X Y\""),
        good.replace("id = \"番号\"\n", "item = \"番号\"\n"),
        good.replace("title = \"項目\"\n", ""),
        format!("{good}[cells]\ncolour = true\n"),
        good.replace("heading = \"見出し\"", "heading = { column = 0 }"),
        good.replace("heading = \"見出し\"", "heading = { place = 1 }"),
        format!("{good}[totals]\ncounts_under = \"header\"\n"),
    ] {
        let value: Value = toml::from_str(&bad).unwrap();
        assert!(!v.is_valid(&value), "the schema accepts {bad}");
        assert!(Layout::parse(&bad).is_err(), "hyoka accepts {bad}");
    }
}
