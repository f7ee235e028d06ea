package io.capstan.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.server.cluster.Cluster;
import io.capstan.server.privacy.StoredData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Where telemetry goes: a sample per scrape (at most one per {@code resolution}) and the cluster's summary,
 * updated in the same transaction. Kept until deleted by hand, with the cluster.
 */
public final class TelemetryStore {
    /** What this store keeps, for the privacy report: kept until the cluster or the account is deleted. */
    public static final StoredData STORED_DATA = new StoredData(
            "Telemetry",
            "Figures of your clusters over time (workers, tasks by state and prefix, memory, compute time) and a"
                    + " summary per cluster that outlives it",
            List.of("telemetry_samples", "telemetry_summaries"),
            List.of(),
            StoredData.Retention.untilDeletedByHand(),
            "SELECT (SELECT COUNT(*) FROM telemetry_samples WHERE account_id IN (<accounts>))"
                    + " + (SELECT COUNT(*) FROM telemetry_summaries WHERE account_id IN (<accounts>))");

    private final Jdbi jdbi;
    private final Duration resolution;

    public TelemetryStore(Jdbi jdbi, Duration resolution) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.resolution = requireNonNull(resolution, "resolution is null");
    }

    public void record(Cluster cluster, SchedulerFigures figures, Instant now) {
        jdbi.useTransaction(handle -> {
            // The cluster's row is locked so that a concurrent delete of the cluster cannot leave telemetry behind.
            boolean exists = handle.createQuery("SELECT id FROM clusters WHERE id = :id FOR UPDATE")
                    .bind("id", cluster.id())
                    .mapTo(String.class)
                    .findOne()
                    .isPresent();
            if (!exists) {
                return;
            }
            TelemetryDao telemetry = handle.attach(TelemetryDao.class);
            Optional<TelemetryDao.Summary> previous = telemetry.summary(cluster.id());
            String byState = Json.strict().writeValueAsString(figures.tasksByState());
            String byPrefix = Json.strict().writeValueAsString(figures.completedByPrefix());
            if (previous.isEmpty()) {
                telemetry.insertSummary(new TelemetryDao.Summary(
                        cluster.id(),
                        cluster.accountId(),
                        now,
                        now,
                        figures.workers(),
                        figures.workers(),
                        0,
                        figures.tasksCompleted(),
                        figures.tasksErred(),
                        figures.memoryBytes(),
                        figures.memoryBytes(),
                        figures.computeSeconds(),
                        byState,
                        byPrefix));
                telemetry.insertSample(sample(cluster, figures, now));
                return;
            }
            TelemetryDao.Summary last = previous.get();
            if (!now.isAfter(last.lastAt())) {
                return;
            }
            long elapsed = Duration.between(last.lastAt(), now).toMillis();
            telemetry.updateSummary(new TelemetryDao.Summary(
                    cluster.id(),
                    cluster.accountId(),
                    last.firstAt(),
                    now,
                    figures.workers(),
                    Math.max(last.workersPeak(), figures.workers()),
                    last.workerMillis() + elapsed * last.workersCurrent(),
                    Math.max(last.tasksCompleted(), figures.tasksCompleted()),
                    Math.max(last.tasksErred(), figures.tasksErred()),
                    figures.memoryBytes(),
                    max(last.memoryPeak(), figures.memoryBytes()),
                    figures.computeSeconds().or(last::computeSeconds),
                    byState,
                    byPrefix));
            boolean due = telemetry.samples(cluster.id(), now.minus(resolution)).isEmpty();
            if (due) {
                telemetry.insertSample(sample(cluster, figures, now));
            }
        });
    }

    private static TelemetryDao.Sample sample(Cluster cluster, SchedulerFigures figures, Instant now) {
        return new TelemetryDao.Sample(
                cluster.id(),
                cluster.accountId(),
                now,
                figures.workers(),
                figures.tasksProcessing(),
                figures.tasksInMemory(),
                figures.tasksCompleted(),
                figures.tasksErred(),
                figures.memoryBytes());
    }

    private static Optional<Long> max(Optional<Long> left, Optional<Long> right) {
        if (left.isEmpty()) {
            return right;
        }
        return Optional.of(Math.max(left.get(), right.orElse(0L)));
    }
}
