//! Price flags (R12, 五(二) "遵循市场价格规律"): counted sales whose unit price is far from the
//! market, for review. The pure rule is in [`crate::domain::price_check`].
//!
//! # Rule
//!
//! For every counted record of the year (附件2 sales and 附件3 procurements; a 附件3 row linked as the
//! same sale as a 附件2 row is left out, its counted side is checked once):
//!
//! 1. **Catalogue reference.** When the household has a 附件1 listing for the product (same
//!    township, household and product; the newest listing wins, as in the import's price check):
//!    - a 面议 price: the record is **not checked** at all (the price was negotiated);
//!    - a price per unit (> 0) whose unit the record's quantity converts to (weights through 斤,
//!      `斤`/`公斤` compare; a count unit only to itself): that price is the reference.
//! 2. **County median reference.** Otherwise (no listing, or a unit that does not convert): the
//!    median unit price of all counted records of the same product (exact text) and unit in the
//!    year — weights in 元/斤, count units per that unit — when at least
//!    [`MEDIAN_MIN_SALES`] (5) such records exist. The record itself is among them.
//! 3. Records with no unit, a zero quantity, or no reference are not checked.
//!
//! A checked record is flagged when its unit price (amount ÷ quantity in the reference unit) is
//! below 0.5× or above 2× the reference (0.5× and 2× themselves are within). Exact Decimal
//! arithmetic; cost: one pass over the year's records plus the catalogue (not the summary table).

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Store, StoreResult};
use crate::domain::price_check::{
    MEDIAN_MIN_SALES, median, median_basis, outside_band, price_ratio, quantity_in_price_unit,
    round_price, unit_price,
};
use crate::domain::sale::FormKind;
use crate::domain::{Money, Price, Quantity};

/// Which reference a flagged unit price was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceReference {
    /// The household's own 附件1 catalogue price for the product.
    Catalogue,
    /// The county median unit price of the product and unit in the year, over `sales` records.
    CountyMedian { sales: usize },
}

impl PriceReference {
    /// `目录价` or `全县中位价（N笔）` (Chinese, for the window and the text report).
    pub fn label(&self) -> String {
        match self {
            PriceReference::Catalogue => "本户目录价".to_string(),
            PriceReference::CountyMedian { sales } => format!("全县中位价（{sales}笔）"),
        }
    }

    /// `catalogue` or `county_median` (the JSON form).
    pub fn key(&self) -> &'static str {
        match self {
            PriceReference::Catalogue => "catalogue",
            PriceReference::CountyMedian { .. } => "county_median",
        }
    }
}

/// One record whose unit price is outside 0.5×–2× of its reference (R12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceFlag {
    pub sale_id: i64,
    /// 附件2 or 附件3.
    pub kind: FormKind,
    pub date: NaiveDate,
    pub township_code: String,
    /// Township name.
    pub township: String,
    pub village: String,
    pub household: String,
    pub product: String,
    /// 采购单位.
    pub purchaser: String,
    /// The quantity as typed (`30斤`).
    pub quantity_text: String,
    /// The amount, in yuan.
    pub amount: Money,
    /// The unit the prices are per (`斤`, `公斤`, `头`, …).
    pub unit: String,
    /// amount ÷ quantity in `unit`, 元 per `unit`, rounded 四舍五入 to the fen.
    pub unit_price: Decimal,
    /// The reference price, 元 per `unit`, rounded 四舍五入 to the fen (the check used the exact one).
    pub reference_price: Decimal,
    pub reference: PriceReference,
    /// unit price ÷ reference, two decimals (`0.40`, `3.00`).
    pub ratio: Decimal,
}

/// The outcome of the price check of a year: the flagged records and how many were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceCheck {
    /// Flagged records, oldest first.
    pub flags: Vec<PriceFlag>,
    /// Records compared with their household's catalogue price.
    pub checked_by_catalogue: i64,
    /// Records compared with the county median.
    pub checked_by_median: i64,
    /// Records not checked (面议, no unit, no reference).
    pub unchecked: i64,
}

/// One record as read for the check.
struct Row {
    id: i64,
    township_code: String,
    household: String,
    product: String,
    quantity: Quantity,
    amount: Money,
}

/// What a flag shows beyond the checked values, read for flagged records only.
struct Details {
    form: i64,
    date: String,
    village: String,
    purchaser: String,
    quantity_text: String,
}

impl Store {
    /// The price check of `year` (R12, 五(二)); the rule is in this module's documentation.
    /// Errors: database errors only (an unreadable stored quantity is simply not checked).
    pub fn price_check(&self, year: i32) -> StoreResult<PriceCheck> {
        let rows = self.price_check_rows(year)?;
        let mut townships: Vec<String> = rows.iter().map(|r| r.township_code.clone()).collect();
        townships.sort_unstable();
        townships.dedup();
        // Keyed "township\u{1}household\u{1}product" so a row is looked up without allocating.
        let catalogue: HashMap<String, Price> = self
            .catalogue_prices(&townships)?
            .into_iter()
            .filter_map(|((code, household, product), mut prices)| {
                // The newest listing's price.
                let price = prices.pop()?;
                Some((format!("{code}\u{1}{household}\u{1}{product}"), price))
            })
            .collect();
        let township_names: HashMap<String, String> = self
            .townships()?
            .into_iter()
            .map(|t| (t.code, t.name))
            .collect();
        let mut key = String::new();

        // County unit prices per (product, basis unit).
        let mut pools: HashMap<(&str, String), Vec<Decimal>> = HashMap::new();
        for row in &rows {
            if let Some((unit, value)) = median_basis(&row.quantity)
                && let Some(price) = unit_price(row.amount, value)
            {
                pools
                    .entry((row.product.as_str(), unit))
                    .or_default()
                    .push(price);
            }
        }
        let medians: HashMap<(&str, String), (Decimal, usize)> = pools
            .into_iter()
            .filter(|(_, prices)| prices.len() >= MEDIAN_MIN_SALES)
            .filter_map(|(key, mut prices)| {
                let count = prices.len();
                median(&mut prices).map(|m| (key, (m, count)))
            })
            .collect();

        let mut check = PriceCheck::default();
        for row in &rows {
            key.clear();
            key.push_str(&row.township_code);
            key.push('\u{1}');
            key.push_str(&row.household);
            key.push('\u{1}');
            key.push_str(&row.product);
            // (quantity in the reference unit, reference price, unit, which reference)
            let mut reference: Option<(Decimal, Decimal, String, PriceReference)> = None;
            match catalogue.get(key.as_str()) {
                Some(Price::Negotiable) => {
                    check.unchecked += 1;
                    continue;
                }
                Some(Price::PerUnit { yuan, unit }) if *yuan > Decimal::ZERO => {
                    if let Some(quantity) = quantity_in_price_unit(&row.quantity, unit.as_deref()) {
                        let unit = unit
                            .clone()
                            .or_else(|| row.quantity.unit.clone())
                            .unwrap_or_default();
                        reference = Some((quantity, *yuan, unit, PriceReference::Catalogue));
                    }
                }
                _ => {}
            }
            if reference.is_none()
                && let Some((unit, value)) = median_basis(&row.quantity)
                && let Some((median_price, sales)) =
                    medians.get(&(row.product.as_str(), unit.clone()))
            {
                reference = Some((
                    value,
                    *median_price,
                    unit,
                    PriceReference::CountyMedian { sales: *sales },
                ));
            }
            let Some((quantity, reference_price, unit, kind)) = reference else {
                check.unchecked += 1;
                continue;
            };
            match kind {
                PriceReference::Catalogue => check.checked_by_catalogue += 1,
                PriceReference::CountyMedian { .. } => check.checked_by_median += 1,
            }
            if !outside_band(row.amount, quantity, reference_price) {
                continue;
            }
            let details = self.flag_details(row.id)?;
            let (Some(price), Some(ratio), Some(form), Ok(date)) = (
                unit_price(row.amount, quantity),
                price_ratio(row.amount, quantity, reference_price),
                FormKind::from_number(details.form),
                NaiveDate::parse_from_str(&details.date, "%Y-%m-%d"),
            ) else {
                continue;
            };
            check.flags.push(PriceFlag {
                sale_id: row.id,
                kind: form,
                date,
                township_code: row.township_code.clone(),
                township: township_names
                    .get(&row.township_code)
                    .cloned()
                    .unwrap_or_default(),
                village: details.village,
                household: row.household.clone(),
                product: row.product.clone(),
                purchaser: details.purchaser,
                quantity_text: details.quantity_text,
                amount: row.amount,
                unit,
                unit_price: round_price(price),
                reference_price: round_price(reference_price),
                reference: kind,
                ratio,
            });
        }
        check.flags.sort_by_key(|f| (f.date, f.sale_id));
        Ok(check)
    }

    /// The shown fields of record `id` (a flagged one).
    fn flag_details(&self, id: i64) -> StoreResult<Details> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT s.form, s.date, s.village, COALESCE(p.name, ''), s.quantity_text
                 FROM sale s LEFT JOIN purchaser p ON p.id = s.purchaser_id WHERE s.id = ?1",
            )?
            .query_row([id], |r| {
                Ok(Details {
                    form: r.get(0)?,
                    date: r.get(1)?,
                    village: r.get(2)?,
                    purchaser: r.get(3)?,
                    quantity_text: r.get(4)?,
                })
            })?)
    }

    /// The counted records of `year` with what the check reads.
    fn price_check_rows(&self, year: i32) -> StoreResult<Vec<Row>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT id, township_code, household, product, quantity, quantity_unit, amount_fen
             FROM sale WHERE year = ?1 AND same_sale_as IS NULL",
        )?;
        let rows = statement.query_map([year], |r| {
            let quantity: String = r.get(4)?;
            Ok(Row {
                id: r.get(0)?,
                township_code: r.get(1)?,
                household: r.get(2)?,
                product: r.get(3)?,
                quantity: Quantity {
                    // An unreadable stored value is a zero quantity: not checked.
                    value: Decimal::from_str(&quantity).unwrap_or(Decimal::ZERO),
                    unit: r.get(5)?,
                },
                amount: Money::from_fen(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
