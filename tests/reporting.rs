//! Reporting status and deadlines (R6, 三(三)): which townships and lead units have reported for a
//! quarter, when, and whether on time; the attribution of 附件3 records to lead units.

mod common;

use std::path::Path;

use common::{NIXI, SHUANGJIANG, SaleRecordFixture, sale, temp_store, ymd};
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::domain::{Money, Quarter};
use xiaofei_fupin::forms::ingest::{commit, prepare};
use xiaofei_fupin::store::{ReportState, normalize_unit_name};

/// A record of 30斤 土豆 from 三坪村 in `township`.
fn record(
    kind: FormKind,
    purchaser: &str,
    township: &str,
    date: (i32, u32, u32),
    fen: i64,
) -> SaleRecord {
    sale(kind, purchaser, township, "三坪村", date, fen).with_region("三坪村")
}

/// Sets when record `id` was entered (the store stamps the current time).
fn set_created_at(db: &Path, id: i64, at: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE sale SET created_at = ?2 WHERE id = ?1",
        rusqlite::params![id, at],
    )
    .unwrap();
}

#[test]
fn townships_are_reported_late_or_missing_against_the_30th() {
    let (_dir, db, mut store) = temp_store();
    let on_time = store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            NIXI,
            (2019, 8, 1),
            9000,
        ))
        .unwrap();
    let late = store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            (2019, 9, 2),
            5000,
        ))
        .unwrap();
    // Another quarter: does not count for Q3.
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            "500235002",
            (2019, 6, 30),
            100,
        ))
        .unwrap();
    set_created_at(&db, on_time, "2019-09-30 17:59:00");
    set_created_at(&db, late, "2019-10-05 09:00:00");

    let q3 = Quarter {
        year: 2019,
        quarter: 3,
    };
    let status = store.reporting_status(q3, ymd(2019, 10, 8)).unwrap();
    assert_eq!(status.report_deadline, ymd(2019, 9, 30));
    assert_eq!(status.bulletin_deadline, ymd(2019, 10, 10));
    assert!(status.deadline_passed);
    assert_eq!(status.townships.len(), 42);
    let nixi = status
        .townships
        .iter()
        .find(|t| t.name == "泥溪镇")
        .unwrap();
    assert_eq!(
        (nixi.state, nixi.records, nixi.amount),
        (ReportState::Reported, 1, Money::from_fen(9000))
    );
    assert_eq!(
        nixi.first_entered.unwrap().to_string(),
        "2019-09-30 17:59:00"
    );
    let shuangjiang = status
        .townships
        .iter()
        .find(|t| t.name == "双江街道")
        .unwrap();
    assert_eq!(shuangjiang.state, ReportState::Late);
    assert_eq!(shuangjiang.state.name(), "逾期报送");
    assert_eq!(status.missing_townships().len(), 40);
    assert!(status.missing_townships().contains(&"青龙街道".to_string()));
    assert_eq!(status.late_units(), vec!["双江街道".to_string()]);
    assert_eq!(status.lead_units.len(), 13);
    assert_eq!(status.missing_lead_units().len(), 13);

    // Before the deadline nothing is overdue yet.
    let early = store.reporting_status(q3, ymd(2019, 9, 15)).unwrap();
    assert!(!early.deadline_passed);
    // Q4's deadlines roll into the next year.
    let q4 = store
        .reporting_status(
            Quarter {
                year: 2019,
                quarter: 4,
            },
            ymd(2019, 12, 1),
        )
        .unwrap();
    assert_eq!(
        (q4.report_deadline, q4.bulletin_deadline),
        (ymd(2019, 12, 30), ymd(2020, 1, 10))
    );
    assert_eq!(q4.missing_townships().len(), 42);
}

#[test]
fn lead_units_are_found_by_submission_unit_purchaser_or_alias() {
    let (_dir, db, mut store) = temp_store();
    // Sample 11: 填报单位 云阳县教育系统消费扶贫牵头办公室, purchasers are schools → 县教委.
    let prepared = prepare(
        &store,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples/11_fj3_pair_dept_overlap5.xlsx"),
    )
    .unwrap();
    commit(&mut store, &prepared).unwrap();
    // Typed in by hand: the purchaser is the lead unit itself.
    let union = store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县总工会",
            NIXI,
            (2019, 9, 3),
            50000,
        ))
        .unwrap();
    set_created_at(&db, union, "2019-09-10 08:00:00");
    // A school typed in by hand: attributed to nobody until an alias says so.
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县桂园小学",
            NIXI,
            (2019, 9, 4),
            1000,
        ))
        .unwrap();

    let q3 = Quarter {
        year: 2019,
        quarter: 3,
    };
    // As of today: the imported file counts, entered long after 2019-09-30.
    let today = chrono::Local::now().date_naive();
    let status = store.reporting_status(q3, today).unwrap();
    let education = status
        .lead_units
        .iter()
        .find(|u| u.name == "县教委")
        .unwrap();
    assert_eq!(education.records, 20);
    assert_eq!(education.amount, Money::from_fen(995400));
    assert_eq!(
        (education.channel.as_str(), education.sub_channel.as_str()),
        ("五进对接直销", "进学校")
    );
    // Imported today, long after 2019-09-30.
    assert_eq!(education.state, ReportState::Late);
    let union = status
        .lead_units
        .iter()
        .find(|u| u.name == "县总工会")
        .unwrap();
    assert_eq!(
        (union.state, union.amount),
        (ReportState::Reported, Money::from_fen(50000))
    );
    assert_eq!(status.unattributed.len(), 1);
    assert_eq!(status.unattributed[0].purchaser, "云阳县桂园小学");
    assert_eq!(status.missing_lead_units().len(), 11);
    // As of 2019-10-01 only the union's record (entered 2019-09-10) had been entered.
    let then = store.reporting_status(q3, ymd(2019, 10, 1)).unwrap();
    assert_eq!(then.missing_lead_units().len(), 12);
    assert!(then.unattributed.is_empty());
    assert!(then.late_units().is_empty());

    store
        .set_lead_unit_alias("云阳县 桂园小学", "县教委")
        .unwrap();
    assert_eq!(
        store.lead_unit_aliases().unwrap(),
        vec![("桂园小学".to_string(), "县教委".to_string())]
    );
    let status = store.reporting_status(q3, today).unwrap();
    assert!(status.unattributed.is_empty());
    assert_eq!(
        status
            .lead_units
            .iter()
            .find(|u| u.name == "县教委")
            .unwrap()
            .records,
        21
    );
    assert!(store.set_lead_unit_alias("x", "县不存在委").is_err());
    store.remove_lead_unit_alias("桂园小学").unwrap();
    assert!(store.lead_unit_aliases().unwrap().is_empty());

    assert_eq!(
        store.lead_unit_for("云阳县卫健委", "").unwrap().as_deref(),
        Some("县卫生健康委")
    );
    assert_eq!(
        store
            .lead_unit_for("", "重庆市云阳县商务委")
            .unwrap()
            .as_deref(),
        Some("县商务委")
    );
    assert_eq!(store.lead_unit_for("", "云阳县明德初级中学").unwrap(), None);
    assert_eq!(normalize_unit_name("重庆市云阳县 教委"), "教委");
}

#[test]
fn records_entered_after_the_as_of_day_are_not_yet_reported() {
    let (_dir, db, mut store) = temp_store();
    let q1 = Quarter {
        year: 2019,
        quarter: 1,
    };
    // 泥溪镇 entered its Q1 sales on time; 双江街道 on 2019-04-05 (late) and again later.
    let on_time = store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            NIXI,
            (2019, 2, 1),
            9000,
        ))
        .unwrap();
    let late = store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            (2019, 3, 2),
            5000,
        ))
        .unwrap();
    let later = store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            SHUANGJIANG,
            (2019, 3, 3),
            7000,
        ))
        .unwrap();
    set_created_at(&db, on_time, "2019-03-20 10:00:00");
    set_created_at(&db, late, "2019-04-05 09:00:00");
    set_created_at(&db, later, "2019-04-09 00:00:00");
    // Typed in by hand today (long after the quarter): a lead unit's procurement.
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县总工会",
            NIXI,
            (2019, 3, 5),
            50000,
        ))
        .unwrap();

    let status = store.reporting_status(q1, ymd(2019, 4, 8)).unwrap();
    let shuangjiang = status
        .townships
        .iter()
        .find(|t| t.name == "双江街道")
        .unwrap();
    // Only the record entered by the end of 2019-04-08 counts, and its time.
    assert_eq!(
        (shuangjiang.state, shuangjiang.records, shuangjiang.amount),
        (ReportState::Late, 1, Money::from_fen(5000))
    );
    assert_eq!(
        shuangjiang.last_entered.unwrap().to_string(),
        "2019-04-05 09:00:00"
    );
    let union = status
        .lead_units
        .iter()
        .find(|u| u.name == "县总工会")
        .unwrap();
    assert_eq!(
        (union.state, union.records, union.first_entered),
        (ReportState::Missing, 0, None)
    );
    assert_eq!(status.late_units(), vec!["双江街道".to_string()]);
    assert_eq!(status.missing_lead_units().len(), 13);
    for unit in status.townships.iter().chain(&status.lead_units) {
        assert!(
            unit.first_entered
                .is_none_or(|t| t.date() <= ymd(2019, 4, 8)),
            "{unit:?}"
        );
    }

    // Before any entry: everybody is missing, nobody is late.
    let early = store.reporting_status(q1, ymd(2019, 3, 1)).unwrap();
    assert_eq!(early.missing_townships().len(), 42);
    assert!(early.late_units().is_empty());

    // As of today everything counts.
    let today = chrono::Local::now().date_naive();
    let now = store.reporting_status(q1, today).unwrap();
    let shuangjiang = now.townships.iter().find(|t| t.name == "双江街道").unwrap();
    assert_eq!(shuangjiang.records, 2);
    assert_eq!(
        now.late_units(),
        vec!["双江街道".to_string(), "县总工会".to_string()]
    );
}

#[test]
fn report_json_unreported_uses_the_same_as_of_rule() {
    use xiaofei_fupin::report::{dashboard::dashboard, status::add_status_json};
    let (_dir, _db, mut store) = temp_store();
    // Entered today for 2019 Q3.
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县商务委",
            NIXI,
            (2019, 8, 1),
            9000,
        ))
        .unwrap();
    let keys = |as_of| {
        let mut json = dashboard(&store, 2019).unwrap().to_json();
        add_status_json(&store, &mut json, as_of).unwrap();
        serde_json::to_value(&json).unwrap()["unreported"][2].clone()
    };
    let then = keys(ymd(2019, 10, 8));
    assert_eq!(then["townships"].as_array().unwrap().len(), 42);
    assert_eq!(then["late"].as_array().unwrap().len(), 0);
    let now = keys(chrono::Local::now().date_naive());
    assert_eq!(now["townships"].as_array().unwrap().len(), 41);
    assert_eq!(now["late"], serde_json::json!(["泥溪镇"]));
}
