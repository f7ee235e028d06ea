package io.capstan.server.privacy;

import static java.util.Objects.requireNonNull;

import io.capstan.api.privacy.DataCategory;
import io.capstan.api.privacy.PrivacyReport;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.Membership;
import io.capstan.server.auth.Caller;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.store.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.EmptyHandling;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * What the server stores about the caller, generated from the stores' own declarations ({@link StoredData}): each
 * category, where it is, how it is encrypted, how long it is kept, and how many records of it concern the caller.
 * The same declarations render {@code docs/privacy.md}; a test keeps the two identical.
 */
public final class PrivacyService {
    public static final String DELETION = "An administrator deletes an account with 'capstan account delete NAME"
            + " --yes': every record it owns is removed and its data key destroyed, so what remains in backups of the"
            + " database can no longer be read. A stopped cluster's record and telemetry are removed with 'capstan"
            + " cluster delete NAME'. Logs and events are removed automatically after their retention period.";

    static final String EMBEDDED_DATABASE =
            "the embedded database file is encrypted as a whole (H2 CIPHER=AES, its key" + " in the keyring)";
    static final String POSTGRESQL_DATABASE =
            "PostgreSQL keeps the other columns as it keeps all data: protect its" + " disks and backups";

    private final Jdbi jdbi;
    private final List<StoredData> stores;
    private final String databaseDescription;

    public PrivacyService(Jdbi jdbi, List<StoredData> stores, String databaseDescription) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.stores = List.copyOf(stores);
        this.databaseDescription = requireNonNull(databaseDescription, "databaseDescription is null");
    }

    /** How the database protects what is not encrypted field by field. */
    public static String databaseDescription(Database.Kind kind) {
        return kind == Database.Kind.H2 ? EMBEDDED_DATABASE : POSTGRESQL_DATABASE;
    }

    public PrivacyReport report(Caller caller) {
        return jdbi.withHandle(handle -> {
            List<String> accounts = handle.attach(AccountDao.class).membershipsOf(caller.userId()).stream()
                    .map(Membership::accountId)
                    .toList();
            List<DataCategory> categories = new ArrayList<>();
            for (StoredData store : stores) {
                long records = handle.createQuery(store.countSql())
                        .configure(SqlStatements.class, statements -> statements.setUnusedBindingAllowed(true))
                        .bind("user", caller.userId())
                        .bindList(EmptyHandling.NULL_KEYWORD, "accounts", accounts)
                        .mapTo(Long.class)
                        .one();
                categories.add(category(store, records));
            }
            return new PrivacyReport(caller.user().username(), categories, DELETION);
        });
    }

    private DataCategory category(StoredData store, long records) {
        return new DataCategory(
                store.name(),
                store.description(),
                location(store),
                encryption(store, databaseDescription),
                retention(store),
                records);
    }

    private String location(StoredData store) {
        return "database tables " + String.join(", ", store.tables());
    }

    static String encryption(StoredData store, String databaseDescription) {
        String fields = store.encrypted().isEmpty()
                ? "no field encrypted on its own"
                : store.encrypted().stream().map(EncryptedColumn::field).collect(Collectors.joining(", "))
                        + " encrypted with AES-256-GCM under the owner's data key (envelope encryption, keys outside the"
                        + " database)";
        return fields + "; " + databaseDescription;
    }

    static String retention(StoredData store) {
        return store.retention().description();
    }

    /** The operator's document: every category with its store, encryption and retention, and how to delete. */
    public String markdown() {
        StringBuilder document = new StringBuilder();
        document.append("# What Capstan stores, where, and for how long\n\n")
                .append("Generated from the stores' own declarations; `capstan privacy` shows the same categories with")
                .append(" the number of records about you. A test keeps this file identical to what the server")
                .append(" says.\n\n")
                .append("| Category | What | Where | Encryption | Retention |\n")
                .append("| --- | --- | --- | --- | --- |\n");
        for (StoredData store : stores) {
            document.append("| ")
                    .append(store.name())
                    .append(" | ")
                    .append(store.description())
                    .append(" | ")
                    .append(location(store))
                    .append(" | ")
                    .append(encryption(
                            store, "embedded database: " + EMBEDDED_DATABASE + "; PostgreSQL: " + POSTGRESQL_DATABASE))
                    .append(" | ")
                    .append(retention(store))
                    .append(" |\n");
        }
        document.append("\n## Deleting data\n\n").append(DELETION).append('\n');
        return document.toString();
    }
}
