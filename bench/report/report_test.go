package report

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func runs(walls ...time.Duration) []Run {
	var out []Run
	for _, w := range walls {
		out = append(out, Run{Wall: w, Messages: 1000, Bytes: 50_000_000})
	}
	return out
}

func TestStats(t *testing.T) {
	tests := []struct {
		name   string
		walls  []time.Duration
		minMsg float64
		medMsg float64
		medMB  float64
	}{
		{"one", []time.Duration{2 * time.Second}, 500, 500, 25},
		{"odd", []time.Duration{time.Second, 4 * time.Second, 2 * time.Second}, 250, 500, 25},
		{"even", []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 500 * time.Millisecond}, 250, 750, 37.5},
		{"empty", nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Series{Runs: runs(tt.walls...)}.Stats()
			if !near(st.MinMsg, tt.minMsg) || !near(st.MedMsg, tt.medMsg) || !near(st.MedMB, tt.medMB) {
				t.Errorf("Stats() = %+v, want min %v, median %v msg/s, median %v MB/s", st, tt.minMsg, tt.medMsg, tt.medMB)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRatios(t *testing.T) {
	series := []Series{
		{Scenario: "loopback", Client: "limit", Runs: runs(time.Second)},
		{Scenario: "loopback", Client: "pouch", Runs: runs(2 * time.Second)},
		{Scenario: "loopback", Client: "mpop", Runs: runs(8 * time.Second)},
		{Scenario: "20 ms", Client: "pouch", Runs: runs(10 * time.Second)},
		{Scenario: "20 ms", Client: "fetchmail", Runs: nil},
		{Scenario: "no pouch", Client: "mpop", Runs: runs(time.Second)},
	}
	got := Ratios(series, "pouch")
	want := []Ratio{
		{"loopback", "pouch", "limit", 0.5},
		{"loopback", "pouch", "mpop", 4},
		{"20 ms", "pouch", "fetchmail", 0},
	}
	if len(got) != len(want) {
		t.Fatalf("Ratios = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Scenario != want[i].Scenario || got[i].To != want[i].To || !near(got[i].Value, want[i].Value) {
			t.Errorf("ratio %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	r := &Report{
		Date:    time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC),
		Command: "make bench",
		Machine: []KV{{"CPU", "Test CPU @ 2.0GHz"}, {"Cores", "2"}},
		Params:  []KV{{"Messages", "1000"}},
		Series: []Series{
			{Scenario: "loopback TLS", Client: "pouch", Runs: []Run{{Wall: 2 * time.Second, Messages: 1000, Bytes: 40e6, MaxRSS: 30 << 20}}},
			{Scenario: "loopback TLS", Client: "mpop", Runs: runs(4*time.Second, 5*time.Second)},
		},
		Extra:   []KV{{"Idle poll wall time", "0.41 s"}},
		Goals:   []Goal{{Name: "Pouch/mpop loopback", Target: ">= 3", Value: "2.25", Met: false}},
		Notes:   []string{"fetchmail delivers through sh and cat."},
		Load:    "1.00, 0.50, 0.25",
		GoBench: []BenchMetric{{Package: "example.org/bench/archive", Benchmark: "BenchmarkSearch", Unit: "p95-ms", Value: 9.8}},
		Tail:    KeepTail("# Old\n\n## Goals\n\nold\n\n## History\n\n| Run | x |\n|---|---|\n| first | 1 |\n"),
	}
	r.Ratios = Ratios(r.Series, "pouch")
	got := r.Markdown()
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Markdown() differs from %s (run with -update to accept):\n%s", golden, got)
	}
}

// TestParseBench: every metric of every result line, under its package, the GOMAXPROCS suffix
// dropped; log lines and summaries are not results.
func TestParseBench(t *testing.T) {
	out, err := os.ReadFile(filepath.Join("testdata", "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := ParseBench(string(out))
	const archive, rules = "github.com/pouchmail/pouch/bench/archive", "github.com/pouchmail/pouch/bench/rules"
	want := []BenchMetric{
		{archive, "BenchmarkImport", "ns/op", 0.000001},
		{archive, "BenchmarkImport", "msgs/s", 4310},
		{archive, "BenchmarkImport", "MiB/s", 11.2},
		{archive, "BenchmarkSearch", "ns/op", 93456789},
		{archive, "BenchmarkSearch", "max-ms", 3.1},
		{archive, "BenchmarkSearch", "messages", 1000000},
		{archive, "BenchmarkSearch", "p50-ms", 2.5},
		{archive, "BenchmarkSearch", "p95-ms", 9.8},
		{rules, "BenchmarkRules/apply", "ns/op", 200000},
		{rules, "BenchmarkRules/apply", "msgs/s", 1234},
	}
	if len(got) != len(want) {
		t.Fatalf("ParseBench = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Package != want[i].Package || got[i].Benchmark != want[i].Benchmark || got[i].Unit != want[i].Unit || !near(got[i].Value, want[i].Value) {
			t.Errorf("metric %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	r := Report{GoBench: got}
	if v, ok := r.Metric("BenchmarkSearch", "p95-ms"); !ok || v != 9.8 {
		t.Errorf("Metric(BenchmarkSearch, p95-ms) = %v, %v", v, ok)
	}
}
