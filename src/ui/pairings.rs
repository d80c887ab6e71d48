//! Two sections of the 基础信息 tab: 百企帮百村 (R11, 四(三): the registry of enterprise–village
//! pairings, at most 100, with each pairing's purchases of a year) and 工会进家庭 (R10, 四(一)5:
//! each union's member count, its 500元-per-member standard, its purchases and the gap).
//! Reads through typed store functions; changes go out as [`Command`]s.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{
    Confirm, ERROR_COLOR, OK_COLOR, WARNING_COLOR, confirm_delete_ui, note_ui, township_combo_ui,
    year_choices, year_combo_ui, yuan_text,
};
use super::{Command, Shared};
use crate::domain::ReportDate;
use crate::store::{
    MAX_ENTERPRISE_PAIRINGS, PairingDraft, PairingPurchases, UNION_STANDARD_YUAN_PER_MEMBER,
    UnionPurchases,
};

/// Rows of one year read from the store, read again only when the ledger's data or the chosen
/// year changed (not every frame).
struct YearRows<T> {
    /// (data version, year) the rows were read for; `None` before the first read.
    read_for: Option<(u64, i32)>,
    rows: Vec<T>,
}

impl<T> Default for YearRows<T> {
    fn default() -> Self {
        YearRows {
            read_for: None,
            rows: Vec::new(),
        }
    }
}

impl<T> YearRows<T> {
    /// Reads the rows again when stale. A failure becomes an error command (`failure` names
    /// what could not be read) and leaves no rows. Returns true when the rows were read again.
    fn refresh(
        &mut self,
        shared: &Shared<'_>,
        year: i32,
        failure: &str,
        commands: &mut Vec<Command>,
        read: impl FnOnce() -> crate::store::StoreResult<Vec<T>>,
    ) -> bool {
        if self.read_for == Some((shared.data_version, year)) {
            return false;
        }
        self.rows = read().unwrap_or_else(|e| {
            commands.push(Command::Error(format!("{failure}：{e}")));
            Vec::new()
        });
        self.read_for = Some((shared.data_version, year));
        true
    }
}

/// The pairing form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PairingForm {
    /// The pairing being edited; `None` for a new one.
    id: Option<i64>,
    enterprise: String,
    township: Option<String>,
    village: String,
    contact: String,
    phone: String,
    paired_on: String,
}

impl PairingForm {
    /// The draft, or a Chinese message naming what is missing or unreadable.
    fn draft(&self, today: chrono::NaiveDate) -> Result<PairingDraft, String> {
        if self.enterprise.trim().is_empty() {
            return Err("请填写企业名称".to_string());
        }
        let Some(township) = self.township.clone() else {
            return Err("请选择帮扶村所在乡镇(街道)".to_string());
        };
        if self.village.trim().is_empty() {
            return Err("请填写帮扶村名称".to_string());
        }
        let paired_on = if self.paired_on.trim().is_empty() {
            return Err("请填写结对日期，如 2019.3.1".to_string());
        } else {
            ReportDate::parse(&self.paired_on, Some(today))
                .map_err(|e| format!("结对日期：{e}"))?
                .value
                .date
        };
        Ok(PairingDraft {
            enterprise: self.enterprise.trim().to_string(),
            township_code: township,
            village: self.village.trim().to_string(),
            contact: self.contact.trim().to_string(),
            phone: self.phone.trim().to_string(),
            paired_on,
        })
    }
}

/// The 百企帮百村 section.
pub(crate) struct EnterprisesSection {
    year: i32,
    years: Option<(u64, Vec<i32>)>,
    rows: YearRows<PairingPurchases>,
    form: PairingForm,
    form_error: Option<String>,
    confirm_delete: Option<(i64, String)>,
}

impl EnterprisesSection {
    /// The section, showing purchases of `year`.
    pub(crate) fn new(year: i32) -> Self {
        Self {
            year,
            years: None,
            rows: YearRows::default(),
            form: PairingForm::default(),
            form_error: None,
            confirm_delete: None,
        }
    }

    /// A pairing was saved: the form is cleared.
    pub(crate) fn saved(&mut self) {
        self.form = PairingForm::default();
        self.form_error = None;
    }

    /// Draws the section.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        refresh_years(&mut self.years, shared);
        let year = self.year;
        self.rows.refresh(
            shared,
            year,
            "读取百企帮百村结对失败",
            commands,
            || shared.store.enterprise_pairing_purchases(year),
        );
        let rows = self.rows.rows.clone();

        if let Some((id, what)) = &self.confirm_delete {
            match confirm_delete_ui(ui.ctx(), "pairing", what) {
                Confirm::Pending => {}
                Confirm::Yes => {
                    commands.push(Command::DeletePairing { id: *id });
                    if self.form.id == Some(*id) {
                        self.form = PairingForm::default();
                    }
                    self.confirm_delete = None;
                }
                Confirm::No => self.confirm_delete = None,
            }
        }

        ui.horizontal_wrapped(|ui| {
            let years = self
                .years
                .as_ref()
                .map(|(_, y)| y.clone())
                .unwrap_or_default();
            let mut year = Some(self.year);
            if year_combo_ui(ui, "pairing_year", "采购年度", &mut year, &years, None)
                && let Some(year) = year
            {
                self.year = year;
            }
            let full = rows.len() as i64 >= MAX_ENTERPRISE_PAIRINGS;
            let count = RichText::new(format!(
                "已结对 {} / {MAX_ENTERPRISE_PAIRINGS} 对",
                rows.len()
            ))
            .strong();
            ui.label(if full {
                count.color(WARNING_COLOR)
            } else {
                count
            });
            let village_total: crate::domain::Money =
                rows.iter().map(|r| r.village_purchases).sum();
            ui.label(format!(
                "{}年从结对村采购合计 {} 元",
                self.year,
                yuan_text(village_total)
            ));
        });
        note_ui(
            ui,
            "“百企帮百村”：100家民营企业结对100个贫困村（方案四(三)）。“从结对村采购”只计该企业作为采购单位、且地区为结对村的记录；附件3中与附件2为同一笔的只计一次。",
        );
        ui.separator();
        self.form_ui(ui, shared, commands, rows.len() as i64);
        ui.separator();
        if rows.is_empty() {
            note_ui(ui, "尚无结对企业");
            return;
        }
        self.table_ui(ui, &rows);
    }

    fn form_ui(
        &mut self,
        ui: &mut Ui,
        shared: &Shared<'_>,
        commands: &mut Vec<Command>,
        count: i64,
    ) {
        let editing = self.form.id.is_some();
        ui.label(
            RichText::new(if editing {
                "修改结对"
            } else {
                "新增结对"
            })
            .strong(),
        );
        ui.horizontal_wrapped(|ui| {
            text_field_ui(
                ui,
                "企业名称",
                &mut self.form.enterprise,
                "如 重庆某某农业开发有限公司",
                230.0,
            );
            township_combo_ui(
                ui,
                "pairing_township",
                "帮扶村所在乡镇",
                &mut self.form.township,
                shared.townships,
                "请选择",
            );
            text_field_ui(ui, "帮扶村", &mut self.form.village, "如 三坪村", 100.0);
        });
        ui.horizontal_wrapped(|ui| {
            text_field_ui(ui, "联系人", &mut self.form.contact, "可不填", 80.0);
            text_field_ui(ui, "联系电话", &mut self.form.phone, "可不填", 110.0);
            text_field_ui(
                ui,
                "结对日期",
                &mut self.form.paired_on,
                "如 2019.3.1",
                90.0,
            );
            let full = !editing && count >= MAX_ENTERPRISE_PAIRINGS;
            let label = if editing {
                "保存修改"
            } else {
                "添加结对"
            };
            let response = ui
                .add_enabled(!full, egui::Button::new(RichText::new(label).strong()))
                .on_disabled_hover_text("已达100对，请先删除不再结对的记录");
            if response.clicked() {
                match self.form.draft(shared.today) {
                    Ok(draft) => {
                        self.form_error = None;
                        commands.push(Command::SavePairing {
                            id: self.form.id,
                            draft,
                        });
                    }
                    Err(message) => self.form_error = Some(message),
                }
            }
            if (editing || self.form != PairingForm::default()) && ui.button("取消").clicked() {
                self.form = PairingForm::default();
                self.form_error = None;
            }
        });
        if let Some(error) = &self.form_error {
            ui.label(RichText::new(error).color(ERROR_COLOR));
        }
        if !editing && count >= MAX_ENTERPRISE_PAIRINGS {
            ui.label(
                RichText::new("已结对100对（方案数量），不能再添加；可修改或删除已有结对。")
                    .color(WARNING_COLOR),
            );
        }
    }

    fn table_ui(&mut self, ui: &mut Ui, rows: &[PairingPurchases]) {
        let row_height = ui.spacing().interact_size.y + 6.0;
        TableBuilder::new(ui)
            .id_salt("pairing_table")
            .striped(true)
            .resizable(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .auto_shrink([false, false])
            .column(Column::exact(40.0))
            .column(Column::initial(230.0).at_least(120.0).clip(true))
            .column(Column::initial(190.0).clip(true))
            .column(Column::initial(90.0).clip(true))
            .column(Column::initial(110.0).clip(true))
            .column(Column::initial(90.0))
            .column(Column::initial(130.0))
            .column(Column::initial(130.0))
            .column(Column::remainder())
            .header(row_height, |mut header| {
                for title in [
                    "序号",
                    "企业名称",
                    "帮扶村",
                    "联系人",
                    "联系电话",
                    "结对日期",
                    "从结对村采购(元)",
                    "企业全年采购(元)",
                    "操作",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, rows.len(), |mut row| {
                    let Some(r) = rows.get(row.index()) else {
                        return;
                    };
                    let p = &r.pairing;
                    let number = row.index() + 1;
                    row.col(|ui| {
                        ui.label(number.to_string());
                    });
                    row.col(|ui| {
                        ui.label(&p.enterprise).on_hover_text(&p.enterprise);
                    });
                    row.col(|ui| {
                        let text = format!(
                            "{}{}{}",
                            p.township,
                            p.village,
                            if p.deep_poverty { "（深）" } else { "" }
                        );
                        ui.label(&text).on_hover_text(&text);
                    });
                    row.col(|ui| {
                        ui.label(&p.contact);
                    });
                    row.col(|ui| {
                        ui.label(&p.phone);
                    });
                    row.col(|ui| {
                        ui.label(p.paired_on.format("%Y.%-m.%-d").to_string());
                    });
                    row.col(|ui| {
                        let text = RichText::new(yuan_text(r.village_purchases));
                        ui.label(if r.village_records == 0 {
                            text.color(WARNING_COLOR)
                        } else {
                            text
                        })
                        .on_hover_text(format!("{}笔", r.village_records));
                    });
                    row.col(|ui| {
                        ui.label(yuan_text(r.enterprise_total))
                            .on_hover_text(format!("{}笔", r.enterprise_records));
                    });
                    row.col(|ui| {
                        if ui
                            .small_button("修改")
                            .accessible_name(format!("修改结对 {} {}", p.enterprise, p.village))
                            .clicked()
                        {
                            self.form = PairingForm {
                                id: Some(p.id),
                                enterprise: p.enterprise.clone(),
                                township: Some(p.township_code.clone()),
                                village: p.village.clone(),
                                contact: p.contact.clone(),
                                phone: p.phone.clone(),
                                paired_on: p.paired_on.format("%Y.%-m.%-d").to_string(),
                            };
                            self.form_error = None;
                        }
                        if ui
                            .small_button("删除")
                            .accessible_name(format!("删除结对 {} {}", p.enterprise, p.village))
                            .clicked()
                        {
                            self.confirm_delete = Some((
                                p.id,
                                format!("结对：{} — {}{}", p.enterprise, p.township, p.village),
                            ));
                        }
                    });
                });
            });
    }
}

/// The 工会进家庭 section.
pub(crate) struct UnionsSection {
    year: i32,
    years: Option<(u64, Vec<i32>)>,
    rows: YearRows<UnionPurchases>,
    /// Member counts as typed, per purchaser id.
    edits: std::collections::HashMap<i64, String>,
}

impl UnionsSection {
    /// The section, showing purchases of `year`.
    pub(crate) fn new(year: i32) -> Self {
        Self {
            year,
            years: None,
            rows: YearRows::default(),
            edits: std::collections::HashMap::new(),
        }
    }

    /// Draws the section.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        refresh_years(&mut self.years, shared);
        let year = self.year;
        let read_again = self.rows.refresh(
            shared,
            year,
            "读取工会采购情况失败",
            commands,
            || shared.store.union_purchases(year),
        );
        if read_again {
            // Typed counts that were saved are read again from the store.
            let rows = &self.rows.rows;
            self.edits.retain(|id, text| {
                rows.iter().any(|r| {
                    r.purchaser_id == *id
                        && r.member_count.map(|n| n.to_string()).unwrap_or_default() != text.trim()
                })
            });
        }
        let rows = self.rows.rows.clone();
        ui.horizontal_wrapped(|ui| {
            let years = self
                .years
                .as_ref()
                .map(|(_, y)| y.clone())
                .unwrap_or_default();
            let mut year = Some(self.year);
            if year_combo_ui(ui, "union_year", "年度", &mut year, &years, None)
                && let Some(year) = year
            {
                self.year = year;
            }
            let standard: crate::domain::Money = rows.iter().filter_map(|r| r.expected).sum();
            let gap: crate::domain::Money = rows.iter().filter_map(|r| r.gap()).sum();
            ui.label(format!(
                "标准合计 {} 元，尚差 {} 元",
                yuan_text(standard),
                yuan_text(gap)
            ));
        });
        note_ui(
            ui,
            &format!(
                "工会经费原则上按人均{UNION_STANDARD_YUAN_PER_MEMBER}元标准直购贫困户农特产品（方案四(一)5）。采购单位类型为“工会”的单位列于此；采购额只计该工会作为采购单位的记录（同一笔只计一次）。"
            ),
        );
        ui.separator();
        if rows.is_empty() {
            note_ui(
                ui,
                "尚无工会：在“采购单位类型”中把单位的类型设为“工会”后即列于此。",
            );
            return;
        }
        let row_height = ui.spacing().interact_size.y + 6.0;
        TableBuilder::new(ui)
            .id_salt("union_table")
            .striped(true)
            .resizable(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .auto_shrink([false, false])
            .column(Column::initial(260.0).at_least(120.0).clip(true))
            .column(Column::initial(190.0))
            .column(Column::initial(130.0))
            .column(Column::initial(130.0))
            .column(Column::initial(130.0))
            .column(Column::remainder())
            .header(row_height, |mut header| {
                for title in [
                    "工会",
                    "会员人数",
                    "标准(元)",
                    "已采购(元)",
                    "差额(元)",
                    "完成",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, rows.len(), |mut row| {
                    let Some(u) = rows.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        ui.label(&u.name).on_hover_text(&u.name);
                    });
                    row.col(|ui| {
                        self.members_ui(ui, u, commands);
                    });
                    row.col(|ui| match u.expected {
                        Some(expected) => {
                            ui.label(yuan_text(expected));
                        }
                        None => {
                            ui.label(RichText::new("未填人数").weak());
                        }
                    });
                    row.col(|ui| {
                        ui.label(yuan_text(u.purchased))
                            .on_hover_text(format!("{}笔", u.records));
                    });
                    row.col(|ui| match u.gap() {
                        Some(gap) if gap.yuan().is_zero() => {
                            ui.label(RichText::new("已达标").color(OK_COLOR));
                        }
                        Some(gap) => {
                            ui.label(RichText::new(yuan_text(gap)).color(WARNING_COLOR));
                        }
                        None => {
                            ui.label(RichText::new("—").weak());
                        }
                    });
                    row.col(|ui| match u.percent() {
                        Some(percent) => {
                            ui.label(format!("{percent:.1}%"));
                        }
                        None => {
                            ui.label(RichText::new("—").weak());
                        }
                    });
                });
            });
    }

    /// The member-count field of one union with its 保存 button.
    fn members_ui(&mut self, ui: &mut Ui, u: &UnionPurchases, commands: &mut Vec<Command>) {
        let edit = self
            .edits
            .entry(u.purchaser_id)
            .or_insert_with(|| u.member_count.map(|n| n.to_string()).unwrap_or_default());
        let response = ui
            .add(
                egui::TextEdit::singleline(edit)
                    .desired_width(70.0)
                    .hint_text("人数"),
            )
            .accessible_name(format!("{} 会员人数", u.name));
        let text = edit.trim().to_string();
        let parsed: Option<Option<i64>> = if text.is_empty() {
            Some(None)
        } else {
            text.parse::<i64>()
                .ok()
                .filter(|n| (0..=10_000_000).contains(n))
                .map(Some)
        };
        match parsed {
            None => {
                ui.label(RichText::new("应为人数").color(ERROR_COLOR));
            }
            Some(count) if count != u.member_count => {
                if ui
                    .small_button("保存")
                    .accessible_name(format!("保存 {} 会员人数", u.name))
                    .clicked()
                    || (response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)))
                {
                    commands.push(Command::SetUnionMembers {
                        id: u.purchaser_id,
                        name: u.name.clone(),
                        member_count: count,
                    });
                }
            }
            Some(_) => {}
        }
    }
}

fn refresh_years(years: &mut Option<(u64, Vec<i32>)>, shared: &Shared<'_>) {
    if years
        .as_ref()
        .is_none_or(|(v, _)| *v != shared.data_version)
    {
        let list = year_choices(shared.store.sale_years().unwrap_or_default(), shared.today);
        *years = Some((shared.data_version, list));
    }
}

/// A label and a single-line text field labelled by it.
fn text_field_ui(ui: &mut Ui, label: &str, value: &mut String, hint: &str, width: f32) {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(width),
    )
    .labelled_by(label.id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_dates_and_requires_the_village() {
        let today = chrono::NaiveDate::from_ymd_opt(2019, 12, 1).unwrap();
        let mut form = PairingForm {
            enterprise: " 某公司 ".into(),
            township: Some("500235139".into()),
            village: "三坪村".into(),
            paired_on: "2019.3.1".into(),
            ..Default::default()
        };
        let draft = form.draft(today).unwrap();
        assert_eq!(draft.enterprise, "某公司");
        assert_eq!(
            draft.paired_on,
            chrono::NaiveDate::from_ymd_opt(2019, 3, 1).unwrap()
        );
        form.village = " ".into();
        assert!(form.draft(today).unwrap_err().contains("帮扶村"));
        form.village = "三坪村".into();
        form.paired_on = "不详".into();
        assert!(form.draft(today).unwrap_err().contains("结对日期"));
    }
}
