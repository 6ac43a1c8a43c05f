package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/compose"
	"github.com/pouchmail/pouch/app/engine"
	"github.com/pouchmail/pouch/app/secrets"
)

// TestMailtoOpensWindow: `pouch [--data-dir D] mailto:URL` opens the window on the archive in D
// with the parsed draft; no URL opens it without one; a bad URL is a usage mistake and opens
// nothing.
func TestMailtoOpensWindow(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{"HOME": home, "LOCALAPPDATA": filepath.Join(home, "Local"), "APPDATA": filepath.Join(home, "Roaming"),
		"XDG_DATA_HOME": filepath.Join(home, "share")}
	data := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args         []string
		code         int
		opened       bool
		to, subject  string
		body, stderr string
		wantDraft    bool
	}{
		{args: []string{"--data-dir", data, "mailto:ann@example.org,bob@example.net?subject=Hi%20there&body=a%0D%0Ab&from=evil@example.com"},
			opened: true, wantDraft: true, to: "<ann@example.org>, <bob@example.net>", subject: "Hi there", body: "a\nb"},
		{args: []string{"--data-dir", data, "MAILTO:?cc=c@example.com"}, opened: true, wantDraft: true},
		{args: []string{"--data-dir", data}, opened: true},
		{args: []string{"--data-dir", data, "mailto:not-an-address"}, code: ExitUsage, stderr: "not an email address"},
		{args: []string{"--data-dir", data, "mailto:ann@example.org", "extra"}, code: ExitUsage, stderr: "one URL"},
	} {
		var got *compose.Message
		var opened bool
		var out, errb bytes.Buffer
		code := Main(context.Background(), Env{Args: tc.args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string { return env[k] }, Secrets: secrets.NewMemory(),
			OpenWindow: func(ctx context.Context, e *engine.Engine, draft *compose.Message) error {
				opened, got = true, draft
				return nil
			}})
		if code != tc.code || opened != tc.opened || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("pouch %q: exit %d, opened %v, stderr %q; want %d, %v, %q", tc.args, code, opened, errb.String(), tc.code, tc.opened, tc.stderr)
			continue
		}
		if _, err := os.Stat(filepath.Join(data, DBFileName)); opened && err != nil {
			t.Errorf("pouch %q: no archive in --data-dir: %v", tc.args, err)
		}
		if (got != nil) != tc.wantDraft {
			t.Errorf("pouch %q: draft %+v", tc.args, got)
			continue
		}
		if got == nil || tc.to == "" {
			continue
		}
		var to []string
		for _, a := range got.To {
			to = append(to, a.String())
		}
		if strings.Join(to, ", ") != tc.to || got.Subject != tc.subject || got.Text != tc.body || got.From != nil {
			t.Errorf("pouch %q: draft to %q subject %q body %q from %v", tc.args, to, got.Subject, got.Text, got.From)
		}
	}
}
