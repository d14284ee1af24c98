#!/usr/bin/env bash
# Thin wrapper for scripts/compare.py (the differential runner; docs/compare.md).
# Usage: scripts/compare.sh PROJECT_DIR [--engine duckdb|postgres|both] [--steps JSON] [--runner BIN] [--keep]
exec python3 "$(dirname "$0")/compare.py" "$@"
