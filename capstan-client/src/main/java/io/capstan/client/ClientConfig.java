package io.capstan.client;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** What {@code capstan login} remembers: which server, as whom, with which token. */
public record ClientConfig(Optional<String> server, Optional<String> username, Optional<String> token) {
    public ClientConfig {
        requireNonNull(server, "server is null");
        requireNonNull(username, "username is null");
        requireNonNull(token, "token is null");
    }

    public static ClientConfig empty() {
        return new ClientConfig(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public ClientConfig withoutToken() {
        return new ClientConfig(server, username, Optional.empty());
    }

    @Override
    public String toString() {
        return "ClientConfig[server=" + server + ", username=" + username + ", token="
                + token.map(value -> "<hidden>").orElse("none") + "]";
    }
}
