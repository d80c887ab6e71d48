//! The dashboard of a year (进度): the county total against 6000万元, the deep-poverty part against
//! 1000万元, each channel against its target with its sub-channels, townships, quarters, months.
//! Seed: 一 (targets), 四(一)–(六) (channels), 三(三) (quarterly reporting).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::Money;
use crate::store::{
    ChannelAmount, MonthAmount, Store, StoreResult, SummaryTotals, Targets, TownshipAmount,
};

/// Everything the 进度 tab and `report` show for one year. Amounts in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    pub year: i32,
    pub targets: Targets,
    pub totals: SummaryTotals,
    pub channels: Vec<ChannelAmount>,
    /// All 42 townships in registry order.
    pub townships: Vec<TownshipAmount>,
    /// Quarters 1–4.
    pub quarters: Vec<(u8, Money)>,
    /// Months 1–12.
    pub months: Vec<MonthAmount>,
}

/// Computes the dashboard of `year`. Cost is independent of the number of records (summary
/// table). Errors: database errors only.
pub fn dashboard(store: &Store, year: i32) -> StoreResult<Dashboard> {
    let months = store.month_amounts(year)?;
    let quarters = (1..=4u8)
        .map(|q| {
            let first = u32::from(q) * 3 - 2;
            (
                q,
                months
                    .iter()
                    .filter(|m| m.month >= first && m.month < first + 3)
                    .map(|m| m.amount)
                    .sum(),
            )
        })
        .collect();
    Ok(Dashboard {
        year,
        targets: store.targets(year)?,
        totals: store.summary_totals(year)?,
        channels: store.channel_amounts(year)?,
        townships: store.township_amounts(year)?,
        quarters,
        months,
    })
}

/// `actual` as a percentage of `target` (percent, not a fraction: `12.5` means 12.5%), rounded
/// 四舍五入 to one decimal and always carrying it, so it prints `0.0`, `50.0`, `12.5` (0.0 when
/// target is 0). Used by the dashboard (一, 四) and the bulletin (三(三)).
pub fn percent(actual: Money, target: Money) -> Decimal {
    let mut value = if target.yuan().is_zero() {
        Decimal::ZERO
    } else {
        (actual.yuan() * Decimal::ONE_HUNDRED / target.yuan())
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    // Always one decimal: `0.0`, not `0`.
    value.rescale(1);
    value
}

/// The JSON shape of `report --json` (amounts as strings in yuan with two decimals).
#[derive(Debug, Serialize)]
pub struct DashboardJson {
    pub year: i32,
    pub total: String,
    pub target: String,
    pub deep_poverty: String,
    pub deep_poverty_target: String,
    pub record_count: i64,
    pub unclassified: String,
    /// Amount of 附件3 rows left out as the same sale as a 附件2 row.
    pub double_counted: String,
    pub channels: Vec<ChannelJson>,
    pub townships: Vec<TownshipJson>,
    pub quarters: Vec<QuarterJson>,
    /// Issue 4 (R6, 三(三)): per quarter of the year, the townships and lead units that have not
    /// reported. Filled by [`crate::report::status::add_status_json`]; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreported: Option<Vec<crate::report::status::UnreportedJson>>,
    /// Issue 4 (R12): unpaid counted records by age. Filled by `add_status_json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpaid: Option<crate::report::status::UnpaidJson>,
    /// Issue 4 (R5, 三(三)): share of the year's counted sales (by count) with at least one linked
    /// courier shipment. Unit: **percent** (0–100) as a string with one decimal — `"37.5"` means
    /// 37.5%, `"0.5"` means 0.5% (not half); not a fraction despite the key's name, which is kept
    /// for compatibility. `"0.0"` with a note while no courier data is imported. Filled by
    /// `add_status_json` from [`crate::store::ShipmentCoverage::count_share`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipments_linked_share: Option<String>,
    /// The same share by amount (yuan): **percent** (0–100), string with one decimal, like
    /// `shipments_linked_share`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipments_linked_amount_share: Option<String>,
    /// Number of the year's counted sales with at least one linked shipment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipments_linked_sales: Option<i64>,
    /// The figure in words (counts, amount share, shipments linked), or why it is 0 while no
    /// courier data is imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipments_linked_note: Option<String>,
    /// Issue 4 item 7 (R12, 五(二)): records whose unit price is outside 0.5×–2× of the catalogue
    /// price or the county median. Filled by [`crate::report::review::add_review_json`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_flags: Option<crate::report::review::PriceFlagsJson>,
    /// Issue 4 item 8 (R10, 四(一)5): each union's 500元-per-member standard against its purchases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unions: Option<Vec<crate::report::review::UnionJson>>,
    /// Issue 4 item 8 (R11, 四(三)): 百企帮百村 pairings with their purchases of the year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_pairings: Option<Vec<crate::report::review::PairingJson>>,
}

/// A channel in `report --json`.
#[derive(Debug, Serialize)]
pub struct ChannelJson {
    pub name: String,
    pub target: String,
    pub actual: String,
    pub sub_channels: Vec<SubChannelJson>,
}

/// A sub-channel in `report --json`.
#[derive(Debug, Serialize)]
pub struct SubChannelJson {
    pub name: String,
    pub actual: String,
}

/// A township in `report --json`.
#[derive(Debug, Serialize)]
pub struct TownshipJson {
    pub code: String,
    pub name: String,
    pub amount: String,
}

/// A quarter in `report --json`.
#[derive(Debug, Serialize)]
pub struct QuarterJson {
    pub quarter: u8,
    pub amount: String,
}

impl Dashboard {
    /// The `report --json` shape.
    pub fn to_json(&self) -> DashboardJson {
        DashboardJson {
            year: self.year,
            total: self.totals.total.to_string(),
            target: self.targets.total.to_string(),
            deep_poverty: self.totals.deep_poverty.to_string(),
            deep_poverty_target: self.targets.deep_poverty.to_string(),
            record_count: self.totals.record_count,
            unclassified: self.totals.unclassified.to_string(),
            double_counted: self.totals.double_counted.to_string(),
            channels: self
                .channels
                .iter()
                .map(|c| ChannelJson {
                    name: c.channel.name().to_string(),
                    target: self.targets.channel(c.channel).to_string(),
                    actual: c.amount.to_string(),
                    sub_channels: c
                        .sub_channels
                        .iter()
                        .map(|(s, m)| SubChannelJson {
                            name: s.name().to_string(),
                            actual: m.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            townships: self
                .townships
                .iter()
                .map(|t| TownshipJson {
                    code: t.code.clone(),
                    name: t.name.clone(),
                    amount: t.amount.to_string(),
                })
                .collect(),
            quarters: self
                .quarters
                .iter()
                .map(|(q, m)| QuarterJson {
                    quarter: *q,
                    amount: m.to_string(),
                })
                .collect(),
            unreported: None,
            unpaid: None,
            shipments_linked_share: None,
            shipments_linked_amount_share: None,
            shipments_linked_sales: None,
            shipments_linked_note: None,
            price_flags: None,
            unions: None,
            enterprise_pairings: None,
        }
    }

    /// A readable Chinese table (report without `--json`): amounts in 万元 with two decimals and
    /// percentages of the target with one decimal in every row (`0.00`, `0.0%`, never `0`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let line = |out: &mut String, name: &str, actual: Money, target: Option<Money>| {
            let target_text = target
                .map(|t| {
                    format!(
                        "  目标 {:>10.2} 万元  完成 {:>5.1}%",
                        t.wan_yuan(2),
                        percent(actual, t)
                    )
                })
                .unwrap_or_default();
            // Fixed decimals in every row: `0.00` 万元 and `0.0`%, never `0`.
            out.push_str(&format!(
                "{name:<12} {:>12.2} 万元{target_text}\n",
                actual.wan_yuan(2)
            ));
        };
        out.push_str(&format!(
            "云阳县消费扶贫进度 {}年（金额单位：万元）\n",
            self.year
        ));
        line(
            &mut out,
            "全县合计",
            self.totals.total,
            Some(self.targets.total),
        );
        line(
            &mut out,
            "深度贫困镇村",
            self.totals.deep_poverty,
            Some(self.targets.deep_poverty),
        );
        out.push_str("\n按销售方式：\n");
        for channel in &self.channels {
            line(
                &mut out,
                channel.channel.name(),
                channel.amount,
                Some(self.targets.channel(channel.channel)),
            );
            for (sub, amount) in &channel.sub_channels {
                line(&mut out, &format!("  {}", sub.name()), *amount, None);
            }
        }
        if !self.totals.unclassified.yuan().is_zero() {
            line(&mut out, "未分类采购单位", self.totals.unclassified, None);
        }
        out.push_str("\n按季度：\n");
        for (quarter, amount) in &self.quarters {
            line(&mut out, &format!("第{quarter}季度"), *amount, None);
        }
        out.push_str("\n按乡镇(街道)：\n");
        for township in self.townships.iter().filter(|t| t.record_count > 0) {
            line(&mut out, &township.name, township.amount, None);
        }
        out.push_str(&format!("\n记录数：{}\n", self.totals.record_count));
        if self.totals.double_counted_pairs > 0 {
            out.push_str(&format!(
                "已剔除重复统计：{}对，{}元（附件3与附件2为同一笔销售，只计一次）\n",
                self.totals.double_counted_pairs, self.totals.double_counted
            ));
        }
        out
    }
}
