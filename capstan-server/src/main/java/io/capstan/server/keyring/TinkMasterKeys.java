package io.capstan.server.keyring;

import com.google.crypto.tink.KeysetHandle;
import java.security.GeneralSecurityException;
import java.util.OptionalInt;

/** Master keys that are Tink keysets (a key file, an environment variable): versions are Tink key ids. */
final class TinkMasterKeys {
    private TinkMasterKeys() {}

    static MasterKey of(KeysetHandle keyset) throws GeneralSecurityException {
        return new MasterKey(
                TinkKeysets.aead(keyset),
                version(TinkKeysets.primaryId(keyset)),
                TinkKeysets.keyIds(keyset).stream().map(TinkMasterKeys::version).toList(),
                wrapped -> {
                    OptionalInt id = TinkKeysets.keyIdOf(wrapped);
                    return id.isPresent() ? version(id.getAsInt()) : "unknown";
                });
    }

    static String version(int keyId) {
        return "tink:" + Integer.toUnsignedString(keyId);
    }
}
