package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.Json;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Telemetry, logs, usage and the privacy report of a real cluster, as a user reads them from the command line. */
class TestCliObservability {
    @TempDir
    Path home;

    @Test
    void metricsLogsUsageAndPrivacyFromTheCommandLine() throws Exception {
        ObservabilitySettings quick = new ObservabilitySettings(
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                4,
                Duration.ofDays(30),
                Duration.ofMillis(200),
                1000,
                64L * 1024 * 1024);
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2, builder -> builder.observability(quick), Clock.systemUTC())) {
            TestingCli cli = new TestingCli(Map.of("HOME", home.toString()));
            cli.runWithInput(
                            server.adminToken() + "\n",
                            "login",
                            "--server",
                            server.server().uri().toString())
                    .expectSuccess();
            cli.run("account", "create", "team").expectSuccess();
            cli.run("account", "add-member", "team", "admin").expectSuccess();
            cli.run("cluster", "create", "--name", "watched", "--workers", "1", "--threads", "1")
                    .expectSuccess();

            CompletableFuture<TestingCli.Result> following =
                    CompletableFuture.supplyAsync(() -> cli.run("cluster", "logs", "watched", "--follow"));

            JsonNode credentials = Json.lenient()
                    .readTree(cli.run("cluster", "credentials", "watched", "-o", "json")
                            .expectSuccess()
                            .out());
            TestingDask.Result computed = TestingDask.withClient(
                    credentials.path("schedulerAddress").asString(),
                    new TestingDask.ClientFiles(
                            Path.of(credentials.path("keyFile").asString()).getParent(),
                            Optional.of(Path.of(credentials.path("caFile").asString())),
                            Optional.of(
                                    Path.of(credentials.path("certificateFile").asString())),
                            Optional.of(Path.of(credentials.path("keyFile").asString()))),
                    "def square(x):",
                    "    print('squaring', x, flush=True)",
                    "    return x * x",
                    "print('RESULT', sum(client.gather(client.map(square, range(10)))))");
            assertThat(computed.output()).contains("RESULT 285");

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cli.run("cluster", "metrics", "watched")
                                    .expectSuccess()
                                    .out())
                            .contains("workers    1 now, 1 at the peak")
                            .contains("tasks      10 completed, 0 erred")
                            .contains("by prefix  square 10"));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(cli.run("cluster", "logs", "watched", "--node", "worker-0")
                                    .expectSuccess()
                                    .out())
                            .contains("worker-0  squaring 9"));
            String schedulerOnly = cli.run("cluster", "logs", "watched", "--node", "scheduler")
                    .expectSuccess()
                    .out();
            assertThat(schedulerOnly).contains("scheduler  ").doesNotContain("squaring");
            assertThat(following)
                    .as("--follow keeps following while the cluster runs")
                    .isNotDone();

            cli.run("cluster", "stop", "watched").expectSuccess();
            TestingCli.Result followed = following.get(60, TimeUnit.SECONDS);
            assertThat(followed.exitCode())
                    .as("--follow ends when the cluster has stopped")
                    .isZero();
            assertThat(followed.out()).contains("worker-0  squaring 0").contains("scheduler  ");

            assertThat(cli.run("cluster", "logs", "watched", "--since", "soon").err())
                    .contains("--since must be a duration");
            assertThat(cli.run("usage").expectSuccess().out()).containsPattern("team +1 +0\\.\\d\\d +10 +0 ");
            assertThat(cli.run("privacy").expectSuccess().out())
                    .contains("stores about admin")
                    .contains("Logs and events (")
                    .contains("retention:  removed automatically after 30 days")
                    .contains("capstan account delete");
        }
    }
}
