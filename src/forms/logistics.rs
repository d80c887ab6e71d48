//! Courier/postal files (物流数据), the third source of the plan's 三(三) (R5): a waybill list
//! exported by 邮政/EMS or a courier company as xlsx, xls, CSV (UTF-8 or GBK) or an HTML table.
//! The file is read by the form importer's readers ([`crate::forms::import`]: same formats, same
//! protection against damaged files); this module finds the logistics header, maps its columns
//! (header names vary: see `role_of`) and validates each row into a [`ShipmentRecord`]. Storing
//! and linking to sales is [`Store::insert_shipments`]; the 导入 window and the `import` command
//! reach this module through [`crate::forms::ingest`] when a file has no form header.
//!
//! Rows with errors are reported (Chinese, with sheet, row as Excel shows it, and column) and not
//! imported; the rest of the file is. Nothing here panics on any input.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::domain::text::{clean_name, clean_text, parse_decimal_number, squeeze, to_half_width};
use crate::domain::{AmountUnit, Money, Quantity, RegionResolver, ReportDate};
use crate::forms::import::{
    CellValue, FileRejection, GridRow, GridSheet, RowIssue, fold_header, read_workbook,
};
use crate::forms::ingest::FileReport;
use crate::store::{ShipmentImport, ShipmentRecord, Store};

/// The label of a courier file in import reports (`form` of [`FileReport`]).
pub const LOGISTICS_LABEL: &str = "物流";

/// A fee above this many 元 for one waybill is implausible (a mistyped or misread cell, e.g. `1e12`)
/// and the row is rejected, as an implausible sale amount is.
const MAX_PLAUSIBLE_FEE_YUAN: i64 = 100_000;

/// How many rows from the top are searched for the header.
const HEADER_SEARCH_ROWS: usize = 20;

/// What a column of a courier file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Waybill,
    Date,
    Sender,
    /// 寄件地址 / 发件地区 (the whole address).
    Region,
    /// 寄件乡镇, when the file splits the address.
    Township,
    /// 寄件村, when the file splits the address.
    Village,
    Receiver,
    Product,
    Weight,
    Fee,
    Carrier,
}

impl Role {
    /// The column's name in messages.
    fn name(self) -> &'static str {
        match self {
            Role::Waybill => "运单号",
            Role::Date => "寄件日期",
            Role::Sender => "寄件人",
            Role::Region => "寄件地址",
            Role::Township => "寄件乡镇",
            Role::Village => "寄件村",
            Role::Receiver => "收件单位",
            Role::Product => "物品",
            Role::Weight => "重量",
            Role::Fee => "运费",
            Role::Carrier => "快递公司",
        }
    }
}

/// The role of a folded header name (without its bracketed unit).
///
/// Waybill: 运单号, 快递单号, 邮件号, 运单编号, 物流单号, 邮件号码, 快递单号码, 单号, 面单号.
/// Date: 寄件日期, 揽收时间, 日期, 寄件时间, 揽收日期, 收寄日期, 收寄时间, 发货日期, 发件日期, 交寄日期, 时间.
/// Sender: 寄件人, 发件人, 寄件人姓名, 发件人姓名, 寄件客户, 寄件人名称, 发货人.
/// Address: 寄件地址, 发件地区, 寄件地区, 发件地址, 寄件人地址, 发件人地址, 始发地, 寄件地, 发货地址,
/// 发货地区, 寄件人所在地, 发件人所在地; split
/// addresses: 寄件乡镇 / 发件乡镇 / 乡镇, 寄件村 / 发件村 / 村(社区).
/// Receiver: 收件人, 收件单位, 收件人姓名, 收件单位名称, 收货单位, 收货人, 收件客户, 收件方, 收件人单位,
/// 收件公司, 收件人公司.
/// Product: 物品, 品名, 内件, 物品名称, 内件品名, 内件名称, 货物名称, 托寄物, 托寄物内容, 寄递物品, 商品名称.
/// Weight: 重量, 计费重量, 实际重量, 重量(kg), 重量(公斤) (the unit in brackets).
/// Fee: 运费, 资费, 费用, 邮费, 总运费, 应收资费, 实收资费, 运费金额.
/// Carrier: 快递公司, 承运商, 物流公司, 快递企业, 承运公司, 寄递企业.
fn role_of(name: &str) -> Option<Role> {
    Some(match name {
        "运单号" | "快递单号" | "邮件号" | "运单编号" | "物流单号" | "邮件号码" | "快递单号码"
        | "单号" | "面单号" | "运单号码" => Role::Waybill,
        "寄件日期" | "揽收时间" | "日期" | "寄件时间" | "揽收日期" | "收寄日期" | "收寄时间"
        | "发货日期" | "发件日期" | "交寄日期" | "时间" => Role::Date,
        "寄件人" | "发件人" | "寄件人姓名" | "发件人姓名" | "寄件客户" | "寄件人名称"
        | "发货人" => Role::Sender,
        "寄件地址" | "发件地区" | "寄件地区" | "发件地址" | "寄件人地址" | "发件人地址"
        | "始发地" | "寄件地" | "发货地址" | "发货地区" | "寄件人所在地" | "发件人所在地" => {
            Role::Region
        }
        "寄件乡镇" | "发件乡镇" | "乡镇" | "乡镇(街道)" => Role::Township,
        "寄件村" | "发件村" | "村(社区)" | "村" => Role::Village,
        "收件人" | "收件单位" | "收件人姓名" | "收件单位名称" | "收货单位" | "收货人"
        | "收件客户" | "收件方" | "收件人单位" | "收件公司" | "收件人公司" => {
            Role::Receiver
        }
        "物品" | "品名" | "内件" | "物品名称" | "内件品名" | "内件名称" | "货物名称" | "托寄物"
        | "托寄物内容" | "寄递物品" | "商品名称" => Role::Product,
        "重量" | "计费重量" | "实际重量" => Role::Weight,
        "运费" | "资费" | "费用" | "邮费" | "总运费" | "应收资费" | "实收资费" | "运费金额" => {
            Role::Fee
        }
        "快递公司" | "承运商" | "物流公司" | "快递企业" | "承运公司" | "寄递企业" => {
            Role::Carrier
        }
        _ => return None,
    })
}

/// A recognised column: role, 0-based index, the unit in brackets (`重量(kg)` → `kg`).
#[derive(Debug, Clone)]
struct Column {
    role: Role,
    col: u32,
    unit: Option<String>,
}

/// `重量(kg)` → (`重量`, `kg`); `运费(元)` → (`运费`, `元`).
fn split_unit(folded: &str) -> (&str, Option<String>) {
    if let Some(stripped) = folded.strip_suffix(')')
        && let Some(open) = stripped.rfind('(')
        && open > 0
    {
        let inner = &stripped[open + 1..];
        let inner = inner.strip_prefix("单位:").unwrap_or(inner);
        return (
            &stripped[..open],
            (!inner.is_empty()).then(|| inner.to_string()),
        );
    }
    (folded, None)
}

/// The logistics columns of a row, when it is a logistics header: a waybill column and at least
/// two of date, sender, address, product, weight, fee, receiver.
fn match_header(row: &GridRow) -> Option<Vec<Column>> {
    let mut columns: Vec<Column> = Vec::new();
    for (col, value) in &row.cells {
        let CellValue::Text(text) = value else {
            continue;
        };
        let folded = fold_header(text);
        if folded.is_empty() || folded.chars().count() > 20 {
            continue;
        }
        let (name, unit) = split_unit(&folded);
        let Some(role) = role_of(name) else {
            continue;
        };
        if columns.iter().any(|c| c.role == role) {
            continue;
        }
        columns.push(Column {
            role,
            col: *col,
            unit,
        });
    }
    let has = |role: Role| columns.iter().any(|c| c.role == role);
    let others = [
        Role::Date,
        Role::Sender,
        Role::Region,
        Role::Township,
        Role::Product,
        Role::Weight,
        Role::Fee,
        Role::Receiver,
    ]
    .into_iter()
    .filter(|r| has(*r))
    .count();
    (has(Role::Waybill) && others >= 2).then_some(columns)
}

/// The header row's index in `sheet.rows` and its columns.
fn find_header(sheet: &GridSheet) -> Option<(usize, Vec<Column>)> {
    sheet
        .rows
        .iter()
        .enumerate()
        .take(HEADER_SEARCH_ROWS)
        .find_map(|(index, row)| match_header(row).map(|columns| (index, columns)))
}

/// One courier file read and validated, nothing stored yet.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedShipments {
    /// Names of the sheets whose logistics header was recognised.
    pub sheets: Vec<String>,
    /// Valid rows, in file order (the same waybill twice in a file is stored once).
    pub records: Vec<ShipmentRecord>,
    /// Row warnings (stored rows), with sheet, row and column.
    pub warnings: Vec<RowIssue>,
    /// Rejected rows: one issue per problem, with sheet, row (as Excel shows it) and column.
    pub errors: Vec<RowIssue>,
    /// Warnings about the file as a whole.
    pub file_warnings: Vec<String>,
}

impl ParsedShipments {
    /// Numbers of rejected rows per sheet, each once.
    pub fn rejected_rows(&self) -> usize {
        let mut rows: Vec<(&str, u32)> = self
            .errors
            .iter()
            .map(|e| (e.sheet.as_str(), e.row))
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows.len()
    }
}

/// Parses a courier file's bytes. `Ok(None)` when no sheet has a logistics header (not a courier
/// file); `Err` when the file cannot be read at all (the readers' Chinese rejection). `file_name`
/// is stored with each record and names CSV/HTML sheets. Never panics.
pub fn parse_bytes(
    file_name: &str,
    bytes: &[u8],
    resolver: &RegionResolver,
) -> Result<Option<ParsedShipments>, FileRejection> {
    match catch_unwind(AssertUnwindSafe(|| parse_inner(file_name, bytes, resolver))) {
        Ok(result) => result,
        Err(_) => Err(FileRejection {
            message:
                "文件内容异常，读取时出错，无法导入。请在Excel/WPS中打开并重新保存为.xlsx后再试。"
                    .to_string(),
        }),
    }
}

fn parse_inner(
    file_name: &str,
    bytes: &[u8],
    resolver: &RegionResolver,
) -> Result<Option<ParsedShipments>, FileRejection> {
    let workbook = read_workbook(file_name, bytes)?;
    let mut parsed = ParsedShipments {
        sheets: Vec::new(),
        records: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        file_warnings: workbook.warnings.clone(),
    };
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    for sheet in &workbook.sheets {
        let Some((header_index, columns)) = find_header(sheet) else {
            continue;
        };
        parsed.sheets.push(sheet.name.clone());
        for role in [Role::Date, Role::Sender, Role::Product] {
            if !columns.iter().any(|c| c.role == role) {
                parsed.file_warnings.push(format!(
                    "工作表“{}”表头缺少“{}”列",
                    sheet.name,
                    role.name()
                ));
            }
        }
        if !columns
            .iter()
            .any(|c| matches!(c.role, Role::Region | Role::Township))
        {
            parsed.file_warnings.push(format!(
                "工作表“{}”表头缺少“寄件地址”列：无法按乡镇自动关联销售",
                sheet.name
            ));
        }
        for row in sheet.rows.iter().skip(header_index + 1) {
            // A header repeated on every printed page is not data.
            if match_header(row).is_some() {
                continue;
            }
            match validate_row(file_name, &sheet.name, row, &columns, resolver) {
                RowOutcome::Skip => {}
                RowOutcome::Record(record, warnings) => {
                    let key = (record.carrier.clone(), record.waybill.clone());
                    if !seen.insert(key) {
                        parsed.warnings.push(RowIssue {
                            sheet: sheet.name.clone(),
                            row: row.number,
                            column: Role::Waybill.name().to_string(),
                            message: format!(
                                "运单号“{}”在文件中重复出现，只导入一次",
                                record.waybill
                            ),
                        });
                        continue;
                    }
                    parsed.warnings.extend(warnings);
                    parsed.records.push(*record);
                }
                RowOutcome::Errors(errors) => parsed.errors.extend(errors),
            }
        }
    }
    if parsed.sheets.is_empty() {
        return Ok(None);
    }
    Ok(Some(parsed))
}

enum RowOutcome {
    /// Not data (a 合计 line, a note under the table).
    Skip,
    Record(Box<ShipmentRecord>, Vec<RowIssue>),
    Errors(Vec<RowIssue>),
}

/// The text a clerk sees in a cell (dates as `2019-09-01`), trimmed.
fn cell(row: &GridRow, column: Option<&Column>) -> String {
    column
        .and_then(|c| row.get(c.col))
        .map(|v| clean_text(&v.to_text()))
        .unwrap_or_default()
}

/// `三坪村5组` → `三坪村`: the 村/社区 part of an address's remainder (sales name the village only).
fn village_part(rest: &str) -> String {
    for end in ["社区", "村"] {
        if let Some(index) = rest.find(end) {
            return rest[..index + end.len()].to_string();
        }
    }
    rest.to_string()
}

fn validate_row(
    file_name: &str,
    sheet: &str,
    row: &GridRow,
    columns: &[Column],
    resolver: &RegionResolver,
) -> RowOutcome {
    let column = |role: Role| columns.iter().find(|c| c.role == role);
    let text = |role: Role| cell(row, column(role));
    let issue = |role: Role, message: String| RowIssue {
        sheet: sheet.to_string(),
        row: row.number,
        column: role.name().to_string(),
        message,
    };
    let waybill = squeeze(&to_half_width(&text(Role::Waybill)));
    let filled = columns
        .iter()
        .filter(|c| !cell(row, Some(c)).is_empty())
        .count();
    let first_text = row
        .cells
        .first()
        .map(|(_, v)| squeeze(&v.to_text()))
        .unwrap_or_default();
    if first_text.starts_with("合计") || first_text.starts_with("总计") || first_text == "小计"
    {
        return RowOutcome::Skip;
    }
    if waybill.is_empty() && filled < 2 {
        // A note or signature line under the table.
        return RowOutcome::Skip;
    }
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if waybill.is_empty() {
        errors.push(issue(Role::Waybill, "运单号为空".to_string()));
    }

    // 寄件日期: a date cell reads `2019-09-01` (a time after it is dropped by the parser).
    let date_text = text(Role::Date);
    let mut date = None;
    if date_text.is_empty() {
        errors.push(issue(Role::Date, "寄件日期为空".to_string()));
    } else {
        let parsed = match column(Role::Date).and_then(|c| row.get(c.col)) {
            Some(CellValue::Number(n)) => ReportDate::from_number(*n, None),
            Some(CellValue::Int(n)) => ReportDate::from_number(*n as f64, None),
            _ => ReportDate::parse(&date_text, None),
        };
        match parsed {
            Ok(parsed) => {
                for w in parsed.warnings {
                    warnings.push(issue(Role::Date, w.replacen("销售时间", "寄件日期", 1)));
                }
                date = Some(parsed.value.date);
            }
            // The column (寄件日期) is shown beside the message: not repeated in it.
            Err(e) => errors.push(issue(Role::Date, e.message)),
        }
    }

    // 寄件地址, or 乡镇 + 村 columns.
    let region_text = [
        text(Role::Region),
        text(Role::Township),
        text(Role::Village),
    ]
    .into_iter()
    .filter(|t| !t.is_empty())
    .collect::<Vec<_>>()
    .join("");
    let (mut township_code, mut village) = (None, String::new());
    if !region_text.is_empty() {
        match resolver.resolve(&region_text) {
            Ok(region) => {
                township_code = Some(region.township_code);
                village = village_part(&region.village);
            }
            Err(e) => warnings.push(issue(
                Role::Region,
                format!("{}；此条无法自动关联销售", e.message),
            )),
        }
    }

    let sender = text(Role::Sender);
    let household = clean_name(&sender);
    let product = text(Role::Product);

    // 重量: the header's unit for bare numbers (`重量(kg)`); couriers weigh in 公斤.
    let weight_cell = text(Role::Weight);
    let mut weight_text = weight_cell.clone();
    let mut weight_jin = None;
    if !weight_cell.is_empty() {
        let header_unit = column(Role::Weight).and_then(|c| c.unit.clone());
        match Quantity::parse(&weight_cell, header_unit.as_deref(), "重量") {
            Ok(parsed) => {
                let mut quantity = parsed.value;
                if quantity.unit.is_none() {
                    quantity.unit = Some("公斤".to_string());
                    warnings.push(issue(Role::Weight, "重量未注明单位，按公斤计".to_string()));
                }
                if let Some(unit) = quantity.unit.as_deref()
                    && parse_decimal_number(&squeeze(&to_half_width(&weight_cell))).is_some()
                {
                    weight_text = format!("{weight_cell}{unit}");
                }
                weight_jin = quantity.in_jin();
                if weight_jin.is_none() {
                    warnings.push(issue(
                        Role::Weight,
                        format!("重量“{weight_cell}”不是重量单位，无法与销售数量核对"),
                    ));
                }
            }
            Err(e) => errors.push(issue(Role::Weight, e.message)),
        }
    }

    // 运费 / 资费 in 元.
    let fee_text = text(Role::Fee);
    let mut fee = None;
    if !fee_text.is_empty() {
        let unit = match column(Role::Fee).and_then(|c| c.unit.as_deref()) {
            Some(u) if u.contains('万') => AmountUnit::WanYuan,
            _ => AmountUnit::Yuan,
        };
        match Money::parse(&fee_text, unit) {
            Ok(money) if money.is_negative() => {
                errors.push(issue(Role::Fee, format!("运费为负数（{money}元），请核对")))
            }
            Ok(money) if money > Money::from_fen(MAX_PLAUSIBLE_FEE_YUAN * 100) => {
                errors.push(issue(
                    Role::Fee,
                    format!("运费{money}元超过10万元，不合理，请核对"),
                ))
            }
            Ok(money) => fee = Some(money),
            Err(e) => errors.push(issue(Role::Fee, e.message.replacen("金额", "运费", 1))),
        }
    }

    if household.is_empty() {
        warnings.push(issue(
            Role::Sender,
            "寄件人为空：此条无法自动关联销售".to_string(),
        ));
    }

    match date {
        Some(date) if errors.is_empty() => RowOutcome::Record(
            Box::new(ShipmentRecord {
                carrier: text(Role::Carrier),
                waybill,
                date,
                date_text,
                sender,
                household,
                region_text,
                township_code,
                village,
                receiver: text(Role::Receiver),
                product,
                weight_text,
                weight_jin: weight_jin.map(|w| w.normalize()),
                fee,
                fee_text,
                source_file: file_name.to_string(),
                source_sheet: sheet.to_string(),
                source_row: row.number,
            }),
            warnings,
        ),
        _ => RowOutcome::Errors(errors),
    }
}

/// A courier file read, validated and compared with the store, nothing written yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedShipments {
    pub parsed: ParsedShipments,
    /// Waybills of the file already stored (re-import): not added again.
    pub existing: usize,
}

/// Reads a file as a courier file and checks it against the store, writing nothing.
/// `Ok(None)` when the file has no logistics header or cannot be read (the form importer's
/// rejection then stands). Errors: database failures (Chinese).
pub fn prepare(
    store: &Store,
    path: &Path,
    resolver: &RegionResolver,
) -> Result<Option<PreparedShipments>, String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(None);
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Ok(Some(parsed)) = parse_bytes(&file_name, &bytes, resolver) else {
        return Ok(None);
    };
    let existing = store
        .existing_shipments(&parsed.records)
        .map_err(|e| e.to_string())?;
    Ok(Some(PreparedShipments { parsed, existing }))
}

impl PreparedShipments {
    /// The import report of the file `file`: the preview (`applied` = `None`) or the outcome of
    /// [`commit`]. `form` is [`LOGISTICS_LABEL`]; `total` is `None` (logistics adds no money to
    /// any total); `rows_added` are new waybills, `rows_duplicate` waybills already stored.
    pub fn report(&self, file: &str, applied: Option<&ShipmentImport>) -> FileReport {
        let parsed = &self.parsed;
        let rows = parsed.records.len();
        let rejected = parsed.rejected_rows();
        let (added, duplicates) = match applied {
            Some(outcome) => (outcome.added, outcome.duplicates),
            None => (rows.saturating_sub(self.existing), self.existing),
        };
        let verb = if applied.is_some() {
            "已导入"
        } else {
            "将导入"
        };
        let mut message = format!("{verb}物流记录{rows}条：新增{added}条");
        if duplicates > 0 {
            message.push_str(&format!("，{duplicates}条此前已导入（未重复添加）"));
        }
        if let Some(outcome) = applied {
            message.push_str(&format!("，自动关联销售{}条", outcome.linked));
        }
        if rejected > 0 {
            message.push_str(&format!("；{rejected}行有错误未导入"));
        }
        if !parsed.warnings.is_empty() {
            message.push_str(&format!("；{}条提示", parsed.warnings.len()));
        }
        message.push_str("（物流记录只用于核实销售，不计入销售金额）");
        FileReport {
            file: file.to_string(),
            form: LOGISTICS_LABEL.to_string(),
            outcome: "imported".into(),
            message,
            rows_imported: rows,
            rows_rejected: rejected,
            total: None,
            per_township: BTreeMap::new(),
            rows_added: added,
            rows_updated: 0,
            rows_duplicate: duplicates,
            rows_unchanged: 0,
            rows_kept: 0,
            file_warnings: parsed.file_warnings.clone(),
            warnings: parsed.warnings.iter().map(Into::into).collect(),
            errors: parsed.errors.iter().map(Into::into).collect(),
        }
    }
}

/// Stores a prepared courier file in one transaction (all valid rows, or nothing) and links
/// shipments to sales automatically ([`Store::insert_shipments`]). Errors (Chinese) when the
/// database refuses; nothing is written then.
pub fn commit(
    store: &mut Store,
    prepared: &PreparedShipments,
    file: &str,
) -> Result<FileReport, String> {
    let outcome = store
        .insert_shipments(&prepared.parsed.records)
        .map_err(|e| format!("导入“{file}”失败，未写入任何记录：{e}"))?;
    Ok(prepared.report(file, Some(&outcome)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn resolver() -> RegionResolver {
        RegionResolver::from_csv(include_str!("../../assets/townships.csv")).unwrap()
    }

    #[test]
    fn header_spellings_map_to_roles() {
        assert_eq!(split_unit("重量(kg)"), ("重量", Some("kg".to_string())));
        assert_eq!(split_unit("重量(公斤)"), ("重量", Some("公斤".to_string())));
        assert_eq!(role_of("邮件号"), Some(Role::Waybill));
        assert_eq!(role_of("揽收时间"), Some(Role::Date));
        assert_eq!(role_of("内件"), Some(Role::Product));
        assert_eq!(role_of("资费"), Some(Role::Fee));
        assert_eq!(role_of("贫困户姓名"), None);
    }

    #[test]
    fn a_csv_reads_with_errors_placed_by_row_and_column() {
        let csv = "邮件号,收寄日期,发件人,发件地区,收件单位,内件,重量（公斤）,资费\n\
                   1001,2019-09-02,王 某某,云阳县泥溪镇三坪村5组,县教委食堂,土豆,15,12.5\n\
                   1002,2019-09-31,王某某,泥溪镇三坪村,县教委食堂,土豆,15,12\n\
                   1003,2019.9.3,李某,外县某镇,某单位,腊肉,3kg,-1\n\
                   合计,,,,,,,24.5\n";
        let parsed = parse_bytes("邮政.csv", csv.as_bytes(), &resolver())
            .unwrap()
            .unwrap();
        assert_eq!(parsed.records.len(), 1, "{parsed:?}");
        let r = &parsed.records[0];
        assert_eq!(r.waybill, "1001");
        assert_eq!(r.household, "王某某");
        assert_eq!(r.township_code.as_deref(), Some("500235139"));
        assert_eq!(r.village, "三坪村");
        assert_eq!(r.weight_jin, Some(Decimal::from(30)));
        assert_eq!(r.weight_text, "15公斤");
        assert_eq!(r.fee, Some(Money::from_fen(1250)));
        assert_eq!(parsed.rejected_rows(), 2);
        let date_error = parsed.errors.iter().find(|e| e.row == 3).unwrap();
        assert_eq!(date_error.column, "寄件日期");
        assert_eq!(date_error.sheet, "邮政");
        let fee_error = parsed.errors.iter().find(|e| e.row == 4).unwrap();
        assert_eq!(fee_error.column, "运费");
    }

    #[test]
    fn courier_export_spellings_of_receiver_and_address_are_read() {
        // SF and EMS exports write 收件公司 / 收件人单位; shop and logistics exports 发货地址.
        for name in ["收件人单位", "收件公司", "收件人公司", "收件单位名称"] {
            assert_eq!(role_of(name), Some(Role::Receiver), "{name}");
        }
        for name in ["发货地址", "发货地区", "寄件人所在地", "发件人所在地"] {
            assert_eq!(role_of(name), Some(Role::Region), "{name}");
        }
        let csv = "运单号,寄件时间,寄件人姓名,发货地址,收件公司,托寄物,计费重量(公斤),运费(元)\n\
                   SF1001,2019/9/2 10:23,付应才,云阳县双江街道青杠村,云阳县惠民超市,土鸡,4.2,15\n";
        let parsed = parse_bytes("顺丰.csv", csv.as_bytes(), &resolver())
            .unwrap()
            .unwrap();
        assert!(parsed.file_warnings.is_empty(), "{parsed:?}");
        let r = &parsed.records[0];
        assert_eq!(r.receiver, "云阳县惠民超市");
        assert_eq!(r.township_code.as_deref(), Some("500235001"));
        assert_eq!(r.village, "青杠村");
    }

    #[test]
    fn an_implausible_fee_is_a_row_error_and_a_date_error_names_its_column_once() {
        let csv = "运单号,寄件日期,寄件人,寄件地址,品名,重量(kg),运费\n\
                   YT1,2019-09-08,冉德福,双江街道滨江社区,核桃,15,1e12\n\
                   YT2,2019-09-08,冉德福,双江街道滨江社区,核桃,15,100001\n\
                   YT3,2019-13-45,冉德福,双江街道滨江社区,核桃,15,10\n\
                   YT4,2019-09-08,冉德福,双江街道滨江社区,核桃,15,99999.99\n";
        let parsed = parse_bytes("快递.csv", csv.as_bytes(), &resolver())
            .unwrap()
            .unwrap();
        assert_eq!(parsed.records.len(), 1, "{parsed:?}");
        assert_eq!(parsed.records[0].waybill, "YT4");
        for row in [2, 3] {
            let fee_error = parsed.errors.iter().find(|e| e.row == row).unwrap();
            assert_eq!(fee_error.column, "运费");
            assert!(fee_error.message.contains("不合理"), "{fee_error:?}");
        }
        let date_error = parsed.errors.iter().find(|e| e.row == 4).unwrap();
        assert_eq!(date_error.column, "寄件日期");
        assert!(
            !date_error.message.starts_with("寄件日期"),
            "the column is shown beside the message already: {date_error:?}"
        );
    }

    #[test]
    fn a_form_or_garbage_is_not_a_courier_file() {
        let form = "序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额\n";
        assert!(
            parse_bytes("a.csv", form.as_bytes(), &resolver())
                .unwrap()
                .is_none()
        );
        assert!(parse_bytes("a.xlsx", b"PK\x03\x04garbage", &resolver()).is_err());
        assert!(parse_bytes("a.csv", b"", &resolver()).is_err());
    }
}
