#!/usr/bin/env bash
# Runs every check CI runs: formatting, clippy, and all tests. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-duckdb.sh  # prebuilt libduckdb for the duckdb crate (docs/adr/0001)
scripts/setup-aws-test-tools.sh  # s3s-fs and moto for the AWS integration tests
scripts/check-deploy.sh  # deployment files: terraform fmt, checkov, actionlint, Dockerfile
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
