//! Throughput benchmarks (run with `cargo bench`; release profile). Prints medians:
//! - `report` (dashboard figures) on 100,000 and 1,000,000 demo records;
//! - listing ids for the 销售情况 table (filter change) on 100,000 records;
//! - export of a 100,000-row 附件2 to xlsx;
//! - import of that 100,000-row 附件2 .xlsx into a new database (read, validate, store);
//! - a 1,000-row 附件3 import into 1,000,000 records, then the same-sale pairing re-run and the
//!   dashboard again; the price check over 1,000,000 records;
//! - GUI frame time while scrolling the 销售情况 table over 100,000 records (CPU side, headless).
//!
//! Set `BENCH_QUICK=1` to skip the 1,000,000-record parts.

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use xiaofei_fupin::domain::sale::FormKind;
use xiaofei_fupin::forms::ingest::{commit, import_file, prepare};
use xiaofei_fupin::forms::{ExportRequest, export_form};
use xiaofei_fupin::report::dashboard;
use xiaofei_fupin::store::{SaleFilter, Store};
use xiaofei_fupin::ui::{App, Tab};

/// The program's allocator (`src/main.rs`), so the figures are the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(work());
                started.elapsed()
            })
            .collect(),
    )
}

fn filled(path: &Path, rows: usize) -> Store {
    let mut store = Store::open(path).unwrap();
    let started = Instant::now();
    xiaofei_fupin::demo::fill(&mut store, 2019, rows, 2019, 10, &|_, _| {}).unwrap();
    println!("demo fill {rows:>9} rows: {:>8.2?}", started.elapsed());
    store
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let quick = std::env::var_os("BENCH_QUICK").is_some();
    let dir = tempfile::tempdir().unwrap();

    // 100,000 records.
    let db_100k = dir.path().join("100k.db");
    let store = filled(&db_100k, 100_000);
    println!(
        "report      100,000 records: {:>8.2?}",
        time(7, || dashboard(&store, 2019).unwrap())
    );
    let sales_filter = SaleFilter {
        form: Some(FormKind::Sale),
        ..Default::default()
    };
    println!(
        "table ids    ~90,000 sales:   {:>8.2?}",
        time(7, || store.sale_ids(&sales_filter).unwrap())
    );
    println!(
        "table totals ~90,000 sales:   {:>8.2?}",
        time(7, || store.sale_totals(&sales_filter).unwrap())
    );
    let quarter_filter = SaleFilter {
        year: Some(2019),
        quarter: Some(3),
        ..sales_filter.clone()
    };
    println!(
        "table ids+totals one quarter: {:>8.2?}",
        time(7, || (
            store.sale_ids(&quarter_filter).unwrap(),
            store.sale_totals(&quarter_filter).unwrap()
        ))
    );
    let text_filter = SaleFilter {
        text: "泥溪".into(),
        ..sales_filter.clone()
    };
    println!(
        "table ids+totals text search: {:>8.2?}",
        time(7, || (
            store.sale_ids(&text_filter).unwrap(),
            store.sale_totals(&text_filter).unwrap()
        ))
    );
    let ids = store.sale_ids(&sales_filter).unwrap();
    println!(
        "visible rows (30 by id):     {:>8.2?}",
        time(21, || store.sales_by_ids(&ids[45_000..45_030]).unwrap())
    );
    drop(store);

    // Export and import of a 100,000-row 附件2.
    let db_export = dir.path().join("export.db");
    let store = Store::open(&db_export).unwrap();
    drop(store);
    {
        let mut store = Store::open(&db_export).unwrap();
        xiaofei_fupin::demo::fill(&mut store, 2019, 100_000, 7, 0, &|_, _| {}).unwrap();
    }
    let xlsx = dir.path().join("fj2_100k.xlsx");
    let request = ExportRequest {
        kind: FormKind::Sale,
        township_code: None,
        year: Some(2019),
        quarter: None,
    };
    let export_time = time(3, || {
        export_form(&db_export, &request, &xlsx, &|_| {}).unwrap()
    });
    let rows = export_form(&db_export, &request, &xlsx, &|_| {})
        .unwrap()
        .rows;
    println!("export {rows} rows 附件2 xlsx: {:>8.2?}", export_time);
    let import_times: Vec<Duration> = (0..3)
        .map(|run| {
            let mut store = Store::open(&dir.path().join(format!("import{run}.db"))).unwrap();
            let started = Instant::now();
            let prepared = prepare(&store, &xlsx).unwrap();
            let read = started.elapsed();
            let report = commit(&mut store, &prepared).unwrap();
            let all = started.elapsed();
            assert_eq!(report.rows_added, rows);
            println!("  import run {run}: read+validate {read:>8.2?}, total {all:>8.2?}");
            all
        })
        .collect();
    println!(
        "import {rows} rows 附件2 xlsx (read, validate, store): {:>8.2?}",
        median(import_times)
    );

    // GUI frame time while scrolling the sales table (100,000 records).
    {
        let store = Store::open(&db_100k).unwrap();
        let db_path = db_100k.clone();
        let mut harness = Harness::builder()
            .with_size([1366.0, 768.0])
            .build_eframe(move |cc| App::new(cc, store, db_path));
        harness.state_mut().set_tab(Tab::Sales);
        harness.run();
        harness
            .input_mut()
            .events
            .push(egui::Event::PointerMoved(egui::pos2(500.0, 400.0)));
        harness.run();
        let mut frames = Vec::new();
        for _ in 0..120 {
            harness.input_mut().events.push(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -900.0),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            });
            let started = Instant::now();
            harness.step();
            frames.push(started.elapsed());
        }
        let mut sorted = frames.clone();
        sorted.sort();
        println!(
            "GUI frame while scrolling 100,000 records: median {:>8.2?}, p95 {:>8.2?}, max {:>8.2?}",
            sorted[sorted.len() / 2],
            sorted[sorted.len() * 95 / 100],
            sorted[sorted.len() - 1]
        );
    }

    if quick {
        return;
    }
    // 1,000,000 records.
    let db_1m = dir.path().join("1m.db");
    let mut store = filled(&db_1m, 1_000_000);
    println!(
        "report    1,000,000 records: {:>8.2?}",
        time(7, || dashboard(&store, 2019).unwrap())
    );
    let started = Instant::now();
    let store_reopened = Store::open(&db_1m).unwrap();
    let _ = dashboard(&store_reopened, 2019).unwrap();
    println!(
        "open + first dashboard, 1,000,000 records: {:>8.2?}",
        started.elapsed()
    );
    // A 1,000-row 附件3 file (written by our exporter from another ledger) imported on top, the
    // way the CLI imports it (read, validate, store, exact pairing, decisions, courier links).
    let db_small = dir.path().join("small.db");
    {
        let mut small = Store::open(&db_small).unwrap();
        xiaofei_fupin::demo::fill(&mut small, 2019, 1_000, 99, 100, &|_, _| {}).unwrap();
    }
    let procurement_file = dir.path().join("fj3_1000.xlsx");
    let request = ExportRequest {
        kind: FormKind::Procurement,
        township_code: None,
        year: Some(2019),
        quarter: None,
    };
    let exported = export_form(&db_small, &request, &procurement_file, &|_| {})
        .unwrap()
        .rows;
    let started = Instant::now();
    let report = import_file(&mut store, &procurement_file).unwrap();
    println!(
        "import {exported} rows 附件3 into 1,000,000 records (with pairing): {:>8.2?} ({} added)",
        started.elapsed(),
        report.rows_added
    );
    println!(
        "pairing re-run, 1,000,000 records: {:>8.2?}",
        time(3, || store.pair_exact_same_sales().unwrap())
    );
    println!(
        "dashboard after the import, 1,000,000 records: {:>8.2?}",
        time(3, || dashboard(&store, 2019).unwrap())
    );
    println!(
        "price check (report --json price_flags), 1,000,000 records: {:>8.2?}",
        time(1, || store.price_check(2019).unwrap())
    );
}
