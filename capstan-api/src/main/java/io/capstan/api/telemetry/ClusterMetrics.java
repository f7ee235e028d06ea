package io.capstan.api.telemetry;

import java.util.List;
import java.util.Optional;

/** A cluster's telemetry: its summary (absent until first observed) and its recent history. */
public record ClusterMetrics(String cluster, Optional<TelemetrySummary> summary, List<TelemetrySample> history) {
    public ClusterMetrics {
        history = List.copyOf(history);
    }
}
