package io.capstan.server.http;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.lang.reflect.Type;
import java.util.Optional;

/**
 * One route of the HTTP API with everything known about it: who may call it, what it takes and answers. The route
 * table installs these into Javalin, and the tests and the OpenAPI description read them, so no route can exist
 * without an access rule.
 */
public record ApiRoute(
        HandlerType method,
        String path,
        Access access,
        String summary,
        Optional<Type> requestBody,
        Optional<Type> responseBody,
        int successStatus,
        Handler handler) {

    public ApiRoute {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(access, "access is null");
        requireNonNull(summary, "summary is null");
        requireNonNull(requestBody, "requestBody is null");
        requireNonNull(responseBody, "responseBody is null");
        requireNonNull(handler, "handler is null");
    }

    public static Builder get(String path) {
        return new Builder(HandlerType.GET, path);
    }

    public static Builder post(String path) {
        return new Builder(HandlerType.POST, path);
    }

    public static Builder put(String path) {
        return new Builder(HandlerType.PUT, path);
    }

    public static Builder patch(String path) {
        return new Builder(HandlerType.PATCH, path);
    }

    public static Builder delete(String path) {
        return new Builder(HandlerType.DELETE, path);
    }

    public static final class Builder {
        private final HandlerType method;
        private final String path;
        private Access access = Access.ADMIN;
        private String summary = "";
        private Optional<Type> requestBody = Optional.empty();
        private Optional<Type> responseBody = Optional.empty();
        private int successStatus = 200;

        private Builder(HandlerType method, String path) {
            this.method = method;
            this.path = path;
        }

        public Builder access(Access access) {
            this.access = access;
            return this;
        }

        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        public Builder accepts(Type type) {
            this.requestBody = Optional.of(type);
            return this;
        }

        public Builder returns(Type type) {
            this.responseBody = Optional.of(type);
            return this;
        }

        public Builder status(int status) {
            this.successStatus = status;
            return this;
        }

        public ApiRoute handle(Handler handler) {
            return new ApiRoute(method, path, access, summary, requestBody, responseBody, successStatus, handler);
        }
    }
}
