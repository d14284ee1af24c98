#!/usr/bin/env python3
"""Records what dbt-core does for `dbt run-operation` on a fixture project, as the expected data of
runner's run-operation tests (crates/runner-cli/tests/it/operation.rs).

    ~/.cache/runner/venv-dbt/bin/python scripts/record-operations.py crates/runner-cli/tests/fixtures/operations

On DuckDB and on a throwaway PostgreSQL 15 cluster it runs the steps of the fixture's
`operations-steps.json` in order, each with `--log-format json`, and records per step the exit code,
the lines templates wrote (`log(..., info=True)` and `print()` events, in order) and the
run_results.json the step wrote (null when it wrote none): per result its status, unique_id,
failures, compiled, adapter_response, whether a message is set, and the timing names; `args.which`,
`args.macro` and `args.args`. Writes FIXTURE/expected/operations-<engine>.json.
"""
import json
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module  # noqa: E402

record_run = import_module("record-run")

TEMPLATE_EVENTS = {"JinjaLogInfo": "log", "PrintEvent": "print"}


def results_record(path):
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    return {
        "results": [{
            "status": r["status"],
            "unique_id": r["unique_id"],
            "failures": r["failures"],
            "compiled": r["compiled"],
            "compiled_code": r["compiled_code"],
            "adapter_response": r["adapter_response"],
            "has_message": r["message"] is not None,
            "thread_id": r["thread_id"],
            "timing": [t["name"] for t in r["timing"]],
        } for r in doc["results"]],
        "args": {k: doc["args"].get(k) for k in ("which", "macro", "args")},
    }


def run_steps(project, steps, env):
    recorded = []
    for args in steps:
        run_results = project / "target" / "run_results.json"
        if run_results.exists():
            run_results.unlink()
        proc = subprocess.run(["dbt", "--log-format", "json", *args], cwd=project, env=env,
                              capture_output=True, text=True)
        lines = []
        for line in proc.stdout.splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            kind = TEMPLATE_EVENTS.get(event["info"]["name"])
            if kind:
                lines.append([kind, event["data"]["msg"]])
        recorded.append({"args": args, "exit": proc.returncode, "template_lines": lines,
                         "run_results": results_record(run_results)})
    return recorded


def main():
    fixture = pathlib.Path(sys.argv[1]).resolve()
    record_run.record_steps_on_both_engines(fixture, "operations", run_steps, duck_schema="main", pg_schema="public")


if __name__ == "__main__":
    main()
