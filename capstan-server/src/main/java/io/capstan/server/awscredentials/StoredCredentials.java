package io.capstan.server.awscredentials;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;
import java.util.Optional;

/** A row of {@code aws_credentials}: a cluster's AWS credentials and the token of its processes, both encrypted. */
public record StoredCredentials(
        String clusterId,
        String accountId,
        String source,
        Optional<Ciphertext> credentialsCiphertext,
        Optional<Instant> expiresAt,
        Optional<Instant> refreshedAt,
        Optional<Instant> refreshAfter,
        Optional<String> refreshProblem,
        String tokenHash,
        Ciphertext tokenCiphertext) {
    public static final String FORWARDED = "forwarded";
    public static final String ACCOUNT_ROLE = "account-role";
}
