#!/usr/bin/env bash
# Cross-compiles the tests for linux/arm64 and runs them under qemu-aarch64
# (Debian's qemu-user-static), so the NEON kernels are tested on an amd64
# machine. Also checks the NEON WORD encodings against binutils'
# disassembler when aarch64-linux-gnu-objdump is installed.
#   scripts/test-arm64.sh [package patterns...]   (default ./...)
# The test binaries run ARM64_JOBS at a time (default: the number of CPUs),
# the slowest first, so that the short ones fill the gaps of the long ones
# (on 2 cores: 11.5 minutes against 13 one at a time). Each binary's output
# is printed whole when it ends. They run with -test.short: tests of
# bookkeeping that is the same on every architecture do less under it.
set -euo pipefail
cd "$(dirname "$0")/.."
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
if [ -z "$qemu" ]; then
  echo "test-arm64: qemu-aarch64 not found (apt-get install qemu-user-static)" >&2
  exit 1
fi
if command -v aarch64-linux-gnu-objdump >/dev/null; then
  scripts/check-neon-words.sh
fi
jobs_max=${ARM64_JOBS:-$(nproc)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One record per run: log name|package directory|GPT2_KERNELS (empty: the
# default)|-test.run pattern (empty: all; the last field, so read keeps the
# pattern's own | whole). The two slow binaries go first.
# The model's q8_0 tests run again with the int8 variant (not the default;
# qemu's CPU has SDOT), which differs only for them.
first=() rest=()
for pkg in $(go list "${@:-./...}"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  if ! ls "$dir"/*_test.go >/dev/null 2>&1; then
    continue
  fi
  name=$(basename "$dir")
  echo "== arm64: build $pkg"
  GOARCH=arm64 go test -c -o "$out/$name.test" "$pkg"
  case $name in
    transformer)
      first+=("$name|$dir||")
      rest+=("transformer-neondot|$dir|neondot|TestFormatsAgreeWithReference|TestDecodeAllocatesNothing|TestKVCacheAcrossBlocks|TestDecodeSameBitsAnyThreads") ;;
    kernels) first+=("$name|$dir||") ;;
    *) rest+=("$name|$dir||") ;;
  esac
done
runs=("${first[@]}" "${rest[@]}")

run() { # log dir kernels pattern: one test binary under qemu, its output to out/log.log.
  local log=$1 dir=$2 kernels=$3 pattern=$4 start=$SECONDS rc=0
  # shellcheck disable=SC2086 # no GPT2_KERNELS argument when kernels is empty
  (cd "$dir" && env ${kernels:+GPT2_KERNELS=$kernels} "$qemu" "$out/$(basename "$dir").test" \
    -test.timeout 15m -test.short ${pattern:+-test.run "$pattern"}) >"$out/$log.log" 2>&1 || rc=$?
  echo "== arm64: $log ($((SECONDS - start)) s, exit $rc)" >>"$out/$log.log"
  echo "$rc" >"$out/$log.rc"
}

for r in "${runs[@]}"; do
  IFS='|' read -r log dir kernels pattern <<<"$r"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  echo "== arm64: start $log"
  run "$log" "$dir" "$kernels" "$pattern" &
done
wait

failed=0
for r in "${runs[@]}"; do
  log=${r%%|*}
  cat "$out/$log.log"
  [ "$(cat "$out/$log.rc")" = 0 ] || failed=1
done
exit $failed
