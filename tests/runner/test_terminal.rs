//! The audit views on a terminal: they fit its width (East Asian width, either rule for the characters
//! of ambiguous width), and long output goes through a pager only when stdout is a terminal (run here
//! under `script`, which gives the command a pseudo-terminal).

use hyoka::views::width::{display_width, set_ambiguous_wide};

use crate::common::{Env, seed};

/// The seed, a correction and a rating changed and changed back.
fn corrected() -> Env {
    let env = Env::new();
    env.run(&["import", seed().to_str().unwrap(), "-a", "山田"])
        .ok();
    for (grade, why) in [
        ("A", "所管課からの報告により訂正"),
        ("B", "入力誤り"),
        ("A", "入力誤りの取り消し"),
    ] {
        env.run(&["rate", "12", "H27上半期", grade, "-a", "鈴木", "-m", why])
            .ok();
    }
    env.run(&["flag", "5", "off", "-a", "佐藤", "-m", "フォローアップ完了"])
        .ok();
    env
}

const VIEWS: &[&[&str]] = &[
    &["history", "12"],
    &["history", "--all"],
    &["blame"],
    &["blame", "--period", "H27上半期"],
    &["diff", "H26年度末", "H27上半期"],
    &["diff", "seq:357", "seq:361", "--every"],
    &["log"],
];

fn widest(text: &str) -> usize {
    text.lines().map(display_width).max().unwrap_or(0)
}

#[test]
fn audit_views_fit_80_and_120_columns() {
    let env = corrected();
    for width in [80u16, 120] {
        env.columns(width);
        for args in VIEWS {
            let out = env.run(args).ok().to_string();
            let mut with = args.to_vec();
            with.push("--no-pager");
            assert_eq!(
                env.run(&with).ok(),
                out,
                "--no-pager changes nothing when piped"
            );
            assert!(out.lines().count() > 1, "{args:?}: {out}");
            assert!(
                widest(&out) <= usize::from(width),
                "{args:?} at {width}: a line of {} columns\n{out}",
                widest(&out)
            );
        }
    }
    // Without a width (a pipe), and with --full, nothing is fitted.
    env.columns(80);
    let full = env.run(&["history", "12", "--full"]).ok().to_string();
    assert!(full.contains("所管課からの報告により訂正"), "{full}");
    let log = env.run(&["log", "--full"]).ok().to_string();
    assert!(widest(&log) > 80, "log --full keeps lines whole");
    let fitted = env.run(&["log"]).ok().to_string();
    for (a, b) in log.lines().zip(fitted.lines()) {
        // The seq at the start and the hash at the end stay whole.
        assert_eq!(a.split(' ').next(), b.split(' ').next());
        assert_eq!(a.rsplit(' ').next(), b.rsplit(' ').next(), "{b}");
    }
}

/// In Japanese, whose labels are wide, the views fit 80 and 120 columns too; at 80 a change takes two
/// lines (who and when, then what and why, indented), so that the reason of a correction is read whole;
/// at 120 one line a change, the reason given at least 20 columns.
#[test]
fn audit_views_fit_80_and_120_columns_in_japanese() {
    let env = corrected();
    let reason = "所管課からの報告により訂正";
    for width in [80u16, 120] {
        env.columns(width);
        for args in VIEWS {
            let mut ja = vec!["--lang", "ja", "--no-pager"];
            ja.extend_from_slice(args);
            let out = env.run(&ja).ok().to_string();
            assert!(out.lines().count() > 1, "{args:?}: {out}");
            assert!(
                widest(&out) <= usize::from(width),
                "{args:?} at {width}: a line of {} columns\n{out}",
                widest(&out)
            );
        }
        let history = env
            .run(&["--lang", "ja", "history", "12", "--period", "H27上半期"])
            .ok()
            .to_string();
        let lines: Vec<&str> = history.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with("#358 "))
            .unwrap_or_else(|| panic!("no #358 in\n{history}"));
        match width {
            80 => {
                // The correction's second line, indented: the point, old → new and the whole reason.
                let second = lines.get(at + 1).copied().unwrap_or_default();
                assert!(second.starts_with("    平成27年度上半期  "), "{history}");
                assert!(second.contains("B → A"), "{history}");
                assert!(second.ends_with(reason), "{history}");
                assert!(!lines[at].contains(reason), "{history}");
            }
            _ => {
                // One line: at least 20 columns of the reason (cut with `…` if longer).
                let line = lines[at];
                assert!(line.contains("B → A"), "{history}");
                let shown = &line[line.rfind("  ").map_or(0, |i| i + 2)..];
                assert!(
                    reason.starts_with(shown.trim_end_matches('…')),
                    "{shown}: {history}"
                );
                assert!(display_width(shown) >= 20, "{shown}: {history}");
            }
        }
    }
}

/// The display column at which `needle` starts in `line`, by the calling thread's width rule.
fn column_of(line: &str, needle: char) -> Option<usize> {
    line.find(needle).map(|i| display_width(&line[..i]))
}

#[test]
fn ambiguous_characters_are_laid_out_for_the_terminal_that_draws_them() {
    let env = corrected();
    // At 80 columns each change takes two lines; each layout fits under its own rule.
    env.columns(80);
    for (args, wide) in [
        (&["blame"][..], false),
        (&["blame", "--ambiguous-width", "2"], true),
    ] {
        let out = env.run(args).ok().to_string();
        set_ambiguous_wide(wide);
        assert!(widest(&out) <= 80, "{args:?}: {out}");
        set_ambiguous_wide(false);
    }
    // At 120 one line a change: blame's value column holds ○ (a follow-up flag); the seq column after
    // it starts with `#`.
    env.columns(120);
    let narrow = env.run(&["blame"]).ok().to_string();
    let wide = env
        .run(&["blame", "--ambiguous-width", "2"])
        .ok()
        .to_string();
    assert!(narrow.contains('○') && wide.contains('○'));
    let aligned = |text: &str| -> bool {
        let cols: std::collections::BTreeSet<Option<usize>> =
            text.lines().skip(1).map(|l| column_of(l, '#')).collect();
        cols.len() == 1
    };
    // Each output is aligned under its own rule, and only under it.
    set_ambiguous_wide(false);
    assert!(aligned(&narrow), "{narrow}");
    assert!(!aligned(&wide), "{wide}");
    assert!(widest(&narrow) <= 120);
    set_ambiguous_wide(true);
    assert!(aligned(&wide), "{wide}");
    assert!(!aligned(&narrow));
    assert!(widest(&wide) <= 120, "{wide}");
    set_ambiguous_wide(false);
    // The setting also comes from the environment; a bad one is a usage error.
    let r = env.run(&["blame", "--ambiguous-width", "3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Runs `hyoka ARGS` in a pseudo-terminal (util-linux `script`), with `PAGER` set.
fn on_a_terminal(env: &Env, pager: &str, args: &str) -> std::process::Output {
    let hyoka = assert_cmd::cargo::cargo_bin("hyoka");
    std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", hyoka.display()), "/dev/null"])
        .env("HYOKA_LEDGER", env.ledger())
        .env("PAGER", pager)
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .env_remove("COLUMNS")
        .current_dir(env.dir.path())
        .output()
        .expect("script (util-linux) runs")
}

#[test]
fn long_output_goes_through_the_pager_on_a_terminal_only() {
    let env = corrected();
    let paged = env.dir.path().join("paged.txt");
    // The pager writes a file and renames it when its input ends: hyoka waits for it before exiting.
    let pager = "cat > paged.tmp && mv paged.tmp paged.txt";
    let out = on_a_terminal(&env, pager, "history 12");
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&paged).expect("the pager got the output");
    assert!(text.contains("所管課からの報告により訂正"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("所管課からの報告"));
    std::fs::remove_file(&paged).unwrap();

    // --no-pager, PAGER=cat and a command that is not a view: straight to the terminal.
    for (pager, args) in [
        (pager, "history 12 --no-pager"),
        ("cat", "history 12"),
        (pager, "verify"),
    ] {
        let out = on_a_terminal(&env, pager, args);
        assert!(out.status.success(), "{args}: {out:?}");
        assert!(!paged.exists(), "{args} was paged");
        assert!(!String::from_utf8_lossy(&out.stdout).is_empty());
    }
    // Piped: never paged.
    let r = env.run(&["history", "12"]);
    assert!(r.ok().contains("所管課からの報告により訂正"));
    assert!(!paged.exists());
    // Errors are not paged: they reach the terminal, and the exit code is the command's.
    let out = on_a_terminal(&env, pager, "history 999");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("there is no item 999"));
}
