//! The 对账 tab (三(三), import rule 14): for a chosen year, the near matches of 附件2 sales and
//! 附件3 procurements for the operator to confirm (是同一笔) or reject (不是同一笔), the pairs
//! counted once (with 取消配对), the double counting removed, and what is left unmatched on each
//! side: the unmatched 附件2 sales and 附件3 procurements listed by township and quarter (ids read
//! once, only the visible rows fetched, as in [`super::records`]), each with 编辑 to open it in its
//! form tab. Its second view, 报送情况, is the reporting status board of a quarter (R6): every
//! township and lead unit with 已报送/逾期报送/未报送, record counts, amounts and entry times.
//! The quarterly bulletin (通报) and the supply catalogue (供应目录) are exported from here.

use std::collections::HashSet;

use egui::{RichText, Ui};
use egui_extras::{Column, Size, StripBuilder, TableBuilder};

use super::records::SaleList;
use super::report_export::ReportPanel;
use super::shipments::ShipmentsView;
use super::widgets::{
    Confirm, ERROR_COLOR, OK_COLOR, WARNING_COLOR, cell_ui, confirm_ui, current_quarter,
    fitted_widths, month_day_text, note_ui, quarter_combo_ui, quarter_only_combo_ui,
    township_combo_ui, year_choices, year_combo_ui, yuan_text,
};
use super::{Command, ReportKind, Shared};
use crate::domain::Quarter;
use crate::domain::sale::FormKind;
use crate::store::{
    NearMatch, ReportState, ReportingStatus, SaleRow, SummaryTotals, UnitReport, Unmatched,
    UnmatchedFilter,
};

/// Near matches shown per page.
const NEAR_PER_PAGE: usize = 10;
/// Pairs shown per page.
const PAIRS_PER_PAGE: usize = 50;

/// The two views of the tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// 对账: near matches, pairs, unmatched.
    Reconcile,
    /// 报送情况: who has reported for a quarter.
    Reporting,
    /// 物流记录: courier shipments and their links to sales (R5).
    Shipments,
}

/// The sections of the 对账 view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// 疑似重复 and 已配对.
    Matches,
    /// The unmatched records of 附件2 ([`FormKind::Sale`]) or 附件3 ([`FormKind::Procurement`]).
    Unmatched(FormKind),
}

/// What the 对账 view shows for a year, read once per data version.
struct ReconcileData {
    near: Vec<NearMatch>,
    /// Ids of the rows (either form) in a near match, marked in the unmatched lists.
    near_ids: HashSet<i64>,
    pairs: Vec<(SaleRow, SaleRow)>,
    unmatched_sales: Unmatched,
    unmatched_procurements: Unmatched,
    totals: SummaryTotals,
}

/// The 对账 tab's state.
pub(crate) struct ReconcileTab {
    view: View,
    year: i32,
    quarter: u8,
    years: Vec<i32>,
    loaded: Option<(u64, i32)>,
    data: Option<ReconcileData>,
    status_loaded: Option<(u64, Quarter, chrono::NaiveDate)>,
    status: Option<ReportingStatus>,
    near_page: usize,
    pair_page: usize,
    section: Section,
    /// Filters of the unmatched lists (both sides), within the year.
    unmatched_township: Option<String>,
    unmatched_quarter: Option<u8>,
    unmatched_sales: SaleList,
    unmatched_procurements: SaleList,
    /// The 通报/供应目录 export window and job.
    pub(crate) report: ReportPanel,
    /// The 物流记录 view.
    shipments: ShipmentsView,
    /// A 取消配对 waiting for confirmation: the 附件3 record's id and what the pair is.
    unpair_asked: Option<(i64, String)>,
}

impl ReconcileTab {
    /// The tab showing `year` (the quarter of 报送情况: the latest started quarter of that year).
    pub(crate) fn new(year: i32, today: chrono::NaiveDate) -> Self {
        Self {
            view: View::Reconcile,
            year,
            quarter: current_quarter(year, today).quarter,
            years: Vec::new(),
            loaded: None,
            data: None,
            status_loaded: None,
            status: None,
            near_page: 0,
            pair_page: 0,
            section: Section::Matches,
            unmatched_township: None,
            unmatched_quarter: None,
            unmatched_sales: SaleList::default(),
            unmatched_procurements: SaleList::default(),
            report: ReportPanel::new(),
            shipments: ShipmentsView::new(),
            unpair_asked: None,
        }
    }

    /// Shows `year` (e.g. after the first import into an empty year).
    pub(crate) fn set_year(&mut self, year: i32, today: chrono::NaiveDate) {
        if self.year != year {
            self.year = year;
            self.quarter = current_quarter(year, today).quarter;
        }
    }

    fn quarter(&self) -> Quarter {
        Quarter {
            year: self.year,
            quarter: self.quarter,
        }
    }

    fn refresh(&mut self, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self.loaded == Some((shared.data_version, self.year)) {
            return;
        }
        self.loaded = Some((shared.data_version, self.year));
        self.years = year_choices(shared.store.sale_years().unwrap_or_default(), shared.today);
        let store = shared.store;
        let read = || -> crate::store::StoreResult<ReconcileData> {
            let near = store.near_matches(self.year)?;
            let near_ids = near
                .iter()
                .flat_map(|m| [m.procurement.id, m.sale.id])
                .collect();
            Ok(ReconcileData {
                near,
                near_ids,
                pairs: store.same_sale_pairs(self.year)?,
                unmatched_sales: store.unmatched(self.year, FormKind::Sale)?,
                unmatched_procurements: store.unmatched(self.year, FormKind::Procurement)?,
                totals: store.summary_totals(self.year)?,
            })
        };
        match read() {
            Ok(data) => {
                self.near_page = self
                    .near_page
                    .min(last_page(data.near.len(), NEAR_PER_PAGE));
                self.pair_page = self
                    .pair_page
                    .min(last_page(data.pairs.len(), PAIRS_PER_PAGE));
                self.data = Some(data);
            }
            Err(e) => {
                self.data = None;
                commands.push(Command::Error(format!(
                    "读取{}年对账情况失败：{e}",
                    self.year
                )));
            }
        }
    }

    fn refresh_status(&mut self, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let key = (shared.data_version, self.quarter(), shared.today);
        if self.status_loaded == Some(key) {
            return;
        }
        self.status_loaded = Some(key);
        match shared.store.reporting_status(self.quarter(), shared.today) {
            Ok(status) => self.status = Some(status),
            Err(e) => {
                self.status = None;
                commands.push(Command::Error(format!(
                    "读取{}报送情况失败：{e}",
                    self.quarter()
                )));
            }
        }
    }

    /// Draws the tab.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        self.report.window_ui(ui.ctx(), shared.townships, commands);
        self.refresh(shared, commands);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.view, View::Reconcile, RichText::new("对账").strong())
                .on_hover_text("附件2与附件3的同一笔销售：疑似重复、已配对、未配对");
            ui.selectable_value(&mut self.view, View::Reporting, RichText::new("报送情况").strong())
                .on_hover_text("各乡镇(街道)、牵头单位本季度是否按时报送");
            ui.selectable_value(&mut self.view, View::Shipments, RichText::new("物流记录").strong())
                .on_hover_text("快递、邮政寄件记录与销售的关联（核实销售去向）");
            ui.add_space(16.0);
            let mut year = Some(self.year);
            if year_combo_ui(ui, "reconcile_year", "年度", &mut year, &self.years, None)
                && let Some(year) = year
            {
                self.set_year(year, shared.today);
                self.near_page = 0;
                self.pair_page = 0;
            }
            if self.view == View::Reporting {
                quarter_only_combo_ui(ui, "reporting_quarter", &mut self.quarter);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.report.button_ui(
                    ui,
                    "汇编供应目录…",
                    "把各乡镇(街道)的待销目录汇编成全县供应目录（Excel，可直接打印）",
                    ReportKind::Catalogue,
                    shared.today,
                    commands,
                );
                let quarter = self.quarter();
                self.report.button_ui(
                    ui,
                    &format!("导出{quarter}通报…"),
                    "生成季度通报（Excel，可直接打印）：合计、深度贫困、各渠道、各乡镇、各牵头单位、重复剔除、未报送单位",
                    ReportKind::Bulletin(quarter),
                    shared.today,
                    commands,
                );
                if self.report.is_running() {
                    ui.spinner();
                }
            });
        });
        ui.separator();
        match self.view {
            View::Reconcile => self.reconcile_ui(ui, shared, commands),
            View::Reporting => {
                self.refresh_status(shared, commands);
                self.reporting_ui(ui);
            }
            View::Shipments => self.shipments.view_ui(ui, shared, self.year, commands),
        }
    }

    fn reconcile_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let Some(data) = &self.data else {
            note_ui(ui, "暂无数据");
            return;
        };
        let year = self.year;
        let mut section = self.section;
        ui.horizontal_wrapped(|ui| {
            let removed = if data.totals.double_counted_pairs > 0 {
                format!(
                    "已剔除重复统计 {}对 {}元",
                    data.totals.double_counted_pairs,
                    yuan_text(data.totals.double_counted)
                )
            } else {
                "未剔除重复统计".to_string()
            };
            ui.label(RichText::new(format!("{year}年：{removed}")).strong());
            ui.add_space(16.0);
            note_ui(ui, "附件3的记录与附件2为同一笔时只计一次（计在附件2）。");
        });
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(
                &mut section,
                Section::Matches,
                format!(
                    "疑似重复 {}对，已配对 {}对",
                    data.near.len(),
                    data.pairs.len()
                ),
            )
            .on_hover_text("待确认的疑似重复和已配对（只计一次）的记录");
            ui.add_space(8.0);
            ui.selectable_value(
                &mut section,
                Section::Unmatched(FormKind::Sale),
                format!(
                    "附件2未配对 {}条 {}元",
                    data.unmatched_sales.records,
                    yuan_text(data.unmatched_sales.amount)
                ),
            )
            .on_hover_text("列出没有对应附件3采购记录的附件2销售");
            ui.add_space(8.0);
            ui.selectable_value(
                &mut section,
                Section::Unmatched(FormKind::Procurement),
                format!(
                    "附件3未配对 {}条 {}元",
                    data.unmatched_procurements.records,
                    yuan_text(data.unmatched_procurements.amount)
                ),
            )
            .on_hover_text("列出没有对应附件2销售记录的附件3采购");
        });
        self.section = section;
        ui.add_space(4.0);
        if let Section::Unmatched(kind) = section {
            let list = if kind == FormKind::Sale {
                &mut self.unmatched_sales
            } else {
                &mut self.unmatched_procurements
            };
            ui.horizontal_wrapped(|ui| {
                township_combo_ui(
                    ui,
                    "unmatched_township",
                    "乡镇",
                    &mut self.unmatched_township,
                    shared.townships,
                    "全部乡镇",
                );
                ui.add_space(8.0);
                quarter_combo_ui(ui, "unmatched_quarter", &mut self.unmatched_quarter, true);
            });
            let filter = UnmatchedFilter {
                form: kind,
                year,
                quarter: self.unmatched_quarter,
                township_code: self.unmatched_township.clone(),
            };
            if let Err(e) = list.refresh_unmatched(shared.store, &filter, shared.data_version) {
                commands.push(Command::Error(format!("读取未配对记录失败：{e}")));
            }
            let (count, total) = list.totals();
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!("共 {count} 条，金额合计 {} 元", yuan_text(total)))
                        .strong(),
                );
                ui.add_space(12.0);
                let other = if kind == FormKind::Sale {
                    "附件3"
                } else {
                    "附件2"
                };
                note_ui(
                    ui,
                    &format!(
                        "没有与{other}配对的{}记录；标“疑似重复”的可在“疑似重复”中确认。点“编辑”在{}表中打开。",
                        kind.label(),
                        kind.label()
                    ),
                );
            });
            unmatched_table_ui(ui, shared, list, kind, &data.near_ids, commands);
            return;
        }
        let near_count = data.near.len();
        let pair_count = data.pairs.len();
        let mut near_page = self.near_page;
        let mut pair_page = self.pair_page;
        let mut unpair_asked = None;
        // An empty section takes one line; otherwise the near matches get a little more than half.
        let near_size = match (near_count, pair_count) {
            (0, _) => Size::exact(44.0),
            (_, 0) => Size::remainder(),
            _ => Size::relative(0.55).at_least(200.0),
        };
        let pair_size = if pair_count == 0 && near_count > 0 {
            Size::exact(60.0)
        } else {
            Size::remainder()
        };
        StripBuilder::new(ui)
            .size(near_size)
            .size(pair_size)
            .vertical(|mut strip| {
                strip.cell(|ui| {
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(format!("疑似重复（待确认）{near_count}对")).strong(),
                        );
                        pager_ui(ui, "near", &mut near_page, near_count, NEAR_PER_PAGE);
                    });
                    if near_count == 0 {
                        note_ui(ui, "没有待确认的疑似重复。");
                        return;
                    }
                    let widths = near_widths(ui.available_width());
                    near_header_ui(ui, &widths);
                    egui::ScrollArea::vertical()
                        .id_salt("near_matches")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            let start = near_page * NEAR_PER_PAGE;
                            for m in data.near.iter().skip(start).take(NEAR_PER_PAGE) {
                                near_match_ui(ui, m, &widths, commands);
                            }
                        });
                });
                strip.cell(|ui| {
                    ui.separator();
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(format!("已配对（只计一次）{pair_count}对")).strong(),
                        );
                        pager_ui(ui, "pairs", &mut pair_page, pair_count, PAIRS_PER_PAGE);
                    });
                    if pair_count == 0 {
                        note_ui(ui, "还没有配对的记录。");
                        return;
                    }
                    let widths = pair_widths(ui.available_width());
                    pair_header_ui(ui, &widths);
                    egui::ScrollArea::vertical()
                        .id_salt("same_sale_pairs")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            let start = pair_page * PAIRS_PER_PAGE;
                            for (procurement, sale) in
                                data.pairs.iter().skip(start).take(PAIRS_PER_PAGE)
                            {
                                pair_row_ui(ui, procurement, sale, &widths, &mut unpair_asked);
                            }
                        });
                });
            });
        self.near_page = near_page;
        self.pair_page = pair_page;
        if unpair_asked.is_some() {
            self.unpair_asked = unpair_asked;
        }
        if let Some((procurement, what)) = &self.unpair_asked {
            match confirm_ui(
                ui.ctx(),
                "confirm_unpair",
                "取消配对",
                &format!("确定这两条不是同一笔销售吗？\n{what}"),
                "取消后附件3这条重新计入全县合计，这两条以后也不会再自动配对。",
                "确认取消配对",
            ) {
                Confirm::Yes => {
                    commands.push(Command::Unpair {
                        procurement: *procurement,
                    });
                    self.unpair_asked = None;
                }
                Confirm::No => self.unpair_asked = None,
                Confirm::Pending => {}
            }
        }
    }

    fn reporting_ui(&mut self, ui: &mut Ui) {
        let Some(status) = &self.status else {
            note_ui(ui, "暂无数据");
            return;
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(reminder_text(status)).strong());
            ui.add_space(12.0);
            let late = status.late_units().len();
            if late > 0 {
                ui.label(RichText::new(format!("逾期报送 {late} 个")).color(WARNING_COLOR));
            }
        });
        note_ui(
            ui,
            "乡镇(街道)：本季度有附件2记录即为已报送；牵头单位：本季度有归属于该单位的附件3记录。首次录入晚于截止日为逾期报送。",
        );
        ui.add_space(4.0);
        StripBuilder::new(ui)
            .size(Size::relative(0.5).at_least(420.0))
            .size(Size::remainder().at_least(420.0))
            .horizontal(|mut strip| {
                strip.cell(|ui| {
                    ui.label(RichText::new("乡镇(街道)（附件2）").strong());
                    egui::ScrollArea::vertical()
                        .id_salt("reporting_townships")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            units_ui(
                                ui,
                                "reporting_townships_grid",
                                &status.townships,
                                status.deadline_passed,
                            )
                        });
                });
                strip.cell(|ui| {
                    ui.label(RichText::new("牵头单位（附件3）").strong());
                    egui::ScrollArea::vertical()
                        .id_salt("reporting_leads")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            units_ui(
                                ui,
                                "reporting_leads_grid",
                                &status.lead_units,
                                status.deadline_passed,
                            );
                            if !status.unattributed.is_empty() {
                                ui.add_space(8.0);
                                ui.label(RichText::new("未能归属到牵头单位的附件3记录").strong());
                                egui::Grid::new("reporting_unattributed")
                                    .num_columns(4)
                                    .striped(true)
                                    .show(ui, |ui| {
                                        for u in &status.unattributed {
                                            let unit = if u.submission_unit.is_empty() {
                                                "（手工录入）"
                                            } else {
                                                &u.submission_unit
                                            };
                                            ui.label(unit);
                                            ui.label(&u.purchaser);
                                            ui.label(format!("{} 条", u.records));
                                            ui.label(format!("{} 元", yuan_text(u.amount)));
                                            ui.end_row();
                                        }
                                    });
                            }
                        });
                });
            });
    }
}

/// The dashboard's reminder of a quarter: `2019年第3季度：12个乡镇、5个牵头单位未报送（报送截止9月30日；
/// 通报应于10月10日前发出）`.
pub(crate) fn reminder_text(status: &ReportingStatus) -> String {
    let townships = status.missing_townships().len();
    let leads = status.missing_lead_units().len();
    let missing = match (townships, leads) {
        (0, 0) => "各乡镇、牵头单位均已报送".to_string(),
        (t, 0) => format!("{t}个乡镇未报送"),
        (0, l) => format!("{l}个牵头单位未报送"),
        (t, l) => format!("{t}个乡镇、{l}个牵头单位未报送"),
    };
    format!(
        "{}：{missing}（报送截止{}；通报应于{}前发出）",
        status.quarter,
        month_day_text(status.report_deadline),
        month_day_text(status.bulletin_deadline)
    )
}

fn last_page(count: usize, per_page: usize) -> usize {
    count.saturating_sub(1) / per_page
}

/// `第 1/3 页` with 上一页/下一页, only when there is more than one page.
pub(super) fn pager_ui(ui: &mut Ui, id: &str, page: &mut usize, count: usize, per_page: usize) {
    let last = last_page(count, per_page);
    if last == 0 {
        return;
    }
    ui.push_id(id, |ui| {
        if ui
            .add_enabled(*page > 0, egui::Button::new("上一页").small())
            .clicked()
        {
            *page = page.saturating_sub(1);
        }
        ui.label(format!("第 {}/{} 页", *page + 1, last + 1));
        if ui
            .add_enabled(*page < last, egui::Button::new("下一页").small())
            .clicked()
        {
            *page = (*page + 1).min(last);
        }
    });
}

/// Columns of a near match: 表, 采购单位, 时间, 地区, 姓名, 品种, 数量, 金额.
const NEAR_COLUMNS: [(&str, f32); 8] = [
    ("", 56.0),
    ("采购单位", 220.0),
    ("时间", 90.0),
    ("地区", 230.0),
    ("姓名", 100.0),
    ("品种", 90.0),
    ("数量", 90.0),
    ("金额（元）", 100.0),
];

fn near_widths(available: f32) -> Vec<f32> {
    let natural: Vec<f32> = NEAR_COLUMNS.iter().map(|(_, w)| *w).collect();
    let spacing = 8.0 * NEAR_COLUMNS.len() as f32 + 24.0;
    fitted_widths(available, &natural, spacing).0
}

fn near_header_ui(ui: &mut Ui, widths: &[f32]) {
    ui.horizontal(|ui| {
        ui.add_space(8.0);
        for ((name, _), width) in NEAR_COLUMNS.iter().zip(widths) {
            cell_ui(ui, *width, RichText::new(*name).weak());
        }
    });
}

/// The cells of one row of a near match; `other` marks cells differing from the other side.
fn near_cells(row: &SaleRow, other: &SaleRow) -> Vec<(String, bool)> {
    let r = &row.record;
    let o = &other.record;
    vec![
        (r.purchaser.clone(), false),
        (super::records::shown_date(r), r.date != o.date),
        (r.region_text.clone(), r.village != o.village),
        (r.household.clone(), false),
        (r.product.clone(), false),
        (r.quantity_text.clone(), r.quantity_text != o.quantity_text),
        (yuan_text(r.amount), false),
    ]
}

/// One near match: the reason and the two buttons, then the 附件2 and 附件3 rows aligned.
fn near_match_ui(ui: &mut Ui, m: &NearMatch, widths: &[f32], commands: &mut Vec<Command>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.push_id(("near", m.procurement.id, m.sale.id), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("差异：{}", m.reason_text())).color(WARNING_COLOR));
                ui.add_space(12.0);
                if ui
                    .button(RichText::new("是同一笔").strong())
                    .on_hover_text("两条是同一笔销售：附件3这条不再重复计入（只计附件2）")
                    .clicked()
                {
                    commands.push(Command::ConfirmSameSale {
                        procurement: m.procurement.id,
                        sale: m.sale.id,
                    });
                }
                if ui
                    .button("不是同一笔")
                    .on_hover_text("两条是不同的销售：都计入，以后不再提示")
                    .clicked()
                {
                    commands.push(Command::RejectNearMatch {
                        procurement: m.procurement.id,
                        sale: m.sale.id,
                    });
                }
            });
            for (label, row, other) in [
                ("附件2", &m.sale, &m.procurement),
                ("附件3", &m.procurement, &m.sale),
            ] {
                ui.horizontal(|ui| {
                    cell_ui(ui, widths[0], RichText::new(label).strong());
                    for ((text, differs), width) in
                        near_cells(row, other).into_iter().zip(&widths[1..])
                    {
                        let text = if differs {
                            RichText::new(text).color(WARNING_COLOR)
                        } else {
                            RichText::new(text)
                        };
                        cell_ui(ui, *width, text);
                    }
                });
            }
        });
    });
}

/// Columns of a pair: 时间, 地区, 姓名, 品种, 金额, 附件2采购单位, 附件3采购单位.
const PAIR_COLUMNS: [(&str, f32); 7] = [
    ("时间（附件2）", 100.0),
    ("地区", 220.0),
    ("姓名", 100.0),
    ("品种", 90.0),
    ("金额（元）", 100.0),
    ("附件2采购单位", 200.0),
    ("附件3采购单位", 200.0),
];

fn pair_widths(available: f32) -> Vec<f32> {
    let natural: Vec<f32> = PAIR_COLUMNS.iter().map(|(_, w)| *w).collect();
    let spacing = 8.0 * PAIR_COLUMNS.len() as f32 + 90.0;
    fitted_widths(available, &natural, spacing).0
}

fn pair_header_ui(ui: &mut Ui, widths: &[f32]) {
    ui.horizontal(|ui| {
        for ((name, _), width) in PAIR_COLUMNS.iter().zip(widths) {
            cell_ui(ui, *width, RichText::new(*name).weak());
        }
    });
}

fn pair_row_ui(
    ui: &mut Ui,
    procurement: &SaleRow,
    sale: &SaleRow,
    widths: &[f32],
    unpair_asked: &mut Option<(i64, String)>,
) {
    let s = &sale.record;
    let cells = [
        super::records::shown_date(s),
        s.region_text.clone(),
        s.household.clone(),
        s.product.clone(),
        yuan_text(procurement.record.amount),
        s.purchaser.clone(),
        procurement.record.purchaser.clone(),
    ];
    ui.push_id(("pair", procurement.id), |ui| {
        ui.horizontal(|ui| {
            for (text, width) in cells.into_iter().zip(widths) {
                cell_ui(ui, *width, text);
            }
            if ui
                .small_button("取消配对")
                .on_hover_text("两条不是同一笔：附件3这条重新计入")
                .clicked()
            {
                *unpair_asked = Some((
                    procurement.id,
                    format!(
                        "{} {} {} {} {}元（附件2：{}；附件3：{}）",
                        super::records::shown_date(s),
                        s.household,
                        s.product,
                        s.quantity_text,
                        yuan_text(procurement.record.amount),
                        s.purchaser,
                        procurement.record.purchaser
                    ),
                ));
            }
        });
    });
}

/// The table of unmatched records of `kind`: 编辑, date, township and village, household, product,
/// quantity, amount, purchaser, and a mark on rows that are in a near match. Only the visible rows
/// are fetched (by id, in blocks, cached by [`SaleList`]); 编辑 opens the record in its form tab.
fn unmatched_table_ui(
    ui: &mut Ui,
    shared: &Shared<'_>,
    list: &mut SaleList,
    kind: FormKind,
    near_ids: &HashSet<i64>,
    commands: &mut Vec<Command>,
) {
    if list.len() == 0 {
        ui.add_space(20.0);
        ui.vertical_centered(|ui| note_ui(ui, "没有符合筛选条件的未配对记录"));
        return;
    }
    let (date_col, qty_col, amount_col) = kind.column_names();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    // 时间, 地区, 贫困户姓名, 产品品种, 数量, 金额, 采购单位; 操作 and 说明 are fixed.
    let natural = [96.0, 190.0, 96.0, 90.0, 80.0, 96.0, 230.0];
    let actions_width = 48.0;
    let note_width = 120.0;
    let spacing = ui.spacing().item_spacing.x * 10.0;
    let (widths, key) = fitted_widths(
        ui.available_width(),
        &natural,
        actions_width + note_width + spacing,
    );
    let mut table = TableBuilder::new(ui)
        .id_salt(("unmatched_table", kind.number(), key))
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink([false, false])
        .column(Column::exact(actions_width));
    for width in widths {
        table = table.column(Column::initial(width).at_least(40.0).clip(true));
    }
    table = table.column(Column::remainder().at_least(60.0).clip(true));
    let mut error: Option<String> = None;
    table
        .header(row_height, |mut header| {
            for title in [
                "操作",
                date_col,
                "乡镇(街道)/村(社区)",
                "贫困户姓名",
                "产品品种",
                qty_col,
                amount_col,
                "采购单位",
                "说明",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, list.len(), |mut table_row| {
                let row = match list.row(shared.store, table_row.index()) {
                    Ok(Some(row)) => row,
                    Ok(None) => return,
                    Err(e) => {
                        error.get_or_insert_with(|| format!("读取未配对记录失败：{e}"));
                        return;
                    }
                };
                let record = &row.record;
                table_row.col(|ui| {
                    if ui
                        .small_button("编辑")
                        .on_hover_text(format!("在{}表中打开这条记录", kind.label()))
                        .clicked()
                    {
                        commands.push(Command::EditRecord { id: row.id, kind });
                    }
                });
                table_row.col(|ui| {
                    super::records::date_label_ui(ui, record);
                });
                table_row.col(|ui| {
                    let place = if record.village.is_empty() {
                        row.township_name.clone()
                    } else {
                        format!("{} {}", row.township_name, record.village)
                    };
                    ui.label(place)
                        .on_hover_text(format!("填写为：{}", record.region_text));
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
                    ui.label(&record.purchaser).on_hover_text(&record.purchaser);
                });
                table_row.col(|ui| {
                    if near_ids.contains(&row.id) {
                        ui.label(RichText::new("疑似重复，待确认").color(WARNING_COLOR))
                            .on_hover_text("在“疑似重复”中确认是否与另一表的记录为同一笔");
                    } else if !record.warnings.is_empty() {
                        ui.label(RichText::new(format!("{}条提示", record.warnings.len())).weak())
                            .on_hover_text(record.warnings.join("\n"));
                    }
                });
            });
        });
    if let Some(error) = error {
        commands.push(Command::Error(error));
    }
}

fn state_text(state: ReportState, deadline_passed: bool) -> RichText {
    let text = RichText::new(state.name());
    match state {
        ReportState::Reported => text.color(OK_COLOR),
        ReportState::Late => text.color(WARNING_COLOR),
        ReportState::Missing if deadline_passed => text.color(ERROR_COLOR),
        ReportState::Missing => text.weak(),
    }
}

fn time_text(time: Option<chrono::NaiveDateTime>) -> String {
    time.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The status board of townships or lead units.
fn units_ui(ui: &mut Ui, id: &str, units: &[UnitReport], deadline_passed: bool) {
    egui::Grid::new(id)
        .num_columns(6)
        .spacing([10.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            for header in ["名称", "状态", "条数", "金额（元）", "首次录入", "最近录入"]
            {
                ui.label(RichText::new(header).weak());
            }
            ui.end_row();
            for unit in units {
                let name = ui.label(&unit.name);
                if !unit.channel.is_empty() {
                    let led = if unit.sub_channel.is_empty() {
                        unit.channel.clone()
                    } else {
                        format!("{}/{}", unit.channel, unit.sub_channel)
                    };
                    name.on_hover_text(format!("牵头：{led}"));
                }
                ui.label(state_text(unit.state, deadline_passed));
                ui.label(unit.records.to_string());
                ui.label(yuan_text(unit.amount));
                ui.label(time_text(unit.first_entered));
                ui.label(time_text(unit.last_entered));
                ui.end_row();
            }
        });
}
