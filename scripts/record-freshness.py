#!/usr/bin/env python3
"""Records what dbt-core does for `dbt source freshness` on a fixture project, as the expected data
of runner's freshness tests (crates/runner-cli/tests/it/freshness.rs).

    ~/.cache/runner/venv-dbt/bin/python scripts/record-freshness.py crates/runner-cli/tests/fixtures/freshness

On DuckDB and on a throwaway PostgreSQL 15 cluster it runs the steps of the fixture's
`freshness-steps.json` (the first builds the relations the sources point at) with one thread, and
after each step records the exit code, each source's freshness status (from the JSON log), the
sources.json it wrote (where, which results, their criteria, statuses and response; the age only
when it does not depend on the clock), whether run_results.json changed, and the console lines
with times taken out. Writes FIXTURE/expected/freshness-<engine>.json.
"""
import json
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module  # noqa: E402

record_run = import_module("record-run")

TIME_PREFIX = re.compile(r"^\d\d:\d\d:\d\d  ")


def console_lines(text):
    """The console's own lines (a time prefix), with times replaced; database messages dropped."""
    out = []
    for line in text.splitlines():
        if not TIME_PREFIX.match(line):
            continue
        line = TIME_PREFIX.sub("", line)
        line = re.sub(r" in \d+\.\d\ds\]$", " in Xs]", line)
        line = re.sub(r" in \d+ hours \d+ minutes and \d+\.\d\d seconds \(\d+\.\d\ds\)\.$",
                      " in X.", line)
        out.append(line)
    start = next((i for i, l in enumerate(out) if l.startswith("Concurrency:")), 0)
    return out[start:]


def sources_record(path):
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    results = []
    for r in doc["results"]:
        age = r.get("max_loaded_at_time_ago_in_s")
        results.append({
            "unique_id": r["unique_id"],
            "keys": list(r.keys()),
            "status": r["status"],
            "criteria": r.get("criteria"),
            "adapter_response": r.get("adapter_response"),
            "thread_id": r.get("thread_id"),
            "timing": [t["name"] for t in r.get("timing", [])],
            "max_loaded_at": r["max_loaded_at"] if r.get("max_loaded_at", "").startswith("0001") else None,
            "age": age if age is not None and float(age).is_integer() else None,
        })
    return {"top_keys": list(doc.keys()), "metadata_keys": list(doc["metadata"].keys()),
            "schema": doc["metadata"]["dbt_schema_version"], "results": results}


def run_steps(project, steps, env):
    recorded = []
    for args in steps:
        target = project / "target"
        sources = target / "sources.json"
        run_results = target / "run_results.json"
        before = run_results.read_text() if run_results.exists() else None
        if sources.exists():
            sources.unlink()
        text = subprocess.run(["dbt", "--no-use-colors", *args], cwd=project, env=env,
                              capture_output=True, text=True)
        step = {"args": args, "exit": text.returncode}
        if args[0] == "source":
            log = subprocess.run(["dbt", "--log-format", "json", *args], cwd=project, env=env,
                                 capture_output=True, text=True)
            statuses = {}
            for line in log.stdout.splitlines():
                event = json.loads(line)
                if event["info"]["name"] == "LogFreshnessResult":
                    statuses[event["data"]["node_info"]["unique_id"]] = event["data"]["status"]
            output = args[args.index("--output") + 1] if "--output" in args else "target/sources.json"
            after = run_results.read_text() if run_results.exists() else None
            step.update({
                "statuses": dict(sorted(statuses.items())),
                "output": output,
                "sources": sources_record(project / output),
                "run_results_written": after != before,
                "console": console_lines(text.stdout),
            })
        recorded.append(step)
    return recorded


def main():
    fixture = pathlib.Path(sys.argv[1]).resolve()
    record_run.record_steps_on_both_engines(fixture, "freshness", run_steps)


if __name__ == "__main__":
    main()
