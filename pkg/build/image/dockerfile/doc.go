// Package dockerfile builds a Lithops runtime's Dockerfile into a single-platform image with
// docker (buildx), buildah or podman, and loads the result with go-containerregistry.
//
// The user's build context is never written to: files the build needs on top of it (Lithops'
// lithops_lambda.zip) go into a scratch copy of the context under the Spec's work directory, made
// of hard links where the file system allows it. Symlinks in the context that point outside it are
// refused before anything runs. A failed build is a *BuildError naming the Dockerfile line of the
// failing step when the tool reports one.
//
// Builds are reproducible unless Spec.NotReproducible: buildah and podman get --timestamp, docker
// buildx SOURCE_DATE_EPOCH and rewrite-timestamp=true, so the same inputs give the same digest when
// the Dockerfile's steps are deterministic. BuildKey hashes everything a build depends on (the
// Dockerfile, the context after .dockerignore, build arguments, platform, the registry digests of
// its base images, added files, the builder) without building, so that a caller can tell an
// unchanged runtime before spending a build on it. Spec.Cache keeps the builder's layer cache in a
// registry (or buildx's GitHub Actions cache) across runs.
package dockerfile
