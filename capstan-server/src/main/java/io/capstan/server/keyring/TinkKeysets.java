package io.capstan.server.keyring;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The few Tink keyset operations the keyring needs, in one place: AES-256-GCM keysets whose ciphertexts start with
 * the id of the key that made them (Tink's output prefix: one version byte, four id bytes), so that the key
 * version travels with every value.
 */
final class TinkKeysets {
    static final Configuration CONFIGURATION = AeadConfig2026.get();
    private static final byte TINK_PREFIX_VERSION = 1;

    private TinkKeysets() {}

    static KeysetHandle generate() throws GeneralSecurityException {
        return KeysetHandle.newBuilder()
                .setConfiguration(CONFIGURATION)
                .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                        .withRandomId()
                        .makePrimary())
                .build();
    }

    /** The keyset with one more key, which becomes the primary: new values use it, old ones still decrypt. */
    static KeysetHandle withNewPrimary(KeysetHandle keyset) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(keyset).setConfiguration(CONFIGURATION);
        builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                .withRandomId()
                .makePrimary());
        return builder.build();
    }

    /** The keyset with only its primary key: every other key is destroyed. */
    static KeysetHandle onlyPrimary(KeysetHandle keyset) throws GeneralSecurityException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(keyset).setConfiguration(CONFIGURATION);
        for (int i = builder.size() - 1; i >= 0; i--) {
            if (!builder.getAt(i).isPrimary()) {
                builder.deleteAt(i);
            }
        }
        return builder.build();
    }

    static List<Integer> keyIds(KeysetHandle keyset) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < keyset.size(); i++) {
            if (keyset.getAt(i).getStatus() == KeyStatus.ENABLED) {
                ids.add(keyset.getAt(i).getId());
            }
        }
        return List.copyOf(ids);
    }

    static int primaryId(KeysetHandle keyset) {
        return keyset.getPrimary().getId();
    }

    static Aead aead(KeysetHandle keyset) throws GeneralSecurityException {
        return keyset.getPrimitive(CONFIGURATION, Aead.class);
    }

    /** The id of the key that made {@code ciphertext}, if it has Tink's prefix. */
    static OptionalInt keyIdOf(byte[] ciphertext) {
        if (ciphertext.length < 5 || ciphertext[0] != TINK_PREFIX_VERSION) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(ByteBuffer.wrap(ciphertext, 1, 4).getInt());
    }

    static byte[] wrap(KeysetHandle keyset, Aead keyEncryptionKey, byte[] associatedData)
            throws GeneralSecurityException {
        return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, keyEncryptionKey, associatedData, CONFIGURATION);
    }

    static KeysetHandle unwrap(byte[] wrapped, Aead keyEncryptionKey, byte[] associatedData)
            throws GeneralSecurityException {
        return TinkProtoKeysetFormat.parseEncryptedKeyset(wrapped, keyEncryptionKey, associatedData, CONFIGURATION);
    }

    /** The keyset in clear, as JSON: only for the master key file, the root of trust. */
    static String toCleartextJson(KeysetHandle keyset) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, CONFIGURATION, InsecureSecretKeyAccess.get());
    }

    static KeysetHandle fromCleartextJson(String json) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.parseKeyset(json, CONFIGURATION, InsecureSecretKeyAccess.get());
    }
}
