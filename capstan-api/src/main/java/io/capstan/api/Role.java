package io.capstan.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** A user's role in an account (a team). */
public enum Role {
    /** Creates clusters and stops their own. */
    @JsonProperty("member")
    MEMBER,
    /** Also manages the account's members and quotas and may stop any of its clusters. */
    @JsonProperty("admin")
    ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static java.util.Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return java.util.Optional.of(role);
            }
        }
        return java.util.Optional.empty();
    }
}
