package io.capstan.server.telemetry.prometheus;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * A {@code /metrics} payload that is not the Prometheus text format or exceeds a {@link PrometheusLimits} bound. It
 * is checked because the payload comes from outside Capstan: every caller must decide what a broken scheduler means
 * for it. The message quotes at most a short, escaped excerpt of the payload, so it is safe to log and cannot be used
 * to flood or forge log lines.
 */
public final class PrometheusFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final OptionalInt lineNumber;

    PrometheusFormatException(String message, OptionalInt lineNumber) {
        // No stack trace: it would always point into the parser, and hostile input may make this frequent.
        super(requireNonNull(message, "message is null"), null, false, false);
        this.lineNumber = requireNonNull(lineNumber, "lineNumber is null");
    }

    /** The 1-based line at fault, or empty when the payload as a whole is (for example, too large). */
    public OptionalInt lineNumber() {
        return lineNumber;
    }

    @Override
    public String getMessage() {
        String message = super.getMessage();
        return lineNumber.isPresent() ? "line " + lineNumber.getAsInt() + ": " + message : message;
    }
}
