#!/usr/bin/env bash
# Checks every workflow YAML of the repository with act (https://github.com/nektos/act):
#
#  1. Schema: `act --validate --strict` on .github/workflows/*.yml and examples/workflows/*.yml
#     (parses each file against act's strict workflow schema; needs no network, runs nothing).
#  2. Examples: `go test -run TestReadmeExampleWorkflows .` (readme_test.go): each example parses,
#     has a comment header, passes only inputs action.yml declares and reads only its outputs.
#  3. release.yml and ci.yml run under act, for real, in a throwaway sandbox.
#
# Why not `act -n` (dry run) for 3: here there is no Docker, so jobs run on the host
# (-P ubuntu-latest=-self-hosted), and act's dry run does NOT stop host steps: `act -n` on
# release.yml really builds, calls gh and runs `git push -f origin` from a copy of the repository
# (.git included). A container dry run needs a Docker daemon even with -n (it pulls the image).
# Remote actions (actions/checkout, setup-go, setup-python) would be cloned from GitHub, even with -n.
# So instead each workflow runs in a sandbox: a fresh git repository holding the workflow, with a
# local bare repository as origin; the remote actions are replaced by a no-op composite action
# (--local-repository), and go, gofmt, gh and sudo by stubs on PATH that log their arguments. The
# script then checks what the workflow did:
#  - release.yml, tag v1.2.3: 6 builds (CGO_ENABLED=0, GOOS/GOARCH linux/darwin/windows x
#    amd64/arm64, -trimpath -ldflags "-s -w"), assets lithops-runtime_<os>_<arch>[.exe] and a
#    checksums.txt that sha256sum -c accepts and that action.yml's lookup reads; one
#    `gh release create v1.2.3 --verify-tag --title v1.2.3 --generate-notes` with GH_TOKEN; origin's
#    v1 and v1.2 moved to the commit. Tag v2.0.0-rc.1: a --prerelease, no tag moved. A re-run of
#    an existing release: `gh release upload --clobber`. Tag v1.2.x: the job fails before gh.
#  - ci.yml: both matrix jobs (ubuntu-latest, macos-latest; both on this Linux host) run gofmt,
#    go vet ./..., go test ./... and the apt-get install; cross-build builds the 6 release targets;
#    act-e2e runs .ci/act-e2e.sh (a stub here: the real one runs in .ci/run).
# The stubs mean the Go code itself is not cross-compiled here (minutes on a cold cache); the real
# builds run in ci.yml's cross-build job and in the release workflow.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export ACT_DISABLE_VERSION_CHECK=1
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

ACT_VERSION=v0.2.89
act_bin="$(command -v act || true)"
if [ -z "$act_bin" ]; then
  act_bin="$(go env GOPATH)/bin/act"
  if [ ! -x "$act_bin" ]; then
    echo "== installing act $ACT_VERSION"
    GOFLAGS=-buildvcs=false go install "github.com/nektos/act@$ACT_VERSION"
  fi
fi
echo "== $("$act_bin" --version)"

fail() { echo "check-workflows: FAIL: $*" >&2; exit 1; }

echo "== schema (act --validate --strict)"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml examples/workflows/*.yml examples/workflows/*.yaml)
[ "${#workflows[@]}" -gt 0 ] || fail "no workflow files found"
for wf in "${workflows[@]}"; do
  if ! out="$("$act_bin" --validate --strict -W "$wf" 2>&1)"; then
    echo "$out" >&2
    fail "$wf is not a valid workflow"
  fi
  echo "ok  $wf"
done

echo "== examples (go test -run TestReadmeExampleWorkflows)"
go test -count=1 -run 'TestReadmeExampleWorkflows' .

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The stand-in for every remote action: a composite action that does nothing.
mkdir -p "$tmp/noop-action"
cat > "$tmp/noop-action/action.yml" <<'EOF'
name: no-op
description: Offline stand-in for a remote action (.ci/check-workflows.sh).
runs:
  using: composite
  steps:
    - shell: bash
      run: 'true'
EOF
local_actions=()
for a in actions/checkout@v4 actions/setup-go@v5 actions/setup-python@v5; do
  local_actions+=(--local-repository "$a=$tmp/noop-action")
done

# Stubs: each logs "<name> <args>" (and the build environment) to $CHECK_LOG.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/go" <<'EOF'
#!/usr/bin/env bash
echo "go $* [CGO_ENABLED=${CGO_ENABLED:-} GOOS=${GOOS:-} GOARCH=${GOARCH:-}]" >> "$CHECK_LOG"
if [ "${1:-}" = build ]; then
  out=""
  while [ $# -gt 0 ]; do
    if [ "$1" = -o ]; then out="$2"; shift; fi
    shift
  done
  [ -n "$out" ] || { echo "go stub: build without -o" >&2; exit 2; }
  printf 'fake binary %s/%s\n' "${GOOS:-}" "${GOARCH:-}" > "$out"
fi
EOF
cat > "$tmp/bin/gofmt" <<'EOF'
#!/usr/bin/env bash
echo "gofmt $*" >> "$CHECK_LOG"
EOF
cat > "$tmp/bin/sudo" <<'EOF'
#!/usr/bin/env bash
echo "sudo $*" >> "$CHECK_LOG"
EOF
# gh: `release view` finds a release only if $CHECK_RELEASE_EXISTS is set; `release create` and
# `release upload` copy their assets (the arguments that are files) to $CHECK_OUT.
cat > "$tmp/bin/gh" <<'EOF'
#!/usr/bin/env bash
echo "gh $* [GH_TOKEN=${GH_TOKEN:+set}]" >> "$CHECK_LOG"
case "${1:-} ${2:-}" in
  "release view") [ -n "${CHECK_RELEASE_EXISTS:-}" ] ;;
  "release create"|"release upload")
    mkdir -p "$CHECK_OUT"
    for a in "$@"; do if [ -f "$a" ]; then cp "$a" "$CHECK_OUT/"; fi; done ;;
  *) echo "gh stub: unexpected $*" >&2; exit 2 ;;
esac
EOF
chmod +x "$tmp/bin/"*

# new_sandbox DIR: a git repository holding this checkout's .github/workflows and .ci/act-e2e.sh
# replaced by a stub, one commit, and a bare repository as origin. Prints the commit.
new_sandbox() {
  local dir="$1"
  mkdir -p "$dir/src/.github" "$dir/src/.ci"
  cp -a "$repo/.github/workflows" "$dir/src/.github/"
  printf '#!/usr/bin/env bash\necho "act-e2e.sh $*" >> "$CHECK_LOG"\n' > "$dir/src/.ci/act-e2e.sh"
  printf 'package main\n\nfunc main() {}\n' > "$dir/src/main.go"
  printf 'module example.com/sandbox\n' > "$dir/src/go.mod"
  git init -q --bare "$dir/origin.git"
  (
    cd "$dir/src"
    git init -q
    git add -A
    git -c user.name=check -c user.email=check@localhost -c commit.gpgsign=false commit -qm sandbox
    git remote add origin "$dir/origin.git"
    git push -q origin HEAD:refs/heads/main
    git rev-parse HEAD
  )
}

# run_act DIR EVENT-JSON WORKFLOW [EXTRA-ENV...]: runs WORKFLOW in the sandbox DIR with the stubs;
# the output goes to DIR/act.out. Returns act's exit status.
run_act() {
  local dir="$1" event="$2" workflow="$3"
  shift 3
  printf '%s\n' "$event" > "$dir/event.json"
  : > "$dir/log"
  local envs=(--env "CHECK_LOG=$dir/log" --env "CHECK_OUT=$dir/out")
  for e in "$@"; do envs+=(--env "$e"); done
  (
    cd "$dir/src"
    PATH="$tmp/bin:$PATH" CHECK_LOG="$dir/log" CHECK_OUT="$dir/out" "$act_bin" push \
      -W "$workflow" \
      --eventpath "$dir/event.json" \
      -P ubuntu-latest=-self-hosted -P macos-latest=-self-hosted \
      --action-cache-path "$dir/act-cache" \
      --no-cache-server \
      -s GITHUB_TOKEN=fake-token \
      "${local_actions[@]}" \
      "${envs[@]}"
  ) > "$dir/act.out" 2>&1
}

# want_log DIR LINE...: every LINE is in DIR/log, exactly.
want_log() {
  local dir="$1" line
  shift
  for line in "$@"; do
    grep -qxF -- "$line" "$dir/log" || { cat "$dir/log" >&2; fail "$(basename "$dir"): want log line: $line"; }
  done
}

assets=()
for os in linux darwin windows; do
  for arch in amd64 arm64; do
    exe=""
    if [ "$os" = windows ]; then exe=.exe; fi
    assets+=("lithops-runtime_${os}_${arch}${exe}")
  done
done

echo "== release.yml, tag v1.2.3"
d="$tmp/release"
sha="$(new_sandbox "$d")"
run_act "$d" '{"ref": "refs/tags/v1.2.3"}' .github/workflows/release.yml ||
  { cat "$d/act.out" >&2; fail "release.yml v1.2.3: act failed"; }
for a in "${assets[@]}"; do
  os="${a#lithops-runtime_}"; os="${os%%_*}"
  arch="${a#lithops-runtime_*_}"; arch="${arch%.exe}"
  want_log "$d" "go build -trimpath -ldflags -s -w -o dist/$a . [CGO_ENABLED=0 GOOS=$os GOARCH=$arch]"
  [ "$(cat "$d/out/$a")" = "fake binary $os/$arch" ] || fail "release.yml: asset $a was not the $os/$arch build"
  # The lookup action.yml does on checksums.txt.
  want="$(awk -v f="$a" '{n=$2; sub(/^\*/, "", n)} n==f {print $1; exit}' "$d/out/checksums.txt")"
  [ -n "$want" ] || fail "release.yml: checksums.txt has no entry for $a"
done
[ "$(grep -c '^go build ' "$d/log")" = 6 ] || fail "release.yml: want 6 go builds"
[ "$(wc -l < "$d/out/checksums.txt")" -eq 6 ] || fail "release.yml: want 6 lines in checksums.txt"
(cd "$d/out" && sha256sum -c --quiet checksums.txt) || fail "release.yml: checksums.txt does not verify"
want_log "$d" "gh release view v1.2.3 [GH_TOKEN=set]"
grep -q '^gh release create v1.2.3 --verify-tag --title v1.2.3 --generate-notes dist/checksums.txt dist/lithops-runtime_darwin_amd64 .* \[GH_TOKEN=set\]$' "$d/log" ||
  { cat "$d/log" >&2; fail "release.yml: want one gh release create v1.2.3 with notes and all assets"; }
[ "$(ls "$d/out" | wc -l)" -eq 7 ] || fail "release.yml: want 7 release assets, got: $(ls "$d/out")"
for t in v1 v1.2; do
  got="$(git -C "$d/origin.git" rev-parse -q --verify "refs/tags/$t" || true)"
  [ "$got" = "$sha" ] || fail "release.yml: origin tag $t is '$got', want $sha"
done
echo "ok  builds, assets, checksums.txt, gh release create, v1 and v1.2 moved"

echo "== release.yml, tag v2.0.0-rc.1 (pre-release)"
d="$tmp/prerelease"
new_sandbox "$d" > /dev/null
run_act "$d" '{"ref": "refs/tags/v2.0.0-rc.1"}' .github/workflows/release.yml ||
  { cat "$d/act.out" >&2; fail "release.yml v2.0.0-rc.1: act failed"; }
grep -q '^gh release create v2.0.0-rc.1 --verify-tag --title v2.0.0-rc.1 --generate-notes --prerelease dist/' "$d/log" ||
  { cat "$d/log" >&2; fail "release.yml: want gh release create v2.0.0-rc.1 ... --prerelease"; }
[ -z "$(git -C "$d/origin.git" tag)" ] || fail "release.yml: a pre-release moved tags: $(git -C "$d/origin.git" tag)"
echo "ok  --prerelease, no tag moved"

echo "== release.yml, re-run of an existing release"
d="$tmp/rerun"
new_sandbox "$d" > /dev/null
run_act "$d" '{"ref": "refs/tags/v1.2.3"}' .github/workflows/release.yml CHECK_RELEASE_EXISTS=1 ||
  { cat "$d/act.out" >&2; fail "release.yml re-run: act failed"; }
grep -q '^gh release upload v1.2.3 dist/checksums.txt .* --clobber \[GH_TOKEN=set\]$' "$d/log" ||
  { cat "$d/log" >&2; fail "release.yml: want gh release upload v1.2.3 ... --clobber"; }
if grep -q '^gh release create' "$d/log"; then fail "release.yml: re-run created the release again"; fi
echo "ok  gh release upload --clobber"

echo "== release.yml, tag v1.2.x (not a version)"
d="$tmp/badtag"
new_sandbox "$d" > /dev/null
if run_act "$d" '{"ref": "refs/tags/v1.2.x"}' .github/workflows/release.yml; then
  fail "release.yml: tag v1.2.x: want the job to fail"
fi
grep -q "tag 'v1.2.x' is not a version" "$d/act.out" || { cat "$d/act.out" >&2; fail "release.yml: tag v1.2.x: want the tag error"; }
if grep -q '^\(gh\|go\) ' "$d/log"; then fail "release.yml: tag v1.2.x: built or called gh"; fi
echo "ok  fails before building"

echo "== ci.yml (push)"
d="$tmp/ci"
new_sandbox "$d" > /dev/null
run_act "$d" '{"ref": "refs/heads/main"}' .github/workflows/ci.yml ||
  { cat "$d/act.out" >&2; fail "ci.yml: act failed"; }
for line in "gofmt -l main.go" "go vet ./... [CGO_ENABLED= GOOS= GOARCH=]" "go test -count=1 -timeout 30m ./... [CGO_ENABLED= GOOS= GOARCH=]" \
  "sudo apt-get install -y python3-wheel-whl buildah podman skopeo busybox-static"; do
  [ "$(grep -cxF -- "$line" "$d/log")" = 2 ] || { cat "$d/log" >&2; fail "ci.yml: want '$line' once per matrix job (2)"; }
done
want_log "$d" "act-e2e.sh "
for a in "${assets[@]}"; do
  os="${a#lithops-runtime_}"; os="${os%%_*}"
  arch="${a#lithops-runtime_*_}"; arch="${arch%.exe}"
  want_log "$d" "go build -trimpath -o /dev/null . [CGO_ENABLED=0 GOOS=$os GOARCH=$arch]"
done
for job in "test (ubuntu-latest)" "test (macos-latest)" "cross-build (release targets)" "act end to end"; do
  grep -qF "[CI/$job" "$d/act.out" || { cat "$d/act.out" >&2; fail "ci.yml: job '$job' did not run"; }
done
echo "ok  gofmt, go vet, go test and apt-get in both matrix jobs; 6 cross-builds; act-e2e"

echo "== ci.yml (pull_request): jobs planned"
list="$(cd "$d/src" && "$act_bin" pull_request -l -W .github/workflows/ci.yml 2>/dev/null)"
for job in test cross-build act-e2e; do
  grep -qE "^[0-9]+ +$job " <<<"$list" || { echo "$list" >&2; fail "ci.yml: pull_request does not plan job $job"; }
done
echo "ok  test, cross-build, act-e2e"

echo "== check-workflows: green"
