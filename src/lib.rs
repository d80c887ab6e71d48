//! 云阳县消费扶贫台账 — the county ledger of consumption-based poverty alleviation (消费扶贫).
//!
//! Layers (arrows point down only): `ui` → `forms`, `report` → `store` → `domain`.
//! See ARCHITECTURE.md for the code map and invariants.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod forms;
pub mod report;
pub mod store;
pub mod ui;
