// Macros shared by the AVX2 and AVX-512 files: the row kernels' walk over
// columns (dot_*_amd64.s, whose including file defines ROWS_STORE, reduce
// the accumulators into out: set, or added to with AX, and ROWS_ZERO,
// clear the accumulators), and the tiles' argument loads.

// ROWS_EPILOGUE stores the last chunk's sums and returns.
#define ROWS_EPILOGUE \
	ROWS_STORE \
	VZEROUPPER \
	RET

// ROWS_ARGS loads the row kernels' arguments (k int, x *float32, w *byte,
// ldw int, out *float32, add bool) into CX, SI, DI, R8, BX and AX.
#define ROWS_ARGS \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), SI \
	MOVQ w+16(FP), DI \
	MOVQ ldw+24(FP), R8 \
	MOVQ out+32(FP), BX \
	MOVBQZX add+40(FP), AX

// TILE_ARGS loads the tile kernels' arguments (k int, x *float32, ldx int,
// w *byte, ldw int, out *float32, ldo int, add bool) into CX, SI, DX, DI,
// R8, BX, R11 and AX.
#define TILE_ARGS \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), SI \
	MOVQ ldx+16(FP), DX \
	MOVQ w+24(FP), DI \
	MOVQ ldw+32(FP), R8 \
	MOVQ out+40(FP), BX \
	MOVQ ldo+48(FP), R11 \
	MOVBQZX add+56(FP), AX

// PREFETCH4 asks (op: PREFETCHT0 into L1, PREFETCHT1 into L2) for the
// line ahead bytes past each of four streams: base, base + s, base + 2·s
// and base + s3 (s3 = 3·s). PREFETCH2 is the same for two streams.
#define PREFETCH4(op, ahead, base, s, s3) \
	op ahead(base); op ahead(base)(s*1); op ahead(base)(s*2); op ahead(base)(s3*1)
#define PREFETCH2(op, ahead, base, s) op ahead(base); op ahead(base)(s*1)

// FAR4_PREFETCH asks for the four rows of a far-rows kernel (at DI, stride
// R8, R10 = 3·R8) ahead bytes ahead, into the next rows of each part,
// which the next calls read. Left to the hardware, a loop this dense in
// arithmetic kept too few lines in flight when memory was fast.
// BenchmarkReadModel, gemv/read at two threads, 1 KiB ahead: AVX-512 f16
// 0.80–0.89 → 0.87–0.98, f32 (then 16 neighbours) 0.87–0.88 → 0.93–0.97;
// AVX2 f32 0.94–1.01 → 1.11–1.16 (gemv 51–57 → 60–65 GB/s), f16 0.78–0.91
// → 0.94–1.06. 512 bytes ahead was no better than none. The best distance
// was measured kernel by kernel (f16 and bf16 2 KiB, f32 1 KiB): see each.
#define FAR4_PREFETCH(ahead) PREFETCH4(PREFETCHT0, ahead, DI, R8, R10)

// ROWS_CHUNK starts a chunk of DX = min(CX, 768) columns (kChunk in
// matmul.go): each chunk's sums are reduced and added to out in order,
// as the tiles do, so a row's value is the same bits on every path.
#define ROWS_CHUNK \
	MOVQ $768, DX \
	CMPQ CX, DX \
	CMOVQLT CX, DX \
	SUBQ DX, CX

// ROWS_NEXT stores a finished chunk when columns remain and starts the next.
#define ROWS_NEXT(chunk, done) \
	TESTQ CX, CX \
	JZ done \
	ROWS_STORE \
	MOVQ $1, AX \
	ROWS_ZERO \
	JMP chunk

// ROW_POINTERS sets the registers that address 16 weight rows from DI at a
// stride of R8 bytes: R10 = 3·R8, R12 = 5·R8, R13 = 7·R8, R11 = DI + 8·R8
// (rows 8-15), and R14 = DI + 16·R8, the next group of rows.
#define ROW_POINTERS \
	MOVQ R8, R14 \
	SHLQ $4, R14 \
	ADDQ DI, R14 \
	LEAQ (R8)(R8*2), R10 \
	LEAQ (R8)(R8*4), R12 \
	LEAQ (R10)(R8*4), R13 \
	LEAQ (DI)(R8*8), R11

// PREFETCH_Q8_GROUP prefetches the next 544 bytes of the next group (R14):
// one q8_0 block of 16 rows, the rate at which a q8 row kernel reads its
// own group. The q8 kernels compute slowly enough per byte that the
// hardware prefetchers fall behind; for f32 and f16 a prefetch measured
// slower.
#define PREFETCH_Q8_GROUP \
	PREFETCHT0 (R14); PREFETCHT0 64(R14); PREFETCHT0 128(R14); PREFETCHT0 192(R14) \
	PREFETCHT0 256(R14); PREFETCHT0 320(R14); PREFETCHT0 384(R14); PREFETCHT0 448(R14) \
	PREFETCHT0 512(R14) \
	ADDQ $544, R14

// OUTER_ARGS loads an outer-product tile's arguments (outer.go): CX = k,
// R8..R11 = rows 0–3 of a, SI = b, BX = ldb in bytes.
#define OUTER_ARGS \
	MOVQ k+0(FP), CX \
	MOVQ a+8(FP), R8 \
	MOVQ lda+16(FP), AX \
	SHLQ $2, AX \
	LEAQ (R8)(AX*1), R9 \
	LEAQ (R8)(AX*2), R10 \
	LEAQ (R9)(AX*2), R11 \
	MOVQ b+24(FP), SI \
	MOVQ ldb+32(FP), BX \
	SHLQ $2, BX

// OUTER_ROW_ARGS loads an outer-product row kernel's arguments: CX = k,
// R8 = a, SI = b, BX = ldb in bytes.
#define OUTER_ROW_ARGS \
	MOVQ k+0(FP), CX \
	MOVQ a+8(FP), R8 \
	MOVQ b+16(FP), SI \
	MOVQ ldb+24(FP), BX \
	SHLQ $2, BX

// READ4_PREFETCH asks for the bandwidth probe's four streams (at SI, SI +
// DX, SI + 2·DX, SI + R8) two lines at a time, 4 KiB ahead into L1 and
// 8 KiB ahead into L2, as the decode kernels ask for their panels. With
// it the probe read 0.98–1.09× its rate without (512 MiB, four alternate
// rounds; median 1.05 at one thread, 1.08 at two); without it, it read
// slower than the f32 decode kernels read the model.
#define READ4_PREFETCH \
	PREFETCH4(PREFETCHT0, 4096, SI, DX, R8); PREFETCH4(PREFETCHT0, 4160, SI, DX, R8) \
	PREFETCH4(PREFETCHT1, 8192, SI, DX, R8); PREFETCH4(PREFETCHT1, 8256, SI, DX, R8)
