//! hyoka (評価): a tamper-evident, event-sourced ledger for the evaluations of administrative-reform plans.
//!
//! Every change is an [`domain::event::Event`] appended to a hash chain in a [`ledger::Ledger`]; every
//! view is a fold over those events ([`domain::state::State`]). The library never talks to the terminal:
//! the `hyoka` binary is a thin layer over it. See `ARCHITECTURE.md` for the code map and the invariants.
//!
//! The folders are the layers, from the bottom up: [`domain`] (events, periods, the state and the text
//! rules) and [`tlog`] (the standard transparency-log formats) import nothing of the rest; [`os`] holds
//! the file-system guards; [`store`] the storage behind a trait; [`ledger`] a ledger directory (append,
//! read, the chain's rules, verify, derived data); above it [`evidence`] (proofs, signed checkpoints,
//! export and restore), [`views`] (the table, the audit views and their text), [`table`] (the published
//! table's file formats), [`import`] and [`publish`] (a published round's publication pack, whose pages
//! [`server`] also serves). Nothing imports a layer above its own.

// No unwrap()/expect() outside tests: nothing a user, a file or a request controls may panic here.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod domain;
pub mod error;
pub mod evidence;
pub mod import;
pub mod ledger;
pub mod os;
pub mod publish;
pub mod server;
pub mod store;
pub mod table;
pub mod tlog;
pub mod views;

pub use error::{Error, IntegrityError, Result};
pub use ledger::shared::SharedLedger;
pub use ledger::{Access, Ledger, Meta, Receipt};
