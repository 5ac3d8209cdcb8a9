// Eight weights of a type as eight floats in y, for the AVX2 files that
// read f32, f16 and bf16 weights (dot_avx2_amd64.s, panel_avx2_amd64.s).
#define LOAD_F32(addr, y) VMOVUPS addr, y
#define LOAD_F16(addr, y) VCVTPH2PS addr, y
#define LOAD_BF16(addr, y) VPMOVZXWD addr, y; VPSLLD $16, y, y
