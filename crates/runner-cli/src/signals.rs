//! SIGTERM and SIGINT during an executing verb: the first one triggers the run's
//! [`Interrupt`] (running statements are cancelled on the warehouse, nothing new starts, and
//! run_results.json is still written); a second one, or a run that has not wound down within the
//! grace period, ends the process at once.

use std::sync::Arc;
use std::time::Duration;

use runner_exec::Interrupt;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::exit;

/// How long an interrupted run may take to cancel its queries and write its artifacts. ECS waits
/// `stopTimeout` (120 s in our task definition, 30 s by default) before SIGKILL; the ECS entrypoint
/// promises to be gone within 25 s.
const GRACE: Duration = Duration::from_secs(20);

/// Watches for SIGTERM and SIGINT in a background thread for the rest of the process.
pub fn watch(interrupt: Arc<Interrupt>) {
    let mut signals = match Signals::new([SIGTERM, SIGINT]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("runner: cannot watch for SIGTERM/SIGINT ({e}); a stop will not be graceful");
            return;
        }
    };
    std::thread::spawn(move || {
        let mut seen = 0;
        for signal in signals.forever() {
            seen += 1;
            let name = if signal == SIGTERM {
                "SIGTERM"
            } else {
                "SIGINT"
            };
            if seen > 1 {
                eprintln!("runner: second {name}: exiting now");
                std::process::exit(exit::ERROR);
            }
            let cancelled = interrupt.trigger(&format!("runner received {name}"));
            eprintln!(
                "runner: {name} received: cancelled {cancelled} running quer{}, starting nothing new",
                if cancelled == 1 { "y" } else { "ies" }
            );
            std::thread::spawn(|| {
                std::thread::sleep(GRACE);
                eprintln!(
                    "runner: the run did not stop within {} s: exiting",
                    GRACE.as_secs()
                );
                std::process::exit(exit::ERROR);
            });
        }
    });
}
