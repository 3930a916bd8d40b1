//! The library's errors in words, in the chosen language: what is wrong, from each variant's data (the
//! library's own `Display` is its English for embedders; the English here says the same, checked by a
//! test). What to do next is added by `hints`. Free text the library carries inside an error (a rule's
//! words, an OS error, a detail) is passed on as it is; a variant added to the library later is shown
//! with its own `Display` until it is worded here.

use hyoka::domain::event::{V2Only, Version1};
use hyoka::domain::item_id::IdProblem;
use hyoka::domain::people::{Role, RoundStatus};
use hyoka::domain::period::{Cadence, Era, PeriodError, Why};
use hyoka::domain::state::{Action, Decided, KeyOf, Refused, Rule};
use hyoka::domain::text::TextProblem;
use hyoka::domain::when::TimeProblem;
use hyoka::error::{Error, IntegrityError, Unsettled, Unsigned};
use hyoka::import::error::{FileProblem, TotalProblem};
use hyoka::table::error::{RowColumns, TableFileError};
use hyoka::table::layout::Expects;

use super::file_words as fw;
use super::i18n::t;

/// What is wrong, in words.
pub fn error(e: &Error) -> String {
    match e {
        Error::NotInitialised(dir) => t!("err-not-initialised", dir = dir.display()),
        Error::AlreadyInitialised(dir) => t!("err-already-initialised", dir = dir.display()),
        Error::Busy(dir, _) => t!("err-busy", dir = dir.display()),
        Error::Refused(r) => refused(r),
        Error::RefusedAt { line, refused: r } => {
            t!("err-refused-at", line = *line, refused = refused(r))
        }
        Error::NotInCheckpoint { seq, size } => {
            t!("err-not-in-checkpoint", seq = *seq, covers = covers(*size))
        }
        Error::NoSuchSeq { seq, len } => {
            t!("err-no-such-seq", seq = *seq, covers = covers(*len))
        }
        Error::KeyNotOfOrigin { key, origin } => {
            t!(
                "err-key-not-of-origin",
                key = key.as_str(),
                origin = origin.as_str()
            )
        }
        Error::Internal(detail) => t!("err-internal", detail = detail.as_str()),
        Error::Invalid(i) => super::damage::invalid(i),
        Error::Io { context, source } => t!(
            "err-io",
            context = fw::io_doing(context),
            error = super::damage::os(source)
        ),
        Error::MirrorConflict(path) => t!("err-mirror-conflict", path = path.as_str()),
        Error::Integrity(ie) => t!("err-integrity", detail = integrity(ie)),
        Error::DiskFull { context, source } => t!(
            "err-disk-full",
            context = fw::io_doing(context),
            detail = fw::disk_full(source)
        ),
        Error::NoRoom { context, room } => t!(
            "err-no-room",
            context = fw::io_doing(context),
            detail = fw::room(room)
        ),
        Error::Problems { problems, omitted } => t!(
            "err-problems",
            count = problems.len() + omitted,
            problems = problems
                .iter()
                .map(table_file)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Error::Table(e) => table_file(e),
        Error::Import(p) => file_problem(p),
        Error::Text(p) => text(p),
        Error::EraNeeded { line, label } => {
            t!("err-era-needed", line = *line, label = label.as_str())
        }
        Error::PointNeeded {
            line,
            column,
            header,
        } => t!(
            "err-point-needed",
            line = *line,
            column = *column,
            header = header.as_str()
        ),
        Error::NoLayout { line, tried } => no_layout(*line, tried),
        Error::Unsigned(Unsigned::NoKey { author }) => {
            t!("err-unsigned-no-key", author = author.as_str())
        }
        Error::Unsigned(Unsigned::NotCurrent { author }) => {
            t!("err-unsigned-not-current", author = author.as_str())
        }
        Error::Unsettled(Unsettled::Head { why }) => {
            t!("err-unsettled-head", why = why.as_str())
        }
        Error::Unsettled(Unsettled::Anchor { first, last, why }) => t!(
            "err-unsettled-anchor",
            first = *first,
            last = *last,
            why = why.as_str()
        ),
        // Free text: the library's words (an OS error, an input check).
        _ => e.to_string(),
    }
}

/// A file that no known layout reads, in words: each layout and what it expects.
fn no_layout(line: usize, tried: &[(String, Expects)]) -> String {
    t!(
        "err-no-layout",
        line = line,
        tried = tried
            .iter()
            .map(|(name, e)| format!("{name}: {}", expects(e)))
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// What a layout's header row must look like, in words.
pub fn expects(e: &Expects) -> String {
    match e {
        Expects::StartsWith(first) => t!("expects-starts-with", first = first.as_str()),
        Expects::Holding(texts) => t!("expects-holding", texts = texts.join(", ")),
    }
}

/// What an item row of a layout holds, in words.
fn row_columns(c: &RowColumns) -> String {
    let mut parts = vec![t!("columns-heading")];
    match c.title_apart {
        false => parts.push(t!("columns-id-and-title")),
        true => {
            parts.push(t!("columns-id"));
            parts.push(t!("columns-title"));
        }
    }
    parts.push(t!("columns-department"));
    parts.push(t!("columns-points", count = c.points));
    if c.follow_up {
        parts.push(t!("columns-follow-up"));
    }
    if c.remark {
        parts.push(t!("columns-remark"));
    }
    parts.join(", ")
}

/// Why a text cannot be an item id, in words.
pub fn item_id(p: &IdProblem) -> String {
    match p {
        IdProblem::Text(p) => text(p),
        IdProblem::Empty { input } => t!("id-empty", input = input.as_str()),
        IdProblem::TooLong { input, max } => {
            t!("id-too-long", input = input.as_str(), max = *max)
        }
        IdProblem::Holds { input, c } => {
            t!("id-holds", input = input.as_str(), char = c.as_str())
        }
        IdProblem::FirstNotAlphanumeric { input } => {
            t!("id-first-not-alphanumeric", input = input.as_str())
        }
        _ => p.to_string(),
    }
}

/// Where a cell is, in words: `line 12, column 4 (26年度上半期)`.
fn place(line: usize, column: usize, header: &str) -> String {
    match header.is_empty() {
        true => t!("table-place", line = line, column = column),
        false => t!(
            "table-place-header",
            line = line,
            column = column,
            header = header
        ),
    }
}

/// Text quoted as the library quotes it in a message (Rust's `{:?}`).
fn q(s: &str) -> String {
    format!("{s:?}")
}

fn yes(b: bool) -> &'static str {
    match b {
        true => "yes",
        false => "no",
    }
}

/// A problem of a table file (an import's), in words.
pub fn table_file(e: &TableFileError) -> String {
    use TableFileError as T;
    match e {
        T::InvalidUtf8 { line } => t!("table-invalid-utf8", line = *line),
        T::NotText { line, cp932_line } => {
            t!("table-not-text", line = *line, cp932_line = *cp932_line)
        }
        T::Workbook { problem } => t!("table-workbook", problem = problem.as_str()),
        T::NoSuchSheet { sheet, sheets } => t!(
            "table-no-such-sheet",
            sheet = q(sheet),
            sheets = sheets.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
        ),
        T::InvalidUtf16 { line } => t!("table-invalid-utf16", line = *line),
        T::Empty { line } => t!("table-empty", line = *line),
        T::StrayBom { line } => t!("table-stray-bom", line = *line),
        T::NoHeader {
            line,
            layout,
            expected,
        } => t!(
            "table-no-header",
            line = *line,
            layout = layout.as_str(),
            expected = expects(expected)
        ),
        T::NoKnownLayout { line, tried } => no_layout(*line, tried),
        T::UnknownColumn {
            line,
            column,
            header,
            layout,
            looks_like_point,
        } => t!(
            "table-unknown-column",
            line = *line,
            column = *column,
            header = q(header),
            layout = layout.as_str(),
            point = yes(*looks_like_point)
        ),
        T::DuplicateColumn {
            line,
            first_column,
            column,
            key,
            header,
        } => t!(
            "table-duplicate-column",
            line = *line,
            first_column = *first_column,
            column = *column,
            key = column_key(key),
            header = q(header)
        ),
        T::NoPeriods { line } => t!("table-no-periods", line = *line),
        T::PeriodWithoutYear { line, column } => {
            t!("table-period-without-year", line = *line, column = *column)
        }
        T::HeaderMismatch {
            line,
            first_line,
            expected,
            found,
        } => t!(
            "table-header-mismatch",
            line = *line,
            first_line = *first_line,
            expected = format!("{expected:?}"),
            found = format!("{found:?}")
        ),
        T::NoDataRows { line } => t!("table-no-data-rows", line = *line),
        T::TooFewColumns {
            line,
            expected,
            layout,
            found,
            format,
        } => t!(
            "table-too-few-columns",
            line = *line,
            expected = *expected,
            layout = row_columns(layout),
            found = *found,
            format = format.as_str()
        ),
        T::TooManyColumns {
            line,
            column,
            header,
            max,
            cell,
        } => t!(
            "table-too-many-columns",
            place = place(*line, *column, header),
            cell = q(cell),
            max = *max
        ),
        T::BadId {
            line,
            column,
            header,
            cell,
        } => t!(
            "table-bad-id",
            place = place(*line, *column, header),
            cell = q(cell)
        ),
        T::IdWithNo {
            line,
            column,
            header,
            cell,
        } => t!(
            "table-id-with-no",
            place = place(*line, *column, header),
            cell = q(cell)
        ),
        T::MissingTitle {
            line,
            column,
            header,
            id,
            with_id,
        } => t!(
            "table-missing-title",
            place = place(*line, *column, header),
            id = id.as_str(),
            with_id = yes(*with_id)
        ),
        T::DuplicateId {
            line,
            column,
            header,
            first_line,
            id,
            written,
            first_written,
        } => t!(
            "table-duplicate-id",
            place = place(*line, *column, header),
            id = id.as_str(),
            first_line = *first_line,
            differs = yes(written != first_written),
            written = q(written),
            first = q(first_written)
        ),
        T::MissingHeading {
            line,
            column,
            header,
        } => t!(
            "table-missing-heading",
            place = place(*line, *column, header)
        ),
        T::BadMark {
            line,
            column,
            header,
            cell,
        } => t!(
            "table-bad-mark",
            place = place(*line, *column, header),
            cell = q(cell)
        ),
        T::BadCount {
            line,
            column,
            header,
            label,
            cell,
        } => t!(
            "table-bad-count",
            place = place(*line, *column, header),
            label = q(label),
            cell = q(cell)
        ),
        T::NotInScale(o) => t!(
            "table-not-in-scale",
            place = place(o.line, o.column, &o.header),
            id = o.id.as_str(),
            point = o.point.as_str(),
            grade = o.grade.as_str(),
            scale = o.scale.join(", ")
        ),
        T::DuplicateFollowUpTotal { line, first_line } => t!(
            "table-duplicate-follow-up-total",
            line = *line,
            first_line = *first_line
        ),
        T::RowAfterTotals { line, totals_line } => t!(
            "table-row-after-totals",
            line = *line,
            totals_line = *totals_line
        ),
        T::CsvQuoting { line, problem, fix } => match *problem {
            "a double quote inside a cell that does not start with one" => {
                t!("csv-quote-inside", line = *line)
            }
            "text after the closing double quote of a cell" => {
                t!("csv-text-after-quote", line = *line)
            }
            "a quoted cell starting here is never closed" => t!("csv-never-closed", line = *line),
            _ => t!(
                "table-csv-quoting",
                line = *line,
                problem = *problem,
                fix = *fix
            ),
        },
        T::Csv { line, message } => t!("table-csv", line = *line, message = message.as_str()),
        T::Identifier {
            line,
            column,
            header,
            problem,
        } => format!("{}: {}", place(*line, *column, header), item_id(problem)),
        T::Many { problems, omitted } => t!(
            "table-many",
            line = e.line(),
            count = problems.len() + omitted,
            omitted = *omitted,
            problems = problems
                .iter()
                .map(table_file)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => e.to_string(),
    }
}

/// What is wrong with a file's periods or totals, in words.
pub fn file_problem(p: &FileProblem) -> String {
    match p {
        FileProblem::PointGiven {
            line,
            point,
            periods,
        } => t!(
            "file-point-given",
            line = *line,
            point = point.as_str(),
            periods = periods.join(", ")
        ),
        FileProblem::PeriodColumn { line, label, why } => t!(
            "file-period-column",
            line = *line,
            label = label.as_str(),
            why = period(why)
        ),
        FileProblem::PeriodTwice { line, period } => {
            t!("file-period-twice", line = *line, period = period.as_str())
        }
        FileProblem::Totals { problems } => t!(
            "file-totals",
            problems = problems
                .iter()
                .map(total_problem)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => p.to_string(),
    }
}

/// A count of a total row that disagrees with the file's rows, in words.
fn total_problem(p: &TotalProblem) -> String {
    match p {
        TotalProblem::Count {
            line,
            label,
            period,
            stated,
            found,
        } => t!(
            "total-count",
            line = *line,
            label = label.as_str(),
            period = period.as_str(),
            stated = *stated,
            found = *found
        ),
        TotalProblem::Columns {
            line,
            label,
            counts,
            periods,
        } => t!(
            "total-columns",
            line = *line,
            label = label.as_str(),
            counts = *counts,
            periods = *periods
        ),
        TotalProblem::FollowUp {
            line,
            stated,
            found,
        } => t!(
            "total-follow-up",
            line = *line,
            stated = *stated,
            found = *found
        ),
        _ => p.to_string(),
    }
}

/// A column of a layout as the library names it (`heading`, `department`), in words.
fn column_key(key: &str) -> String {
    match key {
        "heading" => t!("column-key-heading"),
        "id" => t!("column-key-id"),
        "item" => t!("column-key-item"),
        "title" => t!("column-key-title"),
        "department" => t!("column-key-department"),
        "follow_up" => t!("column-key-follow-up"),
        "remark" => t!("column-key-remark"),
        "points" => t!("column-key-points"),
        "totals.label" => t!("column-key-totals-label"),
        other => other.to_string(),
    }
}

/// A refusal of the domain rules, in words.
pub fn refused(r: &Refused) -> String {
    match r {
        Refused::NoPlan => t!("refused-no-plan"),
        Refused::NoSuchItem(id) => t!("refused-no-such-item", id = id.as_str()),
        Refused::ItemWithdrawn(id) => t!("refused-item-withdrawn", id = id.as_str()),
        Refused::ItemExists(id) => t!("refused-item-exists", id = id.as_str()),
        Refused::EarlyPoint { period, earliest } => t!(
            "refused-early-point",
            period = period.as_str(),
            earliest = earliest.as_str()
        ),
        Refused::NewPoint { period, latest, .. } => t!(
            "refused-new-point",
            period = period.as_str(),
            latest = latest.as_str()
        ),
        Refused::Version1(v) => version1(v),
        Refused::Rule(rule) => self::rule(rule),
        _ => r.to_string(),
    }
}

/// Why a ledger of event schema version 1 cannot hold a change, in words.
pub fn version1(v: &Version1) -> String {
    match v {
        Version1::NeedsVersion2(what) => {
            let what = match what {
                V2Only::From => t!("v2-from"),
                V2Only::After => t!("v2-after"),
                V2Only::Cadence => t!("v2-cadence"),
                V2Only::Exclusion => t!("v2-exclusion"),
                V2Only::Merge => t!("v2-merge"),
                V2Only::HeadingRename => t!("v2-heading-rename"),
                V2Only::People => t!("v2-people"),
                V2Only::Round => t!("v2-round"),
            };
            t!("version1-needs-2", what = what)
        }
        Version1::TextId(id) => t!("version1-text-id", id = id.as_str()),
        Version1::NotHalfYear(point) => t!("version1-not-half-year", point = point.as_str()),
        Version1::Unknown(v) => t!("version1-unknown", version = *v),
        _ => v.to_string(),
    }
}

/// Which side of a plan's years.
fn side(last: bool) -> String {
    match last {
        true => t!("period-side-last"),
        false => t!("period-side-first"),
    }
}

/// A period that cannot be read, or is not a point of the plan, in words.
pub fn period(e: &PeriodError) -> String {
    use PeriodError as P;
    match e {
        P::UnknownEra(era) => t!("period-unknown-era", era = era.as_str()),
        P::WholePlanNeedsItsYears { input, years } => t!(
            "period-whole-plan-needs-its-years",
            input = input.as_str(),
            years = years.as_str()
        ),
        P::PlanYears(e) => t!("period-plan-years", why = period(e)),
        P::NotAPointOf { label, cadence } => t!(
            "period-not-a-point-of",
            label = label.as_str(),
            points = match cadence {
                Cadence::HalfYear => t!("cadence-points-half-year"),
                Cadence::YearEnd => t!("cadence-points-year-end"),
                Cadence::Quarterly => t!("cadence-points-quarterly"),
                Cadence::WholePlan => t!("cadence-points-whole-plan"),
            }
        ),
        P::WholePlanWithoutYears { label } => {
            t!("period-whole-plan-without-years", label = label.as_str())
        }
        P::NotTheWholePlan { label, years } => t!(
            "period-not-the-whole-plan",
            label = label.as_str(),
            years = years.as_str()
        ),
        P::OutsideYears { label, years } => t!(
            "period-outside-years",
            label = label.as_str(),
            years = years.as_str()
        ),
        P::UnknownCadence(c) => t!("period-unknown-cadence", cadence = c.as_str()),
        P::Years { input, why: w } => t!(
            "period-years",
            input = input.as_str(),
            why = why(w),
            forms = t!("period-years-forms")
        ),
        P::YearOutOfRange(fy) => t!(
            "period-year-out-of-range",
            year = fy.to_string(),
            min = hyoka::domain::period::MIN_FISCAL_YEAR.to_string(),
            max = hyoka::domain::period::MAX_FISCAL_YEAR.to_string()
        ),
        P::YearsReversed { first, last } => t!(
            "period-years-reversed",
            first = first.as_str(),
            last = last.as_str()
        ),
        P::Empty => t!("period-empty", forms = t!("period-forms")),
        P::Unreadable { input, why: w } => t!(
            "period-unreadable",
            input = input.as_str(),
            why = why(w),
            forms = t!("period-forms")
        ),
        P::YearAlone { input, year } => t!(
            "period-year-alone",
            input = input.as_str(),
            year = year.as_str()
        ),
        P::FourDigits(input) => t!("period-four-digits", input = input.as_str()),
        P::UnknownPart { input, part } => t!(
            "period-unknown-part",
            input = input.as_str(),
            part = part.as_str()
        ),
        P::Canonical { input, why: e } => {
            t!("period-canonical", input = input.as_str(), why = period(e))
        }
        _ => e.to_string(),
    }
}

/// Why a period written in Japanese cannot be read, in words.
fn why(w: &Why) -> String {
    match w {
        Why::YearExpected => t!("why-year-expected"),
        Why::BadYear => t!("why-bad-year"),
        Why::EraYearZero => t!("why-era-year-zero"),
        Why::NoEra => t!("why-no-era"),
        Why::YearMissing { last } => t!("why-year-missing", side = side(*last)),
        Why::PlanYear {
            last,
            input,
            why: w,
        } => t!(
            "why-plan-year",
            side = side(*last),
            input = input.as_str(),
            why = why(w)
        ),
        Why::PlanYearUnreadable { last, input } => t!(
            "why-plan-year-unreadable",
            side = side(*last),
            input = input.as_str()
        ),
        Why::LastInFull { first, last } => t!(
            "why-last-in-full",
            first = first.to_string(),
            last = last.to_string()
        ),
        Why::Period(e) => period(e),
        Why::UnknownTerm(term) => t!("why-unknown-term", term = term.as_str()),
        Why::NoQuarter(n) => t!("why-no-quarter", quarter = n.as_str()),
        Why::NeverExisted {
            era,
            era_year,
            month,
            instead,
        } => t!(
            "why-never-existed",
            era_year = era_year.as_str(),
            month = *month,
            gone = match era {
                Era::Heisei => t!("why-heisei-ended"),
                Era::Reiwa => t!("why-reiwa-began"),
            },
            instead = instead.as_str()
        ),
        Why::MonthExpected => t!("why-month-expected"),
        Why::TsukiExpected(rest) => t!("why-tsuki-expected", rest = rest.as_str()),
        Why::NotReportingMonth(m) => t!("why-not-reporting-month", month = *m),
        Why::NoMonth(m) => t!("why-no-month", month = *m),
        Why::BadDay { day, last } => t!("why-bad-day", day = day.as_str(), last = *last),
        Why::NotEndDay { month, day, last } => {
            t!("why-not-end-day", month = *month, day = *day, last = *last)
        }
        Why::YearsEmpty => t!("why-years-empty"),
        Why::AfterYear(rest) => t!("why-after-year", rest = rest.as_str()),
        _ => w.to_string(),
    }
}

/// Why a time people wrote cannot be read, in words.
pub fn time(p: &TimeProblem) -> String {
    match p {
        TimeProblem::Unreadable { input } => t!(
            "time-unreadable",
            input = input.as_str(),
            forms = t!("time-forms")
        ),
        TimeProblem::OutOfRange { input } => t!("time-out-of-range", input = input.as_str()),
        TimeProblem::UnknownZone { input } => t!(
            "time-unknown-zone",
            input = input.as_str(),
            forms = t!("zone-forms")
        ),
        TimeProblem::BadOffset { input } => t!(
            "time-bad-offset",
            input = input.as_str(),
            forms = t!("zone-forms")
        ),
        _ => p.to_string(),
    }
}

/// A field of text as the library names it (`title`, `grade`), in words.
pub fn field(name: &str) -> String {
    match name {
        "plan name" => t!("field-plan-name"),
        "heading" => t!("field-heading"),
        "title" => t!("field-title"),
        "department" => t!("field-department"),
        "grade" => t!("field-grade"),
        "remark" => t!("field-remark"),
        "opinion" => t!("field-opinion"),
        "reason" => t!("field-reason"),
        "author" => t!("field-author"),
        "person id" => t!("field-person-id"),
        "person's name" => t!("field-person-name"),
        "verifier key" => t!("field-verifier-key"),
        "log key" => t!("field-log-key"),
        "item id" => t!("field-item-id"),
        "item number" => t!("field-item-number"),
        other => other.to_string(),
    }
}

/// A text that breaks the rule on text, in words.
pub fn text(p: &TextProblem) -> String {
    match p {
        TextProblem::Empty { field: f } => t!("text-empty", field = field(f)),
        TextProblem::EmptyWhy { field: f } => t!("text-empty-why", field = field(f)),
        TextProblem::Control { field: f, c } => t!(
            "text-control",
            field = field(f),
            char = c.escape_unicode().to_string()
        ),
        TextProblem::WhiteSpace { field: f, value } => {
            t!("text-white-space", field = field(f), value = value.as_str())
        }
        TextProblem::Invisible {
            field: f,
            value,
            named,
            position,
            selector,
        } => t!(
            "text-invisible",
            field = field(f),
            value = value.as_str(),
            named = named.as_str(),
            position = *position,
            selector = match selector {
                true => t!("text-invisible-selector"),
                false => String::new(),
            }
        ),
        _ => p.to_string(),
    }
}

/// Items by id, in words: `item 12`, `items 12, 13`, `items 1, 2, 3, 4, 5 and 2 more`.
fn items(ids: &[String]) -> String {
    match ids {
        [one] => t!("items-one", id = one.as_str()),
        _ if ids.len() <= 5 => t!("items-some", ids = ids.join(", ")),
        _ => t!(
            "items-more",
            ids = ids[..5].join(", "),
            more = ids.len() - 5
        ),
    }
}

fn status(s: RoundStatus) -> String {
    match s {
        RoundStatus::Open => t!("round-state-open"),
        RoundStatus::Closed => t!("round-state-closed"),
        RoundStatus::Published => t!("round-state-published"),
    }
}

fn decided(d: Decided) -> String {
    match d {
        Decided::Rating => t!("decided-rating"),
        Decided::FollowUp => t!("decided-follow-up"),
        Decided::Remark => t!("decided-remark"),
        Decided::Excluded => t!("decided-excluded"),
    }
}

fn action(a: Action) -> String {
    match a {
        Action::ChangeItems => t!("action-change-items"),
        Action::ManagePeople => t!("action-manage-people"),
        Action::ChangeOthersKey => t!("action-change-others-key"),
        Action::ManageRounds => t!("action-manage-rounds"),
        Action::ExcludePublished => t!("action-exclude-published"),
        Action::Exclude => t!("action-exclude"),
        Action::RecordOpinion => t!("action-record-opinion"),
        Action::Submit => t!("action-submit"),
        Action::ReviewFirst => t!("action-review-first"),
        Action::ReviewSecond => t!("action-review-second"),
        Action::Rate => t!("action-rate"),
        Action::CorrectPublished => t!("action-correct-published"),
    }
}

fn key_of(k: KeyOf) -> String {
    match k {
        KeyOf::Log => t!("key-of-log"),
        KeyOf::Admin => t!("key-of-admin"),
        KeyOf::Person => t!("key-of-person"),
        KeyOf::New => t!("key-of-new"),
    }
}

fn roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| t!("role-named", id = r.id(), label = r.label()))
        .collect::<Vec<_>>()
        .join(&t!("or-separator"))
}

fn open_rounds(open: &[String]) -> String {
    match open.is_empty() {
        true => t!("open-rounds-none"),
        false => t!(
            "open-rounds-list",
            points = open.join(&t!("list-separator"))
        ),
    }
}

/// A rule of the ledger a change breaks, in words.
pub fn rule(r: &Rule) -> String {
    use Rule as R;
    match r {
        R::Text(p) => text(p),
        R::Period(p) => period(p),
        R::FileName { name } => t!("rule-file-name", name = name.as_str()),
        R::Origin { origin } => t!("rule-origin", origin = origin.as_str()),
        R::FirstIsPlan => t!("rule-first-is-plan"),
        R::PlanFirst => t!("rule-plan-first"),
        R::PlanDefined => t!("rule-plan-defined"),
        R::EmptyScale => t!("rule-empty-scale"),
        R::GradeTwice { grade } => t!("rule-grade-twice", grade = grade.as_str()),
        R::YearsBackwards { first, last } => {
            t!(
                "rule-years-backwards",
                first = first.to_string(),
                last = last.to_string()
            )
        }
        R::WholePlanNeedsYears => t!("rule-whole-plan-needs-years"),
        R::RenameTaken { name, existing } => t!(
            "rule-rename-taken",
            name = name.as_str(),
            existing = existing.as_str()
        ),
        R::HeadingLookalike { name, existing } => t!(
            "rule-heading-lookalike",
            name = name.as_str(),
            existing = existing.as_str()
        ),
        R::HeadingExists { name } => t!("rule-heading-exists", name = name.as_str()),
        R::RenameChangesNothing { name } => {
            t!("rule-rename-changes-nothing", name = name.as_str())
        }
        R::NoSuchHeading { name, headings } => t!(
            "rule-no-such-heading",
            name = name.as_str(),
            headings = headings.join(", ")
        ),
        R::IdLookalike { id, other } => t!(
            "rule-id-lookalike",
            id = id.as_str(),
            other = other.as_str()
        ),
        R::ItemZero => t!("rule-item-zero"),
        R::GradeNotInScale { grade, scale } => t!(
            "rule-grade-not-in-scale",
            grade = grade.as_str(),
            scale = scale.join(", ")
        ),
        R::DecidedBefore { id, what, at, from } => t!(
            "rule-decided-before",
            id = id.as_str(),
            what = decided(*what),
            at = at.as_str(),
            from = from.as_str()
        ),
        R::AmendChangesNothing { id } => t!("rule-amend-changes-nothing", id = id.as_str()),
        R::NotWithdrawn { id } => t!("rule-not-withdrawn", id = id.as_str()),
        R::RatingExcluded { id, period } => t!(
            "rule-rating-excluded",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::AlreadyRated { id, grade, period } => t!(
            "rule-already-rated",
            id = id.as_str(),
            grade = grade.as_str(),
            period = period.as_str()
        ),
        R::NoRating { id, period } => {
            t!("rule-no-rating", id = id.as_str(), period = period.as_str())
        }
        R::FollowUpAlready { id, period, on } => t!(
            "rule-follow-up-already",
            id = id.as_str(),
            period = period.as_str(),
            on = match on {
                true => t!("follow-up-is-on"),
                false => t!("follow-up-is-off"),
            }
        ),
        R::RemarkAlready { id, period } => t!(
            "rule-remark-already",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::AlreadyExcluded { id, period } => t!(
            "rule-already-excluded",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::ExcludeRated { id, grade, period } => t!(
            "rule-exclude-rated",
            id = id.as_str(),
            grade = grade.as_str(),
            period = period.as_str()
        ),
        R::NotExcluded { id, period } => t!(
            "rule-not-excluded",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::AlreadyMerged { id, into, from } => t!(
            "rule-already-merged",
            id = id.as_str(),
            into = into.as_str(),
            from = from.as_str()
        ),
        R::MergeIntoItself { id } => t!("rule-merge-into-itself", id = id.as_str()),
        R::MergeIntoMerged { into, other } => t!(
            "rule-merge-into-merged",
            into = into.as_str(),
            other = other.as_str()
        ),
        R::MergedInto { id, other } => {
            t!("rule-merged-into", id = id.as_str(), other = other.as_str())
        }
        R::DecidedAfter { id, what, at, from } => t!(
            "rule-decided-after",
            id = id.as_str(),
            what = decided(*what),
            at = at.as_str(),
            from = from.as_str()
        ),
        R::NotMerged { id } => t!("rule-not-merged", id = id.as_str()),
        R::NotYetJoined { id, joins, period } => t!(
            "rule-not-yet-joined",
            id = id.as_str(),
            joins = joins.as_str(),
            period = period.as_str()
        ),
        R::MergedAway { id, into, from } => t!(
            "rule-merged-away",
            id = id.as_str(),
            into = into.as_str(),
            from = from.as_str()
        ),
        R::AfterItself { id } => t!("rule-after-itself", id = id.as_str()),
        R::AfterCycle { id, after } => {
            t!("rule-after-cycle", id = id.as_str(), after = after.as_str())
        }
        R::RelistItself { id } => t!("rule-relist-itself", id = id.as_str()),
        R::RelistMissing { id, of } => {
            t!("rule-relist-missing", id = id.as_str(), of = of.as_str())
        }
        R::RelistOfRelisting { of } => t!("rule-relist-of-relisting", of = of.as_str()),
        R::VersionMixed { version, first } => {
            t!("rule-version-mixed", version = *version, first = *first)
        }
        R::ClockBehindGiven => t!("rule-clock-behind-given"),
        R::NotAKey { of, key, why } => t!(
            "rule-not-a-key",
            of = key_of(*of),
            key = key.as_str(),
            why = why.as_str()
        ),
        R::EnabledByOther { admin, author } => t!(
            "rule-enabled-by-other",
            admin = admin.as_str(),
            author = author.as_str()
        ),
        R::AuthorNotPerson { author } => t!("rule-author-not-person", author = author.as_str()),
        R::AuthorNoKey { author } => t!("rule-author-no-key", author = author.as_str()),
        R::NoPeople => t!("rule-no-people"),
        R::HasPeople => t!("rule-has-people"),
        R::NoSuchPerson { person } => t!("rule-no-such-person", person = person.as_str()),
        R::NoRound { period, open } => t!(
            "rule-no-round",
            period = period.as_str(),
            open = open_rounds(open)
        ),
        R::NoRoleGiven { person } => t!("rule-no-role-given", person = person.as_str()),
        R::RoleTwice { person } => t!("rule-role-twice", person = person.as_str()),
        R::PersonExists { person } => t!("rule-person-exists", person = person.as_str()),
        R::KeyOfAnother { other } => t!("rule-key-of-another", other = other.as_str()),
        R::KeyUsedBefore { other } => t!("rule-key-used-before", other = other.as_str()),
        R::FirstNotAdmin => t!("rule-first-not-admin"),
        R::HasRole { person, role } => t!(
            "rule-has-role",
            person = person.as_str(),
            role = roles(&[*role])
        ),
        R::LacksRole { person, role } => t!(
            "rule-lacks-role",
            person = person.as_str(),
            role = roles(&[*role])
        ),
        R::LastAdmin => t!("rule-last-admin"),
        R::NoKeyToRevoke { person } => t!("rule-no-key-to-revoke", person = person.as_str()),
        R::LastAdminKey => t!("rule-last-admin-key"),
        R::BadDue { due } => t!("rule-bad-due", due = due.as_str()),
        R::RoundExists { period, status: s } => t!(
            "rule-round-exists",
            period = period.as_str(),
            status = status(*s)
        ),
        R::CannotSubmit { period, status: s } => t!(
            "rule-cannot-submit",
            period = period.as_str(),
            status = status(*s)
        ),
        R::DepartmentEmpty { department, period } => t!(
            "rule-department-empty",
            department = department.as_str(),
            period = period.as_str()
        ),
        R::NotRated {
            department,
            period,
            items: ids,
        } => t!(
            "rule-not-rated",
            items = items(ids),
            count = ids.len(),
            department = department.as_str(),
            period = period.as_str()
        ),
        R::ReturnedNotRated {
            department,
            items: ids,
        } => t!(
            "rule-returned-not-rated",
            items = items(ids),
            count = ids.len(),
            department = department.as_str()
        ),
        R::AlreadySubmitted { department, period } => t!(
            "rule-already-submitted",
            department = department.as_str(),
            period = period.as_str()
        ),
        R::ReviewPublished { period } => t!("rule-review-published", period = period.as_str()),
        R::NotSubmitted { id, period } => t!(
            "rule-not-submitted",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::FirstOver { id, period } => t!(
            "rule-first-over",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::FirstApproved { id, period } => t!(
            "rule-first-approved",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::FirstNeeded { id, period } => t!(
            "rule-first-needed",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::SecondApproved { id, period } => t!(
            "rule-second-approved",
            id = id.as_str(),
            period = period.as_str()
        ),
        R::RoundNotOpen { period, status: s } => t!(
            "rule-round-not-open",
            period = period.as_str(),
            status = status(*s)
        ),
        R::AlreadyPublished { period } => t!("rule-already-published", period = period.as_str()),
        R::Unfinished { period, items: ids } => t!(
            "rule-unfinished",
            period = period.as_str(),
            items = items(ids),
            count = ids.len()
        ),
        R::DigestMismatch { period, digest } => t!(
            "rule-digest-mismatch",
            period = period.as_str(),
            digest = digest.as_str()
        ),
        R::NotAPerson { author } => t!("rule-not-a-person", author = author.as_str()),
        R::NoKey { person } => t!("rule-no-key", person = person.as_str()),
        R::AuditorRecords { person } => t!("rule-auditor-records", person = person.as_str()),
        R::NeedsRole {
            person,
            action: a,
            roles: r,
        } => t!(
            "rule-needs-role",
            person = person.as_str(),
            action = action(*a),
            roles = roles(r)
        ),
        R::OtherDepartment {
            person,
            department,
            review,
            id,
            owner,
        } => t!(
            "rule-other-department",
            person = person.as_str(),
            department = department.as_str(),
            action = match review {
                true => t!("action-review"),
                false => t!("action-rate-or-remark"),
            },
            id = id.as_str(),
            owner = owner.as_str()
        ),
        R::SubmitOther {
            person,
            department,
            other,
        } => t!(
            "rule-submit-other",
            person = person.as_str(),
            department = department.as_str(),
            other = other.as_str()
        ),
        R::DefinedOnce => t!("rule-defined-once"),
        R::RoundClosed { period } => t!("rule-round-closed", period = period.as_str()),
        R::UnderReview { id, period } => t!(
            "rule-under-review",
            id = id.as_str(),
            period = period.as_str()
        ),
        _ => r.to_string(),
    }
}

/// The events a tree of `size` events holds: `#0..#359 (360 events)`.
pub fn covers(size: u64) -> String {
    match size {
        0 => t!("covers-none"),
        n => t!("covers", last = n - 1, count = n),
    }
}

/// What recorded an event's hash or an anchor, as the library names it (`event 5`, `the head
/// record`), in words.
fn recorder(by: &str) -> String {
    if let Some(n) = by
        .strip_prefix("event ")
        .and_then(|n| n.parse::<u64>().ok())
    {
        return t!("by-event", seq = n);
    }
    match by {
        "the head record" => t!("by-head-record"),
        "the store's commit record" => t!("by-commit-record"),
        "the `hash` of its export line" => t!("by-export-hash"),
        "the anchor record" => t!("by-anchor-record"),
        "the anchor record signed with the log key" => t!("by-signed-anchor"),
        "the checkpoint signed with the log key" => t!("by-signed-checkpoint"),
        other => other.to_string(),
    }
}

/// Why the history cannot be trusted, in words.
pub fn integrity(e: &IntegrityError) -> String {
    use IntegrityError as I;
    match e {
        I::HashMismatch { seq, recorded_by } => t!(
            "integrity-hash-mismatch",
            seq = *seq,
            by = recorder(recorded_by)
        ),
        I::BrokenLink { seq } => t!(
            "integrity-broken-link",
            seq = *seq,
            prev = seq.wrapping_sub(1)
        ),
        I::BadGenesis => t!("integrity-bad-genesis"),
        I::MissingSeq { expected, detail } => t!(
            "integrity-missing-seq",
            seq = *expected,
            detail = fw::seq_found(detail)
        ),
        I::Undecodable { seq, why } => {
            t!(
                "integrity-undecodable",
                seq = *seq,
                why = super::damage::decode(why)
            )
        }
        I::StoreBehindHead { store, head } => t!(
            "integrity-store-behind-head",
            store = *store,
            head = *head,
            span = hyoka::error::span(*store, *head)
        ),
        I::HeadMismatch { seq } => t!("integrity-head-mismatch", seq = *seq),
        I::HeadRecordDamaged(d) => t!("integrity-head-record-damaged", detail = fw::head_damage(d)),
        I::StoreUnreadable(d) => t!("integrity-store-unreadable", detail = fw::store_damage(d)),
        I::StoreFileMissing(d) => t!("integrity-store-file-missing", detail = fw::store_damage(d)),
        I::RuleBroken { seq, why } => {
            t!("integrity-rule-broken", seq = *seq, why = refused(why))
        }
        I::SignatureInvalid { seq, why } => {
            t!(
                "integrity-signature-invalid",
                seq = *seq,
                why = why.as_str()
            )
        }
        I::PinnedKeyMismatch { seq, detail } => t!(
            "integrity-pinned-key-mismatch",
            seq = *seq,
            detail = detail.as_str()
        ),
        I::TimeWentBackwards { seq } => t!(
            "integrity-time-went-backwards",
            seq = *seq,
            prev = seq.wrapping_sub(1)
        ),
        I::CheckpointRootMismatch {
            size,
            ledger,
            checkpoint,
        } => t!(
            "integrity-checkpoint-root-mismatch",
            size = *size,
            ledger = ledger.as_str(),
            checkpoint = checkpoint.as_str()
        ),
        I::LedgerShorterThanCheckpoint { ledger, checkpoint } => t!(
            "integrity-ledger-shorter",
            ledger = *ledger,
            checkpoint = *checkpoint,
            span = hyoka::error::span(*ledger, *checkpoint)
        ),
        I::CheckpointOtherOrigin { ledger, checkpoint } => t!(
            "integrity-checkpoint-other-origin",
            ledger = ledger.as_str(),
            checkpoint = checkpoint.as_str()
        ),
        I::CheckpointBadSignature { key } => {
            t!("integrity-checkpoint-bad-signature", key = key.as_str())
        }
        I::CheckpointNotSignedByKey { key } => {
            t!("integrity-checkpoint-not-signed", key = key.as_str())
        }
        I::SignedCheckpointDamaged(d) => t!(
            "integrity-signed-checkpoint-damaged",
            detail = super::damage::checkpoint_damage(d)
        ),
        I::ExportLineDamaged { line, why } => t!(
            "integrity-export-line-damaged",
            line = *line,
            why = super::damage::line_damage(why)
        ),
        I::ExportFieldMismatch { seq, field } => t!(
            "integrity-export-field-mismatch",
            seq = *seq,
            field = field.as_str()
        ),
        I::ExportShorterThanCheckpoint { export, checkpoint } => t!(
            "integrity-export-shorter",
            export = *export,
            checkpoint = *checkpoint,
            span = hyoka::error::span(*export, *checkpoint)
        ),
        I::EventNotInCheckpoint { seq, size } => t!(
            "integrity-event-not-in-checkpoint",
            seq = *seq,
            covers = covers(*size)
        ),
        I::ProofInvalid(d) => t!(
            "integrity-proof-invalid",
            detail = super::damage::proof_problem(d)
        ),
        I::IndexMismatch { detail } => {
            t!("integrity-index-mismatch", detail = detail.as_str())
        }
        I::SnapshotMismatch { seq, detail } => t!(
            "integrity-snapshot-mismatch",
            seq = *seq,
            detail = detail.as_str()
        ),
        I::JournalLost(d) => t!("integrity-journal-lost", detail = fw::journal_loss(d)),
        I::AnchoredEventsMissing {
            ledger,
            anchored,
            by,
        } => t!(
            "integrity-anchored-events-missing",
            ledger = *ledger,
            span = hyoka::error::span(*ledger, *anchored),
            anchored = *anchored,
            by = recorder(by)
        ),
        I::AnchorRootMismatch { size, by } => {
            t!(
                "integrity-anchor-root-mismatch",
                size = *size,
                by = recorder(by)
            )
        }
        I::AnchorRecordDamaged(d) => t!(
            "integrity-anchor-record-damaged",
            detail = fw::anchor_damage(d)
        ),
        I::LogKeyDamaged(d) => t!("integrity-log-key-damaged", detail = fw::log_key_damage(d)),
        I::MirrorFileMissing { path } => {
            t!("integrity-mirror-file-missing", path = path.as_str())
        }
        I::MirrorFileMismatch { path, first_seq } => t!(
            "integrity-mirror-file-mismatch",
            path = path.as_str(),
            seq = *first_seq
        ),
        I::MirrorBundleDamaged { path, why } => t!(
            "integrity-mirror-bundle-damaged",
            path = path.as_str(),
            detail = super::damage::bundle_damage(why)
        ),
        I::MirrorEntryMismatch { seq, path } => t!(
            "integrity-mirror-entry-mismatch",
            seq = *seq,
            path = path.as_str()
        ),
        _ => e.to_string(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::i18n::{Lang, in_lang};
    use super::*;
    use hyoka::error::IoDoing;
    use std::path::PathBuf;

    /// One error of each kind worded here.
    fn every_kind() -> Vec<Error> {
        use IntegrityError as I;
        let integrity = vec![
            I::HashMismatch {
                seq: 4,
                recorded_by: "event 5".into(),
            },
            I::HashMismatch {
                seq: 4,
                recorded_by: "the head record".into(),
            },
            I::BrokenLink { seq: 7 },
            I::BadGenesis,
            I::MissingSeq {
                expected: 3,
                detail: hyoka::error::SeqFound::Elsewhere {
                    found: 5,
                    belongs: 3,
                },
            },
            I::Undecodable {
                seq: 2,
                why: hyoka::domain::event::DecodeError::UnknownVersion(9),
            },
            I::StoreBehindHead { store: 3, head: 5 },
            I::HeadMismatch { seq: 9 },
            I::HeadRecordDamaged(hyoka::error::HeadDamage::Checksum),
            I::StoreUnreadable(hyoka::store::StoreDamage::CommitRecord),
            I::StoreFileMissing(hyoka::store::StoreDamage::Engine {
                doing: IoDoing::ReadStore("l/store".into()),
                why: hyoka::store::EngineDamage::BlobGone,
            }),
            I::RuleBroken {
                seq: 1,
                why: Refused::NoPlan,
            },
            I::SignatureInvalid {
                seq: 1,
                why: "forged".into(),
            },
            I::PinnedKeyMismatch {
                seq: 1,
                detail: "another key".into(),
            },
            I::TimeWentBackwards { seq: 8 },
            I::CheckpointRootMismatch {
                size: 3,
                ledger: "aa".into(),
                checkpoint: "bb".into(),
            },
            I::LedgerShorterThanCheckpoint {
                ledger: 3,
                checkpoint: 9,
            },
            I::CheckpointOtherOrigin {
                ledger: "a/b".into(),
                checkpoint: "c/d".into(),
            },
            I::CheckpointBadSignature { key: "k+1".into() },
            I::CheckpointNotSignedByKey { key: "k+1".into() },
            I::SignedCheckpointDamaged(hyoka::error::CheckpointDamage::TooBig(4096)),
            I::ExportLineDamaged {
                line: 4,
                why: hyoka::error::LineDamage::Truncated,
            },
            I::ExportFieldMismatch {
                seq: 4,
                field: "author".into(),
            },
            I::ExportShorterThanCheckpoint {
                export: 3,
                checkpoint: 4,
            },
            I::EventNotInCheckpoint { seq: 9, size: 360 },
            I::EventNotInCheckpoint { seq: 9, size: 1 },
            I::EventNotInCheckpoint { seq: 9, size: 0 },
            I::ProofInvalid(hyoka::error::ProofProblem::NoExtra),
            I::IndexMismatch {
                detail: "item 3".into(),
            },
            I::SnapshotMismatch {
                seq: 65535,
                detail: "x".into(),
            },
            I::JournalLost(hyoka::store::JournalLoss {
                path: "l/JOURNAL".into(),
                why: hyoka::store::Loss::BadHeader,
            }),
            I::AnchoredEventsMissing {
                ledger: 3,
                anchored: 5,
                by: "the anchor record".into(),
            },
            I::AnchorRootMismatch {
                size: 5,
                by: "the checkpoint signed with the log key".into(),
            },
            I::AnchorRecordDamaged(hyoka::error::AnchorDamage::NoValidRecord),
            I::LogKeyDamaged(hyoka::error::LogKeyDamage {
                path: "l/LOGKEY".into(),
                why: None,
            }),
            I::MirrorFileMissing {
                path: "tile/0/000".into(),
            },
            I::MirrorFileMismatch {
                path: "tile/1/000".into(),
                first_seq: 0,
            },
            I::MirrorBundleDamaged {
                path: "events/000.p/7".into(),
                why: hyoka::error::BundleDamage::BytesAfter(7),
            },
            I::MirrorEntryMismatch {
                seq: 3,
                path: "tile/entries/000.p/7".into(),
            },
        ];
        let mut out = vec![
            Error::NotInitialised(PathBuf::from("l")),
            Error::AlreadyInitialised(PathBuf::from("l")),
            Error::Busy(PathBuf::from("l"), hyoka::os::lock::Holders::Unknown),
            Error::Refused(Refused::NoPlan),
            Error::Refused(Refused::NoSuchItem(999.into())),
            Error::Refused(Refused::ItemWithdrawn(4.into())),
            Error::Refused(Refused::ItemExists(4.into())),
            Error::Refused(Refused::EarlyPoint {
                period: "平成9年度上半期".into(),
                earliest: "平成26年度上半期".into(),
            }),
            Error::Refused(Refused::NewPoint {
                period: "令和7年度上半期".into(),
                latest: "平成27年度上半期".into(),
                next: "平成27年度末".into(),
            }),
            Error::RefusedAt {
                line: 9,
                refused: Refused::NoSuchItem(4.into()),
            },
            Error::NotInCheckpoint {
                seq: 400,
                size: 360,
            },
            Error::NoSuchSeq { seq: 9, len: 3 },
            Error::KeyNotOfOrigin {
                key: "a".into(),
                origin: "b".into(),
            },
            Error::Internal("no state".into()),
            Error::MirrorConflict("tile/0/000".into()),
            Error::DiskFull {
                context: IoDoing::WriteStore("l/store".into()),
                source: std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    hyoka::error::LowSpace {
                        free_kib: 10,
                        need_kib: 16384,
                    },
                ),
            },
            Error::NoRoom {
                context: IoDoing::Import {
                    file: "sheet.csv".into(),
                    into: "l".into(),
                },
                room: hyoka::error::Room::Import {
                    events: 30000,
                    bytes: 5 << 20,
                    moved: 12,
                    snapshots: 2,
                    store: 9 << 20,
                    margin: 16 << 20,
                    free: 1 << 20,
                },
            },
            Error::Io {
                context: IoDoing::OpenStore("l".into()),
                source: std::io::Error::other(hyoka::os::safe_fs::LinkRefused::InLedger(
                    "l/store/conf".into(),
                )),
            },
            Error::Problems {
                problems: every_table_file_error().into_iter().take(3).collect(),
                omitted: 3,
            },
            Error::Table(Box::new(TableFileError::Empty { line: 1 })),
            Error::Import(Box::new(FileProblem::PeriodTwice {
                line: 2,
                period: "平成27年度上半期".into(),
            })),
        ];
        out.extend(integrity.into_iter().map(Error::Integrity));
        out.extend(
            every_rule()
                .into_iter()
                .map(|r| Error::Refused(Refused::Rule(r))),
        );
        out.extend(
            every_version1()
                .into_iter()
                .map(|v| Error::Refused(Refused::Version1(v))),
        );
        out.extend(every_text_problem().into_iter().map(Error::Text));
        out.push(Error::Integrity(I::RuleBroken {
            seq: 4,
            why: Refused::Rule(Rule::GradeNotInScale {
                grade: "Z".into(),
                scale: vec!["A".into(), "B".into()],
            }),
        }));
        out.extend([
            Error::EraNeeded {
                line: 2,
                label: "元年度末".into(),
            },
            Error::PointNeeded {
                line: 3,
                column: 4,
                header: "評価".into(),
            },
            Error::NoLayout {
                line: 1,
                tried: vec![
                    (
                        "kodaira".into(),
                        Expects::Holding(vec!["番号".into(), "項目".into()]),
                    ),
                    ("hyoka".into(), Expects::StartsWith("項目".into())),
                ],
            },
            Error::Unsigned(Unsigned::NoKey {
                author: "P1".into(),
            }),
            Error::Unsigned(Unsigned::NotCurrent {
                author: "P1".into(),
            }),
            Error::Unsettled(Unsettled::Head { why: "disk".into() }),
            Error::Unsettled(Unsettled::Anchor {
                first: 3,
                last: 5,
                why: "disk".into(),
            }),
        ]);
        out
    }

    /// How many variants an enum declares in its source: its `#[error(...)]` lines.
    fn declared(source: &str) -> usize {
        source
            .lines()
            .filter(|l| l.starts_with("    #[error"))
            .count()
    }

    /// Distinct variants among samples.
    fn distinct<T>(samples: &[T]) -> usize {
        samples
            .iter()
            .map(std::mem::discriminant)
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    fn every_text_problem() -> Vec<TextProblem> {
        vec![
            TextProblem::Empty { field: "title" },
            TextProblem::EmptyWhy { field: "reason" },
            TextProblem::Control {
                field: "remark",
                c: '\u{7}',
            },
            TextProblem::WhiteSpace {
                field: "grade",
                value: "A B".into(),
            },
            TextProblem::Invisible {
                field: "author",
                value: "や\\u{200b}まだ".into(),
                named: "U+200B ZERO WIDTH SPACE".into(),
                position: 2,
                selector: false,
            },
            TextProblem::Invisible {
                field: "heading",
                value: "a\\u{fe00}".into(),
                named: "U+FE00 VARIATION SELECTOR-1".into(),
                position: 2,
                selector: true,
            },
        ]
    }

    fn every_version1() -> Vec<Version1> {
        let mut out: Vec<Version1> = [
            V2Only::From,
            V2Only::After,
            V2Only::Cadence,
            V2Only::Exclusion,
            V2Only::Merge,
            V2Only::HeadingRename,
            V2Only::People,
            V2Only::Round,
        ]
        .into_iter()
        .map(Version1::NeedsVersion2)
        .collect();
        out.extend([
            Version1::TextId(hyoka::domain::item_id::ItemId::parse("R1-1").unwrap()),
            Version1::NotHalfYear("FY2014-Q1".into()),
            Version1::Unknown(7),
        ]);
        out
    }

    /// One of every rule of the ledger (and of each kind of data a rule's words select on).
    fn every_rule() -> Vec<Rule> {
        use Rule as R;
        let id = || hyoka::domain::item_id::ItemId::from_number(12);
        let other = || hyoka::domain::item_id::ItemId::from_number(13);
        let p = || "平成27年度上半期".to_string();
        let person = || "P1a2b".to_string();
        let mut out = vec![
            R::Text(TextProblem::Empty { field: "title" }),
            R::Period(hyoka::domain::period::Period::parse("H27下半期", None).unwrap_err()),
            R::FileName { name: "a/b".into() },
            R::Origin {
                origin: "a b".into(),
            },
            R::FirstIsPlan,
            R::PlanFirst,
            R::PlanDefined,
            R::EmptyScale,
            R::GradeTwice { grade: "A".into() },
            R::YearsBackwards {
                first: 2020,
                last: 2014,
            },
            R::WholePlanNeedsYears,
            R::RenameTaken {
                name: "総務".into(),
                existing: "総務".into(),
            },
            R::HeadingLookalike {
                name: "ＩＴ".into(),
                existing: "IT".into(),
            },
            R::HeadingExists {
                name: "総務".into(),
            },
            R::RenameChangesNothing {
                name: "総務".into(),
            },
            R::NoSuchHeading {
                name: "x".into(),
                headings: vec!["総務".into(), "財政".into()],
            },
            R::IdLookalike {
                id: hyoka::domain::item_id::ItemId::parse("r1-1").unwrap(),
                other: hyoka::domain::item_id::ItemId::parse("R1-1").unwrap(),
            },
            R::ItemZero,
            R::GradeNotInScale {
                grade: "Z".into(),
                scale: vec!["A".into(), "B".into(), "C".into()],
            },
            R::AmendChangesNothing { id: id() },
            R::NotWithdrawn { id: id() },
            R::RatingExcluded {
                id: id(),
                period: p(),
            },
            R::AlreadyRated {
                id: id(),
                grade: "A".into(),
                period: p(),
            },
            R::NoRating {
                id: id(),
                period: p(),
            },
            R::RemarkAlready {
                id: id(),
                period: p(),
            },
            R::AlreadyExcluded {
                id: id(),
                period: p(),
            },
            R::ExcludeRated {
                id: id(),
                grade: "A".into(),
                period: p(),
            },
            R::NotExcluded {
                id: id(),
                period: p(),
            },
            R::AlreadyMerged {
                id: id(),
                into: other(),
                from: p(),
            },
            R::MergeIntoItself { id: id() },
            R::MergeIntoMerged {
                into: id(),
                other: other(),
            },
            R::MergedInto {
                id: id(),
                other: other(),
            },
            R::NotMerged { id: id() },
            R::NotYetJoined {
                id: id(),
                joins: "平成27年度末".into(),
                period: p(),
            },
            R::MergedAway {
                id: id(),
                into: other(),
                from: p(),
            },
            R::AfterItself { id: id() },
            R::AfterCycle {
                id: id(),
                after: other(),
            },
            R::RelistItself { id: id() },
            R::RelistMissing {
                id: id(),
                of: other(),
            },
            R::RelistOfRelisting { of: other() },
            R::VersionMixed {
                version: 2,
                first: 1,
            },
            R::ClockBehindGiven,
            R::EnabledByOther {
                admin: "P1".into(),
                author: "P2".into(),
            },
            R::AuthorNotPerson {
                author: "P9".into(),
            },
            R::AuthorNoKey {
                author: "P9".into(),
            },
            R::NoPeople,
            R::HasPeople,
            R::NoSuchPerson { person: person() },
            R::NoRound {
                period: p(),
                open: vec![],
            },
            R::NoRound {
                period: p(),
                open: vec!["平成27年度末".into()],
            },
            R::NoRoleGiven { person: person() },
            R::RoleTwice { person: person() },
            R::PersonExists { person: person() },
            R::KeyOfAnother { other: person() },
            R::KeyUsedBefore { other: person() },
            R::FirstNotAdmin,
            R::HasRole {
                person: person(),
                role: Role::Staff,
            },
            R::LacksRole {
                person: person(),
                role: Role::Head,
            },
            R::LastAdmin,
            R::AuditorRecords { person: person() },
            R::NoKeyToRevoke { person: person() },
            R::LastAdminKey,
            R::BadDue {
                due: "2021/4/30".into(),
            },
            R::DepartmentEmpty {
                department: "財政課".into(),
                period: p(),
            },
            R::AlreadySubmitted {
                department: "財政課".into(),
                period: p(),
            },
            R::ReviewPublished { period: p() },
            R::NotSubmitted {
                id: id(),
                period: p(),
            },
            R::FirstOver {
                id: id(),
                period: p(),
            },
            R::FirstApproved {
                id: id(),
                period: p(),
            },
            R::FirstNeeded {
                id: id(),
                period: p(),
            },
            R::SecondApproved {
                id: id(),
                period: p(),
            },
            R::AlreadyPublished { period: p() },
            R::DigestMismatch {
                period: p(),
                digest: "ab".into(),
            },
            R::NotAPerson {
                author: "誰か".into(),
            },
            R::NoKey { person: person() },
            R::SubmitOther {
                person: person(),
                department: "財政課".into(),
                other: "企画課".into(),
            },
            R::DefinedOnce,
            R::RoundClosed { period: p() },
            R::UnderReview {
                id: id(),
                period: p(),
            },
        ];
        for what in [
            Decided::Rating,
            Decided::FollowUp,
            Decided::Remark,
            Decided::Excluded,
        ] {
            out.push(R::DecidedBefore {
                id: id(),
                what,
                at: p(),
                from: "平成27年度末".into(),
            });
            out.push(R::DecidedAfter {
                id: id(),
                what,
                at: p(),
                from: "平成27年度末".into(),
            });
        }
        for on in [true, false] {
            out.push(R::FollowUpAlready {
                id: id(),
                period: p(),
                on,
            });
        }
        for of in [KeyOf::Log, KeyOf::Admin, KeyOf::Person, KeyOf::New] {
            out.push(R::NotAKey {
                of,
                key: "x".into(),
                why: "not base64".into(),
            });
        }
        for status in [
            RoundStatus::Open,
            RoundStatus::Closed,
            RoundStatus::Published,
        ] {
            out.push(R::RoundExists {
                period: p(),
                status,
            });
            out.push(R::CannotSubmit {
                period: p(),
                status,
            });
            out.push(R::RoundNotOpen {
                period: p(),
                status,
            });
        }
        for n in [1usize, 2, 7] {
            let items: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
            out.push(R::NotRated {
                department: "財政課".into(),
                period: p(),
                items: items.clone(),
            });
            out.push(R::ReturnedNotRated {
                department: "財政課".into(),
                items: items.clone(),
            });
            out.push(R::Unfinished { period: p(), items });
        }
        for action in [
            Action::ChangeItems,
            Action::ManagePeople,
            Action::ChangeOthersKey,
            Action::ManageRounds,
            Action::ExcludePublished,
            Action::Exclude,
            Action::RecordOpinion,
            Action::Submit,
            Action::ReviewFirst,
            Action::ReviewSecond,
            Action::Rate,
            Action::CorrectPublished,
        ] {
            out.push(R::NeedsRole {
                person: person(),
                action,
                roles: vec![Role::Staff, Role::Head],
            });
        }
        for review in [true, false] {
            out.push(R::OtherDepartment {
                person: person(),
                department: "財政課".into(),
                review,
                id: id(),
                owner: "企画課".into(),
            });
        }
        out
    }

    /// One of every period error and of every reason a period cannot be read.
    fn every_period_error() -> (Vec<PeriodError>, Vec<Why>) {
        let label = || "令和5年度末".to_string();
        let whys = vec![
            Why::YearExpected,
            Why::BadYear,
            Why::EraYearZero,
            Why::NoEra,
            Why::YearMissing { last: false },
            Why::YearMissing { last: true },
            Why::PlanYear {
                last: true,
                input: "x".into(),
                why: Box::new(Why::YearExpected),
            },
            Why::PlanYearUnreadable {
                last: false,
                input: "平成18年度末".into(),
            },
            Why::LastInFull {
                first: 2006,
                last: 2010,
            },
            Why::Period(Box::new(PeriodError::YearOutOfRange(2300))),
            Why::UnknownTerm("下半期".into()),
            Why::NoQuarter("5".into()),
            Why::NeverExisted {
                era: Era::Heisei,
                era_year: "平成32".into(),
                month: 3,
                instead: "令和2年3月".into(),
            },
            Why::NeverExisted {
                era: Era::Reiwa,
                era_year: "令和元".into(),
                month: 3,
                instead: "平成31年3月".into(),
            },
            Why::MonthExpected,
            Why::TsukiExpected("末".into()),
            Why::NotReportingMonth(5),
            Why::NoMonth(13),
            Why::BadDay {
                day: "x日".into(),
                last: 30,
            },
            Why::NotEndDay {
                month: 6,
                day: 29,
                last: 30,
            },
            Why::YearsEmpty,
            Why::AfterYear("上半期".into()),
        ];
        let mut errors = vec![
            PeriodError::UnknownEra("showa".into()),
            PeriodError::WholePlanNeedsItsYears {
                input: "令和元年度".into(),
                years: "平成18-22年度".into(),
            },
            PeriodError::PlanYears(Box::new(PeriodError::YearOutOfRange(1900))),
            PeriodError::WholePlanWithoutYears { label: label() },
            PeriodError::NotTheWholePlan {
                label: label(),
                years: "平成18-22年度".into(),
            },
            PeriodError::OutsideYears {
                label: label(),
                years: "令和元年度-令和4年度".into(),
            },
            PeriodError::UnknownCadence("monthly".into()),
            PeriodError::YearOutOfRange(2300),
            PeriodError::YearsReversed {
                first: "令和4年度".into(),
                last: "令和元年度".into(),
            },
            PeriodError::Empty,
            PeriodError::YearAlone {
                input: "令和元年度".into(),
                year: "令和元年度".into(),
            },
            PeriodError::FourDigits("FY14-H1".into()),
            PeriodError::UnknownPart {
                input: "FY2014-X".into(),
                part: "X".into(),
            },
            PeriodError::Canonical {
                input: "FY2010-2006".into(),
                why: Box::new(PeriodError::YearsReversed {
                    first: "平成22年度".into(),
                    last: "平成18年度".into(),
                }),
            },
        ];
        for cadence in [
            Cadence::HalfYear,
            Cadence::YearEnd,
            Cadence::Quarterly,
            Cadence::WholePlan,
        ] {
            errors.push(PeriodError::NotAPointOf {
                label: label(),
                cadence,
            });
        }
        for why in &whys {
            errors.push(PeriodError::Unreadable {
                input: "H27?".into(),
                why: why.clone(),
            });
            errors.push(PeriodError::Years {
                input: "H27?".into(),
                why: why.clone(),
            });
        }
        (errors, whys)
    }

    fn every_id_problem() -> Vec<IdProblem> {
        let parse = |s: &str| match hyoka::domain::item_id::ItemId::parse(s) {
            Ok(id) => panic!("{id} was read"),
            Err(e) => e,
        };
        vec![
            parse("1\u{7}2"),
            IdProblem::Empty { input: " ".into() },
            parse(&"1".repeat(40)),
            parse("R1 1"),
            parse("-1"),
        ]
    }

    /// One of every problem of a table file (and of each kind of data its words select on).
    fn every_table_file_error() -> Vec<TableFileError> {
        use TableFileError as T;
        use hyoka::table::error::OutOfScale;
        let id = || hyoka::domain::item_id::ItemId::from_number(12);
        let h = || "26年度上半期".to_string();
        let mut out = vec![
            T::InvalidUtf8 { line: 3 },
            T::NotText {
                line: 2,
                cp932_line: 4,
            },
            T::Workbook {
                problem: "zip".into(),
            },
            T::NoSuchSheet {
                sheet: "評価".into(),
                sheets: vec!["Sheet1".into(), "表".into()],
            },
            T::InvalidUtf16 { line: 1 },
            T::Empty { line: 1 },
            T::StrayBom { line: 9 },
            T::NoHeader {
                line: 1,
                layout: "kodaira".into(),
                expected: Expects::Holding(vec!["分類".into(), "番号".into()]),
            },
            T::NoKnownLayout {
                line: 1,
                tried: vec![("hyoka".into(), Expects::StartsWith("項目".into()))],
            },
            T::DuplicateColumn {
                line: 2,
                first_column: 3,
                column: 5,
                key: "department",
                header: "所管課".into(),
            },
            T::NoPeriods { line: 2 },
            T::PeriodWithoutYear { line: 2, column: 4 },
            T::HeaderMismatch {
                line: 40,
                first_line: 2,
                expected: vec!["H27上".into()],
                found: vec!["H27下".into()],
            },
            T::NoDataRows { line: 3 },
            T::TooManyColumns {
                line: 5,
                column: 9,
                header: String::new(),
                max: 8,
                cell: "x".into(),
            },
            T::BadId {
                line: 5,
                column: 2,
                header: "項目".into(),
                cell: "スクラップ".into(),
            },
            T::IdWithNo {
                line: 5,
                column: 2,
                header: "番号".into(),
                cell: "No.27".into(),
            },
            T::MissingHeading {
                line: 4,
                column: 1,
                header: "分類".into(),
            },
            T::BadMark {
                line: 5,
                column: 7,
                header: "フォローアップ".into(),
                cell: "×".into(),
            },
            T::BadCount {
                line: 30,
                column: 4,
                header: h(),
                label: "合計".into(),
                cell: "三".into(),
            },
            T::NotInScale(Box::new(OutOfScale {
                line: 5,
                column: 4,
                header: h(),
                id: id(),
                point: "平成26年度上半期".into(),
                grade: "Z".into(),
                scale: vec!["A".into(), "B".into()],
            })),
            T::DuplicateFollowUpTotal {
                line: 31,
                first_line: 30,
            },
            T::RowAfterTotals {
                line: 32,
                totals_line: 30,
            },
            T::Csv {
                line: 3,
                message: "x".into(),
            },
        ];
        for looks_like_point in [false, true] {
            out.push(T::UnknownColumn {
                line: 2,
                column: 6,
                header: "メモ".into(),
                layout: "hyoka".into(),
                looks_like_point,
            });
        }
        for title_apart in [false, true] {
            out.push(T::TooFewColumns {
                line: 5,
                expected: 6,
                layout: RowColumns {
                    title_apart,
                    points: 2,
                    follow_up: title_apart,
                    remark: title_apart,
                },
                found: 3,
                format: "hyoka".into(),
            });
        }
        for with_id in [false, true] {
            out.push(T::MissingTitle {
                line: 5,
                column: 2,
                header: "項目".into(),
                id: id(),
                with_id,
            });
        }
        for written in ["12", "１２"] {
            out.push(T::DuplicateId {
                line: 6,
                column: 2,
                header: "番号".into(),
                first_line: 5,
                id: id(),
                written: written.into(),
                first_written: "12".into(),
            });
        }
        for (problem, fix) in [
            (
                "a double quote inside a cell that does not start with one",
                "enclose the whole cell in double quotes and double every quote inside it",
            ),
            (
                "text after the closing double quote of a cell",
                "double every quote inside a quoted cell (\"\")",
            ),
            (
                "a quoted cell starting here is never closed",
                "add the closing double quote",
            ),
        ] {
            out.push(T::CsvQuoting {
                line: 4,
                problem,
                fix,
            });
        }
        for problem in every_id_problem() {
            out.push(T::Identifier {
                line: 5,
                column: 2,
                header: "番号".into(),
                problem,
            });
        }
        for key in [
            "heading",
            "id",
            "item",
            "title",
            "follow_up",
            "remark",
            "points",
            "totals.label",
        ] {
            out.push(T::DuplicateColumn {
                line: 2,
                first_column: 3,
                column: 5,
                key,
                header: "x".into(),
            });
        }
        let two = out[..2].to_vec();
        for omitted in [0, 1, 7] {
            out.push(T::Many {
                problems: two.clone(),
                omitted,
            });
        }
        out
    }

    fn every_file_problem() -> Vec<FileProblem> {
        vec![
            FileProblem::PointGiven {
                line: 2,
                point: "H27上半期".into(),
                periods: vec!["H26上".into(), "H26下".into()],
            },
            FileProblem::PeriodColumn {
                line: 2,
                label: "H27下半期".into(),
                why: hyoka::domain::period::Period::parse("H27下半期", None).unwrap_err(),
            },
            FileProblem::PeriodTwice {
                line: 2,
                period: "平成27年度上半期".into(),
            },
            FileProblem::Totals {
                problems: vec![
                    TotalProblem::Count {
                        line: 71,
                        label: "A".into(),
                        period: "平成26年度上半期".into(),
                        stated: 58,
                        found: 59,
                    },
                    TotalProblem::Columns {
                        line: 72,
                        label: "計".into(),
                        counts: 3,
                        periods: 4,
                    },
                    TotalProblem::FollowUp {
                        line: 73,
                        stated: 5,
                        found: 6,
                    },
                ],
            },
        ]
    }

    /// A file's periods and totals: the library's English, and Japanese without English, for every
    /// variant.
    #[test]
    fn periods_and_totals_of_a_file_are_worded() {
        let problems = every_file_problem();
        let totals: Vec<TotalProblem> = problems
            .iter()
            .flat_map(|p| match p {
                FileProblem::Totals { problems } => problems.clone(),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(
            distinct(&problems) + distinct(&totals),
            include_str!("../import/error.rs")
                .split("pub enum FileProblem")
                .nth(1)
                .map_or(0, declared),
            "a variant of FileProblem or TotalProblem has no sample"
        );
        for p in &problems {
            assert_eq!(in_lang(Lang::En, || file_problem(p)), p.to_string());
            let ja = in_lang(Lang::Ja, || file_problem(p));
            assert_ne!(ja, p.to_string());
            assert!(english_run(&ja).is_none(), "{p:?}: {ja}");
        }
    }

    /// A table file's problems and an item id's: the library's English, and Japanese without English,
    /// for every variant (a variant without a sample fails here).
    #[test]
    fn table_files_and_ids_are_worded() {
        let problems = every_table_file_error();
        let ids = every_id_problem();
        assert_eq!(
            distinct(&problems),
            declared(include_str!("../table/error.rs")),
            "a variant of TableFileError has no sample"
        );
        assert_eq!(
            distinct(&ids),
            declared(include_str!("../domain/item_id.rs")),
            "a variant of IdProblem has no sample"
        );
        for e in &problems {
            assert_eq!(in_lang(Lang::En, || table_file(e)), e.to_string());
            let ja = in_lang(Lang::Ja, || table_file(e));
            assert_ne!(ja, e.to_string());
            assert!(english_run(&ja).is_none(), "{e:?}: {ja}");
        }
        for p in &ids {
            assert_eq!(in_lang(Lang::En, || item_id(p)), p.to_string());
            let ja = in_lang(Lang::Ja, || item_id(p));
            assert_ne!(ja, p.to_string());
            assert!(english_run(&ja).is_none(), "{p:?}: {ja}");
        }
    }

    /// Periods: the library's English, and Japanese without English, for every variant.
    #[test]
    fn periods_are_worded() {
        let (errors, whys) = every_period_error();
        assert_eq!(
            distinct(&errors) + distinct(&whys),
            declared(include_str!("../domain/period.rs")),
            "a variant of PeriodError or Why has no sample"
        );
        for e in &errors {
            assert_eq!(in_lang(Lang::En, || period(e)), e.to_string());
            let ja = in_lang(Lang::Ja, || period(e));
            assert_ne!(ja, e.to_string());
            assert!(english_run(&ja).is_none(), "{e:?}: {ja}");
        }
    }

    /// Every variant of the typed refusals has a sample above: a variant added to the library without
    /// one (and so, maybe, without words) fails here.
    #[test]
    fn every_variant_has_a_sample() {
        assert_eq!(
            distinct(&every_rule()),
            declared(include_str!("../domain/state/rule.rs")),
            "a variant of Rule has no sample in every_rule"
        );
        assert_eq!(
            distinct(&every_version1()),
            declared(include_str!("../domain/event/v1.rs"))
        );
        assert_eq!(
            distinct(&every_text_problem()),
            declared(include_str!("../domain/text.rs"))
        );
    }

    /// A time that cannot be read: the library's English, and Japanese without English.
    #[test]
    fn times_are_worded() {
        let problems = [
            TimeProblem::Unreadable {
                input: "yesterday".into(),
            },
            TimeProblem::OutOfRange {
                input: "9999-12-31".into(),
            },
            hyoka::domain::when::Zone::parse("Mars/Base").unwrap_err(),
            hyoka::domain::when::Zone::parse("+9").unwrap_err(),
        ];
        assert_eq!(
            distinct(&problems),
            include_str!("../domain/when.rs")
                .split("pub enum TimeProblem")
                .nth(1)
                .map_or(0, declared),
            "a variant of TimeProblem has no sample"
        );
        for p in &problems {
            assert_eq!(in_lang(Lang::En, || time(p)), p.to_string());
            let ja = in_lang(Lang::Ja, || time(p));
            assert!(english_run(&ja).is_none(), "{ja}");
            assert_ne!(ja, p.to_string());
        }
    }

    /// In Japanese, no rule's words hold a run of English words: the data (ids, periods, keys) only.
    #[test]
    fn no_rule_speaks_english_in_japanese() {
        in_lang(Lang::Ja, || {
            for r in every_rule() {
                let ja = rule(&r);
                assert!(english_run(&ja).is_none(), "{r:?}: {ja}");
            }
            for v in every_version1() {
                let ja = version1(&v);
                assert!(english_run(&ja).is_none(), "{v:?}: {ja}");
            }
        });
    }

    /// The first run of three or more English words (ASCII letters only, two or more each) in `s`;
    /// any other word (Japanese, digits, an id) ends a run.
    pub(crate) fn english_run(s: &str) -> Option<String> {
        let mut run: Vec<&str> = Vec::new();
        // Words are parted by spaces and the punctuation around them; `.`, `/`, `-` and `_` join the
        // parts of a value (an origin, a file name, an id).
        let separator = |c: char| c.is_whitespace() || ",;:()`\"".contains(c);
        for w in s.split(separator).filter(|w| !w.is_empty()) {
            if w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
                run.push(w);
                if run.len() >= 3 {
                    return Some(run.join(" "));
                }
            } else {
                run.clear();
            }
        }
        None
    }

    /// In English the words are the library's own, so that an embedder and the command line say the
    /// same.
    #[test]
    fn the_english_is_the_libraries() {
        in_lang(Lang::En, || {
            for e in every_kind() {
                assert_eq!(error(&e), e.to_string(), "{e:?}");
            }
        });
    }

    /// In Japanese every kind has its own words (no English sentence is left but the data).
    #[test]
    fn every_kind_is_worded_in_japanese() {
        in_lang(Lang::Ja, || {
            for e in every_kind() {
                let ja = error(&e);
                assert_ne!(ja, e.to_string(), "{e:?}");
                assert!(
                    ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                    "{e:?}: {ja}"
                );
            }
            assert_eq!(
                error(&Error::Refused(Refused::NoSuchItem(999.into()))),
                "項目 999 はありません"
            );
            assert_eq!(covers(360), "#0..#359 (360 イベント)");
        });
    }
}
