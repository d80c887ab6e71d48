//! Applying an import: one transaction per file; records from our own exports are updated by their
//! hidden 记录编号, others are matched by content fingerprint so the same file twice adds nothing.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::exports::{ExportCheck, ExportedRecords};
use super::listings::{insert_listing_in, listing_fingerprint, update_listing_in};
use super::sales::{PreparedContent, SaleWriter, sale_fingerprint, sale_match_key};
use super::{Store, StoreResult, now_text};
use crate::domain::sale::{FormKind, Listing, SaleRecord};
use crate::domain::{Channel, SubChannel};

/// One record of a file to import, with the id our exporter wrote for it (if any).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRecord {
    Sale {
        record_id: Option<i64>,
        record: SaleRecord,
    },
    Listing {
        record_id: Option<i64>,
        listing: Listing,
    },
}

/// The file an import writes, as the ledger records it (table `submission`).
#[derive(Debug, Clone, Copy)]
pub struct ImportedFile<'a> {
    /// 提交编号: the id our export wrote into the file, or a new one (`I-…`).
    pub submission_id: &'a str,
    /// The form of its first recognised sheet.
    pub kind: FormKind,
    /// Its 填报单位 ('' when it names none).
    pub unit: &'a str,
    /// Its name as reported.
    pub file_name: &'a str,
    /// Its 填报时间 / 填写日期 (附件1: the day its catalogue entries were last listed).
    pub reported_on: Option<chrono::NaiveDate>,
}

/// What happened to one record of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    /// A new record was added (its new id).
    Added(i64),
    /// An exported record came back changed and was updated.
    Updated(i64),
    /// An exported record came back unchanged.
    Unchanged(i64),
    /// The same content was already in the database (imported before): nothing added.
    Duplicate(i64),
    /// An exported record came back as it was exported, while the ledger's record has changed
    /// since (another township's correction of the same county-wide export, a correction in the
    /// program): the sender changed nothing, so nothing is written. Counted as unchanged.
    AsExported(i64),
    /// An exported record came back corrected, but the ledger's record was changed after the
    /// export by something else (in the program or by another file): the ledger keeps its newer
    /// content and the row is not applied. See [`ExportedRecords`].
    KeptNewer(i64),
    /// A corrected row whose hidden 记录编号 cannot be trusted: other rows of the file carry the
    /// exported content of a record other than the one their id names, so the hidden id column
    /// no longer lines up with the rows (cells deleted, inserted or sorted without the hidden
    /// columns). Which record the correction is for is unknown: nothing is written and the row
    /// is reported as an error.
    Misaligned(i64),
    /// A row without a record id whose content is what a stored record had before it was
    /// corrected (the township's original file imported again after the correction): it is that
    /// record; nothing is added (migration 0007's former keys).
    Superseded(i64),
}

impl ImportAction {
    /// The stored record the row is (repeated, updated, kept or refused), or `None` for a row
    /// added as a new record.
    pub fn stored_record(self) -> Option<i64> {
        match self {
            ImportAction::Added(_) => None,
            ImportAction::Updated(id)
            | ImportAction::Unchanged(id)
            | ImportAction::Duplicate(id)
            | ImportAction::AsExported(id)
            | ImportAction::KeptNewer(id)
            | ImportAction::Superseded(id)
            | ImportAction::Misaligned(id) => Some(id),
        }
    }
}

/// What an import would do or did, per record, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub actions: Vec<ImportAction>,
    /// Sales the plan adds (index into the records) for which the ledger already holds a sale
    /// of the same form, township, village, household, product and date, differing only in
    /// quantity or amount, that no row of the file took: likely the record the row corrects
    /// (a township's corrected form sent again without the hidden 记录编号). The row is still
    /// added; the warning [`SimilarSale::warning`] is stored with it and reported.
    pub similar: Vec<(usize, SimilarSale)>,
    /// Rows counted as a stored sale (duplicates by content) whose 采购单位 or 备注 differ from
    /// the stored ones (index into the records, Chinese warning): not applied, reported.
    pub differing: Vec<(usize, String)>,
    /// Warnings about the file as a whole, in Chinese: stored sales of the earlier file it sends
    /// again that it no longer holds (see `resent_file_check`).
    pub file_notes: Vec<String>,
    /// Same-sale pairs (rule 14: a 附件2 sale and a 附件3 purchase of the same goods, counted
    /// once) the import made between its records and the ledger's. Always 0 in a plan that was
    /// not applied.
    pub paired: usize,
}

/// A stored sale an added row looks like (see [`ImportPlan::similar`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimilarSale {
    pub id: i64,
    pub likeness: Likeness,
}

/// How an added row is like a stored sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Likeness {
    /// Same form, township, village, household, product and date; only quantity or amount
    /// differ: the stored sale's quantity as typed (e.g. `30斤`) and amount in 分.
    QuantityOrAmount {
        quantity_text: String,
        amount_fen: i64,
    },
    /// The row's content (quantity and amount too) but another 采购单位, in a file of another
    /// 填报单位: (its 采购单位, that 填报单位). Two buyers of the same goods on one day (several
    /// units buying a co-operative's festival packs) are two sales, so the row is added.
    OtherBuyer { purchaser: String, unit: String },
    /// A sale of an earlier file that this file sends again (most of its rows are that file's)
    /// and that no row of this file repeats, differing from the row in one of 村, 贫困户姓名,
    /// 产品品种 and date: likely the record the row corrects. `field` names it (`贫困户姓名`);
    /// `stored` and `file` are its two values; `source` names where the sale came from
    /// (`此前导入的“九月.xlsx”`, `本台账导出的表格`).
    OneField {
        field: &'static str,
        stored: String,
        file: String,
        source: String,
        description: String,
    },
}

impl SimilarSale {
    /// The row warning, in Chinese: what the stored sale holds and what to do.
    pub fn warning(&self) -> String {
        match &self.likeness {
            Likeness::OtherBuyer { purchaser, unit } => format!(
                "台账中已有同一地区、同一户、同一产品、同一天、同样数量和金额的记录，但采购单位是“{purchaser}”（{unit}报送），已作为另一笔采购导入；如两者是同一笔采购，请删除其中一条，以免重复计入"
            ),
            Likeness::QuantityOrAmount {
                quantity_text,
                amount_fen,
            } => format!(
                "台账中已有同一地区、同一户、同一产品、同一天的记录（数量“{quantity_text}”，金额{}元），只有数量或金额不同：如本行是对它的更正，请删除原记录，以免重复计入",
                crate::domain::Money::from_fen(*amount_fen),
            ),
            Likeness::OneField {
                field,
                stored,
                file,
                source,
                description,
            } => format!(
                "{source}中有一条记录（{description}）本文件中没有，它与本行只有{field}不同（原为“{stored}”，本行为“{file}”）：如本行是对它的更正，请删除原记录，以免重复计入"
            ),
        }
    }
}

/// A 填报单位 as compared between files: without spaces, the county's name in front
/// (`云阳县`, `县`) and a township's `人民政府`/`政府` at the end, so `泥溪镇人民政府` and
/// `泥溪镇政府` are one unit, and so are `云阳县教委` and `县教委`.
fn unit_for_comparison(unit: &str) -> String {
    let folded: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
    let folded = ["云阳县", "云阳", "县"]
        .iter()
        .find_map(|county| folded.strip_prefix(county))
        .unwrap_or(&folded);
    let folded = folded
        .strip_suffix("人民政府")
        .or_else(|| folded.strip_suffix("政府"))
        .unwrap_or(folded);
    folded.to_string()
}

impl ImportPlan {
    /// Count of (added, updated, unchanged, duplicates — superseded rows included); rows kept as
    /// the ledger has them
    /// ([`ImportAction::KeptNewer`]) are counted by [`ImportPlan::kept_newer`].
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for action in &self.actions {
            match action {
                ImportAction::Added(_) => counts.0 += 1,
                ImportAction::Updated(_) => counts.1 += 1,
                ImportAction::Unchanged(_) | ImportAction::AsExported(_) => counts.2 += 1,
                ImportAction::Duplicate(_) | ImportAction::Superseded(_) => counts.3 += 1,
                ImportAction::KeptNewer(_) | ImportAction::Misaligned(_) => {}
            }
        }
        counts
    }

    /// Rows with ids out of line with their content ([`ImportAction::Misaligned`]): reported as
    /// errors, nothing written.
    pub fn misaligned(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, ImportAction::Misaligned(_)))
            .count()
    }

    /// Rows not applied because the ledger's record changed after the file's export.
    pub fn kept_newer(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| matches!(a, ImportAction::KeptNewer(_)))
            .count()
    }
}

/// The text a stored sale is compared by when an export of it comes back (SQL over `sale`; the
/// Rust side is `sale_comparison_key`): fingerprint, purchaser and the typed texts.
pub(crate) const SALE_COMPARISON_SQL: &str = "fingerprint || char(31) || purchaser_id || char(31) || remark || char(31) || region_text || char(31) || date_text || char(31) || quantity_text";

/// The same for a listing (Rust side: `listing_comparison_key`).
pub(crate) const LISTING_COMPARISON_SQL: &str = "fingerprint || char(31) || contact || char(31) || remark || char(31) || shop_url || char(31) || supply_methods";

/// The record an exported id refers to, if it exists and has the right form.
fn existing_sale(conn: &Connection, id: i64, kind: FormKind) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SALE_COMPARISON_SQL} FROM sale WHERE id = ?1 AND form = ?2"
        ))?
        .query_row(params![id, kind.number()], |r| r.get(0))
        .optional()?)
}

/// The Rust side of [`LISTING_COMPARISON_SQL`].
pub(super) fn listing_comparison_key(listing: &Listing) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        listing_fingerprint(listing),
        listing.contact,
        listing.remark,
        listing.shop_url,
        listing.supply_methods.join("、")
    )
}

/// The channel the operator set by hand on record `id`, if any.
fn stored_channel_override(
    conn: &Connection,
    id: i64,
) -> StoreResult<Option<(Channel, Option<SubChannel>)>> {
    let stored: Option<(bool, String, String)> = conn
        .prepare_cached("SELECT channel_overridden, channel, sub_channel FROM sale WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match stored {
        Some((true, channel, sub_channel)) => {
            Channel::from_name(&channel).map(|c| (c, SubChannel::from_name(&sub_channel)))
        }
        _ => None,
    })
}

/// Stored sales given to rows of the file being planned. A stored sale stands for one row of a
/// file: two equal rows (the same household, product, day, quantity and amount) after a file
/// with one such sale add one, so the result does not depend on which file came first.
#[derive(Default)]
struct ClaimedSales {
    claimed: HashSet<i64>,
    /// Whether any sale has a former key (read once: usually none, then no lookups).
    any_former_key: Option<bool>,
    /// Per form (2, 3): whether the ledger holds any sale of it (read once: a new ledger's first
    /// import has nothing to match, then no lookups).
    any_sale_of_form: HashMap<i64, bool>,
    /// The file's 填报单位 ([`unit_for_comparison`]; empty when it names none).
    unit: String,
}

/// The warning of a row counted as a stored sale (same content) whose 采购单位 or 备注 differ
/// from the stored ones: the file's differing text is not applied (a duplicate writes nothing),
/// so the clerk is told where to correct it.
fn differing_note(record: &SaleRecord, purchaser: Option<&str>, remark: &str) -> Option<String> {
    let mut differences = Vec::new();
    if purchaser.is_some_and(|stored| stored != record.purchaser) {
        differences.push(format!(
            "采购单位（台账中为“{}”，本文件为“{}”）",
            purchaser.unwrap_or_default(),
            record.purchaser
        ));
    }
    if remark != record.remark {
        differences.push(format!(
            "备注（台账中为“{remark}”，本文件为“{}”）",
            record.remark
        ));
    }
    if differences.is_empty() {
        return None;
    }
    Some(format!(
        "与台账中已有记录相同，按已导入处理，未重复添加；但{}不同，未按本文件修改：如本行是更正，请在程序中修改该记录",
        differences.join("、")
    ))
}

/// The stored sales of one match-key range (same form, township, village, household, product
/// and date), each with whether its key is `?4`. `+form` keeps the planner on the
/// `sale_by_match_key` range: without statistics it would otherwise scan every sale of the form.
const SAME_DAY_SALES_SQL: &str = "SELECT id, match_key = ?4, quantity_text, amount_fen,
     (SELECT name FROM purchaser WHERE purchaser.id = sale.purchaser_id), remark,
     (SELECT unit FROM submission WHERE submission.id = sale.submission_id) FROM sale
     WHERE match_key >= ?1 AND match_key < ?2 AND +form = ?3";

/// The 填报单位 of the file a stored sale came from, if it came from an import.
fn stored_unit_of(conn: &Connection, id: i64) -> StoreResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.unit FROM sale JOIN submission s ON s.id = sale.submission_id
             WHERE sale.id = ?1 AND s.direction = 'import'",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

impl ClaimedSales {
    /// Whether the ledger holds any sale of form `kind` (looked up once per form).
    fn any_sale_of(&mut self, conn: &Connection, kind: FormKind) -> StoreResult<bool> {
        let form = kind.number();
        if let Some(any) = self.any_sale_of_form.get(&form) {
            return Ok(*any);
        }
        let any = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sale WHERE form = ?1)",
            [form],
            |r| r.get(0),
        )?;
        self.any_sale_of_form.insert(form, any);
        Ok(any)
    }

    /// A stored sale that had the content of `record` before it was corrected
    /// (`sale_former_key`) and that no row of this file took yet, now taken.
    fn take_former(&mut self, conn: &Connection, record: &SaleRecord) -> StoreResult<Option<i64>> {
        let any = match self.any_former_key {
            Some(any) => any,
            None => {
                let any =
                    conn.query_row("SELECT EXISTS (SELECT 1 FROM sale_former_key)", [], |r| {
                        r.get(0)
                    })?;
                self.any_former_key = Some(any);
                any
            }
        };
        if !any {
            return Ok(None);
        }
        let ids: Vec<i64> = conn
            .prepare_cached(
                "SELECT sale_id FROM sale_former_key WHERE match_key = ?1 AND form = ?2 ORDER BY sale_id",
            )?
            .query_map(params![sale_match_key(record), record.kind.number()], |r| {
                r.get(0)
            })?
            .collect::<Result<_, _>>()?;
        let free = ids.into_iter().find(|id| !self.claimed.contains(id));
        if let Some(id) = free {
            self.claimed.insert(id);
        }
        Ok(free)
    }

    /// Like [`ClaimedSales::take`], in the same one indexed lookup (a range of the
    /// `sale_by_match_key` index: the stored sales of the same form, township, village,
    /// household, product and date): the stored sale with the content of `record` that no row
    /// took yet, now taken; and, when there is none, the others of that range in id order (they
    /// differ only in quantity or amount: [`ImportPlan::similar`]).
    fn take_or_list_similar(
        &mut self,
        conn: &Connection,
        record: &SaleRecord,
    ) -> StoreResult<(Option<i64>, Vec<SimilarSale>, Option<String>)> {
        if !self.any_sale_of(conn, record.kind)? {
            return Ok((None, Vec::new(), None));
        }
        let key = sale_match_key(record);
        // The key up to and with the separator after the date; the range ends before the
        // next character.
        let Some(cut) = key
            .rfind('\u{1f}')
            .and_then(|last| key[..last].rfind('\u{1f}'))
        else {
            return Ok((self.take(conn, record)?, Vec::new(), None));
        };
        let end = format!("{}\u{20}", &key[..cut]);
        // No ORDER BY (see `take`): the few rows are sorted here.
        // (id, equal key, likeness, 采购单位, 备注, reported by the file's own unit)
        type Row = (i64, bool, SimilarSale, Option<String>, String, bool);
        let mut rows: Vec<Row> = conn
            .prepare_cached(SAME_DAY_SALES_SQL)?
            .query_map(params![&key[..=cut], end, record.kind.number(), key], |r| {
                let purchaser: Option<String> = r.get(4)?;
                let stored_unit: Option<String> = r.get(6)?;
                let own_unit = stored_unit
                    .as_deref()
                    .is_some_and(|unit| unit_for_comparison(unit) == self.unit);
                // Equal content bought by another buyer, reported by another unit.
                let other_buyer = match (&purchaser, stored_unit) {
                    (Some(stored), Some(unit))
                        if *stored != record.purchaser
                            && !self.unit.is_empty()
                            && !unit.trim().is_empty()
                            && unit_for_comparison(&unit) != self.unit =>
                    {
                        Some((stored.clone(), unit))
                    }
                    _ => None,
                };
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    SimilarSale {
                        id: r.get(0)?,
                        likeness: match other_buyer {
                            Some((purchaser, unit)) => Likeness::OtherBuyer { purchaser, unit },
                            None => Likeness::QuantityOrAmount {
                                quantity_text: r.get(2)?,
                                amount_fen: r.get(3)?,
                            },
                        },
                    },
                    purchaser,
                    r.get(5)?,
                    own_unit,
                ))
            })?
            .collect::<Result<_, _>>()?;
        rows.sort_by_key(|(id, ..)| *id);
        let other_buyer = |sale: &SimilarSale| matches!(sale.likeness, Likeness::OtherBuyer { .. });
        // Equal rows of the file (two deliveries on one day) may come back in another order: a
        // stored sale with the same 采购单位 and 备注 too is taken first.
        let takeable = |(id, equal, sale, ..): &&Row| {
            *equal && !other_buyer(sale) && !self.claimed.contains(id)
        };
        // A record the file's own unit reported comes before another unit's report of the same
        // goods (a resend with a corrected 采购单位 is its own record).
        let same_notes = |(.., purchaser, remark, _): &&Row| {
            differing_note(record, purchaser.as_deref(), remark).is_none()
        };
        let own = |row: &&Row| row.5;
        let chosen = rows
            .iter()
            .filter(takeable)
            .filter(own)
            .find(same_notes)
            .or_else(|| rows.iter().filter(takeable).find(own))
            .or_else(|| rows.iter().filter(takeable).find(same_notes))
            .or_else(|| rows.iter().find(takeable));
        if let Some((id, _, _, purchaser, remark, own_unit)) = chosen {
            let id = *id;
            self.claimed.insert(id);
            let note = differing_note(record, purchaser.as_deref(), remark);
            // Another unit's report of the same sale: counted once, and the office told.
            let note = match (note, *own_unit || self.unit.is_empty()) {
                (None, false) => stored_unit_of(conn, id)?
                    .filter(|unit| !unit.trim().is_empty())
                    .map(|unit| {
                        format!(
                            "与台账中{unit}报送的记录（同一采购单位、同一户、同一产品、同一天、同样数量和金额）相同，按同一笔计，未重复添加"
                        )
                    }),
                (note, _) => note,
            };
            return Ok((Some(id), Vec::new(), note));
        }
        Ok((
            None,
            rows.into_iter()
                .filter(|(id, equal, sale, ..)| {
                    !equal || (other_buyer(sale) && !self.claimed.contains(id))
                })
                .map(|(_, _, sale, ..)| sale)
                .collect(),
            None,
        ))
    }

    /// A stored sale with the content of `record` (form + match key, by the match-key index)
    /// that no row of this file took yet, now taken. The common case is one indexed lookup (no
    /// `ORDER BY`: it made the 100,000-row plan ten times slower); only a second equal row of
    /// the file reads all equal stored sales, in id order.
    fn take(&mut self, conn: &Connection, record: &SaleRecord) -> StoreResult<Option<i64>> {
        let key = sale_match_key(record);
        let form = record.kind.number();
        let first: Option<i64> = conn
            .prepare_cached("SELECT id FROM sale WHERE match_key = ?1 AND form = ?2 LIMIT 1")?
            .query_row(params![key, form], |r| r.get(0))
            .optional()?;
        let Some(first) = first else {
            return Ok(None);
        };
        if self.claimed.insert(first) {
            return Ok(Some(first));
        }
        // Equal rows in the file: the next stored equal sale, if any is left.
        let ids: Vec<i64> = conn
            .prepare_cached("SELECT id FROM sale WHERE match_key = ?1 AND form = ?2 ORDER BY id")?
            .query_map(params![key, form], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let free = ids.into_iter().find(|id| !self.claimed.contains(id));
        if let Some(id) = free {
            self.claimed.insert(id);
        }
        Ok(free)
    }
}

/// A listing whose content was `fingerprint` before it was corrected.
fn listing_with_former_fingerprint(
    conn: &Connection,
    fingerprint: &str,
) -> StoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT listing_id FROM listing_former_fingerprint WHERE fingerprint = ?1 LIMIT 1",
        )?
        .query_row([fingerprint], |r| r.get(0))
        .optional()?)
}

/// The stored 附件1 listing of the same township, village, household and product as `listing`
/// (the first by id that no other row of the file took), if any: a catalogue sent again updates
/// its entries (a household lists each product once; 附件1 is resubmitted when prices or
/// quantities change).
fn same_product_listing(
    conn: &Connection,
    listing: &Listing,
    claimed: &HashSet<i64>,
) -> StoreResult<Option<i64>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM listing WHERE township_code = ?1 AND household = ?2 AND product = ?3
             AND village = ?4 ORDER BY id",
        )?
        .query_map(
            params![
                listing.township_code,
                listing.household,
                listing.product,
                listing.village
            ],
            |r| r.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(ids.into_iter().find(|id| !claimed.contains(id)))
}

fn listing_with_fingerprint(conn: &Connection, fingerprint: &str) -> StoreResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM listing WHERE fingerprint = ?1 LIMIT 1")?
        .query_row([fingerprint], |r| r.get(0))
        .optional()?)
}

pub(super) fn sale_comparison_key(conn: &Connection, record: &SaleRecord) -> StoreResult<String> {
    let purchaser_id: Option<i64> = conn
        .prepare_cached("SELECT id FROM purchaser WHERE name = ?1")?
        .query_row([&record.purchaser], |r| r.get(0))
        .optional()?;
    // The amount's text is left out: an export writes amounts as numbers, so `90元` comes back as
    // `90`; the amount itself is in the fingerprint.
    Ok(format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        sale_fingerprint(record),
        purchaser_id.map(|id| id.to_string()).unwrap_or_default(),
        record.remark,
        record.region_text,
        record.date_text,
        record.quantity_text,
    ))
}

/// The visible columns of a 附件2/3 row, in the form's order (采购单位, 销售时间, 地区, 贫困户姓名,
/// 产品品种, 销售数量, 销售金额 in 分, 备注): of an incoming row, or of a stored record as
/// [`super::sales::sale_in`] reads it.
fn visible_columns(record: &SaleRecord) -> [String; 8] {
    [
        record.purchaser.clone(),
        record.date_text.clone(),
        record.region_text.clone(),
        record.household.clone(),
        record.product.clone(),
        record.quantity_text.clone(),
        record.amount.to_fen().to_string(),
        record.remark.clone(),
    ]
}

/// Turns the corrections of an export into [`ImportAction::Misaligned`] when they are one
/// column sorted on its own (Excel's 以当前选定区域排序): three or more rows each change only
/// that column, and their new values are the old ones in another order (one in four may also
/// have been corrected after the sort). Real corrections of several rows (`90` → `95`, `250` →
/// `260`) never are; the records are left as they are and the rows reported, instead of
/// 销售金额 moving between households.
fn one_column_sorted_alone(
    conn: &Connection,
    records: &[ImportRecord],
    actions: &mut [Option<ImportAction>],
) -> StoreResult<()> {
    let mut column: Option<usize> = None;
    let mut moved: Vec<(usize, i64)> = Vec::new();
    let (mut new_values, mut old_values) = (Vec::new(), Vec::new());
    for (index, (record, action)) in records.iter().zip(actions.iter()).enumerate() {
        let (Some(ImportAction::Updated(id)), ImportRecord::Sale { record, .. }) = (action, record)
        else {
            continue;
        };
        let Some(stored) = super::sales::sale_in(conn, *id)? else {
            continue;
        };
        let stored = visible_columns(&stored.record);
        let incoming = visible_columns(record);
        let mut changed = (0..stored.len()).filter(|&c| stored[c] != incoming[c]);
        let (Some(only), None) = (changed.next(), changed.next()) else {
            return Ok(());
        };
        if column.is_some_and(|column| column != only) {
            return Ok(());
        }
        column = Some(only);
        moved.push((index, *id));
        new_values.push(incoming[only].clone());
        old_values.push(stored[only].clone());
    }
    new_values.sort_unstable();
    old_values.sort_unstable();
    // New values that are none of the old ones (a value also corrected after the sort).
    let (mut common, mut old) = (0, old_values.iter().peekable());
    for value in &new_values {
        while old.next_if(|old| *old < value).is_some() {}
        if old.next_if(|old| *old == value).is_some() {
            common += 1;
        }
    }
    let corrected = moved.len() - common;
    if moved.len() >= 3 && corrected <= moved.len() / 4 {
        for (index, id) in moved {
            actions[index] = Some(ImportAction::Misaligned(id));
        }
    }
    Ok(())
}

/// Decides, without writing, what each record would do (the preview), in three passes:
/// 1. rows carrying the id of a stored record (trusted by the importer) with the same content:
///    that record, unchanged;
/// 2. the other rows carrying such an id: a correction of it (updated, kept or refused by
///    `ExportCheck`), or, when the content is exactly another stored record's (ids left
///    behind by a sort), that record;
/// 3. rows without id: a duplicate when a stored record with the same content is left that no
///    other row took ([`ClaimedSales`]), [`ImportAction::Superseded`] when a record had that
///    content before a correction, otherwise added.
///
/// Each stored record is claimed by one row at most, so equal sales are counted, and rows with
/// ids claim their records before rows without.
fn plan_in(
    conn: &Connection,
    records: &[ImportRecord],
    exported: &ExportedRecords,
    unit: &str,
) -> StoreResult<ImportPlan> {
    let mut claimed = ClaimedSales {
        unit: unit_for_comparison(unit),
        ..ClaimedSales::default()
    };
    let mut sale_check = ExportCheck::new(&exported.exported_sales, &exported.changed_sales);
    let mut listing_check =
        ExportCheck::new(&exported.exported_listings, &exported.changed_listings);
    // First the rows that are their stored record unchanged: no other row may take it. And
    // whether the hidden ids still line up with the rows.
    let mut unchanged: Vec<Option<i64>> = vec![None; records.len()];
    for (slot, record) in unchanged.iter_mut().zip(records) {
        match record {
            ImportRecord::Sale {
                record_id: Some(id),
                record,
            } => {
                let comparison = sale_comparison_key(conn, record)?;
                sale_check.note(*id, &comparison);
                if existing_sale(conn, *id, record.kind)?.as_deref() == Some(comparison.as_str()) {
                    claimed.claimed.insert(*id);
                    *slot = Some(*id);
                }
            }
            ImportRecord::Listing {
                record_id: Some(id),
                listing,
            } => listing_check.note(*id, &listing_comparison_key(listing)),
            _ => {}
        }
    }
    // Then the other rows that name a stored record: each is that record (corrected, or as
    // exported) or, when its content is exactly another stored record's, that one. They claim
    // their records before rows without ids look for equal content.
    let mut actions: Vec<Option<ImportAction>> = unchanged
        .into_iter()
        .map(|id| id.map(ImportAction::Unchanged))
        .collect();
    for (slot, record) in actions.iter_mut().zip(records) {
        if slot.is_some() {
            continue;
        }
        let ImportRecord::Sale {
            record_id: Some(id),
            record,
        } = record
        else {
            continue;
        };
        if existing_sale(conn, *id, record.kind)?.is_none() {
            continue;
        }
        // A row whose content is exactly another stored record's carries the wrong id (hidden
        // columns left behind by a sort, ids swapped): it is that record, not a correction of
        // record `id`.
        let action = match claimed.take(conn, record)? {
            Some(other) if other != *id => ImportAction::Duplicate(other),
            _ => sale_check.decide(*id, &sale_comparison_key(conn, record)?),
        };
        match action {
            ImportAction::Updated(x) | ImportAction::KeptNewer(x) | ImportAction::AsExported(x) => {
                claimed.claimed.insert(x);
            }
            _ => {}
        }
        *slot = Some(action);
    }
    one_column_sorted_alone(conn, records, &mut actions)?;
    let mut planned = Vec::with_capacity(records.len());
    // Stored listings a row without id took (same content, or the same product updated).
    let mut claimed_listings: HashSet<i64> = HashSet::new();
    // Per added sale (index), the stored sales that differ only in quantity or amount.
    let mut similar_candidates: Vec<(usize, Vec<SimilarSale>)> = Vec::new();
    // Per duplicate sale (index), what the file says differently ([`ImportPlan::differing`]).
    let mut differing: Vec<(usize, String)> = Vec::new();
    for (record, action) in records.iter().zip(actions) {
        if let Some(action) = action {
            planned.push(action);
            continue;
        }
        let action = match record {
            ImportRecord::Sale { record, .. } => {
                let (exact, others, note) = claimed.take_or_list_similar(conn, record)?;
                if let Some(note) = note {
                    differing.push((planned.len(), note));
                }
                match exact {
                    Some(id) => ImportAction::Duplicate(id),
                    None => match claimed.take_former(conn, record)? {
                        Some(id) => ImportAction::Superseded(id),
                        None => {
                            if !others.is_empty() {
                                similar_candidates.push((planned.len(), others));
                            }
                            ImportAction::Added(0)
                        }
                    },
                }
            }
            ImportRecord::Listing { record_id, listing } => {
                let exists: Option<i64> = match record_id {
                    Some(id) => conn
                        .prepare_cached("SELECT id FROM listing WHERE id = ?1")?
                        .query_row([id], |r| r.get(0))
                        .optional()?,
                    None => None,
                };
                match exists {
                    Some(id) => {
                        let stored: String = conn
                            .prepare_cached(&format!(
                                "SELECT {LISTING_COMPARISON_SQL} FROM listing WHERE id = ?1"
                            ))?
                            .query_row([id], |r| r.get(0))?;
                        let incoming = listing_comparison_key(listing);
                        if stored == incoming {
                            ImportAction::Unchanged(id)
                        } else {
                            listing_check.decide(id, &incoming)
                        }
                    }
                    None => {
                        let fingerprint = listing_fingerprint(listing);
                        match listing_with_fingerprint(conn, &fingerprint)? {
                            Some(id) => {
                                claimed_listings.insert(id);
                                ImportAction::Duplicate(id)
                            }
                            None => match listing_with_former_fingerprint(conn, &fingerprint)? {
                                Some(id) => ImportAction::Superseded(id),
                                None => {
                                    match same_product_listing(conn, listing, &claimed_listings)? {
                                        // A catalogue sent again with a new price or quantity: the
                                        // household's product is updated, not listed twice.
                                        Some(id) => {
                                            claimed_listings.insert(id);
                                            ImportAction::Updated(id)
                                        }
                                        None => ImportAction::Added(0),
                                    }
                                }
                            },
                        }
                    }
                }
            }
        };
        planned.push(action);
    }
    // A stored sale another row of the file took is that row's, not the one this row corrects.
    let mut similar: Vec<(usize, SimilarSale)> = similar_candidates
        .into_iter()
        .filter_map(|(index, others)| {
            others
                .into_iter()
                .find(|sale| !claimed.claimed.contains(&sale.id))
                .map(|sale| (index, sale))
        })
        .collect();
    let mut file_notes = resent_file_check(conn, records, &planned, exported, &mut similar)?;
    file_notes.extend(resent_catalogue_check(
        conn,
        records,
        &planned,
        &exported.rejected_listings,
    )?);
    Ok(ImportPlan {
        actions: planned,
        similar,
        differing,
        file_notes,
        paired: 0,
    })
}

/// A stored sale of an earlier file (or export) that the file being imported sends again.
struct LeftOut {
    id: i64,
    township_code: String,
    /// [`sale_match_key`] parts: township, village, household, product, date, quantity, amount.
    key: String,
    description: String,
    /// 贫困户姓名 and 产品品种 as stored.
    household_product: (String, String),
}

/// Which parts of a match key ([`sale_match_key`]) a correction may change, by their column.
const KEY_FIELDS: [(usize, &str); 4] = [(1, "村"), (2, "贫困户姓名"), (3, "产品品种"), (4, "时间")];

/// Sets the day a 附件1 listed catalogue entry `id` (its 填写日期; `None` leaves it unset, so
/// the entry's save day counts).
fn listed_on_in(conn: &Connection, id: i64, day: Option<chrono::NaiveDate>) -> StoreResult<()> {
    if let Some(day) = day {
        conn.prepare_cached("UPDATE listing SET reported_on = ?2 WHERE id = ?1")?
            .execute(params![id, day.to_string()])?;
    }
    Ok(())
}

/// A 附件1 catalogue sent again (备注1 of 附件1: at least monthly) that no longer lists some of
/// the stored entries of its villages: one file note per village listing them, since the price
/// check still uses them and only the operator may delete them. A village counts as sent again
/// when the file repeats or updates at least half of its stored entries (a supplement adding a
/// few products says nothing); villages the file does not name are not looked at. Entries whose
/// row is in the file but rejected (`rejected_in_file`, by hidden 记录编号) are not listed.
/// Nothing is deleted.
fn resent_catalogue_check(
    conn: &Connection,
    records: &[ImportRecord],
    planned: &[ImportAction],
    rejected_in_file: &HashSet<i64>,
) -> StoreResult<Vec<String>> {
    let mut repeated: HashSet<i64> = HashSet::new();
    // (township code, village) in file order, each once.
    let mut villages: Vec<(&str, &str)> = Vec::new();
    for (record, action) in records.iter().zip(planned) {
        let ImportRecord::Listing { listing, .. } = record else {
            continue;
        };
        let village = (listing.township_code.as_str(), listing.village.as_str());
        if !villages.contains(&village) {
            villages.push(village);
        }
        repeated.extend(action.stored_record());
    }
    const LISTED: usize = 5;
    let mut notes = Vec::new();
    for (township_code, village) in villages {
        let stored: Vec<(i64, String, String)> = conn
            .prepare_cached(
                "SELECT l.id, l.household || ' ' || l.product, t.name
                 FROM listing l JOIN township t ON t.code = l.township_code
                 WHERE l.township_code = ?1 AND l.village = ?2 ORDER BY l.id",
            )?
            .query_map(params![township_code, village], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let left_out: Vec<&(i64, String, String)> = stored
            .iter()
            .filter(|(id, ..)| !repeated.contains(id) && !rejected_in_file.contains(id))
            .collect();
        let repeated_here = stored.len() - left_out.len();
        if left_out.is_empty() || repeated_here * 2 < stored.len() {
            continue;
        }
        let township = left_out
            .first()
            .map(|(_, _, township)| township.as_str())
            .unwrap_or_default();
        let mut listed: Vec<&str> = left_out
            .iter()
            .take(LISTED)
            .map(|(_, entry, _)| entry.as_str())
            .collect();
        if left_out.len() > LISTED {
            listed.push("……");
        }
        notes.push(format!(
            "台账中{township}{village}的待销目录（附件1）有{}条本文件中没有：{}。台账中仍保留这些条目，价格核对仍按它们；如已不再供应，请在“待销目录”中删除",
            left_out.len(),
            listed.join("；")
        ));
    }
    Ok(notes)
}

/// A file sent again after a correction: the stored sales of the earlier files that the file
/// repeats (at least half of each, in the file's townships), and of the exports of this ledger
/// it comes from, that no row of the file repeats now. Each added row that differs from one of
/// them only in 村, 贫困户姓名, 产品品种 or date gets a [`Likeness::OneField`] warning (the clerk
/// corrected it); the others are listed in one file note each per earlier file: the clerk may
/// have deleted them from the form, and the ledger still counts them. Records whose row is in
/// the file but rejected ([`ExportedRecords::rejected_sales`]) are not listed. Nothing is
/// deleted.
fn resent_file_check(
    conn: &Connection,
    records: &[ImportRecord],
    planned: &[ImportAction],
    exported: &ExportedRecords,
    similar: &mut Vec<(usize, SimilarSale)>,
) -> StoreResult<Vec<String>> {
    let mut repeated: HashSet<i64> = HashSet::new();
    let mut townships: HashSet<&str> = HashSet::new();
    let mut form = None;
    for (record, action) in records.iter().zip(planned) {
        let ImportRecord::Sale { record, .. } = record else {
            continue;
        };
        form = Some(record.kind.number());
        townships.insert(record.township_code.as_str());
        repeated.extend(action.stored_record());
    }
    let Some(form) = form else {
        return Ok(Vec::new());
    };
    if repeated.is_empty() && exported.exported_sales.is_empty() {
        return Ok(Vec::new());
    }
    // The earlier files the repeated rows came from, most repeated first.
    let mut earlier: HashMap<String, usize> = HashMap::new();
    {
        let mut statement = conn.prepare_cached("SELECT submission_id FROM sale WHERE id = ?1")?;
        for id in &repeated {
            if let Some(Some(submission)) = statement
                .query_row([id], |r| r.get::<_, Option<String>>(0))
                .optional()?
            {
                *earlier.entry(submission).or_default() += 1;
            }
        }
    }
    let mut earlier: Vec<(String, usize)> = earlier.into_iter().collect();
    earlier.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    const SELECT_LEFT_OUT: &str = "SELECT id, township_code, match_key, household, product,
         date, quantity_text, amount_fen FROM sale";
    let left_out_row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<LeftOut> {
        let household: String = r.get(3)?;
        let product: String = r.get(4)?;
        let date: String = r.get(5)?;
        let quantity: String = r.get(6)?;
        let amount = crate::domain::Money::from_fen(r.get(7)?);
        Ok(LeftOut {
            id: r.get(0)?,
            township_code: r.get(1)?,
            key: r.get(2)?,
            description: format!("{household} {product} {date} {quantity} {amount}元"),
            household_product: (household, product),
        })
    };
    // A sale whose row is in the file but rejected is not left out of it.
    let rejected_in_file = |sale: &LeftOut| {
        exported.rejected_sales.contains(&sale.id)
            || exported
                .rejected_household_products
                .contains(&sale.household_product)
    };
    let in_scope = |sale: &LeftOut| {
        !repeated.contains(&sale.id)
            && !rejected_in_file(sale)
            && townships.contains(sale.township_code.as_str())
    };
    // (where the sales came from, for messages; its left-out sales)
    let mut groups: Vec<(String, Vec<LeftOut>)> = Vec::new();
    for (submission, repeated_count) in &earlier {
        // Only imported files (an export's rows are checked below, by the export's own list).
        let Some(file_name) = conn
            .prepare_cached(
                "SELECT file_name FROM submission WHERE id = ?1 AND direction = 'import'",
            )?
            .query_row([submission], |r| r.get::<_, String>(0))
            .optional()?
        else {
            continue;
        };
        let mut of_townships = 0;
        // Its sales whose rows are in the file but rejected: repeated, as far as a resend goes.
        let mut rejected_here = 0;
        let mut left_out: Vec<LeftOut> = Vec::new();
        let mut statement = conn.prepare_cached(&format!(
            "{SELECT_LEFT_OUT} WHERE submission_id = ?1 AND form = ?2 ORDER BY id"
        ))?;
        let mut rows = statement.query(params![submission, form])?;
        while let Some(row) = rows.next()? {
            // Most rows were repeated: only the others are read whole.
            let township: String = row.get(1)?;
            if !townships.contains(township.as_str()) {
                continue;
            }
            of_townships += 1;
            if repeated.contains(&row.get::<_, i64>(0)?) {
                continue;
            }
            let sale = left_out_row(row)?;
            // A file exported from this ledger holds what its export held (one quarter, say),
            // not the whole of the files its records came from.
            let held = exported.exported_sales.is_empty()
                || exported.exported_sales.contains_key(&sale.id);
            if rejected_in_file(&sale) {
                rejected_here += 1;
            } else if held {
                left_out.push(sale);
            }
        }
        // Only a file that repeats at least half of the earlier one is that file sent again; a
        // file sharing a few rows with it (months overlapping, a supplement) says nothing.
        if (repeated_count + rejected_here) * 2 < of_townships {
            continue;
        }
        if !left_out.is_empty() {
            groups.push((format!("此前导入的“{file_name}”"), left_out));
        }
    }
    // Exported records the file's export sheets no longer hold.
    let mut exported_ids: Vec<i64> = exported.exported_sales.keys().copied().collect();
    exported_ids.sort_unstable();
    let listed: HashSet<i64> = groups
        .iter()
        .flat_map(|(_, left_out)| left_out.iter().map(|sale| sale.id))
        .collect();
    let mut from_exports = Vec::new();
    for id in exported_ids {
        if repeated.contains(&id) || listed.contains(&id) {
            continue;
        }
        let sale = conn
            .prepare_cached(&format!("{SELECT_LEFT_OUT} WHERE id = ?1 AND form = ?2"))?
            .query_row(params![id, form], left_out_row)
            .optional()?;
        if let Some(sale) = sale.filter(in_scope) {
            from_exports.push(sale);
        }
    }
    if !from_exports.is_empty() {
        groups.push(("本台账导出的表格".to_string(), from_exports));
    }
    // Added rows that differ from a left-out sale in one field: likely its correction. A
    // left-out sale a row already names (quantity or amount corrected) is explained too.
    let flagged: HashSet<usize> = similar.iter().map(|(index, _)| *index).collect();
    let mut explained: HashSet<i64> = similar.iter().map(|(_, sale)| sale.id).collect();
    for (index, (record, action)) in records.iter().zip(planned).enumerate() {
        let (ImportRecord::Sale { record, .. }, ImportAction::Added(_)) = (record, action) else {
            continue;
        };
        if flagged.contains(&index) {
            continue;
        }
        let key = sale_match_key(record);
        let parts: Vec<&str> = key.split('\u{1f}').collect();
        'groups: for (source, left_out) in &groups {
            for sale in left_out {
                if explained.contains(&sale.id) {
                    continue;
                }
                let stored: Vec<&str> = sale.key.split('\u{1f}').collect();
                if stored.len() != parts.len() || stored.first() != parts.first() {
                    continue;
                }
                let differing: Vec<usize> = (1..parts.len())
                    .filter(|&i| stored.get(i) != parts.get(i))
                    .collect();
                let [only] = differing.as_slice() else {
                    continue;
                };
                let Some((_, field)) = KEY_FIELDS.iter().find(|(i, _)| i == only) else {
                    continue;
                };
                explained.insert(sale.id);
                similar.push((
                    index,
                    SimilarSale {
                        id: sale.id,
                        likeness: Likeness::OneField {
                            field,
                            stored: stored.get(*only).copied().unwrap_or("").to_string(),
                            file: parts.get(*only).copied().unwrap_or("").to_string(),
                            source: source.clone(),
                            description: sale.description.clone(),
                        },
                    },
                ));
                break 'groups;
            }
        }
    }
    similar.sort_by_key(|(index, _)| *index);
    const LISTED: usize = 5;
    let mut notes = Vec::new();
    for (source, left_out) in groups {
        let left: Vec<&LeftOut> = left_out
            .iter()
            .filter(|sale| !explained.contains(&sale.id))
            .collect();
        if left.is_empty() {
            continue;
        }
        let mut listed: Vec<&str> = left
            .iter()
            .take(LISTED)
            .map(|sale| sale.description.as_str())
            .collect();
        if left.len() > LISTED {
            listed.push("……");
        }

        notes.push(format!(
            "{source}中有{}条同乡镇的记录本文件中没有：{}。台账中仍保留并计入这些记录；如本文件是更正后的重报、这些记录已删去，请在程序中删除它们",
            left.len(),
            listed.join("；")
        ));
    }
    Ok(notes)
}

/// Writes the `records` of `file` as `planned` (adds, updates, listing dates) with `writer`
/// inside the import's transaction (`conn`); returns what was done to each. `similar`: by
/// record index, the stored record an added sale likely corrects (its warning is added). With
/// `prepare_ahead`, the added sales' text columns are computed on another thread
/// ([`send_prepared_sales`]) while SQLite writes the rows before them.
fn write_planned(
    writer: &mut SaleWriter<'_>,
    conn: &Connection,
    file: &ImportedFile<'_>,
    records: &[ImportRecord],
    planned: &[ImportAction],
    similar: &HashMap<usize, &SimilarSale>,
    prepare_ahead: bool,
) -> StoreResult<Vec<ImportAction>> {
    let (submission_id, reported_on) = (file.submission_id, file.reported_on);
    std::thread::scope(|scope| {
        let ahead = prepare_ahead.then(|| {
            let (sender, receiver) = std::sync::mpsc::sync_channel(4);
            scope.spawn(move || send_prepared_sales(records, planned, &sender));
            receiver
        });
        let mut prepared = ahead.iter().flat_map(|receiver| receiver.iter()).flatten();
        let mut actions = Vec::with_capacity(planned.len());
        let planned_actions = planned.iter().copied();
        for (index, (record, action)) in records.iter().zip(planned_actions).enumerate() {
            let done = match (record, action) {
                (ImportRecord::Sale { record, .. }, ImportAction::Added(_)) => {
                    let ahead = prepared.next();
                    // The warning of a likely correction stays with the record.
                    match similar.get(&index) {
                        Some(similar) => {
                            let mut record = record.clone();
                            record.warnings.push(similar.warning());
                            ImportAction::Added(writer.insert(&record, Some(submission_id))?)
                        }
                        None => ImportAction::Added(writer.insert_prepared(
                            record,
                            ahead,
                            Some(submission_id),
                        )?),
                    }
                }
                (ImportRecord::Sale { record, .. }, ImportAction::Updated(id)) => {
                    // A file cannot carry the operator's channel override: keep it.
                    match stored_channel_override(conn, id)? {
                        Some(stored) if record.channel_override.is_none() => {
                            let mut record = record.clone();
                            record.channel_override = Some(stored);
                            writer.update(id, &record, Some(submission_id))?;
                        }
                        _ => writer.update(id, record, Some(submission_id))?,
                    }
                    ImportAction::Updated(id)
                }
                (ImportRecord::Listing { listing, .. }, ImportAction::Added(_)) => {
                    let id = insert_listing_in(conn, listing, Some(submission_id))?;
                    listed_on_in(conn, id, reported_on)?;
                    ImportAction::Added(id)
                }
                (ImportRecord::Listing { listing, .. }, ImportAction::Updated(id)) => {
                    update_listing_in(conn, id, listing, Some(submission_id))?;
                    listed_on_in(conn, id, reported_on)?;
                    ImportAction::Updated(id)
                }
                // The form lists the entry again as it is: the township confirmed it then.
                (
                    ImportRecord::Listing { .. },
                    action @ (ImportAction::Duplicate(id)
                    | ImportAction::Unchanged(id)
                    | ImportAction::AsExported(id)
                    | ImportAction::Superseded(id)),
                ) => {
                    if let Some(day) = reported_on {
                        conn.prepare_cached(
                            "UPDATE listing SET reported_on = ?2
                         WHERE id = ?1 AND COALESCE(reported_on, substr(updated_at, 1, 10)) < ?2",
                        )?
                        .execute(params![id, day.to_string()])?;
                    }
                    action
                }
                (_, other) => other,
            };
            actions.push(done);
        }
        Ok(actions)
    })
}

/// Sends the [`PreparedContent`] of the sales that `planned` adds, in order, in chunks of
/// [`PREPARE_AHEAD_CHUNK`]; stops early when the writer has stopped (an error).
fn send_prepared_sales(
    records: &[ImportRecord],
    planned: &[ImportAction],
    sender: &std::sync::mpsc::SyncSender<Vec<PreparedContent>>,
) {
    let added = records.iter().zip(planned).filter_map(|pair| match pair {
        (ImportRecord::Sale { record, .. }, ImportAction::Added(_)) => Some(record),
        _ => None,
    });
    let mut chunk = Vec::with_capacity(PREPARE_AHEAD_CHUNK);
    for record in added {
        chunk.push(PreparedContent::of(record));
        if chunk.len() == PREPARE_AHEAD_CHUNK {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(PREPARE_AHEAD_CHUNK));
            if sender.send(full).is_err() {
                return;
            }
        }
    }
    let _ = sender.send(chunk);
}

/// From this many sales to add, their text columns are prepared on another thread while SQLite
/// writes the rows ([`PreparedContent`]); below it the thread costs more than it saves.
const PREPARE_AHEAD_MIN_ROWS: usize = 2_000;

/// Sales prepared per message to the writing thread.
const PREPARE_AHEAD_CHUNK: usize = 1_024;

impl Store {
    /// What importing `records` would do, without writing anything (for the preview).
    /// `exported`: what the file's exports say about the records it names
    /// ([`ExportedRecords`]); `unit`: the file's 填报单位 ('' when it names none), which tells a
    /// file sent again by the same unit from another unit's report of the same goods.
    pub fn plan_import(
        &self,
        records: &[ImportRecord],
        exported: &ExportedRecords,
        unit: &str,
    ) -> StoreResult<ImportPlan> {
        plan_in(self.connection(), records, exported, unit)
    }

    /// Imports `records` of one file in one transaction (all or nothing): adds new records,
    /// updates changed exported ones, skips duplicates. Records the submission (see
    /// [`ImportedFile`]) unless it is already known (an export of this database keeps its
    /// `export` row, so its ids stay trusted on the next re-import). Returns what happened to
    /// each record.
    pub fn apply_import(
        &mut self,
        file: &ImportedFile<'_>,
        records: &[ImportRecord],
        exported: &ExportedRecords,
    ) -> StoreResult<ImportPlan> {
        let ImportedFile {
            submission_id,
            kind,
            unit,
            file_name,
            reported_on: _,
        } = *file;
        let started = std::time::Instant::now();
        let phase = |name: &str| {
            tracing::debug!(
                phase = name,
                seconds = started.elapsed().as_secs_f64(),
                "import: store"
            );
        };
        self.with_checkpoint_in_background(|conn| {
        let tx = conn.transaction()?;
        let ImportPlan {
            actions: planned,
            similar,
            differing,
            file_notes,
            paired: _,
        } = plan_in(&tx, records, exported, unit)?;
        phase("planned");
        tx.execute(
            "INSERT OR IGNORE INTO submission (id, form, direction, unit, file_name, created_at) VALUES (?1, ?2, 'import', ?3, ?4, ?5)",
            params![submission_id, kind.number(), unit, file_name, now_text()],
        )?;
        // New rows are added to the dashboard's summary in one go at the end (bulk writer).
        let similar_by_index: std::collections::HashMap<usize, &SimilarSale> =
            similar.iter().map(|(index, sale)| (*index, sale)).collect();
        // A write that only adds sales may set the sale indexes aside (see `bulk_in`); an
        // update looks its pairs up through them.
        let count_sales = |wanted: fn(&ImportAction) -> bool| {
            records
                .iter()
                .zip(&planned)
                .filter(|(record, action)| matches!(record, ImportRecord::Sale { .. }) && wanted(action))
                .count()
        };
        let sales_to_add = match count_sales(|action| matches!(action, ImportAction::Updated(_))) {
            0 => count_sales(|action| matches!(action, ImportAction::Added(_))),
            _ => 0,
        };
        let actions = SaleWriter::bulk_in(&tx, sales_to_add, |writer| {
            let prepare_ahead = sales_to_add >= PREPARE_AHEAD_MIN_ROWS;
            write_planned(writer, &tx, file, records, &planned, &similar_by_index, prepare_ahead)
        })?;
        phase("rows written");
        // Sales added or changed: only pairs with one of them on a side can be new.
        let touched: Vec<(i64, &SaleRecord)> = records
            .iter()
            .zip(&actions)
            .filter_map(|(record, action)| match (record, action) {
                (
                    ImportRecord::Sale { record, .. },
                    ImportAction::Added(id) | ImportAction::Updated(id),
                ) => Some((*id, record)),
                _ => None,
            })
            .collect();
        let paired = super::sales::pair_exact_same_sales_touching_in(&tx, &touched)?;
        super::reconcile::reapply_pairing_decisions_in(&tx)?;
        phase("paired");
        tx.commit()?;
        phase("committed");
        Ok(ImportPlan {
            actions,
            similar,
            differing,
            file_notes,
            paired,
        })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    /// A `sale_summary` row: year, month, form, township, village, channel, sub-channel, fen, count.
    type SummaryRow = (i64, i64, i64, String, String, String, String, i64, i64);

    /// `sale_summary` as the triggers define it, recomputed from `sale`, against the stored one.
    fn summary_is_consistent(store: &Store) -> bool {
        let query = |sql: &str| -> Vec<SummaryRow> {
            let mut statement = store.connection().prepare(sql).unwrap();
            statement
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let recomputed = query(
            "SELECT year, month, form, township_code, village, channel, sub_channel, SUM(amount_fen), COUNT(*)
             FROM sale WHERE same_sale_as IS NULL
             GROUP BY year, month, form, township_code, village, channel, sub_channel
             ORDER BY 1, 2, 3, 4, 5, 6, 7",
        );
        let stored = query(
            "SELECT year, month, form, township_code, village, channel, sub_channel, amount_fen, record_count
             FROM sale_summary WHERE record_count > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7",
        );
        !recomputed.is_empty() && recomputed == stored
    }

    /// The steps of SQLite's plan for `sql` (the detail column of `EXPLAIN QUERY PLAN`).
    fn query_plan(conn: &Connection, sql: &str) -> Vec<String> {
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn trigger_exists(store: &Store) -> bool {
        store
            .connection()
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'sale_summary_insert'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            == 1
    }

    #[test]
    fn bulk_writes_keep_the_summary_and_restore_the_trigger() {
        let mut store = Store::open_in_memory().unwrap();
        // Demo records go through the bulk writer (with 附件3 rows, some paired afterwards).
        crate::demo::fill(&mut store, 2019, 3_000, 5, 20, &|_, _| {}).unwrap();
        assert!(trigger_exists(&store));
        assert!(summary_is_consistent(&store));

        // An import of changed and new records: updates by id, inserts in bulk.
        let ids = store.sale_ids(&Default::default()).unwrap();
        let mut changed = store.sale(ids[10]).unwrap().record;
        changed.amount += Money::from_fen(123);
        let mut new = store.sale(ids[20]).unwrap().record;
        new.household = format!("{}（新）", new.household);
        let records = vec![
            ImportRecord::Sale {
                record_id: Some(ids[10]),
                record: changed,
            },
            ImportRecord::Sale {
                record_id: None,
                record: new.clone(),
            },
        ];
        let plan = store
            .apply_import(
                &ImportedFile {
                    submission_id: "I-test-1",
                    kind: FormKind::Sale,
                    unit: "",
                    file_name: "t.xlsx",
                    reported_on: None,
                },
                &records,
                &ExportedRecords::default(),
            )
            .unwrap();
        assert_eq!(plan.counts(), (1, 1, 0, 0));
        assert!(trigger_exists(&store));
        assert!(summary_is_consistent(&store));

        // The editor's single insert still goes through the restored trigger.
        new.household = format!("{}（再）", new.household);
        store.insert_sale(&new).unwrap();
        assert!(summary_is_consistent(&store));

        // A file failing half-way writes nothing and leaves the trigger in place.
        let before = store.summary_totals(2019).unwrap();
        let mut bad = new.clone();
        bad.household = "另一户".into();
        bad.amount = Money::from_fen(-1);
        let failing = vec![
            ImportRecord::Sale {
                record_id: None,
                record: new.clone(),
            },
            ImportRecord::Sale {
                record_id: None,
                record: bad,
            },
        ];
        assert!(
            store
                .apply_import(
                    &ImportedFile {
                        submission_id: "I-test-2",
                        kind: FormKind::Sale,
                        unit: "",
                        file_name: "bad.xlsx",
                        reported_on: None,
                    },
                    &failing,
                    &ExportedRecords::default(),
                )
                .is_err()
        );
        assert!(trigger_exists(&store));
        assert_eq!(store.summary_totals(2019).unwrap(), before);
        assert!(summary_is_consistent(&store));
    }

    /// The `CREATE INDEX` statements of table `sale`, by name.
    fn sale_indexes(store: &Store) -> Vec<(String, String)> {
        store
            .connection()
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = 'sale' AND sql IS NOT NULL ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn import_into(
        store: &mut Store,
        submission_id: &str,
        records: &[ImportRecord],
    ) -> StoreResult<ImportPlan> {
        store.apply_import(
            &ImportedFile {
                submission_id,
                kind: FormKind::Sale,
                unit: "",
                file_name: "bulk.xlsx",
                reported_on: None,
            },
            records,
            &ExportedRecords::default(),
        )
    }

    /// `rows` demo sales of 2019 (seed `seed`), as records of a file to import.
    fn demo_records(rows: usize, seed: u64) -> Vec<ImportRecord> {
        let mut source = Store::open_in_memory().unwrap();
        crate::demo::fill(&mut source, 2019, rows, seed, 0, &|_, _| {}).unwrap();
        source
            .sale_ids(&Default::default())
            .unwrap()
            .into_iter()
            .map(|id| ImportRecord::Sale {
                record_id: None,
                record: source.sale(id).unwrap().record,
            })
            .collect()
    }

    /// Many sales added at once have their text columns prepared on another thread
    /// (`PREPARE_AHEAD_MIN_ROWS`): each row gets its own, as when they are computed one by one,
    /// also around a record whose warnings the import adds to (a likely correction).
    #[test]
    fn sales_prepared_ahead_are_written_with_their_own_columns() {
        let rows = PREPARE_AHEAD_MIN_ROWS + PREPARE_AHEAD_CHUNK + 7;
        let records = demo_records(rows, 5);
        let mut store = Store::open_in_memory().unwrap();
        let plan = import_into(&mut store, "I-ahead", &records).unwrap();
        let mut checked = 0;
        for (record, action) in records.iter().zip(&plan.actions) {
            let (ImportRecord::Sale { record, .. }, ImportAction::Added(id)) = (record, action)
            else {
                panic!("{action:?}");
            };
            let (match_key, date, quantity, warnings): (String, String, String, String) = store
                .connection()
                .query_row(
                    "SELECT match_key, date, quantity, warnings FROM sale WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap();
            assert_eq!(match_key, sale_match_key(record));
            assert_eq!(date, record.date.date.to_string());
            assert_eq!(quantity, record.quantity.value.normalize().to_string());
            assert_eq!(warnings, record.warnings.join("\n"));
            checked += 1;
        }
        assert_eq!(checked, rows);
    }

    /// A file adding more sales than the ledger holds sets the sale indexes aside and builds them
    /// again (`SaleWriter::bulk_in`): afterwards they are all there as declared, lookups through
    /// them find the new rows, and a file failing half-way leaves them as they were.
    #[test]
    fn bulk_imports_build_the_sale_indexes_again() {
        let records = demo_records(crate::store::sales::BULK_LOAD_MIN_ROWS + 500, 11);
        let mut store = Store::open_in_memory().unwrap();
        let declared = sale_indexes(&store);
        assert!(declared.len() >= 5, "{declared:?}");

        // Failing at the last row: nothing written, the indexes as they were.
        let mut failing = records.clone();
        if let Some(ImportRecord::Sale { record, .. }) = failing.last_mut() {
            record.amount = Money::from_fen(-1);
        }
        assert!(import_into(&mut store, "I-bulk-0", &failing).is_err());
        assert_eq!(sale_indexes(&store), declared);
        assert!(store.sale_ids(&Default::default()).unwrap().is_empty());

        // Built again: created after everything else in the schema (higher schema rowids).
        let first_index_rowid = |store: &Store| -> i64 {
            store
                .connection()
                .query_row(
                    "SELECT MIN(rowid) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'sale' AND sql IS NOT NULL",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let before = first_index_rowid(&store);
        let plan = import_into(&mut store, "I-bulk-1", &records).unwrap();
        assert_eq!(plan.counts().0, records.len());
        assert_eq!(sale_indexes(&store), declared);
        assert!(first_index_rowid(&store) > before);
        assert!(trigger_exists(&store));
        assert!(summary_is_consistent(&store));
        let integrity: String = store
            .connection()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        // The same file again: every row found through the rebuilt match-key index.
        let again = import_into(&mut store, "I-bulk-2", &records).unwrap();
        assert_eq!(again.counts().0, 0);
        assert_eq!(again.counts().3, records.len(), "{:?}", again.counts());
    }

    /// A ledger without sales of a form has nothing to match a file of that form against (no
    /// lookups then); a sale of the other form does not count, one of the same form does.
    #[test]
    fn content_matching_looks_only_when_the_ledger_holds_the_form() {
        let mut source = Store::open_in_memory().unwrap();
        crate::demo::fill(&mut source, 2019, 3, 5, 0, &|_, _| {}).unwrap();
        let mut sales: Vec<SaleRecord> = source
            .sale_ids(&Default::default())
            .unwrap()
            .into_iter()
            .map(|id| source.sale(id).unwrap().record)
            .collect();
        // Two equal rows in the file: two sales.
        sales.push(sales[0].clone());
        let as_form = |kind: FormKind| -> Vec<ImportRecord> {
            sales
                .iter()
                .map(|record| ImportRecord::Sale {
                    record_id: None,
                    record: SaleRecord {
                        kind,
                        ..record.clone()
                    },
                })
                .collect()
        };
        let (sales_file, procurement_file) =
            (as_form(FormKind::Sale), as_form(FormKind::Procurement));
        let mut store = Store::open_in_memory().unwrap();
        let plan = |store: &Store, records: &[ImportRecord]| {
            store
                .plan_import(records, &ExportedRecords::default(), "")
                .unwrap()
                .counts()
        };
        assert_eq!(plan(&store, &sales_file), (4, 0, 0, 0));
        import_into(&mut store, "I-form-3", &procurement_file).unwrap();
        assert_eq!(plan(&store, &sales_file), (4, 0, 0, 0));
        assert_eq!(plan(&store, &procurement_file), (0, 0, 0, 4));
        import_into(&mut store, "I-form-2", &sales_file).unwrap();
        assert_eq!(plan(&store, &sales_file), (0, 0, 0, 4));
    }

    /// Migration 0008: the near-match join and the courier links find a household's sales
    /// through `sale_by_household`, without statistics (the program never runs ANALYZE).
    #[test]
    fn household_lookups_use_the_household_index() {
        let store = Store::open_in_memory().unwrap();
        for sql in [
            "SELECT p.id, s.id FROM sale p
             JOIN sale s ON s.form = 2 AND s.township_code = p.township_code
                 AND s.household = p.household AND s.product = p.product AND s.amount_fen = p.amount_fen
             WHERE p.form = 3 AND p.same_sale_as IS NULL AND p.pairing_decided = 0",
            "SELECT id FROM sale WHERE township_code = '500235139' AND household = '王成芳'",
            "SELECT id FROM sale WHERE household = '王成芳' AND (NULL IS NULL OR township_code = NULL)
               AND date >= '2019-09-01' AND date <= '2019-09-30' LIMIT 500",
        ] {
            let plan = query_plan(store.connection(), sql);
            assert!(
                plan.iter().any(|d| d.contains("sale_by_household (household=?)")),
                "{sql}: {plan:?}"
            );
        }
    }

    /// The planner's lookup of a row's stored sales of the same day reads a range of the
    /// match-key index, not every sale of the form.
    #[test]
    fn same_day_lookups_read_a_range_of_the_match_key_index() {
        let store = Store::open_in_memory().unwrap();
        let sql = SAME_DAY_SALES_SQL
            .replace("?1", "'a'")
            .replace("?2", "'b'")
            .replace("?3", "2")
            .replace("?4", "'a'");
        let plan = query_plan(store.connection(), &sql);
        assert!(
            plan.iter()
                .any(|d| d.contains("sale_by_match_key (match_key>? AND match_key<?)")),
            "{plan:?}"
        );
    }

    #[test]
    fn content_lookups_go_through_the_one_match_key_index() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.connection();
        let indexes: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = 'sale_by_fingerprint'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            indexes, 0,
            "migration 0005 drops the second content-key index"
        );
        for sql in [
            "SELECT id FROM sale WHERE match_key = 'k' AND form = 2 LIMIT 1",
            "SELECT id FROM sale WHERE match_key = 'k' AND form = 2 ORDER BY id",
            "SELECT p.id, s.id FROM pairing_decision d
             CROSS JOIN sale p CROSS JOIN sale s
             WHERE d.decision = 'same'
               AND p.match_key = substr(d.procurement_fingerprint, 3) AND p.form = 3
               AND p.fingerprint = d.procurement_fingerprint
               AND s.match_key = substr(d.sale_fingerprint, 3) AND s.form = 2
               AND s.fingerprint = d.sale_fingerprint
               AND p.same_sale_as IS NULL AND p.pairing_decided = 0
             ORDER BY p.id, s.id",
            "UPDATE shipment SET sale_id = (SELECT MIN(s.id) FROM sale s WHERE s.match_key = substr(shipment.sale_fingerprint, 3)
                                            AND s.fingerprint = shipment.sale_fingerprint)
             WHERE link_kind = 'manual' AND sale_id IS NULL AND sale_fingerprint IS NOT NULL
               AND EXISTS (SELECT 1 FROM sale s WHERE s.match_key = substr(shipment.sale_fingerprint, 3)
                                                  AND s.fingerprint = shipment.sale_fingerprint)",
        ] {
            let plan = query_plan(conn, sql);
            // Every step on `sale` (aliases p, s or the table itself) is a search by match key.
            let on_sale: Vec<&String> = plan
                .iter()
                .filter(|d| {
                    let table = d.split_whitespace().nth(1).unwrap_or("");
                    ["p", "s", "sale"].contains(&table)
                })
                .collect();
            assert!(
                !on_sale.is_empty() && on_sale.iter().all(|d| d.contains("sale_by_match_key")),
                "{sql}: {plan:?}"
            );
            // The import plan's lookups come in id order from the index itself, never sorted.
            if sql.starts_with("SELECT id FROM sale") {
                assert!(
                    !plan.iter().any(|d| d.contains("TEMP B-TREE")),
                    "{sql}: {plan:?}"
                );
            }
        }
    }
}
