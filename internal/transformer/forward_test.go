package transformer

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gpt2/internal/checkpoint"
)

// A pass that asks for some rows' logits gives those rows the bits of a
// pass that asks for every row's, and leaves the same keys and values in
// the cache: the last block runs on the asked rows alone, and their keys
// and values are stored apart from attention. The rows are of two
// sequences, with asked rows alone and in a run of consecutive positions.
func TestOutputRowsSameBits(t *testing.T) {
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.Q8_0} {
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%v/threads=%d", dt, threads), func(t *testing.T) {
				c := checkpoint.Config{Name: "long", NLayer: 2, NHead: 2, NEmbd: 64, NCtx: 200, NInner: 256,
					VocabSize: 50257, Eps: 1e-5, Activation: "gelu_new"}
				m, err := New(checkpoint.Random(c, dt, 3), Options{Threads: threads})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				var rows []Row
				for p := range 70 {
					rows = append(rows, Row{Seq: 0, Pos: p, Token: (p*7919 + 13) % 50257})
					if p < 40 {
						rows = append(rows, Row{Seq: 1, Pos: p, Token: (p*31 + 5) % 50257})
					}
				}
				for _, asked := range [][]int{{len(rows) - 1}, {3, 20, 21, 22, 57, len(rows) - 1}, nil} {
					all := m.NewState(2, 100, len(rows), len(rows))
					some := m.NewState(2, 100, len(rows), len(rows))
					for i := range rows {
						rows[i].Logits = true
					}
					if err := all.Forward(rows); err != nil {
						t.Fatal(err)
					}
					for i := range rows {
						rows[i].Logits = slices.Contains(asked, i)
					}
					if err := some.Forward(rows); err != nil {
						t.Fatal(err)
					}
					for j, i := range asked {
						want, got := all.LogitsRow(i), some.LogitsRow(j)
						for v := range want {
							if math.Float32bits(got[v]) != math.Float32bits(want[v]) {
								t.Fatalf("rows %v asked: row %d's logit %d is %v, with every row asked %v", asked, i, v, got[v], want[v])
							}
						}
					}
					if !slices.Equal(some.k, all.k) || !slices.Equal(some.v, all.v) {
						t.Fatalf("rows %v asked: the cache differs from a pass with every row asked", asked)
					}
				}
			})
		}
	}
}
