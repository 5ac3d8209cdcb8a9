#!/usr/bin/env bash
# Runs `gpt2 bench` on two (or more) binaries alternately, so that both see the
# same minutes of a noisy machine, and prints each run's pp512 and tg128
# tokens/s per thread count.
#   scripts/bench-ab.sh ROUNDS DTYPES OLD-BINARY NEW-BINARY [more binaries]
#   e.g. scripts/bench-ab.sh 3 "f32 f16 q8_0" ./gpt2-old ./gpt2
set -euo pipefail
rounds=$1 dtypes=$2
shift 2
for r in $(seq "$rounds"); do
  for dt in $dtypes; do
    for b in "$@"; do
      printf '%s %s ' "$b" "$dt"
      "$b" bench --random small --dtype "$dt" --threads 1,2 --kernels none \
        --prompt-tokens 512 --repeat 3 --format md 2>/dev/null |
        awk -F'|' '/pp512|tg128/ { gsub(/ /, "", $6); gsub(/ /, "", $7); split($8, a, " "); printf "%s/%s=%s ", $7, $6, a[1] }'
      echo
    done
  done
done
