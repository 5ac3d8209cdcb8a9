// The row kernels' walk over columns, shared by the AVX2 and AVX-512 row
// kernels (dot_*_amd64.s). The including file defines ROWS_STORE (reduce
// the accumulators into out: set, or added to with AX) and ROWS_ZERO
// (clear the accumulators).

// ROWS_EPILOGUE stores the last chunk's sums and returns.
#define ROWS_EPILOGUE \
	ROWS_STORE \
	VZEROUPPER \
	RET

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
