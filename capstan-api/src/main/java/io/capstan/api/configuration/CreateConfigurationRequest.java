package io.capstan.api.configuration;

import io.capstan.api.Visibility;
import java.util.Optional;

public record CreateConfigurationRequest(
        String name,
        Optional<String> account,
        ClusterOptions options,
        Optional<String> description,
        Optional<Visibility> visibility) {}
