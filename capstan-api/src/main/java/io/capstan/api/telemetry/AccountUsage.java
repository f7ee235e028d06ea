package io.capstan.api.telemetry;

import java.time.Instant;
import java.util.Optional;

/** What an account's clusters did since a moment, over all their runs. */
public record AccountUsage(
        String account,
        Instant since,
        int clustersRun,
        double workerHours,
        long tasksCompleted,
        long tasksErred,
        Optional<Long> peakMemoryBytes) {}
