package io.capstan.server.user;

import static java.util.Objects.requireNonNull;

import io.capstan.server.keyring.Ciphertext;
import io.capstan.server.keyring.Keyring;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/** Migration 3: encrypts the emails of users created before emails were encrypted, under each user's data key. */
public final class EncryptEmailsMigration implements JavaMigration {
    private final Keyring keyring;

    public EncryptEmailsMigration(Keyring keyring) {
        this.keyring = requireNonNull(keyring, "keyring is null");
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("3");
    }

    @Override
    public String getDescription() {
        return "encrypt emails";
    }

    @Override
    public Integer getChecksum() {
        return 3;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        List<String[]> plaintext = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, email FROM users WHERE email IS NOT NULL AND email_ciphertext IS NULL");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                plaintext.add(new String[] {rows.getString(1), rows.getString(2)});
            }
        }
        try (PreparedStatement update =
                connection.prepareStatement("UPDATE users SET email_ciphertext = ?, email = NULL WHERE id = ?")) {
            for (String[] row : plaintext) {
                Ciphertext encrypted = keyring.encryptString(row[0], UserService.emailLocation(row[0]), row[1]);
                update.setBytes(1, encrypted.bytes());
                update.setString(2, row[0]);
                update.addBatch();
            }
            update.executeBatch();
        }
    }
}
