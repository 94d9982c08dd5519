package run

import (
	"fmt"
	"strings"
)

// interrupted explains where an interrupted run (its context canceled: SIGTERM, a cancelled
// workflow) left the cloud, after the error of the stage it stopped in.
func (p *pipeline) interrupted(stage string, err error) error {
	var state string
	switch stage {
	case "build", "limits", "local-test":
		state = "nothing was deployed: the cloud is as it was"
	case "deploy":
		// After a partial deployment, the backend's error says what it had changed.
		if !p.partial {
			state = "nothing was changed in the cloud: run again to deploy"
		}
	case "verify":
		state = "the functions run the new runtime, which was not checked, and no runtime metadata was written: run again to check it and write the metadata"
	case "publish":
		state = fmt.Sprintf("the functions run the new, checked runtime; runtime metadata was written for %d of %d functions%s: run again to write the rest",
			len(p.written), len(p.plan.Functions), writtenList(p.written))
	}
	if state == "" {
		return err
	}
	return fmt.Errorf("%w\n%s", err, state)
}

func writtenList(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return " (" + strings.Join(keys, ", ") + ")"
}
