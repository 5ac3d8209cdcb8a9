//go:build !purego

#include "textflag.h"

// AMX instructions, which the Go assembler lacks, as their bytes (each
// checked against GNU objdump's disassembly, shown after it). Block j sums
// into tmm(j%4) from its activations in tmm(4+j%2) and weights in
// tmm(6+j%2), and stores the sums 1024·(j%4) bytes into DX. P0 and P1 are
// blocks 0 and 1; Nu is the block two past the one the pointers are at,
// when that is u modulo 4.
#define LDTILECFG_AX     BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00 // ldtilecfg [rax]
#define TILERELEASE      BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0 // tilerelease
#define TILEZERO_P0      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0 // tilezero tmm0
#define TILELOADD_A_P0   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x64; BYTE $0x08; BYTE $0x08 // tileloadd tmm4,[r8+r9*1+0x8]
#define TILELOADD_B_P0   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x1e // tileloadd tmm6,[rsi+rbx*1]
#define TDPBSUD_P0       BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xc4 // tdpbsud tmm0,tmm4,tmm6
#define TILESTORED_P0    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x1a // tilestored [rdx+rbx*1],tmm0
#define TILEZERO_P1      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8 // tilezero tmm1
#define TILELOADD_A_P1   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x6c; BYTE $0x08; BYTE $0x30 // tileloadd tmm5,[r8+r9*1+0x30]
#define TILELOADD_B_P1   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xbc; BYTE $0x1e; BYTE $0x20; BYTE $0x02; BYTE $0x00; BYTE $0x00 // tileloadd tmm7,[rsi+rbx*1+0x220]
#define TDPBSUD_P1       BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xcd // tdpbsud tmm1,tmm5,tmm7
#define TILESTORED_P1    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x8c; BYTE $0x1a; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tilestored [rdx+rbx*1+0x400],tmm1
#define TILEZERO_N0      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0 // tilezero tmm0
#define TILELOADD_A_N0   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x64; BYTE $0x08; BYTE $0x58 // tileloadd tmm4,[r8+r9*1+0x58]
#define TILELOADD_B_N0   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xb4; BYTE $0x1e; BYTE $0x40; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tileloadd tmm6,[rsi+rbx*1+0x440]
#define TDPBSUD_N0       BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xc4 // tdpbsud tmm0,tmm4,tmm6
#define TILESTORED_N0    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x1a // tilestored [rdx+rbx*1],tmm0
#define TILEZERO_N1      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8 // tilezero tmm1
#define TILELOADD_A_N1   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x6c; BYTE $0x08; BYTE $0x58 // tileloadd tmm5,[r8+r9*1+0x58]
#define TILELOADD_B_N1   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xbc; BYTE $0x1e; BYTE $0x40; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tileloadd tmm7,[rsi+rbx*1+0x440]
#define TDPBSUD_N1       BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xcd // tdpbsud tmm1,tmm5,tmm7
#define TILESTORED_N1    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x8c; BYTE $0x1a; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tilestored [rdx+rbx*1+0x400],tmm1
#define TILEZERO_N2      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0 // tilezero tmm2
#define TILELOADD_A_N2   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x64; BYTE $0x08; BYTE $0x58 // tileloadd tmm4,[r8+r9*1+0x58]
#define TILELOADD_B_N2   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xb4; BYTE $0x1e; BYTE $0x40; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tileloadd tmm6,[rsi+rbx*1+0x440]
#define TDPBSUD_N2       BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xd4 // tdpbsud tmm2,tmm4,tmm6
#define TILESTORED_N2    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x94; BYTE $0x1a; BYTE $0x00; BYTE $0x08; BYTE $0x00; BYTE $0x00 // tilestored [rdx+rbx*1+0x800],tmm2
#define TILEZERO_N3      BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8 // tilezero tmm3
#define TILELOADD_A_N3   BYTE $0xc4; BYTE $0x82; BYTE $0x7b; BYTE $0x4b; BYTE $0x6c; BYTE $0x08; BYTE $0x58 // tileloadd tmm5,[r8+r9*1+0x58]
#define TILELOADD_B_N3   BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xbc; BYTE $0x1e; BYTE $0x40; BYTE $0x04; BYTE $0x00; BYTE $0x00 // tileloadd tmm7,[rsi+rbx*1+0x440]
#define TDPBSUD_N3       BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xdd // tdpbsud tmm3,tmm5,tmm7
#define TILESTORED_N3    BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x9c; BYTE $0x1a; BYTE $0x00; BYTE $0x0c; BYTE $0x00; BYTE $0x00 // tilestored [rdx+rbx*1+0xc00],tmm3

// SCALE adds one row's block sums (16 int32 at s, before the c
// correction) to acc as float32(s + c)·(dw·dx): dw the block's 16 weight
// scales in zdw, the row's dx at dx and its c at c.
#define SCALE(dx, c, s, zdw, acc) \
	VMOVDQU32 s, Z0 \
	VPADDD.BCST c, Z0, Z0 \
	VCVTDQ2PS Z0, Z0 \
	VMULPS.BCST dx, zdw, Z1 \
	VMULPS Z1, Z0, Z0 \
	VADDPS Z0, acc, acc

// SCALE16 is SCALE for the 16 rows of one block: its activation blocks at
// o bytes from each row's pointer (rows 0–3 from R8, 4–7 from R11, 8–11
// from R12, 12–15 from R13; R9 = ldx, R10 = 3·ldx), its sums at so(DX),
// its weight scales (f16) at w.
#define SCALE16(o, so, w) \
	VCVTPH2PS w, Z8 \
	SCALE(o(R8), o+4(R8), so+0(DX), Z8, Z16) \
	SCALE(o(R8)(R9*1), o+4(R8)(R9*1), so+64(DX), Z8, Z17) \
	SCALE(o(R8)(R9*2), o+4(R8)(R9*2), so+128(DX), Z8, Z18) \
	SCALE(o(R8)(R10*1), o+4(R8)(R10*1), so+192(DX), Z8, Z19) \
	SCALE(o(R11), o+4(R11), so+256(DX), Z8, Z20) \
	SCALE(o(R11)(R9*1), o+4(R11)(R9*1), so+320(DX), Z8, Z21) \
	SCALE(o(R11)(R9*2), o+4(R11)(R9*2), so+384(DX), Z8, Z22) \
	SCALE(o(R11)(R10*1), o+4(R11)(R10*1), so+448(DX), Z8, Z23) \
	SCALE(o(R12), o+4(R12), so+512(DX), Z8, Z24) \
	SCALE(o(R12)(R9*1), o+4(R12)(R9*1), so+576(DX), Z8, Z25) \
	SCALE(o(R12)(R9*2), o+4(R12)(R9*2), so+640(DX), Z8, Z26) \
	SCALE(o(R12)(R10*1), o+4(R12)(R10*1), so+704(DX), Z8, Z27) \
	SCALE(o(R13), o+4(R13), so+768(DX), Z8, Z28) \
	SCALE(o(R13)(R9*1), o+4(R13)(R9*1), so+832(DX), Z8, Z29) \
	SCALE(o(R13)(R9*2), o+4(R13)(R9*2), so+896(DX), Z8, Z30) \
	SCALE(o(R13)(R10*1), o+4(R13)(R10*1), so+960(DX), Z8, Z31)

// ADVANCE moves the panel and row pointers on by n blocks.
#define ADVANCE(n) \
	ADDQ $(n*544), SI \
	ADDQ $(n*40), R8 \
	ADDQ $(n*40), R11 \
	ADDQ $(n*40), R12 \
	ADDQ $(n*40), R13

// func tileQ8ActAMX(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)
//
// The tile registers are not renamed, and a product's sums reach memory
// long after it starts. So the matrix unit runs two blocks ahead: the
// products of block j+2 are issued before the vector units scale block j's
// sums, each block with its own sum tile and kilobyte of the frame among
// four, so that the two units work side by side.
TEXT ·tileQ8ActAMX(SB), 0, $4160-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ ldx+16(FP), R9
	MOVQ packed+24(FP), SI
	LEAQ (R9)(R9*2), R10
	LEAQ (R8)(R9*4), R11
	LEAQ (R11)(R9*4), R12
	LEAQ (R12)(R9*4), R13
	LEAQ 63(SP), DX
	ANDQ $-64, DX
	MOVQ $64, BX
	LEAQ ·amxTileConfig(SB), AX
	LDTILECFG_AX
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
	SHRQ $5, CX // blocks left to scale
	JZ   amxstore
	TILEZERO_P0
	TILELOADD_A_P0
	TILELOADD_B_P0
	TDPBSUD_P0
	TILESTORED_P0
	CMPQ CX, $1
	JEQ  amx0
	TILEZERO_P1
	TILELOADD_A_P1
	TILELOADD_B_P1
	TDPBSUD_P1
	TILESTORED_P1
amx0:
	CMPQ CX, $2
	JLE  amxscale0
	TILEZERO_N2
	TILELOADD_A_N2
	TILELOADD_B_N2
	TDPBSUD_N2
	TILESTORED_N2
amxscale0:
	SCALE16(0, 0, 512(SI))
	ADVANCE(1)
	DECQ CX
	JZ   amxstore
amx1:
	CMPQ CX, $2
	JLE  amxscale1
	TILEZERO_N3
	TILELOADD_A_N3
	TILELOADD_B_N3
	TDPBSUD_N3
	TILESTORED_N3
amxscale1:
	SCALE16(0, 1024, 512(SI))
	ADVANCE(1)
	DECQ CX
	JZ   amxstore
amx2:
	CMPQ CX, $2
	JLE  amxscale2
	TILEZERO_N0
	TILELOADD_A_N0
	TILELOADD_B_N0
	TDPBSUD_N0
	TILESTORED_N0
amxscale2:
	SCALE16(0, 2048, 512(SI))
	ADVANCE(1)
	DECQ CX
	JZ   amxstore
amx3:
	CMPQ CX, $2
	JLE  amxscale3
	TILEZERO_N1
	TILELOADD_A_N1
	TILELOADD_B_N1
	TDPBSUD_N1
	TILESTORED_N1
amxscale3:
	SCALE16(0, 3072, 512(SI))
	ADVANCE(1)
	DECQ CX
	JZ   amxstore
	JMP  amx0
amxstore:
	TILERELEASE
	MOVQ out+32(FP), AX
	MOVQ ldo+40(FP), BX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), CX
	VMOVUPS Z16, (AX)
	VMOVUPS Z17, (AX)(BX*1)
	VMOVUPS Z18, (AX)(BX*2)
	VMOVUPS Z19, (AX)(CX*1)
	LEAQ (AX)(BX*4), AX
	VMOVUPS Z20, (AX)
	VMOVUPS Z21, (AX)(BX*1)
	VMOVUPS Z22, (AX)(BX*2)
	VMOVUPS Z23, (AX)(CX*1)
	LEAQ (AX)(BX*4), AX
	VMOVUPS Z24, (AX)
	VMOVUPS Z25, (AX)(BX*1)
	VMOVUPS Z26, (AX)(BX*2)
	VMOVUPS Z27, (AX)(CX*1)
	LEAQ (AX)(BX*4), AX
	VMOVUPS Z28, (AX)
	VMOVUPS Z29, (AX)(BX*1)
	VMOVUPS Z30, (AX)(BX*2)
	VMOVUPS Z31, (AX)(CX*1)
	VZEROUPPER
	RET
