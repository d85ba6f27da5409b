#!/usr/bin/env bash
# Benchmark: what `authgen run` adds to running the same generated test
# directly with the same Python (target: under 20 ms). Both runs hit a closed
# port on 127.0.0.1, so the script does the same work and exits 3.
#   bash bench/run_overhead.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
cargo build --release --quiet
bin=$PWD/target/release/authgen
python=${AUTHGEN_TEST_PYTHON:-$(command -v python3)}
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
git -C "$repo" init -q
mkdir -p "$repo/src/databricks/labs/community_connector/sources/github"
cp tests/fixtures/connectors/github/connector_spec.yaml "$repo/src/databricks/labs/community_connector/sources/github/"
(cd "$repo" && "$bin" generate github --yes >/dev/null 2>&1)
export CONNECTOR_TEST_CONFIG_JSON='{"token": "bench-token"}'
export CONNECTOR_TEST_BASE_URL=http://127.0.0.1:9
cd "$repo"
python3 "$OLDPWD/bench/measure.py" "$runs" -- "$python" tests/unit/sources/github/auth_test.py
python3 "$OLDPWD/bench/measure.py" "$runs" -- "$bin" run github --python "$python"
