package e2e

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pouchmail/pouch/app/autoconfig/autoconfigtest"
	"github.com/pouchmail/pouch/pop3/pop3test"
)

const setupConfig = `<clientConfig version="1.1"><emailProvider id="%s">
<incomingServer type="pop3"><hostname>localhost</hostname><port>%s</port><socketType>SSL</socketType><username>%%EMAILLOCALPART%%</username></incomingServer>
</emailProvider></clientConfig>`

// TestAccountAddByEmail: `account add --email` finds the settings from each network source —
// RFC 6186 SRV records on a local DNS server, the ISPDB, and the provider's autoconfig file over
// HTTPS — tests the login on the real Dovecot, saves, and the account fetches.
func TestAccountAddByEmail(t *testing.T) {
	d := pop3test.NewDovecot(t, nil)
	if err := d.Deliver("alice", "hello", []byte("Subject: hello\n\nfound you\n")); err != nil {
		t.Fatal(err)
	}
	_, tlsPort, _ := net.SplitHostPort(d.TLSAddr)
	// The provider's autoconfig host: HTTPS on port 443 of a loopback address of its own.
	cert, certPEM := pop3test.NewTLSCert("autoconfig.auto.test")
	ln, err := net.Listen("tcp", "127.0.0.88:443")
	if err != nil {
		t.Fatalf("autoconfig needs port 443 on 127.0.0.88 (run as root, as make test does): %v", err)
	}
	site := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "autoconfig.auto.test" || r.URL.Path != "/mail/config-v1.1.xml" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, setupConfig, "auto.test", tlsPort)
	}))
	site.Listener.Close()
	site.Listener = ln
	site.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	site.StartTLS()
	t.Cleanup(site.Close)
	ispdb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/isp.test" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, setupConfig, "isp.test", tlsPort)
	}))
	t.Cleanup(ispdb.Close)
	zone := autoconfigtest.NewZone(t,
		"autoconfig.auto.test. 60 IN A 127.0.0.88",
		"_pop3s._tcp.srv.test. 60 IN SRV 0 1 "+tlsPort+" localhost.",
	)
	caFile := filepath.Join(t.TempDir(), "autoconfig.pem")
	if err := os.WriteFile(caFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}

	c := newCLI(t)
	c.env = append(c.env, "POUCH_DNS_SERVER="+zone.Addr, "POUCH_ISPDB_URL="+ispdb.URL+"/", "SSL_CERT_FILE="+caFile)
	for _, tc := range []struct {
		email, source string
		flags         []string
	}{
		// SRV records carry no user name: the address is proposed, and --user overrides it.
		{"alice@srv.test", "srv", []string{"--user", "alice"}},
		{"alice@isp.test", "ispdb", nil},
		{"alice@auto.test", "autoconfig", nil},
	} {
		t.Run(tc.source, func(t *testing.T) {
			found := decode[struct {
				Source string `json:"source"`
				POP3   struct {
					Host     string `json:"host"`
					Port     int    `json:"port"`
					Security string `json:"security"`
					User     string `json:"user"`
				} `json:"pop3"`
			}](t, c.ok("", "account", "discover", tc.email, "--json"))
			if found.Source != tc.source || found.POP3.Host != "localhost" || fmt.Sprint(found.POP3.Port) != tlsPort ||
				found.POP3.Security != "tls" || !strings.HasPrefix(tc.email, found.POP3.User) {
				t.Fatalf("discover %s = %+v, want %s pointing at Dovecot", tc.email, found, tc.source)
			}
			out := c.ok("secret-pw\n", append([]string{"account", "add", "--email", tc.email, "--password-stdin",
				"--ca-file", d.CertFile, "--keep-forever"}, tc.flags...)...)
			if !strings.Contains(out, "by "+tc.source) {
				t.Errorf("account add --email said %q, want the source named", out)
			}
			res := decode[[]fetched](t, c.ok("", "fetch", "--account", tc.email, "--json"))
			if len(res) != 1 || !res[0].OK || res[0].OnServer != 1 {
				t.Errorf("fetch of the discovered account = %+v", res)
			}
		})
	}
	// A wrong password is caught by the login test: nothing is saved.
	r := c.run("wrong\n", "account", "add", "--email", "alice@isp.test", "--name", "bad", "--password-stdin", "--ca-file", d.CertFile)
	if r.code != 77 || !strings.Contains(r.stderr, "nothing was saved") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("add with a wrong password: exit %d, stderr %q; want one line and exit 77", r.code, r.stderr)
	}
	if strings.Contains(c.ok("", "account", "list"), "bad") {
		t.Errorf("an account whose login failed was saved")
	}
	// The provider table needs no network: Gmail, with its OAuth2 provider.
	gm := decode[struct {
		Source string `json:"source"`
		OAuth  string `json:"oauth"`
		POP3   struct {
			Host string `json:"host"`
			Port int    `json:"port"`
		} `json:"pop3"`
	}](t, c.ok("", "account", "discover", "ann@gmail.com", "--json"))
	if gm.Source != "provider table" || gm.OAuth != "google" || gm.POP3.Host != "pop.gmail.com" || gm.POP3.Port != 995 {
		t.Errorf("discover ann@gmail.com = %+v, want Gmail from the provider table", gm)
	}
	// Nothing to find: one line naming what to do.
	r = c.run("", "account", "discover", "bob@nowhere.test")
	if r.code != 1 || !strings.Contains(r.stderr, "--host") {
		t.Errorf("discover of an unknown domain: exit %d, stderr %q", r.code, r.stderr)
	}
}
