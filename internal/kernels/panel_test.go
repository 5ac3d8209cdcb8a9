package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// withPan is the generic variant with the Go panel kernels, so that the
// panel drivers are tested on every machine.
var withPan = func() *Variant { v := *generic; v.Name = "generic+pan"; v.Pan = &panelGeneric; return &v }()

// panelVariants are the panel kernels to test: every variant's, and the
// generic ones.
func panelVariants() map[string]*PanelKernels {
	out := map[string]*PanelKernels{"generic": &panelGeneric}
	for _, v := range Variants() {
		if v.Pan != nil {
			out[v.Name] = v.Pan
		}
	}
	return out
}

// Each variant's panel kernels against panTileMR and panRowGeneric (Go,
// the same fused sums), bit for bit, with guard values around and between
// the output rows; the tiles with and without a bias.
func TestPanelKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for name, pk := range panelVariants() {
		for _, k := range []int{0, 1, 7, 15, 16, 17, 63, 384, 768} {
			b := randVec(rng, 4*k*PanelWidth+1)
			a := randVec(rng, pk.MR*k+1)
			bias := randVec(rng, PanelWidth)
			for m := 1; m <= pk.MR; m++ {
				// Packed rows past m are zero, as the driver packs them.
				am := append([]float32(nil), a...)
				for p := 0; p < k; p++ {
					for r := m; r < pk.MR; r++ {
						am[p*pk.MR+r] = 0
					}
				}
				for i, load := range []bool{false, true, false, true} {
					var bp *float32
					if i >= 2 {
						bp = &bias[0]
					}
					const ldc = PanelWidth + 5
					got, check := guarded(m*ldc - 5)
					want := make([]float32, len(got))
					for i := range got {
						got[i] = float32(i%11) - 3
						want[i] = got[i]
					}
					for r := 0; r+1 < m; r++ {
						for j := PanelWidth; j < ldc; j++ {
							got[r*ldc+j] = guard
							want[r*ldc+j] = guard
						}
					}
					pk.Tile(k, ptr(am, 0), ptr(b, 0), &got[0], ldc, m, load, bp)
					panTileMR(pk.MR, k, ptr(am, 0), ptr(b, 0), &want[0], ldc, m, load, bp)
					check(t)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s Tile k=%d m=%d load=%v bias=%v: [%d] = %v, want %v", name, k, m, load, bp != nil, i, got[i], want[i])
						}
					}
				}
			}
			x := randVec(rng, k+1)
			for _, typ := range []DType{F32, F16, BF16} {
				if pk.Row[typ] == nil {
					continue
				}
				raw, wide := randPanels(rng, typ, 4*k*PanelWidth)
				size := panelElem(typ)
				for _, ldb := range []int{0, k * PanelWidth * size, (k*PanelWidth + 16) * size} {
					if 3*ldb+k*PanelWidth*size > len(raw)-1 {
						continue
					}
					got, check := guarded(4 * PanelWidth)
					want := make([]float32, len(got))
					pk.Row[typ](k, ptr(x, 0), &raw[0], ldb, &got[0])
					panRowGeneric(typ, k, ptr(x, 0), &raw[0], ldb, &want[0])
					check(t)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s Row %v k=%d ldb=%d: [%d] = %v, want %v", name, typ, k, ldb, i, got[i], want[i])
						}
					}
					// A row's tile sums (over the panels widened, as prefill
					// widens them) are the same: decode and prefill agree.
					tile := make([]float32, pk.MR*PanelWidth)
					ax := make([]float32, pk.MR*k+1)
					for p := 0; p < k; p++ {
						ax[p*pk.MR] = x[p]
					}
					for q := 0; q < 4; q++ {
						pk.Tile(k, ptr(ax, 0), ptr(wide, q*ldb/size), &tile[0], PanelWidth, 1, false, nil)
						for j := 0; j < PanelWidth; j++ {
							if g := got[q*PanelWidth+j]; math.Float32bits(tile[j]) != math.Float32bits(g) {
								t.Fatalf("%s %v k=%d: Row [%d][%d] = %v, Tile %v", name, typ, k, q, j, g, tile[j])
							}
						}
					}
				}
			}
		}
	}
}

// randPanels is n random weights of type t, as raw little-endian bytes
// (one more element past the end) and widened to f32.
func randPanels(rng *rand.Rand, t DType, n int) ([]byte, []float32) {
	wide := randVec(rng, n+1)
	size := panelElem(t)
	raw := make([]byte, (n+1)*size)
	for i, v := range wide {
		switch t {
		case F32:
			binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
		case F16:
			h := F32ToF16(v)
			binary.LittleEndian.PutUint16(raw[2*i:], h)
			wide[i] = F16ToF32(h)
		case BF16:
			h := F32ToBF16(v)
			binary.LittleEndian.PutUint16(raw[2*i:], h)
			wide[i] = BF16ToF32(h)
		}
	}
	return raw, wide
}

// Each variant's activation packing against packRows, with guard values
// past the columns it packs.
func TestPanelPack(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for name, pk := range panelVariants() {
		if pk.Pack == nil {
			continue
		}
		for _, k := range []int{0, 1, 15, 16, 17, 63, 64, 768, 3072} {
			ldx := k + 3
			x := randVec(rng, pk.MR*ldx)
			main := k &^ 15
			got, check := guarded(main * pk.MR)
			pk.Pack(k, ptr(x, 0), ldx, ptr(got, 0))
			check(t)
			for p := 0; p < main; p++ {
				for r := 0; r < pk.MR; r++ {
					if got[p*pk.MR+r] != x[r*ldx+p] {
						t.Fatalf("%s k=%d: [%d][%d] = %v, want %v", name, k, p, r, got[p*pk.MR+r], x[r*ldx+p])
					}
				}
			}
		}
	}
}

// PackPanel and PackPanel16 lay out a whole weight panel as the
// definition says, and preparing a matrix with them gives the Go loop's
// panels (rows not a multiple of 32, columns not of 16).
func TestPanelPackWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	random16 := func(n int) []uint16 {
		v := make([]uint16, n)
		for i := range v {
			v[i] = uint16(rng.Uint32())
		}
		return v
	}
	for name, pk := range panelVariants() {
		if pk.PackPanel != nil {
			checkWeightPack(t, name, pk.PackPanel, 16, func(n int) []float32 { return randVec(rng, n) }, guard)
		}
		if pk.PackPanel16 != nil {
			checkWeightPack(t, name+" 16-bit", pk.PackPanel16, 32, random16, 0xdead)
		}
		if pk.PackPanel == nil && pk.PackPanel16 == nil {
			continue
		}
		for _, typ := range []DType{F32, F16, BF16} {
			for _, s := range []struct{ rows, cols int }{{32, 16}, {32, 32}, {33, 17}, {100, 63}, {64, 768}, {77, 31}, {40, 95}} {
				w := RandomMatrix(typ, s.rows, s.cols, 3)
				want := make([]byte, w.panelCount()*w.panelSize())
				got := make([]byte, len(want))
				w.Panels = want
				(&packPanelJob{w: w}).Run(0, 0, w.panelCount())
				w.Panels = got
				(&packPanelJob{w: w, pack: pk.PackPanel, pack16: pk.PackPanel16}).Run(0, 0, w.panelCount())
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %v %dx%d: panels differ from the Go loop's", name, typ, s.rows, s.cols)
				}
			}
		}
	}
}

// checkWeightPack checks a weight panel packer that takes columns width at
// a time against the definition, with guard values g around its output.
func checkWeightPack[T float32 | uint16](t *testing.T, name string, pack func(k int, src *T, lds int, dst *T), width int, random func(n int) []T, g T) {
	t.Helper()
	for _, k := range []int{0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 768, 3072} {
		lds := k + 5
		src := random(PanelWidth * lds)
		main := k / width * width
		got, check := guardedWith(main*PanelWidth, g)
		pack(k, &src[0], lds, unsafe.SliceData(got))
		check(t)
		for p := 0; p < main; p++ {
			for r := 0; r < PanelWidth; r++ {
				if got[p*PanelWidth+r] != src[r*lds+p] {
					t.Fatalf("%s k=%d: [%d][%d] = %v, want %v", name, k, p, r, got[p*PanelWidth+r], src[r*lds+p])
				}
			}
		}
	}
}

// fma32 against float64 arithmetic where that is exact, and on sums whose
// float64 rounding lands halfway between two float32 values (where
// rounding twice would be wrong).
func TestFMA32(t *testing.T) {
	cases := []struct{ a, b, c, want float32 }{
		{2, 3, 1, 7},
		{0.5, 0.5, -0.25, 0},
		{-1, 0, 0, float32(math.Copysign(0, -1)) + 0}, // -0 + +0 = +0
		// (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ is halfway between two float32;
		// plus 2⁻⁶⁰ it is above, and rounds up. Its float64 sum is the
		// halfway value, which rounds to even, down.
		{1 + 0x1p-12, 1 + 0x1p-12, 0x1p-60, 1 + 0x1p-11 + 0x1p-23},
	}
	for _, c := range cases {
		if got := fma32(c.a, c.b, c.c); math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("fma32(%g, %g, %g) = %g, want %g", c.a, c.b, c.c, got, c.want)
		}
	}
	// Rounding the float64 sum straight to float32 gets the last case
	// wrong, which is why fma32 rounds to odd.
	c := cases[3]
	if naive := float32(float64(c.a)*float64(c.b) + float64(c.c)); naive == c.want {
		t.Fatalf("the halfway case is not one: %g", naive)
	}
	// The kernels' fused multiply-add agrees.
	for name, pk := range panelVariants() {
		a := make([]float32, pk.MR)
		b := make([]float32, PanelWidth)
		out := make([]float32, PanelWidth)
		a[0] = c.a
		for j := range b {
			b[j], out[j] = c.b, c.c
		}
		pk.Tile(1, &a[0], &b[0], &out[0], PanelWidth, 1, true, nil)
		if out[0] != c.want || out[PanelWidth-1] != c.want {
			t.Errorf("%s: fma(%g, %g, %g) = %g, want %g", name, c.a, c.b, c.c, out[0], c.want)
		}
	}
}
