//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"
#include "load_avx2_amd64.h"

// AVX2 dot-product kernels (with FMA and F16C). As in the AVX-512 file,
// each dot product has one accumulator, here of 8 lanes: lane j sums
// columns j, j+8, j+16, ... in order (q8_0: per block, column 8c+j for
// c = 0..3), and the lanes are added by one fixed tree, t[i] = s[i]+s[i+4],
// u[i] = t[i]+t[i+2], sum = u[0]+u[1], in every kernel.

// REDUCE8 adds the lanes of each of Y0..Y7 by the tree and leaves the 8
// sums, in order, in Y0. Clobbers Y8..Y15.
#define REDUCE8 \
	VPERM2F128 $0x20, Y1, Y0, Y8; VPERM2F128 $0x31, Y1, Y0, Y9; VADDPS Y9, Y8, Y8 \
	VPERM2F128 $0x20, Y3, Y2, Y9; VPERM2F128 $0x31, Y3, Y2, Y10; VADDPS Y10, Y9, Y9 \
	VPERM2F128 $0x20, Y5, Y4, Y10; VPERM2F128 $0x31, Y5, Y4, Y11; VADDPS Y11, Y10, Y10 \
	VPERM2F128 $0x20, Y7, Y6, Y11; VPERM2F128 $0x31, Y7, Y6, Y12; VADDPS Y12, Y11, Y11 \
	VSHUFPS $0x44, Y9, Y8, Y12; VSHUFPS $0xEE, Y9, Y8, Y13; VADDPS Y13, Y12, Y12 \
	VSHUFPS $0x44, Y11, Y10, Y13; VSHUFPS $0xEE, Y11, Y10, Y14; VADDPS Y14, Y13, Y13 \
	VSHUFPS $0x88, Y13, Y12, Y14; VSHUFPS $0xDD, Y13, Y12, Y15; VADDPS Y15, Y14, Y14 \
	VMOVDQU reduceOrder8<>(SB), Y15 \
	VPERMPS Y14, Y15, Y0

// REDUCE1 adds the lanes of Y0 by the same tree into X0's lowest lane.
#define REDUCE1 \
	VEXTRACTF128 $1, Y0, X1; VADDPS X1, X0, X0 \
	VSHUFPS $0xEE, X0, X0, X1; VADDPS X1, X0, X0 \
	VSHUFPS $0x55, X0, X0, X1; VADDSS X1, X0, X0

#define ZERO8 \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7

// reduceOrder8 puts the tree's output lanes (4L+j holds sum 2j+L) in order.
DATA reduceOrder8<>+0(SB)/4, $0
DATA reduceOrder8<>+4(SB)/4, $4
DATA reduceOrder8<>+8(SB)/4, $1
DATA reduceOrder8<>+12(SB)/4, $5
DATA reduceOrder8<>+16(SB)/4, $2
DATA reduceOrder8<>+20(SB)/4, $6
DATA reduceOrder8<>+24(SB)/4, $3
DATA reduceOrder8<>+28(SB)/4, $7
GLOBL reduceOrder8<>(SB), RODATA|NOPTR, $32

// ---- 2×4 tiles: out[m·ldo+n] (+)= x_m · w_n ----
// Registers: X (SI) activation row 0, D (DX) its stride in bytes, P (DI)
// weight row 0, L (R8) weight stride, L3 (R10) = 3·L, CX columns left,
// BX out, R11 output stride in bytes, AX add. Accumulator (m, n) is Y(4m+n).

#define TILE_SETUP \
	SHLQ $2, DX \
	SHLQ $2, R11 \
	LEAQ (R8)(R8*2), R10 \
	ZERO8

#define TILE_FMA8 \
	VFMADD231PS Y10, Y8, Y0; VFMADD231PS Y11, Y8, Y1; VFMADD231PS Y12, Y8, Y2; VFMADD231PS Y13, Y8, Y3 \
	VFMADD231PS Y10, Y9, Y4; VFMADD231PS Y11, Y9, Y5; VFMADD231PS Y12, Y9, Y6; VFMADD231PS Y13, Y9, Y7

// TILE_EPILOGUE writes token m's 4 sums to out + m·ldo floats.
#define TILE_EPILOGUE \
	REDUCE8 \
	VEXTRACTF128 $1, Y0, X1 \
	TESTQ AX, AX \
	JZ 3(PC) \
	VADDPS (BX), X0, X0 \
	VADDPS (BX)(R11*1), X1, X1 \
	VMOVUPS X0, (BX) \
	VMOVUPS X1, (BX)(R11*1) \
	VZEROUPPER \
	RET

// func tileF32AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileF32AVX2(SB), NOSPLIT, $0-57
	TILE_ARGS
	TILE_SETUP
	TESTQ CX, CX
	JZ    tf32done
tf32loop:
	LOAD_F32((DI), Y10)
	LOAD_F32((DI)(R8*1), Y11)
	LOAD_F32((DI)(R8*2), Y12)
	LOAD_F32((DI)(R10*1), Y13)
	VMOVUPS (SI), Y8
	VMOVUPS (SI)(DX*1), Y9
	TILE_FMA8
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  tf32loop
tf32done:
	TILE_EPILOGUE

// func tileF16AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileF16AVX2(SB), NOSPLIT, $0-57
	TILE_ARGS
	TILE_SETUP
	TESTQ CX, CX
	JZ    tf16done
tf16loop:
	LOAD_F16((DI), Y10)
	LOAD_F16((DI)(R8*1), Y11)
	LOAD_F16((DI)(R8*2), Y12)
	LOAD_F16((DI)(R10*1), Y13)
	VMOVUPS (SI), Y8
	VMOVUPS (SI)(DX*1), Y9
	TILE_FMA8
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ  tf16loop
tf16done:
	TILE_EPILOGUE

// func tileBF16AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileBF16AVX2(SB), NOSPLIT, $0-57
	TILE_ARGS
	TILE_SETUP
	TESTQ CX, CX
	JZ    tbf16done
tbf16loop:
	LOAD_BF16((DI), Y10)
	LOAD_BF16((DI)(R8*1), Y11)
	LOAD_BF16((DI)(R8*2), Y12)
	LOAD_BF16((DI)(R10*1), Y13)
	VMOVUPS (SI), Y8
	VMOVUPS (SI)(DX*1), Y9
	TILE_FMA8
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ  tbf16loop
tbf16done:
	TILE_EPILOGUE

// Q8_CHUNK widens 8 int8 at addr to float32 times the scale in d, into y.
#define Q8_CHUNK(addr, d, y) \
	VPMOVSXBD addr, y \
	VCVTDQ2PS y, y \
	VMULPS d, y, y

// Q8_SCALE broadcasts the f16 scale at addr into y as float32.
#define Q8_SCALE(addr, y) \
	VPBROADCASTW addr, X15 \
	VCVTPH2PS X15, y

// Q8_TILE_CHUNK does columns 8c..8c+7 of a block (byte offset off = 2+8c)
// for both tokens (x chunks at xoff) against the 4 rows, scales in Y10..Y13.
#define Q8_TILE_CHUNK(off, xoff) \
	VMOVUPS xoff(SI), Y8 \
	VMOVUPS xoff(SI)(DX*1), Y9 \
	Q8_CHUNK(off(DI), Y10, Y14) \
	VFMADD231PS Y14, Y8, Y0; VFMADD231PS Y14, Y9, Y4 \
	Q8_CHUNK(off(DI)(R8*1), Y11, Y14) \
	VFMADD231PS Y14, Y8, Y1; VFMADD231PS Y14, Y9, Y5 \
	Q8_CHUNK(off(DI)(R8*2), Y12, Y14) \
	VFMADD231PS Y14, Y8, Y2; VFMADD231PS Y14, Y9, Y6 \
	Q8_CHUNK(off(DI)(R10*1), Y13, Y14) \
	VFMADD231PS Y14, Y8, Y3; VFMADD231PS Y14, Y9, Y7

// func tileQ8AVX2(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileQ8AVX2(SB), NOSPLIT, $0-57
	TILE_ARGS
	TILE_SETUP
	TESTQ CX, CX
	JZ    tq8done
tq8loop:
	Q8_SCALE((DI), Y10)
	Q8_SCALE((DI)(R8*1), Y11)
	Q8_SCALE((DI)(R8*2), Y12)
	Q8_SCALE((DI)(R10*1), Y13)
	Q8_TILE_CHUNK(2, 0)
	Q8_TILE_CHUNK(10, 32)
	Q8_TILE_CHUNK(18, 64)
	Q8_TILE_CHUNK(26, 96)
	ADDQ $128, SI
	ADDQ $34, DI
	SUBQ $32, CX
	JNZ  tq8loop
tq8done:
	TILE_EPILOGUE

// ---- 8 rows: out[n] (+)= x · w_n ----
// Registers: X (SI), P (DI) rows 0..7 at P + {0, L, 2L, 3L, 4L, 5L, 6L,
// 7L} with L (R8), L3 (R10), L5 (R12), L7 (R13); CX columns left, BX
// out, AX add.

#define ROWS_SETUP \
	LEAQ (R8)(R8*2), R10 \
	LEAQ (R8)(R8*4), R12 \
	LEAQ (R10)(R8*4), R13 \
	ZERO8

// ROWS_STORE reduces the accumulators into out: set, or added to with AX.
#define ROWS_STORE \
	REDUCE8 \
	TESTQ AX, AX \
	JZ 2(PC) \
	VADDPS (BX), Y0, Y0 \
	VMOVUPS Y0, (BX)

#define ROWS_ZERO ZERO8

// ROWS_CONV widens the 8 rows' chunks with LOAD and multiplies them by
// the x chunk in Y8.
#define ROWS_CONV(LOAD) \
	LOAD((DI), Y9); VFMADD231PS Y9, Y8, Y0 \
	LOAD((DI)(R8*1), Y10); VFMADD231PS Y10, Y8, Y1 \
	LOAD((DI)(R8*2), Y11); VFMADD231PS Y11, Y8, Y2 \
	LOAD((DI)(R10*1), Y12); VFMADD231PS Y12, Y8, Y3 \
	LOAD((DI)(R8*4), Y13); VFMADD231PS Y13, Y8, Y4 \
	LOAD((DI)(R12*1), Y14); VFMADD231PS Y14, Y8, Y5 \
	LOAD((DI)(R10*2), Y15); VFMADD231PS Y15, Y8, Y6 \
	LOAD((DI)(R13*1), Y9); VFMADD231PS Y9, Y8, Y7

// func rowsF32AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF32AVX2(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rf32done
rf32chunk:
	ROWS_CHUNK
rf32loop:
	VMOVUPS (SI), Y8
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS (DI)(R8*1), Y8, Y1
	VFMADD231PS (DI)(R8*2), Y8, Y2
	VFMADD231PS (DI)(R10*1), Y8, Y3
	VFMADD231PS (DI)(R8*4), Y8, Y4
	VFMADD231PS (DI)(R12*1), Y8, Y5
	VFMADD231PS (DI)(R10*2), Y8, Y6
	VFMADD231PS (DI)(R13*1), Y8, Y7
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, DX
	JNZ  rf32loop
	ROWS_NEXT(rf32chunk, rf32done)
rf32done:
	ROWS_EPILOGUE

// FAR4 is a whole 4-row kernel (the row kernels' arguments): it computes
// the row kernel's sums for 4 weight rows at a stride of R8
// (R10 = 3·R8), loaded with LOAD: Y0..Y3 hold them as the 8-row kernels'
// Y0..Y3 would, and REDUCE8 with Y4..Y7 zero gives the same 4 sums, in X0.
// Each round prefetches the four streams ahead bytes ahead (FAR4_PREFETCH).
#define FAR4(LOAD, step, ahead, chunk, loop, done) \
	ROWS_ARGS \
	LEAQ (R8)(R8*2), R10 \
	ZERO8 \
	TESTQ CX, CX \
	JZ    done \
chunk: \
	ROWS_CHUNK \
loop: \
	FAR4_PREFETCH(ahead) \
	VMOVUPS (SI), Y8 \
	LOAD((DI), Y9); VFMADD231PS Y9, Y8, Y0 \
	LOAD((DI)(R8*1), Y10); VFMADD231PS Y10, Y8, Y1 \
	LOAD((DI)(R8*2), Y11); VFMADD231PS Y11, Y8, Y2 \
	LOAD((DI)(R10*1), Y12); VFMADD231PS Y12, Y8, Y3 \
	ADDQ $32, SI \
	ADDQ $step, DI \
	SUBQ $8, DX \
	JNZ  loop \
	TESTQ CX, CX \
	JZ done \
	FAR4_STORE \
	MOVQ $1, AX \
	ZERO8 \
	JMP chunk \
done: \
	FAR4_STORE \
	VZEROUPPER \
	RET

// FAR4_STORE reduces Y0..Y3 into out's 4 floats: set, or added to with AX.
#define FAR4_STORE \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7 \
	REDUCE8 \
	TESTQ AX, AX \
	JZ 2(PC) \
	VADDPS (BX), X0, X0 \
	VMOVUPS X0, (BX)

// func far4F32AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·far4F32AVX2(SB), NOSPLIT, $0-41
	FAR4(LOAD_F32, 32, 1024, ff32chunk, ff32loop, ff32done)

// func far4F16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
//
// 2 KiB ahead (f32: 1 KiB): reading 400 MB, 1 KiB 31–35 GB/s at one thread
// and 60–61 at two, 1.5 KiB 33–37 and 62–64, 2 KiB 35–37 and 66–67.
TEXT ·far4F16AVX2(SB), NOSPLIT, $0-41
	FAR4(LOAD_F16, 16, 2048, ff16chunk, ff16loop, ff16done)

// func far4BF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·far4BF16AVX2(SB), NOSPLIT, $0-41
	FAR4(LOAD_BF16, 16, 2048, ffbf16chunk, ffbf16loop, ffbf16done)

// func rowsF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF16AVX2(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rf16done
rf16chunk:
	ROWS_CHUNK
rf16loop:
	VMOVUPS (SI), Y8
	ROWS_CONV(LOAD_F16)
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, DX
	JNZ  rf16loop
	ROWS_NEXT(rf16chunk, rf16done)
rf16done:
	ROWS_EPILOGUE

// func rowsBF16AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsBF16AVX2(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rbf16done
rbf16chunk:
	ROWS_CHUNK
rbf16loop:
	VMOVUPS (SI), Y8
	ROWS_CONV(LOAD_BF16)
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, DX
	JNZ  rbf16loop
	ROWS_NEXT(rbf16chunk, rbf16done)
rbf16done:
	ROWS_EPILOGUE

// Q8_ROWS_ROW does one row's block (at addr, scale at base) into acc:
// 4 chunks against x chunks Y8, Y9, Y10, Y11.
#define Q8_ROWS_ROW(base, o2, o10, o18, o26, acc) \
	Q8_SCALE(base, Y12) \
	Q8_CHUNK(o2, Y12, Y13); VFMADD231PS Y13, Y8, acc \
	Q8_CHUNK(o10, Y12, Y14); VFMADD231PS Y14, Y9, acc \
	Q8_CHUNK(o18, Y12, Y13); VFMADD231PS Y13, Y10, acc \
	Q8_CHUNK(o26, Y12, Y14); VFMADD231PS Y14, Y11, acc

// func rowsQ8AVX2(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsQ8AVX2(SB), NOSPLIT, $0-41
	ROWS_ARGS
	ROWS_SETUP
	TESTQ CX, CX
	JZ    rq8done
rq8chunk:
	ROWS_CHUNK
rq8loop:
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VMOVUPS 64(SI), Y10
	VMOVUPS 96(SI), Y11
	Q8_ROWS_ROW((DI), 2(DI), 10(DI), 18(DI), 26(DI), Y0)
	Q8_ROWS_ROW((DI)(R8*1), 2(DI)(R8*1), 10(DI)(R8*1), 18(DI)(R8*1), 26(DI)(R8*1), Y1)
	Q8_ROWS_ROW((DI)(R8*2), 2(DI)(R8*2), 10(DI)(R8*2), 18(DI)(R8*2), 26(DI)(R8*2), Y2)
	Q8_ROWS_ROW((DI)(R10*1), 2(DI)(R10*1), 10(DI)(R10*1), 18(DI)(R10*1), 26(DI)(R10*1), Y3)
	Q8_ROWS_ROW((DI)(R8*4), 2(DI)(R8*4), 10(DI)(R8*4), 18(DI)(R8*4), 26(DI)(R8*4), Y4)
	Q8_ROWS_ROW((DI)(R12*1), 2(DI)(R12*1), 10(DI)(R12*1), 18(DI)(R12*1), 26(DI)(R12*1), Y5)
	Q8_ROWS_ROW((DI)(R10*2), 2(DI)(R10*2), 10(DI)(R10*2), 18(DI)(R10*2), 26(DI)(R10*2), Y6)
	Q8_ROWS_ROW((DI)(R13*1), 2(DI)(R13*1), 10(DI)(R13*1), 18(DI)(R13*1), 26(DI)(R13*1), Y7)
	ADDQ $128, SI
	ADDQ $34, DI
	SUBQ $32, DX
	JNZ  rq8loop
	ROWS_NEXT(rq8chunk, rq8done)
rq8done:
	ROWS_EPILOGUE

// ---- one dot product ----

// func oneF32AVX2(k int, x *float32, w *byte) float32
TEXT ·oneF32AVX2(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    of32done
of32loop:
	VMOVUPS (DI), Y8
	VFMADD231PS (SI), Y8, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  of32loop
of32done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneF16AVX2(k int, x *float32, w *byte) float32
TEXT ·oneF16AVX2(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    of16done
of16loop:
	LOAD_F16((DI), Y8)
	VFMADD231PS (SI), Y8, Y0
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ  of16loop
of16done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneBF16AVX2(k int, x *float32, w *byte) float32
TEXT ·oneBF16AVX2(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    obf16done
obf16loop:
	LOAD_BF16((DI), Y8)
	VFMADD231PS (SI), Y8, Y0
	ADDQ $32, SI
	ADDQ $16, DI
	SUBQ $8, CX
	JNZ  obf16loop
obf16done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func oneQ8AVX2(k int, x *float32, w *byte) float32
TEXT ·oneQ8AVX2(SB), NOSPLIT, $0-28
	MOVQ k+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ w+16(FP), DI
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    oq8done
oq8loop:
	VMOVUPS (SI), Y8
	VMOVUPS 32(SI), Y9
	VMOVUPS 64(SI), Y10
	VMOVUPS 96(SI), Y11
	Q8_ROWS_ROW((DI), 2(DI), 10(DI), 18(DI), 26(DI), Y0)
	ADDQ $128, SI
	ADDQ $34, DI
	SUBQ $32, CX
	JNZ  oq8loop
oq8done:
	REDUCE1
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET
