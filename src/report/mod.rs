//! Figures computed from the store: the dashboard (进度) and its JSON form for `report --json`.
//! Later: the quarterly bulletin, reconciliation and reporting status (issue 4).

pub mod dashboard;

pub use dashboard::{Dashboard, dashboard};
