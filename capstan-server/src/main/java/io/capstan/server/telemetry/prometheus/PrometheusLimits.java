package io.capstan.server.telemetry.prometheus;

/**
 * How much of a {@code /metrics} payload {@link PrometheusTextParser} is willing to look at. The payload comes from a
 * scheduler that may be compromised or broken, so every dimension an attacker controls is bounded: together these
 * bound both the memory a parse can use and its running time, which is linear in {@link #maxBytes()}.
 *
 * <p>Lengths are in bytes of UTF-8 as they appear on the wire, except {@link #maxLabelValueLength()}, which counts
 * the bytes of the value after its escapes are resolved. The defaults are in {@link #defaults()}.
 *
 * @param maxBytes the whole payload; a stream is never read beyond one byte more than this
 * @param maxLineLength one line, not counting its line feed
 * @param maxSamples sample lines in one payload
 * @param maxLabelsPerSample labels in one sample's label set
 * @param maxLabelValueLength one label value, unescaped
 * @param maxNameLength one metric or label name
 */
public record PrometheusLimits(
        int maxBytes,
        int maxLineLength,
        int maxSamples,
        int maxLabelsPerSample,
        int maxLabelValueLength,
        int maxNameLength) {

    /** Leaves room for the one extra byte read to detect an oversized payload, and for the JVM's array header. */
    private static final int LARGEST_MAX_BYTES = Integer.MAX_VALUE - 16;

    public PrometheusLimits {
        requirePositive("maxBytes", maxBytes);
        requirePositive("maxLineLength", maxLineLength);
        requirePositive("maxSamples", maxSamples);
        requirePositive("maxLabelsPerSample", maxLabelsPerSample);
        requirePositive("maxLabelValueLength", maxLabelValueLength);
        requirePositive("maxNameLength", maxNameLength);
        if (maxBytes > LARGEST_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at most " + LARGEST_MAX_BYTES + ", not " + maxBytes);
        }
    }

    /**
     * Generous for a Dask scheduler, whose payload is a few kilobytes plus one line per task prefix and state, yet
     * small enough that a scrape of every cluster at once stays cheap.
     */
    public static PrometheusLimits defaults() {
        return new PrometheusLimits(8 * 1024 * 1024, 64 * 1024, 50_000, 64, 8 * 1024, 256);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
