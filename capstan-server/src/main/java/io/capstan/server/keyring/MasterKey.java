package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import java.util.List;

/**
 * The key-encryption key that wraps every data key, as loaded from its source. It carries its versions so that
 * rotation can tell which wrapped keys still depend on an old one. Never printed: {@link #toString()} names the
 * source and versions only.
 */
public final class MasterKey {
    private final Aead aead;
    private final String primaryVersion;
    private final List<String> versions;
    private final VersionReader versionReader;

    /** Tells which version of the master key made a wrapped value. */
    @FunctionalInterface
    interface VersionReader {
        String versionOf(byte[] wrapped);
    }

    MasterKey(Aead aead, String primaryVersion, List<String> versions, VersionReader versionReader) {
        this.aead = requireNonNull(aead, "aead is null");
        this.primaryVersion = requireNonNull(primaryVersion, "primaryVersion is null");
        this.versions = List.copyOf(versions);
        this.versionReader = requireNonNull(versionReader, "versionReader is null");
    }

    Aead aead() {
        return aead;
    }

    /** The version new wraps are made with, such as {@code tink:1928374} or {@code aws-kms:arn:...}. */
    public String primaryVersion() {
        return primaryVersion;
    }

    /** Every version this key can open. */
    public List<String> versions() {
        return versions;
    }

    String versionOf(byte[] wrapped) {
        return versionReader.versionOf(wrapped);
    }

    @Override
    public String toString() {
        return "MasterKey[primary=" + primaryVersion + ", versions=" + versions + "]";
    }
}
