package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks every {@code interval} for assumed-role credentials past half their lifetime and refreshes them, and for
 * credentials that expired unreplaced, which it announces; on its own thread: an STS call that hangs for its whole
 * timeout delays no cluster's lifecycle.
 */
public final class AwsCredentialsRefresher {
    private static final Logger log = LoggerFactory.getLogger(AwsCredentialsRefresher.class);

    private final AwsCredentialsService credentials;
    private final ScheduledExecutorService executor;
    private final Duration interval;
    private volatile Optional<ScheduledFuture<?>> ticking = Optional.empty();

    public AwsCredentialsRefresher(
            AwsCredentialsService credentials, ScheduledExecutorService executor, Duration interval) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.interval = requireNonNull(interval, "interval is null");
    }

    public void start() {
        ticking = Optional.of(executor.scheduleWithFixedDelay(
                this::safeRefresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void safeRefresh() {
        try {
            credentials.refreshDue();
            credentials.announceExpiries();
        } catch (RuntimeException e) {
            log.error("refreshing AWS credentials failed; the next round retries", e);
        }
    }

    public void stop() {
        ticking.ifPresent(future -> future.cancel(true));
    }
}
