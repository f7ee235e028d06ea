package io.capstan.api.environment;

import io.capstan.api.Visibility;
import java.util.List;
import java.util.Optional;

/** Creates a software environment; it needs a Python interpreter, an image reference, or both. */
public record CreateEnvironmentRequest(
        String name,
        Optional<String> account,
        Optional<String> pythonExecutable,
        Optional<String> image,
        Optional<List<PackagePin>> packages,
        Optional<String> description,
        Optional<Visibility> visibility) {}
