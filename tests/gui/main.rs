//! GUI tests: the real app driven headlessly with egui_kittest, found by role and Chinese label,
//! checked against the database afterwards. One test binary for all of them (each binary links
//! all of egui, so one link instead of six).

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod import;
mod reconcile;
mod review;
mod sales;
mod shipments;
mod tabs;
