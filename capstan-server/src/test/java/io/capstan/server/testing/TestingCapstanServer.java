package io.capstan.server.testing;

import io.capstan.api.token.CreatedToken;
import io.capstan.client.CapstanClient;
import io.capstan.server.CapstanServer;
import io.capstan.server.ServerConfig;
import io.capstan.server.backend.local.LocalBackend;
import io.capstan.server.telemetry.SchedulerMetricsClient;
import io.capstan.server.telemetry.prometheus.PrometheusLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real Capstan server for a test: real HTTP on an ephemeral loopback port, a fresh data directory, H2 or a fresh
 * PostgreSQL schema. It can be stopped and started again on the same data, to test restarts.
 */
public final class TestingCapstanServer implements AutoCloseable {
    private final Path root;
    private final TestingDatabase database;
    private final ServerConfig config;
    private final Clock clock;
    private final List<CreatedToken> bootstrapTokens = new ArrayList<>();
    private CapstanServer server;
    private String installation;

    private TestingCapstanServer(Path root, TestingDatabase database, ServerConfig config, Clock clock) {
        this.root = root;
        this.database = database;
        this.config = config;
        this.clock = clock;
    }

    public static TestingCapstanServer start(TestingDatabase.Kind kind) {
        return start(kind, UnaryOperator.identity(), Clock.systemUTC());
    }

    public static TestingCapstanServer start(
            TestingDatabase.Kind kind, UnaryOperator<ServerConfig.Builder> customize, Clock clock) {
        Path root;
        try {
            root = Files.createTempDirectory("capstan-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestingDatabase database = TestingDatabase.create(kind);
        ServerConfig.Builder builder = ServerConfig.defaults(Map.of("HOME", root.toString())).toBuilder()
                .listen("127.0.0.1", 0)
                .dataDirectory(root.resolve("data"))
                .databaseUrl(database.serverUrl())
                .authFailureLimit(1000, Duration.ofMinutes(1));
        TestingCapstanServer testing = new TestingCapstanServer(
                root, database, customize.apply(builder).build(), clock);
        testing.startAgain();
        return testing;
    }

    /** Starts the server (again) on the same data directory and database. */
    public void startAgain() {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        server = CapstanServer.start(config, clock, bootstrapTokens::add);
    }

    public void stop() {
        if (server != null) {
            installation = server.keyring().keyringId();
            server.close();
            server = null;
        }
    }

    /** Kills every cluster process of this installation and removes every cluster folder, as a test's last act. */
    public void destroyClusters() {
        if (installation == null) {
            return;
        }
        LocalBackend backend = new LocalBackend(
                config.dataDirectory().resolve("clusters"),
                installation,
                Duration.ofSeconds(5),
                new SchedulerMetricsClient(Duration.ofSeconds(1), PrometheusLimits.defaults()));
        backend.present().forEach(backend::destroy);
    }

    public CapstanServer server() {
        return server;
    }

    public ServerConfig config() {
        return config;
    }

    public TestingDatabase database() {
        return database;
    }

    public Path root() {
        return root;
    }

    /** Every bootstrap token this installation handed out; there should only ever be one. */
    public List<CreatedToken> bootstrapTokens() {
        return List.copyOf(bootstrapTokens);
    }

    public String adminToken() {
        return bootstrapTokens.get(0).secret();
    }

    public CapstanClient client(Optional<String> token) {
        return CapstanClient.create(server.uri(), token);
    }

    public CapstanClient adminClient() {
        return client(Optional.of(adminToken()));
    }

    public CapstanClient anonymousClient() {
        return client(Optional.empty());
    }

    @Override
    public void close() {
        try {
            stop();
            destroyClusters();
        } finally {
            database.close();
            deleteRecursively(root);
        }
    }

    public static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
