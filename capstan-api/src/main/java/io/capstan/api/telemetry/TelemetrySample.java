package io.capstan.api.telemetry;

import java.time.Instant;
import java.util.Optional;

/** One observation of a cluster's scheduler. */
public record TelemetrySample(
        Instant at,
        int workers,
        long tasksProcessing,
        long tasksCompleted,
        long tasksErred,
        Optional<Long> memoryBytes) {}
