package aliyunfc

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss"
	"github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss/credentials"
)

// ObjectAPI is the part of the OSS client the backend uses.
type ObjectAPI interface {
	IsBucketExist(ctx context.Context, bucket string, optFns ...func(*oss.Options)) (bool, error)
	PutBucket(ctx context.Context, request *oss.PutBucketRequest, optFns ...func(*oss.Options)) (*oss.PutBucketResult, error)
	PutObject(ctx context.Context, request *oss.PutObjectRequest, optFns ...func(*oss.Options)) (*oss.PutObjectResult, error)
	GetObject(ctx context.Context, request *oss.GetObjectRequest, optFns ...func(*oss.Options)) (*oss.GetObjectResult, error)
	DeleteObject(ctx context.Context, request *oss.DeleteObjectRequest, optFns ...func(*oss.Options)) (*oss.DeleteObjectResult, error)
}

var _ ObjectAPI = (*oss.Client)(nil)

// NewOSS returns the OSS client at endpoint ("" for oss-<region>.aliyuncs.com; an http:// URL is
// used as is, with path-style bucket addressing, for emulators).
func NewOSS(endpoint, region string, cred Credentials) (ObjectAPI, error) {
	if err := ossRegion(region); err != nil {
		return nil, err
	}
	if endpoint != "" {
		if err := checkEndpoint("OSS", endpoint); err != nil {
			return nil, err
		}
	}
	cfg := oss.LoadDefaultConfig().WithRegion(region).
		WithCredentialsProvider(credentials.NewStaticCredentialsProvider(cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken))
	if endpoint != "" {
		cfg = cfg.WithEndpoint(endpoint)
		if strings.HasPrefix(endpoint, "http://") {
			cfg = cfg.WithUsePathStyle(true).WithDisableSSL(true)
		}
	}
	return oss.NewClient(cfg), nil
}

// ReadObject reads an object; found is false when it or its bucket does not exist.
func (b *Backend) ReadObject(ctx context.Context, bucket, key string) ([]byte, bool, error) {
	out, err := try(ctx, b, func() (*oss.GetObjectResult, error) {
		return b.oss.GetObject(ctx, &oss.GetObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)})
	})
	if err != nil {
		var se *oss.ServiceError
		if errors.As(err, &se) && (se.StatusCode == http.StatusNotFound || se.Code == "NoSuchKey" || se.Code == "NoSuchBucket") {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("reading oss://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, false, fmt.Errorf("reading oss://%s/%s: %w", bucket, key, err)
	}
	return data, true, nil
}

// WriteObject writes an object, creating the bucket when missing.
func (b *Backend) WriteObject(ctx context.Context, bucket, key string, data []byte) error {
	if err := b.ensureBucket(ctx, bucket); err != nil {
		return err
	}
	return b.putObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)))
}

func (b *Backend) putObject(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	// A retry must send the body again: keep it seekable (a file or bytes).
	rs, seekable := body.(io.ReadSeeker)
	_, err := try(ctx, b, func() (*oss.PutObjectResult, error) {
		if seekable {
			if _, err := rs.Seek(0, io.SeekStart); err != nil {
				return nil, err
			}
		}
		return b.oss.PutObject(ctx, &oss.PutObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key), Body: body, ContentLength: oss.Ptr(size)})
	})
	if err != nil {
		return fmt.Errorf("writing oss://%s/%s: %w", bucket, key, err)
	}
	return nil
}

func (b *Backend) deleteObject(ctx context.Context, bucket, key string) error {
	_, err := try(ctx, b, func() (*oss.DeleteObjectResult, error) {
		return b.oss.DeleteObject(ctx, &oss.DeleteObjectRequest{Bucket: oss.Ptr(bucket), Key: oss.Ptr(key)})
	})
	return err
}

// ensureBucket creates the bucket in the region when it does not exist.
func (b *Backend) ensureBucket(ctx context.Context, bucket string) error {
	ok, err := try(ctx, b, func() (bool, error) { return b.oss.IsBucketExist(ctx, bucket) })
	if err != nil {
		return fmt.Errorf("checking OSS bucket %s: %w", bucket, err)
	}
	if ok {
		return nil
	}
	b.log.Info("creating OSS bucket", "bucket", bucket, "region", b.opts.Region)
	if _, err := try(ctx, b, func() (*oss.PutBucketResult, error) {
		return b.oss.PutBucket(ctx, &oss.PutBucketRequest{Bucket: oss.Ptr(bucket)})
	}); err != nil {
		var se *oss.ServiceError
		if errors.As(err, &se) && se.Code == "BucketAlreadyExists" {
			// Ours, created by an earlier attempt whose answer was lost?
			if ok, herr := b.oss.IsBucketExist(ctx, bucket); herr == nil && ok && b.ownsBucket(ctx, bucket) {
				return nil
			}
			return fmt.Errorf("creating OSS bucket %s: the name is taken by another account; set storage-bucket to a bucket of yours", bucket)
		}
		return fmt.Errorf("creating OSS bucket %s: %w", bucket, err)
	}
	return nil
}

// decodeLog decodes a base64 log tail header (raw text when it is not base64).
func decodeLog(s string) string {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return string(b)
	}
	return s
}

// isOSSTransient tells whether an OSS error may pass on a retry: throttling and server errors.
func isOSSTransient(err error) bool {
	var se *oss.ServiceError
	return errors.As(err, &se) && (se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500)
}

// ownsBucket tells whether this account can read the bucket (after BucketAlreadyExists).
func (b *Backend) ownsBucket(ctx context.Context, bucket string) bool {
	_, _, err := b.ReadObject(ctx, bucket, "lithops-runtime-action/ownership-probe")
	return err == nil
}
