package io.capstan.server;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Problem;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception services throw for anything a caller can be told about. It carries a stable {@link ErrorCode};
 * {@code io.capstan.server.http.ProblemHandler} turns it into problem details. The message is shown to the caller,
 * so it must never contain a secret.
 */
public final class CapstanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final Optional<String> field;
    private final Map<String, Object> context;

    public CapstanException(ErrorCode code, String message) {
        this(code, message, Optional.empty(), Map.of());
    }

    public CapstanException(ErrorCode code, String message, Optional<String> field, Map<String, Object> context) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.code = requireNonNull(code, "code is null");
        this.field = requireNonNull(field, "field is null");
        this.context = Map.copyOf(context);
    }

    public static CapstanException invalidField(String field, String message) {
        return new CapstanException(ErrorCode.INVALID_FIELD, message, Optional.of(field), Map.of());
    }

    public static CapstanException missingField(String field) {
        return new CapstanException(
                ErrorCode.MISSING_FIELD, "'" + field + "' is required", Optional.of(field), Map.of());
    }

    public static CapstanException invalidParameter(String parameter, String message) {
        return new CapstanException(ErrorCode.INVALID_PARAMETER, message, Optional.of(parameter), Map.of());
    }

    /** The answer for anything the caller may not see: the same as for something that never existed. */
    public static CapstanException notFound(String what) {
        return new CapstanException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static CapstanException forbidden(String message) {
        return new CapstanException(ErrorCode.FORBIDDEN, message);
    }

    public static CapstanException alreadyExists(String message) {
        return new CapstanException(ErrorCode.ALREADY_EXISTS, message);
    }

    public static CapstanException invalidState(String message) {
        return new CapstanException(ErrorCode.INVALID_STATE, message);
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<String> field() {
        return field;
    }

    public Map<String, Object> context() {
        return context;
    }

    public Problem toProblem() {
        return Problem.of(code, getMessage(), field, context);
    }
}
