// Package dockerfile builds a Lithops runtime's Dockerfile into a single-platform image with
// docker (buildx), buildah or podman, and loads the result with go-containerregistry.
//
// The user's build context is never written to: files the build needs on top of it (Lithops'
// lithops_lambda.zip) go into a scratch copy of the context under the Spec's work directory, made
// of hard links where the file system allows it. Symlinks in the context that point outside it are
// refused before anything runs. A failed build is a *BuildError naming the Dockerfile line of the
// failing step when the tool reports one.
package dockerfile
