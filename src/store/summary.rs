//! Aggregates for the dashboard and `report`, read from `sale_summary` (kept by triggers), so
//! their cost does not grow with the number of records. Only counted records are included: a
//! 附件3 row marked as the same sale as a 附件2 row is left out.

use rusqlite::params;

use super::{Store, StoreResult};
use crate::domain::{Channel, Money, SubChannel};

/// The county totals of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryTotals {
    pub total: Money,
    pub record_count: i64,
    /// In deep-poverty townships or villages (一: 1000万元 target).
    pub deep_poverty: Money,
    /// Records whose purchaser has no type yet (no channel).
    pub unclassified: Money,
    /// 附件3 procurements left out because they are the same sale as a 附件2 row (double counts
    /// removed, import rule 14).
    pub double_counted: Money,
    /// Number of such pairs.
    pub double_counted_pairs: i64,
}

/// Amount of one channel, with its sub-channels (in the plan's order, all listed, zero if none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelAmount {
    pub channel: Channel,
    pub amount: Money,
    pub sub_channels: Vec<(SubChannel, Money)>,
}

/// Amount of one township.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipAmount {
    pub code: String,
    pub name: String,
    pub deep_poverty: bool,
    pub amount: Money,
    pub record_count: i64,
}

/// Amount of one month (1–12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthAmount {
    pub month: u32,
    pub amount: Money,
}

const DEEP_POVERTY_CONDITION: &str = "(EXISTS (SELECT 1 FROM township t WHERE t.code = m.township_code AND t.deep_poverty = 1)
     OR EXISTS (SELECT 1 FROM village v WHERE v.township_code = m.township_code AND v.name = m.village AND v.deep_poverty = 1))";

impl Store {
    /// Total, deep-poverty part and unclassified part of `year`.
    pub fn summary_totals(&self, year: i32) -> StoreResult<SummaryTotals> {
        let conn = self.connection();
        let (total, count): (i64, i64) = conn.prepare_cached(
            "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(record_count), 0) FROM sale_summary m WHERE m.year = ?1",
        )?
        .query_row([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let deep: i64 = conn
            .prepare_cached(&format!(
                "SELECT COALESCE(SUM(amount_fen), 0) FROM sale_summary m WHERE m.year = ?1 AND {DEEP_POVERTY_CONDITION}"
            ))?
            .query_row([year], |r| r.get(0))?;
        let unclassified: i64 = conn
            .prepare_cached("SELECT COALESCE(SUM(amount_fen), 0) FROM sale_summary m WHERE m.year = ?1 AND m.channel = ''")?
            .query_row([year], |r| r.get(0))?;
        let (double_counted, pairs): (i64, i64) = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM sale
                 WHERE same_sale_as IS NOT NULL AND year = ?1",
            )?
            .query_row([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(SummaryTotals {
            total: Money::from_fen(total),
            record_count: count,
            deep_poverty: Money::from_fen(deep),
            unclassified: Money::from_fen(unclassified),
            double_counted: Money::from_fen(double_counted),
            double_counted_pairs: pairs,
        })
    }

    /// Each of the six channels with its sub-channels, for `year`.
    pub fn channel_amounts(&self, year: i32) -> StoreResult<Vec<ChannelAmount>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT channel, sub_channel, SUM(amount_fen) FROM sale_summary m WHERE m.year = ?1 GROUP BY channel, sub_channel",
        )?;
        let rows: Vec<(String, String, i64)> = statement
            .query_map([year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Channel::ALL
            .iter()
            .map(|channel| {
                let amount = rows
                    .iter()
                    .filter(|(c, _, _)| c == channel.name())
                    .map(|(_, _, f)| Money::from_fen(*f))
                    .sum();
                let sub_channels = channel
                    .sub_channels()
                    .iter()
                    .map(|sub| {
                        let amount = rows
                            .iter()
                            .filter(|(c, s, _)| c == channel.name() && s == sub.name())
                            .map(|(_, _, f)| Money::from_fen(*f))
                            .sum();
                        (*sub, amount)
                    })
                    .collect();
                ChannelAmount {
                    channel: *channel,
                    amount,
                    sub_channels,
                }
            })
            .collect())
    }

    /// Every township (all 42, registry order, zero if none) with its amount for `year`.
    pub fn township_amounts(&self, year: i32) -> StoreResult<Vec<TownshipAmount>> {
        // Group the year's summary rows once, then lay them over the registry (a join per township
        // would scan the summary 42 times).
        let mut statement = self.connection().prepare_cached(
            "SELECT township_code, SUM(amount_fen), SUM(record_count) FROM sale_summary m
             WHERE m.year = ?1 GROUP BY township_code",
        )?;
        let sums: std::collections::HashMap<String, (i64, i64)> = statement
            .query_map([year], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<Result<_, _>>()?;
        Ok(self
            .townships()?
            .into_iter()
            .map(|t| {
                let (fen, count) = sums.get(&t.code).copied().unwrap_or((0, 0));
                TownshipAmount {
                    amount: Money::from_fen(fen),
                    record_count: count,
                    code: t.code,
                    name: t.name,
                    deep_poverty: t.deep_poverty,
                }
            })
            .collect())
    }

    /// The twelve months of `year` with their amounts (zero if none).
    pub fn month_amounts(&self, year: i32) -> StoreResult<Vec<MonthAmount>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT month, SUM(amount_fen) FROM sale_summary m WHERE m.year = ?1 GROUP BY month",
        )?;
        let rows: Vec<(u32, i64)> = statement
            .query_map(params![year], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok((1..=12)
            .map(|month| MonthAmount {
                month,
                amount: rows
                    .iter()
                    .filter(|(m, _)| *m == month)
                    .map(|(_, f)| Money::from_fen(*f))
                    .sum(),
            })
            .collect())
    }
}

/// One row of `sale_summary`: (form, year, month, township code, village, channel, sub-channel).
pub(crate) type SummaryKey = (i64, i32, u32, String, String, &'static str, &'static str);

/// The per-row summary trigger `sale_summary_insert`, set aside for a bulk insert inside one
/// transaction: [`suspend_insert_summary_in`] drops it, the bulk writer adds up what it inserts
/// per [`SummaryKey`], and [`SuspendedSummary::resume_in`] adds those sums to `sale_summary` and
/// creates the trigger again from its stored SQL. All of it runs in the caller's transaction, so
/// other connections never see the table without its trigger, and a failed import rolls the
/// trigger back with everything else.
///
/// Why: a trigger fired per inserted row cost about 15 µs a row (its sub-program and the statement
/// journal its upsert forces), most of a 100,000-row import.
#[must_use = "the trigger must be restored with resume_in before the transaction commits"]
pub(crate) struct SuspendedSummary {
    trigger_sql: String,
}

/// Drops the insert trigger of `sale_summary` inside the caller's transaction (see
/// [`SuspendedSummary`]). Errors: database errors, or the trigger missing from the schema.
pub(crate) fn suspend_insert_summary_in(
    conn: &rusqlite::Connection,
) -> StoreResult<SuspendedSummary> {
    let trigger_sql: String = conn.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'sale_summary_insert'",
        [],
        |r| r.get(0),
    )?;
    conn.execute_batch("DROP TRIGGER sale_summary_insert")?;
    Ok(SuspendedSummary { trigger_sql })
}

impl SuspendedSummary {
    /// Adds `sums` ((key, amount in fen, record count) of the counted rows inserted meanwhile) to
    /// `sale_summary` and creates the trigger again. Rows updated or deleted meanwhile were
    /// handled by the other triggers, which stay in place.
    pub(crate) fn resume_in(
        self,
        conn: &rusqlite::Connection,
        sums: impl IntoIterator<Item = (SummaryKey, i64, i64)>,
    ) -> StoreResult<()> {
        let mut statement = conn.prepare(
            "INSERT INTO sale_summary (form, year, month, township_code, village, channel, sub_channel, amount_fen, record_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT DO UPDATE SET amount_fen = amount_fen + excluded.amount_fen,
                                       record_count = record_count + excluded.record_count",
        )?;
        for ((form, year, month, township, village, channel, sub_channel), amount, count) in sums {
            statement.execute(params![
                form,
                year,
                month,
                township,
                village,
                channel,
                sub_channel,
                amount,
                count
            ])?;
        }
        drop(statement);
        conn.execute_batch(&self.trigger_sql)?;
        Ok(())
    }
}
