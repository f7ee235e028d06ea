package io.capstan.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> FOLDER_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> READABLE_BY_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);
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
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.stream().anyMatch(READABLE_BY_OTHERS::contains)) {
                throw new InsecureConfigFileException(path + " holds a token but other users can read it (mode "
                        + PosixFilePermissions.toString(permissions) + "); refusing to use it. Run: chmod 600 "
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
        Path target = path.toAbsolutePath();
        Path folder = target.getParent();
        Map<String, String> values = new LinkedHashMap<>();
        config.server().ifPresent(value -> values.put("server", value));
        config.username().ifPresent(value -> values.put("username", value));
        config.token().ifPresent(value -> values.put("token", value));
        byte[] content = YAML.writeValueAsBytes(values);
        try {
            createFolder(folder);
            Path temporary = folder.resolve(
                    "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(temporary);
            try {
                try (FileChannel channel = FileChannel.open(
                                temporary,
                                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                                PosixFilePermissions.asFileAttribute(FILE_MODE));
                        OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                    out.write(content);
                    out.flush();
                    channel.force(true);
                }
                Files.setPosixFilePermissions(temporary, FILE_MODE);
                moveAtomically(temporary, target);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot replace files atomically", e);
        }
    }

    /** Creates missing folders with mode 0700; an existing folder is left as it is, since it may not be ours. */
    static void createFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        createFolder(folder.getParent());
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(FOLDER_MODE));
            Files.setPosixFilePermissions(folder, FOLDER_MODE);
        } catch (FileAlreadyExistsException e) {
            // Created by someone else meanwhile; fine.
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
