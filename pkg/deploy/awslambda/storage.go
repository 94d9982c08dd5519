package awslambda

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// ReadObject reads an object of the storage bucket; found is false when the object or the bucket
// does not exist.
func (b *Backend) ReadObject(ctx context.Context, bucket, key string) ([]byte, bool, error) {
	out, err := b.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, false, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, err)
	}
	return data, true, nil
}

// WriteObject writes an object, creating the bucket in the region if it is missing.
func (b *Backend) WriteObject(ctx context.Context, bucket, key string, data []byte) error {
	if err := b.ensureBucket(ctx, bucket); err != nil {
		return err
	}
	if err := b.putObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data))); err != nil {
		return fmt.Errorf("writing s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

func (b *Backend) putObject(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	_, err := b.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body, ContentLength: aws.Int64(size)})
	return err
}

func (b *Backend) deleteObject(ctx context.Context, bucket, key string) error {
	_, err := b.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err
}

// ensureBucket creates the bucket in the backend's region when it does not exist.
func (b *Backend) ensureBucket(ctx context.Context, bucket string) error {
	_, err := b.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return fmt.Errorf("checking bucket %s: %w", bucket, err)
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	region := b.storageRegion()
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	b.log.Info("creating the storage bucket", "bucket", bucket, "region", region)
	if _, err := b.s3.CreateBucket(ctx, in); err != nil {
		var owned *s3types.BucketAlreadyOwnedByYou
		if errors.As(err, &owned) {
			return nil
		}
		// A create whose reply was lost and retried, or another run's create: the bucket is ours
		// when it can be read now (S3 answers BucketAlreadyExists for one owned by someone else too).
		if _, herr := b.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); herr == nil {
			return nil
		}
		return fmt.Errorf("creating bucket %s in %s: %w (set storage-bucket to a bucket you own)", bucket, region, err)
	}
	return nil
}

// isNotFound reports a missing bucket or object.
func isNotFound(err error) bool {
	var nsk *s3types.NoSuchKey
	var nsb *s3types.NoSuchBucket
	var nf *s3types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nsb) || errors.As(err, &nf) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NoSuchBucket", "NotFound", "404":
			return true
		}
	}
	return false
}
