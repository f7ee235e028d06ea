package io.capstan.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.client.CapstanClient;
import io.capstan.server.backend.ClusterBackend;
import io.capstan.server.backend.ClusterObservation;
import io.capstan.server.backend.ClusterSpec;
import io.capstan.server.cluster.Cluster;
import io.capstan.server.cluster.ClusterDao;
import io.capstan.server.internal.Secret;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collector against a loopback wire stub of a Dask scheduler's HTTP routes: recorded payloads of Debian's Dask
 * and of a newer one are stored, hostile or broken answers cost one skipped sample and nothing else.
 */
class TestTelemetryCollector {
    private static final String TOKEN = "the-clusters-own-http-token";
    private static final String IDENTITY =
            "{\"type\": \"Scheduler\", \"workers\": {\"tls://127.0.0.1:1\": {\"metrics\": {\"memory\": 104857600}},"
                    + " \"tls://127.0.0.1:2\": {\"metrics\": {\"memory\": 52428800}}}}";

    /** What the stub scheduler answers on {@code /metrics}. */
    interface Answer {
        void send(HttpExchange exchange) throws IOException;
    }

    private final AtomicReference<Answer> metrics = new AtomicReference<>();
    private final AtomicReference<Answer> identity = new AtomicReference<>();
    private TestingCapstanServer server;
    private HttpServer stub;
    private ExecutorService stubThreads;
    private ScheduledExecutorService timer;
    private ExecutorService scrapers;
    private TestingClock clock;
    private TelemetryCollector collector;
    private Cluster cluster;

    @BeforeEach
    void start() throws IOException {
        // The server's own collector is slowed down to once an hour: this test drives a collector of its own.
        server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder -> builder.observability(ObservabilitySettings.defaults()
                        .withTelemetryInterval(Duration.ofHours(1), Duration.ofHours(1))),
                Clock.systemUTC());
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, "team");
        CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
        admin.setMember("team", "ada", Role.MEMBER);
        String id = Clusters.createRunning(ada, "observed", 0).id();
        Jdbi jdbi = server.server().database().jdbi();
        cluster = jdbi.onDemand(ClusterDao.class).find(id).orElseThrow();

        stubThreads = Executors.newCachedThreadPool();
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.setExecutor(stubThreads);
        stub.createContext("/metrics", exchange -> serve(exchange, metrics.get()));
        stub.createContext("/json/identity.json", exchange -> serve(exchange, identity.get()));
        stub.start();
        identity.set(text(IDENTITY));

        URI base = URI.create("http://127.0.0.1:" + stub.getAddress().getPort());
        timer = Executors.newSingleThreadScheduledExecutor();
        scrapers = Executors.newFixedThreadPool(2);
        clock = TestingClock.atSystemTime();
        collector = new TelemetryCollector(
                jdbi,
                new StubSchedulerBackend(id, base),
                new SchedulerMetricsClient(Duration.ofMillis(500), PrometheusLimits.defaults()),
                new TelemetryStore(jdbi, Duration.ofSeconds(1)),
                timer,
                scrapers,
                Duration.ofSeconds(1),
                Duration.ofMillis(500),
                clock);
    }

    @AfterEach
    void stop() {
        collector.close();
        timer.shutdownNow();
        scrapers.shutdownNow();
        stub.stop(0);
        stubThreads.shutdownNow();
        server.close();
    }

    private static void serve(HttpExchange exchange, Answer answer) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            answer.send(exchange);
        }
    }

    private static Answer text(String body) {
        return exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    private static Answer recorded(String resource) {
        return exchange -> {
            byte[] bytes;
            try (InputStream in = TestTelemetryCollector.class.getResourceAsStream("prometheus/" + resource)) {
                bytes = in.readAllBytes();
            }
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    private Optional<TelemetryDao.Summary> summary() {
        return server.server().database().jdbi().onDemand(TelemetryDao.class).summary(cluster.id());
    }

    /** One scrape, bounded: it must come back within a few seconds whatever the scheduler does. */
    private void scrapeOnce() {
        clock.advance(Duration.ofSeconds(5));
        long started = System.nanoTime();
        collector.collect(cluster);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void debiansDaskIsReadFromItsRecordedPayload() {
        metrics.set(recorded("dask-2022.12-scheduler.txt"));
        scrapeOnce();

        TelemetryDao.Summary summary = summary().orElseThrow();
        assertThat(summary.workersCurrent()).isEqualTo(1);
        assertThat(summary.tasksCompleted()).isEqualTo(21);
        assertThat(summary.tasksErred()).isEqualTo(1);
        assertThat(TelemetryService.view(summary).tasksByPrefix())
                .containsEntry("inc", 10L)
                .containsEntry("double", 10L);
        assertThat(summary.memoryCurrent()).hasValue(150L * 1024 * 1024);
        assertThat(summary.computeSeconds())
                .as("Dask 2022.12 does not report compute time")
                .isEmpty();
    }

    @Test
    void aNewerDasksExtraFiguresAreKeptAndItsOtherWorkerStatesCounted() {
        metrics.set(recorded("dask-newer-scheduler-handwritten.txt"));
        scrapeOnce();

        TelemetryDao.Summary summary = summary().orElseThrow();
        assertThat(summary.workersCurrent()).isEqualTo(4);
        assertThat(summary.computeSeconds())
                .hasValueSatisfying(seconds -> assertThat(seconds).isGreaterThan(180.0));
    }

    @Test
    void hostileOrBrokenAnswersCostOneSampleAndNothingElse() {
        metrics.set(recorded("dask-2022.12-scheduler.txt"));
        scrapeOnce();
        TelemetryDao.Summary good = summary().orElseThrow();

        Map<String, Answer> hostile = Map.of(
                "a line of 10 MiB",
                exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    out.write("dask_scheduler_workers{state=\"connected\"} 1".getBytes(StandardCharsets.UTF_8));
                    byte[] zeros = "0".repeat(1024 * 1024).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < 10; i++) {
                        out.write(zeros);
                    }
                },
                "an endless series",
                exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    OutputStream out = exchange.getResponseBody();
                    for (long i = 0; i < 5_000_000; i++) {
                        out.write(("dask_scheduler_tasks{state=\"s" + i + "\"} 1\n").getBytes(StandardCharsets.UTF_8));
                    }
                },
                "a bad escape",
                text("dask_scheduler_workers{state=\"conn\\qected\"} 1\n"),
                "a scheduler that never answers",
                exchange -> {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "an error",
                exchange -> exchange.sendResponseHeaders(500, -1),
                "a redirect elsewhere",
                exchange -> {
                    exchange.getResponseHeaders().add("Location", "http://127.0.0.2:1/metrics");
                    exchange.sendResponseHeaders(302, -1);
                });
        for (Map.Entry<String, Answer> answer : hostile.entrySet()) {
            metrics.set(answer.getValue());
            scrapeOnce();
            assertThat(summary()).as(answer.getKey()).hasValue(good);
        }

        metrics.set(recorded("dask-2022.12-scheduler.txt"));
        identity.set(text("{not json"));
        scrapeOnce();
        TelemetryDao.Summary withoutMemory = summary().orElseThrow();
        assertThat(withoutMemory.lastAt()).isAfter(good.lastAt());
        assertThat(withoutMemory.memoryCurrent())
                .as("a broken identity answer costs the memory figure only")
                .isEmpty();
        assertThat(withoutMemory.memoryPeak()).isEqualTo(good.memoryPeak());
        assertThat(server.adminClient().health().status()).isEqualTo("ok");
    }

    /** A hand-written fake backend that knows only where the stub scheduler is; nothing else is asked of it here. */
    private static final class StubSchedulerBackend implements ClusterBackend {
        private final String clusterId;
        private final URI base;

        StubSchedulerBackend(String clusterId, URI base) {
            this.clusterId = clusterId;
            this.base = base;
        }

        @Override
        public String name() {
            return "stub";
        }

        @Override
        public Optional<SchedulerEndpoint> schedulerEndpoint(String id) {
            return id.equals(clusterId)
                    ? Optional.of(new SchedulerEndpoint(base, new Secret(TOKEN)))
                    : Optional.empty();
        }

        @Override
        public void start(ClusterSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WorkerRepairs reconcileWorkers(ClusterSpec spec) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ClusterObservation observe(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void stopProcesses(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void destroy(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LogChunk readLogs(String id, Map<String, Long> positions, int maxBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<String> present() {
            throw new UnsupportedOperationException();
        }
    }
}
