//! GUI tests of the 销售情况 tab (附件2) and the 进度 tab: typing the seed's sample sale, seeing it
//! on the dashboard and in the database, editing and deleting it, traceability, validation.

use crate::harness::{SAMPLE_SALE, choose, click, set_text, type_into, window, window_on};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, SaleDraft, validate_sale};
use xiaofei_fupin::domain::{Channel, Money, SubChannel};
use xiaofei_fupin::report::dashboard;
use xiaofei_fupin::store::{SaleFilter, Store};

const NIXI: &str = "500235139";

fn yuan(text: &str) -> Money {
    Money::from_yuan(text.parse::<Decimal>().expect("number")).expect("money")
}

/// The database's view of 2019: total, deep-poverty part, 五进/进机关 and 泥溪镇.
fn figures_2019(store: &Store) -> (Money, Money, Money, Money, Money) {
    let board = dashboard(store, 2019).expect("dashboard");
    let five = board
        .channels
        .iter()
        .find(|c| c.channel == Channel::FiveIntoDirectSales)
        .expect("五进");
    let agencies = five
        .sub_channels
        .iter()
        .find(|(s, _)| *s == SubChannel::IntoAgencies)
        .map(|(_, m)| *m)
        .expect("进机关");
    let nixi = board
        .townships
        .iter()
        .find(|t| t.code == NIXI)
        .map(|t| t.amount)
        .expect("泥溪镇");
    (
        board.totals.total,
        board.totals.deep_poverty,
        five.amount,
        agencies,
        nixi,
    )
}

fn assert_dashboard_shows(
    harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>,
    amount: &str,
) {
    for name in [
        "全县合计",
        "深度贫困镇村",
        "五进对接直销",
        "进机关",
        "泥溪镇",
    ] {
        let label = format!("{name}：{amount}元");
        assert!(
            harness.query_by_label(&label).is_some(),
            "进度 should show “{label}”"
        );
    }
}

#[test]
fn typed_sample_sale_appears_on_the_dashboard_and_in_the_database() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "销售情况");
    click(&mut harness, "新增销售记录");
    for (label, text) in SAMPLE_SALE {
        type_into(&mut harness, label, text);
    }
    // The purchaser's type and channel are shown next to the field.
    assert!(
        harness
            .query_by_label_contains("类型：机关/事业单位（已确认）→ 五进对接直销/进机关")
            .is_some(),
        "purchaser hint"
    );
    click(&mut harness, "保存");

    // The table lists it, with count and total.
    assert!(
        harness.query_by_label("王某某").is_some(),
        "the new row is listed"
    );
    assert!(
        harness
            .query_by_label_contains("共 1 条，金额合计 90.00 元")
            .is_some(),
        "count and total"
    );

    // In the database.
    let store = harness.state().store();
    let ids = store.sale_ids(&SaleFilter::default()).expect("ids");
    assert_eq!(ids.len(), 1);
    let row = store.sale(ids[0]).expect("row");
    assert_eq!(row.record.kind, FormKind::Sale);
    assert_eq!(row.record.purchaser, "云阳县商务委");
    assert_eq!(row.record.date_text, "2019.9.1");
    assert_eq!(row.record.amount, yuan("90"));
    assert_eq!(row.record.quantity_text, "30斤");
    assert_eq!(row.channel, Some(Channel::FiveIntoDirectSales));
    assert_eq!(row.sub_channel, Some(SubChannel::IntoAgencies));
    let ninety = yuan("90");
    assert_eq!(
        figures_2019(store),
        (ninety, ninety, ninety, ninety, ninety)
    );
    let totals = store.summary_totals(2019).expect("totals");
    assert_eq!(
        (totals.total, totals.deep_poverty, totals.record_count),
        (ninety, ninety, 1)
    );

    // On 进度 for 2019.
    click(&mut harness, "进度");
    choose(&mut harness, "年度", "2019年");
    assert_dashboard_shows(&harness, "90.00");
    assert!(
        harness.query_by_label("0.01 / 6000 万元").is_some(),
        "total in 万元 against 6000万"
    );
    assert!(
        harness.query_by_label("0.01 / 1000 万元").is_some(),
        "deep-poverty part against 1000万"
    );
    assert!(
        harness.query_by_label("0.01 / 2000 万元").is_some(),
        "五进对接直销 against 2000万"
    );
}

#[test]
fn clicking_a_figure_shows_the_records_behind_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    insert_sample_sale(&path);
    let mut harness = window_on(&path);
    // The dashboard opens on the newest year with records.
    assert_dashboard_shows(&harness, "90.00");
    click(&mut harness, "进机关：90.00元");
    let expected = SaleFilter {
        year: Some(2019),
        channel: Some(Channel::FiveIntoDirectSales),
        sub_channel: Some(SubChannel::IntoAgencies),
        counted_only: true,
        ..Default::default()
    };
    assert_eq!(harness.state().records_filter(), Some(&expected));
    assert!(
        harness
            .query_by_label("筛选条件：2019年 · 五进对接直销/进机关")
            .is_some(),
        "filter spelled out"
    );
    assert!(
        harness
            .query_by_label_contains("共 1 条，金额合计 90.00 元")
            .is_some()
    );
    assert!(
        harness.query_by_label("王某某").is_some(),
        "the record is listed"
    );
    click(&mut harness, "关闭明细（清除筛选）");
    assert_eq!(harness.state().records_filter(), None);

    // A township without records shows none.
    click(&mut harness, "双江街道：0.00元");
    assert!(harness.query_by_label_contains("共 0 条").is_some());
}

fn insert_sample_sale(path: &std::path::Path) -> i64 {
    insert_sale(path, "云阳县泥溪镇三坪村", "王某某", "土豆", "90元")
}

fn insert_sale(
    path: &std::path::Path,
    region: &str,
    household: &str,
    product: &str,
    amount: &str,
) -> i64 {
    let mut store = Store::open(path).expect("open");
    let resolver = store.region_resolver().expect("resolver");
    let draft = SaleDraft {
        purchaser: "云阳县商务委".into(),
        date: "2019.9.1".into(),
        region: region.into(),
        household: household.into(),
        product: product.into(),
        quantity: "30斤".into(),
        amount: amount.into(),
        remark: String::new(),
    };
    let record = validate_sale(&draft, FormKind::Sale, &resolver, None).expect("valid sale");
    store.insert_sale(&record).expect("insert")
}

#[test]
fn filters_narrow_the_list_and_its_totals() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    insert_sample_sale(&path);
    // Only the township: saved with the warning 地区只填到乡镇.
    insert_sale(&path, "云阳县双江街道", "张某", "腊肉", "200元");
    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    let shows = |harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>, text: &str| {
        harness.query_by_label_contains(text).is_some()
    };
    assert!(shows(&harness, "共 2 条，金额合计 290.00 元"));

    // Free text is applied once typing pauses.
    type_into(&mut harness, "查找", "土豆");
    harness.run_steps(3);
    harness.run();
    assert!(shows(&harness, "共 1 条，金额合计 90.00 元"), "text filter");
    click(&mut harness, "清除筛选");
    assert!(shows(&harness, "共 2 条，金额合计 290.00 元"));

    click(&mut harness, "仅看有提示的");
    assert!(
        shows(&harness, "共 1 条，金额合计 200.00 元"),
        "warnings-only filter"
    );
    assert!(
        harness
            .query_by_label("地区只填到乡镇，缺少村(社区)")
            .is_some(),
        "the warning is listed"
    );
    click(&mut harness, "清除筛选");

    choose(&mut harness, "乡镇", "泥溪镇（深度贫困）");
    assert!(
        shows(&harness, "共 1 条，金额合计 90.00 元"),
        "township filter"
    );
    choose(&mut harness, "年度", "2019年");
    assert!(shows(&harness, "共 1 条，金额合计 90.00 元"), "year filter");
    choose(&mut harness, "季度", "第4季度");
    assert!(shows(&harness, "共 0 条"), "quarter filter");
    choose(&mut harness, "季度", "第3季度");
    assert!(shows(&harness, "共 1 条，金额合计 90.00 元"));
}

#[test]
fn editing_and_deleting_the_sale_updates_the_figures() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    insert_sample_sale(&path);
    let mut harness = window_on(&path);
    assert_dashboard_shows(&harness, "90.00");

    click(&mut harness, "销售情况");
    click(&mut harness, "编辑");
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "销售金额")
            .value()
            .as_deref(),
        Some("90元"),
        "the editor shows the amount as typed"
    );
    set_text(&mut harness, "销售金额", "120元");
    click(&mut harness, "保存");
    let hundred_twenty = yuan("120");
    assert_eq!(
        figures_2019(harness.state().store()),
        (
            hundred_twenty,
            hundred_twenty,
            hundred_twenty,
            hundred_twenty,
            hundred_twenty
        )
    );
    assert!(
        harness
            .query_by_label_contains("共 1 条，金额合计 120.00 元")
            .is_some()
    );
    click(&mut harness, "进度");
    assert_dashboard_shows(&harness, "120.00");

    click(&mut harness, "销售情况");
    click(&mut harness, "删除");
    assert!(
        harness
            .query_by_label_contains("确定要删除这条记录吗")
            .is_some(),
        "delete asks first"
    );
    click(&mut harness, "确认删除");
    let store = harness.state().store();
    assert!(
        store
            .sale_ids(&SaleFilter::default())
            .expect("ids")
            .is_empty()
    );
    assert_eq!(
        figures_2019(store),
        (
            Money::ZERO,
            Money::ZERO,
            Money::ZERO,
            Money::ZERO,
            Money::ZERO
        )
    );
    assert!(harness.query_by_label_contains("共 0 条").is_some());
    click(&mut harness, "进度");
    assert_dashboard_shows(&harness, "0.00");
}

#[test]
fn cancelling_the_delete_keeps_the_sale() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    insert_sample_sale(&path);
    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    click(&mut harness, "删除");
    click(&mut harness, "取消");
    assert_eq!(
        harness
            .state()
            .store()
            .sale_ids(&SaleFilter::default())
            .expect("ids")
            .len(),
        1
    );
}

#[test]
fn an_invalid_amount_is_reported_next_to_the_field_and_nothing_is_saved() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "销售情况");
    click(&mut harness, "新增销售记录");
    for (label, text) in SAMPLE_SALE {
        let text = if label == "销售金额" {
            "九十多元"
        } else {
            text
        };
        type_into(&mut harness, label, text);
    }
    click(&mut harness, "保存");
    let field = harness
        .get_by_role_and_label(Role::TextInput, "销售金额")
        .rect();
    let message = harness
        .get_by_label_contains("无法识别的金额“九十多元”")
        .rect();
    assert!(
        message.top() >= field.bottom() - 1.0 && message.top() - field.bottom() < 24.0,
        "the message sits right under the field: field {field:?}, message {message:?}"
    );
    assert!(
        (message.left() - field.left()).abs() < 4.0,
        "aligned with the field"
    );
    assert!(harness.query_by_label_contains("未保存").is_some());
    assert!(
        harness
            .state()
            .store()
            .sale_ids(&SaleFilter::default())
            .expect("ids")
            .is_empty()
    );

    // Correcting it saves.
    set_text(&mut harness, "销售金额", "90元");
    assert!(
        harness.query_by_label_contains("无法识别的金额").is_none(),
        "message gone once corrected"
    );
    click(&mut harness, "保存");
    assert_eq!(
        harness
            .state()
            .store()
            .sale_ids(&SaleFilter::default())
            .expect("ids")
            .len(),
        1
    );
}

/// A township's form whose texts need its context: `9月28日` (year from 填报时间 2019年9月30日),
/// `25` under `销售数量（公斤）`, `0.0215` under `销售金额（万元）`. Imported, then opened in the editor
/// (which validates with today as 填报时间 and no header units) and saved with only 备注
/// changed: the date, quantity and amount must stay as imported.
#[test]
fn saving_an_imported_record_in_the_editor_keeps_its_date_quantity_and_amount() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let form = dir.path().join("泥溪镇附件2.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .write_string(0, 0, "填报单位：泥溪镇人民政府　　填报时间：2019年9月30日")
        .expect("info line");
    // The official header, with the units this township wrote into it.
    let header = xiaofei_fupin::forms::layout::form_layout(FormKind::Sale)
        .columns
        .iter()
        .map(|column| match *column {
            "销售数量" => "销售数量（公斤）",
            "销售金额" => "销售金额（万元）",
            other => other,
        });
    let row = [
        "1",
        "云阳县商务委",
        "9月28日",
        "泥溪镇三坪村",
        "刘光富",
        "土豆",
        "25",
        "0.0215",
        "",
    ];
    for (column, (title, value)) in header.zip(row).enumerate() {
        sheet.write_string(1, column as u16, title).expect("header");
        sheet.write_string(2, column as u16, value).expect("cell");
    }
    workbook.save(&form).expect("save form");
    {
        let mut store = Store::open(&path).expect("open");
        let prepared = xiaofei_fupin::forms::ingest::prepare(&store, &form).expect("prepare");
        let report = xiaofei_fupin::forms::ingest::commit(&mut store, &prepared).expect("import");
        assert_eq!(report.rows_added, 1, "{report:?}");
    }

    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    assert!(
        harness.query_by_label("2019.9.28").is_some(),
        "the list shows the date with its year"
    );
    click(&mut harness, "编辑");
    let shown = |harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>, label: &str| {
        harness
            .get_by_role_and_label(Role::TextInput, label)
            .value()
            .unwrap_or_default()
    };
    assert_eq!(shown(&harness, "销售时间"), "2019年9月28日");
    assert_eq!(shown(&harness, "销售数量"), "25公斤");
    assert_eq!(shown(&harness, "销售金额"), "215.00元");
    set_text(&mut harness, "备注", "已核实");
    click(&mut harness, "保存");

    let store = harness.state().store();
    let ids = store.sale_ids(&SaleFilter::default()).expect("ids");
    let record = store.sale(ids[0]).expect("sale").record;
    assert_eq!(record.remark, "已核实");
    assert_eq!(record.date.date.to_string(), "2019-09-28");
    assert_eq!(record.quantity.in_jin(), Some(Decimal::from(50)));
    assert_eq!(record.amount, yuan("215"));
}

/// A record open in the editor while an import (here another connection, as the CLI in another
/// window) corrects it: 保存 must not silently undo the correction. Nothing is written, and the
/// window says why.
#[test]
fn saving_an_editor_opened_before_the_record_changed_keeps_the_other_change() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).expect("open");
        let form = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/samples/01_fj2_baseline_nixi_20rows.xlsx");
        let prepared = xiaofei_fupin::forms::ingest::prepare(&store, &form).expect("prepare");
        xiaofei_fupin::forms::ingest::commit(&mut store, &prepared).expect("import");
    }
    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    harness
        .get_all_by_label("编辑")
        .next()
        .expect("an 编辑 button")
        .click();
    harness.run();
    let opened_id = {
        let store = harness.state().store();
        store.sale_ids(&SaleFilter::default()).expect("ids")[0]
    };
    // Meanwhile, a correction arrives through another connection.
    {
        let mut other = Store::open(&path).expect("second connection");
        let mut record = other.sale(opened_id).expect("sale").record;
        record.amount = yuan("999");
        record.amount_text = "999元".to_string();
        other.update_sale(opened_id, &record).expect("update");
    }
    set_text(&mut harness, "备注", "已核实");
    click(&mut harness, "保存");
    let store = harness.state().store();
    let record = store.sale(opened_id).expect("sale").record;
    assert_eq!(record.amount, yuan("999"), "the correction is kept");
    assert_eq!(record.remark, "", "the editor's copy was not saved");
    assert!(
        harness
            .query_by_label_contains("在打开编辑后已被修改")
            .is_some(),
        "the window says why nothing was saved"
    );
}

/// Enter in a field of the editor saves the record, as in an office form.
#[test]
fn enter_in_a_field_saves_the_record() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "销售情况");
    click(&mut harness, "新增销售记录");
    for (label, text) in SAMPLE_SALE {
        type_into(&mut harness, label, text);
    }
    harness.key_press(egui::Key::Enter);
    harness.run();
    let store = harness.state().store();
    let ids = store.sale_ids(&SaleFilter::default()).expect("ids");
    assert_eq!(ids.len(), 1, "saved by Enter");
    assert_eq!(store.sale(ids[0]).expect("row").record.amount, yuan("90"));
}

/// Escape closes the editor like 取消; with something typed it first asks whether to discard it.
#[test]
fn escape_closes_the_editor_and_asks_before_discarding_typing() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "销售情况");
    let editor_open = |harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>| {
        harness.query_by_label("新增销售记录（附件2）").is_some()
    };
    click(&mut harness, "新增销售记录");
    assert!(editor_open(&harness));
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        !editor_open(&harness),
        "nothing typed: Escape closes at once"
    );

    click(&mut harness, "新增销售记录");
    type_into(&mut harness, "贫困户姓名", "王某某");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        editor_open(&harness),
        "typing is not dropped without asking"
    );
    assert!(
        harness
            .query_by_label("关闭编辑并放弃已填写的内容吗？")
            .is_some()
    );
    // Escape answers the question with No; it does not ask again.
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(
        harness
            .query_by_label("关闭编辑并放弃已填写的内容吗？")
            .is_none()
    );
    assert!(editor_open(&harness));
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "贫困户姓名")
            .value()
            .as_deref(),
        Some("王某某"),
        "kept after 取消"
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness
        .get_by_role_and_label(Role::Button, "放弃修改")
        .click();
    harness.run();
    assert!(!editor_open(&harness), "closed after 放弃修改");
    let ids = harness
        .state()
        .store()
        .sale_ids(&SaleFilter::default())
        .expect("ids");
    assert!(ids.is_empty(), "nothing saved");
}
