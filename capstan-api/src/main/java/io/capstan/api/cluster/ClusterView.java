package io.capstan.api.cluster;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A cluster as its account's members see it. It never carries a key. */
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
        Instant expiresAt) {
    public ClusterView {
        labels = Map.copyOf(labels);
    }
}
