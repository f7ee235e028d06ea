package io.capstan.server.http;

import io.capstan.api.ErrorCode;
import io.capstan.api.Json;
import io.capstan.server.CapstanException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Reads request bodies: bounded in size, JSON only, parsed strictly, every failure a {@link CapstanException}
 * naming the member that was wrong. A body is never guessed at and never partly applied.
 */
public final class JsonBodies {
    private final long maxBytes;

    public JsonBodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public <T> T read(Context ctx, Class<T> type) {
        return read(ctx, type, maxBytes);
    }

    /** For the few routes whose bodies may be larger than the server's usual limit, such as notebooks. */
    public <T> T read(Context ctx, Class<T> type, long limit) {
        return parse(type, bytes(ctx, limit, "application/json"));
    }

    /** The raw body, bounded by {@code limit} bytes, after checking its content type. */
    public static byte[] bytes(Context ctx, long limit, String mediaType) {
        String contentType = Optional.ofNullable(ctx.header("Content-Type")).orElse("");
        String essence = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!essence.equals(mediaType)) {
            throw new CapstanException(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the request body must be sent as " + mediaType);
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE));
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        } catch (IOException e) {
            throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body could not be read");
        }
    }

    private static CapstanException tooLarge(long limit) {
        return new CapstanException(
                ErrorCode.BODY_TOO_LARGE,
                "the request body is larger than the limit of " + limit + " bytes",
                Optional.empty(),
                Map.of("limitBytes", limit));
    }

    static <T> T parse(Class<T> type, byte[] body) {
        if (body.length == 0) {
            throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body is empty; a JSON object is needed");
        }
        try {
            T value = Json.strict().readValue(body, type);
            if (value == null) {
                throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body must be a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw new CapstanException(
                    ErrorCode.UNKNOWN_FIELD,
                    "'" + field + "' is not a field of this request; known fields: "
                            + e.getKnownPropertyIds().stream()
                                    .map(Object::toString)
                                    .sorted()
                                    .collect(Collectors.joining(", ")),
                    Optional.of(field),
                    Map.of());
        } catch (InvalidNullException e) {
            String field = path(e);
            throw CapstanException.invalidField(field, "'" + field + "' must not be null");
        } catch (InvalidFormatException e) {
            String field = path(e);
            String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
                    ? "; allowed: " + enumValues(e.getTargetType())
                    : "";
            throw CapstanException.invalidField(field, "'" + field + "' has an invalid value" + allowed);
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body must be a JSON object");
            }
            throw CapstanException.invalidField(field, "'" + field + "' has the wrong type" + expected(e));
        } catch (StreamReadException e) {
            throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body is not valid JSON");
        } catch (JacksonException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw new CapstanException(ErrorCode.MALFORMED_JSON, "the request body could not be read as JSON");
            }
            throw CapstanException.invalidField(field, "'" + field + "' has an invalid value");
        }
    }

    private static String expected(MismatchedInputException e) {
        Class<?> target = e.getTargetType();
        if (target == null) {
            return "";
        }
        if (target == String.class) {
            return "; a string is expected";
        }
        if (target == int.class || target == Integer.class || target == long.class || target == Long.class) {
            return "; an integer is expected";
        }
        if (target == boolean.class || target == Boolean.class) {
            return "; true or false is expected";
        }
        if (target.isEnum()) {
            return "; one of " + enumValues(target) + " is expected";
        }
        return "";
    }

    private static String enumValues(Class<?> type) {
        return java.util.Arrays.stream(type.getEnumConstants())
                .map(constant -> Json.strict().writeValueAsString(constant).replace("\"", ""))
                .collect(Collectors.joining(", "));
    }

    private static String path(JacksonException e) {
        return e.getPath().stream()
                .map(reference -> reference.getPropertyName() != null
                        ? reference.getPropertyName()
                        : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
