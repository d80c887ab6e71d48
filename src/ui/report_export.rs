//! 导出通报 / 汇编供应目录: the quarterly bulletin (通报) and the county supply catalogue (供应目录)
//! written as xlsx on a background thread, with the same path dialog + fallback path field as the
//! form export ([`super::export`]).
//!
//! The job opens its own [`Store`] on the database file, gathers the figures with
//! [`crate::report::bulletin::bulletin`] / [`crate::report::supply_catalogue::supply_catalogue`]
//! (as of the day the job starts) and writes the file atomically.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::export::{default_export_dir, with_xlsx_extension};
use super::job::BackgroundJob;
use super::widgets::{ERROR_COLOR, OK_COLOR, note_ui};
use super::{Command, ReportKind};
use crate::store::Store;

/// What a finished job produced: a Chinese summary and the file written.
type ReportOutcome = Result<(String, PathBuf), String>;

/// A running report export.
pub(crate) struct ReportJob {
    job: BackgroundJob<ReportOutcome>,
    out: PathBuf,
}

impl ReportJob {
    /// Starts writing `report` from the database at `db_path` to `out` (figures as of `today`).
    pub(crate) fn start(
        ctx: &egui::Context,
        db_path: &Path,
        report: ReportKind,
        out: PathBuf,
        today: chrono::NaiveDate,
    ) -> Self {
        let db_path = db_path.to_path_buf();
        let target = out.clone();
        let job = BackgroundJob::start(
            ctx,
            "report",
            move |_| {
                write_report(&db_path, report, &target, today).map(|message| (message, target))
            },
            |e| Err(format!("无法启动导出：{e}")),
        );
        ReportJob { job, out }
    }

    fn take_result(&self) -> Option<ReportOutcome> {
        self.job.take()
    }
}

/// Gathers and writes one report; returns the Chinese summary (as the CLI prints it).
fn write_report(
    db_path: &Path,
    report: ReportKind,
    out: &Path,
    today: chrono::NaiveDate,
) -> Result<String, String> {
    let store = Store::open(db_path).map_err(|e| e.to_string())?;
    match report {
        ReportKind::Bulletin(quarter) => {
            let figures = crate::report::bulletin::bulletin(&store, quarter, today)
                .map_err(|e| e.to_string())?;
            crate::report::bulletin::write_bulletin(&figures, out).map_err(|e| e.to_string())?;
            Ok(format!(
                "已生成{}：本季度 {} 元，本年累计 {} 元，未报送乡镇(街道){}个、牵头单位{}个",
                figures.title(),
                figures.current.total,
                figures.year_to_date.total,
                figures.status.missing_townships().len(),
                figures.status.missing_lead_units().len()
            ))
        }
        ReportKind::Catalogue => {
            let catalogue = crate::report::supply_catalogue::supply_catalogue(&store, today)
                .map_err(|e| e.to_string())?;
            crate::report::supply_catalogue::write_supply_catalogue(&catalogue, out)
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "已汇编供应目录：{}条产品，{}个乡镇(街道)未报送目录，{}个超过一个月未更新",
                catalogue.listing_count(),
                catalogue.missing_townships().len(),
                catalogue.stale_townships().len()
            ))
        }
    }
}

/// `云阳县消费扶贫工作通报_2019年第3季度.xlsx`, `云阳县贫困户农特产品供应目录_20191008.xlsx`.
pub(crate) fn report_file_name(report: ReportKind, today: chrono::NaiveDate) -> String {
    match report {
        ReportKind::Bulletin(q) => format!(
            "云阳县消费扶贫工作通报_{}年第{}季度.xlsx",
            q.year, q.quarter
        ),
        ReportKind::Catalogue => format!(
            "云阳县贫困户农特产品供应目录_{}.xlsx",
            today.format("%Y%m%d")
        ),
    }
}

/// The report name in messages: `2019年第3季度通报`, `供应目录`.
pub(crate) fn report_label(report: ReportKind) -> String {
    match report {
        ReportKind::Bulletin(q) => format!("{q}通报"),
        ReportKind::Catalogue => "供应目录".to_string(),
    }
}

/// The report export window and its job (one report at a time).
pub(crate) struct ReportPanel {
    open: bool,
    report: Option<ReportKind>,
    path_text: String,
    note: Option<String>,
    job: Option<ReportJob>,
    last: Option<ReportOutcome>,
}

impl ReportPanel {
    /// A closed panel.
    pub(crate) fn new() -> Self {
        Self {
            open: false,
            report: None,
            path_text: String::new(),
            note: None,
            job: None,
            last: None,
        }
    }

    /// True while a report is being written.
    pub(crate) fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// A button starting the export of `report` (disabled while a report is written).
    pub(crate) fn button_ui(
        &mut self,
        ui: &mut Ui,
        text: &str,
        hint: &str,
        report: ReportKind,
        today: chrono::NaiveDate,
        commands: &mut Vec<Command>,
    ) {
        let response = ui
            .add_enabled(self.job.is_none(), egui::Button::new(text))
            .on_hover_text(hint);
        if response.clicked() {
            let suggested = default_export_dir().join(report_file_name(report, today));
            self.report = Some(report);
            commands.push(Command::ChooseReportPath { report, suggested });
        }
    }

    /// Called by the app when the file dialog gave no path: open the window with a path field.
    pub(crate) fn ask_for_path(&mut self, report: ReportKind, suggested: PathBuf) {
        self.open = true;
        self.report = Some(report);
        self.path_text = suggested.display().to_string();
        self.note = Some(
            "未选择保存位置（已取消，或本机无法显示文件对话框）。可在下面输入保存路径，再点“导出到此路径”。".into(),
        );
    }

    /// Called by the app when a report job was started.
    pub(crate) fn started(&mut self, report: ReportKind, job: ReportJob) {
        self.open = true;
        self.report = Some(report);
        self.path_text = job.out.display().to_string();
        self.note = None;
        self.last = None;
        self.job = Some(job);
    }

    /// Polls the running job and draws the window when open.
    pub(crate) fn window_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        if let Some(job) = &self.job
            && let Some(result) = job.take_result()
        {
            match &result {
                Ok((message, path)) => {
                    commands.push(Command::Info(format!("{message}：{}", path.display())))
                }
                Err(e) => commands.push(Command::Error(format!("导出失败：{e}"))),
            }
            self.last = Some(result);
            self.job = None;
        }
        if !self.open {
            return;
        }
        let title = self.report.map(report_label).unwrap_or_default();
        let mut open = true;
        egui::Window::new(format!("导出{title}"))
            .id(egui::Id::unique("report_export_window"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(560.0)
            .show(ctx, |ui| {
                if let Some(note) = &self.note {
                    ui.label(RichText::new(note).weak());
                }
                ui.horizontal(|ui| {
                    let label = ui.label("保存路径");
                    ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(420.0))
                        .labelled_by(label.id);
                });
                ui.horizontal(|ui| {
                    let running = self.job.is_some();
                    let can_start =
                        !running && !self.path_text.trim().is_empty() && self.report.is_some();
                    if ui
                        .add_enabled(can_start, egui::Button::new("导出到此路径"))
                        .clicked()
                        && let Some(report) = self.report
                    {
                        let out = with_xlsx_extension(PathBuf::from(self.path_text.trim()));
                        commands.push(Command::StartReport { report, out });
                    }
                    if ui
                        .add_enabled(!running, egui::Button::new("选择位置…"))
                        .clicked()
                        && let Some(report) = self.report
                    {
                        let suggested = PathBuf::from(self.path_text.trim());
                        commands.push(Command::ChooseReportPath { report, suggested });
                    }
                });
                if self.job.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("正在生成，可继续其他工作…");
                    });
                }
                match &self.last {
                    Some(Ok((message, path))) => {
                        ui.separator();
                        ui.label(RichText::new("导出完成").color(OK_COLOR).strong());
                        ui.label(message);
                        ui.label(format!("文件：{}", path.display()));
                        if let Some(folder) = path.parent()
                            && ui.button("打开所在文件夹").clicked()
                        {
                            commands.push(Command::OpenFolder(folder.to_path_buf()));
                        }
                    }
                    Some(Err(e)) => {
                        ui.separator();
                        ui.label(RichText::new(format!("导出失败：{e}")).color(ERROR_COLOR));
                    }
                    None => {}
                }
                note_ui(ui, "按今天的数据生成，可直接打印。");
            });
        if !open {
            self.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Quarter;

    #[test]
    fn report_file_names() {
        let today = chrono::NaiveDate::from_ymd_opt(2019, 10, 8).unwrap_or_default();
        assert_eq!(
            report_file_name(
                ReportKind::Bulletin(Quarter {
                    year: 2019,
                    quarter: 3
                }),
                today
            ),
            "云阳县消费扶贫工作通报_2019年第3季度.xlsx"
        );
        assert_eq!(
            report_file_name(ReportKind::Catalogue, today),
            "云阳县贫困户农特产品供应目录_20191008.xlsx"
        );
    }

    #[test]
    fn a_missing_folder_is_reported_in_chinese() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("ledger.db");
        Store::open(&db).expect("open");
        let today = chrono::NaiveDate::from_ymd_opt(2019, 10, 8).unwrap_or_default();
        let folder = dir.path().join("没有这个文件夹");
        for report in [
            ReportKind::Bulletin(Quarter {
                year: 2019,
                quarter: 3,
            }),
            ReportKind::Catalogue,
        ] {
            let out = folder.join(report_file_name(report, today));
            let message = write_report(&db, report, &out, today).expect_err("no folder");
            let expected = format!(
                "无法写入文件“{}”：文件夹“{}”不存在",
                out.display(),
                folder.display()
            );
            assert!(message.starts_with(&expected), "{message}");
            let (chinese, _) = message.split_once("（系统提示：").expect("system text");
            assert!(!chinese.contains("No such file"), "{message}");
        }
    }

    #[test]
    fn both_reports_are_written() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("ledger.db");
        Store::open(&db).expect("open");
        let today = chrono::NaiveDate::from_ymd_opt(2019, 10, 8).unwrap_or_default();
        for report in [
            ReportKind::Bulletin(Quarter {
                year: 2019,
                quarter: 3,
            }),
            ReportKind::Catalogue,
        ] {
            let out = dir.path().join(report_file_name(report, today));
            let message = write_report(&db, report, &out, today).expect("written");
            assert!(message.starts_with("已"), "{message}");
            assert!(out.metadata().expect("file").len() > 1000);
        }
    }
}
