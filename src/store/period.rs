//! Counted figures of a span of months of one year (a quarter, or January to a quarter's end for
//! the year to date), for the quarterly bulletin (通报, 三(三)). Read from `sale_summary` like the
//! dashboard, so a 附件3 row paired as the same sale as a 附件2 row is counted once.

use rusqlite::params;

use super::summary::{ChannelAmount, TownshipAmount};
use super::{Store, StoreResult};
use crate::domain::{Channel, Money};

/// Counted amounts of months `first_month..=last_month` of `year`, in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFigures {
    pub year: i32,
    pub first_month: u32,
    pub last_month: u32,
    /// County total (一: 6000万元 target for the year).
    pub total: Money,
    pub record_count: i64,
    /// In deep-poverty townships or villages (一: 1000万元).
    pub deep_poverty: Money,
    /// Records whose purchaser has no type yet (no channel).
    pub unclassified: Money,
    /// The six channels with their sub-channels (四(一)–(六)), plan order, zero if none.
    pub channels: Vec<ChannelAmount>,
    /// All 42 townships, registry order.
    pub townships: Vec<TownshipAmount>,
    /// 附件3 rows left out as the same sale as a 附件2 row, and their number.
    pub double_counted: Money,
    pub double_counted_pairs: i64,
}

impl Store {
    /// The counted figures of months `first_month..=last_month` (1–12) of `year`. Cost does not
    /// grow with the number of records, except the double-count figure (an indexed scan of the
    /// paired rows). 三(三), 四.
    pub fn period_figures(
        &self,
        year: i32,
        first_month: u32,
        last_month: u32,
    ) -> StoreResult<PeriodFigures> {
        let conn = self.connection();
        let range = params![year, first_month, last_month];
        let (total, record_count): (i64, i64) = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(record_count), 0) FROM sale_summary m
                 WHERE m.year = ?1 AND m.month BETWEEN ?2 AND ?3",
            )?
            .query_row(range, |r| Ok((r.get(0)?, r.get(1)?)))?;
        let deep: i64 = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_fen), 0) FROM sale_summary m
                 WHERE m.year = ?1 AND m.month BETWEEN ?2 AND ?3
                   AND (EXISTS (SELECT 1 FROM township t WHERE t.code = m.township_code AND t.deep_poverty = 1)
                        OR EXISTS (SELECT 1 FROM village v WHERE v.township_code = m.township_code
                                   AND v.name = m.village AND v.deep_poverty = 1))",
            )?
            .query_row(range, |r| r.get(0))?;
        let rows: Vec<(String, String, i64)> = conn
            .prepare_cached(
                "SELECT channel, sub_channel, SUM(amount_fen) FROM sale_summary m
                 WHERE m.year = ?1 AND m.month BETWEEN ?2 AND ?3 GROUP BY channel, sub_channel",
            )?
            .query_map(range, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let sum = |channel: &str, sub: Option<&str>| -> Money {
            rows.iter()
                .filter(|(c, s, _)| c == channel && sub.is_none_or(|sub| s == sub))
                .map(|(_, _, fen)| Money::from_fen(*fen))
                .sum()
        };
        let channels = Channel::ALL
            .iter()
            .map(|channel| ChannelAmount {
                channel: *channel,
                amount: sum(channel.name(), None),
                sub_channels: channel
                    .sub_channels()
                    .iter()
                    .map(|s| (*s, sum(channel.name(), Some(s.name()))))
                    .collect(),
            })
            .collect();
        let townships = conn
            .prepare_cached(
                "SELECT t.code, t.name, t.deep_poverty, COALESCE(SUM(m.amount_fen), 0), COALESCE(SUM(m.record_count), 0)
                 FROM township t LEFT JOIN sale_summary m ON m.township_code = t.code AND m.year = ?1
                      AND m.month BETWEEN ?2 AND ?3
                 GROUP BY t.code ORDER BY t.sort_order, t.code",
            )?
            .query_map(range, |r| {
                Ok(TownshipAmount {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    deep_poverty: r.get(2)?,
                    amount: Money::from_fen(r.get(3)?),
                    record_count: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let (double_counted, pairs): (i64, i64) = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM sale
                 WHERE same_sale_as IS NOT NULL AND year = ?1 AND month BETWEEN ?2 AND ?3",
            )?
            .query_row(range, |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(PeriodFigures {
            year,
            first_month,
            last_month,
            total: Money::from_fen(total),
            record_count,
            deep_poverty: Money::from_fen(deep),
            unclassified: sum("", None),
            channels,
            townships,
            double_counted: Money::from_fen(double_counted),
            double_counted_pairs: pairs,
        })
    }
}
