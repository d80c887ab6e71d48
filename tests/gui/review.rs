//! GUI tests of issue 4 items 7 and 8: a 百企帮百村 pairing added in 基础信息, a union's member
//! count set in 工会进家庭, and the price flags opened from the 进度 tab.

use crate::common::{NIXI, SaleRecordFixture, sale};
use crate::harness::{choose, click, set_text, type_into, window, window_on};
use egui_kittest::kittest::Queryable;
use xiaofei_fupin::domain::PurchaserType;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::store::Store;

#[test]
fn a_pairing_is_added_edited_and_listed_with_its_purchases() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "基础信息");
    click(&mut harness, "百企帮百村");
    // Nothing typed: the form says what is missing and stores nothing.
    click(&mut harness, "添加结对");
    assert!(harness.query_by_label("请填写企业名称").is_some());
    type_into(&mut harness, "企业名称", "重庆某某农业开发有限公司");
    choose(&mut harness, "帮扶村所在乡镇", "泥溪镇（深度贫困）");
    type_into(&mut harness, "帮扶村", "三坪村");
    type_into(&mut harness, "联系人", "刘经理");
    type_into(&mut harness, "结对日期", "2019.3.1");
    click(&mut harness, "添加结对");

    let pairings = harness.state().store().enterprise_pairings().unwrap();
    assert_eq!(pairings.len(), 1, "{:?}", harness.state().status_text());
    let p = &pairings[0];
    assert_eq!(p.enterprise, "重庆某某农业开发有限公司");
    assert_eq!(p.township_code, NIXI);
    assert_eq!(p.village, "三坪村");
    assert_eq!(p.contact, "刘经理");
    assert_eq!(p.paired_on.to_string(), "2019-03-01");
    assert!(
        harness
            .query_by_label_contains("已结对 1 / 100 对")
            .is_some()
    );
    // From the paired village and in total: nothing bought yet.
    assert_eq!(harness.query_all_by_label("0.00").count(), 2);
    assert!(harness.query_by_label("泥溪镇三坪村（深）").is_some());

    // Edit: another village.
    click(&mut harness, "修改结对 重庆某某农业开发有限公司 三坪村");
    set_text(&mut harness, "帮扶村", "龙洞村");
    click(&mut harness, "保存修改");
    let pairings = harness.state().store().enterprise_pairings().unwrap();
    assert_eq!(pairings.len(), 1);
    assert_eq!(pairings[0].village, "龙洞村");

    // Delete, after confirming.
    click(&mut harness, "删除结对 重庆某某农业开发有限公司 龙洞村");
    click(&mut harness, "确认删除");
    assert!(
        harness
            .state()
            .store()
            .enterprise_pairings()
            .unwrap()
            .is_empty()
    );
    assert!(harness.query_by_label("尚无结对企业").is_some());
}

#[test]
fn a_unions_member_count_is_set_and_its_gap_shown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .insert_sale(
                &sale(
                    FormKind::Procurement,
                    "云阳县总工会",
                    NIXI,
                    "三坪村",
                    (2019, 4, 1),
                    120_000,
                )
                .with_region("泥溪镇三坪村"),
            )
            .unwrap();
    }
    let mut harness = window_on(&path);
    click(&mut harness, "基础信息");
    click(&mut harness, "工会进家庭");
    set_text(&mut harness, "云阳县总工会 会员人数", "10");
    click(&mut harness, "保存 云阳县总工会 会员人数");
    let union = harness
        .state()
        .store()
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "云阳县总工会")
        .unwrap();
    assert_eq!(union.member_count, Some(10));
    assert_eq!(union.purchaser_type, Some(PurchaserType::Union));
    // The status line says what was saved (not the purchaser-type message).
    assert_eq!(
        harness.state().status_text(),
        Some("已保存工会会员人数：云阳县总工会 10人（标准 5000元）")
    );
    // 10 × 500 = 5000元 standard, 1200元 bought: 3800元 short.
    for figure in ["5000.00", "1200.00", "3800.00", "24.0%"] {
        assert!(harness.query_by_label(figure).is_some(), "{figure}");
    }
}

#[test]
fn the_dashboard_shows_price_flags_and_opens_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let flagged = {
        let mut store = Store::open(&path).unwrap();
        for household in ["张一", "张二", "张三", "张四", "张五"] {
            store
                .insert_sale(
                    &sale(
                        FormKind::Sale,
                        "云阳县商务委",
                        NIXI,
                        "三坪村",
                        (2019, 9, 1),
                        30_000,
                    )
                    .with_region("泥溪镇三坪村")
                    .with_household(household)
                    .with_product("腊肉")
                    .with_quantity(10, "斤"),
                )
                .unwrap();
        }
        store
            .insert_sale(
                &sale(
                    FormKind::Sale,
                    "云阳县商务委",
                    NIXI,
                    "三坪村",
                    (2019, 9, 2),
                    1_000_000,
                )
                .with_region("泥溪镇三坪村")
                .with_household("赵某某")
                .with_product("腊肉")
                .with_quantity(10, "斤"),
            )
            .unwrap()
    };
    let mut harness = window_on(&path);
    // The check runs in the background on its own connection.
    for _ in 0..200 {
        if harness.query_by_label("价格异常待核 1笔").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
        harness.step();
    }
    click(&mut harness, "价格异常待核 1笔");
    assert!(harness.query_by_label("33.33倍").is_some());
    assert!(harness.query_by_label("全县中位价（6笔）").is_some());
    assert!(harness.query_by_label("1000.00/斤").is_some());
    click(&mut harness, &format!("编辑价格待核记录 {flagged}"));
    assert!(
        harness
            .state()
            .status_text()
            .is_some_and(|s| s.contains(&format!("已在“销售情况”中打开记录（编号 {flagged}）"))),
        "{:?}",
        harness.state().status_text()
    );
}
