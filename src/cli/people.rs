//! People and keys on the command line: `init --admin`, `people enable`, `person add`, `person role`,
//! `person key`, `person list`; the check, before anything is written, of whether a change's author may
//! record it (with what to do next when not); and how what was recorded names people.
//!
//! Invariants: every private key is read through `keys::read_signer` (the mode rule); a person's name
//! goes to `PEOPLE` (`names`), never into an event; `PEOPLE` is written before the event that
//! registers the name and put back as it was if the ledger refuses the event, so that a recorded person
//! always has their name kept; a new log key's file is written before the event that names it and
//! removed if the ledger refuses the event.

use std::path::Path;

use hyoka::domain::event::Change;
use hyoka::domain::people::{Person, Role, RoundStatus};
use hyoka::domain::state::{Refused, State};
use hyoka::domain::text;
use hyoka::ledger::signing::Signer;
use hyoka::ledger::{Ledger, Meta, Receipt};
use hyoka::tlog::note::{SignerKey, VerifierKey};

use super::anchoring::{self, LogKey};
use super::args::{PersonCommand, PersonKeyCommand, RoleCommand};
use super::clock::now;
use super::ctx::Ctx;
use super::failure::{EXIT_ERROR, Failure};
use super::i18n::t;
use super::names::{self, Directory, Entry, Names, described, shown};
use super::options::TextOrJson;
use super::output::{self, out};

/// The department of a first administrator when none is given.
pub const ADMIN_DEPARTMENT: &str = "管理者";

/// The first administrator of a ledger with people, as given on the command line.
pub struct Admin<'a> {
    /// Their name.
    pub name: &'a str,
    /// Their department.
    pub department: &'a str,
    /// Their verifier key (the text, or a file holding it).
    pub vkey: &'a str,
    /// Their private key file.
    pub key: &'a Path,
}

/// The private key in `key` and the verifier key `vkey`, which must be its.
fn key_pair(vkey: &str, key: &Path) -> Result<(SignerKey, VerifierKey), Failure> {
    let signer = super::keys::read_signer(key)?;
    let verifier = super::keys::read_verifier(vkey)?;
    if signer.verifier().to_text() != verifier.to_text() {
        return Err(Failure::usage(t!(
            "people-vkey-not-pair",
            vkey = text::escape(vkey),
            vkey_id = key_label(&verifier),
            file = key.display(),
            key_id = key_label(&signer.verifier())
        )));
    }
    Ok((signer, verifier))
}

/// `name+hexid` of a key.
fn key_label(k: &VerifierKey) -> String {
    format!("{}+{:08x}", text::escape(k.name()), k.key_id())
}

/// What `init --admin` leaves to do once the ledger exists: keep the name, adopt the log key.
pub struct Founding {
    entry: Entry,
    log: LogKey,
}

/// `init --admin`: creates the ledger with its plan (event 0, `plan`) and its people (event 1,
/// `people.enabled`, signed with the administrator's key) in one batch, by the administrator. The log
/// key's file is written first (when new) and removed if the ledger cannot be created.
pub fn create(
    ctx: &Ctx,
    admin: &Admin<'_>,
    origin: &str,
    reason: &str,
    plan: Change,
) -> Result<(Ledger, Founding), Failure> {
    let (signer, verifier) = key_pair(admin.vkey, admin.key)?;
    let (person, entry) =
        names::new_person(admin.name, admin.department, vec![Role::Admin], &verifier)?;
    let log = LogKey::for_origin(ctx, origin)?;
    let meta = Meta {
        author: person.id.clone(),
        reason: reason.to_string(),
        source: None,
        recorded_at: now()?,
        new_point: false,
        signer: Some(Signer::new(signer)),
    };
    let change = Change::PeopleEnabled {
        log_vkey: log.key.verifier().to_text(),
        admin: person,
    };
    log.write()?;
    let ledger = Ledger::create(&ctx.ledger, &meta, plan, &[change], ctx.access())
        .inspect_err(|_| log.unwrite())?;
    Ok((ledger, Founding { entry, log }))
}

impl Founding {
    /// Keeps the administrator's name in `PEOPLE`, makes the log key the ledger's, and says so.
    pub fn finish(self, ledger: &mut Ledger) -> Result<(), Failure> {
        let dir = ledger.dir().to_path_buf();
        let id = self.entry.id.clone();
        let people = Directory::read(&dir)?.with(self.entry);
        people.write(&dir)?;
        let file = self.log.path.clone();
        self.log.adopt(ledger).map_err(|f| {
            Failure::from(t!(
                "people-created-key-not-adopted",
                error = f.line(),
                file = file.display()
            ))
        })?;
        let names = Names::of(ledger.current()?, &people);
        out(t!(
            "people-first-admin",
            admin = text::escape(&shown(&names, &id))
        ));
        Ok(())
    }
}

/// `hyoka people enable`: gives a version 2 ledger without people its first administrator and its log
/// key, appended to the same log.
pub fn enable(ctx: &Ctx, admin: &Admin<'_>, reason: &str) -> Result<(), Failure> {
    let (signer, verifier) = key_pair(admin.vkey, admin.key)?;
    let mut ledger = anchoring::open_waiting(ctx, |a| Ledger::open(&ctx.ledger, a))?;
    anchoring::tell_recovery(&ledger);
    if ledger.event(0)?.event.version < 2 {
        return Err(t!("people-version-1").into());
    }
    if let Some(people) = &ledger.current()?.people {
        return Err(t!("people-already", count = people.people.len()).into());
    }
    let origin = ledger.origin()?;
    let (log_vkey, log) = match hyoka::ledger::anchor::log_key(ledger.dir())? {
        // The ledger's own log key, which a writer holding it goes on anchoring with.
        Some(v) => {
            if let Some(k) = anchoring::held_log_key(ctx)? {
                ledger.use_log_key(k)?;
            }
            out(t!("people-log-key-kept", key = key_label(&v)));
            (v.to_text(), None)
        }
        None => {
            let log = LogKey::for_origin(ctx, &origin)?;
            (log.key.verifier().to_text(), Some(log))
        }
    };
    let (person, entry) =
        names::new_person(admin.name, admin.department, vec![Role::Admin], &verifier)?;
    let meta = Meta {
        author: person.id.clone(),
        reason: reason.to_string(),
        source: None,
        recorded_at: now()?,
        new_point: false,
        signer: Some(Signer::new(signer)),
    };
    let changes = [Change::PeopleEnabled {
        log_vkey,
        admin: person,
    }];
    if let Some(log) = &log {
        log.write()?;
    }
    let receipt = commit(&mut ledger, &meta, &changes, Some(entry)).inspect_err(|_| {
        if let Some(log) = &log {
            log.unwrite();
        }
    })?;
    recorded(&mut ledger, &receipt, &changes, &meta.author)?;
    if let Some(log) = log {
        let file = log.path.clone();
        log.adopt(&mut ledger).map_err(|f| {
            Failure::from(t!(
                "people-enabled-key-not-adopted",
                error = f.line(),
                file = file.display()
            ))
        })?;
    }
    out(t!("people-enabled"));
    Ok(())
}

/// Roles as typed: `staff,head` (or their Japanese names), comma-separated; a role named twice (as
/// `staff,担当`) counts once.
fn roles(list: &str) -> Result<Vec<Role>, Failure> {
    let mut roles = Vec::new();
    for r in list.split(',').filter(|r| !r.trim().is_empty()) {
        let role = Role::parse(r).map_err(Failure::usage)?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    match roles.is_empty() {
        true => Err(Failure::usage(t!("people-role-empty"))),
        false => Ok(roles),
    }
}

/// Refuses, before `PEOPLE` is touched, a person whose id or key the ledger has already.
fn not_registered(state: &State, names: &Names, person: &Person) -> Result<(), Failure> {
    let Some(people) = &state.people else {
        return Err(names::no_people());
    };
    let owner = match people.get(&person.id) {
        Some(_) => Some(person.id.as_str()),
        None => people.key_in_use(&person.vkey),
    };
    match owner {
        Some(id) => Err(t!("people-key-used", person = text::escape(&shown(names, id))).into()),
        None => Ok(()),
    }
}

/// `hyoka person …`.
pub fn person(ctx: &Ctx, cmd: PersonCommand) -> Result<(), Failure> {
    if let PersonCommand::List { format } = cmd {
        return list(ctx, format);
    }
    if let PersonCommand::Enrol { person, url } = cmd {
        return super::serve::enrol(ctx, &person, url.as_deref());
    }
    let mut ledger = anchoring::open_write(ctx)?;
    let state = ledger.current()?;
    if !state.has_people() {
        return Err(names::no_people());
    }
    // The ledger's directory is ctx.ledger (a writer opens it where it is).
    let dir = &ctx.ledger;
    let names = || Names::of(state, &Directory::read_for_display(dir));
    let (change, who, entry) = match cmd {
        PersonCommand::Add {
            name,
            department,
            role,
            vkey,
            who,
        } => {
            let roles = roles(&role)?;
            let vkey = super::keys::read_verifier(&vkey)?;
            // PEOPLE is rewritten: one that cannot be read is never replaced.
            let people = Directory::read(dir)?;
            let (person, entry) = names::new_person(&name, &department, roles, &vkey)?;
            not_registered(state, &Names::of(state, &people), &person)?;
            (Change::PersonRegistered { person }, who, Some(entry))
        }
        PersonCommand::Role(cmd) => {
            let (person, role, who, grant) = match cmd {
                RoleCommand::Grant { person, role, who } => (person, role, who, true),
                RoleCommand::Revoke { person, role, who } => (person, role, who, false),
            };
            let person = names().resolve(state, &person)?;
            let role = Role::parse(&role).map_err(Failure::usage)?;
            let change = match grant {
                true => Change::RoleGranted { person, role },
                false => Change::RoleRevoked { person, role },
            };
            (change, who, None)
        }
        PersonCommand::Key(PersonKeyCommand::Rotate { person, vkey, who }) => {
            let person = names().resolve(state, &person)?;
            let vkey = super::keys::read_verifier(&vkey)?.to_text();
            (Change::KeyRotated { person, vkey }, who, None)
        }
        PersonCommand::Key(PersonKeyCommand::Revoke { person, who }) => {
            let names = names();
            let person = names.resolve(state, &person)?;
            last_admin_keeps_key(state, &names, &person)?;
            (Change::KeyRevoked { person }, who, None)
        }
        PersonCommand::List { .. } | PersonCommand::Enrol { .. } => return Ok(()),
    };
    let meta = super::who::meta(&who, state)?;
    authorized(dir, state, &meta.author, std::slice::from_ref(&change))?;
    let changes = [change];
    let receipt = commit(&mut ledger, &meta, &changes, entry)?;
    recorded(&mut ledger, &receipt, &changes, &meta.author)?;
    if let Change::KeyRotated { person, .. } = &changes[0]
        && *person == meta.author
    {
        out(t!("people-key-rotated-own"));
    }
    Ok(())
}

/// Refuses to revoke the key of the last administrator who has one: nobody could then manage people.
fn last_admin_keeps_key(state: &State, names: &Names, person: &str) -> Result<(), Failure> {
    let Some(people) = &state.people else {
        return Ok(());
    };
    let with_key = |p: &hyoka::domain::people::PersonState| p.has(Role::Admin) && p.vkey.is_some();
    let is_admin = people.get(person).is_some_and(with_key);
    if is_admin && people.people.values().filter(|p| with_key(p)).count() <= 1 {
        return Err(t!(
            "people-last-admin",
            person = text::escape(&shown(names, person))
        )
        .into());
    }
    Ok(())
}

/// Writes `PEOPLE` with `entry` (if any), then appends `changes`; if the ledger refuses them, `PEOPLE`
/// is put back as it was.
fn commit(
    ledger: &mut Ledger,
    meta: &Meta,
    changes: &[Change],
    entry: Option<Entry>,
) -> Result<Receipt, Failure> {
    let dir = ledger.dir().to_path_buf();
    let before = match entry {
        Some(e) => {
            let before = Directory::read(&dir)?;
            before.with(e).write(&dir)?;
            Some(before)
        }
        None => None,
    };
    ledger.append(meta, changes).map_err(|e| {
        if let Some(before) = before {
            let _ = before.write(&dir);
        }
        e.into()
    })
}

/// Prints what was recorded, naming people as [`shown`] does.
fn recorded(
    ledger: &mut Ledger,
    receipt: &Receipt,
    changes: &[Change],
    author: &str,
) -> Result<(), Failure> {
    let dir = ledger.dir().to_path_buf();
    let names = Names::of(ledger.current()?, &Directory::read_for_display(&dir));
    for (i, c) in changes.iter().enumerate() {
        out(t!(
            "people-recorded",
            seq = receipt.first_seq + i as u64,
            what = text::escape(&described(c, &names)),
            by = text::escape(&shown(&names, author)),
            head = output::short(&receipt.head_hash)
        ));
    }
    output::clock_behind(receipt.clock_behind.as_ref());
    Ok(())
}

/// ` by NAME (ID)` for what an author recorded in a ledger with people (read from its directory `dir`);
/// empty in a ledger without people, whose lines never named the author.
pub fn by(dir: &Path, state: &State, author: &str) -> String {
    match state.has_people() {
        true => t!(
            "recorded-by",
            name = shown(&Names::of(state, &Directory::read_for_display(dir)), author)
        ),
        false => String::new(),
    }
}

/// Refuses, before anything is written, a change that `author` may not record (the rules are the
/// ledger's, [`State::authorize`]), saying what to do. A refusal that depends on an earlier change of
/// the same batch (an item added with it) is left to the ledger, which checks them in order.
pub fn authorized(
    dir: &Path,
    state: &State,
    author: &str,
    changes: &[Change],
) -> Result<(), Failure> {
    for c in changes {
        if let Err(r @ Refused::Rule(_)) = state.authorize(author, c) {
            // The author named as people are shown (the ledger's words name the id).
            let names = Names::of(state, &Directory::read_for_display(dir));
            let person = text::escape(author);
            let message = super::errors::refused(&r).replacen(
                &t!("person-quoted", person = person.as_str()),
                &t!("person-shown", person = shown(&names, author)),
                1,
            );
            return Err(Failure {
                code: EXIT_ERROR,
                message,
                hint: what_to_do(state, c),
            });
        }
    }
    Ok(())
}

/// What to do about a change refused to its author.
fn what_to_do(state: &State, c: &Change) -> String {
    let cell = match c {
        Change::RatingRecorded { item, period, .. }
        | Change::RatingWithdrawn { item, period }
        | Change::FollowUpSet { item, period, .. }
        | Change::RemarkSet { item, period, .. } => Some((item, *period)),
        _ => None,
    };
    let Some((item, period)) = cell else {
        return t!("hint-ask-for-role");
    };
    match state.rounds.get(&period) {
        None => t!("hint-ask-to-open-round"),
        Some(r) if r.status == RoundStatus::Closed => t!("hint-round-closed"),
        Some(r) if r.status == RoundStatus::Published => t!("hint-ask-hq-correction"),
        Some(r) if r.review(item).submitted => t!("hint-ask-to-return"),
        Some(_) => t!("hint-ask-department"),
    }
}

/// `hyoka person list`.
fn list(ctx: &Ctx, format: TextOrJson) -> Result<(), Failure> {
    let mut ledger = anchoring::open_read(ctx)?;
    let (people, names) = {
        let state = ledger.current()?;
        let people = state.people.clone().ok_or_else(names::no_people)?;
        let names = Names::of(state, &Directory::read_for_display(&ctx.ledger));
        (people, names)
    };
    drop(ledger);
    let rows: Vec<serde_json::Value> = people
        .people
        .iter()
        .map(|(id, p)| {
            let key = p.vkey.as_ref().or(p.keys.last());
            let key_id = key
                .and_then(|k| VerifierKey::parse(k).ok())
                .map(|k| format!("{:08x}", k.key_id()));
            serde_json::json!({
                "id": id,
                "name": names.name(id),
                "department": p.department,
                "roles": p.roles.iter().map(|r| r.id()).collect::<Vec<_>>(),
                "key_id": key_id,
                "key": if p.vkey.is_some() { "current" } else { "revoked" },
                "keys": p.keys.len(),
            })
        })
        .collect();
    let log_key = VerifierKey::parse(&people.log_vkey)
        .map(|k| key_label(&k))
        .unwrap_or_else(|_| text::escape(&people.log_vkey));
    match format {
        TextOrJson::Json => {
            out(serde_json::json!({"log_key": log_key, "people": rows}).to_string());
        }
        TextOrJson::Text => {
            let header = [
                t!("column-id"),
                t!("column-name"),
                t!("column-department"),
                t!("column-roles"),
                t!("column-key"),
                t!("column-status"),
            ];
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let s = |k: &str| r[k].as_str().unwrap_or("—").to_string();
                    let roles: Vec<&str> = r["roles"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                        .unwrap_or_default();
                    vec![
                        s("id"),
                        text::escape(&s("name")),
                        text::escape(&s("department")),
                        roles.join(","),
                        s("key_id"),
                        match s("key").as_str() {
                            "current" => t!("key-current"),
                            _ => t!("key-revoked"),
                        },
                    ]
                })
                .collect();
            let layout = hyoka::views::audit_text::Columns::measure(&header, cells.iter().cloned());
            let names: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            let mut text = layout.line(&names);
            for row in &cells {
                text.push_str(&layout.line(row));
            }
            output::write_stdout(text.as_bytes())?;
            out(t!(
                "people-count",
                count = people.people.len(),
                key = log_key
            ));
        }
    }
    Ok(())
}
