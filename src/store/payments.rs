//! Payments and arrears (R12, 五(二) 不得拖欠货款): unpaid sales by age, per purchaser.
//!
//! # Rule
//!
//! A counted record (附件2 sale, or 附件3 procurement not linked as the same sale as a 附件2 row) is
//! unpaid when `paid` is not set on it, nor on the 附件3 row linked to it (either side may carry the
//! payment). Its age is the number of days from its date (销售时间/采购时间; the first of the month
//! for a date given only to the month) to `today`; a date after `today` has age 0. Buckets:
//! ≤30 days, 31–60, 61–90, over 90.

use chrono::NaiveDate;
use rusqlite::params;

use super::{Store, StoreResult};
use crate::domain::Money;

/// Unpaid amounts by age, in yuan (R12).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnpaidBuckets {
    /// Age 0–30 days.
    pub within_30: Money,
    /// Age 31–60 days.
    pub days_31_to_60: Money,
    /// Age 61–90 days.
    pub days_61_to_90: Money,
    /// Age over 90 days.
    pub over_90: Money,
    /// Number of unpaid records.
    pub records: i64,
}

impl UnpaidBuckets {
    /// All unpaid, in yuan.
    pub fn total(&self) -> Money {
        self.within_30 + self.days_31_to_60 + self.days_61_to_90 + self.over_90
    }

    /// Unpaid for more than 30 days (拖欠), in yuan.
    pub fn overdue(&self) -> Money {
        self.days_31_to_60 + self.days_61_to_90 + self.over_90
    }

    fn add(&mut self, age_days: i64, amount: Money, records: i64) {
        match age_days {
            ..=30 => self.within_30 += amount,
            31..=60 => self.days_31_to_60 += amount,
            61..=90 => self.days_61_to_90 += amount,
            _ => self.over_90 += amount,
        }
        self.records += records;
    }

    fn merge(&mut self, other: &UnpaidBuckets) {
        self.within_30 += other.within_30;
        self.days_31_to_60 += other.days_31_to_60;
        self.days_61_to_90 += other.days_61_to_90;
        self.over_90 += other.over_90;
        self.records += other.records;
    }
}

/// One purchaser's unpaid records by age (R12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidRow {
    pub purchaser_id: i64,
    /// 采购单位.
    pub purchaser: String,
    pub buckets: UnpaidBuckets,
    /// Date of its oldest unpaid record.
    pub oldest: NaiveDate,
}

/// The sum of the rows' buckets (the county figure for the dashboard).
pub fn unpaid_totals(rows: &[UnpaidRow]) -> UnpaidBuckets {
    let mut totals = UnpaidBuckets::default();
    for row in rows {
        totals.merge(&row.buckets);
    }
    totals
}

impl Store {
    /// Unpaid counted records by purchaser and age as of `today` (see the module docs), the
    /// purchasers with the most overdue money (over 90, then 61–90, …) first. R12, 五(二).
    pub fn unpaid_by_age(&self, today: NaiveDate) -> StoreResult<Vec<UnpaidRow>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT s.purchaser_id, p.name, CAST(julianday(?1) - julianday(s.date) AS INTEGER) AS age,
                    COUNT(*), SUM(s.amount_fen), MIN(s.date)
             FROM sale s JOIN purchaser p ON p.id = s.purchaser_id
             WHERE s.same_sale_as IS NULL AND s.paid = 0
               AND NOT EXISTS (SELECT 1 FROM sale o WHERE o.same_sale_as = s.id AND o.paid = 1)
             GROUP BY s.purchaser_id, age",
        )?;
        let groups = statement.query_map(params![today.to_string()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut rows: Vec<UnpaidRow> = Vec::new();
        let mut index: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for group in groups {
            let (purchaser_id, purchaser, age, records, fen, oldest) = group?;
            let oldest = NaiveDate::parse_from_str(&oldest, "%Y-%m-%d").unwrap_or(today);
            let position = *index.entry(purchaser_id).or_insert_with(|| {
                rows.push(UnpaidRow {
                    purchaser_id,
                    purchaser,
                    buckets: UnpaidBuckets::default(),
                    oldest,
                });
                rows.len() - 1
            });
            let row = &mut rows[position];
            row.buckets.add(age.max(0), Money::from_fen(fen), records);
            row.oldest = row.oldest.min(oldest);
        }
        rows.sort_by(|a, b| {
            let key = |r: &UnpaidRow| {
                (
                    r.buckets.over_90,
                    r.buckets.days_61_to_90,
                    r.buckets.days_31_to_60,
                    r.buckets.total(),
                )
            };
            key(b)
                .cmp(&key(a))
                .then_with(|| a.purchaser.cmp(&b.purchaser))
        });
        Ok(rows)
    }
}
