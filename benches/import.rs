//! Import benchmark (run with `cargo bench --bench import`; release profile): a 100,000-row 附件2
//! .xlsx written by our own exporter from demo records, imported into a new database the way the
//! CLI `import` does it (read, validate, store in one transaction). Prints each run's phases and
//! the median of the whole. Set `IMPORT_BENCH_ROWS` to change the row count.

use std::time::{Duration, Instant};

/// The program's allocator (`src/main.rs`), so the figures are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::forms::ingest::{commit, import_file, prepare};
use xiaofei_fupin::forms::{ExportRequest, export_form};
use xiaofei_fupin::store::Store;

/// CPU time (user + system) of this process so far, from /proc (Linux; zero elsewhere): less
/// disturbed than wall time when other work shares the machine.
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let after_name = stat.rsplit_once(')')?.1.to_string();
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn main() {
    let rows: usize = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let db_export = dir.path().join("export.db");
    {
        let mut store = Store::open(&db_export).unwrap();
        xiaofei_fupin::demo::fill(&mut store, 2019, rows, 7, 0, &|_, _| {}).unwrap();
    }
    let xlsx = dir.path().join("fj2.xlsx");
    let request = ExportRequest {
        kind: FormKind::Sale,
        township_code: None,
        year: Some(2019),
        quarter: None,
    };
    let exported = export_form(&db_export, &request, &xlsx, &|_| {})
        .unwrap()
        .rows;
    // The CLI's import: read, validate, plan and store in one go.
    let mut totals: Vec<Duration> = Vec::new();
    for run in 0..5 {
        let mut store = Store::open(&dir.path().join(format!("import{run}.db"))).unwrap();
        let started = Instant::now();
        let cpu = cpu_time();
        let report = import_file(&mut store, &xlsx).unwrap();
        let all = started.elapsed();
        let cpu = cpu_time() - cpu;
        assert_eq!(report.rows_added, exported);
        println!("  run {run}: total {all:>8.2?} (CPU {cpu:>8.2?})");
        totals.push(all);
    }
    totals.sort();
    println!(
        "import {exported} rows 附件2 xlsx (read, validate, store): median {:>8.2?}",
        totals[totals.len() / 2]
    );
    // The window's import: preview (read, validate, plan), then confirm (plan again, store).
    let mut store = Store::open(&dir.path().join("preview.db")).unwrap();
    let started = Instant::now();
    let prepared = prepare(&store, &xlsx).unwrap();
    let preview = started.elapsed();
    let report = commit(&mut store, &prepared).unwrap();
    assert_eq!(report.rows_added, exported);
    println!(
        "window: preview {preview:>8.2?}, confirm {:>8.2?}",
        started.elapsed() - preview
    );
}
