//! The selection language's syntax tree and the parser for one `--select`/`--exclude` string:
//! space-separated unions, comma-separated intersections and atoms `[@][n+][method:]value[+n]`,
//! with dbt's default-method rule (path, file or fqn) for values without a method.

use std::fmt;

use crate::error::GraphError;

/// How tests adjacent to selected nodes are selected (`--indirect-selection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IndirectSelection {
    /// A test is selected when any of its parents is selected (dbt's default).
    #[default]
    Eager,
    /// A test is selected only when all of its parents are selected.
    Cautious,
    /// A test is selected when each parent is selected or is an ancestor of a selected node.
    Buildable,
    /// Only directly selected tests.
    Empty,
}

impl IndirectSelection {
    /// Parses `eager`, `cautious`, `buildable` or `empty`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "eager" => Some(IndirectSelection::Eager),
            "cautious" => Some(IndirectSelection::Cautious),
            "buildable" => Some(IndirectSelection::Buildable),
            "empty" => Some(IndirectSelection::Empty),
            _ => None,
        }
    }
}

/// A selector method (`method:` before the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `fqn:`, and values without a method that look neither like a path nor a file.
    Fqn,
    /// `tag:`
    Tag,
    /// `path:`, and values without a method that contain `/`.
    Path,
    /// `file:`, and values without a method that end in `.sql`, `.py` or `.csv`.
    File,
    /// `config.<key>[.<key>…]:`
    Config,
    /// `resource_type:`
    ResourceType,
    /// `package:`
    Package,
    /// `source:`
    Source,
    /// `exposure:`
    Exposure,
    /// `metric:`
    Metric,
    /// `semantic_model:`
    SemanticModel,
    /// `saved_query:`
    SavedQuery,
    /// `unit_test:`
    UnitTest,
    /// `test_type:`
    TestType,
    /// `test_name:`
    TestName,
    /// `group:`
    Group,
    /// `access:`
    Access,
    /// `version:`
    Version,
    /// `selector:` — a named YAML selector.
    Selector,
    /// `state:` (parsed, not evaluated yet)
    State,
    /// `result:` (parsed, not evaluated yet)
    Result,
    /// `source_status:` (parsed, not evaluated yet)
    SourceStatus,
}

impl Method {
    const NAMES: [(&'static str, Method); 22] = [
        ("fqn", Method::Fqn),
        ("tag", Method::Tag),
        ("path", Method::Path),
        ("file", Method::File),
        ("config", Method::Config),
        ("resource_type", Method::ResourceType),
        ("package", Method::Package),
        ("source", Method::Source),
        ("exposure", Method::Exposure),
        ("metric", Method::Metric),
        ("semantic_model", Method::SemanticModel),
        ("saved_query", Method::SavedQuery),
        ("unit_test", Method::UnitTest),
        ("test_type", Method::TestType),
        ("test_name", Method::TestName),
        ("group", Method::Group),
        ("access", Method::Access),
        ("version", Method::Version),
        ("selector", Method::Selector),
        ("state", Method::State),
        ("result", Method::Result),
        ("source_status", Method::SourceStatus),
    ];

    /// Parses a method name (without arguments).
    pub fn parse(s: &str) -> Option<Method> {
        Method::NAMES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }

    /// The method's name as written in selectors.
    pub fn as_str(self) -> &'static str {
        Method::NAMES
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("fqn")
    }

    /// The method dbt uses for a value written without one: `path` when it contains `/`,
    /// `file` when it ends in `.sql`, `.py` or `.csv`, `fqn` otherwise.
    pub fn default_for(value: &str) -> Method {
        let lower = value.to_ascii_lowercase();
        if value.contains('/') {
            Method::Path
        } else if [".sql", ".py", ".csv"]
            .iter()
            .any(|ext| lower.ends_with(ext))
        {
            Method::File
        } else {
            Method::Fqn
        }
    }
}

/// One selection criterion: a method, its value and the graph operators around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionAtom {
    /// The text it was parsed from.
    pub raw: String,
    /// The selector method.
    pub method: Method,
    /// Dotted arguments after the method name (`config.meta.owner` → `["meta", "owner"]`).
    pub method_args: Vec<String>,
    /// The value after `:`.
    pub value: String,
    /// `@` prefix: the selection, its descendants and all ancestors of those.
    pub childrens_parents: bool,
    /// `+` prefix: ancestors.
    pub parents: bool,
    /// `n+` prefix: ancestors up to `n` edges away.
    pub parents_depth: Option<usize>,
    /// `+` suffix: descendants.
    pub children: bool,
    /// `+n` suffix: descendants up to `n` edges away.
    pub children_depth: Option<usize>,
    /// Per-criterion `indirect_selection` (YAML selectors); `None` inherits the invocation's.
    pub indirect_selection: Option<IndirectSelection>,
}

impl SelectionAtom {
    /// Parses one atom `[@][n+][method[.arg…]:]value[+n]`.
    pub fn parse(raw: &str) -> Result<SelectionAtom, GraphError> {
        let mut rest = raw;
        let childrens_parents = rest.starts_with('@');
        if childrens_parents {
            rest = &rest[1..];
        }
        let (mut parents, mut parents_depth) = (false, None);
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if rest[digits..].starts_with('+') {
            parents = true;
            parents_depth = parse_depth(raw, &rest[..digits])?;
            rest = &rest[digits + 1..];
        }
        let (mut children, mut children_depth) = (false, None);
        let without_digits = rest.trim_end_matches(|c: char| c.is_ascii_digit());
        if let Some(value_part) = without_digits.strip_suffix('+') {
            children = true;
            children_depth = parse_depth(raw, &rest[without_digits.len()..])?;
            rest = value_part;
        }
        let method_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .filter(|&i| i > 0 && rest[i..].starts_with(':'));
        let (method, method_args, value) = match method_end {
            Some(i) => {
                let mut parts = rest[..i].split('.');
                let name = parts.next().unwrap_or_default();
                let method = Method::parse(name).ok_or_else(|| {
                    GraphError::invalid(raw, format!("'{name}' is not a valid method name"))
                })?;
                let args: Vec<String> = parts.map(str::to_owned).collect();
                (method, args, &rest[i + 1..])
            }
            None => (Method::default_for(rest), Vec::new(), rest),
        };
        let atom = SelectionAtom {
            raw: raw.to_owned(),
            method,
            method_args,
            value: value.to_owned(),
            childrens_parents,
            parents,
            parents_depth,
            children,
            children_depth,
            indirect_selection: None,
        };
        atom.validate()?;
        Ok(atom)
    }

    /// Checks the combinations dbt rejects; used for atoms built from YAML as well.
    pub(crate) fn validate(&self) -> Result<(), GraphError> {
        let raw = &self.raw;
        if self.childrens_parents && self.children {
            return Err(GraphError::invalid(
                raw,
                "\"@\" prefix and \"+\" suffix are incompatible",
            ));
        }
        if self.value.is_empty() {
            return Err(GraphError::invalid(raw, "no search value"));
        }
        if self.method == Method::Config {
            if self.method_args.is_empty() || self.method_args.iter().any(String::is_empty) {
                return Err(GraphError::invalid(
                    raw,
                    "the config method needs a key: `config.<key>:<value>`",
                ));
            }
        } else if !self.method_args.is_empty() {
            return Err(GraphError::invalid(
                raw,
                format!("the `{}` method takes no arguments", self.method.as_str()),
            ));
        }
        Ok(())
    }
}

fn parse_depth(raw: &str, digits: &str) -> Result<Option<usize>, GraphError> {
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse()
        .map(Some)
        .map_err(|_| GraphError::invalid(raw, format!("could not handle depth {digits}")))
}

/// A selection expression: an atom, or a set operation over sub-expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionSpec {
    /// One criterion.
    Atom(SelectionAtom),
    /// Nodes selected by any component (space-separated on the command line, `union:` in YAML).
    Union(Vec<SelectionSpec>),
    /// Nodes selected by every component (comma-separated, `intersection:` in YAML).
    Intersection(Vec<SelectionSpec>),
    /// Nodes selected by `include` and not by `exclude` (`exclude:` in YAML).
    Difference {
        /// What is selected.
        include: Box<SelectionSpec>,
        /// What is taken away afterwards.
        exclude: Box<SelectionSpec>,
    },
}

impl SelectionSpec {
    /// Parses one `--select`/`--exclude` argument: whitespace-separated unions of comma-separated
    /// intersections of atoms. Always returns a [`SelectionSpec::Union`] of
    /// [`SelectionSpec::Intersection`]s, as dbt does.
    pub fn parse(text: &str) -> Result<SelectionSpec, GraphError> {
        let mut union = Vec::new();
        for word in text.split_whitespace() {
            let atoms = word
                .split(',')
                .map(|part| {
                    if part.is_empty() {
                        Err(GraphError::invalid(word, "empty criterion in intersection"))
                    } else {
                        SelectionAtom::parse(part).map(SelectionSpec::Atom)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            union.push(SelectionSpec::Intersection(atoms));
        }
        if union.is_empty() {
            return Err(GraphError::invalid(text, "empty selection"));
        }
        Ok(SelectionSpec::Union(union))
    }

    /// Calls `f` on every atom in the expression.
    pub fn for_each_atom<'a>(&'a self, f: &mut dyn FnMut(&'a SelectionAtom)) {
        match self {
            SelectionSpec::Atom(a) => f(a),
            SelectionSpec::Union(parts) | SelectionSpec::Intersection(parts) => {
                parts.iter().for_each(|p| p.for_each_atom(f))
            }
            SelectionSpec::Difference { include, exclude } => {
                include.for_each_atom(f);
                exclude.for_each_atom(f);
            }
        }
    }
}

impl fmt::Display for SelectionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, parts: &[SelectionSpec], sep: &str| {
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{p}")?;
            }
            Ok(())
        };
        match self {
            SelectionSpec::Atom(a) => f.write_str(&a.raw),
            SelectionSpec::Union(parts) => join(f, parts, " "),
            SelectionSpec::Intersection(parts) => join(f, parts, ","),
            SelectionSpec::Difference { include, exclude } => {
                write!(f, "({include}) minus ({exclude})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(s: &str) -> SelectionAtom {
        SelectionAtom::parse(s).unwrap()
    }

    #[test]
    fn operators() {
        let a = atom("2+tag:nightly+3");
        assert_eq!(a.method, Method::Tag);
        assert_eq!(a.value, "nightly");
        assert!(a.parents && a.children && !a.childrens_parents);
        assert_eq!((a.parents_depth, a.children_depth), (Some(2), Some(3)));
        let a = atom("+customers+");
        assert_eq!((a.method, a.value.as_str()), (Method::Fqn, "customers"));
        assert_eq!((a.parents_depth, a.children_depth), (None, None));
        let a = atom("@stg_orders");
        assert!(a.childrens_parents && !a.parents && !a.children);
        let a = atom("model_2020");
        assert_eq!(a.value, "model_2020");
        assert!(!a.parents && !a.children);
        let a = atom("2020_model");
        assert_eq!(a.value, "2020_model");
        assert!(!a.parents);
    }

    #[test]
    fn methods_and_defaults() {
        let a = atom("config.meta.owner:finance");
        assert_eq!(a.method, Method::Config);
        assert_eq!(a.method_args, vec!["meta", "owner"]);
        assert_eq!(a.value, "finance");
        assert_eq!(atom("models/staging").method, Method::Path);
        assert_eq!(atom("stg_orders.SQL").method, Method::File);
        assert_eq!(atom("seed.csv").method, Method::File);
        assert_eq!(atom("jaffle_shop.staging.*").method, Method::Fqn);
        assert_eq!(atom("source:raw.orders").value, "raw.orders");
        assert_eq!(atom("state:modified").method, Method::State);
        assert_eq!(atom("path:models/a.sql").method, Method::Path);
    }

    #[test]
    fn rejects() {
        let err = SelectionAtom::parse("bogus:x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid selector `bogus:x`: 'bogus' is not a valid method name"
        );
        assert!(SelectionAtom::parse("@x+").is_err());
        assert!(SelectionAtom::parse("tag:").is_err());
        assert!(SelectionAtom::parse("+").is_err());
        assert!(SelectionAtom::parse("config:x").is_err());
        assert!(SelectionAtom::parse("tag.x:y").is_err());
        assert!(SelectionSpec::parse("  ").is_err());
        assert!(SelectionSpec::parse("a,,b").is_err());
    }

    #[test]
    fn set_operators() {
        let spec = SelectionSpec::parse("a,tag:x  +b").unwrap();
        let SelectionSpec::Union(parts) = &spec else {
            panic!("not a union")
        };
        assert_eq!(parts.len(), 2);
        let SelectionSpec::Intersection(first) = &parts[0] else {
            panic!("not an intersection")
        };
        assert_eq!(first.len(), 2);
        assert_eq!(spec.to_string(), "a,tag:x +b");
        let mut raws = Vec::new();
        spec.for_each_atom(&mut |a| raws.push(a.raw.clone()));
        assert_eq!(raws, vec!["a", "tag:x", "+b"]);
    }

    #[test]
    fn indirect_modes() {
        assert_eq!(
            IndirectSelection::parse("cautious"),
            Some(IndirectSelection::Cautious)
        );
        assert_eq!(IndirectSelection::parse("Eager"), None);
        assert_eq!(IndirectSelection::default(), IndirectSelection::Eager);
    }
}
