//! `index.html`: our own one-file docs page (not dbt's), with the manifest and the catalog embedded,
//! so the single file works from S3 or `file://` and fetches nothing.
//!
//! The page is `page.html` with `page.css` and `page.js` inlined. The data goes into
//! `<script type="application/json">` elements, which the browser never runs but ends at the first
//! `</script>`: [`embed_json`] writes `<`, `>` and `&` as `\u003c`-style escapes, which JSON reads
//! back as the same characters, so no description or SQL can close the element or open a comment.

use serde_json::{Map, Value as Json};

const TEMPLATE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Manifest sections the page does not show; the macros alone are most of a manifest with packages.
const DROPPED_SECTIONS: [&str; 3] = ["macros", "docs", "disabled"];

/// The manifest as the page embeds it: every section but macros, docs blocks and disabled nodes.
pub fn page_manifest(manifest: &Json) -> Json {
    match manifest {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(k, _)| !DROPPED_SECTIONS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// JSON text that is safe inside an HTML `<script>` element and parses back to `value`.
pub fn embed_json(value: &Json) -> String {
    let text = serde_json::to_string(value).expect("JSON values always serialize");
    let mut out = String::with_capacity(text.len() + text.len() / 64);
    for ch in text.chars() {
        // These characters only occur inside JSON strings, where the escapes mean the same.
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The docs page for a project: `manifest` is the whole manifest.json value (trimmed here with
/// [`page_manifest`]), `catalog` the catalog.json value.
pub fn render_page(manifest: &Json, catalog: &Json) -> String {
    let project = manifest
        .pointer("/metadata/project_name")
        .and_then(Json::as_str)
        .unwrap_or("dbt project");
    let title = escape_html(&format!("{project} docs"));
    let manifest = embed_json(&page_manifest(manifest));
    let catalog = embed_json(catalog);
    fill(
        TEMPLATE,
        &[
            ("title", &title),
            ("style", STYLE),
            ("script", SCRIPT),
            ("manifest", &manifest),
            ("catalog", &catalog),
        ],
    )
}

/// Replaces each `{{name}}` of the template in one pass, so a value can never be read as a
/// placeholder itself.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let extra: usize = values.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(template.len() + extra);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[start..start + 4 + len]),
        }
        rest = &rest[start + 4 + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_description_cannot_close_the_data_element() {
        let hostile = "x </script><script>alert(1)</script> <!-- & </SCRIPT >";
        let manifest = json!({
            "metadata": {"project_name": "shop</title>"},
            "nodes": {"model.shop.a": {"description": hostile}},
            "macros": {"macro.x": {}},
        });
        let page = render_page(&manifest, &json!({"nodes": {}, "sources": {}}));
        let lower = page.to_lowercase();
        // The template's own three script elements close, and nothing else does.
        assert_eq!(lower.matches("</script").count(), 3, "{page}");
        assert!(!page.contains("<!--"));
        assert!(page.contains("<title>shop&lt;/title&gt; docs</title>"));
        // The data reads back as it was, without the macros.
        let start = page.find("id=\"manifest-data\">").unwrap() + "id=\"manifest-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let back: Json = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(back["nodes"]["model.shop.a"]["description"], hostile);
        assert!(back.get("macros").is_none());
    }

    #[test]
    fn placeholders_inside_values_stay_as_they_are() {
        let out = fill("a {{x}} b {{y}} {{unknown}}", &[("x", "{{y}}"), ("y", "Y")]);
        assert_eq!(out, "a {{y}} b Y {{unknown}}");
    }

    #[test]
    fn the_page_loads_nothing_from_the_network() {
        let page = render_page(&json!({}), &json!({}));
        for needle in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!page.contains(needle), "page contains {needle}");
        }
        assert!(
            !SCRIPT.contains("innerHTML"),
            "project text must go through textContent"
        );
    }
}
