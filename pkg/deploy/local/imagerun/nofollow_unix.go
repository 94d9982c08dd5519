//go:build unix

package imagerun

import "syscall"

// noFollow makes creating a regular file fail instead of writing through a symlink.
const noFollow = syscall.O_NOFOLLOW
