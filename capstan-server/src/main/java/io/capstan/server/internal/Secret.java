package io.capstan.server.internal;

import static java.util.Objects.requireNonNull;

/**
 * A secret string: a token, a password, a key. Its {@code toString()} hides it, so it cannot slip into a log line
 * or an exception message by accident; {@link #reveal()} is the one place it is read, and easy to audit.
 */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "<secret>";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret
                && java.security.MessageDigest.isEqual(
                        value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        secret.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
