//! Reconciliation of 附件2 and 附件3 (issue 4, 三(三)): near matches listed with their reasons,
//! confirmed or rejected by the operator, decisions surviving re-import; unmatched counts; the
//! sample pair 10/11 and its near-miss row.

mod common;

use chrono::NaiveDate;
use common::{SHUANGJIANG, SaleRecordFixture, sale, sample, temp_store};
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::domain::{DatePrecision, Money, Quantity};
use xiaofei_fupin::forms::ingest::{commit, prepare};
use xiaofei_fupin::store::{NEAR_MATCH_MAX_DAYS, Store};

/// A 附件2 sale (to 云阳县青松中学) or 附件3 procurement (by 云阳县教委) of 唐某某's 15斤 腊肉 in
/// 双江街道`village`.
fn record(kind: FormKind, village: &str, date: (i32, u32, u32), fen: i64) -> SaleRecord {
    let purchaser = if kind == FormKind::Sale {
        "云阳县青松中学"
    } else {
        "云阳县教委"
    };
    sale(kind, purchaser, SHUANGJIANG, village, date, fen)
        .with_region(&format!("双江街道{village}"))
        .with_household("唐某某")
        .with_product("腊肉")
        .with_quantity(15, "斤")
}

fn import(store: &mut Store, name: &str) {
    let prepared = prepare(store, &sample(name)).unwrap();
    let report = commit(store, &prepared).unwrap();
    assert_eq!(report.outcome, "imported", "{report:?}");
}

#[test]
fn a_near_match_is_listed_with_its_reasons_and_counts_once_when_confirmed() {
    let (_dir, _, mut store) = temp_store();
    let sale = store
        .insert_sale(&record(FormKind::Sale, "柏杨村", (2019, 9, 12), 60000))
        .unwrap();
    let procurement = store
        .insert_sale(&record(FormKind::Procurement, "", (2019, 9, 14), 60000))
        .unwrap();
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(120000)
    );

    let matches = store.near_matches(2019).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(
        (matches[0].procurement.id, matches[0].sale.id),
        (procurement, sale)
    );
    assert_eq!(matches[0].days_apart, 2);
    assert_eq!(
        matches[0].reasons,
        vec!["日期相差2天".to_string(), "附件3未填村(社区)".to_string()]
    );
    assert_eq!(matches[0].reason_text(), "日期相差2天；附件3未填村(社区)");
    assert!(store.near_matches(2018).unwrap().is_empty());
    assert_eq!(store.unmatched(2019, FormKind::Sale).unwrap().records, 1);
    assert_eq!(
        store.unmatched(2019, FormKind::Procurement).unwrap().amount,
        Money::from_fen(60000)
    );

    store.confirm_same_sale(procurement, sale).unwrap();
    let totals = store.summary_totals(2019).unwrap();
    assert_eq!(totals.total, Money::from_fen(60000), "counted once");
    assert_eq!(totals.double_counted, Money::from_fen(60000));
    assert_eq!(store.sale(procurement).unwrap().same_sale_as, Some(sale));
    assert!(store.near_matches(2019).unwrap().is_empty());
    assert_eq!(store.unmatched(2019, FormKind::Sale).unwrap().records, 0);
    assert_eq!(
        store
            .unmatched(2019, FormKind::Procurement)
            .unwrap()
            .records,
        0
    );
    let pairs = store.same_sale_pairs(2019).unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!((pairs[0].0.id, pairs[0].1.id), (procurement, sale));

    // A second procurement cannot be confirmed against the same sale.
    let again = store
        .insert_sale(&record(
            FormKind::Procurement,
            "柏杨村",
            (2019, 9, 13),
            60000,
        ))
        .unwrap();
    assert!(
        store.near_matches(2019).unwrap().is_empty(),
        "the sale is already paired"
    );
    let error = store
        .confirm_same_sale(again, sale)
        .unwrap_err()
        .to_string();
    assert!(error.contains("已与附件3记录"), "{error}");
    // Wrong forms are refused.
    assert!(store.confirm_same_sale(sale, procurement).is_err());
}

#[test]
fn the_window_is_a_few_days_and_amounts_must_be_equal() {
    let (_dir, _, mut store) = temp_store();
    store
        .insert_sale(&record(FormKind::Sale, "柏杨村", (2019, 9, 12), 60000))
        .unwrap();
    let limit = u32::try_from(NEAR_MATCH_MAX_DAYS).unwrap();
    // Just outside the window, and inside the window with another amount: neither is near.
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "柏杨村",
            (2019, 9, 12 + limit + 1),
            60000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "柏杨村",
            (2019, 9, 13),
            60001,
        ))
        .unwrap();
    // Another village on both sides: not near.
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "青杠村",
            (2019, 9, 12),
            60000,
        ))
        .unwrap();
    assert!(store.near_matches(2019).unwrap().is_empty());
    // At the edge of the window and with another quantity: near, with both reasons.
    let mut edge = record(
        FormKind::Procurement,
        "柏杨村",
        (2019, 9, 12 - limit),
        60000,
    );
    edge.quantity = Quantity {
        value: Decimal::from(10),
        unit: Some("公斤".into()),
    };
    edge.quantity_text = "10公斤".into();
    store.insert_sale(&edge).unwrap();
    let matches = store.near_matches(2019).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(
        matches[0].reasons,
        vec![
            format!("日期相差{limit}天"),
            "数量不同（附件2：15斤，附件3：10公斤）".to_string()
        ]
    );
}

#[test]
fn a_month_only_date_is_near_within_the_same_month() {
    let (_dir, _, mut store) = temp_store();
    store
        .insert_sale(&record(FormKind::Sale, "柏杨村", (2019, 9, 25), 60000))
        .unwrap();
    let mut month_only = record(FormKind::Procurement, "柏杨村", (2019, 9, 1), 60000);
    month_only.date.precision = DatePrecision::Month;
    month_only.date_text = "2019.9".into();
    store.insert_sale(&month_only).unwrap();
    let matches = store.near_matches(2019).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(
        matches[0].reasons,
        vec!["附件3采购时间只填到月".to_string()]
    );
}

#[test]
fn a_rejected_pair_is_never_listed_again_even_after_reimport() {
    let (_dir, _, mut store) = temp_store();
    let sale_record = record(FormKind::Sale, "柏杨村", (2019, 9, 12), 60000);
    let procurement_record = record(FormKind::Procurement, "柏杨村", (2019, 9, 11), 60000);
    let sale = store.insert_sale(&sale_record).unwrap();
    let procurement = store.insert_sale(&procurement_record).unwrap();
    assert_eq!(store.near_matches(2019).unwrap().len(), 1);
    store.reject_near_match(procurement, sale).unwrap();
    assert!(store.near_matches(2019).unwrap().is_empty());
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(120000),
        "both count"
    );

    // The rows are deleted and the same content comes back (a re-import): still rejected.
    store.delete_sale(procurement).unwrap();
    store.delete_sale(sale).unwrap();
    let ids = store
        .insert_sales_batch(&[sale_record, procurement_record], None)
        .unwrap();
    store.pair_exact_same_sales().unwrap();
    store.reapply_pairing_decisions().unwrap();
    assert!(store.near_matches(2019).unwrap().is_empty());
    // The procurement can still be proposed with another sale.
    let other = store
        .insert_sale(&record(FormKind::Sale, "柏杨村", (2019, 9, 10), 60000))
        .unwrap();
    let matches = store.near_matches(2019).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(
        (matches[0].procurement.id, matches[0].sale.id),
        (ids[1], other)
    );
}

#[test]
fn a_confirmed_pair_is_linked_again_after_reimport() {
    let (_dir, _, mut store) = temp_store();
    let sale_record = record(FormKind::Sale, "柏杨村", (2019, 9, 12), 60000);
    let procurement_record = record(FormKind::Procurement, "", (2019, 9, 12), 60000);
    let sale = store.insert_sale(&sale_record).unwrap();
    let procurement = store.insert_sale(&procurement_record).unwrap();
    store.confirm_same_sale(procurement, sale).unwrap();
    store.delete_sale(procurement).unwrap();
    store.delete_sale(sale).unwrap();
    let ids = store
        .insert_sales_batch(&[sale_record, procurement_record], None)
        .unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(120000)
    );
    assert_eq!(store.reapply_pairing_decisions().unwrap(), 1);
    assert_eq!(store.sale(ids[1]).unwrap().same_sale_as, Some(ids[0]));
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(60000)
    );
    assert_eq!(store.reapply_pairing_decisions().unwrap(), 0, "idempotent");
}

#[test]
fn rejecting_an_exact_pair_unlinks_it_for_good() {
    let (_dir, _, mut store) = temp_store();
    let sale_record = record(FormKind::Sale, "柏杨村", (2019, 9, 12), 60000);
    let procurement_record = record(FormKind::Procurement, "柏杨村", (2019, 9, 12), 60000);
    let ids = store
        .insert_sales_batch(&[sale_record.clone(), procurement_record.clone()], None)
        .unwrap();
    assert_eq!(store.pair_exact_same_sales().unwrap(), 1);
    store.reject_near_match(ids[1], ids[0]).unwrap();
    assert_eq!(store.sale(ids[1]).unwrap().same_sale_as, None);
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(120000)
    );
    // Re-import: the automatic pairing links them again, the stored decision undoes it.
    store.delete_sale(ids[1]).unwrap();
    store.delete_sale(ids[0]).unwrap();
    let ids = store
        .insert_sales_batch(&[sale_record, procurement_record], None)
        .unwrap();
    assert_eq!(store.pair_exact_same_sales().unwrap(), 1);
    assert_eq!(store.reapply_pairing_decisions().unwrap(), 1);
    assert_eq!(store.sale(ids[1]).unwrap().same_sale_as, None);
    assert!(store.near_matches(2019).unwrap().is_empty());
}

#[test]
fn samples_10_and_11_the_near_miss_row_is_a_separate_purchase() {
    let (_dir, _, mut store) = temp_store();
    import(&mut store, "10_fj2_pair_township_shuangjiang.xlsx");
    import(&mut store, "11_fj3_pair_dept_overlap5.xlsx");
    let totals = store.summary_totals(2019).unwrap();
    assert_eq!(totals.double_counted_pairs, 5);
    assert_eq!(totals.double_counted, Money::from_fen(188000));
    assert_eq!(totals.total, Money::from_fen(1897500));

    let procurements = store
        .sales(&xiaofei_fupin::store::SaleFilter {
            form: Some(FormKind::Procurement),
            ..Default::default()
        })
        .unwrap();
    let near_miss = procurements
        .iter()
        .find(|r| {
            r.record.household == "唐大勇"
                && r.record.date.date == NaiveDate::from_ymd_opt(2019, 9, 26).unwrap()
        })
        .unwrap();
    assert_eq!(near_miss.record.product, "腊肉");
    assert_eq!(near_miss.same_sale_as, None, "not an exact pair");
    // 2019-09-12 vs 2019-09-26 is 14 days (beyond the 3-day window), and the amounts differ
    // (400.00 vs 600.00): not a near match either. No other row of the pair is near.
    let matches = store.near_matches(2019).unwrap();
    assert!(
        matches.iter().all(|m| m.procurement.id != near_miss.id),
        "{matches:?}"
    );
    assert!(matches.is_empty(), "{matches:?}");
    assert_eq!(store.same_sale_pairs(2019).unwrap().len(), 5);
    let unmatched_sales = store.unmatched(2019, FormKind::Sale).unwrap();
    assert_eq!(unmatched_sales.records, 15);
    assert_eq!(unmatched_sales.amount, Money::from_fen(1090100 - 188000));
    let unmatched_procurements = store.unmatched(2019, FormKind::Procurement).unwrap();
    assert_eq!(unmatched_procurements.records, 15);
    assert_eq!(
        unmatched_procurements.amount,
        Money::from_fen(995400 - 188000)
    );

    // Importing both files again changes nothing.
    import(&mut store, "10_fj2_pair_township_shuangjiang.xlsx");
    import(&mut store, "11_fj3_pair_dept_overlap5.xlsx");
    assert_eq!(
        store.summary_totals(2019).unwrap().total,
        Money::from_fen(1897500)
    );
}

/// The unmatched records of both sides are listed by id (对账), filtered by township and quarter,
/// and agree with the unmatched counts; the near-miss row of 11 is an unmatched 附件3 row.
#[test]
fn samples_10_and_11_unmatched_records_are_listed_on_each_side() {
    use xiaofei_fupin::store::UnmatchedFilter;
    let (_dir, _, mut store) = temp_store();
    import(&mut store, "10_fj2_pair_township_shuangjiang.xlsx");
    import(&mut store, "11_fj3_pair_dept_overlap5.xlsx");

    let households = |store: &Store, filter: &UnmatchedFilter| -> Vec<(String, String)> {
        let ids = store.unmatched_ids(filter).unwrap();
        store
            .sales_by_ids(&ids)
            .unwrap()
            .into_iter()
            .map(|r| (r.record.household.clone(), r.record.date.date.to_string()))
            .collect()
    };
    for form in [FormKind::Sale, FormKind::Procurement] {
        let year = UnmatchedFilter::year(form, 2019);
        let listed = households(&store, &year);
        assert_eq!(listed.len(), 15, "{form:?}: {listed:?}");
        // Dated order, as the other lists.
        let mut sorted = listed.clone();
        sorted.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            listed.iter().map(|r| &r.1).collect::<Vec<_>>(),
            sorted.iter().map(|r| &r.1).collect::<Vec<_>>()
        );
        // The five pairs are on neither list.
        for (paired, date) in [
            ("胡国平", "2019-09-05"),
            ("何春梅", "2019-09-09"),
            ("唐大勇", "2019-09-12"),
            ("龚泽兰", "2019-09-18"),
            ("夏远超", "2019-09-24"),
        ] {
            assert!(
                !listed.contains(&(paired.to_string(), date.to_string())),
                "{form:?}: {paired} is paired"
            );
        }
        // Totals agree with the 对账 counts.
        assert_eq!(
            store.unmatched_totals(&year).unwrap(),
            store.unmatched(2019, form).unwrap()
        );
        // Nothing in the fourth quarter or in another year.
        let q4 = UnmatchedFilter {
            quarter: Some(4),
            ..year.clone()
        };
        assert!(store.unmatched_ids(&q4).unwrap().is_empty());
        assert_eq!(store.unmatched_totals(&q4).unwrap().records, 0);
        let q3 = UnmatchedFilter {
            quarter: Some(3),
            ..year.clone()
        };
        assert_eq!(store.unmatched_ids(&q3).unwrap().len(), 15);
        assert!(
            store
                .unmatched_ids(&UnmatchedFilter::year(form, 2020))
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        store
            .unmatched_totals(&UnmatchedFilter::year(FormKind::Sale, 2019))
            .unwrap()
            .amount,
        Money::from_fen(1090100 - 188000)
    );

    // 附件3 in 双江街道: of its six rows, five are paired; the near miss (唐大勇 腊肉 10斤 400元,
    // 2019-09-26) is left, a separate purchase (not a near match: 14 days and 200元 apart).
    let shuangjiang = UnmatchedFilter {
        form: FormKind::Procurement,
        year: 2019,
        quarter: Some(3),
        township_code: Some(SHUANGJIANG.to_string()),
    };
    let ids = store.unmatched_ids(&shuangjiang).unwrap();
    let rows = store.sales_by_ids(&ids).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let near_miss = &rows[0].record;
    assert_eq!(
        (
            near_miss.household.as_str(),
            near_miss.product.as_str(),
            near_miss.date.date,
            near_miss.amount
        ),
        (
            "唐大勇",
            "腊肉",
            NaiveDate::from_ymd_opt(2019, 9, 26).unwrap(),
            Money::from_fen(40000)
        )
    );
    assert!(store.near_matches(2019).unwrap().is_empty());
    // 附件2 in 双江街道: all its 15 unmatched rows.
    assert_eq!(
        store
            .unmatched_ids(&UnmatchedFilter {
                form: FormKind::Sale,
                ..shuangjiang.clone()
            })
            .unwrap()
            .len(),
        15
    );
    // 附件1 has nothing to pair.
    assert!(
        store
            .unmatched_ids(&UnmatchedFilter::year(FormKind::Catalogue, 2019))
            .unwrap()
            .is_empty()
    );

    // Unpairing a pair puts both rows back on the lists.
    let (procurement, _sale) = store.same_sale_pairs(2019).unwrap().remove(0);
    store.set_same_sale(procurement.id, None).unwrap();
    for form in [FormKind::Sale, FormKind::Procurement] {
        assert_eq!(
            store
                .unmatched_ids(&UnmatchedFilter::year(form, 2019))
                .unwrap()
                .len(),
            16
        );
    }
}
