package run

import "fmt"

// Output is one step output.
type Output struct {
	Name  string
	Value string
}

// Outputs are the step's outputs, in the contract's order.
type Outputs []Output

// Get returns the value of the named output ("" when absent).
func (o Outputs) Get(name string) string {
	for _, x := range o {
		if x.Name == name {
			return x.Value
		}
	}
	return ""
}

// humanBytes renders a size for logs and the summary.
func humanBytes(n int64) string {
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
