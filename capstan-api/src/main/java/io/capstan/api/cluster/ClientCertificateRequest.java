package io.capstan.api.cluster;

import java.util.Optional;

/**
 * Asks for a personal client certificate: {@code csr} is a PEM PKCS#10 request made on the user's machine, so the
 * private key never reaches the server. The certificate lives 12 hours unless {@code lifetimeSeconds} says less,
 * and never beyond the cluster's end.
 */
public record ClientCertificateRequest(String csr, Optional<Long> lifetimeSeconds) {}
