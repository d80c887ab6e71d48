//! The three official forms (附件1–3): one layout definition ([`layout`]) used by both the xlsx
//! export ([`export`]) and the import ([`import`]).

pub mod document;
pub mod export;
pub mod import;
pub mod ingest;
pub mod layout;
pub mod logistics;
pub use document::{ExportRequest, ExportSummary, blank_form_text, build_document, export_form};
