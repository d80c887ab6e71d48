//! The store on a temporary database: seeding, saving, editing, deleting, filters, the summary
//! kept by triggers, targets, purchasers and the same-sale link.

mod common;

use common::{NIXI, SHUANGJIANG, sale, temp_store};
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::domain::{Channel, Money, PurchaserType, SubChannel};
use xiaofei_fupin::report::dashboard;
use xiaofei_fupin::store::{SaleFilter, Settings, Store};

#[test]
fn a_new_database_is_seeded_with_the_county() {
    let (_dir, _, store) = temp_store();
    let townships = store.townships().unwrap();
    assert_eq!(townships.len(), 42);
    let nixi = townships.iter().find(|t| t.code == NIXI).unwrap();
    assert_eq!(nixi.name, "泥溪镇");
    assert!(nixi.deep_poverty);
    assert_eq!(townships.iter().filter(|t| t.deep_poverty).count(), 1);
    assert!(
        townships
            .iter()
            .any(|t| t.name == "清水土家族乡" && t.aliases.contains(&"清水乡".to_string()))
    );
    let targets = store.targets(2019).unwrap();
    assert_eq!(targets.total.to_string(), "60000000.00");
    assert_eq!(targets.deep_poverty.to_string(), "10000000.00");
    assert_eq!(
        targets.channel(Channel::ECommerceSales).to_string(),
        "15000000.00"
    );
    let leads = store.lead_units().unwrap();
    assert!(leads.iter().any(|(name, channel, sub)| name == "县教委"
        && channel == "五进对接直销"
        && sub == "进学校"));
    assert!(leads.len() >= 11);
    let villages = store.villages(NIXI).unwrap();
    assert!(
        villages
            .iter()
            .any(|v| v.name == "石缸村" && v.deep_poverty)
    );
}

/// A 90元 附件2 sale of 泥溪镇三坪村 bought by the commerce committee on 2019-09-01.
fn commerce_committee_sale() -> xiaofei_fupin::domain::sale::SaleRecord {
    sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 9, 1),
        9000,
    )
}

#[test]
fn a_new_ledger_has_8_kib_pages_and_an_older_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |path: &std::path::Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    };
    let new = dir.path().join("new.db");
    drop(Store::open(&new).unwrap());
    assert_eq!(page_size(&new), 8192);
    // A ledger an older version created (4 KiB pages) opens, migrates and keeps its layout.
    let old = dir.path().join("old.db");
    rusqlite::Connection::open(&old)
        .unwrap()
        .execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER); DROP TABLE t;")
        .unwrap();
    let mut store = Store::open(&old).unwrap();
    store.insert_sale(&commerce_committee_sale()).unwrap();
    drop(store);
    assert_eq!(page_size(&old), 4096);
    assert_eq!(Store::open(&old).unwrap().townships().unwrap().len(), 42);
}

#[test]
fn reopening_keeps_records_and_does_not_seed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    {
        let mut store = Store::open(&path).unwrap();
        store.insert_sale(&commerce_committee_sale()).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.townships().unwrap().len(), 42);
    assert_eq!(
        store.sale_totals(&SaleFilter::default()).unwrap(),
        (1, Money::from_fen(9000))
    );
}

#[test]
fn the_seed_sample_sale_counts_everywhere_and_follows_edits_and_deletes() {
    let (_dir, _, mut store) = temp_store();
    let id = store.insert_sale(&commerce_committee_sale()).unwrap();
    let figures = dashboard(&store, 2019).unwrap();
    assert_eq!(figures.totals.total.to_string(), "90.00");
    assert_eq!(figures.totals.deep_poverty.to_string(), "90.00");
    let five = figures
        .channels
        .iter()
        .find(|c| c.channel == Channel::FiveIntoDirectSales)
        .unwrap();
    assert_eq!(five.amount.to_string(), "90.00");
    assert_eq!(
        five.sub_channels
            .iter()
            .find(|(s, _)| *s == SubChannel::IntoAgencies)
            .unwrap()
            .1
            .to_string(),
        "90.00"
    );
    assert_eq!(
        figures
            .townships
            .iter()
            .find(|t| t.code == NIXI)
            .unwrap()
            .amount
            .to_string(),
        "90.00"
    );
    assert_eq!(figures.quarters[2], (3, Money::from_fen(9000)));

    let mut edited = sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 10, 2),
        12000,
    );
    edited.amount_text = "120元".into();
    store.update_sale(id, &edited).unwrap();
    let figures = dashboard(&store, 2019).unwrap();
    assert_eq!(figures.totals.total.to_string(), "120.00");
    assert_eq!(figures.quarters[2].1, Money::ZERO);
    assert_eq!(figures.quarters[3].1.to_string(), "120.00");
    assert_eq!(store.sale(id).unwrap().record.amount_text, "120元");

    store.delete_sale(id).unwrap();
    let figures = dashboard(&store, 2019).unwrap();
    assert_eq!(figures.totals.total, Money::ZERO);
    assert_eq!(figures.totals.record_count, 0);
    assert!(store.delete_sale(id).is_err());
}

#[test]
fn channel_comes_from_the_purchaser_type_and_can_be_overridden() {
    let (_dir, _, mut store) = temp_store();
    let school = store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县青松中学",
            NIXI,
            "三坪村",
            (2019, 3, 1),
            100,
        ))
        .unwrap();
    let row = store.sale(school).unwrap();
    assert_eq!(row.channel, Some(Channel::FiveIntoDirectSales));
    assert_eq!(row.sub_channel, Some(SubChannel::IntoSchools));

    let mut overridden = sale(
        FormKind::Sale,
        "云阳县青松中学",
        NIXI,
        "三坪村",
        (2019, 3, 2),
        200,
    );
    overridden.channel_override = Some((Channel::ECommerceSales, None));
    let other = store.insert_sale(&overridden).unwrap();
    assert_eq!(
        store.sale(other).unwrap().channel,
        Some(Channel::ECommerceSales)
    );

    // An unknown purchaser has no type: its amount is unclassified until the operator types it.
    let unknown = store
        .insert_sale(&sale(
            FormKind::Sale,
            "张三",
            NIXI,
            "三坪村",
            (2019, 3, 3),
            300,
        ))
        .unwrap();
    assert_eq!(store.sale(unknown).unwrap().channel, None);
    assert_eq!(
        store.summary_totals(2019).unwrap().unclassified,
        Money::from_fen(300)
    );
    let purchaser = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "张三")
        .unwrap();
    assert!(!purchaser.confirmed);
    store
        .set_purchaser_type(purchaser.id, Some(PurchaserType::PrivateEnterprise), None)
        .unwrap();
    assert_eq!(
        store.sale(unknown).unwrap().channel,
        Some(Channel::CaringEnterpriseOrders)
    );
    assert_eq!(
        store.summary_totals(2019).unwrap().unclassified,
        Money::ZERO
    );

    // Re-typing the school moves its automatic record but not the overridden one.
    let school_purchaser = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "云阳县青松中学")
        .unwrap();
    store
        .set_purchaser_type(school_purchaser.id, Some(PurchaserType::Tourism), None)
        .unwrap();
    assert_eq!(
        store.sale(school).unwrap().channel,
        Some(Channel::TourismSales)
    );
    assert_eq!(
        store.sale(other).unwrap().channel,
        Some(Channel::ECommerceSales)
    );
    let channels = store.channel_amounts(2019).unwrap();
    let amount = |c: Channel| channels.iter().find(|a| a.channel == c).unwrap().amount;
    assert_eq!(amount(Channel::TourismSales), Money::from_fen(100));
    assert_eq!(amount(Channel::ECommerceSales), Money::from_fen(200));
    assert_eq!(
        amount(Channel::CaringEnterpriseOrders),
        Money::from_fen(300)
    );
}

#[test]
fn a_procurement_marked_as_the_same_sale_counts_once() {
    let (_dir, _, mut store) = temp_store();
    let sale_id = store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县青松中学",
            SHUANGJIANG,
            "滨江社区",
            (2019, 9, 5),
            20000,
        ))
        .unwrap();
    // The department left out the village: not an exact match, so the operator pairs it.
    let procurement_id = store
        .insert_sale(&sale(
            FormKind::Procurement,
            "云阳县青松中学",
            SHUANGJIANG,
            "",
            (2019, 9, 5),
            20000,
        ))
        .unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(40000)
    );
    store.set_same_sale(procurement_id, Some(sale_id)).unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(20000)
    );
    let counted = SaleFilter {
        counted_only: true,
        ..Default::default()
    };
    assert_eq!(
        store.sale_totals(&counted).unwrap(),
        (1, Money::from_fen(20000))
    );
    // The wrong direction is refused.
    assert!(store.set_same_sale(sale_id, Some(procurement_id)).is_err());
    // Deleting the sale makes the procurement count again.
    store.delete_sale(sale_id).unwrap();
    assert_eq!(store.sale(procurement_id).unwrap().same_sale_as, None);
    // ON DELETE SET NULL does not fire update triggers in every SQLite build; the summary must
    // still be right.
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(20000)
    );
}

#[test]
fn filters_narrow_by_form_township_period_text_and_deep_poverty() {
    let (_dir, _, mut store) = temp_store();
    store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县商务委",
            NIXI,
            "三坪村",
            (2019, 2, 1),
            100,
        ))
        .unwrap();
    store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            "滨江社区",
            (2019, 5, 1),
            200,
        ))
        .unwrap();
    store
        .insert_sale(&sale(
            FormKind::Procurement,
            "云阳县青松中学",
            SHUANGJIANG,
            "滨江社区",
            (2019, 8, 1),
            400,
        ))
        .unwrap();
    store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            "滨江社区",
            (2020, 8, 1),
            800,
        ))
        .unwrap();
    let totals = |filter: SaleFilter| store.sale_totals(&filter).unwrap();
    assert_eq!(
        totals(SaleFilter {
            form: Some(FormKind::Sale),
            ..Default::default()
        })
        .0,
        3
    );
    assert_eq!(
        totals(SaleFilter {
            year: Some(2019),
            ..Default::default()
        })
        .1,
        Money::from_fen(700)
    );
    assert_eq!(
        totals(SaleFilter {
            year: Some(2019),
            quarter: Some(2),
            ..Default::default()
        })
        .1,
        Money::from_fen(200)
    );
    assert_eq!(
        totals(SaleFilter {
            township_code: Some(SHUANGJIANG.into()),
            ..Default::default()
        })
        .1,
        Money::from_fen(1400)
    );
    assert_eq!(
        totals(SaleFilter {
            deep_poverty_only: true,
            ..Default::default()
        })
        .1,
        Money::from_fen(100)
    );
    assert_eq!(
        totals(SaleFilter {
            text: "青松".into(),
            ..Default::default()
        })
        .1,
        Money::from_fen(400)
    );
    assert_eq!(
        totals(SaleFilter {
            text: "滨江".into(),
            ..Default::default()
        })
        .0,
        3
    );
    assert_eq!(
        totals(SaleFilter {
            text: "100%".into(),
            ..Default::default()
        })
        .0,
        0
    );
    let ids = store.sale_ids(&SaleFilter::default()).unwrap();
    assert_eq!(ids.len(), 4);
    let rows = store.sales_by_ids(&ids[1..3]).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids[1..3].to_vec()
    );
    assert_eq!(store.sale_years().unwrap(), vec![2020, 2019]);
}

#[test]
fn a_deep_poverty_village_counts_in_the_deep_poverty_part() {
    let (_dir, _, mut store) = temp_store();
    store
        .insert_sale(&sale(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            "柏杨村",
            (2019, 9, 1),
            500,
        ))
        .unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().deep_poverty,
        Money::ZERO
    );
    store.upsert_village(SHUANGJIANG, "柏杨村", true).unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().deep_poverty,
        Money::from_fen(500)
    );
    store.set_township_deep_poverty(NIXI, false).unwrap();
    assert!(
        !store
            .townships()
            .unwrap()
            .iter()
            .find(|t| t.code == NIXI)
            .unwrap()
            .deep_poverty
    );
    assert!(store.set_township_deep_poverty("999", true).is_err());
}

#[test]
fn settings_and_targets_are_saved() {
    let (_dir, _, mut store) = temp_store();
    assert_eq!(store.settings().unwrap(), Settings::default());
    let settings = Settings {
        unit: "泥溪镇人民政府".into(),
        contact_person: "张三".into(),
        phone: "17723635558".into(),
    };
    store.save_settings(&settings).unwrap();
    assert_eq!(store.settings().unwrap(), settings);
    let mut targets = store.targets(2020).unwrap();
    targets.total = Money::from_fen(7_000_000_000);
    store.save_targets(&targets).unwrap();
    assert_eq!(
        store.targets(2020).unwrap().total,
        Money::from_fen(7_000_000_000)
    );
    assert_eq!(
        store.targets(2019).unwrap().total,
        Money::from_fen(6_000_000_000)
    );
}

#[test]
fn a_negative_amount_is_refused_and_nothing_is_written() {
    let (_dir, _, mut store) = temp_store();
    let good = sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 9, 1),
        100,
    );
    let bad = sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 9, 1),
        -100,
    );
    assert!(store.insert_sales_batch(&[good, bad], None).is_err());
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 0);
}

#[test]
fn backup_writes_a_readable_copy() {
    let (dir, _, mut store) = temp_store();
    store.insert_sale(&commerce_committee_sale()).unwrap();
    let copy = dir.path().join("backup.db");
    store.backup_to(&copy).unwrap();
    assert!(
        store.backup_to(&copy).is_err(),
        "an existing backup is not overwritten"
    );
    let restored = Store::open(&copy).unwrap();
    assert_eq!(
        restored.sale_totals(&SaleFilter::default()).unwrap(),
        (1, Money::from_fen(9000))
    );
}

/// The search box: several words must all be found (`王某某 土豆`, with an ideographic space
/// too), and a word that is an amount finds the records of that amount (`1.5`, `1.50元`).
#[test]
fn the_search_text_matches_every_word_and_amounts() {
    let (_dir, _, mut store) = temp_store();
    let mut potato = sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 2, 1),
        150,
    );
    potato.product = "土豆".into();
    let mut eggs = sale(
        FormKind::Sale,
        "云阳县商务委",
        NIXI,
        "三坪村",
        (2019, 2, 2),
        200,
    );
    eggs.product = "土鸡蛋".into();
    store.insert_sale(&potato).unwrap();
    store.insert_sale(&eggs).unwrap();
    let found = |store: &Store, text: &str| {
        store
            .sales(&SaleFilter {
                text: text.into(),
                ..SaleFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.record.product)
            .collect::<Vec<_>>()
    };
    assert_eq!(found(&store, "王某某 土豆"), ["土豆"]);
    assert_eq!(found(&store, "王某某　土鸡"), ["土鸡蛋"]);
    assert_eq!(found(&store, "王某某 白菜"), Vec::<String>::new());
    assert_eq!(found(&store, "1.5"), ["土豆"]);
    assert_eq!(found(&store, "2.00元"), ["土鸡蛋"]);
    assert_eq!(found(&store, "土"), ["土豆", "土鸡蛋"]);
}
