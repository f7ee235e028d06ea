package io.capstan.server.notebook;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.notebook.NotebookView;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.notebook.UpdateNotebookRequest;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class NotebookResource implements RouteProvider {
    /** A notebook of the largest size, with room for the request around it. */
    private static final long MAX_BODY = NotebookService.MAX_BYTES + 64 * 1024;

    private final NotebookService notebooks;
    private final JsonBodies bodies;

    public NotebookResource(NotebookService notebooks, JsonBodies bodies) {
        this.notebooks = requireNonNull(notebooks, "notebooks is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.put("/api/v1/notebooks/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Push a notebook (.ipynb, nbformat 4, at most 5 MiB); an existing one is replaced")
                        .accepts(PushNotebookRequest.class)
                        .returns(NotebookView.class)
                        .handle(ctx -> {
                            NotebookService.Pushed pushed = notebooks.push(
                                    Requests.caller(ctx),
                                    ctx.pathParam("account"),
                                    ctx.pathParam("name"),
                                    bodies.read(ctx, PushNotebookRequest.class, MAX_BODY));
                            ctx.status(pushed.created() ? 201 : 200).json(pushed.notebook());
                        }),
                ApiRoute.get("/api/v1/notebooks")
                        .access(Access.READ)
                        .summary("List the notebooks you may read: your accounts' and every public one")
                        .returns(Types.itemsOf(NotebookView.class))
                        .handle(ctx -> ctx.json(new Items<>(notebooks.list(Requests.caller(ctx))))),
                ApiRoute.get("/api/v1/notebooks/{account}/{name}")
                        .access(Access.READ)
                        .summary("Show a notebook's metadata")
                        .returns(NotebookView.class)
                        .handle(ctx -> ctx.json(
                                notebooks.show(Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name")))),
                ApiRoute.get("/api/v1/notebooks/{account}/{name}/content")
                        .access(Access.READ)
                        .summary("Pull a notebook: its .ipynb content")
                        .returns(String.class)
                        .handle(ctx -> ctx.contentType("application/x-ipynb+json")
                                .result(notebooks.content(
                                        Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name")))),
                ApiRoute.patch("/api/v1/notebooks/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Change a notebook's visibility")
                        .accepts(UpdateNotebookRequest.class)
                        .returns(NotebookView.class)
                        .handle(ctx -> ctx.json(notebooks.update(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                ctx.pathParam("name"),
                                bodies.read(ctx, UpdateNotebookRequest.class)))),
                ApiRoute.delete("/api/v1/notebooks/{account}/{name}")
                        .access(Access.CLUSTERS)
                        .summary("Delete a notebook")
                        .status(204)
                        .handle(ctx -> {
                            notebooks.delete(Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("name"));
                            ctx.status(204);
                        }));
    }
}
