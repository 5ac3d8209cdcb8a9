#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each:
#   scripts/fuzz.sh [BUDGET]   e.g. 20000x (executions, the default) or 30s
# Go 1.26's fuzzing coordinator can report a spurious "context deadline
# exceeded" when a time budget ends (golang/go#75804, fixed in Go 1.27), so
# CI uses a count of executions, which has no deadline to race.
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-20000x}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $target"
    go test -run "^$" -fuzz "^${target}\$" -fuzztime "$dur" -fuzzminimizetime 2s "$pkg"
  done
done
