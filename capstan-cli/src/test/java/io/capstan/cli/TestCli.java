package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

class TestCli {
    @TempDir
    Path home;

    private TestingCapstanServer server;
    private TestingCli cli;

    @BeforeEach
    void start() {
        server = TestingCapstanServer.start(TestingDatabase.Kind.H2);
        cli = new TestingCli(Map.of("HOME", home.toString()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String url() {
        return server.server().uri().toString();
    }

    @Test
    void aNewUserFollowsTheReadmeJourney() throws IOException {
        cli.runWithInput(server.adminToken() + "\n", "login", "--server", url()).expectSuccess();
        assertThat(cli.run("whoami").expectSuccess().out()).contains("admin (server administrator)");

        cli.run("account", "create", "team-a").expectSuccess();
        cli.run("user", "create", "alice", "--email", "alice@example.com").expectSuccess();
        cli.run("account", "add-member", "team-a", "alice").expectSuccess();
        TestingCli.Result created = cli.run(
                        "token", "create", "--user", "alice", "--name", "laptop", "--scope", "clusters")
                .expectSuccess();
        String aliceToken = created.out().trim();
        assertThat(aliceToken).startsWith("capstan_");
        assertThat(created.err()).contains("shown this once");

        TestingCli alice =
                cli.with("CAPSTAN_CONFIG", home.resolve("alice/config.yaml").toString());
        alice.runWithInput(aliceToken + "\n", "login", "--server", url(), "--username", "alice")
                .expectSuccess();
        String whoami = alice.run("whoami").expectSuccess().out();

        assertThat(whoami)
                .contains("alice on " + url())
                .contains("team-a (member)")
                .contains("scope clusters");
        Path config = home.resolve("alice/config.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())))
                .isEqualTo("rwx------");
        assertThat(cli.run("token", "list", "--user", "alice").expectSuccess().out())
                .contains("laptop")
                .doesNotContain(aliceToken);
    }

    @Test
    void loginChecksTheTokenBeforeSavingIt() {
        TestingCli.Result wrong = cli.runWithInput("capstan_nonsense\n", "login", "--server", url());

        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err())
                .startsWith("capstan: ")
                .contains("token_invalid")
                .doesNotContain("at io.");
        assertThat(home.resolve(".config/capstan/config.yaml")).doesNotExist();

        TestingCli.Result someoneElse =
                cli.runWithInput(server.adminToken() + "\n", "login", "--server", url(), "--username", "alice");
        assertThat(someoneElse.exitCode()).isEqualTo(1);
        assertThat(someoneElse.err()).contains("belongs to 'admin', not 'alice'");
        assertThat(home.resolve(".config/capstan/config.yaml")).doesNotExist();
    }

    @Test
    void aConfigFileOthersCanReadIsRefusedWithTheFix() throws IOException {
        cli.runWithInput(server.adminToken() + "\n", "login", "--server", url()).expectSuccess();
        Path config = home.resolve(".config/capstan/config.yaml");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        TestingCli.Result refused = cli.run("whoami");

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("chmod 600 " + config).doesNotContain(server.adminToken());
    }

    @Test
    void environmentVariablesOverrideTheConfigFile() {
        TestingCli.Result result = cli.with("CAPSTAN_SERVER", url())
                .with("CAPSTAN_TOKEN", server.adminToken())
                .run("whoami");

        assertThat(result.expectSuccess().out()).contains("admin");
        assertThat(home.resolve(".config/capstan/config.yaml")).doesNotExist();
    }

    @Test
    void logoutForgetsTheTokenAndCanRevokeIt() throws IOException {
        cli.runWithInput(server.adminToken() + "\n", "login", "--server", url()).expectSuccess();
        String second = cli.run("token", "create", "--name", "second")
                .expectSuccess()
                .out()
                .trim();
        TestingCli other = cli.with("CAPSTAN_CONFIG", home.resolve("other.yaml").toString());
        other.runWithInput(second + "\n", "login", "--server", url()).expectSuccess();

        other.run("logout", "--revoke").expectSuccess();

        assertThat(Files.readString(home.resolve("other.yaml")))
                .doesNotContain("capstan_")
                .contains("server");
        assertThat(other.run("whoami").err()).contains("not logged in");
        assertThat(cli.with("CAPSTAN_TOKEN", second)
                        .with("CAPSTAN_SERVER", url())
                        .run("whoami")
                        .err())
                .contains("token_revoked");
        assertThat(cli.run("whoami").expectSuccess().out()).contains("admin");
    }

    @Test
    void jsonOutputIsTheApisJson() {
        cli.runWithInput(server.adminToken() + "\n", "login", "--server", url()).expectSuccess();
        cli.run("account", "create", "team-a").expectSuccess();

        JsonNode accounts = Json.lenient()
                .readTree(
                        cli.run("account", "list", "-o", "json").expectSuccess().out());

        assertThat(accounts.isArray()).isTrue();
        assertThat(accounts.get(0).path("name").asString()).isEqualTo("team-a");
    }

    @Test
    void failuresAreOneClearLine() {
        assertThat(cli.run("whoami").err())
                .isEqualTo("capstan: not logged in: run 'capstan login' (or set" + " CAPSTAN_TOKEN)\n");
        TestingCli.Result unreachable =
                cli.with("CAPSTAN_TOKEN", server.adminToken()).run("whoami", "--server", "http://127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot connect to the Capstan server at http://127.0.0.1:1");
        assertThat(cli.with("CAPSTAN_TOKEN", server.adminToken())
                        .run("whoami", "--server", "ftp://x")
                        .err())
                .contains("is not an http(s) URL");
        assertThat(cli.run("token", "create").exitCode()).isEqualTo(2);
        assertThat(cli.with("CAPSTAN_TOKEN", server.adminToken())
                        .run("token", "create", "--name", "x", "--expires", "soon", "--server", url())
                        .err())
                .contains("--expires: 'soon' is not a duration");
    }

    @Test
    void keyringAdministrationFromTheCommandLine() {
        cli.runWithInput(server.adminToken() + "\n", "login", "--server", url()).expectSuccess();
        cli.run("user", "create", "ada", "--email", "ada@example.com").expectSuccess();
        cli.run("account", "create", "doomed").expectSuccess();

        TestingCli.Result rotation = cli.run("admin", "rotate-data-keys").expectSuccess();
        assertThat(rotation.out()).contains(": done, retire");
        assertThat(rotation.err()).contains("values checked");
        TestingCli.Result master = cli.run("admin", "rotate-master-key").expectSuccess();
        assertThat(master.out()).contains("Re-wrapped");
        assertThat(cli.run("admin", "keyring").expectSuccess().out()).contains("master key from the key file");

        assertThat(cli.run("account", "delete", "doomed").err()).contains("run again with --yes");
        cli.run("account", "delete", "doomed", "--yes").expectSuccess();
        assertThat(cli.run("account", "show", "doomed").err()).contains("not_found");
        assertThat(cli.run("user", "list").expectSuccess().out()).contains("ada@example.com");
    }

    @Test
    void masterKeysForTheEnvironmentAreMadeLocally() {
        String key =
                cli.run("admin", "master-key", "generate").expectSuccess().out().trim();
        String rotated = cli.with("CAPSTAN_MASTER_KEY", key)
                .run("admin", "master-key", "generate", "--add-version")
                .expectSuccess()
                .out()
                .trim();
        String retired = cli.with("CAPSTAN_MASTER_KEY", rotated)
                .run("admin", "master-key", "generate", "--retire-old")
                .expectSuccess()
                .out()
                .trim();

        assertThat(java.util.Base64.getDecoder().decode(key)).isNotEmpty();
        assertThat(rotated.length()).isGreaterThan(key.length());
        assertThat(retired.length()).isLessThan(rotated.length());
        assertThat(cli.run("admin", "master-key", "generate", "--add-version").err())
                .contains("CAPSTAN_MASTER_KEY is not set");
    }

    @Test
    void theServerRefusesToStartWithoutItsMasterKeyAndSaysWhy() throws IOException {
        Path data = home.resolve("data");
        TestingCli.Result first =
                cli.run("server", "--data-dir", data.toString(), "--listen", "127.0.0.1:0", "--master-key", "env");
        assertThat(first.exitCode()).isEqualTo(1);
        assertThat(first.err()).contains("CAPSTAN_MASTER_KEY is not set").contains("admin master-key generate");

        Path keyring = server.config().dataDirectory().resolve("keyring");
        server.stop();
        Files.delete(keyring.resolve("master-key.json"));
        TestingCli.Result refused =
                cli.run("server", "--data-dir", server.config().dataDirectory().toString(), "--listen", "127.0.0.1:0");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err())
                .startsWith("capstan: no master key was found in the key file " + keyring.resolve("master-key.json"))
                .doesNotContain("\tat ");
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(Main.commandLine(Terminal.system()), new ArrayList<>(), commands);
        assertThat(commands.size()).isGreaterThan(10);

        for (List<String> command : commands) {
            List<String> arguments = new ArrayList<>(command);
            arguments.add("--help");
            TestingCli.Result help = cli.run(arguments.toArray(new String[0]));
            assertThat(help.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(help.out()).as(String.join(" ", command)).startsWith("Usage: capstan");
        }
    }

    private static void collect(CommandLine line, List<String> path, List<List<String>> commands) {
        commands.add(List.copyOf(path));
        line.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                collect(sub, next, commands);
            }
        });
    }
}
