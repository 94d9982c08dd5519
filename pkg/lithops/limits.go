package lithops

// Limits are a backend's platform limits and Lithops' defaults (contract
// section 5), checked before anything is uploaded.
type Limits struct {
	MemoryMin, MemoryMax, MemoryStep int // MB; MemoryStep 0 means any integer
	TimeoutMin, TimeoutMax           int // seconds
	DefaultMemory, DefaultTimeout    int
	Architectures                    []string // the first is the default
	// DirectZipMax is the largest zip sent inline in the API request.
	DirectZipMax int64
	// StagedZipMax is the largest zip accepted through object storage (0: bounded by UnzippedMax only).
	StagedZipMax int64
	// UnzippedMax bounds the unzipped function code plus all its layers (0: none).
	UnzippedMax int64
	// MaxLayers is the number of layers a function may have (0: no layers).
	MaxLayers int
	// EphemeralMin and EphemeralMax bound /tmp storage in MB (0: not configurable).
	EphemeralMin, EphemeralMax, DefaultEphemeral int
	// ImageMax is the largest container image.
	ImageMax int64
}

const (
	mb = 1 << 20
	gb = 1 << 30
)

// LimitsFor returns a backend's limits; local uses AWS Lambda's, since it
// runs the same artifacts.
func LimitsFor(backend string) Limits {
	if backend == AliyunFC {
		return Limits{
			MemoryMin: 128, MemoryMax: 32768, MemoryStep: 64,
			TimeoutMin: 1, TimeoutMax: 86400,
			DefaultMemory: 256, DefaultTimeout: 300,
			Architectures: []string{"x86_64"},
			DirectZipMax:  100 * mb,
			StagedZipMax:  500 * mb,
			ImageMax:      10 * gb,
		}
	}
	return Limits{
		MemoryMin: 128, MemoryMax: 10240,
		TimeoutMin: 1, TimeoutMax: 900,
		DefaultMemory: 256, DefaultTimeout: 180,
		Architectures:    []string{"x86_64", "arm64"},
		DirectZipMax:     50 * mb,
		UnzippedMax:      262144000,
		MaxLayers:        5,
		EphemeralMin:     512,
		EphemeralMax:     10240,
		DefaultEphemeral: 512,
		ImageMax:         10 * gb,
	}
}

// LambdaRequestMax is the largest CreateFunction/PublishLayerVersion request
// body Lambda accepts (the base64 of a 50 MB zip plus the JSON around it).
const LambdaRequestMax = 69905067

// Glibc is the newest glibc the backend's managed runtime for this Python
// provides, which bounds the manylinux wheels it can load: Lambda Python
// 3.10/3.11 run on Amazon Linux 2 (glibc 2.26), 3.12+ on Amazon Linux 2023
// (2.34), older ones on Amazon Linux 2 as well. Function Compute does not
// document the glibc of its Python runtimes: 2.17 (manylinux2014), which
// every one of them provides, is the safe bound.
func Glibc(backend string, py Python) (major, minor int) {
	if backend == AliyunFC {
		return 2, 17
	}
	if py.Less(Python{3, 12}) {
		return 2, 26
	}
	return 2, 34
}

// DefaultRequirements is Lithops' own dependency list for a backend's zip
// runtime: the AWS layer list (also used by local) or the FC base list.
func DefaultRequirements(backend string) []string {
	if backend == AliyunFC {
		return []string{"six", "pika", "tblib", "cloudpickle", "ps-mem", "psutil"}
	}
	return []string{"numpy", "requests", "redis", "pika", "cloudpickle", "ps-mem", "tblib", "urllib3<2", "psutil"}
}

// EntryPoint is the path, inside the installed lithops package tree, of the
// backend's entry_point.py that zip runtimes carry at their root.
func EntryPoint(backend string) string {
	if backend == AliyunFC {
		return "lithops/serverless/backends/aliyun_fc/entry_point.py"
	}
	return "lithops/serverless/backends/aws_lambda/entry_point.py"
}

// Handler is the handler a backend's runtime is created with.
func Handler(backend, packageType string) string {
	switch {
	case backend == AliyunFC && packageType == PackageImage:
		return "container_entry_point.invoke"
	case backend == AliyunFC:
		return "entry_point.main"
	case packageType == PackageImage:
		return "handler.entry_point.lambda_handler"
	}
	return "entry_point.lambda_handler"
}
