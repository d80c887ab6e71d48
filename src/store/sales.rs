//! Sales (附件2, form 2) and procurements (附件3, form 3): one table `sale`, typed functions.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rusqlite::{
    CachedStatement, Connection, OptionalExtension, Row, Statement, ToSql, params, params_from_iter,
};
use rust_decimal::Decimal;

use super::purchasers::{channel_names, ensure_purchaser};
use super::summary::{SummaryKey, suspend_insert_summary_in};
use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::sale::{FormKind, SaleRecord};
use crate::domain::{
    Channel, DatePrecision, InvolvedCount, Money, PurchaserType, Quantity, ReportDate, SubChannel,
};

/// A stored sale or procurement as lists and exports need it.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleRow {
    pub id: i64,
    pub record: SaleRecord,
    /// The channel this record counts under (`None` while its purchaser has no type).
    pub channel: Option<Channel>,
    pub sub_channel: Option<SubChannel>,
    /// Official name of the township.
    pub township_name: String,
    /// For a 附件3 row: the 附件2 sale it is the same as (counted once, under the sale).
    pub same_sale_as: Option<i64>,
    pub paid: bool,
    pub paid_date: Option<NaiveDate>,
    /// The exchange batch it came from or was last exported in.
    pub submission_id: Option<String>,
}

/// Which records a list, a total or an export covers. Every field narrows; the default covers all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleFilter {
    /// 附件2 or 附件3; `None` = both.
    pub form: Option<FormKind>,
    pub township_code: Option<String>,
    pub year: Option<i32>,
    /// 1–4, with `year`.
    pub quarter: Option<u8>,
    /// 1–12, with `year`.
    pub month: Option<u32>,
    pub channel: Option<Channel>,
    pub sub_channel: Option<SubChannel>,
    /// Only records whose purchaser has no type (their channel is unknown).
    pub unclassified_only: bool,
    /// Only records in deep-poverty townships or villages.
    pub deep_poverty_only: bool,
    /// Leave out 附件3 rows that are the same sale as a 附件2 row (what the dashboard counts).
    pub counted_only: bool,
    /// Only records that carry warnings.
    pub with_warnings_only: bool,
    pub purchaser_id: Option<i64>,
    /// Free text: each of its words (split at spaces) must be found inside 采购单位, 地区, 姓名,
    /// 品种 or 备注; a word that reads as an amount in 元 (`521.4`) also finds that amount.
    pub text: String,
}

const SELECT_ROW: &str = "SELECT s.id, s.form, p.name, s.date, s.date_text, s.date_precision, s.region_text,
        s.township_code, s.village, s.household, s.product, s.quantity_text, s.quantity, s.quantity_unit,
        s.amount_fen, s.amount_text, s.remark, s.households_involved, s.persons_involved, s.channel,
        s.sub_channel, s.channel_overridden, s.warnings, t.name, s.same_sale_as, s.paid, s.paid_date,
        s.submission_id
    FROM sale s JOIN purchaser p ON p.id = s.purchaser_id JOIN township t ON t.code = s.township_code";

impl SaleFilter {
    /// The WHERE clause (with a leading ` WHERE ` or empty) and its parameters; `s` is `sale`.
    pub(crate) fn where_clause(&self) -> (String, Vec<Box<dyn ToSql>>) {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Box<dyn ToSql>> = Vec::new();
        let mut push = |condition: &str, value: Box<dyn ToSql>, conditions: &mut Vec<String>| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        };
        if let Some(form) = self.form {
            push("s.form = ?", Box::new(form.number()), &mut conditions);
        }
        if let Some(code) = &self.township_code {
            push(
                "s.township_code = ?",
                Box::new(code.clone()),
                &mut conditions,
            );
        }
        if let Some(year) = self.year {
            // A date range (not year/month columns) so the (form, date) indexes serve it.
            let (first_month, months) = match (self.month, self.quarter) {
                (Some(month), _) => (month.clamp(1, 12), 1),
                (None, Some(quarter)) => (u32::from(quarter.clamp(1, 4)) * 3 - 2, 3),
                (None, None) => (1, 12),
            };
            let start = format!("{year:04}-{first_month:02}-01");
            let end_month = first_month + months;
            let end = if end_month > 12 {
                format!("{:04}-01-01", year + 1)
            } else {
                format!("{year:04}-{end_month:02}-01")
            };
            push("s.date >= ?", Box::new(start), &mut conditions);
            push("s.date < ?", Box::new(end), &mut conditions);
        }
        if let Some(channel) = self.channel {
            push("s.channel = ?", Box::new(channel.name()), &mut conditions);
        }
        if let Some(sub_channel) = self.sub_channel {
            push(
                "s.sub_channel = ?",
                Box::new(sub_channel.name()),
                &mut conditions,
            );
        }
        if self.unclassified_only {
            conditions.push("s.channel = ''".into());
        }
        if self.deep_poverty_only {
            conditions.push(
                "(EXISTS (SELECT 1 FROM township dt WHERE dt.code = s.township_code AND dt.deep_poverty = 1)
                  OR EXISTS (SELECT 1 FROM village dv WHERE dv.township_code = s.township_code
                             AND dv.name = s.village AND dv.deep_poverty = 1))"
                    .into(),
            );
        }
        if self.counted_only {
            conditions.push("s.same_sale_as IS NULL".into());
        }
        if self.with_warnings_only {
            conditions.push("s.warnings <> ''".into());
        }
        if let Some(purchaser_id) = self.purchaser_id {
            push(
                "s.purchaser_id = ?",
                Box::new(purchaser_id),
                &mut conditions,
            );
        }
        // Each word must be found (`冉启兵 土鸡`); a word that is an amount also finds the
        // records of that amount (`521.4`, `521.40元`).
        for word in super::search_words(&self.text) {
            values.push(Box::new(super::like_pattern(word)));
            let n = values.len();
            let amount = crate::domain::Money::parse(word, crate::domain::AmountUnit::Yuan)
                .ok()
                .filter(|_| word.chars().next().is_some_and(|c| c.is_ascii_digit()));
            let amount_condition = match amount {
                Some(amount) => {
                    values.push(Box::new(amount.to_fen()));
                    format!(" OR s.amount_fen = ?{}", values.len())
                }
                None => String::new(),
            };
            conditions.push(format!(
                "(s.household LIKE ?{n} ESCAPE '\\' OR s.product LIKE ?{n} ESCAPE '\\' \
                 OR s.region_text LIKE ?{n} ESCAPE '\\' OR s.remark LIKE ?{n} ESCAPE '\\' \
                 OR s.purchaser_id IN (SELECT id FROM purchaser WHERE name LIKE ?{n} ESCAPE '\\'){amount_condition})"
            ));
        }
        if conditions.is_empty() {
            (String::new(), values)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), values)
        }
    }
}

fn parse_decimal(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or(Decimal::ZERO)
}

/// Record `id` as [`Store::sale`] reads it, inside the caller's transaction; `None` when there is
/// no such record.
pub(super) fn sale_in(conn: &Connection, id: i64) -> StoreResult<Option<SaleRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_ROW} WHERE s.id = ?1"))?
        .query_row([id], read_row)
        .optional()?)
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<SaleRow> {
    let form: i64 = r.get(1)?;
    let date_text: String = r.get(3)?;
    let date = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
    let precision: String = r.get(5)?;
    let households: Option<u32> = r.get(17)?;
    let persons: Option<u32> = r.get(18)?;
    let channel_name: String = r.get(19)?;
    let sub_channel_name: String = r.get(20)?;
    let channel = Channel::from_name(&channel_name);
    let sub_channel = SubChannel::from_name(&sub_channel_name);
    let overridden: bool = r.get(21)?;
    let warnings: String = r.get(22)?;
    let paid_date: Option<String> = r.get(26)?;
    let record = SaleRecord {
        kind: FormKind::from_number(form).unwrap_or(FormKind::Sale),
        purchaser: r.get(2)?,
        date: ReportDate {
            date,
            precision: if precision == "month" {
                DatePrecision::Month
            } else {
                DatePrecision::Day
            },
        },
        date_text: r.get(4)?,
        region_text: r.get(6)?,
        township_code: r.get(7)?,
        village: r.get(8)?,
        household: r.get(9)?,
        product: r.get(10)?,
        quantity_text: r.get(11)?,
        quantity: Quantity {
            value: parse_decimal(&r.get::<_, String>(12)?),
            unit: r.get(13)?,
        },
        amount: Money::from_fen(r.get(14)?),
        amount_text: r.get(15)?,
        remark: r.get(16)?,
        involved: households
            .map(InvolvedCount::Households)
            .or(persons.map(InvolvedCount::Persons)),
        channel_override: if overridden {
            channel.map(|c| (c, sub_channel))
        } else {
            None
        },
        warnings: warnings.lines().map(str::to_string).collect(),
    };
    Ok(SaleRow {
        id: r.get(0)?,
        record,
        channel,
        sub_channel,
        township_name: r.get(23)?,
        same_sale_as: r.get(24)?,
        paid: r.get(25)?,
        paid_date: paid_date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        submission_id: r.get(27)?,
    })
}

/// The content fingerprint of a record (form, then the [`sale_match_key`]): equal fingerprints =
/// the same row imported again. Stored in `sale.fingerprint` (and used as the key of operator
/// decisions) but not indexed: look a fingerprint up by `match_key = substr(fingerprint, 3)` and
/// `form`, which the `sale_by_match_key` index serves (migration 0005).
pub(crate) fn sale_fingerprint(record: &SaleRecord) -> String {
    format!("{}\u{1f}{}", record.kind.number(), sale_match_key(record))
}

/// The content of a sale regardless of which form reported it (township, village, household,
/// product, date, quantity in 斤 or value+unit, amount): a 附件2 and a 附件3 row with equal keys are
/// the same sale (import rule 14). The date is written as precisely as the clerk gave it:
/// `YYYY-MM-DD`, or `YYYY-MM` for a month-only date (`2019.10`, the ambiguous `2019.1`), so a
/// month-only row never equals a row dated the 1st of that month (it can still be confirmed as a
/// near match, see `reconcile.rs`). Migration 0006 rewrote the keys stored before this.
pub(crate) fn sale_match_key(record: &SaleRecord) -> String {
    use std::fmt::Write;
    // Written into one buffer: this runs for every imported row (twice: plan and insert).
    let mut key = String::with_capacity(128);
    for part in [
        &record.township_code,
        &record.village,
        &record.household,
        &record.product,
    ] {
        key.push_str(part);
        key.push('\u{1f}');
    }
    // Writing into a String cannot fail.
    let _ = match record.date.precision {
        DatePrecision::Month => write!(key, "{}", record.date.date.format("%Y-%m")),
        DatePrecision::Day => write!(key, "{}", record.date.date),
    };
    key.push('\u{1f}');
    let _ = match record.quantity.in_jin() {
        Some(jin) => write!(key, "{}斤", jin.normalize()),
        None => write!(key, "{}", record.quantity),
    };
    key.push('\u{1f}');
    let _ = write!(key, "{}", record.amount.to_fen());
    key
}

/// The text columns of a sale row that take formatting work (dates, decimals, the content key),
/// computed apart from the insert so that a bulk import can compute them on another thread
/// while SQLite writes the rows before ([`SaleWriter::insert_prepared`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedContent {
    /// `date`: ISO `YYYY-MM-DD`.
    date_iso: String,
    /// `quantity`: the decimal without trailing zeros.
    quantity: String,
    /// `quantity_jin`: the weight in 斤, `None` for counts.
    quantity_jin: Option<String>,
    /// `warnings`: one per line.
    warnings: String,
    /// `match_key` ([`sale_match_key`]).
    match_key: String,
    /// `fingerprint`: the form's number, U+001F, the match key.
    fingerprint: String,
}

impl PreparedContent {
    /// The prepared columns of `record`.
    pub(crate) fn of(record: &SaleRecord) -> Self {
        let match_key = sale_match_key(record);
        PreparedContent {
            date_iso: record.date.date.to_string(),
            quantity: record.quantity.value.normalize().to_string(),
            quantity_jin: record.quantity.in_jin().map(|j| j.normalize().to_string()),
            warnings: record.warnings.join("\n"),
            fingerprint: format!("{}\u{1f}{match_key}", record.kind.number()),
            match_key,
        }
    }
}

/// Writes sales inside the caller's transaction: one fixed INSERT and one fixed UPDATE statement,
/// with the purchasers and villages met so far remembered, so a 100,000-row import does not look
/// each one up again per row. Insert and update write the same content columns the same way.
/// Registers a purchaser (with a suggested type) and a village when new.
pub(crate) struct SaleWriter<'c> {
    conn: &'c Connection,
    /// Local time of this batch, `YYYY-MM-DD HH:MM:SS`, for `created_at`/`updated_at`.
    now: String,
    /// (This and the maps below use FNV hashing: they are looked up once per written row.)
    purchasers: fnv::FnvHashMap<String, (i64, Option<PurchaserType>)>,
    /// Villages registered so far, by township code.
    villages: fnv::FnvHashMap<String, fnv::FnvHashSet<String>>,
    /// In a bulk write ([`SaleWriter::bulk_in`]): amount (fen) and count of the inserted rows per
    /// summary row, added to `sale_summary` at the end instead of by the per-row trigger.
    summary_sums: Option<fnv::FnvHashMap<SummaryKey, (i64, i64)>>,
    /// The insert statement, prepared on the first insert and kept: finding a cached statement by
    /// its text hashes the whole long SQL, once per row otherwise.
    insert_statement: Option<CachedStatement<'c>>,
}

/// The content columns of a record (everything a clerk's edit or a re-import can change), in the
/// order of `CONTENT_COLUMNS`.
const CONTENT_COLUMNS: [&str; 27] = [
    "form",
    "purchaser_id",
    "date",
    "date_text",
    "date_precision",
    "year",
    "month",
    "region_text",
    "township_code",
    "village",
    "household",
    "product",
    "quantity_text",
    "quantity",
    "quantity_unit",
    "quantity_jin",
    "amount_fen",
    "amount_text",
    "remark",
    "households_involved",
    "persons_involved",
    "channel",
    "sub_channel",
    "channel_overridden",
    "warnings",
    "fingerprint",
    "match_key",
];

/// Parameters: the content columns, `updated_at`, `submission_id`, `created_at`. The content
/// change columns keep their defaults ('' and NULL: unchanged since created, so `created_at` and
/// `submission_id` tell when and by what; migration 0007), which keeps the row short.
fn insert_sql() -> String {
    let placeholders: Vec<String> = (1..=CONTENT_COLUMNS.len() + 3)
        .map(|n| format!("?{n}"))
        .collect();
    format!(
        "INSERT INTO sale ({}, updated_at, submission_id, created_at) VALUES ({})",
        CONTENT_COLUMNS.join(", "),
        placeholders.join(", ")
    )
}

/// Parameters: the content columns, `updated_at` (also the content's time), the 提交编号 of the
/// import writing it (NULL: in the program), the id.
fn update_sql() -> String {
    let assignments: Vec<String> = CONTENT_COLUMNS
        .iter()
        .chain(["updated_at"].iter())
        .enumerate()
        .map(|(index, name)| format!("{name} = ?{}", index + 1))
        .collect();
    let updated_at = CONTENT_COLUMNS.len() + 1;
    format!(
        "UPDATE sale SET {}, content_changed_at = ?{updated_at}, content_changed_by = ?{} WHERE id = ?{}",
        assignments.join(", "),
        updated_at + 1,
        updated_at + 2
    )
}

/// Fewest rows for which a bulk write sets the `sale` indexes aside ([`SaleWriter::bulk_in`]):
/// below this, dropping and building them again costs more than it saves.
pub(crate) const BULK_LOAD_MIN_ROWS: usize = 5_000;

/// The secondary indexes of a table, dropped inside the caller's transaction and to be created
/// again from their own SQL (as `sqlite_schema` holds it, so an index a later migration adds is
/// included) by [`SetAsideIndexes::create_again_in`]. On an error in between nothing is restored
/// here: the caller's transaction must roll back, which restores the indexes with everything else.
#[must_use = "the indexes must be created again before the transaction commits"]
pub(crate) struct SetAsideIndexes {
    /// `CREATE INDEX` statements, in the order `sqlite_schema` lists them.
    create_sql: Vec<String>,
}

impl SetAsideIndexes {
    /// Drops every index of `table` declared with `CREATE INDEX` (not the primary key, not the
    /// automatic indexes of UNIQUE constraints, whose `sql` is NULL).
    pub(crate) fn drop_in(conn: &Connection, table: &str) -> StoreResult<SetAsideIndexes> {
        let indexes: Vec<(String, String)> = conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY rowid",
            )?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(SetAsideIndexes {
            create_sql: indexes.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Creates the dropped indexes again (SQLite sorts the rows once per index).
    pub(crate) fn create_again_in(self, conn: &Connection) -> StoreResult<()> {
        for sql in &self.create_sql {
            conn.execute_batch(sql)?;
        }
        Ok(())
    }
}

impl<'c> SaleWriter<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        SaleWriter {
            conn,
            now: now_text(),
            purchasers: fnv::FnvHashMap::default(),
            villages: fnv::FnvHashMap::default(),
            summary_sums: None,
            insert_statement: None,
        }
    }

    /// Runs `write` with a writer for many rows inside the caller's transaction: the per-row
    /// summary trigger is set aside and the inserted rows are added to `sale_summary` in one go
    /// when `write` returns Ok (see [`SuspendedSummary`]). On an error nothing is restored here:
    /// the caller's transaction must roll back, which restores the trigger with everything else.
    /// Rows inserted by this writer must not be updated or deleted inside `write` (the update and
    /// delete triggers would adjust summary rows not yet added).
    ///
    /// `rows_to_insert`: how many rows `write` will insert. When that is at least
    /// [`BULK_LOAD_MIN_ROWS`] and no fewer than the rows already stored, the secondary indexes of
    /// `sale` are set aside too and built again at the end ([`SetAsideIndexes`]): building an index
    /// from sorted rows is cheaper than inserting as many keys one by one (a new ledger's first
    /// 100,000-row import). `write` must then not rely on those indexes being complete: it may look
    /// sales up by id only.
    pub(crate) fn bulk_in<T>(
        conn: &'c Connection,
        rows_to_insert: usize,
        write: impl FnOnce(&mut SaleWriter<'c>) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let indexes = if rows_to_insert >= BULK_LOAD_MIN_ROWS {
            let highest_id: i64 =
                conn.query_row("SELECT COALESCE(MAX(id), 0) FROM sale", [], |r| r.get(0))?;
            // The highest id bounds the rows stored (found in the primary key, not by counting).
            if i64::try_from(rows_to_insert).unwrap_or(i64::MAX) >= highest_id {
                Some(SetAsideIndexes::drop_in(conn, "sale")?)
            } else {
                None
            }
        } else {
            None
        };
        let suspended = suspend_insert_summary_in(conn)?;
        let mut writer = SaleWriter::new(conn);
        writer.summary_sums = Some(fnv::FnvHashMap::default());
        let started = std::time::Instant::now();
        let result = write(&mut writer)?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "bulk write: rows written"
        );
        let sums = writer.summary_sums.take().unwrap_or_default();
        suspended.resume_in(
            conn,
            sums.into_iter()
                .map(|(key, (amount, count))| (key, amount, count)),
        )?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "bulk write: summary added"
        );
        if let Some(indexes) = indexes {
            indexes.create_again_in(conn)?;
            tracing::debug!(
                seconds = started.elapsed().as_secs_f64(),
                "bulk write: indexes built"
            );
        }
        Ok(result)
    }

    fn purchaser(&mut self, name: &str) -> StoreResult<(i64, Option<PurchaserType>)> {
        if let Some(found) = self.purchasers.get(name) {
            return Ok(*found);
        }
        let found = ensure_purchaser(self.conn, name)?;
        self.purchasers.insert(name.to_string(), found);
        Ok(found)
    }

    fn remember_village(&mut self, township_code: &str, village: &str) -> StoreResult<()> {
        if village.is_empty() {
            return Ok(());
        }
        if self
            .villages
            .get(township_code)
            .is_some_and(|known| known.contains(village))
        {
            return Ok(());
        }
        Store::remember_village(self.conn, township_code, village)?;
        self.villages
            .entry(township_code.to_string())
            .or_default()
            .insert(village.to_string());
        Ok(())
    }

    /// Runs `statement` (prepared from [`insert_sql`] or [`update_sql`]) with the content columns
    /// of `record` as ?1..?27, `updated_at` as ?28 and `extra` after it. Errors: negative amount.
    fn execute_with_content(
        &mut self,
        statement: &mut Statement<'_>,
        record: &SaleRecord,
        prepared: Option<PreparedContent>,
        extra: &[&dyn ToSql],
    ) -> StoreResult<(usize, &'static str, &'static str)> {
        validate_for_storage(record)?;
        let (purchaser_id, purchaser_type) = self.purchaser(&record.purchaser)?;
        let (channel, sub_channel, overridden) = resolve_channel(record, purchaser_type);
        self.remember_village(&record.township_code, &record.village)?;
        let (households, persons) = involved_columns(record.involved);
        let date = record.date.date;
        let PreparedContent {
            date_iso,
            quantity,
            quantity_jin,
            warnings,
            match_key,
            fingerprint,
        } = prepared.unwrap_or_else(|| PreparedContent::of(record));
        let content: [&dyn ToSql; 28] = [
            &record.kind.number(),
            &purchaser_id,
            &date_iso,
            &record.date_text,
            &precision_name(record.date.precision),
            &date.year(),
            &date.month(),
            &record.region_text,
            &record.township_code,
            &record.village,
            &record.household,
            &record.product,
            &record.quantity_text,
            &quantity,
            &record.quantity.unit,
            &quantity_jin,
            &record.amount.to_fen(),
            &record.amount_text,
            &record.remark,
            &households,
            &persons,
            &channel,
            &sub_channel,
            &overridden,
            &warnings,
            &fingerprint,
            &match_key,
            &self.now,
        ];
        for (index, value) in content.iter().chain(extra.iter()).enumerate() {
            statement.raw_bind_parameter(index + 1, value)?;
        }
        Ok((statement.raw_execute()?, channel, sub_channel))
    }

    /// Inserts a record. Returns the new id. Errors: negative amount, database errors.
    pub(crate) fn insert(
        &mut self,
        record: &SaleRecord,
        submission_id: Option<&str>,
    ) -> StoreResult<i64> {
        self.insert_prepared(record, None, submission_id)
    }

    /// [`SaleWriter::insert`] with the record's text columns computed already
    /// ([`PreparedContent::of`] on another thread), or computed here when `None`.
    pub(crate) fn insert_prepared(
        &mut self,
        record: &SaleRecord,
        prepared: Option<PreparedContent>,
        submission_id: Option<&str>,
    ) -> StoreResult<i64> {
        let now = self.now.clone();
        let mut statement = match self.insert_statement.take() {
            Some(statement) => statement,
            None => self.conn.prepare_cached(insert_sql_cached())?,
        };
        let executed =
            self.execute_with_content(&mut statement, record, prepared, &[&submission_id, &now]);
        self.insert_statement = Some(statement);
        let (_, channel, sub_channel) = executed?;
        if let Some(sums) = &mut self.summary_sums {
            // Inserted rows are never paired yet (`same_sale_as` is NULL): all are counted.
            let key = (
                record.kind.number(),
                record.date.date.year(),
                record.date.date.month(),
                record.township_code.clone(),
                record.village.clone(),
                channel,
                sub_channel,
            );
            let entry = sums.entry(key).or_insert((0, 0));
            entry.0 += record.amount.to_fen();
            entry.1 += 1;
        }
        Ok(self.conn.last_insert_rowid())
    }

    /// Replaces the content of record `id`. Errors: not found, negative amount.
    ///
    /// An automatic same-sale pair this record is part of is undone when the two rows no longer
    /// have the same content (rule 14 pairs only exact matches); the freed 附件3 row is paired
    /// again with another equal sale if there is one. Pairs the operator decided stay.
    /// `changed_by`: the 提交编号 of the file being imported, or None for a change made in the
    /// program (recorded in `content_changed_by`, migration 0007).
    pub(crate) fn update(
        &mut self,
        id: i64,
        record: &SaleRecord,
        changed_by: Option<&str>,
    ) -> StoreResult<()> {
        let former_key: Option<String> = self
            .conn
            .prepare_cached("SELECT match_key FROM sale WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let mut statement = self.conn.prepare_cached(update_sql_cached())?;
        let (changed, _, _) =
            self.execute_with_content(&mut statement, record, None, &[&changed_by, &id])?;
        drop(statement);
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        remember_former_key_in(self.conn, id, record, former_key)?;
        let freed: Vec<(i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT p.id, p.match_key FROM sale p
                 WHERE p.pairing_decided = 0 AND p.same_sale_as IS NOT NULL
                   AND ((p.id = ?1 AND p.form = 3) OR p.same_sale_as = ?1)
                   AND p.match_key <> (SELECT s.match_key FROM sale s WHERE s.id = p.same_sale_as)",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (procurement_id, _) in &freed {
            self.conn
                .prepare_cached(
                    "UPDATE sale SET same_sale_as = NULL, updated_at = ?2 WHERE id = ?1",
                )?
                .execute(params![procurement_id, self.now])?;
        }
        pair_candidates_in(self.conn, freed)?;
        Ok(())
    }
}

/// After record `id` was rewritten as `record`: its content key before (`former_key`) is kept in
/// `sale_former_key` when it changed, so the township's original row is recognised as this
/// record if its file comes again (migration 0007); a key the record has again is dropped.
fn remember_former_key_in(
    conn: &Connection,
    id: i64,
    record: &SaleRecord,
    former_key: Option<String>,
) -> StoreResult<()> {
    let key = sale_match_key(record);
    let form = record.kind.number();
    conn.prepare_cached(
        "DELETE FROM sale_former_key WHERE sale_id = ?1 AND form = ?2 AND match_key = ?3",
    )?
    .execute(params![id, form, key])?;
    if let Some(former) = former_key.filter(|former| *former != key) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO sale_former_key (sale_id, form, match_key) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, form, former])?;
    }
    Ok(())
}

fn insert_sql_cached() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(insert_sql)
}

fn update_sql_cached() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(update_sql)
}

/// Inserts a record inside the caller's transaction. Returns the new id.
pub(crate) fn insert_sale_in(
    conn: &Connection,
    record: &SaleRecord,
    submission_id: Option<&str>,
) -> StoreResult<i64> {
    SaleWriter::new(conn).insert(record, submission_id)
}

/// Replaces the content of record `id` inside the caller's transaction. Errors: not found,
/// negative amount.
pub(crate) fn update_sale_in(conn: &Connection, id: i64, record: &SaleRecord) -> StoreResult<()> {
    SaleWriter::new(conn).update(id, record, None)
}

fn validate_for_storage(record: &SaleRecord) -> StoreResult<()> {
    if record.amount.is_negative() {
        return Err(StoreError::Invalid(format!(
            "金额不能为负数：{}元",
            record.amount
        )));
    }
    Ok(())
}

fn precision_name(precision: DatePrecision) -> &'static str {
    match precision {
        DatePrecision::Day => "day",
        DatePrecision::Month => "month",
    }
}

fn involved_columns(involved: Option<InvolvedCount>) -> (Option<u32>, Option<u32>) {
    match involved {
        Some(InvolvedCount::Households(n)) => (Some(n), None),
        Some(InvolvedCount::Persons(n)) => (None, Some(n)),
        None => (None, None),
    }
}

fn resolve_channel(
    record: &SaleRecord,
    purchaser_type: Option<PurchaserType>,
) -> (&'static str, &'static str, bool) {
    match record.channel_override {
        Some((channel, sub)) => (channel.name(), sub.map(|s| s.name()).unwrap_or(""), true),
        None => {
            let (channel, sub) = channel_names(purchaser_type);
            (channel, sub, false)
        }
    }
}

impl Store {
    /// Saves a new sale/procurement typed in an editor. Returns its id. The purchaser is registered
    /// with a suggested type if new. Errors: negative amount, unknown township.
    pub fn insert_sale(&mut self, record: &SaleRecord) -> StoreResult<i64> {
        let tx = self.connection_mut().transaction()?;
        let id = insert_sale_in(&tx, record, None)?;
        pair_exact_same_sales_touching_in(&tx, &[(id, record)])?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves many records in one transaction (all or none). Returns their ids in order.
    pub fn insert_sales_batch(
        &mut self,
        records: &[SaleRecord],
        submission_id: Option<&str>,
    ) -> StoreResult<Vec<i64>> {
        let tx = self.connection_mut().transaction()?;
        let mut ids = Vec::with_capacity(records.len());
        SaleWriter::bulk_in(&tx, records.len(), |writer| {
            for record in records {
                ids.push(writer.insert(record, submission_id)?);
            }
            Ok(())
        })?;
        tx.commit()?;
        Ok(ids)
    }

    /// Replaces the content of record `id`. Errors: not found, negative amount.
    pub fn update_sale(&mut self, id: i64, record: &SaleRecord) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        update_sale_in(&tx, id, record)?;
        pair_exact_same_sales_touching_in(&tx, &[(id, record)])?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces sale `id` like [`Store::update_sale`], but only while it still holds `opened`,
    /// the record an editor started from: an import or another window may have changed it since,
    /// and saving the editor's copy would silently undo that. Errors:
    /// [`StoreError::ChangedMeanwhile`] (nothing written), [`StoreError::NotFound`].
    pub fn update_sale_opened_as(
        &mut self,
        id: i64,
        record: &SaleRecord,
        opened: &SaleRecord,
    ) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let current = tx
            .prepare_cached(&format!("{SELECT_ROW} WHERE s.id = ?1"))?
            .query_row([id], read_row)
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        if current.record != *opened {
            return Err(StoreError::ChangedMeanwhile(id));
        }
        update_sale_in(&tx, id, record)?;
        pair_exact_same_sales_touching_in(&tx, &[(id, record)])?;
        tx.commit()?;
        Ok(())
    }

    /// The record counted as the same sale as record `id` (import rule 14): for a 附件3 row the
    /// 附件2 sale it is paired with, for a 附件2 sale a 附件3 row paired with it; `None` when the
    /// record is not paired.
    pub fn same_sale_partner(&self, id: i64) -> StoreResult<Option<i64>> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT same_sale_as FROM sale WHERE id = ?1 AND same_sale_as IS NOT NULL
                 UNION ALL SELECT id FROM sale WHERE same_sale_as = ?1 LIMIT 1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// Deletes record `id`. A 附件3 row that was linked to it as the same sale becomes counted
    /// again, unless another equal 附件2 sale is free to pair with it automatically.
    pub fn delete_sale(&mut self, id: i64) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let partners: Vec<(i64, String)> = tx
            .prepare_cached(
                "SELECT id, match_key FROM sale WHERE same_sale_as = ?1 AND pairing_decided = 0",
            )?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let changed = tx.execute("DELETE FROM sale WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        pair_candidates_in(&tx, partners)?;
        tx.commit()?;
        Ok(())
    }

    /// One record.
    pub fn sale(&self, id: i64) -> StoreResult<SaleRow> {
        sale_in(self.connection(), id)?.ok_or(StoreError::NotFound(id))
    }

    /// The ids of the records the filter covers, ordered by date then id (the lists' order).
    /// 8 bytes per record: a list keeps these and fetches only the visible rows by id.
    pub fn sale_ids(&self, filter: &SaleFilter) -> StoreResult<Vec<i64>> {
        let (where_sql, values) = filter.where_clause();
        let sql = format!("SELECT s.id FROM sale s{where_sql} ORDER BY s.date, s.id");
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The records with these ids, in the given order (missing ids are skipped).
    pub fn sales_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<SaleRow>> {
        let mut found: std::collections::HashMap<i64, SaleRow> =
            std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let sql = format!("{SELECT_ROW} WHERE s.id IN ({placeholders})");
            let mut statement = self.connection().prepare(&sql)?;
            let rows = statement.query_map(params_from_iter(chunk.iter()), read_row)?;
            for row in rows {
                let row = row?;
                found.insert(row.id, row);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// All records the filter covers, in list order (exports, reports; not for per-frame use).
    pub fn sales(&self, filter: &SaleFilter) -> StoreResult<Vec<SaleRow>> {
        let (where_sql, values) = filter.where_clause();
        let sql = format!("{SELECT_ROW}{where_sql} ORDER BY s.date, s.id");
        let mut statement = self.connection().prepare(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Count and amount of the records the filter covers.
    pub fn sale_totals(&self, filter: &SaleFilter) -> StoreResult<(i64, Money)> {
        let (where_sql, values) = filter.where_clause();
        let sql = format!("SELECT COUNT(*), COALESCE(SUM(s.amount_fen), 0) FROM sale s{where_sql}");
        let (count, fen): (i64, i64) = self
            .connection()
            .prepare_cached(&sql)?
            .query_row(params_from_iter(values.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok((count, Money::from_fen(fen)))
    }

    /// Marks 附件3 record `procurement_id` as the same sale as 附件2 record `sale_id` (counted once,
    /// under the sale), or clears the link with `None`. Errors: either record missing, or the
    /// forms are not 附件3 → 附件2.
    pub fn set_same_sale(&mut self, procurement_id: i64, sale_id: Option<i64>) -> StoreResult<()> {
        let procurement = self.sale(procurement_id)?;
        if procurement.record.kind != FormKind::Procurement {
            return Err(StoreError::Invalid(
                "只有附件3的采购记录可以标记为与附件2的销售为同一笔".into(),
            ));
        }
        if let Some(sale_id) = sale_id {
            let sale = self.sale(sale_id)?;
            if sale.record.kind != FormKind::Sale {
                return Err(StoreError::Invalid("同一笔销售须对应附件2的记录".into()));
            }
        }
        self.connection().execute(
            "UPDATE sale SET same_sale_as = ?2, pairing_decided = 1, updated_at = ?3 WHERE id = ?1",
            params![procurement_id, sale_id, now_text()],
        )?;
        Ok(())
    }

    /// Pairs every unpaired 附件3 procurement with a 附件2 sale of exactly the same content
    /// (township, village, household, product, date, quantity in 斤, amount; import rule 14), each
    /// sale with at most one procurement. Returns the number of new pairs. Pairs the operator set
    /// or cleared by hand are not touched.
    pub fn pair_exact_same_sales(&mut self) -> StoreResult<usize> {
        let tx = self.connection_mut().transaction()?;
        let count = pair_exact_same_sales_in(&tx)?;
        tx.commit()?;
        Ok(count)
    }

    /// Records payment (R12): paid or not, and the payment date.
    pub fn set_paid(
        &mut self,
        id: i64,
        paid: bool,
        paid_date: Option<NaiveDate>,
    ) -> StoreResult<()> {
        let changed = self.connection().execute(
            "UPDATE sale SET paid = ?2, paid_date = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, paid, paid_date.map(|d| d.to_string()), now_text()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// The years that have records, newest first (for year pickers).
    pub fn sale_years(&self) -> StoreResult<Vec<i32>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT DISTINCT year FROM sale_summary ORDER BY year DESC")?;
        let rows = statement.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// [`Store::pair_exact_same_sales`] inside the caller's transaction.
pub(crate) fn pair_exact_same_sales_in(conn: &Connection) -> StoreResult<usize> {
    let candidates: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT p.id, p.match_key FROM sale p
             WHERE p.form = 3 AND p.same_sale_as IS NULL AND p.pairing_decided = 0
               AND EXISTS (SELECT 1 FROM sale s WHERE s.match_key = p.match_key AND s.form = 2)
             ORDER BY p.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    pair_candidates_in(conn, candidates)
}

/// [`pair_exact_same_sales_in`] limited to pairs with one side among `touched` (the records an
/// import just added or changed): a pair of two untouched records was already made or refused
/// before. Costs one index lookup per touched record instead of one per unpaired 附件3 row of
/// the whole ledger.
pub(crate) fn pair_exact_same_sales_touching_in(
    conn: &Connection,
    touched: &[(i64, &SaleRecord)],
) -> StoreResult<usize> {
    // Without any free 附件3 row in the ledger (checked after this import's rows are in), no
    // touched 附件2 sale can pair: skip the per-sale lookups.
    let any_free_procurement: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sale WHERE form = 3 AND same_sale_as IS NULL AND pairing_decided = 0)",
        [],
        |r| r.get(0),
    )?;
    if !any_free_procurement {
        return Ok(0);
    }
    let mut candidates: Vec<(i64, String)> = Vec::new();
    for &(id, record) in touched {
        let key = sale_match_key(record);
        // Free 附件3 rows with this key: the touched row itself (附件3), or the ones a touched
        // 附件2 sale may pair with.
        let free: Vec<i64> = conn
            .prepare_cached(
                "SELECT id FROM sale WHERE match_key = ?1 AND form = 3
                   AND same_sale_as IS NULL AND pairing_decided = 0
                   AND (?2 = 2 OR id = ?3)",
            )?
            .query_map(params![key, record.kind.number(), id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        candidates.extend(free.into_iter().map(|p| (p, key.clone())));
    }
    candidates.sort_unstable();
    candidates.dedup();
    pair_candidates_in(conn, candidates)
}

/// Pairs each (附件3 id, key) in id order with the first 附件2 sale of that key not yet paired.
fn pair_candidates_in(conn: &Connection, candidates: Vec<(i64, String)>) -> StoreResult<usize> {
    let now = now_text();
    let mut paired = 0;
    for (procurement_id, key) in candidates {
        let sale_id: Option<i64> = conn
            .prepare_cached(
                "SELECT s.id FROM sale s WHERE s.match_key = ?1 AND s.form = 2
                   AND NOT EXISTS (SELECT 1 FROM sale p WHERE p.same_sale_as = s.id)
                 ORDER BY s.id LIMIT 1",
            )?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        if let Some(sale_id) = sale_id {
            conn.prepare_cached(
                "UPDATE sale SET same_sale_as = ?2, updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![procurement_id, sale_id, now])?;
            paired += 1;
        }
    }
    Ok(paired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, Quantity, ReportDate};

    fn record(date: ReportDate, quantity: Quantity, fen: i64) -> SaleRecord {
        SaleRecord {
            kind: FormKind::Sale,
            purchaser: "县商务委".into(),
            date,
            date_text: String::new(),
            region_text: String::new(),
            township_code: "500235139".into(),
            village: "柏杨村".into(),
            household: "王成芳".into(),
            product: "仔猪".into(),
            quantity,
            quantity_text: String::new(),
            amount: Money::from_fen(fen),
            amount_text: String::new(),
            remark: String::new(),
            involved: None,
            channel_override: None,
            warnings: Vec::new(),
        }
    }

    /// Stored ledgers hold these keys (and fingerprints built on them): the text must never
    /// change, or re-imports stop finding their records.
    #[test]
    fn the_match_key_keeps_its_stored_form() {
        let day = |y, m, d| ReportDate {
            date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            precision: DatePrecision::Day,
        };
        let quantity = |value: &str, unit: &str| Quantity {
            value: Decimal::from_str(value).unwrap(),
            unit: Some(unit.into()),
        };
        let key = |r: &SaleRecord| sale_match_key(r).replace('\u{1f}', "|");
        assert_eq!(
            key(&record(day(2019, 1, 1), quantity("3", "头"), 216_270)),
            "500235139|柏杨村|王成芳|仔猪|2019-01-01|3头|216270"
        );
        let mut month = day(2019, 10, 1);
        month.precision = DatePrecision::Month;
        assert_eq!(
            key(&record(month, quantity("126.50", "斤"), 35_280)),
            "500235139|柏杨村|王成芳|仔猪|2019-10|126.5斤|35280"
        );
        let mut kilograms = record(day(2019, 9, 9), quantity("1.5", "公斤"), 0);
        kilograms.village = String::new();
        assert_eq!(key(&kilograms), "500235139||王成芳|仔猪|2019-09-09|3斤|0");
        assert_eq!(
            sale_fingerprint(&kilograms),
            format!("2\u{1f}{}", sale_match_key(&kilograms))
        );
    }
}
