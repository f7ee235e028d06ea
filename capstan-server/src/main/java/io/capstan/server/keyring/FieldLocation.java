package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * Where an encrypted value lives: table, column and row. It is bound into every ciphertext as associated data
 * together with the owner, so a value copied to another row, column or account does not decrypt.
 */
public record FieldLocation(String table, String column, String rowId) {
    public FieldLocation {
        requireNonNull(table, "table is null");
        requireNonNull(column, "column is null");
        requireNonNull(rowId, "rowId is null");
    }

    byte[] associatedData(String owner) {
        return ("capstan/field/v1|" + owner + "|" + table + "|" + column + "|" + rowId)
                .getBytes(StandardCharsets.UTF_8);
    }
}
