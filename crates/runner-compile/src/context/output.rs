//! Where templates' `log(msg, info=True)` and `print(msg)` lines go. The CLI decides (text with
//! timestamps or JSON events, `--quiet`) through [`set_template_output`]; it is process-wide because
//! a run prints to one console, and parse-time renders log before any verb has built its own.

use std::sync::OnceLock;

/// Which template function wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateLine {
    /// `log(msg, info=True)`: an informational log line (dbt's `JinjaLogInfo`), hidden by `--quiet`.
    Log,
    /// `print(msg)`: printed even with `--quiet` (dbt's `PrintEvent`).
    Print,
}

/// Receives each line with the invocation id of the run that printed it.
pub type TemplateOutput = Box<dyn Fn(TemplateLine, &str, &str) + Send + Sync>;

static OUTPUT: OnceLock<TemplateOutput> = OnceLock::new();

/// Sends template lines to `output` for the rest of the process; false when one was set already.
pub fn set_template_output(output: TemplateOutput) -> bool {
    OUTPUT.set(output).is_ok()
}

/// Writes one template line: to the installed output, else `log` to stderr and `print` to stdout.
pub(crate) fn write(kind: TemplateLine, msg: &str, invocation_id: &str) {
    match (OUTPUT.get(), kind) {
        (Some(output), _) => output(kind, msg, invocation_id),
        (None, TemplateLine::Log) => eprintln!("{msg}"),
        (None, TemplateLine::Print) => println!("{msg}"),
    }
}
