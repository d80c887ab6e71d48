//! Unions (进家庭, R10, 四(一)5): each union's member count × 500元 (the plan's standard for direct
//! purchases) against what it actually bought in a year.
//!
//! Rule: a union is a purchaser whose type is 工会 (`PurchaserType::Union`); its purchases are its
//! counted records (附件2 sales, and 附件3 procurements not paired as the same sale as a 附件2 row)
//! dated in the year. Expected = `member_count` × [`UNION_STANDARD_YUAN_PER_MEMBER`]; a union
//! without a member count has no expected amount.

use rusqlite::params;

use super::{Store, StoreResult};
use crate::domain::{Money, PurchaserType};

/// 四(一)5: 500 yuan per union member.
pub const UNION_STANDARD_YUAN_PER_MEMBER: i64 = 500;

/// One union's standard against its purchases (R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionPurchases {
    pub purchaser_id: i64,
    pub name: String,
    /// Members (from the purchaser registry), if entered.
    pub member_count: Option<i64>,
    /// member_count × 500元, in yuan; `None` without a member count.
    pub expected: Option<Money>,
    /// Counted purchases of the year, in yuan.
    pub purchased: Money,
    pub records: i64,
}

impl UnionPurchases {
    /// What is still missing to reach the standard, in yuan: `expected − purchased` when positive,
    /// zero when the standard is met; `None` without a member count.
    pub fn gap(&self) -> Option<Money> {
        self.expected.map(|e| {
            if e > self.purchased {
                e - self.purchased
            } else {
                Money::ZERO
            }
        })
    }

    /// `purchased` as a percentage of `expected` (one decimal); `None` without an expected amount.
    pub fn percent(&self) -> Option<rust_decimal::Decimal> {
        self.expected.filter(|e| !e.yuan().is_zero()).map(|e| {
            (self.purchased.yuan() * rust_decimal::Decimal::ONE_HUNDRED / e.yuan())
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        })
    }
}

impl Store {
    /// Every union (purchaser typed 工会) with its 500元-per-member standard and its counted
    /// purchases in `year`, by name. R10, 四(一)5.
    pub fn union_purchases(&self, year: i32) -> StoreResult<Vec<UnionPurchases>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT p.id, p.name, p.member_count, COALESCE(SUM(s.amount_fen), 0), COUNT(s.id)
             FROM purchaser p
             LEFT JOIN sale s ON s.purchaser_id = p.id AND s.year = ?2 AND s.same_sale_as IS NULL
             WHERE p.purchaser_type = ?1
             GROUP BY p.id ORDER BY p.name",
        )?;
        let rows = statement.query_map(params![PurchaserType::Union.name(), year], |r| {
            let member_count: Option<i64> = r.get(2)?;
            Ok(UnionPurchases {
                purchaser_id: r.get(0)?,
                name: r.get(1)?,
                member_count,
                expected: member_count.map(|m| {
                    Money::from_fen(
                        m.saturating_mul(UNION_STANDARD_YUAN_PER_MEMBER)
                            .saturating_mul(100),
                    )
                }),
                purchased: Money::from_fen(r.get(3)?),
                records: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
