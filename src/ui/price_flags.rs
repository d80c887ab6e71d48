//! Price flags for review (R12, 五(二) "遵循市场价格规律"): the 进度 tab's figure
//! `价格异常待核 N笔` and the window listing the flagged records with their unit price, the
//! reference (本户目录价 or 全县中位价) and the ratio. The rule is in
//! [`crate::store::Store::price_check`]; "编辑" opens a record in its form tab.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use super::job::BackgroundJob;
use super::widgets::{ERROR_COLOR, WARNING_COLOR, note_ui, yuan_text};
use super::{Command, Shared};
use crate::domain::price_check::{HIGH_RATIO, LOW_RATIO, MEDIAN_MIN_SALES};
use crate::store::{PriceCheck, PriceFlag, Store};

/// The price check of the year shown on the dashboard, and its window.
pub(crate) struct PriceFlagsPanel {
    /// (data version, year) the check was asked for.
    loaded: Option<(u64, i32)>,
    /// The year of `check`.
    year: Option<i32>,
    check: Option<PriceCheck>,
    /// A check running on its own connection (it reads every record of the year: about 0.25 s per
    /// 100,000 records), with its year.
    job: Option<(i32, BackgroundJob<Result<PriceCheck, String>>)>,
    open: bool,
}

impl PriceFlagsPanel {
    /// Nothing checked yet; the window closed.
    pub(crate) fn new() -> Self {
        Self {
            loaded: None,
            year: None,
            check: None,
            job: None,
            open: false,
        }
    }

    /// Checks `year` again when the data or the year changed: in the background for a database
    /// file (the window stays responsive), at once for an in-memory one. Collects a finished check.
    pub(crate) fn refresh(
        &mut self,
        ctx: &egui::Context,
        shared: &Shared<'_>,
        year: i32,
        commands: &mut Vec<Command>,
    ) {
        if let Some((job_year, job)) = &self.job
            && let Some(outcome) = job.take()
        {
            let job_year = *job_year;
            self.job = None;
            match outcome {
                Ok(check) => {
                    self.check = Some(check);
                    self.year = Some(job_year);
                }
                Err(message) => commands.push(Command::Error(format!("价格核查失败：{message}"))),
            }
        }
        let key = (shared.data_version, year);
        if self.loaded == Some(key) {
            return;
        }
        self.loaded = Some(key);
        if self.year != Some(year) {
            self.check = None;
        }
        match shared.store.path() {
            Some(path) => {
                let path = path.to_path_buf();
                let job = BackgroundJob::start(
                    ctx,
                    "price_check",
                    move |_| {
                        Store::open_existing(&path)
                            .and_then(|store| store.price_check(year))
                            .map_err(|e| e.to_string())
                    },
                    |e| Err(format!("无法启动价格核查：{e}")),
                );
                // A newer request replaces a running one (its outcome is dropped).
                self.job = Some((year, job));
            }
            None => match shared.store.price_check(year) {
                Ok(check) => {
                    self.check = Some(check);
                    self.year = Some(year);
                }
                Err(e) => commands.push(Command::Error(format!("价格核查失败：{e}"))),
            },
        }
    }

    /// The number of flagged records (0 before the first read).
    pub(crate) fn count(&self) -> usize {
        self.check.as_ref().map_or(0, |c| c.flags.len())
    }

    /// The dashboard figure `价格异常待核 N笔`; a click opens or closes the window.
    pub(crate) fn figure_ui(&mut self, ui: &mut Ui) {
        if self.check.is_none() {
            if self.job.is_some() {
                ui.label(RichText::new("价格异常：核查中…").weak());
            }
            return;
        }
        let count = self.count();
        if count == 0 {
            ui.label(RichText::new("价格异常待核：无").weak())
                .on_hover_text(rule_text());
            return;
        }
        if ui
            .link(RichText::new(format!("价格异常待核 {count}笔")).color(WARNING_COLOR))
            .on_hover_text(format!("{}；点击查看", rule_text()))
            .clicked()
        {
            self.open = !self.open;
        }
    }

    /// The window listing the flagged records of `year`.
    pub(crate) fn window_ui(
        &mut self,
        ctx: &egui::Context,
        year: i32,
        commands: &mut Vec<Command>,
    ) {
        if !self.open {
            return;
        }
        let Some(check) = &self.check else {
            return;
        };
        let mut open = true;
        let screen = ctx.content_rect();
        egui::Window::new(format!("价格异常待核（{year}年）"))
            .id(egui::Id::unique("price_flags_window"))
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .constrain(true)
            .default_pos([20.0, 90.0])
            .default_size([
                (screen.width() - 40.0).min(1300.0),
                (screen.height() - 160.0).min(520.0),
            ])
            .show(ctx, |ui| {
                note_ui(ui, &rule_text());
                ui.label(format!(
                    "按本户目录价核查 {} 笔，按全县中位价核查 {} 笔，未核查 {} 笔（面议、无单位或无参考价）；待核 {} 笔。",
                    check.checked_by_catalogue,
                    check.checked_by_median,
                    check.unchecked,
                    check.flags.len()
                ));
                ui.separator();
                flags_table_ui(ui, &check.flags, commands);
            });
        if !open {
            self.open = false;
        }
    }
}

/// The rule in one Chinese sentence.
fn rule_text() -> String {
    format!(
        "单价=金额÷数量（换算到参考价的单位，斤与公斤可互换）；单价低于参考价的{}倍或高于{}倍即列为待核。参考价：本户待销目录中该产品的价格；目录中没有时用全县本年同一产品、同一单位的中位价（至少{}笔）。目录价为面议的不核查。",
        LOW_RATIO.normalize(),
        HIGH_RATIO.normalize(),
        MEDIAN_MIN_SALES
    )
}

fn flags_table_ui(ui: &mut Ui, flags: &[PriceFlag], commands: &mut Vec<Command>) {
    let row_height = ui.spacing().interact_size.y + 4.0;
    TableBuilder::new(ui)
        .id_salt("price_flags_table")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink([false, false])
        .column(Column::exact(44.0))
        .column(Column::initial(80.0))
        .column(Column::initial(50.0))
        .column(Column::initial(140.0).clip(true))
        .column(Column::initial(70.0).clip(true))
        .column(Column::initial(70.0).clip(true))
        .column(Column::initial(130.0).clip(true))
        .column(Column::initial(70.0).clip(true))
        .column(Column::initial(90.0))
        .column(Column::initial(95.0))
        .column(Column::initial(95.0))
        .column(Column::initial(120.0))
        .column(Column::remainder().at_least(50.0))
        .header(row_height, |mut header| {
            for title in [
                "操作",
                "日期",
                "表",
                "地区",
                "贫困户",
                "产品",
                "采购单位",
                "数量",
                "金额(元)",
                "单价(元)",
                "参考价(元)",
                "参考",
                "倍数",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, flags.len(), |mut row| {
                let Some(flag) = flags.get(row.index()) else {
                    return;
                };
                row.col(|ui| {
                    if ui
                        .small_button("编辑")
                        .accessible_name(format!("编辑价格待核记录 {}", flag.sale_id))
                        .on_hover_text("在对应表中打开这条记录")
                        .clicked()
                    {
                        commands.push(Command::EditRecord {
                            id: flag.sale_id,
                            kind: flag.kind,
                        });
                    }
                });
                row.col(|ui| {
                    ui.label(flag.date.format("%Y.%-m.%-d").to_string());
                });
                row.col(|ui| {
                    ui.label(flag.kind.label());
                });
                row.col(|ui| {
                    let region = format!("{}{}", flag.township, flag.village);
                    ui.label(&region).on_hover_text(&region);
                });
                row.col(|ui| {
                    ui.label(&flag.household);
                });
                row.col(|ui| {
                    ui.label(&flag.product);
                });
                row.col(|ui| {
                    ui.label(&flag.purchaser).on_hover_text(&flag.purchaser);
                });
                row.col(|ui| {
                    ui.label(&flag.quantity_text);
                });
                row.col(|ui| {
                    ui.label(yuan_text(flag.amount));
                });
                row.col(|ui| {
                    ui.label(format!("{:.2}/{}", flag.unit_price, flag.unit));
                });
                row.col(|ui| {
                    ui.label(format!("{:.2}/{}", flag.reference_price, flag.unit));
                });
                row.col(|ui| {
                    ui.label(flag.reference.label());
                });
                row.col(|ui| {
                    let high = flag.ratio > rust_decimal::Decimal::ONE;
                    ui.label(
                        RichText::new(format!("{:.2}倍", flag.ratio)).color(if high {
                            ERROR_COLOR
                        } else {
                            WARNING_COLOR
                        }),
                    )
                    .on_hover_text(if high {
                        "高于参考价"
                    } else {
                        "低于参考价"
                    });
                });
            });
        });
}
