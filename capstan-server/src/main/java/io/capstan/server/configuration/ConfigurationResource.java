package io.capstan.server.configuration;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.configuration.ConfigurationView;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.configuration.UpdateConfigurationRequest;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class ConfigurationResource implements RouteProvider {
    private final ConfigurationService configurations;
    private final JsonBodies bodies;

    public ConfigurationResource(ConfigurationService configurations, JsonBodies bodies) {
        this.configurations = requireNonNull(configurations, "configurations is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/configurations")
                        .access(Access.CLUSTERS)
                        .summary("Create a cluster configuration (public unless 'visibility' says private)")
                        .accepts(CreateConfigurationRequest.class)
                        .returns(ConfigurationView.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(configurations.create(
                                        Requests.caller(ctx), bodies.read(ctx, CreateConfigurationRequest.class)))),
                ApiRoute.get("/api/v1/configurations")
                        .access(Access.READ)
                        .summary("List the configurations you may use: your accounts' and every public one")
                        .returns(Types.itemsOf(ConfigurationView.class))
                        .handle(ctx -> ctx.json(new Items<>(configurations.list(Requests.caller(ctx))))),
                ApiRoute.get("/api/v1/configurations/{account}/{name}")
                        .access(Access.READ)
                        .summary("Show a configuration")
                        .returns(ConfigurationView.class)
                        .handle(ctx -> ctx.json(configurations.show(
                                Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name")))),
                ApiRoute.patch("/api/v1/configurations/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Change a configuration's visibility, description or options")
                        .accepts(UpdateConfigurationRequest.class)
                        .returns(ConfigurationView.class)
                        .handle(ctx -> ctx.json(configurations.update(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                ctx.pathParam("name"),
                                bodies.read(ctx, UpdateConfigurationRequest.class)))),
                ApiRoute.delete("/api/v1/configurations/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Delete a configuration")
                        .status(204)
                        .handle(ctx -> {
                            configurations.delete(
                                    Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name"));
                            ctx.status(204);
                        }));
    }
}
