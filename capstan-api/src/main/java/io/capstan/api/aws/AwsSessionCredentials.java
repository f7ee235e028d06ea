package io.capstan.api.aws;

import java.time.Instant;
import java.util.Optional;

/**
 * Temporary AWS credentials sent to the control plane for a cluster's workers: an access key id starting with
 * {@code ASIA}, its secret, its session token and when they expire. The server refuses long-term keys ({@code AKIA…})
 * and anything without a session token or an expiry. It never sends them back. {@link #toString()} shows only when
 * they expire, so a log line or an error message cannot carry them by accident.
 */
public record AwsSessionCredentials(
        String accessKeyId, String secretAccessKey, Optional<String> sessionToken, Optional<Instant> expiration) {

    @Override
    public String toString() {
        return "AwsSessionCredentials[expiration="
                + expiration.map(Instant::toString).orElse("unknown") + "]";
    }
}
