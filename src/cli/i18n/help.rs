//! The help of the commands in the chosen language. English is the clap definitions' own text
//! (`args.rs`, `round_args.rs`, `options.rs`); in Japanese each text is replaced, before the arguments
//! are parsed, by the one `help-ja.ftl` gives for it, keyed by the command's path and the argument's
//! id:
//!
//! - `hyoka-rate` the command's `about`; its attributes `.long` (`long_about`, when the English has
//!   one) and `.after` (`after_help`, the examples: their command lines exactly as in English);
//! - `hyoka-rate--item` the argument's help (`.long` its long help, when the English has one); an
//!   argument whose help is the same wherever it appears (`-a`, `-m`, `--key` of a change, the global
//!   options) may have one shared entry instead, `arg--author`;
//! - `value-table-format-csv` a possible value of an option (by its type: `value_enums`).
//!
//! clap's own words are set here too where clap allows it (the headings, `-h`, `-V`, `help`); its
//! annotations (`[default: …]`, `[possible values: …]`) and usage errors stay as clap writes them.
//! The tests fail when a command, argument or value has no Japanese text, or the catalogue has one that
//! names nothing.

use std::any::TypeId;
use std::sync::OnceLock;

use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::{Arg, Command, ValueEnum};
use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;

use super::Lang;

/// The Japanese help.
const HELP_JA: &str = include_str!("help-ja.ftl");

fn bundle() -> &'static FluentBundle<FluentResource> {
    static B: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    B.get_or_init(|| super::new_bundle(HELP_JA, super::langid("ja")))
}

/// The text of `key` (or of its attribute `attr`) in the Japanese help, if it has one.
fn text(key: &str, attr: Option<&str>) -> Option<String> {
    let b = bundle();
    let msg = b.get_message(key)?;
    let pattern = match attr {
        None => msg.value()?,
        Some(a) => msg.get_attribute(a)?.value(),
    };
    let mut errors = Vec::new();
    Some(b.format_pattern(pattern, None, &mut errors).into_owned())
}

/// A text to set, or none (cleared).
fn resettable(s: Option<String>) -> clap::builder::Resettable<clap::builder::StyledStr> {
    match s {
        Some(s) => clap::builder::Resettable::Value(s.into()),
        None => clap::builder::Resettable::Reset,
    }
}

/// The width clap lays the help out in: `COLUMNS` when set, else the terminal's, else 100; at most
/// 100 (`max_term_width` of the definitions), at least 40.
fn help_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .unwrap_or(100)
        .clamp(40, 100)
}

/// The indentation of a help text on the line after its argument or command (`next_line_help`).
const NEXT_LINE_INDENT: usize = 10;

/// Characters that must not start a line (kinsoku), and opening brackets, which must not end one.
const NO_LINE_START: &str =
    "、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ";
const NO_LINE_END: &str = "（「『【〔〈《";

/// `s` broken into lines of at most `width` columns (wider only for a word longer than that): at
/// spaces and between Japanese characters, never inside a word of Latin letters or digits, with closing
/// punctuation kept off the start of a line and opening brackets off its end. clap wraps only at
/// spaces, so Japanese help is wrapped here.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    // Unbreakable pieces, each with whether a space came before it.
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut space = false;
    let mut word = String::new();
    let mut word_space = false;
    fn push(pieces: &mut Vec<(String, bool)>, p: String, sp: bool) {
        let glue = !sp
            && pieces.last().is_some_and(|(last, _): &(String, bool)| {
                p.starts_with(|c| NO_LINE_START.contains(c) || ").,:;!?]".contains(c))
                    || last.ends_with(|c| NO_LINE_END.contains(c) || c == '(')
            });
        match (glue, pieces.last_mut()) {
            (true, Some((last, _))) => last.push_str(&p),
            _ => pieces.push((p, sp)),
        }
    }
    for c in s.chars() {
        if c == ' ' {
            if !word.is_empty() {
                push(&mut pieces, std::mem::take(&mut word), word_space);
            }
            space = true;
        } else if c.width() == Some(2) || NO_LINE_START.contains(c) {
            if !word.is_empty() {
                push(&mut pieces, std::mem::take(&mut word), word_space);
            }
            push(&mut pieces, c.to_string(), space);
            space = false;
        } else {
            if word.is_empty() {
                word_space = space;
                space = false;
            }
            word.push(c);
        }
    }
    if !word.is_empty() {
        push(&mut pieces, word, word_space);
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for (p, sp) in pieces {
        let w = hyoka::views::width::display_width(&p);
        let gap = usize::from(sp && !line.is_empty());
        if !line.is_empty() && used + gap + w > width {
            lines.push(std::mem::take(&mut line));
            used = 0;
        } else if gap == 1 {
            line.push(' ');
            used += 1;
        }
        line.push_str(&p);
        used += w;
    }
    lines.push(line);
    lines
}

/// A text of several lines laid out again at `width`: each paragraph (lines that are neither empty
/// nor indented) joined and wrapped, indented lines (the examples) and empty ones kept as they are.
fn reflow(text: &str, width: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, out: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.extend(wrap(paragraph, width));
            paragraph.clear();
        }
    };
    for line in text.lines() {
        if line.is_empty() || line.starts_with(' ') {
            flush(&mut paragraph, &mut out);
            out.push(line.to_string());
            continue;
        }
        let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_graphic());
        if ascii(paragraph.chars().next_back()) && ascii(line.chars().next()) {
            paragraph.push(' ');
        }
        paragraph.push_str(line);
    }
    flush(&mut paragraph, &mut out);
    out.join("\n")
}

/// `cmd` with its help in `lang` (built: every subcommand, the help flags and the `help` command
/// made, the global options copied into each subcommand).
pub fn localized(mut cmd: Command, lang: Lang) -> Command {
    cmd.build();
    match lang {
        Lang::En => cmd,
        Lang::Ja => japanese(cmd, "hyoka", help_width(), &mut |_| {}),
    }
}

/// The Japanese headings of the help: clap's template with 使い方 for `Usage:`.
const TEMPLATE: &str =
    "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// The key of an argument of the command at `path`: its own, else the shared one.
fn arg_key(path: &str, id: &str) -> (String, String) {
    (format!("{path}--{id}"), format!("arg--{id}"))
}

/// `cmd` (at `path`, e.g. `hyoka-item-add`) and its subcommands in Japanese; `seen` is told every key
/// looked up (for the tests).
/// Each help text is wrapped here to `width` (`wrap`), and every help text is put on the line after
/// its argument or command, so that clap, which wraps only at spaces, has nothing left to wrap.
fn japanese(cmd: Command, path: &str, width: usize, seen: &mut dyn FnMut(&str)) -> Command {
    seen(path);
    let narrow = width - NEXT_LINE_INDENT;
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("コマンド")
        .term_width(width)
        .next_line_help(true);
    if cmd.get_about().is_some()
        && let Some(about) = text(path, None)
    {
        cmd = cmd.about(reflow(&about, narrow));
    }
    if cmd.get_long_about().is_some() {
        cmd = cmd.long_about(resettable(
            text(path, Some("long")).map(|t| reflow(&t, width)),
        ));
    }
    if cmd.get_after_help().is_some() {
        cmd = cmd.after_help(reflow(
            &text(path, Some("after")).unwrap_or_default(),
            width,
        ));
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(&id, |arg| japanese_arg(arg, path, narrow, seen));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        if name == "help" {
            // clap's own `help` command.
            cmd = cmd.mut_subcommand(&name, |s| {
                s.about("このメッセージ、または指定したコマンドのヘルプを表示する")
                    .help_template(TEMPLATE)
            });
            continue;
        }
        let sub_path = format!("{path}-{name}");
        cmd = cmd.mut_subcommand(&name, |s| japanese(s, &sub_path, width, seen));
    }
    cmd
}

/// An argument of the command at `path` in Japanese.
fn japanese_arg(arg: Arg, path: &str, width: usize, seen: &mut dyn FnMut(&str)) -> Arg {
    let id = arg.get_id().to_string();
    let mut arg = match arg.get_index() {
        // In their order: a custom heading would sort them by name.
        Some(i) => arg.help_heading("引数").display_order(i),
        None => arg.help_heading("オプション"),
    };
    match id.as_str() {
        "help" => {
            let long = arg.get_long_help().is_some();
            arg = arg.help(match long {
                true => "ヘルプを表示する (--help で詳しく)",
                false => "ヘルプを表示する",
            });
            if long {
                arg = arg.long_help("ヘルプを表示する (-h で要約)");
            }
            return arg;
        }
        "version" => return arg.help("バージョンを表示する"),
        _ => {}
    }
    let (own, shared) = arg_key(path, &id);
    let key = match text(&own, None) {
        Some(_) => own,
        None => shared,
    };
    if arg.get_help().is_some() {
        seen(&key);
        if let Some(help) = text(&key, None) {
            arg = arg.help(reflow(&help, width));
        }
    }
    if arg.get_long_help().is_some() {
        arg = arg.long_help(resettable(
            text(&key, Some("long")).map(|t| reflow(&t, width)),
        ));
    }
    value_enums(arg, seen)
}

/// An option's possible values with their help in Japanese, by the option's type.
fn value_enums(arg: Arg, seen: &mut dyn FnMut(&str)) -> Arg {
    use super::super::options as o;
    use super::super::round_args::NoticeFormat;
    let ty = arg.get_value_parser().type_id();
    macro_rules! each {
        ($($t:ty => $name:literal),* $(,)?) => {
            $(if ty == TypeId::of::<$t>() {
                return values::<$t>(arg, $name, seen);
            })*
        };
    }
    // An option whose values have help but whose type is not listed here: the tests name it.
    let unlisted = arg
        .get_possible_values()
        .iter()
        .any(|v| v.get_help().is_some());
    each!(
        o::HistoryFormat => "history-format",
        o::LogFormat => "log-format",
        o::TextOrJson => "text-or-json",
        o::TableFormat => "table-format",
        o::SheetFormat => "sheet-format",
        o::CsvEncoding => "csv-encoding",
        o::OnOff => "on-off",
        o::Switch => "switch",
        o::EraArg => "era",
        NoticeFormat => "notice-format",
        o::SummaryFormat => "summary-format",
        o::GroupByArg => "group-by",
        Lang => "lang",
    );
    if unlisted {
        seen(&format!("value-unlisted-{}", arg.get_id()));
    }
    arg
}

/// `arg`, whose values are those of `E`, with each value's help from `value-{name}-{value}`.
fn values<E: ValueEnum + Clone + Send + Sync + 'static>(
    arg: Arg,
    name: &str,
    seen: &mut dyn FnMut(&str),
) -> Arg {
    let values: Vec<PossibleValue> = E::value_variants()
        .iter()
        .filter_map(E::to_possible_value)
        .map(|v| {
            let key = format!("value-{name}-{}", v.get_name());
            if v.get_help().is_none() {
                return v;
            }
            seen(&key);
            match text(&key, None) {
                Some(help) => v.help(help),
                None => v,
            }
        })
        .collect();
    arg.value_parser(Localized::<E> {
        values,
        inner: EnumValueParser::new(),
    })
}

/// The parser of a value enum `E` whose possible values are shown with other help.
#[derive(Clone)]
struct Localized<E: ValueEnum + Clone + Send + Sync + 'static> {
    values: Vec<PossibleValue>,
    inner: EnumValueParser<E>,
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Localized<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        self.inner.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::super::args::Cli;

    /// Every command, argument and value of the English help: (key, English text, attribute) and, for
    /// arguments, their shared key.
    fn english() -> Vec<(String, Option<String>, String)> {
        fn walk(cmd: &Command, path: &str, out: &mut Vec<(String, Option<String>, String)>) {
            if let Some(a) = cmd.get_about() {
                out.push((path.to_string(), None, a.to_string()));
            }
            if let Some(a) = cmd.get_long_about() {
                out.push((path.to_string(), Some("long".into()), a.to_string()));
            }
            if let Some(a) = cmd.get_after_help() {
                out.push((path.to_string(), Some("after".into()), a.to_string()));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                let (own, shared) = arg_key(path, id);
                let key = if text(&own, None).is_some() {
                    own
                } else {
                    shared
                };
                if let Some(h) = arg.get_help() {
                    out.push((key.clone(), None, h.to_string()));
                }
                if let Some(h) = arg.get_long_help() {
                    out.push((key.clone(), Some("long".into()), h.to_string()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                walk(sub, &format!("{path}-{}", sub.get_name()), out);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut out = Vec::new();
        walk(&cmd, "hyoka", &mut out);
        out
    }

    #[test]
    fn the_japanese_help_parses() {
        if let Err((_, errors)) = FluentResource::try_new(HELP_JA.to_string()) {
            panic!("help-ja.ftl does not parse: {errors:?}");
        }
    }

    /// Every text of the English help has its Japanese; a shared entry is shared only by arguments
    /// whose English help is the same.
    #[test]
    fn every_help_text_has_its_japanese() {
        let mut missing = BTreeSet::new();
        let mut shared: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (key, attr, en) in english() {
            if key.starts_with("arg--") {
                shared
                    .entry(format!("{key}{attr:?}"))
                    .or_default()
                    .insert(en.clone());
            }
            if text(&key, attr.as_deref()).is_none_or(|t| t.trim().is_empty()) {
                missing.insert(format!(
                    "{key}{}: {en}",
                    attr.map_or(String::new(), |a| format!(".{a}"))
                ));
            }
        }
        assert!(
            missing.is_empty(),
            "no Japanese help for:\n{}",
            missing.into_iter().collect::<Vec<_>>().join("\n")
        );
        for (key, texts) in shared {
            assert_eq!(
                texts.len(),
                1,
                "{key} is shared by arguments whose English help differs: give each its own entry: {texts:#?}"
            );
        }
    }

    /// The English help that `help-ja.ftl` translates, an entry a line (values too): a change to the
    /// English shows up here as a snapshot diff, so that the Japanese of that key is changed with it.
    #[test]
    fn the_english_help_the_japanese_translates() {
        let mut lines: BTreeSet<String> = english()
            .into_iter()
            .map(|(key, attr, text)| {
                let attr = attr.map_or(String::new(), |a| format!(".{a}"));
                format!("{key}{attr} = {}", text.replace('\n', "\n    "))
            })
            .collect();
        fn values(cmd: &Command, out: &mut BTreeSet<String>) {
            for arg in cmd.get_arguments() {
                for v in arg.get_possible_values() {
                    if let Some(h) = v.get_help() {
                        out.insert(format!("value {} {} = {h}", arg.get_id(), v.get_name()));
                    }
                }
            }
            for sub in cmd.get_subcommands() {
                values(sub, out);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        values(&cmd, &mut lines);
        insta::assert_snapshot!(
            "english_help",
            lines.into_iter().collect::<Vec<_>>().join("\n")
        );
    }

    /// Every possible value with help has its Japanese.
    #[test]
    fn every_value_has_its_japanese() {
        let mut seen = Vec::new();
        let mut cmd = Cli::command();
        cmd.build();
        let _ = japanese(cmd, "hyoka", 100, &mut |k| seen.push(k.to_string()));
        let unlisted: Vec<&String> = seen
            .iter()
            .filter(|k| k.starts_with("value-unlisted-"))
            .collect();
        assert!(
            unlisted.is_empty(),
            "options whose values have help but whose type is not in help::value_enums: {unlisted:?}"
        );
        let values: Vec<&String> = seen.iter().filter(|k| k.starts_with("value-")).collect();
        assert!(values.len() >= 20, "{values:?}");
        for key in values {
            assert!(
                text(key, None).is_some(),
                "no Japanese help for the value {key}"
            );
        }
    }

    /// The catalogue names nothing that is not in the help, so that a renamed command or argument does
    /// not leave its old entry behind.
    #[test]
    fn every_japanese_help_entry_names_something() {
        let mut seen = BTreeSet::new();
        let mut cmd = Cli::command();
        cmd.build();
        let _ = japanese(cmd, "hyoka", 100, &mut |k| {
            seen.insert(k.to_string());
        });
        let resource = FluentResource::try_new(HELP_JA.to_string()).unwrap_or_else(|(r, _)| r);
        let mut stale = Vec::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry
                && !seen.contains(m.id.name)
            {
                stale.push(m.id.name.to_string());
            }
        }
        assert!(
            stale.is_empty(),
            "help-ja.ftl entries that name nothing: {stale:?}"
        );
    }

    /// The examples of the Japanese help are the English ones, command for command.
    #[test]
    fn the_japanese_examples_are_the_english_ones() {
        for (key, attr, en) in english() {
            if attr.as_deref() != Some("after") {
                continue;
            }
            let ja = text(&key, Some("after")).unwrap_or_default();
            let examples = |s: &str| -> Vec<String> {
                s.lines()
                    .filter(|l| l.starts_with("  hyoka "))
                    .map(|l| l.trim().to_string())
                    .collect()
            };
            let (en_lines, ja_lines) = (examples(&en), examples(&ja));
            assert!(!en_lines.is_empty(), "{key}: no example");
            for line in &en_lines {
                let command = line.split("   (").next().unwrap_or(line).trim();
                assert!(
                    ja_lines.iter().any(|j| j.starts_with(command)),
                    "{key}: the Japanese help lacks the example `{command}`"
                );
            }
            assert!(
                ja.contains('例'),
                "{key}: the Japanese examples are not headed 例"
            );
        }
    }

    #[test]
    fn japanese_is_wrapped_between_characters_and_words_never_inside_a_word() {
        let s = "台帳のログ鍵 (秘密鍵)。書き込むコマンドに渡すと、変更のたびに署名付きチェックポイントでアンカーする (既定: DIR.log-key)";
        for width in 10..60 {
            let lines = wrap(s, width);
            for l in &lines {
                assert!(
                    hyoka::views::width::display_width(l) <= width
                        || !l.contains(' ') && l.is_ascii(),
                    "{width}: {lines:#?}"
                );
                assert!(
                    !l.starts_with(['、', '。', ')', '）']),
                    "{width}: {lines:#?}"
                );
                assert!(!l.ends_with(['(', '（']), "{width}: {lines:#?}");
            }
            let joined: String = lines.concat();
            assert_eq!(joined.replace(' ', ""), s.replace(' ', ""), "{width}");
            assert!(
                lines.iter().any(|l| l.contains("DIR.log-key")),
                "a word is never cut: {lines:#?}"
            );
        }
        assert_eq!(wrap("評価 A を記録", 6), ["評価 A", "を記録"]);
        assert_eq!(
            reflow("一行目の\n続き。\n\n  hyoka rate\nabc\ndef", 80),
            "一行目の続き。\n\n  hyoka rate\nabc def"
        );
    }

    /// The Japanese help renders, whole, for every command.
    #[test]
    fn the_japanese_help_renders_for_every_command() {
        fn walk(cmd: &mut Command, n: &mut usize) {
            let help = cmd.render_long_help().to_string();
            assert!(help.contains("使い方:"), "{help}");
            *n += 1;
            for sub in cmd.get_subcommands_mut() {
                if sub.get_name() != "help" {
                    walk(sub, n);
                }
            }
        }
        let mut n = 0;
        walk(&mut localized(Cli::command(), Lang::Ja), &mut n);
        assert!(n > 40, "only {n} commands");
    }
}
