package fakealiyun

import (
	"fmt"
	"net/http"
	"testing"

	fc3 "github.com/alibabacloud-go/fc-20230330/v4/client"
	"github.com/alibabacloud-go/tea/tea"
	"github.com/google/go-cmp/cmp"
)

// TestFC3Tags: CreateFunction takes tags, TagResources adds and replaces them by function ARN
// without updating the function, GetFunction returns them; FC's limits are enforced.
func TestFC3Tags(t *testing.T) {
	cloud := Start(t)
	client := fc3Client(t, cloud, AccessKeyID)
	in := createInput("tagged", "python3.12", zipOf(t, map[string]string{"entry_point.py": okHandler}))
	in.Tags = []*fc3.Tag{{Key: tea.String("a"), Value: tea.String("1")}}
	if _, err := client.CreateFunction(&fc3.CreateFunctionRequest{Body: in}); err != nil {
		t.Fatal(err)
	}
	before := waitFC3(t, client, "tagged")
	arn := fmt.Sprintf("acs:fc:%s:%s:functions/tagged", cloud.Region, cloud.AccountID)
	tag := func(id string, tags ...string) error {
		var ts []*fc3.Tag
		for i := 0; i < len(tags); i += 2 {
			ts = append(ts, &fc3.Tag{Key: tea.String(tags[i]), Value: tea.String(tags[i+1])})
		}
		_, err := client.TagResources(&fc3.TagResourcesRequest{Body: &fc3.TagResourcesInput{
			ResourceType: tea.String("FUNCTION"), ResourceId: []*string{tea.String(id)}, Tag: ts,
		}})
		return err
	}
	if err := tag(arn, "a", "2", "lithops-runtime-action.build-key", "k"); err != nil {
		t.Fatal(err)
	}
	after := waitFC3(t, client, "tagged")
	got := map[string]string{}
	for _, tg := range after.Tags {
		got[tea.StringValue(tg.Key)] = tea.StringValue(tg.Value)
	}
	if diff := cmp.Diff(map[string]string{"a": "2", "lithops-runtime-action.build-key": "k"}, got); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if tea.StringValue(after.LastModifiedTime) != tea.StringValue(before.LastModifiedTime) {
		t.Errorf("tagging updated the function (lastModifiedTime %s -> %s)", tea.StringValue(before.LastModifiedTime), tea.StringValue(after.LastModifiedTime))
	}
	many := []string{}
	for i := 0; i < 20; i++ {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	long := string(make([]byte, 65))
	for _, tt := range []struct {
		name string
		err  error
		want sdkError
	}{
		{"the function name instead of its ARN", tag("tagged", "b", "1"), sdkError{"InvalidArgument", http.StatusBadRequest}},
		{"a function that does not exist", tag(arn+"x", "b", "1"), sdkError{"FunctionNotFound", http.StatusNotFound}},
		{"over 20 tags", tag(arn, many...), sdkError{"InvalidArgument", http.StatusBadRequest}},
		{"a reserved key", tag(arn, "aliyun:x", "1"), sdkError{"InvalidArgument", http.StatusBadRequest}},
		{"a key over 64 characters", tag(arn, long, "1"), sdkError{"InvalidArgument", http.StatusBadRequest}},
	} {
		if diff := cmp.Diff(tt.want, fc3Err(tt.err)); diff != "" {
			t.Errorf("%s: error (-want +got):\n%s", tt.name, diff)
		}
	}
}
