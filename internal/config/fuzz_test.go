package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadConfig feeds random input values (as flags or INPUT_* variables) and a random Lithops
// config file through Load: it must never panic, and must return either a Config that holds what
// the rest of the action relies on, or errors that are all *InputError.
func FuzzLoadConfig(f *testing.F) {
	awsYAML := "lithops:\n  backend: aws_lambda\naws:\n  region: eu-west-1\n  access_key_id: AKIAEXAMPLE\naws_lambda:\n  execution_role: arn:aws:iam::123456789012:role/lithops\n  runtime_memory: 1024\n  runtime_timeout: 300\n"
	fcYAML := "lithops:\n  backend: aliyun_fc\naliyun:\n  region: cn-hangzhou\n  account_id: '123'\naliyun_fc:\n  runtime_memory: [1, 2]\n"
	seeds := []struct {
		backend, memory, timeout, python, lithopsVersion, runtimeName, registry, packageType, yaml string
		viaFlags                                                                                   bool
	}{
		{"aws_lambda", "256,1024", "60", "3.12", "3.7.0", "", "", "", awsYAML, true},
		{"", "", "", "", "", "", "", "", awsYAML, false},
		{"aliyun_fc", "512", "", "3.12", "3.7.0", "my-runtime", "", "image", fcYAML, true},
		{"local", "128", "900", "3.11", "3.7.1.dev0", "", "", "zip", "", false},
		{"aws_lambda", "0,,-1", "x", "2.7", "latest", "bad name!", "UPPER/Case@sha256:x", "both", "lithops: [unclosed\n", true},
		{"aws_lambda", "", "", "", "", "rt:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/r:tag", "image", "aws_lambda: [1, 2]\n", false},
		{"", "", "", "", "", "", "", "", "lithops:\n  backend: 7\naws_lambda:\n  runtime_timeout: {a: b}\n", true},
		{"", "", "", "", "", "", "", "", "? [a]\n: b\n", true},
		{"", "", "", "", "", "", "", "", "a: &x [*x]\n", true},
		{"", "", "", "", "", "", "", "", "\xff\xfe", true},
	}
	for _, s := range seeds {
		f.Add(s.backend, s.memory, s.timeout, s.python, s.lithopsVersion, s.runtimeName, s.registry, s.packageType, s.yaml, s.viaFlags)
	}
	f.Fuzz(func(t *testing.T, backend, memory, timeout, python, lithopsVersion, runtimeName, registry, packageType, yaml string, viaFlags bool) {
		ws := t.TempDir()
		if err := os.WriteFile(filepath.Join(ws, "lithops.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		inputs := map[string]string{
			"backend": backend, "memory": memory, "timeout": timeout, "python-version": python,
			"lithops-version": lithopsVersion, "runtime-name": runtimeName, "registry": registry,
			"package-type": packageType, "lithops-config": "lithops.yaml",
		}
		env := map[string]string{"HOME": "/home/runner"}
		var args []string
		for name, v := range inputs {
			if v == "" {
				continue
			}
			if viaFlags {
				args = append(args, "--"+name+"="+v)
			} else {
				env["INPUT_"+strings.ToUpper(name)] = v
			}
		}
		cfg, err := Load(context.Background(), args, Env{
			Getenv:  func(k string) string { return env[k] },
			Workdir: ws,
			Probe:   probe("3.11", "3.7.0", nil),
			GOOS:    "linux",
			GOARCH:  "amd64",
		})
		if err != nil {
			if cfg != nil {
				t.Errorf("Load returned a Config with its error %v", err)
			}
			var all []error
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				all = j.Unwrap()
			} else {
				all = []error{err}
			}
			if got := InputErrors(err); len(got) != len(all) {
				t.Fatalf("Load returned %d problems, %d of them InputErrors: %v", len(all), len(got), err)
			}
			for _, ie := range InputErrors(err) {
				if ie.Input == "" || ie.Rule == "" {
					t.Errorf("InputError without input or rule: %#v", ie)
				}
			}
			if errors.Is(err, ErrHelp) {
				t.Errorf("help requested by %q", args)
			}
			return
		}
		if cfg == nil {
			t.Fatal("Load returned neither a Config nor an error")
		}
		if !isBackend(cfg.Backend) || len(cfg.Memory) == 0 || cfg.Timeout <= 0 || cfg.Lithops.IsZero() ||
			cfg.Python.IsZero() || cfg.RuntimeName == "" || (cfg.PackageType != "zip" && cfg.PackageType != "image") {
			t.Errorf("Load accepted an incomplete Config: %+v", cfg)
		}
	})
}
