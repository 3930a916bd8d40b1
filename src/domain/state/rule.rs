//! The rules of `schema/FORMAT.md` section 12 that a change can break, one variant each, with the data
//! to say which: `Display` is the library's English for embedders; the front ends word each variant in
//! their languages from its data.
//!
//! Invariants: every value shown is escaped where it is user text ([`crate::domain::text::escape`]), so
//! a message is one line; a period is shown by its label (`平成27年度上半期`).

use crate::domain::item_id::ItemId;
use crate::domain::people::{Role, RoundStatus};
use crate::domain::period::PeriodError;
use crate::domain::text::TextProblem;

/// What a change did at a point that stands in the way (an item's decided cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// A grade.
    Rating,
    /// A follow-up flag.
    FollowUp,
    /// A remark.
    Remark,
    /// 対象外.
    Excluded,
}

impl std::fmt::Display for Decided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Decided::Rating => "a rating",
            Decided::FollowUp => "a follow-up flag",
            Decided::Remark => "a remark",
            Decided::Excluded => "対象外",
        })
    }
}

/// What a person tried to do that needs a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Add, amend, withdraw, merge items or headings.
    ChangeItems,
    /// Register people and grant or revoke roles.
    ManagePeople,
    /// Rotate or revoke another person's key.
    ChangeOthersKey,
    /// Open, close or publish a round.
    ManageRounds,
    /// Change 対象外 in a published round.
    ExcludePublished,
    /// Mark an item 対象外.
    Exclude,
    /// Record an opinion.
    RecordOpinion,
    /// Submit a department's items.
    Submit,
    /// Review at 1次評価.
    ReviewFirst,
    /// Review at 2次評価.
    ReviewSecond,
    /// Rate or remark items.
    Rate,
    /// Correct a published round.
    CorrectPublished,
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::ChangeItems => "change the plan's items",
            Action::ManagePeople => "manage people",
            Action::ChangeOthersKey => "change another person's key",
            Action::ManageRounds => "open, close or publish a round",
            Action::ExcludePublished => {
                "change 対象外 in a published round (訂正 is made by 行革本部)"
            }
            Action::Exclude => "mark an item 対象外",
            Action::RecordOpinion => "record an opinion",
            Action::Submit => "submit a department's items",
            Action::ReviewFirst => "review at 1次評価",
            Action::ReviewSecond => "review at 2次評価",
            Action::Rate => "rate or remark items",
            Action::CorrectPublished => "correct a published round (訂正 is made by 行革本部)",
        })
    }
}

/// Which key of a change is not a verifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOf {
    /// The ledger's log key.
    Log,
    /// The first administrator's.
    Admin,
    /// A person's being registered.
    Person,
    /// The new key of a rotation.
    New,
}

impl std::fmt::Display for KeyOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyOf::Log => "the log key",
            KeyOf::Admin => "the administrator's key",
            KeyOf::Person => "the person's key",
            KeyOf::New => "the new key",
        })
    }
}

/// `item 12`, `items 12, 13`, `items 1, 2, 3, 4, 5 and 2 more`.
pub fn plural_items(ids: &[String]) -> String {
    match ids {
        [one] => format!("item {one}"),
        _ if ids.len() <= 5 => format!("items {}", ids.join(", ")),
        _ => format!("items {} and {} more", ids[..5].join(", "), ids.len() - 5),
    }
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| format!("{} ({})", r.id(), r.label()))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn open_text(open: &[String]) -> String {
    match open.is_empty() {
        true => "no other round is open either".to_string(),
        false => format!("open rounds: {}", open.join(", ")),
    }
}

fn be(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A rule of the ledger a change breaks. Names, headings and grades are escaped; periods are labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rule {
    /// A text that breaks the rule on text or identifiers.
    #[error("{0}")]
    Text(TextProblem),
    /// A period that is not a point of the plan (or not a valid period).
    #[error("{0}")]
    Period(PeriodError),
    /// A source file name that is not one.
    #[error("the source file name `{name}` is not a file name without directories")]
    FileName {
        /// The name, escaped.
        name: String,
    },
    /// A ledger origin that is not one.
    #[error(
        "origin `{origin}` is not valid: it must be non-empty, without spaces or `+`, e.g. city.kodaira.example/reform-plan-2"
    )]
    Origin {
        /// The origin, escaped.
        origin: String,
    },
    /// The first event of a ledger is not the plan.
    #[error("the first event must define the plan")]
    FirstIsPlan,
    /// A change before the plan.
    #[error("the ledger has no plan yet: the first event must define it")]
    PlanFirst,
    /// A second plan.
    #[error("the plan is already defined")]
    PlanDefined,
    /// A plan without grades.
    #[error("the grade scale is empty; give grades best first, e.g. S,A,B")]
    EmptyScale,
    /// A grade listed twice.
    #[error("grade `{grade}` appears twice in the scale")]
    GradeTwice {
        /// The grade.
        grade: String,
    },
    /// A plan whose years run backwards.
    #[error("the plan's years run backwards: FY{first} to FY{last}")]
    YearsBackwards {
        /// The first fiscal year.
        first: u16,
        /// The last.
        last: u16,
    },
    /// A plan with one result for the whole plan and no years.
    #[error("a plan with one result for the whole plan must declare its years")]
    WholePlanNeedsYears,
    /// A heading renamed to a name another heading has (in NFKC).
    #[error(
        "heading `{name}` already exists as `{existing}`; a heading is renamed to a name no other heading has"
    )]
    RenameTaken {
        /// The new name, escaped.
        name: String,
        /// The heading it reads as, escaped.
        existing: String,
    },
    /// A heading that reads as one that exists.
    #[error(
        "heading `{name}` already exists as `{existing}` (the same name in NFKC); use `{existing}`"
    )]
    HeadingLookalike {
        /// The name, escaped.
        name: String,
        /// The heading it reads as, escaped.
        existing: String,
    },
    /// A heading added twice.
    #[error("heading `{name}` already exists")]
    HeadingExists {
        /// The name.
        name: String,
    },
    /// A rename to the same name.
    #[error("the rename changes nothing: the heading is already `{name}`")]
    RenameChangesNothing {
        /// The name.
        name: String,
    },
    /// A heading that does not exist.
    #[error("there is no heading `{name}`; use one of: {}", .headings.join(", "))]
    NoSuchHeading {
        /// The name, escaped.
        name: String,
        /// The headings.
        headings: Vec<String>,
    },
    /// An item id that reads as another item's.
    #[error(
        "item id `{id}` reads as item {other}'s (they differ only in letter case or leading zeros); use {other}, or an id that differs"
    )]
    IdLookalike {
        /// The id.
        id: ItemId,
        /// The item it reads as.
        other: ItemId,
    },
    /// Item 0.
    #[error("item numbers start at 1")]
    ItemZero,
    /// A grade the scale does not have.
    #[error("grade `{grade}` is not in the plan's scale; use one of {}", .scale.join(", "))]
    GradeNotInScale {
        /// The grade, escaped.
        grade: String,
        /// The plan's scale.
        scale: Vec<String>,
    },
    /// An item's first point moved after something decided earlier.
    #[error("item {id} has {what} at {at}, before {from}; withdraw it first")]
    DecidedBefore {
        /// The item.
        id: ItemId,
        /// What is decided.
        what: Decided,
        /// Where.
        at: String,
        /// The new first point.
        from: String,
    },
    /// An amendment that changes nothing.
    #[error("the amendment changes nothing: item {id} already reads so")]
    AmendChangesNothing {
        /// The item.
        id: ItemId,
    },
    /// Reinstating an item that is not withdrawn.
    #[error("item {id} is not withdrawn")]
    NotWithdrawn {
        /// The item.
        id: ItemId,
    },
    /// Rating an item that is 対象外.
    #[error("item {id} is 対象外 (not evaluated) at {period}; withdraw the exclusion first")]
    RatingExcluded {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// A rating that is already so.
    #[error("item {id} is already rated {grade} for {period}; nothing to change")]
    AlreadyRated {
        /// The item.
        id: ItemId,
        /// The grade.
        grade: String,
        /// The point.
        period: String,
    },
    /// Withdrawing a rating that is not there.
    #[error("item {id} has no rating for {period} to withdraw")]
    NoRating {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// A follow-up flag that is already so.
    #[error(
        "the follow-up flag of item {id} for {period} is already {}; nothing to change",
        if *.on { "on" } else { "off" }
    )]
    FollowUpAlready {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
        /// The flag.
        on: bool,
    },
    /// A remark that is already so.
    #[error("item {id} already has that remark for {period}; nothing to change")]
    RemarkAlready {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// 対象外 twice.
    #[error("item {id} is already 対象外 at {period}; nothing to change")]
    AlreadyExcluded {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// 対象外 on a rated cell.
    #[error("item {id} is rated {grade} at {period}; withdraw the rating before marking it 対象外")]
    ExcludeRated {
        /// The item.
        id: ItemId,
        /// The grade.
        grade: String,
        /// The point.
        period: String,
    },
    /// Withdrawing an exclusion that is not there.
    #[error("item {id} is not 対象外 at {period}; no exclusion to withdraw")]
    NotExcluded {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// Merging an item already merged.
    #[error("item {id} is already merged into item {into} from {from}; withdraw that merge first")]
    AlreadyMerged {
        /// The item.
        id: ItemId,
        /// Where it is merged.
        into: ItemId,
        /// From when.
        from: String,
    },
    /// Merging an item into itself.
    #[error("item {id} cannot be merged into itself")]
    MergeIntoItself {
        /// The item.
        id: ItemId,
    },
    /// Merging into an item that is itself merged.
    #[error("item {into} is itself merged into item {other}; merge into item {other} instead")]
    MergeIntoMerged {
        /// The target.
        into: ItemId,
        /// Where the target is merged.
        other: ItemId,
    },
    /// Merging an item others are merged into.
    #[error(
        "item {other} is merged into item {id}; an item others are merged into cannot be merged itself"
    )]
    MergedInto {
        /// The item.
        id: ItemId,
        /// One merged into it.
        other: ItemId,
    },
    /// A merge from a point at or before something decided.
    #[error("item {id} has {what} at {at}, on or after {from}; withdraw it first")]
    DecidedAfter {
        /// The item.
        id: ItemId,
        /// What is decided.
        what: Decided,
        /// Where.
        at: String,
        /// The merge's point.
        from: String,
    },
    /// Withdrawing a merge that is not there.
    #[error("item {id} is not merged into another")]
    NotMerged {
        /// The item.
        id: ItemId,
    },
    /// A cell before the item joins the plan.
    #[error("item {id} joins the plan at {joins}, after {period}; it has nothing at that point")]
    NotYetJoined {
        /// The item.
        id: ItemId,
        /// Its first point.
        joins: String,
        /// The point asked for.
        period: String,
    },
    /// A cell of an item merged into another by then.
    #[error("item {id} is merged into item {into} from {from} (集約); record it on item {into}")]
    MergedAway {
        /// The item.
        id: ItemId,
        /// Where it is merged.
        into: ItemId,
        /// From when.
        from: String,
    },
    /// An item placed after itself.
    #[error("item {id} cannot be placed after itself")]
    AfterItself {
        /// The item.
        id: ItemId,
    },
    /// Placements that go round.
    #[error("item {id} cannot be placed after item {after}, which is placed after item {id}")]
    AfterCycle {
        /// The item.
        id: ItemId,
        /// The item it is placed after.
        after: ItemId,
    },
    /// An item that re-lists itself.
    #[error("item {id} cannot re-list itself")]
    RelistItself {
        /// The item.
        id: ItemId,
    },
    /// Re-listing an item that does not exist.
    #[error("item {id} re-lists item {of}, which does not exist; register item {of} first")]
    RelistMissing {
        /// The item.
        id: ItemId,
        /// The item it re-lists.
        of: ItemId,
    },
    /// Re-listing a re-listing.
    #[error("item {of} is itself a re-listing; re-list the original item instead")]
    RelistOfRelisting {
        /// The item re-listed.
        of: ItemId,
    },
    /// An event of another schema version than the ledger's first.
    #[error(
        "the event is of schema version {version}, but the ledger's event 0 is of version {first}"
    )]
    VersionMixed {
        /// The event's version.
        version: u16,
        /// Event 0's.
        first: u16,
    },
    /// clock.behind given as a change.
    #[error(
        "clock.behind events are written by the ledger itself, when the clock is behind the last event; they cannot be given as a change"
    )]
    ClockBehindGiven,
    /// A key that is not a verifier key.
    #[error("{of} `{key}` is not a verifier key: {why}")]
    NotAKey {
        /// Which key.
        of: KeyOf,
        /// The key, escaped.
        key: String,
        /// The reader's complaint.
        why: String,
    },
    /// people.enabled by someone else than its administrator.
    #[error(
        "the people.enabled event must be recorded by the administrator it names ({admin}), not by {author}"
    )]
    EnabledByOther {
        /// The administrator.
        admin: String,
        /// The author.
        author: String,
    },
    /// A change by someone who is not a person of the ledger.
    #[error("its author {author} is not a registered person")]
    AuthorNotPerson {
        /// The author.
        author: String,
    },
    /// A change by someone whose key was revoked.
    #[error("its author {author} has no key at this point (it was revoked)")]
    AuthorNoKey {
        /// The author.
        author: String,
    },
    /// A change about people in a ledger without.
    #[error("the ledger has no people: enable them first")]
    NoPeople,
    /// People enabled twice.
    #[error("the ledger already has people")]
    HasPeople,
    /// A person who does not exist.
    #[error("there is no person `{person}`")]
    NoSuchPerson {
        /// The id, escaped.
        person: String,
    },
    /// A cell or round change at a point without a round.
    #[error("no round is open for {period}; {}", open_text(.open))]
    NoRound {
        /// The point.
        period: String,
        /// The points whose rounds are open.
        open: Vec<String>,
    },
    /// A person without a role.
    #[error("person `{person}` is registered without a role; give at least one")]
    NoRoleGiven {
        /// The id, escaped.
        person: String,
    },
    /// A role given twice.
    #[error("person `{person}` is given a role twice")]
    RoleTwice {
        /// The id, escaped.
        person: String,
    },
    /// A person registered twice.
    #[error("person `{person}` already exists")]
    PersonExists {
        /// The id, escaped.
        person: String,
    },
    /// A key another person has (or had), registered.
    #[error("that key is (or was) person `{other}`'s: every person has a key of their own")]
    KeyOfAnother {
        /// The other person, escaped.
        other: String,
    },
    /// A key another person has (or had), as a new key.
    #[error("that key is (or was) person `{other}`'s: a new key is a key never used before")]
    KeyUsedBefore {
        /// The other person, escaped.
        other: String,
    },
    /// The first person is not an administrator.
    #[error("the first person of a ledger with people must be an administrator")]
    FirstNotAdmin,
    /// A role granted twice.
    #[error("person `{person}` already has the role {} ({})", .role.id(), .role.label())]
    HasRole {
        /// The id, escaped.
        person: String,
        /// The role.
        role: Role,
    },
    /// A role revoked that is not held.
    #[error("person `{person}` does not have the role {} ({})", .role.id(), .role.label())]
    LacksRole {
        /// The id, escaped.
        person: String,
        /// The role.
        role: Role,
    },
    /// Revoking the role of the last administrator with a key.
    #[error("that is the last administrator with a key: grant the role to another person first")]
    LastAdmin,
    /// A key revoked that is not there.
    #[error("person `{person}` has no key to revoke")]
    NoKeyToRevoke {
        /// The id, escaped.
        person: String,
    },
    /// Revoking the key of the last administrator with a key.
    #[error(
        "that is the key of the last administrator with a key: nobody could manage the ledger; rotate it instead, or make another administrator first"
    )]
    LastAdminKey,
    /// A due date that is not one.
    #[error("the due date `{due}` is not a date written YYYY-MM-DD (e.g. 2021-04-30)")]
    BadDue {
        /// The date, escaped.
        due: String,
    },
    /// A round opened twice.
    #[error("the round of {period} already exists ({})", .status.id())]
    RoundExists {
        /// The point.
        period: String,
        /// Its status.
        status: RoundStatus,
    },
    /// Submitting to a closed or published round.
    #[error("the round of {period} is {}: nothing can be submitted", .status.id())]
    CannotSubmit {
        /// The point.
        period: String,
        /// Its status.
        status: RoundStatus,
    },
    /// A department without items at a point.
    #[error("department `{department}` has no item at {period}")]
    DepartmentEmpty {
        /// The department, escaped.
        department: String,
        /// The point.
        period: String,
    },
    /// Submitting with items not rated.
    #[error(
        "{} of department `{department}` {} not rated at {period}: rate {} first",
        plural_items(.items), be(.items.len(), "is", "are"), be(.items.len(), "it", "them")
    )]
    NotRated {
        /// The department, escaped.
        department: String,
        /// The point.
        period: String,
        /// The items not rated.
        items: Vec<String>,
    },
    /// Submitting with returned items not rated again.
    #[error(
        "{} of department `{department}` {} returned for revision (差し戻し) and not rated again: rate {} again first",
        plural_items(.items), be(.items.len(), "was", "were"), be(.items.len(), "it", "them")
    )]
    ReturnedNotRated {
        /// The department, escaped.
        department: String,
        /// The items.
        items: Vec<String>,
    },
    /// Submitting twice.
    #[error(
        "department `{department}` has already submitted its items of {period}; nothing changed since"
    )]
    AlreadySubmitted {
        /// The department, escaped.
        department: String,
        /// The point.
        period: String,
    },
    /// Reviewing in a published round.
    #[error("the round of {period} is published: a change is a correction, not a review")]
    ReviewPublished {
        /// The point.
        period: String,
    },
    /// Reviewing an item not submitted.
    #[error("item {id} of {period} is not submitted: its department submits it first")]
    NotSubmitted {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// 1次評価 after 2次評価.
    #[error(
        "item {id} is approved at 2次評価 for {period}: 1次評価 is over; a return now is 行革本部's"
    )]
    FirstOver {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// Approving twice at 1次評価.
    #[error("item {id} is already approved at 1次評価 for {period}")]
    FirstApproved {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// 2次評価 before 1次評価.
    #[error("item {id} is not approved at 1次評価 for {period}: 2次評価 comes after it")]
    FirstNeeded {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// Approving twice at 2次評価.
    #[error("item {id} is already approved at 2次評価 for {period}")]
    SecondApproved {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
    /// Closing a round that is not open.
    #[error("the round of {period} is {}, not open", .status.id())]
    RoundNotOpen {
        /// The point.
        period: String,
        /// Its status.
        status: RoundStatus,
    },
    /// Publishing twice.
    #[error("the round of {period} is already published")]
    AlreadyPublished {
        /// The point.
        period: String,
    },
    /// Publishing with items not finished.
    #[error(
        "the round of {period} cannot be published: {} {} neither 対象外 nor rated and approved at 2次評価",
        plural_items(.items), be(.items.len(), "is", "are")
    )]
    Unfinished {
        /// The point.
        period: String,
        /// The items.
        items: Vec<String>,
    },
    /// A published table's digest that is not its table's.
    #[error(
        "the recorded digest of the published table of {period} is not the SHA-256 of its canonical form ({digest})"
    )]
    DigestMismatch {
        /// The point.
        period: String,
        /// The right digest (hex).
        digest: String,
    },
    /// A change by someone who is not a person of the ledger.
    #[error(
        "`{author}` is not a registered person of this ledger: every change is recorded by one"
    )]
    NotAPerson {
        /// The author, escaped.
        author: String,
    },
    /// A change by a person without a key.
    #[error("person `{person}` has no key (it was revoked): an administrator sets a new one first")]
    NoKey {
        /// The id, escaped.
        person: String,
    },
    /// A change by a person whose only role is `auditor` (監査), who records nothing.
    #[error("person `{person}` is an auditor and records nothing: an auditor only reads")]
    AuditorRecords {
        /// The id, escaped.
        person: String,
    },
    /// A change that needs a role the person does not have.
    #[error("person `{person}` may not {action}: it needs the role {}", roles_text(.roles))]
    NeedsRole {
        /// The id, escaped.
        person: String,
        /// What they tried.
        action: Action,
        /// The roles any of which would do.
        roles: Vec<Role>,
    },
    /// A change to an item of another department.
    #[error(
        "person `{person}` of `{department}` may not {} item {id}, which is `{owner}`'s",
        if *.review { "review" } else { "rate or remark" }
    )]
    OtherDepartment {
        /// The id, escaped.
        person: String,
        /// Their department, escaped.
        department: String,
        /// Reviewing (else rating or remarking).
        review: bool,
        /// The item.
        id: ItemId,
        /// Its department, escaped.
        owner: String,
    },
    /// Submitting another department's items.
    #[error("person `{person}` of `{department}` may not submit the items of `{other}`")]
    SubmitOther {
        /// The id, escaped.
        person: String,
        /// Their department, escaped.
        department: String,
        /// The department named, escaped.
        other: String,
    },
    /// The plan or people given again.
    #[error("the plan and its people are defined once, at the start")]
    DefinedOnce,
    /// A rating in a closed round.
    #[error(
        "the round of {period} is closed: no more ratings (only items returned for revision are rated again)"
    )]
    RoundClosed {
        /// The point.
        period: String,
    },
    /// A change to an item submitted for review.
    #[error(
        "item {id} of {period} is submitted for review: it changes only once returned (差し戻し)"
    )]
    UnderReview {
        /// The item.
        id: ItemId,
        /// The point.
        period: String,
    },
}

impl From<TextProblem> for Rule {
    fn from(p: TextProblem) -> Rule {
        Rule::Text(p)
    }
}

impl From<PeriodError> for Rule {
    fn from(p: PeriodError) -> Rule {
        Rule::Period(p)
    }
}
