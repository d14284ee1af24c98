#!/usr/bin/env bash
# Installs the local AWS servers the integration tests start (once, under the cache directory, outside
# the clone so a rebuild of the repository reuses them):
#   - s3s-fs 0.14.1: a real S3 server that checks SigV4 signatures and payload checksums
#     (cargo install, about 4 CPU-minutes the first time; newer versions need a newer rustc);
#   - moto[server]: Glue, Secrets Manager, STS and ECS (PyPI, into a venv).
# runner-testkit finds them there (or through RUNNER_S3S_FS / RUNNER_MOTO_SERVER, or on PATH).
# Usage: scripts/setup-aws-test-tools.sh
set -euo pipefail

S3S_VERSION="0.14.1"
MOTO="moto[server]==5.2.1"
cache="${RUNNER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runner}"
mkdir -p "$cache"
exec 9>"$cache/aws-test-tools.lock"
flock 9

tools="$cache/tools"
if [[ ! -x "$tools/bin/s3s-fs" || "$(cat "$tools/.s3s-fs" 2>/dev/null)" != "$S3S_VERSION" ]]; then
    echo "setup-aws-test-tools: building s3s-fs $S3S_VERSION into $tools (once)"
    cargo install --quiet --root "$tools" "s3s-fs@$S3S_VERSION" --features binary --locked
    printf '%s\n' "$S3S_VERSION" >"$tools/.s3s-fs"
fi

venv="$cache/venv-aws"
if [[ ! -x "$venv/bin/moto_server" || "$(cat "$venv/.packages" 2>/dev/null)" != "$MOTO" ]]; then
    echo "setup-aws-test-tools: installing $MOTO into $venv (once)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input "$MOTO"
    printf '%s\n' "$MOTO" >"$venv/.packages"
fi
echo "setup-aws-test-tools: s3s-fs $("$tools/bin/s3s-fs" --version 2>/dev/null | head -1 || echo "$S3S_VERSION"), moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
