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
				m, err := New(checkpoint.Random(longConfig, dt, 3), Options{Threads: threads})
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

// A prompt in chunks gives every row the bits of one pass: the chunks'
// blocks start between the key cache's blocks, so attention splits its
// rows into other bands on the causal mask's diagonal (and decode, a row
// alone, into one), and skips other keys and values of probability 0.
// One chunk size starts a block 11 rows before a key block (53), where
// the band with the first row that sees it starts at row 0.
func TestChunkedPrefillSameBits(t *testing.T) {
	for _, threads := range []int{1, 2} {
		m, err := New(checkpoint.Random(longConfig, checkpoint.F32, 3), Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]Row, 190)
		for i := range rows {
			rows[i] = Row{Pos: i, Token: (i*7919 + 13) % 50257, Logits: true}
		}
		whole := m.NewState(1, len(rows), len(rows), len(rows))
		if err := whole.Forward(rows); err != nil {
			t.Fatal(err)
		}
		for _, chunk := range []int{1, 37, 53, 100} {
			st := m.NewState(1, len(rows), chunk, chunk)
			for c := 0; c < len(rows); c += chunk {
				part := rows[c:min(c+chunk, len(rows))]
				if err := st.Forward(part); err != nil {
					t.Fatal(err)
				}
				for j := range part {
					want, got := whole.LogitsRow(c+j), st.LogitsRow(j)
					for v := range want {
						if math.Float32bits(got[v]) != math.Float32bits(want[v]) {
							t.Fatalf("threads %d, chunks of %d: row %d's logit %d is %v, in one pass %v", threads, chunk, c+j, v, got[v], want[v])
						}
					}
				}
			}
		}
		m.Close()
	}
}

// PrefillFlops for a two-token prompt of GPT-2 small, counted by hand as
// Forward does the work: both tokens through eleven blocks and the last
// block's QKV product (7,077,888 multiply-adds a token and block, 1,769,472
// of them QKV), the second token alone through the rest of the last block;
// attention over 1 + 2 keys in eleven blocks and 2 in the last (64
// dimensions a head, scores and weighted sums); the output layer once.
func TestPrefillFlops(t *testing.T) {
	cfg, _ := checkpoint.Standard("small")
	m := &Model{Config: cfg}
	macs := 2*11*7077888 + 2*1769472 + (7077888 - 1769472) // weight matrices
	macs += 11*(1+2)*2*768 + 2*2*768                       // attention
	macs += 50257 * 768                                    // output layer
	if got, want := m.PrefillFlops(2), 2*float64(macs); got != want {
		t.Errorf("PrefillFlops(2) = %v, want %v", got, want)
	}
}
