#!/usr/bin/env python3
"""Differential runner: runs one dbt project with dbt-core (the oracle) and with runner, each into its
own database, and compares what they did after every step. Exits 0 only when nothing differs.

    python3 scripts/compare.py PROJECT_DIR [--engine duckdb|postgres|both] [--steps JSON]
                               [--runner BIN] [--threads N] [--keep]

    python3 scripts/compare.py tests/fixtures/store --engine both
    python3 scripts/compare.py /work/ref/jaffle-shop-classic --steps '["seed", "run", "test"]'
    python3 scripts/compare.py tests/fixtures/store --steps @tests/fixtures/store/run-steps.json

Compared after each step (docs/compare.md explains each item and its normalisation):
  exit code; node statuses (run_results.json, hooks included); test failure counts; compiled SQL
  (every file under <target-path>/compiled, byte for byte); every table and view in every non-system
  schema of the target database (kind, column names and types, rows as a multiset of normalised
  values); the key sets of run_results.json and manifest.json (top-level, metadata, per result, per
  node and node config, and which nodes/sources/... exist).

Both tools get a copy of the project (without target/, logs/, expected/) in a temporary directory and
the same profile, and write to databases with the same name, so compiled SQL can be compared exactly:
on DuckDB two files `compare.duckdb` in different directories; on PostgreSQL one throwaway cluster in
which dbt runs all steps in database `compare`, which is then renamed `compare_dbt` before runner runs
its steps in a fresh database `compare`.

The script re-executes itself with the oracle venv's python (it needs that venv's duckdb and psycopg2
modules); if the venv is missing it runs scripts/install-oracle.sh first.
"""
import argparse
import fnmatch
import collections
import datetime
import decimal
import difflib
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parent.parent
VENV = pathlib.Path(os.environ.get("RUNNER_ORACLE_VENV") or pathlib.Path.home() / ".cache/runner/venv-dbt")
PG_BIN = pathlib.Path(os.environ.get("RUNNER_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "compare"  # the database name both tools see (DuckDB file stem / PostgreSQL database)
PG_SCHEMA = "analytics"  # the profile's schema on PostgreSQL (DuckDB: `main`, dbt-duckdb's default)
SIDES = ("dbt", "runner")
SKIP_TOP = {"target", "logs", "expected", ".git", "__pycache__", ".user.yml"}
# Manifest sections whose entry sets are not compared (reported as a note): runner ships its own set of
# builtin macros instead of dbt's global project plus the adapter plugin's macros.
ENTRY_SET_NOTES = {"macros"}
# Manifest sections that are maps rather than resources.
NOT_RESOURCES = {"metadata", "parent_map", "child_map", "group_map", "disabled"}
MAX_DIFF_LINES = 40
MAX_ROWS_SHOWN = 5
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------- setup

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="dbt project directory (holding dbt_project.yml)")
    p.add_argument("--engine", choices=["duckdb", "postgres", "both"], default="duckdb")
    p.add_argument("--steps", default='["build"]',
                   help='JSON list of steps, each a string ("build --select x") or a list of arguments; '
                        'or @FILE holding that JSON (default: \'["build"]\')')
    p.add_argument("--runner", help="runner binary (default: the newer of target/release/runner and "
                                    "target/debug/runner; built with cargo if neither exists)")
    p.add_argument("--threads", type=int, default=4, help="threads in both profiles (default 4)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    p.add_argument("--volatile", action="append", default=[], metavar="GLOB",
                   help="columns (schema.relation.column, a glob) whose values depend on the clock of the "
                        "run (current_timestamp): their values are not compared, the rest of each row is; "
                        "a --volatile that matches no column is a difference")
    p.add_argument("--known-gap", action="append", default=[], metavar="GLOB",
                   help="compiled files matching GLOB (relative to target/compiled) may differ: reported as "
                        "a note, not a difference; a known gap that no longer differs IS a difference, so "
                        "the list stays honest")
    return p.parse_args(argv)


def parse_steps(text):
    if text.startswith("@"):
        text = pathlib.Path(text[1:]).read_text()
    steps = json.loads(text)
    if not isinstance(steps, list) or not steps:
        sys.exit("compare: --steps must be a non-empty JSON list")
    out = []
    for s in steps:
        if isinstance(s, str):
            out.append(shlex.split(s))
        elif isinstance(s, list) and all(isinstance(a, str) for a in s) and s:
            out.append(list(s))
        else:
            sys.exit(f"compare: bad step {s!r}: expected a string or a list of strings")
    return out


def ensure_oracle_python():
    """Re-executes this script with the oracle venv's python, installing the venv if it is missing."""
    if not (VENV / "bin" / "dbt").exists():
        print(f"compare: oracle venv {VENV} missing; running scripts/install-oracle.sh", file=sys.stderr)
        subprocess.run([str(REPO / "scripts" / "install-oracle.sh"), str(VENV)], check=True)
    if pathlib.Path(sys.prefix).resolve() != VENV.resolve():
        py = VENV / "bin" / "python"
        os.execv(str(py), [str(py), str(pathlib.Path(__file__).resolve()), *sys.argv[1:]])


def find_runner(arg):
    if arg:
        path = pathlib.Path(arg).resolve()
        if not path.exists():
            sys.exit(f"compare: runner binary {path} does not exist")
        return path
    release, debug = REPO / "target/release/runner", REPO / "target/debug/runner"
    if release.exists() and (not debug.exists() or release.stat().st_mtime > debug.stat().st_mtime):
        return release
    if debug.exists():
        return debug
    print("compare: no runner binary; running cargo build -p runner-cli", file=sys.stderr)
    subprocess.run(["cargo", "build", "-p", "runner-cli"], cwd=REPO, check=True)
    return debug


def project_settings(project):
    import yaml
    cfg = yaml.safe_load((project / "dbt_project.yml").read_text()) or {}
    profile = cfg.get("profile")
    if not profile:
        sys.exit(f"compare: {project}/dbt_project.yml has no `profile:`")
    return str(profile), str(cfg.get("target-path") or "target")


def copy_project(src, dest, target_path):
    skip = SKIP_TOP | {target_path.strip("/").split("/")[0]}

    def ignore(directory, names):
        return [n for n in names if pathlib.Path(directory) == src and n in skip]
    shutil.copytree(src, dest, ignore=ignore, symlinks=True)


def write_profile(project, profile, output):
    # JSON is YAML: no quoting problems with paths.
    doc = {profile: {"target": "dev", "outputs": {"dev": output}}}
    (project / "profiles.yml").write_text(json.dumps(doc, indent=2) + "\n")


def tool_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update(DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_VERSION_CHECK="false", DO_NOT_TRACK="1")
    env["PATH"] = str(VENV / "bin") + os.pathsep + env.get("PATH", "")
    return env


# ------------------------------------------------------------------------------------------- values

def cell(v):
    """One value as text; None stays None (NULL). Mirrors scripts/record-run.py's `cell()`, but exact
    for decimals and timestamps (both sides are read through the same Python driver here)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format(v, ".12g")  # float aggregates may differ in the last bits with summation order
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat(sep=" ") if isinstance(v, datetime.datetime) else v.isoformat()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(v).hex()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join("NULL" if c is None else c for c in map(cell, v)) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{cell(k)}: {cell(x)}" for k, x in v.items()) + "}"
    if isinstance(v, uuid.UUID):
        return str(v)
    return str(v)


def row_text(row):
    return "|".join("NULL" if c is None else c.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")
                    for c in row)


def row_sort_key(row):
    return tuple((0, "") if c is None else (1, c) for c in row)


# ---------------------------------------------------------------------------------------- databases

class DuckDb:
    name = "duckdb"

    def __init__(self, tmp, threads):
        self.tmp, self.threads = tmp, threads

    def start(self):
        pass

    def stop(self):
        pass

    def db_file(self, side):
        return self.tmp / side / f"{DB_NAME}.duckdb"

    def profile(self, side):
        return {"type": "duckdb", "path": str(self.db_file(side)), "threads": self.threads}

    def before(self, side):
        pass

    def after(self, side):
        pass

    def relations(self, side):
        import duckdb
        path = self.db_file(side)
        if not path.exists():
            return {}
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = con.execute(
                "select table_schema, table_name, table_type from information_schema.tables "
                "where table_catalog = current_database() and table_type in ('BASE TABLE', 'VIEW') "
                "and table_schema not in ('information_schema', 'pg_catalog') order by 1, 2").fetchall()
            out = {}
            for schema, name, kind in tables:
                cols = con.execute(
                    "select column_name, data_type from information_schema.columns where table_catalog = "
                    "current_database() and table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name]).fetchall()
                try:
                    rows = con.execute(f'select * from "{q(schema)}"."{q(name)}"').fetchall()
                except duckdb.Error as e:  # e.g. a view over a dropped table: compare the error
                    rows = [(f"<select failed: {e}>",)]
                out[f"{schema}.{name}"] = relation(kind, cols, rows)
            return out
        finally:
            con.close()


class Postgres:
    name = "postgres"

    def __init__(self, tmp, threads):
        self.tmp, self.threads = tmp, threads
        self.data = tmp / "pg" / "data"
        self.sock = tmp / "pg" / "sock"
        self.port = None
        self.started = False

    def _as_postgres(self, cmd):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        proc = subprocess.run(prefix + cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")

    def start(self):
        for d in (self.data, self.sock):
            d.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(d, "postgres")
        for d in (self.tmp.parent, self.tmp, self.tmp / "pg"):  # the server user must reach its directories
            os.chmod(d, 0o755)
        self.port = free_port()
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                           "--no-sync", "-E", "UTF8", "--locale=C"])
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "server.log"),
                           "-o", f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                                 "-c synchronous_commit=off -c full_page_writes=off", "start"])
        self.started = True

    def stop(self):
        if self.started:
            self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
            self.started = False

    def connect(self, dbname):
        import psycopg2
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)

    def admin(self, sql):
        con = self.connect("postgres")
        con.autocommit = True
        try:
            con.cursor().execute(sql)
        finally:
            con.close()

    def profile(self, side):
        return {"type": "postgres", "host": "127.0.0.1", "port": self.port, "user": "postgres",
                "password": "unused", "dbname": DB_NAME, "schema": PG_SCHEMA, "threads": self.threads}

    def before(self, side):
        self.admin(f'create database "{DB_NAME}"')

    def after(self, side):
        # Keep this side's database (for --keep) under another name, so the other side gets a fresh
        # database with the same name.
        self.admin(f'alter database "{DB_NAME}" rename to "{DB_NAME}_{side}"')

    def relations(self, side):
        import psycopg2
        con = self.connect(DB_NAME)
        con.autocommit = True  # a failing select must not abort the others
        try:
            cur = con.cursor()
            cur.execute("select table_schema, table_name, table_type from information_schema.tables "
                        "where table_type in ('BASE TABLE', 'VIEW') and table_schema not in "
                        "('information_schema', 'pg_catalog') and table_schema not like 'pg\\_%' order by 1, 2")
            out = {}
            for schema, name, kind in cur.fetchall():
                cur.execute("select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
                            "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped "
                            "order by a.attnum", (f'"{q(schema)}"."{q(name)}"',))
                cols = cur.fetchall()
                try:
                    cur.execute(f'select * from "{q(schema)}"."{q(name)}"')
                    rows = cur.fetchall()
                except psycopg2.Error as e:  # e.g. a view over a dropped table: compare the error
                    rows = [(f"<select failed: {str(e).strip()}>",)]
                out[f"{schema}.{name}"] = relation(kind, cols, rows)
            return out
        finally:
            con.close()


def q(ident):
    return ident.replace('"', '""')


def relation(kind, cols, rows):
    return {"kind": "view" if kind == "VIEW" else "table",
            "columns": [f"{c} {t}" for c, t in cols],
            "rows": collections.Counter(tuple(cell(v) for v in r) for r in rows)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------ running

def load_json(path, mtime_before):
    """The artifact at `path` if this step wrote it (else None)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if mtime_before is not None and st.st_mtime_ns == mtime_before:
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def mtime(path):
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def read_tree(root):
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_side(side, cmd, project, target_path, steps, db, log_dir):
    """Runs every step with one tool; returns one snapshot per step."""
    target = project / target_path
    snaps = []
    db.before(side)
    try:
        for i, args in enumerate(steps, 1):
            before = {n: mtime(target / n) for n in ("run_results.json", "manifest.json")}
            started = time.monotonic()
            proc = subprocess.run([*cmd, *args, "--profiles-dir", str(project)], cwd=project, env=tool_env(),
                                  capture_output=True, text=True)
            elapsed = time.monotonic() - started
            output = proc.stdout + proc.stderr
            (log_dir / f"{side}-step{i}.log").write_text(output)
            snaps.append({
                "exit": proc.returncode,
                "output": output,
                "seconds": elapsed,
                "run_results": load_json(target / "run_results.json", before["run_results.json"]),
                "manifest": load_json(target / "manifest.json", before["manifest.json"]),
                "compiled": read_tree(target / "compiled"),
                "relations": db.relations(side),
            })
    finally:
        db.after(side)
    return snaps


# ---------------------------------------------------------------------------------------- comparing

class Report:
    def __init__(self):
        self.differences = 0
        self.lines = []

    def ok(self, text):
        self.lines.append(f"  {text}")

    def diff(self, text, details=()):
        self.differences += 1
        self.lines.append(f"  DIFF {text}")
        self.lines.extend(f"       {d}" for d in details)

    def note(self, text):
        self.lines.append(f"  note: {text}")


def results_by_id(rr):
    return {r.get("unique_id"): r for r in (rr or {}).get("results", [])}


def compare_step(rep, a, b, known_gaps=(), gaps_seen=None, volatile=(), volatile_seen=None):
    # exit code
    if a["exit"] == b["exit"]:
        rep.ok(f"exit code: identical ({a['exit']})")
    else:
        rep.diff(f"exit code: dbt {a['exit']}, runner {b['exit']}",
                 ["dbt output (tail):", *tail(a["output"]), "runner output (tail):", *tail(b["output"])])

    # statuses
    for side, snap in (("dbt", a), ("runner", b)):
        if snap["run_results"] is None:
            rep.diff(f"run_results.json: not written by {side} in this step")
    ra, rb = results_by_id(a["run_results"]), results_by_id(b["run_results"])
    if a["run_results"] is not None and b["run_results"] is not None:
        ids = sorted(set(ra) | set(rb))
        bad = [(i, ra.get(i, {}).get("status", "-"), rb.get(i, {}).get("status", "-")) for i in ids
               if (i in ra) != (i in rb) or ra[i].get("status") != rb[i].get("status")]
        if not bad:
            rep.ok(f"statuses: identical ({len(ids)} nodes)")
        else:
            w = max(len(i) for i, _, _ in bad)
            rep.diff(f"statuses: {len(bad)} of {len(ids)} nodes differ",
                     [f"{'node':<{w}}  {'dbt':<8}  runner"] + [f"{i:<{w}}  {x:<8}  {y}" for i, x, y in bad])

        # test failure counts
        tests = sorted(i for i in set(ra) & set(rb) if i and i.split(".")[0] in ("test", "unit_test"))
        badf = [(i, ra[i].get("failures"), rb[i].get("failures")) for i in tests
                if ra[i].get("failures") != rb[i].get("failures")]
        if not badf:
            rep.ok(f"test failures: identical ({len(tests)} tests)")
        else:
            rep.diff(f"test failures: {len(badf)} of {len(tests)} tests differ",
                     [f"{i}: dbt {x}, runner {y}" for i, x, y in badf])

    # compiled SQL
    ca, cb = a["compiled"], b["compiled"]
    same = [p for p in ca if p in cb and ca[p] == cb[p]]
    differ = sorted(p for p in ca if p in cb and ca[p] != cb[p])
    only_a, only_b = sorted(set(ca) - set(cb)), sorted(set(cb) - set(ca))
    for gap in known_gaps:
        hits = [p for p in differ + only_a + only_b if fnmatch.fnmatch(p, gap)]
        if hits:
            rep.note(f"known gap {gap}: {len(hits)} compiled file(s) differ (see docs/compare.md)")
            if gaps_seen is not None:
                gaps_seen.add(gap)
            differ = [p for p in differ if p not in hits]
            only_a = [p for p in only_a if p not in hits]
            only_b = [p for p in only_b if p not in hits]
    if not (differ or only_a or only_b):
        rep.ok(f"compiled SQL: {len(same)} identical")
    else:
        parts = [f"{len(same)} identical"] + ([f"{len(differ)} differ"] if differ else []) + \
                ([f"{len(only_a)} only in dbt"] if only_a else []) + ([f"{len(only_b)} only in runner"] if only_b else [])
        details = [f"only in dbt:    {p}" for p in only_a] + [f"only in runner: {p}" for p in only_b]
        for p in differ:
            details.append(f"differs: {p}")
            details.extend(short_diff(ca[p], cb[p], p))
        rep.diff("compiled SQL: " + ", ".join(parts), details)

    # relations
    la, lb = a["relations"], b["relations"]
    same_rel, details, n_bad = 0, [], 0
    for name in sorted(set(la) | set(lb)):
        if name not in lb:
            details.append(f"{name}: only in dbt's database ({la[name]['kind']}, {sum(la[name]['rows'].values())} rows)")
        elif name not in la:
            details.append(f"{name}: only in runner's database ({lb[name]['kind']}, {sum(lb[name]['rows'].values())} rows)")
        else:
            d = relation_diff(name, *mask_volatile(name, la[name], lb[name], volatile, volatile_seen))
            if not d:
                same_rel += 1
                continue
            details.extend(d)
        n_bad += 1
    if not n_bad:
        rep.ok(f"relations: {same_rel} identical")
    else:
        rep.diff(f"relations: {same_rel} identical, {n_bad} differ", details)

    # artifact keys
    for name in ("run_results", "manifest"):
        x, y = a[name], b[name]
        if x is None or y is None:
            if (x is None) != (y is None):
                rep.diff(f"{name}.json: written only by {'dbt' if y is None else 'runner'}")
            continue
        details, notes = artifact_key_diffs(name, x, y)
        if details:
            rep.diff(f"{name}.json keys: {len(details)} differences", details)
        else:
            rep.ok(f"{name}.json keys: identical")
        for n in notes:
            rep.note(n)


def mask_volatile(name, x, y, volatile, seen):
    """Both sides of a relation with the values of its volatile columns replaced by one marker."""
    cols = [c for c in x["columns"] if c in y["columns"]]
    hits = {c for c in cols for g in volatile if fnmatch.fnmatchcase(f"{name}.{c.split(' ')[0]}", g)}
    if not hits:
        return x, y
    if seen is not None:
        seen.update(g for c in hits for g in volatile if fnmatch.fnmatchcase(f"{name}.{c.split(' ')[0]}", g))

    def masked(side):
        idx = [i for i, c in enumerate(side["columns"]) if c in hits]
        rows = collections.Counter()
        for r, n in side["rows"].items():
            rows[tuple("<volatile>" if i in idx else v for i, v in enumerate(r))] += n
        return dict(side, rows=rows)
    return masked(x), masked(y)


def relation_diff(name, x, y):
    out = []
    if x["kind"] != y["kind"]:
        out.append(f"{name}: dbt made a {x['kind']}, runner a {y['kind']}")
    if x["columns"] != y["columns"]:
        out.append(f"{name}: columns differ: dbt [{', '.join(x['columns'])}], runner [{', '.join(y['columns'])}]")
    if x["rows"] != y["rows"]:
        only_a = sorted((x["rows"] - y["rows"]).elements(), key=row_sort_key)
        only_b = sorted((y["rows"] - x["rows"]).elements(), key=row_sort_key)
        out.append(f"{name}: rows differ (runner {sum(y['rows'].values())} rows, dbt {sum(x['rows'].values())} rows; "
                   f"{len(only_a)} only in dbt, {len(only_b)} only in runner)")
        out.extend(f"  dbt only:    {row_text(r)}" for r in only_a[:MAX_ROWS_SHOWN])
        if len(only_a) > MAX_ROWS_SHOWN:
            out.append(f"  ... {len(only_a) - MAX_ROWS_SHOWN} more")
        out.extend(f"  runner only: {row_text(r)}" for r in only_b[:MAX_ROWS_SHOWN])
        if len(only_b) > MAX_ROWS_SHOWN:
            out.append(f"  ... {len(only_b) - MAX_ROWS_SHOWN} more")
    return out


def key_diff(label, x, y, out):
    if isinstance(x, dict) and isinstance(y, dict):
        ka, kb = set(x), set(y)
        if ka != kb:
            out.append((label, sorted(ka - kb), sorted(kb - ka)))


def artifact_key_diffs(name, x, y):
    raw, notes = [], []
    key_diff("top level", x, y, raw)
    key_diff("metadata", x.get("metadata"), y.get("metadata"), raw)
    if name == "run_results":
        ra, rb = results_by_id(x), results_by_id(y)
        for i in sorted(set(ra) & set(rb)):
            key_diff(f"results[{i}]", ra[i], rb[i], raw)
        aa, ab = x.get("args"), y.get("args")
        if isinstance(aa, dict) and isinstance(ab, dict) and set(aa) != set(ab):
            notes.append(f"run_results.json args (each tool's own CLI flags, not compared): "
                         f"{len(set(aa) - set(ab))} keys only in dbt, {len(set(ab) - set(aa))} only in runner")
    else:
        for sec in sorted(set(x) & set(y)):
            sa, sb = x[sec], y[sec]
            if sec in NOT_RESOURCES or not isinstance(sa, dict) or not isinstance(sb, dict):
                continue
            if sec in ENTRY_SET_NOTES:
                both = len(set(sa) & set(sb))
                if set(sa) != set(sb):
                    notes.append(f"manifest {sec} (entry sets not compared): {both} in both, "
                                 f"{len(set(sa) - set(sb))} only in dbt, {len(set(sb) - set(sa))} only in runner")
            else:
                only_a, only_b = sorted(set(sa) - set(sb)), sorted(set(sb) - set(sa))
                if only_a or only_b:
                    raw.append((f"{sec} entries", only_a, only_b))
            for k in sorted(set(sa) & set(sb)):
                key_diff(f"{sec}[{k}]", sa[k], sb[k], raw)
                if isinstance(sa[k], dict) and isinstance(sb[k], dict):
                    key_diff(f"{sec}[{k}].config", sa[k].get("config"), sb[k].get("config"), raw)
    # Group entries that miss the same keys, so one missing key over 30 nodes is one line.
    grouped = collections.OrderedDict()
    for label, only_a, only_b in raw:
        grouped.setdefault((tuple(only_a), tuple(only_b)), []).append(label)
    details = []
    for (only_a, only_b), labels in grouped.items():
        where = ", ".join(labels[:6]) + (f" (+{len(labels) - 6} more)" if len(labels) > 6 else "")
        parts = ([f"only in dbt: {', '.join(only_a)}"] if only_a else []) + \
                ([f"only in runner: {', '.join(only_b)}"] if only_b else [])
        details.append(f"{where}: {'; '.join(parts)}")
    return details, notes


def short_diff(x, y, path):
    lines = list(difflib.unified_diff(x.decode("utf-8", "replace").splitlines(),
                                      y.decode("utf-8", "replace").splitlines(),
                                      f"dbt/{path}", f"runner/{path}", lineterm="", n=2))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
    return ["  " + line for line in lines]


def tail(text, n=12):
    return ["  " + line for line in ANSI.sub("", text).rstrip().splitlines()[-n:]]


# --------------------------------------------------------------------------------------------- main

def compare_engine(engine, project, profile, target_path, steps, runner, threads, tmp, known_gaps=(), volatile=()):
    db = (DuckDb if engine == "duckdb" else Postgres)(tmp / engine, threads)
    (tmp / engine).mkdir()
    cmds = {"dbt": [str(VENV / "bin" / "dbt")], "runner": [str(runner)]}
    snaps, seconds = {}, {}
    db.start()
    try:
        for side in SIDES:
            copy = tmp / engine / side / "project"
            copy_project(project, copy, target_path)
            write_profile(copy, profile, db.profile(side))
            started = time.monotonic()
            snaps[side] = run_side(side, cmds[side], copy, target_path, steps, db, tmp / engine)
            seconds[side] = time.monotonic() - started
    finally:
        db.stop()
    total = 0
    gaps_seen, volatile_seen = set(), set()
    for i, args in enumerate(steps):
        rep = Report()
        compare_step(rep, snaps["dbt"][i], snaps["runner"][i], known_gaps, gaps_seen, volatile, volatile_seen)
        print(f"== {engine} · step {i + 1}/{len(steps)}: {shlex.join(args)} "
              f"(dbt {snaps['dbt'][i]['seconds']:.1f}s, runner {snaps['runner'][i]['seconds']:.1f}s) ==")
        print("\n".join(rep.lines))
        total += rep.differences
    # A listed gap that differed in no step has closed: the list must say so.
    for gap in known_gaps:
        if gap not in gaps_seen:
            print(f"  DIFF known gap {gap} no longer differs in any step: remove it from the list")
            total += 1
    for v in volatile:
        if v not in volatile_seen:
            print(f"  DIFF --volatile {v} matches no column of any relation: remove it")
            total += 1
    return total


def main(argv):
    args = parse_args(argv)
    steps = parse_steps(args.steps)
    project = pathlib.Path(args.project).resolve()
    if not (project / "dbt_project.yml").exists():
        sys.exit(f"compare: {project} has no dbt_project.yml")
    ensure_oracle_python()
    runner = find_runner(args.runner)
    profile, target_path = project_settings(project)
    engines = ["duckdb", "postgres"] if args.engine == "both" else [args.engine]
    started = time.monotonic()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="runner-compare-"))
    print(f"compare: {project} with dbt ({VENV / 'bin' / 'dbt'}) and runner ({runner}); "
          f"steps: {' ; '.join(shlex.join(s) for s in steps)}")
    totals = {}
    try:
        for engine in engines:
            totals[engine] = compare_engine(engine, project, profile, target_path, steps, runner, args.threads, tmp, args.known_gap, args.volatile)
    finally:
        if args.keep:
            print(f"compare: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    summary = ", ".join(f"{e}: {'identical' if n == 0 else f'{n} difference(s)'}" for e, n in totals.items())
    elapsed = time.monotonic() - started
    if sum(totals.values()) == 0:
        print(f"RESULT: identical ({summary}; {elapsed:.1f}s)")
        return 0
    print(f"RESULT: DIFFERENT ({summary}; {elapsed:.1f}s)")
    return 1


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C, so `finally` stops the PostgreSQL cluster and removes the temp dir.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(main(sys.argv[1:]))
    except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
        print(f"compare: harness error: {e}", file=sys.stderr)
        sys.exit(2)
