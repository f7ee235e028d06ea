package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Json;
import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.server.CapstanException;
import io.capstan.server.internal.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Temporary AWS credentials as the control plane holds them: the secret parts are {@link Secret}s, so printing one
 * shows nothing. Only {@link #forWire()} (for the credentials endpoint) and {@link #toStoredBytes()} (to be
 * encrypted) read them.
 */
public record SessionCredentials(String accessKeyId, Secret secretAccessKey, Secret sessionToken, Instant expiration) {
    /** Temporary access key ids start with ASIA; long-term ones with AKIA. Both are 16 to 128 characters. */
    private static final Pattern TEMPORARY_KEY_ID = Pattern.compile("ASIA[A-Z0-9]{12,124}");

    private static final Pattern LONG_TERM_KEY_ID = Pattern.compile("AKIA[A-Z0-9]{12,124}");
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9+/=]{16,128}");
    private static final int MAXIMUM_SESSION_TOKEN = 8192;
    /** Credentials that expire sooner than this are refused: they would be useless before a worker used them. */
    static final Duration MINIMUM_REMAINING = Duration.ofMinutes(2);
    /** GetSessionToken's own maximum: nothing temporary lives longer. */
    static final Duration MAXIMUM_REMAINING = Duration.ofHours(36);

    public SessionCredentials {
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(secretAccessKey, "secretAccessKey is null");
        requireNonNull(sessionToken, "sessionToken is null");
        requireNonNull(expiration, "expiration is null");
    }

    /**
     * Checks credentials a user sent: temporary (an ASIA key id with a session token and an expiry), well-formed,
     * and neither (nearly) expired nor longer-lived than STS allows. Every refusal is a 400 naming what is wrong,
     * never echoing a value.
     */
    public static SessionCredentials validated(AwsSessionCredentials sent, Instant now) {
        String keyId = Optional.ofNullable(sent.accessKeyId())
                .orElseThrow(() -> CapstanException.missingField("awsCredentials.accessKeyId"));
        if (LONG_TERM_KEY_ID.matcher(keyId).matches()) {
            throw new CapstanException(
                    ErrorCode.AWS_LONG_TERM_KEY,
                    "the access key id starts with AKIA: it is a long-term key, and Capstan forwards only temporary"
                            + " session credentials. Let the CLI make a session token (capstan cluster create"
                            + " --forward-aws-credentials) or send the result of 'aws sts get-session-token'",
                    Optional.of("awsCredentials.accessKeyId"),
                    java.util.Map.of());
        }
        if (!TEMPORARY_KEY_ID.matcher(keyId).matches()) {
            throw CapstanException.invalidField(
                    "awsCredentials.accessKeyId",
                    "'awsCredentials.accessKeyId' must be the access key id of temporary credentials (ASIA followed"
                            + " by 12 to 124 capital letters and digits)");
        }
        String secret = Optional.ofNullable(sent.secretAccessKey())
                .orElseThrow(() -> CapstanException.missingField("awsCredentials.secretAccessKey"));
        if (!SECRET.matcher(secret).matches()) {
            throw CapstanException.invalidField(
                    "awsCredentials.secretAccessKey",
                    "'awsCredentials.secretAccessKey' must be 16 to 128 characters of base64");
        }
        String token = sent.sessionToken()
                .filter(value -> !value.isEmpty())
                .orElseThrow(() -> notTemporary(
                        "awsCredentials.sessionToken",
                        "the credentials have no session token: only temporary session credentials are forwarded"));
        if (token.length() > MAXIMUM_SESSION_TOKEN || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw CapstanException.invalidField(
                    "awsCredentials.sessionToken",
                    "'awsCredentials.sessionToken' must be at most " + MAXIMUM_SESSION_TOKEN
                            + " printable ASCII characters");
        }
        Instant expiration = sent.expiration()
                .orElseThrow(
                        () -> notTemporary(
                                "awsCredentials.expiration",
                                "the credentials have no expiry: only temporary credentials with a known expiry are forwarded"));
        if (expiration.isBefore(now.plus(MINIMUM_REMAINING))) {
            throw notTemporary(
                    "awsCredentials.expiration",
                    "the credentials expire at " + expiration + ", in less than " + MINIMUM_REMAINING.toMinutes()
                            + " minutes; get fresh ones");
        }
        if (expiration.isAfter(now.plus(MAXIMUM_REMAINING))) {
            throw notTemporary(
                    "awsCredentials.expiration",
                    "the credentials claim to expire at " + expiration + ", more than " + MAXIMUM_REMAINING.toHours()
                            + " hours from now, which no temporary AWS credentials do");
        }
        return new SessionCredentials(keyId, new Secret(secret), new Secret(token), expiration);
    }

    private static CapstanException notTemporary(String field, String message) {
        return new CapstanException(
                ErrorCode.AWS_CREDENTIALS_NOT_TEMPORARY, message, Optional.of(field), java.util.Map.of());
    }

    /** The stored form of the three parts, to be encrypted; the expiry is kept in its own column. */
    private record Stored(String accessKeyId, String secretAccessKey, String sessionToken) {}

    byte[] toStoredBytes() {
        return Json.strict()
                .writeValueAsBytes(new Stored(accessKeyId, secretAccessKey.reveal(), sessionToken.reveal()));
    }

    static SessionCredentials fromStoredBytes(byte[] bytes, Instant expiration) {
        Stored stored = Json.strict().readValue(new String(bytes, StandardCharsets.UTF_8), Stored.class);
        return new SessionCredentials(
                stored.accessKeyId(),
                new Secret(stored.secretAccessKey()),
                new Secret(stored.sessionToken()),
                expiration);
    }

    /** The answer of the container credentials protocol, in its own member names, which botocore and the SDKs read. */
    byte[] forWire() {
        java.util.Map<String, String> answer = new java.util.LinkedHashMap<>();
        answer.put("AccessKeyId", accessKeyId);
        answer.put("SecretAccessKey", secretAccessKey.reveal());
        answer.put("Token", sessionToken.reveal());
        answer.put("Expiration", expiration.toString());
        return Json.strict().writeValueAsBytes(answer);
    }
}
