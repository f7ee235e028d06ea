package io.capstan.server.user;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.Me;
import io.capstan.api.user.UserView;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class UserResource implements RouteProvider {
    private final UserService users;
    private final JsonBodies bodies;

    public UserResource(UserService users, JsonBodies bodies) {
        this.users = requireNonNull(users, "users is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/me")
                        .access(Access.READ)
                        .summary("Who you are, your accounts, and your token's scope")
                        .returns(Me.class)
                        .handle(ctx -> ctx.json(users.me(Requests.caller(ctx)))),
                ApiRoute.post("/api/v1/users")
                        .access(Access.ADMIN)
                        .summary("Create a user (server administrators)")
                        .accepts(CreateUserRequest.class)
                        .returns(UserView.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(users.create(Requests.caller(ctx), bodies.read(ctx, CreateUserRequest.class)))),
                ApiRoute.get("/api/v1/users")
                        .access(Access.READ)
                        .summary("List users (server administrators)")
                        .returns(Types.itemsOf(UserView.class))
                        .handle(ctx -> ctx.json(new Items<>(users.list(Requests.caller(ctx))))));
    }
}
