package run

import "sync/atomic"

// currentStage is the stage the run of this process is in ("" before the first), for Where.
var currentStage atomic.Value

func setStage(name string) { currentStage.Store(name) }

// Where says where a run stopped when the process exits without waiting for it (a second
// interrupt): the stage it was in, and what that means for the cloud.
func Where() string {
	name, _ := currentStage.Load().(string)
	switch name {
	case "":
		return "it stopped before building: nothing was deployed"
	case "build", "limits", "local-test":
		return "it stopped in the " + name + " stage: nothing was deployed, the cloud is as it was"
	case "plan":
		return "it stopped while planning: nothing was changed in the cloud"
	case "deploy":
		return "it stopped in the deploy stage: some functions or the layer may be changed and not checked, and no runtime metadata was written: run again to converge"
	case "verify":
		return "it stopped in the smoke test: the functions run the new runtime, unchecked, and no runtime metadata was written: run again"
	case "publish":
		return "it stopped while writing the runtime metadata: some functions may lack theirs: run again to write it"
	}
	return "it stopped in the " + name + " stage: run again to converge"
}
