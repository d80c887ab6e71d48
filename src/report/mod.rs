//! Figures computed from the store: the dashboard (进度) and its JSON form for `report --json`
//! (`dashboard`), the issue-4 additions to that JSON (`status`: unreported, unpaid, shipments;
//! `review`: price flags, unions, enterprise pairings),
//! the quarterly bulletin (`bulletin`, 通报) and the county supply catalogue (`supply_catalogue`,
//! 供应目录), both print-ready xlsx written with the document-sheet helpers of `sheet`.

pub mod bulletin;
pub mod dashboard;
pub mod review;
pub(crate) mod sheet;
pub mod status;
pub mod supply_catalogue;

pub use dashboard::{Dashboard, dashboard};
