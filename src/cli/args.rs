//! The command line's shape: the top-level options, every command and subcommand with its arguments
//! and `--help` text (clap derive). The values and option groups they share are in `options`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::options::{
    CsvEncoding, EraArg, GroupByArg, HistoryFormat, LogFormat, OnOff, SheetFormat, SummaryFormat,
    Switch, TableFormat, TextOrJson, TimeArgs, Who,
};

const AFTER_HELP: &str = "\
Examples:
  hyoka demo
  hyoka import fixtures/kodaira-followup-h26-h27.tsv --author 山田
  hyoka rate 12 H27上半期 A -a 山田 -m '再評価の結果'
  hyoka table
  hyoka verify

The ledger is the directory given by --ledger, else $HYOKA_LEDGER, else the config file's
`ledger`, else ./hyoka-ledger.
Config file: $HYOKA_CONFIG, else hyoka/config.toml in the platform's config directory
($XDG_CONFIG_HOME/hyoka/config.toml, else ~/.config/hyoka/config.toml on Linux), in TOML:
  ledger = \"/srv/hyoka/plan\"    # relative paths from the file's directory; ~/ from home
  key = \"~/.hyoka/me.key\"       # your private key (as --key, $HYOKA_KEY)
  language = \"ja\"               # ja or en
  time_zone = \"Asia/Tokyo\"      # as --tz, $HYOKA_TZ
  wait = 10                     # seconds, as --wait, $HYOKA_WAIT
A flag wins over its environment variable, which wins over the config file, which wins over the
default. Times are shown in Japan time (2015-11-06 08:30:00 +09:00) unless --tz or the file says
otherwise.
HYOKA_NOW (RFC 3339) sets the recorded time in builds with the test-clock feature (tests);
other builds ignore it, with a warning. A clock behind the last event records at that event's time.
Outputs (-o FILE, backup DIR) must be outside the ledger directory. A private key file (--key) must
be readable by its owner only (chmod 600), as ssh requires.
Exit codes: 0 success, 1 error, 2 usage error, 3 integrity failure, 70 a bug in hyoka.";

/// hyoka (評価): a tamper-evident ledger of the evaluations of an administrative-reform plan.
///
/// Every change is appended as a hash-chained event; tables, summaries and audit views are rebuilt from
/// the events alone; `hyoka verify` recomputes the whole chain.
#[derive(Debug, Parser)]
#[command(name = "hyoka", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// The ledger directory (default: the config file's `ledger`, else hyoka-ledger).
    #[arg(
        long,
        global = true,
        env = "HYOKA_LEDGER",
        default_value = "hyoka-ledger",
        value_name = "DIR"
    )]
    pub(super) ledger: PathBuf,

    /// Wait up to SECS for another hyoka process to release the ledger (saying so after a second)
    /// before failing; 0 fails at once. A busy ledger's error names the process holding it, where the
    /// system shows it. Default: the config file's `wait`, else 10.
    #[arg(
        long,
        global = true,
        env = "HYOKA_WAIT",
        value_name = "SECS",
        default_value_t = 10.0
    )]
    pub(super) wait: f64,

    /// Show times in this zone, and read times written without an offset (--at, at:TIME) in it:
    /// Asia/Tokyo (or JST), UTC, an offset such as +09:00, or another IANA zone name. Japan time unless
    /// the config file's time_zone says otherwise. The export and `log --format jsonl` keep UTC.
    #[arg(
        long,
        global = true,
        env = "HYOKA_TZ",
        value_name = "ZONE",
        default_value = "Asia/Tokyo",
        allow_hyphen_values = true
    )]
    pub(super) tz: String,

    /// The ledger's private log key, for writers: every change is then anchored by a signed checkpoint
    /// (default: DIR.log-key beside the ledger directory, when the ledger has a log key).
    #[arg(long, global = true, env = "HYOKA_LOG_KEY", value_name = "FILE")]
    pub(super) log_key: Option<PathBuf>,

    /// The language of messages, help and reports: ja (日本語) or en (default: $HYOKA_LANG, else the
    /// locale: the first of LC_ALL, LC_MESSAGES and LANG that is set). Machine formats never change.
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub(super) lang: Option<super::i18n::Lang>,

    /// Never page: print the views straight to the terminal (by default, on a terminal, `table`,
    /// `summary`, `changes`, `history`, `blame`, `diff` and `log` go through $PAGER, default `less -FRX`; never
    /// when piped; PAGER=cat or an empty PAGER also turns it off).
    #[arg(long, global = true)]
    pub(super) no_pager: bool,

    /// How wide your terminal draws the characters of ambiguous width (○ … ■ →): 1 column, or 2 as
    /// many Japanese terminals and fonts do; the views' columns are aligned for it.
    #[arg(
        long,
        global = true,
        env = "HYOKA_AMBIGUOUS_WIDTH",
        value_name = "1|2",
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=2)
    )]
    pub(super) ambiguous_width: u8,

    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Create a ledger for a plan.
    #[command(
        after_help = "Examples:\n  hyoka init --plan 第2次行財政改革 --grades S,A,B --era heisei --origin city.kodaira.example/reform-plan-2 -a 山田 -m '計画の登録'\n  hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --log-key hyoka-ledger.log-key\n  hyoka init --plan 第3次行財政改革行動計画 --grades S,A,B,C --cadence year-end --years 令和元年度-令和4年度 --era reiwa\n  hyoka key generate --name admin --output admin.key > admin.vkey\n  hyoka init --plan 第2次行財政改革 --origin city.kodaira.example/reform-plan-2 --admin 山田太郎 --vkey admin.vkey --key admin.key\n\nWith --log-key FILE the key in FILE (a new one, written there with mode 0600, if FILE does not exist)\nbecomes the ledger's log key: every change by a writer holding it is anchored by a signed checkpoint.\nWith --admin the ledger has people: its first administrator is registered (by an id, P and the key's\nid; the name is kept in DIR/PEOPLE, never in the events) and every later change is signed by its\nauthor's key. The log key is then always made: FILE, else DIR.log-key beside the ledger directory."
    )]
    Init {
        /// The plan's name.
        #[arg(long, value_name = "NAME")]
        plan: String,
        /// The grade scale, best first (S,A,B; S,A,B,C; 完了,一部実施,その他), or 0-100 for a progress
        /// rate in percent (rated 80 or 80%; summaries show the average and bands 100, 75-99, 50-74,
        /// 25-49, 0-24).
        #[arg(long, value_name = "LIST", default_value = "S,A,B")]
        grades: String,
        /// Era of fiscal years written without one (`26年度上半期`): heisei (平成) or reiwa (令和).
        #[arg(long, value_parser = super::options::nfkc_enum::<EraArg>())]
        era: Option<EraArg>,
        /// Stable identifier of this ledger (checkpoint origin and key name): no spaces, no `+`.
        /// Derived from the plan name when not given.
        #[arg(long, value_name = "ORIGIN")]
        origin: Option<String>,
        /// When the plan reports: half-year (上半期 and 年度末, the default), year-end (年度末 only),
        /// quarterly (四半期), or whole-plan (one result for the plan's years; needs --years).
        #[arg(long, value_name = "CADENCE")]
        cadence: Option<String>,
        /// The plan's fiscal years, e.g. 2019-2022 or 令和元年度-令和4年度 (default: any from 1989 to 2199).
        #[arg(long, value_name = "YEARS")]
        years: Option<String>,
        /// A ledger with people: its first administrator's name. Every change is then signed by a
        /// registered person's key (see `hyoka person --help`); needs --vkey and --key.
        #[arg(long, value_name = "NAME", requires_all = ["vkey", "key"])]
        admin: Option<String>,
        /// The administrator's department (default: 管理者).
        #[arg(long, value_name = "D", requires = "admin")]
        department: Option<String>,
        /// The administrator's verifier key (the key text, or a file holding it), as `hyoka key
        /// generate` printed it.
        #[arg(long, value_name = "VKEY", requires = "admin")]
        vkey: Option<String>,
        /// The administrator's private key file (mode 0600), which signs the ledger's first people event.
        #[arg(long, value_name = "FILE", requires = "admin")]
        key: Option<PathBuf>,
        /// Who creates the ledger (with --admin, the administrator does).
        #[arg(
            short = 'a',
            long,
            value_name = "NAME",
            default_value = "hyoka",
            conflicts_with = "admin"
        )]
        author: String,
        /// Why.
        #[arg(
            short = 'm',
            long,
            value_name = "TEXT",
            default_value = "ledger created"
        )]
        reason: String,
    },
    /// Register, correct, withdraw or reinstate plan items; mark them 対象外 at a point; merge them (集約).
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka item add 63 '窓口サービスの改善' --department 市民課 --category 地域協働の推進 -a 山田 -m '計画改定'\n  hyoka item withdraw 63 -a 山田 -m '計画から削除'\n  hyoka item exclude R1-1 令和元年度末 -a 山田 -m '年度途中の追加のため評価対象外'"
    )]
    Item(ItemCommand),
    /// Rename a heading (one event for every item under it).
    #[command(
        subcommand,
        after_help = "Example:\n  hyoka heading rename 地域協働の推進 市民協働の推進 -a 山田 -m '計画改定で改称'"
    )]
    Heading(HeadingCommand),
    /// Record a rating for an item in a period.
    #[command(
        after_help = "Examples:\n  hyoka rate 12 H27上半期 A -a 山田 -m '第3四半期の進捗を反映'\n  hyoka rate R1-1 令和2年3月31日現在 A -a 山田 -m '年度末評価'\n\nPoints: FY2015-H1, FY2015-YE, H27上半期, 平成27年度末, 平成28年3月末現在 (= 平成27年度末),\n平成27年9月末 (= 平成27年度上半期), 令和2年3月31日現在, 2019年度末; quarterly plans also FY2006-Q3,\n平成18年12月末; year-end-only plans 令和元年度. A point more than one reporting point after the\nlatest rated point is refused as a likely typo unless --new-point is given."
    )]
    Rate {
        /// Item id (12, R1-1, 1-1-1).
        item: String,
        /// Point (FY2014-H1, H26上半期, 平成26年度末, 平成28年3月末現在, ...).
        period: String,
        /// Grade from the plan's scale.
        grade: String,
        #[command(flatten)]
        who: Who,
    },
    /// Withdraw a rating recorded in error.
    #[command(
        after_help = "Example:\n  hyoka unrate 12 H27上半期 -a 山田 -m '誤って入力したため取消'"
    )]
    Unrate {
        /// Item id.
        item: String,
        /// Period.
        period: String,
        #[command(flatten)]
        who: Who,
    },
    /// Set or clear the follow-up flag of an item for a period.
    #[command(
        after_help = "Example:\n  hyoka flag 12 on -a 山田 -m '次期も継続して確認'\n\nThe period defaults to the latest period that has ratings, and is printed."
    )]
    Flag {
        /// Item id.
        item: String,
        /// on or off (○ or —, as the views print the flag).
        #[arg(value_parser = super::options::nfkc_enum::<OnOff>())]
        state: OnOff,
        /// Period (default: the latest period with ratings).
        #[arg(long, value_name = "PERIOD")]
        period: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Set the remark of an item for a period (an empty TEXT clears it).
    #[command(
        after_help = "Example:\n  hyoka remark 12 '地域との協議を継続する。' -a 山田 -m '所管課の報告'\n\nThe period defaults to the latest period that has ratings, and is printed."
    )]
    Remark {
        /// Item id.
        item: String,
        /// The remark.
        text: String,
        /// Period (default: the latest period with ratings).
        #[arg(long, value_name = "PERIOD")]
        period: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Open, close and publish evaluation rounds; where a round stands; the notice of its corrections.
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka round open 令和2年度末 --due 2021-04-30 --key admin.key -m '令和2年度末の評価を開始'\n  hyoka round status 令和2年度末\n  hyoka round publish 令和2年度末 --key admin.key --output 令和2年度末.tsv -m '評価結果の公表'"
    )]
    Round(super::round_args::RoundCommand),
    /// Submit a department's items of a round for review (1次評価, then 2次評価).
    #[command(
        after_help = "Examples:\n  hyoka submit --key staff.key -m '総務課の評価を提出'\n  hyoka submit --department 総務課 --point 令和2年度末 --key head.key\n\nEvery item of the department at the point must be rated or 対象外, and a returned one rated again."
    )]
    Submit(super::round_args::SubmitArgs),
    /// Approve or return (差し戻し) submitted items, at 1次評価 (head) or 2次評価 (行革本部).
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka review approve --department 総務課 --key head.key -m '内容を確認'\n  hyoka review return 12 --key head.key -m '実績の記載が不足しているため差し戻し'"
    )]
    Review(super::round_args::ReviewCommand),
    /// Record an opinion (意見) of the outside committee on a round or one of its items.
    #[command(
        after_help = "Example:\n  hyoka opinion '目標の設定が妥当か再検討されたい' --item 12 --key committee.key -m '第3回委員会'"
    )]
    Opinion(super::round_args::OpinionArgs),
    /// Show every event: seq, time, author, what changed, reason, hash.
    #[command(
        after_help = "Examples:\n  hyoka log\n  hyoka log --full   (every line whole, however wide the terminal)\n  hyoka log --format jsonl | jq .change\n\nOn a terminal (or with COLUMNS) each line fits its width: what changed and why are cut with …,\nthe seq, time, author and hash stay whole."
    )]
    Log {
        /// Output format (jsonl: one event a line, schema/event.schema.json).
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        format: LogFormat,
        /// Text: every line whole, however wide the terminal.
        #[arg(long)]
        full: bool,
    },
    /// Recompute the whole hash chain and check it against the head record.
    #[command(
        after_help = "Examples:\n  hyoka verify\n  hyoka verify --checkpoint checkpoint.txt --vkey plan.vkey\n  hyoka verify --export ledger.jsonl --checkpoint checkpoint.txt --vkey plan.vkey   (no ledger)\n  hyoka verify --publication site\n\nverify says how far the ledger directory itself vouches for the events: #0..#N held by the store\nor covered by an anchor (hyoka anchor on, or a log key); events after N are held only by the\njournal and listed apart (JSON: vouched_through, journal_only). It never writes hyoka's files in\nthe ledger directory (sled rewrites its own under store/ when it opens); on a read-only medium it\nverifies a private temporary copy of the ledger's files (said on stderr, removed afterwards).\nThe last checkpoint the ledger signed (CHECKPOINT) is checked with --vkey, else with\nthe ledger's log key; one whose signature fails is reported and ignored.\n\nExit codes: 0 the history is intact; 3 an integrity failure (the first bad seq and what is wrong\nare printed: hash mismatch, broken link, missing seq, undecodable bytes, store behind its head\nrecord, store unreadable or missing a file, a lost journal, anchored events missing; with\n--checkpoint also: a different root at the checkpoint's size, a ledger shorter than the\ncheckpoint, another origin, a bad signature or none by the key); 1 another error (e.g. the ledger\nis busy, the checkpoint file is malformed, a symbolic link in the ledger directory)."
    )]
    Verify {
        /// Output format (JSON: schema/verify.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Also prove that the ledger is an append-only extension of this checkpoint (signed or not).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Check the checkpoint's signature by this verifier key (the key text, or a file holding it);
        /// without --checkpoint, the signature of the last checkpoint the ledger signed (default: the
        /// ledger's log key).
        #[arg(long, value_name = "VKEY")]
        vkey: Option<String>,
        /// Verify this export (from `hyoka export`) instead of a ledger; no ledger is opened.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
        /// Verify this static mirror (from `hyoka mirror`: C2SP tlog-tiles and the stored events),
        /// a directory or an http:// or https:// URL, instead of a ledger; no ledger is opened (JSON:
        /// schema/verify-mirror.schema.json).
        #[arg(long, value_name = "DIR|URL", conflicts_with_all = ["export", "checkpoint"])]
        mirror: Option<String>,
        /// Verify this publication pack (from `hyoka publish`): the manifest's and the checkpoint's
        /// signatures, every file's SHA-256 and the table's digest, then, when the ledger directory
        /// exists, the checkpoint and the publication against the ledger (JSON:
        /// schema/verify-publication.schema.json).
        #[arg(long, value_name = "DIR", conflicts_with_all = ["export", "checkpoint", "mirror"])]
        publication: Option<PathBuf>,
    },
    /// Write an offline proof that event seq:N is in a checkpoint (C2SP tlog-proof), or with
    /// --consistency that the ledger at a checkpoint extends an older one.
    #[command(
        after_help = "Examples:\n  hyoka prove seq:12 --key plan.key --output event-12.tlog-proof\n  hyoka prove seq:12 --checkpoint checkpoint.txt > event-12.tlog-proof\n  hyoka prove --consistency old-checkpoint.txt --checkpoint checkpoint.txt > consistency.txt\n\nThe checkpoint defaults to a fresh one of the whole ledger (verified first), signed with --key under\nthe rules of `hyoka checkpoint --key`, else unsigned. A checkpoint given that is not one of this\nledger (other origin, other root at its size, larger than the ledger) is refused (exit 3); an event\nnewer than it is refused as a mistake (exit 1). Events are named seq:N, as in `hyoka diff` (a bare N is\nread as seq:N, with a note). The proof carries the event itself; check it anywhere with `hyoka verify-proof`."
    )]
    Prove {
        /// The event: seq:N (its number in the log, as `hyoka log` shows #N).
        #[arg(
            value_name = "seq:N",
            value_parser = super::options::event_seq,
            required_unless_present = "consistency",
            conflicts_with = "consistency"
        )]
        seq: Option<super::options::EventSeq>,
        /// Prove instead that the ledger at the (new) checkpoint extends this older checkpoint.
        #[arg(long, value_name = "OLD_CHECKPOINT")]
        consistency: Option<PathBuf>,
        /// The checkpoint to prove against (default: a fresh one of the whole ledger).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Sign the fresh checkpoint with this private key (as `hyoka checkpoint --key`).
        #[arg(long, value_name = "FILE", conflicts_with = "checkpoint")]
        key: Option<PathBuf>,
        /// Write the proof to FILE (replaced atomically; outside the ledger directory) instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Verify an inclusion proof from `hyoka prove` without the ledger, and show the event.
    #[command(
        after_help = "Examples:\n  hyoka verify-proof event-12.tlog-proof --vkey plan.vkey\n  hyoka verify-proof event-12.tlog-proof --format json\n\nNo ledger is opened. Checked: the checkpoint's signature by VKEY (without --vkey, authenticity is\nnot checked), the event in the proof's extra data (its hash recomputed, its seq the proof's index),\nand the inclusion proof against the checkpoint's root. Exit 3 if any fails."
    )]
    VerifyProof {
        /// The proof file (c2sp.org/tlog-proof@v1).
        file: PathBuf,
        /// The log's verifier key (the key text, or a file holding it).
        #[arg(long, value_name = "VKEY")]
        vkey: Option<String>,
        /// Output format (JSON: schema/verify-proof.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Verify a consistency proof from `hyoka prove --consistency` without the ledger.
    #[command(
        after_help = "Example:\n  hyoka verify-consistency consistency.txt --old old-checkpoint.txt --vkey plan.vkey\n\nNo ledger is opened. Checked as a C2SP witness does: the signatures by VKEY, the same origin, the\nold size, and the RFC 6962 consistency proof from the old root to the new checkpoint's. Exit 3 if\nthe log's history at the old checkpoint was rewritten."
    )]
    VerifyConsistency {
        /// The proof file (old N, proof lines, blank line, checkpoint).
        file: PathBuf,
        /// The older checkpoint that the new one must extend.
        #[arg(long, value_name = "OLD_CHECKPOINT")]
        old: PathBuf,
        /// The log's verifier key (the key text, or a file holding it).
        #[arg(long, value_name = "VKEY")]
        vkey: Option<String>,
        /// Output format (JSON: schema/verify-consistency.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Write every event as JSON Lines (schema/export.schema.json): a portable copy of the ledger.
    #[command(
        after_help = "Examples:\n  hyoka export --output ledger.jsonl\n  hyoka verify --export ledger.jsonl --checkpoint checkpoint.txt --vkey plan.vkey\n  hyoka restore ledger.jsonl --ledger /srv/hyoka/plan-2\n\nEach line holds an event's stored bytes (base64) and their decoded fields; the ledger is checked as\nit is written. With --output the file is replaced atomically."
    )]
    Export {
        /// Write to FILE (replaced atomically; outside the ledger directory) instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Rebuild a ledger at --ledger DIR (which must not exist) from an export.
    #[command(
        after_help = "Example:\n  hyoka restore ledger.jsonl --ledger /srv/hyoka/plan-2\n\nEvery line is checked as it is read (bytes, chain, rules) and the stored bytes are appended\nverbatim: the restored ledger has the same hashes and root. It is built in DIR.restore-incomplete-*\nbeside DIR and renamed to DIR only when complete; a leftover of that name is an interrupted restore\nand can be deleted."
    )]
    Restore {
        /// The export file (from `hyoka export` or `hyoka backup`).
        file: PathBuf,
        /// A checkpoint the export must extend (e.g. the backup's checkpoint.txt, or a published one);
        /// a signed one becomes the restored ledger's last signed checkpoint.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// The verifier key that must have signed the checkpoint (the key text, or a file holding it).
        #[arg(long, value_name = "VKEY", requires = "checkpoint")]
        vkey: Option<String>,
    },
    /// Write a verified backup into DIR: the export (ledger.jsonl) and its checkpoint (checkpoint.txt).
    #[command(
        after_help = "Examples:\n  hyoka backup /mnt/backup/plan-2 --key plan.key\n  hyoka restore /mnt/backup/plan-2/ledger.jsonl --checkpoint /mnt/backup/plan-2/checkpoint.txt --ledger NEWDIR\n\nThe ledger is verified first; a damaged ledger never overwrites a backup. The export and checkpoint\nare each written atomically, and the written export is read back and verified against the\ncheckpoint. With --key the checkpoint is signed (and recorded as the ledger's last signed one).\nA backup already in DIR is replaced only if this ledger extends it (same origin, at least as many\nevents, the same history up to its size: checked against its checkpoint.txt, and with --key its\nsignature); otherwise, or if it cannot be checked, it is left untouched (exit 3).\nRun it after every evaluation round, and keep backups on another disk."
    )]
    Backup {
        /// The backup directory, outside the ledger directory (created if needed; a backup already in it
        /// is replaced only by one that extends it).
        dir: PathBuf,
        /// Sign the checkpoint with this private key (from `hyoka key generate`; mode 0600).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Print the ledger's checkpoint (C2SP tlog-checkpoint: origin, size, root), signed with --key.
    #[command(
        after_help = "Examples:\n  hyoka checkpoint --key plan.key --output checkpoint.txt\n  hyoka checkpoint\n\nThe whole ledger is verified first. With --key the checkpoint is a C2SP signed note and is\nrecorded in the ledger directory (CHECKPOINT); a checkpoint inconsistent with the last one signed\nis refused (exit 3). Without --key it is unsigned: it shows integrity, not who vouches for it."
    )]
    Checkpoint {
        /// The private key file (from `hyoka key generate`; mode 0600); its name must be the ledger's
        /// origin.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Write the checkpoint to FILE (outside the ledger directory) instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the publication pack of a published round into DIR: the table as published (index.html,
    /// table.csv, table.xlsx, table.json), the signed checkpoint, the corrections' notice, a manifest
    /// signed by the log key, and the log's tiles.
    #[command(
        after_help = "Examples:\n  hyoka publish 令和2年度末 --out site\n  hyoka publish FY2020-YE --out site --encoding cp932 --force\n  hyoka verify --publication site\n\nDIR gets index.html (the table as published, with subtotals by heading, a chart, the table's\nSHA-256 and the checkpoint; accessible, printable on A4 landscape; nothing loaded from elsewhere),\ncorrections.html (each correction since the publication: item, before, after, reason), style.css,\ntable.csv (UTF-8 with a BOM; --no-bom, or --encoding cp932, which refuses a character CP932 cannot\nhold, naming the item and the column), table.xlsx and table.json (schema/publication-table.schema.json),\ncheckpoint (signed by the log key), manifest (a signed note by the log key listing each file's\nSHA-256, the table's digest recorded by `round publish`, and the checkpoint) and tiles/ (the static\nmirror, as `hyoka mirror`; --tiles PATH to put it elsewhere). The checkpoint is the last one signed\nif it covers the whole ledger, else a new one signed with the log key (--log-key FILE, or DIR.log-key\nbeside the ledger). The same ledger gives the same bytes: publishing again changes nothing. A file of\nDIR with other bytes stops it, writing nothing, unless --force; links are never followed."
    )]
    Publish {
        /// The published round's point, e.g. 令和2年度末 or FY2020-YE.
        point: String,
        /// The directory to write the pack into (created if missing; outside the ledger directory,
        /// not a link).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Write the tiles (the static mirror) here instead of DIR/tiles.
        #[arg(long, value_name = "PATH")]
        tiles: Option<PathBuf>,
        /// The encoding of table.csv.
        #[arg(long, value_enum, default_value_t = CsvEncoding::Utf8)]
        encoding: CsvEncoding,
        /// table.csv in UTF-8 without a byte-order mark.
        #[arg(long)]
        no_bom: bool,
        /// Replace files of DIR that hold other bytes (another pack's).
        #[arg(long)]
        force: bool,
    },
    /// Write the static verifiable mirror of the last signed checkpoint into DIR (C2SP tlog-tiles:
    /// checkpoint, hash tiles, entry bundles, and the stored events beside them), adding what is new.
    #[command(
        after_help = "Examples:\n  hyoka checkpoint --key plan.key\n  hyoka mirror site/tiles\n  hyoka verify --mirror site/tiles --vkey plan.vkey\n\nDIR can be served as it is by any web server: a reader recomputes from it alone the tree the\ncheckpoint commits to, the chain, the rules and the table (`hyoka verify --mirror`). Full tiles are\nwritten once and never change; run it again after each new checkpoint to add the new ones. A file in\nDIR that differs from this ledger's mirror stops it, changing nothing more (exit 1)."
    )]
    Mirror {
        /// The mirror's directory (created if missing; outside the ledger directory).
        dir: PathBuf,
    },
    /// Manage checkpoint signing keys.
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka key generate --output plan.key > plan.vkey\n  hyoka key use hyoka-ledger.log-key"
    )]
    Key(KeyCommand),
    /// Anchor every change (on), stop (off), or show how the ledger is anchored.
    #[command(
        after_help = "Examples:\n  hyoka anchor on\n  hyoka anchor\n\nA small change is durable once written to the ledger's journal. An anchor is a record, outside the\njournal, of how many events the ledger holds and their Merkle root (the ANCHOR file): with one\nafter every change, a journal that loses events (deleted, emptied, or cut) is caught by\n`hyoka verify` (exit 3). It costs one more durable write per change. A writer holding the log key\n(`hyoka key use FILE`) anchors every change anyway, signed; `anchor on` does it for every writer."
    )]
    Anchor {
        /// on or off (omit to show the current setting).
        #[arg(value_parser = super::options::nfkc_enum::<Switch>())]
        state: Option<Switch>,
    },
    /// Import a city's table: TSV, CSV (UTF-8 or Shift_JIS) or an .xlsx workbook, in any layout.
    #[command(
        after_help = "Examples:\n  hyoka import fixtures/kodaira-followup-h26-h27.tsv --author 山田\n  hyoka import 2015-h2.tsv --author 山田 --dry-run --format json\n  hyoka import 進捗状況.xlsx --layout kizugawa --point 令和元年度末 -a 行革推進室\n  hyoka import 評価.xlsx --layout my-city.toml --sheet 集計 -a 山田\n\nA new ledger is created if none exists (plan name and origin derived from the file name unless\n--plan/--origin are given). On an existing ledger only what differs is recorded; a value changed by\nhand since the last import that the file contradicts stops the import (see --prefer-file).\nEmpty cells mean \"no change\". Everything is recorded as one atomic batch, or nothing is.\n\nA layout (a small TOML file, see README \"Your own sheet\" and schema/LAYOUT.md) says which column\nholds what, by its header text. Without --layout the known layouts are tried: hyoka (hyoka's CSV),\nkodaira (the published table and hyoka's TSV), kizugawa, dated and sheet (the sheets of\n`hyoka sheets`; fixtures/layouts/). A CSV not in UTF-8 is read as CP932 (Shift_JIS) if it is, and\nsaid so. Every bad cell is listed (100 at most, then a count), and nothing is recorded while one\nremains."
    )]
    Import {
        /// The table file: tab-separated text or CSV (UTF-8 with or without BOM, UTF-16, or CP932), or an
        /// Excel workbook (.xlsx).
        file: PathBuf,
        /// The file's layout: a layout file (TOML), or the name of a known one (hyoka, kodaira,
        /// kizugawa, dated, sheet). Default: the known layouts are tried.
        #[arg(long, value_name = "LAYOUT")]
        layout: Option<PathBuf>,
        /// The sheet of a workbook to read (default: its first).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// The reporting point of a grade column whose header does not name one (a layout whose points
        /// header is a plain text such as 評価), e.g. 令和元年度末.
        #[arg(long, value_name = "POINT")]
        point: Option<String>,
        /// Who imports (in a ledger with people, the person whose key --key is; need not be given).
        #[arg(short = 'a', long, value_name = "NAME")]
        author: Option<String>,
        /// Your private key file (mode 0600): in a ledger with people the import is signed with it.
        /// Default: $HYOKA_KEY, else the config file's `key`.
        #[arg(long, value_name = "FILE", env = "HYOKA_KEY")]
        key: Option<PathBuf>,
        /// Why (default: names the file).
        #[arg(short = 'm', long, value_name = "TEXT")]
        reason: Option<String>,
        /// Era of the file's fiscal years (default: the plan's, else heisei): heisei (平成) or reiwa (令和).
        #[arg(long, value_parser = super::options::nfkc_enum::<EraArg>())]
        era: Option<EraArg>,
        /// Plan name for a new ledger (default: the file name).
        #[arg(long, value_name = "NAME")]
        plan: Option<String>,
        /// Origin for a new ledger (default: derived from the plan name).
        #[arg(long, value_name = "ORIGIN")]
        origin: Option<String>,
        /// Show what would be recorded, record nothing.
        #[arg(long)]
        dry_run: bool,
        /// The file may rate a point more than one reporting point after the latest rated point
        /// (otherwise refused as a likely typo).
        #[arg(long)]
        new_point: bool,
        /// Record the file's values even where they contradict changes made since the last import.
        #[arg(long)]
        prefer_file: bool,
        /// Output format (JSON: schema/import.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Write each department's sheet for a point (CSV and .xlsx) to fill in and import back.
    #[command(
        after_help = "Examples:\n  hyoka sheets --out sheets --point H27末\n  hyoka sheets --out sheets --department 総務課 --format csv   (during an open round)\n  hyoka import sheets/FY2015-YE_財政課.csv -a 山田\n\nOne file per department that has items at the point, named by the point's id and the department\n(FY2015-YE_財政課.csv): its items in the plan's order (withdrawn ones left out) with 区分, No., 項目\nand 所管課; the previous rated point's 評価, フォローアップ対象 and 理由等 for reference, in columns headed\n（参考）, which the import never reads; then this point's 評価, フォローアップ対象 and 理由等, empty, to\nfill in. `hyoka import` reads a sheet back by itself (layout sheet): only the cells filled in are\nrecorded, at the point its header names; an empty cell changes nothing.\nIn a ledger with rounds the point is the open round's (--point must name an open round); without\nrounds, --point is required. The CSV is UTF-8 with a BOM (Excel opens it as it is); the workbook has\na drop-down of the plan's grades, its reference columns shaded and locked, and the same bytes for\nthe same ledger. Files already in DIR are never replaced unless --force; links are never followed."
    )]
    Sheets {
        /// The directory to write the sheets into (created if it does not exist; outside the ledger
        /// directory, not a link).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The point to fill in, e.g. 令和2年度末 or H27末 (default: the open round's; required in a
        /// ledger without rounds).
        #[arg(long, value_name = "POINT")]
        point: Option<String>,
        /// Only this department's sheet (as the ledger names it; repeat for several). Default: every
        /// department with items at the point.
        #[arg(long = "department", value_name = "NAME")]
        departments: Vec<String>,
        /// Which files: csv, xlsx, or both.
        #[arg(long, value_enum, default_value_t = SheetFormat::Both)]
        format: SheetFormat,
        /// Replace sheets of the same names already in DIR.
        #[arg(long)]
        force: bool,
    },
    /// Register people, grant and revoke their roles, rotate and revoke their keys, list them.
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m '担当者の登録'\n  hyoka person list"
    )]
    Person(PersonCommand),
    /// Give a ledger without people its first administrator and log key: every later change is signed.
    #[command(
        subcommand,
        after_help = "Example:\n  hyoka people enable --admin 山田太郎 --vkey admin.vkey --key admin.key -m '署名付き運用へ移行'"
    )]
    People(PeopleCommand),
    /// Show the table in its published shape.
    ///
    /// One row per item under its heading, one column per period, and the follow-up flag and remark of
    /// the latest period; with the total rows in TSV and Markdown.
    #[command(
        after_help = "Examples:\n  hyoka table\n  hyoka table --full\n  hyoka table --format csv --output followup.csv\n  hyoka table --format tsv > followup.tsv   (re-imports with hyoka import)\n  hyoka table --format json | jq '.items[] | select(.follow_up) | .id'"
    )]
    Table {
        /// Output format (JSON: schema/table.schema.json).
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Text: show every title, department and remark in full (wrapped) instead of cut to the width.
        #[arg(long)]
        full: bool,
        /// CSV: leave out the UTF-8 byte-order mark (Excel needs it; some other tools do not want it).
        #[arg(long)]
        no_bom: bool,
        /// Write to FILE (replaced atomically; outside the ledger directory) instead of stdout.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The point whose follow-up marks and remarks are shown (default: the latest shown point that
        /// has any, so that a later point partly rated does not hide them). TSV and CSV always hold the
        /// latest point's, as their re-import reads them.
        #[arg(long, value_name = "PERIOD")]
        marks: Option<String>,
        #[command(flatten)]
        time: TimeArgs,
    },
    /// Count the ratings per period and grade, and the follow-up items; with --by, per heading or
    /// department with the shares of each grade.
    #[command(
        after_help = "Examples:\n  hyoka summary\n  hyoka summary --format json\n  hyoka summary --by heading\n  hyoka summary --by department --format csv --as-of 令和元年度末\n\nWith --by, each point has a line per heading (or department) and one for the whole plan (全体):\nthe count of each grade, 評価対象 (rated), 対象外 (not evaluated), 合計 (items in the plan at that\npoint), フォロー (items flagged for follow-up there) and each grade's share of the rated items in\npercent, rounded half up to 0.1 (46.45 is 46.5), so the shares may not add up to 100. A progress\nscale (init --grades 0-100) is shown as its average and bands (100, 75-99, 50-74, 25-49, 0-24)."
    )]
    Summary {
        /// Output format (JSON: schema/summary.schema.json; CSV needs --by).
        #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
        format: SummaryFormat,
        /// Subtotals and shares per heading or per department, and for the whole plan.
        #[arg(long, value_enum)]
        by: Option<GroupByArg>,
        /// The point whose follow-up items are counted (default: the latest that has any).
        #[arg(long, value_name = "PERIOD")]
        marks: Option<String>,
        #[command(flatten)]
        time: TimeArgs,
    },
    /// What changed between two points: items improved, worsened, unchanged, newly rated or dropped.
    #[command(
        after_help = "Examples:\n  hyoka changes H26年度末 H27上半期\n  hyoka changes 平成26年度末 平成27年度上半期 --format json\n  hyoka changes 令和元年度 令和2年度 --moves\n\nThe scale's order (best first, as given to init --grades) decides improved and worsened. An\noutcome scale whose order means nothing (完了 / 一部実施 / その他) is compared with --moves: items\nwhose label changed are listed as moves between labels. Dropped: rated at the first point and not\nat the second (not yet rated, 対象外, merged or withdrawn). A re-listed row is the item it re-lists\nand counts once. Counts per heading follow the lists."
    )]
    Changes {
        /// The first point.
        from: String,
        /// The second point.
        to: String,
        /// The scale's order means nothing: list moves between labels instead of improved and worsened.
        #[arg(long)]
        moves: bool,
        /// Output format (JSON: schema/changes.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        #[command(flatten)]
        time: TimeArgs,
    },
    /// Every change to an item: who, when, what (old → new) and why; `--all` lists every correction.
    #[command(
        after_help = "Examples:\n  hyoka history 12\n  hyoka history 12 --period H27上半期 --format json\n  hyoka history --all --author 鈴木\n  hyoka history --all --since seq:359   (every change from event #359 on)\n  hyoka history --all --department 財政課 --since 2015-11-01 --until 2015-11-30\n  hyoka history --all --format md > 訂正削除履歴.md\n\nWith --all, every correction in the ledger (a change that replaced or withdrew an existing value, and\nevery withdrawal or reinstatement of an item), grouped by item; with --since or --until, every change\nrecorded in that stretch of the log (a new point's first values too), grouped by item (the report,\n--format md, holds the corrections only). A change to a published round's point is marked [訂正]\n(JSON: correction: true). An item's history also shows its round's review\ntrail: submitted, review (承認, 差し戻し) and opinion."
    )]
    History {
        /// Item id (or --all).
        #[arg(required_unless_present_any = ["all", "item_flag"])]
        item: Option<String>,
        /// Every correction in the ledger, grouped by item (with --since or --until, every change in that
        /// stretch of the log).
        #[arg(long, conflicts_with = "item")]
        all: bool,
        /// The item, as an option: with --all, only that item's corrections.
        #[arg(
            long = "item",
            id = "item_flag",
            value_name = "ID",
            conflicts_with = "item"
        )]
        item_flag: Option<String>,
        /// Only changes from this point on: seq:N (that event and later) or a time (at:TIME, or TIME as
        /// --at reads it; a date alone is from the start of that day in Japan time, or the zone of --tz).
        #[arg(long, value_name = "seq:N|TIME")]
        since: Option<String>,
        /// Only changes up to this point: seq:N (up to and including that event) or a time (a date
        /// alone is up to the end of that day in Japan time, or the zone of --tz).
        #[arg(long, value_name = "seq:N|TIME")]
        until: Option<String>,
        /// Only items of this department (所管課; compared under NFKC), as the items name it now.
        #[arg(long, value_name = "DEPARTMENT")]
        department: Option<String>,
        /// Only changes of this period.
        #[arg(long, value_name = "PERIOD")]
        period: Option<String>,
        /// Only changes recorded by this person (names compare under NFKC: full-width and half-width
        /// forms are the same name).
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
        /// Output format (JSON: schema/history.schema.json).
        #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
        format: HistoryFormat,
        /// Text: show every cell whole, one field per line and a blank line between rows, instead of
        /// aligned columns that fit the terminal's width (COLUMNS wins), cells cut with … (at 160
        /// columns at most).
        #[arg(long)]
        full: bool,
    },
    /// For every cell, who set its current value, when, in which event, and why.
    #[command(
        after_help = "Examples:\n  hyoka blame\n  hyoka blame --period H26年度末 --format json\n  hyoka blame --at 2015-06-30\n  hyoka blame --period H27上半期 --full   (every remark and reason whole)"
    )]
    Blame {
        /// Only this period (default: the ratings of every period, and the flags and remarks of the latest).
        #[arg(long, value_name = "PERIOD")]
        period: Option<String>,
        /// Output format (JSON: schema/blame.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Text: show every cell whole, one field per line and a blank line between rows, instead of
        /// aligned columns that fit the terminal's width (COLUMNS wins), cells cut with … (at 160
        /// columns at most).
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        time: TimeArgs,
    },
    /// Every cell that differs between two points, with who changed it and why.
    #[command(
        after_help = "Examples:\n  hyoka diff H26年度末 H27上半期\n  hyoka diff seq:357 seq:365\n  hyoka diff at:2015-06-30 at:2015-12-31 --format json\n  hyoka diff seq:357 seq:365 --full   (every value whole)\n  hyoka diff seq:359 seq:365 --every   (and every change in between, in order)\n\nA point is a period (FY2014-YE, H26年度末: the current ledger, periods up to it), seq:N (the ledger\nafter event N) or at:TIME (after every event recorded at or before TIME; a date alone is the end of\nthat day in Japan time, or the zone of --tz). No # or @ prefixes: the shell treats them specially."
    )]
    Diff {
        /// The first point.
        from: String,
        /// The second point.
        to: String,
        /// Also list every change recorded between the two points, in order (seq:N or at:TIME points):
        /// the steps a comparison does not show, such as a rating changed and changed back.
        #[arg(long)]
        every: bool,
        /// Output format (JSON: schema/diff.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Text: show every cell whole, one field per line and a blank line between rows, instead of
        /// aligned columns that fit the terminal's width (COLUMNS wins), cells cut with … (at 160
        /// columns at most).
        #[arg(long)]
        full: bool,
    },
    /// Build a throwaway ledger from the bundled table and show what hyoka does; with --serve, then
    /// try a round in the browser on it.
    #[command(
        after_help = "Examples:\n  hyoka demo\n  hyoka demo --serve   (then open the printed URL and sign in as a printed person)\n\nWith --serve the demo ledger gets demo people (each with a password printed on the terminal), an open\nround and a server on loopback, until Ctrl-C; then it is deleted. Demo data only."
    )]
    Demo {
        /// Then serve the demo ledger on the web until Ctrl-C: demo people with passwords, an open
        /// round (the passwords are printed; all of it is deleted at the end).
        #[arg(long)]
        serve: bool,
        /// With --serve: the address and port to listen on (port 0: any free port, printed).
        #[arg(
            long,
            value_name = "ADDR",
            default_value = "127.0.0.1:8080",
            requires = "serve"
        )]
        listen: std::net::SocketAddr,
    },
    /// Serve the ledger on the web: people sign in with their browsers and do a round (the server
    /// holds the ledger until it stops, on Ctrl-C or SIGTERM).
    #[command(
        after_help = "Examples:\n  hyoka serve --listen 127.0.0.1:8080 --ledger plan --log-dir /var/log/hyoka\n  hyoka serve --listen 0.0.0.0:8443 --ledger plan --tls-cert hyoka.crt --tls-key hyoka.key   (HTTPS)\n  hyoka person enrol 鈴木一郎 --url http://127.0.0.1:8080   (an enrolment link for a person, while the server runs)\n\nThe server keeps its own files beside the ledger, in DIR.web: the enrolment tokens (hashed) and each\nperson's signing key wrapped by their password. The JSON API is described by schema/openapi.json\n(also served at /api/openapi.json).\n\nCitizens need no sign-in: / lists the published rounds; /rounds/POINT shows a published table as\npublished (with its digest, the signed checkpoint, subtotals by heading and a chart), with its files at\n/rounds/POINT/table.csv, table.xlsx, table.json, checkpoint and publication.tlog-proof;\n/items/ID shows an item's published values and the corrections made after (for example\nhttp://127.0.0.1:8080/items/12)."
    )]
    Serve {
        /// The address and port to listen on (port 0: any free port, printed).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Write the access log and the error log (access.log, error.log, rotated at 10 MiB, 5 kept)
        /// into DIR; without it, errors go to stderr and requests are not logged.
        #[arg(long, value_name = "DIR")]
        log_dir: Option<PathBuf>,
        /// People reach the server over HTTPS through a reverse proxy: the session cookie is then
        /// marked Secure and named __Host-hyoka_session.
        #[arg(long)]
        behind_https: bool,
        /// Serve HTTPS directly with the certificate chain in FILE (PEM, the server's certificate
        /// first); needs --tls-key. The session cookie is then marked Secure and named
        /// __Host-hyoka_session, and responses carry HSTS.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key of --tls-cert's certificate (PEM: PKCS#8, PKCS#1 or SEC1).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Print the completion script of a shell (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  hyoka completions bash > ~/.local/share/bash-completion/completions/hyoka\n  hyoka completions zsh > \"${fpath[1]}/_hyoka\"\n  hyoka completions fish > ~/.config/fish/completions/hyoka.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, section 1), generated from the same definitions as --help; with
    /// --out DIR, write it and one page per command (hyoka-rate.1, hyoka-person-key-rotate.1, ...).
    #[command(
        after_help = "Examples:\n  hyoka man | man -l -\n  hyoka man > hyoka.1\n  hyoka man --out /usr/local/share/man/man1   (then: man hyoka-rate)"
    )]
    Man {
        /// Write hyoka.1 and a page for every command into DIR (created if needed; pages replaced).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum KeyCommand {
    /// Generate an Ed25519 signing key: write the private key to FILE, print the verifier key.
    #[command(
        after_help = "Example:\n  hyoka key generate --output plan.key > plan.vkey\n\nKeys use the text encodings of Go's golang.org/x/mod/sumdb/note. The private key file is created\nwith mode 0600 and never overwritten; keep it secret. Publish the verifier key printed on stdout."
    )]
    Generate {
        /// The key name (default: the ledger's origin, which checkpoints require).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Where to write the private key (must not exist; outside the ledger directory).
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Make the key in FILE the ledger's log key: it signs the ledger's checkpoints, and a writer
    /// holding it anchors every change with one.
    #[command(
        after_help = "Examples:\n  hyoka key generate --output hyoka-ledger.log-key\n  hyoka key use hyoka-ledger.log-key\n\nThe verifier key is kept in the ledger directory (LOGKEY); the private key never is. Writers use it\nwhen given --log-key FILE (or $HYOKA_LOG_KEY), or by themselves when it is at DIR.log-key beside the\nledger directory DIR. A ledger has one log key: another is refused."
    )]
    Use {
        /// The private key file (from `hyoka key generate`, named after the ledger's origin, mode 0600).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum ItemCommand {
    /// Register a new item.
    #[command(
        after_help = "Examples:\n  hyoka item add 63 '窓口サービスの改善' --department 市民課 --category 地域協働の推進 -a 山田 -m '計画改定'\n  hyoka item add R1-1 '高槻市との連携' --department 学研企画課 --category '1. 協働の市政の推進' --from 令和元年度末 --after 9 -a 山田 -m '令和元年度の追加項目'\n\nIds are as the city writes them: 12, R1-1, 1-1-1 (full-width digits read as ASCII). Without --from\nthe item belongs to the plan at every point; with it, from that point on. Items are listed by id in\nnatural order (2 before 10), or right after the item given with --after."
    )]
    Add {
        /// Item id (unique in the plan).
        id: String,
        /// Title.
        title: String,
        /// Responsible department.
        #[arg(long, value_name = "D")]
        department: String,
        /// Heading (created if new).
        #[arg(long, value_name = "C")]
        category: String,
        /// This item re-lists item ID under another heading.
        #[arg(long, value_name = "ID")]
        relisting_of: Option<String>,
        /// The point from which the item belongs to the plan.
        #[arg(long, value_name = "POINT")]
        from: Option<String>,
        /// List the item right after item ID.
        #[arg(long, value_name = "ID")]
        after: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Correct an item's title, department, heading, re-listing, first point or place.
    #[command(
        after_help = "Examples:\n  hyoka item amend 63 --department 市民課窓口係 -a 山田 -m '組織改正'\n  hyoka item amend R1-1 --from 令和2年度末 --after 9 -a 山田 -m '開始時期の訂正'"
    )]
    Amend {
        /// Item id.
        id: String,
        /// New title.
        #[arg(long, value_name = "T")]
        title: Option<String>,
        /// New department.
        #[arg(long, value_name = "D")]
        department: Option<String>,
        /// New heading (created if new).
        #[arg(long, value_name = "C")]
        category: Option<String>,
        /// Now a re-listing of item ID.
        #[arg(long, value_name = "ID", conflicts_with = "not_relisting")]
        relisting_of: Option<String>,
        /// No longer a re-listing.
        #[arg(long)]
        not_relisting: bool,
        /// Now part of the plan from this point on.
        #[arg(long, value_name = "POINT", conflicts_with = "every_point")]
        from: Option<String>,
        /// Now part of the plan at every point.
        #[arg(long)]
        every_point: bool,
        /// Now listed right after item ID.
        #[arg(long, value_name = "ID", conflicts_with = "natural_place")]
        after: Option<String>,
        /// Now listed at its id's natural place.
        #[arg(long)]
        natural_place: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Withdraw an item from the plan (its history stays).
    #[command(after_help = "Example:\n  hyoka item withdraw 63 -a 山田 -m '計画から削除'")]
    Withdraw {
        /// Item id.
        id: String,
        #[command(flatten)]
        who: Who,
    },
    /// Reinstate a withdrawn item.
    #[command(after_help = "Example:\n  hyoka item reinstate 63 -a 山田 -m '削除の取消'")]
    Reinstate {
        /// Item id.
        id: String,
        #[command(flatten)]
        who: Who,
    },
    /// Mark an item 対象外 (not evaluated) at a point; the reason (-m) says why.
    #[command(
        after_help = "Example:\n  hyoka item exclude R1-1 令和元年度末 -a 山田 -m '年度途中の追加のため評価対象外'\n\nA rated cell is not marked: withdraw its rating first (hyoka unrate). Undo with hyoka item include."
    )]
    Exclude {
        /// Item id.
        id: String,
        /// The point.
        point: String,
        #[command(flatten)]
        who: Who,
    },
    /// Withdraw an exclusion (対象外) recorded in error: the item is evaluated at that point again.
    #[command(
        after_help = "Example:\n  hyoka item include R1-1 令和元年度末 -a 山田 -m '対象外の取消'"
    )]
    Include {
        /// Item id.
        id: String,
        /// The point.
        point: String,
        #[command(flatten)]
        who: Who,
    },
    /// Merge an item into another from a point on (集約): it is no longer evaluated on its own.
    #[command(
        after_help = "Example:\n  hyoka item merge 25 --into 24 --from 平成27年度末 -a 山田 -m '項目24に集約'\n\nThe item keeps its history; its ratings from that point on must be withdrawn first. Undo with\nhyoka item unmerge."
    )]
    Merge {
        /// The item folded in.
        id: String,
        /// The item it is folded into.
        #[arg(long, value_name = "ID")]
        into: String,
        /// The first point at which it is part of that item.
        #[arg(long, value_name = "POINT")]
        from: String,
        #[command(flatten)]
        who: Who,
    },
    /// Withdraw a merge recorded in error: the item stands on its own again.
    #[command(after_help = "Example:\n  hyoka item unmerge 25 -a 山田 -m '集約の取消'")]
    Unmerge {
        /// Item id.
        id: String,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PersonCommand {
    /// Register a person: their department, roles and verifier key (by an administrator).
    #[command(
        after_help = "Examples:\n  hyoka key generate --name suzuki --output suzuki.key > suzuki.vkey   (by the person, who keeps suzuki.key)\n  hyoka person add 鈴木一郎 --department 財政課 --role staff --vkey suzuki.vkey --key admin.key -m '担当者の登録'\n\nRoles: staff (担当: rates their department's items in an open round), head (課長: 1次評価), hq\n(行革本部: 2次評価, 対象外, corrections), admin (管理者: people, the plan, rounds), committee (外部委員:\nopinions), auditor (監査: reads everything, records nothing). The person's id is P and the 8 hex\ndigits of their key's id; the name is kept in DIR/PEOPLE, beside the events and never in them, and\ncommands accept either."
    )]
    Add {
        /// The person's name (kept in DIR/PEOPLE; the events hold only a salted commitment to it).
        name: String,
        /// Their department (課).
        #[arg(long, value_name = "D")]
        department: String,
        /// Their roles: staff, head, hq, admin, committee, auditor (or 担当, 課長, 行革本部, 管理者,
        /// 外部委員, 監査), comma-separated.
        #[arg(long, value_name = "ROLES")]
        role: String,
        /// Their verifier key (the key text, or a file holding it), from `hyoka key generate`.
        #[arg(long, value_name = "VKEY")]
        vkey: String,
        #[command(flatten)]
        who: Who,
    },
    /// Grant or revoke a role (by an administrator).
    #[command(
        subcommand,
        after_help = "Example:\n  hyoka person role grant 鈴木一郎 head --key admin.key -m '課長に昇任'"
    )]
    Role(RoleCommand),
    /// Rotate or revoke a person's key (by an administrator, or the person themself).
    #[command(
        subcommand,
        after_help = "Examples:\n  hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key suzuki.key -m '定期的な鍵の更新'\n  hyoka person key revoke 鈴木一郎 --key admin.key -m '退職'"
    )]
    Key(PersonKeyCommand),
    /// Issue a one-time link with which a person sets up their web sign-in (by an administrator; valid
    /// for 72 hours, and the person's earlier link is withdrawn).
    #[command(
        after_help = "Example:\n  hyoka person enrol 鈴木一郎 --url http://127.0.0.1:8080\n\nThe person opens the link, pastes their private key file and chooses a password: the server keeps\nthe key wrapped by that password (Argon2id), so no one else can sign as them from the stored data.\nA forgotten password means a new key (hyoka person key rotate) and a new link."
    )]
    Enrol {
        /// The person's id (see hyoka person list).
        person: String,
        /// The server's address as people's browsers reach it (default: where the running server
        /// listens, from DIR/SERVER).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// List the people: id, name (when known here), department, roles, key id and whether it is current.
    #[command(
        after_help = "Examples:\n  hyoka person list\n  hyoka person list --format json | jq '.people[] | select(.key == \"revoked\")'"
    )]
    List {
        /// Output format (JSON: schema/people.schema.json).
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum RoleCommand {
    /// Grant a person a role.
    #[command(
        after_help = "Examples:\n  hyoka person role grant 鈴木一郎 head --key admin.key -m '課長に昇任'\n  hyoka person role grant 監査委員 auditor --key admin.key -m '監査の閲覧'\n\nAn auditor (監査) reads everything in hyoka serve's auditor pages (history, blame, diff,\nverification, export, proofs) and records nothing."
    )]
    Grant {
        /// The person: id (P…) or name.
        person: String,
        /// The role: staff, head, hq, admin, committee or auditor.
        role: String,
        #[command(flatten)]
        who: Who,
    },
    /// Revoke a role from a person.
    #[command(
        after_help = "Example:\n  hyoka person role revoke 鈴木一郎 staff --key admin.key -m '異動'\n\nThe last administrator with a key keeps the admin role: grant it to another person first."
    )]
    Revoke {
        /// The person: id (P…) or name.
        person: String,
        /// The role: staff, head, hq, admin, committee or auditor.
        role: String,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PersonKeyCommand {
    /// Replace a person's key by a new one (the old key signs nothing from then on).
    #[command(
        after_help = "Examples:\n  hyoka key generate --name suzuki --output suzuki-2.key > suzuki-2.vkey\n  hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key suzuki.key -m '定期的な鍵の更新'\n  hyoka person key rotate 鈴木一郎 --vkey suzuki-2.vkey --key admin.key -m '鍵の紛失'\n\nBy the person with their current key, or by an administrator (a lost key). A key is never reused.\nThe person's id stays the same."
    )]
    Rotate {
        /// The person: id (P…) or name.
        person: String,
        /// The new verifier key (the key text, or a file holding it).
        #[arg(long, value_name = "VKEY")]
        vkey: String,
        #[command(flatten)]
        who: Who,
    },
    /// Revoke a person's key (lost, copied, or the person left): it signs nothing from then on.
    #[command(
        after_help = "Example:\n  hyoka person key revoke 鈴木一郎 --key admin.key -m '退職'\n\nThe person records nothing until an administrator sets a new key (hyoka person key rotate).\nThe key of the last administrator with a key is not revoked: grant admin to another person first."
    )]
    Revoke {
        /// The person: id (P…) or name.
        person: String,
        #[command(flatten)]
        who: Who,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PeopleCommand {
    /// Give an existing ledger people: its first administrator and its log key (appended to the same
    /// log: the same origin, earlier events and checkpoints unchanged).
    #[command(
        after_help = "Examples:\n  hyoka key generate --name admin --output admin.key > admin.vkey\n  hyoka people enable --admin 山田太郎 --vkey admin.vkey --key admin.key -m '署名付き運用へ移行'\n\nFrom then on every change is signed by a registered person's key. The log key is the ledger's own if it\nhas one; else the key in --log-key FILE, or a new one written to FILE (default DIR.log-key beside the\nledger directory). A ledger of event schema version 1 cannot hold people: import it into a new one."
    )]
    Enable {
        /// The first administrator's name (kept in DIR/PEOPLE, never in the events).
        #[arg(long, value_name = "NAME")]
        admin: String,
        /// The administrator's department.
        #[arg(long, value_name = "D", default_value = "管理者")]
        department: String,
        /// The administrator's verifier key (the key text, or a file holding it).
        #[arg(long, value_name = "VKEY")]
        vkey: String,
        /// The administrator's private key file (mode 0600). Default: $HYOKA_KEY, else the config file's `key`.
        #[arg(long, value_name = "FILE", env = "HYOKA_KEY")]
        key: PathBuf,
        /// Why.
        #[arg(short = 'm', long, value_name = "TEXT")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum HeadingCommand {
    /// Rename a heading: one event, for every item listed under it.
    #[command(
        after_help = "Example:\n  hyoka heading rename 地域協働の推進 市民協働の推進 -a 山田 -m '計画改定で改称'"
    )]
    Rename {
        /// The heading's name.
        old: String,
        /// Its new name.
        new: String,
        #[command(flatten)]
        who: Who,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command's help has an example, a command of commands (`item`, `key`) too.
    #[test]
    fn every_command_has_an_example() {
        fn walk(cmd: &clap::Command, path: &str, n: &mut usize) {
            let after = cmd
                .get_after_help()
                .map(|s| s.to_string())
                .unwrap_or_default();
            assert!(
                after.contains("Example") && after.contains("\n  hyoka "),
                "`{path} --help` has no example"
            );
            *n += 1;
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), n);
            }
        }
        let mut n = 0;
        walk(&Cli::command(), "hyoka", &mut n);
        assert!(n > 60, "only {n} commands");
    }

    /// Every schema a `--help` names exists and is that command's: its description names the command
    /// (`` `hyoka verify …` ``, not `` `hyoka verify-proof …` ``); and every command that prints JSON
    /// (`--format json` or `jsonl`) names its schema.
    #[test]
    fn every_help_names_its_own_schema() {
        /// The description of `schema/NAME`, if the file exists.
        fn description(name: &str) -> Option<String> {
            let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schema")
                .join(name);
            let text = std::fs::read_to_string(file).ok()?;
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            Some(json["description"].as_str().unwrap_or("").to_string())
        }
        /// Whether `text` names the command `path` (and not one whose name only starts the same).
        fn names(text: &str, path: &str) -> bool {
            let quoted = format!("`{path}");
            text.match_indices(&quoted)
                .any(|(i, _)| matches!(text[i + quoted.len()..].chars().next(), Some(' ' | '`')))
        }
        fn walk(cmd: &mut clap::Command, path: &str, seen: &mut usize) {
            // Unwrapped, so that a schema's name is never cut at a line end.
            let mut wide = cmd.clone().term_width(10_000).max_term_width(10_000);
            let help = wide.render_long_help().to_string();
            let mut named = 0;
            for (i, _) in help.match_indices("schema/") {
                let name: String = help[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
                    .collect();
                let name = name.trim_end_matches('.');
                if !name.ends_with(".schema.json") {
                    // FORMAT.md, LAYOUT.md: documents, checked to exist.
                    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("schema")
                        .join(name);
                    assert!(
                        file.is_file(),
                        "`{path} --help` names schema/{name}, which does not exist"
                    );
                    continue;
                }
                let Some(about) = description(name) else {
                    panic!(
                        "`{path} --help` names schema/{name}, which does not exist (or is not JSON)"
                    );
                };
                assert!(
                    names(&about, path),
                    "`{path} --help` names schema/{name}, whose description is of another command: {about}"
                );
                named += 1;
                *seen += 1;
            }
            let prints_json = cmd.get_arguments().any(|a| {
                a.get_id() == "format"
                    && a.get_possible_values()
                        .iter()
                        .any(|v| matches!(v.get_name(), "json" | "jsonl"))
            });
            assert!(
                !prints_json || named > 0,
                "`{path} --help` has --format json but names no schema/*.schema.json"
            );
            for sub in cmd.get_subcommands_mut() {
                let name = format!("{path} {}", sub.get_name());
                walk(sub, &name, seen);
            }
        }
        let mut seen = 0;
        walk(&mut Cli::command(), "hyoka", &mut seen);
        assert!(seen >= 14, "only {seen} schemas are named");
        // The check can fail: verify's schema is not verify-proof's.
        assert!(names(
            "Output of `hyoka verify --format json`",
            "hyoka verify"
        ));
        assert!(!names(
            "Output of `hyoka verify-proof FILE`",
            "hyoka verify"
        ));
    }
}
