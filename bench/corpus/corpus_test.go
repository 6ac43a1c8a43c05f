package corpus

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGenerateDeterministic(t *testing.T) {
	for _, i := range []int{0, 1, 17, 9999} {
		a, b := Generate(42, i), Generate(42, i)
		if !bytes.Equal(a, b) {
			t.Errorf("Generate(42, %d) differs between calls", i)
		}
		if c := Generate(43, i); bytes.Equal(a, c) {
			t.Errorf("Generate(42, %d) == Generate(43, %d), want the seed to matter", i, i)
		}
	}
	if bytes.Equal(Generate(42, 1), Generate(42, 2)) {
		t.Error("messages 1 and 2 are equal")
	}
}

func TestSizeDistribution(t *testing.T) {
	const n = 5000
	var sizes []int
	attachments := 0
	for i := range n {
		s := SpecOf(7, i)
		if s.Attachment > 0 {
			attachments++
			if s.Attachment < MinAttachment || s.Attachment > MaxAttachment {
				t.Errorf("message %d: attachment %d bytes, want %d..%d", i, s.Attachment, MinAttachment, MaxAttachment)
			}
		}
		if i < 250 { // rendering is slower: check the rendered sizes on a sample
			sizes = append(sizes, len(Generate(7, i)))
		}
	}
	slices.Sort(sizes)
	if med := sizes[len(sizes)/2]; med < 7_000 || med > 14_000 {
		t.Errorf("median rendered size %d, want about %d", med, MedianSize)
	}
	if share := float64(attachments) / n; share < 0.01 || share > 0.04 {
		t.Errorf("attachment share %.3f, want about %.2f", share, AttachmentRate)
	}
}

// TestMessagesParse checks every structure renders as a well-formed message whose MIME parts
// can be walked, on enough messages to cover all kinds.
func TestMessagesParse(t *testing.T) {
	kinds := map[Kind]bool{}
	for i := 0; len(kinds) < 6 && i < 2000; i++ {
		s := SpecOf(1, i)
		if kinds[s.Kind] {
			continue
		}
		kinds[s.Kind] = true
		raw := Generate(1, i)
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("message %d (kind %d): %v", i, s.Kind, err)
		}
		if _, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
			t.Errorf("message %d: subject: %v", i, err)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("message %d: content type: %v", i, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			continue
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		parts := 0
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("message %d part %d: %v", i, parts, err)
			}
			if _, err := io.Copy(io.Discard, p); err != nil {
				t.Fatalf("message %d part %d: %v", i, parts, err)
			}
			parts++
		}
		if parts != 2 {
			t.Errorf("message %d (%s): %d parts, want 2", i, mt, parts)
		}
	}
	if len(kinds) != 6 {
		t.Errorf("only kinds %v seen in 2000 messages", kinds)
	}
}

func TestBigAndTiny(t *testing.T) {
	const size = 1 << 20
	if n := len(Big(3, size)); n < size || n > size+size/20 {
		t.Errorf("Big(3, %d) is %d bytes", size, n)
	}
	if !bytes.Equal(Tiny(5), Tiny(5)) || bytes.Equal(Tiny(5), Tiny(6)) {
		t.Error("Tiny is not a function of its index")
	}
}

func TestWriteMaildir(t *testing.T) {
	dir := t.TempDir()
	const n = 25
	total, err := WriteMaildir(context.Background(), dir, n, 3, func(i int) []byte { return Generate(9, i) })
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "cur"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d files, want %d", len(entries), n)
	}
	var sum int64
	for i, e := range entries { // ReadDir sorts by name: index order
		if e.Name() != FileName(i) {
			t.Errorf("file %d is %s, want %s", i, e.Name(), FileName(i))
		}
		data, err := os.ReadFile(filepath.Join(dir, "cur", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, Generate(9, i)) {
			t.Errorf("file %d does not hold message %d", i, i)
		}
		sum += int64(len(data))
	}
	if sum != total {
		t.Errorf("WriteMaildir reported %d bytes, files hold %d", total, sum)
	}
}
