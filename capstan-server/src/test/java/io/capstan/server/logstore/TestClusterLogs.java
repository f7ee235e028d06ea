package io.capstan.server.logstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterLogs;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.LogLineView;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the processes of real clusters write, captured into the log store, and the guards around it. */
class TestClusterLogs {
    @TempDir
    Path temporary;

    private static CapstanClient member(TestingCapstanServer server, String account, String user) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, account);
        CapstanClient client = Fixtures.userClient(admin, user, Scope.CLUSTERS);
        admin.setMember(account, user, Role.MEMBER);
        return client;
    }

    /** Every line of the cluster (or of one node), page by page. */
    static List<LogLineView> allLines(CapstanClient client, String clusterId, Optional<String> node) {
        List<LogLineView> lines = new ArrayList<>();
        long after = 0;
        while (true) {
            ClusterLogs page = client.clusterLogs(clusterId, node, Optional.empty(), after, 1000);
            lines.addAll(page.items());
            if (page.items().size() < 1000) {
                return lines;
            }
            after = page.items().get(page.items().size() - 1).id();
        }
    }

    private static boolean contains(List<LogLineView> lines, String text) {
        return lines.stream().anyMatch(line -> line.text().contains(text));
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void everyProcessOutputIsKeptEncryptedPerNodeAndStaysReadableAfterTheClusterStops(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient ada = member(server, "team", "ada");
            CapstanClient eve = member(server, "other", "eve");
            ClusterView cluster = Clusters.createRunning(ada, "chatty", 1);
            String marker = "capstan-marker-" + UUID.randomUUID();
            TestingDask.ClientFiles files = TestingDask.credentials(ada, cluster.id(), temporary.resolve("ada"));
            TestingDask.Result printed = TestingDask.withClient(
                    cluster.schedulerAddress().orElseThrow(),
                    files,
                    "def shout():",
                    "    print('" + marker + "', flush=True)",
                    "    return 1",
                    "print('RESULT', client.submit(shout, pure=False).result())");
            assertThat(printed.output()).contains("RESULT 1");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> contains(allLines(ada, cluster.id(), Optional.of("worker-0")), marker));
            LogLineView line = allLines(ada, cluster.id(), Optional.of("worker-0")).stream()
                    .filter(candidate -> candidate.text().contains(marker))
                    .findFirst()
                    .orElseThrow();
            assertThat(line.node()).isEqualTo("worker-0");
            assertThat(line.stream()).isEqualTo("stdout");
            assertThat(line.text()).isEqualTo(marker);
            List<LogLineView> scheduler = allLines(ada, cluster.id(), Optional.of("scheduler"));
            assertThat(scheduler)
                    .isNotEmpty()
                    .allSatisfy(each -> assertThat(each.node()).isEqualTo("scheduler"));
            assertThat(contains(scheduler, "Scheduler at")).isTrue();
            assertThat(contains(scheduler, marker)).isFalse();

            assertThat(DatabaseDump.script(server.server().database()))
                    .as("log lines are encrypted under the account's key, also in a dump of the database")
                    .doesNotContain(marker)
                    .doesNotContain("Scheduler at");
            for (CapstanApiException refusal : List.of(
                    Fixtures.refusal(() -> eve.clusterLogs(cluster.id(), Optional.empty(), Optional.empty(), 0, 10)),
                    Fixtures.refusal(() ->
                            eve.clusterLogs("clu_aaaaaaaaaaaaaaaaaaaa", Optional.empty(), Optional.empty(), 0, 10)))) {
                assertThat(refusal.status()).isEqualTo(404);
                assertThat(refusal.problem().code()).isEqualTo("not_found");
            }

            ada.stopCluster(cluster.id());
            Clusters.awaitState(ada, cluster.id(), "stopped");
            List<LogLineView> afterStop = allLines(ada, cluster.id(), Optional.empty());
            assertThat(contains(afterStop, marker)).isTrue();
            assertThat(afterStop)
                    .as("a worker's last words before it stopped are kept too")
                    .anyMatch(each ->
                            each.node().equals("worker-0") && each.text().contains("Stopping worker"));
            assertThat(afterStop.stream().map(LogLineView::id).toList())
                    .isSorted()
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void queryParametersAreCheckedBeforeAnythingIsRead() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient ada = member(server, "team", "ada");
            String id = ada.createCluster(Clusters.request("quiet", 0), Optional.empty())
                    .id();
            for (String query : List.of(
                    "?node=../../etc/passwd",
                    "?node=worker-",
                    "?node=scheduler;rm%20-rf",
                    "?since=yesterday",
                    "?since=-5m",
                    "?after=x",
                    "?limit=0",
                    "?limit=100000")) {
                var answer = ada.send("GET", "/api/v1/clusters/" + id + "/logs" + query, Optional.empty(), new byte[0]);
                assertThat(answer.status()).as(query).isEqualTo(400);
                assertThat(CapstanClient.problemOf(answer).code()).as(query).isEqualTo("invalid_parameter");
            }
        }
    }

    @Test
    void aClusterThatLogsFasterThanAllowedHasTheExcessDroppedAndCounted() {
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder ->
                        builder.observability(ObservabilitySettings.defaults().withLogLimits(20, 64L * 1024 * 1024)),
                Clock.systemUTC())) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = Clusters.createRunning(ada, "flood", 1);
            int before = allLines(ada, cluster.id(), Optional.empty()).size();
            flood(ada, cluster, 5_000, 10);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ada.clusterLogs(cluster.id(), Optional.empty(), Optional.empty(), 0, 1)
                                    .droppedLines()
                            > 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ClusterLogs page = ada.clusterLogs(cluster.id(), Optional.empty(), Optional.empty(), 0, 1);
                int stored = allLines(ada, cluster.id(), Optional.empty()).size();
                return stored + page.droppedLines() >= before + 5_000L;
            });
            int stored = allLines(ada, cluster.id(), Optional.empty()).size();
            assertThat(stored - before)
                    .as("a burst of 10 s at 20 lines a second, and what trickled in meanwhile")
                    .isBetween(100, 1_000);
            assertThat(ada.showCluster(cluster.id()).state()).isEqualTo("running");
            assertThat(server.adminClient().health().status()).isEqualTo("ok");
        }
    }

    @Test
    void aClusterThatLogsBeyondItsCapHasTheRestDroppedAndCounted() {
        long cap = 64L * 1024;
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder ->
                        builder.observability(ObservabilitySettings.defaults().withLogLimits(100_000, cap)),
                Clock.systemUTC())) {
            CapstanClient ada = member(server, "team", "ada");
            ClusterView cluster = Clusters.createRunning(ada, "verbose", 1);
            flood(ada, cluster, 2_000, 200);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ada.clusterLogs(cluster.id(), Optional.empty(), Optional.empty(), 0, 1)
                                    .droppedLines()
                            >= 1_000);
            long bytes = allLines(ada, cluster.id(), Optional.empty()).stream()
                    .mapToLong(line -> line.text().getBytes(StandardCharsets.UTF_8).length)
                    .sum();
            assertThat(bytes).isPositive().isLessThanOrEqualTo(cap);
            ada.stopCluster(cluster.id());
            Clusters.awaitState(ada, cluster.id(), "stopped");
            long stored = server.server()
                    .database()
                    .jdbi()
                    .withHandle(handle -> handle.createQuery("SELECT log_bytes_stored FROM clusters WHERE id = :id")
                            .bind("id", cluster.id())
                            .mapTo(Long.class)
                            .one());
            assertThat(stored).isLessThanOrEqualTo(cap);
        }
    }

    /** Has the cluster's worker print {@code lines} lines of {@code width} characters, as fast as it can. */
    private void flood(CapstanClient client, ClusterView cluster, int lines, int width) {
        TestingDask.ClientFiles files =
                TestingDask.credentials(client, cluster.id(), temporary.resolve(cluster.name()));
        TestingDask.Result result = TestingDask.withClient(
                cluster.schedulerAddress().orElseThrow(),
                files,
                "def flood():",
                "    for i in range(" + lines + "):",
                "        print(str(i).rjust(" + width + ", 'x'))",
                "    return 'flooded'",
                "print('RESULT', client.submit(flood, pure=False).result())");
        assertThat(result.output()).contains("RESULT flooded");
    }
}
