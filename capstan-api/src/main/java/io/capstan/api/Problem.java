package io.capstan.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Optional;

/**
 * An RFC 9457 problem-details document ({@code application/problem+json}). {@code code} is the stable
 * machine-readable part; {@code detail} is for people; {@code field} names the request member that was wrong,
 * when one was; {@code context} carries figures a client may want, such as a quota's limit and current use.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record Problem(
        String type,
        String title,
        int status,
        String code,
        String detail,
        Optional<String> field,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> context) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        requireNonNull(type, "type is null");
        requireNonNull(title, "title is null");
        requireNonNull(code, "code is null");
        requireNonNull(detail, "detail is null");
        field = field == null ? Optional.empty() : field;
        context = context == null ? Map.of() : Map.copyOf(context);
    }

    public static Problem of(ErrorCode code, String detail, Optional<String> field, Map<String, Object> context) {
        return new Problem(
                "urn:capstan:problem:" + code.code(),
                title(code),
                code.httpStatus(),
                code.code(),
                detail,
                field,
                context);
    }

    private static String title(ErrorCode code) {
        String words = code.code().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
