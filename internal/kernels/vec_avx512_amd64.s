//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// AVX-512 vector kernels: dot product, axpy, softmax, GELU, and the
// roofline probes. Lengths need not be multiples of 16: the last chunk is
// loaded and stored under a mask.

DATA expLo<>+0(SB)/4, $-103.9
GLOBL expLo<>(SB), RODATA|NOPTR, $4
DATA expHi<>+0(SB)/4, $88.72
GLOBL expHi<>(SB), RODATA|NOPTR, $4
DATA log2e<>+0(SB)/4, $1.44269504
GLOBL log2e<>(SB), RODATA|NOPTR, $4
DATA ln2hi<>+0(SB)/4, $0.693359375
GLOBL ln2hi<>(SB), RODATA|NOPTR, $4
DATA ln2lo<>+0(SB)/4, $-2.12194440e-4
GLOBL ln2lo<>(SB), RODATA|NOPTR, $4
DATA expC7<>+0(SB)/4, $1.98412698e-4
GLOBL expC7<>(SB), RODATA|NOPTR, $4
DATA expC6<>+0(SB)/4, $1.38888889e-3
GLOBL expC6<>(SB), RODATA|NOPTR, $4
DATA expC5<>+0(SB)/4, $8.33333333e-3
GLOBL expC5<>(SB), RODATA|NOPTR, $4
DATA expC4<>+0(SB)/4, $4.16666667e-2
GLOBL expC4<>(SB), RODATA|NOPTR, $4
DATA expC3<>+0(SB)/4, $1.66666667e-1
GLOBL expC3<>(SB), RODATA|NOPTR, $4
DATA expC2<>+0(SB)/4, $0.5
GLOBL expC2<>(SB), RODATA|NOPTR, $4
DATA one<>+0(SB)/4, $1.0
GLOBL one<>(SB), RODATA|NOPTR, $4
DATA geluA<>+0(SB)/4, $0.044715
GLOBL geluA<>(SB), RODATA|NOPTR, $4
DATA geluM2C<>+0(SB)/4, $-1.5957691216057308
GLOBL geluM2C<>(SB), RODATA|NOPTR, $4

// EXP16 sets out = exp(in) lane by lane: in = n·ln2 + r with n an integer
// and |r| <= ln2/2, e^r by its Taylor polynomial of degree 7 (error below
// 1e-8 relative), times 2^n by VSCALEFPS. Clobbers in and n.
#define EXP16(in, out, n) \
	VMAXPS.BCST expLo<>(SB), in, in \
	VMINPS.BCST expHi<>(SB), in, in \
	VMULPS.BCST log2e<>(SB), in, n \
	VRNDSCALEPS $0, n, n \
	VFNMADD231PS.BCST ln2hi<>(SB), n, in \
	VFNMADD231PS.BCST ln2lo<>(SB), n, in \
	VBROADCASTSS expC7<>(SB), out \
	VFMADD213PS.BCST expC6<>(SB), in, out \
	VFMADD213PS.BCST expC5<>(SB), in, out \
	VFMADD213PS.BCST expC4<>(SB), in, out \
	VFMADD213PS.BCST expC3<>(SB), in, out \
	VFMADD213PS.BCST expC2<>(SB), in, out \
	VFMADD213PS.BCST one<>(SB), in, out \
	VFMADD213PS.BCST one<>(SB), in, out \
	VSCALEFPS n, out, out

// TAILMASK sets K1 to the low CX bits (CX < 16).
#define TAILMASK \
	MOVL $1, AX \
	SHLL CX, AX \
	DECL AX \
	KMOVW AX, K1

// func dotAVX512(n int, a, b *float32) float32
// Σ a[i]*b[i]: four accumulators of 16 lanes (lane j of accumulator q sums
// i ≡ 16q+j mod 64), added pairwise, then the lanes by a tree.
TEXT ·dotAVX512(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
dot64:
	CMPQ CX, $64
	JLT  dot16
	VMOVUPS (SI), Z4
	VMOVUPS 64(SI), Z5
	VMOVUPS 128(SI), Z6
	VMOVUPS 192(SI), Z7
	VFMADD231PS (DI), Z4, Z0
	VFMADD231PS 64(DI), Z5, Z1
	VFMADD231PS 128(DI), Z6, Z2
	VFMADD231PS 192(DI), Z7, Z3
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  dot64
dot16:
	CMPQ CX, $16
	JLT  dottail
	VMOVUPS (SI), Z4
	VFMADD231PS (DI), Z4, Z0
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  dot16
dottail:
	TESTQ CX, CX
	JZ    dotsum
	TAILMASK
	VMOVUPS.Z (SI), K1, Z4
	VMOVUPS.Z (DI), K1, Z5
	VFMADD231PS Z5, Z4, Z1
dotsum:
	VADDPS Z1, Z0, Z0
	VADDPS Z3, Z2, Z2
	VADDPS Z2, Z0, Z0
	VEXTRACTF32X8 $1, Z0, Y1
	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VSHUFPS $0xEE, X0, X0, X1
	VADDPS X1, X0, X0
	VSHUFPS $0x55, X0, X0, X1
	VADDSS X1, X0, X0
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func axpyAVX512(n int, alpha float32, x, y *float32)
// y[i] += alpha * x[i]
TEXT ·axpyAVX512(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Z0
	MOVQ x+16(FP), SI
	MOVQ y+24(FP), DI
axpy16:
	CMPQ CX, $16
	JLT  axpytail
	VMOVUPS (DI), Z1
	VFMADD231PS (SI), Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  axpy16
axpytail:
	TESTQ CX, CX
	JZ    axpydone
	TAILMASK
	VMOVUPS.Z (DI), K1, Z1
	VMOVUPS.Z (SI), K1, Z2
	VFMADD231PS Z2, Z0, Z1
	VMOVUPS Z1, K1, (DI)
axpydone:
	VZEROUPPER
	RET

// func softmaxAVX512(n int, x *float32)
// m = max x; x[i] = exp(x[i]-m); x[i] /= Σ x. n >= 1.
TEXT ·softmaxAVX512(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), BX
	MOVQ x+8(FP), DI
	// pass 1: the maximum
	VBROADCASTSS (DI), Z0
	MOVQ BX, CX
	MOVQ DI, SI
smax16:
	CMPQ CX, $16
	JLT  smaxtail
	VMAXPS (SI), Z0, Z0
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  smax16
smaxtail:
	TESTQ CX, CX
	JZ    smaxred
	TAILMASK
	VBROADCASTSS (DI), Z1
	VMOVUPS (SI), K1, Z1
	VMAXPS Z1, Z0, Z0
smaxred:
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VSHUFPS $0xEE, X0, X0, X1
	VMAXPS X1, X0, X0
	VSHUFPS $0x55, X0, X0, X1
	VMAXPS X1, X0, X0
	VBROADCASTSS X0, Z7
	// pass 2: exponentials and their sum
	VPXORD Z6, Z6, Z6
	MOVQ BX, CX
	MOVQ DI, SI
sexp16:
	CMPQ CX, $16
	JLT  sexptail
	VMOVUPS (SI), Z1
	VSUBPS Z7, Z1, Z1
	EXP16(Z1, Z2, Z3)
	VMOVUPS Z2, (SI)
	VADDPS Z2, Z6, Z6
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  sexp16
sexptail:
	TESTQ CX, CX
	JZ    ssum
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	VSUBPS Z7, Z1, Z1
	EXP16(Z1, Z2, Z3)
	VMOVUPS Z2, K1, (SI)
	VMOVAPS.Z Z2, K1, Z2
	VADDPS Z2, Z6, Z6
ssum:
	VEXTRACTF32X8 $1, Z6, Y1
	VADDPS Y1, Y6, Y6
	VEXTRACTF128 $1, Y6, X1
	VADDPS X1, X6, X6
	VSHUFPS $0xEE, X6, X6, X1
	VADDPS X1, X6, X6
	VSHUFPS $0x55, X6, X6, X1
	VADDSS X1, X6, X6
	VBROADCASTSS one<>(SB), X1
	VDIVSS X6, X1, X1
	VBROADCASTSS X1, Z7
	// pass 3: normalise
	MOVQ BX, CX
	MOVQ DI, SI
snorm16:
	CMPQ CX, $16
	JLT  snormtail
	VMULPS (SI), Z7, Z1
	VMOVUPS Z1, (SI)
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  snorm16
snormtail:
	TESTQ CX, CX
	JZ    sdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	VMULPS Z7, Z1, Z1
	VMOVUPS Z1, K1, (SI)
sdone:
	VZEROUPPER
	RET

// GELU16 sets z = gelu_new(x) = x / (1 + exp(-2c·(x + 0.044715·x³))),
// which is 0.5·x·(1 + tanh(c·(x + 0.044715·x³))) without the cancellation
// of 1 + tanh near -1. Clobbers Z2..Z4.
#define GELU16(x, z) \
	VMULPS x, x, Z2 \
	VMULPS.BCST geluA<>(SB), Z2, Z2 \
	VADDPS.BCST one<>(SB), Z2, Z2 \
	VMULPS x, Z2, Z2 \
	VMULPS.BCST geluM2C<>(SB), Z2, Z2 \
	EXP16(Z2, Z3, Z4) \
	VADDPS.BCST one<>(SB), Z3, Z3 \
	VDIVPS Z3, x, z

// func geluAVX512(n int, x *float32)
TEXT ·geluAVX512(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
gelu16:
	CMPQ CX, $16
	JLT  gelutail
	VMOVUPS (SI), Z1
	GELU16(Z1, Z5)
	VMOVUPS Z5, (SI)
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  gelu16
gelutail:
	TESTQ CX, CX
	JZ    geludone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	GELU16(Z1, Z5)
	VMOVUPS Z5, K1, (SI)
geludone:
	VZEROUPPER
	RET

// func readSumAVX512(n int, b *byte) uint64
// The 64-bit words of b (n a multiple of 512) added up. The buffer is read
// as four streams a quarter apart, two cache lines of each a round, each
// asked for ahead (READ4_PREFETCH), so that a core keeps as many lines in
// flight as a decode pass does.
TEXT ·readSumAVX512(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ b+8(FP), SI
	MOVQ CX, DX
	SHRQ $2, DX                // stream distance
	LEAQ (DX)(DX*2), R8
	SHRQ $9, CX                // rounds: 128 bytes of each stream
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	TESTQ CX, CX
	JZ    rsdone
rsloop:
	READ4_PREFETCH
	VPADDQ (SI), Z0, Z0
	VPADDQ 64(SI), Z0, Z0
	VPADDQ (SI)(DX*1), Z1, Z1
	VPADDQ 64(SI)(DX*1), Z1, Z1
	VPADDQ (SI)(DX*2), Z2, Z2
	VPADDQ 64(SI)(DX*2), Z2, Z2
	VPADDQ (SI)(R8*1), Z3, Z3
	VPADDQ 64(SI)(R8*1), Z3, Z3
	ADDQ $128, SI
	DECQ CX
	JNZ  rsloop
rsdone:
	VPADDQ Z1, Z0, Z0
	VPADDQ Z3, Z2, Z2
	VPADDQ Z2, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDQ Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	MOVQ X0, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET

// func fmaLoopAVX512(iters int)
// iters rounds of 12 independent 16-lane multiply-adds.
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ iters+0(FP), CX
	VBROADCASTSS one<>(SB), Z12
	VBROADCASTSS expC2<>(SB), Z13
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
	JZ    fmadone
fmaloop:
	VFMADD231PS Z12, Z13, Z0
	VFMADD231PS Z12, Z13, Z1
	VFMADD231PS Z12, Z13, Z2
	VFMADD231PS Z12, Z13, Z3
	VFMADD231PS Z12, Z13, Z4
	VFMADD231PS Z12, Z13, Z5
	VFMADD231PS Z12, Z13, Z6
	VFMADD231PS Z12, Z13, Z7
	VFMADD231PS Z12, Z13, Z8
	VFMADD231PS Z12, Z13, Z9
	VFMADD231PS Z12, Z13, Z10
	VFMADD231PS Z12, Z13, Z11
	DECQ CX
	JNZ  fmaloop
fmadone:
	VZEROUPPER
	RET

// HSUM16 adds the 16 lanes of Z0 into X0 (clobbers Z1).
#define HSUM16 \
	VEXTRACTF32X8 $1, Z0, Y1 \
	VADDPS Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS X1, X0, X0 \
	VSHUFPS $0xEE, X0, X0, X1 \
	VADDPS X1, X0, X0 \
	VSHUFPS $0x55, X0, X0, X1 \
	VADDSS X1, X0, X0

// func sumAVX512(n int, x *float32) float32   (n a multiple of 16)
// Σ x[i]: two accumulators of 16 lanes, added, then the lanes by a tree.
TEXT ·sumAVX512(SB), NOSPLIT, $0-20
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VPXORD Z0, Z0, Z0
	VPXORD Z2, Z2, Z2
sum32:
	CMPQ CX, $32
	JLT  sum16
	VADDPS (SI), Z0, Z0
	VADDPS 64(SI), Z2, Z2
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  sum32
sum16:
	TESTQ CX, CX
	JZ    sumred
	VADDPS (SI), Z0, Z0
sumred:
	VADDPS Z2, Z0, Z0
	HSUM16
	MOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func sqDiffAVX512(n int, x *float32, m float32) float32   (n a multiple of 16)
// Σ (x[i]-m)², accumulated as sumAVX512 does.
TEXT ·sqDiffAVX512(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Z4
	VPXORD Z0, Z0, Z0
	VPXORD Z2, Z2, Z2
sq32:
	CMPQ CX, $32
	JLT  sq16
	VMOVUPS (SI), Z5
	VMOVUPS 64(SI), Z6
	VSUBPS Z4, Z5, Z5
	VSUBPS Z4, Z6, Z6
	VFMADD231PS Z5, Z5, Z0
	VFMADD231PS Z6, Z6, Z2
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  sq32
sq16:
	TESTQ CX, CX
	JZ    sqred
	VMOVUPS (SI), Z5
	VSUBPS Z4, Z5, Z5
	VFMADD231PS Z5, Z5, Z0
sqred:
	VADDPS Z2, Z0, Z0
	HSUM16
	MOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func normAVX512(n int, x, dst, gain, bias *float32, m, inv float32)   (n a multiple of 16)
// dst[i] = (x[i]-m)*inv*gain[i] + bias[i], the last two as one FMA.
TEXT ·normAVX512(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ dst+16(FP), DI
	MOVQ gain+24(FP), R8
	MOVQ bias+32(FP), R9
	VBROADCASTSS m+40(FP), Z4
	VBROADCASTSS inv+44(FP), Z5
	TESTQ CX, CX
	JZ    normdone
norm16:
	VMOVUPS (SI), Z0
	VSUBPS Z4, Z0, Z0
	VMULPS Z5, Z0, Z0
	VMOVUPS (R9), Z1
	VFMADD231PS (R8), Z0, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $16, CX
	JNZ  norm16
normdone:
	VZEROUPPER
	RET
