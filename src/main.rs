//! The `hyoka` command: a thin layer that parses arguments, calls the library and renders its answers.

// No unwrap()/expect() outside tests: nothing a user, a file or a request controls may panic here.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // sled can panic on damaged files; the library catches those panics and reports them as errors, so
    // the default hook (which would print a backtrace notice first) is replaced by a silent one. An
    // uncaught panic is still reported below as an internal error (a bug: exit 70).
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(cli::main) {
        Ok(code) => code,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            let line = cli::i18n::t!("panic", message = hyoka::domain::text::escape(msg));
            eprintln!("{}", cli::i18n::t!("error-line", line = line));
            ExitCode::from(cli::failure::EXIT_INTERNAL)
        }
    }
}
