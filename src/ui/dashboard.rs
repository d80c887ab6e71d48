//! The 进度 tab: progress of a chosen year against the plan (一, 四): the county total against
//! 6000万元, the deep-poverty part against 1000万元, each channel against its target with its
//! sub-channels, quarters, townships, and a chart of the cumulative amount by month against the
//! straight-line target. Every figure is clickable and opens the records behind it (R8).
//! Above the figures, a reminder of the current quarter's reporting (who has not reported, the
//! deadlines) and the arrears (欠款, R12) with a window listing them per purchaser.

use chrono::Datelike;
use egui::{RichText, Ui};
use egui_extras::{Size, StripBuilder};

use super::price_flags::PriceFlagsPanel;
use super::reconcile::reminder_text;
use super::widgets::{
    ERROR_COLOR, WARNING_COLOR, current_quarter, fraction, note_ui, wan_short, wan_text,
    year_choices, year_combo_ui, yuan_text,
};
use super::{Command, Shared};
use crate::domain::{Channel, Money, SubChannel};
use crate::report::dashboard::{Dashboard, dashboard, percent};
use crate::store::{
    ReportingStatus, SaleFilter, ShipmentCoverage, UnpaidBuckets, UnpaidRow, unpaid_totals,
};

/// The 进度 tab's state: the year shown and the figures read for it.
pub(crate) struct DashboardTab {
    year: i32,
    loaded: Option<(u64, i32)>,
    data: Option<Dashboard>,
    years: Vec<i32>,
    /// The reporting status of the current quarter of the year shown, and the arrears by
    /// purchaser, read for (data version, year, today).
    reminders_loaded: Option<(u64, i32, chrono::NaiveDate)>,
    reporting: Option<ReportingStatus>,
    unpaid: Vec<UnpaidRow>,
    unpaid_window: bool,
    /// Price flags of the year shown (R12) and their window.
    price_flags: PriceFlagsPanel,
    /// Counted sales with a linked courier shipment (R5), read with the reminders.
    shipments: Option<ShipmentCoverage>,
}

/// What a click on a figure asks for.
struct FigureClick {
    filter: SaleFilter,
    description: String,
}

impl DashboardTab {
    /// The tab showing `year`.
    pub(crate) fn new(year: i32) -> Self {
        Self {
            year,
            loaded: None,
            data: None,
            years: Vec::new(),
            reminders_loaded: None,
            reporting: None,
            unpaid: Vec::new(),
            unpaid_window: false,
            price_flags: PriceFlagsPanel::new(),
            shipments: None,
        }
    }

    /// The year shown.
    pub(crate) fn year(&self) -> i32 {
        self.year
    }

    fn refresh(&mut self, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self.loaded == Some((shared.data_version, self.year)) {
            return;
        }
        self.loaded = Some((shared.data_version, self.year));
        self.years = year_choices(shared.store.sale_years().unwrap_or_default(), shared.today);
        match dashboard(shared.store, self.year) {
            Ok(data) => self.data = Some(data),
            Err(e) => {
                self.data = None;
                commands.push(Command::Error(format!("读取{}年进度失败：{e}", self.year)));
            }
        }
    }

    fn refresh_reminders(&mut self, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        let key = (shared.data_version, self.year, shared.today);
        if self.reminders_loaded == Some(key) {
            return;
        }
        self.reminders_loaded = Some(key);
        let quarter = current_quarter(self.year, shared.today);
        self.reporting = match shared.store.reporting_status(quarter, shared.today) {
            Ok(status) => Some(status),
            Err(e) => {
                commands.push(Command::Error(format!("读取{quarter}报送情况失败：{e}")));
                None
            }
        };
        self.shipments = match shared.store.shipment_coverage(self.year) {
            Ok(coverage) => Some(coverage),
            Err(e) => {
                commands.push(Command::Error(format!("读取物流记录失败：{e}")));
                None
            }
        };
        self.unpaid = match shared.store.unpaid_by_age(shared.today) {
            Ok(rows) => rows,
            Err(e) => {
                commands.push(Command::Error(format!("读取欠款情况失败：{e}")));
                Vec::new()
            }
        };
    }

    /// Draws the tab.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        self.refresh(shared, commands);
        self.refresh_reminders(shared, commands);
        self.price_flags
            .refresh(ui.ctx(), shared, self.year, commands);
        self.unpaid_window_ui(ui.ctx(), shared.today);
        self.price_flags.window_ui(ui.ctx(), self.year, commands);
        ui.horizontal(|ui| {
            let mut year = Some(self.year);
            if year_combo_ui(ui, "dashboard_year", "年度", &mut year, &self.years, None)
                && let Some(year) = year
            {
                self.year = year;
            }
            if let Some(data) = &self.data {
                ui.add_space(12.0);
                ui.label(format!("计入进度的记录 {} 条", data.totals.record_count));
            }
            ui.add_space(12.0);
            note_ui(
                ui,
                "金额单位：万元（括号内为元）。点击任一项目名称可查看其背后的记录。",
            );
        });
        self.reminders_ui(ui);
        ui.separator();
        let Some(data) = self.data.clone() else {
            note_ui(ui, "暂无数据");
            return;
        };
        let mut click: Option<FigureClick> = None;
        let base = SaleFilter {
            year: Some(data.year),
            counted_only: true,
            form: None,
            ..Default::default()
        };
        let year = data.year;
        StripBuilder::new(ui)
            .size(Size::relative(0.38).at_least(420.0))
            .size(Size::relative(0.33).at_least(340.0))
            .size(Size::remainder().at_least(260.0))
            .horizontal(|mut strip| {
                strip.cell(|ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("dashboard_left")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            overall_ui(ui, &data, &base, &mut click);
                            ui.add_space(8.0);
                            channels_ui(ui, &data, &base, &mut click);
                        });
                });
                strip.cell(|ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("dashboard_middle")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            quarters_ui(ui, &data, &base, &mut click);
                            ui.add_space(8.0);
                            chart_ui(ui, &data, shared.today);
                        });
                });
                strip.cell(|ui| {
                    ui.label(RichText::new("按乡镇(街道)").strong());
                    egui::ScrollArea::vertical()
                        .id_salt("dashboard_right")
                        .auto_shrink([false, false])
                        .show(ui, |ui| {
                            townships_ui(ui, &data, &base, &mut click);
                        });
                });
            });
        if let Some(FigureClick {
            filter,
            description,
        }) = click
        {
            commands.push(Command::ShowRecords {
                filter,
                description: format!("{year}年 · {description}"),
            });
        }
    }
}

impl DashboardTab {
    /// The reminder box: reporting of the current quarter, and the arrears (clickable).
    fn reminders_ui(&mut self, ui: &mut Ui) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                if let Some(status) = &self.reporting {
                    let missing = !status.missing_townships().is_empty()
                        || !status.missing_lead_units().is_empty();
                    let color = match (missing, status.deadline_passed) {
                        (false, _) => ui.visuals().text_color(),
                        (true, true) => ERROR_COLOR,
                        (true, false) => WARNING_COLOR,
                    };
                    ui.label(RichText::new(reminder_text(status)).color(color))
                        .on_hover_text("详见“对账”中的“报送情况”");
                    ui.add_space(16.0);
                }
                let totals = unpaid_totals(&self.unpaid);
                if totals.records == 0 {
                    ui.label(RichText::new("欠款：无").weak());
                } else {
                    let response = ui
                        .link(unpaid_text(&totals))
                        .on_hover_text("未付款的销售/采购（按销售时间计天数）；点击查看各采购单位");
                    if response.clicked() {
                        self.unpaid_window = !self.unpaid_window;
                    }
                }
                ui.add_space(16.0);
                unsplit(ui, |ui| self.price_flags.figure_ui(ui));
                if let Some(coverage) = &self.shipments {
                    ui.add_space(16.0);
                    unsplit(ui, |ui| shipments_figure_ui(ui, coverage));
                }
            });
        });
    }

    /// The 欠款 window: unpaid records per purchaser by age.
    fn unpaid_window_ui(&mut self, ctx: &egui::Context, today: chrono::NaiveDate) {
        if !self.unpaid_window {
            return;
        }
        let mut open = true;
        egui::Window::new("欠款明细（按采购单位）")
            .id(egui::Id::unique("unpaid_window"))
            .open(&mut open)
            .collapsible(false)
            .default_pos(egui::pos2(300.0, 130.0))
            .default_width(760.0)
            .default_height(420.0)
            .show(ctx, |ui| {
                note_ui(
                    ui,
                    &format!(
                        "截至{}未付款的记录，按销售(采购)时间计天数；金额单位：元。",
                        today.format("%Y年%-m月%-d日")
                    ),
                );
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        egui::Grid::new("unpaid_grid")
                            .num_columns(7)
                            .spacing([12.0, 4.0])
                            .striped(true)
                            .show(ui, |ui| {
                                for header in [
                                    "采购单位",
                                    "条数",
                                    "30天内",
                                    "31至60天",
                                    "61至90天",
                                    "90天以上",
                                    "最早一笔",
                                ] {
                                    ui.label(RichText::new(header).weak());
                                }
                                ui.end_row();
                                for row in &self.unpaid {
                                    let b = &row.buckets;
                                    ui.label(&row.purchaser);
                                    ui.label(b.records.to_string());
                                    ui.label(yuan_text(b.within_30));
                                    ui.label(yuan_text(b.days_31_to_60));
                                    ui.label(yuan_text(b.days_61_to_90));
                                    let over = RichText::new(yuan_text(b.over_90));
                                    ui.label(if b.over_90.yuan().is_zero() {
                                        over
                                    } else {
                                        over.color(ERROR_COLOR)
                                    });
                                    ui.label(row.oldest.to_string());
                                    ui.end_row();
                                }
                            });
                    });
            });
        if !open {
            self.unpaid_window = false;
        }
    }
}

/// Adds a short figure to the wrapping reminder line as one piece: when it does not fit the rest of
/// the line it starts the next one, instead of being split between two lines (`…销售 13` / `笔，占0.4%`).
fn unsplit(ui: &mut Ui, add: impl FnOnce(&mut Ui)) {
    let wrap_mode = ui.style().wrap_mode;
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
    add(ui);
    ui.style_mut().wrap_mode = wrap_mode;
}

/// `有物流记录的销售 3笔，占25.0%` (R5), with the amount share on hover; weak while no courier data.
fn shipments_figure_ui(ui: &mut Ui, coverage: &ShipmentCoverage) {
    if coverage.shipments == 0 && coverage.linked_sales == 0 {
        ui.label(RichText::new("物流记录：本年度尚未导入").weak())
            .on_hover_text("导入快递、邮政寄件明细后，可核实销售去向；详见“对账”中的“物流记录”");
        return;
    }
    ui.label(format!(
        "有物流记录的销售 {}笔，占{}%",
        coverage.linked_sales,
        coverage.count_share()
    ))
    .on_hover_text(format!(
        "按金额计占{}%；物流记录{}条，已关联{}条。物流记录只用于核实，不计入金额；详见“对账”中的“物流记录”",
        coverage.amount_share(),
        coverage.shipments,
        coverage.linked_shipments
    ));
}

/// `欠款 12.50万元（超过30天 8.00万元，超过60天 5.00万元，超过90天 2.00万元）`.
fn unpaid_text(totals: &UnpaidBuckets) -> String {
    let over_60 = totals.days_61_to_90 + totals.over_90;
    format!(
        "欠款 {}万元（超过30天 {}万元，超过60天 {}万元，超过90天 {}万元）",
        wan_text(totals.total()),
        wan_text(totals.overdue()),
        wan_text(over_60),
        wan_text(totals.over_90)
    )
}

/// One figure: the clickable name, a progress bar (when there is a target), 万元 and 元.
/// Its accessible name is `name：90.00元`. Ends the grid row. Returns true when clicked.
fn figure_row_ui(
    ui: &mut Ui,
    name: &str,
    indent: bool,
    actual: Money,
    target: Option<Money>,
    share_of: Option<Money>,
) -> bool {
    let shown = if indent {
        format!("    {name}")
    } else {
        name.to_string()
    };
    let clicked = ui
        .link(shown)
        .accessible_name(format!("{name}：{}元", yuan_text(actual)))
        .on_hover_text("查看这部分的记录（明细）")
        .clicked();
    match (target, share_of) {
        (Some(target), _) => {
            ui.add(
                egui::ProgressBar::new(fraction(actual, target))
                    .desired_width(110.0)
                    .text(format!("{}%", percent(actual, target))),
            );
            ui.label(format!("{} / {} 万元", wan_text(actual), wan_short(target)));
        }
        (None, Some(whole)) => {
            ui.label(RichText::new(format!("占 {}%", percent(actual, whole))).weak());
            ui.label(format!("{} 万元", wan_text(actual)));
        }
        (None, None) => {
            ui.label("");
            ui.label(format!("{} 万元", wan_text(actual)));
        }
    }
    ui.label(RichText::new(format!("{} 元", yuan_text(actual))).weak());
    ui.end_row();
    clicked
}

fn overall_ui(ui: &mut Ui, data: &Dashboard, base: &SaleFilter, click: &mut Option<FigureClick>) {
    ui.label(RichText::new("总体目标").strong());
    egui::Grid::new("dashboard_overall")
        .num_columns(4)
        .spacing([10.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            if figure_row_ui(
                ui,
                "全县合计",
                false,
                data.totals.total,
                Some(data.targets.total),
                None,
            ) {
                *click = Some(FigureClick {
                    filter: base.clone(),
                    description: "全县合计".into(),
                });
            }
            if figure_row_ui(
                ui,
                "深度贫困镇村",
                false,
                data.totals.deep_poverty,
                Some(data.targets.deep_poverty),
                None,
            ) {
                *click = Some(FigureClick {
                    filter: SaleFilter {
                        deep_poverty_only: true,
                        ..base.clone()
                    },
                    description: "深度贫困镇村".into(),
                });
            }
            if !data.totals.unclassified.yuan().is_zero()
                && figure_row_ui(
                    ui,
                    "未分类采购单位",
                    false,
                    data.totals.unclassified,
                    None,
                    Some(data.totals.total),
                )
            {
                *click = Some(FigureClick {
                    filter: SaleFilter {
                        unclassified_only: true,
                        ..base.clone()
                    },
                    description: "采购单位类型未设置（未分类）".into(),
                });
            }
        });
    if data.totals.double_counted_pairs > 0 {
        ui.label(format!(
            "已剔除重复统计 {}对 {}元",
            data.totals.double_counted_pairs,
            yuan_text(data.totals.double_counted)
        ))
        .on_hover_text("附件3中与附件2为同一笔销售的采购只计一次（计在附件2）；详见“对账”");
    }
}

fn channels_ui(ui: &mut Ui, data: &Dashboard, base: &SaleFilter, click: &mut Option<FigureClick>) {
    ui.label(RichText::new("按销售方式（六销）").strong());
    egui::Grid::new("dashboard_channels")
        .num_columns(4)
        .spacing([10.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for channel in &data.channels {
                let target = data.targets.channel(channel.channel);
                if figure_row_ui(
                    ui,
                    channel.channel.name(),
                    false,
                    channel.amount,
                    Some(target),
                    None,
                ) {
                    *click = Some(channel_click(base, channel.channel, None));
                }
                for (sub, amount) in &channel.sub_channels {
                    if figure_row_ui(ui, sub.name(), true, *amount, None, Some(channel.amount)) {
                        *click = Some(channel_click(base, channel.channel, Some(*sub)));
                    }
                }
            }
        });
}

fn channel_click(base: &SaleFilter, channel: Channel, sub: Option<SubChannel>) -> FigureClick {
    let description = match sub {
        Some(sub) => format!("{}/{}", channel.name(), sub.name()),
        None => channel.name().to_string(),
    };
    FigureClick {
        filter: SaleFilter {
            channel: Some(channel),
            sub_channel: sub,
            ..base.clone()
        },
        description,
    }
}

fn quarters_ui(ui: &mut Ui, data: &Dashboard, base: &SaleFilter, click: &mut Option<FigureClick>) {
    ui.label(RichText::new("按季度").strong());
    egui::Grid::new("dashboard_quarters")
        .num_columns(4)
        .spacing([10.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            for (quarter, amount) in &data.quarters {
                let name = format!("第{quarter}季度");
                if figure_row_ui(ui, &name, false, *amount, None, Some(data.totals.total)) {
                    *click = Some(FigureClick {
                        filter: SaleFilter {
                            quarter: Some(*quarter),
                            ..base.clone()
                        },
                        description: name,
                    });
                }
            }
        });
}

fn townships_ui(ui: &mut Ui, data: &Dashboard, base: &SaleFilter, click: &mut Option<FigureClick>) {
    egui::Grid::new("dashboard_townships")
        .num_columns(4)
        .spacing([8.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            for township in &data.townships {
                let name = if township.deep_poverty {
                    format!("{}（深）", township.name)
                } else {
                    township.name.clone()
                };
                let clicked = ui
                    .link(&name)
                    .accessible_name(format!(
                        "{}：{}元",
                        township.name,
                        yuan_text(township.amount)
                    ))
                    .on_hover_text(if township.deep_poverty {
                        "深度贫困乡镇；点击查看记录"
                    } else {
                        "点击查看记录"
                    })
                    .clicked();
                ui.label(RichText::new(format!("{} 条", township.record_count)).weak());
                ui.label(format!("{} 万元", wan_text(township.amount)));
                ui.label(RichText::new(format!("{} 元", yuan_text(township.amount))).weak());
                ui.end_row();
                if clicked {
                    *click = Some(FigureClick {
                        filter: SaleFilter {
                            township_code: Some(township.code.clone()),
                            ..base.clone()
                        },
                        description: township.name.clone(),
                    });
                }
            }
        });
}

/// Cumulative amount by month (万元) against the straight line from 0 to the year's target.
fn chart_ui(ui: &mut Ui, data: &Dashboard, today: chrono::NaiveDate) {
    ui.label(RichText::new("累计完成与目标进度（万元）").strong());
    let last_month = if data.year == today.year() {
        today.month()
    } else if data.year > today.year() {
        0
    } else {
        12
    };
    // The plot is the one place money becomes f64.
    let to_wan = |m: Money| -> f64 { m.wan_yuan(4).to_string().parse().unwrap_or(0.0) };
    let mut cumulative = Money::ZERO;
    let mut actual: Vec<[f64; 2]> = vec![[0.0, 0.0]];
    for month in &data.months {
        if month.month > last_month {
            break;
        }
        cumulative += month.amount;
        actual.push([f64::from(month.month), to_wan(cumulative)]);
    }
    let target = to_wan(data.targets.total);
    let target_line: Vec<[f64; 2]> = vec![[0.0, 0.0], [12.0, target]];
    ui.name_inputs("累计完成与目标进度图", |ui| {
        egui_plot::Plot::new("dashboard_chart")
            .height(260.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .include_x(0.0)
            .include_x(12.0)
            .include_y(0.0)
            .x_grid_spacer(|_| {
                (0..=12)
                    .map(|m| egui_plot::GridMark {
                        value: f64::from(m),
                        step_size: if m % 3 == 0 { 3.0 } else { 1.0 },
                    })
                    .collect()
            })
            .x_axis_formatter(|mark, _| {
                let m = mark.value.round();
                if (1.0..=12.0).contains(&m) && (mark.value - m).abs() < 1e-6 {
                    format!("{m}月")
                } else {
                    String::new()
                }
            })
            .legend(egui_plot::Legend::default().position(egui_plot::Corner::LeftTop))
            .show(ui, |plot_ui| {
                plot_ui.line(
                    egui_plot::Line::new("目标进度线", target_line)
                        .color(egui::Color32::from_rgb(0x99, 0x99, 0x99))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
                plot_ui.line(
                    egui_plot::Line::new("累计完成", actual)
                        .color(egui::Color32::from_rgb(0xC0, 0x30, 0x30))
                        .width(2.0),
                );
            });
    });
    note_ui(
        ui,
        &format!(
            "虚线：从1月到12月均匀完成全年目标 {} 万元",
            wan_short(data.targets.total)
        ),
    );
}
