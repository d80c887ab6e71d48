//! Issue 4 items 7 and 8 on the store and the CLI: price flags (R12, 五(二)), 百企帮百村 pairings
//! (R11, 四(三)) and unions (R10, 四(一)5).

mod common;

use std::process::Command;
use std::str::FromStr;

use common::{NIXI, SHUANGJIANG, SaleRecordFixture, sale, temp_store, ymd};
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, Listing, SaleRecord};
use xiaofei_fupin::domain::{Money, Price, PurchaserType, Quantity};
use xiaofei_fupin::store::{MAX_ENTERPRISE_PAIRINGS, PairingDraft, PriceReference};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A 附件1 listing of `household`'s `product` in 泥溪镇三坪村 at `price`.
fn listing(household: &str, product: &str, price: Price) -> Listing {
    Listing {
        region_text: "泥溪镇三坪村".into(),
        township_code: NIXI.into(),
        village: "三坪村".into(),
        household: household.into(),
        product: product.into(),
        planned_quantity: Quantity {
            value: Decimal::from(500),
            unit: Some("斤".into()),
        },
        planned_quantity_text: "500斤".into(),
        price_text: price.to_string(),
        price,
        supply_methods: vec!["送货上门".into()],
        shop_url: String::new(),
        contact: String::new(),
        remark: String::new(),
        involved: None,
        warnings: Vec::new(),
    }
}

/// A 2019 附件2 sale in 泥溪镇三坪村 by 县商务委.
fn nixi_sale(household: &str, product: &str, qty: i64, unit: &str, fen: i64) -> SaleRecord {
    sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 9, 1),
        fen,
    )
    .with_region("泥溪镇三坪村")
    .with_household(household)
    .with_product(product)
    .with_quantity(qty, unit)
}

#[test]
fn prices_are_flagged_against_the_catalogue_or_the_county_median() {
    let (_dir, _path, mut store) = temp_store();
    // 王某某's 土豆 at 3元/公斤 (= 1.5元/斤); 李某某's 腊肉 面议.
    store
        .insert_listing(&listing(
            "王某某",
            "土豆",
            Price::PerUnit {
                yuan: dec("3"),
                unit: Some("公斤".into()),
            },
        ))
        .unwrap();
    store
        .insert_listing(&listing("李某某", "腊肉", Price::Negotiable))
        .unwrap();
    // Catalogue: 30斤 = 15公斤 for 45元 is 3元/公斤 (1×, kept); for 20元 it is 1.33元/公斤 (0.44×).
    let fair = store
        .insert_sale(&nixi_sale("王某某", "土豆", 30, "斤", 4500))
        .unwrap();
    let cheap = store
        .insert_sale(&nixi_sale("王某某", "土豆", 30, "斤", 2000))
        .unwrap();
    // The same cheap sale reported again in 附件3, paired: checked (and flagged) once.
    let mut procurement = nixi_sale("王某某", "土豆", 30, "斤", 2000);
    procurement.kind = FormKind::Procurement;
    let procurement = store.insert_sale(&procurement).unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    // County median of 腊肉 per 斤: five at 30元/斤 by households without a listing.
    for household in ["张一", "张二", "张三", "张四", "张五"] {
        store
            .insert_sale(&nixi_sale(household, "腊肉", 10, "斤", 30_000))
            .unwrap();
    }
    // 40元/斤: 1.33× the median, kept.
    let near_median = store
        .insert_sale(&nixi_sale("钱某某", "腊肉", 10, "斤", 40_000))
        .unwrap();
    // 2公斤 = 4斤 for 1000元: 250元/斤, 8.33× the median of 30 (a 斤/公斤 conversion).
    let dear = store
        .insert_sale(&nixi_sale("赵某某", "腊肉", 2, "公斤", 100_000))
        .unwrap();
    // 面议 in the catalogue: never flagged, even at 300元/斤.
    let negotiated = store
        .insert_sale(&nixi_sale("李某某", "腊肉", 10, "斤", 300_000))
        .unwrap();
    // 蜂蜜: only three sales in the county, no median, no listing: not checked.
    for fen in [5_000, 5_000, 90_000] {
        store
            .insert_sale(&nixi_sale("孙某某", "蜂蜜", 1, "斤", fen))
            .unwrap();
    }
    // A 2018 sale is not in 2019's check.
    let mut old = nixi_sale("王某某", "土豆", 30, "斤", 100);
    old.date.date = ymd(2018, 9, 1);
    old.date_text = "2018.9.1".into();
    store.insert_sale(&old).unwrap();

    let check = store.price_check(2019).unwrap();
    let flagged: Vec<i64> = check.flags.iter().map(|f| f.sale_id).collect();
    assert_eq!(flagged.len(), 2, "{:#?}", check.flags);
    assert!(flagged.contains(&cheap) && flagged.contains(&dear));
    for kept in [fair, near_median, negotiated, procurement] {
        assert!(!flagged.contains(&kept), "{kept} flagged");
    }

    let cheap_flag = check.flags.iter().find(|f| f.sale_id == cheap).unwrap();
    assert_eq!(cheap_flag.reference, PriceReference::Catalogue);
    assert_eq!(cheap_flag.unit, "公斤");
    assert_eq!(cheap_flag.unit_price, dec("1.33"));
    assert_eq!(cheap_flag.reference_price, dec("3"));
    assert_eq!(cheap_flag.ratio, dec("0.44"));
    assert_eq!(cheap_flag.kind, FormKind::Sale);
    assert_eq!(cheap_flag.amount, Money::from_fen(2000));
    assert_eq!(cheap_flag.township, "泥溪镇");

    let dear_flag = check.flags.iter().find(|f| f.sale_id == dear).unwrap();
    // Eight 腊肉 sales (30×5, 40, 250, 300 元/斤): the median is 30.
    assert_eq!(
        dear_flag.reference,
        PriceReference::CountyMedian { sales: 8 }
    );
    assert_eq!(dear_flag.unit, "斤");
    assert_eq!(dear_flag.unit_price, dec("250"));
    assert_eq!(dear_flag.reference_price, dec("30"));
    assert_eq!(dear_flag.ratio, dec("8.33"));

    // 土豆 ×2 by the catalogue; 腊肉 ×7 by the median (面议 excluded); 面议 and 蜂蜜 ×3 unchecked.
    assert_eq!(check.checked_by_catalogue, 2);
    assert_eq!(check.checked_by_median, 7);
    assert_eq!(check.unchecked, 4);
}

#[test]
fn the_band_edges_are_not_flagged_and_count_units_use_their_own_median() {
    let (_dir, _path, mut store) = temp_store();
    // Five 鸡 at 80元/只, then one at exactly 2× (160) and one at exactly 0.5× (40).
    for household in ["甲", "乙", "丙", "丁", "戊"] {
        store
            .insert_sale(&nixi_sale(household, "土鸡", 1, "只", 8_000))
            .unwrap();
    }
    store
        .insert_sale(&nixi_sale("己", "土鸡", 2, "只", 32_000))
        .unwrap();
    store
        .insert_sale(&nixi_sale("庚", "土鸡", 3, "只", 12_000))
        .unwrap();
    // A 土鸡 sold by weight is another unit (斤): fewer than 5, not checked.
    store
        .insert_sale(&nixi_sale("辛", "土鸡", 5, "斤", 1_000_000))
        .unwrap();
    let check = store.price_check(2019).unwrap();
    assert!(check.flags.is_empty(), "{:#?}", check.flags);
    assert_eq!(check.checked_by_median, 7);
    assert_eq!(check.unchecked, 1);
    // One more at 2.01×: flagged.
    let over = store
        .insert_sale(&nixi_sale("壬", "土鸡", 1, "只", 16_080))
        .unwrap();
    let check = store.price_check(2019).unwrap();
    assert_eq!(
        check.flags.iter().map(|f| f.sale_id).collect::<Vec<_>>(),
        vec![over]
    );
    assert_eq!(check.flags[0].unit, "只");
}

fn draft(enterprise: &str, township: &str, village: &str) -> PairingDraft {
    PairingDraft {
        enterprise: enterprise.into(),
        township_code: township.into(),
        village: village.into(),
        contact: String::new(),
        phone: String::new(),
        paired_on: ymd(2019, 3, 1),
    }
}

const ENTERPRISE: &str = "重庆某某农业开发有限公司";

#[test]
fn a_pairing_counts_the_enterprises_purchases_from_its_village_once() {
    let (_dir, _path, mut store) = temp_store();
    let id = store
        .add_enterprise_pairing(&PairingDraft {
            contact: " 刘经理 ".into(),
            phone: "13800000000".into(),
            ..draft(ENTERPRISE, NIXI, " 三坪村 ")
        })
        .unwrap();
    // The enterprise is registered as a purchaser, typed 民营企业 (unconfirmed).
    let purchaser = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == ENTERPRISE)
        .unwrap();
    assert_eq!(
        (purchaser.purchaser_type, purchaser.confirmed),
        (Some(PurchaserType::PrivateEnterprise), false)
    );
    let from_village = |fen: i64| {
        sale(
            FormKind::Sale,
            ENTERPRISE,
            NIXI,
            "三坪村",
            (2019, 5, 2),
            fen,
        )
        .with_region("泥溪镇三坪村")
    };
    store.insert_sale(&from_village(100_000)).unwrap();
    // The same purchase in 附件3, paired as the same sale: not counted again.
    let mut twice = from_village(100_000);
    twice.kind = FormKind::Procurement;
    store.insert_sale(&twice).unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    // Another village, another year, another purchaser.
    store
        .insert_sale(
            &sale(
                FormKind::Procurement,
                ENTERPRISE,
                SHUANGJIANG,
                "",
                (2019, 6, 1),
                50_000,
            )
            .with_region("双江街道"),
        )
        .unwrap();
    store
        .insert_sale(
            &sale(
                FormKind::Sale,
                ENTERPRISE,
                NIXI,
                "三坪村",
                (2018, 5, 2),
                7_000,
            )
            .with_region("泥溪镇三坪村"),
        )
        .unwrap();
    store
        .insert_sale(
            &sale(
                FormKind::Sale,
                "云阳县商务委",
                NIXI,
                "三坪村",
                (2019, 5, 2),
                9_000,
            )
            .with_region("泥溪镇三坪村"),
        )
        .unwrap();

    let figures = store.enterprise_pairing_purchases(2019).unwrap();
    assert_eq!(figures.len(), 1);
    let pairing = &figures[0];
    assert_eq!(pairing.pairing.id, id);
    assert_eq!(pairing.pairing.village, "三坪村");
    assert_eq!(pairing.pairing.contact, "刘经理");
    assert_eq!(pairing.pairing.township, "泥溪镇");
    assert!(pairing.pairing.deep_poverty, "泥溪镇 is deep poverty");
    assert_eq!(
        (pairing.village_purchases, pairing.village_records),
        (Money::from_fen(100_000), 1)
    );
    assert_eq!(
        (pairing.enterprise_total, pairing.enterprise_records),
        (Money::from_fen(150_000), 2)
    );
    assert_eq!(
        store.enterprise_pairing_purchases(2018).unwrap()[0].village_purchases,
        Money::from_fen(7_000)
    );

    // The same pairing twice is refused; editing and deleting work.
    let duplicate = store
        .add_enterprise_pairing(&draft(ENTERPRISE, NIXI, "三坪村"))
        .unwrap_err();
    assert!(
        duplicate.to_string().contains("已与三坪村结对"),
        "{duplicate}"
    );
    assert!(
        store
            .add_enterprise_pairing(&draft(ENTERPRISE, NIXI, ""))
            .unwrap_err()
            .to_string()
            .contains("帮扶村")
    );
    assert!(
        store
            .add_enterprise_pairing(&draft(ENTERPRISE, "999", "某村"))
            .is_err()
    );
    store
        .update_enterprise_pairing(id, &draft(ENTERPRISE, NIXI, "龙洞村"))
        .unwrap();
    let figures = store.enterprise_pairing_purchases(2019).unwrap();
    assert_eq!(figures[0].pairing.village, "龙洞村");
    assert_eq!(figures[0].village_purchases, Money::ZERO);
    assert_eq!(figures[0].enterprise_total, Money::from_fen(150_000));
    store.delete_enterprise_pairing(id).unwrap();
    assert!(store.enterprise_pairings().unwrap().is_empty());
    assert!(store.delete_enterprise_pairing(id).is_err());
}

#[test]
fn at_most_100_pairings() {
    let (_dir, _path, mut store) = temp_store();
    for n in 0..MAX_ENTERPRISE_PAIRINGS {
        store
            .add_enterprise_pairing(&draft(&format!("企业{n}"), NIXI, &format!("村{n}")))
            .unwrap();
    }
    let refused = store
        .add_enterprise_pairing(&draft("第一百零一家企业", NIXI, "三坪村"))
        .unwrap_err();
    assert!(refused.to_string().contains("结对已达100对"), "{refused}");
    assert_eq!(store.enterprise_pairings().unwrap().len(), 100);
    // Editing one of the 100 is still allowed.
    let first = store.enterprise_pairings().unwrap()[0].id;
    store
        .update_enterprise_pairing(first, &draft("企业0", NIXI, "三坪村"))
        .unwrap();
}

#[test]
fn a_unions_gap_is_the_standard_not_yet_bought() {
    let (_dir, _path, mut store) = temp_store();
    let union = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "云阳县总工会")
        .unwrap();
    store
        .set_purchaser_type(union.id, Some(PurchaserType::Union), Some(10))
        .unwrap();
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
    let unions = store.union_purchases(2019).unwrap();
    let county = unions.iter().find(|u| u.name == "云阳县总工会").unwrap();
    assert_eq!(county.expected, Some(Money::from_fen(500_000)));
    assert_eq!(county.gap(), Some(Money::from_fen(380_000)));
    store
        .set_purchaser_type(union.id, Some(PurchaserType::Union), Some(2))
        .unwrap();
    let unions = store.union_purchases(2019).unwrap();
    let county = unions.iter().find(|u| u.name == "云阳县总工会").unwrap();
    assert_eq!(county.gap(), Some(Money::ZERO));
}

#[test]
fn report_json_has_the_new_keys_and_keeps_the_old_ones() {
    let (dir, path, mut store) = temp_store();
    for household in ["张一", "张二", "张三", "张四", "张五"] {
        store
            .insert_sale(&nixi_sale(household, "腊肉", 10, "斤", 30_000))
            .unwrap();
    }
    store
        .insert_sale(&nixi_sale("赵某某", "腊肉", 10, "斤", 1_000_000))
        .unwrap();
    store
        .add_enterprise_pairing(&draft(ENTERPRISE, NIXI, "三坪村"))
        .unwrap();
    let union = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "云阳县总工会")
        .unwrap();
    store
        .set_purchaser_type(union.id, Some(PurchaserType::Union), Some(3))
        .unwrap();
    drop(store);
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(&path)
        .args(["report", "--year", "2019", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "total",
        "double_counted",
        "unreported",
        "unpaid",
        "channels",
    ] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    assert_eq!(json["price_flags"]["count"], 1);
    assert_eq!(json["price_flags"]["low"], "0.5");
    assert_eq!(json["price_flags"]["high"], "2");
    assert_eq!(json["price_flags"]["median_min_sales"], 5);
    let item = &json["price_flags"]["items"][0];
    assert_eq!(item["household"], "赵某某");
    assert_eq!(item["unit_price"], "1000.00");
    assert_eq!(item["reference_price"], "30.00");
    assert_eq!(item["reference"], "county_median");
    assert_eq!(item["ratio"], "33.33");
    let pairings = json["enterprise_pairings"].as_array().unwrap();
    assert_eq!(pairings.len(), 1);
    assert_eq!(pairings[0]["enterprise"], ENTERPRISE);
    assert_eq!(pairings[0]["village_purchases"], "0.00");
    assert_eq!(pairings[0]["paired_on"], "2019-03-01");
    let county = json["unions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "云阳县总工会")
        .unwrap();
    assert_eq!(county["member_count"], 3);
    assert_eq!(county["standard"], "1500.00");
    assert_eq!(county["gap"], "1500.00");

    let text = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(&path)
        .args(["report", "--year", "2019"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("价格异常待核：1笔"), "{text}");
    assert!(text.contains("百企帮百村：结对1对"), "{text}");
    drop(dir);
}
