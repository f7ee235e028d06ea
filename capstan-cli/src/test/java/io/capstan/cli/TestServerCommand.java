package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Visibility;
import io.capstan.api.account.Quota;
import io.capstan.server.ServerConfig;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code capstan server}'s flags make of the server's configuration, and how bad values are explained. */
class TestServerCommand {
    @TempDir
    Path home;

    private ServerConfig configOf(String... args) {
        Terminal terminal = new Terminal(
                Map.of("HOME", home.toString()),
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true),
                new BufferedReader(new StringReader("")),
                Optional.empty());
        ServerCommand command = new ServerCommand(terminal);
        new CommandLine(command).parseArgs(args);
        return command.config();
    }

    @Test
    void flagsBecomeTheServersSettings() {
        ServerConfig config = configOf(
                "--listen",
                "127.0.0.1:9999",
                "--default-visibility",
                "private",
                "--default-quota",
                "2, 4, 8",
                "--quota-ceiling",
                "10,40,80",
                "--log-retention",
                "7d",
                "--telemetry-interval",
                "2s");

        assertThat(config.listenPort()).isEqualTo(9999);
        assertThat(config.defaultVisibility()).isEqualTo(Visibility.PRIVATE);
        assertThat(config.defaultQuota()).isEqualTo(new Quota(2, 4, 8));
        assertThat(config.quotaCeiling()).isEqualTo(new Quota(10, 40, 80));
        assertThat(config.observability().logRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.observability().telemetryInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(configOf().defaultVisibility()).isEqualTo(Visibility.PUBLIC);
    }

    @Test
    void awsFlagsBecomeTheServersAwsSettingsAndBadOnesAreExplained() {
        ServerConfig config = configOf(
                "--aws-sts-endpoint",
                "https://sts.eu-west-1.amazonaws.com",
                "--aws-role-session-duration",
                "2h",
                "--aws-credentials-port",
                "8901");

        assertThat(config.aws().stsEndpoint()).contains(java.net.URI.create("https://sts.eu-west-1.amazonaws.com"));
        assertThat(config.aws().roleSessionDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(config.aws().credentialsEndpointPort()).isEqualTo(8901);
        config.validate();
        assertThatThrownBy(() ->
                        configOf("--aws-sts-endpoint", "http://sts.example.com").validate())
                .hasMessageContaining("must use https; plain http is allowed only on loopback");
        assertThatThrownBy(() -> configOf("--aws-role-session-duration", "5m").validate())
                .hasMessage("--aws-role-session-duration must be between 15m and 12h");
        assertThatThrownBy(() -> configOf("--aws-role-session-duration", "soon"))
                .hasMessageContaining("--aws-role-session-duration must be a duration");
        assertThatThrownBy(() -> configOf("--aws-credentials-port", "70000").validate())
                .hasMessage("--aws-credentials-port must be between 0 and 65535");
    }

    @Test
    void badValuesAreExplained() {
        assertThatThrownBy(() -> configOf("--default-visibility", "secret"))
                .hasMessage("--default-visibility must be public or private");
        for (String quota : new String[] {"5,20", "a,b,c", "1,-1,1", "1,2,3,4", ""}) {
            assertThatThrownBy(() -> configOf("--default-quota", quota))
                    .as(quota)
                    .hasMessage("--default-quota must be three counts CLUSTERS,WORKERS,CORES, like 5,20,40");
        }
        assertThatThrownBy(() -> configOf("--default-quota", "200,20,40").validate())
                .hasMessageContaining("(--default-quota) is above the quota ceiling (--quota-ceiling)");
    }
}
