//! The Merkle tree over a ledger's events (RFC 6962, schema/FORMAT.md): its roots and proofs, read
//! from the tree hashes the store keeps, and the hashes each new event adds to them.
//!
//! Why: checkpoints, inclusion and consistency proofs need the root of any prefix of the log; folding
//! every event hash for each would cost O(n), while the stored hashes answer in O(log n) reads.
//! Invariants:
//!
//! - Leaf `n` is the leaf hash of event `n`'s hash; the hashes stored for it are pushed in the same
//!   commit as the event ([`push_leaf`], called by the write path only).
//! - Roots and proofs are asked only of trees of at most the committed events; a size, index or pair
//!   of sizes out of range is the caller's error ([`Error::Invalid`]), a hash the store cannot give is
//!   damage ([`IntegrityError::StoreUnreadable`]).

use super::Ledger;
use crate::domain::event::Hash;
use crate::error::{Error, IntegrityError, Invalid, Result};
use crate::store::{Store, StoreDamage, StoreError, StoreWriter};
use crate::tlog::merkle;

impl<S: Store> Ledger<S> {
    /// The Merkle root of the first `size` events (RFC 6962 over the event hashes).
    pub fn tree_root(&self, size: u64) -> Result<Hash> {
        if size > self.committed.events {
            return Err(Error::Invalid(Invalid::FewerEvents {
                events: self.committed.events,
                size,
            }));
        }
        merkle::tree_hash(size, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    fn merkle_err(&self, e: merkle::MerkleError) -> Error {
        use merkle::MerkleError as M;
        match e {
            M::IndexOutOfRange { .. } | M::InvalidSizes { .. } | M::EmptyOldTree { .. } => {
                Error::Invalid(Invalid::Merkle(e))
            }
            M::Internal(m) => Error::Internal(format!("Merkle tree: {m}")),
            e => IntegrityError::StoreUnreadable(StoreDamage::Tree(e)).into(),
        }
    }

    /// The RFC 6962 inclusion proof of event `index` in the tree of the first `size` events, read from
    /// the stored hashes (O(log n) reads).
    pub fn prove_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>> {
        self.check_tree_size(size)?;
        merkle::prove_record(size, index, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    /// The RFC 6962 consistency proof from the tree of the first `old` events to that of the first `new`
    /// (empty when they are equal), read from the stored hashes (O(log n) reads).
    pub fn prove_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        self.check_tree_size(new)?;
        merkle::prove_tree(new, old, &StoreHashes(&self.store)).map_err(|e| self.merkle_err(e))
    }

    fn check_tree_size(&self, size: u64) -> Result<()> {
        match size > self.committed.events {
            true => Err(Error::Invalid(Invalid::FewerEvents {
                events: self.committed.events,
                size,
            })),
            false => Ok(()),
        }
    }
}

struct StoreHashes<'a, S: Store>(&'a S);

impl<S: Store> merkle::HashReader for StoreHashes<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, merkle::MerkleError> {
        self.0
            .tree_hashes(indexes)
            .map_err(|e| merkle::MerkleError::Storage(e.to_string()))
    }
}

struct WriterHashes<'a>(&'a dyn StoreWriter);

impl merkle::HashReader for WriterHashes<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, merkle::MerkleError> {
        self.0
            .tree_hashes(indexes)
            .map_err(|e| merkle::MerkleError::Storage(e.to_string()))
    }
}

/// Adds event `n` (with hash `event_hash`) as leaf `n` of the stored Merkle tree.
pub(super) fn push_leaf(
    w: &mut dyn StoreWriter,
    n: u64,
    event_hash: &Hash,
) -> Result<(), StoreError> {
    let leaf = merkle::leaf_hash(event_hash);
    let hashes = merkle::stored_hashes_for_record(n, leaf, &WriterHashes(w))
        .map_err(|e| StoreError::Damaged(StoreDamage::Tree(e)))?;
    for h in hashes {
        w.push_tree_hash(h)?;
    }
    Ok(())
}
