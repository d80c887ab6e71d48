//! Catalogue listings (附件1 待销目录条目).

use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params, params_from_iter};
use rust_decimal::Decimal;

use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::sale::Listing;
use crate::domain::{InvolvedCount, Price, Quantity};

/// A stored listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingRow {
    pub id: i64,
    pub listing: Listing,
    pub township_name: String,
    pub updated_at: String,
    pub submission_id: Option<String>,
    /// The 填写日期 of the last 附件1 that listed this entry (ISO date), when imported with one
    /// and not changed in the program since (migration 0009).
    pub reported_on: Option<String>,
}

impl ListingRow {
    /// The day this entry was last updated: its form's 填写日期, else the day it was saved.
    pub fn last_updated_on(&self) -> Option<chrono::NaiveDate> {
        let day = self.reported_on.as_deref().unwrap_or(&self.updated_at);
        day.get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }
}

/// Which listings a list or an export covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingFilter {
    pub township_code: Option<String>,
    pub with_warnings_only: bool,
    /// Free text matched inside 地区, 姓名, 品种, 备注, 联系人.
    pub text: String,
}

const SELECT_ROW: &str = "SELECT l.id, l.region_text, l.township_code, l.village, l.household, l.product,
        l.planned_quantity_text, l.planned_quantity, l.planned_unit, l.price_text, l.price_yuan, l.price_unit,
        l.supply_methods, l.shop_url, l.contact, l.remark, l.households_involved, l.persons_involved,
        l.warnings, t.name, l.updated_at, l.submission_id, l.reported_on
    FROM listing l JOIN township t ON t.code = l.township_code";

impl ListingFilter {
    fn where_clause(&self) -> (String, Vec<Box<dyn ToSql>>) {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(code) = &self.township_code {
            values.push(Box::new(code.clone()));
            conditions.push(format!("l.township_code = ?{}", values.len()));
        }
        if self.with_warnings_only {
            conditions.push("l.warnings <> ''".into());
        }
        // Each word must be found (`刘光富 土豆`).
        for word in super::search_words(&self.text) {
            values.push(Box::new(super::like_pattern(word)));
            let n = values.len();
            conditions.push(format!(
                "(l.household LIKE ?{n} ESCAPE '\\' OR l.product LIKE ?{n} ESCAPE '\\' \
                 OR l.region_text LIKE ?{n} ESCAPE '\\' OR l.remark LIKE ?{n} ESCAPE '\\' \
                 OR l.contact LIKE ?{n} ESCAPE '\\')"
            ));
        }
        if conditions.is_empty() {
            (String::new(), values)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), values)
        }
    }
}

fn read_row(r: &Row<'_>) -> rusqlite::Result<ListingRow> {
    let price_yuan: Option<String> = r.get(10)?;
    let households: Option<u32> = r.get(16)?;
    let persons: Option<u32> = r.get(17)?;
    let supply: String = r.get(12)?;
    let warnings: String = r.get(18)?;
    let listing = Listing {
        region_text: r.get(1)?,
        township_code: r.get(2)?,
        village: r.get(3)?,
        household: r.get(4)?,
        product: r.get(5)?,
        planned_quantity_text: r.get(6)?,
        planned_quantity: Quantity {
            value: Decimal::from_str(&r.get::<_, String>(7)?).unwrap_or(Decimal::ZERO),
            unit: r.get(8)?,
        },
        price_text: r.get(9)?,
        price: match price_yuan {
            Some(yuan) => Price::PerUnit {
                yuan: Decimal::from_str(&yuan).unwrap_or(Decimal::ZERO),
                unit: r.get(11)?,
            },
            None => Price::Negotiable,
        },
        supply_methods: supply
            .split('、')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        shop_url: r.get(13)?,
        contact: r.get(14)?,
        remark: r.get(15)?,
        involved: households
            .map(InvolvedCount::Households)
            .or(persons.map(InvolvedCount::Persons)),
        warnings: warnings.lines().map(str::to_string).collect(),
    };
    Ok(ListingRow {
        id: r.get(0)?,
        listing,
        township_name: r.get(19)?,
        updated_at: r.get(20)?,
        submission_id: r.get(21)?,
        reported_on: r.get(22)?,
    })
}

/// Content fingerprint of a listing (township, village, household, product, quantity, price).
pub(crate) fn listing_fingerprint(listing: &Listing) -> String {
    [
        listing.township_code.clone(),
        listing.village.clone(),
        listing.household.clone(),
        listing.product.clone(),
        listing.planned_quantity.to_string(),
        listing.price.to_string(),
    ]
    .join("\u{1f}")
}

fn price_columns(price: &Price) -> (Option<String>, Option<String>) {
    match price {
        Price::PerUnit { yuan, unit } => (Some(yuan.normalize().to_string()), unit.clone()),
        Price::Negotiable => (None, None),
    }
}

fn involved_columns(involved: Option<InvolvedCount>) -> (Option<u32>, Option<u32>) {
    match involved {
        Some(InvolvedCount::Households(n)) => (Some(n), None),
        Some(InvolvedCount::Persons(n)) => (None, Some(n)),
        None => (None, None),
    }
}

/// Inserts a listing inside the caller's transaction.
pub(crate) fn insert_listing_in(
    conn: &Connection,
    listing: &Listing,
    submission_id: Option<&str>,
) -> StoreResult<i64> {
    let (price_yuan, price_unit) = price_columns(&listing.price);
    let (households, persons) = involved_columns(listing.involved);
    Store::remember_village(conn, &listing.township_code, &listing.village)?;
    conn.prepare_cached(
        "INSERT INTO listing (township_code, village, region_text, household, product, planned_quantity_text,
            planned_quantity, planned_unit, price_text, price_yuan, price_unit, supply_methods, shop_url, contact,
            remark, households_involved, persons_involved, warnings, submission_id, fingerprint, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21)",
    )?
    .execute(params![
        listing.township_code,
        listing.village,
        listing.region_text,
        listing.household,
        listing.product,
        listing.planned_quantity_text,
        listing.planned_quantity.value.normalize().to_string(),
        listing.planned_quantity.unit,
        listing.price_text,
        price_yuan,
        price_unit,
        listing.supply_methods.join("、"),
        listing.shop_url,
        listing.contact,
        listing.remark,
        households,
        persons,
        listing.warnings.join("\n"),
        submission_id,
        listing_fingerprint(listing),
        now_text(),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Replaces listing `id` inside the caller's transaction. `changed_by`: the 提交编号 of the file
/// being imported, or None for a change made in the program (`content_changed_by`, migration
/// 0007).
pub(crate) fn update_listing_in(
    conn: &Connection,
    id: i64,
    listing: &Listing,
    changed_by: Option<&str>,
) -> StoreResult<()> {
    let (price_yuan, price_unit) = price_columns(&listing.price);
    let (households, persons) = involved_columns(listing.involved);
    Store::remember_village(conn, &listing.township_code, &listing.village)?;
    let former_fingerprint: Option<String> = conn
        .prepare_cached("SELECT fingerprint FROM listing WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let changed = conn
        .prepare_cached(
            "UPDATE listing SET township_code = ?2, village = ?3, region_text = ?4, household = ?5, product = ?6,
            planned_quantity_text = ?7, planned_quantity = ?8, planned_unit = ?9, price_text = ?10, price_yuan = ?11,
            price_unit = ?12, supply_methods = ?13, shop_url = ?14, contact = ?15, remark = ?16,
            households_involved = ?17, persons_involved = ?18, warnings = ?19, fingerprint = ?20, updated_at = ?21,
            content_changed_at = ?21, content_changed_by = ?22, reported_on = NULL
         WHERE id = ?1",
        )?
        .execute(params![
            id,
            listing.township_code,
            listing.village,
            listing.region_text,
            listing.household,
            listing.product,
            listing.planned_quantity_text,
            listing.planned_quantity.value.normalize().to_string(),
            listing.planned_quantity.unit,
            listing.price_text,
            price_yuan,
            price_unit,
            listing.supply_methods.join("、"),
            listing.shop_url,
            listing.contact,
            listing.remark,
            households,
            persons,
            listing.warnings.join("\n"),
            listing_fingerprint(listing),
            now_text(),
            changed_by,
        ])?;
    if changed == 0 {
        return Err(StoreError::NotFound(id));
    }
    // The fingerprint before a correction is kept, so the township's original row is recognised
    // as this listing if its file comes again (migration 0007).
    let fingerprint = listing_fingerprint(listing);
    conn.prepare_cached(
        "DELETE FROM listing_former_fingerprint WHERE listing_id = ?1 AND fingerprint = ?2",
    )?
    .execute(params![id, fingerprint])?;
    if let Some(former) = former_fingerprint.filter(|former| *former != fingerprint) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO listing_former_fingerprint (listing_id, fingerprint) VALUES (?1, ?2)",
        )?
        .execute(params![id, former])?;
    }
    Ok(())
}

impl Store {
    /// Saves a new catalogue listing. Returns its id.
    pub fn insert_listing(&mut self, listing: &Listing) -> StoreResult<i64> {
        let tx = self.connection_mut().transaction()?;
        let id = insert_listing_in(&tx, listing, None)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces listing `id`. Errors: not found.
    pub fn update_listing(&mut self, id: i64, listing: &Listing) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        update_listing_in(&tx, id, listing, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces listing `id` like [`Store::update_listing`], but only while it still holds
    /// `opened`, the listing an editor started from (see [`Store::update_sale_opened_as`]).
    /// Errors: [`StoreError::ChangedMeanwhile`] (nothing written), [`StoreError::NotFound`].
    pub fn update_listing_opened_as(
        &mut self,
        id: i64,
        listing: &Listing,
        opened: &Listing,
    ) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let current = tx
            .prepare_cached(&format!("{SELECT_ROW} WHERE l.id = ?1"))?
            .query_row([id], read_row)
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        if current.listing != *opened {
            return Err(StoreError::ChangedMeanwhile(id));
        }
        update_listing_in(&tx, id, listing, None)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes listing `id`. Errors: not found.
    pub fn delete_listing(&mut self, id: i64) -> StoreResult<()> {
        if self
            .connection()
            .execute("DELETE FROM listing WHERE id = ?1", [id])?
            == 0
        {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// One listing.
    pub fn listing(&self, id: i64) -> StoreResult<ListingRow> {
        self.connection()
            .prepare_cached(&format!("{SELECT_ROW} WHERE l.id = ?1"))?
            .query_row([id], read_row)
            .optional()?
            .ok_or(StoreError::NotFound(id))
    }

    /// Ids of the listings the filter covers, by township order then id.
    pub fn listing_ids(&self, filter: &ListingFilter) -> StoreResult<Vec<i64>> {
        let (where_sql, values) = filter.where_clause();
        let sql = format!(
            "SELECT l.id FROM listing l JOIN township t ON t.code = l.township_code{where_sql} ORDER BY t.sort_order, l.id"
        );
        let mut statement = self.connection().prepare_cached(&sql)?;
        let rows = statement.query_map(params_from_iter(values.iter()), |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The listings with these ids, in the given order.
    pub fn listings_by_ids(&self, ids: &[i64]) -> StoreResult<Vec<ListingRow>> {
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let mut statement = self
                .connection()
                .prepare(&format!("{SELECT_ROW} WHERE l.id IN ({placeholders})"))?;
            for row in statement.query_map(params_from_iter(chunk.iter()), read_row)? {
                let row = row?;
                found.insert(row.id, row);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// All listings the filter covers (exports).
    pub fn listings(&self, filter: &ListingFilter) -> StoreResult<Vec<ListingRow>> {
        let ids = self.listing_ids(filter)?;
        self.listings_by_ids(&ids)
    }

    /// The catalogue prices of the given townships, keyed by (township code, household, product);
    /// the newest listing wins. One query per township, for checking many sales at once.
    pub fn catalogue_prices(
        &self,
        township_codes: &[String],
    ) -> StoreResult<std::collections::HashMap<(String, String, String), Vec<Price>>> {
        let mut prices = std::collections::HashMap::new();
        let mut statement = self.connection().prepare_cached(
            "SELECT household, product, price_yuan, price_unit, price_text FROM listing WHERE township_code = ?1 ORDER BY id",
        )?;
        for code in township_codes {
            let rows = statement.query_map([code], |r| {
                let yuan: Option<String> = r.get(2)?;
                let price_text: String = r.get(4)?;
                // An approximate price is shown as written, never checked against.
                let yuan =
                    yuan.filter(|_| !crate::domain::listing::is_inexact_price_text(&price_text));
                let price = match yuan {
                    Some(yuan) => Price::PerUnit {
                        yuan: Decimal::from_str(&yuan).unwrap_or(Decimal::ZERO),
                        unit: r.get(3)?,
                    },
                    None => Price::Negotiable,
                };
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, price))
            })?;
            for row in rows {
                let (household, product, price) = row?;
                prices
                    .entry((code.clone(), household, product))
                    .or_insert_with(Vec::new)
                    .push(price);
            }
        }
        Ok(prices)
    }

    /// The catalogue listing for a household's product in a township, if any (the price check).
    pub fn listing_for(
        &self,
        township_code: &str,
        household: &str,
        product: &str,
    ) -> StoreResult<Option<ListingRow>> {
        Ok(self
            .connection()
            .prepare_cached(&format!(
                "{SELECT_ROW} WHERE l.township_code = ?1 AND l.household = ?2 AND l.product = ?3 ORDER BY l.id DESC LIMIT 1"
            ))?
            .query_row(params![township_code, household, product], read_row)
            .optional()?)
    }
}
