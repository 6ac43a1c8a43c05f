package pop3test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Timeouts of a private Dovecot's life cycle.
const (
	// DovecotStartTimeout bounds the wait until both ports answer "+OK".
	DovecotStartTimeout = 10 * time.Second
	// DovecotStopTimeout bounds the wait for the master process to exit
	// after SIGTERM; after it, the master is killed.
	DovecotStopTimeout = 10 * time.Second
)

// DovecotInstallHint says how to get the dovecot binary.
const DovecotInstallHint = "install Dovecot's POP3 server: apt-get install dovecot-pop3d (Debian/Ubuntu), dnf install dovecot (Fedora), brew install dovecot (macOS)"

// ErrDovecotNotFound is returned (wrapped) by StartDovecot when no dovecot
// binary can be found.
var ErrDovecotNotFound = errors.New("pop3test: dovecot binary not found")

// DovecotOptions configures a private Dovecot. A nil *DovecotOptions means
// the defaults.
type DovecotOptions struct {
	// Users are the mail accounts; default: one user "alice" with the
	// password "secret-pw".
	Users []DovecotUser
	// Binary is the path of the dovecot binary; default: "dovecot" in PATH,
	// then /usr/sbin/dovecot and /usr/local/sbin/dovecot.
	Binary string
	// OAuth2IntrospectionURL, if set, makes Dovecot offer XOAUTH2 and OAUTHBEARER and check
	// each bearer token with this RFC 7662 introspection endpoint (POST token=...; the reply's
	// "active" must be true and its "username" the user logging in). Other mechanisms keep
	// using the users' passwords.
	OAuth2IntrospectionURL string
	// Required makes NewDovecot fail the test, instead of skipping it, when
	// there is no dovecot binary: the test suite's policy, so that a missing
	// server cannot silently turn its tests into skips.
	Required bool
}

// DovecotUser is a mail account of a private Dovecot. Name and Password
// must not contain ':' or control characters.
type DovecotUser struct {
	Name, Password string
	// UIDLFormat is the user's pop3_uidl_format, "" for the server's default. "%u" (the IMAP
	// UID) makes UIDLs that a mailbox rebuild (RebuildIndex) hands out again from 1.
	UIDLFormat string
}

// Dovecot is a running private Dovecot POP3 server whose configuration,
// state, log, certificate and mailboxes all live under Dir.
type Dovecot struct {
	Dir       string // base directory holding everything of this instance
	PlainAddr string // 127.0.0.1:port, plain POP3 with STLS available
	TLSAddr   string // 127.0.0.1:port, implicit TLS (POP3S)
	CertPEM   []byte // the server's self-signed certificate (NewTLSCert's default names)
	CertFile  string // path of CertPEM on disk
	Users     []DovecotUser

	conf       string
	logFile    string
	introspect string // OAuth2 introspection endpoint; "" = no OAuth2
	mailUID    int
	mailGID    int
	chown      bool // running as root: mail files must belong to the mail uid

	cmd      *exec.Cmd
	done     chan struct{} // closed when the master process has exited
	stderr   *dovecotBuffer
	stopOnce sync.Once
	stopErr  error
	seq      atomic.Uint64
}

// dovecotBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type dovecotBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *dovecotBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *dovecotBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dovecotIdentity holds the system users Dovecot's processes run as.
type dovecotIdentity struct {
	loginUser     string // default_login_user
	internalUser  string // default_internal_user
	internalGroup string // default_internal_group
	mailUID       int
	mailGID       int
	root          bool
}

// NewDovecot starts a private Dovecot in a temporary directory of t and
// stops it when the test ends. Without a dovecot binary the test is
// skipped, or fails when opts.Required is set.
func NewDovecot(t testing.TB, opts *DovecotOptions) *Dovecot {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// t.TempDir and its parent are 0700; Dovecot's unprivileged
		// processes and the mail user must be able to traverse them.
		for _, p := range []string{filepath.Dir(dir), dir} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatalf("pop3test: %v", err)
			}
		}
	}
	d, err := StartDovecot(dir, opts)
	if errors.Is(err, ErrDovecotNotFound) {
		if opts != nil && opts.Required {
			t.Fatalf("%v (required by the test suite); %s", err, DovecotInstallHint)
			return nil
		}
		t.Skipf("%v; %s", err, DovecotInstallHint)
		return nil
	}
	if err != nil {
		t.Fatal(err)
		return nil
	}
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("%v\ndovecot log:\n%s", err, d.Log())
			return
		}
		if t.Failed() {
			t.Logf("dovecot log:\n%s", d.Log())
		}
	})
	return d
}

// StartDovecot starts a private Dovecot with everything under dir (created
// if missing) and returns once both ports answer "+OK". The caller must call
// Stop. When running as root, dir and its parents must be traversable by
// unprivileged users (mode 0755 or o+x), as Dovecot's login, internal and
// mail processes run as unprivileged users.
func StartDovecot(dir string, opts *DovecotOptions) (*Dovecot, error) {
	if opts == nil {
		opts = &DovecotOptions{}
	}
	bin, err := findDovecot(opts.Binary)
	if err != nil {
		return nil, err
	}
	users := opts.Users
	if len(users) == 0 {
		users = []DovecotUser{{Name: "alice", Password: "secret-pw"}}
	}
	seen := make(map[string]bool)
	for _, u := range users {
		if !dovecotNameRE.MatchString(u.Name) {
			return nil, fmt.Errorf("pop3test: dovecot user name %q: want letters, digits and . _ @ + -", u.Name)
		}
		if seen[u.Name] {
			return nil, fmt.Errorf("pop3test: dovecot user %q listed twice", u.Name)
		}
		seen[u.Name] = true
		if u.Password == "" || strings.ContainsAny(u.Password, ":\r\n\x00") {
			return nil, fmt.Errorf("pop3test: password of dovecot user %q: must be non-empty without ':' or line breaks", u.Name)
		}
	}

	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pop3test: %w", err)
	}
	if strings.ContainsAny(dir, " \t\r\n\"'#{}<>\\$") {
		return nil, fmt.Errorf("pop3test: dovecot dir %q: spaces, quotes and # { } < > \\ $ are not supported in the path", dir)
	}
	id, err := dovecotIdentityFor()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pop3test: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pop3test: %w", err)
	}
	if id.root {
		if err := dovecotCheckTraversable(dir); err != nil {
			return nil, err
		}
	}

	if u := opts.OAuth2IntrospectionURL; strings.ContainsAny(u, " \t\r\n") {
		return nil, fmt.Errorf("pop3test: introspection URL %q: no spaces or line breaks", u)
	}
	d := &Dovecot{
		introspect: opts.OAuth2IntrospectionURL,
		Dir:        dir,
		Users:      append([]DovecotUser(nil), users...),
		conf:       filepath.Join(dir, "dovecot.conf"),
		logFile:    filepath.Join(dir, "dovecot.log"),
		CertFile:   filepath.Join(dir, "cert.pem"),
		mailUID:    id.mailUID,
		mailGID:    id.mailGID,
		chown:      id.root,
	}
	if err := d.prepare(id); err != nil {
		return nil, err
	}

	// Free ports are found by listening on :0 and closing; another process
	// may take one in between, so retry a few times on "address in use".
	for attempt := 0; ; attempt++ {
		err := d.start(bin, id)
		if err == nil {
			return d, nil
		}
		addrInUse := strings.Contains(d.Log(), "Address already in use")
		_ = d.Stop()
		if !addrInUse || attempt == 2 {
			return nil, err
		}
		d.stopOnce = sync.Once{}
		d.stopErr = nil
		_ = os.Remove(d.logFile)
	}
}

var dovecotNameRE = regexp.MustCompile(`^[A-Za-z0-9._@+-]+$`)

func findDovecot(bin string) (string, error) {
	if bin != "" {
		if fi, err := os.Stat(bin); err != nil || fi.IsDir() {
			return "", fmt.Errorf("%w at %s", ErrDovecotNotFound, bin)
		}
		return bin, nil
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w in PATH, /usr/sbin or /usr/local/sbin", ErrDovecotNotFound)
}

func dovecotIdentityFor() (dovecotIdentity, error) {
	if os.Geteuid() != 0 {
		// Rootless: every process runs as the current user.
		u, err := user.Current()
		if err != nil {
			return dovecotIdentity{}, fmt.Errorf("pop3test: current user: %w", err)
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return dovecotIdentity{}, fmt.Errorf("pop3test: group of the current user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return dovecotIdentity{
			loginUser: u.Username, internalUser: u.Username, internalGroup: g.Name,
			mailUID: uid, mailGID: gid,
		}, nil
	}
	// As root, Dovecot refuses to run login processes as root and mail
	// users need a non-root uid: use nobody, present on every Unix system.
	id := dovecotIdentity{
		loginUser: "dovenull", internalUser: "dovecot", internalGroup: "dovecot",
		mailUID: 65534, mailGID: 65534, root: true,
	}
	if u, err := user.Lookup("nobody"); err == nil {
		if uid, err := strconv.Atoi(u.Uid); err == nil && uid != 0 {
			id.mailUID = uid
		}
		if gid, err := strconv.Atoi(u.Gid); err == nil && gid != 0 {
			id.mailGID = gid
		}
	}
	for _, name := range []string{id.loginUser, id.internalUser} {
		if _, err := user.Lookup(name); err != nil {
			return dovecotIdentity{}, fmt.Errorf("pop3test: system user %q missing (the dovecot-core package creates it): %w", name, err)
		}
	}
	return id, nil
}

// dovecotCheckTraversable reports the first directory on the path to dir that
// other users cannot traverse.
func dovecotCheckTraversable(dir string) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pop3test: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("pop3test: directory %s is not traversable by other users (mode %v); Dovecot's unprivileged processes need o+x on every directory up to %s", p, fi.Mode().Perm(), dir)
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

// prepare writes the certificate, the passwd-file and the mailboxes.
func (d *Dovecot) prepare(id dovecotIdentity) error {
	certPEM, keyPEM, err := SelfSignedCert()
	if err != nil {
		return err
	}
	d.CertPEM = certPEM
	if err := os.WriteFile(d.CertFile, certPEM, 0o644); err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}
	// The key is read by the config process, which runs as the user
	// starting Dovecot.
	if err := os.WriteFile(filepath.Join(d.Dir, "key.pem"), keyPEM, 0o600); err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}

	var passwd strings.Builder
	for _, u := range d.Users {
		home := filepath.Join(d.Dir, "home", u.Name)
		extra := ""
		if u.UIDLFormat != "" {
			// A userdb extra field; '%' is doubled because the passwd-file expands variables.
			extra = "userdb_pop3_uidl_format=" + strings.ReplaceAll(u.UIDLFormat, "%", "%%")
		}
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s:%d:%d::%s::%s\n", u.Name, u.Password, id.mailUID, id.mailGID, home, extra)
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(home, "Maildir", sub), 0o700); err != nil {
				return fmt.Errorf("pop3test: %w", err)
			}
		}
		if d.chown {
			if err := dovecotChownTree(home, id.mailUID, id.mailGID); err != nil {
				return err
			}
		}
	}
	if err := os.Chmod(filepath.Join(d.Dir, "home"), 0o755); err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}
	// The auth process runs as the internal user: the file must be
	// world-readable (test passwords only).
	if err := os.WriteFile(filepath.Join(d.Dir, "passwd"), []byte(passwd.String()), 0o644); err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}
	if d.introspect != "" {
		// Read by the auth process (the internal user); holds no secret.
		conf := "introspection_mode = post\nintrospection_url = " + d.introspect + "\n" +
			"force_introspection = yes\nusername_attribute = username\n" +
			"active_attribute = active\nactive_value = true\ntimeout_msecs = 5000\n"
		if err := os.WriteFile(filepath.Join(d.Dir, "dovecot-oauth2.conf.ext"), []byte(conf), 0o644); err != nil {
			return fmt.Errorf("pop3test: %w", err)
		}
	}
	for _, sub := range []string{"run", "state"} {
		if err := os.MkdirAll(filepath.Join(d.Dir, sub), 0o755); err != nil {
			return fmt.Errorf("pop3test: %w", err)
		}
	}
	return nil
}

func dovecotChownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("pop3test: %w", err)
		}
		return nil
	})
}

// SelfSignedCert makes a self-signed certificate for localhost and 127.0.0.1, valid for ten
// days, in PEM: a test server's certificate and key, and its own trust root.
func SelfSignedCert() (certPEM, keyPEM []byte, err error) {
	now := time.Now()
	cert, certPEM := NewTLSCertValidity(now.Add(-time.Hour), now.Add(10*24*time.Hour))
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("pop3test: marshal key: %w", err)
	}
	return certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// dovecotFreePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago.
func dovecotFreePorts(n int) ([]int, error) { return FreePorts(n) }

// FreePorts returns n distinct TCP ports on 127.0.0.1 that were free a moment ago, for a test
// server that must be told its ports.
func FreePorts(n int) ([]int, error) {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pop3test: find a free port: %w", err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (d *Dovecot) config(id dovecotIdentity, plainPort, tlsPort int) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	passwd := filepath.Join(d.Dir, "passwd")
	w("# Private Dovecot for Pouch's tests; everything lives under %s.", d.Dir)
	w("base_dir = %s", filepath.Join(d.Dir, "run"))
	w("state_dir = %s", filepath.Join(d.Dir, "state"))
	w("log_path = %s", d.logFile)
	w("instance_name = pouch-test-%d", plainPort)
	w("listen = 127.0.0.1")
	w("protocols = pop3")
	w("default_login_user = %s", id.loginUser)
	w("default_internal_user = %s", id.internalUser)
	w("default_internal_group = %s", id.internalGroup)
	w("first_valid_uid = %d", id.mailUID)
	w("first_valid_gid = %d", id.mailGID)
	w("ssl = yes")
	w("ssl_cert = <%s", d.CertFile)
	w("ssl_key = <%s", filepath.Join(d.Dir, "key.pem"))
	w("ssl_min_protocol = TLSv1.2")
	w("disable_plaintext_auth = no")
	mechs := "plain login cram-md5 scram-sha-1 scram-sha-256 apop"
	if d.introspect != "" {
		w("auth_mechanisms = %s xoauth2 oauthbearer", mechs)
		// Tests refuse expired and revoked tokens on purpose, often: without this each refusal
		// waits 2 s.
		w("auth_failure_delay = 0")
		// Bearer tokens go to the introspection endpoint only, passwords to the passwd-file
		// only: neither passdb ever sees the other's secret.
		w("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = %s\n}", filepath.Join(d.Dir, "dovecot-oauth2.conf.ext"))
		w("passdb {\n  driver = passwd-file\n  mechanisms = %s\n  args = scheme=PLAIN %s\n}", mechs, passwd)
	} else {
		w("auth_mechanisms = %s", mechs)
		w("passdb {\n  driver = passwd-file\n  args = scheme=PLAIN %s\n}", passwd)
	}
	w("auth_verbose = yes")
	w("userdb {\n  driver = passwd-file\n  args = %s\n}", passwd)
	w("mail_location = maildir:~/Maildir")
	w("pop3_uidl_format = %%08Xu%%08Xv")
	chroot, anvil := "", ""
	if !id.root {
		// Only root can chroot.
		chroot = "  chroot =\n"
		anvil = chroot
		w("service auth-worker {\n  user = $default_internal_user\n}")
	}
	if d.introspect != "" {
		// No auth penalty (Dovecot's documented switch: the listener's mode 0): it would delay
		// each login from loopback after a refusal by up to 15 s.
		anvil += "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n"
	}
	if anvil != "" {
		w("service anvil {\n%s}", anvil)
	}
	w("service pop3-login {\n%s  inet_listener pop3 {\n    port = %d\n  }\n  inet_listener pop3s {\n    port = %d\n    ssl = yes\n  }\n}",
		chroot, plainPort, tlsPort)
	return b.String()
}

func (d *Dovecot) start(bin string, id dovecotIdentity) error {
	ports, err := dovecotFreePorts(2)
	if err != nil {
		return err
	}
	d.PlainAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	d.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1]))
	if err := os.WriteFile(d.conf, []byte(d.config(id, ports[0], ports[1])), 0o644); err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}

	// -F keeps the master in the foreground as our child: we reap it, so
	// "gone" is observable even where PID 1 does not reap orphans, and the
	// master is BASE/master.pid.
	cmd := exec.Command(bin, "-F", "-c", d.conf)
	d.stderr = &dovecotBuffer{}
	cmd.Stdout = d.stderr
	cmd.Stderr = d.stderr
	cmd.SysProcAttr = dovecotSysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pop3test: start %s: %w", bin, err)
	}
	d.cmd = cmd
	d.done = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(d.done)
	}()

	deadline := time.Now().Add(DovecotStartTimeout)
	var lastErr error
	for {
		select {
		case <-d.done:
			return fmt.Errorf("pop3test: dovecot exited during start-up (%v)\n%s", cmd.ProcessState, d.Log())
		default:
		}
		if lastErr = d.probe(); lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pop3test: dovecot not ready after %v: %v\n%s", DovecotStartTimeout, lastErr, d.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// probe checks that both ports answer with a "+OK" greeting.
func (d *Dovecot) probe() error {
	conn, err := net.DialTimeout("tcp", d.PlainAddr, time.Second)
	if err != nil {
		return err
	}
	if err := dovecotGreeting(conn); err != nil {
		return fmt.Errorf("%s: %w", d.PlainAddr, err)
	}
	dialer := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: time.Second},
		Config:    &tls.Config{RootCAs: CertPool(d.CertPEM), ServerName: "localhost", MinVersion: tls.VersionTLS12},
	}
	tconn, err := dialer.Dial("tcp", d.TLSAddr)
	if err != nil {
		return err
	}
	if err := dovecotGreeting(tconn); err != nil {
		return fmt.Errorf("%s: %w", d.TLSAddr, err)
	}
	return nil
}

func dovecotGreeting(conn net.Conn) error {
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+OK") {
		return fmt.Errorf("greeting %q, want +OK", strings.TrimSpace(line))
	}
	_, _ = conn.Write([]byte("QUIT\r\n"))
	return nil
}

// Stop terminates the master (SIGTERM, as `kill $(cat BASE/master.pid)`
// does) and waits until it is gone; its children are shut down with it.
// Stop is idempotent.
func (d *Dovecot) Stop() error {
	d.stopOnce.Do(func() {
		if d.cmd == nil || d.cmd.Process == nil {
			return
		}
		select {
		case <-d.done:
			return
		default:
		}
		if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			select {
			case <-d.done:
				return
			default:
			}
			d.stopErr = fmt.Errorf("pop3test: stop dovecot: %w", err)
		}
		select {
		case <-d.done:
		case <-time.After(DovecotStopTimeout):
			_ = d.cmd.Process.Kill()
			<-d.done
			d.stopErr = fmt.Errorf("pop3test: dovecot (pid %d) still running %v after SIGTERM; killed", d.cmd.Process.Pid, DovecotStopTimeout)
		}
	})
	return d.stopErr
}

// CertSHA256 returns the server certificate's fingerprint: the hex SHA-256 of
// its DER form.
func (d *Dovecot) CertSHA256() string {
	block, _ := pem.Decode(d.CertPEM)
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:])
}

// Maildir returns the path of user's Maildir.
func (d *Dovecot) Maildir(user string) string {
	return filepath.Join(d.Dir, "home", user, "Maildir")
}

func (d *Dovecot) hasUser(name string) bool {
	for _, u := range d.Users {
		if u.Name == name {
			return true
		}
	}
	return false
}

var dovecotMessageNameRE = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// Deliver drops raw as a message into user's Maildir/cur. The file name is
// unique and embeds name (letters, digits, . _ -), which MaildirFiles uses
// as the key. Files sort in delivery order, so Dovecot numbers messages in
// the order they were delivered. The file appears atomically (written to
// tmp, then renamed) and belongs to the mail user; Dovecot sees it at the
// next login.
//
// Dovecot sends the file with every LF turned into CRLF and a final CRLF
// added if the file lacks one; the sizes in STAT and LIST count the CRLFs
// but not that added final CRLF.
func (d *Dovecot) Deliver(user, name string, raw []byte) error {
	if !d.hasUser(user) {
		return fmt.Errorf("pop3test: deliver: no dovecot user %q", user)
	}
	if !dovecotMessageNameRE.MatchString(name) {
		return fmt.Errorf("pop3test: deliver: message name %q: want letters, digits and . _ -", name)
	}
	// <seconds>.M<seq>P<pid>.<name>:2, — Dovecot orders new files by the
	// seconds, then the M (microseconds) field; seq is zero-padded so it
	// orders as text too.
	base := fmt.Sprintf("%d.M%09dP%d.%s", time.Now().Unix(), d.seq.Add(1), os.Getpid(), name)
	maildir := d.Maildir(user)
	tmp := filepath.Join(maildir, "tmp", base)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("pop3test: deliver: %w", err)
	}
	if d.chown {
		if err := os.Chown(tmp, d.mailUID, d.mailGID); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("pop3test: deliver: %w", err)
		}
	}
	if err := os.Rename(tmp, filepath.Join(maildir, "cur", base+":2,")); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("pop3test: deliver: %w", err)
	}
	return nil
}

// RebuildIndex removes user's dovecot-uidlist and index files, as a mailbox rebuild or a
// migration does: Dovecot then numbers the messages' IMAP UIDs from 1 again, so a UIDL format
// based on them ("%u") reuses UIDLs for other messages.
func (d *Dovecot) RebuildIndex(user string) error {
	dir := d.Maildir(user)
	names, err := filepath.Glob(filepath.Join(dir, "dovecot*"))
	if err != nil {
		return fmt.Errorf("pop3test: %w", err)
	}
	for _, n := range names {
		if err := os.RemoveAll(n); err != nil {
			return fmt.Errorf("pop3test: %w", err)
		}
	}
	return nil
}

// MaildirFiles returns the messages now in user's Maildir (new and cur):
// the name given to Deliver (or, for other files, the file name without
// its ":2," flags) mapped to the content.
func (d *Dovecot) MaildirFiles(user string) (map[string][]byte, error) {
	if !d.hasUser(user) {
		return nil, fmt.Errorf("pop3test: maildir files: no dovecot user %q", user)
	}
	files := make(map[string][]byte)
	for _, sub := range []string{"new", "cur"} {
		dir := filepath.Join(d.Maildir(user), sub)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("pop3test: maildir files: %w", err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if errors.Is(err, fs.ErrNotExist) {
				continue // renamed or expunged meanwhile
			}
			if err != nil {
				return nil, fmt.Errorf("pop3test: maildir files: %w", err)
			}
			files[dovecotMessageName(e.Name())] = data
		}
	}
	return files, nil
}

// dovecotMessageName recovers the name given to Deliver from a Maildir
// file name such as "1700000000.M000000001P123.hello:2,S". Dovecot may
// change the flags and append ",S=<size>" style fields to the base.
func dovecotMessageName(file string) string {
	base, _, _ := strings.Cut(file, ":")
	parts := strings.SplitN(base, ".", 3)
	if len(parts) == 3 && strings.HasPrefix(parts[1], "M") && strings.Contains(parts[1], "P") {
		name, _, _ := strings.Cut(parts[2], ",")
		return name
	}
	return base
}

// DovecotLogin is a successful login as Dovecot logs it.
type DovecotLogin struct {
	User   string
	Method string // the SASL mechanism, APOP, or PLAIN for USER/PASS
	TLS    bool   // over implicit TLS or STLS
}

var dovecotLoginRE = regexp.MustCompile(`(?m)\bLogin: user=<([^>]*)>, method=([^,\s]+), (.*)$`)

// Logins returns the successful logins in Dovecot's log, oldest first. Dovecot
// writes its log asynchronously: Logins waits up to DovecotStartTimeout for
// there to be at least n.
func (d *Dovecot) Logins(n int) []DovecotLogin {
	deadline := time.Now().Add(DovecotStartTimeout)
	for {
		var logins []DovecotLogin
		for _, m := range dovecotLoginRE.FindAllStringSubmatch(d.Log(), -1) {
			tls := slices.Contains(strings.Split(m[3], ", "), "TLS")
			logins = append(logins, DovecotLogin{User: m[1], Method: m[2], TLS: tls})
		}
		if len(logins) >= n || time.Now().After(deadline) {
			return logins
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Log returns what Dovecot wrote to its standard error and its log file,
// for failure messages.
func (d *Dovecot) Log() string {
	var b strings.Builder
	if d.stderr != nil {
		b.WriteString(d.stderr.String())
	}
	data, err := os.ReadFile(d.logFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(&b, "(reading %s: %v)\n", d.logFile, err)
	}
	b.Write(data)
	return b.String()
}

// MailOwner is the owner files in the users' Maildirs must have (chown is false when Dovecot
// runs as the current user and any file written will do): for another process delivering mail,
// such as a test SMTP server.
func (d *Dovecot) MailOwner() (uid, gid int, chown bool) {
	return d.mailUID, d.mailGID, d.chown
}
