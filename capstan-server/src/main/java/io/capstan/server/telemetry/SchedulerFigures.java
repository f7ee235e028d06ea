package io.capstan.server.telemetry;

import io.capstan.server.telemetry.prometheus.PrometheusSample;
import io.capstan.server.telemetry.prometheus.PrometheusScrape;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The figures Capstan keeps from one scrape of a scheduler. Dask versions differ in what they report; what a
 * version does not report is absent, never an error: Debian's 2022.12 has no compute time, newer ones do.
 */
public record SchedulerFigures(
        int workers,
        Map<String, Long> tasksByState,
        Map<String, Long> completedByPrefix,
        long tasksCompleted,
        long tasksErred,
        Optional<Long> memoryBytes,
        Optional<Double> computeSeconds) {
    private static final int MAX_PREFIXES = 200;

    public SchedulerFigures {
        tasksByState = Map.copyOf(tasksByState);
        completedByPrefix = Map.copyOf(completedByPrefix);
    }

    public long tasksProcessing() {
        return tasksByState.getOrDefault("processing", 0L);
    }

    public long tasksInMemory() {
        return tasksByState.getOrDefault("memory", 0L);
    }

    /**
     * Figures from the scheduler's Prometheus metrics and, for memory, its {@code /json/identity.json} (whose workers
     * report their process memory).
     */
    public static SchedulerFigures from(PrometheusScrape scrape, Optional<JsonNode> identity) {
        // Dask 2022.12 reports every connected worker as state "connected" (and again as idle or saturated); newer
        // versions report each worker once, under one of idle, partially_saturated, saturated, paused_or_retiring.
        int workers = scrape.sum("dask_scheduler_workers", Map.of("state", "connected"))
                .or(() -> scrape.sum("dask_scheduler_workers", Map.of()))
                .orElse(0.0)
                .intValue();
        Map<String, Long> byState = new TreeMap<>();
        for (PrometheusSample sample : scrape.samples("dask_scheduler_tasks")) {
            String state = sample.labels().get("state");
            if (state != null) {
                byState.merge(state, (long) sample.value(), Long::sum);
            }
        }
        Map<String, Long> byPrefix = new TreeMap<>();
        long erredTotal = 0;
        for (PrometheusSample sample : scrape.samples("dask_scheduler_prefix_state_totals_total")) {
            String prefix = sample.labels().get("task_prefix_name");
            String state = sample.labels().get("state");
            if (prefix == null || state == null) {
                continue;
            }
            if (state.equals("memory") && (byPrefix.containsKey(prefix) || byPrefix.size() < MAX_PREFIXES)) {
                byPrefix.merge(prefix, (long) sample.value(), Long::sum);
            } else if (state.equals("erred")) {
                erredTotal += (long) sample.value();
            }
        }
        long completed = byPrefix.values().stream().mapToLong(Long::longValue).sum();
        long erred = Math.max(erredTotal, byState.getOrDefault("erred", 0L));
        Optional<Double> compute =
                scrape.samples("dask_scheduler_tasks_compute_seconds_total").isEmpty()
                        ? Optional.empty()
                        : scrape.sum("dask_scheduler_tasks_compute_seconds_total", Map.of());
        Optional<Long> memory = identity.map(SchedulerFigures::workerMemory).filter(value -> value >= 0);
        return new SchedulerFigures(workers, byState, byPrefix, completed, erred, memory, compute);
    }

    private static long workerMemory(JsonNode identity) {
        JsonNode workers = identity.path("workers");
        if (!workers.isObject()) {
            return -1;
        }
        long total = 0;
        for (JsonNode worker : workers) {
            JsonNode memory = worker.path("metrics").path("memory");
            if (memory.isNumber()) {
                total += memory.asLong();
            }
        }
        return total;
    }
}
