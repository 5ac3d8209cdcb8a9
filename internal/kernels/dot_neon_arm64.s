//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON dot-product kernels. Each dot product has one accumulator of 4
// lanes: lane j sums columns j, j+4, j+8, ... in order (q8_0: per block,
// column 4c+j for c = 0..7). The lanes are added as (s0+s1)+(s2+s3) by
// FADDP in every kernel, so the tile, row and single kernels agree bit
// for bit.

#define ZERO4(a, b, c, d) \
	VEOR a.B16, a.B16, a.B16; VEOR b.B16, b.B16, b.B16; VEOR c.B16, c.B16, c.B16; VEOR d.B16, d.B16, d.B16

// SUM4 leaves in register d the sums of the accumulators a, b, c, e
// (register numbers), in that order. Clobbers t.
#define SUM4(d, a, b, c, e, t) \
	FADDP4S(d, a, b) \
	FADDP4S(t, c, e) \
	FADDP4S(d, d, t)

// ---- 4×4 tiles: out[m·ldo+n] (+)= x_m · w_n ----
// R1..R4 activation rows, R11..R14 weight rows, R0 columns left, R5 out,
// R6 output stride in bytes, R7 add. Accumulator (m, n) is V(4m+n).

#define TILE_SETUP \
	LSL $2, R2, R2 \
	ADD R2, R1, R8 \
	ADD R2, R8, R9 \
	ADD R2, R9, R10 \
	ADD R4, R3, R12 \
	ADD R4, R12, R13 \
	ADD R4, R13, R14 \
	LSL $2, R6, R6 \
	ZERO4(V0, V1, V2, V3); ZERO4(V4, V5, V6, V7) \
	ZERO4(V8, V9, V10, V11); ZERO4(V12, V13, V14, V15)

// TILE_FMA16 multiplies x chunks V16..V19 by weight chunks V20..V23.
#define TILE_FMA16 \
	VFMLA V20.S4, V16.S4, V0.S4; VFMLA V21.S4, V16.S4, V1.S4; VFMLA V22.S4, V16.S4, V2.S4; VFMLA V23.S4, V16.S4, V3.S4 \
	VFMLA V20.S4, V17.S4, V4.S4; VFMLA V21.S4, V17.S4, V5.S4; VFMLA V22.S4, V17.S4, V6.S4; VFMLA V23.S4, V17.S4, V7.S4 \
	VFMLA V20.S4, V18.S4, V8.S4; VFMLA V21.S4, V18.S4, V9.S4; VFMLA V22.S4, V18.S4, V10.S4; VFMLA V23.S4, V18.S4, V11.S4 \
	VFMLA V20.S4, V19.S4, V12.S4; VFMLA V21.S4, V19.S4, V13.S4; VFMLA V22.S4, V19.S4, V14.S4; VFMLA V23.S4, V19.S4, V15.S4

#define TILE_X \
	VLD1.P 16(R1), [V16.S4]; VLD1.P 16(R8), [V17.S4]; VLD1.P 16(R9), [V18.S4]; VLD1.P 16(R10), [V19.S4]

// TILE_STORE_ROW writes the 4 sums in V(s) to (R5), adding with R7 set,
// and moves R5 to the next output row.
#define TILE_STORE_ROW(s) \
	CBZ R7, 3(PC) \
	VLD1 (R5), [V30.S4] \
	FADD4S(s, s, 30) \
	VST1 [V(s).S4], (R5) \
	ADD R6, R5, R5

#define TILE_EPILOGUE \
	SUM4(24, 0, 1, 2, 3, 28) \
	SUM4(25, 4, 5, 6, 7, 28) \
	SUM4(26, 8, 9, 10, 11, 28) \
	SUM4(27, 12, 13, 14, 15, 28) \
	TILE_STORE_ROW(24) \
	TILE_STORE_ROW(25) \
	TILE_STORE_ROW(26) \
	TILE_STORE_ROW(27) \
	RET

// func tileF32NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileF32NEON(SB), NOSPLIT, $0-57
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD ldx+16(FP), R2
	MOVD w+24(FP), R3
	MOVD ldw+32(FP), R4
	MOVD out+40(FP), R5
	MOVD ldo+48(FP), R6
	MOVBU add+56(FP), R7
	MOVD R3, R11
	TILE_SETUP
	CBZ R0, tf32done
tf32loop:
	VLD1.P 16(R11), [V20.S4]
	VLD1.P 16(R12), [V21.S4]
	VLD1.P 16(R13), [V22.S4]
	VLD1.P 16(R14), [V23.S4]
	TILE_X
	TILE_FMA16
	SUBS $4, R0, R0
	BNE  tf32loop
tf32done:
	TILE_EPILOGUE

// F16_LO/HI and BF16_LO/HI widen the lower or upper four halves of the raw
// weights in V24..V27 into V20..V23.
#define F16_LO FCVTL4S(20, 24); FCVTL4S(21, 25); FCVTL4S(22, 26); FCVTL4S(23, 27)
#define F16_HI FCVTL24S(20, 24); FCVTL24S(21, 25); FCVTL24S(22, 26); FCVTL24S(23, 27)
#define BF16_LO SHLL4S(20, 24); SHLL4S(21, 25); SHLL4S(22, 26); SHLL4S(23, 27)
#define BF16_HI SHLL24S(20, 24); SHLL24S(21, 25); SHLL24S(22, 26); SHLL24S(23, 27)

#define TILE_RAW8 \
	VLD1.P 16(R11), [V24.H8]; VLD1.P 16(R12), [V25.H8]; VLD1.P 16(R13), [V26.H8]; VLD1.P 16(R14), [V27.H8]

// func tileF16NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileF16NEON(SB), NOSPLIT, $0-57
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD ldx+16(FP), R2
	MOVD w+24(FP), R3
	MOVD ldw+32(FP), R4
	MOVD out+40(FP), R5
	MOVD ldo+48(FP), R6
	MOVBU add+56(FP), R7
	MOVD R3, R11
	TILE_SETUP
	CBZ R0, tf16done
tf16loop:
	TILE_RAW8
	F16_LO
	TILE_X
	TILE_FMA16
	F16_HI
	TILE_X
	TILE_FMA16
	SUBS $8, R0, R0
	BNE  tf16loop
tf16done:
	TILE_EPILOGUE

// func tileBF16NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileBF16NEON(SB), NOSPLIT, $0-57
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD ldx+16(FP), R2
	MOVD w+24(FP), R3
	MOVD ldw+32(FP), R4
	MOVD out+40(FP), R5
	MOVD ldo+48(FP), R6
	MOVBU add+56(FP), R7
	MOVD R3, R11
	TILE_SETUP
	CBZ R0, tbf16done
tbf16loop:
	TILE_RAW8
	BF16_LO
	TILE_X
	TILE_FMA16
	BF16_HI
	TILE_X
	TILE_FMA16
	SUBS $8, R0, R0
	BNE  tbf16loop
tbf16done:
	TILE_EPILOGUE

// Q8_WIDEN widens the q8_0 block at R(p) (advancing it by 34) to the 8
// chunks V16..V23 of d·q. Clobbers V24..V29.
#define Q8_WIDEN(p) \
	VLD1R (p), [V24.H8] \
	FCVTL4S(24, 24) \
	ADD $2, p, p \
	VLD1.P 16(p), [V25.B16] \
	VLD1.P 16(p), [V26.B16] \
	SXTL8H(27, 25); SXTL28H(28, 25) \
	SXTL4S(16, 27); SXTL24S(17, 27); SXTL4S(18, 28); SXTL24S(19, 28) \
	SXTL8H(27, 26); SXTL28H(28, 26) \
	SXTL4S(20, 27); SXTL24S(21, 27); SXTL4S(22, 28); SXTL24S(23, 28) \
	SCVTF4S(16, 16); SCVTF4S(17, 17); SCVTF4S(18, 18); SCVTF4S(19, 19) \
	SCVTF4S(20, 20); SCVTF4S(21, 21); SCVTF4S(22, 22); SCVTF4S(23, 23) \
	FMUL4S(16, 16, 24); FMUL4S(17, 17, 24); FMUL4S(18, 18, 24); FMUL4S(19, 19, 24) \
	FMUL4S(20, 20, 24); FMUL4S(21, 21, 24); FMUL4S(22, 22, 24); FMUL4S(23, 23, 24)

// Q8_TOKEN adds the block of one activation row (32 floats at R(x)) times
// the widened weights V16..V23 into accumulator a. Clobbers V24..V27.
#define Q8_TOKEN(x, a) \
	VLD1 (x), [V24.S4, V25.S4, V26.S4, V27.S4] \
	VFMLA V16.S4, V24.S4, a.S4; VFMLA V17.S4, V25.S4, a.S4; VFMLA V18.S4, V26.S4, a.S4; VFMLA V19.S4, V27.S4, a.S4 \
	ADD $64, x, R15 \
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4] \
	VFMLA V20.S4, V24.S4, a.S4; VFMLA V21.S4, V25.S4, a.S4; VFMLA V22.S4, V26.S4, a.S4; VFMLA V23.S4, V27.S4, a.S4

// func tileQ8NEON(k int, x *float32, ldx int, w *byte, ldw int, out *float32, ldo int, add bool)
TEXT ·tileQ8NEON(SB), NOSPLIT, $0-57
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD ldx+16(FP), R2
	MOVD w+24(FP), R3
	MOVD ldw+32(FP), R4
	MOVD out+40(FP), R5
	MOVD ldo+48(FP), R6
	MOVBU add+56(FP), R7
	MOVD R3, R11
	TILE_SETUP
	CBZ R0, tq8done
tq8loop:
	Q8_WIDEN(R11)
	Q8_TOKEN(R1, V0); Q8_TOKEN(R8, V4); Q8_TOKEN(R9, V8); Q8_TOKEN(R10, V12)
	Q8_WIDEN(R12)
	Q8_TOKEN(R1, V1); Q8_TOKEN(R8, V5); Q8_TOKEN(R9, V9); Q8_TOKEN(R10, V13)
	Q8_WIDEN(R13)
	Q8_TOKEN(R1, V2); Q8_TOKEN(R8, V6); Q8_TOKEN(R9, V10); Q8_TOKEN(R10, V14)
	Q8_WIDEN(R14)
	Q8_TOKEN(R1, V3); Q8_TOKEN(R8, V7); Q8_TOKEN(R9, V11); Q8_TOKEN(R10, V15)
	ADD $128, R1, R1
	ADD $128, R8, R8
	ADD $128, R9, R9
	ADD $128, R10, R10
	SUBS $32, R0, R0
	BNE  tq8loop
tq8done:
	TILE_EPILOGUE

// ---- 8 rows: out[n] (+)= x · w_n ----
// R1 activations, R8..R14 and R16 weight rows, R0 columns left, R5 out,
// R7 add. Accumulator of row n is V(n).

#define ROWS_SETUP \
	ADD R4, R3, R8 \
	ADD R4, R8, R9 \
	ADD R4, R9, R10 \
	ADD R4, R10, R11 \
	ADD R4, R11, R12 \
	ADD R4, R12, R13 \
	ADD R4, R13, R14 \
	ZERO4(V0, V1, V2, V3); ZERO4(V4, V5, V6, V7)

// ROWS_STORE reduces the accumulators into out: set, or added to with R7.
#define ROWS_STORE \
	SUM4(24, 0, 1, 2, 3, 28) \
	SUM4(25, 4, 5, 6, 7, 28) \
	CBZ R7, 4(PC) \
	VLD1 (R5), [V26.S4, V27.S4] \
	FADD4S(24, 24, 26) \
	FADD4S(25, 25, 27) \
	VST1 [V24.S4, V25.S4], (R5)

// ROWS_EPILOGUE stores the last chunk's sums and returns.
#define ROWS_EPILOGUE \
	ROWS_STORE \
	RET

// ROWS_CHUNK starts a chunk of R19 = min(R0, 768) columns (kChunk in
// matmul.go): each chunk's sums are reduced and added to out in order,
// as the tiles do, so a row's value is the same bits on every path.
#define ROWS_CHUNK \
	MOVD $768, R19 \
	CMP R19, R0 \
	CSEL LT, R0, R19, R19 \
	SUB R19, R0, R0

// ROWS_NEXT stores a finished chunk when columns remain and starts the next.
#define ROWS_NEXT(chunk, done) \
	CBZ R0, done \
	ROWS_STORE \
	MOVD $1, R7 \
	ZERO4(V0, V1, V2, V3); ZERO4(V4, V5, V6, V7) \
	B chunk

// func rowsF32NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF32NEON(SB), NOSPLIT, $0-41
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	MOVD ldw+24(FP), R4
	MOVD out+32(FP), R5
	MOVBU add+40(FP), R7
	ROWS_SETUP
	CBZ R0, rf32done
rf32chunk:
	ROWS_CHUNK
rf32loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R3), [V20.S4]
	VLD1.P 16(R8), [V21.S4]
	VLD1.P 16(R9), [V22.S4]
	VLD1.P 16(R10), [V23.S4]
	VFMLA V20.S4, V16.S4, V0.S4; VFMLA V21.S4, V16.S4, V1.S4; VFMLA V22.S4, V16.S4, V2.S4; VFMLA V23.S4, V16.S4, V3.S4
	VLD1.P 16(R11), [V20.S4]
	VLD1.P 16(R12), [V21.S4]
	VLD1.P 16(R13), [V22.S4]
	VLD1.P 16(R14), [V23.S4]
	VFMLA V20.S4, V16.S4, V4.S4; VFMLA V21.S4, V16.S4, V5.S4; VFMLA V22.S4, V16.S4, V6.S4; VFMLA V23.S4, V16.S4, V7.S4
	SUBS $4, R19, R19
	BNE  rf32loop
	ROWS_NEXT(rf32chunk, rf32done)
rf32done:
	ROWS_EPILOGUE

// ROWS_HALF does 8 columns of 4 rows (raw halves loaded from pa..pd) with
// widening LO/HI macros given as the lower and upper conversions of V24..V27.
#define ROWS_HALF4(pa, pb, pc, pd, LO, HI, a, b, c, d) \
	VLD1.P 16(pa), [V24.H8]; VLD1.P 16(pb), [V25.H8]; VLD1.P 16(pc), [V26.H8]; VLD1.P 16(pd), [V27.H8] \
	LO \
	VFMLA V20.S4, V16.S4, a.S4; VFMLA V21.S4, V16.S4, b.S4; VFMLA V22.S4, V16.S4, c.S4; VFMLA V23.S4, V16.S4, d.S4 \
	HI \
	VFMLA V20.S4, V17.S4, a.S4; VFMLA V21.S4, V17.S4, b.S4; VFMLA V22.S4, V17.S4, c.S4; VFMLA V23.S4, V17.S4, d.S4

// func rowsF16NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsF16NEON(SB), NOSPLIT, $0-41
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	MOVD ldw+24(FP), R4
	MOVD out+32(FP), R5
	MOVBU add+40(FP), R7
	ROWS_SETUP
	CBZ R0, rf16done
rf16chunk:
	ROWS_CHUNK
rf16loop:
	VLD1.P 32(R1), [V16.S4, V17.S4]
	ROWS_HALF4(R3, R8, R9, R10, F16_LO, F16_HI, V0, V1, V2, V3)
	ROWS_HALF4(R11, R12, R13, R14, F16_LO, F16_HI, V4, V5, V6, V7)
	SUBS $8, R19, R19
	BNE  rf16loop
	ROWS_NEXT(rf16chunk, rf16done)
rf16done:
	ROWS_EPILOGUE

// func rowsBF16NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsBF16NEON(SB), NOSPLIT, $0-41
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	MOVD ldw+24(FP), R4
	MOVD out+32(FP), R5
	MOVBU add+40(FP), R7
	ROWS_SETUP
	CBZ R0, rbf16done
rbf16chunk:
	ROWS_CHUNK
rbf16loop:
	VLD1.P 32(R1), [V16.S4, V17.S4]
	ROWS_HALF4(R3, R8, R9, R10, BF16_LO, BF16_HI, V0, V1, V2, V3)
	ROWS_HALF4(R11, R12, R13, R14, BF16_LO, BF16_HI, V4, V5, V6, V7)
	SUBS $8, R19, R19
	BNE  rbf16loop
	ROWS_NEXT(rbf16chunk, rbf16done)
rbf16done:
	ROWS_EPILOGUE

// func rowsQ8NEON(k int, x *float32, w *byte, ldw int, out *float32, add bool)
TEXT ·rowsQ8NEON(SB), NOSPLIT, $0-41
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	MOVD ldw+24(FP), R4
	MOVD out+32(FP), R5
	MOVBU add+40(FP), R7
	ROWS_SETUP
	CBZ R0, rq8done
rq8chunk:
	ROWS_CHUNK
rq8loop:
	Q8_WIDEN(R3)
	Q8_TOKEN(R1, V0)
	Q8_WIDEN(R8)
	Q8_TOKEN(R1, V1)
	Q8_WIDEN(R9)
	Q8_TOKEN(R1, V2)
	Q8_WIDEN(R10)
	Q8_TOKEN(R1, V3)
	Q8_WIDEN(R11)
	Q8_TOKEN(R1, V4)
	Q8_WIDEN(R12)
	Q8_TOKEN(R1, V5)
	Q8_WIDEN(R13)
	Q8_TOKEN(R1, V6)
	Q8_WIDEN(R14)
	Q8_TOKEN(R1, V7)
	ADD $128, R1, R1
	SUBS $32, R19, R19
	BNE  rq8loop
	ROWS_NEXT(rq8chunk, rq8done)
rq8done:
	ROWS_EPILOGUE

// ---- one dot product ----

// ONE_SUM adds the lanes of V0 as (s0+s1)+(s2+s3) into F0.
#define ONE_SUM \
	FADDP4S(0, 0, 0) \
	FADDPS(0, 0)

// func oneF32NEON(k int, x *float32, w *byte) float32
TEXT ·oneF32NEON(SB), NOSPLIT, $0-28
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	CBZ R0, of32done
of32loop:
	VLD1.P 16(R1), [V16.S4]
	VLD1.P 16(R3), [V20.S4]
	VFMLA V20.S4, V16.S4, V0.S4
	SUBS $4, R0, R0
	BNE  of32loop
of32done:
	ONE_SUM
	FMOVS F0, ret+24(FP)
	RET

// func oneF16NEON(k int, x *float32, w *byte) float32
TEXT ·oneF16NEON(SB), NOSPLIT, $0-28
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	CBZ R0, of16done
of16loop:
	VLD1.P 32(R1), [V16.S4, V17.S4]
	VLD1.P 16(R3), [V24.H8]
	FCVTL4S(20, 24)
	VFMLA V20.S4, V16.S4, V0.S4
	FCVTL24S(20, 24)
	VFMLA V20.S4, V17.S4, V0.S4
	SUBS $8, R0, R0
	BNE  of16loop
of16done:
	ONE_SUM
	FMOVS F0, ret+24(FP)
	RET

// func oneBF16NEON(k int, x *float32, w *byte) float32
TEXT ·oneBF16NEON(SB), NOSPLIT, $0-28
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	CBZ R0, obf16done
obf16loop:
	VLD1.P 32(R1), [V16.S4, V17.S4]
	VLD1.P 16(R3), [V24.H8]
	SHLL4S(20, 24)
	VFMLA V20.S4, V16.S4, V0.S4
	SHLL24S(20, 24)
	VFMLA V20.S4, V17.S4, V0.S4
	SUBS $8, R0, R0
	BNE  obf16loop
obf16done:
	ONE_SUM
	FMOVS F0, ret+24(FP)
	RET

// func oneQ8NEON(k int, x *float32, w *byte) float32
TEXT ·oneQ8NEON(SB), NOSPLIT, $0-28
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	CBZ R0, oq8done
oq8loop:
	Q8_WIDEN(R3)
	Q8_TOKEN(R1, V0)
	ADD $128, R1, R1
	SUBS $32, R0, R0
	BNE  oq8loop
oq8done:
	ONE_SUM
	FMOVS F0, ret+24(FP)
	RET
