// Package zipbundle writes deterministic zip bundles (AWS Lambda layer and function zips, Aliyun
// Function Compute code zips) fast, and extracts them safely.
//
// [Write] walks one or more source directories into a single archive tree, compresses the entries
// in parallel and writes them in path order, so the same tree always gives the same bytes whatever
// the file system order, modification times, umask or number of CPUs. While writing it computes the
// identities the clouds compare: SHA-256 (Lambda's CodeSha256 is its base64) and CRC-64/ECMA-182
// (Function Compute's codeChecksum). [Extract] unpacks a bundle for the local function host, refusing
// entries that would escape the target directory. [Inspect] recomputes a bundle's sizes and hashes
// from a file on disk.
package zipbundle
