package io.capstan.server.system;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Health;
import io.capstan.server.CapstanException;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.OpenApiDocument;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The routes about the server itself: health (public), {@code security.txt} (public, RFC 9116), the OpenAPI
 * description and the server's own Prometheus metrics (server administrators only).
 */
public final class SystemResource implements RouteProvider {
    private final String version;
    private final String securityContact;
    private final PrometheusMeterRegistry meters;
    private final Supplier<List<ApiRoute>> allRoutes;
    private final Clock clock;

    public SystemResource(
            String version,
            String securityContact,
            PrometheusMeterRegistry meters,
            Supplier<List<ApiRoute>> allRoutes,
            Clock clock) {
        this.version = requireNonNull(version, "version is null");
        this.securityContact = requireNonNull(securityContact, "securityContact is null");
        this.meters = requireNonNull(meters, "meters is null");
        this.allRoutes = requireNonNull(allRoutes, "allRoutes is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/healthz")
                        .access(Access.PUBLIC)
                        .summary("Liveness: answers while the server serves")
                        .returns(Health.class)
                        .handle(ctx -> ctx.json(new Health("ok", version))),
                ApiRoute.get("/.well-known/security.txt")
                        .access(Access.PUBLIC)
                        .summary("How to report a vulnerability (RFC 9116)")
                        .returns(String.class)
                        .handle(ctx ->
                                ctx.contentType("text/plain; charset=utf-8").result(securityTxt())),
                ApiRoute.get("/api/v1/openapi.json")
                        .access(Access.READ)
                        .summary("This description of the API")
                        .returns(Map.class)
                        .handle(ctx -> ctx.json(OpenApiDocument.describe(allRoutes.get(), version))),
                ApiRoute.get("/metrics")
                        .access(Access.READ)
                        .summary("The server's own metrics in Prometheus text format (server administrators)")
                        .returns(String.class)
                        .handle(ctx -> {
                            if (!Requests.caller(ctx).isServerAdmin()) {
                                throw CapstanException.forbidden("only server administrators read server metrics");
                            }
                            ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                                    .result(meters.scrape());
                        }));
    }

    /** RFC 9116: Contact and Expires are required; Expires is kept well under a year ahead, as it recommends. */
    String securityTxt() {
        String expires = DateTimeFormatter.ISO_INSTANT.format(
                clock.instant().plus(Duration.ofDays(180)).truncatedTo(ChronoUnit.SECONDS));
        return "Contact: " + securityContact + "\n" + "Expires: " + expires + "\n" + "Preferred-Languages: en\n";
    }
}
