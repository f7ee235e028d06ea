package io.capstan.api;

import java.util.Locale;

/**
 * The stable, machine-readable error codes of Capstan's API. Each one travels as the {@code code} member of a
 * problem-details answer; clients branch on it, so a code never changes meaning once released.
 */
public enum ErrorCode {
    MALFORMED_JSON(400),
    UNKNOWN_FIELD(400),
    MISSING_FIELD(400),
    INVALID_FIELD(400),
    INVALID_PARAMETER(400),
    /** An AWS access key id of a long-term key ({@code AKIA…}): only temporary session credentials are forwarded. */
    AWS_LONG_TERM_KEY(400),
    /** AWS credentials without a session token or without an expiry, or already (nearly) expired. */
    AWS_CREDENTIALS_NOT_TEMPORARY(400),
    /** STS refused to assume the account's AWS role (the role, its trust policy or the session policy is wrong). */
    AWS_ROLE_REFUSED(400),
    UNAUTHENTICATED(401),
    MALFORMED_AUTHORIZATION(401),
    TOKEN_INVALID(401),
    TOKEN_EXPIRED(401),
    TOKEN_REVOKED(401),
    INSUFFICIENT_SCOPE(403),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    ALREADY_EXISTS(409),
    INVALID_STATE(409),
    QUOTA_EXCEEDED(409),
    IDEMPOTENCY_KEY_REUSED(409),
    /** A cluster asked for the account's AWS role, but the account has none. */
    AWS_ROLE_NOT_SET(409),
    BODY_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    RATE_LIMITED(429),
    DECRYPTION_FAILED(500),
    INTERNAL_ERROR(500),
    UNAVAILABLE(503),
    STORAGE_UNAVAILABLE(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code as it appears on the wire, for example {@code quota_exceeded}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static java.util.Optional<ErrorCode> fromCode(String code) {
        for (ErrorCode candidate : values()) {
            if (candidate.code().equals(code)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
