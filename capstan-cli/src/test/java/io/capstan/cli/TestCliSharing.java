package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The team story of the README, from the command line. */
class TestCliSharing {
    @TempDir
    Path home;

    @Test
    void aTeamSharesAPublicEnvironmentAndKeepsItsConfigurationPrivate() throws IOException {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            TestingCli admin = new TestingCli(Map.of(
                    "HOME",
                    home.toString(),
                    "CAPSTAN_SERVER",
                    server.server().uri().toString(),
                    "CAPSTAN_TOKEN",
                    server.adminToken()));
            admin.run("account", "create", "research").expectSuccess();
            admin.run("account", "set-quota", "research", "--clusters", "3", "--workers", "4")
                    .expectSuccess();
            admin.run("account", "create", "finance").expectSuccess();
            for (String[] user : new String[][] {{"ann", "research"}, {"bob", "research"}, {"eve", "finance"}}) {
                admin.run("user", "create", user[0], "--email", user[0] + "@example.com")
                        .expectSuccess();
                admin.run("account", "add-member", user[1], user[0]).expectSuccess();
            }
            TestingCli ann = as(server, admin, "ann");
            TestingCli bob = as(server, admin, "bob");
            TestingCli eve = as(server, admin, "eve");

            ann.run("env", "create", "dask", "--python", "/usr/bin/python3", "--package", "distributed==2022.12.1")
                    .expectSuccess();
            ann.run(
                            "config",
                            "create",
                            "small",
                            "--workers",
                            "1",
                            "--threads",
                            "1",
                            "--memory",
                            "512MiB",
                            "--env",
                            "dask",
                            "--private")
                    .expectSuccess();
            assertThat(bob.run("config", "list").expectSuccess().out())
                    .contains("research/small")
                    .contains("private");
            assertThat(eve.run("env", "list").expectSuccess().out()).contains("research/dask");
            assertThat(eve.run("config", "list").expectSuccess().out()).doesNotContain("small");
            assertThat(eve.run("config", "show", "research/small").err()).contains("not_found");

            assertThat(bob.run("cluster", "create", "--name", "bobs", "--config", "small")
                            .expectSuccess()
                            .out())
                    .contains("1 × 1 threads");
            assertThat(eve.run("cluster", "create", "--name", "eves", "--env", "research/dask", "--workers", "0")
                            .expectSuccess()
                            .out())
                    .contains("account finance");
            assertThat(eve.run("cluster", "create", "--config", "research/small")
                            .err())
                    .contains("not_found");
            assertThat(eve.run("cluster", "list", "--all").expectSuccess().out())
                    .contains("eves")
                    .doesNotContain("bobs");
            assertThat(ann.run("account", "usage", "research").expectSuccess().out())
                    .containsPattern("workers\\s+1\\s+4");

            Path notebook = Files.writeString(
                    home.resolve("Analysis.ipynb"),
                    "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": []}");
            ann.run("notebook", "push", notebook.toString(), "--private").expectSuccess();
            assertThat(bob.run(
                                    "notebook",
                                    "pull",
                                    "analysis",
                                    "--to",
                                    home.resolve("copy.ipynb").toString())
                            .expectSuccess()
                            .out())
                    .contains("Wrote");
            assertThat(eve.run("notebook", "pull", "research/analysis").err()).contains("not_found");
            bob.run("cluster", "stop", "bobs").expectSuccess();
            eve.run("cluster", "stop", "eves").expectSuccess();
        }
    }

    private TestingCli as(TestingCapstanServer server, TestingCli admin, String user) {
        String token = admin.run("token", "create", "--user", user, "--name", "cli")
                .expectSuccess()
                .out()
                .trim();
        return new TestingCli(Map.of(
                "HOME",
                home.resolve(user).toString(),
                "CAPSTAN_SERVER",
                server.server().uri().toString(),
                "CAPSTAN_TOKEN",
                token));
    }
}
