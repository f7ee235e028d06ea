package io.capstan.api.configuration;

import io.capstan.api.Visibility;
import java.time.Instant;
import java.util.Optional;

/** A named template of cluster options. */
public record ConfigurationView(
        String id,
        String account,
        String name,
        Visibility visibility,
        ClusterOptions options,
        Optional<String> description,
        String creator,
        Instant createdAt,
        Instant updatedAt) {}
