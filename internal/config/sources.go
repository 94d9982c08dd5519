package config

import (
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

const sourceDefault = "default"

// value is one raw input value and where it came from.
type value struct {
	raw  string
	from string
}

func (v value) set() bool { return v.from != "" }

// rawInputs holds the raw values of every input, resolved by precedence
// flag > INPUT_* > lithops-config > default.
type rawInputs map[string]value

func (r rawInputs) get(name string) value { return r[name] }

// collect resolves flags and INPUT_* variables; the config file and defaults come later.
func collect(flags map[string]string, getenv func(string) string) rawInputs {
	action := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(io.Discard))
	raw := rawInputs{}
	for _, in := range Inputs {
		if v, ok := flags[in.Name]; ok {
			raw[in.Name] = value{raw: v, from: "--" + in.Name}
			continue
		}
		if v := action.GetInput(in.Name); v != "" {
			raw[in.Name] = value{raw: v, from: "INPUT_" + strings.ToUpper(in.Name)}
		}
	}
	return raw
}

// fill sets name to v when no higher-precedence source set it.
func (r rawInputs) fill(name, v, from string) {
	if v == "" || r[name].set() {
		return
	}
	r[name] = value{raw: v, from: from}
}
