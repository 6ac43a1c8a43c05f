// Package mailtls is the TLS trust the mail protocols share, POP3 (pop3) and SMTP submission
// (app/submit): a certificate pinned by its SHA-256 in place of chain verification, and what
// kind of failure a handshake error is. It uses the standard library only.
package mailtls

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
)

// Kind classifies a TLS handshake failure.
type Kind int

const (
	// Other is any failure not listed below (protocol version, alert, ...).
	Other Kind = iota
	// UnknownAuthority means the certificate chain does not lead to a trusted root,
	// typically a self-signed server certificate.
	UnknownAuthority
	// NameMismatch means the certificate is not valid for the host name dialed.
	NameMismatch
	// Expired means the certificate has expired or is not yet valid.
	Expired
	// PinMismatch means a certificate was pinned and the server's is a different one (it may
	// have been renewed, or the connection intercepted).
	PinMismatch
)

func (k Kind) String() string {
	switch k {
	case UnknownAuthority:
		return "unknown authority"
	case NameMismatch:
		return "name mismatch"
	case Expired:
		return "expired or not yet valid"
	case PinMismatch:
		return "pinned certificate mismatch"
	default:
		return "other"
	}
}

// Config is base (nil: a default) for host. With a pin (the SHA-256 of a certificate's DER
// form), chain verification is replaced: a self-signed or expired certificate the user
// accepted keeps working, and nothing but that exact certificate does.
func Config(base *tls.Config, host string, pin []byte) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if pin != nil {
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = nil
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return CheckPin(cs.PeerCertificates, pin) }
	}
	return cfg
}

// PinError is a leaf certificate that does not match the pin.
type PinError struct {
	Certs     []*x509.Certificate // the chain presented, leaf first
	Got, Want string              // hex SHA-256 of the leaf, and of the pin
}

func (e *PinError) Error() string {
	return fmt.Sprintf("server certificate SHA-256 %s does not match the pinned %s", e.Got, e.Want)
}

// CheckPin compares the leaf of certs with pin, in constant time.
func CheckPin(certs []*x509.Certificate, pin []byte) error {
	if len(certs) == 0 {
		return &PinError{Got: "(none)", Want: hex.EncodeToString(pin)}
	}
	sum := sha256.Sum256(certs[0].Raw)
	if subtle.ConstantTimeCompare(sum[:], pin) != 1 {
		return &PinError{Certs: certs, Got: hex.EncodeToString(sum[:]), Want: hex.EncodeToString(pin)}
	}
	return nil
}

// Classify says what kind of failure a handshake error is, with the chain the server presented
// when it is known. The chain comes from tls.CertificateVerificationError, which crypto/tls
// fills in when its own verification fails, so verification never has to be weakened to see it.
func Classify(err error) (Kind, []*x509.Certificate) {
	var certs []*x509.Certificate
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		certs = cve.UnverifiedCertificates
	}
	var (
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
		pe *PinError
	)
	switch {
	case errors.As(err, &pe):
		return PinMismatch, pe.Certs
	case errors.As(err, &ua):
		return UnknownAuthority, certs
	case errors.As(err, &hn):
		return NameMismatch, certs
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return Expired, certs
	}
	return Other, certs
}
