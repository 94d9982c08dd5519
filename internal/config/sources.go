package config

import (
	"flag"
	"fmt"
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

// parseFlags parses args as one flag per input (kebab-case names) and returns the ones given.
func parseFlags(args []string, usage io.Writer) (map[string]string, error) {
	fs := flag.NewFlagSet("lithops-runtime", flag.ContinueOnError)
	fs.SetOutput(usage)
	vals := make(map[string]*string, len(Inputs))
	for _, in := range Inputs {
		vals[in.Name] = fs.String(in.Name, "", in.Description)
	}
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: lithops-runtime [--input value ...]\n\n"+
			"Builds a Lithops runtime, deploys it, smoke-tests it and publishes its outputs.\n"+
			"Every input may also come from INPUT_<NAME> (GitHub Actions) or a Lithops config file.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: every input is a flag, e.g. --requirements %s", fs.Arg(0), fs.Arg(0))
	}
	given := map[string]string{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = strings.TrimSpace(*vals[f.Name]) })
	return given, nil
}

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
