//! 导入: the import window. Files come from the file dialog (several at once), from a typed path,
//! or dropped onto the window. Each file is read and checked on a background thread
//! ([`crate::forms::ingest::prepare_file`]) and previewed — form, unit, period, rows to add / update /
//! already imported, warnings and errors by row, the total — before anything is written; on
//! 确认导入 the files are applied on a background thread, one transaction per file, with a progress
//! bar. Each worker opens its own connection to the database file (WAL allows it).

use std::path::{Path, PathBuf};

use egui::{RichText, Ui};

use super::job::BackgroundJob;
use super::widgets::{ERROR_COLOR, OK_COLOR, WARNING_COLOR, note_ui};
use crate::forms::ingest::{FileReport, PreparedImport, commit, prepare_file};
use crate::store::Store;

enum Stage {
    /// Choosing files.
    Choose,
    /// Reading and checking the files (the job, and how many files).
    Preparing(BackgroundJob<Result<Vec<PreparedImport>, String>>, usize),
    /// Waiting for the user's 确认导入.
    Preview(Vec<PreparedImport>),
    /// Writing (the job, and how many files).
    Applying(BackgroundJob<Vec<Result<FileReport, String>>>, usize),
    /// What was written.
    Done(Vec<Result<FileReport, String>>),
}

/// What the window tells the app after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImportEvent {
    /// Records were written: refresh every view.
    DataChanged(String),
    /// Something failed before anything was written.
    Failed(String),
}

/// The 导入 window.
pub(crate) struct ImportWindow {
    open: bool,
    path_text: String,
    stage: Stage,
}

impl ImportWindow {
    pub(crate) fn new() -> Self {
        ImportWindow {
            open: false,
            path_text: String::new(),
            stage: Stage::Choose,
        }
    }

    /// True while the window is shown.
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// Opens the window at the file choice (unless a job is running).
    pub(crate) fn open(&mut self) {
        self.open = true;
        if matches!(self.stage, Stage::Done(_)) {
            self.stage = Stage::Choose;
        }
    }

    /// Starts reading `files` for the preview (from the dialog, a typed path or a drop).
    pub(crate) fn read_files(&mut self, ctx: &egui::Context, db_path: &Path, files: Vec<PathBuf>) {
        // A dropped or chosen folder stands for the files in it.
        let files = crate::forms::ingest::files_to_import(&files);
        if files.is_empty() || matches!(self.stage, Stage::Preparing(..) | Stage::Applying(..)) {
            return;
        }
        self.open = true;
        let db_path = db_path.to_path_buf();
        let total = files.len();
        let job = BackgroundJob::start(
            ctx,
            "import",
            move |progress| {
                let store = Store::open(&db_path).map_err(|e| e.to_string())?;
                let mut prepared = Vec::with_capacity(files.len());
                for (index, file) in files.iter().enumerate() {
                    prepared.push(prepare_file(&store, &file.path, &file.shown_as)?);
                    progress((index + 1) as f32 / total as f32);
                }
                Ok(prepared)
            },
            |e| Err(format!("无法启动导入：{e}")),
        );
        self.stage = Stage::Preparing(job, total);
    }

    fn apply(&mut self, ctx: &egui::Context, db_path: &Path, prepared: Vec<PreparedImport>) {
        let db_path = db_path.to_path_buf();
        let total = prepared.len();
        let job = BackgroundJob::start(
            ctx,
            "import",
            move |progress| {
                let mut store = match Store::open(&db_path) {
                    Ok(store) => store,
                    Err(e) => return vec![Err(e.to_string())],
                };
                let mut reports = Vec::with_capacity(prepared.len());
                for (index, file) in prepared.iter().enumerate() {
                    reports.push(commit(&mut store, file));
                    progress((index + 1) as f32 / total as f32);
                }
                reports
            },
            |e| vec![Err(format!("无法启动导入：{e}"))],
        );
        self.stage = Stage::Applying(job, total);
    }

    /// Draws the window (when open) and advances finished jobs. Returns what the app must know.
    pub(crate) fn window_ui(&mut self, ctx: &egui::Context, db_path: &Path) -> Option<ImportEvent> {
        let mut event = None;
        // Advance finished background work even while the window is closed.
        match &self.stage {
            Stage::Preparing(job, _) => {
                if let Some(result) = job.take() {
                    self.stage = match result {
                        Ok(prepared) => Stage::Preview(prepared),
                        Err(message) => {
                            event = Some(ImportEvent::Failed(format!("读取文件失败：{message}")));
                            Stage::Choose
                        }
                    };
                }
            }
            Stage::Applying(job, _) => {
                if let Some(reports) = job.take() {
                    let added: usize = reports
                        .iter()
                        .flatten()
                        .map(|r| r.rows_added + r.rows_updated)
                        .sum();
                    let files = reports
                        .iter()
                        .filter(|r| r.as_ref().is_ok_and(|r| r.outcome == "imported"))
                        .count();
                    event = Some(ImportEvent::DataChanged(format!(
                        "导入完成：{files}个文件，新增或更新{added}条记录"
                    )));
                    self.stage = Stage::Done(reports);
                }
            }
            _ => {}
        }
        if !self.open {
            return event;
        }
        let mut open = self.open;
        let mut action = Action::None;
        egui::Window::new("导入报表")
            .open(&mut open)
            .default_size([900.0, 560.0])
            .min_width(640.0)
            .vscroll(false)
            .show(ctx, |ui| {
                action = self.contents_ui(ui);
            });
        self.open = open;
        match action {
            Action::None => {}
            Action::Read(files) => self.read_files(ctx, db_path, files),
            Action::Confirm => {
                if let Stage::Preview(prepared) = std::mem::replace(&mut self.stage, Stage::Choose)
                {
                    self.apply(ctx, db_path, prepared);
                }
            }
            Action::Restart => self.stage = Stage::Choose,
            Action::Close => {
                self.stage = Stage::Choose;
                self.open = false;
            }
        }
        event
    }

    fn contents_ui(&mut self, ui: &mut Ui) -> Action {
        match &self.stage {
            Stage::Choose => self.choose_ui(ui),
            Stage::Preparing(job, all) => {
                let (done, all) = files_done(job.progress(), *all);
                progress_ui(ui, "正在读取并检查文件…", done, all);
                Action::None
            }
            Stage::Preview(prepared) => preview_ui(ui, prepared),
            Stage::Applying(job, all) => {
                let (done, all) = files_done(job.progress(), *all);
                progress_ui(
                    ui,
                    "正在导入（每个文件一个事务，要么全部写入，要么都不写入）…",
                    done,
                    all,
                );
                Action::None
            }
            Stage::Done(reports) => done_ui(ui, reports),
        }
    }

    fn choose_ui(&mut self, ui: &mut Ui) -> Action {
        let mut action = Action::None;
        note_ui(
            ui,
            "可导入乡镇、牵头单位报来的附件1、附件2、附件3（.xlsx、.xls、.csv，可一次选多个文件，也可以把文件直接拖到窗口上）。\
             导入前会先显示预览，确认后才写入。",
        );
        ui.add_space(6.0);
        if ui.button(RichText::new("选择文件…").strong()).clicked() {
            let picked = rfd::FileDialog::new()
                .add_filter("报表文件", &["xlsx", "xls", "csv", "xlsm", "et"])
                .add_filter("所有文件", &["*"])
                .pick_files();
            match picked {
                Some(files) if !files.is_empty() => action = Action::Read(files),
                _ => {}
            }
        }
        ui.add_space(6.0);
        ui.label("或输入文件路径（多个文件用英文分号 ; 隔开）：");
        ui.horizontal(|ui| {
            let label = ui.label("文件路径");
            ui.add(
                egui::TextEdit::singleline(&mut self.path_text)
                    .hint_text("例如 D:\\报表\\泥溪镇附件2.xlsx")
                    .desired_width(560.0),
            )
            .labelled_by(label.id);
            if ui.button("读取").clicked() {
                let files: Vec<PathBuf> = self
                    .path_text
                    .split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
                    .collect();
                if !files.is_empty() {
                    action = Action::Read(files);
                }
            }
        });
        action
    }
}

enum Action {
    None,
    Read(Vec<PathBuf>),
    Confirm,
    Restart,
    Close,
}

/// (files done, files in all) from the job's fraction.
fn files_done(fraction: f32, all: usize) -> (usize, usize) {
    (((fraction * all as f32).round() as usize).min(all), all)
}

fn progress_ui(ui: &mut Ui, text: &str, done: usize, all: usize) {
    ui.label(text);
    let fraction = if all == 0 {
        0.0
    } else {
        done as f32 / all as f32
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(format!("{done}/{all} 个文件"))
            .animate(true),
    );
}

fn preview_ui(ui: &mut Ui, prepared: &[PreparedImport]) -> Action {
    let mut action = Action::None;
    let reports: Vec<FileReport> = prepared.iter().map(|p| p.report(&p.plan, false)).collect();
    let importable = reports
        .iter()
        .filter(|r| r.outcome == "imported" && r.rows_imported > 0)
        .count();
    let new_rows: usize = reports.iter().map(|r| r.rows_added + r.rows_updated).sum();
    ui.label(
        RichText::new(format!(
            "预览：{}个文件，其中{importable}个可导入，将新增或更新{new_rows}条记录。尚未写入数据库。",
            reports.len()
        ))
        .strong(),
    );
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .max_height(ui.available_height() - 40.0)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (file, report) in prepared.iter().zip(&reports) {
                file_report_ui(ui, file, report);
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        let confirm = ui.add_enabled(
            new_rows > 0,
            egui::Button::new(RichText::new("确认导入").strong()),
        );
        if confirm.clicked() {
            action = Action::Confirm;
        }
        if ui.button("重新选择").clicked() {
            action = Action::Restart;
        }
        if ui.button("取消").clicked() {
            action = Action::Close;
        }
        if new_rows == 0 {
            ui.label(RichText::new("没有需要写入的新记录").color(WARNING_COLOR));
        }
    });
    action
}

/// One file's preview or result.
fn file_report_ui(ui: &mut Ui, file: &PreparedImport, report: &FileReport) {
    let (mark, color) = if report.outcome == "rejected" {
        ("× 拒绝", ERROR_COLOR)
    } else if report.rows_rejected > 0
        || !report.warnings.is_empty()
        || !report.file_warnings.is_empty()
    {
        ("! 有提示", WARNING_COLOR)
    } else {
        ("√ 正常", OK_COLOR)
    };
    let heading = RichText::new(format!("{mark}  {}", report.file))
        .color(color)
        .strong();
    egui::CollapsingHeader::new(heading)
        .id_salt(&report.file)
        .default_open(true)
        .show(ui, |ui| {
            if report.outcome == "rejected" {
                ui.label(RichText::new(&report.message).color(ERROR_COLOR));
                return;
            }
            if let Ok(parsed) = &file.parsed {
                for sheet in &parsed.sheets {
                    let unit = sheet.header.unit.as_deref().unwrap_or("（未填）");
                    let period = sheet
                        .header
                        .date
                        .map(|d| d.format("%Y年%-m月%-d日").to_string())
                        .unwrap_or("（未填）".into());
                    ui.label(format!(
                        "工作表“{}”：{}，填报单位 {unit}，填报时间 {period}，{}行数据",
                        sheet.name,
                        sheet.kind.label(),
                        sheet.rows.len()
                    ));
                }
            }
            ui.label(&report.message);
            if let Some(total) = &report.total {
                let townships: Vec<String> = report
                    .per_township
                    .iter()
                    .map(|(k, v)| format!("{k} {v}元"))
                    .collect();
                ui.label(format!("金额合计 {total} 元（{}）", townships.join("，")));
            }
            for warning in &report.file_warnings {
                ui.label(RichText::new(format!("! {warning}")).color(WARNING_COLOR));
            }
            for issue in &report.errors {
                ui.label(
                    RichText::new(format!(
                        "× {}!第{}行 {}：{}（不导入）",
                        issue.sheet, issue.row, issue.column, issue.message
                    ))
                    .color(ERROR_COLOR),
                );
            }
            let shown = 200;
            for issue in report.warnings.iter().take(shown) {
                ui.label(
                    RichText::new(format!(
                        "! {}!第{}行 {}：{}",
                        issue.sheet, issue.row, issue.column, issue.message
                    ))
                    .color(WARNING_COLOR),
                );
            }
            if report.warnings.len() > shown {
                ui.label(format!(
                    "……另有{}条提示（导入后可在表格中筛选“仅看有提示的”查看）",
                    report.warnings.len() - shown
                ));
            }
        });
}

fn done_ui(ui: &mut Ui, reports: &[Result<FileReport, String>]) -> Action {
    let mut action = Action::None;
    egui::ScrollArea::vertical()
        .max_height(ui.available_height() - 40.0)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for report in reports {
                match report {
                    Ok(report) if report.outcome == "imported" => {
                        ui.label(
                            RichText::new(format!("√ {}：{}", report.file, report.message))
                                .color(OK_COLOR),
                        );
                    }
                    Ok(report) => {
                        ui.label(
                            RichText::new(format!("× {}：{}", report.file, report.message))
                                .color(ERROR_COLOR),
                        );
                    }
                    Err(message) => {
                        ui.label(RichText::new(format!("× {message}")).color(ERROR_COLOR));
                    }
                }
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        if ui.button("继续导入其他文件").clicked() {
            action = Action::Restart;
        }
        if ui.button("关闭").clicked() {
            action = Action::Close;
        }
    });
    action
}
