package procmem

import (
	"os"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	const status = "Name:\tpouch\nVmHWM:\t  190000 kB\nVmRSS:\t  186108 kB\nRssAnon:\t   78064 kB\n"
	tests := []struct {
		field   string
		want    float64
		wantErr bool
	}{
		{"VmRSS", 186108.0 / 1024, false},
		{"VmHWM", 190000.0 / 1024, false},
		{"RssAnon", 78064.0 / 1024, false},
		{"Vm", 0, true},      // a prefix of a field is not the field
		{"RssFile", 0, true}, // absent
	}
	for _, tt := range tests {
		got, err := parse(status, tt.field)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parse(%q) = %v, %v; want %v (error %v)", tt.field, got, err, tt.want, tt.wantErr)
		}
	}
	if _, err := parse("VmRSS:\tlots kB\n", "VmRSS"); err == nil {
		t.Error("a malformed number parsed")
	}
}

func TestSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	rss, err := Settle(0, 300*time.Millisecond, 5*time.Second)
	if err != nil || rss <= 0 {
		t.Fatalf("Settle(self) = %v, %v", rss, err)
	}
}
