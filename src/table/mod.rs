//! The published table's file formats: reading a follow-up table (TSV, CSV) into rows.

pub mod read;
