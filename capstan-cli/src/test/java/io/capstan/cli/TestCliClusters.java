package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDask;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The cluster journey from the command line, with a real server and real Dask processes. */
class TestCliClusters {
    @TempDir
    Path home;

    @Test
    void createComputeScaleAndStopFromTheCommandLine() throws IOException {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            TestingCli cli = new TestingCli(Map.of("HOME", home.toString()));
            cli.runWithInput(
                            server.adminToken() + "\n",
                            "login",
                            "--server",
                            server.server().uri().toString())
                    .expectSuccess();
            cli.run("account", "create", "team").expectSuccess();
            cli.run("account", "add-member", "team", "admin").expectSuccess();

            TestingCli.Result created = cli.run(
                            "cluster",
                            "create",
                            "--name",
                            "demo",
                            "--workers",
                            "2",
                            "--threads",
                            "1",
                            "--memory",
                            "1GiB",
                            "--idle-timeout",
                            "30m",
                            "--label",
                            "team=research")
                    .expectSuccess();
            assertThat(created.out()).contains("state:     running").contains("1GiB each");
            assertThat(created.err()).contains("starting → running");

            TestingCli.Result credentials =
                    cli.run("cluster", "credentials", "demo").expectSuccess();
            assertThat(credentials.out()).contains("require_encryption=True").contains("Client('tls://127.0.0.1:");
            JsonNode json = Json.lenient()
                    .readTree(cli.run("cluster", "credentials", "demo", "-o", "json")
                            .expectSuccess()
                            .out());
            Path key = Path.of(json.path("keyFile").asString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
                    .isEqualTo("rwx------");
            assertThat(key.getParent()).startsWith(home.resolve(".config/capstan/clusters"));
            TestingDask.Result computed = TestingDask.compute(
                    json.path("schedulerAddress").asString(),
                    new TestingDask.ClientFiles(
                            key.getParent(),
                            Optional.of(Path.of(json.path("caFile").asString())),
                            Optional.of(Path.of(json.path("certificateFile").asString())),
                            Optional.of(key)));
            assertThat(computed.output()).contains("RESULT 285");

            assertThat(cli.run("cluster", "scale", "demo", "3").expectSuccess().out())
                    .contains("3 × 1 threads");
            assertThat(cli.run("cluster", "list").expectSuccess().out())
                    .contains("demo")
                    .contains("running");
            assertThat(cli.run("cluster", "stop", "demo").expectSuccess().out()).contains("is stopped");
            assertThat(cli.run("cluster", "events", "demo").expectSuccess().out())
                    .contains("client certificate issued to admin")
                    .contains("stopped by admin");
            assertThat(cli.run("cluster", "credentials", "demo").err()).contains("invalid_state");
            cli.run("cluster", "delete", "demo").expectSuccess();
            assertThat(cli.run("cluster", "show", "demo").err()).contains("no cluster named 'demo'");
        }
    }

    @Test
    void badOptionsAreExplainedBeforeAnythingIsCreated() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            TestingCli cli = new TestingCli(Map.of(
                    "HOME", home.toString(),
                    "CAPSTAN_SERVER", server.server().uri().toString(),
                    "CAPSTAN_TOKEN", server.adminToken()));
            cli.run("account", "create", "team").expectSuccess();
            cli.run("account", "add-member", "team", "admin").expectSuccess();

            assertThat(cli.run("cluster", "create", "--memory", "lots").err())
                    .contains("--memory: 'lots' is not a size");
            assertThat(cli.run("cluster", "create", "--idle-timeout", "soon").err())
                    .contains("--idle-timeout:");
            assertThat(cli.run("cluster", "create", "--name", "../../x").err()).contains("invalid_field");
            assertThat(cli.run("cluster", "create", "--workers", "1000").err()).contains("'workers' must be between");
            assertThat(cli.run("cluster", "create", "--label", "novalue").err()).contains("KEY=VALUE");
            assertThat(cli.run("cluster", "list", "--all").expectSuccess().out())
                    .doesNotContain("clu_");

            TestingCli.Result accepted = cli.run("cluster", "create", "--name", "later", "--workers", "0", "--no-wait")
                    .expectSuccess();
            assertThat(accepted.out())
                    .as("--no-wait returns with the cluster as accepted")
                    .contains("state:     pending");
            assertThat(accepted.err()).doesNotContain("→ running");
            assertThat(cli.run("cluster", "stop", "later").expectSuccess().out())
                    .contains("is stopped");
        }
    }
}
