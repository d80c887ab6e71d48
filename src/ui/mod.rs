//! The desktop window (eframe/egui): one file per tab, shared widgets, and the app that owns the
//! [`crate::store::Store`] and applies what the tabs ask for.
//!
//! Pattern (as in egui_demo_app): code that draws (`…_ui` functions taking `&mut egui::Ui`) only
//! reads through typed store functions and pushes [`Command`]s; the [`App`] applies them after the
//! frame, turns any failure into one visible Chinese message, and bumps a data version that tells
//! every tab to refresh its cached ids and figures. The UI never runs SQL.

mod app;
mod basic_info;
mod catalogue;
mod dashboard;
mod export;
mod export_window;
pub mod fonts;
mod import;
mod job;
mod pairings;
mod price_flags;
mod reconcile;
mod records;
mod report_export;
mod sales;
mod shipments;
mod widgets;

pub use app::{App, Tab, run};

use std::path::PathBuf;

use crate::domain::sale::{FormKind, Listing, SaleRecord};
use crate::domain::{PurchaserType, Quarter, RegionResolver, Township};
use crate::forms::ExportRequest;
use crate::store::{SaleFilter, Settings, Store, Targets};

/// Something a tab asks the app to do, collected during a frame and applied after it.
#[must_use]
#[derive(Debug, Clone)]
pub enum Command {
    /// Insert (`id` = `None`) or replace a sale/procurement (附件2/附件3; the kind is in the record).
    /// `opened`: for a stored record, the record as the editor read it (not saved when the
    /// ledger's record has changed since).
    SaveSale {
        id: Option<i64>,
        record: SaleRecord,
        opened: Option<SaleRecord>,
    },
    /// Delete a sale/procurement (after the user confirmed).
    DeleteSale { id: i64, kind: FormKind },
    /// Insert (`id` = `None`) or replace a catalogue listing (附件1).
    /// `opened` as for [`Command::SaveSale`].
    SaveListing {
        id: Option<i64>,
        listing: Listing,
        opened: Option<Listing>,
    },
    /// Delete a catalogue listing (after the user confirmed).
    DeleteListing { id: i64 },
    /// Set a township's deep-poverty flag.
    SetTownshipDeepPoverty { code: String, deep_poverty: bool },
    /// Add a village or set its deep-poverty flag.
    SetVillageDeepPoverty {
        township_code: String,
        name: String,
        deep_poverty: bool,
    },
    /// Set (and confirm) a purchaser's type and union member count.
    SetPurchaserType {
        id: i64,
        purchaser_type: Option<PurchaserType>,
        member_count: Option<i64>,
    },
    /// Set a union's member count (工会进家庭, R10); `name` is for the status message.
    SetUnionMembers {
        id: i64,
        name: String,
        member_count: Option<i64>,
    },
    /// Store a year's targets.
    SaveTargets(Targets),
    /// Add (`id` = `None`) or replace a 百企帮百村 enterprise–village pairing (R11, 四(三)).
    SavePairing {
        id: Option<i64>,
        draft: crate::store::PairingDraft,
    },
    /// Delete a 百企帮百村 pairing (after the user confirmed).
    DeletePairing { id: i64 },
    /// Store this installation's unit and contact.
    SaveSettings(Settings),
    /// Show the records behind a dashboard figure (traceability R8).
    ShowRecords {
        filter: SaleFilter,
        description: String,
    },
    /// Open a record in its form tab's editor.
    EditRecord { id: i64, kind: FormKind },
    /// Ask for an export path with the system file dialog, then export.
    ChooseExportPath {
        request: ExportRequest,
        suggested: PathBuf,
    },
    /// Export to this path in a background thread.
    StartExport {
        request: ExportRequest,
        out: PathBuf,
    },
    /// Confirm that 附件3 row `procurement` is the same sale as 附件2 row `sale` (counted once).
    ConfirmSameSale { procurement: i64, sale: i64 },
    /// Reject a proposed pair: the two rows are different sales (both count).
    RejectNearMatch { procurement: i64, sale: i64 },
    /// Remove the link of 附件3 row `procurement` to its 附件2 sale (both count again).
    Unpair { procurement: i64 },
    /// Record the payment of a sale/procurement (R12).
    SetPaid {
        id: i64,
        paid: bool,
        paid_date: Option<chrono::NaiveDate>,
    },
    /// Ask for a path for a report (通报, 供应目录) with the system file dialog, then write it.
    ChooseReportPath {
        report: ReportKind,
        suggested: PathBuf,
    },
    /// Write a report to this path in a background thread.
    StartReport { report: ReportKind, out: PathBuf },
    /// Open the 导入 window (file choice, preview, confirm).
    OpenImport,
    /// Back up the database to a file chosen by the user (background thread).
    Backup,
    /// Open a folder in the system file manager.
    OpenFolder(PathBuf),
    /// Link courier shipment `shipment` to sale/procurement `sale` by hand (R5).
    LinkShipment { shipment: i64, sale: i64 },
    /// Remove a shipment's link by hand (it is not linked automatically again).
    UnlinkShipment { shipment: i64 },
    /// Link undecided shipments to sales by the automatic rule.
    AutoLinkShipments,
    /// Show an error in the status line (e.g. a failed read).
    Error(String),
    /// Show an information in the status line (e.g. an export finished).
    Info(String),
}

/// A document the county commerce committee issues (written by [`report`](crate::report)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The quarterly bulletin (通报) of a quarter.
    Bulletin(Quarter),
    /// The county supply catalogue (供应目录).
    Catalogue,
}

/// What every tab may read during a frame: the store (typed reads only) and cached registries.
pub(crate) struct Shared<'a> {
    pub store: &'a Store,
    /// The 42 townships in registry order.
    pub townships: &'a [Township],
    /// Resolves 地区 text for validation.
    pub resolver: &'a RegionResolver,
    /// Bumped after every change of stored data; tabs refresh their caches when it moves.
    pub data_version: u64,
    /// Today (upper bound of typed dates).
    pub today: chrono::NaiveDate,
}
