package transformer

import (
	"fmt"
	"testing"

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
