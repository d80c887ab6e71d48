//! GUI test of the 物流记录 view of the 对账 tab (R5): a shipment linked by hand to a sale, a link
//! removed, the share on the dashboard; totals never move.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{NIXI, SHUANGJIANG, SaleRecordFixture, sale, ymd};
use crate::harness::{click, window, window_on};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::store::{LinkKind, ShipmentRecord, Store};
use xiaofei_fupin::ui::App;

/// A shipment by `sender` of `product` from `township`/`village` on 2019-`month`-`day`.
fn shipment(
    waybill: &str,
    sender: &str,
    township: &str,
    village: &str,
    product: &str,
    (month, day): (u32, u32),
    jin: i64,
) -> ShipmentRecord {
    ShipmentRecord {
        carrier: "某某快递".into(),
        waybill: waybill.into(),
        date: ymd(2019, month, day),
        date_text: format!("2019-{month:02}-{day:02}"),
        sender: sender.into(),
        household: sender.into(),
        region_text: village.to_string(),
        township_code: Some(township.into()),
        village: village.into(),
        receiver: "云阳县教委".into(),
        product: product.into(),
        weight_text: format!("{jin}斤"),
        weight_jin: Some(Decimal::from(jin)),
        fee: None,
        fee_text: String::new(),
        source_file: "快递.xlsx".into(),
        source_sheet: "Sheet1".into(),
        source_row: 2,
    }
}

/// Two 2019 sales (王某某's 土豆 90元, 唐某某's 腊肉 600元) and two shipments: W1 carries the 土豆
/// (linked automatically), T1 is 唐某某's 腊肉 three weeks after the sale (left unlinked).
/// Returns (土豆 sale, 腊肉 sale, T1 id, W1 id).
fn database(path: &Path) -> (i64, i64, i64, i64) {
    let mut store = Store::open(path).expect("open");
    let potatoes = store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县商务委",
            NIXI,
            "三坪村",
            (2019, 9, 1),
            9000,
        ))
        .expect("sale");
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
            .with_household("唐某某")
            .with_product("腊肉")
            .with_quantity(15, "斤"),
        )
        .expect("sale");
    let outcome = store
        .insert_shipments(&[
            shipment("W1", "王某某", NIXI, "三坪村", "土豆", (9, 2), 31),
            shipment("T1", "唐某某", SHUANGJIANG, "柏杨村", "腊肉", (10, 3), 16),
        ])
        .expect("shipments");
    assert_eq!((outcome.added, outcome.linked), (2, 1));
    let ids = store
        .shipments(2019, xiaofei_fupin::store::ShipmentState::All)
        .expect("list");
    let id = |waybill: &str| {
        ids.iter()
            .find(|s| s.record.waybill == waybill)
            .expect("shipment")
            .id
    };
    (potatoes, bacon, id("T1"), id("W1"))
}

#[test]
fn linking_a_shipment_by_hand_in_the_reconcile_tab() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    let (potatoes, bacon, t1, w1) = database(&path);
    let mut harness = window_on(&path);
    let totals = harness
        .state()
        .store()
        .summary_totals(2019)
        .expect("totals");

    click(&mut harness, "对账");
    click(&mut harness, "物流记录");
    assert!(
        harness
            .query_by_label(
                "2019年：有物流记录的销售 1笔，占50.0%（按金额13.0%）；物流记录2条，已关联1条"
            )
            .is_some(),
        "the share is shown"
    );
    assert!(harness.query_by_label("T1").is_some() && harness.query_by_label("W1").is_some());
    assert_eq!(
        harness.query_all_by_label("未关联").count(),
        2,
        "the filter and T1's link cell"
    );

    // 选择销售… lists 唐某某's 腊肉; 关联 links it by hand.
    click(&mut harness, "选择销售…");
    assert!(
        harness
            .query_by_label("可关联的销售（同一寄件人，按品种、日期排列）")
            .is_some()
    );
    click(&mut harness, "关联");
    let store = harness.state().store();
    let linked = store.shipment(t1).expect("shipment");
    assert_eq!(linked.sale.map(|s| s.id), Some(bacon));
    assert_eq!(linked.link_kind, Some(LinkKind::Manual));
    assert_eq!(store.summary_totals(2019).expect("totals"), totals);
    assert!(
        harness
            .query_by_label(
                "2019年：有物流记录的销售 2笔，占100.0%（按金额100.0%）；物流记录2条，已关联2条"
            )
            .is_some()
    );

    // The dashboard shows the figure.
    click(&mut harness, "进度");
    assert!(
        harness
            .query_by_label("有物流记录的销售 2笔，占100.0%")
            .is_some()
    );

    // 取消关联 of the automatic link (W1, listed first): it stays unlinked.
    click(&mut harness, "对账");
    harness
        .query_all_by_label("取消关联")
        .next()
        .expect("a 取消关联 button")
        .click();
    harness.run();
    let store = harness.state().store();
    let unlinked = store.shipment(w1).expect("shipment");
    assert!(unlinked.sale.is_none());
    assert_eq!(unlinked.link_kind, Some(LinkKind::Manual));
    assert_eq!(
        store.shipment(t1).expect("t1").sale.map(|s| s.id),
        Some(bacon)
    );
    assert_eq!(store.summary_totals(2019).expect("totals"), totals);
    assert!(harness.query_by_label("未关联（已手工取消）").is_some());
    let _ = potatoes;
}

/// A file dropped onto the window, as the platform integration would deliver it.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Runs frames until `done` holds (background work; no `run()` while a progress bar animates).
fn wait_until(harness: &mut Harness<'_, App>, mut done: impl FnMut(&Harness<'_, App>) -> bool) {
    let started = Instant::now();
    while !done(harness) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "background work never finished"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
}

#[test]
fn a_dropped_courier_file_is_previewed_as_logistics_and_imported() {
    let (dir, _db, mut harness) = window();
    let file = dir.path().join("邮政揽收.csv");
    let csv = "邮件号,收寄日期,发件人,发件地区,收件单位,内件,重量（公斤）,资费\n\
               9800001,2019-09-02,王某某,云阳县泥溪镇三坪村,云阳县商务委,土豆,15,12\n\
               9800002,2019-09-03,李某某,双江街道柏杨村,云阳县教委,腊肉,5,10\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(csv);
    std::fs::write(&file, &bytes).expect("write");
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(file)));
    wait_until(&mut harness, |h| h.query_by_label("确认导入").is_some());
    assert!(
        harness
            .query_by_label_contains("将导入物流记录2条：新增2条")
            .is_some(),
        "the preview says what the file is"
    );
    assert_eq!(harness.state().store().shipment_count().expect("count"), 0);
    harness.get_by_label("确认导入").click();
    harness.step();
    wait_until(&mut harness, |h| {
        h.state()
            .status_text()
            .is_some_and(|s| s.contains("导入完成"))
    });
    assert_eq!(harness.state().store().shipment_count().expect("count"), 2);
    assert!(
        harness
            .query_by_label_contains("已导入物流记录2条")
            .is_some()
    );
}

/// The dashboard's logistics figure is one piece of text: when the reminder line is full it moves
/// to the next line as a whole, never split between two lines nor cut off at the window's edge (seen at 1366×768 as
/// `…有物流记录的销售 13` / `笔，占0.4%`).
#[test]
fn the_dashboard_logistics_figure_is_never_split_across_lines() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    database(&path);
    let figure = "有物流记录的销售 1笔，占50.0%";
    let mut heights = Vec::new();
    for width in (700..=1366).step_by(8) {
        let store = Store::open(&path).expect("open");
        let db_path = path.clone();
        let mut harness = Harness::builder()
            .with_size([width as f32, 768.0])
            .with_max_steps(32)
            .build_eframe(move |cc| App::new(cc, store, db_path));
        harness.run();
        let rect = harness.get_by_label(figure).rect();
        assert!(
            rect.right() <= width as f32,
            "at width {width} the figure runs off the window: {rect:?}"
        );
        heights.push((width, rect.height()));
    }
    let line = heights.iter().map(|(_, h)| *h).fold(f32::MAX, f32::min);
    let split: Vec<_> = heights.iter().filter(|(_, h)| *h > line * 1.5).collect();
    assert!(
        split.is_empty(),
        "one line is {line} px; split at (width, height) {split:?}"
    );
}

/// The 物流记录 list at 1366×768 shows a courier's date with its time and the linked sale with its
/// amount and link kind in full: nothing elided (`2019/9/12 1…`, `…600.00…`).
#[test]
fn the_shipment_list_shows_dates_with_times_and_linked_sales_in_full() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).expect("open");
        store
            .insert_sale(
                &sale(
                    FormKind::Sale,
                    "云阳县兴农商贸有限公司",
                    SHUANGJIANG,
                    "柏杨村",
                    (2019, 9, 12),
                    160_000,
                )
                .with_household("彭天才")
                .with_product("茶叶")
                .with_quantity(8, "斤"),
            )
            .expect("sale");
        let mut record = shipment(
            "SF1012345678904",
            "彭天才",
            SHUANGJIANG,
            "柏杨村",
            "茶叶",
            (9, 12),
            8,
        );
        record.date_text = "2019/9/12 16:40".into();
        record.receiver = "云阳县兴农商贸有限公司".into();
        let outcome = store.insert_shipments(&[record]).expect("shipment");
        assert_eq!(outcome.linked, 1);
    }
    let mut harness = window_on(&path);
    click(&mut harness, "对账");
    click(&mut harness, "物流记录");
    let font = egui::TextStyle::Body.resolve(&harness.ctx.global_style());
    for text in [
        "2019/9/12 16:40",
        "附件2 2019.9.12 云阳县兴农商贸有限公司 茶叶 8斤 1600.00元（自动）",
    ] {
        let shown = harness.get_by_label(text).rect().width();
        let full = harness.ctx.fonts_mut(|f| {
            f.layout_no_wrap(text.to_string(), font.clone(), egui::Color32::WHITE)
                .size()
                .x
        });
        assert!(
            full <= shown + 0.5,
            "“{text}” needs {full} px, its cell shows {shown} px"
        );
    }
}
