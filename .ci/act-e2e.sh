#!/usr/bin/env bash
# End-to-end test of action.yml under act (https://github.com/nektos/act), with no Docker: the job
# runs on this machine (-P ubuntu-latest=-self-hosted). The workflow is testdata/act/local.yml: the
# local backend, offline (a fixture wheelhouse), twice (changed=true, then changed=false).
#
# act's --bind (-b) only matters for Docker jobs: on the host the workspace is an empty per-run
# directory whatever the flag, so it is not passed; the workflow copies the repository (ACT_E2E_REPO)
# into the workspace itself.
set -euo pipefail
cd "$(dirname "$0")/.."

# The machine's Pythons come from pyenv; the action's python3 is the first of these.
export PYENV_VERSION="${PYENV_VERSION:-3.11.7:3.12.1:3.10.13:3.9.18:3.13.0}"
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

# Start-up time: from exec of the binary to its first log line (stdout or stderr), on a dry run
# of the quick start. Informational only.
echo "== start-up time"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/lithops-runtime" .
for i in 1 2 3; do
  start=$(date +%s%N)
  "$tmp/lithops-runtime" --backend local --requirements examples/requirements.txt \
      --lithops-version 3.7.0 --local-dir "$tmp/state" --dry-run true 2>&1 |
    {
      IFS= read -r first || first="(no output)"
      end=$(date +%s%N)
      echo "run $i: first log line after $(( (end - start) / 1000000 )) ms: $first"
      cat >/dev/null
    } || true
done

echo "== act"
# --no-cache-server: no actions/cache here; ACT_DISABLE_VERSION_CHECK: no network call home.
# --env passes PYENV_VERSION to every step explicitly (act's host runner also inherits it).
ACT_DISABLE_VERSION_CHECK=1 "$act_bin" push \
  -W testdata/act/local.yml \
  -P ubuntu-latest=-self-hosted \
  --no-cache-server \
  --env "ACT_E2E_REPO=$PWD" \
  --env "PYENV_VERSION=$PYENV_VERSION" \
  --env "GOFLAGS=$GOFLAGS"
echo "== act e2e: green"
