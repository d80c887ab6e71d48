//! A month-only date (`2019.10`, or the ambiguous `2019.1`) is not the 1st of the month for the
//! content key (import rule 14): a month-only row and a row dated the 1st are neither paired as
//! the same sale nor taken for a duplicate; the operator can still confirm them as a near match.

mod common;

use std::path::{Path, PathBuf};

use common::temp_store;
use rust_xlsxwriter::Workbook;
use xiaofei_fupin::domain::Money;
use xiaofei_fupin::forms::ingest::{FileReport, commit, prepare};
use xiaofei_fupin::store::Store;

/// A 附件2 (`form` 2) or 附件3 (`form` 3) file with one row: 刘光富's 30斤 土豆 of 泥溪镇三坪村 for
/// 90元 on `date` (as typed), to or by 云阳县教委.
fn form_file(dir: &Path, name: &str, form: u8, date: &str) -> PathBuf {
    let (label, title, when, quantity, amount) = if form == 2 {
        (
            "附件2",
            "乡镇(街道)贫困户产品销售情况表",
            "销售时间",
            "销售数量",
            "销售金额",
        )
    } else {
        (
            "附件3",
            "牵头单位系统(行业)购买贫困户产品采购情况表",
            "采购时间",
            "采购数量",
            "采购金额",
        )
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, label).unwrap();
    sheet.write_string(1, 0, title).unwrap();
    sheet
        .write_string(
            2,
            0,
            "填报单位：云阳县教委　　供货联系人姓名：李某某　　联系方式：138-0000-2100　　填报时间：2019年12月20日",
        )
        .unwrap();
    let header = [
        "序号",
        "采购单位",
        when,
        "地区",
        "贫困户姓名",
        "产品品种",
        quantity,
        amount,
        "备注",
    ];
    let row = [
        "1",
        "云阳县教委",
        date,
        "云阳县泥溪镇三坪村",
        "刘光富",
        "土豆",
        "30斤",
        "90元",
        "",
    ];
    for (col, (head, value)) in header.iter().zip(row).enumerate() {
        sheet.write_string(3, col as u16, *head).unwrap();
        sheet.write_string(4, col as u16, value).unwrap();
    }
    let path = dir.join(name);
    workbook.save(&path).unwrap();
    path
}

fn import(store: &mut Store, path: &Path) -> FileReport {
    let prepared = prepare(store, path).unwrap();
    let report = commit(store, &prepared).unwrap();
    assert_eq!(report.outcome, "imported", "{report:?}");
    report
}

#[test]
fn a_month_only_procurement_is_not_paired_with_a_sale_of_the_1st_but_is_a_near_match() {
    for procurement_first in [true, false] {
        let (dir, _, mut store) = temp_store();
        let procurement = form_file(dir.path(), "附件3.xlsx", 3, "2019.10");
        let sale = form_file(dir.path(), "附件2.xlsx", 2, "2019.10.1");
        let order = if procurement_first {
            [&procurement, &sale]
        } else {
            [&sale, &procurement]
        };
        for path in order {
            assert_eq!(import(&mut store, path).rows_added, 1);
        }
        let totals = store.summary_totals(2019).unwrap();
        assert_eq!(
            totals.double_counted_pairs, 0,
            "first 附件3: {procurement_first}"
        );
        assert_eq!(totals.total, Money::from_fen(18000), "both count");
        assert!(store.same_sale_pairs(2019).unwrap().is_empty());
        assert_eq!(store.pair_exact_same_sales().unwrap(), 0);

        let near = store.near_matches(2019).unwrap();
        assert_eq!(near.len(), 1, "first 附件3: {procurement_first}");
        assert_eq!(near[0].procurement.record.date_text, "2019.10");
        assert_eq!(near[0].sale.record.date_text, "2019.10.1");
        assert_eq!(near[0].days_apart, 0);
        // Confirmed by the operator, it counts once.
        let (p, s) = (near[0].procurement.id, near[0].sale.id);
        store.confirm_same_sale(p, s).unwrap();
        assert_eq!(
            store.summary_totals(2019).unwrap().total,
            Money::from_fen(9000)
        );
    }
}

#[test]
fn an_exact_day_row_after_a_month_only_row_of_the_same_content_is_added() {
    let (dir, _, mut store) = temp_store();
    let month_only = form_file(dir.path(), "十月.xlsx", 2, "2019.10");
    let first_day = form_file(dir.path(), "十月一日.xlsx", 2, "2019.10.1");
    import(&mut store, &month_only);
    let report = import(&mut store, &first_day);
    assert_eq!((report.rows_added, report.rows_duplicate), (1, 0));
    // And the other way round.
    let report = import(
        &mut store,
        &form_file(dir.path(), "3十月一日.xlsx", 3, "2019.10.1"),
    );
    assert_eq!((report.rows_added, report.rows_duplicate), (1, 0));
    let report = import(
        &mut store,
        &form_file(dir.path(), "3十月.xlsx", 3, "2019.10"),
    );
    assert_eq!((report.rows_added, report.rows_duplicate), (1, 0));
    // Each pairs with its exact equal only: 2019.10.1 with 2019.10.1, 2019.10 with 2019.10.
    let pairs = store.same_sale_pairs(2019).unwrap();
    let mut dates: Vec<(String, String)> = pairs
        .iter()
        .map(|(p, s)| (p.record.date_text.clone(), s.record.date_text.clone()))
        .collect();
    dates.sort();
    assert_eq!(
        dates,
        vec![
            ("2019.10".to_string(), "2019.10".to_string()),
            ("2019.10.1".to_string(), "2019.10.1".to_string())
        ]
    );
    // The same month-only file again is still a duplicate.
    let again = import(&mut store, &month_only);
    assert_eq!((again.rows_added, again.rows_duplicate), (0, 1));
}

#[test]
fn an_ambiguous_january_is_not_the_1st_of_january() {
    // `2019.1` is read as January, month precision (1月还是10月?), not as 2019.1.1.
    let (dir, _, mut store) = temp_store();
    import(&mut store, &form_file(dir.path(), "a.xlsx", 2, "2019.1"));
    let report = import(&mut store, &form_file(dir.path(), "b.xlsx", 2, "2019.1.1"));
    assert_eq!((report.rows_added, report.rows_duplicate), (1, 0));
}
