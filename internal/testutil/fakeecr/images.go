package fakeecr

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"
)

// describeImages answers DescribeImages: the repository's images (by digest, with their tags), as
// the registry holds them.
func (e *ECR) describeImages(name string) (any, *apiError) {
	repo, ok := e.Repository(name)
	if !ok {
		return nil, &apiError{http.StatusBadRequest, "RepositoryNotFoundException",
			fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, Account)}
	}
	get := func(method, path string) (*http.Response, error) {
		req, err := http.NewRequest(method, e.Registry.URL+"/v2/"+name+path, nil)
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(User, e.password)
		req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json")
		return http.DefaultClient.Do(req)
	}
	internal := func(err error) (any, *apiError) {
		return nil, &apiError{http.StatusInternalServerError, "ServerException", "fakeecr: reading the registry: " + err.Error()}
	}
	res, err := get(http.MethodGet, "/tags/list")
	if err != nil {
		return internal(err)
	}
	var list struct {
		Tags []string `json:"tags"`
	}
	err = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if err != nil && res.StatusCode == http.StatusOK {
		return internal(err)
	}
	type detail struct {
		tags      []string
		mediaType string
		size      int64
	}
	byDigest := map[string]*detail{}
	for _, tag := range list.Tags {
		res, err := get(http.MethodHead, "/manifests/"+tag)
		if err != nil {
			return internal(err)
		}
		res.Body.Close()
		digest := res.Header.Get("Docker-Content-Digest")
		if digest == "" {
			continue
		}
		d, ok := byDigest[digest]
		if !ok {
			d = &detail{mediaType: res.Header.Get("Content-Type"), size: res.ContentLength}
			byDigest[digest] = d
		}
		d.tags = append(d.tags, tag)
	}
	images := []map[string]any{}
	for _, digest := range slices.Sorted(maps.Keys(byDigest)) {
		d := byDigest[digest]
		images = append(images, map[string]any{
			"registryId": Account, "repositoryName": repo.Name, "imageDigest": digest, "imageTags": d.tags,
			"imageSizeInBytes": d.size, "imagePushedAt": time.Now().Unix(), "imageManifestMediaType": d.mediaType,
		})
	}
	return map[string]any{"imageDetails": images}, nil
}
