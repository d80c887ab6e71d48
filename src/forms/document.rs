//! From stored records to a filled form: what `export` (CLI) and the 导出Excel button run.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use crate::domain::sale::FormKind;
use crate::domain::{Money, Quantity, ReportDate};
use crate::forms::export::{CellValue, FormDocument, FormRow, HeaderInfo, write_form};
use crate::store::{ListingFilter, SaleFilter, Store};

/// Which records to export: one form, optionally one township and one year or quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub kind: FormKind,
    /// Township code; `None` = all townships.
    pub township_code: Option<String>,
    /// Year of 销售时间/采购时间 (ignored for 附件1).
    pub year: Option<i32>,
    /// Quarter 1–4 within `year` (ignored for 附件1).
    pub quarter: Option<u8>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub rows: usize,
    /// Sum of the amount column (zero for 附件1).
    pub total: Money,
}

/// What the CLI and the window say of an export that found no records (a blank form, see
/// [`build_document`]), before naming the file: `没有符合条件的记录，已导出空白附件2（空行供填写）`.
pub fn blank_form_text(kind: FormKind) -> String {
    format!(
        "没有符合条件的记录，已导出空白{}（空行供填写）",
        kind.label()
    )
}

/// Builds the form document for `request` from the store: header from this installation's
/// settings (unit; when none is set, the township's name), [`filling_date`] as 填报时间 (left
/// empty on a blank form, one without records, of a period not over yet), one row per record in
/// list order with its record id, and a new submission id recorded in the store.
pub fn build_document(
    store: &Store,
    request: &ExportRequest,
) -> Result<(FormDocument, Money), String> {
    let settings = store.settings().map_err(|e| e.to_string())?;
    let township_name = match &request.township_code {
        Some(code) => store
            .townships()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|t| &t.code == code)
            .map(|t| t.name),
        None => None,
    };
    let unit = if settings.unit.is_empty() {
        township_name.unwrap_or_default()
    } else {
        settings.unit.clone()
    };
    let today = chrono::Local::now().date_naive();
    let filled_on = filling_date(request, today);
    let header = HeaderInfo {
        unit,
        person: settings.contact_person.clone(),
        phone: settings.phone.clone(),
        date: format!(
            "{}年{}月{}日",
            filled_on.year(),
            filled_on.month(),
            filled_on.day()
        ),
    };
    let mut total = Money::ZERO;
    let rows: Vec<FormRow> = match request.kind {
        FormKind::Catalogue => {
            let filter = ListingFilter {
                township_code: request.township_code.clone(),
                ..Default::default()
            };
            store
                .listings(&filter)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|row| {
                    let l = row.listing;
                    let mut typed = Vec::new();
                    let planned = self_contained_quantity(
                        &l.planned_quantity,
                        l.planned_quantity_text,
                        "计划销量",
                        &mut typed,
                    );
                    FormRow {
                        record_id: Some(row.id),
                        typed,
                        cells: vec![
                            CellValue::Text(l.region_text),
                            CellValue::Text(l.household),
                            CellValue::Text(l.product),
                            CellValue::Text(planned),
                            CellValue::Text(l.price_text),
                            CellValue::Text(l.supply_methods.join("、")),
                            CellValue::Text(l.shop_url),
                            CellValue::Text(l.contact),
                            CellValue::Text(l.remark),
                        ],
                    }
                })
                .collect()
        }
        FormKind::Sale | FormKind::Procurement => {
            let filter = SaleFilter {
                form: Some(request.kind),
                township_code: request.township_code.clone(),
                year: request.year,
                quarter: request.year.and(request.quarter),
                ..Default::default()
            };
            store
                .sales(&filter)
                .map_err(|e| e.to_string())?
                .into_iter()
                .map(|row| {
                    let r = row.record;
                    total += r.amount;
                    let (date_column, quantity_column, _) = request.kind.column_names();
                    let mut typed = Vec::new();
                    let date = self_contained_date(&r.date, r.date_text, date_column, &mut typed);
                    let quantity = self_contained_quantity(
                        &r.quantity,
                        r.quantity_text,
                        quantity_column,
                        &mut typed,
                    );
                    FormRow {
                        record_id: Some(row.id),
                        typed,
                        cells: vec![
                            CellValue::Text(r.purchaser),
                            CellValue::Text(date),
                            CellValue::Text(r.region_text),
                            CellValue::Text(r.household),
                            CellValue::Text(r.product),
                            CellValue::Text(quantity),
                            CellValue::Money(r.amount),
                            CellValue::Text(r.remark),
                        ],
                    }
                })
                .collect()
        }
    };
    // A blank form (no records) of a period not over yet: the township or department fills in
    // its own 填报时间 (today's date would refuse every later sale). A past period's blank form
    // keeps the period's last day, so that `9月20日` is read in its year.
    let header = if rows.is_empty() && filled_on == today {
        HeaderInfo {
            date: String::new(),
            ..header
        }
    } else {
        header
    };
    let submission_id = new_submission_id(request.kind);
    Ok((
        FormDocument {
            kind: request.kind,
            header,
            rows,
            submission_id,
        },
        total,
    ))
}

/// The 填报时间 (附件2/3) or 填写日期 (附件1) printed on an export made on `today`: today, or
/// the last day of the requested year or quarter when that period is over (a 2019 第三季度 form
/// exported in 2026 says 2019年9月30日), so that a date typed without its year (`9月20日`) on the
/// printed form is read in the form's year when the form comes back (import rule 5).
pub fn filling_date(request: &ExportRequest, today: NaiveDate) -> NaiveDate {
    if request.kind == FormKind::Catalogue {
        return today;
    }
    let Some(year) = request.year else {
        return today;
    };
    let last_month = match request.quarter {
        Some(quarter @ 1..=4) => u32::from(quarter) * 3,
        _ => 12,
    };
    let period_end = NaiveDate::from_ymd_opt(year, last_month, 1)
        .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
        .and_then(|next| next.pred_opt());
    match period_end {
        Some(end) if end < today => end,
        _ => today,
    }
}

/// The text to print for a date: the typed text when it reads back as the same date on its own
/// (no 填报时间 needed), else the full date (`9月9日` read with 填报时间 2019年9月30日 prints
/// `2019年9月9日`, [`ReportDate::text_without_context`]), with the typed text kept in `typed`
/// under `column`.
fn self_contained_date(
    date: &ReportDate,
    typed_text: String,
    column: &str,
    typed: &mut Vec<(String, String)>,
) -> String {
    match date.text_without_context(&typed_text) {
        Some(full) => {
            typed.push((column.to_string(), typed_text));
            full
        }
        None => typed_text,
    }
}

/// The text to print for a quantity: the typed text when it reads back as the same quantity on
/// its own (no unit from the header or a unit row), else the value with its unit (`30` under
/// `销售数量（公斤）` prints `30公斤`, [`Quantity::text_without_context`]), with the typed text kept
/// in `typed` under `column`.
fn self_contained_quantity(
    quantity: &Quantity,
    typed_text: String,
    column: &str,
    typed: &mut Vec<(String, String)>,
) -> String {
    match quantity.text_without_context(&typed_text, column) {
        Some(full) => {
            typed.push((column.to_string(), typed_text));
            full
        }
        None => typed_text,
    }
}

/// A submission id: form, time and a random part, e.g. `F2-20191001T093000-5f3a9c1e`.
fn new_submission_id(kind: FormKind) -> String {
    let random: u32 = rand::random();
    format!(
        "F{}-{}-{random:08x}",
        kind.number(),
        chrono::Local::now().format("%Y%m%dT%H%M%S")
    )
}

/// Exports the records of `request` from the database at `db_path` to `out` (xlsx, official
/// layout). Opens its own connection, so it can run on a background thread while the window
/// keeps working. `progress` receives 0.0–1.0. Errors are Chinese messages.
pub fn export_form(
    db_path: &Path,
    request: &ExportRequest,
    out: &Path,
    progress: &(dyn Fn(f32) + Sync),
) -> Result<ExportSummary, String> {
    let mut store = Store::open(db_path).map_err(|e| e.to_string())?;
    // The rows and what they were (for a later re-import) are read in one state of the ledger.
    let (document, total, snapshot) = store.read_consistently(|store| {
        let (document, total) = build_document(store, request)?;
        let ids: Vec<i64> = document.rows.iter().filter_map(|r| r.record_id).collect();
        let snapshot = store
            .export_snapshot(request.kind, &ids)
            .map_err(|e| e.to_string())?;
        Ok((document, total, snapshot))
    })?;
    let rows = document.rows.len();
    write_form(&document, out, &|fraction| progress(fraction)).map_err(|e| e.to_string())?;
    store
        .record_export(
            &document.submission_id,
            request.kind,
            &document.header.unit,
            out,
            &snapshot,
        )
        .map_err(|e| e.to_string())?;
    Ok(ExportSummary {
        path: out.to_path_buf(),
        rows,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn request(kind: FormKind, year: Option<i32>, quarter: Option<u8>) -> ExportRequest {
        ExportRequest {
            kind,
            township_code: None,
            year,
            quarter,
        }
    }

    #[test]
    fn a_past_period_is_filled_on_its_last_day() {
        let today = day("2026-12-01");
        let cases = [
            (request(FormKind::Sale, Some(2019), Some(3)), "2019-09-30"),
            (
                request(FormKind::Procurement, Some(2019), Some(4)),
                "2019-12-31",
            ),
            (request(FormKind::Sale, Some(2020), Some(1)), "2020-03-31"),
            (request(FormKind::Sale, Some(2019), None), "2019-12-31"),
            // The period still running, a later one, no period, and 附件1: today.
            (request(FormKind::Sale, Some(2026), Some(4)), "2026-12-01"),
            (request(FormKind::Sale, Some(2026), None), "2026-12-01"),
            (request(FormKind::Sale, Some(2027), Some(1)), "2026-12-01"),
            (request(FormKind::Sale, None, Some(3)), "2026-12-01"),
            (
                request(FormKind::Catalogue, Some(2019), Some(3)),
                "2026-12-01",
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(filling_date(&request, today), day(expected), "{request:?}");
        }
    }
}
