package dockerfile

// dockerBuildArgs is `docker buildx build` writing a single-platform OCI archive: provenance and
// SBOM attestations are off so the archive holds one image manifest (Load still resolves an index).
func dockerBuildArgs(r *resolved, ctxDir string) []string {
	args := []string{"buildx", "build",
		"--platform", r.Platform.String(),
		"--provenance=false", "--sbom=false",
		"-f", r.dockerfile,
		"--output", "type=oci,dest=" + r.output,
	}
	args = append(args, buildArgFlags(r.BuildArgs)...)
	return append(args, ctxDir)
}

// dockerLoadArgs is the fallback of dockerBuildArgs for the classic docker driver: the image goes
// into the daemon under tag.
func dockerLoadArgs(r *resolved, ctxDir, tag string) []string {
	args := []string{"buildx", "build",
		"--platform", r.Platform.String(),
		"--provenance=false", "--sbom=false",
		"-f", r.dockerfile,
		"--load", "-t", tag,
	}
	args = append(args, buildArgFlags(r.BuildArgs)...)
	return append(args, ctxDir)
}

// globalArgs are buildah's and podman's storage flags.
func (b *Builder) globalArgs() []string {
	var args []string
	if b.root != "" {
		args = append(args, "--root", b.root)
	}
	if b.runRoot != "" {
		args = append(args, "--runroot", b.runRoot)
	}
	if b.storage != "" {
		args = append(args, "--storage-driver", b.storage)
	}
	return args
}

// containersBuildArgs is `buildah build` / `podman build`: Docker format (keeps every Dockerfile
// setting, e.g. SHELL), chroot isolation (works inside CI containers without a runtime), no layer
// cache (nothing is reused between runs, and intermediate images would only fill the storage).
func (b *Builder) containersBuildArgs(tool string, r *resolved, ctxDir, tag string) []string {
	args := append(b.globalArgs(), "build",
		"--format", "docker",
		"--platform", r.Platform.String(),
		"--isolation", "chroot",
		"--layers=false",
		"-f", r.dockerfile,
		"-t", tag,
	)
	args = append(args, buildArgFlags(r.BuildArgs)...)
	if len(b.insecure) > 0 {
		args = append(args, "--tls-verify=false")
	}
	return append(args, ctxDir)
}

// containersPushArgs exports the image to an OCI archive with gzip layers. An OCI archive keeps
// the layers compressed as stored (a docker archive holds them uncompressed, and they would be
// compressed again on every read); gzip is explicit because Lambda does not accept zstd layers,
// which containers.conf may make the default. Lambda accepts OCI image manifests as well as Docker
// v2 schema 2 ones.
func (b *Builder) containersPushArgs(tag, output string) []string {
	return append(b.globalArgs(), "push", "--compression-format", "gzip", tag, "oci-archive:"+output)
}

// containersRmiArgs removes the built image from local storage.
func (b *Builder) containersRmiArgs(tag string) []string {
	return append(b.globalArgs(), "rmi", tag)
}
