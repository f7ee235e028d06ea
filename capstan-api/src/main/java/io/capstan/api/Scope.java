package io.capstan.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * What an API token may do. Scopes are ordered: each one includes the ones before it, so a {@code clusters}
 * token can also read, and an {@code admin} token can do everything its user may do.
 */
public enum Scope {
    /** Read-only: list and show. */
    @JsonProperty("read")
    READ,
    /** Read, and run computations: create, scale and stop clusters, manage shared resources and own tokens. */
    @JsonProperty("clusters")
    CLUSTERS,
    /** Everything the user's roles allow, including administration. */
    @JsonProperty("admin")
    ADMIN;

    public boolean includes(Scope other) {
        return compareTo(other) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static java.util.Optional<Scope> fromWireName(String name) {
        for (Scope scope : values()) {
            if (scope.wireName().equals(name)) {
                return java.util.Optional.of(scope);
            }
        }
        return java.util.Optional.empty();
    }
}
