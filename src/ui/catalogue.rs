//! The 待销目录 tab (附件1): catalogue listings per poor household with a filter bar (乡镇, 查找,
//! 仅看有提示的), the count and planned value of what is shown, the table (only visible rows are
//! fetched), an editor side panel with validation messages next to each field, delete with
//! confirmation, and 导出Excel. The catalogue has no date column, so it has no year/quarter filter.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::export::ExportPanel;
use super::widgets::{
    Confirm, ERROR_COLOR, WARNING_COLOR, confirm_delete_ui, editor_close_ui, field_row_ui,
    fitted_widths, import_button_ui, note_ui, submits, township_combo_ui, wan_text, warnings_ui,
    yuan_text,
};
use super::{Command, Shared};
use crate::domain::Money;
use crate::domain::sale::{
    FormKind, Listing, ListingDraft, ListingField, SUPPLY_METHODS, validate_listing,
};
use crate::forms::ExportRequest;
use crate::store::{ListingFilter, ListingRow, Store, StoreResult};

/// Up to this many listings the planned value of what is shown is computed (it reads every row).
const PLANNED_VALUE_LIMIT: usize = 20_000;

/// The listings a filter covers: ids, planned value and a row cache.
#[derive(Default)]
struct ListingList {
    loaded: Option<(ListingFilter, u64)>,
    ids: Vec<i64>,
    /// Σ price × planned quantity where both are known; `None` when too many to compute.
    planned_value: Option<Money>,
    cache: HashMap<i64, ListingRow>,
}

impl ListingList {
    fn refresh(&mut self, store: &Store, filter: &ListingFilter, version: u64) -> StoreResult<()> {
        if self
            .loaded
            .as_ref()
            .is_some_and(|(f, v)| f == filter && *v == version)
        {
            return Ok(());
        }
        self.loaded = Some((filter.clone(), version));
        self.cache.clear();
        self.ids.clear();
        self.planned_value = None;
        self.ids = store.listing_ids(filter)?;
        if self.ids.len() <= PLANNED_VALUE_LIMIT {
            let rows = store.listings_by_ids(&self.ids)?;
            self.planned_value = Some(
                rows.iter()
                    .filter_map(|r| r.listing.price.expected_amount(&r.listing.planned_quantity))
                    .sum(),
            );
            if rows.len() <= 2_000 {
                self.cache = rows.into_iter().map(|r| (r.id, r)).collect();
            }
        }
        Ok(())
    }

    fn row(&mut self, store: &Store, index: usize) -> StoreResult<Option<ListingRow>> {
        let Some(id) = self.ids.get(index).copied() else {
            return Ok(None);
        };
        if !self.cache.contains_key(&id) {
            if self.cache.len() > 4_000 {
                self.cache.clear();
            }
            let start = index.saturating_sub(40);
            let end = (index + 120).min(self.ids.len());
            let wanted: Vec<i64> = self.ids[start..end]
                .iter()
                .copied()
                .filter(|id| !self.cache.contains_key(id))
                .collect();
            for row in store.listings_by_ids(&wanted)? {
                self.cache.insert(row.id, row);
            }
        }
        Ok(self.cache.get(&id).cloned())
    }
}

/// A validated listing or the messages per field.
type ListingOutcome = Result<Listing, Vec<(ListingField, String)>>;

/// The listing being added or edited.
struct ListingEditor {
    id: Option<i64>,
    /// The stored listing as opened (`None` for a new one): saving is refused when the ledger's
    /// listing has changed since.
    opened: Option<Listing>,
    draft: ListingDraft,
    /// 电商, 送货上门, 上门自提 (in [`SUPPLY_METHODS`] order).
    methods: [bool; 3],
    /// Other methods found in an imported listing, kept as they were.
    other_methods: Vec<String>,
    save_attempted: bool,
    validated: Option<(ListingDraft, ListingOutcome)>,
    saving: bool,
    /// The draft and supply methods as opened, to tell whether closing loses typing.
    initial: (ListingDraft, [bool; 3]),
    /// 取消 or Escape was pressed with changes typed: asking whether to discard them.
    confirming_close: bool,
}

impl ListingEditor {
    fn new_listing() -> Self {
        Self {
            id: None,
            opened: None,
            draft: ListingDraft::default(),
            methods: [false; 3],
            other_methods: Vec::new(),
            save_attempted: false,
            validated: None,
            saving: false,
            initial: (ListingDraft::default(), [false; 3]),
            confirming_close: false,
        }
    }

    fn from_row(row: &ListingRow) -> Self {
        let l = &row.listing;
        let mut methods = [false; 3];
        let mut other_methods = Vec::new();
        for method in &l.supply_methods {
            match SUPPLY_METHODS.iter().position(|m| m == method) {
                Some(i) => methods[i] = true,
                None => other_methods.push(method.clone()),
            }
        }
        let mut editor = Self {
            id: Some(row.id),
            opened: Some(row.listing.clone()),
            draft: ListingDraft {
                region: l.region_text.clone(),
                household: l.household.clone(),
                product: l.product.clone(),
                // Shown with its unit when the header gave it: the editor has no header.
                planned_quantity: l
                    .planned_quantity
                    .text_without_context(&l.planned_quantity_text, "计划销量")
                    .unwrap_or_else(|| l.planned_quantity_text.clone()),
                price: l.price_text.clone(),
                supply_method: l.supply_methods.join("、"),
                shop_url: l.shop_url.clone(),
                contact: l.contact.clone(),
                remark: l.remark.clone(),
            },
            methods,
            other_methods,
            save_attempted: false,
            validated: None,
            saving: false,
            initial: (ListingDraft::default(), [false; 3]),
            confirming_close: false,
        };
        editor.initial = (editor.draft.clone(), editor.methods);
        editor
    }

    /// The 供货方式 text from the checkboxes (and any other methods kept).
    fn supply_text(&self) -> String {
        SUPPLY_METHODS
            .iter()
            .zip(self.methods)
            .filter(|(_, on)| *on)
            .map(|(m, _)| m.to_string())
            .chain(self.other_methods.iter().cloned())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// The 待销目录 tab.
pub(crate) struct CatalogueTab {
    township: Option<String>,
    text: String,
    warnings_only: bool,
    list: ListingList,
    editor: Option<ListingEditor>,
    confirm_delete: Option<(i64, String)>,
    /// The export window and job of this tab.
    pub(crate) export: ExportPanel,
}

impl CatalogueTab {
    /// An empty tab.
    pub(crate) fn new() -> Self {
        Self {
            township: None,
            text: String::new(),
            warnings_only: false,
            list: ListingList::default(),
            editor: None,
            confirm_delete: None,
            export: ExportPanel::new(),
        }
    }

    fn filter(&self) -> ListingFilter {
        ListingFilter {
            township_code: self.township.clone(),
            with_warnings_only: self.warnings_only,
            text: self.text.trim().to_string(),
        }
    }

    /// The app saved the editor's listing: close the editor.
    pub(crate) fn saved(&mut self, _id: i64) {
        self.editor = None;
    }

    /// The app could not save: keep the editor open.
    pub(crate) fn save_failed(&mut self) {
        if let Some(editor) = &mut self.editor {
            editor.saving = false;
        }
    }

    /// The app deleted listing `id`.
    pub(crate) fn deleted(&mut self, id: i64) {
        if self.editor.as_ref().is_some_and(|e| e.id == Some(id)) {
            self.editor = None;
        }
    }

    /// Draws the tab.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let filter = self.filter();
        if let Err(e) = self
            .list
            .refresh(shared.store, &filter, shared.data_version)
        {
            commands.push(Command::Error(format!("读取待销目录失败：{e}")));
        }
        self.export.window_ui(ui.ctx(), shared.townships, commands);
        if let Some((id, what)) = &self.confirm_delete {
            match confirm_delete_ui(ui.ctx(), "listing", what) {
                Confirm::Pending => {}
                Confirm::Yes => {
                    commands.push(Command::DeleteListing { id: *id });
                    self.confirm_delete = None;
                }
                Confirm::No => self.confirm_delete = None,
            }
        }

        ui.horizontal_wrapped(|ui| {
            township_combo_ui(
                ui,
                "listing_filter_township",
                "乡镇",
                &mut self.township,
                shared.townships,
                "全部乡镇",
            );
            ui.add_space(8.0);
            let label = ui.label("查找");
            ui.add(
                egui::TextEdit::singleline(&mut self.text)
                    .hint_text("地区、姓名、品种、联系人、备注")
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.checkbox(&mut self.warnings_only, "仅看有提示的");
            let filtered = self.township.is_some() || !self.text.is_empty() || self.warnings_only;
            if filtered && ui.button("清除筛选").clicked() {
                self.township = None;
                self.text.clear();
                self.warnings_only = false;
            }
            note_ui(ui, "（待销目录没有时间列，按乡镇和内容筛选）");
        });
        ui.horizontal(|ui| {
            let count = self.list.ids.len();
            let value = match self.list.planned_value {
                Some(value) => format!(
                    "，计划销售额约 {} 元（{} 万元，按价格×计划销量，面议不计）",
                    yuan_text(value),
                    wan_text(value)
                ),
                None => String::new(),
            };
            ui.label(RichText::new(format!("共 {count} 条{value}")).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                import_button_ui(ui, commands);
                let request = ExportRequest {
                    kind: FormKind::Catalogue,
                    township_code: self.township.clone(),
                    year: None,
                    quarter: None,
                };
                self.export
                    .button_ui(ui, request, shared.townships, commands);
                if ui.button("新增待销产品").clicked() {
                    self.editor = Some(ListingEditor::new_listing());
                }
            });
        });
        ui.separator();

        if self.editor.is_some() {
            egui::Panel::right("listing_editor")
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
            self.table_ui(ui, shared, commands);
        });
    }

    fn table_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self.list.ids.is_empty() {
            ui.add_space(20.0);
            ui.vertical_centered(|ui| note_ui(ui, "没有符合筛选条件的待销产品"));
            return;
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
        let editing = self.editor.as_ref().and_then(|e| e.id);
        let mut action: Option<(bool, i64)> = None;
        let mut error: Option<String> = None;
        let list = &mut self.list;
        let natural = [170.0, 72.0, 64.0, 70.0, 78.0, 110.0, 100.0, 150.0, 80.0];
        let spacing = ui.spacing().item_spacing.x * 11.0;
        let (widths, key) = fitted_widths(ui.available_width(), &natural, 92.0 + 100.0 + spacing);
        let mut table = TableBuilder::new(ui)
            .id_salt(("listing_table", key))
            .striped(true)
            .resizable(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .min_scrolled_height(0.0)
            .auto_shrink([false, false])
            .column(Column::exact(92.0));
        for width in widths {
            table = table.column(Column::initial(width).at_least(40.0).clip(true));
        }
        table
            .column(Column::remainder().at_least(60.0).clip(true))
            .header(row_height, |mut header| {
                for title in [
                    "操作",
                    "地区",
                    "贫困户姓名",
                    "产品品种",
                    "计划销量",
                    "销售价格",
                    "供货方式",
                    "网店网址",
                    "联系人及电话",
                    "备注",
                    "提示",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, list.ids.len(), |mut table_row| {
                    let row = match list.row(shared.store, table_row.index()) {
                        Ok(Some(row)) => row,
                        Ok(None) => return,
                        Err(e) => {
                            error.get_or_insert_with(|| format!("读取待销目录失败：{e}"));
                            return;
                        }
                    };
                    table_row.set_selected(editing == Some(row.id));
                    let l = &row.listing;
                    table_row.col(|ui| {
                        if ui.small_button("编辑").clicked() {
                            action = Some((false, row.id));
                        }
                        if ui.small_button("删除").clicked() {
                            action = Some((true, row.id));
                        }
                    });
                    let cells = [
                        &l.region_text,
                        &l.household,
                        &l.product,
                        &l.planned_quantity_text,
                        &l.price_text,
                        &l.supply_methods.join("、"),
                        &l.shop_url,
                        &l.contact,
                        &l.remark,
                    ];
                    for text in cells {
                        table_row.col(|ui| {
                            ui.label(text.as_str()).on_hover_text(text.as_str());
                        });
                    }
                    table_row.col(|ui| {
                        if !l.warnings.is_empty() {
                            let text = if l.warnings.len() == 1 {
                                l.warnings[0].clone()
                            } else {
                                format!("{}条提示", l.warnings.len())
                            };
                            ui.label(RichText::new(text).color(WARNING_COLOR))
                                .on_hover_text(l.warnings.join("\n"));
                        }
                    });
                });
            });
        if let Some(error) = error {
            commands.push(Command::Error(error));
        }
        match action {
            Some((false, id)) => match shared.store.listing(id) {
                Ok(row) => self.editor = Some(ListingEditor::from_row(&row)),
                Err(e) => commands.push(Command::Error(format!("无法打开待销产品：{e}"))),
            },
            Some((true, id)) => match shared.store.listing(id) {
                Ok(row) => {
                    let l = &row.listing;
                    let what = format!(
                        "{} {} {} {} {}（附件1）",
                        l.region_text,
                        l.household,
                        l.product,
                        l.planned_quantity_text,
                        l.price_text
                    );
                    self.confirm_delete = Some((id, what));
                }
                Err(e) => commands.push(Command::Error(format!("无法读取待销产品：{e}"))),
            },
            None => {}
        }
    }

    fn editor_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let Some(editor) = &mut self.editor else {
            return;
        };
        let title = match editor.id {
            None => "新增待销产品（附件1）".to_string(),
            Some(id) => format!("编辑待销产品（编号 {id}）"),
        };
        ui.heading(title);
        ui.add_space(4.0);

        editor.draft.supply_method = editor.supply_text();
        if editor
            .validated
            .as_ref()
            .is_none_or(|(d, _)| *d != editor.draft)
        {
            let outcome = validate_listing(&editor.draft, shared.resolver);
            editor.validated = Some((editor.draft.clone(), outcome));
        }
        let errors: Vec<(ListingField, String)> = match &editor.validated {
            Some((_, Err(errors))) => errors.clone(),
            _ => Vec::new(),
        };
        let snapshot = editor.draft.clone();
        let show_all = editor.save_attempted;
        let error_for = |field: ListingField| -> Option<String> {
            let typed = match field {
                ListingField::Region => &snapshot.region,
                ListingField::Household => &snapshot.household,
                ListingField::Product => &snapshot.product,
                ListingField::PlannedQuantity => &snapshot.planned_quantity,
                ListingField::Price => &snapshot.price,
                ListingField::SupplyMethod => &snapshot.supply_method,
                ListingField::ShopUrl => &snapshot.shop_url,
                ListingField::Contact => &snapshot.contact,
                ListingField::Remark => &snapshot.remark,
            };
            if !show_all && typed.trim().is_empty() {
                return None;
            }
            errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
        };

        let submitted = egui::Grid::new("listing_editor_grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let d = &mut editor.draft;
                // Enter in a field saves, as in an office form.
                let mut submitted = false;
                submitted |= submits(&field_row_ui(
                    ui,
                    "地区",
                    &mut d.region,
                    "如 云阳县泥溪镇三坪村",
                    error_for(ListingField::Region).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "贫困户姓名",
                    &mut d.household,
                    "姓名或合作社名称",
                    error_for(ListingField::Household).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "产品品种",
                    &mut d.product,
                    "如 土豆",
                    error_for(ListingField::Product).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "计划销量",
                    &mut d.planned_quantity,
                    "如 30斤",
                    error_for(ListingField::PlannedQuantity).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "销售价格",
                    &mut d.price,
                    "如 3元/斤 或 面议",
                    error_for(ListingField::Price).as_deref(),
                    None,
                ));
                ui.label("供货方式");
                ui.vertical(|ui| {
                    ui.horizontal(|ui| {
                        for (i, method) in SUPPLY_METHODS.iter().enumerate() {
                            ui.checkbox(&mut editor.methods[i], *method);
                        }
                    });
                    for other in &editor.other_methods {
                        ui.label(RichText::new(format!("另有：{other}")).weak());
                    }
                    if let Some(error) = error_for(ListingField::SupplyMethod) {
                        ui.label(RichText::new(error).color(ERROR_COLOR));
                    }
                });
                ui.end_row();
                let d = &mut editor.draft;
                submitted |= submits(&field_row_ui(
                    ui,
                    "网店网址",
                    &mut d.shop_url,
                    "供货方式为电商时填写",
                    error_for(ListingField::ShopUrl).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "供货联系人及联系方式",
                    &mut d.contact,
                    "如 王五 17723635558",
                    error_for(ListingField::Contact).as_deref(),
                    None,
                ));
                submitted |= submits(&field_row_ui(
                    ui,
                    "备注",
                    &mut d.remark,
                    "合作社请注明涉及贫困户数",
                    error_for(ListingField::Remark).as_deref(),
                    None,
                ));
                submitted
            })
            .inner;

        if let Some((_, Ok(listing))) = &editor.validated
            && !listing.warnings.is_empty()
        {
            ui.add_space(4.0);
            ui.label("保存后这条记录将带以下提示（可保存，请核实）：");
            warnings_ui(ui, &listing.warnings);
        }
        ui.add_space(8.0);
        let mut close = false;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !editor.saving,
                    egui::Button::new(RichText::new("保存").strong()),
                )
                .clicked()
                || (submitted && !editor.saving)
            {
                editor.save_attempted = true;
                if let Some((_, Ok(listing))) = &editor.validated {
                    editor.saving = true;
                    commands.push(Command::SaveListing {
                        id: editor.id,
                        listing: listing.clone(),
                        opened: editor.opened.clone(),
                    });
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
        let has_changes = (editor.draft != editor.initial.0 || editor.methods != editor.initial.1)
            && !editor.saving;
        if editor_close_ui(
            ui,
            "discard_listing_edit",
            close,
            has_changes,
            &mut editor.confirming_close,
        ) {
            self.editor = None;
        }
    }
}
