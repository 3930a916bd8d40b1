//! The baseline: the same hash-chained log kept in SQLite, as a careful user would build it with
//! hyoka's own library for the rules, the bytes and the hashes.
//!
//! - Table `events(seq INTEGER PRIMARY KEY, item INTEGER, bytes BLOB)`: the stored bytes are
//!   `hyoka::domain::event::encode`'s, chained with `hyoka::domain::event::event_hash`, so both systems hash identical
//!   bytes (the bench checks that both end with the same head hash and Merkle root). Index on `item`.
//! - Table `tree(idx INTEGER PRIMARY KEY, hash BLOB)`: the RFC 6962 stored-hash array in the layout of
//!   `hyoka::tlog::merkle` (the same one hyoka stores), so inclusion proofs and the root read O(log n) rows.
//! - Table `head(id = 0, events, hash)`: the commit record, updated in the same transaction.
//! - Every change is checked against the state (`State::apply`) before it is written, like hyoka.
//!
//! Pragmas (chosen for speed without weakening durability): `journal_mode=WAL`, `synchronous=FULL`
//! (in WAL mode: the WAL is fsynced at every commit, so a commit survives a power cut; NORMAL would not),
//! `cache_size=-16384` (16 MiB, the same page cache as hyoka gives sled), `temp_store=MEMORY`, default
//! 4 KiB pages, automatic checkpoints (every 1000 pages), no mmap (so RSS counts only what the process
//! allocates). One transaction per durable append; one transaction per bulk batch. Statements are
//! prepared once and cached.

use std::collections::HashMap;
use std::path::Path;

use hyoka::Meta;
use hyoka::domain::event::{self, Change, Event, Hash, ZERO_HASH};
use hyoka::domain::provenance::Provenance;
use hyoka::domain::state::State;
use hyoka::ledger::signing;
use hyoka::tlog::merkle::{self, HashReader, MerkleError};
use hyoka::views::audit::history::HistoryEntry;
use rusqlite::{Connection, OptionalExtension, params};

pub type R<T> = Result<T, Box<dyn std::error::Error>>;

/// A visitor of decoded events: (event, its hash, its stored bytes).
type Visit<'a> = dyn FnMut(Event, Hash, &[u8]) -> R<()> + 'a;

pub struct SqliteLog {
    pub conn: Connection,
    pub events: u64,
    pub head: Hash,
    pub tree_size: u64,
    last_time: i64,
    /// The current state, for checking new changes (folded at open, like hyoka's cache).
    state: Option<State>,
    /// The right frontier of the Merkle tree: stored-hash index -> hash of each perfect subtree that a
    /// later leaf will merge with. O(log n) entries; anything else is read from `tree`.
    frontier: HashMap<u64, Hash>,
}

pub fn open(dir: &Path) -> R<SqliteLog> {
    std::fs::create_dir_all(dir)?;
    let conn = Connection::open(dir.join("log.db"))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL;
         PRAGMA synchronous=FULL;
         PRAGMA cache_size=-16384;
         PRAGMA temp_store=MEMORY;
         CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, item INTEGER, bytes BLOB NOT NULL);
         CREATE INDEX IF NOT EXISTS events_item ON events(item);
         CREATE TABLE IF NOT EXISTS tree(idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
         CREATE TABLE IF NOT EXISTS head(id INTEGER PRIMARY KEY CHECK (id = 0), events INTEGER NOT NULL,
             tree INTEGER NOT NULL, hash BLOB NOT NULL);",
    )?;
    let head: Option<(i64, i64, Vec<u8>)> = conn
        .query_row(
            "SELECT events, tree, hash FROM head WHERE id = 0",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (events, tree_size, head) = match head {
        Some((n, t, h)) => (n as u64, t as u64, h.as_slice().try_into()?),
        None => (0, 0, ZERO_HASH),
    };
    let last_time = if events > 0 {
        let b: Vec<u8> = conn.query_row(
            "SELECT bytes FROM events WHERE seq = ?1",
            [events as i64 - 1],
            |r| r.get(0),
        )?;
        event::decode(&b)?.recorded_at
    } else {
        i64::MIN
    };
    Ok(SqliteLog {
        conn,
        events,
        head,
        tree_size,
        last_time,
        state: None,
        frontier: HashMap::new(),
    })
}

struct TreeRows<'a> {
    conn: &'a Connection,
    frontier: &'a HashMap<u64, Hash>,
}

impl HashReader for TreeRows<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
        let err = |e: rusqlite::Error| MerkleError::Storage(e.to_string());
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash FROM tree WHERE idx = ?1")
            .map_err(err)?;
        indexes
            .iter()
            .map(|i| {
                if let Some(h) = self.frontier.get(i) {
                    return Ok(*h);
                }
                let v: Vec<u8> = stmt.query_row([*i as i64], |r| r.get(0)).map_err(err)?;
                v.as_slice()
                    .try_into()
                    .map_err(|_| MerkleError::Storage("bad hash row".into()))
            })
            .collect()
    }
}

impl SqliteLog {
    /// The current state (folded from the log on first use, then kept up to date).
    pub fn current(&mut self) -> R<&State> {
        if self.state.is_none() {
            self.state = Some(self.fold(None, &mut |_, _| {})?);
        }
        Ok(self.state.as_ref().ok_or("no state")?)
    }

    /// Appends a batch in one transaction: check, encode, hash, insert event rows and tree rows, update
    /// the head row, commit (durable: synchronous=FULL).
    pub fn append(&mut self, meta: &Meta, changes: &mut dyn Iterator<Item = Change>) -> R<u64> {
        hyoka::domain::text::check_line("author", &meta.author)?;
        hyoka::domain::text::check_multiline("reason", &meta.reason, false)?;
        if meta.recorded_at < self.last_time {
            return Err("clock behind".into());
        }
        self.current()?;
        let mut state = self.state.take().ok_or("no state")?;
        let first = self.events;
        let tx = self.conn.transaction()?;
        let mut seq = self.events;
        let mut prev = self.head;
        let mut tree_size = self.tree_size;
        let result = (|| -> R<()> {
            let mut ins =
                tx.prepare_cached("INSERT INTO events(seq, item, bytes) VALUES (?1, ?2, ?3)")?;
            let mut ins_tree = tx.prepare_cached("INSERT INTO tree(idx, hash) VALUES (?1, ?2)")?;
            for change in changes {
                // In a ledger with people: the author may record it, and signs it with their current
                // key (as hyoka's write path checks it).
                state.authorize(&meta.author, &change)?;
                let signer = match signing::must_be_signed(&state, &change) {
                    false => None,
                    true => {
                        let want = signing::signer_vkey(&state, &meta.author, &change)?;
                        let key = meta.signer.as_ref().ok_or("unsigned")?;
                        if key.0.verifier().to_text() != want {
                            return Err("not the author's current key".into());
                        }
                        Some(key)
                    }
                };
                state.apply(&change)?;
                let item = change.item().map(|i| i.index_key());
                let mut e = meta.event(event::SCHEMA_VERSION, seq, prev, meta.recorded_at, change);
                let bytes = match signer {
                    Some(key) => signing::sign(&mut e, &key.0)?,
                    None => event::encode(&e)?,
                };
                prev = event::event_hash(&prev, &bytes);
                ins.execute(params![seq as i64, item, bytes])?;
                let leaf = merkle::leaf_hash(&prev);
                let hashes = merkle::stored_hashes_for_record(
                    seq,
                    leaf,
                    &TreeRows {
                        conn: &tx,
                        frontier: &self.frontier,
                    },
                )?;
                // The left siblings just merged are no longer on the frontier; the new top subtree is.
                let m = (seq + 1).trailing_zeros();
                for i in 0..m {
                    self.frontier
                        .remove(&merkle::stored_hash_index(i, (seq >> i) - 1));
                }
                let top = hashes.len() as u32 - 1;
                self.frontier.insert(
                    merkle::stored_hash_index(top, seq >> top),
                    hashes[top as usize],
                );
                for h in &hashes {
                    ins_tree.execute(params![tree_size as i64, &h[..]])?;
                    tree_size += 1;
                }
                seq += 1;
            }
            if seq == first {
                return Err("nothing to record".into());
            }
            tx.execute(
                "INSERT OR REPLACE INTO head(id, events, tree, hash) VALUES (0, ?1, ?2, ?3)",
                params![seq as i64, tree_size as i64, &prev[..]],
            )?;
            Ok(())
        })();
        match result {
            Ok(()) => {
                tx.commit()?;
                self.events = seq;
                self.head = prev;
                self.tree_size = tree_size;
                self.last_time = meta.recorded_at;
                self.state = Some(state);
                Ok(seq - first)
            }
            Err(e) => {
                // Rolled back on drop; the state and the frontier are re-derived from the log.
                drop(tx);
                self.state = None;
                self.frontier.clear();
                Err(e)
            }
        }
    }

    /// Calls `f` for each event with seq <= `through` (all when None), decoded, with its hash.
    fn scan(&self, through: Option<u64>, f: &mut Visit) -> R<()> {
        let to = through.map_or(self.events, |t| (t + 1).min(self.events));
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, bytes FROM events WHERE seq < ?1 ORDER BY seq")?;
        let mut rows = stmt.query([to as i64])?;
        let mut expected = 0u64;
        while let Some(row) = rows.next()? {
            let seq = row.get::<_, i64>(0)? as u64;
            let bytes = row.get_ref(1)?.as_blob()?;
            let e = event::decode(bytes)?;
            if e.seq != seq || seq != expected {
                return Err(format!("missing seq {expected}").into());
            }
            expected += 1;
            let h = event::event_hash(&e.prev_hash, bytes);
            f(e, h, bytes)?;
        }
        if expected != to {
            return Err(format!("missing events from {expected}").into());
        }
        Ok(())
    }

    /// The state after the events `0..=through`.
    pub fn fold(&self, through: Option<u64>, prov: &mut dyn FnMut(&Event, &State)) -> R<State> {
        let mut state = State::default();
        self.scan(through, &mut |e, _, _| {
            state.apply(&e.change)?;
            prov(&e, &state);
            Ok(())
        })?;
        Ok(state)
    }

    /// The state and provenance after event `through` (hyoka's `snapshot`).
    pub fn snapshot(&self, through: u64) -> R<(State, Provenance)> {
        let mut p = Provenance::default();
        let s = self.fold(Some(through), &mut |e, s| p.apply(e, s))?;
        Ok((s, p))
    }

    /// Full verification: decode every event, check seq, chain, time order and the rules, recompute the
    /// Merkle root in a stream and compare it with the stored tree and the head row.
    pub fn verify(&self) -> R<(u64, Hash)> {
        let mut state = State::default();
        let mut expected_link = ZERO_HASH;
        let mut last_time = i64::MIN;
        let mut stack: Vec<(u64, Hash)> = Vec::new();
        let mut keys = Keys::default();
        self.scan(None, &mut |e, h, bytes| {
            if e.prev_hash != expected_link {
                return Err(format!("broken link at {}", e.seq).into());
            }
            if e.recorded_at < last_time {
                return Err("time went backwards".into());
            }
            last_time = e.recorded_at;
            keys.check(&state, &e, bytes)
                .map_err(|why| format!("event {}: {why}", e.seq))?;
            state.authorize(&e.author, &e.change)?;
            state.apply(&e.change)?;
            let mut cur = (1u64, merkle::leaf_hash(&h));
            while let Some(&(size, l)) = stack.last() {
                if size != cur.0 {
                    break;
                }
                stack.pop();
                cur = (size * 2, merkle::node_hash(&l, &cur.1));
            }
            stack.push(cur);
            expected_link = h;
            Ok(())
        })?;
        if expected_link != self.head {
            return Err("head mismatch".into());
        }
        let mut it = stack.iter().rev();
        let root = match it.next() {
            None => merkle::empty_tree_hash(),
            Some(&(_, last)) => it.fold(last, |acc, (_, h)| merkle::node_hash(h, &acc)),
        };
        if root != self.tree_root(self.events)? {
            return Err("stored tree does not match".into());
        }
        Ok((self.events, root))
    }

    pub fn tree_root(&self, size: u64) -> R<Hash> {
        let empty = HashMap::new();
        Ok(merkle::tree_hash(
            size,
            &TreeRows {
                conn: &self.conn,
                frontier: &empty,
            },
        )?)
    }

    pub fn prove(&self, index: u64, size: u64) -> R<Vec<Hash>> {
        let empty = HashMap::new();
        Ok(merkle::prove_record(
            size,
            index,
            &TreeRows {
                conn: &self.conn,
                frontier: &empty,
            },
        )?)
    }

    pub fn event_hash(&self, seq: u64) -> R<Hash> {
        let b: Vec<u8> = self.conn.query_row(
            "SELECT bytes FROM events WHERE seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )?;
        let e = event::decode(&b)?;
        Ok(event::event_hash(&e.prev_hash, &b))
    }

    /// One item's history through the index: only the plan, the headings and that item's events are
    /// read (the rules of an item's fields depend on nothing else), then folded by the same
    /// `audit::HistoryFold` as `Ledger::history`.
    pub fn history(&self, item: u32) -> R<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, bytes FROM events WHERE item IS NULL OR item = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([item])?;
        let mut fold = hyoka::views::audit::history::HistoryFold::default();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let e = event::decode(row.get_ref(1)?.as_blob()?)?;
            fold.step(&e, &mut |h| {
                if h.item.0.number() == Some(item) {
                    out.push(h);
                }
            })?;
        }
        Ok(out)
    }
}

/// The signature check of a ledger with people, as a careful user would write it with ed25519-dalek:
/// the signer's key read from the state before the event (the author's current key, as the people
/// events recorded it: `signing::signer_vkey`), each key parsed once, and every signed event's
/// Ed25519 signature verified over the domain-separation prefix and its unsigned bytes.
#[derive(Default)]
struct Keys {
    /// Verifier key text -> its key id and public key.
    parsed: HashMap<String, (u32, ed25519_dalek::VerifyingKey)>,
}

impl Keys {
    fn check(&mut self, before: &State, e: &Event, stored: &[u8]) -> Result<(), String> {
        use ed25519_dalek::Verifier;
        const SLOT_LEN: usize = 1 + 8 + event::SIGNATURE_LEN;
        if !signing::must_be_signed(before, &e.change) {
            return match e.signature {
                None => Ok(()),
                Some(_) => Err("signed before the ledger has people".into()),
            };
        }
        let sig = e.signature.as_deref().ok_or("not signed")?;
        if sig.len() != event::SIGNATURE_LEN || stored.len() < SLOT_LEN {
            return Err("bad signature slot".into());
        }
        let text = signing::signer_vkey(before, &e.author, &e.change).map_err(|r| r.to_string())?;
        let (id, key) = match self.parsed.get(text) {
            Some(k) => *k,
            None => {
                let v = hyoka::tlog::note::VerifierKey::parse(text).map_err(|e| e.to_string())?;
                let k = (
                    v.key_id(),
                    ed25519_dalek::VerifyingKey::from_bytes(&v.public_key())
                        .map_err(|e| e.to_string())?,
                );
                self.parsed.insert(text.to_owned(), k);
                k
            }
        };
        if u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]) != id {
            return Err("signed by another key".into());
        }
        // The unsigned bytes: the stored ones with an empty signature slot (its last field).
        let mut msg = signing::SIGNATURE_CONTEXT.to_vec();
        msg.extend_from_slice(&stored[..stored.len() - SLOT_LEN]);
        msg.push(0);
        let sig = ed25519_dalek::Signature::from_slice(&sig[4..]).map_err(|e| e.to_string())?;
        key.verify(&msg, &sig)
            .map_err(|_| "the signature does not verify".to_string())
    }
}
