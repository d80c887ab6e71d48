//! Unions (进家庭, R10, 四(一)5): member count × 500元 against the union's counted purchases.

mod common;

use common::{NIXI, SaleRecordFixture, sale};
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::domain::{Money, PurchaserType};
use xiaofei_fupin::store::Store;

/// A record of 10斤 腊肉 from 泥溪镇三坪村.
fn record(kind: FormKind, purchaser: &str, date: (i32, u32, u32), fen: i64) -> SaleRecord {
    sale(kind, purchaser, NIXI, "三坪村", date, fen)
        .with_region("泥溪镇三坪村")
        .with_product("腊肉")
        .with_quantity(10, "斤")
}

#[test]
fn a_union_is_measured_against_500_yuan_per_member_counting_pairs_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ledger.db")).unwrap();
    let union = store
        .purchasers()
        .unwrap()
        .into_iter()
        .find(|p| p.name == "云阳县总工会")
        .unwrap();
    assert_eq!(union.purchaser_type, Some(PurchaserType::Union));
    store
        .set_purchaser_type(union.id, Some(PurchaserType::Union), Some(120))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县总工会",
            (2019, 9, 1),
            1_500_000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县总工会",
            (2019, 9, 1),
            1_500_000,
        ))
        .unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县总工会",
            (2018, 9, 1),
            99_900,
        ))
        .unwrap();
    // A union typed by its name, without a member count.
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县教育工会",
            (2019, 3, 1),
            10_000,
        ))
        .unwrap();

    let unions = store.union_purchases(2019).unwrap();
    let county = unions.iter().find(|u| u.name == "云阳县总工会").unwrap();
    assert_eq!(county.member_count, Some(120));
    assert_eq!(county.expected, Some(Money::from_fen(6_000_000)));
    assert_eq!(
        (county.purchased, county.records),
        (Money::from_fen(1_500_000), 1)
    );
    assert_eq!(county.percent(), Some(Decimal::from(25)));
    let education = unions.iter().find(|u| u.name == "云阳县教育工会").unwrap();
    assert_eq!((education.expected, education.percent()), (None, None));
    assert_eq!(education.purchased, Money::from_fen(10_000));
}
