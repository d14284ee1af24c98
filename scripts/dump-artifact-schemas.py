#!/usr/bin/env python3
"""Regenerate tests/schemas/*.json from the installed dbt-core (the oracle).

Run with the oracle venv's interpreter, e.g.:
    ~/.cache/runner/venv-dbt/bin/python scripts/dump-artifact-schemas.py [OUT_DIR]
OUT_DIR defaults to tests/schemas next to this script's parent directory.
"""
import json
import os
import sys

from dbt.artifacts.schemas.catalog import CatalogArtifact
from dbt.artifacts.schemas.freshness import FreshnessExecutionResultArtifact
from dbt.artifacts.schemas.run import RunResultsArtifact
from dbt.contracts.graph.manifest import WritableManifest

ARTIFACTS = {
    "manifest-v12.json": WritableManifest,
    "run-results-v6.json": RunResultsArtifact,
    "catalog-v1.json": CatalogArtifact,
    "sources-v3.json": FreshnessExecutionResultArtifact,
}


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests", "schemas")
    os.makedirs(out_dir, exist_ok=True)
    for filename, cls in ARTIFACTS.items():
        schema = cls.json_schema()
        expected = filename.rsplit("-", 1)[1].removesuffix(".json")  # e.g. "v12"
        if not str(schema.get("$id", "")).endswith(f"/{expected}.json"):
            raise SystemExit(f"{cls.__name__}: unexpected $id {schema.get('$id')!r}")
        with open(os.path.join(out_dir, filename), "w") as f:
            json.dump(schema, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"wrote {filename} ({schema['$id']})")


if __name__ == "__main__":
    main()
