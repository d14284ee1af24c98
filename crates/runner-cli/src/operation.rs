//! `run-operation MACRO --args '{…}'`: load the project as every verb does, call the macro through
//! `runner-exec` on a live connection, and write manifest.json and run_results.json (one result,
//! `macro.pkg.name`). Exit 0 when the macro ran, 1 when it failed, 2 when there is no such macro or
//! the project, profile or warehouse is unusable.

use anyhow::{Context, Result, bail};
use runner_exec::Console;
use serde_json::{Map, Value as Json, json};

use crate::cli::Common;
use crate::commands::{Loaded, load, parse_yaml_mapping, write_manifest};
use crate::exit;

/// Runs `run-operation`; returns the exit code.
pub fn run(c: &Common) -> Result<i32> {
    let mut c = c.clone();
    if c.words.is_empty() {
        bail!("`run-operation` needs the name of a macro: `run-operation my_macro --args '{{…}}'`");
    }
    let macro_name = c.words.remove(0);
    let args = c
        .args
        .as_ref()
        .map(|_| parse_yaml_mapping(&c.args, "--args"))
        .transpose()?;
    run_macro(&c, &macro_name, args.as_ref())
}

/// Runs `macro_name` with `args` (`None`: no `--args` given); `retry` comes here too.
pub fn run_macro(c: &Common, macro_name: &str, args: Option<&Map<String, Json>>) -> Result<i32> {
    let Loaded {
        mut parsed,
        target_dir,
        target,
        ..
    } = load(c, "run-operation")?;
    let console =
        Console::new(c.log_format == "json", c.quiet).with_invocation(&parsed.shared.invocation_id);
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("creating {}", target_dir.display()))?;
    let adapter = crate::execute::open_adapter(&target)?;
    let interrupt = std::sync::Arc::new(runner_exec::Interrupt::new());
    crate::signals::watch(interrupt.clone());

    console.running();
    console.found(&parsed.manifest);
    let report = runner_exec::operation::run_operation(
        &mut parsed,
        &adapter,
        macro_name,
        args.unwrap_or(&Map::new()),
        &target.target_name,
        &interrupt,
        &console,
    )?;
    write_manifest(&parsed, &target_dir)?;
    let failed = report.has_failures();
    let artifact = report.into_run_results(
        &parsed.shared.invocation_id,
        invocation_args(c, macro_name, args),
    );
    crate::execute::write_run_results(&target_dir, artifact)?;
    Ok(if failed {
        exit::NODE_FAILURE
    } else {
        exit::SUCCESS
    })
}

/// The `args` dbt records for this verb: which, the macro and its arguments.
fn invocation_args(
    c: &Common,
    macro_name: &str,
    args: Option<&Map<String, Json>>,
) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("which".into(), json!("run-operation"));
    m.insert("macro".into(), json!(macro_name));
    // dbt records null when no --args were given.
    m.insert(
        "args".into(),
        args.cloned().map_or(Json::Null, Json::Object),
    );
    m.insert("target".into(), json!(c.target));
    m.insert("profile".into(), json!(c.profile));
    m.insert("log_format".into(), json!(c.log_format));
    m
}
