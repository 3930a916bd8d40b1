//! The command line's words in Japanese and English: one message catalogue per language (Project
//! Fluent, `en.ftl` and `ja.ftl` beside this file, built into the binary), the language chosen once at
//! start ([`choose`]), and [`t!`], which every sentence the command line prints is made with. The help
//! of the commands is localized apart (`help.rs`: English is the clap definitions' own text, Japanese
//! is `help-ja.ftl`).
//!
//! How to add a message: write it once in `en.ftl` and once in `ja.ftl`, under its command's group,
//! with the same key and the same `{ $name }` placeholders, then call `t!("key", name = value)` where
//! the sentence is made. The tests fail when a key is in one file only, when the two differ in their
//! placeholders, when a key used in `src/cli/` is in neither, or when a key is used nowhere. User
//! text passed in is escaped by the caller as before (`text::escape`); machine formats (JSON, CSV,
//! TSV, the export, `log --format jsonl`) never go through here.
//!
//! Invariants: the language is chosen before the arguments are parsed (from the arguments and the
//! environment, then with the config file's `language`) and never changes after; no
//! Unicode bidi isolation marks are added around placeables (`set_use_isolating(false)`), so nothing
//! invisible reaches a terminal; a message that cannot be found or formatted never panics (its key is
//! printed instead, and the tests keep that from happening).

mod help;

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use help::localized as localized_command;

/// The English catalogue.
const EN: &str = include_str!("en.ftl");
/// The Japanese catalogue.
const JA: &str = include_str!("ja.ftl");

/// A language of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Lang {
    /// The language a locale name (`ja_JP.UTF-8`, `ja`, `C`, `en_US`) means: Japanese for `ja` and its
    /// regional and encoding forms, English for anything else (`C`, `POSIX`, other languages).
    pub fn of_locale(locale: &str) -> Lang {
        let lang = locale.split(['_', '.', '@', '-']).next().unwrap_or("");
        match lang.eq_ignore_ascii_case("ja") {
            true => Lang::Ja,
            false => Lang::En,
        }
    }

    /// The language a setting names (`--lang`, `HYOKA_LANG`, the config file): `ja` or `en`, or a
    /// locale name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        let lang = s.split(['_', '.', '@', '-']).next().unwrap_or("");
        match lang.to_ascii_lowercase().as_str() {
            "ja" | "japanese" | "日本語" => Some(Lang::Ja),
            "en" | "english" | "c" | "posix" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The language the command line speaks, from the first of: `--lang` (`flag`, as typed), the
/// variable `HYOKA_LANG`, the config file's `language` (`configured`), then the locale as POSIX
/// reads it for messages: the first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and not empty.
/// A setting that names no language is passed over. `var` reads a variable (the process environment
/// in `main`, a table in tests).
pub fn choose(
    flag: Option<&str>,
    configured: Option<&str>,
    var: &dyn Fn(&str) -> Option<String>,
) -> Lang {
    let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    if let Some(lang) = flag.and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = set(var("HYOKA_LANG")).as_deref().and_then(Lang::parse) {
        return lang;
    }
    if let Some(lang) = configured.and_then(Lang::parse) {
        return lang;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| set(var(name)))
        .map_or(Lang::En, |locale| Lang::of_locale(&locale))
}

/// The value of `--lang` among the arguments, read before clap parses them so that the help it
/// prints is already in that language: `--lang X` or `--lang=X`, before a `--`.
pub fn lang_flag(args: &[std::ffi::OsString]) -> Option<String> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().map(Cow::into_owned);
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return Some(v.to_string());
        }
    }
    None
}

/// The language chosen: 0 none yet (English), 1 English, 2 Japanese.
static LANG: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Sets the language, at start: once from the arguments and the environment, so that what reading the
/// config file says is in that language, then again with the config file's `language`, before the
/// arguments are parsed; never after.
pub fn set(lang: Lang) {
    let n = match lang {
        Lang::En => 1,
        Lang::Ja => 2,
    };
    LANG.store(n, std::sync::atomic::Ordering::Relaxed);
}

/// The language chosen at start (English where none was, as in unit tests).
pub fn lang() -> Lang {
    #[cfg(test)]
    if let Some(lang) = TEST_LANG.with(std::cell::Cell::get) {
        return lang;
    }
    match LANG.load(std::sync::atomic::Ordering::Relaxed) {
        2 => Lang::Ja,
        _ => Lang::En,
    }
}

#[cfg(test)]
thread_local! {
    /// The language of this test thread, set by [`in_lang`].
    static TEST_LANG: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with the messages of this thread in `lang` (unit tests run in parallel threads: the
/// process's language is never set by them).
#[cfg(test)]
pub fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let before = TEST_LANG.with(|l| l.replace(Some(lang)));
    let out = f();
    TEST_LANG.with(|l| l.set(before));
    out
}

/// The catalogue of `lang`, parsed once.
fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    static EN_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    static JA_BUNDLE: OnceLock<FluentBundle<FluentResource>> = OnceLock::new();
    let (cell, source, id) = match lang {
        Lang::En => (&EN_BUNDLE, EN, langid("en")),
        Lang::Ja => (&JA_BUNDLE, JA, langid("ja")),
    };
    cell.get_or_init(|| new_bundle(source, id))
}

/// The language identifier `id` (`en`, `ja`).
fn langid(id: &str) -> unic_langid::LanguageIdentifier {
    id.parse().unwrap_or_default()
}

/// A bundle of one catalogue's text: what parses of it (the tests require all of it to).
fn new_bundle(source: &str, id: unic_langid::LanguageIdentifier) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    // A key defined twice keeps its first definition (the tests refuse duplicates).
    let _ = bundle.add_resource(resource);
    bundle
}

/// A value passed into a message: a number (which English plurals select on) or text.
pub struct Arg(FluentValue<'static>);

/// Numbers above this are passed as text: a Fluent number is an `f64`.
const EXACT: u64 = 1 << 53;

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                match u64::try_from(n) {
                    Ok(u) if u > EXACT => Arg(FluentValue::from(n.to_string())),
                    _ => Arg(FluentValue::from(n)),
                }
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64);

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg(FluentValue::from(s.to_string()))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg(FluentValue::from(s))
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg(FluentValue::from(s.clone()))
    }
}

impl From<Cow<'_, str>> for Arg {
    fn from(s: Cow<'_, str>) -> Arg {
        Arg(FluentValue::from(s.into_owned()))
    }
}

impl From<std::path::Display<'_>> for Arg {
    fn from(p: std::path::Display<'_>) -> Arg {
        Arg(FluentValue::from(p.to_string()))
    }
}

/// The message `key` of the chosen language with `args` in its placeholders.
pub fn message(key: &str, args: Vec<(&'static str, Arg)>) -> String {
    message_in(lang(), key, args)
}

/// The message `key` of `lang` with `args` in its placeholders; the key itself if there is none (the
/// tests keep that from happening).
pub fn message_in(lang: Lang, key: &str, args: Vec<(&'static str, Arg)>) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, Arg(value)) in args {
        fluent_args.set(name, value);
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned()
}

/// A sentence of the command line in the chosen language: `t!("key")` or `t!("key", name = value,
/// ...)`, each value a number, text or a path's `display()`.
macro_rules! t {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::cli::i18n::message(
            $key,
            vec![$((stringify!($name), $crate::cli::i18n::Arg::from($value))),*],
        )
    };
}
pub(crate) use t;

#[cfg(test)]
mod tests;
