package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.server.awscredentials.AwsCredentialsService;
import io.capstan.server.backend.ClusterBackend;
import io.capstan.server.backend.ClusterObservation;
import io.capstan.server.backend.ClusterObservation.SchedulerStatistics;
import io.capstan.server.backend.ClusterObservation.SchedulerStatus;
import io.capstan.server.backend.ClusterSpec;
import io.capstan.server.logstore.LogCollector;
import io.capstan.server.logstore.LogStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every cluster from what it should be (the database) to what runs (the backend). Level-triggered: each
 * pass reads the desired state and the observed state and acts on the difference, so any pass may be repeated,
 * interrupted or run after a crash of the control plane, and converges. Passes run on one thread, every {@code
 * reconcileInterval} and whenever {@link #wake()} is called.
 *
 * <pre>
 *   create                 scheduler up, every worker connected
 *  ───────▶ PENDING ──▶ STARTING ─────────────────────────────▶ RUNNING ◀─────────┐
 *              │           │                                     │ scale         │ workers as asked
 *              │           │                                     ▼               │
 *              │           │                                  SCALING ───────────┘
 *              │           │   stop, idle timeout, lifetime      │
 *              └───────────┴─────────────▶ STOPPING ◀────────────┘
 *                                             │ processes gone, files removed, CA key and AWS credentials destroyed
 *                                             ▼
 *                                          STOPPED
 *
 *   PENDING, STARTING, RUNNING, SCALING ──▶ FAILED, with a reason (the scheduler exited, the cluster did not
 *   start in time, workers kept dying); a failed cluster is cleaned up exactly like a stopped one.
 * </pre>
 *
 * Every transition is a compare-and-set on the state in the database ({@link ClusterDao#transition}) and is recorded
 * as an event with its reason.
 */
public final class ClusterLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterLifecycle.class);
    private static final Duration CHANGING_INTERVAL = Duration.ofMillis(50);

    private final Jdbi jdbi;
    private final ClusterBackend backend;
    private final ClusterPki pki;
    private final LogStore logStore;
    private final LogCollector logs;
    private final AwsCredentialsService awsCredentials;
    private final ClusterSettings settings;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Map<String, Instant> lastActivityCheck = new ConcurrentHashMap<>();
    private final Map<String, Long> lastTaskTotals = new ConcurrentHashMap<>();
    private volatile boolean orphansCollected;
    private volatile Optional<ScheduledFuture<?>> ticking = Optional.empty();
    /** The sooner pass while clusters change, cancelled on close. */
    private volatile Optional<ScheduledFuture<?>> nextPass = Optional.empty();

    public ClusterLifecycle(
            Jdbi jdbi,
            ClusterBackend backend,
            ClusterPki pki,
            LogStore logStore,
            LogCollector logs,
            AwsCredentialsService awsCredentials,
            ClusterSettings settings,
            ScheduledExecutorService executor,
            Clock clock) {
        this.logs = requireNonNull(logs, "logs is null");
        this.awsCredentials = requireNonNull(awsCredentials, "awsCredentials is null");
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.pki = requireNonNull(pki, "pki is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Starts the passes. The first one also finds and removes what a previous control plane left behind. */
    public void start() {
        ticking = Optional.of(executor.scheduleWithFixedDelay(
                this::safePass, 0, settings.reconcileInterval().toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Runs a pass soon, for a change that should not wait for the next tick. */
    public void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            executor.execute(() -> {
                wakeQueued.set(false);
                safePass();
            });
        }
    }

    private void safePass() {
        try {
            pass();
        } catch (RuntimeException e) {
            log.error("a cluster lifecycle pass failed; the next one retries", e);
        }
    }

    /**
     * One pass over every cluster that still needs something done. While a cluster is on its way somewhere
     * (starting, scaling, stopping) the next pass comes sooner, so that it is seen ready as soon as it is.
     */
    void pass() {
        if (!orphansCollected) {
            collectOrphans();
            orphansCollected = true;
        }
        boolean changing = false;
        for (Cluster cluster : jdbi.onDemand(ClusterDao.class).listActive()) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            changing |= cluster.state() != ClusterState.RUNNING;
            try {
                reconcile(cluster);
            } catch (RuntimeException e) {
                log.error("reconciling cluster {} failed; the next pass retries", cluster.id(), e);
            }
        }
        if (changing && wakeQueued.compareAndSet(false, true)) {
            nextPass = Optional.of(executor.schedule(
                    () -> {
                        wakeQueued.set(false);
                        safePass();
                    },
                    CHANGING_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS));
        }
        for (Cluster ended : jdbi.onDemand(ClusterDao.class).listEndedWithKeys()) {
            cleanUp(ended);
        }
    }

    /** Removes everything of clusters the database does not know as active: leftovers of a crash. */
    private void collectOrphans() {
        Set<String> active = new HashSet<>();
        jdbi.onDemand(ClusterDao.class).listActive().forEach(cluster -> active.add(cluster.id()));
        for (String present : backend.present()) {
            if (!active.contains(present)) {
                log.info(
                        "removing leftovers of cluster {}: processes and files of a cluster that is not active",
                        present);
                backend.destroy(present);
            }
        }
    }

    private void reconcile(Cluster cluster) {
        Instant now = clock.instant();
        switch (cluster.state()) {
            case PENDING -> {
                if (transition(
                        cluster,
                        ClusterState.STARTING,
                        "starting the scheduler and " + cluster.workers() + " workers")) {
                    backend.start(spec(cluster));
                }
            }
            case STARTING -> starting(cluster, now);
            case RUNNING, SCALING -> running(cluster, now);
            case STOPPING -> {
                removeProcessesAndFiles(cluster);
                int stopped = jdbi.inTransaction(handle -> {
                    int changed = handle.attach(ClusterDao.class).markStopped(cluster.id(), now);
                    if (changed > 0) {
                        awsCredentials.remove(handle, cluster.accountId(), cluster.id());
                        logStore.event(
                                handle,
                                cluster.accountId(),
                                cluster.id(),
                                "state",
                                "stopped: every process"
                                        + " ended, its files were removed and its certificate authority's key destroyed");
                    }
                    return changed;
                });
                if (stopped > 0) {
                    forget(cluster.id());
                }
            }
            case STOPPED, FAILED -> cleanUp(cluster);
        }
    }

    private void starting(Cluster cluster, Instant now) {
        if (expired(cluster, now)) {
            return;
        }
        ClusterObservation observed = backend.observe(cluster.id());
        if (observed.scheduler() == SchedulerStatus.ABSENT) {
            backend.start(spec(cluster));
            return;
        }
        if (observed.scheduler() == SchedulerStatus.EXITED) {
            fail(cluster, observed.problem().orElse("the scheduler exited while starting"));
            return;
        }
        ClusterBackend.WorkerRepairs repairs = backend.reconcileWorkers(spec(cluster));
        record(cluster, repairs);
        if (tooManyDeaths(cluster, repairs.died())) {
            return;
        }
        Optional<SchedulerStatistics> statistics = observed.statistics();
        if (statistics.isPresent() && statistics.get().workersConnected() >= cluster.workers()) {
            markRunning(cluster, observed, "ready: " + statistics.get().workersConnected() + " workers connected");
            return;
        }
        if (cluster.startedAt().isEmpty() && now.isAfter(cluster.createdAt().plus(settings.startTimeout()))) {
            fail(
                    cluster,
                    "the cluster did not become ready within "
                            + settings.startTimeout().toSeconds() + " s ("
                            + statistics
                                    .map(s -> s.workersConnected() + " of " + cluster.workers() + " workers connected")
                                    .orElse("the scheduler never answered")
                            + ")");
        }
    }

    private void running(Cluster cluster, Instant now) {
        if (expired(cluster, now)) {
            return;
        }
        ClusterObservation observed = backend.observe(cluster.id());
        if (observed.scheduler() == SchedulerStatus.EXITED || observed.scheduler() == SchedulerStatus.ABSENT) {
            fail(cluster, observed.problem().orElse("the scheduler is gone"));
            return;
        }
        ClusterBackend.WorkerRepairs repairs = backend.reconcileWorkers(spec(cluster));
        record(cluster, repairs);
        if (tooManyDeaths(cluster, repairs.died())) {
            return;
        }
        Optional<SchedulerStatistics> statistics = observed.statistics();
        if (cluster.state() == ClusterState.SCALING
                && statistics.isPresent()
                && statistics.get().workersConnected() == cluster.workers()
                && observed.workerProcesses() == cluster.workers()) {
            markRunning(cluster, observed, "scaled to " + cluster.workers() + " workers");
        }
        statistics.ifPresent(figures -> checkActivity(cluster, figures, now));
    }

    private void record(Cluster cluster, ClusterBackend.WorkerRepairs repairs) {
        int died = repairs.died();
        if (died > 0) {
            logStore.event(
                    cluster.accountId(),
                    cluster.id(),
                    "worker",
                    died + (died == 1 ? " worker" : " workers") + " exited and " + (died == 1 ? "was" : "were")
                            + " replaced");
        }
        for (String worker : repairs.restartedForMemory()) {
            logStore.event(
                    cluster.accountId(),
                    cluster.id(),
                    "worker",
                    worker + " passed 95% of its memory limit of " + cluster.memoryPerWorkerBytes()
                            + " bytes and was restarted");
        }
    }

    /**
     * Idle means: no task processing, no client connected, and no task created or finished since the last look.
     * A cluster idle for its whole idle timeout stops itself.
     */
    private void checkActivity(Cluster cluster, SchedulerStatistics figures, Instant now) {
        Instant lastCheck = lastActivityCheck.get(cluster.id());
        if (lastCheck != null && now.isBefore(lastCheck.plus(settings.activityCheckInterval()))) {
            return;
        }
        lastActivityCheck.put(cluster.id(), now);
        Long previousTotal = lastTaskTotals.put(cluster.id(), figures.tasksTotal());
        boolean active = figures.clients() > 0
                || figures.tasksProcessing() > 0
                || (previousTotal != null && previousTotal != figures.tasksTotal());
        if (active) {
            jdbi.onDemand(ClusterDao.class).touch(cluster.id(), now);
            return;
        }
        Duration idleTimeout = Duration.ofSeconds(cluster.idleTimeoutSeconds());
        if (!now.isBefore(cluster.lastActivityAt().plus(idleTimeout))) {
            requestStop(
                    cluster,
                    "idle for " + idleTimeout.toMinutes() + " min: no task ran and no client was" + " connected");
        }
    }

    private boolean expired(Cluster cluster, Instant now) {
        if (now.isBefore(cluster.expiresAt())) {
            return false;
        }
        requestStop(
                cluster,
                "its maximum lifetime of "
                        + Duration.ofSeconds(cluster.maxLifetimeSeconds()).toHours() + " h was reached");
        return true;
    }

    private boolean tooManyDeaths(Cluster cluster, int died) {
        if (died == 0) {
            return false;
        }
        jdbi.onDemand(ClusterDao.class).addWorkerRestarts(cluster.id(), died);
        if (cluster.workerRestarts() + died > settings.maxWorkerRestarts()) {
            fail(
                    cluster,
                    "workers kept dying: " + (cluster.workerRestarts() + died) + " replaced, more than the limit"
                            + " of " + settings.maxWorkerRestarts());
            return true;
        }
        return false;
    }

    private void markRunning(Cluster cluster, ClusterObservation observed, String reason) {
        String address = observed.schedulerAddress().orElseThrow();
        jdbi.useTransaction(handle -> {
            if (handle.attach(ClusterDao.class)
                            .markRunning(cluster.id(), cluster.state(), address, reason, clock.instant())
                    > 0) {
                logStore.event(
                        handle,
                        cluster.accountId(),
                        cluster.id(),
                        "state",
                        cluster.state().wireName() + " → running: " + reason + "; scheduler at " + address);
            }
        });
    }

    private boolean transition(Cluster cluster, ClusterState to, String reason) {
        return jdbi.inTransaction(handle -> {
            if (handle.attach(ClusterDao.class).transition(cluster.id(), cluster.state(), to, reason) == 0) {
                return false;
            }
            logStore.event(
                    handle,
                    cluster.accountId(),
                    cluster.id(),
                    "state",
                    cluster.state().wireName() + " → " + to.wireName() + ": " + reason);
            return true;
        });
    }

    private void requestStop(Cluster cluster, String reason) {
        jdbi.useTransaction(handle -> requestStop(handle, logStore, cluster, reason));
        wake();
    }

    /** Moves an active cluster to STOPPING; the next pass stops it. Returns whether this call moved it. */
    static boolean requestStop(Handle handle, LogStore logStore, Cluster cluster, String reason) {
        if (handle.attach(ClusterDao.class).transition(cluster.id(), cluster.state(), ClusterState.STOPPING, reason)
                == 0) {
            return false;
        }
        logStore.event(
                handle,
                cluster.accountId(),
                cluster.id(),
                "state",
                cluster.state().wireName() + " → stopping: " + reason);
        return true;
    }

    private void fail(Cluster cluster, String reason) {
        // The last lines (often why it failed) are stored before the cluster is seen failed: a follower then has them.
        backend.stopProcesses(cluster.id());
        logs.collect(cluster);
        if (transition(cluster, ClusterState.FAILED, reason)) {
            log.info("cluster {} failed: {}", cluster.id(), reason);
            cleanUp(jdbi.onDemand(ClusterDao.class).find(cluster.id()).orElseThrow());
        }
    }

    /** Stops the processes, keeps what they wrote last in the log store, then removes every file. */
    private void removeProcessesAndFiles(Cluster cluster) {
        backend.stopProcesses(cluster.id());
        logs.collect(cluster);
        backend.destroy(cluster.id());
    }

    /** What a stopped or failed cluster leaves: no process, no file, no CA key. Safe to repeat. */
    private void cleanUp(Cluster cluster) {
        removeProcessesAndFiles(cluster);
        jdbi.useTransaction(handle -> {
            handle.attach(ClusterDao.class).destroyCaKey(cluster.id(), clock.instant());
            awsCredentials.remove(handle, cluster.accountId(), cluster.id());
        });
        forget(cluster.id());
    }

    private void forget(String clusterId) {
        lastActivityCheck.remove(clusterId);
        lastTaskTotals.remove(clusterId);
        logs.forget(clusterId);
    }

    private ClusterSpec spec(Cluster cluster) {
        return new ClusterSpec(
                cluster.id(),
                cluster.workers(),
                cluster.threadsPerWorker(),
                cluster.memoryPerWorkerBytes(),
                cluster.pythonExecutable().map(java.nio.file.Path::of).orElse(settings.pythonExecutable()),
                cluster.caCertificate(),
                node -> pki.issueNode(
                        jdbi.onDemand(ClusterDao.class).find(cluster.id()).orElseThrow(), node),
                () -> awsCredentials.processEnvironment(cluster.id()));
    }

    @Override
    public void close() {
        ticking.ifPresent(future -> future.cancel(true));
        nextPass.ifPresent(future -> future.cancel(true));
        executor.shutdownNow();
    }
}
