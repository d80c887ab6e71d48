//! Classifying the rows below the header (rule 3) and turning data rows into validated records
//! (rules 4–12, 16, 17, 19).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::domain::sale::{
    ColumnUnits, FormKind, ListingDraft, ListingField, SaleDraft, SaleField, SaleRecord,
    validate_listing_with_units, validate_sale_in_region,
};
use crate::domain::text::{clean_name, clean_text};
use crate::domain::{DatePrecision, Money, Quantity, RegionResolver, ReportDate};

use super::detect::{Header, Role, fold, is_header_row};
use super::grid::{CellValue, GridRow, GridSheet, is_a_result, number_text};
use super::regions::{RegionCache, ReportingTownship};
use super::{ImportedRow, RowContent, RowIssue};

/// The warning every record from a hidden row carries (rule 16).
pub const HIDDEN_ROW_WARNING: &str = "隐藏行";

/// The warning every record from a hidden sheet carries: its rows are data in the file (as
/// hidden rows are, rule 16), but the clerk who sent it may not have seen them.
pub const HIDDEN_SHEET_WARNING: &str = "隐藏工作表中的行";

/// What a row below the header is.
#[derive(Debug, Clone, PartialEq)]
enum RowClass {
    /// Nothing in the form's columns (or only 序号): skipped, does not end the table.
    Blank,
    /// Another copy of the header (printed pages repeat it).
    RepeatedHeader,
    /// `备注：`, `1.…`, `填表人：…`.
    Footnote {
        starts_block: bool,
    },
    /// 合计/总计 (`grand`), 小计, or a total named by what it sums (`本月合计`: `named`, checked
    /// like a 合计 when it is the sheet's only total).
    Total {
        grand: bool,
        named: bool,
    },
    /// The template's own sample row (`云阳县xx乡镇xx村` / `王某某`).
    Sample,
    /// Something only in columns that are not part of a record's identity (备注, 供货方式, an
    /// extra column …) while every key column is empty: no record can come of it. Skipped like a
    /// blank row; the sheet gets one summarising warning (a column filled down to the end of the
    /// sheet must not become a million row errors).
    NoteOnly,
    Data,
}

/// Everything the rows of one sheet produced.
#[derive(Debug, Default)]
pub(crate) struct SheetRows {
    pub rows: Vec<ImportedRow>,
    pub errors: Vec<RowIssue>,
    /// The value of the last 合计/总计 row's amount cell.
    pub stated_total: Option<Money>,
    /// The error value (`#REF!`, `#VALUE!`) of a 合计/总计 row's amount cell after the last readable
    /// one: a formula broken by deleted rows; nothing to check against.
    pub total_error: Option<String>,
    /// Whether the amount cell of the total `stated_total` comes from holds a formula (`=SUM(…)`),
    /// not a typed total.
    pub stated_total_is_formula: bool,
    /// Amounts of rejected rows that could be read (to explain a 合计 difference); at most
    /// [`MAX_REJECTED_ROWS`] of them are kept.
    pub rejected_amounts: Vec<Money>,
    /// How many rows were rejected. `errors` holds the issues of the first
    /// [`MAX_REJECTED_ROWS`] of them only.
    pub rejected_count: usize,
    /// The imported rows whose amount cell holds text (`90元`, or a number typed into a cell
    /// formatted as text) in a workbook (not a CSV, where every cell is text): how many, and their
    /// amounts added up. Excel's SUM leaves text out, so they explain a 合计 that is short by
    /// exactly that much.
    pub text_amounts: (usize, Money),
    /// The first of those rows (row number, and the amount as typed): the example the 合计
    /// warning quotes.
    pub first_text_amount: Option<(u32, String)>,
    /// Rows skipped because only non-key columns were filled ([`RowClass::NoteOnly`]).
    pub note_only: NoteOnlyRows,
    /// Rows of an export emptied but for their hidden 记录编号 (and 序号), by Excel row number:
    /// the clerk may have meant to delete the record, which an import never does.
    pub emptied_with_id: Vec<u32>,
    /// The hidden 记录编号 of rejected rows (an export's rows whose correction was refused):
    /// those records are in the file, only not importable as written.
    pub rejected_record_ids: Vec<i64>,
    /// (贫困户姓名, 产品品种) of rejected 附件2/3 rows, cleaned as stored: a file sent again
    /// still holds those sales, only not importable as written.
    pub rejected_household_products: Vec<(String, String)>,
}

/// Most rejected rows of one sheet whose issues are kept. A sheet with more is refused as a
/// whole (see [`SheetRows::too_many_rejected`]): that many bad rows mean a wrong template or
/// shifted columns, and listing them all would exhaust memory on a sheet filled to row 1,048,576.
pub(crate) const MAX_REJECTED_ROWS: usize = 1_000;

/// The rows skipped as [`RowClass::NoteOnly`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct NoteOnlyRows {
    pub count: usize,
    /// Excel row numbers of the first and last such row.
    pub first: u32,
    pub last: u32,
    /// Names of the columns that were filled (e.g. `备注`), each once, at most a few.
    pub columns: Vec<&'static str>,
}

impl NoteOnlyRows {
    fn add(&mut self, row: u32, columns: impl IntoIterator<Item = &'static str>) {
        if self.count == 0 {
            self.first = row;
        }
        self.count += 1;
        self.last = row;
        for name in columns {
            if self.columns.len() < 4 && !self.columns.contains(&name) {
                self.columns.push(name);
            }
        }
    }

    /// The one warning about these rows, or `None` when there were none.
    pub(crate) fn warning(&self, kind: FormKind) -> Option<String> {
        if self.count == 0 {
            return None;
        }
        let where_ = if self.count == 1 {
            format!("第{}行", self.first)
        } else {
            format!("第{}–{}行中有{}行", self.first, self.last, self.count)
        };
        let filled = if self.columns.is_empty() {
            "表格外的列".to_string()
        } else {
            self.columns.join("、")
        };
        let keys: Vec<&str> = key_columns(kind).iter().map(|(_, name)| *name).collect();
        Some(format!(
            "{where_}只填写了{filled}，{}均为空（或只有0、错误值等公式结果），不是一条记录，已按空行跳过",
            keys.join("、")
        ))
    }
}

impl SheetRows {
    /// The sheet warning for [`SheetRows::emptied_with_id`], if any row was.
    pub(crate) fn emptied_warning(&self) -> Option<String> {
        let rows = &self.emptied_with_id;
        if rows.is_empty() {
            return None;
        }
        let shown: Vec<String> = rows.iter().take(10).map(u32::to_string).collect();
        Some(format!(
            "第{}行{}的内容已清空，只剩隐藏的记录编号：导入不会删除台账中的记录，这些记录仍在；如确需删除，请在程序中删除",
            shown.join("、"),
            if rows.len() > 10 { "等" } else { "" }
        ))
    }

    /// True when more rows were rejected than [`MAX_REJECTED_ROWS`].
    pub(crate) fn too_many_rejected(&self) -> bool {
        self.rejected_count > MAX_REJECTED_ROWS
    }

    /// Records the issues of one rejected row (kept for the first [`MAX_REJECTED_ROWS`] rows).
    fn reject(&mut self, issues: impl IntoIterator<Item = RowIssue>, amount: Option<Money>) {
        self.rejected_count += 1;
        if self.rejected_count <= MAX_REJECTED_ROWS {
            self.errors.extend(issues);
            self.rejected_amounts.extend(amount);
        }
    }
}

/// The columns a record is made of (those a header must have): a row with none of them filled
/// is no record.
pub(crate) fn key_columns(kind: FormKind) -> Vec<(Role, &'static str)> {
    let roles: &[Role] = match kind {
        FormKind::Catalogue => &[
            Role::Region,
            Role::Household,
            Role::Product,
            Role::PlannedQuantity,
            Role::Price,
        ],
        FormKind::Sale | FormKind::Procurement => &[
            Role::Purchaser,
            Role::Date,
            Role::Region,
            Role::Household,
            Role::Product,
            Role::Quantity,
            Role::Amount,
        ],
    };
    roles
        .iter()
        .map(|&role| (role, role_column(kind, role)))
        .collect()
}

/// The Chinese name of a non-key column, for the [`NoteOnlyRows`] warning.
fn other_column_name(role: Option<Role>) -> &'static str {
    match role {
        Some(
            role @ (Role::Remark
            | Role::SupplyMethod
            | Role::ShopUrl
            | Role::Contact
            | Role::ContactPhone
            | Role::QuantityUnit
            | Role::Township
            | Role::Village
            | Role::Group
            | Role::Cooperative),
        ) => role_column(FormKind::Catalogue, role),
        _ => "表格外的列",
    }
}

/// Per-sheet context for turning rows into records.
pub(crate) struct RowContext<'a> {
    pub sheet: &'a GridSheet,
    pub header: &'a Header,
    pub resolver: &'a RegionResolver,
    /// 填报时间: year for `9月1日`, upper bound for dates.
    pub reference: Option<NaiveDate>,
    /// The day of the import (the computer's clock): a sheet without 填报时间 warns of dates
    /// after it ([`flag_years_apart`]).
    pub today: NaiveDate,
    /// The official name of the township whose own form the sheet is (its 填报单位
    /// `农坝镇人民政府`, or without one its title), if any: the township of a 地区 that gives only
    /// the village ([`RegionCache::completed`]).
    pub reporting_township: Option<ReportingTownship>,
    /// The sheet's 填报单位 as written: the buyer of a 附件3 row that leaves 采购单位 empty (a unit
    /// reporting its own purchases).
    pub unit: Option<String>,
    /// The rows (1-based) holding a formula the sheet keeps (`sheet.formulas`): only those can
    /// have a formula saved without its result.
    pub formula_rows: std::collections::HashSet<u32>,
    /// The rows (1-based) whose quantity or amount cell lies in a region merged over several
    /// rows, with its first and last row ([`merged_rows`]).
    pub merged_quantities: HashMap<u32, (u32, u32)>,
    pub merged_amounts: HashMap<u32, (u32, u32)>,
}

/// The rows whose cell in the column of `role` (销售数量, 销售金额) lies in a region merged over
/// several rows (the merged value is read in each, rule 15), with the region's first and last
/// row (1-based). At most 100,000 rows are looked at.
pub(crate) fn merged_rows(
    sheet: &GridSheet,
    header: &Header,
    role: Role,
) -> HashMap<u32, (u32, u32)> {
    let mut out = HashMap::new();
    let Some(column) = header.col(role) else {
        return out;
    };
    for &(first_row, first_col, last_row, last_col) in &sheet.merges {
        if first_row == last_row || !(first_col..=last_col).contains(&column) {
            continue;
        }
        let (first, last) = (first_row.saturating_add(1), last_row.saturating_add(1));
        let span = last.saturating_sub(first).min(100_000);
        for row in first..=first.saturating_add(span) {
            if out.len() >= 100_000 {
                return out;
            }
            out.insert(row, (first, last));
        }
    }
    out
}

/// Processes every row after the header: classifies them in order, then validates the data rows
/// (on several threads for large sheets; the result is the same and in row order).
pub(crate) fn import_rows(ctx: &RowContext<'_>) -> SheetRows {
    let mut out = SheetRows::default();
    let mut in_footnotes = false;
    let mut data: Vec<&GridRow> = Vec::new();
    // The amounts of totals named by what they sum (`本月合计`).
    let mut named_totals: Vec<(Money, bool)> = Vec::new();
    let rows = ctx.sheet.rows.get(ctx.header.data_start..).unwrap_or(&[]);
    for row in rows {
        match classify(ctx.header, row, in_footnotes) {
            RowClass::Blank => {
                if record_id(ctx.header, row).is_some() {
                    out.emptied_with_id.push(row.number);
                }
            }
            RowClass::RepeatedHeader => {}
            RowClass::Footnote { starts_block } => in_footnotes |= starts_block,
            RowClass::Total { grand, named } => {
                let amount_col = ctx.header.col(Role::Amount);
                let is_formula =
                    amount_col.is_some_and(|c| ctx.sheet.formulas.contains_key(&(row.number, c)));
                match total_value(ctx.header, row) {
                    Some(total) if grand => {
                        out.stated_total = Some(total);
                        out.stated_total_is_formula = is_formula;
                        out.total_error = None;
                    }
                    Some(total) if named => named_totals.push((total, is_formula)),
                    Some(_) => {}
                    None if grand => match amount_col.and_then(|c| row.get(c)) {
                        Some(CellValue::Error(error)) => out.total_error = Some(error.clone()),
                        Some(CellValue::Text(text)) if is_error_text(text.trim()) => {
                            out.total_error = Some(text.trim().to_string());
                        }
                        _ => {}
                    },
                    None => {}
                }
            }
            RowClass::NoteOnly => {
                // The columns that say something (not the zeros of a formula dragged down).
                let names = form_cells(ctx.header, row)
                    .filter(|(_, value)| holds_a_value(value))
                    .map(|(c, _)| {
                        ctx.header
                            .columns
                            .iter()
                            .find(|k| k.col == c)
                            .map(|k| k.role)
                    })
                    .map(other_column_name);
                out.note_only.add(row.number, names);
            }
            RowClass::Sample => {
                let column = if ctx
                    .header
                    .col(Role::Region)
                    .and_then(|c| row.get(c))
                    .is_some()
                {
                    "地区"
                } else {
                    "贫困户姓名"
                };
                let issue = RowIssue {
                    sheet: ctx.sheet.name.clone(),
                    row: row.number,
                    column: column.to_string(),
                    message: "模板示例行（云阳县xx乡镇xx村 / 王某某），不是实际数据，未导入"
                        .to_string(),
                };
                out.reject([issue], None);
            }
            RowClass::Data => data.push(row),
        }
    }

    // A sheet whose only total is named (`本月合计`, `第三季度合计`) is checked against it.
    if out.stated_total.is_none()
        && let [(only, is_formula)] = named_totals.as_slice()
    {
        out.stated_total = Some(*only);
        out.stated_total_is_formula = *is_formula;
    }
    // On several threads for many rows; a panic in a worker is re-raised here and turned into
    // a rejection by parse_bytes.
    let parts: Vec<SheetRows> =
        super::in_parallel_chunks(&data, |_, rows| validate_rows(ctx, rows));
    out.rows.reserve(parts.iter().map(|p| p.rows.len()).sum());
    for part in parts {
        out.rows.extend(part.rows);
        out.errors.extend(part.errors);
        out.rejected_amounts.extend(part.rejected_amounts);
        out.rejected_record_ids.extend(part.rejected_record_ids);
        out.rejected_household_products
            .extend(part.rejected_household_products);
        out.rejected_count += part.rejected_count;
        out.text_amounts.0 += part.text_amounts.0;
        out.text_amounts.1 += part.text_amounts.1;
        out.first_text_amount = out.first_text_amount.or(part.first_text_amount);
    }
    out.errors.sort_by_key(|e| e.row);
    // Each part kept the issues of its first rejected rows: keep those of the sheet's first.
    let mut kept_rows = 0;
    let mut last_row = None;
    out.errors.retain(|e| {
        if last_row != Some(e.row) {
            last_row = Some(e.row);
            kept_rows += 1;
        }
        kept_rows <= MAX_REJECTED_ROWS
    });
    out.rejected_amounts.truncate(MAX_REJECTED_ROWS);
    flag_years_apart(ctx, &mut out.rows);
    out
}

/// Warns of sale dates whose year a clerk may have mistyped (`2029.9.8`, `2010.9.8`, or
/// `2018.9.5` among September 2019's sales): a row whose year is not that of more than half of
/// the sheet's dated rows and whose date lies more than [`DAYS_APART`] days from every date of
/// that year is counted in its own year's progress, not the sheet's; without such a year, a row
/// that far from every other row of a sheet whose years lie two or more apart. Neighbouring
/// dates across New Year (a December–January form) are not warned. On a sheet without 填报时间
/// (which bounds its dates: later ones are errors), a date after `ctx.today` too.
fn flag_years_apart(ctx: &RowContext<'_>, rows: &mut [ImportedRow]) {
    let (date_column, _, _) = ctx.header.kind.column_names();
    let mut years: HashMap<i32, usize> = HashMap::new();
    for row in rows.iter() {
        if let RowContent::Sale(record) = &row.content {
            *years.entry(record.date.date.year()).or_default() += 1;
        }
    }
    let future = ctx.reference.is_none();
    if years.len() < 2 && !future {
        return;
    }
    let dated: usize = years.values().sum();
    let most = years
        .iter()
        .max_by_key(|(year, count)| (**count, std::cmp::Reverse(**year)))
        .filter(|(_, count)| **count * 2 > dated)
        .map(|(year, _)| *year);
    // Without a year most rows share, years far apart (`2010`, `2019`, `2029` on one sheet) are
    // each in doubt; two neighbouring years (December and January) are not.
    let (first, last) = (years.keys().min().copied(), years.keys().max().copied());
    let scattered = most.is_none() && first.zip(last).is_some_and(|(f, l)| l - f >= 2);
    // The dates a row is compared with: those of the year most rows share, or all of them.
    let mut compared: Vec<NaiveDate> = rows
        .iter()
        .filter_map(|row| match &row.content {
            RowContent::Sale(record) => Some(record.date.date),
            RowContent::Listing(_) => None,
        })
        .filter(|date| most.is_none_or(|most| date.year() == most))
        .collect();
    compared.sort_unstable();
    // Days from `date` to the nearest compared date other than one occurrence of itself.
    let nearest_other = |date: NaiveDate| -> i64 {
        let at = compared.partition_point(|d| *d < date);
        let same = compared[at..].iter().take_while(|d| **d == date).count();
        let own = usize::from(most.is_none_or(|most| date.year() == most));
        if same > own {
            return 0;
        }
        let before = at.checked_sub(1).and_then(|i| compared.get(i));
        let after = compared.get(at + same);
        [before, after]
            .into_iter()
            .flatten()
            .map(|d| (date - *d).num_days().abs())
            .min()
            .unwrap_or(i64::MAX)
    };
    for row in rows.iter_mut() {
        let RowContent::Sale(record) = &mut row.content else {
            continue;
        };
        let date = record.date.date;
        let year = date.year();
        let mut added = Vec::new();
        let apart = (most.is_some_and(|most| most != year) || scattered)
            && nearest_other(date) > DAYS_APART;
        if apart {
            added.push(match most {
                Some(most) => format!(
                    "{date_column}“{}”的年份与本表其他行（{most}年）不同，按{year}年计入进度，请核对年份",
                    record.date_text
                ),
                None => format!(
                    "本表各行{date_column}的年份相差较大（{}年至{}年），本行按{year}年计入进度，请核对年份",
                    first.unwrap_or(year),
                    last.unwrap_or(year)
                ),
            });
        }
        if future && date > ctx.today {
            added.push(format!(
                "{date_column}“{}”晚于今天（{}），请核对",
                record.date_text,
                ctx.today.format("%Y-%m-%d")
            ));
        }
        for warning in added {
            if !record.warnings.contains(&warning) {
                row.warnings.push(RowIssue {
                    sheet: ctx.sheet.name.clone(),
                    row: row.row,
                    column: date_column.to_string(),
                    message: warning.clone(),
                });
                record.warnings.push(warning);
            }
        }
    }
}

/// How many days a sale may lie from the sheet's other dates before a year that differs from
/// theirs is warned ([`flag_years_apart`]): a quarter's form with a sale of the month before it.
const DAYS_APART: i64 = 92;

/// Validates data rows in order.
fn validate_rows(ctx: &RowContext<'_>, rows: &[&GridRow]) -> SheetRows {
    let mut out = SheetRows::default();
    out.rows.reserve(rows.len());
    let units = ColumnUnits {
        quantity: ctx.header.quantity_unit(Role::Quantity).map(str::to_string),
        amount: ctx.header.amount_unit(),
    };
    let mut regions = RegionCache::new(ctx.resolver);
    for row in rows {
        match ctx.header.kind {
            FormKind::Catalogue => listing_row(ctx, &mut regions, row, &mut out),
            FormKind::Sale | FormKind::Procurement => {
                sale_row(ctx, &mut regions, &units, row, &mut out)
            }
        }
    }
    out
}

/// Text of a cell, or empty. A mark that says the cell is left empty (`/`, `—`, `无`, `空白`:
/// [`is_filler_mark`]) is empty: `备注: 无` is no remark, `采购单位: /` names no buyer.
fn cell_text(row: &GridRow, col: Option<u32>) -> String {
    col.and_then(|c| row.get(c))
        .filter(|value| !is_filler_mark(value))
        .map(CellValue::to_text)
        .unwrap_or_default()
}

/// A subtotal or total row named by what it sums (`9月小计`, `本月合计`, `三坪村小计`,
/// `土豆小计` in 产品品种, `刘光富小计` or `合计` in 贫困户姓名): some cell's short text ends in
/// 小计, 合计 or 总计, and it is the 贫困户姓名 (no household is named so) or the row has none.
/// A [`RowClass::Total`]: grand for a bare 合计/总计, named for another 合计/总计 (checked like
/// one when the sheet has no other total); `None` for a record.
fn named_total(header: &Header, row: &GridRow) -> Option<RowClass> {
    const WORDS: [&str; 3] = ["小计", "合计", "总计"];
    let household = header.col(Role::Household);
    for (col, value) in &row.cells {
        let CellValue::Text(text) = value else {
            continue;
        };
        // Most cells of most rows: nothing to fold.
        if !text.contains('计') {
            continue;
        }
        let folded = fold(text);
        let label = folded.trim_end_matches(':');
        if label.chars().count() > 14 {
            continue;
        }
        let Some(word) = WORDS.iter().find(|word| label.ends_with(*word)) else {
            continue;
        };
        // No household's name ends so; in another column the row names no household.
        let in_household = Some(*col) == household;
        let household_filled = household.is_some_and(|c| row.get(c).is_some_and(holds_a_value));
        if in_household || !household_filled {
            let grand = *word != "小计" && label == *word;
            return Some(RowClass::Total {
                grand,
                named: *word != "小计" && !grand,
            });
        }
    }
    None
}

/// A date alone under the table, as signed at the foot of the form (`2019年9月30日` under
/// `单位（盖章）`): one text cell outside the date column, written as a full date with 年月日.
fn is_signature_date(header: &Header, row: &GridRow) -> bool {
    let [(col, CellValue::Text(text))] = row.cells.as_slice() else {
        return false;
    };
    Some(*col) != header.col(Role::Date) && is_written_full_date(&fold(text))
}

/// `2019年9月30日` (folded): a full date written with 年月日, as signed under a form.
fn is_written_full_date(folded: &str) -> bool {
    folded.ends_with('日')
        && folded.contains('年')
        && folded.contains('月')
        && folded.chars().count() <= 12
        && ReportDate::parse(folded, None).is_ok()
}

/// The seal line at the foot of a form: `（单位盖章）`, `泥溪镇人民政府（盖章）` with the signed date
/// beside it, or the unit's name alone in a row of at most two cells (`泥溪镇人民政府` under the
/// table, `2019年9月30日` beside it): every cell is such text or the written date.
fn is_seal_line(row: &GridRow) -> bool {
    if row.cells.len() > 4 {
        return false;
    }
    let mut sealed = false;
    for (_, value) in &row.cells {
        let CellValue::Text(text) = value else {
            return false;
        };
        let folded = fold(text);
        let seal = ["盖章", "签字", "签名", "签章"]
            .iter()
            .any(|w| folded.contains(w));
        if seal || (folded.ends_with("人民政府") && row.cells.len() <= 2) {
            sealed = true;
        } else if !is_written_full_date(&folded) {
            return false;
        }
    }
    sealed
}

/// Footnote openings (after folding).
const FOOTNOTE_PREFIXES: [&str; 29] = [
    "填报单位:",
    "填报时间:",
    "填报日期:",
    "填写单位:",
    "填写日期:",
    "填表单位:",
    "填表时间:",
    "填表日期:",
    "制表日期:",
    "报送单位:",
    "备注:",
    "注:",
    "说明:",
    "填表说明",
    "填表人",
    "填报人:",
    "审核人",
    "审核:",
    "制表人",
    "制表:",
    "复核人",
    "复核:",
    "经办人",
    "负责人",
    "单位负责人",
    "分管领导",
    "单位(盖章)",
    "(盖章)",
    "填表日期",
];

fn classify(header: &Header, row: &GridRow, in_footnotes: bool) -> RowClass {
    if form_cells(header, row).next().is_none() || is_filler_row(header, row) {
        // Nothing, only 序号, only the record id, something outside the table, or only marks
        // that the row is left empty (`以下空白`, `/`). (The zeros and errors of formulas
        // dragged down make a [`RowClass::NoteOnly`] row: the sheet says how many were skipped.)
        return RowClass::Blank;
    }
    let first = match row.cells.first() {
        Some((_, CellValue::Text(t))) => fold(t),
        _ => String::new(),
    };
    // Number of distinct texts in the row (merged cells repeat one text), computed only when a
    // rule needs it.
    let distinct = || {
        let mut seen: Vec<String> = Vec::new();
        for (_, v) in &row.cells {
            let t = v.to_text();
            if !seen.contains(&t) {
                seen.push(t);
            }
        }
        seen.len()
    };
    if !first.is_empty() {
        for word in ["总合计", "合计", "总计", "共计"] {
            if first.starts_with(word) {
                return RowClass::Total {
                    grand: true,
                    named: false,
                };
            }
        }
        // `小计`, `累计` (the year so far, more than this table's rows) and `其中：深度贫困村`
        // (a part of the total above it): not checked.
        let unbracketed = first.trim_start_matches(['(', '（', '[', '【']);
        if ["小计", "累计"].iter().any(|word| first.starts_with(word))
            || unbracketed.starts_with("其中")
        {
            return RowClass::Total {
                grand: false,
                named: false,
            };
        }
        if first == "备注" && distinct() == 1 {
            return RowClass::Footnote { starts_block: true };
        }
        for prefix in FOOTNOTE_PREFIXES {
            if first.starts_with(prefix) {
                let starts_block = prefix.ends_with(':') || prefix == "填表说明";
                return RowClass::Footnote { starts_block };
            }
        }
        if (in_footnotes || is_numbered_note(&first)) && distinct() == 1 {
            return RowClass::Footnote {
                starts_block: false,
            };
        }
    }
    if is_seal_line(row) {
        return RowClass::Footnote {
            starts_block: false,
        };
    }
    if let Some(total) = named_total(header, row) {
        return total;
    }
    let key_filled = key_columns(header.kind).iter().any(|(role, _)| {
        header
            .col(*role)
            .is_some_and(|c| row.get(c).is_some_and(holds_a_value))
    });
    if !key_filled {
        return RowClass::NoteOnly;
    }
    if is_signature_date(header, row) {
        return RowClass::Footnote {
            starts_block: false,
        };
    }
    if is_header_row(header, row) {
        return RowClass::RepeatedHeader;
    }
    if is_sample_row(header, row) {
        return RowClass::Sample;
    }
    RowClass::Data
}

/// What clerks write into rows they leave empty, on paper as in Excel: `以下空白` (also
/// `——以下空白——`, `本页以下空白`, `以 下 空 白`, in one cell or merged across the row), `空白`,
/// `无`, `N/A` (any case), or only dashes, slashes or dots in every cell. Compared once spaces and
/// [`FILLER_DECORATION`] are removed; a row holding nothing else is blank ([`is_filler_row`]).
const FILLER_WORDS: [&str; 5] = ["空白", "此处空白", "此行空白", "无", "na"];

/// Words after which a cell marks the rest of the table as left empty (`本页以下空白`).
const FILLER_ENDINGS: [&str; 5] = ["以下空白", "以下无内容", "以下无", "以下为空白", "以下为空"];

/// Characters that only decorate a filler mark (`——以下空白——`, `**以下空白**`, `（以下空白）`),
/// and that make a mark on their own (`/`, `—`, `...`).
const FILLER_DECORATION: [char; 33] = [
    '-', '—', '－', '–', '_', '*', '＊', '~', '～', '=', '·', '.', '。', '!', '！', '(', ')', '（',
    '）', '【', '】', '[', ']', '/', '／', '\\', '＼', '…', '<', '>', '《', '》', '、',
];

/// The cells of `row` in the form's columns, with their column: not outside the table, not 序号
/// and not the hidden exchange columns (记录编号, 填写原文).
fn form_cells<'r>(header: &Header, row: &'r GridRow) -> impl Iterator<Item = (u32, &'r CellValue)> {
    let (lo, hi) = header.span();
    row.cells
        .iter()
        .filter(move |(c, _)| {
            *c >= lo
                && *c <= hi
                && !matches!(
                    header.columns.iter().find(|k| k.col == *c).map(|k| k.role),
                    Some(Role::Seq | Role::RecordId | Role::TypedText)
                )
        })
        .map(|(c, value)| (*c, value))
}

/// A row whose cells in the form's columns hold only filler marks ([`is_filler_mark`]) or
/// nothing (a blank, or the `0` of a formula dragged down): a row the clerk marked as left empty.
/// At least one mark.
fn is_filler_row(header: &Header, row: &GridRow) -> bool {
    let mut marked = false;
    for (_, value) in form_cells(header, row) {
        if is_filler_mark(value) {
            marked = true;
        } else if holds_a_value(value) {
            return false;
        }
    }
    marked
}

/// Whether `value` is a filler mark ([`FILLER_WORDS`], [`FILLER_ENDINGS`], or only
/// [`FILLER_DECORATION`]).
fn is_filler_mark(value: &CellValue) -> bool {
    let CellValue::Text(text) = value else {
        return false;
    };
    // Most cells are data: a first character that starts no mark (a word of [`FILLER_WORDS`]
    // or a decoration) and no 以 (every one of [`FILLER_ENDINGS`] has it) tell them apart.
    let Some(first) = text.chars().next() else {
        return true;
    };
    let starts_like_a_mark = first.is_whitespace()
        || super::grid::is_blank_char(first)
        || FILLER_DECORATION.contains(&first)
        || matches!(first, '空' | '无' | '此' | 'N' | 'n');
    if !starts_like_a_mark && !text.contains('以') {
        return false;
    }
    let decoration = |c: char| {
        c.is_whitespace() || super::grid::is_blank_char(c) || FILLER_DECORATION.contains(&c)
    };
    // Most cells are data: tell them apart without building anything.
    if text.chars().all(decoration) {
        return true;
    }
    if !text.contains(['空', '无', '以', 'N', 'n']) {
        return false;
    }
    let core: String = text.chars().filter(|c| !decoration(*c)).collect();
    FILLER_WORDS
        .iter()
        .any(|word| core.eq_ignore_ascii_case(word))
        || FILLER_ENDINGS.iter().any(|ending| core.ends_with(ending))
}

/// Whether a cell says anything: a formula dragged down the template leaves `0` or an error
/// (`#N/A`) in rows nobody filled — as a number, or as text once saved as CSV (`0`, `0.00`,
/// `#N/A`) —, and blank text is nothing either.
fn holds_a_value(value: &CellValue) -> bool {
    match value {
        CellValue::Number(n) => *n != 0.0,
        CellValue::Int(n) => *n != 0,
        CellValue::Error(_) => false,
        CellValue::Text(text) => {
            let text = text.trim();
            !text.is_empty()
                && !is_error_text(text)
                && !text.parse::<f64>().is_ok_and(|number| number == 0.0)
        }
        CellValue::Bool(_) | CellValue::Date(_) => true,
    }
}

/// Excel's error values as a CSV or a text cell holds them (`#REF!`, `#N/A` …).
fn is_error_text(text: &str) -> bool {
    matches!(
        text,
        "#REF!"
            | "#N/A"
            | "#VALUE!"
            | "#DIV/0!"
            | "#NAME?"
            | "#NUM!"
            | "#NULL!"
            | "#SPILL!"
            | "#CALC!"
            | "#FIELD!"
    )
}

/// `1.如…`, `2、…`, `(1)…`, `一、…`: a numbered note, not 序号 1 (which is a number alone).
fn is_numbered_note(folded: &str) -> bool {
    let s = folded.strip_prefix('(').unwrap_or(folded);
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .collect();
    if digits.is_empty() || digits.chars().count() > 3 {
        return false;
    }
    let rest = &s[digits.len()..];
    let mut chars = rest.chars();
    match chars.next() {
        Some('.' | '、' | ')' | '．' | ':') => chars.next().is_some_and(|c| !c.is_ascii_digit()),
        _ => false,
    }
}

/// The template's sample row: 地区 `云阳县xx乡镇xx村` or 姓名 `王某某`.
fn is_sample_row(header: &Header, row: &GridRow) -> bool {
    let text_of = |role| match header.col(role).and_then(|c| row.get(c)) {
        Some(CellValue::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    let name_is_sample =
        text_of(Role::Household).is_some_and(|n| n.contains("某某") && fold(n) == "王某某");
    let is_sample_region = |r: &str| {
        r.contains(['x', 'X', '×', 'ｘ', 'Ｘ']) && {
            let f = fold(r).to_lowercase();
            f.contains("xx乡镇") || f.contains("xx村") || f.contains("××")
        }
    };
    let region_is_sample = if header.has_split_region() {
        is_sample_region(&header.region_text(row).0)
    } else {
        text_of(Role::Region).is_some_and(is_sample_region)
    };
    name_is_sample || region_is_sample
}

/// The amount in a 合计 row's amount column.
fn total_value(header: &Header, row: &GridRow) -> Option<Money> {
    let value = row.get(header.col(Role::Amount)?)?;
    let text = match value {
        CellValue::Number(f) => number_text(*f),
        CellValue::Int(i) => i.to_string(),
        CellValue::Text(t) => t.clone(),
        _ => return None,
    };
    Money::parse(&text, header.amount_unit()).ok()
}

/// True for a number written without a unit: `30`, `1,200.00`, `0.0215`, `-5`.
pub(crate) fn is_bare_number(text: &str) -> bool {
    let t: String = fold(text);
    let t = t.strip_prefix(['+', '-']).unwrap_or(&t);
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && t.matches('.').count() <= 1
}

/// Text of a value cell (numbers in their shortest decimal form, rule 17).
fn value_text(value: Option<&CellValue>) -> String {
    value.map(CellValue::to_text).unwrap_or_default()
}

/// The 采购单位 of a row. A 附件3 row that leaves it empty was bought by the 填报单位 itself (a
/// school reporting its own canteen's purchases): that unit, with a warning in `warnings`.
fn purchaser_text(ctx: &RowContext<'_>, row: &GridRow, warnings: &mut Vec<String>) -> String {
    let written = cell_text(row, ctx.header.col(Role::Purchaser));
    if !written.trim().is_empty() || ctx.header.kind != FormKind::Procurement {
        return written;
    }
    match ctx.unit.as_deref().map(str::trim) {
        Some(unit) if !unit.is_empty() => {
            warnings.push(format!("采购单位为空，按填报单位“{unit}”导入，请核实"));
            unit.to_string()
        }
        _ => written,
    }
}

/// The text a quantity, amount or price cell shows, the unit of its number format included
/// ([`GridSheet::shown_text`]: `50` formatted `0"斤"` → `50斤`); empty without the column.
fn shown_text(ctx: &RowContext<'_>, row: &GridRow, col: Option<u32>) -> String {
    col.filter(|c| !row.get(*c).is_some_and(is_filler_mark))
        .map(|c| ctx.sheet.shown_text(row, c))
        .unwrap_or_default()
}

/// The cell of `col`, unless it holds only a mark for an empty cell ([`is_filler_mark`]).
fn value_cell(row: &GridRow, col: Option<u32>) -> Option<&CellValue> {
    col.and_then(|c| row.get(c))
        .filter(|value| !is_filler_mark(value))
}

/// A quantity followed by the row's unit column (`50` and `公斤` → `50公斤`) when the quantity is
/// a bare number and the form has such a column; otherwise the quantity as written.
fn with_unit_column(header: &Header, row: &GridRow, quantity: String) -> String {
    match unit_column(header, row) {
        Some(unit) if is_bare_number(&fold(&quantity)) => format!("{}{unit}", quantity.trim()),
        _ => quantity,
    }
}

/// A 计划销量 with the unit of a unit column of its own put after its figure, also when the
/// figure is approximate or periodic (`每月500` and `斤` → `每月500斤`; see
/// [`crate::domain::listing::with_unit_after_figure`]).
fn planned_quantity_with_unit_column(header: &Header, row: &GridRow, quantity: String) -> String {
    unit_column(header, row)
        .and_then(|unit| crate::domain::listing::with_unit_after_figure(&fold(&quantity), &unit))
        .unwrap_or(quantity)
}

/// The row's text in a unit column of its own (`单位`), when it is a unit: a word or two (`斤`,
/// `公斤`, `箱`), never a name or a figure.
fn unit_column(header: &Header, row: &GridRow) -> Option<String> {
    let unit = cell_text(row, header.col(Role::QuantityUnit));
    let unit = unit.trim();
    let a_unit =
        !unit.is_empty() && unit.chars().count() <= 4 && !unit.chars().any(|c| c.is_ascii_digit());
    a_unit.then(|| unit.to_string())
}

/// 供货联系人及联系方式: the contact column, and a phone column of its own after it (`刘光富` and
/// `13800004001` → `刘光富 13800004001`; a phone already in the contact text is not repeated).
fn contact_text(header: &Header, row: &GridRow) -> String {
    let contact = cell_text(row, header.col(Role::Contact));
    let phone = cell_text(row, header.col(Role::ContactPhone));
    let phone = phone.trim();
    if phone.is_empty() || contact.contains(phone) {
        return contact;
    }
    if contact.trim().is_empty() {
        return phone.to_string();
    }
    format!("{} {phone}", contact.trim())
}

/// The amount text to validate. A number cell finer than one fen (`=G5*H5` giving 78.255, shown
/// as 78.26 by the cell's format) is rounded 四舍五入 to the fen, with a warning in `warnings`;
/// typed text finer than a fen stays an error for the clerk to correct.
fn amount_text(
    value: Option<&CellValue>,
    format_unit: Option<&str>,
    unit: crate::domain::AmountUnit,
    warnings: &mut Vec<String>,
) -> String {
    let text = value_text(value);
    let is_number = matches!(value, Some(CellValue::Number(_) | CellValue::Int(_)));
    // A number formatted `0.00"元"` or `0.00"万元"` is in the unit it shows.
    let (shown, unit) = match format_unit {
        Some(shown_unit) if is_number => {
            let shown = format!("{text}{shown_unit}");
            match Money::parse(&shown, unit) {
                Ok(_) => return shown,
                Err(_) => match shown_unit {
                    "元" => (shown, crate::domain::AmountUnit::Yuan),
                    "万元" | "万" => (shown, crate::domain::AmountUnit::WanYuan),
                    _ => return shown,
                },
            }
        }
        _ => (text.clone(), unit),
    };
    if !matches!(value, Some(CellValue::Number(_))) || Money::parse(&shown, unit).is_ok() {
        return shown;
    }
    let Ok(number) = text.parse::<rust_decimal::Decimal>() else {
        return shown;
    };
    let (yuan, unit_name) = match unit {
        crate::domain::AmountUnit::Yuan => (Some(number), "元"),
        crate::domain::AmountUnit::WanYuan => (
            number.checked_mul(rust_decimal::Decimal::from(10_000)),
            "万元",
        ),
    };
    let Some(yuan) = yuan else { return text };
    let rounded =
        yuan.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() && !yuan.is_zero() {
        return text;
    }
    let rounded = Money::from_yuan(rounded).map_or(rounded.to_string(), |m| m.to_string());
    warnings.push(format!(
        "金额{text}{unit_name}精确到分以下（多为公式计算的结果，单元格只显示到分），已四舍五入为{rounded}元，请核实"
    ));
    format!("{rounded}元")
}

/// The date text to validate, from a date cell, an Excel serial, or text.
fn date_text(
    value: Option<&CellValue>,
    reference: Option<NaiveDate>,
    cells_are_text: bool,
    warnings: &mut Vec<String>,
) -> String {
    let number = match value {
        None => return String::new(),
        Some(CellValue::Date(d)) => return d.date().format("%Y-%m-%d").to_string(),
        Some(CellValue::Number(f)) => Some(*f),
        Some(CellValue::Int(i)) => Some(*i as f64),
        Some(CellValue::Text(t)) => {
            let f = fold(t);
            // An Excel serial typed or exported as text (CSV): five digits.
            let digits = f.split('.').next().unwrap_or("");
            if digits.len() == 5 && is_bare_number(&f) && !f.contains(',') {
                f.parse::<f64>().ok()
            } else {
                None
            }
        }
        Some(other) => return other.to_text(),
    };
    let Some(number) = number else {
        let text = value.map(CellValue::to_text).unwrap_or_default();
        if cells_are_text {
            // A CSV or HTML table carries the text Excel showed for a number cell.
            warnings.extend(lost_trailing_zero(&fold(&text)));
        }
        return text;
    };
    match ReportDate::from_number(number, reference) {
        Ok(parsed) => {
            let d = parsed.value;
            match d.precision {
                DatePrecision::Day => {
                    warnings.extend(parsed.warnings);
                    d.date.format("%Y-%m-%d").to_string()
                }
                // Re-parsed as text, which raises the same month/ambiguity warning once.
                DatePrecision::Month => d.to_form_text(),
            }
        }
        Err(_) => {
            let text = number_text(number);
            warnings.extend(lost_trailing_zero(&text));
            text
        }
    }
}

/// A month.day typed into a number cell loses a trailing zero (`1.10` is stored as 1.1, `12.30`
/// as 12.3): the warning for a number whose one-digit day could have been ten times that day
/// (rule 7: ambiguous dates are flagged, never silently resolved), else `None`.
fn lost_trailing_zero(text: &str) -> Option<String> {
    let (month, day) = text.split_once('.')?;
    if day.len() != 1 || month.is_empty() || month.len() > 2 {
        return None;
    }
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    let longer = day * 10;
    // 2000 is a leap year: every month and day that can exist does.
    NaiveDate::from_ymd_opt(2000, month, day)?;
    NaiveDate::from_ymd_opt(2000, month, longer)?;
    Some(format!(
        "日期“{text}”是数字，可能是{month}月{day}日，也可能是{month}月{longer}日（数字末尾的0不保存），请核实"
    ))
}

/// The Chinese name of the column of `role` in a form of `kind`, for messages (empty for the
/// exporter's hidden columns).
fn role_column(kind: FormKind, role: Role) -> &'static str {
    let (date, quantity, amount) = kind.column_names();
    match role {
        Role::Seq => "序号",
        Role::Purchaser => "采购单位",
        Role::Date => date,
        Role::Region => "地区",
        Role::Township => "乡镇(街道)",
        Role::Village => "村(社区)",
        Role::Group => "组",
        Role::Household => "贫困户姓名",
        Role::Cooperative => "供货合作社",
        Role::Product => "产品品种",
        Role::Quantity => quantity,
        Role::Amount => amount,
        Role::Remark => "备注",
        Role::PlannedQuantity => "计划销量",
        Role::Price => "销售价格(元)",
        Role::SupplyMethod => "供货方式",
        Role::ShopUrl => "网店网址",
        Role::Contact => "供货联系人及联系方式",
        Role::ContactPhone => "联系电话",
        Role::QuantityUnit => "单位",
        Role::RecordId | Role::TypedText => "",
    }
}

/// The Chinese column name of a sale field, for messages.
fn sale_field_column(kind: FormKind, field: SaleField) -> &'static str {
    role_column(kind, sale_field_role(field))
}

fn listing_field_column(field: ListingField) -> &'static str {
    role_column(FormKind::Catalogue, listing_field_role(field))
}

fn sale_field_role(field: SaleField) -> Role {
    match field {
        SaleField::Purchaser => Role::Purchaser,
        SaleField::Date => Role::Date,
        SaleField::Region => Role::Region,
        SaleField::Household => Role::Household,
        SaleField::Product => Role::Product,
        SaleField::Quantity => Role::Quantity,
        SaleField::Amount => Role::Amount,
        SaleField::Remark => Role::Remark,
    }
}

fn listing_field_role(field: ListingField) -> Role {
    match field {
        ListingField::Region => Role::Region,
        ListingField::Household => Role::Household,
        ListingField::Product => Role::Product,
        ListingField::PlannedQuantity => Role::PlannedQuantity,
        ListingField::Price => Role::Price,
        ListingField::SupplyMethod => Role::SupplyMethod,
        ListingField::ShopUrl => Role::ShopUrl,
        ListingField::Contact => Role::Contact,
        ListingField::Remark => Role::Remark,
    }
}

/// The formula of the cell of `role` when it was saved without its result (a file written by a
/// program that does not calculate formulas), without its `=`; `None` when the cell holds a
/// value or no formula. Formulas are never evaluated (rule 12).
fn unsaved_formula<'s>(ctx: &RowContext<'s>, row: &GridRow, role: Role) -> Option<&'s str> {
    let col = ctx.header.col(role)?;
    if is_a_result(row.get(col)) {
        return None;
    }
    let formula = ctx.sheet.formulas.get(&(row.number, col))?;
    Some(formula.trim_start_matches('='))
}

/// The row error that replaces `…不能为空` for a required cell that is a formula saved without
/// its result.
fn unsaved_formula_error(ctx: &RowContext<'_>, row: &GridRow, role: Role) -> Option<String> {
    let formula = unsaved_formula(ctx, row, role)?;
    Some(format!(
        "{}是公式“={formula}”，但文件中没有保存它的计算结果（生成文件的程序没有计算公式）：请用Excel或WPS打开、保存后再导入",
        role_column(ctx.header.kind, role)
    ))
}

/// Warnings for the other cells of an imported row that are formulas saved without their
/// result: imported as blank, which the clerk should know (网店网址 is handled by [`shop_url`]).
fn unsaved_formula_warnings(ctx: &RowContext<'_>, row: &GridRow) -> Vec<String> {
    if !ctx.formula_rows.contains(&row.number) {
        return Vec::new();
    }
    ctx.header
        .columns
        .iter()
        .filter(|column| !column.role.is_exchange() && column.role != Role::ShopUrl)
        .filter_map(|column| {
            let formula = unsaved_formula(ctx, row, column.role)?;
            Some(format!(
                "{}是公式“={formula}”，但文件中没有保存它的计算结果，按空白导入",
                role_column(ctx.header.kind, column.role)
            ))
        })
        .collect()
}

/// The column a warning is about, guessed from its text (for the report).
pub(crate) fn warning_column(kind: FormKind, message: &str) -> String {
    let (date, qty, amount) = kind.column_names();
    let has = |words: &[&str]| words.iter().any(|w| message.contains(w));
    // `备注是公式“=…”…`: the column is named first.
    if let Some((column, _)) = message.split_once("是公式“") {
        return column.to_string();
    }
    // `采购单位“…”写了不止一个单位`: the column is named first, before the quoted text (which
    // may hold any word below).
    for column in [
        "采购单位",
        "地区",
        "产品品种",
        "供货联系人及联系方式",
        "备注",
    ] {
        if message
            .strip_prefix(column)
            .is_some_and(|rest| rest.starts_with('“'))
        {
            return column.to_string();
        }
    }
    let column = if message == HIDDEN_ROW_WARNING || message == HIDDEN_SHEET_WARNING {
        ""
    } else if has(&["贫困户姓名", "姓名"]) {
        "贫困户姓名"
    } else if has(&["合作社", "户数", "人数"]) {
        "备注"
    } else if has(&["地区", "乡镇", "村(社区)"]) {
        "地区"
    } else if message.starts_with("供货方式“") {
        "供货方式"
    } else if has(&["网址", "电商"]) {
        "网店网址"
    } else if has(&["价格"]) {
        "销售价格(元)"
    } else if has(&["时间", "日期", "精确到月", "月还是"]) {
        date
    } else if has(&["数量", "计划销量", "缺少单位"]) {
        qty
    } else if has(&["金额"]) {
        amount
    } else if has(&["采购单位"]) {
        "采购单位"
    } else if has(&["品种"]) {
        "产品品种"
    } else {
        ""
    };
    column.to_string()
}

/// The hidden 记录编号 of a row.
fn record_id(header: &Header, row: &GridRow) -> Option<i64> {
    match row.get(header.col(Role::RecordId)?)? {
        CellValue::Int(i) => Some(*i),
        CellValue::Number(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
        CellValue::Text(t) => fold(t).parse::<i64>().ok(),
        _ => None,
    }
}

/// The (column name, typed text) lines of the exporter's hidden 填写原文 cell
/// (`crate::forms::layout::TYPED_TEXT_HEADER`): `销售时间：9月9日`, one per line.
fn typed_texts(header: &Header, row: &GridRow) -> Vec<(String, String)> {
    let Some(CellValue::Text(cell)) = header.col(Role::TypedText).and_then(|c| row.get(c)) else {
        return Vec::new();
    };
    cell.lines()
        .filter_map(|line| line.split_once('：'))
        .map(|(column, text)| (column.trim().to_string(), text.to_string()))
        .collect()
}

fn is_quantity_column(column: &str) -> bool {
    column.contains("数量") || column.contains("销量")
}

/// Our export printed a self-contained value where the typed text needed the original file's
/// context (see `TYPED_TEXT_HEADER`): when the printed value still means what the typed text
/// meant, the record keeps the typed text, as if the original file had been imported; when the
/// clerk changed the printed value, the new value and its text stand.
fn restore_typed_sale_text(record: &mut SaleRecord, column: &str, text: String) {
    if is_quantity_column(column) {
        restore_typed_quantity(&record.quantity, &mut record.quantity_text, text);
    } else if column.contains("时间") || column.contains("日期") {
        // A typed date without a year took it from the original 填报时间: read it in the year of
        // the printed date.
        let reference = NaiveDate::from_ymd_opt(record.date.date.year(), 12, 31);
        let same = ReportDate::parse(&text, reference)
            .ok()
            .is_some_and(|p| p.value == record.date);
        if same {
            record.date_text = text;
        }
    }
}

/// Keeps the typed quantity text when it means `quantity` with `quantity`'s unit as the column
/// unit (a bare `30` typed under `销售数量（公斤）`).
fn restore_typed_quantity(quantity: &Quantity, quantity_text: &mut String, text: String) {
    let same = Quantity::parse(&text, quantity.unit.as_deref(), "")
        .ok()
        .is_some_and(|p| p.value == *quantity);
    if same {
        *quantity_text = text;
    }
}

fn push_warnings(
    ctx: &RowContext<'_>,
    row: &GridRow,
    warnings: &[String],
    out: &mut Vec<RowIssue>,
) {
    for w in warnings {
        out.push(RowIssue {
            sheet: ctx.sheet.name.clone(),
            row: row.number,
            column: warning_column(ctx.header.kind, w),
            message: w.clone(),
        });
    }
}

fn add_warning(warnings: &mut Vec<String>, w: String) {
    if !warnings.contains(&w) {
        warnings.push(w);
    }
}

/// The 贫困户姓名 of a row; when it is empty, the cooperative of a 供货合作社 column of its own
/// ([`Role::Cooperative`]), which rule 11 then reads as a cooperative. A seller there whose name
/// lacks `合作社` (`张三家庭农场`) is not read as one: `warnings` gets a note that its 户 count
/// in 备注 was not read.
fn household_text(h: &Header, row: &GridRow, warnings: &mut Vec<String>) -> String {
    let household = cell_text(row, h.col(Role::Household));
    if !household.trim().is_empty() {
        return household;
    }
    match cell_text(row, h.col(Role::Cooperative)) {
        cooperative if !cooperative.trim().is_empty() => {
            if !crate::domain::is_cooperative(&cooperative) {
                warnings.push(format!(
                    "贫困户姓名为空，按供货合作社列的“{}”导入；其名称中没有“合作社”，未从备注读取涉及的贫困户户数，请核实",
                    cooperative.trim()
                ));
            }
            cooperative
        }
        _ => household,
    }
}

/// The 备注 of a row; when the row names a household and, in a 供货合作社 column of its own,
/// another name (the cooperative it sold through), `供货合作社：…` is added so it is kept.
fn remark_text(h: &Header, row: &GridRow) -> String {
    let remark = cell_text(row, h.col(Role::Remark));
    let cooperative = cell_text(row, h.col(Role::Cooperative));
    let household = cell_text(row, h.col(Role::Household));
    if cooperative.trim().is_empty()
        || household.trim().is_empty()
        || household.trim() == cooperative.trim()
    {
        return remark;
    }
    let note = format!("供货合作社：{}", cooperative.trim());
    match remark.trim() {
        "" => note,
        remark => format!("{remark}；{note}"),
    }
}

fn sale_row(
    ctx: &RowContext<'_>,
    regions: &mut RegionCache<'_>,
    units: &ColumnUnits,
    row: &GridRow,
    out: &mut SheetRows,
) {
    let h = ctx.header;
    let mut extra = Vec::new();
    let (region, split_warning) = h.region_text(row);
    let (region, completed) = regions.completed(region, ctx.reporting_township.as_ref());
    extra.extend(split_warning);
    extra.extend(completed);
    let (_, quantity_column, amount_column) = h.kind.column_names();
    for (merged, column) in [
        (&ctx.merged_quantities, quantity_column),
        (&ctx.merged_amounts, amount_column),
    ] {
        if let Some((first, last)) = merged.get(&row.number) {
            extra.push(format!(
                "{column}是第{first}至{last}行合并的单元格，这几行每行都读到它的值：如是这几行的合计，请拆开分别填写"
            ));
        }
    }
    let draft = SaleDraft {
        purchaser: purchaser_text(ctx, row, &mut extra),
        date: date_text(
            value_cell(row, h.col(Role::Date)),
            ctx.reference,
            ctx.sheet.cells_are_text,
            &mut extra,
        ),
        region,
        household: household_text(h, row, &mut extra),
        product: cell_text(row, h.col(Role::Product)),
        quantity: with_unit_column(h, row, shown_text(ctx, row, h.col(Role::Quantity))),
        amount: amount_text(
            value_cell(row, h.col(Role::Amount)),
            h.col(Role::Amount)
                .and_then(|c| ctx.sheet.format_unit(row.number, c)),
            units.amount,
            &mut extra,
        ),
        remark: remark_text(h, row),
    };
    let region = regions.outcome(&draft.region);
    match validate_sale_in_region(&draft, h.kind, region, ctx.reference, units) {
        Ok(mut record) => {
            for (column, text) in typed_texts(h, row) {
                restore_typed_sale_text(&mut record, &column, text);
            }
            for w in extra.into_iter().chain(unsaved_formula_warnings(ctx, row)) {
                add_warning(&mut record.warnings, w);
            }
            if row.hidden {
                add_warning(&mut record.warnings, HIDDEN_ROW_WARNING.to_string());
            }
            if ctx.sheet.hidden_sheet {
                add_warning(&mut record.warnings, HIDDEN_SHEET_WARNING.to_string());
            }
            let amount_cell = h.col(Role::Amount).and_then(|c| row.get(c));
            if !ctx.sheet.cells_are_text && matches!(amount_cell, Some(CellValue::Text(_))) {
                out.text_amounts.0 += 1;
                out.text_amounts.1 += record.amount;
                if out.first_text_amount.is_none() {
                    out.first_text_amount = Some((row.number, record.amount_text.clone()));
                }
            }
            let mut issues = Vec::new();
            push_warnings(ctx, row, &record.warnings, &mut issues);
            out.rows.push(ImportedRow {
                sheet: ctx.sheet.name.clone(),
                row: row.number,
                record_id: record_id(h, row),
                warnings: issues,
                content: RowContent::Sale(record),
            });
        }
        Err(errors) => {
            let amount = Money::parse(&draft.amount, units.amount).ok();
            let issues = errors.into_iter().map(|(field, message)| {
                let column = sale_field_column(h.kind, field);
                RowIssue {
                    sheet: ctx.sheet.name.clone(),
                    row: row.number,
                    column: column.to_string(),
                    message: unsaved_formula_error(ctx, row, sale_field_role(field))
                        .unwrap_or(message),
                }
            });
            out.rejected_record_ids.extend(record_id(h, row));
            let (household, product) = (clean_name(&draft.household), clean_text(&draft.product));
            if !household.is_empty() && !product.is_empty() {
                out.rejected_household_products.push((household, product));
            }
            out.reject(issues, amount);
        }
    }
}

/// The shop URL of a 网店网址 cell (rule 19): the cached value when it is a URL, else the literal
/// first argument of `=HYPERLINK(…)`, else the cell's hyperlink target, else the text.
fn shop_url(sheet: &GridSheet, row: &GridRow, col: Option<u32>) -> (String, Option<String>) {
    let Some(col) = col else {
        return (String::new(), None);
    };
    let text = cell_text(row, Some(col));
    if looks_like_url(&text) {
        return (text, None);
    }
    let formula = sheet.formulas.get(&(row.number, col));
    if let Some(url) = formula.and_then(|formula| hyperlink_literal(formula)) {
        return (url, None);
    }
    if let Some(target) = sheet.links.get(&(row.number, col))
        && looks_like_url(target)
    {
        return (target.clone(), None);
    }
    match formula {
        // `=HYPERLINK(B9,"店9")`, `=HYPERLINK("https://…/"&"a7","店7")`: the address is computed,
        // and formulas are never evaluated; its display text is not an address.
        Some(formula) => (
            String::new(),
            Some(format!(
                "网店网址是公式“={}”，网址由公式计算，无法读出（公式不会被计算），请核实",
                formula.trim_start_matches('=')
            )),
        ),
        None => (text, None),
    }
}

fn looks_like_url(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    t.starts_with("http://")
        || t.starts_with("https://")
        || t.starts_with("www.")
        || t.contains("://")
}

/// The first argument of `HYPERLINK("url", "name")` when it is a string literal (and nothing
/// else: `"https://…/"&"a7"` is computed, so `None`).
pub(crate) fn hyperlink_literal(formula: &str) -> Option<String> {
    let upper = formula.to_ascii_uppercase();
    let start = upper.find("HYPERLINK(")? + "HYPERLINK(".len();
    let rest = formula.get(start..)?.trim_start();
    let mut chars = rest.chars();
    if chars.next()? != '"' {
        return None;
    }
    let mut out = String::new();
    let mut chars = chars.peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                out.push('"');
                chars.next();
            } else {
                // Only a literal that is the whole argument: not `"https://…/"&B2`.
                let next = chars.find(|c| !c.is_whitespace());
                return matches!(next, Some(',' | ';' | ')')).then_some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

fn listing_row(
    ctx: &RowContext<'_>,
    regions: &mut RegionCache<'_>,
    row: &GridRow,
    out: &mut SheetRows,
) {
    let h = ctx.header;
    let price_col = h.col(Role::Price);
    // A price formatted `0.00"元"` shows only the currency: it stays a bare price, per the unit
    // of the header or of a unit column; `0.00"元/斤"` shows its own.
    let price_text = match price_col.and_then(|c| ctx.sheet.format_unit(row.number, c)) {
        Some("元") => value_text(price_col.and_then(|c| row.get(c))),
        _ => shown_text(ctx, row, price_col),
    };
    let price = match h.price_unit() {
        Some(per) => {
            let text = price_text;
            if is_bare_number(&text) {
                format!("{}元/{}", fold(&text), per)
            } else {
                text
            }
        }
        None => {
            let text = price_text;
            // A unit column of its own (`单位`: 斤): a bare price is per that unit.
            match unit_column(h, row) {
                Some(unit) if is_bare_number(&fold(&text)) => format!("{}元/{unit}", fold(&text)),
                _ => text,
            }
        }
    };
    let (region, split_warning) = h.region_text(row);
    let (region, completed) = regions.completed(region, ctx.reporting_township.as_ref());
    let mut completed: Vec<String> = split_warning.into_iter().chain(completed).collect();
    let (shop_url, url_warning) = shop_url(ctx.sheet, row, h.col(Role::ShopUrl));
    let url_read_failed = url_warning.is_some();
    let draft = ListingDraft {
        region,
        household: household_text(h, row, &mut completed),
        product: cell_text(row, h.col(Role::Product)),
        planned_quantity: planned_quantity_with_unit_column(
            h,
            row,
            shown_text(ctx, row, h.col(Role::PlannedQuantity)),
        ),
        price,
        supply_method: cell_text(row, h.col(Role::SupplyMethod)),
        shop_url,
        contact: contact_text(h, row),
        remark: remark_text(h, row),
    };
    let resolver = regions.resolver_for(&draft.region);
    match validate_listing_with_units(&draft, resolver, h.quantity_unit(Role::PlannedQuantity)) {
        Ok(mut listing) => {
            for (column, text) in typed_texts(h, row) {
                if is_quantity_column(&column) {
                    restore_typed_quantity(
                        &listing.planned_quantity,
                        &mut listing.planned_quantity_text,
                        text,
                    );
                }
            }
            for warning in completed
                .into_iter()
                .chain(url_warning)
                .chain(unsaved_formula_warnings(ctx, row))
            {
                add_warning(&mut listing.warnings, warning);
            }
            if url_read_failed {
                listing
                    .warnings
                    .retain(|w| w != "供货方式为电商，但未填写网店网址");
            }
            if row.hidden {
                add_warning(&mut listing.warnings, HIDDEN_ROW_WARNING.to_string());
            }
            if ctx.sheet.hidden_sheet {
                add_warning(&mut listing.warnings, HIDDEN_SHEET_WARNING.to_string());
            }
            let mut issues = Vec::new();
            push_warnings(ctx, row, &listing.warnings, &mut issues);
            out.rows.push(ImportedRow {
                sheet: ctx.sheet.name.clone(),
                row: row.number,
                record_id: record_id(h, row),
                warnings: issues,
                content: RowContent::Listing(listing),
            });
        }
        Err(errors) => {
            let issues = errors.into_iter().map(|(field, message)| {
                let column = listing_field_column(field);
                RowIssue {
                    sheet: ctx.sheet.name.clone(),
                    row: row.number,
                    column: column.to_string(),
                    message: unsaved_formula_error(ctx, row, listing_field_role(field))
                        .unwrap_or(message),
                }
            });
            out.rejected_record_ids.extend(record_id(h, row));
            out.reject(issues, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_notes_are_not_serial_numbers() {
        assert!(is_numbered_note(
            "1.如销售方为合作社，请在备注栏填写涉及贫困户户数。"
        ));
        assert!(is_numbered_note("2、销售时间按格式填写"));
        assert!(is_numbered_note("(1)说明"));
        assert!(is_numbered_note("一、说明"));
        assert!(!is_numbered_note("1"));
        assert!(!is_numbered_note("1.5"));
        assert!(!is_numbered_note("2019.9.1"));
        assert!(!is_numbered_note("土豆"));
    }

    /// Filler marks however decorated; words that only begin like one are data.
    #[test]
    fn filler_marks_and_words_that_are_data() {
        let text = |t: &str| CellValue::Text(t.into());
        for mark in [
            "以下空白",
            "——以下空白——",
            "本页以下空白",
            "以 下 空 白",
            "（以下无内容）",
            "无",
            "N/a",
            "/",
            "...",
            "— —",
        ] {
            assert!(is_filler_mark(&text(mark)), "{mark}");
        }
        for data in ["无花果", "无公害蔬菜", "空心菜", "NaN", "以下", "王无", "0"] {
            assert!(!is_filler_mark(&text(data)), "{data}");
        }
        assert!(!is_filler_mark(&CellValue::Number(0.0)));
        assert!(!holds_a_value(&text("0.00")));
        assert!(!holds_a_value(&text("#N/A")));
        assert!(holds_a_value(&text("无")));
    }

    #[test]
    fn bare_numbers() {
        assert!(is_bare_number("30"));
        assert!(is_bare_number(" 1,200.00 "));
        assert!(is_bare_number("０.０２１５"));
        assert!(!is_bare_number("30斤"));
        assert!(!is_bare_number("1.2.3"));
        assert!(!is_bare_number(""));
        assert!(!is_bare_number("."));
    }

    #[test]
    fn hyperlink_first_literal() {
        assert_eq!(
            hyperlink_literal(r#"HYPERLINK("https://shop.example.invalid/a?x=""1""","店铺")"#)
                .as_deref(),
            Some(r#"https://shop.example.invalid/a?x="1""#)
        );
        assert_eq!(
            hyperlink_literal("=hyperlink( \"http://a.b\" )").as_deref(),
            Some("http://a.b")
        );
        assert_eq!(hyperlink_literal("HYPERLINK(A1,\"x\")"), None);
        assert_eq!(
            hyperlink_literal("HYPERLINK(\"https://a.invalid/\"&\"a7\",\"店7\")"),
            None
        );
        assert_eq!(
            hyperlink_literal("HYPERLINK(\"https://a.invalid/x\" ; \"店\")").as_deref(),
            Some("https://a.invalid/x")
        );
        assert_eq!(hyperlink_literal("HYPERLINK(\"unterminated"), None);
    }

    #[test]
    fn warnings_are_placed_in_their_column() {
        assert_eq!(
            warning_column(FormKind::Sale, "销售数量缺少单位"),
            "销售数量"
        );
        assert_eq!(
            warning_column(
                FormKind::Sale,
                "贫困户姓名含“?”，疑为编码丢失的生僻字，需核实"
            ),
            "贫困户姓名"
        );
        assert_eq!(
            warning_column(FormKind::Sale, "合作社未填写涉及贫困户户数"),
            "备注"
        );
        assert_eq!(
            warning_column(
                FormKind::Procurement,
                "日期“2019.1”含义不明（1月还是10月？），请核实"
            ),
            "采购时间"
        );
        assert_eq!(warning_column(FormKind::Sale, HIDDEN_ROW_WARNING), "");
    }

    /// A row warning is shown under the column it is about.
    #[test]
    fn warnings_name_their_column() {
        for (message, column) in [
            ("供货方式“快递”不是电商、送货上门、上门自提之一", "供货方式"),
            ("供货方式为电商，但未填写网店网址", "网店网址"),
            (
                "销售价格“按市场价”读不出具体价格，已按原文保存（不用于核对销售金额），请核实",
                "销售价格(元)",
            ),
            (
                "计划销量“约200斤”不是确切的数，按“200斤”导入，请核实",
                "计划销量",
            ),
        ] {
            assert_eq!(
                warning_column(FormKind::Catalogue, message),
                column,
                "{message}"
            );
        }
    }
}
