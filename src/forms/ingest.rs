//! Import of filled forms into the database: parse (see [`crate::forms::import`]), check sales
//! against the 附件1 catalogue, plan (add / update / unchanged / duplicate), preview, then apply in
//! one transaction per file. Used by the `import` subcommand and the 导入 window alike.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde::Serialize;

use crate::domain::sale::FormKind;
use crate::domain::{Money, Price};
use crate::forms::import::{
    FileRejection, ImportedRow, ParsedFile, RowContent, RowIssue, in_parallel_chunks, parse_file,
};
use crate::forms::logistics::{self, PreparedShipments};
use crate::store::{ExportedRecords, ImportAction, ImportPlan, ImportRecord, Store};

/// A file read, checked and planned, nothing written yet: what the preview shows.
#[derive(Debug, Clone)]
pub struct PreparedImport {
    pub path: PathBuf,
    /// How reports name the file: its name, or its path inside a folder the operator gave
    /// (`收件/泥溪镇/附件2.xlsx`, see [`FileToImport`]).
    pub shown_as: String,
    /// The parsed file, or why the whole file is refused.
    pub parsed: Result<ParsedFile, FileRejection>,
    /// The records to import, in file order (with catalogue warnings added).
    pub records: Vec<ImportRecord>,
    /// Row warnings (parser's and catalogue check's), with sheet, row and column.
    pub warnings: Vec<RowIssue>,
    /// What each record would do.
    pub plan: ImportPlan,
    /// What the file's exports say about the records its trusted ids name.
    pub exported_records: ExportedRecords,
    /// Township code → official name, for the per-township totals.
    township_names: HashMap<String, String>,
    /// A courier/postal file (R5; no form header, so `parsed` is the form reader's rejection):
    /// its waybills, reported and stored as shipments by [`logistics`] instead.
    pub logistics: Option<PreparedShipments>,
}

/// One file's outcome, as `import --json` prints it (amounts in yuan, two decimals).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileReport {
    pub file: String,
    /// `附件1`, `附件2`, `附件3` (several joined by `、` for mixed workbooks), or `""` when rejected.
    pub form: String,
    /// `imported` or `rejected`.
    pub outcome: String,
    /// One Chinese sentence: the rejection reason, or what was done.
    pub message: String,
    pub rows_imported: usize,
    pub rows_rejected: usize,
    /// Sum of the imported rows' amounts; `null` for a catalogue or a rejected file.
    pub total: Option<String>,
    /// Township name → amount.
    pub per_township: BTreeMap<String, String>,
    /// Rows newly added to the database.
    pub rows_added: usize,
    /// Exported rows that came back changed and were updated.
    pub rows_updated: usize,
    /// Rows already in the database (this file or its content was imported before, or a
    /// corrected record's earlier content).
    pub rows_duplicate: usize,
    /// Exported rows that came back as the ledger has them.
    pub rows_unchanged: usize,
    /// Exported rows not applied because the ledger's record changed after the export (each
    /// has a warning). `rows_added + rows_updated + rows_duplicate + rows_unchanged +
    /// rows_kept` = `rows_imported`.
    pub rows_kept: usize,
    pub file_warnings: Vec<String>,
    pub warnings: Vec<IssueJson>,
    pub errors: Vec<IssueJson>,
}

impl FileReport {
    /// A file refused as a whole (unreadable, no form, or its transaction failed): nothing of it
    /// was written. `message` is one Chinese sentence.
    pub fn rejected(file: String, message: String) -> FileReport {
        FileReport {
            file,
            form: String::new(),
            outcome: "rejected".into(),
            message,
            rows_imported: 0,
            rows_rejected: 0,
            total: None,
            per_township: BTreeMap::new(),
            rows_added: 0,
            rows_updated: 0,
            rows_duplicate: 0,
            rows_unchanged: 0,
            rows_kept: 0,
            file_warnings: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }
}

/// A row warning or error in the JSON report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IssueJson {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub message: String,
}

impl From<&RowIssue> for IssueJson {
    fn from(issue: &RowIssue) -> Self {
        IssueJson {
            sheet: issue.sheet.clone(),
            row: issue.row,
            column: issue.column.clone(),
            message: issue.message.clone(),
        }
    }
}

/// A file to import and how reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileToImport {
    pub path: PathBuf,
    /// A relative path as the operator typed it (`收件/泥溪镇/附件2.xlsx`); for an absolute path
    /// (a dropped or chosen file) its name. A file found in a folder is named by the folder so
    /// named and its path inside it, so two townships' `附件2.xlsx` are told apart.
    pub shown_as: String,
}

/// The last component of `path` (the whole path when it has none).
fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// How reports name a path the operator gave: as typed when relative (with `/` between the
/// parts), by its last part when absolute.
fn shown_as_given(path: &Path) -> String {
    if path.is_absolute() {
        return name_of(path);
    }
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        path.display().to_string()
    } else {
        parts.join("/")
    }
}

/// The files to import for what the operator gave (dropped, chosen or typed): files as they are,
/// folders replaced by the files in them and their subfolders, sorted by path; a file given
/// twice (directly and through its folder) once. Left out inside a folder: hidden files and
/// folders (`.` prefix: macOS `._` copies and `.Trashes`, Linux `.Trash-1000`), Office lock files
/// (`~$` prefix), ledger files (`.db`, `.db-wal`, `.db-shm`, `.db-journal`: a ledger kept in the
/// same folder; also Windows' `Thumbs.db`), Windows' `desktop.ini` and `autorun.inf`, and the
/// recycle bins and system folders of a USB stick ([`is_system_folder`]: the deleted forms in
/// them must not come back). An unreadable folder is kept as given, so its import reports why it
/// cannot be read.
pub fn files_to_import(paths: &[PathBuf]) -> Vec<FileToImport> {
    let mut files = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut push = |path: PathBuf, shown_as: String| {
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(identity) {
            files.push(FileToImport { path, shown_as });
        }
    };
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                .filter_entry(|entry| {
                    entry.depth() == 0
                        || !entry.file_type().is_dir()
                        || !is_system_folder(&entry.file_name().to_string_lossy())
                })
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_file())
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy();
                    let ledger_file = [".db", ".db-wal", ".db-shm", ".db-journal"]
                        .iter()
                        .any(|suffix| name.ends_with(suffix));
                    let system_file = ["desktop.ini", "autorun.inf"]
                        .iter()
                        .any(|system| name.eq_ignore_ascii_case(system));
                    !name.starts_with('.')
                        && !name.starts_with("~$")
                        && !ledger_file
                        && !system_file
                })
                .map(|entry| entry.into_path())
                .collect();
            let folder = shown_as_given(path);
            if found.is_empty() {
                push(path.clone(), folder);
            } else {
                found.sort();
                for file in found {
                    let inside: Vec<String> = file
                        .strip_prefix(path)
                        .unwrap_or(&file)
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    let shown_as = format!("{folder}/{}", inside.join("/"));
                    push(file, shown_as);
                }
            }
        } else {
            push(path.clone(), shown_as_given(path));
        }
    }
    files
}

/// A folder that holds no forms however it is searched: a hidden one (`.` prefix, e.g. the
/// `.Trashes` and `.Trash-1000` bins macOS and Linux leave on a USB stick) or Windows' recycle
/// bins (`$RECYCLE.BIN`, `RECYCLER`) and `System Volume Information`.
fn is_system_folder(name: &str) -> bool {
    name.starts_with('.')
        || ["$RECYCLE.BIN", "RECYCLER", "System Volume Information"]
            .iter()
            .any(|system| name.eq_ignore_ascii_case(system))
}

/// Reads and checks one file against the store and plans it (the preview), writing nothing. Never
/// fails: a file that cannot be read is a prepared import whose `parsed` is the rejection.
/// Database errors are returned.
pub fn prepare(store: &Store, path: &Path) -> Result<PreparedImport, String> {
    prepare_file(store, path, &name_of(path))
}

/// [`prepare`] for a file that reports name `shown_as` ([`FileToImport`]).
pub fn prepare_file(store: &Store, path: &Path, shown_as: &str) -> Result<PreparedImport, String> {
    let mut prepared = read_and_check(store, path)?;
    prepared.shown_as = shown_as.to_string();
    let unit = prepared.unit();
    prepared.plan = store
        .plan_import(&prepared.records, &prepared.exported_records, &unit)
        .map_err(|e| e.to_string())?;
    Ok(prepared)
}

/// Reads, checks and imports one file without a preview (the CLI's `import`): the plan is made
/// once, inside the write transaction. Same outcome as [`prepare`] then [`commit`].
pub fn import_file(store: &mut Store, path: &Path) -> Result<FileReport, String> {
    import_file_shown_as(store, path, &name_of(path))
}

/// [`import_file`] for a file that reports name `shown_as` ([`FileToImport`]).
pub fn import_file_shown_as(
    store: &mut Store,
    path: &Path,
    shown_as: &str,
) -> Result<FileReport, String> {
    let started = std::time::Instant::now();
    let mut prepared = read_and_check(store, path)?;
    prepared.shown_as = shown_as.to_string();
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "import: read and checked"
    );
    let report = commit(store, &prepared);
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), "import: stored");
    report
}

/// Hidden 记录编号 are ids in the database that exported the file; a row keeps its id only when
/// it can only mean that record:
/// - the sheet's 提交编号 is an export of this database (a file from another office's copy of the
///   program names unrelated records here; a file whose 提交编号 was lost cannot be trusted);
/// - the record existed when the file was exported (SQLite gives a deleted last id to the next
///   new record, so an old export would otherwise overwrite an unrelated newer record);
/// - no other row of the file carries the same id (a copied row or sheet, wherever the copy was
///   put, would otherwise overwrite the record with the copy and lose the original sale): a
///   repeated id is dropped from every row carrying it.
///
/// Rows whose id is dropped are matched by content like any other file; a file warning says so.
///
/// Returns what the exports say about the trusted ids ([`ExportedRecords`]): records changed in
/// the ledger after the export by anything but this file, and each record as exported; the
/// import keeps the ledger's content where the row is as exported or the ledger changed since.
fn trust_record_ids(store: &Store, file: &mut ParsedFile) -> Result<ExportedRecords, String> {
    let mut exported = ExportedRecords::default();
    let mut carried: HashMap<(FormKind, i64), usize> = HashMap::new();
    for sheet in &file.sheets {
        for id in sheet.rows.iter().filter_map(|row| row.record_id) {
            *carried.entry((sheet.kind, id)).or_insert(0) += 1;
        }
    }
    for sheet in &mut file.sheets {
        let mut export_time = match &sheet.submission_id {
            Some(id) => store.own_export_time(id).map_err(|e| e.to_string())?,
            None => None,
        };
        let ids: Vec<i64> = sheet.rows.iter().filter_map(|row| row.record_id).collect();
        if let (Some(_), Some(submission_id)) = (&export_time, &sheet.submission_id) {
            // A blank form (exported without records, filled in by hand) has no id to lose, even
            // when a row copied from another export brought one along.
            if store
                .export_held_records(submission_id)
                .map_err(|e| e.to_string())?
            {
                exported.own_export_sheets.insert(sheet.name.clone());
            }
        }
        if ids.is_empty() {
            continue;
        }
        if sheet.submission_id.is_none() {
            // The 提交编号 cell was deleted (row 1 removed?): the export is recognised by its
            // ids and content, or the ids are not used.
            let rows: Vec<(i64, ImportRecord)> = sheet
                .rows
                .iter()
                .filter_map(|row| {
                    let id = row.record_id?;
                    Some((id, import_record(row)))
                })
                .collect();
            let pairs: Vec<(i64, &ImportRecord)> = rows.iter().map(|(id, r)| (*id, r)).collect();
            if let Some(found) = store.export_matching(&pairs).map_err(|e| e.to_string())? {
                file.file_warnings.push(format!(
                    "工作表“{}”缺少提交编号（第1行右侧被删除？），按记录编号和内容认定为本台账导出的表格（提交编号{found}），按编号更新",
                    sheet.name
                ));
                export_time = store.own_export_time(&found).map_err(|e| e.to_string())?;
                sheet.submission_id = Some(found);
            }
        }
        let Some(export_time) = export_time else {
            for row in &mut sheet.rows {
                row.record_id = None;
            }
            file.file_warnings.push(match &sheet.submission_id {
                Some(id) => format!(
                    "工作表“{}”由其他台账导出（提交编号{id}），其中的记录编号不适用于本台账，已按内容查重导入",
                    sheet.name
                ),
                None => format!(
                    "工作表“{}”有记录编号但缺少提交编号（第1行右侧被删除？），无法确认是本台账导出的，已按内容查重导入",
                    sheet.name
                ),
            });
            continue;
        };
        let newer = store
            .ids_created_after(sheet.kind, &ids, &export_time)
            .map_err(|e| e.to_string())?;
        let mut dropped_newer = 0;
        let mut repeated_rows: Vec<u32> = Vec::new();
        for row in &mut sheet.rows {
            let Some(id) = row.record_id else { continue };
            if newer.contains(&id) {
                row.record_id = None;
                dropped_newer += 1;
            } else if carried.get(&(sheet.kind, id)).copied().unwrap_or(0) > 1 {
                row.record_id = None;
                repeated_rows.push(row.row);
            } else {
                continue;
            }
            exported
                .ids_set_aside
                .entry(sheet.name.clone())
                .or_default()
                .insert(row.row);
        }
        if dropped_newer > 0 {
            file.file_warnings.push(format!(
                "工作表“{}”中{dropped_newer}行的记录编号在导出后已被删除并另作他用，这些行按内容查重导入",
                sheet.name
            ));
        }
        keep_the_year_of_corrected_records(store, sheet)?;
        if let Some(submission_id) = &sheet.submission_id {
            let trusted: Vec<i64> = sheet.rows.iter().filter_map(|row| row.record_id).collect();
            let newer = store
                .ids_changed_after_export(sheet.kind, &trusted, &export_time, submission_id)
                .map_err(|e| e.to_string())?;
            let as_exported = store
                .exported_content(submission_id)
                .map_err(|e| e.to_string())?;
            let recorrected = store
                .ids_rewritten_by_export(sheet.kind, &trusted, &export_time, submission_id)
                .map_err(|e| e.to_string())?;
            if sheet.kind == FormKind::Catalogue {
                exported.changed_listings.extend(newer);
                exported.exported_listings.extend(as_exported);
                exported.recorrected_listings.extend(recorrected);
                exported
                    .rejected_listings
                    .extend(&sheet.rejected_record_ids);
            } else {
                exported.changed_sales.extend(newer);
                exported.exported_sales.extend(as_exported);
                exported.recorrected_sales.extend(recorrected);
                exported.rejected_sales.extend(&sheet.rejected_record_ids);
            }
        }
        if !repeated_rows.is_empty() {
            let rows: Vec<String> = repeated_rows
                .iter()
                .take(10)
                .map(|r| r.to_string())
                .collect();
            file.file_warnings.push(format!(
                "工作表“{}”第{}行{}的记录编号在文件中出现了不止一次（复制的行或工作表？），这些行按内容查重导入，不按编号更新",
                sheet.name,
                rows.join("、"),
                if repeated_rows.len() > 10 { "等" } else { "" }
            ));
        }
    }
    Ok(exported)
}

/// The record a parsed row stands for (without its id).
fn import_record(row: &crate::forms::import::ImportedRow) -> ImportRecord {
    match &row.content {
        RowContent::Sale(record) => ImportRecord::Sale {
            record_id: None,
            record: record.clone(),
        },
        RowContent::Listing(listing) => ImportRecord::Listing {
            record_id: None,
            listing: listing.clone(),
        },
    }
}

/// A date typed without a year (`9月8日`) takes the year of the sheet's 填报时间; in our own
/// export that is the day of the export, not of the records. For a row that corrects a stored
/// record (trusted 记录编号), such a date keeps the year of the record it corrects, with a warning.
fn keep_the_year_of_corrected_records(
    store: &Store,
    sheet: &mut crate::forms::import::ImportedSheet,
) -> Result<(), String> {
    let ids: Vec<i64> = sheet
        .rows
        .iter()
        .filter(|row| matches!(&row.content, RowContent::Sale(r) if !names_a_year(&r.date_text)))
        .filter_map(|row| row.record_id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let stored = store.sale_dates(&ids).map_err(|e| e.to_string())?;
    for row in &mut sheet.rows {
        let (Some(id), RowContent::Sale(record)) = (row.record_id, &mut row.content) else {
            continue;
        };
        let Some(stored_date) = stored.get(&id) else {
            continue;
        };
        if names_a_year(&record.date_text) || record.date.date.year() == stored_date.year() {
            continue;
        }
        let Some(date) = record.date.date.with_year(stored_date.year()) else {
            continue;
        };
        let (date_column, _, _) = record.kind.column_names();
        let message = format!(
            "{date_column}“{}”没有写年份，按所更正记录的年份计为{}年（不按本表的填报时间）",
            record.date_text,
            date.year()
        );
        record.date.date = date;
        record.warnings.push(message.clone());
        row.warnings.push(RowIssue {
            sheet: row.sheet.clone(),
            row: row.row,
            column: date_column.to_string(),
            message,
        });
    }
    Ok(())
}

/// Whether a typed date names its year (`2019.9.8`, `19年9月8日`); `9月8日` and `9.8` do not.
fn names_a_year(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c == '年' {
            return true;
        }
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            run += 1;
            if run >= 4 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// What makes two sale rows of one sheet the same: form, 采购单位, date, 地区 (township and
/// village), 贫困户姓名, 产品品种, quantity with its unit, amount and 备注 (a remark that tells
/// two equal sales apart, `同日第二次送货`, makes them different rows).
type SameContent<'a> = (
    FormKind,
    &'a str,
    chrono::NaiveDate,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    rust_decimal::Decimal,
    Option<&'a str>,
    Money,
    &'a str,
);

/// The [`SameContent`] of a sale row.
fn same_content(record: &crate::domain::sale::SaleRecord) -> SameContent<'_> {
    (
        record.kind,
        record.purchaser.as_str(),
        record.date.date,
        record.township_code.as_str(),
        record.village.as_str(),
        record.household.as_str(),
        record.product.as_str(),
        record.quantity.value,
        record.quantity.unit.as_deref(),
        record.amount,
        record.remark.as_str(),
    )
}

/// The hint on a sale row that repeats an earlier `row` of its sheet: both are imported (two
/// equal sales happen); the clerk checks that it was not entered twice.
fn same_row_warning(row: u32) -> String {
    format!(
        "本行与第{row}行完全相同（采购单位、时间、地区、贫困户、产品、数量、金额、备注），按两条记录导入：如为重复填写，请在台账中删除多出的那条记录（再次导入本文件不会删除记录）"
    )
}

/// For each row of `rows`, the earlier row of its sheet it repeats ([`SameContent`]), if any:
/// a row written twice is imported twice (two equal sales happen), with a hint on the second.
/// Rows of our export that carry their record's id are known records; equal rows of two sheets
/// are handled when the file is read (a copied sheet or a summary is imported once). The rows'
/// contents are hashed on several threads; equal hashes are compared in full.
fn repeated_rows(rows: &[&ImportedRow]) -> Vec<Option<u32>> {
    use std::hash::{Hash, Hasher};
    fn content(row: &ImportedRow) -> Option<(&str, SameContent<'_>)> {
        match &row.content {
            RowContent::Sale(record) if row.record_id.is_none() => {
                Some((row.sheet.as_str(), same_content(record)))
            }
            _ => None,
        }
    }
    let hashes: Vec<Option<u64>> = in_parallel_chunks(rows, |_, chunk| {
        chunk
            .iter()
            .map(|row| {
                content(row).map(|content| {
                    let mut hasher = fnv::FnvHasher::default();
                    content.hash(&mut hasher);
                    hasher.finish()
                })
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    // Hash → the indices of the first rows with that hash (one, unless two contents collide).
    let mut first_rows: fnv::FnvHashMap<u64, Vec<usize>> = fnv::FnvHashMap::default();
    first_rows.reserve(rows.len());
    rows.iter()
        .zip(&hashes)
        .enumerate()
        .map(|(index, (row, hash))| {
            let hash = (*hash)?;
            let firsts = first_rows.entry(hash).or_default();
            let first = firsts
                .iter()
                .find(|first| rows.get(**first).and_then(|first| content(first)) == content(row));
            match first {
                Some(first) => rows.get(*first).map(|first| first.row),
                None => {
                    firsts.push(index);
                    None
                }
            }
        })
        .collect()
}

/// The record a parsed row imports and the row's issues: its own, then the hint that it repeats
/// row `repeats` of its sheet, then the catalogue check (附件1 `prices` by township, household
/// and product: an amount that fits none of the household's prices for the quantity is kept
/// and flagged, rule 10).
fn checked_row(
    row: &ImportedRow,
    repeats: Option<u32>,
    prices: &HashMap<(&str, &str, &str), &[Price]>,
) -> (ImportRecord, Vec<RowIssue>) {
    let mut issues = row.warnings.clone();
    let record = match &row.content {
        RowContent::Sale(record) => {
            let mut record = record.clone();
            if let Some(first) = repeats {
                let message = same_row_warning(first);
                record.warnings.push(message.clone());
                issues.push(RowIssue {
                    sheet: row.sheet.clone(),
                    row: row.row,
                    column: String::new(),
                    message,
                });
            }
            let key = (
                record.township_code.as_str(),
                record.household.as_str(),
                record.product.as_str(),
            );
            // A household may list a product at several prices (`普通`, `精品`): the amount
            // fits when it fits any of them.
            let mut expected: Vec<(&Price, Money)> = prices
                .get(&key)
                .copied()
                .unwrap_or_default()
                .iter()
                .filter_map(|price| {
                    price
                        .expected_amount(&record.quantity)
                        .map(|expected| (price, expected))
                })
                .collect();
            let mut seen = HashSet::new();
            expected.retain(|(_, amount)| seen.insert(*amount));
            if !expected.is_empty() && expected.iter().all(|(_, amount)| *amount != record.amount) {
                let (_, _, amount_column) = record.kind.column_names();
                let products = expected
                    .iter()
                    .map(|(price, amount)| format!("{}×{price}={amount}元", record.quantity))
                    .collect::<Vec<_>>()
                    .join("或");
                let message = format!(
                    "{amount_column}{}元与目录价格不符：{products}（按填报金额计，不自动更正）",
                    record.amount
                );
                record.warnings.push(message.clone());
                issues.push(RowIssue {
                    sheet: row.sheet.clone(),
                    row: row.row,
                    column: amount_column.to_string(),
                    message,
                });
            }
            ImportRecord::Sale {
                record_id: row.record_id,
                record,
            }
        }
        RowContent::Listing(listing) => ImportRecord::Listing {
            record_id: row.record_id,
            listing: listing.clone(),
        },
    };
    (record, issues)
}

/// [`prepare`] without the plan (`plan` left empty).
fn read_and_check(store: &Store, path: &Path) -> Result<PreparedImport, String> {
    let started = std::time::Instant::now();
    let step = |name: &str| {
        tracing::debug!(
            step = name,
            seconds = started.elapsed().as_secs_f64(),
            "import: check"
        );
    };
    let resolver = store.region_resolver().map_err(|e| e.to_string())?;
    step("resolver");
    let mut parsed = parse_file(path, &resolver);
    step("parsed");
    let mut exported_records = ExportedRecords::default();
    if let Ok(file) = &mut parsed {
        exported_records = trust_record_ids(store, file)?;
        step("record ids");
        exported_records.rejected_household_products = file
            .sheets
            .iter()
            .flat_map(|sheet| sheet.rejected_household_products.iter().cloned())
            .collect();
    }
    // A file without a form header may be a courier file (R5): read it as shipments.
    let logistics = match &parsed {
        Err(rejection) if rejection.message == crate::forms::import::NO_HEADER => {
            logistics::prepare(store, path, &resolver)?
        }
        _ => None,
    };
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    if let Ok(file) = &parsed {
        let townships: Vec<String> = file
            .rows()
            .filter_map(|r| match &r.content {
                RowContent::Sale(s) => Some(s.township_code.as_str()),
                RowContent::Listing(_) => None,
            })
            .collect::<fnv::FnvHashSet<&str>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut prices = store
            .catalogue_prices(&townships)
            .map_err(|e| e.to_string())?;
        // A 附件1 sheet of the same file is imported with it: its entries are the catalogue the
        // sales are checked against (they replace the stored entries of the same product),
        // whichever sheet comes first.
        let mut file_prices: HashMap<(String, String, String), Vec<Price>> = HashMap::new();
        for row in file.rows() {
            if let RowContent::Listing(listing) = &row.content {
                let key = (
                    listing.township_code.clone(),
                    listing.household.clone(),
                    listing.product.clone(),
                );
                let entry = file_prices.entry(key).or_default();
                if !crate::domain::listing::is_inexact_price_text(&listing.price_text) {
                    entry.push(listing.price.clone());
                }
            }
        }
        prices.extend(file_prices);
        // Looked up by borrowed text: no key is built per row.
        let prices: HashMap<(&str, &str, &str), &[Price]> = prices
            .iter()
            .map(|((township, household, product), prices)| {
                (
                    (township.as_str(), household.as_str(), product.as_str()),
                    prices.as_slice(),
                )
            })
            .collect();
        let rows: Vec<&ImportedRow> = file.rows().collect();
        let repeats = repeated_rows(&rows);
        let checked = in_parallel_chunks(&rows, |offset, chunk| {
            let mut records = Vec::with_capacity(chunk.len());
            let mut issues = Vec::new();
            for (index, row) in chunk.iter().enumerate() {
                let repeats = repeats.get(offset + index).copied().flatten();
                let (record, row_issues) = checked_row(row, repeats, &prices);
                records.push(record);
                issues.extend(row_issues);
            }
            (records, issues)
        });
        for (chunk_records, issues) in checked {
            // The first chunk's records are taken whole; later ones are moved after them.
            if records.is_empty() {
                records = chunk_records;
            } else {
                records.extend(chunk_records);
            }
            warnings.extend(issues);
        }
    }
    step("records");
    let plan = ImportPlan::default();
    let township_names = resolver
        .townships()
        .iter()
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    Ok(PreparedImport {
        path: path.to_path_buf(),
        shown_as: name_of(path),
        parsed,
        records,
        warnings,
        plan,
        exported_records,
        township_names,
        logistics,
    })
}

impl PreparedImport {
    /// The file's name for messages ([`PreparedImport::shown_as`]).
    pub fn file_name(&self) -> String {
        self.shown_as.clone()
    }

    /// The form of the first recognised sheet.
    pub fn kind(&self) -> Option<FormKind> {
        self.parsed
            .as_ref()
            .ok()
            .and_then(|f| f.sheets.first())
            .map(|s| s.kind)
    }

    /// The file's 填报单位: that of the first sheet naming one ('' when none does).
    pub fn unit(&self) -> String {
        self.parsed
            .as_ref()
            .ok()
            .and_then(|f| f.sheets.iter().find_map(|s| s.header.unit.clone()))
            .unwrap_or_default()
    }

    /// The report of this file: as previewed (`plan` = the plan) or as applied.
    pub fn report(&self, plan: &ImportPlan, applied: bool) -> FileReport {
        let file = self.file_name();
        if let Some(shipments) = &self.logistics {
            return shipments.report(&file, None);
        }
        let parsed = match &self.parsed {
            Ok(parsed) => parsed,
            Err(rejection) => return FileReport::rejected(file, rejection.message.clone()),
        };
        let mut forms: Vec<&str> = Vec::new();
        for sheet in &parsed.sheets {
            if !forms.contains(&sheet.kind.label()) {
                forms.push(sheet.kind.label());
            }
        }
        let mut total = Money::ZERO;
        // A sales form has a total even when every row was rejected (0.00); 附件1 has none.
        let has_sales = parsed
            .sheets
            .iter()
            .any(|sheet| sheet.kind != FormKind::Catalogue);
        let mut per_township: BTreeMap<String, Money> = BTreeMap::new();
        // The plan's actions follow `parsed.rows()`; a row it refuses (ids out of line) is not
        // imported and not in the totals.
        for (index, row) in parsed.rows().enumerate() {
            if matches!(plan.actions.get(index), Some(ImportAction::Misaligned(_))) {
                continue;
            }
            if let RowContent::Sale(record) = &row.content {
                total += record.amount;
                let name = self
                    .township_names
                    .get(&record.township_code)
                    .cloned()
                    .unwrap_or_else(|| record.township_code.clone());
                *per_township.entry(name).or_insert(Money::ZERO) += record.amount;
            }
        }
        let misaligned = plan.misaligned();
        let rows_imported = parsed.rows().count() - misaligned;
        let rows_rejected: usize = parsed
            .sheets
            .iter()
            .map(|s| s.rejected_rows().len())
            .sum::<usize>()
            + misaligned;
        let (added, updated, unchanged, duplicates) = plan.counts();
        // `读取8行，已导入：新增2行，更新1行，5行此前已导入…`; nothing to add or update says so.
        let mut message = format!("读取{rows_imported}行，");
        let mut rest = Vec::new();
        if added + updated > 0 {
            message.push_str(if applied {
                "已导入："
            } else {
                "将导入："
            });
            rest.push(format!("新增{added}行"));
            rest.push(format!("更新{updated}行"));
        } else if unchanged + duplicates > 0 {
            message.push_str("没有要新增或更新的行：");
        } else {
            message.push_str("没有要新增或更新的行");
        }
        if unchanged > 0 {
            rest.push(format!("{unchanged}行未改动（与台账中或导出时的内容相同）"));
        }
        if duplicates > 0 {
            rest.push(format!("{duplicates}行此前已导入（未重复添加）"));
        }
        message.push_str(&rest.join("，"));
        let kept_newer = plan.kept_newer();
        if kept_newer > 0 {
            message.push_str(&format!(
                "，{kept_newer}行对应的记录在本文件导出后已在台账中修改，保留台账中的内容（未按文件覆盖）"
            ));
        }
        if plan.paired > 0 {
            message.push_str(&format!(
                "；{}行与另一张表中的记录是同一笔销售，已配对（全县合计只计一次）",
                plan.paired
            ));
        }
        if rows_rejected > 0 {
            message.push_str(&format!("；{rows_rejected}行有错误未导入"));
        }
        let warnings: Vec<IssueJson> = self
            .warnings
            .iter()
            .map(IssueJson::from)
            .chain(plan_warnings(parsed, plan, &self.exported_records))
            .collect();
        if !warnings.is_empty() {
            message.push_str(&format!("；{}条提示", warnings.len()));
        }
        FileReport {
            file,
            form: forms.join("、"),
            outcome: "imported".into(),
            message,
            rows_imported,
            rows_rejected,
            total: has_sales.then(|| total.to_string()),
            per_township: per_township
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect(),
            rows_added: added,
            rows_updated: updated,
            rows_duplicate: duplicates,
            rows_unchanged: unchanged,
            rows_kept: kept_newer,
            file_warnings: parsed
                .file_warnings
                .iter()
                .chain(&plan.file_notes)
                .cloned()
                .collect(),
            warnings,
            errors: parsed
                .errors()
                .map(IssueJson::from)
                .chain(plan_errors(parsed, plan))
                .collect(),
        }
    }
}

/// One warning per row of `parsed` that the plan adds beside a stored sale differing only in
/// quantity or amount ([`ImportPlan::similar`]), keeps as the ledger has it
/// ([`ImportAction::KeptNewer`]), recognises as a corrected record's earlier content
/// ([`ImportAction::Superseded`]), or applies over another corrected copy of the same export;
/// the plan's actions are in the order of `parsed.rows()`.
fn plan_warnings<'a>(
    parsed: &'a ParsedFile,
    plan: &'a ImportPlan,
    exported: &'a ExportedRecords,
) -> impl Iterator<Item = IssueJson> + 'a {
    let similar: std::collections::HashMap<usize, String> = plan
        .similar
        .iter()
        .map(|(index, sale)| (*index, sale.warning()))
        .chain(plan.differing.iter().cloned())
        .collect();
    parsed
        .rows()
        .zip(&plan.actions)
        .enumerate()
        .flat_map(move |(index, (row, action))| {
            let similar = similar.get(&index).map(|message| IssueJson {
                sheet: row.sheet.clone(),
                row: row.row,
                column: "整行".to_string(),
                message: message.clone(),
            });
            plan_warning(row, action, exported)
                .into_iter()
                .chain(similar)
        })
}

/// The warning of one row's planned action, if any (see [`plan_warnings`]).
fn plan_warning(
    row: &crate::forms::import::ImportedRow,
    action: &ImportAction,
    exported: &ExportedRecords,
) -> Option<IssueJson> {
    let recorrected = match (&row.content, *action) {
        (RowContent::Sale(_), ImportAction::Updated(id)) => {
            exported.recorrected_sales.contains(&id)
        }
        (RowContent::Listing(_), ImportAction::Updated(id)) => {
            exported.recorrected_listings.contains(&id)
        }
        _ => false,
    };
    let message = match action {
        ImportAction::Added(_)
            if row.record_id.is_none()
                && exported
                    .ids_set_aside
                    .get(&row.sheet)
                    .is_some_and(|rows| rows.contains(&row.row)) =>
        {
            "这一行隐藏的记录编号未采用（见文件提示），已按内容作为新记录导入；如它是复制来的已有记录或对某条记录的更正，请核对并在程序中删除重复的那条"
        }
        ImportAction::Added(_)
            if row.record_id.is_none() && exported.own_export_sheets.contains(&row.sheet) =>
        {
            "这一行是在本台账导出的表格中新加的（没有隐藏的记录编号），已作为新记录导入；如它是从别处复制来的已有记录或对某条记录的更正，请核对并在程序中删除重复的那条"
        }
        ImportAction::Updated(_) if recorrected => {
            "这条记录已由同一份导出表格的另一份更正改过，本文件对它的更正与之不同，已按本文件更新；如本文件是较早的版本，请重新导出后再更正"
        }
        ImportAction::KeptNewer(_) => {
            "这条记录在本文件导出后已在台账中修改（在程序中更正或由其他文件导入），文件中对这一行的更正未导入，台账保留修改后的内容；如需按文件更正，请重新导出后在新文件中修改"
        }
        ImportAction::Superseded(_) => {
            "这一行与台账中一条记录更正前的内容相同（该记录已按更正后的内容保存），按已导入处理，未重复添加"
        }
        _ => return None,
    };
    Some(IssueJson {
        sheet: row.sheet.clone(),
        row: row.row,
        column: "整行".to_string(),
        message: message.to_string(),
    })
}

/// One error per row of `parsed` the plan refuses because the file's hidden 记录编号 are out of
/// line with its rows ([`ImportAction::Misaligned`]).
fn plan_errors<'a>(
    parsed: &'a ParsedFile,
    plan: &'a ImportPlan,
) -> impl Iterator<Item = IssueJson> + 'a {
    parsed
        .rows()
        .zip(&plan.actions)
        .filter(|(_, action)| matches!(action, ImportAction::Misaligned(_)))
        .map(|(row, _)| IssueJson {
            sheet: row.sheet.clone(),
            row: row.row,
            column: "整行".to_string(),
            message: "表格中隐藏的记录编号与各行内容错位了（可能只删除、插入或排序了部分单元格，隐藏列没有跟着移动），无法判断这一行更正的是哪条记录，未导入（其他行按内容核对）。请重新导出后在新表格中更正，删除、插入或排序时请整行操作".to_string(),
        })
}

/// Applies a prepared import in one transaction (all rows as previewed, or nothing). A rejected
/// file writes nothing and reports the rejection.
pub fn commit(store: &mut Store, prepared: &PreparedImport) -> Result<FileReport, String> {
    if let Some(shipments) = &prepared.logistics {
        return logistics::commit(store, shipments, &prepared.file_name());
    }
    let Ok(parsed) = &prepared.parsed else {
        return Ok(prepared.report(&prepared.plan, false));
    };
    if prepared.records.is_empty() {
        return Ok(prepared.report(&prepared.plan, true));
    }
    let submission_id = parsed
        .sheets
        .iter()
        .find_map(|s| s.submission_id.clone())
        .unwrap_or_else(|| {
            format!(
                "I-{}-{:08x}",
                chrono::Local::now().format("%Y%m%dT%H%M%S"),
                rand::random::<u32>()
            )
        });
    let unit = prepared.unit();
    let kind = prepared.kind().unwrap_or(FormKind::Sale);
    let file_name = prepared.file_name();
    let plan = store
        .apply_import(
            &crate::store::ImportedFile {
                submission_id: &submission_id,
                kind,
                unit: &unit,
                file_name: &file_name,
                reported_on: parsed.sheets.iter().find_map(|sheet| sheet.header.date),
            },
            &prepared.records,
            &prepared.exported_records,
        )
        .map_err(|e| format!("导入“{}”失败，未写入任何记录：{e}", prepared.file_name()))?;
    // New sales may be what earlier courier shipments carried (R5). A failure leaves the import
    // as it is: linking runs again after the next import.
    if let Err(e) = store.auto_link_shipments() {
        tracing::warn!(error = %e, "linking shipments after an import failed");
    }
    Ok(prepared.report(&plan, true))
}
