#!/usr/bin/env bash
# Cross-compiles the tests for linux/arm64 and runs them under qemu-aarch64
# (Debian's qemu-user-static), so the NEON kernels are tested on an amd64
# machine. Also checks the NEON WORD encodings against binutils'
# disassembler when aarch64-linux-gnu-objdump is installed.
#   scripts/test-arm64.sh [package patterns...]   (default ./...)
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
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pkgs=$(go list "${@:-./...}")
for pkg in $pkgs; do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  if ! ls "$dir"/*_test.go >/dev/null 2>&1; then
    continue
  fi
  name=$(basename "$dir")
  echo "== arm64: $pkg"
  GOARCH=arm64 go test -c -o "$out/$name.test" "$pkg"
  (cd "$dir" && "$qemu" "$out/$name.test" -test.timeout 15m)
done
# The model's tests that run q8_0 weights, again with the int8 variant
# (not the default; qemu's CPU has SDOT), which differs only for them.
if [ -x "$out/transformer.test" ]; then
  echo "== arm64: gpt2/internal/transformer with GPT2_KERNELS=neondot (the q8_0 tests)"
  (cd internal/transformer && GPT2_KERNELS=neondot "$qemu" "$out/transformer.test" -test.timeout 15m \
    -test.run 'TestFormatsAgreeWithReference|TestDecodeAllocatesNothing|TestKVCacheAcrossBlocks|TestDecodeSameBitsAnyThreads')
fi
