package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
)

// TestAliyunFCConvergesUnderResets: with 30% of FC and OSS calls failing, a quarter of them by
// a connection reset before the call is served and a quarter by a reply lost after it was served,
// a first deployment (creates) still ends exactly as without faults, on both FC generations: reads
// and idempotent writes are retried on resets, and a create whose reply was lost is recognised.
func TestAliyunFCConvergesUnderResets(t *testing.T) {
	parallelOffline(t, fcWheels)
	for _, v := range []struct{ lithops, python, service, runtime string }{
		{"3.7.0", "3.12", "", "default-python-runtime-v312"}, {"3.6.0", "3.10", "lithops_ltai", "default-runtime-v310"}} {
		t.Run(v.lithops, func(t *testing.T) {
			t.Parallel()
			bucket := fcBucket(v.lithops, fakealiyun.DefaultRegion, fakealiyun.AccessKeyID, fakealiyun.DefaultAccountID)
			end := func(seed int64) (map[string]fakealiyun.FunctionState, []string) {
				d := newFCDeploy(t, v.lithops, v.python)
				if seed != 0 {
					d.cloud.Fault = fakealiyun.RandomFaults(0.3, seed)
				}
				s := d.run(t)
				if s.code != 0 {
					t.Fatalf("seed %d: exit %d\n%s", seed, s.code, s.stderr.String())
				}
				states := map[string]fakealiyun.FunctionState{}
				for _, m := range []int{256, 512} {
					fn := fcName(v.runtime, m, v.lithops)
					st, _ := d.function(fn, v.service)
					st.Config.LastModifiedTime, st.Config.CreatedTime, st.Config.FunctionID = "", "", ""
					states[fn] = st
				}
				return states, d.cloud.Objects(bucket)
			}
			want, wantObjects := end(0)
			for _, seed := range []int64{5, 8} {
				got, gotObjects := end(seed)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("seed %d: functions (-without faults +with):\n%s", seed, diff)
				}
				if diff := cmp.Diff(wantObjects, gotObjects); diff != "" {
					t.Errorf("seed %d: bucket objects (-without faults +with):\n%s", seed, diff)
				}
			}
		})
	}
}
