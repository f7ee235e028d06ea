package io.capstan.api.environment;

import io.capstan.api.Visibility;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A software environment: what a cluster's processes run. On this machine (the local backend) a Python interpreter;
 * in container backends an image reference.
 */
public record EnvironmentView(
        String id,
        String account,
        String name,
        Visibility visibility,
        Optional<String> pythonExecutable,
        Optional<String> image,
        List<PackagePin> packages,
        Optional<String> description,
        String creator,
        Instant createdAt,
        Instant updatedAt) {
    public EnvironmentView {
        packages = List.copyOf(packages);
    }
}
