#!/usr/bin/env bash
# Puts the prebuilt libduckdb.so that the `duckdb` crate links against into target/duckdb/ (see
# docs/adr/0001-duckdb-prebuilt-library.md). Idempotent: does nothing when the pinned version is
# already there. The library comes from an npm registry package, cached under ~/.cache/runner so a
# `cargo clean` does not download it again. Usage: scripts/setup-duckdb.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with the `duckdb` crate version in Cargo.toml (crate 1.10506.x = DuckDB 1.5.6).
DUCKDB_VERSION="1.5.6"
NPM_PACKAGE="@duckdb/node-bindings-linux-x64"
NPM_VERSION="1.5.6-r.1"
NPM_INTEGRITY="sha512-IXcrZJE6kEqM0Z4wwdVnGBHX/frOS33VPNAwDXQ/Q+Fs84b058Qe94chrCCIcNJlG8Y3UHIUU4eBeCQxW5mN1Q=="

dest="target/duckdb"
stamp="$dest/VERSION"
if [[ -f "$dest/libduckdb.so" && -f "$stamp" && "$(cat "$stamp")" == "$NPM_VERSION" ]]; then
    exit 0
fi

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "setup-duckdb: no prebuilt library for $(uname -s)-$(uname -m); build runner-cli with --no-default-features --features bundled" >&2; exit 2 ;;
esac

cache="${RUNNER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runner}/duckdb"
tarball="$cache/duckdb-node-bindings-linux-x64-$NPM_VERSION.tgz"
mkdir -p "$cache"

verify() {
    local want="${NPM_INTEGRITY#sha512-}" got
    got="$(openssl dgst -sha512 -binary "$1" | base64 -w0)"
    [[ "$got" == "$want" ]]
}

if [[ ! -f "$tarball" ]] || ! verify "$tarball"; then
    rm -f "$tarball"
    echo "setup-duckdb: fetching $NPM_PACKAGE@$NPM_VERSION (DuckDB $DUCKDB_VERSION) from the npm registry" >&2
    (cd "$cache" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" >/dev/null)
    verify "$tarball" || { echo "setup-duckdb: integrity check failed for $tarball" >&2; rm -f "$tarball"; exit 2; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp" package/libduckdb.so package/LICENSE
mkdir -p "$dest"
mv -f "$tmp/package/libduckdb.so" "$dest/libduckdb.so"
mv -f "$tmp/package/LICENSE" "$dest/LICENSE"
printf '%s\n' "$NPM_VERSION" >"$stamp"
echo "setup-duckdb: DuckDB $DUCKDB_VERSION library in $dest" >&2
