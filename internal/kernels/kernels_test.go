package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Widths that are and are not multiples of every vector width, plus GPT-2's.
var testCols = []int{1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 96, 768, 784, 3072}

// randMatrix makes a rows×cols matrix of type t and its exact values.
func randMatrix(rng *rand.Rand, t DType, rows, cols int) (Matrix, []float64) {
	v := make([]float32, rows*cols)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	var m Matrix
	switch t {
	case F32:
		m = FromF32(rows, cols, v)
	case F16, BF16:
		u := make([]uint16, len(v))
		for i, x := range v {
			if t == F16 {
				u[i] = F32ToF16(x)
			} else {
				u[i] = F32ToBF16(x)
			}
		}
		m = Matrix{Type: t, Rows: rows, Cols: cols, U16: u}
	case Q8_0:
		q := make([]byte, rows*cols/Q8Block*Q8BlockBytes)
		QuantizeQ8_0(q, v)
		m = Matrix{Type: t, Rows: rows, Cols: cols, Q8: q}
	}
	exact := make([]float64, rows*cols)
	row := make([]float32, cols)
	for r := 0; r < rows; r++ {
		m.Row(row, r)
		for c, x := range row {
			exact[r*cols+c] = float64(x)
		}
	}
	return m, exact
}

func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

const guard = float32(-12345.678)

// guardedWith returns a slice of n values with g on both sides in the
// backing array, and a check that they are untouched.
func guardedWith[T comparable](n int, g T) ([]T, func(t *testing.T)) {
	buf := make([]T, n+32)
	for i := range buf {
		buf[i] = g
	}
	out := buf[16 : 16+n : 16+n]
	return out, func(t *testing.T) {
		t.Helper()
		for i := 0; i < 16; i++ {
			if buf[i] != g || buf[16+n+i] != g {
				t.Fatalf("write outside the output (guard %d)", i)
			}
		}
	}
}

// guarded is guardedWith the float guard value.
func guarded(n int) ([]float32, func(t *testing.T)) { return guardedWith(n, guard) }

// checkClose compares got with the float64 reference, within a bound
// scaled by the magnitude of the terms summed.
func checkClose(t *testing.T, what string, got []float32, want, scale []float64) {
	t.Helper()
	for i := range want {
		tol := 2e-5*scale[i] + 1e-6
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol) {
			t.Fatalf("%s: [%d] = %v, want %v (|diff| %g > %g)", what, i, got[i], want[i], d, tol)
		}
	}
}

func reference(w []float64, x []float32, bias []float32, rows, n, k int) (want, scale []float64) {
	want = make([]float64, rows*n)
	scale = make([]float64, rows*n)
	for t := 0; t < rows; t++ {
		for r := 0; r < n; r++ {
			var s, a float64
			if bias != nil {
				s, a = float64(bias[r]), math.Abs(float64(bias[r]))
			}
			for c := 0; c < k; c++ {
				p := w[r*k+c] * float64(x[t*k+c])
				s += p
				a += math.Abs(p)
			}
			want[t*n+r], scale[t*n+r] = s, a
		}
	}
	return
}

var allTypes = []DType{F32, F16, BF16, Q8_0}

// Every dot kernel of every variant, on random rows of many widths, against
// the float64 reference; and within a variant the tile, row and single
// kernels agree bit for bit.
func TestDotKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range Variants() {
		for _, typ := range allTypes {
			dk := v.Dot[typ]
			for _, cols := range testCols {
				if typ == Q8_0 && cols%Q8Block != 0 {
					continue
				}
				k := cols - cols%v.Block
				rows := max(16, dk.Rows, dk.TileN, 2*dk.Far)
				m, exact := randMatrix(rng, typ, rows, cols)
				data, ldw := m.bytes()
				x := randVec(rng, max(4, dk.TileM)*cols)
				name := fmt.Sprintf("%s %v k=%d", v.Name, typ, k)
				// single
				one := make([]float32, dk.TileM*rows)
				for a := 0; a < dk.TileM; a++ {
					for n := 0; n < rows; n++ {
						one[a*rows+n] = dk.One(k, &x[a*cols], &data[n*ldw])
					}
				}
				want, scale := reference(firstCols(exact, rows, cols, k), firstColsX(x, dk.TileM, cols, k), nil, dk.TileM, rows, k)
				checkClose(t, name+" One", one, want, scale)
				// rows: whole rows, the sums of kChunk columns added in order
				chunked := make([]float32, dk.TileM*rows)
				for a := 0; a < dk.TileM; a++ {
					for n := 0; n < rows; n++ {
						chunked[a*rows+n] = chunkedDot(dk, typ, k, x[a*cols:], data[n*ldw:], 0, false)
					}
				}
				out, check := guarded(dk.Rows)
				for a := 0; a < dk.TileM; a++ {
					dk.RowsDot(k, &x[a*cols], &data[0], ldw, &out[0], false)
					check(t)
					for n := 0; n < dk.Rows; n++ {
						if math.Float32bits(out[n]) != math.Float32bits(chunked[a*rows+n]) {
							t.Fatalf("%s: RowsDot[%d][%d] = %v, One by chunks gives %v", name, a, n, out[n], chunked[a*rows+n])
						}
					}
				}
				// far rows: every other row, so the stride is not the row's
				if dk.Far > 0 {
					far, check := guarded(dk.Far)
					for a := 0; a < dk.TileM; a++ {
						dk.FarDot(k, &x[a*cols], &data[0], 2*ldw, &far[0], false)
						check(t)
						for n := 0; n < dk.Far; n++ {
							if math.Float32bits(far[n]) != math.Float32bits(chunked[a*rows+2*n]) {
								t.Fatalf("%s: FarDot[%d][%d] = %v, One by chunks gives %v", name, a, n, far[n], chunked[a*rows+2*n])
							}
						}
					}
					dk.FarDot(k, &x[0], &data[0], 2*ldw, &far[0], false)
					dk.FarDot(k, &x[0], &data[0], 2*ldw, &far[0], true)
					for n := 0; n < dk.Far; n++ {
						if want := chunkedDot(dk, typ, k, x, data[2*n*ldw:], chunked[2*n], true); math.Float32bits(far[n]) != math.Float32bits(want) {
							t.Fatalf("%s: FarDot add [%d] = %v, want %v", name, n, far[n], want)
						}
					}
				}
				if k <= kChunk {
					for i := range chunked {
						if math.Float32bits(chunked[i]) != math.Float32bits(one[i]) {
							t.Fatalf("%s: One by chunks differs from One", name)
						}
					}
				}
				// tile
				// tile, written with a stride, then added to
				ldo := dk.TileN + 3
				tile, check := guarded(dk.TileM * ldo)
				dk.Tile(k, &x[0], cols, &data[0], ldw, &tile[0], ldo, false)
				check(t)
				checkTileOut(t, name+" Tile", tile, dk.TileM, ldo, dk.TileN, one, rows)
				dk.Tile(k, &x[0], cols, &data[0], ldw, &tile[0], ldo, true)
				for a := 0; a < dk.TileM; a++ {
					for n := 0; n < dk.TileN; n++ {
						if want := one[a*rows+n] + one[a*rows+n]; math.Float32bits(tile[a*ldo+n]) != math.Float32bits(want) {
							t.Fatalf("%s: Tile add [%d][%d] = %v, want %v", name, a, n, tile[a*ldo+n], want)
						}
					}
				}
				if dk.Tile2 != nil {
					checkTile2(t, name, dk, k, x, cols, data, ldw, one, rows)
				}
				dk.RowsDot(k, &x[0], &data[0], ldw, &out[0], false)
				dk.RowsDot(k, &x[0], &data[0], ldw, &out[0], true)
				for n := 0; n < dk.Rows; n++ {
					if want := chunkedDot(dk, typ, k, x, data[n*ldw:], chunked[n], true); math.Float32bits(out[n]) != math.Float32bits(want) {
						t.Fatalf("%s: RowsDot add [%d] = %v, want %v", name, n, out[n], want)
					}
				}
			}
		}
	}
}

// checkTileOut checks a tile's m rows of out (stride ldo) against One bit
// for bit, and that the columns past its tn are still guards.
func checkTileOut(t *testing.T, name string, out []float32, m, ldo, tn int, one []float32, rows int) {
	t.Helper()
	for a := 0; a < m; a++ {
		for n := 0; n < ldo; n++ {
			got := out[a*ldo+n]
			switch {
			case n >= tn && got != guard:
				t.Fatalf("%s wrote past its columns", name)
			case n < tn && math.Float32bits(got) != math.Float32bits(one[a*rows+n]):
				t.Fatalf("%s[%d][%d] = %v, One gives %v", name, a, n, got, one[a*rows+n])
			}
		}
	}
}

// checkTile2 runs a Tile2 on two activation rows and on row 0 given twice
// (ldx = ldo = 0), set and then added to, against One bit for bit, with
// guards around its outputs.
func checkTile2(t *testing.T, name string, dk DotKernels, k int, x []float32, cols int, data []byte, ldw int, one []float32, rows int) {
	t.Helper()
	ldo := dk.TileN + 3
	out, check := guarded(2 * ldo)
	dk.Tile2(k, &x[0], cols, &data[0], ldw, &out[0], ldo, false)
	check(t)
	checkTileOut(t, name+" Tile2", out, 2, ldo, dk.TileN, one, rows)
	single, check := guarded(dk.TileN)
	for _, add := range []bool{false, true} {
		dk.Tile2(k, &x[0], 0, &data[0], ldw, &single[0], 0, add)
		check(t)
		for n := 0; n < dk.TileN; n++ {
			want := one[n]
			if add {
				want += one[n]
			}
			if math.Float32bits(single[n]) != math.Float32bits(want) {
				t.Fatalf("%s: Tile2 of one row (add %v) [%d] = %v, want %v", name, add, n, single[n], want)
			}
		}
	}
}

// chunkedDot is what RowsDot computes for one row: the single dot product
// of each kChunk columns, added in order to out (or replacing it first).
func chunkedDot(dk DotKernels, typ DType, k int, x []float32, w []byte, out float32, add bool) float32 {
	for c0 := 0; c0 < k || c0 == 0; c0 += kChunk {
		v := dk.One(min(kChunk, k-c0), &x[c0], &w[colOffset(typ, c0)])
		if add || c0 > 0 {
			out += v
		} else {
			out = v
		}
	}
	return out
}

func firstCols(w []float64, rows, cols, k int) []float64 {
	out := make([]float64, 0, rows*k)
	for r := 0; r < rows; r++ {
		out = append(out, w[r*cols:r*cols+k]...)
	}
	return out
}

func firstColsX(x []float32, rows, cols, k int) []float32 {
	out := make([]float32, 0, rows*k)
	for r := 0; r < rows; r++ {
		out = append(out, x[r*cols:r*cols+k]...)
	}
	return out
}

// The threaded drivers, for every variant and type (and the q8 path of the
// generic one), against the float64 reference; and the same bits at 1 and 2
// threads.
func TestMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pools := []*Pool{NewPool(1), NewPool(2), NewPool(3)}
	defer func() {
		for _, p := range pools {
			p.Close()
		}
	}()
	shapes := []struct{ rows, n, k int }{
		{1, 1, 32}, {1, 7, 64}, {3, 17, 96}, {4, 16, 32}, {5, 33, 768}, {13, 65, 64}, {17, 130, 160}, {64, 96, 768}, {2, 50257, 64},
		{1, 40, 3072}, {3, 33, 1600}, {6, 20, 3072}, {17, 48, 1536},
		{1, 40, 100}, {2, 19, 100}, // columns past the last whole block (not q8_0)
		{1, 293, 64}, // decode on panels: two calls of four, then one panel and a part
	}
	for _, v := range append(Variants(), withQ8, withPan) {
		for _, typ := range allTypes {
			for _, s := range shapes {
				if typ == Q8_0 && s.k%Q8Block != 0 {
					continue
				}
				if v == withPan && s.rows*s.n*s.k > 1<<19 {
					continue // its Go sums are slow, and the shapes below cover its paths
				}
				m, exact := randMatrix(rng, typ, s.n, s.k)
				x := randVec(rng, s.rows*s.k)
				bias := randVec(rng, s.n)
				xr := x
				if typ == Q8_0 && v.Q8 != nil {
					xr = quantizedCopy(x, s.k) // what the int8 products multiply
				}
				want, scale := reference(exact, xr, bias, s.rows, s.n, s.k)
				modes := []string{"all rows", "row by row"}
				// f32, f16 and bf16 panels sum in another order than rows
				// (panel.go): the same bits on all of their paths, compared
				// among themselves.
				panOrder := typ != Q8_0 && v.Pan != nil && v.Pan.Row[typ] != nil
				if typ == Q8_0 && v.Q8 != nil || panOrder {
					modes = append(modes, "panels, all rows", "panels, row by row")
				}
				firsts := map[bool][]float32{}
				for pi, pool := range pools {
					mm := NewMatMul(v, pool)
					for _, mode := range modes {
						dst, check := guarded(s.rows * s.n)
						w := m
						if strings.HasPrefix(mode, "panels") {
							if PreparePanels(v, pool, &w); (w.Panels == nil) != (typ == Q8_0 && s.n < 16) {
								t.Fatalf("%s %d rows: panels %v", v.Name, s.n, w.Panels != nil)
							}
						}
						if strings.HasSuffix(mode, "all rows") {
							mm.Mul(dst, x, w, bias, s.rows)
						} else {
							for t := 0; t < s.rows; t++ {
								mm.Mul(dst[t*s.n:(t+1)*s.n], x[t*s.k:(t+1)*s.k], w, bias, 1)
							}
						}
						check(t)
						name := fmt.Sprintf("%s %s %v rows=%d n=%d k=%d threads=%d", v.Name, mode, typ, s.rows, s.n, s.k, pool.Threads())
						checkClose(t, name, dst, want, scale)
						order := panOrder && strings.HasPrefix(mode, "panels")
						first, ok := firsts[order]
						if !ok {
							if pi != 0 || !strings.HasSuffix(mode, "all rows") {
								t.Fatalf("%s: no first result", name)
							}
							firsts[order] = append([]float32(nil), dst...)
						} else {
							for i := range dst {
								if math.Float32bits(dst[i]) != math.Float32bits(first[i]) {
									t.Fatalf("%s: differs from all rows at 1 thread at %d", name, i)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestVectorKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, v := range Variants() {
		for _, n := range []int{1, 2, 7, 15, 16, 17, 31, 63, 64, 65, 100, 768, 1025, 50257} {
			a, b := randVec(rng, n), randVec(rng, n)
			var want, scale float64
			for i := range a {
				want += float64(a[i]) * float64(b[i])
				scale += math.Abs(float64(a[i]) * float64(b[i]))
			}
			checkClose(t, fmt.Sprintf("%s dot n=%d", v.Name, n), []float32{v.DotF32(a, b)}, []float64{want}, []float64{scale})

			y, check := guarded(n)
			copy(y, a)
			v.Axpy(y, 0.37, b)
			check(t)
			for i := range y {
				w := float64(a[i]) + 0.37*float64(b[i])
				if math.Abs(float64(y[i])-w) > 1e-6*(1+math.Abs(w)) {
					t.Fatalf("%s axpy n=%d [%d]: %v want %v", v.Name, n, i, y[i], w)
				}
			}

			// softmax of logits with a wide range, as attention and sampling see;
			// the guards past the end are larger than any value, and must not count
			s, check := guardedWith(n, float32(1e30))
			for i := range s {
				s[i] = float32(rng.NormFloat64() * 8)
			}
			orig := append([]float32(nil), s...)
			v.Softmax(s)
			check(t)
			mx := math.Inf(-1)
			for _, x := range orig {
				mx = math.Max(mx, float64(x))
			}
			var sum float64
			for _, x := range orig {
				sum += math.Exp(float64(x) - mx)
			}
			for i, x := range orig {
				w := math.Exp(float64(x)-mx) / sum
				if math.Abs(float64(s[i])-w) > 2e-6*w+1e-9 {
					t.Fatalf("%s softmax n=%d [%d]: %v want %v", v.Name, n, i, s[i], w)
				}
			}

			g, check := guarded(n)
			for i := range g {
				g[i] = float32(rng.NormFloat64() * 4)
			}
			in := append([]float32(nil), g...)
			v.Gelu(g)
			check(t)
			for i, x := range in {
				u := float64(x)
				w := 0.5 * u * (1 + math.Tanh(0.7978845608028654*(u+0.044715*u*u*u)))
				if math.Abs(float64(g[i])-w) > 2e-6*(1+math.Abs(w)) {
					t.Fatalf("%s gelu(%v) = %v want %v", v.Name, x, g[i], w)
				}
			}
		}
	}
}

func TestMatrixViews(t *testing.T) {
	raw := make([]byte, 4*6)
	for i := 0; i < 6; i++ {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(float32(i)))
	}
	m, err := NewMatrix(F32, 2, 3, raw)
	if err != nil || m.F32[4] != 4 {
		t.Fatal(m, err)
	}
	if _, err := NewMatrix(F32, 2, 4, raw); err == nil {
		t.Fatal("size mismatch accepted")
	}
	if _, err := NewMatrix(Q8_0, 1, 48, make([]byte, 51)); err == nil {
		t.Fatal("partial q8_0 block accepted")
	}
	row := make([]float32, 3)
	m.Slice(1, 2).Row(row, 0)
	if row[0] != 3 || row[2] != 5 {
		t.Fatal(row)
	}
}

func TestProbes(t *testing.T) {
	for _, v := range Variants() {
		b := make([]byte, 64*100+512*7)
		for i := range b {
			b[i] = byte(i)
		}
		if v.ReadSum(b) != readSumGeneric(b) {
			t.Errorf("%s: ReadSum differs from the generic sum", v.Name)
		}
		if v.FMALoop(1000) <= 0 {
			t.Errorf("%s: FMALoop did nothing", v.Name)
		}
	}
	if bw := Bandwidth(Generic(), 2, 64<<20); !(bw > 0) {
		t.Fatal("bandwidth not positive")
	}
	if pk := PeakFlops(Generic(), 1); !(pk > 0) {
		t.Fatal("peak not positive")
	}
}

// LayerNorm of every variant against float64, on rows with a large common
// offset (as GPT-2's residual stream has) and in place.
func TestLayerNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, v := range Variants() {
		for _, n := range []int{1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 100, 768, 1600, 2049} {
			x, gain, bias := randVec(rng, n), randVec(rng, n), randVec(rng, n)
			for i := range x {
				x[i] = x[i]*3 + 20
			}
			var mean, vr float64
			for _, u := range x {
				mean += float64(u)
			}
			mean /= float64(n)
			for _, u := range x {
				vr += (float64(u) - mean) * (float64(u) - mean)
			}
			const eps = 1e-5
			inv := 1 / math.Sqrt(vr/float64(n)+eps)
			dst, check := guarded(n)
			v.LayerNorm(dst, x, gain, bias, eps)
			check(t)
			for i, u := range x {
				w := (float64(u)-mean)*inv*float64(gain[i]) + float64(bias[i])
				if d := math.Abs(float64(dst[i]) - w); d > 2e-5*(1+math.Abs(w)) {
					t.Fatalf("%s layernorm n=%d [%d]: %v want %v", v.Name, n, i, dst[i], w)
				}
			}
			in := append([]float32(nil), x...)
			v.LayerNorm(in, in, gain, bias, eps)
			for i := range in {
				if math.Float32bits(in[i]) != math.Float32bits(dst[i]) {
					t.Fatalf("%s layernorm n=%d in place [%d]: %v, into another slice %v", v.Name, n, i, in[i], dst[i])
				}
			}
		}
	}
}
