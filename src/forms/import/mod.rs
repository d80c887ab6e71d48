//! Importing filled forms (附件1/2/3) from the files townships and departments send: `.xlsx`,
//! `.xls` (also WPS), CSV (UTF-8 or GBK) and HTML tables saved as `.xls`.
//!
//! This module only parses: it finds the header row on every sheet, reads the header-info line,
//! classifies the rows (data, blank, 合计, footnotes, the template's sample row, a unit row) and
//! validates each data row with the domain parsers. It never touches the database; duplicate
//! detection, fingerprints and the catalogue price check are the caller's.
//!
//! The rules followed are `shared/samples/README.md` rules 1–21. The entry points are
//! [`parse_file`] and [`parse_bytes`]; neither panics on any input.
//!
//! Layout (private submodules): `read` recognises the format from the bytes (never from the
//! extension) and dispatches to the readers — `xlsx` (calamine's streaming cell reader plus our
//! own scan for hidden rows, merges and hyperlinks), `xls` (calamine, after a pre-scan with our
//! `cfb` reader), `delimited` (CSV/TSV, UTF-8 or GB18030) and `html` (tables saved as `.xls`) —
//! which fill a sparse `grid` of cells with merged regions filled; `detect` finds the header row,
//! its form, columns, units and the header-info line; `rows` classifies the rows and validates
//! the data rows with the domain parsers.
//!
//! Nothing is ever sized from a file's declared dimensions (rule 21), and a panic inside a reader
//! library on a damaged file becomes a [`FileRejection`].

mod cfb;
mod delimited;
mod detect;
mod fastxlsx;
mod grid;
mod html;
mod read;
mod regions;
mod rows;
mod xls;
mod xlsx;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::domain::RegionResolver;
use crate::domain::money::Money;
use crate::domain::sale::{FormKind, Listing, SaleRecord};

pub use read::EMPTY_FILE;
pub use rows::HIDDEN_ROW_WARNING;

// The readers, for the courier-file import (`crate::forms::logistics`), which maps its own header.
pub(crate) use detect::fold as fold_header;
pub(crate) use grid::{CellValue, GridRow, GridSheet};

/// How many last rows of a sheet are searched for a header-info line written at the foot of the
/// table (when the rows above the header lack 填报单位 or 填报时间).
const INFO_LINE_FOOT_ROWS: usize = 30;
pub(crate) use read::read_workbook;

/// The header-info line of a sheet (rule 2): `填报单位：… 供货联系人姓名：… 联系方式：… 填报时间：…`
/// (附件1: `填写单位 / 填写人 / 联系电话 / 填写日期`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderInfo {
    /// 填报单位 / 填写单位, e.g. `泥溪镇人民政府`.
    pub unit: Option<String>,
    /// 填报时间 / 填写日期. A month-precision date (`2019年9月`) gives the month's last day.
    pub date: Option<NaiveDate>,
    /// 供货联系人姓名 / 填写人.
    pub contact_person: Option<String>,
    /// 联系方式 / 联系电话, as written (a number cell reads as its digits).
    pub phone: Option<String>,
}

/// The validated content of one imported row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowContent {
    /// A 附件2 sale or 附件3 procurement (see [`SaleRecord::kind`]).
    Sale(SaleRecord),
    /// A 附件1 catalogue listing.
    Listing(Listing),
}

impl RowContent {
    /// The record's own warnings (stored with it).
    pub fn warnings(&self) -> &[String] {
        match self {
            RowContent::Sale(s) => &s.warnings,
            RowContent::Listing(l) => &l.warnings,
        }
    }
}

/// One imported row of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRow {
    /// The sheet's name (for `sheet!R7` references).
    pub sheet: String,
    /// The row number Excel shows (1-based); for CSV the record number; for HTML the `<tr>` order.
    pub row: u32,
    /// The record.
    pub content: RowContent,
    /// The hidden 记录编号 written by our exporter, when the file came from this program.
    pub record_id: Option<i64>,
    /// The record's warnings again, each placed at its sheet, row and column (for the report).
    pub warnings: Vec<RowIssue>,
}

/// A warning or error about one row, placed for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// Sheet name.
    pub sheet: String,
    /// Excel row number (1-based).
    pub row: u32,
    /// The column's Chinese name (e.g. `销售数量`), or `""` when the issue is about the whole row.
    pub column: String,
    /// Chinese, user-facing.
    pub message: String,
}

impl std::fmt::Display for RowIssue {
    /// `附件2!R8 销售金额：…`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "{}!R{} {}", self.sheet, self.row, self.message)
        } else {
            write!(
                f,
                "{}!R{} {}：{}",
                self.sheet, self.row, self.column, self.message
            )
        }
    }
}

/// One sheet whose header was recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSheet {
    /// Sheet name (for CSV and HTML files: the file name without extension).
    pub name: String,
    /// Which form the header row says this is.
    pub kind: FormKind,
    /// The header-info line.
    pub header: HeaderInfo,
    /// `提交编号:<id>` written by our exporter in the hidden 记录编号 column.
    pub submission_id: Option<String>,
    /// Imported rows, in row order.
    pub rows: Vec<ImportedRow>,
    /// Rejected rows (rule 9): one issue per problem, with row number, column and reason. These
    /// rows are not in `rows`; the rest of the sheet is imported.
    pub errors: Vec<RowIssue>,
    /// The amount in the sheet's 合计/总计 row, when it has one (not data).
    pub stated_total: Option<Money>,
    /// The hidden 记录编号 of the rejected rows that carry one (an export's rows whose
    /// correction was refused): records the file still holds.
    pub rejected_record_ids: Vec<i64>,
    /// (贫困户姓名, 产品品种) of the rejected 附件2/3 rows, cleaned as stored.
    pub rejected_household_products: Vec<(String, String)>,
}

impl ImportedSheet {
    /// Numbers of the rejected rows, ascending, each once.
    pub fn rejected_rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.errors.iter().map(|e| e.row).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Sum of the imported sales/procurements (zero for a catalogue).
    pub fn total(&self) -> Money {
        self.rows
            .iter()
            .filter_map(|r| match &r.content {
                RowContent::Sale(s) => Some(s.amount),
                RowContent::Listing(_) => None,
            })
            .sum()
    }
}

/// A parsed file: every recognised sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// The file name as given (for messages).
    pub file_name: String,
    /// Recognised sheets, in workbook order (empty and unrecognised sheets are skipped).
    pub sheets: Vec<ImportedSheet>,
    /// Warnings about the file, e.g. `合计(3829.00)与明细之和(4009.00)不符`.
    pub file_warnings: Vec<String>,
}

impl ParsedFile {
    /// All imported rows of all sheets.
    pub fn rows(&self) -> impl Iterator<Item = &ImportedRow> {
        self.sheets.iter().flat_map(|s| s.rows.iter())
    }

    /// All row errors of all sheets.
    pub fn errors(&self) -> impl Iterator<Item = &RowIssue> {
        self.sheets.iter().flat_map(|s| s.errors.iter())
    }
}

/// The whole file was refused: nothing is imported (rule 13). `message` is one clear Chinese
/// sentence, e.g. `文件为空（0字节），请检查后重新提交。`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FileRejection {
    /// Chinese, user-facing.
    pub message: String,
}

/// The message when no sheet has a recognisable header row: neither a form (附件1/2/3) nor a
/// courier/postal logistics file (物流/快递数据, R5, read by [`crate::forms::logistics`], which
/// [`crate::forms::ingest`] tries with exactly this rejection before giving it to the user).
pub const NO_HEADER: &str = "未找到可识别的表头行：每个工作表的前15行中都没有附件1（应含“地区”“贫困户姓名”“产品品种”“计划销量”“销售价格”等列）、附件2（应含“销售时间”“销售数量”“销售金额”等列）或附件3（应含“采购时间”“采购数量”“采购金额”等列）的表头，也不是快递、邮政导出的物流数据（物流/快递数据应含“运单号”或“邮件号”列，以及“寄件日期”“寄件人”“寄件地址”“物品”“重量”“运费”等中的至少两列）。请使用官方模板填写后再导入；物流/快递数据可直接导入快递公司或邮政导出的文件。";

/// Reads and parses a file from disk. See [`parse_bytes`].
pub fn parse_file(path: &Path, resolver: &RegionResolver) -> Result<ParsedFile, FileRejection> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|e| FileRejection {
        message: match e.kind() {
            std::io::ErrorKind::NotFound => format!("找不到文件“{}”。", path.display()),
            // A folder reaches here only when it holds no file to import (see
            // `ingest::files_to_import`), or cannot be read.
            _ if path.is_dir() => format!(
                "文件夹“{}”中没有可导入的文件（.xlsx、.xls、.csv 等表格文件），或文件夹无法打开。",
                path.display()
            ),
            std::io::ErrorKind::PermissionDenied => {
                format!(
                    "没有权限读取文件“{}”（文件可能正在被Excel/WPS打开），请关闭后重试。",
                    path.display()
                )
            }
            _ => format!(
                "无法读取文件“{}”，请确认文件可以打开后重试。",
                path.display()
            ),
        },
    })?;
    parse_bytes(&file_name, &bytes, resolver)
}

/// Below this many items (rows) [`in_parallel_chunks`] runs on the calling thread only.
const PARALLEL_MIN_ROWS: usize = 4_000;

/// `f(offset, chunk)` for consecutive chunks of `items` (`offset`: the index of the chunk's
/// first item), in order: one chunk per thread, up to 4, for many items; one chunk otherwise.
pub(crate) fn in_parallel_chunks<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    if threads == 1 || items.len() < PARALLEL_MIN_ROWS {
        return vec![f(0, items)];
    }
    let size = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(part, chunk)| {
                let work = move || f(part * size, chunk);
                // A chunk whose thread cannot be started is done here instead.
                std::thread::Builder::new()
                    .name("import-rows".into())
                    .spawn_scoped(scope, work)
                    .map_err(|_| work)
            })
            .collect();
        parts
            .into_iter()
            .map(|part| match part {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(work) => work(),
            })
            .collect()
    })
}

/// Parses the bytes of a file named `file_name` (the name is used for messages and for the
/// sheet name of CSV/HTML files; the format is recognised from the bytes). Never panics: an
/// unexpected failure inside a reader library becomes a [`FileRejection`].
pub fn parse_bytes(
    file_name: &str,
    bytes: &[u8],
    resolver: &RegionResolver,
) -> Result<ParsedFile, FileRejection> {
    match catch_unwind(AssertUnwindSafe(|| parse_inner(file_name, bytes, resolver))) {
        Ok(result) => result,
        Err(_) => Err(FileRejection {
            message: "文件内容异常，读取时出错，无法导入。请在Excel/WPS中打开并重新保存为.xlsx后再试；如仍不行，请把文件交给技术人员检查。"
                .to_string(),
        }),
    }
}

fn parse_inner(
    file_name: &str,
    bytes: &[u8],
    resolver: &RegionResolver,
) -> Result<ParsedFile, FileRejection> {
    let started = std::time::Instant::now();
    let workbook = read::read_workbook(file_name, bytes)?;
    tracing::debug!(
        file = file_name,
        seconds = started.elapsed().as_secs_f64(),
        "import: file read into cells"
    );
    let mut parsed = ParsedFile {
        file_name: file_name.to_string(),
        sheets: Vec::new(),
        file_warnings: workbook.warnings,
    };
    let mut unrecognised: Vec<String> = Vec::new();
    // The records of the sheets before, by content key, each with its sheet's name (built when a
    // second sheet is found: a one-sheet file pays nothing).
    let mut earlier_records: Option<HashMap<String, Vec<String>>> = None;
    let mut sheet_warnings: Vec<(String, String)> = Vec::new();
    // The table read last (on this sheet or an earlier one): fields a later table lacks.
    let mut previous: Option<TableInfo> = None;
    // Hidden sheets after the visible ones: a hidden old copy of a visible sheet is the copy
    // whose repeated rows are dropped (each sheet keeps its place otherwise).
    let in_order = workbook
        .sheets
        .iter()
        .filter(|sheet| !sheet.hidden_sheet)
        .chain(workbook.sheets.iter().filter(|sheet| sheet.hidden_sheet));
    for sheet in in_order {
        if sheet.rows.is_empty() {
            continue;
        }
        let Some(first_header) = detect::find_header(sheet) else {
            unrecognised.push(sheet.name.clone());
            continue;
        };
        if sheet.hidden_sheet {
            // Named in the message itself: with one sheet imported, labels are left out.
            sheet_warnings.push((
                String::new(),
                format!(
                    "工作表“{}”是隐藏的工作表，其中的数据也已读取（每行标注“隐藏工作表中的行”），请核对是否应当计入",
                    sheet.name
                ),
            ));
        }
        // Tables pasted one under another on the sheet are read one by one, each dated by its
        // own header-info line; a table without one keeps the one above it.
        let detect::TableStarts {
            starts,
            repeated_titles,
        } = detect::later_table_starts(sheet, &first_header);
        let mut tables: Vec<(std::borrow::Cow<'_, GridSheet>, Option<detect::Header>)> =
            Vec::with_capacity(starts.len() + 1);
        let repeated_titles: std::collections::HashSet<usize> =
            repeated_titles.into_iter().collect();
        if starts.is_empty() && repeated_titles.is_empty() {
            tables.push((std::borrow::Cow::Borrowed(sheet), Some(first_header)));
        } else {
            let bounds: Vec<usize> = std::iter::once(0)
                .chain(starts.iter().copied())
                .chain(std::iter::once(sheet.rows.len()))
                .collect();
            for (number, pair) in bounds.windows(2).enumerate() {
                let [from, to] = pair else { continue };
                let part = GridSheet {
                    name: sheet.name.clone(),
                    // Without the titles repeated on printed pages (after the first header).
                    rows: (*from..*to)
                        .filter(|index| !repeated_titles.contains(index))
                        .filter_map(|index| sheet.rows.get(index).cloned())
                        .collect(),
                    formulas: sheet.formulas.clone(),
                    links: sheet.links.clone(),
                    hidden_sheet: sheet.hidden_sheet,
                    hidden_columns: sheet.hidden_columns.clone(),
                    cells_are_text: sheet.cells_are_text,
                    format_units: sheet.format_units.clone(),
                    merges: sheet.merges.clone(),
                };
                // The first table's header was found above, with the same row indices.
                let header = (number == 0).then(|| first_header.clone());
                tables.push((std::borrow::Cow::Owned(part), header));
            }
        }
        let several_tables = tables.len() > 1;
        // The rows of the tables above on this sheet: a 总计 under the last table may sum them all.
        let mut earlier_tables_sum = Money::ZERO;
        for (table, header) in tables {
            let label = match table.rows.first() {
                Some(first) if several_tables => {
                    format!("工作表“{}”第{}行起的表格", table.name, first.number)
                }
                _ => format!("工作表“{}”", table.name),
            };
            let Some(header) = header.or_else(|| detect::find_header(&table)) else {
                sheet_warnings.push((label, "没有找到可识别的表头，未导入".to_string()));
                continue;
            };
            let (imported, info) = read_table(
                &table,
                header,
                previous.as_ref(),
                earlier_tables_sum,
                resolver,
                &label,
                &mut sheet_warnings,
            )?;
            earlier_tables_sum += imported.total();
            previous = Some(info);
            let Some(mut imported) =
                dedupe_against_earlier_sheets(imported, &mut parsed, &mut earlier_records)
            else {
                continue;
            };
            drop_repeated_catalogue_rows(&mut imported, &mut parsed.file_warnings);
            parsed.sheets.push(imported);
        }
    }
    if parsed.sheets.is_empty() {
        if unrecognised.is_empty() {
            return Err(FileRejection {
                message: "文件中没有任何内容（所有工作表都是空的），请检查后重新提交。".to_string(),
            });
        }
        return Err(FileRejection {
            message: NO_HEADER.to_string(),
        });
    }
    let several = parsed.sheets.len() > 1;
    for (label, message) in sheet_warnings {
        parsed.file_warnings.push(if several && !label.is_empty() {
            format!("{label}：{message}")
        } else {
            message
        });
    }
    for name in unrecognised {
        parsed
            .file_warnings
            .push(format!("工作表“{name}”中没有找到可识别的表头，未导入"));
    }
    // A form sent back empty (no sales this quarter?) is no error, but must not pass unnoticed.
    if parsed.rows().next().is_none() && parsed.errors().next().is_none() {
        parsed
            .file_warnings
            .push("表格中只有表头，没有数据行，没有导入任何记录".to_string());
    }
    Ok(parsed)
}

/// What a table says about itself, for the next table (pasted under it on the same sheet, or on
/// the next sheet): its header-info fields, 填报时间 and 提交编号.
struct TableInfo {
    fields: detect::InfoFields,
    /// The table's 填报时间 as read ([`HeaderInfo::date`]).
    date: Option<NaiveDate>,
    submission_id: Option<String>,
    /// How messages name the table: `工作表“9月”`, `工作表“附件2”第12行起的表格`.
    label: String,
}

/// Reads one table of a sheet (the whole sheet, or one of the tables pasted one under another;
/// `earlier_tables_sum`: the amounts of the tables above it, which a 总计 under it may include):
/// its header-info line (above the header, or at the foot of the table; fields it lacks are
/// taken from `previous`, the table above it on the sheet), then its rows. Warnings about the
/// table go to `warnings` as (`label`, message). Errors: a table with too many rejected rows
/// rejects the file.
fn read_table(
    table: &GridSheet,
    mut header: detect::Header,
    previous: Option<&TableInfo>,
    earlier_tables_sum: Money,
    resolver: &RegionResolver,
    label: &str,
    warnings: &mut Vec<(String, String)>,
) -> Result<(ImportedSheet, TableInfo), FileRejection> {
    let above = table
        .rows
        .iter()
        .take_while(|r| r.number < header.first_row)
        .cloned()
        .collect::<Vec<_>>();
    detect::apply_unit_note(&mut header, &above);
    let mut fields = detect::read_info(&above);
    if fields.date_text.is_none() || fields.unit.is_none() {
        // The header-info line written at the foot of the table instead (its last rows).
        let foot: Vec<GridRow> = table
            .rows
            .iter()
            .skip(header.data_start)
            .rev()
            .take(INFO_LINE_FOOT_ROWS)
            .filter(|row| detect::is_info_line(row))
            .cloned()
            .collect();
        if !foot.is_empty() {
            let mut with_foot = above.clone();
            with_foot.extend(foot.into_iter().rev());
            fields = detect::read_info(&with_foot);
        }
    }
    if let Some(previous) = previous {
        let earlier = &previous.fields;
        fields.unit = fields.unit.or_else(|| earlier.unit.clone());
        fields.contact_person = fields
            .contact_person
            .or_else(|| earlier.contact_person.clone());
        fields.phone = fields.phone.or_else(|| earlier.phone.clone());
    }
    let mut warn = |message: String| warnings.push((label.to_string(), message));
    // Without a 填报时间 of its own: the period its title names (`2019年第三季度…情况表`), else
    // the year of the table or sheet before (its months may be later: the year's last day bounds
    // the dates).
    let mut inherited = false;
    let title_period = detect::title_text(&above).and_then(|title| detect::period_end(&title));
    let date = match &fields.date_text {
        // `12月31日` under a title naming the year (`…2019年贫困户产品销售情况表`).
        Some(text) => detect::info_date(text).or_else(|| {
            let end = title_period?;
            crate::domain::ReportDate::parse(text, Some(end))
                .ok()
                .map(|parsed| parsed.value.date)
        }),
        None => match title_period {
            Some(end) => Some(end),
            None => previous.and_then(|earlier| {
                inherited = true;
                let date = earlier.date?;
                let year = date.year();
                warn(format!(
                    "未找到填报时间：只写月日的日期按{}的填报时间取{year}年，请核实",
                    earlier.label
                ));
                NaiveDate::from_ymd_opt(year, 12, 31)
            }),
        },
    };
    let info = HeaderInfo {
        unit: fields.unit.clone(),
        date,
        contact_person: fields.contact_person.clone(),
        phone: fields.phone.clone(),
    };
    if info.date.is_none() && header.kind != FormKind::Catalogue {
        let what = match &fields.date_text {
            Some(t) => format!("填报时间“{t}”无法识别"),
            None => "未找到填报时间".to_string(),
        };
        warn(format!(
            "{what}：只写月日的日期无法确定年份，销售时间也无法与填报时间比较"
        ));
    }
    for ignored in &header.ignored_columns {
        warn(ignored.clone());
    }
    let data_rows = table.rows.get(header.data_start..).unwrap_or(&[]);
    for (col, text) in &header.unread_columns {
        if let Some(note) = header.unread_column_note(*col, text, data_rows) {
            warn(note);
        }
    }
    for missing in missing_columns(&header) {
        warn(format!("表头缺少“{missing}”列"));
    }
    let submission_id =
        submission_id(&above).or_else(|| previous.and_then(|p| p.submission_id.clone()));
    let ctx = rows::RowContext {
        sheet: table,
        header: &header,
        resolver,
        reference: info.date,
        today: chrono::Local::now().date_naive(),
        reporting_township: reporting_township(header.kind, info.unit.as_deref(), &above, resolver),
        unit: info.unit.clone(),
        formula_rows: table.formulas.keys().map(|(row, _)| *row).collect(),
        merged_quantities: rows::merged_rows(table, &header, detect::Role::Quantity),
        merged_amounts: rows::merged_rows(table, &header, detect::Role::Amount),
    };
    let rows_started = std::time::Instant::now();
    let rows = rows::import_rows(&ctx);
    tracing::debug!(
        sheet = table.name.as_str(),
        rows = rows.rows.len(),
        seconds = rows_started.elapsed().as_secs_f64(),
        "import: rows classified and validated"
    );
    if rows.too_many_rejected() {
        return Err(too_many_rejected(&table.name, &rows));
    }
    if let Some(warning) = rows.note_only.warning(header.kind) {
        warn(warning);
    }
    if let Some(warning) = rows.emptied_warning() {
        warn(warning);
    }
    if let Some(error) = &rows.total_error
        && header.kind != FormKind::Catalogue
    {
        let cause = if error == "#REF!" {
            "合计公式所引用的行可能已删除"
        } else {
            "合计公式出错"
        };
        warn(format!(
            "合计的金额是错误值“{error}”（{cause}），无法与明细核对：请在Excel中重新求和"
        ));
    }
    let imported = ImportedSheet {
        name: table.name.clone(),
        kind: header.kind,
        header: info,
        submission_id: submission_id.clone(),
        rows: rows.rows,
        errors: rows.errors,
        stated_total: rows.stated_total,
        rejected_record_ids: rows.rejected_record_ids,
        rejected_household_products: rows.rejected_household_products,
    };
    if let Some(stated) = imported.stated_total
        && imported.kind != FormKind::Catalogue
    {
        let sum = imported.total();
        let of_the_sheet = earlier_tables_sum != Money::ZERO && stated == sum + earlier_tables_sum;
        if stated != sum && !of_the_sheet {
            let with_rejected = sum + rows.rejected_amounts.iter().copied().sum::<Money>();
            let mut message = format!("合计({stated})与明细之和({sum})不符");
            let (text_rows, text_sum) = rows.text_amounts;
            if !rows.rejected_amounts.is_empty() && with_rejected == stated {
                message.push_str("（差额为未导入的行）");
            } else if text_rows > 0
                && rows.stated_total_is_formula
                && (stated == sum - text_sum || stated == with_rejected - text_sum)
            {
                let example = match &rows.first_text_amount {
                    Some((row, text)) => format!("如第{row}行的“{text}”"),
                    None => "如“90元”".to_string(),
                };
                message.push_str(&format!(
                    "：有{text_rows}行的金额是文字（{example}），Excel的求和公式不计文字，合计因此少算了{text_sum}元；明细已按填写的金额导入，金额列请填数字"
                ));
            }
            warn(message);
        }
    }
    // A table that borrowed its year passes on where it came from.
    let (date, label) = match previous {
        Some(earlier) if inherited => (earlier.date, earlier.label.clone()),
        _ => (imported.header.date, label.to_string()),
    };
    Ok((
        imported,
        TableInfo {
            fields,
            date,
            submission_id,
            label,
        },
    ))
}

/// Drops the records of `imported` that an earlier sheet of the file already holds (a sheet
/// copied within the workbook — Excel's 建立副本 gives `9月 (2)` —, a 汇总 sheet of the month
/// sheets), with a file warning naming the sheets. Equal rows of one sheet (also in different
/// tables of it) are equal sales and all kept. `earlier_records` (content key → sheet of each
/// earlier record) is built when a second table appears, so a one-table file pays nothing.
/// Returns `None` when nothing of `imported` is left to keep.
fn dedupe_against_earlier_sheets(
    mut imported: ImportedSheet,
    parsed: &mut ParsedFile,
    earlier_records: &mut Option<HashMap<String, Vec<String>>>,
) -> Option<ImportedSheet> {
    let earlier_records = match (earlier_records, parsed.sheets.is_empty()) {
        (Some(records), _) => records,
        (None, true) => return Some(imported),
        (records @ None, false) => {
            let mut built: HashMap<String, Vec<String>> = HashMap::new();
            for sheet in &parsed.sheets {
                for row in &sheet.rows {
                    built
                        .entry(content_key(&row.content))
                        .or_default()
                        .push(sheet.name.clone());
                }
            }
            records.insert(built)
        }
    };
    let before = imported.rows.len();
    let mut matched_sheets: Vec<String> = Vec::new();
    // Each earlier record stands for one row of this sheet (equal rows of one sheet are equal
    // sales, counted); every later sheet is compared with all earlier ones.
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut kept_keys: Vec<String> = Vec::new();
    let this_sheet = imported.name.clone();
    imported.rows.retain(|row| {
        let key = content_key(&row.content);
        let taken = used.entry(key.clone()).or_default();
        match earlier_records.get(&key).and_then(|sheets| {
            sheets
                .iter()
                .filter(|sheet| **sheet != this_sheet)
                .nth(*taken)
        }) {
            Some(sheet) => {
                *taken += 1;
                if !matched_sheets.contains(sheet) {
                    matched_sheets.push(sheet.clone());
                }
                false
            }
            None => {
                kept_keys.push(key);
                true
            }
        }
    });
    let repeated = before - imported.rows.len();
    let what = match imported.kind {
        FormKind::Catalogue => "产品",
        FormKind::Sale | FormKind::Procurement => "销售",
    };
    if repeated > 0 {
        let earlier = matched_sheets
            .iter()
            .map(|name| format!("“{name}”"))
            .collect::<Vec<_>>()
            .join("、");
        parsed.file_warnings.push(if imported.rows.is_empty() {
            format!(
                "工作表“{}”的记录与工作表{earlier}完全相同（复制的工作表或汇总表？），只导入了一次；如确是另外的{what}，请分开提交",
                imported.name
            )
        } else {
            format!(
                "工作表“{}”中有{repeated}行与工作表{earlier}中的记录完全相同（汇总表或复制的工作表？），这些行只导入了一次；如确是另外的{what}，请分开提交",
                imported.name
            )
        });
        if imported.rows.is_empty() && imported.errors.is_empty() {
            return None;
        }
    }
    for key in kept_keys {
        earlier_records
            .entry(key)
            .or_default()
            .push(imported.name.clone());
    }
    Some(imported)
}

/// Drops the rows of a 附件1 sheet that repeat an earlier row of it exactly (a row copied twice:
/// a household lists each product once, 附件1), with one file warning naming the rows. Rows of
/// the same product at another price (`普通`, `精品`) are kept. Sales are left alone: equal rows
/// of a 附件2/附件3 sheet are equal sales.
fn drop_repeated_catalogue_rows(imported: &mut ImportedSheet, file_warnings: &mut Vec<String>) {
    if imported.kind != FormKind::Catalogue {
        return;
    }
    // Rows naming different records of an export are different entries, even when equal.
    let mut first_row: HashMap<(String, Option<i64>), u32> = HashMap::new();
    // (repeated row, the row it repeats)
    let mut repeats: Vec<(u32, u32)> = Vec::new();
    imported.rows.retain(
        |row| match first_row.entry((content_key(&row.content), row.record_id)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                repeats.push((row.row, *first.get()));
                false
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row.row);
                true
            }
        },
    );
    if repeats.is_empty() {
        return;
    }
    const LISTED: usize = 5;
    let mut listed: Vec<String> = repeats
        .iter()
        .take(LISTED)
        .map(|(row, first)| format!("第{row}行同第{first}行"))
        .collect();
    if repeats.len() > LISTED {
        listed.push("……".to_string());
    }
    file_warnings.push(format!(
        "工作表“{}”中有{}行与上面的行内容相同（{}），只导入了一次：同一户的同一产品在待销目录中只列一次",
        imported.name,
        repeats.len(),
        listed.join("；")
    ));
}

/// Required columns the header lacks, by their official names.
fn missing_columns(header: &detect::Header) -> Vec<&'static str> {
    rows::key_columns(header.kind)
        .into_iter()
        .filter(|(role, _)| header.column(*role).is_none())
        .map(|(_, name)| name)
        .collect()
}

/// What makes two rows of different sheets the same record: form, 采购单位, township, village,
/// household, product, date, quantity and amount for a sale (not 备注: a 汇总 sheet often leaves
/// it out); township, village, household, product, 计划销量 and price as typed for a listing.
fn content_key(content: &RowContent) -> String {
    match content {
        RowContent::Sale(s) => format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}",
            s.kind.number(),
            s.purchaser,
            s.township_code,
            s.village,
            s.household,
            s.product,
            s.date.date,
            s.date.precision,
            s.quantity,
            s.amount.to_fen(),
        ),
        RowContent::Listing(l) => format!(
            "L\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            l.township_code,
            l.village,
            l.household,
            l.product,
            l.planned_quantity_text,
            l.price_text,
        ),
    }
}

/// The rejection of a file one of whose sheets has more than [`rows::MAX_REJECTED_ROWS`] bad
/// rows: the count, the first few reasons and what to check.
fn too_many_rejected(sheet: &str, rows: &rows::SheetRows) -> FileRejection {
    // The first issue of each of the first three rows.
    let mut first: Vec<String> = Vec::new();
    let mut last_row = None;
    for issue in &rows.errors {
        if last_row != Some(issue.row) {
            last_row = Some(issue.row);
            if first.len() == 3 {
                break;
            }
            first.push(issue.to_string());
        }
    }
    FileRejection {
        message: format!(
            "工作表“{sheet}”有{}行数据无法导入（超过{}行），整个文件未导入。前几个错误：{}。请检查是否用错了模板、各列是否错位，或是否有内容被填充到了表格末尾，改正后重新导入。",
            rows.rejected_count,
            rows::MAX_REJECTED_ROWS,
            first.join("；")
        ),
    }
}

/// The township whose own form a sheet is, for a 地区 that gives only the village: the one
/// township its 填报单位 names (`农坝镇人民政府`, `泥溪镇扶贫办`; `农坝镇人民政府、泥溪镇人民政府` or a
/// department names none), or, when the sheet has no 填报单位 at all, the one its title names
/// (`农坝镇贫困户产品销售情况表`, `2019年泥溪镇贫困户…`). Only a township's own forms (附件1,
/// 附件2) list its villages: a 附件3's sellers may come from anywhere, so it has none.
fn reporting_township(
    kind: FormKind,
    unit: Option<&str>,
    above_header: &[GridRow],
    resolver: &RegionResolver,
) -> Option<regions::ReportingTownship> {
    if kind == FormKind::Procurement {
        return None;
    }
    let (named, from_title) = match unit {
        Some(unit) => (unit.to_string(), false),
        None => (detect::title_text(above_header)?, true),
    };
    let name = resolver
        .resolve(&named)
        .ok()
        .filter(|region| region.village.is_empty())
        .map(|region| region.township_name)
        .or_else(|| Some(resolver.only_township_named_in(&named)?.name.clone()))?;
    Some(regions::ReportingTownship { name, from_title })
}

/// `提交编号:<id>` written above the header (in the exporter's hidden column).
fn submission_id(above: &[grid::GridRow]) -> Option<String> {
    for row in above {
        for (_, value) in &row.cells {
            let text = value.to_text();
            let folded = detect::fold(&text);
            if let Some(rest) = folded.strip_prefix("提交编号") {
                let id = rest.trim_start_matches([':', '：']).trim();
                if !id.is_empty() {
                    return Some(id.to_string());
                }
            }
        }
    }
    None
}
