// Command popbench measures Pouch against mpop, fetchmail and the server's own limit on a
// private Dovecot with a generated corpus, on loopback and through a latency proxy, plus the
// idle poll and the memory of one large message, and writes bench/RESULTS.md. See `make bench`.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/pouchmail/pouch/bench/corpus"
	"github.com/pouchmail/pouch/bench/latencyproxy"
	"github.com/pouchmail/pouch/bench/popdrain"
	"github.com/pouchmail/pouch/bench/report"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

type config struct {
	pouch      string
	n          int
	latencyN   int
	idleN      int
	fiveN      int
	goBench    string
	bigMB      int
	repeat     int
	delay      time.Duration
	seed       uint64
	out        string
	profileDir string
	skip       string
	keep       bool
	command    string
}

func main() {
	var c config
	flag.StringVar(&c.pouch, "pouch", "bin/pouch", "the pouch binary to measure (built with -tags sqlite_fts5)")
	flag.IntVar(&c.n, "n", 10_000, "messages in the loopback corpus")
	flag.IntVar(&c.latencyN, "latency-n", 500, "messages in the latency-proxy corpus (lockstep clients do ~24 msg/s at 20 ms)")
	flag.IntVar(&c.idleN, "idle-n", 100_000, "messages left on the server for the idle poll")
	flag.IntVar(&c.fiveN, "five-n", 200, "messages in each of the five accounts (each behind its own latency proxy)")
	flag.StringVar(&c.goBench, "go-bench", "", "space-separated Go packages whose benchmarks run too (go test -bench .); their metrics go into the results")
	flag.IntVar(&c.bigMB, "big-mb", 50, "size of the large message in MB")
	flag.IntVar(&c.repeat, "repeat", 3, "runs of each client per scenario")
	flag.DurationVar(&c.delay, "delay", 10*time.Millisecond, "one-way delay of the latency proxy")
	flag.Uint64Var(&c.seed, "seed", 1, "corpus seed")
	flag.StringVar(&c.out, "out", "bench/RESULTS.md", "where to write the results (\"\" = do not write)")
	flag.StringVar(&c.profileDir, "profile-dir", "", "write pprof profiles of an extra, untimed pouch run per scenario here")
	flag.StringVar(&c.skip, "skip", "", "comma-separated parts to skip: loopback,latency,idle,big,five,mpop,fetchmail")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory (Dovecot, mailboxes, client data)")
	flag.StringVar(&c.command, "command", "", "the command line to show in RESULTS.md (default: this one)")
	flag.Parse()
	if c.command == "" {
		c.command = strings.Join(append([]string{"popbench"}, os.Args[1:]...), " ")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, &c)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "popbench: %v\n", err)
		os.Exit(1)
	}
}

// mailbox is one Dovecot user holding one corpus.
type mailbox struct {
	user, password string
	addr           string // where clients connect (Dovecot's TLS port or the proxy)
	n              int
	octets         int64 // STAT size: the bytes every client must fetch
}

func (c *config) skipped(part string) bool {
	for _, s := range strings.Split(c.skip, ",") {
		if strings.TrimSpace(s) == part {
			return true
		}
	}
	return false
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, c *config) error {
	if c.n < 1 || c.latencyN < 1 || c.idleN < 1 || c.fiveN < 1 || c.repeat < 1 || c.bigMB < 1 {
		return errors.New("-n, -latency-n, -idle-n, -five-n, -big-mb and -repeat must be positive")
	}
	load := uptime()
	pouch, err := filepath.Abs(c.pouch)
	if err != nil {
		return err
	}
	if _, err := os.Stat(pouch); err != nil {
		return fmt.Errorf("pouch binary: %v (build it: make build)", err)
	}
	if _, err := os.Stat(gnuTime); err != nil {
		return fmt.Errorf("%s (GNU time, to measure peak RSS) not found: install the time package (scripts/install-deps bench)", gnuTime)
	}
	for _, tool := range []string{"mpop", "fetchmail"} {
		if c.skipped(tool) {
			continue
		}
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (install it: scripts/install-deps bench)", tool)
		}
	}
	if c.profileDir != "" {
		if c.profileDir, err = filepath.Abs(c.profileDir); err != nil {
			return err
		}
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return err
		}
	}

	work, err := os.MkdirTemp("", "popbench-")
	if err != nil {
		return err
	}
	// Dovecot's unprivileged processes must traverse it.
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	if c.keep {
		logf("work directory %s (kept)", work)
	} else {
		defer os.RemoveAll(work)
	}

	const password = "bench-pw"
	users := []pop3test.DovecotUser{{Name: "alice", Password: password}, {Name: "lat", Password: password},
		{Name: "idle", Password: password}, {Name: "big", Password: password}}
	for i := range fiveAccounts {
		users = append(users, pop3test.DovecotUser{Name: fmt.Sprintf("five%d", i), Password: password})
	}
	d, err := pop3test.StartDovecot(filepath.Join(work, "dovecot"), &pop3test.DovecotOptions{Users: users})
	if err != nil {
		return err
	}
	defer d.Stop()
	logf("Dovecot on %s (TLS)", d.TLSAddr)

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(d.CertPEM)
	tlsConf := &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}

	// The corpora. The latency mailbox holds the first messages of the same corpus.
	gen := func(i int) []byte { return corpus.Generate(c.seed, i) }
	type fill struct {
		user string
		n    int
		gen  func(int) []byte
		skip bool
	}
	fills := []fill{
		{"alice", c.n, gen, c.skipped("loopback")},
		{"lat", c.latencyN, gen, c.skipped("latency")},
		{"idle", c.idleN, corpus.Tiny, c.skipped("idle")},
		{"big", 1, func(int) []byte { return corpus.Big(c.seed, c.bigMB*1_000_000) }, c.skipped("big")},
	}
	for i := range fiveAccounts {
		// Each account its own slice of the corpus.
		fills = append(fills, fill{fmt.Sprintf("five%d", i), c.fiveN, func(j int) []byte { return gen(c.n + i*c.fiveN + j) }, c.skipped("five")})
	}
	boxes := map[string]*mailbox{}
	for _, f := range fills {
		if f.skip {
			continue
		}
		start := time.Now()
		size, err := corpus.WriteMaildir(ctx, d.Maildir(f.user), f.n, 2, f.gen)
		if err != nil {
			return err
		}
		// Pre-warm: the first LIST/UIDL of a Maildir reads every file and builds the index.
		res, err := popdrain.Warm(ctx, popdrain.Config{Addr: d.TLSAddr, TLS: tlsConf, User: f.user, Password: password})
		if err != nil {
			return fmt.Errorf("warming %s: %w\n%s", f.user, err, tail(d.Log(), 2000))
		}
		if res.Messages != f.n {
			return fmt.Errorf("mailbox %s: Dovecot lists %d messages, %d written", f.user, res.Messages, f.n)
		}
		boxes[f.user] = &mailbox{user: f.user, password: password, addr: d.TLSAddr, n: f.n, octets: res.Octets}
		logf("mailbox %s: %d messages, %.1f MB on disk, %.1f MB over POP3, written and indexed in %v",
			f.user, f.n, float64(size)/1e6, float64(res.Octets)/1e6, time.Since(start).Round(time.Millisecond))
	}

	b := &bencher{cfg: c, pouch: pouch, work: work, cert: d.CertFile, tls: tlsConf}
	rep := &report.Report{Date: time.Now(), Command: c.command, Machine: machine()}
	rep.Params = []report.KV{
		{Key: "Corpus", Value: fmt.Sprintf("seed %d; median %.1f KB (measured on the first %d), %.0f%% with a %d KB-%d MB attachment; plain ASCII/UTF-8 QP/Latin-1/windows-1251 base64, multipart/alternative, multipart/mixed",
			c.seed, float64(medianSize(gen, min(c.n, 2000)))/1000, min(c.n, 2000), corpus.AttachmentRate*100, corpus.MinAttachment>>10, corpus.MaxAttachment>>20)},
		{Key: "Runs per client", Value: fmt.Sprint(c.repeat)},
		{Key: "Pouch binary", Value: describeBinary(c.pouch)},
		{Key: "Transport", Value: "implicit TLS (POP3S) to a private Dovecot on 127.0.0.1; the certificate trusted explicitly by every client"},
	}
	if box := boxes["alice"]; box != nil {
		rep.Params = append(rep.Params, report.KV{Key: "Loopback corpus", Value: fmt.Sprintf("%d messages, %.1f MB", box.n, float64(box.octets)/1e6)})
		s, err := b.scenario(ctx, "loopback TLS", box)
		if err != nil {
			return err
		}
		rep.Series = append(rep.Series, s...)
	}
	if box := boxes["lat"]; box != nil {
		p, err := latencyproxy.Start(d.TLSAddr, c.delay)
		if err != nil {
			return err
		}
		defer p.Close()
		lbox := *box
		lbox.addr = p.Addr
		name := fmt.Sprintf("%v RTT TLS", 2*c.delay)
		rep.Params = append(rep.Params, report.KV{Key: "Latency corpus", Value: fmt.Sprintf("%d messages, %.1f MB, through a proxy adding %v each way", box.n, float64(box.octets)/1e6, c.delay)})
		s, err := b.scenario(ctx, name, &lbox)
		if err != nil {
			return err
		}
		rep.Series = append(rep.Series, s...)
	}
	rep.Ratios = report.Ratios(rep.Series, "pouch")
	if box := boxes["idle"]; box != nil {
		extra, err := b.idle(ctx, box)
		if err != nil {
			return err
		}
		rep.Extra = append(rep.Extra, extra...)
	}
	if box := boxes["big"]; box != nil {
		extra, err := b.big(ctx, box)
		if err != nil {
			return err
		}
		rep.Extra = append(rep.Extra, extra...)
	}
	if !c.skipped("five") {
		var fb []*mailbox
		for i := range fiveAccounts {
			fb = append(fb, boxes[fmt.Sprintf("five%d", i)])
		}
		extra, err := b.five(ctx, fb, c.delay)
		if err != nil {
			return err
		}
		rep.Extra = append(rep.Extra, extra...)
	}
	if pkgs := strings.Fields(c.goBench); len(pkgs) > 0 {
		ms, err := goBench(ctx, pkgs)
		if err != nil {
			return err
		}
		rep.GoBench = ms
	}
	rep.Load = fmt.Sprintf("%s at the start, %s at the end", load, uptime())
	rep.Goals = goals(rep, c)
	rep.Notes = notes(c)

	fmt.Println()
	for _, r := range rep.Ratios {
		fmt.Println(r)
	}
	for _, kv := range rep.Extra {
		fmt.Printf("%s: %s\n", kv.Key, kv.Value)
	}
	for _, g := range rep.Goals {
		met := "MISSED"
		if g.Met {
			met = "met"
		}
		fmt.Printf("goal %s: %s (target %s) %s\n", g.Name, g.Value, g.Target, met)
	}
	if c.out != "" {
		if old, err := os.ReadFile(c.out); err == nil {
			rep.Tail = report.KeepTail(string(old))
		}
		if err := os.WriteFile(c.out, []byte(rep.Markdown()), 0o644); err != nil {
			return err
		}
		logf("wrote %s", c.out)
	}
	return nil
}

// medianSize is the median length of the first n messages of gen.
func medianSize(gen func(int) []byte, n int) int {
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = len(gen(i))
	}
	slices.Sort(sizes)
	return sizes[n/2]
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
