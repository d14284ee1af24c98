#!/usr/bin/env python3
"""Records dbt-core's catalog.json for the `store` fixture, as the expected data of runner's
`docs generate` tests (crates/runner-cli/tests/it/docs.rs).

    . /work/ref/env.sh   # or: ~/.cache/runner/venv-dbt/bin/python
    python scripts/record-catalog.py [--keep DIR]

On a copy of tests/fixtures/store with tests/fixtures/docs-overlay copied over it (descriptions and
a source on the seeds), for DuckDB and for a throwaway PostgreSQL 15 cluster, it runs `dbt build`
then `dbt docs generate` and keeps the observable part of target/catalog.json: for every node and
source its metadata (without `owner`, which names the connecting role), columns and stats, in
dbt's order. The database name differs between dbt's run and runner's test, so it is written as
`{database}`. Writes tests/fixtures/store/expected/catalog-<engine>.json. `--keep DIR` also copies
dbt's whole target/ of each engine to DIR/<engine> for inspection.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "store"

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module  # noqa: E402

record_run = import_module("record-run")
OVERLAY = REPO / "tests" / "fixtures" / "docs-overlay"


def observable(catalog, database):
    """The parts of a catalog that do not vary between runs, with the database as a placeholder."""
    def entry(e):
        meta = {k: v for k, v in e["metadata"].items() if k != "owner"}
        if meta.get("database") == database:
            meta["database"] = "{database}"
        return {"metadata": meta, "columns": e["columns"], "stats": e["stats"],
                "unique_id": e.get("unique_id")}
    return {
        "nodes": {k: entry(v) for k, v in catalog["nodes"].items()},
        "sources": {k: entry(v) for k, v in catalog["sources"].items()},
        "errors": catalog.get("errors"),
    }


def prepare(tmp, name, profiles):
    project = tmp / name
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("expected", "target"))
    shutil.copytree(OVERLAY, project, dirs_exist_ok=True)
    (project / "profiles.yml").write_text(profiles)
    return project


def dbt(project, env, *args):
    proc = subprocess.run(["dbt", *args], cwd=project, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed in {project}:\n{proc.stdout}\n{proc.stderr}")


def record(project, env, engine, database, keep):
    dbt(project, env, "build")
    dbt(project, env, "docs", "generate")
    catalog = json.loads((project / "target" / "catalog.json").read_text())
    if keep:
        shutil.copytree(project / "target", keep / engine, dirs_exist_ok=True)
    path = FIXTURE / "expected" / f"catalog-{engine}.json"
    path.write_text(json.dumps(observable(catalog, database), indent=1) + "\n")
    print(f"wrote {path}: {len(catalog['nodes'])} nodes, {len(catalog['sources'])} sources")


def main():
    keep = None
    if len(sys.argv) == 3 and sys.argv[1] == "--keep":
        keep = pathlib.Path(sys.argv[2]).resolve()
    venv_bin = str(pathlib.Path(sys.executable).parent)
    base_env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""),
                    DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false", DO_NOT_TRACK="1")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        os.chmod(tmp, 0o777)

        # DuckDB: the database is the file's stem.
        db = tmp / "shop.duckdb"
        project = prepare(tmp, "duck", "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
                                       f"      path: {db}\n      threads: 1\n")
        record(project, dict(base_env, DBT_PROFILES_DIR=str(project)), "duckdb", "shop", keep)

        # PostgreSQL, in the `postgres` database, schema `shop`.
        with record_run.throwaway_postgres(tmp) as port:
            project = prepare(tmp, "pg", record_run.postgres_profile("shop", port, "shop"))
            record(project, dict(base_env, DBT_PROFILES_DIR=str(project)), "postgres", "postgres", keep)


if __name__ == "__main__":
    main()
