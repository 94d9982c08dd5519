package lithops

// FCGeneration is the Function Compute API a Lithops version talks to.
type FCGeneration int

const (
	// FC3 is Function Compute 3.0 (API 2023-03-30, no services): Lithops >= 3.7.0.
	FC3 FCGeneration = 3
	// FC2 is Function Compute 2.0 (API 2016-08-15, a service per user): Lithops <= 3.6.x.
	FC2 FCGeneration = 2
)

// fc3Constraint selects FC 3.0 by Lithops version (3.7.0's pre-releases
// already carried the FC 3.0 backend).
const fc3Constraint = ">= 3.7.0-0"

// FCGenerationFor picks the FC API generation of a Lithops version.
func FCGenerationFor(v Version) FCGeneration {
	if v.Check(fc3Constraint) {
		return FC3
	}
	return FC2
}

// String is "FC 3.0" or "FC 2.0".
func (g FCGeneration) String() string {
	if g == FC2 {
		return "FC 2.0"
	}
	return "FC 3.0"
}
