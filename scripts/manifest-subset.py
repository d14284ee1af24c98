#!/usr/bin/env python3
"""Prints the parts of a manifest.json that runner must reproduce exactly, as sorted, indented JSON.

usage: manifest-subset.py MANIFEST > subset.json

Machine-specific or time-dependent fields (root paths, created_at, generated_at, invocation ids) are left
out; everything a user can observe about a node's identity, configuration and dependencies is kept.
"""
import json
import sys

NODE_KEYS = [
    "unique_id", "resource_type", "package_name", "path", "original_file_path", "name", "alias",
    "fqn", "database", "schema", "relation_name", "checksum", "config", "tags", "description",
    "meta", "group", "docs", "patch_path", "depends_on", "refs", "sources", "metrics",
    "unrendered_config", "raw_code", "compiled_code", "extra_ctes", "test_metadata",
    "column_name", "attached_node", "file_key_name", "access", "version", "latest_version",
    "contract", "constraints", "primary_key", "doc_blocks", "source_name", "identifier",
    "loaded_at_field", "loaded_at_query", "source_meta", "freshness", "quoting", "external", "loader", "source_description",
    "type", "owner", "maturity", "url", "label",
]


def subset(manifest):
    out = {}
    for section in ("nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries",
                    "unit_tests", "docs", "groups"):
        for uid, node in (manifest.get(section) or {}).items():
            kept = {k: node[k] for k in NODE_KEYS if k in node}
            if "columns" in node:
                kept["columns"] = {
                    name: {k: col.get(k) for k in ("name", "description", "data_type", "meta", "tags")}
                    for name, col in node["columns"].items()
                }
            if section == "docs":
                kept["block_contents"] = node.get("block_contents")
            out[uid] = kept
    for uid, mac in manifest.get("macros", {}).items():
        if mac["package_name"] != "dbt" and not mac["package_name"].startswith("dbt_"):
            out[uid] = {k: mac.get(k) for k in ("unique_id", "package_name", "path", "original_file_path",
                                                   "depends_on", "description", "arguments")}
    out["parent_map"] = manifest.get("parent_map")
    out["child_map"] = manifest.get("child_map")
    out["selectors"] = manifest.get("selectors")
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(subset(json.load(f)), indent=1, sort_keys=True))
