//! People's names: personal data, kept beside the events and never in them. Events name a person by an
//! id that does not reveal the name (`P` and the 8 hex digits of the key id of their first key); the
//! hashed bytes hold only a salted commitment to the name
//! ([`hyoka::domain::people::name_commitment`]). The name and its salt are kept in `PEOPLE` in the
//! ledger directory, one JSON object a line (`{"id":…,"name":…,"salt":hex}`), so that a public copy
//! (an export, a backup) leaves them out.
//!
//! Invariants: `PEOPLE` is read without following a link and size-checked, and written only through
//! the durable replace of `safe_fs`; a name is shown only when its entry's commitment matches the one
//! the ledger recorded for that id (a stale or edited entry is ignored); [`shown`] is the one place
//! that decides how a person is printed.

use std::collections::BTreeMap;
use std::path::Path;

use hyoka::domain::event::Change;
use hyoka::domain::ident;
use hyoka::domain::people::{Person, Role, name_commitment};
use hyoka::domain::state::State;
use hyoka::domain::text;
use hyoka::os::safe_fs;
use hyoka::tlog::note::VerifierKey;
use serde::{Deserialize, Serialize};

use super::failure::Failure;
use super::i18n::t;

/// The file beside the events holding the names.
pub const PEOPLE_FILE: &str = "PEOPLE";

/// The largest `PEOPLE` read (a line is under 300 bytes: tens of thousands of people).
const MAX_PEOPLE_BYTES: u64 = 16 << 20;

/// One line of `PEOPLE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The person's id, as events name them.
    pub id: String,
    /// The name.
    pub name: String,
    /// The commitment's salt (16 bytes), in hex.
    pub salt: String,
}

impl Entry {
    /// Whether this entry is the name the ledger committed to for `commitment`.
    fn matches(&self, commitment: &[u8; 32]) -> bool {
        let mut salt = [0u8; 16];
        hex::decode_to_slice(&self.salt, &mut salt).is_ok()
            && name_commitment(&salt, &self.name) == *commitment
    }
}

/// The entries of `PEOPLE`, in file order.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    entries: Vec<Entry>,
}

impl Directory {
    /// Reads `PEOPLE` in the ledger directory `dir` (none: empty). A link, an oversized file or a line
    /// that is not an entry is an error naming it.
    pub fn read(dir: &Path) -> Result<Directory, Failure> {
        let path = dir.join(PEOPLE_FILE);
        let bytes = safe_fs::read_bounded(&path, MAX_PEOPLE_BYTES).map_err(|e| {
            t!(
                "cannot-read-file",
                file = path.display(),
                error = super::damage::os(&e)
            )
        })?;
        let Some(bytes) = bytes else {
            return Ok(Directory::default());
        };
        let text =
            String::from_utf8(bytes).map_err(|_| t!("names-not-utf8", file = path.display()))?;
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry: Entry = serde_json::from_str(line).map_err(|e| {
                t!(
                    "names-bad-line",
                    file = path.display(),
                    line = i + 1,
                    error = e.to_string()
                )
            })?;
            entries.push(entry);
        }
        Ok(Directory { entries })
    }

    /// [`Directory::read`] for a view: a file that cannot be read is said on stderr, and people are
    /// then shown by id.
    pub fn read_for_display(dir: &Path) -> Directory {
        Directory::read(dir).unwrap_or_else(|f| {
            let line = t!("names-shown-by-id", error = text::escape(&f.line()));
            eprintln!("{}", t!("warning-line", line = line));
            Directory::default()
        })
    }

    /// This directory with `entry` in place of any entry of its id.
    pub fn with(&self, entry: Entry) -> Directory {
        let mut entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| e.id != entry.id)
            .cloned()
            .collect();
        entries.push(entry);
        Directory { entries }
    }

    /// Writes `PEOPLE` in the ledger directory `dir`, replacing it durably (never through a link).
    pub fn write(&self, dir: &Path) -> Result<(), Failure> {
        let mut text = String::new();
        for e in &self.entries {
            let line = serde_json::to_string(e)
                .map_err(|err| t!("names-cannot-write-entry", error = err.to_string()))?;
            text.push_str(&line);
            text.push('\n');
        }
        safe_fs::replace(dir, PEOPLE_FILE, text.as_bytes()).map_err(|e| {
            t!(
                "names-cannot-write",
                file = dir.join(PEOPLE_FILE).display(),
                error = super::damage::os(&e)
            )
            .into()
        })
    }
}

/// The names of a ledger's people that its `PEOPLE` holds and its events committed to, by id.
#[derive(Debug, Clone, Default)]
pub struct Names {
    by_id: BTreeMap<String, String>,
}

impl Names {
    /// No names: everyone shown by id.
    pub fn none() -> Names {
        Names::default()
    }

    /// The names of `dir` whose commitment matches the person's in `state`.
    pub fn of(state: &State, dir: &Directory) -> Names {
        let Some(people) = &state.people else {
            return Names::none();
        };
        let by_id = dir
            .entries
            .iter()
            .filter(|e| {
                people
                    .get(&e.id)
                    .is_some_and(|p| e.matches(&p.name_commitment))
            })
            .map(|e| (e.id.clone(), e.name.clone()))
            .collect();
        Names { by_id }
    }

    /// The names of the ledger `ledger` read from its directory `dir` (a reader may read a private
    /// copy of it, which has no `PEOPLE`): none, without folding the ledger, when there is no `PEOPLE`.
    pub fn for_ledger(dir: &Path, ledger: &mut hyoka::ledger::Ledger) -> Names {
        if std::fs::symlink_metadata(dir.join(PEOPLE_FILE)).is_err() {
            return Names::none();
        }
        let people = Directory::read_for_display(dir);
        match ledger.current() {
            Ok(state) => Names::of(state, &people),
            Err(_) => Names::none(),
        }
    }

    /// The name of the person `id`, if known.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// Whether `who` (as typed) names the person `id`: their id or their name, compared under NFKC.
    pub fn names(&self, id: &str, who: &str) -> bool {
        ident::same(id, who) || self.name(id).is_some_and(|n| ident::same(n, who))
    }

    /// The id of the person `who` names in `state` (an id, or a name `PEOPLE` holds).
    pub fn resolve(&self, state: &State, who: &str) -> Result<String, Failure> {
        let who = ident::trim(who);
        let Some(people) = &state.people else {
            return Err(no_people());
        };
        if people.get(who).is_some() {
            return Ok(who.to_string());
        }
        let found: Vec<&String> = people
            .people
            .keys()
            .filter(|id| self.names(id, who))
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(t!("names-no-person", who = text::escape(who)).into()),
            many => Err(t!(
                "names-several",
                count = many.len(),
                who = text::escape(who),
                ids = many
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .into()),
        }
    }
}

/// How the command line prints a person: `name (id)` when `PEOPLE` holds the name the ledger committed
/// to, else the id alone (also any author of a ledger without people, which is a name already).
pub fn shown(names: &Names, id: &str) -> String {
    match names.name(id) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_string(),
    }
}

/// The refusal of a command that needs people in a ledger without them.
pub fn no_people() -> Failure {
    Failure::from(t!("names-no-people"))
}

/// The id of a person whose first key is `vkey`: `P` and the 8 lowercase hex digits of its C2SP key
/// id, which says nothing of the name.
pub fn person_id(vkey: &VerifierKey) -> String {
    format!("P{:08x}", vkey.key_id())
}

/// A person to register (their id from their key, their name committed to with a new random salt),
/// and the `PEOPLE` entry that keeps the name.
pub fn new_person(
    name: &str,
    department: &str,
    roles: Vec<Role>,
    vkey: &VerifierKey,
) -> Result<(Person, Entry), Failure> {
    let name = ident::trim(name);
    ident::check("person's name", name)?;
    let department = ident::trim(department);
    ident::check("department", department)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| t!("names-no-salt", error = e.to_string()))?;
    let id = person_id(vkey);
    let person = Person {
        id: id.clone(),
        name_commitment: name_commitment(&salt, name),
        department: department.to_string(),
        roles,
        vkey: vkey.to_text(),
    };
    let entry = Entry {
        id,
        name: name.to_string(),
        salt: hex::encode(salt),
    };
    Ok((person, entry))
}

/// What a change does, in words, with the person it concerns shown as [`shown`] does.
pub fn described(c: &Change, names: &Names) -> String {
    let words = super::words::change(c);
    let person = match c {
        Change::PeopleEnabled { admin: p, .. } | Change::PersonRegistered { person: p } => &p.id,
        Change::RoleGranted { person, .. }
        | Change::RoleRevoked { person, .. }
        | Change::KeyRotated { person, .. }
        | Change::KeyRevoked { person } => person,
        _ => return words,
    };
    words.replacen(person.as_str(), &shown(names, person), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyoka::domain::people::People;
    use hyoka::tlog::note::SignerKey;

    fn state_with(person: &Person) -> State {
        let mut people = People::default();
        people.people.insert(
            person.id.clone(),
            hyoka::domain::people::PersonState {
                name_commitment: person.name_commitment,
                department: person.department.clone(),
                roles: person.roles.iter().copied().collect(),
                vkey: Some(person.vkey.clone()),
                keys: vec![person.vkey.clone()],
            },
        );
        let mut state = State::default();
        state.people = Some(people);
        state
    }

    #[test]
    fn a_name_is_shown_only_when_its_commitment_matches() {
        let key = SignerKey::from_seed("yamada", &[3; 32]).unwrap().verifier();
        let (person, entry) = new_person(" 山田太郎 ", "財政課", vec![Role::Staff], &key).unwrap();
        assert_eq!(person.id, format!("P{:08x}", key.key_id()));
        assert_eq!(entry.name, "山田太郎");
        let state = state_with(&person);
        let dir = Directory::default().with(entry.clone());
        let names = Names::of(&state, &dir);
        assert_eq!(
            shown(&names, &person.id),
            format!("山田太郎 ({})", person.id)
        );
        assert_eq!(names.resolve(&state, "山田太郎").unwrap(), person.id);
        assert_eq!(names.resolve(&state, &person.id).unwrap(), person.id);
        assert!(names.resolve(&state, "鈴木").is_err());
        // An edited name no longer matches its commitment: the id alone is shown.
        let edited = Directory::default().with(Entry {
            name: "鈴木".into(),
            ..entry
        });
        let names = Names::of(&state, &edited);
        assert_eq!(shown(&names, &person.id), person.id);
        assert!(names.resolve(&state, "鈴木").is_err());
    }

    #[test]
    fn people_is_read_back_as_written_and_a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Directory::read(dir.path()).unwrap().entries.is_empty());
        let e = Entry {
            id: "P00000001".into(),
            name: "山田".into(),
            salt: "00".repeat(16),
        };
        Directory::default()
            .with(e.clone())
            .write(dir.path())
            .unwrap();
        assert_eq!(Directory::read(dir.path()).unwrap().entries, vec![e]);
        std::fs::write(dir.path().join(PEOPLE_FILE), "{}\n").unwrap();
        let err = Directory::read(dir.path()).unwrap_err().line();
        assert!(err.contains("PEOPLE line 1"), "{err}");
    }

    #[test]
    fn people_is_never_read_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(PEOPLE_FILE)).unwrap();
        let err = Directory::read(dir.path()).unwrap_err().line();
        assert!(err.contains("symbolic link"), "{err}");
    }
}
