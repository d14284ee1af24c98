#!/usr/bin/env python3
"""Render runner-jinja fixtures with real Jinja2 and write the expected output.

For every crates/runner-jinja/tests/fixtures/*.jinja this writes `<name>.expected`
(the rendered output), or for fixtures named `err_*` `<name>.error` containing
`<ExceptionClass>: <message>`.  The environment mirrors dbt's configuration:
extensions do + loopcontrols, no autoescape, keep_trailing_newline=False.

Usage: python scripts/jinja-oracle.py   (needs `pip install jinja2`, 3.1.x)
"""
import pathlib
import sys

import jinja2

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
    count = 0
    for path in sorted(FIXTURES.glob("*.jinja")):
        source = path.read_text(encoding="utf-8")
        expected = path.with_suffix(".expected")
        error = path.with_suffix(".error")
        try:
            out = env.from_string(source).render()
            result, target, stale = out, expected, error
        except Exception as e:  # noqa: BLE001 - we record whatever Jinja2 raises
            message = getattr(e, "message", None) or str(e)
            result, target, stale = f"{type(e).__name__}: {message}\n", error, expected
        if path.stem.startswith("err_") != (target == error):
            print(f"warning: {path.name}: unexpected outcome ({target.suffix})", file=sys.stderr)
        target.write_text(result, encoding="utf-8")
        if stale.exists():
            stale.unlink()
        count += 1
    print(f"rendered {count} fixtures")


if __name__ == "__main__":
    main()
