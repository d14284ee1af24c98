#!/usr/bin/env bash
# Installs the reference oracle (dbt-core 1.12 + dbt-postgres + dbt-duckdb, plus jsonschema)
# into a venv, using the offline-capable recipe in shared/reference/install-dbt-core.sh.
# Usage: scripts/install-oracle.sh [VENV_DIR]   (default: $HOME/.cache/runner/venv-dbt)
# Idempotent: does nothing if "$VENV/bin/dbt --version" already works.
# When running dbt, set: DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DO_NOT_TRACK=1
set -euo pipefail

VENV=${1:-"$HOME/.cache/runner/venv-dbt"}
repo=$(cd "$(dirname "$0")/.." && pwd)

export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DO_NOT_TRACK=1

if [ -x "$VENV/bin/dbt" ] && "$VENV/bin/dbt" --version >/dev/null 2>&1; then
    echo "oracle already installed in $VENV"
else
    recipe=""
    for cand in "$repo/../shared/reference/install-dbt-core.sh" "$repo/shared/reference/install-dbt-core.sh" \
                "/work/shared/reference/install-dbt-core.sh"; do
        if [ -f "$cand" ]; then recipe=$cand; break; fi
    done
    if [ -z "$recipe" ]; then
        echo "install-oracle: cannot find shared/reference/install-dbt-core.sh" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$VENV")"
    bash "$recipe" "$VENV"
    "$VENV/bin/dbt" --version >/dev/null
fi

if ! "$VENV/bin/python" -c 'import jsonschema' >/dev/null 2>&1; then
    "$VENV/bin/pip" install -q jsonschema
fi
echo "oracle ready: $VENV/bin/dbt"
