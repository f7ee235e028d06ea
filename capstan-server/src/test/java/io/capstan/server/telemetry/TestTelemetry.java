package io.capstan.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.telemetry.AccountUsage;
import io.capstan.api.telemetry.ClusterMetrics;
import io.capstan.api.telemetry.TelemetrySummary;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Telemetry of real clusters: collected while they run, summarized, kept after they stop, removed with them. */
class TestTelemetry {
    @TempDir
    Path temporary;

    static TestingCapstanServer quickTelemetry(TestingDatabase.Kind kind) {
        return TestingCapstanServer.start(
                kind,
                builder -> builder.observability(ObservabilitySettings.defaults()
                        .withTelemetryInterval(Duration.ofMillis(250), Duration.ofSeconds(1))),
                Clock.systemUTC());
    }

    private static long rows(TestingCapstanServer server, String table, String clusterId) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM " + table + " WHERE cluster_id = :id")
                        .bind("id", clusterId)
                        .mapTo(Long.class)
                        .one());
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aClustersWorkIsObservedSummarizedKeptAfterItStopsAndRemovedWithIt(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = quickTelemetry(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team");
            Fixtures.account(admin, "other");
            CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
            CapstanClient eve = Fixtures.userClient(admin, "eve", Scope.CLUSTERS);
            admin.setMember("team", "ada", Role.MEMBER);
            admin.setMember("other", "eve", Role.MEMBER);
            ClusterView cluster = Clusters.createRunning(ada, "observed", 2);

            TestingDask.Result computed = TestingDask.withClient(
                    cluster.schedulerAddress().orElseThrow(),
                    TestingDask.credentials(ada, cluster.id(), temporary.resolve("ada")),
                    "def double(x):",
                    "    return 2 * x",
                    "def explode():",
                    "    raise ValueError('on purpose')",
                    "doubled = client.gather(client.map(double, range(40)))",
                    "failed = client.submit(explode, pure=False)",
                    "print('RESULT', sum(doubled), type(failed.exception()).__name__)");
            assertThat(computed.output()).contains("RESULT 1560 ValueError");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ada.clusterMetrics(cluster.id(), "1h")
                            .summary()
                            .map(summary -> summary.tasksByPrefix().getOrDefault("double", 0L) == 40
                                    && summary.tasksErred() >= 1)
                            .orElse(false));
            ClusterMetrics running = ada.clusterMetrics(cluster.id(), "1h");
            TelemetrySummary summary = running.summary().orElseThrow();
            assertThat(summary.workersCurrent()).isEqualTo(2);
            assertThat(summary.workersPeak()).isEqualTo(2);
            assertThat(summary.tasksCompleted()).isGreaterThanOrEqualTo(40);
            assertThat(summary.memoryPeakBytes())
                    .hasValueSatisfying(bytes -> assertThat(bytes).isGreaterThan(10L * 1024 * 1024));
            assertThat(running.history())
                    .isNotEmpty()
                    .allSatisfy(sample -> assertThat(sample.workers()).isBetween(0, 2));
            assertThat(running.history().stream().map(sample -> sample.at()).toList())
                    .isSorted();

            for (CapstanApiException refusal : List.of(
                    Fixtures.refusal(() -> eve.clusterMetrics(cluster.id(), "1h")),
                    Fixtures.refusal(() -> eve.computeUsage(Optional.of("team"), "30d")))) {
                assertThat(refusal.status()).isEqualTo(404);
            }
            assertThat(eve.computeUsage(Optional.empty(), "30d"))
                    .singleElement()
                    .satisfies(usage -> {
                        assertThat(usage.account()).isEqualTo("other");
                        assertThat(usage.clustersRun()).isZero();
                    });

            await().atMost(Duration.ofSeconds(30))
                    .alias("a running cluster's observed uptime grows")
                    .until(() -> ada.clusterMetrics(cluster.id(), "1h")
                                    .summary()
                                    .orElseThrow()
                                    .uptimeSeconds()
                            >= 1);
            ada.stopCluster(cluster.id());
            Clusters.awaitState(ada, cluster.id(), "stopped");
            TelemetrySummary kept =
                    ada.clusterMetrics(cluster.id(), "1h").summary().orElseThrow();
            assertThat(kept.tasksByPrefix()).containsEntry("double", 40L);
            assertThat(kept.workersPeak()).isEqualTo(2);
            assertThat(kept.uptimeSeconds()).isPositive();
            AccountUsage usage = ada.computeUsage(Optional.of("team"), "30d").get(0);
            assertThat(usage.clustersRun()).isEqualTo(1);
            assertThat(usage.tasksCompleted()).isEqualTo(kept.tasksCompleted());
            assertThat(usage.tasksErred()).isGreaterThanOrEqualTo(1);
            assertThat(usage.workerHours()).isPositive();
            assertThat(usage.peakMemoryBytes()).isEqualTo(kept.memoryPeakBytes());

            assertThat(rows(server, "telemetry_samples", cluster.id())).isPositive();
            assertThat(rows(server, "telemetry_summaries", cluster.id())).isEqualTo(1);
            ada.deleteCluster(cluster.id());
            assertThat(rows(server, "telemetry_samples", cluster.id())).isZero();
            assertThat(rows(server, "telemetry_summaries", cluster.id())).isZero();
            assertThat(ada.computeUsage(Optional.of("team"), "30d").get(0).clustersRun())
                    .isZero();
        }
    }
}
