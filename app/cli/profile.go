package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfiles starts a CPU profile into $POUCH_CPUPROFILE and arranges a heap profile into
// $POUCH_MEMPROFILE, for the benchmarks (bench/). The returned stop writes and closes them; with
// neither variable set it does nothing. $POUCH_MEMPROFILE_AFTER (a duration, e.g. 10s) also
// writes a heap profile of what is live that long after the start into $POUCH_MEMPROFILE.live,
// for the window, which bench/window ends with a kill.
func startProfiles(getenv func(string) string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, s := range stops {
			s()
		}
	}
	if path := getenv("POUCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return stop, fmt.Errorf("POUCH_CPUPROFILE: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, fmt.Errorf("POUCH_CPUPROFILE: %v", err)
		}
		stops = append(stops, func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}
	if path := getenv("POUCH_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default, still cheap
		if v := getenv("POUCH_MEMPROFILE_AFTER"); v != "" {
			after, err := time.ParseDuration(v)
			if err != nil {
				return stop, fmt.Errorf("POUCH_MEMPROFILE_AFTER: %v", err)
			}
			time.AfterFunc(after, func() {
				f, err := os.Create(path + ".live")
				if err != nil {
					return
				}
				defer f.Close()
				runtime.GC() // the profile shows the heap as of the last collection
				_ = pprof.Lookup("heap").WriteTo(f, 0)
			})
		}
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				return
			}
			defer f.Close()
			_ = pprof.Lookup("allocs").WriteTo(f, 0) // allocs holds in-use and cumulative samples
		})
	}
	return stop, nil
}
