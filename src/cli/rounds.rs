//! Evaluation rounds on the command line: `round open|close|publish|status|notice`, `submit`, `review
//! approve|return` and `opinion`, and the draft notice (訂正のお知らせ) printed after a correction to a
//! published round. The domain decides who may do what (`State::authorize`, `State::apply`); this
//! module chooses defaults (the only open round, the stage from the reviewer's role, the reviewer's
//! department's awaiting items), builds the changes and says what happened and what comes next.

use std::path::Path;

use hyoka::domain::event::Change;
use hyoka::domain::item_id::ItemId;
use hyoka::domain::people::{Role, RoundStatus, Stage, Verdict};
use hyoka::domain::period::Period;
use hyoka::domain::state::State;
use hyoka::domain::{ident, text};
use hyoka::publish::round::{self as round_publication, NotPublishable};
use hyoka::views::round as view;

use super::commands::parse_period;
use super::ctx::Ctx;
use super::failure::Failure;
use super::i18n::t;
use super::options::{TextOrJson, Who, item_id};
use super::output::{self, out};
use super::record::record;
use super::round_args::{
    NoticeFormat, OpinionArgs, ReviewArgs, ReviewCommand, RoundCommand, RoundWho, SubmitArgs,
};
use super::who::signer_for;

/// `hyoka round ...`.
pub fn round(ctx: &Ctx, cmd: RoundCommand) -> Result<(), Failure> {
    match cmd {
        RoundCommand::Open { point, due, who } => open_round(ctx, &point, &due, &who),
        RoundCommand::Close { point, who } => close_round(ctx, &point, &who),
        RoundCommand::Publish { point, output, who } => {
            publish(ctx, &point, output.as_deref(), &who)
        }
        RoundCommand::Status { point, format } => status(ctx, &point, format),
        RoundCommand::Notice { point, format } => notice(ctx, &point, format),
    }
}

/// A due date as people write it (2021-04-30, 2021/4/30, 令和3年4月30日): the day, `YYYY-MM-DD`, in
/// Japan time.
fn due_date(s: &str) -> Result<String, Failure> {
    use hyoka::domain::when;
    // The city's calendar: Japan time whatever zone times are shown in.
    let ns = when::parse_instant_in(s, &when::Zone::japan()).map_err(|e| {
        Failure::usage(t!(
            "flag-value-problem",
            flag = "--due",
            problem = super::errors::time(&e)
        ))
    })?;
    Ok(view::jst_date(ns))
}

/// The points of the rounds of `state` whose status is one of `statuses`.
fn rounds_in(state: &State, statuses: &[RoundStatus]) -> Vec<Period> {
    state
        .rounds
        .iter()
        .filter(|(_, r)| statuses.contains(&r.status))
        .map(|(p, _)| *p)
        .collect()
}

/// The point given, or else the only round whose status is one of `statuses` (`what` names them in
/// the messages: `open`, `under way`, as the catalogue words them).
fn point_or_only(
    state: &State,
    point: Option<&str>,
    statuses: &[RoundStatus],
    what: &str,
) -> Result<Period, Failure> {
    let what = match what {
        "open" => t!("rounds-open"),
        _ => t!("rounds-under-way"),
    };
    if let Some(p) = point {
        return parse_period(state, p);
    }
    match rounds_in(state, statuses).as_slice() {
        [one] => Ok(*one),
        [] => Err(Failure::from(t!("round-none", what = what))),
        several => {
            let labels: Vec<String> = several.iter().map(|p| p.label()).collect();
            Err(Failure::usage(t!(
                "round-several",
                count = several.len(),
                what = what,
                points = labels.join(&t!("list-separator"))
            )))
        }
    }
}

/// The round of `period`, or the failure saying there is none (with the open rounds).
fn no_round(state: &State, period: Period) -> Failure {
    let open = rounds_in(state, &[RoundStatus::Open]);
    let open = match open.is_empty() {
        true => t!("round-no-other-open"),
        false => t!(
            "round-open-list",
            points = open
                .iter()
                .map(|p| p.label())
                .collect::<Vec<_>>()
                .join(&t!("list-separator"))
        ),
    };
    Failure::from(t!("round-no-round", point = period.label(), open = open))
}

fn open_round(ctx: &Ctx, point: &str, due: &str, who: &RoundWho) -> Result<(), Failure> {
    let due = due_date(due)?;
    let mut ledger = super::anchoring::open_write(ctx)?;
    let period = parse_period(ledger.current()?, point)?;
    let change = Change::RoundOpened {
        period,
        due: due.clone(),
    };
    record(&mut ledger, &who.or_reason("評価ラウンドの開始"), &[change])?;
    out(t!("round-opened", point = period.label(), due = due));
    Ok(())
}

fn close_round(ctx: &Ctx, point: &str, who: &RoundWho) -> Result<(), Failure> {
    let mut ledger = super::anchoring::open_write(ctx)?;
    let period = parse_period(ledger.current()?, point)?;
    record(
        &mut ledger,
        &who.or_reason("評価ラウンドの締切"),
        &[Change::RoundClosed { period }],
    )?;
    out(t!("round-closed", point = period.label()));
    Ok(())
}

fn publish(ctx: &Ctx, point: &str, output: Option<&Path>, who: &RoundWho) -> Result<(), Failure> {
    if let Some(path) = output {
        output::refuse_inside_ledger(&ctx.ledger, path, "--output")?;
    }
    let mut ledger = super::anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    let period = parse_period(state, point)?;
    if !state.rounds.contains_key(&period) {
        return Err(no_round(state, period));
    }
    let held = super::anchoring::held_log_key(ctx)?;
    // Publication signs a checkpoint with the log key: refused before anything is recorded when this
    // writer does not hold it (the same checks and batch as the server's, `publish::round`).
    let p = round_publication::prepare(state, period, held.as_ref()).map_err(|e| match e {
        NotPublishable::NoRound => no_round(state, period),
        NotPublishable::NoLogKey => Failure::from(t!(
            "publish-no-log-key",
            file = super::anchoring::default_log_key(&ctx.ledger).display()
        )),
        NotPublishable::OtherLogKey => Failure::from(t!(
            "publish-other-log-key",
            key = held
                .as_ref()
                .map(|k| format!("{}+{:08x}", text::escape(k.name()), k.key_id()))
                .unwrap_or_default()
        )),
    })?;
    let (table, digest, log_key) = (p.table, p.table_sha256, p.log_key);
    record(&mut ledger, &who.or_reason("評価結果の公表"), &p.changes)?;
    if let Some(path) = output {
        super::keys::replace_file(path, &table)?;
        eprintln!(
            "{}",
            t!(
                "publish-wrote-table",
                point = period.label(),
                bytes = table.len(),
                file = path.display()
            )
        );
    }
    out(t!(
        "publish-published",
        point = period.label(),
        sha256 = hex::encode(digest)
    ));
    let bar = output::progress(ledger.len(), &t!("progress-verifying"));
    let signed = round_publication::sign(
        &ledger,
        &log_key,
        super::clock::file_time(),
        &mut |done, _| bar.set_position(done),
    );
    bar.finish_and_clear();
    let signed = signed.map_err(|e| {
        let f = super::tlog::refusal(e, ledger.dir());
        Failure {
            message: t!("publish-not-signed", error = f.message),
            ..f
        }
    })?;
    out(t!(
        "publish-checkpoint",
        size = signed.checkpoint.size,
        key = format!("{}+{:08x}", text::escape(log_key.name()), log_key.key_id())
    ));
    super::tlog::print_text(&signed.note);
    Ok(())
}

fn status(ctx: &Ctx, point: &str, format: TextOrJson) -> Result<(), Failure> {
    let now = super::clock::now()?;
    let mut ledger = super::anchoring::open_read(ctx)?;
    let state = ledger.current()?;
    let period = parse_period(state, point)?;
    let v = view::round_status(state, period, now).ok_or_else(|| no_round(state, period))?;
    drop(ledger);
    match format {
        TextOrJson::Json => out(serde_json::to_string(&v)
            .map_err(|e| Failure::from(t!("cannot-write-json", error = e.to_string())))?),
        TextOrJson::Text => {
            let width = super::output::terminal_width().unwrap_or(super::view_cmds::DEFAULT_WIDTH);
            out(view::round_status_text(&v, width).trim_end());
        }
    }
    Ok(())
}

fn notice(ctx: &Ctx, point: &str, format: NoticeFormat) -> Result<(), Failure> {
    let mut ledger = super::anchoring::open_read(ctx)?;
    let state = ledger.current()?;
    let period = parse_period(state, point)?;
    let round = state
        .rounds
        .get(&period)
        .ok_or_else(|| no_round(state, period))?;
    if round.status != RoundStatus::Published {
        return Err(Failure::from(t!(
            "notice-not-published",
            point = period.label(),
            status = round.status.id()
        )));
    }
    let n = ledger.round_notice(period)?;
    drop(ledger);
    match format {
        NoticeFormat::Json => out(serde_json::to_string(&n)
            .map_err(|e| Failure::from(t!("cannot-write-json", error = e.to_string())))?),
        NoticeFormat::Md => out(view::notice_markdown(&n).trim_end()),
    }
    Ok(())
}

/// The department named `name` among those with items at `period` (its spelling in the ledger:
/// names compare under NFKC), or the failure listing them.
fn department_named(state: &State, period: Period, name: &str) -> Result<String, Failure> {
    let mut departments: Vec<&str> = Vec::new();
    for i in state.items_in_order() {
        if i.in_plan_at(period) && !departments.contains(&i.department.as_str()) {
            departments.push(&i.department);
        }
    }
    departments
        .iter()
        .find(|d| ident::same(d, name.trim()))
        .map(|d| d.to_string())
        .ok_or_else(|| {
            Failure::from(t!(
                "round-no-department",
                department = text::escape(name),
                point = period.label(),
                departments = text::escape(&departments.join(&t!("list-separator")))
            ))
        })
}

/// The registered person whose key `who` gives (in a ledger with people), with their id.
fn person<'a>(
    state: &'a State,
    who: &Who,
) -> Result<Option<&'a hyoka::domain::people::PersonState>, Failure> {
    if state.people.is_none() {
        return Ok(None);
    }
    let (id, _) = signer_for(state, who.author.as_deref(), who.key.as_deref())?;
    Ok(state.people.as_ref().and_then(|p| p.get(&id)))
}

pub fn submit(ctx: &Ctx, args: SubmitArgs) -> Result<(), Failure> {
    let who = args.who.or_reason("評価の提出");
    let mut ledger = super::anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    let period = point_or_only(state, args.point.as_deref(), &[RoundStatus::Open], "open")?;
    let department = match &args.department {
        Some(d) => department_named(state, period, d)?,
        None => match person(state, &who)? {
            Some(p) => p.department.clone(),
            None => {
                return Err(Failure::usage(t!("submit-which-department")));
            }
        },
    };
    let n = state.items_of(&department, period).len();
    let change = Change::Submitted {
        period,
        department: department.clone(),
    };
    record(&mut ledger, &who, &[change])?;
    out(t!(
        "submitted",
        count = n,
        department = text::escape(&department),
        point = period.label()
    ));
    Ok(())
}

/// The stage a reviewer reviews at by default: a head (課長) at 1次評価, 行革本部 at 2次評価.
fn stage_of(state: &State, who: &Who) -> Result<Stage, Failure> {
    let Some(p) = person(state, who)? else {
        return Err(Failure::usage(t!("review-which-stage")));
    };
    match (p.has(Role::Head), p.has(Role::Hq)) {
        (true, true) => Err(Failure::usage(t!("review-both-stages"))),
        (false, true) => Ok(Stage::Second),
        // Anyone else is refused by the ledger, saying which role reviewing needs.
        _ => Ok(Stage::First),
    }
}

pub fn review(ctx: &Ctx, cmd: ReviewCommand) -> Result<(), Failure> {
    let (verdict, args) = match cmd {
        ReviewCommand::Approve(a) => (Verdict::Approve, a),
        ReviewCommand::Return(a) => (Verdict::Return, a),
    };
    let ReviewArgs {
        item,
        department,
        stage,
        point,
        who,
    } = args;
    let mut ledger = super::anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    let period = point_or_only(
        state,
        point.as_deref(),
        &[RoundStatus::Open, RoundStatus::Closed],
        "under way",
    )?;
    let stage = match stage {
        Some(1) => Stage::First,
        Some(_) => Stage::Second,
        None => stage_of(state, &who)?,
    };
    let review = |item: ItemId| Change::Reviewed {
        period,
        item,
        stage,
        verdict,
    };
    let (changes, dept) = match (item, department) {
        (Some(id), _) => (vec![review(item_id(&id)?)], None),
        (None, Some(d)) => {
            let d = department_named(state, period, &d)?;
            let round = state
                .rounds
                .get(&period)
                .ok_or_else(|| no_round(state, period))?;
            let items = state.items_of(&d, period);
            let awaiting: Vec<ItemId> = items
                .iter()
                .filter(|i| !state.is_excluded(i, period))
                .filter(|i| {
                    let r = round.review(i);
                    r.submitted
                        && match stage {
                            Stage::First => !r.first,
                            Stage::Second => r.first && !r.second,
                        }
                })
                .map(|i| (*i).clone())
                .collect();
            if awaiting.is_empty() {
                let submitted = items.iter().any(|i| round.review(i).submitted);
                let next = match submitted {
                    false => t!("review-not-submitted", department = text::escape(&d)),
                    true => t!("review-see-status", point = period.label()),
                };
                return Err(Failure::from(t!(
                    "review-nothing-awaits",
                    department = text::escape(&d),
                    stage = stage.label(),
                    point = period.label(),
                    next = next
                )));
            }
            (awaiting.into_iter().map(review).collect(), Some(d))
        }
        (None, None) => return Err(Failure::usage(t!("review-no-item"))),
    };
    let n = changes.len();
    record(&mut ledger, &who, &changes)?;
    let what = match &dept {
        Some(d) => t!("review-items-of", count = n, department = text::escape(d)),
        None => t!("review-the-item"),
    };
    out(match (verdict, stage) {
        (Verdict::Return, _) => t!("review-returned", what = what, count = n),
        (Verdict::Approve, Stage::First) => t!("review-approved-first", what = what),
        (Verdict::Approve, Stage::Second) => {
            t!(
                "review-approved-second",
                what = what,
                point = period.label()
            )
        }
    });
    Ok(())
}

pub fn opinion(ctx: &Ctx, args: OpinionArgs) -> Result<(), Failure> {
    let who = args.who.or_reason("外部委員会の意見");
    let mut ledger = super::anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    let period = point_or_only(
        state,
        args.point.as_deref(),
        &[RoundStatus::Open, RoundStatus::Closed],
        "under way",
    )?;
    let item = args.item.as_deref().map(item_id).transpose()?;
    let change = Change::OpinionRecorded {
        period,
        item,
        text: args.text,
    };
    record(&mut ledger, &who, &[change])
}
