//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// AVX2 vector kernels over lengths that are multiples of 8; the Go
// wrappers finish the last few values.

DATA avxExpLo<>+0(SB)/4, $-87.3
GLOBL avxExpLo<>(SB), RODATA|NOPTR, $4
DATA avxExpHi<>+0(SB)/4, $88.72
GLOBL avxExpHi<>(SB), RODATA|NOPTR, $4
DATA avxLog2e<>+0(SB)/4, $1.44269504
GLOBL avxLog2e<>(SB), RODATA|NOPTR, $4
DATA avxLn2hi<>+0(SB)/4, $0.693359375
GLOBL avxLn2hi<>(SB), RODATA|NOPTR, $4
DATA avxLn2lo<>+0(SB)/4, $-2.12194440e-4
GLOBL avxLn2lo<>(SB), RODATA|NOPTR, $4
DATA avxC7<>+0(SB)/4, $1.98412698e-4
GLOBL avxC7<>(SB), RODATA|NOPTR, $4
DATA avxC6<>+0(SB)/4, $1.38888889e-3
GLOBL avxC6<>(SB), RODATA|NOPTR, $4
DATA avxC5<>+0(SB)/4, $8.33333333e-3
GLOBL avxC5<>(SB), RODATA|NOPTR, $4
DATA avxC4<>+0(SB)/4, $4.16666667e-2
GLOBL avxC4<>(SB), RODATA|NOPTR, $4
DATA avxC3<>+0(SB)/4, $1.66666667e-1
GLOBL avxC3<>(SB), RODATA|NOPTR, $4
DATA avxHalf<>+0(SB)/4, $0.5
GLOBL avxHalf<>(SB), RODATA|NOPTR, $4
DATA avxOne<>+0(SB)/4, $1.0
GLOBL avxOne<>(SB), RODATA|NOPTR, $4
DATA avxBias<>+0(SB)/4, $127
GLOBL avxBias<>(SB), RODATA|NOPTR, $4
DATA avxGeluA<>+0(SB)/4, $0.044715
GLOBL avxGeluA<>(SB), RODATA|NOPTR, $4
DATA avxGeluM2C<>+0(SB)/4, $-1.5957691216057308
GLOBL avxGeluM2C<>(SB), RODATA|NOPTR, $4

// EXP8 sets out = exp(in) for 8 lanes: in = n·ln2 + r, e^r by its Taylor
// polynomial of degree 7, times 2^n built in the exponent bits (in is
// clamped to [-87.3, 88.72], where 2^n is a normal number). Clobbers in,
// n and Y15.
#define EXP8(in, out, n) \
	VBROADCASTSS avxExpLo<>(SB), Y15; VMAXPS Y15, in, in \
	VBROADCASTSS avxExpHi<>(SB), Y15; VMINPS Y15, in, in \
	VBROADCASTSS avxLog2e<>(SB), Y15; VMULPS Y15, in, n \
	VROUNDPS $0, n, n \
	VBROADCASTSS avxLn2hi<>(SB), Y15; VFNMADD231PS Y15, n, in \
	VBROADCASTSS avxLn2lo<>(SB), Y15; VFNMADD231PS Y15, n, in \
	VBROADCASTSS avxC7<>(SB), out \
	VBROADCASTSS avxC6<>(SB), Y15; VFMADD213PS Y15, in, out \
	VBROADCASTSS avxC5<>(SB), Y15; VFMADD213PS Y15, in, out \
	VBROADCASTSS avxC4<>(SB), Y15; VFMADD213PS Y15, in, out \
	VBROADCASTSS avxC3<>(SB), Y15; VFMADD213PS Y15, in, out \
	VBROADCASTSS avxHalf<>(SB), Y15; VFMADD213PS Y15, in, out \
	VBROADCASTSS avxOne<>(SB), Y15; VFMADD213PS Y15, in, out \
	VFMADD213PS Y15, in, out \
	VCVTPS2DQ n, n \
	VPBROADCASTD avxBias<>(SB), Y15; VPADDD Y15, n, n \
	VPSLLD $23, n, n \
	VMULPS n, out, out

// func dotAVX2(n int, a, b *float32) float32   (n a multiple of 8)
// Σ a[i]*b[i] with four 8-lane accumulators, added pairwise, then a tree.
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
dot32:
	CMPQ CX, $32
	JLT  dot8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  dot32
dot8:
	CMPQ CX, $8
	JLT  dotsum
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  dot8
dotsum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VSHUFPS $0xEE, X0, X0, X1
	VADDPS X1, X0, X0
	VSHUFPS $0x55, X0, X0, X1
	VADDSS X1, X0, X0
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func axpyAVX2(n int, alpha float32, x, y *float32)   (n a multiple of 8)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ x+16(FP), SI
	MOVQ y+24(FP), DI
	TESTQ CX, CX
	JZ    axpydone
axpy8:
	VMOVUPS (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ  axpy8
axpydone:
	VZEROUPPER
	RET

// func maxAVX2(n int, x *float32) float32   (n a multiple of 8, >= 8)
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VMOVUPS (SI), Y0
max8:
	VMAXPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  max8
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VSHUFPS $0xEE, X0, X0, X1
	VMAXPS X1, X0, X0
	VSHUFPS $0x55, X0, X0, X1
	VMAXSS X1, X0, X0
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func expSubAVX2(n int, x *float32, m float32) float32   (n a multiple of 8)
// x[i] = exp(x[i]-m); returns their sum (8 lanes, then a tree).
TEXT ·expSubAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Y7
	VXORPS Y6, Y6, Y6
	TESTQ CX, CX
	JZ    expsum
exp8:
	VMOVUPS (SI), Y1
	VSUBPS Y7, Y1, Y1
	EXP8(Y1, Y2, Y3)
	VMOVUPS Y2, (SI)
	VADDPS Y2, Y6, Y6
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  exp8
expsum:
	VEXTRACTF128 $1, Y6, X1
	VADDPS X1, X6, X6
	VSHUFPS $0xEE, X6, X6, X1
	VADDPS X1, X6, X6
	VSHUFPS $0x55, X6, X6, X1
	VADDSS X1, X6, X6
	MOVSS X6, ret+24(FP)
	VZEROUPPER
	RET

// func scaleAVX2(n int, x *float32, s float32)   (n a multiple of 8)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS s+16(FP), Y0
	TESTQ CX, CX
	JZ    scaledone
scale8:
	VMULPS (SI), Y0, Y1
	VMOVUPS Y1, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  scale8
scaledone:
	VZEROUPPER
	RET

// func geluAVX2(n int, x *float32)   (n a multiple of 8)
// x / (1 + exp(-2c·(x + 0.044715·x³))), which is GPT-2's gelu_new.
TEXT ·geluAVX2(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	TESTQ CX, CX
	JZ    geludone
gelu8:
	VMOVUPS (SI), Y1
	VMULPS Y1, Y1, Y2
	VBROADCASTSS avxGeluA<>(SB), Y15
	VMULPS Y15, Y2, Y2
	VBROADCASTSS avxOne<>(SB), Y15
	VADDPS Y15, Y2, Y2
	VMULPS Y1, Y2, Y2
	VBROADCASTSS avxGeluM2C<>(SB), Y15
	VMULPS Y15, Y2, Y2
	EXP8(Y2, Y3, Y4)
	VBROADCASTSS avxOne<>(SB), Y15
	VADDPS Y15, Y3, Y3
	VDIVPS Y3, Y1, Y5
	VMOVUPS Y5, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JNZ  gelu8
geludone:
	VZEROUPPER
	RET

// func readSumAVX2(n int, b *byte) uint64   (n a multiple of 512)
// As readSumAVX512: four streams a quarter apart, two lines each a round,
// asked for ahead.
TEXT ·readSumAVX2(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ b+8(FP), SI
	MOVQ CX, DX
	SHRQ $2, DX
	LEAQ (DX)(DX*2), R8
	SHRQ $9, CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    rsdone
rsloop:
	READ4_PREFETCH
	VPADDQ (SI), Y0, Y0
	VPADDQ 32(SI), Y0, Y0
	VPADDQ 64(SI), Y0, Y0
	VPADDQ 96(SI), Y0, Y0
	VPADDQ (SI)(DX*1), Y1, Y1
	VPADDQ 32(SI)(DX*1), Y1, Y1
	VPADDQ 64(SI)(DX*1), Y1, Y1
	VPADDQ 96(SI)(DX*1), Y1, Y1
	VPADDQ (SI)(DX*2), Y2, Y2
	VPADDQ 32(SI)(DX*2), Y2, Y2
	VPADDQ 64(SI)(DX*2), Y2, Y2
	VPADDQ 96(SI)(DX*2), Y2, Y2
	VPADDQ (SI)(R8*1), Y3, Y3
	VPADDQ 32(SI)(R8*1), Y3, Y3
	VPADDQ 64(SI)(R8*1), Y3, Y3
	VPADDQ 96(SI)(R8*1), Y3, Y3
	ADDQ $128, SI
	DECQ CX
	JNZ  rsloop
rsdone:
	VPADDQ Y1, Y0, Y0
	VPADDQ Y3, Y2, Y2
	VPADDQ Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	MOVQ X0, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

// func fmaLoopAVX2(iters int)
// iters rounds of 12 independent 8-lane multiply-adds.
TEXT ·fmaLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ iters+0(FP), CX
	VBROADCASTSS avxOne<>(SB), Y12
	VBROADCASTSS avxHalf<>(SB), Y13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JZ    fmadone
fmaloop:
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	DECQ CX
	JNZ  fmaloop
fmadone:
	VZEROUPPER
	RET

// HSUM8 adds the 8 lanes of Y0 into X0 (clobbers Y1).
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VSHUFPS $0xEE, X0, X0, X1 \
	VADDPS X1, X0, X0 \
	VSHUFPS $0x55, X0, X0, X1 \
	VADDSS X1, X0, X0

// func sumAVX2(n int, x *float32) float32   (n a multiple of 8)
// Σ x[i]: two accumulators of 8 lanes, added, then the lanes by a tree.
TEXT ·sumAVX2(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VXORPS Y0, Y0, Y0
	VXORPS Y2, Y2, Y2
sum16:
	CMPQ CX, $16
	JLT  sum8
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y2, Y2
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  sum16
sum8:
	TESTQ CX, CX
	JZ    sumred
	VADDPS (SI), Y0, Y0
sumred:
	VADDPS Y2, Y0, Y0
	HSUM8
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sqDiffAVX2(n int, x *float32, m float32) float32   (n a multiple of 8)
// Σ (x[i]-m)², accumulated as sumAVX2 does.
TEXT ·sqDiffAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Y4
	VXORPS Y0, Y0, Y0
	VXORPS Y2, Y2, Y2
sq16:
	CMPQ CX, $16
	JLT  sq8
	VMOVUPS (SI), Y5
	VMOVUPS 32(SI), Y6
	VSUBPS Y4, Y5, Y5
	VSUBPS Y4, Y6, Y6
	VFMADD231PS Y5, Y5, Y0
	VFMADD231PS Y6, Y6, Y2
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  sq16
sq8:
	TESTQ CX, CX
	JZ    sqred
	VMOVUPS (SI), Y5
	VSUBPS Y4, Y5, Y5
	VFMADD231PS Y5, Y5, Y0
sqred:
	VADDPS Y2, Y0, Y0
	HSUM8
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAVX2(n int, x, dst, gain, bias *float32, m, inv float32)   (n a multiple of 8)
// dst[i] = (x[i]-m)*inv*gain[i] + bias[i], the last two as one FMA.
TEXT ·normAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ dst+16(FP), DI
	MOVQ gain+24(FP), R8
	MOVQ bias+32(FP), R9
	VBROADCASTSS m+40(FP), Y4
	VBROADCASTSS inv+44(FP), Y5
	TESTQ CX, CX
	JZ    normdone
norm8:
	VMOVUPS (SI), Y0
	VSUBPS Y4, Y0, Y0
	VMULPS Y5, Y0, Y0
	VMOVUPS (R9), Y1
	VFMADD231PS (R8), Y0, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $8, CX
	JNZ  norm8
normdone:
	VZEROUPPER
	RET
