//! Schema migrations: the numbered files in `migrations/`, embedded at build time, applied in
//! order, each in its own transaction, and recorded in `schema_migration`. A shipped migration is
//! never edited: a change is a new file.

use rusqlite::{Connection, OptionalExtension};

use super::{StoreResult, now_text};

/// (version, file name, SQL), in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_initial.sql",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "0002_reconciliation.sql",
        include_str!("../../migrations/0002_reconciliation.sql"),
    ),
    (
        3,
        "0003_shipments.sql",
        include_str!("../../migrations/0003_shipments.sql"),
    ),
    (
        4,
        "0004_enterprise_pairing.sql",
        include_str!("../../migrations/0004_enterprise_pairing.sql"),
    ),
    (
        5,
        "0005_one_content_key_index.sql",
        include_str!("../../migrations/0005_one_content_key_index.sql"),
    ),
];

/// Applies pending migrations. Returns true when the database was new (no migration applied
/// before), so the caller seeds it.
pub(super) fn apply(conn: &mut Connection) -> StoreResult<bool> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migration (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         ) STRICT;",
    )?;
    let current: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_migration", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    let fresh = current.is_none();
    let current = current.unwrap_or(0);
    for (version, name, sql) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migration (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, now_text()],
        )?;
        tx.commit()?;
    }
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        for (index, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, index as i64 + 1);
            assert!(name.starts_with(&format!("{:04}_", version)), "{name}");
        }
    }

    #[test]
    fn applying_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(apply(&mut conn).unwrap());
        assert!(!apply(&mut conn).unwrap());
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_migration", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, MIGRATIONS.len() as i64);
    }
}
