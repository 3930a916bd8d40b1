//! The values and option groups several commands share: who and why, the point of history a view
//! shows, output formats, on/off, eras, and an item number as typed.

use clap::{Args, ValueEnum};

use super::failure::Failure;
use super::i18n::t;

/// Who and why, required for every change; in a ledger with people, the key that proves who.
#[derive(Debug, Clone, Args)]
pub struct Who {
    /// Who makes the change (your name or staff id). In a ledger with people it is the person whose
    /// key --key is, and need not be given.
    #[arg(short = 'a', long, value_name = "NAME")]
    pub(super) author: Option<String>,
    /// Why the change is made.
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub(super) reason: String,
    /// Your private key file (mode 0600): in a ledger with people every change is signed with its
    /// author's key. Default: $HYOKA_KEY, else the config file's `key`.
    #[arg(long, value_name = "FILE", env = "HYOKA_KEY")]
    pub(super) key: Option<std::path::PathBuf>,
    /// Accept a point more than one reporting point away from the rated ones (refused otherwise, as a
    /// likely typo: R7年度上半期 for H27上半期).
    #[arg(long)]
    pub(super) new_point: bool,
}

/// Which point of history a view shows: valid time (`--as-of`) and transaction time (`--seq`, `--at`).
#[derive(Debug, Clone, Default, Args)]
pub struct TimeArgs {
    /// Valid time: only the periods up to and including PERIOD, with their ratings, flags and remarks.
    #[arg(long, value_name = "PERIOD")]
    pub(super) as_of: Option<String>,
    /// Transaction time: the ledger exactly as it stood after event N (#0..#N; N or seq:N). Inside an
    /// import batch this is the state after that event, part way through the import.
    #[arg(long, value_name = "N", value_parser = seq_number)]
    pub(super) seq: Option<u64>,
    /// Transaction time: the ledger as it stood after every event recorded at or before TIME: RFC 3339,
    /// or in Japan time (or the zone of --tz) a day (2015-11-05, 2015/11/05, 平成27年11月5日: its end) or
    /// a day and time (2015-11-05 14:00: the end of that minute).
    #[arg(long, value_name = "TIME")]
    pub(super) at: Option<String>,
}

/// Output formats of `history`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum HistoryFormat {
    /// Aligned lines.
    Text,
    /// JSON (schema/history.schema.json).
    Json,
    /// Markdown, ready to print or attach to a correction notice.
    Md,
}

/// Output formats of `log`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    /// One aligned line per event.
    Text,
    /// One JSON object per line (schema/event.schema.json).
    Jsonl,
}

/// Output formats of the commands that print words or one JSON document (each command's `--format`
/// help names its schema).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TextOrJson {
    /// Words.
    Text,
    /// JSON, described by the schema the option names.
    Json,
}

/// The text encoding of a publication pack's `table.csv`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8, with a BOM unless --no-bom (Excel in Japan opens it as it is).
    #[value(name = "utf-8")]
    Utf8,
    /// CP932 (Shift_JIS as Windows writes it), without a BOM; a character it cannot hold is refused.
    Cp932,
}

/// The files `sheets` writes for each department.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SheetFormat {
    /// CSV (UTF-8 with BOM, as Excel in Japan opens it).
    Csv,
    /// An Excel workbook (.xlsx).
    Xlsx,
    /// Both.
    Both,
}

/// Output formats of `summary`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SummaryFormat {
    /// Aligned lines.
    Text,
    /// CSV (with --by): a row per point and group, UTF-8 with a BOM.
    Csv,
    /// JSON (schema/summary.schema.json).
    Json,
}

/// What `summary --by` groups by.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GroupByArg {
    /// The item's heading.
    Heading,
    /// The item's responsible department.
    Department,
}

impl From<GroupByArg> for hyoka::views::shares::GroupBy {
    fn from(g: GroupByArg) -> Self {
        match g {
            GroupByArg::Heading => hyoka::views::shares::GroupBy::Heading,
            GroupByArg::Department => hyoka::views::shares::GroupBy::Department,
        }
    }
}

/// Output formats of `table`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TableFormat {
    /// Aligned for the terminal.
    Text,
    /// Tab-separated, in the layout `hyoka import` reads (with the total rows).
    Tsv,
    /// CSV for Excel and open data: UTF-8 with a BOM, heading on every row.
    Csv,
    /// One JSON object (schema/table.schema.json).
    Json,
    /// Markdown tables, one per heading.
    Md,
}

/// on / off (also as the views print a flag: ○ set, — not set).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnOff {
    /// Flag for follow-up (○).
    #[value(alias = "○")]
    On,
    /// Clear the flag (—).
    #[value(alias = "—")]
    Off,
}

/// A setting switched on or off.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Switch {
    /// Switch it on.
    On,
    /// Switch it off.
    Off,
}

/// Eras accepted on the command line.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EraArg {
    /// 平成 (1989-2019).
    #[value(alias = "平成")]
    Heisei,
    /// 令和 (2019-).
    #[value(alias = "令和")]
    Reiwa,
}

impl From<EraArg> for hyoka::domain::period::Era {
    fn from(e: EraArg) -> Self {
        match e {
            EraArg::Heisei => hyoka::domain::period::Era::Heisei,
            EraArg::Reiwa => hyoka::domain::period::Era::Reiwa,
        }
    }
}

/// A value parser that reads its argument in NFKC, as every identifier is read, before `inner` does:
/// full-width `ｏｎ` is `on`.
#[derive(Clone)]
pub struct Nfkc<P>(P);

impl<P: clap::builder::TypedValueParser> clap::builder::TypedValueParser for Nfkc<P> {
    type Value = P::Value;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        match value.to_str() {
            Some(s) => {
                let normalized = hyoka::domain::ident::normalize(s.trim());
                self.0
                    .parse_ref(cmd, arg, std::ffi::OsStr::new(&normalized))
            }
            None => self.0.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// The parser of a [`ValueEnum`] argument, read in NFKC ([`Nfkc`]).
pub fn nfkc_enum<E: ValueEnum + Clone + Send + Sync + 'static>()
-> Nfkc<clap::builder::EnumValueParser<E>> {
    Nfkc(clap::builder::EnumValueParser::new())
}

/// The parser of a review stage: `1` or `2`, or as the views print it, `1次評価`, `2次` (NFKC: `２`).
pub fn stage_number(s: &str) -> Result<u8, String> {
    let normalized = hyoka::domain::ident::normalize(s.trim());
    let digits = normalized
        .strip_suffix("次評価")
        .or_else(|| normalized.strip_suffix("次"))
        .unwrap_or(&normalized);
    match digits {
        "1" => Ok(1),
        "2" => Ok(2),
        _ => Err(t!("stage-not-1-or-2")),
    }
}

/// An item id as typed, read by the rule of [`hyoka::domain::item_id::ItemId::parse`] (NFKC, so `１２` is
/// 12; `R1-1`, `1-1-1`; a character that does not show is refused, named): one line and exit 1, like
/// the refusal of any other identifier.
pub fn item_id(s: &str) -> Result<hyoka::domain::item_id::ItemId, Failure> {
    hyoka::domain::item_id::ItemId::parse(s).map_err(Failure::from)
}

/// An event named on the command line: `seq:N`, or a bare `N` (read as `seq:N`, with a note, since
/// item numbers are bare everywhere else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSeq {
    /// The event's seq.
    pub seq: u64,
    /// Whether it was written bare.
    pub bare: bool,
}

/// The parser of `--seq`: `N` or `seq:N` (the option names an event already, so a bare N needs no note).
pub fn seq_number(s: &str) -> Result<u64, String> {
    event_seq(s).map(|e| e.seq)
}

/// The parser of [`EventSeq`] (NFKC, so `ｓｅｑ：１２` is `seq:12`).
pub fn event_seq(s: &str) -> Result<EventSeq, String> {
    let normalized = hyoka::domain::ident::normalize(s.trim());
    let (digits, bare) = match normalized.strip_prefix("seq:") {
        Some(d) => (d, false),
        None => (normalized.as_str(), true),
    };
    match digits.parse::<u64>() {
        Ok(seq) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(EventSeq { seq, bare }),
        _ => Err(t!(
            "not-an-event",
            value = hyoka::domain::text::escape(s),
            example = "seq:12"
        )),
    }
}

/// A bound of `hyoka history --since/--until`: an event (`seq:N`), or a time (`at:TIME`, or TIME as
/// `--at` reads it), kept as the start and the end of what it names (a date: the day's first and last
/// moment in the shown zone, Japan time unless --tz says otherwise), so that `--since` and `--until` of one day both include that whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `seq:N`.
    Seq(u64),
    /// A time: its start and its end (ns).
    Time { start: i64, end: i64 },
}

impl Bound {
    /// Whether an event is at or after this bound.
    pub fn admits_from(&self, seq: u64, recorded_at: i64) -> bool {
        match *self {
            Bound::Seq(n) => seq >= n,
            Bound::Time { start, .. } => recorded_at >= start,
        }
    }

    /// Whether an event is at or before this bound.
    pub fn admits_until(&self, seq: u64, recorded_at: i64) -> bool {
        match *self {
            Bound::Seq(n) => seq <= n,
            Bound::Time { end, .. } => recorded_at <= end,
        }
    }
}

/// The parser of [`Bound`] (NFKC, so `ｓｅｑ：３５９` is `seq:359`).
pub fn bound(s: &str) -> Result<Bound, String> {
    let normalized = hyoka::domain::ident::normalize(s.trim());
    if let Some(digits) = normalized.strip_prefix("seq:") {
        return match digits.parse::<u64>() {
            Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Bound::Seq(n)),
            _ => Err(t!(
                "not-an-event",
                value = hyoka::domain::text::escape(s),
                example = "seq:359"
            )),
        };
    }
    let t = normalized.strip_prefix("at:").unwrap_or(&normalized);
    let start = hyoka::domain::when::parse_instant_start(t)
        .map_err(|e| t!("bound-not-a-time", error = super::errors::time(&e)))?;
    let end = hyoka::domain::when::parse_instant(t).map_err(|e| super::errors::time(&e))?;
    Ok(Bound::Time { start, end })
}
