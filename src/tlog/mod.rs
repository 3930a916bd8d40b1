//! The standard transparency-log formats, and only those: RFC 6962 Merkle trees, C2SP signed notes and
//! checkpoints, the offline proof texts and the C2SP tlog-tiles. Nothing here knows what a ledger is.

pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod proof_text;
pub mod tiles;
