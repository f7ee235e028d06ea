package io.capstan.server.logstore;

import static java.util.Objects.requireNonNull;

import io.capstan.server.backend.ClusterBackend;
import io.capstan.server.backend.ClusterBackend.LogChunk;
import io.capstan.server.backend.ClusterBackend.LogLine;
import io.capstan.server.cluster.Cluster;
import io.capstan.server.cluster.ClusterDao;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the output of cluster processes into the log store, line by line, encrypted under the account's key. The
 * read position of each source is committed in the same transaction as its lines, so after a crash nothing is
 * stored twice or lost. A cluster that writes faster than {@code linesPerSecond} or beyond {@code maxBytesPerCluster}
 * has the excess dropped and counted ({@code clusters.log_lines_dropped}); neither the server's memory nor its disk
 * can be exhausted by a chatty cluster. A store that fails (a full disk) costs a retry, never the server.
 */
public final class LogCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogCollector.class);
    private static final int CHUNK_BYTES = 1024 * 1024;
    private static final Duration BURST = Duration.ofSeconds(10);

    /** How much a cluster may log. */
    public record Limits(int linesPerSecond, long maxBytesPerCluster, Duration interval) {}

    private final Jdbi jdbi;
    private final ClusterBackend backend;
    private final LogStore store;
    private final Limits limits;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Map<String, Allowance> allowances = new ConcurrentHashMap<>();
    private volatile Optional<ScheduledFuture<?>> ticking = Optional.empty();

    public LogCollector(
            Jdbi jdbi,
            ClusterBackend backend,
            LogStore store,
            Limits limits,
            ScheduledExecutorService timer,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.store = requireNonNull(store, "store is null");
        this.limits = requireNonNull(limits, "limits is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A cluster's budget of lines, refilled with time. */
    private static final class Allowance {
        private double lines;
        private Instant refilledAt;

        private Allowance(double lines, Instant refilledAt) {
            this.lines = lines;
            this.refilledAt = refilledAt;
        }
    }

    public void start() {
        ticking = Optional.of(timer.scheduleWithFixedDelay(
                this::collectAll,
                limits.interval().toMillis(),
                limits.interval().toMillis(),
                TimeUnit.MILLISECONDS));
    }

    private void collectAll() {
        try {
            for (Cluster cluster : jdbi.onDemand(ClusterDao.class).listActive()) {
                collect(cluster);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "a log collection round failed; the next one retries: {}",
                    e.getClass().getSimpleName());
        }
    }

    /** Collects what the cluster's processes wrote since the last time; safe to call at any time, also at the end. */
    public synchronized void collect(Cluster cluster) {
        try {
            Map<String, Long> positions = cursors(cluster.id());
            for (int round = 0; round < 16; round++) {
                LogChunk chunk = backend.readLogs(cluster.id(), positions, CHUNK_BYTES);
                if (chunk.lines().isEmpty() && chunk.positions().equals(positions) && chunk.droppedBytes() == 0) {
                    return;
                }
                store(cluster, chunk);
                positions = chunk.positions();
                if (chunk.lines().isEmpty()) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "cannot store the logs of cluster {} now ({}); they stay where they are and are retried",
                    cluster.id(),
                    e.getClass().getSimpleName());
        }
    }

    private void store(Cluster cluster, LogChunk chunk) {
        Instant now = clock.instant();
        Allowance allowance = allowances.computeIfAbsent(
                cluster.id(), id -> new Allowance((double) limits.linesPerSecond() * BURST.toSeconds(), now));
        double refill = Duration.between(allowance.refilledAt, now).toMillis() / 1000.0 * limits.linesPerSecond();
        allowance.lines =
                Math.min(allowance.lines + Math.max(0, refill), (double) limits.linesPerSecond() * BURST.toSeconds());
        allowance.refilledAt = now;
        jdbi.useTransaction(handle -> {
            long storedBytes = storedBytes(handle, cluster.id());
            List<LogStore.Message> kept = new ArrayList<>();
            long dropped = chunk.droppedBytes() > 0 ? 1 : 0;
            long bytes = 0;
            for (LogLine line : chunk.lines()) {
                long size = line.text().getBytes(StandardCharsets.UTF_8).length;
                if (allowance.lines >= 1 && storedBytes + bytes + size <= limits.maxBytesPerCluster()) {
                    kept.add(new LogStore.Message(LogEntry.LOG, line.node() + "." + line.stream(), now, line.text()));
                    allowance.lines -= 1;
                    bytes += size;
                } else {
                    dropped++;
                }
            }
            if (!kept.isEmpty()) {
                store.append(handle, cluster.accountId(), cluster.id(), kept);
            }
            handle.createUpdate("UPDATE clusters SET log_lines_dropped = log_lines_dropped + :dropped,"
                            + " log_bytes_stored = log_bytes_stored + :bytes WHERE id = :id")
                    .bind("dropped", dropped)
                    .bind("bytes", bytes)
                    .bind("id", cluster.id())
                    .execute();
            for (Map.Entry<String, Long> position : chunk.positions().entrySet()) {
                int updated = handle.createUpdate(
                                "UPDATE log_cursors SET position = :position WHERE cluster_id = :id AND source = :source")
                        .bind("position", position.getValue())
                        .bind("id", cluster.id())
                        .bind("source", position.getKey())
                        .execute();
                if (updated == 0) {
                    handle.createUpdate("INSERT INTO log_cursors (cluster_id, source, position) VALUES (:id, :source,"
                                    + " :position)")
                            .bind("position", position.getValue())
                            .bind("id", cluster.id())
                            .bind("source", position.getKey())
                            .execute();
                }
            }
        });
    }

    private static long storedBytes(Handle handle, String clusterId) {
        return handle.createQuery("SELECT log_bytes_stored FROM clusters WHERE id = :id")
                .bind("id", clusterId)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L);
    }

    private Map<String, Long> cursors(String clusterId) {
        Map<String, Long> cursors = new HashMap<>();
        jdbi.useHandle(handle -> handle.createQuery("SELECT source, position FROM log_cursors WHERE cluster_id = :id")
                .bind("id", clusterId)
                .map((results, context) -> Map.entry(results.getString("source"), results.getLong("position")))
                .forEach(entry -> cursors.put(entry.getKey(), entry.getValue())));
        return cursors;
    }

    /** Forgets what is kept in memory about a cluster that ended. */
    public void forget(String clusterId) {
        allowances.remove(clusterId);
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM log_cursors WHERE cluster_id = :id")
                .bind("id", clusterId)
                .execute());
    }

    @Override
    public void close() {
        ticking.ifPresent(future -> future.cancel(true));
    }
}
