package io.capstan.client;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Problem;
import java.util.Optional;

/** The server refused a request; {@link #problem()} says why, with a stable code. */
public final class CapstanApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // records are not serialized here
    private final Problem problem;

    public CapstanApiException(Problem problem) {
        super(problem.detail() + " (" + problem.code() + ", HTTP " + problem.status() + ")");
        this.problem = requireNonNull(problem, "problem is null");
    }

    public Problem problem() {
        return problem;
    }

    public int status() {
        return problem.status();
    }

    public Optional<ErrorCode> code() {
        return ErrorCode.fromCode(problem.code());
    }
}
