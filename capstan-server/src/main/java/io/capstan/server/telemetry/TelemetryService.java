package io.capstan.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.api.telemetry.AccountUsage;
import io.capstan.api.telemetry.ClusterMetrics;
import io.capstan.api.telemetry.TelemetrySample;
import io.capstan.api.telemetry.TelemetrySummary;
import io.capstan.server.CapstanException;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.Membership;
import io.capstan.server.auth.Caller;
import io.capstan.server.cluster.Cluster;
import io.capstan.server.cluster.ClusterService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;

/** Telemetry for the account's members: a cluster's figures and history, and usage over all runs. */
public final class TelemetryService {
    private final Jdbi jdbi;
    private final ClusterService clusters;
    private final Clock clock;

    public TelemetryService(Jdbi jdbi, ClusterService clusters, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public ClusterMetrics metrics(Caller caller, String clusterId, Duration history) {
        Cluster cluster = clusters.visibleCluster(caller, clusterId);
        TelemetryDao telemetry = jdbi.onDemand(TelemetryDao.class);
        Optional<TelemetrySummary> summary = telemetry.summary(cluster.id()).map(TelemetryService::view);
        List<TelemetrySample> samples = telemetry
                .samples(cluster.id(), clock.instant().minus(history))
                .stream()
                .map(sample -> new TelemetrySample(
                        sample.at(),
                        sample.workers(),
                        sample.tasksProcessing(),
                        sample.tasksCompleted(),
                        sample.tasksErred(),
                        sample.memoryBytes()))
                .toList();
        return new ClusterMetrics(cluster.id(), summary, samples);
    }

    /** Usage of each of the caller's accounts (or the one named) by the clusters seen since {@code since}. */
    public List<AccountUsage> usage(Caller caller, Optional<String> accountName, Duration since) {
        Instant from = clock.instant().minus(since);
        return jdbi.withHandle(handle -> {
            List<Membership> memberships = handle.attach(AccountDao.class).membershipsOf(caller.userId()).stream()
                    .filter(membership ->
                            accountName.map(membership.accountName()::equals).orElse(true))
                    .toList();
            if (accountName.isPresent() && memberships.isEmpty()) {
                throw CapstanException.notFound("account '" + accountName.get() + "'");
            }
            List<AccountUsage> usage = new ArrayList<>();
            for (Membership membership : memberships) {
                List<TelemetryDao.Summary> summaries =
                        handle.attach(TelemetryDao.class).summariesSince(List.of(membership.accountId()), from);
                usage.add(new AccountUsage(
                        membership.accountName(),
                        from,
                        summaries.size(),
                        summaries.stream()
                                        .mapToLong(TelemetryDao.Summary::workerMillis)
                                        .sum()
                                / 3_600_000.0,
                        summaries.stream()
                                .mapToLong(TelemetryDao.Summary::tasksCompleted)
                                .sum(),
                        summaries.stream()
                                .mapToLong(TelemetryDao.Summary::tasksErred)
                                .sum(),
                        summaries.stream()
                                .map(TelemetryDao.Summary::memoryPeak)
                                .flatMap(Optional::stream)
                                .max(Long::compare)));
            }
            return List.copyOf(usage);
        });
    }

    static TelemetrySummary view(TelemetryDao.Summary summary) {
        Map<String, Long> byState =
                Json.lenient().readValue(summary.tasksByState(), new TypeReference<Map<String, Long>>() {});
        Map<String, Long> byPrefix =
                Json.lenient().readValue(summary.tasksByPrefix(), new TypeReference<Map<String, Long>>() {});
        return new TelemetrySummary(
                summary.firstAt(),
                summary.lastAt(),
                Duration.between(summary.firstAt(), summary.lastAt()).toSeconds(),
                summary.workersCurrent(),
                summary.workersPeak(),
                summary.workerMillis() / 3_600_000.0,
                summary.tasksCompleted(),
                summary.tasksErred(),
                byState,
                byPrefix,
                summary.memoryCurrent(),
                summary.memoryPeak(),
                summary.computeSeconds());
    }
}
