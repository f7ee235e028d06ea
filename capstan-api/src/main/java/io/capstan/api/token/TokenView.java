package io.capstan.api.token;

import io.capstan.api.Scope;
import java.time.Instant;
import java.util.Optional;

/**
 * A token as it may be shown at any time: its recognisable prefix, never the token itself (the server does not
 * have it).
 */
public record TokenView(
        String id,
        String name,
        String prefix,
        String username,
        Scope scope,
        Instant createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> lastUsedAt,
        Optional<Instant> revokedAt) {}
