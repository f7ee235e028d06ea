package io.capstan.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.client.CapstanClient;
import io.capstan.client.CapstanConnectionException;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingCertificates;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTls {
    @Test
    void theServerSpeaksHttpsWithTheGivenCertificate(@TempDir Path directory) throws IOException {
        TestingCertificates certificates = TestingCertificates.selfSigned();
        Path certificate = Files.writeString(directory.resolve("cert.pem"), certificates.certificatePem());
        Path key = Files.writeString(directory.resolve("key.pem"), certificates.privateKeyPem());

        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder -> builder.tls(Optional.of(certificate), Optional.of(key)),
                Clock.systemUTC())) {
            URI uri = server.server().uri();
            assertThat(uri.getScheme()).isEqualTo("https");

            CapstanClient trusting = CapstanClient.create(
                    uri, Optional.of(server.adminToken()), Optional.of(certificates.trustingContext()));
            assertThat(trusting.me().user().username()).isEqualTo("admin");

            CapstanClient untrusting = CapstanClient.create(uri, Optional.of(server.adminToken()));
            assertThatThrownBy(untrusting::me).isInstanceOf(CapstanConnectionException.class);

            CapstanClient plaintext = CapstanClient.create(
                    URI.create("http://127.0.0.1:" + uri.getPort()), Optional.of(server.adminToken()));
            assertThatThrownBy(plaintext::me).isInstanceOf(RuntimeException.class);
        }
    }
}
