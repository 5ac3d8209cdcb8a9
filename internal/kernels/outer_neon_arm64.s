//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// Products in outer-product order (outer.go) for NEON: each output one
// running FMLA sum over p, 4 columns to a register.

#define ZERO4(a, b, c, d) \
	VEOR a.B16, a.B16, a.B16; VEOR b.B16, b.B16, b.B16; VEOR c.B16, c.B16, c.B16; VEOR d.B16, d.B16, d.B16

// FMLA4 adds the broadcast x times the row of b in V0..V3 to acc a..d.
#define FMLA4(x, a, b, c, d) \
	VFMLA V0.S4, x.S4, a.S4; VFMLA V1.S4, x.S4, b.S4; VFMLA V2.S4, x.S4, c.S4; VFMLA V3.S4, x.S4, d.S4

// ADD_C4 adds the 16 floats at p to accumulators a..d (register numbers):
// c + acc. Clobbers V0..V3.
#define ADD_C4(p, a, b, c, d) \
	VLD1 (p), [V0.S4, V1.S4, V2.S4, V3.S4] \
	FADD4S(a, 0, a); FADD4S(b, 1, b); FADD4S(c, 2, c); FADD4S(d, 3, d)

// func outer4x16NEON(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
//
// Four rows of a (R1, R3, R4, R5) by 16 columns of b (nv is 1), row r's
// sums in V16+4r..V19+4r: for p < k, acc[r][j] += a[r·lda+p]·b[p·ldb+j];
// then stored at c + r·ldc, or added to it.
TEXT ·outer4x16NEON(SB), NOSPLIT, $0-65
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD lda+16(FP), R2
	LSL  $2, R2, R2
	ADD  R2, R1, R3
	ADD  R2, R3, R4
	ADD  R2, R4, R5
	MOVD b+24(FP), R6
	MOVD ldb+32(FP), R7
	LSL  $2, R7, R7
	ZERO4(V16, V17, V18, V19)
	ZERO4(V20, V21, V22, V23)
	ZERO4(V24, V25, V26, V27)
	ZERO4(V28, V29, V30, V31)
	CBZ  R0, o4store
o4loop:
	VLD1 (R6), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD  R7, R6, R6
	VLD1R.P 4(R1), [V4.S4]
	VLD1R.P 4(R3), [V5.S4]
	VLD1R.P 4(R4), [V6.S4]
	VLD1R.P 4(R5), [V7.S4]
	FMLA4(V4, V16, V17, V18, V19)
	FMLA4(V5, V20, V21, V22, V23)
	FMLA4(V6, V24, V25, V26, V27)
	FMLA4(V7, V28, V29, V30, V31)
	SUBS $1, R0, R0
	BNE  o4loop
o4store:
	MOVD  c+40(FP), R8
	MOVD  ldc+48(FP), R9
	LSL   $2, R9, R9
	MOVBU add+64(FP), R10
	CBZ   R10, o4set
	ADD   R9, R8, R11
	ADD   R9, R11, R12
	ADD   R9, R12, R13
	ADD_C4(R8, 16, 17, 18, 19)
	ADD_C4(R11, 20, 21, 22, 23)
	ADD_C4(R12, 24, 25, 26, 27)
	ADD_C4(R13, 28, 29, 30, 31)
o4set:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R8)
	ADD  R9, R8, R8
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R8)
	ADD  R9, R8, R8
	VST1 [V24.S4, V25.S4, V26.S4, V27.S4], (R8)
	ADD  R9, R8, R8
	VST1 [V28.S4, V29.S4, V30.S4, V31.S4], (R8)
	RET

// func outer1x32NEON(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)
//
// One row by 32 columns of b, the sums in V16..V23; the first nv (1 or 2)
// vectors of 16 stored at c, or added to it.
TEXT ·outer1x32NEON(SB), NOSPLIT, $0-49
	MOVD k+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R6
	MOVD ldb+24(FP), R7
	LSL  $2, R7, R7
	ADD  $64, R6, R11
	ZERO4(V16, V17, V18, V19)
	ZERO4(V20, V21, V22, V23)
	CBZ  R0, r1store
r1loop:
	VLD1R.P 4(R1), [V4.S4]
	VLD1 (R6), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMLA4(V4, V16, V17, V18, V19)
	VLD1 (R11), [V0.S4, V1.S4, V2.S4, V3.S4]
	FMLA4(V4, V20, V21, V22, V23)
	ADD  R7, R6, R6
	ADD  R7, R11, R11
	SUBS $1, R0, R0
	BNE  r1loop
r1store:
	MOVD  c+32(FP), R8
	MOVD  nv+40(FP), R9
	MOVBU add+48(FP), R10
	ADD   $64, R8, R11
	CBZ   R10, r1set
	ADD_C4(R8, 16, 17, 18, 19)
	CMP   $1, R9
	BEQ   r1set
	ADD_C4(R11, 20, 21, 22, 23)
r1set:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R8)
	CMP  $1, R9
	BEQ  r1done
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R11)
r1done:
	RET
