package io.capstan.server.token;

import io.capstan.api.Scope;
import java.time.Instant;
import java.util.Optional;

/** A row of {@code api_tokens}. It holds the hash of the token, never the token. */
public record ApiToken(
        String id,
        String userId,
        String name,
        String prefix,
        String secretHash,
        Scope scope,
        Instant createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> lastUsedAt,
        Optional<Instant> revokedAt) {

    public boolean isExpired(Instant now) {
        return expiresAt.map(expiry -> !now.isBefore(expiry)).orElse(false);
    }
}
