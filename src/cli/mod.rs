//! The `hyoka` command: every command here is a few lines over the library. This module builds the
//! context of a command from the arguments (`args`) and dispatches it to the module that runs it; a
//! failure is printed as one line, with its exit code (`failure`).

mod anchoring;
mod args;
mod audit_cmds;
mod backup;
mod clock;
mod commands;
mod ctx;
mod demo;
pub mod failure;
mod hints;
mod keys;
mod names;
mod offline;
mod options;
mod output;
mod people;
mod round_args;
mod rounds;
mod tlog;
mod view_cmds;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use args::{Cli, Command, KeyCommand, PeopleCommand};
use ctx::Ctx;
use failure::{EXIT_USAGE, Failure};
use options::{OnOff, Switch, item_id};

/// Parses arguments, runs the command, prints errors, returns the exit code.
/// glibc gives each thread that allocates its own malloc arena, and each arena reserves 64 MiB of
/// address space: with verify's two threads and the store's, hyoka came within a few MiB of the
/// 512 MiB address space it is tested in (`RLIMIT_AS`, RELIABILITY.md). hyoka runs few threads that
/// allocate little at once; two arenas serve them.
fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; it is called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

pub fn main() -> ExitCode {
    few_malloc_arenas();
    let cli = Cli::parse();
    let wait = if cli.wait.is_finite() && cli.wait >= 0.0 {
        Duration::from_secs_f64(cli.wait.min(86_400.0))
    } else {
        eprintln!("error: --wait must be a number of seconds, 0 or more");
        return ExitCode::from(EXIT_USAGE);
    };
    let ctx = Ctx {
        ledger: cli.ledger,
        wait,
        log_key: cli.log_key,
    };
    match run(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", hyoka::domain::text::escape(&f.line()));
            ExitCode::from(f.code)
        }
    }
}

fn run(ctx: &Ctx, command: Command) -> Result<(), Failure> {
    use commands as c;
    match command {
        Command::Init {
            plan,
            grades,
            era,
            origin,
            cadence,
            years,
            admin,
            department,
            vkey,
            key,
            author,
            reason,
        } => {
            // clap requires --vkey and --key with --admin.
            let admin = match (&admin, &vkey, &key) {
                (Some(name), Some(vkey), Some(key)) => Some(people::Admin {
                    name,
                    department: department.as_deref().unwrap_or(people::ADMIN_DEPARTMENT),
                    vkey,
                    key,
                }),
                (Some(_), _, _) => {
                    return Err(Failure::usage(
                        "--admin needs the administrator's keys: give --vkey VKEY and --key FILE",
                    ));
                }
                _ => None,
            };
            c::init(
                ctx,
                c::InitArgs {
                    plan: &plan,
                    grades: &grades,
                    era: era.map(Into::into),
                    origin,
                    cadence: cadence.as_deref(),
                    years: years.as_deref(),
                },
                &author,
                &reason,
                admin.as_ref(),
            )
        }
        Command::Item(cmd) => c::item(ctx, cmd),
        Command::Rate {
            item,
            period,
            grade,
            who,
        } => c::rate(ctx, item_id(&item)?, &period, &grade, &who),
        Command::Unrate { item, period, who } => c::unrate(ctx, item_id(&item)?, &period, &who),
        Command::Heading(cmd) => c::heading(ctx, cmd),
        Command::Round(cmd) => rounds::round(ctx, cmd),
        Command::Submit(args) => rounds::submit(ctx, args),
        Command::Review(cmd) => rounds::review(ctx, cmd),
        Command::Opinion(args) => rounds::opinion(ctx, args),
        Command::Flag {
            item,
            state,
            period,
            who,
        } => c::flag(
            ctx,
            item_id(&item)?,
            state == OnOff::On,
            period.as_deref(),
            &who,
        ),
        Command::Remark {
            item,
            text,
            period,
            who,
        } => c::remark(ctx, item_id(&item)?, &text, period.as_deref(), &who),
        Command::Log { format } => c::log(ctx, format),
        Command::Verify {
            format,
            checkpoint,
            vkey,
            export: Some(file),
        } => offline::verify_export(&file, checkpoint.as_deref(), vkey.as_deref(), format),
        Command::Verify {
            format,
            checkpoint: None,
            vkey,
            ..
        } => c::verify(ctx, format, vkey.as_deref()),
        Command::Verify {
            format,
            checkpoint: Some(file),
            vkey,
            ..
        } => tlog::verify(ctx, format, &file, vkey.as_deref()),
        Command::Prove {
            seq,
            consistency,
            checkpoint,
            key,
            output,
        } => offline::prove(
            ctx,
            seq.map(|s| {
                if s.bare {
                    eprintln!(
                        "note: read {n} as the event seq:{n} (events are named seq:N, as in `hyoka diff`)",
                        n = s.seq
                    );
                }
                s.seq
            }),
            consistency.as_deref(),
            checkpoint.as_deref(),
            key.as_deref(),
            output.as_deref(),
        ),
        Command::VerifyProof { file, vkey, format } => {
            offline::verify_proof(&file, vkey.as_deref(), format)
        }
        Command::VerifyConsistency {
            file,
            old,
            vkey,
            format,
        } => offline::verify_consistency(&file, &old, vkey.as_deref(), format),
        Command::Export { output } => offline::export(ctx, output.as_deref()),
        Command::Restore {
            file,
            checkpoint,
            vkey,
        } => offline::restore(ctx, &file, checkpoint.as_deref(), vkey.as_deref()),
        Command::Backup { dir, key } => backup::backup(ctx, &dir, key.as_deref()),
        Command::Checkpoint { key, output } => {
            tlog::checkpoint(ctx, key.as_deref(), output.as_deref())
        }
        Command::Key(KeyCommand::Generate { name, output }) => {
            tlog::key_generate(ctx, name.as_deref(), &output)
        }
        Command::Key(KeyCommand::Use { file }) => anchoring::key_use(ctx, &file),
        Command::Anchor { state } => anchoring::anchor(ctx, state.map(|s| s == Switch::On)),
        Command::Import {
            file,
            layout,
            sheet,
            point,
            author,
            key,
            reason,
            era,
            plan,
            origin,
            dry_run,
            prefer_file,
            new_point,
            format,
        } => c::import(
            ctx,
            format,
            c::ImportArgs {
                file,
                layout,
                sheet,
                point,
                author,
                key,
                reason,
                era: era.map(Into::into),
                plan,
                origin,
                dry_run,
                prefer_file,
                new_point,
            },
        ),
        Command::Person(cmd) => people::person(ctx, cmd),
        Command::People(PeopleCommand::Enable {
            admin,
            department,
            vkey,
            key,
            reason,
        }) => people::enable(
            ctx,
            &people::Admin {
                name: &admin,
                department: &department,
                vkey: &vkey,
                key: &key,
            },
            &reason,
        ),
        Command::Table {
            format,
            full,
            no_bom,
            output,
            time,
        } => view_cmds::table(ctx, &time, format, full, !no_bom, output.as_deref()),
        Command::Summary { format, time } => view_cmds::summary(ctx, &time, format),
        Command::History {
            item,
            all,
            period,
            author,
            format,
            full,
        } => audit_cmds::history(
            ctx,
            item.as_deref().map(item_id).transpose()?,
            all,
            period.as_deref(),
            author.as_deref(),
            format,
            full,
        ),
        Command::Blame {
            period,
            format,
            full,
            time,
        } => audit_cmds::blame(ctx, &time, period.as_deref(), format, full),
        Command::Diff {
            from,
            to,
            format,
            full,
        } => audit_cmds::diff(ctx, &from, &to, format, full),
        Command::Demo => demo::demo(),
        Command::Completions { shell } => completions(shell),
        Command::Man => manual(),
    }
}

/// `hyoka completions SHELL`: the completion script, generated from the argument definitions.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hyoka", &mut out);
    output::write_stdout(&out)
}

/// `hyoka man`: the manual page, generated from the argument definitions (the text of `--help`).
fn manual() -> Result<(), Failure> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Failure::from(format!("cannot render the manual page: {e}")))?;
    output::write_stdout(&out)
}
