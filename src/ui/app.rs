//! The application: owns the [`Store`], draws the tab bar, the current tab and the status line,
//! and applies the [`Command`]s the tabs emitted after each frame. Errors are handled once, here:
//! a failed store call becomes a Chinese message in the status line.

use std::path::PathBuf;

use chrono::Datelike;
use egui::{RichText, Ui};

use super::basic_info::BasicInfoTab;
use super::catalogue::CatalogueTab;
use super::dashboard::DashboardTab;
use super::export::export_job;
use super::export_window::{open_folder, with_xlsx_extension};
use super::import::{ImportEvent, ImportWindow};
use super::job::BackgroundJob;
use super::reconcile::ReconcileTab;
use super::records::RecordsView;
use super::report_export::{report_job, report_label};
use super::sales::SalesTab;
use super::widgets::{ERROR_COLOR, OK_COLOR};
use super::{Command, ReportKind, Shared};
use crate::domain::sale::FormKind;
use crate::domain::{PurchaserType, RegionResolver, Township};
use crate::store::{Store, UNION_STANDARD_YUAN_PER_MEMBER};

/// The window title.
pub const WINDOW_TITLE: &str = "云阳县消费扶贫台账";

/// The tabs, in the order of the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    /// 进度 (dashboard).
    Progress,
    /// 待销目录 (附件1).
    Catalogue,
    /// 销售情况 (附件2).
    Sales,
    /// 采购情况 (附件3).
    Procurements,
    /// 对账 (附件2/附件3 reconciliation) and 报送情况.
    Reconcile,
    /// 基础信息.
    BasicInfo,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Progress,
        Tab::Catalogue,
        Tab::Sales,
        Tab::Procurements,
        Tab::Reconcile,
        Tab::BasicInfo,
    ];

    /// The tab's Chinese name.
    pub fn name(self) -> &'static str {
        match self {
            Tab::Progress => "进度",
            Tab::Catalogue => "待销目录",
            Tab::Sales => "销售情况",
            Tab::Procurements => "采购情况",
            Tab::Reconcile => "对账",
            Tab::BasicInfo => "基础信息",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Tab::Progress => "全年目标完成情况",
            Tab::Catalogue => "附件1 贫困户农特产品待销目录",
            Tab::Sales => "附件2 乡镇(街道)贫困户产品销售情况表",
            Tab::Procurements => "附件3 牵头单位系统(行业)采购情况表",
            Tab::Reconcile => "附件2与附件3对账（同一笔只计一次）、各单位报送情况、季度通报",
            Tab::BasicInfo => {
                "乡镇与村、采购单位类型、工会进家庭、百企帮百村、目标任务、本单位信息"
            }
        }
    }
}

/// UI preferences kept between runs (eframe storage); all records live in SQLite.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct UiPrefs {
    tab: Tab,
    dashboard_year: i32,
}

const PREFS_KEY: &str = "xiaofei_fupin_ui_prefs";

/// A message in the status line.
struct Status {
    text: String,
    is_error: bool,
}

/// The desktop application.
pub struct App {
    store: Store,
    db_path: PathBuf,
    tab: Tab,
    data_version: u64,
    townships: Vec<Township>,
    resolver: RegionResolver,
    dashboard: DashboardTab,
    catalogue: CatalogueTab,
    sales: SalesTab,
    procurements: SalesTab,
    reconcile: ReconcileTab,
    basic_info: BasicInfoTab,
    records: Option<RecordsView>,
    import: ImportWindow,
    /// A running backup.
    backup: Option<BackgroundJob<Result<PathBuf, String>>>,
    status: Option<Status>,
}

impl App {
    /// The app as eframe creates it: installs the CJK font into the context and restores the UI
    /// preferences (tab, dashboard year) from eframe's storage.
    pub fn new(cc: &eframe::CreationContext<'_>, store: Store, db_path: PathBuf) -> Self {
        super::fonts::install_fonts(&cc.egui_ctx);
        let mut app = Self::new_for_test(store, db_path);
        if let Some(prefs) = cc
            .storage
            .and_then(|s| eframe::get_value::<UiPrefs>(s, PREFS_KEY))
        {
            app.tab = prefs.tab;
            app.dashboard = DashboardTab::new(prefs.dashboard_year);
            app.reconcile
                .set_year(prefs.dashboard_year, chrono::Local::now().date_naive());
        }
        app
    }

    /// The app without eframe's creation context (tests, previews). The caller installs the fonts
    /// ([`super::fonts::install_fonts`]) into the context it runs the app in, e.g. with
    /// `egui_kittest::Harness::builder().with_context_setup(install_fonts)`; [`App::new`] does it itself.
    pub fn new_for_test(store: Store, db_path: PathBuf) -> Self {
        let today = chrono::Local::now().date_naive();
        let dashboard_year = default_year(&store, today);
        let mut app = Self {
            store,
            db_path,
            tab: Tab::Progress,
            data_version: 0,
            townships: Vec::new(),
            resolver: RegionResolver::default(),
            dashboard: DashboardTab::new(dashboard_year),
            catalogue: CatalogueTab::new(),
            sales: SalesTab::new(FormKind::Sale),
            procurements: SalesTab::new(FormKind::Procurement),
            reconcile: ReconcileTab::new(dashboard_year, today),
            basic_info: BasicInfoTab::new(dashboard_year),
            records: None,
            import: ImportWindow::new(),
            backup: None,
            status: None,
        };
        app.reload_registry();
        app
    }

    /// The store (tests read the database through it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The database file this window works on.
    pub fn db_path(&self) -> &std::path::Path {
        &self.db_path
    }

    /// The current status-line message, if any (tests).
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    /// The filter of the open 明细 window (records behind a dashboard figure), if any (tests).
    pub fn records_filter(&self) -> Option<&crate::store::SaleFilter> {
        self.records.as_ref().map(|view| view.filter())
    }

    /// True while the 导入 window is shown (tests).
    pub fn import_window_open(&self) -> bool {
        self.import.is_open()
    }

    /// Switches to a tab.
    pub fn set_tab(&mut self, tab: Tab) {
        self.tab = tab;
    }

    fn reload_registry(&mut self) {
        match self.store.townships() {
            Ok(townships) => {
                self.resolver = RegionResolver::new(townships.clone());
                self.townships = townships;
            }
            Err(e) => self.error(format!("读取乡镇名录失败：{e}")),
        }
    }

    fn error(&mut self, text: String) {
        self.status = Some(Status {
            text,
            is_error: true,
        });
    }

    fn info(&mut self, text: String) {
        self.status = Some(Status {
            text,
            is_error: false,
        });
    }

    fn changed(&mut self) {
        self.data_version = self.data_version.wrapping_add(1);
    }

    fn sales_tab(&mut self, kind: FormKind) -> &mut SalesTab {
        if kind == FormKind::Procurement {
            &mut self.procurements
        } else {
            &mut self.sales
        }
    }

    /// Draws one frame of the whole window into `ui` and applies what the user asked for.
    pub fn ui(&mut self, ui: &mut Ui) {
        let mut commands: Vec<Command> = Vec::new();
        let today = chrono::Local::now().date_naive();
        let shared = Shared {
            store: &self.store,
            townships: &self.townships,
            resolver: &self.resolver,
            data_version: self.data_version,
            today,
        };

        egui::Panel::top("tab_bar").show(ui, |ui| {
            ui.add_space(2.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new(WINDOW_TITLE).strong().size(16.0));
                ui.add_space(16.0);
                for tab in Tab::ALL {
                    let selected = self.tab == tab;
                    if ui
                        .selectable_label(selected, RichText::new(tab.name()).size(15.0))
                        .on_hover_text(tab.hint())
                        .clicked()
                    {
                        self.tab = tab;
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let backing_up = self.backup.is_some();
                    if ui
                        .add_enabled(!backing_up, egui::Button::new("备份数据库…"))
                        .on_hover_text("把整个数据库复制到另一个文件（程序运行时也可以安全备份）")
                        .clicked()
                    {
                        commands.push(Command::Backup);
                    }
                    if backing_up {
                        ui.spinner();
                    }
                    if ui.button(RichText::new("导入报表…").strong()).on_hover_text("导入乡镇、牵头单位报来的附件1/2/3及快递、邮政物流数据（xlsx、xls、csv），先预览再写入；也可以把文件拖到窗口上").clicked() {
                        commands.push(Command::OpenImport);
                    }
                });
            });
            ui.add_space(2.0);
        });

        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                match &self.status {
                    Some(status) => {
                        let color = if status.is_error {
                            ERROR_COLOR
                        } else {
                            OK_COLOR
                        };
                        ui.label(RichText::new(&status.text).color(color));
                        if ui.small_button("知道了").clicked() {
                            commands.push(Command::Info(String::new()));
                        }
                    }
                    None => {
                        ui.label(RichText::new("就绪").weak());
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        RichText::new(format!("数据库：{}", self.db_path.display()))
                            .weak()
                            .small(),
                    );
                });
            });
        });

        egui::CentralPanel::default_margins().show(ui, |ui| match self.tab {
            Tab::Progress => self.dashboard.ui(ui, &shared, &mut commands),
            Tab::Catalogue => self.catalogue.ui(ui, &shared, &mut commands),
            Tab::Sales => self.sales.ui(ui, &shared, &mut commands),
            Tab::Procurements => self.procurements.ui(ui, &shared, &mut commands),
            Tab::Reconcile => self.reconcile.ui(ui, &shared, &mut commands),
            Tab::BasicInfo => self.basic_info.ui(ui, &shared, &mut commands),
        });

        // Exports keep running (and are polled) while another tab is shown.
        if self.tab != Tab::Catalogue && self.catalogue.export.is_running() {
            self.catalogue
                .export
                .window_ui(ui.ctx(), shared.townships, &mut commands);
        }
        if self.tab != Tab::Sales && self.sales.export.is_running() {
            self.sales
                .export
                .window_ui(ui.ctx(), shared.townships, &mut commands);
        }
        if self.tab != Tab::Procurements && self.procurements.export.is_running() {
            self.procurements
                .export
                .window_ui(ui.ctx(), shared.townships, &mut commands);
        }

        if self.tab != Tab::Reconcile && self.reconcile.report.is_running() {
            self.reconcile
                .report
                .window_ui(ui.ctx(), shared.townships, &mut commands);
        }

        if let Some(view) = &mut self.records
            && !view.window_ui(ui.ctx(), &shared, &mut commands)
        {
            self.records = None;
        }

        // Files dropped onto the window are read for the import preview.
        let dropped: Vec<PathBuf> = ui.ctx().input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.import.read_files(ui.ctx(), &self.db_path, dropped);
        }
        match self.import.window_ui(ui.ctx(), &self.db_path) {
            Some(ImportEvent::DataChanged(message)) => {
                self.changed();
                self.reload_registry();
                // A first import into an empty year: show the year the records are in.
                let shown_year_empty = self
                    .store
                    .summary_totals(self.dashboard.year())
                    .map(|t| t.record_count == 0)
                    .unwrap_or(false);
                if shown_year_empty
                    && let Ok(Some(newest)) = self.store.sale_years().map(|y| y.first().copied())
                {
                    self.dashboard = DashboardTab::new(newest);
                    self.reconcile.set_year(newest, today);
                }
                self.info(message);
            }
            Some(ImportEvent::Failed(message)) => self.error(message),
            None => {}
        }

        if let Some(outcome) = self.backup.as_ref().and_then(BackgroundJob::take) {
            self.backup = None;
            match outcome {
                Ok(path) => self.info(format!("已备份数据库到：{}", path.display())),
                Err(message) => self.error(format!("备份失败：{message}")),
            }
        }

        let ctx = ui.ctx().clone();
        for command in commands {
            self.apply(&ctx, command);
        }
    }

    /// Applies one command; failures become the status-line message.
    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::SaveSale { id, record, opened } => {
                let kind = record.kind;
                let outcome = match (id, &opened) {
                    (Some(id), Some(opened)) => self
                        .store
                        .update_sale_opened_as(id, &record, opened)
                        .map(|()| id),
                    (Some(id), None) => self.store.update_sale(id, &record).map(|()| id),
                    (None, _) => self.store.insert_sale(&record),
                };
                match outcome {
                    Ok(saved) => {
                        self.changed();
                        self.sales_tab(kind).saved(saved);
                        let warned = if record.warnings.is_empty() {
                            String::new()
                        } else {
                            format!("，带 {} 条提示", record.warnings.len())
                        };
                        self.info(format!(
                            "已保存{}记录：{} {} {}元{warned}",
                            kind.label(),
                            record.household,
                            record.product,
                            record.amount
                        ));
                    }
                    Err(e) => {
                        self.sales_tab(kind).save_failed();
                        self.error(format!("保存失败：{e}"));
                    }
                }
            }
            Command::DeleteSale { id, kind } => match self.store.delete_sale(id) {
                Ok(()) => {
                    self.changed();
                    self.sales_tab(kind).deleted(id);
                    self.info(format!("已删除{}记录（编号 {id}）", kind.label()));
                }
                Err(e) => self.error(format!("删除失败：{e}")),
            },
            Command::SaveListing {
                id,
                listing,
                opened,
            } => {
                let outcome = match (id, &opened) {
                    (Some(id), Some(opened)) => self
                        .store
                        .update_listing_opened_as(id, &listing, opened)
                        .map(|()| id),
                    (Some(id), None) => self.store.update_listing(id, &listing).map(|()| id),
                    (None, _) => self.store.insert_listing(&listing),
                };
                match outcome {
                    Ok(saved) => {
                        self.changed();
                        self.catalogue.saved(saved);
                        self.info(format!(
                            "已保存待销产品：{} {}",
                            listing.household, listing.product
                        ));
                    }
                    Err(e) => {
                        self.catalogue.save_failed();
                        self.error(format!("保存失败：{e}"));
                    }
                }
            }
            Command::DeleteListing { id } => match self.store.delete_listing(id) {
                Ok(()) => {
                    self.changed();
                    self.catalogue.deleted(id);
                    self.info(format!("已删除待销产品（编号 {id}）"));
                }
                Err(e) => self.error(format!("删除失败：{e}")),
            },
            Command::SetTownshipDeepPoverty { code, deep_poverty } => {
                match self.store.set_township_deep_poverty(&code, deep_poverty) {
                    Ok(()) => {
                        self.changed();
                        self.reload_registry();
                        let name = self
                            .townships
                            .iter()
                            .find(|t| t.code == code)
                            .map(|t| t.name.clone())
                            .unwrap_or(code);
                        let state = if deep_poverty {
                            "标记为深度贫困乡镇"
                        } else {
                            "取消深度贫困标记"
                        };
                        self.info(format!("{name}已{state}"));
                    }
                    Err(e) => self.error(format!("保存失败：{e}")),
                }
            }
            Command::SetVillageDeepPoverty {
                township_code,
                name,
                deep_poverty,
            } => {
                match self
                    .store
                    .upsert_village(&township_code, &name, deep_poverty)
                {
                    Ok(_) => {
                        self.changed();
                        let state = if deep_poverty {
                            "（深度贫困村）"
                        } else {
                            ""
                        };
                        self.info(format!("已保存村(社区)：{name}{state}"));
                    }
                    Err(e) => self.error(format!("保存失败：{e}")),
                }
            }
            Command::SetPurchaserType {
                id,
                purchaser_type,
                member_count,
            } => {
                match self
                    .store
                    .set_purchaser_type(id, purchaser_type, member_count)
                {
                    Ok(()) => {
                        self.changed();
                        let type_name = purchaser_type.map(|t| t.name()).unwrap_or("未设置");
                        self.info(format!(
                            "已保存采购单位类型：{type_name}（相关记录的销售方式已更新）"
                        ));
                    }
                    Err(e) => self.error(format!("保存失败：{e}")),
                }
            }
            Command::SetUnionMembers {
                id,
                name,
                member_count,
            } => match self
                .store
                .set_purchaser_type(id, Some(PurchaserType::Union), member_count)
            {
                Ok(()) => {
                    self.changed();
                    self.info(union_members_saved_text(&name, member_count));
                }
                Err(e) => self.error(format!("保存失败：{e}")),
            },
            Command::SaveTargets(targets) => match self.store.save_targets(&targets) {
                Ok(()) => {
                    self.changed();
                    self.basic_info.targets_saved();
                    self.info(format!("已保存{}年目标任务", targets.year));
                }
                Err(e) => self.error(format!("保存失败：{e}")),
            },
            Command::SavePairing { id, draft } => {
                let outcome = match id {
                    Some(id) => self
                        .store
                        .update_enterprise_pairing(id, &draft)
                        .map(|()| id),
                    None => self.store.add_enterprise_pairing(&draft),
                };
                match outcome {
                    Ok(_) => {
                        self.changed();
                        self.basic_info.pairing_saved();
                        self.info(format!(
                            "已保存结对：{} — {}",
                            draft.enterprise.trim(),
                            draft.village.trim()
                        ));
                    }
                    Err(e) => self.error(format!("保存结对失败：{e}")),
                }
            }
            Command::DeletePairing { id } => match self.store.delete_enterprise_pairing(id) {
                Ok(()) => {
                    self.changed();
                    self.info(format!("已删除结对（编号 {id}）"));
                }
                Err(e) => self.error(format!("删除失败：{e}")),
            },
            Command::SaveSettings(settings) => match self.store.save_settings(&settings) {
                Ok(()) => {
                    self.changed();
                    self.basic_info.settings_saved();
                    self.info("已保存本单位信息".to_string());
                }
                Err(e) => self.error(format!("保存失败：{e}")),
            },
            Command::ShowRecords {
                filter,
                description,
            } => {
                self.records = Some(RecordsView::new(filter, description));
            }
            Command::EditRecord { id, kind } => {
                let tab = if kind == FormKind::Procurement {
                    Tab::Procurements
                } else {
                    Tab::Sales
                };
                self.tab = tab;
                let store = &self.store;
                let target = if kind == FormKind::Procurement {
                    &mut self.procurements
                } else {
                    &mut self.sales
                };
                match target.edit(store, id) {
                    Ok(()) => {
                        // The editor is beside the table of its tab; the 明细 window would cover it.
                        self.records = None;
                        self.info(format!(
                            "已在“{}”中打开记录（编号 {id}）；明细已关闭",
                            tab.name()
                        ));
                    }
                    Err(e) => self.error(format!("无法打开记录：{e}")),
                }
            }
            Command::ChooseExportPath { request, suggested } => {
                let mut dialog = rfd::FileDialog::new().add_filter("Excel 工作簿", &["xlsx"]);
                if let Some(dir) = suggested.parent().filter(|d| d.is_dir()) {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(name) = suggested.file_name() {
                    dialog = dialog.set_file_name(name.to_string_lossy());
                }
                match dialog.save_file() {
                    Some(path) => self.start_export(ctx, request, with_xlsx_extension(path)),
                    None => self
                        .export_panel(request.kind)
                        .ask_for_path(request, suggested),
                }
            }
            Command::StartExport { request, out } => self.start_export(ctx, request, out),
            Command::ConfirmSameSale { procurement, sale } => {
                match self.store.confirm_same_sale(procurement, sale) {
                    Ok(()) => {
                        self.changed();
                        self.info(format!("已确认为同一笔销售：附件3记录{procurement}不再重复计入（计在附件2记录{sale}）"));
                    }
                    Err(e) => self.error(format!("确认失败：{e}")),
                }
            }
            Command::RejectNearMatch { procurement, sale } => {
                match self.store.reject_near_match(procurement, sale) {
                    Ok(()) => {
                        self.changed();
                        self.info(format!(
                            "已确认附件3记录{procurement}与附件2记录{sale}不是同一笔，两条都计入"
                        ));
                    }
                    Err(e) => self.error(format!("保存失败：{e}")),
                }
            }
            Command::Unpair { procurement } => match self.store.set_same_sale(procurement, None) {
                Ok(()) => {
                    self.changed();
                    self.info(format!("已取消配对：附件3记录{procurement}重新计入"));
                }
                Err(e) => self.error(format!("取消配对失败：{e}")),
            },
            Command::LinkShipment { shipment, sale } => {
                match self.store.link_shipment(shipment, sale) {
                    Ok(()) => {
                        self.changed();
                        self.info(format!("已将物流记录关联到销售记录（编号 {sale}）"));
                    }
                    Err(e) => self.error(format!("关联物流记录失败：{e}")),
                }
            }
            Command::UnlinkShipment { shipment } => match self.store.unlink_shipment(shipment) {
                Ok(()) => {
                    self.changed();
                    self.info("已取消物流记录的关联".to_string());
                }
                Err(e) => self.error(format!("取消关联失败：{e}")),
            },
            Command::AutoLinkShipments => match self.store.auto_link_shipments() {
                Ok(linked) => {
                    self.changed();
                    self.info(format!("自动关联了{linked}条物流记录"));
                }
                Err(e) => self.error(format!("自动关联失败：{e}")),
            },
            Command::SetPaid {
                id,
                paid,
                paid_date,
            } => match self.store.set_paid(id, paid, paid_date) {
                Ok(()) => {
                    self.changed();
                    self.sales.paid_saved(id, paid, paid_date);
                    self.procurements.paid_saved(id, paid, paid_date);
                    let text = match (paid, paid_date) {
                        (true, Some(date)) => format!("已登记付款（编号 {id}，付款日期 {date}）"),
                        (true, None) => format!("已登记付款（编号 {id}）"),
                        (false, _) => format!("已改为未付款（编号 {id}）"),
                    };
                    self.info(text);
                }
                Err(e) => self.error(format!("保存付款情况失败：{e}")),
            },
            Command::ChooseReportPath { report, suggested } => {
                let mut dialog = rfd::FileDialog::new().add_filter("Excel 工作簿", &["xlsx"]);
                if let Some(dir) = suggested.parent().filter(|d| d.is_dir()) {
                    dialog = dialog.set_directory(dir);
                }
                if let Some(name) = suggested.file_name() {
                    dialog = dialog.set_file_name(name.to_string_lossy());
                }
                match dialog.save_file() {
                    Some(path) => self.start_report(ctx, report, with_xlsx_extension(path)),
                    None => self.reconcile.report.ask_for_path(report, suggested),
                }
            }
            Command::StartReport { report, out } => self.start_report(ctx, report, out),
            Command::OpenImport => self.import.open(),
            Command::Backup => self.start_backup(ctx),
            Command::OpenFolder(folder) => {
                if let Err(e) = open_folder(&folder) {
                    self.error(e);
                }
            }
            Command::Error(text) => self.error(text),
            Command::Info(text) => {
                if text.is_empty() {
                    self.status = None;
                } else {
                    self.info(text);
                }
            }
        }
    }

    /// Asks where to write a backup (with a dated default name in the documents folder) and
    /// copies the database there on a background thread.
    fn start_backup(&mut self, ctx: &egui::Context) {
        let folder = directories::UserDirs::new()
            .and_then(|dirs| dirs.document_dir().map(|d| d.to_path_buf()))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let name = format!(
            "台账备份_{}.db",
            chrono::Local::now().format("%Y%m%d_%H%M%S")
        );
        let chosen = rfd::FileDialog::new()
            .add_filter("数据库文件", &["db"])
            .set_directory(&folder)
            .set_file_name(&name)
            .save_file()
            // No dialog available (or cancelled): back up to the default place and say where.
            .unwrap_or_else(|| folder.join(&name));
        let db_path = self.db_path.clone();
        self.info("正在备份数据库…".to_string());
        self.backup = Some(BackgroundJob::start(
            ctx,
            "backup",
            move |_| {
                Store::open(&db_path)
                    .and_then(|store| store.backup_to(&chosen))
                    .map(|()| chosen)
                    .map_err(|e| e.to_string())
            },
            |e| Err(format!("无法启动备份：{e}")),
        ));
    }

    fn start_report(&mut self, ctx: &egui::Context, report: ReportKind, out: PathBuf) {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            self.error(format!(
                "文件夹“{}”不存在，请换一个保存路径",
                parent.display()
            ));
            self.reconcile.report.ask_for_path(report, out);
            return;
        }
        let today = chrono::Local::now().date_naive();
        let job = report_job(ctx, &self.db_path, report, out, today);
        self.info(format!("正在生成{}…", report_label(report)));
        self.reconcile.report.started(report, job);
    }

    fn export_panel(&mut self, kind: FormKind) -> &mut super::export::ExportPanel {
        match kind {
            FormKind::Catalogue => &mut self.catalogue.export,
            FormKind::Sale => &mut self.sales.export,
            FormKind::Procurement => &mut self.procurements.export,
        }
    }

    fn start_export(
        &mut self,
        ctx: &egui::Context,
        request: crate::forms::ExportRequest,
        out: PathBuf,
    ) {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            self.error(format!(
                "文件夹“{}”不存在，请换一个保存路径",
                parent.display()
            ));
            self.export_panel(request.kind).ask_for_path(request, out);
            return;
        }
        let job = export_job(ctx, &self.db_path, request.clone(), out);
        self.info(format!("正在导出{}…", request.kind.label()));
        self.export_panel(request.kind).started(request, job);
    }
}

/// The status message after a union's member count was saved:
/// `已保存工会会员人数：云阳县总工会 10人（标准 5000元）`, or `已清除工会会员人数：…` when emptied.
fn union_members_saved_text(name: &str, member_count: Option<i64>) -> String {
    match member_count {
        Some(count) => format!(
            "已保存工会会员人数：{name} {count}人（标准 {}元）",
            count.saturating_mul(UNION_STANDARD_YUAN_PER_MEMBER)
        ),
        None => format!("已清除工会会员人数：{name}"),
    }
}

/// The year the dashboard opens on: the newest year with records, else this year.
fn default_year(store: &Store, today: chrono::NaiveDate) -> i32 {
    store
        .sale_years()
        .ok()
        .and_then(|years| years.first().copied())
        .unwrap_or_else(|| today.year())
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        App::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let prefs = UiPrefs {
            tab: self.tab,
            dashboard_year: self.dashboard.year(),
        };
        eframe::set_value(storage, PREFS_KEY, &prefs);
    }
}

/// Opens the database at `db_path` and runs the window until it is closed. Errors (Chinese):
/// the database cannot be opened, or no window can be created (no display, no OpenGL).
pub fn run(db_path: PathBuf) -> Result<(), String> {
    let store = Store::open(&db_path).map_err(|e| e.to_string())?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(WINDOW_TITLE)
            .with_app_id("xiaofei-fupin")
            .with_inner_size([1366.0, 768.0])
            .with_min_inner_size([1024.0, 600.0]),
        ..Default::default()
    };
    eframe::run_native(
        WINDOW_TITLE,
        options,
        Box::new(move |cc| Ok(Box::new(App::new(cc, store, db_path)))),
    )
    .map_err(|e| format!("无法打开窗口（本机没有可用的图形界面？导入、导出等也可用命令行完成，见 --help）。详细信息：{e}"))
}
