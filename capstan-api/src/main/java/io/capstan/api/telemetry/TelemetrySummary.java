package io.capstan.api.telemetry;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a cluster did, kept after it stopped: workers now and at the peak, tasks completed and erred, tasks by
 * state and by task prefix, memory now and at the peak, compute time where the Dask version reports it, and how
 * long it was observed.
 */
public record TelemetrySummary(
        Instant firstSeenAt,
        Instant lastSeenAt,
        long uptimeSeconds,
        int workersCurrent,
        int workersPeak,
        double workerHours,
        long tasksCompleted,
        long tasksErred,
        Map<String, Long> tasksByState,
        Map<String, Long> tasksByPrefix,
        Optional<Long> memoryCurrentBytes,
        Optional<Long> memoryPeakBytes,
        Optional<Double> computeSeconds) {
    public TelemetrySummary {
        tasksByState = Map.copyOf(tasksByState);
        tasksByPrefix = Map.copyOf(tasksByPrefix);
    }
}
