//! Usage errors (a mistyped command, an unknown flag, a missing argument) in Japanese. clap words them
//! in English only; in English its own words are kept, and in Japanese the same facts, read from the
//! error's context, are worded from the catalogue, with clap's usage line and where the help is.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use super::i18n::{Lang, t};

/// The Japanese of a usage error, or `None` where clap's own output stays (help, version, English).
pub fn japanese(e: &clap::Error, lang: Lang) -> Option<String> {
    if lang != Lang::Ja {
        return None;
    }
    let get = |k: ContextKind| -> String {
        match e.get(k) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join(", "),
            Some(ContextValue::StyledStr(s)) => s.to_string(),
            Some(ContextValue::StyledStrs(v)) => v
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Some(ContextValue::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let what = match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => return None,
        ErrorKind::InvalidSubcommand => t!(
            "usage-invalid-subcommand",
            name = get(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::UnknownArgument => t!(
            "usage-unknown-argument",
            name = get(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue => t!(
            "usage-invalid-value",
            arg = get(ContextKind::InvalidArg),
            value = get(ContextKind::InvalidValue)
        ),
        ErrorKind::ValueValidation => t!(
            "usage-value-validation",
            arg = get(ContextKind::InvalidArg),
            value = get(ContextKind::InvalidValue),
            why = e.source().map(|s| s.to_string()).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => t!(
            "usage-missing-argument",
            names = get(ContextKind::InvalidArg)
        ),
        ErrorKind::MissingSubcommand => t!("usage-missing-subcommand"),
        ErrorKind::ArgumentConflict => t!(
            "usage-argument-conflict",
            arg = get(ContextKind::InvalidArg),
            other = get(ContextKind::PriorArg)
        ),
        _ => t!("usage-other", arg = get(ContextKind::InvalidArg)),
    };
    let mut out = t!("error-line", line = what);
    let quote = |s: String| -> String {
        s.split(", ")
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let valid = get(ContextKind::ValidValue);
    if !valid.is_empty() {
        out.push_str(&format!(
            "\n  {}",
            t!("usage-valid-values", values = quote(valid))
        ));
    }
    for k in [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg] {
        let s = get(k);
        if !s.is_empty() {
            out.push_str(&format!(
                "\n  {}",
                t!("usage-did-you-mean", name = quote(s))
            ));
        }
    }
    let usage = get(ContextKind::Usage);
    if !usage.is_empty() {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str(&format!("\n\n{}", t!("usage-line", usage = usage)));
    }
    out.push_str(&format!("\n\n{}", t!("usage-see-help")));
    Some(out)
}

use std::error::Error as _;

#[cfg(test)]
mod tests {
    use super::super::i18n::in_lang;
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct T {
        #[arg(long, value_enum)]
        format: Option<super::super::options::TextOrJson>,
        #[arg(long)]
        name: String,
    }

    #[test]
    fn usage_errors_are_worded_in_japanese_and_english_stays_claps() {
        let e = T::try_parse_from(["t", "--nmae", "x"]).unwrap_err();
        assert!(japanese(&e, Lang::En).is_none());
        let ja = in_lang(Lang::Ja, || japanese(&e, Lang::Ja)).unwrap();
        assert!(ja.starts_with("エラー: "), "{ja}");
        assert!(ja.contains("--nmae"), "{ja}");
        assert!(ja.contains("--help"), "{ja}");
        let e = T::try_parse_from(["t", "--name", "x", "--format", "xml"]).unwrap_err();
        let ja = in_lang(Lang::Ja, || japanese(&e, Lang::Ja)).unwrap();
        assert!(ja.contains("xml") && ja.contains("`text`, `json`"), "{ja}");
        let e = T::try_parse_from(["t"]).unwrap_err();
        let ja = in_lang(Lang::Ja, || japanese(&e, Lang::Ja)).unwrap();
        assert!(ja.contains("--name"), "{ja}");
        assert!(!ja.contains("required"), "{ja}");
    }
}
