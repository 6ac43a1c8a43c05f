package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartProfiles(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"POUCH_CPUPROFILE": filepath.Join(dir, "cpu.pprof"),
		"POUCH_MEMPROFILE": filepath.Join(dir, "mem.pprof"),
	}
	stop, err := startProfiles(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	stop()
	for _, k := range []string{"POUCH_CPUPROFILE", "POUCH_MEMPROFILE"} {
		fi, err := os.Stat(env[k])
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: profile %s not written (%v)", k, env[k], err)
		}
	}

	stop, err = startProfiles(func(string) string { return "" })
	if err != nil {
		t.Fatalf("startProfiles without variables = %v", err)
	}
	stop()

	bad := filepath.Join(dir, "missing", "cpu.pprof")
	if _, err := startProfiles(func(k string) string {
		if k == "POUCH_CPUPROFILE" {
			return bad
		}
		return ""
	}); err == nil {
		t.Errorf("startProfiles with an unwritable path %s succeeded", bad)
	}
}
