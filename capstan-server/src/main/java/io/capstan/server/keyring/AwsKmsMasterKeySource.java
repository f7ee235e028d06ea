package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import io.capstan.server.keyring.kms.KmsAead;
import java.util.List;
import java.util.Optional;

/**
 * The master key in AWS KMS: it never leaves KMS, every wrap and unwrap is a KMS call. KMS rotates the key's
 * material itself and keeps the old material for decryption, so "rotation" here re-wraps every data key under the
 * current material; there is no version for Capstan to retire.
 */
public final class AwsKmsMasterKeySource implements MasterKeySource {
    private final KmsAead aead;

    public AwsKmsMasterKeySource(KmsAead aead) {
        this.aead = requireNonNull(aead, "aead is null");
    }

    @Override
    public String description() {
        return "AWS KMS key " + aead.keyId();
    }

    @Override
    public Optional<MasterKey> load() {
        String version = "aws-kms:" + aead.keyId();
        return Optional.of(new MasterKey(aead, version, List.of(version), wrapped -> version));
    }

    @Override
    public MasterKey create() {
        return load().orElseThrow();
    }

    @Override
    public Optional<MasterKey> addVersion(MasterKey current) {
        return Optional.empty();
    }

    @Override
    public MasterKey retireAllBut(MasterKey current, String keep) {
        return current;
    }
}
