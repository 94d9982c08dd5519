package build

import "strings"

// BuildKeyLabel is the image label, and the function tag, that records a Dockerfile build's key;
// ContentDigestTag is the function tag that records the digest of the image before that label, and
// ImageDigestTag the digest of the image deployed with them: a function whose image was changed by
// other means no longer matches its tags. All use only characters AWS Lambda and Function Compute
// 3.0 accept in tag keys; digests are stored as hex, without "sha256:".
const (
	BuildKeyLabel    = "lithops-runtime-action.build-key"
	ContentDigestTag = "lithops-runtime-action.content-digest"
	ImageDigestTag   = "lithops-runtime-action.image-digest"
)

// BuildKeyTags are the tags that record an image runtime's build on its functions: the build key,
// content digest and image digest of a Dockerfile build; "none" for other image builds (so that no
// earlier Dockerfile build's tags stay); no tags for zip runtimes.
func BuildKeyTags(art *Artifact) map[string]string {
	if art.PackageType != Image {
		return nil
	}
	if art.BuildKey == "" {
		return map[string]string{BuildKeyLabel: "none", ContentDigestTag: "none", ImageDigestTag: "none"}
	}
	return map[string]string{
		BuildKeyLabel:    art.BuildKey,
		ContentDigestTag: strings.TrimPrefix(art.ContentDigest, "sha256:"),
		ImageDigestTag:   strings.TrimPrefix(art.ImageDigest, "sha256:"),
	}
}

// LiveImageFromTags is the LiveImage of a function running digest with tags: the build key and
// content digest count only when the image digest tag names the image the function runs.
func LiveImageFromTags(digest string, tags map[string]string) *LiveImage {
	li := &LiveImage{Digest: digest}
	if tags[ImageDigestTag] != "" && "sha256:"+tags[ImageDigestTag] == digest {
		li.BuildKey = tags[BuildKeyLabel]
		if c := tags[ContentDigestTag]; c != "" && c != "none" {
			li.ContentDigest = "sha256:" + c
		}
	}
	return li
}

// LiveImage is the image every function of a runtime runs, as the backend read it: its digest and
// the build key and content digest its functions are tagged with ("" when untagged).
type LiveImage struct {
	Digest        string
	BuildKey      string
	ContentDigest string
}
