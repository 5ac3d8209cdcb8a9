#!/usr/bin/env bash
# Assembles the VEX-encoded VPDPBUSD of q8act_avx2_amd64.s (the VNNI macro,
# byte by byte, as the Go assembler does not know the instruction) for every
# destination register and a spread of sources, and checks binutils'
# disassembly of each.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vnni"
grep '^#define VNNI(' internal/kernels/q8act_avx2_amd64.s > "$tmp/macro.h"
cases=()
for d in $(seq 0 15); do
  cases+=("$(( (d + 5) % 16 )) $(( (d + 11) % 16 )) $d" "$(( 15 - d )) $d $d")
done
{
  echo '#include "textflag.h"'
  cat "$tmp/macro.h"
  echo 'TEXT ·f(SB), NOSPLIT, $0-0'
  for c in "${cases[@]}"; do set -- $c; echo "	VNNI($1, $2, $3)"; done
  echo '	RET'
} > "$tmp/vnni/f_amd64.s"
printf 'package vnni\n\nfunc f()\n\nvar F = f\n' > "$tmp/vnni/f.go"
printf 'package main\n\nimport "vnnicheck/vnni"\n\nfunc main() {\n\tif vnni.F == nil {\n\t\tprintln()\n\t}\n}\n' > "$tmp/main.go"
printf 'module vnnicheck\n\ngo 1.22\n' > "$tmp/go.mod"
(cd "$tmp" && GOOS=linux GOARCH=amd64 go build -o bin .)
objdump -d --no-show-raw-insn "$tmp/bin" | awk '/<vnnicheck\/vnni.f.abi0>:/,/ret/' | grep vpdpbusd > "$tmp/dis" || true
bad=0 i=0
while read -r line; do
  set -- ${cases[$i]}
  want="{vex} vpdpbusd %ymm$1,%ymm$2,%ymm$3"
  got=$(echo "$line" | cut -f2- -d: | sed 's/^[[:space:]]*//')
  if [ "$got" = "$want" ]; then echo "ok   VNNI($1, $2, $3)  $got"; else echo "BAD  VNNI($1, $2, $3)  $got (want $want)"; bad=1; fi
  i=$((i + 1))
done < "$tmp/dis"
if [ "$bad" = 1 ] || [ "$i" != "${#cases[@]}" ]; then
  echo "check-vnni-bytes: encodings do not disassemble as VPDPBUSD of their operands ($i of ${#cases[@]} found)" >&2
  exit 1
fi
