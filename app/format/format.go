// Package format renders values for people, the same way in the CLI and the window.
package format

import (
	"fmt"
	"time"
)

// Bytes renders a size the way mail clients do: 512 B, 12 KB, 3.4 MB.
func Bytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// MessageDate is the date to show for a message: its Date header, or the time it was
// downloaded when the header is missing or unreadable.
func MessageDate(date, received time.Time) time.Time {
	if date.IsZero() {
		return received
	}
	return date
}
