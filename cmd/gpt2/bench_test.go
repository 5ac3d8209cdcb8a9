package main

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"gpt2/internal/kernels"
)

// The structure and consistency of bench output; never its speed.
func TestBenchJSON(t *testing.T) {
	r := runCLI(t, "", "--model", tinyDir+"/tiny-gpt2.llamacpp.gguf", "bench", "--threads", "1,2", "--prompt-tokens", "8,16",
		"--gen-tokens", "8", "--repeat", "2", "--format", "json", "--kernels", "generic", "--bandwidth-mib", "16")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	var rows []benchRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	for _, row := range rows {
		tests[row.Test+"/"+string(rune('0'+row.Threads))] = true
		if row.Model == "" || row.DType != "f16" || row.Kernels == "" || !(row.BandwidthGBs > 0) || !(row.PeakGFLOPS > 0) {
			t.Fatalf("incomplete row %+v", row)
		}
		if !(row.CeilingFraction > 0) {
			t.Fatalf("no ceiling fraction: %+v", row)
		}
		switch {
		case strings.HasPrefix(row.Test, "pp") || strings.HasPrefix(row.Test, "tg"):
			if !(row.TPSMin > 0 && row.TPSMin <= row.TPSMedian && row.TPSMedian <= row.TPSMax) || row.Runs != 2 {
				t.Fatalf("min/median/max: %+v", row)
			}
			if len(row.TPSRuns) != row.Runs || !slices.Contains(row.TPSRuns, row.TPSMin) || !slices.Contains(row.TPSRuns, row.TPSMax) {
				t.Fatalf("runs: %+v", row)
			}
			if strings.HasPrefix(row.Test, "pp") {
				checkPrefillCeiling(t, row)
			} else {
				checkDecodeCeiling(t, row)
			}
		case strings.HasPrefix(row.Test, "gemv"):
			if !(row.GBs > 0) {
				t.Fatalf("%+v", row)
			}
		case strings.HasPrefix(row.Test, "gemm"):
			if !(row.GFLOPS > 0) {
				t.Fatalf("%+v", row)
			}
		default:
			t.Fatalf("unknown test %q", row.Test)
		}
	}
	for _, want := range []string{"pp8/1", "pp16/1", "tg8/1", "pp8/2", "pp16/2", "tg8/2", "gemv 768x2304/1", "gemm8 768x50257/2"} {
		if !tests[want] {
			t.Errorf("missing %s in %v", want, tests)
		}
	}
}

// checkDecodeCeiling checks that a decode row's ceiling is the median probe
// over weights and cache, and its share the median of the runs' shares,
// each run against the mean of the probes before and after it.
func checkDecodeCeiling(t *testing.T, row benchRow) {
	t.Helper()
	bws := row.BandwidthRunsGBs
	if row.CacheBytes <= 0 || len(bws) != row.Runs+1 || row.PeakRunsGFLOPS != nil {
		t.Fatalf("decode row without its cache bytes or probes, or with the peak's: %+v", row)
	}
	perToken := float64(row.WeightBytes+row.CacheBytes) / 1e9
	if math.Abs(row.CeilingTPS*perToken-row.BandwidthGBs) > 1e-6*row.BandwidthGBs || row.BandwidthGBs != median(slices.Clone(bws)) {
		t.Fatalf("decode ceiling is not the median probe / (weights + cache): %+v", row)
	}
	checkRunShares(t, row, perToken, bws)
}

// checkPrefillCeiling checks the same of a prefill row against its probes
// of the peak: the ceiling is their median over the work a token takes
// (GFLOPS / TPSMedian), the share the median of the runs'.
func checkPrefillCeiling(t *testing.T, row benchRow) {
	t.Helper()
	peaks := row.PeakRunsGFLOPS
	if len(peaks) != row.Runs+1 || row.BandwidthRunsGBs != nil {
		t.Fatalf("prefill row without its probes of the peak, or with the bandwidth's: %+v", row)
	}
	perToken := row.GFLOPS / row.TPSMedian
	if math.Abs(row.CeilingTPS*perToken-row.PeakGFLOPS) > 1e-6*row.PeakGFLOPS || row.PeakGFLOPS != median(slices.Clone(peaks)) {
		t.Fatalf("prefill ceiling is not the median probe / work per token: %+v", row)
	}
	checkRunShares(t, row, perToken, peaks)
}

// checkRunShares checks that the row's share of its ceiling is the median
// of its runs' shares, each run against the mean of the probes before and
// after it.
func checkRunShares(t *testing.T, row benchRow, perToken float64, probes []float64) {
	t.Helper()
	var shares []float64
	for i, tps := range row.TPSRuns {
		shares = append(shares, tps*perToken/((probes[i]+probes[i+1])/2))
	}
	if want := median(shares); math.Abs(row.CeilingFraction-want) > 1e-9*want {
		t.Fatalf("share of the ceiling %v, want the median of %v: %+v", row.CeilingFraction, shares, row)
	}
}

func TestBenchTableAndMarkdown(t *testing.T) {
	for _, f := range []string{"table", "md"} {
		r := runCLI(t, "", "--model", tinyDir, "bench", "--threads", "1", "--prompt-tokens", "4", "--gen-tokens", "4",
			"--repeat", "1", "--format", f, "--kernels", "none", "--bandwidth-mib", "16")
		if r.code != 0 || !strings.Contains(r.stdout, "pp4") || !strings.Contains(r.stdout, "tg4") {
			t.Fatalf("%s: %+v", f, r)
		}
		if f == "md" && !strings.Contains(r.stdout, "| model | size | params | backend | threads | test | t/s |") {
			t.Fatalf("md header: %s", r.stdout)
		}
	}
	r := runCLI(t, "", "bench", "--random", "huge")
	if r.code != 2 {
		t.Fatalf("%+v", r)
	}
}

// Prefill's ceiling is the f32 FMA peak, except for q8_0 weights on kernels
// with int8 dot products, whose products run on those. (The tiny model's
// 48-wide matrices stay f16 in a q8_0 file, so the q8_0 case takes random
// weights of GPT-2 small's shapes.)
func TestBenchCeilingKind(t *testing.T) {
	for _, c := range []struct {
		args  []string
		dtype string
	}{
		{[]string{"--model", tinyDir + "/tiny-gpt2.llamacpp.gguf", "bench"}, "f16"},
		{[]string{"bench", "--random", "small", "--dtype", "q8_0"}, "q8_0"},
	} {
		args := append(c.args, "--threads", "1", "--prompt-tokens", "8", "--gen-tokens", "2",
			"--repeat", "1", "--format", "json", "--kernels", "none", "--bandwidth-mib", "16")
		r := runCLI(t, "", args...)
		if r.code != 0 {
			t.Fatalf("%+v", r)
		}
		var rows []benchRow
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			want := "fma"
			switch {
			case strings.HasPrefix(row.Test, "tg"):
				want = "bandwidth"
			case c.dtype == "q8_0" && kernels.Default.Q8 != nil:
				want = "int8"
			}
			if row.DType != c.dtype || row.Ceiling != want {
				t.Errorf("%s (%s, %s): ceiling %q, want %s and %q", row.Test, row.DType, row.Kernels, row.Ceiling, c.dtype, want)
			}
		}
	}
}
