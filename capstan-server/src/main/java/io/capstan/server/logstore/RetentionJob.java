package io.capstan.server.logstore;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes log store entries older than the retention period (30 days by default): once at start, then every hour.
 * Each run deletes in batches by a condition on time only, so it is idempotent; a batch locks its rows skipping
 * those another run holds, so two servers running it at once share the work instead of blocking each other.
 */
public final class RetentionJob implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    private static final int BATCH = 5_000;

    private final Jdbi jdbi;
    private final Duration retention;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private volatile Optional<ScheduledFuture<?>> ticking = Optional.empty();

    public RetentionJob(Jdbi jdbi, Duration retention, ScheduledExecutorService timer, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void start() {
        ticking = Optional.of(timer.scheduleWithFixedDelay(this::safeRun, 0, 1, TimeUnit.HOURS));
    }

    private void safeRun() {
        try {
            run();
        } catch (RuntimeException e) {
            log.warn(
                    "the log retention run failed; it runs again in an hour: {}",
                    e.getClass().getSimpleName());
        }
    }

    /** Removes every entry older than the retention period; returns how many. */
    public long run() {
        Instant cutoff = clock.instant().minus(retention);
        long removed = 0;
        int batch;
        do {
            batch = jdbi.inTransaction(handle -> {
                LogEntryDao entries = handle.attach(LogEntryDao.class);
                List<Long> ids = entries.lockOlderThan(cutoff, BATCH);
                return ids.isEmpty() ? 0 : entries.delete(ids);
            });
            removed += batch;
        } while (batch == BATCH && !Thread.currentThread().isInterrupted());
        if (removed > 0) {
            log.info("log retention removed {} entries older than {}", removed, cutoff);
        }
        return removed;
    }

    public Duration retention() {
        return retention;
    }

    @Override
    public void close() {
        ticking.ifPresent(future -> future.cancel(true));
    }
}
