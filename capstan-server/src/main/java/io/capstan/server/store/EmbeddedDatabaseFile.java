package io.capstan.server.store;

import io.capstan.server.internal.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.h2.tools.ChangeFileEncryption;

/** The embedded database's file as a whole: whether it exists, whether it is encrypted, and encrypting it. */
public final class EmbeddedDatabaseFile {
    private EmbeddedDatabaseFile() {}

    public static boolean exists(Path dataDirectory) {
        return Files.exists(DatabaseSettings.embeddedFile(dataDirectory));
    }

    /**
     * Whether the file opens without a file password: an installation from before file encryption. Opened read-only,
     * so nothing is changed.
     */
    public static boolean isUnencrypted(Path dataDirectory) {
        String url = "jdbc:h2:file:" + DatabaseSettings.embeddedFileStem(dataDirectory)
                + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (Connection connection = DriverManager.getConnection(url, "capstan", "")) {
            return connection.isValid(5);
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("already in use")) {
                throw new Database.DatabaseUnavailableException(
                        "the embedded database in " + dataDirectory
                                + " is in use by another process; is another capstan server running on this data directory?",
                        e);
            }
            return false;
        }
    }

    /** Encrypts an unencrypted database file in place with {@code password} (H2's {@code CIPHER=AES}). */
    public static void encrypt(Path dataDirectory, Secret password) {
        try {
            ChangeFileEncryption.execute(
                    dataDirectory.toAbsolutePath().toString(),
                    "capstan",
                    "AES",
                    null,
                    password.reveal().toCharArray(),
                    true);
        } catch (SQLException e) {
            throw new Database.DatabaseUnavailableException(
                    "cannot encrypt the embedded database in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }
}
