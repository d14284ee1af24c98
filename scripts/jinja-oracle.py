#!/usr/bin/env python3
"""Render runner-jinja fixtures with real Jinja2 and write the expected output.

For every crates/runner-jinja/tests/fixtures/*.jinja this writes `<name>.expected`
(the rendered output), or for fixtures named `err_*` `<name>.error` containing
`<ExceptionClass>: <message>`.  The environment mirrors dbt's configuration:
extensions do + loopcontrols, no autoescape, keep_trailing_newline=False.

Usage: python scripts/jinja-oracle.py   (needs `pip install jinja2`, 3.1.x)
"""
import pathlib

import jinja2

from fixture_oracle import record

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "crates" / "runner-jinja" / "tests" / "fixtures"


def make_env():
    return jinja2.Environment(
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        autoescape=False,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=False,
    )


def main():
    env = make_env()
    record(sorted(FIXTURES.glob("*.jinja")), lambda source: env.from_string(source).render())


if __name__ == "__main__":
    main()
