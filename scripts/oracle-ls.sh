#!/usr/bin/env bash
# Records `dbt ls` outputs for a list of selectors, or compares `runner ls` with a recording.
#
#   scripts/oracle-ls.sh record  PROJECT_DIR OUT_DIR < selectors.txt   (needs dbt on PATH)
#   scripts/oracle-ls.sh compare PROJECT_DIR OUT_DIR                   (needs a built runner)
#
# selectors.txt holds one argument string per line (shell-quoted, may be empty). A recording is
# OUT_DIR/selectors.tsv (n, args, exit code, line count) plus OUT_DIR/<n>.txt with dbt's stdout.
# compare prints one line per selector and exits 1 on any difference.
set -uo pipefail
mode=${1:?record|compare}; proj=$(cd "${2:?project dir}" && pwd); out=${3:?output dir}
mkdir -p "$out"; out=$(cd "$out" && pwd)
runner=${RUNNER_BIN:-$(cd "$(dirname "$0")/.." && pwd)/target/debug/runner}
case $mode in
record)
  printf 'n\targs\texit_code\tlines\n' > "$out/selectors.tsv"
  n=0
  while IFS= read -r args; do
    n=$((n+1))
    eval "set -- $args"
    (cd "$proj" && dbt -q ls "$@") > "$out/$n.txt" 2>/dev/null; rc=$?
    printf '%s\t%s\t%s\t%s\n' "$n" "$args" "$rc" "$(wc -l < "$out/$n.txt")" >> "$out/selectors.tsv"
  done
  cat "$out/selectors.tsv";;
compare)
  failed=0
  while IFS= read -r row; do
    # split by hand: `read` with a tab IFS would collapse an empty args field
    n=${row%%$'\t'*}; rest=${row#*$'\t'}; args=${rest%%$'\t'*}; rest=${rest#*$'\t'}
    rc=${rest%%$'\t'*}; lines=${rest#*$'\t'}
    [ "$n" = n ] && continue
    eval "set -- $args"
    got=$(cd "$proj" && "$runner" ls -q "$@" 2>/dev/null); grc=$?
    if [ "$grc" != "$rc" ] || ! diff <(printf '%s\n' "$got" | sed '/^$/d') <(sed '/^$/d' "$out/$n.txt") > /dev/null; then
      failed=1
      printf 'DIFF %3s  %-45s exit %s/%s\n' "$n" "$args" "$grc" "$rc"
      diff <(printf '%s\n' "$got" | sed '/^$/d') <(sed '/^$/d' "$out/$n.txt") | head -${DIFF_LINES:-6} | sed 's/^/        /'
    else
      printf 'same %3s  %-45s %s lines\n' "$n" "$args" "$lines"
    fi
  done < "$out/selectors.tsv"
  exit $failed;;
*) echo "unknown mode $mode" >&2; exit 2;;
esac
