//! TEMPORARY: minimal RFC 6962 tree (replaced by the full module).

use sha2::{Digest, Sha256};

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// Merkle errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// Storage failure.
    #[error("{0}")]
    Storage(String),
}

/// Reads stored hashes.
pub trait HashReader {
    /// Reads hashes by stored index.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, MerkleError>;
}

/// SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 || l || r).
pub fn node_hash(l: &Hash, r: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(l);
    h.update(r);
    h.finalize().into()
}

/// Stored hash index.
pub fn stored_hash_index(level: u32, mut n: u64) -> u64 {
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut i = 0;
    while n > 0 {
        i += n;
        n >>= 1;
    }
    i + u64::from(level)
}

/// Hashes to store for record n.
pub fn stored_hashes_for_record(
    n: u64,
    leaf: Hash,
    r: &dyn HashReader,
) -> Result<Vec<Hash>, MerkleError> {
    let mut hashes = vec![leaf];
    let m = (n + 1).trailing_zeros();
    let mut indexes = vec![0u64; m as usize];
    for i in 0..m {
        indexes[(m - 1 - i) as usize] = stored_hash_index(i, (n >> i) - 1);
    }
    let old = r.read_hashes(&indexes)?;
    let mut h = leaf;
    for i in 0..m as usize {
        h = node_hash(&old[m as usize - 1 - i], &h);
        hashes.push(h);
    }
    Ok(hashes)
}

fn maxpow2(n: u64) -> (u64, u32) {
    let mut l = 0;
    while (1u64 << (l + 1)) < n {
        l += 1;
    }
    (1 << l, l)
}

/// Root of the first n leaves.
pub fn tree_hash(n: u64, r: &dyn HashReader) -> Result<Hash, MerkleError> {
    if n == 0 {
        return Ok(Sha256::digest([]).into());
    }
    let mut indexes = Vec::new();
    let mut lo = 0;
    while lo < n {
        let (k, level) = maxpow2(n - lo + 1);
        indexes.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
    let hashes = r.read_hashes(&indexes)?;
    let mut th = hashes[hashes.len() - 1];
    for h in hashes.iter().rev().skip(1) {
        th = node_hash(h, &th);
    }
    Ok(th)
}
