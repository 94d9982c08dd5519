package pip

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCheckRequirementsTree: what pip would fail on with a traceback (include cycles, binary
// content) or would echo into the log (a file outside the workspace) is refused before pip runs,
// naming the file and line and never the content; includes that are fine pass.
func TestCheckRequirementsTree(t *testing.T) {
	const secret = "root:$6$s3cr3t-hash:19000:0:99999:7:::"
	outside := filepath.Join(t.TempDir(), "shadow")
	if err := os.WriteFile(outside, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		files   map[string]string // relative to the workspace; "@target" makes a symbolic link
		start   string
		wantErr string // "" for none
		errFile string
		errLine int
	}{
		{name: "plain", files: map[string]string{"requirements.txt": "six\n"}, start: "requirements.txt"},
		{name: "diamond includes", start: "requirements.txt", files: map[string]string{
			"requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-r common.txt\n", "b.txt": "--requirement=common.txt\n", "common.txt": "six\n"}},
		{name: "include up the tree, inside the workspace", start: "svc/requirements.txt", files: map[string]string{
			"svc/requirements.txt": "# base\n-r ../base.txt\n", "base.txt": "six\n"}},
		{name: "utf-8 with a BOM", start: "requirements.txt", files: map[string]string{"requirements.txt": "\ufeffsix  # é\n"}},
		{name: "cycle", start: "requirements.txt", files: map[string]string{"requirements.txt": "six\n-r other.txt\n", "other.txt": "\n-r requirements.txt\n"},
			wantErr: "an include cycle", errFile: "other.txt", errLine: 2},
		{name: "self include", start: "requirements.txt", files: map[string]string{"requirements.txt": "-rrequirements.txt\n"},
			wantErr: "an include cycle", errFile: "requirements.txt", errLine: 1},
		{name: "binary garbage", start: "requirements.txt", files: map[string]string{"requirements.txt": "six\n\xff\xfe\x00garbage\x9c"},
			wantErr: "is not UTF-8 text", errFile: "requirements.txt", errLine: 2},
		{name: "NUL bytes", start: "requirements.txt", files: map[string]string{"requirements.txt": "six\x00\n"},
			wantErr: "NUL byte", errFile: "requirements.txt", errLine: 1},
		{name: "absolute include outside the workspace", start: "requirements.txt", files: map[string]string{"requirements.txt": "six\n-r " + outside + "\n"},
			wantErr: "is outside", errFile: "requirements.txt", errLine: 2},
		{name: "constraint outside the workspace", start: "requirements.txt", files: map[string]string{"requirements.txt": "-c ../../../../../../../../../.." + outside + "\n"},
			wantErr: "is outside", errFile: "requirements.txt", errLine: 1},
		{name: "symbolic link out of the workspace", start: "requirements.txt", files: map[string]string{"requirements.txt": "-r link.txt\n", "link.txt": "@" + outside},
			wantErr: "is outside", errFile: "requirements.txt", errLine: 1},
		{name: "missing include", start: "requirements.txt", files: map[string]string{"requirements.txt": "six\n\n-r nope.txt\n"},
			wantErr: "-r nope.txt cannot be read", errFile: "requirements.txt", errLine: 3},
		{name: "a directory", start: "requirements.txt", files: map[string]string{"requirements.txt": "-r sub\n", "sub/x": "six\n"},
			wantErr: "is not a regular file", errFile: "sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(ws, name)
				os.MkdirAll(filepath.Dir(p), 0o755)
				var err error
				if target, ok := strings.CutPrefix(content, "@"); ok {
					err = os.Symlink(target, p)
				} else {
					err = os.WriteFile(p, []byte(content), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			err := CheckRequirementsTree(filepath.Join(ws, tc.start), ws)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var re *RequirementsError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			}
			if filepath.Base(re.File) != tc.errFile || re.Line != tc.errLine {
				t.Errorf("error at %s line %d, want %s line %d: %v", re.File, re.Line, tc.errFile, tc.errLine, err)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("the error shows the content of a file outside the workspace: %v", err)
			}
		})
	}
}

// TestCheckRequirementsTreeFIFO: a FIFO named as requirements would hang pip (and any reader):
// it is refused without being opened.
func TestCheckRequirementsTreeFIFO(t *testing.T) {
	ws := t.TempDir()
	fifo := filepath.Join(ws, "requirements.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckRequirementsTree(fifo, ws); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("FIFO: %v", err)
	}
}
