package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pouchmail/pouch/bench/popdrain"
	"github.com/pouchmail/pouch/bench/report"
)

// runTimeout bounds any one client run, so a stuck client fails the benchmark instead of
// hanging it.
const runTimeout = 30 * time.Minute

type bencher struct {
	cfg   *config
	pouch string
	work  string
	cert  string
	tls   *tls.Config
	seq   int
}

// fresh returns a new empty directory for one client run.
func (b *bencher) fresh(name string) (string, error) {
	b.seq++
	dir := filepath.Join(b.work, "runs", fmt.Sprintf("%03d-%s", b.seq, name))
	return dir, os.MkdirAll(dir, 0o700)
}

func (b *bencher) done(dir string) {
	if !b.cfg.keep {
		os.RemoveAll(dir)
	}
}

type client struct {
	name string
	run  func(ctx context.Context, box *mailbox) (report.Run, error)
}

// scenario runs every client repeat times against box, interleaved (limit, pouch, mpop,
// fetchmail, then again) so that drifts of the shared machine spread over all of them.
func (b *bencher) scenario(ctx context.Context, name string, box *mailbox) ([]report.Series, error) {
	clients := []client{{"server limit", b.limit}, {"pouch", b.pouchRun}}
	if !b.cfg.skipped("mpop") {
		clients = append(clients, client{"mpop", b.mpop})
	}
	if !b.cfg.skipped("fetchmail") {
		clients = append(clients, client{"fetchmail", b.fetchmail})
	}
	series := make([]report.Series, len(clients))
	for i, cl := range clients {
		series[i] = report.Series{Scenario: name, Client: cl.name}
	}
	for rep := 1; rep <= b.cfg.repeat; rep++ {
		for i, cl := range clients {
			r, err := cl.run(ctx, box)
			if err != nil {
				return nil, fmt.Errorf("%s, %s, run %d: %w", name, cl.name, rep, err)
			}
			series[i].Runs = append(series[i].Runs, r)
			logf("%s  %-12s run %d: %6.2f s  %7.0f msg/s  %6.1f MB/s", name, cl.name, rep, r.Wall.Seconds(), r.MsgPerSec(), r.MBPerSec())
			if r.Searchable > 0 {
				logf("%s  %-12s run %d: %6.2f s until searchable", name, cl.name, rep, r.Searchable.Seconds())
			}
		}
	}
	// Until searchable: a series of its own, so that it sits beside the other clients' fetches.
	for _, s := range series {
		if s.Client != "pouch" {
			continue
		}
		us := report.Series{Scenario: name, Client: untilSearchable}
		for _, r := range s.Runs {
			if r.Searchable > 0 {
				us.Runs = append(us.Runs, report.Run{Wall: r.Searchable, Messages: r.Messages, Bytes: r.Bytes})
			}
		}
		if len(us.Runs) > 0 {
			series = append(series, us)
		}
	}
	if b.cfg.profileDir != "" {
		slug := strings.NewReplacer(" ", "-", "/", "-").Replace(name)
		env := []string{"POUCH_CPUPROFILE=" + filepath.Join(b.cfg.profileDir, "fetch-"+slug+".cpu.pprof"),
			"POUCH_MEMPROFILE=" + filepath.Join(b.cfg.profileDir, "fetch-"+slug+".mem.pprof")}
		if _, err := b.pouchFetchFresh(ctx, box, env); err != nil {
			return nil, fmt.Errorf("%s, profiled pouch run: %w", name, err)
		}
		logf("%s  profiles written to %s", name, b.cfg.profileDir)
	}
	return series, nil
}

func (b *bencher) limit(ctx context.Context, box *mailbox) (report.Run, error) {
	start := time.Now()
	res, err := popdrain.Drain(ctx, popdrain.Config{Addr: box.addr, TLS: b.tls, User: box.user, Password: box.password})
	wall := time.Since(start)
	if err != nil {
		return report.Run{}, err
	}
	if res.Messages != box.n {
		return report.Run{}, fmt.Errorf("received %d messages, want %d", res.Messages, box.n)
	}
	return report.Run{Wall: wall, Messages: box.n, Bytes: box.octets}, nil
}

// proc is a finished child process.
type proc struct {
	stdout []byte
	wall   time.Duration
	maxRSS int64
}

// gnuTime is GNU time, which reports the peak RSS of exactly the process it runs. The child's
// own getrusage cannot: Go starts children with vfork semantics, and Linux carries the parent's
// high-water RSS into the child's maxrss at exec, so every child would report at least
// popbench's own peak.
const gnuTime = "/usr/bin/time"

// execute runs a command with stdin under GNU time, returning its output, wall time and peak
// RSS; a failure carries the tail of its standard error.
func execute(ctx context.Context, dir string, env []string, stdin string, name string, args ...string) (proc, error) {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	rssFile, err := os.CreateTemp("", "popbench-rss-")
	if err != nil {
		return proc{}, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, gnuTime, append([]string{"-f", "%M", "-o", rssFile.Name(), name}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	p := proc{stdout: stdout.Bytes(), wall: time.Since(start)}
	if err != nil {
		return p, fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args[:min(len(args), 3)], " "), err, tail(strings.TrimSpace(stderr.String()), 1500))
	}
	data, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return p, err
	}
	// The last line holds %M (KiB); a line before it may say "Command exited with non-zero status".
	lines := strings.Fields(strings.TrimSpace(string(data)))
	if len(lines) == 0 {
		return p, fmt.Errorf("%s wrote no peak RSS", gnuTime)
	}
	kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	if err != nil {
		return p, fmt.Errorf("%s: peak RSS %q: %v", gnuTime, lines[len(lines)-1], err)
	}
	p.maxRSS = kib << 10
	return p, nil
}

// pouchEnv keeps the benchmark's secrets apart from any real Pouch keyring entries.
func (b *bencher) pouchEnv(extra []string) []string {
	return append([]string{fmt.Sprintf("POUCH_KEYRING_SERVICE=pouch-bench-%d", os.Getpid()), "POUCH_DATA_DIR="}, extra...)
}

// pouchAccount makes a data directory with one account "bench" for box.
func (b *bencher) pouchAccount(ctx context.Context, dir string, box *mailbox) error {
	return b.pouchAccountNamed(ctx, dir, box, "bench")
}

// pouchAccountNamed adds the account name for box to the data directory.
func (b *bencher) pouchAccountNamed(ctx context.Context, dir string, box *mailbox, name string) error {
	host, port, _ := strings.Cut(box.addr, ":")
	_, err := execute(ctx, dir, b.pouchEnv(nil), box.password+"\n", b.pouch, "--data-dir", dir,
		"account", "add", "--name", name, "--host", host, "--port", port, "--security", "tls",
		"--user", box.user, "--password-stdin", "--keep-forever", "--ca-file", b.cert)
	return err
}

type fetchJSON struct {
	Account  string  `json:"account"`
	OK       bool    `json:"ok"`
	New      int     `json:"new"`
	OnServer int     `json:"on_server"`
	Error    *string `json:"error"`
}

// pouchFetch times one `pouch fetch` in dir and returns the process and the count of new
// messages it reported.
func (b *bencher) pouchFetch(ctx context.Context, dir string, env []string) (proc, int, error) {
	p, err := execute(ctx, dir, b.pouchEnv(env), "", b.pouch, "--data-dir", dir, "fetch", "--account", "bench", "--json")
	if err != nil {
		return p, 0, err
	}
	var res []fetchJSON
	if err := json.Unmarshal(p.stdout, &res); err != nil || len(res) != 1 {
		return p, 0, fmt.Errorf("pouch fetch --json: unexpected output %q (%v)", tail(string(p.stdout), 300), err)
	}
	if !res[0].OK {
		return p, 0, fmt.Errorf("pouch fetch: %v", res[0].Error)
	}
	return p, res[0].New, nil
}

// pouchCount is the number of messages `pouch list --json` shows: what the archive really holds.
func (b *bencher) pouchCount(ctx context.Context, dir string) (int, error) {
	p, err := execute(ctx, dir, b.pouchEnv(nil), "", b.pouch, "--data-dir", dir, "list", "--account", "bench", "--json")
	if err != nil {
		return 0, err
	}
	var msgs []json.RawMessage
	if err := json.Unmarshal(p.stdout, &msgs); err != nil {
		return 0, fmt.Errorf("pouch list --json: %v", err)
	}
	return len(msgs), nil
}

// untilSearchable names the series of Pouch's time until every message is searchable.
const untilSearchable = "pouch, until searchable"

// pouchSearch times `pouch search --json` for a word no message holds, right after a fetch:
// a search first indexes whatever the fetch left unindexed, so fetch plus this is the time
// until every message can be found.
func (b *bencher) pouchSearch(ctx context.Context, dir string) (proc, error) {
	return execute(ctx, dir, b.pouchEnv(nil), "", b.pouch, "--data-dir", dir, "search", "--json", "zzzznotaword")
}

// pouchCheck runs `pouch check --json` after a timed fetch and search (untimed itself): every
// message's bytes match their hash, every one has its ledger row, and none waits for the
// search index.
func (b *bencher) pouchCheck(ctx context.Context, dir string, want int) error {
	p, err := execute(ctx, dir, b.pouchEnv(nil), "", b.pouch, "--data-dir", dir, "check", "--json")
	if err != nil {
		return err
	}
	var r struct {
		Messages     int `json:"messages"`
		IndexBacklog int `json:"index_backlog"`
	}
	if err := json.Unmarshal(p.stdout, &r); err != nil {
		return fmt.Errorf("pouch check --json: %v", err)
	}
	if r.Messages != want || r.IndexBacklog != 0 {
		return fmt.Errorf("pouch check after the fetch: %d messages (want %d), %d not yet searchable (want 0)", r.Messages, want, r.IndexBacklog)
	}
	return nil
}

// pouchFetchFresh runs a first `pouch fetch` of box into a fresh data directory and checks that
// every message arrived.
func (b *bencher) pouchFetchFresh(ctx context.Context, box *mailbox, env []string) (report.Run, error) {
	dir, err := b.fresh("pouch")
	if err != nil {
		return report.Run{}, err
	}
	defer b.done(dir)
	if err := b.pouchAccount(ctx, dir, box); err != nil {
		return report.Run{}, err
	}
	p, n, err := b.pouchFetch(ctx, dir, env)
	if err != nil {
		return report.Run{}, err
	}
	if n != box.n {
		return report.Run{}, fmt.Errorf("pouch fetch reported %d new messages, want %d", n, box.n)
	}
	sp, err := b.pouchSearch(ctx, dir)
	if err != nil {
		return report.Run{}, err
	}
	if got, err := b.pouchCount(ctx, dir); err != nil {
		return report.Run{}, err
	} else if got != box.n {
		return report.Run{}, fmt.Errorf("pouch list shows %d messages after the fetch, want %d", got, box.n)
	}
	if err := b.pouchCheck(ctx, dir, box.n); err != nil {
		return report.Run{}, err
	}
	return report.Run{Wall: p.wall, Messages: box.n, Bytes: box.octets, MaxRSS: p.maxRSS, Searchable: p.wall + sp.wall}, nil
}

func (b *bencher) pouchRun(ctx context.Context, box *mailbox) (report.Run, error) {
	return b.pouchFetchFresh(ctx, box, nil)
}

// mpop: implicit TLS with the Dovecot certificate as the trust file, pipelining on, messages
// left on the server, delivered into a Maildir (mpop syncs each file before counting it
// delivered), with a fresh UIDL file so every message is new.
func (b *bencher) mpop(ctx context.Context, box *mailbox) (report.Run, error) {
	dir, err := b.fresh("mpop")
	if err != nil {
		return report.Run{}, err
	}
	defer b.done(dir)
	maildir := filepath.Join(dir, "Maildir")
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(maildir, sub), 0o700); err != nil {
			return report.Run{}, err
		}
	}
	host, port, _ := strings.Cut(box.addr, ":")
	conf := fmt.Sprintf(`defaults
tls on
tls_starttls off
tls_trust_file %s
keep on
pipelining on
only_new on
uidls_file %s

account bench
host %s
port %s
user %s
password %s
delivery maildir %s
`, b.cert, filepath.Join(dir, "uidls"), host, port, box.user, box.password, maildir)
	rc := filepath.Join(dir, "mpoprc")
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		return report.Run{}, err
	}
	p, err := execute(ctx, dir, []string{"HOME=" + dir}, "", "mpop", "-C", rc, "-q", "bench")
	if err != nil {
		return report.Run{}, err
	}
	if err := countFiles(box.n, filepath.Join(maildir, "new"), filepath.Join(maildir, "cur")); err != nil {
		return report.Run{}, fmt.Errorf("mpop: %w", err)
	}
	return report.Run{Wall: p.wall, Messages: box.n, Bytes: box.octets, MaxRSS: p.maxRSS}, nil
}

// fetchmailMDA is the delivery command fetchmail runs (through /bin/sh) for every message: cat
// into a new file, no fsync. A PID alone is not unique across thousands of messages (PIDs wrap),
// so noclobber (set -C) makes a reused name fail and the loop takes the next suffix.
const fetchmailMDA = `set -C; i=0; until cat >DIR/m.$$.$i; do i=$((i+1)); [ $i -lt 64 ] || exit 75; done`

// fetchmail: implicit TLS checked against the Dovecot certificate, keep and fetchall (messages
// stay on the server, all fetched), delivering to fetchmailMDA.
func (b *bencher) fetchmail(ctx context.Context, box *mailbox) (report.Run, error) {
	dir, err := b.fresh("fetchmail")
	if err != nil {
		return report.Run{}, err
	}
	defer b.done(dir)
	out := filepath.Join(dir, "mail")
	if err := os.Mkdir(out, 0o700); err != nil {
		return report.Run{}, err
	}
	host, port, _ := strings.Cut(box.addr, ":")
	me := os.Getenv("USER")
	if me == "" {
		me = "root"
	}
	conf := fmt.Sprintf(`set no syslog
set no bouncemail
poll %s protocol pop3 service %s
  user "%s" there with password "%s" is "%s" here
  ssl sslcertck sslcertfile "%s" sslcommonname "localhost"
  keep fetchall no rewrite
  mda "%s"
`, host, port, box.user, box.password, me, b.cert, strings.ReplaceAll(fetchmailMDA, "DIR", out))
	rc := filepath.Join(dir, "fetchmailrc")
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		return report.Run{}, err
	}
	p, err := execute(ctx, dir, []string{"HOME=" + dir}, "", "fetchmail", "-f", rc, "--idfile", filepath.Join(dir, "ids"),
		"--pidfile", filepath.Join(dir, "pid"), "--nosyslog", "-s")
	if err != nil {
		return report.Run{}, err
	}
	if err := countFiles(box.n, out); err != nil {
		return report.Run{}, fmt.Errorf("fetchmail: %w", err)
	}
	return report.Run{Wall: p.wall, Messages: box.n, Bytes: box.octets, MaxRSS: p.maxRSS}, nil
}

// countFiles checks that dirs hold want regular, non-empty files in all.
func countFiles(want int, dirs ...string) error {
	n := 0
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
				n++
			}
		}
	}
	if n != want {
		return fmt.Errorf("%d messages delivered, want %d", n, want)
	}
	return nil
}

// idle fetches the idle mailbox once, then times fetches that find nothing new.
func (b *bencher) idle(ctx context.Context, box *mailbox) ([]report.KV, error) {
	dir, err := b.fresh("pouch-idle")
	if err != nil {
		return nil, err
	}
	defer b.done(dir)
	if err := b.pouchAccount(ctx, dir, box); err != nil {
		return nil, err
	}
	first, n, err := b.pouchFetch(ctx, dir, nil)
	if err != nil {
		return nil, err
	}
	if n != box.n {
		return nil, fmt.Errorf("idle mailbox: first fetch stored %d messages, want %d", n, box.n)
	}
	logf("idle  first fetch of %d small messages: %.2f s (%.0f msg/s), peak RSS %s", box.n, first.wall.Seconds(), float64(box.n)/first.wall.Seconds(), report.MiB(first.maxRSS))
	// The index catches up after the first fetch, as the window's poller does: an idle poll is
	// one with nothing to download and nothing to index.
	if _, err := b.pouchSearch(ctx, dir); err != nil {
		return nil, err
	}
	s := report.Series{Scenario: "idle", Client: "pouch"}
	var base []float64
	for rep := 1; rep <= b.cfg.repeat; rep++ {
		p, n, err := b.pouchFetch(ctx, dir, nil)
		if err != nil {
			return nil, err
		}
		if n != 0 {
			return nil, fmt.Errorf("idle poll stored %d messages, want 0", n)
		}
		s.Runs = append(s.Runs, report.Run{Wall: p.wall, Messages: box.n, MaxRSS: p.maxRSS})
		l, err := b.listing(ctx, box)
		if err != nil {
			return nil, err
		}
		base = append(base, l.Seconds())
		logf("idle  poll %d: %.3f s, peak RSS %s; bare TLS login + UIDL %.3f s", rep, p.wall.Seconds(), report.MiB(p.maxRSS), l.Seconds())
	}
	if b.cfg.profileDir != "" {
		env := []string{"POUCH_CPUPROFILE=" + filepath.Join(b.cfg.profileDir, "idle.cpu.pprof"),
			"POUCH_MEMPROFILE=" + filepath.Join(b.cfg.profileDir, "idle.mem.pprof")}
		if _, _, err := b.pouchFetch(ctx, dir, env); err != nil {
			return nil, err
		}
	}
	return []report.KV{
		{Key: fmt.Sprintf("First fetch of %d small messages (not a goal; for scale)", box.n), Value: fmt.Sprintf("%.2f s, %.0f msg/s, peak RSS %s", first.wall.Seconds(), float64(box.n)/first.wall.Seconds(), report.MiB(first.maxRSS))},
		{Key: fmt.Sprintf("Idle poll of %d messages, wall time (median of %d)", box.n, len(s.Runs)), Value: fmt.Sprintf("%.3f s", s.MedianWall().Seconds())},
		{Key: fmt.Sprintf("Idle poll of %d messages, peak RSS (max)", box.n), Value: report.MiB(s.MaxRSS())},
		{Key: fmt.Sprintf("Bare TLS login + UIDL of %d messages, in-process (median of %d)", box.n, len(base)), Value: fmt.Sprintf("%.3f s", report.Median(base))},
		{Key: "Idle poll over bare TLS login + UIDL", Value: fmt.Sprintf("%.2f", s.MedianWall().Seconds()/report.Median(base))},
	}, nil
}

// big fetches the one large message and compares the peak RSS with that of a fetch that finds
// nothing new in the same archive.
func (b *bencher) big(ctx context.Context, box *mailbox) ([]report.KV, error) {
	dir, err := b.fresh("pouch-big")
	if err != nil {
		return nil, err
	}
	defer b.done(dir)
	if err := b.pouchAccount(ctx, dir, box); err != nil {
		return nil, err
	}
	var env []string
	if b.cfg.profileDir != "" {
		env = []string{"POUCH_MEMPROFILE=" + filepath.Join(b.cfg.profileDir, "big.mem.pprof")}
	}
	p, n, err := b.pouchFetch(ctx, dir, env)
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, fmt.Errorf("large message: fetch stored %d messages, want 1", n)
	}
	base, _, err := b.pouchFetch(ctx, dir, nil)
	if err != nil {
		return nil, err
	}
	logf("big  %.0f MB message: %.2f s, peak RSS %s; idle fetch peak RSS %s", float64(box.octets)/1e6, p.wall.Seconds(), report.MiB(p.maxRSS), report.MiB(base.maxRSS))
	return []report.KV{
		{Key: fmt.Sprintf("%.0f MB message: peak RSS of the fetch", float64(box.octets)/1e6), Value: report.MiB(p.maxRSS)},
		{Key: "Same archive, nothing new: peak RSS (baseline)", Value: report.MiB(base.maxRSS)},
		{Key: fmt.Sprintf("%.0f MB message: RSS growth over the baseline", float64(box.octets)/1e6), Value: report.MiB(p.maxRSS - base.maxRSS)},
	}, nil
}
