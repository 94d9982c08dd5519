package main

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lithops-runtime-action/lithops-runtime-action/internal/config"
)

// actionYAML is the part of action.yml the consistency test checks. Inputs and outputs are kept as
// yaml.Nodes so that their order is preserved.
type actionYAML struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Inputs      yaml.Node `yaml:"inputs"`
	Outputs     yaml.Node `yaml:"outputs"`
	Runs        struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string    `yaml:"id"`
			Shell string    `yaml:"shell"`
			Env   yaml.Node `yaml:"env"`
			Run   string    `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

type actionInput struct {
	Description string  `yaml:"description"`
	Default     *string `yaml:"default"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

// mappingPair is one key of a YAML mapping with its value node, in document order.
type mappingPair struct {
	key   string
	value *yaml.Node
}

// mappingPairs returns the pairs of a mapping node in order; what names the section, for messages.
func mappingPairs(t *testing.T, n *yaml.Node, what string) []mappingPair {
	t.Helper()
	if n.Kind != yaml.MappingNode {
		t.Fatalf("action.yml: %s is not a mapping (kind %d)", what, n.Kind)
	}
	var pairs []mappingPair
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, mappingPair{key: n.Content[i].Value, value: n.Content[i+1]})
	}
	return pairs
}

func loadAction(t *testing.T) actionYAML {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatalf("reading action.yml: %v", err)
	}
	var a actionYAML
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	return a
}

func pairKeys(pairs []mappingPair) []string {
	keys := make([]string, len(pairs))
	for i, p := range pairs {
		keys[i] = p.key
	}
	return keys
}

func TestActionInputsMatchConfig(t *testing.T) {
	a := loadAction(t)
	pairs := mappingPairs(t, &a.Inputs, "inputs")
	byName := map[string]*yaml.Node{}
	for _, p := range pairs {
		if _, dup := byName[p.key]; dup {
			t.Errorf("action.yml: input %q is declared twice", p.key)
		}
		byName[p.key] = p.value
	}
	known := map[string]bool{}
	for i, in := range config.Inputs {
		known[in.Name] = true
		node, ok := byName[in.Name]
		if !ok {
			t.Errorf("action.yml: input %q (config.Inputs[%d]) is missing", in.Name, i)
			continue
		}
		if i >= len(pairs) || pairs[i].key != in.Name {
			got := "(none)"
			if i < len(pairs) {
				got = pairs[i].key
			}
			t.Errorf("action.yml: input #%d is %q, config.Inputs has %q there (order must match)", i+1, got, in.Name)
		}
		var ai actionInput
		if err := node.Decode(&ai); err != nil {
			t.Errorf("action.yml: input %q: %v", in.Name, err)
			continue
		}
		if strings.TrimSpace(ai.Description) == "" {
			t.Errorf("action.yml: input %q has no description", in.Name)
		}
		switch {
		case in.Default == "" && ai.Default != nil:
			t.Errorf("action.yml: input %q has default %q, config.Inputs has none (omit default:)", in.Name, *ai.Default)
		case in.Default != "" && ai.Default == nil:
			t.Errorf("action.yml: input %q has no default, config.Inputs has %q", in.Name, in.Default)
		case in.Default != "" && *ai.Default != in.Default:
			t.Errorf("action.yml: input %q has default %q, config.Inputs has %q", in.Name, *ai.Default, in.Default)
		}
	}
	for _, p := range pairs {
		if !known[p.key] {
			t.Errorf("action.yml: input %q is not in config.Inputs", p.key)
		}
	}
	if t.Failed() {
		t.Logf("action.yml inputs: %v", pairKeys(pairs))
	}
}

func TestActionOutputsMatchConfig(t *testing.T) {
	a := loadAction(t)
	pairs := mappingPairs(t, &a.Outputs, "outputs")
	if len(pairs) != len(config.Outputs) {
		t.Errorf("action.yml has %d outputs, config.Outputs has %d", len(pairs), len(config.Outputs))
	}
	known := map[string]bool{}
	for _, out := range config.Outputs {
		known[out.Name] = true
	}
	for i, p := range pairs {
		if !known[p.key] {
			t.Errorf("action.yml: output %q is not in config.Outputs", p.key)
		}
		if i < len(config.Outputs) && p.key != config.Outputs[i].Name {
			t.Errorf("action.yml: output #%d is %q, config.Outputs has %q there (order must match)", i+1, p.key, config.Outputs[i].Name)
		}
		var ao actionOutput
		if err := p.value.Decode(&ao); err != nil {
			t.Errorf("action.yml: output %q: %v", p.key, err)
			continue
		}
		if strings.TrimSpace(ao.Description) == "" {
			t.Errorf("action.yml: output %q has no description", p.key)
		}
		if want := "${{ steps.run.outputs." + p.key + " }}"; ao.Value != want {
			t.Errorf("action.yml: output %q has value %q, want %q", p.key, ao.Value, want)
		}
	}
	have := map[string]bool{}
	for _, p := range pairs {
		have[p.key] = true
	}
	for _, out := range config.Outputs {
		if !have[out.Name] {
			t.Errorf("action.yml: output %q (config.Outputs) is missing", out.Name)
		}
	}
}

func TestActionRunStepPassesEveryInput(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Errorf("action.yml: runs.using is %q, want composite", a.Runs.Using)
	}
	if strings.TrimSpace(a.Name) == "" || strings.TrimSpace(a.Description) == "" {
		t.Errorf("action.yml: name and description must be set")
	}
	stepIdx := -1
	for i, s := range a.Runs.Steps {
		if s.Shell != "bash" {
			t.Errorf("action.yml: step #%d (id %q) has shell %q, want bash", i+1, s.ID, s.Shell)
		}
		if s.ID == "run" {
			stepIdx = i
		}
	}
	if stepIdx < 0 {
		t.Fatalf("action.yml: no step with id: run")
	}
	pairs := mappingPairs(t, &a.Runs.Steps[stepIdx].Env, "the env of step run")
	count := map[string]int{}
	values := map[string]string{}
	for _, p := range pairs {
		count[p.key]++
		values[p.key] = p.value.Value
	}
	want := map[string]bool{}
	for _, in := range config.Inputs {
		key := "INPUT_" + strings.ToUpper(in.Name)
		want[key] = true
		switch count[key] {
		case 0:
			t.Errorf("action.yml: step run does not pass input %q (env %s missing)", in.Name, key)
			continue
		case 1:
		default:
			t.Errorf("action.yml: step run sets %s (input %q) %d times", key, in.Name, count[key])
		}
		if wantV := "${{ inputs." + in.Name + " }}"; values[key] != wantV {
			t.Errorf("action.yml: step run env %s (input %q) is %q, want %q", key, in.Name, values[key], wantV)
		}
	}
	for _, p := range pairs {
		if strings.HasPrefix(p.key, "INPUT_") && !want[p.key] {
			t.Errorf("action.yml: step run sets %s, which is not an input of config.Inputs", p.key)
		}
	}
}
