package run

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
