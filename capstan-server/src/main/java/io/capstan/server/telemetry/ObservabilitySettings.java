package io.capstan.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.capstan.server.ServerConfig.InvalidConfigException;
import java.time.Duration;

/**
 * How telemetry and logs are collected and kept: scrape interval and sample resolution, how long the log store keeps
 * entries, and how much a cluster may log. Defaults are pinned by {@code TestServerConfig}.
 */
public record ObservabilitySettings(
        Duration telemetryInterval,
        Duration telemetryResolution,
        Duration scrapeTimeout,
        int scrapeConcurrency,
        Duration logRetention,
        Duration logInterval,
        int logLinesPerSecond,
        long logMaxBytesPerCluster) {

    public ObservabilitySettings {
        requireNonNull(telemetryInterval, "telemetryInterval is null");
        requireNonNull(telemetryResolution, "telemetryResolution is null");
        requireNonNull(scrapeTimeout, "scrapeTimeout is null");
        requireNonNull(logRetention, "logRetention is null");
        requireNonNull(logInterval, "logInterval is null");
    }

    public static ObservabilitySettings defaults() {
        return new ObservabilitySettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                4,
                Duration.ofDays(30),
                Duration.ofSeconds(1),
                1000,
                256L * 1024 * 1024);
    }

    public void validate() {
        if (telemetryInterval.toMillis() < 100 || scrapeConcurrency < 1 || logLinesPerSecond < 1) {
            throw new InvalidConfigException("telemetry and log settings must be positive");
        }
        if (logRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new InvalidConfigException("--log-retention must be at least an hour");
        }
    }

    public ObservabilitySettings withLogRetention(Duration retention) {
        return new ObservabilitySettings(
                telemetryInterval,
                telemetryResolution,
                scrapeTimeout,
                scrapeConcurrency,
                retention,
                logInterval,
                logLinesPerSecond,
                logMaxBytesPerCluster);
    }

    public ObservabilitySettings withLogLimits(int linesPerSecond, long maxBytesPerCluster) {
        return new ObservabilitySettings(
                telemetryInterval,
                telemetryResolution,
                scrapeTimeout,
                scrapeConcurrency,
                logRetention,
                logInterval,
                linesPerSecond,
                maxBytesPerCluster);
    }

    public ObservabilitySettings withTelemetryInterval(Duration interval, Duration resolution) {
        return new ObservabilitySettings(
                interval,
                resolution,
                scrapeTimeout,
                scrapeConcurrency,
                logRetention,
                logInterval,
                logLinesPerSecond,
                logMaxBytesPerCluster);
    }
}
