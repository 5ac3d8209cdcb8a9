package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Job is work split over a range of indices. Run is called with disjoint
// [lo, hi) ranges that together cover the whole range, and the index of the
// calling worker (0..Threads-1) so that a job can keep per-worker scratch.
// A job's result must not depend on how the range is split: that is what
// makes every thread count give bit-identical output.
type Job interface {
	Run(worker, lo, hi int)
}

// Pool runs jobs on a fixed set of goroutines. Workers spin briefly
// between jobs, because a forward pass hands out a few hundred jobs per
// token and waking a parked goroutine costs microseconds each time.
type Pool struct {
	threads int
	mu      sync.Mutex // one job at a time

	job      Job
	piece    int64
	sections []section     // one per worker
	gen      atomic.Uint64 // bumped to start a job
	wake     []chan struct{}
	parked   []atomic.Bool
	active   atomic.Int32 // workers still inside the current job
	quit     atomic.Bool
}

// NewPool starts threads-1 workers (the caller of Run is the last one).
func NewPool(threads int) *Pool {
	if threads < 1 {
		threads = 1
	}
	p := &Pool{threads: threads, wake: make([]chan struct{}, threads), parked: make([]atomic.Bool, threads), sections: make([]section, threads)}
	for w := 1; w < threads; w++ {
		p.wake[w] = make(chan struct{}, 1)
		go p.worker(w)
	}
	return p
}

// Threads is the number of goroutines that run a job.
func (p *Pool) Threads() int { return p.threads }

// Close stops the workers.
func (p *Pool) Close() {
	p.quit.Store(true)
	for w := 1; w < p.threads; w++ {
		select {
		case p.wake[w] <- struct{}{}:
		default:
		}
	}
}

// Run calls job.Run over [0, n) in pieces of a multiple of grain and
// returns when all are done.
func (p *Pool) Run(n, grain int, job Job) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	if p.threads == 1 || n <= grain {
		job.Run(0, 0, n)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Each worker has a contiguous share of the range and takes it in
	// order, so that its weight rows stream from memory as one run (the
	// row kernels prefetch the next group, which is then its own). Pieces
	// of about an eighth of a share let a worker that finishes early take
	// the rest of another's share when a core is busy with something else.
	share := (n + p.threads - 1) / p.threads
	share = (share + grain - 1) / grain * grain
	piece := (share + 7) / 8
	piece = (piece + grain - 1) / grain * grain
	p.job, p.piece = job, int64(piece)
	for w := range p.sections {
		p.sections[w].next.Store(int64(min(w*share, n)))
		p.sections[w].end = int64(min((w+1)*share, n))
	}
	p.active.Store(int32(p.threads - 1))
	p.gen.Add(1)
	for w := 1; w < p.threads; w++ {
		if p.parked[w].Load() {
			select {
			case p.wake[w] <- struct{}{}:
			default:
			}
		}
	}
	p.work(0)
	for i := 0; p.active.Load() != 0; i++ {
		if i < spinRounds {
			spinPause()
		} else {
			runtime.Gosched() // a worker lost its core: let it run
		}
	}
	p.job = nil
}

// section is one worker's share of a job: [next, end) still to do.
type section struct {
	next atomic.Int64
	end  int64
	_    [48]byte // one cache line each
}

// work runs pieces of the worker's own share, then of the others'.
func (p *Pool) work(worker int) {
	for i := range p.threads {
		sec := &p.sections[(worker+i)%p.threads]
		for {
			lo := sec.next.Add(p.piece) - p.piece
			if lo >= sec.end {
				break
			}
			p.job.Run(worker, int(lo), int(min(lo+p.piece, sec.end)))
		}
	}
}

// spinRounds is how long a worker spins for the next job (PAUSE rounds,
// about 50 µs) before it yields to the scheduler and then parks.
const spinRounds = 20000

func (p *Pool) worker(w int) {
	// Generation 0 is the pool's start: a job started before this goroutine
	// first runs still counts as new to it.
	seen := uint64(0)
	for {
		spins := 0
		for p.gen.Load() == seen {
			if p.quit.Load() {
				return
			}
			spins++
			if spins < spinRounds {
				spinPause()
				continue
			}
			if spins < 2*spinRounds {
				runtime.Gosched()
				continue
			}
			// Park until woken; re-check after announcing, so that a job
			// started in between is not missed.
			p.parked[w].Store(true)
			if p.gen.Load() != seen || p.quit.Load() {
				p.parked[w].Store(false)
				continue
			}
			<-p.wake[w]
			p.parked[w].Store(false)
			spins = 0
		}
		seen = p.gen.Load()
		p.work(w)
		p.active.Add(-1)
	}
}
