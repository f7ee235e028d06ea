package io.capstan.server.http;

import java.util.List;

/** A resource: a group of routes about one subject, such as tokens or accounts. */
public interface RouteProvider {
    List<ApiRoute> routes();
}
