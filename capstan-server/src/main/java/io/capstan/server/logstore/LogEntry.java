package io.capstan.server.logstore;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;

/** A row of {@code log_entries}: an event or a line of a process's output, its message encrypted. */
public record LogEntry(
        long id,
        String accountId,
        String subjectId,
        String kind,
        String source,
        Instant at,
        Ciphertext messageCiphertext) {
    public static final String EVENT = "event";
    public static final String LOG = "log";
}
