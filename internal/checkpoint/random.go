package checkpoint

import (
	"math"
	"runtime"
	"sync"
)

// Random builds a model of config c with random weights (fixed by seed),
// the matrices stored as dt, for benchmarks: the real shapes, no download.
// Weights are uniform with GPT-2's initial spread (std 0.02), LayerNorm
// gains 1 and biases 0, so activations stay in a realistic range.
func Random(c Config, dt DType, seed uint64) *Model {
	m := &Model{Config: c, Tensors: map[string]*Tensor{}}
	shapes := expectedShapes(c)
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, name := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, name string) {
			defer func() { <-sem; wg.Done() }()
			shape := shapes[name]
			t := &Tensor{Name: name, Type: F32, Shape: shape}
			v := make([]float32, t.Elements())
			switch {
			case isMatrix(name) || name == PositionEmbd:
				fillUniform(v, 0.02*math.Sqrt(3), seed*1000003+uint64(i))
			case len(shape) == 1 && hasSuffix(name, ".weight"):
				for j := range v {
					v[j] = 1
				}
			}
			t.Data = encode(F32, v)
			if isMatrix(name) {
				target := dt
				if dt.rowBytes(shape[0]) < 0 {
					target = F16
				}
				t = t.Retype(target)
			}
			mu.Lock()
			m.Tensors[name] = t
			mu.Unlock()
		}(i, name)
	}
	wg.Wait()
	return m
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// fillUniform fills v with values uniform in [-a, a) from a xorshift stream.
func fillUniform(v []float32, a float64, seed uint64) {
	x := seed*0x9e3779b97f4a7c15 + 1
	for i := range v {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v[i] = float32((float64(x>>11)*0x1p-53*2 - 1) * a)
	}
}
