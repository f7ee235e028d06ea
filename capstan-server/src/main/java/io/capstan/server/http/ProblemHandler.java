package io.capstan.server.http;

import io.capstan.api.ErrorCode;
import io.capstan.api.Json;
import io.capstan.api.Problem;
import io.capstan.server.CapstanException;
import io.capstan.server.store.StorageFailures;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become answers: RFC 9457 problem details with a stable code. A failure that is not
 * the caller's gets a 500 with an incident id that matches a log line; no stack trace or internal message ever
 * reaches a client.
 */
public final class ProblemHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    private ProblemHandler() {}

    public static void handle(Exception exception, Context ctx) {
        if (exception instanceof CapstanException capstan) {
            if (capstan.code().httpStatus() >= 500) {
                answerIncident(
                        ctx,
                        capstan.code(),
                        capstan.code().code(),
                        capstan,
                        incident -> capstan.getMessage() + " (incident " + incident + ")");
                return;
            }
            log.debug(
                    "{} {} refused: {}",
                    ctx.method(),
                    HttpApi.routeOf(ctx),
                    capstan.code().code());
            write(ctx, capstan.toProblem());
            return;
        }
        if (exception instanceof HttpResponseException http) {
            write(ctx, fromStatus(http.getStatus()));
            return;
        }
        if (StorageFailures.isStorageFailure(exception)) {
            ctx.header("Retry-After", "5");
            answerIncident(
                    ctx,
                    ErrorCode.STORAGE_UNAVAILABLE,
                    "the database is unreachable or its disk is full; requests are answered 503 until it recovers",
                    exception,
                    incident -> "the server's database is unavailable (unreachable, or its disk is full); try again"
                            + " later, or give the operator the incident id " + incident);
            return;
        }
        answerIncident(
                ctx,
                ErrorCode.INTERNAL_ERROR,
                "unexpected failure",
                exception,
                incident -> "the server failed to answer; give the operator the incident id " + incident);
    }

    /**
     * A failure that is not the caller's: logged in full with a new incident id, answered with only that id, so the
     * operator can find the one log line that explains it.
     */
    private static void answerIncident(
            Context ctx, ErrorCode code, String what, Exception cause, Function<String, String> detail) {
        String incident = UUID.randomUUID().toString();
        log.error("incident {}: {} on {} {}", incident, what, ctx.method(), HttpApi.routeOf(ctx), cause);
        write(ctx, Problem.of(code, detail.apply(incident), Optional.empty(), Map.of("incident", incident)));
    }

    /** The problem for a status Javalin or Jetty produced on its own, such as 404 for an unknown path. */
    static Problem fromStatus(int status) {
        return switch (status) {
            case 400 -> Problem.of(ErrorCode.MALFORMED_JSON, "the request is malformed", Optional.empty(), Map.of());
            case 404 -> Problem.of(ErrorCode.NOT_FOUND, "no such resource", Optional.empty(), Map.of());
            case 405 ->
                Problem.of(ErrorCode.METHOD_NOT_ALLOWED, "this method is not allowed here", Optional.empty(), Map.of());
            case 413 -> Problem.of(ErrorCode.BODY_TOO_LARGE, "the request is too large", Optional.empty(), Map.of());
            case 415 ->
                Problem.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported content type", Optional.empty(), Map.of());
            default -> Problem.of(ErrorCode.INTERNAL_ERROR, "the server failed to answer", Optional.empty(), Map.of());
        };
    }

    static void write(Context ctx, Problem problem) {
        if (problem.code().equals(ErrorCode.RATE_LIMITED.code())) {
            Object retryAfter = problem.context().get("retryAfterSeconds");
            if (retryAfter != null) {
                ctx.header("Retry-After", retryAfter.toString());
            }
        }
        ctx.status(problem.status())
                .contentType(Problem.MEDIA_TYPE)
                .result(Json.strict().writeValueAsString(problem));
    }
}
