#!/usr/bin/env python3
"""Records what dbt-core does when it *runs* an in-repo fixture project, as the expected data of
runner's execution tests (crates/runner-cli/tests/it/run.rs).

    ~/.cache/runner/venv-dbt/bin/python scripts/record-run.py tests/fixtures/store

For DuckDB and for a throwaway PostgreSQL 15 cluster it runs the steps in the fixture's `run-steps.json`
(each a list of dbt arguments, e.g. ["build"], then ["build"] again, then a broken build), and after
each step records the exit code, every node's status, and the rows of every relation in the target
schema (sorted, each value normalised by `cell()`; runner's test normalises its own rows the same way).
Writes FIXTURE/expected/run-<engine>.json.
"""
import datetime
import decimal
import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")


def cell(v):
    """One value as text, the way runner's test prints it."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (float, decimal.Decimal)):
        return f"{float(v):.6f}"
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def dump_rows(fetch, tables):
    out = {}
    for t in tables:
        rows = ["|".join(cell(v) for v in row) for row in fetch(f'select * from "{t}"')]
        out[t] = sorted(rows)
    return out


def run_steps(project, steps, env, dump):
    recorded = []
    for args in steps:
        proc = subprocess.run(["dbt", *args], cwd=project, env=env, capture_output=True, text=True)
        results = json.loads((project / "target" / "run_results.json").read_text())
        statuses = {r["unique_id"]: r["status"] for r in results["results"]}
        recorded.append({"args": args, "exit": proc.returncode, "statuses": dict(sorted(statuses.items())),
                         "relations": dump()})
    return recorded


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd, **kw):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + cmd, check=True, capture_output=True, text=True, **kw)


@contextlib.contextmanager
def throwaway_postgres(tmp):
    """A Postgres cluster in tmp/pgdata on a free loopback port (trust auth); yields the port."""
    data = tmp / "pgdata"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    port = free_port()
    as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
    as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1",
                 "-w", "start", "-l", str(tmp / "pg.log")])
    try:
        yield port
    finally:
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])


def postgres_profile(profile, port, schema):
    """profiles.yml text for a `dev` target on a throwaway_postgres cluster's `postgres` database."""
    return (f"{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n"
            f"      port: {port}\n      user: postgres\n      password: x\n      dbname: postgres\n"
            f"      schema: {schema}\n      threads: 1\n")


def oracle_env():
    """The environment dbt runs in: this venv's bin first, no telemetry, no version check."""
    venv_bin = str(pathlib.Path(sys.executable).parent)
    return dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""),
                DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false", DO_NOT_TRACK="1")


def record_steps_on_both_engines(fixture, name, run_steps, duck_schema=None, pg_schema=None):
    """Runs the fixture's `<name>-steps.json` with `run_steps(project, steps, env)` on a copy of the
    fixture per engine (DuckDB, then a throwaway PostgreSQL cluster; one thread each) and writes
    what it returns to FIXTURE/expected/<name>-<engine>.json. The profile is the one named in
    dbt_project.yml; the Postgres schema defaults to that name."""
    steps = json.loads((fixture / f"{name}-steps.json").read_text())
    profile = next(line.split(":", 1)[1].strip().strip("'\"")
                   for line in (fixture / "dbt_project.yml").read_text().splitlines()
                   if line.startswith("profile:"))
    env = oracle_env()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        os.chmod(tmp, 0o777)

        project = tmp / "duck"
        shutil.copytree(fixture, project, ignore=shutil.ignore_patterns("expected", "target"))
        schema = f"      schema: {duck_schema}\n" if duck_schema else ""
        (project / "profiles.yml").write_text(
            f"{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
            f"      path: {tmp / 'oracle.duckdb'}\n{schema}      threads: 1\n")
        duck = run_steps(project, steps, dict(env, DBT_PROFILES_DIR=str(project)))
        write_steps(fixture / "expected" / f"{name}-duckdb.json", duck)

        with throwaway_postgres(tmp) as port:
            project = tmp / "pg"
            shutil.copytree(fixture, project, ignore=shutil.ignore_patterns("expected", "target"))
            (project / "profiles.yml").write_text(postgres_profile(profile, port, pg_schema or profile))
            pg = run_steps(project, steps, dict(env, DBT_PROFILES_DIR=str(project)))
            write_steps(fixture / "expected" / f"{name}-postgres.json", pg)


def write_steps(path, steps):
    """Writes recorded steps (each with its `args` and `exit`) and says what they were."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(steps, indent=1) + "\n")
    print(f"wrote {path}: " + ", ".join(f"{' '.join(s['args'][:2])} -> exit {s['exit']}" for s in steps))


def main():
    fixture = pathlib.Path(sys.argv[1]).resolve()
    steps = json.loads((fixture / "run-steps.json").read_text())
    # The profile named in dbt_project.yml; on Postgres the target schema has the same name.
    profile = next(line.split(":", 1)[1].strip().strip("'\"")
                   for line in (fixture / "dbt_project.yml").read_text().splitlines()
                   if line.startswith("profile:"))
    venv_bin = str(pathlib.Path(sys.executable).parent)
    env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false", DO_NOT_TRACK="1")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        os.chmod(tmp, 0o777)

        # DuckDB
        project = tmp / "duck"
        shutil.copytree(fixture, project, ignore=shutil.ignore_patterns("expected", "target"))
        db = tmp / "oracle.duckdb"
        (project / "profiles.yml").write_text(
            f"{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {db}\n      threads: 1\n")
        import duckdb

        def duck_dump():
            con = duckdb.connect(str(db), read_only=True)
            try:
                tables = [r[0] for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'main' order by 1").fetchall()]
                return dump_rows(lambda q: con.execute(q).fetchall(), tables)
            finally:
                con.close()

        duck = run_steps(project, steps, dict(env, DBT_PROFILES_DIR=str(project)), duck_dump)
        write(fixture / "expected" / "run-duckdb.json", duck)

        # PostgreSQL
        with throwaway_postgres(tmp) as port:
            import psycopg2
            project = tmp / "pg"
            shutil.copytree(fixture, project, ignore=shutil.ignore_patterns("expected", "target"))
            (project / "profiles.yml").write_text(postgres_profile(profile, port, profile))

            def pg_dump():
                con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
                try:
                    cur = con.cursor()
                    cur.execute("select table_name from information_schema.tables where table_schema = %s order by 1",
                                (profile,))
                    tables = [r[0] for r in cur.fetchall()]

                    def fetch(q):
                        cur.execute(q.replace('from "', f'from {profile}."'))
                        return cur.fetchall()
                    return dump_rows(fetch, tables)
                finally:
                    con.close()

            pg = run_steps(project, steps, dict(env, DBT_PROFILES_DIR=str(project)), pg_dump)
            write(fixture / "expected" / "run-postgres.json", pg)


def write(path, steps):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(steps, indent=1, sort_keys=False) + "\n")
    print(f"wrote {path}: " + ", ".join(f"{' '.join(s['args'])} -> exit {s['exit']}" for s in steps))


if __name__ == "__main__":
    main()
