package format

import (
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KB"}, {10 * 1024, "10 KB"},
		{3*1<<20 + 1<<19, "3.5 MB"}, {5 << 30, "5.0 GB"},
	} {
		if got := Bytes(tc.n); got != tc.want {
			t.Errorf("Bytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestMessageDate(t *testing.T) {
	d := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := d.Add(time.Hour)
	if got := MessageDate(d, r); !got.Equal(d) {
		t.Errorf("with a date: %v", got)
	}
	if got := MessageDate(time.Time{}, r); !got.Equal(r) {
		t.Errorf("without a date: %v, want the received time", got)
	}
}
