//! hyoka (評価): a tamper-evident, event-sourced ledger for the evaluations of administrative-reform plans.
//!
//! Every change is an [`event::Event`] appended to a hash chain in a [`ledger::Ledger`]; every view is a
//! fold over those events ([`state::State`]). The library never talks to the terminal: the `hyoka` binary
//! is a thin layer over it. See `ARCHITECTURE.md` for the code map and the invariants.

pub mod anchor;
pub mod audit;
pub mod chain;
pub mod checkpoint;
pub mod derived;
pub mod describe;
pub mod error;
pub mod event;
pub mod export;
pub mod ident;
pub mod import;
pub mod invisible;
pub mod ledger;
pub mod lock;
pub mod merkle;
pub mod note;
pub mod period;
pub mod proof;
pub mod provenance;
pub mod reader_copy;
pub mod render;
pub mod safe_fs;
pub mod shared;
pub mod state;
pub mod store;
pub mod text;
pub mod tlog_proof;
pub mod transparency;
pub mod views;
pub mod when;

pub use error::{Error, IntegrityError, Result};
pub use ledger::{Access, Ledger, Meta, Receipt};
pub use shared::SharedLedger;
