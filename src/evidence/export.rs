//! Export and restore: a ledger as JSON Lines, one line per event, that can be checked without the ledger
//! and rebuilt into an identical ledger (`schema/FORMAT.md` section 10, `schema/export.schema.json`).
//!
//! ```text
//! {"seq":N,"prev":"<hex>","hash":"<hex>","bytes":"<base64 of the stored bytes>","event":{...}}
//! ```
//!
//! The stored bytes are the truth; `seq`, `prev`, `hash` and `event` (the JSON of
//! [`crate::domain::describe::event_json`]) are there for readers and must agree with them. Everything here
//! streams: memory stays bounded for any number of events.

use std::io::{BufRead, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::domain::describe;
use crate::domain::event::StoredEvent;
use crate::domain::event::{self, Hash};
use crate::error::{Error, IntegrityError, Invalid, LineDamage, Result};
use crate::evidence::prefix::{self, Log};
use crate::ledger::Ledger;
use crate::ledger::chain::Chain;
use crate::store::Store;
use crate::tlog::checkpoint::Checkpoint;
use crate::tlog::merkle;

/// The longest export line accepted, without its newline (4 MiB: an event is at most 1 MiB).
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// The keys of an export line.
const KEYS: [&str; 5] = ["seq", "prev", "hash", "bytes", "event"];

/// One export line (without its newline) for an event and its stored bytes.
pub fn line(e: &StoredEvent, bytes: &[u8]) -> String {
    format!(
        "{{\"seq\":{},\"prev\":\"{}\",\"hash\":\"{}\",\"bytes\":\"{}\",\"event\":{}}}",
        e.event.seq,
        event::hex(&e.event.prev_hash),
        event::hex(&e.hash),
        STANDARD.encode(bytes),
        describe::event_json(e)
    )
}

/// What an export held, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of events.
    pub events: u64,
    /// Hash of the last event.
    pub head_hash: Hash,
    /// Merkle root of all events.
    pub root: Hash,
    /// The origin (event 0's).
    pub origin: String,
}

/// Writes the whole ledger to `w` as export lines, checking every event as it goes (the same checks as
/// [`verify`] will make), and that the result ends at the ledger's head and root. `progress` gets the
/// number of events written now and then.
pub fn write<S: Store>(
    ledger: &Ledger<S>,
    w: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    let mut chain = Chain::default();
    let out = |e: std::io::Error| Error::io(crate::error::IoDoing::WriteExport)(e);
    ledger.scan_with_bytes(0, u64::MAX, &mut |e, bytes| {
        chain.push(bytes)?;
        w.write_all(line(e, bytes).as_bytes()).map_err(out)?;
        w.write_all(b"\n").map_err(out)?;
        if e.event.seq % 4096 == 0 {
            progress(e.event.seq);
        }
        Ok(true)
    })?;
    chain.finish()?;
    let events = chain.len();
    if events != ledger.len() || chain.head() != ledger.head_hash() {
        return Err(IntegrityError::HashMismatch {
            seq: events.saturating_sub(1),
            recorded_by: "the store's commit record".into(),
        }
        .into());
    }
    if chain.root() != ledger.tree_root(events)? {
        return Err(IntegrityError::StoreUnreadable(crate::store::StoreDamage::TreeDiffers).into());
    }
    progress(events);
    Ok(Summary {
        events,
        head_hash: chain.head(),
        root: chain.root(),
        origin: chain.origin().unwrap_or_default().to_string(),
    })
}

/// Reads an export line by line, each at most [`MAX_LINE_BYTES`] long and ending in a newline.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    bytes_read: u64,
}

impl<R: BufRead> Lines<R> {
    /// Reads from `reader`.
    pub fn new(reader: R) -> Self {
        Lines {
            reader,
            buf: Vec::new(),
            line: 0,
            bytes_read: 0,
        }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next line (its 1-based number and its bytes without the newline), or `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>> {
        self.buf.clear();
        let n = (&mut self.reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut self.buf)
            .map_err(Error::io(crate::error::IoDoing::ReadExport))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        self.bytes_read += n as u64;
        if self.buf.pop() != Some(b'\n') {
            let why = match self.buf.len() >= MAX_LINE_BYTES {
                true => LineDamage::TooLong(MAX_LINE_BYTES),
                false => LineDamage::Truncated,
            };
            return Err(IntegrityError::ExportLineDamaged {
                line: self.line,
                why,
            }
            .into());
        }
        Ok(Some((self.line, &self.buf)))
    }
}

/// A parsed export line whose fields agree with its stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The stored bytes.
    pub bytes: Vec<u8>,
    /// The event they decode to, and their hash.
    pub event: StoredEvent,
}

fn hex_hash(v: Option<&Value>) -> Option<Hash> {
    let s = v?.as_str()?;
    let mut h = [0u8; 32];
    (s.len() == 64 && !s.bytes().any(|b| b.is_ascii_uppercase()))
        .then(|| hex::decode_to_slice(s, &mut h).ok())
        .flatten()
        .map(|_| h)
}

/// A JSON value whose objects were checked, at every depth, for a member name given twice (which
/// `serde_json::Value` would take silently, keeping the last): an export line must not hold one.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!(
                    "the member `{k}` appears twice in one object"
                )));
            }
            let Strict(v) = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses one export line (without its newline; `line` is its 1-based number, for messages): no
/// carriage return, one JSON object without a member name given twice at any depth; and checks that
/// `seq`, `prev`, `hash` and `event` agree with the stored bytes. The chain is not checked here.
pub fn parse_line(text: &[u8], line: u64) -> Result<Line, IntegrityError> {
    let damaged = |why: LineDamage| IntegrityError::ExportLineDamaged { line, why };
    if let Some(at) = text.iter().position(|&b| b == b'\r') {
        return Err(damaged(LineDamage::CarriageReturn(at + 1)));
    }
    let v = match serde_json::from_slice::<Strict>(text) {
        Ok(Strict(v)) => v,
        // The only data error of `Strict`: a member name given twice.
        Err(e) if e.is_data() => return Err(damaged(LineDamage::DuplicateMember(e.column()))),
        Err(e) => {
            return Err(damaged(LineDamage::NotJson {
                eof: e.is_eof(),
                column: e.column(),
            }));
        }
    };
    let obj = v
        .as_object()
        .ok_or_else(|| damaged(LineDamage::NotObject))?;
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(damaged(LineDamage::UnknownField(k.clone())));
    }
    let missing = |k: &'static str| damaged(LineDamage::Missing(k));
    let seq = obj
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or_else(|| missing("seq"))?;
    let prev = hex_hash(obj.get("prev")).ok_or_else(|| missing("prev"))?;
    let hash = hex_hash(obj.get("hash")).ok_or_else(|| missing("hash"))?;
    let bytes = obj
        .get("bytes")
        .and_then(Value::as_str)
        .and_then(|s| STANDARD.decode(s).ok())
        .ok_or_else(|| missing("bytes"))?;
    let shown = obj
        .get("event")
        .filter(|e| e.is_object())
        .ok_or_else(|| missing("event"))?;
    let decoded = event::decode(&bytes).map_err(|e| IntegrityError::Undecodable { seq, why: e })?;
    let seq = decoded.seq;
    let mismatch = |field: &str| IntegrityError::ExportFieldMismatch {
        seq,
        field: field.into(),
    };
    if obj.get("seq").and_then(Value::as_u64) != Some(seq) {
        return Err(mismatch("seq"));
    }
    if decoded.prev_hash != prev {
        return Err(mismatch("prev"));
    }
    let computed = event::event_hash(&decoded.prev_hash, &bytes);
    if computed != hash {
        return Err(IntegrityError::HashMismatch {
            seq,
            recorded_by: "the `hash` of its export line".into(),
        });
    }
    let event = StoredEvent {
        event: decoded,
        hash: computed,
    };
    let expected = describe::event_json(&event);
    if let (Some(want), Some(got)) = (expected.as_object(), shown.as_object()) {
        let differs = want
            .iter()
            .find(|(k, v)| got.get(k.as_str()) != Some(v))
            .map(|(k, _)| k.as_str())
            .or_else(|| {
                got.keys()
                    .find(|k| !want.contains_key(k.as_str()))
                    .map(String::as_str)
            });
        if let Some(k) = differs {
            return Err(mismatch(&format!("event.{k}")));
        }
    }
    Ok(Line { bytes, event })
}

/// Verifies an export without a ledger: every line ([`parse_line`]), the chain and the rules
/// ([`Chain`]), and, with `checkpoint`, that the export is at least that long, has its origin, and that
/// the root of its first `checkpoint.size` events is the checkpoint's. `progress` gets bytes read.
pub fn verify(
    reader: &mut dyn BufRead,
    checkpoint: Option<&Checkpoint>,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    verify_pinned(reader, checkpoint, Vec::new(), progress)
}

/// [`verify`], with the ledger's people required to begin with one of the `pinned` verifier keys
/// ([`Chain::pin`]; `schema/FORMAT.md` section 13, rule S8).
pub fn verify_pinned(
    reader: &mut dyn BufRead,
    checkpoint: Option<&Checkpoint>,
    pinned: Vec<String>,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    let mut lines = Lines::new(reader);
    let mut chain = Chain::default();
    chain.pin(pinned);
    let mut root_at_checkpoint = checkpoint
        .filter(|c| c.size == 0)
        .map(|_| merkle::empty_tree_hash());
    while let Some((n, text)) = lines.next_line()? {
        let parsed = parse_line(text, n)?;
        chain.push(&parsed.bytes)?;
        if let Some(cp) = checkpoint
            && chain.len() == cp.size
        {
            root_at_checkpoint = Some(chain.root());
        }
        if n % 4096 == 0 {
            progress(lines.bytes_read());
        }
    }
    chain.finish()?;
    progress(lines.bytes_read());
    let origin = chain
        .origin()
        .ok_or(Error::Invalid(Invalid::EmptyExport))?
        .to_string();
    if let Some(cp) = checkpoint {
        prefix::check(cp, Some(&origin), chain.len(), Log::Export, |_| {
            root_at_checkpoint
                .ok_or_else(|| Error::Internal("no root kept at the checkpoint's size".into()))
        })?;
    }
    Ok(Summary {
        events: chain.len(),
        head_hash: chain.head(),
        root: chain.root(),
        origin,
    })
}

/// The stored bytes of each line of an export, checked line by line ([`parse_line`]), for
/// [`Ledger::restore_from`] (which checks the chain). `progress` gets bytes read.
pub fn events<'a, R: BufRead + 'a>(
    reader: R,
    mut progress: impl FnMut(u64) + 'a,
) -> impl Iterator<Item = Result<Vec<u8>>> + 'a {
    let mut lines = Lines::new(reader);
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let r = match lines.next_line() {
            Ok(None) => return None,
            Ok(Some((n, text))) => parse_line(text, n).map(|l| l.bytes).map_err(Error::from),
            Err(e) => Err(e),
        };
        failed = r.is_err();
        progress(lines.bytes_read());
        Some(r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Change, Event, ZERO_HASH};
    use crate::domain::period::{Part, Period};

    fn ev(seq: u64, prev: Hash, change: Change) -> Vec<u8> {
        event::encode(&Event {
            version: 1,
            seq,
            prev_hash: prev,
            recorded_at: 1_000 + seq as i64,
            author: "山田".into(),
            reason: "評価\n理由".into(),
            source: None,
            change,
            signature: None,
        })
        .unwrap()
    }

    /// The stored bytes of a small valid history.
    fn history(n: u64) -> Vec<Vec<u8>> {
        let mut changes = vec![
            Change::PlanDefined {
                name: "p".into(),
                grades: vec!["A".into(), "B".into()],
                default_era: None,
                origin: "ex/p".into(),
                cadence: Default::default(),
                years: None,
            },
            Change::CategoryAdded { name: "c".into() },
            Change::ItemRegistered {
                id: crate::domain::item_id::ItemId::from_number(1),
                title: "t \"q\"".into(),
                department: "d".into(),
                category: "c".into(),
                relisting_of: None,
                from: None,
                after: None,
            },
        ];
        for i in 0..n {
            changes.push(Change::RemarkSet {
                item: crate::domain::item_id::ItemId::from_number(1),
                period: Period {
                    fiscal_year: 2014,
                    part: Part::FirstHalf,
                },
                text: format!("r{i}"),
            });
        }
        let mut prev = ZERO_HASH;
        let mut out = Vec::new();
        for (seq, c) in changes.into_iter().enumerate() {
            let b = ev(seq as u64, prev, c);
            prev = event::event_hash(&prev, &b);
            out.push(b);
        }
        out
    }

    fn export_text(events: &[Vec<u8>]) -> String {
        let mut chain = Chain::default();
        let mut s = String::new();
        for b in events {
            let e = chain.push(b).unwrap();
            s.push_str(&line(&e, b));
            s.push('\n');
        }
        s
    }

    fn verify_text(text: &str, cp: Option<&Checkpoint>) -> Result<Summary> {
        verify(&mut text.as_bytes(), cp, &mut |_| {})
    }

    fn integrity(r: Result<impl std::fmt::Debug>) -> IntegrityError {
        match r {
            Err(Error::Integrity(e)) => e,
            other => panic!("expected an integrity failure, got {other:?}"),
        }
    }

    #[test]
    fn an_export_round_trips_and_verifies() {
        let events = history(5);
        let text = export_text(&events);
        let s = verify_text(&text, None).unwrap();
        assert_eq!((s.events, s.origin.as_str()), (8, "ex/p"));
        let mut mem = merkle::MemoryHashes::new();
        for (i, b) in events.iter().enumerate() {
            let l = parse_line(text.lines().nth(i).unwrap().as_bytes(), i as u64 + 1).unwrap();
            assert_eq!(&l.bytes, b);
            mem.append_leaf(merkle::leaf_hash(&l.event.hash)).unwrap();
        }
        assert_eq!(s.root, mem.root().unwrap());
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["event"]["change"]["origin"], "ex/p");
        let cp = Checkpoint {
            origin: "ex/p".into(),
            size: 4,
            root: merkle::tree_hash(4, &mem).unwrap(),
            extensions: vec![],
        };
        verify_text(&text, Some(&cp)).unwrap();
    }

    #[test]
    fn every_tampering_is_named() {
        let events = history(5);
        let text = export_text(&events);
        let lines: Vec<&str> = text.lines().collect();
        let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
        // Edited bytes (hash field left alone): the line's own hash names it.
        let mut v: Value = serde_json::from_str(lines[4]).unwrap();
        let mut b = events[4].clone();
        let at = b.len() - 2;
        b[at] ^= 1;
        v["bytes"] = STANDARD.encode(&b).into();
        let edited = v.to_string();
        let e = integrity(verify_text(
            &join(&[&lines[..4], &[&edited], &lines[5..]].concat()),
            None,
        ));
        assert_eq!((e.kind(), e.seq()), ("hash_mismatch", Some(4)), "{e}");
        // A decoded field edited: named.
        let forged = lines[3].replace("山田", "田中");
        let e = integrity(verify_text(
            &join(&[&lines[..3], &[forged.as_str()], &lines[4..]].concat()),
            None,
        ));
        assert_eq!(
            e.to_string(),
            "event 3: the export line's `event.author` does not match its stored bytes (the bytes are what is hashed: the line was edited)"
        );
        // Deleted, swapped, inserted (a duplicate).
        for (ls, expected) in [
            ([&lines[..2], &lines[3..]].concat(), 2),
            (
                [&lines[..2], &[lines[3], lines[2]], &lines[4..]].concat(),
                2,
            ),
            ([&lines[..4], &[lines[3]], &lines[4..]].concat(), 4),
        ] {
            let e = integrity(verify_text(&join(&ls), None));
            assert_eq!((e.kind(), e.seq()), ("missing_seq", Some(expected)), "{e}");
        }
        // A truncated last line; an unknown field; not JSON.
        let e = integrity(verify_text(&text[..text.len() - 10], None));
        assert!(
            e.to_string()
                .contains("export line 8: damaged: the file ends inside it"),
            "{e}"
        );
        let e = integrity(verify_text(
            &text.replacen("{\"seq\"", "{\"x\":1,\"seq\"", 1),
            None,
        ));
        assert!(
            e.to_string().contains("line 1: damaged: unknown field `x`"),
            "{e}"
        );
        let e = integrity(verify_text("\n", None));
        assert_eq!(e.kind(), "export_line_damaged");
        assert!(matches!(verify_text("", None), Err(Error::Invalid(_))));
    }

    #[test]
    fn a_rewritten_event_is_named_by_its_successor() {
        // Event 4 rewritten with its hash recomputed into its own line: event 5 recorded the old hash.
        let mut events = history(4);
        let b = &mut events[4];
        let at = b.len() - 2;
        b[at] ^= 1;
        let mut text = String::new();
        for b in &events {
            let decoded = event::decode(b).unwrap();
            let hash = event::event_hash(&decoded.prev_hash, b);
            text.push_str(&line(
                &StoredEvent {
                    event: decoded,
                    hash,
                },
                b,
            ));
            text.push('\n');
        }
        let e = integrity(verify_text(&text, None));
        assert_eq!(
            e.to_string(),
            "event 4: hash mismatch: its stored bytes no longer hash to what event 5 recorded"
        );
    }

    #[test]
    fn checkpoints_bound_the_export() {
        let events = history(3);
        let text = export_text(&events);
        let full = verify_text(&text, None).unwrap();
        let cp = Checkpoint {
            origin: "ex/p".into(),
            size: 6,
            root: full.root,
            extensions: vec![],
        };
        verify_text(&text, Some(&cp)).unwrap();
        let cut: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
        let e = integrity(verify_text(&cut, Some(&cp)));
        assert_eq!(
            (e.kind(), e.seq()),
            ("export_shorter_than_checkpoint", Some(5)),
            "{e}"
        );
        let e = integrity(verify_text(
            &text,
            Some(&Checkpoint {
                size: 5,
                ..cp.clone()
            }),
        ));
        assert_eq!(e.kind(), "checkpoint_root_mismatch", "{e}");
        let e = integrity(verify_text(
            &text,
            Some(&Checkpoint {
                origin: "ex/q".into(),
                ..cp
            }),
        ));
        assert_eq!(e.kind(), "checkpoint_other_origin", "{e}");
    }

    #[test]
    fn long_lines_are_refused_without_reading_them_whole() {
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        let mut lines = Lines::new(&long[..]);
        let e = lines.next_line().unwrap_err();
        assert!(e.to_string().contains("longer than"), "{e}");
        assert!(lines.bytes_read() <= MAX_LINE_BYTES as u64 + 1);
    }
}
