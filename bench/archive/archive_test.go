// Package archive benchmarks the local archive: search latency (p50/p95) over a synthetic
// archive of 100,000 messages (a million with -args -archive.n 1000000), and the rates of
// import, indexing and export.
//
//	go test -tags sqlite_fts5 -run x -bench . -benchtime 1x ./bench/archive/
//	go test -tags sqlite_fts5 -run x -bench Search -timeout 2h ./bench/archive/ -args -archive.n 1000000 -archive.keep DIR
//
// A million messages take long to build: -archive.keep (or $POUCH_BENCH_ARCHIVE_KEEP) keeps the
// archive for the next run, which opens it (migrating it like any archive) instead.
//
// The archive is built once per run (mbox import, then full-text indexing) in a temporary
// directory; building it is reported by BenchmarkImport and BenchmarkIndex.
package archive

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

var (
	nMessages = flag.Int("archive.n", envInt("POUCH_BENCH_ARCHIVE_N", 100_000), "messages in the synthetic archive (default $POUCH_BENCH_ARCHIVE_N, else 100000)")
	nExport   = flag.Int("archive.export", 10_000, "messages per export run (mbox: ten times as many; eml and maildir write one file each)")
	keep      = flag.String("archive.keep", os.Getenv("POUCH_BENCH_ARCHIVE_KEEP"), "build the archive in this directory and keep it; reuse it if it exists (default $POUCH_BENCH_ARCHIVE_KEEP)")
)

// envInt reads a default from the environment, so that `make bench` can size the archive for
// this package without passing flags every other benchmark package would refuse.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// fixture is the archive shared by every benchmark of a run.
type fixture struct {
	dir          string
	store        *mailstore.Store
	importTime   time.Duration
	indexTime    time.Duration
	mboxBytes    int64
	ids          []int64
	err          error
	accountNames []string
}

var (
	once sync.Once
	fx   fixture
)

func setup(b *testing.B) *fixture {
	b.Helper()
	once.Do(func() {
		if *keep != "" {
			if fx.err = reuse(&fx, *keep); fx.err == nil || !os.IsNotExist(fx.err) {
				return
			}
		}
		fx.err = build(&fx, *nMessages)
	})
	if fx.err != nil {
		b.Fatal(fx.err)
	}
	return &fx
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if fx.store != nil {
		fx.store.Close()
	}
	if fx.dir != "" && *keep == "" {
		os.RemoveAll(fx.dir)
	}
	os.Exit(code)
}

// vocabulary: words with a Zipf-like frequency, some with accents.
func vocabulary(r *rand.Rand) []string {
	syll := []string{"ka", "lo", "mi", "ne", "ru", "ta", "ve", "so", "pi", "da", "qu", "ré", "çe", "fo", "zu", "ba", "té", "li", "mo", "ñu"}
	seen := map[string]bool{}
	var words []string
	for len(words) < 20_000 {
		n := 2 + r.IntN(3)
		var sb strings.Builder
		for range n {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		if w := sb.String(); !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// reuse opens an archive kept by an earlier run (-archive.keep); import and index rates are
// then unknown and reported as 0.
func reuse(f *fixture, dir string) error {
	path := filepath.Join(dir, "pouch.db")
	if _, err := os.Stat(path); err != nil {
		return err
	}
	s, err := mailstore.Open(context.Background(), path)
	if err != nil {
		return err
	}
	f.store, f.dir = s, dir
	return f.loadIDs()
}

func (f *fixture) loadIDs() error {
	ms, err := f.store.Messages(context.Background(), mailstore.Filter{})
	if err != nil {
		return err
	}
	for _, m := range ms {
		f.ids = append(f.ids, m.ID)
	}
	return nil
}

func build(f *fixture, n int) error {
	ctx := context.Background()
	dir := *keep
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "pouch-bench-archive-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f.dir = dir
	r := rand.New(rand.NewPCG(1, 2))
	words := vocabulary(r)
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(words)-1))
	word := func() string { return words[zipf.Uint64()] }
	text := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}

	// One mbox per account, imported as a user would.
	f.accountNames = []string{"home", "work"}
	s, err := mailstore.Open(ctx, filepath.Join(dir, "pouch.db"))
	if err != nil {
		return err
	}
	f.store = s
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for ai, name := range f.accountNames {
		a := &mailstore.Account{Name: name, Host: "pop.example.org", Port: 995, Security: mailstore.SecurityTLS,
			Username: name, KeepForever: true}
		if err := s.CreateAccount(ctx, a); err != nil {
			return err
		}
		path := filepath.Join(dir, name+".mbox")
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		var buf strings.Builder
		for i := ai; i < n; i += len(f.accountNames) {
			buf.Reset()
			date := start.Add(time.Duration(i) * (5 * 365 * 24 * time.Hour / time.Duration(n)))
			sender := fmt.Sprintf("%s %s <user%d@example%d.org>", word(), word(), r.IntN(500), r.IntN(20))
			fmt.Fprintf(&buf, "From: %s\nTo: %s@example.com\nSubject: %s\nDate: %s\nMessage-ID: <m%d@bench>\nMIME-Version: 1.0\n",
				sender, name, text(3+r.IntN(5)), date.Format(time.RFC1123Z), i)
			body := text(50 + r.IntN(150))
			if r.IntN(10) == 0 {
				fmt.Fprintf(&buf, "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n%s\n--b\n"+
					"Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"%s-%d.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n",
					body, word(), i)
			} else {
				fmt.Fprintf(&buf, "Content-Type: text/plain; charset=utf-8\n\n%s\n", body)
			}
			var mb strings.Builder
			raw := buf.String()
			mb.WriteString("From bench@example.org ")
			mb.WriteString(date.Format("Mon Jan _2 15:04:05 2006"))
			mb.WriteString("\n")
			mb.WriteString(raw)
			mb.WriteString("\n")
			if _, err := out.WriteString(mb.String()); err != nil {
				out.Close()
				return err
			}
		}
		st, _ := out.Stat()
		f.mboxBytes += st.Size()
		if err := out.Close(); err != nil {
			return err
		}
		t0 := time.Now()
		if _, err := s.Import(ctx, a.ID, mailstore.FormatMbox, path, time.Now(), nil); err != nil {
			return err
		}
		f.importTime += time.Since(t0)
		os.Remove(path)
	}
	t0 := time.Now()
	if _, err := s.IndexAll(ctx, nil); err != nil {
		return err
	}
	f.indexTime = time.Since(t0)
	return f.loadIDs()
}

// BenchmarkImport reports the mbox import rate measured while building the archive.
func BenchmarkImport(b *testing.B) {
	f := setup(b)
	for b.Loop() {
	}
	if f.importTime > 0 {
		b.ReportMetric(float64(len(f.ids))/f.importTime.Seconds(), "msgs/s")
		b.ReportMetric(float64(f.mboxBytes)/f.importTime.Seconds()/(1<<20), "MiB/s")
	}
}

// BenchmarkIndex reports the full-text indexing rate measured while building the archive.
func BenchmarkIndex(b *testing.B) {
	f := setup(b)
	for b.Loop() {
	}
	if f.indexTime > 0 {
		b.ReportMetric(float64(len(f.ids))/f.indexTime.Seconds(), "msgs/s")
	}
}

// BenchmarkSearch runs a mix of queries (typical of a search field: first 50 results) and
// reports the latency percentiles over all of them.
func BenchmarkSearch(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	// Pick real words from the archive: a common one, a rarer one and a sender.
	first, err := f.store.Message(ctx, f.ids[len(f.ids)/2])
	if err != nil {
		b.Fatal(err)
	}
	sw := strings.Fields(first.Subject)
	from, _, _ := strings.Cut(first.From, " ")
	queries := []string{
		sw[0],
		sw[len(sw)-1],
		`"` + sw[0] + " " + sw[1] + `"`,
		sw[0][:2] + "*",
		"from:" + from,
		"has:attachment " + sw[0],
		"after:2023-01-01 before:2023-07-01 " + sw[0],
		"account:work " + sw[1],
		"subject:" + sw[0] + " " + sw[1],
		"has:attachment",
		"zzzznotaword",
	}
	var lat []time.Duration
	per := make([][]time.Duration, len(queries))
	for b.Loop() {
		for i, qs := range queries {
			q, err := mailstore.ParseQuery(qs)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := f.store.Search(ctx, q, 50); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			lat = append(lat, d)
			per[i] = append(per[i], d)
		}
	}
	for i, qs := range queries {
		slices.Sort(per[i])
		b.Logf("%-50q median %v", qs, per[i][len(per[i])/2])
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(f.ids)), "messages")
}

func benchExport(b *testing.B, format mailstore.Format, n int) {
	f := setup(b)
	ids := f.ids[:min(n, len(f.ids))]
	ctx := context.Background()
	var total time.Duration
	runs := 0
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "out")
		t0 := time.Now()
		if _, err := f.store.Export(ctx, format, out, ids, nil); err != nil {
			b.Fatal(err)
		}
		total += time.Since(t0)
		runs++
		os.RemoveAll(out)
	}
	b.ReportMetric(float64(len(ids)*runs)/total.Seconds(), "msgs/s")
}

func BenchmarkExportMbox(b *testing.B)    { benchExport(b, mailstore.FormatMbox, 10**nExport) }
func BenchmarkExportMaildir(b *testing.B) { benchExport(b, mailstore.FormatMaildir, *nExport) }
func BenchmarkExportEML(b *testing.B)     { benchExport(b, mailstore.FormatEML, *nExport) }

// BenchmarkMoveMessages moves 10,000 selected messages (every tenth of the archive, as a
// selection spread over years would be) into a folder, one transaction per move, and reports
// the time per move; between moves they go to another folder, and back to the inbox at the end.
// BenchmarkFolderTree reads the folder tree with its counts.
func BenchmarkMoveMessages(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	var sel []int64
	for i := 0; i < len(f.ids) && len(sel) < 10_000; i += max(1, len(f.ids)/10_000) {
		sel = append(sel, f.ids[i])
	}
	for _, p := range []string{"Bench/A", "Bench/B"} {
		if _, err := f.store.CreateFolder(ctx, p, time.Now()); err != nil && !errors.Is(err, mailstore.ErrFolderExists) {
			b.Fatal(err)
		}
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		to := mailstore.Folder("Bench/A")
		if i%2 == 1 {
			to = "Bench/B"
		}
		i++
		t0 := time.Now()
		n, err := f.store.MoveMessages(ctx, sel, to)
		if err != nil || n != len(sel) {
			b.Fatalf("MoveMessages() = %d, %v; want %d", n, err, len(sel))
		}
		lat = append(lat, time.Since(t0))
	}
	if _, err := f.store.MoveMessages(ctx, sel, mailstore.FolderInbox); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	med := lat[len(lat)/2]
	b.ReportMetric(med.Seconds(), "move-10k-s")
	b.ReportMetric(float64(len(sel))/med.Seconds(), "moved-msgs/s")
	b.ReportMetric(float64(len(f.ids)), "messages")
}

func BenchmarkFolderTree(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := f.store.FolderTree(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "tree-p50-ms")
	b.ReportMetric(float64(len(f.ids)), "messages")
}

// benchRules are 20 rules of the kinds people write (a sender, subject words, attachments, an
// account, a date range, body words), built from words of the archive, with moves into five
// folders, marks and flags; none trashes, so the other benchmarks see the same archive.
func benchRules(b *testing.B, f *fixture) []mailstore.Rule {
	b.Helper()
	ctx := context.Background()
	for _, name := range []string{"Bills", "Lists/Go", "Lists/Rust", "Family", "Later"} {
		if ok, err := f.store.FolderExists(ctx, mailstore.Folder(name)); err != nil {
			b.Fatal(err)
		} else if !ok {
			if _, err := f.store.CreateFolder(ctx, name, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	}
	var rules []mailstore.Rule
	folders := []mailstore.Folder{"Bills", "Lists/Go", "Lists/Rust", "Family", "Later"}
	for i := range 20 {
		m, err := f.store.Message(ctx, f.ids[(i*7919)%len(f.ids)])
		if err != nil {
			b.Fatal(err)
		}
		sw := strings.Fields(m.Subject)
		from, _, _ := strings.Cut(m.From, " ")
		var q string
		switch i % 5 {
		case 0:
			q = "from:" + from
		case 1:
			q = "subject:" + sw[0] + " subject:" + sw[len(sw)-1]
		case 2:
			q = "has:attachment " + sw[0]
		case 3:
			q = "account:work body:" + sw[len(sw)-1]
		case 4:
			q = `"` + sw[0] + " " + sw[1] + `" after:2022-01-01`
		}
		r := mailstore.Rule{Name: fmt.Sprintf("rule %d", i), Query: q}
		switch i % 3 {
		case 0:
			r.MoveTo = folders[i%len(folders)]
		case 1:
			r.MarkRead = true
		case 2:
			r.Flag, r.Stop = true, i%2 == 0
		}
		rules = append(rules, r)
	}
	existing, err := f.store.Rules(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(existing) == 0 {
		for _, r := range rules {
			if _, err := f.store.AddRule(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
	}
	return rules
}

// BenchmarkRules20OverArchive runs 20 rules on demand over the whole archive (rule run). The
// first run moves, marks and flags what they match (first-run-s, changed); later runs find it
// done and write nothing (s/run is their mean).
func BenchmarkRules20OverArchive(b *testing.B) {
	f := setup(b)
	benchRules(b, f)
	ctx := context.Background()
	var first, rest time.Duration
	runs, changed := 0, 0
	for b.Loop() {
		t0 := time.Now()
		res, err := f.store.RunRules(ctx, mailstore.RunScope{}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if runs == 0 {
			first, changed = time.Since(t0), res.Changed
		} else {
			rest += time.Since(t0)
		}
		runs++
	}
	b.ReportMetric(first.Seconds(), "first-run-s")
	b.ReportMetric(float64(changed), "changed")
	if runs > 1 {
		b.ReportMetric(rest.Seconds()/float64(runs-1), "s/run")
	}
	b.ReportMetric(float64(len(f.ids)), "messages")
}

// BenchmarkRules20OnNewMail is the incoming path: 1,000 newly fetched messages (saved as a
// session does, then indexed, neither timed) go through the 20 rules over the 100,000-message
// archive with ApplyPendingRules; it reports the milliseconds per 1,000 new messages.
func BenchmarkRules20OnNewMail(b *testing.B) {
	f := setup(b)
	benchRules(b, f)
	ctx := context.Background()
	acct, err := f.store.AccountByName(ctx, "work")
	if err != nil {
		b.Fatal(err)
	}
	sample, err := f.store.Raw(ctx, f.ids[len(f.ids)/3])
	if err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	var total time.Duration
	runs, seq := 0, 0
	for b.Loop() {
		b.StopTimer()
		items := make([]mailstore.BatchItem, batch)
		for i := range items {
			seq++
			// A Message-ID of its own keeps each message new to the archive and to threading.
			raw := bytes.Replace(sample, []byte("Message-ID: <"), fmt.Appendf(nil, "Message-ID: <new%d-%d.", time.Now().UnixNano(), seq), 1)
			items[i] = mailstore.BatchItem{UIDL: fmt.Sprintf("bench-new-%d-%d", time.Now().UnixNano(), seq), Data: raw}
		}
		if _, err := f.store.NewSaver(acct.ID).Save(ctx, items, time.Now()); err != nil {
			b.Fatal(err)
		}
		if _, err := f.store.IndexAll(ctx, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		res, err := f.store.ApplyPendingRules(ctx, time.Now())
		if err != nil || res.Examined != batch {
			b.Fatalf("ApplyPendingRules = %+v, %v; want %d examined", res, err, batch)
		}
		total += time.Since(t0)
		runs++
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(runs), "ms/1000msgs")
}

// BenchmarkRulePreview is the rule editor's "N existing messages match": CountMatches for
// each of the 20 conditions; it reports the latency percentiles.
func BenchmarkRulePreview(b *testing.B) {
	f := setup(b)
	rules := benchRules(b, f)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		for _, r := range rules {
			q, err := mailstore.ParseQuery(r.Query)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := f.store.CountMatches(ctx, q); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*95/100)].Microseconds())/1000, "p95-ms")
}

// BenchmarkThreads is the conversation view: the 200 most recently active conversations of
// the archive, with their counts.
func BenchmarkThreads(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := f.store.Threads(ctx, mailstore.Filter{Limit: 200}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
