package io.capstan.server.cluster;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Clusters in the store. Every state change is a compare-and-set on the current state ({@link #transition}), so a
 * retried request or a second control plane cannot apply a transition twice.
 */
@RegisterConstructorMapper(Cluster.class)
public interface ClusterDao {
    String COLUMNS = """
            id, account_id, creator_id, name, state, state_reason, workers, threads_per_worker,
            memory_per_worker_bytes, idle_timeout_seconds, max_lifetime_seconds, labels, backend, scheduler_address,
            ca_certificate, ca_key_ciphertext, idempotency_key, request_fingerprint, created_at, started_at,
            stopped_at, expires_at, last_activity_at, worker_restarts, environment_id, python_executable,
            configuration_id
            """;

    @SqlUpdate("INSERT INTO clusters (" + COLUMNS + """
            ) VALUES (:id, :accountId, :creatorId, :name, :state, :stateReason, :workers, :threadsPerWorker,
            :memoryPerWorkerBytes, :idleTimeoutSeconds, :maxLifetimeSeconds, :labels, :backend, :schedulerAddress,
            :caCertificate, :caKeyCiphertext, :idempotencyKey, :requestFingerprint, :createdAt, :startedAt,
            :stoppedAt, :expiresAt, :lastActivityAt, :workerRestarts, :environmentId, :pythonExecutable,
            :configurationId)
            """)
    void insert(@BindMethods Cluster cluster);

    @SqlQuery("SELECT " + COLUMNS + " FROM clusters WHERE id = :id")
    Optional<Cluster> find(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM clusters WHERE account_id = :account AND idempotency_key = :key")
    Optional<Cluster> findByIdempotencyKey(@Bind("account") String accountId, @Bind("key") String key);

    @SqlQuery("SELECT " + COLUMNS + " FROM clusters WHERE account_id IN (<accounts>) ORDER BY created_at DESC, id")
    List<Cluster> listByAccounts(@BindList("accounts") List<String> accountIds);

    @SqlQuery("SELECT " + COLUMNS + " FROM clusters WHERE state IN ('PENDING', 'STARTING', 'RUNNING', 'SCALING',"
            + " 'STOPPING') ORDER BY created_at, id")
    List<Cluster> listActive();

    @SqlQuery("SELECT " + COLUMNS + " FROM clusters WHERE state IN ('STOPPED', 'FAILED') AND ca_key_ciphertext IS NOT"
            + " NULL")
    List<Cluster> listEndedWithKeys();

    @SqlQuery("SELECT count(*) FROM clusters WHERE account_id = :account AND name = :name AND state IN ('PENDING',"
            + " 'STARTING', 'RUNNING', 'SCALING', 'STOPPING')")
    long countLiveByName(@Bind("account") String accountId, @Bind("name") String name);

    @SqlUpdate("""
            UPDATE clusters SET state = :to, state_reason = :reason
            WHERE id = :id AND state = :from
            """)
    int transition(
            @Bind("id") String id,
            @Bind("from") ClusterState from,
            @Bind("to") ClusterState to,
            @Bind("reason") String reason);

    @SqlUpdate("""
            UPDATE clusters SET state = 'RUNNING', state_reason = :reason, scheduler_address = :address,
                started_at = COALESCE(started_at, :now), last_activity_at = :now
            WHERE id = :id AND state = :from
            """)
    int markRunning(
            @Bind("id") String id,
            @Bind("from") ClusterState from,
            @Bind("address") String schedulerAddress,
            @Bind("reason") String reason,
            @Bind("now") Instant now);

    @SqlUpdate("""
            UPDATE clusters SET state = 'SCALING', workers = :workers, state_reason = :reason
            WHERE id = :id AND state IN ('RUNNING', 'SCALING')
            """)
    int scale(@Bind("id") String id, @Bind("workers") int workers, @Bind("reason") String reason);

    @SqlUpdate("""
            UPDATE clusters SET state = 'STOPPED', stopped_at = :now, ca_key_ciphertext = NULL
            WHERE id = :id AND state = 'STOPPING'
            """)
    int markStopped(@Bind("id") String id, @Bind("now") Instant now);

    @SqlUpdate("""
            UPDATE clusters SET stopped_at = COALESCE(stopped_at, :now), ca_key_ciphertext = NULL
            WHERE id = :id AND state IN ('STOPPED', 'FAILED')
            """)
    int destroyCaKey(@Bind("id") String id, @Bind("now") Instant now);

    @SqlUpdate("UPDATE clusters SET last_activity_at = :now WHERE id = :id")
    int touch(@Bind("id") String id, @Bind("now") Instant now);

    @SqlUpdate("UPDATE clusters SET worker_restarts = worker_restarts + :count WHERE id = :id")
    int addWorkerRestarts(@Bind("id") String id, @Bind("count") int count);

    /** What the account's clusters that hold resources use: clusters, workers, cores; without one cluster. */
    @SqlQuery("""
            SELECT count(*) AS clusters, COALESCE(sum(workers), 0) AS workers,
                COALESCE(sum(workers * threads_per_worker), 0) AS cores
            FROM clusters
            WHERE account_id = :account AND id <> :excluding AND state IN ('PENDING', 'STARTING', 'RUNNING', 'SCALING')
            """)
    @RegisterConstructorMapper(Usage.class)
    Usage usage(@Bind("account") String accountId, @Bind("excluding") String excludingClusterId);

    /** Resources in use: clusters, workers, cores. */
    record Usage(long clusters, long workers, long cores) {}

    @SqlUpdate("DELETE FROM clusters WHERE id = :id AND state IN ('STOPPED', 'FAILED')")
    int delete(@Bind("id") String id);

    @SqlQuery("SELECT ca_key_ciphertext FROM clusters WHERE id = :id")
    Optional<Ciphertext> caKey(@Bind("id") String id);
}
