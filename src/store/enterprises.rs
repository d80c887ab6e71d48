//! 百企帮百村 (R11, 四(三) 爱心企业订销): the registry of private enterprises paired with poor
//! villages, and each pairing's purchases.
//!
//! # Rule
//!
//! - A pairing is an enterprise (a purchaser in the registry; adding a pairing for a new name
//!   registers it, typed 民营企业 unconfirmed) and a village (township code + village name, as on
//!   the records), with optional contact and phone and the pairing date (结对日期). The same
//!   enterprise and village are paired once. At most [`MAX_ENTERPRISE_PAIRINGS`] (100) pairings:
//!   the plan's 100 enterprises with 100 villages; the 101st is refused in Chinese.
//! - A pairing's purchases in a year are the counted records (附件2 sales, and 附件3 procurements not
//!   linked as the same sale as a 附件2 row) of that year whose purchaser is the enterprise and
//!   whose township and village are the paired village. The enterprise's total is the same without
//!   the village condition.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, StoreResult, now_text};
use crate::domain::{Money, PurchaserType};

/// 四(三): 100 enterprises paired with 100 poor villages.
pub const MAX_ENTERPRISE_PAIRINGS: i64 = 100;

/// A pairing as entered (GUI form or test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingDraft {
    /// 企业名称 (a purchaser name; trimmed).
    pub enterprise: String,
    /// 帮扶村: the township's statistical code.
    pub township_code: String,
    /// 帮扶村: the village name (required).
    pub village: String,
    /// 联系人 (optional, may be empty).
    pub contact: String,
    /// 联系电话 (optional, may be empty).
    pub phone: String,
    /// 结对日期.
    pub paired_on: NaiveDate,
}

/// A stored pairing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterprisePairing {
    pub id: i64,
    pub purchaser_id: i64,
    /// 企业名称.
    pub enterprise: String,
    pub township_code: String,
    /// Township name.
    pub township: String,
    pub village: String,
    /// True when the township or the village is flagged 深度贫困.
    pub deep_poverty: bool,
    pub contact: String,
    pub phone: String,
    pub paired_on: NaiveDate,
}

/// A pairing with its purchases in a year (R11), amounts in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingPurchases {
    pub pairing: EnterprisePairing,
    /// Counted purchases of the enterprise from the paired village.
    pub village_purchases: Money,
    pub village_records: i64,
    /// Counted purchases of the enterprise from anywhere.
    pub enterprise_total: Money,
    pub enterprise_records: i64,
}

impl Store {
    /// All pairings, by enterprise name then township order and village.
    pub fn enterprise_pairings(&self) -> StoreResult<Vec<EnterprisePairing>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT e.id, e.purchaser_id, p.name, e.township_code, t.name, e.village,
                    t.deep_poverty OR COALESCE(v.deep_poverty, 0), e.contact, e.phone, e.paired_on
             FROM enterprise_pairing e
             JOIN purchaser p ON p.id = e.purchaser_id
             JOIN township t ON t.code = e.township_code
             LEFT JOIN village v ON v.township_code = e.township_code AND v.name = e.village
             ORDER BY p.name, t.sort_order, e.village, e.id",
        )?;
        let rows = statement.query_map([], |r| {
            let paired_on: String = r.get(9)?;
            Ok(EnterprisePairing {
                id: r.get(0)?,
                purchaser_id: r.get(1)?,
                enterprise: r.get(2)?,
                township_code: r.get(3)?,
                township: r.get(4)?,
                village: r.get(5)?,
                deep_poverty: r.get(6)?,
                contact: r.get(7)?,
                phone: r.get(8)?,
                paired_on: NaiveDate::parse_from_str(&paired_on, "%Y-%m-%d")
                    .unwrap_or(NaiveDate::MIN),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a pairing; returns its id. Registers the enterprise as a purchaser (typed 民营企业,
    /// unconfirmed) when new. Errors (Chinese): empty enterprise or village, unknown township, the
    /// same enterprise and village already paired, or [`MAX_ENTERPRISE_PAIRINGS`] reached.
    pub fn add_enterprise_pairing(&mut self, draft: &PairingDraft) -> StoreResult<i64> {
        let draft = validated(draft)?;
        let tx = self.connection_mut().transaction()?;
        let count: i64 =
            tx.query_row("SELECT COUNT(*) FROM enterprise_pairing", [], |r| r.get(0))?;
        if count >= MAX_ENTERPRISE_PAIRINGS {
            return Err(StoreError::Invalid(format!(
                "结对已达{MAX_ENTERPRISE_PAIRINGS}对（“百企帮百村”为100家企业结对100个贫困村），不能再添加；请先删除不再结对的记录"
            )));
        }
        let purchaser_id = enterprise_purchaser(&tx, &draft.enterprise)?;
        check_township(&tx, &draft.township_code)?;
        check_not_paired(&tx, None, purchaser_id, &draft)?;
        let now = now_text();
        tx.execute(
            "INSERT INTO enterprise_pairing
                 (purchaser_id, township_code, village, contact, phone, paired_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![
                purchaser_id,
                draft.township_code,
                draft.village,
                draft.contact,
                draft.phone,
                draft.paired_on.to_string(),
                now
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Replaces pairing `id` with `draft` (the enterprise may change; a new name is registered).
    /// Errors as [`Store::add_enterprise_pairing`] (except the limit), and `NotFound`.
    pub fn update_enterprise_pairing(&mut self, id: i64, draft: &PairingDraft) -> StoreResult<()> {
        let draft = validated(draft)?;
        let tx = self.connection_mut().transaction()?;
        let purchaser_id = enterprise_purchaser(&tx, &draft.enterprise)?;
        check_township(&tx, &draft.township_code)?;
        check_not_paired(&tx, Some(id), purchaser_id, &draft)?;
        let changed = tx.execute(
            "UPDATE enterprise_pairing SET purchaser_id = ?2, township_code = ?3, village = ?4,
                 contact = ?5, phone = ?6, paired_on = ?7, updated_at = ?8
             WHERE id = ?1",
            params![
                id,
                purchaser_id,
                draft.township_code,
                draft.village,
                draft.contact,
                draft.phone,
                draft.paired_on.to_string(),
                now_text()
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes pairing `id` (the enterprise stays in the purchaser registry). `NotFound` if absent.
    pub fn delete_enterprise_pairing(&mut self, id: i64) -> StoreResult<()> {
        let changed = self
            .connection()
            .execute("DELETE FROM enterprise_pairing WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// Every pairing with its counted purchases in `year` from the paired village and in total
    /// (the rule is in this module's documentation). R11, 四(三).
    pub fn enterprise_pairing_purchases(&self, year: i32) -> StoreResult<Vec<PairingPurchases>> {
        let pairings = self.enterprise_pairings()?;
        let mut village_statement = self.connection().prepare_cached(
            "SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM sale
             WHERE purchaser_id = ?1 AND year = ?2 AND township_code = ?3 AND village = ?4
               AND same_sale_as IS NULL",
        )?;
        let mut total_statement = self.connection().prepare_cached(
            "SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) FROM sale
             WHERE purchaser_id = ?1 AND year = ?2 AND same_sale_as IS NULL",
        )?;
        let mut out = Vec::with_capacity(pairings.len());
        for pairing in pairings {
            let (village_fen, village_records): (i64, i64) = village_statement.query_row(
                params![
                    pairing.purchaser_id,
                    year,
                    pairing.township_code,
                    pairing.village
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let (total_fen, total_records): (i64, i64) = total_statement
                .query_row(params![pairing.purchaser_id, year], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            out.push(PairingPurchases {
                pairing,
                village_purchases: Money::from_fen(village_fen),
                village_records,
                enterprise_total: Money::from_fen(total_fen),
                enterprise_records: total_records,
            });
        }
        Ok(out)
    }
}

/// The draft trimmed, or a Chinese error for a missing enterprise or village.
fn validated(draft: &PairingDraft) -> StoreResult<PairingDraft> {
    let draft = PairingDraft {
        enterprise: draft.enterprise.trim().to_string(),
        township_code: draft.township_code.trim().to_string(),
        village: draft.village.trim().to_string(),
        contact: draft.contact.trim().to_string(),
        phone: draft.phone.trim().to_string(),
        paired_on: draft.paired_on,
    };
    if draft.enterprise.is_empty() {
        return Err(StoreError::Invalid("请填写企业名称".to_string()));
    }
    if draft.township_code.is_empty() {
        return Err(StoreError::Invalid(
            "请选择帮扶村所在乡镇(街道)".to_string(),
        ));
    }
    if draft.village.is_empty() {
        return Err(StoreError::Invalid("请填写帮扶村名称".to_string()));
    }
    Ok(draft)
}

/// The purchaser id of the enterprise, registering it (typed 民营企业, unconfirmed) when new.
fn enterprise_purchaser(conn: &rusqlite::Connection, name: &str) -> StoreResult<i64> {
    let existing: Option<i64> = conn
        .query_row("SELECT id FROM purchaser WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO purchaser (name, purchaser_type, confirmed) VALUES (?1, ?2, 0)",
        params![name, PurchaserType::PrivateEnterprise.name()],
    )?;
    Ok(conn.last_insert_rowid())
}

fn check_township(conn: &rusqlite::Connection, code: &str) -> StoreResult<()> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM township WHERE code = ?1)",
        [code],
        |r| r.get(0),
    )?;
    if known {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "没有代码为 {code} 的乡镇(街道)"
        )))
    }
}

fn check_not_paired(
    conn: &rusqlite::Connection,
    except: Option<i64>,
    purchaser_id: i64,
    draft: &PairingDraft,
) -> StoreResult<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM enterprise_pairing
             WHERE purchaser_id = ?1 AND township_code = ?2 AND village = ?3
               AND id IS NOT ?4)",
        params![purchaser_id, draft.township_code, draft.village, except],
        |r| r.get(0),
    )?;
    if exists {
        Err(StoreError::Invalid(format!(
            "“{}”已与{}结对，不能重复添加",
            draft.enterprise, draft.village
        )))
    } else {
        Ok(())
    }
}
