//! The export window shared by the form export (附件1/2/3, [`super::export`]) and the report export
//! (通报/供应目录, [`super::report_export`]): the request it keeps, a path field with 导出到此路径
//! and 选择位置…, the running [`ExportJob`] and the last outcome. What differs between the two is
//! the [`ExportTarget`] their request type implements.
//!
//! The job writes one file on its own thread ([`BackgroundJob`]) with its own connection to the
//! same database file; the window is repainted on every step. The system file dialog (rfd) may be
//! unavailable (it then returns `None` as on cancel), so the window always offers a path field and
//! an 导出到此路径 button.

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::Command;
use super::job::BackgroundJob;
use super::widgets::{ERROR_COLOR, OK_COLOR, note_ui};
use crate::domain::Township;

/// What an export window exports (its request type) and what its window shows beyond the shared
/// part.
pub(crate) trait ExportTarget: Clone {
    /// What a successful job yields.
    type Summary: Send + 'static;
    /// Width of the 保存路径 field.
    const PATH_WIDTH: f32;
    /// Whether the window is anchored in the middle of the screen.
    const CENTERED: bool;
    /// The line beside the spinner while the job runs.
    const RUNNING_TEXT: &'static str;
    /// Whether the window shows the job's progress bar.
    const SHOWS_PROGRESS: bool;
    /// The note at the bottom of the window.
    const NOTE: &'static str;

    /// The window title.
    fn window_title(&self) -> String;
    /// The window id (one window per panel).
    fn window_id(&self) -> egui::Id;
    /// What the export covers, in words (the 导出范围 line), when the window shows it.
    fn scope_text(&self, townships: &[Township]) -> Option<String>;
    /// Ask for a path with the system file dialog, then export.
    fn choose_command(self, suggested: PathBuf) -> Command;
    /// Export to `out` in the background.
    fn start_command(self, out: PathBuf) -> Command;
    /// The status line once the export succeeded.
    fn done_text(&self, summary: &Self::Summary) -> String;
    /// The file written.
    fn written(summary: &Self::Summary) -> &Path;
    /// The window's lines about a finished export, between 导出完成 and the file.
    fn summary_ui(ui: &mut Ui, summary: &Self::Summary);
}

/// A running export writing one file.
pub(crate) struct ExportJob<T> {
    job: BackgroundJob<Result<T, String>>,
    out: PathBuf,
}

impl<T: Send + 'static> ExportJob<T> {
    /// Runs `work` (writing to `out`, reporting its progress 0–1) on a new thread named `name`.
    pub(crate) fn start(
        ctx: &egui::Context,
        name: &str,
        out: PathBuf,
        work: impl FnOnce(&Path, &(dyn Fn(f32) + Sync)) -> Result<T, String> + Send + 'static,
    ) -> Self {
        let target = out.clone();
        let job = BackgroundJob::start(
            ctx,
            name,
            move |progress| work(&target, progress),
            |e| Err(format!("无法启动导出：{e}")),
        );
        ExportJob { job, out }
    }
}

/// An export window: its request, path field, running job and last outcome.
pub(crate) struct ExportWindow<R: ExportTarget> {
    open: bool,
    request: Option<R>,
    path_text: String,
    note: Option<String>,
    job: Option<ExportJob<R::Summary>>,
    last: Option<Result<R::Summary, String>>,
}

impl<R: ExportTarget> ExportWindow<R> {
    /// A closed window.
    pub(crate) fn new() -> Self {
        Self {
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

    /// The fraction done (0–1) of the running export.
    pub(crate) fn progress(&self) -> Option<f32> {
        self.job.as_ref().map(|job| job.job.progress())
    }

    /// A tab's export button was clicked: keep `request` and ask for a path with the file dialog.
    pub(crate) fn choose_path(
        &mut self,
        request: R,
        suggested: PathBuf,
        commands: &mut Vec<Command>,
    ) {
        self.request = Some(request.clone());
        commands.push(request.choose_command(suggested));
    }

    /// Called by the app when the file dialog gave no path: open the window with a path field.
    pub(crate) fn ask_for_path(&mut self, request: R, suggested: PathBuf) {
        self.open = true;
        self.request = Some(request);
        self.path_text = suggested.display().to_string();
        self.note = Some(
            "未选择保存位置（已取消，或本机无法显示文件对话框）。可在下面输入保存路径，再点“导出到此路径”。".into(),
        );
    }

    /// Called by the app when an export was started.
    pub(crate) fn started(&mut self, request: R, job: ExportJob<R::Summary>) {
        self.open = true;
        self.path_text = job.out.display().to_string();
        self.request = Some(request);
        self.note = None;
        self.last = None;
        self.job = Some(job);
    }

    /// Polls the running job and draws the window when open.
    pub(crate) fn window_ui(
        &mut self,
        ctx: &egui::Context,
        townships: &[Township],
        commands: &mut Vec<Command>,
    ) {
        if let Some(job) = &self.job
            && let Some(result) = job.job.take()
        {
            match &result {
                Ok(summary) => {
                    if let Some(request) = &self.request {
                        commands.push(Command::Info(request.done_text(summary)));
                    }
                }
                Err(e) => commands.push(Command::Error(format!("导出失败：{e}"))),
            }
            self.last = Some(result);
            self.job = None;
        }
        if !self.open {
            return;
        }
        // Opened only with a request (`ask_for_path`, `started`).
        let Some((title, id, scope)) = self.request.as_ref().map(|request| {
            (
                request.window_title(),
                request.window_id(),
                request.scope_text(townships),
            )
        }) else {
            return;
        };
        let mut open = true;
        let mut window = egui::Window::new(title)
            .id(id)
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(560.0);
        if R::CENTERED {
            window = window.anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]);
        }
        window.show(ctx, |ui| self.contents_ui(ui, scope, commands));
        if !open {
            self.open = false;
        }
    }

    /// The window's contents: scope, note, path field and buttons, progress, outcome.
    fn contents_ui(&mut self, ui: &mut Ui, scope: Option<String>, commands: &mut Vec<Command>) {
        if let Some(scope) = scope {
            ui.label(format!("导出范围：{scope}"));
        }
        if let Some(note) = &self.note {
            ui.label(RichText::new(note).weak());
        }
        ui.horizontal(|ui| {
            let label = ui.label("保存路径");
            ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(R::PATH_WIDTH))
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let running = self.job.is_some();
            let can_start = !running && !self.path_text.trim().is_empty() && self.request.is_some();
            if ui
                .add_enabled(can_start, egui::Button::new("导出到此路径"))
                .clicked()
                && let Some(request) = self.request.clone()
            {
                let out = with_xlsx_extension(PathBuf::from(self.path_text.trim()));
                commands.push(request.start_command(out));
            }
            if ui
                .add_enabled(!running, egui::Button::new("选择位置…"))
                .clicked()
                && let Some(request) = self.request.clone()
            {
                let suggested = PathBuf::from(self.path_text.trim());
                commands.push(request.choose_command(suggested));
            }
        });
        if let Some(job) = &self.job {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(R::RUNNING_TEXT);
            });
            if R::SHOWS_PROGRESS {
                ui.add(egui::ProgressBar::new(job.job.progress()).show_percentage());
            }
        }
        match &self.last {
            Some(Ok(summary)) => {
                ui.separator();
                ui.label(RichText::new("导出完成").color(OK_COLOR).strong());
                R::summary_ui(ui, summary);
                let path = R::written(summary);
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
        note_ui(ui, R::NOTE);
    }
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
