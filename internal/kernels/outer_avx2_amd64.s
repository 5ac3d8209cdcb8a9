//go:build !purego

#include "textflag.h"
#include "rows_amd64.h"

// Products in outer-product order (outer.go) for AVX2: each output one
// running FMA sum over p, 8 columns to a register.

// func outer4x16AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, nv int, add bool)
//
// Four rows of a (R8..R11) by 16 columns of b (nv is 1), row r's sums in
// Y8+2r, Y9+2r: for p < k, acc[r][j] += a[r·lda+p]·b[p·ldb+j]; then
// stored at c + r·ldc, or added to it.
TEXT ·outer4x16AVX2(SB), NOSPLIT, $0-65
	OUTER_ARGS
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	TESTQ CX, CX
	JZ    t4store
t4loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VBROADCASTSS (R8), Y2
	VBROADCASTSS (R9), Y3
	VBROADCASTSS (R10), Y4
	VBROADCASTSS (R11), Y5
	VFMADD231PS Y0, Y2, Y8
	VFMADD231PS Y1, Y2, Y9
	VFMADD231PS Y0, Y3, Y10
	VFMADD231PS Y1, Y3, Y11
	VFMADD231PS Y0, Y4, Y12
	VFMADD231PS Y1, Y4, Y13
	VFMADD231PS Y0, Y5, Y14
	VFMADD231PS Y1, Y5, Y15
	ADDQ BX, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JNZ  t4loop
t4store:
	MOVQ c+40(FP), DI
	MOVQ ldc+48(FP), DX
	SHLQ $2, DX
	CMPB add+64(FP), $0
	JE   t4set
	VADDPS (DI), Y8, Y8
	VADDPS 32(DI), Y9, Y9
	VADDPS (DI)(DX*1), Y10, Y10
	VADDPS 32(DI)(DX*1), Y11, Y11
	LEAQ (DI)(DX*2), AX
	VADDPS (AX), Y12, Y12
	VADDPS 32(AX), Y13, Y13
	VADDPS (AX)(DX*1), Y14, Y14
	VADDPS 32(AX)(DX*1), Y15, Y15
t4set:
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 32(DI)
	VMOVUPS Y10, (DI)(DX*1)
	VMOVUPS Y11, 32(DI)(DX*1)
	LEAQ (DI)(DX*2), DI
	VMOVUPS Y12, (DI)
	VMOVUPS Y13, 32(DI)
	VMOVUPS Y14, (DI)(DX*1)
	VMOVUPS Y15, 32(DI)(DX*1)
	VZEROUPPER
	RET

// func outer1x32AVX2(k int, a *float32, b *float32, ldb int, c *float32, nv int, add bool)
//
// One row by 32 columns of b, the sums in Y8..Y11; the first nv (1 or 2)
// vectors of 16 stored at c, or added to it.
TEXT ·outer1x32AVX2(SB), NOSPLIT, $0-49
	OUTER_ROW_ARGS
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JZ    r1store
r1loop:
	VBROADCASTSS (R8), Y2
	VFMADD231PS (SI), Y2, Y8
	VFMADD231PS 32(SI), Y2, Y9
	VFMADD231PS 64(SI), Y2, Y10
	VFMADD231PS 96(SI), Y2, Y11
	ADDQ BX, SI
	ADDQ $4, R8
	DECQ CX
	JNZ  r1loop
r1store:
	MOVQ c+32(FP), DI
	MOVQ nv+40(FP), CX
	CMPB add+48(FP), $0
	JE   r1set
	VADDPS (DI), Y8, Y8
	VADDPS 32(DI), Y9, Y9
	CMPQ CX, $1
	JEQ  r1set
	VADDPS 64(DI), Y10, Y10
	VADDPS 96(DI), Y11, Y11
r1set:
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, 32(DI)
	CMPQ CX, $1
	JEQ  r1done
	VMOVUPS Y10, 64(DI)
	VMOVUPS Y11, 96(DI)
r1done:
	VZEROUPPER
	RET
