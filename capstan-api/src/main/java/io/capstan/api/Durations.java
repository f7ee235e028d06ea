package io.capstan.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 90s}, {@code 20m}, {@code 12h}, {@code 30d}, or {@code never}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

    private Durations() {}

    /** The duration, or empty for {@code never}. */
    public static Optional<Duration> parseOrNever(String text) {
        if ("never".equals(text)) {
            return Optional.empty();
        }
        return Optional.of(parse(text));
    }

    public static Duration parse(String text) {
        Matcher matcher = DURATION.matcher(text == null ? "" : text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; write a number and a unit, like 90s, 20m, 12h or 30d");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalStateException("unreachable");
        };
    }

    /** A short human form, such as {@code 2h} or {@code 20m}. */
    public static String format(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0 && seconds > 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0 && seconds > 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
