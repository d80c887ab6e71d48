//! The import reader against the sample corpus (`shared/samples`, copied to `tests/samples`) and
//! its `expected.json`; crafted variants built with rust_xlsxwriter; robustness on random and
//! mutated bytes (proptest).
//!
//! The cross-file checks (catalogue price 09 after 06, the 10/11 pairs) belong to the database
//! side and are not checked here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::domain::{InvolvedCount, Price, RegionResolver};
use xiaofei_fupin::forms::import::{
    HIDDEN_ROW_WARNING, ImportedRow, ParsedFile, RowContent, parse_bytes, parse_file,
};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// The samples: `../shared/samples` when present (a checkout beside shared/), else the copy in
/// `tests/samples`.
fn samples_dir() -> PathBuf {
    let shared = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples"));
    if shared.join("expected.json").is_file() {
        return shared.to_path_buf();
    }
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/samples")).to_path_buf()
}

fn resolver() -> RegionResolver {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/townships.csv"
    ))
    .expect("tests/data/townships.csv");
    RegionResolver::from_csv(&csv).expect("township registry")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(samples_dir().join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json parses")
}

fn township_name(resolver: &RegionResolver, code: &str) -> String {
    resolver
        .by_code(code)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("?{code}"))
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

fn opt_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// The corpus

/// Compares one expected row with the imported row; pushes mismatches to `fails`.
fn check_row(
    resolver: &RegionResolver,
    file: &str,
    exp: &Value,
    got: &ImportedRow,
    fails: &mut Vec<String>,
) {
    let row = got.row;
    let mut eq = |what: &str, expected: Option<String>, actual: Option<String>| {
        if expected != actual {
            fails.push(format!(
                "{file} R{row} {what}: expected {expected:?}, got {actual:?}"
            ));
        }
    };
    match &got.content {
        RowContent::Sale(s) => {
            eq(
                "township",
                opt_str(&exp["township"]),
                Some(township_name(resolver, &s.township_code)),
            );
            eq("village", opt_str(&exp["village"]), Some(s.village.clone()));
            eq("name", opt_str(&exp["name"]), Some(s.household.clone()));
            eq("product", opt_str(&exp["product"]), Some(s.product.clone()));
            eq(
                "date",
                opt_str(&exp["date"]),
                Some(s.date.date.format("%Y-%m-%d").to_string()),
            );
            eq("qty", opt_str(&exp["qty"]), Some(dec(s.quantity.value)));
            eq("unit", opt_str(&exp["unit"]), s.quantity.unit.clone());
            eq(
                "qty_jin",
                opt_str(&exp["qty_jin"]),
                s.quantity.in_jin().map(dec),
            );
            eq(
                "amount",
                opt_str(&exp["amount"]),
                Some(s.amount.to_string()),
            );
            eq("buyer", opt_str(&exp["buyer"]), Some(s.purchaser.clone()));
            eq("note", opt_str(&exp["note"]), Some(s.remark.clone()));
            let involved = match (
                exp["coop_households"].as_u64(),
                exp["coop_persons"].as_u64(),
            ) {
                (Some(n), _) => Some(InvolvedCount::Households(n as u32)),
                (None, Some(n)) => Some(InvolvedCount::Persons(n as u32)),
                _ => None,
            };
            eq(
                "coop",
                involved.map(|i| format!("{i:?}")),
                s.involved.map(|i| format!("{i:?}")),
            );
        }
        RowContent::Listing(l) => {
            eq(
                "township",
                opt_str(&exp["township"]),
                Some(township_name(resolver, &l.township_code)),
            );
            eq("village", opt_str(&exp["village"]), Some(l.village.clone()));
            eq("name", opt_str(&exp["name"]), Some(l.household.clone()));
            eq("product", opt_str(&exp["product"]), Some(l.product.clone()));
            eq(
                "plan_qty",
                opt_str(&exp["plan_qty"]),
                Some(dec(l.planned_quantity.value)),
            );
            eq(
                "plan_unit",
                opt_str(&exp["plan_unit"]),
                l.planned_quantity.unit.clone(),
            );
            let (price, price_unit) = match &l.price {
                Price::PerUnit { yuan, unit } => (Some(dec(*yuan)), unit.clone()),
                Price::Negotiable => (None, None),
            };
            eq("price", opt_str(&exp["price"]), price);
            eq("price_unit", opt_str(&exp["price_unit"]), price_unit);
            let supply: Vec<String> = exp["supply"]
                .as_array()
                .map(|a| a.iter().filter_map(opt_str).collect())
                .unwrap_or_default();
            eq(
                "supply",
                Some(supply.join("、")),
                Some(l.supply_methods.join("、")),
            );
            eq(
                "url",
                opt_str(&exp["url"]),
                if l.shop_url.is_empty() {
                    None
                } else {
                    Some(l.shop_url.clone())
                },
            );
            let involved = exp["coop_households"]
                .as_u64()
                .map(|n| InvolvedCount::Households(n as u32));
            eq(
                "coop",
                involved.map(|i| format!("{i:?}")),
                l.involved.map(|i| format!("{i:?}")),
            );
        }
    }

    // Warnings: the record carries every expected one (catalogue-price warnings are the
    // database side's, checked after 06 is loaded). A clean row carries none.
    let record_warnings = got.content.warnings();
    let expected_warnings: Vec<String> = exp["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(opt_str)
                .filter(|w| !w.contains("目录价格"))
                .collect()
        })
        .unwrap_or_default();
    for w in &expected_warnings {
        let found = record_warnings
            .iter()
            .any(|r| r == w || r.contains(w.as_str()));
        if !found {
            fails.push(format!(
                "{file} R{row}: missing warning {w:?}, got {record_warnings:?}"
            ));
        }
    }
    if expected_warnings.is_empty() && !record_warnings.is_empty() {
        fails.push(format!(
            "{file} R{row}: unexpected warnings {record_warnings:?}"
        ));
    }
    // The report list repeats the record's warnings with their place.
    if got.warnings.len() != record_warnings.len() || got.warnings.iter().any(|i| i.row != row) {
        fails.push(format!(
            "{file} R{row}: RowIssue list does not mirror the record's warnings"
        ));
    }
}

fn check_case(resolver: &RegionResolver, case: &Value, fails: &mut Vec<String>) {
    let file = case["file"].as_str().unwrap_or_default();
    let path = samples_dir().join(file);
    let result = parse_file(&path, resolver);
    let outcome = case["outcome"].as_str().unwrap_or_default();
    if outcome == "reject" {
        match result {
            Ok(p) => fails.push(format!(
                "{file}: expected rejection, imported {} rows",
                p.rows().count()
            )),
            Err(e) => {
                if let Some(msg) = case["reject"].as_str()
                    && e.message != msg
                {
                    fails.push(format!(
                        "{file}: reject message {:?}, expected {msg:?}",
                        e.message
                    ));
                }
            }
        }
        return;
    }
    let parsed: ParsedFile = match result {
        Ok(p) => p,
        Err(e) => {
            fails.push(format!("{file}: rejected with {:?}", e.message));
            return;
        }
    };

    // Header info (of the first sheet).
    if let Some(sheet) = parsed.sheets.first() {
        let info = &case["header_info"];
        let unit = info
            .get("填报单位")
            .or_else(|| info.get("填写单位"))
            .and_then(opt_str);
        let date = info
            .get("填报时间")
            .or_else(|| info.get("填写日期"))
            .and_then(opt_str);
        if unit != sheet.header.unit {
            fails.push(format!(
                "{file}: 填报单位 {:?}, expected {unit:?}",
                sheet.header.unit
            ));
        }
        if date != sheet.header.date.map(|d| d.to_string()) {
            fails.push(format!(
                "{file}: 填报时间 {:?}, expected {date:?}",
                sheet.header.date
            ));
        }
        let kind = match case["form"].as_str() {
            Some("附件1") => Some(FormKind::Catalogue),
            Some("附件2") => Some(FormKind::Sale),
            Some("附件3") => Some(FormKind::Procurement),
            _ => None,
        };
        if kind != Some(sheet.kind) {
            fails.push(format!("{file}: form {:?}, expected {kind:?}", sheet.kind));
        }
    }

    // Counts.
    let imported = parsed.rows().count() as u64;
    if Some(imported) != case["rows_imported"].as_u64() {
        fails.push(format!(
            "{file}: imported {imported} rows, expected {}",
            case["rows_imported"]
        ));
    }
    let rejected: u64 = parsed
        .sheets
        .iter()
        .map(|s| s.rejected_rows().len() as u64)
        .sum();
    if rejected != case["rows_rejected"].as_u64().unwrap_or(0) {
        let errors: Vec<String> = parsed.errors().map(|e| e.to_string()).collect();
        fails.push(format!(
            "{file}: rejected {rejected} rows, expected {}: {errors:?}",
            case["rows_rejected"]
        ));
    }

    // Totals to the fen, overall and per township.
    let mut total = Decimal::ZERO;
    let mut per_township: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in parsed.rows() {
        if let RowContent::Sale(s) = &row.content {
            total += s.amount.yuan();
            *per_township
                .entry(township_name(resolver, &s.township_code))
                .or_default() += s.amount.yuan();
        }
    }
    if let Some(expected_total) = case["total"].as_str() {
        let mut t = total;
        t.rescale(2);
        if t.to_string() != expected_total {
            fails.push(format!("{file}: total {t}, expected {expected_total}"));
        }
    }
    let expected_per: BTreeMap<String, String> = case["per_township"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let got_per: BTreeMap<String, String> = per_township
        .into_iter()
        .map(|(k, mut v)| {
            v.rescale(2);
            (k, v.to_string())
        })
        .collect();
    if expected_per != got_per {
        fails.push(format!(
            "{file}: per township {got_per:?}, expected {expected_per:?}"
        ));
    }

    // File warnings, exactly.
    let expected_fw: Vec<String> = case["file_warnings"]
        .as_array()
        .map(|a| a.iter().filter_map(opt_str).collect())
        .unwrap_or_default();
    if expected_fw != parsed.file_warnings {
        fails.push(format!(
            "{file}: file warnings {:?}, expected {expected_fw:?}",
            parsed.file_warnings
        ));
    }

    // Every row.
    for exp in case["rows"].as_array().into_iter().flatten() {
        let n = exp["row"].as_u64().unwrap_or(0) as u32;
        if exp["status"].as_str() == Some("error") {
            let issues: Vec<_> = parsed.errors().filter(|e| e.row == n).collect();
            if issues.is_empty() {
                fails.push(format!("{file} R{n}: expected a row error"));
            } else if let Some(msg) = exp["error"].as_str()
                && !issues.iter().any(|i| i.message == msg)
            {
                fails.push(format!("{file} R{n}: error {issues:?}, expected {msg:?}"));
            }
            if parsed.rows().any(|r| r.row == n) {
                fails.push(format!("{file} R{n}: a rejected row was imported"));
            }
            continue;
        }
        match parsed.rows().find(|r| r.row == n) {
            Some(got) => check_row(resolver, file, exp, got, fails),
            None => {
                let errors: Vec<String> = parsed
                    .errors()
                    .filter(|e| e.row == n)
                    .map(|e| e.to_string())
                    .collect();
                fails.push(format!("{file} R{n}: not imported {errors:?}"));
            }
        }
    }
}

#[test]
fn every_sample_gives_its_expected_outcome() {
    let resolver = resolver();
    let expected = expected();
    let mut fails = Vec::new();
    let cases = expected["cases"].as_array().expect("cases");
    for case in cases {
        check_case(&resolver, case, &mut fails);
    }
    assert!(
        fails.is_empty(),
        "{} mismatches:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

#[test]
fn every_sample_file_has_an_expectation() {
    let expected = expected();
    let files: Vec<&str> = expected["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["file"].as_str())
        .collect();
    for entry in std::fs::read_dir(samples_dir()).expect("samples dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name == "README.md" || name == "expected.json" {
            continue;
        }
        assert!(
            files.contains(&name.as_str()),
            "{name} has no case in expected.json"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Crafted variants

mod crafted {
    use super::*;
    use rust_xlsxwriter::{Format, Formula, Workbook};

    pub const HEADER2: [&str; 9] = [
        "序号",
        "采购单位",
        "销售时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        "销售数量",
        "销售金额",
        "备注",
    ];
    const INFO: &str = "填报单位：泥溪镇人民政府　　供货联系人姓名：李某某　　联系方式：138-0000-2100　　填报时间：2019年9月30日";

    /// Writes a 附件2 row at `row` (0-based, columns of [`HEADER2`]): 刘光富 sold 30斤 土豆 for
    /// 90元 to 云阳县青松中学 on `date`, 地区 `region`.
    fn write_potato_sale(ws: &mut rust_xlsxwriter::Worksheet, row: u32, date: &str, region: &str) {
        let values = [
            "1",
            "云阳县青松中学",
            date,
            region,
            "刘光富",
            "土豆",
            "30斤",
            "90元",
            "",
        ];
        for (column, value) in values.iter().enumerate() {
            ws.write_string(row, column as u16, *value).unwrap();
        }
    }

    /// A file of `tests/variants` (other writers' files, many from testers), parsed.
    fn variant(name: &str) -> ParsedFile {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/variants")
            .join(name);
        parse(name, &std::fs::read(path).unwrap())
    }

    /// The row error of a required cell of `column` that holds `formula` (without `=`) saved
    /// without its result.
    fn unsaved_formula_error(column: &str, formula: &str) -> String {
        format!(
            "{column}是公式“={formula}”，但文件中没有保存它的计算结果（生成文件的程序没有计算公式）：请用Excel或WPS打开、保存后再导入"
        )
    }

    fn parse(name: &str, bytes: &[u8]) -> ParsedFile {
        match parse_bytes(name, bytes, &resolver()) {
            Ok(p) => p,
            Err(e) => panic!("{name} rejected: {}", e.message),
        }
    }

    fn sales(p: &ParsedFile) -> Vec<(u32, &xiaofei_fupin::domain::sale::SaleRecord)> {
        p.rows()
            .filter_map(|r| match &r.content {
                RowContent::Sale(s) => Some((r.row, s)),
                RowContent::Listing(_) => None,
            })
            .collect()
    }

    /// Data on a second sheet, columns in another order, a unit row with 万元 and 公斤, a hidden
    /// row, a vertically merged 地区, the template's sample row, a blank bordered row and a stale
    /// 合计; the first sheet is notes only.
    #[test]
    fn second_sheet_reordered_columns_unit_row_hidden_row_merges() {
        let mut wb = Workbook::new();
        let notes = wb.add_worksheet();
        notes.set_name("说明").unwrap();
        notes
            .write_string(0, 0, "本工作簿第二页为销售情况表")
            .unwrap();
        let ws = wb.add_worksheet();
        ws.set_name("九月").unwrap();
        ws.write_string(0, 0, "附件2").unwrap();
        ws.merge_range(1, 0, 1, 8, "泥溪镇贫困户产品销售情况表", &Format::new())
            .unwrap();
        ws.merge_range(2, 0, 2, 8, INFO, &Format::new()).unwrap();
        let header = [
            "序号",
            "贫困户姓名",
            "地区",
            "产品品种",
            "销售金额",
            "销售数量",
            "销售时间",
            "采购单位",
            "备注",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(3, c as u16, *h).unwrap();
        }
        // Unit row: 万元 under 销售金额, 公斤 under 销售数量.
        ws.write_string(4, 4, "万元").unwrap();
        ws.write_string(4, 5, "（公斤）").unwrap();
        let rows: [(&str, f64, f64, &str); 4] = [
            ("刘光富", 0.0215, 30.0, "2019.9.1"),
            ("陈秀英", 0.009, 50.0, "2019.9.2"),
            ("王德明", 0.08, 10.0, "2019.9.3"),
            ("张桂兰", 0.036, 150.0, "2019.9.4"),
        ];
        for (i, (name, wan, kg, date)) in rows.iter().enumerate() {
            let r = 5 + i as u32;
            ws.write_number(r, 0, (i + 1) as f64).unwrap();
            ws.write_string(r, 1, *name).unwrap();
            ws.write_string(r, 3, "土豆").unwrap();
            ws.write_number(r, 4, *wan).unwrap();
            ws.write_number(r, 5, *kg).unwrap();
            ws.write_string(r, 6, *date).unwrap();
            ws.write_string(r, 7, "云阳县青松中学").unwrap();
        }
        // 地区 merged down over the four data rows.
        ws.merge_range(5, 2, 8, 2, "云阳县泥溪镇三坪村", &Format::new())
            .unwrap();
        // A unit written in the cell wins over the header's.
        ws.write_string(8, 5, "300斤").unwrap();
        ws.set_row_hidden(6).unwrap();
        // Blank bordered row, then the template's sample row, then a stale 合计.
        let border = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
        for c in 0..9 {
            ws.write_blank(9, c, &border).unwrap();
        }
        let sample = [
            "1",
            "王某某",
            "云阳县xx乡镇xx村",
            "土豆",
            "90元",
            "30斤",
            "2019.9.1",
            "云阳县商务委",
            "",
        ];
        for (c, v) in sample.iter().enumerate() {
            ws.write_string(10, c as u16, *v).unwrap();
        }
        ws.write_string(11, 0, "合计").unwrap();
        ws.write_number(11, 4, 0.1).unwrap();
        ws.write_string(13, 0, "1.如销售方为合作社，请在备注栏填写涉及贫困户户数。")
            .unwrap();
        let bytes = wb.save_to_buffer().unwrap();

        let p = parse("crafted.xlsx", &bytes);
        assert_eq!(p.sheets.len(), 1);
        let sheet = &p.sheets[0];
        assert_eq!(sheet.name, "九月");
        assert_eq!(sheet.kind, FormKind::Sale);
        assert_eq!(sheet.header.unit.as_deref(), Some("泥溪镇人民政府"));
        let s = sales(&p);
        assert_eq!(s.len(), 4, "{:?}", p.errors().collect::<Vec<_>>());
        assert_eq!(
            s[0].1.amount.to_string(),
            "215.00",
            "0.0215万元 → 215.00, not 214.99"
        );
        assert_eq!(s[1].1.amount.to_string(), "90.00");
        assert_eq!(s[0].1.quantity.unit.as_deref(), Some("公斤"));
        assert_eq!(s[0].1.quantity.in_jin().map(dec), Some("60".into()));
        assert_eq!(
            s[3].1.quantity.unit.as_deref(),
            Some("斤"),
            "unit in the cell wins"
        );
        assert!(
            s.iter().all(|(_, r)| r.village == "三坪村"),
            "merged 地区 filled down"
        );
        // Hidden row 7 is imported and flagged.
        let hidden: Vec<_> = p.rows().filter(|r| r.row == 7).collect();
        assert_eq!(hidden.len(), 1);
        assert!(
            hidden[0]
                .content
                .warnings()
                .iter()
                .any(|w| w == HIDDEN_ROW_WARNING)
        );
        assert!(
            hidden[0]
                .warnings
                .iter()
                .any(|i| i.message == HIDDEN_ROW_WARNING && i.sheet == "九月")
        );
        assert!(
            p.rows().filter(|r| r.row != 7).all(|r| !r
                .content
                .warnings()
                .iter()
                .any(|w| w == HIDDEN_ROW_WARNING))
        );
        // Sample row is reported, not imported.
        assert_eq!(sheet.rejected_rows(), vec![11]);
        // 合计 0.1万元 = 1000.00 ≠ 215+90+800+360 = 1465.00.
        assert_eq!(
            sheet.stated_total.map(|m| m.to_string()).as_deref(),
            Some("1000.00")
        );
        assert_eq!(
            p.file_warnings,
            vec![
                "合计(1000.00)与明细之和(1465.00)不符".to_string(),
                "工作表“说明”中没有找到可识别的表头，未导入".to_string()
            ]
        );
    }

    /// Two recognised sheets, each with its own 填报单位/填报时间; the later date bounds only its
    /// own sheet.
    #[test]
    fn every_recognised_sheet_is_imported_with_its_own_info_line() {
        let mut wb = Workbook::new();
        for (sheet, unit, date, row_date) in [
            ("泥溪", "泥溪镇人民政府", "2019年9月30日", "2019.10.2"),
            ("红狮", "红狮镇人民政府", "2019年10月10日", "10月2日"),
        ] {
            let ws = wb.add_worksheet();
            ws.set_name(sheet).unwrap();
            ws.write_string(0, 0, format!("填报单位：{unit}　　填报时间：{date}"))
                .unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            write_potato_sale(ws, 2, row_date, &format!("云阳县{}镇三坪村", sheet));
        }
        let p = parse("two.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(p.sheets.len(), 2);
        assert_eq!(p.sheets[0].header.unit.as_deref(), Some("泥溪镇人民政府"));
        assert_eq!(p.sheets[1].header.unit.as_deref(), Some("红狮镇人民政府"));
        // 2019.10.2 is after 泥溪's 填报时间 2019-09-30: a row error on that sheet only.
        assert_eq!(p.sheets[0].rows.len(), 0);
        assert_eq!(p.sheets[0].rejected_rows(), vec![3]);
        assert_eq!(p.sheets[1].rows.len(), 1);
        let RowContent::Sale(s) = &p.sheets[1].rows[0].content else {
            panic!()
        };
        assert_eq!(
            s.date.date.to_string(),
            "2019-10-02",
            "year of 10月2日 from 填报时间"
        );
        assert_eq!(p.sheets[1].rows[0].sheet, "红狮");
    }

    /// A township's own form often gives only the village in 地区: the township comes from
    /// 填报单位, with a warning, and is stored and printed in full. A misspelt township, a
    /// district or a form from a department still name no township. A fourth-quarter form filed
    /// in January: `12月28日` is last year's, with a warning; `1月9日`, days after 填报时间, is
    /// refused.
    #[test]
    fn village_only_regions_take_the_township_of_the_unit() {
        let sheet = |unit: &str, rows: &[(&str, &str)]| -> ParsedFile {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, format!("填报单位：{unit}　　填报时间：2020年1月5日"))
                .unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            for (r, (date, region)) in rows.iter().enumerate() {
                write_potato_sale(ws, r as u32 + 2, date, region);
            }
            parse("village.xlsx", &wb.save_to_buffer().unwrap())
        };
        let p = sheet(
            "农坝镇人民政府",
            &[
                ("12月28日", "大河村"),
                ("2019年12月29日", " 大河村 "),
                ("2019年12月30日", "滨江社区"),
                ("2019年12月30日", "泥西镇三坪村"),
                ("2019年12月30日", "渝北区大河村"),
                ("1月9日", "农坝镇大河村"),
            ],
        );
        let stored: Vec<(u32, String, String, String, String)> = sales(&p)
            .into_iter()
            .map(|(row, s)| {
                (
                    row,
                    s.region_text.clone(),
                    s.village.clone(),
                    s.date.date.to_string(),
                    s.warnings.join("|"),
                )
            })
            .collect();
        let warning = "地区“大河村”未写乡镇，按填报单位记为“农坝镇大河村”";
        assert_eq!(
            stored,
            [
                (
                    3,
                    "农坝镇大河村".to_string(),
                    "大河村".to_string(),
                    "2019-12-28".to_string(),
                    format!(
                        "日期“12月28日”没有年份，按填报时间（2020-01-05）推定为2019年，请核实|{warning}"
                    )
                ),
                (
                    4,
                    "农坝镇大河村".to_string(),
                    "大河村".to_string(),
                    "2019-12-29".to_string(),
                    warning.to_string()
                ),
                (
                    5,
                    "农坝镇滨江社区".to_string(),
                    "滨江社区".to_string(),
                    "2019-12-30".to_string(),
                    "地区“滨江社区”未写乡镇，按填报单位记为“农坝镇滨江社区”".to_string()
                ),
            ]
        );
        assert!(
            sales(&p)
                .iter()
                .all(|(_, s)| s.township_code == "500235116"),
            "农坝镇"
        );
        let errors: Vec<(u32, &str, &str)> = p.sheets[0]
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].0 == 6 && errors[0].2.contains("泥溪镇"),
            "{errors:?}"
        );
        assert!(
            errors[1].0 == 7 && errors[1].2.contains("无法识别地区"),
            "{errors:?}"
        );
        assert!(
            errors[2].0 == 8 && errors[2].2.contains("晚于填报时间"),
            "{errors:?}"
        );

        // A department's form, or a unit naming two townships: no township to take.
        for unit in ["云阳县教育委员会", "农坝镇人民政府、泥溪镇人民政府"] {
            let p = sheet(unit, &[("2019年12月28日", "大河村")]);
            assert_eq!(sales(&p).len(), 0, "{unit}");
            assert_eq!(
                p.sheets[0].errors[0].message,
                "地区“大河村”只写了村（社区），没有写乡镇：请写成“泥溪镇三坪村”这样",
                "{unit}"
            );
        }

        // Only a village name alone is completed (a testers' list): after 云阳县, with a group
        // number. Placeholders, other places and longer names stay row errors.
        let completed = [
            "云阳县大河村",
            "重庆市云阳县 大河村",
            "大河村3组",
            "黄柏社区二组",
        ];
        let refused = [
            "同上",
            "〃",
            "无",
            "0",
            "123",
            "/",
            "-",
            "万州大河村",
            "四川省大河村",
            "泥西大河村",
            "湖北省大河村",
            "大河",
            "村",
        ];
        let rows: Vec<(&str, &str)> = completed
            .iter()
            .chain(&refused)
            .map(|region| ("2019年12月28日", *region))
            .collect();
        let p = sheet("农坝镇人民政府", &rows);
        let villages: Vec<String> = sales(&p)
            .iter()
            .map(|(_, s)| s.region_text.clone())
            .collect();
        assert_eq!(
            villages,
            [
                "农坝镇大河村",
                "农坝镇大河村",
                "农坝镇大河村3组",
                "农坝镇黄柏社区二组"
            ]
        );
        assert_eq!(p.sheets[0].errors.len(), refused.len());

        // A village named like another township (`双龙村`) on a township's form is the form's
        // township's (its form lists its households), with a warning; on 双龙镇's own form, no
        // warning. `双龙镇双龙村` names its township.
        let p = sheet("农坝镇人民政府", &[("2019年12月28日", "双龙村")]);
        let (_, sale) = sales(&p)[0];
        assert_eq!(
            (sale.region_text.as_str(), sale.village.as_str()),
            ("农坝镇双龙村", "双龙村")
        );
        assert_eq!(
            sale.warnings,
            [
                "地区“双龙村”未写乡镇，按填报单位记为“农坝镇双龙村”（双龙镇也可能有同名的村，请核实）"
            ]
        );
        let p = sheet("农坝镇人民政府", &[("2019年12月28日", "双龙镇双龙村")]);
        assert_eq!(sales(&p)[0].1.township_code, "500235138");
        // A row of 农坝镇's form that names another township stays there as written, never
        // without a word: with the township's level, or by its short name before a village. A
        // short name before one character (`双龙组`: a place called 双龙组) is, like `双龙村`,
        // 农坝镇's place of that name on 农坝镇's form, warned; on a form of no township, that
        // township's place, warned so.
        for (region, code, warning) in [
            (
                "泥溪镇三坪村",
                "500235139",
                "地区“泥溪镇三坪村”在泥溪镇，不是填报单位农坝镇：已按地区记入泥溪镇，请核实",
            ),
            (
                "双龙镇双龙村",
                "500235138",
                "地区“双龙镇双龙村”在双龙镇，不是填报单位农坝镇：已按地区记入双龙镇，请核实",
            ),
            (
                "泥溪三坪村",
                "500235139",
                "地区“泥溪三坪村”在泥溪镇，不是填报单位农坝镇：已按地区记入泥溪镇，请核实",
            ),
            (
                "（泥溪镇）三坪村",
                "500235139",
                "地区“（泥溪镇）三坪村”在泥溪镇，不是填报单位农坝镇：已按地区记入泥溪镇，请核实",
            ),
            (
                "三坪村（泥溪镇）",
                "500235139",
                "地区“三坪村（泥溪镇）”在泥溪镇，不是填报单位农坝镇：已按地区记入泥溪镇，请核实",
            ),
            (
                "泥溪村（泥溪镇）",
                "500235139",
                "地区“泥溪村（泥溪镇）”在泥溪镇，不是填报单位农坝镇：已按地区记入泥溪镇，请核实",
            ),
            (
                "双龙二组",
                "500235138",
                "地区“双龙二组”在双龙镇，不是填报单位农坝镇：已按地区记入双龙镇，请核实",
            ),
            (
                "双龙组",
                "500235138",
                "地区“双龙组”按双龙镇的“双龙组”记；如果不是双龙镇的地方，请写明乡镇和村",
            ),
            (
                "平安湾",
                "500235133",
                "地区“平安湾”按平安镇的“平安湾”记；如果不是平安镇的地方，请写明乡镇和村",
            ),
        ] {
            let p = sheet("农坝镇人民政府", &[("2019年12月28日", region)]);
            let (_, sale) = sales(&p)[0];
            if warning.contains("填报单位") {
                assert_eq!(
                    (sale.region_text.as_str(), sale.township_code.as_str()),
                    (region, code)
                );
                // `双龙二组` names no village either: warned besides.
                let group_only = sale
                    .warnings
                    .iter()
                    .filter(|w| w.starts_with("地区只写到组"))
                    .count();
                assert_eq!(group_only, usize::from(region == "双龙二组"), "{region}");
                let others: Vec<&String> = sale
                    .warnings
                    .iter()
                    .filter(|w| !w.starts_with("地区只写到组"))
                    .collect();
                assert_eq!(others, [warning], "{region}");
            } else {
                let completed = format!("农坝镇{region}");
                assert_eq!(
                    (sale.region_text.as_str(), sale.village.as_str()),
                    (completed.as_str(), region)
                );
                let named = if region == "双龙组" {
                    "双龙镇"
                } else {
                    "平安镇"
                };
                let mut expected = vec![format!(
                    "地区“{region}”未写乡镇，按填报单位记为“{completed}”（{named}也可能有同名的地方，请核实）"
                )];
                // 农坝镇's group 双龙, with no village between them.
                if region == "双龙组" {
                    expected.insert(0, "地区只写到组（双龙组），缺少村(社区)".to_string());
                }
                assert_eq!(sale.warnings, expected);
            }
            // Without a township of its own the form says nothing of the 填报单位.
            let p = sheet("云阳县商务委员会", &[("2019年12月28日", region)]);
            let (_, sale) = sales(&p)[0];
            if region == "双龙二组" {
                // 双龙镇's group 二组, with no village between them.
                assert_eq!(sale.warnings, ["地区只写到组（二组），缺少村(社区)"]);
            } else if warning.contains("填报单位") {
                assert!(sale.warnings.is_empty(), "{region}: {:?}", sale.warnings);
            } else {
                assert_eq!(sale.warnings, [warning], "{region}");
                assert_eq!(sale.village, region, "{region}");
            }
        }
        // A township written in full, then a place named by another township's short name
        // before no village, is a place of the township written; before a village, two townships.
        for (unit, region, code, village) in [
            ("农坝镇人民政府", "农坝镇双龙组", "500235116", "双龙组"),
            ("农坝镇人民政府", "农坝镇平安湾", "500235116", "平安湾"),
            (
                "云阳县商务委员会",
                "泥溪镇双龙二组",
                "500235139",
                "双龙二组",
            ),
        ] {
            let p = sheet(unit, &[("2019年12月28日", region)]);
            let (_, sale) = sales(&p)[0];
            assert_eq!(
                (sale.township_code.as_str(), sale.village.as_str()),
                (code, village),
                "{region}"
            );
            // `双龙组` is a group of 农坝镇 with no village written.
            let expected: &[&str] = if village == "双龙组" {
                &["地区只写到组（双龙组），缺少村(社区)"]
            } else {
                &[]
            };
            assert_eq!(sale.warnings, expected, "{region}");
        }
        // A village, then a group called by a name (`双龙组`) on a township's form.
        let p = sheet("农坝镇人民政府", &[("2019年12月28日", "三坪村双龙组")]);
        let (_, sale) = sales(&p)[0];
        assert_eq!(
            (sale.region_text.as_str(), sale.village.as_str()),
            ("农坝镇三坪村双龙组", "三坪村双龙组")
        );
        assert_eq!(
            sale.warnings,
            ["地区“三坪村双龙组”未写乡镇，按填报单位记为“农坝镇三坪村双龙组”"]
        );
        let p = sheet(
            "云阳县商务委员会",
            &[("2019年12月28日", "泥溪镇平安新华村")],
        );
        assert!(p.sheets[0].errors[0].message.contains("两个不同的乡镇"));
        let p = sheet("双龙镇人民政府", &[("2019年12月28日", "双龙村")]);
        assert!(sales(&p)[0].1.warnings.is_empty());
        // No 填报单位 at all: the one township its title names is the form's township.
        for (title, completed) in [
            ("农坝镇贫困户产品销售情况表", Some("农坝镇大河村")),
            ("2019年泥溪镇贫困户产品销售情况表", Some("泥溪镇大河村")),
            (
                "云阳县农坝镇2019年第三季度消费扶贫销售台账",
                Some("农坝镇大河村"),
            ),
            ("乡镇(街道)贫困户产品销售情况表", None),
        ] {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "附件2").unwrap();
            ws.write_string(1, 0, title).unwrap();
            ws.write_string(2, 0, "填报时间：2020年1月5日").unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(3, c as u16, *h).unwrap();
            }
            write_potato_sale(ws, 4, "2019年12月28日", "大河村");
            let p = parse("title.xlsx", &wb.save_to_buffer().unwrap());
            let stored: Vec<(&str, &[String])> = sales(&p)
                .iter()
                .map(|(_, s)| (s.region_text.as_str(), s.warnings.as_slice()))
                .collect();
            match completed {
                Some(region) => assert_eq!(
                    stored,
                    [(
                        region,
                        &[format!("地区“大河村”未写乡镇，按表格标题记为“{region}”")][..]
                    )],
                    "{title}"
                ),
                None => assert!(stored.is_empty(), "{title}"),
            }
        }
        // A 填报单位 that names one township among other words.
        let p = sheet("中共云阳县泥溪镇委员会", &[("2019年12月28日", "三坪村")]);
        assert_eq!(sales(&p)[0].1.region_text, "泥溪镇三坪村");
        // A 附件3 filed by a township government lists its sellers, who may live anywhere: no
        // township is taken from its 填报单位.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：农坝镇人民政府　　填报时间：2020年1月5日")
            .unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, h.replace("销售", "采购"))
                .unwrap();
        }
        write_potato_sale(ws, 2, "2019年12月28日", "大河村");
        let p = parse("fj3.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(p.sheets[0].kind, FormKind::Procurement);
        assert_eq!(sales(&p).len(), 0);
        assert!(p.sheets[0].errors[0].message.contains("只写了村"));
        // Also 云阳村, whose 云阳 is the county's name too.
        let p = sheet("农坝镇人民政府", &[("2019年12月28日", "云阳村")]);
        let (_, sale) = sales(&p)[0];
        assert_eq!(sale.region_text, "农坝镇云阳村");
        assert_eq!(
            sale.warnings,
            [
                "地区“云阳村”未写乡镇，按填报单位记为“农坝镇云阳村”（云阳镇也可能有同名的村，请核实）"
            ]
        );
    }

    /// A clerk types `1.10` or `12.30` into a General cell: Excel keeps the numbers 1.1 and 12.3.
    /// Such a number could be the 1st or the 10th (the 3rd or the 30th): imported with a warning
    /// (rule 7), never silently resolved; `12.4` (no 40th) and `2.3` (no 30th of February) are not
    /// ambiguous.
    #[test]
    fn month_day_numbers_that_lost_a_trailing_zero_are_flagged() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, INFO).unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for (r, number) in [1.1, 9.3, 9.4, 2.3].iter().enumerate() {
            let r = r as u32 + 2;
            write_potato_sale(ws, r, "", "泥溪镇三坪村");
            ws.write_number(r, 2, *number).unwrap();
        }
        let p = parse("numbers.xlsx", &wb.save_to_buffer().unwrap());
        let dates: Vec<(String, bool)> = sales(&p)
            .into_iter()
            .map(|(_, s)| {
                (
                    s.date.date.to_string(),
                    s.warnings.iter().any(|w| w.contains("数字末尾的0不保存")),
                )
            })
            .collect();
        assert_eq!(
            dates,
            [
                ("2019-01-01".to_string(), true),
                ("2019-09-03".to_string(), true),
                ("2019-09-04".to_string(), false),
                ("2019-02-03".to_string(), false),
            ]
        );
        let warning = &sales(&p)[0].1.warnings;
        assert!(
            warning.contains(
                &"日期“1.1”是数字，可能是1月1日，也可能是1月10日（数字末尾的0不保存），请核实"
                    .to_string()
            ),
            "{warning:?}"
        );

        // The same workbook saved as CSV carries the text Excel showed: `1.1`, `9.3`.
        let mut csv = format!("{INFO}\r\n{}\r\n", HEADER2.join(","));
        for date in ["1.1", "9.3", "9.4", "2.3", "9.30"] {
            csv.push_str(&format!(
                "1,云阳县青松中学,{date},泥溪镇三坪村,刘光富,土豆,30斤,90元,\r\n"
            ));
        }
        let p = parse("numbers.csv", csv.as_bytes());
        let flagged: Vec<bool> = sales(&p)
            .iter()
            .map(|(_, s)| s.warnings.iter().any(|w| w.contains("数字末尾的0不保存")))
            .collect();
        assert_eq!(flagged, [true, true, false, false, false]);
    }

    /// A form sent back with its header and no data row (a CSV or a workbook) imports nothing
    /// and says so in a file warning.
    #[test]
    fn a_form_with_only_its_header_says_nothing_was_imported() {
        let csv = format!("{INFO}\r\n{}\r\n", HEADER2.join(","));
        let workbook = nixi_form("2019年9月30日", &HEADER2.join("|"), &[]);
        for p in [
            parse("empty.csv", csv.as_bytes()),
            parse("empty.xlsx", &workbook),
        ] {
            assert_eq!(p.rows().count(), 0);
            assert_eq!(
                p.file_warnings,
                ["表格中只有表头，没有数据行，没有导入任何记录"]
            );
        }
        let p = parse(
            "one.xlsx",
            &nixi_form(
                "2019年9月30日",
                &HEADER2.join("|"),
                &["1|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|90元|"],
            ),
        );
        assert!(p.file_warnings.is_empty(), "{:?}", p.file_warnings);
    }

    /// Built-in date formats with no numFmt entry (14, 22, 31, 57, 58) are dates; number formats 4
    /// and 43 are not; a General serial and a yyyymmdd number are read as dates too. A phone stored
    /// as a number keeps its digits.
    #[test]
    fn date_cells_builtin_formats_serials_and_numeric_phone() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_number(0, 0, 17700001234.0).unwrap();
        ws.write_string(0, 1, "填报单位：泥溪镇人民政府 填报时间：")
            .unwrap();
        ws.write_datetime_with_format(
            0,
            2,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 9, 30).unwrap(),
            &Format::new().set_num_format_index(14),
        )
        .unwrap();
        ws.write_string(0, 3, "联系方式：").unwrap();
        ws.write_number(0, 4, 17700001234.0).unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        // 43709 = 2019-09-01; 43709.75 with a time of day.
        let cases: [(f64, Option<u8>, &str); 7] = [
            (43709.0, Some(14), "2019-09-01"),
            (43710.75, Some(22), "2019-09-02"),
            (43711.0, Some(31), "2019-09-03"),
            (43712.0, Some(57), "2019-09-04"),
            (43713.0, Some(58), "2019-09-05"),
            (43714.0, None, "2019-09-06"),
            (20190907.0, None, "2019-09-07"),
        ];
        for (i, (value, fmt, _)) in cases.iter().enumerate() {
            let r = 2 + i as u32;
            let vals = [
                "",
                "云阳县青松中学",
                "",
                "云阳县泥溪镇三坪村",
                "刘光富",
                "土豆",
                "30斤",
                "",
                "",
            ];
            for (c, v) in vals.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r, c as u16, *v).unwrap();
                }
            }
            match fmt {
                Some(id) => ws
                    .write_number_with_format(
                        r,
                        2,
                        *value,
                        &Format::new().set_num_format_index(*id),
                    )
                    .unwrap(),
                None => ws.write_number(r, 2, *value).unwrap(),
            };
            // Amounts under number formats 4 and 43 stay numbers.
            let amount_fmt = Format::new().set_num_format_index(if i % 2 == 0 { 4 } else { 43 });
            ws.write_number_with_format(r, 7, 43709.0, &amount_fmt)
                .unwrap();
        }
        let p = parse("dates.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(
            p.sheets[0].header.date.map(|d| d.to_string()).as_deref(),
            Some("2019-09-30")
        );
        assert_eq!(p.sheets[0].header.phone.as_deref(), Some("17700001234"));
        let s = sales(&p);
        assert_eq!(s.len(), cases.len(), "{:?}", p.errors().collect::<Vec<_>>());
        for ((_, rec), (_, _, want)) in s.iter().zip(cases.iter()) {
            assert_eq!(rec.date.date.to_string(), *want);
            assert_eq!(
                rec.amount.to_string(),
                "43709.00",
                "number formats never make a date"
            );
        }
    }

    /// 附件1 with a HYPERLINK formula whose cached value is the shop name, a numeric phone and
    /// the exporter's hidden 记录编号 column with its 提交编号.
    #[test]
    fn catalogue_hyperlink_formula_record_ids_and_submission_id() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "附件1").unwrap();
        ws.write_string(0, 10, "提交编号:S-2019-0042").unwrap();
        ws.write_string(1, 0, "填写单位:泥溪镇人民政府  填写人:李某某  联系电话:138-0000-2100  填写日期:2019年8月20日").unwrap();
        let header = [
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
            "记录编号",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        ws.set_column_hidden(10).unwrap();
        let vals = [
            "1",
            "云阳县泥溪镇黎明村",
            "王德明",
            "腊肉",
            "300斤",
            "40元/斤",
            "电商",
        ];
        for (c, v) in vals.iter().enumerate() {
            ws.write_string(3, c as u16, *v).unwrap();
        }
        ws.write_formula(
            3,
            7,
            Formula::new(
                r#"=HYPERLINK("https://shop.example.invalid/nixi/lr01","王德明的腊肉店")"#,
            )
            .set_result("王德明的腊肉店"),
        )
        .unwrap();
        ws.write_number(3, 8, 13800002303.0).unwrap();
        ws.write_number(3, 10, 987.0).unwrap();
        let p = parse("cat.xlsx", &wb.save_to_buffer().unwrap());
        let sheet = &p.sheets[0];
        assert_eq!(sheet.kind, FormKind::Catalogue);
        assert_eq!(sheet.submission_id.as_deref(), Some("S-2019-0042"));
        assert_eq!(
            sheet.header.date.map(|d| d.to_string()).as_deref(),
            Some("2019-08-20")
        );
        assert_eq!(sheet.rows.len(), 1, "{:?}", sheet.errors);
        assert_eq!(sheet.rows[0].record_id, Some(987));
        let RowContent::Listing(l) = &sheet.rows[0].content else {
            panic!()
        };
        assert_eq!(l.shop_url, "https://shop.example.invalid/nixi/lr01");
        assert_eq!(l.contact, "13800002303");
    }

    /// Writes 附件2 rows from row 4 (columns of [`HEADER2`]): (household, quantity, its number
    /// format, amount, its number format); 土豆 sold to 云阳县青松中学 on 2019.9.1 in 泥溪镇三坪村.
    fn write_formatted_sales(
        ws: &mut rust_xlsxwriter::Worksheet,
        rows: &[(&str, f64, &str, f64, &str)],
    ) {
        for (i, (name, quantity, quantity_format, amount, amount_format)) in rows.iter().enumerate()
        {
            let r = 3 + i as u32;
            ws.write_number(r, 0, (i + 1) as f64).unwrap();
            ws.write_string(r, 1, "云阳县青松中学").unwrap();
            ws.write_string(r, 2, "2019.9.1").unwrap();
            ws.write_string(r, 3, "云阳县泥溪镇三坪村").unwrap();
            ws.write_string(r, 4, *name).unwrap();
            ws.write_string(r, 5, "土豆").unwrap();
            let quantity_format = Format::new().set_num_format(*quantity_format);
            ws.write_number_with_format(r, 6, *quantity, &quantity_format)
                .unwrap();
            let amount_format = Format::new().set_num_format(*amount_format);
            ws.write_number_with_format(r, 7, *amount, &amount_format)
                .unwrap();
        }
    }

    /// A clerk who formats the number cells instead of typing the unit: `30` shown `30斤` by
    /// `0"斤"`, `0.0075` shown `0.0075万元`, `90` shown `90.00元`. The unit the cell shows is the
    /// unit read, as if typed; a format without one (`#,##0.00`) leaves the header's unit.
    #[test]
    fn units_shown_by_number_formats_are_read_as_typed() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "附件2").unwrap();
        ws.write_string(1, 0, INFO).unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        // (household, quantity, its format, amount, its format)
        let rows = [
            ("刘光富", 30.0, r#"0"斤""#, 90.0, r#"#,##0.00"元""#),
            ("陈秀英", 12.5, r#"0.0"公斤""#, 0.0075, r#"0.0000"万元""#),
            ("王德明", 2.0, r#"G/通用格式"吨""#, 1234.5, "#,##0.00"),
            ("张桂兰", 40.0, r#"0"只""#, 0.12345, r#"0.00000"万元""#),
        ];
        write_formatted_sales(ws, &rows);
        let p = parse("units.xlsx", &wb.save_to_buffer().unwrap());
        let s = sales(&p);
        assert_eq!(s.len(), 4, "{:?}", p.errors().collect::<Vec<_>>());
        let read: Vec<(String, Option<String>, String, String)> = s
            .iter()
            .map(|(_, r)| {
                (
                    r.quantity_text.clone(),
                    r.quantity.in_jin().map(dec),
                    r.amount.to_string(),
                    r.amount_text.clone(),
                )
            })
            .collect();
        let expected = [
            ("30斤", Some("30"), "90.00", "90元"),
            ("12.5公斤", Some("25"), "75.00", "0.0075万元"),
            ("2吨", Some("4000"), "1234.50", "1234.5"),
            ("40只", None, "1234.50", "0.12345万元"),
        ];
        for ((quantity, jin, amount, amount_text), got) in expected.iter().zip(&read) {
            assert_eq!(got.0, *quantity);
            assert_eq!(got.1.as_deref(), *jin, "{quantity}");
            assert_eq!(got.2, *amount, "{quantity}");
            assert_eq!(got.3, *amount_text, "{quantity}");
        }
        for (_, record) in &s {
            assert!(
                record.warnings.iter().all(|w| !w.contains("单位")),
                "{:?}",
                record.warnings
            );
        }

        // The same in an .xls written by xlwt: FORMAT and XF records, NUMBER and RK cells.
        let p = variant("v90_number_format_units_xlwt.xls");
        let read: Vec<(String, String, String)> = sales(&p)
            .iter()
            .map(|(_, r)| {
                (
                    r.quantity_text.clone(),
                    r.quantity.in_jin().map(dec).unwrap_or_default(),
                    r.amount.to_string(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("30斤".into(), "30".into(), "90.00".into()),
                ("12.5公斤".into(), "25".into(), "75.00".into()),
                ("20斤".into(), "20".into(), "1234.50".into()),
            ]
        );
    }

    /// Several villages in one 地区, listed as clerks list them: with the township written again
    /// (`泥溪镇三坪村、泥溪镇黎明村`), with a slash or 和; all imported into 泥溪镇 with the
    /// several-villages warning. Villages of two townships are refused naming both; a village
    /// and a group named like a village (`三坪村，新村组`) or with another township's short name
    /// (`三坪村，平安组`), or with a remark in brackets, on the township's own form is one
    /// village, completed with the township and not warned as several; so is a village named
    /// like another township (`双龙村`).
    #[test]
    fn villages_listed_in_one_region_cell() {
        let csv = "附件2\n填报单位：泥溪镇人民政府　　填报时间：2019年9月30日\n\
            序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
            1,云阳县青松中学,2019.9.1,泥溪镇三坪村、泥溪镇黎明村,刘光富,红薯,30斤,90元,\n\
            2,云阳县青松中学,2019.9.1,云阳县泥溪镇三坪村、云阳县农坝镇双龙村,刘光富,玉米,30斤,90元,\n\
            3,云阳县青松中学,2019.9.1,泥溪镇三坪村/黎明村,刘光富,大米,30斤,90元,\n\
            4,云阳县青松中学,2019.9.1,三坪村，新村组,刘光富,白菜,30斤,90元,\n\
            5,云阳县青松中学,2019.9.1,泥溪镇三坪村和黎明村,刘光富,萝卜,30斤,90元,\n\
            6,云阳县青松中学,2019.9.1,农坝镇双龙村、泥溪镇三坪村,刘光富,南瓜,30斤,90元,\n\
            7,云阳县青松中学,2019.9.1,三坪村 黎明村,刘光富,冬瓜,30斤,90元,\n\
            8,云阳县青松中学,2019.9.1,三坪村/黎明村,刘光富,丝瓜,30斤,90元,\n\
            9,云阳县青松中学,2019.9.1,泥溪镇三坪村 黎明村,刘光富,苦瓜,30斤,90元,\n\
            10,云阳县青松中学,2019.9.1,泥溪镇黎明村和平安组,刘光富,黄瓜,30斤,90元,\n\
            11,云阳县青松中学,2019.9.1,三坪村（原黎明村、红岩村合并）,刘光富,茄子,30斤,90元,\n\
            12,云阳县青松中学,2019.9.1,三坪村、农坝镇双龙村,刘光富,辣椒,30斤,90元,\n\
            13,云阳县青松中学,2019.9.1,三坪村，平安组,刘光富,豇豆,30斤,90元,\n\
            14,云阳县青松中学,2019.9.1,双龙村,刘光富,蒜苗,30斤,90元,\n\
            15,云阳县青松中学,2019.9.1,泥溪镇三坪村（含黎明村）,刘光富,香菜,30斤,90元,\n\
            16,云阳县青松中学,2019.9.1,泥溪镇三坪村（重复,刘光富,芹菜,30斤,90元,\n";
        let p = parse("villages.csv", csv.as_bytes());
        let several = |row: u32| {
            p.rows().find(|r| r.row == row).map(|r| {
                r.warnings
                    .iter()
                    .any(|w| w.message.contains("写了不止一个村"))
            })
        };
        let villages: Vec<(u32, String, String)> = sales(&p)
            .iter()
            .map(|(row, s)| (*row, s.township_code.clone(), s.village.clone()))
            .collect();
        let nixi = "500235139".to_string();
        assert_eq!(
            villages,
            [
                (4, nixi.clone(), "三坪村、黎明村".to_string()),
                (6, nixi.clone(), "三坪村/黎明村".to_string()),
                (7, nixi.clone(), "三坪村,新村组".to_string()),
                (8, nixi.clone(), "三坪村和黎明村".to_string()),
                (10, nixi.clone(), "三坪村、黎明村".to_string()),
                (11, nixi.clone(), "三坪村/黎明村".to_string()),
                (12, nixi.clone(), "三坪村黎明村".to_string()),
                (13, nixi.clone(), "黎明村和平安组".to_string()),
                (14, nixi.clone(), "三坪村(原黎明村、红岩村合并)".to_string()),
                (16, nixi.clone(), "三坪村,平安组".to_string()),
                (17, nixi.clone(), "双龙村".to_string()),
                (18, nixi.clone(), "三坪村(含黎明村)".to_string()),
            ]
        );
        for (row, warned) in [
            (4, true),
            (6, true),
            (7, false),
            (8, true),
            (10, true),
            (11, true),
            (12, true),
            (13, false),
            (14, false),
            (16, false),
            (17, false),
            (18, true),
        ] {
            assert_eq!(several(row), Some(warned), "row {row}");
        }
        let errors: Vec<(u32, &str, &str)> = p
            .errors()
            .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert_eq!((errors[0].0, errors[0].1), (5, "地区"));
        assert!(
            errors[0].2.contains("写了两个不同的乡镇（泥溪镇、农坝镇）"),
            "{}",
            errors[0].2
        );
        assert_eq!((errors[1].0, errors[1].1), (9, "地区"));
        assert!(
            errors[1].2.contains("写了两个不同的乡镇（农坝镇、泥溪镇）"),
            "{}",
            errors[1].2
        );
        // A village, then a place of another township, on 泥溪镇's form: both named.
        assert_eq!((errors[2].0, errors[2].1), (15, "地区"));
        assert!(
            errors[2].2.contains("写了两个不同的乡镇（泥溪镇、农坝镇）"),
            "{}",
            errors[2].2
        );
        // An unclosed bracket is named as the fault (not a township resembling the rest).
        assert_eq!((errors[3].0, errors[3].1), (19, "地区"));
        assert_eq!(
            errors[3].2,
            "地区“泥溪镇三坪村（重复”中的括号不成对（缺少左括号或右括号），请改正后再导入"
        );
    }

    /// `填表时间` (and `填表日期`) in the info line is the form's 填报时间: a date with month and
    /// day only takes its year, and a later date is refused.
    #[test]
    fn fill_in_time_worded_tianbiao() {
        let csv = "附件2\n填报单位：桑坪镇人民政府 填表时间：2019年8月20日\n\
            序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
            1,云阳县青松中学,8月8日,桑坪镇桑坪村,刘光富,红薯,30斤,90元,\n\
            2,云阳县青松中学,8月30日,桑坪镇桑坪村,刘光富,玉米,30斤,90元,\n";
        let p = parse("tianbiao.csv", csv.as_bytes());
        let dates: Vec<(u32, String)> = sales(&p)
            .iter()
            .map(|(row, s)| (*row, s.date.date.to_string()))
            .collect();
        assert_eq!(dates, [(4, "2019-08-08".to_string())]);
        let errors: Vec<(u32, String)> = p.errors().map(|e| (e.row, e.message.clone())).collect();
        assert_eq!(
            errors,
            [(5, "销售时间2019-08-30晚于填报时间2019-08-20".to_string())]
        );
    }

    /// A sale year a clerk may have mistyped is imported and warned: a year other than that of
    /// most of the sheet's rows, years far apart with none shared by most rows, and on a sheet
    /// without 填报时间 a date after today. Neighbouring years half and half are not warned.
    #[test]
    fn sale_years_apart_from_the_sheet_are_warned() {
        let csv = |info: &str, dates: &[&str]| {
            let mut text = format!(
                "附件2\n{info}\n序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n"
            );
            for (n, date) in dates.iter().enumerate() {
                text.push_str(&format!(
                    "{},云阳县青松中学,{date},泥溪镇三坪村,刘光富,红薯{n},30斤,90元,\n",
                    n + 1
                ));
            }
            text
        };
        let warned = |p: &ParsedFile| -> Vec<(u32, String)> {
            p.rows()
                .flat_map(|r| r.warnings.iter())
                .filter(|w| w.column == "销售时间" && w.message.contains("计入进度"))
                .map(|w| (w.row, w.message.clone()))
                .collect()
        };
        let with_info = "填报单位：泥溪镇人民政府　填报时间：2019年9月30日";
        let p = parse(
            "years.csv",
            csv(
                with_info,
                &["2019.9.5", "2018.9.6", "2019.9.1", "2019.9.20"],
            )
            .as_bytes(),
        );
        assert_eq!(
            warned(&p),
            [(
                5,
                "销售时间“2018.9.6”的年份与本表其他行（2019年）不同，按2018年计入进度，请核对年份"
                    .to_string()
            )]
        );
        // The warning is the record's too (stored with it).
        let (_, sale) = sales(&p)[1];
        assert!(sale.warnings.iter().any(|w| w.contains("2018.9.6")));
        // Across New Year, days apart (a December–January form, and a year inferred for `1月2日`
        // or written), nothing is warned; nor two neighbouring years half and half.
        let january = "填报单位：泥溪镇人民政府　填报时间：2020年1月10日";
        for dates in [
            &[
                "2019.12.2",
                "2019.12.15",
                "2019.12.28",
                "2020.1.2",
                "2020.1.8",
            ][..],
            &["12月20日", "12月28日", "1月2日"],
            &["2019.1.5", "2018.12.20", "2019.2.1", "2019.3.1"],
            &["2018.12.20", "2019.1.5"],
        ] {
            let p = parse("years.csv", csv(january, dates).as_bytes());
            assert!(warned(&p).is_empty(), "{dates:?}: {:?}", warned(&p));
        }
        let p = parse(
            "years.csv",
            csv(
                "填报单位：泥溪镇人民政府",
                &["2019.9.8", "2010.9.8", "2091.9.8"],
            )
            .as_bytes(),
        );
        let messages = warned(&p);
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages
                .iter()
                .all(|(_, m)| m.contains("年份相差较大（2010年至2091年）"))
        );
        let future: Vec<u32> = p
            .rows()
            .flat_map(|r| r.warnings.iter())
            .filter(|w| w.message.contains("晚于今天"))
            .map(|w| w.row)
            .collect();
        assert_eq!(future, [6]);
    }

    /// A group written without its village (`泥溪镇3组`, `泥溪镇新村组`) is imported with a warning
    /// that the village is missing; a group alone is completed on a township's own form (`三组` →
    /// `泥溪镇三组`), and refused on another's with a message saying only the group is written.
    #[test]
    fn a_group_without_its_village() {
        let csv = |unit: &str| {
            format!(
                "附件2\n填报单位：{unit}　　填报时间：2019年9月30日\n\
                序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
                1,云阳县青松中学,2019.9.1,泥溪镇3组,刘光富,红薯,30斤,90元,\n\
                2,云阳县青松中学,2019.9.1,三组,刘光富,玉米,30斤,90元,\n\
                3,云阳县青松中学,2019.9.1,泥溪镇新村组,刘光富,大米,30斤,90元,\n"
            )
        };
        let p = parse("groups.csv", csv("泥溪镇人民政府").as_bytes());
        let stored: Vec<(u32, String, Vec<String>)> = sales(&p)
            .iter()
            .map(|(row, s)| (*row, s.village.clone(), s.warnings.clone()))
            .collect();
        assert_eq!(
            stored,
            [
                (
                    4,
                    "3组".to_string(),
                    vec!["地区只写到组（3组），缺少村(社区)".to_string()]
                ),
                (
                    5,
                    "三组".to_string(),
                    vec![
                        "地区只写到组（三组），缺少村(社区)".to_string(),
                        "地区“三组”未写乡镇，按填报单位记为“泥溪镇三组”".to_string(),
                    ]
                ),
                (
                    6,
                    "新村组".to_string(),
                    vec!["地区只写到组（新村组），缺少村(社区)".to_string()]
                ),
            ]
        );
        let p = parse("groups.csv", csv("云阳县商务委员会").as_bytes());
        let errors: Vec<(u32, String)> = p.errors().map(|e| (e.row, e.message.clone())).collect();
        assert_eq!(
            errors,
            [(
                5,
                "地区“三组”只写了组，没有写乡镇和村（社区）：请写成“泥溪镇三坪村3组”这样"
                    .to_string()
            )]
        );
        // On a township's own form, a village then more (村委会, 1、2组, an address) and a group
        // called by a name are completed with the township, as a village alone is.
        let csv = "附件2\n填报单位：泥溪镇人民政府　　填报时间：2019年9月30日\n\
            序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
            1,云阳县青松中学,2019.9.1,三坪村1、2组,刘光富,红薯,30斤,90元,\n\
            2,云阳县青松中学,2019.9.1,黎明村村委会,刘光富,玉米,30斤,90元,\n\
            3,云阳县青松中学,2019.9.1,三坪村集中安置点,刘光富,大米,30斤,90元,\n\
            4,云阳县青松中学,2019.9.1,王家湾组,刘光富,白菜,30斤,90元,\n";
        let p = parse("completed.csv", csv.as_bytes());
        assert_eq!(
            p.errors().count(),
            0,
            "{:?}",
            p.errors().collect::<Vec<_>>()
        );
        let completed: Vec<(String, String)> = sales(&p)
            .iter()
            .map(|(_, s)| (s.region_text.clone(), s.village.clone()))
            .collect();
        let expected = [
            ("泥溪镇三坪村1、2组", "三坪村1、2组"),
            ("泥溪镇黎明村村委会", "黎明村村委会"),
            ("泥溪镇三坪村集中安置点", "三坪村集中安置点"),
            ("泥溪镇王家湾组", "王家湾组"),
        ]
        .map(|(region, village)| (region.to_string(), village.to_string()));
        assert_eq!(completed, expected);
    }

    /// Telephone and ID numbers written in the 贫困户姓名 cell, as clerks write them: a number
    /// after the name moves to 备注 exactly as typed; a number with other words beside it, or
    /// alone, stays as typed; every one is warned. A count of households is no number.
    #[test]
    fn numbers_in_the_household_cell() {
        let csv = "附件2\n填报单位：泥溪镇人民政府　　填报时间：2019年9月30日\n\
            序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
            1,云阳县青松中学,2019.9.1,泥溪镇三坪村,王成芳 13812345678,红薯,30斤,90元,自提\n\
            2,云阳县青松中学,2019.9.1,泥溪镇三坪村,王成芳（电话：139-0000-3312）,玉米,30斤,90元,\n\
            3,云阳县青松中学,2019.9.1,泥溪镇三坪村,王成芳 电话：13812345678 住3组,大米,30斤,90元,\n\
            4,云阳县青松中学,2019.9.1,泥溪镇三坪村,13812345678,白菜,30斤,90元,\n\
            5,云阳县青松中学,2019.9.1,泥溪镇三坪村,杜金木等3户,萝卜,30斤,90元,\n";
        let p = parse("numbers.csv", csv.as_bytes());
        let stored: Vec<(u32, String, String)> = sales(&p)
            .iter()
            .map(|(row, s)| (*row, s.household.clone(), s.remark.clone()))
            .collect();
        assert_eq!(
            stored,
            [
                (
                    4,
                    "王成芳".to_string(),
                    "自提；电话：13812345678".to_string()
                ),
                (5, "王成芳".to_string(), "电话：139-0000-3312".to_string()),
                (6, "王成芳电话：13812345678住3组".to_string(), String::new()),
                (7, "13812345678".to_string(), String::new()),
                (8, "杜金木等3户".to_string(), String::new()),
            ]
        );
        let number_warnings = |row: u32| -> Vec<String> {
            p.rows()
                .find(|r| r.row == row)
                .map(|r| {
                    r.warnings
                        .iter()
                        .filter(|w| w.message.contains("号码"))
                        .map(|w| w.message.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(
            number_warnings(4),
            ["贫困户姓名“王成芳 13812345678”含电话号码，已将号码移到备注"]
        );
        assert_eq!(number_warnings(5).len(), 1);
        assert_eq!(
            number_warnings(6),
            ["贫困户姓名“王成芳 电话：13812345678 住3组”含号码，未能与姓名分开：请把号码移到备注"]
        );
        assert_eq!(
            number_warnings(7),
            ["贫困户姓名“13812345678”只有号码，没有姓名：请核实"]
        );
        assert!(number_warnings(8).is_empty());
    }

    /// Formats that show another number than the one stored (the clerk's trick to show 万元:
    /// `0.0,"万元"` shows 9000 as `9.0万元`, `0!.0000"万元"` shows 90 as `0.0090万元`) leave the
    /// stored number in the header's unit; a unit chosen by a condition is not guessed. A merged
    /// cell shows its format's unit in every row it covers.
    #[test]
    fn scaled_conditional_and_merged_number_formats() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "附件2").unwrap();
        ws.write_string(1, 0, INFO).unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        let format = |code: &str| Format::new().set_num_format(code);
        // (household, quantity, its format, amount, its format)
        let rows = [
            ("刘光富", 30.0, r#"0"斤""#, 9000.0, r#"0.0,"万元""#),
            ("陈秀英", 30.0, r#"0"斤""#, 90.0, r#"0!.0000"万元""#),
            (
                "王德明",
                30.0,
                r#"[>100]0"吨";0"斤""#,
                20000.0,
                r#"[>=10000]0.0,"万元";0"元""#,
            ),
        ];
        write_formatted_sales(ws, &rows);
        // Rows 7 and 8: 销售数量 and 销售金额 merged over both, shown `30斤` and `0.9万元`.
        for r in [6u32, 7] {
            ws.write_number(r, 0, f64::from(r - 2)).unwrap();
            for (c, text) in [
                (1u16, "云阳县青松中学"),
                (2, "2019.9.2"),
                (3, "云阳县泥溪镇三坪村"),
                (5, "红薯"),
            ] {
                ws.write_string(r, c, text).unwrap();
            }
        }
        ws.write_string(6, 4, "张桂兰").unwrap();
        ws.write_string(7, 4, "李国华").unwrap();
        ws.merge_range(6, 6, 7, 6, "", &format(r#"0"斤""#)).unwrap();
        ws.write_number_with_format(6, 6, 30.0, &format(r#"0"斤""#))
            .unwrap();
        ws.merge_range(6, 7, 7, 7, "", &format(r#"0.0"万元""#))
            .unwrap();
        ws.write_number_with_format(6, 7, 0.9, &format(r#"0.0"万元""#))
            .unwrap();
        let p = parse("scaled.xlsx", &wb.save_to_buffer().unwrap());
        let s = sales(&p);
        assert_eq!(s.len(), 5, "{:?}", p.errors().collect::<Vec<_>>());
        let read: Vec<(u32, String, String)> = s
            .iter()
            .map(|(row, r)| (*row, r.quantity_text.clone(), r.amount.to_string()))
            .collect();
        assert_eq!(
            read,
            [
                (4, "30斤".to_string(), "9000.00".to_string()),
                (5, "30斤".to_string(), "90.00".to_string()),
                (6, "30".to_string(), "20000.00".to_string()),
                (7, "30斤".to_string(), "9000.00".to_string()),
                (8, "30斤".to_string(), "9000.00".to_string()),
            ]
        );
        // The conditional quantity format gives no unit: warned, not guessed.
        assert!(
            s[2].1.warnings.iter().any(|w| w.contains("缺少单位")),
            "{:?}",
            s[2].1.warnings
        );
        // The quantity and amount merged over rows 7 and 8 are read in each, and each says so.
        let merged = |column: &str| {
            format!(
                "{column}是第7至8行合并的单元格，这几行每行都读到它的值：如是这几行的合计，请拆开分别填写"
            )
        };
        for column in ["销售数量", "销售金额"] {
            for (_, record) in &s[3..] {
                assert!(
                    record.warnings.contains(&merged(column)),
                    "{:?}",
                    record.warnings
                );
            }
            assert!(
                s[..3]
                    .iter()
                    .all(|(_, r)| !r.warnings.contains(&merged(column)))
            );
        }
    }

    /// 附件1: a price formatted `0.00"元/斤"` or `"¥"0.00"/斤"` carries its unit; one formatted
    /// `0.00"元"` shows only the currency and takes the unit of the header (`销售价格（元/公斤）`); a 计划销量 formatted
    /// `0"斤"` is in 斤.
    #[test]
    fn catalogue_prices_and_plans_take_the_units_their_formats_show() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "附件1").unwrap();
        ws.write_string(1, 0, "填写单位:泥溪镇人民政府  填写人:李某某  联系电话:138-0000-2100  填写日期:2019年8月20日").unwrap();
        let header = [
            "序号",
            "地区",
            "贫困户姓名",
            "产品品种",
            "计划销量",
            "销售价格（元/公斤）",
            "供货方式",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        let format = |code: &str| Format::new().set_num_format(code);
        let rows = [
            ("王德明", "腊肉", r#"0.00"元/斤""#),
            ("刘光富", "土豆", r#"0.00"元""#),
            ("陈秀英", "红薯", r#""¥"0.00"/斤""#),
        ];
        for (i, (name, product, price_format)) in rows.iter().enumerate() {
            let r = 3 + i as u32;
            ws.write_number(r, 0, (i + 1) as f64).unwrap();
            ws.write_string(r, 1, "云阳县泥溪镇黎明村").unwrap();
            ws.write_string(r, 2, *name).unwrap();
            ws.write_string(r, 3, *product).unwrap();
            ws.write_number_with_format(r, 4, 300.0, &format(r#"0"斤""#))
                .unwrap();
            ws.write_number_with_format(r, 5, 40.0, &format(price_format))
                .unwrap();
            ws.write_string(r, 6, "电商").unwrap();
        }
        let p = parse("cat_units.xlsx", &wb.save_to_buffer().unwrap());
        let listings: Vec<(String, Option<String>, String)> = p
            .rows()
            .filter_map(|r| match &r.content {
                RowContent::Listing(l) => Some((
                    l.planned_quantity_text.clone(),
                    l.planned_quantity.unit.clone(),
                    format!("{:?}", l.price),
                )),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(listings.len(), 3, "{:?}", p.errors().collect::<Vec<_>>());
        assert_eq!(listings[0].0, "300斤");
        assert_eq!(listings[0].1.as_deref(), Some("斤"));
        assert!(listings[0].2.contains("\"斤\""), "{}", listings[0].2);
        assert!(listings[1].2.contains("\"公斤\""), "{}", listings[1].2);
        // `¥40.00/斤`: the currency before the number, the unit after it.
        assert!(
            listings[2].2.contains("yuan: 40") && listings[2].2.contains("\"斤\""),
            "{}",
            listings[2].2
        );
    }

    /// rule 19 in .xls files saved by LibreOffice (a tester's files): H7 is
    /// `=HYPERLINK("https://shop.example.invalid/hy/01","网店")` with the cached value `网店`, so the
    /// URL is the formula's first argument; H8 and H9 hold the URL itself (H8 as a formula's
    /// result), and the phone number cell keeps its digits.
    #[test]
    fn xls_hyperlink_formula_and_cell_link_give_their_url() {
        let p = variant("v61_fj1_hyperlink_formula_lo.xls");
        let listings: Vec<(u32, &str, &str, &str)> = p
            .rows()
            .filter_map(|r| match &r.content {
                RowContent::Listing(l) => Some((
                    r.row,
                    l.household.as_str(),
                    l.shop_url.as_str(),
                    l.contact.as_str(),
                )),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(
            listings,
            [
                (5, "谭大福", "", "17700001234"),
                (6, "谭二福", "", "谭某 13900001111"),
                (
                    7,
                    "谭三福",
                    "https://shop.example.invalid/hy/01",
                    "13900002222"
                ),
                (8, "谭四福", "https://shop.example.invalid/hy/02", "谭四福"),
                (
                    9,
                    "谭五福",
                    "https://shop.example.invalid/hy/03",
                    "023-55551234"
                ),
            ]
        );

        // A cell hyperlink (HLINK record) on the text `点击进入网店`: its target is the URL, as in
        // an .xlsx.
        let p = variant("v63_fj1_cell_hyperlink_lo.xls");
        let urls: Vec<&str> = p
            .rows()
            .filter_map(|r| match &r.content {
                RowContent::Listing(l) => Some(l.shop_url.as_str()),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(urls, ["https://shop.example.invalid/hy/09"]);
    }

    /// rule 12, as openpyxl writes formulas (a tester's file): the formulas of 销售金额 have no
    /// saved result. Formulas are never evaluated, so the rows are refused, and the message says
    /// why the cell is empty (not just `销售金额不能为空`).
    #[test]
    fn formulas_saved_without_results_are_named_in_the_row_error() {
        let p = variant("v14_formulas_without_results_openpyxl.xlsx");
        assert_eq!(p.rows().count(), 0);
        let errors: Vec<(u32, &str, &str)> = p.sheets[0]
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        for (index, (row, column, message)) in errors.into_iter().enumerate() {
            assert_eq!(row, index as u32 + 5);
            assert_eq!(column, "销售金额");
            assert_eq!(
                message,
                unsaved_formula_error("销售金额", &format!("G{row}*H{row}"))
            );
        }
    }

    /// The same in an .xls written by xlwt (a tester's file), which saves an empty string as the
    /// result of every formula: each required cell that is such a formula is a row error naming
    /// the formula.
    #[test]
    fn xls_formulas_saved_with_empty_results_are_named_in_the_row_error() {
        let p = variant("v70_xlwt_formulas_without_results.xls");
        let errors: Vec<(u32, String)> = p.sheets[0]
            .errors
            .iter()
            .map(|e| (e.row, format!("{}：{}", e.column, e.message)))
            .collect();
        let unsaved = |column: &str, formula: &str| {
            format!("{column}：{}", unsaved_formula_error(column, formula))
        };
        assert_eq!(
            errors,
            [
                (5, unsaved("销售金额", "30*3")),
                (6, unsaved("销售时间", "DATE(2019,9,1)")),
                (7, unsaved("销售数量", "\"30斤\"")),
                (8, unsaved("贫困户姓名", "\"王五\"")),
                (9, unsaved("地区", "\"泥溪镇\"&\"三坪村\"")),
            ]
        );
        assert_eq!(p.rows().count(), 2);
    }

    /// A formula saved without its result in an optional column (备注, openpyxl) is imported blank
    /// with a warning naming it, not dropped silently.
    #[test]
    fn an_optional_formula_without_result_is_imported_blank_with_a_warning() {
        let p = variant("v72_formula_remark_without_result_openpyxl.xlsx");
        let row = p.rows().find(|r| r.row == 10).expect("row 10 imported");
        let RowContent::Sale(sale) = &row.content else {
            panic!("a sale")
        };
        assert_eq!(sale.remark, "");
        let warnings: Vec<(&str, &str)> = row
            .warnings
            .iter()
            .map(|w| (w.column.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(
            warnings,
            [(
                "备注",
                "备注是公式“=\"备注\"”，但文件中没有保存它的计算结果，按空白导入"
            )]
        );
    }

    /// rule 19 when the address is computed (a tester's LibreOffice .xls): `=HYPERLINK("…/"&"a7",
    /// "店7")` and `=HYPERLINK(B5,"店9")` are not read as a half address or as their display text;
    /// the 网店网址 is left blank with a warning that says why.
    #[test]
    fn computed_hyperlink_addresses_are_left_blank_with_a_warning() {
        let p = variant("v71_fj1_computed_hyperlinks_lo.xls");
        let urls: Vec<(u32, &str, Vec<&str>)> = p
            .rows()
            .filter_map(|r| match &r.content {
                RowContent::Listing(l) => Some((
                    r.row,
                    l.shop_url.as_str(),
                    l.warnings.iter().map(String::as_str).collect(),
                )),
                RowContent::Sale(_) => None,
            })
            .filter(|(row, _, _)| [5, 11, 13].contains(row))
            .collect();
        assert_eq!(
            urls,
            [
                (5, "https://shop.example.invalid/a1", vec![]),
                (
                    11,
                    "",
                    vec![
                        "网店网址是公式“=HYPERLINK(\"https://shop.example.invalid/\"&\"a7\",\"店7\")”，网址由公式计算，无法读出（公式不会被计算），请核实"
                    ]
                ),
                (
                    13,
                    "",
                    vec![
                        "网店网址是公式“=HYPERLINK(B5,\"店9\")”，网址由公式计算，无法读出（公式不会被计算），请核实"
                    ]
                ),
            ]
        );
    }

    /// A one-sheet form: `first_line` in row 1 (a title or the info line), then the header and
    /// the rows given as `|`-separated cells.
    fn form_under(first_line: &str, header: &str, rows: &[&str]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, first_line).unwrap();
        for (r, line) in std::iter::once(&header).chain(rows).enumerate() {
            for (c, cell) in line.split('|').enumerate() {
                ws.write_string(r as u32 + 1, c as u16, cell).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    /// A one-sheet form of 泥溪镇 filed on `filed` (e.g. `2019年9月30日`): [`form_under`] its
    /// info line.
    fn nixi_form(filed: &str, header: &str, rows: &[&str]) -> Vec<u8> {
        form_under(
            &format!("填报单位：泥溪镇人民政府　填报时间：{filed}"),
            header,
            rows,
        )
    }

    /// A one-sheet workbook of `lines` (`|`-separated cells; `""` leaves the row empty), row 1
    /// first.
    fn sheet_of_lines(lines: &[&str]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, line) in lines.iter().enumerate() {
            for (c, cell) in line.split('|').enumerate() {
                if !cell.is_empty() {
                    ws.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    /// Each month's form pasted under the last on one sheet, across the new year: every table
    /// is dated by its own 填报时间 (a yearless `1月20日` under a January 2020 table is 2020),
    /// and its 合计 is checked against its own rows. A 合计 that disagrees names its table.
    #[test]
    fn tables_pasted_one_under_another_are_each_dated_by_their_own_info_line() {
        const HEADER: &str =
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额（元）|备注";
        let file = sheet_of_lines(&[
            "附件2",
            "乡镇(街道)贫困户产品销售情况表（12月）",
            "填报单位：泥溪镇人民政府　填报时间：2019年12月31日",
            HEADER,
            "1|云阳县教委|12月20日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
            "合计|||||||1500|",
            "",
            "附件2",
            "乡镇(街道)贫困户产品销售情况表（1月）",
            "填报单位：泥溪镇人民政府　填报时间：2020年1月31日",
            HEADER,
            "1|云阳县教委|1月20日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
            "2|云阳县人民医院|1月22日|泥溪镇三坪村|王成芳|蜂蜜|20斤|1200|",
            "合计|||||||1600|",
            "",
            "乡镇(街道)贫困户产品销售情况表（2月）",
            "填报单位：泥溪镇人民政府　填报时间：2020年2月29日",
            HEADER,
            "1|云阳县教委|2月20日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
            "合计|||||||999|",
        ]);
        let parsed = parse("stacked.xlsx", &file);
        let dates: Vec<(u32, String)> = sales(&parsed)
            .into_iter()
            .map(|(row, sale)| (row, sale.date.date.to_string()))
            .collect();
        assert_eq!(
            dates,
            vec![
                (5, "2019-12-20".to_string()),
                (12, "2020-01-20".to_string()),
                (13, "2020-01-22".to_string()),
                (19, "2020-02-20".to_string()),
            ]
        );
        assert!(
            parsed.errors().next().is_none(),
            "{:?}",
            parsed.errors().collect::<Vec<_>>()
        );
        assert_eq!(
            parsed.file_warnings,
            vec!["工作表“Sheet1”第16行起的表格：合计(999.00)与明细之和(400.00)不符".to_string()]
        );
    }

    /// A header repeated on the sheet without a title or info line of its own (a header row per
    /// printed page) continues the table above: one 合计 at the end covers all rows. Equal rows in
    /// two tables of one sheet are two sales, as equal rows of one table are.
    #[test]
    fn a_header_repeated_per_page_continues_the_table_and_equal_rows_of_two_tables_are_kept() {
        const HEADER: &str =
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额（元）|备注";
        let paged = sheet_of_lines(&[
            "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
            HEADER,
            "1|云阳县教委|9月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
            HEADER,
            "2|云阳县教委|9月4日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
            "合计|||||||1900|",
        ]);
        let parsed = parse("paged.xlsx", &paged);
        assert_eq!(sales(&parsed).len(), 2);
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );

        let repeated = sheet_of_lines(&[
            "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
            HEADER,
            "1|云阳县教委|9月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
            "",
            "2019年9月（补报）",
            "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
            HEADER,
            "1|云阳县教委|9月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
        ]);
        let parsed = parse("repeated.xlsx", &repeated);
        assert_eq!(
            sales(&parsed)
                .iter()
                .map(|(row, _)| *row)
                .collect::<Vec<_>>(),
            vec![3, 8]
        );
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );
    }

    /// 填报时间 given as a period (`2019年第三季度`, `2019年7-9月`), or only in the title
    /// (`2019年第三季度…情况表`): yearless dates take its year and are bounded by its last day.
    /// A month sheet without any takes the year of the sheet before, with a warning naming it.
    #[test]
    fn a_period_or_a_title_or_the_sheet_before_gives_the_year() {
        const HEADER: &str =
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额（元）|备注";
        const ROW: &str = "1|云阳县教委|9月28日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|";
        for first_line in [
            "填报单位：泥溪镇人民政府　填报时间：2019年第三季度",
            "填报单位：泥溪镇人民政府　填报时间：2019年7-9月",
            "泥溪镇2019年第三季度贫困户产品销售情况表",
        ] {
            let parsed = parse("period.xlsx", &form_under(first_line, HEADER, &[ROW]));
            let dates: Vec<String> = sales(&parsed)
                .iter()
                .map(|(_, sale)| sale.date.date.to_string())
                .collect();
            assert_eq!(dates, ["2019-09-28"], "{first_line}");
            assert!(
                parsed.file_warnings.is_empty(),
                "{first_line}: {:?}",
                parsed.file_warnings
            );
        }
        let mut wb = Workbook::new();
        for (name, lines) in [
            (
                "10月",
                vec![
                    "填报单位：泥溪镇人民政府　填报时间：2019年10月31日",
                    HEADER,
                    "1|云阳县教委|10月8日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
                ],
            ),
            (
                "11月",
                vec![
                    HEADER,
                    "1|云阳县教委|11月8日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
                ],
            ),
            (
                "12月",
                vec![
                    HEADER,
                    "1|云阳县教委|12月8日|泥溪镇黄岭村|冉启兵|土豆|50斤|100|",
                ],
            ),
        ] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, line) in lines.iter().enumerate() {
                for (c, cell) in line.split('|').enumerate() {
                    ws.write_string(r as u32, c as u16, cell).unwrap();
                }
            }
        }
        let parsed = parse("months.xlsx", &wb.save_to_buffer().unwrap());
        let dates: Vec<String> = sales(&parsed)
            .iter()
            .map(|(_, sale)| sale.date.date.to_string())
            .collect();
        assert_eq!(dates, ["2019-10-08", "2019-11-08", "2019-12-08"]);
        assert_eq!(
            parsed.file_warnings,
            ["11月", "12月"].map(|sheet| format!(
                "工作表“{sheet}”：未找到填报时间：只写月日的日期按工作表“10月”的填报时间取2019年，请核实"
            ))
        );
    }

    /// An amount cell holding a number finer than one fen (a formula's result, shown to the fen
    /// by its format) is rounded 四舍五入 with a warning, in 元 and in 万元; the same typed as text
    /// is still refused.
    #[test]
    fn a_number_amount_finer_than_a_fen_is_rounded_with_a_warning() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
            .unwrap();
        for (c, h) in [
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额（元）",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for (r, amount) in [(2u32, Some(78.255)), (3, Some(27.305)), (4, None)] {
            for (c, v) in [
                "1",
                "云阳县教委",
                "9月3日",
                "泥溪镇黄岭村",
                "冉启兵",
                "腊肉",
                "3斤",
            ]
            .iter()
            .enumerate()
            {
                ws.write_string(r, c as u16, *v).unwrap();
            }
            match amount {
                Some(amount) => ws.write_number(r, 7, amount).map(|_| ()),
                None => ws.write_string(r, 7, "78.255元").map(|_| ()),
            }
            .unwrap();
        }
        let parsed = parse("rounded.xlsx", &wb.save_to_buffer().unwrap());
        let stored: Vec<(u32, i64, Vec<String>)> = sales(&parsed)
            .into_iter()
            .map(|(row, sale)| (row, sale.amount.to_fen(), sale.warnings.clone()))
            .collect();
        assert_eq!(
            stored,
            [
                (3, 7826, vec!["金额78.255元精确到分以下（多为公式计算的结果，单元格只显示到分），已四舍五入为78.26元，请核实".to_string()]),
                (4, 2731, vec!["金额27.305元精确到分以下（多为公式计算的结果，单元格只显示到分），已四舍五入为27.31元，请核实".to_string()]),
            ]
        );
        let errors: Vec<u32> = parsed.errors().map(|e| e.row).collect();
        assert_eq!(errors, [5]);
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
            .unwrap();
        for (c, h) in [
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额（万元）",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for (c, v) in [
            "1",
            "云阳县教委",
            "9月3日",
            "泥溪镇黄岭村",
            "冉启兵",
            "腊肉",
            "3斤",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, c as u16, *v).unwrap();
        }
        ws.write_number(2, 7, 0.0078255).unwrap();
        let parsed = parse("wan.xlsx", &wb.save_to_buffer().unwrap());
        let stored: Vec<(i64, Vec<String>)> = sales(&parsed)
            .into_iter()
            .map(|(_, sale)| (sale.amount.to_fen(), sale.warnings.clone()))
            .collect();
        assert_eq!(
            stored,
            [(7826, vec!["金额0.0078255万元精确到分以下（多为公式计算的结果，单元格只显示到分），已四舍五入为78.26元，请核实".to_string()])]
        );
    }

    /// A department's 附件3 with a 供货合作社 column of its own: a row whose 贫困户姓名 is empty
    /// is the cooperative's (read as a cooperative, rule 11, with its 户 count from 备注); a row
    /// naming a household stays the household's.
    #[test]
    fn a_cooperative_column_of_its_own_names_the_seller_when_no_household_is_given() {
        let parsed = parse(
            "coop_column.xlsx",
            &form_under(
                "填报单位：县总工会　填报时间：2019年12月20日",
                "序号|采购单位|采购时间|乡镇(街道)|村(社区)|贫困户姓名|供货合作社|产品品种|采购数量|采购金额|备注",
                &[
                    "1|县总工会|12月1日|南溪镇|八角村|刘一||土豆|300斤|900元|职工福利",
                    "2|县总工会|12月2日|鱼泉镇|鱼泉社区||鱼泉镇柑橘专业合作社|柑橘|1000斤|2000元|涉及贫困户6户",
                    "3|县总工会|12月3日|石门乡|石门村|王七|石门腊肉专业合作社|腊肉|20斤|900元|",
                    "4|县总工会|12月4日|石门乡|石门村||张三家庭农场|蜂蜜|10斤|500元|涉及贫困户3户",
                ],
            ),
        );
        // A household that sold through a cooperative keeps it in 备注; a seller not named
        // 合作社 is not read as one, and the row says so.
        let remarks: Vec<&str> = sales(&parsed)
            .iter()
            .map(|(_, s)| s.remark.as_str())
            .collect();
        assert_eq!(
            remarks,
            [
                "职工福利",
                "涉及贫困户6户",
                "供货合作社：石门腊肉专业合作社",
                "涉及贫困户3户"
            ]
        );
        let farm = &sales(&parsed)[3].1;
        assert_eq!(
            (farm.household.as_str(), farm.involved),
            ("张三家庭农场", None)
        );
        assert!(
            farm.warnings
                .iter()
                .any(|w| w.contains("其名称中没有“合作社”，未从备注读取涉及的贫困户户数")),
            "{:?}",
            farm.warnings
        );
        assert!(
            parsed.sheets[0].errors.is_empty(),
            "{:?}",
            parsed.sheets[0].errors
        );
        let sellers: Vec<(String, Option<InvolvedCount>)> = sales(&parsed)
            .iter()
            .take(2)
            .map(|(_, s)| (s.household.clone(), s.involved))
            .collect();
        assert_eq!(
            sellers,
            [
                ("刘一".to_string(), None),
                (
                    "鱼泉镇柑橘专业合作社".to_string(),
                    Some(InvolvedCount::Households(6))
                )
            ]
        );
    }

    /// A 附件1 row copied twice is one entry (a household lists each product once), with a file
    /// warning naming the rows; the same product at another price is its own entry. Equal rows
    /// of a 附件2 stay equal sales.
    #[test]
    fn a_catalogue_row_repeated_exactly_is_one_entry() {
        let parsed = parse(
            "repeated.xlsx",
            &form_under(
                "填写单位：泥溪镇人民政府　填写日期：2019年9月12日",
                "序号|地区|贫困户姓名|产品品种|计划销量|销售价格(元)|供货方式",
                &[
                    "1|泥溪镇黄岭村|冉启兵|土鸡|100只|80元/只|送货上门",
                    "2|泥溪镇黄岭村|刘光富|土豆|500斤|3元/斤|送货上门",
                    "3|泥溪镇黄岭村|冉启兵|土鸡|100只|80元/只|送货上门",
                    "4|泥溪镇黄岭村|刘光富|土豆|200斤|5元/斤|送货上门",
                ],
            ),
        );
        let entries: Vec<(u32, String)> = parsed
            .rows()
            .filter_map(|row| match &row.content {
                RowContent::Listing(listing) => Some((row.row, listing.price_text.clone())),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(
            entries,
            [
                (3, "80元/只".to_string()),
                (4, "3元/斤".to_string()),
                (6, "5元/斤".to_string())
            ]
        );
        assert_eq!(
            parsed.file_warnings,
            [
                "工作表“Sheet1”中有1行与上面的行内容相同（第5行同第3行），只导入了一次：同一户的同一产品在待销目录中只列一次"
            ]
        );
        let equal_sales = parse(
            "equal_sales.xlsx",
            &form_under(
                INFO,
                "序号|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额|采购单位",
                &[
                    "1|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|90|云阳县青松中学",
                    "2|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|90|云阳县青松中学",
                ],
            ),
        );
        assert_eq!(sales(&equal_sales).len(), 2);
        assert!(
            equal_sales.file_warnings.is_empty(),
            "{:?}",
            equal_sales.file_warnings
        );
    }

    /// 附件1 with `计划销量 | 单位`: an approximate or periodic figure (`每月500`, `300左右`) takes
    /// the unit column's unit like a bare one, and is warned as not exact.
    #[test]
    fn an_approximate_planned_quantity_takes_the_unit_column() {
        let parsed = parse(
            "units.xlsx",
            &form_under(
                "填写单位：泥溪镇人民政府　填写日期：2019年9月12日",
                "序号|地区|贫困户姓名|产品品种|计划销量|单位|销售价格(元)|供货方式",
                &[
                    "1|泥溪镇黄岭村|冉启兵|土豆|每月500|斤|3元/斤|送货上门",
                    "2|泥溪镇黄岭村|刘光富|腊肉|300左右|公斤|40元/斤|送货上门",
                    "3|泥溪镇黄岭村|冉启兵|土鸡|100|只|80元/只|送货上门",
                    "4|泥溪镇黄岭村|刘光富|蜂蜜|每月20斤|斤|50元/斤|送货上门",
                ],
            ),
        );
        assert_eq!(parsed.errors().count(), 0);
        let quantities: Vec<(String, Option<String>, usize)> = parsed
            .rows()
            .filter_map(|row| match &row.content {
                RowContent::Listing(listing) => Some((
                    listing.planned_quantity.to_string(),
                    listing
                        .planned_quantity
                        .in_jin()
                        .map(|jin| jin.normalize().to_string()),
                    listing.warnings.len(),
                )),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(
            quantities,
            [
                ("500斤".to_string(), Some("500".to_string()), 1),
                ("300公斤".to_string(), Some("600".to_string()), 1),
                ("100只".to_string(), None, 0),
                ("20斤".to_string(), Some("20".to_string()), 1),
            ]
        );
    }

    /// 附件1 with the contact split over `联系人 | 联系电话` (a number cell), or only a phone
    /// column: both end in 供货联系人及联系方式.
    #[test]
    fn a_phone_column_of_its_own_joins_the_contact() {
        let parsed = parse(
            "phone.xlsx",
            &form_under(
                "填写单位：泥溪镇人民政府　填写日期：2019年9月12日",
                "序号|地区|贫困户姓名|产品品种|计划销量|销售价格(元)|供货方式|联系人|联系电话",
                &[
                    "1|泥溪镇黄岭村|冉启兵|土鸡|100只|80元/只|送货上门|冉启兵|13800004001",
                    "2|泥溪镇黄岭村|刘光富|土豆|500斤|3元/斤|送货上门||13800004002",
                ],
            ),
        );
        let contacts: Vec<String> = parsed
            .rows()
            .filter_map(|row| match &row.content {
                RowContent::Listing(listing) => Some(listing.contact.clone()),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(contacts, ["冉启兵 13800004001", "13800004002"]);
        // 附件1 with a unit column: a bare price is per that unit, and so is the planned quantity.
        let parsed = parse(
            "unit.xlsx",
            &form_under(
                "填写单位：泥溪镇人民政府　填写日期：2019年9月12日",
                "序号|地区|贫困户姓名|产品品种|计划销量|单位|销售价格(元)|供货方式",
                &["1|泥溪镇黄岭村|冉启兵|土豆|500|斤|3|送货上门"],
            ),
        );
        let listing: Vec<(String, String, Vec<String>)> = parsed
            .rows()
            .filter_map(|row| match &row.content {
                RowContent::Listing(listing) => Some((
                    listing.planned_quantity.to_string(),
                    listing.price_text.clone(),
                    listing.warnings.clone(),
                )),
                RowContent::Sale(_) => None,
            })
            .collect();
        assert_eq!(
            listing,
            [("500斤".to_string(), "3元/斤".to_string(), vec![])]
        );
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );
    }

    /// A unit's 附件3 of its own purchases with 采购单位 left empty: the 填报单位 is the buyer, with
    /// a warning. A 附件2 row without 采购单位 is still refused.
    #[test]
    fn a_procurement_form_without_purchasers_is_bought_by_its_unit() {
        let row = "1||2019.9.3|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|";
        let parsed = parse(
            "own.xlsx",
            &form_under(
                "填报单位：云阳县明德初级中学　填报时间：2019年9月30日",
                "序号|采购单位|采购时间|地区|贫困户姓名|产品品种|采购数量|采购金额（元）|备注",
                &[row],
            ),
        );
        let stored: Vec<(String, Vec<String>)> = sales(&parsed)
            .into_iter()
            .map(|(_, sale)| (sale.purchaser.clone(), sale.warnings.clone()))
            .collect();
        assert_eq!(
            stored,
            [(
                "云阳县明德初级中学".to_string(),
                vec!["采购单位为空，按填报单位“云阳县明德初级中学”导入，请核实".to_string()]
            )]
        );
        let parsed = parse(
            "township.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额（元）|备注",
                &[row],
            ),
        );
        assert!(sales(&parsed).is_empty());
        assert_eq!(
            parsed
                .errors()
                .map(|e| e.column.as_str())
                .collect::<Vec<_>>(),
            ["采购单位"]
        );
    }

    /// A mark that says a cell is left empty (`/`, `—`, `无`) in a row of data is an empty cell:
    /// no remark `无`, no buyer named `/` (the 填报单位 buys, as for an empty 采购单位), and a
    /// household `—` is refused as missing.
    #[test]
    fn a_mark_for_an_empty_cell_in_a_row_of_data_is_empty() {
        let parsed = parse(
            "marks.xlsx",
            &form_under(
                "填报单位：云阳县明德初级中学　填报时间：2019年9月30日",
                "序号|采购单位|采购时间|地区|贫困户姓名|产品品种|采购数量|采购金额（元）|备注",
                &[
                    "1|/|2019.9.3|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|无",
                    "2|云阳县明德初级中学|2019.9.4|泥溪镇黄岭村|冉启兵|土豆|30斤|90|—",
                    "3|云阳县明德初级中学|2019.9.5|泥溪镇黄岭村|—|红薯|30斤|90|",
                    "4|云阳县明德初级中学|2019.9.5|泥溪镇黄岭村|冉启兵|玉米|30斤|/|",
                ],
            ),
        );
        let stored: Vec<(u32, String, String)> = sales(&parsed)
            .into_iter()
            .map(|(row, sale)| (row, sale.purchaser.clone(), sale.remark.clone()))
            .collect();
        let school = "云阳县明德初级中学".to_string();
        assert_eq!(
            stored,
            [
                (3, school.clone(), String::new()),
                (4, school, String::new())
            ]
        );
        let errors: Vec<(u32, &str, &str)> = parsed
            .errors()
            .map(|e| (e.row, e.column.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [
                (5, "贫困户姓名", "贫困户姓名不能为空"),
                (6, "采购金额", "采购金额不能为空")
            ]
        );
    }

    /// A column the form does not have (`身份证号`, a second phone) is named in a sheet note
    /// when something is written under it, so the clerk knows it was not imported; an empty one
    /// says nothing.
    #[test]
    fn a_filled_column_the_form_does_not_have_is_named() {
        let parsed = parse(
            "extra.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|地区|贫困户姓名|身份证号|产品品种|销售数量|销售金额|审核意见|联系电话|备注",
                &[
                    "1|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富|500235193001011234|土豆|30斤|90元||13800001234|",
                ],
            ),
        );
        assert_eq!(sales(&parsed).len(), 1);
        // 联系电话 is a column of 附件1, not of 附件2.
        assert_eq!(
            parsed.file_warnings,
            [
                "表头“身份证号”（F列）不是本表的栏目，这一列的内容未导入",
                "表头“联系电话”（K列）不是本表的栏目，这一列的内容未导入"
            ]
        );
    }

    /// Names apart by spaces in 贫困户姓名 (`刘光富 陈秀英`) and buyers joined by 和 in 采购单位
    /// are warned as several, like a list; `向　明` is one name.
    #[test]
    fn several_households_or_buyers_written_with_spaces_or_and_are_warned() {
        let parsed = parse(
            "several.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额|备注",
                &[
                    "1|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富 陈秀英|土豆|30斤|90元|",
                    "2|县商务委和县教委|2019.9.1|泥溪镇三坪村|刘光富|红薯|30斤|90元|",
                    "3|云阳县和平超市|2019.9.1|泥溪镇三坪村|向　明|玉米|30斤|90元|",
                ],
            ),
        );
        let warned: Vec<(u32, Vec<String>)> = parsed
            .rows()
            .map(|row| {
                (
                    row.row,
                    row.warnings.iter().map(|w| w.column.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            warned,
            [
                (3, vec!["贫困户姓名".to_string()]),
                (4, vec!["采购单位".to_string()]),
                (5, vec![])
            ]
        );
    }

    /// A unit column of its own beside 销售数量: a bare quantity takes its unit (50 and 公斤 is
    /// 100斤); a quantity with its own unit keeps it.
    #[test]
    fn a_unit_column_of_its_own_gives_the_quantity_its_unit() {
        let parsed = parse(
            "units.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|单位|销售金额（元）",
                &[
                    "1|云阳县教委|9月3日|泥溪镇黄岭村|冉启兵|腊肉|50|公斤|1500",
                    "2|云阳县教委|9月4日|泥溪镇黄岭村|冉启兵|土鸡|2只||160",
                    "3|云阳县教委|9月5日|泥溪镇黄岭村|冉启兵|土豆|30斤|斤|90",
                ],
            ),
        );
        let quantities: Vec<(String, Option<String>)> = sales(&parsed)
            .into_iter()
            .map(|(_, sale)| {
                (
                    sale.quantity.to_string(),
                    sale.quantity
                        .in_jin()
                        .map(|jin| jin.normalize().to_string()),
                )
            })
            .collect();
        assert_eq!(
            quantities,
            [
                ("50公斤".to_string(), Some("100".to_string())),
                ("2只".to_string(), None),
                ("30斤".to_string(), Some("30".to_string())),
            ]
        );
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );
    }

    /// Tables titled by a month alone (`11月`, `（12月）`), a title repeated with the header on a
    /// printed page (no new table: one 合计 for all), per-table 小计 with a 总计 of the sheet under
    /// the last table, a `其中：深度贫困村` and a `累计` row (not checked), 填报时间 without its year under a title naming
    /// it, and 填报时间 as `2019.7—2019.9`: all read without false warnings.
    #[test]
    fn titles_totals_and_periods_of_stacked_tables_raise_no_false_alarm() {
        const HEADER: &str =
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额（元）|备注";
        const INFO: &str = "填报单位：泥溪镇人民政府　填报时间：";
        let nov = format!("{INFO}2019年11月30日");
        let dec = format!("{INFO}2019年12月31日");
        let months = sheet_of_lines(&[
            "11月|11月|11月",
            &nov,
            HEADER,
            "1|云阳县教委|11月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
            "小计|||||||1500|",
            "（12月）|（12月）|（12月）",
            &dec,
            HEADER,
            "1|云阳县教委|12月3日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
            "小计|||||||400|",
            "总计|||||||1900|",
            "其中：深度贫困村|||||||400|",
            "（其中：深度贫困户）|||||||300|",
            "累计|||||||25000|",
        ]);
        let parsed = parse("months.xlsx", &months);
        let dates: Vec<String> = sales(&parsed)
            .iter()
            .map(|(_, sale)| sale.date.date.to_string())
            .collect();
        assert_eq!(dates, ["2019-11-03", "2019-12-03"]);
        assert!(parsed.errors().next().is_none());
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );

        let paged = sheet_of_lines(&[
            "泥溪镇贫困户产品销售情况表（12月）",
            &dec,
            HEADER,
            "1|云阳县教委|12月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
            "泥溪镇贫困户产品销售情况表（12月）",
            HEADER,
            "2|云阳县教委|12月4日|泥溪镇黄岭村|冉启兵|土鸡|5只|400|",
            "合计|||||||1900|",
        ]);
        let parsed = parse("paged.xlsx", &paged);
        assert_eq!(sales(&parsed).len(), 2);
        assert!(parsed.errors().next().is_none());
        assert!(
            parsed.file_warnings.is_empty(),
            "{:?}",
            parsed.file_warnings
        );

        for (title, info) in [
            (
                "泥溪镇2019年贫困户产品销售情况表",
                format!("{INFO}12月31日"),
            ),
            (
                "泥溪镇贫困户产品销售情况表",
                format!("{INFO}2019.10—2019.12"),
            ),
        ] {
            let parsed = parse(
                "year.xlsx",
                &sheet_of_lines(&[
                    title,
                    &info,
                    HEADER,
                    "1|云阳县教委|12月3日|泥溪镇黄岭村|冉启兵|腊肉|30斤|1500|",
                ]),
            );
            let dates: Vec<String> = sales(&parsed)
                .iter()
                .map(|(_, sale)| sale.date.date.to_string())
                .collect();
            assert_eq!(dates, ["2019-12-03"], "{info}");
            assert!(
                parsed.file_warnings.is_empty(),
                "{info}: {:?}",
                parsed.file_warnings
            );
        }
    }

    /// A 地区 split over columns, as clerks redraw the form: `乡镇（街道） | 村（社区）` instead of
    /// 地区, a merged 地区 over the sub-headers `乡镇 | 村`, a `村组` column beside a
    /// township-only 地区 (not added again when the 地区 already names the village; overlapping
    /// it; naming another village: flagged), and `乡镇 | 村 | 组`. Each row is stored with its
    /// township and village; nothing is refused as a missing 地区.
    #[test]
    fn a_region_split_over_columns_is_read_as_one_region() {
        let resolver = resolver();
        let stored = |p: &ParsedFile| -> Vec<(String, String, Vec<String>)> {
            sales(p)
                .into_iter()
                .map(|(_, s)| {
                    (
                        township_name(&resolver, &s.township_code),
                        s.village.clone(),
                        s.warnings.clone(),
                    )
                })
                .collect()
        };
        let place = |township: &str, village: &str| {
            (
                township.to_string(),
                village.to_string(),
                Vec::<String>::new(),
            )
        };
        // 1. 乡镇（街道） | 村（社区） in place of 地区, and a row whose village cell is empty.
        let p = parse(
            "split.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|乡镇（街道）|村（社区）|贫困户姓名|产品品种|销售数量|销售金额",
                &[
                    "1|云阳县青松中学|2019.9.1|泥溪镇|三坪村|刘光富|土豆|30斤|90元",
                    "2|云阳县青松中学|2019.9.2|农坝|大河村|王成|红薯|20斤|40元",
                    "3|云阳县青松中学|2019.9.3|泥溪镇||李四|红薯|20斤|40元",
                ],
            ),
        );
        assert!(p.file_warnings.is_empty(), "{:?}", p.file_warnings);
        assert_eq!(
            p.errors().count(),
            0,
            "{:?}",
            p.errors().collect::<Vec<_>>()
        );
        let got: Vec<(String, String)> = stored(&p).into_iter().map(|(t, v, _)| (t, v)).collect();
        assert_eq!(
            got,
            [
                ("泥溪镇".to_string(), "三坪村".to_string()),
                ("农坝镇".to_string(), "大河村".to_string()),
                ("泥溪镇".to_string(), String::new()),
            ]
        );
        assert_eq!(sales(&p)[0].1.region_text, "泥溪镇三坪村");
        // 2. A merged 地区 over the sub-headers 乡镇 | 村 (a header over two rows), the other
        // header cells merged down over both rows.
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
            .unwrap();
        let names = [
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额",
        ];
        for (c, name) in names.iter().enumerate() {
            ws.write_string(1, c as u16, *name).unwrap();
        }
        ws.merge_range(1, 3, 1, 4, "地区", &Format::new()).unwrap();
        ws.write_string(2, 3, "乡镇").unwrap();
        ws.write_string(2, 4, "村").unwrap();
        for (c, name) in [(0u16, "序号"), (5, "贫困户姓名"), (8, "销售金额")] {
            ws.merge_range(1, c, 2, c, name, &Format::new()).unwrap();
        }
        let row = [
            "1",
            "云阳县青松中学",
            "2019.9.1",
            "泥溪镇",
            "三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "90元",
        ];
        for (c, value) in row.iter().enumerate() {
            ws.write_string(3, c as u16, *value).unwrap();
        }
        let p = parse("merged.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(sales(&p)[0].0, 4);
        assert_eq!(stored(&p), [place("泥溪镇", "三坪村")]);
        // 3. 地区 with the township only, and a 村组 column beside it (or repeating, overlapping,
        // contradicting the village of 地区).
        let p = parse(
            "village_column.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|地区|村组|贫困户姓名|产品品种|销售数量|销售金额",
                &[
                    "1|云阳县青松中学|2019.9.1|云阳县泥溪镇|三坪村3组|刘光富|土豆|30斤|90元",
                    "2|云阳县青松中学|2019.9.2|泥溪镇三坪村|三坪村|王成|红薯|20斤|40元",
                    "3|云阳县青松中学|2019.9.1|泥溪镇三坪村|三坪村5组|刘光富|土豆|30斤|90元",
                    "4|云阳县青松中学|2019.9.2|泥溪镇三坪村|黎明村|王成|红薯|20斤|40元",
                ],
            ),
        );
        let mut flagged = place("泥溪镇", "三坪村");
        flagged.2 = vec![
            "地区“泥溪镇三坪村”已写了村(社区)，与“村(社区)”列的“黎明村”不同，按地区导入，请核实"
                .to_string(),
        ];
        assert_eq!(
            stored(&p),
            [
                place("泥溪镇", "三坪村3组"),
                place("泥溪镇", "三坪村"),
                place("泥溪镇", "三坪村5组"),
                flagged,
            ]
        );
        // 4. 乡镇 | 村 | 组 in three columns.
        let p = parse(
            "three.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|乡镇|村|组|贫困户姓名|产品品种|销售数量|销售金额",
                &["1|云阳县青松中学|2019.9.1|泥溪镇|三坪村|5组|刘光富|土豆|30斤|90元"],
            ),
        );
        assert_eq!(stored(&p), [place("泥溪镇", "三坪村5组")]);
        assert!(p.file_warnings.is_empty(), "{:?}", p.file_warnings);
        // 5. A short township name and a one-character village in two columns: the village is
        // `石村`, as when written `泥溪镇石村`; written together, the whole name with a warning.
        let p = parse(
            "short.xlsx",
            &nixi_form(
                "2019年9月30日",
                "序号|采购单位|销售时间|乡镇|村|贫困户姓名|产品品种|销售数量|销售金额",
                &[
                    "1|云阳县青松中学|2019.9.1|泥溪|石村|刘光富|土豆|30斤|90元",
                    "2|云阳县青松中学|2019.9.1|泥溪镇|石村|刘光富|土豆|31斤|93元",
                    "3|云阳县青松中学|2019.9.1||泥溪石村|刘光富|土豆|32斤|96元",
                ],
            ),
        );
        assert_eq!(
            stored(&p),
            [
                place("泥溪镇", "石村"),
                place("泥溪镇", "石村"),
                (
                    "泥溪镇".to_string(),
                    "泥溪石村".to_string(),
                    vec![
                        "地区“泥溪石村”按泥溪镇的“泥溪石村”记；如果是泥溪镇的“石村”，请写成“泥溪镇石村”"
                            .to_string()
                    ]
                ),
            ]
        );
    }

    /// A column written twice (`销售金额（含运费）` before `销售金额`, `销售数量（袋）` before
    /// `销售数量（斤）`, `销售时间（月份）` before `销售时间`): the better fitting one is read, and a
    /// sheet warning names both, whatever their order.
    #[test]
    fn a_column_written_twice_reads_the_better_fitting_one_and_says_so() {
        for reversed in [false, true] {
            let mut names = vec![
                "序号",
                "采购单位",
                "销售时间（月份）",
                "销售时间",
                "地区",
                "贫困户姓名",
                "产品品种",
                "销售数量（袋）",
                "销售数量（斤）",
                "销售金额（含运费）",
                "销售金额",
            ];
            let mut values = vec![
                "1",
                "云阳县青松中学",
                "9月",
                "2019.9.1",
                "泥溪镇三坪村",
                "刘光富",
                "土豆",
                "2",
                "30",
                "999元",
                "90元",
            ];
            if reversed {
                for pair in [(2, 3), (7, 8), (9, 10)] {
                    names.swap(pair.0, pair.1);
                    values.swap(pair.0, pair.1);
                }
            }
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
                .unwrap();
            for (c, (name, value)) in names.iter().zip(&values).enumerate() {
                ws.write_string(1, c as u16, *name).unwrap();
                ws.write_string(2, c as u16, *value).unwrap();
            }
            let p = parse("twice.xlsx", &wb.save_to_buffer().unwrap());
            let sales = sales(&p);
            assert_eq!(sales.len(), 1);
            let sale = sales[0].1;
            assert_eq!(sale.amount.to_string(), "90.00", "reversed: {reversed}");
            assert_eq!(
                sale.date.date.to_string(),
                "2019-09-01",
                "reversed: {reversed}"
            );
            assert_eq!(
                sale.quantity.unit.as_deref(),
                Some("斤"),
                "reversed: {reversed}"
            );
            let (used, ignored) = if reversed { ("J", "K") } else { ("K", "J") };
            assert!(
                p.file_warnings.contains(&format!(
                    "表头有两列“销售金额”：导入“销售金额”（{used}列），未导入“销售金额（含运费）”（{ignored}列），请核对"
                )),
                "{:?}",
                p.file_warnings
            );
            assert_eq!(p.file_warnings.len(), 3, "{:?}", p.file_warnings);
        }
    }

    /// rule 3 as clerks write it: subtotals named by what they sum (`9月小计` in column A,
    /// `本月合计` in column B, `土豆小计` in 产品品种, `合计` or `刘光富小计` as 贫困户姓名 on a
    /// full row), sign-off and seal lines (`审核人：…`, `制表：…`, `（单位盖章）`, the unit's
    /// name) and the date signed under the table are not data: no row errors. The 合计 is still
    /// checked, and so is a 本月合计 that is the sheet's only total; a row whose first cell is
    /// named like a subtotal but that names a household is still a record.
    #[test]
    fn named_subtotals_and_sign_off_lines_are_not_data() {
        const HEADER: &str =
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额|备注";
        const SEPTEMBER_1: &str = "1|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|90元";
        const SEPTEMBER_2: &str = "2|云阳县青松中学|2019.9.2|泥溪镇三坪村|刘光富|土豆|30斤|60元";
        let check = |name: &str, rows: &[&str], imported: usize, warnings: &[&str]| {
            let p = parse(name, &nixi_form("2019年10月31日", HEADER, rows));
            let errors: Vec<_> = p.errors().collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert_eq!(p.rows().count(), imported, "{name}");
            assert_eq!(p.file_warnings, warnings, "{name}");
        };
        check(
            "subtotals.xlsx",
            &[
                SEPTEMBER_1,
                SEPTEMBER_2,
                "9月小计|||||||150元",
                "3|云阳县青松中学|2019.10.2|泥溪镇三坪村|刘光富|土豆|30斤|50元",
                "|本月合计||||||50元",
                "合计|||||||200元",
                "审核人：王某||||单位（盖章）",
                "|||||2019年10月31日",
                "|制表：李某某",
            ],
            3,
            &[],
        );
        check(
            "wrong_total.xlsx",
            &[SEPTEMBER_1, "9月小计|||||||90元", "合计|||||||99元"],
            1,
            &["合计(99.00)与明细之和(90.00)不符"],
        );
        check(
            "totals_and_seals.xlsx",
            &[
                SEPTEMBER_1,
                SEPTEMBER_2,
                "|云阳县青松中学|2019.9.2|泥溪镇三坪村|合计|土豆|60斤|150元",
                "|云阳县青松中学||泥溪镇三坪村|刘光富小计|土豆|60斤|150元",
                "||||||土豆小计||150元",
                "|本月合计||||||140元",
                "|泥溪镇人民政府（盖章）||||2019年10月31日",
                "||||||（单位盖章）",
                "||||泥溪镇人民政府",
            ],
            2,
            // The 合计 in 贫困户姓名 (150) is the sheet's total; the 本月合计 is not checked then.
            &[],
        );
        check(
            "month_total.xlsx",
            &[SEPTEMBER_1, SEPTEMBER_2, "|本月合计||||||140元"],
            2,
            &["合计(140.00)与明细之和(150.00)不符"],
        );
        check(
            "named_like_subtotal.xlsx",
            &["三坪村小计|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|90元"],
            1,
            &[],
        );
    }

    /// Records an earlier sheet of the workbook already holds are imported once, with a warning:
    /// a sheet copied within the workbook (`9月` and Excel's copy `9月 (2)`, here with its rows in
    /// another order), and a 汇总 sheet repeating the month sheets beside a new row. A sheet with
    /// one amount changed is other sales and is imported.
    #[test]
    fn records_repeated_on_a_later_sheet_are_imported_once_with_a_warning() {
        let row = |date: &str, amount: &str| -> [String; 8] {
            [
                "1",
                "云阳县青松中学",
                date,
                "泥溪镇三坪村",
                "刘光富",
                "土豆",
                "30斤",
                amount,
            ]
            .map(String::from)
        };
        let sheets: Vec<(&str, Vec<[String; 8]>)> = vec![
            (
                "9月",
                vec![row("2019.9.1", "90元"), row("2019.9.2", "60元")],
            ),
            (
                "9月 (2)",
                vec![row("2019.9.2", "60元"), row("2019.9.1", "90元")],
            ),
            ("10月", vec![row("2019.10.1", "95元")]),
            (
                "汇总",
                vec![
                    row("2019.9.1", "90元"),
                    row("2019.9.2", "60元"),
                    row("2019.10.1", "95元"),
                    row("2019.10.3", "20元"),
                ],
            ),
            ("10月改", vec![row("2019.10.1", "96元")]),
        ];
        let mut wb = Workbook::new();
        for (name, rows) in &sheets {
            let ws = wb.add_worksheet();
            ws.set_name(*name).unwrap();
            ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年10月31日")
                .unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            for (r, values) in rows.iter().enumerate() {
                for (c, v) in values.iter().enumerate() {
                    ws.write_string(r as u32 + 2, c as u16, v).unwrap();
                }
            }
        }
        let p = parse("repeated.xlsx", &wb.save_to_buffer().unwrap());
        let kept: Vec<(&str, usize)> = p
            .sheets
            .iter()
            .map(|s| (s.name.as_str(), s.rows.len()))
            .collect();
        assert_eq!(kept, [("9月", 2), ("10月", 1), ("汇总", 1), ("10月改", 1)]);
        let total: i64 = p.sheets.iter().map(|s| s.total().to_fen()).sum();
        assert_eq!(total, 9000 + 6000 + 9500 + 2000 + 9600);
        assert_eq!(
            p.file_warnings,
            [
                "工作表“9月 (2)”的记录与工作表“9月”完全相同（复制的工作表或汇总表？），只导入了一次；如确是另外的销售，请分开提交",
                "工作表“汇总”中有3行与工作表“9月”、“10月”中的记录完全相同（汇总表或复制的工作表？），这些行只导入了一次；如确是另外的销售，请分开提交",
            ]
        );
    }

    /// A group title over two columns (`销售情况` merged over `销售数量 | 销售金额`, the other
    /// titles merged down over both header rows): the two rows are one header. The same table
    /// saved as CSV (no merges: the lower row holds only the two names) reads the same.
    #[test]
    fn a_group_title_over_two_header_rows_is_read_as_one_header() {
        // HEADER2 with 销售数量 | 销售金额 under one group title.
        let upper = HEADER2.map(|title| match title {
            "销售数量" => "销售情况",
            "销售金额" => "",
            other => other,
        });
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, INFO).unwrap();
        let plain = Format::new();
        for (c, title) in upper.iter().enumerate() {
            let c = c as u16;
            match *title {
                "" => {}
                "销售情况" => {
                    ws.merge_range(1, c, 1, c + 1, title, &plain).unwrap();
                }
                _ => {
                    ws.merge_range(1, c, 2, c, title, &plain).unwrap();
                }
            }
        }
        ws.write_string(2, 6, "销售数量").unwrap();
        ws.write_string(2, 7, "销售金额").unwrap();
        write_potato_sale(ws, 3, "2019.9.1", "泥溪镇三坪村");
        write_potato_sale(ws, 4, "2019.9.2", "泥溪镇三坪村");
        let csv = format!(
            "{INFO}\r\n{}\r\n,,,,,,销售数量,销售金额,\r\n1,云阳县青松中学,2019.9.1,泥溪镇三坪村,刘光富,土豆,30斤,90元,\r\n1,云阳县青松中学,2019.9.2,泥溪镇三坪村,刘光富,土豆,30斤,90元,\r\n",
            upper.join(",")
        );
        for p in [
            parse("分组表头.xlsx", &wb.save_to_buffer().unwrap()),
            parse("分组表头.csv", csv.as_bytes()),
        ] {
            assert_eq!(
                p.errors().count(),
                0,
                "{:?}",
                p.errors().collect::<Vec<_>>()
            );
            let s = sales(&p);
            let read: Vec<(u32, String, String)> = s
                .iter()
                .map(|(row, r)| (*row, r.quantity_text.clone(), r.amount.to_string()))
                .collect();
            assert_eq!(
                read,
                [
                    (4, "30斤".to_string(), "90.00".to_string()),
                    (5, "30斤".to_string(), "90.00".to_string())
                ],
                "{}",
                p.file_name
            );
        }
    }

    /// 销售金额 twice, the old column hidden (a WPS habit): the visible column is read, in xlsx
    /// (`<col hidden>`) and xls (COLINFO), with a sheet warning naming both columns.
    #[test]
    fn a_hidden_duplicate_column_is_not_read() {
        for name in [
            "v80_hidden_old_amount_column_openpyxl.xlsx",
            "v80_hidden_old_amount_column_lo.xls",
        ] {
            let p = variant(name);
            let amounts: Vec<String> = sales(&p)
                .iter()
                .map(|(_, r)| r.amount.to_string())
                .collect();
            assert_eq!(amounts, ["300.00", "600.00"], "{name}");
            assert!(
                p.file_warnings
                    .iter()
                    .any(|w| w.contains("未导入隐藏的H列") && w.contains("导入I列")),
                "{name}: {:?}",
                p.file_warnings
            );
        }
    }

    /// A hidden old copy of a sheet placed before the visible sheet: the visible rows are the
    /// ones imported (no hidden-sheet warning on them); the hidden copy is named as the repeat.
    #[test]
    fn a_hidden_copy_before_the_visible_sheet_gives_way_to_it() {
        let mut wb = Workbook::new();
        for (name, hidden) in [("旧", true), ("9月", false)] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.write_string(0, 0, INFO).unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            write_potato_sale(ws, 2, "2019.9.1", "泥溪镇三坪村");
            // The active sheet cannot be hidden: the visible one is active.
            if hidden {
                ws.set_hidden(true);
            } else {
                ws.set_active(true);
            }
        }
        let p = parse("旧在前.xlsx", &wb.save_to_buffer().unwrap());
        let s = sales(&p);
        assert_eq!(s.len(), 1);
        assert!(s[0].1.warnings.is_empty(), "{:?}", s[0].1.warnings);
        let kept: Vec<(&str, usize)> = p
            .sheets
            .iter()
            .map(|sheet| (sheet.name.as_str(), sheet.rows.len()))
            .filter(|(_, rows)| *rows > 0)
            .collect();
        assert_eq!(kept, [("9月", 1)]);
        assert!(
            p.file_warnings
                .iter()
                .any(|w| w.starts_with("工作表“旧”的记录与工作表“9月”完全相同")),
            "{:?}",
            p.file_warnings
        );
    }

    /// A row numbering the columns under the header (栏次 `1 2 … 9`) belongs to the header.
    #[test]
    fn a_column_number_row_under_the_header_is_not_data() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, INFO).unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
            ws.write_number(2, c as u16, (c + 1) as f64).unwrap();
        }
        write_potato_sale(ws, 3, "2019.9.1", "泥溪镇三坪村");
        let p = parse("栏次.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(
            p.errors().count(),
            0,
            "{:?}",
            p.errors().collect::<Vec<_>>()
        );
        assert_eq!(sales(&p).len(), 1);
    }

    /// A 填表说明 sheet naming some of the columns (no 贫困户姓名 or 产品品种) is not a form; the
    /// rows of a hidden sheet are imported, each flagged, as hidden rows are (rule 16).
    #[test]
    fn instructions_are_skipped_and_hidden_sheet_rows_are_flagged() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("填表说明").unwrap();
        let explained = ["序号", "销售时间", "地区", "销售数量", "销售金额"];
        let example = ["说明", "如2019.9.1", "乡镇+村", "带单位", "元"];
        for (c, (h, e)) in explained.iter().zip(example).enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
            ws.write_string(3, c as u16, e).unwrap();
        }
        for (name, date, hidden) in [("9月", "2019.9.1", false), ("旧", "2019.9.2", true)] {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            ws.write_string(0, 0, INFO).unwrap();
            for (c, h) in HEADER2.iter().enumerate() {
                ws.write_string(1, c as u16, *h).unwrap();
            }
            write_potato_sale(ws, 2, date, "泥溪镇三坪村");
            if hidden {
                ws.set_hidden(true);
            }
        }
        let p = parse("说明与隐藏.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(
            p.errors().count(),
            0,
            "{:?}",
            p.errors().collect::<Vec<_>>()
        );
        let names: Vec<&str> = p.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["9月", "旧"]);
        let flagged: Vec<(String, bool)> = p
            .sheets
            .iter()
            .flat_map(|sheet| {
                sheet.rows.iter().filter_map(|row| match &row.content {
                    RowContent::Sale(record) => Some((
                        record.date.date.to_string(),
                        record.warnings.iter().any(|w| w == "隐藏工作表中的行"),
                    )),
                    RowContent::Listing(_) => None,
                })
            })
            .collect();
        assert_eq!(
            flagged,
            [
                ("2019-09-01".to_string(), false),
                ("2019-09-02".to_string(), true)
            ]
        );
        assert!(
            p.file_warnings
                .iter()
                .any(|w| w.contains("工作表“旧”") && w.contains("隐藏的工作表")),
            "{:?}",
            p.file_warnings
        );
    }

    /// rule 2 with the header-info line signed at the foot of the table instead of above the
    /// header (here starting in column B): its 填报时间 gives the year of `9月1日` and its
    /// 填报单位 the township of a village-only 地区; the line itself is not data.
    #[test]
    fn an_info_line_under_the_table_is_read() {
        let form = form_under(
            "乡镇(街道)贫困户产品销售情况表",
            "序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|销售金额|备注",
            &[
                "1|云阳县青松中学|9月1日|三坪村|刘光富|土豆|30斤|90元",
                "",
                "|填报单位：泥溪镇人民政府　　填报时间：2019年9月30日",
            ],
        );
        let p = parse("foot.xlsx", &form);
        assert_eq!(
            p.errors().count(),
            0,
            "{:?}",
            p.errors().collect::<Vec<_>>()
        );
        assert!(p.file_warnings.is_empty(), "{:?}", p.file_warnings);
        let sales = sales(&p);
        assert_eq!(sales.len(), 1);
        assert_eq!(sales[0].1.date.date.to_string(), "2019-09-01");
        assert_eq!(
            township_name(&resolver(), &sales[0].1.township_code),
            "泥溪镇"
        );
        assert_eq!(p.sheets[0].header.unit.as_deref(), Some("泥溪镇人民政府"));
    }

    /// 销售金额 in 万元 (rounded) and in 元: the exact 元 column is read, whichever comes first.
    #[test]
    fn an_amount_in_yuan_is_read_before_the_same_in_wan_yuan() {
        for yuan_first in [false, true] {
            let (amounts, values) = if yuan_first {
                ("销售金额（元）|销售金额（万元）", "90|0.01")
            } else {
                ("销售金额（万元）|销售金额（元）", "0.01|90")
            };
            let form = nixi_form(
                "2019年9月30日",
                &format!("序号|采购单位|销售时间|地区|贫困户姓名|产品品种|销售数量|{amounts}"),
                &[&format!(
                    "1|云阳县青松中学|2019.9.1|泥溪镇三坪村|刘光富|土豆|30斤|{values}"
                )],
            );
            let p = parse("wan.xlsx", &form);
            assert_eq!(
                sales(&p)[0].1.amount.to_string(),
                "90.00",
                "元 first: {yuan_first}"
            );
        }
    }

    /// rule 21: a sheet that declares A1:Z1048576 (and has cells far apart) is sized from the
    /// cells present.
    #[test]
    fn declared_dimension_does_not_size_the_table() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
            .unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        let vals = [
            "1",
            "云阳县青松中学",
            "2019.9.1",
            "云阳县泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "90元",
            "",
        ];
        for r in 2..12u32 {
            for (c, v) in vals.iter().enumerate() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
        // A formatted but empty cell at the very bottom, as WPS writes after formatting columns.
        ws.write_blank(1_048_575, 25, &Format::new().set_bold())
            .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let bytes = set_dimension(&bytes, "A1:Z1048576");
        let before = resident_kb();
        let started = std::time::Instant::now();
        let p = parse("wps.xlsx", &bytes);
        let elapsed = started.elapsed();
        let grew = resident_kb().saturating_sub(before);
        assert_eq!(p.rows().count(), 10);
        assert!(elapsed.as_secs_f64() < 2.0, "took {elapsed:?}");
        assert!(grew < 100 * 1024, "resident memory grew by {grew} KB");
    }

    /// rule 16 in .xls: a ROW record with fDyZero set (row 8 of sample 15 hidden by hand).
    #[test]
    fn hidden_row_in_xls_is_imported_and_flagged() {
        let mut bytes = std::fs::read(samples_dir().join("15_fj2_biff8.xls")).unwrap();
        // ROW record (0x0208, length 16) of row index 7 = Excel row 8; grbit at data offset 12.
        let pattern = [0x08, 0x02, 0x10, 0x00, 0x07, 0x00];
        let pos = bytes
            .windows(6)
            .position(|w| w == pattern)
            .expect("ROW record of row 8");
        bytes[pos + 4 + 12] |= 0x20;
        let p = parse("15_hidden.xls", &bytes);
        assert_eq!(p.rows().count(), 10);
        for r in p.rows() {
            let flagged = r.content.warnings().iter().any(|w| w == HIDDEN_ROW_WARNING);
            assert_eq!(flagged, r.row == 8, "row {}", r.row);
        }
    }

    /// An autofilter that hides rows (xlsx): the hidden rows are data, flagged.
    #[test]
    fn rows_hidden_by_a_filter_are_imported_and_flagged() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
            .unwrap();
        for (c, h) in HEADER2.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for (i, product) in ["土豆", "红薯", "土豆"].iter().enumerate() {
            let r = 2 + i as u32;
            let vals = [
                "1",
                "云阳县青松中学",
                "2019.9.1",
                "云阳县泥溪镇三坪村",
                "刘光富",
                product,
                "30斤",
                "90元",
                "",
            ];
            for (c, v) in vals.iter().enumerate() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
        ws.autofilter(1, 0, 4, 8).unwrap();
        ws.filter_column(
            5,
            &rust_xlsxwriter::FilterCondition::new().add_list_filter("土豆"),
        )
        .unwrap();
        let p = parse("filtered.xlsx", &wb.save_to_buffer().unwrap());
        assert_eq!(p.rows().count(), 3);
        let flagged: Vec<u32> = p
            .rows()
            .filter(|r| r.content.warnings().iter().any(|w| w == HIDDEN_ROW_WARNING))
            .map(|r| r.row)
            .collect();
        assert_eq!(flagged, vec![4]);
    }

    /// Rewrites `<dimension ref="…"/>` of xl/worksheets/sheet1.xml.
    pub fn set_dimension(xlsx: &[u8], reference: &str) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut zin = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                let text = String::from_utf8(data).unwrap();
                let start = text.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
                let end = start + text[start..].find('"').unwrap();
                data = format!("{}{}{}", &text[..start], reference, &text[end..]).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn resident_kb() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .map(str::to_string)
            })
            .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            .unwrap_or(0)
    }

    /// rule 20: an HTML table saved as .xls is read like a sheet (rows in <tr> order).
    #[test]
    fn html_saved_as_xls_is_imported() {
        let mut html = String::from(
            "<html><head><meta http-equiv=Content-Type content=\"text/html; charset=utf-8\"></head><body><table border=1>\
             <tr><td colspan=9>附件2</td></tr>\
             <tr><td colspan=9>填报单位：泥溪镇人民政府&nbsp;&nbsp;填报时间：2019年9月30日</td></tr><tr>",
        );
        for h in HEADER2 {
            html.push_str(&format!("<th>{h}</th>"));
        }
        html.push_str("</tr>");
        for (i, name) in ["刘光富", "陈秀英"].iter().enumerate() {
            html.push_str(&format!(
                "<tr><td>{}</td><td>云阳县青松中学</td><td>2019-09-0{}</td><td>云阳县泥溪镇三坪村</td><td>{name}</td><td>土豆</td><td>30斤</td><td>1,200.00</td><td>&nbsp;</td></tr>",
                i + 1,
                i + 1
            ));
        }
        html.push_str("</table></body></html>");
        let p = parse("导出.xls", html.as_bytes());
        let s = sales(&p);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, 4, "row numbers in <tr> order");
        assert_eq!(s[1].1.amount.to_string(), "1200.00");
        assert_eq!(s[1].1.remark, "");
    }

    /// A file written by our own exporter comes back with its hidden record ids, its submission
    /// id, its header-info line, and without its 合计 row or notes.
    #[test]
    fn exported_form_round_trips_with_record_and_submission_ids() {
        use xiaofei_fupin::domain::Money;
        use xiaofei_fupin::forms::export::{self, CellValue as Out, FormDocument, FormRow};
        let text = |s: &str| Out::Text(s.to_string());
        let rows = (0..3)
            .map(|i| FormRow {
                record_id: Some(100 + i),
                typed: Vec::new(),
                cells: vec![
                    text("云阳县青松中学"),
                    text(&format!("2019.9.{}", i + 1)),
                    text("云阳县泥溪镇三坪村"),
                    text("刘光富"),
                    text("土豆"),
                    text("30斤"),
                    Out::Money(Money::from_fen(9_000 + i)),
                    text(if i == 2 { "=1+1" } else { "" }),
                ],
            })
            .collect();
        let doc = FormDocument {
            kind: FormKind::Sale,
            header: export::HeaderInfo {
                unit: "泥溪镇人民政府".into(),
                person: "李某某".into(),
                phone: "13800002100".into(),
                date: "2019年9月30日".into(),
            },
            rows,
            submission_id: "S-2019Q3-0007".into(),
        };
        let bytes = export::form_to_bytes(&doc).expect("export");
        let p = parse("附件2.xlsx", &bytes);
        assert_eq!(p.sheets.len(), 1);
        let sheet = &p.sheets[0];
        assert_eq!(sheet.kind, FormKind::Sale);
        assert_eq!(sheet.submission_id.as_deref(), Some("S-2019Q3-0007"));
        assert_eq!(sheet.header.unit.as_deref(), Some("泥溪镇人民政府"));
        assert_eq!(sheet.header.contact_person.as_deref(), Some("李某某"));
        assert_eq!(sheet.header.phone.as_deref(), Some("13800002100"));
        assert_eq!(
            sheet.header.date.map(|d| d.to_string()).as_deref(),
            Some("2019-09-30")
        );
        assert!(sheet.errors.is_empty(), "{:?}", sheet.errors);
        let ids: Vec<Option<i64>> = sheet.rows.iter().map(|r| r.record_id).collect();
        assert_eq!(ids, vec![Some(100), Some(101), Some(102)]);
        let amounts: Vec<String> = sales(&p)
            .iter()
            .map(|(_, s)| s.amount.to_string())
            .collect();
        assert_eq!(amounts, vec!["90.00", "90.01", "90.02"]);
        assert_eq!(
            sheet.stated_total.map(|m| m.to_string()).as_deref(),
            Some("270.03")
        );
        assert!(p.file_warnings.is_empty(), "{:?}", p.file_warnings);
        let RowContent::Sale(last) = &sheet.rows[2].content else {
            panic!()
        };
        assert_eq!(last.remark, "=1+1", "formula-like text stays text");
    }

    /// A CSV in UTF-8 with BOM and a GBK one read the same.
    #[test]
    fn csv_utf8_bom_and_gbk_agree() {
        let mut text = String::from(
            "附件2,,,,,,,,\r\n填报单位：泥溪镇人民政府　填报时间：2019年9月30日,,,,,,,,\r\n",
        );
        text.push_str(&HEADER2.join(","));
        text.push_str(
            "\r\n1,云阳县青松中学,2019/9/3,云阳县泥溪镇三坪村,刘光富,土豆,30斤,\"1,200.00\",\r\n",
        );
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        let a = parse("a.csv", &utf8);
        let b = parse("b.csv", &gbk);
        let (sa, sb) = (sales(&a), sales(&b));
        assert_eq!(sa.len(), 1);
        assert_eq!(sa[0].0, 4);
        assert_eq!(sa[0].1.amount.to_string(), "1200.00");
        assert_eq!(sa[0].1.household, sb[0].1.household);
        assert_eq!(sa[0].1.date, sb[0].1.date);
    }

    /// A large sheet is validated on several threads; rows and errors come back in row order.
    #[test]
    fn large_sheet_keeps_row_order() {
        let mut text = String::from("填报单位：泥溪镇人民政府　填报时间：2019年9月30日\n");
        text.push_str(&HEADER2.join(","));
        text.push('\n');
        for i in 0..6000u32 {
            let amount = if i % 1000 == 7 {
                "-5元".to_string()
            } else {
                format!("{}元", 10 + i)
            };
            text.push_str(&format!(
                "{},云阳县青松中学,2019.9.{},云阳县泥溪镇三坪村,刘光富,土豆,30斤,{amount},\n",
                i + 1,
                1 + i % 28
            ));
        }
        let p = parse("big.csv", text.as_bytes());
        let rows: Vec<u32> = p.rows().map(|r| r.row).collect();
        assert_eq!(rows.len(), 5994);
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            p.sheets[0].rejected_rows(),
            (0..6).map(|k| 3 + 7 + 1000 * k).collect::<Vec<u32>>()
        );
    }

    /// A header that no form has is a file rejection naming the expected columns.
    #[test]
    fn no_header_is_rejected_with_the_expected_headers() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_string(0, 1, "电话").unwrap();
        ws.write_string(1, 0, "张三").unwrap();
        let err = parse_bytes("x.xlsx", &wb.save_to_buffer().unwrap(), &resolver()).unwrap_err();
        assert!(
            err.message.contains("销售时间") && err.message.contains("计划销量"),
            "{}",
            err.message
        );
        let truncated = {
            let mut b = Workbook::new();
            b.add_worksheet().write_string(0, 0, "x").unwrap();
            let bytes = b.save_to_buffer().unwrap();
            bytes[..bytes.len() / 2].to_vec()
        };
        let err = parse_bytes("t.xlsx", &truncated, &resolver()).unwrap_err();
        assert!(err.message.contains("损坏或不完整"), "{}", err.message);
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness: parse_bytes never panics. A long session, by hand:
//   PROPTEST_CASES=200000 IMPORT_FUZZ_VERBOSE=1 cargo test --release --test import_corpus never_panic -- --nocapture
// IMPORT_FUZZ_VERBOSE prints every panic caught inside a reader library (tolerated: the file is
// rejected as damaged); a panic in this crate's own code fails the test.

/// The files mutated by the fuzz tests: the samples and the variants in `tests/variants` (odd
/// .xls files of other writers among them).
fn sample_bytes() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let variants = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/variants"));
    let entries = std::fs::read_dir(samples_dir())
        .expect("samples")
        .chain(std::fs::read_dir(variants).expect("variants"));
    for entry in entries {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") || name.ends_with(".md") {
            continue;
        }
        out.push((name, std::fs::read(&path).expect("read sample")));
    }
    out.sort();
    out
}

/// A mutation of a sample file.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Truncate { at: usize },
    Overwrite { at: usize, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    match m {
        Mutation::Flip { at, mask } => {
            let i = at % bytes.len();
            bytes[i] ^= mask;
        }
        Mutation::Insert { at, bytes: ins } => {
            let i = at % (bytes.len() + 1);
            bytes.splice(i..i, ins.iter().copied());
        }
        Mutation::Truncate { at } => {
            let i = at % bytes.len();
            bytes.truncate(i);
        }
        Mutation::Overwrite { at, bytes: over } => {
            let i = at % bytes.len();
            for (k, b) in over.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(i + k) {
                    *slot = *b;
                }
            }
        }
    }
}

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Panics caught inside `parse_bytes` (which turns them into a rejection) are recorded here by
/// a panic hook, so the fuzz tests can tell a panic in our code (a failure) from one inside a
/// reader library (tolerated, counted, printed).
static PANICS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn install_panic_recorder() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            if let Ok(mut p) = PANICS.lock() {
                p.push(location);
            }
            if std::env::var("IMPORT_FUZZ_VERBOSE").is_ok() {
                default(info);
            }
        }));
    });
}

/// Parses and fails on a panic raised in this crate's own code (src/), whatever catches it.
fn parse_checked(name: &str, bytes: &[u8], resolver: &RegionResolver) -> Result<(), TestCaseError> {
    install_panic_recorder();
    let before = PANICS.lock().map(|p| p.len()).unwrap_or(0);
    let _ = parse_bytes(name, bytes, resolver);
    let new: Vec<String> = PANICS
        .lock()
        .map(|p| p.get(before..).unwrap_or(&[]).to_vec())
        .unwrap_or_default();
    let ours: Vec<&String> = new
        .iter()
        .filter(|l| !l.contains(".cargo") && !l.contains("/rustc/"))
        .collect();
    prop_assert!(
        ours.is_empty(),
        "panic in our code at {ours:?} for {name} ({} bytes)",
        bytes.len()
    );
    Ok(())
}

/// The entries of a zip, decompressed.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("sample zip");
    (0..zin.len())
        .map(|i| {
            let mut f = zin.by_index(i).expect("entry");
            let name = f.name().expect("name").to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("inflate");
            (name, data)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(data).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

proptest! {
    #![proptest_config(cases(80))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), name in "[a-z]{1,8}\\.(xlsx|xls|csv)") {
        let resolver = resolver();
        parse_checked(&name, &bytes, &resolver)?;
        // Also behind each container signature.
        for magic in [&b"PK\x03\x04"[..], &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &b"<html><table><tr><td>"[..]] {
            let mut b = magic.to_vec();
            b.extend_from_slice(&bytes);
            parse_checked(&name, &b, &resolver)?;
        }
    }

    #[test]
    fn mutated_samples_never_panic(which in any::<usize>(), ms in proptest::collection::vec(mutation(), 1..6)) {
        let samples = sample_bytes();
        let (name, original) = &samples[which % samples.len()];
        let mut bytes = original.clone();
        for m in &ms {
            apply(&mut bytes, m);
        }
        parse_checked(name, &bytes, &resolver())?;
    }

    /// Mutations inside the XML parts of the xlsx samples, re-zipped, so they reach the XML
    /// readers instead of failing the deflate checksum.
    #[test]
    fn mutated_xlsx_parts_never_panic(which in any::<usize>(), part in any::<usize>(), ms in proptest::collection::vec(mutation(), 1..6)) {
        let samples: Vec<_> = sample_bytes().into_iter().filter(|(n, b)| n.ends_with(".xlsx") && !b.is_empty() && n.starts_with(char::is_numeric) && !n.starts_with("22")).collect();
        let (name, original) = &samples[which % samples.len()];
        let mut entries = unzip(original);
        let i = part % entries.len();
        for m in &ms {
            apply(&mut entries[i].1, m);
        }
        parse_checked(name, &rezip(&entries), &resolver())?;
    }
}

// ---------------------------------------------------------------------------------------------
// A column filled down to the last row of the sheet (a clerk's Ctrl+D over the whole column)

/// Sample 01 with one column (`column`, e.g. `I` = 备注) filled from row 25 down to row
/// 1,048,576 with the workbook's first shared string.
fn sample_01_with_column_filled_to_bottom(column: &str) -> Vec<u8> {
    let bytes = std::fs::read(samples_dir().join("01_fj2_baseline_nixi_20rows.xlsx")).expect("01");
    let mut entries = unzip(&bytes);
    let (_, sheet) = entries
        .iter_mut()
        .find(|(name, _)| name == "xl/worksheets/sheet1.xml")
        .expect("sheet1");
    let text = String::from_utf8(std::mem::take(sheet)).expect("utf-8");
    let mut filled = String::with_capacity(48 * 1_048_576);
    for r in 25..=1_048_576u32 {
        filled.push_str(&format!(
            "<row r=\"{r}\"><c r=\"{column}{r}\" t=\"s\"><v>0</v></c></row>"
        ));
    }
    *sheet = text
        .replace("</sheetData>", &format!("{filled}</sheetData>"))
        .into_bytes();
    rezip(&entries)
}

fn resident_kb_now() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Issue 3 ("a sheet that declares a million rows does not exhaust memory"): 备注 filled down to
/// row 1,048,576 gives the 20 records, no row errors and one warning — not 7 million errors.
#[test]
fn a_note_column_filled_to_the_last_row_is_skipped_with_one_warning() {
    let bytes = sample_01_with_column_filled_to_bottom("I");
    let before = resident_kb_now();
    let parsed = parse_bytes("fill1m.xlsx", &bytes, &resolver()).expect("imported");
    let grew = resident_kb_now().saturating_sub(before);
    assert_eq!(parsed.rows().count(), 20);
    assert_eq!(parsed.errors().count(), 0);
    let skipped: Vec<&String> = parsed
        .file_warnings
        .iter()
        .filter(|w| w.contains("已按空行跳过"))
        .collect();
    assert_eq!(skipped.len(), 1, "{:?}", parsed.file_warnings);
    assert!(
        skipped[0].contains("第25–1048576行中有1048552行只填写了备注"),
        "{}",
        skipped[0]
    );
    assert!(grew < 1024 * 1024, "resident memory grew by {grew} KB");
}

/// A key column (采购单位) filled to the last row: every such row is bad, so the file is refused
/// with one message naming the sheet and the count, and only the first rows' issues are kept.
#[test]
fn a_key_column_filled_to_the_last_row_refuses_the_file_with_one_message() {
    let bytes = sample_01_with_column_filled_to_bottom("B");
    let rejection = parse_bytes("fill1m_key.xlsx", &bytes, &resolver()).expect_err("refused");
    assert!(
        rejection
            .message
            .starts_with("工作表“Sheet1”有1048552行数据无法导入（超过1000行），整个文件未导入"),
        "{}",
        rejection.message
    );
    assert!(rejection.message.contains("R25"), "{}", rejection.message);
}

/// Up to the limit, bad rows are listed one by one and the good rows imported.
#[test]
fn a_thousand_bad_rows_are_still_listed_row_by_row() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年9月30日")
        .unwrap();
    for (c, h) in crafted::HEADER2.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let good = [
        "云阳县青松中学",
        "2019.9.1",
        "云阳县泥溪镇三坪村",
        "刘光富",
        "土豆",
        "30斤",
        "90元",
    ];
    for (c, v) in good.iter().enumerate() {
        ws.write_string(2, c as u16 + 1, *v).unwrap();
    }
    // 1,000 rows with only 采购单位 (6 errors each): at the limit, still listed.
    for r in 3..1003u32 {
        ws.write_string(r, 1, "云阳县青松中学").unwrap();
    }
    let parsed =
        parse_bytes("bad1000.xlsx", &wb.save_to_buffer().unwrap(), &resolver()).expect("imported");
    assert_eq!(parsed.rows().count(), 1);
    assert_eq!(parsed.sheets[0].rejected_rows().len(), 1000);
    assert_eq!(parsed.errors().count(), 6000);
}

/// A 销售金额 formula dragged down the template (cached 0) and a lookup formula showing `#N/A`
/// in rows nobody filled: not records, skipped like blank rows with one warning.
#[test]
fn formulas_dragged_down_empty_rows_are_skipped_like_blank_rows() {
    let bytes = std::fs::read(samples_dir().join("01_fj2_baseline_nixi_20rows.xlsx")).expect("01");
    let mut entries = unzip(&bytes);
    let (_, sheet) = entries
        .iter_mut()
        .find(|(name, _)| name == "xl/worksheets/sheet1.xml")
        .expect("sheet1");
    let text = String::from_utf8(std::mem::take(sheet)).expect("utf-8");
    let mut filled = String::new();
    for r in 25..=3_024u32 {
        filled.push_str(&format!(
            "<row r=\"{r}\"><c r=\"B{r}\" t=\"e\"><f>VLOOKUP(A{r},X:Y,2,0)</f><v>#N/A</v></c>\
             <c r=\"H{r}\"><f>G{r}*3</f><v>0</v></c></row>"
        ));
    }
    *sheet = text
        .replace("</sheetData>", &format!("{filled}</sheetData>"))
        .into_bytes();
    let bytes = rezip(&entries);
    let parsed = parse_bytes("formulas.xlsx", &bytes, &resolver()).expect("imported");
    assert_eq!(parsed.rows().count(), 20);
    assert_eq!(parsed.errors().count(), 0);
    assert!(
        parsed
            .file_warnings
            .iter()
            .any(|w| w.contains("第25–3024行中有3000行") && w.contains("已按空行跳过")),
        "{:?}",
        parsed.file_warnings
    );
}

/// A row of the sheet's XML left without its `</row>` (damaged or hand-edited XML; a tester's
/// case ran a broken row into the next and lost it): the file is refused as damaged, naming the
/// sheet and row, whichever reader reads it; the same file intact imports.
#[test]
fn a_row_without_its_end_tag_refuses_the_file() {
    let bytes = std::fs::read(samples_dir().join("01_fj2_baseline_nixi_20rows.xlsx")).expect("01");
    let mut entries = unzip(&bytes);
    let sheet = entries
        .iter()
        .position(|(name, _)| name == "xl/worksheets/sheet1.xml")
        .expect("sheet1");
    let text = String::from_utf8(entries[sheet].1.clone()).expect("utf-8");
    let row_10 = text.find("<row r=\"10\"").expect("row 10");
    let end = row_10 + text[row_10..].find("</row>").expect("end of row 10");
    for broken in [
        // The end tag dropped.
        format!("{}{}", &text[..end], &text[end + "</row>".len()..]),
        // A stray cell text with a wrong end tag, then the row opened again (the tester's file).
        format!(
            "{}<row r=\"10\"><c r=\"A10\" t=\"inlineStr\"><is><t>oops</is></c>{}",
            &text[..row_10],
            &text[row_10..]
        ),
    ] {
        entries[sheet].1 = broken.into_bytes();
        let rejection = match parse_bytes("broken.xlsx", &rezip(&entries), &resolver()) {
            Err(rejection) => rejection.message,
            Ok(parsed) => panic!("imported {} rows", parsed.rows().count()),
        };
        assert!(
            rejection.contains("文件已损坏或不完整")
                && rejection.contains("第10行附近有一行没有正确结束"),
            "{rejection}"
        );
    }
    entries[sheet].1 = text.into_bytes();
    assert_eq!(
        parse_bytes("intact.xlsx", &rezip(&entries), &resolver())
            .expect("intact")
            .rows()
            .count(),
        20
    );
}
