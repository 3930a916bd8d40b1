//! A deterministic workload shaped like the seed table (Kodaira's follow-up table), but national-scale:
//! 2,000 items under 10 headings and 40 departments, 20 half-year periods (FY2014-H1 .. FY2023-YE),
//! many revisions per cell, Japanese remarks and reasons of 50-200 characters, 400 authors.
//!
//! Everything comes from one seed number through a hand-written PRNG (SplitMix64), so both systems
//! are fed exactly the same changes and metadata, and hash exactly the same bytes.

use hyoka::Meta;
use hyoka::domain::event::Change;
use hyoka::domain::period::{Era, Part, Period};
use hyoka::domain::state::State;

/// Items in the plan.
pub const ITEMS: u32 = 2_000;
/// Headings (分類).
pub const HEADINGS: usize = 10;
/// Responsible departments.
pub const DEPARTMENTS: usize = 40;
/// Evaluation periods (10 fiscal years, two halves each).
pub const PERIODS: usize = 20;
/// The grade scale.
pub const GRADES: [&str; 3] = ["S", "A", "B"];
/// Events of the first batch: the plan, the headings and the items.
pub const SETUP_EVENTS: u64 = 1 + HEADINGS as u64 + ITEMS as u64;

/// 2014-04-01T00:00:00Z in ns: the time of the first batch.
const T0: i64 = 1_396_310_400_000_000_000;
/// One hour in ns: the time between two bulk batches.
const HOUR: i64 = 3_600_000_000_000;
/// 2030-01-01T00:00:00Z in ns: single appends are recorded from here on, one second apart.
pub const T_APPENDS: i64 = 1_893_456_000_000_000_000;

/// SplitMix64: tiny, fast, and good enough for a workload.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6a09_e667_f3bc_c909)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const PHRASES: &[&str] = &[
    "市民活動支援センター",
    "の来場者数が増加している",
    "成果指標",
    "を大きく上回る",
    "庁内研修",
    "を開催し、",
    "職員の意識改革を進めている",
    "引き続き",
    "地域との協議を継続する",
    "予算化が出来ている",
    "今後は",
    "適正な成果指標の設定について検証していく",
    "関係課と連携し、",
    "事業の見直しを図る",
    "制度の周知を進める",
    "とともに、",
    "進捗状況を確認した",
    "。",
    "、",
    "第3四半期の進捗を反映",
    "所管課の報告による",
    "数値の誤りを訂正",
    "評価基準に照らして再評価",
    "ボランティア活動を推進し",
    "公共施設の再編",
    "に向けた検討を行った",
    "財政負担の軽減",
    "が見込まれる",
    "窓口サービスの改善",
    "を実施した",
    "協働事業の推進",
    "スクラップアンドビルドの徹底",
];

const SURNAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
const GIVEN: &[&str] = &[
    "一郎",
    "花子",
    "健",
    "美咲",
    "大輔",
    "陽子",
    "翔太",
    "恵",
    "誠",
    "由美",
    "拓也",
    "真由美",
    "浩",
    "裕子",
    "直樹",
    "明美",
    "亮",
    "智子",
    "隆",
    "愛",
];
const HEADING_NAMES: [&str; HEADINGS] = [
    "地域協働の推進",
    "情報の共有と双方向のコミュニケーション",
    "効率的・効果的な行政運営",
    "健全な財政運営",
    "公共施設マネジメント",
    "人材育成と組織改革",
    "市民サービスの向上",
    "電子自治体の推進",
    "広域連携の推進",
    "持続可能なまちづくり",
];
const DEPT_STEMS: &[&str] = &[
    "市民協働・男女参画推進",
    "都市計画",
    "資源循環",
    "指導",
    "文化スポーツ",
    "防災危機管理",
    "地域学習支援",
    "道路",
    "水と緑と公園",
    "政策",
    "秘書広報",
    "情報政策",
    "職員",
    "財政",
    "収納",
    "資産活用推進",
    "市民",
    "保険年金",
    "高齢者支援",
    "子育て支援",
];

/// Japanese text of `min..=max` characters.
pub fn text(rng: &mut Rng, min: usize, max: usize) -> String {
    let want = min + rng.below((max - min + 1) as u64) as usize;
    let mut s = String::with_capacity(want * 3);
    let mut chars = 0;
    while chars < want {
        let p = rng.pick(PHRASES);
        for c in p.chars() {
            if chars == want {
                break;
            }
            s.push(c);
            chars += 1;
        }
    }
    s
}

pub fn author(rng: &mut Rng) -> String {
    let s = rng.pick(SURNAMES);
    let g = rng.pick(GIVEN);
    format!("{s} {g}")
}

pub fn department(d: usize) -> String {
    let kind = if d < DEPT_STEMS.len() { "課" } else { "室" };
    format!("{}{kind}", DEPT_STEMS[d % DEPT_STEMS.len()])
}

pub fn period(p: usize) -> Period {
    Period {
        fiscal_year: 2014 + (p / 2) as u16,
        part: if p.is_multiple_of(2) {
            Part::FirstHalf
        } else {
            Part::YearEnd
        },
    }
}

pub fn title(n: u32) -> String {
    let stem = PHRASES[(n as usize * 7) % PHRASES.len()].trim_matches(['。', '、']);
    let stem = if stem.is_empty() {
        "事務事業"
    } else {
        stem
    };
    format!("{stem}(第{n}号施策)")
}

/// What the generator remembers of each cell, to never produce a change the rules refuse.
#[derive(Clone, Copy, Default)]
struct CellMemo {
    /// 0 = unrated, 1.. = GRADES index + 1.
    grade: u8,
    flagged: bool,
    /// A fingerprint of the current remark (0 = none).
    remark: u64,
}

/// The generator of the bulk log: a first batch (plan, headings, items), then the periods in order, each
/// with its share of the events: ratings, re-ratings, remarks, follow-up flags, withdrawals of ratings and
/// (rarely) amendments of an item's department.
pub struct Generator {
    rng: Rng,
    total: u64,
    /// Events generated so far (the next seq).
    seq: u64,
    batch_no: u64,
    cells: Vec<CellMemo>,
    departments: Vec<u8>,
}

impl Generator {
    /// A generator for a log of `total` events (at least [`SETUP_EVENTS`]).
    pub fn new(seed: u64, total: u64) -> Generator {
        Generator {
            rng: Rng::new(seed),
            total: total.max(SETUP_EVENTS),
            seq: 0,
            batch_no: 0,
            cells: vec![CellMemo::default(); ITEMS as usize * PERIODS],
            departments: vec![0; ITEMS as usize + 1],
        }
    }

    /// The metadata of the next batch: one author and one reason per batch (that is how
    /// `Ledger::append_iter` records a batch), recorded an hour after the previous one.
    pub fn meta(&mut self) -> Meta {
        let m = Meta {
            author: author(&mut self.rng),
            reason: text(&mut self.rng, 50, 200),
            source: None,
            recorded_at: T0 + self.batch_no as i64 * HOUR,
            new_point: false,
            signer: None,
        };
        self.batch_no += 1;
        m
    }

    /// The first batch: the plan, then the headings, then the items.
    pub fn setup(&mut self) -> (Change, Vec<Change>) {
        let plan = Change::PlanDefined {
            name: "全国行財政改革推進プラン(ベンチマーク)".into(),
            grades: GRADES.iter().map(|g| g.to_string()).collect(),
            default_era: Some(Era::Heisei),
            origin: "bench.example/national-reform-plan".into(),
            cadence: Default::default(),
            years: None,
        };
        let mut more = Vec::with_capacity(SETUP_EVENTS as usize - 1);
        for h in HEADING_NAMES {
            more.push(Change::CategoryAdded { name: h.into() });
        }
        for n in 1..=ITEMS {
            let d = self.rng.below(DEPARTMENTS as u64) as usize;
            self.departments[n as usize] = d as u8;
            more.push(Change::ItemRegistered {
                id: hyoka::domain::item_id::ItemId::from_number(n),
                title: title(n),
                department: department(d),
                category: HEADING_NAMES[(n as usize - 1) * HEADINGS / ITEMS as usize].into(),
                relisting_of: None,
                from: None,
                after: None,
            });
        }
        self.seq = SETUP_EVENTS;
        (plan, more)
    }

    /// Events still to generate.
    pub fn remaining(&self) -> u64 {
        self.total - self.seq
    }

    /// The period the next event belongs to: the bulk events are spread evenly over the periods.
    fn current_period(&self) -> usize {
        let bulk = self.total - SETUP_EVENTS;
        let done = self.seq - SETUP_EVENTS;
        ((done as u128 * PERIODS as u128 / bulk.max(1) as u128) as usize).min(PERIODS - 1)
    }

    /// The next change of the bulk log.
    pub fn change(&mut self) -> Change {
        debug_assert!(self.seq >= SETUP_EVENTS && self.seq < self.total);
        self.seq += 1;
        let p = self.current_period();
        let item = 1 + self.rng.below(ITEMS as u64) as u32;
        let roll = self.rng.below(1000);
        if roll < 5 {
            // A department reorganisation: amend the item.
            let old = self.departments[item as usize] as u64;
            let new = (old + 1 + self.rng.below(DEPARTMENTS as u64 - 1)) % DEPARTMENTS as u64;
            self.departments[item as usize] = new as u8;
            return Change::ItemAmended {
                id: hyoka::domain::item_id::ItemId::from_number(item),
                title: None,
                department: Some(department(new as usize)),
                category: None,
                relisting_of: None,
                from: None,
                after: None,
            };
        }
        let roll = roll - 5;
        self.cell_change(item, p, roll)
    }

    fn cell_change(&mut self, item: u32, p: usize, roll: u64) -> Change {
        let period = period(p);
        let memo = &mut self.cells[(item as usize - 1) * PERIODS + p];
        if memo.grade == 0 || roll < 450 {
            // Rate, or re-rate with another grade (or withdraw the rating, 1 in 20 re-ratings).
            if memo.grade != 0 && roll < 22 {
                memo.grade = 0;
                return Change::RatingWithdrawn {
                    item: item.into(),
                    period,
                };
            }
            let g = if memo.grade == 0 {
                self.rng.below(GRADES.len() as u64) as u8
            } else {
                let cur = memo.grade as u64 - 1;
                ((cur + 1 + self.rng.below(GRADES.len() as u64 - 1)) % GRADES.len() as u64) as u8
            };
            memo.grade = g + 1;
            return Change::RatingRecorded {
                item: item.into(),
                period,
                grade: GRADES[g as usize].into(),
            };
        }
        if roll < 800 {
            loop {
                let t = text(&mut self.rng, 50, 200);
                let f = fingerprint(&t);
                if f != memo.remark {
                    memo.remark = f;
                    return Change::RemarkSet {
                        item: item.into(),
                        period,
                        text: t,
                    };
                }
            }
        }
        memo.flagged = !memo.flagged;
        Change::FollowUpSet {
            item: item.into(),
            period,
            flagged: memo.flagged,
        }
    }
}

fn fingerprint(s: &str) -> u64 {
    let h = blake3::hash(s.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap_or([0; 8])) | 1
}

/// Single appends on a filled ledger: one change per append, each by its own author with its own
/// reason, chosen from the current state so that no rule refuses it. Both systems draw the same ones.
pub struct Singles {
    rng: Rng,
    k: i64,
}

impl Singles {
    pub fn new(seed: u64) -> Singles {
        Singles {
            rng: Rng::new(seed ^ 0x5157_4e47_4c45_5321),
            k: 0,
        }
    }

    pub fn next(&mut self, state: &State) -> (Meta, Change) {
        let meta = Meta {
            author: author(&mut self.rng),
            reason: text(&mut self.rng, 50, 200),
            source: None,
            recorded_at: T_APPENDS + self.k * 1_000_000_000,
            new_point: false,
            signer: None,
        };
        self.k += 1;
        let item = 1 + self.rng.below(ITEMS as u64) as u32;
        let period = period(self.rng.below(PERIODS as u64) as usize);
        let cell = state.cell(&item.into(), period);
        let roll = self.rng.below(10);
        let change = if roll < 5 {
            let cur = cell.rating.as_deref();
            let choices: Vec<&str> = GRADES.iter().copied().filter(|g| Some(*g) != cur).collect();
            Change::RatingRecorded {
                item: item.into(),
                period,
                grade: self.rng.pick(&choices).into(),
            }
        } else if roll < 8 {
            let mut t = text(&mut self.rng, 50, 200);
            while t == cell.remark {
                t = text(&mut self.rng, 50, 200);
            }
            Change::RemarkSet {
                item: item.into(),
                period,
                text: t,
            }
        } else {
            Change::FollowUpSet {
                item: item.into(),
                period,
                flagged: !cell.follow_up,
            }
        };
        (meta, change)
    }
}

/// The number of items whose table ([`table_csv`]) imports as about `events` events: per item its
/// registration, a rating per period, a remark and (one item in three) a follow-up flag.
pub fn items_for_events(events: u64) -> u32 {
    let per_item = 1.0 + PERIODS as f64 + 1.0 + 1.0 / 3.0;
    ((events as f64 / per_item).round() as u32).max(1)
}

/// The table file for the CLI import: `items` items, each with a rating for each period, the latest
/// period's follow-up mark and remark, in hyoka's CSV layout.
pub fn table_csv(seed: u64, items: u32) -> String {
    let mut rng = Rng::new(seed ^ 0x4353_5654_4142_4c45);
    let mut s = String::from("分類,番号,項目,主な推進担当課");
    for p in 0..PERIODS {
        s.push(',');
        s.push_str(&period(p).label());
    }
    s.push_str(",フォローアップ対象,理由等\r\n");
    for n in 1..=items {
        let heading = HEADING_NAMES[(n as usize - 1) * HEADINGS / items as usize];
        let dept = department(rng.below(DEPARTMENTS as u64) as usize);
        s.push_str(&format!("{heading},{n},{},{dept}", title(n)));
        for _ in 0..PERIODS {
            s.push(',');
            s.push_str(rng.pick(&GRADES));
        }
        let mark = if rng.below(3) == 0 { "○" } else { "" };
        s.push_str(&format!(",{mark},{}\r\n", text(&mut rng, 50, 200)));
    }
    s
}

// ---------------------------------------------------------------------------------------------------
// The same workload in a ledger with people: every event from `people.enabled` on is signed.

/// The administrator's person id: records the plan, its headings and items, the amendments and the
/// rounds.
pub const ADMIN: &str = "admin";
/// One minute in ns: the time between two batches of the ledger with people.
const MINUTE: i64 = 60_000_000_000;

/// The person id of the staff member of department `d` (one per department).
pub fn staff_id(d: usize) -> String {
    format!("staff{d:02}")
}

fn key(name: &str, seed: u8) -> hyoka::tlog::note::SignerKey {
    hyoka::tlog::note::SignerKey::from_seed(name, &[seed; 32]).expect("a valid key name")
}

/// The key of department `d`'s staff member (`None`: the administrator's).
pub fn person_key(d: Option<usize>) -> hyoka::tlog::note::SignerKey {
    match d {
        None => key("bench-admin", 1),
        Some(d) => key(&format!("bench-{}", staff_id(d)), 10 + d as u8),
    }
}

fn person(
    id: String,
    department: String,
    role: hyoka::domain::people::Role,
    k: &hyoka::tlog::note::SignerKey,
) -> hyoka::domain::people::Person {
    hyoka::domain::people::Person {
        name_commitment: hyoka::domain::people::name_commitment(&[7; 16], &id),
        id,
        department,
        roles: vec![role],
        vkey: k.verifier().to_text(),
    }
}

/// The [`Generator`]'s changes, in the same order, as a ledger with people records them: the first
/// batch (by the administrator) is the plan, `people.enabled`, the 40 staff members (one per
/// department), the headings and the items; then, period by period, the administrator closes the
/// previous round and opens the period's, and each change is recorded by the staff member of its
/// item's department (an amendment by the administrator). Consecutive changes of one department are
/// one batch: between two of the administrator's events (an amendment every ~200 changes, a round per
/// period) the changes are grouped by department, each group keeping its order (changes of different
/// items do not depend on each other; an item's department changes only at an amendment). Each batch
/// is signed with its author's key; the reasons are the generator's, one per bulk batch of `batch`
/// changes, as in the log without people.
pub struct PeopleBatches {
    g: Generator,
    batch: u64,
    /// Changes left before the generator's next bulk batch (and its reason).
    left: u64,
    reason: String,
    batch_no: i64,
    /// The department of each item (by number).
    departments: Vec<usize>,
    department_index: std::collections::HashMap<String, usize>,
    /// The period whose round is open.
    open: Option<Period>,
    /// Changes waiting, grouped by department in the order of their first change.
    groups: Vec<(usize, Vec<Change>)>,
    ready: std::collections::VecDeque<(Meta, Vec<Change>)>,
    admin: hyoka::ledger::signing::Signer,
    staff: Vec<hyoka::ledger::signing::Signer>,
}

impl PeopleBatches {
    /// The batches of a ledger with people built from the generator of a `total`-event log, and its
    /// first batch: (meta, event 0's change, the rest of the first batch).
    pub fn new(seed: u64, total: u64, batch: u64) -> (PeopleBatches, Meta, Change, Vec<Change>) {
        let mut g = Generator::new(seed, total);
        let reason = g.meta().reason;
        let (plan, more) = g.setup();
        let admin_key = person_key(None);
        let mut first = vec![Change::PeopleEnabled {
            log_vkey: key("bench-log", 2).verifier().to_text(),
            admin: person(
                ADMIN.into(),
                "行政経営課".into(),
                hyoka::domain::people::Role::Admin,
                &admin_key,
            ),
        }];
        let mut staff = Vec::new();
        let mut department_index = std::collections::HashMap::new();
        for d in 0..DEPARTMENTS {
            let k = person_key(Some(d));
            first.push(Change::PersonRegistered {
                person: person(
                    staff_id(d),
                    department(d),
                    hyoka::domain::people::Role::Staff,
                    &k,
                ),
            });
            staff.push(hyoka::ledger::signing::Signer::new(k));
            department_index.insert(department(d), d);
        }
        let mut departments = vec![0; ITEMS as usize + 1];
        for c in &more {
            if let Change::ItemRegistered { id, department, .. } = c {
                departments[id.index_key() as usize] = department_index[department];
            }
        }
        first.extend(more);
        let mut p = PeopleBatches {
            g,
            batch,
            left: 0,
            reason,
            batch_no: 0,
            departments,
            department_index,
            open: None,
            groups: Vec::new(),
            ready: Default::default(),
            admin: hyoka::ledger::signing::Signer::new(admin_key),
            staff,
        };
        let meta = p.meta(None);
        (p, meta, plan, first)
    }

    fn meta(&mut self, department: Option<usize>) -> Meta {
        let (author, signer) = match department {
            None => (ADMIN.to_string(), self.admin.clone()),
            Some(d) => (staff_id(d), self.staff[d].clone()),
        };
        let m = Meta {
            author,
            reason: self.reason.clone(),
            source: None,
            recorded_at: T0 + self.batch_no * MINUTE,
            new_point: false,
            signer: Some(signer),
        };
        self.batch_no += 1;
        m
    }

    fn flush(&mut self) {
        for (d, changes) in std::mem::take(&mut self.groups) {
            let meta = self.meta(Some(d));
            self.ready.push_back((meta, changes));
        }
    }

    fn admin_batch(&mut self, changes: Vec<Change>) {
        self.flush();
        let meta = self.meta(None);
        self.ready.push_back((meta, changes));
    }

    /// The next batch, or `None` at the end.
    pub fn next_batch(&mut self) -> Option<(Meta, Vec<Change>)> {
        while self.ready.is_empty() {
            if self.g.remaining() == 0 {
                self.flush();
                return self.ready.pop_front();
            }
            if self.left == 0 {
                self.reason = self.g.meta().reason;
                self.left = self.g.remaining().min(self.batch);
            }
            self.left -= 1;
            let c = self.g.change();
            let item = c.item().map(|i| i.index_key() as usize);
            match &c {
                Change::ItemAmended {
                    department: Some(new),
                    ..
                } => {
                    let new = self.department_index[new];
                    self.admin_batch(vec![c]);
                    if let Some(i) = item {
                        self.departments[i] = new;
                    }
                    continue;
                }
                Change::RatingRecorded { period, .. }
                | Change::RatingWithdrawn { period, .. }
                | Change::FollowUpSet { period, .. }
                | Change::RemarkSet { period, .. }
                    if self.open != Some(*period) =>
                {
                    let mut round = Vec::new();
                    if let Some(prev) = self.open {
                        round.push(Change::RoundClosed { period: prev });
                    }
                    round.push(Change::RoundOpened {
                        period: *period,
                        due: format!("{}-04-30", period.fiscal_year + 1),
                    });
                    self.open = Some(*period);
                    self.admin_batch(round);
                }
                _ => {}
            }
            let d = self.departments[item.expect("a cell change names its item")];
            match self.groups.iter_mut().find(|(g, _)| *g == d) {
                Some((_, changes)) => changes.push(c),
                None => self.groups.push((d, vec![c])),
            }
        }
        self.ready.pop_front()
    }
}
