//! The command line of evaluation rounds: `round open|close|publish|status|notice`, `submit`, `review
//! approve|return` and `opinion` (clap derive; their bodies are in `rounds`). Kept apart from `args` so
//! that the rounds' definitions and help texts stay together.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::options::{TextOrJson, Who};

/// Who records a change of a round and why, the reason optional (each command has its own default).
#[derive(Debug, Clone, Args)]
pub struct RoundWho {
    /// Who makes the change. In a ledger with people it is the person whose key --key is, and need not
    /// be given.
    #[arg(short = 'a', long, value_name = "NAME")]
    pub(super) author: Option<String>,
    /// Why the change is made (default: the command's own words, e.g. 評価ラウンドの開始).
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub(super) reason: Option<String>,
    /// Your private key file (mode 0600): in a ledger with people every change is signed with its
    /// author's key. Default: $HYOKA_KEY, else the config file's `key`.
    #[arg(long, value_name = "FILE", env = "HYOKA_KEY")]
    pub(super) key: Option<PathBuf>,
    /// Accept a point more than one reporting point away from the rated ones (refused otherwise, as a
    /// likely typo).
    #[arg(long)]
    pub(super) new_point: bool,
}

impl RoundWho {
    /// As [`Who`], the reason given or `default`.
    pub(super) fn or_reason(&self, default: &str) -> Who {
        Who {
            author: self.author.clone(),
            reason: self.reason.clone().unwrap_or_else(|| default.to_string()),
            key: self.key.clone(),
            new_point: self.new_point,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(super) enum RoundCommand {
    /// Open the evaluation round of a point: its items may then be rated, submitted and reviewed.
    #[command(
        after_help = "Example:\n  hyoka round open 令和2年度末 --due 2021-04-30 --key admin.key -m '令和2年度末の評価を開始'\n\nOnly an administrator opens a round. The due date is a day in Japan time (2021-04-30, 2021/4/30,\n令和3年4月30日); a department not done by then is shown overdue by `hyoka round status`."
    )]
    Open {
        /// The point (令和2年度末, FY2020-YE, ...), read with the plan's cadence as `hyoka rate` reads it.
        point: String,
        /// The due date of the departments' ratings and reviews.
        #[arg(long, value_name = "DATE")]
        due: String,
        #[command(flatten)]
        who: RoundWho,
    },
    /// Close a round: no more ratings; reviews and publication remain.
    #[command(
        after_help = "Example:\n  hyoka round close 令和2年度末 --key admin.key -m '受付の締切'"
    )]
    Close {
        /// The round's point.
        point: String,
        #[command(flatten)]
        who: RoundWho,
    },
    /// Publish a round: record the SHA-256 of its table and sign a checkpoint with the log key.
    #[command(
        after_help = "Example:\n  hyoka round publish 令和2年度末 --key admin.key --output 令和2年度末.tsv -m '評価結果の公表'\n\nRefused unless every item of the point is 対象外, or rated and approved at 2次評価. An open\nround is closed in the same batch. The digest is the SHA-256 of the table in its canonical form\n(schema/FORMAT.md, \"The published table\"), which --output writes; the writer must hold the ledger's\nlog key (--log-key FILE, or DIR.log-key beside the ledger directory DIR), which signs the checkpoint\nprinted. After publication a change to the point is a correction (訂正), by 行革本部 only."
    )]
    Publish {
        /// The round's point.
        point: String,
        /// Write the published table in its canonical form to FILE (replaced atomically; outside the
        /// ledger directory).
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        who: RoundWho,
    },
    /// Where a round stands, per department: items, rated, 対象外, submitted, approved, returned, overdue.
    #[command(
        after_help = "Examples:\n  hyoka round status 令和2年度末\n  hyoka round status 令和2年度末 --format json | jq '.departments[] | select(.overdue)'\n\nA department is overdue when the due date has passed (Japan time) and some of its items are\nneither 対象外 nor rated and approved at 2次評価."
    )]
    Status {
        /// The round's point.
        point: String,
        /// Output format (JSON: schema/round-status.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// The notice of every correction (訂正) made to a published round: 訂正のお知らせ, to edit and publish.
    #[command(
        after_help = "Examples:\n  hyoka round notice 令和2年度末 > 訂正のお知らせ.md\n  hyoka round notice 令和2年度末 --format json\n\nEvery change to a cell of the point (rating, follow-up flag, remark, 対象外) recorded after the\nround's round.published event, from the log."
    )]
    Notice {
        /// The round's point.
        point: String,
        /// Output format (JSON: schema/round-notice.schema.json).
        #[arg(long, value_enum, default_value_t = NoticeFormat::Md)]
        format: NoticeFormat,
    },
}

/// Output formats of `round notice`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum NoticeFormat {
    /// Markdown, ready to edit and publish.
    Md,
    /// JSON (schema/round-notice.schema.json).
    Json,
}

/// `hyoka submit`.
#[derive(Debug, Args)]
pub(super) struct SubmitArgs {
    /// The department (default: yours, the department of the person whose key --key is).
    #[arg(long, value_name = "D")]
    pub(super) department: Option<String>,
    /// The round's point (default: the only open round).
    #[arg(long, value_name = "POINT")]
    pub(super) point: Option<String>,
    #[command(flatten)]
    pub(super) who: RoundWho,
}

#[derive(Debug, Subcommand)]
pub(super) enum ReviewCommand {
    /// Approve an item, or every item of a department awaiting this stage.
    #[command(
        after_help = "Examples:\n  hyoka review approve --department 総務課 --key head.key -m '内容を確認'\n  hyoka review approve 12 --stage 2 --key hq.key -m '2次評価で承認'\n\nThe stage defaults from your role: a head (課長) reviews at 1次評価, 行革本部 at 2次評価."
    )]
    Approve(ReviewArgs),
    /// Return an item, or every item of a department awaiting this stage, for revision (差し戻し).
    #[command(
        after_help = "Example:\n  hyoka review return 12 --key head.key -m '実績の記載が不足しているため差し戻し'\n\nThe reason (-m) is what the department reads: say what to revise. Returned items are rated again,\nthen submitted again."
    )]
    Return(ReviewArgs),
}

/// What `review approve|return` reviews.
#[derive(Debug, Args)]
pub(super) struct ReviewArgs {
    /// The item.
    #[arg(
        required_unless_present = "department",
        conflicts_with = "department",
        value_name = "ID"
    )]
    pub(super) item: Option<String>,
    /// Every item of this department awaiting the stage (one event each, in one batch).
    #[arg(long, value_name = "D")]
    pub(super) department: Option<String>,
    /// 1 (1次評価, by the department head) or 2 (2次評価, by 行革本部); default: from your role.
    #[arg(long, value_name = "1|2", value_parser = super::options::stage_number)]
    pub(super) stage: Option<u8>,
    /// The round's point (default: the only round not yet published).
    #[arg(long, value_name = "POINT")]
    pub(super) point: Option<String>,
    #[command(flatten)]
    pub(super) who: Who,
}

/// `hyoka opinion`.
#[derive(Debug, Args)]
pub(super) struct OpinionArgs {
    /// The opinion (意見).
    pub(super) text: String,
    /// The item it is on (default: the round as a whole).
    #[arg(long, value_name = "ID")]
    pub(super) item: Option<String>,
    /// The round's point (default: the only round not yet published).
    #[arg(long, value_name = "POINT")]
    pub(super) point: Option<String>,
    #[command(flatten)]
    pub(super) who: RoundWho,
}
