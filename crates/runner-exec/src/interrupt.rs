//! [`Interrupt`]: stopping a run from outside (SIGTERM from ECS, Ctrl-C, a deadline). Triggering it
//! cancels every statement in flight on the warehouse, and the scheduler starts no further node;
//! the nodes that were running finish as errors that say why, so run_results.json records them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use runner_adapters::CancelHandle;

/// A run's stop switch, shared by the scheduler's workers and whoever stops the run.
#[derive(Default)]
pub struct Interrupt {
    triggered: AtomicBool,
    reason: Mutex<Option<String>>,
    running: Mutex<HashMap<usize, CancelHandle>>,
}

impl Interrupt {
    /// A switch that is not triggered.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Stops the run: no new node starts and running statements are cancelled. Returns how many
    /// statements were asked to stop. Only the first reason is kept.
    pub fn trigger(&self, reason: &str) -> usize {
        {
            let mut r = self.reason.lock().unwrap_or_else(|e| e.into_inner());
            r.get_or_insert_with(|| reason.to_string());
        }
        self.triggered.store(true, Ordering::SeqCst);
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.values().filter(|h| h.cancel().is_ok()).count()
    }

    /// True once [`Interrupt::trigger`] was called.
    pub fn is_triggered(&self) -> bool {
        self.triggered.load(Ordering::SeqCst)
    }

    /// Why the run was stopped.
    pub fn reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Registers a worker's running session; false when the run is already stopping (the worker
    /// must not start its node).
    pub(crate) fn enter(&self, worker: usize, handle: CancelHandle) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(worker, handle);
        // Checked after registering, so a trigger between the two still cancels this session.
        !self.is_triggered()
    }

    /// The worker's node is done.
    pub(crate) fn leave(&self, worker: usize) {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&worker);
    }
}
