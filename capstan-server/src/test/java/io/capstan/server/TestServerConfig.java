package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(defaults.aws().stsEndpoint()).isEmpty();
        assertThat(defaults.aws().stsRegion()).isEqualTo("us-east-1");
        assertThat(defaults.aws().roleSessionDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.aws().refreshInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.aws().refreshRetry()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.aws().stsCallTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.aws().credentialsEndpointPort()).isZero();
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
