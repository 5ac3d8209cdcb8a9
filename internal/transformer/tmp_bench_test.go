package transformer

import (
	"testing"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
)

func BenchmarkTmpPrefill512(b *testing.B) {
	const n = 512
	m, err := New(randomSmall(b, checkpoint.F32), Options{Threads: 1, Kernels: kernels.Default})
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
}
