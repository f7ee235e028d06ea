package io.capstan.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.capstan.server.internal.Secret;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.telemetry.SchedulerFigures;
import io.capstan.server.telemetry.SchedulerMetricsClient;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import io.capstan.server.telemetry.prometheus.PrometheusScrape;
import io.capstan.server.telemetry.prometheus.PrometheusTextParser;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * The telemetry collector's cost per scrape of a Dask scheduler's {@code /metrics}: the HTTP fetch, the strict
 * Prometheus parse ({@link SchedulerMetricsClient}) and the figures Capstan keeps ({@link SchedulerFigures}). It runs
 * as the collector does: on a pool of the default scrape concurrency, every endpoint once per round, plain HTTP with
 * keep-alive over loopback as to a local backend's scheduler. The payload is the one recorded from Debian's Dask
 * 2022.12.1 (one worker, a few tasks) that the server's tests use, served by N = 1, 10 and 50 loopback stub schedulers
 * ({@code com.sun.net.httpserver}, as in {@code TestTelemetryCollector}) that check the bearer token like Dask's does.
 * A full collection also reads {@code /json/identity.json} and writes to the store; neither is measured here.
 *
 * <p>Baseline: a bare JDK {@link HttpClient} GET of the same payload from the same endpoints, read whole and not
 * parsed, so the ratio shows what the parse and the figures add to the transport. Scrape and baseline rounds
 * alternate, so a change in the machine's load hits both alike.
 *
 * <p>CPU time and allocated bytes are those of the threads doing the client's work, the scraper pool and the
 * HttpClients' own selector and worker threads, read from {@link com.sun.management.ThreadMXBean} around each round.
 * The stub schedulers' threads, the garbage collector and the JIT compiler are not counted.
 */
final class TelemetryBenchmark {
    private static final String PAYLOAD = "dask-2022.12-scheduler.txt";
    private static final Secret TOKEN = new Secret("the-clusters-own-http-token");
    private static final List<Integer> ENDPOINTS = List.of(1, 10, 50);
    private static final int CLUSTERS = 50;
    /** Enough for the JIT to compile the parser and the HttpClient's paths before anything is counted. */
    private static final Duration WARMUP = Duration.ofSeconds(5);

    private static final int MIN_WARMUP_ROUNDS = 100;
    /** Rounds at each N before its counted ones, so that every connection is open and reused, as in a collector. */
    private static final int WARMUP_ROUNDS_PER_N = 20;

    private static final String SCRAPER_THREAD = "telemetry-bench-scraper";
    private static final String STUB_THREAD = "telemetry-bench-stub";
    /** The JDK names the selector and worker threads of every {@link HttpClient} {@code HttpClient-<id>-...}. */
    private static final String HTTP_CLIENT_THREADS = "HttpClient-";

    private final byte[] payload;
    private final SchedulerFigures expected;
    private final List<URI> endpoints;
    private final ExecutorService scrapers;
    private final SchedulerMetricsClient metrics;
    private final HttpClient bare;
    private final Duration timeout;
    private final com.sun.management.ThreadMXBean threads;

    private enum Kind {
        SCRAPE,
        BASELINE
    }

    /** CPU time and allocated bytes of one thread, or of several added up. */
    private record Usage(long cpuNanos, long allocatedBytes) {
        static final Usage NONE = new Usage(0, 0);

        Usage minus(Usage earlier) {
            return new Usage(cpuNanos - earlier.cpuNanos, allocatedBytes - earlier.allocatedBytes);
        }

        Usage plus(Usage other) {
            return new Usage(cpuNanos + other.cpuNanos, allocatedBytes + other.allocatedBytes);
        }
    }

    /** One round: how long each endpoint's request took, the whole round, and what the client's threads used. */
    private record Round(List<Duration> requests, Duration wall, Usage usage) {}

    /** The rounds of one kind at one N, summed up; CPU time and allocation are per request. */
    private record Figures(
            Measure.Timings requests, Measure.Timings rounds, double cpuNanosPerRequest, double bytesPerRequest) {
        static Figures of(List<Round> rounds) {
            List<Duration> requests =
                    rounds.stream().flatMap(round -> round.requests().stream()).toList();
            Usage total = rounds.stream().map(Round::usage).reduce(Usage.NONE, Usage::plus);
            return new Figures(
                    Measure.Timings.of(requests),
                    Measure.Timings.of(rounds.stream().map(Round::wall).toList()),
                    total.cpuNanos() / (double) requests.size(),
                    total.allocatedBytes() / (double) requests.size());
        }
    }

    private TelemetryBenchmark(byte[] payload, SchedulerFigures expected, List<URI> endpoints, ExecutorService scrapers)
            throws IOException {
        this.payload = payload;
        this.expected = expected;
        this.endpoints = List.copyOf(endpoints);
        this.scrapers = scrapers;
        ObservabilitySettings settings = ObservabilitySettings.defaults();
        this.timeout = settings.scrapeTimeout();
        this.metrics = new SchedulerMetricsClient(timeout, PrometheusLimits.defaults());
        // Built as SchedulerMetricsClient builds its own, so the two differ only in what they do with the body.
        this.bare = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported() || !threads.isThreadAllocatedMemorySupported()) {
            throw new IOException("this JVM cannot measure the CPU time and allocation of a thread");
        }
        threads.setThreadCpuTimeEnabled(true);
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    static void run(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be positive");
        }
        byte[] payload;
        try (InputStream in = TelemetryBenchmark.class.getResourceAsStream(PAYLOAD)) {
            if (in == null) {
                throw new IOException("the recorded payload " + PAYLOAD + " is missing from the benchmark's jar");
            }
            payload = in.readAllBytes();
        }
        PrometheusScrape parsed = new PrometheusTextParser(PrometheusLimits.defaults())
                .parse(new String(payload, StandardCharsets.UTF_8));
        SchedulerFigures expected = SchedulerFigures.from(parsed, Optional.empty());

        // The JDK's HTTP server writes a response's headers and body apart and leaves Nagle's algorithm on, so the
        // body waits for the client's delayed acknowledgement of the headers, some 40 ms on Linux. Dask's Tornado
        // server turns Nagle off as it finishes a response; left on, the stub would measure the wait rather than the
        // collector. The JDK reads the property once, before the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ExecutorService stubThreads = Executors.newCachedThreadPool(daemon(STUB_THREAD));
        ExecutorService scrapers = Executors.newFixedThreadPool(
                ObservabilitySettings.defaults().scrapeConcurrency(), daemon(SCRAPER_THREAD));
        List<HttpServer> stubs = new ArrayList<>();
        try {
            List<URI> endpoints = new ArrayList<>();
            for (int i = 0; i < ENDPOINTS.get(ENDPOINTS.size() - 1); i++) {
                HttpServer stub = stubScheduler(payload, stubThreads);
                stubs.add(stub);
                endpoints.add(URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/metrics"));
            }
            System.out.printf(
                    "telemetry scrape of Dask 2022.12.1's recorded /metrics (%,d bytes, %d lines, %d samples) from N"
                            + " loopback stub schedulers, each scraped once per round by %d threads (the default"
                            + " scrape concurrency), %,d rounds at each N%n",
                    payload.length,
                    new String(payload, StandardCharsets.UTF_8).lines().count(),
                    parsed.samples().size(),
                    ObservabilitySettings.defaults().scrapeConcurrency(),
                    rounds);
            new TelemetryBenchmark(payload, expected, endpoints, scrapers).measure(rounds);
        } finally {
            scrapers.shutdownNow();
            stubs.forEach(stub -> stub.stop(0));
            stubThreads.shutdownNow();
        }
    }

    /** A loopback wire stub of a scheduler's {@code /metrics}: the recorded payload to the cluster's token only. */
    private static HttpServer stubScheduler(byte[] payload, ExecutorService stubThreads) throws IOException {
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.setExecutor(stubThreads);
        stub.createContext("/metrics", exchange -> serve(exchange, payload));
        stub.start();
        return stub;
    }

    private static void serve(HttpExchange exchange, byte[] payload) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN.reveal())
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, payload.length);
            exchange.getResponseBody().write(payload);
        }
    }

    private void measure(int rounds) throws Exception {
        String loadBefore = Measure.loadAverage();
        int warmups = warmUp();
        Map<Integer, Figures> scrapes = new LinkedHashMap<>();
        Map<Integer, Figures> baselines = new LinkedHashMap<>();
        for (int count : ENDPOINTS) {
            List<URI> targets = endpoints.subList(0, count);
            for (int i = 0; i < WARMUP_ROUNDS_PER_N; i++) {
                round(Kind.SCRAPE, targets);
                round(Kind.BASELINE, targets);
            }
            List<Round> scrapeRounds = new ArrayList<>(rounds);
            List<Round> baselineRounds = new ArrayList<>(rounds);
            for (int i = 0; i < rounds; i++) {
                if (i % 2 == 0) {
                    scrapeRounds.add(round(Kind.SCRAPE, targets));
                    baselineRounds.add(round(Kind.BASELINE, targets));
                } else {
                    baselineRounds.add(round(Kind.BASELINE, targets));
                    scrapeRounds.add(round(Kind.SCRAPE, targets));
                }
            }
            scrapes.put(count, Figures.of(scrapeRounds));
            baselines.put(count, Figures.of(baselineRounds));
        }
        System.out.printf(
                "  warm-up: %s and %,d rounds of both at N=%d, then %d rounds of both at each N;"
                        + " scrape and baseline rounds alternate%n",
                Measure.seconds(WARMUP), warmups, CLUSTERS, WARMUP_ROUNDS_PER_N);
        report(scrapes, baselines);
        System.out.printf(
                "machine: %d CPUs, load average %s before, %s after%n",
                Runtime.getRuntime().availableProcessors(), loadBefore, Measure.loadAverage());
    }

    private int warmUp() throws Exception {
        List<URI> targets = endpoints.subList(0, CLUSTERS);
        long end = System.nanoTime() + WARMUP.toNanos();
        int warmups = 0;
        while (System.nanoTime() < end || warmups < MIN_WARMUP_ROUNDS) {
            round(Kind.SCRAPE, targets);
            round(Kind.BASELINE, targets);
            warmups++;
        }
        if (Arrays.stream(threads.getThreadInfo(clientThreadIds()))
                .noneMatch(thread -> thread != null && thread.getThreadName().startsWith(HTTP_CLIENT_THREADS))) {
            throw new IllegalStateException("no " + HTTP_CLIENT_THREADS + "* threads were found: the JDK names them"
                    + " differently, and the CPU and allocation figures would miss the HttpClient's own work");
        }
        return warmups;
    }

    /** Every target once, in parallel on the scraper pool, as {@code TelemetryCollector.collectAll} does. */
    private Round round(Kind kind, List<URI> targets) throws Exception {
        Map<Long, Usage> before = usage();
        long start = System.nanoTime();
        List<Future<Duration>> requests = new ArrayList<>(targets.size());
        for (URI target : targets) {
            Callable<Duration> request = switch (kind) {
                case SCRAPE -> () -> scrape(target);
                case BASELINE -> () -> fetch(target);
            };
            requests.add(scrapers.submit(request));
        }
        List<Duration> durations = new ArrayList<>(targets.size());
        for (Future<Duration> request : requests) {
            durations.add(request.get());
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        Map<Long, Usage> after = usage();
        Usage used = Usage.NONE;
        for (Map.Entry<Long, Usage> thread : after.entrySet()) {
            used = used.plus(thread.getValue().minus(before.getOrDefault(thread.getKey(), Usage.NONE)));
        }
        return new Round(durations, wall, used);
    }

    private Duration scrape(URI endpoint) throws IOException {
        long start = System.nanoTime();
        SchedulerFigures figures = SchedulerFigures.from(metrics.scrape(endpoint, TOKEN), Optional.empty());
        long end = System.nanoTime();
        if (!figures.equals(expected)) {
            throw new IllegalStateException("the scrape read " + figures + " instead of " + expected);
        }
        return Duration.ofNanos(end - start);
    }

    private Duration fetch(URI endpoint) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Authorization", "Bearer " + TOKEN.reveal())
                .GET()
                .build();
        HttpResponse<InputStream> response = bare.send(request, HttpResponse.BodyHandlers.ofInputStream());
        int length;
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("the stub scheduler answered HTTP " + response.statusCode());
            }
            length = body.readAllBytes().length;
        }
        long end = System.nanoTime();
        if (length != payload.length) {
            throw new IllegalStateException("the GET read " + length + " bytes instead of " + payload.length);
        }
        return Duration.ofNanos(end - start);
    }

    /** What each client thread alive now has used so far, by thread id. */
    private Map<Long, Usage> usage() {
        long[] ids = clientThreadIds();
        long[] cpuNanos = threads.getThreadCpuTime(ids);
        long[] allocatedBytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Usage> usage = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            // -1 means the thread ended between listing and reading it.
            if (cpuNanos[i] >= 0 && allocatedBytes[i] >= 0) {
                usage.put(ids[i], new Usage(cpuNanos[i], allocatedBytes[i]));
            }
        }
        return usage;
    }

    /** The scraper pool's threads and those of every HttpClient, found by name. */
    private static long[] clientThreadIds() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() * 2 + 16];
        int count = root.enumerate(all, true);
        return Arrays.stream(all, 0, count)
                .filter(thread -> thread.getName().equals(SCRAPER_THREAD)
                        || thread.getName().startsWith(HTTP_CLIENT_THREADS))
                .mapToLong(Thread::getId)
                .toArray();
    }

    private static void report(Map<Integer, Figures> scrapes, Map<Integer, Figures> baselines) {
        System.out.println("  scrape:   SchedulerMetricsClient.scrape + SchedulerFigures.from, as the collector does");
        System.out.println("  baseline: a bare JDK HttpClient GET of the same payload, read whole, not parsed");
        System.out.println("  CPU and allocated bytes: the scraper threads and the HttpClients' own threads"
                + " (ThreadMXBean); not the stub schedulers, GC or JIT");
        for (int count : ENDPOINTS) {
            Figures scrape = scrapes.get(count);
            Figures baseline = baselines.get(count);
            System.out.printf("  N=%-3d scrape:   %s%n", count, line(scrape));
            System.out.printf("        baseline: %s%n", line(baseline));
            System.out.printf(
                    "        ratio scrape / baseline: CPU %.2f, wall median %.2f, allocated %.2f%n",
                    scrape.cpuNanosPerRequest() / baseline.cpuNanosPerRequest(),
                    medianRatio(scrape.requests(), baseline.requests()),
                    scrape.bytesPerRequest() / baseline.bytesPerRequest());
        }
        Figures single = scrapes.get(ENDPOINTS.get(0));
        Figures singleBaseline = baselines.get(ENDPOINTS.get(0));
        System.out.printf("growth of the per-scrape cost versus N=%d, scrape (baseline):%n", ENDPOINTS.get(0));
        for (int count : ENDPOINTS.subList(1, ENDPOINTS.size())) {
            Figures scrape = scrapes.get(count);
            Figures baseline = baselines.get(count);
            System.out.printf(
                    "  N=%-3d CPU %.2f (%.2f), wall median %.2f (%.2f), wall p99 %.2f (%.2f), allocated %.2f (%.2f)%n",
                    count,
                    scrape.cpuNanosPerRequest() / single.cpuNanosPerRequest(),
                    baseline.cpuNanosPerRequest() / singleBaseline.cpuNanosPerRequest(),
                    medianRatio(scrape.requests(), single.requests()),
                    medianRatio(baseline.requests(), singleBaseline.requests()),
                    scrape.requests().p99().toNanos()
                            / (double) single.requests().p99().toNanos(),
                    baseline.requests().p99().toNanos()
                            / (double) singleBaseline.requests().p99().toNanos(),
                    scrape.bytesPerRequest() / single.bytesPerRequest(),
                    baseline.bytesPerRequest() / singleBaseline.bytesPerRequest());
        }
        Duration interval = ObservabilitySettings.defaults().telemetryInterval();
        Figures fleet = scrapes.get(CLUSTERS);
        double share = CLUSTERS * fleet.cpuNanosPerRequest() / interval.toNanos();
        double baselineShare = CLUSTERS * baselines.get(CLUSTERS).cpuNanosPerRequest() / interval.toNanos();
        System.out.printf(
                "collector at the default %d s interval, %d clusters: %d x %.3f ms CPU every %d s = %.3f%% of one"
                        + " core (bare GETs alone: %.3f%%); a round of %d takes %s median, %s p99%n",
                interval.toSeconds(),
                CLUSTERS,
                CLUSTERS,
                fleet.cpuNanosPerRequest() / 1e6,
                interval.toSeconds(),
                100 * share,
                100 * baselineShare,
                CLUSTERS,
                Measure.milliseconds(fleet.rounds().median()),
                Measure.milliseconds(fleet.rounds().p99()));
    }

    private static String line(Figures figures) {
        return String.format(
                Locale.ROOT,
                "wall median %s, p99 %s; CPU %.3f ms; allocated %,.1f KiB per request; round median %s",
                Measure.milliseconds(figures.requests().median()),
                Measure.milliseconds(figures.requests().p99()),
                figures.cpuNanosPerRequest() / 1e6,
                figures.bytesPerRequest() / 1024,
                Measure.milliseconds(figures.rounds().median()));
    }

    private static double medianRatio(Measure.Timings measured, Measure.Timings baseline) {
        return measured.median().toNanos() / (double) baseline.median().toNanos();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
