package kernels

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type countJob struct {
	hits      []atomic.Int32
	grain     int
	unaligned atomic.Bool // a piece started off a multiple of grain
}

func (j *countJob) Run(_, lo, hi int) {
	if j.grain > 0 && lo%j.grain != 0 {
		j.unaligned.Store(true)
	}
	for i := lo; i < hi; i++ {
		j.hits[i].Add(1)
	}
}

// Every index is run exactly once, in pieces starting at multiples of the
// grain, for many jobs in a row, including with pauses long enough for the
// workers to park and with GOMAXPROCS 1 (the caller then does every share).
func TestPoolCoversEachIndexOnce(t *testing.T) {
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for _, threads := range []int{1, 2, 3, 5} {
			p := NewPool(threads)
			for round := 0; round < 300; round++ {
				n := 1 + round%97
				j := &countJob{hits: make([]atomic.Int32, n), grain: 1 + round%4}
				p.Run(n, j.grain, j)
				if j.unaligned.Load() {
					t.Fatalf("procs %d threads %d round %d: a piece started off a multiple of %d", procs, threads, round, j.grain)
				}
				for i := range j.hits {
					if j.hits[i].Load() != 1 {
						t.Fatalf("procs %d threads %d round %d: index %d run %d times", procs, threads, round, i, j.hits[i].Load())
					}
				}
				if round%50 == 0 {
					time.Sleep(5 * time.Millisecond)
				}
			}
			p.Close()
		}
		runtime.GOMAXPROCS(old)
	}
}

// A job started right after NewPool, before its workers have run, must
// still be seen by them.
func TestPoolJobBeforeWorkersStart(t *testing.T) {
	for i := 0; i < 200; i++ {
		p := NewPool(3)
		j := &countJob{hits: make([]atomic.Int32, 64)}
		p.Run(64, 1, j)
		p.Close()
	}
}

type nopJob struct{ n [2]int }

func (j *nopJob) Run(w, lo, hi int) { j.n[w%2] += hi - lo }

// BenchmarkPoolRun measures what handing out a job and waiting for it
// costs the caller when the job does nothing: a decode step runs about 60
// of them. On two threads this is a round trip of cache lines between the
// cores.
func BenchmarkPoolRun(b *testing.B) {
	p := NewPool(2)
	defer p.Close()
	j := &nopJob{}
	for _, n := range []int{2, 12, 48} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				p.Run(n, 1, j)
			}
		})
	}
}
