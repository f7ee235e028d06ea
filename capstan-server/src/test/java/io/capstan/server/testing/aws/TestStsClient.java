package io.capstan.server.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.aws.TestingStsServer.IssuedCredentials;
import io.capstan.server.testing.aws.TestingStsServer.ReceivedRequest;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/** The real SDK {@link StsClient} against {@link TestingStsServer}: what Capstan's credential forwarding relies on. */
class TestStsClient {
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
    private static final String ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final StaticCredentialsProvider LONG_TERM_CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ACCESS_KEY_ID, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/data/reader";
    private static final String SESSION_POLICY = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",\
            "Resource":"arn:aws:s3:::team-data/*"}]}""";

    private final TestingClock clock = new TestingClock(NOW);
    private TestingStsServer sts;

    @BeforeEach
    void start() {
        sts = TestingStsServer.start(clock);
    }

    @AfterEach
    void stop() {
        sts.close();
    }

    @Test
    void getSessionTokenGivesTemporaryCredentialsThatExpireAsAsked() {
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10))) {
            Credentials credentials = client.getSessionToken(request -> request.durationSeconds(900))
                    .credentials();

            IssuedCredentials issued = sts.issuedCredentials().get(0);
            assertThat(credentials.accessKeyId()).startsWith("ASIA").hasSize(20).isEqualTo(issued.accessKeyId());
            assertThat(credentials.secretAccessKey()).isEqualTo(issued.secretAccessKey());
            assertThat(credentials.sessionToken()).isNotBlank().isEqualTo(issued.sessionToken());
            assertThat(credentials.expiration()).isEqualTo(NOW.plusSeconds(900));
            assertThat(sts.requests())
                    .containsExactly(new ReceivedRequest(
                            "GetSessionToken",
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.of(900),
                            ACCESS_KEY_ID));

            clock.advance(Duration.ofHours(1));
            assertThat(client.getSessionToken().credentials().expiration())
                    .isEqualTo(NOW.plus(Duration.ofHours(1)).plus(Duration.ofHours(12)));
        }
    }

    @Test
    void assumeRoleWithASessionPolicy() {
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10))) {
            AssumeRoleResponse response = client.assumeRole(request -> request.roleArn(ROLE_ARN)
                    .roleSessionName("capstan-cluster-7")
                    .policy(SESSION_POLICY)
                    .durationSeconds(1800));

            assertThat(response.credentials().accessKeyId()).startsWith("ASIA");
            assertThat(response.credentials().sessionToken()).isNotBlank();
            assertThat(response.credentials().expiration()).isEqualTo(NOW.plusSeconds(1800));
            assertThat(response.assumedRoleUser().arn())
                    .isEqualTo("arn:aws:sts::111122223333:assumed-role/reader/capstan-cluster-7");
            assertThat(response.assumedRoleUser().assumedRoleId()).matches("AROA[A-Z2-7]{17}:capstan-cluster-7");
            assertThat(sts.requests())
                    .containsExactly(new ReceivedRequest(
                            "AssumeRole",
                            Optional.of(ROLE_ARN),
                            Optional.of("capstan-cluster-7"),
                            Optional.of(SESSION_POLICY),
                            Optional.of(1800),
                            ACCESS_KEY_ID));
        }
    }

    @Test
    void refusalsBecomeStsExceptionsWithTheirCodeAndAreNotRetried() {
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10))) {
            sts.failNextCalls(1, TestingStsServer.Failure.ACCESS_DENIED);

            assertThatThrownBy(() -> client.assumeRole(
                            request -> request.roleArn(ROLE_ARN).roleSessionName("capstan-cluster-7")))
                    .isInstanceOfSatisfying(StsException.class, exception -> {
                        assertThat(exception.statusCode()).isEqualTo(403);
                        assertThat(exception.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                    });
            assertThat(sts.requests()).hasSize(1);

            assertThatThrownBy(() -> client.getSessionToken(request -> request.durationSeconds(600)))
                    .isInstanceOfSatisfying(
                            StsException.class,
                            exception -> assertThat(exception.awsErrorDetails().errorCode())
                                    .isEqualTo("ValidationError"));
            assertThatThrownBy(() -> client.assumeRole(
                            request -> request.roleArn("arn:aws:s3:::bucket").roleSessionName("capstan-cluster-7")))
                    .isInstanceOfSatisfying(
                            StsException.class,
                            exception -> assertThat(exception.awsErrorDetails().errorCode())
                                    .isEqualTo("ValidationError"));
        }
    }

    @Test
    void temporaryCredentialsCannotMakeASessionToken() {
        Credentials temporary;
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10))) {
            temporary = client.getSessionToken().credentials();
        }
        StaticCredentialsProvider session = StaticCredentialsProvider.create(AwsSessionCredentials.create(
                temporary.accessKeyId(), temporary.secretAccessKey(), temporary.sessionToken()));
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10), session)) {
            assertThatThrownBy(client::getSessionToken)
                    .isInstanceOfSatisfying(
                            StsException.class,
                            exception -> assertThat(exception.awsErrorDetails().errorCode())
                                    .isEqualTo("AccessDenied"));
        }
        assertThat(sts.requests().get(1).accessKeyId()).isEqualTo(temporary.accessKeyId());
    }

    @Test
    void throttlingIsRetriedUpToTheConfiguredAttempts() {
        try (StsClient client = client(twoAttempts(), Duration.ofSeconds(10))) {
            sts.failNextCalls(1, TestingStsServer.Failure.THROTTLING);
            assertThat(client.getSessionToken().credentials().accessKeyId()).startsWith("ASIA");
            assertThat(sts.requests()).hasSize(2);

            sts.failNextCalls(2, TestingStsServer.Failure.THROTTLING);
            assertThatThrownBy(client::getSessionToken).isInstanceOfSatisfying(StsException.class, exception -> {
                assertThat(exception.statusCode()).isEqualTo(400);
                assertThat(exception.awsErrorDetails().errorCode()).isEqualTo("Throttling");
                assertThat(exception.isThrottlingException()).isTrue();
            });
            assertThat(sts.requests()).hasSize(4);
        }
    }

    @Test
    void throttlingIsNotRetriedWhenRetriesAreOff() {
        try (StsClient client = client(AwsRetryStrategy.doNotRetry(), Duration.ofSeconds(10))) {
            sts.failNextCalls(1, TestingStsServer.Failure.THROTTLING);

            assertThatThrownBy(client::getSessionToken)
                    .isInstanceOfSatisfying(
                            StsException.class,
                            exception -> assertThat(exception.awsErrorDetails().errorCode())
                                    .isEqualTo("Throttling"));
            assertThat(sts.requests()).hasSize(1);
        }
    }

    @Test
    void aSilentStsFailsWithinTheCallTimeout() {
        Duration callTimeout = Duration.ofSeconds(1);
        try (StsClient client = client(AwsRetryStrategy.doNotRetry(), callTimeout)) {
            sts.delayAnswers(Duration.ofMinutes(5));

            long started = System.nanoTime();
            assertThatThrownBy(client::getSessionToken).isInstanceOf(ApiCallTimeoutException.class);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

            assertThat(elapsed).isLessThan(callTimeout.multipliedBy(5));
            assertThat(sts.issuedCredentials()).isEmpty();
        }
    }

    @Test
    void unsignedRequestsAreRefused() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(sts.endpoint())
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(BodyPublishers.ofString("Action=GetSessionToken&Version=2011-06-15"))
                                .build(),
                        BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("<Code>MissingAuthenticationToken</Code>");
        assertThat(sts.requests()).isEmpty();
        assertThat(sts.issuedCredentials()).isEmpty();
    }

    /** Two attempts and no backoff, so a retry is visible in the request count without slowing the test. */
    private static RetryStrategy twoAttempts() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(2)
                .backoffStrategy(BackoffStrategy.retryImmediately())
                .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
                .build();
    }

    private StsClient client(RetryStrategy retryStrategy, Duration callTimeout) {
        return client(retryStrategy, callTimeout, LONG_TERM_CREDENTIALS);
    }

    private StsClient client(
            RetryStrategy retryStrategy, Duration callTimeout, StaticCredentialsProvider credentialsProvider) {
        return StsClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(sts.endpoint())
                .credentialsProvider(credentialsProvider)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(configuration ->
                        configuration.apiCallTimeout(callTimeout).retryStrategy(retryStrategy))
                .build();
    }
}
