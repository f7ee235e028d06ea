package io.capstan.api.configuration;

import java.util.Map;
import java.util.Optional;

/** The options a cluster configuration fixes; what it leaves out, the server's defaults (or flags) decide. */
public record ClusterOptions(
        Optional<Integer> workers,
        Optional<Integer> threadsPerWorker,
        Optional<Long> memoryPerWorkerBytes,
        Optional<Long> idleTimeoutSeconds,
        Optional<Long> maxLifetimeSeconds,
        Optional<String> environment,
        Optional<Map<String, String>> labels) {}
