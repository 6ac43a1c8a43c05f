package mimetext_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pouchmail/pouch/mailstore/mimetext"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		file        string
		contains    []string // substrings of Text
		notContains []string
		html        bool
		attachments []mimetext.Attachment
		wantErr     bool
	}{
		{file: "valid/plain.eml", contains: []string{"Hi Bob,\n\nThis is a plain ASCII message.\n"}},
		{
			file: "valid/mixed-attachment.eml", contains: []string{"Please find the report attached."},
			notContains: []string{"%PDF", "JVBER"},
			attachments: []mimetext.Attachment{{Filename: "report.pdf", ContentType: "application/pdf", Size: 286}},
		},
		{file: "valid/alternative.eml", contains: []string{"The plain version."}, notContains: []string{"HTML", "<"}},
		{
			file: "valid/html-only.eml", html: true,
			contains: []string{
				"Dear customer,", "Line one\nLine two\nLine three", "Fish & chips <tasty> €5 été",
				"- First\n- Second", "Click here <https://example.org/track?id=1&x=2>",
			},
			notContains: []string{"<p>", "<div", "<br", "alert", "color: red", "a comment", "Order", "&amp;", "&nbsp;", "pixel.gif"},
		},
		{file: "valid/latin1.eml", contains: []string{"Un café crème, s'il vous plaît."}},
		{file: "valid/windows1252.eml", contains: []string{"“Quoted” price: €10 at the café."}},
		{file: "valid/dot-line.eml", contains: []string{"\n.hidden\n..two dots\n.\nThe end."}},
		{file: "valid/utf8.eml", contains: []string{"Grüße aus München! 日本語"}},
		{file: "malformed/unknown-charset.eml", contains: []string{"Qapla' café"}},
		{
			file: "malformed/truncated-mime.eml", contains: []string{"The attachment below is cut off."}, wantErr: true,
			attachments: []mimetext.Attachment{{Filename: "pic.png", ContentType: "image/png", Size: 57}},
		},
		{file: "malformed/bad-header-line.eml", contains: []string{"Body after a broken header."}, wantErr: true},
		{file: "malformed/8bit-header.eml", contains: []string{"Raw 8-bit header bytes"}},
		{file: "malformed/header-only.eml"},
		{file: "malformed/empty.eml"},
		{file: "malformed/deep-nesting.eml", wantErr: true},
		{file: "malformed/binary-junk.eml", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := mimetext.ParseBody(readFixture(t, tt.file))
			if b == nil {
				t.Fatalf("ParseBody() body = nil, want non-nil")
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("ParseBody() error = %v, want error %v", err, tt.wantErr)
			}
			if !utf8.ValidString(b.Text) {
				t.Errorf("Text is not valid UTF-8: %q", b.Text)
			}
			if strings.ContainsAny(b.Text, "\r\x1b\x00") {
				t.Errorf("Text contains CR or control characters: %q", b.Text)
			}
			for _, s := range tt.contains {
				if !strings.Contains(b.Text, s) {
					t.Errorf("Text = %q, want it to contain %q", b.Text, s)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(b.Text, s) {
					t.Errorf("Text = %q, want it not to contain %q", b.Text, s)
				}
			}
			if b.HTML != tt.html {
				t.Errorf("HTML = %v, want %v", b.HTML, tt.html)
			}
			if len(b.Attachments) != len(tt.attachments) {
				t.Fatalf("Attachments = %+v, want %+v", b.Attachments, tt.attachments)
			}
			for i, a := range b.Attachments {
				if a != tt.attachments[i] {
					t.Errorf("Attachments[%d] = %+v, want %+v", i, a, tt.attachments[i])
				}
			}
		})
	}
}

func TestParseBodyHTMLHasNoTags(t *testing.T) {
	b, err := mimetext.ParseBody(readFixture(t, "valid/html-only.eml"))
	if err != nil {
		t.Fatal(err)
	}
	// "<tasty>" and "<https://...>" are text the converter writes on purpose.
	rest := strings.NewReplacer("<tasty>", "", "<https://example.org/track?id=1&x=2>", "").Replace(b.Text)
	if strings.ContainsAny(rest, "<>") {
		t.Errorf("Text = %q, want no tags left", b.Text)
	}
}

func TestParseBodyAttachmentFilenames(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"disposition", `Content-Disposition: attachment; filename="a.txt"`, "a.txt"},
		{"content-type name", `Content-Type: application/octet-stream; name="b.bin"`, "b.bin"},
		{"rfc2231", `Content-Disposition: attachment; filename*=UTF-8''caf%C3%A9.txt`, "café.txt"},
		{"rfc2047", `Content-Disposition: attachment; filename="=?ISO-8859-1?Q?caf=E9.txt?="`, "café.txt"},
		{"path stripped", `Content-Disposition: attachment; filename="../../etc/passwd"`, "passwd"},
		{"windows path stripped", `Content-Disposition: attachment; filename="C:\\evil\\x.exe"`, "x.exe"},
		{"none", `Content-Type: application/octet-stream`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhi\r\n--X\r\n" +
				tt.header + "\r\n\r\ndata\r\n--X--\r\n"
			if !strings.Contains(tt.header, "Content-Type") {
				raw = strings.Replace(raw, tt.header, "Content-Type: application/octet-stream\r\n"+tt.header, 1)
			}
			b, err := mimetext.ParseBody([]byte(raw))
			if err != nil {
				t.Fatalf("ParseBody() = %v, want nil", err)
			}
			if len(b.Attachments) != 1 {
				t.Fatalf("Attachments = %+v, want 1", b.Attachments)
			}
			if got := b.Attachments[0].Filename; got != tt.want {
				t.Errorf("Filename = %q, want %q", got, tt.want)
			}
		})
	}
}
