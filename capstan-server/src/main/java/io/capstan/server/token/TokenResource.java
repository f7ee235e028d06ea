package io.capstan.server.token;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.api.token.TokenView;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class TokenResource implements RouteProvider {
    private final TokenService tokens;
    private final JsonBodies bodies;

    public TokenResource(TokenService tokens, JsonBodies bodies) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/tokens")
                        .access(Access.CLUSTERS)
                        .summary("Create a token for yourself; it is shown once")
                        .accepts(CreateTokenRequest.class)
                        .returns(CreatedToken.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(tokens.create(Requests.caller(ctx), bodies.read(ctx, CreateTokenRequest.class)))),
                ApiRoute.get("/api/v1/tokens")
                        .access(Access.READ)
                        .summary("List your tokens (server administrators: ?user=NAME for another user's)")
                        .returns(Types.itemsOf(TokenView.class))
                        .handle(ctx ->
                                ctx.json(new Items<>(tokens.list(Requests.caller(ctx), Requests.query(ctx, "user"))))),
                ApiRoute.delete("/api/v1/tokens/{id}")
                        .access(Access.CLUSTERS)
                        .summary("Revoke a token at once")
                        .returns(TokenView.class)
                        .handle(ctx -> ctx.json(tokens.revoke(Requests.caller(ctx), ctx.pathParam("id")))),
                ApiRoute.post("/api/v1/users/{username}/tokens")
                        .access(Access.ADMIN)
                        .summary("Create a token for another user (server administrators)")
                        .accepts(CreateTokenRequest.class)
                        .returns(CreatedToken.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(tokens.createFor(
                                        Requests.caller(ctx),
                                        ctx.pathParam("username"),
                                        bodies.read(ctx, CreateTokenRequest.class)))));
    }
}
