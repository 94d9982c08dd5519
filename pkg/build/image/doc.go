// Package image builds and normalizes container images for Lithops runtimes: daemonless assembly
// from directories on a base image (the way ko builds Go images), loading images built by
// Dockerfile builders, and reduction to the single-platform manifest AWS Lambda requires.
package image
