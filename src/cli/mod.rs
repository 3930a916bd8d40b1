//! The `hyoka` command: every command here is a few lines over the library. This module builds the
//! context of a command from the arguments (`args`) and dispatches it to the module that runs it; a
//! failure is printed as one line, with its exit code (`failure`).

mod anchoring;
mod args;
mod audit_cmds;
mod backup;
mod clock;
mod commands;
mod config;
mod ctx;
mod damage;
mod demo;
mod errors;
pub mod failure;
mod fetch;
mod file_words;
mod hints;
pub(crate) mod i18n;
mod keys;
mod names;
mod offline;
mod options;
mod output;
mod pager;
mod people;
mod publish;
mod record;
mod round_args;
mod rounds;
mod serve;
mod sheets;
mod tlog;
mod usage;
mod view_cmds;
mod who;
mod words;

use std::process::ExitCode;
use std::time::Duration;

use args::{Cli, Command, KeyCommand, PeopleCommand};
use ctx::Ctx;
use failure::Failure;
use i18n::t;
use options::{OnOff, Switch, item_id};

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

/// Reads the config file, chooses the language (`--lang`, `HYOKA_LANG`, the file's `language`, the
/// locale), parses arguments (the file's values as their defaults, the help in that language), runs the
/// command in the time zone asked for, prints errors, returns the exit code.
pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    few_malloc_arenas();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let env = |name: &str| std::env::var(name).ok();
    // What reading the config file says is in the language chosen without it.
    i18n::set(i18n::choose(i18n::lang_flag(&args).as_deref(), None, &env));
    let config = config::load();
    let configured = config
        .as_ref()
        .ok()
        .and_then(|c| c.language)
        .map(|l| match l {
            config::Language::Ja => "ja",
            config::Language::En => "en",
        });
    let lang = i18n::choose(i18n::lang_flag(&args).as_deref(), configured, &env);
    i18n::set(lang);
    let command = match &config {
        Ok(c) => c.apply(Cli::command()),
        // A bad config file still lets --help, --version, completions and the manual page work.
        Err(_) => Cli::command(),
    };
    let cli = match i18n::localized_command(command, lang)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => match usage::japanese(&e, lang) {
            Some(text) => {
                // What the user typed is in it: no control character reaches the terminal.
                for line in text.lines() {
                    eprintln!("{}", hyoka::domain::text::escape(line));
                }
                return ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    match (config, &cli.command) {
        (Ok(_), _) | (Err(_), Command::Completions { .. } | Command::Man { .. }) => {}
        (Err(f), _) => return fail(&f),
    }
    let ctx = match context(&cli) {
        Ok(ctx) => ctx,
        Err(f) => return fail(&f),
    };
    hyoka::views::width::set_ambiguous_wide(cli.ambiguous_width == 2);
    let pager = pager::Pager::start(!cli.no_pager && paged(&cli.command));
    let code = match hyoka::domain::when::in_zone(&ctx.zone, || run(&ctx, cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => fail(&f),
    };
    pager.finish();
    code
}

/// Prints a failure as one line and returns its exit code.
fn fail(f: &Failure) -> ExitCode {
    let line = hyoka::domain::text::escape(&f.line());
    eprintln!("{}", t!("error-line", line = line));
    ExitCode::from(f.code)
}

/// The context of a command from its global options (their defaults from the config file).
fn context(cli: &Cli) -> Result<Ctx, Failure> {
    let wait = if cli.wait.is_finite() && cli.wait >= 0.0 {
        Duration::from_secs_f64(cli.wait.min(86_400.0))
    } else {
        return Err(Failure::usage(t!("wait-not-seconds")));
    };
    let zone = hyoka::domain::when::Zone::parse(&cli.tz)
        .map_err(|e| Failure::usage(format!("--tz: {}", errors::time(&e))))?;
    Ok(Ctx {
        ledger: cli.ledger.clone(),
        wait,
        log_key: cli.log_key.clone(),
        zone,
    })
}

/// Whether a command's output is a view read on screen, paged on a terminal ([`pager`]).
fn paged(command: &Command) -> bool {
    matches!(
        command,
        Command::Table { output: None, .. }
            | Command::Summary { .. }
            | Command::History { .. }
            | Command::Blame { .. }
            | Command::Diff { .. }
            | Command::Changes { .. }
            | Command::Log { .. }
    )
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
                    return Err(Failure::usage(t!("init-admin-needs-keys")));
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
        Command::Log { format, full } => c::log(ctx, format, full),
        Command::Verify {
            format,
            vkey,
            mirror: Some(target),
            ..
        } => offline::verify_mirror(&target, vkey.as_deref(), format),
        Command::Verify {
            format,
            vkey,
            publication: Some(dir),
            ..
        } => publish::verify_publication(ctx, &dir, vkey.as_deref(), format),
        Command::Verify {
            format,
            checkpoint,
            vkey,
            export: Some(file),
            ..
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
                        "{}",
                        t!("note-line", line = t!("prove-bare-seq", seq = s.seq))
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
        Command::Mirror { dir } => tlog::mirror(ctx, &dir),
        Command::Publish {
            point,
            out,
            tiles,
            encoding,
            no_bom,
            force,
        } => publish::publish(
            ctx,
            publish::PublishArgs {
                point,
                out,
                tiles,
                encoding,
                no_bom,
                force,
            },
        ),
        Command::Key(KeyCommand::Generate { name, output }) => {
            tlog::key_generate(ctx, name.as_deref(), &output)
        }
        Command::Key(KeyCommand::Use { file }) => anchoring::key_use(ctx, &file),
        Command::Anchor { state } => anchoring::anchor(ctx, state.map(|s| s == Switch::On)),
        Command::Sheets {
            out,
            point,
            departments,
            format,
            force,
        } => sheets::sheets(
            ctx,
            sheets::SheetsArgs {
                out,
                point,
                departments,
                format,
                force,
            },
        ),
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
            marks,
            time,
        } => view_cmds::table(
            ctx,
            &time,
            marks.as_deref(),
            format,
            full,
            !no_bom,
            output.as_deref(),
        ),
        Command::Summary {
            format,
            by,
            marks,
            time,
        } => view_cmds::summary(ctx, &time, marks.as_deref(), by.map(Into::into), format),
        Command::Changes {
            from,
            to,
            moves,
            format,
            time,
        } => view_cmds::changes(ctx, &time, &from, &to, moves, format),
        Command::History {
            item,
            all,
            item_flag,
            since,
            until,
            department,
            period,
            author,
            format,
            full,
        } => audit_cmds::history(
            ctx,
            &audit_cmds::HistoryQuery {
                item: item.or(item_flag).as_deref().map(item_id).transpose()?,
                all,
                period: period.as_deref(),
                author: author.as_deref(),
                department: department.as_deref(),
                // Read here, not by clap, so that a date is a day in the zone asked for.
                since: bound_arg("--since", since.as_deref())?,
                until: bound_arg("--until", until.as_deref())?,
            },
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
            every,
            format,
            full,
        } => audit_cmds::diff(ctx, &from, &to, every, format, full),
        Command::Demo { serve, listen } => demo::demo(serve.then_some(listen)),
        Command::Serve {
            listen,
            log_dir,
            behind_https,
            tls_cert,
            tls_key,
        } => serve::serve(
            ctx,
            listen,
            log_dir.as_deref(),
            behind_https,
            tls_cert.as_deref().zip(tls_key.as_deref()),
        ),
        Command::Completions { shell } => completions(shell),
        Command::Man { out } => manual(out.as_deref()),
    }
}

/// A bound of `history --since/--until` ([`options::bound`]); one that cannot be read is a usage error.
fn bound_arg(flag: &str, s: Option<&str>) -> Result<Option<options::Bound>, Failure> {
    s.map(options::bound)
        .transpose()
        .map_err(|e| Failure::usage(format!("{flag}: {e}")))
}

/// `hyoka completions SHELL`: the completion script, generated from the argument definitions.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut out = Vec::new();
    let mut cmd = i18n::localized_command(<Cli as clap::CommandFactory>::command(), i18n::lang());
    clap_complete::generate(shell, &mut cmd, "hyoka", &mut out);
    output::write_stdout(&out)
}

/// `hyoka man`: the manual page, generated from the argument definitions (the text of `--help`); with
/// `out`, it and one page per command, written into that directory.
fn manual(out: Option<&std::path::Path>) -> Result<(), Failure> {
    let pages = manual_pages().map_err(|e| t!("man-cannot-render", error = e.to_string()))?;
    let Some(dir) = out else {
        return match pages.first() {
            Some((_, page)) => output::write_stdout(page),
            None => Err(Failure::from(t!("man-none"))),
        };
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        t!(
            "cannot-create-file",
            file = dir.display(),
            error = damage::os(&e)
        )
    })?;
    for (name, page) in &pages {
        let path = dir.join(name);
        hyoka::os::safe_fs::replace_path(&path, 0o644, &mut |f| std::io::Write::write_all(f, page))
            .map_err(|e| {
                t!(
                    "cannot-write-file",
                    file = path.display(),
                    error = damage::os(&e)
                )
            })?;
    }
    eprintln!(
        "{}",
        t!("man-wrote", count = pages.len(), dir = dir.display())
    );
    Ok(())
}

/// Every manual page: `hyoka.1` first, then one per command and subcommand (`hyoka-person-key-rotate.1`),
/// with their file names.
fn manual_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut page = Vec::new();
        man.render(&mut page)?;
        pages.push((man.get_filename(), page));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages)?;
        }
        Ok(())
    }
    let cmd = Cli::command().disable_help_subcommand(true);
    let cmd = i18n::localized_command(cmd, i18n::lang());
    let mut pages = Vec::new();
    walk(&cmd, &mut pages)?;
    Ok(pages)
}

#[cfg(test)]
mod tests {
    /// The manual has a page for every command and subcommand, and each page lists its subcommands.
    #[test]
    fn the_manual_has_every_command() {
        use clap::CommandFactory;
        /// Every command's page name, with its parent's.
        fn paths(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, String)>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{prefix}-{}", sub.get_name());
                out.push((path.clone(), prefix.to_string()));
                paths(sub, &path, out);
            }
        }
        let mut all = Vec::new();
        paths(&super::Cli::command(), "hyoka", &mut all);
        assert!(all.len() > 40, "{all:?}");
        let pages = super::manual_pages().unwrap();
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "hyoka.1");
        assert_eq!(names.len(), all.len() + 1, "{names:?}");
        for (path, parent) in &all {
            let file = format!("{path}.1");
            let page = pages
                .iter()
                .find(|(n, _)| *n == file)
                .unwrap_or_else(|| panic!("no page {file}"));
            let text = String::from_utf8_lossy(&page.1);
            assert!(text.contains(".SH SYNOPSIS"), "{file}");
            // The page of its parent lists it.
            let parent_page = &pages
                .iter()
                .find(|(n, _)| *n == format!("{parent}.1"))
                .unwrap()
                .1;
            assert!(
                String::from_utf8_lossy(parent_page)
                    .contains(&format!("{}(1)", path.replace('-', "\\-"))),
                "{parent}.1 does not list {path}"
            );
        }
    }
}
