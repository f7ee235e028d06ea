package io.capstan.server.cluster;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.aws.AwsCredentialsStatus;
import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterLogs;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.cluster.ScaleClusterRequest;
import io.capstan.server.CapstanException;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import io.capstan.server.telemetry.TelemetryResource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

public final class ClusterResource implements RouteProvider {
    private final ClusterService clusters;
    private final JsonBodies bodies;
    private final Clock clock;

    public ClusterResource(ClusterService clusters, JsonBodies bodies, Clock clock) {
        this.clusters = requireNonNull(clusters, "clusters is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/clusters")
                        .access(Access.CLUSTERS)
                        .summary("Create a Dask cluster; retry safely with an Idempotency-Key header")
                        .accepts(CreateClusterRequest.class)
                        .returns(ClusterView.class)
                        .status(201)
                        .handle(ctx -> {
                            ClusterService.Created created = clusters.create(
                                    Requests.caller(ctx),
                                    bodies.read(ctx, CreateClusterRequest.class),
                                    Optional.ofNullable(ctx.header("Idempotency-Key")));
                            if (created.replayed()) {
                                ctx.header("Idempotent-Replayed", "true");
                            }
                            ctx.status(201).json(created.cluster());
                        }),
                ApiRoute.get("/api/v1/clusters")
                        .access(Access.READ)
                        .summary("List the clusters of your accounts (?account=NAME for one)")
                        .returns(Types.itemsOf(ClusterView.class))
                        .handle(ctx -> ctx.json(
                                new Items<>(clusters.list(Requests.caller(ctx), Requests.query(ctx, "account"))))),
                ApiRoute.get("/api/v1/clusters/{id}")
                        .access(Access.READ)
                        .summary("Show a cluster")
                        .returns(ClusterView.class)
                        .handle(ctx -> ctx.json(clusters.show(Requests.caller(ctx), ctx.pathParam("id")))),
                ApiRoute.post("/api/v1/clusters/{id}/scale")
                        .access(Access.CLUSTERS)
                        .summary("Change the number of workers")
                        .accepts(ScaleClusterRequest.class)
                        .returns(ClusterView.class)
                        .handle(ctx -> ctx.json(clusters.scale(
                                Requests.caller(ctx),
                                ctx.pathParam("id"),
                                bodies.read(ctx, ScaleClusterRequest.class).workers()))),
                ApiRoute.post("/api/v1/clusters/{id}/stop")
                        .access(Access.CLUSTERS)
                        .summary("Stop a cluster: its processes end and its certificate authority is destroyed")
                        .returns(ClusterView.class)
                        .handle(ctx -> ctx.json(clusters.stop(Requests.caller(ctx), ctx.pathParam("id")))),
                ApiRoute.delete("/api/v1/clusters/{id}")
                        .access(Access.CLUSTERS)
                        .summary("Forget a stopped or failed cluster")
                        .status(204)
                        .handle(ctx -> {
                            clusters.delete(Requests.caller(ctx), ctx.pathParam("id"));
                            ctx.status(204);
                        }),
                ApiRoute.post("/api/v1/clusters/{id}/client-certificates")
                        .access(Access.CLUSTERS)
                        .summary("Sign your certificate signing request: a short-lived client certificate for you")
                        .accepts(ClientCertificateRequest.class)
                        .returns(ClientCertificateView.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(clusters.issueClientCertificate(
                                        Requests.caller(ctx),
                                        ctx.pathParam("id"),
                                        bodies.read(ctx, ClientCertificateRequest.class)))),
                ApiRoute.post("/api/v1/clusters/{id}/aws-credentials")
                        .access(Access.CLUSTERS)
                        .summary("Forward fresher temporary AWS credentials to a cluster created with forwarded ones;"
                                + " answers when they expire, never the credentials")
                        .accepts(AwsSessionCredentials.class)
                        .returns(AwsCredentialsStatus.class)
                        .handle(ctx -> ctx.json(clusters.forwardAwsCredentials(
                                Requests.caller(ctx),
                                ctx.pathParam("id"),
                                bodies.read(ctx, AwsSessionCredentials.class)))),
                ApiRoute.get("/api/v1/clusters/{id}/logs")
                        .access(Access.READ)
                        .summary("What the cluster's processes wrote (?node=scheduler|worker-N, ?since=10m, ?after=ID)")
                        .returns(ClusterLogs.class)
                        .handle(ctx -> ctx.json(clusters.logs(
                                Requests.caller(ctx),
                                ctx.pathParam("id"),
                                Requests.query(ctx, "node"),
                                clock.instant()
                                        .minus(TelemetryResource.duration(
                                                "since", Requests.query(ctx, "since"), Duration.ofDays(3660))),
                                afterParameter(Requests.query(ctx, "after")),
                                limitParameter(Requests.query(ctx, "limit"))))),
                ApiRoute.get("/api/v1/clusters/{id}/events")
                        .access(Access.READ)
                        .summary("The cluster's events: state changes with reasons, certificates issued (?after=ID)")
                        .returns(Types.itemsOf(ClusterEventView.class))
                        .handle(ctx -> ctx.json(new Items<>(clusters.events(
                                Requests.caller(ctx),
                                ctx.pathParam("id"),
                                afterParameter(Requests.query(ctx, "after")))))));
    }

    static int limitParameter(Optional<String> value) {
        try {
            int limit = value.map(Integer::parseInt).orElse(1000);
            if (limit < 1 || limit > 10_000) {
                throw CapstanException.invalidParameter("limit", "'limit' must be between 1 and 10000");
            }
            return limit;
        } catch (NumberFormatException e) {
            throw CapstanException.invalidParameter("limit", "'limit' must be a number");
        }
    }

    static long afterParameter(Optional<String> value) {
        try {
            return value.map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            throw CapstanException.invalidParameter("after", "'after' must be the id of an entry, a number");
        }
    }
}
