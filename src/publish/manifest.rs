//! The manifest of a publication pack: a C2SP signed note by the log key whose text lists what the
//! pack holds (`schema/FORMAT.md` section 17.3). Its text, line by line, each ending in LF:
//!
//! ```text
//! hyoka publication v1
//! origin <the log's origin>
//! point <the point's id, FY2020-YE>
//! published <seq of the round.published event>
//! table-sha256 <hex SHA-256 of the canonical table, as round.published records it>
//! checkpoint <size> <root, base64>
//! file <hex SHA-256> <name>          (one line per file, in byte order of the names)
//! ```
//!
//! Invariants: [`text`] and [`parse`] are inverses on every manifest [`text`] makes; a name is one path
//! component of `[A-Za-z0-9._-]`, never `.` or `..`, and listed once.

use crate::tlog::checkpoint::{parse_decimal, parse_hash};
use base64::Engine;

/// The first line of a manifest (its version).
pub const MANIFEST_V1: &str = "hyoka publication v1";

/// The longest manifest accepted.
pub const MAX_MANIFEST: u64 = 64 * 1024;

/// What a manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The log's origin.
    pub origin: String,
    /// The point's id.
    pub point: String,
    /// The `round.published` event.
    pub published: u64,
    /// SHA-256 of the canonical table.
    pub table_sha256: [u8; 32],
    /// The checkpoint's size.
    pub size: u64,
    /// The checkpoint's root.
    pub root: [u8; 32],
    /// Each file's name and SHA-256, in byte order of the names.
    pub files: Vec<(String, [u8; 32])>,
}

/// Whether `name` may be listed: one path component of `[A-Za-z0-9._-]`, not `.` or `..`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The manifest's text (the signed note's body).
pub fn text(m: &Manifest) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out = format!(
        "{MANIFEST_V1}\norigin {}\npoint {}\npublished {}\ntable-sha256 {}\ncheckpoint {} {}\n",
        m.origin,
        m.point,
        m.published,
        hex::encode(m.table_sha256),
        m.size,
        b64.encode(m.root)
    );
    let mut files = m.files.clone();
    files.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (name, digest) in files {
        out.push_str(&format!("file {} {name}\n", hex::encode(digest)));
    }
    out
}

/// Reads a manifest's text; the reason it is not one otherwise.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let Some(body) = text.strip_suffix('\n') else {
        return Err("it does not end with a newline".into());
    };
    let mut lines = body.split('\n');
    if lines.next() != Some(MANIFEST_V1) {
        return Err(format!("its first line is not `{MANIFEST_V1}`"));
    }
    let mut field = |key: &str| -> Result<String, String> {
        lines
            .next()
            .and_then(|l| l.strip_prefix(key))
            .and_then(|l| l.strip_prefix(' '))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("the line `{key} …` is missing or empty"))
    };
    let origin = field("origin")?;
    let point = field("point")?;
    let published = parse_decimal(&field("published")?).ok_or("published is not a number")?;
    let table_sha256 = hex_hash(&field("table-sha256")?).ok_or("table-sha256 is not a SHA-256")?;
    let cp = field("checkpoint")?;
    let (size, root) = cp.split_once(' ').ok_or("checkpoint is not `size root`")?;
    let size = parse_decimal(size).ok_or("the checkpoint's size is not a number")?;
    let root = parse_hash(root).ok_or("the checkpoint's root is not a base64 hash")?;
    let mut files: Vec<(String, [u8; 32])> = Vec::new();
    for line in lines {
        let (digest, name) = line
            .strip_prefix("file ")
            .and_then(|l| l.split_once(' '))
            .ok_or_else(|| format!("the line {line:?} is not `file SHA256 NAME`"))?;
        let digest = hex_hash(digest).ok_or_else(|| format!("{digest:?} is not a SHA-256"))?;
        if !valid_name(name) {
            return Err(format!("{name:?} is not a file name a pack may list"));
        }
        if let Some((last, _)) = files.last()
            && last.as_bytes() >= name.as_bytes()
        {
            return Err(format!("{name:?} is not in order, or listed twice"));
        }
        files.push((name.to_string(), digest));
    }
    if files.is_empty() {
        return Err("it lists no file".into());
    }
    Ok(Manifest {
        origin,
        point,
        published,
        table_sha256,
        size,
        root,
        files,
    })
}

fn hex_hash(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(s).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            origin: "city.example/plan".into(),
            point: "FY2020-YE".into(),
            published: 23,
            table_sha256: [7; 32],
            size: 30,
            root: [9; 32],
            files: vec![
                ("index.html".into(), [1; 32]),
                ("checkpoint".into(), [2; 32]),
            ],
        }
    }

    #[test]
    fn text_and_parse_are_inverses_and_names_are_sorted() {
        let t = text(&sample());
        let back = parse(&t).expect("parse");
        assert_eq!(back.files[0].0, "checkpoint");
        let mut want = sample();
        want.files.reverse();
        assert_eq!(back, want);
        assert_eq!(text(&back), t);
    }

    /// The bytes of a manifest's text, pinned (schema/FORMAT.md section 17.3).
    #[test]
    fn the_manifest_text_is_pinned() {
        let want = concat!(
            "hyoka publication v1\n",
            "origin city.example/plan\n",
            "point FY2020-YE\n",
            "published 23\n",
            "table-sha256 0707070707070707070707070707070707070707070707070707070707070707\n",
            "checkpoint 30 CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n",
            "file 0202020202020202020202020202020202020202020202020202020202020202 checkpoint\n",
            "file 0101010101010101010101010101010101010101010101010101010101010101 index.html\n",
        );
        assert_eq!(text(&sample()), want);
    }

    #[test]
    fn bad_manifests_are_refused() {
        let t = text(&sample());
        for bad in [
            t.replace("hyoka publication v1", "hyoka publication v2"),
            t.trim_end().to_string(),
            t.replace("file 0101", "file 01O1"),
            t.replace(" index.html", " ../index.html"),
            t.replace("published 23", "published x"),
            format!("{t}file {} checkpoint\n", "0".repeat(64)),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
    }
}
