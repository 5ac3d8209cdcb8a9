package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gpt2/internal/checkpoint"
	"gpt2/internal/kernels"
	"gpt2/internal/transformer"
)

type benchOptions struct {
	random       string
	dtype        string
	promptTokens []int
	genTokens    int
	threads      []int
	repeat       int
	format       string
	kernels      []string
	bandwidthMiB int
}

func (a *app) benchCommand() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure prefill and decode speed against the machine's limits",
		Long: `Measure the model's prefill speed (tokens/s over --prompt-tokens from an empty cache) and
decode speed (tokens/s over --gen-tokens after a one-token prompt), as llama-bench does, for
each --threads value, over --repeat runs (min/median/max). Beside each result: the ceiling
the hardware allows, from this machine's memory read bandwidth (decode streams every weight
and its key/value cache once per token) and the peak multiply-add rate of the kernels in use
(prefill: float32 FMAs, or int8 dot products for q8_0 on kernels that have them). Both are
probed before and after each run, and each run is judged against the probes around it: on a
shared machine they move with the neighbours' load.
Kernel figures: GEMM GFLOP/s and GEMV GB/s for GPT-2's matrix shapes.
--random builds a model of a standard size with random weights: no download.`,
		Example: `  gpt2 bench --random small
  gpt2 bench --random small --dtype q8_0 --threads 1,2 --format json
  gpt2 bench --model gpt2.f16.gguf --format md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runBench(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.random, "random", "", "random weights of a standard size instead of --model: small, medium, large or xl")
	f.StringVar(&o.dtype, "dtype", "", "weight type: f32, f16, bf16 or q8_0 (default f32 with --random, else as stored)")
	f.IntSliceVar(&o.promptTokens, "prompt-tokens", []int{128, 512}, "prompt lengths for prefill tests")
	f.IntVar(&o.genTokens, "gen-tokens", 128, "tokens for the decode test")
	f.IntSliceVar(&o.threads, "threads", nil, "thread counts to test (default 1 and all usable cores)")
	f.IntVar(&o.repeat, "repeat", 3, "runs of each test")
	f.StringVar(&o.format, "format", "table", "output: table, md (llama-bench's columns) or json")
	f.StringSliceVar(&o.kernels, "kernels", nil, "kernel variants for the kernel figures (default: all this machine has; \"none\" skips them)")
	f.IntVar(&o.bandwidthMiB, "bandwidth-mib", 512, "size of the buffer the bandwidth probe streams")
	return cmd
}

// benchRow is one (threads, test) result; kernel figures reuse it.
type benchRow struct {
	Model           string  `json:"model"`
	DType           string  `json:"dtype"`
	Threads         int     `json:"threads"`
	Test            string  `json:"test"`
	Kernels         string  `json:"kernels"`
	TPSMin          float64 `json:"tps_min,omitempty"`
	TPSMedian       float64 `json:"tps_median,omitempty"`
	TPSMax          float64 `json:"tps_max,omitempty"`
	TPSMean         float64 `json:"tps_mean,omitempty"`
	TPSStddev       float64 `json:"tps_stddev,omitempty"`
	GFLOPS          float64 `json:"gflops,omitempty"`
	GBs             float64 `json:"gbs,omitempty"`
	CeilingTPS      float64 `json:"ceiling_tps,omitempty"`
	CeilingFraction float64 `json:"ceiling_fraction"`
	Ceiling         string  `json:"ceiling"` // what limits: "bandwidth", "fma" or "int8"
	BandwidthGBs    float64 `json:"bandwidth_gbs"`
	PeakGFLOPS      float64 `json:"peak_gflops"`
	WeightBytes     int64   `json:"weight_bytes,omitempty"`
	// CacheBytes is the key/value cache a decode step reads, on average
	// over the test's steps; the decode ceiling counts it with the weights.
	CacheBytes int64     `json:"cache_bytes,omitempty"`
	TPSRuns    []float64 `json:"tps_runs,omitempty"` // each run's tokens/s, in order
	// BandwidthRunsGBs are the decode test's probes: before each run and
	// after the last. Run i is judged against the mean of probes i and i+1.
	BandwidthRunsGBs []float64 `json:"bandwidth_runs_gbs,omitempty"`
	// PeakRunsGFLOPS are a prefill test's probes of the peak, as
	// BandwidthRunsGBs are decode's; PeakGFLOPS is then their median.
	PeakRunsGFLOPS []float64 `json:"peak_runs_gflops,omitempty"`
	Params         int64     `json:"params,omitempty"`
	Runs           int       `json:"runs,omitempty"`
}

func (o benchOptions) check() error {
	switch {
	case o.format != "table" && o.format != "md" && o.format != "json":
		return usagef("--format: %q is not one of table, md, json", o.format)
	case o.repeat < 1:
		return usagef("--repeat: %d is less than 1", o.repeat)
	case o.genTokens < 0:
		return usagef("--gen-tokens: %d is negative", o.genTokens)
	case o.bandwidthMiB < 16:
		return usagef("--bandwidth-mib: %d is less than 16", o.bandwidthMiB)
	}
	for _, n := range o.promptTokens {
		if n < 1 {
			return usagef("--prompt-tokens: %d is less than 1", n)
		}
	}
	for _, t := range o.threads {
		if t < 1 || t > 1024 {
			return usagef("--threads: %d is not between 1 and 1024", t)
		}
	}
	return nil
}

func (a *app) runBench(ctx context.Context, o benchOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if len(o.threads) == 0 {
		o.threads = []int{1}
		if n := defaultThreads(); n > 1 {
			o.threads = append(o.threads, n)
		}
	}
	variants, err := benchVariants(o.kernels)
	if err != nil {
		return err
	}
	ck, release, name, err := a.benchCheckpoint(ctx, o)
	if err != nil {
		return err
	}
	defer release()
	var rows []benchRow
	for _, threads := range o.threads {
		m, err := transformer.New(ck, transformer.Options{Threads: threads})
		if err != nil {
			return err
		}
		v := m.Kernels()
		peakKind := prefillPeakKind(v, ck)
		// The peak is probed around each prefill run, as the bandwidth is
		// around each decode run: the core's rate moves with the
		// neighbours' load too.
		probePeak := func() float64 {
			p := prefillPeak(v, ck, threads)
			a.verbosef("threads %d: peak %.0f G/s %s (%s)", threads, p/1e9, peakKind, v.Name)
			return p
		}
		base := benchRow{Model: name, DType: dtypeName(ck), Threads: threads, Kernels: v.Name,
			WeightBytes: m.WeightBytes(), Params: params(ck), Runs: o.repeat}
		longest := o.genTokens + 1
		for _, n := range o.promptTokens {
			longest = max(longest, n)
		}
		timer := m.NewTimer(longest)
		first := len(rows) // this thread count's rows
		for _, n := range o.promptTokens {
			r := base
			r.Test = fmt.Sprintf("pp%d", n)
			n = min(n, m.Config.NCtx)
			peaks, err := measure(ctx, &r, o.repeat, n, func() (time.Duration, error) { return timer.TimePrefill(n) }, probePeak)
			if err != nil {
				m.Close()
				return err
			}
			perToken := m.PrefillFlops(n) / float64(n)
			r.PeakRunsGFLOPS = scaled(peaks, 1e-9)
			r.PeakGFLOPS = median(slices.Clone(r.PeakRunsGFLOPS))
			r.CeilingTPS = r.PeakGFLOPS * 1e9 / perToken
			r.CeilingFraction = runShares(r.TPSRuns, perToken, peaks)
			r.GFLOPS = r.TPSMedian * perToken / 1e9
			r.Ceiling = peakKind
			rows = append(rows, r)
		}
		var bw float64 // GB/s, shown on this thread count's rows
		if o.genTokens > 0 {
			r := base
			r.Test = fmt.Sprintf("tg%d", o.genTokens)
			steps := min(o.genTokens, m.Config.NCtx-1)
			r.CacheBytes = int64(math.Round(m.DecodeCacheBytes(steps)))
			// The bandwidth is probed before each decode run and after the
			// last: on a shared machine it moves with the neighbours' load,
			// by half within minutes, so each run is judged against the
			// mean of the probes on either side of it, and the share of the
			// ceiling is the median of the runs' shares.
			probe := func() float64 {
				bw := kernels.Bandwidth(v, threads, o.bandwidthMiB<<20)
				a.verbosef("threads %d: bandwidth %.1f GB/s", threads, bw/1e9)
				return bw
			}
			bws, err := measure(ctx, &r, o.repeat, steps, func() (time.Duration, error) { return timer.TimeDecode(o.genTokens) }, probe)
			if err != nil {
				m.Close()
				return err
			}
			perToken := float64(r.WeightBytes + r.CacheBytes)
			r.BandwidthRunsGBs = scaled(bws, 1e-9)
			r.BandwidthGBs = median(slices.Clone(r.BandwidthRunsGBs))
			r.CeilingTPS = r.BandwidthGBs * 1e9 / perToken
			r.CeilingFraction = runShares(r.TPSRuns, perToken, bws)
			r.GBs = r.TPSMedian * perToken / 1e9
			r.Ceiling = "bandwidth"
			rows = append(rows, r)
			bw = r.BandwidthGBs
		} else {
			bw = kernels.Bandwidth(v, threads, o.bandwidthMiB<<20) / 1e9
		}
		// The rows without probes of the peak (decode's) show the prefill
		// tests' median.
		peak := prefillPeakMedian(rows[first:], threads, 0)
		if peak == 0 {
			peak = probePeak() / 1e9
		}
		for i := first; i < len(rows); i++ {
			rows[i].BandwidthGBs = bw
			if rows[i].PeakRunsGFLOPS == nil {
				rows[i].PeakGFLOPS = peak
			}
		}
		m.Close()
		for _, kv := range variants {
			rows = append(rows, kernelRows(base, kv, ck, threads, o.promptTokens[0])...)
		}
	}
	w := bufio.NewWriter(a.stdout)
	switch o.format {
	case "json":
		writeJSONIndent(w, rows)
	case "md":
		writeBenchMarkdown(w, rows)
	default:
		writeBenchTable(w, rows)
	}
	return w.Flush()
}

// runShares is the median of the runs' shares of their ceilings: run i
// (tokens/s) needs perToken of what probes measure (bytes or operations a
// second), and is judged against the mean of the probes before and after
// it.
func runShares(tps []float64, perToken float64, probes []float64) float64 {
	var shares []float64
	for i, t := range tps {
		shares = append(shares, t*perToken/((probes[i]+probes[i+1])/2))
	}
	return median(shares)
}

// measure runs a test repeat times after a warm-up and fills in r's
// statistics, each run's tokens/s in order in r.TPSRuns. With a probe, it
// returns the probe's value before each run and after the last.
func measure(ctx context.Context, r *benchRow, repeat, tokens int, run func() (time.Duration, error), probe func() float64) (probes []float64, err error) {
	if _, err := run(); err != nil { // warm-up: page in the weights, fill the caches
		return nil, err
	}
	var tps []float64
	for i := 0; i < repeat; i++ {
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		if probe != nil {
			probes = append(probes, probe())
		}
		d, err := run()
		if err != nil {
			return nil, err
		}
		tps = append(tps, float64(tokens)/d.Seconds())
	}
	if probe != nil {
		probes = append(probes, probe())
	}
	r.TPSRuns = tps
	sorted := slices.Clone(tps)
	slices.Sort(sorted)
	r.TPSMin, r.TPSMax = sorted[0], sorted[len(sorted)-1]
	r.TPSMedian = median(sorted)
	var sum, sq float64
	for _, t := range tps {
		sum += t
	}
	r.TPSMean = sum / float64(len(tps))
	for _, t := range tps {
		sq += (t - r.TPSMean) * (t - r.TPSMean)
	}
	if len(tps) > 1 {
		r.TPSStddev = math.Sqrt(sq / float64(len(tps)-1))
	}
	return probes, nil
}

// median sorts xs and returns its median.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// scaled is xs, each times f, in a new slice.
func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}

// benchCheckpoint is the model to measure: random weights of a standard
// size, or --model (retyped in memory with --dtype).
func (a *app) benchCheckpoint(ctx context.Context, o benchOptions) (ck *checkpoint.Model, release func(), name string, err error) {
	dt := checkpoint.F32
	if o.dtype != "" {
		if dt, err = checkpoint.ParseDType(o.dtype); err != nil {
			return nil, nil, "", usagef("--dtype: %v", err)
		}
	}
	if o.random != "" {
		cfg, ok := checkpoint.Standard(o.random)
		if !ok {
			return nil, nil, "", usagef("--random: %q is not small, medium, large or xl", o.random)
		}
		a.verbosef("building a random %s model (%s)", o.random, dt)
		return checkpoint.Random(cfg, dt, 1), func() {}, "gpt2-" + o.random + " (random)", nil
	}
	m, err := a.loadModel(ctx, "")
	if err != nil {
		return nil, nil, "", err
	}
	m.Model.Close()
	ck = m.ckpt
	release = func() { m.ckpt.Close() }
	if o.dtype != "" {
		ck, _ = ck.Retyped(dt)
	}
	return ck, release, a.global.model, nil
}

// weightType is the model's weight type, as its first attention matrix has it.
func weightType(ck *checkpoint.Model) checkpoint.DType {
	return ck.TensorType(checkpoint.BlockTensor(0, "attn_qkv.weight"))
}

func dtypeName(ck *checkpoint.Model) string { return weightType(ck).String() }

func params(ck *checkpoint.Model) int64 { return ck.ParamCount() }

func benchVariants(names []string) ([]*kernels.Variant, error) {
	if len(names) == 1 && names[0] == "none" {
		return nil, nil
	}
	if len(names) == 0 {
		return kernels.Variants(), nil
	}
	var out []*kernels.Variant
	for _, n := range names {
		v, err := kernels.Lookup(n)
		if err != nil {
			return nil, usagef("--kernels: %v", err)
		}
		out = append(out, v)
	}
	return out, nil
}

// prefillPeakKind is what bounds prefill's arithmetic: "int8" dot products
// for q8_0 weights on kernels that have them (whose matrix products then
// run on those), else "fma", the f32 multiply-adds.
func prefillPeakKind(v *kernels.Variant, ck *checkpoint.Model) string {
	if weightType(ck).Kernel() == kernels.Q8_0 && v.Q8 != nil {
		return "int8"
	}
	return "fma"
}

// prefillPeak measures the peak of prefillPeakKind's kind.
func prefillPeak(v *kernels.Variant, ck *checkpoint.Model, threads int) float64 {
	if prefillPeakKind(v, ck) == "int8" {
		return kernels.PeakInt8(v, threads)
	}
	return kernels.PeakFlops(v, threads)
}

// peakIsInt8 reports whether the thread count's peak is the int8 one.
func peakIsInt8(rows []benchRow, threads int) bool {
	for _, r := range rows {
		if r.Threads == threads && r.Ceiling == "int8" {
			return true
		}
	}
	return false
}

// kernelRows measures GEMV and GEMM on GPT-2 small's matrix shapes in the
// model's weight type.
func kernelRows(base benchRow, v *kernels.Variant, ck *checkpoint.Model, threads, gemmRows int) []benchRow {
	kt := weightType(ck).Kernel()
	pool := kernels.NewPool(threads)
	defer pool.Close()
	bw := kernels.Bandwidth(v, threads, 256<<20)
	peak, peakKind := prefillPeak(v, ck, threads), prefillPeakKind(v, ck)
	var out []benchRow
	for _, s := range []struct{ in, out int }{{768, 2304}, {768, 3072}, {3072, 768}, {768, 50257}} {
		w := kernels.RandomMatrix(kt, s.out, s.in, 1)
		kernels.PreparePanels(v, pool, &w) // laid out as a model lays it out
		r := base
		r.Kernels, r.BandwidthGBs, r.PeakGFLOPS = v.Name, bw/1e9, peak/1e9
		r.WeightBytes, r.Params, r.Runs = 0, 0, 0
		r.Test = fmt.Sprintf("gemv %dx%d", s.in, s.out)
		r.GBs = kernels.MeasureGemv(v, pool, w) / 1e9
		r.CeilingFraction, r.Ceiling = r.GBs/r.BandwidthGBs, "bandwidth"
		out = append(out, r)
		r.GBs = 0
		r.Test = fmt.Sprintf("gemm%d %dx%d", gemmRows, s.in, s.out)
		r.GFLOPS = kernels.MeasureGemm(v, pool, w, gemmRows) / 1e9
		r.CeilingFraction, r.Ceiling = r.GFLOPS/r.PeakGFLOPS, peakKind
		out = append(out, r)
	}
	return out
}

func writeBenchTable(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tdtype\tkernels\tthreads\ttest\tmin\tmedian\tmax\tunit\tceiling\tof ceiling\t")
	for _, r := range rows {
		switch {
		case r.TPSMedian > 0:
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.1f\t%.1f\t%.1f\ttok/s\t%.1f\t%.0f%%\t\n", r.Model, r.DType, r.Kernels, r.Threads, r.Test, r.TPSMin, r.TPSMedian, r.TPSMax, r.CeilingTPS, 100*r.CeilingFraction)
		case r.GBs > 0:
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t\t%.1f\t\tGB/s\t%.1f\t%.0f%%\t\n", r.Model, r.DType, r.Kernels, r.Threads, r.Test, r.GBs, r.BandwidthGBs, 100*r.CeilingFraction)
		default:
			unit := "GFLOP/s"
			if r.Ceiling == "int8" {
				unit = "GOP/s"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t\t%.1f\t\t%s\t%.1f\t%.0f%%\t\n", r.Model, r.DType, r.Kernels, r.Threads, r.Test, r.GFLOPS, unit, r.PeakGFLOPS, 100*r.CeilingFraction)
		}
	}
	tw.Flush()
	seen := map[int]bool{}
	for _, r := range rows {
		if !seen[r.Threads] && r.TPSMedian > 0 {
			seen[r.Threads] = true
			gflops := prefillPeakMedian(rows, r.Threads, r.PeakGFLOPS)
			peak := fmt.Sprintf("%.0f GFLOP/s", gflops)
			if peakIsInt8(rows, r.Threads) {
				peak = fmt.Sprintf("%.0f GOP/s of int8 dot products", gflops)
			}
			fmt.Fprintf(w, "threads %d: memory read bandwidth %.1f GB/s, peak %s (%s)", r.Threads, r.BandwidthGBs, peak, r.Kernels)
			if tg := decodeRow(rows, r.Threads); tg != nil {
				fmt.Fprintf(w, "; decode ceiling = bandwidth / (%.0f MB of weights + %.1f MB of key/value cache per token)",
					float64(tg.WeightBytes)/1e6, float64(tg.CacheBytes)/1e6)
			}
			fmt.Fprintln(w, "; medians of the probes, each run judged against those around it")
		}
	}
}

// prefillPeakMedian is the median of the thread count's prefill probes of
// the peak, or else def.
func prefillPeakMedian(rows []benchRow, threads int, def float64) float64 {
	var all []float64
	for _, r := range rows {
		if r.Threads == threads {
			all = append(all, r.PeakRunsGFLOPS...)
		}
	}
	if len(all) == 0 {
		return def
	}
	return median(all)
}

// decodeRow is the decode test's row for the thread count, if there is one.
func decodeRow(rows []benchRow, threads int) *benchRow {
	for i := range rows {
		if rows[i].Threads == threads && rows[i].CacheBytes > 0 {
			return &rows[i]
		}
	}
	return nil
}

// writeBenchMarkdown uses llama-bench's columns, so that results sit side
// by side with its output, plus the ceiling.
func writeBenchMarkdown(w io.Writer, rows []benchRow) {
	fmt.Fprintln(w, "| model | size | params | backend | threads | test | t/s | ceiling t/s | of ceiling |")
	fmt.Fprintln(w, "| ----- | ---: | -----: | ------- | ------: | ---: | --: | ----------: | ---------: |")
	for _, r := range rows {
		if r.TPSMedian == 0 {
			continue
		}
		fmt.Fprintf(w, "| %s %s | %.2f MiB | %.2f M | CPU (%s) | %d | %s | %.2f ± %.2f | %.1f | %.0f%% |\n",
			r.Model, strings.ToUpper(r.DType), float64(r.WeightBytes)/(1<<20), float64(r.Params)/1e6, r.Kernels, r.Threads, r.Test, r.TPSMean, r.TPSStddev, r.CeilingTPS, 100*r.CeilingFraction)
	}
	header := false
	for _, r := range rows {
		if r.TPSMedian == 0 && !header {
			fmt.Fprintln(w)
			fmt.Fprintln(w, "| kernels | threads | test | result | of ceiling |")
			fmt.Fprintln(w, "| ------- | ------: | ---- | -----: | ---------: |")
			header = true
		}
		switch {
		case r.GBs > 0 && r.TPSMedian == 0:
			fmt.Fprintf(w, "| %s %s | %d | %s | %.1f GB/s | %.0f%% |\n", r.Kernels, r.DType, r.Threads, r.Test, r.GBs, 100*r.CeilingFraction)
		case r.GFLOPS > 0 && r.TPSMedian == 0:
			fmt.Fprintf(w, "| %s %s | %d | %s | %.1f GFLOP/s | %.0f%% |\n", r.Kernels, r.DType, r.Threads, r.Test, r.GFLOPS, 100*r.CeilingFraction)
		}
	}
}
