package transformer

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
)

var benchModels = map[string]*checkpoint.Model{}

func randomSmall(b *testing.B, dt checkpoint.DType) *checkpoint.Model {
	if m, ok := benchModels[dt.String()]; ok {
		return m
	}
	cfg, _ := checkpoint.Standard("small")
	m := checkpoint.Random(cfg, dt, 1)
	benchModels[dt.String()] = m
	return m
}

// BenchmarkDecode measures decode tokens/s of a GPT-2-small-shaped model
// with random weights, for each kernel variant, dtype and thread count.
func BenchmarkDecode(b *testing.B) {
	for _, v := range kernels.Variants() {
		for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.Q8_0} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", v.Name, dt, threads), func(b *testing.B) {
					m, err := New(randomSmall(b, dt), Options{Threads: threads, Kernels: v})
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					st := m.NewState(1, 1024, 1, 1)
					rows := []Row{{Token: 464, Logits: true}}
					pos := 0
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						rows[0].Pos = pos
						pos = (pos + 1) % 128 // decode at positions 0..127, like tg128
						if err := st.Forward(rows); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
				})
			}
		}
	}
}

// BenchmarkPrefill measures prefill tokens/s over a 128-token prompt.
func BenchmarkPrefill(b *testing.B) {
	const n = 128
	for _, v := range kernels.Variants() {
		for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.Q8_0} {
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/threads=%d", v.Name, dt, threads), func(b *testing.B) {
					m, err := New(randomSmall(b, dt), Options{Threads: threads, Kernels: v})
					if err != nil {
						b.Fatal(err)
					}
					defer m.Close()
					st := m.NewState(1, n, n, 1)
					rows := make([]Row, n)
					for i := range rows {
						rows[i] = Row{Pos: i, Token: (i * 7919) % 50257, Logits: i == n-1}
					}
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := st.Forward(rows); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "tokens/s")
				})
			}
		}
	}
}

// BenchmarkPanels compares q8_0 decode and 128-token prefill from the
// stored rows and from prepared panels.
func BenchmarkPanels(b *testing.B) {
	v := kernels.Default
	if v.Q8 == nil {
		b.Skip("no int8 kernels on this machine")
	}
	benchPair(b, [2]string{"rows", "panels"}, func(i, threads int) *Model {
		m := newBenchModel(b, checkpoint.Q8_0, threads, v)
		if i == 0 {
			m.stripPanels()
		}
		return m
	})
}

// BenchmarkStreams compares decode (and prefill, which does not use them)
// with the weights read as one stream a thread and as several far apart
// (Q8Kernels.Streams for q8_0, DotKernels.Far for the float types).
func BenchmarkStreams(b *testing.B) {
	v := kernels.Default
	one := *v
	for t := range one.Dot {
		one.Dot[t].Far, one.Dot[t].FarDot = 0, nil
	}
	if v.Q8 != nil {
		q := *v.Q8
		q.Streams, q.Tile1Streams = 0, nil
		one.Q8 = &q
	}
	for _, dt := range []checkpoint.DType{checkpoint.F32, checkpoint.F16, checkpoint.BF16, checkpoint.Q8_0} {
		b.Run(dt.String(), func(b *testing.B) {
			benchPair(b, [2]string{"one", "streams"}, func(i, threads int) *Model {
				return newBenchModel(b, dt, threads, []*kernels.Variant{&one, v}[i])
			})
		})
	}
}

func newBenchModel(b *testing.B, dt checkpoint.DType, threads int, v *kernels.Variant) *Model {
	m, err := New(randomSmall(b, dt), Options{Threads: threads, Kernels: v})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// benchPair times decode and 128-token prefill on two models of the same
// weights, alternating between them in small rounds so that both see the
// same moments of a noisy machine, and reports both speeds and their ratio.
// Each model is built twice, in the order A, B, B, A: of two identical
// models, the one built second decoded a few per cent faster (where its
// memory lands), which a plain A, B pairing credits to B.
func benchPair(b *testing.B, names [2]string, build func(i, threads int) *Model) {
	const prompt = 128
	prefill := make([]Row, prompt)
	for i := range prefill {
		prefill[i] = Row{Pos: i, Token: (i * 7919) % 50257, Logits: i == prompt-1}
	}
	for _, test := range []string{"decode", "prefill"} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", test, threads), func(b *testing.B) {
				order := [4]int{0, 1, 1, 0}
				var sts [4]*State
				for k, i := range order {
					m := build(i, threads)
					defer m.Close()
					sts[k] = m.NewState(1, 1024, prompt, 1)
				}
				perRound := 16 // decode steps per model and round
				if test == "prefill" {
					perRound = prompt
				}
				row := []Row{{Token: 464, Logits: true}}
				var el [2]time.Duration
				var ratios []float64 // per round: a burst of noise moves one round
				tokens := 0
				for i := 0; b.Loop(); i++ {
					var round [2]time.Duration
					for k, st := range sts {
						start := time.Now()
						if test == "prefill" {
							if err := st.Forward(prefill); err != nil {
								b.Fatal(err)
							}
						} else {
							for p := 0; p < perRound; p++ {
								row[0].Pos = (perRound*i + p) % 128
								if err := st.Forward(row); err != nil {
									b.Fatal(err)
								}
							}
						}
						round[order[k]] += time.Since(start)
					}
					el[0], el[1] = el[0]+round[0], el[1]+round[1]
					ratios = append(ratios, round[0].Seconds()/round[1].Seconds())
					tokens += 2 * perRound // per model
				}
				slices.Sort(ratios)
				b.ReportMetric(float64(tokens)/el[0].Seconds(), names[0]+"-tok/s")
				b.ReportMetric(float64(tokens)/el[1].Seconds(), names[1]+"-tok/s")
				b.ReportMetric(el[0].Seconds()/el[1].Seconds(), "speedup")
				b.ReportMetric(ratios[len(ratios)/2], "median-speedup")
			})
		}
	}
}

// stripPanels drops the prepared panels: the model multiplies from the
// stored rows.
func (m *Model) stripPanels() {
	for _, w := range m.products() {
		w.Panels = nil
	}
}

// BenchmarkAttention measures one decode step's attention over all layers
// (key/value stores included) at position 64, the middle of tg128, with
// the cache warm: what attention costs apart from fetching the cache from
// memory, which a real step must do after the weights have evicted it.
func BenchmarkAttention(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			m := newBenchModel(b, checkpoint.Q8_0, threads, kernels.Default)
			defer m.Close()
			st := m.NewState(1, 1024, 1, 1)
			row := []Row{{Token: 464, Logits: true}}
			for p := 0; p <= 64; p++ {
				row[0].Pos = p
				if err := st.Forward(row); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				st.planAttention(row, false)
				for l := range m.blocks {
					st.attention(l)
				}
			}
		})
	}
}

// BenchmarkPrefillAttention measures a 512-token prompt's attention over
// all layers, keys and values stored included, with the queries, keys
// and values of a real pass: attention's share of prefill apart from the
// products around it.
func BenchmarkPrefillAttention(b *testing.B) {
	const n = 512
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			m := newBenchModel(b, checkpoint.F32, threads, kernels.Default)
			defer m.Close()
			st := m.NewState(1, n, n, n)
			rows := make([]Row, n)
			for i := range rows {
				rows[i] = Row{Pos: i, Token: (i * 7919) % 50257, Logits: true}
			}
			if err := st.Forward(rows); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				st.planAttention(rows, false)
				for l := range m.blocks {
					st.attention(l)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/token")
		})
	}
}
