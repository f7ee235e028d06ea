package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterView;
import io.capstan.client.CapstanClient;
import io.capstan.server.backend.local.ProcessTable;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane as a real process, killed with SIGKILL at several moments of a cluster's creation and started
 * again: every cluster ends up running or failed with a reason, and once they are stopped no process or folder of
 * any of them is left.
 */
class TestServerCrashRecovery {
    @TempDir
    Path directory;

    @Test
    void killingTheServerDuringCreationLeavesNoOrphan() throws Exception {
        int port = freePort();
        Path data = directory.resolve("data");
        Process server = startServer(data, port);
        String adminToken =
                Files.readString(directory.resolve("bootstrap-token")).trim();
        CapstanClient admin = CapstanClient.create(URI.create("http://127.0.0.1:" + port), Optional.of(adminToken));
        Fixtures.account(admin, "team");
        CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
        admin.setMember("team", "ada", Role.MEMBER);
        String installation = Files.readString(data.resolve("keyring/keyring.json"))
                .replaceAll("(?s).*\"keyringId\"\\s*:\\s*\"([^\"]+)\".*", "$1");

        for (long delay : new long[] {0, 700, 1500, 6000}) {
            ada.createCluster(Clusters.request("crash-" + delay, 2), Optional.empty());
            Thread.sleep(delay);
            server.destroyForcibly().waitFor();
            server = startServer(data, port);
        }

        List<ClusterView> clusters = ada.listClusters(Optional.empty());
        assertThat(clusters).hasSize(4);
        for (ClusterView cluster : clusters) {
            await().atMost(Duration.ofMinutes(2))
                    .until(() -> List.of("running", "failed")
                            .contains(ada.showCluster(cluster.id()).state()));
            ClusterView settled = ada.showCluster(cluster.id());
            if (settled.state().equals("failed")) {
                assertThat(settled.stateReason()).isPresent();
            }
        }
        for (ClusterView cluster : ada.listClusters(Optional.empty())) {
            if (cluster.state().equals("running")) {
                ada.stopCluster(cluster.id());
            }
        }
        await().atMost(Duration.ofMinutes(1))
                .until(() -> ada.listClusters(Optional.empty()).stream()
                        .allMatch(cluster -> List.of("stopped", "failed").contains(cluster.state())));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcessTable.scan(installation).isEmpty());
        try (Stream<Path> folders = Files.list(data.resolve("clusters"))) {
            assertThat(folders).isEmpty();
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    private Process startServer(Path data, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "server",
                        "--data-dir",
                        data.toString(),
                        "--listen",
                        "127.0.0.1:" + port,
                        "--bootstrap-token-file",
                        directory.resolve("bootstrap-token").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        directory.resolve("server.log").toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("CAPSTAN_"));
        Process process = builder.start();
        CapstanClient probe = CapstanClient.create(URI.create("http://127.0.0.1:" + port), Optional.empty());
        await().atMost(Duration.ofMinutes(1))
                .ignoreExceptions()
                .until(() -> probe.health().status().equals("ok"));
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        }
    }
}
