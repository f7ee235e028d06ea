package io.capstan.api.environment;

import io.capstan.api.Visibility;
import java.util.List;
import java.util.Optional;

/** Changes what may change of an environment; absent members stay as they are. */
public record UpdateEnvironmentRequest(
        Optional<Visibility> visibility, Optional<String> description, Optional<List<PackagePin>> packages) {}
