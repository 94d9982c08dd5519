package lithops

import (
	"crypto/sha1"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestMetadataRequest(t *testing.T) {
	if got := string(MetadataRequest(AWSLambda)); got != `{"get_metadata": {}}` {
		t.Error(got)
	}
	if got := string(MetadataRequest(AliyunFC)); got != `{"log_level": 20, "get_metadata": true}` {
		t.Error(got)
	}
}

// TestEncodeMatchesPython compares Encode byte for byte with what a Lithops
// client stores: json.dumps of the runtime's dict plus runtime_timeout.
func TestEncodeMatchesPython(t *testing.T) {
	py := need.Python(t, "3")
	answer := `{"preinstalls": [["zz", false], ["acmetext", true], ["caf\u00e9", false], ["emoji\ud83d\ude00", true], ["q\"b\\s", false]], "python_version": "3.12", "lithops_version": "3.7.1.dev0", "extra": 1}`
	md, err := DecodeMetadata([]byte(answer))
	if err != nil {
		t.Fatal(err)
	}
	md.RuntimeTimeout = 180
	script := `import json, sys
m = json.loads(sys.argv[1])
del m["extra"]
m["preinstalls"] = sorted(m["preinstalls"])
m["runtime_timeout"] = 180
sys.stdout.write(json.dumps(m))`
	out, err := exec.Command(py, "-c", script, answer).Output()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(out), string(md.Encode())); d != "" {
		t.Errorf("(-python +go)\n%s", d)
	}
	back, err := DecodeMetadata(md.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !back.HasModule("café") || !back.HasModule("acmetext") || back.HasModule("numpy") || back.RuntimeTimeout != 180 {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestDecodeMetadataErrors(t *testing.T) {
	tests := map[string]string{
		`[]`: "not a JSON object",
		`{"python_version": "3.12", "lithops_version": "3.7.0"}`:                                        `"preinstalls" is missing`,
		`{"preinstalls": [], "lithops_version": "3.7.0"}`:                                               `"python_version" is missing`,
		`{"preinstalls": [["a"]], "python_version": "3.12", "lithops_version": "3.7.0"}`:                "pair",
		`{"preinstalls": [], "python_version": 3.12, "lithops_version": "3.7.0"}`:                       "wrong type",
		`{"errorMessage": "boom", "errorType": "RuntimeError"}`:                                         "missing",
		`{"preinstalls": [[1, true]], "python_version": "3.12", "lithops_version": "3.7.0"}`:            "module name",
		`{"preinstalls": [["a", 1]], "python_version": "3.12", "lithops_version": "3.7.0"}`:             "boolean",
		`{"preinstalls": [], "python_version": "3.12", "lithops_version": "3", "runtime_timeout": "x"}`: "integer",
	}
	for in, want := range tests {
		_, err := DecodeMetadata([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("DecodeMetadata(%s) = %v, want error containing %q", in, err, want)
		}
	}
}

func TestLimitsAndDefaults(t *testing.T) {
	aws, fc, local := LimitsFor(AWSLambda), LimitsFor(AliyunFC), LimitsFor(Local)
	if d := cmp.Diff(aws, local); d != "" {
		t.Errorf("local limits differ from AWS (-aws +local)\n%s", d)
	}
	got := []int{aws.MemoryMax, aws.TimeoutMax, aws.DefaultMemory, aws.DefaultTimeout, fc.MemoryMax, fc.MemoryStep, fc.TimeoutMax, fc.DefaultTimeout}
	if d := cmp.Diff([]int{10240, 900, 256, 180, 32768, 64, 86400, 300}, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if aws.UnzippedMax != 262144000 || fc.DirectZipMax != 100<<20 || fc.StagedZipMax != 500<<20 {
		t.Errorf("size limits: %+v %+v", aws, fc)
	}
	for _, tt := range []struct {
		backend string
		py      Python
		minor   int
	}{{AWSLambda, Python{3, 11}, 26}, {AWSLambda, Python{3, 12}, 34}, {Local, Python{3, 13}, 34}, {AliyunFC, Python{3, 12}, 17}} {
		if maj, min := Glibc(tt.backend, tt.py); maj != 2 || min != tt.minor {
			t.Errorf("Glibc(%s, %s) = %d.%d", tt.backend, tt.py, maj, min)
		}
	}
	if got := Handler(AliyunFC, PackageZip); got != "entry_point.main" {
		t.Error(got)
	}
	if got := Handler(Local, PackageZip); got != "entry_point.lambda_handler" {
		t.Error(got)
	}
	if d := cmp.Diff([]string{"six", "pika", "tblib", "cloudpickle", "ps-mem", "psutil"}, DefaultRequirements(AliyunFC)); d != "" {
		t.Error(d)
	}
	if !strings.HasSuffix(EntryPoint(Local), "aws_lambda/entry_point.py") {
		t.Error(EntryPoint(Local))
	}
}
