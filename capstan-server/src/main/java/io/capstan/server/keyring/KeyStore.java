package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.api.internal.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where wrapped keys are kept: a folder of mode 0700 next to the database, never inside it. A copy of the database
 * therefore holds no key at all, not even wrapped, and destroying an account's key file makes that account's data
 * unreadable in every copy of the database, backups included. Files are written atomically with mode 0600.
 *
 * <pre>
 * keyring/
 *   keyring.json            id of this keyring and a check value, to recognise the right master key
 *   database-key.json       the embedded database's file password, wrapped
 *   data-keys/OWNER.json    one data keyset per owner (account or user), wrapped
 * </pre>
 */
public final class KeyStore {
    private static final Pattern OWNER = Pattern.compile("[a-z]{3}_[a-z2-7]{20}");

    private final Path directory;

    public KeyStore(Path directory) {
        this.directory = requireNonNull(directory, "directory is null").toAbsolutePath();
    }

    /** A wrapped secret and the version of the master key that wrapped it. */
    public record Wrapped(String masterKeyVersion, String ciphertext) {
        static Wrapped of(String masterKeyVersion, byte[] ciphertext) {
            return new Wrapped(masterKeyVersion, Base64.getEncoder().encodeToString(ciphertext));
        }

        byte[] bytes() {
            return Base64.getDecoder().decode(ciphertext);
        }
    }

    /** The contents of {@code keyring.json}. */
    public record Identity(String keyringId, Wrapped check) {}

    public Path directory() {
        return directory;
    }

    public boolean isEmpty() {
        return !Files.exists(identityFile());
    }

    Optional<Identity> identity() {
        return read(identityFile(), Identity.class);
    }

    void writeIdentity(Identity identity) {
        write(identityFile(), identity);
    }

    Optional<Wrapped> databaseKey() {
        return read(directory.resolve("database-key.json"), Wrapped.class);
    }

    void writeDatabaseKey(Wrapped wrapped) {
        write(directory.resolve("database-key.json"), wrapped);
    }

    Optional<Wrapped> dataKey(String owner) {
        return read(dataKeyFile(owner), Wrapped.class);
    }

    void writeDataKey(String owner, Wrapped wrapped) {
        write(dataKeyFile(owner), wrapped);
    }

    /** Overwrites and deletes the owner's key: what it encrypted can never be read again. */
    void destroyDataKey(String owner) {
        try {
            OwnerOnlyFiles.destroy(dataKeyFile(owner));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot destroy the data key of " + owner, e);
        }
    }

    List<String> owners() {
        Path folder = directory.resolve("data-keys");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<String> owners = new ArrayList<>();
            files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json"))
                    .map(name -> name.substring(0, name.length() - ".json".length()))
                    .filter(name -> OWNER.matcher(name).matches())
                    .sorted()
                    .forEach(owners::add);
            return List.copyOf(owners);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    private Path identityFile() {
        return directory.resolve("keyring.json");
    }

    private Path dataKeyFile(String owner) {
        if (!OWNER.matcher(owner).matches()) {
            throw new IllegalArgumentException("not an owner id: " + owner);
        }
        return directory.resolve("data-keys").resolve(owner + ".json");
    }

    private static <T> Optional<T> read(Path file, Class<T> type) {
        try {
            return Optional.of(Json.lenient().readValue(Files.readAllBytes(file), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new KeyringUnavailableException(file + " is damaged ("
                    + e.getClass().getSimpleName() + "); restore it from the backup of the key store");
        }
    }

    private void write(Path file, Object value) {
        try {
            OwnerOnlyFiles.createFolders(directory);
            OwnerOnlyFiles.write(file, Json.strict().writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
