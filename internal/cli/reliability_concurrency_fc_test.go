package cli

import (
	"strings"
	"sync"
	"testing"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// fcOtherDeployment is another deployment changing an FC function's configuration while this
// run's smoke test runs (FC has no layers: the configuration is what another run can change
// without changing the code checksum).
func fcOtherDeployment(t *testing.T, d *fcDeploy) func(api, op, target string) *fakealiyun.Error {
	var once sync.Once
	return func(api, op, target string) *fakealiyun.Error {
		if op == "InvokeFunction" {
			once.Do(func() {
				if err := d.cloud.UpdateFunction3(target, func(f *fakealiyun.Function) { f.Timeout = 77 }); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	}
}

// TestFCMetadataNotWrittenOverAConcurrentChange: another deployment changes the function's
// configuration after this run's smoke test; this run must not write metadata for it.
func TestFCMetadataNotWrittenOverAConcurrentChange(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.10", "--memory", "256")
	d.cloud.Fault = fcOtherDeployment(t, d)
	s := d.run(t)
	if s.code != 1 || !strings.Contains(s.stderr.String(), "another deployment changed it meanwhile") {
		t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
	}
	bucket := fcBucket("3.7.0", fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
	for _, key := range d.cloud.Objects(bucket) {
		if strings.HasSuffix(key, ".meta.json") {
			t.Errorf("metadata %s written for a function another deployment changed", key)
		}
	}
}

// TestFCRestoreDoesNotOverwriteANewerDeployment: this run's smoke test fails while another
// deployment updated the function; the restore leaves the newer update alone and says so.
func TestFCRestoreDoesNotOverwriteANewerDeployment(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.10", "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	useWheels(t, fcRaisingWheels)
	d.cloud.Fault = fcOtherDeployment(t, d)
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("failing runtime: exit %d\n%s", s.code, s.stderr.String())
	}
	wantLines(t, "the failing run", s.stderr.String(), "smoke test", "another deployment changed it after this run did")
	fns := d.cloud.Functions3()
	if len(fns) != 1 {
		t.Fatalf("functions %v", fns)
	}
	st, _ := d.cloud.Function3(fns[0])
	if st.Config.Timeout != 77 {
		t.Errorf("the restore overwrote the other deployment's newer update: timeout %d", st.Config.Timeout)
	}
}
