//! Helpers shared by the GUI tests: a window over a temporary database file, and typing into
//! labelled fields.

#![allow(dead_code)]

use std::path::PathBuf;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use xiaofei_fupin::store::Store;
use xiaofei_fupin::ui::App;

/// The window size the product is made for.
pub const SIZE: [f32; 2] = [1366.0, 768.0];

/// A temporary database file and the window over it, as eframe would create it (fonts included).
pub fn window() -> (tempfile::TempDir, PathBuf, Harness<'static, App>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("ledger.db");
    let harness = window_on(&path);
    (dir, path, harness)
}

/// The window over an existing database file.
pub fn window_on(path: &std::path::Path) -> Harness<'static, App> {
    let store = Store::open(path).expect("open database");
    let db_path = path.to_path_buf();
    // Background jobs (the window's reads, checks and imports) end on their own thread and ask
    // for one more frame when they do: `run` may need a few more steps than egui's default 4
    // when one ends while it runs.
    let mut harness = Harness::builder()
        .with_size(SIZE)
        .with_max_steps(32)
        .build_eframe(move |cc| App::new(cc, store, db_path));
    harness.run();
    harness
}

/// Clicks the widget labelled `label` (exact) and lets the UI settle.
pub fn click(harness: &mut Harness<'_, App>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// Clicks the text field labelled `label` and types `text` into it.
pub fn type_into(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .click();
    harness.run();
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .type_text(text);
    harness.run();
}

/// Replaces the content of the text field labelled `label`.
pub fn set_text(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    harness
        .get_by_role_and_label(Role::TextInput, label)
        .set_text_value_accesskit(text);
    harness.run();
}

/// Picks `choice` in the combo box labelled `label`.
pub fn choose(harness: &mut Harness<'_, App>, label: &str, choice: &str) {
    harness.get_by_role_and_label(Role::ComboBox, label).click();
    harness.run();
    // Long lists scroll: bring the choice into view before clicking it.
    harness.get_by_label(choice).scroll_to_me();
    harness.run();
    harness.get_by_label(choice).click();
    harness.run();
}

/// The seed's sample sale (附件2 样例行), typed into the open editor.
pub const SAMPLE_SALE: [(&str, &str); 7] = [
    ("采购单位", "云阳县商务委"),
    ("销售时间", "2019.9.1"),
    ("地区", "云阳县泥溪镇三坪村"),
    ("贫困户姓名", "王某某"),
    ("产品品种", "土豆"),
    ("销售数量", "30斤"),
    ("销售金额", "90元"),
];
