package io.capstan.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.Visibility;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.configuration.ClusterOptions;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.client.pki.ClientKeyPair;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.Routes;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.token.TokenFormat;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every route against every kind of caller, with the expected answer from a table. A route the server has and the
 * table lacks fails the test, so every new route gets its authorization decided on purpose. Every successful answer
 * is also checked for fields and values that must never leave the server.
 */
class TestAuthorizationMatrix {
    enum CallerKind {
        ANONYMOUS,
        MALFORMED_TOKEN,
        EXPIRED_TOKEN,
        REVOKED_TOKEN,
        UNDERSCOPED_TOKEN,
        OTHER_ACCOUNTS_MEMBER,
        MEMBER,
        ACCOUNT_ADMIN,
        SERVER_ADMIN
    }

    /** What a caller gets: allowed (2xx, or 409 for a state conflict), 401, 403, or 404 as if it did not exist. */
    enum Outcome {
        ALLOWED,
        UNAUTHENTICATED,
        FORBIDDEN,
        HIDDEN
    }

    /** A request to make: method, path and body, built afresh for each caller. */
    record Call(String method, String path, Optional<String> body) {}

    private static final Outcome O = Outcome.ALLOWED;
    private static final Outcome F = Outcome.FORBIDDEN;
    private static final Outcome H = Outcome.HIDDEN;

    /** Expected outcomes for: another account's member, a member, the account's admin, a server administrator. */
    private static Map<CallerKind, Outcome> roles(Outcome other, Outcome member, Outcome admin, Outcome server) {
        Map<CallerKind, Outcome> outcomes = new EnumMap<>(CallerKind.class);
        outcomes.put(CallerKind.OTHER_ACCOUNTS_MEMBER, other);
        outcomes.put(CallerKind.MEMBER, member);
        outcomes.put(CallerKind.ACCOUNT_ADMIN, admin);
        outcomes.put(CallerKind.SERVER_ADMIN, server);
        return outcomes;
    }

    private record Row(Map<CallerKind, Outcome> outcomes, Function<Fixture, Call> call) {}

    private static Map<String, Row> table() {
        Map<String, Row> table = new LinkedHashMap<>();
        Map<CallerKind, Outcome> everyone = roles(O, O, O, O);
        Map<CallerKind, Outcome> serverAdminOnly = roles(F, F, F, O);
        Map<CallerKind, Outcome> teamOnly = roles(H, O, O, H);
        Map<CallerKind, Outcome> teamAdmins = roles(H, F, O, O);
        table.put("GET /healthz", new Row(everyone, f -> get("/healthz")));
        table.put("GET /.well-known/security.txt", new Row(everyone, f -> get("/.well-known/security.txt")));
        table.put("GET /api/v1/openapi.json", new Row(everyone, f -> get("/api/v1/openapi.json")));
        table.put("GET /metrics", new Row(serverAdminOnly, f -> get("/metrics")));
        table.put("GET /api/v1/me", new Row(everyone, f -> get("/api/v1/me")));
        table.put(
                "POST /api/v1/users",
                new Row(
                        serverAdminOnly,
                        f -> post(
                                "/api/v1/users",
                                "{\"username\": \"" + f.unique("user") + "\", \"email\": \"x@example.com\"}")));
        table.put("GET /api/v1/users", new Row(serverAdminOnly, f -> get("/api/v1/users")));
        table.put("POST /api/v1/tokens", new Row(everyone, f -> post("/api/v1/tokens", "{\"name\": \"matrix\"}")));
        table.put("GET /api/v1/tokens", new Row(everyone, f -> get("/api/v1/tokens")));
        table.put(
                "DELETE /api/v1/tokens/{id}",
                new Row(
                        roles(H, O, H, O),
                        f -> new Call("DELETE", "/api/v1/tokens/" + f.memberTokenId(), Optional.empty())));
        table.put(
                "POST /api/v1/users/{username}/tokens",
                new Row(serverAdminOnly, f -> post("/api/v1/users/mem/tokens", "{\"name\": \"matrix\"}")));
        table.put(
                "POST /api/v1/accounts",
                new Row(serverAdminOnly, f -> post("/api/v1/accounts", "{\"name\": \"" + f.unique("acct") + "\"}")));
        table.put("GET /api/v1/accounts", new Row(everyone, f -> get("/api/v1/accounts")));
        table.put("GET /api/v1/accounts/{account}", new Row(roles(H, O, O, O), f -> get("/api/v1/accounts/team")));
        table.put(
                "DELETE /api/v1/accounts/{account}",
                new Row(
                        roles(H, F, F, O),
                        f -> new Call("DELETE", "/api/v1/accounts/" + f.doomedAccount(), Optional.empty())));
        table.put(
                "PUT /api/v1/accounts/{account}/members/{username}",
                new Row(
                        teamAdmins,
                        f -> new Call(
                                "PUT",
                                "/api/v1/accounts/team/members/" + f.newUser(),
                                Optional.of("{\"role\": \"member\"}"))));
        table.put(
                "DELETE /api/v1/accounts/{account}/members/{username}",
                new Row(
                        teamAdmins,
                        f -> new Call(
                                "DELETE", "/api/v1/accounts/team/members/" + f.newMemberOfTeam(), Optional.empty())));
        table.put(
                "PUT /api/v1/accounts/{account}/quota",
                new Row(
                        teamAdmins,
                        f -> new Call("PUT", "/api/v1/accounts/team/quota", Optional.of("{\"clusters\": 10}"))));
        table.put(
                "PUT /api/v1/accounts/{account}/aws-role",
                new Row(
                        teamAdmins,
                        f -> new Call(
                                "PUT",
                                "/api/v1/accounts/team/aws-role",
                                Optional.of("{\"roleArn\": \"arn:aws:iam::111122223333:role/reader\"}"))));
        table.put(
                "GET /api/v1/accounts/{account}/aws-role",
                new Row(roles(H, O, O, O), f -> get("/api/v1/accounts/team/aws-role")));
        table.put(
                "DELETE /api/v1/accounts/{account}/aws-role",
                new Row(
                        teamAdmins,
                        f -> new Call(
                                "DELETE", "/api/v1/accounts/" + f.accountWithRole() + "/aws-role", Optional.empty())));
        table.put(
                "POST /api/v1/clusters/{id}/aws-credentials",
                new Row(
                        teamOnly,
                        f -> post(
                                "/api/v1/clusters/" + f.clusterWithCredentials() + "/aws-credentials",
                                f.credentials())));
        table.put(
                "GET /api/v1/accounts/{account}/usage",
                new Row(roles(H, O, O, O), f -> get("/api/v1/accounts/team/usage")));
        table.put("GET /api/v1/admin/keyring", new Row(serverAdminOnly, f -> get("/api/v1/admin/keyring")));
        table.put(
                "POST /api/v1/admin/master-key/rotate",
                new Row(serverAdminOnly, f -> post("/api/v1/admin/master-key/rotate", "")));
        table.put(
                "POST /api/v1/admin/data-key-rotations",
                new Row(serverAdminOnly, f -> post("/api/v1/admin/data-key-rotations", "{}")));
        table.put(
                "GET /api/v1/admin/data-key-rotations",
                new Row(serverAdminOnly, f -> get("/api/v1/admin/data-key-rotations")));
        table.put(
                "GET /api/v1/admin/data-key-rotations/{id}",
                new Row(roles(F, F, F, H), f -> get("/api/v1/admin/data-key-rotations/rot_aaaaaaaaaaaaaaaaaaaa")));
        table.put(
                "POST /api/v1/clusters",
                new Row(teamOnly, f -> post("/api/v1/clusters", "{\"account\": \"team\", \"workers\": 0}")));
        table.put("GET /api/v1/clusters", new Row(everyone, f -> get("/api/v1/clusters")));
        table.put("GET /api/v1/clusters/{id}", new Row(teamOnly, f -> get("/api/v1/clusters/" + f.cluster())));
        table.put(
                "POST /api/v1/clusters/{id}/scale",
                new Row(teamOnly, f -> post("/api/v1/clusters/" + f.cluster() + "/scale", "{\"workers\": 0}")));
        table.put(
                "POST /api/v1/clusters/{id}/stop",
                new Row(teamOnly, f -> post("/api/v1/clusters/" + f.stoppableCluster() + "/stop", "")));
        table.put(
                "DELETE /api/v1/clusters/{id}",
                new Row(teamOnly, f -> new Call("DELETE", "/api/v1/clusters/" + f.cluster(), Optional.empty())));
        table.put(
                "POST /api/v1/clusters/{id}/client-certificates",
                new Row(
                        teamOnly,
                        f -> post(
                                "/api/v1/clusters/" + f.cluster() + "/client-certificates",
                                "{\"csr\": " + Json.strict().writeValueAsString(f.csr()) + "}")));
        table.put(
                "GET /api/v1/clusters/{id}/events",
                new Row(teamOnly, f -> get("/api/v1/clusters/" + f.cluster() + "/events")));
        table.put(
                "GET /api/v1/clusters/{id}/logs",
                new Row(teamOnly, f -> get("/api/v1/clusters/" + f.cluster() + "/logs?node=scheduler&since=1h")));
        table.put(
                "GET /api/v1/clusters/{id}/metrics",
                new Row(teamOnly, f -> get("/api/v1/clusters/" + f.cluster() + "/metrics?since=1h")));
        table.put("GET /api/v1/usage", new Row(everyone, f -> get("/api/v1/usage?since=30d")));
        table.put("GET /api/v1/privacy", new Row(everyone, f -> get("/api/v1/privacy")));
        table.put(
                "POST /api/v1/environments",
                new Row(
                        teamOnly,
                        f -> post(
                                "/api/v1/environments",
                                "{\"account\": \"team\", \"name\": \"" + f.unique("env") + "\", \"pythonExecutable\":"
                                        + " \"/usr/bin/python3\"}")));
        table.put("GET /api/v1/environments", new Row(everyone, f -> get("/api/v1/environments")));
        table.put(
                "GET /api/v1/environments/{account}/{name}",
                new Row(teamOnly, f -> get("/api/v1/environments/team/private-env")));
        table.put(
                "PATCH /api/v1/environments/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "PATCH",
                                "/api/v1/environments/team/private-env",
                                Optional.of("{\"description\": \"changed\"}"))));
        table.put(
                "DELETE /api/v1/environments/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "DELETE", "/api/v1/environments/team/" + f.environmentOfMember(), Optional.empty())));
        table.put(
                "POST /api/v1/configurations",
                new Row(
                        teamOnly,
                        f -> post(
                                "/api/v1/configurations",
                                "{\"account\": \"team\", \"name\": \"" + f.unique("cfg") + "\", \"options\": {}}")));
        table.put("GET /api/v1/configurations", new Row(everyone, f -> get("/api/v1/configurations")));
        table.put(
                "GET /api/v1/configurations/{account}/{name}",
                new Row(teamOnly, f -> get("/api/v1/configurations/team/private-config")));
        table.put(
                "PATCH /api/v1/configurations/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "PATCH",
                                "/api/v1/configurations/team/private-config",
                                Optional.of("{\"description\": \"changed\"}"))));
        table.put(
                "DELETE /api/v1/configurations/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "DELETE",
                                "/api/v1/configurations/team/" + f.configurationOfMember(),
                                Optional.empty())));
        table.put(
                "PUT /api/v1/notebooks/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "PUT",
                                "/api/v1/notebooks/team/" + f.unique("nb"),
                                Optional.of("{\"notebook\": " + NOTEBOOK + "}"))));
        table.put("GET /api/v1/notebooks", new Row(everyone, f -> get("/api/v1/notebooks")));
        table.put(
                "GET /api/v1/notebooks/{account}/{name}",
                new Row(teamOnly, f -> get("/api/v1/notebooks/team/private-notebook")));
        table.put(
                "GET /api/v1/notebooks/{account}/{name}/content",
                new Row(teamOnly, f -> get("/api/v1/notebooks/team/private-notebook/content")));
        table.put(
                "PATCH /api/v1/notebooks/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call(
                                "PATCH",
                                "/api/v1/notebooks/team/private-notebook",
                                Optional.of("{\"visibility\": \"private\"}"))));
        table.put(
                "DELETE /api/v1/notebooks/{account}/{name}",
                new Row(
                        teamOnly,
                        f -> new Call("DELETE", "/api/v1/notebooks/team/" + f.notebookOfMember(), Optional.empty())));
        return table;
    }

    private static final Set<String> MAP_VALUED =
            Set.of("labels", "context", "wrappedByVersion", "tasksByState", "tasksByPrefix");

    private static final String NOTEBOOK = "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": []}";

    private static Call get(String path) {
        return new Call("GET", path, Optional.empty());
    }

    private static Call post(String path, String body) {
        return new Call("POST", path, body.isEmpty() ? Optional.empty() : Optional.of(body));
    }

    @Test
    void everyRouteAnswersEveryKindOfCallerAsTheTableSays() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingCapstanServer server =
                TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            Fixture fixture = new Fixture(server, clock);
            Map<String, Row> table = table();
            Set<String> routes = new HashSet<>();
            server.server().routes().forEach(route -> routes.add(Routes.key(route)));
            assertThat(table.keySet())
                    .as("every route has a row, every row a route")
                    .isEqualTo(routes);

            List<String> mismatches = new ArrayList<>();
            for (ApiRoute route : server.server().routes()) {
                Row row = table.get(Routes.key(route));
                for (CallerKind caller : CallerKind.values()) {
                    Outcome expected = expected(route.access(), caller, row.outcomes());
                    Call call = row.call().apply(fixture);
                    HttpAnswer answer = fixture.client(caller)
                            .send(
                                    call.method(),
                                    call.path(),
                                    call.body().map(body -> "application/json"),
                                    call.body().orElse("").getBytes(UTF_8));
                    Outcome actual = outcome(answer.status());
                    if (actual != expected) {
                        mismatches.add(Routes.key(route) + " as " + caller + ": expected " + expected + ", got "
                                + answer.status() + " " + answer.bodyText());
                    }
                    if (answer.status() < 300) {
                        fixture.checkNoSecretIn(route, answer);
                    }
                }
            }
            assertThat(mismatches).isEmpty();
        }
    }

    private static Outcome expected(Access access, CallerKind caller, Map<CallerKind, Outcome> roles) {
        if (access == Access.PUBLIC) {
            return Outcome.ALLOWED;
        }
        return switch (caller) {
            case ANONYMOUS, MALFORMED_TOKEN, EXPIRED_TOKEN, REVOKED_TOKEN -> Outcome.UNAUTHENTICATED;
            case UNDERSCOPED_TOKEN -> access == Access.READ ? roles.get(CallerKind.ACCOUNT_ADMIN) : Outcome.FORBIDDEN;
            case OTHER_ACCOUNTS_MEMBER, MEMBER, ACCOUNT_ADMIN, SERVER_ADMIN -> roles.get(caller);
        };
    }

    private static Outcome outcome(int status) {
        if (status < 300 || status == 409) {
            return Outcome.ALLOWED;
        }
        return switch (status) {
            case 401 -> Outcome.UNAUTHENTICATED;
            case 403 -> Outcome.FORBIDDEN;
            case 404 -> Outcome.HIDDEN;
            default -> throw new AssertionError("unexpected status " + status);
        };
    }

    /** The team, its resources, and a client for every kind of caller. */
    private static final class Fixture {
        private final TestingCapstanServer server;
        private final CapstanClient admin;
        private final CapstanClient member;
        private final Map<CallerKind, CapstanClient> clients = new EnumMap<>(CallerKind.class);
        private final AtomicInteger counter = new AtomicInteger();
        private final String cluster;
        private final String clusterWithCredentials;
        private final TestingClock clock;
        private final Iterator<String> stoppable;
        private final String csr;
        private final Set<String> allowedFields = new HashSet<>();

        Fixture(TestingCapstanServer server, TestingClock clock) {
            this.server = server;
            this.clock = clock;
            admin = server.adminClient();
            Fixtures.account(admin, "team");
            Fixtures.account(admin, "other");
            member = Fixtures.userClient(admin, "mem", Scope.CLUSTERS);
            CapstanClient lead = Fixtures.userClient(admin, "lead", Scope.ADMIN);
            CapstanClient eve = Fixtures.userClient(admin, "eve", Scope.ADMIN);
            admin.setMember("team", "mem", Role.MEMBER);
            admin.setMember("team", "lead", Role.ADMIN);
            admin.setMember("other", "eve", Role.MEMBER);
            clients.put(CallerKind.ANONYMOUS, server.anonymousClient());
            clients.put(
                    CallerKind.MALFORMED_TOKEN,
                    admin.withToken(TokenFormat.generate().reveal().substring(0, 20)));
            clients.put(
                    CallerKind.EXPIRED_TOKEN,
                    admin.withToken(Fixtures.token(
                            admin,
                            "lead",
                            Scope.ADMIN,
                            Optional.of(clock.instant().plus(Duration.ofMinutes(5))))));
            CapstanClient revoked = admin.withToken(Fixtures.token(admin, "lead", Scope.ADMIN));
            revoked.revokeToken(revoked.me().tokenId());
            clients.put(CallerKind.REVOKED_TOKEN, revoked);
            clients.put(CallerKind.UNDERSCOPED_TOKEN, admin.withToken(Fixtures.token(admin, "lead", Scope.READ)));
            clients.put(CallerKind.OTHER_ACCOUNTS_MEMBER, eve);
            clients.put(CallerKind.MEMBER, member);
            clients.put(CallerKind.ACCOUNT_ADMIN, lead);
            clients.put(CallerKind.SERVER_ADMIN, admin);
            clock.advance(Duration.ofMinutes(10));

            cluster = Clusters.createRunning(member, "fixture", 0).id();
            clusterWithCredentials = member.createCluster(
                            new io.capstan.api.cluster.CreateClusterRequest(
                                    Optional.of("with-credentials"),
                                    Optional.of("team"),
                                    Optional.of(0),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.of(Json.strict()
                                            .readValue(credentials(), io.capstan.api.aws.AwsSessionCredentials.class)),
                                    Optional.empty()),
                            Optional.empty())
                    .id();
            List<String> toStop = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                toStop.add(member.createCluster(Clusters.request("stoppable-" + i, 0), Optional.empty())
                        .id());
            }
            stoppable = toStop.iterator();
            member.createEnvironment(new CreateEnvironmentRequest(
                    "private-env",
                    Optional.of("team"),
                    Optional.of("/usr/bin/python3"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(Visibility.PRIVATE)));
            member.createConfiguration(new CreateConfigurationRequest(
                    "private-config",
                    Optional.of("team"),
                    new ClusterOptions(
                            Optional.of(1),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                    Optional.empty(),
                    Optional.of(Visibility.PRIVATE)));
            member.pushNotebook(
                    "team",
                    "private-notebook",
                    new PushNotebookRequest(
                            Optional.of(Visibility.PRIVATE), Json.lenient().readTree(NOTEBOOK)));
            csr = ClientKeyPair.generate().certificateSigningRequestPem("mem");
            for (Class<?> record : API_RECORDS) {
                for (RecordComponent component : record.getRecordComponents()) {
                    allowedFields.add(component.getName());
                }
            }
        }

        CapstanClient client(CallerKind kind) {
            return clients.get(kind);
        }

        String unique(String prefix) {
            return prefix + "-" + counter.incrementAndGet();
        }

        String cluster() {
            return cluster;
        }

        String stoppableCluster() {
            return stoppable.hasNext() ? stoppable.next() : cluster;
        }

        String csr() {
            return csr;
        }

        String memberTokenId() {
            return admin.createTokenFor("mem", new CreateTokenRequest("doomed", Optional.empty(), Optional.empty()))
                    .token()
                    .id();
        }

        /** The team, with its AWS role set again: each call of the DELETE row removes it. */
        String accountWithRole() {
            admin.setAwsRole(
                    "team",
                    new io.capstan.api.aws.SetAwsRoleRequest(
                            "arn:aws:iam::111122223333:role/reader", Optional.empty()));
            return "team";
        }

        /** A running cluster of the member's, created with forwarded AWS credentials. */
        String clusterWithCredentials() {
            return clusterWithCredentials;
        }

        /** Made-up temporary credentials, in the shape the API takes, valid for an hour. */
        String credentials() {
            return "{\"accessKeyId\": \"ASIAMATRIX0000000001\", \"secretAccessKey\":"
                    + " \"MatrixSecret000000000000000000000000000001\", \"sessionToken\": \"MatrixSessionToken1\","
                    + " \"expiration\": \"" + clock.instant().plus(Duration.ofHours(1)) + "\"}";
        }

        String doomedAccount() {
            String name = unique("doomed");
            Fixtures.account(admin, name);
            admin.setMember(name, "mem", Role.MEMBER);
            admin.setMember(name, "lead", Role.ADMIN);
            return name;
        }

        String newUser() {
            String name = unique("newcomer");
            Fixtures.user(admin, name);
            return name;
        }

        String newMemberOfTeam() {
            String name = newUser();
            admin.setMember("team", name, Role.MEMBER);
            return name;
        }

        String environmentOfMember() {
            String name = unique("env");
            member.createEnvironment(new CreateEnvironmentRequest(
                    name,
                    Optional.of("team"),
                    Optional.of("/usr/bin/python3"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(Visibility.PRIVATE)));
            return name;
        }

        String configurationOfMember() {
            String name = unique("cfg");
            member.createConfiguration(new CreateConfigurationRequest(
                    name,
                    Optional.of("team"),
                    new ClusterOptions(
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                    Optional.empty(),
                    Optional.of(Visibility.PRIVATE)));
            return name;
        }

        String notebookOfMember() {
            String name = unique("nb");
            member.pushNotebook(
                    "team",
                    name,
                    new PushNotebookRequest(
                            Optional.of(Visibility.PRIVATE), Json.lenient().readTree(NOTEBOOK)));
            return name;
        }

        /** Fields outside the API's records, and any stored secret, must never appear in an answer. */
        void checkNoSecretIn(ApiRoute route, HttpAnswer answer) {
            String text = answer.bodyText();
            assertThat(text).as(Routes.key(route)).doesNotContain("PRIVATE KEY");
            String dump = DatabaseDump.script(server.server().database());
            for (String hash : hashes(dump)) {
                assertThat(text).as(Routes.key(route)).doesNotContain(hash);
            }
            boolean json = answer.header("Content-Type")
                            .map(type -> type.contains("json"))
                            .orElse(false)
                    && !route.path().endsWith("/content")
                    && !route.path().endsWith("openapi.json");
            if (json && !text.isEmpty()) {
                checkFields(route, Json.lenient().readTree(text));
            }
        }

        private void checkFields(ApiRoute route, JsonNode node) {
            if (node.isObject()) {
                for (String field : node.propertyNames()) {
                    assertThat(allowedFields)
                            .as(Routes.key(route) + " field " + field)
                            .contains(field);
                    // Members of map-valued fields are data (label keys, key versions), not fields of a record.
                    if (!MAP_VALUED.contains(field)) {
                        checkFields(route, node.get(field));
                    }
                }
            } else if (node.isArray()) {
                node.forEach(element -> checkFields(route, element));
            }
        }

        private static List<String> hashes(String dump) {
            List<String> hashes = new ArrayList<>();
            java.util.regex.Matcher matcher =
                    java.util.regex.Pattern.compile("'([0-9a-f]{64})'").matcher(dump);
            while (matcher.find()) {
                hashes.add(matcher.group(1));
            }
            return hashes;
        }
    }

    private static final List<Class<?>> API_RECORDS = List.of(
            io.capstan.api.Problem.class,
            io.capstan.api.Items.class,
            io.capstan.api.Health.class,
            io.capstan.api.cluster.ClusterLogs.class,
            io.capstan.api.cluster.LogLineView.class,
            io.capstan.api.telemetry.ClusterMetrics.class,
            io.capstan.api.telemetry.TelemetrySummary.class,
            io.capstan.api.telemetry.TelemetrySample.class,
            io.capstan.api.telemetry.AccountUsage.class,
            io.capstan.api.privacy.PrivacyReport.class,
            io.capstan.api.privacy.DataCategory.class,
            io.capstan.api.user.UserView.class,
            io.capstan.api.user.MembershipView.class,
            io.capstan.api.user.Me.class,
            io.capstan.api.account.AccountView.class,
            io.capstan.api.account.MemberView.class,
            io.capstan.api.account.Quota.class,
            io.capstan.api.account.UsageView.class,
            io.capstan.api.token.TokenView.class,
            io.capstan.api.token.CreatedToken.class,
            io.capstan.api.admin.KeyringStatus.class,
            io.capstan.api.admin.MasterKeyRotationResult.class,
            io.capstan.api.admin.DataKeyRotationView.class,
            ClusterView.class,
            io.capstan.api.aws.AwsCredentialsStatus.class,
            io.capstan.api.aws.AwsRoleView.class,
            io.capstan.api.cluster.ClusterEventView.class,
            io.capstan.api.cluster.ClientCertificateView.class,
            io.capstan.api.environment.EnvironmentView.class,
            io.capstan.api.environment.PackagePin.class,
            io.capstan.api.configuration.ConfigurationView.class,
            ClusterOptions.class,
            io.capstan.api.notebook.NotebookView.class);
}
