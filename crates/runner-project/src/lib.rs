//! Reads a dbt project from disk exactly as dbt-core 1.x lays it out: `dbt_project.yml`, `profiles.yml`,
//! the packages vendored under `dbt_packages/`, every resource file and the property YAML.
//!
//! This crate knows files and YAML only. Turning them into manifest nodes (configs, refs, tests) is the
//! job of `runner-compile`, which also supplies the Jinja renderer used for `env_var()` in YAML values.
#![deny(missing_docs)]

pub mod dbt_project;
pub mod error;
pub mod files;
pub mod packages;
pub mod profiles;
pub mod properties;
pub mod yaml;
pub mod yaml_load;

pub use dbt_project::{DispatchEntry, ProjectConfig};
pub use error::{ProjectError, Result};
pub use files::{FileKind, ProjectFile};
pub use profiles::{Target, is_secret_field, load_target};
pub use properties::{PropertyEntry, PropertyKind};
pub use yaml::StringRenderer;

/// A root project, its installed packages and all their resource files.
#[derive(Debug, Clone)]
pub struct LoadedProject {
    /// The root project's configuration.
    pub root: ProjectConfig,
    /// Installed packages, sorted by name (the root is not among them).
    pub packages: Vec<ProjectConfig>,
    /// Every resource file of the root and the packages, root first, each package's files in path order.
    pub files: Vec<ProjectFile>,
}

impl LoadedProject {
    /// Loads the project in `dir` and its packages; `render` renders Jinja in YAML values.
    pub fn load(dir: &std::path::Path, render: &StringRenderer<'_>) -> Result<LoadedProject> {
        let root = ProjectConfig::load(dir, render)?;
        let packages = packages::load_installed(&root, render)?;
        let mut files = files::discover(&root)?;
        for p in &packages {
            files.extend(files::discover(p)?);
        }
        Ok(LoadedProject {
            root,
            packages,
            files,
        })
    }

    /// The configuration of a package by name (the root included).
    pub fn package(&self, name: &str) -> Option<&ProjectConfig> {
        if self.root.name == name {
            return Some(&self.root);
        }
        self.packages.iter().find(|p| p.name == name)
    }

    /// All projects: the root first, then packages by name.
    pub fn all_projects(&self) -> impl Iterator<Item = &ProjectConfig> {
        std::iter::once(&self.root).chain(self.packages.iter())
    }

    /// Each project's directory by name, for reading seeds and other files of a node's package
    /// (the root project wins over a package of the same name).
    pub fn project_dirs(&self) -> std::collections::HashMap<String, std::path::PathBuf> {
        self.packages
            .iter()
            .chain(std::iter::once(&self.root))
            .map(|p| (p.name.clone(), p.root.clone()))
            .collect()
    }
}
