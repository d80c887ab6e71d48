//! The figures of issue 4 that `report --json` adds to the dashboard: who has not reported in each
//! quarter (R6, 三(三)), unpaid money by age (R12, 五(二)) and the share of sales with a courier
//! shipment (R5). Computed here, outside the dashboard's summary-table hot path, because they read
//! the records themselves (a few hundred milliseconds at 100,000 records).

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::Quarter;
use crate::report::dashboard::DashboardJson;
use crate::store::{
    ReportingStatus, ShipmentCoverage, Store, StoreResult, UnpaidBuckets, unpaid_totals,
};

/// Note given with `shipments_linked_share` while no courier data has been imported.
pub const SHIPMENTS_NOT_AVAILABLE: &str = "尚未导入快递物流数据（R5），暂按0计";

/// One quarter in `unreported` of `report --json`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnreportedJson {
    /// 1–4.
    pub quarter: u8,
    /// ISO date: the 30th of the quarter's last month.
    pub report_deadline: String,
    /// ISO date: the 10th of the next quarter's first month.
    pub bulletin_deadline: String,
    /// The deadline has passed as of the day of the report (a missing report is overdue).
    pub deadline_passed: bool,
    /// Townships (附件2) with no record for the quarter, registry order.
    pub townships: Vec<String>,
    /// Lead units (附件3) with no record for the quarter, plan order.
    pub lead_units: Vec<String>,
    /// Townships and lead units that reported after the deadline.
    pub late: Vec<String>,
}

/// `unpaid` of `report --json`: counted records not paid, by age (yuan, two decimals).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnpaidJson {
    pub within_30_days: String,
    pub days_31_to_60: String,
    pub days_61_to_90: String,
    pub over_90_days: String,
    pub total: String,
    pub records: i64,
}

impl From<&UnpaidBuckets> for UnpaidJson {
    fn from(b: &UnpaidBuckets) -> Self {
        UnpaidJson {
            within_30_days: b.within_30.to_string(),
            days_31_to_60: b.days_31_to_60.to_string(),
            days_61_to_90: b.days_61_to_90.to_string(),
            over_90_days: b.over_90.to_string(),
            total: b.total().to_string(),
            records: b.records,
        }
    }
}

impl UnreportedJson {
    /// The JSON form of a quarter's reporting status.
    pub fn from_status(status: &ReportingStatus) -> Self {
        UnreportedJson {
            quarter: status.quarter.quarter,
            report_deadline: status.report_deadline.to_string(),
            bulletin_deadline: status.bulletin_deadline.to_string(),
            deadline_passed: status.deadline_passed,
            townships: status.missing_townships(),
            lead_units: status.missing_lead_units(),
            late: status.late_units(),
        }
    }
}

/// The reporting status of the four quarters of `year` as of `today`. R6, 三(三).
pub fn year_reporting_status(
    store: &Store,
    year: i32,
    today: NaiveDate,
) -> StoreResult<Vec<ReportingStatus>> {
    (1..=4u8)
        .map(|quarter| store.reporting_status(Quarter { year, quarter }, today))
        .collect()
}

/// Fills the issue-4 keys of `report --json` (`unreported`, `unpaid`, `shipments_linked_share`,
/// `shipments_linked_note`) for `json.year` as of `today`. Existing keys are not touched.
/// `unreported` counts only records entered on or before `today` (as the bulletin does with its
/// date; see [`Store::reporting_status`]). `shipments_linked_share` and
/// `shipments_linked_amount_share` are percents (0–100, one decimal: `"0.5"` is 0.5%), not
/// fractions. `unpaid` covers all years (arrears do not stop at New Year).
pub fn add_status_json(
    store: &Store,
    json: &mut DashboardJson,
    today: NaiveDate,
) -> StoreResult<()> {
    let statuses = year_reporting_status(store, json.year, today)?;
    json.unreported = Some(statuses.iter().map(UnreportedJson::from_status).collect());
    let unpaid = unpaid_totals(&store.unpaid_by_age(today)?);
    json.unpaid = Some(UnpaidJson::from(&unpaid));
    let coverage = store.shipment_coverage(json.year)?;
    json.shipments_linked_share = Some(coverage.count_share().to_string());
    json.shipments_linked_amount_share = Some(coverage.amount_share().to_string());
    json.shipments_linked_sales = Some(coverage.linked_sales);
    json.shipments_linked_note = Some(if store.shipment_count()? == 0 {
        SHIPMENTS_NOT_AVAILABLE.to_string()
    } else {
        shipments_text(json.year, &coverage)
    });
    Ok(())
}

/// `2019年计入的12笔销售中3笔有关联的物流记录，占25.0%（按金额计30.2%）；物流记录20条，已关联8条`.
/// R5, 三(三).
pub fn shipments_text(year: i32, coverage: &ShipmentCoverage) -> String {
    format!(
        "{year}年计入的{}笔销售中{}笔有关联的物流记录，占{}%（按金额计{}%）；物流记录{}条，已关联{}条",
        coverage.counted_sales,
        coverage.linked_sales,
        coverage.count_share(),
        coverage.amount_share(),
        coverage.shipments,
        coverage.linked_shipments
    )
}

/// The readable Chinese lines `report` (without `--json`) prints after the dashboard.
pub fn status_text(store: &Store, year: i32, today: NaiveDate) -> StoreResult<String> {
    let mut out = String::new();
    out.push_str(&format!(
        "\n报送情况（截至{}）：\n",
        today.format("%Y年%-m月%-d日")
    ));
    for status in year_reporting_status(store, year, today)? {
        let townships = status.missing_townships();
        let leads = status.missing_lead_units();
        let deadline = status.report_deadline.format("%-m月%-d日");
        if townships.is_empty() && leads.is_empty() {
            out.push_str(&format!(
                "{}（{deadline}截止）：全部已报送\n",
                status.quarter
            ));
            continue;
        }
        let verb = if status.deadline_passed {
            "未报送"
        } else {
            "尚未报送"
        };
        out.push_str(&format!(
            "{}（{deadline}截止）：{verb}乡镇(街道){}个，牵头单位{}个\n",
            status.quarter,
            townships.len(),
            leads.len()
        ));
    }
    let unpaid = unpaid_totals(&store.unpaid_by_age(today)?);
    out.push_str(&format!(
        "未付货款：{}元（{}笔），其中超过30天{}元、超过90天{}元\n",
        unpaid.total(),
        unpaid.records,
        unpaid.overdue(),
        unpaid.over_90
    ));
    if store.shipment_count()? > 0 {
        out.push_str(&format!(
            "物流核实：{}\n",
            shipments_text(year, &store.shipment_coverage(year)?)
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dashboard;

    #[test]
    fn the_new_keys_are_added_and_the_old_ones_kept() {
        let store = Store::open_in_memory().unwrap();
        let figures = dashboard(&store, 2019).unwrap();
        let mut json = figures.to_json();
        let plain = serde_json::to_value(&json).unwrap();
        assert!(plain.get("unreported").is_none());
        add_status_json(
            &store,
            &mut json,
            NaiveDate::from_ymd_opt(2019, 10, 8).unwrap(),
        )
        .unwrap();
        let value = serde_json::to_value(&json).unwrap();
        assert_eq!(value["total"], "0.00");
        assert_eq!(value["unreported"].as_array().unwrap().len(), 4);
        assert_eq!(value["unreported"][2]["quarter"], 3);
        assert_eq!(value["unreported"][2]["report_deadline"], "2019-09-30");
        assert_eq!(value["unreported"][2]["deadline_passed"], true);
        assert_eq!(value["unreported"][3]["deadline_passed"], false);
        assert_eq!(
            value["unreported"][2]["townships"]
                .as_array()
                .unwrap()
                .len(),
            42
        );
        assert_eq!(value["unpaid"]["total"], "0.00");
        assert_eq!(value["shipments_linked_share"], "0.0");
        let text =
            status_text(&store, 2019, NaiveDate::from_ymd_opt(2019, 10, 8).unwrap()).unwrap();
        assert!(
            text.contains("2019年第3季度（9月30日截止）：未报送乡镇(街道)42个，牵头单位13个"),
            "{text}"
        );
        assert!(
            text.contains("2019年第4季度（12月30日截止）：尚未报送"),
            "{text}"
        );
    }
}
