//! The headless command line, run as a user would: demo → report → export, and the export read
//! back with calamine adds up exactly to the report's total.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::Datelike;
use rust_decimal::Decimal;
use std::str::FromStr;

fn program() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xiaofei-fupin"))
}

fn run(db: &Path, arguments: &[&str]) -> (i32, String, String) {
    let output = program()
        .arg("--db")
        .arg(db)
        .args(arguments)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Sum of the amount column (H, index 7) over the numbered data rows of an exported 附件2/3.
fn exported_amounts(path: &Path) -> (usize, Decimal) {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let mut rows = 0;
    let mut total = Decimal::ZERO;
    for row in range.rows() {
        let numbered = matches!(row.first(), Some(Data::Float(_)) | Some(Data::Int(_)));
        if !numbered {
            continue;
        }
        rows += 1;
        match row.get(7) {
            // xlsx stores doubles: two decimals round-trip exactly through the shortest repr.
            Some(Data::Float(value)) => total += Decimal::from_str(&value.to_string()).unwrap(),
            other => panic!("amount cell is not a number: {other:?}"),
        }
    }
    (rows, total)
}

#[test]
fn demo_report_and_export_agree_to_the_fen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let (code, out, err) = run(
        &db,
        &[
            "demo",
            "--year",
            "2019",
            "--rows",
            "3000",
            "--procurement-percent",
            "10",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3000"), "{out}");

    let (code, out, _) = run(&db, &["report", "--year", "2019", "--json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["year"], 2019);
    assert_eq!(report["target"], "60000000.00");
    assert_eq!(report["deep_poverty_target"], "10000000.00");
    assert_eq!(report["channels"].as_array().unwrap().len(), 6);
    assert_eq!(report["channels"][0]["name"], "五进对接直销");
    assert_eq!(report["channels"][0]["sub_channels"][1]["name"], "进学校");
    assert_eq!(report["townships"].as_array().unwrap().len(), 42);
    assert_eq!(report["quarters"].as_array().unwrap().len(), 4);
    let total = Decimal::from_str(report["total"].as_str().unwrap()).unwrap();
    let channel_sum: Decimal = report["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Decimal::from_str(c["actual"].as_str().unwrap()).unwrap())
        .sum::<Decimal>()
        + Decimal::from_str(report["unclassified"].as_str().unwrap()).unwrap();
    assert_eq!(channel_sum, total);
    let quarter_sum: Decimal = report["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| Decimal::from_str(q["amount"].as_str().unwrap()).unwrap())
        .sum();
    assert_eq!(quarter_sum, total);

    // Sales and procurements exported separately add up to the county total (no links here).
    let mut exported_total = Decimal::ZERO;
    let mut exported_rows = 0;
    for form in ["2", "3"] {
        let out_file = dir.path().join(format!("附件{form}.xlsx"));
        let (code, out, err) = run(
            &db,
            &[
                "export",
                "--form",
                form,
                "--year",
                "2019",
                "--out",
                out_file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        let (rows, amount) = exported_amounts(&out_file);
        exported_rows += rows;
        exported_total += amount;
    }
    assert_eq!(exported_rows, 3000);
    assert_eq!(exported_total, total);

    // With sales only (the default), the exported 附件2 alone adds up to the report's total.
    let sales_only = dir.path().join("sales_only.db");
    assert_eq!(run(&sales_only, &["demo", "--rows", "2500"]).0, 0);
    let report: serde_json::Value =
        serde_json::from_str(&run(&sales_only, &["report", "--year", "2019", "--json"]).1).unwrap();
    let out_file = dir.path().join("sales_only.xlsx");
    assert_eq!(
        run(
            &sales_only,
            &[
                "export",
                "--form",
                "2",
                "--year",
                "2019",
                "--out",
                out_file.to_str().unwrap()
            ]
        )
        .0,
        0
    );
    let (rows, amount) = exported_amounts(&out_file);
    assert_eq!(rows, 2500);
    assert_eq!(
        amount,
        Decimal::from_str(report["total"].as_str().unwrap()).unwrap()
    );

    // Readable text report.
    let (code, out, _) = run(&db, &["report", "--year", "2019"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("全县合计") && out.contains("五进对接直销") && out.contains("泥溪镇"),
        "{out}"
    );
}

#[test]
fn demo_data_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let totals: Vec<String> = ["a.db", "b.db"]
        .iter()
        .map(|name| {
            let db = dir.path().join(name);
            assert_eq!(run(&db, &["demo", "--rows", "500", "--seed", "7"]).0, 0);
            run(&db, &["report", "--year", "2019", "--json"]).1
        })
        .collect();
    assert_eq!(totals[0], totals[1]);
}

#[test]
fn export_of_one_township_and_quarter_uses_the_official_layout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    assert_eq!(run(&db, &["demo", "--rows", "2000"]).0, 0);
    let out_file = dir.path().join("nixi.xlsx");
    let (code, out, err) = run(
        &db,
        &[
            "export",
            "--form",
            "2",
            "--township",
            "泥溪",
            "--year",
            "2019",
            "--quarter",
            "3",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let mut workbook: Xlsx<_> = open_workbook(&out_file).unwrap();
    let range = workbook.worksheet_range("附件2").unwrap();
    assert_eq!(range.get_value((0, 0)), Some(&Data::String("附件2".into())));
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("乡镇(街道)贫困户产品销售情况表".into()))
    );
    let headers: Vec<String> = (0..9)
        .map(|c| {
            range
                .get_value((3, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        headers,
        [
            "序号",
            "采购单位",
            "销售时间",
            "地区",
            "贫困户姓名",
            "产品品种",
            "销售数量",
            "销售金额",
            "备注"
        ]
    );
    for row in range.rows().skip(4) {
        if matches!(row.first(), Some(Data::Float(_))) {
            let region = row[3].to_string();
            assert!(region.contains("泥溪镇"), "{region}");
            let date = row[2].to_string();
            assert!(
                date.starts_with("2019.7.")
                    || date.starts_with("2019.8.")
                    || date.starts_with("2019.9."),
                "{date}"
            );
        }
    }
}

#[test]
fn errors_are_chinese_on_stderr_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    // Read-only commands never create a ledger: a mistyped path is an error, not an empty report.
    let (code, _, err) = run(&db, &["report", "--year", "2019"]);
    assert_eq!(code, 1);
    assert!(err.contains("文件不存在"), "{err}");
    assert!(!db.exists());
    // Nor does an import of files that are not there.
    let missing = dir.path().join("nosuch.xlsx");
    let (code, out, _) = run(&db, &["import", missing.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("nosuch.xlsx"), "{out}");
    assert!(!db.exists());
    // Demo data only goes into a database named with --db.
    let demo = program().args(["demo", "--rows", "5"]).output().unwrap();
    assert_eq!(demo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&demo.stderr).contains("--db"));
    assert_eq!(run(&db, &["demo", "--rows", "5"]).0, 0);
    // A file that is not a ledger.
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "不是数据库").unwrap();
    let (code, _, err) = run(&text_file, &["report", "--year", "2019"]);
    assert_eq!(code, 1);
    assert!(err.contains("不是本程序的数据库"), "{err}");
    // A usage mistake says so in Chinese before clap's details.
    let (code, _, err) = run(&db, &["bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("用法错误：没有这个命令"), "{err}");
    let (code, _, err) = run(
        &db,
        &[
            "export",
            "--form",
            "2",
            "--township",
            "不存在镇",
            "--out",
            "x.xlsx",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("没有名为“不存在镇”的乡镇(街道)"), "{err}");
    let (code, _, err) = run(
        &db,
        &["export", "--form", "2", "--quarter", "3", "--out", "x.xlsx"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("年份"), "{err}");
    let (code, _, err) = run(&db, &["export", "--form", "5", "--out", "x.xlsx"]);
    assert_eq!(code, 2);
    // In Chinese only, naming the argument, the value and what it may be.
    assert!(
        err.contains("“--form <表>”的值“5”，表只能是 1（待销目录）、2（销售情况）或 3（采购情况）"),
        "{err}"
    );
    assert!(
        !err.contains("error:") && !err.contains("invalid value"),
        "{err}"
    );
    let (code, _, err) = run(&db, &["report", "--year", "abc"]);
    assert_eq!(code, 2);
    assert!(err.contains("“abc”不是整数"), "{err}");
    let (code, _, err) = run(&db, &["report", "--year", "-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("“-1”，应是 1990 到 2100 之间的整数"), "{err}");
    let (code, _, err) = run(&db, &["report", "--year"]);
    assert_eq!(code, 2);
    assert!(err.contains("“--year <年份>”缺少值"), "{err}");
    // A mistyped --date is a usage error too, for both commands that take one.
    for command in ["catalogue", "bulletin"] {
        let mut arguments = vec![command, "--date", "2019-13-01", "--out", "x.xlsx"];
        if command == "bulletin" {
            arguments.extend(["--year", "2019", "--quarter", "4"]);
        }
        let (code, _, err) = run(&db, &arguments);
        assert_eq!(code, 2, "{command}: {err}");
        assert!(
            err.contains("“--date <日期>”的值“2019-13-01”，日期无法识别，请写成 2019-10-08 的形式"),
            "{command}: {err}"
        );
    }
    let missing_folder = dir.path().join("no_such_folder").join("x.xlsx");
    let (code, _, err) = run(
        &db,
        &[
            "export",
            "--form",
            "2",
            "--out",
            missing_folder.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("文件夹不存在"), "{err}");
}

/// The numbers right before each `%` in `text`.
fn percents(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (index, _) in text.match_indices('%') {
        let number: String = text[..index]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        found.push(number);
    }
    found
}

#[test]
fn report_text_prints_every_percentage_with_one_decimal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    // Few records: some channels stay at 0, the others get small shares.
    let (code, _, err) = run(&db, &["demo", "--year", "2019", "--rows", "20"]);
    assert_eq!(code, 0, "{err}");
    // 2019 has records; 2018 has none (every figure 0).
    for year in ["2019", "2018"] {
        let (code, out, err) = run(&db, &["report", "--year", year]);
        assert_eq!(code, 0, "{err}");
        let found = percents(&out);
        assert!(found.len() >= 8, "{out}");
        for number in &found {
            let decimals = number.split_once('.').map(|(_, d)| d.len());
            assert_eq!(decimals, Some(1), "“{number}%” in:\n{out}");
        }
        if year == "2018" {
            assert!(out.contains("完成   0.0%"), "{out}");
            // Amounts too keep their two decimals.
            assert!(!out.contains(" 0 万元"), "{out}");
            assert!(out.contains(" 0.00 万元"), "{out}");
        }
    }
}

#[test]
fn output_files_must_be_named_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    assert_eq!(run(&db, &["demo", "--rows", "5"]).0, 0);
    let cases: [(&str, Vec<&str>); 4] = [
        (
            "b.pdf",
            vec![
                "bulletin",
                "--year",
                "2019",
                "--quarter",
                "1",
                "--date",
                "2019-04-08",
            ],
        ),
        ("x.txt", vec!["export", "--form", "2"]),
        ("目录.xls", vec!["catalogue"]),
        ("通报", vec!["bulletin", "--year", "2019", "--quarter", "1"]),
    ];
    for (name, mut arguments) in cases {
        let out = dir.path().join(name);
        let out_text = out.to_str().unwrap().to_string();
        arguments.extend(["--out", out_text.as_str()]);
        let (code, stdout, err) = run(&db, &arguments);
        assert_eq!(code, 2, "{name}: {stdout}{err}");
        assert!(err.contains("用法错误"), "{err}");
        assert!(err.contains(".xlsx"), "{err}");
        assert!(!out.exists(), "{name} was written");
    }
    // Upper case is fine.
    let out = dir.path().join("通报.XLSX");
    let (code, _, err) = run(
        &db,
        &[
            "bulletin",
            "--year",
            "2019",
            "--quarter",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.exists());
    // A quarter without a year is a usage error too.
    let (code, _, err) = run(
        &db,
        &["export", "--form", "2", "--quarter", "3", "--out", "x.xlsx"],
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn readme_lists_every_report_json_key_with_the_share_unit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    assert_eq!(run(&db, &["demo", "--rows", "5"]).0, 0);
    let (code, out, err) = run(&db, &["report", "--year", "2019", "--json"]);
    assert_eq!(code, 0, "{err}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    for key in value.as_object().unwrap().keys() {
        assert!(
            rows.iter().any(|r| r.contains(&format!("`{key}`"))),
            "README.md does not describe the report --json key `{key}`"
        );
    }
    let share = rows
        .iter()
        .find(|r| r.starts_with("| `shipments_linked_share`"))
        .unwrap();
    assert!(share.contains("百分数"), "{share}");
    // The value is a percent with one decimal.
    let text = value["shipments_linked_share"].as_str().unwrap();
    assert_eq!(
        text.split_once('.').map(|(_, d)| d.len()),
        Some(1),
        "{text}"
    );
}

/// The help is Chinese throughout: headings, placeholders, the help and version flags, for the
/// program and each command, and `help COMMAND` reads like `COMMAND --help`.
#[test]
fn help_is_chinese_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("help.db");
    let commands = [
        "demo",
        "report",
        "import",
        "export",
        "bulletin",
        "catalogue",
    ];
    let mut invocations: Vec<Vec<&str>> = vec![vec!["--help"], vec!["-h"], vec!["help"]];
    for command in commands {
        invocations.push(vec![command, "--help"]);
        invocations.push(vec!["help", command]);
    }
    for arguments in &invocations {
        let (code, out, err) = run(&db, arguments);
        assert_eq!(code, 0, "{arguments:?}: {err}");
        assert!(out.contains("用法：xiaofei-fupin"), "{arguments:?}: {out}");
        assert!(out.contains("选项:"), "{arguments:?}: {out}");
        assert!(out.contains("显示帮助"), "{arguments:?}: {out}");
        assert!(out.contains("--db <路径>"), "{arguments:?}: {out}");
        for english in [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print",
            "[OPTIONS]",
            "<PATH>",
        ] {
            assert!(!out.contains(english), "{arguments:?}: {english} in {out}");
        }
        // Only ASCII letters of option and command names and examples are left (no English words).
        const ALLOWED: [&str; 25] = [
            "xiaofei",
            "fupin",
            "json",
            "help",
            "version",
            "township",
            "quarter",
            "year",
            "rows",
            "seed",
            "procurement",
            "percent",
            "date",
            "form",
            "dry",
            "xlsx",
            "JSON",
            "YYYY",
            "Excel",
            "demo",
            "report",
            "import",
            "export",
            "bulletin",
            "catalogue",
        ];
        let words: Vec<&str> = out
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|word| word.len() > 3)
            .filter(|word| !ALLOWED.contains(word))
            .collect();
        assert!(words.is_empty(), "{arguments:?}: {words:?} in {out}");
    }
    let (code, out, _) = run(&db, &["help"]);
    assert_eq!(code, 0);
    for command in commands {
        assert!(out.contains(command), "{out}");
    }
    let (code, out, _) = run(&db, &["--version"]);
    assert_eq!(
        (code, out.trim()),
        (
            0,
            format!("xiaofei-fupin {}", env!("CARGO_PKG_VERSION")).as_str()
        )
    );
    let (_, out, _) = run(&db, &["import", "--help"]);
    assert!(out.contains("参数:") && out.contains("<文件>..."), "{out}");
}

/// An export without matching records says it wrote a blank form, and the file has the blank
/// rows to fill in before its 合计. 填报时间 is the last day of a period that is over (so that
/// `9月20日` is read in its year), and left empty for one that is not (today's date would refuse
/// every later sale).
#[test]
fn an_export_without_records_is_a_blank_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    assert_eq!(run(&db, &["demo", "--rows", "20"]).0, 0);
    let this_year = chrono::Local::now().year().to_string();
    for (year, filling_date) in [
        ("2017", "填报时间：2017年12月31日"),
        (this_year.as_str(), "填报时间：　　　　　　"),
    ] {
        let out_file = dir.path().join(format!("blank{year}.xlsx"));
        let (code, out, err) = run(
            &db,
            &[
                "export",
                "--form",
                "3",
                "--year",
                year,
                "--out",
                out_file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("已导出空白附件3"), "{out}");
        let mut workbook: Xlsx<_> = open_workbook(&out_file).unwrap();
        let range = workbook.worksheet_range("附件3").unwrap();
        assert_eq!(range.get_value((16, 0)), Some(&Data::String("合计".into())));
        let info = range
            .get_value((2, 0))
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(info.ends_with(filling_date), "{info}");
        assert!(
            (4..16)
                .all(|r| (0..9).all(|c| range.get_value((r, c)).is_none_or(|d| *d == Data::Empty)))
        );
    }
}
