package transformer

import (
	"fmt"
	"math"
	"testing"

	"gpt2/internal/checkpoint"
)

// longConfig is longModel's shape.
var longConfig = checkpoint.Config{Name: "long", NLayer: 2, NHead: 2, NEmbd: 64, NCtx: 200, NInner: 256,
	VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new"}

// longModel is a small random model with a context longer than the value
// cache's blocks (the tiny fixture's 64 positions fit in one).
func longModel(t *testing.T) *Model { return longModelOf(t, checkpoint.F32) }

// longModelOf is longModel with weights of type dt (every matrix is 64 or
// 256 wide, so q8_0 applies to all of them).
func longModelOf(t *testing.T, dt checkpoint.DType) *Model {
	t.Helper()
	m, err := New(checkpoint.Random(longConfig, dt, 3), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// Decoding token by token past several value blocks gives the logits of
// one pass over the whole sequence.
func TestKVCacheAcrossBlocks(t *testing.T) {
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.Q8_0} {
		t.Run(dt.String(), func(t *testing.T) { testKVCacheAcrossBlocks(t, longModelOf(t, dt)) })
	}
}

// The same for head dimensions past the attention kernels' vectors of 16
// (40: the last 8 columns summed in Go) and wider than their 64 (80).
func TestKVCacheHeadDims(t *testing.T) {
	for _, d := range []int{40, 80} {
		c := checkpoint.Config{Name: "heads", NLayer: 2, NHead: 3, NEmbd: 3 * d, NCtx: 200, NInner: 12 * d,
			VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new"}
		m, err := New(checkpoint.Random(c, checkpoint.F32, 5), Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint("d=", d), func(t *testing.T) { testKVCacheAcrossBlocks(t, m) })
		m.Close()
	}
}

func testKVCacheAcrossBlocks(t *testing.T, m *Model) {
	const n, np = 190, 10
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Pos: i, Token: (i*7919 + 13) % 50257}
	}
	worst := decodeVsRecompute(t, m, rows, np)
	if worst > 1e-4 {
		t.Fatalf("cached decode differs from recomputation by %g", worst)
	}
	t.Logf("cached decode vs recomputation over %d positions: max |Δlogit| %.2g", n, worst)
}

// decodeVsRecompute runs rows (one sequence, positions 0..) in one pass,
// and again as a prompt of np rows followed by one row at a time, and
// returns the largest difference between the two passes' logits.
func decodeVsRecompute(t *testing.T, m *Model, rows []Row, np int) float64 {
	t.Helper()
	n := len(rows)
	all := make([]Row, n)
	for i, r := range rows {
		r.Logits = true
		all[i] = r
	}
	full := m.NewState(1, n, n, n)
	if err := full.Forward(all); err != nil {
		t.Fatal(err)
	}
	inc := m.NewState(1, n, n, 1)
	if err := inc.Forward(rows[:np]); err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := np; i < n; i++ {
		if err := inc.Forward(all[i : i+1]); err != nil {
			t.Fatal(err)
		}
		a, b := inc.LogitsRow(0), full.LogitsRow(i)
		for j := range a {
			worst = math.Max(worst, math.Abs(float64(a[j]-b[j])))
		}
	}
	return worst
}

// A copied sequence continues exactly as its source, across value blocks.
func TestCopySeqAcrossBlocks(t *testing.T) {
	m := longModel(t)
	const n = 150
	st := m.NewState(2, n+1, n, 2)
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{Pos: i, Token: (i*31 + 5) % 50257}
	}
	if err := st.Forward(rows); err != nil {
		t.Fatal(err)
	}
	st.CopySeq(1, 0, n)
	next := []Row{{Seq: 0, Pos: n, Token: 42, Logits: true}, {Seq: 1, Pos: n, Token: 42, Logits: true}}
	if err := st.Forward(next); err != nil {
		t.Fatal(err)
	}
	a, b := st.LogitsRow(0), st.LogitsRow(1)
	for j := range a {
		if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
			t.Fatalf("logit %d: copy %v, source %v", j, b[j], a[j])
		}
	}
}

// Decode gives the same bits at any thread count, across value blocks:
// every product's outputs and every head's attention are split between
// the threads, never summed across them.
func TestDecodeSameBitsAnyThreads(t *testing.T) {
	const n, np = 140, 10
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.Q8_0} {
		ck := checkpoint.Random(longConfig, dt, 3)
		var first [][]float32
		for _, threads := range []int{1, 2, 3} {
			m, err := New(ck, Options{Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			st := m.NewState(1, n, np, 1)
			prompt := make([]Row, np)
			for i := range prompt {
				prompt[i] = Row{Pos: i, Token: (i*7919 + 13) % 50257}
			}
			prompt[np-1].Logits = true
			if err := st.Forward(prompt); err != nil {
				t.Fatal(err)
			}
			for i := np; i < n; i++ {
				if err := st.Forward([]Row{{Pos: i, Token: argmax(st.LogitsRow(0)), Logits: true}}); err != nil {
					t.Fatal(err)
				}
				got := st.LogitsRow(0)
				if threads == 1 {
					first = append(first, append([]float32(nil), got...))
					continue
				}
				for j, v := range got {
					if math.Float32bits(v) != math.Float32bits(first[i-np][j]) {
						t.Fatalf("%v, %d threads, position %d: logit %d is %v, at one thread %v", dt, threads, i, j, v, first[i-np][j])
					}
				}
			}
			m.Close()
		}
	}
}

// DecodeCacheBytes for GPT-2 small's tg128, counted by hand: steps at
// positions 1..128 read keys 2..129 and values padded to 16 (9344 in all,
// against 8384 keys), of 12 layers × 768 floats each.
func TestDecodeCacheBytes(t *testing.T) {
	cfg, _ := checkpoint.Standard("small")
	m := &Model{Config: cfg}
	if got, want := m.DecodeCacheBytes(128), (8384.0+9344.0)/128*12*768*4; got != want {
		t.Errorf("DecodeCacheBytes(128) = %v, want %v", got, want)
	}
	if got := m.DecodeCacheBytes(0); got != 0 {
		t.Errorf("DecodeCacheBytes(0) = %v, want 0", got)
	}
}
