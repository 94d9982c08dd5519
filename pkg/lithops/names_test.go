package lithops

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/need"
)

func TestContractExamples(t *testing.T) {
	v := MustParseVersion("3.7.0")
	pkg := AWSPackage(v, "abcd", "")
	got := map[string]string{
		"function": AWSFunctionName("abcd", v, "default-runtime-v312", 256, ""),
		"layer":    AWSLayerName(pkg, "default-runtime-v312"),
		"package":  pkg,
		"ns":       AWSPackage(v, "abcd", "team"),
		"nsfn":     AWSFunctionName("abcd", v, "default-runtime-v312", 256, "team"),
		"key":      RuntimeKey(AWSLambda, v, "us-east-1", "", "lithops-worker-abcd-370-89ec783903"),
		"meta":     MetadataKey("aws_lambda/3.7.0/us-east-1/f"),
		"bucket":   DefaultAWSBucket("us-east-1", "abcd"),
		"local":    RuntimeKey(Local, v, "local", "", "f"),
	}
	want := map[string]string{
		"function": "lithops-worker-abcd-370-89ec783903",
		"layer":    "lithops_v370_abcd_default-runtime-v312_layer",
		"package":  "lithops_v370_abcd",
		"ns":       "lithops_v370_abcd_team",
		"nsfn":     "team-lithops-worker-abcd-370-89ec783903",
		"key":      "aws_lambda/3.7.0/us-east-1/lithops-worker-abcd-370-89ec783903",
		"meta":     "lithops.runtimes/aws_lambda/3.7.0/us-east-1/f.meta.json",
		"bucket":   "lithops-us-east-1-abcd",
		"local":    "local/3.7.0/local/f",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestFunctionHashAgainstPython computes the hashes with Python's hashlib, as Lithops does.
func TestFunctionHashAgainstPython(t *testing.T) {
	py := need.Python(t, "3")
	cases := []struct {
		rt  string
		mem int
		v   string
	}{
		{"default-runtime-v312", 256, "3.7.0"},
		{"default-runtime-v310", 1024, "3.7.1.dev0"},
		{"myrepo/img:tag", 3008, "3.6.0"},
		{"default-python-runtime-v39", 128, "3.7.0rc1"},
	}
	var script strings.Builder
	script.WriteString("import hashlib\n")
	var want []string
	for _, c := range cases {
		script.WriteString("print(hashlib.sha1('" + c.rt + "-" + itoa(c.mem) + "-" + c.v + "'.encode('utf-8')).hexdigest()[:10])\n")
		want = append(want, FunctionHash(c.rt, c.mem, MustParseVersion(c.v)))
	}
	out, err := exec.Command(py, "-c", script.String()).Output()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(strings.Fields(string(out)), want); d != "" {
		t.Errorf("(-python +go)\n%s", d)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAWSUserKey(t *testing.T) {
	for in, want := range map[string]string{
		"AIDAEXAMPLEKEY12":        "ey12",
		"AROAEXAMPLE1234:session": "1234",
		"AROAEXAMPLEABCD:a:b":     "abcd",
		"abc":                     "abc",
	} {
		if got := AWSUserKey(in); got != want {
			t.Errorf("AWSUserKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDefaultRuntimeName(t *testing.T) {
	py := Python{3, 12}
	v37, v36 := MustParseVersion("3.7.0"), MustParseVersion("3.6.0")
	tests := []struct {
		backend, typ string
		v            Version
		want         string
	}{
		{AWSLambda, PackageZip, v37, "default-runtime-v312"},
		{Local, PackageZip, v37, "default-runtime-v312"},
		{AliyunFC, PackageZip, v37, "default-python-runtime-v312"},
		{AliyunFC, PackageImage, v37, "default-container-runtime-v312"},
		{AliyunFC, PackageZip, v36, "default-runtime-v312"},
	}
	for _, tt := range tests {
		if got := DefaultRuntimeName(tt.backend, tt.typ, py, tt.v); got != tt.want {
			t.Errorf("%s/%s/%s: %q, want %q", tt.backend, tt.typ, tt.v, got, tt.want)
		}
	}
}

// The names themselves are compared with Lithops' own code by internal/oracle; these are the
// names Lithops cannot deploy, which this package refuses.
func TestECRRepositoryRefusesWhatLithopsCannotDeploy(t *testing.T) {
	for _, name := range []string{"localhost:5000/rt:1", "a:b:c", "rt:"} {
		if _, _, err := AWSECRRepository("lithops_v370_abcd", name); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("AWSECRRepository(%q) = %v, want an error naming it", name, err)
		}
	}
}

func TestFCNames(t *testing.T) {
	v := MustParseVersion("3.7.0")
	name, err := FCFunctionName("default-python-runtime-v312", 256, v)
	if err != nil {
		t.Fatal(err)
	}
	want := "lithops-worker-default-python-runtime-v312-v3-7-0-" + FunctionHash("default-python-runtime-v312", 256, v)
	if name != want {
		t.Errorf("got %q want %q", name, want)
	}
	long := strings.Repeat("r", 31) // 15 + 31 + 7 + 11 = 64: fits exactly
	if _, err := FCFunctionName(long, 256, v); err != nil {
		t.Errorf("64 characters refused: %v", err)
	}
	if _, err := FCFunctionName(long+"x", 256, v); err == nil || !strings.Contains(err.Error(), "at most 31 characters") {
		t.Errorf("64+ characters: %v", err)
	}
	if got := FCServiceName("LTAIabcdef", ""); got != "lithops_ltai" {
		t.Errorf("FCServiceName = %q", got)
	}
	if got := FCServiceName("LTAIabcdef", "mine"); got != "mine" {
		t.Errorf("FCServiceName configured = %q", got)
	}
	if got := RuntimeKey(AliyunFC, MustParseVersion("3.6.0"), "cn-hangzhou", "lithops_ltai", "fn"); got != "aliyun_fc/3.6.0/cn-hangzhou/lithops_ltai/fn" {
		t.Errorf("FC 2.0 key %q", got)
	}
	if got := RuntimeKey(AliyunFC, v, "cn-hangzhou", "lithops_ltai", "fn"); got != "aliyun_fc/3.7.0/cn-hangzhou/fn" {
		t.Errorf("FC 3.0 key %q", got)
	}
}

func TestValidateRuntimeName(t *testing.T) {
	tests := []struct {
		backend, name string
		ok            bool
	}{
		{AWSLambda, "default-runtime-v312", true},
		{AWSLambda, "repo/img:1.0", true},
		{AWSLambda, "bad name", false},
		{AWSLambda, "", false},
		{AliyunFC, "my_runtime-1", true},
		{AliyunFC, "img:1", false},
		{AliyunFC, "a.b", false},
		{Local, "x$", false},
	}
	for _, tt := range tests {
		if err := ValidateRuntimeName(tt.backend, tt.name); (err == nil) != tt.ok {
			t.Errorf("%s %q: %v", tt.backend, tt.name, err)
		}
	}
}

func TestPythons(t *testing.T) {
	v37 := MustParseVersion("3.7.0")
	if err := CheckPython(AWSLambda, PackageZip, Python{3, 14}, v37); err != nil {
		t.Error(err)
	}
	err := CheckPython(AliyunFC, PackageZip, Python{3, 11}, v37)
	if err == nil || !strings.Contains(err.Error(), "3.9, 3.10, 3.12") {
		t.Errorf("FC 3.11: %v", err)
	}
	if err := CheckPython(AWSLambda, PackageZip, Python{3, 9}, v37); err == nil {
		t.Error("3.9 accepted for Lambda with Lithops 3.7")
	}
	if err := CheckPython(Local, PackageZip, Python{3, 12}, v37); err != nil {
		t.Error(err)
	}
	if err := CheckPython(AliyunFC, PackageImage, Python{3, 11}, v37); err != nil {
		t.Error(err)
	}
	for in, want := range map[string]string{"3.12": "python3.12", "python3.9": "python3.9", "3.12.1": "python3.12"} {
		p, err := ParsePython(in)
		if err != nil || p.Runtime() != want {
			t.Errorf("ParsePython(%q) = %v, %v", in, p, err)
		}
	}
	for _, in := range []string{"3", "2.7", "three", "3.x", ""} {
		if _, err := ParsePython(in); err == nil {
			t.Errorf("ParsePython(%q) accepted", in)
		}
	}
}
