//! One resource file's nodes at parse time: a model, analysis, singular test or seed file gives one
//! node, a snapshot file one per `{% snapshot %}` block. Each node gets its config (project tree,
//! property file, in-file `config()`), its relation name, its parse-time render (refs, sources,
//! macros) and its property-file description and columns.
//!
//! Everything here reads shared, finished inputs only, so files are parsed in parallel
//! (`crate::parallel`); filing the nodes into the manifest stays with the caller, in file order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use runner_artifacts::{ManifestNode, ResourceType};
use runner_jinja::Template;
use runner_project::properties::{PropertyEntry, PropertyKind};
use runner_project::{LoadedProject, ProjectFile};
use serde_json::Value as Json;

use crate::context::Shared;
use crate::error::{CompileError, Result};
use crate::nodes::{finish_config, name_relation, node_for_file, parse_render, resource_type_of};
use crate::project::{described_columns, props_key, render_description};
use crate::versions::ModelVersion;

/// A node built from a file, with its parsed SQL template (seeds have none).
pub(crate) type FileNode = (ManifestNode, Option<Arc<Template>>);

/// What every file's parse reads: the project, the render context, docs blocks and property
/// entries (all complete before any file node is built).
pub(crate) struct FileInputs<'a> {
    pub loaded: &'a LoadedProject,
    pub shared: &'a Arc<Shared>,
    pub docs: &'a BTreeMap<String, Json>,
    pub props: &'a foldhash::HashMap<(PropertyKind, String, String), PropertyEntry>,
    pub versions: &'a HashMap<(String, String), ModelVersion>,
    pub created_at: f64,
    /// Where nodes with identical configs get one shared copy.
    pub configs: &'a crate::shared_configs::SharedConfigs,
}

impl FileInputs<'_> {
    /// The nodes of one resource file, in block order.
    pub(crate) fn nodes_of(&self, file: &ProjectFile) -> Result<Vec<FileNode>> {
        let FileInputs {
            loaded,
            shared,
            docs,
            props,
            versions,
            created_at,
            configs,
        } = *self;
        let Some(rt) = resource_type_of(file.kind) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let contents = file.read()?;
        // A snapshot file holds `{% snapshot %}` blocks, each its own node; other files are one node.
        let units: Vec<(Option<String>, String)> = if rt == ResourceType::Snapshot {
            Template::parse(&file.rel_path, &contents)
                .map_err(|e| CompileError::jinja(&file.rel_path, &e))?
                .blocks()
                .iter()
                .filter(|b| matches!(b.kind, runner_jinja::BlockKind::Snapshot))
                .map(|b| (Some(b.name.clone()), b.body.clone()))
                .collect()
        } else {
            vec![(None, contents.clone())]
        };
        for (block, code) in units {
            let prop_kind = match rt {
                ResourceType::Seed => PropertyKind::Seeds,
                ResourceType::Analysis => PropertyKind::Analyses,
                ResourceType::Snapshot => PropertyKind::Snapshots,
                _ => PropertyKind::Models,
            };
            let version = (rt == ResourceType::Model)
                .then(|| versions.get(&(file.package.clone(), file.stem().to_string())))
                .flatten();
            let props_name = match (&block, version) {
                (Some(b), _) => b.as_str(),
                (None, Some(v)) => v.model.as_str(),
                (None, None) => file.stem(),
            };
            let entry = if rt == ResourceType::Test {
                None
            } else {
                props.get(&props_key(prop_kind, &file.package, props_name))
            };
            let prop_config = entry
                .and_then(|e| e.body.get("config"))
                .and_then(Json::as_object)
                .cloned();
            let mut node = node_for_file(
                loaded,
                file,
                rt,
                &contents,
                prop_config.as_ref(),
                created_at,
            );
            if let Some(v) = version {
                crate::versions::apply(&mut node, v);
            }
            if let Some(b) = &block {
                crate::snapshots::apply_block(&mut node, b, &code);
            }
            if let Some(e) = entry {
                node.patch_path = Some(format!("{}://{}", e.package, e.file));
                let d = e
                    .body
                    .get("description")
                    .and_then(Json::as_str)
                    .unwrap_or("");
                node.description = render_description(shared, docs, &e.package, d, &e.file)?;
                node.columns.extend(described_columns(
                    shared, docs, &e.package, &e.file, &e.body,
                )?);
            }
            let mut file_tags: Option<Vec<String>> = None;
            let mut template_out = None;
            let mut named = false;
            if rt == ResourceType::Seed {
                // Seeds are not rendered, but their hooks are objects like every node's.
                crate::config::hooks_as_objects(Arc::make_mut(&mut node.config));
            }
            if rt != ResourceType::Seed {
                let template = Arc::new(
                    Template::parse(
                        &file.rel_path,
                        if block.is_some() { &code } else { code.trim() },
                    )
                    .map_err(|e| CompileError::jinja(&file.rel_path, &e))?,
                );
                name_relation(shared, &mut node)?;
                let captured = parse_render(shared, &mut node, &template, Default::default())?;
                let mut unrendered = std::mem::take(&mut node.unrendered_config);
                let fqn = std::mem::take(&mut node.fqn);
                let changed = finish_config(
                    loaded,
                    rt,
                    &file.package,
                    &fqn,
                    Arc::make_mut(&mut node.config),
                    &mut unrendered,
                    &captured.config_calls,
                );
                file_tags = Some(crate::nodes::ordered_tags(
                    loaded,
                    rt,
                    &file.package,
                    &fqn,
                    &captured.config_calls,
                    prop_config.as_ref(),
                ));
                node.unrendered_config = unrendered;
                node.fqn = fqn;
                node.refs = captured.refs;
                node.sources = captured.sources;
                node.depends_on.macros = captured.macros;
                template_out = Some(template);
                // The relation was named before rendering (for `this`); only a config that
                // changed since can name it differently.
                named = !changed;
            }
            if !named {
                name_relation(shared, &mut node)?;
            }
            node.tags = file_tags
                .take()
                .unwrap_or_else(|| crate::config::config_tags(&node.config));
            node.meta = node
                .config
                .get("meta")
                .and_then(Json::as_object)
                .cloned()
                .unwrap_or_default();
            configs.share(&mut node.config);
            out.push((node, template_out));
        }
        Ok(out)
    }
}
