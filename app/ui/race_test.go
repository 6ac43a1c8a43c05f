//go:build race

package ui

// raceEnabled: timings under the race detector say nothing about the window.
const raceEnabled = true
