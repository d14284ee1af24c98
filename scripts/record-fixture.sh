#!/usr/bin/env bash
# Records dbt-core's output for an in-repo fixture project, as the expected data runner's tests compare
# against: compiled SQL, a manifest subset (scripts/manifest-subset.py) and `dbt ls` for every selector in
# the fixture's `ls-selectors.txt`.
#
#   scripts/record-fixture.sh tests/fixtures/features
#
# Needs the oracle (scripts/install-oracle.sh). Writes FIXTURE/expected/ and nothing else in the fixture.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fixture=$(cd "${1:?fixture dir}" && pwd)
venv=${RUNNER_ORACLE_VENV:-$HOME/.cache/runner/venv-dbt}
export PATH=$venv/bin:$PATH DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DO_NOT_TRACK=1
command -v dbt > /dev/null || { echo "dbt not found: run scripts/install-oracle.sh" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$fixture/." "$work/"; rm -rf "$work/expected" "$work/target"
export DBT_PROFILES_DIR=$work
unset ENV
(cd "$work" && dbt -q parse --no-partial-parse && dbt -q compile --no-partial-parse > /dev/null)
rm -rf "$fixture/expected"; mkdir -p "$fixture/expected"
cp -r "$work/target/compiled" "$fixture/expected/compiled"
python3 "$root/scripts/manifest-subset.py" "$work/target/manifest.json" > "$fixture/expected/manifest-subset.json"
if [ -f "$fixture/ls-selectors.txt" ]; then
  "$root/scripts/oracle-ls.sh" record "$work" "$fixture/expected/ls" < "$fixture/ls-selectors.txt" > /dev/null
fi
echo "recorded $(find "$fixture/expected" -type f | wc -l) files into $fixture/expected"
