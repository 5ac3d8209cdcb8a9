// NEON instructions the Go assembler has no mnemonic for, as WORD
// encodings (A64 manual). Each was checked against binutils' disassembler
// (aarch64-linux-gnu-objdump); scripts/check-neon-words.sh repeats the
// check. Arguments are register numbers.

// FADD Vd.4S, Vn.4S, Vm.4S
#define FADD4S(d, n, m) WORD $(0x4E20D400 | ((m)<<16) | ((n)<<5) | (d))
// FADDP Vd.4S, Vn.4S, Vm.4S: [n0+n1, n2+n3, m0+m1, m2+m3]
#define FADDP4S(d, n, m) WORD $(0x6E20D400 | ((m)<<16) | ((n)<<5) | (d))
// FSUB Vd.4S, Vn.4S, Vm.4S
#define FSUB4S(d, n, m) WORD $(0x4EA0D400 | ((m)<<16) | ((n)<<5) | (d))
// FMUL Vd.4S, Vn.4S, Vm.4S
#define FMUL4S(d, n, m) WORD $(0x6E20DC00 | ((m)<<16) | ((n)<<5) | (d))
// FDIV Vd.4S, Vn.4S, Vm.4S
#define FDIV4S(d, n, m) WORD $(0x6E20FC00 | ((m)<<16) | ((n)<<5) | (d))
// FMAX Vd.4S, Vn.4S, Vm.4S
#define FMAX4S(d, n, m) WORD $(0x4E20F400 | ((m)<<16) | ((n)<<5) | (d))
// FMIN Vd.4S, Vn.4S, Vm.4S
#define FMIN4S(d, n, m) WORD $(0x4EA0F400 | ((m)<<16) | ((n)<<5) | (d))
// FMAXV Sd, Vn.4S
#define FMAXV4S(d, n) WORD $(0x6E30F800 | ((n)<<5) | (d))
// FADDP Sd, Vn.2S (the two lowest lanes)
#define FADDPS(d, n) WORD $(0x7E30D800 | ((n)<<5) | (d))
// FCVTL Vd.4S, Vn.4H (the lower four halves)
#define FCVTL4S(d, n) WORD $(0x0E217800 | ((n)<<5) | (d))
// FCVTL2 Vd.4S, Vn.8H (the upper four halves)
#define FCVTL24S(d, n) WORD $(0x4E217800 | ((n)<<5) | (d))
// SXTL Vd.8H, Vn.8B
#define SXTL8H(d, n) WORD $(0x0F08A400 | ((n)<<5) | (d))
// SXTL2 Vd.8H, Vn.16B
#define SXTL28H(d, n) WORD $(0x4F08A400 | ((n)<<5) | (d))
// SXTL Vd.4S, Vn.4H
#define SXTL4S(d, n) WORD $(0x0F10A400 | ((n)<<5) | (d))
// SXTL2 Vd.4S, Vn.8H
#define SXTL24S(d, n) WORD $(0x4F10A400 | ((n)<<5) | (d))
// SCVTF Vd.4S, Vn.4S
#define SCVTF4S(d, n) WORD $(0x4E21D800 | ((n)<<5) | (d))
// FRINTN Vd.4S, Vn.4S (round to nearest, ties to even)
#define FRINTN4S(d, n) WORD $(0x4E218800 | ((n)<<5) | (d))
// FCVTZS Vd.4S, Vn.4S
#define FCVTZS4S(d, n) WORD $(0x4EA1B800 | ((n)<<5) | (d))
// SHLL Vd.4S, Vn.4H, #16 (the lower four halves, as the high halves of words)
#define SHLL4S(d, n) WORD $(0x2E613800 | ((n)<<5) | (d))
// SHLL2 Vd.4S, Vn.8H, #16 (the upper four halves)
#define SHLL24S(d, n) WORD $(0x6E613800 | ((n)<<5) | (d))
// FABS Vd.4S, Vn.4S
#define FABS4S(d, n) WORD $(0x4EA0F800 | ((n)<<5) | (d))
// FCVTNS Vd.4S, Vn.4S (to the nearest integer, ties to even)
#define FCVTNS4S(d, n) WORD $(0x4E21A800 | ((n)<<5) | (d))
// SQXTN Vd.4H, Vn.4S (saturating narrow into the lower half)
#define SQXTN4H(d, n) WORD $(0x0E614800 | ((n)<<5) | (d))
// SQXTN2 Vd.8H, Vn.4S (into the upper half)
#define SQXTN28H(d, n) WORD $(0x4E614800 | ((n)<<5) | (d))
// SQXTN Vd.8B, Vn.8H
#define SQXTN8B(d, n) WORD $(0x0E214800 | ((n)<<5) | (d))
// SQXTN2 Vd.16B, Vn.8H
#define SQXTN216B(d, n) WORD $(0x4E214800 | ((n)<<5) | (d))
// SDOT Vd.4S, Vn.16B, Vm.16B (each lane += the dot product of four bytes)
#define SDOT4S(d, n, m) WORD $(0x4E809400 | ((m)<<16) | ((n)<<5) | (d))
// SDOT Vd.4S, Vn.16B, Vm.4B[i] (the four bytes of group i of Vm in every lane)
#define SDOTE(d, n, m, i) WORD $(0x4F80E000 | (((i)&1)<<21) | (((m)>>4)<<20) | (((m)&15)<<16) | (((i)>>1)<<11) | ((n)<<5) | (d))
// FMUL Vd.4S, Vn.4S, Vm.S[i]
#define FMULE(d, n, m, i) WORD $(0x4F809000 | (((i)&1)<<21) | (((m)>>4)<<20) | (((m)&15)<<16) | (((i)>>1)<<11) | ((n)<<5) | (d))
