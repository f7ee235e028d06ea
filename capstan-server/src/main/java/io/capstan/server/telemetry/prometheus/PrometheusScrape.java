package io.capstan.server.telemetry.prometheus;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one {@code /metrics} payload said, in the order it said it.
 *
 * @param samples every sample line
 * @param types the kind from each {@code # TYPE} line ({@code counter}, {@code gauge}, {@code histogram},
 *     {@code summary} or {@code untyped}) by metric family name; a family may have a type and no samples
 */
public record PrometheusScrape(List<PrometheusSample> samples, Map<String, String> types) {
    public PrometheusScrape {
        samples = List.copyOf(requireNonNull(samples, "samples is null"));
        types = Map.copyOf(requireNonNull(types, "types is null"));
    }

    /** The samples named exactly {@code name}. */
    public List<PrometheusSample> samples(String name) {
        requireNonNull(name, "name is null");
        return samples.stream().filter(sample -> sample.name().equals(name)).toList();
    }

    /** The samples named exactly {@code name} that carry every label in {@code labelSubset}. */
    public List<PrometheusSample> samples(String name, Map<String, String> labelSubset) {
        requireNonNull(name, "name is null");
        requireNonNull(labelSubset, "labelSubset is null");
        return samples.stream()
                .filter(sample -> sample.name().equals(name) && sample.hasLabels(labelSubset))
                .toList();
    }

    /**
     * The sum of the samples named {@code name} that carry every label in {@code labelSubset}, or empty when no
     * sample matches: a collector must tell "no tasks" from "this scheduler does not report tasks". For example,
     * {@code sum("dask_scheduler_tasks", Map.of("state", "memory"))}.
     */
    public Optional<Double> sum(String name, Map<String, String> labelSubset) {
        List<PrometheusSample> matching = samples(name, labelSubset);
        if (matching.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                matching.stream().mapToDouble(PrometheusSample::value).sum());
    }

    /** The kind a {@code # TYPE} line gave to the metric family {@code name}. */
    public Optional<String> type(String name) {
        return Optional.ofNullable(types.get(requireNonNull(name, "name is null")));
    }
}
