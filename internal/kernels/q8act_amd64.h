// Shared by the AVX2 and AVX-512 q8 kernels (q8act_*_amd64.s).

// HSUM8 sets dst to the sums of the 8 int32 lanes of each of r0..r7, in
// order (r0's in lane 0): two rounds of pairwise horizontal adds, then the
// two 128-bit halves added. Clobbers r0..r7, t1, t2 (registers 0-15).
#define HSUM8(r0, r1, r2, r3, r4, r5, r6, r7, t1, t2, dst) \
	VPHADDD r1, r0, r0 \
	VPHADDD r3, r2, r2 \
	VPHADDD r5, r4, r4 \
	VPHADDD r7, r6, r6 \
	VPHADDD r2, r0, r0 \
	VPHADDD r6, r4, r4 \
	VPERM2I128 $0x20, r4, r0, t1 \
	VPERM2I128 $0x31, r4, r0, t2 \
	VPADDD t2, t1, dst
