//! The `report --json` keys of issue 4 items 7 and 8: `price_flags` (R12, 五(二): unit prices
//! outside 0.5×–2× of the catalogue price or the county median), `unions` (R10, 四(一)5: members ×
//! 500元 against purchases) and `enterprise_pairings` (R11, 四(三): 百企帮百村 pairings with their
//! purchases). Like `status.rs`, these read the records themselves, outside the dashboard's
//! summary-table hot path.

use serde::Serialize;

use crate::domain::price_check::{HIGH_RATIO, LOW_RATIO, MEDIAN_MIN_SALES};
use crate::report::dashboard::DashboardJson;
use crate::store::{PairingPurchases, PriceCheck, PriceFlag, Store, StoreResult, UnionPurchases};

/// `price_flags` of `report --json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PriceFlagsJson {
    /// Number of flagged records.
    pub count: usize,
    /// The band: flagged below `low` × or above `high` × the reference (`"0.5"`, `"2"`).
    pub low: String,
    pub high: String,
    /// Minimum records of a product and unit for the county median to be a reference (5).
    pub median_min_sales: usize,
    pub checked_by_catalogue: i64,
    pub checked_by_median: i64,
    pub unchecked: i64,
    pub items: Vec<PriceFlagJson>,
}

/// One flagged record in `price_flags.items`. Prices in 元 per `unit`, two decimals.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PriceFlagJson {
    pub sale_id: i64,
    /// 2 (附件2) or 3 (附件3).
    pub form: i64,
    /// ISO date.
    pub date: String,
    pub township: String,
    pub village: String,
    pub household: String,
    pub product: String,
    pub purchaser: String,
    pub quantity: String,
    pub amount: String,
    pub unit: String,
    pub unit_price: String,
    pub reference_price: String,
    /// `catalogue` or `county_median`.
    pub reference: String,
    /// unit price ÷ reference, two decimals.
    pub ratio: String,
}

impl From<&PriceFlag> for PriceFlagJson {
    fn from(flag: &PriceFlag) -> Self {
        PriceFlagJson {
            sale_id: flag.sale_id,
            form: flag.kind.number(),
            date: flag.date.to_string(),
            township: flag.township.clone(),
            village: flag.village.clone(),
            household: flag.household.clone(),
            product: flag.product.clone(),
            purchaser: flag.purchaser.clone(),
            quantity: flag.quantity_text.clone(),
            amount: flag.amount.to_string(),
            unit: flag.unit.clone(),
            unit_price: format!("{:.2}", flag.unit_price),
            reference_price: format!("{:.2}", flag.reference_price),
            reference: flag.reference.key().to_string(),
            ratio: format!("{:.2}", flag.ratio),
        }
    }
}

impl From<&PriceCheck> for PriceFlagsJson {
    fn from(check: &PriceCheck) -> Self {
        PriceFlagsJson {
            count: check.flags.len(),
            low: LOW_RATIO.normalize().to_string(),
            high: HIGH_RATIO.normalize().to_string(),
            median_min_sales: MEDIAN_MIN_SALES,
            checked_by_catalogue: check.checked_by_catalogue,
            checked_by_median: check.checked_by_median,
            unchecked: check.unchecked,
            items: check.flags.iter().map(PriceFlagJson::from).collect(),
        }
    }
}

/// One union in `unions` of `report --json` (yuan, two decimals).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnionJson {
    pub name: String,
    /// `null` when the member count is not entered.
    pub member_count: Option<i64>,
    /// member_count × 500元; `null` without a member count.
    pub standard: Option<String>,
    pub purchased: String,
    /// standard − purchased when positive, else `"0.00"`; `null` without a member count.
    pub gap: Option<String>,
    pub records: i64,
}

impl From<&UnionPurchases> for UnionJson {
    fn from(union: &UnionPurchases) -> Self {
        UnionJson {
            name: union.name.clone(),
            member_count: union.member_count,
            standard: union.expected.map(|e| e.to_string()),
            purchased: union.purchased.to_string(),
            gap: union.gap().map(|g| g.to_string()),
            records: union.records,
        }
    }
}

/// One pairing in `enterprise_pairings` of `report --json` (yuan, two decimals).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PairingJson {
    pub enterprise: String,
    pub township_code: String,
    pub township: String,
    pub village: String,
    pub deep_poverty: bool,
    /// ISO date (结对日期).
    pub paired_on: String,
    /// Counted purchases of the year from the paired village.
    pub village_purchases: String,
    pub village_records: i64,
    /// Counted purchases of the year by the enterprise from anywhere.
    pub enterprise_total: String,
    pub enterprise_records: i64,
}

impl From<&PairingPurchases> for PairingJson {
    fn from(p: &PairingPurchases) -> Self {
        PairingJson {
            enterprise: p.pairing.enterprise.clone(),
            township_code: p.pairing.township_code.clone(),
            township: p.pairing.township.clone(),
            village: p.pairing.village.clone(),
            deep_poverty: p.pairing.deep_poverty,
            paired_on: p.pairing.paired_on.to_string(),
            village_purchases: p.village_purchases.to_string(),
            village_records: p.village_records,
            enterprise_total: p.enterprise_total.to_string(),
            enterprise_records: p.enterprise_records,
        }
    }
}

/// Fills `price_flags`, `unions` and `enterprise_pairings` of `report --json` for `json.year`.
/// Existing keys are not touched. Errors: database errors only.
pub fn add_review_json(store: &Store, json: &mut DashboardJson) -> StoreResult<()> {
    let year = json.year;
    json.price_flags = Some(PriceFlagsJson::from(&store.price_check(year)?));
    json.unions = Some(
        store
            .union_purchases(year)?
            .iter()
            .map(UnionJson::from)
            .collect(),
    );
    json.enterprise_pairings = Some(
        store
            .enterprise_pairing_purchases(year)?
            .iter()
            .map(PairingJson::from)
            .collect(),
    );
    Ok(())
}

/// The readable Chinese lines `report` (without `--json`) prints for these figures.
pub fn review_text(store: &Store, year: i32) -> StoreResult<String> {
    let check = store.price_check(year)?;
    let mut out = format!(
        "价格异常待核：{}笔（单价低于参考价{}倍或高于{}倍；参考价为本户目录价，无则为全县中位价，至少{}笔才计中位价）\n",
        check.flags.len(),
        LOW_RATIO.normalize(),
        HIGH_RATIO.normalize(),
        MEDIAN_MIN_SALES
    );
    let unions = store.union_purchases(year)?;
    let with_members: Vec<&UnionPurchases> =
        unions.iter().filter(|u| u.expected.is_some()).collect();
    if !with_members.is_empty() {
        let gap: crate::domain::Money = with_members.iter().filter_map(|u| u.gap()).sum();
        out.push_str(&format!(
            "工会直购（每人500元）：{}个工会已填会员人数，尚差{}元\n",
            with_members.len(),
            gap
        ));
    }
    let pairings = store.enterprise_pairing_purchases(year)?;
    if !pairings.is_empty() {
        let total: crate::domain::Money = pairings.iter().map(|p| p.village_purchases).sum();
        out.push_str(&format!(
            "百企帮百村：结对{}对，从结对村采购{}元\n",
            pairings.len(),
            total
        ));
    }
    Ok(out)
}
