package cli

import (
	"cmp"
	"context"
	"io"
	"log"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakealiyun"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/fakeaws"
	"github.com/lithops-runtime-action/lithops-runtime-action/internal/testutil/lambdabase"
)

// exampleWorkflow is what TestExampleWorkflowsRun reads of examples/workflows/*.yml.
type exampleWorkflow struct {
	Jobs map[string]struct {
		Env      map[string]string `yaml:"env"`
		Strategy struct {
			Matrix map[string][]string `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			ID   string            `yaml:"id"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var expression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// exampleValue stands in for a repository secret or variable an example reads.
func exampleValue(t *testing.T, backend, name string) string {
	switch {
	case strings.Contains(name, "OIDC_PROVIDER_ARN"):
		return "acs:ram::" + fakealiyun.DefaultAccountID + ":oidc-provider/github"
	case strings.Contains(name, "ROLE_ARN") && backend == "aliyun_fc":
		return fakealiyun.DefaultRole
	case strings.Contains(name, "ROLE_ARN"):
		return fakeaws.DefaultRole
	case strings.Contains(name, "BUCKET"):
		return "lithops-example-bucket"
	case name == "ALIBABA_CLOUD_ACCOUNT_ID":
		return fakealiyun.DefaultAccountID
	}
	t.Fatalf("the example reads secrets/vars %s, which this test does not know how to stand in for", name)
	return ""
}

// TestExampleWorkflowsRun executes every example workflow's action step: its inputs (expressions
// filled with stand-ins for secrets, variables and matrix values), and the environment its
// credential steps leave (configure-aws-credentials, configure-aliyun-credentials-action), run
// through the program as in GitHub Actions. Cloud backends run as a dry run against the in-process
// fakes; the local backend runs for real. A broken example fails here, not in a user's repository.
func TestExampleWorkflowsRun(t *testing.T) {
	parallelOffline(t, goodWheels)
	files, err := filepath.Glob("../../examples/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example workflows: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var wf exampleWorkflow
		if err := yaml.Unmarshal(src, &wf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		jobs := slices.Sorted(func(yield func(string) bool) {
			for k := range wf.Jobs {
				if !yield(k) {
					return
				}
			}
		})
		for _, jobName := range jobs {
			job := wf.Jobs[jobName]
			// One run per matrix combination (the examples' matrices have one dimension).
			combos := []map[string]string{{}}
			for k, vals := range job.Strategy.Matrix {
				var next []map[string]string
				for _, c := range combos {
					for _, v := range vals {
						m := map[string]string{k: v}
						for ck, cv := range c {
							m[ck] = cv
						}
						next = append(next, m)
					}
				}
				combos = next
			}
			for _, matrix := range combos {
				keys := make([]string, 0, len(matrix))
				for k, v := range matrix {
					keys = append(keys, k+"="+v)
				}
				sort.Strings(keys)
				name := filepath.Base(f) + "/" + jobName
				if len(keys) > 0 {
					name += "/" + strings.Join(keys, ",")
				}
				t.Run(name, func(t *testing.T) {
					// Every setting goes through the program's environment, none through the process's.
					t.Parallel()
					backend := ""
					for _, s := range job.Steps {
						if strings.HasPrefix(s.Uses, "lithops-runtime-action/lithops-runtime-action@") {
							backend = s.With["backend"]
						}
					}
					toolCache := t.TempDir()
					expand := func(s string) string {
						return expression.ReplaceAllStringFunc(s, func(m string) string {
							e := expression.FindStringSubmatch(m)[1]
							switch {
							case strings.HasPrefix(e, "secrets."), strings.HasPrefix(e, "vars."):
								return exampleValue(t, backend, e[strings.Index(e, ".")+1:])
							case strings.HasPrefix(e, "matrix."):
								return matrix[strings.TrimPrefix(e, "matrix.")]
							case e == "runner.tool_cache":
								return toolCache
							case e == "runner.os":
								return "Linux"
							case strings.HasPrefix(e, "hashFiles("):
								return "0123abcd"
							}
							t.Fatalf("%s: expression %q in an input of the action or a step before it: not known to this test", f, m)
							return ""
						})
					}
					env, outFile, _ := actionsEnv(t, nil)
					env["RUNNER_TOOL_CACHE"] = toolCache
					for k, v := range job.Env {
						env[k] = expand(v)
					}
					ws := t.TempDir()
					writeFile(t, filepath.Join(ws, "requirements.txt"), "acme-text-utils\n")
					for _, s := range job.Steps {
						if s.With["dockerfile"] != "" {
							// The example's Dockerfile is the user's; here it is the stand-in of the
							// Lambda base image, served on 127.0.0.1 (no public registry is reachable).
							base := serveLambdaBaseFor(t, "3.12", s.With["architecture"])
							maps.Copy(env, buildahSandboxEnv(t, strings.Split(base, "/")[0]))
							writeLambdaTemplate(t, filepath.Join(ws, filepath.Dir(s.With["dockerfile"])), base, cmp.Or(s.With["architecture"], "x86_64"))
						}
					}
					setupPython := ""
					ran := false
					for _, s := range job.Steps {
						with := map[string]string{}
						for k, v := range s.With {
							with[k] = expand(v)
						}
						switch {
						case strings.HasPrefix(s.Uses, "actions/setup-python@"):
							setupPython = with["python-version"]
						case strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@"):
							cloud := fakeaws.Start(t)
							for k, v := range cloud.Env(t.TempDir()) {
								env[k] = v
							}
							env["AWS_REGION"], env["AWS_DEFAULT_REGION"] = with["aws-region"], with["aws-region"]
						case strings.HasPrefix(s.Uses, "aliyun/configure-aliyun-credentials-action@"):
							if with["role-to-assume"] == "" || with["oidc-provider-arn"] == "" {
								t.Errorf("%s: configure-aliyun-credentials-action without role-to-assume and oidc-provider-arn", f)
							}
							cloud := fakealiyun.Start(t)
							for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"} {
								env[k] = cloud.Env()[k]
							}
							env["INPUT_FC-ENDPOINT"], env["INPUT_OSS-ENDPOINT"] = cloud.FC3.URL, cloud.OSS.URL
						case strings.HasPrefix(s.Uses, "lithops-runtime-action/lithops-runtime-action@"):
							ran = true
							for k, v := range with {
								env["INPUT_"+strings.ToUpper(k)] = v
							}
							if backend != "local" {
								env["INPUT_DRY-RUN"] = "true"
							}
							if with["requirements"] == "" && with["dockerfile"] == "" {
								t.Fatalf("%s: the action step builds neither requirements nor a dockerfile", f)
							}
							s := runExample(t, ws, env, setupPython)
							if s.code != 0 {
								t.Fatalf("%s: exit %d\n%s%s", f, s.code, s.stdout.String(), s.stderr.String())
							}
							out := fileOutputs(t, outFile)
							if out["runtime-name"] == "" || out["function-name"] == "" {
								t.Errorf("%s: outputs %v", f, out)
							}
							if backend == "local" && out["python-version"] != with["python-version"] {
								t.Errorf("%s: the runtime runs Python %q, the example asks for %q", f, out["python-version"], with["python-version"])
							}
						}
					}
					if !ran {
						t.Fatalf("%s: no step uses the action", f)
					}
				})
			}
		}
	}
}

// runExample runs the program as a step: the python3 probe sees the Python setup-python put on
// PATH (no lithops installed).
func runExample(t *testing.T, ws string, env map[string]string, python string) *session {
	t.Helper()
	env = withWheels(t, env)
	s := &session{env: env}
	s.code = Main(context.Background(), nil, System{
		Getenv: func(k string) string { return env[k] }, Stdout: &s.stdout, Stderr: &s.stderr, Workdir: ws,
		Probe: func(context.Context) (string, string, error) { return python, "", nil },
	})
	return s
}

// serveLambdaBaseFor serves the Lambda base stand-in labelled for architecture (x86_64 or arm64;
// "" is x86_64) from a registry on 127.0.0.1. Its files are the amd64 stand-in's: a dry run builds
// and inspects the image but does not run an image of another architecture.
func serveLambdaBaseFor(t *testing.T, python, architecture string) string {
	t.Helper()
	img, err := lambdabase.Image(python)
	if err != nil {
		t.Fatalf("building the Lambda base stand-in (needs python3.12 on PATH, as .ci/run sets): %v", err)
	}
	if architecture == "arm64" {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.Architecture = "arm64"
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/lambda/python:" + python
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	return ref
}
