#!/usr/bin/env bash
# Benchmark: `authgen check --all` over a generated repo of 1,000 connectors,
# and one `authgen generate <source> --dry-run`. Targets: under 100 ms wall
# and 30 MB peak memory for check --all; under 10 ms for one dry run.
#   bash bench/run.sh [CONNECTORS] [RUNS]
# AUTHGEN_BIN=path measures that binary instead of building this checkout
# (to compare two versions on the same machine, one after the other).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}
runs=${2:-20}
if [[ -n ${AUTHGEN_BIN:-} ]]; then
  bin=$(realpath "$AUTHGEN_BIN")
else
  cargo build --release --quiet
  bin=$PWD/target/release/authgen
fi
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT

# A connector repo of $count sources, cycling through the generating fixtures.
fixtures=(azure_devops dicomweb github gmail hostile_text microsoft_graph openweather pagerduty seedstyle shopify stripe zendesk)
git -C "$repo" init -q
for ((i = 0; i < count; i++)); do
  fixture=${fixtures[$((i % ${#fixtures[@]}))]}
  dir=$repo/src/databricks/labs/community_connector/sources/$(printf 'c%04d_%s' "$i" "$fixture")
  mkdir -p "$dir"
  cp "tests/fixtures/connectors/$fixture/connector_spec.yaml" "$dir/"
done
(cd "$repo" && "$bin" generate --all --yes >/dev/null 2>&1)
echo "repo: $count connectors, $(find "$repo/tests" -name auth_test.py | wc -l) generated tests; $(nproc) cores"

cd "$repo"
python3 "$OLDPWD/bench/measure.py" "$runs" -- "$bin" check --all
python3 "$OLDPWD/bench/measure.py" "$runs" -- "$bin" generate c0002_github --dry-run
