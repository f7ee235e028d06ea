package io.capstan.server.keyring;

import java.time.Instant;
import java.util.Optional;

/**
 * A row of {@code data_key_rotations}: one rotation and exactly where it is, so that it resumes after a crash.
 *
 * <pre>
 * KEYS ──> REENCRYPT ──> RETIRE ──> done
 *              ^            │
 *              └────────────┘  (a value written under an old key meanwhile: re-encrypt again)
 * </pre>
 */
public record DataKeyRotation(
        String id,
        String scope,
        String state,
        String phase,
        int columnIndex,
        Optional<String> lastRowId,
        long rowsScanned,
        long rowsReencrypted,
        long rowsTotal,
        Optional<String> error,
        Instant startedAt,
        Instant updatedAt,
        Optional<Instant> finishedAt) {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String KEYS = "keys";
    public static final String REENCRYPT = "reencrypt";
    public static final String RETIRE = "retire";
    public static final String ALL = "all";
}
