//! 物流记录: the third view of the 对账 tab (R5, 三(三)). The courier/postal shipments of the year
//! (imported through the 导入 window like the forms), linked or not to the 附件2 sale / 附件3
//! procurement they carried, with the share of counted sales that have a shipment. The operator
//! links a shipment by hand (选择销售… lists the sender's sales around the date) or removes a
//! link (取消关联); 自动关联 re-runs the matching rule of [`crate::store::Store::auto_link_shipments`].
//! Logistics never changes a total.

use egui::{RichText, Ui};

use super::reconcile::pager_ui;
use super::widgets::{OK_COLOR, WARNING_COLOR, cell_ui, fitted_widths, note_ui, yuan_text};
use super::{Command, Shared};
use crate::store::{SaleRow, ShipmentCoverage, ShipmentRow, ShipmentState};

/// Shipments shown per page.
const PER_PAGE: usize = 50;

/// Columns: 运单号, 寄件日期, 寄件人, 寄件地址, 物品, 重量, 收件单位, 关联的销售.
const COLUMNS: [(&str, f32); 8] = [
    ("运单号", 120.0),
    // Wide enough for a courier's date with its time (`2019/9/12 16:40`).
    ("寄件日期", 110.0),
    ("寄件人", 64.0),
    ("寄件地址", 190.0),
    ("物品", 64.0),
    ("重量", 64.0),
    ("收件单位", 150.0),
    ("关联的销售", 300.0),
];

/// The 物流记录 view's state.
pub(crate) struct ShipmentsView {
    state: ShipmentState,
    /// (data version, year, state) the rows were read for.
    loaded: Option<(u64, i32, ShipmentState)>,
    rows: Vec<ShipmentRow>,
    coverage: Option<ShipmentCoverage>,
    page: usize,
    /// The shipment whose candidate sales are shown, with them.
    choosing: Option<(i64, Vec<SaleRow>)>,
}

impl ShipmentsView {
    pub(crate) fn new() -> Self {
        Self {
            state: ShipmentState::All,
            loaded: None,
            rows: Vec::new(),
            coverage: None,
            page: 0,
            choosing: None,
        }
    }

    fn refresh(&mut self, shared: &Shared<'_>, year: i32, commands: &mut Vec<Command>) {
        let key = (shared.data_version, year, self.state);
        if self.loaded == Some(key) {
            return;
        }
        if self
            .loaded
            .is_some_and(|(version, _, _)| version != shared.data_version)
        {
            self.choosing = None;
        }
        self.loaded = Some(key);
        let store = shared.store;
        match (
            store.shipments(year, self.state),
            store.shipment_coverage(year),
        ) {
            (Ok(rows), Ok(coverage)) => {
                self.page = self.page.min(rows.len().saturating_sub(1) / PER_PAGE);
                self.rows = rows;
                self.coverage = Some(coverage);
            }
            (Err(e), _) | (_, Err(e)) => {
                self.rows.clear();
                self.coverage = None;
                commands.push(Command::Error(format!("读取{year}年物流记录失败：{e}")));
            }
        }
    }

    /// Draws the view for `year`.
    pub(crate) fn view_ui(
        &mut self,
        ui: &mut Ui,
        shared: &Shared<'_>,
        year: i32,
        commands: &mut Vec<Command>,
    ) {
        self.refresh(shared, year, commands);
        let Some(coverage) = self.coverage else {
            note_ui(ui, "暂无数据");
            return;
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(coverage_text(year, &coverage)).strong());
            ui.add_space(12.0);
            if ui
                .button("自动关联")
                .on_hover_text(
                    "按规则把未关联的物流记录关联到销售：同一乡镇、寄件人即贫困户、品种相同、日期相差不超过3天、重量与数量相符；手工处理过的不变",
                )
                .clicked()
            {
                commands.push(Command::AutoLinkShipments);
            }
            if ui
                .button("导入物流数据…")
                .on_hover_text("导入快递、邮政的寄件明细（xlsx、xls、csv），先预览再写入")
                .clicked()
            {
                commands.push(Command::OpenImport);
            }
        });
        note_ui(
            ui,
            "物流记录只用于核实销售去向（可溯源、知去向），不计入任何金额。",
        );
        ui.horizontal(|ui| {
            let before = self.state;
            for (state, name) in [
                (ShipmentState::All, "全部"),
                (ShipmentState::Unlinked, "未关联"),
                (ShipmentState::Linked, "已关联"),
            ] {
                ui.selectable_value(&mut self.state, state, name);
            }
            if self.state != before {
                self.page = 0;
                self.choosing = None;
            }
            ui.add_space(12.0);
            ui.label(format!("共{}条", self.rows.len()));
            pager_ui(ui, "shipments", &mut self.page, self.rows.len(), PER_PAGE);
        });
        if self.rows.is_empty() {
            note_ui(ui, "没有物流记录。");
            return;
        }
        let natural: Vec<f32> = COLUMNS.iter().map(|(_, w)| *w).collect();
        let spacing = 8.0 * COLUMNS.len() as f32 + 100.0;
        let mut widths = fitted_widths(ui.available_width(), &natural, spacing).0;
        // What the window has left goes to 关联的销售, the longest text of a row.
        let spare = ui.available_width() - spacing - widths.iter().sum::<f32>();
        if let Some(last) = widths.last_mut()
            && spare > 0.0
        {
            *last += spare.floor();
        }
        ui.horizontal(|ui| {
            for ((name, _), width) in COLUMNS.iter().zip(&widths) {
                cell_ui(ui, *width, RichText::new(*name).weak());
            }
        });
        let mut choose: Option<i64> = None;
        egui::ScrollArea::vertical()
            .id_salt("shipments_list")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let start = self.page * PER_PAGE;
                for row in self.rows.iter().skip(start).take(PER_PAGE) {
                    ui.push_id(("shipment", row.id), |ui| {
                        if shipment_row_ui(ui, row, &widths, commands) {
                            choose = Some(row.id);
                        }
                        if let Some((id, candidates)) = &self.choosing
                            && *id == row.id
                        {
                            candidates_ui(ui, row.id, candidates, commands);
                        }
                    });
                }
            });
        if let Some(id) = choose {
            if self.choosing.as_ref().is_some_and(|(open, _)| *open == id) {
                self.choosing = None;
            } else {
                match shared.store.shipment_link_candidates(id) {
                    Ok(candidates) => self.choosing = Some((id, candidates)),
                    Err(e) => commands.push(Command::Error(format!("读取可关联的销售失败：{e}"))),
                }
            }
        }
    }
}

/// `2019年：有物流记录的销售 3笔，占25.0%（按金额30.2%）；物流记录20条，已关联8条`.
pub(crate) fn coverage_text(year: i32, coverage: &ShipmentCoverage) -> String {
    format!(
        "{year}年：有物流记录的销售 {}笔，占{}%（按金额{}%）；物流记录{}条，已关联{}条",
        coverage.linked_sales,
        coverage.count_share(),
        coverage.amount_share(),
        coverage.shipments,
        coverage.linked_shipments
    )
}

/// `附件2 2019.9.1 云阳县商务委 土豆 30斤 90.00元`.
fn sale_text(sale: &SaleRow) -> String {
    let r = &sale.record;
    format!(
        "{} {} {} {} {} {}元",
        r.kind.label(),
        super::records::shown_date(r),
        r.purchaser,
        r.product,
        r.quantity_text,
        yuan_text(r.amount)
    )
}

/// One shipment; returns true when 选择销售… was clicked.
fn shipment_row_ui(
    ui: &mut Ui,
    row: &ShipmentRow,
    widths: &[f32],
    commands: &mut Vec<Command>,
) -> bool {
    let r = &row.record;
    let address = if row.township_name.is_empty() {
        RichText::new(&r.region_text).color(WARNING_COLOR)
    } else {
        RichText::new(&r.region_text)
    };
    let link = match (&row.sale, row.link_kind) {
        (Some(sale), kind) => RichText::new(format!(
            "{}（{}）",
            sale_text(sale),
            kind.map(|k| k.name()).unwrap_or("自动")
        ))
        .color(OK_COLOR),
        (None, Some(crate::store::LinkKind::Manual)) => {
            RichText::new("未关联（已手工取消）").weak()
        }
        (None, _) => RichText::new("未关联").color(WARNING_COLOR),
    };
    let mut choose = false;
    ui.horizontal(|ui| {
        let cells: [RichText; 7] = [
            RichText::new(&r.waybill),
            RichText::new(&r.date_text),
            RichText::new(&r.sender),
            address,
            RichText::new(&r.product),
            RichText::new(&r.weight_text),
            RichText::new(&r.receiver),
        ];
        for (text, width) in cells.into_iter().zip(widths) {
            cell_ui(ui, *width, text);
        }
        if let Some(width) = widths.get(7) {
            cell_ui(ui, *width, link);
        }
        if row.sale.is_some() {
            if ui
                .small_button("取消关联")
                .on_hover_text("这条物流记录与该销售无关：取消关联，以后也不再自动关联")
                .clicked()
            {
                commands.push(Command::UnlinkShipment { shipment: row.id });
            }
        } else if ui
            .small_button("选择销售…")
            .on_hover_text("列出寄件人在寄件日期前后一个月的销售，手工关联")
            .clicked()
        {
            choose = true;
        }
    });
    choose
}

/// The candidate sales of a shipment, each with 关联.
fn candidates_ui(ui: &mut Ui, shipment: i64, candidates: &[SaleRow], commands: &mut Vec<Command>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        if candidates.is_empty() {
            note_ui(
                ui,
                "寄件人在寄件日期前后一个月内没有销售记录，无法关联（请核对寄件人、寄件地址）。",
            );
            return;
        }
        ui.label(RichText::new("可关联的销售（同一寄件人，按品种、日期排列）").strong());
        for sale in candidates {
            ui.push_id(("candidate", sale.id), |ui| {
                ui.horizontal(|ui| {
                    if ui
                        .small_button("关联")
                        .on_hover_text("这条物流记录运送的就是这笔销售")
                        .clicked()
                    {
                        commands.push(Command::LinkShipment {
                            shipment,
                            sale: sale.id,
                        });
                    }
                    ui.label(format!(
                        "{} {}（{}）",
                        sale_text(sale),
                        sale.record.region_text,
                        sale.record.household
                    ));
                });
            });
        }
    });
}
