//! The domain: what a ledger records and the rules of its content, with no storage and no files. Events
//! and their canonical bytes, periods, times, the state every view folds from, and the rules for text
//! and identifiers. Nothing here imports another layer of the crate.

pub mod describe;
pub mod event;
pub mod ident;
pub mod invisible;
pub mod item_id;
pub mod people;
pub mod period;
pub mod provenance;
pub mod scale;
pub mod state;
pub mod text;
pub mod when;
