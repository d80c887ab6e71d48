//! Townships and villages (地区 registry), with their deep-poverty flags (深度贫困).

use rusqlite::params;

use super::{Store, StoreError, StoreResult};
use crate::domain::{RegionResolver, Township};

/// A village (村/社区) in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Village {
    pub id: i64,
    pub township_code: String,
    pub name: String,
    pub deep_poverty: bool,
}

impl Store {
    /// The 42 townships in registry order (街道, 镇, 乡).
    pub fn townships(&self) -> StoreResult<Vec<Township>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT code, name, kind, deep_poverty, aliases FROM township ORDER BY sort_order, code",
        )?;
        let rows = statement.query_map([], |r| {
            let aliases: String = r.get(4)?;
            Ok(Township {
                code: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                deep_poverty: r.get(3)?,
                aliases: aliases
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A resolver of 地区 text over the current registry.
    pub fn region_resolver(&self) -> StoreResult<RegionResolver> {
        Ok(RegionResolver::new(self.townships()?))
    }

    /// Sets a township's deep-poverty flag. Errors if the code is unknown.
    pub fn set_township_deep_poverty(&mut self, code: &str, deep_poverty: bool) -> StoreResult<()> {
        let changed = self.connection().execute(
            "UPDATE township SET deep_poverty = ?2 WHERE code = ?1",
            params![code, deep_poverty],
        )?;
        if changed == 0 {
            return Err(StoreError::Invalid(format!(
                "没有代码为 {code} 的乡镇(街道)"
            )));
        }
        Ok(())
    }

    /// The villages of a township known to the registry, by name.
    pub fn villages(&self, township_code: &str) -> StoreResult<Vec<Village>> {
        let mut statement = self.connection().prepare_cached(
            "SELECT id, township_code, name, deep_poverty FROM village WHERE township_code = ?1 ORDER BY name",
        )?;
        let rows = statement.query_map([township_code], |r| {
            Ok(Village {
                id: r.get(0)?,
                township_code: r.get(1)?,
                name: r.get(2)?,
                deep_poverty: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a village (or sets the flag of an existing one) and returns its id.
    /// Errors: empty name, unknown township.
    pub fn upsert_village(
        &mut self,
        township_code: &str,
        name: &str,
        deep_poverty: bool,
    ) -> StoreResult<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("村(社区)名称不能为空".into()));
        }
        self.connection().execute(
            "INSERT INTO village (township_code, name, deep_poverty) VALUES (?1, ?2, ?3)
             ON CONFLICT (township_code, name) DO UPDATE SET deep_poverty = excluded.deep_poverty",
            params![township_code, name, deep_poverty],
        )?;
        Ok(self.connection().query_row(
            "SELECT id FROM village WHERE township_code = ?1 AND name = ?2",
            params![township_code, name],
            |r| r.get(0),
        )?)
    }

    /// Records villages met in records (not flagged), so the registry grows with the data.
    pub(crate) fn remember_village(
        conn: &rusqlite::Connection,
        township_code: &str,
        name: &str,
    ) -> StoreResult<()> {
        if !name.is_empty() {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO village (township_code, name) VALUES (?1, ?2)",
            )?
            .execute(params![township_code, name])?;
        }
        Ok(())
    }
}
