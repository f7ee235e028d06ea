package io.capstan.server.environment;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.environment.EnvironmentView;
import io.capstan.api.environment.UpdateEnvironmentRequest;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class EnvironmentResource implements RouteProvider {
    private final EnvironmentService environments;
    private final JsonBodies bodies;

    public EnvironmentResource(EnvironmentService environments, JsonBodies bodies) {
        this.environments = requireNonNull(environments, "environments is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/environments")
                        .access(Access.CLUSTERS)
                        .summary("Create a software environment (public unless 'visibility' says private)")
                        .accepts(CreateEnvironmentRequest.class)
                        .returns(EnvironmentView.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(environments.create(
                                        Requests.caller(ctx), bodies.read(ctx, CreateEnvironmentRequest.class)))),
                ApiRoute.get("/api/v1/environments")
                        .access(Access.READ)
                        .summary("List the environments you may use: your accounts' and every public one")
                        .returns(Types.itemsOf(EnvironmentView.class))
                        .handle(ctx -> ctx.json(new Items<>(environments.list(Requests.caller(ctx))))),
                ApiRoute.get("/api/v1/environments/{account}/{name}")
                        .access(Access.READ)
                        .summary("Show an environment")
                        .returns(EnvironmentView.class)
                        .handle(ctx -> ctx.json(environments.show(
                                Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name")))),
                ApiRoute.patch("/api/v1/environments/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Change an environment's visibility, description or packages")
                        .accepts(UpdateEnvironmentRequest.class)
                        .returns(EnvironmentView.class)
                        .handle(ctx -> ctx.json(environments.update(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                ctx.pathParam("name"),
                                bodies.read(ctx, UpdateEnvironmentRequest.class)))),
                ApiRoute.delete("/api/v1/environments/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Delete an environment; clusters running with it keep running")
                        .status(204)
                        .handle(ctx -> {
                            environments.delete(Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name"));
                            ctx.status(204);
                        }));
    }
}
