package io.capstan.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.server.backend.ClusterBackend;
import io.capstan.server.backend.ClusterBackend.SchedulerEndpoint;
import io.capstan.server.cluster.Cluster;
import io.capstan.server.cluster.ClusterDao;
import io.capstan.server.cluster.ClusterState;
import io.capstan.server.telemetry.prometheus.PrometheusScrape;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Scrapes every running cluster's scheduler every {@code interval}, on a bounded pool of its own (API requests
 * never wait for it), each scrape bounded in time and size, and stores a sample and the cluster's summary. A
 * scheduler that does not answer, or answers nonsense, costs one skipped sample and a debug line.
 */
public final class TelemetryCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelemetryCollector.class);
    private static final int MAX_IDENTITY_BYTES = 4 * 1024 * 1024;

    private final Jdbi jdbi;
    private final ClusterBackend backend;
    private final SchedulerMetricsClient metrics;
    private final TelemetryStore store;
    private final ScheduledExecutorService timer;
    private final ExecutorService scrapers;
    private final Duration interval;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private volatile Optional<ScheduledFuture<?>> ticking = Optional.empty();

    public TelemetryCollector(
            Jdbi jdbi,
            ClusterBackend backend,
            SchedulerMetricsClient metrics,
            TelemetryStore store,
            ScheduledExecutorService timer,
            ExecutorService scrapers,
            Duration interval,
            Duration timeout,
            Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.store = requireNonNull(store, "store is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.scrapers = requireNonNull(scrapers, "scrapers is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public void start() {
        ticking = Optional.of(timer.scheduleWithFixedDelay(
                this::collectAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** One round: a scrape per running cluster, in parallel on the bounded pool, waiting at most the timeout. */
    public void collectAll() {
        try {
            List<Future<?>> scrapes = new ArrayList<>();
            for (Cluster cluster : jdbi.onDemand(ClusterDao.class).listActive()) {
                if (cluster.state() == ClusterState.RUNNING || cluster.state() == ClusterState.SCALING) {
                    scrapes.add(scrapers.submit(() -> collect(cluster)));
                }
            }
            for (Future<?> scrape : scrapes) {
                try {
                    scrape.get(timeout.toMillis() * 3, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    scrape.cancel(true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | java.util.concurrent.ExecutionException e) {
            log.warn(
                    "a telemetry round failed; the next one retries: {}",
                    e.getClass().getSimpleName());
        }
    }

    /** Scrapes one cluster and stores what it says; does nothing if its scheduler is not reachable now. */
    void collect(Cluster cluster) {
        Optional<SchedulerEndpoint> endpoint = backend.schedulerEndpoint(cluster.id());
        if (endpoint.isEmpty()) {
            return;
        }
        try {
            PrometheusScrape scrape = metrics.scrape(
                    endpoint.get().base().resolve("/metrics"), endpoint.get().token());
            Optional<JsonNode> identity = identity(endpoint.get());
            store.record(cluster, SchedulerFigures.from(scrape, identity), clock.instant());
        } catch (IOException e) {
            log.debug("no telemetry from cluster {} this time: {}", cluster.id(), e.getMessage());
        }
    }

    private Optional<JsonNode> identity(SchedulerEndpoint endpoint) {
        HttpRequest request = HttpRequest.newBuilder(endpoint.base().resolve("/json/identity.json"))
                .timeout(timeout)
                .header("Authorization", "Bearer " + endpoint.token().reveal())
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_IDENTITY_BYTES + 1);
                if (response.statusCode() != 200 || bytes.length > MAX_IDENTITY_BYTES) {
                    return Optional.empty();
                }
                return Optional.of(Json.lenient().readTree(bytes));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        ticking.ifPresent(future -> future.cancel(true));
    }
}
