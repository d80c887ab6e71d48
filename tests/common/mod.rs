//! Fixtures shared by the store-level tests: township codes, a sale record builder with
//! builder-style setters for the fields some tests vary, a temporary database, and dates and
//! sample paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::domain::{DatePrecision, Money, Quantity, ReportDate};
use xiaofei_fupin::store::Store;

/// 泥溪镇, the county's one deep-poverty township.
pub const NIXI: &str = "500235139";
/// 双江街道.
pub const SHUANGJIANG: &str = "500235001";

/// A record of `kind` by `purchaser` from `village` in `township` on `date` (year, month, day,
/// day precision) for `fen` 分.
///
/// The rest is fixed unless a [`SaleRecordFixture`] setter changes it: 王某某's 30斤 土豆, region
/// text `云阳县{village}`, no remark, nothing involved, no channel override, no warnings.
pub fn sale(
    kind: FormKind,
    purchaser: &str,
    township: &str,
    village: &str,
    date: (i32, u32, u32),
    fen: i64,
) -> SaleRecord {
    let date = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
    SaleRecord {
        kind,
        purchaser: purchaser.into(),
        date: ReportDate {
            date,
            precision: DatePrecision::Day,
        },
        date_text: date.format("%Y.%-m.%-d").to_string(),
        region_text: format!("云阳县{village}"),
        township_code: township.into(),
        village: village.into(),
        household: "王某某".into(),
        product: "土豆".into(),
        quantity: Quantity {
            value: Decimal::from(30),
            unit: Some("斤".into()),
        },
        quantity_text: "30斤".into(),
        amount: Money::from_fen(fen),
        amount_text: format!("{}元", Money::from_fen(fen)),
        remark: String::new(),
        involved: None,
        channel_override: None,
        warnings: Vec::new(),
    }
}

/// Builder-style setters for the fields of a [`sale`] fixture that tests vary.
pub trait SaleRecordFixture {
    /// The region as written on the form (地区).
    fn with_region(self, region_text: &str) -> Self;
    /// The poor household (贫困户).
    fn with_household(self, household: &str) -> Self;
    /// The product (产品).
    fn with_product(self, product: &str) -> Self;
    /// The quantity, `value` in `unit`; the text is the two written together (`15斤`).
    fn with_quantity(self, value: i64, unit: &str) -> Self;
    /// The remark (备注).
    fn with_remark(self, remark: &str) -> Self;
}

impl SaleRecordFixture for SaleRecord {
    fn with_region(mut self, region_text: &str) -> Self {
        self.region_text = region_text.into();
        self
    }

    fn with_household(mut self, household: &str) -> Self {
        self.household = household.into();
        self
    }

    fn with_product(mut self, product: &str) -> Self {
        self.product = product.into();
        self
    }

    fn with_quantity(mut self, value: i64, unit: &str) -> Self {
        self.quantity = Quantity {
            value: Decimal::from(value),
            unit: Some(unit.into()),
        };
        self.quantity_text = format!("{value}{unit}");
        self
    }

    fn with_remark(mut self, remark: &str) -> Self {
        self.remark = remark.into();
        self
    }
}

/// A store on a new database file `ledger.db` in a temporary folder: (folder, file, store).
/// Keep the folder alive for as long as the store is used.
pub fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

/// The date `y`-`m`-`d`.
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The path of sample form `name` in `tests/samples`.
pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name)
}

/// A 附件1 form: `info` in row 1 (`填写单位：… 填写日期：…`), the header 序号, 地区, 贫困户姓名,
/// 产品品种, 计划销量, 销售价格(元), 供货方式 in row 2, then `rows` of those 7 cells.
pub fn write_catalogue_form(path: &Path, info: &str, rows: &[[&str; 7]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, info).unwrap();
    let header = [
        "序号",
        "地区",
        "贫困户姓名",
        "产品品种",
        "计划销量",
        "销售价格(元)",
        "供货方式",
    ];
    for (r, row) in std::iter::once(&header).chain(rows).enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}
