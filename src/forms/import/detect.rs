//! Finding the table: the header row (rule 1), the form it belongs to, the columns and their
//! units (rules 1 and 17), the unit row under the header (rule 17) and the header-info line
//! above it (rule 2).

use chrono::NaiveDate;

use crate::domain::AmountUnit;
use crate::domain::region_text::{LEVEL_ENDINGS, VILLAGE_SUFFIXES, is_village_name};
use crate::domain::sale::FormKind;

use super::grid::{CellValue, GridRow, GridSheet};

/// How many rows (present rows, and Excel rows from the first row with content) are searched for
/// the header.
const HEADER_SEARCH_ROWS: usize = 20;
const HEADER_SEARCH_LAST_ROW: u32 = 30;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    /// 序号.
    Seq,
    /// 采购单位.
    Purchaser,
    /// 销售时间 / 采购时间.
    Date,
    /// 地区; also a 乡镇(街道) column when the form has no 地区 column (the 地区 split into
    /// `乡镇(街道) | 村(社区)`).
    Region,
    /// A 乡镇(街道) column beside a 地区 column: its text completes the 地区 of the row
    /// ([`Header::region_text`]).
    Township,
    /// A 村(社区) or 村组 column: its text completes the 地区 of the row ([`Header::region_text`]).
    Village,
    /// A 组 (村民小组) column: its text completes the 地区 after the village.
    Group,
    /// 贫困户姓名.
    Household,
    /// A 供货合作社 column of its own (a department's layout): a row with 贫困户姓名 empty names
    /// the cooperative there (rule 11 then reads it as a cooperative).
    Cooperative,
    /// 产品品种.
    Product,
    /// 销售数量 / 采购数量.
    Quantity,
    /// A unit column of its own beside 销售数量 / 采购数量 / 计划销量 (`数量 | 单位`: `50 | 公斤`):
    /// its text follows a bare quantity.
    QuantityUnit,
    /// 销售金额 / 采购金额.
    Amount,
    /// 备注.
    Remark,
    /// 计划销量 (附件1).
    PlannedQuantity,
    /// 销售价格(元) (附件1).
    Price,
    /// 供货方式 (附件1).
    SupplyMethod,
    /// 网店网址 (附件1).
    ShopUrl,
    /// 供货联系人及联系方式 (附件1); also a 供货联系人 column beside a phone column.
    Contact,
    /// A phone column of its own (`联系电话`, `手机号码`) beside or instead of the contact: joined
    /// into 供货联系人及联系方式 after the contact's name.
    ContactPhone,
    /// The exporter's hidden 记录编号 column.
    RecordId,
    /// The exporter's hidden 填写原文 column (typed texts replaced by self-contained values).
    TypedText,
}

impl Role {
    /// The exporter's hidden exchange columns (not part of the form).
    pub(crate) fn is_exchange(self) -> bool {
        matches!(self, Role::RecordId | Role::TypedText)
    }

    /// Whether a form of `kind` reads this column into its records: 附件2/附件3 have no 计划销量,
    /// 销售价格, 供货方式, 网店网址 or contact columns; 附件1 has no 采购单位, 销售时间, 销售数量 or
    /// 销售金额.
    pub(crate) fn is_read_by(self, kind: FormKind) -> bool {
        let of_catalogue = matches!(
            self,
            Role::PlannedQuantity
                | Role::Price
                | Role::SupplyMethod
                | Role::ShopUrl
                | Role::Contact
                | Role::ContactPhone
        );
        let of_sales = matches!(
            self,
            Role::Purchaser | Role::Date | Role::Quantity | Role::Amount
        );
        match kind {
            FormKind::Catalogue => !of_sales,
            FormKind::Sale | FormKind::Procurement => !of_catalogue,
        }
    }
}

/// One recognised column of the header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Column {
    pub role: Role,
    /// 0-based column index.
    pub col: u32,
    /// The unit in brackets (`销售金额（万元）` → `万元`) or from the unit row.
    pub unit: Option<String>,
}

/// The recognised header of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub kind: FormKind,
    /// Excel row number of the (first) header row.
    pub first_row: u32,
    /// Index into `sheet.rows` of the first row after the header (and its unit row, if any).
    pub data_start: usize,
    pub columns: Vec<Column>,
    /// Excel row number of the unit row, when there is one.
    pub unit_row: Option<u32>,
    /// Sheet warnings about header cells naming a column twice (the other one is read).
    pub ignored_columns: Vec<String>,
    /// Header cells that name no column of the form (`身份证号` on 附件2), as (0-based column,
    /// text as shown): what is written under them is not imported ([`Header::unread_column_note`]).
    pub unread_columns: Vec<(u32, String)>,
}

impl Header {
    /// The sheet warning for a column the form does not have (`身份证号`), when some row of the
    /// table holds something under it (an empty extra column says nothing).
    pub(crate) fn unread_column_note(
        &self,
        col: u32,
        text: &str,
        rows: &[GridRow],
    ) -> Option<String> {
        let filled = rows
            .iter()
            .filter_map(|row| row.get(col))
            .any(|value| !value.is_blank());
        filled.then(|| {
            format!(
                "表头“{text}”（{}列）不是本表的栏目，这一列的内容未导入",
                column_letters(col)
            )
        })
    }

    /// The column with this role.
    pub(crate) fn column(&self, role: Role) -> Option<&Column> {
        self.columns.iter().find(|c| c.role == role)
    }

    /// The 0-based column index with this role.
    pub(crate) fn col(&self, role: Role) -> Option<u32> {
        self.column(role).map(|c| c.col)
    }

    /// True when the 地区 is split over several columns (a 乡镇 or 村 column besides 地区).
    pub(crate) fn has_split_region(&self) -> bool {
        self.col(Role::Township).is_some()
            || self.col(Role::Village).is_some()
            || self.col(Role::Group).is_some()
    }

    /// The 地区 text of a row: its 地区 cell, completed by the row's 乡镇, 村 and 组 cells when the
    /// form has such columns (the 地区 split into `乡镇(街道) | 村(社区) | 组`, or a `村组` column
    /// beside a township-only 地区). 乡镇 goes before unless the text holds it; 村 and 组 go after,
    /// overlapping what the text already ends with (`泥溪镇三坪村` + `三坪村5组` →
    /// `泥溪镇三坪村5组`). When the 地区 already names another village, it is kept and the second
    /// value is the row warning saying so. Empty when the row has none of these cells.
    pub(crate) fn region_text(&self, row: &GridRow) -> (String, Option<String>) {
        let text_of = |role| {
            self.col(role)
                .and_then(|c| row.get(c))
                .map(CellValue::to_text)
                .unwrap_or_default()
        };
        let mut region = text_of(Role::Region);
        if !self.has_split_region() {
            return (region, None);
        }
        region = region.trim().to_string();
        let township = text_of(Role::Township);
        let township = township.trim();
        if !township.is_empty() && !region.contains(township) {
            region = format!("{township}{region}");
        }
        let mut warning = None;
        for (role, column) in [(Role::Village, "村(社区)"), (Role::Group, "组")] {
            let part = text_of(role);
            let part = part.trim();
            // Already there after the township (`泥溪镇三坪村` + `三坪`), not inside its name
            // (`渠马镇` + `渠马`).
            let after_township = LEVEL_ENDINGS
                .iter()
                .filter_map(|ending| region.rfind(ending).map(|i| i + ending.len()))
                .max()
                .map_or(region.as_str(), |end| &region[end..]);
            if part.is_empty() || after_township.contains(part) {
                continue;
            }
            // The longest start of `part` that the text already ends with (at least 2 characters).
            let overlap = part
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .filter(|&end| part[..end].chars().count() >= 2 && region.ends_with(&part[..end]))
                .max();
            match overlap {
                Some(end) => region.push_str(&part[end..]),
                None if role == Role::Village && names_a_village(&region) && !is_group(part) => {
                    warning = Some(format!(
                        "地区“{region}”已写了村(社区)，与“{column}”列的“{part}”不同，按地区导入，请核实"
                    ));
                }
                None => {
                    // `凤鸣` + `黄村`: a township written without its level, then the village, is
                    // kept apart (`凤鸣-黄村`): together they would read as one village's name.
                    let bare_township = role == Role::Village
                        && !region.is_empty()
                        && !LEVEL_ENDINGS.iter().any(|end| region.ends_with(end))
                        && !VILLAGE_SUFFIXES.iter().any(|end| region.ends_with(end))
                        && is_village_name(part);
                    if bare_township {
                        region.push('-');
                    }
                    region.push_str(part);
                }
            }
        }
        (region, warning)
    }

    /// First and last column of the form's columns.
    pub(crate) fn span(&self) -> (u32, u32) {
        let min = self
            .columns
            .iter()
            .filter(|c| !c.role.is_exchange())
            .map(|c| c.col)
            .min()
            .unwrap_or(0);
        let max = self
            .columns
            .iter()
            .filter(|c| !c.role.is_exchange())
            .map(|c| c.col)
            .max()
            .unwrap_or(0);
        (min, max)
    }

    /// The unit for bare numbers in the amount column.
    pub(crate) fn amount_unit(&self) -> AmountUnit {
        match self.column(Role::Amount).and_then(|c| c.unit.as_deref()) {
            Some(u) if u.contains('万') => AmountUnit::WanYuan,
            _ => AmountUnit::Yuan,
        }
    }

    /// The unit for bare numbers in a quantity column (not a money unit).
    pub(crate) fn quantity_unit(&self, role: Role) -> Option<&str> {
        let unit = self.column(role)?.unit.as_deref()?;
        if unit.contains('元') {
            None
        } else {
            Some(unit)
        }
    }

    /// The per-unit of a price header such as `销售价格（元/斤）` → `斤`.
    pub(crate) fn price_unit(&self) -> Option<&str> {
        let unit = self.column(Role::Price)?.unit.as_deref()?;
        let (_, per) = unit.split_once('/')?;
        if per.is_empty() { None } else { Some(per) }
    }
}

/// Folds text for comparing header cells: removes whitespace of every kind and line breaks,
/// turns full-width ASCII into half-width (so （）= () and ：= :), drops `*` markers.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if super::grid::is_blank_char(c) || c == '*' || c == '※' {
            continue;
        }
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '【' | '〔' => '(',
            '】' | '〕' => ')',
            _ => c,
        };
        out.push(c);
    }
    out
}

/// Splits a folded header into its name and the unit in trailing brackets:
/// `销售金额(万元)` → (`销售金额`, `万元`); `销售价格(元/斤)` → (`销售价格`, `元/斤`).
fn split_unit(folded: &str) -> (&str, Option<String>) {
    if let Some(stripped) = folded.strip_suffix(')')
        && let Some(open) = stripped.rfind('(')
    {
        let base = &stripped[..open];
        let inner = &stripped[open + 1..];
        let inner = inner
            .strip_prefix("单位:")
            .or_else(|| inner.strip_prefix("单位"))
            .unwrap_or(inner);
        if !base.is_empty() {
            return (
                base,
                if inner.is_empty() {
                    None
                } else {
                    Some(inner.to_string())
                },
            );
        }
    }
    (folded, None)
}

/// The role of a header name, and the form it is a key column of.
fn role_of(name: &str) -> Option<(Role, Option<FormKind>)> {
    use FormKind::{Catalogue, Procurement, Sale};
    Some(match name {
        "序号" | "序" | "编号" | "No." | "NO." | "No" => (Role::Seq, None),
        "记录编号" => (Role::RecordId, None),
        "填写原文" => (Role::TypedText, None),
        "采购单位"
        | "购买单位"
        | "采购单位名称"
        | "购买单位名称"
        | "采购方"
        | "购买方"
        | "采购单位(个人)"
        | "采购人" => (Role::Purchaser, None),
        "销售时间" | "销售日期" => (Role::Date, Some(Sale)),
        "采购时间" | "采购日期" | "购买时间" | "购买日期" => {
            (Role::Date, Some(Procurement))
        }
        "时间" | "日期" => (Role::Date, None),
        "地区"
        | "所在地区"
        | "地址"
        | "区域"
        | "所属地区"
        | "地区(乡镇村)"
        | "乡镇村"
        | "乡镇(街道)村(社区)"
        | "乡镇(街道)村"
        | "所在地" => (Role::Region, None),
        // The 地区 split into two columns (names after the bracket is split off: `乡镇(街道)`
        // → `乡镇`, `村(社区)` → `村`).
        "乡镇" | "乡" | "镇" | "镇乡" | "乡镇街道" | "镇街" | "乡镇名称" | "所在乡镇"
        | "所属乡镇" => (Role::Township, None),
        "村" | "村社区" | "村居" | "村名" | "村名称" | "所在村" | "所属村" | "行政村" | "村组"
        | "村社" | "村委会" | "村居委会" | "社区" | "村(社区)名称" | "村(居)名称" => {
            (Role::Village, None)
        }
        "组" | "村民小组" | "小组" | "组别" | "所在组" => (Role::Group, None),
        "贫困户姓名"
        | "贫困户"
        | "姓名"
        | "户主姓名"
        | "贫困户名称"
        | "贫困户(合作社)姓名"
        | "贫困户(合作社)名称"
        | "贫困户或合作社名称"
        | "销售方"
        | "供货方"
        | "销售方名称"
        | "户名" => (Role::Household, None),
        "供货合作社"
        | "合作社"
        | "合作社名称"
        | "供货合作社名称"
        | "专业合作社"
        | "所属合作社"
        | "带贫合作社" => (Role::Cooperative, None),
        "产品品种" | "品种" | "产品" | "产品名称" | "产品种类" | "农产品品种" | "农特产品品种"
        | "品名" => (Role::Product, None),
        "销售数量" | "销量" => (Role::Quantity, Some(Sale)),
        "采购数量" | "购买数量" => (Role::Quantity, Some(Procurement)),
        "数量" => (Role::Quantity, None),
        "单位" | "计量单位" | "数量单位" | "单位名称" => (Role::QuantityUnit, None),
        "销售金额" | "销售额" => (Role::Amount, Some(Sale)),
        "采购金额" | "购买金额" => (Role::Amount, Some(Procurement)),
        "金额" => (Role::Amount, None),
        "备注" | "说明" => (Role::Remark, None),
        "计划销量" | "计划销售量" | "计划销售数量" | "待销数量" => {
            (Role::PlannedQuantity, Some(Catalogue))
        }
        "销售价格" | "价格" | "单价" | "销售单价" => (Role::Price, Some(Catalogue)),
        "供货方式" | "供应方式" => (Role::SupplyMethod, None),
        "网店网址" | "网址" | "网店地址" | "网店链接" | "店铺网址" => {
            (Role::ShopUrl, None)
        }
        "供货联系人及联系方式"
        | "联系人及联系方式"
        | "供货联系人及电话"
        | "联系人及电话"
        | "供货联系人"
        | "联系方式"
        | "联系人"
        | "联系人姓名"
        | "供货联系人姓名" => (Role::Contact, None),
        "联系电话" | "电话" | "手机" | "手机号" | "手机号码" | "联系人电话" | "联系电话号码"
        | "供货联系电话" => (Role::ContactPhone, None),
        _ => return None,
    })
}

/// Tries to read a header from the (folded) texts of one row: (0-based column, text).
fn match_header(cells: &[(u32, String)]) -> Option<(FormKind, Vec<Column>)> {
    let mut columns: Vec<Column> = Vec::new();
    let mut keys = [0usize; 3];
    for (col, text) in cells {
        let folded = fold(text);
        if folded.is_empty() || folded.chars().count() > 30 {
            continue;
        }
        let (name, unit) = split_unit(&folded);
        // `销售价格(元)` is the official name: its `元` is not a per-unit.
        let Some((role, key)) = role_of(name) else {
            continue;
        };
        // The same column twice (`销售金额（含运费）` and `销售金额`): the better fitting one is
        // read; [`ignored_duplicates`] names the other.
        if let Some(existing) = columns.iter_mut().find(|c| c.role == role) {
            if fitness(role, unit.as_deref()) > fitness(role, existing.unit.as_deref()) {
                existing.col = *col;
                existing.unit = unit;
            }
            continue;
        }
        if let Some(kind) = key {
            keys[kind_index(kind)] += 1;
        }
        columns.push(Column {
            role,
            col: *col,
            unit,
        });
    }
    // Without a 地区 column, the 乡镇 column holds it (the village, if any, completes it); a
    // 村 column alone holds a village-only 地区.
    if !columns.iter().any(|c| c.role == Role::Region)
        && let Some(column) = columns.iter_mut().find(|c| c.role == Role::Township)
    {
        column.role = Role::Region;
    }
    if !columns.iter().any(|c| c.role == Role::Region)
        && let Some(column) = columns.iter_mut().find(|c| c.role == Role::Village)
    {
        column.role = Role::Region;
    }
    let recognised = columns
        .iter()
        .filter(|c| !c.role.is_exchange() && c.role != Role::Seq)
        .count();
    let (best, hits) = [FormKind::Sale, FormKind::Procurement, FormKind::Catalogue]
        .into_iter()
        .map(|k| (k, keys[kind_index(k)]))
        .max_by_key(|(k, n)| (*n, *k == FormKind::Sale))?;
    if hits == 0 || recognised < 4 || (hits < 2 && recognised < 5) {
        return None;
    }
    // Every form names whose goods: a row of column names without 贫困户姓名 and 产品品种 (a
    // 填表说明 sheet listing some columns) is not a form's header.
    if !columns
        .iter()
        .any(|c| matches!(c.role, Role::Household | Role::Product))
    {
        return None;
    }
    // A catalogue has no date or amount; a sales table has no price.
    if best != FormKind::Catalogue
        && !columns
            .iter()
            .any(|c| matches!(c.role, Role::Date | Role::Amount))
    {
        return None;
    }
    Some((best, columns))
}

/// How well a header's bracketed text fits its column, when a sheet has the column twice:
/// a unit of the column that is exact (元 rather than 万元) or a weight (which gives the
/// 斤-equivalent) fits best, then a plain name or 万元, then a count unit (`（袋）`), then another
/// qualifier (`（含运费）`, `（月份）`).
fn fitness(role: Role, unit: Option<&str>) -> u8 {
    const WEIGHTS: [&str; 7] = ["斤", "公斤", "千克", "吨", "克", "kg", "KG"];
    let Some(unit) = unit else { return 2 };
    match role {
        // 元 is exact to the fen; a 万元 column is often rounded.
        Role::Amount | Role::Price if unit.contains('元') && !unit.contains('万') => 3,
        Role::Amount | Role::Price if unit.contains('元') => 2,
        Role::Quantity | Role::PlannedQuantity if WEIGHTS.contains(&unit) => 3,
        Role::Quantity | Role::PlannedQuantity
            if unit.chars().count() == 1 || unit.starts_with("单位") =>
        {
            1
        }
        _ => 0,
    }
}

/// The spreadsheet letters of a 0-based column: 0 → `A`, 26 → `AA`.
fn column_letters(col: u32) -> String {
    rust_xlsxwriter::utility::column_number_to_name(u16::try_from(col).unwrap_or(u16::MAX))
}

/// A header row's texts without the hidden cells that name a column a visible cell of the row
/// names too (an old 销售金额 column hidden next to the new one: the visible one is read), each
/// dropped one noted in `notes` as a sheet warning.
fn without_hidden_duplicates(
    sheet: &GridSheet,
    texts: Vec<(u32, String)>,
    notes: &mut Vec<String>,
) -> Vec<(u32, String)> {
    if sheet.hidden_columns.is_empty() {
        return texts;
    }
    let role = |text: &str| role_of(split_unit(&fold(text)).0).map(|(role, _)| role);
    let visible_roles: Vec<(Role, u32)> = texts
        .iter()
        .filter(|(col, _)| !sheet.column_hidden(*col))
        .filter_map(|(col, text)| Some((role(text)?, *col)))
        .collect();
    texts
        .into_iter()
        .filter(|(col, text)| {
            if !sheet.column_hidden(*col) {
                return true;
            }
            let Some(visible) = role(text).and_then(|r| {
                visible_roles
                    .iter()
                    .find(|(role, _)| *role == r)
                    .map(|(_, c)| *c)
            }) else {
                return true;
            };
            let name = text.split_whitespace().collect::<String>();
            notes.push(format!(
                "表头有两列“{name}”：导入{}列，未导入隐藏的{}列，请核对",
                column_letters(visible),
                column_letters(*col),
            ));
            false
        })
        .collect()
}

/// Sheet warnings for header cells naming a column the header already has (read from the other
/// cell, the better fitting one): `表头有两列“销售金额”：导入“销售金额”（I列），未导入“销售金额（含运费）”（H列）`.
fn ignored_duplicates(texts: &[(u32, String)], columns: &[Column]) -> Vec<String> {
    let shown = |text: &str| text.split_whitespace().collect::<String>();
    let mut warnings = Vec::new();
    for (col, text) in texts {
        let folded = fold(text);
        let Some((role, _)) = role_of(split_unit(&folded).0) else {
            continue;
        };
        if role == Role::Seq || role.is_exchange() {
            continue;
        }
        let Some(used) = columns.iter().find(|c| c.role == role) else {
            continue;
        };
        if used.col == *col {
            continue;
        }
        let used_text = texts
            .iter()
            .find(|(c, _)| *c == used.col)
            .map(|(_, t)| shown(t))
            .unwrap_or_default();
        warnings.push(format!(
            "表头有两列“{}”：导入“{used_text}”（{}列），未导入“{}”（{}列），请核对",
            split_unit(&folded).0,
            column_letters(used.col),
            shown(text),
            column_letters(*col),
        ));
    }
    warnings
}

/// The header cells that name no column a form of `kind` reads ([`Role::is_read_by`]:
/// `身份证号`, or `联系电话` on 附件2) and are not a second column of one ([`ignored_duplicates`]
/// names those): (0-based column, text without whitespace).
fn unread_columns(
    kind: FormKind,
    texts: &[(u32, String)],
    columns: &[Column],
) -> Vec<(u32, String)> {
    texts
        .iter()
        .filter(|(col, text)| {
            let folded = fold(text);
            if folded.is_empty() {
                return false;
            }
            if let Some(column) = columns.iter().find(|c| c.col == *col) {
                return !column.role.is_read_by(kind);
            }
            match role_of(split_unit(&folded).0) {
                Some((role, _)) => {
                    !role.is_read_by(kind) || !columns.iter().any(|c| c.role == role)
                }
                None => true,
            }
        })
        .map(|(col, text)| (*col, text.split_whitespace().collect::<String>()))
        .collect()
}

fn kind_index(kind: FormKind) -> usize {
    match kind {
        FormKind::Sale => 0,
        FormKind::Procurement => 1,
        FormKind::Catalogue => 2,
    }
}

/// (column, text) of a row's non-empty cells.
pub(crate) fn row_texts(row: &GridRow) -> Vec<(u32, String)> {
    row.cells.iter().map(|(c, v)| (*c, v.to_text())).collect()
}

/// True when the row is (another copy of) a header row. Cheap for data rows: the full check
/// runs only when one of the text columns holds a column name.
pub(crate) fn is_header_row(header: &Header, row: &GridRow) -> bool {
    // Words every header spelling of these columns contains; data never holds them.
    // Looked for in all three columns: a later table of the sheet may order its columns otherwise.
    const MARKERS: [&str; 13] = [
        "地区",
        "地址",
        "区域",
        "所在地",
        "乡镇",
        "镇街",
        "姓名",
        "贫困户",
        "销售方",
        "户名",
        "品种",
        "产品",
        "品名",
    ];
    let suspicious = [Role::Region, Role::Household, Role::Product]
        .iter()
        .any(|role| {
            header
                .col(*role)
                .and_then(|c| row.get(c))
                .is_some_and(|v| match v {
                    CellValue::Text(t) => t.len() <= 90 && contains_any(t, &MARKERS),
                    _ => false,
                })
        });
    suspicious && match_header(&row_texts(row)).is_some()
}

/// Whether `text` contains one of `words`: checked at each character, which for the short cells of
/// a data row is much cheaper than one substring search per word (this runs twice per row).
fn contains_any(text: &str, words: &[&str]) -> bool {
    text.char_indices()
        .any(|(at, _)| words.iter().any(|word| text[at..].starts_with(word)))
}

/// Where the later tables of a sheet start, as indices into `sheet.rows`: a clerk who pastes each
/// month's form under the last one gives a sheet of several tables of one form, each with its own
/// title and header-info line (whose 填报时间 dates that table's rows) above its header. A later
/// table starts at its header row or at the title and info lines right above it
/// ([`is_table_preamble`]). A header repeated without its own title or info line (a header row
/// per printed page), or under the first table's title again, continues the table above and
/// starts none, and so does a header repeated with no row between.
pub(crate) fn later_table_starts(sheet: &GridSheet, header: &Header) -> TableStarts {
    let rows = &sheet.rows;
    let mut starts = Vec::new();
    let mut repeated_titles = Vec::new();
    // The texts above the first header: a title repeated with the header on a printed page
    // continues the table.
    let first_preamble: Vec<String> = rows
        .iter()
        .take_while(|row| row.number < header.first_row)
        .flat_map(|row| row.cells.iter().map(|(_, value)| fold(&value.to_text())))
        .collect();
    // The first row after the header of the table being read.
    let mut table_rows_start = header.data_start;
    for index in header.data_start..rows.len() {
        let Some(row) = rows.get(index) else { break };
        if !is_header_row(header, row) {
            continue;
        }
        let mut start = index;
        while start > table_rows_start && rows.get(start - 1).is_some_and(is_table_preamble) {
            start -= 1;
        }
        let repeated_title = rows.get(start..index).is_some_and(|preamble| {
            preamble.iter().all(|row| {
                row.cells
                    .iter()
                    .all(|(_, value)| first_preamble.contains(&fold(&value.to_text())))
            })
        });
        if start < index && start > table_rows_start {
            if repeated_title {
                repeated_titles.extend(start..index);
            } else {
                starts.push(start);
            }
        }
        table_rows_start = index + 1;
    }
    TableStarts {
        starts,
        repeated_titles,
    }
}

/// Where the later tables of a sheet start ([`later_table_starts`]), as indices into the sheet's
/// rows.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TableStarts {
    /// The first row of each later table.
    pub starts: Vec<usize>,
    /// Title rows repeated above a header on a printed page: not data, left out of the table.
    pub repeated_titles: Vec<usize>,
}

/// True for a line that goes above a form's header: a header-info line (`填报单位：…`,
/// `供货联系人：…`), the form's label (`附件2`), or one text alone (a title merged across the
/// table) naming a form (`…销售情况表`, `…目录`, `…台账`) or a period (`2019年12月`, `12月份`,
/// `第四季度`). Notes (`填表说明：…`, `1.…`, a sentence ending in `。`) are not.
fn is_table_preamble(row: &GridRow) -> bool {
    let Some((_, CellValue::Text(first))) = row.cells.first() else {
        return false;
    };
    let folded = fold(first);
    let labelled = INFO_LABELS
        .iter()
        .filter(|(_, kind)| *kind != InfoLabel::Other)
        .any(|(label, _)| {
            folded
                .strip_prefix(label)
                .is_some_and(|rest| rest.starts_with(':'))
        });
    if labelled {
        return true;
    }
    if row.cells.iter().any(|(_, value)| value.to_text() != *first) {
        return false;
    }
    if is_month_label(&folded) {
        return true;
    }
    let note = folded.contains([':', ',', '，', '。'])
        || folded.starts_with(|c: char| c.is_ascii_digit() || c == '(')
        || folded.starts_with("注")
        || folded.contains("说明");
    if note {
        return false;
    }
    folded.starts_with("附件")
        || ["表", "目录", "台账", "清单"]
            .iter()
            .any(|word| folded.contains(word))
        || folded.ends_with("月份")
        || folded.ends_with("季度")
        || info_date(&folded).is_some()
}

/// `12月`, `(11月)`, `十二月份`: a month named alone (a title over one month's table).
fn is_month_label(folded: &str) -> bool {
    let inner = folded
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(folded);
    let Some(number) = inner
        .strip_suffix("月份")
        .or_else(|| inner.strip_suffix('月'))
    else {
        return false;
    };
    let value = match number.parse::<u32>() {
        Ok(value) => Some(value),
        Err(_) => crate::domain::text::parse_chinese_number(number)
            .and_then(|value| u32::try_from(value.trunc()).ok()),
    };
    value.is_some_and(|month| (1..=12).contains(&month))
}

/// Finds the header in the first rows of a sheet.
pub(crate) fn find_header(sheet: &GridSheet) -> Option<Header> {
    let rows = &sheet.rows;
    let first_number = rows.first().map_or(1, |row| row.number.max(1)) - 1;
    for (i, row) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        // Counted from the first row with content (a later table of the sheet starts further down).
        if row.number.saturating_sub(first_number) > HEADER_SEARCH_LAST_ROW {
            break;
        }
        let mut hidden_notes = Vec::new();
        let texts = without_hidden_duplicates(sheet, row_texts(row), &mut hidden_notes);
        let mut used_texts = texts.clone();
        let (found, next_index) = match match_header(&texts) {
            // A merged 地区 over the sub-headers `乡镇 | 村` in the row below.
            Some(m) => match rows.get(i + 1) {
                Some(below)
                    if below.number == row.number + 1
                        && is_region_sub_header(&texts, &row_texts(below)) =>
                {
                    let combined = combine(&texts, &row_texts(below));
                    match match_header(&combined) {
                        Some(split) => {
                            used_texts = combined;
                            (Some(split), i + 2)
                        }
                        None => (Some(m), i + 2),
                    }
                }
                // A group title over some columns (`销售情况` merged over `销售数量 | 销售金额`
                // in the row below): the row below completes the header.
                Some(below)
                    if below.number == row.number + 1
                        && completes_header(&texts, &row_texts(below), &m.1) =>
                {
                    let combined = combine(&texts, &row_texts(below));
                    match match_header(&combined) {
                        Some(completed) if completed.1.len() > m.1.len() => {
                            used_texts = combined;
                            (Some(completed), i + 2)
                        }
                        _ => (Some(m), i + 1),
                    }
                }
                _ => (Some(m), i + 1),
            },
            None => {
                // A header over two rows: group titles above, column names below.
                match rows.get(i + 1) {
                    Some(below) if below.number == row.number + 1 => {
                        let below_texts = row_texts(below);
                        if match_header(&below_texts).is_some() {
                            // The next row is a header on its own: found on the next turn.
                            (None, i + 1)
                        } else {
                            used_texts = combine(&texts, &below_texts);
                            (match_header(&used_texts), i + 2)
                        }
                    }
                    _ => (None, i + 1),
                }
            }
        };
        let Some((kind, mut columns)) = found else {
            continue;
        };
        let mut header = Header {
            kind,
            first_row: row.number,
            data_start: next_index,
            columns: Vec::new(),
            unit_row: None,
            ignored_columns: hidden_notes
                .into_iter()
                .chain(ignored_duplicates(&used_texts, &columns))
                .collect(),
            unread_columns: unread_columns(kind, &used_texts, &columns),
        };
        // A row right under the header holding only units belongs to the header (rule 17).
        if let Some(below) = rows.get(next_index)
            && let Some(prev) = rows.get(next_index.saturating_sub(1))
            && let Some(units) = unit_row(below, prev, &columns)
        {
            for (col, unit) in units {
                if let Some(c) = columns.iter_mut().find(|c| c.col == col) {
                    c.unit = Some(unit);
                }
            }
            header.unit_row = Some(below.number);
            header.data_start = next_index + 1;
        }
        // A row numbering the columns (栏次 `1 2 3 … 9`, as statistical forms print under the
        // header) belongs to the header too.
        if rows
            .get(header.data_start)
            .is_some_and(is_column_number_row)
        {
            header.data_start += 1;
        }
        header.columns = std::mem::take(&mut columns);
        return Some(header);
    }
    None
}

/// True when a text is a group number only (`5组`, `五组`, `3社`): it follows the village.
fn is_group(text: &str) -> bool {
    text.strip_suffix(['组', '社']).is_some_and(|number| {
        !number.is_empty()
            && number
                .chars()
                .all(|c| c.is_ascii_digit() || "一二三四五六七八九十〇零".contains(c))
    })
}

/// True when a 地区 text ends with a village or group (`…三坪村`, `…滨江社区`, `…3组`).
fn names_a_village(region: &str) -> bool {
    region.ends_with('组')
        || VILLAGE_SUFFIXES
            .iter()
            .any(|suffix| region.ends_with(suffix))
}

/// True when the row under a header holds the sub-headers of a split 地区 (`乡镇`, `村(社区)`,
/// …) under a merged 地区 cell, and otherwise only the header's own texts (its cells merged
/// down over both rows).
fn is_region_sub_header(header: &[(u32, String)], below: &[(u32, String)]) -> bool {
    let mut any = false;
    for (col, text) in below {
        let folded = fold(text);
        if folded.is_empty() {
            continue;
        }
        match role_of(split_unit(&folded).0) {
            Some((Role::Township | Role::Village | Role::Group, _)) => any = true,
            _ if header.iter().any(|(c, t)| c == col && fold(t) == folded) => {}
            _ => return false,
        }
    }
    any
}

/// True when `lower`, the row under a header row `upper` whose columns are `columns`, is the
/// second row of that header: it names at least one column the upper row lacks, and every other
/// cell of it is empty or repeats the cell above (a title merged down over both rows). A data
/// row never qualifies: its values are not column names.
fn completes_header(upper: &[(u32, String)], lower: &[(u32, String)], columns: &[Column]) -> bool {
    let mut adds = false;
    for (col, text) in lower {
        let folded = fold(text);
        if folded.is_empty() {
            continue;
        }
        let above = upper
            .iter()
            .find(|(c, _)| c == col)
            .map(|(_, t)| fold(t))
            .unwrap_or_default();
        if folded == above {
            continue;
        }
        let (name, _) = split_unit(&folded);
        match role_of(name) {
            Some((role, _)) if !columns.iter().any(|c| c.role == role) => adds = true,
            _ => return false,
        }
    }
    adds
}

/// True for a row that numbers the columns (栏次): at least four cells, in column order, holding
/// 1, 2, 3, … (numbers or their text) and nothing else. A data row always holds text.
fn is_column_number_row(row: &GridRow) -> bool {
    row.cells.len() >= 4
        && row.cells.iter().enumerate().all(|(index, (_, value))| {
            let expected = index + 1;
            match value {
                CellValue::Number(n) => *n == expected as f64,
                CellValue::Text(t) => t.trim() == expected.to_string(),
                _ => false,
            }
        })
}

/// Cell-wise combination of a group-title row and the column-name row below it.
fn combine(upper: &[(u32, String)], lower: &[(u32, String)]) -> Vec<(u32, String)> {
    let mut cols: Vec<u32> = upper.iter().chain(lower.iter()).map(|(c, _)| *c).collect();
    cols.sort_unstable();
    cols.dedup();
    cols.into_iter()
        .map(|c| {
            let up = upper
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, t)| t.as_str())
                .unwrap_or("");
            let low = lower
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, t)| t.as_str())
                .unwrap_or("");
            (
                c,
                if low.trim().is_empty() {
                    up.to_string()
                } else {
                    low.to_string()
                },
            )
        })
        .collect()
}

/// Units a clerk writes in a unit row (after folding, brackets and `单位:` removed).
fn unit_token(text: &str) -> Option<String> {
    let folded = fold(text);
    let inner = folded
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(&folded);
    let inner = inner
        .strip_prefix("单位:")
        .or_else(|| inner.strip_prefix("单位"))
        .unwrap_or(inner);
    const UNITS: [&str; 36] = [
        "斤",
        "公斤",
        "千克",
        "kg",
        "KG",
        "Kg",
        "克",
        "g",
        "吨",
        "两",
        "头",
        "只",
        "个",
        "袋",
        "箱",
        "件",
        "瓶",
        "盒",
        "桶",
        "把",
        "株",
        "棵",
        "枚",
        "条",
        "份",
        "筐",
        "篮",
        "罐",
        "提",
        "元",
        "万元",
        "人民币元",
        "亩",
        "根",
        "支",
        "套",
    ];
    if UNITS.contains(&inner) {
        return Some(inner.to_string());
    }
    // A price unit such as 元/斤.
    if let Some(per) = inner.strip_prefix("元/")
        && UNITS.contains(&per)
    {
        return Some(inner.to_string());
    }
    None
}

/// When `row` holds only units (or copies of the header cell above it, from merged header
/// cells), the units by column.
fn unit_row(row: &GridRow, header_row: &GridRow, columns: &[Column]) -> Option<Vec<(u32, String)>> {
    let mut units = Vec::new();
    for (col, value) in &row.cells {
        let text = value.to_text();
        if let Some(unit) = unit_token(&text) {
            units.push((*col, unit));
            continue;
        }
        let above = header_row
            .get(*col)
            .map(CellValue::to_text)
            .unwrap_or_default();
        if fold(&above) == fold(&text) {
            continue;
        }
        return None;
    }
    if units.is_empty()
        || !units
            .iter()
            .any(|(c, _)| columns.iter().any(|k| k.col == *c))
    {
        return None;
    }
    Some(units)
}

/// A money-unit note above the table (`单位：万元`, `金额单位：万元`): applies to the amount
/// column when neither its header nor a unit row gives a unit.
pub(crate) fn apply_unit_note(header: &mut Header, above: &[GridRow]) {
    let note = above
        .iter()
        .flat_map(|r| r.cells.iter())
        .find_map(|(_, v)| {
            let folded = fold(&v.to_text());
            ["金额单位:", "单位:"].iter().find_map(|label| {
                let pos = folded.find(label)?;
                // `填报单位:` / `填写单位:` name the reporting unit, not a money unit.
                if folded[..pos].ends_with("填报")
                    || folded[..pos].ends_with("填写")
                    || folded[..pos].ends_with("报送")
                {
                    return None;
                }
                let rest = &folded[pos + label.len()..];
                if rest.starts_with("万元") {
                    Some("万元")
                } else if rest.starts_with('元') {
                    Some("元")
                } else {
                    None
                }
            })
        });
    if let Some(unit) = note
        && let Some(column) = header.columns.iter_mut().find(|c| c.role == Role::Amount)
        && column.unit.is_none()
    {
        column.unit = Some(unit.to_string());
    }
}

/// The header-info line: 填报单位/填写单位, 填报时间/填写日期, contact person and phone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InfoFields {
    pub unit: Option<String>,
    pub date_text: Option<String>,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum InfoLabel {
    Unit,
    Date,
    Person,
    Phone,
    Other,
}

/// Labels of the header-info line, longest first where one is the prefix of another.
const INFO_LABELS: [(&str, InfoLabel); 29] = [
    ("供货联系人姓名", InfoLabel::Person),
    ("供货联系人", InfoLabel::Person),
    ("联系人姓名", InfoLabel::Person),
    ("联系人", InfoLabel::Person),
    ("填报单位", InfoLabel::Unit),
    ("填写单位", InfoLabel::Unit),
    ("报送单位", InfoLabel::Unit),
    ("填报部门", InfoLabel::Unit),
    ("填报时间", InfoLabel::Date),
    ("填报日期", InfoLabel::Date),
    ("填写日期", InfoLabel::Date),
    ("填写时间", InfoLabel::Date),
    ("报送时间", InfoLabel::Date),
    ("报送日期", InfoLabel::Date),
    ("填表单位", InfoLabel::Unit),
    ("填表时间", InfoLabel::Date),
    ("填表日期", InfoLabel::Date),
    ("制表时间", InfoLabel::Date),
    ("制表日期", InfoLabel::Date),
    ("填写人", InfoLabel::Person),
    ("填报人", InfoLabel::Person),
    ("填表人", InfoLabel::Person),
    ("联系方式", InfoLabel::Phone),
    ("联系电话", InfoLabel::Phone),
    ("电话", InfoLabel::Phone),
    ("手机", InfoLabel::Phone),
    ("审核人", InfoLabel::Other),
    ("负责人", InfoLabel::Other),
    ("单位(盖章)", InfoLabel::Other),
];

/// True when a row under the table is the header-info line written at the foot of the form: its
/// first text starts with a 填报单位 or 填报时间 label (after folding, `填报单位：…`).
pub(crate) fn is_info_line(row: &GridRow) -> bool {
    let Some((_, CellValue::Text(text))) = row.cells.first() else {
        return false;
    };
    let folded = fold(text);
    INFO_LABELS
        .iter()
        .filter(|(_, kind)| matches!(kind, InfoLabel::Unit | InfoLabel::Date))
        .any(|(label, _)| {
            folded
                .strip_prefix(label)
                .is_some_and(|rest| rest.starts_with(':'))
        })
}

/// Reads the header-info fields from the rows above the header.
pub(crate) fn read_info(rows: &[GridRow]) -> InfoFields {
    let mut info = InfoFields::default();
    for row in rows {
        // Merged cells repeat the same text: join distinct neighbours.
        let mut line = String::new();
        let mut last = String::new();
        for (_, value) in &row.cells {
            let text = value.to_text();
            if text == last {
                continue;
            }
            if !line.is_empty() {
                line.push('\u{3000}');
            }
            line.push_str(&text);
            last = text;
        }
        parse_info_line(&line, &mut info);
    }
    info
}

/// Parses `填报单位：… 供货联系人姓名：… 联系方式：… 填报时间：…` (full-width or ASCII colons,
/// any spacing) into `info`, keeping fields already found.
fn parse_info_line(line: &str, info: &mut InfoFields) {
    // (byte position of label, label length in bytes, kind)
    let mut hits: Vec<(usize, usize, InfoLabel)> = Vec::new();
    let mut pos = 0usize;
    while pos < line.len() {
        let rest = &line[pos..];
        let found = INFO_LABELS
            .iter()
            .find(|(label, _)| rest.starts_with(label));
        match found {
            Some((label, kind)) => {
                // A label is followed by a colon (or by its value directly).
                hits.push((pos, label.len(), *kind));
                pos += label.len();
            }
            None => {
                pos += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    for (i, (start, len, kind)) in hits.iter().enumerate() {
        let value_start = start + len;
        let value_end = hits.get(i + 1).map_or(line.len(), |h| h.0);
        let Some(raw) = line.get(value_start..value_end) else {
            continue;
        };
        let raw = without_annotations(raw);
        let value = raw
            .trim_start_matches(|c: char| c == ':' || c == '：' || super::grid::is_blank_char(c))
            .trim_end_matches(|c: char| {
                super::grid::is_blank_char(c) || c == ',' || c == '，' || c == ';' || c == '；'
            });
        // Stop at a wide gap: what follows is another, unlabelled item.
        let value = value
            .split("\u{3000}\u{3000}")
            .next()
            .unwrap_or("")
            .trim_matches(super::grid::is_blank_char);
        if value.is_empty() {
            continue;
        }
        let slot = match kind {
            InfoLabel::Unit => &mut info.unit,
            InfoLabel::Date => &mut info.date_text,
            InfoLabel::Person => &mut info.contact_person,
            InfoLabel::Phone => &mut info.phone,
            InfoLabel::Other => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_string());
        }
    }
}

/// `raw` without the bracketed notes a form's info line carries beside its values: `（盖章）`
/// after 填报单位 or its value, `（星期五）` or `（第三季度）` after a date.
fn without_annotations(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find(['(', '（']) {
        let after_open = &rest[open..];
        let close = after_open
            .char_indices()
            .find(|(_, c)| matches!(c, ')' | '）'))
            .map(|(at, c)| at + c.len_utf8());
        let Some(close) = close else { break };
        let inside = &after_open[..close];
        out.push_str(&rest[..open]);
        if !["章", "签字", "星期", "周", "季度"]
            .iter()
            .any(|note| inside.contains(note))
        {
            out.push_str(inside);
        }
        rest = &after_open[close..];
    }
    out.push_str(rest);
    out
}

/// A form's title among the rows above the header: the first text that is no info line (none of
/// 填报/填写/报送 labels, no colon) and has more than a few characters, e.g.
/// `农坝镇贫困户产品销售情况表`; the form's label (`附件2`) is skipped. `None` without one.
pub(crate) fn title_text(rows: &[GridRow]) -> Option<String> {
    rows.iter()
        .flat_map(|row| row.cells.iter())
        .map(|(_, value)| value.to_text())
        .map(|text| text.trim_matches(super::grid::is_blank_char).to_string())
        .find(|text| {
            text.chars().count() > 4
                && !text.starts_with("附件")
                && !text.contains([':', '：'])
                && !INFO_LABELS.iter().any(|(label, _)| text.contains(label))
        })
}

/// The 填报时间 as a date: a full date, the last day of a month-precision date, or the last day
/// of a period ([`period_end`]: `2019年第三季度` → 2019-09-30).
pub(crate) fn info_date(text: &str) -> Option<NaiveDate> {
    use crate::domain::{DatePrecision, ReportDate};
    let Ok(parsed) = ReportDate::parse(text, None) else {
        if let Some(end) = period_end(text) {
            return Some(end);
        }
        // `2019.7—2019.9`, `2019.7-2019.9`: a range of months ends with its last.
        let last = text
            .rsplit(['—', '－', '-', '~', '～', '至', '到'])
            .next()?;
        if last.len() == text.len() || last.trim().is_empty() {
            return None;
        }
        return info_date(last);
    };
    let d = parsed.value;
    Some(match d.precision {
        DatePrecision::Day => d.date,
        DatePrecision::Month => {
            use chrono::Datelike;
            let (y, m) = if d.date.month() == 12 {
                (d.date.year() + 1, 1)
            } else {
                (d.date.year(), d.date.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|n| n.pred_opt())
                .unwrap_or(d.date)
        }
    })
}

/// The last day of the period a text names after a year: a quarter (`2019年第三季度`,
/// `2019年三季度`, `2019年第3季度` → 2019-09-30), months (`2019年7-9月`, `2019年7月至9月`,
/// `2019年9月` → 2019-09-30), a half year (`2019年上半年` → 2019-06-30), or the year alone
/// (`2019年`, `2019年度` → 2019-12-31). Text may follow (`2019年第三季度贫困户产品销售情况表`).
/// `None` without a year of four digits followed by `年`.
pub(crate) fn period_end(text: &str) -> Option<NaiveDate> {
    let folded = fold(text);
    let chars: Vec<char> = folded.chars().collect();
    let at = chars
        .windows(5)
        .position(|w| w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')?;
    if at > 0 && chars.get(at - 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let year: i32 = chars[at..at + 4].iter().collect::<String>().parse().ok()?;
    if !(1990..=2100).contains(&year) {
        return None;
    }
    let rest: String = chars[at + 5..].iter().collect();
    let rest = rest.strip_prefix('第').unwrap_or(&rest);
    let numeral = |text: &str| -> Option<(u32, usize)> {
        let first = text.chars().next()?;
        let value = match first {
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            '十' => {
                return match text.chars().nth(1) {
                    Some('一') => Some((11, 6)),
                    Some('二') => Some((12, 6)),
                    _ => Some((10, 3)),
                };
            }
            _ => {
                let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
                return Some((digits.parse().ok()?, digits.len()));
            }
        };
        Some((value, first.len_utf8()))
    };
    let last_month = if let Some((quarter, used)) = numeral(rest)
        && rest[used..].starts_with("季度")
    {
        (1..=4).contains(&quarter).then_some(quarter * 3)?
    } else if rest.starts_with("上半年") {
        6
    } else if let Some((month, used)) = numeral(rest)
        && (1..=12).contains(&month)
    {
        // `7-9月`, `7月-9月`, `7月至9月`, `9月`: the last month named.
        let after = &rest[used..];
        let after = after.strip_prefix('月').unwrap_or(after);
        match after.strip_prefix(['-', '~', '—', '至', '到', '－', '～']) {
            Some(end) => match numeral(end) {
                Some((end_month, _)) if (month..=12).contains(&end_month) => end_month,
                _ => return None,
            },
            None if rest[used..].starts_with('月') => month,
            None => return None,
        }
    } else {
        12
    };
    let (next_year, next_month) = if last_month == 12 {
        (year + 1, 1)
    } else {
        (year, last_month + 1)
    };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_any_finds_a_word_anywhere_and_only_whole() {
        let words = ["地区", "姓名", "品种"];
        assert!(contains_any("地区", &words));
        assert!(contains_any("贫困户姓名", &words));
        assert!(contains_any("产品品种（规格）", &words));
        assert!(contains_any("a地区b", &words));
        assert!(!contains_any("王成芳", &words));
        assert!(!contains_any("地", &words));
        assert!(!contains_any("", &words));
        assert!(!contains_any("品名", &words));
    }

    fn texts(cells: &[&str]) -> Vec<(u32, String)> {
        cells
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, s.to_string()))
            .collect()
    }

    #[test]
    fn headers_of_the_three_forms_are_recognised() {
        let (kind, cols) = match_header(&texts(&[
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "贫困户\n姓名",
            "产品品种",
            "销售\n数量",
            "销售金额\n（元）",
            "备注",
        ]))
        .unwrap();
        assert_eq!(kind, FormKind::Sale);
        assert_eq!(cols.len(), 9);
        assert_eq!(
            cols.iter()
                .find(|c| c.role == Role::Amount)
                .unwrap()
                .unit
                .as_deref(),
            Some("元")
        );
        let (kind, _) = match_header(&texts(&[
            "序号",
            "采购单位",
            "采购时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "采购数量（斤）",
            "采购金额",
            "备注",
        ]))
        .unwrap();
        assert_eq!(kind, FormKind::Procurement);
        let (kind, cols) = match_header(&texts(&[
            "序号",
            "地区",
            "贫困户姓名",
            "产品品种",
            "计划销量",
            "销售价格(元)",
            "供货方式",
            "网店网址",
            "供货联系人及联系方式",
            "备注",
        ]))
        .unwrap();
        assert_eq!(kind, FormKind::Catalogue);
        assert_eq!(cols.len(), 10);
        assert!(match_header(&texts(&["附件2"])).is_none());
        assert!(match_header(&texts(&["泥溪镇贫困户产品销售情况表"])).is_none());
        assert!(match_header(&texts(&["序号", "姓名", "备注"])).is_none());
    }

    #[test]
    fn info_line_is_split_into_fields() {
        let parsed = |line: &str| {
            let mut info = InfoFields::default();
            parse_info_line(line, &mut info);
            info
        };
        let info = parsed(
            "填报单位：泥溪镇人民政府\u{3000}\u{3000}供货联系人姓名：李某某\u{3000}\u{3000}联系方式：138-0000-2100\u{3000}\u{3000}填报时间：2019年9月30日",
        );
        assert_eq!(info.unit.as_deref(), Some("泥溪镇人民政府"));
        assert_eq!(info.contact_person.as_deref(), Some("李某某"));
        assert_eq!(info.phone.as_deref(), Some("138-0000-2100"));
        assert_eq!(info.date_text.as_deref(), Some("2019年9月30日"));
        let info = parsed(
            "填写单位:泥溪镇人民政府  填写人:李某某  联系电话:138-0000-2100  填写日期:2019年8月20日",
        );
        assert_eq!(info.contact_person.as_deref(), Some("李某某"));
        // The other wordings of government forms: 填表单位, 填表时间/日期, 制表日期.
        for (line, unit, date) in [
            (
                "填报单位：桑坪镇人民政府 填表时间：2019年8月20日",
                Some("桑坪镇人民政府"),
                "2019年8月20日",
            ),
            (
                "填表单位：桑坪镇人民政府 填表人：李某某 填表日期：2019年8月",
                Some("桑坪镇人民政府"),
                "2019年8月",
            ),
            ("制表日期：2019年8月20日", None, "2019年8月20日"),
            ("制表时间:2019.8.20", None, "2019.8.20"),
        ] {
            let info = parsed(line);
            assert_eq!(info.unit.as_deref(), unit, "{line}");
            assert_eq!(info.date_text.as_deref(), Some(date), "{line}");
        }
        assert_eq!(
            parsed("填表人：李某某").contact_person.as_deref(),
            Some("李某某")
        );
        // (line, 填报单位, 填报时间): notes in brackets beside labels and values are dropped;
        // other brackets stay.
        let cases = [
            (
                "填写单位:泥溪镇人民政府  填写日期:2019年8月20日",
                "泥溪镇人民政府",
                Some("2019年8月20日"),
            ),
            (
                "填报单位（盖章）：农坝镇人民政府\u{3000}\u{3000}填报时间：2020年1月10日（星期五）",
                "农坝镇人民政府",
                Some("2020年1月10日"),
            ),
            (
                "填报单位：泥溪镇人民政府(盖章)  填报时间：2019年9月30日(周一)",
                "泥溪镇人民政府",
                Some("2019年9月30日"),
            ),
            (
                "填报单位：泥溪镇人民政府  填报时间：2019年10月8日（第三季度）",
                "泥溪镇人民政府",
                Some("2019年10月8日"),
            ),
            (
                "填报单位：云阳县农业农村委员会（扶贫办）",
                "云阳县农业农村委员会（扶贫办）",
                None,
            ),
        ];
        for (line, unit, date) in cases {
            let info = parsed(line);
            assert_eq!(info.unit.as_deref(), Some(unit), "{line}");
            assert_eq!(info.date_text.as_deref(), date, "{line}");
        }
    }

    #[test]
    fn a_money_unit_note_above_the_table_applies_to_bare_amounts() {
        let row = |n: u32, t: &str| GridRow {
            number: n,
            hidden: false,
            cells: vec![(0, CellValue::Text(t.to_string()))],
        };
        let (kind, columns) = match_header(&texts(&[
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售时间",
            "销售数量",
            "销售金额",
        ]))
        .unwrap();
        let mut header = Header {
            kind,
            first_row: 3,
            data_start: 0,
            columns,
            unit_row: None,
            ignored_columns: Vec::new(),
            unread_columns: Vec::new(),
        };
        apply_unit_note(
            &mut header,
            &[row(1, "填报单位：泥溪镇人民政府"), row(2, "金额单位：万元")],
        );
        assert_eq!(header.amount_unit(), AmountUnit::WanYuan);
        let (kind, columns) = match_header(&texts(&[
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售时间",
            "销售数量",
            "销售金额",
        ]))
        .unwrap();
        let mut header = Header {
            kind,
            first_row: 3,
            data_start: 0,
            columns,
            unit_row: None,
            ignored_columns: Vec::new(),
            unread_columns: Vec::new(),
        };
        apply_unit_note(&mut header, &[row(1, "填报单位：万元镇")]);
        assert_eq!(header.amount_unit(), AmountUnit::Yuan);
    }

    #[test]
    fn unit_tokens() {
        assert_eq!(unit_token("（斤）").as_deref(), Some("斤"));
        assert_eq!(unit_token("单位：万元").as_deref(), Some("万元"));
        assert_eq!(unit_token("元/公斤").as_deref(), Some("元/公斤"));
        assert_eq!(unit_token("土豆"), None);
    }

    #[test]
    fn a_period_gives_its_last_day() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for (text, end) in [
            ("2019年第三季度", ymd(2019, 9, 30)),
            ("2019年三季度", ymd(2019, 9, 30)),
            ("２０１９年第4季度", ymd(2019, 12, 31)),
            ("2019年7-9月", ymd(2019, 9, 30)),
            ("2019年7月至9月", ymd(2019, 9, 30)),
            ("2019年十二月", ymd(2019, 12, 31)),
            ("2019年上半年", ymd(2019, 6, 30)),
            ("2019年度", ymd(2019, 12, 31)),
            ("2019年第三季度贫困户产品销售情况表", ymd(2019, 9, 30)),
            ("泥溪镇2020年1月贫困户产品销售情况表", ymd(2020, 1, 31)),
            ("乡镇(街道)贫困户产品销售情况表（12月）", None),
            ("2019年第五季度", None),
            ("12019年", None),
        ] {
            assert_eq!(period_end(text), end, "{text}");
        }
        assert_eq!(info_date("2019年第三季度"), ymd(2019, 9, 30));
        assert_eq!(info_date("2019年9月28日"), ymd(2019, 9, 28));
    }
}
