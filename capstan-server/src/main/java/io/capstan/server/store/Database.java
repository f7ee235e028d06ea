package io.capstan.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The relational store: a Hikari pool, Flyway migrations (one set for H2 and PostgreSQL) and Jdbi on top. H2 runs
 * in PostgreSQL mode, so the SQL in the DAOs is written once for both; it avoids {@code RETURNING} and {@code ON
 * CONFLICT}, which H2 does not have.
 */
public final class Database implements AutoCloseable {
    public enum Kind {
        H2,
        POSTGRESQL
    }

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final Kind kind;

    private Database(HikariDataSource dataSource, Kind kind) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.kind = requireNonNull(kind, "kind is null");
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
        CiphertextColumns.register(jdbi);
    }

    /**
     * Connects to the database at {@code settings} without changing it. Fails with {@link
     * DatabaseUnavailableException}, whose message says what to check, when the database cannot be opened.
     */
    public static Database connect(DatabaseSettings settings) {
        Kind kind = kindOf(settings.jdbcUrl().reveal());
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl().reveal());
        settings.username().ifPresent(config::setUsername);
        settings.password().ifPresent(password -> config.setPassword(password.reveal()));
        config.setPoolName("capstan");
        config.setMaximumPoolSize(settings.maximumPoolSize());
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        config.setExceptionOverrideClassName(StorageFailures.class.getName());
        try {
            return new Database(new HikariDataSource(config), kind);
        } catch (RuntimeException e) {
            throw new DatabaseUnavailableException(describe(settings, e), e);
        }
    }

    /**
     * Applies pending migrations: the SQL ones in {@code db/migration} and {@code javaMigrations}, the steps that
     * need code (such as encrypting a column that used to be plaintext).
     */
    public void migrate(List<JavaMigration> javaMigrations) {
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .javaMigrations(javaMigrations.toArray(new JavaMigration[0]))
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new DatabaseUnavailableException("cannot migrate the database: " + rootMessage(e), e);
        }
    }

    /** A fact about this installation recorded in {@code server_state}, if the table and the fact exist. */
    public Optional<String> serverState(String name) {
        return jdbi.withHandle(handle -> {
            boolean tableExists = handle.createQuery("""
                            SELECT count(*) FROM information_schema.tables
                            WHERE table_schema = current_schema() AND lower(table_name) = 'server_state'
                            """).mapTo(Long.class).one() > 0;
            if (!tableExists) {
                return Optional.empty();
            }
            return handle.createQuery("SELECT state FROM server_state WHERE name = :name")
                    .bind("name", name)
                    .mapTo(String.class)
                    .findOne();
        });
    }

    /** Records {@code state} under {@code name} unless something is recorded already; returns what is recorded. */
    public String recordServerState(String name, String state, java.time.Instant now) {
        return jdbi.inTransaction(handle -> {
            Optional<String> existing = handle.createQuery("SELECT state FROM server_state WHERE name = :name")
                    .bind("name", name)
                    .mapTo(String.class)
                    .findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            handle.createUpdate("INSERT INTO server_state (name, state, created_at) VALUES (:name, :state, :now)")
                    .bind("name", name)
                    .bind("state", state)
                    .bind("now", now)
                    .execute();
            return state;
        });
    }

    private static String describe(DatabaseSettings settings, RuntimeException e) {
        String message = rootMessage(e);
        if (message.contains("already in use") || message.contains("Locked by another process")) {
            return "the embedded database " + settings.describe()
                    + " is in use by another process; is another capstan server running on this data directory?";
        }
        return "cannot open the database " + settings.describe() + ": " + message;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        // The driver may quote the URL, which may hold a password.
        return message.replaceAll("password=[^;&\\s]*", "password=<hidden>");
    }

    static Kind kindOf(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:h2:")) {
            return Kind.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Kind.POSTGRESQL;
        }
        throw new DatabaseUnavailableException(
                "unsupported database URL: only jdbc:h2: and jdbc:postgresql: are supported", null);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether {@code e} was caused by a unique or primary-key constraint, on either database. */
    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** Thrown when the database cannot be opened or migrated; the message is for the operator. */
    public static final class DatabaseUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DatabaseUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
