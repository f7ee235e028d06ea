package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.KeysetHandle;
import io.capstan.api.internal.OwnerOnlyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * The default master key: a Tink keyset in a file of mode 0600 in the data directory. The file is the root of
 * trust of the installation; back it up apart from the database (see the README).
 */
public final class KeyFileMasterKeySource implements MasterKeySource {
    private final Path file;

    public KeyFileMasterKeySource(Path file) {
        this.file = requireNonNull(file, "file is null").toAbsolutePath();
    }

    @Override
    public String description() {
        return "key file " + file;
    }

    @Override
    public Optional<MasterKey> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            if (OwnerOnlyFiles.isOpenToOthers(file)) {
                throw new KeyringUnavailableException("the master key file " + file + " can be read by other users;"
                        + " run: chmod 600 " + file + " (and consider rotating the master key)");
            }
            return Optional.of(
                    TinkMasterKeys.of(TinkKeysets.fromCleartextJson(Files.readString(file, StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new KeyringUnavailableException("cannot read the master key file " + file + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new KeyringUnavailableException(
                    "the master key file " + file + " is not a valid keyset; restore it" + " from your backup");
        }
    }

    @Override
    public MasterKey create() {
        try {
            KeysetHandle keyset = TinkKeysets.generate();
            OwnerOnlyFiles.create(file, TinkKeysets.toCleartextJson(keyset).getBytes(StandardCharsets.UTF_8));
            return TinkMasterKeys.of(keyset);
        } catch (FileAlreadyExistsException e) {
            throw new KeyringUnavailableException("refusing to create a master key over the existing file " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the master key file " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a master key", e);
        }
    }

    @Override
    public Optional<MasterKey> addVersion(MasterKey current) {
        return Optional.of(rewrite(keyset -> TinkKeysets.withNewPrimary(keyset)));
    }

    @Override
    public MasterKey retireAllBut(MasterKey current, String keep) {
        return rewrite(keyset -> {
            if (!TinkMasterKeys.version(TinkKeysets.primaryId(keyset)).equals(keep)) {
                throw new IllegalStateException("the version to keep, " + keep + ", is not the primary");
            }
            return TinkKeysets.onlyPrimary(keyset);
        });
    }

    private interface KeysetChange {
        KeysetHandle apply(KeysetHandle keyset) throws GeneralSecurityException;
    }

    private synchronized MasterKey rewrite(KeysetChange change) {
        try {
            KeysetHandle keyset = TinkKeysets.fromCleartextJson(Files.readString(file, StandardCharsets.UTF_8));
            KeysetHandle changed = change.apply(keyset);
            OwnerOnlyFiles.write(file, TinkKeysets.toCleartextJson(changed).getBytes(StandardCharsets.UTF_8));
            return TinkMasterKeys.of(changed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the master key file " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot change the master keyset", e);
        }
    }
}
