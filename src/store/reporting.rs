//! Reporting status and deadlines (R6, 三(三)): for a quarter, which townships (附件2) and lead
//! departments (附件3) have reported, when, and whether on time; and the lead-unit attribution of
//! 附件3 records that the status and the bulletin share.
//!
//! # Rules
//!
//! - **Township** T has reported for quarter Q when there are 附件2 records of township T dated in
//!   Q. *When* = the `created_at` of those records (first and last; entered by hand or imported).
//! - **Lead unit** L has reported for Q when there are 附件3 records dated in Q attributed to L.
//!   A 附件3 record is attributed (first rule that applies):
//!   1. by the 填报单位 of the imported file it came from (`submission.unit`): an alias stored with
//!      [`Store::set_lead_unit_alias`], else the lead unit whose name or keyword occurs in it
//!      (e.g. `云阳县教育系统消费扶贫牵头办公室` → 县教委 by the keyword `教育`; see
//!      [`LEAD_UNIT_KEYWORDS`]);
//!   2. by its purchaser (采购单位): a stored alias, or the purchaser *is* the lead unit
//!      (`云阳县教委` = `县教委` once `重庆市`/`云阳县`/`县` are stripped). Keywords are not used for
//!      purchasers: `云阳县桂园小学` is a school, not 县教委.
//!
//!   Records attributed to no lead unit are listed as [`ReportingStatus::unattributed`], so the
//!   operator can add an alias.
//! - **State**: 已报送 when the first record was entered on or before
//!   [`Quarter::report_deadline`] (the 30th of the quarter's last month); 逾期报送 when it was
//!   entered later; 未报送 when there is none (with [`ReportingStatus::deadline_passed`] telling
//!   whether that is already overdue).
//! - **As of a day**: the status is always computed as of a day (the bulletin's date, or today for
//!   the board, the dashboard reminder and `report --json` `unreported`). Only records entered
//!   (`created_at`, local time, whether typed in or imported) on or before that day count: a
//!   record entered later had not been reported yet on that day, so a bulletin dated 2019-04-08
//!   never shows a report entered afterwards, neither as 逾期报送 nor as its first-report date.
//!   Records and amounts of [`UnitReport`] and [`ReportingStatus::unattributed`] follow the same
//!   rule; the bulletin's money figures do not (they are the ledger's current figures).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::params;

use super::{Store, StoreError, StoreResult};
use crate::domain::{Money, Quarter};

/// Extra keywords recognising a lead unit in a 填报单位 text, by the lead unit's name without
/// `县` (the name itself is always a keyword).
pub const LEAD_UNIT_KEYWORDS: &[(&str, &[&str])] = &[
    ("机关事务服务中心", &["机关事务"]),
    ("教委", &["教育"]),
    ("卫生健康委", &["卫生健康", "卫健"]),
    ("国有资产管理服务中心", &["国有资产", "国资"]),
    ("金融工作服务中心", &["金融工作", "金融办"]),
    ("人民银行", &["人民银行", "人行"]),
    ("银保监组", &["银保监"]),
    ("总工会", &["工会"]),
    ("发展改革委", &["发展改革", "发改"]),
    ("商务委", &["商务"]),
    ("扶贫办", &["扶贫开发"]),
    ("工商联", &["工商业联合会"]),
    ("文化旅游委", &["文化旅游", "文旅"]),
];

/// Whether a unit has reported for the quarter (三(三)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportState {
    /// 已报送: records entered on or before the deadline.
    Reported,
    /// 逾期报送: first record entered after the deadline.
    Late,
    /// 未报送: no record for the quarter.
    Missing,
}

impl ReportState {
    /// `已报送`, `逾期报送`, `未报送`.
    pub fn name(self) -> &'static str {
        match self {
            ReportState::Reported => "已报送",
            ReportState::Late => "逾期报送",
            ReportState::Missing => "未报送",
        }
    }
}

/// One township or lead unit in the reporting status of a quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitReport {
    /// Official name (`泥溪镇`, `县教委`).
    pub name: String,
    /// Township code; `None` for a lead unit.
    pub code: Option<String>,
    /// For a lead unit: the channel it leads, e.g. `五进对接直销`; empty for a township.
    pub channel: String,
    /// For a lead unit: the sub-channel it leads, e.g. `进学校`, or empty.
    pub sub_channel: String,
    /// Records of the quarter (附件2 for a township, 附件3 for a lead unit) entered on or before
    /// the as-of day.
    pub records: i64,
    /// Their amount in yuan (all of them, including rows paired as the same sale).
    pub amount: Money,
    /// When the first and the last of them were entered (`created_at`, local time; never after
    /// the as-of day).
    pub first_entered: Option<NaiveDateTime>,
    pub last_entered: Option<NaiveDateTime>,
    pub state: ReportState,
}

/// 附件3 records of a period that no rule attributes to a lead unit, grouped by 填报单位 and
/// purchaser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnattributedReport {
    /// The 填报单位 of the imported file (empty for records typed in by hand).
    pub submission_unit: String,
    pub purchaser: String,
    pub records: i64,
    pub amount: Money,
}

/// Who has reported for a quarter, against the deadlines (R6, 三(三)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingStatus {
    pub quarter: Quarter,
    /// The as-of day the status was computed for (today, or the bulletin's date): only records
    /// entered on or before it count (module docs).
    pub today: NaiveDate,
    /// Reports due by this day (30th of the quarter's last month).
    pub report_deadline: NaiveDate,
    /// The bulletin is due by this day (10th of the next quarter's first month).
    pub bulletin_deadline: NaiveDate,
    /// `today` is after `report_deadline`: a missing report is overdue.
    pub deadline_passed: bool,
    /// All 42 townships, registry order.
    pub townships: Vec<UnitReport>,
    /// All lead units, in the plan's order.
    pub lead_units: Vec<UnitReport>,
    /// 附件3 records of the quarter attributed to no lead unit.
    pub unattributed: Vec<UnattributedReport>,
}

impl ReportingStatus {
    /// Names of the townships that have not reported.
    pub fn missing_townships(&self) -> Vec<String> {
        self.townships
            .iter()
            .filter(|u| u.state == ReportState::Missing)
            .map(|u| u.name.clone())
            .collect()
    }

    /// Names of the lead units that have not reported.
    pub fn missing_lead_units(&self) -> Vec<String> {
        self.lead_units
            .iter()
            .filter(|u| u.state == ReportState::Missing)
            .map(|u| u.name.clone())
            .collect()
    }

    /// Names of the townships and lead units that reported late.
    pub fn late_units(&self) -> Vec<String> {
        self.townships
            .iter()
            .chain(&self.lead_units)
            .filter(|u| u.state == ReportState::Late)
            .map(|u| u.name.clone())
            .collect()
    }
}

/// A lead unit from the registry.
#[derive(Debug, Clone)]
struct LeadUnit {
    id: i64,
    name: String,
    channel: String,
    sub_channel: String,
    keywords: Vec<String>,
}

/// A unit or purchaser name without whitespace and without the `重庆市`, `云阳县`, `云阳`, `县`
/// prefixes: `云阳县 教委` → `教委`.
pub fn normalize_unit_name(text: &str) -> String {
    let mut name: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for prefix in ["重庆市", "云阳县", "云阳", "县"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_string();
        }
    }
    name
}

/// Per-lead-unit aggregate of 附件3 records over a date range (see the module docs for the
/// attribution rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadUnitAmount {
    pub name: String,
    pub channel: String,
    pub sub_channel: String,
    pub records: i64,
    /// All attributed records, in yuan.
    pub amount: Money,
    /// The part of `amount` that is the same sale as a 附件2 row (counted under the township).
    pub double_counted: Money,
    pub first_entered: Option<NaiveDateTime>,
    pub last_entered: Option<NaiveDateTime>,
}

fn parse_time(text: Option<String>) -> Option<NaiveDateTime> {
    // With or without milliseconds (written with them since migration 0007).
    text.and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f").ok())
}

fn earlier(a: Option<NaiveDateTime>, b: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn later(a: Option<NaiveDateTime>, b: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The bound for `created_at < bound` that keeps the records entered on or before `as_of`: the
/// next day's date (`created_at` is `YYYY-MM-DD HH:MM:SS`, local time, so text order is time
/// order).
fn entered_before(as_of: NaiveDate) -> String {
    match as_of.succ_opt() {
        Some(next) => next.format("%Y-%m-%d").to_string(),
        // The last representable day: every record counts.
        None => "\u{10FFFF}".to_string(),
    }
}

fn state_of(records: i64, first: Option<NaiveDateTime>, deadline: NaiveDate) -> ReportState {
    match first {
        _ if records == 0 => ReportState::Missing,
        Some(first) if first.date() > deadline => ReportState::Late,
        _ => ReportState::Reported,
    }
}

impl Store {
    fn lead_unit_registry(&self) -> StoreResult<Vec<LeadUnit>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT id, name, channel, sub_channel FROM lead_unit ORDER BY id")?;
        let rows = statement.query_map([], |r| {
            let name: String = r.get(1)?;
            let short = normalize_unit_name(&name);
            let mut keywords = vec![short.clone()];
            if let Some((_, extra)) = LEAD_UNIT_KEYWORDS.iter().find(|(n, _)| *n == short) {
                keywords.extend(extra.iter().map(|k| k.to_string()));
            }
            Ok(LeadUnit {
                id: r.get(0)?,
                name,
                channel: r.get(2)?,
                sub_channel: r.get(3)?,
                keywords,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn lead_unit_alias_map(&self) -> StoreResult<HashMap<String, i64>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT alias, lead_unit_id FROM lead_unit_alias")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Stores `alias` (a 填报单位 text or a purchaser name) as a name of the lead unit called
    /// `lead_unit_name` (e.g. `县教委`), for the attribution of 附件3 records (R6, 三(三)).
    /// Errors: empty alias, unknown lead unit.
    pub fn set_lead_unit_alias(&mut self, alias: &str, lead_unit_name: &str) -> StoreResult<()> {
        let alias = normalize_unit_name(alias);
        if alias.is_empty() {
            return Err(StoreError::Invalid("别名不能为空".into()));
        }
        let lead = self
            .lead_unit_registry()?
            .into_iter()
            .find(|l| l.name == lead_unit_name.trim())
            .ok_or_else(|| StoreError::Invalid(format!("没有名为“{lead_unit_name}”的牵头单位")))?;
        self.connection().execute(
            "INSERT INTO lead_unit_alias (alias, lead_unit_id) VALUES (?1, ?2)
             ON CONFLICT (alias) DO UPDATE SET lead_unit_id = excluded.lead_unit_id",
            params![alias, lead.id],
        )?;
        Ok(())
    }

    /// Removes a stored alias (no error when absent).
    pub fn remove_lead_unit_alias(&mut self, alias: &str) -> StoreResult<()> {
        self.connection().execute(
            "DELETE FROM lead_unit_alias WHERE alias = ?1",
            [normalize_unit_name(alias)],
        )?;
        Ok(())
    }

    /// The stored aliases as (alias, lead unit name), by alias.
    pub fn lead_unit_aliases(&self) -> StoreResult<Vec<(String, String)>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT a.alias, l.name FROM lead_unit_alias a JOIN lead_unit l ON l.id = a.lead_unit_id ORDER BY a.alias",
        )?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The lead unit a 附件3 record with this 填报单位 and purchaser is attributed to (module
    /// docs), by name; `None` when no rule applies.
    pub fn lead_unit_for(
        &self,
        submission_unit: &str,
        purchaser: &str,
    ) -> StoreResult<Option<String>> {
        let leads = self.lead_unit_registry()?;
        let aliases = self.lead_unit_alias_map()?;
        Ok(attribute(&leads, &aliases, submission_unit, purchaser)
            .map(|index| leads[index].name.clone()))
    }

    /// Each lead unit (plan order) with the 附件3 records dated from `first` to `last` (inclusive)
    /// attributed to it, and the groups attributed to none. Amounts in yuan; all records, whenever
    /// entered. 三(三), 四.
    pub fn lead_unit_amounts(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> StoreResult<(Vec<LeadUnitAmount>, Vec<UnattributedReport>)> {
        self.lead_unit_amounts_entered_by(first, last, None)
    }

    /// [`Store::lead_unit_amounts`] of the records entered on or before `as_of` (all when `None`).
    fn lead_unit_amounts_entered_by(
        &self,
        first: NaiveDate,
        last: NaiveDate,
        as_of: Option<NaiveDate>,
    ) -> StoreResult<(Vec<LeadUnitAmount>, Vec<UnattributedReport>)> {
        let leads = self.lead_unit_registry()?;
        let aliases = self.lead_unit_alias_map()?;
        let mut amounts: Vec<LeadUnitAmount> = leads
            .iter()
            .map(|l| LeadUnitAmount {
                name: l.name.clone(),
                channel: l.channel.clone(),
                sub_channel: l.sub_channel.clone(),
                records: 0,
                amount: Money::ZERO,
                double_counted: Money::ZERO,
                first_entered: None,
                last_entered: None,
            })
            .collect();
        let mut unattributed = Vec::new();
        let mut statement = self.connection().prepare_cached(
            "SELECT COALESCE(sub.unit, ''), p.name, COUNT(*), SUM(s.amount_fen),
                    SUM(CASE WHEN s.same_sale_as IS NULL THEN 0 ELSE s.amount_fen END),
                    MIN(s.created_at), MAX(s.created_at)
             FROM sale s JOIN purchaser p ON p.id = s.purchaser_id
             LEFT JOIN submission sub ON sub.id = s.submission_id
             WHERE s.form = 3 AND s.date >= ?1 AND s.date <= ?2
               AND (?3 IS NULL OR s.created_at < ?3)
             GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let bound = as_of.map(entered_before);
        let groups =
            statement.query_map(params![first.to_string(), last.to_string(), bound], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
        for group in groups {
            let (unit, purchaser, records, fen, double_fen, first_at, last_at) = group?;
            match attribute(&leads, &aliases, &unit, &purchaser) {
                Some(index) => {
                    let entry = &mut amounts[index];
                    entry.records += records;
                    entry.amount += Money::from_fen(fen);
                    entry.double_counted += Money::from_fen(double_fen);
                    entry.first_entered = earlier(entry.first_entered, parse_time(first_at));
                    entry.last_entered = later(entry.last_entered, parse_time(last_at));
                }
                None => unattributed.push(UnattributedReport {
                    submission_unit: unit,
                    purchaser,
                    records,
                    amount: Money::from_fen(fen),
                }),
            }
        }
        Ok((amounts, unattributed))
    }

    /// Who has reported for `quarter` as of the day `as_of` (see the module docs for the rules):
    /// every township and lead unit with its records entered on or before `as_of`, their amount
    /// (yuan), first/last entry time and state (已报送/逾期报送/未报送), and the deadlines. A record
    /// entered after `as_of` counts as not yet reported. Pass today for the current status, the
    /// bulletin's date for the bulletin. R6, 三(三).
    pub fn reporting_status(
        &self,
        quarter: Quarter,
        as_of: NaiveDate,
    ) -> StoreResult<ReportingStatus> {
        let first = quarter.first_day();
        let last = quarter.last_day();
        let deadline = quarter.report_deadline();
        let mut statement = self.connection().prepare_cached(
            "SELECT t.code, t.name, COUNT(s.id), COALESCE(SUM(s.amount_fen), 0), MIN(s.created_at), MAX(s.created_at)
             FROM township t
             LEFT JOIN sale s ON s.township_code = t.code AND s.form = 2 AND s.date >= ?1 AND s.date <= ?2
                 AND s.created_at < ?3
             GROUP BY t.code ORDER BY t.sort_order, t.code",
        )?;
        let townships = statement
            .query_map(
                params![first.to_string(), last.to_string(), entered_before(as_of)],
                |r| {
                    let records: i64 = r.get(2)?;
                    let first_entered = parse_time(r.get(4)?);
                    Ok(UnitReport {
                        code: Some(r.get(0)?),
                        name: r.get(1)?,
                        channel: String::new(),
                        sub_channel: String::new(),
                        records,
                        amount: Money::from_fen(r.get(3)?),
                        first_entered,
                        last_entered: parse_time(r.get(5)?),
                        state: state_of(records, first_entered, deadline),
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        let (amounts, unattributed) =
            self.lead_unit_amounts_entered_by(first, last, Some(as_of))?;
        let lead_units = amounts
            .into_iter()
            .map(|a| UnitReport {
                state: state_of(a.records, a.first_entered, deadline),
                name: a.name,
                code: None,
                channel: a.channel,
                sub_channel: a.sub_channel,
                records: a.records,
                amount: a.amount,
                first_entered: a.first_entered,
                last_entered: a.last_entered,
            })
            .collect();
        Ok(ReportingStatus {
            quarter,
            today: as_of,
            report_deadline: deadline,
            bulletin_deadline: quarter.bulletin_deadline(),
            deadline_passed: as_of > deadline,
            townships,
            lead_units,
            unattributed,
        })
    }
}

/// The index in `leads` of the lead unit a record is attributed to (module docs).
fn attribute(
    leads: &[LeadUnit],
    aliases: &HashMap<String, i64>,
    submission_unit: &str,
    purchaser: &str,
) -> Option<usize> {
    let by_id = |id: i64| leads.iter().position(|l| l.id == id);
    let unit = normalize_unit_name(submission_unit);
    if !unit.is_empty() {
        if let Some(index) = aliases.get(&unit).and_then(|id| by_id(*id)) {
            return Some(index);
        }
        if let Some(index) = leads
            .iter()
            .position(|l| l.keywords.iter().any(|k| unit.contains(k.as_str())))
        {
            return Some(index);
        }
    }
    let purchaser = normalize_unit_name(purchaser);
    if let Some(index) = aliases.get(&purchaser).and_then(|id| by_id(*id)) {
        return Some(index);
    }
    leads
        .iter()
        .position(|l| normalize_unit_name(&l.name) == purchaser)
}
