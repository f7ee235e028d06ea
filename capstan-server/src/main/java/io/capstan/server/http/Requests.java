package io.capstan.server.http;

import io.capstan.server.auth.Caller;
import io.javalin.http.Context;
import java.util.Optional;

/** What handlers read from a request besides its body. */
public final class Requests {
    static final String CALLER_ATTRIBUTE = "capstan.caller";

    private Requests() {}

    /** The authenticated caller; every non-public route has one, set by the access filter. */
    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER_ATTRIBUTE);
        if (caller == null) {
            throw new IllegalStateException("no caller on a route that needs one: " + ctx.path());
        }
        return caller;
    }

    public static Optional<String> query(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(value -> !value.isEmpty());
    }
}
