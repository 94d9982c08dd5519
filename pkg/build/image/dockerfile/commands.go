package dockerfile

import "strings"

// dockerBuildArgs is `docker buildx build` writing a single-platform OCI archive: provenance and
// SBOM attestations are off so the archive holds one image manifest (Load still resolves an index).
// A reproducible build passes SOURCE_DATE_EPOCH as a build argument (BuildKit sets the image's
// creation time and history from it, and passes it to RUN steps) and has the exporter rewrite
// the times of the files in every layer to it (rewrite-timestamp=true, BuildKit >= 0.13).
func dockerBuildArgs(r *resolved, ctxDir string) []string {
	output := "type=oci,dest=" + r.output
	if r.epoch() != "" {
		output += ",rewrite-timestamp=true"
	}
	args := []string{"buildx", "build",
		"--platform", r.Platform.String(),
		"--provenance=false", "--sbom=false",
		"-f", r.dockerfile,
		"--output", output,
	}
	args = append(args, dockerCacheArgs(r.Cache)...)
	args = append(args, buildArgFlags(r.buildArgs())...)
	return append(args, ctxDir)
}

// dockerCacheArgs are buildx's --cache-from/--cache-to for a Spec's Cache: the GitHub Actions
// cache ("gha"), a registry cache (a repository), or a backend spelled as buildx does. mode=max
// exports every stage's layers, so that the layers before a changed step are found next time.
func dockerCacheArgs(cache string) []string {
	var from string
	switch {
	case cache == "":
		return nil
	case cache == "gha":
		from = "type=gha"
	case strings.HasPrefix(cache, "type="):
		from = cache
	default:
		from = "type=registry,ref=" + cache
	}
	return []string{"--cache-from", from, "--cache-to", from + ",mode=max"}
}

// buildArgs are the Spec's build arguments plus, for docker's reproducible builds,
// SOURCE_DATE_EPOCH (unless the Spec sets it itself).
func (r *resolved) buildArgs() map[string]string {
	if r.epoch() == "" {
		return r.BuildArgs
	}
	if _, ok := r.BuildArgs["SOURCE_DATE_EPOCH"]; ok {
		return r.BuildArgs
	}
	args := map[string]string{"SOURCE_DATE_EPOCH": r.epoch()}
	for k, v := range r.BuildArgs {
		args[k] = v
	}
	return args
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
	// (The docker exporter of --load cannot rewrite layer times; the image config's times still
	// come from SOURCE_DATE_EPOCH.)
	args = append(args, buildArgFlags(r.buildArgs())...)
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
// A reproducible build sets --timestamp: the image's creation time, its history and the times of
// every file committed to its layers.
func (b *Builder) containersBuildArgs(tool string, r *resolved, ctxDir, tag string) []string {
	args := append(b.globalArgs(), "build",
		"--format", "docker",
		"--platform", r.Platform.String(),
		"--isolation", "chroot",
	)
	if r.Cache != "" {
		// Each step's layer is looked up in (and pushed to) the cache repository, keyed by the
		// steps before it and the files it copies: a changed last step reruns only that step.
		args = append(args, "--layers", "--cache-from", r.Cache, "--cache-to", r.Cache)
	} else {
		args = append(args, "--layers=false")
	}
	if e := r.epoch(); e != "" {
		args = append(args, "--timestamp", e)
	}
	args = append(args,
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
