package io.capstan.bench;

import io.capstan.api.Role;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.client.CapstanClient;
import io.capstan.client.pki.ClientKeyPair;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.server.backend.local.LocalBackend;
import io.capstan.server.telemetry.SchedulerMetricsClient;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * How long a user waits for a cluster: from asking Capstan for a 2-worker cluster to the first task result at a
 * Python client over mutual TLS, end to end as the CLI does it (create, poll every 50 ms until running, get a
 * personal certificate for a key made here, start Python, connect, compute). The server runs in this process,
 * started once before anything is timed.
 *
 * <p>Baseline: the same computation on Dask's own {@code LocalCluster} with 2 worker processes and TLS ({@code
 * Security.temporary()}), timed from the start of its Python process to the printed result. Both sides pay one
 * Python start with {@code import distributed} on the way.
 *
 * <p>A second Capstan variant starts the Python client together with the create request; it imports Dask while the
 * cluster starts and connects as soon as its credentials appear, as a user with a notebook already open would.
 *
 * <p>The three are run in turn, in a rotating order, so a change in the machine's load hits all of them alike.
 */
final class ClusterStartBenchmark {
    private static final String ACCOUNT = "bench";
    private static final int WORKERS = 2;
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final double TARGET = 1.2;

    private static final String LOCAL_CLUSTER = """
            from distributed import Client, LocalCluster
            from distributed.security import Security

            if __name__ == "__main__":
                print("IMPORTED", flush=True)
                with LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    security=Security.temporary(),
                    dashboard_address=None,
                ) as cluster, Client(cluster) as client:
                    print("RESULT", client.submit(lambda x: x + 1, 1).result(), flush=True)
            """;

    private final CapstanClient client;
    private final Path root;
    private int clusters;

    private ClusterStartBenchmark(CapstanClient client, Path root) {
        this.client = client;
        this.root = root;
    }

    /** Milestones of one Capstan run, each since the create request was sent. */
    private record CapstanRun(
            Duration answered, Duration running, Duration credentials, Duration imported, Duration result) {}

    /** Milestones of one LocalCluster run, each since its Python process was started. */
    private record LocalRun(Duration imported, Duration result) {}

    private enum Variant {
        CAPSTAN,
        CAPSTAN_EARLY_CLIENT,
        LOCAL_CLUSTER
    }

    static void run(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be positive");
        }
        Path root = Files.createTempDirectory("capstan-bench-cluster-start");
        ServerConfig config = ServerConfig.defaults(Map.of("HOME", root.toString())).toBuilder()
                .listen("127.0.0.1", 0)
                .dataDirectory(root.resolve("data"))
                .build();
        List<CreatedToken> bootstrapTokens = new ArrayList<>();
        CapstanServer server = CapstanServer.start(config, Clock.systemUTC(), bootstrapTokens::add);
        String installation = server.keyring().keyringId();
        try {
            CapstanClient admin = CapstanClient.create(
                    server.uri(), Optional.of(bootstrapTokens.get(0).secret()));
            admin.createAccount(new CreateAccountRequest(ACCOUNT));
            admin.setMember(ACCOUNT, admin.me().user().username(), Role.MEMBER);
            new ClusterStartBenchmark(admin, root).measure(runs);
        } finally {
            server.close();
            destroyLeftovers(config, installation);
            Folders.deleteRecursively(root);
        }
    }

    private void measure(int runs) throws Exception {
        String loadBefore = Measure.loadAverage();
        List<CapstanRun> capstan = new ArrayList<>();
        List<CapstanRun> early = new ArrayList<>();
        List<LocalRun> local = new ArrayList<>();
        Variant[] variants = Variant.values();
        // Round 0 warms up the JVM, the server and the page cache, and is not counted.
        for (int round = 0; round <= runs; round++) {
            for (int i = 0; i < variants.length; i++) {
                Variant variant = variants[(round + i) % variants.length];
                switch (variant) {
                    case CAPSTAN -> keep(round, capstan, capstan(false));
                    case CAPSTAN_EARLY_CLIENT -> keep(round, early, capstan(true));
                    case LOCAL_CLUSTER -> keep(round, local, localCluster());
                }
            }
        }
        report(runs, capstan, early, local);
        System.out.printf(
                "machine: %d CPUs, load average %s before, %s after%n",
                Runtime.getRuntime().availableProcessors(), loadBefore, Measure.loadAverage());
    }

    private static <T> void keep(int round, List<T> runs, T run) {
        if (round > 0) {
            runs.add(run);
        }
    }

    private CapstanRun capstan(boolean clientWithRequest) throws Exception {
        Path folder = Files.createTempDirectory(root, "client");
        Path ca = folder.resolve("ca.pem");
        Path certificate = folder.resolve("client.pem");
        Path key = folder.resolve("client-key.pem");
        Path ready = folder.resolve("scheduler-address");
        String name = "bench-" + clusters++;
        Optional<String> clusterId = Optional.empty();
        Optional<PythonScript> script = Optional.empty();
        try {
            long start = System.nanoTime();
            if (clientWithRequest) {
                script = Optional.of(PythonScript.start(folder, capstanWaitingClient(ca, certificate, key, ready)));
            }
            ClusterView created = client.createCluster(
                    new CreateClusterRequest(
                            Optional.of(name),
                            Optional.of(ACCOUNT),
                            Optional.of(WORKERS),
                            Optional.of(1),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                    Optional.empty());
            clusterId = Optional.of(created.id());
            long answered = System.nanoTime();
            awaitState(created.id(), Set.of("running"));
            long running = System.nanoTime();
            String address = credentials(created.id(), ca, certificate, key);
            long credentials = System.nanoTime();
            if (clientWithRequest) {
                Path partial = folder.resolve("scheduler-address.partial");
                Files.writeString(partial, address);
                Files.move(partial, ready, StandardCopyOption.ATOMIC_MOVE);
            } else {
                script = Optional.of(PythonScript.start(folder, capstanClient(ca, certificate, key, address)));
            }
            PythonScript.Finished finished = script.get().await(TIMEOUT);
            requireResult(finished);
            Function<Long, Duration> since = at -> Duration.ofNanos(at - start);
            return new CapstanRun(
                    since.apply(answered),
                    since.apply(running),
                    since.apply(credentials),
                    since.apply(finished.importedAt()),
                    since.apply(finished.resultAt()));
        } finally {
            script.ifPresent(PythonScript::close);
            if (clusterId.isPresent()) {
                stop(clusterId.get());
            }
        }
    }

    /** The Python client started once the cluster runs and its credentials are written. */
    private static String capstanClient(Path ca, Path certificate, Path key, String address) {
        return """
                from distributed import Client
                from distributed.security import Security

                if __name__ == "__main__":
                    print("IMPORTED", flush=True)
                    security = Security(tls_ca_file=%s, tls_client_cert=%s, tls_client_key=%s, require_encryption=True)
                    with Client(%s, security=security) as client:
                        print("RESULT", client.submit(lambda x: x + 1, 1).result(), flush=True)
                """.formatted(literal(ca), literal(certificate), literal(key), PythonScript.literal(address));
    }

    /**
     * The Python client started with the create request: it imports Dask, then waits for the file the scheduler's
     * address is put in once the credentials are written.
     */
    private static String capstanWaitingClient(Path ca, Path certificate, Path key, Path ready) {
        return """
                import os
                import time

                from distributed import Client
                from distributed.security import Security

                if __name__ == "__main__":
                    print("IMPORTED", flush=True)
                    while not os.path.exists(%4$s):
                        time.sleep(0.02)
                    with open(%4$s) as ready:
                        address = ready.read().strip()
                    security = Security(tls_ca_file=%1$s, tls_client_cert=%2$s, tls_client_key=%3$s, require_encryption=True)
                    with Client(address, security=security) as client:
                        print("RESULT", client.submit(lambda x: x + 1, 1).result(), flush=True)
                """.formatted(literal(ca), literal(certificate), literal(key), literal(ready));
    }

    /** A personal certificate for a key pair made here, written as {@code capstan cluster credentials} does. */
    private String credentials(String clusterId, Path ca, Path certificate, Path key) throws IOException {
        ClientKeyPair keys = ClientKeyPair.generate();
        ClientCertificateView issued = client.clientCertificate(
                clusterId,
                new ClientCertificateRequest(
                        keys.certificateSigningRequestPem(client.me().user().username()), Optional.empty()));
        Files.writeString(ca, issued.certificateAuthority());
        Files.writeString(certificate, issued.certificate());
        Files.writeString(
                Files.createFile(
                        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                keys.privateKeyPem());
        return issued.schedulerAddress();
    }

    private LocalRun localCluster() throws Exception {
        Path folder = Files.createTempDirectory(root, "local-cluster");
        try (PythonScript script = PythonScript.start(folder, LOCAL_CLUSTER)) {
            PythonScript.Finished finished = script.await(TIMEOUT);
            requireResult(finished);
            return new LocalRun(
                    Duration.ofNanos(finished.importedAt() - finished.startedAt()),
                    Duration.ofNanos(finished.resultAt() - finished.startedAt()));
        }
    }

    private static void requireResult(PythonScript.Finished finished) {
        if (!finished.result().equals("2")) {
            throw new IllegalStateException("the cluster answered " + finished.result() + " instead of 2");
        }
    }

    /** Polls the cluster like {@code capstan cluster create} does until it reaches one of {@code states}. */
    private ClusterView awaitState(String clusterId, Set<String> states) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            ClusterView cluster = client.showCluster(clusterId);
            if (states.contains(cluster.state())) {
                return cluster;
            }
            if (cluster.state().equals("failed") || cluster.state().equals("stopped")) {
                throw new IllegalStateException("cluster " + clusterId + " is " + cluster.state() + ": "
                        + cluster.stateReason().orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cluster " + clusterId + " is still " + cluster.state() + " after "
                        + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void stop(String clusterId) throws InterruptedException {
        String state = client.showCluster(clusterId).state();
        if (state.equals("stopped") || state.equals("failed")) {
            return;
        }
        if (!state.equals("stopping")) {
            client.stopCluster(clusterId);
        }
        awaitState(clusterId, Set.of("stopped", "failed"));
    }

    private static void report(int runs, List<CapstanRun> capstan, List<CapstanRun> early, List<LocalRun> local) {
        Measure.Timings capstanResult =
                Measure.Timings.of(capstan.stream().map(CapstanRun::result).toList());
        Measure.Timings earlyResult =
                Measure.Timings.of(early.stream().map(CapstanRun::result).toList());
        Measure.Timings localResult =
                Measure.Timings.of(local.stream().map(LocalRun::result).toList());
        System.out.printf(
                "cluster start to first result: %d workers x 1 thread, mutual TLS, %d runs of each after one"
                        + " warm-up round, run in turn%n",
                WORKERS, runs);
        System.out.printf("  Capstan, client started once the cluster runs:    %s%n", spread(capstanResult));
        System.out.printf(
                "    medians since the create request: answered %s, running %s, credentials written %s,"
                        + " Python imported %s, result %s%n",
                median(capstan, CapstanRun::answered),
                median(capstan, CapstanRun::running),
                median(capstan, CapstanRun::credentials),
                median(capstan, CapstanRun::imported),
                median(capstan, CapstanRun::result));
        System.out.printf("  Capstan, client started with the create request: %s%n", spread(earlyResult));
        System.out.printf(
                "    medians since the create request: Python imported %s, running %s, credentials written %s,"
                        + " result %s%n",
                median(early, CapstanRun::imported),
                median(early, CapstanRun::running),
                median(early, CapstanRun::credentials),
                median(early, CapstanRun::result));
        System.out.printf("  baseline, LocalCluster(n_workers=2, threads_per_worker=1, processes=True,"
                + " security=Security.temporary()) from its Python start:%n");
        System.out.printf("                                                    %s%n", spread(localResult));
        System.out.printf(
                "    medians since the Python start: imported %s, result %s%n",
                median(local, LocalRun::imported), median(local, LocalRun::result));
        double ratio = ratio(capstanResult, localResult);
        System.out.printf(
                "ratio Capstan / LocalCluster (medians): %.2f; target <= %.1f: %s%n",
                ratio, TARGET, ratio <= TARGET ? "met" : "not met");
        System.out.printf(
                "ratio Capstan with the client started with the request / LocalCluster: %.2f%n",
                ratio(earlyResult, localResult));
    }

    private static String spread(Measure.Timings timings) {
        return "median " + Measure.seconds(timings.median()) + " (min " + Measure.seconds(timings.min()) + ", max "
                + Measure.seconds(timings.max()) + ")";
    }

    private static <T> String median(List<T> runs, Function<T, Duration> milestone) {
        return Measure.seconds(
                Measure.Timings.of(runs.stream().map(milestone).toList()).median());
    }

    private static double ratio(Measure.Timings measured, Measure.Timings baseline) {
        return measured.median().toNanos() / (double) baseline.median().toNanos();
    }

    private static String literal(Path path) {
        return PythonScript.literal(path.toString());
    }

    /** Kills every cluster process of this installation and removes its folder, should a run have failed midway. */
    private static void destroyLeftovers(ServerConfig config, String installation) {
        LocalBackend backend = new LocalBackend(
                config.dataDirectory().resolve("clusters"),
                installation,
                Duration.ofSeconds(5),
                new SchedulerMetricsClient(Duration.ofSeconds(1), PrometheusLimits.defaults()));
        backend.present().forEach(backend::destroy);
    }
}
