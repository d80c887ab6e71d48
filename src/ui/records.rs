//! The list of sales/procurements shared by the 附件2 and 附件3 tabs and the 明细 window: the ids
//! of what a filter covers (kept until the filter or the data changes, never re-read per frame),
//! the count and total, and a small cache of the rows fetched by id for the visible range.

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::widgets::{WARNING_COLOR, fitted_widths, note_ui, yuan_text};
use super::{Command, Shared};
use crate::domain::Money;
use crate::domain::sale::FormKind;
use crate::store::{SaleFilter, SaleRow, Store, StoreResult, UnmatchedFilter};

/// Rows fetched at once around a visible row that is not cached yet.
const FETCH_BEFORE: usize = 40;
const FETCH_AFTER: usize = 120;
/// The row cache is dropped when it grows beyond this (it refills from the visible range).
const CACHE_LIMIT: usize = 4_000;

/// What a [`SaleList`] lists.
#[derive(Debug, Clone, PartialEq)]
enum ListSource {
    /// The records a filter of the form tabs or the 明细 window covers.
    Records(SaleFilter),
    /// The unmatched records of the 对账 view.
    Unmatched(UnmatchedFilter),
}

/// The records a [`SaleFilter`] (or an [`UnmatchedFilter`]) covers: ids in list order, count,
/// total and a row cache.
#[derive(Default)]
pub(crate) struct SaleList {
    loaded: Option<(ListSource, u64)>,
    ids: Vec<i64>,
    count: i64,
    total: Money,
    cache: HashMap<i64, SaleRow>,
}

impl SaleList {
    /// Re-reads ids and totals if the filter or the data version changed since the last read.
    pub(crate) fn refresh(
        &mut self,
        store: &Store,
        filter: &SaleFilter,
        version: u64,
    ) -> StoreResult<()> {
        if self.is_loaded(
            |s| matches!(s, ListSource::Records(f) if f == filter),
            version,
        ) {
            return Ok(());
        }
        self.start(ListSource::Records(filter.clone()), version);
        self.ids = store.sale_ids(filter)?;
        let (count, total) = store.sale_totals(filter)?;
        self.count = count;
        self.total = total;
        Ok(())
    }

    /// Re-reads the ids and totals of unmatched records (对账) if the filter or the data version
    /// changed since the last read.
    pub(crate) fn refresh_unmatched(
        &mut self,
        store: &Store,
        filter: &UnmatchedFilter,
        version: u64,
    ) -> StoreResult<()> {
        if self.is_loaded(
            |s| matches!(s, ListSource::Unmatched(f) if f == filter),
            version,
        ) {
            return Ok(());
        }
        self.start(ListSource::Unmatched(filter.clone()), version);
        self.ids = store.unmatched_ids(filter)?;
        let totals = store.unmatched_totals(filter)?;
        self.count = totals.records;
        self.total = totals.amount;
        Ok(())
    }

    fn is_loaded(&self, same: impl Fn(&ListSource) -> bool, version: u64) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|(source, v)| *v == version && same(source))
    }

    /// Forgets the rows before a read. The attempt is remembered first, so a failing query is
    /// reported once, not every frame.
    fn start(&mut self, source: ListSource, version: u64) {
        self.loaded = Some((source, version));
        self.cache.clear();
        self.ids.clear();
        self.count = 0;
        self.total = Money::ZERO;
    }

    /// Number of records listed.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Count and amount total of the records listed.
    pub(crate) fn totals(&self) -> (i64, Money) {
        (self.count, self.total)
    }

    /// The row at `index`, fetching a block of rows around it by id when it is not cached.
    pub(crate) fn row(&mut self, store: &Store, index: usize) -> StoreResult<Option<SaleRow>> {
        let Some(id) = self.ids.get(index).copied() else {
            return Ok(None);
        };
        if !self.cache.contains_key(&id) {
            if self.cache.len() > CACHE_LIMIT {
                self.cache.clear();
            }
            let start = index.saturating_sub(FETCH_BEFORE);
            let end = (index + FETCH_AFTER).min(self.ids.len());
            let wanted: Vec<i64> = self.ids[start..end]
                .iter()
                .copied()
                .filter(|id| !self.cache.contains_key(id))
                .collect();
            for row in store.sales_by_ids(&wanted)? {
                self.cache.insert(row.id, row);
            }
        }
        Ok(self.cache.get(&id).cloned())
    }
}

/// What the user did in a row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowAction {
    Edit(i64),
    Delete(i64),
}

/// The channel as shown in lists: `五进对接直销/进机关`, `未分类`, with `（手动）` when overridden.
pub(crate) fn channel_text(row: &SaleRow) -> String {
    let mut text = match (row.channel, row.sub_channel) {
        (Some(channel), Some(sub)) => format!("{}/{}", channel.name(), sub.name()),
        (Some(channel), None) => channel.name().to_string(),
        (None, _) => "未分类".to_string(),
    };
    if row.record.channel_override.is_some() {
        text.push_str("（手动）");
    }
    text
}

/// Which extra columns and buttons a sale table shows.
pub(crate) struct TableOptions {
    /// Show the 表 column (附件2/附件3), for lists that mix both forms.
    pub show_form: bool,
    /// Show the 删除 button (the 明细 window only offers 编辑).
    pub allow_delete: bool,
    /// The record open in the editor (highlighted).
    pub editing: Option<i64>,
    /// Narrow layout (the editor is open beside the table).
    pub compact: bool,
    pub id_salt: &'static str,
}

/// The table of `list`: only the visible rows are fetched (by id, in blocks, cached).
/// Returns what the user clicked. Read errors become a [`Command::Error`].
pub(crate) fn sale_table_ui(
    ui: &mut Ui,
    shared: &Shared<'_>,
    list: &mut SaleList,
    kind: FormKind,
    options: &TableOptions,
    commands: &mut Vec<Command>,
) -> Option<RowAction> {
    if list.len() == 0 {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| note_ui(ui, "没有符合筛选条件的记录"));
        return None;
    }
    let (date_col, qty_col, amount_col) = match kind {
        _ if options.show_form => ("时间", "数量", "金额(元)"),
        FormKind::Catalogue => FormKind::Sale.column_names(),
        other => other.column_names(),
    };
    let mut action = None;
    let mut error: Option<String> = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    // Compact (next to the editor): the channel column takes the rest and 提示 is a short mark.
    let natural: &[f32] = if options.compact {
        &[150.0, 80.0, 170.0, 88.0, 74.0, 70.0, 86.0]
    } else {
        &[150.0, 82.0, 170.0, 88.0, 74.0, 70.0, 86.0, 150.0]
    };
    let actions_width = if options.allow_delete { 92.0 } else { 48.0 };
    let form_width = if options.show_form { 48.0 } else { 0.0 };
    let last_width = if options.compact { 40.0 + 100.0 } else { 100.0 };
    let spacing = ui.spacing().item_spacing.x * 11.0;
    let (widths, key) = fitted_widths(
        ui.available_width(),
        natural,
        actions_width + form_width + last_width + spacing,
    );
    let mut table = TableBuilder::new(ui)
        .id_salt((options.id_salt, key))
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink([false, false])
        .column(Column::exact(actions_width));
    if options.show_form {
        table = table.column(Column::exact(form_width));
    }
    for width in widths {
        table = table.column(Column::initial(width).at_least(40.0).clip(true));
    }
    if options.compact {
        table = table
            .column(Column::remainder().at_least(80.0).clip(true))
            .column(Column::exact(40.0));
    } else {
        table = table.column(Column::remainder().at_least(60.0).clip(true));
    }
    table
        .header(row_height, |mut header| {
            header.col(|ui| {
                ui.strong("操作");
            });
            if options.show_form {
                header.col(|ui| {
                    ui.strong("表");
                });
            }
            for title in [
                "采购单位",
                date_col,
                "地区",
                "贫困户姓名",
                "产品品种",
                qty_col,
                amount_col,
                "销售方式",
                "提示",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, list.len(), |mut table_row| {
                let index = table_row.index();
                let row = match list.row(shared.store, index) {
                    Ok(Some(row)) => row,
                    Ok(None) => return,
                    Err(e) => {
                        error.get_or_insert_with(|| format!("读取记录失败：{e}"));
                        return;
                    }
                };
                table_row.set_selected(options.editing == Some(row.id));
                let record = &row.record;
                table_row.col(|ui| {
                    if ui.small_button("编辑").clicked() {
                        action = Some(RowAction::Edit(row.id));
                    }
                    if options.allow_delete && ui.small_button("删除").clicked() {
                        action = Some(RowAction::Delete(row.id));
                    }
                });
                if options.show_form {
                    table_row.col(|ui| {
                        ui.label(record.kind.label());
                    });
                }
                table_row.col(|ui| {
                    ui.label(&record.purchaser).on_hover_text(&record.purchaser);
                });
                table_row.col(|ui| {
                    date_label_ui(ui, record);
                });
                table_row.col(|ui| {
                    ui.label(&record.region_text)
                        .on_hover_text(format!("{} {}", row.township_name, record.village));
                });
                table_row.col(|ui| {
                    ui.label(&record.household);
                });
                table_row.col(|ui| {
                    ui.label(&record.product);
                });
                table_row.col(|ui| {
                    ui.label(&record.quantity_text);
                });
                table_row.col(|ui| {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(yuan_text(record.amount))
                            .on_hover_text(format!("填写为：{}", record.amount_text));
                    });
                });
                table_row.col(|ui| {
                    let full = channel_text(&row);
                    if options.compact {
                        let short = match (row.channel, row.sub_channel) {
                            (_, Some(sub)) => sub.name(),
                            (Some(channel), None) => channel.name(),
                            (None, None) => "未分类",
                        };
                        ui.label(short).on_hover_text(full);
                    } else {
                        ui.label(full);
                    }
                });
                table_row.col(|ui| {
                    if options.compact {
                        if !record.warnings.is_empty() || row.same_sale_as.is_some() {
                            let mut notes = record.warnings.clone();
                            if row.same_sale_as.is_some() {
                                notes.push("与附件2重复，不重复计入".to_string());
                            }
                            ui.label(RichText::new(notes.len().to_string()).color(WARNING_COLOR))
                                .on_hover_text(notes.join("\n"));
                        }
                        return;
                    }
                    if !record.warnings.is_empty() {
                        let text = if record.warnings.len() == 1 {
                            record.warnings[0].clone()
                        } else {
                            format!("{}条提示", record.warnings.len())
                        };
                        ui.label(RichText::new(text).color(WARNING_COLOR))
                            .on_hover_text(record.warnings.join("\n"));
                    }
                    if row.same_sale_as.is_some() {
                        ui.label(RichText::new("与附件2重复，不重复计入").weak());
                    }
                });
            });
        });
    if let Some(error) = error {
        commands.push(Command::Error(error));
    }
    action
}

/// The 明细 window: the records behind a dashboard figure (traceability R8), with the filter
/// spelled out and a button that closes it (clears the filter).
pub(crate) struct RecordsView {
    filter: SaleFilter,
    description: String,
    list: SaleList,
}

impl RecordsView {
    /// A view of the records `filter` covers; `description` says in Chinese what was clicked.
    pub(crate) fn new(filter: SaleFilter, description: String) -> Self {
        Self {
            filter,
            description,
            list: SaleList::default(),
        }
    }

    /// The filter shown.
    pub(crate) fn filter(&self) -> &SaleFilter {
        &self.filter
    }

    /// Draws the window. Returns false when the user closed it.
    pub(crate) fn window_ui(
        &mut self,
        ctx: &egui::Context,
        shared: &Shared<'_>,
        commands: &mut Vec<Command>,
    ) -> bool {
        if let Err(e) = self
            .list
            .refresh(shared.store, &self.filter, shared.data_version)
        {
            commands.push(Command::Error(format!("读取明细失败：{e}")));
        }
        let mut open = true;
        let mut close_clicked = false;
        let screen = ctx.content_rect();
        egui::Window::new("明细：进度数字背后的记录")
            .id(egui::Id::unique("records_view_window"))
            .open(&mut open)
            .default_size([screen.width().min(1200.0) - 40.0, screen.height().min(700.0) - 120.0])
            .default_pos([20.0, 80.0])
            .collapsible(false)
            .resizable(true)
            .constrain(true)
            .show(ctx, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("筛选条件：{}", self.description)).strong());
                    if ui.button("关闭明细（清除筛选）").clicked() {
                        close_clicked = true;
                    }
                });
                let (count, total) = self.list.totals();
                ui.label(format!(
                    "共 {count} 条，金额合计 {} 元（{} 万元）",
                    yuan_text(total),
                    super::widgets::wan_text(total)
                ));
                note_ui(ui, "只列计入进度的记录：附件3中已标记与附件2为同一笔的不重复列出。点“编辑”可在对应表中修改。");
                ui.separator();
                let options = TableOptions {
                    show_form: true,
                    allow_delete: false,
                    editing: None,
                    compact: false,
                    id_salt: "records_view_table",
                };
                if let Some(RowAction::Edit(id)) =
                    sale_table_ui(ui, shared, &mut self.list, FormKind::Sale, &options, commands)
                {
                    let kind = self.list.cache.get(&id).map(|row| row.record.kind).unwrap_or(FormKind::Sale);
                    commands.push(Command::EditRecord { id, kind });
                }
            });
        open && !close_clicked
    }
}

/// The date of a record as typed, or with its year in the seed's spelling (`2019.9.28`) when the
/// typed text needs its form's 填报时间 to be read (`9月28日`; the typed text on hover).
pub(crate) fn date_label_ui(ui: &mut egui::Ui, record: &crate::domain::sale::SaleRecord) {
    let shown = shown_date(record);
    if shown == record.date_text {
        ui.label(&record.date_text);
    } else {
        ui.label(shown)
            .on_hover_text(format!("填写为：{}", record.date_text));
    }
}

/// A record's date as typed, or with its year (`2019.9.28`, a month as `2019年9月`) when the
/// typed text needs its form's 填报时间 to be read. Short enough for the lists' date column.
pub(crate) fn shown_date(record: &crate::domain::sale::SaleRecord) -> String {
    match record.date.text_without_context(&record.date_text) {
        // `2019.1` would read as January or October: a month is written out.
        Some(full) if record.date.precision == crate::domain::DatePrecision::Month => full,
        Some(_) => record.date.to_form_text(),
        None => record.date_text.clone(),
    }
}
