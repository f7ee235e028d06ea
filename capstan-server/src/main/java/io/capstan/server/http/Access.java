package io.capstan.server.http;

import io.capstan.api.Scope;
import io.javalin.security.RouteRole;
import java.util.Optional;

/**
 * Who may call a route: anyone ({@link #PUBLIC}, a short allowlist), or a caller whose token has at least the
 * given scope. What the caller may touch is then decided by their roles, in the service.
 */
public enum Access implements RouteRole {
    PUBLIC(Optional.empty()),
    READ(Optional.of(Scope.READ)),
    CLUSTERS(Optional.of(Scope.CLUSTERS)),
    ADMIN(Optional.of(Scope.ADMIN));

    private final Optional<Scope> minimumScope;

    Access(Optional<Scope> minimumScope) {
        this.minimumScope = minimumScope;
    }

    public Optional<Scope> minimumScope() {
        return minimumScope;
    }
}
