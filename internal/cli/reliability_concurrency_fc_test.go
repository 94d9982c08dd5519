package cli

import (
	"strings"
	"sync"
	"sync/atomic"
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

// fc3OtherDeploymentAt makes another deployment update the function (timeout 77, InProgress for
// the fake's Settle) just before FC serves the nth call of operation op of the run.
func fc3OtherDeploymentAt(t *testing.T, d *fcDeploy, op string, nth int32) func(api, op, target string) *fakealiyun.Error {
	var n atomic.Int32
	var once sync.Once
	return func(api, o, target string) *fakealiyun.Error {
		if api == fakealiyun.APIFC3 && o == op && n.Add(1) == nth {
			once.Do(func() {
				if err := d.cloud.UpdateFunction3(target, func(f *fakealiyun.Function) { f.Timeout = 77 }); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	}
}

// TestFC3UpdateDoesNotOverwriteAChange: FC 3.0's UpdateFunction takes no condition; another
// deployment's update landing after this run's plan (while it downloads the code it keeps for a
// restore), or still under way when this run's update reaches FC (409 ConcurrentUpdateError),
// is found by the read before the update or before its retry: the run fails saying so, and the
// other deployment's update is not overwritten.
func TestFC3UpdateDoesNotOverwriteAChange(t *testing.T) {
	parallelOffline(t, fcWheels)
	for _, at := range []string{"GetFunctionCode", "UpdateFunction"} {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			d := newFCDeploy(t, "3.7.0", "3.12", "--memory", "256")
			if s := d.run(t); s.code != 0 {
				t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
			}
			fn := fcName("default-python-runtime-v312", 256, "3.7.0")
			before, _ := d.cloud.Function3(fn)
			writeFile(t, d.ws+"/requirements.txt", "acme-text-utils\nidna\n")
			d.cloud.Fault = fc3OtherDeploymentAt(t, d, at, 1)
			s := d.run(t)
			if s.code != 1 {
				t.Fatalf("exit %d\n%s", s.code, s.stderr.String())
			}
			wantLines(t, "the run", s.stderr.String(), "the function changed since this run read it", "nothing of it was overwritten")
			st, _ := d.cloud.Function3(fn)
			if st.Config.Timeout != 77 || st.Config.CodeChecksum != before.Config.CodeChecksum {
				t.Errorf("the other deployment's update was overwritten: timeout %d, code changed %v", st.Config.Timeout, st.Config.CodeChecksum != before.Config.CodeChecksum)
			}
		})
	}
}

// TestFC3RestoreDoesNotOverwriteAnUpdateUnderWay: this run's smoke test fails; another
// deployment's update is under way when the restore reaches FC (409 ConcurrentUpdateError). The
// retry reads the function first and leaves the other deployment's update alone.
func TestFC3RestoreDoesNotOverwriteAnUpdateUnderWay(t *testing.T) {
	parallelOffline(t, fcWheels)
	d := newFCDeploy(t, "3.7.0", "3.12", "--memory", "256")
	if s := d.run(t); s.code != 0 {
		t.Fatalf("first deploy: exit %d\n%s", s.code, s.stderr.String())
	}
	useWheels(t, fcRaisingWheels)
	d.cloud.Fault = fc3OtherDeploymentAt(t, d, "UpdateFunction", 2)
	s := d.run(t)
	if s.code != 1 {
		t.Fatalf("failing runtime: exit %d\n%s", s.code, s.stderr.String())
	}
	wantLines(t, "the failing run", s.stderr.String(), "smoke test", "another deployment changed it after this run did")
	st, _ := d.cloud.Function3(fcName("default-python-runtime-v312", 256, "3.7.0"))
	if st.Config.Timeout != 77 {
		t.Errorf("the restore overwrote the other deployment's update: timeout %d", st.Config.Timeout)
	}
}
