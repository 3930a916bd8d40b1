//! Temporary (not committed): the 806adaa `hyoka` command with a small snapshot interval for new ledgers.
#![allow(dead_code, unused_imports)]
#[path = "../src/cli/mod.rs"]
mod cli;
fn main() -> std::process::ExitCode {
    let k: u64 = std::env::var("MK_SNAPSHOT_EVERY").unwrap().parse().unwrap();
    hyoka::derived::set_snapshot_interval_for_new_ledgers(k);
    cli::main()
}
