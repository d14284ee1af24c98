//! Writing artifacts to disk: pretty-free JSON as dbt writes it, replaced atomically.

use std::path::{Path, PathBuf};

/// An artifact could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Writing failed.
    #[error("could not write {path}: {source}")]
    Io {
        /// The artifact's path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Writes `value` as compact JSON to `path` through a temporary file, so readers never see half a file.
pub fn write_json_file(path: &Path, value: &serde_json::Value) -> Result<(), ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string(value).expect("JSON values always serialize");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Formats `value` as Python's `json.dumps` does with its defaults (`", "` and `": "` separators, non-ASCII
/// escaped as `\uXXXX`), the form dbt prints for `ls --output json` and log payloads.
pub fn python_json_dumps(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_python_json(value, &mut out);
    out
}

fn write_python_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => write_ascii_string(s, out),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_json(item, out);
            }
            out.push(']');
        }
        J::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_ascii_string(k, out);
                out.push_str(": ");
                write_python_json(v, out);
            }
            out.push('}');
        }
    }
}

fn write_ascii_string(s: &str, out: &mut String) {
    use std::fmt::Write as _;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::python_json_dumps;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps_defaults() {
        // Expected strings produced by Python 3.11: json.dumps({"a": [1, None, True], "é": "x\n\"☃😀"})
        let v = json!({"a": [1, null, true], "é": "x\n\"☃😀"});
        assert_eq!(
            python_json_dumps(&v),
            r#"{"a": [1, null, true], "\u00e9": "x\n\"\u2603\ud83d\ude00"}"#
        );
    }
}
