#!/usr/bin/env bash
# The Lithops CLI way to build a Lambda zip runtime, as bench/compare.sh times it: pip install
# --target of the requirements (platform flags as ours), pip install --no-deps lithops, then
# Python's zipfile (ZIP_DEFLATED) of the layer and function folders.
# usage: baseline_zip.sh WORK REQUIREMENTS FLAGFILE   (PYTHON: the interpreter running pip, python3)
set -euo pipefail
work=$1 reqs=$2 flags=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work/layer/python" "$work/function"
# Lithops' AWS default runtime dependencies (LITHOPS_DEFAULTS overrides them, for the smoke run).
read -r -a defaults <<<"${LITHOPS_DEFAULTS:-numpy requests redis pika cloudpickle ps-mem tblib urllib3<2 psutil}"
mapfile -t pf <"$flags"
common=(--no-compile --disable-pip-version-check --no-input --quiet)
"${PYTHON:-python3}" -m pip install --target "$work/layer/python" "${pf[@]}" "${common[@]}" -r "$reqs" \
  "${defaults[@]}"
"${PYTHON:-python3}" -m pip install --target "$work/function" "${pf[@]}" "${common[@]}" --no-deps lithops==3.7.0
cp "$work/function/lithops/serverless/backends/aws_lambda/entry_point.py" "$work/function/entry_point.py"
python3 "$here/zipdirs.py" "$work/layer.zip" "$work/layer" - "$work/function.zip" "$work/function" -
