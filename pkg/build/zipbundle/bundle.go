package zipbundle

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc64"
	"io"
	"strconv"
)

// Bundle describes a zip bundle on disk.
type Bundle struct {
	// Path is the zip file.
	Path string
	// Size is the size of the zip file in bytes.
	Size int64
	// UnzippedSize is the sum of the uncompressed sizes of the entries.
	UnzippedSize int64
	// Files is the number of regular file entries (directories not counted).
	Files int
	// SHA256 is the hex SHA-256 of the zip file.
	SHA256 string
	// CodeSHA256 is the standard base64 of the SHA-256 of the zip file: AWS Lambda's CodeSha256.
	CodeSHA256 string
	// CRC64 is the CRC-64/ECMA-182 of the zip file (Go's hash/crc64 ECMA table), as Aliyun Function
	// Compute's codeChecksum and OSS's x-oss-hash-crc64ecma use it.
	CRC64 uint64
}

// CRC64String returns [Bundle.CRC64] in decimal, the form Function Compute shows as codeChecksum.
func (b Bundle) CRC64String() string {
	return strconv.FormatUint(b.CRC64, 10)
}

// digester computes a [Bundle]'s file identities from the bytes written through it.
type digester struct {
	sha   hash.Hash
	crc   hash.Hash64
	count int64
}

func newDigester() *digester {
	return &digester{sha: sha256.New(), crc: crc64.New(crc64.MakeTable(crc64.ECMA))}
}

// Write implements io.Writer; it never fails.
func (d *digester) Write(p []byte) (int, error) {
	d.sha.Write(p)
	d.crc.Write(p)
	d.count += int64(len(p))
	return len(p), nil
}

// fill sets b's Size and hashes from what was written.
func (d *digester) fill(b *Bundle) {
	sum := d.sha.Sum(nil)
	b.Size = d.count
	b.SHA256 = hex.EncodeToString(sum)
	b.CodeSHA256 = base64.StdEncoding.EncodeToString(sum)
	b.CRC64 = d.crc.Sum64()
}

var _ io.Writer = (*digester)(nil)
