//! 导出Excel: the export of a form tab (附件1/2/3 in the official layout), in the shared export
//! window ([`super::export_window`]).
//!
//! The job runs [`crate::forms::export_form`] on its own thread with its own connection to the
//! same database file; progress comes back through shared atomics and the window is repainted
//! on every step.

use std::path::{Path, PathBuf};

use egui::Ui;

use super::Command;
use super::export_window::{ExportJob, ExportTarget, ExportWindow, default_export_dir};
use super::widgets::{wan_text, yuan_text};
use crate::domain::Township;
use crate::domain::sale::FormKind;
use crate::forms::{ExportRequest, ExportSummary};

/// Starts exporting `request` from the database at `db_path` to `out` on a new thread.
pub(crate) fn export_job(
    ctx: &egui::Context,
    db_path: &Path,
    request: ExportRequest,
    out: PathBuf,
) -> ExportJob<ExportSummary> {
    let db_path = db_path.to_path_buf();
    ExportJob::start(ctx, "export", out, move |target, progress| {
        crate::forms::export_form(&db_path, &request, target, progress)
    })
}

/// The export part of a form tab: its window, the running job and the last result.
pub(crate) type ExportPanel = ExportWindow<ExportRequest>;

impl ExportTarget for ExportRequest {
    type Summary = ExportSummary;
    const PATH_WIDTH: f32 = 400.0;
    const CENTERED: bool = true;
    const RUNNING_TEXT: &'static str = "正在导出，可继续其他工作…";
    const SHOWS_PROGRESS: bool = true;
    const NOTE: &'static str = "导出在后台进行；文件含隐藏的记录编号，改正后可再导入而不重复计数。";

    fn window_title(&self) -> String {
        format!("导出Excel（{}）", self.kind.label())
    }

    fn window_id(&self) -> egui::Id {
        egui::Id::unique(("export_window", self.kind.number()))
    }

    fn scope_text(&self, townships: &[Township]) -> Option<String> {
        Some(scope_text(self, townships))
    }

    fn choose_command(self, suggested: PathBuf) -> Command {
        Command::ChooseExportPath {
            request: self,
            suggested,
        }
    }

    fn start_command(self, out: PathBuf) -> Command {
        Command::StartExport { request: self, out }
    }

    fn done_text(&self, summary: &ExportSummary) -> String {
        if summary.rows == 0 {
            return format!(
                "{} 到 {}",
                crate::forms::blank_form_text(self.kind),
                summary.path.display()
            );
        }
        format!(
            "已导出{} {} 条到 {}",
            self.kind.label(),
            summary.rows,
            summary.path.display()
        )
    }

    fn written(summary: &ExportSummary) -> &Path {
        &summary.path
    }

    fn summary_ui(ui: &mut Ui, summary: &ExportSummary) {
        ui.label(format!(
            "共 {} 条，金额合计 {} 元（{} 万元）",
            summary.rows,
            yuan_text(summary.total),
            wan_text(summary.total)
        ));
    }
}

impl ExportPanel {
    /// The 导出Excel button (or the progress of the running export).
    pub(crate) fn button_ui(
        &mut self,
        ui: &mut Ui,
        request: ExportRequest,
        townships: &[Township],
        commands: &mut Vec<Command>,
    ) {
        if let Some(progress) = self.progress() {
            ui.spinner();
            ui.add(
                egui::ProgressBar::new(progress)
                    .desired_width(120.0)
                    .show_percentage(),
            );
            return;
        }
        let response = ui.button("导出Excel…").on_hover_text(
            "按所选乡镇和时间导出正式表样（xlsx）；文字筛选和“仅看有提示的”不影响导出范围",
        );
        if response.clicked() {
            let suggested = default_export_dir().join(default_file_name(&request, townships));
            self.choose_path(request, suggested, commands);
        }
    }
}

/// `附件2_泥溪镇_2019年第3季度.xlsx`, `附件2_全县_2019年.xlsx`, `附件1_全县.xlsx`.
pub(crate) fn default_file_name(request: &ExportRequest, townships: &[Township]) -> String {
    let place = request
        .township_code
        .as_ref()
        .and_then(|code| townships.iter().find(|t| &t.code == code))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "全县".to_string());
    let mut name = format!("{}_{}", request.kind.label(), place);
    if request.kind != FormKind::Catalogue {
        match (request.year, request.quarter) {
            (Some(year), Some(quarter)) => name.push_str(&format!("_{year}年第{quarter}季度")),
            (Some(year), None) => name.push_str(&format!("_{year}年")),
            _ => name.push_str("_全部"),
        }
    }
    name.push_str(".xlsx");
    name
}

/// What an export covers, in words.
fn scope_text(request: &ExportRequest, townships: &[Township]) -> String {
    let place = request
        .township_code
        .as_ref()
        .and_then(|code| townships.iter().find(|t| &t.code == code))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| "全县所有乡镇(街道)".to_string());
    let period = match (request.kind, request.year, request.quarter) {
        (FormKind::Catalogue, _, _) => String::new(),
        (_, Some(year), Some(quarter)) => format!("，{year}年第{quarter}季度"),
        (_, Some(year), None) => format!("，{year}年"),
        _ => "，全部时间".to_string(),
    };
    format!("{} {}{}", request.kind.label(), place, period)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nixi() -> Vec<Township> {
        vec![Township {
            code: "500235139".into(),
            name: "泥溪镇".into(),
            kind: "镇".into(),
            deep_poverty: true,
            aliases: vec![],
        }]
    }

    #[test]
    fn file_names_follow_the_scope() {
        let request = ExportRequest {
            kind: FormKind::Sale,
            township_code: Some("500235139".into()),
            year: Some(2019),
            quarter: Some(3),
        };
        assert_eq!(
            default_file_name(&request, &nixi()),
            "附件2_泥溪镇_2019年第3季度.xlsx"
        );
        let request = ExportRequest {
            kind: FormKind::Procurement,
            township_code: None,
            year: Some(2019),
            quarter: None,
        };
        assert_eq!(
            default_file_name(&request, &nixi()),
            "附件3_全县_2019年.xlsx"
        );
        let request = ExportRequest {
            kind: FormKind::Catalogue,
            township_code: None,
            year: None,
            quarter: None,
        };
        assert_eq!(default_file_name(&request, &nixi()), "附件1_全县.xlsx");
    }
}
