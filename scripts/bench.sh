#!/usr/bin/env bash
# Benchmark runner against dbt-core on generated projects (scripts/gen-project.py).
#
# Usage: scripts/bench.sh [--sizes "1000 10000"] [--seed 1] [--commands "parse compile ls"]
#                         [--runs 3] [--dbt-runs 1] [--repeat-budget 60] [--dir DIR]
#                         [--dbt-results FILE] [--write]
#
# For each size it generates a project (same seed -> same project), then runs every command with
# dbt-core and with runner (from the project directory, each with its own --target-path) and prints
# a Markdown table: CPU seconds (user+sys), wall seconds, peak RSS and the dbt/runner ratios.
# Commands are dbt verbs (seed before run/build: they read the seeds) plus `startup` (`--version`).
# Numbers are the median of --runs runs for runner and of --dbt-runs runs for dbt; a command is not
# repeated once its runs so far took more than --repeat-budget seconds of wall time.
# --dbt-results reuses dbt's rows from an earlier run's results.tsv (kept in $BENCH_DIR/logs) instead
# of running dbt again (its numbers do not change with runner's code; a 10,000-model run of dbt takes
# over an hour); commands missing there are not run for dbt and show "-".
# --write also replaces the generated section of docs/benchmarks.md (between its markers).
#
# Needs: python3 (3.11+, standard library only), cargo (unless RUNNER_BIN is set), and the dbt-core
# oracle venv (dbt-core 1.12 + dbt-duckdb). If dbt is missing, scripts/install-oracle.sh is run.
#
# Environment:
#   RUNNER_BIN   runner binary to measure; default: `cargo build --release -p runner-cli` and
#                target/release/runner (the release build takes ~2 min on 2 cores; set RUNNER_BIN
#                to a binary you built already to skip it).
#   DBT_BIN      dbt executable; default: $HOME/.cache/runner/venv-dbt/bin/dbt, else `dbt` on PATH.
#   BENCH_DIR    where projects are generated; default: ${XDG_CACHE_HOME:-$HOME/.cache}/runner/bench.
#
# Timing: a small Python wrapper forks the command and reads its rusage with os.wait4, so CPU time
# has microsecond resolution (GNU time's -f %U/%S print only hundredths, too coarse for runner).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
sizes="1000 10000"
seed=1
commands="parse compile ls"
runs=3
dbt_runs=1
repeat_budget=60
dbt_results=
write=0
bench_dir=${BENCH_DIR:-"${XDG_CACHE_HOME:-$HOME/.cache}/runner/bench"}

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --commands) commands=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --dbt-runs) dbt_runs=$2; shift 2 ;;
        --repeat-budget) repeat_budget=$2; shift 2 ;;
        --dbt-results) dbt_results=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        --dir) bench_dir=$2; shift 2 ;;
        --write) write=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

say() { echo "bench: $*" >&2; }

# --- requirements ---------------------------------------------------------------------------
command -v python3 >/dev/null || { say "python3 is required"; exit 2; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    { say "python3 >= 3.11 is required (scripts/gen-project.py)"; exit 2; }

export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DO_NOT_TRACK=1

venv_dbt="$HOME/.cache/runner/venv-dbt/bin/dbt"
if [ -n "${DBT_BIN:-}" ]; then
    dbt=$DBT_BIN
elif [ -x "$venv_dbt" ]; then
    dbt=$venv_dbt
elif command -v dbt >/dev/null; then
    dbt=$(command -v dbt)
else
    say "dbt not found; installing the oracle with scripts/install-oracle.sh (offline, ~1 min)"
    "$repo/scripts/install-oracle.sh"
    dbt=$venv_dbt
fi
"$dbt" --version >/dev/null 2>&1 || { say "$dbt --version fails; run scripts/install-oracle.sh"; exit 2; }

if [ -n "${RUNNER_BIN:-}" ]; then
    runner=$RUNNER_BIN
else
    command -v cargo >/dev/null || { say "cargo not found; install Rust or set RUNNER_BIN"; exit 2; }
    say "building runner (cargo build --release -p runner-cli; set RUNNER_BIN to skip)"
    (cd "$repo" && cargo build --release -q -p runner-cli)
    runner="$repo/target/release/runner"
fi
[ -x "$runner" ] || { say "runner binary not found: $runner"; exit 2; }
runner=$(cd "$(dirname "$runner")" && pwd)/$(basename "$runner")

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure OUT_FILE LOG_FILE CMD...: appends "wall cpu maxrss_kb rc" to OUT_FILE
cat >"$work/measure.py" <<'EOF'
import os, subprocess, sys, time
out, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(log, "ab") as f:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
with open(out, "a") as f:
    f.write(f"{wall:.6f} {ru.ru_utime + ru.ru_stime:.6f} {ru.ru_maxrss} {proc.returncode}\n")
EOF

# run_tool TOOL SIZE COMMAND PROJECT N: runs N times, appends the median to results.tsv
# Kept beside the logs so a long run that stops half-way still leaves its numbers.
results="$bench_dir/logs/results.tsv"
mkdir -p "$bench_dir/logs"
if [ -n "$dbt_results" ]; then
    # A copy: the earlier results may be this very file, which is emptied next.
    cp "$dbt_results" "$work/dbt-results.tsv"
    dbt_results_from=$dbt_results
    dbt_results="$work/dbt-results.tsv"
fi
: >"$results"
run_tool() {
    local tool=$1 size=$2 cmd=$3 proj=$4 n=$5
    if [ "$tool" = dbt ] && [ -n "$dbt_results" ]; then
        local row
        row=$(awk -F'\t' -v s="$size" -v c="$cmd" '$1 == "dbt" && $2 == s && $3 == c' "$dbt_results" | tail -n1)
        if [ -n "$row" ]; then
            echo "$row" >>"$results"
            say "dbt    $(printf '%6s' "$size") $cmd: reused from $dbt_results_from"
            return
        fi
        say "dbt    $(printf '%6s' "$size") $cmd: not in $dbt_results_from, not run (shown as -)"
        return
    fi
    local samples="$work/samples" log="$bench_dir/logs/$tool-$size-$cmd.log"
    mkdir -p "$bench_dir/logs"
    : >"$samples"
    : >"$log"
    local argv
    if [ "$cmd" = startup ]; then
        # Start-up cost alone: the executable loads and answers without reading a project.
        if [ "$tool" = dbt ]; then argv=("$dbt" --version); else argv=("$runner" --version); fi
    elif [ "$tool" = dbt ]; then
        argv=("$dbt" "$cmd" --project-dir "$proj" --profiles-dir "$proj" --target-path target-dbt
              --no-partial-parse)
    else
        argv=("$runner" "$cmd" --project-dir "$proj" --profiles-dir "$proj" --target-path target-runner)
    fi
    # Each engine has its own DuckDB file: their DuckDB versions write different storage formats.
    mkdir -p "$proj/target-$tool"
    for _ in $(seq "$n"); do
        (cd "$proj" && GENPROJ_DUCKDB="target-$tool/genproj.duckdb" \
            python3 "$work/measure.py" "$samples" "$log" "${argv[@]}")
        # Slow commands (a 10,000-model build) run once: repeats would cost many minutes.
        awk -v b="$repeat_budget" '{t += $1} END {exit !(t > b)}' "$samples" && break
    done
    python3 - "$samples" "$tool" "$size" "$cmd" >>"$results" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
ok = all(r[3] == "0" for r in rows)
med = lambda i: statistics.median(float(r[i]) for r in rows)
print("\t".join([sys.argv[2], sys.argv[3], sys.argv[4], f"{med(0):.6f}", f"{med(1):.6f}",
                 f"{med(2) / 1024:.1f}", "ok" if ok else "FAIL"]))
EOF
    local last
    last=$(tail -n1 "$results")
    say "$(echo "$last" | awk -F'\t' '{printf "%-6s %6s %-8s wall %8.3fs  cpu %8.3fs  rss %7.1f MB  %s", $1, $2, $3, $4, $5, $6, $7}')"
}

for size in $sizes; do
    proj="$bench_dir/genproj-$size-s$seed"
    say "generating $size models (seed $seed) into $proj"
    python3 "$repo/scripts/gen-project.py" --models "$size" --seed "$seed" --out "$proj"
    # Both engines start from an empty warehouse (their DuckDB files live in their target paths),
    # as a reused dbt row was measured from one.
    rm -rf "$proj/target" "$proj/logs" "$proj/target-dbt" "$proj/target-runner"
    mkdir -p "$proj/target"  # the DuckDB file of profiles.yml lives here
    for cmd in $commands; do
        run_tool dbt "$size" "$cmd" "$proj" "$dbt_runs"
        run_tool runner "$size" "$cmd" "$proj" "$runs"
    done
done

# --- report ---------------------------------------------------------------------------------
table=$(python3 - "$results" <<'EOF'
import sys
res = {}
order = []
for line in open(sys.argv[1]):
    tool, size, cmd, wall, cpu, rss, ok = line.rstrip("\n").split("\t")
    key = (int(size), cmd)
    if key not in res:
        order.append(key)
    res.setdefault(key, {})[tool] = (float(wall), float(cpu), float(rss), ok)
ratio = lambda a, b: f"{a / b:,.0f}x" if b > 0 and a / b >= 10 else (f"{a / b:.1f}x" if b > 0 else "-")
print("| models | command | dbt CPU s | runner CPU s | CPU dbt/runner | dbt wall s | runner wall s "
      "| wall dbt/runner | dbt peak RSS MB | runner peak RSS MB |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for size, cmd in order:
    d, r = res[(size, cmd)].get("dbt"), res[(size, cmd)]["runner"]
    flag = lambda x: "" if x[3] == "ok" else " (FAILED)"
    if d is None:  # not measured for dbt (--dbt-results without this command)
        print(f"| {size:,} | {cmd} | - | {r[1]:.3f}{flag(r)} | - | - | {r[0]:.3f} | - | - | {r[2]:.1f} |")
        continue
    print(f"| {size:,} | {cmd} | {d[1]:.2f}{flag(d)} | {r[1]:.3f}{flag(r)} | {ratio(d[1], r[1])} "
          f"| {d[0]:.2f} | {r[0]:.3f} | {ratio(d[0], r[0])} | {d[2]:.0f} | {r[2]:.1f} |")
EOF
)
echo
echo "$table"

if [ "$write" = 1 ]; then
    cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//' || true)
    mem_gb=$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)
    dbt_version=$("$dbt" --version 2>/dev/null | awk '/installed:/ {print $NF; exit}')
    adapters=$("$dbt" --version 2>/dev/null | awk '/ - (duckdb|postgres):/ {printf "%s%s %s", sep, $2, $3; sep=", "}' | tr -d ':')
    rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
    dirty=$(git -C "$repo" status --porcelain -- crates 2>/dev/null | head -c1)
    [ -n "$dirty" ] && rev="$rev + uncommitted changes under crates/"
    section="$work/section.md"
    {
        echo "## Latest \`scripts/bench.sh\` run ($(date -u +%Y-%m-%d))"
        echo
        echo "Generated by \`scripts/bench.sh --write\` (this section only; the rest is written by hand)."
        echo
        echo "- Machine: $(nproc) CPUs (${cpu_model:-unknown CPU}), ${mem_gb} GB memory, $(uname -sr)"
        echo "- dbt-core $dbt_version ($adapters), Python $("$(dirname "$dbt")/python" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'); runner $rev ($(basename "$(dirname "$runner")") build)"
        echo "- CPU is user+sys seconds of the process and its children, wall is elapsed seconds, peak"
        echo "  RSS is the largest resident set (rusage via \`os.wait4\`). runner: median of $runs runs,"
        echo "  dbt: median of $dbt_runs run(s), each command repeated only while its runs took under $repeat_budget s. Load average (1/5/15 min) at start $load_start, at end"
        echo "  $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs: on a shared machine wall times are noisy, CPU less so."
        if [ -n "$dbt_results" ]; then
            echo "- dbt's rows are reused from an earlier run (\`--dbt-results\`); only runner ran this time."
        fi
        echo
        echo "$table"
        echo
        echo "### Commands"
        echo
        echo '```sh'
        echo "scripts/bench.sh --sizes \"$sizes\" --commands \"$commands\" --runs $runs --write"
        echo "# each size: scripts/gen-project.py --models N --seed $seed --out \$BENCH_DIR/genproj-N-s$seed, then in that directory:"
        for cmd in $commands; do
            if [ "$cmd" = startup ]; then
                echo "dbt --version"
                echo "runner --version"
                continue
            fi
            echo "dbt $cmd --project-dir . --profiles-dir . --target-path target-dbt --no-partial-parse"
            echo "runner $cmd --project-dir . --profiles-dir . --target-path target-runner"
        done
        echo '```'
        echo
        echo "dbt runs with DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_VERSION_CHECK=false DO_NOT_TRACK=1."
        echo "The profile targets DuckDB (one file per engine under its target path, \`--threads 4\`): \`compile\`,"
        echo "\`seed\`, \`run\` and \`build\` open it, and DuckDB's work counts as runner's own CPU (it runs in process)."
        python3 - "$results" <<'EOF'
import sys
res = {}
for line in open(sys.argv[1]):
    tool, size, cmd, wall, cpu, rss, ok = line.rstrip("\n").split("\t")
    res[(tool, int(size), cmd)] = (float(wall), float(cpu), ok)
goals = []
d, r = res.get(("dbt", 1000, "parse")), res.get(("runner", 1000, "parse"))
if d and r:
    x = d[1] / r[1] if r[1] else float("inf")
    goals.append(f"- runner parse of 1,000 models uses at least 100x less CPU than dbt-core: "
                 f"{x:,.0f}x ({'met' if x >= 100 else 'NOT met'}).")
r = res.get(("runner", 10000, "parse"))
if r:
    goals.append(f"- runner parse of 10,000 models under 0.5 s: {r[0]:.3f} s wall, {r[1]:.3f} s CPU "
                 f"({'met' if r[0] < 0.5 else 'NOT met'}).")
if goals:
    print("\n### Targets\n")
    print("\n".join(goals))
EOF
    } >"$section"
    doc="$repo/docs/benchmarks.md"
    if ! grep -q '^<!-- bench.sh:begin -->$' "$doc" || ! grep -q '^<!-- bench.sh:end -->$' "$doc"; then
        say "docs/benchmarks.md has no <!-- bench.sh:begin/end --> markers; section not written:"
        cat "$section" >&2
        exit 1
    fi
    python3 - "$doc" "$section" <<'EOF'
import sys
doc, section = sys.argv[1], sys.argv[2]
text = open(doc).read()
head, rest = text.split("<!-- bench.sh:begin -->\n", 1)
_, tail = rest.split("<!-- bench.sh:end -->\n", 1)
new = open(section).read()
with open(doc, "w") as f:
    f.write(head + "<!-- bench.sh:begin -->\n" + new + "<!-- bench.sh:end -->\n" + tail)
EOF
    say "wrote the generated section of docs/benchmarks.md"
fi
