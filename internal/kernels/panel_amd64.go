//go:build !purego

package kernels

// panTile12x32AVX512 is PanelKernels.Tile for 12 rows.
//
//go:noescape
func panTile12x32AVX512(k int, a, b, c *float32, ldc, m int, load bool, pf *byte)

// panRow4AVX512 is PanelKernels.Row.
//
//go:noescape
func panRow4AVX512(k int, x, b *float32, ldb int, c *float32)

// packA12AVX512 is PanelKernels.Pack.
//
//go:noescape
func packA12AVX512(k int, x *float32, ldx int, dst *float32)

var panelAVX512 = PanelKernels{MR: 12, Tile: panTile12x32AVX512, Row: panRow4AVX512, Pack: packA12AVX512}
