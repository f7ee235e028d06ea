package io.capstan.api.configuration;

import io.capstan.api.Visibility;
import java.util.Optional;

/** Changes what may change of a configuration; absent members stay as they are. */
public record UpdateConfigurationRequest(
        Optional<Visibility> visibility, Optional<String> description, Optional<ClusterOptions> options) {}
