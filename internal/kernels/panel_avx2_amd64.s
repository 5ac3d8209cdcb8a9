//go:build !purego

#include "textflag.h"
#include "load_avx2_amd64.h"
#include "rows_amd64.h"

// Products with weight panels for AVX2 (panel.go): each output one running
// FMA sum over p, 8 outputs to a register. Sixteen registers hold six rows
// by half a panel (12 sums, the half-row of the panel, a broadcast), so a
// tile does a panel's two halves one after the other; the row kernels do
// four panels as two pairs.

// ROW2Y adds a[r] (broadcast from off(R8)) times the half-row of the panel
// in Y0, Y1 to acc0, acc1.
#define ROW2Y(off, acc0, acc1) \
	VBROADCASTSS off(R8), Y2; VFMADD231PS Y0, Y2, acc0; VFMADD231PS Y1, Y2, acc1

// EACH_ROW6 applies M to each of the tile's six rows of sums (Y4+2r,
// Y5+2r).
#define EACH_ROW6(M) \
	M(Y4, Y5); M(Y6, Y7); M(Y8, Y9); M(Y10, Y11); M(Y12, Y13); M(Y14, Y15)

#define ZERO2Y(acc0, acc1) VXORPS acc0, acc0, acc0; VXORPS acc1, acc1, acc1
#define BIAS2Y(acc0, acc1) VADDPS Y0, acc0, acc0; VADDPS Y1, acc1, acc1

// ROW_SETY and ROW_STOREY load and store a row's 16 sums at DI, then move
// DI to the next row, unless the m rows (AX) are done.
#define ROW_SETY(acc0, acc1, done) \
	VMOVUPS (DI), acc0; VMOVUPS 32(DI), acc1; ADDQ DX, DI; DECQ AX; JZ done

#define ROW_STOREY(acc0, acc1, done) \
	VMOVUPS acc0, (DI); VMOVUPS acc1, 32(DI); ADDQ DX, DI; DECQ AX; JZ done

// SET_START and STORE_NEXT are the tile's ROW_SETY and ROW_STOREY, for
// EACH_ROW6.
#define SET_START(acc0, acc1) ROW_SETY(acc0, acc1, start)
#define STORE_NEXT(acc0, acc1) ROW_STOREY(acc0, acc1, next)

// Decode streams: a panel's next lines asked for this far ahead (bytes),
// into L1 (AHEAD) and into L2 (FAR), as the AVX-512 row kernels do.
// ReadModel on avx2, gemv/read, two alternate rounds, one / two threads:
// f32 1.01–1.03 / 1.02–1.05 with AHEAD alone, 1.09–1.10 / 1.14–1.17 with
// FAR too; f16 0.96 / 0.95–0.96 and 1.03–1.05 / 1.02–1.08.
#define ROW_AHEAD 4096
#define ROW_AHEAD16 2048
#define ROW_FAR 8192
#define ROW_FAR16 4096

// PAIR_ARGS starts a row kernel: R9 = ldb, DI = c, R11 = the pairs of
// panels left (2), SI = the first pair's first panel.
#define PAIR_ARGS \
	MOVQ ldb+24(FP), R9 \
	MOVQ c+32(FP), DI \
	MOVQ $2, R11 \
	MOVQ b+16(FP), SI

// PAIR_START clears a pair's sums (panel q's in Y4q..Y4q+3) and loads CX =
// k, R8 = x; to store if k is 0.
#define PAIR_START(store) \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7 \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), R8 \
	TESTQ CX, CX \
	JZ    store

// PAIR_NEXT stores a pair's 64 sums at DI and moves to the next pair
// (panels 2 and 3, from b + 2·ldb), or returns after the second.
#define PAIR_NEXT(pair) \
	VMOVUPS Y0, (DI); VMOVUPS Y1, 32(DI); VMOVUPS Y2, 64(DI); VMOVUPS Y3, 96(DI) \
	VMOVUPS Y4, 128(DI); VMOVUPS Y5, 160(DI); VMOVUPS Y6, 192(DI); VMOVUPS Y7, 224(DI) \
	ADDQ $256, DI \
	MOVQ b+16(FP), SI \
	LEAQ (SI)(R9*2), SI \
	DECQ R11 \
	JNZ  pair \
	VZEROUPPER \
	RET

// WIDE_PAIR is one column of a 16-bit row kernel's pair of panels (at
// base and base + R9): x[p] (at xp) broadcast, each panel's 32 weights
// widened by load, eight at a time into Y9..Y12, and multiplied in; the
// next column.
#define WIDE_PAIR(base, xp, load) \
	PREFETCH2(PREFETCHT0, ROW_AHEAD16, base, R9) \
	PREFETCH2(PREFETCHT1, ROW_FAR16, base, R9) \
	VBROADCASTSS (xp), Y8 \
	load((base), Y9); load(16(base), Y10); load(32(base), Y11); load(48(base), Y12) \
	VFMADD231PS Y9, Y8, Y0; VFMADD231PS Y10, Y8, Y1; VFMADD231PS Y11, Y8, Y2; VFMADD231PS Y12, Y8, Y3 \
	load((base)(R9*1), Y9); load(16(base)(R9*1), Y10); load(32(base)(R9*1), Y11); load(48(base)(R9*1), Y12) \
	VFMADD231PS Y9, Y8, Y4; VFMADD231PS Y10, Y8, Y5; VFMADD231PS Y11, Y8, Y6; VFMADD231PS Y12, Y8, Y7 \
	ADDQ $64, base \
	ADDQ $4, xp

// LOAD8Y and STORE8Y move a pair's 64 sums between Y0..Y7 and off(DI).
#define LOAD8Y(off) \
	VMOVUPS off(DI), Y0; VMOVUPS off+32(DI), Y1; VMOVUPS off+64(DI), Y2; VMOVUPS off+96(DI), Y3 \
	VMOVUPS off+128(DI), Y4; VMOVUPS off+160(DI), Y5; VMOVUPS off+192(DI), Y6; VMOVUPS off+224(DI), Y7

#define STORE8Y(off) \
	VMOVUPS Y0, off(DI); VMOVUPS Y1, off+32(DI); VMOVUPS Y2, off+64(DI); VMOVUPS Y3, off+96(DI) \
	VMOVUPS Y4, off+128(DI); VMOVUPS Y5, off+160(DI); VMOVUPS Y6, off+192(DI); VMOVUPS Y7, off+224(DI)

// WIDE_PASS runs BX columns of the pair at base (from x at R8), its sums
// kept at off(DI) between passes.
#define WIDE_PASS(base, off, load, loop) \
	LOAD8Y(off) \
	MOVQ BX, AX \
	MOVQ R8, R11 \
loop: \
	WIDE_PAIR(base, R11, load) \
	DECQ AX \
	JNZ  loop \
	STORE8Y(off)

// WIDE_ROW4 is a 16-bit row kernel: the sums start at 0 in c; then, a
// chunk of up to 64 columns at a time, panels 0 and 1 (SI), then 2 and 3
// (R10), so that the four panels stream from memory together, as four
// streams, where two pairs one after the other would be two at a time.
// ReadModel f16, gemv/read, four alternate rounds: one thread 0.94–0.96,
// against 0.93–0.95 for the pairs one after the other and 0.95–0.97 for
// the rows' far4 kernels (the dot-product path); two threads 0.93–1.03,
// 0.97–1.01 and 0.96–1.01.
#define WIDE_ROW4(load, chunk, p0, p1, done) \
	MOVQ ldb+24(FP), R9 \
	MOVQ c+32(FP), DI \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7 \
	STORE8Y(0); STORE8Y(256) \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), R8 \
	MOVQ b+16(FP), SI \
	LEAQ (SI)(R9*2), R10 \
chunk: \
	TESTQ CX, CX \
	JZ    done \
	MOVQ $64, BX \
	CMPQ CX, BX \
	CMOVQLT CX, BX \
	SUBQ BX, CX \
	WIDE_PASS(SI, 0, load, p0) \
	WIDE_PASS(R10, 256, load, p1) \
	LEAQ (R8)(BX*4), R8 \
	JMP  chunk \
done: \
	VZEROUPPER \
	RET

// TRANSPOSE8 turns rows 0..7 (Y0..Y7) of eight floats into columns:
// Y8+j holds column j of the eight rows.
#define TRANSPOSE8 \
	VUNPCKLPS Y1, Y0, Y8; VUNPCKHPS Y1, Y0, Y9; VUNPCKLPS Y3, Y2, Y10; VUNPCKHPS Y3, Y2, Y11 \
	VUNPCKLPS Y5, Y4, Y12; VUNPCKHPS Y5, Y4, Y13; VUNPCKLPS Y7, Y6, Y14; VUNPCKHPS Y7, Y6, Y15 \
	VSHUFPS $0x44, Y10, Y8, Y0; VSHUFPS $0xEE, Y10, Y8, Y1; VSHUFPS $0x44, Y11, Y9, Y2; VSHUFPS $0xEE, Y11, Y9, Y3 \
	VSHUFPS $0x44, Y14, Y12, Y4; VSHUFPS $0xEE, Y14, Y12, Y5; VSHUFPS $0x44, Y15, Y13, Y6; VSHUFPS $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8; VPERM2F128 $0x20, Y5, Y1, Y9; VPERM2F128 $0x20, Y6, Y2, Y10; VPERM2F128 $0x20, Y7, Y3, Y11 \
	VPERM2F128 $0x31, Y4, Y0, Y12; VPERM2F128 $0x31, Y5, Y1, Y13; VPERM2F128 $0x31, Y6, Y2, Y14; VPERM2F128 $0x31, Y7, Y3, Y15

// PANEL8 lays out eight weight rows (from R11, DX bytes apart, R9 = 3·DX)
// by eight columns: column j's eight values at off + 128·j bytes from DI
// (rows off/4.. of the panel's row j); then moves R11 eight rows on.
#define PANEL8(off) \
	LEAQ (R11)(DX*4), R12 \
	VMOVUPS (R11), Y0; VMOVUPS (R11)(DX*1), Y1; VMOVUPS (R11)(DX*2), Y2; VMOVUPS (R11)(R9*1), Y3 \
	VMOVUPS (R12), Y4; VMOVUPS (R12)(DX*1), Y5; VMOVUPS (R12)(DX*2), Y6; VMOVUPS (R12)(R9*1), Y7 \
	TRANSPOSE8 \
	VMOVUPS Y8, off(DI); VMOVUPS Y9, off+128(DI); VMOVUPS Y10, off+256(DI); VMOVUPS Y11, off+384(DI) \
	VMOVUPS Y12, off+512(DI); VMOVUPS Y13, off+640(DI); VMOVUPS Y14, off+768(DI); VMOVUPS Y15, off+896(DI) \
	LEAQ (R11)(DX*8), R11

// WIDEN8 is a widener's body: k (a multiple of 8) 16-bit weights at src
// widened by load to floats at dst, eight at a time.
#define WIDEN8(load, loop, done) \
	MOVQ k+0(FP), CX \
	MOVQ src+8(FP), SI \
	MOVQ dst+16(FP), DI \
	SHRQ $3, CX \
	JZ   done \
loop: \
	load((SI), Y0) \
	VMOVUPS Y0, (DI) \
	ADDQ $16, SI \
	ADDQ $32, DI \
	DECQ CX \
	JNZ  loop \
done: \
	VZEROUPPER \
	RET

// func panTile6x32AVX2(k int, a, b, c *float32, ldc, m int, load bool, bias *float32)
//
// for h < 2 (the panel's halves); for r < m; for j in [16h, 16h+16):
//	s := 0 (or c[r·ldc+j] with load)
//	for p < k: s = fma(a[p·6+r], b[p·32+j], s)
//	if bias != nil: s += bias[j]
//	c[r·ldc+j] = s
//
// R12 is the half's offset in bytes (0, then 64) into b's rows, c's rows
// and bias. Packed rows past m are zero; their sums are not stored.
TEXT ·panTile6x32AVX2(SB), NOSPLIT, $0-64
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX
	XORQ R12, R12
half:
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), R8
	MOVQ b+16(FP), SI
	ADDQ R12, SI
	MOVQ c+24(FP), BX
	ADDQ R12, BX
	EACH_ROW6(ZERO2Y)
	CMPB load+48(FP), $0
	JEQ  start
	MOVQ BX, DI
	MOVQ m+40(FP), AX
	EACH_ROW6(SET_START)
start:
	TESTQ CX, CX
	JZ    store
loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	ROW2Y(0, Y4, Y5)
	ROW2Y(4, Y6, Y7)
	ROW2Y(8, Y8, Y9)
	ROW2Y(12, Y10, Y11)
	ROW2Y(16, Y12, Y13)
	ROW2Y(20, Y14, Y15)
	ADDQ $128, SI
	ADDQ $24, R8
	DECQ CX
	JNZ  loop
store:
	MOVQ bias+56(FP), R9
	TESTQ R9, R9
	JZ   nobias
	VMOVUPS (R9)(R12*1), Y0
	VMOVUPS 32(R9)(R12*1), Y1
	EACH_ROW6(BIAS2Y)
nobias:
	MOVQ BX, DI
	MOVQ m+40(FP), AX
	EACH_ROW6(STORE_NEXT)
next:
	ADDQ $64, R12
	CMPQ R12, $128
	JLT  half
	VZEROUPPER
	RET

// func panRow4F32AVX2(k int, x *float32, b *byte, ldb int, c *float32)
//
// for q < 4; for j < 32:
//	s := 0
//	for p < k: s = fma(x[p], b_q[p·32+j], s)   // b_q: the f32 panel at b + q·ldb bytes
//	c[q·32+j] = s
//
// Panels 0 and 1, then 2 and 3: eight sums of eight in registers.
TEXT ·panRow4F32AVX2(SB), NOSPLIT, $0-40
	PAIR_ARGS
f32pair:
	PAIR_START(f32store)
f32loop:
	PREFETCH2(PREFETCHT0, ROW_AHEAD, SI, R9)
	PREFETCH2(PREFETCHT0, ROW_AHEAD+64, SI, R9)
	PREFETCH2(PREFETCHT1, ROW_FAR, SI, R9)
	PREFETCH2(PREFETCHT1, ROW_FAR+64, SI, R9)
	VBROADCASTSS (R8), Y8
	VFMADD231PS (SI), Y8, Y0
	VFMADD231PS 32(SI), Y8, Y1
	VFMADD231PS 64(SI), Y8, Y2
	VFMADD231PS 96(SI), Y8, Y3
	VFMADD231PS (SI)(R9*1), Y8, Y4
	VFMADD231PS 32(SI)(R9*1), Y8, Y5
	VFMADD231PS 64(SI)(R9*1), Y8, Y6
	VFMADD231PS 96(SI)(R9*1), Y8, Y7
	ADDQ $128, SI
	ADDQ $4, R8
	DECQ CX
	JNZ  f32loop
f32store:
	PAIR_NEXT(f32pair)

// func panRow4F16AVX2(k int, x *float32, b *byte, ldb int, c *float32)
//
// panRow4F32AVX2 for f16 panels, each weight widened to f32.
TEXT ·panRow4F16AVX2(SB), NOSPLIT, $0-40
	WIDE_ROW4(LOAD_F16, f16chunk, f16p0, f16p1, f16done)

// func panRow4BF16AVX2(k int, x *float32, b *byte, ldb int, c *float32)
//
// panRow4F32AVX2 for bf16 panels, each weight widened to f32.
TEXT ·panRow4BF16AVX2(SB), NOSPLIT, $0-40
	WIDE_ROW4(LOAD_BF16, bf16chunk, bf16p0, bf16p1, bf16done)

// func widenF16AVX2(k int, src *byte, dst *float32)
//
// for c < k (a multiple of 8): dst[c] = F16ToF32(half c of src)
TEXT ·widenF16AVX2(SB), NOSPLIT, $0-24
	WIDEN8(LOAD_F16, wf16loop, wf16done)

// func widenBF16AVX2(k int, src *byte, dst *float32)
//
// widenF16AVX2 for bf16: each value zero-extended and shifted into the top
// half of a float.
TEXT ·widenBF16AVX2(SB), NOSPLIT, $0-24
	WIDEN8(LOAD_BF16, wbf16loop, wbf16done)

// func packPanelF32AVX2(k int, src *float32, lds int, dst *float32)
//
// for p < k&^15; for r < 32: dst[p·32+r] = src[r·lds+p]
//
// Eight columns at a time, the panel's 32 rows as four 8×8 transposes.
TEXT ·packPanelF32AVX2(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	SHRQ $4, CX
	JZ   ppdone
	SHLQ $1, CX
	MOVQ src+8(FP), R10
	MOVQ lds+16(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R9
	MOVQ dst+24(FP), DI
pploop:
	MOVQ R10, R11
	PANEL8(0)
	PANEL8(32)
	PANEL8(64)
	PANEL8(96)
	ADDQ $32, R10
	ADDQ $1024, DI
	DECQ CX
	JNZ  pploop
ppdone:
	VZEROUPPER
	RET
