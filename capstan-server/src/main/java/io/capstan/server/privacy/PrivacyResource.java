package io.capstan.server.privacy;

import static java.util.Objects.requireNonNull;

import io.capstan.api.privacy.PrivacyReport;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import java.util.List;

public final class PrivacyResource implements RouteProvider {
    private final PrivacyService privacy;

    public PrivacyResource(PrivacyService privacy) {
        this.privacy = requireNonNull(privacy, "privacy is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(ApiRoute.get("/api/v1/privacy")
                .access(Access.READ)
                .summary("What the server stores about you, where, encrypted how, and for how long")
                .returns(PrivacyReport.class)
                .handle(ctx -> ctx.json(privacy.report(Requests.caller(ctx)))));
    }
}
