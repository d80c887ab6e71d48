//! What this ledger knows about its own exports, for when they come back: each export's records
//! as exported (`exported_record`, a [`content_hash`] per record), which export a sheet that lost
//! its 提交编号 came from, and how the rows of a re-imported export are judged
//! ([`ExportedRecords`], `ExportCheck`). Migration 0007.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::imports::{
    ImportAction, ImportRecord, LISTING_COMPARISON_SQL, SALE_COMPARISON_SQL,
    listing_comparison_key, sale_comparison_key,
};
use super::{Store, StoreResult, now_text};
use crate::domain::sale::FormKind;

/// What the records of an export were when it was read: record id → `content_hash` of the
/// text the import compares (`SALE_COMPARISON_SQL` / `LISTING_COMPARISON_SQL`). A row
/// of a re-imported export whose content still hashes the same was not changed by the sender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSnapshot {
    pub hashes: Vec<(i64, i64)>,
}

/// The 64-bit FNV-1a hash of `text`, as a SQLite integer: the `content_hash(text)` SQL function
/// and its Rust side. FNV-1a is a fixed algorithm, so hashes stored by one version of the program
/// are compared by the next.
pub(crate) fn content_hash(text: &str) -> i64 {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(text.as_bytes());
    i64::from_ne_bytes(hasher.finish().to_ne_bytes())
}

/// What the exports a file came from say about the records its hidden 记录编号 name (only ids
/// the importer trusts; see `forms::ingest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportedRecords {
    /// `sale` ids (附件2 and 附件3) whose content was written after the export by anything but
    /// the file's own 提交编号: a correction typed in the program or another file's import
    /// (`content_changed_at` / `content_changed_by`, migration 0007).
    pub changed_sales: HashSet<i64>,
    /// The same for `listing` ids (附件1).
    pub changed_listings: HashSet<i64>,
    /// `sale` id → `content_hash` of its content as exported (`exported_record`).
    pub exported_sales: HashMap<i64, i64>,
    /// The same for `listing` ids.
    pub exported_listings: HashMap<i64, i64>,
    /// `sale` ids already rewritten after the export by this same 提交编号 (another corrected
    /// copy of the same export came first): a further correction still applies, with a warning.
    pub recorrected_sales: HashSet<i64>,
    /// The same for `listing` ids.
    pub recorrected_listings: HashSet<i64>,
    /// Sheets of the file that are exports of this ledger (by their 提交编号) with records: a row
    /// there without an id that adds a record is worth a warning (its id may have been lost).
    /// A blank form (exported without records, filled in by hand) is not among them.
    pub own_export_sheets: HashSet<String>,
    /// Excel row numbers, by sheet, of the rows whose hidden 记录编号 was not used: repeated in
    /// the file, or given to a newer record after the export's was deleted (a file warning says
    /// which). Such a row that adds a record did carry an id.
    pub ids_set_aside: HashMap<String, HashSet<u32>>,
    /// `sale` ids carried by rows of the file that were rejected: the file still holds those
    /// records (not listed as left out of it).
    pub rejected_sales: HashSet<i64>,
    /// The same for `listing` ids.
    pub rejected_listings: HashSet<i64>,
    /// (贫困户姓名, 产品品种) of the file's rejected 附件2/3 rows, with or without an id: a
    /// stored sale of the same household and product is not listed as left out of the file.
    pub rejected_household_products: HashSet<(String, String)>,
}

impl ExportedRecords {
    /// Exported content hash → the records exported with it (equal sales share one), per table.
    fn by_hash(exported: &HashMap<i64, i64>) -> HashMap<i64, Vec<i64>> {
        let mut by_hash: HashMap<i64, Vec<i64>> = HashMap::new();
        for (id, hash) in exported {
            by_hash.entry(*hash).or_default().push(*id);
        }
        for ids in by_hash.values_mut() {
            ids.sort_unstable();
        }
        by_hash
    }
}

/// How the rows of one file relate to the exports they came from (one table).
pub(super) struct ExportCheck<'a> {
    exported: &'a HashMap<i64, i64>,
    changed: &'a HashSet<i64>,
    /// Exported content hash → records.
    by_hash: HashMap<i64, Vec<i64>>,
    /// Some row carries the exported content of a record other than its id's.
    misaligned: bool,
}

impl<'a> ExportCheck<'a> {
    pub(super) fn new(exported: &'a HashMap<i64, i64>, changed: &'a HashSet<i64>) -> Self {
        ExportCheck {
            exported,
            changed,
            by_hash: ExportedRecords::by_hash(exported),
            misaligned: false,
        }
    }

    /// Notes a row carrying `id` with content `comparison`: whether it is another record's
    /// exported content (the hidden ids are out of line with the rows).
    pub(super) fn note(&mut self, id: i64, comparison: &str) {
        let hash = content_hash(comparison);
        if self
            .by_hash
            .get(&hash)
            .is_some_and(|ids| !ids.contains(&id))
        {
            self.misaligned = true;
        }
    }

    /// What a row carrying `id` with content `comparison` (which differs from the ledger's
    /// record `id`) does:
    /// - as exported (for `id`, or for another record when the ids are out of line): nothing,
    ///   the sender changed nothing;
    /// - corrected, but the ids are out of line: [`ImportAction::Misaligned`];
    /// - corrected, but the ledger changed the record after the export: kept;
    /// - else it updates record `id`.
    pub(super) fn decide(&self, id: i64, comparison: &str) -> ImportAction {
        let hash = content_hash(comparison);
        if self.exported.get(&id) == Some(&hash) {
            ImportAction::AsExported(id)
        } else if let Some(other) = self.by_hash.get(&hash).and_then(|ids| ids.first()) {
            ImportAction::AsExported(*other)
        } else if self.misaligned {
            ImportAction::Misaligned(id)
        } else if self.changed.contains(&id) {
            ImportAction::KeptNewer(id)
        } else {
            ImportAction::Updated(id)
        }
    }
}

impl Store {
    /// The content of records `ids` of `kind`'s table as an export writes them (see
    /// [`ExportSnapshot`]).
    pub fn export_snapshot(&self, kind: FormKind, ids: &[i64]) -> StoreResult<ExportSnapshot> {
        let (table, comparison) = if kind == FormKind::Catalogue {
            ("listing", LISTING_COMPARISON_SQL)
        } else {
            ("sale", SALE_COMPARISON_SQL)
        };
        let ids_json = format!(
            "[{}]",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        );
        let sql = format!(
            "SELECT id, content_hash({comparison}) FROM {table}
             WHERE id IN (SELECT value FROM json_each(?1))"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let hashes = statement
            .query_map([ids_json], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(ExportSnapshot { hashes })
    }

    /// Records an export of this ledger: its submission row and what each record was when it
    /// was read ([`ExportSnapshot`]), in one transaction.
    pub fn record_export(
        &mut self,
        id: &str,
        kind: FormKind,
        unit: &str,
        file: &Path,
        snapshot: &ExportSnapshot,
    ) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO submission (id, form, direction, unit, file_name, created_at) VALUES (?1, ?2, 'export', ?3, ?4, ?5)",
            rusqlite::params![id, kind.number(), unit, file.display().to_string(), now_text()],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO exported_record (submission_id, record_id, content_hash) VALUES (?1, ?2, ?3)",
            )?;
            for (record_id, hash) in &snapshot.hashes {
                insert.execute(rusqlite::params![id, record_id, hash])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether export `submission_id` carried any record (false for a blank form exported
    /// without records, and for an unknown id; also for an export written before migration 0007,
    /// which recorded no contents: its rows without an id are then not warned as added).
    pub fn export_held_records(&self, submission_id: &str) -> StoreResult<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM exported_record WHERE submission_id = ?1)",
            [submission_id],
            |r| r.get(0),
        )?)
    }

    /// What record `record_id` was when export `submission_id` was written (its content hash),
    /// for records that export carried.
    pub fn exported_content(
        &self,
        submission_id: &str,
    ) -> StoreResult<std::collections::HashMap<i64, i64>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT record_id, content_hash FROM exported_record WHERE submission_id = ?1",
        )?;
        let rows = statement.query_map([submission_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The export of this ledger that `rows` (record id and content, as read from a sheet whose
    /// 提交编号 was lost) most likely came from: among the exports that carried every one of
    /// these ids, the one whose exported contents the most rows carry (in whichever row), provided
    /// that is more than half of them (a sheet mostly returned unchanged). None when no export
    /// qualifies.
    pub fn export_matching(&self, rows: &[(i64, &ImportRecord)]) -> StoreResult<Option<String>> {
        if rows.is_empty() {
            return Ok(None);
        }
        let conn = self.connection();
        let mut hashes: HashMap<i64, i64> = HashMap::new();
        for (id, record) in rows {
            let comparison = match record {
                ImportRecord::Sale { record, .. } => sale_comparison_key(conn, record)?,
                ImportRecord::Listing { listing, .. } => listing_comparison_key(listing),
            };
            hashes.insert(*id, content_hash(&comparison));
        }
        let ids_json = format!(
            "[{}]",
            hashes
                .keys()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut statement = conn.prepare(
            "SELECT e.submission_id, e.content_hash FROM exported_record e
             JOIN submission s ON s.id = e.submission_id AND s.direction = 'export'
             WHERE e.record_id IN (SELECT value FROM json_each(?1))",
        )?;
        // submission → the exported content hashes of the records it carried (of these ids)
        let mut per_export: HashMap<String, Vec<i64>> = HashMap::new();
        let found = statement.query_map([ids_json], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in found {
            let (submission, hash) = row?;
            per_export.entry(submission).or_default().push(hash);
        }
        // Rows as exported, whichever of these records' rows they now stand in (a sheet sorted
        // without its hidden columns is still recognised; the plan then refuses its
        // corrections as out of line).
        let as_exported = |exported: &[i64]| {
            let exported: HashSet<i64> = exported.iter().copied().collect();
            hashes.values().filter(|h| exported.contains(h)).count()
        };
        Ok(per_export
            .into_iter()
            .filter(|(_, exported)| exported.len() == hashes.len())
            .map(|(submission, exported)| {
                let matching = as_exported(&exported);
                (submission, matching)
            })
            .filter(|(_, matching)| *matching * 2 > hashes.len())
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
            .map(|(submission, _)| submission))
    }
}
