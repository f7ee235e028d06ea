package io.capstan.server.testing;

import io.capstan.server.internal.Secret;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A database for one test: nothing for the embedded H2 default (the server makes its own file in the data
 * directory), or a fresh schema in the PostgreSQL at 127.0.0.1:5432, dropped on close. PostgreSQL must be running:
 * a test that cannot reach it fails rather than being skipped.
 */
public final class TestingDatabase implements AutoCloseable {
    public static final String POSTGRESQL_BASE_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String POSTGRESQL_USER = "postgres";

    public enum Kind {
        H2,
        POSTGRESQL
    }

    private final Kind kind;
    private final Optional<String> schema;

    private TestingDatabase(Kind kind, Optional<String> schema) {
        this.kind = kind;
        this.schema = schema;
    }

    public static TestingDatabase create(Kind kind) {
        if (kind == Kind.H2) {
            return new TestingDatabase(kind, Optional.empty());
        }
        String schema =
                "capstan_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        execute("CREATE SCHEMA " + schema);
        return new TestingDatabase(kind, Optional.of(schema));
    }

    public Kind kind() {
        return kind;
    }

    /** The URL to give the server, or empty for the embedded default. */
    public Optional<Secret> serverUrl() {
        return schema.map(name -> new Secret(
                POSTGRESQL_BASE_URL + "?user=" + POSTGRESQL_USER + "&currentSchema=" + name.toLowerCase(Locale.ROOT)));
    }

    /** The fresh schema of this test on PostgreSQL; empty for H2. */
    public Optional<String> schema() {
        return schema;
    }

    public static Connection connectPostgresql() throws SQLException {
        return DriverManager.getConnection(POSTGRESQL_BASE_URL, POSTGRESQL_USER, "");
    }

    private static void execute(String sql) {
        try (Connection connection = connectPostgresql();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL at 127.0.0.1:5432 is needed by this test: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        schema.ifPresent(name -> execute("DROP SCHEMA IF EXISTS " + name + " CASCADE"));
    }
}
