package io.capstan.server.http;

import io.capstan.api.Json;
import io.javalin.json.JsonMapper;
import java.lang.reflect.Type;

/** Lets Javalin write answers with the API's own JSON settings (Jackson 3). Requests are read by {@link JsonBodies}. */
final class JacksonJsonMapper implements JsonMapper {
    @Override
    public String toJsonString(Object value, Type type) {
        return Json.strict().writeValueAsString(value);
    }
}
