package account_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/account"
)

func TestParseAuthMethod(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"auto", "", true},
		{" Auto ", "", true},
		{"scram-sha-256", "SCRAM-SHA-256", true},
		{"SCRAM-SHA-1", "SCRAM-SHA-1", true},
		{"cram-md5", "CRAM-MD5", true},
		{"apop", "APOP", true},
		{"Plain", "PLAIN", true},
		{"login", "LOGIN", true},
		{"user", "USER", true},
		{"xoauth2", "XOAUTH2", true},
		{"oauthbearer", "OAUTHBEARER", true},
		{"gssapi", "", false},
		{"digest-md5", "", false},
		{"PLAIN LOGIN", "", false},
	}
	for _, tt := range tests {
		got, err := account.ParseAuthMethod(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAuthMethod(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		var fe *account.FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Field != "auth") {
			t.Errorf("ParseAuthMethod(%q) error = %v, want a FieldError for auth", tt.in, err)
		}
	}
}

func TestParseFingerprint(t *testing.T) {
	const hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	colons := func(s string) string {
		var parts []string
		for i := 0; i < len(s); i += 2 {
			parts = append(parts, s[i:i+2])
		}
		return strings.Join(parts, ":")
	}
	tests := []struct {
		in, want string
		ok       bool
	}{
		{hex, hex, true},
		{strings.ToUpper(hex), hex, true},
		{colons(strings.ToUpper(hex)), hex, true},
		{" " + colons(hex) + "\n", hex, true},
		{hex[:63], "", false},
		{hex + "0", "", false},
		{"g" + hex[1:], "", false},
		{"", "", false},
		{"sha256:" + hex, "", false},
	}
	for _, tt := range tests {
		got, err := account.ParseFingerprint(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseFingerprint(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestValidateAuthAndFingerprint(t *testing.T) {
	const hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		name, auth, pin string
		field           string // "" = valid
	}{
		{"defaults", "", "", ""},
		{"scram", "SCRAM-SHA-256", "", ""},
		{"pinned", "", hex, ""},
		{"unknown mechanism", "NTLM", "", "auth"},
		{"not canonical", "plain", "", "auth"},
		{"short pin", "", hex[:10], "tls-fingerprint"},
		{"upper-case pin", "", strings.ToUpper(hex), "tls-fingerprint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account.New("home", "pop.example.com", "alice")
			a.AuthMethod, a.PinnedCertSHA256 = tt.auth, tt.pin
			err := account.Validate(a)
			if tt.field == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			var fe *account.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("Validate() = %v, want a FieldError for %s", err, tt.field)
			}
		})
	}
}
