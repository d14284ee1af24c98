//! YAML reading with errors that carry the file and line, and rendering of Jinja inside YAML strings.

use std::path::Path;

use serde_yaml::Value as Yaml;

use crate::error::{ProjectError, Result};

/// Renders one string that may contain Jinja (`{{ env_var('X') }}`). Supplied by the engine, which owns Jinja.
pub type StringRenderer<'a> = dyn Fn(&str) -> std::result::Result<String, String> + 'a;

/// Reads a YAML file; an empty file is `Null`. YAML merge keys (`<<: *anchor`) are applied.
pub fn read_yaml_file(path: &Path) -> Result<Yaml> {
    let text = std::fs::read_to_string(path).map_err(|source| ProjectError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_yaml(path, &text)
}

/// Parses YAML text that came from `path` (used only for error messages).
pub fn parse_yaml(path: &Path, text: &str) -> Result<Yaml> {
    if text.trim().is_empty() {
        return Ok(Yaml::Null);
    }
    let mut value: Yaml = crate::yaml_load::load(text).map_err(|e| ProjectError::Yaml {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    value.apply_merge().map_err(|e| ProjectError::Yaml {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line()).unwrap_or(0),
        message: strip_location(&e.to_string()),
    })?;
    Ok(value)
}

fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Renders every string in `value` that contains Jinja delimiters, except under keys for which
/// `skip(key_path)` is true (dbt leaves hooks and some config unrendered until execution).
pub fn render_strings(
    path: &Path,
    value: &mut Yaml,
    key_path: &mut Vec<String>,
    render: &StringRenderer<'_>,
    skip: &dyn Fn(&[String]) -> bool,
) -> Result<()> {
    if skip(key_path) {
        return Ok(());
    }
    match value {
        Yaml::String(s) if s.contains("{{") || s.contains("{%") => {
            let rendered = render(s).map_err(|message| ProjectError::Render {
                path: path.to_path_buf(),
                line: line_of_value(path, key_path.last().map(String::as_str), s),
                key: key_path.join("."),
                message,
            })?;
            *value = native_scalar(&rendered);
        }
        Yaml::Sequence(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                key_path.push(i.to_string());
                render_strings(path, item, key_path, render, skip)?;
                key_path.pop();
            }
        }
        Yaml::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                key_path.push(yaml_key(k));
                render_strings(path, v, key_path, render, skip)?;
                key_path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

/// The 1-based line where the string `value` (under `key`) is written in `path`, or 0 when it cannot be
/// found (the parsed YAML keeps no positions, so an error re-reads the file to point at the line).
fn line_of_value(path: &Path, key: Option<&str>, value: &str) -> usize {
    let Ok(text) = std::fs::read_to_string(path) else {
        return 0;
    };
    let first_line = value.lines().next().unwrap_or(value);
    let candidates: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(first_line))
        .map(|(i, _)| i + 1)
        .collect();
    let keyed = key.and_then(|k| {
        let prefix = format!("{k}:");
        candidates.iter().copied().find(|&n| {
            let l = text.lines().nth(n - 1).unwrap_or("").trim_start();
            l.starts_with(&prefix) || l.trim_start_matches("- ").starts_with(&prefix)
        })
    });
    keyed.or(candidates.first().copied()).unwrap_or(0)
}

/// dbt turns a rendered value back into a number or boolean when the whole string is one
/// (so `port: "{{ env_var('PORT') }}"` becomes an integer).
fn native_scalar(rendered: &str) -> Yaml {
    if let Ok(i) = rendered.parse::<i64>() {
        return Yaml::Number(i.into());
    }
    match rendered {
        "True" | "true" => Yaml::Bool(true),
        "False" | "false" => Yaml::Bool(false),
        _ => Yaml::String(rendered.to_string()),
    }
}

/// A mapping key as text (numbers and booleans as YAML writes them).
pub fn yaml_key(k: &Yaml) -> String {
    match k {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Converts YAML to JSON, the form every config value takes inside runner.
pub fn to_json(value: &Yaml) -> serde_json::Value {
    match value {
        Yaml::Null => serde_json::Value::Null,
        Yaml::Bool(b) => serde_json::Value::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0))
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Yaml::String(s) => serde_json::Value::String(s.clone()),
        Yaml::Sequence(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (yaml_key(k), to_json(v))).collect())
        }
        Yaml::Tagged(t) => to_json(&t.value),
    }
}

/// Looks up `key` in a mapping.
pub fn get<'a>(value: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    value.as_mapping().and_then(|m| m.get(key))
}

/// A string field, or `None` when absent or null.
pub fn get_str(value: &Yaml, key: &str) -> Option<String> {
    match get(value, key)? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings given either as one string or as a sequence.
pub fn get_str_list(value: &Yaml, key: &str) -> Option<Vec<String>> {
    match get(value, key)? {
        Yaml::String(s) => Some(vec![s.clone()]),
        Yaml::Sequence(items) => Some(
            items
                .iter()
                .filter_map(|i| match i {
                    Yaml::String(s) => Some(s.clone()),
                    Yaml::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_errors_carry_the_line() {
        let err = parse_yaml(Path::new("x.yml"), "a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        match err {
            ProjectError::Yaml { line, .. } => assert!(line >= 2, "line {line}"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn merge_keys_are_applied() {
        let v = parse_yaml(
            Path::new("x.yml"),
            "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n",
        )
        .unwrap();
        assert_eq!(
            to_json(get(&v, "child").unwrap()),
            serde_json::json!({"x": 1, "y": 2})
        );
    }

    #[test]
    fn rendering_skips_requested_keys_and_restores_numbers() {
        let mut v = parse_yaml(
            Path::new("x.yml"),
            "port: \"{{ p }}\"\nhooks: [\"{{ h }}\"]\nname: \"{{ n }}\"\n",
        )
        .unwrap();
        let render = |s: &str| -> std::result::Result<String, String> {
            Ok(match s {
                "{{ p }}" => "5432".into(),
                "{{ n }}" => "abc".into(),
                _ => return Err("unexpected".into()),
            })
        };
        let skip = |k: &[String]| k.first().map(|s| s == "hooks").unwrap_or(false);
        render_strings(Path::new("x.yml"), &mut v, &mut vec![], &render, &skip).unwrap();
        assert_eq!(
            to_json(&v),
            serde_json::json!({"port": 5432, "hooks": ["{{ h }}"], "name": "abc"})
        );
    }

    #[test]
    fn render_errors_point_at_the_line_of_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.yml");
        let text = "p:\n  outputs:\n    dev:\n      pw: \"{{ x }}\"\n    prod:\n      pw: \"{{ x }}\"\n      user: \"{{ x }}\"\n";
        std::fs::write(&path, text).unwrap();
        let mut v = parse_yaml(&path, text).unwrap();
        let mut v_prod = get(get(get(&v, "p").unwrap(), "outputs").unwrap(), "prod")
            .unwrap()
            .clone();
        let fail = |_: &str| -> std::result::Result<String, String> { Err("boom".into()) };
        let e = render_strings(&path, &mut v, &mut vec![], &fail, &|_| false).unwrap_err();
        assert!(matches!(e, ProjectError::Render { line: 4, .. }), "{e}");
        assert!(
            e.to_string()
                .ends_with("profiles.yml:4: could not render `p.outputs.dev.pw`: boom"),
            "{e}"
        );
        let mut key = vec!["user".to_string()];
        let e = render_strings(
            &path,
            get_mut_first(&mut v_prod, "user"),
            &mut key,
            &fail,
            &|_| false,
        )
        .unwrap_err();
        assert!(matches!(e, ProjectError::Render { line: 7, .. }), "{e}");
    }

    fn get_mut_first<'a>(v: &'a mut Yaml, key: &str) -> &'a mut Yaml {
        v.as_mapping_mut().unwrap().get_mut(key).unwrap()
    }
}
