//! What a ledger gives to those who do not trust its machine, read from a [`crate::ledger::Ledger`]:
//! offline proofs, the signed checkpoint of the log, and the export that can be checked (and restored)
//! without the ledger.

pub mod export;
pub mod mirror;
pub mod prefix;
pub mod proof;
pub mod transparency;
