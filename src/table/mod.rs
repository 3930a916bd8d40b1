//! The published table's file formats: a city's table of evaluations as it publishes it (TSV, CSV in
//! UTF-8 or CP932, an `.xlsx` workbook), read through a layout, and the TSV and CSV hyoka writes of a
//! table view, read back by the same reader.
//!
//! The reader ([`read`]) and the writer ([`write`](mod@write)) live together so that each format is
//! defined in one place: a change to one side is made beside the other. The reader is split by job:
//! `decode` turns the bytes into text (encodings, BOM, format detection, CSV quoting), [`grid`] a file
//! into rows of cells (text or a workbook's sheet), [`layout`] says what a sheet's columns are,
//! [`cells`] single cells, [`read`] the header and the rows, and [`error`] holds everything that can
//! be wrong with a file.
//!
//! Invariants: what [`write`](mod@write) writes, [`read::parse`] reads back as the same table (the
//! round-trip tests of both pin it); reading never panics, whatever the bytes, and every error names a
//! line of the file.

pub mod cells;
pub mod decode;
pub mod error;
pub mod grid;
pub mod layout;
pub mod read;
pub mod sheet;
pub mod summary;
pub mod write;

/// A table file format: what [`read::parse`] reads and [`write::table_file`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Tab-separated: the layout of the published table (two header rows, total rows at the end).
    Tsv,
    /// hyoka's open-data CSV: RFC 4180, one header row, the heading on every row.
    Csv,
}

impl TableFormat {
    /// The format a file name says: `.csv` CSV, `.tsv` TSV; anything else (e.g. Excel's `.txt`) says
    /// none, and the reader detects it from the content. Case-insensitive.
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<TableFormat> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(TableFormat::Csv)
        } else if lower.ends_with(".tsv") {
            Some(TableFormat::Tsv)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_hint_from_file_name() {
        assert_eq!(TableFormat::from_file_name("a.csv"), Some(TableFormat::Csv));
        assert_eq!(TableFormat::from_file_name("a.TSV"), Some(TableFormat::Tsv));
        assert_eq!(TableFormat::from_file_name("a.txt"), None);
    }
}
