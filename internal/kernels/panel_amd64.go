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
