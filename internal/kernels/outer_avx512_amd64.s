//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// Products in outer-product order (outer.go) for AVX-512: each output one
// running FMA sum over p, 16 columns to a register.

// NVMASK sets mask k to all 16 lanes if CX > v, else to none: the stores
// of column vector v happen only when it is one of the nv asked for.
#define NVMASK(v, k) \
	XORL R12, R12; CMPQ CX, $v; SETGT R12B; NEGL R12; KMOVW R12, k

// SET_ROW stores row acc vectors z0..z3 at DI (masked by K1..K4).
#define SET_ROW(z0, z1, z2, z3) \
	VMOVUPS z0, K1, (DI); VMOVUPS z1, K2, 64(DI); VMOVUPS z2, K3, 128(DI); VMOVUPS z3, K4, 192(DI)

// ADD_ROW adds row acc vectors z0..z3 to the floats at DI (masked by
// K1..K4): c + acc.
#define ADD_ROW(z0, z1, z2, z3) \
	VMOVUPS.Z (DI), K1, Z0; VADDPS z0, Z0, z0; VMOVUPS z0, K1, (DI) \
	VMOVUPS.Z 64(DI), K2, Z1; VADDPS z1, Z1, z1; VMOVUPS z1, K2, 64(DI) \
	VMOVUPS.Z 128(DI), K3, Z2; VADDPS z2, Z2, z2; VMOVUPS z2, K3, 128(DI) \
	VMOVUPS.Z 192(DI), K4, Z3; VADDPS z3, Z3, z3; VMOVUPS z3, K4, 192(DI)

// LAST4_ROWS applies M (SET_ROW or ADD_ROW) to the sums of the rows in
// Z16..Z31, the four-row tile's and the six-row tile's last four, DX
// bytes apart from DI; FIRST2_ROWS to the six-row tile's first two (Z8..Z15),
// leaving DI at its third row.
#define LAST4_ROWS(M) \
	M(Z16, Z17, Z18, Z19); ADDQ DX, DI; M(Z20, Z21, Z22, Z23); ADDQ DX, DI \
	M(Z24, Z25, Z26, Z27); ADDQ DX, DI; M(Z28, Z29, Z30, Z31)

#define FIRST2_ROWS(M) \
	M(Z8, Z9, Z10, Z11); ADDQ DX, DI; M(Z12, Z13, Z14, Z15); ADDQ DX, DI

// TILE_STORE_ARGS sets the masks K1..K4 of a tile's nv vectors, DI = c
// and DX = ldc in bytes, and goes to adding when the sums are added to c.
#define TILE_STORE_ARGS(adding) \
	MOVQ nv+56(FP), CX \
	NVMASK(0, K1); NVMASK(1, K2); NVMASK(2, K3); NVMASK(3, K4) \
	MOVQ c+40(FP), DI \
	MOVQ ldc+48(FP), DX \
	SHLQ $2, DX \
	CMPB add+64(FP), $0 \
	JNE  adding

// FMA4 adds the broadcast z times the row of b in Z0..Z3 to acc0..acc3.
#define FMA4(z, acc0, acc1, acc2, acc3) \
	VFMADD231PS Z0, z, acc0; VFMADD231PS Z1, z, acc1; VFMADD231PS Z2, z, acc2; VFMADD231PS Z3, z, acc3

// FMA4S adds the broadcast at m times the row of b in Z0..Z3 to acc0..acc3.
#define FMA4S(m, z, acc0, acc1, acc2, acc3) \
	VBROADCASTSS m, z; FMA4(z, acc0, acc1, acc2, acc3)

#define ZERO16 \
	VPXORD Z16, Z16, Z16; VPXORD Z17, Z17, Z17; VPXORD Z18, Z18, Z18; VPXORD Z19, Z19, Z19 \
	VPXORD Z20, Z20, Z20; VPXORD Z21, Z21, Z21; VPXORD Z22, Z22, Z22; VPXORD Z23, Z23, Z23 \
	VPXORD Z24, Z24, Z24; VPXORD Z25, Z25, Z25; VPXORD Z26, Z26, Z26; VPXORD Z27, Z27, Z27 \
	VPXORD Z28, Z28, Z28; VPXORD Z29, Z29, Z29; VPXORD Z30, Z30, Z30; VPXORD Z31, Z31, Z31

// func outer4x64AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
//
// Four rows of a (R8..R11) by 64 columns of b, row r's sums in
// Z16+4r..Z19+4r: for p < k, acc[r][j] += a[r·lda+p]·b[p·ldb+j]; then
// the first nv vectors of 16 of each row are stored at c + r·ldc, or
// added to it.
TEXT ·outer4x64AVX512(SB), NOSPLIT, $0-65
	OUTER_ARGS
	ZERO16
	TESTQ CX, CX
	JZ    o4store
o4loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VBROADCASTSS (R8), Z4
	VBROADCASTSS (R9), Z5
	VBROADCASTSS (R10), Z6
	VBROADCASTSS (R11), Z7
	FMA4(Z4, Z16, Z17, Z18, Z19)
	FMA4(Z5, Z20, Z21, Z22, Z23)
	FMA4(Z6, Z24, Z25, Z26, Z27)
	FMA4(Z7, Z28, Z29, Z30, Z31)
	ADDQ BX, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JNZ  o4loop
o4store:
	TILE_STORE_ARGS(o4add)
	LAST4_ROWS(SET_ROW)
	VZEROUPPER
	RET
o4add:
	LAST4_ROWS(ADD_ROW)
	VZEROUPPER
	RET

// func outer6x64AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
//
// outer4x64AVX512 for six rows (R8, R8+lda, R8+2·lda and the same from
// R11 = R8+3·lda), row r's sums in Z8+4r..Z11+4r.
TEXT ·outer6x64AVX512(SB), NOSPLIT, $0-65
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), R8
	MOVQ lda+16(FP), AX
	SHLQ $2, AX
	LEAQ (R8)(AX*2), R11
	ADDQ AX, R11
	MOVQ b+24(FP), SI
	MOVQ ldb+32(FP), BX
	SHLQ $2, BX
	VPXORD Z8, Z8, Z8; VPXORD Z9, Z9, Z9; VPXORD Z10, Z10, Z10; VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12; VPXORD Z13, Z13, Z13; VPXORD Z14, Z14, Z14; VPXORD Z15, Z15, Z15
	ZERO16
	TESTQ CX, CX
	JZ    o6store
o6loop:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	FMA4S((R8), Z4, Z8, Z9, Z10, Z11)
	FMA4S((R8)(AX*1), Z5, Z12, Z13, Z14, Z15)
	FMA4S((R8)(AX*2), Z6, Z16, Z17, Z18, Z19)
	FMA4S((R11), Z7, Z20, Z21, Z22, Z23)
	FMA4S((R11)(AX*1), Z4, Z24, Z25, Z26, Z27)
	FMA4S((R11)(AX*2), Z5, Z28, Z29, Z30, Z31)
	ADDQ BX, SI
	ADDQ $4, R8
	ADDQ $4, R11
	DECQ CX
	JNZ  o6loop
o6store:
	TILE_STORE_ARGS(o6add)
	FIRST2_ROWS(SET_ROW)
	LAST4_ROWS(SET_ROW)
	VZEROUPPER
	RET
o6add:
	FIRST2_ROWS(ADD_ROW)
	LAST4_ROWS(ADD_ROW)
	VZEROUPPER
	RET

// ROW_STEP(loads, fmas) is one p of the row kernel: the row of b at SI
// loaded (LOADSn: its first n vectors into Z0..), a[p] broadcast into Z4
// and multiplied in (FMASn: into Z16..; all four are FMA4's), the next p.
#define ROW_STEP(loads, fmas) \
	loads; VBROADCASTSS (R8), Z4; fmas; ADDQ BX, SI; ADDQ $4, R8

#define LOADS1 VMOVUPS (SI), Z0
#define LOADS2 LOADS1; VMOVUPS 64(SI), Z1
#define LOADS3 LOADS2; VMOVUPS 128(SI), Z2
#define LOADS4 LOADS3; VMOVUPS 192(SI), Z3
#define FMAS1 VFMADD231PS Z0, Z4, Z16
#define FMAS2 FMAS1; VFMADD231PS Z1, Z4, Z17
#define FMAS3 FMAS2; VFMADD231PS Z2, Z4, Z18

// func outer1x64AVX512(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)
//
// outer4x64AVX512 for one row, its sums in Z16..Z19. Only the nv column
// vectors asked for are read: decode's scores read a block of 64 keys
// whose last columns are still empty. A decode step's attention over
// all layers, cold, GPT-2 small, 60 alternate rounds (medians of the
// ratios, one / two threads): position 20 (two vectors of four) 1.31× /
// 1.15×, 72 (one) 1.11× / 1.10×, 128 (one) 1.06× / 1.04×; with three
// vectors 1.00–1.05×, as the fourth is the adjacent line that the
// hardware fetches with the third anyway. (The same for AVX2's
// 32-column kernel, whose nv = 1 skips only such a line: 0.94–1.01×.)
TEXT ·outer1x64AVX512(SB), NOSPLIT, $0-49
	OUTER_ROW_ARGS
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	TESTQ CX, CX
	JZ    o1store
	MOVQ nv+40(FP), DX
	CMPQ DX, $3
	JLT  o1narrow
	JEQ  o1loop3
o1loop4:
	ROW_STEP(LOADS4, FMA4(Z4, Z16, Z17, Z18, Z19))
	DECQ CX
	JNZ  o1loop4
	JMP  o1store
o1loop3:
	ROW_STEP(LOADS3, FMAS3)
	DECQ CX
	JNZ  o1loop3
	JMP  o1store
o1narrow:
	CMPQ DX, $2
	JLT  o1loop1
o1loop2:
	ROW_STEP(LOADS2, FMAS2)
	DECQ CX
	JNZ  o1loop2
	JMP  o1store
o1loop1:
	ROW_STEP(LOADS1, FMAS1)
	DECQ CX
	JNZ  o1loop1
o1store:
	MOVQ nv+40(FP), CX
	NVMASK(0, K1)
	NVMASK(1, K2)
	NVMASK(2, K3)
	NVMASK(3, K4)
	MOVQ c+32(FP), DI
	CMPB add+48(FP), $0
	JNE  o1add
	SET_ROW(Z16, Z17, Z18, Z19)
	VZEROUPPER
	RET
o1add:
	ADD_ROW(Z16, Z17, Z18, Z19)
	VZEROUPPER
	RET
