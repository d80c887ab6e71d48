//! The county supply catalogue (云阳县贫困户农特产品供应目录, R2, 三(一)2–3): every township's 附件1
//! listings compiled into one print-ready xlsx that the commerce committee sends out, with each
//! township's last update date and a warning for townships whose catalogue is older than one month
//! (townships update at least monthly, 三(一)3).
//!
//! # Workbook
//!
//! - Sheet `供应目录` (A4 landscape, column headers repeated on every page): title, compiler and
//!   date over a rule, then per township (registry order, only those with listings) a grey group
//!   row `泥溪镇★　共12条　最近更新：2019年9月30日`, a red row `超过一个月未更新…` when stale, and
//!   its listings (村(社区), 贫困户姓名, 产品名称, 计划销量, 销售价格, 供货方式, 网店地址, 供货联系人及联系方式,
//!   备注, as typed). At the end the townships that have sent no catalogue.
//! - Sheet `更新情况` (A4 portrait): the 42 townships with listing count, last update and state
//!   (正常 / 超过一个月未更新 / 未报送).
//!
//! The rule: a township's last update is the latest day one of its listings was updated (the
//! 填写日期 of the 附件1 that last listed it, else the day it was saved); it is stale when
//! that day is before `compiled` minus one calendar month (on 2019-10-08, anything before
//! 2019-09-08).

use std::path::Path;

use chrono::{Months, NaiveDate};
use rust_xlsxwriter::Workbook;

use crate::forms::export::{ExportError, write_atomically};
use crate::report::bulletin::DEFAULT_ISSUER;
use crate::report::sheet::{Cell, DocSheet, LINE_HEIGHT, ROW_PADDING, at, over};
use crate::store::{ListingFilter, ListingRow, Store, StoreResult};

/// One township's part of the supply catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct TownshipCatalogue {
    pub code: String,
    pub name: String,
    pub deep_poverty: bool,
    /// Its listings in catalogue order.
    pub listings: Vec<ListingRow>,
    /// Day of its latest listing change; `None` when it has no listing.
    pub last_update: Option<NaiveDate>,
    /// Last update older than one month (see the module docs).
    pub stale: bool,
}

impl TownshipCatalogue {
    /// `正常`, `超过一个月未更新` or `未报送`.
    pub fn state(&self) -> &'static str {
        match (self.last_update, self.stale) {
            (None, _) => "未报送",
            (Some(_), true) => "超过一个月未更新",
            (Some(_), false) => "正常",
        }
    }
}

/// The compiled county supply catalogue (R2).
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyCatalogue {
    /// The day it was compiled (printed, and the reference for staleness).
    pub compiled: NaiveDate,
    /// 编制单位.
    pub issuer: String,
    /// All 42 townships in registry order (with or without listings).
    pub townships: Vec<TownshipCatalogue>,
}

impl SupplyCatalogue {
    /// Number of listings in all.
    pub fn listing_count(&self) -> usize {
        self.townships.iter().map(|t| t.listings.len()).sum()
    }

    /// Names of the townships whose catalogue is older than one month.
    pub fn stale_townships(&self) -> Vec<String> {
        self.townships
            .iter()
            .filter(|t| t.stale)
            .map(|t| t.name.clone())
            .collect()
    }

    /// Names of the townships with no listing.
    pub fn missing_townships(&self) -> Vec<String> {
        self.townships
            .iter()
            .filter(|t| t.listings.is_empty())
            .map(|t| t.name.clone())
            .collect()
    }
}

/// Compiles the supply catalogue as of `compiled`. Errors: database errors only.
pub fn supply_catalogue(store: &Store, compiled: NaiveDate) -> StoreResult<SupplyCatalogue> {
    let threshold = compiled
        .checked_sub_months(Months::new(1))
        .unwrap_or(compiled);
    let unit = store.settings()?.unit;
    let issuer = if unit.trim().is_empty() {
        DEFAULT_ISSUER.to_string()
    } else {
        unit
    };
    let mut listings = store.listings(&ListingFilter::default())?;
    listings.sort_by(|a, b| {
        (&a.listing.township_code, &a.listing.village, a.id).cmp(&(
            &b.listing.township_code,
            &b.listing.village,
            b.id,
        ))
    });
    let townships = store
        .townships()?
        .into_iter()
        .map(|t| {
            let own: Vec<ListingRow> = listings
                .iter()
                .filter(|l| l.listing.township_code == t.code)
                .cloned()
                .collect();
            let last_update = own.iter().filter_map(ListingRow::last_updated_on).max();
            TownshipCatalogue {
                stale: last_update.is_some_and(|d| d < threshold),
                code: t.code,
                name: t.name,
                deep_poverty: t.deep_poverty,
                listings: own,
                last_update,
            }
        })
        .collect();
    Ok(SupplyCatalogue {
        compiled,
        issuer,
        townships,
    })
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// Column widths of the catalogue sheet: 序号, 村(社区), 姓名, 产品, 计划销量, 价格, 供货方式, 网店,
/// 联系人, 备注.
const WIDTHS: [f64; 10] = [5.5, 12.0, 12.0, 10.0, 9.5, 10.0, 11.0, 27.0, 22.0, 13.0];
const HEADERS: [&str; 10] = [
    "序号",
    "村(社区)",
    "贫困户姓名",
    "产品名称",
    "计划销量",
    "销售价格",
    "供货方式",
    "网店地址",
    "供货联系人及联系方式",
    "备注",
];
/// Column widths of the 更新情况 sheet.
const STATUS_WIDTHS: [f64; 5] = [7.0, 22.0, 12.0, 20.0, 22.0];
/// Row height (pt) of the 更新情况 table, so that the 42 townships fit on one A4 page.
const STATUS_ROW_HEIGHT: f64 = 14.5;

/// Writes the supply catalogue as a print-ready xlsx at `path` (temporary file, then renamed).
pub fn write_supply_catalogue(catalogue: &SupplyCatalogue, path: &Path) -> Result<(), ExportError> {
    let bytes = supply_catalogue_to_bytes(catalogue)?;
    write_atomically(path, &bytes)
}

/// The supply catalogue's xlsx file as bytes (see the module docs for the layout).
pub fn supply_catalogue_to_bytes(c: &SupplyCatalogue) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("供应目录")?;
        let mut doc = DocSheet::new(sheet, &WIDTHS)?;
        doc.title("云阳县贫困户农特产品供应目录", false)?;
        let with_listings = c
            .townships
            .iter()
            .filter(|t| !t.listings.is_empty())
            .count();
        doc.issuer_line(
            &format!(
                "编制单位：{}　　共{}个乡镇(街道)、{}条产品",
                c.issuer,
                with_listings,
                c.listing_count()
            ),
            &format!("编制日期：{}", date_text(c.compiled)),
            7,
        )?;
        doc.gap(6.0)?;
        let header_row = doc.row;
        let headers: Vec<_> = HEADERS
            .iter()
            .enumerate()
            .map(|(i, h)| at(i as u16, Cell::Centre((*h).to_string())))
            .collect();
        doc.header(&headers)?;
        for township in c.townships.iter().filter(|t| !t.listings.is_empty()) {
            let name = if township.deep_poverty {
                format!("{}★", township.name)
            } else {
                township.name.clone()
            };
            let updated = township.last_update.map(date_text).unwrap_or_default();
            doc.group(&format!(
                "{name}　　共{}条　　最近更新：{updated}",
                township.listings.len()
            ))?;
            if township.stale {
                doc.warning(&format!(
                    "超过一个月未更新：{}的待销目录最近更新于{updated}，请该乡镇(街道)及时核实更新。",
                    township.name
                ))?;
            }
            for (index, row) in township.listings.iter().enumerate() {
                let l = &row.listing;
                let village = if l.village.is_empty() {
                    l.region_text.clone()
                } else {
                    l.village.clone()
                };
                let cells = [
                    village,
                    l.household.clone(),
                    l.product.clone(),
                    l.planned_quantity_text.clone(),
                    l.price_text.clone(),
                    l.supply_methods.join("、"),
                    l.shop_url.clone(),
                    l.contact.clone(),
                    l.remark.clone(),
                ];
                let mut spans = vec![at(0, Cell::Integer(index as i64 + 1))];
                for (offset, text) in cells.into_iter().enumerate() {
                    let column = offset as u16 + 1;
                    let cell = if WIDTHS[offset + 1] > 13.0 {
                        Cell::Left(text)
                    } else {
                        Cell::Centre(text)
                    };
                    spans.push(at(column, cell));
                }
                // Web addresses wrap only after `/`, so they need more lines than their length says.
                let url_lines = crate::forms::export::wrapped_lines(&l.shop_url, WIDTHS[7] - 1.5);
                doc.row(&spans, false, url_lines * LINE_HEIGHT + ROW_PADDING)?;
            }
        }
        let missing = c.missing_townships();
        doc.gap(6.0)?;
        if !missing.is_empty() {
            doc.note(&format!(
                "尚未报送待销目录的乡镇(街道)（{}个）：{}。",
                missing.len(),
                missing.join("、")
            ))?;
        }
        doc.note(
            "说明：1.本目录由各乡镇(街道)报送的《乡镇(街道)贫困户农特产品待销目录》（附件1）汇编，价格、数量以供货方联系确认为准。\
             2.各乡镇(街道)至少每月更新一次待销目录；超过一个月未更新的已标注。3.★为深度贫困乡镇。",
        )?;
        doc.finish(true, Some((header_row, header_row)), false)?;
    }
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("更新情况")?;
        let mut doc = DocSheet::new(sheet, &STATUS_WIDTHS)?;
        doc.title("各乡镇(街道)待销目录更新情况", false)?;
        doc.issuer_line(
            &format!("编制单位：{}", c.issuer),
            &format!("截至{}", date_text(c.compiled)),
            3,
        )?;
        doc.gap(6.0)?;
        let header_row = doc.row;
        doc.header(&[
            at(0, Cell::Centre("序号".into())),
            at(1, Cell::Centre("乡镇(街道)".into())),
            at(2, Cell::Centre("产品条数".into())),
            at(3, Cell::Centre("最近更新日期".into())),
            at(4, Cell::Centre("状态".into())),
        ])?;
        for (index, township) in c.townships.iter().enumerate() {
            let name = if township.deep_poverty {
                format!("{}★", township.name)
            } else {
                township.name.clone()
            };
            doc.row(
                &[
                    at(0, Cell::Integer(index as i64 + 1)),
                    at(1, Cell::Left(name)),
                    at(2, Cell::Integer(township.listings.len() as i64)),
                    at(
                        3,
                        township
                            .last_update
                            .map(|d| Cell::Centre(d.format("%Y-%m-%d").to_string()))
                            .unwrap_or(Cell::Dash),
                    ),
                    at(4, Cell::Centre(township.state().to_string())),
                ],
                false,
                STATUS_ROW_HEIGHT,
            )?;
        }
        doc.row(
            &[
                over(0, 1, Cell::Centre("合计".into())),
                at(2, Cell::Integer(c.listing_count() as i64)),
                over(
                    3,
                    4,
                    Cell::Centre(format!(
                        "超过一个月未更新{}个，未报送{}个",
                        c.stale_townships().len(),
                        c.missing_townships().len()
                    )),
                ),
            ],
            true,
            STATUS_ROW_HEIGHT,
        )?;
        doc.finish(false, Some((header_row, header_row)), true)?;
    }
    Ok(workbook.save_to_buffer()?)
}
