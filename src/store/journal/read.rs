//! Reading a journal's records back, in bounded memory: record by record, and what follows the last
//! whole record told apart as an unfinished append (cut short by a kill or a power cut) or damage.
//!
//! Why bounded: the file is read on every open, and a damaged or hostile file may be of any size or
//! announce any length; the reader allocates at most a window ([`WINDOW`]) or two, whatever it holds.
//!
//! Invariants:
//!
//! - Each record's header is read and its length checked before anything is allocated for its frame;
//!   records are decoded and dropped, only their contents kept.
//! - Only the last record can be unfinished (records are written one at a time, each at the end): a
//!   frame that fails its check is an unfinished append only if nothing whole follows it and it is no
//!   longer than one window; otherwise the journal is damaged, reported, never cut.
//! - Trailing zeros are the file's unused room, written ahead: they end the records.

use std::fs::File;
use std::os::unix::fs::FileExt;

use super::record::{
    FRAME, HEADER, RECORD_LEN_MAX, RECORD_MAGIC, Record, decode_payload, frame_at, header_at,
    record_at,
};
use crate::error::{IoDoing, JournalDoing};
use crate::store::damage::{AfterBadRecord, StoreDamage};
use crate::store::{StoreError, StoreResult};

/// A run of this many zero bytes in a failing last record (or 8 at its start or its end, where a block
/// that was never written may overlap it by less) marks blocks that were never written. Records hold
/// hashes, text and small integers: their longest run of zeros is far shorter.
pub(super) const ZERO_RUN: usize = 64;

/// Largest journal file read on open: more than the tail can ever hold.
pub(super) const FILE_MAX: u64 = 1 << 30;
/// The longest frame a reader reads: also the longest unfinished record an append can leave.
pub(super) const WINDOW: usize = FRAME + RECORD_LEN_MAX;
/// Bytes read at a time where the journal is scanned or copied rather than read record by record.
pub(super) const CHUNK: usize = 1 << 20;
/// A chunk of zeros, to tell zeros by one comparison.
pub(super) static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// What reading a journal file found.
#[derive(Debug)]
pub(super) struct Parsed {
    pub records: Vec<Record>,
    /// Bytes of whole, valid records from the start.
    pub valid_len: u64,
    /// Whether bytes other than zeros follow them: an unfinished last record.
    pub unfinished: bool,
}

/// Whether `rest`, from a record that fails its check to the end of the file without its trailing
/// zeros (at most one [`WINDOW`]: [`read_records`] reads no more whole), is what an append cut short
/// leaves: a record whose write was not finished (its header, or its frame, runs past the end of the
/// file: a kill during the write), or one with blocks that were never written (zeros: a power cut on a
/// file system that extends a file before its data is written), with nothing after it. Otherwise says
/// why it is damage: the bytes changed after they were written.
pub(super) fn unfinished(rest: &[u8]) -> Result<(), AfterBadRecord> {
    let later = (1..rest.len())
        .any(|i| rest[i..].starts_with(&RECORD_MAGIC) && record_at(&rest[i..]).is_some());
    if later {
        return Err(AfterBadRecord::WholeRecords);
    }
    if rest.len() > FRAME + RECORD_LEN_MAX {
        return Err(AfterBadRecord::TooManyBytes);
    }
    if rest.len() < HEADER {
        return Ok(());
    }
    if header_at(rest).is_some_and(|len| FRAME + len > rest.len()) {
        return Ok(());
    }
    let zero = |w: &[u8]| w.iter().all(|&b| b == 0);
    let edge = rest.len().min(8);
    if zero(&rest[..edge])
        || zero(&rest[rest.len() - edge..])
        || rest.windows(rest.len().min(ZERO_RUN)).any(zero)
    {
        return Ok(());
    }
    Err(AfterBadRecord::Changed)
}

/// Where a journal's bytes are read from: the file, or a slice (tests).
pub(super) trait Source {
    /// How many bytes there are.
    fn size(&self) -> u64;
    /// Fills `buf` with the bytes from `at` on (all within [`Source::size`]).
    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()>;
}

impl Source for &[u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        let from = usize::try_from(at).unwrap_or(usize::MAX);
        let bytes = from
            .checked_add(buf.len())
            .and_then(|to| self.get(from..to))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(bytes);
        Ok(())
    }
}

/// The journal file, read at offsets, as large as it was when open found it.
pub(super) struct FileSource<'a> {
    pub(super) file: &'a File,
    pub(super) size: u64,
}

impl Source for FileSource<'_> {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        self.file.read_exact_at(buf, at)
    }
}

/// A buffer of `n` bytes to read into. Every buffer the reader allocates comes from here, so tests can
/// check the largest: at most a window ([`WINDOW`]) or two, whatever the file's size.
pub(super) fn buffer(n: usize) -> Vec<u8> {
    #[cfg(test)]
    LARGEST_BUFFER.with(|l| l.set(l.get().max(n)));
    vec![0; n]
}

#[cfg(test)]
thread_local! {
    /// The largest buffer [`buffer`] gave on this thread.
    pub(super) static LARGEST_BUFFER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn read_failed(source: std::io::Error) -> StoreError {
    StoreError::Io {
        context: IoDoing::Journal {
            doing: JournalDoing::Read,
            path: None,
        },
        source,
    }
}

/// The frame (header, payload, check) of the record at `at`, if its header is whole and consistent,
/// announces at most [`RECORD_LEN_MAX`] bytes (checked before anything is allocated for them), the
/// frame ends within the file, and it passes its check.
fn frame_from(src: &dyn Source, at: u64) -> StoreResult<Option<Vec<u8>>> {
    let left = src.size().saturating_sub(at);
    let mut head = [0u8; HEADER];
    if left < HEADER as u64 {
        return Ok(None);
    }
    src.read_at(&mut head, at).map_err(read_failed)?;
    let Some(len) = header_at(&head).filter(|&len| len <= RECORD_LEN_MAX) else {
        return Ok(None);
    };
    if left < (FRAME + len) as u64 {
        return Ok(None);
    }
    let mut frame = buffer(FRAME + len);
    src.read_at(&mut frame, at).map_err(read_failed)?;
    Ok(frame_at(&frame).is_some().then_some(frame))
}

/// The end of `from..src.size()` without its trailing zeros (`from` when it is all zeros): read
/// backwards, a chunk at a time.
pub(super) fn end_of_data(src: &dyn Source, from: u64) -> StoreResult<u64> {
    let mut end = src.size();
    let mut chunk = buffer(CHUNK.min(end.saturating_sub(from) as usize));
    while end > from {
        let n = CHUNK.min((end - from) as usize);
        let at = end - n as u64;
        let bytes = &mut chunk[..n];
        src.read_at(bytes, at).map_err(read_failed)?;
        if bytes[..] != ZEROS[..n] {
            let last = bytes.iter().rposition(|&b| b != 0).unwrap_or(0);
            return Ok(at + last as u64 + 1);
        }
        end = at;
    }
    Ok(from)
}

/// Whether a whole record starts in `from + 1..end` and ends by `end`: [`unfinished`]'s first test, on
/// windows of two [`WINDOW`]s that overlap by one (a record is at most one window long).
fn record_follows(src: &dyn Source, from: u64, end: u64) -> StoreResult<bool> {
    let mut at = from + 1;
    let mut window = buffer((2 * WINDOW).min(end.saturating_sub(at) as usize));
    while at < end {
        let n = (2 * WINDOW).min((end - at) as usize);
        let bytes = &mut window[..n];
        src.read_at(bytes, at).map_err(read_failed)?;
        let last = at + n as u64 == end;
        let starts = if last { n } else { WINDOW };
        if (0..starts)
            .any(|i| bytes[i..].starts_with(&RECORD_MAGIC) && record_at(&bytes[i..]).is_some())
        {
            return Ok(true);
        }
        if last {
            break;
        }
        at += WINDOW as u64;
    }
    Ok(false)
}

/// Reads the records of a journal from byte `start` of `src`, in bounded memory: each record's header,
/// then its frame (at most [`WINDOW`] bytes), decoded and dropped; only the records' contents are kept.
///
/// Records are written one at a time, each at the end, so an append cut short by a kill or a power cut
/// can only leave an unfinished last record (see [`unfinished`]): that is the end of the journal (it was
/// never acknowledged). Any other record that fails its check is damage, reported rather than cut off.
/// What follows the last whole record is read backwards to its last byte that is not zero (the rest is
/// the file's unused, pre-allocated room); an unfinished record is at most one window long, so only
/// one window is read whole, and anything longer is damage (told apart by scanning it window by
/// window for a whole record after it).
pub(super) fn read_records(src: &dyn Source, start: u64) -> StoreResult<Parsed> {
    let mut records = Vec::new();
    let mut at = start;
    let damaged = |at: u64, then: AfterBadRecord| {
        StoreError::Damaged(StoreDamage::JournalRecordFails {
            path: None,
            at,
            then,
        })
    };
    while at < src.size() {
        if let Some(frame) = frame_from(src, at)? {
            match decode_payload(&frame[HEADER..frame.len() - 32]) {
                Some(r) => {
                    records.push(r);
                    at += frame.len() as u64;
                    continue;
                }
                None => {
                    return Err(StoreError::Damaged(StoreDamage::JournalRecordMalformed {
                        path: None,
                        at,
                    }));
                }
            }
        }
        let end = end_of_data(src, at)?;
        let unfinished_end = match end - at {
            // Zeros to the end: the file's unused, pre-allocated room.
            0 => false,
            n if n <= WINDOW as u64 => {
                let mut rest = buffer(n as usize);
                src.read_at(&mut rest, at).map_err(read_failed)?;
                unfinished(&rest).map_err(|why| damaged(at, why))?;
                true
            }
            _ if record_follows(src, at, end)? => {
                return Err(damaged(at, AfterBadRecord::WholeRecords));
            }
            _ => return Err(damaged(at, AfterBadRecord::TooManyBytes)),
        };
        return Ok(Parsed {
            records,
            valid_len: at - start,
            unfinished: unfinished_end,
        });
    }
    Ok(Parsed {
        records,
        valid_len: at - start,
        unfinished: false,
    })
}

/// Reads the records of a journal file's bytes (after its header): [`read_records`] on a slice.
#[cfg(test)]
pub(super) fn parse(bytes: &[u8]) -> StoreResult<Parsed> {
    read_records(&bytes, 0)
}
