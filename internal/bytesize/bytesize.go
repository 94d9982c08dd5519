// Package bytesize renders byte counts for logs, plans and summaries.
package bytesize

import "fmt"

// Format renders n bytes in binary units: "512 B", "1.5 KiB", "150.0 MiB".
func Format(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
