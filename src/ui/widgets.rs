//! Widgets and formatting shared by the tabs: labelled form fields with their validation message,
//! the township/year/quarter pickers, amount formatting, the delete confirmation.

use egui::{Color32, RichText, Ui};

use crate::domain::{Money, Township};

/// Red for validation errors (readable in the light and the dark theme).
pub(crate) const ERROR_COLOR: Color32 = Color32::from_rgb(0xD0, 0x30, 0x30);
/// Amber for warnings (the record is saved, the clerk should check it).
pub(crate) const WARNING_COLOR: Color32 = Color32::from_rgb(0xC0, 0x80, 0x00);
/// Green for success messages.
pub(crate) const OK_COLOR: Color32 = Color32::from_rgb(0x20, 0x90, 0x40);

/// `90.00` (yuan, two decimals).
pub(crate) fn yuan_text(amount: Money) -> String {
    amount.to_string()
}

/// `0.01` (万元, two decimals, 四舍五入).
pub(crate) fn wan_text(amount: Money) -> String {
    let wan = amount.wan_yuan(2);
    let mut text = wan.to_string();
    if !text.contains('.') {
        text.push_str(".00");
    } else if text.split('.').nth(1).is_some_and(|d| d.len() == 1) {
        text.push('0');
    }
    text
}

/// A target in 万元 without trailing zeros, e.g. `6000`, `0.5`.
pub(crate) fn wan_short(amount: Money) -> String {
    amount.wan_yuan(4).normalize().to_string()
}

/// A fraction 0–1 for a progress bar (the only place money becomes a float).
pub(crate) fn fraction(actual: Money, target: Money) -> f32 {
    let percent = crate::report::dashboard::percent(actual, target);
    let value: f32 = percent.to_string().parse().unwrap_or(0.0);
    (value / 100.0).clamp(0.0, 1.0)
}

/// One labelled single-line field in a two-column [`egui::Grid`]: the label, then the field with
/// its validation message (red) and an optional hint (weak) right under it. The field is named
/// by the label for screen readers and tests. Ends the grid row. Returns the field's response.
pub(crate) fn field_row_ui(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    placeholder: &str,
    error: Option<&str>,
    hint: Option<&str>,
) -> egui::Response {
    let label_response = ui.label(label);
    let response = ui
        .vertical(|ui| {
            let width = ui.available_width().clamp(160.0, 260.0);
            ui.set_max_width(width);
            let mut edit = egui::TextEdit::singleline(value).desired_width(width);
            if !placeholder.is_empty() {
                edit = edit.hint_text(placeholder);
            }
            let response = ui.add(edit).labelled_by(label_response.id);
            if let Some(error) = error {
                ui.add(egui::Label::new(RichText::new(error).color(ERROR_COLOR)).wrap());
            }
            if let Some(hint) = hint {
                ui.add(egui::Label::new(RichText::new(hint).small()).wrap());
            }
            response
        })
        .inner;
    ui.end_row();
    response
}

/// True when the user pressed Enter in this single-line field (it gave up the focus because of
/// it): an editor saves then, as office forms do.
pub(crate) fn submits(response: &egui::Response) -> bool {
    response.lost_focus() && response.ctx.input(|i| i.key_pressed(egui::Key::Enter))
}

/// A picker of one township (or all). Returns true when the choice changed.
pub(crate) fn township_combo_ui(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    selected: &mut Option<String>,
    townships: &[Township],
    none_text: &str,
) -> bool {
    let label_response = ui.label(label);
    let current = selected
        .as_ref()
        .and_then(|code| townships.iter().find(|t| &t.code == code))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| none_text.to_string());
    let before = selected.clone();
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(current)
        .width(120.0)
        .height(400.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(selected, None, none_text);
            for township in townships {
                let text = if township.deep_poverty {
                    format!("{}（深度贫困）", township.name)
                } else {
                    township.name.clone()
                };
                ui.selectable_value(selected, Some(township.code.clone()), text);
            }
        })
        .response
        .labelled_by(label_response.id);
    *selected != before
}

/// A picker of one year (or all), from `years` (newest first). Returns true when changed.
pub(crate) fn year_combo_ui(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    selected: &mut Option<i32>,
    years: &[i32],
    none_text: Option<&str>,
) -> bool {
    let label_response = ui.label(label);
    let before = *selected;
    let current = selected
        .map(|y| format!("{y}年"))
        .unwrap_or_else(|| none_text.unwrap_or("").to_string());
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(current)
        .width(80.0)
        .show_ui(ui, |ui| {
            if let Some(none_text) = none_text {
                ui.selectable_value(selected, None, none_text);
            }
            for year in years {
                ui.selectable_value(selected, Some(*year), format!("{year}年"));
            }
        })
        .response
        .labelled_by(label_response.id);
    *selected != before
}

/// A picker of one quarter (or the whole year). Returns true when changed.
pub(crate) fn quarter_combo_ui(
    ui: &mut Ui,
    id_salt: &str,
    selected: &mut Option<u8>,
    enabled: bool,
) -> bool {
    let before = *selected;
    let current = selected
        .map(|q| format!("第{q}季度"))
        .unwrap_or_else(|| "全年".to_string());
    ui.add_enabled_ui(enabled, |ui| {
        egui::ComboBox::from_id_salt(id_salt)
            .selected_text(current)
            .width(80.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(selected, None, "全年");
                for quarter in 1..=4u8 {
                    ui.selectable_value(selected, Some(quarter), format!("第{quarter}季度"));
                }
            })
            .response
            .accessible_name("季度")
    });
    *selected != before
}

/// Column widths that fit `available` points: the `natural` widths scaled down (not below 60%)
/// so that they and `fixed` points of other columns fit, and a key of the scale for the table's
/// id (egui_extras remembers widths per table id, so a narrower layout gets its own).
pub(crate) fn fitted_widths(available: f32, natural: &[f32], fixed: f32) -> (Vec<f32>, u32) {
    let sum: f32 = natural.iter().sum();
    let scale = if sum > 0.0 {
        ((available - fixed) / sum).clamp(0.6, 1.0)
    } else {
        1.0
    };
    let key = (scale * 20.0).floor() as u32;
    let scale = key as f32 / 20.0;
    (natural.iter().map(|w| (w * scale).floor()).collect(), key)
}

/// The years offered by pickers: those with records, this year and the plan's 2019, newest first.
pub(crate) fn year_choices(mut years: Vec<i32>, today: chrono::NaiveDate) -> Vec<i32> {
    use chrono::Datelike;
    years.push(today.year());
    years.push(2019);
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// The quarter a year's reminders are about: the latest quarter of `year` that has started by
/// `today` (Q4 for past years, Q1 for years not begun).
pub(crate) fn current_quarter(year: i32, today: chrono::NaiveDate) -> crate::domain::Quarter {
    use crate::domain::Quarter;
    use chrono::Datelike;
    match year.cmp(&today.year()) {
        std::cmp::Ordering::Less => Quarter { year, quarter: 4 },
        std::cmp::Ordering::Equal => Quarter::of(today),
        std::cmp::Ordering::Greater => Quarter { year, quarter: 1 },
    }
}

/// `9月30日` (month and day, for deadlines within the year shown).
pub(crate) fn month_day_text(date: chrono::NaiveDate) -> String {
    date.format("%-m月%-d日").to_string()
}

/// A picker of a quarter 1–4 (no 全年), named `季度`. Returns true when changed.
pub(crate) fn quarter_only_combo_ui(ui: &mut Ui, id_salt: &str, selected: &mut u8) -> bool {
    let before = *selected;
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(format!("第{selected}季度"))
        .width(80.0)
        .show_ui(ui, |ui| {
            for quarter in 1..=4u8 {
                ui.selectable_value(selected, quarter, format!("第{quarter}季度"));
            }
        })
        .response
        .accessible_name("季度");
    *selected != before
}

/// One fixed-width table cell: `text` left-aligned and truncated (full text on hover).
pub(crate) fn cell_ui(ui: &mut Ui, width: f32, text: impl Into<egui::WidgetText>) {
    ui.allocate_ui_with_layout(
        egui::vec2(width, ui.spacing().interact_size.y),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.set_max_width(width);
            ui.add(egui::Label::new(text).truncate());
        },
    );
}

/// The user's answer in a confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confirm {
    /// Still open.
    Pending,
    Yes,
    No,
}

/// A modal asking to confirm deleting `what` (Chinese description of the record).
pub(crate) fn confirm_delete_ui(ctx: &egui::Context, id_salt: &str, what: &str) -> Confirm {
    confirm_ui(
        ctx,
        ("confirm_delete", id_salt),
        "删除记录",
        &format!("确定要删除这条记录吗？\n{what}"),
        "删除后不能恢复。",
        "确认删除",
    )
}

/// A modal asking to confirm an action that cannot simply be undone: `heading`, the `question`,
/// a `warning` line and the buttons `yes` / 取消. Pending until answered; closing it is No.
pub(crate) fn confirm_ui(
    ctx: &egui::Context,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    heading: &str,
    question: &str,
    warning: &str,
    yes: &str,
) -> Confirm {
    let mut answer = Confirm::Pending;
    let modal = egui::Modal::new(egui::Id::unique(id_salt)).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading(heading);
        ui.add_space(6.0);
        ui.label(question);
        ui.label(RichText::new(warning).color(WARNING_COLOR));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(RichText::new(yes).color(ERROR_COLOR)).clicked() {
                answer = Confirm::Yes;
            }
            if ui.button("取消").clicked() {
                answer = Confirm::No;
            }
        });
    });
    if answer == Confirm::Pending && modal.should_close() {
        answer = Confirm::No;
    }
    answer
}

/// The closing of a record editor: `cancel_clicked` (its 取消) or Escape (unless Escape is
/// closing a dropdown or a dialog) closes it; when `has_changes`, a dialog first asks whether to
/// discard the typing (`confirming` keeps the question open across frames). Returns true when the
/// editor is to be closed now. Call after the editor's widgets, every frame the editor shows.
pub(crate) fn editor_close_ui(
    ui: &Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    cancel_clicked: bool,
    has_changes: bool,
    confirming: &mut bool,
) -> bool {
    let ctx = ui.ctx();
    let escape = ctx.memory(|m| m.top_modal_layer()).is_none()
        && !egui::Popup::is_any_open(ctx)
        && ui.input(|i| i.key_pressed(egui::Key::Escape));
    if cancel_clicked || escape {
        if !has_changes {
            return true;
        }
        *confirming = true;
    }
    if !*confirming {
        return false;
    }
    match confirm_ui(
        ctx,
        id_salt,
        "放弃修改",
        "关闭编辑并放弃已填写的内容吗？",
        "未保存的内容将丢失。",
        "放弃修改",
    ) {
        Confirm::Yes => true,
        Confirm::No => {
            *confirming = false;
            false
        }
        Confirm::Pending => false,
    }
}

/// A small weak note (for explanations next to controls).
pub(crate) fn note_ui(ui: &mut Ui, text: &str) {
    ui.label(RichText::new(text).weak());
}

/// The list of warnings of a record, one per line, in amber.
pub(crate) fn warnings_ui(ui: &mut Ui, warnings: &[String]) {
    for warning in warnings {
        ui.label(RichText::new(format!("提示：{warning}")).color(WARNING_COLOR));
    }
}

/// The 导入… button of the form tabs: opens the import window (file choice, preview, confirm).
pub(crate) fn import_button_ui(ui: &mut Ui, commands: &mut Vec<super::Command>) {
    if ui
        .button("导入…")
        .on_hover_text("导入乡镇、牵头单位报来的附件1/2/3（xlsx、xls、csv），先预览再写入")
        .clicked()
    {
        commands.push(super::Command::OpenImport);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_text_has_two_decimals() {
        assert_eq!(wan_text(Money::from_fen(9000)), "0.01");
        assert_eq!(wan_text(Money::from_fen(6_000_000_000)), "6000.00");
        assert_eq!(wan_text(Money::from_fen(1_000_000)), "1.00");
        assert_eq!(wan_text(Money::from_fen(1_500_000)), "1.50");
        assert_eq!(wan_short(Money::from_fen(6_000_000_000)), "6000");
    }

    #[test]
    fn fraction_is_clamped() {
        assert_eq!(fraction(Money::from_fen(200), Money::from_fen(100)), 1.0);
        assert_eq!(fraction(Money::from_fen(50), Money::from_fen(100)), 0.5);
        assert_eq!(fraction(Money::from_fen(50), Money::ZERO), 0.0);
    }
}
