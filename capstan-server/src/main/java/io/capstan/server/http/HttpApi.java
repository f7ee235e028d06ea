package io.capstan.server.http;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Scope;
import io.capstan.server.CapstanException;
import io.capstan.server.auth.AuthFailureLimiter;
import io.capstan.server.auth.Authenticator;
import io.capstan.server.auth.Caller;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface of the server, assembled in one place: every route with its access rule, the access filter
 * that authenticates before any handler runs, problem details for every failure, security headers, request
 * metrics and a request log that never contains a query string, a header or a body.
 */
public final class HttpApi {
    private static final Logger requestLog = LoggerFactory.getLogger("io.capstan.server.requests");
    private static final String TIMER_ATTRIBUTE = "capstan.timer";

    private final List<ApiRoute> routes;
    private final Authenticator authenticator;
    private final AuthFailureLimiter limiter;
    private final MeterRegistry meters;

    public HttpApi(
            List<RouteProvider> providers,
            Authenticator authenticator,
            AuthFailureLimiter limiter,
            MeterRegistry meters) {
        List<ApiRoute> all = new ArrayList<>();
        providers.forEach(provider -> all.addAll(provider.routes()));
        Set<String> seen = new HashSet<>();
        for (ApiRoute route : all) {
            if (!seen.add(route.method() + " " + route.path())) {
                throw new IllegalStateException("route defined twice: " + route.method() + " " + route.path());
            }
        }
        this.routes = List.copyOf(all);
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.meters = requireNonNull(meters, "meters is null");
    }

    public List<ApiRoute> routes() {
        return routes;
    }

    public void configure(JavalinConfig config) {
        config.jsonMapper(new JacksonJsonMapper());
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.prefer405over404 = false;
        config.router.ignoreTrailingSlashes = false;
        config.requestLogger.http((ctx, milliseconds) -> requestLog.info(
                "{} {} {} {}ms", ctx.method(), routeOf(ctx), ctx.statusCode(), Math.round(milliseconds)));

        config.routes.before(ctx -> {
            ctx.attribute(TIMER_ATTRIBUTE, Timer.start(meters));
            ctx.header("Cache-Control", "no-store");
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Referrer-Policy", "no-referrer");
        });
        config.routes.beforeMatched(this::checkAccess);
        for (ApiRoute route : routes) {
            config.routes.addHttpHandler(route.method(), route.path(), route.handler(), route.access());
        }
        config.routes.after(this::recordMetrics);
        config.routes.exception(Exception.class, ProblemHandler::handle);
        config.routes.error(HttpStatus.NOT_FOUND, ctx -> writeIfEmpty(ctx, 404));
        config.routes.error(HttpStatus.METHOD_NOT_ALLOWED, ctx -> writeIfEmpty(ctx, 405));
        config.routes.error(HttpStatus.CONTENT_TOO_LARGE, ctx -> writeIfEmpty(ctx, 413));
    }

    private static void writeIfEmpty(Context ctx, int status) {
        String contentType = ctx.res().getContentType();
        if (contentType == null || !contentType.startsWith(io.capstan.api.Problem.MEDIA_TYPE)) {
            ProblemHandler.write(ctx, ProblemHandler.fromStatus(status));
        }
    }

    private void checkAccess(Context ctx) {
        Access access = ctx.routeRoles().stream()
                .filter(Access.class::isInstance)
                .map(Access.class::cast)
                .findFirst()
                .orElse(Access.ADMIN);
        if (access == Access.PUBLIC) {
            return;
        }
        String address = ctx.ip();
        Optional<Duration> retryAfter = limiter.retryAfter(address);
        if (retryAfter.isPresent()) {
            long seconds =
                    Math.max(1, retryAfter.get().toSeconds() + (retryAfter.get().toMillisPart() > 0 ? 1 : 0));
            throw new CapstanException(
                    ErrorCode.RATE_LIMITED,
                    "too many failed authentications from this address; try again in " + seconds + " s",
                    Optional.empty(),
                    Map.of("retryAfterSeconds", seconds));
        }
        Caller caller;
        try {
            caller = authenticator.authenticate(Optional.ofNullable(ctx.header("Authorization")));
        } catch (CapstanException e) {
            limiter.recordFailure(address);
            throw e;
        }
        Scope needed = access.minimumScope().orElseThrow();
        if (!caller.scope().includes(needed)) {
            throw new CapstanException(
                    ErrorCode.INSUFFICIENT_SCOPE,
                    "this route needs a token with scope '" + needed.wireName() + "'; this one has '"
                            + caller.scope().wireName() + "'");
        }
        ctx.attribute(Requests.CALLER_ATTRIBUTE, caller);
    }

    /** The template of the route that matched, such as {@code /api/v1/accounts/{account}}. */
    static String routeOf(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        return matched == null ? "<unmatched>" : matched.path;
    }

    private void recordMetrics(Context ctx) {
        Timer.Sample sample = ctx.attribute(TIMER_ATTRIBUTE);
        if (sample == null) {
            return;
        }
        String route = routeOf(ctx);
        sample.stop(Timer.builder("capstan.http.requests")
                .description("HTTP requests served by the API")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .register(meters));
    }
}
