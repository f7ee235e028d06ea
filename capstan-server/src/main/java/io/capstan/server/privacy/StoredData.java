package io.capstan.server.privacy;

import static java.util.Objects.requireNonNull;

import io.capstan.server.keyring.EncryptedColumn;
import java.util.List;
import java.util.Optional;

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
        Optional<java.time.Duration> retention,
        String countSql) {

    public StoredData {
        requireNonNull(name, "name is null");
        tables = List.copyOf(tables);
        encrypted = List.copyOf(encrypted);
        requireNonNull(retention, "retention is null");
        requireNonNull(countSql, "countSql is null");
    }
}
