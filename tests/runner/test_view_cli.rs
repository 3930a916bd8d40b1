//! `hyoka table` and `hyoka summary` on a ledger imported from the seed table.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/kodaira-followup-h26-h27.tsv"
);

/// A ledger holding the seed table, in a temporary directory.
fn seed_ledger() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger");
    let bytes = std::fs::read(SEED).unwrap();
    let req = hyoka::import::Request {
        bytes: (&bytes[..]).into(),
        file_name: "kodaira-followup-h26-h27.tsv",
        layout: None,
        sheet: None,
        point: None,
        era: None,
        plan: Some("第2次行財政改革推進プラン".into()),
        origin: Some("city.kodaira.example/reform-plan-2".into()),
        prefer_file: false,
        dry_run: false,
        new_point: false,
        signer: None,
        author: "test".into(),
        reason: None,
        recorded_at: 1_700_000_000_000_000_000,
    };
    hyoka::import::import(&ledger, req, hyoka::Access::default()).unwrap();
    (dir, ledger)
}

fn hyoka(ledger: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hyoka").unwrap();
    // Another test's child may hold an inherited copy of the lock for an instant (between its fork and
    // its exec): wait for it rather than fail as busy.
    cmd.env_remove("HYOKA_LEDGER")
        .env("HYOKA_WAIT", "5")
        // English messages whatever the machine's locale (as tests/common pins them).
        .env("LC_ALL", "C.UTF-8")
        .env_remove("HYOKA_LANG")
        .arg("--ledger")
        .arg(ledger);
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn table_formats() {
    let (_dir, ledger) = seed_ledger();
    let text = stdout(hyoka(&ledger).arg("table"));
    assert!(
        text.starts_with("第2次行財政改革推進プラン  平成26年度上半期〜平成27年度上半期  62項目\n")
    );
    assert!(
        text.lines()
            .all(|l| hyoka::views::width::display_width(l) <= 80)
    );
    assert!(text.contains("■ 地域協働の推進"));

    let json = stdout(hyoka(&ledger).args(["table", "--format", "json"]));
    assert_eq!(json.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["items"].as_array().map(Vec::len), Some(62));
    assert_eq!(v["periods"][0]["id"], "FY2014-H1");

    let csv = stdout(hyoka(&ledger).args(["table", "--format", "csv"]));
    assert!(csv.starts_with("\u{FEFF}分類,番号,項目,主な推進担当課,平成26年度上半期,"));
    let csv = stdout(hyoka(&ledger).args(["table", "--format", "csv", "--no-bom"]));
    assert!(csv.starts_with("分類,"));

    let tsv = stdout(hyoka(&ledger).args(["table", "--format", "tsv"]));
    assert!(tsv.starts_with("項目\t主な推進担当課\t平成26年度\t\t平成27年度\t"));

    let md = stdout(hyoka(&ledger).args(["table", "--format", "md"]));
    assert!(md.starts_with("# 第2次行財政改革推進プラン\n"));
}

#[test]
fn table_to_a_file_re_imports_without_changes() {
    let (dir, ledger) = seed_ledger();
    for (format, name) in [("tsv", "out.tsv"), ("csv", "out.csv")] {
        let file = dir.path().join(name);
        let printed = stdout(
            hyoka(&ledger)
                .args(["table", "--format", format, "--output"])
                .arg(&file),
        );
        assert!(printed.is_empty());
        let bytes = std::fs::read(&file).unwrap();
        let req = hyoka::import::Request {
            bytes: (&bytes[..]).into(),
            file_name: name,
            layout: None,
            sheet: None,
            point: None,
            era: None,
            plan: None,
            origin: None,
            prefer_file: false,
            dry_run: true,
            new_point: false,
            signer: None,
            author: "test".into(),
            reason: None,
            recorded_at: 1_700_000_000_000_000_000,
        };
        let report = hyoka::import::import(&ledger, req, hyoka::Access::default()).unwrap();
        assert_eq!(report.count, 0, "{format}: {:?}", report.kinds);
        assert!(report.conflicts.is_empty());
    }
}

#[test]
fn summary_formats() {
    let (_dir, ledger) = seed_ledger();
    let text = stdout(hyoka(&ledger).arg("summary"));
    assert!(
        text.contains("平成26年度末        3   49   10   62\n"),
        "{text}"
    );
    assert!(text.ends_with("フォローアップ対象項目: 41 (平成27年度上半期)\n"));
    let json = stdout(hyoka(&ledger).args(["summary", "--format", "json"]));
    assert_eq!(json.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["follow_up"], 41);
    assert_eq!(v["periods"][1]["counts"]["B"], 10);
}

#[test]
fn a_missing_ledger_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = hyoka(&dir.path().join("none"))
        .arg("table")
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
}
