package io.capstan.server.testing;

import io.capstan.server.http.ApiRoute;

/** Turns route templates into requestable paths. */
public final class Routes {
    private Routes() {}

    /** The route's path with every {@code {parameter}} replaced by a value that names nothing. */
    public static String concrete(ApiRoute route) {
        return route.path().replaceAll("\\{[^}]+}", "nothing-here");
    }

    public static String key(ApiRoute route) {
        return route.method().name() + " " + route.path();
    }
}
