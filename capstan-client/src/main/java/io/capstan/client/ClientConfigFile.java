package io.capstan.client;

import static java.util.Objects.requireNonNull;

import io.capstan.api.internal.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The CLI's config file. It holds a token, so it is treated like a password: mode 0600 in a folder of mode 0700,
 * written atomically (a temporary file in the same folder, then a rename), and a token in a file that others can
 * read is refused, with the command that fixes it.
 *
 * <p>Where it is: {@code $CAPSTAN_CONFIG}, else {@code $XDG_CONFIG_HOME/capstan/config.yaml}, else {@code
 * ~/.config/capstan/config.yaml}.
 */
public final class ClientConfigFile {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private final Path path;

    public ClientConfigFile(Path path) {
        this.path = requireNonNull(path, "path is null");
    }

    public static ClientConfigFile locate(Map<String, String> environment) {
        return new ClientConfigFile(location(environment));
    }

    static Path location(Map<String, String> environment) {
        String explicit = environment.get("CAPSTAN_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "capstan", "config.yaml");
        }
        String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config", "capstan", "config.yaml");
    }

    public Path path() {
        return path;
    }

    /** The folder next to the config file, where per-cluster client credentials are kept by default. */
    public Path folder() {
        return path.toAbsolutePath().getParent();
    }

    /**
     * The saved settings, or empty ones if there is no file yet. A file holding a token that others can read is
     * refused with {@link InsecureConfigFileException}.
     */
    public ClientConfig load() {
        Map<String, Object> values;
        try {
            byte[] content = Files.readAllBytes(path);
            values = content.length == 0
                    ? Map.of()
                    : YAML.readValue(content, new TypeReference<Map<String, Object>>() {});
        } catch (NoSuchFileException e) {
            return ClientConfig.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        } catch (JacksonException e) {
            throw new InvalidConfigFileException(path + " is not valid YAML; fix it or remove it and log in again");
        }
        if (values == null) {
            return ClientConfig.empty();
        }
        Optional<String> token = string(values, "token");
        if (token.isPresent()) {
            requireOwnerOnly();
        }
        return new ClientConfig(string(values, "server"), string(values, "username"), token);
    }

    private void requireOwnerOnly() {
        try {
            if (OwnerOnlyFiles.isOpenToOthers(path)) {
                throw new InsecureConfigFileException(path + " holds a token but other users can read it (mode "
                        + PosixFilePermissions.toString(Files.getPosixFilePermissions(path))
                        + "); refusing to use it. Run: chmod 600 "
                        + path + " (and consider revoking the token: capstan token list, capstan token revoke)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the permissions of " + path, e);
        }
    }

    private static Optional<String> string(Map<String, Object> values, String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw new InvalidConfigFileException("'" + key + "' in the config file must be a string");
        }
        return Optional.of(text).filter(s -> !s.isBlank());
    }

    /** Writes {@code config} atomically with mode 0600, creating the folder with mode 0700 when needed. */
    public void save(ClientConfig config) {
        Map<String, String> values = new LinkedHashMap<>();
        config.server().ifPresent(value -> values.put("server", value));
        config.username().ifPresent(value -> values.put("username", value));
        config.token().ifPresent(value -> values.put("token", value));
        try {
            OwnerOnlyFiles.write(path, YAML.writeValueAsBytes(values));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path.toAbsolutePath(), e);
        }
    }

    /** The config file holds a token that others can read. */
    public static final class InsecureConfigFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InsecureConfigFileException(String message) {
            super(message);
        }
    }

    /** The config file cannot be understood. */
    public static final class InvalidConfigFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InvalidConfigFileException(String message) {
            super(message);
        }
    }
}
