//! The docs page written by `docs generate`: self-contained, listing the project, showing a
//! hostile description as text, and (when Node is installed) drawing what it should.

use std::path::Path;

use serde_json::Value as Json;

use super::read_json;
use crate::support::repo_root;

/// index.html: self-contained, lists the project, and shows a hostile description as text.
pub fn check_page(project: &Path) {
    let page = std::fs::read_to_string(project.join("target/index.html")).unwrap();
    let manifest = read_json(&project.join("target/manifest.json"));
    for section in ["nodes", "sources"] {
        for id in manifest[section].as_object().unwrap().keys() {
            assert!(
                page.contains(&format!("\"{id}\"")),
                "{id} not in index.html"
            );
        }
    }
    // The data holds URLs (the artifacts' schema ids); the page around it must load nothing.
    let mut code = page.clone();
    for id in ["manifest-data", "catalog-data"] {
        let open = code.find(&format!("id=\"{id}\">")).unwrap() + id.len() + 6;
        let close = open + code[open..].find("</script>").unwrap();
        code.replace_range(open..close, "");
    }
    assert!(code.len() < 30_000, "the page without its data is small");
    for network in [
        "http://",
        "https://",
        "src=",
        "<link",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!code.contains(network), "index.html contains {network}");
    }
    // Only the page's own three script elements end: the description's `</script>` does not.
    assert_eq!(page.to_lowercase().matches("</script").count(), 3);
    assert!(!page.contains("<script>alert"), "description broke out");
    let start = page.find("id=\"manifest-data\">").unwrap() + "id=\"manifest-data\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    let embedded: Json = serde_json::from_str(&page[start..end]).unwrap();
    let description = embedded["nodes"]["model.shop.order_events"]["description"]
        .as_str()
        .unwrap();
    assert_eq!(
        description,
        "One row per order and status. </script><script>alert('docs')</script> stays text."
    );
    assert_eq!(
        embedded["nodes"]["model.shop.order_events"]["columns"]["status"]["description"],
        "Where the order is: placed, shipped, completed or returned."
    );
    let catalog_start = page.find("id=\"catalog-data\">").unwrap() + "id=\"catalog-data\">".len();
    let catalog_end = catalog_start + page[catalog_start..].find("</script>").unwrap();
    let embedded_catalog: Json = serde_json::from_str(&page[catalog_start..catalog_end]).unwrap();
    assert_eq!(
        embedded_catalog,
        read_json(&project.join("target/catalog.json"))
    );
}

/// Runs the page's script in Node (scripts/docs-page-smoke.js) when Node is installed: the page
/// draws the list, a model with its catalog types, tests and lineage, and a search.
pub fn check_page_script(project: &Path) {
    let Ok(out) = std::process::Command::new("node")
        .arg(repo_root().join("scripts/docs-page-smoke.js"))
        .arg(project.join("target/index.html"))
        .args([
            "model.shop.order_events",
            "model.shop.stg_orders",
            "PAYMENT",
        ])
        .output()
    else {
        eprintln!("node is not installed: the docs page's script was not run");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = |id: &str| {
        let start = text.find(&format!("=== {id}\n")).unwrap();
        let rest = &text[start + 4..];
        rest[..rest.find("\n=== ").unwrap_or(rest.len())].to_string()
    };
    let tree = page("tree");
    for name in [
        "\"orders\"",
        "\"raw_customers\"",
        "\"orders_history\"",
        "\"raw.raw_orders\"",
        "\"models/staging\"",
    ] {
        assert!(tree.contains(name), "{name} not in the list:\n{tree}");
    }
    let events = page("model.shop.order_events");
    for want in [
        "alert('docs')</script> stays text.\"",
        "code \"order_id\"",
        "td \"INTEGER\"",
        "href=#!/test.shop.not_null_order_events_order_id",
        "href=#!/model.shop.stg_orders",
        "h2 \"Compiled SQL\"",
    ] {
        assert!(events.contains(want), "{want} not on the page:\n{events}");
    }
    let staging = page("model.shop.stg_orders");
    assert!(
        staging.contains("href=#!/snapshot.shop.orders_history"),
        "{staging}"
    );
    let search = page("search PAYMENT");
    assert!(
        search.contains("stg_payments") && !search.contains("\"orders\""),
        "{search}"
    );
}
