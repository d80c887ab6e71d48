//! The layout of the three official forms (附件1–3 of 云阳府办发〔2019〕95号): label, title, header
//! information fields, column headers, the sample row and the notes (备注), plus where things go in
//! the exported sheet. One definition, used by both the xlsx export and the import.
//!
//! The text is the official text in `assets/forms.json` (a copy of `shared/data/forms.json`). To keep
//! look-ups panic-free and allocation-free, the layouts are a `const` table here; the unit test
//! `layouts_equal_forms_json` deserialises the embedded JSON with serde and asserts that the table
//! is identical, so the two cannot drift apart.
//!
//! Sheet geometry shared by export and import (0-based rows, see [`crate::forms::export`]):
//!
//! | row | content |
//! | --- | --- |
//! | [`LABEL_ROW`] (0) | the label, e.g. `附件2`, in column A; `提交编号:<id>` in the hidden column |
//! | [`TITLE_ROW`] (1) | the title, merged across the form columns |
//! | [`INFO_ROW`] (2) | the header-information line (`填报单位：…　　…`), merged across |
//! | [`HEADER_ROW`] (3) | the column headers; `记录编号` in the hidden column |
//! | [`FIRST_DATA_ROW`] (4) … | the records, then the 合计 row, then the notes |

use crate::domain::sale::FormKind;

/// The embedded `assets/forms.json`: the official text of the three forms plus the 2019 targets,
/// lead units and deadlines (for modules that need the latter).
pub const FORMS_JSON: &str = include_str!("../../assets/forms.json");

/// Row (0-based) of the label (`附件1`/`附件2`/`附件3`) and of the submission-id cell.
pub const LABEL_ROW: u32 = 0;
/// Row (0-based) of the merged title.
pub const TITLE_ROW: u32 = 1;
/// Row (0-based) of the merged header-information line.
pub const INFO_ROW: u32 = 2;
/// Row (0-based) of the column headers.
pub const HEADER_ROW: u32 = 3;
/// Row (0-based) of the first record.
pub const FIRST_DATA_ROW: u32 = 4;

/// Header-row text of the hidden exchange column that holds each row's record id.
pub const RECORD_ID_HEADER: &str = "记录编号";
/// Header-row text of the hidden exchange column right of [`RECORD_ID_HEADER`]: for a record
/// whose typed text could not be read back on its own (a date without a year, read with the
/// original file's 填报时间; a bare quantity whose unit came from the header), the printed cell
/// holds a self-contained value (`2019年9月9日`, `30公斤`) and this cell the typed text, one
/// `列名：原文` line per such column, so that a re-import keeps what the clerk typed.
pub const TYPED_TEXT_HEADER: &str = "填写原文";
/// Prefix of the submission-id cell (row [`LABEL_ROW`], hidden column): `提交编号:<submission_id>`
/// (ASCII colon, no space).
pub const SUBMISSION_ID_PREFIX: &str = "提交编号:";
/// Text of the total row's label cell.
pub const TOTAL_LABEL: &str = "合计";
/// Prefix of the first note row (`备注：1.…`); later notes are indented by the same width.
pub const NOTES_LABEL: &str = "备注：";

/// The official layout of one form, exactly as in `assets/forms.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct FormLayout {
    /// `附件1`, `附件2` or `附件3` (also the sheet name).
    pub label: &'static str,
    /// The title, e.g. `乡镇(街道)贫困户产品销售情况表`.
    pub title: &'static str,
    /// The four header-information fields in order: unit, person, phone, date
    /// (`填写单位, 填写人, 联系电话, 填写日期` for 附件1; `填报单位, 供货联系人姓名, 联系方式, 填报时间`
    /// for 附件2/3).
    pub info_fields: &'static [&'static str],
    /// The column headers, starting with `序号`.
    pub columns: &'static [&'static str],
    /// The sample row printed on the official form (same length as `columns`).
    pub sample_row: &'static [&'static str],
    /// The numbered notes (备注) printed below the table, e.g. `1.各乡镇(街道)每季度末月30日前…`.
    pub notes: &'static [&'static str],
    /// Column widths in Excel width units, one per column of `columns`. The export makes 宋体 11pt
    /// the workbook's default font, so one unit is the width of a 宋体 digit (8 px) and a CJK
    /// character is about 2 units. Set by hand: rust_xlsxwriter's autofit mis-measures Chinese.
    pub column_widths: &'static [f64],
    /// Index in `columns` of the amount column summed in the 合计 row (`销售金额`/`采购金额`);
    /// `None` for 附件1, whose `销售价格(元)` is a unit price and is not summed.
    pub total_column: Option<usize>,
}

impl FormLayout {
    /// The number of form columns (including `序号`, excluding the hidden exchange column).
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// The 0-based index of the hidden record-id column: right after the last form column.
    pub fn record_id_column(&self) -> usize {
        self.columns.len()
    }

    /// The 0-based index of the hidden typed-text column ([`TYPED_TEXT_HEADER`]).
    pub fn typed_text_column(&self) -> usize {
        self.columns.len() + 1
    }

    /// The sum of the form columns' widths (Excel width units).
    pub fn total_width(&self) -> f64 {
        self.column_widths.iter().sum()
    }
}

const CATALOGUE: FormLayout = FormLayout {
    label: "附件1",
    title: "乡镇(街道)贫困户农特产品待销目录",
    info_fields: &["填写单位", "填写人", "联系电话", "填写日期"],
    columns: &[
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
    ],
    sample_row: &[
        "1",
        "云阳县xx乡镇xx村",
        "王某某",
        "土豆",
        "30斤",
        "3元/斤",
        "送货上门",
        "",
        "xx 177xxxxxxxx",
        "",
    ],
    notes: &[
        "1.各乡镇(街道)要确定一名产品供货联系人进行收发登记、分拣包装、储存管理等,至少每月更新一次农特产品信息表报送至县农业农村委,同时做好贫困户农特产品质量检查,确保食品安全。",
        "2.如采购的是合作社的产品填写合作社涉及的贫困户。",
        "3.供货方式主要为电商、送货上门、上门自提等。",
        "4.销售产品价格要遵循市场价格规律。",
        "5.各乡镇(街道)如将贫困户产品进入电商销售平台,需注明网店网址。",
    ],
    //              序号 地区  姓名  品种  计划销量 价格 供货方式 网址 联系人 备注
    column_widths: &[5.0, 22.0, 10.0, 10.0, 10.0, 12.0, 10.0, 22.0, 20.0, 14.0],
    total_column: None,
};

const SALE: FormLayout = FormLayout {
    label: "附件2",
    title: "乡镇(街道)贫困户产品销售情况表",
    info_fields: &["填报单位", "供货联系人姓名", "联系方式", "填报时间"],
    columns: &[
        "序号",
        "采购单位",
        "销售时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        "销售数量",
        "销售金额",
        "备注",
    ],
    sample_row: &[
        "1",
        "云阳县商务委",
        "2019.9.1",
        "云阳县xx乡镇xx村",
        "王某某",
        "土豆",
        "30斤",
        "90元",
        "",
    ],
    notes: &[
        "1.各乡镇(街道)每季度末月30日前收集相关采购情况,汇总后上报县商务委。",
        "2.采购对象是合作社的要把涉及到贫困户人数填上。",
    ],
    //              序号 采购单位 时间 地区 姓名 品种 数量 金额 备注
    column_widths: &[5.0, 22.0, 10.0, 22.0, 10.0, 10.0, 10.0, 12.0, 22.0],
    total_column: Some(7),
};

const PROCUREMENT: FormLayout = FormLayout {
    label: "附件3",
    title: "牵头单位系统(行业)购买贫困户产品采购情况表",
    info_fields: &["填报单位", "供货联系人姓名", "联系方式", "填报时间"],
    columns: &[
        "序号",
        "采购单位",
        "采购时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        "采购数量",
        "采购金额",
        "备注",
    ],
    sample_row: &[
        "1",
        "云阳县商务委",
        "2019.9.1",
        "云阳县xx乡镇xx村",
        "王某某",
        "土豆",
        "30斤",
        "90元",
        "用于机关食堂",
    ],
    notes: &[
        "1.各牵头单位收集汇总本系统(行业)的采购情况,于每季度末月30日前上报县商务委。",
        "2.采购对象是合作社的要把涉及到贫困户人数填上。",
    ],
    column_widths: &[5.0, 22.0, 10.0, 22.0, 10.0, 10.0, 10.0, 12.0, 22.0],
    total_column: Some(7),
};

/// The official layout of `kind`'s form.
pub fn form_layout(kind: FormKind) -> &'static FormLayout {
    match kind {
        FormKind::Catalogue => &CATALOGUE,
        FormKind::Sale => &SALE,
        FormKind::Procurement => &PROCUREMENT,
    }
}

/// All three layouts with their kinds, in attachment order (附件1, 附件2, 附件3).
pub fn all_layouts() -> [(FormKind, &'static FormLayout); 3] {
    [
        (FormKind::Catalogue, &CATALOGUE),
        (FormKind::Sale, &SALE),
        (FormKind::Procurement, &PROCUREMENT),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `forms[]` entries of forms.json (other fields are ignored).
    #[derive(serde::Deserialize)]
    struct JsonForms {
        forms: Vec<JsonForm>,
    }

    #[derive(serde::Deserialize)]
    struct JsonForm {
        id: i64,
        label: String,
        title: String,
        info_fields: Vec<String>,
        columns: Vec<String>,
        sample_row: Vec<String>,
        notes: Vec<String>,
    }

    #[test]
    fn layouts_equal_forms_json() {
        let parsed: JsonForms = serde_json::from_str(FORMS_JSON).expect("assets/forms.json parses");
        assert_eq!(parsed.forms.len(), 3);
        for form in &parsed.forms {
            let kind = FormKind::from_number(form.id).expect("form id 1..3");
            let layout = form_layout(kind);
            assert_eq!(layout.label, form.label);
            assert_eq!(layout.label, kind.label());
            assert_eq!(layout.title, form.title);
            assert_eq!(layout.info_fields, form.info_fields.as_slice());
            assert_eq!(layout.columns, form.columns.as_slice());
            assert_eq!(layout.sample_row, form.sample_row.as_slice());
            assert_eq!(layout.notes, form.notes.as_slice());
        }
    }

    #[test]
    fn assets_copy_equals_shared_data() {
        // The shared original may be absent outside the development machine; compare when present.
        if let Ok(shared) = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/forms.json"
        )) {
            assert_eq!(
                shared, FORMS_JSON,
                "assets/forms.json differs from shared/data/forms.json"
            );
        }
    }

    #[test]
    fn widths_and_columns_are_consistent() {
        for (kind, layout) in all_layouts() {
            assert_eq!(layout.column_widths.len(), layout.columns.len(), "{kind:?}");
            assert_eq!(layout.sample_row.len(), layout.columns.len(), "{kind:?}");
            assert_eq!(layout.info_fields.len(), 4, "{kind:?}");
            assert_eq!(layout.columns[0], "序号");
            if let Some(total) = layout.total_column {
                assert_eq!(layout.columns[total], kind.column_names().2);
            }
            // Every header fits in at most two lines of its column (a CJK char ≈ 2 units).
            for (column, width) in layout.columns.iter().zip(layout.column_widths) {
                let units: f64 = column
                    .chars()
                    .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
                    .sum();
                assert!(units <= 2.0 * (width - 0.5), "{kind:?} {column} too narrow");
            }
        }
    }
}
