//! `runner docs generate`: compile the project as `compile` does, then read the warehouse's catalog
//! and write target/catalog.json and target/index.html (`runner-docs`). `docs serve` is not offered:
//! the page is one self-contained file.
//!
//! dbt's `--no-compile`, `--empty-catalog` and `--static` are flags of the shared arguments; the
//! same words after `generate -- …` are accepted too.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use runner_exec::Console;
use runner_graph::ResourceType as R;

use crate::cli::Common;
use crate::commands::{Loaded, load, select, write_manifest};
use crate::exit;

/// What `docs generate` does besides reading the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct GenerateOptions {
    /// Compile the selected nodes first (dbt's `--compile`, the default).
    compile: bool,
    /// Write a catalog without asking the warehouse (dbt's `--empty-catalog`).
    empty_catalog: bool,
    /// Also write static_index.html (dbt's `--static`); index.html is self-contained already.
    static_page: bool,
}

fn options(words: &[String]) -> Result<GenerateOptions> {
    let mut o = GenerateOptions {
        compile: true,
        empty_catalog: false,
        static_page: false,
    };
    for w in words {
        match w.as_str() {
            "--no-compile" => o.compile = false,
            "--compile" => o.compile = true,
            "--empty-catalog" => o.empty_catalog = true,
            "--static" => o.static_page = true,
            other => bail!("unexpected argument '{other}' to `docs generate`"),
        }
    }
    Ok(o)
}

/// `runner docs <generate|serve>`; returns the exit code.
pub fn run(c: &Common) -> Result<i32> {
    match c.words.first().map(String::as_str) {
        Some("generate") => {
            let mut opts = options(&c.words[1..])?;
            opts.compile &= !c.no_compile;
            opts.empty_catalog |= c.empty_catalog;
            opts.static_page |= c.static_page;
            let mut common = c.clone();
            common.words.clear();
            generate(&common, opts)
        }
        Some("serve") => {
            eprintln!(
                "`runner docs serve` is not available: target/index.html is self-contained; open it in a browser or put it behind any static web server"
            );
            Ok(exit::ERROR)
        }
        Some(other) => bail!("unknown `docs` command '{other}': use `runner docs generate`"),
        None => bail!("`runner docs` needs a command: `runner docs generate`"),
    }
}

fn generate(c: &Common, opts: GenerateOptions) -> Result<i32> {
    let Loaded {
        mut parsed,
        target_dir,
        target,
        ..
    } = load(c, "generate")?;
    let console =
        Console::new(c.log_format == "json", c.quiet).with_invocation(&parsed.shared.invocation_id);
    console.running();
    console.found(&parsed.manifest);
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("creating {}", target_dir.display()))?;

    // An unreachable warehouse fails at the first connection (the compile's, else the catalog's)
    // with the adapter's error naming host:port (never the password), and exit code 2.
    let adapter = crate::execute::open_adapter(&target)?;
    let connect = || {
        adapter
            .connect()
            .with_context(|| format!("connecting to target '{}'", target.target_name))
    };
    if opts.compile {
        let ids = select(
            c,
            &parsed,
            &[R::Model, R::Test, R::Analysis, R::Snapshot, R::Operation],
        )?;
        let session = Arc::new(runner_exec::session::LiveSession::new(connect()?, None))
            as Arc<dyn runner_compile::context::session::Session>;
        let compiled = runner_compile::compile::compile_nodes_with(
            &mut parsed,
            &ids,
            &target_dir,
            Some(&session),
        );
        // As dbt: a node that does not compile stops the command (exit 2) before the catalog
        // and the page are written; the manifest still records the parse.
        if let Err(e) = compiled {
            write_manifest(&parsed, &target_dir)?;
            return Err(anyhow::Error::new(e)
                .context("the project did not compile, so no docs were generated"));
        }
    }
    write_manifest(&parsed, &target_dir)?;

    let mut catalog = runner_docs::Catalog::default();
    if !opts.empty_catalog {
        console.info("Building catalog");
        let selected = catalog_selection(c, &parsed)?;
        let mut conn = connect()?;
        match runner_docs::read_catalog(&mut *conn, &parsed.manifest, selected.as_ref()) {
            Ok(read) => catalog = read,
            // As dbt: a failed catalog query is reported in `errors` and fails the command, but
            // the artifacts are still written.
            Err(e) => catalog.errors = Some(vec![format!("{e:#}")]),
        }
    }
    let catalog_json = catalog.to_json(&parsed.manifest.metadata, &runner_docs::timestamp_now());
    let catalog_path = target_dir.join("catalog.json");
    runner_artifacts::write_json_file(&catalog_path, &catalog_json)?;
    let page = runner_docs::render_page(&parsed.manifest.to_json(), &catalog_json);
    write_page(&target_dir.join("index.html"), &page)?;
    if opts.static_page {
        write_page(&target_dir.join("static_index.html"), &page)?;
    }
    if let Some(errors) = &catalog.errors {
        for e in errors {
            console.error(e);
        }
        console.error(&format!(
            "runner encountered {} failure(s) while writing the catalog",
            errors.len()
        ));
    }
    let shown = std::fs::canonicalize(&catalog_path).unwrap_or(catalog_path);
    console.info(&format!("Catalog written to {}", shown.display()));
    Ok(if catalog.errors.is_none() {
        exit::SUCCESS
    } else {
        exit::NODE_FAILURE
    })
}

/// With `--select`/`--exclude`/`--selector`, the catalog keeps only the selected models, seeds,
/// snapshots and sources, as dbt's does; without them, everything.
fn catalog_selection(
    c: &Common,
    parsed: &runner_compile::ParsedProject,
) -> Result<Option<BTreeSet<String>>> {
    if c.select.is_empty() && c.exclude.is_empty() && c.selector.is_none() {
        return Ok(None);
    }
    let ids = select(c, parsed, &[R::Model, R::Seed, R::Snapshot, R::Source])?;
    Ok(Some(ids.into_iter().collect()))
}

/// Writes the page through a temporary file, so a reader never sees half of it.
fn write_page(path: &Path, page: &str) -> Result<()> {
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, page).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbts_generate_flags_are_read_and_others_refused() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = options(&words(&["--no-compile", "--static"])).unwrap();
        assert!(!o.compile && o.static_page && !o.empty_catalog);
        assert!(options(&words(&["--empty-catalog"])).unwrap().empty_catalog);
        let err = options(&words(&["--serve"])).unwrap_err().to_string();
        assert!(err.contains("'--serve'"), "{err}");
    }
}
