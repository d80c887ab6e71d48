//! GUI tests of the 对账 tab (附件2/附件3 reconciliation, 报送情况) and the dashboard's
//! double-count line and reminders.

use std::path::Path;

use crate::common::{SHUANGJIANG, SaleRecordFixture, sale, sample};
use crate::harness::{choose, click, window_on};
use chrono::NaiveDate;
use egui_kittest::kittest::Queryable;
use xiaofei_fupin::domain::Money;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::forms::ingest::{commit, prepare};
use xiaofei_fupin::store::Store;

/// A 附件2 sale or 附件3 procurement of 唐某某's 腊肉 in 双江街道柏杨村.
fn record(kind: FormKind, date: (i32, u32, u32), fen: i64) -> SaleRecord {
    let purchaser = if kind == FormKind::Sale {
        "云阳县青松中学"
    } else {
        "云阳县教委"
    };
    sale(kind, purchaser, SHUANGJIANG, "柏杨村", date, fen)
        .with_region("双江街道柏杨村")
        .with_household("唐某某")
        .with_product("腊肉")
        .with_quantity(15, "斤")
}

/// A database with one near match (dates 2 days apart): (sale id, procurement id).
fn near_match_db(path: &Path) -> (i64, i64) {
    let mut store = Store::open(path).expect("open");
    let sale = store
        .insert_sale(&record(FormKind::Sale, (2019, 9, 12), 60000))
        .expect("sale");
    let procurement = store
        .insert_sale(&record(FormKind::Procurement, (2019, 9, 14), 60000))
        .expect("procurement");
    assert_eq!(store.pair_exact_same_sales().expect("pairing"), 0);
    assert_eq!(store.near_matches(2019).expect("near").len(), 1);
    (sale, procurement)
}

#[test]
fn confirming_a_near_match_pairs_it_and_counts_it_once() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let (sale, procurement) = near_match_db(&path);
    let mut harness = window_on(&path);
    click(&mut harness, "对账");
    assert!(
        harness.query_by_label("疑似重复（待确认）1对").is_some(),
        "the near match is listed"
    );
    assert!(
        harness.query_by_label("差异：日期相差2天").is_some(),
        "with its reason"
    );
    assert!(
        harness.query_by_label("2019.9.12").is_some()
            && harness.query_by_label("2019.9.14").is_some()
    );
    assert!(
        harness.query_by_label("云阳县青松中学").is_some()
            && harness.query_by_label("云阳县教委").is_some()
    );
    assert!(harness.query_by_label("附件3未配对 1条 600.00元").is_some());

    click(&mut harness, "是同一笔");
    let store = harness.state().store();
    assert_eq!(
        store.sale(procurement).expect("row").same_sale_as,
        Some(sale)
    );
    let totals = store.summary_totals(2019).expect("totals");
    assert_eq!(totals.total, Money::from_fen(60000), "counted once");
    assert_eq!(
        (totals.double_counted_pairs, totals.double_counted),
        (1, Money::from_fen(60000))
    );
    assert!(
        harness.query_by_label("疑似重复（待确认）0对").is_some(),
        "no longer proposed"
    );
    assert!(
        harness.query_by_label("已配对（只计一次）1对").is_some(),
        "listed as a pair"
    );
    assert!(
        harness
            .query_by_label("2019年：已剔除重复统计 1对 600.00元")
            .is_some()
    );
    assert!(harness.query_by_label("附件2未配对 0条 0.00元").is_some());

    // 取消配对 asks first: cancelling the question changes nothing.
    click(&mut harness, "取消配对");
    assert!(
        harness
            .query_by_label_contains("确定这两条不是同一笔销售吗")
            .is_some(),
        "asks before unpairing"
    );
    click(&mut harness, "取消");
    assert!(
        harness
            .state()
            .store()
            .sale(procurement)
            .expect("row")
            .same_sale_as
            .is_some(),
        "still a pair"
    );
    // Confirmed: both count again.
    click(&mut harness, "取消配对");
    click(&mut harness, "确认取消配对");
    let store = harness.state().store();
    assert_eq!(store.sale(procurement).expect("row").same_sale_as, None);
    assert_eq!(
        store.summary_totals(2019).expect("totals").total,
        Money::from_fen(120000)
    );
    assert!(harness.query_by_label("已配对（只计一次）0对").is_some());
}

#[test]
fn rejecting_a_near_match_keeps_both_and_stops_proposing_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let (_sale, procurement) = near_match_db(&path);
    let mut harness = window_on(&path);
    click(&mut harness, "对账");
    click(&mut harness, "不是同一笔");
    let store = harness.state().store();
    assert!(
        store.near_matches(2019).expect("near").is_empty(),
        "no longer listed by the store"
    );
    assert!(
        store.same_sale_pairs(2019).expect("pairs").is_empty(),
        "nothing paired"
    );
    assert_eq!(store.sale(procurement).expect("row").same_sale_as, None);
    let totals = store.summary_totals(2019).expect("totals");
    assert_eq!(
        (totals.total, totals.double_counted_pairs),
        (Money::from_fen(120000), 0),
        "both count"
    );
    assert!(
        harness.query_by_label("疑似重复（待确认）0对").is_some(),
        "no longer listed"
    );
    assert!(harness.query_by_label("是同一笔").is_none());
    assert!(harness.query_by_label("已配对（只计一次）0对").is_some());
}

#[test]
fn the_dashboard_shows_the_double_counting_removed_and_the_reminders() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).expect("open");
        for name in [
            "10_fj2_pair_township_shuangjiang.xlsx",
            "11_fj3_pair_dept_overlap5.xlsx",
        ] {
            let prepared = prepare(&store, &sample(name)).expect("prepare");
            let report = commit(&mut store, &prepared).expect("commit");
            assert_eq!(report.outcome, "imported", "{report:?}");
        }
        let totals = store.summary_totals(2019).expect("totals");
        assert_eq!(
            (totals.double_counted_pairs, totals.double_counted),
            (5, Money::from_fen(188000))
        );
    }
    let mut harness = window_on(&path);
    assert!(
        harness
            .query_by_label("已剔除重复统计 5对 1880.00元")
            .is_some(),
        "double-count line on 进度"
    );
    // 2019 is a past year: the reminder is about its fourth quarter.
    assert!(
        harness.query_by_label_contains("2019年第4季度：").is_some()
            && harness
                .query_by_label_contains("（报送截止12月30日；通报应于1月10日前发出）")
                .is_some(),
        "reporting reminder"
    );
    // The 对账 tab shows the same pairs.
    click(&mut harness, "对账");
    assert!(harness.query_by_label("已配对（只计一次）5对").is_some());
    assert!(
        harness
            .query_by_label("2019年：已剔除重复统计 5对 1880.00元")
            .is_some()
    );

    // Nothing is marked paid: all of it is arrears; the window lists the purchasers.
    click(&mut harness, "进度");
    click(
        &mut harness,
        "欠款 1.90万元（超过30天 1.90万元，超过60天 1.90万元，超过90天 1.90万元）",
    );
    assert!(
        harness.query_by_label("欠款明细（按采购单位）").is_some(),
        "arrears window"
    );
    assert!(
        harness.query_by_label("云阳县教委").is_some()
            || harness.query_by_label("云阳县青松中学").is_some()
    );
}

#[test]
fn the_reporting_board_lists_townships_and_lead_units() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    near_match_db(&path);
    let mut harness = window_on(&path);
    click(&mut harness, "对账");
    click(&mut harness, "报送情况");
    choose(&mut harness, "季度", "第3季度");
    assert!(
        harness
            .query_by_label_contains("2019年第3季度：41个乡镇")
            .is_some(),
        "41 townships missing"
    );
    assert!(harness.query_by_label("双江街道").is_some());
    assert!(
        harness.query_by_label("县教委").is_some(),
        "lead units listed"
    );
    // Entered now, long after 2019-09-30: reported late.
    assert_eq!(
        harness.query_all_by_label("逾期报送").count(),
        2,
        "双江街道 and 县教委 reported late"
    );
    assert!(
        harness.query_by_label("导出2019年第3季度通报…").is_some(),
        "bulletin button for the quarter"
    );
}

#[test]
fn payment_is_recorded_in_the_sales_editor() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let (sale, _procurement) = near_match_db(&path);
    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    click(&mut harness, "编辑");
    click(&mut harness, "已付款");
    crate::harness::set_text(&mut harness, "付款日期", "2019.10.8");
    click(&mut harness, "保存付款情况");
    let row = harness.state().store().sale(sale).expect("row");
    assert!(row.paid);
    assert_eq!(row.paid_date, NaiveDate::from_ymd_opt(2019, 10, 8));
    assert!(
        harness.query_by_label_contains("已登记付款").is_some(),
        "status line"
    );

    // An unreadable date is refused next to the field.
    crate::harness::set_text(&mut harness, "付款日期", "2019.2.30");
    assert!(
        harness
            .query_by_label_contains("日期“2019.2.30”不存在")
            .is_some()
    );
    click(&mut harness, "已付款");
    click(&mut harness, "保存");
    let row = harness.state().store().sale(sale).expect("row");
    assert!(!row.paid, "unticked and saved with the record");
}

/// Clicks the widget labelled `label` and lets the commands it emits be applied (a few frames,
/// `step` rather than `run`: the tab may show a spinner).
fn press(harness: &mut egui_kittest::Harness<'_, xiaofei_fupin::ui::App>, label: &str) {
    harness.get_by_label(label).click();
    for _ in 0..3 {
        harness.step();
    }
}

/// Asserts that the first label `text` is shown in full: its text runs (the glyphs drawn) are the
/// whole text, not elided (`云阳县兴农…`), and its rectangle is as wide as the text needs (within
/// a pixel of rounding).
fn assert_shown_in_full(harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>, text: &str) {
    use egui_kittest::kittest::NodeT;
    let node = harness
        .query_all_by_label(text)
        .next()
        .unwrap_or_else(|| panic!("{text} not shown"));
    let drawn: String = node.children().filter_map(|run| run.value()).collect();
    assert_eq!(drawn, text, "elided");
    let font = egui::TextStyle::Body.resolve(&harness.ctx.global_style());
    let full = harness.ctx.fonts_mut(|f| {
        f.layout_no_wrap(text.to_string(), font.clone(), egui::Color32::WHITE)
            .size()
            .x
    });
    let shown = node.rect().width();
    assert!(
        full <= shown + 1.0,
        "“{text}” needs {full} px, its cell shows {shown} px"
    );
}

#[test]
fn the_unmatched_records_of_10_and_11_are_listed_on_each_side() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).expect("open");
        for name in [
            "10_fj2_pair_township_shuangjiang.xlsx",
            "11_fj3_pair_dept_overlap5.xlsx",
        ] {
            let prepared = prepare(&store, &sample(name)).expect("prepare");
            let report = commit(&mut store, &prepared).expect("commit");
            assert_eq!(report.outcome, "imported", "{report:?}");
        }
    }
    let mut harness = window_on(&path);
    press(&mut harness, "对账");
    // 10901.00 - 1880.00 and 9954.00 - 1880.00 left unmatched, 15 rows each.
    press(&mut harness, "附件2未配对 15条 9021.00元");
    assert!(
        harness
            .query_by_label("共 15 条，金额合计 9021.00 元")
            .is_some(),
        "the 附件2 list"
    );
    // The first row of 10 (by date): 付应才's 土鸡 sold to 云阳县惠民超市, with every column.
    for cell in [
        "2019.9.2",
        "双江街道 青杠村",
        "付应才",
        "土鸡",
        "4只",
        "320.00",
        "云阳县惠民超市",
    ] {
        assert!(harness.query_all_by_label(cell).next().is_some(), "{cell}");
    }
    // Readable at 1366×768: nothing elided.
    for text in [
        "乡镇(街道)/村(社区)",
        "销售金额",
        "双江街道 滨江社区",
        "云阳县兴农商贸有限公司",
        "2019.9.11",
        "1600.00",
    ] {
        assert_shown_in_full(&harness, text);
    }
    // The paired sales are not listed.
    for paired in ["胡国平", "何春梅", "唐大勇"] {
        assert!(harness.query_by_label(paired).is_none(), "{paired}");
    }

    press(&mut harness, "附件3未配对 15条 8074.00元");
    assert!(
        harness
            .query_by_label("共 15 条，金额合计 8074.00 元")
            .is_some(),
        "the 附件3 list"
    );
    assert!(
        harness.query_by_label("唐登科").is_some(),
        "first row of 11"
    );
    for text in ["云阳县明德初级中学", "新津乡 柑子村", "采购数量"] {
        assert_shown_in_full(&harness, text);
    }
    assert!(harness.query_by_label("胡国平").is_none(), "paired");

    // 双江街道's side of 11: only the near miss is left, a separate purchase (not a near match).
    choose(&mut harness, "乡镇", "双江街道");
    assert!(
        harness
            .query_by_label("共 1 条，金额合计 400.00 元")
            .is_some()
    );
    for cell in [
        "2019.9.26",
        "双江街道 柏杨村",
        "唐大勇",
        "腊肉",
        "10斤",
        "400.00",
        "云阳县青松中学",
    ] {
        assert!(harness.query_all_by_label(cell).next().is_some(), "{cell}");
    }
    assert!(harness.query_by_label("疑似重复，待确认").is_none());

    // The fourth quarter has nothing.
    choose(&mut harness, "季度", "第4季度");
    assert!(
        harness
            .query_by_label("没有符合筛选条件的未配对记录")
            .is_some()
    );
    choose(&mut harness, "季度", "第3季度");
    assert!(harness.query_by_label("唐大勇").is_some());

    // 编辑 opens the record in the 采购情况 tab.
    press(&mut harness, "编辑");
    let near_miss = {
        let store = harness.state().store();
        let ids = store
            .unmatched_ids(&xiaofei_fupin::store::UnmatchedFilter {
                form: FormKind::Procurement,
                year: 2019,
                quarter: Some(3),
                township_code: Some(SHUANGJIANG.to_string()),
            })
            .expect("ids");
        assert_eq!(ids.len(), 1);
        ids[0]
    };
    assert_eq!(
        harness.state().status_text(),
        Some(format!("已在“采购情况”中打开记录（编号 {near_miss}）；明细已关闭").as_str())
    );
}

#[test]
fn an_unmatched_row_in_a_near_match_is_marked() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    near_match_db(&path);
    let mut harness = window_on(&path);
    press(&mut harness, "对账");
    press(&mut harness, "附件2未配对 1条 600.00元");
    assert!(harness.query_by_label("唐某某").is_some());
    assert!(
        harness.query_by_label("疑似重复，待确认").is_some(),
        "marked as in a near match"
    );
    // Confirmed as the same sale: off both lists.
    press(&mut harness, "疑似重复 1对，已配对 0对");
    press(&mut harness, "是同一笔");
    press(&mut harness, "附件3未配对 0条 0.00元");
    assert!(
        harness
            .query_by_label("没有符合筛选条件的未配对记录")
            .is_some()
    );
}

/// The editor of a record paired as the same sale says so: changing its content ends the pair
/// and both records count.
#[test]
fn the_editor_of_a_paired_record_says_it_is_paired() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let (sale, procurement) = near_match_db(&path);
    {
        let mut store = Store::open(&path).expect("open");
        store.set_same_sale(procurement, Some(sale)).expect("pair");
    }
    let mut harness = window_on(&path);
    click(&mut harness, "销售情况");
    click(&mut harness, "编辑");
    assert!(
        harness
            .query_by_label_contains(&format!(
                "这条记录与附件3中编号 {procurement} 的记录是同一笔销售"
            ))
            .is_some(),
        "the 附件2 editor names its 附件3 partner"
    );
}
