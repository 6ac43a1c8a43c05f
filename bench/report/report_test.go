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
		Extra: []KV{{"Idle poll wall time", "0.41 s"}},
		Goals: []Goal{{Name: "Pouch/mpop loopback", Target: ">= 3", Value: "2.25", Met: false}},
		Notes: []string{"fetchmail delivers through sh and cat."},
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
