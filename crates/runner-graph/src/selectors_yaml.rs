//! `selectors.yml`: parsing named selector definitions (CLI-style strings, `method: value`
//! shorthand, full dictionaries with graph-operator keys, `union`/`intersection` with nested
//! `exclude`, and `selector` references) into [`SelectionSpec`]s, plus the default selector.

use std::collections::HashMap;

use serde_yaml::{Mapping, Value};

use crate::error::GraphError;
use crate::spec::{IndirectSelection, Method, SelectionAtom, SelectionSpec};

/// One named selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorDefinition {
    /// The selector's name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Whether it is the project's default selector.
    pub default: bool,
    /// The parsed definition.
    pub definition: SelectionSpec,
}

/// All selectors of a project, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selectors {
    file: String,
    defs: Vec<SelectorDefinition>,
    by_name: HashMap<String, usize>,
}

const FULL_KEYS: [&str; 9] = [
    "method",
    "value",
    "children",
    "parents",
    "children_depth",
    "parents_depth",
    "childrens_parents",
    "indirect_selection",
    "exclude",
];

impl Selectors {
    /// Parses the text of a selectors file; `file_name` is used in error messages. Checks that
    /// names are unique, at most one selector is the default, and every `selector:` reference
    /// names a defined selector without forming a loop.
    pub fn from_yaml(text: &str, file_name: &str) -> Result<Selectors, GraphError> {
        let err = |selector: Option<&str>, message: String| GraphError::SelectorsFile {
            file: file_name.to_owned(),
            selector: selector.map(str::to_owned),
            message,
        };
        let doc: Value =
            serde_yaml::from_str(text).map_err(|e| err(None, format!("invalid YAML: {e}")))?;
        let mut out = Selectors {
            file: file_name.to_owned(),
            ..Selectors::default()
        };
        if doc.is_null() {
            return Ok(out);
        }
        let list = doc
            .get("selectors")
            .ok_or_else(|| err(None, "expected a top-level `selectors:` key".into()))?;
        let Some(list) = list.as_sequence() else {
            return Err(err(None, "`selectors:` must be a list".into()));
        };
        for (pos, entry) in list.iter().enumerate() {
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| err(None, format!("selector #{} has no `name`", pos + 1)))?
                .to_owned();
            let here = |message: String| err(Some(&name), message);
            if let Some(map) = entry.as_mapping() {
                for key in map.keys() {
                    let key = key.as_str().unwrap_or_default();
                    if !["name", "description", "default", "definition"].contains(&key) {
                        return Err(here(format!("unexpected key `{key}`")));
                    }
                }
            }
            let description = match entry.get("description") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(here("`description` must be a string".into())),
            };
            let default = match entry.get("default") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
                Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
                Some(_) => return Err(here("`default` must be true or false".into())),
            };
            let definition = entry
                .get("definition")
                .ok_or_else(|| here("missing `definition`".into()))?;
            let definition = parse_definition(definition, true).map_err(|e| here(describe(e)))?;
            if out.by_name.insert(name.clone(), out.defs.len()).is_some() {
                return Err(here("a selector with this name is already defined".into()));
            }
            out.defs.push(SelectorDefinition {
                name,
                description,
                default,
                definition,
            });
        }
        let defaults: Vec<&str> = out
            .defs
            .iter()
            .filter(|d| d.default)
            .map(|d| d.name.as_str())
            .collect();
        if defaults.len() > 1 {
            return Err(err(
                None,
                format!(
                    "found multiple selectors with `default: true`: {}",
                    defaults.join(", ")
                ),
            ));
        }
        for def in &out.defs {
            out.check_references(&def.name, &mut vec![def.name.clone()])
                .map_err(|message| err(Some(&def.name), message))?;
        }
        Ok(out)
    }

    fn check_references(&self, name: &str, chain: &mut Vec<String>) -> Result<(), String> {
        let mut refs = Vec::new();
        self.defs[self.by_name[name]]
            .definition
            .for_each_atom(&mut |a| {
                if a.method == Method::Selector {
                    refs.push(a.value.clone());
                }
            });
        for r in refs {
            if !self.by_name.contains_key(&r) {
                return Err(format!("refers to selector `{r}`, which is not defined"));
            }
            if chain.contains(&r) {
                chain.push(r);
                return Err(format!(
                    "selector references form a loop: {}",
                    chain.join(" -> ")
                ));
            }
            chain.push(r.clone());
            self.check_references(&r, chain)?;
            chain.pop();
        }
        Ok(())
    }

    /// The selectors file name given to [`Selectors::from_yaml`] (empty for [`Selectors::default`]).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The selector with this name.
    pub fn get(&self, name: &str) -> Option<&SelectorDefinition> {
        self.by_name.get(name).map(|&i| &self.defs[i])
    }

    /// The selector marked `default: true`, used when neither `--select`, `--exclude` nor
    /// `--selector` is given.
    pub fn default_selector(&self) -> Option<&SelectorDefinition> {
        self.defs.iter().find(|d| d.default)
    }

    /// All selectors in file order.
    pub fn iter(&self) -> impl Iterator<Item = &SelectorDefinition> {
        self.defs.iter()
    }

    /// All selector names in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.defs.iter().map(|d| d.name.as_str())
    }

    /// Number of selectors.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether no selector is defined.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }
}

/// Error text for a definition problem, without repeating the file and selector.
fn describe(e: GraphError) -> String {
    match e {
        GraphError::SelectorsFile { message, .. } => message,
        other => other.to_string(),
    }
}

fn fail(message: impl Into<String>) -> GraphError {
    GraphError::SelectorsFile {
        file: String::new(),
        selector: None,
        message: message.into(),
    }
}

fn parse_definition(def: &Value, root: bool) -> Result<SelectionSpec, GraphError> {
    match def {
        Value::String(s) => SelectionSpec::parse(s),
        Value::Mapping(map) => {
            let set_op = ["union", "intersection"]
                .into_iter()
                .find(|k| map.contains_key(*k));
            match set_op {
                Some(_) if map.len() > 1 => {
                    let keys: Vec<String> = map.keys().map(key_text).collect();
                    let level = if root { "a root level" } else { "a" };
                    Err(fail(format!(
                        "only a single 'union' or 'intersection' key is allowed in {level} selector definition; found {}",
                        keys.join(",")
                    )))
                }
                Some(op) => parse_set_op(op, &map[op]),
                None => parse_dict(map),
            }
        }
        other => Err(fail(format!(
            "expected a string, a mapping, `union` or `intersection`, found {}",
            yaml_text(other)
        ))),
    }
}

fn parse_set_op(op: &str, items: &Value) -> Result<SelectionSpec, GraphError> {
    let Some(items) = items.as_sequence() else {
        return Err(fail(format!("`{op}` must be a list")));
    };
    let mut include = Vec::new();
    let mut exclude = None;
    for item in items {
        match item
            .as_mapping()
            .and_then(|m| m.get("exclude").map(|e| (m, e)))
        {
            Some((m, e)) if m.len() == 1 => {
                if exclude.is_some() {
                    return Err(fail(format!(
                        "you cannot provide multiple exclude arguments to the same `{op}`"
                    )));
                }
                exclude = Some(parse_exclusions(e)?);
            }
            _ => include.push(parse_definition(item, false)?),
        }
    }
    let spec = if op == "union" {
        SelectionSpec::Union(include)
    } else {
        SelectionSpec::Intersection(include)
    };
    Ok(with_exclusion(spec, exclude))
}

fn parse_exclusions(value: &Value) -> Result<SelectionSpec, GraphError> {
    let Some(items) = value.as_sequence() else {
        return Err(fail("`exclude` must be a list"));
    };
    let mut parts = items
        .iter()
        .map(|i| parse_definition(i, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        SelectionSpec::Union(parts)
    })
}

fn with_exclusion(spec: SelectionSpec, exclude: Option<SelectionSpec>) -> SelectionSpec {
    match exclude {
        None => spec,
        Some(ex) => SelectionSpec::Difference {
            include: Box::new(spec),
            exclude: Box::new(ex),
        },
    }
}

fn parse_dict(map: &Mapping) -> Result<SelectionSpec, GraphError> {
    let raw = yaml_text(&Value::Mapping(map.clone()));
    let (method_text, value) = if map.len() == 1 {
        let (k, v) = map.iter().next().expect("one entry");
        let Some(k) = k.as_str() else {
            return Err(fail(format!(
                "expected the definition key to be a string, got {}",
                yaml_text(k)
            )));
        };
        (k.to_owned(), v)
    } else if let (Some(m), Some(v)) = (map.get("method"), map.get("value")) {
        for key in map.keys() {
            let key = key_text(key);
            if !FULL_KEYS.contains(&key.as_str()) {
                return Err(fail(format!("unexpected key `{key}` in {raw}")));
            }
        }
        let Some(m) = m.as_str() else {
            return Err(fail(format!("`method` must be a string in {raw}")));
        };
        (m.to_owned(), v)
    } else {
        let keys: Vec<String> = map.keys().map(key_text).collect();
        return Err(fail(format!(
            "expected either 1 key or else \"method\" and \"value\" keys, but got [{}]",
            keys.join(", ")
        )));
    };
    let value = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            return Err(fail(format!(
                "invalid node spec {raw}: the value must be a string, got {}",
                yaml_text(other)
            )));
        }
    };
    let mut parts = method_text.split('.');
    let name = parts.next().unwrap_or_default();
    let method = Method::parse(name)
        .ok_or_else(|| GraphError::invalid(&raw, format!("'{name}' is not a valid method name")))?;
    let atom = SelectionAtom {
        raw: raw.clone(),
        method,
        method_args: parts.map(str::to_owned).collect(),
        value,
        childrens_parents: flag(map, "childrens_parents")?,
        parents: flag(map, "parents")?,
        parents_depth: depth(map, "parents_depth")?,
        children: flag(map, "children")?,
        children_depth: depth(map, "children_depth")?,
        indirect_selection: match map.get("indirect_selection") {
            None => None,
            Some(v) => Some(v.as_str().and_then(IndirectSelection::parse).ok_or_else(|| {
                fail(format!(
                    "invalid indirect_selection {}: expected eager, cautious, buildable or empty",
                    yaml_text(v)
                ))
            })?),
        },
    };
    atom.validate()?;
    let exclude = match map.get("exclude") {
        Some(e) if map.len() > 1 => Some(parse_exclusions(e)?),
        _ => None,
    };
    Ok(with_exclusion(SelectionSpec::Atom(atom), exclude))
}

fn flag(map: &Mapping, key: &str) -> Result<bool, GraphError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(fail(format!(
            "`{key}` must be true or false, got {}",
            yaml_text(other)
        ))),
    }
}

fn depth(map: &Mapping, key: &str) -> Result<Option<usize>, GraphError> {
    let bad = |v: &Value| fail(format!("could not handle {key} {}", yaml_text(v)));
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n.as_u64().map(|d| Some(d as usize)).ok_or_else(|| bad(v)),
        Some(v @ Value::String(s)) => s.parse().map(Some).map_err(|_| bad(v)),
        Some(v) => Err(bad(v)),
    }
}

fn key_text(k: &Value) -> String {
    k.as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| yaml_text(k))
}

fn yaml_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| format!("{v:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(yaml: &str) -> Result<SelectionSpec, GraphError> {
        parse_definition(&serde_yaml::from_str(yaml).unwrap(), true)
    }

    #[test]
    fn forms() {
        assert_eq!(
            def("'tag:nightly'").unwrap(),
            SelectionSpec::parse("tag:nightly").unwrap()
        );
        let SelectionSpec::Atom(a) = def("{tag: nightly}").unwrap() else {
            panic!()
        };
        assert_eq!((a.method, a.value.as_str()), (Method::Tag, "nightly"));
        let SelectionSpec::Atom(a) =
            def("{method: config.materialized, value: table, parents: true, children_depth: 2, children: true, indirect_selection: cautious}").unwrap()
        else {
            panic!()
        };
        assert_eq!(a.method_args, vec!["materialized"]);
        assert!(a.parents && a.children);
        assert_eq!(a.children_depth, Some(2));
        assert_eq!(a.indirect_selection, Some(IndirectSelection::Cautious));
        let d = def("{method: tag, value: a, exclude: [{tag: b}]}").unwrap();
        assert!(matches!(d, SelectionSpec::Difference { .. }));
        let d = def("{union: [a, {exclude: [b, c]}]}").unwrap();
        let SelectionSpec::Difference { include, exclude } = d else {
            panic!()
        };
        assert!(matches!(*include, SelectionSpec::Union(ref v) if v.len() == 1));
        assert!(matches!(*exclude, SelectionSpec::Union(ref v) if v.len() == 2));
    }

    #[test]
    fn bad_forms() {
        assert!(
            def("{union: [a], tag: x}")
                .unwrap_err()
                .to_string()
                .contains("only a single")
        );
        assert!(
            def("{method: tag, parents: true}")
                .unwrap_err()
                .to_string()
                .contains("expected either 1 key")
        );
        assert!(
            def("{bogus: x}")
                .unwrap_err()
                .to_string()
                .contains("not a valid method")
        );
        assert!(def("{union: [a, {exclude: [b]}, {exclude: [c]}]}").is_err());
        assert!(def("{method: tag, value: a, parents_depth: x}").is_err());
        assert!(def("{method: tag, value: a, indirect_selection: lazy}").is_err());
        assert!(def("{method: tag, value: a, chidren: true}").is_err());
        assert!(def("[a]").is_err());
        assert!(def("{tag: [a]}").is_err());
    }
}
