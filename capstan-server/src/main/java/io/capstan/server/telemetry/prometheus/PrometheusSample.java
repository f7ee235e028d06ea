package io.capstan.server.telemetry.prometheus;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One sample line of the Prometheus text format. The labels are kept sorted by name so that two samples with the
 * same label set are equal however the exporter ordered them. {@link PrometheusTextParser} guarantees that names
 * follow the format's grammar; this record does not check it again.
 *
 * @param name the metric name as written, including a histogram's or summary's {@code _bucket}, {@code _sum} or
 *     {@code _count} suffix
 * @param value any double, including NaN and the infinities
 * @param timestampMillis milliseconds since the epoch, when the exporter gave one
 */
public record PrometheusSample(String name, Map<String, String> labels, double value, Optional<Long> timestampMillis) {
    public PrometheusSample {
        requireNonNull(name, "name is null");
        labels = Collections.unmodifiableSortedMap(new TreeMap<>(requireNonNull(labels, "labels is null")));
        requireNonNull(timestampMillis, "timestampMillis is null");
    }

    public PrometheusSample(String name, Map<String, String> labels, double value) {
        this(name, labels, value, Optional.empty());
    }

    /** Whether this sample carries every label in {@code subset} with the same value. */
    public boolean hasLabels(Map<String, String> subset) {
        return labels.entrySet().containsAll(subset.entrySet());
    }
}
