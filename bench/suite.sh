#!/usr/bin/env bash
# The test suite's wall time against a baseline revision, on this machine, one after the other
# (issue 16: "the test suite's wall time halved"):
#
#   1. the baseline revision's own suite (a temporary worktree): go test -count=1 -json ./...
#   2. today's code running the same tests (-run with the baseline's top-level test names)
#   3. today's whole suite
#
#   bench/suite.sh [REV]    REV: the baseline, default 7083145 (main when issue 16 was filed)
#
# Each figure is one run on a shared machine: compare them only when run together, and expect
# some percent of noise. Needs what the tests need (.ci/run installs it); about 10 minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-7083145}
export PYENV_VERSION=${PYENV_VERSION:-3.11.7:3.12.1:3.10.13:3.9.18:3.13.0}
export GOFLAGS=${GOFLAGS:--buildvcs=false}
# As .ci/run: the interpreters ahead of pyenv's shims (a shim's pip-rehash hook fails an install
# when another test's pip holds the shims' lock).
if command -v pyenv >/dev/null; then
  versions=(${PYENV_VERSION//:/ })
  for ((i = ${#versions[@]} - 1; i >= 0; i--)); do
    if prefix=$(pyenv prefix "${versions[i]}" 2>/dev/null); then PATH="$prefix/bin:$PATH"; fi
  done
  export PATH
fi

work=$(mktemp -d)
cleanup() {
  git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$root" worktree add --quiet --detach "$work/base" "$base"

# suite DIR OUT [go test args...]: runs the suite in DIR, its JSON events into OUT; prints seconds.
suite() {
  local dir=$1 out=$2
  shift 2
  local start=$SECONDS
  if ! (cd "$dir" && go test -count=1 -timeout 40m -json "$@" ./... >"$out" 2>&1); then
    echo "the tests failed in $dir:" >&2
    python3 -c '
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
failed = {(e["Package"], e.get("Test")) for e in events if e["Action"] == "fail"}
for e in events:
    if e["Action"] == "output" and (e["Package"], e.get("Test")) in failed:
        sys.stderr.write(e["Output"])
' "$out"
    return 1
  fi
  echo $((SECONDS - start))
}

# names OUT: the top-level tests that ran (passed or skipped), as "package test" lines.
names() {
  python3 -c '
import json, sys
seen = set()
for line in open(sys.argv[1]):
    if line.startswith("{"):
        e = json.loads(line)
        if e.get("Test") and "/" not in e["Test"] and e["Action"] in ("pass", "skip"):
            seen.add((e["Package"], e["Test"]))
for p, t in sorted(seen):
    print(p, t)
' "$1"
}

echo "== baseline $base: its whole suite"
t_base=$(suite "$work/base" "$work/base.json") || exit 1
names "$work/base.json" >"$work/base.names"
regex="^($(awk '{print $2}' "$work/base.names" | sort -u | paste -sd'|'))\$"

echo "== today: the baseline's tests"
t_same=$(suite "$root" "$work/same.json" -run "$regex") || exit 1
names "$work/same.json" >"$work/same.names"

echo "== today: the whole suite"
t_all=$(suite "$root" "$work/all.json") || exit 1
names "$work/all.json" >"$work/all.names"

ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
printf '\n| what | tests | wall time | against the baseline |\n|---|---|---|---|\n'
printf '| baseline %s, whole suite | %d | %d s | |\n' "$base" "$(wc -l <"$work/base.names")" "$t_base"
printf '| today, the same tests (%d of them not found by name today) | %d | %d s | %s |\n' \
  "$(comm -23 <(awk '{print $2}' "$work/base.names" | sort -u) <(awk '{print $2}' "$work/same.names" | sort -u) | wc -l)" \
  "$(wc -l <"$work/same.names")" "$t_same" "$(ratio "$t_same" "$t_base")"
printf '| today, whole suite | %d | %d s | %s |\n' "$(wc -l <"$work/all.names")" "$t_all" "$(ratio "$t_all" "$t_base")"
