package io.capstan.server.internal;

import io.capstan.server.CapstanException;
import java.util.regex.Pattern;

/** Validation of the names people give to things: usernames, accounts, clusters, tokens. */
public final class Names {
    /** A lowercase DNS label: letters, digits and inner hyphens, 1 to 63 characters, starting with a letter. */
    private static final Pattern SLUG = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

    private static final Pattern EMAIL =
            Pattern.compile("[^\\s@\\p{Cntrl}]{1,64}@[A-Za-z0-9.-]{1,189}\\.[A-Za-z]{2,63}");

    private Names() {}

    public static String requireSlug(String field, String value) {
        if (value == null) {
            throw CapstanException.missingField(field);
        }
        if (!SLUG.matcher(value).matches()) {
            throw CapstanException.invalidField(
                    field,
                    "'" + field + "' must be 1 to 63 lowercase letters, digits or inner hyphens, starting with a"
                            + " letter");
        }
        return value;
    }

    public static boolean isSlug(String value) {
        return value != null && SLUG.matcher(value).matches();
    }

    public static String requireEmail(String field, String value) {
        if (value == null) {
            throw CapstanException.missingField(field);
        }
        if (value.length() > 254 || !EMAIL.matcher(value).matches()) {
            throw CapstanException.invalidField(field, "'" + field + "' must be an email address");
        }
        return value;
    }

    /** A free-text label such as a token's name: 1 to {@code maxLength} printable characters, no control codes. */
    public static String requireLabel(String field, String value, int maxLength) {
        if (value == null) {
            throw CapstanException.missingField(field);
        }
        if (value.isBlank() || value.length() > maxLength) {
            throw CapstanException.invalidField(
                    field, "'" + field + "' must be 1 to " + maxLength + " characters and not blank");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw CapstanException.invalidField(field, "'" + field + "' must not contain control characters");
            }
        }
        return value;
    }
}
