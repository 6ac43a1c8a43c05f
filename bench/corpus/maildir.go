package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
)

// WriteMaildir writes messages 0..n-1 of gen into maildir/cur, named so that they sort (and
// Dovecot numbers them) by index, owned by the owner of maildir itself (Dovecot's mail user when
// running as root). It must run while no POP3 session is open on the mailbox. It returns the
// total bytes written. Writing the files directly is much faster than a delivery per message.
func WriteMaildir(ctx context.Context, maildir string, n, workers int, gen func(i int) []byte) (int64, error) {
	fi, err := os.Stat(maildir)
	if err != nil {
		return 0, fmt.Errorf("corpus: %w", err)
	}
	uid, gid := -1, -1
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		uid, gid = int(st.Uid), int(st.Gid)
	}
	cur := filepath.Join(maildir, "cur")
	if err := os.MkdirAll(cur, 0o700); err != nil {
		return 0, fmt.Errorf("corpus: %w", err)
	}
	var (
		next  atomic.Int64
		total atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	workers = max(workers, 1)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				raw := gen(i)
				p := filepath.Join(cur, FileName(i))
				err := os.WriteFile(p, raw, 0o600)
				if err == nil && uid >= 0 {
					err = os.Chown(p, uid, gid)
				}
				if err != nil {
					once.Do(func() { first = fmt.Errorf("corpus: %w", err) })
					next.Store(int64(n))
					return
				}
				total.Add(int64(len(raw)))
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return total.Load(), first
	}
	return total.Load(), ctx.Err()
}

// FileName is the Maildir file name of message i: Dovecot orders files by the seconds, then the
// microseconds field, so the index goes into both.
func FileName(i int) string {
	return fmt.Sprintf("%d.M%06dP1.bench%08d:2,", 1_700_000_000+i/1_000_000, i%1_000_000, i)
}
