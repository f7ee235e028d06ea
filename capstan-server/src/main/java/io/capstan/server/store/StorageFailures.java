package io.capstan.server.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

/**
 * Failures of the storage itself rather than of a statement: the database cannot be reached, or its disk is full.
 * Requests that meet one get a 503 {@code storage_unavailable} (they may be retried), never a 500; and connections
 * of an embedded database that closed itself after a failed write are evicted from the pool, so that the server
 * reopens the file and recovers by itself once there is room again, without a restart.
 */
public final class StorageFailures implements SQLExceptionOverride {
    /** H2: "The database has been closed" and "Database is already closed", after a panic such as a failed write. */
    private static final int H2_DATABASE_CLOSED = 90098;

    private static final int H2_ALREADY_CLOSED = 90121;

    /** Used by the connection pool, by name, to decide what to do with a connection that threw. */
    public StorageFailures() {}

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return closedDatabase(e)
                ? SQLExceptionOverride.Override.MUST_EVICT
                : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }

    /** Whether {@code failure}, or one of its causes, says that the storage rather than the request failed. */
    public static boolean isStorageFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && (closedDatabase(sql) || diskFull(sql))) {
                return true;
            }
            if (cause instanceof IOException io && noSpace(io.getMessage())) {
                return true;
            }
            if (cause.getCause() == cause) {
                return false;
            }
        }
        return false;
    }

    private static boolean closedDatabase(SQLException e) {
        return e.getErrorCode() == H2_DATABASE_CLOSED || e.getErrorCode() == H2_ALREADY_CLOSED;
    }

    /** PostgreSQL's class 53 (insufficient resources: disk full, out of memory) and connection class 08. */
    private static boolean diskFull(SQLException e) {
        String state = e.getSQLState();
        return (state != null && (state.startsWith("53") || state.startsWith("08"))) || noSpace(e.getMessage());
    }

    private static boolean noSpace(String message) {
        return message != null && message.toLowerCase(Locale.ROOT).contains("no space left");
    }
}
