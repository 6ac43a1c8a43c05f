package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts a CPU profile into $POUCH_CPUPROFILE and arranges a heap profile into
// $POUCH_MEMPROFILE, for the benchmarks (bench/). The returned stop writes and closes them; with
// neither variable set it does nothing.
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
