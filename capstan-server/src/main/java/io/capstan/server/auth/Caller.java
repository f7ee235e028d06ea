package io.capstan.server.auth;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Scope;
import io.capstan.server.user.User;
import java.time.Instant;
import java.util.Optional;

/**
 * Who is calling, as proven by their token. The token's scope limits the kinds of operation (read, run
 * computations, administer); the user's roles limit which objects they may touch.
 */
public record Caller(User user, String tokenId, String tokenName, Scope scope, Optional<Instant> tokenExpiresAt) {
    public Caller {
        requireNonNull(user, "user is null");
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(scope, "scope is null");
        requireNonNull(tokenExpiresAt, "tokenExpiresAt is null");
    }

    public String userId() {
        return user.id();
    }

    public boolean isServerAdmin() {
        return user.serverAdmin();
    }
}
