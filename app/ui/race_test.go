//go:build race

package ui_test

// raceEnabled: timings under the race detector say nothing about the window.
const raceEnabled = true
