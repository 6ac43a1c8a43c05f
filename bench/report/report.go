// Package report turns benchmark runs into rates, ratios and the Markdown of bench/RESULTS.md.
package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Run is one timed client session.
type Run struct {
	Wall     time.Duration
	Messages int
	Bytes    int64 // the mailbox size as the server counts it (the same for every client)
	MaxRSS   int64 // peak resident set of the client process in bytes; 0 = not measured
	// Searchable is the time until every message could be found by a search (Pouch's fetch,
	// then the index caught up); 0 = not measured.
	Searchable time.Duration
}

// MsgPerSec is the run's message rate.
func (r Run) MsgPerSec() float64 { return float64(r.Messages) / r.Wall.Seconds() }

// MBPerSec is the run's throughput in MB (10^6 bytes) per second.
func (r Run) MBPerSec() float64 { return float64(r.Bytes) / 1e6 / r.Wall.Seconds() }

// Series is the repeated runs of one client in one scenario.
type Series struct {
	Scenario string // e.g. "loopback TLS"
	Client   string // e.g. "pouch", "mpop", "fetchmail", "server limit"
	Runs     []Run
}

// Stats are the min and median of a series' rates ("min" is the slowest run).
type Stats struct {
	MinMsg, MedMsg, MinMB, MedMB float64
}

// Stats computes the series' rates; an empty series gives zeros.
func (s Series) Stats() Stats {
	if len(s.Runs) == 0 {
		return Stats{}
	}
	msg := make([]float64, len(s.Runs))
	mb := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		msg[i], mb[i] = r.MsgPerSec(), r.MBPerSec()
	}
	return Stats{MinMsg: slices.Min(msg), MedMsg: Median(msg), MinMB: slices.Min(mb), MedMB: Median(mb)}
}

// MedianWall is the median wall time of the series.
func (s Series) MedianWall() time.Duration {
	w := make([]float64, len(s.Runs))
	for i, r := range s.Runs {
		w[i] = float64(r.Wall)
	}
	return time.Duration(Median(w))
}

// MaxRSS is the largest peak RSS of the series.
func (s Series) MaxRSS() int64 {
	var m int64
	for _, r := range s.Runs {
		m = max(m, r.MaxRSS)
	}
	return m
}

// Median is the median of v (0 when v is empty); v is left as it is.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Ratio compares the median message rates of two clients in one scenario.
type Ratio struct {
	Scenario, Of, To string
	Value            float64 // median msg/s of Of divided by that of To; 0 when To has no runs
}

func (r Ratio) String() string {
	return fmt.Sprintf("%s: %s/%s = %.2f", r.Scenario, r.Of, r.To, r.Value)
}

// Ratios returns, for every scenario in order of first appearance, the ratio of client of to
// each other client of that scenario.
func Ratios(series []Series, of string) []Ratio {
	var out []Ratio
	var scenarios []string
	for _, s := range series {
		if !slices.Contains(scenarios, s.Scenario) {
			scenarios = append(scenarios, s.Scenario)
		}
	}
	for _, sc := range scenarios {
		var base *Series
		for i := range series {
			if series[i].Scenario == sc && series[i].Client == of {
				base = &series[i]
			}
		}
		if base == nil {
			continue
		}
		for _, s := range series {
			if s.Scenario != sc || s.Client == of {
				continue
			}
			r := Ratio{Scenario: sc, Of: of, To: s.Client}
			if to := s.Stats().MedMsg; to > 0 {
				r.Value = base.Stats().MedMsg / to
			}
			out = append(out, r)
		}
	}
	return out
}

// Goal is one target of the issue and whether this run met it.
type Goal struct {
	Name, Value, Target string
	Met                 bool
}

// KV is one line of a description list.
type KV struct{ Key, Value string }

// Report is everything bench/RESULTS.md shows.
type Report struct {
	Date    time.Time
	Machine []KV
	Params  []KV
	Series  []Series
	Ratios  []Ratio
	Goals   []Goal
	Extra   []KV // single figures: idle poll, memory
	Notes   []string
	Command string
	// GoBench holds every metric of the Go benchmarks run beside the clients (ParseBench).
	GoBench []BenchMetric
	// Load is the machine's load average when the run started and ended (uptime).
	Load string
	// Tail is kept as it is at the end of the file (the History table, written by hand).
	Tail string
}

// BenchMetric is one figure a Go benchmark reported: ns/op, B/op and every b.ReportMetric.
type BenchMetric struct {
	Package, Benchmark, Unit string
	Value                    float64
}

// ParseBench reads the output of `go test -bench` (one package or several): each result line
// "BenchmarkName-N  iterations  value unit  value unit ..." under its "pkg:" line.
func ParseBench(out string) []BenchMetric {
	var ms []BenchMetric
	pkg := ""
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "pkg:" {
			pkg = f[1]
			continue
		}
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue // a log line that starts with a benchmark's name
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			ms = append(ms, BenchMetric{Package: pkg, Benchmark: name, Unit: f[i+1], Value: v})
		}
	}
	return ms
}

// Metric returns the value of benchmark's metric unit, in any package.
func (r *Report) Metric(benchmark, unit string) (float64, bool) {
	for _, m := range r.GoBench {
		if m.Benchmark == benchmark && m.Unit == unit {
			return m.Value, true
		}
	}
	return 0, false
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# Benchmark results")
	p("")
	p("Generated by `%s` on %s. The machine is shared: compare ratios within one run, not absolute", r.Command, r.Date.UTC().Format("2006-01-02 15:04 MST"))
	p("figures between runs.")
	if r.Load != "" {
		p("Load average (uptime): %s.", r.Load)
	}
	p("")
	p("## Machine")
	p("")
	for _, kv := range r.Machine {
		p("- %s: %s", kv.Key, kv.Value)
	}
	p("")
	p("## Parameters")
	p("")
	for _, kv := range r.Params {
		p("- %s: %s", kv.Key, kv.Value)
	}
	p("")
	p("## Throughput")
	p("")
	p("| Scenario | Client | Runs | msg/s min | msg/s median | MB/s min | MB/s median | Peak RSS |")
	p("|---|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range r.Series {
		st := s.Stats()
		rss := "-"
		if m := s.MaxRSS(); m > 0 {
			rss = MiB(m)
		}
		p("| %s | %s | %d | %.0f | %.0f | %.1f | %.1f | %s |", s.Scenario, s.Client, len(s.Runs), st.MinMsg, st.MedMsg, st.MinMB, st.MedMB, rss)
	}
	p("")
	if len(r.Ratios) > 0 {
		p("## Ratios (median msg/s)")
		p("")
		p("| Scenario | Ratio | Value |")
		p("|---|---|---:|")
		for _, x := range r.Ratios {
			p("| %s | %s / %s | %.2f |", x.Scenario, x.Of, x.To, x.Value)
		}
		p("")
	}
	if len(r.Extra) > 0 {
		p("## Idle poll and memory")
		p("")
		p("| Figure | Value |")
		p("|---|---:|")
		for _, kv := range r.Extra {
			p("| %s | %s |", kv.Key, kv.Value)
		}
		p("")
	}
	if len(r.GoBench) > 0 {
		p("## Go benchmarks")
		p("")
		p("| Package | Benchmark | Metric | Value |")
		p("|---|---|---|---:|")
		for _, m := range r.GoBench {
			p("| %s | %s | %s | %s |", m.Package, m.Benchmark, m.Unit, strconv.FormatFloat(m.Value, 'f', -1, 64))
		}
		p("")
	}
	if len(r.Goals) > 0 {
		p("## Goals")
		p("")
		p("| Goal | Target | Measured | Met |")
		p("|---|---|---:|---|")
		for _, g := range r.Goals {
			met := "no"
			if g.Met {
				met = "yes"
			}
			p("| %s | %s | %s | %s |", g.Name, g.Target, g.Value, met)
		}
		p("")
	}
	if len(r.Notes) > 0 {
		p("## Notes")
		p("")
		for _, n := range r.Notes {
			p("- %s", n)
		}
		p("")
	}
	if r.Tail != "" {
		b.WriteString(strings.TrimLeft(r.Tail, "\n"))
	}
	return b.String()
}

// MiB formats a byte count in MiB with one decimal.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// HistoryHeading starts the part of RESULTS.md written by hand, which a new run keeps (Tail).
const HistoryHeading = "## History"

// KeepTail returns what follows HistoryHeading in an earlier RESULTS.md, heading included; ""
// when it has none.
func KeepTail(old string) string {
	if i := strings.Index(old, "\n"+HistoryHeading); i >= 0 {
		return old[i+1:]
	}
	return ""
}
