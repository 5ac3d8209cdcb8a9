package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// q8Variants are the q8 kernel sets to test: the Go reference and every
// variant's own.
func q8Variants() map[string]*Q8Kernels {
	ks := map[string]*Q8Kernels{"generic": q8Generic}
	for _, v := range Variants() {
		if v.Q8 != nil {
			ks[v.Name] = v.Q8
		}
	}
	return ks
}

// withQ8 is the generic variant with the q8 kernels: the drivers' q8 path
// runs (and is tested) on every machine.
var withQ8 = func() *Variant { v := *generic; v.Name = "generic+q8"; v.Q8 = q8Generic; return &v }()

// randActivations has blocks of very different magnitudes, an all-zero
// block, and exact halves that round to even.
func randActivations(rng *rand.Rand, k int) []float32 {
	x := randVec(rng, k)
	for b := 0; b < k/Q8Block; b++ {
		scale := float32(math.Pow(10, float64(rng.IntN(7)-3)))
		for i := b * Q8Block; i < (b+1)*Q8Block; i++ {
			x[i] *= scale
		}
		switch b % 5 {
		case 1:
			clear(x[b*Q8Block : (b+1)*Q8Block])
		case 3:
			// max 127 → d = 1: values at .5 round to even
			for i := 0; i < Q8Block; i++ {
				x[b*Q8Block+i] = float32(i) - 15.5
			}
			x[b*Q8Block] = -127
		}
	}
	return x
}

func guardedBytes(n int) ([]byte, func(t *testing.T)) {
	buf := bytes.Repeat([]byte{0xA5}, n+128)
	return buf[64 : 64+n : 64+n], func(t *testing.T) {
		t.Helper()
		for i := 0; i < 64; i++ {
			if buf[i] != 0xA5 || buf[64+n+i] != 0xA5 {
				t.Fatalf("write outside the output (guard %d)", i)
			}
		}
	}
}

// Quantization: every kernel set gives the reference's bytes, and each
// value is within half a step of its block's scale.
func TestQ8Quantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for name, q := range q8Variants() {
		for _, k := range []int{32, 64, 96, 160, 768, 3072} {
			x := randActivations(rng, k)
			want := make([]byte, k/Q8Block*q8ActBytes)
			quantizeQ8ActGeneric(k, &x[0], &want[0])
			got, check := guardedBytes(len(want))
			q.Quantize(k, &x[0], &got[0])
			check(t)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s k=%d: quantized bytes differ from the reference", name, k)
			}
			for b := 0; b < k/Q8Block; b++ {
				blk := got[b*q8ActBytes:]
				d := math.Float32frombits(binary.LittleEndian.Uint32(blk))
				var sum int32
				for i := 0; i < Q8Block; i++ {
					qi := int8(blk[8+i])
					sum += int32(qi)
					if e := math.Abs(float64(x[b*Q8Block+i]) - float64(d)*float64(qi)); e > 0.5001*float64(d) {
						t.Fatalf("%s k=%d block %d: |x - d·q| = %g > d/2 (d %g)", name, k, b, e, d)
					}
				}
				if c := int32(binary.LittleEndian.Uint32(blk[4:])); c != -128*sum {
					t.Fatalf("%s k=%d block %d: c = %d, want %d", name, k, b, c, -128*sum)
				}
			}
		}
	}
	// Halves round to even: block 3 holds -15.5 … 15.5 at scale 1.
	x := randActivations(rng, 4*Q8Block)
	var xq [4 * q8ActBytes]byte
	quantizeQ8ActGeneric(len(x), &x[0], &xq[0])
	blk := xq[3*q8ActBytes:]
	if got := []int8{int8(blk[8+1]), int8(blk[8+2]), int8(blk[8+17])}; got[0] != -14 || got[1] != -14 || got[2] != 2 {
		t.Fatalf("-14.5, -13.5, 1.5 quantized to %v, want [-14 -14 2]", got)
	}
}

// The row, tile and packing kernels of every set against dotQ8Act, bit for
// bit, and against the float64 product of the quantized values.
func TestQ8Kernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for name, q := range q8Variants() {
		for _, k := range []int{32, 64, 96, 160, 768, 3072} {
			m, exact := randMatrix(rng, Q8_0, 16, k)
			data, ldw := m.bytes()
			rows := q.TileM
			ldx := k / Q8Block * q8ActBytes
			xq := make([]byte, rows*ldx)
			xf := make([]float64, rows*k)
			for r := 0; r < rows; r++ {
				x := randActivations(rng, k)
				quantizeQ8ActGeneric(k, &x[0], &xq[r*ldx])
				for c := 0; c < k; c++ {
					blk := xq[r*ldx+c/Q8Block*q8ActBytes:]
					xf[r*k+c] = float64(math.Float32frombits(binary.LittleEndian.Uint32(blk))) * float64(int8(blk[8+c%Q8Block]))
				}
			}
			want := make([]float32, rows*16)
			for r := 0; r < rows; r++ {
				for n := 0; n < 16; n++ {
					want[r*16+n] = dotQ8Act(k, &xq[r*ldx], &data[n*ldw])
					var s, a float64
					for c := 0; c < k; c++ {
						p := xf[r*k+c] * exact[n*k+c]
						s, a = s+p, a+math.Abs(p)
					}
					if d := math.Abs(float64(want[r*16+n]) - s); d > 2e-5*a+1e-30 {
						t.Fatalf("dotQ8Act k=%d: %v, want %v", k, want[r*16+n], s)
					}
				}
			}
			label := fmt.Sprintf("%s k=%d", name, k)
			for r := 0; r < rows; r++ {
				out, check := guarded(16)
				q.Rows(k, &xq[r*ldx], &data[0], ldw, &out[0])
				check(t)
				sameBits(t, label+" Rows", out, want[r*16:(r+1)*16])
			}
			packed, checkPack := guardedBytes(k / Q8Block * q8PackBytes)
			q.Pack(k, &data[0], ldw, &packed[0])
			checkPack(t)
			ref := make([]byte, len(packed))
			packQ8Generic(k, &data[0], ldw, &ref[0])
			if !bytes.Equal(packed, ref) {
				t.Fatalf("%s: packed panel differs from the reference", label)
			}
			for r := 0; r < rows; r++ {
				out, check := guarded(16)
				q.Tile1(k, &xq[r*ldx], &packed[0], &out[0])
				check(t)
				sameBits(t, label+" Tile1", out, want[r*16:(r+1)*16])
			}
			if q.Streams > 1 {
				// Panel s holds the rows rotated by s, panels 64 bytes apart
				// past their end, outputs 16+8 floats apart: the gaps are
				// guard values that must survive.
				pb := len(packed)
				stride := pb + 64
				panels, checkPanels := guardedBytes(q.Streams * stride)
				for st := 0; st < q.Streams; st++ {
					rot := make([]byte, len(data))
					for n := 0; n < 16; n++ {
						copy(rot[n*ldw:(n+1)*ldw], data[(n+st)%16*ldw:((n+st)%16+1)*ldw])
					}
					packQ8Generic(k, &rot[0], ldw, &panels[st*stride])
				}
				const ostride = 24
				for r := 0; r < rows; r++ {
					out, check := guarded(q.Streams * ostride)
					q.Tile1Streams(k, &xq[r*ldx], &panels[0], stride, &out[0], ostride)
					check(t)
					checkPanels(t)
					for st := 0; st < q.Streams; st++ {
						for n := 0; n < 16; n++ {
							m := r*16 + (n+st)%16
							sameBits(t, fmt.Sprintf("%s Tile1Streams (stream %d)", label, st), out[st*ostride+n:st*ostride+n+1], want[m:m+1])
						}
						for i := 16; i < ostride; i++ {
							if out[st*ostride+i] != guard {
								t.Fatalf("%s Tile1Streams: wrote between streams' outputs", label)
							}
						}
					}
				}
			}
			// The tile writes rows of 16 at a stride of 24: guard values
			// between them must survive.
			const ldo = 24
			buf, check := guarded(rows * ldo)
			for i := range buf {
				buf[i] = guard
			}
			q.Tile(k, &xq[0], ldx, &packed[0], &buf[0], ldo)
			check(t)
			for r := 0; r < rows; r++ {
				sameBits(t, label+" Tile", buf[r*ldo:r*ldo+16], want[r*16:(r+1)*16])
				for i := 16; i < ldo; i++ {
					if buf[r*ldo+i] != guard {
						t.Fatalf("%s Tile: wrote between rows", label)
					}
				}
			}
			if q.Wide != nil {
				checkWide(t, label, q, k, xq, ldx, data, ldw, packed, want)
			}
		}
	}
}

// checkWide checks the wide tile against want (the first TileM rows' dot
// products with the 16 weight rows in data): its first panel is packed,
// its second the same rows rotated by 5, 64 bytes past the first's end
// (guards between); outputs 32 a row at a stride of 40, guards between.
func checkWide(t *testing.T, label string, q *Q8Kernels, k int, xq []byte, ldx int, data []byte, ldw int, packed []byte, want []float32) {
	t.Helper()
	const rot, ldo = 5, 40
	rotated := make([]byte, len(data))
	for n := 0; n < 16; n++ {
		copy(rotated[n*ldw:(n+1)*ldw], data[(n+rot)%16*ldw:((n+rot)%16+1)*ldw])
	}
	pb := len(packed)
	panels, checkPanels := guardedBytes(2*pb + 64)
	copy(panels, packed)
	packQ8Generic(k, &rotated[0], ldw, &panels[pb+64])
	buf, check := guarded(q.WideM * ldo)
	for i := range buf {
		buf[i] = guard
	}
	q.Wide(k, &xq[0], ldx, &panels[0], pb+64, &buf[0], ldo)
	check(t)
	checkPanels(t)
	for r := 0; r < q.WideM; r++ {
		sameBits(t, label+" Wide (first panel)", buf[r*ldo:r*ldo+16], want[r*16:(r+1)*16])
		for n := 0; n < 16; n++ {
			m := r*16 + (n+rot)%16
			sameBits(t, label+" Wide (second panel)", buf[r*ldo+16+n:r*ldo+17+n], want[m:m+1])
		}
		for i := 32; i < ldo; i++ {
			if buf[r*ldo+i] != guard {
				t.Fatalf("%s Wide: wrote between rows", label)
			}
		}
	}
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// quantizedCopy is x with each row replaced by its q8 activation values
// (the exact inputs of a q8 product).
func quantizedCopy(x []float32, k int) []float32 {
	out := make([]float32, len(x))
	buf := make([]byte, k/Q8Block*q8ActBytes)
	for r := 0; r < len(x)/k; r++ {
		quantizeQ8ActGeneric(k, &x[r*k], &buf[0])
		for c := 0; c < k; c++ {
			blk := buf[c/Q8Block*q8ActBytes:]
			out[r*k+c] = math.Float32frombits(binary.LittleEndian.Uint32(blk)) * float32(int8(blk[8+c%Q8Block]))
		}
	}
	return out
}
