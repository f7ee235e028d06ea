package io.capstan.server.logstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.LogLineView;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's file system fills up while a cluster writes logs: the server keeps serving, the cluster keeps
 * running, nothing stored before is lost, and once there is room again new lines are collected. Runs on a small
 * tmpfs mounted for the test (this machine's tests run as root; the test fails, not skips, if it cannot mount).
 */
class TestFullDisk {
    @TempDir
    Path temporary;

    @Test
    void aFullDiskWhileWritingLogsLosesNothingAndTheServerCarriesOn() throws Exception {
        Path mountPoint = Files.createDirectory(temporary.resolve("small-disk"));
        run("mount", "-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", mountPoint.toString());
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder -> builder.dataDirectory(mountPoint.resolve("data")),
                Clock.systemUTC())) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team");
            CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
            admin.setMember("team", "ada", Role.MEMBER);
            ClusterView cluster = Clusters.createRunning(ada, "filler", 1);
            TestingDask.ClientFiles files = TestingDask.credentials(ada, cluster.id(), temporary.resolve("ada"));
            String address = cluster.schedulerAddress().orElseThrow();
            print(address, files, "before-the-disk-filled");
            await().atMost(Duration.ofSeconds(30)).until(() -> contains(ada, cluster.id(), "before-the-disk-filled"));

            Path filler = mountPoint.resolve("filler");
            fill(filler);
            TestingDask.Result duringFull = TestingDask.withClient(
                    address,
                    files,
                    "def chatty():",
                    "    for i in range(2000):",
                    "        try:",
                    "            print('while-the-disk-was-full', i, 'x' * 200, flush=True)",
                    "        except OSError:",
                    "            pass",
                    "    return 1",
                    "print('RESULT', client.submit(chatty, pure=False).result())");
            assertThat(duringFull.output()).contains("RESULT 1");
            Thread.sleep(3_000); // a few collection rounds against the full disk

            assertThat(admin.health().status()).isEqualTo("ok");
            for (String path : List.of(
                    "/api/v1/clusters/" + cluster.id(),
                    "/api/v1/clusters/" + cluster.id() + "/logs?node=worker-0",
                    "/api/v1/me")) {
                HttpAnswer answer = ada.send("GET", path, Optional.empty(), new byte[0]);
                assertThat(answer.status()).as(path).isIn(200, 503);
                if (answer.status() == 503) {
                    assertThat(CapstanClient.problemOf(answer).code()).isEqualTo("storage_unavailable");
                    assertThat(answer.header("Retry-After")).isPresent();
                }
            }

            Files.delete(filler);
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(
                            () -> assertThat(ada.showCluster(cluster.id()).state())
                                    .as("the server recovers by itself, and the cluster ran on")
                                    .isEqualTo("running"));
            assertThat(contains(ada, cluster.id(), "before-the-disk-filled"))
                    .as("what was stored before the disk filled is still there")
                    .isTrue();
            print(address, files, "after-there-was-room-again");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> contains(ada, cluster.id(), "after-there-was-room-again"));

            server.stop();
            server.startAgain();
            CapstanClient adaAgain =
                    server.adminClient().withToken(Fixtures.token(server.adminClient(), "ada", Scope.READ));
            assertThat(contains(adaAgain, cluster.id(), "before-the-disk-filled"))
                    .isTrue();
            assertThat(contains(adaAgain, cluster.id(), "after-there-was-room-again"))
                    .isTrue();
            assertThat(server.adminClient().showAccount("team").members()).hasSize(1);
        } finally {
            run("umount", "-l", mountPoint.toString());
        }
    }

    private static void print(String address, TestingDask.ClientFiles files, String marker) {
        TestingDask.Result result = TestingDask.withClient(
                address,
                files,
                "def say():",
                "    print('" + marker + "', flush=True)",
                "    return 1",
                "print('RESULT', client.submit(say, pure=False).result())");
        assertThat(result.output()).contains("RESULT 1");
    }

    private static boolean contains(CapstanClient client, String clusterId, String text) {
        List<LogLineView> lines = TestClusterLogs.allLines(client, clusterId, Optional.of("worker-0"));
        return lines.stream().anyMatch(line -> line.text().contains(text));
    }

    /** Writes until the file system refuses: afterwards not a byte more fits. */
    private static void fill(Path filler) {
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full).hasMessageContaining("No space left");
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }
}
