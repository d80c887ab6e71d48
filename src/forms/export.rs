//! Export of 附件1/2/3 as xlsx in the official printed layout, which is also the exchange format
//! that the county re-imports.
//!
//! # Sheet layout (rows and columns 0-based; constants in [`crate::forms::layout`])
//!
//! One worksheet, named after the label (`附件1`, `附件2` or `附件3`). With `n` form columns (including
//! `序号`; 10 for 附件1, 9 for 附件2/3):
//!
//! | row | columns `0..n` (printed) | column `n` (hidden exchange column) |
//! | --- | --- | --- |
//! | 0 | label, e.g. `附件2`, in column 0 | `提交编号:<submission_id>` (string) |
//! | 1 | title, merged over `0..n`, 宋体 16pt bold, centred | — |
//! | 2 | header information, merged over `0..n`: `填报单位：…　　供货联系人姓名：…　　联系方式：…　　填报时间：…` (field names from the layout's `info_fields`, full-width colons `：`, two ideographic spaces `　　` between fields; an empty value prints as six ideographic spaces) | — |
//! | 3 | column headers exactly as the layout's `columns` | `记录编号` (string); in column `n+1` (also hidden) `填写原文` |
//! | 4 … 4+rows−1 | one record per row: `序号` 1..=rows (number), then the cells | the record id (number) where `record_id` is `Some`, else empty; in column `n+1` the row's [`FormRow::typed`] as `列名：原文` lines, or empty |
//! | 4 … 4+12−1, only when there are no records | a blank form: 12 empty ruled rows to fill in (`BLANK_FORM_ROWS`); 序号 and the amount column formatted as numbers, every other column as text (`@`) | — |
//! | 4+rows (4+12 on a blank form) | 附件2/3 only: `合计` merged over columns `0..t` (t = amount column, 7), in column t a formula `=SUM(…)` over the data rows (or the blank rows) with its cached result (the exact total of the numeric cells of that column; text cells count for nothing, as in SUM) | — |
//! | after that | the notes, one merged row each: `备注：1.…`, then `　　　2.…` | — |
//!
//! Cell types: [`CellValue::Text`] is always written as a string (never a formula), even when it begins
//! with `=`, `+`, `-`, `@` or is a long digit string (such cells also get Excel's quote prefix so that
//! editing them keeps them text); [`CellValue::Money`] as a number with format `0.00`;
//! [`CellValue::Integer`] as a number with format `0`.
//!
//! Printing: A4, landscape, fit to one page wide, rows 0–3 repeated on every page, footer
//! `第 &P 页 共 &N 页`, centred horizontally, print area = the form columns (the hidden column is
//! outside it). Rows 0–3 are frozen on screen.
//!
//! There is no title prefix: the official title is printed unchanged and the reporting unit (e.g.
//! `泥溪镇人民政府`) goes in [`HeaderInfo::unit`], as on the official form.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Format, FormatAlign, FormatBorder, Formula, IgnoreError, Workbook, Worksheet, XlsxError,
};

use crate::domain::Money;
use crate::domain::sale::FormKind;
use crate::forms::layout::{
    FIRST_DATA_ROW, FormLayout, HEADER_ROW, INFO_ROW, LABEL_ROW, NOTES_LABEL, RECORD_ID_HEADER,
    SUBMISSION_ID_PREFIX, TITLE_ROW, TOTAL_LABEL, TYPED_TEXT_HEADER, form_layout,
};

/// The font every cell uses. Windows and WPS have it; elsewhere the viewer substitutes its own
/// CJK font (on Linux add a fontconfig alias 宋体 → Noto Serif/Sans CJK SC).
pub(crate) const FONT_NAME: &str = "宋体";
/// Font size (pt) of the table, header-information line and notes.
const BODY_FONT_SIZE: f64 = 11.0;
/// Font size (pt) of the title.
const TITLE_FONT_SIZE: f64 = 18.0;
/// Font size (pt) of the label `附件N`.
const LABEL_FONT_SIZE: f64 = 12.0;
/// Height (pt) of one line of body text. Row heights are set by hand from an estimate of the
/// wrapped line count: merged cells never grow by themselves and LibreOffice does not grow rows
/// of wrapped text on opening an xlsx.
const LINE_HEIGHT: f64 = 15.0;
/// Extra height (pt) of a table row beyond its lines of text.
const ROW_PADDING: f64 = 6.0;
/// The workbook's default row height and column width in pixels for 宋体 11pt, as in Chinese
/// Excel (13.5pt rows, 8.38-character columns; one width unit = one 宋体 digit = 8 px).
const DEFAULT_ROW_PIXELS: u32 = 18;
const DEFAULT_COLUMN_PIXELS: u32 = 72;
/// Columns at most this wide (Excel units) are centred; wider ones (units, regions, remarks) are
/// left-aligned.
const CENTRED_MAX_WIDTH: f64 = 13.0;
/// Width of the hidden record-id column.
const RECORD_ID_WIDTH: f64 = 12.0;
/// Empty ruled rows of a form exported without records (a blank form for a township or
/// department to fill in).
const BLANK_FORM_ROWS: usize = 12;
/// Height of those rows in pt: about 1 cm, room to write by hand on paper.
const BLANK_ROW_HEIGHT: f64 = 28.0;
/// Excel's row limit per worksheet.
const EXCEL_MAX_ROWS: usize = 1_048_576;
/// `progress` is called after every this many rows.
const PROGRESS_EVERY: usize = 1000;
/// The share of the work reported for writing the rows; the rest is compressing and saving.
const ROWS_SHARE: f32 = 0.7;

/// The filled-in header information of a form, printed on row 3 after the layout's `info_fields`
/// (in this order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderInfo {
    /// 填写单位 (附件1) / 填报单位 (附件2/3), e.g. `泥溪镇人民政府`.
    pub unit: String,
    /// 填写人 (附件1) / 供货联系人姓名 (附件2/3).
    pub person: String,
    /// 联系电话 (附件1) / 联系方式 (附件2/3).
    pub phone: String,
    /// 填写日期 (附件1) / 填报时间 (附件2/3), as it should be printed, e.g. `2019年9月30日`.
    pub date: String,
}

/// The value of one cell of a form row.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Text as typed; always written as a string (never interpreted as a formula or number).
    Text(String),
    /// An amount, written as a number with format `0.00` (and summed in the 合计 row when in the
    /// amount column).
    Money(Money),
    /// A whole number (e.g. 涉及贫困户数), written as a number with format `0`.
    Integer(i64),
}

/// One record of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRow {
    /// The record's id in the database, written to the hidden `记录编号` column so that a re-import
    /// updates the same record instead of adding a double count. `None` leaves the cell empty.
    pub record_id: Option<i64>,
    /// The cells in the form's column order, EXCLUDING `序号` (the writer numbers rows 1..=n): 9 for
    /// 附件1, 8 for 附件2/3.
    pub cells: Vec<CellValue>,
    /// (column name, typed text) of cells that print a self-contained value instead of the
    /// typed text (see [`crate::forms::layout::TYPED_TEXT_HEADER`]); written to the hidden
    /// `填写原文` column. Usually empty.
    pub typed: Vec<(String, String)>,
}

/// A filled-in form ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDocument {
    /// Which form (附件1, 附件2 or 附件3); decides label, title, columns and notes.
    pub kind: FormKind,
    /// The header information (reporting unit, contact, phone, date). The official title is
    /// printed unchanged; put the township or department in `header.unit`.
    pub header: HeaderInfo,
    /// The records, in print order.
    pub rows: Vec<FormRow>,
    /// Identifies this export; written to the hidden cell `提交编号:<submission_id>` so the county
    /// can recognise a corrected re-submission of the same file.
    pub submission_id: String,
}

/// Why a form could not be exported. The messages are Chinese and shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file could not be written (disk full, folder missing, …). The message names the file
    /// and the reason in Chinese ([`write_failure_reason`]), the system's own text in parentheses.
    #[error("无法写入文件“{}”：{}（系统提示：{source}）", path.display(), write_failure_reason(path, source))]
    Write {
        /// The file that was being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is open in another program (Windows locks files open in Excel/WPS) or the folder is
    /// read-only.
    #[error("无法写入文件“{}”：{}（系统提示：{source}）", path.display(), write_failure_reason(path, source))]
    PermissionDenied {
        /// The file that was being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The xlsx writer rejected something (e.g. a cell longer than 32,767 characters).
    #[error("生成表格失败：{0}")]
    Xlsx(#[from] XlsxError),
    /// A row has the wrong number of cells for its form (a programming error upstream).
    #[error("第{row}条记录有{found}个单元格，{label}每行应有{expected}个（不含序号）")]
    CellCount {
        /// The form's label, e.g. `附件2`.
        label: &'static str,
        /// 1-based record number.
        row: usize,
        /// Cells expected (form columns minus 序号).
        expected: usize,
        /// Cells found.
        found: usize,
    },
    /// More records than one worksheet can hold.
    #[error(
        "记录太多：共{rows}条，超过了 Excel 单个工作表的上限（{max}条），请按季度或乡镇分开导出"
    )]
    TooManyRows {
        /// Records in the document.
        rows: usize,
        /// The most that fit.
        max: usize,
    },
}

/// Why writing `path` failed, in Chinese, from the kind of the I/O error: 文件夹不存在,
/// 没有写入权限, 文件被其他程序占用, 磁盘空间已满, … (the system's text is added by the caller).
pub fn write_failure_reason(path: &Path, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| format!("“{}”", p.display()))
        .unwrap_or_default();
    // Windows: ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33), a file held open.
    if cfg!(windows) && matches!(error.raw_os_error(), Some(32 | 33)) {
        return "文件被其他程序占用（可能正在 Excel 或 WPS 中打开），请关闭该文件后重试".into();
    }
    match error.kind() {
        ErrorKind::NotFound => format!("文件夹{folder}不存在，请检查路径或换一个文件夹"),
        ErrorKind::PermissionDenied => {
            "没有写入权限，或文件被其他程序占用（可能正在 Excel 或 WPS 中打开）；请关闭该文件后重试，或换一个文件夹".into()
        }
        ErrorKind::ResourceBusy | ErrorKind::ExecutableFileBusy => {
            "文件被其他程序占用，请关闭该文件后重试".into()
        }
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "磁盘空间已满，请清理磁盘或换一个位置".into()
        }
        ErrorKind::ReadOnlyFilesystem => "磁盘是只读的，请换一个文件夹".into(),
        ErrorKind::IsADirectory => "已有同名的文件夹，请换一个文件名".into(),
        ErrorKind::NotADirectory => format!("路径{folder}中有一部分不是文件夹，请检查路径"),
        ErrorKind::InvalidFilename => "文件名无效（含有不允许的字符或太长），请换一个文件名".into(),
        ErrorKind::FileTooLarge => "文件太大，超出了磁盘允许的大小".into(),
        _ => "写入时出错，请换一个文件夹或稍后重试".into(),
    }
}

/// Writes `doc` as an xlsx file at `path` in the official layout (see the module docs).
///
/// The file is first written next to `path` under a temporary name and then renamed over `path`,
/// so a power cut or a full disk never leaves a half-written form in place of a good one.
/// `progress` receives the fraction done (0.0–1.0) about every 1000 rows and at the end.
pub fn write_form(
    doc: &FormDocument,
    path: &Path,
    progress: &dyn Fn(f32),
) -> Result<(), ExportError> {
    let bytes = build(doc, progress)?;
    write_atomically(path, &bytes)?;
    progress(1.0);
    Ok(())
}

/// The xlsx file of `doc` as bytes (same content as [`write_form`] writes).
pub fn form_to_bytes(doc: &FormDocument) -> Result<Vec<u8>, ExportError> {
    build(doc, &|_| {})
}

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path` (also used by the
/// report exports: bulletin, supply catalogue).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_path = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let io_error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::PermissionDenied {
            ExportError::PermissionDenied {
                path: path.to_path_buf(),
                source,
            }
        } else {
            ExportError::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    std::fs::write(&temp_path, bytes).map_err(|source| {
        let _ = std::fs::remove_file(&temp_path);
        io_error(source)
    })?;
    std::fs::rename(&temp_path, path).map_err(|source| {
        let _ = std::fs::remove_file(&temp_path);
        io_error(source)
    })
}

/// The cell formats of one sheet.
struct Formats {
    /// The workbook default (宋体 11pt), also used for the hidden exchange column.
    default: Format,
    label: Format,
    title: Format,
    info: Format,
    header: Format,
    /// Text cells: `[centred, left-aligned]`, each `[plain, quote-prefixed]`.
    text: [[Format; 2]; 2],
    /// The empty cells of a blank form's rows (not the amount): `[centred, left-aligned]`, with
    /// the number format `@` so that Excel and WPS keep what is typed as text.
    fill_in_text: [Format; 2],
    money: Format,
    integer: Format,
    total_label: Format,
    total_money: Format,
    total_blank: Format,
    note: Format,
}

impl Formats {
    fn new() -> Self {
        // Charset 134 = GB2312: tells Excel the font is Chinese.
        let body = Format::new()
            .set_font_name(FONT_NAME)
            .set_font_size(BODY_FONT_SIZE)
            .set_font_charset(134);
        let cell = body
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let centred = cell.clone().set_align(FormatAlign::Center);
        // Left-aligned text and right-aligned amounts keep one character of space from the border.
        let left = cell.clone().set_align(FormatAlign::Left).set_indent(1);
        Formats {
            label: body
                .clone()
                .set_font_name("黑体")
                .set_font_size(LABEL_FONT_SIZE)
                .set_align(FormatAlign::Left),
            title: body
                .clone()
                .set_font_size(TITLE_FONT_SIZE)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            info: body
                .clone()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::VerticalCenter),
            header: centred.clone().set_bold(),
            text: [
                [centred.clone(), centred.clone().set_quote_prefix()],
                [left.clone(), left.clone().set_quote_prefix()],
            ],
            fill_in_text: [
                centred.clone().set_num_format("@"),
                left.clone().set_num_format("@"),
            ],
            money: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_indent(1)
                .set_num_format("0.00"),
            integer: centred.clone().set_num_format("0"),
            total_label: centred.clone().set_bold(),
            total_money: cell
                .clone()
                .set_align(FormatAlign::Right)
                .set_indent(1)
                .set_num_format("0.00")
                .set_bold(),
            total_blank: cell,
            note: body
                .clone()
                .set_align(FormatAlign::Left)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            default: body,
        }
    }
}

/// True for text Excel would turn into something else when the cell is edited: formulas
/// (`= + - @`) and numbers (phone and ID numbers lose digits).
fn needs_quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@']) || (!text.is_empty() && text.parse::<f64>().is_ok())
}

/// Approximate printed width of `text` in Excel width units at the body font size (a unit is a
/// 宋体 digit, 8 px): a CJK (full-width) character ≈ 1.9 units (15 px), an ASCII character ≈ 1.
pub(crate) fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 1.9 })
        .sum()
}

/// Lines `text` needs in a cell `width` units wide (at least 1), `indented` when the cell format
/// has a one-character indent. Errs on the generous side by half a unit for padding.
pub(crate) fn line_count(text: &str, width: f64, indented: bool) -> f64 {
    let usable = (width - if indented { 1.5 } else { 0.5 }).max(1.0);
    let explicit_lines = text.split('\n').map(|line| wrapped_lines(line, usable));
    explicit_lines.sum::<f64>().max(1.0)
}

/// Lines one line of text needs when wrapped greedily in `usable` width units, as spreadsheet
/// programs print it: a line may break after a space, `/` or `-` and around every Chinese
/// character; a run without such a break longer than the line is cut by characters. A web
/// address (`https://shop.example.invalid/nixi/lr01`) so takes the lines it really takes, more
/// than its width alone says.
pub(crate) fn wrapped_lines(line: &str, usable: f64) -> f64 {
    let mut lines = 1.0;
    let mut used = 0.0;
    let mut place = |width: f64| {
        if used + width <= usable {
            used += width;
        } else if width <= usable {
            lines += 1.0;
            used = width;
        } else {
            // Too long for any line: it starts a line of its own and is cut by characters.
            if used > 0.0 {
                lines += 1.0;
            }
            let extra = (width / usable).ceil() - 1.0;
            lines += extra;
            used = width - extra * usable;
        }
    };
    let mut word = 0.0;
    for c in line.chars() {
        if c.is_ascii() {
            word += 1.0;
            if matches!(c, ' ' | '/' | '-') {
                place(word);
                word = 0.0;
            }
        } else {
            if word > 0.0 {
                place(word);
                word = 0.0;
            }
            place(text_width(c.encode_utf8(&mut [0; 4])));
        }
    }
    if word > 0.0 {
        place(word);
    }
    lines
}

/// The header-information line, e.g. `填报单位：泥溪镇人民政府　　供货联系人姓名：张三　　…`.
fn info_line(layout: &FormLayout, header: &HeaderInfo) -> String {
    let values = [&header.unit, &header.person, &header.phone, &header.date];
    layout
        .info_fields
        .iter()
        .zip(values)
        .map(|(field, value)| {
            let value = value.trim();
            if value.is_empty() {
                format!("{field}：　　　　　　")
            } else {
                format!("{field}：{value}")
            }
        })
        .collect::<Vec<_>>()
        .join("　　")
}

/// A1-style reference of a 0-based (row, column).
fn cell_ref(row: u32, col: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(row, col)
}

/// Converts a 0-based index to a column number. Form columns are at most 11, so this never fails.
fn col(index: usize) -> u16 {
    u16::try_from(index).unwrap_or(u16::MAX)
}

/// Converts a row index; callers have checked it against [`EXCEL_MAX_ROWS`].
fn row(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// Builds the workbook of `doc` and returns the xlsx bytes.
/// The layout's column widths, widened so the data fits: the 序号 column for the number of
/// records, the amount column for the 合计 (bold, so about 1.2× the digits' width).
fn fitted_widths(layout: &FormLayout, doc: &FormDocument) -> Vec<f64> {
    let mut widths = layout.column_widths.to_vec();
    if let Some(first) = widths.first_mut() {
        let digits = doc.rows.len().max(1).to_string().len() as f64;
        *first = first.max(digits + 2.0);
    }
    if let Some(total_column) = layout.total_column {
        let total: Money = doc
            .rows
            .iter()
            .filter_map(|r| match r.cells.get(total_column.wrapping_sub(1)) {
                Some(CellValue::Money(money)) => Some(*money),
                _ => None,
            })
            .sum();
        if let Some(width) = widths.get_mut(total_column) {
            *width = width.max(text_width(&total.to_string()) * 1.2 + 2.0);
        }
    }
    widths
}

fn build(doc: &FormDocument, progress: &dyn Fn(f32)) -> Result<Vec<u8>, ExportError> {
    let layout = form_layout(doc.kind);
    let columns = layout.column_count();
    let expected_cells = columns - 1;
    let max_rows = EXCEL_MAX_ROWS - FIRST_DATA_ROW as usize - 1 - layout.notes.len();
    if doc.rows.len() > max_rows {
        return Err(ExportError::TooManyRows {
            rows: doc.rows.len(),
            max: max_rows,
        });
    }
    if let Some((index, bad)) = doc
        .rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.cells.len() != expected_cells)
    {
        return Err(ExportError::CellCount {
            label: layout.label,
            row: index + 1,
            expected: expected_cells,
            found: bad.cells.len(),
        });
    }

    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // 宋体 11pt as the default font, as in Chinese Excel/WPS: column width units then match 宋体
    // digits, and LibreOffice does not measure widths with a substitute for Calibri.
    workbook.set_default_format(&formats.default, DEFAULT_ROW_PIXELS, DEFAULT_COLUMN_PIXELS)?;
    // Deflate is most of the save time. Measured on 100,000 rows: level 6 (default) 4.7 MB and
    // ~1.4 s to save, level 3 5.8 MB and ~0.85 s, level 1 8.8 MB and ~0.75 s.
    workbook.set_zip_compression_level(3);
    let sheet = workbook.add_worksheet();
    sheet.set_name(layout.label)?;
    let last_col = col(columns - 1);
    let id_col = col(layout.record_id_column());

    // Column widths by hand (autofit mis-measures CJK), widened where the data needs it: 序号 for
    // six-digit row numbers, the amount column for a large bold 合计 (else Excel prints `###`).
    let widths = fitted_widths(layout, doc);
    for (index, width) in widths.iter().enumerate() {
        sheet.set_column_width(col(index), *width)?;
    }
    sheet.set_column_width(id_col, RECORD_ID_WIDTH)?;
    sheet.set_column_hidden(id_col)?;
    let typed_col = col(layout.typed_text_column());
    sheet.set_column_width(typed_col, RECORD_ID_WIDTH)?;
    sheet.set_column_hidden(typed_col)?;

    // Rows 0–3: label, title, header information, column headers.
    sheet.write_string_with_format(LABEL_ROW, 0, layout.label, &formats.label)?;
    sheet.write_string_with_format(
        LABEL_ROW,
        id_col,
        format!("{SUBMISSION_ID_PREFIX}{}", doc.submission_id),
        &formats.default,
    )?;
    sheet.set_row_height(LABEL_ROW, 20.0)?;
    sheet.merge_range(
        TITLE_ROW,
        0,
        TITLE_ROW,
        last_col,
        layout.title,
        &formats.title,
    )?;
    sheet.set_row_height(TITLE_ROW, 32.0)?;
    let info = info_line(layout, &doc.header);
    sheet.merge_range(INFO_ROW, 0, INFO_ROW, last_col, &info, &formats.info)?;
    let info_lines = line_count(&info, layout.total_width(), false);
    sheet.set_row_height(INFO_ROW, info_lines * LINE_HEIGHT + ROW_PADDING)?;
    let mut header_lines: f64 = 1.0;
    for (index, (name, width)) in layout.columns.iter().zip(&widths).enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col(index), *name, &formats.header)?;
        header_lines = header_lines.max(line_count(name, *width, false));
    }
    sheet.write_string_with_format(HEADER_ROW, id_col, RECORD_ID_HEADER, &formats.default)?;
    sheet.write_string_with_format(HEADER_ROW, typed_col, TYPED_TEXT_HEADER, &formats.default)?;
    sheet.set_row_height(HEADER_ROW, header_lines * LINE_HEIGHT + 2.0 * ROW_PADDING)?;

    // Records.
    // 0 = centred, 1 = left-aligned with indent (index into `Formats::text`).
    let alignment: Vec<usize> = layout
        .column_widths
        .iter()
        .map(|width| usize::from(*width > CENTRED_MAX_WIDTH))
        .collect();
    let mut total = Money::ZERO;
    let count = doc.rows.len();
    for (index, record) in doc.rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + row(index);
        sheet.write_number_with_format(r, 0, (index + 1) as f64, &formats.integer)?;
        let mut lines: f64 = 1.0;
        for (offset, value) in record.cells.iter().enumerate() {
            let c = offset + 1;
            write_cell(sheet, &formats, r, col(c), alignment[c], value)?;
            if let CellValue::Text(text) = value {
                lines = lines.max(line_count(text, widths[c], alignment[c] == 1));
            }
            // The cached total must equal what SUM computes: numbers count, text does not.
            if Some(c) == layout.total_column {
                match value {
                    CellValue::Money(money) => total += *money,
                    CellValue::Integer(yuan) => total += Money::from_fen(yuan.saturating_mul(100)),
                    CellValue::Text(_) => {}
                }
            }
        }
        sheet.set_row_height(r, lines * LINE_HEIGHT + ROW_PADDING)?;
        if let Some(id) = record.record_id {
            // i64 → f64 is exact for ids below 2^53 (SQLite rowids in practice).
            sheet.write_number_with_format(r, id_col, id as f64, &formats.default)?;
        }
        if !record.typed.is_empty() {
            let lines: Vec<String> = record
                .typed
                .iter()
                .map(|(column, text)| format!("{column}：{text}"))
                .collect();
            sheet.write_string_with_format(r, typed_col, lines.join("\n"), &formats.default)?;
        }
        if (index + 1) % PROGRESS_EVERY == 0 {
            progress(ROWS_SHARE * (index + 1) as f32 / count as f32);
        }
    }
    // A form without records is a blank form to fill in: empty ruled rows, 序号 and the amount
    // column as numbers, every other column as text (a phone or ID number typed in keeps its
    // digits).
    let blank_rows = if count == 0 { BLANK_FORM_ROWS } else { 0 };
    for index in 0..blank_rows {
        let r = FIRST_DATA_ROW + row(index);
        for (c, aligned) in alignment.iter().enumerate().take(columns) {
            let format = if c == 0 {
                // 序号, a number as in the rows of records.
                &formats.integer
            } else if Some(c) == layout.total_column {
                &formats.money
            } else {
                &formats.fill_in_text[*aligned]
            };
            sheet.write_blank(r, col(c), format)?;
        }
        sheet.set_row_height(r, BLANK_ROW_HEIGHT)?;
    }
    // Every form has data rows now (records or blank ones).
    let mut next_row = FIRST_DATA_ROW + row(count + blank_rows);
    // Phone and ID numbers are text on purpose: silence Excel's green "number stored as text".
    sheet.ignore_error_range(
        FIRST_DATA_ROW,
        1,
        next_row - 1,
        last_col,
        IgnoreError::NumberStoredAsText,
    )?;

    // 合计 row (附件2/3): label merged over the columns before the amount, SUM formula with its
    // exact result cached so that viewers that do not recalculate show the right total.
    if let Some(total_column) = layout.total_column {
        let t = col(total_column);
        if t >= 2 {
            sheet.merge_range(
                next_row,
                0,
                next_row,
                t - 1,
                TOTAL_LABEL,
                &formats.total_label,
            )?;
        } else {
            sheet.write_string_with_format(next_row, 0, TOTAL_LABEL, &formats.total_label)?;
        }
        // Over the blank rows too: the total of a form filled in by hand adds up in Excel or WPS.
        let formula = format!(
            "=SUM({}:{})",
            cell_ref(FIRST_DATA_ROW, t),
            cell_ref(next_row - 1, t)
        );
        sheet.write_formula_with_format(
            next_row,
            t,
            Formula::new(formula).set_result(total.to_string()),
            &formats.total_money,
        )?;
        for c in (t + 1)..=last_col {
            sheet.write_blank(next_row, c, &formats.total_blank)?;
        }
        sheet.set_row_height(next_row, LINE_HEIGHT + 2.0 * ROW_PADDING)?;
        next_row += 1;
    }

    // Notes, one merged and wrapped row each, tall enough for the text.
    let indent = "　".repeat(NOTES_LABEL.chars().count());
    for (index, note) in layout.notes.iter().enumerate() {
        let text = if index == 0 {
            format!("{NOTES_LABEL}{note}")
        } else {
            format!("{indent}{note}")
        };
        sheet.merge_range(next_row, 0, next_row, last_col, &text, &formats.note)?;
        let lines = line_count(&text, layout.total_width(), false);
        sheet.set_row_height(next_row, lines * LINE_HEIGHT + ROW_PADDING)?;
        next_row += 1;
    }
    let last_row = next_row - 1;

    // Printing: A4 landscape, one page wide, header rows repeated, page numbers in the footer.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页 共 &N 页");
    sheet.set_repeat_rows(LABEL_ROW, HEADER_ROW)?;
    sheet.set_print_area(0, 0, last_row, last_col)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;

    progress(ROWS_SHARE);
    Ok(workbook.save_to_buffer()?)
}

/// Writes one data cell (see the module docs for the cell types).
fn write_cell(
    sheet: &mut Worksheet,
    formats: &Formats,
    r: u32,
    c: u16,
    alignment: usize,
    value: &CellValue,
) -> Result<(), XlsxError> {
    match value {
        CellValue::Text(text) => {
            let format = &formats.text[alignment][usize::from(needs_quote_prefix(text))];
            sheet.write_string_with_format(r, c, text, format)?;
        }
        CellValue::Money(money) => {
            // xlsx stores numbers as doubles: this is the one place Money becomes f64. fen → f64 is
            // exact below 2^53 fen, and the single division by 100 gives the double nearest to the
            // exact amount, which Excel displays exactly with format 0.00.
            let yuan = money.to_fen() as f64 / 100.0;
            sheet.write_number_with_format(r, c, yuan, &formats.money)?;
        }
        CellValue::Integer(number) => {
            sheet.write_number_with_format(r, c, *number as f64, &formats.integer)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A web address breaks after its `/`: the 附件1 网店网址 cell (22 units, indented) needs
    /// three lines for `https://shop.example.invalid/nixi/lr01`, as LibreOffice prints it (the
    /// width alone says two, and the third line was cut off on paper).
    #[test]
    fn a_web_address_takes_the_lines_it_prints_on() {
        assert_eq!(
            line_count("https://shop.example.invalid/nixi/lr01", 22.0, true),
            3.0
        );
        assert_eq!(line_count("https://a.cn/x", 22.0, true), 1.0);
        // Chinese text wraps at any character.
        assert_eq!(line_count("送货上门、上门自提", 12.0, false), 2.0);
        assert_eq!(line_count("", 12.0, false), 1.0);
    }

    use calamine::{Data, Reader, Xlsx, open_workbook};

    fn text(s: &str) -> CellValue {
        CellValue::Text(s.to_owned())
    }

    fn yuan(fen: i64) -> CellValue {
        CellValue::Money(Money::from_fen(fen))
    }

    fn sale_row(id: Option<i64>, purchaser: &str, fen: i64) -> FormRow {
        FormRow {
            record_id: id,
            typed: Vec::new(),
            cells: vec![
                text(purchaser),
                text("2019.9.1"),
                text("云阳县泥溪镇三坪村"),
                text("王某某"),
                text("土豆"),
                text("30斤"),
                yuan(fen),
                text(""),
            ],
        }
    }

    fn sample_sale() -> FormDocument {
        FormDocument {
            kind: FormKind::Sale,
            header: HeaderInfo {
                unit: "泥溪镇人民政府".into(),
                person: "张三".into(),
                phone: "17723635558".into(),
                date: "2019年9月30日".into(),
            },
            rows: vec![
                sale_row(Some(101), "云阳县商务委", 9000),
                sale_row(None, "=HYPERLINK(\"x\")", 10),
                sale_row(Some(103), "云阳县教委", 20),
            ],
            submission_id: "S-2019Q3-0001".into(),
        }
    }

    fn read_sheet(path: &Path, name: &str) -> calamine::Range<Data> {
        let mut workbook: Xlsx<_> = open_workbook(path).expect("open xlsx");
        workbook.worksheet_range(name).expect("sheet")
    }

    fn cell(range: &calamine::Range<Data>, r: u32, c: u32) -> Data {
        range.get_value((r, c)).cloned().unwrap_or(Data::Empty)
    }

    fn string(s: &str) -> Data {
        Data::String(s.to_owned())
    }

    #[test]
    fn sale_form_round_trips_through_calamine() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("附件2.xlsx");
        let calls = std::cell::Cell::new(0);
        let doc = sample_sale();
        write_form(&doc, &path, &|_| calls.set(calls.get() + 1)).expect("write");
        assert!(calls.get() >= 1);

        let range = read_sheet(&path, "附件2");
        assert_eq!(cell(&range, 0, 0), string("附件2"));
        assert_eq!(cell(&range, 1, 0), string("乡镇(街道)贫困户产品销售情况表"));
        assert_eq!(
            cell(&range, 2, 0),
            string(
                "填报单位：泥溪镇人民政府　　供货联系人姓名：张三　　联系方式：17723635558　　填报时间：2019年9月30日"
            )
        );
        let headers: Vec<Data> = (0..9).map(|c| cell(&range, 3, c)).collect();
        let expected: Vec<Data> = form_layout(FormKind::Sale)
            .columns
            .iter()
            .map(|s| string(s))
            .collect();
        assert_eq!(headers, expected);

        // First data row.
        assert_eq!(cell(&range, 4, 0), Data::Float(1.0));
        assert_eq!(cell(&range, 4, 1), string("云阳县商务委"));
        assert_eq!(cell(&range, 4, 2), string("2019.9.1"));
        assert_eq!(cell(&range, 4, 6), string("30斤"));
        assert_eq!(cell(&range, 4, 7), Data::Float(90.0));
        // Text that looks like a formula stays text.
        assert_eq!(cell(&range, 5, 1), string("=HYPERLINK(\"x\")"));
        assert_eq!(cell(&range, 6, 0), Data::Float(3.0));

        // 合计 row with the cached exact total 90.00 + 0.10 + 0.20.
        assert_eq!(cell(&range, 7, 0), string("合计"));
        assert_eq!(cell(&range, 7, 7), Data::Float(90.3));
        let mut workbook: Xlsx<_> = open_workbook(&path).expect("open xlsx");
        let formulas = workbook.worksheet_formula("附件2").expect("formulas");
        assert_eq!(
            formulas.get_value((7, 7)).map(String::as_str),
            Some("SUM(H5:H7)")
        );

        // Notes.
        assert_eq!(
            cell(&range, 8, 0),
            string("备注：1.各乡镇(街道)每季度末月30日前收集相关采购情况,汇总后上报县商务委。")
        );
        assert_eq!(
            cell(&range, 9, 0),
            string("　　　2.采购对象是合作社的要把涉及到贫困户人数填上。")
        );

        // Hidden exchange column.
        assert_eq!(cell(&range, 0, 9), string("提交编号:S-2019Q3-0001"));
        assert_eq!(cell(&range, 3, 9), string("记录编号"));
        assert_eq!(cell(&range, 4, 9), Data::Float(101.0));
        assert_eq!(cell(&range, 5, 9), Data::Empty);
        assert_eq!(cell(&range, 6, 9), Data::Float(103.0));
    }

    /// A form exported without records is a blank form: 12 empty ruled rows, then the 合计 as a
    /// SUM over them (cached 0), so a form filled in by hand adds up by itself.
    #[test]
    fn a_form_without_records_is_a_blank_form_to_fill_in() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("附件2.xlsx");
        let mut doc = sample_sale();
        doc.rows.clear();
        write_form(&doc, &path, &|_| {}).expect("write");

        let range = read_sheet(&path, "附件2");
        let total_row = FIRST_DATA_ROW + row(BLANK_FORM_ROWS);
        for r in FIRST_DATA_ROW..total_row {
            for c in 0..9 {
                assert_eq!(cell(&range, r, c), Data::Empty, "row {r} column {c}");
            }
        }
        assert_eq!(cell(&range, total_row, 0), string("合计"));
        assert_eq!(cell(&range, total_row, 7), Data::Float(0.0));
        let mut workbook: Xlsx<_> = open_workbook(&path).expect("open xlsx");
        let formulas = workbook.worksheet_formula("附件2").expect("formulas");
        assert_eq!(
            formulas.get_value((total_row, 7)).map(String::as_str),
            Some("SUM(H5:H16)")
        );
        assert_eq!(
            cell(&range, total_row + 1, 0),
            string("备注：1.各乡镇(街道)每季度末月30日前收集相关采购情况,汇总后上报县商务委。")
        );

        // The blank cells are ruled and typed: text (`@`) but for the amount, a number format.
        let part = |name: &str| -> String {
            let file = std::fs::File::open(&path).expect("open");
            let mut zip = zip::ZipArchive::new(file).expect("zip");
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(name).expect("part"), &mut xml)
                .expect("read");
            xml
        };
        let sheet_xml = part("xl/worksheets/sheet1.xml");
        let style_of = |reference: &str| -> String {
            let start = sheet_xml
                .find(&format!("<c r=\"{reference}\""))
                .unwrap_or_else(|| panic!("{reference} not written"));
            let tag = &sheet_xml[start..start + sheet_xml[start..].find('>').expect("tag end")];
            tag.split("s=\"")
                .nth(1)
                .expect("styled")
                .split('"')
                .next()
                .expect("style")
                .to_string()
        };
        assert_eq!(style_of("B5"), style_of("B16"));
        assert_ne!(style_of("B5"), style_of("H5"));
        assert_ne!(style_of("A5"), style_of("B5"));
        let styles = part("xl/styles.xml");
        assert!(styles.contains("formatCode=\"@\""), "{styles}");
    }

    #[test]
    fn catalogue_has_no_total_row_and_empty_header_values_leave_room() {
        let doc = FormDocument {
            kind: FormKind::Catalogue,
            header: HeaderInfo {
                unit: "泥溪镇人民政府".into(),
                ..HeaderInfo::default()
            },
            rows: vec![FormRow {
                record_id: Some(7),
                typed: Vec::new(),
                cells: [
                    "云阳县泥溪镇三坪村",
                    "王某某",
                    "土豆",
                    "30斤",
                    "3元/斤",
                    "送货上门",
                    "",
                    "王某某 17723635558",
                    "",
                ]
                .iter()
                .map(|s| text(s))
                .collect(),
            }],
            submission_id: "C1".into(),
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("附件1.xlsx");
        std::fs::write(&path, form_to_bytes(&doc).expect("bytes")).expect("write");
        let range = read_sheet(&path, "附件1");
        assert_eq!(
            cell(&range, 1, 0),
            string("乡镇(街道)贫困户农特产品待销目录")
        );
        assert_eq!(
            cell(&range, 2, 0),
            string(
                "填写单位：泥溪镇人民政府　　填写人：　　　　　　　　联系电话：　　　　　　　　填写日期：　　　　　　"
            )
        );
        assert_eq!(cell(&range, 3, 8), string("供货联系人及联系方式"));
        assert_eq!(cell(&range, 4, 8), string("王某某 17723635558"));
        assert_eq!(cell(&range, 4, 10), Data::Float(7.0));
        assert_eq!(cell(&range, 0, 10), string("提交编号:C1"));
        // No 合计 row: the notes follow the data directly.
        assert!(matches!(cell(&range, 5, 0), Data::String(s) if s.starts_with("备注：1.")));
    }

    #[test]
    fn wrong_cell_count_is_a_chinese_error() {
        let mut doc = sample_sale();
        doc.rows[1].cells.pop();
        let error = form_to_bytes(&doc).expect_err("must fail");
        assert_eq!(
            error.to_string(),
            "第2条记录有7个单元格，附件2每行应有8个（不含序号）"
        );
    }

    #[test]
    fn unwritable_path_is_a_chinese_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("没有这个文件夹").join("附件2.xlsx");
        let error = write_form(&sample_sale(), &path, &|_| {}).expect_err("must fail");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("无法写入文件“{}”：文件夹“", path.display())),
            "{message}"
        );
        assert!(message.contains("没有这个文件夹”不存在"), "{message}");
        // The system's (English) text only in parentheses at the end.
        let (chinese, system) = message.split_once("（系统提示：").expect("system text");
        assert!(!chinese.contains("No such file"), "{message}");
        assert!(system.ends_with('）'), "{message}");
        assert!(!path.exists());

        // A folder of that name is in the way.
        let folder = dir.path().join("附件2.xlsx");
        std::fs::create_dir(&folder).expect("folder");
        let message = write_form(&sample_sale(), &folder, &|_| {})
            .expect_err("must fail")
            .to_string();
        assert!(message.contains("已有同名的文件夹"), "{message}");
    }

    #[test]
    fn write_failure_reasons_are_chinese() {
        use std::io::{Error, ErrorKind};
        let path = Path::new("/tmp/报表/附件2.xlsx");
        for (kind, reason) in [
            (ErrorKind::NotFound, "文件夹“/tmp/报表”不存在"),
            (ErrorKind::PermissionDenied, "没有写入权限"),
            (ErrorKind::PermissionDenied, "文件被其他程序占用"),
            (ErrorKind::ResourceBusy, "文件被其他程序占用"),
            (ErrorKind::StorageFull, "磁盘空间已满"),
            (ErrorKind::ReadOnlyFilesystem, "只读"),
            (ErrorKind::Other, "写入时出错"),
        ] {
            let text = write_failure_reason(path, &Error::from(kind));
            assert!(text.contains(reason), "{kind:?}: {text}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(cell_ref(4, 7), "H5");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert!(needs_quote_prefix("17723635558"));
        assert!(needs_quote_prefix("+86 177"));
        assert!(needs_quote_prefix("@x"));
        assert!(!needs_quote_prefix("30斤"));
        assert!(!needs_quote_prefix(""));
    }

    #[test]
    fn widths_grow_for_six_digit_row_numbers_and_a_large_total() {
        let mut doc = sample_sale();
        let template = doc.rows[0].clone();
        doc.rows = (0..100_000)
            .map(|_| FormRow {
                cells: {
                    let mut cells = template.cells.clone();
                    cells[6] = CellValue::Money(Money::from_fen(99_999_999));
                    cells
                },
                ..template.clone()
            })
            .collect();
        let layout = form_layout(doc.kind);
        let widths = fitted_widths(layout, &doc);
        assert!(widths[0] >= 8.0, "序号 {:?}", widths[0]);
        // 合计 = 99,999,999,000.00 元: 14 characters, bold.
        assert!(
            widths[7] >= text_width("99999999000.00") * 1.2,
            "{}",
            widths[7]
        );
        assert!(widths[7] > layout.column_widths[7]);
        // Small documents keep the official widths.
        let small = sample_sale();
        assert_eq!(fitted_widths(layout, &small), layout.column_widths.to_vec());
    }
}
