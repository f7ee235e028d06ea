package io.capstan.cli;

import io.capstan.api.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.SerializationFeature;

/** How commands print: aligned tables and short lines for people, or the API's JSON for scripts. */
public final class Output {
    public enum Format {
        table,
        json
    }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final PrintWriter out;
    private final Format format;

    public Output(PrintWriter out, Format format) {
        this.out = out;
        this.format = format;
    }

    public boolean isJson() {
        return format == Format.json;
    }

    public PrintWriter writer() {
        return out;
    }

    /** For people, the lines {@code human} prints; for scripts, {@code value} as JSON. */
    public void print(Object value, Runnable human) {
        if (isJson()) {
            out.println(Json.lenient()
                    .rebuild()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .build()
                    .writeValueAsString(value));
        } else {
            human.run();
        }
        out.flush();
    }

    public void line(String text) {
        out.println(text);
    }

    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    public static String time(Instant instant) {
        return TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    public static String time(Optional<Instant> instant, String absent) {
        return instant.map(Output::time).orElse(absent);
    }
}
