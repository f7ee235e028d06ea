package io.capstan.server.environment;

import io.capstan.api.Visibility;
import java.time.Instant;
import java.util.Optional;

/** A row of {@code environments}. {@code packages} is the JSON list of package pins. */
public record Environment(
        String id,
        String accountId,
        String creatorId,
        String name,
        Visibility visibility,
        Optional<String> pythonExecutable,
        Optional<String> image,
        String packages,
        Optional<String> description,
        Instant createdAt,
        Instant updatedAt) {}
