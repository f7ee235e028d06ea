package io.capstan.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.api.Scope;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TestSystemRoutes {
    @Test
    void healthNeedsNoTokenAndSaysNothingMore() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            HttpAnswer answer = server.anonymousClient().send("GET", "/healthz", Optional.empty(), new byte[0]);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(Json.lenient().readTree(answer.body()).propertyNames())
                    .containsExactlyInAnyOrder("status", "version");
        }
    }

    @Test
    void securityTxtFollowsRfc9116() {
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2,
                builder -> builder.securityContact("mailto:security@example.org"),
                java.time.Clock.systemUTC())) {
            HttpAnswer answer =
                    server.anonymousClient().send("GET", "/.well-known/security.txt", Optional.empty(), new byte[0]);

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            String text = answer.bodyText();
            assertThat(text).contains("Contact: mailto:security@example.org\n");
            String expires = text.lines()
                    .filter(line -> line.startsWith("Expires: "))
                    .findFirst()
                    .orElseThrow()
                    .substring("Expires: ".length());
            Instant expiry = Instant.parse(expires);
            assertThat(expiry).isAfter(Instant.now()).isBefore(Instant.now().plus(365, ChronoUnit.DAYS));
        }
    }

    @Test
    void securityTxtIsWhatSecurityMdSaysItIs() throws Exception {
        String policy = java.nio.file.Files.readString(java.nio.file.Path.of("..", "SECURITY.md"));
        String section = policy.substring(policy.indexOf("## security.txt"));
        String block = section.substring(section.indexOf("```\n") + 4);
        String documented = block.substring(0, block.indexOf("```"));
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            String served = server.anonymousClient()
                    .send("GET", "/.well-known/security.txt", Optional.empty(), new byte[0])
                    .bodyText();

            assertThat(fieldNames(served)).isEqualTo(fieldNames(documented));
            served.lines()
                    .filter(line -> !line.startsWith("Expires: "))
                    .forEach(line -> assertThat(documented).contains(line + "\n"));
        }
    }

    private static java.util.List<String> fieldNames(String securityTxt) {
        return securityTxt
                .lines()
                .map(line -> line.substring(0, line.indexOf(':')))
                .toList();
    }

    @Test
    void theOpenApiDescriptionCoversEveryRoute() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            HttpAnswer answer = server.adminClient().send("GET", "/api/v1/openapi.json", Optional.empty(), new byte[0]);
            JsonNode document = Json.lenient().readTree(answer.body());

            assertThat(document.path("openapi").asString()).isEqualTo("3.1.0");
            for (ApiRoute route : server.server().routes()) {
                JsonNode operation = document.path("paths")
                        .path(route.path())
                        .path(route.method().name().toLowerCase(Locale.ROOT));
                assertThat(operation.isMissingNode()).as(route.path()).isFalse();
                assertThat(operation.path("summary").asString()).isNotBlank();
            }
            JsonNode tokenView = document.path("components").path("schemas").path("TokenView");
            assertThat(tokenView.path("properties").has("prefix")).isTrue();
            assertThat(tokenView.path("properties").has("secretHash")).isFalse();
            assertThat(document.path("components")
                            .path("schemas")
                            .path("ItemsOfTokenView")
                            .path("properties")
                            .path("items")
                            .path("type")
                            .asString())
                    .isEqualTo("array");
        }
    }

    @Test
    void serverMetricsAreForServerAdministratorsOnly() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient admin = server.adminClient();
            CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.ADMIN);
            admin.me();

            HttpAnswer metrics = admin.send("GET", "/metrics", Optional.empty(), new byte[0]);
            HttpAnswer refused = alice.send("GET", "/metrics", Optional.empty(), new byte[0]);
            HttpAnswer anonymous = server.anonymousClient().send("GET", "/metrics", Optional.empty(), new byte[0]);

            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.bodyText())
                    .contains("capstan_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/me\",status=\"200\"}")
                    .contains("jvm_memory_used_bytes");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(anonymous.status()).isEqualTo(401);
        }
    }

    @Test
    void answersCarrySecurityHeaders() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            HttpAnswer answer = server.adminClient().send("GET", "/api/v1/me", Optional.empty(), new byte[0]);

            assertThat(answer.headers().map())
                    .containsEntry("cache-control", java.util.List.of("no-store"))
                    .containsEntry("x-content-type-options", java.util.List.of("nosniff"));
        }
    }
}
