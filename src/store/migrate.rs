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
    (
        6,
        "0006_month_precision_match_key.sql",
        include_str!("../../migrations/0006_month_precision_match_key.sql"),
    ),
    (
        7,
        "0007_content_changed.sql",
        include_str!("../../migrations/0007_content_changed.sql"),
    ),
    (
        8,
        "0008_household_index.sql",
        include_str!("../../migrations/0008_household_index.sql"),
    ),
    (
        9,
        "0009_listing_reported_on.sql",
        include_str!("../../migrations/0009_listing_reported_on.sql"),
    ),
];

/// The migration that rewrote month-only content keys and undid the automatic pairs they had
/// made wrongly; after it, the freed rows are paired again by the exact rule ([`repair_pairs`]).
const MONTH_PRECISION_MATCH_KEY: i64 = 6;

/// Whether `conn`'s schema lacks migrations this program knows (a ledger written by an older
/// version). Reads only; a database without the migration table is behind.
pub(super) fn pending(conn: &Connection) -> bool {
    let applied: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_migration", [], |r| {
            r.get(0)
        })
        .unwrap_or(None);
    applied < MIGRATIONS.last().map(|(version, _, _)| *version)
}

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
    let mut applied = Vec::new();
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
        applied.push(*version);
    }
    if !fresh && applied.contains(&MONTH_PRECISION_MATCH_KEY) {
        repair_pairs(conn)?;
    }
    Ok(fresh)
}

/// After migration 0006 on an existing ledger: pairs the rows it freed (and any others now equal)
/// by the exact rule, then applies the operator's stored decisions, as an import does. Runs after
/// every migration, so it sees the schema the code expects.
fn repair_pairs(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn.transaction()?;
    super::sales::pair_exact_same_sales_in(&tx)?;
    super::reconcile::reapply_pairing_decisions_in(&tx)?;
    tx.commit()?;
    Ok(())
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

    mod month_precision_match_key {
        use chrono::NaiveDate;
        use rust_decimal::Decimal;

        use super::super::MONTH_PRECISION_MATCH_KEY;
        use super::apply;
        use crate::domain::sale::{FormKind, SaleRecord};
        use crate::domain::{DatePrecision, Money, Quantity, ReportDate};
        use crate::store::Store;
        use crate::store::sales::{sale_fingerprint, sale_match_key};

        /// 泥溪镇.
        const NIXI: &str = "500235139";

        /// `household`'s 30斤 土豆 for 90元 in 泥溪镇三坪村, on `date` (month-only when `month`).
        fn record(
            kind: FormKind,
            household: &str,
            date: (i32, u32, u32),
            month: bool,
        ) -> SaleRecord {
            let day = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
            SaleRecord {
                kind,
                purchaser: "云阳县教委".into(),
                date: ReportDate {
                    date: day,
                    precision: if month {
                        DatePrecision::Month
                    } else {
                        DatePrecision::Day
                    },
                },
                date_text: if month {
                    day.format("%Y.%-m").to_string()
                } else {
                    day.format("%Y.%-m.%-d").to_string()
                },
                region_text: "云阳县泥溪镇三坪村".into(),
                township_code: NIXI.into(),
                village: "三坪村".into(),
                household: household.into(),
                product: "土豆".into(),
                quantity: Quantity {
                    value: Decimal::from(30),
                    unit: Some("斤".into()),
                },
                quantity_text: "30斤".into(),
                amount: Money::from_fen(9000),
                amount_text: "90元".into(),
                remark: String::new(),
                involved: None,
                channel_override: None,
                warnings: Vec::new(),
            }
        }

        /// The key a record had before migration 0006: every date as YYYY-MM-DD.
        fn old_key(record: &SaleRecord) -> String {
            let mut day = record.clone();
            day.date.precision = DatePrecision::Day;
            sale_match_key(&day)
        }

        fn old_fingerprint(record: &SaleRecord) -> String {
            let mut day = record.clone();
            day.date.precision = DatePrecision::Day;
            sale_fingerprint(&day)
        }

        fn same_sale_as(store: &Store, id: i64) -> Option<i64> {
            store
                .connection()
                .query_row("SELECT same_sale_as FROM sale WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap()
        }

        fn key_and_fingerprint(store: &Store, id: i64) -> (String, String) {
            store
                .connection()
                .query_row(
                    "SELECT match_key, fingerprint FROM sale WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        }

        fn decisions(store: &Store) -> Vec<(String, String, String)> {
            let mut statement = store
                .connection()
                .prepare(
                    "SELECT procurement_fingerprint, sale_fingerprint, decision FROM pairing_decision
                     ORDER BY 1, 2",
                )
                .unwrap();
            statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        }

        /// (form, counted amount in fen) per form.
        type AmountPerForm = Vec<(i64, i64)>;

        /// Counted amount per form from `sale_summary`, and the same recomputed from `sale`.
        fn summary_and_recount(store: &Store) -> (AmountPerForm, AmountPerForm) {
            let read = |sql: &str| -> AmountPerForm {
                let mut statement = store.connection().prepare(sql).unwrap();
                statement
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            };
            (
                read(
                    "SELECT form, SUM(amount_fen) FROM sale_summary GROUP BY form
                     HAVING SUM(record_count) > 0 ORDER BY form",
                ),
                read(
                    "SELECT form, SUM(amount_fen) FROM sale WHERE same_sale_as IS NULL
                     GROUP BY form ORDER BY form",
                ),
            )
        }

        /// A ledger written before 0006 (month-only dates keyed as the 1st, the wrong automatic
        /// pairs that made, a decision and a hand link by the old fingerprint) is rewritten: keys
        /// and fingerprints of month rows, the decision and the link follow them, wrong automatic
        /// pairs are undone (and the freed row paired with its true equal), decided pairs stay.
        #[test]
        fn month_only_keys_fingerprints_decisions_links_and_wrong_pairs_are_rewritten() {
            let mut store = Store::open_in_memory().unwrap();
            let insert =
                |store: &mut Store, record: &SaleRecord| store.insert_sale(record).unwrap();
            // 甲: a day-1 sale and a month-only procurement, paired automatically by the old key.
            let sale_a = record(FormKind::Sale, "甲", (2019, 10, 1), false);
            let proc_a = record(FormKind::Procurement, "甲", (2019, 10, 1), true);
            let (sale_a_id, proc_a_id) = (insert(&mut store, &sale_a), insert(&mut store, &proc_a));
            // 乙: the procurement was paired with the day-1 sale (lower id) instead of the
            // month-only sale it equals.
            let sale_b_day = record(FormKind::Sale, "乙", (2019, 10, 1), false);
            let sale_b_month = record(FormKind::Sale, "乙", (2019, 10, 1), true);
            let proc_b = record(FormKind::Procurement, "乙", (2019, 10, 1), true);
            let sale_b_day_id = insert(&mut store, &sale_b_day);
            let sale_b_month_id = insert(&mut store, &sale_b_month);
            let proc_b_id = insert(&mut store, &proc_b);
            // 丙: a month-only procurement the operator confirmed with a sale of the 3rd, and a
            // waybill linked to the procurement by hand.
            let sale_c = record(FormKind::Sale, "丙", (2019, 10, 3), false);
            let proc_c = record(FormKind::Procurement, "丙", (2019, 10, 1), true);
            let (sale_c_id, proc_c_id) = (insert(&mut store, &sale_c), insert(&mut store, &proc_c));
            store.confirm_same_sale(proc_c_id, sale_c_id).unwrap();

            // Back to the state before 0006.
            {
                let conn = store.connection();
                for (id, record) in [
                    (proc_a_id, &proc_a),
                    (sale_b_month_id, &sale_b_month),
                    (proc_b_id, &proc_b),
                    (proc_c_id, &proc_c),
                ] {
                    conn.execute(
                        "UPDATE sale SET match_key = ?2, fingerprint = ?3 WHERE id = ?1",
                        rusqlite::params![id, old_key(record), old_fingerprint(record)],
                    )
                    .unwrap();
                }
                conn.execute(
                    "UPDATE sale SET same_sale_as = ?2, pairing_decided = 0 WHERE id = ?1",
                    [proc_a_id, sale_a_id],
                )
                .unwrap();
                conn.execute(
                    "UPDATE sale SET same_sale_as = ?2, pairing_decided = 0 WHERE id = ?1",
                    [proc_b_id, sale_b_day_id],
                )
                .unwrap();
                conn.execute(
                    "UPDATE pairing_decision SET procurement_fingerprint = ?1",
                    [old_fingerprint(&proc_c)],
                )
                .unwrap();
                // A rejection between rows since deleted (dated 2019-11-01 both).
                let gone_p = record(FormKind::Procurement, "丁", (2019, 11, 1), false);
                let gone_s = record(FormKind::Sale, "丁", (2019, 11, 1), false);
                conn.execute(
                    "INSERT INTO pairing_decision VALUES (?1, ?2, 'different', '2019-12-01 08:00:00')",
                    [sale_fingerprint(&gone_p), sale_fingerprint(&gone_s)],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO shipment (waybill, date, date_text, created_at, sale_id, link_kind, sale_fingerprint)
                     VALUES ('SF1', '2019-10-02', '2019-10-02', '2019-12-01 08:00:00', ?1, 'manual', ?2)",
                    rusqlite::params![proc_c_id, old_fingerprint(&proc_c)],
                )
                .unwrap();
                // The later migrations run again too: undo 0007's and 0009's columns.
                conn.execute_batch(
                    "ALTER TABLE sale DROP COLUMN content_changed_at;
                     ALTER TABLE sale DROP COLUMN content_changed_by;
                     ALTER TABLE listing DROP COLUMN content_changed_at;
                     ALTER TABLE listing DROP COLUMN content_changed_by;
                     ALTER TABLE listing DROP COLUMN reported_on;
                     DROP TABLE exported_record;
                     DROP TABLE sale_former_key;
                     DROP TABLE listing_former_fingerprint;",
                )
                .unwrap();
                conn.execute(
                    "DELETE FROM schema_migration WHERE version >= ?1",
                    [MONTH_PRECISION_MATCH_KEY],
                )
                .unwrap();
            }
            let (summary, recount) = summary_and_recount(&store);
            assert_eq!(summary, recount);
            assert_eq!(
                summary,
                vec![(2, 4 * 9000)],
                "no procurement counted before"
            );

            assert!(!apply(store.connection_mut()).unwrap());

            // Keys and fingerprints: month rows as the code now writes them, day rows unchanged.
            for (id, record) in [
                (proc_a_id, &proc_a),
                (sale_b_month_id, &sale_b_month),
                (proc_b_id, &proc_b),
                (proc_c_id, &proc_c),
                (sale_a_id, &sale_a),
                (sale_b_day_id, &sale_b_day),
                (sale_c_id, &sale_c),
            ] {
                assert_eq!(
                    key_and_fingerprint(&store, id),
                    (sale_match_key(record), sale_fingerprint(record)),
                    "{}",
                    record.household
                );
            }
            assert!(sale_match_key(&proc_a).contains("\u{1f}2019-10\u{1f}"));
            assert_ne!(sale_match_key(&proc_a), sale_match_key(&sale_a));

            // 甲: the wrong automatic pair is undone; 乙: paired with its true equal; 丙: the
            // operator's pair stays.
            assert_eq!(same_sale_as(&store, proc_a_id), None);
            assert_eq!(same_sale_as(&store, proc_b_id), Some(sale_b_month_id));
            assert_eq!(same_sale_as(&store, proc_c_id), Some(sale_c_id));
            let (summary, recount) = summary_and_recount(&store);
            assert_eq!(summary, recount);
            assert_eq!(summary, vec![(2, 4 * 9000), (3, 9000)]);

            // The decision follows the procurement; the orphan rejection now stands for the
            // rows as they may come back: dated the 1st or month-only.
            let gone_p = record(FormKind::Procurement, "丁", (2019, 11, 1), false);
            let gone_s = record(FormKind::Sale, "丁", (2019, 11, 1), false);
            let gone_p_month = record(FormKind::Procurement, "丁", (2019, 11, 1), true);
            let gone_s_month = record(FormKind::Sale, "丁", (2019, 11, 1), true);
            let mut expected = vec![(
                sale_fingerprint(&proc_c),
                sale_fingerprint(&sale_c),
                "same".to_string(),
            )];
            for p in [&gone_p, &gone_p_month] {
                for s in [&gone_s, &gone_s_month] {
                    expected.push((
                        sale_fingerprint(p),
                        sale_fingerprint(s),
                        "different".to_string(),
                    ));
                }
            }
            expected.sort();
            assert_eq!(decisions(&store), expected);

            // The hand link follows the procurement.
            let link: String = store
                .connection()
                .query_row(
                    "SELECT sale_fingerprint FROM shipment WHERE waybill = 'SF1'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(link, sale_fingerprint(&proc_c));

            // The near match of 甲 is proposed to the operator.
            let near = store.near_matches(2019).unwrap();
            assert_eq!(
                near.iter()
                    .map(|m| (m.procurement.id, m.sale.id))
                    .collect::<Vec<_>>(),
                vec![(proc_a_id, sale_a_id)]
            );
            assert!(!apply(store.connection_mut()).unwrap(), "applied once");
            assert_eq!(decisions(&store), expected);
        }
    }
}
