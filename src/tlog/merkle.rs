//! RFC 6962 Merkle trees over SHA-256, backed by a flat array of stored hashes.
//!
//! This module follows the design of Go's `golang.org/x/mod/sumdb/tlog`
//! (BSD-licensed, by The Go Authors): every leaf hash and every hash of a
//! complete power-of-two subtree is kept in one append-only array, laid out
//! in the order described in section 3.3 of Crosby and Wallach, "Efficient
//! Data Structures for Tamper-Evident Logging". Tree roots, inclusion proofs
//! ("audit paths", RFC 6962 section 2.1.1) and consistency proofs (section
//! 2.1.2) are computed by reading at most O(log n) entries of that array
//! through a [`HashReader`], so the leaves never have to be held in memory.
//!
//! Differences from the Go package: the tree of size zero has the RFC 6962
//! root `SHA-256("")` (Go uses all zero bytes), consistency between two
//! empty trees is accepted with an empty proof, proof lengths are checked up
//! front with a precise error, and nothing panics on bad input.

use sha2::{Digest, Sha256};

/// A SHA-256 hash: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// The size in bytes of a `Hash`.
pub const HASH_SIZE: usize = 32;

/// The largest tree size (exclusive) that the stored-hash functions accept.
///
/// Stored-hash indexes of larger trees would not fit in a `u64`.
pub const MAX_STORED_TREE_SIZE: u64 = 1 << 62;

/// Errors from building, proving or checking Merkle trees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// The [`HashReader`] failed; the message comes from the storage layer.
    #[error("hash storage error: {0}")]
    Storage(String),
    /// The [`HashReader`] returned a different number of hashes than asked for.
    #[error("hash reader returned {returned} hashes for {requested} requested indexes")]
    ReadMismatch {
        /// How many hashes were requested.
        requested: usize,
        /// How many hashes were returned.
        returned: usize,
    },
    /// A leaf index is not inside the tree.
    #[error("leaf index {index} is out of range for tree size {size}")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The old tree of a consistency proof is larger than the new tree.
    #[error("old tree size {old} is larger than new tree size {new}")]
    InvalidSizes {
        /// The old (smaller) tree size.
        old: u64,
        /// The new (larger) tree size.
        new: u64,
    },
    /// A consistency proof from the empty tree was asked for or given.
    #[error("a consistency proof from the empty tree (to tree size {new}) is meaningless")]
    EmptyOldTree {
        /// The new tree size.
        new: u64,
    },
    /// The tree is too large for stored-hash indexing.
    #[error("tree size {0} exceeds the maximum supported by stored-hash indexing (2^62)")]
    TreeTooLarge(u64),
    /// The proof has the wrong number of hashes for the given tree sizes.
    #[error("proof has {actual} hashes, expected {expected}")]
    ProofLength {
        /// The number of hashes the proof must have.
        expected: usize,
        /// The number of hashes it has.
        actual: usize,
    },
    /// A root or leaf hash given as bytes does not have 32 bytes.
    #[error("{what} has {len} bytes, expected 32")]
    HashLength {
        /// Which value was wrong ("root", "leaf hash", ...).
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A proof hash given as bytes does not have 32 bytes.
    #[error("proof hash {index} has {len} bytes, expected 32")]
    ProofHashLength {
        /// The position of the hash in the proof.
        index: usize,
        /// Its length in bytes.
        len: usize,
    },
    /// The proof evaluates to a different (new) tree root than expected.
    #[error("proof does not lead to the expected tree root")]
    RootMismatch,
    /// The consistency proof evaluates to a different old tree root than expected.
    #[error("consistency proof does not lead to the expected old tree root")]
    OldRootMismatch,
    /// An internal invariant did not hold (a bug in this module).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Reads hashes from the stored-hash array (see [`stored_hash_index`]).
pub trait HashReader {
    /// Returns the hashes stored at the given indexes, in the same order.
    ///
    /// Must return exactly one hash per index, or an error (use
    /// [`MerkleError::Storage`] for storage failures). Indexes are usually
    /// requested in increasing order.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError>;
}

/// Returns the RFC 6962 leaf hash `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// Returns the RFC 6962 interior node hash `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Returns the root of the empty tree, `SHA-256("")`.
pub fn empty_tree_hash() -> Hash {
    Sha256::digest([]).into()
}

/// Maps the tree coordinates `(level, n)` (the `n`th hash at height `level`,
/// leaves being level 0) to its position in the stored-hash array.
///
/// Meaningful for positions in trees smaller than [`MAX_STORED_TREE_SIZE`];
/// larger inputs wrap around instead of panicking.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // Level L's nth hash is stored right after level L+1's (2n+1)th hash:
    // descend to the level-0 ordering, then add the level back.
    let mut n = n;
    for _ in 0..level.min(64) {
        n = n.wrapping_mul(2).wrapping_add(1);
    }
    // Level 0's nth hash is stored at n + n/2 + n/4 + ...
    let mut i = 0u64;
    let mut m = n;
    while m > 0 {
        i = i.wrapping_add(m);
        m >>= 1;
    }
    i.wrapping_add(u64::from(level))
}

/// The inverse of [`stored_hash_index`]: returns `(level, n)` for a position.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // stored_hash_index(0, n) < 2n, so the record whose hashes contain
    // `index` is in [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        // Record n adds 1 + trailing_zeros(n+1) hashes.
        let next = index_n
            .saturating_add(1)
            .saturating_add(u64::from((n + 1).trailing_zeros()));
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    // The hash was stored with record n: it is one of (0, n), (1, n/2), ...
    let level = u32::try_from(index.saturating_sub(index_n)).unwrap_or(u32::MAX);
    (level, n.checked_shr(level).unwrap_or(0))
}

/// Returns how many stored hashes a tree with `n` leaves has.
pub fn stored_hash_count(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    // All hashes up to the last leaf hash, plus the subtrees it completes.
    let last = n - 1;
    stored_hash_index(0, last)
        .wrapping_add(1)
        .wrapping_add(u64::from(last.trailing_ones()))
}

/// Returns the hashes to append to the stored-hash array when adding leaf
/// `n` (0-based) with leaf hash `leaf`: the leaf hash followed by the hashes
/// of the subtrees it completes. They belong at `stored_hash_index(0, n)`.
///
/// Reads up to log2(n) earlier hashes through `r`.
pub fn stored_hashes_for_record(
    n: u64,
    leaf: Hash,
    r: &dyn HashReader,
) -> Result<Vec<Hash>, MerkleError> {
    if n >= MAX_STORED_TREE_SIZE {
        return Err(MerkleError::TreeTooLarge(n.saturating_add(1)));
    }
    // Each trailing 1 bit of n completes a subtree whose left sibling is stored.
    let m = (n + 1).trailing_zeros();
    let indexes: Vec<u64> = (0..m)
        .rev()
        .map(|i| stored_hash_index(i, (n >> i) - 1))
        .collect();
    let old = read_checked(r, &indexes)?;
    let mut hashes = Vec::with_capacity(indexes.len() + 1);
    hashes.push(leaf);
    let mut h = leaf;
    for left in old.iter().rev() {
        h = node_hash(left, &h);
        hashes.push(h);
    }
    Ok(hashes)
}

/// Returns the root hash of the tree made of the first `n` leaves, reading
/// at most 1 + log2(n) stored hashes in a single call. `tree_hash(0, _)` is
/// [`empty_tree_hash`].
pub fn tree_hash(n: u64, r: &dyn HashReader) -> Result<Hash, MerkleError> {
    if n == 0 {
        return Ok(empty_tree_hash());
    }
    check_stored_size(n)?;
    let mut indexes = Vec::new();
    subtree_index(0, n, &mut indexes);
    let hashes = read_checked(r, &indexes)?;
    let (h, rest) = subtree_hash(0, n, &hashes)?;
    if !rest.is_empty() {
        return Err(MerkleError::Internal("leftover hashes in tree_hash"));
    }
    Ok(h)
}

/// Returns the inclusion proof (RFC 6962 audit path, from the leaf's
/// sibling up to the root's child) of leaf `n` in the tree of size `t`.
pub fn prove_record(t: u64, n: u64, r: &dyn HashReader) -> Result<Vec<Hash>, MerkleError> {
    if n >= t {
        return Err(MerkleError::IndexOutOfRange { index: n, size: t });
    }
    check_stored_size(t)?;
    let mut indexes = Vec::new();
    leaf_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_checked(r, &indexes)?;
    let (p, rest) = leaf_proof(0, t, n, &hashes)?;
    if !rest.is_empty() {
        return Err(MerkleError::Internal("leftover hashes in prove_record"));
    }
    Ok(p)
}

/// Checks that `proof` proves that the tree of size `t` with root `root` has
/// leaf hash `leaf` at index `n`.
pub fn check_record(
    proof: &[Hash],
    t: u64,
    root: &Hash,
    n: u64,
    leaf: &Hash,
) -> Result<(), MerkleError> {
    if n >= t {
        return Err(MerkleError::IndexOutOfRange { index: n, size: t });
    }
    let expected = inclusion_proof_len(t, n);
    if proof.len() != expected {
        return Err(MerkleError::ProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let got = run_record_proof(proof, 0, t, n, leaf)?;
    if got != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Returns the consistency proof that the tree of size `n` is a prefix of
/// the tree of size `t` (RFC 6962 section 2.1.2). The proof is empty when
/// `n == t`; `n == 0` is an error (a proof from the empty tree says nothing).
pub fn prove_tree(t: u64, n: u64, r: &dyn HashReader) -> Result<Vec<Hash>, MerkleError> {
    if n > t {
        return Err(MerkleError::InvalidSizes { old: n, new: t });
    }
    if n == 0 {
        return Err(MerkleError::EmptyOldTree { new: t });
    }
    if n == t {
        return Ok(Vec::new());
    }
    check_stored_size(t)?;
    let mut indexes = Vec::new();
    tree_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_checked(r, &indexes)?;
    let (p, rest) = tree_proof(0, t, n, &hashes)?;
    if !rest.is_empty() {
        return Err(MerkleError::Internal("leftover hashes in prove_tree"));
    }
    Ok(p)
}

/// Checks that `proof` proves that the tree of size `n` with root `n_root`
/// is a prefix of the tree of size `t` with root `t_root`.
///
/// When `n == t` the proof must be empty and the roots equal; `n == 0` is
/// always rejected as meaningless (also when `t == 0`).
pub fn check_tree(
    proof: &[Hash],
    t: u64,
    t_root: &Hash,
    n: u64,
    n_root: &Hash,
) -> Result<(), MerkleError> {
    if n > t {
        return Err(MerkleError::InvalidSizes { old: n, new: t });
    }
    if n == 0 {
        return Err(MerkleError::EmptyOldTree { new: t });
    }
    if n == t {
        if !proof.is_empty() {
            return Err(MerkleError::ProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        if t_root != n_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    let expected = consistency_proof_len(t, n);
    if proof.len() != expected {
        return Err(MerkleError::ProofLength {
            expected,
            actual: proof.len(),
        });
    }
    let (old, new) = run_tree_proof(proof, 0, t, n, n_root)?;
    if old != *n_root {
        return Err(MerkleError::OldRootMismatch);
    }
    if new != *t_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Converts a byte slice to a `Hash`, naming the value in the error.
pub fn hash_from_slice(bytes: &[u8], what: &'static str) -> Result<Hash, MerkleError> {
    Hash::try_from(bytes).map_err(|_| MerkleError::HashLength {
        what,
        len: bytes.len(),
    })
}

/// Converts proof hashes given as byte strings, rejecting wrong lengths.
fn proof_from_slices<P: AsRef<[u8]>>(
    proof: &[P],
    expected: usize,
) -> Result<Vec<Hash>, MerkleError> {
    if proof.len() != expected {
        return Err(MerkleError::ProofLength {
            expected,
            actual: proof.len(),
        });
    }
    proof
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let p = p.as_ref();
            Hash::try_from(p).map_err(|_| MerkleError::ProofHashLength {
                index,
                len: p.len(),
            })
        })
        .collect()
}

/// Like [`check_record`], but with the proof, root and leaf hash as raw
/// bytes (for example decoded from untrusted input); any hash that is not
/// exactly 32 bytes long is rejected with a precise error.
pub fn check_record_bytes<P: AsRef<[u8]>>(
    proof: &[P],
    t: u64,
    root: &[u8],
    n: u64,
    leaf: &[u8],
) -> Result<(), MerkleError> {
    if n >= t {
        return Err(MerkleError::IndexOutOfRange { index: n, size: t });
    }
    let root = hash_from_slice(root, "root")?;
    let leaf = hash_from_slice(leaf, "leaf hash")?;
    let proof = proof_from_slices(proof, inclusion_proof_len(t, n))?;
    check_record(&proof, t, &root, n, &leaf)
}

/// Like [`check_tree`], but with the proof and roots as raw bytes; any hash
/// that is not exactly 32 bytes long is rejected with a precise error.
///
/// Exception, as in the shared RFC 6962 test vectors: when `0 < n == t` the
/// proof must be empty and the two roots are only compared byte for byte,
/// whatever their length.
pub fn check_tree_bytes<P: AsRef<[u8]>>(
    proof: &[P],
    t: u64,
    t_root: &[u8],
    n: u64,
    n_root: &[u8],
) -> Result<(), MerkleError> {
    if n > t {
        return Err(MerkleError::InvalidSizes { old: n, new: t });
    }
    if n == 0 {
        return Err(MerkleError::EmptyOldTree { new: t });
    }
    if n == t {
        if !proof.is_empty() {
            return Err(MerkleError::ProofLength {
                expected: 0,
                actual: proof.len(),
            });
        }
        if t_root != n_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    let t_root = hash_from_slice(t_root, "new root")?;
    let n_root = hash_from_slice(n_root, "old root")?;
    let proof = proof_from_slices(proof, consistency_proof_len(t, n))?;
    check_tree(&proof, t, &t_root, n, &n_root)
}

/// An in-memory stored-hash array, for tests and small trees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryHashes {
    hashes: Vec<Hash>,
    leaves: u64,
}

impl MemoryHashes {
    /// Returns an empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf (given by its leaf hash, see [`leaf_hash`]) to the tree.
    pub fn append_leaf(&mut self, leaf: Hash) -> Result<(), MerkleError> {
        let new = stored_hashes_for_record(self.leaves, leaf, self)?;
        self.hashes.extend_from_slice(&new);
        self.leaves += 1;
        Ok(())
    }

    /// Returns the number of leaves.
    pub fn leaf_count(&self) -> u64 {
        self.leaves
    }

    /// Returns the stored-hash array.
    pub fn stored(&self) -> &[Hash] {
        &self.hashes
    }

    /// Returns the root hash of the whole tree.
    pub fn root(&self) -> Result<Hash, MerkleError> {
        tree_hash(self.leaves, self)
    }
}

impl HashReader for MemoryHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or_else(|| {
                        MerkleError::Storage(format!(
                            "stored hash index {i} out of range (have {} hashes)",
                            self.hashes.len()
                        ))
                    })
            })
            .collect()
    }
}

fn check_stored_size(t: u64) -> Result<(), MerkleError> {
    if t > MAX_STORED_TREE_SIZE {
        return Err(MerkleError::TreeTooLarge(t));
    }
    Ok(())
}

fn read_checked(r: &dyn HashReader, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = r.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(MerkleError::ReadMismatch {
            requested: indexes.len(),
            returned: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The largest power of two that is <= x (x >= 1).
fn pow2_le(x: u64) -> u64 {
    1u64 << (63 - x.max(1).leading_zeros())
}

/// The largest power of two that is < x (x >= 2): RFC 6962's split point k.
fn pow2_lt(x: u64) -> u64 {
    pow2_le(x.saturating_sub(1))
}

/// Appends the stored-hash indexes of the maximal complete subtrees that
/// make up leaves [lo, hi).
fn subtree_index(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let k = pow2_le(hi - lo);
        let level = k.trailing_zeros();
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// Computes the hash of leaves [lo, hi) from the hashes read for
/// `subtree_index(lo, hi)`, returning the unused rest of `hashes`.
fn subtree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> Result<(Hash, &[Hash]), MerkleError> {
    let mut count = 0usize;
    while lo < hi {
        lo += pow2_le(hi - lo);
        count += 1;
    }
    let (used, rest) = hashes
        .split_at_checked(count)
        .ok_or(MerkleError::Internal("too few hashes in subtree_hash"))?;
    let mut it = used.iter().rev();
    let mut h = *it
        .next()
        .ok_or(MerkleError::Internal("empty subtree in subtree_hash"))?;
    for left in it {
        h = node_hash(left, &h);
    }
    Ok((h, rest))
}

fn leaf_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if hi - lo <= 1 {
        return;
    }
    let k = pow2_lt(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, need);
        subtree_index(lo + k, hi, need);
    } else {
        subtree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need);
    }
}

fn leaf_proof(
    lo: u64,
    hi: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<(Vec<Hash>, &[Hash]), MerkleError> {
    if hi - lo <= 1 {
        return Ok((Vec::new(), hashes));
    }
    let k = pow2_lt(hi - lo);
    if n < lo + k {
        let (mut p, rest) = leaf_proof(lo, lo + k, n, hashes)?;
        let (th, rest) = subtree_hash(lo + k, hi, rest)?;
        p.push(th);
        Ok((p, rest))
    } else {
        let (th, rest) = subtree_hash(lo, lo + k, hashes)?;
        let (mut p, rest) = leaf_proof(lo + k, hi, n, rest)?;
        p.push(th);
        Ok((p, rest))
    }
}

/// The number of hashes in an inclusion proof of leaf n < t.
fn inclusion_proof_len(t: u64, n: u64) -> usize {
    let (mut lo, mut hi, mut len) = (0u64, t, 0usize);
    while hi - lo > 1 {
        let k = pow2_lt(hi - lo);
        if n < lo + k {
            hi = lo + k;
        } else {
            lo += k;
        }
        len += 1;
    }
    len
}

fn run_record_proof(
    p: &[Hash],
    lo: u64,
    hi: u64,
    n: u64,
    leaf: &Hash,
) -> Result<Hash, MerkleError> {
    let wrong_len = || MerkleError::Internal("proof length mismatch in run_record_proof");
    if hi - lo <= 1 {
        return if p.is_empty() {
            Ok(*leaf)
        } else {
            Err(wrong_len())
        };
    }
    let (last, rest) = p.split_last().ok_or_else(wrong_len)?;
    let k = pow2_lt(hi - lo);
    if n < lo + k {
        let th = run_record_proof(rest, lo, lo + k, n, leaf)?;
        Ok(node_hash(&th, last))
    } else {
        let th = run_record_proof(rest, lo + k, hi, n, leaf)?;
        Ok(node_hash(last, &th))
    }
}

/// Requires lo < n <= hi.
fn tree_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if n == hi {
        if lo != 0 {
            subtree_index(lo, hi, need);
        }
        return;
    }
    let k = pow2_lt(hi - lo);
    if n <= lo + k {
        tree_proof_index(lo, lo + k, n, need);
        subtree_index(lo + k, hi, need);
    } else {
        subtree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need);
    }
}

fn tree_proof(
    lo: u64,
    hi: u64,
    n: u64,
    hashes: &[Hash],
) -> Result<(Vec<Hash>, &[Hash]), MerkleError> {
    if n == hi {
        if lo == 0 {
            // The verifier knows the old root already.
            return Ok((Vec::new(), hashes));
        }
        let (th, rest) = subtree_hash(lo, hi, hashes)?;
        return Ok((vec![th], rest));
    }
    let k = pow2_lt(hi - lo);
    if n <= lo + k {
        let (mut p, rest) = tree_proof(lo, lo + k, n, hashes)?;
        let (th, rest) = subtree_hash(lo + k, hi, rest)?;
        p.push(th);
        Ok((p, rest))
    } else {
        let (th, rest) = subtree_hash(lo, lo + k, hashes)?;
        let (mut p, rest) = tree_proof(lo + k, hi, n, rest)?;
        p.push(th);
        Ok((p, rest))
    }
}

/// The number of hashes in a consistency proof from size n to size t, 0 < n < t.
fn consistency_proof_len(t: u64, n: u64) -> usize {
    let (mut lo, mut hi, mut len) = (0u64, t, 0usize);
    loop {
        if n == hi {
            if lo != 0 {
                len += 1;
            }
            return len;
        }
        let k = pow2_lt(hi - lo);
        if n <= lo + k {
            hi = lo + k;
        } else {
            lo += k;
        }
        len += 1;
    }
}

/// Returns the implied (old, new) hashes of the subtree [lo, hi), lo < n <= hi.
fn run_tree_proof(
    p: &[Hash],
    lo: u64,
    hi: u64,
    n: u64,
    old: &Hash,
) -> Result<(Hash, Hash), MerkleError> {
    let wrong_len = || MerkleError::Internal("proof length mismatch in run_tree_proof");
    if n == hi {
        if lo == 0 {
            return if p.is_empty() {
                Ok((*old, *old))
            } else {
                Err(wrong_len())
            };
        }
        return match p {
            [h] => Ok((*h, *h)),
            _ => Err(wrong_len()),
        };
    }
    let (last, rest) = p.split_last().ok_or_else(wrong_len)?;
    let k = pow2_lt(hi - lo);
    if n <= lo + k {
        let (oh, th) = run_tree_proof(rest, lo, lo + k, n, old)?;
        Ok((oh, node_hash(&th, last)))
    } else {
        let (oh, th) = run_tree_proof(rest, lo + k, hi, n, old)?;
        Ok((node_hash(last, &oh), node_hash(last, &th)))
    }
}

/// The RFC 6962 root of a stream of leaves in O(log n) memory: a stack of perfect subtrees, merged as
/// they fill, folded right to left at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamingRoot {
    /// (number of leaves, hash) of perfect subtrees, left to right, sizes strictly decreasing.
    stack: Vec<(u64, Hash)>,
    leaves: u64,
}

impl StreamingRoot {
    /// Appends a leaf (given by its leaf hash, see [`leaf_hash`]).
    pub fn push(&mut self, leaf: Hash) {
        let mut cur = (1u64, leaf);
        while let Some(&(size, h)) = self.stack.last() {
            if size != cur.0 {
                break;
            }
            self.stack.pop();
            cur = (size * 2, node_hash(&h, &cur.1));
        }
        self.stack.push(cur);
        self.leaves += 1;
    }

    /// The number of leaves pushed.
    pub fn len(&self) -> u64 {
        self.leaves
    }

    /// Whether no leaf was pushed.
    pub fn is_empty(&self) -> bool {
        self.leaves == 0
    }

    /// The root of the leaves pushed so far ([`empty_tree_hash`] for none).
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        match iter.next() {
            None => empty_tree_hash(),
            Some(&(_, last)) => iter.fold(last, |acc, (_, h)| node_hash(h, &acc)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/rfc6962");

    /// The RFC 6962 MTH definition, computed recursively over all leaves.
    fn naive_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_tree_hash(),
            1 => leaves[0],
            n => {
                let k = pow2_lt(n as u64) as usize;
                node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    fn tree(n: u64) -> MemoryHashes {
        let mut t = MemoryHashes::new();
        for l in leaves(n) {
            t.append_leaf(l).unwrap();
        }
        t
    }

    #[test]
    fn stored_index_roundtrip_and_count() {
        for level in 0..10u32 {
            for n in 0..200u64 {
                let i = stored_hash_index(level, n);
                assert_eq!(split_stored_hash_index(i), (level, n));
            }
        }
        let mut t = MemoryHashes::new();
        for (i, l) in leaves(100).into_iter().enumerate() {
            assert_eq!(t.stored().len() as u64, stored_hash_count(i as u64));
            assert_eq!(stored_hash_index(0, i as u64), t.stored().len() as u64);
            t.append_leaf(l).unwrap();
        }
        assert_eq!(t.stored().len() as u64, stored_hash_count(100));
    }

    #[test]
    fn known_roots() {
        assert_eq!(
            hex::encode(tree_hash(0, &MemoryHashes::new()).unwrap()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // RFC 6962 leaf hash of the empty string.
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn errors_are_precise() {
        let t = tree(5);
        assert_eq!(
            prove_record(5, 5, &t),
            Err(MerkleError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            prove_tree(3, 4, &t),
            Err(MerkleError::InvalidSizes { old: 4, new: 3 })
        );
        assert_eq!(
            prove_tree(3, 0, &t),
            Err(MerkleError::EmptyOldTree { new: 3 })
        );
        assert!(matches!(tree_hash(6, &t), Err(MerkleError::Storage(_))));
        assert_eq!(
            tree_hash(u64::MAX, &t),
            Err(MerkleError::TreeTooLarge(u64::MAX))
        );
        let root = t.root().unwrap();
        let p = prove_record(5, 1, &t).unwrap();
        assert_eq!(
            check_record(&p[1..], 5, &root, 1, &leaf_hash(&1u64.to_be_bytes())),
            Err(MerkleError::ProofLength {
                expected: 3,
                actual: 2
            })
        );
        assert_eq!(
            check_record_bytes(&[vec![0u8; 31]], 2, &root, 0, &root),
            Err(MerkleError::ProofHashLength { index: 0, len: 31 })
        );
        assert_eq!(
            check_tree_bytes::<Vec<u8>>(&[], 2, b"short", 1, &root),
            Err(MerkleError::HashLength {
                what: "new root",
                len: 5
            })
        );
        // Huge sizes are checked without overflow or panics.
        assert!(check_record(&[], u64::MAX, &root, u64::MAX - 1, &root).is_err());
        assert!(check_tree(&[], u64::MAX, &root, u64::MAX - 1, &root).is_err());
        assert_eq!(
            check_tree(&[], 0, &root, 0, &root),
            Err(MerkleError::EmptyOldTree { new: 0 })
        );
    }

    struct Short;
    impl HashReader for Short {
        fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, MerkleError> {
            Ok(Vec::new())
        }
    }

    #[test]
    fn reader_returning_too_few_hashes_is_an_error() {
        assert_eq!(
            tree_hash(3, &Short),
            Err(MerkleError::ReadMismatch {
                requested: 2,
                returned: 0
            })
        );
    }

    fn vectors_dir() -> Option<PathBuf> {
        let dir = PathBuf::from(VECTORS);
        if dir.is_dir() {
            return Some(dir);
        }
        if std::env::var_os("CI").is_some() {
            panic!("RFC 6962 vectors not found at {VECTORS} (required when CI is set)");
        }
        eprintln!("skipping: RFC 6962 vectors {VECTORS} not found");
        None
    }

    fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                json_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }

    struct Vector {
        v: serde_json::Value,
    }

    impl Vector {
        fn u64(&self, k: &str) -> Result<u64, String> {
            self.v[k].as_u64().ok_or(format!("{k} not a u64"))
        }
        fn bytes(&self, k: &str) -> Result<Vec<u8>, String> {
            let s = self.v[k].as_str().ok_or(format!("{k} not a string"))?;
            STANDARD.decode(s).map_err(|e| format!("{k}: {e}"))
        }
        fn proof(&self) -> Result<Vec<Vec<u8>>, String> {
            match &self.v["proof"] {
                serde_json::Value::Null => Ok(Vec::new()),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        STANDARD
                            .decode(x.as_str().ok_or("proof item not a string")?)
                            .map_err(|e| e.to_string())
                    })
                    .collect(),
                _ => Err("proof is not a list".into()),
            }
        }
    }

    fn run_vectors(kind: &str, check: impl Fn(&Vector) -> Result<(), String>) -> usize {
        let Some(dir) = vectors_dir() else { return 0 };
        let mut files = Vec::new();
        json_files(&dir.join(kind), &mut files);
        assert!(!files.is_empty(), "no {kind} vectors found");
        let mut accepted = 0;
        for f in &files {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
            let want_err = v["wantErr"].as_bool().unwrap();
            let res = check(&Vector { v });
            assert_eq!(
                res.is_err(),
                want_err,
                "{}: got {res:?}, wantErr {want_err}",
                f.display()
            );
            if res.is_ok() {
                accepted += 1;
            }
        }
        assert!(accepted > 0, "no {kind} vector was accepted");
        eprintln!("{kind}: {} vectors, {accepted} accepted", files.len());
        files.len()
    }

    #[test]
    fn rfc6962_inclusion_vectors() {
        run_vectors("inclusion", |v| {
            check_record_bytes(
                &v.proof()?,
                v.u64("treeSize")?,
                &v.bytes("root")?,
                v.u64("leafIdx")?,
                &v.bytes("leafHash")?,
            )
            .map_err(|e| e.to_string())
        });
    }

    #[test]
    fn rfc6962_consistency_vectors() {
        run_vectors("consistency", |v| {
            check_tree_bytes(
                &v.proof()?,
                v.u64("size2")?,
                &v.bytes("root2")?,
                v.u64("size1")?,
                &v.bytes("root1")?,
            )
            .map_err(|e| e.to_string())
        });
    }

    proptest! {
        #[test]
        fn stored_roots_match_naive(size in 0u64..=300) {
            let t = tree(size);
            let all = leaves(size);
            for n in [0, size / 3, size / 2, size] {
                prop_assert_eq!(tree_hash(n, &t).unwrap(), naive_root(&all[..n as usize]));
            }
        }

        #[test]
        fn inclusion_proofs_verify(size in 1u64..=300, seed in any::<u64>(), bit in any::<u16>()) {
            let t = tree(size);
            let n = seed % size;
            let root = tree_hash(size, &t).unwrap();
            let leaf = leaf_hash(&n.to_be_bytes());
            let p = prove_record(size, n, &t).unwrap();
            prop_assert_eq!(check_record(&p, size, &root, n, &leaf), Ok(()));
            prop_assert!(check_record(&p, size, &root, n, &leaf_hash(b"other")).is_err());
            if !p.is_empty() {
                let mut bad = p.clone();
                let b = bit as usize % (bad.len() * 256);
                bad[b / 256][(b % 256) / 8] ^= 1 << (b % 8);
                prop_assert_eq!(check_record(&bad, size, &root, n, &leaf), Err(MerkleError::RootMismatch));
            }
        }

        #[test]
        fn consistency_proofs_verify(size in 1u64..=300, seed in any::<u64>(), bit in any::<u16>()) {
            let t = tree(size);
            let n = 1 + seed % size;
            let root = tree_hash(size, &t).unwrap();
            let old = tree_hash(n, &t).unwrap();
            let p = prove_tree(size, n, &t).unwrap();
            prop_assert_eq!(check_tree(&p, size, &root, n, &old), Ok(()));
            if n < size {
                prop_assert!(check_tree(&p, size, &root, n, &root).is_err());
            }
            if !p.is_empty() {
                let mut bad = p.clone();
                let b = bit as usize % (bad.len() * 256);
                bad[b / 256][(b % 256) / 8] ^= 1 << (b % 8);
                prop_assert!(check_tree(&bad, size, &root, n, &old).is_err());
            }
        }
    }

    #[test]
    fn streaming_root_matches_the_stored_tree() {
        let mut mem = MemoryHashes::new();
        let mut s = StreamingRoot::default();
        assert_eq!(s.root(), empty_tree_hash());
        for i in 0u64..70 {
            let leaf = leaf_hash(&i.to_le_bytes());
            mem.append_leaf(leaf).unwrap();
            s.push(leaf);
            assert_eq!((s.len(), s.root()), (i + 1, mem.root().unwrap()));
        }
    }
}
