//! Courier/postal logistics (物流记录), the third source the plan's 三(三) asks the commerce committee
//! to merge (R5), so that a sale is traceable to its delivery (R8, 可溯源、知去向). One row of table
//! `shipment` per waybill; a shipment may be linked to the 附件2 sale or 附件3 procurement it
//! corroborates. Logistics never adds to any total: the `sale` table and `sale_summary` are never
//! written here.
//!
//! # Automatic linking rule ([`Store::auto_link_shipments`])
//!
//! A shipment that the operator has not decided by hand and that is not linked yet is linked to a
//! sale/procurement R when all of these hold:
//! - the shipment's 寄件地址 names a township, and it is R's township; the villages are equal, or
//!   one side has none;
//! - 寄件人 equals R's 贫困户姓名 after the importer's normalisation (whitespace of every kind
//!   removed, [`clean_name`](crate::domain::text::clean_name)), and is not empty;
//! - 物品 equals R's 产品品种 after removing whitespace and full-width forms;
//! - the dates are at most [`SHIPMENT_LINK_MAX_DAYS`] days apart in either direction (R given to
//!   the day), or, when R's date is given only to the month, the shipment is in that month;
//! - when both the shipment's weight and R's quantity are weights, they agree after conversion to
//!   斤 (1 公斤 = 2 斤) within [`weight_agrees`]'s tolerance (10 %, at least 2 斤 = the courier's
//!   rounding up to the next 公斤); a count quantity (`400个`) or a missing weight is not compared.
//!
//! Of the candidates, a 附件3 row that is the same sale as a candidate 附件2 row gives way to that
//! 附件2 row (the counted side). The shipment is linked when one candidate remains, or when one
//! candidate is strictly nearest in date; otherwise it is left for the operator
//! ([`Store::shipment_link_candidates`], [`Store::link_shipment`]).
//!
//! A link made by hand (`link_kind = 'manual'`) is never changed automatically; unlinking by hand
//! is also a decision (`manual` with no sale). A hand link keeps the sale's content fingerprint, so
//! it is re-attached when the sale is deleted and imported again.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use rust_decimal::Decimal;

use super::sales::SaleRow;
use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::Money;
use crate::domain::text::{squeeze, to_half_width};

/// The "few days" of the linking rule: a shipment at most this many days before or after the sale.
pub const SHIPMENT_LINK_MAX_DAYS: i64 = 3;

/// How many days around a shipment [`Store::shipment_link_candidates`] looks for sales.
pub const SHIPMENT_CANDIDATE_DAYS: i64 = 31;

/// One waybill of a courier/postal file, validated (built by
/// [`crate::forms::logistics`]). Keeps the text as typed beside each parsed value. R5, 三(三).
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentRecord {
    /// 快递公司/承运商 from a column of the file; `""` when the file has none. Waybill numbers are
    /// unique per carrier.
    pub carrier: String,
    /// 运单号/快递单号/邮件号, whitespace removed.
    pub waybill: String,
    /// 寄件日期/揽收时间.
    pub date: NaiveDate,
    /// The date as typed.
    pub date_text: String,
    /// 寄件人 as typed.
    pub sender: String,
    /// 寄件人 normalised like a sale's 贫困户姓名 (whitespace removed).
    pub household: String,
    /// 寄件地址/发件地区 as typed (乡镇 and 村 columns joined when the file splits them).
    pub region_text: String,
    /// The township the address names, `None` when it names none of the county's.
    pub township_code: Option<String>,
    /// 村(社区), may be empty.
    pub village: String,
    /// 收件单位/收件人.
    pub receiver: String,
    /// 物品/品名/内件.
    pub product: String,
    /// 重量 as typed (with the header's unit appended when the cell is a bare number, e.g. `7.5公斤`).
    pub weight_text: String,
    /// The weight in 斤 (1 公斤 = 2 斤); `None` when blank or not a weight.
    pub weight_jin: Option<Decimal>,
    /// 运费/资费 in yuan, exact to the fen; `None` when blank.
    pub fee: Option<Money>,
    /// The fee as typed.
    pub fee_text: String,
    /// The file name the row came from.
    pub source_file: String,
    /// Sheet name and row number (as Excel shows it) in that file.
    pub source_sheet: String,
    pub source_row: u32,
}

/// How a shipment came to be linked (or unlinked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// By the matching rule (module docs).
    Auto,
    /// By the operator: a link, or (with no sale) a decision that the shipment has none.
    Manual,
}

impl LinkKind {
    fn as_sql(self) -> &'static str {
        match self {
            LinkKind::Auto => "auto",
            LinkKind::Manual => "manual",
        }
    }

    fn from_sql(text: Option<&str>) -> Option<LinkKind> {
        match text? {
            "auto" => Some(LinkKind::Auto),
            "manual" => Some(LinkKind::Manual),
            _ => None,
        }
    }

    /// `自动` / `手工`.
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::Auto => "自动",
            LinkKind::Manual => "手工",
        }
    }
}

/// A stored shipment with its link, as the 物流记录 list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipmentRow {
    pub id: i64,
    pub record: ShipmentRecord,
    /// Official name of the sender's township, `""` when unknown.
    pub township_name: String,
    /// The linked 附件2/附件3 row, `None` when unlinked.
    pub sale: Option<SaleRow>,
    /// How the link was made; `Some(Manual)` with no sale = unlinked by hand.
    pub link_kind: Option<LinkKind>,
}

/// Which shipments [`Store::shipments`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShipmentState {
    /// All of them.
    #[default]
    All,
    /// Linked to a sale.
    Linked,
    /// Not linked.
    Unlinked,
}

/// The outcome of [`Store::insert_shipments`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShipmentImport {
    /// New waybills stored.
    pub added: usize,
    /// Waybills already stored (same carrier and number): not added again.
    pub duplicates: usize,
    /// Shipments linked automatically afterwards (new or older ones).
    pub linked: usize,
}

/// How many of a year's counted sales a shipment corroborates (R5; `report --json`
/// `shipments_linked_share`). Counted = what the dashboard counts (a 附件3 row that is the same
/// sale as a 附件2 row is left out; a shipment linked to such a 附件3 row covers the 附件2 sale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShipmentCoverage {
    /// Counted sales and procurements of the year.
    pub counted_sales: i64,
    /// Their amount, yuan.
    pub counted_amount: Money,
    /// Of them, those with at least one linked shipment.
    pub linked_sales: i64,
    /// Their amount, yuan.
    pub linked_amount: Money,
    /// Shipments dated in the year.
    pub shipments: i64,
    /// Of them, those linked to a sale.
    pub linked_shipments: i64,
}

impl ShipmentCoverage {
    /// Share of counted sales with a shipment, by count, in **percent** (0–100, not a fraction;
    /// `0.5` means 0.5%) with one decimal (0.0 when there are no sales). `report --json`
    /// `shipments_linked_share`. R5, 三(三).
    pub fn count_share(&self) -> Decimal {
        percent(
            Decimal::from(self.linked_sales),
            Decimal::from(self.counted_sales),
        )
    }

    /// Share by amount (yuan), in **percent** (0–100, not a fraction) with one decimal.
    /// `report --json` `shipments_linked_amount_share`. R5, 三(三).
    pub fn amount_share(&self) -> Decimal {
        percent(self.linked_amount.yuan(), self.counted_amount.yuan())
    }
}

fn percent(part: Decimal, whole: Decimal) -> Decimal {
    let mut share = if whole.is_zero() {
        Decimal::ZERO
    } else {
        (part * Decimal::ONE_HUNDRED / whole)
            .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    };
    // Always one decimal: `50.0`, not `50`.
    share.rescale(1);
    share
}

/// Product names compared for linking: whitespace and full-width forms removed.
fn product_key(product: &str) -> String {
    squeeze(&to_half_width(product))
}

/// True when a shipment's weight (斤) agrees with a sale's quantity (斤): within 10 % of the
/// quantity, and at least within 2 斤 (1 公斤, a courier rounds up to the next 公斤; the parcel's
/// packaging).
pub fn weight_agrees(shipment_jin: Decimal, sale_jin: Decimal) -> bool {
    let tolerance = (sale_jin.abs() / Decimal::TEN).max(Decimal::TWO);
    (shipment_jin - sale_jin).abs() <= tolerance
}

const SELECT_SHIPMENT: &str =
    "SELECT sh.id, sh.carrier, sh.waybill, sh.date, sh.date_text, sh.sender,
        sh.household, sh.region_text, sh.township_code, sh.village, sh.receiver, sh.product,
        sh.weight_text, sh.weight_jin, sh.fee_fen, sh.fee_text, sh.source_file, sh.source_sheet,
        sh.source_row, sh.sale_id, sh.link_kind, COALESCE(t.name, '')
    FROM shipment sh LEFT JOIN township t ON t.code = sh.township_code";

/// A shipment row and its sale id.
fn read_shipment(r: &Row<'_>) -> rusqlite::Result<(ShipmentRow, Option<i64>)> {
    let date: String = r.get(3)?;
    let weight: Option<String> = r.get(13)?;
    let fee: Option<i64> = r.get(14)?;
    let link: Option<String> = r.get(20)?;
    let record = ShipmentRecord {
        carrier: r.get(1)?,
        waybill: r.get(2)?,
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or(NaiveDate::MIN),
        date_text: r.get(4)?,
        sender: r.get(5)?,
        household: r.get(6)?,
        region_text: r.get(7)?,
        township_code: r.get(8)?,
        village: r.get(9)?,
        receiver: r.get(10)?,
        product: r.get(11)?,
        weight_text: r.get(12)?,
        weight_jin: weight.and_then(|w| Decimal::from_str(&w).ok()),
        fee: fee.map(Money::from_fen),
        fee_text: r.get(15)?,
        source_file: r.get(16)?,
        source_sheet: r.get(17)?,
        source_row: r.get(18)?,
    };
    Ok((
        ShipmentRow {
            id: r.get(0)?,
            record,
            township_name: r.get(21)?,
            sale: None,
            link_kind: LinkKind::from_sql(link.as_deref()),
        },
        r.get(19)?,
    ))
}

/// Inserts the records; waybills already stored (same carrier and number) are skipped.
/// Returns (added, duplicates).
fn insert_records(conn: &Connection, records: &[ShipmentRecord]) -> StoreResult<(usize, usize)> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO shipment (carrier, waybill, date, date_text, sender, household, region_text,
             township_code, village, receiver, product, weight_text, weight_jin, fee_fen, fee_text,
             source_file, source_sheet, source_row, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT (carrier, waybill) DO NOTHING",
    )?;
    let now = now_text();
    let (mut added, mut duplicates) = (0, 0);
    for record in records {
        let changed = statement.execute(params![
            record.carrier,
            record.waybill,
            record.date.format("%Y-%m-%d").to_string(),
            record.date_text,
            record.sender,
            record.household,
            record.region_text,
            record.township_code,
            record.village,
            record.receiver,
            record.product,
            record.weight_text,
            record.weight_jin.map(|w| w.normalize().to_string()),
            record.fee.map(|f| f.to_fen()),
            record.fee_text,
            record.source_file,
            record.source_sheet,
            record.source_row,
            now,
        ])?;
        if changed == 0 {
            duplicates += 1;
        } else {
            added += 1;
        }
    }
    Ok((added, duplicates))
}

/// A sale that may be the one a shipment carries.
struct Candidate {
    id: i64,
    date: NaiveDate,
    month_only: bool,
    village: String,
    product: String,
    quantity_jin: Option<Decimal>,
    same_sale_as: Option<i64>,
}

/// Re-attaches hand links whose sale was deleted (and maybe imported again): the sale with the
/// remembered fingerprint. Returns how many were re-attached.
fn reattach_manual_links(conn: &Connection) -> StoreResult<usize> {
    Ok(conn.execute(
        "UPDATE shipment SET sale_id = (SELECT MIN(s.id) FROM sale s WHERE s.match_key = substr(shipment.sale_fingerprint, 3)
                                            AND s.fingerprint = shipment.sale_fingerprint)
         WHERE link_kind = 'manual' AND sale_id IS NULL AND sale_fingerprint IS NOT NULL
           AND EXISTS (SELECT 1 FROM sale s WHERE s.match_key = substr(shipment.sale_fingerprint, 3)
                                              AND s.fingerprint = shipment.sale_fingerprint)",
        [],
    )?)
}

/// The sale a shipment is linked to by the rule of the module docs, if exactly one qualifies.
fn auto_link_target(
    conn: &Connection,
    township: &str,
    household: &str,
    village: &str,
    product: &str,
    date: NaiveDate,
    weight_jin: Option<Decimal>,
) -> StoreResult<Option<i64>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, date, date_precision, village, product, quantity_jin, same_sale_as
         FROM sale WHERE township_code = ?1 AND household = ?2",
    )?;
    let rows = statement.query_map(params![township, household], |r| {
        let date: String = r.get(1)?;
        let precision: String = r.get(2)?;
        let jin: Option<String> = r.get(5)?;
        Ok(Candidate {
            id: r.get(0)?,
            date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or(NaiveDate::MIN),
            month_only: precision == "month",
            village: r.get(3)?,
            product: r.get(4)?,
            quantity_jin: jin.and_then(|j| Decimal::from_str(&j).ok()),
            same_sale_as: r.get(6)?,
        })
    })?;
    let product = product_key(product);
    let mut matches: Vec<(i64, i64, Option<i64>)> = Vec::new();
    for candidate in rows {
        let c = candidate?;
        if !(c.village == village || c.village.is_empty() || village.is_empty()) {
            continue;
        }
        if product_key(&c.product) != product {
            continue;
        }
        let days = if c.month_only {
            use chrono::Datelike;
            if (c.date.year(), c.date.month()) != (date.year(), date.month()) {
                continue;
            }
            0
        } else {
            let days = (date - c.date).num_days().abs();
            if days > SHIPMENT_LINK_MAX_DAYS {
                continue;
            }
            days
        };
        if let (Some(weight), Some(quantity)) = (weight_jin, c.quantity_jin)
            && !weight_agrees(weight, quantity)
        {
            continue;
        }
        matches.push((c.id, days, c.same_sale_as));
    }
    let ids: Vec<i64> = matches.iter().map(|(id, _, _)| *id).collect();
    matches.retain(|(_, _, same)| !same.is_some_and(|s| ids.contains(&s)));
    match matches.as_slice() {
        [] => Ok(None),
        [(id, _, _)] => Ok(Some(*id)),
        _ => {
            matches.sort_by_key(|(_, days, _)| *days);
            match (matches.first(), matches.get(1)) {
                (Some(first), Some(second)) if first.1 < second.1 => Ok(Some(first.0)),
                _ => Ok(None),
            }
        }
    }
}

/// A shipment waiting for an automatic link (columns as stored).
struct Pending {
    id: i64,
    township: String,
    household: String,
    village: String,
    product: String,
    date: String,
    weight_jin: Option<String>,
}

/// Links every undecided, unlinked shipment that the rule links (module docs). Returns how many
/// were linked (hand links re-attached included).
fn auto_link(conn: &Connection) -> StoreResult<usize> {
    let mut linked = reattach_manual_links(conn)?;
    let pending: Vec<Pending> = {
        let mut statement = conn.prepare_cached(
            "SELECT id, township_code, household, village, product, date, weight_jin FROM shipment
             WHERE sale_id IS NULL AND (link_kind IS NULL OR link_kind = 'auto')
               AND township_code IS NOT NULL AND household <> ''",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(Pending {
                id: r.get(0)?,
                township: r.get(1)?,
                household: r.get(2)?,
                village: r.get(3)?,
                product: r.get(4)?,
                date: r.get(5)?,
                weight_jin: r.get(6)?,
            })
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut update =
        conn.prepare_cached("UPDATE shipment SET sale_id = ?2, link_kind = 'auto' WHERE id = ?1")?;
    for p in pending {
        let Ok(date) = NaiveDate::parse_from_str(&p.date, "%Y-%m-%d") else {
            continue;
        };
        let weight = p.weight_jin.and_then(|w| Decimal::from_str(&w).ok());
        if let Some(sale) = auto_link_target(
            conn,
            &p.township,
            &p.household,
            &p.village,
            &p.product,
            date,
            weight,
        )? {
            update.execute(params![p.id, sale])?;
            linked += 1;
        }
    }
    Ok(linked)
}

impl Store {
    /// Stores the waybills of one courier/postal file in one transaction (all or nothing), skipping
    /// those already stored (same carrier and waybill number: re-importing a file adds nothing),
    /// then links shipments to sales automatically (module docs) in the same transaction. Never
    /// touches sales or totals. R5, 三(三). Errors: SQLite failures (nothing is written).
    pub fn insert_shipments(&mut self, records: &[ShipmentRecord]) -> StoreResult<ShipmentImport> {
        let tx = self.connection_mut().transaction()?;
        let (added, duplicates) = insert_records(&tx, records)?;
        let linked = auto_link(&tx)?;
        tx.commit()?;
        Ok(ShipmentImport {
            added,
            duplicates,
            linked,
        })
    }

    /// How many of these waybills are already stored (same carrier and number), for the import
    /// preview. Reads only.
    pub fn existing_shipments(&self, records: &[ShipmentRecord]) -> StoreResult<usize> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT 1 FROM shipment WHERE carrier = ?1 AND waybill = ?2")?;
        let mut seen = std::collections::HashSet::new();
        let mut existing = 0;
        for record in records {
            let stored = statement
                .query_row(params![record.carrier, record.waybill], |_| Ok(()))
                .optional()?
                .is_some();
            // A waybill twice in the file is stored once: the second is a duplicate as well.
            if stored || !seen.insert((record.carrier.as_str(), record.waybill.as_str())) {
                existing += 1;
            }
        }
        Ok(existing)
    }

    /// Links undecided, unlinked shipments to sales by the rule of the module docs, in one
    /// transaction, and re-attaches hand links whose sale was re-imported. Returns how many were
    /// linked. Run after an import of sales or shipments. Never changes a total.
    pub fn auto_link_shipments(&mut self) -> StoreResult<usize> {
        let tx = self.connection_mut().transaction()?;
        let linked = auto_link(&tx)?;
        tx.commit()?;
        Ok(linked)
    }

    /// Links shipment `shipment_id` to sale/procurement `sale_id` by hand (the automatic rule will
    /// not change it). Errors: either id unknown ([`StoreError::NotFound`]).
    pub fn link_shipment(&mut self, shipment_id: i64, sale_id: i64) -> StoreResult<()> {
        let conn = self.connection();
        let fingerprint: String = conn
            .prepare_cached("SELECT fingerprint FROM sale WHERE id = ?1")?
            .query_row([sale_id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotFound(sale_id))?;
        let changed = conn
            .prepare_cached(
                "UPDATE shipment SET sale_id = ?2, link_kind = ?3, sale_fingerprint = ?4 WHERE id = ?1",
            )?
            .execute(params![
                shipment_id,
                sale_id,
                LinkKind::Manual.as_sql(),
                fingerprint
            ])?;
        if changed == 0 {
            return Err(StoreError::NotFound(shipment_id));
        }
        Ok(())
    }

    /// Removes a shipment's link by hand: it stays unlinked (the automatic rule will not link it
    /// again). Errors: unknown id ([`StoreError::NotFound`]).
    pub fn unlink_shipment(&mut self, shipment_id: i64) -> StoreResult<()> {
        let changed = self
            .connection()
            .prepare_cached(
                "UPDATE shipment SET sale_id = NULL, link_kind = ?2, sale_fingerprint = NULL WHERE id = ?1",
            )?
            .execute(params![shipment_id, LinkKind::Manual.as_sql()])?;
        if changed == 0 {
            return Err(StoreError::NotFound(shipment_id));
        }
        Ok(())
    }

    /// One shipment with its linked sale. Errors: unknown id ([`StoreError::NotFound`]).
    pub fn shipment(&self, id: i64) -> StoreResult<ShipmentRow> {
        let found = self
            .connection()
            .prepare_cached(&format!("{SELECT_SHIPMENT} WHERE sh.id = ?1"))?
            .query_row([id], read_shipment)
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        self.with_sales(vec![found])?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound(id))
    }

    /// The shipments dated in `year` in `state`, by date then id, each with its linked sale.
    pub fn shipments(&self, year: i32, state: ShipmentState) -> StoreResult<Vec<ShipmentRow>> {
        let condition = match state {
            ShipmentState::All => "",
            ShipmentState::Linked => " AND sh.sale_id IS NOT NULL",
            ShipmentState::Unlinked => " AND sh.sale_id IS NULL",
        };
        let sql = format!(
            "{SELECT_SHIPMENT} WHERE sh.date >= ?1 AND sh.date < ?2{condition} ORDER BY sh.date, sh.id"
        );
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement
            .query_map(
                params![format!("{year:04}-01-01"), format!("{:04}-01-01", year + 1)],
                read_shipment,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        self.with_sales(rows)
    }

    /// Fills in the linked sales.
    fn with_sales(&self, rows: Vec<(ShipmentRow, Option<i64>)>) -> StoreResult<Vec<ShipmentRow>> {
        let ids: Vec<i64> = rows.iter().filter_map(|(_, sale)| *sale).collect();
        let sales: HashMap<i64, SaleRow> = self
            .sales_by_ids(&ids)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        Ok(rows
            .into_iter()
            .map(|(mut row, sale)| {
                row.sale = sale.and_then(|id| sales.get(&id).cloned());
                row
            })
            .collect())
    }

    /// Sales and procurements a shipment may be linked to by hand: the sender's household in the
    /// sender's township (any township when the address named none), dated within
    /// [`SHIPMENT_CANDIDATE_DAYS`] days of the shipment; the same product first, then the nearest
    /// date. At most 20. Errors: unknown id.
    pub fn shipment_link_candidates(&self, shipment_id: i64) -> StoreResult<Vec<SaleRow>> {
        let shipment = self.shipment(shipment_id)?;
        let record = &shipment.record;
        let from = record.date - chrono::Duration::days(SHIPMENT_CANDIDATE_DAYS);
        let to = record.date + chrono::Duration::days(SHIPMENT_CANDIDATE_DAYS);
        let ids: Vec<i64> = {
            let mut statement = self.connection().prepare_cached(
                "SELECT id FROM sale WHERE household = ?1 AND (?2 IS NULL OR township_code = ?2)
                   AND date >= ?3 AND date <= ?4 LIMIT 500",
            )?;
            let rows = statement.query_map(
                params![
                    record.household,
                    record.township_code,
                    from.format("%Y-%m-%d").to_string(),
                    to.format("%Y-%m-%d").to_string()
                ],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let product = product_key(&record.product);
        let mut sales = self.sales_by_ids(&ids)?;
        sales.sort_by_key(|s| {
            (
                product_key(&s.record.product) != product,
                (s.record.date.date - record.date).num_days().abs(),
                s.id,
            )
        });
        sales.truncate(20);
        Ok(sales)
    }

    /// How many of `year`'s counted sales have a linked shipment, by count and amount, and how many
    /// of the year's shipments are linked. Reads the shipments and the linked sales only (plus the
    /// summary table for the year's totals). R5, 三(三).
    pub fn shipment_coverage(&self, year: i32) -> StoreResult<ShipmentCoverage> {
        let conn = self.connection();
        let (counted_fen, counted_sales): (i64, i64) = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount_fen), 0), COALESCE(SUM(record_count), 0) FROM sale_summary WHERE year = ?1",
            )?
            .query_row([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (linked_sales, linked_fen): (i64, i64) = conn
            .prepare_cached(
                "WITH linked(id) AS (
                     SELECT DISTINCT COALESCE(s.same_sale_as, s.id)
                     FROM shipment sh JOIN sale s ON s.id = sh.sale_id
                 )
                 SELECT COUNT(*), COALESCE(SUM(c.amount_fen), 0)
                 FROM linked JOIN sale c ON c.id = linked.id
                 WHERE c.year = ?1 AND c.same_sale_as IS NULL",
            )?
            .query_row([year], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (shipments, linked_shipments): (i64, i64) = conn
            .prepare_cached(
                "SELECT COUNT(*), COUNT(sale_id) FROM shipment WHERE date >= ?1 AND date < ?2",
            )?
            .query_row(
                params![format!("{year:04}-01-01"), format!("{:04}-01-01", year + 1)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
        Ok(ShipmentCoverage {
            counted_sales,
            counted_amount: Money::from_fen(counted_fen),
            linked_sales,
            linked_amount: Money::from_fen(linked_fen),
            shipments,
            linked_shipments,
        })
    }

    /// Number of stored shipments (all years).
    pub fn shipment_count(&self) -> StoreResult<i64> {
        Ok(self
            .connection()
            .query_row("SELECT COUNT(*) FROM shipment", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_agree_within_ten_percent_or_two_jin() {
        assert!(weight_agrees(Decimal::from(30), Decimal::from(30)));
        assert!(weight_agrees(Decimal::from(16), Decimal::from(15)));
        assert!(weight_agrees(Decimal::from(108), Decimal::from(100)));
        assert!(!weight_agrees(Decimal::from(115), Decimal::from(100)));
        assert!(!weight_agrees(Decimal::from(20), Decimal::from(15)));
    }

    #[test]
    fn shares_round_to_one_decimal() {
        let coverage = ShipmentCoverage {
            counted_sales: 3,
            counted_amount: Money::from_fen(30000),
            linked_sales: 1,
            linked_amount: Money::from_fen(5000),
            ..Default::default()
        };
        assert_eq!(coverage.count_share().to_string(), "33.3");
        assert_eq!(coverage.amount_share().to_string(), "16.7");
        assert_eq!(ShipmentCoverage::default().count_share().to_string(), "0.0");
    }
}
