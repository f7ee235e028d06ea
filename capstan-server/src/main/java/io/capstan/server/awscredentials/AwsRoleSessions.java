package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.server.CapstanException;
import io.capstan.server.internal.Secret;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.StsException;

/**
 * Assumes accounts' AWS roles through STS {@code AssumeRole}, with the control plane's own AWS credentials (the
 * SDK's default chain: environment, system properties, profile, container or instance role). Every call is bounded
 * by the STS call timeout, retried at most {@link #MAXIMUM_ATTEMPTS} times in all, and its failures become {@link
 * CapstanException}s: a refusal by STS is {@link ErrorCode#AWS_ROLE_REFUSED}, an STS that cannot be reached, is
 * throttling or has no credentials to be called with is {@link ErrorCode#UNAVAILABLE}. Thread-safe.
 */
public final class AwsRoleSessions implements AutoCloseable {
    public static final int MAXIMUM_ATTEMPTS = 3;

    private static final Pattern ROLE_ARN =
            Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}");
    private static final int MAXIMUM_ROLE_ARN = 2048;
    /** STS's limit on the plaintext of a session policy. */
    private static final int MAXIMUM_SESSION_POLICY = 2048;

    private final StsClient sts;
    private final Duration sessionDuration;

    AwsRoleSessions(StsClient sts, Duration sessionDuration) {
        this.sts = requireNonNull(sts, "sts is null");
        this.sessionDuration = requireNonNull(sessionDuration, "sessionDuration is null");
    }

    /** Sessions of {@code settings.roleSessionDuration()}, with credentials from the SDK's default chain. */
    public static AwsRoleSessions create(AwsSettings settings) {
        return create(settings, DefaultCredentialsProvider.builder().build());
    }

    public static AwsRoleSessions create(AwsSettings settings, AwsCredentialsProvider credentials) {
        Duration attemptTimeout = settings.stsCallTimeout().dividedBy(MAXIMUM_ATTEMPTS);
        StsClientBuilder builder = StsClient.builder()
                .region(Region.of(settings.stsRegion()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(attemptTimeout)
                        .socketTimeout(attemptTimeout))
                .overrideConfiguration(configuration -> configuration
                        .apiCallTimeout(settings.stsCallTimeout())
                        .apiCallAttemptTimeout(attemptTimeout)
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(MAXIMUM_ATTEMPTS)
                                .build()));
        settings.stsEndpoint().ifPresent(builder::endpointOverride);
        return new AwsRoleSessions(builder.build(), settings.roleSessionDuration());
    }

    /** Checks a role ARN as an account admin sets it; a 400 naming the problem otherwise. */
    public static String validateRoleArn(String roleArn) {
        if (roleArn == null) {
            throw CapstanException.missingField("roleArn");
        }
        if (roleArn.length() > MAXIMUM_ROLE_ARN || !ROLE_ARN.matcher(roleArn).matches()) {
            throw CapstanException.invalidField(
                    "roleArn", "'roleArn' must be the ARN of an IAM role, like arn:aws:iam::123456789012:role/reader");
        }
        return roleArn;
    }

    /** Checks a session policy: a JSON object of at most 2048 characters, as STS requires. */
    public static String validateSessionPolicy(String policy) {
        if (policy.length() > MAXIMUM_SESSION_POLICY) {
            throw CapstanException.invalidField(
                    "sessionPolicy", "'sessionPolicy' must be at most " + MAXIMUM_SESSION_POLICY + " characters");
        }
        try {
            if (!io.capstan.api.Json.strict().readTree(policy).isObject()) {
                throw CapstanException.invalidField(
                        "sessionPolicy", "'sessionPolicy' must be an IAM policy document, a JSON object");
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw CapstanException.invalidField(
                    "sessionPolicy", "'sessionPolicy' must be an IAM policy document, a JSON object");
        }
        return policy;
    }

    /** Credentials of {@code roleArn}, narrowed by {@code sessionPolicy}, for the session named {@code sessionName}. */
    public SessionCredentials assume(String roleArn, Optional<String> sessionPolicy, String sessionName) {
        try {
            Credentials credentials = sts.assumeRole(request -> request.roleArn(roleArn)
                            .roleSessionName(sessionName)
                            .policy(sessionPolicy.orElse(null))
                            .durationSeconds((int) sessionDuration.toSeconds()))
                    .credentials();
            return new SessionCredentials(
                    credentials.accessKeyId(),
                    new Secret(credentials.secretAccessKey()),
                    new Secret(credentials.sessionToken()),
                    credentials.expiration());
        } catch (StsException e) {
            String code = Optional.ofNullable(e.awsErrorDetails())
                    .map(details -> details.errorCode())
                    .orElse("unknown");
            String message = Optional.ofNullable(e.awsErrorDetails())
                    .map(details -> details.errorMessage())
                    .orElse("no message");
            if (e.isThrottlingException() || e.statusCode() >= 500) {
                throw new CapstanException(
                        ErrorCode.UNAVAILABLE,
                        "STS did not assume role " + roleArn + " (" + code + ", after " + MAXIMUM_ATTEMPTS
                                + " attempts); try again later");
            }
            throw new CapstanException(
                    ErrorCode.AWS_ROLE_REFUSED,
                    "STS refused to assume role " + roleArn + ": " + code + ": " + message,
                    Optional.empty(),
                    Map.of("stsErrorCode", code));
        } catch (SdkClientException e) {
            throw new CapstanException(
                    ErrorCode.UNAVAILABLE,
                    "the control plane could not call STS to assume role " + roleArn + " (" + firstLine(e.getMessage())
                            + "); try again later");
        } catch (SdkException e) {
            throw new CapstanException(
                    ErrorCode.UNAVAILABLE,
                    "the control plane could not call STS to assume role " + roleArn + " ("
                            + e.getClass().getSimpleName() + "); try again later");
        }
    }

    private static String firstLine(String message) {
        String text = message == null ? "no message" : message;
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

    @Override
    public void close() {
        sts.close();
    }
}
