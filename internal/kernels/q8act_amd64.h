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

// Q8_AHEAD: how far ahead (bytes) the q8_0 decode tiles (tile1QuadQ8ActAVX512,
// tile1PairQ8ActAVX2) ask for each stream's lines into L2 (PREFETCHT1).
// For the AVX-512 tile: ReadModel q8_0 gemv/read without:
// 0.94–0.98; T1 at 4 KiB 0.95–1.05, 8 KiB 0.93–1.01; T0 at 2 KiB
// 0.95–1.07. bench q8_0 tg128 at two threads, three alternate rounds, of
// the ceiling: 99–116 % without, 124–141 % with T1 at 4 KiB. For the AVX2
// tile (avx2vnni), ReadModel q8_0 gemv/read against the prefetching probe,
// three alternate rounds, one and two threads: 0.84–0.85 without,
// 0.91–0.96 with.
#define Q8_AHEAD 4096

// Q8_PREFETCH asks for the nine lines that hold a 544-byte block at
// Q8_AHEAD past the address m.
#define Q8_PREFETCH(m) \
	PREFETCHT1 Q8_AHEAD m; PREFETCHT1 Q8_AHEAD+64 m; PREFETCHT1 Q8_AHEAD+128 m \
	PREFETCHT1 Q8_AHEAD+192 m; PREFETCHT1 Q8_AHEAD+256 m; PREFETCHT1 Q8_AHEAD+320 m \
	PREFETCHT1 Q8_AHEAD+384 m; PREFETCHT1 Q8_AHEAD+448 m; PREFETCHT1 Q8_AHEAD+512 m
