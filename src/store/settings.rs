//! This installation's unit and contact (for form headers) and the yearly targets (目标任务).

use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

use super::{Store, StoreError, StoreResult};
use crate::domain::{Channel, Money};

/// Who this installation belongs to; fills the header-info line of exported forms
/// (填写单位/填报单位, 填写人/供货联系人姓名, 联系电话/联系方式).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// e.g. `泥溪镇人民政府`, `县教委`, `县商务委`.
    pub unit: String,
    /// The clerk who fills the forms.
    pub contact_person: String,
    /// Kept exactly as typed.
    pub phone: String,
}

/// The yearly targets in yuan (目标任务). 一: 6000万元 in all, 1000万元 of it from deep-poverty
/// townships and villages; 四(一)–(六): each channel's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    pub year: i32,
    pub total: Money,
    pub deep_poverty: Money,
    /// In [`Channel::ALL`] order.
    pub channels: Vec<(Channel, Money)>,
}

fn wan_yuan(wan: Decimal) -> Money {
    Money::from_fen(i64::try_from(wan * Decimal::from(1_000_000)).unwrap_or(0))
}

impl Targets {
    /// The 2019 plan's numbers (一, 四), used for any year whose targets were not edited.
    pub fn plan_defaults(year: i32) -> Targets {
        Targets {
            year,
            total: wan_yuan(Decimal::from(6000)),
            deep_poverty: wan_yuan(Decimal::from(1000)),
            channels: Channel::ALL
                .iter()
                .map(|c| (*c, wan_yuan(c.default_target_wan_yuan())))
                .collect(),
        }
    }

    /// The target of one channel.
    pub fn channel(&self, channel: Channel) -> Money {
        self.channels
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, m)| *m)
            .unwrap_or(Money::ZERO)
    }
}

const SETTING_UNIT: &str = "unit";
const SETTING_PERSON: &str = "contact_person";
const SETTING_PHONE: &str = "phone";

impl Store {
    /// This installation's unit and contact.
    pub fn settings(&self) -> StoreResult<Settings> {
        Ok(Settings {
            unit: self.setting(SETTING_UNIT)?.unwrap_or_default(),
            contact_person: self.setting(SETTING_PERSON)?.unwrap_or_default(),
            phone: self.setting(SETTING_PHONE)?.unwrap_or_default(),
        })
    }

    /// Saves this installation's unit and contact.
    pub fn save_settings(&mut self, settings: &Settings) -> StoreResult<()> {
        let tx = self.connection_mut().transaction()?;
        for (key, value) in [
            (SETTING_UNIT, &settings.unit),
            (SETTING_PERSON, &settings.contact_person),
            (SETTING_PHONE, &settings.phone),
        ] {
            tx.execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value.trim()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .connection()
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The targets of `year`: the stored ones, each missing item from the plan's defaults.
    pub fn targets(&self, year: i32) -> StoreResult<Targets> {
        let mut targets = Targets::plan_defaults(year);
        let mut statement = self
            .connection()
            .prepare_cached("SELECT item, amount_fen FROM target WHERE year = ?1")?;
        let rows = statement.query_map([year], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (item, fen) = row?;
            let amount = Money::from_fen(fen);
            match item.as_str() {
                "total" => targets.total = amount,
                "deep_poverty" => targets.deep_poverty = amount,
                name => {
                    if let Some(slot) = targets.channels.iter_mut().find(|(c, _)| c.name() == name)
                    {
                        slot.1 = amount;
                    }
                }
            }
        }
        Ok(targets)
    }

    /// Stores all targets of `targets.year`. Errors on a negative amount.
    pub fn save_targets(&mut self, targets: &Targets) -> StoreResult<()> {
        let mut items: Vec<(String, Money)> = vec![
            ("total".into(), targets.total),
            ("deep_poverty".into(), targets.deep_poverty),
        ];
        items.extend(
            targets
                .channels
                .iter()
                .map(|(c, m)| (c.name().to_string(), *m)),
        );
        if items.iter().any(|(_, m)| m.is_negative()) {
            return Err(StoreError::Invalid("目标任务不能为负数".into()));
        }
        let tx = self.connection_mut().transaction()?;
        for (item, amount) in items {
            tx.execute(
                "INSERT INTO target (year, item, amount_fen) VALUES (?1, ?2, ?3)
                 ON CONFLICT (year, item) DO UPDATE SET amount_fen = excluded.amount_fen",
                params![targets.year, item, amount.to_fen()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The lead units (牵头单位) with the channel and sub-channel each leads.
    pub fn lead_units(&self) -> StoreResult<Vec<(String, String, String)>> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT name, channel, sub_channel FROM lead_unit ORDER BY id")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
