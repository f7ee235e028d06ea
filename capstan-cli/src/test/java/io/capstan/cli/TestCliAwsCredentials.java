package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.server.awscredentials.AwsSettings;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import io.capstan.server.testing.aws.TestingAwsCredentials;
import io.capstan.server.testing.aws.TestingStsServer;
import io.capstan.server.testing.aws.TestingStsServer.IssuedCredentials;
import io.capstan.server.testing.aws.TestingStsServer.ReceivedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * AWS credentials from the command line against a real server: the CLI makes a session token from a long-term key
 * (which never leaves the machine), forwards session credentials as they are, says when they expire or that it does
 * not know, refreshes them; account admins set a role clusters can use. STS is {@link TestingStsServer}, a stub
 * the CLI reaches through the test-only {@code CAPSTAN_STS_ENDPOINT}.
 */
class TestCliAwsCredentials {
    private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/reader";

    @TempDir
    Path home;

    @Test
    void forwardACreatedClustersCredentialsAndRefreshThem() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server =
                        TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            TestingCli cli = loggedIn(server)
                    .with("AWS_ACCESS_KEY_ID", TestingAwsCredentials.USER_ACCESS_KEY_ID)
                    .with("AWS_SECRET_ACCESS_KEY", TestingAwsCredentials.USER_SECRET_ACCESS_KEY)
                    .with("CAPSTAN_STS_ENDPOINT", sts.endpoint().toString());

            TestingCli.Result created = cli.run(
                            "cluster", "create", "--name", "reader", "--workers", "0", "--forward-aws-credentials")
                    .expectSuccess();
            ReceivedRequest sessionToken = sts.requests().get(0);
            assertThat(sessionToken.action()).isEqualTo("GetSessionToken");
            assertThat(sessionToken.accessKeyId()).isEqualTo(TestingAwsCredentials.USER_ACCESS_KEY_ID);
            assertThat(sessionToken.durationSeconds()).contains(43_200);
            IssuedCredentials first = sts.issuedCredentials().get(0);
            assertThat(created.err())
                    .contains("Made a session token from your AWS credentials (STS GetSessionToken, 12h)")
                    .contains("your long-term key stays on this machine")
                    .contains("AWS credentials forwarded by admin, expire at " + first.expiration());
            assertThat(created.out())
                    .contains("aws:       forwarded credentials, expire at " + Output.time(first.expiration()));

            TestingCli.Result refreshed = cli.run(
                            "cluster", "forward-credentials", "reader", "--aws-session-duration", "1h")
                    .expectSuccess();
            IssuedCredentials second = sts.issuedCredentials().get(1);
            assertThat(sts.requests().get(1).durationSeconds()).contains(3600);
            assertThat(refreshed.err())
                    .contains("The current AWS credentials of reader expire at " + Output.time(first.expiration()));
            assertThat(refreshed.out())
                    .contains("Forwarded AWS credentials to cluster reader; they expire at "
                            + Output.time(second.expiration()));
            JsonNode shown = Json.lenient()
                    .readTree(cli.run("cluster", "show", "reader", "-o", "json")
                            .expectSuccess()
                            .out());
            assertThat(shown.path("awsCredentials").path("expiresAt").asString())
                    .isEqualTo(second.expiration().toString());

            String everything = created.out() + created.err() + refreshed.out() + refreshed.err() + shown;
            for (IssuedCredentials issued : List.of(first, second)) {
                assertThat(everything).doesNotContain(issued.secretAccessKey(), issued.sessionToken());
            }
            assertThat(everything).doesNotContain(TestingAwsCredentials.USER_SECRET_ACCESS_KEY);
            cli.run("cluster", "stop", "reader").expectSuccess();
        }
    }

    @Test
    void sessionCredentialsAreForwardedAsTheyAreAndAnUnknownExpiryIsSaid() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server =
                        TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            IssuedCredentials session = TestingAwsCredentials.sessionCredentials(sts, Duration.ofHours(2));
            int stsCalls = sts.requests().size();
            TestingCli cli = loggedIn(server)
                    .with("AWS_ACCESS_KEY_ID", session.accessKeyId())
                    .with("AWS_SECRET_ACCESS_KEY", session.secretAccessKey())
                    .with("AWS_SESSION_TOKEN", session.sessionToken())
                    .with("CAPSTAN_STS_ENDPOINT", sts.endpoint().toString());

            TestingCli.Result known = cli.with(
                            "AWS_CREDENTIAL_EXPIRATION", session.expiration().toString())
                    .run(
                            "cluster",
                            "create",
                            "--name",
                            "known",
                            "--workers",
                            "0",
                            "--forward-aws-credentials",
                            "--no-wait")
                    .expectSuccess();
            assertThat(known.err())
                    .contains("session credentials already; forwarding them as they are. They expire at "
                            + Output.time(session.expiration()));
            TestingCli.Result unknown = cli.run(
                            "cluster",
                            "create",
                            "--name",
                            "unknown",
                            "--workers",
                            "0",
                            "--forward-aws-credentials",
                            "--no-wait")
                    .expectSuccess();
            assertThat(unknown.err())
                    .contains("their expiry is unknown (set AWS_CREDENTIAL_EXPIRATION to say it); assuming they"
                            + " expire in 15 minutes");
            assertThat(sts.requests())
                    .as("session credentials are not exchanged again")
                    .hasSize(stsCalls);

            TestingCli.Result badExpiry = cli.with("AWS_CREDENTIAL_EXPIRATION", "tomorrow")
                    .run("cluster", "create", "--name", "bad", "--workers", "0", "--forward-aws-credentials");
            assertThat(badExpiry.exitCode()).isNotZero();
            assertThat(badExpiry.err()).contains("AWS_CREDENTIAL_EXPIRATION must be an ISO-8601 time");
            cli.run("cluster", "stop", "known").expectSuccess();
            cli.run("cluster", "stop", "unknown").expectSuccess();
        }
    }

    @Test
    void refusalsAreClearAndNothingIsCreated() {
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server =
                        TestingCapstanServer.start(TestingDatabase.Kind.H2, builder -> builder, clock)) {
            TestingCli cli =
                    loggedIn(server).with("CAPSTAN_STS_ENDPOINT", sts.endpoint().toString());

            TestingCli.Result longTermAsSession = cli.with(
                            "AWS_ACCESS_KEY_ID", TestingAwsCredentials.USER_ACCESS_KEY_ID)
                    .with("AWS_SECRET_ACCESS_KEY", TestingAwsCredentials.USER_SECRET_ACCESS_KEY)
                    .with("AWS_SESSION_TOKEN", "not-really-a-session")
                    .with(
                            "AWS_CREDENTIAL_EXPIRATION",
                            clock.instant().plus(Duration.ofHours(1)).toString())
                    .run("cluster", "create", "--name", "akia", "--workers", "0", "--forward-aws-credentials");
            assertThat(longTermAsSession.exitCode()).isNotZero();
            assertThat(longTermAsSession.err()).contains("aws_long_term_key").contains("long-term key");
            assertThat(longTermAsSession.err()).doesNotContain(TestingAwsCredentials.USER_SECRET_ACCESS_KEY);

            sts.failNextCalls(1, TestingStsServer.Failure.ACCESS_DENIED);
            TestingCli.Result denied = cli.with("AWS_ACCESS_KEY_ID", TestingAwsCredentials.USER_ACCESS_KEY_ID)
                    .with("AWS_SECRET_ACCESS_KEY", TestingAwsCredentials.USER_SECRET_ACCESS_KEY)
                    .run("cluster", "create", "--name", "denied", "--workers", "0", "--forward-aws-credentials");
            assertThat(denied.exitCode()).isNotZero();
            assertThat(denied.err())
                    .contains("STS refused to make a session token")
                    .contains("AccessDenied");

            TestingCli.Result both =
                    cli.run("cluster", "create", "--name", "both", "--forward-aws-credentials", "--aws-role");
            assertThat(both.err()).contains("either --forward-aws-credentials or --aws-role");
            TestingCli.Result duration = cli.run(
                    "cluster",
                    "create",
                    "--name",
                    "duration",
                    "--forward-aws-credentials",
                    "--aws-session-duration",
                    "5m");
            assertThat(duration.err()).contains("--aws-session-duration must be between 15m and 36h");
            TestingCli.Result noRole = cli.run("cluster", "create", "--name", "norole", "--workers", "0", "--aws-role");
            assertThat(noRole.err()).contains("aws_role_not_set").contains("capstan account set-aws-role");

            assertThat(cli.run("cluster", "list", "--all").expectSuccess().out())
                    .doesNotContain("akia", "denied", "both", "norole");
        }
    }

    @Test
    void anAccountAdminSetsTheRoleAndClustersGetItsCredentials() throws IOException {
        TestingAwsCredentials.giveTheServerAwsCredentials();
        TestingClock clock = TestingClock.atSystemTime();
        try (TestingStsServer sts = TestingStsServer.start(clock);
                TestingCapstanServer server = TestingCapstanServer.start(
                        TestingDatabase.Kind.H2,
                        builder -> builder.aws(AwsSettings.defaults().withStsEndpoint(sts.endpoint())),
                        clock)) {
            TestingCli cli = loggedIn(server);
            Path policy = Files.writeString(
                    home.resolve("policy.json"),
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                            + "\"Resource\":\"arn:aws:s3:::team-data/*\"}]}");

            assertThat(cli.run("account", "set-aws-role", ROLE_ARN, "--session-policy", policy.toString())
                            .expectSuccess()
                            .out())
                    .contains("Clusters of account team created with --aws-role get credentials of " + ROLE_ARN
                            + ", narrowed by the session policy.");
            assertThat(cli.run("account", "show-aws-role").expectSuccess().out())
                    .contains(ROLE_ARN)
                    .contains("s3:GetObject");
            assertThat(cli.run("account", "set-aws-role", "arn:aws:s3:::bucket").err())
                    .contains("invalid_field")
                    .contains("ARN of an IAM role");

            TestingCli.Result created = cli.run(
                            "cluster", "create", "--name", "assumed", "--workers", "0", "--aws-role")
                    .expectSuccess();
            IssuedCredentials assumed = sts.issuedCredentials().get(0);
            assertThat(sts.requests().get(0).policy()).contains(Files.readString(policy));
            assertThat(created.out())
                    .contains("aws:       the account's role " + ROLE_ARN + ", expire at "
                            + Output.time(assumed.expiration()));
            assertThat(created.out() + created.err()).doesNotContain(assumed.secretAccessKey(), assumed.sessionToken());
            TestingCli.Result forward = cli.with("AWS_ACCESS_KEY_ID", TestingAwsCredentials.USER_ACCESS_KEY_ID)
                    .with("AWS_SECRET_ACCESS_KEY", TestingAwsCredentials.USER_SECRET_ACCESS_KEY)
                    .with("CAPSTAN_STS_ENDPOINT", sts.endpoint().toString())
                    .run("cluster", "forward-credentials", "assumed");
            assertThat(forward.err()).contains("invalid_state").contains("refreshes them itself");

            cli.run("account", "clear-aws-role").expectSuccess();
            assertThat(cli.run("account", "show-aws-role").err()).contains("not_found");
            cli.run("cluster", "stop", "assumed").expectSuccess();
        }
    }

    @Test
    void helpExplainsBothWaysIn() {
        TestingCli cli = new TestingCli(Map.of("HOME", home.toString()));
        assertThat(cli.run("cluster", "create", "--help").out())
                .contains("--forward-aws-credentials")
                .contains("GetSessionToken")
                .contains("--aws-role")
                .contains("--aws-session-duration");
        assertThat(cli.run("cluster", "forward-credentials", "--help").out()).contains("expire");
        assertThat(cli.run("account", "set-aws-role", "--help").out())
                .contains("--session-policy")
                .contains("AssumeRole");
    }

    /** A CLI logged in as the administrator, a member of the account "team". */
    private TestingCli loggedIn(TestingCapstanServer server) {
        TestingCli cli = new TestingCli(Map.of("HOME", home.toString()));
        cli.runWithInput(
                        server.adminToken() + "\n",
                        "login",
                        "--server",
                        server.server().uri().toString())
                .expectSuccess();
        cli.run("account", "create", "team").expectSuccess();
        cli.run("account", "add-member", "team", "admin", "--role", "admin").expectSuccess();
        return cli;
    }
}
