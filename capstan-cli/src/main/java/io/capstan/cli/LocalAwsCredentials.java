package io.capstan.cli;

import io.capstan.api.Durations;
import io.capstan.api.aws.AwsSessionCredentials;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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
 * The user's own AWS credentials, made fit to forward to a cluster: never a long-term key. They are found like any
 * AWS SDK finds them: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN} in the
 * environment, else the SDK's default chain (profiles, SSO, credential processes, container and instance roles).
 * Long-term keys are exchanged for a session token with STS {@code GetSessionToken}; credentials that already are
 * session credentials are forwarded as they are, with their expiry (from the provider, or {@code
 * AWS_CREDENTIAL_EXPIRATION}); when their expiry is unknown a short lifetime is assumed, and said.
 *
 * <p>{@code CAPSTAN_STS_ENDPOINT} points the STS calls elsewhere; it exists for tests against a stub and is not
 * meant for users.
 */
final class LocalAwsCredentials {
    /** What is assumed of session credentials whose expiry nobody says. */
    static final Duration UNKNOWN_EXPIRY_LIFETIME = Duration.ofMinutes(15);

    static final Duration DEFAULT_SESSION_DURATION = Duration.ofHours(12);
    private static final Duration MINIMUM_SESSION_DURATION = Duration.ofMinutes(15);
    private static final Duration MAXIMUM_SESSION_DURATION = Duration.ofHours(36);
    private static final Duration STS_CALL_TIMEOUT = Duration.ofSeconds(20);

    private LocalAwsCredentials() {}

    /** Credentials to forward, and a sentence for the user about where they came from and when they expire. */
    record Forwardable(AwsSessionCredentials credentials, Instant expiration, String description) {}

    /** Parses {@code --aws-session-duration}; null means the default. */
    static Duration sessionDuration(String value) {
        if (value == null) {
            return DEFAULT_SESSION_DURATION;
        }
        Duration duration;
        try {
            duration = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CliException("--aws-session-duration must be a duration like 12h or 90m");
        }
        if (duration.compareTo(MINIMUM_SESSION_DURATION) < 0 || duration.compareTo(MAXIMUM_SESSION_DURATION) > 0) {
            throw new CliException("--aws-session-duration must be between 15m and 36h, as STS allows");
        }
        return duration;
    }

    static Forwardable resolve(Map<String, String> environment, Duration sessionDuration, Clock clock) {
        AwsCredentials local = find(environment);
        if (local instanceof software.amazon.awssdk.auth.credentials.AwsSessionCredentials session) {
            return forwardAsTheyAre(session, environment, clock);
        }
        return sessionToken(local, environment, sessionDuration);
    }

    private static AwsCredentials find(Map<String, String> environment) {
        String keyId = environment.get("AWS_ACCESS_KEY_ID");
        String secret = environment.get("AWS_SECRET_ACCESS_KEY");
        if (keyId != null && !keyId.isBlank()) {
            if (secret == null || secret.isBlank()) {
                throw new CliException("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
            }
            String token = environment.get("AWS_SESSION_TOKEN");
            return token == null || token.isBlank()
                    ? AwsBasicCredentials.create(keyId.trim(), secret.trim())
                    : software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(
                            keyId.trim(), secret.trim(), token.trim());
        }
        try (DefaultCredentialsProvider chain =
                DefaultCredentialsProvider.builder().build()) {
            return chain.resolveCredentials();
        } catch (SdkClientException e) {
            throw new CliException("no AWS credentials found on this machine (environment, profiles, SSO, instance"
                    + " role); configure them as for the AWS CLI, or create the cluster without"
                    + " --forward-aws-credentials");
        }
    }

    private static Forwardable forwardAsTheyAre(
            software.amazon.awssdk.auth.credentials.AwsSessionCredentials session,
            Map<String, String> environment,
            Clock clock) {
        Optional<Instant> known = session.expirationTime().or(() -> expirationFromEnvironment(environment));
        Instant expiration = known.orElse(clock.instant().plus(UNKNOWN_EXPIRY_LIFETIME));
        String description = known.isPresent()
                ? "Your AWS credentials are session credentials already; forwarding them as they are. They expire at "
                        + Output.time(expiration) + "."
                : "Your AWS credentials are session credentials already, but their expiry is unknown (set"
                        + " AWS_CREDENTIAL_EXPIRATION to say it); assuming they expire in "
                        + UNKNOWN_EXPIRY_LIFETIME.toMinutes() + " minutes, at " + Output.time(expiration)
                        + ". Forward fresh ones with 'capstan cluster forward-credentials' before then.";
        return new Forwardable(
                new AwsSessionCredentials(
                        session.accessKeyId(),
                        session.secretAccessKey(),
                        Optional.of(session.sessionToken()),
                        Optional.of(expiration)),
                expiration,
                description);
    }

    private static Optional<Instant> expirationFromEnvironment(Map<String, String> environment) {
        return Optional.ofNullable(environment.get("AWS_CREDENTIAL_EXPIRATION"))
                .filter(value -> !value.isBlank())
                .map(value -> {
                    try {
                        return Instant.parse(value.trim());
                    } catch (DateTimeParseException e) {
                        throw new CliException(
                                "AWS_CREDENTIAL_EXPIRATION must be an ISO-8601 time like" + " 2030-01-02T03:04:05Z");
                    }
                });
    }

    private static Forwardable sessionToken(
            AwsCredentials longTerm, Map<String, String> environment, Duration sessionDuration) {
        StsClientBuilder builder = StsClient.builder()
                .region(Region.of(Optional.ofNullable(environment.get("AWS_REGION"))
                        .or(() -> Optional.ofNullable(environment.get("AWS_DEFAULT_REGION")))
                        .filter(value -> !value.isBlank())
                        .orElse("us-east-1")))
                .credentialsProvider(StaticCredentialsProvider.create(longTerm))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(configuration -> configuration
                        .apiCallTimeout(STS_CALL_TIMEOUT)
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(3)
                                .build()));
        Optional.ofNullable(environment.get("CAPSTAN_STS_ENDPOINT"))
                .filter(value -> !value.isBlank())
                .map(URI::create)
                .ifPresent(builder::endpointOverride);
        try (StsClient sts = builder.build()) {
            Credentials credentials = sts.getSessionToken(
                            request -> request.durationSeconds((int) sessionDuration.toSeconds()))
                    .credentials();
            return new Forwardable(
                    new AwsSessionCredentials(
                            credentials.accessKeyId(),
                            credentials.secretAccessKey(),
                            Optional.of(credentials.sessionToken()),
                            Optional.of(credentials.expiration())),
                    credentials.expiration(),
                    "Made a session token from your AWS credentials (STS GetSessionToken, "
                            + Durations.format(sessionDuration) + "); your long-term key stays on this machine. It"
                            + " expires at " + Output.time(credentials.expiration()) + ".");
        } catch (StsException e) {
            String code = Optional.ofNullable(e.awsErrorDetails())
                    .map(details -> details.errorCode())
                    .orElse("unknown");
            String message = Optional.ofNullable(e.awsErrorDetails())
                    .map(details -> details.errorMessage())
                    .orElse("");
            throw new CliException("STS refused to make a session token from your AWS credentials: " + code
                    + (message.isEmpty() ? "" : ": " + message));
        } catch (SdkException e) {
            throw new CliException("could not reach STS to make a session token from your AWS credentials ("
                    + e.getClass().getSimpleName() + "); try again");
        }
    }
}
