package io.capstan.server.pki;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A certificate issued to one person for their own key, with the certificate of the cluster's authority they need
 * to check the scheduler against. Holds nothing secret: the private key stayed on the person's machine.
 */
public record ClientCertificate(X509Certificate certificate, X509Certificate certificateAuthority) {
    public ClientCertificate {
        requireNonNull(certificate, "certificate is null");
        requireNonNull(certificateAuthority, "certificateAuthority is null");
    }

    public String certificatePem() {
        return Pem.write(certificate);
    }

    public String certificateAuthorityPem() {
        return Pem.write(certificateAuthority);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }
}
