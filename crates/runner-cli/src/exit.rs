//! The one table of exit codes, as dbt and schedulers read them. It lives in `runner-job` (the
//! entrypoint returns the same codes); the verbs use it from here.

pub use runner_job::exit::{ERROR, NODE_FAILURE, SUCCESS};
