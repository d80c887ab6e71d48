//! 导出Excel: the export window of a form tab and the background export job.
//!
//! The job runs [`crate::forms::export_form`] on its own thread with its own connection to the
//! same database file; progress comes back through shared atomics and the window is repainted
//! on every step. The system file dialog (rfd) may be unavailable (it then returns `None` as on
//! cancel), so the window always offers a path field and an 导出到此路径 button.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::Command;
use super::job::BackgroundJob;
use super::widgets::{ERROR_COLOR, OK_COLOR, note_ui, wan_text, yuan_text};
use crate::domain::Township;
use crate::domain::sale::FormKind;
use crate::forms::{ExportRequest, ExportSummary};

/// A running export.
pub(crate) struct ExportJob {
    job: BackgroundJob<Result<ExportSummary, String>>,
    out: PathBuf,
}

impl ExportJob {
    /// Starts exporting `request` from the database at `db_path` to `out` on a new thread.
    pub(crate) fn start(
        ctx: &egui::Context,
        db_path: &Path,
        request: ExportRequest,
        out: PathBuf,
    ) -> Self {
        let db_path = db_path.to_path_buf();
        let target = out.clone();
        let job = BackgroundJob::start(
            ctx,
            "export",
            move |progress| crate::forms::export_form(&db_path, &request, &target, progress),
            |e| Err(format!("无法启动导出：{e}")),
        );
        ExportJob { job, out }
    }

    fn progress(&self) -> f32 {
        self.job.progress()
    }

    /// The outcome once the thread has finished.
    fn take_result(&self) -> Option<Result<ExportSummary, String>> {
        self.job.take()
    }
}

/// The export part of a form tab: its window, the running job and the last result.
pub(crate) struct ExportPanel {
    kind: FormKind,
    open: bool,
    request: Option<ExportRequest>,
    path_text: String,
    note: Option<String>,
    job: Option<ExportJob>,
    last: Option<Result<ExportSummary, String>>,
}

impl ExportPanel {
    /// The export panel of one form.
    pub(crate) fn new(kind: FormKind) -> Self {
        Self {
            kind,
            open: false,
            request: None,
            path_text: String::new(),
            note: None,
            job: None,
            last: None,
        }
    }

    /// True while an export runs.
    pub(crate) fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The 导出Excel button (or the progress of the running export).
    pub(crate) fn button_ui(
        &mut self,
        ui: &mut Ui,
        request: ExportRequest,
        townships: &[Township],
        commands: &mut Vec<Command>,
    ) {
        if let Some(job) = &self.job {
            ui.spinner();
            ui.add(
                egui::ProgressBar::new(job.progress())
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
            self.request = Some(request.clone());
            commands.push(Command::ChooseExportPath { request, suggested });
        }
    }

    /// Called by the app when the file dialog gave no path: open the window with a path field.
    pub(crate) fn ask_for_path(&mut self, request: ExportRequest, suggested: PathBuf) {
        self.open = true;
        self.request = Some(request);
        self.path_text = suggested.display().to_string();
        self.note = Some(
            "未选择保存位置（已取消，或本机无法显示文件对话框）。可在下面输入保存路径，再点“导出到此路径”。".into(),
        );
    }

    /// Called by the app when an export was started.
    pub(crate) fn started(&mut self, request: ExportRequest, job: ExportJob) {
        self.open = true;
        self.path_text = job.out.display().to_string();
        self.request = Some(request);
        self.note = None;
        self.last = None;
        self.job = Some(job);
    }

    /// Polls the running job and draws the export window when open.
    pub(crate) fn window_ui(
        &mut self,
        ctx: &egui::Context,
        townships: &[Township],
        commands: &mut Vec<Command>,
    ) {
        if let Some(job) = &self.job
            && let Some(result) = job.take_result()
        {
            match &result {
                Ok(summary) => commands.push(Command::Info(format!(
                    "已导出{} {} 条到 {}",
                    self.kind.label(),
                    summary.rows,
                    summary.path.display()
                ))),
                Err(e) => commands.push(Command::Error(format!("导出失败：{e}"))),
            }
            self.last = Some(result);
            self.job = None;
        }
        if !self.open {
            return;
        }
        let mut open = true;
        egui::Window::new(format!("导出Excel（{}）", self.kind.label()))
            .id(egui::Id::unique(("export_window", self.kind.number())))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(560.0)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                if let Some(request) = &self.request {
                    ui.label(format!("导出范围：{}", scope_text(request, townships)));
                }
                if let Some(note) = &self.note {
                    ui.label(RichText::new(note).weak());
                }
                ui.horizontal(|ui| {
                    let label = ui.label("保存路径");
                    ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(400.0))
                        .labelled_by(label.id);
                });
                ui.horizontal(|ui| {
                    let running = self.job.is_some();
                    let can_start =
                        !running && !self.path_text.trim().is_empty() && self.request.is_some();
                    if ui
                        .add_enabled(can_start, egui::Button::new("导出到此路径"))
                        .clicked()
                        && let Some(request) = self.request.clone()
                    {
                        let out = with_xlsx_extension(PathBuf::from(self.path_text.trim()));
                        commands.push(Command::StartExport { request, out });
                    }
                    if ui
                        .add_enabled(!running, egui::Button::new("选择位置…"))
                        .clicked()
                        && let Some(request) = self.request.clone()
                    {
                        let suggested = PathBuf::from(self.path_text.trim());
                        commands.push(Command::ChooseExportPath { request, suggested });
                    }
                });
                if let Some(job) = &self.job {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("正在导出，可继续其他工作…");
                    });
                    ui.add(egui::ProgressBar::new(job.progress()).show_percentage());
                }
                match &self.last {
                    Some(Ok(summary)) => {
                        ui.separator();
                        ui.label(RichText::new("导出完成").color(OK_COLOR).strong());
                        ui.label(format!(
                            "共 {} 条，金额合计 {} 元（{} 万元）",
                            summary.rows,
                            yuan_text(summary.total),
                            wan_text(summary.total)
                        ));
                        ui.label(format!("文件：{}", summary.path.display()));
                        if let Some(folder) = summary.path.parent()
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
                note_ui(
                    ui,
                    "导出在后台进行；文件含隐藏的记录编号，改正后可再导入而不重复计数。",
                );
            });
        if !open {
            self.open = false;
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

/// Where exports (forms, 通报, 供应目录) are suggested: the user's documents folder, else the home
/// folder, else the working folder (never the program's folder when a documents or home folder
/// exists: run from a checkout, files would land in the repository).
pub(crate) fn default_export_dir() -> PathBuf {
    let dirs = directories::UserDirs::new();
    export_dir_from(
        dirs.as_ref()
            .and_then(|d| d.document_dir().map(Path::to_path_buf)),
        dirs.as_ref().map(|d| d.home_dir().to_path_buf()),
        std::env::current_dir().ok(),
    )
}

/// The first of `documents`, `home`, `current` that is an existing folder (else `current`, else
/// `.`).
fn export_dir_from(
    documents: Option<PathBuf>,
    home: Option<PathBuf>,
    current: Option<PathBuf>,
) -> PathBuf {
    [documents, home]
        .into_iter()
        .flatten()
        .find(|dir| dir.is_dir())
        .or(current)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Adds `.xlsx` when the path has no extension or another one.
pub(crate) fn with_xlsx_extension(path: PathBuf) -> PathBuf {
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        path
    } else {
        path.with_extension("xlsx")
    }
}

/// Opens `folder` in the system file manager.
pub(crate) fn open_folder(folder: &Path) -> Result<(), String> {
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(folder)
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            format!(
                "无法打开文件夹“{}”：找不到系统的文件管理器（系统提示：{e}）",
                folder.display()
            )
        })
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
    fn exports_default_to_documents_then_home_then_the_working_folder() {
        let documents = tempfile::tempdir().expect("documents");
        let home = tempfile::tempdir().expect("home");
        let current = PathBuf::from("/work/checkout");
        let missing = home.path().join("文档");
        assert_eq!(
            export_dir_from(
                Some(documents.path().to_path_buf()),
                Some(home.path().to_path_buf()),
                Some(current.clone())
            ),
            documents.path()
        );
        // No documents folder (or one that does not exist): the home folder, not the working one.
        for documents in [None, Some(missing)] {
            assert_eq!(
                export_dir_from(
                    documents,
                    Some(home.path().to_path_buf()),
                    Some(current.clone())
                ),
                home.path()
            );
        }
        assert_eq!(export_dir_from(None, None, Some(current.clone())), current);
        assert_eq!(export_dir_from(None, None, None), PathBuf::from("."));
        // On this machine: never the working folder when a home folder exists.
        if let Some(dirs) = directories::UserDirs::new()
            && dirs.home_dir().is_dir()
            && std::env::current_dir().ok().as_deref() != Some(dirs.home_dir())
        {
            assert_ne!(
                std::env::current_dir().ok(),
                Some(default_export_dir()),
                "the working folder"
            );
        }
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

    #[test]
    fn xlsx_extension_is_added() {
        assert_eq!(
            with_xlsx_extension(PathBuf::from("/tmp/a")),
            PathBuf::from("/tmp/a.xlsx")
        );
        assert_eq!(
            with_xlsx_extension(PathBuf::from("/tmp/a.XLSX")),
            PathBuf::from("/tmp/a.XLSX")
        );
    }
}
