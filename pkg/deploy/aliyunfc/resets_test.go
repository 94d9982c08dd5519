package aliyunfc

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestIsReset(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{fmt.Errorf("GetFunction f: %w", io.ErrUnexpectedEOF), true},
		{errors.New(`Get "http://127.0.0.1:1/2023-03-30/functions/f": EOF`), true}, // as the FC 3.0 SDK flattens it
		{errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer"), true},
		{&APIError{Status: 500, Code: "InternalServerError", Message: "EOF"}, false}, // the service answered
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), false},
		{nil, false},
	} {
		if got := isReset(tc.err); got != tc.want {
			t.Errorf("isReset(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
