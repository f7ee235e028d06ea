package io.capstan.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The server's data directory: the embedded database, the master key file, cluster folders. Created with mode
 * 0700; an existing one that others can read or enter is refused, not silently changed, because it may be shared
 * with something else.
 */
public final class DataDirectory {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private DataDirectory() {}

    public static Path prepare(Path directory) {
        Path absolute = directory.toAbsolutePath().normalize();
        try {
            if (Files.notExists(absolute)) {
                Files.createDirectories(absolute.getParent());
                Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.setPosixFilePermissions(absolute, OWNER_ONLY);
                return absolute;
            }
            if (!Files.isDirectory(absolute)) {
                throw new ServerConfig.InvalidConfigException("--data-dir " + absolute + " is not a directory");
            }
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(absolute);
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw new ServerConfig.InvalidConfigException("--data-dir " + absolute + " is accessible by other"
                        + " users (mode " + PosixFilePermissions.toString(permissions) + "); it holds keys and the"
                        + " database. Run: chmod 700 " + absolute);
            }
            return absolute;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + absolute, e);
        }
    }
}
