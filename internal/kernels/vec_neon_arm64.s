//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON vector kernels over lengths that are multiples of 4; the Go
// wrappers finish the last few values.

// Constants, each replicated into a register by LOAD_CONSTS: V8 exp's lower
// clamp, V9 upper clamp, V10 log2(e), V11 ln2 high part, V12 ln2 low part,
// V13..V17 the Taylor coefficients 1/7!..1/3!, V18 1/2, V19 1, V20 127
// (as an integer), V21 0.044715, V22 -2·√(2/π).
DATA neonConsts<>+0(SB)/4, $-87.3
DATA neonConsts<>+4(SB)/4, $88.72
DATA neonConsts<>+8(SB)/4, $1.44269504
DATA neonConsts<>+12(SB)/4, $0.693359375
DATA neonConsts<>+16(SB)/4, $-2.12194440e-4
DATA neonConsts<>+20(SB)/4, $1.98412698e-4
DATA neonConsts<>+24(SB)/4, $1.38888889e-3
DATA neonConsts<>+28(SB)/4, $8.33333333e-3
DATA neonConsts<>+32(SB)/4, $4.16666667e-2
DATA neonConsts<>+36(SB)/4, $1.66666667e-1
DATA neonConsts<>+40(SB)/4, $0.5
DATA neonConsts<>+44(SB)/4, $1.0
DATA neonConsts<>+48(SB)/4, $127
DATA neonConsts<>+52(SB)/4, $0.044715
DATA neonConsts<>+56(SB)/4, $-1.5957691216057308
GLOBL neonConsts<>(SB), RODATA|NOPTR, $60

#define LOAD_CONSTS \
	MOVD $neonConsts<>(SB), R9 \
	VLD1R.P 4(R9), [V8.S4]; VLD1R.P 4(R9), [V9.S4]; VLD1R.P 4(R9), [V10.S4]; VLD1R.P 4(R9), [V11.S4] \
	VLD1R.P 4(R9), [V12.S4]; VLD1R.P 4(R9), [V13.S4]; VLD1R.P 4(R9), [V14.S4]; VLD1R.P 4(R9), [V15.S4] \
	VLD1R.P 4(R9), [V16.S4]; VLD1R.P 4(R9), [V17.S4]; VLD1R.P 4(R9), [V18.S4]; VLD1R.P 4(R9), [V19.S4] \
	VLD1R.P 4(R9), [V20.S4]; VLD1R.P 4(R9), [V21.S4]; VLD1R.P 4(R9), [V22.S4]

// HORNER sets out = out·r + c (via a copy of c in t).
#define HORNER(c, r, out, t) \
	VORR c.B16, c.B16, t.B16 \
	VFMLA out.S4, r.S4, t.S4 \
	VORR t.B16, t.B16, out.B16

// EXPV sets out = exp(in) lane by lane: in = n·ln2 + r, e^r by its Taylor
// polynomial of degree 7, times 2^n built in the exponent bits (in clamped
// to [-87.3, 88.72]). Registers come both as numbers (i, o, k) for the
// WORD encodings and as names (I, O, K, T). Clobbers in, k and t.
#define EXPV(i, I, o, O, k, K, T) \
	FMAX4S(i, i, 8) \
	FMIN4S(i, i, 9) \
	FMUL4S(k, i, 10) \
	FRINTN4S(k, k) \
	VFMLS K.S4, V11.S4, I.S4 \
	VFMLS K.S4, V12.S4, I.S4 \
	VORR V13.B16, V13.B16, O.B16 \
	HORNER(V14, I, O, T) \
	HORNER(V15, I, O, T) \
	HORNER(V16, I, O, T) \
	HORNER(V17, I, O, T) \
	HORNER(V18, I, O, T) \
	HORNER(V19, I, O, T) \
	HORNER(V19, I, O, T) \
	FCVTZS4S(k, k) \
	VADD V20.S4, K.S4, K.S4 \
	VSHL $23, K.S4, K.S4 \
	FMUL4S(o, o, k)

#define EXP4 EXPV(1, V1, 2, V2, 3, V3, V4)

// func dotNEON(n int, a, b *float32) float32   (n a multiple of 4)
// Four accumulators over 16 values a round, then added pairwise; lanes
// added as (s0+s1)+(s2+s3).
TEXT ·dotNEON(SB), NOSPLIT, $0-28
	MOVD n+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
dot16:
	CMP $16, R0
	BLT dot4
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V16.S4, V17.S4, V18.S4, V19.S4]
	VFMLA V4.S4, V16.S4, V0.S4
	VFMLA V5.S4, V17.S4, V1.S4
	VFMLA V6.S4, V18.S4, V2.S4
	VFMLA V7.S4, V19.S4, V3.S4
	SUB $16, R0, R0
	B dot16
dot4:
	CBZ R0, dotsum
	VLD1.P 16(R1), [V4.S4]
	VLD1.P 16(R2), [V16.S4]
	VFMLA V4.S4, V16.S4, V0.S4
	SUB $4, R0, R0
	B dot4
dotsum:
	FADD4S(0, 0, 1)
	FADD4S(2, 2, 3)
	FADD4S(0, 0, 2)
	FADDP4S(0, 0, 0)
	FADDPS(0, 0)
	FMOVS F0, ret+24(FP)
	RET

// func axpyNEON(n int, alpha float32, x, y *float32)   (n a multiple of 4)
TEXT ·axpyNEON(SB), NOSPLIT, $0-32
	MOVD n+0(FP), R0
	FMOVS alpha+8(FP), F0
	VDUP V0.S[0], V0.S4
	MOVD x+16(FP), R1
	MOVD y+24(FP), R2
	CBZ R0, axpydone
axpy4:
	VLD1.P 16(R1), [V1.S4]
	VLD1 (R2), [V2.S4]
	VFMLA V1.S4, V0.S4, V2.S4
	VST1.P [V2.S4], 16(R2)
	SUBS $4, R0, R0
	BNE axpy4
axpydone:
	RET

// func maxNEON(n int, x *float32) float32   (n a multiple of 4, >= 4)
TEXT ·maxNEON(SB), NOSPLIT, $0-20
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	VLD1 (R1), [V0.S4]
max4:
	VLD1.P 16(R1), [V1.S4]
	FMAX4S(0, 0, 1)
	SUBS $4, R0, R0
	BNE max4
	FMAXV4S(0, 0)
	FMOVS F0, ret+16(FP)
	RET

// func expSubNEON(n int, x *float32, m float32) float32   (n a multiple of 4)
// x[i] = exp(x[i]-m); returns their sum: four accumulators over 16 values
// a round (so that long rows lose little to rounding), added pairwise,
// then lanes as (s0+s1)+(s2+s3).
TEXT ·expSubNEON(SB), NOSPLIT, $0-28
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	FMOVS m+16(FP), F7
	VDUP V7.S[0], V7.S4
	LOAD_CONSTS
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
exp16:
	CMP $16, R0
	BLT exp4
	VLD1 (R1), [V23.S4, V24.S4, V25.S4, V26.S4]
	FSUB4S(23, 23, 7)
	FSUB4S(24, 24, 7)
	FSUB4S(25, 25, 7)
	FSUB4S(26, 26, 7)
	EXPV(23, V23, 2, V2, 3, V3, V4)
	FADD4S(6, 6, 2)
	VORR V2.B16, V2.B16, V23.B16
	EXPV(24, V24, 2, V2, 3, V3, V4)
	FADD4S(27, 27, 2)
	VORR V2.B16, V2.B16, V24.B16
	EXPV(25, V25, 2, V2, 3, V3, V4)
	FADD4S(28, 28, 2)
	VORR V2.B16, V2.B16, V25.B16
	EXPV(26, V26, 2, V2, 3, V3, V4)
	FADD4S(29, 29, 2)
	VORR V2.B16, V2.B16, V26.B16
	VST1.P [V23.S4, V24.S4, V25.S4, V26.S4], 64(R1)
	SUB $16, R0, R0
	B exp16
exp4:
	CBZ R0, expsum
	VLD1 (R1), [V1.S4]
	FSUB4S(1, 1, 7)
	EXP4
	VST1.P [V2.S4], 16(R1)
	FADD4S(6, 6, 2)
	SUB $4, R0, R0
	B exp4
expsum:
	FADD4S(6, 6, 27)
	FADD4S(28, 28, 29)
	FADD4S(6, 6, 28)
	FADDP4S(6, 6, 6)
	FADDPS(6, 6)
	FMOVS F6, ret+24(FP)
	RET

// func scaleNEON(n int, x *float32, s float32)   (n a multiple of 4)
TEXT ·scaleNEON(SB), NOSPLIT, $0-20
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	FMOVS s+16(FP), F0
	VDUP V0.S[0], V0.S4
	CBZ R0, scaledone
scale4:
	VLD1 (R1), [V1.S4]
	FMUL4S(1, 1, 0)
	VST1.P [V1.S4], 16(R1)
	SUBS $4, R0, R0
	BNE scale4
scaledone:
	RET

// func geluNEON(n int, x *float32)   (n a multiple of 4)
// x / (1 + exp(-2c·(x + 0.044715·x³))), GPT-2's gelu_new.
TEXT ·geluNEON(SB), NOSPLIT, $0-16
	MOVD n+0(FP), R0
	MOVD x+8(FP), R2
	LOAD_CONSTS
	CBZ R0, geludone
gelu4:
	VLD1 (R2), [V5.S4]
	FMUL4S(1, 5, 5)
	FMUL4S(1, 1, 21)
	FADD4S(1, 1, 19)
	FMUL4S(1, 1, 5)
	FMUL4S(1, 1, 22)
	EXP4
	FADD4S(2, 2, 19)
	FDIV4S(5, 5, 2)
	VST1.P [V5.S4], 16(R2)
	SUBS $4, R0, R0
	BNE gelu4
geludone:
	RET

// func readSumNEON(n int, b *byte) uint64   (n a multiple of 512)
// Four streams a quarter apart, one 64-byte line of each a round.
TEXT ·readSumNEON(SB), NOSPLIT, $0-24
	MOVD n+0(FP), R0
	MOVD b+8(FP), R1
	LSR $2, R0, R5
	ADD R5, R1, R2
	ADD R5, R2, R3
	ADD R5, R3, R4
	LSR $8, R0, R0
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	CBZ R0, rsdone
rsloop:
	VLD1.P 64(R1), [V4.D2, V5.D2, V6.D2, V7.D2]
	VADD V4.D2, V0.D2, V0.D2
	VADD V5.D2, V1.D2, V1.D2
	VADD V6.D2, V0.D2, V0.D2
	VADD V7.D2, V1.D2, V1.D2
	VLD1.P 64(R2), [V4.D2, V5.D2, V6.D2, V7.D2]
	VADD V4.D2, V0.D2, V0.D2
	VADD V5.D2, V1.D2, V1.D2
	VADD V6.D2, V0.D2, V0.D2
	VADD V7.D2, V1.D2, V1.D2
	VLD1.P 64(R3), [V4.D2, V5.D2, V6.D2, V7.D2]
	VADD V4.D2, V0.D2, V0.D2
	VADD V5.D2, V1.D2, V1.D2
	VADD V6.D2, V0.D2, V0.D2
	VADD V7.D2, V1.D2, V1.D2
	VLD1.P 64(R4), [V4.D2, V5.D2, V6.D2, V7.D2]
	VADD V4.D2, V0.D2, V0.D2
	VADD V5.D2, V1.D2, V1.D2
	VADD V6.D2, V0.D2, V0.D2
	VADD V7.D2, V1.D2, V1.D2
	SUBS $1, R0, R0
	BNE rsloop
rsdone:
	VADD V1.D2, V0.D2, V0.D2
	VMOV V0.D[0], R6
	VMOV V0.D[1], R7
	ADD R7, R6, R6
	MOVD R6, ret+16(FP)
	RET

// func fmaLoopNEON(iters int)
// iters rounds of 12 independent 4-lane multiply-adds.
TEXT ·fmaLoopNEON(SB), NOSPLIT, $0-8
	MOVD iters+0(FP), R0
	LOAD_CONSTS
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	CBZ R0, fmadone
fmaloop:
	VFMLA V18.S4, V19.S4, V0.S4
	VFMLA V18.S4, V19.S4, V1.S4
	VFMLA V18.S4, V19.S4, V2.S4
	VFMLA V18.S4, V19.S4, V3.S4
	VFMLA V18.S4, V19.S4, V4.S4
	VFMLA V18.S4, V19.S4, V5.S4
	VFMLA V18.S4, V19.S4, V6.S4
	VFMLA V18.S4, V19.S4, V7.S4
	VFMLA V18.S4, V19.S4, V23.S4
	VFMLA V18.S4, V19.S4, V24.S4
	VFMLA V18.S4, V19.S4, V25.S4
	VFMLA V18.S4, V19.S4, V26.S4
	SUBS $1, R0, R0
	BNE fmaloop
fmadone:
	RET

// func sumNEON(n int, x *float32) float32   (n a multiple of 4)
// Σ x[i]: two accumulators of 4 lanes, added, then the lanes pairwise.
TEXT ·sumNEON(SB), NOSPLIT, $0-20
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V2.B16, V2.B16, V2.B16
sum8:
	CMP $8, R0
	BLT sum4
	VLD1.P 32(R1), [V4.S4, V5.S4]
	FADD4S(0, 0, 4)
	FADD4S(2, 2, 5)
	SUB $8, R0, R0
	B sum8
sum4:
	CBZ R0, sumred
	VLD1.P 16(R1), [V4.S4]
	FADD4S(0, 0, 4)
sumred:
	FADD4S(0, 0, 2)
	FADDP4S(0, 0, 0)
	FADDPS(0, 0)
	FMOVS F0, ret+16(FP)
	RET

// func sqDiffNEON(n int, x *float32, m float32) float32   (n a multiple of 4)
// Σ (x[i]-m)², accumulated as sumNEON does.
TEXT ·sqDiffNEON(SB), NOSPLIT, $0-28
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	FMOVS m+16(FP), F6
	VDUP V6.S[0], V6.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V2.B16, V2.B16, V2.B16
sq8:
	CMP $8, R0
	BLT sq4
	VLD1.P 32(R1), [V4.S4, V5.S4]
	FSUB4S(4, 4, 6)
	FSUB4S(5, 5, 6)
	VFMLA V4.S4, V4.S4, V0.S4
	VFMLA V5.S4, V5.S4, V2.S4
	SUB $8, R0, R0
	B sq8
sq4:
	CBZ R0, sqred
	VLD1.P 16(R1), [V4.S4]
	FSUB4S(4, 4, 6)
	VFMLA V4.S4, V4.S4, V0.S4
sqred:
	FADD4S(0, 0, 2)
	FADDP4S(0, 0, 0)
	FADDPS(0, 0)
	FMOVS F0, ret+24(FP)
	RET

// func normNEON(n int, x, dst, gain, bias *float32, m, inv float32)   (n a multiple of 4)
// dst[i] = (x[i]-m)*inv*gain[i] + bias[i], the last two as one FMA.
TEXT ·normNEON(SB), NOSPLIT, $0-48
	MOVD n+0(FP), R0
	MOVD x+8(FP), R1
	MOVD dst+16(FP), R2
	MOVD gain+24(FP), R3
	MOVD bias+32(FP), R4
	FMOVS m+40(FP), F6
	VDUP V6.S[0], V6.S4
	FMOVS inv+44(FP), F7
	VDUP V7.S[0], V7.S4
	CBZ R0, normdone
norm4:
	VLD1.P 16(R1), [V0.S4]
	VLD1.P 16(R3), [V1.S4]
	VLD1.P 16(R4), [V2.S4]
	FSUB4S(0, 0, 6)
	FMUL4S(0, 0, 7)
	VFMLA V0.S4, V1.S4, V2.S4
	VST1.P [V2.S4], 16(R2)
	SUBS $4, R0, R0
	BNE norm4
normdone:
	RET
