//go:build !purego

#include "textflag.h"
#include "transpose_avx512_amd64.h"
#include "rows_amd64.h"

// Products with f32 weight panels for AVX-512 (panel.go): each output one
// running FMA sum over p, 16 outputs to a register, a panel's 32 in two.

// ROW2 adds a[r] (broadcast from off(R8)) times the panel's row in Z0, Z1
// to acc0, acc1.
#define ROW2(off, acc0, acc1) \
	VBROADCASTSS off(R8), Z2; VFMADD231PS Z0, Z2, acc0; VFMADD231PS Z1, Z2, acc1

// ROW_SET sets acc0, acc1 to the row at DI (the next row after) unless
// the m rows (AX) are done.
#define ROW_SET(acc0, acc1, done) \
	VMOVUPS (DI), acc0; VMOVUPS 64(DI), acc1; ADDQ DX, DI; DECQ AX; JZ done

#define ROW_STORE(acc0, acc1, done) \
	VMOVUPS acc0, (DI); VMOVUPS acc1, 64(DI); ADDQ DX, DI; DECQ AX; JZ done

// SET_START and STORE_DONE are the tile's ROW_SET and ROW_STORE, for
// EACH_ROW.
#define SET_START(acc0, acc1) ROW_SET(acc0, acc1, start)
#define STORE_DONE(acc0, acc1) ROW_STORE(acc0, acc1, done)

// EACH_ROW applies M to each of the tile's twelve rows of sums (Z8+2r,
// Z9+2r).
#define EACH_ROW(M) \
	M(Z8, Z9); M(Z10, Z11); M(Z12, Z13); M(Z14, Z15); M(Z16, Z17); M(Z18, Z19) \
	M(Z20, Z21); M(Z22, Z23); M(Z24, Z25); M(Z26, Z27); M(Z28, Z29); M(Z30, Z31)

// ZERO2 clears a row's sums; BIAS2 adds the bias row in Z0, Z1 to them.
#define ZERO2(acc0, acc1) VPXORD acc0, acc0, acc0; VPXORD acc1, acc1, acc1
#define BIAS2(acc0, acc1) VADDPS Z0, acc0, acc0; VADDPS Z1, acc1, acc1

// PANELS_PROLOGUE loads a row kernel's arguments (k int, x *float32, b
// *byte, ldb int, c *float32) into CX, R8, SI, R9 (R10 = 3·ldb) and
// clears the sums, panel q's in Z16+2q, Z17+2q.
#define PANELS_PROLOGUE \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), R8 \
	MOVQ b+16(FP), SI \
	MOVQ ldb+24(FP), R9 \
	LEAQ (R9)(R9*2), R10 \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23

// PANELS_STORE stores the four panels' sums at c and returns.
#define PANELS_STORE \
	MOVQ c+32(FP), DI \
	VMOVUPS Z16, (DI); VMOVUPS Z17, 64(DI); VMOVUPS Z18, 128(DI); VMOVUPS Z19, 192(DI) \
	VMOVUPS Z20, 256(DI); VMOVUPS Z21, 320(DI); VMOVUPS Z22, 384(DI); VMOVUPS Z23, 448(DI) \
	VZEROUPPER \
	RET

// PANEL_PREFETCH asks for the line ahead bytes past each of the four
// panels' position into L1; PANEL_PREFETCH_L2 into L2.
#define PANEL_PREFETCH(ahead) PREFETCH4(PREFETCHT0, ahead, SI, R9, R10)
#define PANEL_PREFETCH_L2(ahead) PREFETCH4(PREFETCHT1, ahead, SI, R9, R10)

// Decode streams: a panel's next lines asked for this far ahead (bytes).
// GemvModel f32 at two threads, against the rows' far kernels in the same
// runs: 1 KiB 23.2–23.6 against 27.6–28.2 GB/s, 2 KiB 26.6–28.9 against
// 24.5–26.8, 4 KiB 29.5–32.6 against 25.9–30.6, 8 KiB 29.9–30.7 against
// 29.4–31.6.
#define ROW_AHEAD 4096

// ROW_FAR: and this far ahead into L2, as ROW_FAR16 below (figures
// against the bandwidth probe as it was, without prefetches). bench f32
// tg128 at two threads, four alternate rounds: of the ceiling 90–97 %
// without, 103–107 % with; at one thread 96–98 % and 94–103 %. ReadModel
// f32 gemv/read with 8 KiB 1.03–1.18, 16 KiB 0.99–1.07.
#define ROW_FAR 8192

// ROW_AHEAD16 is ROW_AHEAD for the f16 and bf16 kernels. ReadModel f16,
// gemv/read: 2 KiB 0.90–0.92 at one thread and 0.90–0.91 at two, 4 KiB
// 0.90–0.91 and 0.87–0.88, 8 KiB 0.85–0.87 and 0.86–0.88.
#define ROW_AHEAD16 2048

// ROW_FAR16: the f16 and bf16 kernels also ask for each panel's line this
// far ahead into L2 (PREFETCHT1), so that more lines are on their way
// than the T0 prefetches alone keep in flight. ReadModel f16, gemv/read
// (against the probe without prefetches), alternating runs: T0 alone
// 0.90–0.96; with T1 at 4 KiB 0.99–1.01, 6 KiB 0.97–1.03, 8 KiB
// 0.97–1.01, 12 KiB 0.97–1.00 (T2 at 6 KiB 0.99–1.02). Without the
// conversion's work (the same bytes read as f32, T0 alone) it read
// 0.96–0.97.
#define ROW_FAR16 4096

// WIDE2 adds x[p] (Z0) times a row of 32 weights widened into Z1, Z2 by
// the including kernel's load to acc0, acc1.
#define WIDE2(acc0, acc1) \
	VFMADD231PS Z1, Z0, acc0; VFMADD231PS Z2, Z0, acc1

// WIDE_STEP is one column of a 16-bit row kernel: x[p] broadcast, each
// panel's 32 weights widened by load and multiplied in, the next column.
#define WIDE_STEP(load) \
	PANEL_PREFETCH(ROW_AHEAD16) \
	PANEL_PREFETCH_L2(ROW_FAR16) \
	VBROADCASTSS (R8), Z0 \
	load((SI), 32(SI)); WIDE2(Z16, Z17) \
	load((SI)(R9*1), 32(SI)(R9*1)); WIDE2(Z18, Z19) \
	load((SI)(R9*2), 32(SI)(R9*2)); WIDE2(Z20, Z21) \
	load((SI)(R10*1), 32(SI)(R10*1)); WIDE2(Z22, Z23) \
	ADDQ $64, SI; ADDQ $4, R8

// F16_LOAD widens the 32 f16 weights at m (two 16-weight halves).
#define F16_LOAD(lo, hi) \
	VCVTPH2PS lo, Z1; VCVTPH2PS hi, Z2

// BF16_LOAD widens the 32 bf16 weights at m: zero-extended and shifted
// into the top half of each float.
#define BF16_LOAD(lo, hi) \
	VPMOVZXWD lo, Z1; VPMOVZXWD hi, Z2; VPSLLD $16, Z1, Z1; VPSLLD $16, Z2, Z2

// PACK4 transposes the 16 columns at base of four rows (DX bytes apart,
// R9 = 3·DX) and stores each column's four values at off + st·column
// bytes from DI: rows r..r+3 of columns p..p+15 of a block of st/4 rows.
#define PACK4(base, off, st) \
	LOAD4(base) \
	TRANSPOSE4 \
	STORE4T(off, st)

// TRANSPOSE8W turns rows 0..7 (Z0..Z7) of 16-bit values into columns: in
// each 128-bit lane L, Z8+j holds column 8L+j of the eight rows.
#define TRANSPOSE8W \
	VPUNPCKLWD Z1, Z0, Z8; VPUNPCKHWD Z1, Z0, Z9; VPUNPCKLWD Z3, Z2, Z10; VPUNPCKHWD Z3, Z2, Z11 \
	VPUNPCKLWD Z5, Z4, Z12; VPUNPCKHWD Z5, Z4, Z13; VPUNPCKLWD Z7, Z6, Z14; VPUNPCKHWD Z7, Z6, Z15 \
	VPUNPCKLDQ Z10, Z8, Z0; VPUNPCKHDQ Z10, Z8, Z1; VPUNPCKLDQ Z11, Z9, Z2; VPUNPCKHDQ Z11, Z9, Z3 \
	VPUNPCKLDQ Z14, Z12, Z4; VPUNPCKHDQ Z14, Z12, Z5; VPUNPCKLDQ Z15, Z13, Z6; VPUNPCKHDQ Z15, Z13, Z7 \
	VPUNPCKLQDQ Z4, Z0, Z8; VPUNPCKHQDQ Z4, Z0, Z9; VPUNPCKLQDQ Z5, Z1, Z10; VPUNPCKHQDQ Z5, Z1, Z11 \
	VPUNPCKLQDQ Z6, Z2, Z12; VPUNPCKHQDQ Z6, Z2, Z13; VPUNPCKLQDQ Z7, Z3, Z14; VPUNPCKHQDQ Z7, Z3, Z15

// LANE_STORES stores the 128-bit lane L of Z8..Z15 (column 8L+j in Z8+j)
// at off + 64·(8L+j) bytes from DI.
#define LANE_STORES(L, off) \
	VEXTRACTI32X4 $L, Z8, off+(8*L+0)*64(DI); VEXTRACTI32X4 $L, Z9, off+(8*L+1)*64(DI) \
	VEXTRACTI32X4 $L, Z10, off+(8*L+2)*64(DI); VEXTRACTI32X4 $L, Z11, off+(8*L+3)*64(DI) \
	VEXTRACTI32X4 $L, Z12, off+(8*L+4)*64(DI); VEXTRACTI32X4 $L, Z13, off+(8*L+5)*64(DI) \
	VEXTRACTI32X4 $L, Z14, off+(8*L+6)*64(DI); VEXTRACTI32X4 $L, Z15, off+(8*L+7)*64(DI)

// PACK8W transposes the 32 columns at base of eight 16-bit rows (rows 4–7
// from base4; DX bytes apart, R9 = 3·DX) and stores each column's eight
// values at off + 64·column bytes from DI: rows r..r+7 of a 32-row panel.
#define PACK8W(base, base4, off) \
	VMOVDQU64 (base), Z0; VMOVDQU64 (base)(DX*1), Z1; VMOVDQU64 (base)(DX*2), Z2; VMOVDQU64 (base)(R9*1), Z3 \
	VMOVDQU64 (base4), Z4; VMOVDQU64 (base4)(DX*1), Z5; VMOVDQU64 (base4)(DX*2), Z6; VMOVDQU64 (base4)(R9*1), Z7 \
	TRANSPOSE8W \
	LANE_STORES(0, off); LANE_STORES(1, off); LANE_STORES(2, off); LANE_STORES(3, off)

// PANEL_PACK_ARGS loads a weight packer's arguments (k int, src, lds int,
// dst): CX = k >> kshift (the column blocks; to done if none), R10 = src,
// DX = lds << eshift (a row's bytes), R9 = 3·DX, R12 = 4·DX, DI = dst.
#define PANEL_PACK_ARGS(kshift, eshift, done) \
	MOVQ k+0(FP), CX; SHRQ $kshift, CX; JZ done \
	MOVQ src+8(FP), R10 \
	MOVQ lds+16(FP), DX; SHLQ $eshift, DX \
	LEAQ (DX)(DX*2), R9; MOVQ DX, R12; SHLQ $2, R12 \
	MOVQ dst+24(FP), DI

// NEXT_PACK4 and NEXT_PACK8W lay out the next row group of a weight panel
// from R11 (rows R12 bytes apart in fours) and move R11 past it.
#define NEXT_PACK4(off) \
	PACK4(R11, off, 128); ADDQ R12, R11

#define NEXT_PACK8W(off) \
	LEAQ (R11)(R12*1), R13; PACK8W(R11, R13, off); LEAQ (R13)(R12*1), R11

// PANEL_PACK_NEXT moves a weight packer to its next column block (64
// bytes of each row in, 2048 bytes of panel out) and loops while CX
// blocks remain.
#define PANEL_PACK_NEXT(loop) \
	ADDQ $64, R10; ADDQ $2048, DI; DECQ CX; JNZ loop

// func panTile12x32AVX512(k int, a, b, c *float32, ldc, m int, load bool, bias *float32)
//
// for r < m; for j < 32:
//	s := 0 (or c[r·ldc+j] with load)
//	for p < k: s = fma(a[p·12+r], b[p·32+j], s)
//	if bias != nil: s += bias[j]
//	c[r·ldc+j] = s
//
// Row r's sums are in Z8+2r, Z9+2r. Packed rows past m are zero; their
// sums are not stored.
TEXT ·panTile12x32AVX512(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), R8
	MOVQ b+16(FP), SI
	MOVQ c+24(FP), BX
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX
	EACH_ROW(ZERO2)
	CMPB load+48(FP), $0
	JEQ  start
	MOVQ BX, DI
	MOVQ m+40(FP), AX
	EACH_ROW(SET_START)
start:
	TESTQ CX, CX
	JZ    store
loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	ROW2(0, Z8, Z9)
	ROW2(4, Z10, Z11)
	ROW2(8, Z12, Z13)
	ROW2(12, Z14, Z15)
	ROW2(16, Z16, Z17)
	ROW2(20, Z18, Z19)
	ROW2(24, Z20, Z21)
	ROW2(28, Z22, Z23)
	ROW2(32, Z24, Z25)
	ROW2(36, Z26, Z27)
	ROW2(40, Z28, Z29)
	ROW2(44, Z30, Z31)
	ADDQ $128, SI
	ADDQ $48, R8
	DECQ CX
	JNZ  loop
store:
	MOVQ bias+56(FP), R9
	TESTQ R9, R9
	JZ   nobias
	VMOVUPS (R9), Z0
	VMOVUPS 64(R9), Z1
	EACH_ROW(BIAS2)
nobias:
	MOVQ BX, DI
	MOVQ m+40(FP), AX
	EACH_ROW(STORE_DONE)
done:
	VZEROUPPER
	RET

// func panRow4F32AVX512(k int, x *float32, b *byte, ldb int, c *float32)
//
// for q < 4; for j < 32:
//	s := 0
//	for p < k: s = fma(x[p], b_q[p·32+j], s)   // b_q: the f32 panel at b + q·ldb bytes
//	c[q·32+j] = s
TEXT ·panRow4F32AVX512(SB), NOSPLIT, $0-40
	PANELS_PROLOGUE
	TESTQ CX, CX
	JZ    f32done
f32loop:
	PANEL_PREFETCH(ROW_AHEAD)
	PANEL_PREFETCH(ROW_AHEAD+64)
	PANEL_PREFETCH_L2(ROW_FAR)
	PANEL_PREFETCH_L2(ROW_FAR+64)
	VBROADCASTSS (R8), Z0
	VFMADD231PS (SI), Z0, Z16
	VFMADD231PS 64(SI), Z0, Z17
	VFMADD231PS (SI)(R9*1), Z0, Z18
	VFMADD231PS 64(SI)(R9*1), Z0, Z19
	VFMADD231PS (SI)(R9*2), Z0, Z20
	VFMADD231PS 64(SI)(R9*2), Z0, Z21
	VFMADD231PS (SI)(R10*1), Z0, Z22
	VFMADD231PS 64(SI)(R10*1), Z0, Z23
	ADDQ $128, SI
	ADDQ $4, R8
	DECQ CX
	JNZ  f32loop
f32done:
	PANELS_STORE

// func panRow4F16AVX512(k int, x *float32, b *byte, ldb int, c *float32)
//
// panRow4F32AVX512 for f16 panels, each weight widened to f32.
TEXT ·panRow4F16AVX512(SB), NOSPLIT, $0-40
	PANELS_PROLOGUE
	TESTQ CX, CX
	JZ    f16done
f16loop:
	WIDE_STEP(F16_LOAD)
	DECQ CX
	JNZ  f16loop
f16done:
	PANELS_STORE

// func panRow4BF16AVX512(k int, x *float32, b *byte, ldb int, c *float32)
//
// panRow4F32AVX512 for bf16 panels, each weight widened to f32.
TEXT ·panRow4BF16AVX512(SB), NOSPLIT, $0-40
	PANELS_PROLOGUE
	TESTQ CX, CX
	JZ    bf16done
bf16loop:
	WIDE_STEP(BF16_LOAD)
	DECQ CX
	JNZ  bf16loop
bf16done:
	PANELS_STORE

// func packA12AVX512(k int, x *float32, ldx int, dst *float32)
//
// for p < k&^15; for r < 12: dst[p·12+r] = x[r·ldx+p]
//
// Rows r, r+1, r+2, r+3 are transposed 16 columns at a time, 4×4 in each
// 128-bit lane, and each column's four values stored in its place.
TEXT ·packA12AVX512(SB), NOSPLIT, $0-32
	MOVQ k+0(FP), CX
	SHRQ $4, CX
	JZ   pdone
	MOVQ x+8(FP), R10
	MOVQ ldx+16(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R9
	LEAQ (R10)(DX*4), R11
	LEAQ (R11)(DX*4), R12
	MOVQ dst+24(FP), DI
ploop:
	PACK4(R10, 0, 48)
	PACK4(R11, 16, 48)
	PACK4(R12, 32, 48)
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $768, DI
	DECQ CX
	JNZ  ploop
pdone:
	VZEROUPPER
	RET

// func packPanelF32AVX512(k int, src *float32, lds int, dst *float32)
//
// for p < k&^15; for r < 32: dst[p·32+r] = src[r·lds+p]
//
// A whole f32 weight panel laid out (packPanels), 16 columns at a time:
// the 32 rows' 64-byte pieces in, eight groups of four rows transposed.
TEXT ·packPanelF32AVX512(SB), NOSPLIT, $0-32
	PANEL_PACK_ARGS(4, 2, wdone)
wloop:
	MOVQ R10, R11
	NEXT_PACK4(0)
	NEXT_PACK4(16)
	NEXT_PACK4(32)
	NEXT_PACK4(48)
	NEXT_PACK4(64)
	NEXT_PACK4(80)
	NEXT_PACK4(96)
	NEXT_PACK4(112)
	PANEL_PACK_NEXT(wloop)
wdone:
	VZEROUPPER
	RET

// func packPanel16AVX512(k int, src *uint16, lds int, dst *uint16)
//
// for p < k&^31; for r < 32: dst[p·32+r] = src[r·lds+p]
//
// A whole f16 or bf16 weight panel laid out (packPanels), 32 columns at a
// time: the 32 rows' 64-byte pieces in, four groups of eight rows
// transposed.
TEXT ·packPanel16AVX512(SB), NOSPLIT, $0-32
	PANEL_PACK_ARGS(5, 1, hdone)
hloop:
	MOVQ R10, R11
	NEXT_PACK8W(0)
	NEXT_PACK8W(16)
	NEXT_PACK8W(32)
	NEXT_PACK8W(48)
	PANEL_PACK_NEXT(hloop)
hdone:
	VZEROUPPER
	RET
