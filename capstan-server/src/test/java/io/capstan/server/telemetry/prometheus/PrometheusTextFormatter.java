package io.capstan.server.telemetry.prometheus;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes samples in the Prometheus text format, for round trips in tests. Production code only ever reads this
 * format, so the writer lives here.
 */
final class PrometheusTextFormatter {
    private PrometheusTextFormatter() {}

    /** The TYPE lines, sorted by name, then the samples in order. */
    static String format(PrometheusScrape scrape) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(scrape.types())
                .forEach((name, kind) -> text.append("# TYPE ")
                        .append(name)
                        .append(' ')
                        .append(kind)
                        .append('\n'));
        for (PrometheusSample sample : scrape.samples()) {
            text.append(sample.name());
            if (!sample.labels().isEmpty()) {
                text.append('{');
                String separator = "";
                for (Map.Entry<String, String> label : sample.labels().entrySet()) {
                    text.append(separator)
                            .append(label.getKey())
                            .append("=\"")
                            .append(escapeLabelValue(label.getValue()))
                            .append('"');
                    separator = ",";
                }
                text.append('}');
            }
            text.append(' ').append(formatValue(sample.value()));
            sample.timestampMillis().ifPresent(timestamp -> text.append(' ').append(timestamp));
            text.append('\n');
        }
        return text.toString();
    }

    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        // Double.toString gives a decimal that reads back as exactly the same double, e.g. 1.0E-5 or -0.0.
        return Double.toString(value);
    }

    static String escapeLabelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
