//! GUI tests of the other tabs: 待销目录 (附件1), 采购情况 (附件3) and 基础信息.

use crate::harness::{choose, click, set_text, type_into, window};
use egui_kittest::kittest::Queryable;
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::domain::{Channel, Money, Price, PurchaserType, SubChannel};
use xiaofei_fupin::store::{ListingFilter, SaleFilter, Settings};

#[test]
fn catalogue_listing_is_added_and_stored() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "待销目录");
    click(&mut harness, "新增待销产品");
    for (label, text) in [
        ("地区", "云阳县泥溪镇三坪村"),
        ("贫困户姓名", "王某某"),
        ("产品品种", "土豆"),
        ("计划销量", "30斤"),
        ("销售价格", "3元/斤"),
        ("供货联系人及联系方式", "王五 17723635558"),
    ] {
        type_into(&mut harness, label, text);
    }
    click(&mut harness, "送货上门");
    click(&mut harness, "保存");

    let store = harness.state().store();
    let ids = store.listing_ids(&ListingFilter::default()).expect("ids");
    assert_eq!(ids.len(), 1, "one listing stored");
    let row = store.listing(ids[0]).expect("listing");
    let l = &row.listing;
    assert_eq!(l.township_code, "500235139");
    assert_eq!(l.village, "三坪村");
    assert_eq!(l.household, "王某某");
    assert_eq!(l.product, "土豆");
    assert_eq!(l.planned_quantity_text, "30斤");
    assert_eq!(
        l.price,
        Price::PerUnit {
            yuan: Decimal::from(3),
            unit: Some("斤".into())
        }
    );
    assert_eq!(l.supply_methods, vec!["送货上门".to_string()]);
    assert_eq!(l.shop_url, "");
    assert_eq!(l.contact, "王五 17723635558");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    // Listed, with count and planned value 30斤 × 3元/斤 = 90元.
    assert!(harness.query_by_label("王五 17723635558").is_some());
    assert!(
        harness
            .query_by_label_contains("共 1 条，计划销售额约 90.00 元")
            .is_some()
    );
}

#[test]
fn procurement_is_added_with_a_suggested_type_and_a_channel_override() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "采购情况");
    click(&mut harness, "新增采购记录");
    for (label, text) in [
        ("采购单位", "云阳县第一中学"),
        ("采购时间", "2019.10.8"),
        ("地区", "云阳县泥溪镇石缸村"),
        ("贫困户姓名", "李某某"),
        ("产品品种", "腊肉"),
        ("采购数量", "10斤"),
        ("采购金额", "400元"),
    ] {
        type_into(&mut harness, label, text);
    }
    // A purchaser typed for the first time gets a suggested type.
    assert!(
        harness
            .query_by_label("类型：学校（建议，待确认）→ 五进对接直销/进学校")
            .is_some(),
        "suggested type shown next to 采购单位"
    );
    choose(&mut harness, "销售方式", "电子商务营销");
    click(&mut harness, "保存");

    let store = harness.state().store();
    let ids = store
        .sale_ids(&SaleFilter {
            form: Some(FormKind::Procurement),
            ..Default::default()
        })
        .expect("ids");
    assert_eq!(ids.len(), 1, "one procurement stored");
    let row = store.sale(ids[0]).expect("row");
    assert_eq!(row.record.kind, FormKind::Procurement);
    assert_eq!(row.record.purchaser, "云阳县第一中学");
    assert_eq!(row.record.amount, Money::from_fen(40_000));
    assert_eq!(row.channel, Some(Channel::ECommerceSales));
    assert_eq!(
        row.record.channel_override,
        Some((Channel::ECommerceSales, None))
    );
    assert!(
        store
            .sale_ids(&SaleFilter {
                form: Some(FormKind::Sale),
                ..Default::default()
            })
            .expect("ids")
            .is_empty()
    );
    // The purchaser is registered with the suggestion, unconfirmed.
    let purchaser = store
        .purchasers()
        .expect("purchasers")
        .into_iter()
        .find(|p| p.name == "云阳县第一中学")
        .expect("registered");
    assert_eq!(
        (purchaser.purchaser_type, purchaser.confirmed),
        (Some(PurchaserType::School), false)
    );
    assert!(
        harness.query_by_label("电子商务营销（手动）").is_some(),
        "the list shows the override"
    );

    // Confirm it in 基础信息 → 采购单位类型.
    click(&mut harness, "基础信息");
    click(&mut harness, "采购单位类型");
    click(&mut harness, "确认 云阳县第一中学 的类型");
    let purchaser = harness
        .state()
        .store()
        .purchasers()
        .expect("purchasers")
        .into_iter()
        .find(|p| p.name == "云阳县第一中学")
        .expect("registered");
    assert_eq!(
        (purchaser.purchaser_type, purchaser.confirmed),
        (Some(PurchaserType::School), true)
    );
}

#[test]
fn basic_info_changes_flags_targets_and_settings() {
    let (_dir, _path, mut harness) = window();
    click(&mut harness, "基础信息");

    // A township's deep-poverty flag.
    let flag = |harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>| {
        harness
            .state()
            .store()
            .townships()
            .expect("townships")
            .into_iter()
            .find(|t| t.name == "双江街道")
            .map(|t| t.deep_poverty)
    };
    assert_eq!(flag(&harness), Some(false));
    click(&mut harness, "双江街道 深度贫困");
    assert_eq!(flag(&harness), Some(true));

    // A village's flag.
    choose(&mut harness, "村(社区)所属乡镇", "泥溪镇（深度贫困）");
    type_into(&mut harness, "新增村(社区)", "三坪村");
    click(&mut harness, "添加");
    click(&mut harness, "三坪村 深度贫困");
    let villages = harness
        .state()
        .store()
        .villages("500235139")
        .expect("villages");
    assert!(
        villages
            .iter()
            .any(|v| v.name == "三坪村" && v.deep_poverty),
        "三坪村 flagged"
    );

    // Targets in 万元.
    click(&mut harness, "目标任务");
    choose(&mut harness, "年度", "2019年");
    set_text(&mut harness, "全年总目标（万元）", "6500");
    set_text(&mut harness, "电子商务营销（万元）", "2000");
    click(&mut harness, "保存2019年目标");
    let total_2019 = |harness: &egui_kittest::Harness<'_, xiaofei_fupin::ui::App>| {
        harness
            .state()
            .store()
            .targets(2019)
            .expect("targets")
            .total
    };
    let targets = harness.state().store().targets(2019).expect("targets");
    assert_eq!(targets.total, Money::from_fen(6_500 * 1_000_000));
    assert_eq!(
        targets.channel(Channel::ECommerceSales),
        Money::from_fen(2_000 * 1_000_000)
    );
    assert_eq!(
        targets.channel(Channel::FiveIntoDirectSales),
        Money::from_fen(2_000 * 1_000_000)
    );
    // A bad number is refused next to its field.
    set_text(&mut harness, "全年总目标（万元）", "六千");
    click(&mut harness, "保存2019年目标");
    assert!(harness.query_by_label_contains("无法识别“六千”").is_some());
    assert_eq!(total_2019(&harness), Money::from_fen(6_500 * 1_000_000));
    // The message goes once the field reads well, before saving; `6,800` is read.
    set_text(&mut harness, "全年总目标（万元）", "6,800");
    assert!(harness.query_by_label_contains("无法识别").is_none());
    click(&mut harness, "保存2019年目标");
    assert_eq!(total_2019(&harness), Money::from_fen(6_800 * 1_000_000));

    // This installation's unit and contact.
    click(&mut harness, "本单位信息");
    type_into(&mut harness, "本单位名称", "泥溪镇人民政府");
    type_into(&mut harness, "填写人", "张三");
    type_into(&mut harness, "联系电话", "023-55123456");
    click(&mut harness, "保存本单位信息");
    assert_eq!(
        harness.state().store().settings().expect("settings"),
        Settings {
            unit: "泥溪镇人民政府".into(),
            contact_person: "张三".into(),
            phone: "023-55123456".into()
        }
    );
    let _ = SubChannel::IntoAgencies;
}
