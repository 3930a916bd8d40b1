//! The catalogues against each other and against the code: the same keys with the same placeholders in
//! both, every key the code uses defined, every key defined used; and the choice of the language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast;

use super::*;

/// The messages of a catalogue: key → the variables its text shows.
fn messages(name: &str, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{name} does not parse: {errors:#?}"),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                assert!(m.value.is_some(), "{name}: {} has no text", m.id.name);
                assert!(
                    m.attributes.is_empty(),
                    "{name}: {} has attributes, which messages do not use",
                    m.id.name
                );
                let previous = out.insert(m.id.name.to_string(), vars);
                assert!(previous.is_none(), "{name}: {} is defined twice", m.id.name);
            }
            ast::Entry::Term(t) => panic!("{name}: term -{} (terms are not used)", t.id.name),
            ast::Entry::Junk { content } => panic!("{name}: cannot read {content:?}"),
            _ => {}
        }
    }
    out
}

fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let ast::PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, vars),
        // A variable that only selects a variant (an English plural) need not be in the other language.
        ast::Expression::Select { selector, variants } => {
            if let ast::InlineExpression::VariableReference { id } = selector {
                vars.insert(format!("?{}", id.name));
            }
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
    }
}

fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        ast::InlineExpression::MessageReference { id, .. } => {
            panic!(
                "a message refers to the message {}: write its text",
                id.name
            )
        }
        _ => {}
    }
}

/// Every message exists in both languages, with the same placeholders.
#[test]
fn both_catalogues_have_the_same_messages_and_placeholders() {
    let en = messages("en.ftl", EN);
    let ja = messages("ja.ftl", JA);
    let only_en: Vec<&String> = en.keys().filter(|k| !ja.contains_key(*k)).collect();
    let only_ja: Vec<&String> = ja.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty(),
        "in en.ftl only (translate them): {only_en:?}"
    );
    assert!(only_ja.is_empty(), "in ja.ftl only: {only_ja:?}");
    // What is shown (a variable that only selects a variant, `?name`, need not be in both).
    let shown = |vars: &BTreeSet<String>| -> BTreeSet<String> {
        vars.iter()
            .filter(|v| !v.starts_with('?'))
            .cloned()
            .collect()
    };
    for (key, vars) in &en {
        assert_eq!(
            shown(vars),
            shown(&ja[key]),
            "{key}: en.ftl and ja.ftl show other placeholders"
        );
    }
}

/// The keys of `t!("key", ...)` in the command line's sources (`src/cli/`, `src/main.rs`), with the file each is in.
fn used_keys() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = match dir.is_dir() {
            true => std::fs::read_dir(dir)
                .expect("src/cli")
                .map(|e| e.expect("entry").path())
                .collect(),
            false => vec![dir.to_path_buf()],
        };
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                for (i, _) in text.match_indices("t!(") {
                    // A macro call, not the end of another name (`format!(`, `print!(`).
                    if text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        continue;
                    }
                    // Not in a comment (the docs show how the macro is called).
                    let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
                    if text[line_start..i].trim_start().starts_with("//") {
                        continue;
                    }
                    let rest = text[i + 3..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let key: String = rest.chars().take_while(|c| *c != '"').collect();
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    {
                        out.insert(key, path.display().to_string());
                    }
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    walk(&src.join("cli"), &mut out);
    walk(&src.join("main.rs"), &mut out);
    out
}

/// Every key the code uses is in the catalogues, and every key there is used.
#[test]
fn every_key_used_is_defined_and_every_key_defined_is_used() {
    let en = messages("en.ftl", EN);
    let used = used_keys();
    let undefined: Vec<String> = used
        .iter()
        .filter(|(k, _)| !en.contains_key(*k))
        .map(|(k, f)| format!("{k} ({f})"))
        .collect();
    assert!(
        undefined.is_empty(),
        "used but not in the catalogues: {undefined:?}"
    );
    let unused: Vec<&String> = en.keys().filter(|k| !used.contains_key(*k)).collect();
    assert!(
        unused.is_empty(),
        "in the catalogues but used nowhere: {unused:?}"
    );
}

/// What a message with every placeholder filled says, in both languages: no placeholder left, no
/// Unicode isolation mark, nothing that fails to format.
#[test]
fn every_message_formats_in_both_languages() {
    for (lang, name, source) in [(Lang::En, "en.ftl", EN), (Lang::Ja, "ja.ftl", JA)] {
        for (key, vars) in messages(name, source) {
            let args: Vec<(&'static str, Arg)> = vars
                .iter()
                .map(|v| {
                    (
                        &*v.trim_start_matches('?').to_string().leak(),
                        Arg::from(2u64),
                    )
                })
                .collect();
            let bundle = bundle(lang);
            let pattern = bundle
                .get_message(&key)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{name}: {key}"));
            let mut fluent_args = FluentArgs::new();
            for (n, Arg(v)) in args {
                fluent_args.set(n, v);
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            assert!(errors.is_empty(), "{name}: {key}: {errors:?}");
            assert!(
                !text.chars().any(|c| matches!(c, '\u{2066}'..='\u{2069}')),
                "{name}: {key} has isolation marks"
            );
            assert!(!text.trim().is_empty(), "{name}: {key} is empty");
        }
    }
}

#[test]
fn a_message_is_formatted_with_its_values() {
    let args = || vec![("line", Arg::from("no ledger at l"))];
    assert_eq!(
        message_in(Lang::En, "error-line", args()),
        "error: no ledger at l"
    );
    assert_eq!(
        message_in(Lang::Ja, "error-line", args()),
        "エラー: no ledger at l"
    );
    // No key: the key itself, never a panic.
    assert_eq!(message_in(Lang::Ja, "no-such-key", args()), "no-such-key");
}

#[test]
fn the_language_is_chosen_by_flag_then_variable_then_config_then_locale() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let ja_env = env(&[("LANG", "ja_JP.UTF-8")]);
    assert_eq!(choose(None, None, &ja_env), Lang::Ja);
    assert_eq!(choose(Some("en"), None, &ja_env), Lang::En);
    assert_eq!(choose(None, Some("en"), &ja_env), Lang::En);
    assert_eq!(choose(Some("ja"), None, &env(&[("LANG", "C")])), Lang::Ja);
    assert_eq!(
        choose(
            None,
            Some("en"),
            &env(&[("HYOKA_LANG", "ja"), ("LANG", "C")])
        ),
        Lang::Ja
    );
    assert_eq!(choose(None, Some("ja"), &env(&[("LANG", "C")])), Lang::Ja);
    // POSIX: the first of LC_ALL, LC_MESSAGES, LANG that is set and not empty.
    assert_eq!(
        choose(
            None,
            None,
            &env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")])
        ),
        Lang::En
    );
    assert_eq!(
        choose(
            None,
            None,
            &env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "ja_JP.eucJP"),
                ("LANG", "C")
            ])
        ),
        Lang::Ja
    );
    assert_eq!(
        choose(
            None,
            None,
            &env(&[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "ja_JP.UTF-8")])
        ),
        Lang::En
    );
    assert_eq!(choose(None, None, &env(&[])), Lang::En);
    // A setting that names no language is passed over.
    assert_eq!(
        choose(
            Some("xx"),
            None,
            &env(&[("HYOKA_LANG", "??"), ("LANG", "ja")])
        ),
        Lang::Ja
    );
    for (locale, lang) in [
        ("ja", Lang::Ja),
        ("ja_JP", Lang::Ja),
        ("ja_JP.UTF-8", Lang::Ja),
        ("ja_JP.eucJP", Lang::Ja),
        ("ja_JP.SJIS", Lang::Ja),
        ("JA_jp.utf8", Lang::Ja),
        ("C", Lang::En),
        ("C.UTF-8", Lang::En),
        ("POSIX", Lang::En),
        ("en_US.UTF-8", Lang::En),
        ("jam", Lang::En),
        ("de_DE", Lang::En),
    ] {
        assert_eq!(Lang::of_locale(locale), lang, "{locale}");
    }
}

#[test]
fn the_lang_flag_is_found_before_parsing() {
    let args = |a: &[&str]| -> Vec<std::ffi::OsString> { a.iter().map(|s| s.into()).collect() };
    assert_eq!(
        lang_flag(&args(&["hyoka", "--lang", "ja", "table"])).as_deref(),
        Some("ja")
    );
    assert_eq!(
        lang_flag(&args(&["hyoka", "table", "--lang=en"])).as_deref(),
        Some("en")
    );
    assert_eq!(lang_flag(&args(&["hyoka", "table"])), None);
    assert_eq!(
        lang_flag(&args(&["hyoka", "remark", "1", "--", "--lang"])),
        None
    );
    assert_eq!(lang_flag(&args(&["hyoka", "--lang"])), None);
}
