package mailstore_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzSave feeds arbitrary bytes to SaveMessage: every input is stored byte for byte, with
// header fields in valid UTF-8.
func FuzzSave(f *testing.F) {
	for _, file := range fixtures(f) {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	s := openTest(f)
	ctx := context.Background()
	a := testAccount("fuzz")
	if err := s.CreateAccount(ctx, a); err != nil {
		f.Fatal(err)
	}
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, raw []byte) {
		uidl := "f" + strconv.FormatInt(n.Add(1), 10)
		m, err := s.SaveMessage(ctx, a.ID, uidl, raw, time.Unix(1700000000, 0))
		if err != nil {
			t.Fatalf("SaveMessage() = %v, want nil", err)
		}
		for _, v := range []string{m.From, m.To, m.Cc, m.Subject, m.MessageID} {
			if !utf8.ValidString(v) {
				t.Errorf("header field not valid UTF-8: %q", v)
			}
		}
		got, err := s.Raw(ctx, m.ID)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("Raw() = %d bytes, %v; want the %d bytes saved", len(got), err, len(raw))
		}
	})
}
