package io.capstan.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.capstan.api.Problem;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 description of the API, generated from the route table and the wire records, so it cannot drift
 * from what the server does.
 */
public final class OpenApiDocument {
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    private final Map<String, Object> schemas = new TreeMap<>();

    private OpenApiDocument() {}

    public static Map<String, Object> describe(List<ApiRoute> routes, String version) {
        return new OpenApiDocument().build(routes, version);
    }

    private Map<String, Object> build(List<ApiRoute> routes, String version) {
        Map<String, Object> paths = new TreeMap<>();
        schemaRef(Problem.class);
        for (ApiRoute route : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item =
                    (Map<String, Object>) paths.computeIfAbsent(route.path(), path -> new LinkedHashMap<>());
            item.put(route.method().name().toLowerCase(Locale.ROOT), operation(route));
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("openapi", "3.1.0");
        document.put(
                "info",
                Map.of(
                        "title",
                        "Capstan API",
                        "version",
                        version,
                        "description",
                        "Dask clusters on demand over mutual TLS. Errors are RFC 9457 problem details with"
                                + " a stable 'code'."));
        document.put("paths", paths);
        document.put(
                "components",
                Map.of(
                        "schemas",
                        schemas,
                        "securitySchemes",
                        Map.of("token", Map.of("type", "http", "scheme", "bearer"))));
        return document;
    }

    private Map<String, Object> operation(ApiRoute route) {
        Map<String, Object> operation = new LinkedHashMap<>();
        operation.put("summary", route.summary());
        operation.put("operationId", operationId(route));
        List<Object> parameters = new ArrayList<>();
        Matcher matcher = PATH_PARAMETER.matcher(route.path());
        while (matcher.find()) {
            parameters.add(Map.of(
                    "name", matcher.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        if (!parameters.isEmpty()) {
            operation.put("parameters", parameters);
        }
        route.requestBody()
                .ifPresent(body -> operation.put(
                        "requestBody",
                        Map.of(
                                "required",
                                true,
                                "content",
                                Map.of("application/json", Map.of("schema", schemaRef(body))))));
        Map<String, Object> responses = new LinkedHashMap<>();
        Map<String, Object> success = new LinkedHashMap<>();
        success.put("description", "success");
        route.responseBody()
                .ifPresent(body ->
                        success.put("content", Map.of("application/json", Map.of("schema", schemaRef(body)))));
        responses.put(Integer.toString(route.successStatus()), success);
        responses.put(
                "default",
                Map.of(
                        "description",
                        "a problem",
                        "content",
                        Map.of(Problem.MEDIA_TYPE, Map.of("schema", schemaRef(Problem.class)))));
        operation.put("responses", responses);
        switch (route.access()) {
            case PUBLIC -> operation.put("security", List.of());
            case READ, CLUSTERS, ADMIN -> {
                operation.put("security", List.of(Map.of("token", List.of())));
                operation.put(
                        "x-capstan-scope",
                        route.access().minimumScope().orElseThrow().wireName());
            }
        }
        return operation;
    }

    private static String operationId(ApiRoute route) {
        StringBuilder id = new StringBuilder(route.method().name().toLowerCase(Locale.ROOT));
        for (String segment : route.path().split("/", -1)) {
            String word = segment.replaceAll("[^A-Za-z0-9]", "");
            if (!word.isEmpty() && !word.equals("api") && !word.equals("v1")) {
                id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return id.toString();
    }

    private Map<String, Object> schemaRef(Type type) {
        return schema(type);
    }

    private Map<String, Object> recordSchema(String name, Class<?> record, Map<TypeVariable<?>, Type> bindings) {
        if (!schemas.containsKey(name)) {
            schemas.put(name, Map.of());
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent component : record.getRecordComponents()) {
                properties.put(component.getName(), schema(resolve(component.getGenericType(), bindings)));
                if (component.getType() != Optional.class) {
                    required.add(component.getName());
                }
            }
            schemas.put(name, Map.of("type", "object", "properties", properties, "required", required));
        }
        return Map.of("$ref", "#/components/schemas/" + name);
    }

    private static Type resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (type instanceof TypeVariable<?> variable) {
            return bindings.getOrDefault(variable, Object.class);
        }
        if (type instanceof ParameterizedType parameterized) {
            Type[] arguments = parameterized.getActualTypeArguments();
            Type[] resolved = new Type[arguments.length];
            for (int i = 0; i < arguments.length; i++) {
                resolved[i] = resolve(arguments[i], bindings);
            }
            return Types.parameterized((Class<?>) parameterized.getRawType(), resolved);
        }
        return type;
    }

    private Map<String, Object> schema(Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (raw == Optional.class) {
                return schema(arguments[0]);
            }
            if (raw == List.class || raw == java.util.Set.class) {
                return Map.of("type", "array", "items", schema(arguments[0]));
            }
            if (raw == Map.class) {
                return Map.of("type", "object", "additionalProperties", schema(arguments[1]));
            }
            if (raw.isRecord()) {
                StringBuilder name = new StringBuilder(raw.getSimpleName());
                Map<TypeVariable<?>, Type> bindings = new LinkedHashMap<>();
                TypeVariable<?>[] variables = raw.getTypeParameters();
                for (int i = 0; i < variables.length; i++) {
                    bindings.put(variables[i], arguments[i]);
                    name.append("Of").append(((Class<?>) arguments[i]).getSimpleName());
                }
                return recordSchema(name.toString(), raw, bindings);
            }
            return Map.of();
        }
        Class<?> raw = (Class<?>) type;
        if (raw == String.class) {
            return Map.of("type", "string");
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return Map.of("type", "boolean");
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return Map.of("type", "integer");
        }
        if (raw == double.class || raw == Double.class) {
            return Map.of("type", "number");
        }
        if (raw == Instant.class) {
            return Map.of("type", "string", "format", "date-time");
        }
        if (raw == Object.class) {
            return Map.of();
        }
        if (raw.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Field constant : raw.getFields()) {
                if (constant.isEnumConstant()) {
                    JsonProperty property = constant.getAnnotation(JsonProperty.class);
                    values.add(property != null ? property.value() : constant.getName());
                }
            }
            return Map.of("type", "string", "enum", values);
        }
        if (raw.isRecord()) {
            return recordSchema(raw.getSimpleName(), raw, Map.of());
        }
        return Map.of();
    }
}
