#!/usr/bin/env bash
# Runs every check CI runs: formatting, clippy, and all tests. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# Free disk first: a full cold build needs a few GB (a CI run once died of ENOSPC mid-link).
echo "test.sh: disk before: $(df -h . | awk 'NR==2 {print $4 " free of " $2}')"
scripts/setup-duckdb.sh  # prebuilt libduckdb for the duckdb crate (docs/adr/0001)
scripts/setup-aws-test-tools.sh  # s3s-fs and moto for the AWS integration tests
scripts/check-deploy.sh  # deployment files: terraform fmt, checkov, actionlint, Dockerfile
# dbt-core as the oracle for the differential tests (crates/runner-cli/tests/it/compare.rs): offline
# install, ~1 min the first time. Without it those tests skip, so a failed install is loud.
export RUNNER_ORACLE_VENV=${RUNNER_ORACLE_VENV:-"${RUNNER_CACHE_DIR:-$HOME/.cache/runner}/venv-dbt"}
if scripts/install-oracle.sh "$RUNNER_ORACLE_VENV"; then
    export RUNNER_REQUIRE_ORACLE=1  # the differential tests must run, not skip
else
    echo "test.sh: WARNING: the dbt-core oracle did not install; the differential tests will be skipped" >&2
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
echo "test.sh: disk after: $(df -h . | awk 'NR==2 {print $4 " free of " $2}'), target: $(du -sh "${CARGO_TARGET_DIR:-target}" 2>/dev/null | cut -f1)"
