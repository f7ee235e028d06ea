package io.capstan.api.cluster;

import io.capstan.api.aws.AwsCredentialsStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A cluster as its account's members see it. It never carries a key, nor any AWS credential. */
public record ClusterView(
        String id,
        String name,
        String account,
        String creator,
        String state,
        Optional<String> stateReason,
        int workers,
        int threadsPerWorker,
        long memoryPerWorkerBytes,
        long idleTimeoutSeconds,
        long maxLifetimeSeconds,
        Map<String, String> labels,
        String backend,
        Optional<String> schedulerAddress,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> stoppedAt,
        Instant expiresAt,
        Optional<AwsCredentialsStatus> awsCredentials) {
    public ClusterView {
        labels = Map.copyOf(labels);
    }
}
