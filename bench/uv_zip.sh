#!/usr/bin/env bash
# The Lithops CLI way with uv instead of pip, as bench/compare.sh times it: uv pip install --target
# of the requirements and Lithops' default list for the Lambda platform, uv pip install --no-deps
# lithops, then Python's zipfile (ZIP_DEFLATED) of the layer and function folders.
# usage: uv_zip.sh WORK REQUIREMENTS PYTHON_PLATFORM PYTHON_VERSION
set -euo pipefail
work=$1 reqs=$2 platform=$3 python=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work/layer/python" "$work/function"
# Lithops' AWS default runtime dependencies (LITHOPS_DEFAULTS overrides them, for the smoke run).
read -r -a defaults <<<"${LITHOPS_DEFAULTS:-numpy requests redis pika cloudpickle ps-mem tblib urllib3<2 psutil}"
common=(--python-platform "$platform" --python-version "$python" --only-binary :all: --no-compile --quiet)
uv pip install --target "$work/layer/python" "${common[@]}" -r "$reqs" \
  "${defaults[@]}"
uv pip install --target "$work/function" "${common[@]}" --no-deps lithops==3.7.0
cp "$work/function/lithops/serverless/backends/aws_lambda/entry_point.py" "$work/function/entry_point.py"
python3 "$here/zipdirs.py" "$work/layer.zip" "$work/layer" - "$work/function.zip" "$work/function" -
