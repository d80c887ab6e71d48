//! Purchasers (采购单位) and their types, which decide the channel of their purchases.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::PurchaserType;

/// A purchaser in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchaser {
    pub id: i64,
    pub name: String,
    /// `None` until typed; a suggestion from the name is stored unconfirmed.
    pub purchaser_type: Option<PurchaserType>,
    /// False while the type is only the program's suggestion.
    pub confirmed: bool,
    /// Unions (工会): member count, for the 500元 per member standard (四(一)5).
    pub member_count: Option<i64>,
    /// Number of sales/procurements bought by this purchaser.
    pub record_count: i64,
}

impl Store {
    /// All purchasers, unconfirmed first, then by name.
    pub fn purchasers(&self) -> StoreResult<Vec<Purchaser>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT p.id, p.name, p.purchaser_type, p.confirmed, p.member_count,
                    (SELECT COUNT(*) FROM sale s WHERE s.purchaser_id = p.id)
             FROM purchaser p ORDER BY p.confirmed, p.name",
        )?;
        let rows = statement.query_map([], |r| {
            let type_name: Option<String> = r.get(2)?;
            Ok(Purchaser {
                id: r.get(0)?,
                name: r.get(1)?,
                purchaser_type: type_name.as_deref().and_then(PurchaserType::from_name),
                confirmed: r.get(3)?,
                member_count: r.get(4)?,
                record_count: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The type a purchaser of this name has (registered) or would get (suggested from the name),
    /// and whether it is confirmed. For the editor's hint next to 采购单位.
    pub fn purchaser_type_for(&self, name: &str) -> StoreResult<(Option<PurchaserType>, bool)> {
        let row: Option<(Option<String>, bool)> = self
            .connection()
            .query_row(
                "SELECT purchaser_type, confirmed FROM purchaser WHERE name = ?1",
                [name.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((type_name, confirmed)) => (
                type_name.as_deref().and_then(PurchaserType::from_name),
                confirmed,
            ),
            None => (PurchaserType::suggest_from_name(name), false),
        })
    }

    /// Sets (and confirms) a purchaser's type and member count; re-derives the channel of all its
    /// records that the operator has not overridden.
    pub fn set_purchaser_type(
        &mut self,
        purchaser_id: i64,
        purchaser_type: Option<PurchaserType>,
        member_count: Option<i64>,
    ) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        let changed = tx.execute(
            "UPDATE purchaser SET purchaser_type = ?2, confirmed = 1, member_count = ?3 WHERE id = ?1",
            params![purchaser_id, purchaser_type.map(|t| t.name()), member_count],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(purchaser_id));
        }
        let (channel, sub_channel) = channel_names(purchaser_type);
        tx.execute(
            "UPDATE sale SET channel = ?2, sub_channel = ?3, updated_at = ?4
             WHERE purchaser_id = ?1 AND channel_overridden = 0 AND (channel <> ?2 OR sub_channel <> ?3)",
            params![purchaser_id, channel, sub_channel, now_text()],
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// Channel and sub-channel names for a purchaser type ('' when untyped).
pub(crate) fn channel_names(purchaser_type: Option<PurchaserType>) -> (&'static str, &'static str) {
    match purchaser_type.map(PurchaserType::channel) {
        Some((channel, sub)) => (channel.name(), sub.map(|s| s.name()).unwrap_or("")),
        None => ("", ""),
    }
}

/// The purchaser's id and type, registering it (with the type suggested from its name,
/// unconfirmed) when new.
pub(crate) fn ensure_purchaser(
    conn: &Connection,
    name: &str,
) -> StoreResult<(i64, Option<PurchaserType>)> {
    let existing: Option<(i64, Option<String>)> = conn
        .prepare_cached("SELECT id, purchaser_type FROM purchaser WHERE name = ?1")?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((id, type_name)) = existing {
        return Ok((id, type_name.as_deref().and_then(PurchaserType::from_name)));
    }
    let suggested = PurchaserType::suggest_from_name(name);
    conn.prepare_cached(
        "INSERT INTO purchaser (name, purchaser_type, confirmed) VALUES (?1, ?2, 0)",
    )?
    .execute(params![name, suggested.map(|t| t.name())])?;
    Ok((conn.last_insert_rowid(), suggested))
}
