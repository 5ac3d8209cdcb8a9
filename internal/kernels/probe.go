package kernels

import (
	"sync"
	"time"
	"unsafe"
)

// Roofline probes: how fast this machine can stream memory and multiply-add,
// so that a measured speed can be judged against what the hardware allows.

// Bandwidth measures the read bandwidth of memory in bytes/s with the
// given number of threads: each thread streams its share of a buffer far
// larger than the caches, and the best of a few passes counts.
func Bandwidth(v *Variant, threads int, size int) float64 {
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i) // touch every page so none is shared zero memory
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*8)
	best := 0.0
	for pass := 0; pass < 4; pass++ {
		part := len(b) / threads / 4096 * 4096
		sums := make([]uint64, threads)
		var wg sync.WaitGroup
		start := time.Now()
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func(t int) {
				defer wg.Done()
				sums[t] = v.ReadSum(b[t*part : (t+1)*part])
			}(t)
		}
		wg.Wait()
		best = max(best, float64(part*threads)/time.Since(start).Seconds())
	}
	return best
}

// PeakFlops measures the multiply-add throughput of the variant's widest
// FMA loop in FLOP/s (2 per multiply-add) with the given number of threads.
func PeakFlops(v *Variant, threads int) float64 { return peak(v.FMALoop, threads) }

// PeakInt8 is PeakFlops for the int8 dot products of the variant's q8
// kernels (operations per second, 2 per multiply-add); 0 without them.
func PeakInt8(v *Variant, threads int) float64 {
	if v.Q8 == nil {
		return 0
	}
	return peak(v.Q8.DotLoop, threads)
}

// peakPass is how long each of a peak probe's three passes runs. bench
// probes the peak around every prefill run, so the loop's rounds are
// counted out for this time first rather than fixed: 4M rounds took 10 ms
// a pass on the Intel machine, and 2 s under qemu, where they doubled the
// arm64 test time of the command's bench tests.
const peakPass = 10 * time.Millisecond

func peak(loop func(iters int) int64, threads int) float64 {
	iters := peakRounds(loop)
	best := 0.0
	for pass := 0; pass < 3; pass++ {
		var wg sync.WaitGroup
		start := time.Now()
		flops := make([]float64, threads)
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func(t int) {
				defer wg.Done()
				flops[t] = float64(loop(iters))
			}(t)
		}
		wg.Wait()
		el := time.Since(start).Seconds()
		total := 0.0
		for _, f := range flops {
			total += f
		}
		best = max(best, total/el)
	}
	return best
}

// peakRounds is how many rounds of loop take about peakPass on one
// thread: rounds are quadrupled from 1024 until a run takes a tenth of
// it, then scaled up.
func peakRounds(loop func(iters int) int64) int {
	const most = 1 << 28
	iters := 1 << 10
	for {
		start := time.Now()
		loop(iters)
		el := time.Since(start)
		if el >= peakPass/10 || iters >= most {
			return int(min(most, max(1, float64(iters)*float64(peakPass)/float64(max(el, time.Microsecond)))))
		}
		iters *= 4
	}
}

// readSumGeneric adds up the buffer as 64-bit words (len a multiple of 64).
func readSumGeneric(b []byte) uint64 {
	w := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
	var s0, s1, s2, s3 uint64
	for i := 0; i+8 <= len(w); i += 8 {
		s0 += w[i] + w[i+4]
		s1 += w[i+1] + w[i+5]
		s2 += w[i+2] + w[i+6]
		s3 += w[i+3] + w[i+7]
	}
	return s0 + s1 + s2 + s3
}

// fmaLoopGeneric runs iters rounds of 8 independent multiply-adds and
// returns the FLOPs done.
func fmaLoopGeneric(iters int) int64 {
	a0, a1, a2, a3, a4, a5, a6, a7 := float32(1), float32(2), float32(3), float32(4), float32(5), float32(6), float32(7), float32(8)
	const m, c = 0.999999, 1e-7
	for i := 0; i < iters; i++ {
		a0 = a0*m + c
		a1 = a1*m + c
		a2 = a2*m + c
		a3 = a3*m + c
		a4 = a4*m + c
		a5 = a5*m + c
		a6 = a6*m + c
		a7 = a7*m + c
	}
	fmaSink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7
	return int64(iters) * 8 * 2
}

// fmaSink keeps the loop's results observable, so it cannot be dropped.
var fmaSink float32
