//! Courier logistics (issue 4 item 2, R5): importing courier/postal files (GBK CSV and xlsx with
//! different header spellings) through the same path as the forms, re-import adding nothing,
//! automatic and by-hand linking to sales, totals unchanged, and the linked share in
//! `report --json`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{NIXI, SHUANGJIANG, SaleRecordFixture, sale, temp_store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use xiaofei_fupin::domain::Money;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::forms::ingest::{FileReport, commit, prepare};
use xiaofei_fupin::report::dashboard::dashboard;
use xiaofei_fupin::report::status::add_status_json;
use xiaofei_fupin::store::{LinkKind, ShipmentState, Store};

/// A postal (邮政) export in GBK with 邮件号/收寄日期/发件人/发件地区/内件/重量（公斤）/资费:
/// 9800001 is 王某某's 土豆 one day after the sale (15.5公斤 = 31斤 for 30斤), 9800002 the same
/// household 19 days later, 9800003 a household with no sale, row 5 a bad date.
const POSTAL_CSV: &str = "邮件号,收寄日期,发件人,发件地区,收件单位,内件,重量（公斤）,资费\r\n\
    9800001,2019-09-02,王某某,云阳县泥溪镇三坪村2组,云阳县商务委,土豆,15.5,12.00\r\n\
    9800002,2019-09-20,王 某某,云阳县泥溪镇三坪村,云阳县商务委,土豆,15,12\r\n\
    9800003,2019/9/3,李某某,双江街道柏杨村,县教委,腊肉,5,10\r\n\
    9800004,2019-09-31,王某某,泥溪镇三坪村,云阳县商务委,土豆,15,12\r\n\
    合计,,,,,,,46\r\n";

/// Writes the postal export as GBK (what Excel on Chinese Windows saves).
fn postal_csv(dir: &Path) -> PathBuf {
    let path = dir.join("邮政揽收明细.csv");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(POSTAL_CSV);
    assert!(!unmappable);
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// Waybill, date, sender, address, receiver, product, kg, fee.
type CourierRow = (
    &'static str,
    (u16, u8, u8),
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
);

/// A courier (快递) xlsx with a title row and 运单号/揽收时间 (date cells)/寄件人/寄件地址/收件人/
/// 品名/重量(kg)/运费/快递公司: SF001 carries 唐某某's 腊肉 (7.5kg = 15斤) of 双江街道柏杨村.
fn courier_xlsx(dir: &Path) -> PathBuf {
    let path = dir.join("快递寄件清单.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("寄件清单").unwrap();
    sheet
        .write_string(0, 0, "某某快递云阳网点寄件清单")
        .unwrap();
    let header = [
        "运单号",
        "揽收时间",
        "寄件人",
        "寄件地址",
        "收件人",
        "品名",
        "重量(kg)",
        "运费",
        "快递公司",
    ];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string(2, col as u16, *name).unwrap();
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let rows: [CourierRow; 2] = [
        (
            "SF001",
            (2019, 9, 13),
            "唐某某",
            "重庆市云阳县双江街道柏杨村",
            "云阳县教委",
            "腊肉",
            7.5,
            18.0,
        ),
        (
            "SF002",
            (2019, 10, 8),
            "张某",
            "泥溪镇",
            "云阳县人民医院",
            "蜂蜜",
            2.0,
            10.0,
        ),
    ];
    for (index, (waybill, date, sender, address, receiver, product, kg, fee)) in
        rows.iter().enumerate()
    {
        let row = 3 + index as u32;
        sheet.write_string(row, 0, *waybill).unwrap();
        sheet
            .write_datetime_with_format(
                row,
                1,
                ExcelDateTime::from_ymd(date.0, date.1, date.2).unwrap(),
                &date_format,
            )
            .unwrap();
        sheet.write_string(row, 2, *sender).unwrap();
        sheet.write_string(row, 3, *address).unwrap();
        sheet.write_string(row, 4, *receiver).unwrap();
        sheet.write_string(row, 5, *product).unwrap();
        sheet.write_number(row, 6, *kg).unwrap();
        sheet.write_number(row, 7, *fee).unwrap();
        sheet.write_string(row, 8, "某某快递").unwrap();
    }
    workbook.save(&path).unwrap();
    path
}

/// 王某某's 30斤 土豆 of 泥溪镇三坪村 on 2019-09-01 (90元) and 唐某某's 15斤 腊肉 of 双江街道柏杨村
/// on 2019-09-12 (600元), both 附件2: (first id, second id).
fn two_sales(store: &mut Store) -> (i64, i64) {
    let potatoes = store
        .insert_sale(
            &sale(
                FormKind::Sale,
                "云阳县商务委",
                NIXI,
                "三坪村",
                (2019, 9, 1),
                9000,
            )
            .with_region("云阳县泥溪镇三坪村"),
        )
        .unwrap();
    let bacon = store
        .insert_sale(
            &sale(
                FormKind::Sale,
                "云阳县青松中学",
                SHUANGJIANG,
                "柏杨村",
                (2019, 9, 12),
                60000,
            )
            .with_region("双江街道柏杨村")
            .with_household("唐某某")
            .with_product("腊肉")
            .with_quantity(15, "斤"),
        )
        .unwrap();
    (potatoes, bacon)
}

fn import(store: &mut Store, path: &Path) -> FileReport {
    let prepared = prepare(store, path).unwrap();
    let preview = prepared.report(&prepared.plan, false);
    assert_eq!(preview.outcome, "imported", "{preview:?}");
    commit(store, &prepared).unwrap()
}

fn shipment_id(store: &Store, waybill: &str) -> i64 {
    store
        .shipments(2019, ShipmentState::All)
        .unwrap()
        .into_iter()
        .find(|s| s.record.waybill == waybill)
        .unwrap_or_else(|| panic!("no shipment {waybill}"))
        .id
}

#[test]
fn a_gbk_postal_csv_imports_as_shipments_and_again_adds_nothing() {
    let (dir, _path, mut store) = temp_store();
    let (potatoes, _bacon) = two_sales(&mut store);
    let before = store.summary_totals(2019).unwrap();
    let file = postal_csv(dir.path());

    let prepared = prepare(&store, &file).unwrap();
    let preview = prepared.report(&prepared.plan, false);
    assert_eq!(preview.form, "物流");
    assert_eq!(preview.rows_added, 3, "{preview:?}");
    assert_eq!(preview.total, None, "logistics adds no money");
    let report = commit(&mut store, &prepared).unwrap();
    assert_eq!(report.form, "物流");
    assert_eq!((report.rows_imported, report.rows_added), (3, 3));
    assert_eq!(report.rows_rejected, 1);
    assert!(
        report.message.contains("自动关联销售1条"),
        "{}",
        report.message
    );
    let error = &report.errors[0];
    assert_eq!(
        (error.sheet.as_str(), error.row, error.column.as_str()),
        ("邮政揽收明细", 5, "寄件日期")
    );
    assert!(error.message.contains("2019-09-31"), "{}", error.message);

    let shipments = store.shipments(2019, ShipmentState::All).unwrap();
    assert_eq!(shipments.len(), 3);
    let first = &shipments[0];
    assert_eq!(first.record.waybill, "9800001");
    assert_eq!(first.record.household, "王某某");
    assert_eq!(first.record.village, "三坪村");
    assert_eq!(first.record.weight_text, "15.5公斤");
    assert_eq!(first.record.weight_jin.unwrap().to_string(), "31");
    assert_eq!(first.record.fee, Some(Money::from_fen(1200)));
    assert_eq!(first.township_name, "泥溪镇");
    assert_eq!(first.sale.as_ref().map(|s| s.id), Some(potatoes));
    assert_eq!(first.link_kind, Some(LinkKind::Auto));
    assert_eq!(
        store
            .shipments(2019, ShipmentState::Unlinked)
            .unwrap()
            .len(),
        2,
        "19 days apart and a household without sale stay unlinked"
    );

    // The same file again: nothing added, announced in the preview.
    let again = prepare(&store, &file).unwrap();
    let preview = again.report(&again.plan, false);
    assert_eq!((preview.rows_added, preview.rows_duplicate), (0, 3));
    let report = commit(&mut store, &again).unwrap();
    assert_eq!((report.rows_added, report.rows_duplicate), (0, 3));
    assert_eq!(store.shipment_count().unwrap(), 3);

    // Logistics never changes a total.
    assert_eq!(store.summary_totals(2019).unwrap(), before);
}

#[test]
fn an_xlsx_with_other_header_names_imports_and_links_by_weight_in_kg() {
    let (dir, _path, mut store) = temp_store();
    let (_potatoes, bacon) = two_sales(&mut store);
    let before = store.summary_totals(2019).unwrap();
    let report = import(&mut store, &courier_xlsx(dir.path()));
    assert_eq!(report.form, "物流");
    assert_eq!(
        (report.rows_added, report.rows_rejected),
        (2, 0),
        "{report:?}"
    );
    let sf = store.shipment(shipment_id(&store, "SF001")).unwrap();
    assert_eq!(sf.record.carrier, "某某快递");
    assert_eq!(sf.record.date_text, "2019-09-13");
    assert_eq!(sf.record.receiver, "云阳县教委");
    assert_eq!(sf.record.weight_jin.unwrap().to_string(), "15");
    assert_eq!(sf.record.source_sheet, "寄件清单");
    assert_eq!(sf.record.source_row, 4);
    assert_eq!(sf.sale.map(|s| s.id), Some(bacon));
    assert_eq!(store.summary_totals(2019).unwrap(), before);
    assert_eq!(import(&mut store, &courier_xlsx(dir.path())).rows_added, 0);
}

#[test]
fn the_weight_must_agree_and_the_counted_side_wins() {
    let (_dir, _path, mut store) = temp_store();
    let (potatoes, _) = two_sales(&mut store);
    // The same sale reported by the buyer (附件3), paired: the shipment goes to the 附件2 row.
    let procurement = store
        .insert_sale(
            &sale(
                FormKind::Procurement,
                "云阳县商务委",
                NIXI,
                "三坪村",
                (2019, 9, 1),
                9000,
            )
            .with_region("云阳县泥溪镇三坪村"),
        )
        .unwrap();
    store.pair_exact_same_sales().unwrap();
    assert_eq!(
        store.sale(procurement).unwrap().same_sale_as,
        Some(potatoes)
    );
    let record = |waybill: &str, kg: i64| xiaofei_fupin::store::ShipmentRecord {
        carrier: String::new(),
        waybill: waybill.into(),
        date: common::ymd(2019, 9, 3),
        date_text: "2019-09-03".into(),
        sender: "王某某".into(),
        household: "王某某".into(),
        region_text: "泥溪镇三坪村".into(),
        township_code: Some(NIXI.into()),
        village: "三坪村".into(),
        receiver: String::new(),
        product: "土豆".into(),
        weight_text: format!("{kg}公斤"),
        weight_jin: Some(rust_decimal::Decimal::from(kg * 2)),
        fee: None,
        fee_text: String::new(),
        source_file: "t.csv".into(),
        source_sheet: "t".into(),
        source_row: 2,
    };
    let outcome = store
        .insert_shipments(&[record("A1", 15), record("A2", 40)])
        .unwrap();
    assert_eq!((outcome.added, outcome.linked), (2, 1));
    let a1 = store.shipment(shipment_id(&store, "A1")).unwrap();
    assert_eq!(a1.sale.map(|s| s.id), Some(potatoes));
    let a2 = store.shipment(shipment_id(&store, "A2")).unwrap();
    assert!(a2.sale.is_none(), "80斤 is not 30斤");
}

#[test]
fn linking_by_hand_is_kept_and_the_share_counts_sales() {
    let (dir, _path, mut store) = temp_store();
    let (potatoes, bacon) = two_sales(&mut store);
    let before = store.summary_totals(2019).unwrap();
    import(&mut store, &postal_csv(dir.path()));
    let coverage = store.shipment_coverage(2019).unwrap();
    assert_eq!(
        (
            coverage.counted_sales,
            coverage.linked_sales,
            coverage.shipments,
            coverage.linked_shipments
        ),
        (2, 1, 3, 1)
    );
    assert_eq!(coverage.count_share().to_string(), "50.0");
    assert_eq!(coverage.amount_share().to_string(), "13.0", "90 of 690元");

    // 9800002 (19 days after the sale): the candidates offer 王某某's 土豆; link by hand.
    let late = shipment_id(&store, "9800002");
    let candidates = store.shipment_link_candidates(late).unwrap();
    assert_eq!(
        candidates.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![potatoes]
    );
    store.link_shipment(late, potatoes).unwrap();
    let linked = store.shipment(late).unwrap();
    assert_eq!(linked.link_kind, Some(LinkKind::Manual));
    assert_eq!(linked.sale.map(|s| s.id), Some(potatoes));
    // Two shipments of one sale: still one sale covered.
    assert_eq!(store.shipment_coverage(2019).unwrap().linked_sales, 1);

    // 9800003 (李某某's 腊肉) linked by hand to 唐某某's 腊肉: two of two sales covered.
    let other = shipment_id(&store, "9800003");
    store.link_shipment(other, bacon).unwrap();
    let coverage = store.shipment_coverage(2019).unwrap();
    assert_eq!(coverage.count_share().to_string(), "100.0");
    assert_eq!(coverage.amount_share().to_string(), "100.0");

    // Unlinking the automatic link by hand: the rule does not link it again.
    let first = shipment_id(&store, "9800001");
    store.unlink_shipment(first).unwrap();
    assert_eq!(store.auto_link_shipments().unwrap(), 0);
    let unlinked = store.shipment(first).unwrap();
    assert!(unlinked.sale.is_none());
    assert_eq!(unlinked.link_kind, Some(LinkKind::Manual));

    // A hand link survives deleting and re-entering its sale (by content fingerprint).
    let record = store.sale(bacon).unwrap().record;
    store.delete_sale(bacon).unwrap();
    assert!(store.shipment(other).unwrap().sale.is_none());
    let again = store.insert_sale(&record).unwrap();
    assert_eq!(store.auto_link_shipments().unwrap(), 1);
    assert_eq!(
        store.shipment(other).unwrap().sale.map(|s| s.id),
        Some(again)
    );

    // Unknown ids are refused; no total moved.
    assert!(store.link_shipment(other, 999_999).is_err());
    assert!(store.link_shipment(999_999, again).is_err());
    assert!(store.unlink_shipment(999_999).is_err());
    assert_eq!(store.summary_totals(2019).unwrap(), before);

    // report --json
    let today = common::ymd(2019, 12, 31);
    let mut json = dashboard(&store, 2019).unwrap().to_json();
    add_status_json(&store, &mut json, today).unwrap();
    let value = serde_json::to_value(&json).unwrap();
    assert_eq!(value["shipments_linked_share"], "100.0");
    assert_eq!(value["shipments_linked_sales"], 2);
    assert_eq!(value["total"], "690.00", "totals unchanged");
}

#[test]
fn sales_imported_after_the_shipments_are_linked_too() {
    let (dir, _path, mut store) = temp_store();
    import(&mut store, &courier_xlsx(dir.path()));
    assert_eq!(
        store.shipments(2019, ShipmentState::Linked).unwrap().len(),
        0
    );
    let form = dir.path().join("双江街道附件2.csv");
    std::fs::write(
        &form,
        "填报单位：双江街道办事处,,,填报时间：2019年9月30日\n\
         序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额\n\
         1,云阳县青松中学,2019.9.12,双江街道柏杨村,唐某某,腊肉,15斤,600元\n",
    )
    .unwrap();
    let report = import(&mut store, &form);
    assert_eq!(report.form, "附件2");
    assert_eq!(report.rows_added, 1, "{report:?}");
    let linked = store.shipments(2019, ShipmentState::Linked).unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].record.waybill, "SF001");
}

#[test]
fn a_file_that_is_neither_form_nor_courier_list_is_still_rejected() {
    let (dir, _path, store) = temp_store();
    let file = dir.path().join("通讯录.csv");
    std::fs::write(&file, "姓名,电话\n王某某,13800000000\n").unwrap();
    let prepared = prepare(&store, &file).unwrap();
    assert!(prepared.logistics.is_none());
    let report = prepared.report(&prepared.plan, false);
    assert_eq!(report.outcome, "rejected");
    assert!(report.message.contains("未找到可识别的表头行"));
    // The message names every kind of file the import takes, courier data included.
    for accepted in [
        "附件1",
        "附件2",
        "附件3",
        "物流/快递数据",
        "运单号",
        "邮件号",
    ] {
        assert!(
            report.message.contains(accepted),
            "{accepted}: {}",
            report.message
        );
    }
}

fn run(db: &Path, arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(db)
        .args(arguments)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn cli_imports_a_courier_file_and_reports_the_linked_share() {
    let (dir, db, mut store) = temp_store();
    two_sales(&mut store);
    drop(store);
    let xlsx = courier_xlsx(dir.path());
    let xlsx = xlsx.to_str().unwrap();

    let (code, out, err) = run(&db, &["report", "--year", "2019", "--json"]);
    assert_eq!(code, 0, "{err}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["shipments_linked_share"], "0.0");
    assert!(
        value["shipments_linked_note"]
            .as_str()
            .unwrap()
            .contains("尚未导入")
    );

    let (code, out, err) = run(&db, &["import", "--json", xlsx]);
    assert_eq!(code, 0, "{out}{err}");
    let reports: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reports[0]["form"], "物流");
    assert_eq!(reports[0]["outcome"], "imported");
    assert_eq!(reports[0]["rows_added"], 2);
    assert_eq!(reports[0]["total"], serde_json::Value::Null);

    let (code, out, _) = run(&db, &["import", xlsx]);
    assert_eq!(code, 0);
    assert!(out.contains("（物流）"), "{out}");
    assert!(out.contains("新增0条，2条此前已导入"), "{out}");

    let (code, out, err) = run(&db, &["report", "--year", "2019", "--json"]);
    assert_eq!(code, 0, "{err}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["shipments_linked_share"], "50.0");
    assert_eq!(
        value["shipments_linked_amount_share"], "87.0",
        "600 of 690元"
    );
    assert_eq!(value["shipments_linked_sales"], 1);
    assert_eq!(value["total"], "690.00");

    let (code, out, _) = run(&db, &["report", "--year", "2019"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("物流核实：2019年计入的2笔销售中1笔有关联的物流记录，占50.0%"),
        "{out}"
    );

    // A courier file with a bad row: exit code 1, the row named on stdout.
    let csv = postal_csv(dir.path());
    let (code, out, _) = run(&db, &["import", csv.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("邮政揽收明细!第5行 寄件日期"), "{out}");
}
