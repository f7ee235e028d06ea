package io.capstan.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.ErrorCode;
import io.capstan.api.Problem;
import io.capstan.api.Scope;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.Routes;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.token.TokenFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestAuthentication {
    /**
     * Every route and who may call it. A route added to the server without a line here fails {@link
     * #everyRouteHasAnExpectedAccessRule}: access rules are decided on purpose, not by default.
     */
    static final Map<String, Access> EXPECTED_ACCESS = Map.ofEntries(
            Map.entry("GET /healthz", Access.PUBLIC),
            Map.entry("GET /.well-known/security.txt", Access.PUBLIC),
            Map.entry("GET /api/v1/openapi.json", Access.READ),
            Map.entry("GET /metrics", Access.READ),
            Map.entry("GET /api/v1/me", Access.READ),
            Map.entry("POST /api/v1/users", Access.ADMIN),
            Map.entry("GET /api/v1/users", Access.READ),
            Map.entry("POST /api/v1/tokens", Access.CLUSTERS),
            Map.entry("GET /api/v1/tokens", Access.READ),
            Map.entry("DELETE /api/v1/tokens/{id}", Access.CLUSTERS),
            Map.entry("POST /api/v1/users/{username}/tokens", Access.ADMIN),
            Map.entry("POST /api/v1/accounts", Access.ADMIN),
            Map.entry("GET /api/v1/accounts", Access.READ),
            Map.entry("GET /api/v1/accounts/{account}", Access.READ),
            Map.entry("PUT /api/v1/accounts/{account}/members/{username}", Access.ADMIN),
            Map.entry("DELETE /api/v1/accounts/{account}", Access.ADMIN),
            Map.entry("DELETE /api/v1/accounts/{account}/members/{username}", Access.ADMIN),
            Map.entry("GET /api/v1/admin/keyring", Access.READ),
            Map.entry("POST /api/v1/admin/master-key/rotate", Access.ADMIN),
            Map.entry("POST /api/v1/admin/data-key-rotations", Access.ADMIN),
            Map.entry("GET /api/v1/admin/data-key-rotations", Access.READ),
            Map.entry("GET /api/v1/admin/data-key-rotations/{id}", Access.READ),
            Map.entry("POST /api/v1/clusters", Access.CLUSTERS),
            Map.entry("GET /api/v1/clusters", Access.READ),
            Map.entry("GET /api/v1/clusters/{id}", Access.READ),
            Map.entry("POST /api/v1/clusters/{id}/scale", Access.CLUSTERS),
            Map.entry("POST /api/v1/clusters/{id}/stop", Access.CLUSTERS),
            Map.entry("DELETE /api/v1/clusters/{id}", Access.CLUSTERS),
            Map.entry("POST /api/v1/clusters/{id}/client-certificates", Access.CLUSTERS),
            Map.entry("GET /api/v1/clusters/{id}/events", Access.READ),
            Map.entry("GET /api/v1/clusters/{id}/logs", Access.READ),
            Map.entry("GET /api/v1/clusters/{id}/metrics", Access.READ),
            Map.entry("GET /api/v1/usage", Access.READ),
            Map.entry("GET /api/v1/privacy", Access.READ),
            Map.entry("PUT /api/v1/accounts/{account}/quota", Access.ADMIN),
            Map.entry("GET /api/v1/accounts/{account}/usage", Access.READ),
            Map.entry("GET /api/v1/accounts/{account}/aws-role", Access.READ),
            Map.entry("PUT /api/v1/accounts/{account}/aws-role", Access.ADMIN),
            Map.entry("DELETE /api/v1/accounts/{account}/aws-role", Access.ADMIN),
            Map.entry("POST /api/v1/clusters/{id}/aws-credentials", Access.CLUSTERS),
            Map.entry("POST /api/v1/environments", Access.CLUSTERS),
            Map.entry("GET /api/v1/environments", Access.READ),
            Map.entry("GET /api/v1/environments/{account}/{name}", Access.READ),
            Map.entry("PATCH /api/v1/environments/{account}/{name}", Access.CLUSTERS),
            Map.entry("DELETE /api/v1/environments/{account}/{name}", Access.CLUSTERS),
            Map.entry("POST /api/v1/configurations", Access.CLUSTERS),
            Map.entry("GET /api/v1/configurations", Access.READ),
            Map.entry("GET /api/v1/configurations/{account}/{name}", Access.READ),
            Map.entry("PATCH /api/v1/configurations/{account}/{name}", Access.CLUSTERS),
            Map.entry("DELETE /api/v1/configurations/{account}/{name}", Access.CLUSTERS),
            Map.entry("PUT /api/v1/notebooks/{account}/{name}", Access.CLUSTERS),
            Map.entry("GET /api/v1/notebooks", Access.READ),
            Map.entry("GET /api/v1/notebooks/{account}/{name}", Access.READ),
            Map.entry("GET /api/v1/notebooks/{account}/{name}/content", Access.READ),
            Map.entry("PATCH /api/v1/notebooks/{account}/{name}", Access.CLUSTERS),
            Map.entry("DELETE /api/v1/notebooks/{account}/{name}", Access.CLUSTERS));

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void everyRouteHasAnExpectedAccessRule(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            Map<String, Access> actual =
                    server.server().routes().stream().collect(Collectors.toMap(Routes::key, ApiRoute::access));
            assertThat(actual).isEqualTo(EXPECTED_ACCESS);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void everyRouteButThePublicAllowlistAnswers401WithoutAToken(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient anonymous = server.anonymousClient();
            for (ApiRoute route : server.server().routes()) {
                HttpAnswer answer = send(anonymous, route);
                if (route.access() == Access.PUBLIC) {
                    assertThat(answer.status()).as(Routes.key(route)).isEqualTo(200);
                } else {
                    assertThat(answer.status()).as(Routes.key(route)).isEqualTo(401);
                    assertThat(CapstanClient.problemOf(answer).code()).isEqualTo("unauthenticated");
                }
            }
            assertThat(server.server().routes().stream().filter(route -> route.access() == Access.PUBLIC))
                    .extracting(Routes::key)
                    .containsExactlyInAnyOrder("GET /healthz", "GET /.well-known/security.txt");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void scopesAreEnforcedOnEveryRoute(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            // A server administrator's tokens, so that only the scope can be the reason for a refusal.
            Map<Scope, CapstanClient> clients = Map.of(
                    Scope.READ, admin.withToken(Fixtures.token(admin, "admin", Scope.READ)),
                    Scope.CLUSTERS, admin.withToken(Fixtures.token(admin, "admin", Scope.CLUSTERS)));
            for (ApiRoute route : server.server().routes()) {
                for (Map.Entry<Scope, CapstanClient> client : clients.entrySet()) {
                    Optional<Scope> needed = route.access().minimumScope();
                    HttpAnswer answer = send(client.getValue(), route);
                    String description = client.getKey() + " on " + Routes.key(route);
                    if (needed.isPresent() && !client.getKey().includes(needed.get())) {
                        assertThat(answer.status()).as(description).isEqualTo(403);
                        assertThat(CapstanClient.problemOf(answer).code()).isEqualTo("insufficient_scope");
                    } else {
                        assertThat(answer.status()).as(description).isNotIn(401, 403);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void malformedAuthorizationIsRefusedWithItsOwnCode(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            for (String header : List.of("Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer a b", "capstan_abc")) {
                HttpAnswer answer = sendRaw(server, "/api/v1/me", Optional.of(header));
                assertThat(answer.status()).as(header).isEqualTo(401);
                assertThat(CapstanClient.problemOf(answer).code()).isEqualTo("malformed_authorization");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aMistypedOrTruncatedTokenIsRejectedWithoutAnyDatabaseLookup(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            String token = server.adminToken();
            char last = token.charAt(token.length() - 1);
            String typo = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
            String truncated = token.substring(0, token.length() - 3);
            AtomicInteger statements = new AtomicInteger();
            server.server().database().jdbi().setSqlLogger(new SqlLogger() {
                @Override
                public void logBeforeExecution(StatementContext context) {
                    // Background collectors query clusters meanwhile; what matters is the token lookup.
                    if (context.getRawSql().contains("api_tokens")) {
                        statements.incrementAndGet();
                    }
                }
            });

            for (String wrong : List.of(typo, truncated)) {
                CapstanApiException refusal = refusal(server.client(Optional.of(wrong)));
                assertThat(refusal.problem().code()).isEqualTo("token_invalid");
                assertThat(refusal.problem().detail()).contains("checksum");
            }
            assertThat(statements).hasValue(0);

            server.adminClient().me();
            assertThat(statements.get()).isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aWellFormedUnknownTokenIsRefused(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            String stranger = TokenFormat.generate().reveal();
            assertThat(refusal(server.client(Optional.of(stranger))).problem().code())
                    .isEqualTo("token_invalid");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anExpiredTokenIsRefused(TestingDatabase.Kind kind) {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingCapstanServer server = TestingCapstanServer.start(kind, UnaryOperator.identity(), clock)) {
            CapstanClient admin = server.adminClient();
            Fixtures.user(admin, "alice");
            String token = Fixtures.token(
                    admin, "alice", Scope.READ, Optional.of(clock.instant().plus(Duration.ofHours(1))));
            CapstanClient alice = admin.withToken(token);
            assertThat(alice.me().user().username()).isEqualTo("alice");

            clock.advance(Duration.ofMinutes(61));

            assertThat(refusal(alice).problem().code()).isEqualTo("token_expired");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void revocationTakesEffectOnTheNextRequest(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.CLUSTERS);
            String tokenId = alice.me().tokenId();

            alice.revokeToken(tokenId);

            assertThat(refusal(alice).problem().code()).isEqualTo("token_revoked");
            assertThat(admin.me().user().username()).isEqualTo("admin");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void failedAuthenticationsAreRateLimitedPerAddress(TestingDatabase.Kind kind) {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingCapstanServer server = TestingCapstanServer.start(
                kind, builder -> builder.authFailureLimit(3, Duration.ofMinutes(1)), clock)) {
            CapstanClient guesser =
                    server.client(Optional.of(TokenFormat.generate().reveal()));
            for (int i = 0; i < 3; i++) {
                assertThat(refusal(guesser).status()).isEqualTo(401);
            }

            HttpAnswer limited = server.adminClient().send("GET", "/api/v1/me", Optional.empty(), new byte[0]);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(CapstanClient.problemOf(limited).code()).isEqualTo("rate_limited");
            assertThat(limited.header("Retry-After")).contains("60");
            // The public routes stay reachable, and nothing about a token is learned while limited.
            assertThat(server.anonymousClient().health().status()).isEqualTo("ok");

            clock.advance(Duration.ofSeconds(61));
            assertThat(server.adminClient().me().user().username()).isEqualTo("admin");
        }
    }

    static CapstanApiException refusal(CapstanClient client) {
        try {
            client.me();
        } catch (CapstanApiException e) {
            return e;
        }
        throw new AssertionError("the request was accepted");
    }

    private static HttpAnswer send(CapstanClient client, ApiRoute route) {
        boolean hasBody = route.requestBody().isPresent();
        return client.send(
                route.method().name(),
                Routes.concrete(route),
                hasBody ? Optional.of("application/json") : Optional.empty(),
                hasBody ? "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0]);
    }

    private static HttpAnswer sendRaw(TestingCapstanServer server, String path, Optional<String> authorization) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(server.server().uri() + path));
        authorization.ifPresent(value -> request.header("Authorization", value));
        try {
            HttpResponse<byte[]> response =
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new HttpAnswer(response.statusCode(), response.headers(), response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Problem problem(CapstanApiException e) {
        return e.problem();
    }

    static ErrorCode code(CapstanApiException e) {
        return e.code().orElseThrow();
    }

    static Instant now() {
        return Instant.now();
    }
}
