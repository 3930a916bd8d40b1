//! People, their roles and keys, and the evaluation rounds: who may record what, and when.
//!
//! A ledger *with people* begins at a [`crate::domain::event::Change::PeopleEnabled`] event, which names the
//! ledger's log key and its first administrator. From the next event on, every event is signed by a
//! registered person's current key (checked by the ledger, which holds the key formats) and every change
//! is *authorized* here ([`crate::domain::state::State::authorize`]): the person must hold the role the
//! change needs, for the department of the item it concerns, and a rating needs an open round. A ledger
//! without people has none of this and works as it always did.
//!
//! Events name a person by id; the person's name is kept out of the hashed bytes (only a salted
//! commitment to it is recorded, [`name_commitment`]), so that public copies can withhold it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::item_id::ItemId;
use crate::domain::period::Period;

/// What a person may do. Variant order is part of the format (the u32 tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 担当: rates, flags and remarks the items of their own department in an open round, and submits.
    Staff,
    /// 課長: reviews their department's items (1次評価), and may do what staff do there.
    Head,
    /// 行革本部: reviews every department's items (2次評価), marks items 対象外, and corrects a published
    /// round (訂正).
    Hq,
    /// 管理者: manages people, the plan, its items and headings, and the rounds.
    Admin,
    /// 外部委員: records opinions (意見) on items and rounds.
    Committee,
    /// 監査: reads everything (the history, blame, diff, verification, export and proofs) and records
    /// nothing: a person whose only role this is may author no event at all.
    Auditor,
}

impl Role {
    /// Every role, in tag order.
    pub const ALL: [Role; 6] = [
        Role::Staff,
        Role::Head,
        Role::Hq,
        Role::Admin,
        Role::Committee,
        Role::Auditor,
    ];

    /// The role's id on the command line and in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Head => "head",
            Role::Hq => "hq",
            Role::Admin => "admin",
            Role::Committee => "committee",
            Role::Auditor => "auditor",
        }
    }

    /// The role's name in Japanese.
    pub fn label(self) -> &'static str {
        match self {
            Role::Staff => "担当",
            Role::Head => "課長",
            Role::Hq => "行革本部",
            Role::Admin => "管理者",
            Role::Committee => "外部委員",
            Role::Auditor => "監査",
        }
    }

    /// A role from its id or Japanese name.
    pub fn parse(s: &str) -> Result<Role, String> {
        // NFKC, as every identifier: full-width `ｓｔａｆｆ` is `staff`.
        let normalized = crate::domain::ident::normalize(s.trim());
        let s = normalized.as_str();
        Role::ALL
            .into_iter()
            .find(|r| r.id().eq_ignore_ascii_case(s) || r.label() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role `{}`; use one of staff (担当), head (課長), hq (行革本部), admin (管理者), committee (外部委員)",
                    crate::domain::text::escape(s)
                )
            })
    }
}

/// A person as registered: the id events name them by, a commitment to their name, their department,
/// roles and verifier key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The id events name the person by (an identifier token, e.g. `yamada` or `P0012`).
    pub id: String,
    /// SHA-256 commitment to the person's name ([`name_commitment`]); the name itself is kept beside
    /// the ledger, never in the hashed bytes.
    pub name_commitment: [u8; 32],
    /// The person's department.
    pub department: String,
    /// The roles granted at registration.
    pub roles: Vec<Role>,
    /// The person's Ed25519 verifier key, in the C2SP signed-note encoding (`name+hexid+base64`).
    pub vkey: String,
}

/// Domain-separation prefix of a name commitment (ends in a NUL).
pub const NAME_CONTEXT: &[u8] = b"hyoka/person-name/v1\0";

/// SHA-256(`NAME_CONTEXT` || salt || name in UTF-8): what the hashed bytes hold of a person's name. The
/// salt (16 random bytes, kept with the name beside the ledger) keeps the name from being guessed from
/// the commitment.
pub fn name_commitment(salt: &[u8; 16], name: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(NAME_CONTEXT);
    h.update(salt);
    h.update(name.as_bytes());
    h.finalize().into()
}

/// A person as the state holds them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonState {
    /// As registered.
    pub name_commitment: [u8; 32],
    /// Department.
    pub department: String,
    /// Roles held now.
    pub roles: BTreeSet<Role>,
    /// The current verifier key; `None` once revoked (until a new one is set).
    pub vkey: Option<String>,
    /// Every key the person ever had, current or not (a rotated or revoked key is never reused).
    pub keys: Vec<String>,
}

impl PersonState {
    /// Whether the person holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The people of a ledger with people.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    /// The ledger's log key (C2SP verifier key), which signs its checkpoints.
    pub log_vkey: String,
    /// People by id.
    pub people: BTreeMap<String, PersonState>,
}

impl People {
    /// The person with id `id`.
    pub fn get(&self, id: &str) -> Option<&PersonState> {
        self.people.get(id)
    }

    /// Whether any person's key, current or past, is `vkey` (keys are never shared or reused).
    pub fn key_in_use(&self, vkey: &str) -> Option<&str> {
        self.people
            .iter()
            .find(|(_, p)| p.keys.iter().any(|k| k == vkey))
            .map(|(id, _)| id.as_str())
    }
}

/// The review stages of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// 1次評価, by the department head.
    First,
    /// 2次評価, by the reform headquarters.
    Second,
}

impl Stage {
    /// `1` or `2`.
    pub fn number(self) -> u8 {
        match self {
            Stage::First => 1,
            Stage::Second => 2,
        }
    }

    /// `1次評価` or `2次評価`.
    pub fn label(self) -> &'static str {
        match self {
            Stage::First => "1次評価",
            Stage::Second => "2次評価",
        }
    }
}

/// What a reviewer decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// 承認.
    Approve,
    /// 差し戻し: back to the department, to be rated again and resubmitted.
    Return,
}

/// Where a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoundStatus {
    /// Ratings, submissions and reviews are recorded.
    Open,
    /// No more ratings; reviews and publication remain.
    Closed,
    /// Published: a change is a correction (訂正).
    Published,
}

impl RoundStatus {
    /// `open`, `closed` or `published`.
    pub fn id(self) -> &'static str {
        match self {
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
            RoundStatus::Published => "published",
        }
    }
}

/// One item's review in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemReview {
    /// Submitted by its department since its last rating.
    pub submitted: bool,
    /// Approved at the first stage since its last rating.
    pub first: bool,
    /// Approved at the second stage since its last rating.
    pub second: bool,
    /// Returned for revision (差し戻し) and not rated again since.
    pub returned: bool,
    /// Returned at some time and not approved at 2次評価 since: what a closed round takes back
    /// (the department changes it and submits it again).
    pub reopened: bool,
}

/// An evaluation round for one point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// The due date (`YYYY-MM-DD`, Japan time).
    pub due: String,
    /// Where it stands.
    pub status: RoundStatus,
    /// Per item, its review.
    pub items: BTreeMap<ItemId, ItemReview>,
    /// SHA-256 of the published table (set when published).
    pub published: Option<[u8; 32]>,
}

impl Round {
    /// A round just opened.
    pub fn open(due: String) -> Round {
        Round {
            due,
            status: RoundStatus::Open,
            items: BTreeMap::new(),
            published: None,
        }
    }

    /// The review of an item (a default one if nothing happened to it yet).
    pub fn review(&self, item: &ItemId) -> ItemReview {
        self.items.get(item).cloned().unwrap_or_default()
    }
}

/// The rounds of a ledger, by point.
pub type Rounds = BTreeMap<Period, Round>;

/// Checks a due date: `YYYY-MM-DD`, a real date.
pub fn check_due(due: &str) -> Result<(), String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(due, &fmt).map(drop).map_err(|_| {
        format!(
            "the due date `{}` is not a date written YYYY-MM-DD (e.g. 2021-04-30)",
            crate::domain::text::escape(due)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_by_id_or_japanese_name() {
        assert_eq!(Role::parse("staff"), Ok(Role::Staff));
        assert_eq!(Role::parse("HQ"), Ok(Role::Hq));
        assert_eq!(Role::parse("課長"), Ok(Role::Head));
        assert!(Role::parse("mayor").unwrap_err().contains("staff (担当)"));
    }

    #[test]
    fn a_name_commitment_is_pinned_and_salted() {
        let c = name_commitment(&[7; 16], "山田太郎");
        // Cross-checked with Python: hashlib.sha256(b"hyoka/person-name/v1\0" + bytes([7]*16) +
        // "山田太郎".encode()).hexdigest()
        assert_eq!(
            hex::encode(c),
            "87e20cb4248fe8aae6b9e90dee5423efd4512f722e17ebf04ff9eca2de7cc716"
        );
        assert_ne!(c, name_commitment(&[8; 16], "山田太郎"));
    }

    #[test]
    fn due_dates_are_dates() {
        assert!(check_due("2021-04-30").is_ok());
        for bad in ["2021-02-30", "2021/04/30", "", "令和3年4月30日"] {
            assert!(check_due(bad).is_err(), "{bad}");
        }
    }
}
