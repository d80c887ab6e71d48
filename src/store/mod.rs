//! SQLite storage: open, migrate (`migrations/*.sql`), seed, back up, and typed queries.
//! No egui types here; every function a tab needs is a typed function on [`Store`].
//!
//! Money is INTEGER fen in SQLite and [`Money`](crate::domain::Money) in Rust; dates are ISO text.

mod enterprises;
mod exports;
mod imports;
mod listings;
mod migrate;
mod payments;
mod period;
mod prices;
mod purchasers;
mod reconcile;
mod regions;
mod reporting;
mod sales;
mod seed;
mod settings;
mod shipments;
mod summary;
mod unions;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

pub use enterprises::{EnterprisePairing, MAX_ENTERPRISE_PAIRINGS, PairingDraft, PairingPurchases};
pub use exports::{ExportSnapshot, ExportedRecords};
pub use imports::{ImportAction, ImportPlan, ImportRecord, ImportedFile};
pub use listings::{ListingFilter, ListingRow};
pub use payments::{UnpaidBuckets, UnpaidRow, unpaid_totals};
pub use period::PeriodFigures;
pub use prices::{PriceCheck, PriceFlag, PriceReference};
pub use purchasers::Purchaser;
pub use reconcile::{NEAR_MATCH_MAX_DAYS, NearMatch, Unmatched, UnmatchedFilter};
pub use reporting::{
    LEAD_UNIT_KEYWORDS, LeadUnitAmount, ReportState, ReportingStatus, UnattributedReport,
    UnitReport, normalize_unit_name,
};
pub use sales::{SaleFilter, SaleRow};
pub use settings::{Settings, Targets};
pub use shipments::{
    LinkKind, SHIPMENT_CANDIDATE_DAYS, SHIPMENT_LINK_MAX_DAYS, ShipmentCoverage, ShipmentImport,
    ShipmentRecord, ShipmentRow, ShipmentState, weight_agrees,
};
pub use summary::{ChannelAmount, MonthAmount, SummaryTotals, TownshipAmount};
pub use unions::{UNION_STANDARD_YUAN_PER_MEMBER, UnionPurchases};

/// A failure of the store. Display is Chinese and user-facing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk full, …). The Display explains the common causes in Chinese
    /// ([`sqlite_message`]).
    #[error("{}", sqlite_message(.0))]
    Sqlite(rusqlite::Error),
    /// The database file could not be created or opened.
    #[error("无法打开数据库文件“{path}”：{reason}")]
    Open { path: String, reason: String },
    /// A record referred to does not exist (deleted meanwhile).
    #[error("记录不存在（编号 {0}），可能已被删除")]
    NotFound(i64),
    /// An editor's save of a record that was changed after the editor opened it (an import of a
    /// corrected form, another window): nothing was written, so the other change is kept.
    #[error(
        "这条记录（编号 {0}）在打开编辑后已被修改（如导入了更正的表格），为免覆盖那次修改，本次修改未保存；请关闭编辑，重新打开这条记录后再改"
    )]
    ChangedMeanwhile(i64),
    /// A value was refused (e.g. an unknown township code).
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Sqlite(error)
    }
}

/// A Chinese explanation of a SQLite failure for the clerk: the common causes (another program
/// writing, a read-only or foreign file, a full disk) in words, anything else with its detail.
pub fn sqlite_message(error: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "数据库正被另一个程序使用（可能是另一个窗口或命令正在写入），已等待5秒仍未释放，请稍后重试".to_string()
        }
        Some(ErrorCode::ReadOnly) => "数据库文件是只读的（或所在文件夹不可写），无法写入；请检查文件属性或换一个位置".to_string(),
        Some(ErrorCode::NotADatabase) => "该文件不是本程序的数据库，或已损坏；请用 --db 指定正确的台账文件，或从备份恢复".to_string(),
        Some(ErrorCode::CannotOpen) => "无法打开数据库文件（路径是文件夹、文件夹不存在或没有权限）".to_string(),
        Some(ErrorCode::DiskFull) => "磁盘空间已满，无法写入数据库；请清理磁盘后重试".to_string(),
        Some(ErrorCode::DatabaseCorrupt) => "数据库文件已损坏；请从备份恢复".to_string(),
        _ => format!("数据库错误：{error}"),
    }
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// The open ledger database. One per window or CLI run; not `Sync` (rusqlite's `Connection`):
/// background work opens its own `Store` on the same file (WAL mode allows it).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Background checkpoints started by [`Store::with_checkpoint_in_background`], joined when
    /// the store is dropped so that `conn` closes last and SQLite folds the write-ahead log into
    /// the ledger file (see the `Drop` impl).
    checkpoints: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Store {
    /// Waits for this store's background checkpoints before the connection closes. The last
    /// connection to close copies the write-ahead log into the ledger file and deletes it; a
    /// checkpoint connection still open at exit would leave a `-wal` file of up to the size of
    /// the last import beside a ledger file that is only valid together with it, and a clerk who
    /// copies the ledger file alone would copy a broken ledger.
    fn drop(&mut self) {
        self.checkpoints.drain(..).for_each(join_checkpoint);
    }
}

/// Waits for a background checkpoint; one that panicked is logged (the next checkpoint or the
/// close copies the log instead).
fn join_checkpoint(checkpoint: std::thread::JoinHandle<()>) {
    if checkpoint.join().is_err() {
        tracing::warn!("background checkpoint stopped unexpectedly");
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applies pending migrations and seeds a
    /// new database with the townships, targets, lead units and purchaser defaults.
    /// Errors: the folder cannot be created, the file is not a SQLite database, a migration fails.
    pub fn open(path: &Path) -> StoreResult<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                reason: format!("无法创建文件夹“{}”（{}）", parent.display(), e.kind()),
            })?;
        }
        if path.is_dir() {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                reason: "这是一个文件夹，不是数据库文件".into(),
            });
        }
        let conn = Connection::open(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            reason: sqlite_message(&e),
        })?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// Opens an existing database (for read-only work such as `report` and `export`): never
    /// creates a file or folder. Errors in Chinese when the file does not exist.
    pub fn open_existing(path: &Path) -> StoreResult<Store> {
        if path.is_dir() {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                reason: "这是一个文件夹，不是数据库文件".into(),
            });
        }
        if !path.is_file() {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                reason: "文件不存在（请检查 --db 路径；新建台账请直接运行程序或导入报表）".into(),
            });
        }
        Self::open(path)
    }

    /// Opens an existing ledger for a preview that must write nothing (`import --dry-run`). A
    /// ledger whose schema is current is opened as it is (reading writes nothing); one written by
    /// an older version is copied into memory and migrated there, so the file is left exactly
    /// as it was. Errors as [`Store::open_existing`].
    pub fn open_for_preview(path: &Path) -> StoreResult<Store> {
        let opened = |e: rusqlite::Error| StoreError::Open {
            path: path.display().to_string(),
            reason: sqlite_message(&e),
        };
        if !path.is_file() {
            return Self::open_existing(path);
        }
        let read_only = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(opened)?;
        if !migrate::pending(&read_only) {
            drop(read_only);
            return Self::open_existing(path);
        }
        let mut memory = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&read_only, &mut memory)
            .and_then(|backup| backup.run_to_completion(4096, std::time::Duration::ZERO, None))
            .map_err(opened)?;
        Self::prepare(memory, None)
    }

    /// An in-memory database, migrated and seeded (tests and previews).
    pub fn open_in_memory() -> StoreResult<Store> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(conn: Connection, path: Option<PathBuf>) -> StoreResult<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Write transactions take the write lock when they begin, so a second writer waits the
        // busy timeout instead of failing at once when a deferred read tries to upgrade.
        let mut conn = conn;
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.create_scalar_function(
            "content_hash",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8
                | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            |context| Ok(exports::content_hash(&context.get::<String>(0)?)),
        )?;
        if path.is_some() {
            // 8 KiB pages for a new ledger (an existing file keeps its page size). Measured
            // (`cargo bench`): against 4 KiB, a 100,000-row import is about 0.25 s faster and the
            // 1,000,000-record dashboard and price check faster too; 16 KiB pages were no faster
            // for the large import but made a 1,000-row import into 1,000,000 records 50%
            // slower (each random page read copies more). Must come before the first write and
            // before WAL mode.
            conn.pragma_update(None, "page_size", 8_192)?;
            // WAL lets a background export read while the window writes.
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            // A 64 MB page cache: a large import or demo transaction stays in memory instead of
            // spilling pages to the WAL one by one.
            conn.pragma_update(None, "cache_size", -65_536)?;
            // Statement journals (every insert with triggers and foreign keys has one) and temp
            // b-trees in memory, not in temp files: measured 21 file writes per inserted record
            // without it.
            conn.pragma_update(None, "temp_store", "MEMORY")?;
        }
        let mut store = Store {
            conn,
            path,
            checkpoints: Vec::new(),
        };
        let fresh = migrate::apply(&mut store.conn)?;
        if fresh {
            seed::seed_defaults(&mut store.conn)?;
        }
        Ok(store)
    }

    /// The default database file: `<data dir>/xiaofei-fupin/ledger.db` (on Windows
    /// `%APPDATA%\yunyang\xiaofei-fupin\data\ledger.db`), or `ledger.db` in the working folder when
    /// the platform gives no data directory.
    pub fn default_path() -> PathBuf {
        directories::ProjectDirs::from("cn", "yunyang", "xiaofei-fupin")
            .map(|dirs| dirs.data_dir().join("ledger.db"))
            .unwrap_or_else(|| PathBuf::from("ledger.db"))
    }

    /// The file this store was opened from (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes a consistent copy of the whole database to `destination` (SQLite `VACUUM INTO`),
    /// safe while the program runs. Errors if the destination exists or cannot be written.
    pub fn backup_to(&self, destination: &Path) -> StoreResult<()> {
        if destination.exists() {
            return Err(StoreError::Invalid(format!(
                "备份文件“{}”已存在，请换一个文件名",
                destination.display()
            )));
        }
        let target = destination.to_string_lossy().to_string();
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// The underlying connection, for the store's own modules and for `report`.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Mutable connection (transactions).
    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Runs a large write (`write` gets the connection) without SQLite's automatic checkpoint,
    /// then copies the write-ahead log into the database file on a background connection.
    ///
    /// A commit normally ends with that copy when the log passed 1,000 pages: for a 100,000-row
    /// import about 0.15 s of the 0.25 s commit is the copy and its flush. The data is in the log
    /// once committed; the copy is housekeeping, so it need not hold up the import. The
    /// background checkpoint is passive (it never blocks this connection's readers or writers);
    /// if it cannot run, the next automatic checkpoint or closing the ledger copies the log.
    /// Databases in memory have no log: `write` just runs.
    pub(crate) fn with_checkpoint_in_background<T>(
        &mut self,
        write: impl FnOnce(&mut Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let Some(path) = self.path.clone() else {
            return write(&mut self.conn);
        };
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let result = write(&mut self.conn);
        // Restored whatever happened: later small writes checkpoint as usual.
        let restored =
            self.conn
                .pragma_update(None, "wal_autocheckpoint", AUTOMATIC_CHECKPOINT_PAGES);
        let value = result?;
        restored?;
        // Checkpoints that ended are joined now: only a running one is left for `drop`.
        let (ended, running) = std::mem::take(&mut self.checkpoints)
            .into_iter()
            .partition(|checkpoint| checkpoint.is_finished());
        self.checkpoints = running;
        ended.into_iter().for_each(join_checkpoint);
        let spawned = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                let copied = Connection::open(&path).and_then(|conn| {
                    conn.busy_timeout(std::time::Duration::from_secs(5))?;
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                });
                if let Err(error) = copied {
                    tracing::warn!(%error, "background checkpoint failed; the next one copies the log");
                }
            });
        match spawned {
            Ok(checkpoint) => self.checkpoints.push(checkpoint),
            Err(error) => {
                tracing::warn!(%error, "background checkpoint not started; the next one copies the log");
            }
        }
        Ok(value)
    }
}

/// SQLite's default automatic checkpoint threshold (pages in the write-ahead log).
const AUTOMATIC_CHECKPOINT_PAGES: i64 = 1000;

/// Current local time as ISO text with milliseconds (`YYYY-MM-DD HH:MM:SS.mmm`), for
/// created_at/updated_at: text order is time order, also against older values written without
/// milliseconds, and a record created in the same second as an export is still after it.
pub(crate) fn now_text() -> String {
    chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

impl Store {
    /// When `submission_id` (the 提交编号 of a file) was exported from this database (local time,
    /// `YYYY-MM-DD HH:MM:SS`), or `None` when it is not an export of this database (then the
    /// file's hidden 记录编号 name nothing here).
    pub fn own_export_time(&self, submission_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT created_at FROM submission WHERE id = ?1 AND direction = 'export'",
                [submission_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The stored dates of the sales with these ids (missing ids are left out).
    pub fn sale_dates(
        &self,
        ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, chrono::NaiveDate>> {
        let mut dates = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let sql = format!("SELECT id, date FROM sale WHERE id IN ({placeholders})");
            let mut statement = self.conn.prepare(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(chunk.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, text) = row?;
                if let Ok(date) = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    dates.insert(id, date);
                }
            }
        }
        Ok(dates)
    }

    /// Of `ids` (records of `kind`'s table: `listing` for 附件1, else `sale`), those created after
    /// `time` (`YYYY-MM-DD HH:MM:SS.mmm`): a record id in a file exported at `time` cannot name
    /// them — SQLite gives a deleted last id to the next new record.
    pub fn ids_created_after(
        &self,
        kind: crate::domain::sale::FormKind,
        ids: &[i64],
        time: &str,
    ) -> StoreResult<std::collections::HashSet<i64>> {
        self.ids_where(kind, ids, "created_at > ?2", &[&time])
    }

    /// Of `ids` (as [`Store::ids_created_after`]), those whose content was written after `time`
    /// (the file's export) by anything but the import of `submission_id` (that file's 提交编号):
    /// a correction typed in the program or another file (migration 0007). A re-import of that
    /// file must not overwrite them.
    pub fn ids_changed_after_export(
        &self,
        kind: crate::domain::sale::FormKind,
        ids: &[i64],
        time: &str,
        submission_id: &str,
    ) -> StoreResult<std::collections::HashSet<i64>> {
        self.ids_where(
            kind,
            ids,
            // '' = unchanged since created: then created_at and submission_id tell.
            "CASE WHEN content_changed_at = ''
                  THEN created_at > ?2 AND submission_id IS NOT ?3
                  ELSE content_changed_at > ?2 AND content_changed_by IS NOT ?3 END",
            &[&time, &submission_id],
        )
    }

    /// Of `ids` (as [`Store::ids_created_after`]), those whose content the import of
    /// `submission_id` itself already rewrote after `time` (the file's export): another
    /// corrected copy of the same export was imported before.
    pub fn ids_rewritten_by_export(
        &self,
        kind: crate::domain::sale::FormKind,
        ids: &[i64],
        time: &str,
        submission_id: &str,
    ) -> StoreResult<std::collections::HashSet<i64>> {
        self.ids_where(
            kind,
            ids,
            "content_changed_at > ?2 AND content_changed_by IS ?3",
            &[&time, &submission_id],
        )
    }

    /// Of `ids` in `kind`'s table, those meeting `condition` (SQL over the table's columns;
    /// `values` are its parameters from ?2 on; ?1 is the ids as a JSON array).
    fn ids_where(
        &self,
        kind: crate::domain::sale::FormKind,
        ids: &[i64],
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> StoreResult<std::collections::HashSet<i64>> {
        let table = if kind == crate::domain::sale::FormKind::Catalogue {
            "listing"
        } else {
            "sale"
        };
        let ids_json = format!(
            "[{}]",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        );
        let sql = format!(
            "SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?1)) AND {condition}"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let mut parameters: Vec<&dyn rusqlite::ToSql> = vec![&ids_json];
        parameters.extend_from_slice(values);
        let rows = statement.query_map(parameters.as_slice(), |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Runs `read` in one read transaction, so everything it reads is one consistent state of the
    /// ledger (an export's rows and their [`ExportSnapshot`] agree even while the window writes).
    pub fn read_consistently<T>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, String>,
    ) -> Result<T, String> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| e.to_string())?;
        let result = read(self);
        // A read transaction has nothing to keep: ending it cannot lose anything.
        let _ended = self.conn.execute_batch("COMMIT");
        result
    }
}

/// The words of a search box text, split at spaces of every kind (`冉启兵 土鸡`, `冉启兵　土鸡`):
/// each must be found for a record to match.
pub(crate) fn search_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(char::is_whitespace)
        .filter(|word| !word.is_empty())
}

/// A `LIKE … ESCAPE '\'` pattern finding `word` anywhere (its `%`, `_` and `\` taken literally).
pub(crate) fn like_pattern(word: &str) -> String {
    format!(
        "%{}%",
        word.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn automatic_checkpoint_pages(store: &Store) -> i64 {
        store
            .connection()
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_large_write_leaves_the_log_copy_to_a_background_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let mut store = Store::open(&path).unwrap();
        // A failed write restores the automatic checkpoint too.
        let failed: StoreResult<()> =
            store.with_checkpoint_in_background(|_| Err(StoreError::NotFound(7)));
        assert!(matches!(failed, Err(StoreError::NotFound(7))));
        assert_eq!(
            automatic_checkpoint_pages(&store),
            AUTOMATIC_CHECKPOINT_PAGES
        );

        let file_size = || std::fs::metadata(&path).unwrap().len();
        let before = file_size();
        store
            .with_checkpoint_in_background(|conn| {
                // Inside the write the automatic checkpoint is off.
                let pages: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
                assert_eq!(pages, 0);
                let tx = conn.transaction()?;
                tx.execute_batch(
                    "CREATE TABLE scratch (text TEXT);
                     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                     INSERT INTO scratch SELECT printf('%0200d', i) FROM n;",
                )?;
                tx.commit()?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            automatic_checkpoint_pages(&store),
            AUTOMATIC_CHECKPOINT_PAGES
        );
        // The committed pages reach the database file without this connection checkpointing.
        let waited_until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while file_size() < before + 2_000_000 && std::time::Instant::now() < waited_until {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            file_size() >= before + 2_000_000,
            "the log was not copied into the database file: {} bytes",
            file_size()
        );
        let rows: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM scratch", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 20000);
    }
}
