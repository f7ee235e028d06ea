package io.capstan.api.cluster;

import java.time.Instant;

/** A client certificate for one user and one cluster, with what is needed to connect. */
public record ClientCertificateView(
        String certificate, String certificateAuthority, String schedulerAddress, String subject, Instant expiresAt) {}
