package io.capstan.server.telemetry;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Telemetry in the store: samples, and one summary per cluster that outlives it. */
@RegisterConstructorMapper(TelemetryDao.Sample.class)
@RegisterConstructorMapper(TelemetryDao.Summary.class)
public interface TelemetryDao {
    record Sample(
            String clusterId,
            String accountId,
            Instant at,
            int workers,
            long tasksProcessing,
            long tasksMemory,
            long tasksCompleted,
            long tasksErred,
            Optional<Long> memoryBytes) {}

    record Summary(
            String clusterId,
            String accountId,
            Instant firstAt,
            Instant lastAt,
            int workersCurrent,
            int workersPeak,
            long workerMillis,
            long tasksCompleted,
            long tasksErred,
            Optional<Long> memoryCurrent,
            Optional<Long> memoryPeak,
            Optional<Double> computeSeconds,
            String tasksByState,
            String tasksByPrefix) {}

    @SqlUpdate("""
            INSERT INTO telemetry_samples (cluster_id, account_id, at, workers, tasks_processing, tasks_memory,
                tasks_completed, tasks_erred, memory_bytes)
            VALUES (:clusterId, :accountId, :at, :workers, :tasksProcessing, :tasksMemory, :tasksCompleted,
                :tasksErred, :memoryBytes)
            """)
    void insertSample(@BindMethods Sample sample);

    @SqlQuery("""
            SELECT cluster_id, account_id, at, workers, tasks_processing, tasks_memory, tasks_completed, tasks_erred,
                memory_bytes
            FROM telemetry_samples WHERE cluster_id = :cluster AND at >= :since ORDER BY at
            """)
    List<Sample> samples(@Bind("cluster") String clusterId, @Bind("since") Instant since);

    String SUMMARY_COLUMNS = """
            cluster_id, account_id, first_at, last_at, workers_current, workers_peak, worker_millis, tasks_completed,
            tasks_erred, memory_current, memory_peak, compute_seconds, tasks_by_state, tasks_by_prefix
            """;

    @SqlQuery("SELECT " + SUMMARY_COLUMNS + " FROM telemetry_summaries WHERE cluster_id = :cluster")
    Optional<Summary> summary(@Bind("cluster") String clusterId);

    @SqlUpdate("INSERT INTO telemetry_summaries (" + SUMMARY_COLUMNS + """
            ) VALUES (:clusterId, :accountId, :firstAt, :lastAt, :workersCurrent, :workersPeak, :workerMillis,
                :tasksCompleted, :tasksErred, :memoryCurrent, :memoryPeak, :computeSeconds, :tasksByState,
                :tasksByPrefix)
            """)
    void insertSummary(@BindMethods Summary summary);

    @SqlUpdate("""
            UPDATE telemetry_summaries SET last_at = :lastAt, workers_current = :workersCurrent,
                workers_peak = :workersPeak, worker_millis = :workerMillis, tasks_completed = :tasksCompleted,
                tasks_erred = :tasksErred, memory_current = :memoryCurrent, memory_peak = :memoryPeak,
                compute_seconds = :computeSeconds, tasks_by_state = :tasksByState, tasks_by_prefix = :tasksByPrefix
            WHERE cluster_id = :clusterId
            """)
    int updateSummary(@BindMethods Summary summary);

    @SqlQuery("SELECT " + SUMMARY_COLUMNS + " FROM telemetry_summaries WHERE account_id IN (<accounts>) AND last_at"
            + " >= :since")
    List<Summary> summariesSince(
            @BindList(value = "accounts", onEmpty = BindList.EmptyHandling.NULL_STRING) List<String> accountIds,
            @Bind("since") Instant since);

    @SqlUpdate("DELETE FROM telemetry_samples WHERE cluster_id = :cluster")
    int deleteSamples(@Bind("cluster") String clusterId);

    @SqlUpdate("DELETE FROM telemetry_summaries WHERE cluster_id = :cluster")
    int deleteSummary(@Bind("cluster") String clusterId);
}
