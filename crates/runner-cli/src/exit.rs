//! The one table of exit codes, as dbt and schedulers read them.

/// Everything selected succeeded.
pub const SUCCESS: i32 = 0;
/// The run completed but a node failed (a model error, a failing test).
pub const NODE_FAILURE: i32 = 1;
/// Configuration, project or infrastructure error: nothing (more) ran.
pub const ERROR: i32 = 2;
