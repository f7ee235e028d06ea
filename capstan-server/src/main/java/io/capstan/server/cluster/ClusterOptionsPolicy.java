package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.server.CapstanException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules for a cluster's options: the server's defaults for what a request leaves out, and the limits nothing
 * may pass. Used for cluster creation and for cluster configurations, so that a configuration that would not make
 * a valid cluster is refused when it is saved.
 */
public final class ClusterOptionsPolicy {
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?");
    private static final int MAX_LABELS = 32;
    private static final int MAX_LABEL_VALUE = 255;
    private static final long MIN_MEMORY = 128L * 1024 * 1024;
    private static final Duration MIN_LIFETIME = Duration.ofMinutes(1);

    private final ClusterSettings settings;

    public ClusterOptionsPolicy(ClusterSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** The options of a request, validated, with the defaults filled in. */
    public record Options(
            int workers,
            int threads,
            long memoryBytes,
            Duration idleTimeout,
            Duration maxLifetime,
            Map<String, String> labels) {}

    public Options resolve(CreateClusterRequest request) {
        int workers = request.workers().orElse(settings.defaultWorkers());
        if (workers < 0 || workers > settings.maxWorkers()) {
            throw CapstanException.invalidField("workers", "'workers' must be between 0 and " + settings.maxWorkers());
        }
        int threads = request.threadsPerWorker().orElse(settings.defaultThreadsPerWorker());
        if (threads < 1 || threads > settings.maxThreadsPerWorker()) {
            throw CapstanException.invalidField(
                    "threadsPerWorker", "'threadsPerWorker' must be between 1 and " + settings.maxThreadsPerWorker());
        }
        long memory = request.memoryPerWorkerBytes().orElse(settings.defaultMemoryPerWorkerBytes());
        if (memory < MIN_MEMORY || memory > settings.maxMemoryPerWorkerBytes()) {
            throw CapstanException.invalidField(
                    "memoryPerWorkerBytes",
                    "'memoryPerWorkerBytes' must be between " + MIN_MEMORY + " and "
                            + settings.maxMemoryPerWorkerBytes());
        }
        long lifetimeSeconds = request.maxLifetimeSeconds()
                .orElse(settings.defaultMaxLifetime().toSeconds());
        if (lifetimeSeconds < MIN_LIFETIME.toSeconds()
                || lifetimeSeconds > settings.maxLifetime().toSeconds()) {
            throw CapstanException.invalidField(
                    "maxLifetimeSeconds",
                    "'maxLifetimeSeconds' must be between " + MIN_LIFETIME.toSeconds() + " and "
                            + settings.maxLifetime().toSeconds());
        }
        Duration maxLifetime = Duration.ofSeconds(lifetimeSeconds);
        Duration idleTimeout =
                request.idleTimeoutSeconds().map(Duration::ofSeconds).orElse(settings.defaultIdleTimeout());
        if (idleTimeout.compareTo(settings.minIdleTimeout()) < 0 || idleTimeout.compareTo(settings.maxLifetime()) > 0) {
            throw CapstanException.invalidField(
                    "idleTimeoutSeconds",
                    "'idleTimeoutSeconds' must be between "
                            + settings.minIdleTimeout().toSeconds() + " and "
                            + settings.maxLifetime().toSeconds());
        }
        return new Options(workers, threads, memory, idleTimeout, maxLifetime, labels(request.labels()));
    }

    private static Map<String, String> labels(Optional<Map<String, String>> requested) {
        Map<String, String> labels = new TreeMap<>();
        Map<String, String> given = requested.orElse(Map.of());
        if (given.size() > MAX_LABELS) {
            throw CapstanException.invalidField("labels", "at most " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> label : given.entrySet()) {
            if (label.getKey() == null || !LABEL_KEY.matcher(label.getKey()).matches()) {
                throw CapstanException.invalidField(
                        "labels",
                        "label keys are 1 to 63 lowercase letters, digits, '.',"
                                + " '_', '/' or '-', starting and ending with a letter or digit");
            }
            String value = label.getValue();
            if (value == null
                    || value.length() > MAX_LABEL_VALUE
                    || value.chars().anyMatch(Character::isISOControl)) {
                throw CapstanException.invalidField(
                        "labels",
                        "label values are at most " + MAX_LABEL_VALUE + " characters without control characters");
            }
            labels.put(label.getKey(), value);
        }
        return labels;
    }
}
