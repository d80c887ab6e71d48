//! Importing the sample forms into a database: the cross-file checks of
//! `shared/samples/README.md` (catalogue price check, the same sale in 附件2 and 附件3), no double
//! import, re-import of a corrected export, and the `import` subcommand's JSON and exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_xlsxwriter::Workbook;
use xiaofei_fupin::domain::Money;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::forms::ingest::{FileReport, commit, prepare};
use xiaofei_fupin::forms::{ExportRequest, export_form};
use xiaofei_fupin::store::{SaleFilter, Store};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name)
}

fn import(store: &mut Store, path: &Path) -> FileReport {
    let prepared = prepare(store, path).unwrap();
    commit(store, &prepared).unwrap()
}

fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

/// Runs `xiaofei-fupin --db DB import --json ARGS…`: the exit code, the JSON report array and
/// stderr.
fn import_json(db: &Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("--db")
        .arg(db)
        .arg("import")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let reports = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {stderr}"));
    (output.status.code(), reports, stderr)
}

/// A 附件1 sheet in the same workbook as the sales is the catalogue they are checked against,
/// before or after the 附件2 sheet (a tester's files: 辰一 土豆 3元/斤, 30斤 sold for 100元);
/// the warning is stored with the record.
#[test]
fn a_catalogue_sheet_of_the_same_workbook_checks_its_sales() {
    for (name, flagged_rows) in [
        ("v81_fj1_fj2_fj3_sheets_one_workbook.xlsx", 2),
        ("v81_fj2_sheet_before_fj1_sheet.xlsx", 1),
    ] {
        let (_dir, _, mut store) = temp_store();
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/variants")
            .join(name);
        let report = import(&mut store, &path);
        let flagged: Vec<(&str, u32)> = report
            .warnings
            .iter()
            .filter(|w| w.message.contains("与目录价格不符：30斤×3元/斤=90.00元"))
            .map(|w| (w.sheet.as_str(), w.row))
            .collect();
        assert_eq!(flagged.len(), flagged_rows, "{name}: {:?}", report.warnings);
        assert!(flagged.contains(&("附件2", 5)), "{name}: {flagged:?}");
        let stored = store.sales(&SaleFilter::default()).unwrap();
        assert!(
            stored
                .iter()
                .filter(|s| s.record.kind == FormKind::Sale)
                .all(|s| s.record.warnings.iter().any(|w| w.contains("目录价格"))),
            "{name}"
        );
    }
}

#[test]
fn catalogue_check_flags_only_row_5_of_09_after_06() {
    let (_dir, _, mut store) = temp_store();
    // Without the catalogue: no price warning at all.
    let (_dir2, _, mut bare) = temp_store();
    let report = import(
        &mut bare,
        &sample("09_fj2_amount_vs_catalogue_mismatch.xlsx"),
    );
    assert!(
        report
            .warnings
            .iter()
            .all(|w| !w.message.contains("目录价格")),
        "{:?}",
        report.warnings
    );

    let catalogue = import(&mut store, &sample("06_fj1_catalogue_price_formats.xlsx"));
    assert_eq!(catalogue.outcome, "imported");
    assert_eq!(catalogue.rows_added, 17);
    let report = import(
        &mut store,
        &sample("09_fj2_amount_vs_catalogue_mismatch.xlsx"),
    );
    let flagged: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("目录价格"))
        .collect();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].row, 5);
    assert_eq!(flagged[0].column, "销售金额");
    assert_eq!(
        flagged[0].message,
        "销售金额120.00元与目录价格不符：30斤×3元/斤=90.00元（按填报金额计，不自动更正）"
    );
    assert_eq!(
        report.total.as_deref(),
        Some("4670.00"),
        "the reported amount is kept"
    );
    // The warning is stored with the record.
    let flagged_records = store
        .sales(&SaleFilter {
            with_warnings_only: true,
            ..Default::default()
        })
        .unwrap();
    assert!(
        flagged_records
            .iter()
            .any(|r| r.record.amount == Money::from_fen(12000)
                && r.record.warnings.iter().any(|w| w.contains("目录价格")))
    );

    // 05 loaded after 06: unit conversions are not mismatches.
    let report = import(&mut store, &sample("05_fj2_quantity_amount_formats.xlsx"));
    assert!(
        report
            .warnings
            .iter()
            .all(|w| !w.message.contains("目录价格")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn the_same_sale_in_10_and_11_counts_once() {
    let (_dir, _, mut store) = temp_store();
    let ten = import(&mut store, &sample("10_fj2_pair_township_shuangjiang.xlsx"));
    assert_eq!(ten.total.as_deref(), Some("10901.00"));
    let eleven = import(&mut store, &sample("11_fj3_pair_dept_overlap5.xlsx"));
    assert_eq!(eleven.total.as_deref(), Some("9954.00"));
    // The report says so, not only the pair list.
    assert!(
        eleven
            .message
            .contains("5行与另一张表中的记录是同一笔销售，已配对（全县合计只计一次）"),
        "{}",
        eleven.message
    );
    assert!(!ten.message.contains("已配对"), "{}", ten.message);
    let paired = store
        .sales(&SaleFilter {
            form: Some(FormKind::Procurement),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|r| r.same_sale_as.is_some())
        .collect::<Vec<_>>();
    assert_eq!(paired.len(), 5);
    let overlap: Money = paired.iter().map(|r| r.record.amount).sum();
    assert_eq!(overlap.to_string(), "1880.00");
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "18975.00"
    );
    assert_eq!(
        store
            .summary_totals(2019)
            .unwrap()
            .double_counted
            .to_string(),
        "1880.00"
    );
    assert_eq!(store.summary_totals(2019).unwrap().double_counted_pairs, 5);
    // The near miss (唐大勇 腊肉 2019-09-26) is a separate purchase.
    let near_miss = store
        .sales(&SaleFilter {
            form: Some(FormKind::Procurement),
            text: "唐大勇".into(),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|r| r.record.date.date.to_string() == "2019-09-26")
        .unwrap();
    assert_eq!(near_miss.same_sale_as, None);
    // Importing 11 again adds nothing and keeps the total.
    let again = import(&mut store, &sample("11_fj3_pair_dept_overlap5.xlsx"));
    assert_eq!(again.rows_added, 0);
    assert_eq!(again.rows_duplicate, 20);
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "18975.00"
    );
}

#[test]
fn the_same_sale_pairs_whichever_side_is_imported_first() {
    // 附件3 first: the later 附件2 sales find the procurements waiting for them.
    let (_dir, _, mut store) = temp_store();
    import(&mut store, &sample("11_fj3_pair_dept_overlap5.xlsx"));
    assert_eq!(store.summary_totals(2019).unwrap().double_counted_pairs, 0);
    import(&mut store, &sample("10_fj2_pair_township_shuangjiang.xlsx"));
    let totals = store.summary_totals(2019).unwrap();
    assert_eq!(totals.double_counted_pairs, 5);
    assert_eq!(totals.double_counted.to_string(), "1880.00");
    assert_eq!(totals.total.to_string(), "18975.00");
    // A full re-run finds nothing the import missed.
    assert_eq!(store.pair_exact_same_sales().unwrap(), 0);
}

#[test]
fn every_sample_imported_twice_adds_nothing_the_second_time() {
    let (_dir, _, mut store) = temp_store();
    let files: Vec<PathBuf> = std::fs::read_dir(sample(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "json" && e != "md"))
        .collect();
    assert!(files.len() >= 13);
    for file in &files {
        import(&mut store, file);
    }
    let before = store.sale_totals(&SaleFilter::default()).unwrap();
    let listings_before = store.listing_ids(&Default::default()).unwrap().len();
    for file in &files {
        let report = import(&mut store, file);
        assert_eq!(report.rows_added, 0, "{}: {}", report.file, report.message);
        if report.rows_imported > 0 {
            assert!(report.message.contains("此前已导入"), "{}", report.message);
        }
    }
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap(), before);
    assert_eq!(
        store.listing_ids(&Default::default()).unwrap().len(),
        listings_before
    );
}

#[test]
fn a_rejected_file_or_row_writes_nothing_of_itself() {
    let (_dir, _, mut store) = temp_store();
    for name in [
        "22_not_a_spreadsheet_word_doc.xlsx",
        "24_empty_0_bytes.xlsx",
    ] {
        let report = import(&mut store, &sample(name));
        assert_eq!(report.outcome, "rejected");
        assert!(!report.message.is_empty());
    }
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 0);
    let report = import(&mut store, &sample("19_fj2_negative_amount.xlsx"));
    assert_eq!((report.rows_imported, report.rows_rejected), (5, 1));
    assert_eq!(report.errors[0].row, 8);
    assert_eq!(
        store.sale_totals(&SaleFilter::default()).unwrap(),
        (5, Money::from_fen(218000))
    );
}

/// Rewrites the amount of the data row whose 序号 is `serial` in an exported 附件2, keeping
/// everything else (hidden ids included), by reading it with calamine and writing a plain copy.
fn edit_exported_amount(exported: &Path, serial: f64, new_amount: f64, out: &Path) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut workbook: Xlsx<_> = open_workbook(exported).unwrap();
    let range = workbook.worksheet_range("附件2").unwrap();
    let mut copy = Workbook::new();
    let sheet = copy.add_worksheet();
    sheet.set_name("附件2").unwrap();
    let (start_row, start_col) = range.start().unwrap();
    for (r, row) in range.rows().enumerate() {
        let is_target = matches!(row.first(), Some(Data::Float(f)) if *f == serial);
        for (c, cell) in row.iter().enumerate() {
            let (rr, cc) = (start_row + r as u32, (start_col + c as u32) as u16);
            match cell {
                Data::Float(f) if is_target && c == 7 => {
                    sheet.write_number(rr, cc, new_amount).map(|_| ())
                }
                Data::Float(f) => sheet.write_number(rr, cc, *f).map(|_| ()),
                Data::Int(i) => sheet.write_number(rr, cc, *i as f64).map(|_| ()),
                Data::String(s) => sheet.write_string(rr, cc, s).map(|_| ()),
                Data::Empty => Ok(()),
                other => sheet.write_string(rr, cc, other.to_string()).map(|_| ()),
            }
            .unwrap();
        }
    }
    copy.save(out).unwrap();
}

#[test]
fn reimporting_an_exported_and_corrected_file_updates_the_changed_record_only() {
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    let before = store.summary_totals(2019).unwrap().total;
    assert_eq!(before.to_string(), "11795.00");
    let exported = dir.path().join("exported.xlsx");
    assert_eq!(
        export_to(&db, FormKind::Sale, Some(2019), None, &exported),
        20
    );

    // The unchanged export comes back: nothing added, nothing updated.
    let report = import(&mut store, &exported);
    assert_eq!(
        (
            report.rows_added,
            report.rows_updated,
            report.rows_duplicate
        ),
        (0, 0, 0),
        "{}",
        report.message
    );
    assert_eq!(store.summary_totals(2019).unwrap().total, before);

    // Row 1 (刘光富 土豆 90.00) corrected to 95.00.
    let corrected = dir.path().join("corrected.xlsx");
    edit_exported_amount(&exported, 1.0, 95.0, &corrected);
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 1),
        "{}",
        report.message
    );
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "11800.00"
    );
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 20);
}

#[test]
fn import_subcommand_prints_json_and_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let run = |files: &[&str], extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
            .arg("--db")
            .arg(&db)
            .arg("import")
            .args(extra)
            .args(files.iter().map(|f| sample(f)))
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, out) = run(
        &["01_fj2_baseline_nixi_20rows.xlsx"],
        &["--json", "--dry-run"],
    );
    assert_eq!(code, 0, "{out}");
    let reports: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reports[0]["file"], "01_fj2_baseline_nixi_20rows.xlsx");
    assert_eq!(reports[0]["form"], "附件2");
    assert_eq!(reports[0]["outcome"], "imported");
    assert_eq!(reports[0]["rows_imported"], 20);
    assert_eq!(reports[0]["total"], "11795.00");
    assert_eq!(reports[0]["per_township"]["泥溪镇"], "11795.00");
    // --dry-run wrote nothing.
    assert_eq!(
        Store::open(&db)
            .unwrap()
            .sale_totals(&SaleFilter::default())
            .unwrap()
            .0,
        0
    );

    let (code, out) = run(
        &[
            "01_fj2_baseline_nixi_20rows.xlsx",
            "19_fj2_negative_amount.xlsx",
            "24_empty_0_bytes.xlsx",
        ],
        &["--json"],
    );
    assert_eq!(code, 1);
    let reports: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(reports[1]["rows_rejected"], 1);
    assert_eq!(reports[1]["errors"][0]["row"], 8);
    assert_eq!(reports[1]["errors"][0]["column"], "销售金额");
    assert_eq!(reports[2]["outcome"], "rejected");
    assert_eq!(
        reports[2]["message"],
        "文件为空（0字节），请检查后重新提交。"
    );
    assert_eq!(
        Store::open(&db)
            .unwrap()
            .sale_totals(&SaleFilter::default())
            .unwrap()
            .0,
        25
    );

    let (code, out) = run(&["01_fj2_baseline_nixi_20rows.xlsx"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("此前已导入"), "{out}");
    let usage = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .arg("import")
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn formula_amounts_cached_with_float_noise_import_at_excel_precision() {
    // 销售金额 written as =3*3.3 etc.; the cached results carry float noise (9.8999999999999986).
    let (_dir, _, mut store) = temp_store();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/variants/v38_formula_amounts_float_cache.xlsx");
    let report = import(&mut store, &path);
    assert_eq!(
        (report.rows_imported, report.rows_rejected),
        (5, 0),
        "{:?}",
        report.errors
    );
    assert_eq!(report.total.as_deref(), Some("370.98"));
    let amounts: Vec<String> = store
        .sales(&SaleFilter::default())
        .unwrap()
        .iter()
        .map(|r| r.record.amount.to_string())
        .collect();
    assert!(amounts.contains(&"9.90".to_string()), "{amounts:?}");
}

#[test]
fn an_export_from_another_ledger_is_added_by_content_not_matched_by_its_record_ids() {
    // The township's ledger: sample 10 (双江街道), exported with its hidden record ids.
    let (township_dir, township_db, mut township) = temp_store();
    import(
        &mut township,
        &sample("10_fj2_pair_township_shuangjiang.xlsx"),
    );
    let township_total = township.summary_totals(2019).unwrap().total;
    let exported = township_dir.path().join("township_export.xlsx");
    let rows = export_to(&township_db, FormKind::Sale, Some(2019), None, &exported);
    drop(township);

    // The county's ledger already has records with the same ids (sample 01, 泥溪镇).
    let (_county_dir, _county_db, mut county) = temp_store();
    import(&mut county, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    let county_before = county.summary_totals(2019).unwrap().total;
    let first_before = county.sale(1).unwrap();

    let report = import(&mut county, &exported);
    assert_eq!(
        (
            report.rows_added,
            report.rows_updated,
            report.rows_duplicate
        ),
        (rows, 0, 0),
        "{}",
        report.message
    );
    assert!(
        report.file_warnings.iter().any(|w| w.contains("其他台账")),
        "{:?}",
        report.file_warnings
    );
    assert_eq!(county.sale(1).unwrap(), first_before);
    assert_eq!(
        county.summary_totals(2019).unwrap().total,
        county_before + township_total
    );
    // The same file again adds nothing (content fingerprints).
    let again = import(&mut county, &exported);
    assert_eq!(
        (again.rows_added, again.rows_updated, again.rows_duplicate),
        (0, 0, rows),
        "{}",
        again.message
    );
}

/// Rewrites the 附件2 sheet of an export: all cells as a grid (`None` = empty), edited by `edit`,
/// written back in place (hidden columns and the 提交编号 cell included).
fn rewrite_export(exported: &Path, out: &Path, edit: impl FnOnce(&mut Vec<Vec<Option<Cell>>>)) {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut workbook: Xlsx<_> = open_workbook(exported).unwrap();
    let range = workbook.worksheet_range("附件2").unwrap();
    let (start_row, start_col) = range.start().unwrap();
    assert_eq!((start_row, start_col), (0, 0));
    let mut grid: Vec<Vec<Option<Cell>>> = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => Some(Cell::Number(*f)),
                    Data::Int(i) => Some(Cell::Number(*i as f64)),
                    Data::String(s) => Some(Cell::Text(s.clone())),
                    Data::Empty => None,
                    other => Some(Cell::Text(other.to_string())),
                })
                .collect()
        })
        .collect();
    edit(&mut grid);
    let mut copy = Workbook::new();
    let sheet = copy.add_worksheet();
    sheet.set_name("附件2").unwrap();
    for (r, row) in grid.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Some(Cell::Number(f)) => sheet.write_number(r as u32, c as u16, *f).map(|_| ()),
                Some(Cell::Text(s)) => sheet.write_string(r as u32, c as u16, s).map(|_| ()),
                None => Ok(()),
            }
            .unwrap();
        }
    }
    copy.save(out).unwrap();
}

#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
}

/// Index of the column whose header cell contains `header`.
fn column_of(grid: &[Vec<Option<Cell>>], header: &str) -> usize {
    grid.iter()
        .find_map(|row| {
            row.iter()
                .position(|c| matches!(c, Some(Cell::Text(t)) if t.contains(header)))
        })
        .unwrap()
}

/// Index of the grid row whose 贫困户姓名 cell (found by its header) is `household`.
fn row_of(grid: &[Vec<Option<Cell>>], household: &str) -> (usize, usize) {
    let column = column_of(grid, "贫困户姓名");
    let row = grid
        .iter()
        .position(|row| row.get(column) == Some(&Some(Cell::Text(household.into()))))
        .unwrap();
    (row, column)
}

fn export_sales(db: &Path, out: &Path) {
    export_to(db, FormKind::Sale, Some(2019), None, out);
}

/// Exports `kind` of all townships, of `year` and `quarter` (`None`: all), to `out`; the number
/// of rows written.
fn export_to(
    db: &Path,
    kind: FormKind,
    year: Option<i32>,
    quarter: Option<u8>,
    out: &Path,
) -> usize {
    let request = ExportRequest {
        kind,
        township_code: None,
        year,
        quarter,
    };
    export_form(db, &request, out, &|_| {}).unwrap().rows
}

/// The grid indexes of the first and last data rows of sample 01's export (刘光富's row, and the
/// last row whose 序号 is a number).
fn data_rows(grid: &[Vec<Option<Cell>>]) -> (usize, usize) {
    let (first, _) = row_of(grid, "刘光富");
    let last = grid
        .iter()
        .rposition(|row| matches!(row.first(), Some(Some(Cell::Number(_)))))
        .unwrap();
    (first, last)
}

/// A ledger holding sample 01 (20 sales of 泥溪镇, 11795.00) and its 附件2 export
/// (`export.xlsx` in the ledger's folder).
fn sample_01_exported() -> (tempfile::TempDir, PathBuf, Store, PathBuf) {
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    let exported = dir.path().join("export.xlsx");
    export_sales(&db, &exported);
    (dir, db, store, exported)
}

#[test]
fn a_copied_row_above_or_below_never_takes_over_the_original_record() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let edited = dir.path().join("copied.xlsx");
    rewrite_export(&exported, &edited, |grid| {
        // Excel's 插入复制的单元格 puts the copy above the original.
        let (row, column) = row_of(grid, "刘光富");
        let mut copy = grid[row].clone();
        copy[column] = Some(Cell::Text("张新户".into()));
        grid.insert(row, copy);
    });
    let report = import(&mut store, &edited);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (1, 0),
        "{}",
        report.message
    );
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains("出现了不止一次"))
    );
    // The copy did carry an id: its warning says the id was set aside, not that it had none.
    let copy_warnings: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.column == "整行")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(copy_warnings.len(), 1, "{copy_warnings:?}");
    assert!(
        copy_warnings[0].contains("隐藏的记录编号未采用"),
        "{copy_warnings:?}"
    );
    let all = store.sales(&SaleFilter::default()).unwrap();
    assert_eq!(all.len(), 21);
    assert!(all.iter().any(|r| r.record.household == "刘光富"));
    assert!(all.iter().any(|r| r.record.household == "张新户"));
}

#[test]
fn an_old_export_never_updates_a_newer_record_that_reused_a_deleted_id() {
    let (_dir, _db, mut store, exported) = sample_01_exported();
    let last = *store
        .sale_ids(&SaleFilter::default())
        .unwrap()
        .iter()
        .max()
        .unwrap();
    store.delete_sale(last).unwrap();
    // Records entered later get the deleted id again (SQLite reuses the largest rowid), even
    // within the same second as the export: times are kept to the millisecond.
    std::thread::sleep(std::time::Duration::from_millis(5));
    import(
        &mut store,
        &sample("03_fj2_layout_title_total_footnotes.xlsx"),
    );
    let reused = store.sale(last).unwrap();
    let report = import(&mut store, &exported);
    assert_eq!(store.sale(last).unwrap(), reused, "{}", report.message);
    assert_eq!(report.rows_updated, 0, "{}", report.message);
    assert_eq!(
        report.rows_added, 1,
        "the deleted sale comes back by content"
    );
}

#[test]
fn a_corrected_reimport_keeps_the_operators_channel_and_undoes_a_pair_that_no_longer_matches() {
    use xiaofei_fupin::domain::Channel;
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("10_fj2_pair_township_shuangjiang.xlsx"));
    import(&mut store, &sample("11_fj3_pair_dept_overlap5.xlsx"));
    assert_eq!(store.summary_totals(2019).unwrap().double_counted_pairs, 5);
    // The operator files 何春梅's sale under 电子商务营销 by hand.
    let he = store
        .sales(&SaleFilter {
            form: Some(FormKind::Sale),
            text: "何春梅".into(),
            ..Default::default()
        })
        .unwrap()
        .remove(0);
    let mut overridden = he.record.clone();
    overridden.channel_override = Some((Channel::ECommerceSales, None));
    store.update_sale(he.id, &overridden).unwrap();

    let exported = dir.path().join("export.xlsx");
    export_sales(&db, &exported);
    // 胡国平 青菜头 200 → 210 in 附件2; and 何春梅's remark changed.
    let corrected = dir.path().join("corrected.xlsx");
    rewrite_export(&exported, &corrected, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (row, _) = row_of(grid, "胡国平");
        assert_eq!(grid[row][amount_column], Some(Cell::Number(200.0)));
        grid[row][amount_column] = Some(Cell::Number(210.0));
        let (row, _) = row_of(grid, "何春梅");
        grid[row][amount_column] = Some(Cell::Number(481.0));
    });
    let report = import(&mut store, &corrected);
    assert_eq!(report.rows_updated, 2, "{}", report.message);
    let totals = store.summary_totals(2019).unwrap();
    // Both corrected sales no longer equal their 附件3 rows: those count on their own now.
    assert_eq!(totals.double_counted_pairs, 3);
    assert_eq!(totals.double_counted.to_string(), "1200.00");
    assert_eq!(totals.total.to_string(), "19666.00");
    assert_eq!(
        store.sale(he.id).unwrap().channel,
        Some(Channel::ECommerceSales)
    );
}

#[test]
fn deleting_a_paired_sale_pairs_its_procurement_with_another_equal_sale() {
    let (_dir, _, mut store) = temp_store();
    import(&mut store, &sample("10_fj2_pair_township_shuangjiang.xlsx"));
    import(&mut store, &sample("11_fj3_pair_dept_overlap5.xlsx"));
    let paired_sale = store
        .sales(&SaleFilter {
            form: Some(FormKind::Procurement),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find_map(|r| r.same_sale_as)
        .unwrap();
    let twin = store.sale(paired_sale).unwrap().record;
    let twin_id = store.insert_sale(&twin).unwrap();
    let before = store.summary_totals(2019).unwrap();
    store.delete_sale(paired_sale).unwrap();
    let after = store.summary_totals(2019).unwrap();
    assert_eq!(after.double_counted_pairs, 5);
    assert_eq!(after.double_counted, before.double_counted);
    assert!(
        store
            .sales(&SaleFilter {
                form: Some(FormKind::Procurement),
                ..Default::default()
            })
            .unwrap()
            .iter()
            .any(|r| r.same_sale_as == Some(twin_id))
    );
}

#[test]
fn the_import_command_goes_on_after_a_file_whose_transaction_fails() {
    let (_dir, db, store) = temp_store();
    drop(store);
    // A database-side failure for one file (as a full disk or a broken trigger would give).
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER fail_for_test BEFORE INSERT ON sale WHEN NEW.household = '刘光富'
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    )
    .unwrap();
    drop(conn);
    let (code, reports, _) = import_json(
        &db,
        &[
            sample("10_fj2_pair_township_shuangjiang.xlsx").as_os_str(),
            sample("01_fj2_baseline_nixi_20rows.xlsx").as_os_str(),
            sample("11_fj3_pair_dept_overlap5.xlsx").as_os_str(),
        ],
    );
    assert_eq!(code, Some(1));
    let outcomes: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["imported", "rejected", "imported"]);
    assert!(
        reports[1]["message"]
            .as_str()
            .unwrap()
            .contains("未写入任何记录")
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "18975.00"
    );
}

#[test]
fn a_dry_run_never_creates_a_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("not_yet.db");
    let (code, reports, _) = import_json(
        &db,
        &[
            "--dry-run".as_ref(),
            sample("01_fj2_baseline_nixi_20rows.xlsx").as_os_str(),
        ],
    );
    assert_eq!(code, Some(0));
    assert_eq!(reports[0]["rows_added"], 20);
    assert!(!db.exists());
}

#[test]
fn a_dry_run_leaves_a_ledger_of_an_older_version_as_it_was() {
    let (_dir, db, mut store) = temp_store();
    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    drop(store);
    // Back to the schema before migration 0007, as an older version left it.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "DROP INDEX sale_by_household;
             CREATE INDEX sale_by_household_product ON sale (township_code, household, product, form);
             ALTER TABLE sale DROP COLUMN content_changed_at;
             ALTER TABLE sale DROP COLUMN content_changed_by;
             ALTER TABLE listing DROP COLUMN content_changed_at;
             ALTER TABLE listing DROP COLUMN content_changed_by;
             ALTER TABLE listing DROP COLUMN reported_on;
             DROP TABLE exported_record;
             DROP TABLE sale_former_key;
             DROP TABLE listing_former_fingerprint;
             DELETE FROM schema_migration WHERE version >= 7;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let (code, reports, stderr) = import_json(
        &db,
        &[
            "--dry-run".as_ref(),
            sample("03_fj2_layout_title_total_footnotes.xlsx").as_os_str(),
            sample("01_fj2_baseline_nixi_20rows.xlsx").as_os_str(),
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    // Judged against the ledger's records: 01 is already in it.
    assert_eq!(reports[1]["rows_added"], 0);
    assert_eq!(reports[1]["rows_duplicate"], 20);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the ledger file changed"
    );
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT MAX(version) FROM schema_migration", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, 6);
}

#[test]
fn a_folder_stands_for_the_files_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("报来的表格");
    std::fs::create_dir_all(folder.join("双江街道")).unwrap();
    std::fs::copy(
        sample("10_fj2_pair_township_shuangjiang.xlsx"),
        folder.join("双江街道").join("附件2.xlsx"),
    )
    .unwrap();
    std::fs::copy(
        sample("11_fj3_pair_dept_overlap5.xlsx"),
        folder.join("教委附件3.xlsx"),
    )
    .unwrap();
    std::fs::write(folder.join("~$教委附件3.xlsx"), b"lock").unwrap();
    // What Windows, macOS and Linux leave on a USB stick: system files, and recycle bins whose
    // deleted forms must not come back.
    std::fs::write(folder.join("desktop.ini"), b"[.ShellClassInfo]").unwrap();
    std::fs::write(folder.join("._教委附件3.xlsx"), b"AppleDouble").unwrap();
    for bin in [
        "$RECYCLE.BIN/S-1-5-21",
        ".Trash-1000/files",
        "System Volume Information",
    ] {
        std::fs::create_dir_all(folder.join(bin)).unwrap();
        std::fs::copy(
            sample("01_fj2_baseline_nixi_20rows.xlsx"),
            folder.join(bin).join("删除的附件2.xlsx"),
        )
        .unwrap();
    }
    // The ledger itself kept in the folder is not a file to import.
    let db = folder.join("ledger.db");
    let (code, reports, stderr) = import_json(&db, &[folder.as_os_str()]);
    assert_eq!(code, Some(0), "{stderr}");
    // Files are named by their path inside the folder given, so two townships' 附件2.xlsx are
    // told apart.
    let names: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "报来的表格/双江街道/附件2.xlsx",
            "报来的表格/教委附件3.xlsx"
        ]
    );
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "18975.00"
    );

    // A folder with nothing to import says so.
    let empty = dir.path().join("空文件夹");
    std::fs::create_dir_all(empty.join("$RECYCLE.BIN")).unwrap();
    std::fs::write(empty.join("desktop.ini"), b"").unwrap();
    let (code, reports, _) = import_json(&db, &[empty.as_os_str()]);
    assert_eq!(code, Some(1));
    let message = reports[0]["message"].as_str().unwrap();
    assert!(message.contains("中没有可导入的文件"), "{message}");
}

/// A sale form whose typed text needs the file's context: dates without a year (read with
/// 填报时间 2019年9月30日) and bare quantities under `销售数量（公斤）`.
fn contextual_sale_form(path: &Path) {
    let rows = [
        [
            "云阳县青松中学",
            "9月9日",
            "云阳县泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30",
            "90",
        ],
        [
            "云阳县青松中学",
            "9.10",
            "云阳县泥溪镇三坪村",
            "王德明",
            "红薯",
            "12.5",
            "50",
        ],
        [
            "云阳县人民医院",
            "2019.9.11",
            "云阳县泥溪镇三坪村",
            "刘光富",
            "蜂蜜",
            "10斤",
            "300",
        ],
        [
            "云阳县人民医院",
            "9月",
            "云阳县泥溪镇三坪村",
            "王德明",
            "腊肉",
            "2头",
            "2400",
        ],
    ];
    write_sale_form(
        path,
        "填报单位：泥溪镇人民政府　　供货联系人姓名：李某某　　联系方式：13800002100　　填报时间：2019年9月30日",
        ["销售数量（公斤）", "销售金额（元）"],
        &rows,
    );
}

/// A 附件2 form: `info` in row 1, the header (with these 销售数量 and 销售金额 headers) in row 2,
/// then `rows` (采购单位, 销售时间, 地区, 贫困户姓名, 产品品种, 销售数量, 销售金额) numbered from 1.
fn write_sale_form(path: &Path, info: &str, quantity_and_amount: [&str; 2], rows: &[[&str; 7]]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, info).unwrap();
    let [quantity, amount] = quantity_and_amount;
    let header = [
        "序号",
        "采购单位",
        "销售时间",
        "地区",
        "贫困户姓名",
        "产品品种",
        quantity,
        amount,
        "备注",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, values) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        ws.write_number(r, 0, f64::from(r - 1)).unwrap();
        for (c, v) in values.iter().enumerate() {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// The file notes of `report` that list stored records the file no longer holds.
fn left_out_notes(report: &FileReport) -> Vec<&String> {
    report
        .file_warnings
        .iter()
        .filter(|w| w.contains("本文件中没有"))
        .collect()
}

/// A 附件2 row for `write_sale_form`: 30斤 土豆 for 90元 sold by `household` of 泥溪镇三坪村
/// to 云阳县青松中学 on `date`.
fn potato_sale(date: &'static str, household: &'static str) -> [&'static str; 7] {
    [
        "云阳县青松中学",
        date,
        "泥溪镇三坪村",
        household,
        "土豆",
        "30斤",
        "90元",
    ]
}

/// A township's file of September and November sales, then its 第三季度 export sent back as
/// it is: nothing is listed as left out of it (the November sale was never in the export), and
/// a row deleted from the export is.
#[test]
fn a_quarter_export_sent_back_lists_only_what_it_held() {
    let (dir, db, mut store) = temp_store();
    let original = dir.path().join("九月十一月.xlsx");
    let row = potato_sale;
    write_sale_form(
        &original,
        "填报单位：泥溪镇人民政府　填报时间：2019年11月30日",
        ["销售数量", "销售金额"],
        &[
            row("2019.9.1", "石一"),
            row("2019.9.2", "石二"),
            row("2019.9.3", "石三"),
            row("2019.11.5", "周三"),
        ],
    );
    assert_eq!(import(&mut store, &original).rows_added, 4);
    let exported = dir.path().join("第三季度.xlsx");
    assert_eq!(
        export_to(&db, FormKind::Sale, Some(2019), Some(3), &exported),
        3
    );
    let report = import(&mut store, &exported);
    assert!(
        !report
            .file_warnings
            .iter()
            .any(|w| w.contains("本文件中没有")),
        "{:?}",
        report.file_warnings
    );
    let without_one = dir.path().join("删了一行.xlsx");
    rewrite_export(&exported, &without_one, |grid| {
        let (row, _) = row_of(grid, "石二");
        grid.remove(row);
    });
    let report = import(&mut store, &without_one);
    let left_out = left_out_notes(&report);
    assert_eq!(left_out.len(), 1, "{:?}", report.file_warnings);
    assert!(left_out[0].contains("石二") && !left_out[0].contains("周三"));
}

/// A township's own file sent again (no record ids) with rows it now gets wrong (a date that
/// does not exist) and one row deleted: only the deleted row's sale is listed as left out, also
/// when most rows of the resend are rejected.
#[test]
fn a_resent_file_lists_as_left_out_only_what_it_no_longer_holds() {
    let row = potato_sale;
    let info = "填报单位：泥溪镇人民政府　填报时间：2019年9月30日";
    let households = ["石一", "石二", "石三", "石四", "石五", "石六"];
    for bad in [1, 3] {
        let (dir, _db, mut store) = temp_store();
        let original = dir.path().join("九月.xlsx");
        let rows: Vec<[&str; 7]> = households.iter().map(|h| row("2019.9.1", h)).collect();
        write_sale_form(&original, info, ["销售数量", "销售金额"], &rows);
        assert_eq!(import(&mut store, &original).rows_added, 6);
        // The first `bad` rows dated 2019.9.31; 石六 deleted.
        let resent = dir.path().join("九月重报.xlsx");
        let rows: Vec<[&str; 7]> = households[..5]
            .iter()
            .enumerate()
            .map(|(i, h)| row(if i < bad { "2019.9.31" } else { "2019.9.1" }, h))
            .collect();
        write_sale_form(&resent, info, ["销售数量", "销售金额"], &rows);
        let report = import(&mut store, &resent);
        assert_eq!(report.rows_rejected, bad, "{}", report.message);
        let left_out = left_out_notes(&report);
        assert_eq!(left_out.len(), 1, "{bad}: {:?}", report.file_warnings);
        assert!(left_out[0].contains("石六"), "{}", left_out[0]);
        assert!(!left_out[0].contains("石一"), "{}", left_out[0]);
    }
}

/// Issue 3: an export re-imported as is changes nothing, even when the typed text depended on
/// the original file's 填报时间 or header unit: the export prints a self-contained value
/// (`2019年9月9日`, `30公斤`) and keeps the typed text in its hidden 填写原文 column.
#[test]
fn reimporting_an_export_of_context_dependent_text_changes_nothing() {
    let (dir, db, mut store) = temp_store();
    let original = dir.path().join("contextual.xlsx");
    contextual_sale_form(&original);
    let report = import(&mut store, &original);
    assert_eq!(report.rows_added, 4, "{report:?}");
    let stored = store.sales(&SaleFilter::default()).unwrap();
    let texts: Vec<(String, String, String)> = stored
        .iter()
        .map(|s| {
            (
                s.record.date.date.to_string(),
                s.record.date_text.clone(),
                s.record.quantity_text.clone(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (
                "2019-09-01".to_string(),
                "9月".to_string(),
                "2头".to_string()
            ),
            ("2019-09-09".into(), "9月9日".into(), "30".into()),
            ("2019-09-10".into(), "9.10".into(), "12.5".into()),
            ("2019-09-11".into(), "2019.9.11".into(), "10斤".into()),
        ]
    );

    let exported = dir.path().join("exported.xlsx");
    export_to(&db, FormKind::Sale, Some(2019), None, &exported);

    // The printed cells can be read on their own; the hidden 填写原文 column keeps the typed text.
    {
        use calamine::{Reader, Xlsx, open_workbook};
        let mut wb: Xlsx<_> = open_workbook(&exported).unwrap();
        let range = wb.worksheet_range("附件2").unwrap();
        let row = |r: u32| -> Vec<String> {
            (0..11)
                .map(|c| {
                    range
                        .get_value((r, c))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                })
                .collect()
        };
        assert_eq!(row(3)[10], "填写原文");
        let printed: Vec<(String, String, String)> = (4..8)
            .map(|r| {
                let cells = row(r);
                (cells[2].clone(), cells[6].clone(), cells[10].clone())
            })
            .collect();
        assert_eq!(
            printed,
            [
                (
                    "2019年9月".to_string(),
                    "2头".to_string(),
                    "销售时间：9月".to_string()
                ),
                (
                    "2019年9月9日".into(),
                    "30公斤".into(),
                    "销售时间：9月9日\n销售数量：30".into()
                ),
                (
                    "2019年9月10日".into(),
                    "12.5公斤".into(),
                    "销售时间：9.10\n销售数量：12.5".into()
                ),
                ("2019.9.11".into(), "10斤".into(), String::new()),
            ]
        );
    }
    let resolver = store.region_resolver().unwrap();
    let parsed = xiaofei_fupin::forms::import::parse_file(&exported, &resolver).unwrap();
    assert_eq!(parsed.rows().count(), 4);

    let report = import(&mut store, &exported);
    assert_eq!(
        (
            report.rows_added,
            report.rows_updated,
            report.rows_duplicate
        ),
        (0, 0, 0),
        "{report:?}"
    );
    assert_eq!(store.sales(&SaleFilter::default()).unwrap(), stored);
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "2840.00"
    );
}

/// A date the clerk corrects in the export's printed cell is a change: the hidden typed text no
/// longer means the printed date, so the record is updated and keeps the new text.
#[test]
fn a_corrected_self_contained_date_in_an_export_updates_the_record() {
    let (dir, db, mut store) = temp_store();
    let original = dir.path().join("contextual.xlsx");
    contextual_sale_form(&original);
    import(&mut store, &original);
    let exported = dir.path().join("exported.xlsx");
    export_to(&db, FormKind::Sale, Some(2019), None, &exported);
    let corrected = dir.path().join("corrected.xlsx");
    replace_in_sheet(&exported, "2019年9月9日", "2019年9月8日", &corrected);
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 1),
        "{report:?}"
    );
    let sales = store.sales(&SaleFilter::default()).unwrap();
    let changed: Vec<(String, String, String)> = sales
        .iter()
        .filter(|s| s.record.product == "土豆")
        .map(|s| {
            (
                s.record.date.date.to_string(),
                s.record.date_text.clone(),
                s.record.quantity_text.clone(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [(
            "2019-09-08".to_string(),
            "2019年9月8日".to_string(),
            "30".to_string()
        )]
    );
}

/// Copies an xlsx, replacing `from` by `to` in its shared strings and sheet XML.
fn replace_in_sheet(input: &Path, from: &str, to: &str, output: &Path) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(input).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut replaced = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name.ends_with(".xml")
            && let Ok(text) = String::from_utf8(data.clone())
            && text.contains(from)
        {
            data = text.replace(from, to).into_bytes();
            replaced = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(replaced, "{from} not found");
    std::fs::write(output, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn hidden_ids_left_behind_by_a_sort_do_not_move_content_between_records() {
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    let before = store.sales(&SaleFilter::default()).unwrap();
    let exported = dir.path().join("export.xlsx");
    export_sales(&db, &exported);
    let swapped = dir.path().join("swapped.xlsx");
    rewrite_export(&exported, &swapped, |grid| {
        let id_column = column_of(grid, "记录编号");
        let (first, _) = row_of(grid, "刘光富");
        let second = first + 1;
        let id = grid[first][id_column].clone();
        grid[first][id_column] = grid[second][id_column].clone();
        grid[second][id_column] = id;
    });
    let report = import(&mut store, &swapped);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 0),
        "{}",
        report.message
    );
    assert_eq!(store.sales(&SaleFilter::default()).unwrap(), before);
}

#[test]
fn a_date_corrected_without_a_year_keeps_the_year_of_the_record_it_corrects() {
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    // Exported without a year, the form's 填报时间 is today (2026 or later), not 2019.
    let exported = dir.path().join("export.xlsx");
    export_to(&db, FormKind::Sale, None, None, &exported);
    let corrected = dir.path().join("corrected.xlsx");
    rewrite_export(&exported, &corrected, |grid| {
        let date_column = column_of(grid, "销售时间");
        let (row, _) = row_of(grid, "刘光富");
        grid[row][date_column] = Some(Cell::Text("9月8日".into()));
    });
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 1),
        "{}",
        report.message
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.message.contains("没有写年份"))
    );
    let liu = store
        .sales(&SaleFilter {
            text: "刘光富".into(),
            ..Default::default()
        })
        .unwrap()
        .remove(0);
    assert_eq!(liu.record.date.date.to_string(), "2019-09-08");
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "11795.00"
    );
}

/// Exported for 2019 (in 2026), the form says 填报时间 2019年12月31日: a row added to it with a
/// date without its year is a 2019 sale, with no warning about the year.
#[test]
fn a_row_added_to_a_past_years_export_is_dated_in_that_year() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let added = dir.path().join("added.xlsx");
    let mut header_line = String::new();
    rewrite_export(&exported, &added, |grid| {
        header_line = grid
            .iter()
            .flatten()
            .find_map(|cell| match cell {
                Some(Cell::Text(text)) if text.contains("填报时间") => Some(text.clone()),
                _ => None,
            })
            .unwrap();
        let (row, column) = row_of(grid, "刘光富");
        let mut new_row = grid[row].clone();
        new_row[column] = Some(Cell::Text("张新户".into()));
        let date_column = column_of(grid, "销售时间");
        new_row[date_column] = Some(Cell::Text("9月20日".into()));
        // No record id: a row the clerk typed in.
        let remark_column = column_of(grid, "备注");
        for cell in new_row.iter_mut().skip(remark_column + 1) {
            *cell = None;
        }
        let last = data_rows(grid).1;
        grid.insert(last + 1, new_row);
    });
    assert!(
        header_line.ends_with("填报时间：2019年12月31日"),
        "{header_line}"
    );
    let report = import(&mut store, &added);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(
        !report.warnings.iter().any(|w| w.message.contains("年份")),
        "{:?}",
        report.warnings
    );
    assert_eq!(
        sale_of(&store, "张新户").record.date.date.to_string(),
        "2019-09-20"
    );
}

/// The stored sale of `household` (one per household in sample 01).
fn sale_of(store: &Store, household: &str) -> xiaofei_fupin::store::SaleRow {
    store
        .sales(&SaleFilter {
            text: household.into(),
            ..Default::default()
        })
        .unwrap()
        .remove(0)
}

#[test]
fn an_older_export_never_undoes_a_correction_made_in_the_program_after_it() {
    let (dir, db, mut store, exported) = sample_01_exported();
    // After the export the operator corrects 刘光富's 90.00 to 100.00 in the program.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let liu = sale_of(&store, "刘光富");
    assert_eq!(liu.record.amount.to_string(), "90.00");
    let mut corrected = liu.record.clone();
    corrected.amount = Money::from_fen(10_000);
    corrected.amount_text = "100".into();
    store.update_sale(liu.id, &corrected).unwrap();

    // The township sends the export back corrected: 刘光富's row to 95 (not knowing of the
    // program's correction) and the next row.
    let returned = dir.path().join("returned.xlsx");
    rewrite_export(&exported, &returned, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (row, _) = row_of(grid, "刘光富");
        assert_eq!(grid[row][amount_column], Some(Cell::Number(90.0)));
        grid[row][amount_column] = Some(Cell::Number(95.0));
        let next = row + 1;
        let Some(Cell::Number(amount)) = grid[next][amount_column] else {
            panic!("no amount under 刘光富's row")
        };
        grid[next][amount_column] = Some(Cell::Number(amount + 1.0));
    });
    let report = import(&mut store, &returned);
    // The file's 95.00 does not undo the program's later correction; the other row is updated.
    assert_eq!(
        store.sale(liu.id).unwrap().record.amount.to_string(),
        "100.00"
    );
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 1),
        "{}",
        report.message
    );
    assert!(
        report
            .message
            .contains("1行对应的记录在本文件导出后已在台账中修改"),
        "{}",
        report.message
    );
    let kept: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("导出后已在台账中修改"))
        .collect();
    assert_eq!(kept.len(), 1, "{:?}", report.warnings);
    assert_eq!(kept[0].sheet, "附件2");
    assert_eq!((report.rows_kept, report.rows_unchanged), (1, 18));
    assert_eq!(
        report.rows_added
            + report.rows_updated
            + report.rows_duplicate
            + report.rows_unchanged
            + report.rows_kept,
        report.rows_imported
    );
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 20);
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "11806.00"
    );
    // The untouched export coming back changes nothing and warns of nothing.
    let untouched = import(&mut store, &exported);
    assert_eq!(
        (
            untouched.rows_updated,
            untouched.rows_kept,
            untouched.rows_unchanged
        ),
        (0, 0, 20),
        "{}",
        untouched.message
    );
    assert!(untouched.warnings.is_empty(), "{:?}", untouched.warnings);

    // A fresh export carries the correction and can be corrected again.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let fresh = dir.path().join("fresh.xlsx");
    export_sales(&db, &fresh);
    let again = dir.path().join("again.xlsx");
    rewrite_export(&fresh, &again, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (row, _) = row_of(grid, "刘光富");
        assert_eq!(grid[row][amount_column], Some(Cell::Number(100.0)));
        grid[row][amount_column] = Some(Cell::Number(110.0));
    });
    let report = import(&mut store, &again);
    assert_eq!(report.rows_updated, 1, "{}", report.message);
    assert_eq!(
        store.sale(liu.id).unwrap().record.amount.to_string(),
        "110.00"
    );
}

#[test]
fn a_second_correction_of_the_same_export_still_applies() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let liu = sale_of(&store, "刘光富");
    for (round, amount) in [95.0, 96.0].into_iter().enumerate() {
        std::thread::sleep(std::time::Duration::from_millis(5));
        let corrected = dir.path().join(format!("corrected{amount}.xlsx"));
        edit_exported_amount(&exported, 1.0, amount, &corrected);
        let report = import(&mut store, &corrected);
        assert_eq!(report.rows_updated, 1, "{}", report.message);
        // The second copy applies too, and says another copy had corrected the row.
        let warned = report
            .warnings
            .iter()
            .any(|w| w.message.contains("同一份导出表格的另一份更正"));
        assert_eq!(warned, round == 1, "{:?}", report.warnings);
        assert_eq!(
            store.sale(liu.id).unwrap().record.amount,
            Money::from_fen((amount * 100.0) as i64)
        );
    }
}

#[test]
fn an_older_catalogue_export_never_undoes_a_listing_corrected_after_it() {
    use xiaofei_fupin::store::ListingFilter;
    let (dir, db, mut store) = temp_store();
    import(&mut store, &sample("06_fj1_catalogue_price_formats.xlsx"));
    let exported = dir.path().join("catalogue.xlsx");
    export_to(&db, FormKind::Catalogue, None, None, &exported);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let first = store.listings(&ListingFilter::default()).unwrap().remove(0);
    let mut corrected = first.listing.clone();
    corrected.remark = "已在程序中更正".into();
    store.update_listing(first.id, &corrected).unwrap();

    // The untouched export: nothing changes.
    let report = import(&mut store, &exported);
    assert_eq!(
        (report.rows_updated, report.rows_kept),
        (0, 0),
        "{}",
        report.message
    );
    assert_eq!(
        store.listing(first.id).unwrap().listing.remark,
        "已在程序中更正"
    );
    // The export corrected by the township in that listing (its household's name): the
    // program's later correction is kept, with a warning.
    let corrected_file = dir.path().join("catalogue_corrected.xlsx");
    replace_in_sheet(
        &exported,
        &first.listing.household,
        "乡镇更正的姓名",
        &corrected_file,
    );
    let report = import(&mut store, &corrected_file);
    assert_eq!(report.rows_kept, 1, "{}", report.message);
    assert_eq!(
        store.listing(first.id).unwrap().listing.remark,
        "已在程序中更正"
    );
    assert!(
        report
            .message
            .contains("1行对应的记录在本文件导出后已在台账中修改"),
        "{}",
        report.message
    );
}

#[test]
fn equal_sales_are_counted_whichever_file_comes_first() {
    // One sale, then a resend of the quarter with a second, identical sale (same household,
    // product, day, quantity and amount): exactly one is added.
    let sale = [
        "云阳县青松中学",
        "2019.9.1",
        "云阳县泥溪镇三坪村",
        "刘光富",
        "土豆",
        "30斤",
        "90元",
    ];
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, rows: usize| -> PathBuf {
        let path = dir.path().join(name);
        write_sale_form(
            &path,
            "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
            ["销售数量", "销售金额"],
            &vec![sale; rows],
        );
        path
    };
    let one = write("one.xlsx", 1);
    let two = write("two.xlsx", 2);
    for order in [[&one, &two], [&two, &one]] {
        let db_dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&db_dir.path().join("l.db")).unwrap();
        import(&mut store, order[0]);
        let second = import(&mut store, order[1]);
        assert_eq!(
            store.sale_totals(&SaleFilter::default()).unwrap().0,
            2,
            "{}",
            second.message
        );
        // And the larger file again adds nothing.
        let again = import(&mut store, &two);
        assert_eq!(again.rows_added, 0, "{}", again.message);
    }
}

#[test]
fn a_sales_form_whose_rows_are_all_rejected_totals_zero() {
    let (dir, _db, mut store) = temp_store();
    let path = dir.path().join("all_rejected.xlsx");
    write_sale_form(
        &path,
        "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
        ["销售数量", "销售金额"],
        &[[
            "云阳县青松中学",
            "2019.9.1",
            "云阳县泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "-90",
        ]],
    );
    let report = import(&mut store, &path);
    assert_eq!(
        (
            report.outcome.as_str(),
            report.rows_imported,
            report.rows_rejected
        ),
        ("imported", 0, 1),
        "{}",
        report.message
    );
    assert_eq!(report.total.as_deref(), Some("0.00"));
}

/// A township's original file imported again after its records were corrected through an export
/// adds nothing: its rows are the corrected records (former content keys, migration 0007).
#[test]
fn the_original_file_again_after_a_correction_adds_nothing() {
    let (dir, db, mut store) = temp_store();
    let original = sample("01_fj2_baseline_nixi_20rows.xlsx");
    import(&mut store, &original);
    let exported = dir.path().join("export.xlsx");
    export_sales(&db, &exported);
    let corrected = dir.path().join("corrected.xlsx");
    edit_exported_amount(&exported, 1.0, 100.0, &corrected);
    assert_eq!(import(&mut store, &corrected).rows_updated, 1);
    let total = store.summary_totals(2019).unwrap().total;
    assert_eq!(total.to_string(), "11805.00");

    let again = import(&mut store, &original);
    assert_eq!(
        (again.rows_added, again.rows_duplicate),
        (0, 20),
        "{}",
        again.message
    );
    assert_eq!(store.summary_totals(2019).unwrap().total, total);
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 20);
    let superseded: Vec<_> = again
        .warnings
        .iter()
        .filter(|w| w.message.contains("更正前的内容"))
        .collect();
    assert_eq!(superseded.len(), 1, "{:?}", again.warnings);
    assert_eq!(superseded[0].row, 5);

    // A record corrected back to what it was is that content again, not a former one.
    let liu = sale_of(&store, "刘光富");
    let mut back = liu.record.clone();
    back.amount = Money::from_fen(9_000);
    store.update_sale(liu.id, &back).unwrap();
    let third = import(&mut store, &original);
    assert_eq!(third.rows_added, 0, "{}", third.message);
    assert!(
        !third
            .warnings
            .iter()
            .any(|w| w.message.contains("更正前的内容")),
        "{:?}",
        third.warnings
    );
    // Deleting the record lets its sale be imported again.
    store.delete_sale(liu.id).unwrap();
    let after_delete = import(&mut store, &original);
    assert_eq!(after_delete.rows_added, 1, "{}", after_delete.message);
}

#[test]
fn the_original_catalogue_again_after_a_correction_adds_nothing() {
    use xiaofei_fupin::store::ListingFilter;
    let (_dir, _db, mut store) = temp_store();
    let original = sample("06_fj1_catalogue_price_formats.xlsx");
    import(&mut store, &original);
    let listings = store.listings(&ListingFilter::default()).unwrap();
    let first = listings[0].clone();
    let mut corrected = first.listing.clone();
    corrected.household = format!("{}（更正）", corrected.household);
    store.update_listing(first.id, &corrected).unwrap();

    let again = import(&mut store, &original);
    assert_eq!(again.rows_added, 0, "{}", again.message);
    assert_eq!(
        store.listings(&ListingFilter::default()).unwrap().len(),
        listings.len()
    );
}

/// One county-wide export corrected by two townships, each in its own rows: neither file undoes
/// the other's correction, and the untouched export coming back changes nothing.
#[test]
fn two_corrected_copies_of_one_export_keep_both_corrections() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let first = dir.path().join("first.xlsx");
    let second = dir.path().join("second.xlsx");
    edit_exported_amount(&exported, 1.0, 100.0, &first);
    edit_exported_amount(&exported, 2.0, 1.0, &second);
    let amount_of_row_2 = |store: &Store| {
        store
            .sale(sale_of(store, "刘光富").id + 1)
            .unwrap()
            .record
            .amount
    };
    assert_ne!(amount_of_row_2(&store), Money::from_fen(100));

    assert_eq!(import(&mut store, &first).rows_updated, 1);
    let report = import(&mut store, &second);
    assert_eq!(report.rows_updated, 1, "{}", report.message);
    assert_eq!(
        sale_of(&store, "刘光富").record.amount,
        Money::from_fen(10_000),
        "the second file undid the first file's correction"
    );
    assert_eq!(amount_of_row_2(&store), Money::from_fen(100));

    let untouched = import(&mut store, &exported);
    assert_eq!(untouched.rows_updated, 0, "{}", untouched.message);
    assert_eq!(
        sale_of(&store, "刘光富").record.amount,
        Money::from_fen(10_000)
    );
    assert_eq!(amount_of_row_2(&store), Money::from_fen(100));
}

/// Files typed on the command line are named as typed, so two townships' 附件2.xlsx are told
/// apart; a file given both directly and through its folder is imported once.
#[test]
fn typed_files_are_named_as_typed_and_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    for (township, sample_name) in [
        ("泥溪镇", "01_fj2_baseline_nixi_20rows.xlsx"),
        ("双江街道", "10_fj2_pair_township_shuangjiang.xlsx"),
    ] {
        let folder = dir.path().join("收件").join(township);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(sample(sample_name), folder.join("附件2.xlsx")).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
        .current_dir(dir.path())
        .args(["--db", "ledger.db", "import", "--json", "--dry-run"])
        .args([
            "收件/泥溪镇/附件2.xlsx",
            "收件/双江街道/附件2.xlsx",
            "./收件/",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["收件/泥溪镇/附件2.xlsx", "收件/双江街道/附件2.xlsx"]
    );
}

/// Visible cells deleted with "shift up" (the hidden 记录编号 column stays put): the rows no longer
/// line up with their ids. A correction among them must not overwrite the record its stale id
/// names; it is refused with a clear error and nothing in the ledger changes.
#[test]
fn a_correction_in_rows_shifted_away_from_their_ids_overwrites_nothing() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let before: Vec<_> = store
        .sales(&SaleFilter::default())
        .unwrap()
        .into_iter()
        .map(|row| (row.id, row.record.amount))
        .collect();
    let shifted = dir.path().join("shifted.xlsx");
    rewrite_export(&exported, &shifted, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let remark_column = column_of(grid, "备注");
        let (first, last) = data_rows(grid);
        // 删除单元格, 下方单元格上移 on the visible columns of the second data row.
        for row in first + 1..last {
            for column in 0..=remark_column {
                let below = grid[row + 1].get(column).cloned().flatten();
                grid[row][column] = below;
            }
        }
        for cell in grid[last].iter_mut().take(remark_column + 1) {
            *cell = None;
        }
        // And a correction further down.
        let Some(Cell::Number(amount)) = grid[last - 1][amount_column] else {
            panic!("no amount")
        };
        grid[last - 1][amount_column] = Some(Cell::Number(amount + 10.0));
    });
    let report = import(&mut store, &shifted);
    let after: Vec<_> = store
        .sales(&SaleFilter::default())
        .unwrap()
        .into_iter()
        .map(|row| (row.id, row.record.amount))
        .collect();
    assert_eq!(after, before, "{}", report.message);
    assert_eq!(
        (report.rows_added, report.rows_updated, report.rows_rejected),
        (0, 0, 1),
        "{}",
        report.message
    );
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("记录编号与各行内容错位")),
        "{:?}",
        report.errors
    );
}

/// An export sent back with two rows the import refuses (`很多` as 销售数量) and one row
/// deleted: the file note lists only the deleted row's record as missing from the file; the
/// refused rows are reported as errors, not as records the file left out.
#[test]
fn rows_refused_in_a_resent_export_are_not_listed_as_left_out() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let edited = dir.path().join("edited.xlsx");
    rewrite_export(&exported, &edited, |grid| {
        let quantity_column = column_of(grid, "销售数量");
        for household in ["张桂兰", "李长青"] {
            let (row, _) = row_of(grid, household);
            grid[row][quantity_column] = Some(Cell::Text("很多".into()));
        }
        let (row, _) = row_of(grid, "周玉珍");
        grid.remove(row);
    });
    let report = import(&mut store, &edited);
    assert_eq!(report.rows_rejected, 2, "{}", report.message);
    let left_out = left_out_notes(&report);
    assert_eq!(left_out.len(), 1, "{:?}", report.file_warnings);
    assert!(left_out[0].contains("周玉珍"), "{}", left_out[0]);
    assert!(
        !left_out[0].contains("张桂兰") && !left_out[0].contains("李长青"),
        "{}",
        left_out[0]
    );
}

/// Only the 销售金额 column of an export sorted (Excel's 以当前选定区域排序, the rest of the rows
/// left in place): the amounts would move between households. The rows are refused as out of
/// line and the ledger keeps its amounts; three real corrections of amounts still update.
#[test]
fn one_column_sorted_on_its_own_moves_no_amount_between_records() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let amounts = |store: &Store| -> Vec<(i64, Money)> {
        store
            .sales(&SaleFilter::default())
            .unwrap()
            .into_iter()
            .map(|row| (row.id, row.record.amount))
            .collect()
    };
    let before = amounts(&store);
    let sorted = dir.path().join("sorted.xlsx");
    rewrite_export(&exported, &sorted, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (first, last) = data_rows(grid);
        let mut column: Vec<Option<Cell>> = (first..=last)
            .map(|row| grid[row][amount_column].clone())
            .collect();
        column.sort_by(|a, b| match (a, b) {
            (Some(Cell::Number(a)), Some(Cell::Number(b))) => a.total_cmp(b),
            _ => std::cmp::Ordering::Equal,
        });
        for (row, cell) in (first..=last).zip(column) {
            grid[row][amount_column] = cell;
        }
    });
    let report = import(&mut store, &sorted);
    assert_eq!(amounts(&store), before, "{}", report.message);
    assert_eq!(report.rows_updated, 0, "{}", report.message);
    assert!(report.rows_rejected >= 3, "{}", report.message);
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.message.contains("记录编号与各行内容错位")),
        "{:?}",
        report.errors
    );
    // Sorted, and one amount corrected after the sort: still out of line.
    let sorted_and_corrected = dir.path().join("sorted_and_corrected.xlsx");
    rewrite_export(&sorted, &sorted_and_corrected, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (first, _) = data_rows(grid);
        let Some(Cell::Number(amount)) = grid[first][amount_column] else {
            panic!("no amount")
        };
        grid[first][amount_column] = Some(Cell::Number(amount + 20.0));
    });
    let report = import(&mut store, &sorted_and_corrected);
    assert_eq!(amounts(&store), before, "{}", report.message);
    assert_eq!(report.rows_updated, 0, "{}", report.message);
    // Three amounts corrected by hand (no reordering of the same values): updated.
    let corrected = dir.path().join("corrected.xlsx");
    rewrite_export(&exported, &corrected, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (first, _) = data_rows(grid);
        for row in grid.iter_mut().skip(first).take(3) {
            let Some(Cell::Number(amount)) = row[amount_column] else {
                panic!("no amount")
            };
            row[amount_column] = Some(Cell::Number(amount + 5.0));
        }
    });
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_updated, report.rows_rejected),
        (3, 0),
        "{}",
        report.message
    );
}

/// Row 1 (the 附件2 label with the hidden 提交编号) deleted from an export: the export is
/// recognised by its ids and content, so a correction updates its record instead of adding it.
#[test]
fn an_export_whose_submission_cell_was_deleted_is_recognised_by_its_content() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let corrected = dir.path().join("no_row_1.xlsx");
    rewrite_export(&exported, &corrected, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let (row, _) = row_of(grid, "刘光富");
        grid[row][amount_column] = Some(Cell::Number(95.0));
        grid.remove(0);
    });
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (0, 1),
        "{} {:?}",
        report.message,
        report.file_warnings
    );
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains("按记录编号和内容认定为本台账导出的表格")),
        "{:?}",
        report.file_warnings
    );
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "11800.00"
    );
}

/// A row of an export emptied but for its 序号 and hidden id (the clerk "deleting" a sale in the
/// file): the import deletes nothing and says so.
#[test]
fn a_row_emptied_in_an_export_is_reported_and_its_record_kept() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let emptied = dir.path().join("emptied.xlsx");
    let mut excel_row = 0;
    rewrite_export(&exported, &emptied, |grid| {
        let remark_column = column_of(grid, "备注");
        let (row, _) = row_of(grid, "刘光富");
        excel_row = row + 1;
        for cell in grid[row].iter_mut().take(remark_column + 1).skip(1) {
            *cell = None;
        }
    });
    let report = import(&mut store, &emptied);
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains(&format!("第{excel_row}行的内容已清空"))),
        "{:?}",
        report.file_warnings
    );
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 20);
}

/// Rows that carry ids claim their records before rows without: a new sale equal to a record the
/// same file corrects, typed above that correction, is added, not taken for that record.
#[test]
fn a_new_sale_equal_to_a_record_the_file_corrects_is_added() {
    let (dir, db, mut store) = temp_store();
    let sale = [
        "云阳县青松中学",
        "2019.9.1",
        "云阳县泥溪镇三坪村",
        "刘光富",
        "土豆",
        "30斤",
        "90元",
    ];
    let three = dir.path().join("three.xlsx");
    write_sale_form(
        &three,
        "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
        ["销售数量", "销售金额"],
        &[sale; 3],
    );
    assert_eq!(import(&mut store, &three).rows_added, 3);
    let exported = dir.path().join("export.xlsx");
    export_sales(&db, &exported);
    let edited = dir.path().join("edited.xlsx");
    rewrite_export(&exported, &edited, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let id_column = grid
            .iter()
            .map(|row| row.len())
            .max()
            .unwrap()
            .saturating_sub(1);
        let (first, _) = row_of(grid, "刘光富");
        // The second sale corrected to 95; a new equal sale typed above it, without an id.
        grid[first + 1][amount_column] = Some(Cell::Number(95.0));
        let mut new_sale = grid[first].clone();
        for cell in new_sale.iter_mut().skip(amount_column + 2) {
            *cell = None;
        }
        assert!(new_sale.len() <= id_column + 1);
        grid.insert(first + 1, new_sale);
    });
    let report = import(&mut store, &edited);
    assert_eq!(
        (report.rows_added, report.rows_updated),
        (1, 1),
        "{} {:?}",
        report.message,
        report.file_warnings
    );
    assert_eq!(store.sale_totals(&SaleFilter::default()).unwrap().0, 4);
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "365.00"
    );
}

/// Row 1 deleted and the visible columns sorted without the hidden ones, with a correction: the
/// export is still recognised, and the correction is refused as out of line, not added.
#[test]
fn a_sorted_export_without_its_submission_cell_adds_no_correction() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let sorted = dir.path().join("sorted.xlsx");
    rewrite_export(&exported, &sorted, |grid| {
        let amount_column = column_of(grid, "销售金额");
        let remark_column = column_of(grid, "备注");
        let household_column = column_of(grid, "贫困户姓名");
        let (first, last) = data_rows(grid);
        let mut visible: Vec<Vec<Option<Cell>>> = grid[first..=last]
            .iter()
            .map(|row| row.iter().take(remark_column + 1).cloned().collect())
            .collect();
        let name = |row: &Vec<Option<Cell>>| match row.get(household_column) {
            Some(Some(Cell::Text(t))) => t.clone(),
            _ => String::new(),
        };
        visible.sort_by_key(name);
        for (offset, cells) in visible.into_iter().enumerate() {
            for (column, cell) in cells.into_iter().enumerate() {
                grid[first + offset][column] = cell;
            }
        }
        let Some(Cell::Number(amount)) = grid[first + 3][amount_column] else {
            panic!("no amount")
        };
        grid[first + 3][amount_column] = Some(Cell::Number(amount + 10.0));
        grid.remove(0);
    });
    let report = import(&mut store, &sorted);
    assert_eq!(
        (report.rows_added, report.rows_updated, report.rows_rejected),
        (0, 0, 1),
        "{} {:?}",
        report.message,
        report.file_warnings
    );
    assert_eq!(
        store.summary_totals(2019).unwrap().total.to_string(),
        "11795.00"
    );
}

/// An export whose hidden 记录编号 column was lost (values pasted into a new sheet) while its
/// 提交编号 stayed: a corrected row can only be added, so the import says why.
#[test]
fn a_row_of_an_export_without_its_id_that_adds_a_sale_is_flagged() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let without_ids = dir.path().join("without_ids.xlsx");
    rewrite_export(&exported, &without_ids, |grid| {
        let id_column = column_of(grid, "记录编号");
        let amount_column = column_of(grid, "销售金额");
        let (first, _) = row_of(grid, "刘光富");
        for row in grid.iter_mut().skip(first) {
            if let Some(cell) = row.get_mut(id_column) {
                *cell = None;
            }
        }
        grid[first][amount_column] = Some(Cell::Number(95.0));
    });
    let report = import(&mut store, &without_ids);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    let flagged: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("没有隐藏的记录编号"))
        .collect();
    assert_eq!(flagged.len(), 1, "{:?}", report.warnings);
}

/// A clerk copies the ledger file alone (to a USB stick, by e-mail): after the program ends, the
/// file must hold everything. A large import leaves its records in the write-ahead log and copies
/// them into the ledger on a background connection; that connection must be finished before the
/// program's own connection closes, so that the close folds the log in and deletes it.
#[test]
fn after_an_import_the_ledger_file_alone_holds_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    {
        let mut store = Store::open(&source).unwrap();
        xiaofei_fupin::demo::fill(&mut store, 2019, 5_000, 7, 0, &|_, _| {}).unwrap();
    }
    let exported = dir.path().join("fj2.xlsx");
    export_sales(&source, &exported);

    let db = dir.path().join("ledger.db");
    let (code, reports, stderr) = import_json(&db, &[exported.as_os_str()]);
    assert_eq!(code, Some(0), "{stderr}");
    let added = reports[0]["rows_added"].as_u64().unwrap();
    assert!(added >= 5_000, "{added}");
    let wal = dir.path().join("ledger.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the write-ahead log is left beside the ledger"
    );

    // The ledger file copied alone opens with every record.
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copied.db");
    std::fs::copy(&db, &copy).unwrap();
    let copied = Store::open(&copy).unwrap();
    let stored = copied.sale_ids(&SaleFilter::default()).unwrap().len() as u64;
    assert_eq!(stored, added);
}

/// A township's corrected form sent again without hidden ids (the clerk changed one amount in
/// the file they sent before): the changed row is added, but with a warning, reported and stored
/// with the record, that names the stored sale it likely corrects. A file holding both the old
/// and the new row (two sales) gets no such warning.
#[test]
fn a_corrected_form_sent_again_flags_the_row_that_differs_only_in_amount() {
    let (dir, _db, mut store) = temp_store();
    let info = "填报单位：泥溪镇人民政府　填报时间：2019年9月30日";
    let first = [
        [
            "云阳县青松中学",
            "2019.9.1",
            "泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "90元",
        ],
        [
            "云阳县青松中学",
            "2019.9.2",
            "泥溪镇三坪村",
            "王成",
            "红薯",
            "20斤",
            "40元",
        ],
    ];
    let original = dir.path().join("original.xlsx");
    write_sale_form(&original, info, ["销售数量", "销售金额"], &first);
    assert_eq!(import(&mut store, &original).rows_added, 2);
    let mut corrected_rows = first;
    corrected_rows[1][6] = "45元";
    let corrected = dir.path().join("corrected.xlsx");
    write_sale_form(&corrected, info, ["销售数量", "销售金额"], &corrected_rows);
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_duplicate),
        (1, 1),
        "{}",
        report.message
    );
    let expected = "台账中已有同一地区、同一户、同一产品、同一天的记录（数量“20斤”，金额40.00元），只有数量或金额不同：如本行是对它的更正，请删除原记录，以免重复计入";
    let flagged: Vec<(u32, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.row, w.message.as_str()))
        .collect();
    assert_eq!(flagged, [(4, expected)]);
    let stored = store.sales(&SaleFilter::default()).unwrap();
    let with_warning: Vec<(String, i64)> = stored
        .iter()
        .filter(|s| s.record.warnings.iter().any(|w| w == expected))
        .map(|s| (s.record.household.clone(), s.record.amount.to_fen()))
        .collect();
    assert_eq!(with_warning, [("王成".to_string(), 4500)]);
    // Only the 采购单位 corrected: counted as the stored sale, and the difference is reported.
    let mut purchaser_corrected = first;
    purchaser_corrected[0][0] = "云阳县南岸医院";
    let third = dir.path().join("purchaser.xlsx");
    write_sale_form(&third, info, ["销售数量", "销售金额"], &purchaser_corrected);
    let report = import(&mut store, &third);
    assert_eq!(report.rows_added, 0, "{}", report.message);
    let messages: Vec<(u32, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.row, w.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [(
            3,
            "与台账中已有记录相同，按已导入处理，未重复添加；但采购单位（台账中为“云阳县青松中学”，本文件为“云阳县南岸医院”）不同，未按本文件修改：如本行是更正，请在程序中修改该记录"
        )]
    );
    // Both the old and the new amount in one file: two sales, nothing to flag.
    let (dir, _db, mut store) = temp_store();
    assert_eq!(import(&mut store, &original).rows_added, 2);
    let both = dir.path().join("both.xlsx");
    write_sale_form(
        &both,
        info,
        ["销售数量", "销售金额"],
        &[first[0], first[1], corrected_rows[1]],
    );
    let report = import(&mut store, &both);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

/// Writes a 泥溪镇 附件1 form (填报时间 2019年8月20日, the official header) with `rows` of
/// 地区, 贫困户姓名, 产品品种, 计划销量, 销售价格(元), numbered from 1.
fn write_catalogue_form(path: &Path, rows: &[[&str; 5]]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "填报单位：泥溪镇人民政府　填报时间：2019年8月20日")
        .unwrap();
    let header = [
        "序号",
        "地区",
        "贫困户姓名",
        "产品品种",
        "计划销量",
        "销售价格(元)",
        "供货方式",
        "网店网址",
        "供货联系人及联系方式",
        "备注",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, values) in rows.iter().enumerate() {
        ws.write_string(r as u32 + 2, 0, (r + 1).to_string())
            .unwrap();
        for (c, v) in values.iter().enumerate() {
            ws.write_string(r as u32 + 2, c as u16 + 1, *v).unwrap();
        }
    }
    wb.save(path).unwrap();
}

/// A 附件1 catalogue sent again with a new price for one product updates that product's entry
/// (a household lists each product once) instead of listing it twice.
#[test]
fn a_catalogue_sent_again_with_a_new_price_updates_the_product() {
    let (dir, _db, mut store) = temp_store();
    let write = |path: &Path, potato_price: &str| {
        write_catalogue_form(
            path,
            &[
                ["泥溪镇三坪村", "刘光富", "土豆", "2000斤", potato_price],
                ["泥溪镇三坪村", "刘光富", "红薯", "1000斤", "2元/斤"],
            ],
        )
    };
    let august = dir.path().join("august.xlsx");
    write(&august, "3元/斤");
    assert_eq!(import(&mut store, &august).rows_added, 2);
    let september = dir.path().join("september.xlsx");
    write(&september, "3.2元/斤");
    let report = import(&mut store, &september);
    assert_eq!(
        (
            report.rows_added,
            report.rows_updated,
            report.rows_duplicate
        ),
        (0, 1, 1),
        "{}",
        report.message
    );
    let listings = store
        .listings(&xiaofei_fupin::store::ListingFilter::default())
        .unwrap();
    let prices: Vec<(String, String)> = listings
        .iter()
        .map(|l| (l.listing.product.clone(), l.listing.price_text.clone()))
        .collect();
    assert_eq!(
        prices,
        [
            ("土豆".to_string(), "3.2元/斤".to_string()),
            ("红薯".to_string(), "2元/斤".to_string())
        ]
    );
}

/// A 附件1 catalogue sent again that no longer lists an entry of its village names it in a file
/// note (the price check still uses it; nothing is deleted). A village the file does not name,
/// and a supplement adding a product, say nothing.
#[test]
fn a_catalogue_sent_again_names_the_entries_it_no_longer_lists() {
    let (dir, _db, mut store) = temp_store();
    let write = write_catalogue_form;
    let potato = ["泥溪镇三坪村", "刘光富", "土豆", "2000斤", "3元/斤"];
    let sweet_potato = ["泥溪镇三坪村", "刘光富", "红薯", "1000斤", "2元/斤"];
    let bacon = ["泥溪镇三坪村", "王德明", "腊肉", "200斤", "30元/斤"];
    let chicken = ["泥溪镇黄岭村", "冉启兵", "土鸡", "50只", "面议"];
    let august = dir.path().join("august.xlsx");
    write(&august, &[potato, sweet_potato, bacon, chicken]);
    assert_eq!(import(&mut store, &august).rows_added, 4);

    // 三坪村 again without 王德明's 腊肉, and with a new potato price; 黄岭村 not named.
    let september = dir.path().join("september.xlsx");
    let mut new_price = potato;
    new_price[4] = "3.2元/斤";
    write(&september, &[new_price, sweet_potato]);
    let report = import(&mut store, &september);
    assert_eq!(
        (
            report.rows_added,
            report.rows_updated,
            report.rows_duplicate
        ),
        (0, 1, 1),
        "{}",
        report.message
    );
    assert_eq!(
        report.file_warnings,
        ["台账中泥溪镇三坪村的待销目录（附件1）有1条本文件中没有：王德明 腊肉。台账中仍保留这些条目，价格核对仍按它们；如已不再供应，请在“待销目录”中删除".to_string()]
    );
    // Nothing deleted.
    let listings = store
        .listings(&xiaofei_fupin::store::ListingFilter::default())
        .unwrap();
    assert_eq!(listings.len(), 4);

    // A supplement with one new product of 黄岭村 repeats none of its entries: no note.
    let supplement = dir.path().join("supplement.xlsx");
    write(
        &supplement,
        &[["泥溪镇黄岭村", "周玉珍", "蜂蜜", "100斤", "40元/斤"]],
    );
    let report = import(&mut store, &supplement);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(
        report.file_warnings.is_empty(),
        "{:?}",
        report.file_warnings
    );
}

/// The editors' save (`update_*_opened_as`): refused, writing nothing, when the record changed
/// after the editor opened it; applied when it did not.
#[test]
fn an_editors_save_is_refused_when_the_record_changed_since_it_was_opened() {
    let (_dir, _db, mut store) = temp_store();
    import(&mut store, &sample("06_fj1_catalogue_price_formats.xlsx"));
    let ids = store
        .listing_ids(&xiaofei_fupin::store::ListingFilter::default())
        .unwrap();
    let opened = store.listing(ids[0]).unwrap().listing;
    let mut corrected = opened.clone();
    corrected.remark = "乡镇更正".to_string();
    store.update_listing(ids[0], &corrected).unwrap();
    let mut edited = opened.clone();
    edited.remark = "编辑".to_string();
    let refused = store.update_listing_opened_as(ids[0], &edited, &opened);
    assert!(
        matches!(refused, Err(xiaofei_fupin::store::StoreError::ChangedMeanwhile(id)) if id == ids[0]),
        "{refused:?}"
    );
    assert_eq!(store.listing(ids[0]).unwrap().listing.remark, "乡镇更正");
    store
        .update_listing_opened_as(ids[0], &edited, &corrected)
        .unwrap();
    assert_eq!(store.listing(ids[0]).unwrap().listing.remark, "编辑");

    import(&mut store, &sample("01_fj2_baseline_nixi_20rows.xlsx"));
    let id = store.sale_ids(&SaleFilter::default()).unwrap()[0];
    let opened = store.sale(id).unwrap().record;
    let mut corrected = opened.clone();
    corrected.remark = "乡镇更正".to_string();
    store.update_sale(id, &corrected).unwrap();
    let mut edited = opened.clone();
    edited.remark = "编辑".to_string();
    assert!(matches!(
        store.update_sale_opened_as(id, &edited, &opened),
        Err(xiaofei_fupin::store::StoreError::ChangedMeanwhile(_))
    ));
    assert_eq!(store.sale(id).unwrap().record.remark, "乡镇更正");
    store
        .update_sale_opened_as(id, &edited, &corrected)
        .unwrap();
    assert_eq!(store.sale(id).unwrap().record.remark, "编辑");
}

/// Two departments' 附件3 with the same goods bought on the same day by different buyers (a
/// co-operative's festival packs): two purchases, both counted; the later one says which stored
/// record looks like it. The same file sent again adds nothing, and a unit's own file sent again
/// with a corrected 采购单位 still counts as its stored sale.
#[test]
fn the_same_goods_bought_by_another_buyer_and_reported_by_another_unit_are_another_purchase() {
    let (dir, _db, mut store) = temp_store();
    let row = |purchaser: &'static str| {
        [
            purchaser,
            "2019.9.3",
            "泥溪镇三坪村",
            "刘光富",
            "核桃",
            "50斤",
            "750元",
        ]
    };
    let school = dir.path().join("school.xlsx");
    write_sale_form(
        &school,
        "填报单位：县教委　填报时间：2019年9月30日",
        ["采购数量", "采购金额"],
        &[row("云阳县青松中学")],
    );
    let hospital = dir.path().join("hospital.xlsx");
    write_sale_form(
        &hospital,
        "填报单位：云阳县卫生健康委　填报时间：2019年9月30日",
        ["采购数量", "采购金额"],
        &[row("云阳县人民医院")],
    );
    assert_eq!(import(&mut store, &school).rows_added, 1);
    let report = import(&mut store, &hospital);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    let messages: Vec<&str> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "台账中已有同一地区、同一户、同一产品、同一天、同样数量和金额的记录，但采购单位是“云阳县青松中学”（县教委报送），已作为另一笔采购导入；如两者是同一笔采购，请删除其中一条，以免重复计入"
        ]
    );
    assert_eq!(import(&mut store, &hospital).rows_added, 0);
    assert_eq!(import(&mut store, &school).rows_added, 0);
    // The school's unit sends its file again with the buyer's name corrected: the same purchase.
    let corrected = dir.path().join("school_corrected.xlsx");
    write_sale_form(
        &corrected,
        "填报单位：云阳县教委　填报时间：2019年9月30日",
        ["采购数量", "采购金额"],
        &[row("云阳县青松初级中学")],
    );
    let report = import(&mut store, &corrected);
    assert_eq!(
        (report.rows_added, report.rows_duplicate),
        (0, 1),
        "{}",
        report.message
    );
    let stored = store.sales(&SaleFilter::default()).unwrap();
    assert_eq!(stored.len(), 2);
    // The school's unit corrects the buyer to the hospital's name: still its own record (not the
    // hospital's, reported by another unit), and the difference is reported.
    let renamed = dir.path().join("school_renamed.xlsx");
    write_sale_form(
        &renamed,
        "填报单位：县教委　填报时间：2019年9月30日",
        ["采购数量", "采购金额"],
        &[row("云阳县人民医院")],
    );
    let report = import(&mut store, &renamed);
    assert_eq!(report.rows_duplicate, 1, "{}", report.message);
    assert!(
        report.warnings[0]
            .message
            .contains("采购单位（台账中为“云阳县青松中学”，本文件为“云阳县人民医院”）不同"),
        "{:?}",
        report.warnings
    );
    assert!(
        report.file_warnings.is_empty(),
        "{:?}",
        report.file_warnings
    );
    // A third unit reporting the hospital's purchase: the same sale, and the office is told.
    let union = dir.path().join("union.xlsx");
    write_sale_form(
        &union,
        "填报单位：县总工会　填报时间：2019年9月30日",
        ["采购数量", "采购金额"],
        &[row("云阳县人民医院")],
    );
    let report = import(&mut store, &union);
    assert_eq!(report.rows_duplicate, 1, "{}", report.message);
    let messages: Vec<&str> = report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "与台账中云阳县卫生健康委报送的记录（同一采购单位、同一户、同一产品、同一天、同样数量和金额）相同，按同一笔计，未重复添加"
        ]
    );
}

/// A township's form sent again after corrections, without hidden ids: a row whose household
/// was corrected is added with a warning naming the record it likely corrects, and a row the
/// clerk deleted is listed in a file note (the ledger still counts it; nothing is deleted). A
/// later file of another period that repeats nothing says nothing. Two equal deliveries sent
/// back in the other order are taken each by its own record, with no 备注 warning.
#[test]
fn a_form_sent_again_names_the_records_it_corrects_or_no_longer_holds() {
    let (dir, _db, mut store) = temp_store();
    let info = "填报单位：泥溪镇人民政府　填报时间：2019年9月30日";
    let rows = [
        [
            "云阳县青松中学",
            "2019.9.1",
            "泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "90元",
        ],
        [
            "云阳县青松中学",
            "2019.9.2",
            "泥溪镇三坪村",
            "王德名",
            "红薯",
            "20斤",
            "40元",
        ],
        [
            "云阳县青松中学",
            "2019.9.3",
            "泥溪镇黄岭村",
            "冉启兵",
            "土鸡",
            "5只",
            "400元",
        ],
        [
            "云阳县青松中学",
            "2019.9.4",
            "泥溪镇黄岭村",
            "周玉珍",
            "腊肉",
            "10斤",
            "500元",
        ],
    ];
    let original = dir.path().join("九月.xlsx");
    write_sale_form(&original, info, ["销售数量", "销售金额"], &rows);
    assert_eq!(import(&mut store, &original).rows_added, 4);
    let mut corrected = vec![rows[0], rows[1], rows[2]];
    corrected[1][3] = "王德明";
    let resent = dir.path().join("九月（更正）.xlsx");
    write_sale_form(&resent, info, ["销售数量", "销售金额"], &corrected);
    let report = import(&mut store, &resent);
    assert_eq!(
        (report.rows_added, report.rows_duplicate),
        (1, 2),
        "{}",
        report.message
    );
    let warnings: Vec<(u32, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.row, w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [(
            4,
            "此前导入的“九月.xlsx”中有一条记录（王德名 红薯 2019-09-02 20斤 40.00元）本文件中没有，它与本行只有贫困户姓名不同（原为“王德名”，本行为“王德明”）：如本行是对它的更正，请删除原记录，以免重复计入"
        )]
    );
    assert_eq!(
        report.file_warnings,
        ["此前导入的“九月.xlsx”中有1条同乡镇的记录本文件中没有：周玉珍 腊肉 2019-09-04 10斤 500.00元。台账中仍保留并计入这些记录；如本文件是更正后的重报、这些记录已删去，请在程序中删除它们".to_string()]
    );
    // Nothing is deleted: the ledger holds the four records and the corrected one.
    assert_eq!(store.sales(&SaleFilter::default()).unwrap().len(), 5);
    // A supplement sharing one row with September's form is no resend of it: no note.
    let supplement = dir.path().join("补报.xlsx");
    write_sale_form(
        &supplement,
        info,
        ["销售数量", "销售金额"],
        &[
            rows[0],
            [
                "云阳县青松中学",
                "2019.9.8",
                "泥溪镇三坪村",
                "刘光富",
                "土豆",
                "60斤",
                "180元",
            ],
        ],
    );
    let report = import(&mut store, &supplement);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(
        report.file_warnings.is_empty(),
        "{:?}",
        report.file_warnings
    );
    // October's form repeats nothing of September's: no note.
    let october = dir.path().join("十月.xlsx");
    write_sale_form(
        &october,
        "填报单位：泥溪镇人民政府　填报时间：2019年10月31日",
        ["销售数量", "销售金额"],
        &[[
            "云阳县青松中学",
            "2019.10.8",
            "泥溪镇三坪村",
            "刘光富",
            "土豆",
            "30斤",
            "90元",
        ]],
    );
    let report = import(&mut store, &october);
    assert!(
        report.file_warnings.is_empty(),
        "{:?}",
        report.file_warnings
    );

    // Two equal deliveries with different 备注, sent back in the other order.
    let (dir, _db, mut store) = temp_store();
    let with_remarks = |path: &Path, remarks: [&str; 2]| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, info).unwrap();
        let header = [
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额",
            "备注",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        for (i, remark) in remarks.iter().enumerate() {
            let r = i as u32 + 2;
            for (c, v) in rows[0].iter().chain([remark]).enumerate() {
                ws.write_string(r, c as u16 + 1, *v).unwrap();
            }
        }
        wb.save(path).unwrap();
    };
    let first = dir.path().join("first.xlsx");
    with_remarks(&first, ["", "同日第二次送货"]);
    assert_eq!(import(&mut store, &first).rows_added, 2);
    let reversed = dir.path().join("reversed.xlsx");
    with_remarks(&reversed, ["同日第二次送货", ""]);
    let report = import(&mut store, &reversed);
    assert_eq!(report.rows_duplicate, 2, "{}", report.message);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

/// Sample 01's export sent back with a row deleted: the file note names the record the file
/// no longer holds, and the file it was imported from.
#[test]
fn an_export_sent_back_without_a_row_names_the_record() {
    let (dir, _db, mut store, exported) = sample_01_exported();
    let edited = dir.path().join("deleted.xlsx");
    rewrite_export(&exported, &edited, |grid| {
        let (row, _) = row_of(grid, "刘光富");
        grid.remove(row);
    });
    let report = import(&mut store, &edited);
    assert_eq!(report.rows_added, 0, "{}", report.message);
    let notes: Vec<&String> = report
        .file_warnings
        .iter()
        .filter(|w| {
            w.starts_with("此前导入的“01_fj2_baseline_nixi_20rows.xlsx”中有1条同乡镇的记录")
        })
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.file_warnings);
    assert!(notes[0].contains("刘光富"), "{}", notes[0]);
}

/// A household listing one product at two prices (ordinary and 精品): a sale at either price is
/// not flagged; a sale at neither is, naming both. An approximate price (`3元/斤左右`) is not
/// checked against.
#[test]
fn a_product_listed_at_two_prices_fits_either() {
    let (dir, _db, mut store) = temp_store();
    let catalogue = dir.path().join("附件1.xlsx");
    common::write_catalogue_form(
        &catalogue,
        "填写单位：泥溪镇人民政府　填写日期：2019年9月1日",
        &[
            [
                "1",
                "泥溪镇三坪村",
                "刘光富",
                "腊肉",
                "300斤",
                "45元/斤",
                "送货上门",
            ],
            [
                "2",
                "泥溪镇三坪村",
                "刘光富",
                "腊肉",
                "100斤",
                "60元/斤",
                "送货上门",
            ],
            [
                "3",
                "泥溪镇三坪村",
                "刘光富",
                "土豆",
                "500斤",
                "3元/斤左右",
                "送货上门",
            ],
        ],
    );
    assert_eq!(import(&mut store, &catalogue).rows_added, 3);
    let sales = dir.path().join("附件2.xlsx");
    write_sale_form(
        &sales,
        "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
        ["销售数量", "销售金额"],
        &[
            [
                "云阳县青松中学",
                "2019.9.3",
                "泥溪镇三坪村",
                "刘光富",
                "腊肉",
                "10斤",
                "450元",
            ],
            [
                "云阳县青松中学",
                "2019.9.4",
                "泥溪镇三坪村",
                "刘光富",
                "腊肉",
                "10斤",
                "600元",
            ],
            [
                "云阳县青松中学",
                "2019.9.5",
                "泥溪镇三坪村",
                "刘光富",
                "腊肉",
                "10斤",
                "500元",
            ],
            [
                "云阳县青松中学",
                "2019.9.6",
                "泥溪镇三坪村",
                "刘光富",
                "土豆",
                "10斤",
                "35元",
            ],
        ],
    );
    let report = import(&mut store, &sales);
    let flagged: Vec<(u32, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.row, w.message.as_str()))
        .collect();
    assert_eq!(
        flagged,
        [(
            5,
            "销售金额500.00元与目录价格不符：10斤×45元/斤=450.00元或10斤×60元/斤=600.00元（按填报金额计，不自动更正）"
        )]
    );
}

/// Two 附件2 sales of 泥溪镇 (采购单位 to 销售金额), 210.50 元 in all.
const TWO_NIXI_SALES: [[&str; 7]; 2] = [
    [
        "县商务委",
        "2019.9.1",
        "云阳县泥溪镇柏杨村",
        "王成芳",
        "土鸡",
        "30斤",
        "90",
    ],
    [
        "县商务委",
        "2019.9.2",
        "云阳县泥溪镇柏杨村",
        "刘光富",
        "鸡蛋",
        "100个",
        "120.5",
    ],
];

/// A blank form (an export without records, 12 empty ruled rows) filled in by hand: its rows are
/// added with no warning (no hidden id can have been lost from it), a date without its year is
/// read in the form's year, and its 合计 over the blank rows checks out. A row added by hand to an export that held records is still warned.
#[test]
fn a_blank_form_filled_in_by_hand_imports_without_warnings() {
    let (dir, db, mut store) = temp_store();
    let blank = dir.path().join("blank.xlsx");
    assert_eq!(export_to(&db, FormKind::Sale, Some(2019), None, &blank), 0);
    let filled = dir.path().join("filled.xlsx");
    rewrite_export(&blank, &filled, |grid| {
        let total_row = grid
            .iter()
            .position(|row| row.first() == Some(&Some(Cell::Text("合计".into()))))
            .unwrap();
        let header = grid
            .iter()
            .position(|row| row.first() == Some(&Some(Cell::Text("序号".into()))))
            .unwrap();
        assert_eq!(total_row - header - 1, 12, "12 blank rows to fill in");
        for (offset, cells) in TWO_NIXI_SALES.iter().enumerate() {
            let row = &mut grid[header + 1 + offset];
            row.resize(9, None);
            // 序号 typed by the clerk, the amount as a number.
            row[0] = Some(Cell::Text((offset + 1).to_string()));
            for (c, text) in cells.iter().enumerate() {
                row[c + 1] = Some(match text.parse::<f64>() {
                    Ok(number) if c == 6 => Cell::Number(number),
                    _ => Cell::Text((*text).into()),
                });
            }
        }
        // As Excel or WPS saves it: the SUM over the blank rows with its new result.
        grid[total_row][7] = Some(Cell::Number(210.5));
        // A past year's blank form gives the year's last day as 填报时间: a date typed without
        // its year is read in that year.
        let info = grid
            .iter()
            .flatten()
            .flatten()
            .find_map(|cell| match cell {
                Cell::Text(text) if text.contains("填报时间：") => Some(text.clone()),
                _ => None,
            })
            .unwrap();
        assert!(info.ends_with("填报时间：2019年12月31日"), "{info}");
        grid[header + 2][2] = Some(Cell::Text("9月2日".into()));
    });
    let report = import(&mut store, &filled);
    assert_eq!(
        (report.rows_added, report.rows_rejected),
        (2, 0),
        "{}",
        report.message
    );
    assert_eq!(report.total.as_deref(), Some("210.50"));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(
        report.file_warnings.is_empty(),
        "{:?}",
        report.file_warnings
    );
    let dates: Vec<String> = store
        .sales(&SaleFilter::default())
        .unwrap()
        .iter()
        .map(|row| row.record.date.date.to_string())
        .collect();
    assert!(dates.contains(&"2019-09-02".to_string()), "{dates:?}");

    // An export with records, a row added without its hidden id: warned.
    let with_records = dir.path().join("with_records.xlsx");
    assert_eq!(
        export_to(&db, FormKind::Sale, Some(2019), None, &with_records),
        2
    );
    let added = dir.path().join("added.xlsx");
    rewrite_export(&with_records, &added, |grid| {
        let (row, column) = row_of(grid, "刘光富");
        let mut copy = grid[row].clone();
        copy[column] = Some(Cell::Text("张新户".into()));
        copy.truncate(9);
        grid.insert(row + 1, copy);
    });
    let report = import(&mut store, &added);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(
        report.warnings.iter().any(|w| w.message.contains("新加的")),
        "{:?}",
        report.warnings
    );
}

/// Rows 1–2 of a 附件2 of 泥溪镇 filled on 2019年9月30日: the header information and the
/// official column headers; data rows start at row index 2.
fn write_nixi_sale_header(ws: &mut rust_xlsxwriter::Worksheet) {
    ws.write_string(0, 0, "填报单位：泥溪镇人民政府　　填报时间：2019年9月30日")
        .unwrap();
    let layout = xiaofei_fupin::forms::layout::form_layout(FormKind::Sale);
    for (c, h) in layout.columns.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
}

/// Rows a clerk marks as left empty are skipped like blank rows, not refused: `以下空白` (however
/// decorated) in one cell or merged across the row, a slash, dashes, dots, `N/A` or `无` in every
/// cell, zeros saved as text. A real row whose 备注 is `无` is still a record.
#[test]
fn rows_marked_as_left_empty_are_skipped() {
    let (dir, _db, mut store) = temp_store();
    let path = dir.path().join("以下空白.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_nixi_sale_header(ws);
    // Two real rows, the second with 备注 `无`.
    for (index, values) in TWO_NIXI_SALES.iter().enumerate() {
        let r = index as u32 + 2;
        ws.write_number(r, 0, f64::from(r - 1)).unwrap();
        for (c, v) in values.iter().enumerate() {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
    }
    ws.write_string(3, 8, "无").unwrap();
    for (r, mark) in [
        (4, "/"),
        (5, "无"),
        (6, "——"),
        (7, "..."),
        (8, "N/A"),
        (9, "— —"),
    ] {
        ws.write_number(r, 0, f64::from(r - 1)).unwrap();
        for c in 1..9 {
            ws.write_string(r, c, mark).unwrap();
        }
    }
    ws.merge_range(10, 0, 10, 8, "以下空白", &rust_xlsxwriter::Format::new())
        .unwrap();
    for (r, mark) in [
        (11, "（以下空白）"),
        (12, "——以下空白——"),
        (13, "-----以下空白-----"),
        (14, "本页以下空白"),
        (15, "以 下 空 白"),
        (16, "＊＊以下空白＊＊"),
    ] {
        ws.write_string(r, 1, mark).unwrap();
    }
    // A formula's zeros saved as text (a CSV, or cells formatted as text): nothing either.
    ws.write_string(17, 6, "0").unwrap();
    ws.write_string(17, 7, "0.00").unwrap();
    wb.save(&path).unwrap();

    let report = import(&mut store, &path);
    assert_eq!(
        (report.rows_added, report.rows_rejected),
        (2, 0),
        "{} {:?}",
        report.message,
        report.errors
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.total.as_deref(), Some("210.50"));
}

/// A 附件2 of 泥溪镇 with one row per amount (`Cell::Number` as typed into a number cell,
/// `Cell::Text` as text) and a 合计 row holding `total` in the amount column.
fn write_form_with_total(path: &Path, amounts: &[Cell], total: rust_xlsxwriter::Formula) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_nixi_sale_header(ws);
    let households = ["王成芳", "刘光富", "张大山", "李小红"];
    for (index, amount) in amounts.iter().enumerate() {
        let r = index as u32 + 2;
        ws.write_number(r, 0, f64::from(r - 1)).unwrap();
        let household = households[index % households.len()];
        let cells = [
            "县商务委",
            "2019.9.1",
            "云阳县泥溪镇柏杨村",
            household,
            "土豆",
            "30斤",
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
        match amount {
            Cell::Number(number) => ws.write_number(r, 7, *number).map(|_| ()),
            Cell::Text(text) => ws.write_string(r, 7, text).map(|_| ()),
        }
        .unwrap();
    }
    let total_row = amounts.len() as u32 + 2;
    ws.write_string(total_row, 0, "合计").unwrap();
    ws.write_formula(total_row, 7, total).unwrap();
    wb.save(path).unwrap();
}

/// A 合计 short by exactly the amounts typed as text (`90元`: Excel's SUM leaves text out) says
/// so, while the rows keep the amounts as typed.
#[test]
fn a_total_short_by_the_text_amounts_says_why() {
    let (dir, _db, mut store) = temp_store();
    let path = dir.path().join("文字金额.xlsx");
    let amounts = [
        Cell::Number(120.5),
        Cell::Text("90元".into()),
        Cell::Number(300.0),
    ];
    let total = rust_xlsxwriter::Formula::new("=SUM(H3:H5)").set_result("420.5");
    write_form_with_total(&path, &amounts, total);

    let report = import(&mut store, &path);
    assert_eq!(report.rows_added, 3, "{}", report.message);
    assert_eq!(report.total.as_deref(), Some("510.50"));
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains("合计(420.50)与明细之和(510.50)不符")
                && w.contains("有1行的金额是文字（如第4行的“90元”）")
                && w.contains("少算了90.00元")),
        "{:?}",
        report.file_warnings
    );

    // A 合计 adding other cells (`=H7+H10`, the 小计 rows, sums themselves) is explained too.
    let (added_dir, _added_db, mut added_store) = temp_store();
    let added = added_dir.path().join("小计相加.xlsx");
    let total = rust_xlsxwriter::Formula::new("=H3+H5").set_result("420.5");
    write_form_with_total(&added, &amounts, total);
    let report = import(&mut added_store, &added);
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains("少算了90.00元")),
        "{:?}",
        report.file_warnings
    );

    // A 合计 typed by hand (no formula) is not explained by what SUM leaves out.
    let typed = dir.path().join("手填合计.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_nixi_sale_header(ws);
    for (index, amount) in amounts.iter().enumerate() {
        let r = index as u32 + 2;
        for (c, v) in TWO_NIXI_SALES[index % 2].iter().take(6).enumerate() {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
        match amount {
            Cell::Number(number) => ws.write_number(r, 7, *number).map(|_| ()),
            Cell::Text(text) => ws.write_string(r, 7, text).map(|_| ()),
        }
        .unwrap();
    }
    ws.write_string(5, 0, "合计").unwrap();
    ws.write_number(5, 7, 420.5).unwrap();
    wb.save(&typed).unwrap();
    let warnings = file_warnings_of(&store, &typed);
    let mismatch: Vec<&String> = warnings.iter().filter(|w| w.contains("不符")).collect();
    assert_eq!(mismatch.len(), 1, "{warnings:?}");
    assert!(!mismatch[0].contains("文字"), "{mismatch:?}");
}

/// A 合计 whose formula broke (`#REF!`, after its rows were deleted) cannot be checked, and says
/// so instead of passing in silence.
#[test]
fn a_broken_total_formula_is_named() {
    let (dir, _db, mut store) = temp_store();
    let path = dir.path().join("合计出错.xlsx");
    let total = rust_xlsxwriter::Formula::new("=SUM(#REF!)").set_result("#REF!");
    write_form_with_total(&path, &[Cell::Number(90.0)], total);

    let report = import(&mut store, &path);
    assert_eq!(report.rows_added, 1, "{}", report.message);
    assert!(
        report
            .file_warnings
            .iter()
            .any(|w| w.contains("合计的金额是错误值“#REF!”（合计公式所引用的行可能已删除）")),
        "{:?}",
        report.file_warnings
    );

    // Another error value says the formula failed; a CSV holds the error as text.
    let divided = dir.path().join("合计除零.xlsx");
    let total = rust_xlsxwriter::Formula::new("=SUM(H3:H3)/0").set_result("#DIV/0!");
    write_form_with_total(&divided, &[Cell::Number(90.0)], total);
    let warnings = file_warnings_of(&store, &divided);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("“#DIV/0!”（合计公式出错）")),
        "{warnings:?}"
    );
    let csv = dir.path().join("合计出错.csv");
    std::fs::write(
        &csv,
        "填报单位：泥溪镇人民政府　　填报时间：2019年9月30日\n\
         序号,采购单位,销售时间,地区,贫困户姓名,产品品种,销售数量,销售金额,备注\n\
         1,县商务委,2019.9.1,云阳县泥溪镇柏杨村,王成芳,土豆,30斤,90,\n\
         合计,,,,,,,#REF!,\n",
    )
    .unwrap();
    let warnings = file_warnings_of(&store, &csv);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("合计的金额是错误值“#REF!”")),
        "{warnings:?}"
    );
}

/// The file warnings of `path` as the preview shows them (nothing written).
fn file_warnings_of(store: &Store, path: &Path) -> Vec<String> {
    prepare(store, path).unwrap().parsed.unwrap().file_warnings
}

/// A row written twice on a sheet is two sales (both added), the second with a hint naming the
/// first; it is stored with the record. The same file imported again adds nothing.
#[test]
fn a_row_written_twice_is_imported_twice_with_a_hint() {
    let (dir, _db, mut store) = temp_store();
    let path = dir.path().join("twice.xlsx");
    write_sale_form(
        &path,
        "填报单位：泥溪镇人民政府　填报时间：2019年9月30日",
        ["销售数量", "销售金额"],
        &[
            potato_sale("2019.9.1", "刘光富"),
            potato_sale("2019.9.2", "刘光富"),
            potato_sale("2019.9.1", "刘光富"),
            potato_sale("2019.9.1", "刘光富"),
        ],
    );
    let report = import(&mut store, &path);
    assert_eq!(report.rows_added, 4, "{report:?}");
    let hints: Vec<(u32, &str)> = report
        .warnings
        .iter()
        .filter(|w| w.message.contains("完全相同"))
        .map(|w| (w.row, w.message.as_str()))
        .collect();
    assert_eq!(hints.len(), 2, "{hints:?}");
    assert_eq!(hints[0].0, 5);
    assert_eq!(hints[1].0, 6);
    assert!(
        hints
            .iter()
            .all(|(_, m)| m.starts_with("本行与第3行完全相同")),
        "{hints:?}"
    );
    let stored = store
        .sales(&SaleFilter::default())
        .unwrap()
        .into_iter()
        .filter(|sale| sale.record.warnings.iter().any(|w| w.contains("完全相同")))
        .count();
    assert_eq!(stored, 2);
    let again = import(&mut store, &path);
    assert_eq!(again.rows_added, 0, "{again:?}");
}
