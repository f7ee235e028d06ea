package io.capstan.server.privacy;

import static java.util.Objects.requireNonNull;

import io.capstan.server.keyring.EncryptedColumn;
import java.time.Duration;
import java.util.List;

/**
 * A category of data a store keeps, declared by the store itself: what it is, in which tables, which of their
 * columns are encrypted (taken from the store's own list of encrypted columns, so the report cannot claim more
 * than the code does), how long it is kept, and how to count the records that concern someone.
 */
public record StoredData(
        String name,
        String description,
        List<String> tables,
        List<EncryptedColumn> encrypted,
        Retention retention,
        String countSql) {

    /** How long the data is kept, in the words the privacy report uses. */
    public record Retention(String description) {
        public Retention {
            requireNonNull(description, "description is null");
        }

        public static Retention untilDeletedByHand() {
            return new Retention("kept until deleted by hand");
        }

        public static Retention removedAfter(Duration period) {
            return new Retention("removed automatically after " + period.toDays() + " days");
        }

        public static Retention whileTheClusterRuns() {
            return new Retention("deleted when the cluster stops or fails");
        }
    }

    public StoredData {
        requireNonNull(name, "name is null");
        tables = List.copyOf(tables);
        encrypted = List.copyOf(encrypted);
        requireNonNull(retention, "retention is null");
        requireNonNull(countSql, "countSql is null");
    }
}
