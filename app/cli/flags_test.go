package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgsAcceptsFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		raw  bool
	}{
		{[]string{"12", "--raw"}, []string{"12"}, true},
		{[]string{"--raw", "12"}, []string{"12"}, true},
		{[]string{"12"}, []string{"12"}, false},
		{[]string{"a", "-raw", "b"}, []string{"a", "b"}, true},
		{[]string{"--", "--raw"}, []string{"--raw"}, false},
		{[]string{"x", "--", "-y", "--raw"}, []string{"x", "-y", "--raw"}, false},
		{[]string{}, nil, false},
	} {
		g := &globals{}
		fs := newFlagSet("show", g)
		raw := fs.Bool("raw", false, "")
		pos, err := parseArgs(fs, tc.args)
		if err != nil {
			t.Errorf("parseArgs(%q): %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(pos, tc.pos) || *raw != tc.raw {
			t.Errorf("parseArgs(%q) = %q raw=%v, want %q raw=%v", tc.args, pos, *raw, tc.pos, tc.raw)
		}
	}
}

func TestParseArgsDataDirAfterCommand(t *testing.T) {
	g := &globals{}
	fs := newFlagSet("list", g)
	if _, err := parseArgs(fs, []string{"--data-dir", "/tmp/x"}); err != nil || g.dataDir != "/tmp/x" {
		t.Errorf("--data-dir after the command: %q, %v", g.dataDir, err)
	}
}

func TestParseArgsUnknownFlag(t *testing.T) {
	fs := newFlagSet("list", &globals{})
	_, err := parseArgs(fs, []string{"--bogus"})
	var ue *UsageError
	if !errors.As(err, &ue) {
		t.Errorf("unknown flag: %v, want a *UsageError", err)
	}
}

func TestReadSecret(t *testing.T) {
	for in, want := range map[string]string{"pw\n": "pw", "pw\r\n": "pw", "pw": "pw", "sp ace \n": "sp ace ", "a\nb\n": "a"} {
		got, err := readSecret(strings.NewReader(in))
		if err != nil || got != want {
			t.Errorf("readSecret(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "\n"} {
		if _, err := readSecret(strings.NewReader(in)); err == nil {
			t.Errorf("readSecret(%q) accepted an empty password", in)
		}
	}
}
