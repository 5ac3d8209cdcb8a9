#!/usr/bin/env bash
# Compares the Go benchmarks of two commits with benchstat:
#   scripts/bench.sh OLD NEW            e.g. scripts/bench.sh HEAD~3 HEAD
# BENCH (a -bench pattern, default the kernels' Gemm and Gemv), PKGS
# (default ./internal/kernels/) and COUNT (runs of each, default 6) narrow
# or widen it. Old and new runs alternate so that a noisy machine affects
# both alike.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: scripts/bench.sh OLD NEW" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
pattern="${BENCH:-Gemm|Gemv}"
pkgs="${PKGS:-./internal/kernels/}"
count="${COUNT:-6}"
work=$(mktemp -d)
cleanup() {
  git worktree remove --force "$work/old" 2>/dev/null || true
  git worktree remove --force "$work/new" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
git worktree add --detach -q "$work/old" "$1"
git worktree add --detach -q "$work/new" "$2"
for side in old new; do
  (cd "$work/$side" && go test -c -o "$work/$side.test" $pkgs >/dev/null)
done
for i in $(seq "$count"); do
  for side in old new; do
    (cd "$work/$side/${pkgs#./}" && "$work/$side.test" -test.run '^$' -test.bench "$pattern" -test.count 1) >> "$work/$side.txt"
  done
done
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$work/old.txt" "$work/new.txt"
