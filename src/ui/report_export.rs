//! 导出通报 / 汇编供应目录: the quarterly bulletin (通报) and the county supply catalogue (供应目录)
//! written as xlsx on a background thread, in the export window the form export uses too
//! ([`super::export_window`]).
//!
//! The job opens its own [`Store`] on the database file, gathers the figures with
//! [`crate::report::bulletin::bulletin`] / [`crate::report::supply_catalogue::supply_catalogue`]
//! (as of the day the job starts) and writes the file atomically.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::export_window::{ExportJob, ExportTarget, ExportWindow, default_export_dir};
use super::{Command, ReportKind};
use crate::domain::Township;
use crate::store::Store;

/// What a finished job produced: a Chinese summary and the file written.
type ReportDone = (String, PathBuf);

/// Starts writing `report` from the database at `db_path` to `out` (figures as of `today`).
pub(crate) fn report_job(
    ctx: &egui::Context,
    db_path: &Path,
    report: ReportKind,
    out: PathBuf,
    today: chrono::NaiveDate,
) -> ExportJob<ReportDone> {
    let db_path = db_path.to_path_buf();
    ExportJob::start(ctx, "report", out, move |target, _| {
        write_report(&db_path, report, target, today).map(|message| (message, target.to_path_buf()))
    })
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
pub(crate) type ReportPanel = ExportWindow<ReportKind>;

impl ExportTarget for ReportKind {
    type Summary = ReportDone;
    const PATH_WIDTH: f32 = 420.0;
    const CENTERED: bool = false;
    const RUNNING_TEXT: &'static str = "正在生成，可继续其他工作…";
    const SHOWS_PROGRESS: bool = false;
    const NOTE: &'static str = "按今天的数据生成，可直接打印。";

    fn window_title(&self) -> String {
        format!("导出{}", report_label(*self))
    }

    fn window_id(&self) -> egui::Id {
        egui::Id::unique("report_export_window")
    }

    fn scope_text(&self, _townships: &[Township]) -> Option<String> {
        None
    }

    fn choose_command(self, suggested: PathBuf) -> Command {
        Command::ChooseReportPath {
            report: self,
            suggested,
        }
    }

    fn start_command(self, out: PathBuf) -> Command {
        Command::StartReport { report: self, out }
    }

    fn done_text(&self, (message, path): &ReportDone) -> String {
        format!("{message}：{}", path.display())
    }

    fn written((_, path): &ReportDone) -> &Path {
        path
    }

    fn summary_ui(ui: &mut Ui, (message, _): &ReportDone) {
        ui.label(message);
    }
}

impl ReportPanel {
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
            .add_enabled(!self.is_running(), egui::Button::new(text))
            .on_hover_text(hint);
        if response.clicked() {
            let suggested = default_export_dir().join(report_file_name(report, today));
            self.choose_path(report, suggested, commands);
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
