//! The 基础信息 tab: the region registry (townships and villages with their deep-poverty flags),
//! the purchasers with their types (confirm suggestions, set union member counts), the unions'
//! 500元-per-member standard (工会进家庭, R10) and the 百企帮百村 pairings (R11) (both in
//! `pairings.rs`), the yearly targets in 万元, and this installation's unit, contact person and phone
//! (form headers).

use std::collections::HashMap;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rust_decimal::Decimal;

use super::pairings::{EnterprisesSection, UnionsSection};
use super::widgets::{
    ERROR_COLOR, WARNING_COLOR, field_row_ui, note_ui, wan_short, year_choices, year_combo_ui,
};
use super::{Command, Shared};
use crate::domain::{Channel, Money, PurchaserType};
use crate::store::{Purchaser, Settings, Targets};

/// The parts of the tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Regions,
    Purchasers,
    Unions,
    Enterprises,
    Targets,
    Unit,
}

/// The targets being edited, as typed (万元).
struct TargetsEdit {
    year: i32,
    total: String,
    deep_poverty: String,
    channels: Vec<(Channel, String)>,
    errors: HashMap<String, String>,
    dirty: bool,
}

impl TargetsEdit {
    fn from_targets(targets: &Targets) -> Self {
        Self {
            year: targets.year,
            total: wan_short(targets.total),
            deep_poverty: wan_short(targets.deep_poverty),
            channels: targets
                .channels
                .iter()
                .map(|(c, m)| (*c, wan_short(*m)))
                .collect(),
            errors: HashMap::new(),
            dirty: false,
        }
    }

    /// The targets typed, or the errors per field (keyed by the field's label).
    fn parse(&self) -> Result<Targets, HashMap<String, String>> {
        let mut errors = HashMap::new();
        let mut read = |label: &str, text: &str| -> Money {
            match parse_wan_yuan(text) {
                Ok(money) => money,
                Err(message) => {
                    errors.insert(label.to_string(), message);
                    Money::ZERO
                }
            }
        };
        let total = read("全年总目标", &self.total);
        let deep_poverty = read("深度贫困镇村", &self.deep_poverty);
        let channels: Vec<(Channel, Money)> = self
            .channels
            .iter()
            .map(|(c, text)| (*c, read(c.name(), text)))
            .collect();
        if errors.is_empty() {
            Ok(Targets {
                year: self.year,
                total,
                deep_poverty,
                channels,
            })
        } else {
            Err(errors)
        }
    }
}

/// Parses an amount in 万元 typed in the targets form (`6000`, `1500.5`, `6,500`, `６０００`,
/// `6000万元`, `6000 万`). Errors: a Chinese message for the field (empty, not a number, negative,
/// finer than a fen once in 元).
pub(crate) fn parse_wan_yuan(text: &str) -> Result<Money, String> {
    let half_width = crate::domain::text::to_half_width(text.trim());
    let cleaned = half_width
        .trim_end_matches("万元")
        .trim_end_matches('万')
        .trim();
    if cleaned.is_empty() {
        return Err("请填写金额（万元）".to_string());
    }
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, cleaned),
    };
    let wan: Decimal = crate::domain::text::parse_decimal_number(digits)
        .ok_or_else(|| format!("无法识别“{}”：应为数字，单位万元，如 6000", text.trim()))?;
    if negative && !wan.is_zero() {
        return Err("目标不能为负数".to_string());
    }
    let yuan = wan
        .checked_mul(Decimal::from(10_000))
        .ok_or_else(|| "数值过大".to_string())?;
    Money::from_yuan(yuan).map_err(|e| e.to_string())
}

/// The villages (name, deep-poverty flag) of a township, read at a data version.
type VillageCache = (u64, String, Vec<(String, bool)>);

/// The 基础信息 tab.
pub(crate) struct BasicInfoTab {
    section: Section,
    selected_township: Option<String>,
    villages: Option<VillageCache>,
    new_village: String,
    purchasers: Option<(u64, Vec<Purchaser>)>,
    purchaser_text: String,
    unconfirmed_only: bool,
    member_edits: HashMap<i64, String>,
    targets_year: i32,
    targets: Option<TargetsEdit>,
    years: Option<(u64, Vec<i32>)>,
    settings: Option<(Settings, bool)>,
    loaded_version: u64,
    unions: UnionsSection,
    enterprises: EnterprisesSection,
}

impl BasicInfoTab {
    /// The tab, editing the targets of `year`.
    pub(crate) fn new(year: i32) -> Self {
        Self {
            section: Section::Regions,
            selected_township: None,
            villages: None,
            new_village: String::new(),
            purchasers: None,
            purchaser_text: String::new(),
            unconfirmed_only: false,
            member_edits: HashMap::new(),
            targets_year: year,
            targets: None,
            years: None,
            settings: None,
            loaded_version: u64::MAX,
            unions: UnionsSection::new(year),
            enterprises: EnterprisesSection::new(year),
        }
    }

    /// The targets were saved: the form is no longer dirty.
    pub(crate) fn targets_saved(&mut self) {
        if let Some(edit) = &mut self.targets {
            edit.dirty = false;
        }
        self.targets = None;
    }

    /// A 百企帮百村 pairing was saved: its form is cleared.
    pub(crate) fn pairing_saved(&mut self) {
        self.enterprises.saved();
    }

    /// The settings were saved.
    pub(crate) fn settings_saved(&mut self) {
        self.settings = None;
    }

    /// Draws the tab.
    pub(crate) fn ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self.loaded_version != shared.data_version {
            self.loaded_version = shared.data_version;
            self.purchasers = None;
            self.villages = None;
            if self.targets.as_ref().is_some_and(|t| !t.dirty) {
                self.targets = None;
            }
            if self.settings.as_ref().is_some_and(|(_, dirty)| !dirty) {
                self.settings = None;
            }
        }
        ui.horizontal(|ui| {
            for (section, name) in [
                (Section::Regions, "乡镇与村"),
                (Section::Purchasers, "采购单位类型"),
                (Section::Unions, "工会进家庭"),
                (Section::Enterprises, "百企帮百村"),
                (Section::Targets, "目标任务"),
                (Section::Unit, "本单位信息"),
            ] {
                ui.selectable_value(&mut self.section, section, name);
            }
        });
        ui.separator();
        match self.section {
            Section::Regions => self.regions_ui(ui, shared, commands),
            Section::Purchasers => self.purchasers_ui(ui, shared, commands),
            Section::Unions => self.unions.ui(ui, shared, commands),
            Section::Enterprises => self.enterprises.ui(ui, shared, commands),
            Section::Targets => self.targets_ui(ui, shared, commands),
            Section::Unit => self.unit_ui(ui, shared, commands),
        }
    }

    fn regions_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        note_ui(
            ui,
            "深度贫困是乡镇或村的属性：勾选后，该乡镇（或村）的全部销售都计入“深度贫困镇村”目标。",
        );
        ui.add_space(4.0);
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
        egui::Panel::right("villages_panel")
            .resizable(true)
            .default_size(420.0)
            .show(ui, |ui| {
                self.villages_ui(ui, shared, commands);
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            TableBuilder::new(ui)
                .id_salt("township_table")
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .auto_shrink([false, false])
                .column(Column::exact(60.0))
                .column(Column::initial(150.0))
                .column(Column::exact(50.0))
                .column(Column::exact(80.0))
                .column(Column::initial(110.0))
                .column(Column::remainder())
                .header(row_height, |mut header| {
                    for title in [
                        "序号",
                        "乡镇(街道)",
                        "类型",
                        "深度贫困",
                        "村(社区)",
                        "统计代码",
                    ] {
                        header.col(|ui| {
                            ui.strong(title);
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, shared.townships.len(), |mut row| {
                        let Some(township) = shared.townships.get(row.index()) else {
                            return;
                        };
                        row.set_selected(self.selected_township.as_ref() == Some(&township.code));
                        let number = row.index() + 1;
                        row.col(|ui| {
                            ui.label(number.to_string());
                        });
                        row.col(|ui| {
                            ui.label(&township.name);
                        });
                        row.col(|ui| {
                            ui.label(&township.kind);
                        });
                        row.col(|ui| {
                            let mut flag = township.deep_poverty;
                            if ui
                                .checkbox(&mut flag, "")
                                .accessible_name(format!("{} 深度贫困", township.name))
                                .changed()
                            {
                                commands.push(Command::SetTownshipDeepPoverty {
                                    code: township.code.clone(),
                                    deep_poverty: flag,
                                });
                            }
                        });
                        row.col(|ui| {
                            if ui
                                .small_button("查看村(社区)")
                                .accessible_name(format!("{} 的村(社区)", township.name))
                                .clicked()
                            {
                                self.selected_township = Some(township.code.clone());
                                self.villages = None;
                            }
                        });
                        row.col(|ui| {
                            ui.label(RichText::new(&township.code).weak());
                        });
                    });
                });
        });
    }

    fn villages_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            if super::widgets::township_combo_ui(
                ui,
                "village_township",
                "村(社区)所属乡镇",
                &mut self.selected_township,
                shared.townships,
                "请选择",
            ) {
                self.villages = None;
            }
        });
        let Some(code) = self.selected_township.clone() else {
            ui.add_space(8.0);
            note_ui(
                ui,
                "选择乡镇（或点左侧“查看村(社区)”），可添加村(社区)并设置其深度贫困标记。",
            );
            return;
        };
        let Some(township) = shared.townships.iter().find(|t| t.code == code) else {
            return;
        };
        if self
            .villages
            .as_ref()
            .is_none_or(|(v, c, _)| *v != shared.data_version || *c != code)
        {
            match shared.store.villages(&code) {
                Ok(villages) => {
                    let list = villages
                        .into_iter()
                        .map(|v| (v.name, v.deep_poverty))
                        .collect();
                    self.villages = Some((shared.data_version, code.clone(), list));
                }
                Err(e) => {
                    commands.push(Command::Error(format!("读取村(社区)失败：{e}")));
                    self.villages = Some((shared.data_version, code.clone(), Vec::new()));
                }
            }
        }
        ui.label(RichText::new(format!("{} 的村(社区)", township.name)).strong());
        if township.deep_poverty {
            note_ui(ui, "本乡镇已标记为深度贫困，其所有村(社区)均计入深度贫困。");
        }
        ui.horizontal(|ui| {
            let label = ui.label("新增村(社区)");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_village)
                    .hint_text("如 三坪村")
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
            let name = self.new_village.trim().to_string();
            if ui
                .add_enabled(!name.is_empty(), egui::Button::new("添加"))
                .clicked()
            {
                commands.push(Command::SetVillageDeepPoverty {
                    township_code: code.clone(),
                    name,
                    deep_poverty: false,
                });
                self.new_village.clear();
            }
        });
        note_ui(ui, "录入记录时出现的村(社区)会自动加入此名录。");
        ui.separator();
        let villages = self
            .villages
            .as_ref()
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default();
        if villages.is_empty() {
            note_ui(ui, "尚无村(社区)");
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("villages_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("villages_grid")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (name, deep) in villages {
                            ui.label(&name);
                            let mut flag = deep;
                            if ui
                                .checkbox(&mut flag, "深度贫困村")
                                .accessible_name(format!("{name} 深度贫困"))
                                .changed()
                            {
                                commands.push(Command::SetVillageDeepPoverty {
                                    township_code: code.clone(),
                                    name: name.clone(),
                                    deep_poverty: flag,
                                });
                            }
                            ui.end_row();
                        }
                    });
            });
    }

    fn purchasers_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self
            .purchasers
            .as_ref()
            .is_none_or(|(v, _)| *v != shared.data_version)
        {
            match shared.store.purchasers() {
                Ok(list) => self.purchasers = Some((shared.data_version, list)),
                Err(e) => {
                    commands.push(Command::Error(format!("读取采购单位失败：{e}")));
                    self.purchasers = Some((shared.data_version, Vec::new()));
                }
            }
        }
        let all = self
            .purchasers
            .as_ref()
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        let unconfirmed = all.iter().filter(|p| !p.confirmed).count();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("查找");
            ui.add(egui::TextEdit::singleline(&mut self.purchaser_text).hint_text("采购单位名称").desired_width(180.0))
                .labelled_by(label.id);
            ui.checkbox(&mut self.unconfirmed_only, format!("仅看待确认（{unconfirmed}）"));
            note_ui(
                ui,
                "采购单位的类型决定其采购计入哪个销售方式。新单位按名称给出建议类型，请确认或改正；工会请填会员人数（每人500元标准）。",
            );
        });
        ui.separator();
        let text = self.purchaser_text.trim().to_string();
        let shown: Vec<Purchaser> = all
            .into_iter()
            .filter(|p| !self.unconfirmed_only || !p.confirmed)
            .filter(|p| text.is_empty() || p.name.contains(&text))
            .collect();
        if shown.is_empty() {
            note_ui(ui, "没有符合条件的采购单位");
            return;
        }
        let row_height = ui.spacing().interact_size.y + 6.0;
        TableBuilder::new(ui)
            .id_salt("purchaser_table")
            .striped(true)
            .resizable(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .auto_shrink([false, false])
            .column(Column::initial(260.0).at_least(120.0).clip(true))
            .column(Column::initial(190.0))
            .column(Column::initial(190.0).clip(true))
            .column(Column::initial(110.0))
            .column(Column::initial(80.0))
            .column(Column::remainder())
            .header(row_height, |mut header| {
                for title in [
                    "采购单位",
                    "类型",
                    "计入销售方式",
                    "状态",
                    "记录数",
                    "工会会员人数",
                ] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, shown.len(), |mut row| {
                    let Some(p) = shown.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        ui.label(&p.name).on_hover_text(&p.name);
                    });
                    row.col(|ui| {
                        let mut chosen = p.purchaser_type;
                        egui::ComboBox::from_id_salt(("purchaser_type", p.id))
                            .selected_text(chosen.map(|t| t.name()).unwrap_or("未设置"))
                            .width(170.0)
                            .height(400.0)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut chosen, None, "未设置");
                                for t in PurchaserType::ALL {
                                    ui.selectable_value(&mut chosen, Some(t), t.name());
                                }
                            })
                            .response
                            .accessible_name(format!("{} 的类型", p.name));
                        if chosen != p.purchaser_type {
                            commands.push(Command::SetPurchaserType {
                                id: p.id,
                                purchaser_type: chosen,
                                member_count: p.member_count,
                            });
                        }
                    });
                    row.col(|ui| {
                        let text = match p.purchaser_type.map(|t| t.channel()) {
                            Some((channel, Some(sub))) => {
                                format!("{}/{}", channel.name(), sub.name())
                            }
                            Some((channel, None)) => channel.name().to_string(),
                            None => "未分类".to_string(),
                        };
                        ui.label(text);
                    });
                    row.col(|ui| {
                        if p.confirmed {
                            ui.label("已确认");
                        } else {
                            ui.label(RichText::new("建议，待确认").color(WARNING_COLOR));
                            if p.purchaser_type.is_some()
                                && ui
                                    .small_button("确认")
                                    .accessible_name(format!("确认 {} 的类型", p.name))
                                    .clicked()
                            {
                                commands.push(Command::SetPurchaserType {
                                    id: p.id,
                                    purchaser_type: p.purchaser_type,
                                    member_count: p.member_count,
                                });
                            }
                        }
                    });
                    row.col(|ui| {
                        ui.label(p.record_count.to_string());
                    });
                    row.col(|ui| {
                        if p.purchaser_type == Some(PurchaserType::Union) {
                            let edit = self.member_edits.entry(p.id).or_insert_with(|| {
                                p.member_count.map(|n| n.to_string()).unwrap_or_default()
                            });
                            let response = ui
                                .add(
                                    egui::TextEdit::singleline(edit)
                                        .desired_width(70.0)
                                        .hint_text("人数"),
                                )
                                .accessible_name(format!("{} 会员人数", p.name));
                            let text = edit.trim().to_string();
                            let parsed: Option<Option<i64>> = if text.is_empty() {
                                Some(None)
                            } else {
                                text.parse::<i64>().ok().filter(|n| *n >= 0).map(Some)
                            };
                            match parsed {
                                None => {
                                    ui.label(RichText::new("应为人数").color(ERROR_COLOR));
                                }
                                Some(count) if count != p.member_count => {
                                    if ui
                                        .small_button("保存")
                                        .accessible_name(format!("保存 {} 会员人数", p.name))
                                        .clicked()
                                        || (response.lost_focus()
                                            && ui.input(|i| i.key_pressed(egui::Key::Enter)))
                                    {
                                        commands.push(Command::SetUnionMembers {
                                            id: p.id,
                                            name: p.name.clone(),
                                            member_count: count,
                                        });
                                    }
                                }
                                Some(_) => {
                                    if let Some(n) = p.member_count {
                                        ui.label(
                                            RichText::new(format!("标准 {} 元", n * 500)).weak(),
                                        );
                                    }
                                }
                            }
                        } else {
                            ui.label(RichText::new("—").weak());
                        }
                    });
                });
            });
    }

    fn targets_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self
            .years
            .as_ref()
            .is_none_or(|(v, _)| *v != shared.data_version)
        {
            let years = year_choices(shared.store.sale_years().unwrap_or_default(), shared.today);
            self.years = Some((shared.data_version, years));
        }
        let years = self
            .years
            .as_ref()
            .map(|(_, y)| y.clone())
            .unwrap_or_default();
        ui.horizontal(|ui| {
            let mut year = Some(self.targets_year);
            if year_combo_ui(ui, "targets_year", "年度", &mut year, &years, None)
                && let Some(year) = year
            {
                self.targets_year = year;
                self.targets = None;
            }
            note_ui(ui, "金额单位：万元。未修改过的年度按2019年方案：总目标6000万元，其中深度贫困镇村1000万元。");
        });
        ui.separator();
        if self
            .targets
            .as_ref()
            .is_none_or(|t| t.year != self.targets_year)
        {
            match shared.store.targets(self.targets_year) {
                Ok(targets) => self.targets = Some(TargetsEdit::from_targets(&targets)),
                Err(e) => {
                    commands.push(Command::Error(format!("读取目标任务失败：{e}")));
                    return;
                }
            }
        }
        let Some(edit) = &mut self.targets else {
            return;
        };
        let before = (
            edit.total.clone(),
            edit.deep_poverty.clone(),
            edit.channels.clone(),
        );
        egui::Grid::new("targets_grid")
            .num_columns(2)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                let error = edit.errors.get("全年总目标").cloned();
                field_row_ui(
                    ui,
                    "全年总目标（万元）",
                    &mut edit.total,
                    "6000",
                    error.as_deref(),
                    None,
                );
                let error = edit.errors.get("深度贫困镇村").cloned();
                field_row_ui(
                    ui,
                    "其中深度贫困镇村（万元）",
                    &mut edit.deep_poverty,
                    "1000",
                    error.as_deref(),
                    None,
                );
                for (channel, text) in &mut edit.channels {
                    let error = edit.errors.get(channel.name()).cloned();
                    field_row_ui(
                        ui,
                        &format!("{}（万元）", channel.name()),
                        text,
                        "",
                        error.as_deref(),
                        None,
                    );
                }
            });
        if (
            edit.total.clone(),
            edit.deep_poverty.clone(),
            edit.channels.clone(),
        ) != before
        {
            edit.dirty = true;
            // An error shown since the last save goes as soon as its field reads well; new
            // errors wait for the next save, so typing is not interrupted.
            let still_wrong = edit.parse().err().unwrap_or_default();
            edit.errors
                .retain(|label, _| still_wrong.contains_key(label));
        }
        if let Ok(targets) = edit.parse() {
            let sum: Money = targets.channels.iter().map(|(_, m)| *m).sum();
            if sum != targets.total {
                ui.label(
                    RichText::new(format!(
                        "六个销售方式目标合计 {} 万元，与全年总目标 {} 万元不一致",
                        wan_short(sum),
                        wan_short(targets.total)
                    ))
                    .color(WARNING_COLOR),
                );
            }
        }
        ui.add_space(6.0);
        let mut discard = false;
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new(format!("保存{}年目标", edit.year)).strong())
                .clicked()
            {
                match edit.parse() {
                    Ok(targets) => {
                        edit.errors.clear();
                        commands.push(Command::SaveTargets(targets));
                    }
                    Err(errors) => edit.errors = errors,
                }
            }
            if edit.dirty && ui.button("放弃修改").clicked() {
                discard = true;
            }
        });
        if discard {
            self.targets = None;
        }
    }

    fn unit_ui(&mut self, ui: &mut Ui, shared: &Shared<'_>, commands: &mut Vec<Command>) {
        if self.settings.is_none() {
            match shared.store.settings() {
                Ok(settings) => self.settings = Some((settings, false)),
                Err(e) => {
                    commands.push(Command::Error(format!("读取本单位信息失败：{e}")));
                    return;
                }
            }
        }
        let Some((settings, dirty)) = &mut self.settings else {
            return;
        };
        note_ui(
            ui,
            "用于导出表格的表头：填写单位（填报单位）、填写人（供货联系人）、联系电话。",
        );
        ui.add_space(4.0);
        let before = settings.clone();
        egui::Grid::new("unit_grid")
            .num_columns(2)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                field_row_ui(
                    ui,
                    "本单位名称",
                    &mut settings.unit,
                    "如 泥溪镇人民政府、县教委",
                    None,
                    None,
                );
                field_row_ui(
                    ui,
                    "填写人",
                    &mut settings.contact_person,
                    "姓名",
                    None,
                    None,
                );
                field_row_ui(
                    ui,
                    "联系电话",
                    &mut settings.phone,
                    "如 023-55123456",
                    None,
                    None,
                );
            });
        if *settings != before {
            *dirty = true;
        }
        ui.add_space(6.0);
        if ui
            .button(RichText::new("保存本单位信息").strong())
            .clicked()
        {
            commands.push(Command::SaveSettings(settings.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_yuan_parses_exactly() {
        assert_eq!(parse_wan_yuan("6000"), Ok(Money::from_fen(6_000_000_000)));
        assert_eq!(parse_wan_yuan("0.5万元"), Ok(Money::from_fen(500_000)));
        assert!(parse_wan_yuan("-1").is_err());
        assert!(parse_wan_yuan("abc").is_err());
        assert!(parse_wan_yuan("").is_err());
        assert!(parse_wan_yuan("0.0000001").is_err());
        // As clerks type amounts: thousands commas, full-width digits, a space before the unit.
        assert_eq!(parse_wan_yuan("6,500"), Ok(Money::from_fen(6_500_000_000)));
        assert_eq!(
            parse_wan_yuan("６０００"),
            Ok(Money::from_fen(6_000_000_000))
        );
        assert_eq!(
            parse_wan_yuan(" 1000 万元"),
            Ok(Money::from_fen(1_000_000_000))
        );
        assert!(parse_wan_yuan("6,50").is_err());
        assert!(parse_wan_yuan("- 5").is_err());
    }
}
