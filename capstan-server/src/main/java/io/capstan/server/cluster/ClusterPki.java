package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.server.CapstanException;
import io.capstan.server.keyring.Ciphertext;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.pki.ClientCertificate;
import io.capstan.server.pki.ClusterCertificateAuthority;
import io.capstan.server.pki.NodeCertificate;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The certificate authority of each cluster, kept safe: created with the cluster, its private key encrypted under
 * the account's data key and bound to the cluster's row, decrypted only to sign, and destroyed when the cluster
 * stops, after which no certificate of the cluster can ever be issued again.
 */
public final class ClusterPki {
    public static final List<EncryptedColumn> ENCRYPTED_COLUMNS =
            List.of(new EncryptedColumn("clusters", "id", "ca_key_ciphertext", "account_id", "ca_key"));
    private static final List<String> NODE_NAMES = List.of("localhost");

    private final Keyring keyring;
    private final Clock clock;

    public ClusterPki(Keyring keyring, Clock clock) {
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A new authority: its certificate, and its private key encrypted for the cluster's row. */
    public record NewAuthority(String certificatePem, Ciphertext encryptedKey) {}

    public NewAuthority create(String clusterId, String accountId, Instant notAfter) {
        ClusterCertificateAuthority authority =
                ClusterCertificateAuthority.create(clusterId, clock.instant(), notAfter);
        Ciphertext key = keyring.encrypt(accountId, location(clusterId), authority.privateKeyPkcs8());
        return new NewAuthority(authority.certificatePem(), key);
    }

    /** A certificate for a scheduler or worker of the cluster, valid until the cluster's end. */
    public NodeCertificate issueNode(Cluster cluster, String nodeName) {
        try {
            return authority(cluster)
                    .issueNode(
                            nodeName,
                            NODE_NAMES,
                            List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})),
                            clock.instant(),
                            cluster.expiresAt());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short-lived client certificate naming {@code username}, for a key pair whose private half it never sees. */
    public ClientCertificate signClient(Cluster cluster, String csrPem, String username, Duration lifetime) {
        return authority(cluster).signClientCertificate(csrPem, username, clock.instant(), lifetime);
    }

    private ClusterCertificateAuthority authority(Cluster cluster) {
        Optional<Ciphertext> key = cluster.caKeyCiphertext();
        if (key.isEmpty()) {
            throw new CapstanException(
                    ErrorCode.INVALID_STATE,
                    "cluster " + cluster.id() + " has stopped; its certificate authority no longer exists");
        }
        byte[] pkcs8 = keyring.decrypt(cluster.accountId(), location(cluster.id()), key.get());
        return ClusterCertificateAuthority.restore(pkcs8, cluster.caCertificate());
    }

    private static FieldLocation location(String clusterId) {
        return ENCRYPTED_COLUMNS.get(0).location(clusterId);
    }
}
