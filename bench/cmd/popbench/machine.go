package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/pouchmail/pouch/bench/report"
)

// machine describes where the figures were taken.
func machine() []report.KV {
	kv := []report.KV{
		{Key: "CPU", Value: procField("/proc/cpuinfo", "model name")},
		{Key: "Cores", Value: fmt.Sprint(runtime.NumCPU())},
		{Key: "Memory", Value: procField("/proc/meminfo", "MemTotal")},
		{Key: "OS", Value: firstLine("uname", "-sr")},
		{Key: "Go", Value: runtime.Version()},
		{Key: "Dovecot", Value: firstLine("dovecot", "--version")},
		{Key: "mpop", Value: firstLine("mpop", "--version")},
		{Key: "fetchmail", Value: lineWith("release", "fetchmail", "--version")},
	}
	return kv
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func output(name string, args ...string) string {
	out, _ := exec.Command(name, args...).CombinedOutput() // a missing tool shows as "unknown"
	return string(out)
}

func firstLine(name string, args ...string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(output(name, args...)), "\n")
	if l == "" {
		return "unknown"
	}
	return l
}

func lineWith(sub, name string, args ...string) string {
	for _, l := range strings.Split(output(name, args...), "\n") {
		if strings.Contains(l, sub) {
			return strings.TrimSpace(l)
		}
	}
	return "unknown"
}

// goals checks the figures against the targets.
func goals(r *report.Report, c *config) []report.Goal {
	var out []report.Goal
	ratio := func(scenario, to string) (float64, bool) {
		for _, x := range r.Ratios {
			if x.Scenario == scenario && x.To == to {
				return x.Value, true
			}
		}
		return 0, false
	}
	if v, ok := ratio("loopback TLS", "mpop"); ok {
		out = append(out, report.Goal{Name: "loopback: Pouch msg/s (all durably committed) over mpop's", Target: ">= 2", Value: fmt.Sprintf("%.2f", v), Met: v >= 2})
	}
	if v, ok := ratio("loopback TLS", "server limit"); ok && v > 0 {
		out = append(out, report.Goal{Name: "loopback: server limit over Pouch", Target: "<= 2.5", Value: fmt.Sprintf("%.2f", 1/v), Met: 1/v <= 2.5})
	}
	lat := fmt.Sprintf("%v RTT TLS", 2*c.delay)
	if v, ok := ratio(lat, "mpop"); ok {
		out = append(out, report.Goal{Name: lat + ": Pouch msg/s over mpop's", Target: ">= 2", Value: fmt.Sprintf("%.2f", v), Met: v >= 2})
	}
	// Until searchable: mpop's fetch time over Pouch's fetch plus the index catching up.
	for _, sc := range []string{"loopback TLS", lat} {
		var us, mp float64
		for _, s := range r.Series {
			switch {
			case s.Scenario == sc && s.Client == untilSearchable:
				us = s.MedianWall().Seconds()
			case s.Scenario == sc && s.Client == "mpop":
				mp = s.MedianWall().Seconds()
			}
		}
		if us > 0 && mp > 0 {
			out = append(out, report.Goal{Name: sc + ": Pouch until searchable over mpop's fetch (time)", Target: "<= 1", Value: fmt.Sprintf("%.2f", us/mp), Met: us <= mp})
		}
	}
	var five, slowest float64
	for _, kv := range r.Extra {
		switch {
		case kv.Key == "Idle poll over bare TLS login + UIDL":
			v := mib(kv.Value)
			out = append(out, report.Goal{Name: "Idle poll over a bare TLS login + UIDL", Target: "<= 1.5", Value: kv.Value, Met: v <= 1.5})
		case strings.HasPrefix(kv.Key, "Idle poll") && strings.Contains(kv.Key, "RSS"):
			out = append(out, report.Goal{Name: kv.Key, Target: "< 50 MiB", Value: kv.Value, Met: mib(kv.Value) < 50})
		case strings.Contains(kv.Key, "RSS growth"):
			out = append(out, report.Goal{Name: kv.Key, Target: "< 64 MiB", Value: kv.Value, Met: mib(kv.Value) < 64})
		case strings.HasPrefix(kv.Key, "Five accounts on five servers"):
			five = mib(kv.Value)
		case strings.HasPrefix(kv.Key, "Five accounts: the slowest"):
			slowest = mib(kv.Value)
		}
	}
	if five > 0 && slowest > 0 {
		out = append(out, report.Goal{Name: "Five accounts: one check of all over the slowest alone", Target: "<= 1.5", Value: fmt.Sprintf("%.2f", five/slowest), Met: five/slowest <= 1.5})
	}
	if p95, ok := r.Metric("BenchmarkSearch", "p95-ms"); ok {
		n, _ := r.Metric("BenchmarkSearch", "messages")
		out = append(out, report.Goal{Name: fmt.Sprintf("Search p95 over %.0f messages (bench/archive)", n), Target: "< 50 ms at 1,000,000", Value: fmt.Sprintf("%.1f ms", p95), Met: p95 < 50 && n >= 1_000_000})
	}
	return out
}

func mib(s string) float64 {
	var v float64
	fmt.Sscanf(s, "%f", &v)
	return v
}

func notes(c *config) []string {
	return []string{
		"Every run starts from a clean state (a fresh Pouch data directory, a fresh mpop UIDL file and Maildir, a fresh fetchmail id file and output directory), leaves all mail on the server, and is checked to have received every message (`pouch list --json` length, files delivered); a run that lost messages aborts the benchmark.",
		"Clients run interleaved (limit, pouch, mpop, fetchmail, then again) so drifts of the shared machine spread over all of them. Rates are messages (or STAT bytes) divided by the wall time of the client process, start to exit.",
		"server limit: a minimal reader in bench/popdrain that sends every RETR at once from a writer goroutine and discards the replies. No client can beat it.",
		"pouch: `pouch fetch --account bench --json` (binary built with -tags sqlite_fts5) after `pouch account add ... --security tls --ca-file CERT --keep-forever --password-stdin`; the password in a real Secret Service (scripts/with-keyring).",
		"mpop: tls on, tls_starttls off, tls_trust_file = the Dovecot certificate, keep on, pipelining on, delivery maildir (mpop fsyncs every file), a fresh uidls_file.",
		"fetchmail: ssl, sslcertck with sslcertfile, keep, fetchall, no rewrite; mda `" + fetchmailMDA + "` (fetchmail runs it through /bin/sh: one sh and one cat per message, no fsync; noclobber guards against PID reuse).",
		fmt.Sprintf("Latency: bench/latencyproxy between every client (and the limit reader) and Dovecot, %v each way; TLS end to end through it. Each chunk is delayed by its arrival time, so throughput is not limited.", c.delay),
		"Idle poll: the idle mailbox is fetched once, then `pouch fetch` is timed when nothing is new. Peak RSS is the child's getrusage maxrss. Its baseline is a bare TLS login, UIDL and QUIT inside popbench (bench/popdrain: no process start, no archive), interleaved with the polls.",
		"Until searchable: `pouch fetch` (which returns once every message is durably committed), then `pouch search` for a word no message holds, which first indexes whatever the fetch left; the sum of both wall times.",
		fmt.Sprintf("Five accounts: five Dovecot users of %d messages, each behind a latency proxy of its own (%v each way), so five servers; `pouch fetch` of all five in one data directory against `pouch fetch` of each alone in its own.", c.fiveN, c.delay),
		"Go benchmarks: `go test -bench .` of the packages in BENCH_PKGS (make bench), every metric they report; bench/archive's archive size and kept directory come from POUCH_BENCH_ARCHIVE_N and POUCH_BENCH_ARCHIVE_KEEP.",
		"Large message: peak RSS of the fetch of one message, minus the peak RSS of a fetch that finds nothing new in the same archive.",
	}
}

// describeBinary names the measured pouch binary, its size and build time.
func describeBinary(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return path
	}
	return fmt.Sprintf("%s (%.1f MB, built %s)", path, float64(fi.Size())/1e6, fi.ModTime().Format("2006-01-02 15:04"))
}
