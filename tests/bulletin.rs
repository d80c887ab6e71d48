//! The quarterly bulletin (通报, 三(三)): figures for the quarter, the previous quarter and the year
//! to date, double counts removed, who has not reported; the xlsx it writes (no names, no phones)
//! and the `bulletin` subcommand.

mod common;

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{NIXI, SHUANGJIANG, SaleRecordFixture, sale, ymd};
use rust_decimal::Decimal;
use xiaofei_fupin::domain::sale::{FormKind, SaleRecord};
use xiaofei_fupin::domain::{Money, Quarter};
use xiaofei_fupin::report::bulletin::{bulletin, bulletin_to_bytes, change_percent};
use xiaofei_fupin::store::Store;

/// A record of 王小毛's 30斤 土豆 from 三坪村 in `township`, with a phone number as remark.
fn record(
    kind: FormKind,
    purchaser: &str,
    township: &str,
    date: (i32, u32, u32),
    fen: i64,
) -> SaleRecord {
    sale(kind, purchaser, township, "三坪村", date, fen)
        .with_region("三坪村")
        .with_household("王小毛")
        .with_remark("联系电话17723635558")
}

/// Q2: 10,000.00 元 (泥溪镇); Q3: 30,000.00 元 (泥溪镇 20,000 + 双江 10,000),
/// plus a 附件3 row that is the same sale as the 双江 one (counted once).
fn filled_store(db: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县机关事务服务中心",
            NIXI,
            (2019, 5, 10),
            1_000_000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县机关事务服务中心",
            NIXI,
            (2019, 8, 10),
            2_000_000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县教委",
            SHUANGJIANG,
            (2019, 9, 1),
            1_000_000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县教委",
            SHUANGJIANG,
            (2019, 9, 1),
            1_000_000,
        ))
        .unwrap();
    // Saved records pair at once; a re-run finds nothing more.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "UPDATE sale SET created_at = date(date, '+3 days') || ' 09:00:00'",
        [],
    )
    .unwrap();
    store
}

fn cell_texts(range: &calamine::Range<Data>) -> Vec<String> {
    range
        .rows()
        .flat_map(|row| row.iter())
        .filter_map(|cell| match cell {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The row whose column A or B holds `label`.
fn row_of<'a>(range: &'a calamine::Range<Data>, label: &str) -> &'a [Data] {
    range
        .rows()
        .find(|row| {
            row.iter()
                .take(2)
                .any(|c| matches!(c, Data::String(s) if s == label))
        })
        .unwrap_or_else(|| panic!("no row {label}"))
}

#[test]
fn the_bulletin_counts_once_compares_quarters_and_lists_who_has_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let store = filled_store(&db);
    let q3 = Quarter {
        year: 2019,
        quarter: 3,
    };
    let b = bulletin(&store, q3, ymd(2019, 10, 8)).unwrap();
    assert_eq!(b.title(), "云阳县消费扶贫工作通报（2019年第3季度）");
    assert_eq!(b.current.total, Money::from_fen(3_000_000));
    assert_eq!(b.previous.total, Money::from_fen(1_000_000));
    assert_eq!(b.year_to_date.total, Money::from_fen(4_000_000));
    assert_eq!(
        b.year_to_date.deep_poverty,
        Money::from_fen(3_000_000),
        "泥溪镇 is deep poverty"
    );
    assert_eq!(
        (b.current.double_counted_pairs, b.current.double_counted),
        (1, Money::from_fen(1_000_000))
    );
    assert_eq!(
        change_percent(b.current.total, b.previous.total),
        Some(Decimal::from(200))
    );
    assert_eq!(b.status.missing_townships().len(), 40);
    let education = b.lead_quarter.iter().find(|l| l.name == "县教委").unwrap();
    assert_eq!(
        (education.amount, education.double_counted),
        (Money::from_fen(1_000_000), Money::from_fen(1_000_000))
    );
    assert!(b.overview_text().starts_with("2019年第3季度，全县消费扶贫销售（采购）金额3.00万元，较上季度增加2.00万元（增长200.0%）。1—9月累计4.00万元，完成年度目标任务6000.00万元的0.1%（序时进度75%）"), "{}", b.overview_text());
    assert!(
        b.reporting_text()
            .contains("截至2019年10月8日，以下单位仍未报送本季度数据——乡镇(街道)40个："),
        "{}",
        b.reporting_text()
    );
    assert!(b.comparison_text().starts_with(
        "本季度全县金额3.00万元，上季度（2019年第2季度）1.00万元，增加2.00万元（增长200.0%）。"
    ));

    let path = dir.path().join("通报.xlsx");
    std::fs::write(&path, bulletin_to_bytes(&b).unwrap()).unwrap();
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let range = workbook.worksheet_range("2019年第3季度通报").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String(
            "云阳县消费扶贫工作通报（2019年第3季度）".into()
        ))
    );
    // 表1: target 6000.00, quarter 3.00, previous 1.00, change 200%, year to date 4.00 (万元).
    let total = row_of(&range, "全县合计");
    assert_eq!(total[2], Data::Float(6000.0));
    assert_eq!(total[3], Data::Float(3.0));
    assert_eq!(total[4], Data::Float(1.0));
    assert_eq!(total[5], Data::Float(2.0));
    assert_eq!(total[6], Data::Float(4.0));
    let nixi = row_of(&range, "泥溪镇★");
    assert_eq!(nixi[2], Data::Float(2.0));
    assert_eq!(nixi[7], Data::String("已报送".into()));
    let texts = cell_texts(&range);
    assert!(texts.iter().any(|t| t.starts_with("五、")));
    assert!(
        texts.iter().any(|t| t.contains("青龙街道")),
        "missing townships are named"
    );
    // Aggregates only: no household names, no phone numbers.
    assert!(
        texts
            .iter()
            .all(|t| !t.contains("王小毛") && !t.contains("17723635558"))
    );
}

#[test]
fn the_bulletin_subcommand_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    drop(filled_store(&db));
    let out = dir.path().join("bulletin.xlsx");
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(&db)
        .args([
            "bulletin",
            "--year",
            "2019",
            "--quarter",
            "3",
            "--date",
            "2019-10-08",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("云阳县消费扶贫工作通报（2019年第3季度）"),
        "{stdout}"
    );
    assert!(out.exists());
    let bad = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(&db)
        .args([
            "bulletin",
            "--year",
            "2019",
            "--quarter",
            "3",
            "--date",
            "10/8",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("无法识别"));
}

#[test]
fn the_bulletin_reports_as_of_its_date_not_entries_made_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = filled_store(&db);
    // Entered today, years after the bulletin's date: 青龙街道's Q3 sales and 县总工会's Q3
    // procurement had not been reported on 2019-10-08.
    store
        .insert_sale(&record(
            FormKind::Sale,
            "云阳县机关事务服务中心",
            "500235002",
            (2019, 9, 20),
            300_000,
        ))
        .unwrap();
    store
        .insert_sale(&record(
            FormKind::Procurement,
            "云阳县总工会",
            NIXI,
            (2019, 9, 21),
            400_000,
        ))
        .unwrap();
    let q3 = Quarter {
        year: 2019,
        quarter: 3,
    };
    let b = bulletin(&store, q3, ymd(2019, 10, 8)).unwrap();
    // The money figures are the ledger's; the reporting states are as of 2019-10-08.
    assert_eq!(b.current.total, Money::from_fen(3_700_000));
    assert!(
        b.status.late_units().is_empty(),
        "{:?}",
        b.status.late_units()
    );
    assert_eq!(b.status.missing_townships().len(), 40);
    assert!(
        b.status
            .missing_lead_units()
            .contains(&"县总工会".to_string())
    );
    let text = b.reporting_text();
    assert!(!text.contains("逾期报送"), "{text}");
    assert!(text.contains("截至2019年10月8日"), "{text}");

    let path = dir.path().join("通报.xlsx");
    std::fs::write(&path, bulletin_to_bytes(&b).unwrap()).unwrap();
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let range = workbook.worksheet_range("2019年第3季度通报").unwrap();
    // 表4: the state and the first-report date are as of the bulletin's date.
    let union = row_of(&range, "县总工会");
    assert_eq!(union[6], Data::String("未报送".into()));
    assert_eq!(union[7], Data::String("—".into()));
    let education = row_of(&range, "县教委");
    assert_eq!(education[6], Data::String("已报送".into()));
    assert_eq!(education[7], Data::String("2019-09-04".into()));
    // Every printed date is on or before the bulletin's date.
    for text in cell_texts(&range) {
        if let Ok(day) = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            assert!(day <= ymd(2019, 10, 8), "{text}");
        }
    }

    // As of today the same entries are late.
    let today = chrono::Local::now().date_naive();
    let now = bulletin(&store, q3, today).unwrap();
    assert!(now.status.late_units().contains(&"县总工会".to_string()));
}
