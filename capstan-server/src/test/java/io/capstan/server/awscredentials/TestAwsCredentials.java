package io.capstan.server.awscredentials;

import static io.capstan.server.testing.aws.TestingAwsCredentials.fetch;
import static io.capstan.server.testing.aws.TestingAwsCredentials.schedulerEnvironment;
import static io.capstan.server.testing.aws.TestingAwsCredentials.sessionCredentials;
import static io.capstan.server.testing.aws.TestingAwsCredentials.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.ErrorCode;
import io.capstan.api.Json;
import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.aws.AwsCredentialsStatus;
import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.testing.CapturedLogs;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.testing.aws.TestingAwsCredentials;
import io.capstan.server.testing.aws.TestingAwsCredentials.Answer;
import io.capstan.server.testing.aws.TestingStsServer;
import io.capstan.server.testing.aws.TestingStsServer.IssuedCredentials;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * AWS credentials for clusters on a real server with real cluster processes, on H2 and PostgreSQL: forwarded and
 * assumed-role credentials reach the processes through the loopback credentials endpoint, refresh, and are gone when
 * the cluster stops; wrong tokens get nothing; long-term and incomplete credentials are refused; no canary appears
 * in a log, an API answer or the database. STS is {@link TestingStsServer}, a loopback wire stub.
 */
class TestAwsCredentials {
    private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/data/reader";
    private static final String SESSION_POLICY =
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                    + "\"Resource\":\"arn:aws:s3:::team-data/*\"}]}";

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void forwardedCredentialsReachTheProcessesRefreshAndAreGoneWhenTheClusterStops(TestingDatabase.Kind kind) {
        TestingClock clock = TestingClock.atSystemTime();
        try (CapturedLogs logs = CapturedLogs.everything();
                TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(kind, builder -> builder, clock)) {
            CapstanClient alice = team(server);
            IssuedCredentials first = sessionCredentials(sts, Duration.ofHours(12));
            List<String> answers = new ArrayList<>();

            ClusterView created = alice.createCluster(withCredentials("forwarded", wire(first)), Optional.empty());
            answers.add(Json.lenient().writeValueAsString(created));
            ClusterView running = Clusters.awaitState(alice, created.id(), "running");
            answers.add(Json.lenient().writeValueAsString(running));

            assertThat(running.awsCredentials())
                    .contains(new AwsCredentialsStatus(
                            "forwarded",
                            Optional.empty(),
                            Optional.of(first.expiration()),
                            running.awsCredentials().get().refreshedAt(),
                            Optional.empty()));
            Map<String, String> environment = schedulerEnvironment(server, running.id());
            URI endpoint = URI.create(environment.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            String token = environment.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            assertThat(endpoint.getScheme()).isEqualTo("http");
            assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
            assertThat(token).hasSizeGreaterThanOrEqualTo(43);
            assertThat(environment).containsEntry("AWS_EC2_METADATA_DISABLED", "true");
            assertServes(endpoint, token, first);

            IssuedCredentials second = sessionCredentials(sts, Duration.ofHours(1));
            AwsCredentialsStatus forwarded = alice.forwardAwsCredentials(running.id(), wire(second));
            answers.add(Json.lenient().writeValueAsString(forwarded));
            assertThat(forwarded.source()).isEqualTo("forwarded");
            assertThat(forwarded.expiresAt()).contains(second.expiration());
            assertServes(endpoint, token, second);

            List<ClusterEventView> events = alice.clusterEvents(running.id(), 0);
            answers.add(Json.lenient().writeValueAsString(events));
            assertThat(events)
                    .extracting(ClusterEventView::message)
                    .contains("AWS credentials forwarded by alice, expire at " + first.expiration())
                    .contains("AWS credentials forwarded by alice, expire at " + second.expiration()
                            + " (the previous ones expire at " + first.expiration() + ")");
            answers.add(Json.lenient().writeValueAsString(alice.listClusters(Optional.empty())));
            String dump = DatabaseDump.script(server.server().database());

            alice.stopCluster(running.id());
            ClusterView stopped = Clusters.awaitStateAllowingFailure(alice, running.id(), "stopped");
            answers.add(Json.lenient().writeValueAsString(stopped));
            assertThat(stopped.awsCredentials()).isEmpty();
            assertThat(fetch(endpoint, Optional.of(token)).status()).isEqualTo(403);
            assertThat(alice.clusterEvents(running.id(), 0))
                    .extracting(ClusterEventView::message)
                    .contains("AWS credentials deleted: the credentials endpoint refuses this cluster from now on");
            assertThat(storedCredentials(server)).isZero();

            List<String> canaries = new ArrayList<>();
            for (IssuedCredentials issued : List.of(first, second)) {
                canaries.addAll(List.of(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()));
            }
            canaries.add(token);
            String everyAnswer = String.join("\n", answers);
            for (String canary : canaries) {
                assertThat(dump).doesNotContain(canary);
                assertThat(everyAnswer).doesNotContain(canary);
                assertThat(logs.written()).doesNotContain(canary);
                assertThat(logs.rawCapstanMessages()).doesNotContain(canary);
            }
            assertThat(dump).contains("aws_credentials");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theEndpointGivesNothingToAnotherClustersTokenOrToNoneAndAClusterWithoutCredentialsGetsNoEndpoint(
            TestingDatabase.Kind kind) {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(kind, builder -> builder, clock)) {
            CapstanClient alice = team(server);
            IssuedCredentials forA = sessionCredentials(sts, Duration.ofHours(1));
            IssuedCredentials forB = sessionCredentials(sts, Duration.ofHours(1));
            String a = alice.createCluster(withCredentials("a", wire(forA)), Optional.empty())
                    .id();
            String b = alice.createCluster(withCredentials("b", wire(forB)), Optional.empty())
                    .id();
            String plain = alice.createCluster(Clusters.request("plain", 0), Optional.empty())
                    .id();
            Clusters.awaitState(alice, a, "running");
            Clusters.awaitState(alice, b, "running");
            Clusters.awaitState(alice, plain, "running");
            Map<String, String> environmentA = schedulerEnvironment(server, a);
            Map<String, String> environmentB = schedulerEnvironment(server, b);
            URI endpointA = URI.create(environmentA.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            String tokenA = environmentA.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            String tokenB = environmentB.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");

            assertServes(endpointA, tokenA, forA);
            assertThat(tokenB).isNotEqualTo(tokenA);
            Answer withOthersToken = fetch(endpointA, Optional.of(tokenB));
            assertThat(withOthersToken.status()).isEqualTo(403);
            assertThat(withOthersToken.body()).doesNotContain(forA.accessKeyId(), forB.accessKeyId());
            assertThat(fetch(endpointA, Optional.empty()).status()).isEqualTo(401);
            assertThat(fetch(endpointA, Optional.of(tokenA + "x")).status()).isEqualTo(403);
            assertThat(fetch(endpointA, Optional.of("x".repeat(5000))).status()).isEqualTo(403);
            URI plainEndpoint = URI.create(endpointA.toString().replace(a, plain));
            assertThat(fetch(plainEndpoint, Optional.of(tokenA)).status()).isEqualTo(403);
            assertThat(fetch(endpointA.resolve("/v1/clusters/../../etc/passwd"), Optional.of(tokenA))
                            .status())
                    .isEqualTo(404);

            Map<String, String> plainEnvironment = schedulerEnvironment(server, plain);
            assertThat(plainEnvironment.keySet().stream().filter(name -> name.startsWith("AWS_")))
                    .containsExactly("AWS_EC2_METADATA_DISABLED");
            assertThat(alice.showCluster(plain).awsCredentials()).isEmpty();
            CapstanApiException refused = Fixtures.refusal(() -> alice.forwardAwsCredentials(plain, wire(forA)));
            assertThat(refused.code()).contains(ErrorCode.INVALID_STATE);
            assertThat(refused.getMessage()).contains("created without AWS credentials");
        }
    }

    @Test
    void theProcessesOfAClusterAdoptedAfterARestartStillGetTheirCredentials() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server =
                        TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            CapstanClient alice = team(server);
            IssuedCredentials issued = sessionCredentials(sts, Duration.ofHours(1));
            String id = alice.createCluster(withCredentials("survivor", wire(issued)), Optional.empty())
                    .id();
            Clusters.awaitState(alice, id, "running");
            Map<String, String> environment = schedulerEnvironment(server, id);
            URI endpoint = URI.create(environment.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            String token = environment.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");

            server.stop();
            server.startAgain();

            // The server listens on a new port; its credentials endpoint must not.
            CapstanClient again =
                    server.adminClient().withToken(Fixtures.token(server.adminClient(), "alice", Scope.CLUSTERS));
            assertThat(again.showCluster(id).state()).isEqualTo("running");
            assertServes(endpoint, token, issued);
            again.stopCluster(id);
            Clusters.awaitStateAllowingFailure(again, id, "stopped");
            assertThat(fetch(endpoint, Optional.of(token)).status()).isEqualTo(403);
        }
    }

    @Test
    void longTermIncompleteAndExpiredCredentialsAreRefusedAndChangeNothing() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server =
                        TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            CapstanClient alice = team(server);
            IssuedCredentials issued = sessionCredentials(sts, Duration.ofHours(1));
            Instant later = clock.instant().plus(Duration.ofHours(1));
            Map<AwsSessionCredentials, ErrorCode> cases = Map.of(
                    new AwsSessionCredentials(
                            TestingAwsCredentials.USER_ACCESS_KEY_ID,
                            TestingAwsCredentials.USER_SECRET_ACCESS_KEY,
                            Optional.empty(),
                            Optional.empty()),
                    ErrorCode.AWS_LONG_TERM_KEY,
                    new AwsSessionCredentials(
                            TestingAwsCredentials.USER_ACCESS_KEY_ID,
                            TestingAwsCredentials.USER_SECRET_ACCESS_KEY,
                            Optional.of(issued.sessionToken()),
                            Optional.of(later)),
                    ErrorCode.AWS_LONG_TERM_KEY,
                    new AwsSessionCredentials(
                            issued.accessKeyId(), issued.secretAccessKey(), Optional.empty(), Optional.of(later)),
                    ErrorCode.AWS_CREDENTIALS_NOT_TEMPORARY,
                    new AwsSessionCredentials(
                            issued.accessKeyId(),
                            issued.secretAccessKey(),
                            Optional.of(issued.sessionToken()),
                            Optional.empty()),
                    ErrorCode.AWS_CREDENTIALS_NOT_TEMPORARY,
                    new AwsSessionCredentials(
                            issued.accessKeyId(),
                            issued.secretAccessKey(),
                            Optional.of(issued.sessionToken()),
                            Optional.of(clock.instant().minusSeconds(1))),
                    ErrorCode.AWS_CREDENTIALS_NOT_TEMPORARY,
                    new AwsSessionCredentials(
                            issued.accessKeyId(),
                            issued.secretAccessKey(),
                            Optional.of(issued.sessionToken()),
                            Optional.of(clock.instant().plus(Duration.ofDays(30)))),
                    ErrorCode.AWS_CREDENTIALS_NOT_TEMPORARY,
                    new AwsSessionCredentials(
                            "not-a-key",
                            issued.secretAccessKey(),
                            Optional.of(issued.sessionToken()),
                            Optional.of(later)),
                    ErrorCode.INVALID_FIELD,
                    new AwsSessionCredentials(
                            issued.accessKeyId(), "short", Optional.of(issued.sessionToken()), Optional.of(later)),
                    ErrorCode.INVALID_FIELD);
            for (Map.Entry<AwsSessionCredentials, ErrorCode> bad : cases.entrySet()) {
                CapstanApiException refused = Fixtures.refusal(
                        () -> alice.createCluster(withCredentials("refused", bad.getKey()), Optional.empty()));
                assertThat(refused.status()).as(bad.getKey().toString()).isEqualTo(400);
                assertThat(refused.code()).as(bad.getKey().toString()).contains(bad.getValue());
                assertThat(refused.problem().field()).isPresent();
                assertThat(refused.getMessage())
                        .doesNotContain(
                                issued.secretAccessKey(),
                                issued.sessionToken(),
                                TestingAwsCredentials.USER_SECRET_ACCESS_KEY);
            }
            CapstanApiException both = Fixtures.refusal(
                    () -> alice.createCluster(withRole(withCredentials("both", wire(issued))), Optional.empty()));
            assertThat(both.code()).contains(ErrorCode.INVALID_FIELD);
            CapstanApiException noRole = Fixtures.refusal(
                    () -> alice.createCluster(withRole(Clusters.request("norole", 0)), Optional.empty()));
            assertThat(noRole.status()).isEqualTo(409);
            assertThat(noRole.code()).contains(ErrorCode.AWS_ROLE_NOT_SET);
            assertThat(noRole.getMessage()).contains("set-aws-role");

            assertThat(alice.listClusters(Optional.empty())).isEmpty();
            assertThat(storedCredentials(server)).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void accountRoleCredentialsAreAssumedRefreshedAtHalfLifeAndNeverServedStale(TestingDatabase.Kind kind) {
        TestingAwsCredentials.giveTheServerAwsCredentials();
        TestingClock clock = TestingClock.atSystemTime();
        try (CapturedLogs logs = CapturedLogs.everything();
                TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(
                        kind,
                        builder -> builder.aws(AwsSettings.defaults()
                                .withStsEndpoint(sts.endpoint())
                                .withRoleSessionDuration(Duration.ofMinutes(15))
                                .withRefresh(Duration.ofMillis(50), Duration.ofMinutes(1))
                                .withStsCallTimeout(Duration.ofSeconds(3))),
                        clock)) {
            CapstanClient alice = team(server);
            CapstanClient lead = Fixtures.userClient(server.adminClient(), "lead", Scope.ADMIN);
            server.adminClient().setMember("team", "lead", Role.ADMIN);
            CapstanApiException notAdmin =
                    Fixtures.refusal(() -> alice.setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.empty())));
            assertThat(notAdmin.status()).isEqualTo(403);
            lead.setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.of(SESSION_POLICY)));
            assertThat(alice.awsRole("team").roleArn()).isEqualTo(ROLE_ARN);

            ClusterView created = alice.createCluster(withRole(Clusters.request("assumed", 0)), Optional.empty());
            TestingStsServer.ReceivedRequest assumed = sts.requests().get(0);
            assertThat(assumed.action()).isEqualTo("AssumeRole");
            assertThat(assumed.roleArn()).contains(ROLE_ARN);
            assertThat(assumed.policy()).contains(SESSION_POLICY);
            assertThat(assumed.roleSessionName()).contains("capstan-" + created.id());
            assertThat(assumed.durationSeconds()).contains(900);
            assertThat(assumed.accessKeyId()).isEqualTo(TestingAwsCredentials.SERVER_ACCESS_KEY_ID);
            ClusterView running = Clusters.awaitState(alice, created.id(), "running");
            assertThat(running.awsCredentials().orElseThrow().source()).isEqualTo("account-role");
            assertThat(running.awsCredentials().orElseThrow().roleArn()).contains(ROLE_ARN);
            Map<String, String> environment = schedulerEnvironment(server, running.id());
            URI endpoint = URI.create(environment.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
            String token = environment.get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
            IssuedCredentials first = sts.issuedCredentials().get(0);
            assertServes(endpoint, token, first);

            clock.advance(Duration.ofMinutes(7));
            assertThat(sts.issuedCredentials())
                    .as("not before half their lifetime")
                    .hasSize(1);
            clock.advance(Duration.ofSeconds(31));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> sts.issuedCredentials().size() == 2);
            IssuedCredentials refreshed = sts.issuedCredentials().get(1);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> fetch(endpoint, Optional.of(token)).body().contains(refreshed.accessKeyId()));
            assertServes(endpoint, token, refreshed);
            assertThat(alice.clusterEvents(running.id(), 0))
                    .extracting(ClusterEventView::message)
                    .contains("AWS credentials assumed from the account's role, expire at " + first.expiration())
                    .contains("AWS credentials refreshed from role " + ROLE_ARN + ", expire at "
                            + refreshed.expiration());

            sts.failNextCalls(1000, TestingStsServer.Failure.ACCESS_DENIED);
            clock.advance(Duration.ofMinutes(8));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> alice.clusterEvents(running.id(), 0).stream()
                            .anyMatch(event -> event.message().startsWith("refreshing AWS credentials failed")));
            String failure = alice.clusterEvents(running.id(), 0).stream()
                    .map(ClusterEventView::message)
                    .filter(message -> message.startsWith("refreshing AWS credentials failed"))
                    .findFirst()
                    .orElseThrow();
            assertThat(failure)
                    .contains("AccessDenied")
                    .contains("the current ones are served until they expire at " + refreshed.expiration());
            assertServes(endpoint, token, refreshed);
            assertThat(alice.showCluster(running.id())
                            .awsCredentials()
                            .orElseThrow()
                            .lastRefreshProblem())
                    .hasValueSatisfying(problem -> assertThat(problem).contains("AccessDenied"));

            clock.set(refreshed.expiration());
            Answer expired = fetch(endpoint, Optional.of(token));
            assertThat(expired.status()).isEqualTo(404);
            assertThat(expired.body()).doesNotContain(refreshed.accessKeyId()).contains("expired");
            assertThat(alice.showCluster(running.id())
                            .awsCredentials()
                            .orElseThrow()
                            .expiresAt())
                    .isEmpty();
            String announced = "AWS credentials expired at " + refreshed.expiration()
                    + "; the cluster's processes get none until a refresh from the account's role succeeds";
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> alice.clusterEvents(running.id(), 0).stream()
                            .anyMatch(event -> event.message().equals(announced)));

            for (IssuedCredentials issued : sts.issuedCredentials()) {
                assertThat(logs.written()).doesNotContain(issued.secretAccessKey(), issued.sessionToken());
                assertThat(DatabaseDump.script(server.server().database()))
                        .doesNotContain(issued.secretAccessKey(), issued.sessionToken(), issued.accessKeyId());
            }
            assertThat(logs.written()).doesNotContain(token, TestingAwsCredentials.SERVER_SECRET_ACCESS_KEY);
        }
    }

    @Test
    void stsRefusalsThrottlingAndSilenceAtCreateAreClearAnswersAndCreateNothing() {
        TestingAwsCredentials.giveTheServerAwsCredentials();
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(
                        TestingDatabase.Kind.H2,
                        builder -> builder.aws(AwsSettings.defaults()
                                .withStsEndpoint(sts.endpoint())
                                .withStsCallTimeout(Duration.ofSeconds(4))),
                        clock)) {
            CapstanClient alice = team(server);
            server.adminClient().setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.empty()));

            sts.failNextCalls(1, TestingStsServer.Failure.ACCESS_DENIED);
            CapstanApiException denied = Fixtures.refusal(
                    () -> alice.createCluster(withRole(Clusters.request("denied", 0)), Optional.empty()));
            assertThat(denied.status()).isEqualTo(400);
            assertThat(denied.code()).contains(ErrorCode.AWS_ROLE_REFUSED);
            assertThat(denied.getMessage()).contains(ROLE_ARN).contains("AccessDenied");

            sts.failNextCalls(AwsRoleSessions.MAXIMUM_ATTEMPTS, TestingStsServer.Failure.THROTTLING);
            CapstanApiException throttled = Fixtures.refusal(
                    () -> alice.createCluster(withRole(Clusters.request("throttled", 0)), Optional.empty()));
            assertThat(throttled.status()).isEqualTo(503);
            assertThat(throttled.code()).contains(ErrorCode.UNAVAILABLE);
            // Throttling is retried with backoff; what the caller sees is STS's last answer or the call timeout.
            assertThat(throttled.getMessage()).contains(ROLE_ARN).contains("try again later");

            sts.delayAnswers(Duration.ofMinutes(5));
            long started = System.nanoTime();
            CapstanApiException silent = Fixtures.refusal(
                    () -> alice.createCluster(withRole(Clusters.request("silent", 0)), Optional.empty()));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertThat(silent.status()).isEqualTo(503);
            assertThat(silent.getMessage()).contains("try again later");
            sts.delayAnswers(Duration.ZERO);
            assertThat(alice.listClusters(Optional.empty())).isEmpty();

            sts.failNextCalls(AwsRoleSessions.MAXIMUM_ATTEMPTS - 1, TestingStsServer.Failure.THROTTLING);
            ClusterView afterThrottling =
                    alice.createCluster(withRole(Clusters.request("retried", 0)), Optional.empty());
            assertThat(afterThrottling.awsCredentials().orElseThrow().expiresAt())
                    .isPresent();
            alice.stopCluster(afterThrottling.id());
            Clusters.awaitStateAllowingFailure(alice, afterThrottling.id(), "stopped");
        }
    }

    @Test
    void theAccountRoleIsValidatedAndShownOnlyToTheAccount() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            CapstanClient admin = server.adminClient();
            team(server);
            for (String bad :
                    List.of("", "arn:aws:s3:::bucket", "role/reader", "arn:aws:iam::1:role/x", "x".repeat(3000))) {
                CapstanApiException refused =
                        Fixtures.refusal(() -> admin.setAwsRole("team", new SetAwsRoleRequest(bad, Optional.empty())));
                assertThat(refused.code()).as(bad).contains(ErrorCode.INVALID_FIELD);
            }
            for (String bad : List.of("[]", "{", "\"policy\"", "{\"a\":\"" + "x".repeat(3000) + "\"}")) {
                CapstanApiException refused = Fixtures.refusal(
                        () -> admin.setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.of(bad))));
                assertThat(refused.problem().field()).as(bad).contains("sessionPolicy");
            }
            assertThat(Fixtures.refusal(() -> admin.awsRole("team")).status()).isEqualTo(404);
            admin.setAwsRole("team", new SetAwsRoleRequest(ROLE_ARN, Optional.of(SESSION_POLICY)));
            assertThat(admin.awsRole("team").sessionPolicy()).contains(SESSION_POLICY);
            Fixtures.account(admin, "other");
            CapstanClient eve = Fixtures.userClient(admin, "eve", Scope.ADMIN);
            admin.setMember("other", "eve", Role.ADMIN);
            assertThat(Fixtures.refusal(() -> eve.awsRole("team")).status()).isEqualTo(404);
            assertThat(Fixtures.refusal(() -> eve.clearAwsRole("team")).status())
                    .isEqualTo(404);
            admin.clearAwsRole("team");
            assertThat(Fixtures.refusal(() -> admin.awsRole("team")).status()).isEqualTo(404);
        }
    }

    private static void assertServes(URI endpoint, String token, IssuedCredentials expected) {
        Answer answer = fetch(endpoint, Optional.of(token));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode body = Json.lenient().readTree(answer.body());
        assertThat(body.path("AccessKeyId").asString()).isEqualTo(expected.accessKeyId());
        assertThat(body.path("SecretAccessKey").asString()).isEqualTo(expected.secretAccessKey());
        assertThat(body.path("Token").asString()).isEqualTo(expected.sessionToken());
        assertThat(Instant.parse(body.path("Expiration").asString())).isEqualTo(expected.expiration());
    }

    private static long storedCredentials(TestingCapstanServer server) {
        return server.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SELECT count(*) FROM aws_credentials")
                        .mapTo(Long.class)
                        .one());
    }

    /** The account "team" with alice, a member who creates clusters. */
    private static CapstanClient team(TestingCapstanServer server) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, "team");
        CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.CLUSTERS);
        admin.setMember("team", "alice", Role.MEMBER);
        return alice;
    }

    static CreateClusterRequest withCredentials(String name, AwsSessionCredentials credentials) {
        CreateClusterRequest plain = Clusters.request(name, 0);
        return new CreateClusterRequest(
                plain.name(),
                plain.account(),
                plain.workers(),
                plain.threadsPerWorker(),
                plain.memoryPerWorkerBytes(),
                Optional.of(Duration.ofHours(2).toSeconds()),
                plain.maxLifetimeSeconds(),
                plain.labels(),
                plain.configuration(),
                plain.environment(),
                Optional.of(credentials),
                Optional.empty());
    }

    static CreateClusterRequest withRole(CreateClusterRequest request) {
        return new CreateClusterRequest(
                request.name(),
                request.account(),
                request.workers(),
                request.threadsPerWorker(),
                request.memoryPerWorkerBytes(),
                Optional.of(Duration.ofHours(2).toSeconds()),
                request.maxLifetimeSeconds(),
                request.labels(),
                request.configuration(),
                request.environment(),
                request.awsCredentials(),
                Optional.of(true));
    }
}
