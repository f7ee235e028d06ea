package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.privacy.StoredData;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Where clusters' AWS credentials are kept: encrypted under the account's data key and bound to the cluster's row,
 * with the random token the cluster's processes present to the credentials endpoint (encrypted too, so processes
 * started later get it, and hashed, so the endpoint finds the row without decrypting every token). A row lives
 * while its cluster runs. Thread-safe.
 */
public final class AwsCredentialsStore implements WorkerCredentials {
    public static final List<EncryptedColumn> ENCRYPTED_COLUMNS = List.of(
            new EncryptedColumn(
                    "aws_credentials", "cluster_id", "credentials_ciphertext", "account_id", "aws_credentials"),
            new EncryptedColumn(
                    "aws_credentials", "cluster_id", "token_ciphertext", "account_id", "aws_credentials_token"));

    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "Cloud credentials of clusters",
            "Temporary AWS session credentials forwarded to, or assumed for, your accounts' running clusters, with"
                    + " when they expire and were refreshed, and the token the cluster's processes fetch them with;"
                    + " deleted when the cluster stops",
            List.of("aws_credentials"),
            ENCRYPTED_COLUMNS,
            StoredData.Retention.whileTheClusterRuns(),
            "SELECT COUNT(*) FROM aws_credentials WHERE account_id IN (<accounts>)");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final Clock clock;

    public AwsCredentialsStore(Jdbi jdbi, Keyring keyring, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Gives a new cluster its row: a fresh endpoint token, and its first credentials. {@code refreshAfter} is when
     * the control plane should get new ones itself (assumed roles only).
     */
    public void create(
            Handle handle,
            String accountId,
            String clusterId,
            String source,
            SessionCredentials credentials,
            Optional<Instant> refreshAfter) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        Secret token = new Secret(Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        handle.attach(AwsCredentialsDao.class)
                .insert(new StoredCredentials(
                        clusterId,
                        accountId,
                        source,
                        Optional.of(encrypt(accountId, clusterId, credentials)),
                        Optional.of(credentials.expiration()),
                        Optional.of(clock.instant()),
                        refreshAfter,
                        Optional.empty(),
                        hash(token),
                        keyring.encryptString(accountId, tokenLocation(clusterId), token.reveal())));
    }

    /** Replaces a cluster's credentials with newer ones. Returns whether the cluster still had a row. */
    public boolean replace(
            Handle handle,
            String accountId,
            String clusterId,
            SessionCredentials credentials,
            Optional<Instant> refreshAfter) {
        return handle.attach(AwsCredentialsDao.class)
                        .replace(
                                clusterId,
                                encrypt(accountId, clusterId, credentials),
                                credentials.expiration(),
                                clock.instant(),
                                refreshAfter.orElse(null))
                > 0;
    }

    public Optional<StoredCredentials> find(Handle handle, String clusterId) {
        return handle.attach(AwsCredentialsDao.class).find(clusterId);
    }

    public Optional<StoredCredentials> find(String clusterId) {
        return jdbi.withHandle(handle -> find(handle, clusterId));
    }

    /** The token the cluster's processes present, for their environment. */
    public Secret token(StoredCredentials row) {
        return new Secret(
                keyring.decryptString(row.accountId(), tokenLocation(row.clusterId()), row.tokenCiphertext()));
    }

    /** Removes the cluster's credentials and token: from now on the endpoint refuses it. */
    public boolean delete(Handle handle, String clusterId) {
        return handle.attach(AwsCredentialsDao.class).delete(clusterId) > 0;
    }

    @Override
    public Lookup lookup(String clusterId, Secret token) {
        Optional<StoredCredentials> row =
                jdbi.withHandle(handle -> handle.attach(AwsCredentialsDao.class).findByTokenHash(hash(token)));
        if (row.isEmpty() || !row.get().clusterId().equals(clusterId)) {
            return new Refused();
        }
        StoredCredentials found = row.get();
        Instant now = clock.instant();
        if (found.credentialsCiphertext().isEmpty()
                || found.expiresAt().isEmpty()
                || !now.isBefore(found.expiresAt().get())) {
            return new Expired(found.expiresAt().orElse(now));
        }
        byte[] plaintext = keyring.decrypt(
                found.accountId(),
                credentialsLocation(clusterId),
                found.credentialsCiphertext().get());
        return new Current(
                SessionCredentials.fromStoredBytes(plaintext, found.expiresAt().get()));
    }

    private io.capstan.server.keyring.Ciphertext encrypt(
            String accountId, String clusterId, SessionCredentials credentials) {
        return keyring.encrypt(accountId, credentialsLocation(clusterId), credentials.toStoredBytes());
    }

    private static FieldLocation credentialsLocation(String clusterId) {
        return ENCRYPTED_COLUMNS.get(0).location(clusterId);
    }

    private static FieldLocation tokenLocation(String clusterId) {
        return ENCRYPTED_COLUMNS.get(1).location(clusterId);
    }

    static String hash(Secret token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(token.reveal().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
