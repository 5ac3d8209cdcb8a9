//go:build !purego

#include "textflag.h"
#include "transpose_avx512_amd64.h"

// func keysTAVX512(n, d int, src *float32, lds int, dst *float32, scale float32)
//
// for t < n; for i < d: dst[i·64+t] = src[t·lds+i]·scale
//
// Four keys at a time, 16 dimensions each: scaled, transposed 4×4 in each
// 128-bit lane, and each dimension's four values stored in its row of the
// block (256 bytes apart).
TEXT ·keysTAVX512(SB), NOSPLIT, $0-44
	MOVQ n+0(FP), CX
	SHRQ $2, CX
	JZ   done
	MOVQ src+16(FP), R10
	MOVQ lds+24(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R9
	MOVQ dst+32(FP), R11
	VBROADCASTSS scale+40(FP), Z8
keys:
	MOVQ d+8(FP), BX
	SHRQ $4, BX
	JZ   done
	MOVQ R10, SI
	MOVQ R11, DI
dims:
	LOAD4(SI)
	VMULPS Z8, Z0, Z0; VMULPS Z8, Z1, Z1; VMULPS Z8, Z2, Z2; VMULPS Z8, Z3, Z3
	TRANSPOSE4
	STORE4T(0, 256)
	ADDQ $64, SI
	ADDQ $4096, DI
	DECQ BX
	JNZ  dims
	LEAQ (R10)(DX*4), R10
	ADDQ $16, R11
	DECQ CX
	JNZ  keys
done:
	VZEROUPPER
	RET
