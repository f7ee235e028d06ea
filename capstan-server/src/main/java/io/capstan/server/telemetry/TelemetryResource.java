package io.capstan.server.telemetry;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Durations;
import io.capstan.api.Items;
import io.capstan.api.telemetry.AccountUsage;
import io.capstan.api.telemetry.ClusterMetrics;
import io.capstan.server.CapstanException;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

public final class TelemetryResource implements RouteProvider {
    private final TelemetryService telemetry;

    public TelemetryResource(TelemetryService telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/clusters/{id}/metrics")
                        .access(Access.READ)
                        .summary("A cluster's telemetry: its summary and its history (?since=1h)")
                        .returns(ClusterMetrics.class)
                        .handle(ctx -> ctx.json(telemetry.metrics(
                                Requests.caller(ctx),
                                ctx.pathParam("id"),
                                duration("since", Requests.query(ctx, "since"), Duration.ofHours(1))))),
                ApiRoute.get("/api/v1/usage")
                        .access(Access.READ)
                        .summary("Usage of your accounts over all their clusters' runs (?since=30d, ?account=NAME)")
                        .returns(Types.itemsOf(AccountUsage.class))
                        .handle(ctx -> ctx.json(new Items<>(telemetry.usage(
                                Requests.caller(ctx),
                                Requests.query(ctx, "account"),
                                duration("since", Requests.query(ctx, "since"), Duration.ofDays(30)))))));
    }

    /** A query parameter such as {@code 30d}, with a default, never beyond ten years. */
    public static Duration duration(String name, Optional<String> value, Duration fallback) {
        try {
            Duration duration = value.map(Durations::parse).orElse(fallback);
            if (duration.compareTo(Duration.ofDays(3660)) > 0) {
                throw CapstanException.invalidParameter(name, "'" + name + "' must be at most 3660d");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            throw CapstanException.invalidParameter(name, "'" + name + "' must be a duration like 30d or 2h");
        }
    }
}
