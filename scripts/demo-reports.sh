#!/usr/bin/env bash
# Writes the demo's reports, to look at them: the simulated hospital cluster (examples/demo.yaml)
# collected over SOAP, analysed and reported in every format (DIR/audit), and a change-window
# report of that snapshot against itself (DIR/change-window: the layout of a change window, with
# nothing changed), with the database in DIR/demo.db. Not a test: the tests check these outputs.
# Usage: scripts/demo-reports.sh [DIR]   (default ./demo-reports)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "${1:-demo-reports}"
out=$(cd "${1:-demo-reports}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -C "$repo" -o "$work/cucm-audit" ./cmd/cucm-audit
# A scenario name is looked up as a file first: run where no file is called demo.
cd "$work"
./cucm-audit demo --db "$out/demo.db" --out "$work/demo" >/dev/null
./cucm-audit report --db "$out/demo.db" --format all --out "$out/audit"
./cucm-audit diff --db "$out/demo.db" --before latest --after latest --format pdf,xlsx,md,json,html --out "$out/change-window"
echo "demo-reports: written to $out/audit and $out/change-window" >&2
