package io.capstan.server.configuration;

import io.capstan.api.Visibility;
import java.time.Instant;
import java.util.Optional;

/** A row of {@code cluster_configurations}. {@code options} is the JSON of {@code ClusterOptions}. */
public record Configuration(
        String id,
        String accountId,
        String creatorId,
        String name,
        Visibility visibility,
        String options,
        Optional<String> description,
        Instant createdAt,
        Instant updatedAt) {}
