//go:build !purego

#include "textflag.h"
#include "q8act_amd64.h"
#include "rows_amd64.h"

// AVX-512 VNNI kernels for q8_0 weights against q8 activation rows (see
// q8act.go for the layouts and the order of the sums). VPDPBUSD multiplies
// unsigned by signed bytes, so the weights get 128 added (XOR 0x80) and
// each block's int32 sum is corrected by the activation block's
// c = −128·Σq. Block sums are exact; only their scaling and the adds
// across blocks are float32, one block after another, as in dotQ8Act.

DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

// func quantizeQ8ActAVX512(k int, x *float32, dst *byte)
TEXT ·quantizeQ8ActAVX512(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ dst+16(FP), DI
	SHRQ $5, CX
	JZ   qdone
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z13
	MOVL $0x42fe0000, AX // 127.0
	VMOVD AX, X14
	MOVL $0x3f800000, AX // 1.0
	VMOVD AX, X15
qloop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VANDPS Z13, Z0, Z2
	VANDPS Z13, Z1, Z3
	VMAXPS Z3, Z2, Z2
	VEXTRACTF32X8 $1, Z2, Y3
	VMAXPS Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VMAXPS X3, X2, X2
	VPERMILPS $0x4e, X2, X3
	VMAXPS X3, X2, X2
	VPERMILPS $0xb1, X2, X3
	VMAXPS X3, X2, X2
	VDIVSS X14, X2, X4 // d = amax / 127
	VXORPS X5, X5, X5
	VUCOMISS X5, X4
	JEQ  qzero         // id stays 0
	VDIVSS X4, X15, X5 // id = 1 / d
qzero:
	VBROADCASTSS X5, Z5
	VMULPS Z5, Z0, Z0
	VMULPS Z5, Z1, Z1
	VCVTPS2DQ Z0, Z0 // to nearest even
	VCVTPS2DQ Z1, Z1
	VPMOVSDB Z0, 8(DI)
	VPMOVSDB Z1, 24(DI)
	VPADDD Z1, Z0, Z0
	VEXTRACTI32X8 $1, Z0, Y1
	VPADDD Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD X1, X0, X0
	VPSHUFD $0x4e, X0, X1
	VPADDD X1, X0, X0
	VPSHUFD $0xb1, X0, X1
	VPADDD X1, X0, X0
	VMOVD X0, AX
	SHLL $7, AX
	NEGL AX
	MOVL AX, 4(DI)
	VMOVSS X4, (DI)
	ADDQ $128, SI
	ADDQ $40, DI
	DECQ CX
	JNZ  qloop
qdone:
	VZEROUPPER
	RET

DATA packLo<>+0(SB)/8, $0
DATA packLo<>+8(SB)/8, $1
DATA packLo<>+16(SB)/8, $8
DATA packLo<>+24(SB)/8, $9
DATA packLo<>+32(SB)/8, $4
DATA packLo<>+40(SB)/8, $5
DATA packLo<>+48(SB)/8, $12
DATA packLo<>+56(SB)/8, $13
GLOBL packLo<>(SB), RODATA|NOPTR, $64

DATA packHi<>+0(SB)/8, $2
DATA packHi<>+8(SB)/8, $3
DATA packHi<>+16(SB)/8, $10
DATA packHi<>+24(SB)/8, $11
DATA packHi<>+32(SB)/8, $6
DATA packHi<>+40(SB)/8, $7
DATA packHi<>+48(SB)/8, $14
DATA packHi<>+56(SB)/8, $15
GLOBL packHi<>(SB), RODATA|NOPTR, $64

// GROUPS gathers groups q and q+4 of the 16 rows, in row order, into lo
// and hi from u (rows 0-3 and 8-11) and v (rows 4-7 and 12-15).
#define GROUPS(u, v, lo, hi) \
	VMOVDQA64 u, lo \
	VPERMT2Q v, Z24, lo \
	VMOVDQA64 u, hi \
	VPERMT2Q v, Z25, hi

// STORE_GROUP stores a group with 128 added (Z26 holds 0x80s).
#define STORE_GROUP(z, off) \
	VPXORD Z26, z, z \
	VMOVDQU32 z, off(DI)

// func packQ8AVX512(k int, w *byte, ldw int, dst *byte)
//
// Per block: Zj holds rows j and j+8 (32 bytes each); an 8×8 transpose of
// dwords in each 256-bit half (two rounds of unpacks, then VPERMT2Q to
// gather the 128-bit quarters) leaves group q of the 16 rows in one
// register, in row order.
TEXT ·packQ8AVX512(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ ldw+16(FP), R8
	MOVQ dst+24(FP), DI
	SHRQ $5, CX
	JZ   pdone
	VPBROADCASTD R8, Z27
	VPMULLD iota16<>(SB), Z27, Z27 // row offsets n·ldw
	LEAQ (R8)(R8*2), R9
	LEAQ (R8)(R8*4), R10
	LEAQ (R9)(R8*4), R11
	LEAQ (SI)(R8*8), R12
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z26
	VMOVDQU64 packLo<>(SB), Z24
	VMOVDQU64 packHi<>(SB), Z25
ploop:
	VMOVDQU32 2(SI), Y0
	VINSERTI64X4 $1, 2(R12), Z0, Z0
	VMOVDQU32 2(SI)(R8*1), Y1
	VINSERTI64X4 $1, 2(R12)(R8*1), Z1, Z1
	VMOVDQU32 2(SI)(R8*2), Y2
	VINSERTI64X4 $1, 2(R12)(R8*2), Z2, Z2
	VMOVDQU32 2(SI)(R9*1), Y3
	VINSERTI64X4 $1, 2(R12)(R9*1), Z3, Z3
	VMOVDQU32 2(SI)(R8*4), Y4
	VINSERTI64X4 $1, 2(R12)(R8*4), Z4, Z4
	VMOVDQU32 2(SI)(R10*1), Y5
	VINSERTI64X4 $1, 2(R12)(R10*1), Z5, Z5
	VMOVDQU32 2(SI)(R9*2), Y6
	VINSERTI64X4 $1, 2(R12)(R9*2), Z6, Z6
	VMOVDQU32 2(SI)(R11*1), Y7
	VINSERTI64X4 $1, 2(R12)(R11*1), Z7, Z7
	VPUNPCKLDQ Z1, Z0, Z8
	VPUNPCKHDQ Z1, Z0, Z9
	VPUNPCKLDQ Z3, Z2, Z10
	VPUNPCKHDQ Z3, Z2, Z11
	VPUNPCKLDQ Z5, Z4, Z12
	VPUNPCKHDQ Z5, Z4, Z13
	VPUNPCKLDQ Z7, Z6, Z14
	VPUNPCKHDQ Z7, Z6, Z15
	VPUNPCKLQDQ Z10, Z8, Z0  // groups 0 / 4 of rows 0-3 (and 8-11)
	VPUNPCKHQDQ Z10, Z8, Z1  // 1 / 5
	VPUNPCKLQDQ Z11, Z9, Z2  // 2 / 6
	VPUNPCKHQDQ Z11, Z9, Z3  // 3 / 7
	VPUNPCKLQDQ Z14, Z12, Z4 // the same for rows 4-7 (and 12-15)
	VPUNPCKHQDQ Z14, Z12, Z5
	VPUNPCKLQDQ Z15, Z13, Z6
	VPUNPCKHQDQ Z15, Z13, Z7
	GROUPS(Z0, Z4, Z16, Z20)
	GROUPS(Z1, Z5, Z17, Z21)
	GROUPS(Z2, Z6, Z18, Z22)
	GROUPS(Z3, Z7, Z19, Z23)
	STORE_GROUP(Z16, 0)
	STORE_GROUP(Z17, 64)
	STORE_GROUP(Z18, 128)
	STORE_GROUP(Z19, 192)
	STORE_GROUP(Z20, 256)
	STORE_GROUP(Z21, 320)
	STORE_GROUP(Z22, 384)
	STORE_GROUP(Z23, 448)
	KXNORW K1, K1, K1
	VPGATHERDD (SI)(Z27*1), K1, Z8
	VPMOVDW Z8, 512(DI) // the 16 f16 scales
	ADDQ $34, SI
	ADDQ $34, R12
	ADDQ $544, DI
	DECQ CX
	JNZ  ploop
pdone:
	VZEROUPPER
	RET

// STORE4 writes four rows of 16 floats at AX, AX+BX, AX+2·BX, AX+3·BX
// (AX is left at the fourth).
#define STORE4(z0, z1, z2, z3) \
	VMOVUPS z0, (AX); ADDQ BX, AX; VMOVUPS z1, (AX); ADDQ BX, AX \
	VMOVUPS z2, (AX); ADDQ BX, AX; VMOVUPS z3, (AX)

// LOAD_GROUPS loads the eight column groups of a panel block at p into
// z0..z7.
#define LOAD_GROUPS(p, z0, z1, z2, z3, z4, z5, z6, z7) \
	VMOVDQU32 (p), z0; VMOVDQU32 64(p), z1; VMOVDQU32 128(p), z2; VMOVDQU32 192(p), z3 \
	VMOVDQU32 256(p), z4; VMOVDQU32 320(p), z5; VMOVDQU32 384(p), z6; VMOVDQU32 448(p), z7

// TILE_ROW adds one block of activation row r (offset DX) to acc: the
// int32 sums of its 32 values with the 16 packed weight rows in Z0..Z7,
// corrected by c, scaled by dw (Z8) times the row's dx.
#define TILE_ROW(r, acc, ti, tf) \
	VPBROADCASTD 4(r)(DX*1), ti \
	VPDPBUSD.BCST 8(r)(DX*1), Z0, ti \
	VPDPBUSD.BCST 12(r)(DX*1), Z1, ti \
	VPDPBUSD.BCST 16(r)(DX*1), Z2, ti \
	VPDPBUSD.BCST 20(r)(DX*1), Z3, ti \
	VPDPBUSD.BCST 24(r)(DX*1), Z4, ti \
	VPDPBUSD.BCST 28(r)(DX*1), Z5, ti \
	VPDPBUSD.BCST 32(r)(DX*1), Z6, ti \
	VPDPBUSD.BCST 36(r)(DX*1), Z7, ti \
	VCVTDQ2PS ti, ti \
	VMULPS.BCST (r)(DX*1), Z8, tf \
	VMULPS tf, ti, ti \
	VADDPS ti, acc, acc

// func tileQ8ActAVX512(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)
TEXT ·tileQ8ActAVX512(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ ldx+16(FP), AX
	MOVQ packed+24(FP), SI
	LEAQ (R8)(AX*1), R9
	LEAQ (R8)(AX*2), R10
	LEAQ (R9)(AX*2), R11
	LEAQ (R8)(AX*4), R12
	LEAQ (R9)(AX*4), R13
	LEAQ (R10)(AX*4), BX
	LEAQ (R11)(AX*4), DI
	XORQ DX, DX
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	SHRQ $5, CX
	JZ   tstore
tloop:
	LOAD_GROUPS(SI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VCVTPH2PS 512(SI), Z8
	TILE_ROW(R8, Z16, Z24, Z25)
	TILE_ROW(R9, Z17, Z26, Z27)
	TILE_ROW(R10, Z18, Z24, Z25)
	TILE_ROW(R11, Z19, Z26, Z27)
	TILE_ROW(R12, Z20, Z24, Z25)
	TILE_ROW(R13, Z21, Z26, Z27)
	TILE_ROW(BX, Z22, Z24, Z25)
	TILE_ROW(DI, Z23, Z26, Z27)
	ADDQ $544, SI
	ADDQ $40, DX
	DECQ CX
	JNZ  tloop
tstore:
	MOVQ out+32(FP), AX
	MOVQ ldo+40(FP), BX
	SHLQ $2, BX
	STORE4(Z16, Z17, Z18, Z19)
	ADDQ BX, AX
	STORE4(Z20, Z21, Z22, Z23)
	VZEROUPPER
	RET

// WIDE_ROW adds one block of activation row r (offset DX) to acca and
// accb, its sums with the two panels' blocks: weights in Z0..Z7 and
// Z8..Z15, scales dw in Z16 and Z17. Each group of x's four bytes is
// broadcast once for both panels. Each panel's int32 sum is split over two
// accumulators (even groups from c, odd ones from 0: exact, so in any
// order), which halves the chain of dependent VPDPBUSD: with one, a 512-
// token q8_0 prefill ran at 759–817 tok/s on one thread against 948–958.
#define WIDE_ROW(r, acca, accb) \
	VPBROADCASTD 4(r)(DX*1), Z18 \
	VPBROADCASTD 4(r)(DX*1), Z19 \
	VPXORD Z21, Z21, Z21 \
	VPXORD Z22, Z22, Z22 \
	VPBROADCASTD 8(r)(DX*1), Z20; VPDPBUSD Z20, Z0, Z18; VPDPBUSD Z20, Z8, Z19 \
	VPBROADCASTD 12(r)(DX*1), Z23; VPDPBUSD Z23, Z1, Z21; VPDPBUSD Z23, Z9, Z22 \
	VPBROADCASTD 16(r)(DX*1), Z20; VPDPBUSD Z20, Z2, Z18; VPDPBUSD Z20, Z10, Z19 \
	VPBROADCASTD 20(r)(DX*1), Z23; VPDPBUSD Z23, Z3, Z21; VPDPBUSD Z23, Z11, Z22 \
	VPBROADCASTD 24(r)(DX*1), Z20; VPDPBUSD Z20, Z4, Z18; VPDPBUSD Z20, Z12, Z19 \
	VPBROADCASTD 28(r)(DX*1), Z23; VPDPBUSD Z23, Z5, Z21; VPDPBUSD Z23, Z13, Z22 \
	VPBROADCASTD 32(r)(DX*1), Z20; VPDPBUSD Z20, Z6, Z18; VPDPBUSD Z20, Z14, Z19 \
	VPBROADCASTD 36(r)(DX*1), Z23; VPDPBUSD Z23, Z7, Z21; VPDPBUSD Z23, Z15, Z22 \
	VPADDD Z21, Z18, Z18 \
	VPADDD Z22, Z19, Z19 \
	VCVTDQ2PS Z18, Z18 \
	VCVTDQ2PS Z19, Z19 \
	VMULPS.BCST (r)(DX*1), Z16, Z21 \
	VMULPS.BCST (r)(DX*1), Z17, Z22 \
	VMULPS Z21, Z18, Z18 \
	VMULPS Z22, Z19, Z19 \
	VADDPS Z18, acca, acca \
	VADDPS Z19, accb, accb

// func tileWideQ8ActAVX512(k int, x *byte, ldx int, p *byte, pstride int, out *float32, ldo int)
//
// TILE_ROW's sums for 4 activation rows and two panels (the second at
// pstride bytes from the first, DI): 32 outputs a row. Row r's sums with
// the first panel are in Z24+2r, with the second in Z25+2r.
TEXT ·tileWideQ8ActAVX512(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ ldx+16(FP), AX
	MOVQ p+24(FP), SI
	MOVQ pstride+32(FP), DI
	LEAQ (R8)(AX*1), R9
	LEAQ (R8)(AX*2), R10
	LEAQ (R9)(AX*2), R11
	XORQ DX, DX
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31
	SHRQ $5, CX
	JZ   wstore
wloop:
	LOAD_GROUPS(SI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVDQU32 (SI)(DI*1), Z8
	VMOVDQU32 64(SI)(DI*1), Z9
	VMOVDQU32 128(SI)(DI*1), Z10
	VMOVDQU32 192(SI)(DI*1), Z11
	VMOVDQU32 256(SI)(DI*1), Z12
	VMOVDQU32 320(SI)(DI*1), Z13
	VMOVDQU32 384(SI)(DI*1), Z14
	VMOVDQU32 448(SI)(DI*1), Z15
	VCVTPH2PS 512(SI), Z16
	VCVTPH2PS 512(SI)(DI*1), Z17
	WIDE_ROW(R8, Z24, Z25)
	WIDE_ROW(R9, Z26, Z27)
	WIDE_ROW(R10, Z28, Z29)
	WIDE_ROW(R11, Z30, Z31)
	ADDQ $544, SI
	ADDQ $40, DX
	DECQ CX
	JNZ  wloop
wstore:
	MOVQ out+40(FP), AX
	MOVQ ldo+48(FP), BX
	SHLQ $2, BX
	VMOVUPS Z24, (AX)
	VMOVUPS Z25, 64(AX)
	VMOVUPS Z26, (AX)(BX*1)
	VMOVUPS Z27, 64(AX)(BX*1)
	LEAQ (AX)(BX*2), AX
	VMOVUPS Z28, (AX)
	VMOVUPS Z29, 64(AX)
	VMOVUPS Z30, (AX)(BX*1)
	VMOVUPS Z31, 64(AX)(BX*1)
	VZEROUPPER
	RET

// func tile1Q8ActAVX512(k int, x *byte, packed *byte, out *float32)
//
// TILE_ROW for one activation row (R8), its int32 products split over two
// accumulators (Z24 from c, Z25 from 0: exact, so in any order) to halve
// the dependency chain.
TEXT ·tile1Q8ActAVX512(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ packed+16(FP), SI
	VPXORD Z16, Z16, Z16
	SHRQ $5, CX
	JZ   t1store
t1loop:
	LOAD_GROUPS(SI, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VPBROADCASTD 4(R8), Z24
	VPXORD Z25, Z25, Z25
	VPDPBUSD.BCST 8(R8), Z0, Z24
	VPDPBUSD.BCST 12(R8), Z1, Z25
	VPDPBUSD.BCST 16(R8), Z2, Z24
	VPDPBUSD.BCST 20(R8), Z3, Z25
	VPDPBUSD.BCST 24(R8), Z4, Z24
	VPDPBUSD.BCST 28(R8), Z5, Z25
	VPDPBUSD.BCST 32(R8), Z6, Z24
	VPDPBUSD.BCST 36(R8), Z7, Z25
	VPADDD Z25, Z24, Z24
	VCVTDQ2PS Z24, Z24
	VCVTPH2PS 512(SI), Z8
	VMULPS.BCST (R8), Z8, Z8
	VMULPS Z8, Z24, Z24
	VADDPS Z24, Z16, Z16
	ADDQ $544, SI
	ADDQ $40, R8
	DECQ CX
	JNZ  t1loop
t1store:
	MOVQ out+24(FP), AX
	VMOVUPS Z16, (AX)
	VZEROUPPER
	RET

// QUAD_GROUP adds column group g (x's four bytes broadcast in xg) of the
// four streams' blocks to their int sums Z14..Z17.
#define QUAD_GROUP(off, xg) \
	VMOVDQU32 off(SI), Z22; VMOVDQU32 off(SI)(BX*1), Z23; VMOVDQU32 off(SI)(BX*2), Z24; VMOVDQU32 off(SI)(R10*1), Z25 \
	VPDPBUSD xg, Z22, Z14; VPDPBUSD xg, Z23, Z15; VPDPBUSD xg, Z24, Z16; VPDPBUSD xg, Z25, Z17

// QUAD_SCALE scales stream s's int sums (acc) by its block's f16 scales at
// addr times x's scale (Z8) and adds them to its float sums (sum).
#define QUAD_SCALE(addr, acc, t, sum) \
	VCVTPH2PS addr, t; VMULPS Z8, t, t; VCVTDQ2PS acc, acc; VMULPS t, acc, acc; VADDPS acc, sum, sum

// func tile1QuadQ8ActAVX512(k int, x *byte, p *byte, stride int, out *float32, ostride int)
//
// tile1Q8ActAVX512 for the four panels at p + s·stride bytes (s < 4), out
// at out + s·ostride floats: four streams read side by side, which one core
// pulls from memory faster than one. x's eight groups are broadcast once a
// block for all four (Z0..Z7).
TEXT ·tile1QuadQ8ActAVX512(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), R8
	MOVQ p+16(FP), SI
	MOVQ stride+24(FP), BX
	LEAQ (BX)(BX*2), R10
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	SHRQ $5, CX
	JZ   t4store
t4loop:
	Q8_PREFETCH((SI))
	Q8_PREFETCH((SI)(BX*1))
	Q8_PREFETCH((SI)(BX*2))
	Q8_PREFETCH((SI)(R10*1))
	VPBROADCASTD 8(R8), Z0
	VPBROADCASTD 12(R8), Z1
	VPBROADCASTD 16(R8), Z2
	VPBROADCASTD 20(R8), Z3
	VPBROADCASTD 24(R8), Z4
	VPBROADCASTD 28(R8), Z5
	VPBROADCASTD 32(R8), Z6
	VPBROADCASTD 36(R8), Z7
	VPBROADCASTD 4(R8), Z14
	VMOVDQA32 Z14, Z15
	VMOVDQA32 Z14, Z16
	VMOVDQA32 Z14, Z17
	VBROADCASTSS (R8), Z8
	QUAD_GROUP(0, Z0)
	QUAD_GROUP(64, Z1)
	QUAD_GROUP(128, Z2)
	QUAD_GROUP(192, Z3)
	QUAD_GROUP(256, Z4)
	QUAD_GROUP(320, Z5)
	QUAD_GROUP(384, Z6)
	QUAD_GROUP(448, Z7)
	QUAD_SCALE(512(SI), Z14, Z26, Z10)
	QUAD_SCALE(512(SI)(BX*1), Z15, Z27, Z11)
	QUAD_SCALE(512(SI)(BX*2), Z16, Z28, Z12)
	QUAD_SCALE(512(SI)(R10*1), Z17, Z29, Z13)
	ADDQ $544, SI
	ADDQ $40, R8
	DECQ CX
	JNZ  t4loop
t4store:
	MOVQ out+32(FP), AX
	MOVQ ostride+40(FP), BX
	SHLQ $2, BX
	STORE4(Z10, Z11, Z12, Z13)
	VZEROUPPER
	RET

// ROW_BLOCK sets the 8 int32 lanes of y to the products of the activation
// block (Y31) with one weight row's block at addr, 128 added (Y30 = 0x80s).
#define ROW_BLOCK(addr, y, t) \
	VPXORD addr, Y30, t \
	VPXORD y, y, y \
	VPDPBUSD Y31, t, y

// func rowsQ8ActAVX512(k int, x *byte, w *byte, ldw int, out *float32)
TEXT ·rowsQ8ActAVX512(SB), NOSPLIT, $0-40
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	MOVQ ldw+24(FP), R8
	ROW_POINTERS
	VPBROADCASTD R8, Z29
	VPMULLD iota16<>(SB), Z29, Z29 // row offsets n·ldw
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Y30
	VPXORD Z28, Z28, Z28
	SHRQ $5, CX
	JZ   rdone
rloop:
	PREFETCH_Q8_GROUP
	VMOVDQU32 8(SI), Y31
	ROW_BLOCK(2(DI), Y0, Y16)
	ROW_BLOCK(2(DI)(R8*1), Y1, Y17)
	ROW_BLOCK(2(DI)(R8*2), Y2, Y18)
	ROW_BLOCK(2(DI)(R10*1), Y3, Y19)
	ROW_BLOCK(2(DI)(R8*4), Y4, Y16)
	ROW_BLOCK(2(DI)(R12*1), Y5, Y17)
	ROW_BLOCK(2(DI)(R10*2), Y6, Y18)
	ROW_BLOCK(2(DI)(R13*1), Y7, Y19)
	ROW_BLOCK(2(R11), Y8, Y16)
	ROW_BLOCK(2(R11)(R8*1), Y9, Y17)
	ROW_BLOCK(2(R11)(R8*2), Y10, Y18)
	ROW_BLOCK(2(R11)(R10*1), Y11, Y19)
	ROW_BLOCK(2(R11)(R8*4), Y12, Y16)
	ROW_BLOCK(2(R11)(R12*1), Y13, Y17)
	ROW_BLOCK(2(R11)(R10*2), Y14, Y18)
	ROW_BLOCK(2(R11)(R13*1), Y15, Y19)
	// 16 rows × 8 lanes → 16 sums, rows 0-7 then 8-15.
	HSUM8(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y1, Y2, Y1)
	HSUM8(Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y9, Y10, Y3)
	VINSERTI64X4 $1, Y3, Z1, Z1
	VPADDD.BCST 4(SI), Z1, Z1
	VCVTDQ2PS Z1, Z1
	KXNORW K1, K1, K1
	VPGATHERDD (DI)(Z29*1), K1, Z2
	VPMOVDW Z2, Y2
	VCVTPH2PS Y2, Z2
	VMULPS.BCST (SI), Z2, Z2
	VMULPS Z2, Z1, Z1
	VADDPS Z1, Z28, Z28
	ADDQ $40, SI
	ADDQ $34, DI
	ADDQ $34, R11
	DECQ CX
	JNZ  rloop
rdone:
	MOVQ out+32(FP), AX
	VMOVUPS Z28, (AX)
	VZEROUPPER
	RET

// func dotLoopAVX512(iters int)
// iters rounds of 12 independent 64-byte VPDPBUSD (the roofline's int8 peak).
TEXT ·dotLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ iters+0(FP), CX
	MOVL $0x01010101, AX
	VPBROADCASTD AX, Z12
	VPBROADCASTD AX, Z13
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	TESTQ CX, CX
	JZ    dotdone
dotloop:
	VPDPBUSD Z12, Z13, Z0
	VPDPBUSD Z12, Z13, Z1
	VPDPBUSD Z12, Z13, Z2
	VPDPBUSD Z12, Z13, Z3
	VPDPBUSD Z12, Z13, Z4
	VPDPBUSD Z12, Z13, Z5
	VPDPBUSD Z12, Z13, Z6
	VPDPBUSD Z12, Z13, Z7
	VPDPBUSD Z12, Z13, Z8
	VPDPBUSD Z12, Z13, Z9
	VPDPBUSD Z12, Z13, Z10
	VPDPBUSD Z12, Z13, Z11
	DECQ CX
	JNZ  dotloop
dotdone:
	VZEROUPPER
	RET
