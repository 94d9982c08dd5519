package cloudname

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		check func(string) error
		good  []string
		bad   []string
	}{
		{"S3Bucket", S3Bucket,
			[]string{"abc", "my-bucket", "my.bucket.1", "lithops-us-east-1-abcd", "a1-b2"},
			[]string{"ab", "My_Bucket", "my_bucket", "-bucket", "bucket-", "my..bucket", "192.168.5.4", "adv-bucket/../other", "xn--abc", "sthree-x", "b-s3alias", "b--ol-s3", "b.mrap", "b--x-s3", "b--table-s3", "bucket\n", string(make([]byte, 64))}},
		{"OSSBucket", OSSBucket,
			[]string{"abc", "lithops-cn-hangzhou-0a1b2c3d4e5f", "test-bucket-2021"},
			[]string{"ab", "Examplebucket1", "test_bucket_2021", "aliyun-oss-bucket-", "my.bucket", "a/b"}},
		{"AWSRegion", AWSRegion,
			[]string{"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1", "ap-southeast-5", "eusc-de-east-1"},
			[]string{"", "us-east", "US-EAST-1", "us-east-one", "127.0.0.1:47999/x?", "us-east-1.evil.com", "local"}},
		{"AliyunRegion", AliyunRegion,
			[]string{"cn-hangzhou", "ap-southeast-1", "cn-shenzhen-finance-1", "cn-hongkong", "me-east-1"},
			[]string{"", "cn", "CN-HANGZHOU", "127.0.0.1:47999/x?", "cn-hangzhou.evil.com", "cn-hangzhou/x"}},
		{"AWSAccountID", AWSAccountID, []string{"123456789012"}, []string{"12345678901", "1234567890123", "12345678901a", ""}},
		{"AliyunAccountID", AliyunAccountID, []string{"1234567890123456", "5015403"}, []string{"", "127.0.0.1:47999/x?", "12ab", "1.2"}},
	} {
		for _, s := range tc.good {
			if err := tc.check(s); err != nil {
				t.Errorf("%s(%q) = %v, want nil", tc.rule, s, err)
			}
		}
		for _, s := range tc.bad {
			if err := tc.check(s); err == nil {
				t.Errorf("%s(%q) accepted", tc.rule, s)
			}
		}
	}
}

func TestParseIAMRole(t *testing.T) {
	got, err := ParseIAMRole("arn:aws-us-gov:iam::123456789012:role/path/to/lithops")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(RoleARN{Partition: "aws-us-gov", Account: "123456789012", Name: "path/to/lithops"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"lithops", "arn:aws:iam::12345:role/x", "arn:aws:iam::123456789012:user/x", "arn:aws:sts::123456789012:assumed-role/x/y", "arn:aws:iam::123456789012:role/"} {
		if _, err := ParseIAMRole(bad); err == nil {
			t.Errorf("ParseIAMRole(%q) accepted", bad)
		}
	}
	for region, want := range map[string]string{"us-east-1": "aws", "cn-northwest-1": "aws-cn", "us-gov-east-1": "aws-us-gov", "us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b"} {
		if got := PartitionOfRegion(region); got != want {
			t.Errorf("PartitionOfRegion(%s) = %s, want %s", region, got, want)
		}
	}
}
