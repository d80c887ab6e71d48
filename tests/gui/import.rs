//! The 导入 window driven headlessly: a file dropped onto the window (and a typed path) is read
//! on a background thread, previewed without writing, then imported on 确认导入; the records are in
//! the database and on the dashboard afterwards.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{click, window};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use xiaofei_fupin::store::SaleFilter;
use xiaofei_fupin::ui::App;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/samples")
        .join(name)
}

/// A file dropped onto the window, as the platform integration would deliver it.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Clicks a button that starts background work (the UI keeps repainting, so no `run()`).
fn press(harness: &mut Harness<'_, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.step();
}

/// Runs frames until a widget with exactly this label exists (background work finishes).
fn wait_for(harness: &mut Harness<'_, App>, label: &str) {
    let started = Instant::now();
    loop {
        harness.step();
        if harness.query_by_label(label).is_some() {
            harness.step();
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "“{label}” never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs frames until `done` holds.
fn wait_until(harness: &mut Harness<'_, App>, mut done: impl FnMut(&App) -> bool) {
    let started = Instant::now();
    while !done(harness.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "background work never finished"
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
}

#[test]
fn a_dropped_file_is_previewed_then_imported_on_confirm() {
    let (_dir, _db, mut harness) = window();
    harness
        .input_mut()
        .dropped_files
        .push(Arc::new(Dropped(sample(
            "01_fj2_baseline_nixi_20rows.xlsx",
        ))));
    wait_for(&mut harness, "确认导入");
    // The preview names the file, the form and the rows, and nothing is written yet.
    assert!(
        harness
            .query_by_label_contains("01_fj2_baseline_nixi_20rows.xlsx")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("读取20行，将导入：新增20行")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("金额合计 11795.00 元")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("填报单位 泥溪镇人民政府")
            .is_some()
    );
    assert_eq!(
        harness
            .state()
            .store()
            .sale_totals(&SaleFilter::default())
            .unwrap()
            .0,
        0
    );

    press(&mut harness, "确认导入");
    wait_until(&mut harness, |app| {
        app.status_text().is_some_and(|s| s.contains("导入完成"))
    });
    let (count, total) = harness
        .state()
        .store()
        .sale_totals(&SaleFilter::default())
        .unwrap();
    assert_eq!((count, total.to_string()), (20, "11795.00".to_string()));
    assert!(
        harness
            .query_by_label_contains("读取20行，已导入：新增20行")
            .is_some()
    );
    click(&mut harness, "关闭");
    assert!(!harness.state().import_window_open());
    // The dashboard shows the imported amount.
    click(&mut harness, "进度");
    assert!(harness.query_by_label("全县合计：11795.00元").is_some());
    assert!(harness.query_by_label("泥溪镇：11795.00元").is_some());
}

#[test]
fn a_typed_path_with_a_rejected_row_and_a_bad_file_shows_both_and_imports_the_rest() {
    let (_dir, _db, mut harness) = window();
    click(&mut harness, "导入报表…");
    let paths = format!(
        "{};{}",
        sample("19_fj2_negative_amount.xlsx").display(),
        sample("22_not_a_spreadsheet_word_doc.xlsx").display()
    );
    harness
        .get_by_role_and_label(Role::TextInput, "文件路径")
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, "文件路径")
        .type_text(&paths);
    harness.run();
    press(&mut harness, "读取");
    wait_for(&mut harness, "确认导入");
    assert!(
        harness.query_by_label_contains("销售金额为负数").is_some(),
        "row 8 error is shown"
    );
    assert!(harness.query_by_label_contains("第8行").is_some());
    assert!(
        harness.query_by_label_contains("Word文档").is_some(),
        "the Word file's rejection is shown"
    );
    assert_eq!(
        harness
            .state()
            .store()
            .sale_totals(&SaleFilter::default())
            .unwrap()
            .0,
        0
    );

    press(&mut harness, "确认导入");
    wait_until(&mut harness, |app| {
        app.status_text().is_some_and(|s| s.contains("导入完成"))
    });
    let (count, total) = harness
        .state()
        .store()
        .sale_totals(&SaleFilter::default())
        .unwrap();
    assert_eq!((count, total.to_string()), (5, "2180.00".to_string()));

    // Importing the same file again: the preview says nothing new, and confirm is disabled.
    click(&mut harness, "继续导入其他文件");
    harness
        .get_by_role_and_label(Role::TextInput, "文件路径")
        .click();
    harness.run();
    press(&mut harness, "读取");
    wait_for(&mut harness, "确认导入");
    assert!(harness.query_by_label_contains("此前已导入").is_some());
    assert!(harness.query_by_label("没有需要写入的新记录").is_some());
}
