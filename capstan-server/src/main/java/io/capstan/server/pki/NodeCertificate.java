package io.capstan.server.pki;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * What a scheduler or a worker needs for mutual TLS: its own private key, its certificate, and the certificate of
 * its cluster's authority to check its peers against. The node's key is made by the server, unlike a client's,
 * because the server starts the node and writes these files for it. {@link #toString()} leaves the key out.
 */
public record NodeCertificate(
        PrivateKey privateKey, X509Certificate certificate, X509Certificate certificateAuthority) {
    public NodeCertificate {
        requireNonNull(privateKey, "privateKey is null");
        requireNonNull(certificate, "certificate is null");
        requireNonNull(certificateAuthority, "certificateAuthority is null");
    }

    /** The private key as unencrypted PKCS#8 PEM: write it to a file only the node's user can read. */
    public String privateKeyPem() {
        return Pem.writePrivateKey(privateKey);
    }

    public String certificatePem() {
        return Pem.write(certificate);
    }

    public String certificateAuthorityPem() {
        return Pem.write(certificateAuthority);
    }

    @Override
    public String toString() {
        return "NodeCertificate{subject="
                + certificate.getSubjectX500Principal().getName() + ", notAfter="
                + certificate.getNotAfter().toInstant() + "}";
    }
}
