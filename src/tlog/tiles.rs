//! C2SP tlog-tiles: the log's RFC 6962 tree as static files that any web server or mirror can serve,
//! so that anyone can recompute what a checkpoint commits to (`../shared/specs/c2sp-tlog-tiles.md`,
//! `schema/FORMAT.md` section 16).
//!
//! A tile is a run of at most 256 consecutive Merkle tree hashes at one level of tiles: at level 0 the
//! leaf hashes, at level `l` the roots of full tiles of level `l - 1` (subtrees of `256^l` leaves). Full
//! tiles hold 256 hashes and never change; the rightmost tile of a level is partial (1 to 255 hashes)
//! and is written for the tree size of each checkpoint beside the full one that later replaces it. An
//! entry bundle holds the leaf data of one level-0 tile, each entry a big-endian `u16` length and its
//! bytes.
//!
//! [`TileBuilder`] makes the tiles from a stream of leaves in memory bounded by the tree's height (255
//! hashes a level), whatever the log's size: the writer and the checker of a mirror both use it, so
//! they cannot disagree about what a tile holds. Nothing here reads or writes files.

use super::merkle::{self, HASH_SIZE, Hash};

/// Hashes in a full tile.
pub const WIDTH: usize = 256;

/// The longest leaf an entry bundle can hold (its length is a `u16`).
pub const MAX_ENTRY: usize = u16::MAX as usize;

/// One tile: its level (0 for leaf hashes), its index within the level, and how many hashes it holds
/// (1 to 256; 256 is a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tile {
    /// The level: 0 for leaf hashes, `l` for roots of full tiles of level `l - 1`.
    pub level: u8,
    /// The index of the tile within its level.
    pub index: u64,
    /// The number of hashes it holds, 1 to 256.
    pub width: u16,
}

impl Tile {
    /// Whether it holds 256 hashes (and so never changes).
    pub fn is_full(&self) -> bool {
        usize::from(self.width) == WIDTH
    }

    /// Its path under the log's prefix: `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, self.suffix())
    }

    /// The path of the entry bundle of a level-0 tile: `tile/entries/<N>[.p/<W>]`.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}", self.suffix())
    }

    /// `<N>[.p/<W>]`, with `prefix` before `<N>` (another bundle kind beside the spec's, such as the
    /// stored events of a level-0 tile).
    pub fn named(&self, prefix: &str) -> String {
        format!("{prefix}/{}", self.suffix())
    }

    fn suffix(&self) -> String {
        match self.is_full() {
            true => index_path(self.index),
            false => format!("{}.p/{}", index_path(self.index), self.width),
        }
    }
}

/// A tile index as the spec writes it in a path: zero-padded 3-digit elements, all but the last
/// beginning with `x` (1234067 is `x001/x234/067`).
pub fn index_path(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

/// The tiles a tree of `size` leaves is served as: every full tile and the partial tile of each level
/// that has one, level by level, in index order (the spec's example: 70,000 leaves are 273 full
/// level-0 tiles, a partial one of width 112, a full level-1 tile, a partial one of width 17 and a
/// partial level-2 tile of width 1).
pub fn tiles_of(size: u64) -> Vec<Tile> {
    let mut out = Vec::new();
    let mut hashes = size; // hashes at this level: subtrees of 256^level leaves
    let mut level = 0u8;
    while hashes > 0 {
        let full = hashes / WIDTH as u64;
        out.extend((0..full).map(|index| Tile {
            level,
            index,
            width: WIDTH as u16,
        }));
        let rest = (hashes % WIDTH as u64) as u16;
        if rest > 0 {
            out.push(Tile {
                level,
                index: full,
                width: rest,
            });
        }
        hashes = full;
        level += 1;
    }
    out
}

/// One entry of an entry bundle: its length as a big-endian `u16`, then its bytes. `None` for an entry
/// longer than [`MAX_ENTRY`].
pub fn bundle_entry(entry: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(entry.len()).ok()?;
    let mut out = Vec::with_capacity(2 + entry.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(entry);
    Some(out)
}

/// What is wrong with an entry bundle's bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The bytes end inside an entry.
    #[error("the bundle ends inside entry {index}")]
    Truncated {
        /// The entry's place in the bundle.
        index: usize,
    },
    /// The bundle holds another number of entries than its tile has hashes.
    #[error("the bundle holds {found} entries where its tile has {expected}")]
    Count {
        /// The entries its tile needs.
        expected: usize,
        /// The entries it holds.
        found: usize,
    },
}

/// The entries of an entry bundle, which must hold `expected` of them and nothing after.
pub fn read_bundle(bytes: &[u8], expected: usize) -> Result<Vec<&[u8]>, BundleError> {
    let mut out = Vec::with_capacity(expected.min(WIDTH));
    let mut rest = bytes;
    while !rest.is_empty() {
        let index = out.len();
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            return Err(BundleError::Truncated { index });
        };
        let len = usize::from(u16::from_be_bytes(*len));
        if tail.len() < len {
            return Err(BundleError::Truncated { index });
        }
        let (entry, tail) = tail.split_at(len);
        out.push(entry);
        rest = tail;
        if out.len() > expected {
            break;
        }
    }
    match out.len() == expected && rest.is_empty() {
        true => Ok(out),
        false => Err(BundleError::Count {
            expected,
            found: out.len() + usize::from(!rest.is_empty()),
        }),
    }
}

/// A tile made by [`TileBuilder`]: which tile, and its bytes (its hashes, concatenated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// The tile.
    pub tile: Tile,
    /// Its bytes: `32 * width`.
    pub data: Vec<u8>,
}

/// The tiles of a tree, made as its leaves come: [`TileBuilder::push`] returns the full tiles a leaf
/// completes (none for 255 leaves in 256), [`TileBuilder::partials`] the partial tiles of the tree so
/// far. Memory: at most 255 hashes a level.
#[derive(Debug, Clone, Default)]
pub struct TileBuilder {
    /// Per level, the hashes of the tile being filled.
    open: Vec<Vec<Hash>>,
    /// Per level, the index of the tile being filled.
    next: Vec<u64>,
    /// Leaves pushed.
    size: u64,
}

impl TileBuilder {
    /// A builder for the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Leaves pushed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds the next leaf (its data: the tree's leaf hash is `SHA-256(0x00 || data)`), returning the
    /// full tiles it completes, lowest level first.
    pub fn push(&mut self, leaf_data: &[u8]) -> Vec<Made> {
        self.size += 1;
        let mut made = Vec::new();
        let mut hash = merkle::leaf_hash(leaf_data);
        let mut level = 0usize;
        loop {
            if self.open.len() <= level {
                self.open.push(Vec::with_capacity(WIDTH));
                self.next.push(0);
            }
            self.open[level].push(hash);
            if self.open[level].len() < WIDTH {
                return made;
            }
            let hashes = std::mem::take(&mut self.open[level]);
            hash = perfect_root(&hashes);
            made.push(Made {
                tile: Tile {
                    level: level as u8,
                    index: self.next[level],
                    width: WIDTH as u16,
                },
                data: hashes.concat(),
            });
            self.next[level] += 1;
            level += 1;
        }
    }

    /// The partial tiles of the tree so far, lowest level first (none for a level whose hashes all
    /// sit in full tiles).
    pub fn partials(&self) -> Vec<Made> {
        self.open
            .iter()
            .zip(&self.next)
            .enumerate()
            .filter(|(_, (hashes, _))| !hashes.is_empty())
            .map(|(level, (hashes, &index))| Made {
                tile: Tile {
                    level: level as u8,
                    index,
                    width: hashes.len() as u16,
                },
                data: hashes.concat(),
            })
            .collect()
    }
}

/// The root of a perfect subtree whose leaves (at this level) are `hashes` (a power of two of them).
fn perfect_root(hashes: &[Hash]) -> Hash {
    let mut level: Vec<Hash> = hashes.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| match p {
                [l, r] => merkle::node_hash(l, r),
                [one] => *one,
                _ => merkle::empty_tree_hash(),
            })
            .collect();
    }
    level
        .first()
        .copied()
        .unwrap_or_else(merkle::empty_tree_hash)
}

/// The hashes of a tile's bytes, which must be `32 * width` of them.
pub fn tile_hashes(data: &[u8], width: u16) -> Option<Vec<Hash>> {
    if data.len() != HASH_SIZE * usize::from(width) {
        return None;
    }
    Some(
        data.chunks_exact(HASH_SIZE)
            .filter_map(|c| <Hash>::try_from(c).ok())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::merkle::MemoryHashes;

    #[test]
    fn indexes_are_written_as_the_spec_says() {
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(5), "005");
        assert_eq!(index_path(999), "999");
        assert_eq!(index_path(1000), "x001/000");
        assert_eq!(index_path(1_234_067), "x001/x234/067");
        let t = Tile {
            level: 0,
            index: 1_234_067,
            width: 256,
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067");
        let p = Tile { width: 112, ..t };
        assert_eq!(p.path(), "tile/0/x001/x234/067.p/112");
        assert_eq!(p.entries_path(), "tile/entries/x001/x234/067.p/112");
        assert_eq!(p.named("events"), "events/x001/x234/067.p/112");
    }

    /// The spec's examples: 70,000 leaves; 256 leaves.
    #[test]
    fn the_tiles_of_a_tree_are_those_of_the_spec() {
        let t = tiles_of(70_000);
        let at = |l: u8| t.iter().filter(move |x| x.level == l).collect::<Vec<_>>();
        assert_eq!(at(0).len(), 274);
        assert_eq!(at(0).iter().filter(|x| x.is_full()).count(), 273);
        assert_eq!(at(0)[273].width, 112);
        assert_eq!(at(1).len(), 2);
        assert!(at(1)[0].is_full());
        assert_eq!(at(1)[1].width, 17);
        assert_eq!(at(2).len(), 1);
        assert_eq!(at(2)[0].width, 1);
        assert!(at(3).is_empty());
        let t = tiles_of(256);
        assert_eq!(
            t,
            [
                Tile {
                    level: 0,
                    index: 0,
                    width: 256
                },
                Tile {
                    level: 1,
                    index: 0,
                    width: 1
                }
            ]
        );
        assert!(tiles_of(0).is_empty());
    }

    /// The builder makes exactly the tiles [`tiles_of`] names, and each hash in them is the stored hash
    /// of the RFC 6962 tree at level `8 * l` (the Go sumdb's stored-hash array, which computes
    /// inclusion proofs for the whole suite).
    #[test]
    fn the_builder_makes_the_trees_own_hashes() {
        for size in [
            1u64, 255, 256, 257, 511, 512, 65_535, 65_536, 65_537, 70_000,
        ] {
            let mut b = TileBuilder::new();
            let mut tree = MemoryHashes::new();
            let mut made = Vec::new();
            for i in 0..size {
                let data = i.to_be_bytes();
                made.extend(b.push(&data));
                tree.append_leaf(merkle::leaf_hash(&data)).unwrap();
            }
            made.extend(b.partials());
            let mut tiles: Vec<Tile> = made.iter().map(|m| m.tile).collect();
            tiles.sort_by_key(|t| (t.level, t.index));
            assert_eq!(tiles, tiles_of(size), "size {size}");
            for m in &made {
                let hashes = tile_hashes(&m.data, m.tile.width).unwrap();
                for (i, h) in hashes.iter().enumerate() {
                    let n = m.tile.index * WIDTH as u64 + i as u64;
                    let at = merkle::stored_hash_index(8 * u32::from(m.tile.level), n);
                    assert_eq!(tree.stored()[at as usize], *h, "size {size} {:?}", m.tile);
                }
            }
        }
    }

    #[test]
    fn bundles_read_back_and_refuse_what_does_not_fit() {
        let entries: Vec<Vec<u8>> = vec![vec![1; 32], vec![], vec![7; 300]];
        let bytes: Vec<u8> = entries
            .iter()
            .flat_map(|e| bundle_entry(e).unwrap())
            .collect();
        let read = read_bundle(&bytes, 3).unwrap();
        assert_eq!(
            read,
            entries.iter().map(|e| e.as_slice()).collect::<Vec<_>>()
        );
        assert_eq!(
            read_bundle(&bytes, 2),
            Err(BundleError::Count {
                expected: 2,
                found: 3
            })
        );
        assert_eq!(
            read_bundle(&bytes, 4),
            Err(BundleError::Count {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            read_bundle(&bytes[..bytes.len() - 1], 3),
            Err(BundleError::Truncated { index: 2 })
        );
        assert_eq!(
            read_bundle(&[0], 1),
            Err(BundleError::Truncated { index: 0 })
        );
        assert!(bundle_entry(&vec![0; MAX_ENTRY + 1]).is_none());
        assert!(bundle_entry(&vec![0; MAX_ENTRY]).is_some());
    }
}
