package io.capstan.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle timeout and maximum lifetime, driven by an injected clock rather than by waiting 20 minutes. */
class TestClusterTimeouts {
    @TempDir
    Path temporary;

    private static CapstanClient member(TestingCapstanServer server) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, "team");
        CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
        admin.setMember("team", "ada", Role.MEMBER);
        return ada;
    }

    private static CreateClusterRequest request(String name, long idleSeconds, long lifetimeSeconds) {
        return new CreateClusterRequest(
                Optional.of(name),
                Optional.empty(),
                Optional.of(1),
                Optional.of(1),
                Optional.of(512L * 1024 * 1024),
                Optional.of(idleSeconds),
                Optional.of(lifetimeSeconds),
                Optional.of(Map.of()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void anIdleClusterStopsItselfButNotWhileAClientIsConnected() throws Exception {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingCapstanServer server =
                TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            CapstanClient ada = member(server);
            ClusterView cluster = Clusters.awaitState(
                    ada,
                    ada.createCluster(request("idle", 60, 3600), Optional.empty())
                            .id(),
                    "running");
            TestingDask.ClientFiles files = TestingDask.credentials(ada, cluster.id(), temporary.resolve("ada"));
            Process connected = connectAndWait(cluster.schedulerAddress().orElseThrow(), files);
            try {
                clock.advance(Duration.ofMinutes(2));
                // Several passes see a connected client; the cluster keeps running.
                await().pollDelay(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> true);
                assertThat(ada.showCluster(cluster.id()).state()).isEqualTo("running");
            } finally {
                connected.destroyForcibly().waitFor();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                clock.advance(Duration.ofSeconds(30));
                return ada.showCluster(cluster.id()).state().equals("stopped");
            });

            assertThat(ada.showCluster(cluster.id()).stateReason())
                    .hasValueSatisfying(reason -> assertThat(reason).contains("idle for 1 min"));
            assertThat(Clusters.processes(server, cluster.id())).isEmpty();
        }
    }

    @Test
    void aClusterStopsAtItsMaximumLifetime() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingCapstanServer server =
                TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            CapstanClient ada = member(server);
            ClusterView cluster = ada.createCluster(request("short", 3600, 120), Optional.empty());
            Clusters.awaitState(ada, cluster.id(), "running");

            clock.advance(Duration.ofSeconds(121));

            Clusters.awaitState(ada, cluster.id(), "stopped");
            assertThat(ada.showCluster(cluster.id()).stateReason())
                    .hasValueSatisfying(reason -> assertThat(reason).contains("maximum lifetime"));
        }
    }

    private static Process connectAndWait(String address, TestingDask.ClientFiles files) throws Exception {
        Path script = Files.writeString(
                files.folder().resolve("connected.py"),
                String.join(
                        "\n",
                        "import time",
                        "from distributed import Client",
                        "from distributed.security import Security",
                        "security = Security(tls_ca_file='"
                                + files.certificateAuthority().orElseThrow() + "', tls_client_cert='"
                                + files.certificate().orElseThrow() + "', tls_client_key='"
                                + files.key().orElseThrow()
                                + "', require_encryption=True)",
                        "client = Client('" + address + "', security=security, timeout=10)",
                        "print('CONNECTED', flush=True)",
                        "time.sleep(120)"));
        ProcessBuilder builder = new ProcessBuilder("/usr/bin/python3", script.toString())
                .directory(files.folder().toFile())
                .redirectErrorStream(true);
        builder.environment().put("HOME", files.folder().toString());
        Process process = builder.start();
        BufferedReader output =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = output.readLine(); line != null; line = output.readLine()) {
            if (line.equals("CONNECTED")) {
                return process;
            }
        }
        throw new AssertionError("the client did not connect");
    }
}
