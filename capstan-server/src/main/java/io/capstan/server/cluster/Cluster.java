package io.capstan.server.cluster;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;
import java.util.Optional;

/** A row of {@code clusters}. The CA key is ciphertext, and absent once the cluster stopped. */
public record Cluster(
        String id,
        String accountId,
        String creatorId,
        String name,
        ClusterState state,
        Optional<String> stateReason,
        int workers,
        int threadsPerWorker,
        long memoryPerWorkerBytes,
        long idleTimeoutSeconds,
        long maxLifetimeSeconds,
        String labels,
        String backend,
        Optional<String> schedulerAddress,
        String caCertificate,
        Optional<Ciphertext> caKeyCiphertext,
        Optional<String> idempotencyKey,
        Optional<String> requestFingerprint,
        Instant createdAt,
        Optional<Instant> startedAt,
        Optional<Instant> stoppedAt,
        Instant expiresAt,
        Instant lastActivityAt,
        int workerRestarts,
        Optional<String> environmentId,
        Optional<String> pythonExecutable,
        Optional<String> configurationId) {}
