package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.server.ServerConfig.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How clusters are made and looked after: the defaults a request does not set, the limits it may not pass, and the
 * pace of the lifecycle. Defaults are pinned by {@code TestServerConfig}.
 */
public record ClusterSettings(
        Path pythonExecutable,
        int defaultWorkers,
        int defaultThreadsPerWorker,
        long defaultMemoryPerWorkerBytes,
        Duration defaultIdleTimeout,
        Duration defaultMaxLifetime,
        int maxWorkers,
        int maxThreadsPerWorker,
        long maxMemoryPerWorkerBytes,
        Duration minIdleTimeout,
        Duration maxLifetime,
        Duration clientCertificateLifetime,
        Duration startTimeout,
        Duration reconcileInterval,
        Duration activityCheckInterval,
        Duration stopGracePeriod,
        int maxWorkerRestarts) {

    public ClusterSettings {
        requireNonNull(pythonExecutable, "pythonExecutable is null");
        requireNonNull(defaultIdleTimeout, "defaultIdleTimeout is null");
        requireNonNull(defaultMaxLifetime, "defaultMaxLifetime is null");
        requireNonNull(minIdleTimeout, "minIdleTimeout is null");
        requireNonNull(maxLifetime, "maxLifetime is null");
        requireNonNull(clientCertificateLifetime, "clientCertificateLifetime is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(reconcileInterval, "reconcileInterval is null");
        requireNonNull(activityCheckInterval, "activityCheckInterval is null");
        requireNonNull(stopGracePeriod, "stopGracePeriod is null");
    }

    public static ClusterSettings defaults() {
        return new ClusterSettings(
                Path.of("/usr/bin/python3"),
                2,
                2,
                4L * 1024 * 1024 * 1024,
                Duration.ofMinutes(20),
                Duration.ofHours(24),
                64,
                64,
                1024L * 1024 * 1024 * 1024,
                Duration.ofMinutes(1),
                Duration.ofDays(30),
                Duration.ofHours(12),
                Duration.ofMinutes(3),
                Duration.ofMillis(200),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                5);
    }

    public void validate() {
        if (!pythonExecutable.isAbsolute() || !Files.isExecutable(pythonExecutable)) {
            throw new InvalidConfigException("--python " + pythonExecutable + " is not an executable absolute path;"
                    + " install Debian's python3-distributed or give the interpreter that has Dask");
        }
        if (defaultWorkers < 0 || defaultWorkers > maxWorkers || defaultThreadsPerWorker < 1) {
            throw new InvalidConfigException("the default cluster size is outside the limits");
        }
        if (defaultMaxLifetime.compareTo(maxLifetime) > 0 || defaultIdleTimeout.compareTo(minIdleTimeout) < 0) {
            throw new InvalidConfigException("the default cluster lifetime or idle timeout is outside the limits");
        }
    }

    public ClusterSettings withPythonExecutable(Path python) {
        return new ClusterSettings(
                python,
                defaultWorkers,
                defaultThreadsPerWorker,
                defaultMemoryPerWorkerBytes,
                defaultIdleTimeout,
                defaultMaxLifetime,
                maxWorkers,
                maxThreadsPerWorker,
                maxMemoryPerWorkerBytes,
                minIdleTimeout,
                maxLifetime,
                clientCertificateLifetime,
                startTimeout,
                reconcileInterval,
                activityCheckInterval,
                stopGracePeriod,
                maxWorkerRestarts);
    }

    public ClusterSettings withMinIdleTimeout(Duration minimum) {
        return new ClusterSettings(
                pythonExecutable,
                defaultWorkers,
                defaultThreadsPerWorker,
                defaultMemoryPerWorkerBytes,
                defaultIdleTimeout,
                defaultMaxLifetime,
                maxWorkers,
                maxThreadsPerWorker,
                maxMemoryPerWorkerBytes,
                minimum,
                maxLifetime,
                clientCertificateLifetime,
                startTimeout,
                reconcileInterval,
                activityCheckInterval,
                stopGracePeriod,
                maxWorkerRestarts);
    }

    public ClusterSettings withActivityCheckInterval(Duration interval) {
        return new ClusterSettings(
                pythonExecutable,
                defaultWorkers,
                defaultThreadsPerWorker,
                defaultMemoryPerWorkerBytes,
                defaultIdleTimeout,
                defaultMaxLifetime,
                maxWorkers,
                maxThreadsPerWorker,
                maxMemoryPerWorkerBytes,
                minIdleTimeout,
                maxLifetime,
                clientCertificateLifetime,
                startTimeout,
                reconcileInterval,
                interval,
                stopGracePeriod,
                maxWorkerRestarts);
    }

    public ClusterSettings withMaxWorkerRestarts(int restarts) {
        return new ClusterSettings(
                pythonExecutable,
                defaultWorkers,
                defaultThreadsPerWorker,
                defaultMemoryPerWorkerBytes,
                defaultIdleTimeout,
                defaultMaxLifetime,
                maxWorkers,
                maxThreadsPerWorker,
                maxMemoryPerWorkerBytes,
                minIdleTimeout,
                maxLifetime,
                clientCertificateLifetime,
                startTimeout,
                reconcileInterval,
                activityCheckInterval,
                stopGracePeriod,
                restarts);
    }
}
