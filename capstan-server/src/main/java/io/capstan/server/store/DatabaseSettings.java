package io.capstan.server.store;

import static java.util.Objects.requireNonNull;

import io.capstan.server.internal.Secret;
import java.nio.file.Path;
import java.util.Optional;

/** Where the database is and how to log in to it. The URL may contain a password, so it is a {@link Secret}. */
public record DatabaseSettings(
        Secret jdbcUrl, Optional<String> username, Optional<Secret> password, int maximumPoolSize) {
    public DatabaseSettings {
        requireNonNull(jdbcUrl, "jdbcUrl is null");
        requireNonNull(username, "username is null");
        requireNonNull(password, "password is null");
    }

    /**
     * The embedded H2 database: a file in the data directory, in PostgreSQL compatibility mode, encrypted as a
     * whole with AES under {@code filePassword} (which the keyring keeps wrapped by the master key). Commits are
     * written at once ({@code WRITE_DELAY=0}): H2's default delay of half a second loses the last commits when the
     * server is killed.
     */
    public static DatabaseSettings embedded(Path dataDirectory, Secret filePassword) {
        String url = "jdbc:h2:file:" + embeddedFileStem(dataDirectory)
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CIPHER=AES;WRITE_DELAY=0;LOCK_TIMEOUT=10000";
        // H2 takes the file password and the user's password in one string, separated by a space.
        return new DatabaseSettings(
                new Secret(url), Optional.of("capstan"), Optional.of(new Secret(filePassword.reveal() + " ")), 10);
    }

    /** The embedded database's path without H2's {@code .mv.db} suffix. */
    public static Path embeddedFileStem(Path dataDirectory) {
        return dataDirectory.resolve("capstan").toAbsolutePath();
    }

    public static Path embeddedFile(Path dataDirectory) {
        return dataDirectory.resolve("capstan.mv.db").toAbsolutePath();
    }

    public static DatabaseSettings external(Secret jdbcUrl) {
        return new DatabaseSettings(jdbcUrl, Optional.empty(), Optional.empty(), 10);
    }

    /** The URL without anything after its first {@code ?} or {@code ;}, for messages. */
    public String describe() {
        String url = jdbcUrl.reveal();
        int end = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int index = url.indexOf(separator);
            if (index >= 0) {
                end = Math.min(end, index);
            }
        }
        return url.substring(0, end);
    }
}
