// Four rows of 16 floats transposed in registers, for the AVX-512 files
// that lay out activations (panel_avx512_amd64.s) and keys
// (keys_avx512_amd64.s) column by column.

// LOAD4 loads the 16 floats at base of four rows DX bytes apart (R9 =
// 3·DX) into Z0..Z3.
#define LOAD4(base) \
	VMOVUPS (base), Z0; VMOVUPS (base)(DX*1), Z1; VMOVUPS (base)(DX*2), Z2; VMOVUPS (base)(R9*1), Z3

// TRANSPOSE4 turns rows a, b, c, d (Z0..Z3) into columns: in each 128-bit
// lane L, Zj holds a[4L+j], b[4L+j], c[4L+j], d[4L+j].
#define TRANSPOSE4 \
	VUNPCKLPS Z1, Z0, Z4; VUNPCKHPS Z1, Z0, Z5; VUNPCKLPS Z3, Z2, Z6; VUNPCKHPS Z3, Z2, Z7 \
	VUNPCKLPD Z6, Z4, Z0; VUNPCKHPD Z6, Z4, Z1; VUNPCKLPD Z7, Z5, Z2; VUNPCKHPD Z7, Z5, Z3

// STORE4T stores the 16 columns TRANSPOSE4 left in Z0..Z3, each column's
// four values (16 bytes) at off + st·column bytes from DI.
#define STORE4T(off, st) \
	VMOVUPS X0, off(DI); VMOVUPS X1, off+1*st(DI); VMOVUPS X2, off+2*st(DI); VMOVUPS X3, off+3*st(DI) \
	VEXTRACTF32X4 $1, Z0, off+4*st(DI); VEXTRACTF32X4 $1, Z1, off+5*st(DI) \
	VEXTRACTF32X4 $1, Z2, off+6*st(DI); VEXTRACTF32X4 $1, Z3, off+7*st(DI) \
	VEXTRACTF32X4 $2, Z0, off+8*st(DI); VEXTRACTF32X4 $2, Z1, off+9*st(DI) \
	VEXTRACTF32X4 $2, Z2, off+10*st(DI); VEXTRACTF32X4 $2, Z3, off+11*st(DI) \
	VEXTRACTF32X4 $3, Z0, off+12*st(DI); VEXTRACTF32X4 $3, Z1, off+13*st(DI) \
	VEXTRACTF32X4 $3, Z2, off+14*st(DI); VEXTRACTF32X4 $3, Z3, off+15*st(DI)
