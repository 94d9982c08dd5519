package fakealiyun

import "fmt"

// UpdateFunction3 changes an FC 3.0 function as another deployment's UpdateFunction would: the
// change is made at once, and the function is InProgress for Settle. For tests of concurrent
// deployments, where the fake's own hooks run "the other deployment" at a chosen moment.
func (c *Cloud) UpdateFunction3(name string, change func(*Function)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	f, ok := c.fc3[name]
	if !ok {
		return fmt.Errorf("function %s does not exist", name)
	}
	change(&f.cfg)
	f.cfg.LastModifiedTime = c.now().UTC().Format(fc3Time)
	f.cfg.LastUpdateStatus = "InProgress"
	f.settleAt = c.now().Add(c.Settle)
	return nil
}
