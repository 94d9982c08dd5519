// Package imagerun runs an AWS Lambda container image on this machine: it unpacks the image's
// filesystem, starts the image's ENTRYPOINT+CMD the way Lambda does (in its WorkingDir, with
// its Env plus the AWS_LAMBDA_* variables) against an in-process Runtime API server (package
// runtimeapi), and invokes it.
//
// Isolation modes (WithIsolation):
//
//   - "chroot" (Linux, root): the process runs chrooted into the unpacked rootfs, in a new mount
//     namespace (CLONE_NEWNS; not a new PID namespace, so that its getpid() is its pid in the
//     /proc it sees), its own process group, as the
//     unprivileged uid 993, gid 990 (Lambda too runs functions as an unprivileged user: the
//     image's files must be readable by others, and only /tmp is writable for them). It
//     shares the host's network (the runtime reaches the Runtime API on 127.0.0.1) and IPC:
//     this is for fidelity, not a sandbox for untrusted images. Before the process starts,
//     Start prepares the rootfs (a private copy under WithTempDir, so writes never reach the
//     image or the host): a fresh procfs is mounted on /proc (mounted from this process, so it
//     lists the host's PID namespace, which the function's processes are in); /dev/null, /dev/zero, /dev/random
//     and /dev/urandom are bind mounts of the host's devices, and /dev/fd, /dev/stdin,
//     /dev/stdout and /dev/stderr are symlinks into /proc/self/fd; /tmp is the rootfs's own
//     directory (mode 1777); /etc/resolv.conf is a copy of the host's, and /etc/hosts gets
//     localhost entries when the image has none. A symlink or file where one of these
//     directories should be is replaced by a real directory, so a mount never lands outside
//     the rootfs. The mounts are made in this process's mount namespace and removed by Close,
//     which removes the rootfs only once nothing is mounted under it.
//   - "docker": the image is loaded into the Docker daemon (docker load) and run with
//     docker run --rm --network host, so the container reaches the Runtime API on 127.0.0.1
//     (Linux hosts).
//   - "none": no isolation, for tests on machines without root. The entrypoint's absolute path
//     and the working directory are taken relative to the rootfs, but everything else the
//     process does with absolute paths (interpreters named in #! lines, PATH, the image's Env,
//     files it opens) resolves on the host filesystem.
//   - "auto" (the default): chroot when running as root on Linux; when chroot is not permitted
//     (not root, or EPERM), docker when a Docker daemon answers; otherwise Start fails with
//     ErrNoIsolation.
//
// Lambda semantics kept: one invocation at a time per Instance; the function timeout counts
// from when the runtime picks the event up; after a timeout, an init error or a crash of the
// runtime process, the process is stopped and a new one is started by the next Invoke (Lambda
// replaces the execution environment). Not kept: memory size is reported
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE) but not enforced, /tmp's size is not limited, and in the
// "none" and "docker" modes the process may write outside /tmp.
package imagerun
