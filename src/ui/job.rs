//! Slow work off the UI thread: one mechanism for export, report export, import and backup.
//! The work runs on its own named thread, reports progress as a fraction, and leaves its outcome
//! in a slot the window polls each frame; every step requests a repaint.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A background job producing a `T`.
pub(crate) struct BackgroundJob<T> {
    /// Progress 0–1 as `f32` bits.
    progress: Arc<AtomicU32>,
    result: Arc<Mutex<Option<T>>>,
}

impl<T: Send + 'static> BackgroundJob<T> {
    /// Runs `work` on a new thread named `name`; `work` reports its progress (0–1) through the
    /// callback it is given. When no thread can be started, the outcome is `failed(reason)`.
    pub(crate) fn start(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce(&(dyn Fn(f32) + Sync)) -> T + Send + 'static,
        failed: impl FnOnce(String) -> T,
    ) -> Self {
        let progress = Arc::new(AtomicU32::new(0.0f32.to_bits()));
        let result = Arc::new(Mutex::new(None));
        let job = BackgroundJob {
            progress: Arc::clone(&progress),
            result: Arc::clone(&result),
        };
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let report = |fraction: f32| {
                    progress.store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                    ctx.request_repaint();
                };
                let outcome = work(&report);
                if let Ok(mut slot) = result.lock() {
                    *slot = Some(outcome);
                }
                ctx.request_repaint();
            });
        if let Err(e) = spawned
            && let Ok(mut slot) = job.result.lock()
        {
            *slot = Some(failed(e.to_string()));
        }
        job
    }

    /// The fraction done (0–1) as last reported.
    pub(crate) fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    /// The outcome once the work has finished (taken once).
    pub(crate) fn take(&self) -> Option<T> {
        self.result.lock().ok().and_then(|mut slot| slot.take())
    }
}
