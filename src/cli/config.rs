//! The user's config file: hyoka's defaults for the ledger, the person's key, the language, the time
//! zone and the wait, read from `$HYOKA_CONFIG`, else `hyoka/config.toml` in the platform's config
//! directory (`$XDG_CONFIG_HOME/hyoka/config.toml`, else `~/.config/hyoka/config.toml` on Linux).
//!
//! Precedence: a flag wins over its environment variable, which wins over the file, which wins over
//! hyoka's own default. The file's values become the defaults of the arguments clap parses
//! ([`Config::apply`]), so clap keeps the first two steps as it always has. A file that cannot be used
//! is one line naming the file and the key (exit 2); a missing file at the default place is no file.

use std::io::Read;
use std::path::{Path, PathBuf};

use hyoka::domain::text::escape;
use hyoka::domain::when::Zone;

use super::failure::Failure;
use super::i18n::t;

/// The keys a config file may hold, for messages.
pub const KEYS: &str = "ledger, key, language, time_zone, wait";

/// The largest config file read (a config of five keys is far smaller).
const MAX_BYTES: u64 = 64 << 10;

/// The language the config file asks for; the front end that translates messages combines it with
/// `--lang` and the locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// 日本語.
    Ja,
    /// English.
    En,
}

impl Language {
    /// `ja`, `ja_JP.UTF-8`, `日本語`, `japanese` are Japanese; `en`, `en_US`, `english` English.
    pub fn parse(s: &str) -> Option<Language> {
        let s = hyoka::domain::ident::normalize(s.trim()).to_ascii_lowercase();
        let base = s.split(['_', '-', '.', '@']).next().unwrap_or("");
        match base {
            "ja" | "japanese" | "日本語" => Some(Language::Ja),
            "en" | "english" | "英語" => Some(Language::En),
            _ => None,
        }
    }
}

/// What a config file sets (every key optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file read (None: there was none).
    pub file: Option<PathBuf>,
    /// `ledger`: the ledger directory (a relative path is relative to the file's directory).
    pub ledger: Option<PathBuf>,
    /// `key`: the person's private key file, as `--key` or `HYOKA_KEY`.
    pub key: Option<PathBuf>,
    /// `language`: `ja` or `en`.
    pub language: Option<Language>,
    /// `time_zone`: as `--tz` (kept as written; checked when read).
    pub time_zone: Option<String>,
    /// `wait`: seconds to wait for a busy ledger, as `--wait`.
    pub wait: Option<f64>,
}

/// The config file to read: `HYOKA_CONFIG` when set (empty: none), else `hyoka/config.toml` in the
/// platform's config directory. The bool says whether it was named by `HYOKA_CONFIG` (then it must
/// exist).
pub fn location() -> Option<(PathBuf, bool)> {
    match std::env::var_os("HYOKA_CONFIG") {
        Some(v) if v.is_empty() => None,
        Some(v) => Some((PathBuf::from(v), true)),
        None => dirs::config_dir().map(|d| (d.join("hyoka").join("config.toml"), false)),
    }
}

/// Reads the config file ([`location`]); no file at the default place is an empty config.
pub fn load() -> Result<Config, Failure> {
    let Some((path, named)) = location() else {
        return Ok(Config::default());
    };
    let bad = |what: String| Failure::usage(t!("config-bad", file = path.display(), what = what));
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
            return Ok(Config::default());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad(t!("config-no-file")));
        }
        Err(e) => return Err(bad(t!("config-cannot-read", error = super::damage::os(&e)))),
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(t!("config-cannot-read", error = super::damage::os(&e))))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(bad(t!("config-too-big", max = MAX_BYTES)));
    }
    let text = String::from_utf8(bytes).map_err(|_| bad(t!("config-not-utf8")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut config = parse(&text, base).map_err(bad)?;
    config.file = Some(path);
    Ok(config)
}

/// Reads a config file's text; relative paths are taken from `base` (the file's directory), and `~/`
/// from the home directory. Err: what is wrong, naming the line or the key.
pub fn parse(text: &str, base: &Path) -> Result<Config, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("")
            .trim_end_matches('.');
        match line {
            Some(n) => t!("config-toml-line", line = n, message = message),
            None => t!("config-toml", message = message),
        }
    })?;
    let mut config = Config::default();
    for (key, value) in &table {
        let text = |what: &str| -> Result<String, String> {
            match value {
                toml::Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(t!(
                    "config-must-be-text",
                    key = escape(key),
                    what = what,
                    found = found(value)
                )),
            }
        };
        match key.as_str() {
            "ledger" => config.ledger = Some(path_in(&text(&t!("config-a-directory"))?, base)),
            "key" => config.key = Some(path_in(&text(&t!("config-a-key-file"))?, base)),
            "language" => {
                let s = text(&t!("config-ja-or-en"))?;
                config.language = Some(
                    Language::parse(&s)
                        .ok_or_else(|| t!("config-bad-language", found = escape(&s)))?,
                );
            }
            "time_zone" => {
                let s = text(&t!("config-a-time-zone"))?;
                Zone::parse(&s).map_err(|e| format!("`time_zone`: {}", super::errors::time(&e)))?;
                config.time_zone = Some(s);
            }
            "wait" => {
                let secs = match value {
                    toml::Value::Integer(n) => Some(*n as f64),
                    toml::Value::Float(f) => Some(*f),
                    _ => None,
                };
                config.wait = Some(
                    secs.filter(|s| s.is_finite() && *s >= 0.0)
                        .ok_or_else(|| t!("config-bad-wait", found = found(value)))?,
                );
            }
            other => {
                return Err(t!("config-unknown-key", key = escape(other), keys = KEYS));
            }
        }
    }
    Ok(config)
}

/// A value as the messages show it.
fn found(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) if s.trim().is_empty() => t!("config-empty-string"),
        toml::Value::String(s) => format!("\"{}\"", escape(s)),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => t!("config-a-list"),
        toml::Value::Table(_) => t!("config-a-table"),
    }
}

/// A path written in the file: `~/…` from the home directory, a relative one from `base`.
fn path_in(s: &str, base: &Path) -> PathBuf {
    if let Some(rest) = s.strip_prefix("~/")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    let p = PathBuf::from(s);
    match p.is_absolute() {
        true => p,
        false => base.join(p),
    }
}

impl Config {
    /// The argument definitions with the file's values as defaults: `--ledger`, `--wait`, `--tz`, and
    /// every person's `--key` (the arguments that `HYOKA_KEY` sets). Flags and environment variables
    /// still win, as clap reads them first.
    pub fn apply(&self, cmd: clap::Command) -> clap::Command {
        let mut cmd = cmd;
        if let Some(ledger) = &self.ledger {
            let v = ledger.as_os_str().to_owned();
            cmd = cmd.mut_arg("ledger", |a| a.default_value(v));
        }
        if let Some(wait) = self.wait {
            cmd = cmd.mut_arg("wait", |a| a.default_value(wait.to_string()));
        }
        if let Some(tz) = &self.time_zone {
            let tz = tz.clone();
            cmd = cmd.mut_arg("tz", |a| a.default_value(tz));
        }
        match &self.key {
            Some(key) => with_key_default(cmd, key.as_os_str()),
            None => cmd,
        }
    }
}

/// Sets `key` as the default of every argument `HYOKA_KEY` sets, in `cmd` and its subcommands.
fn with_key_default(cmd: clap::Command, key: &std::ffi::OsStr) -> clap::Command {
    let key = key.to_owned();
    let k = key.clone();
    cmd.mut_args(
        move |a| match a.get_env() == Some(std::ffi::OsStr::new("HYOKA_KEY")) {
            true => a.default_value(k.clone()),
            false => a,
        },
    )
    .mut_subcommands(move |sub| with_key_default(sub, &key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Config, String> {
        parse(text, Path::new("/etc/hyoka"))
    }

    #[test]
    fn every_key_is_read() {
        let c = read(
            "ledger = \"plan\"\nkey = \"/keys/me.key\"\nlanguage = \"ja\"\ntime_zone = \"UTC\"\nwait = 2.5\n",
        )
        .unwrap();
        assert_eq!(c.ledger, Some(PathBuf::from("/etc/hyoka/plan")));
        assert_eq!(c.key, Some(PathBuf::from("/keys/me.key")));
        assert_eq!(c.language, Some(Language::Ja));
        assert_eq!(c.time_zone.as_deref(), Some("UTC"));
        assert_eq!(c.wait, Some(2.5));
        assert_eq!(read("wait = 3").unwrap().wait, Some(3.0));
        assert_eq!(read("").unwrap(), Config::default());
        assert_eq!(
            read("language = \"en_US.UTF-8\"").unwrap().language,
            Some(Language::En)
        );
    }

    #[test]
    fn a_bad_file_is_one_line_naming_the_key() {
        for (text, want) in [
            (
                "timezone = \"UTC\"",
                "unknown key `timezone`; the keys are ledger, key, language, time_zone, wait",
            ),
            (
                "wait = \"ten\"",
                "`wait` must be a number of seconds, 0 or more, without quotes (found \"ten\")",
            ),
            (
                "wait = -1",
                "`wait` must be a number of seconds, 0 or more, without quotes (found -1)",
            ),
            (
                "time_zone = \"Mars/Olympus\"",
                "`time_zone`: unknown time zone `Mars/Olympus`: write Asia/Tokyo (or JST), UTC, an offset such as +09:00 or -05:00, or another IANA zone name",
            ),
            (
                "language = \"fr\"",
                "`language` must be ja or en (found \"fr\")",
            ),
            (
                "ledger = 3",
                "`ledger` must be a directory in quotes (found 3)",
            ),
            (
                "key = \"\"",
                "`key` must be a private key file in quotes (found an empty string)",
            ),
        ] {
            assert_eq!(read(text).unwrap_err(), want, "{text}");
        }
        let syntax = read("ledger = \"a\"\nwait = \n").unwrap_err();
        assert!(syntax.starts_with("line 2: "), "{syntax}");
        assert!(!syntax.contains('\n'), "{syntax}");
    }
}
