//! The headless command line: the same operations as the window, for scripting, batch work and
//! tests. Messages are Chinese; errors go to stderr with a non-zero exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use crate::domain::sale::FormKind;
use crate::forms::ingest::{self, FileReport};
use crate::forms::{ExportRequest, export_form};
use crate::report::{dashboard, review, status};
use crate::store::Store;

/// A whole number from `low` to `high` typed on the command line; the error is Chinese (clap
/// prints it after the argument's name).
fn whole_number_in<T: TryFrom<i64>>(text: &str, low: i64, high: i64) -> Result<T, String> {
    let out_of_range = || format!("应是 {low} 到 {high} 之间的整数");
    let number: i64 = text
        .trim()
        .parse()
        .map_err(|_| format!("“{text}”不是整数，{}", out_of_range()))?;
    if !(low..=high).contains(&number) {
        return Err(out_of_range());
    }
    T::try_from(number).map_err(|_| out_of_range())
}

/// `--form`: 1 = 附件1, 2 = 附件2, 3 = 附件3.
fn form_number(text: &str) -> Result<u8, String> {
    whole_number_in(text, 1, 3)
        .map_err(|_| "表只能是 1（待销目录）、2（销售情况）或 3（采购情况）".to_string())
}

/// `--quarter`: 1–4.
fn quarter_number(text: &str) -> Result<u8, String> {
    whole_number_in(text, 1, 4)
}

/// `--procurement-percent`: 0–100.
fn percent(text: &str) -> Result<u8, String> {
    whole_number_in(text, 0, 100)
}

/// `--rows`: 1–10,000,000.
fn row_count(text: &str) -> Result<u64, String> {
    whole_number_in(text, 1, 10_000_000)
}

/// `--seed`: any whole number from 0.
fn seed_number(text: &str) -> Result<u64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("“{text}”不是 0 到 {} 之间的整数", u64::MAX))
}

/// `--year`: 1990–2100 (the years a date may have, see `ReportDate::parse`).
fn year_number(text: &str) -> Result<i32, String> {
    whole_number_in(text, 1990, 2100)
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 生成演示数据（可重复：同一种子得到同样的记录）
    Demo {
        /// 年份
        #[arg(long, value_name = "年份", default_value_t = 2019, value_parser = year_number, allow_negative_numbers = true)]
        year: i32,
        /// 记录条数（最多 10,000,000）
        #[arg(long, value_name = "条数", default_value_t = 1000, value_parser = row_count, allow_negative_numbers = true)]
        rows: u64,
        /// 随机种子
        #[arg(long, value_name = "种子", default_value_t = 2019, value_parser = seed_number, allow_negative_numbers = true)]
        seed: u64,
        /// 其中附件3采购记录所占百分比（其余为附件2销售记录）
        #[arg(long, value_name = "百分比", default_value_t = 0, value_parser = percent, allow_negative_numbers = true)]
        procurement_percent: u8,
    },
    /// 输出某年的进度（--json 输出机器可读的 JSON）
    Report {
        /// 年份
        #[arg(long, value_name = "年份", value_parser = year_number, allow_negative_numbers = true)]
        year: i32,
        /// 输出 JSON
        #[arg(long)]
        json: bool,
    },
    /// 导入乡镇、牵头单位报来的附件1/2/3及快递、邮政物流数据（xlsx、xls、csv），每个文件一个事务
    ///
    /// 退出码：0 全部导入（可有提示）；1 有文件或行被拒绝；2 用法错误
    Import {
        /// 输出 JSON（每个文件一个对象）
        #[arg(long)]
        json: bool,
        /// 只检查并预览，不写入数据库
        #[arg(long)]
        dry_run: bool,
        /// 要导入的文件
        #[arg(value_name = "文件", required = true)]
        files: Vec<PathBuf>,
    },
    /// 按官方表样导出附件1/2/3 为 Excel
    Export {
        /// 表：1=待销目录，2=销售情况，3=采购情况
        #[arg(long, value_name = "表", value_parser = form_number, allow_negative_numbers = true)]
        form: u8,
        /// 乡镇(街道)名称，如 泥溪镇
        #[arg(long, value_name = "乡镇")]
        township: Option<String>,
        /// 年份
        #[arg(long, value_name = "年份", value_parser = year_number, allow_negative_numbers = true)]
        year: Option<i32>,
        /// 季度 1-4（需同时给出年份）
        #[arg(long, value_name = "季度", value_parser = quarter_number, allow_negative_numbers = true)]
        quarter: Option<u8>,
        /// 输出文件 .xlsx
        #[arg(long, value_name = "输出文件")]
        out: PathBuf,
    },
    /// 生成季度通报（Excel，可直接打印）：合计、深度贫困、各渠道、各乡镇、各牵头单位、重复剔除、未报送单位、与上季度比较
    Bulletin {
        /// 年份
        #[arg(long, value_name = "年份", value_parser = year_number, allow_negative_numbers = true)]
        year: i32,
        /// 季度 1-4
        #[arg(long, value_name = "季度", value_parser = quarter_number, allow_negative_numbers = true)]
        quarter: u8,
        /// 通报日期（YYYY-MM-DD，默认今天）：印在标题下，报送情况截至该日
        #[arg(long, value_name = "日期", value_parser = day_text)]
        date: Option<chrono::NaiveDate>,
        /// 输出文件 .xlsx
        #[arg(long, value_name = "输出文件")]
        out: PathBuf,
    },
    /// 汇编全县贫困户农特产品供应目录（Excel，可直接打印），标注超过一个月未更新的乡镇(街道)
    Catalogue {
        /// 编制日期（YYYY-MM-DD，默认今天）：印在目录上，并据此判断是否超过一个月未更新
        #[arg(long, value_name = "日期", value_parser = day_text)]
        date: Option<chrono::NaiveDate>,
        /// 输出文件 .xlsx
        #[arg(long, value_name = "输出文件")]
        out: PathBuf,
    },
}

/// Runs one subcommand against the database at `db_path`. A usage mistake found before any work
/// (see [`usage_error`]) exits with code 2, like clap's own usage errors; other errors with 1.
pub fn run(db_path: &Path, command: Command) -> ExitCode {
    if let Some(message) = usage_error(&command) {
        eprintln!("用法错误：{message}");
        return ExitCode::from(2);
    }
    match execute(db_path, command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(db_path: &Path, command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Demo {
            year,
            rows,
            seed,
            procurement_percent,
        } => {
            let rows = usize::try_from(rows).map_err(|e| e.to_string())?;
            let mut store = Store::open(db_path).map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let total = crate::demo::fill(
                &mut store,
                year,
                rows,
                seed,
                procurement_percent,
                &|done, all| {
                    if all >= 100_000 {
                        eprint!("\r已生成 {done}/{all} 条");
                    }
                },
            )
            .map_err(|e| e.to_string())?;
            if rows >= 100_000 {
                eprintln!();
            }
            println!(
                "已生成 {rows} 条演示记录（{year}年），金额合计 {total} 元，用时 {:.1} 秒",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { year, json } => {
            let store = Store::open_existing(db_path).map_err(|e| e.to_string())?;
            let figures = dashboard(&store, year).map_err(|e| e.to_string())?;
            let mut out = std::io::stdout().lock();
            let today = chrono::Local::now().date_naive();
            let text = if json {
                let mut figures_json = figures.to_json();
                status::add_status_json(&store, &mut figures_json, today)
                    .map_err(|e| e.to_string())?;
                review::add_review_json(&store, &mut figures_json).map_err(|e| e.to_string())?;
                serde_json::to_string_pretty(&figures_json).map_err(|e| e.to_string())?
            } else {
                figures.to_text()
                    + &status::status_text(&store, year, today).map_err(|e| e.to_string())?
                    + &review::review_text(&store, year).map_err(|e| e.to_string())?
            };
            writeln!(out, "{text}").map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            json,
            dry_run,
            files,
        } => {
            // A preview writes nothing: without a ledger, files are judged against a new, empty
            // ledger in memory; a ledger of an older version is migrated in a copy in memory.
            // Nor is a new ledger made when none of the files exists (a mistyped path).
            let files = ingest::files_to_import(&files);
            let nothing_to_read = files.iter().all(|file| !file.path.exists());
            let mut store = if (dry_run || nothing_to_read) && !db_path.exists() {
                Store::open_in_memory()
            } else if dry_run {
                Store::open_for_preview(db_path)
            } else {
                Store::open(db_path)
            }
            .map_err(|e| e.to_string())?;
            let mut reports = Vec::with_capacity(files.len());
            for file in &files {
                // A file whose transaction fails (database busy, disk full …) is reported as
                // rejected and the next files are still tried.
                let outcome = if dry_run {
                    ingest::prepare_file(&store, &file.path, &file.shown_as)
                        .map(|p| p.report(&p.plan, false))
                } else {
                    ingest::import_file_shown_as(&mut store, &file.path, &file.shown_as)
                };
                let report = outcome
                    .unwrap_or_else(|message| FileReport::rejected(file.shown_as.clone(), message));
                reports.push(report);
            }
            let all_clean = reports
                .iter()
                .all(|r| r.outcome == "imported" && r.rows_rejected == 0);
            let mut out = std::io::stdout().lock();
            if json {
                let text = serde_json::to_string_pretty(&reports).map_err(|e| e.to_string())?;
                writeln!(out, "{text}").map_err(|e| e.to_string())?;
            } else {
                for report in &reports {
                    writeln!(out, "{}", import_report_text(report)).map_err(|e| e.to_string())?;
                }
            }
            Ok(if all_clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Export {
            form,
            township,
            year,
            quarter,
            out,
        } => {
            let kind = FormKind::from_number(i64::from(form)).ok_or("表号须为 1、2 或 3")?;
            // Never create an empty ledger just to export it.
            Store::open_existing(db_path).map_err(|e| e.to_string())?;
            if out.is_dir() {
                return Err(format!(
                    "“{}”是一个文件夹，请给出要保存的文件名，如 附件{form}.xlsx",
                    out.display()
                ));
            }
            if out
                .parent()
                .is_some_and(|p| !p.as_os_str().is_empty() && !p.is_dir())
            {
                return Err(format!(
                    "保存位置的文件夹不存在：{}",
                    out.parent()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ));
            }
            let township_code = match township {
                Some(name) => {
                    let store = Store::open_existing(db_path).map_err(|e| e.to_string())?;
                    let resolver = store.region_resolver().map_err(|e| e.to_string())?;
                    let found = resolver
                        .township_by_name(name.trim())
                        .ok_or_else(|| format!("没有名为“{name}”的乡镇(街道)"))?;
                    Some(found.code.clone())
                }
                None => None,
            };
            let request = ExportRequest {
                kind,
                township_code,
                year,
                quarter,
            };
            let summary = export_form(db_path, &request, &out, &|_| {})?;
            // 附件1 lists products and prices: it has no amounts to add up.
            let total = if kind == FormKind::Catalogue {
                String::new()
            } else {
                format!("，金额合计 {} 元", summary.total)
            };
            if summary.rows == 0 {
                println!(
                    "{}：{}",
                    crate::forms::blank_form_text(kind),
                    summary.path.display()
                );
            } else {
                println!(
                    "已导出 {} 条记录{total}：{}",
                    summary.rows,
                    summary.path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bulletin {
            year,
            quarter,
            date,
            out,
        } => {
            let issued = day_or_today(date);
            let store = Store::open_existing(db_path).map_err(|e| e.to_string())?;
            let quarter = crate::domain::Quarter { year, quarter };
            let figures = crate::report::bulletin::bulletin(&store, quarter, issued)
                .map_err(|e| e.to_string())?;
            crate::report::bulletin::write_bulletin(&figures, &out).map_err(|e| e.to_string())?;
            println!(
                "已生成{}：本季度 {} 元，本年累计 {} 元，未报送乡镇(街道){}个、牵头单位{}个：{}",
                figures.title(),
                figures.current.total,
                figures.year_to_date.total,
                figures.status.missing_townships().len(),
                figures.status.missing_lead_units().len(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalogue { date, out } => {
            let compiled = day_or_today(date);
            let store = Store::open_existing(db_path).map_err(|e| e.to_string())?;
            let catalogue = crate::report::supply_catalogue::supply_catalogue(&store, compiled)
                .map_err(|e| e.to_string())?;
            crate::report::supply_catalogue::write_supply_catalogue(&catalogue, &out)
                .map_err(|e| e.to_string())?;
            let stale = catalogue.stale_townships();
            println!(
                "已汇编供应目录：{}条产品，{}个乡镇(街道)未报送目录，{}个超过一个月未更新{}：{}",
                catalogue.listing_count(),
                catalogue.missing_townships().len(),
                stale.len(),
                if stale.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", stale.join("、"))
                },
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The usage mistake in `command` that clap cannot see, in Chinese, or `None`: a quarter without a
/// year (`export`), and an output file of `export`, `bulletin` or `catalogue` not named `.xlsx`
/// (they write Excel workbooks only; a `.pdf` or `.txt` name would hide an xlsx under it).
pub fn usage_error(command: &Command) -> Option<String> {
    let (out, example) = match command {
        Command::Export {
            form,
            year,
            quarter,
            out,
            ..
        } => {
            if quarter.is_some() && year.is_none() {
                return Some("指定季度时须同时指定年份（--year）".into());
            }
            (out, format!("附件{form}.xlsx"))
        }
        Command::Bulletin { out, .. } => (out, "通报.xlsx".to_string()),
        Command::Catalogue { out, .. } => (out, "供应目录.xlsx".to_string()),
        Command::Demo { .. } | Command::Report { .. } | Command::Import { .. } => return None,
    };
    xlsx_name_error(out, &example)
}

/// Why `out` is not an acceptable output name (it must end in `.xlsx`, any case), or `None`.
fn xlsx_name_error(out: &Path, example: &str) -> Option<String> {
    let is_xlsx = out
        .extension()
        .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        return None;
    }
    let given = match out.extension() {
        Some(extension) => format!("扩展名为 .{}", extension.to_string_lossy()),
        None => "没有扩展名".to_string(),
    };
    Some(format!(
        "输出文件“{}”{given}，本命令只生成 Excel 文件（.xlsx），请把 --out 写成以 .xlsx 结尾的文件名，如 --out {example}。\
         如需 PDF，请用 Excel 或 WPS 打开生成的 .xlsx 文件后另存为 PDF。",
        out.display()
    ))
}

/// The day of a `--date` argument, or today.
fn day_or_today(day: Option<chrono::NaiveDate>) -> chrono::NaiveDate {
    day.unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// `--date`: a day written `2019-10-08`; a mistake is a usage error (exit code 2).
fn day_text(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "日期无法识别，请写成 2019-10-08 的形式".to_string())
}

/// The readable Chinese report of one imported file.
fn import_report_text(report: &FileReport) -> String {
    let mut text = String::new();
    if report.outcome == "rejected" {
        text.push_str(&format!(
            "✗ {}：拒绝导入。{}\n",
            report.file, report.message
        ));
        return text;
    }
    text.push_str(&format!(
        "✓ {}（{}）：{}\n",
        report.file, report.form, report.message
    ));
    if let Some(total) = &report.total {
        text.push_str(&format!("  金额合计 {total} 元"));
        let townships: Vec<String> = report
            .per_township
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if !townships.is_empty() {
            text.push_str(&format!("（{}）", townships.join("，")));
        }
        text.push('\n');
    }
    for warning in &report.file_warnings {
        text.push_str(&format!("  ! {warning}\n"));
    }
    for (mark, issues) in [("✗", &report.errors), ("!", &report.warnings)] {
        for issue in issues {
            // A whole-row issue (a hidden row …) names no column.
            let column = if issue.column.is_empty() {
                String::new()
            } else {
                format!(" {}", issue.column)
            };
            text.push_str(&format!(
                "  {mark} {}!第{}行{column}：{}\n",
                issue.sheet, issue.row, issue.message
            ));
        }
    }
    text
}
