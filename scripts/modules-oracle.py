#!/usr/bin/env python3
"""Render the `modules` fixtures with dbt-core's own Jinja environment and `modules` context.

For every crates/runner-compile/tests/fixtures/modules/*.sql this writes `<name>.expected` (the
rendered text) or, when rendering raises, `<name>.error` holding `<ExceptionClass>: <message>`.
The environment is dbt_common's `get_environment()` and `modules` is exactly what dbt puts in the
context (`dbt.context.base.get_context_modules()`), so the names available match dbt's.

Usage: . /work/ref/env.sh && python scripts/modules-oracle.py   (needs scripts/install-oracle.sh)
"""
import pathlib

import dbt.deprecations
from dbt.context.base import get_context_modules
from dbt_common.clients.jinja import get_environment

from fixture_oracle import record

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "crates" / "runner-compile" / "tests" / "fixtures" / "modules"


def exception_name(e):
    name = type(e).__name__
    # `re.error` is the only exception class whose bare name says nothing.
    return f"re.{name}" if name == "error" else name


def main():
    # dbt 1.12 wraps each itertools function to fire a deprecation event; outside a dbt invocation
    # there are no flags for it to read, and the event is not template output anyway.
    dbt.deprecations.warn = lambda *args, **kwargs: None
    env = get_environment()
    record(sorted(FIXTURES.glob("*.sql")), lambda source: env.from_string(source).render({"modules": get_context_modules()}), exception_name)


if __name__ == "__main__":
    main()
