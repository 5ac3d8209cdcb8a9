//go:build !purego

package kernels

// panTile12x32AVX512 is PanelKernels.Tile for 12 rows.
//
//go:noescape
func panTile12x32AVX512(k int, a, b, c *float32, ldc, m int, load bool, bias *float32)

// panRow4F32AVX512, panRow4F16AVX512 and panRow4BF16AVX512 are
// PanelKernels.Row for each type.
//
//go:noescape
func panRow4F32AVX512(k int, x *float32, b *byte, ldb int, c *float32)

//go:noescape
func panRow4F16AVX512(k int, x *float32, b *byte, ldb int, c *float32)

//go:noescape
func panRow4BF16AVX512(k int, x *float32, b *byte, ldb int, c *float32)

// packA12AVX512 is PanelKernels.Pack.
//
//go:noescape
func packA12AVX512(k int, x *float32, ldx int, dst *float32)

// packPanelF32AVX512 is PanelKernels.PackPanel.
//
//go:noescape
func packPanelF32AVX512(k int, src *float32, lds int, dst *float32)

// packPanel16AVX512 is PanelKernels.PackPanel16.
//
//go:noescape
func packPanel16AVX512(k int, src *uint16, lds int, dst *uint16)

var panelAVX512 = PanelKernels{
	MR:   12,
	Tile: panTile12x32AVX512,
	Row:  [3]func(k int, x *float32, b *byte, ldb int, c *float32){F32: panRow4F32AVX512, F16: panRow4F16AVX512, BF16: panRow4BF16AVX512},
	Pack: packA12AVX512,

	PackPanel:   packPanelF32AVX512,
	PackPanel16: packPanel16AVX512,
}

// panTile6x32AVX2 is PanelKernels.Tile for 6 rows, a panel's two halves
// one after the other.
//
//go:noescape
func panTile6x32AVX2(k int, a, b, c *float32, ldc, m int, load bool, bias *float32)

// panRow4F32AVX2, panRow4F16AVX2 and panRow4BF16AVX2 are
// PanelKernels.Row for each type, the four panels as two pairs.
//
//go:noescape
func panRow4F32AVX2(k int, x *float32, b *byte, ldb int, c *float32)

//go:noescape
func panRow4F16AVX2(k int, x *float32, b *byte, ldb int, c *float32)

//go:noescape
func panRow4BF16AVX2(k int, x *float32, b *byte, ldb int, c *float32)

// widenF16AVX2 computes dst[c] = F16ToF32(half c of src) for c < k (a
// multiple of 8).
//
//go:noescape
func widenF16AVX2(k int, src *byte, dst *float32)

// widenBF16AVX2 is widenF16AVX2 for bf16.
//
//go:noescape
func widenBF16AVX2(k int, src *byte, dst *float32)

// packPanelF32AVX2 is PanelKernels.PackPanel.
//
//go:noescape
func packPanelF32AVX2(k int, src *float32, lds int, dst *float32)

// panelAVX2 packs the activations and lays out f16 and bf16 panels with
// the Go loops (packRows).
var panelAVX2 = PanelKernels{
	MR:   6,
	Tile: panTile6x32AVX2,
	Row:  [3]func(k int, x *float32, b *byte, ldb int, c *float32){F32: panRow4F32AVX2, F16: panRow4F16AVX2, BF16: panRow4BF16AVX2},

	PackPanel: packPanelF32AVX2,
}
