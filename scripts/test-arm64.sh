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

# One line per run, tab-separated: log name, package directory, binary, then
# env assignments and test flags separated by spaces. The model's q8_0 tests run again with the int8 variant (not
# the default; qemu's CPU has SDOT), which differs only for them.
runs=()
for pkg in $(go list "${@:-./...}"); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  if ! ls "$dir"/*_test.go >/dev/null 2>&1; then
    continue
  fi
  name=$(basename "$dir")
  echo "== arm64: build $pkg"
  GOARCH=arm64 go test -c -o "$out/$name.test" "$pkg"
  runs+=("$name"$'\t'"$dir"$'\t'"$name.test"$'\t')
  if [ "$name" = transformer ]; then
    runs+=("transformer-neondot"$'\t'"$dir"$'\t'"$name.test"$'\t'"GPT2_KERNELS=neondot -test.run TestFormatsAgreeWithReference|TestDecodeAllocatesNothing|TestKVCacheAcrossBlocks|TestDecodeSameBitsAnyThreads")
  fi
done

# The slowest binaries first, so the last to start are the short ones.
order() {
  for r in "${runs[@]}"; do
    case ${r%%$'\t'*} in
      transformer) echo "0 $r" ;; kernels) echo "1 $r" ;; *) echo "2 $r" ;;
    esac
  done | sort -s -k1,1n | cut -d' ' -f2-
}

run() { # log dir binary args...: one test binary under qemu, its output to out/log.
  local log=$1 dir=$2 bin=$3; shift 3
  local envs=() flags=()
  for a in "$@"; do
    case $a in *=*) [ "${a#-}" = "$a" ] && envs+=("$a") || flags+=("$a") ;; *) flags+=("$a") ;; esac
  done
  local start=$SECONDS rc=0
  (cd "$dir" && env "${envs[@]}" "$qemu" "$out/$bin" -test.timeout 15m -test.short "${flags[@]}") >"$out/$log.log" 2>&1 || rc=$?
  echo "== arm64: $log ($((SECONDS - start)) s, exit $rc)" >>"$out/$log.log"
  echo "$rc" >"$out/$log.rc"
}

while IFS=$'\t' read -r log dir bin rest; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  echo "== arm64: start $log"
  # shellcheck disable=SC2086 # the env assignments and flags split on spaces
  run "$log" "$dir" "$bin" ${rest:+$rest} &
done < <(order)
wait

failed=0
while IFS=$'\t' read -r log _; do
  cat "$out/$log.log"
  [ "$(cat "$out/$log.rc")" = 0 ] || failed=1
done < <(order)
exit $failed
