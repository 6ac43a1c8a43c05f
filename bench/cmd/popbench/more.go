package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/pouchmail/pouch/bench/latencyproxy"
	"github.com/pouchmail/pouch/bench/popdrain"
	"github.com/pouchmail/pouch/bench/report"
)

// fiveAccounts is how many accounts, each on a server of its own, one check of all covers.
const fiveAccounts = 5

// five measures one `pouch fetch` of fiveAccounts accounts, each behind a latency proxy of its
// own (five servers), against a fetch of each account alone: a check of all should take about
// as long as the slowest account, not the sum.
func (b *bencher) five(ctx context.Context, boxes []*mailbox, delay time.Duration) ([]report.KV, error) {
	for i := range boxes {
		p, err := latencyproxy.Start(boxes[i].addr, delay)
		if err != nil {
			return nil, err
		}
		defer p.Close()
		box := *boxes[i]
		box.addr = p.Addr
		boxes[i] = &box
	}
	var all, slowest, sum []float64
	for rep := 1; rep <= b.cfg.repeat; rep++ {
		var alone []float64
		for i, box := range boxes {
			w, err := b.fetchAccounts(ctx, boxes[i:i+1])
			if err != nil {
				return nil, fmt.Errorf("five accounts, %s alone: %w", box.user, err)
			}
			alone = append(alone, w.Seconds())
		}
		w, err := b.fetchAccounts(ctx, boxes)
		if err != nil {
			return nil, fmt.Errorf("five accounts, all: %w", err)
		}
		all = append(all, w.Seconds())
		slowest = append(slowest, slices.Max(alone))
		var s float64
		for _, a := range alone {
			s += a
		}
		sum = append(sum, s)
		logf("five  run %d: all at once %.2f s; alone: slowest %.2f s, sum %.2f s", rep, w.Seconds(), slices.Max(alone), s)
	}
	n := boxes[0].n
	return []report.KV{
		{Key: fmt.Sprintf("Five accounts on five servers (%d messages each, %v RTT), one check of all (median of %d)", n, 2*delay, len(all)), Value: fmt.Sprintf("%.2f s", report.Median(all))},
		{Key: "Five accounts: the slowest account alone (median)", Value: fmt.Sprintf("%.2f s", report.Median(slowest))},
		{Key: "Five accounts: the sum of each alone (median)", Value: fmt.Sprintf("%.2f s", report.Median(sum))},
	}, nil
}

// fetchAccounts times one `pouch fetch --json` of every account in a fresh data directory with
// one account per box, and checks that each stored all its messages.
func (b *bencher) fetchAccounts(ctx context.Context, boxes []*mailbox) (time.Duration, error) {
	dir, err := b.fresh("pouch-five")
	if err != nil {
		return 0, err
	}
	defer b.done(dir)
	for _, box := range boxes {
		if err := b.pouchAccountNamed(ctx, dir, box, box.user); err != nil {
			return 0, err
		}
	}
	p, err := execute(ctx, dir, b.pouchEnv(nil), "", b.pouch, "--data-dir", dir, "fetch", "--json")
	if err != nil {
		return 0, err
	}
	var res []fetchJSON
	if err := json.Unmarshal(p.stdout, &res); err != nil || len(res) != len(boxes) {
		return 0, fmt.Errorf("pouch fetch --json: unexpected output %q (%v)", tail(string(p.stdout), 300), err)
	}
	for i, r := range res {
		if !r.OK || r.New != boxes[i].n {
			return 0, fmt.Errorf("pouch fetch: %s: %d new of %d (%v)", r.Account, r.New, boxes[i].n, r.Error)
		}
	}
	return p.wall, nil
}

// listing times the baseline of the idle poll: a bare TLS login, UIDL and QUIT (popdrain).
func (b *bencher) listing(ctx context.Context, box *mailbox) (time.Duration, error) {
	start := time.Now()
	res, err := popdrain.Listing(ctx, popdrain.Config{Addr: box.addr, TLS: b.tls, User: box.user, Password: box.password})
	if err != nil {
		return 0, err
	}
	if res.Messages != box.n {
		return 0, fmt.Errorf("UIDL listed %d messages, want %d", res.Messages, box.n)
	}
	return time.Since(start), nil
}

// goBench runs the Go benchmarks of pkgs (go test -bench .), printing their output as it
// comes, and returns every metric they report.
func goBench(ctx context.Context, pkgs []string) ([]report.BenchMetric, error) {
	args := append([]string{"test", "-tags", "sqlite_fts5", "-run", "^$", "-bench", ".", "-timeout", "3h"}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Stdout = &tee{&out}
	cmd.Stderr = os.Stderr
	logf("go %s", strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test -bench: %w", err)
	}
	return report.ParseBench(out.String()), nil
}

// tee keeps what it is written and shows it on standard error.
type tee struct{ buf *bytes.Buffer }

func (t *tee) Write(p []byte) (int, error) {
	os.Stderr.Write(p)
	return t.buf.Write(p)
}

// uptime is the load average part of uptime's output.
func uptime() string {
	out := output("uptime")
	if _, la, ok := strings.Cut(out, "load average:"); ok {
		return strings.TrimSpace(la)
	}
	return "unknown"
}
