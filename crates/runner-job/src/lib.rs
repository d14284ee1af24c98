//! The ECS entrypoint behind `runner run --package …`: the job a container runs.
//!
//! 1. fetch the package ([`fetch`]): S3 or local, checksum verified, unpacked into a fresh work dir;
//! 2. fetch profiles.yml and resolve credentials from Glue or Secrets Manager ([`setup`]);
//! 3. run each dbt command in a supervised engine process ([`supervise`]), forwarding a stop;
//! 4. publish the artifacts and the run history, also after a failure ([`publish`]);
//! 5. print a one-line summary last and return dbt's exit code: 0, 1 for failing nodes, 2 for
//!    configuration or infrastructure errors (and for a run stopped by a signal or the deadline).
//!
//! [`build_package`] is `runner package`. All options are in [`options`].

mod error;
pub mod fetch;
mod job;
pub mod layout;
mod log;
pub mod options;
mod package_cmd;
pub mod publish;
mod record;
pub mod setup;
mod steps;
pub mod supervise;

pub use error::JobError;
pub use job::run;
pub use log::JobLog;
pub use options::{JobArgs, PackageArgs};
pub use package_cmd::build_package;

/// The one table of exit codes, as dbt and schedulers read them: the binary's verbs and the job use it.
pub mod exit {
    /// Everything selected succeeded.
    pub const SUCCESS: i32 = 0;
    /// The run completed but a node failed (a model error, a failing test).
    pub const NODE_FAILURE: i32 = 1;
    /// Configuration, project or infrastructure error (nothing more ran), or a stopped run.
    pub const ERROR: i32 = 2;
}
