package io.capstan.client;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * The settings a command runs with: the config file's, overridden by {@code CAPSTAN_SERVER} and {@code
 * CAPSTAN_TOKEN}, overridden by command-line options. A token from the environment never causes the file to be
 * read for its token, so an insecure file does not stop a command that does not use it.
 */
public record ClientSettings(Optional<String> server, Optional<String> username, Optional<String> token) {
    public static final String DEFAULT_SERVER = "http://127.0.0.1:8900";

    public ClientSettings {
        requireNonNull(server, "server is null");
        requireNonNull(username, "username is null");
        requireNonNull(token, "token is null");
    }

    public static ClientSettings resolve(
            Map<String, String> environment, ClientConfigFile file, Optional<String> serverOption) {
        Optional<String> environmentServer = nonBlank(environment.get("CAPSTAN_SERVER"));
        Optional<String> environmentToken = nonBlank(environment.get("CAPSTAN_TOKEN"));
        ClientConfig saved = environmentToken.isPresent() && (serverOption.isPresent() || environmentServer.isPresent())
                ? ClientConfig.empty()
                : file.load();
        Optional<String> server = serverOption.or(() -> environmentServer).or(saved::server);
        Optional<String> token = environmentToken.or(saved::token);
        return new ClientSettings(server, saved.username(), token);
    }

    public String serverOrDefault() {
        return server.orElse(DEFAULT_SERVER);
    }

    private static Optional<String> nonBlank(String value) {
        return Optional.ofNullable(value).filter(text -> !text.isBlank());
    }

    @Override
    public String toString() {
        return "ClientSettings[server=" + server + ", username=" + username + ", token="
                + token.map(value -> "<hidden>").orElse("none") + "]";
    }
}
