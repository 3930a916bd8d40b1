//! End-to-end tests of the `hyoka` command: one test binary, one module per area (as jj does).

#[path = "common/mod.rs"]
mod common;

#[path = "runner/browser.rs"]
mod browser;
#[path = "runner/serving.rs"]
mod serving;
#[path = "runner/test_audit.rs"]
mod test_audit;
#[path = "runner/test_audit_pages.rs"]
mod test_audit_pages;
#[path = "runner/test_backup.rs"]
mod test_backup;
#[path = "runner/test_browser.rs"]
mod test_browser;
#[path = "runner/test_browser_audit.rs"]
mod test_browser_audit;
#[path = "runner/test_browser_public.rs"]
mod test_browser_public;
#[path = "runner/test_checkpoint.rs"]
mod test_checkpoint;
#[path = "runner/test_clock.rs"]
mod test_clock;
#[path = "runner/test_compat.rs"]
mod test_compat;
#[path = "runner/test_concurrency.rs"]
mod test_concurrency;
#[path = "runner/test_config.rs"]
mod test_config;
#[path = "runner/test_core.rs"]
mod test_core;
#[path = "runner/test_export.rs"]
mod test_export;
#[path = "runner/test_format_doc.rs"]
mod test_format_doc;
#[path = "runner/test_fuzz_parsers.rs"]
mod test_fuzz_parsers;
#[path = "runner/test_guards.rs"]
mod test_guards;
#[path = "runner/test_help_examples.rs"]
mod test_help_examples;
#[path = "runner/test_hostile.rs"]
mod test_hostile;
#[path = "runner/test_i18n.rs"]
mod test_i18n;
#[path = "runner/test_identity.rs"]
mod test_identity;
#[path = "runner/test_import.rs"]
mod test_import;
#[path = "runner/test_input.rs"]
mod test_input;
#[path = "runner/test_integrity.rs"]
mod test_integrity;
#[path = "runner/test_kill_loop.rs"]
mod test_kill_loop;
#[path = "runner/test_layouts.rs"]
mod test_layouts;
#[path = "runner/test_mirror.rs"]
mod test_mirror;
#[path = "runner/test_pages.rs"]
mod test_pages;
#[path = "runner/test_people.rs"]
mod test_people;
#[path = "runner/test_plans.rs"]
mod test_plans;
#[path = "runner/test_public_pages.rs"]
mod test_public_pages;
#[path = "runner/test_publish.rs"]
mod test_publish;
#[path = "runner/test_reader_views.rs"]
mod test_reader_views;
#[path = "runner/test_readme.rs"]
mod test_readme;
#[path = "runner/test_rounds.rs"]
mod test_rounds;
#[path = "runner/test_rules.rs"]
mod test_rules;
#[path = "runner/test_schema.rs"]
mod test_schema;
#[path = "runner/test_serve.rs"]
mod test_serve;
#[path = "runner/test_serve_admin.rs"]
mod test_serve_admin;
#[path = "runner/test_sheets.rs"]
mod test_sheets;
#[path = "runner/test_storage.rs"]
mod test_storage;
#[path = "runner/test_terminal.rs"]
mod test_terminal;
#[path = "runner/test_time_axes.rs"]
mod test_time_axes;
#[path = "runner/test_transcripts.rs"]
mod test_transcripts;
#[path = "runner/test_view_cli.rs"]
mod test_view_cli;
#[path = "runner/test_zone.rs"]
mod test_zone;
