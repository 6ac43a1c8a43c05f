package account

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pouchmail/pouch/mailstore"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

// TestNewKeepsMailOnTheServer: a new account leaves its mail on the server unless the user
// chooses otherwise; the days proposed for "delete after a while" are still there.
func TestNewKeepsMailOnTheServer(t *testing.T) {
	a := New("home", "pop.example.com", "alice")
	if !a.KeepForever || a.LeaveDays != DefaultLeaveDays {
		t.Errorf("New() keeps forever %v, leave-days %d; want keep forever, %d days proposed", a.KeepForever, a.LeaveDays, DefaultLeaveDays)
	}
}

func TestValidate(t *testing.T) {
	_, certPEM := pop3test.NewTLSCert("localhost")
	for _, tc := range []struct {
		name  string
		edit  func(a *mailstore.Account)
		field string // "" = valid
	}{
		{"defaults", func(a *mailstore.Account) {}, ""},
		{"keep forever ignores days", func(a *mailstore.Account) { a.KeepForever, a.LeaveDays = true, -5 }, ""},
		{"zero days", func(a *mailstore.Account) { a.KeepForever, a.LeaveDays = false, 0 }, ""},
		{"ipv6 host", func(a *mailstore.Account) { a.Host = "::1" }, ""},
		{"ca pem", func(a *mailstore.Account) { a.CACertPEM = certPEM }, ""},
		{"empty name", func(a *mailstore.Account) { a.Name = " " }, "name"},
		{"long name", func(a *mailstore.Account) { a.Name = strings.Repeat("x", 65) }, "name"},
		{"control in name", func(a *mailstore.Account) { a.Name = "a\tb" }, "name"},
		{"empty host", func(a *mailstore.Account) { a.Host = "" }, "host"},
		{"url host", func(a *mailstore.Account) { a.Host = "pop3://example.com" }, "host"},
		{"space in host", func(a *mailstore.Account) { a.Host = "pop example.com" }, "host"},
		{"port 0", func(a *mailstore.Account) { a.Port = 0 }, "port"},
		{"port too big", func(a *mailstore.Account) { a.Port = 65536 }, "port"},
		{"bad security", func(a *mailstore.Account) { a.Security = "ssl" }, "security"},
		{"empty user", func(a *mailstore.Account) { a.Username = "" }, "user"},
		{"crlf user", func(a *mailstore.Account) { a.Username = "bob\r\nDELE 1" }, "user"},
		{"negative days", func(a *mailstore.Account) { a.KeepForever, a.LeaveDays = false, -1 }, "leave-days"},
		{"too many days", func(a *mailstore.Account) { a.KeepForever, a.LeaveDays = false, MaxLeaveDays+1 }, "leave-days"},
		{"interval too short", func(a *mailstore.Account) { a.Interval = 10 * time.Second }, "interval"},
		{"interval too long", func(a *mailstore.Account) { a.Interval = 8 * 24 * time.Hour }, "interval"},
		{"bad pem", func(a *mailstore.Account) { a.CACertPEM = []byte("not a certificate") }, "ca-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New("home", "pop.example.com", "alice")
			tc.edit(a)
			err := Validate(a)
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.field != "" && !errors.As(err, &fe):
				t.Errorf("Validate() = %v, want a *FieldError for %s", err, tc.field)
			case tc.field != "" && fe.Field != tc.field:
				t.Errorf("Validate() field = %s (%v), want %s", fe.Field, err, tc.field)
			}
		})
	}
}

func TestParseSecurityAndPorts(t *testing.T) {
	for in, want := range map[string]mailstore.Security{
		"tls": mailstore.SecurityTLS, "TLS": mailstore.SecurityTLS, "": mailstore.SecurityTLS,
		"starttls": mailstore.SecurityStartTLS, "stls": mailstore.SecurityStartTLS,
		"none": mailstore.SecurityNone, "plain": mailstore.SecurityNone,
	} {
		if got, err := ParseSecurity(in); err != nil || got != want {
			t.Errorf("ParseSecurity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSecurity("ssl3"); err == nil {
		t.Error("ParseSecurity(ssl3) accepted")
	}
	if DefaultPort(mailstore.SecurityTLS) != 995 || DefaultPort(mailstore.SecurityStartTLS) != 110 || DefaultPort(mailstore.SecurityNone) != 110 {
		t.Error("default ports are not 995 for TLS and 110 otherwise")
	}
}

// FuzzValidate: whatever Validate accepts is in range, with no control
// character in a name or host and none in the user name (it goes into USER and
// AUTH commands); what it refuses is a *FieldError naming the setting.
func FuzzValidate(f *testing.F) {
	f.Add("home", "pop.example.com", "alice", 995, 14, false, int64(600))
	f.Add("", "", "", 0, -1, false, int64(0))
	f.Add("home", "h", "u", 65535, MaxLeaveDays, false, int64(MaxInterval/time.Second))
	f.Add("home", "h", "u", 1, -5, true, int64(MinInterval/time.Second))
	// One setting just out of range each.
	f.Add(strings.Repeat("n", 65), "h", "u", 995, 14, false, int64(600))
	f.Add("home", "h\x7f", "u", 995, 14, false, int64(600))
	f.Add("home", "h", "u", 65536, 14, false, int64(600))
	f.Add("home", "h", "u\r\nDELE 1", 995, 14, false, int64(600))
	f.Add("home", "h", "u", 995, MaxLeaveDays+1, false, int64(600))
	f.Add("home", "h", "u", 995, 14, false, int64(MinInterval/time.Second)-1)
	f.Add("home", "h", "u", 995, 14, false, int64(MaxInterval/time.Second)+1)
	f.Fuzz(func(t *testing.T, name, host, user string, port, days int, forever bool, interval int64) {
		a := New(name, host, user)
		a.Port, a.LeaveDays, a.KeepForever, a.Interval = port, days, forever, time.Duration(interval)*time.Second
		err := Validate(a)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !slices.Contains([]string{"name", "host", "port", "user", "leave-days", "interval"}, fe.Field) {
				t.Errorf("Validate(%+v) = %v, want a *FieldError for one of the settings", a, err)
			}
			return
		}
		ctl := func(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }
		switch {
		case strings.TrimSpace(name) == "" || len(name) > 64 || ctl(name):
			t.Errorf("accepted name %q", name)
		case host == "" || len(host) > 253 || strings.ContainsFunc(host, unicode.IsSpace) || ctl(host):
			t.Errorf("accepted host %q", host)
		case port < 1 || port > 65535:
			t.Errorf("accepted port %d", port)
		case user == "" || len(user) > 255 || ctl(user):
			t.Errorf("accepted user %q", user)
		case !forever && (days < 0 || days > MaxLeaveDays):
			t.Errorf("accepted leave-days %d", days)
		case a.Interval < MinInterval || a.Interval > MaxInterval:
			t.Errorf("accepted interval %v", a.Interval)
		}
	})
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "2048": 2048, "10M": 10 << 20, "10m": 10 << 20, "512K": 512 << 10,
		"512KB": 512 << 10, "512KiB": 512 << 10, "1G": 1 << 30, " 3 MiB ": 3 << 20, "1MB": 1 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "M", "-1", "1.5M", "2G", "10X", "ten"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestValidateSizeLimit(t *testing.T) {
	a := New("a", "pop.example.org", "u")
	for _, n := range []int64{-1, MaxSizeLimit + 1} {
		a.SizeLimit = n
		var fe *FieldError
		if err := Validate(a); !errors.As(err, &fe) || fe.Field != "size-limit" {
			t.Errorf("size limit %d: %v", n, err)
		}
	}
	a.SizeLimit = 10 << 20
	if err := Validate(a); err != nil {
		t.Errorf("10M: %v", err)
	}
}
