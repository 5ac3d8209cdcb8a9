#!/usr/bin/env bash
# Assembles every WORD-encoded NEON instruction of neon_arm64.h with sample
# registers and checks binutils' disassembly of it.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - internal/kernels/neon_arm64.h "$tmp" <<'PY'
import re, struct, subprocess, sys
src = open(sys.argv[1]).read()
tmp = sys.argv[2]
defs = re.findall(r'#define (\w+)\(([^)]*)\) WORD \$\((0x[0-9A-Fa-f]+)', src)
# expected disassembly with d=3, n=5, m=7
expect = {
  'FADD4S': 'fadd\tv3.4s, v5.4s, v7.4s', 'FADDP4S': 'faddp\tv3.4s, v5.4s, v7.4s',
  'FSUB4S': 'fsub\tv3.4s, v5.4s, v7.4s', 'FMUL4S': 'fmul\tv3.4s, v5.4s, v7.4s',
  'FDIV4S': 'fdiv\tv3.4s, v5.4s, v7.4s', 'FMAX4S': 'fmax\tv3.4s, v5.4s, v7.4s',
  'FMIN4S': 'fmin\tv3.4s, v5.4s, v7.4s', 'FMAXV4S': 'fmaxv\ts3, v5.4s',
  'FADDPS': 'faddp\ts3, v5.2s', 'FCVTL4S': 'fcvtl\tv3.4s, v5.4h',
  'FCVTL24S': 'fcvtl2\tv3.4s, v5.8h', 'SXTL8H': 'sxtl\tv3.8h, v5.8b',
  'SXTL28H': 'sxtl2\tv3.8h, v5.16b', 'SXTL4S': 'sxtl\tv3.4s, v5.4h',
  'SXTL24S': 'sxtl2\tv3.4s, v5.8h', 'SCVTF4S': 'scvtf\tv3.4s, v5.4s',
  'FRINTN4S': 'frintn\tv3.4s, v5.4s', 'FCVTZS4S': 'fcvtzs\tv3.4s, v5.4s',
  'SHLL4S': 'shll\tv3.4s, v5.4h, #16', 'SHLL24S': 'shll2\tv3.4s, v5.8h, #16',
  'FABS4S': 'fabs\tv3.4s, v5.4s', 'FCVTNS4S': 'fcvtns\tv3.4s, v5.4s',
  'SQXTN4H': 'sqxtn\tv3.4h, v5.4s', 'SQXTN28H': 'sqxtn2\tv3.8h, v5.4s',
  'SQXTN8B': 'sqxtn\tv3.8b, v5.8h', 'SQXTN216B': 'sqxtn2\tv3.16b, v5.8h',
  'SDOT4S': 'sdot\tv3.4s, v5.16b, v7.16b',
  'SDOTE': 'sdot\tv3.4s, v5.16b, v7.4b[0]', 'FMULE': 'fmul\tv3.4s, v5.4s, v7.s[0]',
}
# the element forms again with a high Vm and every index
extra = [('SDOTE', 0x4F80E000, 23, i, 'sdot\tv3.4s, v5.16b, v23.4b[%d]' % i) for i in range(4)]
extra += [('FMULE', 0x4F809000, 30, i, 'fmul\tv3.4s, v5.4s, v30.s[%d]' % i) for i in range(4)]
words = []
for name, args, base in defs:
    w = int(base, 16) | (5 << 5) | 3
    if len(args.split(',')) >= 3:
        w |= 7 << 16
    words.append((name, w))
for name, base, m, i, dis in extra:
    w = base | ((i & 1) << 21) | ((m >> 4) << 20) | ((m & 15) << 16) | ((i >> 1) << 11) | (5 << 5) | 3
    words.append((name + '[%d]' % i, w))
    expect[name + '[%d]' % i] = dis
open(tmp + '/w.bin', 'wb').write(b''.join(struct.pack('<I', w) for _, w in words))
out = subprocess.run(['aarch64-linux-gnu-objdump', '-D', '-b', 'binary', '-maarch64', tmp + '/w.bin'],
                     capture_output=True, text=True, check=True).stdout
lines = [l for l in out.split('\n') if re.match(r'\s+[0-9a-f]+:\t', l)]
bad = 0
for (name, w), line in zip(words, lines):
    dis = line.split('\t', 2)[2].strip()
    ok = expect.get(name) == dis
    bad += not ok
    print(('ok   ' if ok else 'BAD  ') + '%-9s %08x  %s' % (name, w, dis))
if bad or len(lines) != len(words):
    sys.exit('check-neon-words: encodings do not disassemble as their names say')
PY
