package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A database column that holds keyring ciphertexts, described so that data key rotation can re-encrypt it: which
 * table, the row id column, the ciphertext column, the column naming the owner whose key encrypted it, and the
 * field name bound into each ciphertext ({@link FieldLocation#column()}), and whether row ids are numbers. Each
 * feature declares its own.
 */
public record EncryptedColumn(
        String table, String idColumn, String ciphertextColumn, String ownerColumn, String field, boolean numericId) {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    public EncryptedColumn {
        for (String identifier : new String[] {table, idColumn, ciphertextColumn, ownerColumn, field}) {
            requireNonNull(identifier, "identifier is null");
            if (!IDENTIFIER.matcher(identifier).matches()) {
                // These are spliced into SQL; only plain lowercase identifiers are allowed.
                throw new IllegalArgumentException("not a plain SQL identifier: " + identifier);
            }
        }
    }

    /** A column of a table whose row ids are text. */
    public EncryptedColumn(String table, String idColumn, String ciphertextColumn, String ownerColumn, String field) {
        this(table, idColumn, ciphertextColumn, ownerColumn, field, false);
    }

    public FieldLocation location(String rowId) {
        return new FieldLocation(table, field, rowId);
    }
}
