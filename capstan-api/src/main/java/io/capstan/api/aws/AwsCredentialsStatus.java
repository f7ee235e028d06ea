package io.capstan.api.aws;

import java.time.Instant;
import java.util.Optional;

/**
 * Which AWS credentials a cluster's processes get, never the credentials themselves. {@code source} is {@code
 * forwarded} (sent by a user, refreshed with {@code capstan cluster forward-credentials}) or {@code account-role}
 * (assumed by the control plane from the account's role and refreshed at half their lifetime). {@code expiresAt}
 * is absent while there are none to serve: the last ones expired, or the cluster stopped.
 */
public record AwsCredentialsStatus(
        String source,
        Optional<String> roleArn,
        Optional<Instant> expiresAt,
        Optional<Instant> refreshedAt,
        Optional<String> lastRefreshProblem) {}
