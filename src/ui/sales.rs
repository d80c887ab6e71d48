//! The 销售情况 (附件2) and 采购情况 (附件3) tabs: one implementation parameterised by
//! [`FormKind`]. A filter bar (乡镇, 年度/季度, 查找, 仅看有提示的), the count and total of what
//! is shown, the table (only visible rows are fetched), an editor side panel with validation
//! messages next to each field and the channel override, the payment (已付款, 付款日期; R12) of a
//! stored record, delete with confirmation, and 导出Excel.

use egui::{RichText, Ui};

use super::export::ExportPanel;
use super::records::{RowAction, SaleList, TableOptions, sale_table_ui};
use super::widgets::{
    Confirm, ERROR_COLOR, WARNING_COLOR, confirm_delete_ui, editor_close_ui, field_row_ui,
    import_button_ui, note_ui, quarter_combo_ui, submits, township_combo_ui, wan_text, warnings_ui,
    year_choices, year_combo_ui, yuan_text,
};
use super::{Command, Shared};
use crate::domain::sale::{FieldErrors, FormKind, SaleDraft, SaleField, SaleRecord, validate_sale};
use crate::domain::{Channel, DatePrecision, PurchaserType, ReportDate, SubChannel};
use crate::forms::ExportRequest;
use crate::store::{SaleFilter, SaleRow, Store};

/// The filter controls of a form tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FilterState {
    pub township: Option<String>,
    pub year: Option<i32>,
    pub quarter: Option<u8>,
    /// The text as typed in 查找.
    pub text: String,
    /// The text the list is filtered by: [`Self::text`] once typing paused ([`TEXT_DELAY`]) or
    /// Enter was pressed, so a long list is not searched again on every keystroke.
    pub applied_text: String,
    pub warnings_only: bool,
}

/// Seconds after the last keystroke in 查找 before the list is searched.
const TEXT_DELAY: f64 = 0.4;

/// A channel override chosen in the editor: `None` = by the purchaser's type (automatic).
type ChannelChoice = Option<(Channel, Option<SubChannel>)>;

/// `五进对接直销/进机关` or `爱心企业订销`.
pub(crate) fn channel_pair_text(channel: Channel, sub: Option<SubChannel>) -> String {
    match sub {
        Some(sub) => format!("{}/{}", channel.name(), sub.name()),
        None => channel.name().to_string(),
    }
}

/// Every choice of the 销售方式 combo after the automatic one: each sub-channel, and each channel
/// that has no sub-channels.
fn channel_choices() -> Vec<(Channel, Option<SubChannel>)> {
    let mut choices = Vec::new();
    for channel in Channel::ALL {
        if channel.sub_channels().is_empty() {
            choices.push((channel, None));
        } else {
            choices.extend(
                channel
                    .sub_channels()
                    .iter()
                    .map(|sub| (channel, Some(*sub))),
            );
        }
    }
    choices
}

/// The hint next to 采购单位: the purchaser's (suggested) type and the channel it gives.
pub(crate) fn purchaser_hint(purchaser_type: Option<PurchaserType>, confirmed: bool) -> String {
    match purchaser_type {
        Some(t) => {
            let (channel, sub) = t.channel();
            let state = if confirmed {
                "已确认"
            } else {
                "建议，待确认"
            };
            format!(
                "类型：{}（{state}）→ {}",
                t.name(),
                channel_pair_text(channel, sub)
            )
        }
        None => {
            "类型：未知 → 未分类（请在“基础信息”中设置类型，或在下面手动选择销售方式）".to_string()
        }
    }
}

/// The record being added or edited.
struct SaleEditor {
    id: Option<i64>,
    /// The stored record as opened (`None` for a new one): saving is refused when the ledger's
    /// record has changed since.
    opened: Option<SaleRecord>,
    /// The record of the other form paired with this one as the same sale, if any.
    paired_with: Option<i64>,
    draft: SaleDraft,
    channel: ChannelChoice,
    /// Set by the first 保存 attempt: from then on empty required fields are reported too.
    save_attempted: bool,
    /// The draft last validated and the outcome (validation runs only when the draft changes).
    validated: Option<(SaleDraft, Result<SaleRecord, FieldErrors>)>,
    /// The purchaser name the hint was computed for, and the hint.
    hint: Option<(String, String)>,
    /// The save was sent to the app; waiting for the outcome.
    saving: bool,
    /// 已付款 and 付款日期 (as typed) of a stored record (R12).
    paid: bool,
    paid_date: String,
    /// The payment as stored, to tell whether it was changed.
    stored_paid: (bool, Option<chrono::NaiveDate>),
    /// The fields as opened, to tell whether closing loses typing.
    initial: (SaleDraft, ChannelChoice, bool, String),
    /// 取消 or Escape was pressed with changes typed: asking whether to discard them.
    confirming_close: bool,
}

impl SaleEditor {
    fn new_record() -> Self {
        Self {
            id: None,
            opened: None,
            paired_with: None,
            draft: SaleDraft::default(),
            channel: None,
            save_attempted: false,
            validated: None,
            hint: None,
            saving: false,
            paid: false,
            paid_date: String::new(),
            stored_paid: (false, None),
            initial: (SaleDraft::default(), None, false, String::new()),
            confirming_close: false,
        }
    }

    /// An editor of a stored record. The editor validates with today as 填报时间 and no header
    /// units, so a text that needed its file's context (`9月28日` and 填报时间, `30` under
    /// `销售数量（公斤）`, `0.0215` under `销售金额（万元）`) is shown in full: saving the record
    /// unchanged must not move it to this year or change its quantity or amount.
    fn from_row(row: &SaleRow) -> Self {
        let r = &row.record;
        let (_, quantity_column, _) = r.kind.column_names();
        let mut editor = Self {
            id: Some(row.id),
            opened: Some(row.record.clone()),
            paired_with: None,
            draft: SaleDraft {
                purchaser: r.purchaser.clone(),
                date: r
                    .date
                    .text_without_context(&r.date_text)
                    .unwrap_or_else(|| r.date_text.clone()),
                region: r.region_text.clone(),
                household: r.household.clone(),
                product: r.product.clone(),
                quantity: r
                    .quantity
                    .text_without_context(&r.quantity_text, quantity_column)
                    .unwrap_or_else(|| r.quantity_text.clone()),
                amount: r
                    .amount
                    .text_without_context(&r.amount_text)
                    .unwrap_or_else(|| r.amount_text.clone()),
                remark: r.remark.clone(),
            },
            channel: r.channel_override,
            save_attempted: false,
            validated: None,
            hint: None,
            saving: false,
            paid: row.paid,
            paid_date: row.paid_date.map(date_text).unwrap_or_default(),
            stored_paid: (row.paid, row.paid_date),
            initial: (SaleDraft::default(), None, false, String::new()),
            confirming_close: false,
        };
        editor.initial = editor.current();
        editor
    }

    /// What the clerk can change in the editor: the fields, the channel, 已付款 and 付款日期.
    fn current(&self) -> (SaleDraft, ChannelChoice, bool, String) {
        (
            self.draft.clone(),
            self.channel,
            self.paid,
            self.paid_date.clone(),
        )
    }

    /// Whether closing now would lose something typed since the editor opened (compared in
    /// place: this runs every frame).
    fn has_changes(&self) -> bool {
        let (draft, channel, paid, paid_date) = &self.initial;
        self.draft != *draft
            || self.channel != *channel
            || self.paid != *paid
            || self.paid_date != *paid_date
    }

    /// The payment as entered: (paid, date), or a Chinese message when the date is unreadable.
    fn payment(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<(bool, Option<chrono::NaiveDate>), String> {
        if !self.paid {
            return Ok((false, None));
        }
        let text = self.paid_date.trim();
        if text.is_empty() {
            return Ok((true, None));
        }
        let parsed = ReportDate::parse(text, Some(today)).map_err(|e| e.to_string())?;
        let date = parsed.value;
        if date.precision != DatePrecision::Day {
            return Err("付款日期请填到日，如 2019.10.8".to_string());
        }
        if date.date > today {
            return Err(format!("付款日期“{text}”晚于今天"));
        }
        Ok((true, Some(date.date)))
    }
}

/// `2019.10.8`.
fn date_text(date: chrono::NaiveDate) -> String {
    date.format("%Y.%-m.%-d").to_string()
}

/// One of the two sales tabs.
pub(crate) struct SalesTab {
    kind: FormKind,
    filter: FilterState,
    /// When 查找 was last edited (egui time), while its text is not applied yet.
    text_edited_at: Option<f64>,
    years: Option<(u64, Vec<i32>)>,
    list: SaleList,
    editor: Option<SaleEditor>,
    confirm_delete: Option<(i64, String)>,
    /// The export window and job of this tab.
    pub(crate) export: ExportPanel,
}

impl SalesTab {
    /// The tab of 附件2 ([`FormKind::Sale`]) or 附件3 ([`FormKind::Procurement`]).
    pub(crate) fn new(kind: FormKind) -> Self {
        Self {
            kind,
            filter: FilterState::default(),
            text_edited_at: None,
            years: None,
            list: SaleList::default(),
            editor: None,
            confirm_delete: None,
            export: ExportPanel::new(),
        }
    }

    fn sale_filter(&self) -> SaleFilter {
        SaleFilter {
            form: Some(self.kind),
            township_code: self.filter.township.clone(),
            year: self.filter.year,
            quarter: self.filter.year.and(self.filter.quarter),
            with_warnings_only: self.filter.warnings_only,
            text: self.filter.applied_text.trim().to_string(),
            ..Default::default()
        }
    }

    /// Opens record `id` in the editor (from the 明细 window or a row's 编辑).
    pub(crate) fn edit(&mut self, store: &Store, id: i64) -> Result<(), String> {
        let row = store.sale(id).map_err(|e| e.to_string())?;
        let mut editor = SaleEditor::from_row(&row);
        editor.paired_with = store.same_sale_partner(id).map_err(|e| e.to_string())?;
        self.editor = Some(editor);
        Ok(())
    }

    /// The app saved the editor's record as `id`: close the editor.
    pub(crate) fn saved(&mut self, _id: i64) {
        self.editor = None;
    }

    /// The app could not save: keep the editor open for corrections.
    pub(crate) fn save_failed(&mut self) {
        if let Some(editor) = &mut self.editor {
            editor.saving = false;
        }
    }

    /// The app stored the payment of record `id`.
    pub(crate) fn paid_saved(&mut self, id: i64, paid: bool, paid_date: Option<chrono::NaiveDate>) {
        if let Some(editor) = self.editor.as_mut().filter(|e| e.id == Some(id)) {
            editor.stored_paid = (paid, paid_date);
        }
    }

    /// The app deleted record `id`.
    pub(crate) fn deleted(&mut self, id: i64) {
        if self.editor.as_ref().is_some_and(|e| e.id == Some(id)) {
            self.editor = None;
        }
    }

    /// Draws the tab.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let filter = self.sale_filter();
        if let Err(e) = self
            .list
            .refresh(shared.store, &filter, shared.data_version)
        {
            commands.push(Command::Error(format!(
                "读取{}记录失败：{e}",
                self.kind.label()
            )));
        }
        if self
            .years
            .as_ref()
            .is_none_or(|(v, _)| *v != shared.data_version)
        {
            let years = shared.store.sale_years().unwrap_or_default();
            self.years = Some((shared.data_version, year_choices(years, shared.today)));
        }
        self.export.window_ui(ui.ctx(), shared.townships, commands);
        self.confirm_delete_ui(ui.ctx(), commands);

        self.filter_bar_ui(ui, shared);
        self.summary_bar_ui(ui, shared, commands);
        ui.separator();

        if self.editor.is_some() {
            egui::Panel::right(("sale_editor", self.kind.number()))
                .resizable(true)
                .default_size(400.0)
                .size_range(320.0..=560.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            self.editor_ui(ui, shared, commands);
                        });
                });
        }
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let options = TableOptions {
                show_form: false,
                allow_delete: true,
                editing: self.editor.as_ref().and_then(|e| e.id),
                compact: self.editor.is_some(),
                id_salt: if self.kind == FormKind::Sale {
                    "sale_table"
                } else {
                    "procurement_table"
                },
            };
            match sale_table_ui(ui, shared, &mut self.list, self.kind, &options, commands) {
                Some(RowAction::Edit(id)) => {
                    if let Err(e) = self.edit(shared.store, id) {
                        commands.push(Command::Error(format!("无法打开记录：{e}")));
                    }
                }
                Some(RowAction::Delete(id)) => match shared.store.sale(id) {
                    Ok(row) => {
                        let r = &row.record;
                        let what = format!(
                            "{} {} {} {} {} {}元（{}）",
                            r.date_text,
                            r.purchaser,
                            r.region_text,
                            r.household,
                            r.product,
                            yuan_text(r.amount),
                            self.kind.label()
                        );
                        self.confirm_delete = Some((id, what));
                    }
                    Err(e) => commands.push(Command::Error(format!("无法读取记录：{e}"))),
                },
                None => {}
            }
        });
    }

    fn filter_bar_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>) {
        let id = self.kind.number();
        ui.horizontal_wrapped(|ui| {
            township_combo_ui(
                ui,
                &format!("sale_filter_township_{id}"),
                "乡镇",
                &mut self.filter.township,
                shared.townships,
                "全部乡镇",
            );
            ui.add_space(8.0);
            let years = self
                .years
                .as_ref()
                .map(|(_, y)| y.clone())
                .unwrap_or_default();
            year_combo_ui(
                ui,
                &format!("sale_filter_year_{id}"),
                "年度",
                &mut self.filter.year,
                &years,
                Some("全部年份"),
            );
            let has_year = self.filter.year.is_some();
            quarter_combo_ui(
                ui,
                &format!("sale_filter_quarter_{id}"),
                &mut self.filter.quarter,
                has_year,
            );
            ui.add_space(8.0);
            let label = ui.label("查找");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.filter.text)
                        .hint_text("采购单位、地区、姓名、品种、备注")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            let now = ui.input(|i| i.time);
            if response.changed() {
                self.text_edited_at = Some(now);
            }
            let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if let Some(edited) = self.text_edited_at {
                let waited = now - edited;
                if entered || waited >= TEXT_DELAY {
                    self.filter.applied_text = self.filter.text.clone();
                    self.text_edited_at = None;
                } else {
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_secs_f64(
                            TEXT_DELAY - waited,
                        ));
                }
            }
            ui.checkbox(&mut self.filter.warnings_only, "仅看有提示的");
            if self.filter != FilterState::default() && ui.button("清除筛选").clicked() {
                self.filter = FilterState::default();
                self.text_edited_at = None;
            }
        });
    }

    fn summary_bar_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let (count, total) = self.list.totals();
            ui.label(
                RichText::new(format!(
                    "共 {count} 条，金额合计 {} 元（{} 万元）",
                    yuan_text(total),
                    wan_text(total)
                ))
                .strong(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                import_button_ui(ui, commands);
                let request = ExportRequest {
                    kind: self.kind,
                    township_code: self.filter.township.clone(),
                    year: self.filter.year,
                    quarter: self.filter.year.and(self.filter.quarter),
                };
                self.export
                    .button_ui(ui, request, shared.townships, commands);
                let add_label = if self.kind == FormKind::Sale {
                    "新增销售记录"
                } else {
                    "新增采购记录"
                };
                if ui.button(add_label).clicked() {
                    self.editor = Some(SaleEditor::new_record());
                }
            });
        });
    }

    fn confirm_delete_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some((id, what)) = &self.confirm_delete else {
            return;
        };
        match confirm_delete_ui(ctx, &format!("sale_{}", self.kind.number()), what) {
            Confirm::Pending => {}
            Confirm::Yes => {
                commands.push(Command::DeleteSale {
                    id: *id,
                    kind: self.kind,
                });
                self.confirm_delete = None;
            }
            Confirm::No => self.confirm_delete = None,
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let kind = self.kind;
        let Some(editor) = &mut self.editor else {
            return;
        };
        let (date_col, qty_col, amount_col) = kind.column_names();
        let title = match (editor.id, kind) {
            (None, FormKind::Procurement) => "新增采购记录（附件3）".to_string(),
            (None, _) => "新增销售记录（附件2）".to_string(),
            (Some(id), _) => format!("编辑记录（{}，编号 {id}）", kind.label()),
        };
        ui.heading(title);
        ui.add_space(4.0);

        // Validate only when the draft changed.
        if editor
            .validated
            .as_ref()
            .is_none_or(|(d, _)| *d != editor.draft)
        {
            let outcome = validate_sale(&editor.draft, kind, shared.resolver, Some(shared.today));
            editor.validated = Some((editor.draft.clone(), outcome));
        }
        // The purchaser hint, only when the name changed.
        let purchaser = editor.draft.purchaser.trim().to_string();
        if editor
            .hint
            .as_ref()
            .is_none_or(|(name, _)| *name != purchaser)
        {
            let hint = if purchaser.is_empty() {
                String::new()
            } else {
                match shared.store.purchaser_type_for(&purchaser) {
                    Ok((purchaser_type, confirmed)) => purchaser_hint(purchaser_type, confirmed),
                    Err(e) => format!("无法读取采购单位类型：{e}"),
                }
            };
            editor.hint = Some((purchaser, hint));
        }

        let errors: Vec<(SaleField, String)> = match &editor.validated {
            Some((_, Err(errors))) => errors.clone(),
            _ => Vec::new(),
        };
        let draft_snapshot = editor.draft.clone();
        let show_all = editor.save_attempted;
        let error_for = |field: SaleField| -> Option<String> {
            let typed = match field {
                SaleField::Purchaser => &draft_snapshot.purchaser,
                SaleField::Date => &draft_snapshot.date,
                SaleField::Region => &draft_snapshot.region,
                SaleField::Household => &draft_snapshot.household,
                SaleField::Product => &draft_snapshot.product,
                SaleField::Quantity => &draft_snapshot.quantity,
                SaleField::Amount => &draft_snapshot.amount,
                SaleField::Remark => &draft_snapshot.remark,
            };
            if !show_all && typed.trim().is_empty() {
                return None;
            }
            errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
        };
        let hint_text = editor
            .hint
            .as_ref()
            .map(|(_, h)| h.clone())
            .filter(|h| !h.is_empty());

        let submitted = egui::Grid::new(("sale_editor_grid", kind.number()))
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let d = &mut editor.draft;
                // Enter in a field saves, as in an office form.
                let mut submitted = false;
                submitted |= submits(&field_row_ui(
                    ui,
                    "采购单位",
                    &mut d.purchaser,
                    "如 云阳县商务委",
                    error_for(SaleField::Purchaser).as_deref(),
                    hint_text.as_deref(),
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    date_col,
                    &mut d.date,
                    "如 2019.9.1",
                    error_for(SaleField::Date).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "地区",
                    &mut d.region,
                    "如 云阳县泥溪镇三坪村",
                    error_for(SaleField::Region).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "贫困户姓名",
                    &mut d.household,
                    "姓名或合作社名称",
                    error_for(SaleField::Household).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "产品品种",
                    &mut d.product,
                    "如 土豆",
                    error_for(SaleField::Product).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    qty_col,
                    &mut d.quantity,
                    "如 30斤",
                    error_for(SaleField::Quantity).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    amount_col,
                    &mut d.amount,
                    "如 90元",
                    error_for(SaleField::Amount).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "备注",
                    &mut d.remark,
                    "合作社请注明涉及贫困户数",
                    error_for(SaleField::Remark).as_deref(),
                    None,
                ));

                let label = ui.label("销售方式");
                let selected_text = match editor.channel {
                    None => "按采购单位类型（自动）".to_string(),
                    Some((channel, sub)) => channel_pair_text(channel, sub),
                };
                egui::ComboBox::from_id_salt(("sale_channel", kind.number()))
                    .selected_text(selected_text)
                    .width(220.0)
                    .height(400.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut editor.channel, None, "按采购单位类型（自动）");
                        for (channel, sub) in channel_choices() {
                            ui.selectable_value(
                                &mut editor.channel,
                                Some((channel, sub)),
                                channel_pair_text(channel, sub),
                            );
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
                submitted
            })
            .inner;

        // Payment (R12), for a stored record; saved with 保存 or on its own.
        let payment = editor.payment(shared.today);
        if let Some(id) = editor.id {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.checkbox(&mut editor.paid, "已付款").changed()
                    && editor.paid
                    && editor.paid_date.trim().is_empty()
                {
                    editor.paid_date = date_text(shared.today);
                }
                let label = ui.label("付款日期");
                ui.add_enabled(
                    editor.paid,
                    egui::TextEdit::singleline(&mut editor.paid_date)
                        .hint_text("如 2019.10.8")
                        .desired_width(110.0),
                )
                .labelled_by(label.id);
                let changed = payment.as_ref().is_ok_and(|p| *p != editor.stored_paid);
                if ui
                    .add_enabled(changed, egui::Button::new("保存付款情况"))
                    .clicked()
                    && let Ok((paid, paid_date)) = payment.clone()
                {
                    commands.push(Command::SetPaid {
                        id,
                        paid,
                        paid_date,
                    });
                }
            });
            if let Err(message) = &payment {
                ui.label(RichText::new(message).color(ERROR_COLOR));
            }
        }

        if let Some((_, Ok(record))) = &editor.validated
            && !record.warnings.is_empty()
        {
            ui.add_space(4.0);
            ui.label("保存后这条记录将带以下提示（可保存，请核实）：");
            warnings_ui(ui, &record.warnings);
        }

        if let Some(partner) = editor.paired_with {
            let other = match kind {
                FormKind::Procurement => "附件2",
                _ => "附件3",
            };
            ui.add_space(4.0);
            ui.label(
                RichText::new(format!(
                    "这条记录与{other}中编号 {partner} 的记录是同一笔销售（只计一次）。改动时间、地区、姓名、产品、数量或金额后两条不再配对，都计入合计。"
                ))
                .color(WARNING_COLOR),
            );
        }
        ui.add_space(8.0);
        let mut close = false;
        ui.horizontal(|ui| {
            let save = ui.add_enabled(
                !editor.saving,
                egui::Button::new(RichText::new("保存").strong()),
            );
            if save.clicked() || (submitted && !editor.saving) {
                editor.save_attempted = true;
                if let Some((_, Ok(record))) = &editor.validated {
                    let mut record = record.clone();
                    record.channel_override = editor.channel;
                    editor.saving = true;
                    commands.push(Command::SaveSale {
                        id: editor.id,
                        record,
                        opened: editor.opened.clone(),
                    });
                    if let (Some(id), Ok((paid, paid_date))) = (editor.id, &payment)
                        && (*paid, *paid_date) != editor.stored_paid
                    {
                        commands.push(Command::SetPaid {
                            id,
                            paid: *paid,
                            paid_date: *paid_date,
                        });
                    }
                }
            }
            if ui.button("取消").on_hover_text("关闭编辑（Esc）").clicked() {
                close = true;
            }
        });
        if editor.save_attempted && matches!(editor.validated, Some((_, Err(_)))) {
            ui.label(
                RichText::new("有内容需要改正（见各栏下方的红字），未保存。").color(ERROR_COLOR),
            );
        }
        ui.add_space(6.0);
        note_ui(ui, "时间、数量、金额按填写原文保存，打印的表格显示原文。");
        let has_changes = editor.has_changes() && !editor.saving;
        if editor_close_ui(
            ui,
            ("discard_sale_edit", kind.number()),
            close,
            has_changes,
            &mut editor.confirming_close,
        ) {
            self.editor = None;
        }
    }
}
