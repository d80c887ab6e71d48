//! The county supply catalogue (供应目录, R2, 三(一)2–3): all townships' 附件1 listings compiled,
//! each township's last update, the 超过一个月未更新 warning, and the `catalogue` subcommand.

mod common;

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::ymd;
use xiaofei_fupin::forms::ingest::{commit, prepare};
use xiaofei_fupin::report::supply_catalogue::{supply_catalogue, supply_catalogue_to_bytes};
use xiaofei_fupin::store::Store;

fn texts(path: &Path, sheet: &str) -> Vec<String> {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    range
        .rows()
        .flat_map(|row| row.iter())
        .filter_map(|cell| match cell {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn listings_are_grouped_by_township_with_last_update_and_a_stale_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let prepared = prepare(
        &store,
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/samples/06_fj1_catalogue_price_formats.xlsx"),
    )
    .unwrap();
    commit(&mut store, &prepared).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    // As if saved in the program (no form date): the day saved counts.
    conn.execute(
        "UPDATE listing SET updated_at = '2019-08-15 09:00:00', reported_on = NULL",
        [],
    )
    .unwrap();
    conn.execute("UPDATE listing SET updated_at = '2019-09-07 16:00:00' WHERE id = (SELECT MAX(id) FROM listing)", []).unwrap();

    // On 2019-10-08 the threshold is 2019-09-08: the latest change (09-07) is older.
    let catalogue = supply_catalogue(&store, ymd(2019, 10, 8)).unwrap();
    assert_eq!(catalogue.townships.len(), 42);
    assert_eq!(catalogue.listing_count(), 17);
    let nixi = catalogue
        .townships
        .iter()
        .find(|t| t.name == "泥溪镇")
        .unwrap();
    assert_eq!(nixi.last_update, Some(ymd(2019, 9, 7)));
    assert!(nixi.stale);
    assert_eq!(nixi.state(), "超过一个月未更新");
    assert_eq!(catalogue.stale_townships(), vec!["泥溪镇".to_string()]);
    assert_eq!(catalogue.missing_townships().len(), 41);
    // A day earlier it is still current.
    let earlier = supply_catalogue(&store, ymd(2019, 10, 7)).unwrap();
    assert!(earlier.stale_townships().is_empty());
    assert_eq!(
        earlier
            .townships
            .iter()
            .find(|t| t.name == "泥溪镇")
            .unwrap()
            .state(),
        "正常"
    );

    let path = dir.path().join("供应目录.xlsx");
    std::fs::write(&path, supply_catalogue_to_bytes(&catalogue).unwrap()).unwrap();
    let main = texts(&path, "供应目录");
    assert_eq!(main[0], "云阳县贫困户农特产品供应目录");
    assert!(
        main.iter()
            .any(|t| t == "泥溪镇★　　共17条　　最近更新：2019年9月7日"),
        "{main:?}"
    );
    assert!(
        main.iter()
            .any(|t| t.starts_with("超过一个月未更新：泥溪镇的待销目录最近更新于2019年9月7日"))
    );
    assert!(main.iter().any(|t| t == "供货联系人及联系方式"));
    assert!(
        main.iter()
            .any(|t| t.starts_with("尚未报送待销目录的乡镇(街道)（41个）：双江街道、"))
    );
    let status = texts(&path, "更新情况");
    assert!(status.iter().any(|t| t == "2019-09-07"));
    assert!(
        status
            .iter()
            .any(|t| t == "超过一个月未更新1个，未报送41个")
    );
}

#[test]
fn the_catalogue_subcommand_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    drop(Store::open(&db).unwrap());
    let out = dir.path().join("catalogue.xlsx");
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(&db)
        .args(["catalogue", "--date", "2019-10-08", "--out"])
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
        stdout.contains("已汇编供应目录：0条产品，42个乡镇(街道)未报送目录"),
        "{stdout}"
    );
    assert!(out.exists());
}

/// A 附件1 imported long after it was filled in: the township's last update is the form's
/// 填写日期, not the import day, so a backlog of old forms still shows as not updated. The same
/// form sent again later with a later 填写日期 (nothing changed) refreshes it.
#[test]
fn the_last_update_is_the_forms_date_not_the_import_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let mut store = Store::open(&db).unwrap();
    let write = |name: &str, filled: &str| {
        let path = dir.path().join(name);
        common::write_catalogue_form(
            &path,
            &format!("填写单位：宝坪镇人民政府　填写日期：{filled}"),
            &[[
                "1",
                "宝坪镇",
                "谭明富",
                "土豆",
                "500斤",
                "3元/斤",
                "送货上门",
            ]],
        );
        path
    };
    let september = write("九月.xlsx", "2019年9月12日");
    let prepared = prepare(&store, &september).unwrap();
    commit(&mut store, &prepared).unwrap();
    let catalogue = supply_catalogue(&store, ymd(2019, 12, 20)).unwrap();
    let baoping = |c: &xiaofei_fupin::report::supply_catalogue::SupplyCatalogue| {
        let township = c.townships.iter().find(|t| t.name == "宝坪镇").unwrap();
        (township.last_update, township.stale)
    };
    assert_eq!(baoping(&catalogue), (Some(ymd(2019, 9, 12)), true));
    let december = write("十二月.xlsx", "2019年12月1日");
    let prepared = prepare(&store, &december).unwrap();
    commit(&mut store, &prepared).unwrap();
    let catalogue = supply_catalogue(&store, ymd(2019, 12, 20)).unwrap();
    assert_eq!(baoping(&catalogue), (Some(ymd(2019, 12, 1)), false));
    // An older form imported afterwards does not turn the date back.
    let prepared = prepare(&store, &september).unwrap();
    commit(&mut store, &prepared).unwrap();
    let catalogue = supply_catalogue(&store, ymd(2019, 12, 20)).unwrap();
    assert_eq!(baoping(&catalogue), (Some(ymd(2019, 12, 1)), false));
}
