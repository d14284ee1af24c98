//! `on-run-start` / `on-run-end` hooks from every project's dbt_project.yml, as the `operation` nodes dbt
//! makes of them (`operation.pkg.pkg-on-run-start-0`).

use std::sync::Arc;

use runner_artifacts::{ManifestNode, ResourceType};
use runner_jinja::Template;
use runner_project::LoadedProject;

use crate::context::Shared;
use crate::error::{CompileError, Result};
use crate::nodes::{base_config, file_checksum, finish_config, name_relation, parse_render};

/// One operation node per hook; returns the nodes and their parsed templates.
pub fn parse(
    loaded: &LoadedProject,
    shared: &Arc<Shared>,
    created_at: f64,
) -> Result<Vec<(ManifestNode, Arc<Template>)>> {
    let mut out = Vec::new();
    for project in loaded.all_projects() {
        let (hooks_file, contents) = read_project_file(&project.root)?;
        // dbt checksums every hook with the whitespace-collapsed text of dbt_project.yml.
        let checksum = file_checksum(
            contents
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_bytes(),
        );
        for (kind, hooks) in [
            ("on-run-start", &project.on_run_start),
            ("on-run-end", &project.on_run_end),
        ] {
            for (index, sql) in hooks.iter().enumerate() {
                let name = format!("{}-{kind}-{index}", project.name);
                let mut node = ManifestNode::new(ResourceType::Operation, &project.name, &name);
                node.unique_id = format!("operation.{}.{name}", project.name);
                node.path = format!("hooks/{name}.sql");
                node.original_file_path = "./dbt_project.yml".to_string();
                node.fqn = vec![project.name.clone(), "hooks".into(), name.clone()];
                node.alias = name.clone();
                node.checksum = checksum.clone();
                node.raw_code = sql.clone();
                node.created_at = created_at;
                node.hook_index = Some(index);
                node.contract =
                    serde_json::json!({"enforced": false, "alias_types": true, "checksum": null});
                let (mut config, mut unrendered) = base_config(
                    loaded,
                    ResourceType::Operation,
                    &project.name,
                    &node.fqn,
                    None,
                );
                let fqn = node.fqn.clone();
                finish_config(
                    loaded,
                    ResourceType::Operation,
                    &project.name,
                    &fqn,
                    &mut config,
                    &mut unrendered,
                    &[],
                );
                node.config = config.into();
                node.unrendered_config = unrendered;
                node.tags = std::iter::once(kind.to_string())
                    .chain(crate::config::config_tags(&node.config))
                    .collect();
                name_relation(shared, &mut node)?;
                let template = Arc::new(
                    Template::parse(&hooks_file, sql)
                        .map_err(|e| CompileError::jinja(&hooks_file, &e))?,
                );
                let captured = parse_render(shared, &mut node, &template, Default::default())?;
                node.depends_on.macros = captured.macros;
                out.push((node, template));
            }
        }
    }
    Ok(out)
}

fn read_project_file(root: &std::path::Path) -> Result<(String, String)> {
    let path = root.join("dbt_project.yml");
    let text = std::fs::read_to_string(&path).map_err(|source| CompileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(("dbt_project.yml".to_string(), text))
}
