//! Reconciliation of 附件2 (townships' sales) and 附件3 (lead departments' procurements): the same
//! sale reported by both is counted once (三(三); import rule 14). Exact pairs are made by
//! [`Store::pair_exact_same_sales`]; this file lists the *near* matches for the operator to confirm
//! or reject, keeps those decisions keyed by content so they survive re-import, and counts and
//! lists what is left unmatched (对账; [`UnmatchedFilter`], [`Store::unmatched_ids`]).
//!
//! # Near-match rule
//!
//! A 附件3 row P and a 附件2 row S are a near match when all of these hold:
//! - same township, same 贫困户姓名 and same 品种 (after the importer's normalisation);
//! - the same amount, to the fen;
//! - the dates are at most [`NEAR_MATCH_MAX_DAYS`] days apart (both given to the day), or, when
//!   either date is only given to the month (`2019.9`), the same month;
//! - the villages are equal, or one side left the village empty;
//! - they are not an exact pair (equal `match_key`), P is not linked and the operator has not
//!   decided P by hand (`pairing_decided`), no other 附件3 row is linked to S;
//! - the operator has not rejected this pair (a `different` decision on the two fingerprints).
//!
//! The quantity may differ (e.g. `60公斤` for `100斤` typed by mistake): it is then one of the
//! reasons shown. Each pair carries Chinese reasons, e.g. `日期相差2天`, `附件3未填村(社区)`.

use rusqlite::{Connection, OptionalExtension, params};

use super::sales::SaleRow;
use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::sale::FormKind;
use crate::domain::{DatePrecision, Money};

/// The "few days" of the near-match rule: dates at most this many days apart (inclusive).
pub const NEAR_MATCH_MAX_DAYS: i64 = 3;

/// A 附件3 procurement that is probably the same sale as a 附件2 sale, for the operator to confirm
/// ([`Store::confirm_same_sale`]) or reject ([`Store::reject_near_match`]). 三(三), import rule 14.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMatch {
    /// The 附件3 row (form 3).
    pub procurement: SaleRow,
    /// The 附件2 row (form 2).
    pub sale: SaleRow,
    /// Days between the two dates (0 when equal or when one is given only to the month).
    pub days_apart: i64,
    /// Why it is not an exact pair, in Chinese, e.g. `日期相差2天`, `附件3未填村(社区)`,
    /// `数量不同（附件2：100斤，附件3：60公斤）`.
    pub reasons: Vec<String>,
}

impl NearMatch {
    /// The reasons joined for one table cell: `日期相差2天；附件3未填村(社区)`.
    pub fn reason_text(&self) -> String {
        self.reasons.join("；")
    }
}

/// Records of one form left unmatched in a year (对账 view): a 附件2 sale no 附件3 row is linked to,
/// or a 附件3 procurement not linked to a 附件2 sale. Amount in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unmatched {
    pub records: i64,
    pub amount: Money,
}

/// Which unmatched records to list (对账): one form (附件2 or 附件3), a year, optionally a quarter
/// and a township. Unmatched means what [`Store::unmatched`] counts: a 附件2 sale no 附件3 row is
/// linked to, or a 附件3 procurement not linked to a 附件2 sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedFilter {
    /// [`FormKind::Sale`] (附件2) or [`FormKind::Procurement`] (附件3); 附件1 lists nothing.
    pub form: FormKind,
    pub year: i32,
    /// 1–4; `None` = the whole year.
    pub quarter: Option<u8>,
    pub township_code: Option<String>,
}

impl UnmatchedFilter {
    /// The unmatched records of `form` in the whole of `year`, all townships.
    pub fn year(form: FormKind, year: i32) -> Self {
        Self {
            form,
            year,
            quarter: None,
            township_code: None,
        }
    }

    /// The WHERE clause over `sale s` and its parameters; `None` for 附件1 (nothing to list).
    fn where_clause(&self) -> Option<(String, Vec<rusqlite::types::Value>)> {
        use rusqlite::types::Value;
        let unlinked = match self.form {
            FormKind::Sale => "NOT EXISTS (SELECT 1 FROM sale p WHERE p.same_sale_as = s.id)",
            FormKind::Procurement => "s.same_sale_as IS NULL",
            _ => return None,
        };
        // A date range (not the year/month columns) so the (form, date) indexes serve it.
        let (first_month, months) = match self.quarter {
            Some(quarter) => (u32::from(quarter.clamp(1, 4)) * 3 - 2, 3),
            None => (1, 12),
        };
        let start = format!("{:04}-{first_month:02}-01", self.year);
        let end_month = first_month + months;
        let end = if end_month > 12 {
            format!("{:04}-01-01", self.year + 1)
        } else {
            format!("{:04}-{end_month:02}-01", self.year)
        };
        let mut values = vec![
            Value::Integer(self.form.number()),
            Value::Text(start),
            Value::Text(end),
        ];
        let mut sql = format!(" WHERE s.form = ?1 AND s.date >= ?2 AND s.date < ?3 AND {unlinked}");
        if let Some(code) = &self.township_code {
            values.push(Value::Text(code.clone()));
            sql.push_str(" AND s.township_code = ?4");
        }
        Some((sql, values))
    }
}

/// Why a near match is not exact, in Chinese (see the module docs).
fn reasons_for(procurement: &SaleRow, sale: &SaleRow) -> (i64, Vec<String>) {
    let p = &procurement.record;
    let s = &sale.record;
    let mut reasons = Vec::new();
    let mut days = 0;
    match (p.date.precision, s.date.precision) {
        (DatePrecision::Day, DatePrecision::Day) => {
            days = (p.date.date - s.date.date).num_days().abs();
            if days > 0 {
                reasons.push(format!("日期相差{days}天"));
            }
        }
        (p_precision, s_precision) => {
            if s_precision == DatePrecision::Month {
                reasons.push("附件2销售时间只填到月".to_string());
            }
            if p_precision == DatePrecision::Month {
                reasons.push("附件3采购时间只填到月".to_string());
            }
        }
    }
    if p.village.is_empty() && !s.village.is_empty() {
        reasons.push("附件3未填村(社区)".to_string());
    } else if s.village.is_empty() && !p.village.is_empty() {
        reasons.push("附件2未填村(社区)".to_string());
    }
    let same_quantity = match (p.quantity.in_jin(), s.quantity.in_jin()) {
        (Some(a), Some(b)) => a == b,
        _ => p.quantity == s.quantity,
    };
    if !same_quantity {
        reasons.push(format!(
            "数量不同（附件2：{}，附件3：{}）",
            s.quantity_text, p.quantity_text
        ));
    }
    if reasons.is_empty() {
        reasons.push("内容相同".to_string());
    }
    (days, reasons)
}

fn fingerprint_of(conn: &Connection, id: i64, form: FormKind) -> StoreResult<String> {
    let found: Option<(i64, String)> = conn
        .prepare_cached("SELECT form, fingerprint FROM sale WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match found {
        None => Err(StoreError::NotFound(id)),
        Some((number, fingerprint)) if number == form.number() => Ok(fingerprint),
        Some(_) => Err(StoreError::Invalid(match form {
            FormKind::Procurement => format!("记录{id}不是附件3的采购记录"),
            _ => format!("记录{id}不是附件2的销售记录"),
        })),
    }
}

fn store_decision(
    conn: &Connection,
    procurement: &str,
    sale: &str,
    decision: &str,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO pairing_decision (procurement_fingerprint, sale_fingerprint, decision, decided_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (procurement_fingerprint, sale_fingerprint)
         DO UPDATE SET decision = excluded.decision, decided_at = excluded.decided_at",
    )?
    .execute(params![procurement, sale, decision, now_text()])?;
    Ok(())
}

impl Store {
    /// The near matches (see the module docs for the rule) in which either row is dated in `year`,
    /// ordered by the 附件2 date. Rejected pairs are never listed again, also after the rows were
    /// deleted and imported anew (decisions are keyed by content fingerprint). 三(三).
    pub fn near_matches(&self, year: i32) -> StoreResult<Vec<NearMatch>> {
        let pairs: Vec<(i64, i64)> = self
            .connection()
            .prepare_cached(
                "SELECT p.id, s.id FROM sale p
                 JOIN sale s ON s.form = 2 AND s.township_code = p.township_code
                     AND s.household = p.household AND s.product = p.product AND s.amount_fen = p.amount_fen
                 WHERE p.form = 3 AND p.same_sale_as IS NULL AND p.pairing_decided = 0
                   AND (p.year = ?1 OR s.year = ?1)
                   AND s.match_key <> p.match_key
                   AND (s.village = p.village OR s.village = '' OR p.village = '')
                   AND (CASE WHEN p.date_precision = 'month' OR s.date_precision = 'month'
                             THEN p.year = s.year AND p.month = s.month
                             ELSE abs(julianday(p.date) - julianday(s.date)) <= ?2 END)
                   AND NOT EXISTS (SELECT 1 FROM sale o WHERE o.same_sale_as = s.id)
                   AND NOT EXISTS (SELECT 1 FROM pairing_decision d
                                   WHERE d.procurement_fingerprint = p.fingerprint
                                     AND d.sale_fingerprint = s.fingerprint AND d.decision = 'different')
                 ORDER BY s.date, s.id, p.id",
            )?
            .query_map(params![year, NEAR_MATCH_MAX_DAYS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut ids: Vec<i64> = pairs.iter().flat_map(|(p, s)| [*p, *s]).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows: std::collections::HashMap<i64, SaleRow> = self
            .sales_by_ids(&ids)?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        Ok(pairs
            .into_iter()
            .filter_map(|(p, s)| {
                let procurement = rows.get(&p)?.clone();
                let sale = rows.get(&s)?.clone();
                let (days_apart, reasons) = reasons_for(&procurement, &sale);
                Some(NearMatch {
                    procurement,
                    sale,
                    days_apart,
                    reasons,
                })
            })
            .collect())
    }

    /// The operator confirms that 附件3 row `procurement_id` is the same sale as 附件2 row `sale_id`:
    /// the procurement is linked (counted once, under the sale) and the decision is stored by
    /// content, so it is applied again after a re-import ([`Store::reapply_pairing_decisions`]).
    /// Errors: a row missing, wrong forms, or the sale already linked to another procurement.
    pub fn confirm_same_sale(&mut self, procurement_id: i64, sale_id: i64) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let procurement = fingerprint_of(&tx, procurement_id, FormKind::Procurement)?;
        let sale = fingerprint_of(&tx, sale_id, FormKind::Sale)?;
        let other: Option<i64> = tx
            .prepare_cached("SELECT id FROM sale WHERE same_sale_as = ?1 AND id <> ?2 LIMIT 1")?
            .query_row(params![sale_id, procurement_id], |r| r.get(0))
            .optional()?;
        if let Some(other) = other {
            return Err(StoreError::Invalid(format!(
                "附件2记录{sale_id}已与附件3记录{other}确认为同一笔销售，请先取消那一对"
            )));
        }
        tx.execute(
            "UPDATE sale SET same_sale_as = ?2, pairing_decided = 1, updated_at = ?3 WHERE id = ?1",
            params![procurement_id, sale_id, now_text()],
        )?;
        store_decision(&tx, &procurement, &sale, "same")?;
        tx.commit()?;
        Ok(())
    }

    /// The operator rejects a proposed pair: the two rows are different sales. Stored by content
    /// (the rows' fingerprints), so [`Store::near_matches`] never lists the pair again, also after a
    /// re-import. If the procurement is currently linked to that sale (an exact pair made
    /// automatically), the link is removed and both rows count. Errors: a row missing, wrong forms.
    pub fn reject_near_match(&mut self, procurement_id: i64, sale_id: i64) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let procurement = fingerprint_of(&tx, procurement_id, FormKind::Procurement)?;
        let sale = fingerprint_of(&tx, sale_id, FormKind::Sale)?;
        tx.execute(
            "UPDATE sale SET same_sale_as = NULL, pairing_decided = 1, updated_at = ?3
             WHERE id = ?1 AND same_sale_as = ?2",
            params![procurement_id, sale_id, now_text()],
        )?;
        store_decision(&tx, &procurement, &sale, "different")?;
        tx.commit()?;
        Ok(())
    }

    /// Applies the stored decisions to rows imported again (after `pair_exact_same_sales`):
    /// a confirmed pair whose two rows are both unlinked is linked again; an automatic exact pair
    /// the operator had rejected is unlinked again. Returns the number of rows changed.
    /// Rows decided by hand since (`pairing_decided`) are not touched.
    pub fn reapply_pairing_decisions(&mut self) -> StoreResult<usize> {
        let tx = self.connection_mut().transaction()?;
        let changed = reapply_pairing_decisions_in(&tx)?;
        tx.commit()?;
        Ok(changed)
    }

    /// Confirmed and automatic pairs (附件3 row, 附件2 row) whose 附件3 row is dated in `year`, by
    /// date: the double counts removed, listed for the operator (对账).
    pub fn same_sale_pairs(&self, year: i32) -> StoreResult<Vec<(SaleRow, SaleRow)>> {
        let pairs: Vec<(i64, i64)> = self
            .connection()
            .prepare_cached(
                "SELECT id, same_sale_as FROM sale WHERE form = 3 AND same_sale_as IS NOT NULL AND year = ?1
                 ORDER BY date, id",
            )?
            .query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let ids: Vec<i64> = pairs.iter().flat_map(|(p, s)| [*p, *s]).collect();
        let rows: std::collections::HashMap<i64, SaleRow> = self
            .sales_by_ids(&ids)?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        Ok(pairs
            .into_iter()
            .filter_map(|(p, s)| Some((rows.get(&p)?.clone(), rows.get(&s)?.clone())))
            .collect())
    }

    /// Count and amount of the records of `form` (附件2 or 附件3) dated in `year` that are not paired
    /// with a record of the other form (对账). 附件1 gives zero.
    pub fn unmatched(&self, year: i32, form: FormKind) -> StoreResult<Unmatched> {
        self.unmatched_totals(&UnmatchedFilter::year(form, year))
    }

    /// Ids of the unmatched records `filter` covers, by date then id (the order of the other
    /// lists); the 对账 view fetches only the visible rows by id ([`Store::sales_by_ids`]).
    pub fn unmatched_ids(&self, filter: &UnmatchedFilter) -> StoreResult<Vec<i64>> {
        let Some((where_sql, values)) = filter.where_clause() else {
            return Ok(Vec::new());
        };
        let sql = format!("SELECT s.id FROM sale s{where_sql} ORDER BY s.date, s.id");
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(values), |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Count and amount of the unmatched records `filter` covers.
    pub fn unmatched_totals(&self, filter: &UnmatchedFilter) -> StoreResult<Unmatched> {
        let Some((where_sql, values)) = filter.where_clause() else {
            return Ok(Unmatched {
                records: 0,
                amount: Money::ZERO,
            });
        };
        let sql = format!("SELECT COUNT(*), COALESCE(SUM(s.amount_fen), 0) FROM sale s{where_sql}");
        let (records, fen): (i64, i64) = self
            .connection()
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(values), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok(Unmatched {
            records,
            amount: Money::from_fen(fen),
        })
    }
}

/// [`Store::reapply_pairing_decisions`] inside the caller's transaction (for the importer, right
/// after `pair_exact_same_sales_in`).
pub(crate) fn reapply_pairing_decisions_in(conn: &Connection) -> StoreResult<usize> {
    let now = now_text();
    // Rejected exact pairs that the automatic pairing made again.
    let unlinked = conn.execute(
        "UPDATE sale SET same_sale_as = NULL, pairing_decided = 1, updated_at = ?1
         WHERE form = 3 AND pairing_decided = 0 AND same_sale_as IS NOT NULL
           AND EXISTS (SELECT 1 FROM pairing_decision d JOIN sale s ON s.fingerprint = d.sale_fingerprint
                       WHERE d.decision = 'different' AND d.procurement_fingerprint = sale.fingerprint
                         AND s.id = sale.same_sale_as)",
        [&now],
    )?;
    // Confirmed pairs whose rows are both free.
    let candidates: Vec<(i64, i64)> = conn
        .prepare_cached(
            // CROSS JOIN keeps the decisions (few) as the outer loop: each finds its two rows
            // through the match-key index (a fingerprint is form, char(31), match key).
            "SELECT p.id, s.id FROM pairing_decision d
             CROSS JOIN sale p CROSS JOIN sale s
             WHERE d.decision = 'same'
               AND p.match_key = substr(d.procurement_fingerprint, 3) AND p.form = 3
               AND p.fingerprint = d.procurement_fingerprint
               AND s.match_key = substr(d.sale_fingerprint, 3) AND s.form = 2
               AND s.fingerprint = d.sale_fingerprint
               AND p.same_sale_as IS NULL AND p.pairing_decided = 0
             ORDER BY p.id, s.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut linked = 0;
    for (procurement_id, sale_id) in candidates {
        let free: bool = conn
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM sale WHERE same_sale_as = ?2)
                    AND EXISTS (SELECT 1 FROM sale WHERE id = ?1 AND same_sale_as IS NULL)",
            )?
            .query_row(params![procurement_id, sale_id], |r| r.get(0))?;
        if free {
            conn.prepare_cached("UPDATE sale SET same_sale_as = ?2, pairing_decided = 1, updated_at = ?3 WHERE id = ?1")?
                .execute(params![procurement_id, sale_id, now])?;
            linked += 1;
        }
    }
    Ok(unlinked + linked)
}
