//go:build !purego

#include "textflag.h"
#include "neon_arm64.h"

// NEON kernels with the dot-product extension (SDOT) for q8_0 weights
// against q8 activation rows (see q8act.go). SDOT multiplies signed bytes by
// signed bytes, so the row kernel reads the weights as stored and the tile
// kernels undo the packed panel's +128 (EOR 0x80); no c correction. Block
// sums are exact; their scaling and the adds across blocks are float32,
// block after block, as in dotQ8Act.

// func quantizeQ8ActNEON(k int, x *float32, dst *byte)
TEXT ·quantizeQ8ActNEON(SB), NOSPLIT, $0-24
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD dst+16(FP), R2
	LSR  $5, R0, R0
	CBZ  R0, qdone
	MOVW $0x42fe0000, R6 // 127.0
	FMOVS R6, F26
	FMOVS $1.0, F27
qloop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	FABS4S(8, 0); FABS4S(9, 1); FABS4S(10, 2); FABS4S(11, 3)
	FABS4S(12, 4); FABS4S(13, 5); FABS4S(14, 6); FABS4S(15, 7)
	FMAX4S(8, 8, 9); FMAX4S(10, 10, 11); FMAX4S(12, 12, 13); FMAX4S(14, 14, 15)
	FMAX4S(8, 8, 10); FMAX4S(12, 12, 14); FMAX4S(8, 8, 12)
	FMAXV4S(8, 8)
	FDIVS F26, F8, F10 // d = amax / 127
	VEOR V11.B16, V11.B16, V11.B16
	FCMPS $(0.0), F10
	BEQ  qzero         // id stays 0
	FDIVS F10, F27, F11 // id = 1 / d
qzero:
	FMULE(0, 0, 11, 0); FMULE(1, 1, 11, 0); FMULE(2, 2, 11, 0); FMULE(3, 3, 11, 0)
	FMULE(4, 4, 11, 0); FMULE(5, 5, 11, 0); FMULE(6, 6, 11, 0); FMULE(7, 7, 11, 0)
	FCVTNS4S(0, 0); FCVTNS4S(1, 1); FCVTNS4S(2, 2); FCVTNS4S(3, 3)
	FCVTNS4S(4, 4); FCVTNS4S(5, 5); FCVTNS4S(6, 6); FCVTNS4S(7, 7)
	VADD V1.S4, V0.S4, V16.S4
	VADD V3.S4, V2.S4, V17.S4
	VADD V5.S4, V4.S4, V18.S4
	VADD V7.S4, V6.S4, V19.S4
	VADD V17.S4, V16.S4, V16.S4
	VADD V19.S4, V18.S4, V18.S4
	VADD V18.S4, V16.S4, V16.S4
	VADDV V16.S4, V16
	VMOV V16.S[0], R6
	NEGW R6, R6
	LSLW $7, R6, R6
	MOVW R6, 4(R2)
	FMOVS F10, (R2)
	SQXTN4H(16, 0); SQXTN28H(16, 1); SQXTN4H(17, 2); SQXTN28H(17, 3)
	SQXTN4H(18, 4); SQXTN28H(18, 5); SQXTN4H(19, 6); SQXTN28H(19, 7)
	SQXTN8B(20, 16); SQXTN216B(20, 17); SQXTN8B(21, 18); SQXTN216B(21, 19)
	ADD  $8, R2, R7
	VST1 [V20.B16, V21.B16], (R7)
	ADD  $40, R2, R2
	SUBS $1, R0, R0
	BNE  qloop
qdone:
	RET

// ROWS4 adds the block of 4 weight rows (quantized values at g, g+ldw,
// g+2ldw, g+3ldw; their f16 scales 2 bytes before) times the activation
// block (V28, V29; dx in V30) to the 4 lanes of V(acc).
#define ROWS4(g, acc) \
	VLD1 (g), [V4.B16, V5.B16] \
	ADD  R4, g, R15 \
	VLD1 (R15), [V6.B16, V7.B16] \
	ADD  R9, g, R19 \
	VLD1 (R19), [V8.B16, V9.B16] \
	ADD  R10, g, R20 \
	VLD1 (R20), [V10.B16, V11.B16] \
	VEOR V0.B16, V0.B16, V0.B16; VEOR V1.B16, V1.B16, V1.B16 \
	VEOR V2.B16, V2.B16, V2.B16; VEOR V3.B16, V3.B16, V3.B16 \
	SDOT4S(0, 4, 28); SDOT4S(0, 5, 29); SDOT4S(1, 6, 28); SDOT4S(1, 7, 29) \
	SDOT4S(2, 8, 28); SDOT4S(2, 9, 29); SDOT4S(3, 10, 28); SDOT4S(3, 11, 29) \
	VADDP V1.S4, V0.S4, V16.S4 \
	VADDP V3.S4, V2.S4, V17.S4 \
	VADDP V17.S4, V16.S4, V16.S4 \
	SCVTF4S(16, 16) \
	MOVHU -2(g), R6; VMOV R6, V17.H[0] \
	MOVHU -2(R15), R6; VMOV R6, V17.H[1] \
	MOVHU -2(R19), R6; VMOV R6, V17.H[2] \
	MOVHU -2(R20), R6; VMOV R6, V17.H[3] \
	FCVTL4S(17, 17) \
	FMULE(17, 17, 30, 0) \
	FMUL4S(16, 16, 17) \
	FADD4S(acc, acc, 16)

// func rowsQ8ActNEON(k int, x *byte, w *byte, ldw int, out *float32)
TEXT ·rowsQ8ActNEON(SB), NOSPLIT, $0-40
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD w+16(FP), R3
	MOVD ldw+24(FP), R4
	MOVD out+32(FP), R5
	LSR  $5, R0, R0
	ADD  $2, R3, R11
	LSL  $2, R4, R6
	ADD  R6, R11, R12
	ADD  R6, R12, R13
	ADD  R6, R13, R14
	ADD  R4, R4, R9
	ADD  R4, R9, R10
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ  R0, rdone
rloop:
	ADD  $8, R1, R7
	VLD1 (R7), [V28.B16, V29.B16]
	FMOVS (R1), F30
	ROWS4(R11, 20)
	ROWS4(R12, 21)
	ROWS4(R13, 22)
	ROWS4(R14, 23)
	ADD  $40, R1, R1
	ADD  $34, R11, R11
	ADD  $34, R12, R12
	ADD  $34, R13, R13
	ADD  $34, R14, R14
	SUBS $1, R0, R0
	BNE  rloop
rdone:
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R5)
	RET

// TILE_QUAD adds group i of four columns (of x0 for row 0, of x1 for row
// 1) times the 16 weight rows' bytes of that group, +128 undone.
#define TILE_QUAD(x0, x1, i) \
	VLD1.P 64(R3), [V16.B16, V17.B16, V18.B16, V19.B16] \
	VEOR V31.B16, V16.B16, V16.B16; VEOR V31.B16, V17.B16, V17.B16 \
	VEOR V31.B16, V18.B16, V18.B16; VEOR V31.B16, V19.B16, V19.B16 \
	SDOTE(0, 16, x0, i); SDOTE(1, 17, x0, i); SDOTE(2, 18, x0, i); SDOTE(3, 19, x0, i) \
	SDOTE(4, 16, x1, i); SDOTE(5, 17, x1, i); SDOTE(6, 18, x1, i); SDOTE(7, 19, x1, i)

// ZERO4 clears four vector registers.
#define ZERO4(a, b, c, d) \
	VEOR a.B16, a.B16, a.B16; VEOR b.B16, b.B16, b.B16 \
	VEOR c.B16, c.B16, c.B16; VEOR d.B16, d.B16, d.B16

// PANEL_SCALES loads the panel block's 16 f16 scales (R3, post-increment)
// widened: rows 4r..4r+3 in V(24+r).
#define PANEL_SCALES \
	VLD1.P 32(R3), [V24.H8, V25.H8] \
	FCVTL24S(27, 25); FCVTL4S(26, 25); FCVTL24S(25, 24); FCVTL4S(24, 24)

// TILE_SCALE adds the block's int sums in V(s), converted and times dw
// (V(dw)) · dx (lane 0 of V(dx)), to V(acc).
#define TILE_SCALE(s, dw, dx, acc) \
	SCVTF4S(s, s); FMULE(29, dw, dx, 0); FMUL4S(s, s, 29); FADD4S(acc, acc, s)

// func tileQ8ActNEON(k int, x *byte, ldx int, packed *byte, out *float32, ldo int)
//
// Two activation rows × 16 weight rows: int sums V0..V3 (row 0, weight rows
// 4r..4r+3 in V(r)) and V4..V7 (row 1), float sums V8..V15.
TEXT ·tileQ8ActNEON(SB), NOSPLIT, $0-48
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD ldx+16(FP), R2
	ADD  R1, R2, R2
	MOVD packed+24(FP), R3
	MOVD out+32(FP), R5
	MOVD ldo+40(FP), R6
	LSR  $5, R0, R0
	MOVW $0x80808080, R7
	VDUP R7, V31.S4
	ZERO4(V8, V9, V10, V11)
	ZERO4(V12, V13, V14, V15)
	CBZ  R0, tstore
tloop:
	ADD  $8, R1, R7
	VLD1 (R7), [V20.B16, V21.B16]
	ADD  $8, R2, R7
	VLD1 (R7), [V22.B16, V23.B16]
	ZERO4(V0, V1, V2, V3)
	ZERO4(V4, V5, V6, V7)
	TILE_QUAD(20, 22, 0)
	TILE_QUAD(20, 22, 1)
	TILE_QUAD(20, 22, 2)
	TILE_QUAD(20, 22, 3)
	TILE_QUAD(21, 23, 0)
	TILE_QUAD(21, 23, 1)
	TILE_QUAD(21, 23, 2)
	TILE_QUAD(21, 23, 3)
	PANEL_SCALES
	FMOVS (R1), F28
	FMOVS (R2), F30
	TILE_SCALE(0, 24, 28, 8)
	TILE_SCALE(1, 25, 28, 9)
	TILE_SCALE(2, 26, 28, 10)
	TILE_SCALE(3, 27, 28, 11)
	TILE_SCALE(4, 24, 30, 12)
	TILE_SCALE(5, 25, 30, 13)
	TILE_SCALE(6, 26, 30, 14)
	TILE_SCALE(7, 27, 30, 15)
	ADD  $40, R1, R1
	ADD  $40, R2, R2
	SUBS $1, R0, R0
	BNE  tloop
tstore:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R5)
	ADD  R6<<2, R5, R5
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R5)
	RET

// TILE1_QUAD adds group i of four columns of x (lane i of V(x)) times the
// 16 weight rows' bytes of that group, +128 undone.
#define TILE1_QUAD(x, i) \
	VLD1.P 64(R3), [V16.B16, V17.B16, V18.B16, V19.B16] \
	VEOR V31.B16, V16.B16, V16.B16; VEOR V31.B16, V17.B16, V17.B16 \
	VEOR V31.B16, V18.B16, V18.B16; VEOR V31.B16, V19.B16, V19.B16 \
	SDOTE(0, 16, x, i); SDOTE(1, 17, x, i); SDOTE(2, 18, x, i); SDOTE(3, 19, x, i)

// func tile1Q8ActNEON(k int, x *byte, packed *byte, out *float32)
//
// One activation row × 16 weight rows: int sums V0..V3 (weight rows
// 4r..4r+3 in V(r)), float sums V8..V11.
TEXT ·tile1Q8ActNEON(SB), NOSPLIT, $0-32
	MOVD k+0(FP), R0
	MOVD x+8(FP), R1
	MOVD packed+16(FP), R3
	MOVD out+24(FP), R5
	LSR  $5, R0, R0
	MOVW $0x80808080, R7
	VDUP R7, V31.S4
	ZERO4(V8, V9, V10, V11)
	CBZ  R0, t1store
t1loop:
	ADD  $8, R1, R7
	VLD1 (R7), [V20.B16, V21.B16]
	ZERO4(V0, V1, V2, V3)
	TILE1_QUAD(20, 0)
	TILE1_QUAD(20, 1)
	TILE1_QUAD(20, 2)
	TILE1_QUAD(20, 3)
	TILE1_QUAD(21, 0)
	TILE1_QUAD(21, 1)
	TILE1_QUAD(21, 2)
	TILE1_QUAD(21, 3)
	PANEL_SCALES
	FMOVS (R1), F28
	TILE_SCALE(0, 24, 28, 8)
	TILE_SCALE(1, 25, 28, 9)
	TILE_SCALE(2, 26, 28, 10)
	TILE_SCALE(3, 27, 28, 11)
	ADD  $40, R1, R1
	SUBS $1, R0, R0
	BNE  t1loop
t1store:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R5)
	RET

// func dotLoopNEON(iters int)
// iters rounds of 12 independent SDOTs.
TEXT ·dotLoopNEON(SB), NOSPLIT, $0-8
	MOVD iters+0(FP), R0
	MOVW $0x01010101, R7
	VDUP R7, V12.S4
	VDUP R7, V13.S4
	ZERO4(V0, V1, V2, V3)
	ZERO4(V4, V5, V6, V7)
	ZERO4(V8, V9, V10, V11)
	CBZ  R0, dotdone
dotloop:
	SDOT4S(0, 12, 13)
	SDOT4S(1, 12, 13)
	SDOT4S(2, 12, 13)
	SDOT4S(3, 12, 13)
	SDOT4S(4, 12, 13)
	SDOT4S(5, 12, 13)
	SDOT4S(6, 12, 13)
	SDOT4S(7, 12, 13)
	SDOT4S(8, 12, 13)
	SDOT4S(9, 12, 13)
	SDOT4S(10, 12, 13)
	SDOT4S(11, 12, 13)
	SUBS $1, R0, R0
	BNE  dotloop
dotdone:
	RET
