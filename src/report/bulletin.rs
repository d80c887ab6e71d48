//! The quarterly bulletin (季度通报, 三(三)): the county commerce committee's print-ready xlsx for a
//! quarter, due by the 10th of the next quarter's first month.
//!
//! Contents (A4 portrait, amounts in 万元 with two decimals):
//! - title `云阳县消费扶贫工作通报（2019年第3季度）`, issuer and date over a red rule;
//! - 一、总体进展: a paragraph, and 表1 — county total and deep-poverty part: yearly target, this
//!   quarter, previous quarter, change, year to date and percent of the yearly target (一);
//! - 二、分渠道完成情况: 表2 — each channel (with target) and sub-channel (四(一)–(六));
//! - 三、各乡镇(街道)情况: 表3 — the 42 townships with their share and reporting state (page 2);
//! - 四、各牵头单位情况: 表4 — each lead unit's 附件3 amount and reporting state;
//! - 五、重复统计剔除情况; 六、报送情况 (who has not reported, who was late); 七、与上季度比较;
//! - 说明 (sources, rounding, deadlines).
//!
//! Only aggregates are printed: no household names, no phone numbers. Every figure counts a sale
//! reported in both 附件2 and 附件3 once.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;

use crate::domain::{Money, Quarter};
use crate::forms::export::ExportError;
use crate::forms::export::write_atomically;
use crate::report::dashboard::percent;
use crate::report::sheet::{Cell, DocSheet, at, over, wan_text};
use crate::store::{
    LeadUnitAmount, PeriodFigures, ReportState, ReportingStatus, Store, StoreResult, Targets,
};

/// The issuer printed when this installation's unit is not set.
pub const DEFAULT_ISSUER: &str = "云阳县商务委员会";

/// Everything the bulletin of a quarter prints. Amounts in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bulletin {
    pub quarter: Quarter,
    /// The date printed under the title; reporting states are as of this day.
    pub issued: NaiveDate,
    /// 编制单位.
    pub issuer: String,
    pub targets: Targets,
    /// The quarter's three months.
    pub current: PeriodFigures,
    /// The previous quarter (Q4 of the previous year for Q1).
    pub previous: PeriodFigures,
    /// January to the quarter's last month.
    pub year_to_date: PeriodFigures,
    /// Who has reported for the quarter, as of `issued`: records entered after `issued` count as
    /// not yet reported (未报送), and first-report dates are never after `issued`. R6, 三(三).
    pub status: ReportingStatus,
    /// Each lead unit's attributed 附件3 records: the quarter, and the year to date (all records
    /// in the ledger, whenever entered; amounts in yuan).
    pub lead_quarter: Vec<LeadUnitAmount>,
    pub lead_year_to_date: Vec<LeadUnitAmount>,
}

fn previous_quarter(quarter: Quarter) -> Quarter {
    if quarter.quarter <= 1 {
        Quarter {
            year: quarter.year - 1,
            quarter: 4,
        }
    } else {
        Quarter {
            year: quarter.year,
            quarter: quarter.quarter - 1,
        }
    }
}

fn months(quarter: Quarter) -> (u32, u32) {
    let first = u32::from(quarter.quarter.clamp(1, 4)) * 3 - 2;
    (first, first + 2)
}

/// Gathers the bulletin of `quarter` as of `issued` (the printed date; the reporting states count
/// only records entered on or before it). Errors: database errors only.
pub fn bulletin(store: &Store, quarter: Quarter, issued: NaiveDate) -> StoreResult<Bulletin> {
    let (first, last) = months(quarter);
    let previous = previous_quarter(quarter);
    let (previous_first, previous_last) = months(previous);
    let unit = store.settings()?.unit;
    let issuer = if unit.trim().is_empty() {
        DEFAULT_ISSUER.to_string()
    } else {
        unit
    };
    let (lead_quarter, _) = store.lead_unit_amounts(quarter.first_day(), quarter.last_day())?;
    let year_start = Quarter {
        year: quarter.year,
        quarter: 1,
    }
    .first_day();
    let (lead_year_to_date, _) = store.lead_unit_amounts(year_start, quarter.last_day())?;
    Ok(Bulletin {
        quarter,
        issued,
        issuer,
        targets: store.targets(quarter.year)?,
        current: store.period_figures(quarter.year, first, last)?,
        previous: store.period_figures(previous.year, previous_first, previous_last)?,
        year_to_date: store.period_figures(quarter.year, 1, last)?,
        status: store.reporting_status(quarter, issued)?,
        lead_quarter,
        lead_year_to_date,
    })
}

/// Change from `previous` to `current` in percent (one decimal); `None` when `previous` is zero.
pub fn change_percent(current: Money, previous: Money) -> Option<Decimal> {
    if previous.yuan().is_zero() {
        return None;
    }
    Some(
        ((current.yuan() - previous.yuan()) * Decimal::ONE_HUNDRED / previous.yuan())
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    )
}

/// `增加1.20万元（增长15.0%）` / `减少…（下降…）` / `持平`.
fn change_text(current: Money, previous: Money) -> String {
    let difference = current - previous;
    let ratio = change_percent(current, previous).map(|p| p.abs());
    if difference.yuan().is_zero() {
        return "持平".to_string();
    }
    let (verb, trend) = if difference.is_negative() {
        ("减少", "下降")
    } else {
        ("增加", "增长")
    };
    let amount = Money::from_fen(difference.to_fen().abs());
    match ratio {
        Some(ratio) => format!("{verb}{}（{trend}{ratio:.1}%）", wan_text(amount)),
        None => format!("{verb}{}", wan_text(amount)),
    }
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// The time elapsed of the year at the end of the quarter (序时进度), in percent: 25, 50, 75, 100.
fn elapsed_percent(quarter: Quarter) -> Decimal {
    Decimal::from(u32::from(quarter.quarter.clamp(1, 4)) * 25)
}

impl Bulletin {
    /// The title, e.g. `云阳县消费扶贫工作通报（2019年第3季度）`.
    pub fn title(&self) -> String {
        format!("云阳县消费扶贫工作通报（{}）", self.quarter)
    }

    /// The opening paragraph of 一、总体进展.
    pub fn overview_text(&self) -> String {
        let q = &self.quarter;
        let (_, last) = months(*q);
        let span = if last == 3 {
            "1—3月".to_string()
        } else {
            format!("1—{last}月")
        };
        format!(
            "{q}，全县消费扶贫销售（采购）金额{}，较上季度{}。{span}累计{}，完成年度目标任务{}的{:.1}%（序时进度{}%）；\
             其中深度贫困乡镇（村）累计{}，完成年度目标{}的{:.1}%。本季度共剔除乡镇(街道)与牵头单位重复填报的同一笔销售{}笔、{}，各项数据均只计一次。",
            wan_text(self.current.total),
            change_text(self.current.total, self.previous.total),
            wan_text(self.year_to_date.total),
            wan_text(self.targets.total),
            percent(self.year_to_date.total, self.targets.total),
            elapsed_percent(*q),
            wan_text(self.year_to_date.deep_poverty),
            wan_text(self.targets.deep_poverty),
            percent(self.year_to_date.deep_poverty, self.targets.deep_poverty),
            self.current.double_counted_pairs,
            wan_text(self.current.double_counted),
        )
    }

    /// 五、重复统计剔除情况.
    pub fn double_count_text(&self) -> String {
        if self.current.double_counted_pairs == 0 {
            return "本季度未发现乡镇(街道)附件2与牵头单位附件3重复填报的同一笔销售。".to_string();
        }
        format!(
            "本季度乡镇(街道)报送的销售情况（附件2）与牵头单位报送的采购情况（附件3）中，经比对确认为同一笔销售的共{}笔、{}，\
             已在全县合计、分渠道和分乡镇数据中只计一次；年初以来累计剔除{}笔、{}。",
            self.current.double_counted_pairs,
            wan_text(self.current.double_counted),
            self.year_to_date.double_counted_pairs,
            wan_text(self.year_to_date.double_counted),
        )
    }

    /// 六、报送情况: who has not reported and who was late.
    pub fn reporting_text(&self) -> String {
        let s = &self.status;
        let missing_townships = s.missing_townships();
        let missing_leads = s.missing_lead_units();
        let late = s.late_units();
        let mut text = format!(
            "按要求，各乡镇(街道)、各牵头单位应于{}前报送本季度数据。截至{}，",
            date_text(s.report_deadline),
            date_text(s.today)
        );
        if missing_townships.is_empty() && missing_leads.is_empty() {
            text.push_str("各乡镇(街道)和牵头单位均已报送。");
        } else {
            let mut parts = Vec::new();
            if !missing_townships.is_empty() {
                parts.push(format!(
                    "乡镇(街道){}个：{}",
                    missing_townships.len(),
                    missing_townships.join("、")
                ));
            }
            if !missing_leads.is_empty() {
                parts.push(format!(
                    "牵头单位{}个：{}",
                    missing_leads.len(),
                    missing_leads.join("、")
                ));
            }
            let verb = if s.deadline_passed {
                "仍未报送"
            } else {
                "尚未报送"
            };
            text.push_str(&format!("以下单位{verb}本季度数据——{}。", parts.join("；")));
        }
        if !late.is_empty() {
            text.push_str(&format!(
                "逾期报送的有{}个：{}。",
                late.len(),
                late.join("、")
            ));
        }
        if s.deadline_passed && !(missing_townships.is_empty() && missing_leads.is_empty()) {
            text.push_str("请未报送的单位尽快补报。");
        }
        text
    }

    /// 七、与上季度比较.
    pub fn comparison_text(&self) -> String {
        let previous = previous_quarter(self.quarter);
        let mut text = format!(
            "本季度全县金额{}，上季度（{previous}）{}，{}。",
            wan_text(self.current.total),
            wan_text(self.previous.total),
            change_text(self.current.total, self.previous.total),
        );
        let changes: Vec<(&str, Money)> = self
            .current
            .channels
            .iter()
            .zip(&self.previous.channels)
            .map(|(c, p)| (c.channel.name(), c.amount - p.amount))
            .collect();
        let rise = changes
            .iter()
            .filter(|(_, d)| !d.is_negative() && !d.yuan().is_zero())
            .max_by_key(|(_, d)| *d);
        let fall = changes
            .iter()
            .filter(|(_, d)| d.is_negative())
            .min_by_key(|(_, d)| *d);
        let mut parts = Vec::new();
        if let Some((name, d)) = rise {
            parts.push(format!("增加最多的是{name}（增加{}）", wan_text(*d)));
        }
        if let Some((name, d)) = fall {
            parts.push(format!(
                "减少最多的是{name}（减少{}）",
                wan_text(Money::from_fen(d.to_fen().abs()))
            ));
        }
        if !parts.is_empty() {
            text.push_str(&format!("分渠道看，{}。", parts.join("，")));
        }
        let reported_now = self
            .status
            .townships
            .iter()
            .filter(|t| t.state != ReportState::Missing)
            .count();
        let with_sales_before = self
            .previous
            .townships
            .iter()
            .filter(|t| t.record_count > 0)
            .count();
        let with_sales_now = self
            .current
            .townships
            .iter()
            .filter(|t| t.record_count > 0)
            .count();
        text.push_str(&format!(
            "本季度有销售记录的乡镇(街道){with_sales_now}个（上季度{with_sales_before}个），其中报送了本季度附件2的{reported_now}个。"
        ));
        text
    }
}

/// Column widths (Excel units): 序号, name, then six figure columns.
const WIDTHS: [f64; 8] = [6.0, 21.5, 12.5, 11.5, 11.5, 11.5, 11.5, 12.5];
/// Rows of the 42-township table are this high (pt), so that it fits on one page.
const TOWNSHIP_ROW_HEIGHT: f64 = 15.5;

/// Writes the bulletin as a print-ready xlsx at `path` (temporary file, then renamed).
pub fn write_bulletin(bulletin: &Bulletin, path: &Path) -> Result<(), ExportError> {
    let bytes = bulletin_to_bytes(bulletin)?;
    write_atomically(path, &bytes)
}

/// The bulletin's xlsx file as bytes (see the module docs for the layout).
pub fn bulletin_to_bytes(b: &Bulletin) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(format!(
        "{}年第{}季度通报",
        b.quarter.year, b.quarter.quarter
    ))?;
    let mut doc = DocSheet::new(sheet, &WIDTHS)?;

    doc.title(&b.title(), true)?;
    doc.issuer_line(&format!("编制单位：{}", b.issuer), &date_text(b.issued), 5)?;
    doc.gap(8.0)?;

    // 一、总体进展 + 表1.
    doc.heading("一、总体进展")?;
    doc.paragraph(&b.overview_text())?;
    doc.caption("表1　总体完成情况（金额单位：万元）")?;
    let figure_header = |first: &str| {
        vec![
            over(0, 1, Cell::Centre(first.to_string())),
            at(2, Cell::Centre("年度目标".into())),
            at(3, Cell::Centre("本季度".into())),
            at(4, Cell::Centre("上季度".into())),
            at(5, Cell::Centre("环比增减".into())),
            at(6, Cell::Centre("本年累计".into())),
            at(7, Cell::Centre("完成年度目标".into())),
        ]
    };
    doc.header(&figure_header("项目"))?;
    let figure_row =
        |name: String, target: Option<Money>, current: Money, previous: Money, ytd: Money| {
            vec![
                over(0, 1, Cell::Left(name)),
                at(2, target.map(Cell::Wan).unwrap_or(Cell::Dash)),
                at(3, Cell::Wan(current)),
                at(4, Cell::Wan(previous)),
                at(5, Cell::Percent(change_percent(current, previous))),
                at(6, Cell::Wan(ytd)),
                at(7, Cell::Percent(target.map(|t| percent(ytd, t)))),
            ]
        };
    doc.row(
        &figure_row(
            "全县合计".into(),
            Some(b.targets.total),
            b.current.total,
            b.previous.total,
            b.year_to_date.total,
        ),
        true,
        0.0,
    )?;
    doc.row(
        &figure_row(
            "其中：深度贫困乡镇（村）".into(),
            Some(b.targets.deep_poverty),
            b.current.deep_poverty,
            b.previous.deep_poverty,
            b.year_to_date.deep_poverty,
        ),
        false,
        0.0,
    )?;
    doc.gap(8.0)?;

    // 二、分渠道 + 表2.
    doc.heading("二、分渠道完成情况")?;
    doc.caption("表2　“六销”渠道完成情况（金额单位：万元）")?;
    doc.header(&figure_header("销售方式"))?;
    for ((current, previous), ytd) in b
        .current
        .channels
        .iter()
        .zip(&b.previous.channels)
        .zip(&b.year_to_date.channels)
    {
        let target = b.targets.channel(current.channel);
        doc.row(
            &figure_row(
                current.channel.name().to_string(),
                Some(target),
                current.amount,
                previous.amount,
                ytd.amount,
            ),
            true,
            0.0,
        )?;
        for (((sub, amount), (_, previous_amount)), (_, ytd_amount)) in current
            .sub_channels
            .iter()
            .zip(&previous.sub_channels)
            .zip(&ytd.sub_channels)
        {
            doc.row(
                &figure_row(
                    format!("　　{}", sub.name()),
                    None,
                    *amount,
                    *previous_amount,
                    *ytd_amount,
                ),
                false,
                0.0,
            )?;
        }
    }
    if !(b.year_to_date.unclassified.yuan().is_zero() && b.previous.unclassified.yuan().is_zero()) {
        doc.row(
            &figure_row(
                "采购单位未归类".into(),
                None,
                b.current.unclassified,
                b.previous.unclassified,
                b.year_to_date.unclassified,
            ),
            false,
            0.0,
        )?;
    }
    doc.note("注：“五进”等子渠道无单列目标任务；采购单位未归类的金额计入全县合计，待确定类别后计入相应渠道。")?;

    // 三、各乡镇(街道) + 表3, on its own page.
    doc.page_break();
    doc.heading("三、各乡镇(街道)情况")?;
    doc.caption("表3　各乡镇(街道)消费扶贫情况（金额单位：万元）")?;
    doc.header(&[
        at(0, Cell::Centre("序号".into())),
        at(1, Cell::Centre("乡镇(街道)".into())),
        at(2, Cell::Centre("本季度".into())),
        at(3, Cell::Centre("上季度".into())),
        at(4, Cell::Centre("环比增减".into())),
        at(5, Cell::Centre("本年累计".into())),
        at(6, Cell::Centre("占全县累计".into())),
        at(7, Cell::Centre("本季度报送".into())),
    ])?;
    for (index, ((current, previous), ytd)) in b
        .current
        .townships
        .iter()
        .zip(&b.previous.townships)
        .zip(&b.year_to_date.townships)
        .enumerate()
    {
        let state = b
            .status
            .townships
            .iter()
            .find(|t| t.code.as_deref() == Some(current.code.as_str()))
            .map(|t| t.state.name())
            .unwrap_or("");
        let name = if current.deep_poverty {
            format!("{}★", current.name)
        } else {
            current.name.clone()
        };
        doc.row(
            &[
                at(0, Cell::Integer(index as i64 + 1)),
                at(1, Cell::Left(name)),
                at(2, Cell::Wan(current.amount)),
                at(3, Cell::Wan(previous.amount)),
                at(
                    4,
                    Cell::Percent(change_percent(current.amount, previous.amount)),
                ),
                at(5, Cell::Wan(ytd.amount)),
                at(
                    6,
                    Cell::Percent(Some(percent(ytd.amount, b.year_to_date.total))),
                ),
                at(7, Cell::Centre(state.to_string())),
            ],
            false,
            TOWNSHIP_ROW_HEIGHT,
        )?;
    }
    doc.row(
        &[
            over(0, 1, Cell::Centre("合计".into())),
            at(2, Cell::Wan(b.current.total)),
            at(3, Cell::Wan(b.previous.total)),
            at(
                4,
                Cell::Percent(change_percent(b.current.total, b.previous.total)),
            ),
            at(5, Cell::Wan(b.year_to_date.total)),
            at(
                6,
                Cell::Percent(Some(if b.year_to_date.total.yuan().is_zero() {
                    Decimal::ZERO
                } else {
                    Decimal::ONE_HUNDRED
                })),
            ),
            at(
                7,
                Cell::Centre(format!(
                    "{}/{}",
                    b.status
                        .townships
                        .iter()
                        .filter(|t| t.state != ReportState::Missing)
                        .count(),
                    b.status.townships.len()
                )),
            ),
        ],
        true,
        TOWNSHIP_ROW_HEIGHT,
    )?;
    doc.note("注：★为深度贫困乡镇；乡镇(街道)金额按贫困户所在地统计，含牵头单位报送的采购（同一笔只计一次）。")?;

    // 四、各牵头单位 + 表4, on its own page with the text sections.
    doc.page_break();
    doc.heading("四、各牵头单位情况")?;
    doc.caption("表4　各牵头单位报送采购情况（金额单位：万元）")?;
    doc.header(&[
        at(0, Cell::Centre("序号".into())),
        at(1, Cell::Centre("牵头单位".into())),
        at(2, Cell::Centre("牵头渠道".into())),
        at(3, Cell::Centre("本季度".into())),
        at(4, Cell::Centre("其中与乡镇重复".into())),
        at(5, Cell::Centre("本年累计".into())),
        at(6, Cell::Centre("本季度报送".into())),
        at(7, Cell::Centre("首次报送日期".into())),
    ])?;
    for (index, (lead, ytd)) in b.lead_quarter.iter().zip(&b.lead_year_to_date).enumerate() {
        let status = b.status.lead_units.iter().find(|u| u.name == lead.name);
        let channel = if lead.sub_channel.is_empty() {
            lead.channel.clone()
        } else {
            lead.sub_channel.clone()
        };
        doc.row(
            &[
                at(0, Cell::Integer(index as i64 + 1)),
                at(1, Cell::Left(lead.name.clone())),
                at(2, Cell::Centre(channel)),
                at(3, Cell::Wan(lead.amount)),
                at(4, Cell::Wan(lead.double_counted)),
                at(5, Cell::Wan(ytd.amount)),
                at(
                    6,
                    Cell::Centre(status.map(|s| s.state.name()).unwrap_or("").to_string()),
                ),
                // As of the bulletin's date, like the state (never a later entry).
                at(
                    7,
                    Cell::Centre(
                        status
                            .and_then(|s| s.first_entered)
                            .map(|t| t.date().format("%Y-%m-%d").to_string())
                            .unwrap_or_else(|| "—".into()),
                    ),
                ),
            ],
            false,
            0.0,
        )?;
    }
    doc.note(
        "注：牵头单位金额为其报送的附件3采购额（按填报单位或采购单位归属），其中与乡镇(街道)附件2重复的部分在全县合计中只计一次。",
    )?;
    doc.gap(6.0)?;

    doc.heading("五、重复统计剔除情况")?;
    doc.paragraph(&b.double_count_text())?;
    doc.heading("六、报送情况")?;
    doc.paragraph(&b.reporting_text())?;
    doc.heading("七、与上季度比较")?;
    doc.paragraph(&b.comparison_text())?;
    doc.gap(6.0)?;
    doc.note(&format!(
        "说明：1.数据来源为各乡镇(街道)报送的《乡镇(街道)贫困户产品销售情况表》（附件2）和各牵头单位报送的《采购情况表》（附件3），\
         同一笔销售只计一次。2.金额单位为万元，四舍五入保留两位小数，分项之和与合计可能存在尾差。\
         3.各单位应于每季度末月30日前报送，本通报应于{}前印发。",
        date_text(b.status.bulletin_deadline)
    ))?;
    doc.finish(false, None, false)?;
    Ok(workbook.save_to_buffer()?)
}
