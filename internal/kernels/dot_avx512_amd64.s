//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// AVX-512 dot-product kernels. Every kernel keeps, per dot product, one
// accumulator of 16 lanes: lane j sums columns j, j+16, j+32, ... in order
// (for q8_0: per block of 32, column j then column 16+j). The lanes are then
// added by one fixed tree, t[i] = s[i]+s[i+8], u[i] = t[i]+t[i+4],
// v[i] = u[i]+u[i+2], sum = v[0]+v[1], so that the tile, row and single
// kernels give the same bits for the same dot product.

// Loading 16 weights as float32.
#define LOAD_F32(addr, z) VMOVUPS addr, z
#define LOAD_F16(addr, z) VCVTPH2PS addr, z
#define LOAD_BF16(addr, z) VPMOVZXWD addr, z; VPSLLD $16, z, z

// REDUCE16 adds the lanes of each of Z0..Z15 by the tree and leaves the
// 16 sums, in order, in Z0. Clobbers Z16..Z31.
#define REDUCE16 \
	VSHUFF32X4 $0x44, Z1, Z0, Z16; VSHUFF32X4 $0xEE, Z1, Z0, Z17; VADDPS Z17, Z16, Z16 \
	VSHUFF32X4 $0x44, Z3, Z2, Z17; VSHUFF32X4 $0xEE, Z3, Z2, Z18; VADDPS Z18, Z17, Z17 \
	VSHUFF32X4 $0x44, Z5, Z4, Z18; VSHUFF32X4 $0xEE, Z5, Z4, Z19; VADDPS Z19, Z18, Z18 \
	VSHUFF32X4 $0x44, Z7, Z6, Z19; VSHUFF32X4 $0xEE, Z7, Z6, Z20; VADDPS Z20, Z19, Z19 \
	VSHUFF32X4 $0x44, Z9, Z8, Z20; VSHUFF32X4 $0xEE, Z9, Z8, Z21; VADDPS Z21, Z20, Z20 \
	VSHUFF32X4 $0x44, Z11, Z10, Z21; VSHUFF32X4 $0xEE, Z11, Z10, Z22; VADDPS Z22, Z21, Z21 \
	VSHUFF32X4 $0x44, Z13, Z12, Z22; VSHUFF32X4 $0xEE, Z13, Z12, Z23; VADDPS Z23, Z22, Z22 \
	VSHUFF32X4 $0x44, Z15, Z14, Z23; VSHUFF32X4 $0xEE, Z15, Z14, Z24; VADDPS Z24, Z23, Z23 \
	VSHUFF32X4 $0x88, Z17, Z16, Z24; VSHUFF32X4 $0xDD, Z17, Z16, Z25; VADDPS Z25, Z24, Z24 \
	VSHUFF32X4 $0x88, Z19, Z18, Z25; VSHUFF32X4 $0xDD, Z19, Z18, Z26; VADDPS Z26, Z25, Z25 \
	VSHUFF32X4 $0x88, Z21, Z20, Z26; VSHUFF32X4 $0xDD, Z21, Z20, Z27; VADDPS Z27, Z26, Z26 \
	VSHUFF32X4 $0x88, Z23, Z22, Z27; VSHUFF32X4 $0xDD, Z23, Z22, Z28; VADDPS Z28, Z27, Z27 \
	VSHUFPS $0x44, Z25, Z24, Z28; VSHUFPS $0xEE, Z25, Z24, Z29; VADDPS Z29, Z28, Z28 \
	VSHUFPS $0x44, Z27, Z26, Z29; VSHUFPS $0xEE, Z27, Z26, Z30; VADDPS Z30, Z29, Z29 \
	VSHUFPS $0x88, Z29, Z28, Z30; VSHUFPS $0xDD, Z29, Z28, Z31; VADDPS Z31, Z30, Z30 \
	VMOVDQU32 reduceOrder<>(SB), Z31 \
	VPERMPS Z30, Z31, Z0

// REDUCE1 adds the lanes of Z0 by the same tree into X0's lowest lane.
#define REDUCE1 \
	VEXTRACTF32X8 $1, Z0, Y1; VADDPS Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1; VADDPS X1, X0, X0 \
	VSHUFPS $0xEE, X0, X0, X1; VADDPS X1, X0, X0 \
	VSHUFPS $0x55, X0, X0, X1; VADDSS X1, X0, X0

#define ZERO16 \
	VPXORD Z0, Z0, Z0; VPXORD Z1, Z1, Z1; VPXORD Z2, Z2, Z2; VPXORD Z3, Z3, Z3 \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15

// reduceOrder puts the tree's output lanes (4L+j holds sum 4j+L) in order.
DATA reduceOrder<>+0(SB)/4, $0
DATA reduceOrder<>+4(SB)/4, $4
DATA reduceOrder<>+8(SB)/4, $8
DATA reduceOrder<>+12(SB)/4, $12
DATA reduceOrder<>+16(SB)/4, $1
DATA reduceOrder<>+20(SB)/4, $5
DATA reduceOrder<>+24(SB)/4, $9
DATA reduceOrder<>+28(SB)/4, $13
DATA reduceOrder<>+32(SB)/4, $2
DATA reduceOrder<>+36(SB)/4, $6
DATA reduceOrder<>+40(SB)/4, $10
DATA reduceOrder<>+44(SB)/4, $14
DATA reduceOrder<>+48(SB)/4, $3
DATA reduceOrder<>+52(SB)/4, $7
DATA reduceOrder<>+56(SB)/4, $11
DATA reduceOrder<>+60(SB)/4, $15
GLOBL reduceOrder<>(SB), RODATA|NOPTR, $64

// ---- 4×4 tiles: out[4m+n] = x_m · w_n ----
// Registers: X (SI) activation row 0, D (DX) activation stride in bytes,
// D3 (R9) = 3·D; P (DI) weight row 0, L (R8) weight stride, L3 (R10) = 3·L;
// CX columns left; BX out. Accumulator of (m, n) is Z(4m+n).

// TILE_SETUP derives the strides once the arguments are in registers.
#define TILE_SETUP \
	SHLQ $2, DX \
	LEAQ (DX)(DX*2), R9 \
	LEAQ (R8)(R8*2), R10 \
	ZERO16

#define TILE_FMA16 \
	VFMADD231PS Z16, Z20, Z0; VFMADD231PS Z17, Z20, Z1; VFMADD231PS Z18, Z20, Z2; VFMADD231PS Z19, Z20, Z3 \
	VFMADD231PS Z16, Z21, Z4; VFMADD231PS Z17, Z21, Z5; VFMADD231PS Z18, Z21, Z6; VFMADD231PS Z19, Z21, Z7 \
	VFMADD231PS Z16, Z22, Z8; VFMADD231PS Z17, Z22, Z9; VFMADD231PS Z18, Z22, Z10; VFMADD231PS Z19, Z22, Z11 \
	VFMADD231PS Z16, Z23, Z12; VFMADD231PS Z17, Z23, Z13; VFMADD231PS Z18, Z23, Z14; VFMADD231PS Z19, Z23, Z15

#define TILE_X \
	VMOVUPS (SI), Z20; VMOVUPS (SI)(DX*1), Z21; VMOVUPS (SI)(DX*2), Z22; VMOVUPS (SI)(R9*1), Z23

// TILE_EPILOGUE writes the tile: token m's 4 sums to out + m·ldo floats,
// added to what is there when AX (add) is set.
#define TILE_EPILOGUE \
	REDUCE16 \
	VEXTRACTF32X4 $1, Z0, X1 \
	VEXTRACTF32X4 $2, Z0, X2 \
	VEXTRACTF32X4 $3, Z0, X3 \
	LEAQ (R11)(R11*2), R12 \
	TESTQ AX, AX \
	JZ 5(PC) \
	VADDPS (BX), X0, X0; VADDPS (BX)(R11*1), X1, X1 \
	VADDPS (BX)(R11*2), X2, X2; VADDPS (BX)(R12*1), X3, X3 \
	VMOVUPS X0, (BX); VMOVUPS X1, (BX)(R11*1) \
	VMOVUPS X2, (BX)(R11*2); VMOVUPS X3, (BX)(R12*1) \
	VZEROUPPER \
	RET

// func tileF16AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileF16AVX512(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), DX
	MOVQ w+24(FP), DI
	MOVQ ldw+32(FP), R8
	MOVQ out+40(FP), BX
	MOVQ ldo+48(FP), R11
	SHLQ $2, R11
	MOVBQZX add+56(FP), AX
	TILE_SETUP
	TESTQ CX, CX
	JZ    tf16done
tf16loop:
	LOAD_F16((DI), Z16)
	LOAD_F16((DI)(R8*1), Z17)
	LOAD_F16((DI)(R8*2), Z18)
	LOAD_F16((DI)(R10*1), Z19)
	TILE_X
	TILE_FMA16
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $16, CX
	JNZ  tf16loop
tf16done:
	TILE_EPILOGUE

// func tileBF16AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileBF16AVX512(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), DX
	MOVQ w+24(FP), DI
	MOVQ ldw+32(FP), R8
	MOVQ out+40(FP), BX
	MOVQ ldo+48(FP), R11
	SHLQ $2, R11
	MOVBQZX add+56(FP), AX
	TILE_SETUP
	TESTQ CX, CX
	JZ    tbf16done
tbf16loop:
	LOAD_BF16((DI), Z16)
	LOAD_BF16((DI)(R8*1), Z17)
	LOAD_BF16((DI)(R8*2), Z18)
	LOAD_BF16((DI)(R10*1), Z19)
	TILE_X
	TILE_FMA16
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $16, CX
	JNZ  tbf16loop
tbf16done:
	TILE_EPILOGUE

// ---- 2×8 tiles: out[m·ldo+n] (+)= x_m · w_n, m < 2, n < 8 ----
// The 3×8 tile's rows past its last whole tile: two, or one given twice
// (ldx = ldo = 0: both sums land on the same place, each loaded before
// either is stored). Registers as the 3×8 tile's, accumulator (m, n) in
// Z(8m+n), the weight rows loaded into Z16..Z23.

#define TILE8_FMA \
	VFMADD231PS Z16, Z24, Z0; VFMADD231PS Z17, Z24, Z1; VFMADD231PS Z18, Z24, Z2; VFMADD231PS Z19, Z24, Z3 \
	VFMADD231PS Z20, Z24, Z4; VFMADD231PS Z21, Z24, Z5; VFMADD231PS Z22, Z24, Z6; VFMADD231PS Z23, Z24, Z7 \
	VFMADD231PS Z16, Z25, Z8; VFMADD231PS Z17, Z25, Z9; VFMADD231PS Z18, Z25, Z10; VFMADD231PS Z19, Z25, Z11 \
	VFMADD231PS Z20, Z25, Z12; VFMADD231PS Z21, Z25, Z13; VFMADD231PS Z22, Z25, Z14; VFMADD231PS Z23, Z25, Z15

#define TILE8_LOAD(LOAD) \
	LOAD((DI), Z16); LOAD((DI)(R8*1), Z17); LOAD((DI)(R8*2), Z18); LOAD((DI)(R10*1), Z19) \
	LOAD((R13), Z20); LOAD((R13)(R8*1), Z21); LOAD((R13)(R8*2), Z22); LOAD((R13)(R10*1), Z23) \
	VMOVUPS (SI), Z24; VMOVUPS (SI)(DX*1), Z25

#define TILE8_SETUP \
	SHLQ $2, DX \
	SHLQ $2, R11 \
	LEAQ (R8)(R8*2), R10 \
	LEAQ (DI)(R8*4), R13 \
	ZERO16

// TILE8_EPILOGUE writes token 0's 8 sums to out, token 1's to out + ldo.
#define TILE8_EPILOGUE \
	REDUCE16 \
	VEXTRACTF32X8 $1, Z0, Y1 \
	TESTQ AX, AX \
	JZ 3(PC) \
	VADDPS (BX), Y0, Y0 \
	VADDPS (BX)(R11*1), Y1, Y1 \
	VMOVUPS Y0, (BX) \
	VMOVUPS Y1, (BX)(R11*1) \
	VZEROUPPER \
	RET

// func tile8F32AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tile8F32AVX512(SB), NOSPLIT, $0-57
	TILE_ARGS
	TILE8_SETUP
	TESTQ CX, CX
	JZ    t8f32done
t8f32loop:
	TILE8_LOAD(LOAD_F32)
	TILE8_FMA
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R13
	SUBQ $16, CX
	JNZ  t8f32loop
t8f32done:
	TILE8_EPILOGUE

// ---- 3×8 tiles: out[m·ldo+n] (+)= x_m · w_n, m < 3, n < 8 ----
// With eight weight rows per tile, few activation rows stream from L2 per
// round while the weight rows (one column chunk, in L1) are reused.
// Registers: activation rows 0..2 at SI, SI + D, SI + 2D (D in DX, their
// stride); weight rows 0..3 at DI and 4..7 at R13, offsets {0, L, 2L, 3L}
// with L (R8) and 3L (R10); accumulator (m, n) is Z(8m+n), Z0..Z23. Each
// weight vector is loaded once (Z27 and Z28 in turn) and meets all three
// activation rows: eleven loads for 24 FMAs, where a 2×8 tile (two
// activation rows, weights loaded into eight registers) takes ten for 16.
// GPT-2 small's prefill products (512 rows, 12 layers of weights, the two
// tiles in alternate rounds of one process, Intel Xeon): one thread 68.6
// → 73.7 and 107.6 → 114.2 GFLOP/s, two threads 149.0 → 166.4; f16 weights
// (widened, then these tiles) 113.8 → 118.6 at one thread.

#define TILE3x8_SETUP \
	TILE8_SETUP \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23

// TILE3x8_ROUND is one round of 16 columns.
#define TILE3x8_ROUND \
	VMOVUPS (SI), Z24; VMOVUPS (SI)(DX*1), Z25; VMOVUPS (SI)(DX*2), Z26 \
	VMOVUPS (DI), Z27; VFMADD231PS Z27, Z24, Z0; VFMADD231PS Z27, Z25, Z8; VFMADD231PS Z27, Z26, Z16 \
	VMOVUPS (DI)(R8*1), Z28; VFMADD231PS Z28, Z24, Z1; VFMADD231PS Z28, Z25, Z9; VFMADD231PS Z28, Z26, Z17 \
	VMOVUPS (DI)(R8*2), Z27; VFMADD231PS Z27, Z24, Z2; VFMADD231PS Z27, Z25, Z10; VFMADD231PS Z27, Z26, Z18 \
	VMOVUPS (DI)(R10*1), Z28; VFMADD231PS Z28, Z24, Z3; VFMADD231PS Z28, Z25, Z11; VFMADD231PS Z28, Z26, Z19 \
	VMOVUPS (R13), Z27; VFMADD231PS Z27, Z24, Z4; VFMADD231PS Z27, Z25, Z12; VFMADD231PS Z27, Z26, Z20 \
	VMOVUPS (R13)(R8*1), Z28; VFMADD231PS Z28, Z24, Z5; VFMADD231PS Z28, Z25, Z13; VFMADD231PS Z28, Z26, Z21 \
	VMOVUPS (R13)(R8*2), Z27; VFMADD231PS Z27, Z24, Z6; VFMADD231PS Z27, Z25, Z14; VFMADD231PS Z27, Z26, Z22 \
	VMOVUPS (R13)(R10*1), Z28; VFMADD231PS Z28, Z24, Z7; VFMADD231PS Z28, Z25, Z15; VFMADD231PS Z28, Z26, Z23

// func tile3x8F32AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
//
// The epilogue reduces rows 0 and 1 (Z0..Z15) with REDUCE16, which uses
// Z16..Z31 as scratch, so row 2's accumulators wait on the stack and are
// then reduced the same way with zeros beside them: every sum is the tree
// of its own accumulator's lanes, as in every other kernel.
TEXT ·tile3x8F32AVX512(SB), NOSPLIT, $512-57
	TILE_ARGS
	TILE3x8_SETUP
	TESTQ CX, CX
	JZ    t38done
t38loop:
	TILE3x8_ROUND
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R13
	SUBQ $16, CX
	JNZ  t38loop
t38done:
	VMOVUPS Z16, 0(SP); VMOVUPS Z17, 64(SP); VMOVUPS Z18, 128(SP); VMOVUPS Z19, 192(SP)
	VMOVUPS Z20, 256(SP); VMOVUPS Z21, 320(SP); VMOVUPS Z22, 384(SP); VMOVUPS Z23, 448(SP)
	REDUCE16
	VEXTRACTF32X8 $1, Z0, Y1
	TESTQ AX, AX
	JZ 3(PC)
	VADDPS (BX), Y0, Y0
	VADDPS (BX)(R11*1), Y1, Y1
	VMOVUPS Y0, (BX)
	VMOVUPS Y1, (BX)(R11*1)
	VMOVUPS 0(SP), Z0; VMOVUPS 64(SP), Z1; VMOVUPS 128(SP), Z2; VMOVUPS 192(SP), Z3
	VMOVUPS 256(SP), Z4; VMOVUPS 320(SP), Z5; VMOVUPS 384(SP), Z6; VMOVUPS 448(SP), Z7
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15
	REDUCE16
	LEAQ (BX)(R11*2), BX
	TESTQ AX, AX
	JZ 2(PC)
	VADDPS (BX), Y0, Y0
	VMOVUPS Y0, (BX)
	VZEROUPPER
	RET

// Q8_ROW widens one q8_0 block of 32 weights at addr (a 2-byte f16 scale
// d, then 32 int8) to d·q in Z24 (columns 0..15) and Z25 (16..31).
#define Q8_ROW(addr, addr2, addr18) \
	VPBROADCASTW addr, Y26 \
	VCVTPH2PS Y26, Z26 \
	VPMOVSXBD addr2, Z24 \
	VPMOVSXBD addr18, Z25 \
	VCVTDQ2PS Z24, Z24 \
	VCVTDQ2PS Z25, Z25 \
	VMULPS Z26, Z24, Z24 \
	VMULPS Z26, Z25, Z25

// func tileQ8AVX512(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileQ8AVX512(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ ldx+16(FP), DX
	MOVQ w+24(FP), DI
	MOVQ ldw+32(FP), R8
	MOVQ out+40(FP), BX
	MOVQ ldo+48(FP), R11
	SHLQ $2, R11
	MOVBQZX add+56(FP), AX
	TILE_SETUP
	TESTQ CX, CX
	JZ    tq8done
tq8loop:
	VMOVUPS (SI), Z16; VMOVUPS 64(SI), Z17
	VMOVUPS (SI)(DX*1), Z18; VMOVUPS 64(SI)(DX*1), Z19
	VMOVUPS (SI)(DX*2), Z20; VMOVUPS 64(SI)(DX*2), Z21
	VMOVUPS (SI)(R9*1), Z22; VMOVUPS 64(SI)(R9*1), Z23
	Q8_ROW((DI), 2(DI), 18(DI))
	VFMADD231PS Z24, Z16, Z0; VFMADD231PS Z25, Z17, Z0
	VFMADD231PS Z24, Z18, Z4; VFMADD231PS Z25, Z19, Z4
	VFMADD231PS Z24, Z20, Z8; VFMADD231PS Z25, Z21, Z8
	VFMADD231PS Z24, Z22, Z12; VFMADD231PS Z25, Z23, Z12
	Q8_ROW((DI)(R8*1), 2(DI)(R8*1), 18(DI)(R8*1))
	VFMADD231PS Z24, Z16, Z1; VFMADD231PS Z25, Z17, Z1
	VFMADD231PS Z24, Z18, Z5; VFMADD231PS Z25, Z19, Z5
	VFMADD231PS Z24, Z20, Z9; VFMADD231PS Z25, Z21, Z9
	VFMADD231PS Z24, Z22, Z13; VFMADD231PS Z25, Z23, Z13
	Q8_ROW((DI)(R8*2), 2(DI)(R8*2), 18(DI)(R8*2))
	VFMADD231PS Z24, Z16, Z2; VFMADD231PS Z25, Z17, Z2
	VFMADD231PS Z24, Z18, Z6; VFMADD231PS Z25, Z19, Z6
	VFMADD231PS Z24, Z20, Z10; VFMADD231PS Z25, Z21, Z10
	VFMADD231PS Z24, Z22, Z14; VFMADD231PS Z25, Z23, Z14
	Q8_ROW((DI)(R10*1), 2(DI)(R10*1), 18(DI)(R10*1))
	VFMADD231PS Z24, Z16, Z3; VFMADD231PS Z25, Z17, Z3
	VFMADD231PS Z24, Z18, Z7; VFMADD231PS Z25, Z19, Z7
	VFMADD231PS Z24, Z20, Z11; VFMADD231PS Z25, Z21, Z11
	VFMADD231PS Z24, Z22, Z15; VFMADD231PS Z25, Z23, Z15
	ADDQ $128, SI
	ADDQ $34, DI
	SUBQ $32, CX
	JNZ  tq8loop
tq8done:
	TILE_EPILOGUE

// ---- 16 rows: out[n] = x · w_n ----
// Registers: X (SI), P (DI) rows 0..7 and Q (R11) rows 8..15, L (R8),
// L3 (R10), L5 (R12), L7 (R13), CX columns left, BX out. The weights stream
// from memory (decode). The q8_0 kernel computes slowly enough per byte
// that the hardware prefetcher falls behind, so each of its rounds also
// prefetches the next 16 rows, which follow these in memory, at the rate
// the round reads (R14); for f32 and f16 a prefetch measured slower.

#define ROWS_SETUP \
	ROW_POINTERS \
	ZERO16

// ROWS_STORE reduces the accumulators into out: set, or added to with AX.
#define ROWS_STORE \
	REDUCE16 \
	TESTQ AX, AX \
	JZ 2(PC) \
	VADDPS (BX), Z0, Z0 \
	VMOVUPS Z0, (BX)

#define ROWS_ZERO ZERO16

// ROWS_LOAD loads the 16 weight chunks at the row pointers into Z16..Z31.
#define ROWS_LOAD(LOAD) \
	LOAD((DI), Z16); LOAD((DI)(R8*1), Z17); LOAD((DI)(R8*2), Z18); LOAD((DI)(R10*1), Z19) \
	LOAD((DI)(R8*4), Z20); LOAD((DI)(R12*1), Z21); LOAD((DI)(R10*2), Z22); LOAD((DI)(R13*1), Z23) \
	LOAD((R11), Z24); LOAD((R11)(R8*1), Z25); LOAD((R11)(R8*2), Z26); LOAD((R11)(R10*1), Z27) \
	LOAD((R11)(R8*4), Z28); LOAD((R11)(R12*1), Z29); LOAD((R11)(R10*2), Z30); LOAD((R11)(R13*1), Z31)

// func rowsF32AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF32AVX512(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rf32done
rf32chunk:
	ROWS_CHUNK
rf32loop:
	VMOVUPS (SI), Z31
	VFMADD231PS (DI), Z31, Z0
	VFMADD231PS (DI)(R8*1), Z31, Z1
	VFMADD231PS (DI)(R8*2), Z31, Z2
	VFMADD231PS (DI)(R10*1), Z31, Z3
	VFMADD231PS (DI)(R8*4), Z31, Z4
	VFMADD231PS (DI)(R12*1), Z31, Z5
	VFMADD231PS (DI)(R10*2), Z31, Z6
	VFMADD231PS (DI)(R13*1), Z31, Z7
	VFMADD231PS (R11), Z31, Z8
	VFMADD231PS (R11)(R8*1), Z31, Z9
	VFMADD231PS (R11)(R8*2), Z31, Z10
	VFMADD231PS (R11)(R10*1), Z31, Z11
	VFMADD231PS (R11)(R8*4), Z31, Z12
	VFMADD231PS (R11)(R12*1), Z31, Z13
	VFMADD231PS (R11)(R10*2), Z31, Z14
	VFMADD231PS (R11)(R13*1), Z31, Z15
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R11
	SUBQ $16, DX
	JNZ  rf32loop
	ROWS_NEXT(rf32chunk, rf32done)
rf32done:
	ROWS_EPILOGUE

// The f16 and bf16 row kernels convert all 16 chunks into Z16..Z31, which
// leaves no register for x: the FMAs take x from memory (it stays in L1).
#define ROWS_FMA16_MEM \
	VFMADD231PS (SI), Z16, Z0; VFMADD231PS (SI), Z17, Z1; VFMADD231PS (SI), Z18, Z2; VFMADD231PS (SI), Z19, Z3 \
	VFMADD231PS (SI), Z20, Z4; VFMADD231PS (SI), Z21, Z5; VFMADD231PS (SI), Z22, Z6; VFMADD231PS (SI), Z23, Z7 \
	VFMADD231PS (SI), Z24, Z8; VFMADD231PS (SI), Z25, Z9; VFMADD231PS (SI), Z26, Z10; VFMADD231PS (SI), Z27, Z11 \
	VFMADD231PS (SI), Z28, Z12; VFMADD231PS (SI), Z29, Z13; VFMADD231PS (SI), Z30, Z14; VFMADD231PS (SI), Z31, Z15

// func rowsF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF16AVX512(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rf16done
rf16chunk:
	ROWS_CHUNK
rf16loop:
	ROWS_LOAD(LOAD_F16)
	ROWS_FMA16_MEM
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $32, R11
	SUBQ $16, DX
	JNZ  rf16loop
	ROWS_NEXT(rf16chunk, rf16done)
rf16done:
	ROWS_EPILOGUE

// func rowsBF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsBF16AVX512(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rbf16done
rbf16chunk:
	ROWS_CHUNK
rbf16loop:
	ROWS_LOAD(LOAD_BF16)
	ROWS_FMA16_MEM
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $32, R11
	SUBQ $16, DX
	JNZ  rbf16loop
	ROWS_NEXT(rbf16chunk, rbf16done)
rbf16done:
	ROWS_EPILOGUE

// FAR4 is a whole 4-row kernel (the row kernels' arguments): it computes
// the row kernel's sums for 4 weight rows at a stride of R8
// (R10 = 3·R8), loaded with LOAD: Z0..Z3 hold them as the 16-row kernels'
// Z0..Z3 would, and REDUCE16 with Z4..Z15 zero gives the same 4 sums, in X0.
// Each round prefetches the four streams ahead bytes ahead (FAR4_PREFETCH).
#define FAR4(LOAD, step, ahead, chunk, loop, done) \
	ROWS_ARGS \
	LEAQ (R8)(R8*2), R10 \
	ZERO16 \
	TESTQ CX, CX \
	JZ    done \
chunk: \
	ROWS_CHUNK \
loop: \
	FAR4_PREFETCH(ahead) \
	VMOVUPS (SI), Z31 \
	LOAD((DI), Z16); LOAD((DI)(R8*1), Z17); LOAD((DI)(R8*2), Z18); LOAD((DI)(R10*1), Z19) \
	VFMADD231PS Z31, Z16, Z0; VFMADD231PS Z31, Z17, Z1; VFMADD231PS Z31, Z18, Z2; VFMADD231PS Z31, Z19, Z3 \
	ADDQ $64, SI \
	ADDQ $step, DI \
	SUBQ $16, DX \
	JNZ  loop \
	TESTQ CX, CX \
	JZ done \
	FAR4_STORE \
	MOVQ $1, AX \
	ZERO16 \
	JMP chunk \
done: \
	FAR4_STORE \
	VZEROUPPER \
	RET

// FAR4_STORE reduces Z0..Z3 into out's 4 floats: set, or added to with AX.
#define FAR4_STORE \
	VPXORD Z4, Z4, Z4; VPXORD Z5, Z5, Z5; VPXORD Z6, Z6, Z6; VPXORD Z7, Z7, Z7 \
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11 \
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15 \
	REDUCE16 \
	TESTQ AX, AX \
	JZ 2(PC) \
	VADDPS (BX), X0, X0 \
	VMOVUPS X0, (BX)

// func far4F32AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·far4F32AVX512(SB), NOSPLIT, $0-41
	FAR4(LOAD_F32, 64, 1024, ff32chunk, ff32loop, ff32done)

// func far4F16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
//
// 2 KiB ahead (f32: 1 KiB). Reading 400 MB at two threads, 1 and 2 KiB were
// level (60–63 GB/s) and 3–4 KiB slower (53–57); in decode, paired rounds in
// one process, 2 KiB 218–233 tok/s against 198–225 for 1 KiB.
TEXT ·far4F16AVX512(SB), NOSPLIT, $0-41
	FAR4(LOAD_F16, 32, 2048, ff16chunk, ff16loop, ff16done)

// func far4BF16AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·far4BF16AVX512(SB), NOSPLIT, $0-41
	FAR4(LOAD_BF16, 32, 2048, ffbf16chunk, ffbf16loop, ffbf16done)

// Q8_ROWS_ONE widens one row's block and adds it against x (Z16 columns
// 0..15, Z17 columns 16..31) into accumulator z.
#define Q8_ROWS_ONE(addr, addr2, addr18, z) \
	Q8_ROW(addr, addr2, addr18) \
	VFMADD231PS Z24, Z16, z \
	VFMADD231PS Z25, Z17, z

// func rowsQ8AVX512(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsQ8AVX512(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rq8done
rq8chunk:
	ROWS_CHUNK
rq8loop:
	PREFETCH_Q8_GROUP
	VMOVUPS (SI), Z16
	VMOVUPS 64(SI), Z17
	Q8_ROWS_ONE((DI), 2(DI), 18(DI), Z0)
	Q8_ROWS_ONE((DI)(R8*1), 2(DI)(R8*1), 18(DI)(R8*1), Z1)
	Q8_ROWS_ONE((DI)(R8*2), 2(DI)(R8*2), 18(DI)(R8*2), Z2)
	Q8_ROWS_ONE((DI)(R10*1), 2(DI)(R10*1), 18(DI)(R10*1), Z3)
	Q8_ROWS_ONE((DI)(R8*4), 2(DI)(R8*4), 18(DI)(R8*4), Z4)
	Q8_ROWS_ONE((DI)(R12*1), 2(DI)(R12*1), 18(DI)(R12*1), Z5)
	Q8_ROWS_ONE((DI)(R10*2), 2(DI)(R10*2), 18(DI)(R10*2), Z6)
	Q8_ROWS_ONE((DI)(R13*1), 2(DI)(R13*1), 18(DI)(R13*1), Z7)
	Q8_ROWS_ONE((R11), 2(R11), 18(R11), Z8)
	Q8_ROWS_ONE((R11)(R8*1), 2(R11)(R8*1), 18(R11)(R8*1), Z9)
	Q8_ROWS_ONE((R11)(R8*2), 2(R11)(R8*2), 18(R11)(R8*2), Z10)
	Q8_ROWS_ONE((R11)(R10*1), 2(R11)(R10*1), 18(R11)(R10*1), Z11)
	Q8_ROWS_ONE((R11)(R8*4), 2(R11)(R8*4), 18(R11)(R8*4), Z12)
	Q8_ROWS_ONE((R11)(R12*1), 2(R11)(R12*1), 18(R11)(R12*1), Z13)
	Q8_ROWS_ONE((R11)(R10*2), 2(R11)(R10*2), 18(R11)(R10*2), Z14)
	Q8_ROWS_ONE((R11)(R13*1), 2(R11)(R13*1), 18(R11)(R13*1), Z15)
	ADDQ $128, SI
	ADDQ $34, DI
	ADDQ $34, R11
	SUBQ $32, DX
	JNZ  rq8loop
	ROWS_NEXT(rq8chunk, rq8done)
rq8done:
	ROWS_EPILOGUE

// ---- one dot product ----





// func oneF32AVX512(k int, x *float32, w *byte) float32
TEXT ·oneF32AVX512(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ    of32done
of32loop:
	VMOVUPS (DI), Z16
	VFMADD231PS (SI), Z16, Z0
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNZ  of32loop
of32done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneF16AVX512(k int, x *float32, w *byte) float32
TEXT ·oneF16AVX512(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ    of16done
of16loop:
	LOAD_F16((DI), Z16)
	VFMADD231PS (SI), Z16, Z0
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $16, CX
	JNZ  of16loop
of16done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneBF16AVX512(k int, x *float32, w *byte) float32
TEXT ·oneBF16AVX512(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ    obf16done
obf16loop:
	LOAD_BF16((DI), Z16)
	VFMADD231PS (SI), Z16, Z0
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $16, CX
	JNZ  obf16loop
obf16done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneQ8AVX512(k int, x *float32, w *byte) float32
TEXT ·oneQ8AVX512(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VPXORD Z0, Z0, Z0
	TESTQ CX, CX
	JZ    oq8done
oq8loop:
	VMOVUPS (SI), Z16
	VMOVUPS 64(SI), Z17
	Q8_ROWS_ONE((DI), 2(DI), 18(DI), Z0)
	ADDQ $128, SI
	ADDQ $34, DI
	SUBQ $32, CX
	JNZ  oq8loop
oq8done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// ---- widening a weight row chunk to float32 (for tiles of f32 weights) ----

// func widenF16AVX512(k int, src *byte, dst *float32)
TEXT ·widenF16AVX512(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	TESTQ CX, CX
	JZ    wf16done
wf16loop:
	VCVTPH2PS (SI), Z0
	VMOVUPS Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNZ  wf16loop
wf16done:
	VZEROUPPER
	RET

// func widenBF16AVX512(k int, src *byte, dst *float32)
TEXT ·widenBF16AVX512(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	TESTQ CX, CX
	JZ    wbf16done
wbf16loop:
	LOAD_BF16((SI), Z0)
	VMOVUPS Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JNZ  wbf16loop
wbf16done:
	VZEROUPPER
	RET

// func widenQ8AVX512(k int, src *byte, dst *float32)
TEXT ·widenQ8AVX512(SB), NOSPLIT, $0-24
	MOVQ k+0(FP), CX
	MOVQ src+8(FP), DI
	MOVQ dst+16(FP), SI
	TESTQ CX, CX
	JZ    wq8done
wq8loop:
	Q8_ROW((DI), 2(DI), 18(DI))
	VMOVUPS Z24, (SI)
	VMOVUPS Z25, 64(SI)
	ADDQ $34, DI
	ADDQ $128, SI
	SUBQ $32, CX
	JNZ  wq8loop
wq8done:
	VZEROUPPER
	RET
