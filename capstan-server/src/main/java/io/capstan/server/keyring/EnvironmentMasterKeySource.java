package io.capstan.server.keyring;

import com.google.crypto.tink.KeysetHandle;
import io.capstan.server.internal.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The master key from the environment variable {@code CAPSTAN_MASTER_KEY}: a Tink keyset, base64-encoded, as
 * {@code capstan admin master-key generate} prints it. For deployments where a secret manager injects the key. The
 * server cannot change an environment variable, so new versions are made by the operator (see the README's
 * rotation procedure).
 */
public final class EnvironmentMasterKeySource implements MasterKeySource {
    public static final String VARIABLE = "CAPSTAN_MASTER_KEY";

    private final Optional<Secret> value;

    public EnvironmentMasterKeySource(Map<String, String> environment) {
        this.value = Optional.ofNullable(environment.get(VARIABLE))
                .filter(v -> !v.isBlank())
                .map(Secret::new);
    }

    @Override
    public String description() {
        return "environment variable " + VARIABLE;
    }

    @Override
    public Optional<MasterKey> load() {
        return value.map(secret -> {
            try {
                return TinkMasterKeys.of(parse(secret));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new KeyringUnavailableException(
                        VARIABLE + " is not a keyset printed by 'capstan admin master-key" + " generate'");
            }
        });
    }

    static KeysetHandle parse(Secret secret) throws GeneralSecurityException {
        String json = new String(Base64.getDecoder().decode(secret.reveal().trim()), StandardCharsets.UTF_8);
        return TinkKeysets.fromCleartextJson(json);
    }

    /** A new keyset for {@code CAPSTAN_MASTER_KEY}, base64-encoded. */
    public static Secret generate() throws GeneralSecurityException {
        return encode(TinkKeysets.generate());
    }

    /** The keyset in {@code current} with one more version, which becomes primary. */
    public static Secret withNewVersion(Secret current) throws GeneralSecurityException {
        return encode(TinkKeysets.withNewPrimary(parse(current)));
    }

    /** The keyset in {@code current} with only its primary version left. */
    public static Secret withOnlyPrimary(Secret current) throws GeneralSecurityException {
        return encode(TinkKeysets.onlyPrimary(parse(current)));
    }

    private static Secret encode(KeysetHandle keyset) throws GeneralSecurityException {
        return new Secret(Base64.getEncoder()
                .encodeToString(TinkKeysets.toCleartextJson(keyset).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public MasterKey create() {
        throw new KeyringUnavailableException(VARIABLE + " is not set. Generate a key with 'capstan admin master-key"
                + " generate', keep it in your secret store, and set it before starting the server.");
    }

    @Override
    public Optional<MasterKey> addVersion(MasterKey current) {
        return Optional.empty();
    }

    @Override
    public MasterKey retireAllBut(MasterKey current, String keep) {
        return current;
    }

    @Override
    public Optional<String> retirementAdvice(MasterKey current) {
        if (current.versions().size() <= 1) {
            return Optional.empty();
        }
        return Optional.of("nothing depends on the old versions any more: replace " + VARIABLE + " with the output of"
                + " 'capstan admin master-key generate --retire-old' and restart the server");
    }
}
