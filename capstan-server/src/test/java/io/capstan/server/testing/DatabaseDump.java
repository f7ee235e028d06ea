package io.capstan.server.testing;

import io.capstan.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a database holds, as text, the way an attacker with a backup would see it: H2's own {@code SCRIPT}
 * export, or every row of every table of the PostgreSQL schema. Binary values appear both as hex and as
 * Latin-1 text, so a secret stored in clear in a binary column is found too.
 */
public final class DatabaseDump {
    private DatabaseDump() {}

    public static String script(Database database) {
        if (database.kind() == Database.Kind.H2) {
            List<String> lines = database.jdbi()
                    .withHandle(handle ->
                            handle.createQuery("SCRIPT").mapTo(String.class).list());
            return String.join("\n", lines);
        }
        StringBuilder dump = new StringBuilder();
        tables(database, Set.of()).forEach((table, rows) -> {
            dump.append("-- ").append(table).append('\n');
            rows.forEach(row -> dump.append(row).append('\n'));
        });
        return dump.toString();
    }

    /** Every row of every table, sorted, without the columns named {@code table.column} in {@code ignored}. */
    public static Map<String, List<String>> tables(Database database, Set<String> ignored) {
        return database.jdbi().withHandle(handle -> {
            List<String> tables = handle.createQuery("""
                            SELECT table_name FROM information_schema.tables
                            WHERE table_schema = current_schema() AND table_type IN ('BASE TABLE', 'TABLE')
                            """).mapTo(String.class).list();
            Map<String, List<String>> result = new TreeMap<>();
            for (String table : tables) {
                String name = table.toLowerCase(Locale.ROOT);
                List<String> rows = new ArrayList<>();
                for (Map<String, Object> row :
                        handle.createQuery("SELECT * FROM " + name).mapToMap().list()) {
                    Map<String, String> values = new TreeMap<>();
                    row.forEach((column, value) -> {
                        if (!ignored.contains(name + "." + column.toLowerCase(Locale.ROOT))) {
                            values.put(column.toLowerCase(Locale.ROOT), text(value));
                        }
                    });
                    rows.add(values.toString());
                }
                Collections.sort(rows);
                result.put(name, rows);
            }
            return result;
        });
    }

    private static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes) + "|" + new String(bytes, StandardCharsets.ISO_8859_1);
        }
        return String.valueOf(value);
    }
}
