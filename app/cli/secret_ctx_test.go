package cli

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// A password read from a standard input that never delivers ends with the context.
func TestReadSecretContextEndsOnCancel(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := readSecretContext(ctx, r)
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("readSecretContext() = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readSecretContext() still blocked after cancel")
	}
	if got, err := readSecretContext(context.Background(), strings.NewReader("pw\n")); got != "pw" || err != nil {
		t.Errorf("readSecretContext(pw) = %q, %v", got, err)
	}
}
