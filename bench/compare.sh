#!/usr/bin/env bash
# Side-by-side benchmark of issue 8: the Lithops CLI way (pip install --target + Python zipfile;
# buildah build + buildah push) against this tool's build (parallel wheel installer, parallel zip,
# build cache; daemonless image assembly and push), on the same generated inputs in the same run.
# Offline: the inputs come from internal/tools/benchgen, the registry is in-process on 127.0.0.1.
#
#   bench/compare.sh            full run (150 MB wheelhouse, 3 runs each, 1 GB tree)
#   bench/compare.sh --smoke    tiny inputs, one run each: checks the harness, not the figures
#
# Environment: BENCH_REPS (runs per case), BENCH_SIZE (wheelhouse size), BENCH_TREE (big tree
# size), BENCH_KEEP=1 keeps the temporary directory, BENCH_PYPI=0 skips the real-PyPI cases,
# BENCH_SYNTHETIC=0 runs only them. Needs go, python3 with pip, /usr/bin/time,
# and for the image cases buildah and busybox-static (skipped with a note when missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PYENV_VERSION=${PYENV_VERSION:-3.11.7:3.12.1:3.10.13:3.9.18:3.13.0}
export GOFLAGS=${GOFLAGS:--buildvcs=false}

smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; fi
if [ $smoke = 1 ]; then
  reps=${BENCH_REPS:-1} size=${BENCH_SIZE:-3MB} tree=${BENCH_TREE:-20MB}
else
  reps=${BENCH_REPS:-3} size=${BENCH_SIZE:-150MB} tree=${BENCH_TREE:-1GB}
fi

tmp=$(mktemp -d)
regpid=""
cleanup() {
  if [ -n "$regpid" ]; then kill "$regpid" 2>/dev/null || true; wait "$regpid" 2>/dev/null || true; fi
  if [ -d "$tmp/bh" ]; then
    buildah --root "$tmp/bh/root" --runroot "$tmp/bh/run" --storage-driver vfs rm --all >/dev/null 2>&1 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

log "building the tool, the driver and the input generator"
(cd "$root" && go build -o "$tmp/lithops-runtime" . && go build -o "$tmp/driver" ./bench/driver && go build -o "$tmp/benchgen" ./internal/tools/benchgen)
if [ "${BENCH_SYNTHETIC:-1}" = 0 ]; then size=1MB; fi
log "generating a $size wheelhouse"
"$tmp/benchgen" -o "$tmp/wheelhouse" -size "$size" >/dev/null
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$tmp/wheelhouse" PIP_CONFIG_FILE=/dev/null PIP_ROOT_USER_ACTION=ignore
reqs="$tmp/wheelhouse/requirements.txt"
"$tmp/driver" pipflags -python 3.12 >"$tmp/pipflags"
# The same requirements locked with hashes (pip-compile --generate-hashes style, lithops included):
# the lock, not pip, then keys the build cache.
lock="$tmp/requirements.lock"
"$tmp/driver" lock -reqs "$reqs" -o "$lock" -python 3.12 >/dev/null

results="$tmp/results.tsv"
: >"$results"
# measure CASE CMD...: runs CMD under /usr/bin/time and appends wall, CPU, peak RSS and the
# uploaded_bytes= / blobs_uploaded= the command printed.
measure() {
  local case=$1; shift
  local start end
  start=$(date +%s%N) # wall to the millisecond (time's %e has 10 ms steps)
  if ! /usr/bin/time -f "%U %S %M" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "$case failed:" >&2; tail -30 "$tmp/err" >&2; tail -5 "$tmp/out" >&2; exit 1
  fi
  end=$(date +%s%N)
  local wall user sys rss up blobs
  read -r user sys rss <"$tmp/time"
  wall=$(echo "scale=3; ($end - $start) / 1000000000" | bc)
  up=$(sed -n 's/^uploaded_bytes=//p' "$tmp/out" | tail -1)
  blobs=$(sed -n 's/^blobs_uploaded=//p' "$tmp/out" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$wall" "$(echo "$user + $sys" | bc)" "$rss" "${up:--}" "${blobs:--}" >>"$results"
  log "$case: wall ${wall}s cpu $(echo "$user + $sys" | bc)s rss ${rss}KB uploaded ${up:--} blobs ${blobs:--}"
}

# BENCH_SYNTHETIC=0 runs only the real-PyPI cases below.
if [ "${BENCH_SYNTHETIC:-1}" = 1 ]; then
for i in $(seq "$reps"); do
  log "zip runtime, run $i/$reps"
  measure zip-baseline "$root/bench/baseline_zip.sh" "$tmp/base-$i" "$reqs" "$tmp/pipflags"
  rm -rf "$tmp/base-$i"
  sync
  measure zip-ours-cold "$tmp/driver" zip -reqs "$reqs" -work "$tmp/ours-$i" -cache "$tmp/cache-$i" -state "$tmp/state-$i"
  measure zip-ours-rerun "$tmp/driver" zip -reqs "$reqs" -work "$tmp/ours-rerun-$i" -cache "$tmp/cache-$i" -state "$tmp/state-$i"
  rm -rf "$tmp/ours-rerun-$i" "$tmp/cache-$i"
  measure zip-ours-locked-cold "$tmp/driver" zip -reqs "$lock" -work "$tmp/ours-locked-$i" -cache "$tmp/cache-locked-$i" -state "$tmp/state-locked-$i"
  measure zip-ours-locked-rerun "$tmp/driver" zip -reqs "$lock" -work "$tmp/ours-locked-rerun-$i" -cache "$tmp/cache-locked-$i" -state "$tmp/state-locked-$i"
  rm -rf "$tmp/ours-locked-$i" "$tmp/ours-locked-rerun-$i" "$tmp/cache-locked-$i"
  [ "$i" = "$reps" ] || rm -rf "$tmp/ours-$i"
done
built="$tmp/ours-$reps" # the last cold build: function/ and layer.zip, whose python/ tree is the image's dependencies
python3 -m zipfile -e "$built/layer.zip" "$built/layer"
mv "$built/layer/python" "$built/dependencies"

start_registry() {
  rm -f "$tmp/registry.addr" # else a loaded machine can read the previous registry's address
  "$tmp/driver" registry >"$tmp/registry.addr" 2>"$tmp/registry.err" &
  regpid=$!
  for _ in $(seq 50); do [ -s "$tmp/registry.addr" ] && break; sleep 0.1; done
  host=$(head -1 "$tmp/registry.addr")
}
stop_registry() { kill "$regpid"; wait "$regpid" 2>/dev/null || true; regpid=""; }

if command -v buildah >/dev/null && [ -x /bin/busybox ]; then
  printf 'FROM %s\nCOPY dependencies/ /var/task/\nCOPY function/ /var/task/\nCMD ["entry_point.lambda_handler"]\n' "BASE" >"$tmp/Dockerfile.in"
  for i in $(seq "$reps"); do
    log "image, run $i/$reps"
    start_registry
    base=$("$tmp/driver" base -registry "$host" | sed -n 's/^base=//p')
    sed "s|BASE|$base|" "$tmp/Dockerfile.in" >"$built/Dockerfile"
    bh=(buildah --root "$tmp/bh/root" --runroot "$tmp/bh/run" --storage-driver vfs)
    cat >"$tmp/buildah.sh" <<EOS
set -euo pipefail
before=\$(curl -s http://$host/_stats 2>/dev/null || python3 -c 'import urllib.request;print(urllib.request.urlopen("http://$host/_stats").read().decode())')
${bh[*]} build --quiet --tls-verify=false --layers=false -f "$built/Dockerfile" -t $host/buildah:$i "$built" >/dev/null
${bh[*]} push --quiet --tls-verify=false $host/buildah:$i docker://$host/buildah:$i
after=\$(python3 -c 'import urllib.request;print(urllib.request.urlopen("http://$host/_stats").read().decode())')
python3 -c 'import json,sys;b=json.loads(sys.argv[1]);a=json.loads(sys.argv[2]);print("uploaded_bytes=%d"%(a["bytes"]-b["bytes"]));print("blobs_uploaded=%d"%(a["blobs"]-b["blobs"]))' "\$before" "\$after"
EOS
    measure image-baseline bash "$tmp/buildah.sh"
    "${bh[@]}" rm --all >/dev/null 2>&1 || true
    "${bh[@]}" rmi --all --force >/dev/null 2>&1 || true
    rm -rf "$tmp/layers"
    measure image-ours "$tmp/driver" image -base "$base" -deps "$built/dependencies" -code "$built/function" -ref "$host/ours:$i" -layers "$tmp/layers"
    measure image-ours-repush "$tmp/driver" image -base "$base" -deps "$built/dependencies" -code "$built/function" -ref "$host/ours:$i" -layers "$tmp/layers" -reuse
    stop_registry
  done
else
  log "buildah or /bin/busybox missing (apt-get install -y buildah busybox-static): image cases skipped"
fi

log "big tree: $tree"
"$tmp/driver" gentree -o "$tmp/tree" -size "$tree" >/dev/null
measure zip-1gb "$tmp/driver" zipdir -src "$tmp/tree" -o "$tmp/tree.zip"
rm -f "$tmp/tree.zip"
mkdir -p "$tmp/empty"
start_registry
base=$("$tmp/driver" base -registry "$host" | sed -n 's/^base=//p')
measure push-1gb "$tmp/driver" image -base "$base" -deps "$tmp/tree" -code "$tmp/empty" -ref "$host/big:1" -layers "$tmp/big-layers"
rm -rf "$tmp/big-layers"
stop_registry
rm -rf "$tmp/tree"

log "binary start to first log line"
for i in $(seq $((reps * 3))); do
  "$tmp/driver" firstlog -- "$tmp/lithops-runtime" --backend local --requirements "$reqs" --lithops-version 3.7.0 \
    --local-dir "$tmp/local" --dry-run true >"$tmp/out"
  ms=$(sed -n 's/^first_log_ms=//p' "$tmp/out")
  printf 'first-log\t%s\t-\t-\t-\t-\n' "$(echo "scale=4; $ms / 1000" | bc)" >>"$results"
done
sed -n 's/^first_line=/first line: /p' "$tmp/out" >&2

fi # BENCH_SYNTHETIC

# Real PyPI (issue 15): (a) Lithops' default AWS runtime (no requirements beyond Lithops' list),
# (b) a data-science runtime; the Lithops way (pip install --target + zipfile), the same with uv, and
# this tool with pip or uv resolving, side by side for Python 3.12 x86_64 (manylinux_2_34). Every
# way's download cache is warm (pip's HTTP cache, uv's cache, the tool's wheel cache: an untimed
# first run of each fills them), so the figures are the tools' work, not the network; "cold" is an
# empty build cache. pip runs under python3.12: pip checks Requires-Python against the interpreter
# running it, and another one would resolve other versions. BENCH_PYPI=0 skips these cases.
if [ "${BENCH_PYPI:-1}" = 1 ]; then
  unset PIP_NO_INDEX PIP_FIND_LINKS
  pyver=3.12
  py=python$pyver
  export PYTHON=$py
  uvbin=$(command -v uv || true)
  "$tmp/driver" pipflags -python $pyver >"$tmp/pipflags-pypi"
  mkdir -p "$tmp/pypi"
  printf '# Lithops default AWS runtime: nothing beyond its own list\n' >"$tmp/pypi/aws.txt"
  printf 'numpy\npandas\nscipy\nscikit-learn\nmatplotlib\n' >"$tmp/pypi/ds.txt"
  runtimes="aws ds"
  if [ $smoke = 1 ]; then
    # The smoke checks the harness: one tiny runtime, six instead of Lithops' list.
    export LITHOPS_DEFAULTS=six
    printf 'cloudpickle\n' >"$tmp/pypi/tiny.txt"
    runtimes=tiny
  fi
  dflt=()
  if [ -n "${LITHOPS_DEFAULTS:-}" ]; then dflt=(-defaults "$LITHOPS_DEFAULTS"); fi
  wc="$tmp/pypi/wheel-cache"
  for rt in $runtimes; do
    r="$tmp/pypi/$rt.txt"
    log "real PyPI, $rt: warming the download caches (untimed)"
    "$root/bench/baseline_zip.sh" "$tmp/pypi/warm" "$r" "$tmp/pipflags-pypi" >/dev/null 2>&1
    if [ -n "$uvbin" ]; then "$root/bench/uv_zip.sh" "$tmp/pypi/warm" "$r" x86_64-manylinux_2_34 $pyver >/dev/null 2>&1; fi
    "$tmp/driver" zip -python $pyver -pip-python $py "${dflt[@]}" -reqs "$r" -work "$tmp/pypi/warm" -wheel-cache "$wc" -state "$tmp/pypi/warm.state" >/dev/null 2>&1
    rm -rf "$tmp/pypi/warm" "$tmp/pypi/warm.state"
    for i in $(seq "$reps"); do
      log "real PyPI, $rt, run $i/$reps"
      measure "pypi-$rt-lithops" "$root/bench/baseline_zip.sh" "$tmp/pypi/base" "$r" "$tmp/pipflags-pypi"
      rm -rf "$tmp/pypi/base"
      if [ -n "$uvbin" ]; then
        measure "pypi-$rt-uv" "$root/bench/uv_zip.sh" "$tmp/pypi/uv" "$r" x86_64-manylinux_2_34 $pyver
        rm -rf "$tmp/pypi/uv"
      fi
      for resolver in pip uv; do
        uvflag=()
        if [ $resolver = uv ]; then
          [ -n "$uvbin" ] || continue
          uvflag=(-uv "$uvbin")
        fi
        c="$tmp/pypi/cache-$rt-$resolver-$i" s="$tmp/pypi/state-$rt-$resolver-$i"
        measure "pypi-$rt-ours-$resolver-cold" "$tmp/driver" zip -python $pyver -pip-python $py "${dflt[@]}" "${uvflag[@]}" -reqs "$r" -work "$tmp/pypi/ours" -cache "$c" -wheel-cache "$wc" -state "$s"
        measure "pypi-$rt-ours-$resolver-rerun" "$tmp/driver" zip -python $pyver -pip-python $py "${dflt[@]}" "${uvflag[@]}" -reqs "$r" -work "$tmp/pypi/ours-rerun" -cache "$c" -wheel-cache "$wc" -state "$s"
        rm -rf "$tmp/pypi/ours" "$tmp/pypi/ours-rerun" "$c" "$s"
      done
    done
  done
  unset LITHOPS_DEFAULTS
fi

echo
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo), $(uname -sr), $(python3 --version), $(go version | cut -d' ' -f3)"
if [ "${BENCH_PYPI:-1}" = 1 ]; then
  echo "real PyPI: pip $(python3.12 -m pip --version | cut -d' ' -f2) under $(python3.12 --version), $(uv --version 2>/dev/null || echo 'no uv'); download caches warm"
fi
echo "inputs: $(ls "$tmp/wheelhouse"/*.whl | wc -l) wheels, $(du -sh "$tmp/wheelhouse" | cut -f1) ($size requested); runs per case: $reps (median shown)"
echo
python3 "$root/bench/report.py" "$results"
