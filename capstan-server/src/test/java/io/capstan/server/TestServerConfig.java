package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.server.awscredentials.AwsSettings;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.testing.TestingCapstanServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestServerConfig {
    @Test
    void defaultsArePinned() {
        ServerConfig defaults = ServerConfig.defaults(Map.of("HOME", "/home/ada"));

        assertThat(defaults.listenHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.listenPort()).isEqualTo(8900);
        assertThat(defaults.dataDirectory()).isEqualTo(Path.of("/home/ada/.local/share/capstan"));
        assertThat(defaults.databaseUrl()).isEmpty();
        assertThat(defaults.tlsCertificate()).isEmpty();
        assertThat(defaults.tlsKey()).isEmpty();
        assertThat(defaults.insecurePlaintext()).isFalse();
        assertThat(defaults.securityContact()).isEqualTo("mailto:security@localhost");
        assertThat(defaults.maxRequestBytes()).isEqualTo(1024 * 1024);
        assertThat(defaults.authFailureLimit()).isEqualTo(20);
        assertThat(defaults.authFailureWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.observability())
                .isEqualTo(new ObservabilitySettings(
                        Duration.ofSeconds(5), // scrape interval
                        Duration.ofSeconds(10), // sample resolution
                        Duration.ofSeconds(2), // scrape timeout
                        4, // concurrent scrapes
                        Duration.ofDays(30), // log retention
                        Duration.ofSeconds(1), // log collection interval
                        1000, // log lines per second and cluster
                        256L * 1024 * 1024)); // log bytes per cluster
        assertThat(defaults.aws())
                .isEqualTo(new AwsSettings(
                        Optional.empty(), // STS endpoint: the SDK's
                        "us-east-1", // STS region
                        Duration.ofHours(1), // assumed-role session duration
                        Duration.ofSeconds(5), // how often refreshes are looked for
                        Duration.ofMinutes(1), // retry after a failed refresh
                        Duration.ofSeconds(10), // STS call timeout
                        0)); // credentials endpoint port: any free one
        defaults.validate();
    }

    @Test
    void theDataDirectoryFollowsXdg() {
        assertThat(ServerConfig.defaults(Map.of("HOME", "/home/ada", "XDG_DATA_HOME", "/data"))
                        .dataDirectory())
                .isEqualTo(Path.of("/data/capstan"));
        assertThat(ServerConfig.defaults(Map.of("HOME", "/home/ada", "XDG_DATA_HOME", "relative"))
                        .dataDirectory())
                .isEqualTo(Path.of("/home/ada/.local/share/capstan"));
    }

    @Test
    void aNonLoopbackAddressWithoutTlsIsRefused() {
        for (String host : new String[] {"0.0.0.0", "::", "192.0.2.10"}) {
            ServerConfig config = ServerConfig.defaults(Map.of("HOME", "/tmp")).toBuilder()
                    .listen(host, 8900)
                    .build();

            assertThatThrownBy(config::validate)
                    .isInstanceOf(ServerConfig.InvalidConfigException.class)
                    .hasMessageContaining("refusing to listen on " + host + " without TLS")
                    .hasMessageContaining("--insecure-plaintext");
        }
        ServerConfig loopback = ServerConfig.defaults(Map.of("HOME", "/tmp")).toBuilder()
                .listen("localhost", 8900)
                .build();
        loopback.validate();
    }

    @Test
    void anExplicitPlaintextFlagOrTlsAllowsANonLoopbackAddress() {
        ServerConfig.Builder base =
                ServerConfig.defaults(Map.of("HOME", "/tmp")).toBuilder().listen("0.0.0.0", 8900);

        base.insecurePlaintext(true).build().validate();
        base.insecurePlaintext(false)
                .tls(Optional.of(Path.of("cert.pem")), Optional.of(Path.of("key.pem")))
                .build()
                .validate();
    }

    @Test
    void theServerRefusesToStartOnANonLoopbackAddressWithoutTls(@TempDir Path directory) {
        ServerConfig config = ServerConfig.defaults(Map.of("HOME", directory.toString())).toBuilder()
                .listen("0.0.0.0", 0)
                .dataDirectory(directory.resolve("data"))
                .build();

        assertThatThrownBy(() -> CapstanServer.start(config, java.time.Clock.systemUTC(), token -> {}))
                .isInstanceOf(ServerConfig.InvalidConfigException.class);
        assertThat(directory.resolve("data")).doesNotExist();
    }

    @Test
    void halfATlsConfigurationIsRefused() {
        ServerConfig config = ServerConfig.defaults(Map.of("HOME", "/tmp")).toBuilder()
                .tls(Optional.of(Path.of("cert.pem")), Optional.empty())
                .build();

        assertThatThrownBy(config::validate).hasMessageContaining("--tls-cert and --tls-key must be given together");
    }

    @Test
    void theDataDirectoryIsCreatedOwnerOnlyAndAnOpenOneIsRefused(@TempDir Path directory) throws IOException {
        Path created = DataDirectory.prepare(directory.resolve("a/b/capstan"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created)))
                .isEqualTo("rwx------");

        Path open = Files.createDirectory(directory.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> DataDirectory.prepare(open))
                .isInstanceOf(ServerConfig.InvalidConfigException.class)
                .hasMessageContaining("chmod 700");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(open)))
                .isEqualTo("rwxr-xr-x");
    }

    @Test
    void aServerStartsWithItsDataDirectoryOwnerOnly() throws IOException {
        try (TestingCapstanServer server =
                TestingCapstanServer.start(io.capstan.server.testing.TestingDatabase.Kind.H2)) {
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(server.config().dataDirectory())))
                    .isEqualTo("rwx------");
        }
    }
}
