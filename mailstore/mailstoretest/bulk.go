// Package mailstoretest builds archives for tests and benchmarks.
package mailstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pouchmail/pouch/mailstore"
)

// BulkAccount is the account Bulk files its messages under.
const BulkAccount = "Big"

// Bulk makes an archive at path with one account (BulkAccount) and n small messages in its
// inbox, dated ten minutes apart from 2020-01-01: message i has the subject "Message number i
// about something", is from "Sender i%500", and every seventh has an attachment mark. Rows go
// in with one SQL transaction (saving them one durable commit at a time would take minutes and
// measure nothing a test wants); none is indexed for search yet.
func Bulk(ctx context.Context, path string, n int) error {
	store, err := mailstore.Open(ctx, path)
	if err != nil {
		return err
	}
	a := &mailstore.Account{Name: BulkAccount, Host: "pop.example.com", Port: 995, Security: mailstore.SecurityTLS,
		Username: "u", LeaveDays: 14, Interval: 10 * time.Minute}
	err = store.CreateAccount(ctx, a)
	store.Close()
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO messages (account_id, account_name, uidl, raw, sha256, size, date,
		received, from_addr, to_addr, subject, message_id, has_attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := range n {
		raw := fmt.Sprintf("Subject: message %d\r\n\r\nbody %d\r\n", i, i)
		if _, err := stmt.ExecContext(ctx, a.ID, BulkAccount, fmt.Sprintf("u%d", i), raw, fmt.Sprintf("%064x", i), len(raw),
			base+int64(i)*600, base+int64(i)*600, fmt.Sprintf("Sender %d <s%d@example.org>", i%500, i%500),
			"me@example.org", fmt.Sprintf("Message number %d about something", i), fmt.Sprintf("m%d@example.org", i),
			i%7 == 0); err != nil {
			return err
		}
	}
	return tx.Commit()
}
