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
import socket
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "store"
OVERLAY = REPO / "tests" / "fixtures" / "docs-overlay"
PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")


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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + cmd, check=True, capture_output=True, text=True)


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
        data = tmp / "pgdata"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(data, "postgres")
        port = free_port()
        as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o",
                     f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1", "-w", "start", "-l",
                     str(tmp / "pg.log")])
        try:
            project = prepare(tmp, "pg", "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
                                         f"      host: 127.0.0.1\n      port: {port}\n      user: postgres\n"
                                         "      password: x\n      dbname: postgres\n      schema: shop\n"
                                         "      threads: 1\n")
            record(project, dict(base_env, DBT_PROFILES_DIR=str(project)), "postgres", "postgres", keep)
        finally:
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])


if __name__ == "__main__":
    main()
