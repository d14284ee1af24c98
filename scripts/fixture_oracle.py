"""Shared by scripts/jinja-oracle.py and scripts/modules-oracle.py: render every fixture template with
a reference implementation and record `<name>.expected`, or `<name>.error` holding
`<ExceptionClass>: <message>` when rendering raises (fixtures named `err_*` are meant to raise).
"""
import sys


def record(paths, render, exception_name=lambda e: type(e).__name__):
    """Renders each path's text with `render(source)` and writes the outcome beside it."""
    count = 0
    for path in paths:
        source = path.read_text(encoding="utf-8")
        expected, error = path.with_suffix(".expected"), path.with_suffix(".error")
        try:
            result, target, stale = render(source), expected, error
        except Exception as e:  # noqa: BLE001 - we record whatever the reference raises
            message = getattr(e, "message", None) or str(e)
            result, target, stale = f"{exception_name(e)}: {message}\n", error, expected
        if path.stem.startswith("err_") != (target == error):
            print(f"warning: {path.name}: unexpected outcome ({target.suffix})", file=sys.stderr)
        target.write_text(result, encoding="utf-8")
        if stale.exists():
            stale.unlink()
        count += 1
    print(f"rendered {count} fixtures")
