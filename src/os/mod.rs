//! The operating system's side of a ledger directory: files opened and replaced without following a
//! symbolic link, durably; and who holds a ledger's lock.

pub mod lock;
pub mod safe_fs;
