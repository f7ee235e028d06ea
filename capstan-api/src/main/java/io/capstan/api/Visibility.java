package io.capstan.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Who may see a shared resource (a software environment, a cluster configuration, a notebook): every signed-in
 * user of the server, or only the members of the account that owns it.
 */
public enum Visibility {
    @JsonProperty("public")
    PUBLIC,
    @JsonProperty("private")
    PRIVATE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static java.util.Optional<Visibility> fromWireName(String name) {
        for (Visibility visibility : values()) {
            if (visibility.wireName().equals(name)) {
                return java.util.Optional.of(visibility);
            }
        }
        return java.util.Optional.empty();
    }
}
