//! Payments and arrears (R12, 五(二)): unpaid counted records by purchaser and age.

mod common;

use chrono::NaiveDate;
use common::{NIXI, SaleRecordFixture, sale};
use xiaofei_fupin::domain::Money;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::store::{Store, unpaid_totals};

/// A record of 30斤 土豆 from 泥溪镇三坪村.
fn record(kind: FormKind, purchaser: &str, date: (i32, u32, u32), fen: i64) -> SaleRecord {
    sale(kind, purchaser, NIXI, "三坪村", date, fen).with_region("泥溪镇三坪村")
}

#[test]
fn unpaid_sales_are_bucketed_by_age_per_purchaser() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ledger.db")).unwrap();
    let today = NaiveDate::from_ymd_opt(2019, 10, 31).unwrap();
    // 云阳县商务委: 30 days (≤30), 31 days, 61 days, 92 days; one paid.
    store
        .insert_sale(&record(FormKind::Sale, "云阳县商务委", (2019, 10, 1), 100))
        .unwrap();
    store
        .insert_sale(&record(FormKind::Sale, "云阳县商务委", (2019, 9, 30), 200))
        .unwrap();
    store
        .insert_sale(&record(FormKind::Sale, "云阳县商务委", (2019, 8, 31), 300))
        .unwrap();
    store
        .insert_sale(&record(FormKind::Sale, "云阳县商务委", (2019, 7, 31), 400))
        .unwrap();
    let paid = store
        .insert_sale(&record(FormKind::Sale, "云阳县商务委", (2019, 7, 1), 5000))
        .unwrap();
    store
        .set_paid(paid, true, NaiveDate::from_ymd_opt(2019, 7, 20))
        .unwrap();
    // 云阳县教委: a pair (附件2 + 附件3, same sale) paid on the 附件3 side: not unpaid, and never
    // counted twice; a future-dated sale is age 0.
    let sale = store
        .insert_sale(&record(FormKind::Sale, "云阳县教委", (2019, 6, 1), 7000))
        .unwrap();
    let procurement = store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县教委",
            (2019, 6, 1),
            7000,
        ))
        .unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    assert_eq!(store.sale(procurement).unwrap().same_sale_as, Some(sale));
    store.set_paid(procurement, true, None).unwrap();
    store
        .insert_sale(&record(FormKind::Sale, "云阳县教委", (2019, 11, 5), 50))
        .unwrap();
    // An unpaid pair counts once.
    store
        .insert_sale(&record(FormKind::Sale, "云阳县总工会", (2019, 5, 1), 900))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县总工会",
            (2019, 5, 1),
            900,
        ))
        .unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);

    let rows = store.unpaid_by_age(today).unwrap();
    assert_eq!(rows.len(), 3);
    // The largest overdue money first.
    assert_eq!(rows[0].purchaser, "云阳县总工会");
    assert_eq!(rows[0].buckets.over_90, Money::from_fen(900));
    assert_eq!(rows[0].buckets.records, 1);
    let commerce = &rows[1];
    assert_eq!(commerce.purchaser, "云阳县商务委");
    assert_eq!(commerce.buckets.within_30, Money::from_fen(100));
    assert_eq!(commerce.buckets.days_31_to_60, Money::from_fen(200));
    assert_eq!(commerce.buckets.days_61_to_90, Money::from_fen(300));
    assert_eq!(commerce.buckets.over_90, Money::from_fen(400));
    assert_eq!(commerce.buckets.total(), Money::from_fen(1000));
    assert_eq!(commerce.buckets.overdue(), Money::from_fen(900));
    assert_eq!(
        commerce.oldest,
        NaiveDate::from_ymd_opt(2019, 7, 31).unwrap()
    );
    let education = &rows[2];
    assert_eq!(
        (education.buckets.within_30, education.buckets.records),
        (Money::from_fen(50), 1)
    );

    let totals = unpaid_totals(&rows);
    assert_eq!(totals.total(), Money::from_fen(1950));
    assert_eq!(totals.over_90, Money::from_fen(1300));
    assert_eq!(totals.records, 6);
}
