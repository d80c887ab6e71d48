//! Defaults a new database is seeded with, so the program is useful on first start: the 42
//! townships (`assets/townships.csv`, from `shared/data/townships.csv`), the lead units named in the
//! plan (`assets/forms.json`), and the lead units as typed purchasers. Targets are not stored: a
//! year without stored targets uses the 2019 plan's numbers ([`super::Targets::plan_defaults`]).

use rusqlite::{Connection, params};
use serde::Deserialize;

use super::{StoreError, StoreResult};
use crate::domain::{Channel, PurchaserType, SubChannel};

/// The township registry shipped with the program (code,name,kind,deep_poverty,aliases).
pub(crate) const TOWNSHIPS_CSV: &str = include_str!("../../assets/townships.csv");
/// The official forms, targets and lead units (`shared/data/forms.json`).
pub(crate) const FORMS_JSON: &str = include_str!("../../assets/forms.json");

#[derive(Deserialize)]
struct TownshipCsvRow {
    code: String,
    name: String,
    kind: String,
    deep_poverty: u8,
    aliases: String,
}

#[derive(Deserialize)]
struct FormsJson {
    lead_units: Vec<LeadUnitJson>,
}

#[derive(Deserialize)]
struct LeadUnitJson {
    name: String,
    channel: Option<String>,
    sub_channel: Option<String>,
}

pub(super) fn seed_defaults(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn.transaction()?;
    let mut reader = csv::Reader::from_reader(TOWNSHIPS_CSV.as_bytes());
    for (order, row) in reader.deserialize::<TownshipCsvRow>().enumerate() {
        let row = row.map_err(|e| StoreError::Invalid(format!("内置乡镇名录有误：{e}")))?;
        tx.execute(
            "INSERT INTO township (code, name, kind, deep_poverty, aliases, sort_order) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![row.code, row.name, row.kind, row.deep_poverty != 0, row.aliases, order as i64],
        )?;
    }
    // 石缸村 of 泥溪镇 is a municipal deep-poverty village (shared/data/README.md).
    tx.execute(
        "INSERT INTO village (township_code, name, deep_poverty) VALUES ('500235139', '石缸村', 1)",
        [],
    )?;
    let forms: FormsJson = serde_json::from_str(FORMS_JSON)
        .map_err(|e| StoreError::Invalid(format!("内置表样有误：{e}")))?;
    for unit in forms.lead_units {
        let (channel, sub_channel) = match (&unit.sub_channel, &unit.channel) {
            (Some(sub), _) => {
                let sub = SubChannel::from_name(sub).ok_or_else(|| {
                    StoreError::Invalid(format!("内置牵头单位的子渠道有误：{sub}"))
                })?;
                (sub.channel(), Some(sub))
            }
            (None, Some(channel)) => (
                Channel::from_name(channel).ok_or_else(|| {
                    StoreError::Invalid(format!("内置牵头单位的渠道有误：{channel}"))
                })?,
                None,
            ),
            (None, None) => continue,
        };
        tx.execute(
            "INSERT INTO lead_unit (name, channel, sub_channel) VALUES (?1, ?2, ?3)",
            params![
                unit.name,
                channel.name(),
                sub_channel.map(|s| s.name()).unwrap_or("")
            ],
        )?;
        // As purchasers the county's own offices are 机关 (their canteens buy 进机关), except those
        // whose name says otherwise (县教委 → 学校 system, 县卫生健康委 → 医院, 县总工会 → 工会).
        let full_name = format!("云阳{}", unit.name);
        let purchaser_type = PurchaserType::suggest_from_name(&full_name)
            .unwrap_or(PurchaserType::AgencyOrInstitution);
        tx.execute(
            "INSERT OR IGNORE INTO purchaser (name, purchaser_type, confirmed) VALUES (?1, ?2, 1)",
            params![full_name, purchaser_type.name()],
        )?;
    }
    tx.commit()?;
    Ok(())
}
