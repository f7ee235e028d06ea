package io.capstan.server.logging;

import java.util.regex.Pattern;

/**
 * The last line of defence for logs. Capstan never logs a secret on purpose; this masks anything that looks like
 * one anyway (a token, a bearer credential, a private key, a {@code password=} or {@code secret=} pair), so that a
 * library logging a header or a URL at a verbose level cannot leak it either.
 */
public final class SecretRedactor {
    private static final Pattern TOKEN = Pattern.compile("capstan_[0-9A-Za-z]{4,}");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[^\\s\"',;]+");
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?(-----END \\1PRIVATE KEY-----|$)", Pattern.DOTALL);
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)\\b(password|passwd|secret|secret_?access_?key|session_?token|token|authorization|x-amz-security-token)"
                    + "(\"?\\s*[:=]\\s*\"?)[^\\s\"',;&}]+");

    private SecretRedactor() {}

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = PRIVATE_KEY.matcher(text).replaceAll("<redacted private key>");
        redacted = TOKEN.matcher(redacted).replaceAll("capstan_<redacted>");
        redacted = BEARER.matcher(redacted).replaceAll("$1 <redacted>");
        return ASSIGNMENT.matcher(redacted).replaceAll("$1$2<redacted>");
    }
}
