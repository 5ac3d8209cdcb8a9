//go:build !purego

#include "textflag.h"
#include "q8act_amd64.h"
#include "rows_amd64.h"

// AVX2 + AVX-VNNI kernels for q8_0 weights against q8 activation rows: the
// AVX-512 VNNI kernels' algorithm (q8act_avx512_amd64.s) on 8-lane
// registers, for CPUs with AVX-VNNI but no AVX-512 (Intel since Alder
// Lake). Same sums in the same order, so the same bits.

// VNNI is the VEX-encoded VPDPBUSD Yd, Yv, Ys (Yd += Yv as unsigned bytes
// · Ys as signed bytes, four products per int32 lane), which the Go
// assembler does not know; registers are numbers 0-15.
#define VNNI(s, v, d) BYTE $0xC4; BYTE $(((1-((d)>>3))<<7) | 0x40 | ((1-((s)>>3))<<5) | 0x02); BYTE $(((15-(v))<<3) | 0x05); BYTE $0x50; BYTE $(0xC0 | (((d)&7)<<3) | ((s)&7))

DATA iota8<>+0(SB)/4, $0
DATA iota8<>+4(SB)/4, $1
DATA iota8<>+8(SB)/4, $2
DATA iota8<>+12(SB)/4, $3
DATA iota8<>+16(SB)/4, $4
DATA iota8<>+20(SB)/4, $5
DATA iota8<>+24(SB)/4, $6
DATA iota8<>+28(SB)/4, $7
GLOBL iota8<>(SB), RODATA|NOPTR, $32

// packOrder puts the dwords of VPACKSSWB's lane-wise result in order.
DATA packOrder<>+0(SB)/4, $0
DATA packOrder<>+4(SB)/4, $4
DATA packOrder<>+8(SB)/4, $1
DATA packOrder<>+12(SB)/4, $5
DATA packOrder<>+16(SB)/4, $2
DATA packOrder<>+20(SB)/4, $6
DATA packOrder<>+24(SB)/4, $3
DATA packOrder<>+28(SB)/4, $7
GLOBL packOrder<>(SB), RODATA|NOPTR, $32

// lowHalves picks the low 16 bits of each dword into a lane's low 8 bytes.
DATA lowHalves<>+0(SB)/8, $0x0d0c090805040100
DATA lowHalves<>+8(SB)/8, $0x8080808080808080
DATA lowHalves<>+16(SB)/8, $0x0d0c090805040100
DATA lowHalves<>+24(SB)/8, $0x8080808080808080
GLOBL lowHalves<>(SB), RODATA|NOPTR, $32

// WORDS gathers the low halves of the 8 dwords of y (f16 scales) into its
// low 128 bits, in order.
#define WORDS(y) \
	VPSHUFB lowHalves<>(SB), y, y \
	VPERMQ $0x08, y, y

// HALVES converts the f16 in the low halves of the 8 dwords of Y to 8
// float32 in Y.
#define HALVES(y, yy, x) \
	WORDS(y) \
	VCVTPH2PS x, yy

// func quantizeQ8ActAVX2(k int, x *float32, dst *byte)
TEXT ·quantizeQ8ActAVX2(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ dst+16(FP), DI
	SHRQ $5, CX
	JZ   qdone
	MOVL $0x7fffffff, AX
	MOVL AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x42fe0000, AX // 127.0
	MOVL AX, X14
	MOVL $0x3f800000, AX // 1.0
	MOVL AX, X13
	VMOVDQU packOrder<>(SB), Y12
qloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y15, Y0, Y4
	VANDPS Y15, Y1, Y5
	VANDPS Y15, Y2, Y6
	VANDPS Y15, Y3, Y7
	VMAXPS Y5, Y4, Y4
	VMAXPS Y7, Y6, Y6
	VMAXPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0x4e, X4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0xb1, X4, X5
	VMAXPS X5, X4, X4
	VDIVSS X14, X4, X8 // d = amax / 127
	VXORPS X9, X9, X9
	VUCOMISS X9, X8
	JEQ  qzero         // id stays 0
	VDIVSS X8, X13, X9 // id = 1 / d
qzero:
	VBROADCASTSS X9, Y9
	VMULPS Y9, Y0, Y0
	VMULPS Y9, Y1, Y1
	VMULPS Y9, Y2, Y2
	VMULPS Y9, Y3, Y3
	VCVTPS2DQ Y0, Y0 // to nearest even
	VCVTPS2DQ Y1, Y1
	VCVTPS2DQ Y2, Y2
	VCVTPS2DQ Y3, Y3
	VPADDD Y1, Y0, Y4
	VPADDD Y3, Y2, Y5
	VPADDD Y5, Y4, Y4
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VPERMD Y0, Y12, Y0
	VMOVDQU Y0, 8(DI)
	VEXTRACTI128 $1, Y4, X5
	VPADDD X5, X4, X4
	VPSHUFD $0x4e, X4, X5
	VPADDD X5, X4, X4
	VPSHUFD $0xb1, X4, X5
	VPADDD X5, X4, X4
	MOVL X4, AX
	SHLL $7, AX
	NEGL AX
	MOVL AX, 4(DI)
	VMOVSS X8, (DI)
	ADDQ $128, SI
	ADDQ $40, DI
	DECQ CX
	JNZ  qloop
qdone:
	VZEROUPPER
	RET

DATA x80<>+0(SB)/8, $0x8080808080808080
DATA x80<>+8(SB)/8, $0x8080808080808080
DATA x80<>+16(SB)/8, $0x8080808080808080
DATA x80<>+24(SB)/8, $0x8080808080808080
GLOBL x80<>(SB), RODATA|NOPTR, $32

// PACK8 transposes the block's 32 bytes of 8 rows (at base, base+R8, ...)
// as an 8×8 matrix of dwords and stores group q of the rows, 128 added, at
// off+64q(DI).
#define PACK8(base, off) \
	VMOVDQU 2(base), Y0 \
	VMOVDQU 2(base)(R8*1), Y1 \
	VMOVDQU 2(base)(R8*2), Y2 \
	VMOVDQU 2(base)(R9*1), Y3 \
	VMOVDQU 2(base)(R8*4), Y4 \
	VMOVDQU 2(base)(R10*1), Y5 \
	VMOVDQU 2(base)(R9*2), Y6 \
	VMOVDQU 2(base)(R11*1), Y7 \
	VPUNPCKLDQ Y1, Y0, Y8 \
	VPUNPCKHDQ Y1, Y0, Y9 \
	VPUNPCKLDQ Y3, Y2, Y10 \
	VPUNPCKHDQ Y3, Y2, Y11 \
	VPUNPCKLDQ Y5, Y4, Y12 \
	VPUNPCKHDQ Y5, Y4, Y13 \
	VPUNPCKLDQ Y7, Y6, Y14 \
	VPUNPCKHDQ Y7, Y6, Y15 \
	VPUNPCKLQDQ Y10, Y8, Y0 \
	VPUNPCKHQDQ Y10, Y8, Y1 \
	VPUNPCKLQDQ Y11, Y9, Y2 \
	VPUNPCKHQDQ Y11, Y9, Y3 \
	VPUNPCKLQDQ Y14, Y12, Y4 \
	VPUNPCKHQDQ Y14, Y12, Y5 \
	VPUNPCKLQDQ Y15, Y13, Y6 \
	VPUNPCKHQDQ Y15, Y13, Y7 \
	VPERM2I128 $0x20, Y4, Y0, Y8 \
	VPERM2I128 $0x31, Y4, Y0, Y12 \
	VPERM2I128 $0x20, Y5, Y1, Y9 \
	VPERM2I128 $0x31, Y5, Y1, Y13 \
	VPERM2I128 $0x20, Y6, Y2, Y10 \
	VPERM2I128 $0x31, Y6, Y2, Y14 \
	VPERM2I128 $0x20, Y7, Y3, Y11 \
	VPERM2I128 $0x31, Y7, Y3, Y15 \
	VPXOR x80<>(SB), Y8, Y8; VMOVDQU Y8, off(DI) \
	VPXOR x80<>(SB), Y9, Y9; VMOVDQU Y9, 64+off(DI) \
	VPXOR x80<>(SB), Y10, Y10; VMOVDQU Y10, 128+off(DI) \
	VPXOR x80<>(SB), Y11, Y11; VMOVDQU Y11, 192+off(DI) \
	VPXOR x80<>(SB), Y12, Y12; VMOVDQU Y12, 256+off(DI) \
	VPXOR x80<>(SB), Y13, Y13; VMOVDQU Y13, 320+off(DI) \
	VPXOR x80<>(SB), Y14, Y14; VMOVDQU Y14, 384+off(DI) \
	VPXOR x80<>(SB), Y15, Y15; VMOVDQU Y15, 448+off(DI)

// func packQ8AVX2(k int, w *byte, ldw int, dst *byte)
TEXT ·packQ8AVX2(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), R8
	MOVQ dst+24(FP), DI
	SHRQ $5, CX
	JZ   pdone
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	LEAQ (R9)(R8*4), R11
	LEAQ (SI)(R8*8), R12 // rows 8-15
ploop:
	PACK8(SI, 0)
	PACK8(R12, 32)
	MOVQ R8, X10
	VPBROADCASTD X10, Y10
	VPMULLD iota8<>(SB), Y10, Y10 // row offsets n·ldw, n < 8
	VPCMPEQD Y9, Y9, Y9
	VPGATHERDD Y9, (SI)(Y10*1), Y0
	WORDS(Y0)
	VMOVDQU X0, 512(DI) // f16 scales of rows 0-7
	VPCMPEQD Y9, Y9, Y9
	VPGATHERDD Y9, (R12)(Y10*1), Y0
	WORDS(Y0)
	VMOVDQU X0, 528(DI) // rows 8-15
	ADDQ $34, SI
	ADDQ $34, R12
	ADDQ $544, DI
	DECQ CX
	JNZ  ploop
pdone:
	VZEROUPPER
	RET

// PANEL_SCALES widens the f16 scales of the panel block at p: rows 0-7 into Y12,
// rows 8-15 into Y13.
#define PANEL_SCALES(p) \
	VCVTPH2PS 512(p), Y12 \
	VCVTPH2PS 528(p), Y13

// SCALE_ROW adds one activation row's block sums (int32: a for weight rows
// 0-7, b for 8-15), converted and times dw (Y12, Y13) · dx (x, broadcast),
// to its float sums fa, fb. Clobbers Y8, Y9.
#define SCALE_ROW(x, a, b, fa, fb) \
	VCVTDQ2PS a, a; VCVTDQ2PS b, b \
	VMULPS Y12, x, Y8; VMULPS Y13, x, Y9 \
	VMULPS Y8, a, a; VMULPS Y9, b, b \
	VADDPS a, fa, fa; VADDPS b, fb, fb

// TILE_QUAD adds columns 4q..4q+3 of the block: group q of the packed
// panel (rows 0-7 and 8-15) times those four bytes of each activation row.
#define TILE_QUAD(q) \
	VMOVDQU 64*q(SI), Y8 \
	VMOVDQU 64*q+32(SI), Y9 \
	VPBROADCASTD 8+4*q(R8), Y10 \
	VPBROADCASTD 8+4*q(R9), Y11 \
	VNNI(10, 8, 0) \
	VNNI(10, 9, 1) \
	VNNI(11, 8, 2) \
	VNNI(11, 9, 3)

// func tileQ8ActAVX2(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)
//
// Two activation rows (R8, R9) × 16 weight rows as two halves of 8 lanes:
// int sums Y0/Y1 (row 0, halves A/B) and Y2/Y3 (row 1), float sums Y4..Y7.
TEXT ·tileQ8ActAVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ ldx+16(FP), AX
	MOVQ packed+24(FP), SI
	LEAQ (R8)(AX*1), R9
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	SHRQ $5, CX
	JZ   tstore
tloop:
	VPBROADCASTD 4(R8), Y0 // c
	VMOVDQU Y0, Y1
	VPBROADCASTD 4(R9), Y2
	VMOVDQU Y2, Y3
	TILE_QUAD(0)
	TILE_QUAD(1)
	TILE_QUAD(2)
	TILE_QUAD(3)
	TILE_QUAD(4)
	TILE_QUAD(5)
	TILE_QUAD(6)
	TILE_QUAD(7)
	VBROADCASTSS (R8), Y10
	VBROADCASTSS (R9), Y11
	PANEL_SCALES(SI)
	SCALE_ROW(Y10, Y0, Y1, Y4, Y5)
	SCALE_ROW(Y11, Y2, Y3, Y6, Y7)
	ADDQ $544, SI
	ADDQ $40, R8
	ADDQ $40, R9
	DECQ CX
	JNZ  tloop
tstore:
	MOVQ out+32(FP), AX
	MOVQ ldo+40(FP), BX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	VMOVUPS Y6, (AX)(BX*4)
	VMOVUPS Y7, 32(AX)(BX*4)
	VZEROUPPER
	RET

// TILE1_QUAD adds columns 4q..4q+3 of the block for one activation row
// (R8) to the int sums a (rows 0-7) and b (rows 8-15).
#define TILE1_QUAD(q, a, b) \
	VMOVDQU 64*q(SI), Y8 \
	VMOVDQU 64*q+32(SI), Y9 \
	VPBROADCASTD 8+4*q(R8), Y10 \
	VNNI(10, 8, a) \
	VNNI(10, 9, b)

// func tile1Q8ActAVX2(k int, x *byte, packed *byte, out *float32)
//
// One activation row (R8) × 16 weight rows: int sums in two chains per
// half (Y0/Y1 from c, Y2/Y3 from 0; exact, so in any order), float sums
// Y4/Y5.
TEXT ·tile1Q8ActAVX2(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ packed+16(FP), SI
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	SHRQ $5, CX
	JZ   t1store
t1loop:
	VPBROADCASTD 4(R8), Y0 // c
	VMOVDQU Y0, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TILE1_QUAD(0, 0, 1)
	TILE1_QUAD(1, 2, 3)
	TILE1_QUAD(2, 0, 1)
	TILE1_QUAD(3, 2, 3)
	TILE1_QUAD(4, 0, 1)
	TILE1_QUAD(5, 2, 3)
	TILE1_QUAD(6, 0, 1)
	TILE1_QUAD(7, 2, 3)
	VPADDD Y2, Y0, Y0
	VPADDD Y3, Y1, Y1
	VBROADCASTSS (R8), Y10
	PANEL_SCALES(SI)
	SCALE_ROW(Y10, Y0, Y1, Y4, Y5)
	ADDQ $544, SI
	ADDQ $40, R8
	DECQ CX
	JNZ  t1loop
t1store:
	MOVQ out+24(FP), AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	VZEROUPPER
	RET

// PAIR_QUAD is TILE1_QUAD for two panels (SI into Y0/Y1, DI into Y2/Y3).
#define PAIR_QUAD(q) \
	VPBROADCASTD 8+4*q(R8), Y10 \
	VMOVDQU 64*q(SI), Y8 \
	VMOVDQU 64*q+32(SI), Y9 \
	VNNI(10, 8, 0) \
	VNNI(10, 9, 1) \
	VMOVDQU 64*q(DI), Y8 \
	VMOVDQU 64*q+32(DI), Y9 \
	VNNI(10, 8, 2) \
	VNNI(10, 9, 3)

// func tile1PairQ8ActAVX2(k int, x *byte, p *byte, stride int, out *float32, ostride int)
//
// tile1Q8ActAVX2 for the two panels at p and p+stride bytes, read side by
// side (SI, DI), out at out and out+ostride floats: int sums Y0/Y1 and
// Y2/Y3 (one chain each: the two panels give four), float sums Y4/Y5 and
// Y6/Y7.
TEXT ·tile1PairQ8ActAVX2(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ p+16(FP), SI
	MOVQ stride+24(FP), DI
	ADDQ SI, DI
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	SHRQ $5, CX
	JZ   t2store
t2loop:
	Q8_PREFETCH((SI))
	Q8_PREFETCH((DI))
	VPBROADCASTD 4(R8), Y0 // c
	VMOVDQU Y0, Y1
	VMOVDQU Y0, Y2
	VMOVDQU Y0, Y3
	PAIR_QUAD(0)
	PAIR_QUAD(1)
	PAIR_QUAD(2)
	PAIR_QUAD(3)
	PAIR_QUAD(4)
	PAIR_QUAD(5)
	PAIR_QUAD(6)
	PAIR_QUAD(7)
	VBROADCASTSS (R8), Y10
	PANEL_SCALES(SI)
	SCALE_ROW(Y10, Y0, Y1, Y4, Y5)
	PANEL_SCALES(DI)
	SCALE_ROW(Y10, Y2, Y3, Y6, Y7)
	ADDQ $544, SI
	ADDQ $544, DI
	ADDQ $40, R8
	DECQ CX
	JNZ  t2loop
t2store:
	MOVQ out+32(FP), AX
	VMOVUPS Y4, (AX)
	VMOVUPS Y5, 32(AX)
	MOVQ ostride+40(FP), BX
	LEAQ (AX)(BX*4), AX
	VMOVUPS Y6, (AX)
	VMOVUPS Y7, 32(AX)
	VZEROUPPER
	RET

// ROW8 sets Y0..Y7 to the int32 lanes of 8 weight rows' blocks (at base,
// base+R8, ... 128 added via Y9) times the activation block in Y8, and
// reduces them to the 8 rows' sums in Y0, in row order.
#define ROW8(base) \
	VPXOR 2(base), Y9, Y10; VPXOR Y0, Y0, Y0; VNNI(8, 10, 0) \
	VPXOR 2(base)(R8*1), Y9, Y11; VPXOR Y1, Y1, Y1; VNNI(8, 11, 1) \
	VPXOR 2(base)(R8*2), Y9, Y10; VPXOR Y2, Y2, Y2; VNNI(8, 10, 2) \
	VPXOR 2(base)(R10*1), Y9, Y11; VPXOR Y3, Y3, Y3; VNNI(8, 11, 3) \
	VPXOR 2(base)(R8*4), Y9, Y10; VPXOR Y4, Y4, Y4; VNNI(8, 10, 4) \
	VPXOR 2(base)(R12*1), Y9, Y11; VPXOR Y5, Y5, Y5; VNNI(8, 11, 5) \
	VPXOR 2(base)(R10*2), Y9, Y10; VPXOR Y6, Y6, Y6; VNNI(8, 10, 6) \
	VPXOR 2(base)(R13*1), Y9, Y11; VPXOR Y7, Y7, Y7; VNNI(8, 11, 7) \
	HSUM8(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y1, Y2, Y0)

// SCALE8 adds the block's 8 row sums in Y0 (corrected by c, converted,
// times dw·dx, dw gathered from the rows at base) to acc.
#define SCALE8(base, acc) \
	VPBROADCASTD 4(SI), Y1 \
	VPADDD Y1, Y0, Y0 \
	VCVTDQ2PS Y0, Y0 \
	VPCMPEQD Y2, Y2, Y2 \
	VPGATHERDD Y2, (base)(Y15*1), Y1 \
	HALVES(Y1, Y1, X1) \
	VBROADCASTSS (SI), Y2 \
	VMULPS Y2, Y1, Y1 \
	VMULPS Y1, Y0, Y0 \
	VADDPS Y0, acc, acc

// func rowsQ8ActAVX2(k int, x *byte, w *byte, ldw int, out *float32)
TEXT ·rowsQ8ActAVX2(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	MOVQ ldw+24(FP), R8
	ROW_POINTERS
	MOVQ R8, X15
	VPBROADCASTD X15, Y15
	VPMULLD iota8<>(SB), Y15, Y15 // row offsets n·ldw, n < 8
	MOVL $0x80808080, AX
	MOVL AX, X9
	VPBROADCASTD X9, Y9
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	SHRQ $5, CX
	JZ   rdone
rloop:
	PREFETCH_Q8_GROUP
	VMOVDQU 8(SI), Y8
	ROW8(DI)
	SCALE8(DI, Y12)
	ROW8(R11)
	SCALE8(R11, Y13)
	ADDQ $40, SI
	ADDQ $34, DI
	ADDQ $34, R11
	DECQ CX
	JNZ  rloop
rdone:
	MOVQ out+32(FP), AX
	VMOVUPS Y12, (AX)
	VMOVUPS Y13, 32(AX)
	VZEROUPPER
	RET

// func dotLoopAVX2(iters int)
// iters rounds of 12 independent 32-byte VPDPBUSD (VEX).
TEXT ·dotLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ iters+0(FP), CX
	MOVL $0x01010101, AX
	MOVL AX, X12
	VPBROADCASTD X12, Y12
	VMOVDQU Y12, Y13
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	TESTQ CX, CX
	JZ    dotdone
dotloop:
	VNNI(12, 13, 0)
	VNNI(12, 13, 1)
	VNNI(12, 13, 2)
	VNNI(12, 13, 3)
	VNNI(12, 13, 4)
	VNNI(12, 13, 5)
	VNNI(12, 13, 6)
	VNNI(12, 13, 7)
	VNNI(12, 13, 8)
	VNNI(12, 13, 9)
	VNNI(12, 13, 10)
	VNNI(12, 13, 11)
	DECQ CX
	JNZ  dotloop
dotdone:
	VZEROUPPER
	RET
