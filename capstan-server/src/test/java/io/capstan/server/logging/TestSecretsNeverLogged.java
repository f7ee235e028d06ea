package io.capstan.server.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.testing.CapturedLogs;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.token.TokenFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Canary secrets in headers, bodies and query strings, on success and error paths, with every logger at TRACE:
 * none of them may appear in anything written to the log.
 */
class TestSecretsNeverLogged {
    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void canaryTokensNeverReachTheLog(TestingDatabase.Kind kind) {
        String unknownCanary = TokenFormat.generate().reveal();
        String malformedCanary = "CANARY-" + "q7".repeat(12);
        try (CapturedLogs logs = CapturedLogs.everything();
                TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            String adminCanary = server.adminToken();
            CapstanClient admin = server.adminClient();
            List<String> canaries = List.of(adminCanary, unknownCanary, malformedCanary);

            admin.me();
            server.client(Optional.of(unknownCanary)).send("GET", "/api/v1/me", Optional.empty(), new byte[0]);
            server.client(Optional.of(malformedCanary)).send("GET", "/api/v1/me", Optional.empty(), new byte[0]);
            admin.send(
                    "GET",
                    "/api/v1/me?token=" + unknownCanary + "&x=" + malformedCanary,
                    Optional.empty(),
                    new byte[0]);
            admin.send("GET", "/api/v1/accounts/" + unknownCanary, Optional.empty(), new byte[0]);
            admin.send(
                    "POST",
                    "/api/v1/tokens",
                    Optional.of("application/json"),
                    ("{\"name\":\"" + unknownCanary + "\",\"secret\":\"" + malformedCanary + "\"}").getBytes(UTF_8));
            admin.send(
                    "POST",
                    "/api/v1/tokens",
                    Optional.of("application/json"),
                    ("{\"name\":" + malformedCanary + "}").getBytes(UTF_8));
            admin.send(
                    "POST",
                    "/api/v1/accounts",
                    Optional.of("application/json"),
                    ("{\"name\":\"" + unknownCanary + "\"}").getBytes(UTF_8));
            // An error path: the database goes away under a request that carries a valid token.
            server.server().database().close();
            HttpAnswer failure = admin.send("GET", "/api/v1/me?secret=" + unknownCanary, Optional.empty(), new byte[0]);
            assertThat(failure.status()).isEqualTo(500);
            assertThat(failure.bodyText()).contains("internal_error").doesNotContain("Exception", adminCanary);

            String written = logs.written();
            assertThat(written).contains("GET /api/v1/me");
            assertThat(written).contains("incident");
            for (String canary : canaries) {
                assertThat(written).doesNotContain(canary).doesNotContain(canary.substring(10));
                assertThat(logs.rawCapstanMessages()).doesNotContain(canary);
            }
        }
    }

    @Test
    void theRedactorMasksWhatLooksLikeASecret() {
        String token = TokenFormat.generate().reveal();

        assertThat(SecretRedactor.redact("header Authorization: Bearer " + token))
                .doesNotContain(token.substring(8));
        assertThat(SecretRedactor.redact("Authorization: Basic dXNlcjpwYXNz")).doesNotContain("dXNlcjpwYXNz");
        assertThat(SecretRedactor.redact("url jdbc:postgresql://h/db?user=x&password=hunter2&ssl=true"))
                .doesNotContain("hunter2")
                .contains("ssl=true");
        assertThat(SecretRedactor.redact("{\"secretAccessKey\":\"wJalrXUtnFEMI/K7MDENG\"}"))
                .doesNotContain("wJalrXUtnFEMI");
        assertThat(SecretRedactor.redact("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----"))
                .isEqualTo("<redacted private key>");
        assertThat(SecretRedactor.redact("GET /api/v1/clusters 200 3ms")).isEqualTo("GET /api/v1/clusters 200 3ms");
    }
}
