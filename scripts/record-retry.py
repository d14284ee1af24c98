#!/usr/bin/env python3
"""Records what dbt-core does for `dbt retry` on a fixture project, as the expected data of runner's
retry tests (crates/runner-cli/tests/it/retry.rs).

    ~/.cache/runner/venv-dbt/bin/python scripts/record-retry.py crates/runner-cli/tests/fixtures/retry

On DuckDB and on a throwaway PostgreSQL 15 cluster it runs the steps of the fixture's
`retry-steps.json` in order (one thread) and records per step the exit code, whether dbt said
"Nothing to do", and the run_results.json the step wrote (null when it wrote none or left the old
one): each result's unique_id and status in order, and `args.which`, `args.select` and
`args.full_refresh`. Writes FIXTURE/expected/retry-<engine>.json.
"""
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module  # noqa: E402

record_run = import_module("record-run")


def results_record(path, before):
    if not path.exists() or path.read_text() == before:
        return None
    doc = json.loads(path.read_text())
    return {
        "results": [[r["unique_id"], r["status"]] for r in doc["results"]],
        "args": {k: doc["args"].get(k) for k in ("which", "select", "full_refresh")},
    }


def run_steps(project, steps, env):
    recorded = []
    for args in steps:
        run_results = project / "target" / "run_results.json"
        before = run_results.read_text() if run_results.exists() else None
        proc = subprocess.run(["dbt", "--no-use-colors", *args], cwd=project, env=env,
                              capture_output=True, text=True)
        recorded.append({"args": args, "exit": proc.returncode,
                         "nothing_to_do": "Nothing to do" in proc.stdout,
                         "run_results": results_record(run_results, before)})
    return recorded


def main():
    fixture = pathlib.Path(sys.argv[1]).resolve()
    record_run.record_steps_on_both_engines(fixture, "retry", run_steps, duck_schema="main")


if __name__ == "__main__":
    main()
